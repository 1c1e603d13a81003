package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/audit"
)

// invite creates an invitation through the Members page as who and
// returns the link's path (/invite/<token>).
func invite(t *testing.T, who *client, email string, role account.Role) string {
	t.Helper()
	who.get("/settings/members")
	res := who.postForm("/settings/members/invite", url.Values{"email": {email}, "role": {string(role)}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("invite %s: status %d: %s", email, res.StatusCode, res.Body)
	}
	link := strings.TrimSpace(res.Doc(t).Find(`[data-testid="new-link-url"]`).Text())
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/invite/") || len(u.Path) < len("/invite/")+43 {
		t.Fatalf("invite %s: link %q", email, link)
	}
	return u.Path
}

// memberID returns the id of the member with email in o, via the service.
func memberID(t *testing.T, e *env, o *org, email string) string {
	t.Helper()
	ms, _, err := e.Server.Accounts.TeamMembers(context.Background(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Email == email {
			return m.ID
		}
	}
	t.Fatalf("no member %s", email)
	return ""
}

// accept opens the invitation link in a fresh client and joins with name.
func accept(t *testing.T, e *env, path, name string) (*client, *response) {
	t.Helper()
	c := e.client()
	if res := c.get(path); res.StatusCode != http.StatusOK {
		t.Fatalf("open %s: status %d", path, res.StatusCode)
	}
	return c, c.postForm(path, url.Values{"name": {name}, "password": {testPassword}})
}

func TestInviteAcceptAndLinkIsSingleUse(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Team Org", "owner@team.example")
	path := invite(t, a.Owner, "new@team.example", account.RoleEditor)

	// The token is stored hashed: the database never holds it.
	token := strings.TrimPrefix(path, "/invite/")
	var n int
	if err := e.DB.NewRaw(`SELECT count(*) FROM invitations WHERE token_hash = ?`, token).Scan(context.Background(), &n); err != nil || n != 0 {
		t.Errorf("the raw token is in the database (%d, %v)", n, err)
	}

	page := e.client().get(path)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Join Team Org") {
		t.Fatalf("invite page: status %d", page.StatusCode)
	}
	c, res := accept(t, e, path, "New Person")
	if res.StatusCode != http.StatusOK || res.URL != e.URL+"/" {
		t.Fatalf("accept: status %d at %s: %s", res.StatusCode, res.URL, res.Body)
	}
	p := c.principal()
	if p.Role != account.RoleEditor || p.User.Name != "New Person" || p.Organization.ID != a.ID {
		t.Errorf("joined as %+v in %s", p.Role, p.Organization.Name)
	}
	// The list shows them active, with a sign-in.
	doc := a.Owner.get("/settings/members").Doc(t)
	row := doc.Find(`[data-testid="member-row"][data-email="new@team.example"]`)
	if row.Length() != 1 || strings.TrimSpace(row.Find(`[data-testid="member-status"]`).Text()) != "Active" ||
		strings.TrimSpace(row.Find(`[data-testid="member-last-sign-in"]`).Text()) == "Never" {
		t.Errorf("member row: %q", row.Text())
	}
	if doc.Find(`[data-testid="no-invitations"]`).Length() != 1 {
		t.Error("the accepted invitation is still listed as pending")
	}

	// A used link: a clear page, 404, never a 500, for GET and POST.
	for _, r := range []*response{e.client().get(path), func() *response { _, r := accept2(t, e, path); return r }()} {
		if r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "This link has been used") {
			t.Errorf("used link: status %d: %s", r.StatusCode, r.Body)
		}
	}
	// An unknown link.
	if r := e.client().get("/invite/not-a-real-token"); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, `data-testid="link-problem"`) {
		t.Errorf("unknown link: status %d", r.StatusCode)
	}
	if r := e.client().get("/invite/" + strings.Repeat("x", 500)); r.StatusCode != http.StatusNotFound {
		t.Errorf("long link: status %d", r.StatusCode)
	}
	// Audited.
	var kinds []string
	if err := e.DB.NewRaw(`SELECT entity_type || ':' || action FROM events WHERE organization_id = ? AND entity_type IN ('member', 'invite') ORDER BY id`, a.ID).Scan(context.Background(), &kinds); err != nil {
		t.Fatal(err)
	}
	if strings.Join(kinds, ",") != "invite:created,invite:updated,member:created" {
		t.Errorf("audit: %v", kinds)
	}
}

// accept2 posts to a link without opening it first (it may be unusable).
func accept2(t *testing.T, e *env, path string) (*client, *response) {
	t.Helper()
	c := e.client()
	c.get("/login")
	return c, c.postForm(path, url.Values{"name": {"Again"}, "password": {testPassword}})
}

func TestInviteExpiresAfterSevenDaysAndCanBeRevoked(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Expiry Org", "owner@expiry.example")
	path := invite(t, a.Owner, "late@expiry.example", account.RoleViewer)
	revoked := invite(t, a.Owner, "revoked@expiry.example", account.RoleViewer)

	var id string
	if err := e.DB.NewRaw(`SELECT id FROM invitations WHERE email = 'revoked@expiry.example'`).Scan(context.Background(), &id); err != nil {
		t.Fatal(err)
	}
	res := a.Owner.postForm("/settings/invitations/"+id+"/revoke", url.Values{})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("revoke: status %d", res.StatusCode)
	}
	if r := e.client().get(revoked); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "withdrawn") {
		t.Errorf("revoked link: status %d", r.StatusCode)
	}

	e.Clock.Advance(8 * 24 * time.Hour)
	if r := e.client().get(path); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "This link has expired") {
		t.Errorf("expired link: status %d: %s", r.StatusCode, r.Body)
	}
	if _, r := accept2(t, e, path); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "expired") {
		t.Errorf("accept an expired link: status %d", r.StatusCode)
	}
	if n := teamCount(t, e, `SELECT count(*) FROM users WHERE email = 'late@expiry.example'`); n != 0 {
		t.Errorf("an expired link created a user")
	}
}

func teamCount(t *testing.T, e *env, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.DB.NewRaw(q, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInviteFieldErrors(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Dup Org", "owner@dup.example")
	e.addMember(a, "editor@dup.example", account.RoleEditor)
	admin := e.addMember(a, "admin@dup.example", account.RoleAdmin)
	admin.get("/settings/members")

	for _, tc := range []struct {
		who          *client
		email, role  string
		field, words string
	}{
		{a.Owner, "EDITOR@dup.example", "viewer", "email", "already a member"},
		{a.Owner, "not an email", "viewer", "email", "valid email"},
		{a.Owner, "x@dup.example", "superuser", "role", "Choose a role"},
		{admin, "boss@dup.example", "owner", "role", "Only an owner"},
	} {
		tc.who.get("/settings/members")
		res := tc.who.postForm("/settings/members/invite", url.Values{"email": {tc.email}, "role": {tc.role}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("invite %s as %s: status %d, want 422", tc.email, tc.role, res.StatusCode)
			continue
		}
		doc := res.Doc(t)
		if msg := doc.Find("#err-" + tc.field).Text(); !strings.Contains(msg, tc.words) {
			t.Errorf("invite %s as %s: %s error %q, want %q", tc.email, tc.role, tc.field, msg, tc.words)
		}
	}
	// A second invitation for a pending address is refused too.
	invite(t, a.Owner, "twice@dup.example", account.RoleViewer)
	res := a.Owner.postForm("/settings/members/invite", url.Values{"email": {"twice@dup.example"}, "role": {"viewer"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "pending invitation") {
		t.Errorf("second invitation: status %d", res.StatusCode)
	}
}

func TestInviteExistingAccountJoinsWithItsPassword(t *testing.T) {
	e := newEnv(t)
	a := e.signup("First Org", "owner@first.example")
	b := e.signup("Second Org", "owner@second.example")
	path := invite(t, a.Owner, "owner@second.example", account.RoleViewer)

	c := e.client()
	page := c.get(path)
	if !strings.Contains(page.Body, "already have a riskreg account") || page.Doc(t).Find(`input[name="name"]`).Length() != 0 {
		t.Fatalf("the page for an existing account asks for a name")
	}
	res := c.postForm(path, url.Values{"password": {"wrong password here"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Doc(t).Find("#err-password").Text(), "Incorrect password") {
		t.Errorf("wrong password: status %d", res.StatusCode)
	}
	res = c.postForm(path, url.Values{"password": {testPassword}})
	if res.StatusCode != http.StatusOK || c.principal().Organization.ID != a.ID {
		t.Fatalf("accept with the password: status %d", res.StatusCode)
	}
	ms, err := e.Server.Accounts.Memberships(context.Background(), c.principal().User.ID)
	if err != nil || len(ms) != 2 {
		t.Errorf("memberships: %v %v", ms, err)
	}
	// Both of their sessions' frames offer both organizations (read with
	// the session), in the order of their memberships.
	switcher := func(cl *client) []string {
		var names []string
		cl.get("/").Doc(t).Find(`#org-switch option`).Each(func(_ int, o *goquery.Selection) { names = append(names, o.Text()) })
		return names
	}
	for _, cl := range []*client{c, b.Owner} {
		if got := switcher(cl); !slices.Equal(got, []string{"Second Org", "First Org"}) {
			t.Errorf("the organization switcher lists %q", got)
		}
	}
	// Their account is also another organization's owner: no reset link
	// from here (that would hand this organization their other one).
	id := memberID(t, e, a, "owner@second.example")
	a.Owner.get("/settings/members")
	res = a.Owner.postForm("/settings/members/"+id+"/reset-password", url.Values{})
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "other organizations") || strings.Contains(res.Body, "/reset/") {
		t.Errorf("reset link for a member of two organizations: status %d", res.StatusCode)
	}
	if n := teamCount(t, e, `SELECT count(*) FROM password_resets`); n != 0 {
		t.Errorf("%d reset links stored", n)
	}
	// Disabled in the first organization, they no longer get to switch to it.
	if res := a.Owner.postForm("/settings/members/"+id+"/disable", url.Values{}); res.StatusCode >= 400 {
		t.Fatalf("disable: status %d", res.StatusCode)
	}
	if got := switcher(b.Owner); got != nil {
		t.Errorf("after the disabling the switcher lists %q", got)
	}
}

func TestMemberGuards(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Guard Org", "owner@guard.example")
	admin := e.addMember(a, "admin@guard.example", account.RoleAdmin)
	e.addMember(a, "editor@guard.example", account.RoleEditor)
	other := e.signup("Other Org", "owner@other.example")
	ownerID := memberID(t, e, a, "owner@guard.example")
	editorID := memberID(t, e, a, "editor@guard.example")
	otherID := memberID(t, e, other, "owner@other.example")
	admin.get("/settings/members")
	a.Owner.get("/settings/members")

	post := func(who *client, id, action string, v url.Values) *response {
		t.Helper()
		return who.noRedirect().postForm("/settings/members/"+id+"/"+action, v)
	}
	// Another organization's member: 404 for every action, nothing changes.
	for _, action := range []string{"role", "disable", "enable", "remove", "reset-password"} {
		if res := post(a.Owner, otherID, action, url.Values{"role": {"viewer"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s on another organization's member: status %d, want 404", action, res.StatusCode)
		}
	}
	invite(t, other.Owner, "theirs@other.example", account.RoleViewer)
	var otherInv string
	if err := e.DB.NewRaw(`SELECT id FROM invitations WHERE email = 'theirs@other.example'`).Scan(context.Background(), &otherInv); err != nil {
		t.Fatal(err)
	}
	a.Owner.get("/settings/members")
	for _, id := range []string{"nope", otherInv} {
		if res := a.Owner.postForm("/settings/invitations/"+id+"/revoke", url.Values{}); res.StatusCode != http.StatusNotFound {
			t.Errorf("revoke invitation %s (unknown or another organization's): status %d, want 404", id, res.StatusCode)
		}
	}
	if n := teamCount(t, e, `SELECT count(*) FROM invitations WHERE revoked_at IS NOT NULL`); n != 0 {
		t.Errorf("%d invitations revoked across organizations", n)
	}
	// An admin is not offered the owner role, cannot change an owner, nor make one.
	if doc := admin.get("/settings/members").Doc(t); doc.Find(`option[value="owner"]`).Length() != 0 ||
		doc.Find(`[data-member-id="`+ownerID+`"] [data-testid="member-disable"]`).Length() != 0 {
		t.Error("an admin is offered the owner role or actions on the owner")
	}
	ownerInvite := invite(t, a.Owner, "owner2@guard.example", account.RoleOwner)
	_ = ownerInvite
	var invID string
	if err := e.DB.NewRaw(`SELECT id FROM invitations WHERE email = 'owner2@guard.example'`).Scan(context.Background(), &invID); err != nil {
		t.Fatal(err)
	}
	admin.get("/settings/members")
	if res := admin.noRedirect().postForm("/settings/invitations/"+invID+"/revoke", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("admin revokes an owner's invitation: status %d, want 403", res.StatusCode)
	}
	a.Owner.get("/settings/members")
	// An admin cannot change an owner, nor make one.
	for _, action := range []string{"role", "disable", "remove", "reset-password"} {
		if res := post(admin, ownerID, action, url.Values{"role": {"viewer"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("admin %s on the owner: status %d, want 403", action, res.StatusCode)
		}
	}
	if res := post(admin, editorID, "role", url.Values{"role": {"owner"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("admin makes an owner: status %d, want 403", res.StatusCode)
	}
	// The last owner: no demotion, disabling or removal (the owner acts on
	// themselves through the role form only via another owner: make a
	// second owner, then the first can be demoted by them).
	second := e.addMember(a, "second@guard.example", account.RoleAdmin)
	secondID := memberID(t, e, a, "second@guard.example")
	second.get("/settings/members")
	for _, action := range []string{"role", "disable", "remove"} {
		res := post(second, ownerID, action, url.Values{"role": {"admin"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("admin %s on the last owner: status %d", action, res.StatusCode)
		}
	}
	if res := post(a.Owner, ownerID, "role", url.Values{"role": {"admin"}}); res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "at least one active owner") {
		t.Errorf("demote the last owner: status %d", res.StatusCode)
	}
	if res := post(a.Owner, secondID, "role", url.Values{"role": {"owner"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("make a second owner: status %d", res.StatusCode)
	}
	second.get("/settings/members")
	if res := post(second, ownerID, "role", url.Values{"role": {"admin"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("demote one of two owners: status %d", res.StatusCode)
	}
	// Now second is the last owner: the former owner (admin now) cannot
	// touch them, and they cannot disable or remove themselves.
	a.Owner.get("/settings/members")
	if res := post(a.Owner, secondID, "disable", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("admin disables the owner: status %d", res.StatusCode)
	}
	if res := post(second, secondID, "disable", url.Values{}); res.StatusCode != http.StatusConflict {
		t.Errorf("disable oneself: status %d", res.StatusCode)
	}
	if res := post(second, secondID, "remove", url.Values{}); res.StatusCode != http.StatusConflict {
		t.Errorf("remove oneself: status %d", res.StatusCode)
	}
	if res := post(second, secondID, "role", url.Values{"role": {"editor"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("demote oneself as the last owner: status %d", res.StatusCode)
	}
	if n := teamCount(t, e, `SELECT count(*) FROM members WHERE organization_id = ? AND role = 'owner' AND disabled_at IS NULL AND removed_at IS NULL`, a.ID); n != 1 {
		t.Errorf("active owners: %d, want 1", n)
	}
}

func TestDisableEndsSessionsAndRefusesKeys(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Disable Org", "owner@disable.example")
	ed := e.addMember(a, "editor@disable.example", account.RoleAdmin)
	edID := memberID(t, e, a, "editor@disable.example")
	_, secret := memberKey(t, e, ed)
	if res := apiGet(e, secret, "/api/v1/risks"); res.StatusCode != http.StatusOK {
		t.Fatalf("key before: %d", res.StatusCode)
	}
	a.Owner.get("/settings/members")
	if res := a.Owner.postForm("/settings/members/"+edID+"/disable", url.Values{}); res.StatusCode != http.StatusOK {
		t.Fatalf("disable: %d", res.StatusCode)
	}
	if res := ed.noRedirect().get("/risks"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the disabled member's session: status %d, want 303 to sign in", res.StatusCode)
	}
	if res := apiGet(e, secret, "/api/v1/risks"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the disabled member's API key: status %d, want 401", res.StatusCode)
	}
	res := e.client().postForm("/login", url.Values{"email": {"editor@disable.example"}, "password": {testPassword}})
	if res.StatusCode == http.StatusOK && res.URL == e.URL+"/" {
		t.Error("a disabled member signed in")
	}
	if res := a.Owner.postForm("/settings/members/"+edID+"/enable", url.Values{}); res.StatusCode != http.StatusOK {
		t.Fatalf("enable: %d", res.StatusCode)
	}
	e.login("editor@disable.example", testPassword)
	if res := apiGet(e, secret, "/api/v1/risks"); res.StatusCode != http.StatusOK {
		t.Errorf("key after re-enabling: %d", res.StatusCode)
	}
	// Removal: sessions end, the key is refused, the list no longer shows them.
	ed2 := e.login("editor@disable.example", testPassword)
	if res := a.Owner.postForm("/settings/members/"+edID+"/remove", url.Values{}); res.StatusCode != http.StatusOK {
		t.Fatalf("remove: %d", res.StatusCode)
	}
	if res := ed2.noRedirect().get("/risks"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("removed member's session: %d", res.StatusCode)
	}
	if res := apiGet(e, secret, "/api/v1/risks"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("removed member's key: %d", res.StatusCode)
	}
	if strings.Contains(a.Owner.get("/settings/members").Body, "editor@disable.example") {
		t.Error("a removed member is still listed")
	}
	// Invited again, they come back with their account and password.
	path := invite(t, a.Owner, "editor@disable.example", account.RoleViewer)
	c := e.client()
	c.get(path)
	if res := c.postForm(path, url.Values{"password": {testPassword}}); res.StatusCode != http.StatusOK || c.principal().Role != account.RoleViewer {
		t.Errorf("rejoin: status %d", res.StatusCode)
	}
	var actions []string
	if err := e.DB.NewRaw(`SELECT action || ':' || (changes->0->>'field') FROM events WHERE organization_id = ? AND entity_type = 'member' AND entity_id = ? ORDER BY id`, a.ID, edID).Scan(context.Background(), &actions); err != nil {
		t.Fatal(err)
	}
	if strings.Join(actions, ",") != "updated:status,updated:status,deleted:email,created:email" {
		t.Errorf("audit: %v", actions)
	}
}

func TestPasswordResetLink(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Reset Org", "owner@reset.example")
	ed := e.addMember(a, "ed@reset.example", account.RoleEditor)
	edID := memberID(t, e, a, "ed@reset.example")
	a.Owner.get("/settings/members")
	res := a.Owner.postForm("/settings/members/"+edID+"/reset-password", url.Values{})
	link := strings.TrimSpace(res.Doc(t).Find(`[data-testid="new-link-url"]`).Text())
	u, err := url.Parse(link)
	if res.StatusCode != http.StatusOK || err != nil || !strings.HasPrefix(u.Path, "/reset/") {
		t.Fatalf("reset link: status %d, %q", res.StatusCode, link)
	}
	c := e.client()
	if r := c.get(u.Path); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "ed@reset.example") {
		t.Fatalf("reset page: %d", r.StatusCode)
	}
	if r := c.postForm(u.Path, url.Values{"password": {"short"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("short password: %d", r.StatusCode)
	}
	if r := c.postForm(u.Path, url.Values{"password": {"a brand new passphrase"}}); r.StatusCode != http.StatusOK || !strings.HasSuffix(r.URL, "/login") {
		t.Fatalf("reset: %d at %s", r.StatusCode, r.URL)
	}
	if r := ed.noRedirect().get("/risks"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the member's old session survived the reset: %d", r.StatusCode)
	}
	e.login("ed@reset.example", "a brand new passphrase")
	if r := e.client().get(u.Path); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "used") {
		t.Errorf("reused reset link: %d", r.StatusCode)
	}
	// Expired after a day.
	res = a.Owner.postForm("/settings/members/"+edID+"/reset-password", url.Values{})
	u, _ = url.Parse(strings.TrimSpace(res.Doc(t).Find(`[data-testid="new-link-url"]`).Text()))
	// A link for a member removed since is withdrawn with them.
	res = a.Owner.postForm("/settings/members/"+edID+"/reset-password", url.Values{})
	removed, _ := url.Parse(strings.TrimSpace(res.Doc(t).Find(`[data-testid="new-link-url"]`).Text()))
	a.Owner.postForm("/settings/members/"+edID+"/remove", url.Values{})
	if r := e.client().get(removed.Path); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "withdrawn") {
		t.Errorf("reset link of a removed member: %d", r.StatusCode)
	}
	e.Clock.Advance(25 * time.Hour)
	if r := e.client().get(u.Path); r.StatusCode != http.StatusNotFound || !strings.Contains(r.Body, "expired") {
		t.Errorf("expired reset link: %d", r.StatusCode)
	}
}

func TestAccountPage(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acct Org", "owner@acct.example")
	v := e.addMember(a, "viewer@acct.example", account.RoleViewer)
	other := e.login("viewer@acct.example", testPassword)
	res := v.get("/account")
	doc := res.Doc(t)
	if res.StatusCode != http.StatusOK || doc.Find(`[data-testid="session-row"]`).Length() != 2 || doc.Find(`[data-testid="this-session"]`).Length() != 1 {
		t.Fatalf("account page: status %d, %d sessions", res.StatusCode, doc.Find(`[data-testid="session-row"]`).Length())
	}
	// Name.
	if r := v.postForm("/account/name", url.Values{"name": {""}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty name: %d", r.StatusCode)
	}
	if r := v.postForm("/account/name", url.Values{"name": {"Vera Viewer"}}); r.StatusCode != http.StatusOK || v.principal().User.Name != "Vera Viewer" {
		t.Errorf("rename: %d", r.StatusCode)
	}
	// Password: the current one is required; other sessions end, this one stays.
	if r := v.postForm("/account/password", url.Values{"current": {"wrong one"}, "new": {"another good passphrase"}, "confirm": {"another good passphrase"}}); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Incorrect password") {
		t.Errorf("wrong current password: %d", r.StatusCode)
	}
	if r := v.postForm("/account/password", url.Values{"current": {testPassword}, "new": {"another good passphrase"}, "confirm": {"different"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("mismatched confirmation: %d", r.StatusCode)
	}
	if r := v.postForm("/account/password", url.Values{"current": {testPassword}, "new": {"another good passphrase"}, "confirm": {"another good passphrase"}}); r.StatusCode != http.StatusOK {
		t.Fatalf("change password: %d", r.StatusCode)
	}
	if r := v.noRedirect().get("/account"); r.StatusCode != http.StatusOK {
		t.Errorf("this session ended on a password change: %d", r.StatusCode)
	}
	if r := other.noRedirect().get("/account"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the other session survived a password change: %d", r.StatusCode)
	}
	// End one session; someone else's is 404.
	third := e.login("viewer@acct.example", "another good passphrase")
	doc = v.get("/account").Doc(t)
	action, _ := doc.Find(`[data-testid="end-session"]`).First().Parent().Attr("action")
	if r := v.postForm(action, url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("end session: %d", r.StatusCode)
	}
	if r := third.noRedirect().get("/account"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("the ended session still works: %d", r.StatusCode)
	}
	ownerSession := a.Owner.principal().Session.ID
	if r := v.postForm("/account/sessions/"+ownerSession+"/end", url.Values{}); r.StatusCode != http.StatusNotFound {
		t.Errorf("end another person's session: %d, want 404", r.StatusCode)
	}
	if r := a.Owner.noRedirect().get("/account"); r.StatusCode != http.StatusOK {
		t.Errorf("the owner's session was ended by someone else: %d", r.StatusCode)
	}
}

// memberKey creates a read key as the signed-in member of who.
func memberKey(t *testing.T, e *env, who *client) (string, string) {
	t.Helper()
	p := who.principal()
	k, secret, err := e.Server.APIKeys.Create(context.Background(), p.Organization.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name},
		apikey.CreateInput{Name: "member key", Scopes: []string{apikey.ScopeRead}})
	if err != nil {
		t.Fatal(err)
	}
	return k.ID, secret
}

// apiGet calls the API with a key, returning the status.
func apiGet(e *env, secret, path string) *response {
	c := e.client()
	return c.get(path, "Authorization", "Bearer "+secret)
}

// The token of a one-time link is a credential: the request log leaves it out.
func TestLinkTokensStayOutOfTheLog(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Log Org", "owner@log.example")
	path := invite(t, a.Owner, "logged@log.example", account.RoleViewer)
	var buf syncBuffer
	e.Server.Log = slog.New(slog.NewTextHandler(&buf, nil))
	e.client().get(path)
	e.client().get("/reset/some-secret-token")
	out := buf.String()
	if strings.Contains(out, strings.TrimPrefix(path, "/invite/")) || strings.Contains(out, "some-secret-token") {
		t.Errorf("a link token reached the log:\n%s", out)
	}
	if !strings.Contains(out, "/invite/…") {
		t.Errorf("the request was not logged:\n%s", out)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
