package risk

// Looking back (issue 14): the register, a risk, the heat map and the
// dashboard as of a past day, and the trends drawn from the same history.
//
// The history is kept by the database (migrations 0021 and 0022): one
// version of a risk per change and one version of a register's matrix per
// change, each valid from an instant to the next. A past view reads the
// versions valid at the end of the chosen day (UTC) and levels them by the
// matrix in force then. Levels are never stored in the history, so a
// re-levelling changes the past view only from the moment it happened.

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
)

// HistoryStore reads the recorded states of risks and registers.
type HistoryStore interface {
	// RegistersAsOf returns the organization's registers that existed at
	// at, each with the name and matrix in force then, the default first.
	RegistersAsOf(ctx context.Context, orgID string, at time.Time) ([]*Register, error)
	// RegisterVersions returns every recorded matrix of a register, oldest
	// first.
	RegisterVersions(ctx context.Context, orgID, registerID string) ([]RegisterVersion, error)
	// ListAsOf returns a page of the risks as they were at at matching q
	// (levels computed with regs' matrices, which must be those in force
	// at at).
	ListAsOf(ctx context.Context, orgID string, q ListQuery, at time.Time, regs []*Register) (Page, error)
	// GetAsOf returns the risk (by id or RSK identifier) as it was at at,
	// or NotFound when it did not exist then.
	GetAsOf(ctx context.Context, orgID, key string, at time.Time) (*Risk, error)
	// ValueCountsAsOf counts the risks as they were at at matching q per
	// inherent (or residual) (probability, impact) pair.
	ValueCountsAsOf(ctx context.Context, orgID string, q ListQuery, at time.Time, regs []*Register, residual bool) ([]ValueCount, error)
	// WeeklyResidual counts the register's risks (archived ones left out)
	// per residual (probability, impact) pair at each of weeks instants
	// first, first+7 days, …; see WeekCount.
	WeeklyResidual(ctx context.Context, orgID, registerID string, first time.Time, weeks int) ([]WeekCount, error)
	// RiskVersions returns every recorded state of a risk, oldest first.
	RiskVersions(ctx context.Context, orgID, riskID string) ([]RiskVersion, error)
}

// RegisterVersion is a register's matrix from one instant on.
type RegisterVersion struct {
	ValidFrom time.Time
	Name      string
	Matrix    Matrix
}

// RiskVersion is the scoring of a risk from ValidFrom to ValidTo (zero
// while current).
type RiskVersion struct {
	ValidFrom, ValidTo  time.Time
	RegisterID          string
	Status              string
	Probability         int
	Impact              int
	ResidualProbability int
	ResidualImpact      int
}

// WeekCount is the number of risks with one residual (probability, impact)
// pair at week Week (0 = the first instant).
type WeekCount struct {
	Week                                int
	ResidualProbability, ResidualImpact int
	Count                               int
}

// AsOfField is the query parameter of a past view in the pages.
const AsOfField = "as_of"

// CheckAsOf returns a message when day is after today on the service
// clock (a past view cannot look ahead), "" otherwise.
func (s *Service) CheckAsOf(day time.Time) string {
	if day.After(s.today()) {
		return "Pick today or a day in the past: the register cannot be read in the future"
	}
	return ""
}

// ParseAsOf parses a past day (YYYY-MM-DD) for the parameter named field;
// today (on the service clock) is the latest allowed. An empty value is
// no day (nil).
func (s *Service) ParseAsOf(field, value string) (*time.Time, error) {
	if value == "" {
		return nil, nil
	}
	day, err := time.Parse(time.DateOnly, value)
	if err != nil || !InDateRange(day) {
		return nil, invalidField(field, "Give the date as YYYY-MM-DD, for example 2026-06-30")
	}
	if msg := s.CheckAsOf(day); msg != "" {
		return nil, invalidField(field, msg)
	}
	return &day, nil
}

// today is the service clock's day (UTC midnight).
func (s *Service) today() time.Time { return s.Now().UTC().Truncate(24 * time.Hour) }

// EndOfDay is the instant a past view of day reads: the start of the next
// day (UTC). A version counts when it started before and ended at or after.
func EndOfDay(day time.Time) time.Time {
	return day.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
}

// asOfQuery returns q judged on day: overdue means due before day.
func asOfQuery(q ListQuery, day time.Time) ListQuery {
	q.Today = day.UTC().Truncate(24 * time.Hour)
	return q
}

// RegistersAsOf returns the registers that existed at the end of day with
// their matrices then, the default first.
func (s *Service) RegistersAsOf(ctx context.Context, orgID string, day time.Time) ([]*Register, error) {
	return s.Past.RegistersAsOf(ctx, orgID, EndOfDay(day))
}

// ResolveRegisterAsOf is ResolveRegister at the end of day: the register
// named id (the default when empty) with its matrix then, and every
// register of then. A register created later is NotFound; an organization
// without registers then returns a nil register and no error (an empty
// past).
func (s *Service) ResolveRegisterAsOf(ctx context.Context, orgID, id string, day time.Time) (*Register, []*Register, error) {
	regs, err := s.RegistersAsOf(ctx, orgID, day)
	if err != nil {
		return nil, nil, err
	}
	if len(regs) == 0 && id == "" {
		return nil, nil, nil
	}
	reg, ok := ChooseRegister(regs, id)
	if !ok {
		return nil, regs, apperr.New(apperr.NotFound, "Register not found on that date")
	}
	return reg, regs, nil
}

// ListAsOf returns a page of the risks as they were at the end of day,
// matching q: register, status, category, department, assignee, tag,
// search (words in the title or description), inherent and residual
// levels (by the matrix then), value ranges, overdue (due before day),
// ids, every sort key and paging.
func (s *Service) ListAsOf(ctx context.Context, orgID string, q ListQuery, day time.Time) (Page, error) {
	regs, err := s.RegistersAsOf(ctx, orgID, day)
	if err != nil {
		return Page{}, err
	}
	if len(regs) == 0 {
		return Page{}, nil
	}
	return s.Past.ListAsOf(ctx, orgID, asOfQuery(q, day), EndOfDay(day), regs)
}

// GetAsOf returns the risk as it was at the end of day with its register
// (and matrix) then, or NotFound when it did not exist then.
func (s *Service) GetAsOf(ctx context.Context, orgID, key string, day time.Time) (*Risk, *Register, error) {
	r, err := s.Past.GetAsOf(ctx, orgID, key, EndOfDay(day))
	if err != nil {
		return nil, nil, err
	}
	regs, err := s.RegistersAsOf(ctx, orgID, day)
	if err != nil {
		return nil, nil, err
	}
	reg, ok := ChooseRegister(regs, r.RegisterID)
	if !ok || reg.ID != r.RegisterID {
		if reg, err = s.Registers.Register(ctx, orgID, r.RegisterID); err != nil {
			return nil, nil, err
		}
	}
	relevel(r, reg)
	return r, reg, nil
}

// HeatmapAsOf counts the risks of reg (as it was at the end of day, from
// ResolveRegisterAsOf) matching q per cell of its matrix then.
func (s *Service) HeatmapAsOf(ctx context.Context, orgID string, reg *Register, q ListQuery, residual bool, day time.Time) (Heatmap, error) {
	q.RegisterID = reg.ID
	vc, err := s.Past.ValueCountsAsOf(ctx, orgID, asOfQuery(q, day), EndOfDay(day), []*Register{reg}, residual)
	if err != nil {
		return Heatmap{}, err
	}
	return FoldHeatmap(&reg.Matrix, vc), nil
}

// DashboardAsOf is the dashboard of the default register as it was at the
// end of day: totals, outside appetite, overdue (due before day), levels,
// the residual heat map and the ten highest residual risks, by the matrix
// then. It has no activity (Events). Before the organization had a
// register it returns an empty dashboard (nil Register).
func (s *Service) DashboardAsOf(ctx context.Context, orgID string, day time.Time) (*Dashboard, error) {
	reg, regs, err := s.ResolveRegisterAsOf(ctx, orgID, "", day)
	if err != nil || reg == nil {
		return &Dashboard{Titles: map[string]string{}}, err
	}
	at := EndOfDay(day)
	base := asOfQuery(ListQuery{RegisterID: reg.ID, Sort: DefaultSort, Desc: true, Page: 1, PerPage: DefaultPerPage, AsOf: &day}, day)
	d := &Dashboard{Register: reg, Titles: map[string]string{}}
	count := func(q ListQuery) (Count, error) {
		cq := q
		cq.PerPage = 0 // the total only
		p, err := s.Past.ListAsOf(ctx, orgID, cq, at, regs)
		return Count{N: p.Total, Query: q}, err
	}
	if err := d.countCards(reg, base, count); err != nil {
		return nil, err
	}
	for _, residual := range []bool{false, true} {
		vc, err := s.Past.ValueCountsAsOf(ctx, orgID, base, at, regs, residual)
		if err != nil {
			return nil, err
		}
		counts := map[int]int{}
		for _, c := range vc {
			if l := reg.Matrix.LevelIndexOf(c.Probability, c.Impact); l != nil {
				counts[*l] += c.Count
			}
		}
		lcs := perLevel(reg, base, residual, counts)
		if residual {
			d.Residual, d.Heatmap = lcs, FoldHeatmap(&reg.Matrix, vc)
		} else {
			d.Inherent = lcs
		}
	}
	top := base
	top.Sort, top.PerPage = "residual", 10
	page, err := s.Past.ListAsOf(ctx, orgID, top, at, regs)
	if err != nil {
		return nil, err
	}
	d.Top = page.Risks
	return d, nil
}

// Trend is the weekly count of a register's risks per residual level and
// outside appetite, over the weeks ending on Ends.
type Trend struct {
	Register *Register
	Ends     []time.Time // the last day of each week, oldest first
	// Levels are the register's current levels (names and colours), lowest
	// first; Counts[l][w] is the number of risks at level l in week w, by
	// the matrix in force that week (matched to the current levels by
	// index).
	Levels        []Level
	Counts        [][]int
	OutOfAppetite []int
}

// TrendWeeks is how many weeks a trend covers (12 months).
const TrendWeeks = 52

// Trends counts reg's risks (archived left out) per residual level and
// outside appetite at the end of each of the TrendWeeks weeks up to lastDay
// (the service's today when zero), each week by the matrix in force then.
//
// Counting a year of history reads every version of the register, so a
// trend is kept in memory until the organization's audit trail moves (any
// audited change: a risk, a register's matrix, an import): the dashboard
// then costs what its other cards cost, whatever the register holds, and
// the count runs once per change, not once per view.
func (s *Service) Trends(ctx context.Context, orgID string, reg *Register, lastDay time.Time) (*Trend, error) {
	if lastDay.IsZero() {
		lastDay = s.today()
	}
	lastDay = lastDay.UTC().Truncate(24 * time.Hour)
	mark, err := s.Events.LatestID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	key := trendKey{org: orgID, register: reg.ID, version: reg.Version, lastDay: lastDay, mark: mark}
	if t := s.TrendCache.get(key); t != nil {
		return t, nil
	}
	t, err := s.countTrends(ctx, orgID, reg, lastDay)
	if err != nil {
		return nil, err
	}
	s.TrendCache.put(key, t)
	return t, nil
}

// countTrends counts the trend of Trends from the history.
func (s *Service) countTrends(ctx context.Context, orgID string, reg *Register, lastDay time.Time) (*Trend, error) {
	first := lastDay.AddDate(0, 0, -7*(TrendWeeks-1))
	wc, err := s.Past.WeeklyResidual(ctx, orgID, reg.ID, EndOfDay(first), TrendWeeks)
	if err != nil {
		return nil, err
	}
	versions, err := s.Past.RegisterVersions(ctx, orgID, reg.ID)
	if err != nil {
		return nil, err
	}
	t := &Trend{Register: reg, OutOfAppetite: make([]int, TrendWeeks)}
	for i := range reg.Matrix.Levels {
		t.Levels = append(t.Levels, reg.Matrix.LevelAt(i))
	}
	t.Counts = make([][]int, len(t.Levels))
	for l := range t.Counts {
		t.Counts[l] = make([]int, TrendWeeks)
	}
	matrices := make([]*Matrix, TrendWeeks)
	for w := range TrendWeeks {
		end := first.AddDate(0, 0, 7*w)
		t.Ends = append(t.Ends, end)
		matrices[w] = matrixAt(versions, EndOfDay(end), &reg.Matrix)
	}
	for _, c := range wc {
		if c.Week < 0 || c.Week >= TrendWeeks {
			continue
		}
		m := matrices[c.Week]
		l := m.LevelIndexOf(c.ResidualProbability, c.ResidualImpact)
		if l == nil {
			continue
		}
		if *l < len(t.Counts) {
			t.Counts[*l][c.Week] += c.Count
		}
		if *l > m.Tolerance {
			t.OutOfAppetite[c.Week] += c.Count
		}
	}
	return t, nil
}

// matrixAt returns the matrix of versions in force at at (the earliest
// when at precedes them all; cur when there are none).
func matrixAt(versions []RegisterVersion, at time.Time, cur *Matrix) *Matrix {
	if len(versions) == 0 {
		return cur
	}
	i, _ := slices.BinarySearchFunc(versions, at, func(v RegisterVersion, t time.Time) int { return v.ValidFrom.Compare(t) })
	if i == 0 {
		return &versions[0].Matrix
	}
	return &versions[i-1].Matrix
}

// ScorePoint is a risk's scoring from From on.
type ScorePoint struct {
	From, To                     time.Time // To is zero while current (or at deletion)
	Inherent, Residual           int       // scores, 0-100
	InherentLevel, ResidualLevel *Level    // by the matrix in force at From; nil when not assessed
}

// ScoreHistory returns the risk's inherent and residual scores over time,
// oldest first, each levelled by the matrix of its register in force when
// it started.
func (s *Service) ScoreHistory(ctx context.Context, orgID, riskID string) ([]ScorePoint, error) {
	vs, err := s.Past.RiskVersions(ctx, orgID, riskID)
	if err != nil {
		return nil, err
	}
	byReg := map[string][]RegisterVersion{}
	out := make([]ScorePoint, 0, len(vs))
	for _, v := range vs {
		rv, ok := byReg[v.RegisterID]
		if !ok {
			if rv, err = s.Past.RegisterVersions(ctx, orgID, v.RegisterID); err != nil {
				return nil, err
			}
			byReg[v.RegisterID] = rv
		}
		p := ScorePoint{From: v.ValidFrom, To: v.ValidTo, Inherent: v.Probability * v.Impact, Residual: v.ResidualProbability * v.ResidualImpact}
		if len(rv) > 0 {
			m := matrixAt(rv, v.ValidFrom.Add(time.Microsecond), &rv[len(rv)-1].Matrix)
			if l, ok := m.LevelOf(v.Probability, v.Impact); ok {
				p.InherentLevel = &l
			}
			if l, ok := m.LevelOf(v.ResidualProbability, v.ResidualImpact); ok {
				p.ResidualLevel = &l
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// trendKey names a computed trend: the register (and its version, so a
// matrix edit recounts), the last day, and the organization's latest event
// id when it was counted.
type trendKey struct {
	org, register string
	version       int
	lastDay       time.Time
	mark          int64
}

// TrendCache keeps computed trends (a few kilobytes each); a key whose
// mark has moved on is never asked for again, and the map is emptied when
// it grows past maxTrends. A Trend is not changed once cached. The zero
// value is ready; a nil *TrendCache keeps nothing.
type TrendCache struct {
	mu sync.Mutex
	m  map[trendKey]*Trend
}

const maxTrends = 512

func (c *TrendCache) get(k trendKey) *Trend {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *TrendCache) put(k trendKey, t *Trend) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxTrends {
		c.m = map[trendKey]*Trend{}
	}
	c.m[k] = t
}
