package report

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// Kinds of movement.
const (
	KindNew     = "new"
	KindClosed  = "closed"
	KindDeleted = "deleted"
	KindUp      = "up"
	KindDown    = "down"
)

// LevelRef is a residual level as a row shows it; Name is "" when the risk
// was not assessed (or did not exist).
type LevelRef struct {
	Name  string
	Color string // "" when the level is not on the register's matrix
}

// Move is one risk that moved in a window.
type Move struct {
	RiskID     string
	Identifier string
	Title      string
	Deleted    bool // the risk is deleted now: its page is the 410 with the restore button
	Restored   bool // a new risk that came back from deletion rather than being created
	From, To   LevelRef
	FromStatus string // "" when the risk did not exist at the start
	ToStatus   string
	At         time.Time // the last recorded change of the risk in the window
}

// Changes is what moved in the register between two instants.
type Changes struct {
	Since, Until time.Time      // the window [Since, Until)
	Register     *risk.Register // nil: every register
	New          []Move         // created (or restored) in the window and there at its end
	Closed       []Move         // closed at the end and not at the start
	Deleted      []Move         // deleted in the window and not back by its end
	Up, Down     []Move         // the residual level went up or down (risks there at both ends, assessed at both)
}

// Total is the number of rows of every kind.
func (c *Changes) Total() int {
	return len(c.New) + len(c.Closed) + len(c.Deleted) + len(c.Up) + len(c.Down)
}

// state is what the history says about a risk at one instant.
type state struct {
	exists   bool
	status   string
	level    string // residual level name
	register string // register name
}

// Changes returns what moved between since and until in the register reg
// (nil: every register), derived from the audit trail: each risk's state at
// both ends is its current state (or, deleted, the last one its delete
// event kept) with the later events undone — the created, deleted and
// restored actions and the recorded old values of the status, residual
// level and register. Levels are the names the history recorded, ordered
// and coloured by the matrix of the risk's register at the end.
func (s *Service) Changes(ctx context.Context, orgID string, since, until time.Time, reg *risk.Register) (*Changes, error) {
	out := &Changes{Since: since, Until: until, Register: reg}
	events, err := s.Store.RiskEventsSince(ctx, orgID, since)
	if err != nil {
		return nil, err
	}
	byRisk := map[string][]*audit.Event{}
	var ids []string
	for _, e := range events {
		if _, ok := byRisk[e.EntityID]; !ok {
			ids = append(ids, e.EntityID)
		}
		byRisk[e.EntityID] = append(byRisk[e.EntityID], e)
	}
	if len(ids) == 0 {
		return out, nil
	}
	regs, err := s.Risks.ListRegisters(ctx, orgID)
	if err != nil {
		return nil, err
	}
	regByID, regByName := map[string]*risk.Register{}, map[string]*risk.Register{}
	for _, r := range regs {
		regByID[r.ID], regByName[r.Name] = r, r
	}
	current := map[string]*risk.Risk{}
	for batch := range slices.Chunk(ids, 500) {
		page, err := s.Risks.List(ctx, orgID, risk.ListQuery{IDs: batch, IncludeArchived: true, Sort: risk.DefaultSort, Page: 1, PerPage: len(batch)})
		if err != nil {
			return nil, err
		}
		for _, r := range page.Risks {
			current[r.ID] = r
		}
	}
	for _, id := range ids {
		evs := byRisk[id]
		now, m, ok := presentState(current[id], evs[len(evs)-1], regByID)
		if !ok {
			continue
		}
		end := undo(now, evs, until)
		start := undo(end, evs, since)
		inWindow := false
		var at time.Time
		created, restored, deleted := false, false, false
		for _, e := range evs {
			if e.CreatedAt.Before(until) {
				inWindow, at = true, e.CreatedAt
				switch e.Action {
				case audit.ActionCreated:
					created = true
				case audit.ActionRestored:
					restored = true
				case audit.ActionDeleted:
					deleted = true
				}
			}
		}
		if !inWindow {
			continue
		}
		if r := regByName[end.register]; r != nil {
			m.reg = r
		}
		if reg != nil && (m.reg == nil || m.reg.ID != reg.ID) {
			continue
		}
		mv := Move{RiskID: id, Identifier: m.identifier, Title: m.title, Deleted: current[id] == nil,
			From: levelRef(m.reg, start), To: levelRef(m.reg, end), ToStatus: end.status, At: at}
		if start.exists {
			mv.FromStatus = start.status
		} else {
			mv.From = LevelRef{}
		}
		switch {
		case !end.exists:
			if deleted {
				out.Deleted = append(out.Deleted, mv)
			}
			continue
		case !start.exists:
			mv.Restored = restored && !created
			out.New = append(out.New, mv)
		}
		if end.status == risk.StatusClosed && (!start.exists || start.status != risk.StatusClosed) {
			out.Closed = append(out.Closed, mv)
		}
		if !start.exists || m.reg == nil || start.level == "" || end.level == "" {
			continue
		}
		from, to := levelIndex(m.reg, start.level), levelIndex(m.reg, end.level)
		switch {
		case from < 0 || to < 0 || from == to:
		case to > from:
			out.Up = append(out.Up, mv)
		default:
			out.Down = append(out.Down, mv)
		}
	}
	for _, l := range [][]Move{out.New, out.Closed, out.Deleted, out.Up, out.Down} {
		slices.SortFunc(l, func(a, b Move) int { return cmp.Or(b.At.Compare(a.At), cmp.Compare(a.Identifier, b.Identifier)) })
	}
	return out, nil
}

// meta is what a row shows of a risk besides its states.
type meta struct {
	identifier, title string
	reg               *risk.Register
}

// presentState returns the risk's state now: the current row, or for a
// deleted risk the last state its delete event (last, its latest event)
// kept. ok is false when neither is known.
func presentState(r *risk.Risk, last *audit.Event, regs map[string]*risk.Register) (state, meta, bool) {
	if r != nil {
		reg := regs[r.RegisterID]
		st := state{exists: true, status: r.Status}
		if reg != nil {
			st.register = reg.Name
			if r.ResidualLevel != nil {
				st.level = reg.Matrix.LevelAt(*r.ResidualLevel).Name
			}
		}
		return st, meta{identifier: r.Identifier(), title: r.Title, reg: reg}, true
	}
	if last.Action != audit.ActionDeleted || last.Snapshot == nil {
		return state{}, meta{}, false
	}
	snap := last.Snapshot
	str := func(k string) string { v, _ := snap[k].(string); return v }
	num := func(k string) int { v, _ := snap[k].(float64); return int(v) }
	reg := regs[str("registerId")]
	st := state{status: str("status")}
	if reg != nil {
		st.register = reg.Name
		if lv, ok := reg.Matrix.LevelOf(num("residual_probability"), num("residual_impact")); ok {
			st.level = lv.Name
		}
	}
	return st, meta{identifier: last.EntityLabel, title: str("title"), reg: reg}, true
}

// undo returns st with the events at or after t undone, newest first.
func undo(st state, evs []*audit.Event, t time.Time) state {
	for i := len(evs) - 1; i >= 0; i-- {
		e := evs[i]
		if e.CreatedAt.Before(t) {
			break
		}
		switch e.Action {
		case audit.ActionCreated, audit.ActionRestored:
			st.exists = false
		case audit.ActionDeleted:
			st.exists = true
		}
		for _, c := range e.Changes {
			switch c.Field {
			case "status":
				st.status = c.Old
			case "residual_level":
				st.level = c.Old
			case "register":
				st.register = c.Old
			}
		}
	}
	return st
}

func levelIndex(reg *risk.Register, name string) int {
	for i, l := range reg.Matrix.Levels {
		if l.Name == name {
			return i
		}
	}
	return -1
}

func levelRef(reg *risk.Register, st state) LevelRef {
	ref := LevelRef{Name: st.level}
	if reg != nil && st.level != "" {
		if i := levelIndex(reg, st.level); i >= 0 {
			ref.Color = reg.Matrix.Levels[i].Color
		}
	}
	return ref
}
