package db_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
)

func targets(rs ...*risk.Risk) []risk.BulkTarget {
	out := make([]risk.BulkTarget, len(rs))
	for i, r := range rs {
		out[i] = risk.BulkTarget{Key: r.ID, Ref: r.ID, Version: r.Version}
	}
	return out
}

// state is what a bulk edit may change, to prove nothing was written.
func (f *fixture) state(t *testing.T, orgID string) string {
	t.Helper()
	var s string
	if err := f.DB.QueryRowContext(context.Background(), `SELECT coalesce(string_agg(id || ':' || version || ':' || status || ':' || array_to_string(tags, ','), ' ' ORDER BY number), '')
		|| ' events=' || (SELECT count(*) FROM events WHERE organization_id = ?)
		FROM risks WHERE organization_id = ?`, orgID, orgID).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBulkCloseRecordsEachRisksHistory(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r1 := f.create(t, a, risk.Input{Title: "One", Tags: []string{"keep", "old"}})
	r2 := f.create(t, a, risk.Input{Title: "Two"})
	r3 := f.create(t, a, risk.Input{Title: "Three"})
	due := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	ch := risk.BulkChange{Status: risk.StatusClosed, ClosureReason: "mitigated", AddTags: []string{"Audit"}, RemoveTags: []string{"old"},
		SetDueDate: true, DueDate: &due}
	res, err := f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Targets: targets(r1, r2)}, ch)
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 2 || res.Unchanged != 0 || len(res.Items) != 2 || res.Items[0].Version != 2 {
		t.Fatalf("result %+v", res)
	}
	for _, r := range []*risk.Risk{r1, r2} {
		got, err := f.Risks.Get(ctx, a.OrgID, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != risk.StatusClosed || got.ClosureReason != "mitigated" || got.ClosedAt == nil || got.Version != 2 ||
			got.DueDate == nil || !got.DueDate.Equal(due) || !slices.Contains(got.Tags, "audit") || slices.Contains(got.Tags, "old") {
			t.Errorf("%s after bulk close: %+v", got.Identifier(), got)
		}
		evs, err := f.Events.ForEntity(ctx, a.OrgID, audit.EntityRisk, r.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || evs[0].Action != audit.ActionUpdated || !hasChange(evs[0].Changes, "status", "open", "closed") ||
			!hasChange(evs[0].Changes, "closure_reason", "", "mitigated") {
			t.Errorf("%s history: %+v", r.Identifier(), evs)
		}
	}
	if got, _ := f.Risks.Get(ctx, a.OrgID, r3.ID); got.Version != 1 {
		t.Errorf("an unselected risk changed: version %d", got.Version)
	}
	// Applying the same change again changes nothing and writes no event.
	again, err := f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Targets: []risk.BulkTarget{{Key: r1.ID}, {Key: "RSK-00002"}}}, ch)
	if err != nil || again.Unchanged != 2 || again.Updated != 0 {
		t.Fatalf("repeat: %+v %v", again, err)
	}
	if n := f.count(t, "SELECT count(*) FROM events WHERE entity_id = ?", r1.ID); n != 2 {
		t.Errorf("events after a no-op bulk edit: %d", n)
	}
}

func hasChange(cs []audit.Change, field, old, new string) bool {
	for _, c := range cs {
		if c.Field == field && c.Old == old && c.New == new {
			return true
		}
	}
	return false
}

func hasChangeTo(cs []audit.Change, field, new string) bool {
	for _, c := range cs {
		if c.Field == field && c.New == new {
			return true
		}
	}
	return false
}

// One stale, missing, other-tenant or invalid risk refuses the whole edit
// and writes nothing, naming the offending risks.
func TestBulkIsAllOrNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := f.tenant(t, "Alpha"), f.tenant(t, "Beta")
	r1 := f.create(t, a, risk.Input{Title: "One"})
	r2 := f.create(t, a, risk.Input{Title: "Two"})
	full := make([]string, risk.MaxTags)
	for i := range full {
		full[i] = fmt.Sprintf("t%d", i)
	}
	r3 := f.create(t, a, risk.Input{Title: "Full of tags", Tags: full})
	other := f.create(t, b, risk.Input{Title: "Beta's"})
	// r2 changes after "the page loaded".
	in := risk.InputOf(r2)
	in.Title = "Two, edited"
	if _, err := f.Risks.Update(ctx, a.OrgID, a.Actor, r2.ID, r2.Version, in); err != nil {
		t.Fatal(err)
	}
	before := f.state(t, a.OrgID)
	cases := []struct {
		name    string
		targets []risk.BulkTarget
		change  risk.BulkChange
		code    apperr.Code
		item    string
	}{
		{"stale", targets(r1, r2), risk.BulkChange{Status: risk.StatusPending}, apperr.PreconditionFailed, "RSK-00002"},
		{"other tenant", append(targets(r1), risk.BulkTarget{Key: other.ID, Ref: other.ID}), risk.BulkChange{Status: risk.StatusPending}, apperr.NotFound, other.ID},
		{"missing", append(targets(r1), risk.BulkTarget{Key: "RSK-00999", Ref: "RSK-00999"}), risk.BulkChange{Status: risk.StatusPending}, apperr.NotFound, "RSK-00999"},
		{"invalid", []risk.BulkTarget{{Key: r1.ID}, {Key: r3.ID}}, risk.BulkChange{AddTags: []string{"one-too-many"}}, apperr.Invalid, "RSK-00003"},
	}
	for _, tc := range cases {
		_, err := f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Targets: tc.targets}, tc.change)
		e, ok := apperr.As(err)
		if !ok || e.Code != tc.code || len(e.Items) != 1 || (e.Items[0].Label != tc.item && e.Items[0].Ref != tc.item) {
			t.Errorf("%s: %v %+v, want %s naming %s", tc.name, err, e, tc.code, tc.item)
			continue
		}
		if !strings.Contains(e.Message, "Nothing was changed") {
			t.Errorf("%s: message %q", tc.name, e.Message)
		}
		if got := f.state(t, a.OrgID); got != before {
			t.Errorf("%s wrote:\n%s\nwant\n%s", tc.name, got, before)
		}
	}
	if got, _ := f.Risks.Get(ctx, b.OrgID, other.ID); got.Version != 1 {
		t.Error("another organization's risk changed")
	}
}

func TestBulkChangeValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r1 := f.create(t, a, risk.Input{Title: "One"})
	nobody := "mem_nobody"
	for _, tc := range []struct {
		change risk.BulkChange
		field  string
	}{
		{risk.BulkChange{}, "changes"},
		{risk.BulkChange{Status: risk.StatusClosed}, "closureReason"},
		{risk.BulkChange{Status: risk.StatusOpen, ClosureReason: "mitigated"}, "closureReason"},
		{risk.BulkChange{Status: "done"}, "status"},
		{risk.BulkChange{Delete: true, Status: risk.StatusOpen}, "delete"},
		{risk.BulkChange{AddTags: []string{"a"}, RemoveTags: []string{"A"}}, "removeTags"},
		{risk.BulkChange{RegisterID: "reg_nope"}, "registerId"},
		{risk.BulkChange{AssigneeID: &nobody}, "assigneeId"},
	} {
		_, err := f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Targets: targets(r1)}, tc.change)
		if e, ok := apperr.As(err); !ok || e.Code != apperr.Invalid || !e.Fields.Has(tc.field) {
			t.Errorf("%+v: %v, want Invalid on %s", tc.change, err, tc.field)
		}
	}
	many := make([]risk.BulkTarget, risk.MaxBulk+1)
	for i := range many {
		many[i] = risk.BulkTarget{Key: fmt.Sprintf("RSK-%05d", i+1)}
	}
	for _, sel := range [][]risk.BulkTarget{nil, many} {
		_, err := f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Targets: sel}, risk.BulkChange{Status: risk.StatusPending})
		if e, ok := apperr.As(err); !ok || !e.Fields.Has("riskIds") {
			t.Errorf("%d targets: %v, want Invalid on riskIds", len(sel), err)
		}
	}
}

func TestBulkAssignMoveAndDelete(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r1 := f.create(t, a, risk.Input{Title: "One", Probability: 9, Impact: 9})
	r2 := f.create(t, a, risk.Input{Title: "Two"})
	reg, err := f.Risks.CreateRegister(ctx, a.OrgID, a.Actor, risk.RegisterInput{Name: "Projects", Matrix: risk.DefaultMatrix()})
	if err != nil {
		t.Fatal(err)
	}
	owner := a.Actor.MemberID
	res, err := f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Targets: []risk.BulkTarget{{Key: "rsk-00001"}, {Key: r1.ID}, {Key: r2.ID}}},
		risk.BulkChange{AssigneeID: &owner, RegisterID: reg.ID})
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 2 || len(res.Items) != 2 {
		t.Fatalf("duplicates must be changed once: %+v", res)
	}
	got, _ := f.Risks.Get(ctx, a.OrgID, r1.ID)
	if got.RegisterID != reg.ID || got.AssigneeID != owner || got.Assignee == nil || got.InherentLevel == nil {
		t.Errorf("after assign and move: %+v", got)
	}
	evs, _ := f.Events.ForEntity(ctx, a.OrgID, audit.EntityRisk, r1.ID, 1)
	if !hasChangeTo(evs[0].Changes, "register", "Projects") || !hasChange(evs[0].Changes, "assignee", "", a.Actor.Name) {
		t.Errorf("history: %+v", evs[0].Changes)
	}
	unassign := ""
	if _, err := f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Targets: []risk.BulkTarget{{Key: r1.ID}}}, risk.BulkChange{AssigneeID: &unassign}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Risks.Get(ctx, a.OrgID, r1.ID); got.AssigneeID != "" {
		t.Errorf("unassign: %q", got.AssigneeID)
	}
	res, err = f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Targets: []risk.BulkTarget{{Key: r1.ID}, {Key: r2.ID}}}, risk.BulkChange{Delete: true})
	if err != nil || res.Deleted != 2 {
		t.Fatalf("delete: %+v %v", res, err)
	}
	if n := f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ?", a.OrgID); n != 0 {
		t.Errorf("%d risks left", n)
	}
	evs, _ = f.Events.ForEntity(ctx, a.OrgID, audit.EntityRisk, r2.ID, 1)
	if evs[0].Action != audit.ActionDeleted || evs[0].Snapshot["title"] != "Two" {
		t.Errorf("delete event: %+v", evs[0])
	}
}

// "All matching" edits the risks matching the filter only while they are
// the set the page showed: same count, same latest update.
func TestBulkAllMatchingRefusesAChangedSet(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	f.create(t, a, risk.Input{Title: "Tech one", Category: "technology"})
	r2 := f.create(t, a, risk.Input{Title: "Tech two", Category: "technology"})
	f.create(t, a, risk.Input{Title: "People", Category: "people"})
	q := risk.ListQuery{Category: "technology"}
	stamp, err := f.Risks.MatchStamp(ctx, a.OrgID, q, 2)
	if err != nil || stamp.Count != 2 || stamp.LastUpdated.IsZero() {
		t.Fatalf("stamp %+v %v", stamp, err)
	}
	// Above MaxBulk the page's total says enough: the stamp is not counted,
	// and an edit of all matching with it is refused.
	if big, err := f.Risks.MatchStamp(ctx, a.OrgID, q, risk.MaxBulk+5); err != nil || big.Count != risk.MaxBulk+1 {
		t.Fatalf("stamp of a set above MaxBulk: %+v %v", big, err)
	} else if _, err := f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Query: &q, Expect: big}, risk.BulkChange{Status: risk.StatusArchived}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("all matching above MaxBulk: %v, want Invalid", err)
	}
	// Someone edits a matching risk: refused, nothing written.
	in := risk.InputOf(r2)
	in.Title = "Tech two, edited"
	if _, err := f.Risks.Update(ctx, a.OrgID, a.Actor, r2.ID, r2.Version, in); err != nil {
		t.Fatal(err)
	}
	before := f.state(t, a.OrgID)
	_, err = f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Query: &q, Expect: stamp}, risk.BulkChange{Status: risk.StatusArchived})
	if !apperr.Is(err, apperr.PreconditionFailed) {
		t.Fatalf("stale set: %v, want PreconditionFailed", err)
	}
	if f.state(t, a.OrgID) != before {
		t.Fatal("a refused all-matching edit wrote")
	}
	// With the current stamp it archives exactly the matching risks.
	stamp, _ = f.Risks.MatchStamp(ctx, a.OrgID, q, 2)
	res, err := f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Query: &q, Expect: stamp}, risk.BulkChange{Status: risk.StatusArchived})
	if err != nil || res.Updated != 2 {
		t.Fatalf("all matching: %+v %v", res, err)
	}
	if n := f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ? AND status = 'archived'", a.OrgID); n != 2 {
		t.Errorf("archived %d", n)
	}
}

// BenchmarkBulkUpdate1000 changes the status of 1,000 risks (each with its
// version) in one bulk edit: lock, validate, one UPDATE … FROM (VALUES …)
// and one multi-row event insert. It reports allocations; it asserts no
// time.
func BenchmarkBulkUpdate1000(b *testing.B) {
	const n = risk.MaxBulk
	f := newFixture(b)
	ctx := context.Background()
	tn := f.tenant(b, "Bench")
	reg, err := f.Risks.Registers.DefaultRegister(ctx, tn.OrgID)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.BulkInsertRisks(ctx, f.DB, reg, tn.Actor.MemberID, tn.Actor.Name, n); err != nil {
		b.Fatal(err)
	}
	page, err := f.Risks.List(ctx, tn.OrgID, risk.ListQuery{IncludeArchived: true, Sort: "identifier", Page: 1, PerPage: n})
	if err != nil || len(page.Risks) != n {
		b.Fatalf("%d risks, %v", len(page.Risks), err)
	}
	sel := make([]risk.BulkTarget, n)
	for i, r := range page.Risks {
		sel[i] = risk.BulkTarget{Key: r.Identifier(), Version: r.Version}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		status := risk.StatusPending
		if i%2 == 1 {
			status = risk.StatusOpen
		}
		res, err := f.Risks.Bulk(ctx, tn.OrgID, tn.Actor, risk.BulkSelection{Targets: sel}, risk.BulkChange{Status: status, AddTags: []string{fmt.Sprintf("run-%d", i%2)}})
		if err != nil {
			b.Fatal(err)
		}
		for j, it := range res.Items {
			sel[j].Version = it.Version
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "risks/s")
}

// Two bulk edits of overlapping sets at once: both carrying the same
// versions, exactly one wins and the other is refused whole; without
// versions both apply (rows are locked in number order: no deadlock).
func TestBulkConcurrentOverlappingEdits(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	var rs []*risk.Risk
	for i := range 6 {
		rs = append(rs, f.create(t, a, risk.Input{Title: fmt.Sprintf("Risk %d", i)}))
	}
	run := func(sels ...[]risk.BulkTarget) []error {
		errs := make([]error, len(sels))
		var wg sync.WaitGroup
		for i, sel := range sels {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Targets: sel}, risk.BulkChange{AddTags: []string{fmt.Sprintf("edit-%d", i)}})
			}()
		}
		wg.Wait()
		return errs
	}
	// Reversed order in the second request: the store still locks by number.
	first := targets(rs[0], rs[1], rs[2], rs[3])
	second := targets(rs[5], rs[4], rs[3], rs[2])
	errs := run(first, second)
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !apperr.Is(err, apperr.PreconditionFailed):
			t.Errorf("loser: %v, want PreconditionFailed", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of two stale-checked overlapping edits won, want 1: %v", ok, errs)
	}
	for i := range first {
		first[i].Version, second[i].Version = 0, 0
	}
	for _, err := range run(first, second) {
		if err != nil {
			t.Errorf("unversioned concurrent edit: %v", err)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ? AND tags @> ARRAY['edit-0','edit-1']", a.OrgID); n != 2 {
		t.Errorf("%d risks carry both edits, want the 2 in both sets", n)
	}
}

// A bulk delete keeps each risk's treatment and tasks in its delete
// record, as a single delete does, so a restore brings the risk back whole.
func TestBulkDeleteThenRestoreKeepsThePlan(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r := f.create(t, a, risk.Input{Title: "Planned"})
	if _, err := f.Risks.SetTreatment(ctx, a.OrgID, a.Actor, r.ID, risk.TreatmentInput{Type: "mitigate", Description: "Patch monthly"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Risks.AddTask(ctx, a.OrgID, a.Actor, r.ID, risk.TaskInput{Title: "Schedule the window"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Risks.Bulk(ctx, a.OrgID, a.Actor, risk.BulkSelection{Targets: []risk.BulkTarget{{Key: r.ID}}}, risk.BulkChange{Delete: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Risks.Restore(ctx, a.OrgID, a.Actor, r.ID); err != nil {
		t.Fatal(err)
	}
	tr, err := f.Risks.Treatment(ctx, a.OrgID, r.ID)
	if err != nil || tr == nil || tr.Description != "Patch monthly" {
		t.Errorf("treatment after restore: %+v %v", tr, err)
	}
	tasks, err := f.Risks.Tasks(ctx, a.OrgID, r.ID)
	if err != nil || len(tasks) != 1 || tasks[0].Title != "Schedule the window" {
		t.Errorf("tasks after restore: %+v %v", tasks, err)
	}
}

// The register computes the "all matching" stamp on every page a writer
// sees, so the store counts no further than the limit it is given.
func TestMatchStampStopsAtItsLimit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	for range 5 {
		f.create(t, a, risk.Input{Title: "Tech", Category: "technology"})
	}
	store := &db.RiskStore{DB: f.DB}
	q := risk.ListQuery{Category: "technology"}
	for limit, want := range map[int]int{3: 3, 5: 5, 6: 5} {
		if st, err := store.MatchStamp(ctx, a.OrgID, q, limit); err != nil || st.Count != want || st.LastUpdated.IsZero() {
			t.Errorf("limit %d: %+v %v, want count %d", limit, st, err, want)
		}
	}
}
