package db_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// updateCounter counts statements that update the risks table.
type updateCounter struct{ n atomic.Int64 }

func (c *updateCounter) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context {
	if strings.Contains(e.Query, "UPDATE risks") || strings.Contains(e.Query, `UPDATE "risks"`) {
		c.n.Add(1)
	}
	return ctx
}
func (c *updateCounter) AfterQuery(context.Context, *bun.QueryEvent) {}

func allCells(m risk.Matrix, level int) risk.Matrix {
	m.Grid = make([][]int, len(m.Likelihood))
	for l := range m.Grid {
		m.Grid[l] = make([]int, len(m.Impact))
		for i := range m.Grid[l] {
			m.Grid[l][i] = level
		}
	}
	return m
}

func levelCount(t *testing.T, f *fixture, tn tenant, q risk.ListQuery) int {
	t.Helper()
	q.PerPage = 100
	page, err := f.Risks.List(context.Background(), tn.OrgID, q)
	if err != nil {
		t.Fatal(err)
	}
	return page.Total
}

func intp(v int) *int { return &v }

func TestUpdateRegisterRelevelsInOneStatement(t *testing.T) {
	counter := &updateCounter{}
	f := newFixture(t, counter)
	ctx := context.Background()
	a, b := f.tenant(t, "Alpha"), f.tenant(t, "Beta")
	var ids []string
	for _, pi := range [][4]int{{1, 1, 0, 0}, {5, 5, 2, 2}, {9, 9, 9, 1}, {3, 8, 0, 0}, {0, 0, 0, 0}} {
		r := f.create(t, a, risk.Input{Title: "Risk", Probability: pi[0], Impact: pi[1], ResidualProbability: pi[2], ResidualImpact: pi[3]})
		ids = append(ids, r.ID)
	}
	other := f.create(t, b, risk.Input{Title: "Other org", Probability: 1, Impact: 1})
	reg, err := f.Risks.Registers.DefaultRegister(ctx, a.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if n := levelCount(t, f, a, risk.ListQuery{InherentLevel: intp(3)}); n != 1 {
		t.Fatalf("critical before: %d", n)
	}

	counter.n.Store(0) // count only the statements of the register edit
	in := risk.RegisterInput{Name: reg.Name, Description: "all critical", Matrix: allCells(reg.Matrix, 3)}
	updated, err := f.Risks.UpdateRegister(ctx, a.OrgID, a.Actor, reg.ID, reg.Version, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := counter.n.Load(); got != 1 {
		t.Fatalf("%d UPDATE statements on risks, want exactly 1", got)
	}
	// The four assessed risks are critical at once; the unassessed one has no level.
	if n := levelCount(t, f, a, risk.ListQuery{InherentLevel: intp(3)}); n != 4 {
		t.Fatalf("critical inherent after the edit: %d, want 4", n)
	}
	if n := levelCount(t, f, a, risk.ListQuery{ResidualLevel: intp(3)}); n != 2 {
		t.Fatalf("critical residual after the edit: %d, want 2", n)
	}
	unassessed, err := f.Risks.Get(ctx, a.OrgID, ids[4])
	if err != nil {
		t.Fatal(err)
	}
	if unassessed.InherentLevel != nil || unassessed.ResidualLevel != nil {
		t.Fatalf("unassessed risk got levels %v %v", unassessed.InherentLevel, unassessed.ResidualLevel)
	}
	o, err := f.Risks.Get(ctx, b.OrgID, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.InherentLevel == nil || *o.InherentLevel != 0 {
		t.Fatalf("another organization's risk re-levelled: %v", o.InherentLevel)
	}
	// Exactly one register event, carrying the grid change and the count.
	events, err := f.Events.ForEntity(ctx, a.OrgID, audit.EntityRegister, reg.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Action != audit.ActionUpdated {
		t.Fatalf("%d register events, want 1 update", len(events))
	}
	fields := map[string]audit.Change{}
	for _, c := range events[0].Changes {
		fields[c.Field] = c
	}
	if fields["grid"].New == "" || fields["description"].New != "all critical" || fields["relevelled_risks"].New != "4" {
		t.Fatalf("event changes %+v", events[0].Changes)
	}
	if n := f.count(t, `SELECT count(*) FROM events WHERE organization_id = ? AND entity_type = 'risk' AND action = 'updated'`, a.OrgID); n != 0 {
		t.Fatalf("%d risk events for a matrix edit, want none", n)
	}

	// A stale form is refused and changes nothing.
	_, err = f.Risks.UpdateRegister(ctx, a.OrgID, a.Actor, reg.ID, reg.Version, risk.RegisterInput{Name: "Stale", Matrix: reg.Matrix})
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("stale update: %v, want Conflict", err)
	}
	// A bad matrix is refused with field errors and changes nothing.
	bad := updated.Matrix
	bad.Likelihood = append([]risk.ScaleLevel(nil), bad.Likelihood...)
	bad.Likelihood[2].Upper = 3 // overlaps level 2's band (3-4)
	_, err = f.Risks.UpdateRegister(ctx, a.OrgID, a.Actor, reg.ID, updated.Version, risk.RegisterInput{Name: "Bad", Matrix: bad})
	if e, ok := apperr.As(err); !ok || e.Code != apperr.Invalid || !e.Fields.Has("likelihood") {
		t.Fatalf("bad matrix: %v, want a likelihood field error", err)
	}
	// Another organization's register is not found.
	if _, err := f.Risks.UpdateRegister(ctx, b.OrgID, b.Actor, reg.ID, updated.Version, in); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("other org: %v, want NotFound", err)
	}
	if n := f.count(t, `SELECT count(*) FROM events WHERE entity_type = 'register'`); n != 1 {
		t.Fatalf("%d register events after refused edits, want 1", n)
	}
	if got, _ := f.Risks.Registers.Register(ctx, a.OrgID, reg.ID); got.Name != reg.Name || got.Version != updated.Version {
		t.Fatalf("refused edits wrote: %+v", got)
	}
}

func TestRiskMovedToAnotherRegisterIsRelevelled(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	m := risk.DefaultMatrix()
	m = allCells(m, 0)
	m.Levels = []risk.RiskLevel{{Name: "Only", Color: "#123456"}, {Name: "Unused", Color: "#abcdef"}}
	m.Tolerance = 0
	reg2, err := f.Risks.CreateRegister(ctx, a.OrgID, a.Actor, risk.RegisterInput{Name: "Projects", Matrix: m})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Risks.CreateRegister(ctx, a.OrgID, a.Actor, risk.RegisterInput{Name: "Projects", Matrix: m}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("duplicate name: %v, want Invalid", err)
	}
	r := f.create(t, a, risk.Input{Title: "Moves", Probability: 10, Impact: 10})
	if *r.InherentLevel != 3 {
		t.Fatalf("default level %d", *r.InherentLevel)
	}
	in := risk.InputOf(r)
	in.RegisterID = reg2.ID
	moved, err := f.Risks.Update(ctx, a.OrgID, a.Actor, r.ID, r.Version, in)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.Risks.Get(ctx, a.OrgID, moved.ID)
	if got.RegisterID != reg2.ID || got.InherentLevel == nil || *got.InherentLevel != 0 {
		t.Fatalf("moved risk: register %s level %v, want %s level 0", got.RegisterID, got.InherentLevel, reg2.ID)
	}
	regs, _ := f.Risks.Registers.Registers(ctx, a.OrgID)
	if len(regs) != 2 || !regs[0].IsDefault {
		t.Fatalf("registers %+v", regs)
	}
}

// TestRegisterReadsFollowEdits: Detail and the register list keep decoded
// registers, so a register's edit must show in the next read, and a caller
// changing the register it got must not change the next one.
func TestRegisterReadsFollowEdits(t *testing.T) {
	f := newFixture(t)
	a := f.tenant(t, "Acme")
	ctx := context.Background()
	r, err := f.Risks.Create(ctx, a.OrgID, a.Actor, risk.Input{Title: "Outage", Description: "d", Category: "other", Probability: 9, Impact: 9})
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.Risks.Detail(ctx, a.OrgID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	top := len(d.Register.Matrix.Levels) - 1
	d.Register.Matrix.Levels[top].Name = "Changed by a caller"
	d.Register.Matrix.Grid[0][0] = top
	again, err := f.Risks.Detail(ctx, a.OrgID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Register.Matrix.Levels[top].Name == "Changed by a caller" || again.Register.Matrix.Grid[0][0] == top {
		t.Fatal("a change to one Detail's register showed in the next Detail")
	}

	m := again.Register.Matrix
	m.Levels[top].Name = "Severe"
	if _, err := f.Risks.UpdateRegister(ctx, a.OrgID, a.Actor, again.Register.ID, again.Register.Version,
		risk.RegisterInput{Name: again.Register.Name, Description: again.Register.Description, Matrix: m}); err != nil {
		t.Fatal(err)
	}
	after, err := f.Risks.Detail(ctx, a.OrgID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if lv, _ := after.Register.InherentLevel(after.Risk); lv.Name != "Severe" || after.Register.Version != again.Register.Version+1 {
		t.Errorf("after the edit: level %q, register version %d; want Severe, %d", lv.Name, after.Register.Version, again.Register.Version+1)
	}
	// The register list decodes through the same kind of cache: it follows
	// the edit, and a caller's change to one list does not show in the next.
	regs, err := f.Risks.ListRegisters(ctx, a.OrgID)
	if err != nil || len(regs) != 1 || regs[0].Matrix.Levels[top].Name != "Severe" || regs[0].Version != after.Register.Version {
		t.Fatalf("registers after the edit: %+v, %v", regs, err)
	}
	regs[0].Matrix.Levels[top].Name = "Changed by a caller"
	if regs, _ = f.Risks.ListRegisters(ctx, a.OrgID); regs[0].Matrix.Levels[top].Name != "Severe" {
		t.Error("a change to one register list showed in the next")
	}
}

// TestDetailTreatment: Detail's joined treatment is the plan store's, and
// nil for a risk without one.
func TestDetailTreatment(t *testing.T) {
	f := newFixture(t)
	a := f.tenant(t, "Acme")
	ctx := context.Background()
	r, err := f.Risks.Create(ctx, a.OrgID, a.Actor, risk.Input{Title: "Outage", Description: "d", Category: "other"})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := f.Risks.Detail(ctx, a.OrgID, r.ID); err != nil || d.Treatment != nil {
		t.Fatalf("no treatment yet: %+v, %v", d.Treatment, err)
	}
	if _, err := f.Risks.SetTreatment(ctx, a.OrgID, a.Actor, r.ID, risk.TreatmentInput{Type: "transfer", Description: "Insurance"}); err != nil {
		t.Fatal(err)
	}
	want, err := f.Risks.Plans.Treatment(ctx, a.OrgID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.Risks.Detail(ctx, a.OrgID, r.Identifier())
	if err != nil {
		t.Fatal(err)
	}
	if d.Treatment == nil || *d.Treatment != *want {
		t.Errorf("Detail's treatment %+v, want %+v", d.Treatment, want)
	}
}
