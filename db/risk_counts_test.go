package db_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
)

// TestBulkRisksAndHeatmapCounts bulk-inserts risks, checks they continue
// the organization's numbering with correct levels and events, and that
// the GROUP BY counts add up per tenant.
func TestBulkRisksAndHeatmapCounts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := f.tenant(t, "Acme"), f.tenant(t, "Other")
	first := f.create(t, a, risk.Input{Title: "Before", Probability: 3, Impact: 4})
	f.create(t, b, risk.Input{Title: "Other org", Probability: 10, Impact: 10})
	reg, err := f.Risks.Registers.DefaultRegister(ctx, a.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.BulkInsertRisks(ctx, f.DB, reg, a.Actor.MemberID, a.Actor.Name, 1000); err != nil {
		t.Fatal(err)
	}
	after := f.create(t, a, risk.Input{Title: "After"})
	if first.Number != 1 || after.Number != 1002 {
		t.Errorf("numbers %d and %d, want 1 and 1002", first.Number, after.Number)
	}
	if n := f.count(t, "SELECT count(*) FROM events WHERE organization_id = ? AND action = 'created' AND entity_type = 'risk'", a.OrgID); n != 1002 {
		t.Errorf("%d created events, want 1002", n)
	}
	// Stored levels agree with the matrix.
	rows, err := f.DB.QueryContext(ctx, "SELECT probability, impact, residual_probability, residual_impact, inherent_level, residual_level FROM risks WHERE organization_id = ?", a.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, i, rp, ri int
		var il, rl *int
		if err := rows.Scan(&p, &i, &rp, &ri, &il, &rl); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			p, i int
			got  *int
		}{{p, i, il}, {rp, ri, rl}} {
			want := reg.Matrix.LevelIndexOf(c.p, c.i)
			if (want == nil) != (c.got == nil) || want != nil && *want != *c.got {
				t.Fatalf("(%d,%d): stored level %v, want %v", c.p, c.i, c.got, want)
			}
		}
	}
	hs := &db.RiskStore{DB: f.DB}
	q := risk.ListQuery{IncludeArchived: true}
	for _, residual := range []bool{false, true} {
		vc, err := hs.ValueCounts(ctx, a.OrgID, q, residual)
		if err != nil {
			t.Fatal(err)
		}
		h := risk.FoldHeatmap(&reg.Matrix, vc)
		if h.Total != 1002 {
			t.Errorf("residual=%v: total %d, want 1002", residual, h.Total)
		}
		want := f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ? AND (probability = 0 OR impact = 0)", a.OrgID)
		if residual {
			want = f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ? AND (residual_probability = 0 OR residual_impact = 0)", a.OrgID)
		}
		if h.Unassessed != want {
			t.Errorf("residual=%v: unassessed %d, want %d", residual, h.Unassessed, want)
		}
		top := f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ? AND probability BETWEEN 9 AND 10 AND impact BETWEEN 9 AND 10", a.OrgID)
		if !residual && h.Counts[4][4] != top {
			t.Errorf("top cell %d, want %d", h.Counts[4][4], top)
		}
	}
	mv, err := hs.MoveCounts(ctx, a.OrgID, q)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, m := range risk.FoldMovement(&reg.Matrix, mv) {
		sum += m.Count
	}
	if want := f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ? AND probability > 0 AND impact > 0 AND residual_probability > 0 AND residual_impact > 0", a.OrgID); sum != want {
		t.Errorf("movements add up to %d, want %d", sum, want)
	}
}

// snapshotCounts returns the maintained counts as text rows, leaving out
// keys counted to zero.
func snapshotCounts(t *testing.T, f *fixture) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT concat_ws('|', organization_id, register_id, status, residual, probability, impact, level, n) FROM risk_cell_counts WHERE n <> 0 ORDER BY 1`,
		`SELECT concat_ws('|', organization_id, register_id, due_date, n) FROM risk_due_counts WHERE n <> 0 ORDER BY 1`,
		`SELECT concat_ws('|', organization_id, facet, value, register_id, status, n) FROM risk_facet_counts WHERE n <> 0 ORDER BY 1`,
	} {
		rows, err := f.DB.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		rows.Close()
	}
	return out
}

// TestMaintainedCountsMatchARecount runs a scripted mix of every kind of
// write — creates, edits (score, status, due date, register), deletes, a
// bulk insert, an import of creates and updates, a re-levelling matrix
// edit — in two organizations, then compares the counts the triggers kept
// with a recount from scratch, and the store's answers from them with
// exact COUNTs over the risks.
func TestMaintainedCountsMatchARecount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := f.tenant(t, "Acme"), f.tenant(t, "Other")
	reg, err := f.Risks.Registers.DefaultRegister(ctx, a.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	var rs []*risk.Risk
	past := time.Now().AddDate(0, 0, -3)
	for i := range 12 {
		in := risk.Input{Title: "Risk", Probability: i % 11, Impact: (i * 3) % 11, ResidualProbability: i % 4, ResidualImpact: i % 5}
		if i%3 == 0 {
			in.DueDate = &past
		}
		if i%2 == 0 {
			in.Department, in.Type, in.AssigneeID = "hr", "vulnerability", a.Actor.MemberID
		}
		rs = append(rs, f.create(t, a, in))
		f.create(t, b, risk.Input{Title: "Other", Probability: 10, Impact: 10})
	}
	// Edits: re-scoring, status changes (closing an overdue risk), a due
	// date, archiving.
	for i, r := range rs[:8] {
		in := risk.InputOf(r)
		switch i % 4 {
		case 0:
			in.Status, in.ClosureReason = "closed", "mitigated"
		case 1:
			in.Probability, in.Impact = 9, 9
		case 2:
			in.Status = "archived"
		case 3:
			in.DueDate, in.Department, in.Type, in.AssigneeID = &past, "hr", "policy", ""
		}
		if rs[i], err = f.Risks.Update(ctx, a.OrgID, a.Actor, r.ID, r.Version, in); err != nil {
			t.Fatal(err)
		}
	}
	// Deletes.
	for _, r := range rs[8:10] {
		if err := f.Risks.Delete(ctx, a.OrgID, a.Actor, r.ID, r.Version); err != nil {
			t.Fatal(err)
		}
	}
	// A bulk insert, an import (creates and an update), a second register
	// and a risk moved into it, then a re-levelling matrix edit.
	if err := db.BulkInsertRisks(ctx, f.DB, reg, a.Actor.MemberID, a.Actor.Name, 300); err != nil {
		t.Fatal(err)
	}
	plan, err := f.importer().Commit(ctx, a.OrgID, a.Actor, importRows("identifier,title,description,category,probability,impact,status",
		rs[10].Identifier()+",Imported,A description.,technology,7,7,pending",
		",New one,A description.,vendor_management,2,3,open",
		",New two,A description.,people,0,0,open"))
	if err != nil || plan.Created != 2 || plan.Updated != 1 {
		t.Fatalf("import: %v %+v %q", err, plan, rowErrors(plan))
	}
	m := allCells(risk.DefaultMatrix(), 0)
	m.Levels = []risk.RiskLevel{{Name: "Only", Color: "#123456"}, {Name: "Unused", Color: "#abcdef"}}
	m.Tolerance = 0
	reg2, err := f.Risks.CreateRegister(ctx, a.OrgID, a.Actor, risk.RegisterInput{Name: "Projects", Matrix: m})
	if err != nil {
		t.Fatal(err)
	}
	in := risk.InputOf(rs[11])
	in.RegisterID = reg2.ID
	if _, err := f.Risks.Update(ctx, a.OrgID, a.Actor, rs[11].ID, rs[11].Version, in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Risks.UpdateRegister(ctx, a.OrgID, a.Actor, reg.ID, reg.Version,
		risk.RegisterInput{Name: reg.Name, Matrix: allCells(reg.Matrix, 2)}); err != nil {
		t.Fatal(err)
	}

	kept := snapshotCounts(t, f)
	if _, err := f.DB.ExecContext(ctx, "SELECT risk_counts_recount(), risk_facet_counts_recount()"); err != nil {
		t.Fatal(err)
	}
	recounted := snapshotCounts(t, f)
	if strings.Join(kept, "\n") != strings.Join(recounted, "\n") {
		t.Fatalf("maintained counts differ from a recount:\nkept:\n%s\nrecounted:\n%s", strings.Join(kept, "\n"), strings.Join(recounted, "\n"))
	}
	if len(kept) < 10 {
		t.Fatalf("only %d count rows", len(kept))
	}

	// The store's answers from the counts equal exact COUNTs.
	s := &db.RiskStore{DB: f.DB}
	two := 2
	for _, tc := range []struct {
		q    risk.ListQuery
		want string
	}{
		{risk.ListQuery{}, "status <> 'archived'"},
		{risk.ListQuery{IncludeArchived: true}, "true"},
		{risk.ListQuery{Status: "closed"}, "status = 'closed'"},
		{risk.ListQuery{RegisterID: reg.ID}, "status <> 'archived' AND register_id = '" + reg.ID + "'"},
		{risk.ListQuery{RegisterID: reg.ID, MinResidualLevel: &two}, "status <> 'archived' AND register_id = '" + reg.ID + "' AND residual_level >= 2"},
		{risk.ListQuery{InherentLevel: &two}, "status <> 'archived' AND inherent_level = 2"},
		{risk.ListQuery{Overdue: true}, "status IN ('open', 'pending') AND due_date < current_date"},
		{risk.ListQuery{Probability: &risk.Range{Lo: 7, Hi: 10}, Impact: &risk.Range{Lo: 1, Hi: 8}}, "status <> 'archived' AND probability BETWEEN 7 AND 10 AND impact BETWEEN 1 AND 8"},
		{risk.ListQuery{Category: "people"}, "status <> 'archived' AND category = 'people'"},
		// One classification: from risk_facet_counts (0024).
		{risk.ListQuery{Category: "technology", Status: "open"}, "status = 'open' AND category = 'technology'"},
		{risk.ListQuery{Category: "technology", RegisterID: reg.ID, Statuses: []string{"open", "pending"}}, "status IN ('open', 'pending') AND category = 'technology' AND register_id = '" + reg.ID + "'"},
		{risk.ListQuery{Department: "hr"}, "status <> 'archived' AND department = 'hr'"},
		{risk.ListQuery{Type: "vulnerability", IncludeArchived: true}, "risk_type = 'vulnerability'"},
		{risk.ListQuery{AssigneeID: risk.Unassigned}, "status <> 'archived' AND assignee_id IS NULL"},
		{risk.ListQuery{AssigneeID: a.Actor.MemberID}, "status <> 'archived' AND assignee_id = '" + a.Actor.MemberID + "'"},
		// Not answered by the counts: two classifications, a classification
		// with a level, a status list with overdue.
		{risk.ListQuery{Category: "technology", Department: "hr"}, "status <> 'archived' AND category = 'technology' AND department = 'hr'"},
		{risk.ListQuery{Category: "technology", MinResidualLevel: &two}, "status <> 'archived' AND category = 'technology' AND residual_level >= 2"},
		{risk.ListQuery{Statuses: []string{"closed"}, Overdue: true}, "status = 'closed' AND due_date < current_date AND status IN ('open', 'pending')"},
	} {
		want := f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ? AND "+tc.want, a.OrgID)
		got, err := s.Count(ctx, a.OrgID, tc.q)
		if err != nil || got != want {
			t.Errorf("Count(%s) = %d, %v; want %d", tc.want, got, err, want)
		}
		tc.q.Page, tc.q.PerPage = 1, 10
		page, err := s.List(ctx, a.OrgID, tc.q)
		if err != nil || page.Total != want || page.Estimated || len(page.Risks) != min(10, want) {
			t.Errorf("List(%s): total %d (estimated %v), %d risks, %v; want %d", tc.want, page.Total, page.Estimated, len(page.Risks), err, want)
		}
	}
	for _, residual := range []bool{false, true} {
		levels, err := s.LevelCounts(ctx, a.OrgID, risk.ListQuery{RegisterID: reg.ID}, residual)
		if err != nil {
			t.Fatal(err)
		}
		col := map[bool]string{false: "inherent_level", true: "residual_level"}[residual]
		for l, n := range levels {
			cond := col + " = " + strconv.Itoa(l)
			if l < 0 {
				cond = col + " IS NULL"
			}
			if want := f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ? AND register_id = ? AND status <> 'archived' AND "+cond, a.OrgID, reg.ID); n != want {
				t.Errorf("residual=%v level %d: %d, want %d", residual, l, n, want)
			}
		}
	}
}

// TestTotalsAboveTheCapAreEstimated: a filter the counts cannot answer is
// counted exactly up to 10,000 matches and estimated above, and marked so.
func TestTotalsAboveTheCapAreEstimated(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Acme")
	reg, err := f.Risks.Registers.DefaultRegister(ctx, a.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.BulkInsertRisks(ctx, f.DB, reg, a.Actor.MemberID, a.Actor.Name, 10500); err != nil {
		t.Fatal(err)
	}
	if _, err := f.DB.ExecContext(ctx, "ANALYZE risks"); err != nil {
		t.Fatal(err)
	}
	s := &db.RiskStore{DB: f.DB}
	long := time.Now().AddDate(-10, 0, 0)
	page, err := s.List(ctx, a.OrgID, risk.ListQuery{ModifiedAfter: &long, Page: 3, PerPage: 25})
	if err != nil {
		t.Fatal(err)
	}
	if !page.Estimated || page.Total <= 10000 || len(page.Risks) != 25 {
		t.Fatalf("total %d estimated %v, %d risks; want an estimate above 10000 and a full page", page.Total, page.Estimated, len(page.Risks))
	}
	// One classification is answered exactly by the maintained counts.
	page, err = s.List(ctx, a.OrgID, risk.ListQuery{AssigneeID: risk.Unassigned, Page: 3, PerPage: 25})
	if want := f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ? AND assignee_id IS NULL AND status <> 'archived'", a.OrgID); err != nil || page.Estimated || page.Total != want || want <= 10000 {
		t.Fatalf("unassigned: total %d estimated %v, %v; want exactly %d (> 10000)", page.Total, page.Estimated, err, want)
	}
	page, err = s.List(ctx, a.OrgID, risk.ListQuery{Category: "people", Page: 1, PerPage: 25})
	want := f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ? AND category = 'people' AND status <> 'archived'", a.OrgID)
	if err != nil || page.Estimated || page.Total != want {
		t.Fatalf("category: total %d estimated %v %v; want exactly %d", page.Total, page.Estimated, err, want)
	}
}

// queryRecorder is a bun.QueryHook keeping the SQL of every statement.
type queryRecorder struct {
	mu  sync.Mutex
	sql []string
}

func (r *queryRecorder) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (r *queryRecorder) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	r.mu.Lock()
	r.sql = append(r.sql, e.Query)
	r.mu.Unlock()
}

// record returns the statements fn sent.
func (r *queryRecorder) record(fn func()) []string {
	r.mu.Lock()
	r.sql = nil
	r.mu.Unlock()
	fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.sql)
}

// TestHeatmapAndDashboardReadTheMaintainedCounts: the heat map and the
// dashboard of a register answer from the maintained counts, never by
// aggregating the risks table, whatever else the service stamps on the
// query (such as the day overdue is judged on). Counting a given list of
// risks (the dashboard's risks with recent incidents) is bounded by the
// list, not the register.
func TestHeatmapAndDashboardReadTheMaintainedCounts(t *testing.T) {
	rec := &queryRecorder{}
	f := newFixture(t, rec)
	ctx := context.Background()
	a := f.tenant(t, "Acme")
	past := time.Now().AddDate(0, 0, -3)
	for i := range 5 {
		f.create(t, a, risk.Input{Title: "Risk", Probability: i, Impact: 2 * i, DueDate: &past})
	}
	reg, err := f.Risks.Registers.DefaultRegister(ctx, a.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	q := risk.ListQuery{RegisterID: reg.ID}
	var d *risk.Dashboard
	sent := rec.record(func() {
		for _, residual := range []bool{false, true} {
			if _, err := f.Risks.Heatmap(ctx, a.OrgID, reg, q, residual); err != nil {
				t.Fatal(err)
			}
		}
		if d, err = f.Risks.Dashboard(ctx, a.OrgID); err != nil {
			t.Fatal(err)
		}
	})
	if d.Total.N != 5 || d.Overdue.N != 5 {
		t.Errorf("dashboard: %d risks, %d overdue; want 5 and 5", d.Total.N, d.Overdue.N)
	}
	for _, s := range sent {
		if strings.Contains(s, `"risks" AS "r"`) && (strings.Contains(s, "count(") || strings.Contains(s, "GROUP BY")) &&
			!strings.Contains(s, "r.id IN (") {
			t.Errorf("aggregates the risks table instead of the maintained counts:\n%s", s)
		}
	}
}

// TestCountsTheMaintainedCountsCannotAnswer: a heat map or level count
// filtered by "review overdue" groups the matching risks (the cell counts
// keep no review dates), and a total over named risks is counted directly,
// with no planner's estimate first.
func TestCountsTheMaintainedCountsCannotAnswer(t *testing.T) {
	hook := &lastQueries{}
	f := newFixture(t, hook)
	ctx := context.Background()
	a := f.tenant(t, "Reviews")
	past, future := time.Now().AddDate(0, 0, -5), time.Now().AddDate(0, 0, 30)
	var rs []*risk.Risk
	for i := range 6 {
		in := risk.Input{Title: "Risk", Probability: 1 + i, Impact: 2 + i, ResidualProbability: 1 + i, ResidualImpact: 1}
		if i%2 == 0 {
			in.NextReviewDate = &past
		} else {
			in.NextReviewDate = &future
		}
		rs = append(rs, f.create(t, a, in))
	}
	s := &db.RiskStore{DB: f.DB}
	q := risk.ListQuery{ReviewOverdue: true}
	for _, residual := range []bool{false, true} {
		vc, err := s.ValueCounts(ctx, a.OrgID, q, residual)
		if err != nil {
			t.Fatal(err)
		}
		cells := 0
		for _, c := range vc {
			cells += c.Count
		}
		levels, err := s.LevelCounts(ctx, a.OrgID, q, residual)
		if err != nil {
			t.Fatal(err)
		}
		inLevels := 0
		for _, n := range levels {
			inLevels += n
		}
		if cells != 3 || inLevels != 3 {
			t.Errorf("residual=%v: review overdue counts %d in cells, %d in levels; want 3", residual, cells, inLevels)
		}
	}
	hook.mu.Lock()
	hook.all = nil
	hook.mu.Unlock()
	page, err := s.List(ctx, a.OrgID, risk.ListQuery{IDs: []string{rs[0].ID, rs[1].Identifier()}, Page: 1, PerPage: 10})
	if err != nil || page.Total != 2 || page.Estimated || len(page.Risks) != 2 {
		t.Fatalf("named risks: total %d (estimated %v), %d risks, %v", page.Total, page.Estimated, len(page.Risks), err)
	}
	hook.mu.Lock()
	defer hook.mu.Unlock()
	for _, sql := range hook.all {
		if strings.HasPrefix(sql, "EXPLAIN") {
			t.Errorf("a total over named risks asked the planner first: %s", sql)
		}
	}
}
