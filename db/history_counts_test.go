package db_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
)

// TestPastCountsMatchTheVersions runs a scripted history over eight days
// on the service clock, ending three days ago — creates, a change replacing the version of the
// same instant, re-scoring, closing, archiving, a move to another register,
// a delete (ended at its event's time), a restore, an import, a bulk insert,
// and a second organization — then checks, for every day, that the past
// counts read from risk_count_deltas (totals, heat-map cells, levels) equal
// counts of the versions valid then, that the past register's pages equal
// the versions in sort order, and that the deltas equal a recount.
func TestPastCountsMatchTheVersions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// The script ends three days before today, and the past is read both
	// ways (from the first day on, and back from today's counts).
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -10)
	day := func(n int) time.Time { return start.AddDate(0, 0, n).Add(9 * time.Hour) }
	now := day(0)
	f.Risks.Now = func() time.Time { return now }
	f.Accounts.Now = f.Risks.Now // the organizations and their registers exist from day 0
	a, b := f.tenant(t, "Past A"), f.tenant(t, "Past B")
	reg, err := f.Risks.Registers.DefaultRegister(ctx, a.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	update := func(r *risk.Risk, change func(in *risk.Input)) *risk.Risk {
		t.Helper()
		in := risk.InputOf(r)
		change(&in)
		r, err := f.Risks.Update(ctx, a.OrgID, a.Actor, r.ID, r.Version, in)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// Day 0: eight risks, one changed twice at the same instant.
	var rs []*risk.Risk
	for i := range 8 {
		due, review := day(i%4), day(1+i%5) // overdue from the day after, until closed
		rs = append(rs, f.create(t, a, risk.Input{Title: fmt.Sprintf("Risk %d", i), Category: []string{"technology", "people"}[i%2],
			Probability: 1 + i, Impact: 10 - i, ResidualProbability: 1 + i%3, ResidualImpact: 2 + i%4, DueDate: &due, NextReviewDate: &review}))
		f.create(t, b, risk.Input{Title: "Other", Probability: 10, Impact: 10})
	}
	rs[0] = update(rs[0], func(in *risk.Input) { in.Probability, in.Impact = 9, 9 })
	rs[0] = update(rs[0], func(in *risk.Input) { in.ResidualProbability, in.ResidualImpact = 8, 8 })
	// Day 1: re-scoring, closing, archiving.
	now = day(1)
	rs[1] = update(rs[1], func(in *risk.Input) { in.ResidualProbability, in.ResidualImpact = 1, 1; in.DueDate = nil })
	rs[7] = update(rs[7], func(in *risk.Input) { later := day(8); in.DueDate, in.NextReviewDate = &later, &later })
	rs[2] = update(rs[2], func(in *risk.Input) { in.Status, in.ClosureReason = "closed", "mitigated" })
	rs[3] = update(rs[3], func(in *risk.Input) { in.Status = "archived" })
	// Day 2: a second register, and a risk moved into it.
	now = day(2)
	reg2, err := f.Risks.CreateRegister(ctx, a.OrgID, a.Actor, risk.RegisterInput{Name: "Projects", Matrix: allCells(risk.DefaultMatrix(), 1)})
	if err != nil {
		t.Fatal(err)
	}
	rs[4] = update(rs[4], func(in *risk.Input) { in.RegisterID = reg2.ID })
	// Day 3: a delete; day 5: its restore and a change the same day.
	now = day(3)
	if err := f.Risks.Delete(ctx, a.OrgID, a.Actor, rs[5].ID, rs[5].Version); err != nil {
		t.Fatal(err)
	}
	now = day(5)
	if rs[5], err = f.Risks.Restore(ctx, a.OrgID, a.Actor, rs[5].ID); err != nil {
		t.Fatal(err)
	}
	now = day(5).Add(time.Hour)
	rs[5] = update(rs[5], func(in *risk.Input) { in.Probability, in.Impact = 2, 2 })
	// Day 6: an import (an update and a create), a re-levelling of the
	// default register.
	now = day(6)
	plan, err := f.importer().Commit(ctx, a.OrgID, a.Actor, importRows("identifier,title,description,category,probability,impact,status",
		rs[6].Identifier()+",Imported,A description.,technology,7,7,pending",
		",New one,A description.,people,3,3,open"))
	if err != nil || plan.Created != 1 || plan.Updated != 1 {
		t.Fatalf("import: %v %+v %q", err, plan, rowErrors(plan))
	}
	if _, err := f.Risks.UpdateRegister(ctx, a.OrgID, a.Actor, reg.ID, 0, risk.RegisterInput{Name: reg.Name, Matrix: allCells(reg.Matrix, 2)}); err != nil {
		t.Fatal(err)
	}
	// Today (the real clock): a bulk insert.
	if err := db.BulkInsertRisks(ctx, f.DB, reg, a.Actor.MemberID, a.Actor.Name, 30); err != nil {
		t.Fatal(err)
	}

	// The deltas the triggers kept equal a recount from the versions.
	snapshot := func() string {
		var rows []string
		if err := f.DB.NewRaw(`SELECT concat_ws('|', organization_id, register_id, residual, day, status, probability, impact, n)
			FROM risk_count_deltas ORDER BY 1`).Scan(ctx, &rows); err != nil { // zeros included: they are pruned
			t.Fatal(err)
		}
		var due []string
		if err := f.DB.NewRaw(`SELECT concat_ws('|', organization_id, register_id, kind, day, n)
			FROM risk_due_deltas ORDER BY 1`).Scan(ctx, &due); err != nil {
			t.Fatal(err)
		}
		return strings.Join(append(rows, due...), "\n")
	}
	kept := snapshot()
	owner, err := db.Open(dbtest.OwnerDSN(f.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if _, err := owner.ExecContext(ctx, "SELECT risk_count_deltas_recount()"); err != nil {
		t.Fatal(err)
	}
	if again := snapshot(); again != kept || len(kept) == 0 {
		t.Fatalf("deltas differ from a recount:\nkept:\n%s\nrecounted:\n%s", kept, again)
	}

	store := &db.HistoryStore{DB: f.DB}
	// The weekly residual trend (the dashboard's) from the deltas equals
	// the versions valid at each week's end.
	first := risk.EndOfDay(day(1))
	weeks, err := store.WeeklyResidual(ctx, a.OrgID, reg.ID, first, 3)
	if err != nil {
		t.Fatal(err)
	}
	for k := range 3 {
		at := first.AddDate(0, 0, 7*k)
		var want []string
		if err := f.DB.NewRaw(`SELECT concat_ws('|', residual_probability, residual_impact, count(*)) FROM risk_versions
			WHERE organization_id = ? AND register_id = ? AND status <> 'archived' AND valid_from < ? AND valid_to >= ?
			GROUP BY residual_probability, residual_impact`, a.OrgID, reg.ID, at, at).Scan(ctx, &want); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, w := range weeks {
			if w.Week == k {
				got = append(got, fmt.Sprintf("%d|%d|%d", w.ResidualProbability, w.ResidualImpact, w.Count))
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if strings.Join(got, " ") != strings.Join(want, " ") || len(want) == 0 {
			t.Fatalf("week %d (%s): %v, want %v", k, at.Format(time.DateOnly), got, want)
		}
	}
	days := []time.Time{time.Now().UTC()}
	for d := -1; d <= 9; d++ {
		days = append(days, day(d))
	}
	for _, d := range days {
		at := risk.EndOfDay(d)
		regs, err := f.Risks.RegistersAsOf(ctx, a.OrgID, d)
		if err != nil {
			t.Fatal(err)
		}
		valid := func(cond string) string {
			return `FROM risk_versions v WHERE v.organization_id = '` + a.OrgID + `' AND v.valid_from < '` + at.Format(time.RFC3339) +
				`' AND v.valid_to >= '` + at.Format(time.RFC3339) + `' AND ` + cond
		}
		// Totals: from the deltas (countable) or the versions (a category).
		for _, tc := range []struct {
			q    risk.ListQuery
			cond string
		}{
			{risk.ListQuery{}, "v.status <> 'archived'"},
			{risk.ListQuery{IncludeArchived: true}, "true"},
			{risk.ListQuery{Status: "closed"}, "v.status = 'closed'"},
			{risk.ListQuery{RegisterID: reg.ID}, "v.status <> 'archived' AND v.register_id = '" + reg.ID + "'"},
			{risk.ListQuery{ResidualProbability: &risk.Range{Lo: 2, Hi: 8}}, "v.status <> 'archived' AND v.residual_probability BETWEEN 2 AND 8"},
			{risk.ListQuery{Category: "people"}, "v.status <> 'archived' AND v.category = 'people'"},
			// Overdue as judged on that day, from risk_due_deltas.
			{risk.ListQuery{Overdue: true}, "v.status IN ('open', 'pending') AND v.due_date < '" + d.Format(time.DateOnly) + "'"},
			{risk.ListQuery{Overdue: true, RegisterID: reg.ID}, "v.status IN ('open', 'pending') AND v.register_id = '" + reg.ID + "' AND v.due_date < '" + d.Format(time.DateOnly) + "'"},
			{risk.ListQuery{ReviewOverdue: true}, "v.status IN ('open', 'pending') AND v.next_review_date < '" + d.Format(time.DateOnly) + "'"},
			{risk.ListQuery{Overdue: true, Status: "pending"}, "v.status = 'pending' AND v.due_date < '" + d.Format(time.DateOnly) + "'"},
		} {
			want := f.count(t, "SELECT count(*) "+valid(tc.cond))
			tc.q.Page, tc.q.PerPage, tc.q.Sort, tc.q.Desc, tc.q.Today = 1, 4, risk.DefaultSort, true, d.Truncate(24*time.Hour)
			page, err := store.ListAsOf(ctx, a.OrgID, tc.q, at, regs)
			if err != nil || page.Total != want || page.Estimated {
				t.Fatalf("%s: total of %s: %d (estimated %v), %v; want %d", d.Format(time.DateOnly), tc.cond, page.Total, page.Estimated, err, want)
			}
			// The page: the latest versions first, then by number.
			var ids []string
			if err := f.DB.NewRaw("SELECT v.risk_id "+valid(tc.cond)+" ORDER BY v.valid_from DESC, v.number DESC LIMIT 4").Scan(ctx, &ids); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range page.Risks {
				got = append(got, r.ID)
			}
			if strings.Join(got, ",") != strings.Join(ids, ",") {
				t.Fatalf("%s: page of %s: %v, want %v", d.Format(time.DateOnly), tc.cond, got, ids)
			}
		}
		// Heat-map cells and levels of the default register, both kinds.
		for _, residual := range []bool{false, true} {
			p, i := "v.probability", "v.impact"
			if residual {
				p, i = "v.residual_probability", "v.residual_impact"
			}
			var want []string
			if err := f.DB.NewRaw("SELECT concat_ws('|', "+p+", "+i+", count(*)) "+valid("v.status <> 'archived' AND v.register_id = '"+reg.ID+"'")+
				" GROUP BY "+p+", "+i).Scan(ctx, &want); err != nil {
				t.Fatal(err)
			}
			slices.Sort(want)
			vc, err := store.ValueCountsAsOf(ctx, a.OrgID, risk.ListQuery{RegisterID: reg.ID}, at, regs, residual)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range vc {
				if c.Count != 0 {
					got = append(got, fmt.Sprintf("%d|%d|%d", c.Probability, c.Impact, c.Count))
				}
			}
			slices.Sort(got)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("%s residual=%v: cells %v, want %v", d.Format(time.DateOnly), residual, got, want)
			}
		}
		// Level filters: the total from the deltas, the page's keys from the
		// levelled versions, each risk's level by the matrix then.
		var levelled *risk.Register
		for _, r := range regs {
			if r.ID == reg.ID {
				levelled = r
			}
		}
		if levelled == nil { // before the organization existed
			continue
		}
		atOrAbove := 0 // residual risks at the levels seen so far, from the top
		for level := len(levelled.Matrix.Levels) - 1; level >= 0; level-- {
			for _, residual := range []bool{false, true} {
				q := risk.ListQuery{RegisterID: reg.ID, Page: 1, PerPage: 50, Sort: "residual", Desc: true}
				if residual {
					q.ResidualLevel = &level
				} else {
					q.InherentLevel = &level
				}
				page, err := store.ListAsOf(ctx, a.OrgID, q, at, regs)
				if err != nil || page.Total != len(page.Risks) {
					t.Fatalf("%s: level %d (residual %v): total %d, %d risks, %v", d.Format(time.DateOnly), level, residual, page.Total, len(page.Risks), err)
				}
				if residual { // the dashboard's "outside appetite": this level or above
					atOrAbove += page.Total
					q := risk.ListQuery{RegisterID: reg.ID, MinResidualLevel: &level}
					if above, err := store.ListAsOf(ctx, a.OrgID, q, at, regs); err != nil || above.Total != atOrAbove {
						t.Fatalf("%s: residual level %d or above: %d, %v; want %d", d.Format(time.DateOnly), level, above.Total, err, atOrAbove)
					}
				}
				for _, r := range page.Risks {
					p, i, got := r.Probability, r.Impact, r.InherentLevel
					if residual {
						p, i, got = r.ResidualProbability, r.ResidualImpact, r.ResidualLevel
					}
					if l := levelled.Matrix.LevelIndexOf(p, i); l == nil || *l != level || got == nil || *got != level {
						t.Fatalf("%s: level %d (residual %v) gave %s (%d×%d) at level %v, by the matrix then %v", d.Format(time.DateOnly), level, residual, r.Identifier(), p, i, got, l)
					}
				}
			}
		}
	}
}
