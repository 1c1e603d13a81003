package db_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/risk"
)

// importer returns the importer over the fixture's services.
func (f *fixture) importer() *risk.Importer {
	return &risk.Importer{Risks: f.Risks, Members: f.Accounts}
}

// importRows builds import rows from a header and records, numbered from
// spreadsheet row 2 as csvio.Read numbers them.
func importRows(header string, records ...string) []risk.ImportRow {
	cols := strings.Split(header, ",")
	rows := make([]risk.ImportRow, len(records))
	for i, rec := range records {
		fields := map[string]string{}
		for j, v := range strings.Split(rec, ",") {
			fields[cols[j]] = v
		}
		rows[i] = risk.ImportRow{Row: i + 2, Fields: fields}
	}
	return rows
}

// rowErrors returns "row column: message" for every error of the plan.
func rowErrors(p *risk.Plan) []string {
	var out []string
	for _, r := range p.Rows {
		for _, e := range r.Errors {
			out = append(out, fmt.Sprintf("%d %s: %s", e.Row, e.Column, e.Message))
		}
	}
	return out
}

// retitle changes a risk's title through the service, as another user
// would, and returns it at its new version.
func (f *fixture) retitle(t *testing.T, tn tenant, r *risk.Risk, title string) *risk.Risk {
	t.Helper()
	in := risk.InputOf(r)
	in.Title = title
	up, err := f.Risks.Update(context.Background(), tn.OrgID, tn.Actor, r.ID, r.Version, in)
	if err != nil {
		t.Fatal(err)
	}
	return up
}

const versionHeader = "identifier,title,description,category,version"

// TestImportRefusesStaleVersion: an update row whose version is not the
// risk's is a row error in the preview and at commit, which writes nothing;
// the current version updates.
func TestImportRefusesStaleVersion(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r := f.create(t, a, risk.Input{Title: "Exported"})
	r = f.retitle(t, a, r, "Changed after the export") // now version 2
	events := f.count(t, "SELECT count(*) FROM events")
	rows := importRows(versionHeader,
		r.Identifier()+",From the file,A description.,technology,1",
		",New risk,A description.,technology,")
	want := []string{"2 version: RSK-00001 changed since it was exported (version 1, now 2); export again"}

	plan, err := f.importer().PlanImport(ctx, a.OrgID, rows)
	if err != nil {
		t.Fatal(err)
	}
	if got := rowErrors(plan); !slices.Equal(got, want) || plan.Invalid != 1 {
		t.Fatalf("preview errors %q (invalid %d), want %q", got, plan.Invalid, want)
	}
	plan, err = f.importer().Commit(ctx, a.OrgID, a.Actor, rows)
	if !errors.Is(err, risk.ErrImportInvalid) || !slices.Equal(rowErrors(plan), want) {
		t.Fatalf("commit: %v %q, want ErrImportInvalid with %q", err, rowErrors(plan), want)
	}
	got, _ := f.Risks.Get(ctx, a.OrgID, r.ID)
	if got.Title != "Changed after the export" || got.Version != 2 {
		t.Errorf("stale row overwrote the risk: %q v%d", got.Title, got.Version)
	}
	if n := f.count(t, "SELECT count(*) FROM risks"); n != 1 {
		t.Errorf("%d risks, want the one (the create row of a refused file is not written)", n)
	}
	if n := f.count(t, "SELECT count(*) FROM events"); n != events {
		t.Errorf("%d events written", n-events)
	}

	// The current version applies; the create gets the next number, since
	// the refused file reserved none.
	rows = importRows(versionHeader,
		r.Identifier()+",From the file,A description.,technology,2",
		",New risk,A description.,technology,")
	plan, err = f.importer().Commit(ctx, a.OrgID, a.Actor, rows)
	if err != nil || plan.Updated != 1 || plan.Created != 1 {
		t.Fatalf("commit at the current version: %v %q", err, rowErrors(plan))
	}
	got, _ = f.Risks.Get(ctx, a.OrgID, r.ID)
	if got.Title != "From the file" || got.Version != 3 {
		t.Errorf("updated risk %q v%d, want %q v3", got.Title, got.Version, "From the file")
	}
	if _, err := f.Risks.Get(ctx, a.OrgID, "RSK-00002"); err != nil {
		t.Errorf("the created risk is not RSK-00002: %v", err)
	}
}

// TestImportWithoutVersionUpdates: without a version column, or with an
// empty cell, an update applies whatever the risk's version, as before the
// column existed; a create row's version is not checked against anything.
func TestImportWithoutVersionUpdates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r1 := f.retitle(t, a, f.create(t, a, risk.Input{Title: "One"}), "One changed")
	r2 := f.retitle(t, a, f.create(t, a, risk.Input{Title: "Two"}), "Two changed")
	for _, tc := range []struct {
		name string
		rows []risk.ImportRow
	}{
		{"no version column", importRows("identifier,title,description,category", r1.Identifier()+",One imported,A description.,technology")},
		{"empty version", importRows(versionHeader,
			r2.Identifier()+",Two imported,A description.,technology,",
			",Created,A description.,technology,7")},
	} {
		plan, err := f.importer().Commit(ctx, a.OrgID, a.Actor, tc.rows)
		if err != nil || plan.Updated != 1 {
			t.Errorf("%s: %v, %d updated, errors %q", tc.name, err, plan.Updated, rowErrors(plan))
		}
	}
	for id, want := range map[string]string{r1.ID: "One imported", r2.ID: "Two imported"} {
		if got, _ := f.Risks.Get(ctx, a.OrgID, id); got.Title != want || got.Version != 3 {
			t.Errorf("%s: %q v%d, want %q v3", id, got.Title, got.Version, want)
		}
	}
	if got, err := f.Risks.Get(ctx, a.OrgID, "RSK-00003"); err != nil || got.Title != "Created" || got.Version != 1 {
		t.Errorf("created risk: %v %+v", err, got)
	}
}

// TestImportMalformedVersion: a version cell that is not a whole number
// from 1 is a row error, on update and create rows alike.
func TestImportMalformedVersion(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r := f.create(t, a, risk.Input{Title: "Exported"})
	for _, v := range []string{"abc", "0", "-1", "1.5", "v1", "99999999999999999999"} {
		for _, ident := range []string{r.Identifier(), ""} {
			rows := importRows(versionHeader, ident+",From the file,A description.,technology,"+v)
			plan, err := f.importer().Commit(ctx, a.OrgID, a.Actor, rows)
			got := rowErrors(plan)
			if !errors.Is(err, risk.ErrImportInvalid) || len(got) != 1 || !strings.HasPrefix(got[0], "2 version: Must be the risk's version") {
				t.Errorf("version %q (identifier %q): %v %q", v, ident, err, got)
			}
		}
	}
	if n := f.count(t, "SELECT count(*) FROM risks"); n != 1 {
		t.Errorf("%d risks", n)
	}
	if got, _ := f.Risks.Get(ctx, a.OrgID, r.ID); got.Version != 1 {
		t.Errorf("risk written: v%d", got.Version)
	}
}

// TestImportRechecksVersionsUnderLock: a risk changed after the plan was
// checked but before the commit locked it is a row error, not overwritten;
// and while the commit waits for that risk, the organization's other
// writers are not blocked by it (its numbers were reserved up front).
func TestImportRechecksVersionsUnderLock(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r := f.create(t, a, risk.Input{Title: "Exported"})
	rows := importRows(versionHeader,
		",New risk,A description.,technology,",
		r.Identifier()+",From the file,A description.,technology,1")
	if plan, err := f.importer().PlanImport(ctx, a.OrgID, rows); err != nil || plan.Invalid != 0 {
		t.Fatalf("preview: %v %q", err, rowErrors(plan))
	}

	// Another transaction holds the risk, so the commit's plan passes and
	// its locking read waits.
	tx, err := f.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT 1 FROM risks WHERE id = ? FOR UPDATE", r.ID); err != nil {
		t.Fatal(err)
	}
	type result struct {
		plan *risk.Plan
		err  error
	}
	done := make(chan result, 1)
	go func() {
		plan, err := f.importer().Commit(ctx, a.OrgID, a.Actor, rows)
		done <- result{plan, err}
	}()
	waitForLockWait(t, f)

	// Creating a risk in the organization does not wait for the import.
	quick, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := f.Risks.Create(quick, a.OrgID, a.Actor, risk.Input{Title: "Meanwhile", Description: "d", Category: "other"}); err != nil {
		t.Errorf("a create during the import: %v (the import holds the organization)", err)
	}

	if _, err := tx.ExecContext(ctx, "UPDATE risks SET title = 'Changed meanwhile', version = version + 1 WHERE id = ?", r.ID); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	res := <-done
	want := []string{"3 version: RSK-00001 changed since it was exported (version 1, now 2); export again"}
	if !errors.Is(res.err, risk.ErrImportInvalid) || res.plan == nil || !slices.Equal(rowErrors(res.plan), want) {
		var got []string
		if res.plan != nil {
			got = rowErrors(res.plan)
		}
		t.Fatalf("commit: %v %q, want ErrImportInvalid with %q", res.err, got, want)
	}
	got, _ := f.Risks.Get(ctx, a.OrgID, r.ID)
	if got.Title != "Changed meanwhile" || got.Version != 2 {
		t.Errorf("the concurrent change was overwritten: %q v%d", got.Title, got.Version)
	}
	if n := f.count(t, "SELECT count(*) FROM risks WHERE title = 'New risk'"); n != 0 {
		t.Errorf("the refused import created %d risks", n)
	}
}

// waitForLockWait waits until a session of the test's database waits for
// a row lock.
func waitForLockWait(t *testing.T, f *fixture) {
	t.Helper()
	for range 500 {
		if f.count(t, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the commit never waited for the locked risk")
}

// queryCounter is a bun.QueryHook counting the statements sent.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (c *queryCounter) AfterQuery(context.Context, *bun.QueryEvent) { c.n.Add(1) }

// count returns how many statements fn sent.
func (c *queryCounter) count(fn func()) int64 {
	before := c.n.Load()
	fn()
	return c.n.Load() - before
}

// TestImportBatchesQueries: previewing and committing a file sends as
// many statements for 60 rows as for 6: identifiers, members and
// registers are looked up once per file, not once per row, and writes go
// in multi-row statements.
func TestImportBatchesQueries(t *testing.T) {
	counter := &queryCounter{}
	f := newFixture(t, counter)
	ctx := context.Background()
	var plans, commits []int64
	for _, n := range []int{6, 60} {
		name := fmt.Sprintf("Org %d", n)
		tn := f.tenant(t, name)
		emails := []string{strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@example.com"}
		for j := range 2 {
			email := fmt.Sprintf("member%d.%d@example.com", j, n)
			if _, _, err := f.Accounts.CreateUser(ctx, account.NewUserInput{Organization: name, Name: email,
				Email: email, Password: "long enough password", Role: account.RoleEditor}); err != nil {
				t.Fatal(err)
			}
			emails = append(emails, email)
		}
		var records []string
		for i := range n {
			ident, version := "", ""
			if i%2 == 0 { // half the rows update an existing risk
				r := f.create(t, tn, risk.Input{Title: fmt.Sprintf("Risk %d", i)})
				ident, version = r.Identifier(), "1"
			}
			records = append(records, fmt.Sprintf("%s,Imported %d,A description.,technology,%s,%s", ident, i, emails[i%len(emails)], version))
		}
		rows := importRows("identifier,title,description,category,assignee_email,version", records...)
		var plan *risk.Plan
		var err error
		plans = append(plans, counter.count(func() { plan, err = f.importer().PlanImport(ctx, tn.OrgID, rows) }))
		if err != nil || plan.Invalid != 0 || plan.Created != n/2 || plan.Updated != n/2 {
			t.Fatalf("%d rows: plan %v %q", n, err, rowErrors(plan))
		}
		commits = append(commits, counter.count(func() { plan, err = f.importer().Commit(ctx, tn.OrgID, tn.Actor, rows) }))
		if err != nil || plan.Created != n/2 || plan.Updated != n/2 {
			t.Fatalf("%d rows: commit %v", n, err)
		}
		if got := f.count(t, "SELECT count(*) FROM risks WHERE organization_id = ? AND assignee_id IS NOT NULL AND title LIKE 'Imported %'", tn.OrgID); got != n {
			t.Fatalf("%d rows: %d imported risks with their assignee", n, got)
		}
	}
	t.Logf("statements for 6 and 60 rows: preview %v, commit %v", plans, commits)
	if plans[0] != plans[1] || plans[1] > 3 {
		t.Errorf("a preview sends %v statements for 6 and 60 rows, want the same, at most 3", plans)
	}
	if commits[0] != commits[1] {
		t.Errorf("a commit sends %v statements for 6 and 60 rows, want the same", commits)
	}
}
