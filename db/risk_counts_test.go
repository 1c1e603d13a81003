package db_test

import (
	"context"
	"testing"

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
