package db_test

import (
	"context"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
)

// The versions follow every writer with the row's timestamps: a service
// create, a plain SQL update (any writer), a touch and a re-levelling
// (no version), a delete (ended at its event's time) and a restore.
func TestRiskVersionsFollowEveryWriter(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	day := func(n int) time.Time { return time.Date(2026, 3, 1+n, 12, 0, 0, 0, time.UTC) }
	now := day(0)
	f.Risks.Now = func() time.Time { return now }
	f.Accounts.Now = f.Risks.Now
	tn := f.tenant(t, "Versions")
	a := f.create(t, tn, risk.Input{Title: "A", Probability: 9, Impact: 9, ResidualProbability: 7, ResidualImpact: 7})
	b := f.create(t, tn, risk.Input{Title: "B", Probability: 2, Impact: 2})

	// Any writer: plain SQL stamped by the caller.
	if _, err := f.DB.ExecContext(ctx, `UPDATE risks SET status = 'pending', updated_at = ? WHERE organization_id = ?`, day(2), tn.OrgID); err != nil {
		t.Fatal(err)
	}
	// A touch (task change) writes no version.
	now = day(3)
	if err := (&db.RiskStore{DB: f.DB}).Touch(ctx, tn.OrgID, a.ID, "", day(3)); err != nil {
		t.Fatal(err)
	}
	// A matrix change re-levels without a risk version, but the register gets one.
	now = day(4)
	reg, err := f.Risks.Registers.DefaultRegister(ctx, tn.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	m := reg.Matrix
	m.Grid[3][3] = 3
	if _, err := f.Risks.UpdateRegister(ctx, tn.OrgID, tn.Actor, reg.ID, 0, risk.RegisterInput{Name: reg.Name, Matrix: m}); err != nil {
		t.Fatal(err)
	}
	now = day(6)
	if err := f.Risks.Delete(ctx, tn.OrgID, tn.Actor, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	now = day(8)
	if _, err := f.Risks.Restore(ctx, tn.OrgID, tn.Actor, a.ID); err != nil {
		t.Fatal(err)
	}

	var rows []struct {
		RiskID    string    `bun:"risk_id"`
		ValidFrom time.Time `bun:"valid_from"`
		Open      bool      `bun:"open"`
		ValidTo   time.Time `bun:"valid_to"`
		Status    string    `bun:"status"`
	}
	if err := f.DB.NewRaw(`SELECT risk_id, valid_from, valid_to = 'infinity' AS open,
		CASE WHEN valid_to = 'infinity' THEN valid_from ELSE valid_to END AS valid_to, status
		FROM risk_versions WHERE organization_id = ? ORDER BY risk_id = ? DESC, valid_from`, tn.OrgID, a.ID).Scan(ctx, &rows); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		s := r.ValidFrom.UTC().Format("02") + "-"
		if r.Open {
			s += "now"
		} else {
			s += r.ValidTo.UTC().Format("02")
		}
		name := "A"
		if r.RiskID == b.ID {
			name = "B"
		}
		got = append(got, name+":"+s+":"+r.Status)
	}
	want := []string{"A:01-03:open", "A:03-07:pending", "A:09-now:pending", "B:01-03:open", "B:03-now:pending"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("versions\n got %v\nwant %v", got, want)
	}
	for _, sql := range []string{"UPDATE risk_versions SET status = 'closed'", "DELETE FROM risk_versions", "DELETE FROM register_versions"} {
		if _, err := f.DB.ExecContext(ctx, sql); err == nil {
			t.Errorf("the app's role may run %q on the history", sql)
		}
	}
	var regVersions int
	if err := f.DB.NewRaw(`SELECT count(*) FROM register_versions WHERE organization_id = ?`, tn.OrgID).Scan(ctx, &regVersions); err != nil {
		t.Fatal(err)
	}
	if regVersions != 2 {
		t.Errorf("%d register versions, want 2 (creation, matrix change)", regVersions)
	}
	// As of each day, A's residual level by the matrix then: High, then Critical after the change.
	for d, want := range map[int]string{0: "High", 3: "High", 5: "Critical", 6: "", 7: "", 8: "Critical"} {
		r, reg, err := f.Risks.GetAsOf(ctx, tn.OrgID, a.ID, day(d).Truncate(24*time.Hour))
		if want == "" {
			if err == nil {
				t.Errorf("day %d: A found while deleted", d)
			}
			continue
		}
		if err != nil {
			t.Fatalf("day %d: %v", d, err)
		}
		if lv, _ := reg.ResidualLevel(r); lv.Name != want {
			t.Errorf("day %d: A residual %s, want %s", d, lv.Name, want)
		}
	}
}

// lastQueries remembers the SQL of the latest queries, for EXPLAIN.
type lastQueries struct {
	mu  sync.Mutex
	all []string
}

func (h *lastQueries) BeforeQuery(ctx context.Context, e *bun.QueryEvent) context.Context { return ctx }
func (h *lastQueries) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	h.mu.Lock()
	h.all = append(h.all, e.Query)
	h.mu.Unlock()
}

// TestAsOfCostAt100k measures the as-of reads on 100,000 risks with a year
// of history (a third of them changed four times): the register's first
// page, the heat map and the weekly trend, with EXPLAIN ANALYZE of each
// query in the log. It takes minutes: run it with RISKREG_EXPLAIN=1.
func TestAsOfCostAt100k(t *testing.T) {
	if os.Getenv("RISKREG_EXPLAIN") == "" {
		t.Skip("set RISKREG_EXPLAIN=1 to measure the as-of reads at 100,000 risks")
	}
	hook := &lastQueries{}
	f := newFixture(t, hook)
	ctx := context.Background()
	tn := f.tenant(t, "Scale")
	reg, err := f.Risks.Registers.DefaultRegister(ctx, tn.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := db.BulkInsertRisks(ctx, f.DB, reg, tn.Actor.MemberID, tn.Actor.Name, 100_000); err != nil {
		t.Fatal(err)
	}
	// Backdate the first versions a year (as the owner: the app's role
	// cannot write the history), then change a third four times.
	owner, err := db.Open(dbtest.OwnerDSN(f.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if _, err := owner.ExecContext(ctx, `UPDATE risk_versions SET valid_from = valid_from - interval '365 days' WHERE organization_id = ?`, tn.OrgID); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.ExecContext(ctx, `UPDATE register_versions SET valid_from = valid_from - interval '366 days' WHERE organization_id = ?`, tn.OrgID); err != nil {
		t.Fatal(err)
	}
	for k := 4; k >= 1; k-- {
		if _, err := f.DB.ExecContext(ctx, `UPDATE risks SET residual_probability = 1 + (number + ?) % 10, updated_at = now() - ? * interval '60 days'
			WHERE organization_id = ? AND number % 3 = 0`, k, k, tn.OrgID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := owner.ExecContext(ctx, `ANALYZE risk_versions, risk_count_deltas`); err != nil {
		t.Fatal(err)
	}
	t.Logf("setup %s", time.Since(start))
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -100)
	q := risk.ListQuery{RegisterID: reg.ID, Sort: risk.DefaultSort, Desc: true, Page: 1, PerPage: 50}
	measure := func(name string, fn func() error) {
		var ds []time.Duration
		for range 7 {
			hook.mu.Lock()
			hook.all = nil
			hook.mu.Unlock()
			s := time.Now()
			if err := fn(); err != nil {
				t.Fatal(err)
			}
			ds = append(ds, time.Since(s))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		t.Logf("%s: median %s, max %s", name, ds[len(ds)/2], ds[len(ds)-1])
		hook.mu.Lock()
		qs := append([]string(nil), hook.all...)
		hook.mu.Unlock()
		for _, sql := range qs {
			if !strings.Contains(sql, "risk_versions") && !strings.Contains(sql, "risk_count_deltas") {
				continue
			}
			var plan []string
			if err := f.DB.NewRaw("EXPLAIN (ANALYZE, BUFFERS) "+sql).Scan(ctx, &plan); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s plan:\n%s", name, strings.Join(plan, "\n"))
		}
	}
	measure("register as of, page 1", func() error { _, err := f.Risks.ListAsOf(ctx, tn.OrgID, q, day); return err })
	today := time.Now().UTC()
	measure("register as of today, page 1", func() error { _, err := f.Risks.ListAsOf(ctx, tn.OrgID, q, today); return err })
	measure("heat map as of today", func() error {
		r, _, err := f.Risks.ResolveRegisterAsOf(ctx, tn.OrgID, reg.ID, today)
		if err == nil {
			_, err = f.Risks.HeatmapAsOf(ctx, tn.OrgID, r, q, true, today)
		}
		return err
	})
	measure("heat map as of", func() error {
		r, _, err := f.Risks.ResolveRegisterAsOf(ctx, tn.OrgID, reg.ID, day)
		if err == nil {
			_, err = f.Risks.HeatmapAsOf(ctx, tn.OrgID, r, q, true, day)
		}
		return err
	})
	measure("weekly trend", func() error { _, err := f.Risks.Trends(ctx, tn.OrgID, reg, time.Time{}); return err })
	measure("register today, page 1", func() error { _, err := f.Risks.List(ctx, tn.OrgID, q); return err })
}

// A trend is counted once per change of the organization's trail: viewing
// the dashboard again sends one probe of the latest event, and any audited
// change makes the next view count again, with the change in it.
func TestTrendsAreCountedOncePerChange(t *testing.T) {
	rec := &queryRecorder{}
	f := newFixture(t, rec)
	ctx := context.Background()
	a := f.tenant(t, "Acme")
	r := f.create(t, a, risk.Input{Title: "Risk", Probability: 9, Impact: 9, ResidualProbability: 9, ResidualImpact: 9})
	reg, err := f.Risks.Registers.DefaultRegister(ctx, a.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	outside := func(tr *risk.Trend) int { return tr.OutOfAppetite[len(tr.OutOfAppetite)-1] }
	first, err := f.Risks.Trends(ctx, a.OrgID, reg, time.Time{})
	if err != nil || outside(first) != 1 {
		t.Fatalf("first trend: %v, %v outside appetite this week; want 1", err, outside(first))
	}
	sent := rec.record(func() {
		again, err := f.Risks.Trends(ctx, a.OrgID, reg, time.Time{})
		if err != nil || again != first {
			t.Errorf("the second view counted again (%v)", err)
		}
	})
	if len(sent) != 1 || !strings.Contains(sent[0], "max(id)") {
		t.Errorf("the second view sent %d statements, want the one probe of the latest event: %q", len(sent), sent)
	}
	in := risk.InputOf(r)
	in.ResidualProbability, in.ResidualImpact = 1, 1
	if _, err := f.Risks.Update(ctx, a.OrgID, a.Actor, r.ID, r.Version, in); err != nil {
		t.Fatal(err)
	}
	after, err := f.Risks.Trends(ctx, a.OrgID, reg, time.Time{})
	if err != nil || outside(after) != 0 {
		t.Fatalf("after the change: %v, %v outside appetite this week; want 0", err, outside(after))
	}
}
