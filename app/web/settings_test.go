package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// createKeyForm is the settings form for a key with scopes.
func createKeyForm(name string, scopes ...string) url.Values {
	return url.Values{"name": {name}, "scopes": scopes}
}

// ownerKey creates a key in o through the service, as its owner.
func ownerKey(t *testing.T, e *env, o *org, name string) (*apikey.Key, string) {
	t.Helper()
	p := o.Owner.principal()
	k, secret, err := e.Server.APIKeys.Create(context.Background(), o.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name},
		apikey.CreateInput{Name: name, Scopes: []string{apikey.ScopeRead}})
	if err != nil {
		t.Fatal(err)
	}
	return k, secret
}

func TestOwnerCreatesAPIKeyAndSeesTheSecretOnce(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")

	res := a.Owner.get("/settings")
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, "/settings/api-keys") {
		t.Fatalf("/settings: status %d at %s, want the API keys page", res.StatusCode, res.URL)
	}
	doc := res.Doc(t)
	if doc.Find(`[data-testid="nav-settings"][aria-current="page"]`).Length() != 1 {
		t.Error("the Settings navigation item is missing or not marked current")
	}
	if doc.Find(`[data-testid="no-keys"]`).Length() != 1 {
		t.Error("no empty state before the first key")
	}

	res = a.Owner.postForm("/settings/api-keys", createKeyForm("Scanner import", apikey.ScopeRead, apikey.ScopeWrite))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("create: status %d", res.StatusCode)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the page with the secret has Cache-Control %q, want no-store", cc)
	}
	doc = res.Doc(t)
	secret := strings.TrimSpace(doc.Find(`[data-testid="new-key-secret"]`).Text())
	if copyText, _ := doc.Find(`[data-testid="copy-secret"]`).Attr("data-copy"); copyText != secret || secret == "" {
		t.Errorf("copy button carries %q, want the secret %q", copyText, secret)
	}
	if !strings.Contains(doc.Find(`[data-testid="new-key-warning"]`).Text(), "will not be shown again") {
		t.Error("no warning that the key is shown once")
	}
	p, err := e.Server.APIKeys.Authenticate(context.Background(), secret)
	if err != nil {
		t.Fatalf("the shown secret does not authenticate: %v", err)
	}
	if p.OrganizationID != a.ID || p.KeyName != "Scanner import" || !p.Has(apikey.ScopeWrite) || p.CreatorName != "Owner Acme" {
		t.Errorf("principal %+v", p)
	}
	row := doc.Find(`[data-testid="api-key-row"]`)
	if row.Length() != 1 || row.Find(`[data-testid="key-status"]`).Text() != "Active" ||
		row.Find(`[data-testid="key-scope"]`).Length() != 2 || !strings.HasPrefix(secret, strings.TrimSuffix(row.Find(`[data-testid="key-hint"]`).Text(), "…")) {
		t.Errorf("the new key's row: %q", row.Text())
	}

	// A reload (or any later visit) never shows the secret again.
	again := a.Owner.get("/settings/api-keys")
	if strings.Contains(again.Body, secret) || strings.Contains(again.Body, secret[12:]) {
		t.Fatal("the secret is shown again after a reload")
	}
	if again.Doc(t).Find(`[data-testid="new-key"]`).Length() != 0 {
		t.Error("the new-key panel is shown again")
	}
	if again.Doc(t).Find(`[data-key-id="`+p.KeyID+`"]`).Length() != 1 {
		t.Error("the key is missing from the list")
	}
}

func TestCreateAPIKeyValidationWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	a.Owner.get("/settings/api-keys")
	v := url.Values{"name": {""}, "expires_at": {"2001-01-01"}}
	res := a.Owner.postForm("/settings/api-keys", v)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	doc := res.Doc(t)
	for field, want := range map[string]string{
		"name": "Name is required", "scopes": "Choose at least one scope", "expiresAt": "must be in the future",
	} {
		if got := doc.Find(`[data-testid="error-` + field + `"]`).Text(); !strings.Contains(got, want) {
			t.Errorf("%s error = %q, want %q", field, got, want)
		}
	}
	if doc.Find("html").Length() == 0 || doc.Find(`[data-testid="new-key"]`).Length() != 0 {
		t.Error("a plain POST must get the whole page, and no key")
	}

	// An unreadable date creates nothing, even with a valid name and scope.
	res = a.Owner.postForm("/settings/api-keys", url.Values{"name": {"Keep me"}, "scopes": {apikey.ScopeRead}, "expires_at": {"31/01/2027"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Doc(t).Find(`[data-testid="error-expiresAt"]`).Text(), "YYYY-MM-DD") {
		t.Fatalf("bad date: status %d", res.StatusCode)
	}
	if v, _ := res.Doc(t).Find(`#key-name`).Attr("value"); v != "Keep me" {
		t.Errorf("the name typed is lost: %q", v)
	}
	// An unknown scope is named too.
	res = a.Owner.postForm("/settings/api-keys", createKeyForm("x", "risks:admin"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Doc(t).Find(`[data-testid="error-scopes"]`).Text(), "Unknown scope") {
		t.Fatalf("unknown scope: status %d", res.StatusCode)
	}
	if n := countRows(t, e, "api_keys"); n != 0 {
		t.Fatalf("%d keys written by invalid forms", n)
	}

	// htmx gets only the region, with the secret on success.
	res = a.Owner.postForm("/settings/api-keys", createKeyForm("From htmx", apikey.ScopeRead), "HX-Request", "true", "HX-Target", "api-keys")
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") || !strings.Contains(res.Body, `id="api-keys"`) {
		t.Fatalf("htmx create: status %d, body %.200s", res.StatusCode, res.Body)
	}
	if res.Header.Get("Vary") == "" || res.Doc(t).Find(`[data-testid="new-key-secret"]`).Length() != 1 {
		t.Errorf("htmx create: Vary %q, secret panel missing", res.Header.Get("Vary"))
	}
}

func TestSettingsRefuseEditorsAndViewers(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	k, secret := ownerKey(t, e, a, "Owner's key")
	editor := e.addMember(a, "editor@acme.example", account.RoleEditor).noRedirect()
	viewer := e.addMember(a, "viewer@acme.example", account.RoleViewer).noRedirect()
	admin := e.addMember(a, "admin@acme.example", account.RoleAdmin)

	var routes []string
	for r, policy := range routePolicies(e.Server) {
		if policy == "manager" {
			routes = append(routes, r)
		}
	}
	if len(routes) < 4 {
		t.Fatalf("manager routes: %v", routes)
	}
	for _, who := range []struct {
		name string
		c    *client
	}{{"editor", editor}, {"viewer", viewer}} {
		if who.c.get("/risks").Doc(t).Find(`[data-testid="nav-settings"]`).Length() != 0 {
			t.Errorf("%s sees the Settings navigation item", who.name)
		}
		for _, r := range routes {
			method, path, _ := strings.Cut(r, " ")
			path = strings.ReplaceAll(path, ":id", k.ID)
			var res *response
			if method == http.MethodGet {
				res = who.c.get(path)
			} else {
				res = who.c.postForm(path, createKeyForm(who.name+" key", apikey.ScopeWrite))
			}
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s: status %d, want 403", who.name, r, res.StatusCode)
			}
			if strings.Contains(res.Body, k.Name) {
				t.Errorf("%s %s: the 403 page shows the organization's keys", who.name, r)
			}
		}
	}
	if n := countRows(t, e, "api_keys"); n != 1 {
		t.Errorf("%d keys after refused requests, want 1", n)
	}
	if _, err := e.Server.APIKeys.Authenticate(context.Background(), secret); err != nil {
		t.Errorf("the key stopped working after refused revocations: %v", err)
	}
	// Admins manage keys like owners.
	if res := admin.get("/settings/api-keys"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Owner&#39;s key") {
		t.Errorf("admin: status %d", res.StatusCode)
	}
}

func TestRevokeAPIKey(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Alpha", "owner@alpha.example")
	b := e.signup("Beta", "owner@beta.example")
	k, secret := ownerKey(t, e, a, "Alpha's key")
	ctx := context.Background()

	// Another organization's owner cannot see or revoke it: 404, not 403.
	b.Owner.get("/settings/api-keys")
	res := b.Owner.postForm("/settings/api-keys/"+k.ID+"/revoke", url.Values{})
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("another organization's owner revoking: status %d, want 404", res.StatusCode)
	}
	if list := b.Owner.get("/settings/api-keys"); strings.Contains(list.Body, k.ID) || strings.Contains(list.Body, k.Prefix) {
		t.Error("another organization's key is listed")
	}
	if _, err := e.Server.APIKeys.Authenticate(ctx, secret); err != nil {
		t.Fatalf("the key was revoked by another organization: %v", err)
	}

	page := a.Owner.get("/settings/api-keys").Doc(t)
	form := page.Find(`form:has([data-testid="revoke-key"])`)
	action, _ := form.Attr("action")
	confirm, _ := form.Attr("data-confirm")
	if action != "/settings/api-keys/"+k.ID+"/revoke" || !strings.Contains(confirm, "Alpha's key") {
		t.Fatalf("revoke form: action %q data-confirm %q", action, confirm)
	}
	res = a.Owner.postForm(action, url.Values{})
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, "/settings/api-keys") {
		t.Fatalf("revoke: status %d at %s", res.StatusCode, res.URL)
	}
	doc := res.Doc(t)
	if got := doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(got, "revoked") {
		t.Errorf("flash %q", got)
	}
	if got := doc.Find(`[data-testid="key-status"]`).Text(); got != "Revoked" {
		t.Errorf("status %q, want Revoked", got)
	}
	if doc.Find(`[data-testid="revoke-key"]`).Length() != 0 {
		t.Error("a revoked key still offers Revoke")
	}
	if _, err := e.Server.APIKeys.Authenticate(ctx, secret); !apperr.Is(err, apperr.Unauthenticated) {
		t.Fatalf("the revoked key still authenticates: %v", err)
	}
	// Revoking again is harmless.
	if res := a.Owner.postForm(action, url.Values{}); res.StatusCode != http.StatusOK {
		t.Errorf("second revoke: status %d", res.StatusCode)
	}
	events, err := e.Server.Risks.Events.ForEntity(ctx, a.ID, audit.EntityAPIKey, k.ID, 10)
	if err != nil || len(events) != 2 || events[0].Actor.Name != "Owner Alpha" {
		t.Errorf("key events: %+v %v; want creation and one revocation by the owner", events, err)
	}
}
