package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/db"
)

func (f *fixture) team(clk *clock) *account.Service {
	store := &db.AccountStore{DB: f.DB}
	return &account.Service{Store: store, Registers: &db.RegisterStore{DB: f.DB}, Tx: db.Tx{DB: f.DB}, NewID: db.NewID, Now: clk.Now,
		Attempts: &db.LoginAttemptStore{DB: f.DB}, IdleTimeout: time.Hour, MaxLifetime: 12 * time.Hour, Team: store, Events: f.Events}
}

// Two people opening the same invitation at once: one joins, the other is
// told the link was used; nothing is half-written.
func TestInvitationAcceptedOnceUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	clk := &clock{now: time.Now().UTC().Truncate(time.Microsecond)}
	svc := f.team(clk)
	tn := f.tenant(t, "Race Org")
	ctx := context.Background()
	by := account.Manager{OrganizationID: tn.OrgID, MemberID: tn.Actor.MemberID, Name: tn.Actor.Name, Role: account.RoleOwner}
	_, token, err := svc.Invite(ctx, by, account.InviteInput{Email: "twin@race.example", Role: account.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.AcceptInvitation(ctx, token, account.AcceptInput{Name: "Twin", Password: "long enough password"}, "test", "192.0.2.1")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case account.LinkReason(err) == account.InviteAccepted || apperr.Is(err, apperr.Conflict):
		default:
			t.Errorf("concurrent accept: %v", err)
		}
	}
	var users, members int
	_ = f.DB.NewRaw(`SELECT count(*) FROM users WHERE email = 'twin@race.example'`).Scan(ctx, &users)
	_ = f.DB.NewRaw(`SELECT count(*) FROM members m JOIN users u ON u.id = m.user_id WHERE u.email = 'twin@race.example'`).Scan(ctx, &members)
	if ok != 1 || users != 1 || members != 1 {
		t.Errorf("accepted %d times; %d users, %d members; want 1 each", ok, users, members)
	}
}

// Two owners demoting each other at once: the organization keeps one.
func TestLastOwnerHoldsUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	clk := &clock{now: time.Now().UTC().Truncate(time.Microsecond)}
	svc := f.team(clk)
	tn := f.tenant(t, "Owners Org")
	ctx := context.Background()
	if _, _, err := svc.CreateUser(ctx, account.NewUserInput{Organization: "Owners Org", Name: "Second", Email: "second@owners.example", Password: "long enough password", Role: account.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	ms, _, err := svc.TeamMembers(ctx, tn.OrgID)
	if err != nil || len(ms) != 2 {
		t.Fatalf("members %v %v", ms, err)
	}
	for range 20 {
		var wg sync.WaitGroup
		for i := range ms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				me, other := ms[i], ms[1-i]
				by := account.Manager{OrganizationID: tn.OrgID, MemberID: me.ID, Name: me.Name, Role: account.RoleOwner}
				if _, err := svc.SetDisabled(ctx, by, other.ID, true); err != nil && !apperr.Is(err, apperr.Conflict) {
					t.Errorf("concurrent disabling: %v (want success or the last-owner conflict)", err)
				}
			}()
		}
		wg.Wait()
		var active int
		_ = f.DB.NewRaw(`SELECT count(*) FROM members WHERE organization_id = ? AND role = 'owner' AND disabled_at IS NULL`, tn.OrgID).Scan(ctx, &active)
		if active != 1 {
			t.Fatalf("active owners after concurrent disabling: %d, want 1", active)
		}
		// Enable both for the next round.
		for _, m := range ms {
			_, _ = f.DB.NewRaw(`UPDATE members SET disabled_at = NULL WHERE id = ?`, m.ID).Exec(ctx)
		}
	}
}

// A disabled or removed member's key is refused; the user's other
// organization is unaffected, and their sign-in skips the disabled one.
func TestDisabledMemberKeysAndMemberships(t *testing.T) {
	f := newFixture(t)
	clk := &clock{now: time.Now().UTC().Truncate(time.Microsecond)}
	svc := f.team(clk)
	keys, _ := f.apiKeys(t)
	a := f.tenant(t, "Alpha Org")
	ctx := context.Background()
	if _, _, err := svc.CreateUser(ctx, account.NewUserInput{Organization: "Alpha Org", Name: "Ed", Email: "ed@alpha.example", Password: "long enough password", Role: account.RoleEditor}); err != nil {
		t.Fatal(err)
	}
	ms, _ := svc.MembersByEmail(ctx, a.OrgID, []string{"ed@alpha.example"})
	ed := ms["ed@alpha.example"]
	_, secret, err := keys.Create(ctx, a.OrgID, audit.Actor{MemberID: ed.MemberID, Name: ed.Name}, apikey.CreateInput{Name: "ed", Scopes: []string{apikey.ScopeRead}})
	if err != nil {
		t.Fatal(err)
	}
	by := account.Manager{OrganizationID: a.OrgID, MemberID: a.Actor.MemberID, Name: a.Actor.Name, Role: account.RoleOwner}
	if _, err := svc.SetDisabled(ctx, by, ed.MemberID, true); err != nil {
		t.Fatal(err)
	}
	if p, err := keys.Authenticate(ctx, secret); p != nil || !apperr.Is(err, apperr.Unauthenticated) {
		t.Errorf("a disabled member's key: %v %v", p, err)
	}
	if _, err := svc.Login(ctx, "ed@alpha.example", "long enough password", "test", "192.0.2.9"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("a disabled member's only organization let them in: %v", err)
	}
	if _, err := svc.SetDisabled(ctx, by, ed.MemberID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Authenticate(ctx, secret); err != nil {
		t.Errorf("re-enabled member's key: %v", err)
	}
	if _, err := svc.Remove(ctx, by, ed.MemberID); err != nil {
		t.Fatal(err)
	}
	if p, err := keys.Authenticate(ctx, secret); p != nil || !apperr.Is(err, apperr.Unauthenticated) {
		t.Errorf("a removed member's key: %v %v", p, err)
	}
	if got, _ := svc.Members(ctx, a.OrgID); len(got) != 1 {
		t.Errorf("pickers list %d members after a removal, want 1", len(got))
	}
}
