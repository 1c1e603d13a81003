package db_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type fixture struct {
	DB       *bun.DB // as the app's role
	Name     string  // the database's name
	Accounts *account.Service
	Risks    *risk.Service
	Events   *db.EventStore
}

// newFixture builds the services over a fresh database; hooks see every query.
func newFixture(t testing.TB, hooks ...bun.QueryHook) *fixture {
	bdb, name := dbtest.NewDB(t)
	for _, h := range hooks {
		bdb = bdb.WithQueryHook(h)
	}
	tx := db.Tx{DB: bdb}
	regs := &db.RegisterStore{DB: bdb}
	ev := &db.EventStore{DB: bdb}
	return &fixture{
		DB: bdb, Name: name,
		Accounts: &account.Service{Store: &db.AccountStore{DB: bdb}, Registers: regs, Tx: tx, NewID: db.NewID, Now: time.Now,
			Attempts: &db.LoginAttemptStore{DB: bdb}, IdleTimeout: time.Hour, MaxLifetime: 12 * time.Hour},
		Risks: &risk.Service{Risks: &db.RiskStore{DB: bdb}, Registers: regs, Plans: &db.PlanStore{DB: bdb},
			Prefs: &db.PreferenceStore{DB: bdb}, Events: ev, Past: &db.HistoryStore{DB: bdb}, TrendCache: &risk.TrendCache{}, Tx: tx, NewID: db.NewID, Now: time.Now},
		Events: ev,
	}
}

// tenant is an organization with its owner as the actor.
type tenant struct {
	OrgID string
	Actor audit.Actor
}

func (f *fixture) tenant(t testing.TB, name string) tenant {
	t.Helper()
	ctx := context.Background()
	email := strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@example.com"
	_, org, err := f.Accounts.CreateUser(ctx, account.NewUserInput{Organization: name, Name: name + " Owner", Email: email, Password: "long enough password", Role: account.RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := f.Accounts.Members(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return tenant{OrgID: org.ID, Actor: audit.Actor{MemberID: ms[0].ID, Name: ms[0].Name}}
}

func (f *fixture) create(t *testing.T, tn tenant, in risk.Input) *risk.Risk {
	t.Helper()
	if in.Description == "" {
		in.Description = "A description."
	}
	if in.Category == "" {
		in.Category = "technology"
	}
	r, err := f.Risks.Create(context.Background(), tn.OrgID, tn.Actor, in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.DB.QueryRowContext(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateNumbersAndLevels(t *testing.T) {
	f := newFixture(t)
	a, b := f.tenant(t, "Alpha"), f.tenant(t, "Beta")
	r1 := f.create(t, a, risk.Input{Title: "One", Probability: 7, Impact: 8})
	r2 := f.create(t, a, risk.Input{Title: "Two"})
	rb := f.create(t, b, risk.Input{Title: "Other org"})
	if r1.Identifier() != "RSK-00001" || r2.Identifier() != "RSK-00002" || rb.Identifier() != "RSK-00001" {
		t.Fatalf("numbers: %s %s %s, want per-organization sequences", r1.Identifier(), r2.Identifier(), rb.Identifier())
	}
	got, err := f.Risks.Get(context.Background(), a.OrgID, "RSK-00001")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != r1.ID || got.InherentLevel == nil || *got.InherentLevel != 2 || got.ResidualLevel != nil {
		t.Fatalf("stored levels: inherent %v residual %v, want High (2) and none", got.InherentLevel, got.ResidualLevel)
	}
	if _, err := f.Risks.Get(context.Background(), b.OrgID, r1.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another organization's risk by id: %v, want NotFound", err)
	}
}

func TestEveryChangeWritesOneEvent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r := f.create(t, a, risk.Input{Title: "Before"})
	in := risk.InputOf(r)
	in.Title, in.Status = "After", risk.StatusClosed
	in.ClosureReason = "mitigated"
	up, err := f.Risks.Update(ctx, a.OrgID, a.Actor, r.ID, r.Version, in)
	if err != nil {
		t.Fatal(err)
	}
	if up.Version != 2 || up.ClosedAt == nil {
		t.Fatalf("version %d closedAt %v", up.Version, up.ClosedAt)
	}
	// An edit that changes nothing writes nothing.
	if _, err := f.Risks.Update(ctx, a.OrgID, a.Actor, r.ID, up.Version, in); err != nil {
		t.Fatal(err)
	}
	if err := f.Risks.Delete(ctx, a.OrgID, a.Actor, r.ID, up.Version); err != nil {
		t.Fatal(err)
	}
	evs, err := f.Events.ForEntity(ctx, a.OrgID, audit.EntityRisk, r.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || evs[2].Action != "created" || evs[1].Action != "updated" || evs[0].Action != "deleted" {
		t.Fatalf("events: %+v", evs)
	}
	changes := map[string]audit.Change{}
	for _, c := range evs[1].Changes {
		changes[c.Field] = c
	}
	if c := changes["title"]; c.Old != "Before" || c.New != "After" {
		t.Errorf("title change %+v", c)
	}
	if c := changes["status"]; c.Old != "open" || c.New != "closed" {
		t.Errorf("status change %+v", c)
	}
	if evs[0].Snapshot["title"] != "After" || evs[0].EntityLabel != "RSK-00001" || evs[0].Actor.Name != a.Actor.Name {
		t.Errorf("delete event keeps the last state: %+v", evs[0])
	}
	if n := f.count(t, "SELECT count(*) FROM risks"); n != 0 {
		t.Errorf("risks left: %d", n)
	}
}

// TestEventsAreAppendOnly: the triggers refuse even the owner of the schema
// (the app's role is refused before them: privileges_test.go).
func TestEventsAreAppendOnly(t *testing.T) {
	f := newFixture(t)
	a := f.tenant(t, "Alpha")
	f.create(t, a, risk.Input{Title: "x"})
	ctx := context.Background()
	owner := dbtest.OwnerDB(t, f.Name)
	for _, sql := range []string{"UPDATE events SET actor_name = 'forged'", "DELETE FROM events", "TRUNCATE events"} {
		_, err := owner.ExecContext(ctx, sql)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want refusal", sql, err)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM events WHERE actor_name = 'forged'"); n != 0 {
		t.Errorf("event rewritten")
	}
}

func TestFailedEventRollsBackTheChange(t *testing.T) {
	f := newFixture(t)
	a := f.tenant(t, "Alpha")
	// An actor that is not a member violates the events foreign key: the
	// risk insert in the same transaction must be rolled back with it.
	bad := audit.Actor{MemberID: "mem_does_not_exist", Name: "ghost"}
	_, err := f.Risks.Create(context.Background(), a.OrgID, bad, risk.Input{Title: "t", Description: "d", Category: "other"})
	if err == nil {
		t.Fatal("create with a broken event succeeded")
	}
	if n := f.count(t, "SELECT count(*) FROM risks"); n != 0 {
		t.Fatalf("risk written without its event: %d rows", n)
	}
}

func TestConcurrentEditsExactlyOneWins(t *testing.T) {
	f := newFixture(t)
	a := f.tenant(t, "Alpha")
	r := f.create(t, a, risk.Input{Title: "Start"})
	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := risk.InputOf(r)
			in.Title = fmt.Sprintf("Writer %d", i)
			_, errs[i] = f.Risks.Update(context.Background(), a.OrgID, a.Actor, r.ID, r.Version, in)
		}()
	}
	wg.Wait()
	ok, conflicts := 0, 0
	winner := ""
	for i, err := range errs {
		switch e, _ := apperr.As(err); {
		case err == nil:
			ok++
			winner = fmt.Sprintf("Writer %d", i)
		case e != nil && e.Code == apperr.Conflict && e.Version == r.Version+1 && len(e.Changes) > 0:
			conflicts++
		default:
			t.Errorf("writer %d: unexpected error %v", i, err)
		}
	}
	if ok != 1 || conflicts != writers-1 {
		t.Fatalf("%d succeeded and %d conflicted, want 1 and %d", ok, conflicts, writers-1)
	}
	got, _ := f.Risks.Get(context.Background(), a.OrgID, r.ID)
	if got.Title != winner || got.Version != 2 {
		t.Fatalf("stored %q v%d, want %q v2", got.Title, got.Version, winner)
	}
	if n := f.count(t, "SELECT count(*) FROM events WHERE action = 'updated'"); n != 1 {
		t.Fatalf("%d update events, want 1", n)
	}
}

func TestCrossOrganizationReferencesRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := f.tenant(t, "Alpha"), f.tenant(t, "Beta")
	// The service refuses an assignee of another organization...
	_, err := f.Risks.Create(ctx, a.OrgID, a.Actor, risk.Input{Title: "t", Description: "d", Category: "other", AssigneeID: b.Actor.MemberID})
	if e, ok := apperr.As(err); !ok || !e.Fields.Has("assigneeId") {
		t.Fatalf("cross-org assignee: %v", err)
	}
	// ...and so does the schema, whatever the application does.
	r := f.create(t, a, risk.Input{Title: "t"})
	_, err = f.DB.ExecContext(ctx, "UPDATE risks SET assignee_id = ? WHERE id = ?", b.Actor.MemberID, r.ID)
	if err == nil || !strings.Contains(err.Error(), "23503") {
		t.Fatalf("composite foreign key did not refuse a cross-organization assignee: %v", err)
	}
	var regB string
	if err := f.DB.QueryRowContext(ctx, "SELECT id FROM registers WHERE organization_id = ?", b.OrgID).Scan(&regB); err != nil {
		t.Fatal(err)
	}
	_, err = f.DB.ExecContext(ctx, "UPDATE risks SET register_id = ? WHERE id = ?", regB, r.ID)
	if err == nil {
		t.Fatal("a risk was moved into another organization's register")
	}
}

func TestListFiltersSearchAndSort(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := f.tenant(t, "Alpha"), f.tenant(t, "Beta")
	f.create(t, a, risk.Input{Title: "Server patching", Description: "Known vulnerability in the VPN", Category: "technology", Probability: 9, Impact: 9,
		Type: "vulnerability", ThreatObjectives: []string{"extortion", "sabotage"}})
	f.create(t, a, risk.Input{Title: "Carrier insolvency", Description: "Key supplier fails", Category: "vendor_management", Department: "admin", Probability: 3, Impact: 3, Tags: []string{"supplier"},
		Type: "third_party", ThreatObjectives: []string{"sabotage"}})
	f.create(t, a, risk.Input{Title: "Old policy", Description: "Archived one", Category: "governance", Status: risk.StatusArchived})
	f.create(t, b, risk.Input{Title: "Server vulnerability elsewhere", Description: "vulnerability", Category: "technology"})

	titles := func(q risk.ListQuery) []string {
		t.Helper()
		if q.PerPage == 0 {
			q.PerPage = 50
		}
		if q.Page == 0 {
			q.Page = 1
		}
		if q.Sort == "" {
			q.Sort = "title"
		}
		page, err := f.Risks.List(ctx, a.OrgID, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range page.Risks {
			out = append(out, r.Title)
		}
		if page.Total != len(out) && q.PerPage >= page.Total {
			t.Fatalf("total %d but %d rows", page.Total, len(out))
		}
		return out
	}
	critical, low := 3, 0
	cases := []struct {
		name string
		q    risk.ListQuery
		want string
	}{
		{"default hides archived", risk.ListQuery{}, "Carrier insolvency,Server patching"},
		{"archived included", risk.ListQuery{IncludeArchived: true}, "Carrier insolvency,Old policy,Server patching"},
		{"status archived", risk.ListQuery{Status: risk.StatusArchived}, "Old policy"},
		{"substring vuln", risk.ListQuery{Search: "vuln"}, "Server patching"},
		{"prefix words", risk.ListQuery{Search: "carr insol"}, "Carrier insolvency"},
		{"case-insensitive", risk.ListQuery{Search: "SERVER"}, "Server patching"},
		{"like wildcards are literal", risk.ListQuery{Search: "%"}, ""},
		{"category", risk.ListQuery{Category: "vendor_management"}, "Carrier insolvency"},
		{"department", risk.ListQuery{Department: "admin"}, "Carrier insolvency"},
		{"tag", risk.ListQuery{Tag: "supplier"}, "Carrier insolvency"},
		{"type", risk.ListQuery{Type: "vulnerability"}, "Server patching"},
		{"threat objective", risk.ListQuery{ThreatObjective: "sabotage"}, "Carrier insolvency,Server patching"},
		{"type and objective", risk.ListQuery{Type: "third_party", ThreatObjective: "extortion"}, ""},
		{"statuses", risk.ListQuery{Statuses: []string{risk.StatusOpen, risk.StatusArchived}}, "Carrier insolvency,Old policy,Server patching"},
		{"statuses archived only", risk.ListQuery{Statuses: []string{risk.StatusArchived, risk.StatusClosed}}, "Old policy"},
		{"inherent level", risk.ListQuery{InherentLevel: &critical}, "Server patching"},
		{"level low", risk.ListQuery{InherentLevel: &low}, "Carrier insolvency"},
		{"unassigned", risk.ListQuery{AssigneeID: risk.Unassigned}, "Carrier insolvency,Server patching"},
		{"sort by inherent desc", risk.ListQuery{Sort: "inherent", Desc: true}, "Server patching,Carrier insolvency"},
		{"sort by title desc", risk.ListQuery{Sort: "title", Desc: true}, "Server patching,Carrier insolvency"},
		{"second page", risk.ListQuery{PerPage: 1, Page: 2}, "Server patching"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := strings.Join(titles(c.q), ","); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
	for _, key := range []string{"identifier", "title", "category", "department", "assignee", "status", "inherent", "residual", "due", "updated", "created"} {
		for _, desc := range []bool{false, true} {
			if got := titles(risk.ListQuery{Sort: key, Desc: desc}); len(got) != 2 {
				t.Errorf("sort %s desc=%v: %v", key, desc, got)
			}
		}
	}
}

func TestPrefixQuery(t *testing.T) {
	for in, want := range map[string]string{"vuln": "vuln:*", "Server  VPN!": "server:* & vpn:*", "'); DROP": "drop:*", "%%": ""} {
		if got := db.PrefixQuery(in); got != want {
			t.Errorf("PrefixQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRiskTypeAndObjectivesStored: the columns of migration 0015 keep a
// risk's type and objectives, and refuse values outside the enumerations.
func TestRiskTypeAndObjectivesStored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r := f.create(t, a, risk.Input{Title: "Classified", Type: "Control Deficiency", ThreatObjectives: []string{"Fraud", "sabotage"}})
	got, err := f.Risks.Get(ctx, a.OrgID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != "control_deficiency" || strings.Join(got.ThreatObjectives, ",") != "sabotage,fraud" {
		t.Errorf("stored %q %v", got.Type, got.ThreatObjectives)
	}
	plain := f.create(t, a, risk.Input{Title: "Plain"})
	if got, _ := f.Risks.Get(ctx, a.OrgID, plain.ID); got.Type != "" || got.ThreatObjectives == nil || len(got.ThreatObjectives) != 0 {
		t.Errorf("unclassified: %q %#v", got.Type, got.ThreatObjectives)
	}
	for _, sql := range []string{"UPDATE risks SET risk_type = 'weather' WHERE id = ?", "UPDATE risks SET threat_objectives = '{fraud,spying}' WHERE id = ?"} {
		if _, err := f.DB.ExecContext(ctx, sql, r.ID); err == nil {
			t.Errorf("%s: accepted", sql)
		}
	}
	if _, err := f.Risks.Create(ctx, a.OrgID, a.Actor, risk.Input{Title: "x", Description: "d", Category: "other", Type: "weather"}); err == nil {
		t.Error("the service accepted an unknown type")
	}
}

// A page of risks is scanned by pgx outside a transaction and by Bun inside
// one: both give the same risks, field for field — tags and objectives (no
// slice shared between rows), dates and nulls, the assignee.
func TestListScansTheSameInAndOutOfATransaction(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	due := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	f.create(t, a, risk.Input{Title: "First", Tags: []string{"one", "two"}, ThreatObjectives: []string{"extortion"}, DueDate: &due,
		Probability: 4, Impact: 5, AssigneeID: a.Actor.MemberID, Type: "vulnerability"})
	f.create(t, a, risk.Input{Title: "Second", Tags: []string{"three"}})
	f.create(t, a, risk.Input{Title: "Third"})
	q := risk.ListQuery{Sort: "title", Page: 1, PerPage: 50}
	out, err := f.Risks.List(ctx, a.OrgID, q)
	if err != nil {
		t.Fatal(err)
	}
	var in risk.Page
	err = db.Tx{DB: f.DB}.InTx(ctx, func(ctx context.Context) error {
		in, err = f.Risks.List(ctx, a.OrgID, q)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Risks) != 3 || !reflect.DeepEqual(out, in) {
		t.Fatalf("outside a transaction:\n%+v\ninside:\n%+v", out.Risks, in.Risks)
	}
	first := out.Risks[0]
	if !slices.Equal(first.Tags, []string{"one", "two"}) || !slices.Equal(out.Risks[1].Tags, []string{"three"}) || len(out.Risks[2].Tags) != 0 {
		t.Errorf("tags: %q %q %q", first.Tags, out.Risks[1].Tags, out.Risks[2].Tags)
	}
	if first.Assignee == nil || first.Assignee.MemberID != a.Actor.MemberID || first.DueDate == nil || !first.DueDate.Equal(due) {
		t.Errorf("first risk: assignee %+v, due %v", first.Assignee, first.DueDate)
	}
}
