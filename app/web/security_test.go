package web_test

// HTTP-level security and reliability tests (SECURITY.md promises 1-7,
// catalogue section 3). Every test goes through the real app on a real
// listener with a fresh PostgreSQL database (harness_test.go), and each
// one fails when the protection it names is removed.
//
// Helpers in this file carry a "sec" prefix so they do not collide with
// helpers other test files of package web_test may add.

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/config"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web"
)

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

// secRoutes returns the app's routes as "METHOD /path", without the
// middleware (app.Use) entries and the HEAD routes Fiber adds for GETs.
func secRoutes(app *fiber.App) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range app.GetRoutes(true) {
		switch r.Method {
		case fiber.MethodGet, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch, fiber.MethodDelete:
		default:
			continue
		}
		k := r.Method + " " + r.Path
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// secIsAPI reports whether a path belongs to the JSON API (API keys, no
// redirects), whose own tests cover it in depth.
func secIsAPI(path string) bool { return strings.HasPrefix(path, "/api/") || path == "/api" }

func secSplitRoute(route string) (method, path string) {
	method, path, _ = strings.Cut(route, " ")
	return method, path
}

// secCount counts rows with a WHERE clause (args are bound).
func secCount(t *testing.T, e *env, table, where string, args ...any) int {
	t.Helper()
	q := "SELECT count(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	var n int
	if err := e.DB.NewRaw(q, args...).Scan(context.Background(), &n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// secSnapshot is what must not change when a request is refused: the row
// count of every table (risks, events, sessions, API keys, tasks, …), as
// "table=n" pairs.
type secSnapshot string

// ownPreference are the routes where any member, a viewer too, changes
// only their own preferences (member_preferences).
var ownPreference = map[string]bool{"POST /risks/columns": true}

// ownReadState are the routes where any member marks their own
// notifications read (notification_reads, notification_watermarks).
var ownReadState = map[string]bool{"POST /notifications/read": true, "POST /notifications/read-all": true}

// without leaves table's count out of the snapshot.
func (s secSnapshot) without(table string) secSnapshot {
	parts := strings.Fields(string(s))
	parts = slices.DeleteFunc(parts, func(p string) bool { return strings.HasPrefix(p, table+"=") })
	return secSnapshot(strings.Join(parts, " "))
}

func secSnap(t *testing.T, e *env) secSnapshot {
	t.Helper()
	ctx := context.Background()
	var tables []string
	if err := e.DB.NewRaw(`SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`).Scan(ctx, &tables); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	parts := make([]string, len(tables))
	for i, tb := range tables {
		parts[i] = fmt.Sprintf("SELECT %s::text || '=' || count(*) FROM %s", "'"+tb+"'", `"`+tb+`"`)
	}
	var counts []string
	if err := e.DB.NewRaw(strings.Join(parts, " UNION ALL ")).Scan(ctx, &counts); err != nil {
		t.Fatalf("count rows: %v", err)
	}
	sort.Strings(counts)
	return secSnapshot(strings.Join(counts, " "))
}

// secRiskForm is a complete, valid risk form.
func secRiskForm(title string) url.Values {
	return url.Values{
		"title": {title}, "description": {"A risk described for a security test."},
		"category": {"technology"}, "department": {"it"}, "status": {"open"},
		"probability": {"3"}, "impact": {"4"}, "residual_probability": {"2"}, "residual_impact": {"2"},
	}
}

func secCookieName(e *env) string { return web.CookieName(e.Server.Config) }

// secSessionCookie returns the client's session cookie value ("" when none).
func secSessionCookie(c *client) string {
	u, _ := url.Parse(c.e.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == secCookieName(c.e) {
			return ck.Value
		}
	}
	return ""
}

// secClientWithCookie returns a fresh client (own jar, no redirects
// followed) holding only the given session cookie value.
func secClientWithCookie(e *env, value string) *client {
	c := e.client().noRedirect()
	u, _ := url.Parse(e.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: secCookieName(e), Value: value, Path: "/"}})
	return c
}

// secPost posts a raw form body (no automatic _csrf field).
func secPost(c *client, path, body string, headers ...string) *response {
	c.e.t.Helper()
	return secSendBody(c, http.MethodPost, path, body, headers...)
}

// secSendForm sends a form with any method, adding the client's CSRF
// token unless v has one.
func secSendForm(c *client, method, path string, v url.Values, headers ...string) *response {
	c.e.t.Helper()
	if !v.Has("_csrf") {
		v.Set("_csrf", c.csrf)
	}
	return secSendBody(c, method, path, v.Encode(), headers...)
}

// secSendBody sends a raw form body with any method.
func secSendBody(c *client, method, path, body string, headers ...string) *response {
	c.e.t.Helper()
	req, _ := http.NewRequest(method, c.e.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

// secDo sends a request with any method.
func secDo(c *client, method, path string, headers ...string) *response {
	c.e.t.Helper()
	req, _ := http.NewRequest(method, c.e.URL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

// secLoadToken makes sure the client holds the CSRF token of its current
// session (the signed-in frame and the login page both carry it).
func secLoadToken(t *testing.T, c *client, path string) {
	t.Helper()
	c.csrf = ""
	res := c.get(path)
	if c.csrf == "" {
		t.Fatalf("no _csrf field on %s (status %d)", path, res.StatusCode)
	}
}

// secLocation returns the Location header resolved against the app's URL.
func secLocation(t *testing.T, e *env, res *response) *url.URL {
	t.Helper()
	loc := res.Header.Get("Location")
	if loc == "" {
		t.Fatalf("no Location header (status %d)", res.StatusCode)
	}
	base, _ := url.Parse(e.URL + "/")
	u, err := base.Parse(loc)
	if err != nil {
		t.Fatalf("bad Location %q: %v", loc, err)
	}
	return u
}

// secIsLoginRedirect reports whether res sends the browser to /login.
func secIsLoginRedirect(e *env, res *response) bool {
	if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusFound {
		return false
	}
	u, err := url.Parse(res.Header.Get("Location"))
	return err == nil && u.Path == "/login" && (u.Host == "" || "http://"+u.Host == e.URL)
}

func secRandHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// secClock replaces the account service's clock with real time plus an
// adjustable offset, restored when the test ends.
type secClock struct{ offset atomic.Int64 }

func (c *secClock) Now() time.Time      { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *secClock) Set(d time.Duration) { c.offset.Store(int64(d)) }
func secInstallClock(t *testing.T, e *env) *secClock {
	clk := &secClock{}
	old := e.Server.Accounts.Now
	e.Server.Accounts.Now = clk.Now
	t.Cleanup(func() { e.Server.Accounts.Now = old })
	return clk
}

// secLeaks lists internals that must never reach a page.
var secLeaks = []string{"SELECT", "FROM risks", "pq:", "SQLSTATE", "bun:", "pgx", "pgconn", "sql:", "goroutine ",
	"runtime.", "panic", ".go:", "/work/", "/root/", "/home/", "/tmp/", "github.com/riskreg"}

func secAssertNoLeak(t *testing.T, label string, res *response) {
	t.Helper()
	for _, s := range secLeaks {
		if strings.Contains(res.Body, s) {
			i := strings.Index(res.Body, s)
			t.Errorf("%s: response (status %d) leaks %q: …%s…", label, res.StatusCode, s, res.Body[max(0, i-80):min(len(res.Body), i+80)])
		}
	}
}

// ---------------------------------------------------------------------------
// 1. Route policies (catalogue #19)
// ---------------------------------------------------------------------------

// routePolicies maps "METHOD /path" of the server's route table to its policy.
func routePolicies(s *web.Server) map[string]string {
	m := map[string]string{}
	for _, r := range s.Routes() {
		m[r.Method+" "+r.Path] = string(r.Policy)
	}
	return m
}

// TestRoutePolicies walks the router: every route has a policy, protected
// routes refuse anonymous users (303 to login for GET, 401 for POST),
// write routes refuse viewers and settings routes refuse viewers and
// editors with 403, all without touching the database.
func TestRoutePolicies(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Policy Org", "owner@policy.example")
	rk := e.createRisk(a, risk.Input{Title: "Policy probe"})
	inc := e.createIncident(a, "Policy probe incident")
	viewer := e.addMember(a, "viewer@policy.example", account.RoleViewer).noRedirect()
	secLoadToken(t, viewer, "/risks")
	editor := e.addMember(a, "editor@policy.example", account.RoleEditor).noRedirect()
	secLoadToken(t, editor, "/risks")
	signedIn := map[string]bool{"member": true, "writer": true, "manager": true}
	refused := map[account.Role]map[string]bool{ // policies that refuse a role with 403
		account.RoleViewer: {"writer": true, "manager": true},
		account.RoleEditor: {"manager": true},
	}

	policies := routePolicies(e.Server)
	routes := secRoutes(e.App)
	if len(routes) < 10 {
		t.Fatalf("GetRoutes returned only %v", routes)
	}
	t.Logf("routes: %v", routes)

	// Deny by default: a route without a policy fails.
	for _, r := range routes {
		p, ok := policies[r]
		if !ok {
			t.Errorf("route %q is not in the route table", r)
			continue
		}
		switch p {
		case "public", "visitor", "member", "writer", "manager", "api:read", "api:write":
		case "":
			t.Errorf("route %q has an empty policy", r)
		default:
			t.Logf("route %q has policy %q, which this test does not exercise", r, p)
		}
	}
	// The policy table names no route that does not exist (it would hide a
	// renamed, unprotected route).
	for k := range policies {
		if !slices.Contains(routes, k) {
			t.Errorf("the route table has %q, which is not a registered route", k)
		}
	}
	// Middleware mounted with app.Use answers every method under its prefix
	// and is invisible to the policy table: apart from the static files, a
	// Use prefix must be group middleware in front of real routes.
	var real []string
	for _, r := range e.App.GetRoutes(true) {
		real = append(real, r.Path)
	}
	for _, r := range e.App.GetRoutes() {
		if r.Path == "/" || r.Path == "/static" || slices.Contains(real, r.Path) {
			continue
		}
		prefix := strings.TrimSuffix(r.Path, "/") + "/"
		if !slices.ContainsFunc(real, func(p string) bool { return strings.HasPrefix(p, prefix) }) {
			t.Errorf("app.Use mounts %q (method %s) with no routes behind it: give it routes and policies", r.Path, r.Method)
		}
	}

	anon := e.client().noRedirect()
	secLoadToken(t, anon, "/login") // a valid anonymous CSRF token
	version := strconv.Itoa(rk.Version)

	for _, r := range routes {
		policy := policies[r]
		if !signedIn[policy] {
			continue
		}
		method, pattern := secSplitRoute(r)
		path := strings.ReplaceAll(pattern, ":id", rk.Identifier())
		if strings.Contains(pattern, "/incidents/:id") {
			path = strings.ReplaceAll(pattern, ":id", inc.Identifier())
		}

		// Anonymous.
		switch {
		case method == http.MethodGet && secIsAPI(path):
			if res := anon.get(path); res.StatusCode != http.StatusUnauthorized {
				t.Errorf("anonymous %s: status %d, want 401", r, res.StatusCode)
			}
		case method == http.MethodGet:
			res := anon.get(path)
			if res.StatusCode != http.StatusSeeOther {
				t.Errorf("anonymous %s: status %d, want 303 to /login", r, res.StatusCode)
			} else if loc := secLocation(t, e, res); loc.Path != "/login" || loc.Query().Get("next") != path {
				t.Errorf("anonymous %s: Location %q, want /login?next=%s", r, res.Header.Get("Location"), url.QueryEscape(path))
			}
			// htmx requests get 401 plus HX-Redirect instead of a redirect
			// that would swap the login page into a fragment.
			hx := anon.get(path, "HX-Request", "true")
			if hx.StatusCode != http.StatusUnauthorized || hx.Header.Get("HX-Redirect") != "/login" {
				t.Errorf("anonymous htmx %s: status %d HX-Redirect %q, want 401 and /login", r, hx.StatusCode, hx.Header.Get("HX-Redirect"))
			}
		default:
			before := secSnap(t, e)
			form := secRiskForm("Anonymous write")
			form.Set("version", version)
			res := secSendForm(anon, method, path, form)
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("anonymous %s with a valid anonymous CSRF token: status %d, want 401", r, res.StatusCode)
			}
			if after := secSnap(t, e); after != before {
				t.Errorf("anonymous %s changed the database: %s -> %s", r, before, after)
			}
		}

		// Signed-in roles below the policy.
		for role, who := range map[account.Role]*client{account.RoleViewer: viewer, account.RoleEditor: editor} {
			if role == account.RoleEditor && !refused[role][policy] {
				continue // editors may write: not probed here
			}
			before := secSnap(t, e)
			var res *response
			if method == http.MethodGet {
				res = who.get(path)
			} else {
				form := secRiskForm("Refused write")
				form.Set("version", version)
				res = secSendForm(who, method, path, form)
			}
			switch {
			case refused[role][policy] && secIsAPI(path):
				// The API may not take browser sessions at all: refused either way.
				if res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s %s: status %d, want 403 (or 401)", role, r, res.StatusCode)
				}
			case refused[role][policy]:
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s: status %d, want 403", role, r, res.StatusCode)
				}
				if after := secSnap(t, e); after != before {
					t.Errorf("%s %s changed the database: %s -> %s", role, r, before, after)
				}
			case role == account.RoleViewer && policy == "member" && method == http.MethodGet && !secIsAPI(path) && !strings.Contains(path, ":"):
				if res.StatusCode != http.StatusOK {
					t.Errorf("viewer %s: status %d, want 200 (viewers read)", r, res.StatusCode)
				}
			}
			if role == account.RoleViewer {
				after := secSnap(t, e)
				if ownPreference[r] { // a viewer's own choices are theirs to change
					before, after = before.without("member_preferences"), after.without("member_preferences")
				}
				if ownReadState[r] {
					before, after = before.without("notification_reads").without("notification_watermarks"),
						after.without("notification_reads").without("notification_watermarks")
				}
				if after != before {
					t.Errorf("viewer %s changed the database: %s -> %s", r, before, after)
				}
			}
		}
	}
	cur, err := e.Server.Risks.Get(context.Background(), a.ID, rk.ID)
	if err != nil || cur.Title != rk.Title || cur.Version != rk.Version {
		t.Errorf("risk changed by refused requests: %+v (err %v)", cur, err)
	}
}

// ---------------------------------------------------------------------------
// 2. Tenant isolation (catalogue #14, #15, #16)
// ---------------------------------------------------------------------------

type secTenants struct {
	e          *env
	a, b       *org
	aRisks     []*risk.Risk
	bRisk      *risk.Risk
	aMemberIDs []string
	aRegister  *risk.Register
}

func secSetupTenants(t *testing.T) *secTenants {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	s := &secTenants{e: e}
	s.a = e.signup("Alpha Corp", "owner@alpha.example")
	e.addMember(s.a, "editor@alpha.example", account.RoleEditor)
	s.b = e.signup("Beta Ltd", "owner@beta.example")
	ms, err := e.Server.Accounts.Members(ctx, s.a.ID)
	if err != nil || len(ms) != 2 {
		t.Fatalf("members of A: %v %v", ms, err)
	}
	for _, m := range ms {
		s.aMemberIDs = append(s.aMemberIDs, m.ID)
	}
	if s.aRegister, err = e.Server.Risks.Registers.DefaultRegister(ctx, s.a.ID); err != nil {
		t.Fatal(err)
	}
	s.aRisks = []*risk.Risk{
		e.createRisk(s.a, risk.Input{Title: "Alphaonly quokka breach", Description: "Alphasecret description one",
			Category: "technology", Probability: 5, Impact: 5, ResidualProbability: 2, ResidualImpact: 2}),
		e.createRisk(s.a, risk.Input{Title: "Alphaonly wombat outage", Description: "Alphasecret description two",
			Category: "people", Department: "hr", Status: risk.StatusPending, Probability: 1, Impact: 1,
			AssigneeID: s.aMemberIDs[1], Tags: []string{"alphatag"}}),
		e.createRisk(s.a, risk.Input{Title: "Alphaonly numbat fraud", Description: "Alphasecret description three",
			Category: "regulatory", Status: risk.StatusArchived, Probability: 3, Impact: 3}),
	}
	s.bRisk = e.createRisk(s.b, risk.Input{Title: "Betaonly kiwi leak", Description: "Betasecret description",
		Category: "technology", Probability: 2, Impact: 2, Tags: []string{"betatag"}})
	return s
}

// TestTenantIsolationObjectRoutes: B's owner aims every :id route at A's
// risks, by identifier and by internal id: 404 every time, nothing changes.
func TestTenantIsolationObjectRoutes(t *testing.T) {
	s := secSetupTenants(t)
	e, ctx := s.e, context.Background()
	bc := s.b.Owner.noRedirect()
	secLoadToken(t, bc, "/risks")

	// A's RSK-00001 is also B's own RSK-00001, so identifiers are taken
	// from A's later risks; internal ids from all of them.
	type target struct {
		id   string
		risk *risk.Risk
	}
	var targets []target
	for _, r := range s.aRisks {
		targets = append(targets, target{r.ID, r})
		if r.Number > s.bRisk.Number {
			targets = append(targets, target{r.Identifier(), r}, target{strings.ToLower(r.Identifier()), r})
		}
	}
	var idRoutes []string
	for _, r := range secRoutes(e.App) {
		// Browser routes; the JSON API's tenant tests use API keys.
		if _, path := secSplitRoute(r); strings.Contains(path, ":id") && !secIsAPI(path) {
			idRoutes = append(idRoutes, r)
		}
	}
	if len(idRoutes) < 5 {
		t.Fatalf("expected the risk object routes, got %v", idRoutes)
	}

	before := secSnap(t, e)
	for _, r := range idRoutes {
		method, pattern := secSplitRoute(r)
		for _, tg := range targets {
			id, target := tg.id, tg.risk
			path := strings.ReplaceAll(pattern, ":id", url.PathEscape(id))
			var res *response
			switch method {
			case http.MethodGet:
				res = bc.get(path)
			default:
				form := secRiskForm("Hijacked by Beta")
				form.Set("version", strconv.Itoa(target.Version))
				res = secSendForm(bc, method, path, form)
			}
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("B: %s %s: status %d, want 404", method, path, res.StatusCode)
			}
			if strings.Contains(res.Body, target.Title) || strings.Contains(res.Body, "Alphasecret") {
				t.Errorf("B: %s %s shows A's risk", method, path)
			}
		}
	}
	// Also through htmx (partials must be scoped the same way).
	for _, tg := range targets {
		res := bc.get("/risks/"+tg.id+"/edit", "HX-Request", "true", "HX-Target", "risk-form")
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("B: htmx edit form of A's %s: status %d, want 404", tg.id, res.StatusCode)
		}
	}

	if after := secSnap(t, e); after != before {
		t.Errorf("cross-tenant requests changed the database: %s -> %s", before, after)
	}
	for _, want := range s.aRisks {
		got, err := e.Server.Risks.Get(ctx, s.a.ID, want.ID)
		if err != nil {
			t.Errorf("A's %s: %v (deleted by B?)", want.Identifier(), err)
			continue
		}
		if got.Title != want.Title || got.Version != want.Version {
			t.Errorf("A's %s changed: title %q version %d, want %q %d", want.Identifier(), got.Title, got.Version, want.Title, want.Version)
		}
	}
	if got, _ := e.Server.Risks.Get(ctx, s.b.ID, s.bRisk.ID); got == nil || got.Version != s.bRisk.Version || got.Title != s.bRisk.Title {
		t.Errorf("B's own risk changed by requests aimed at A: %+v", got)
	}
	if n := secCount(t, e, "events", "organization_id = ?", s.a.ID); n != len(s.aRisks) {
		t.Errorf("A has %d events, want %d (one per create)", n, len(s.aRisks))
	}

	// A's register id in the live score preview: A's matrix stays hidden.
	if res := bc.get("/risks/assess?register_id=" + url.QueryEscape(s.aRegister.ID)); res.StatusCode != http.StatusNotFound {
		t.Errorf("B: /risks/assess with A's register: status %d, want 404", res.StatusCode)
	}
	// Switching into an organization one is not a member of.
	res := bc.postForm("/orgs/switch", url.Values{"org": {s.a.ID}})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("B: switch to A: status %d, want 404", res.StatusCode)
	}
	if p := bc.principal(); p.Organization.ID != s.b.ID {
		t.Errorf("B's session moved to organization %s", p.Organization.ID)
	}
}

// TestTenantIsolationRegisterList: no list view, search or filter ever
// shows the other organization's risks or members.
func TestTenantIsolationRegisterList(t *testing.T) {
	s := secSetupTenants(t)
	bc := s.b.Owner.noRedirect()
	ac := s.a.Owner.noRedirect()

	params := []string{"", "q=alphaonly", "q=quokka", "q=Alphaonly+quokka+breach", "q=alpha", "q=a", "q=%25", "q=_",
		"archived=1", "tag=alphatag", "register=" + url.QueryEscape(s.aRegister.ID),
		"assignee=none", "sort=title", "sort=-assignee", "per_page=200", "page=1",
		"archived=1&q=alphaonly&register=" + url.QueryEscape(s.aRegister.ID) + "&sort=identifier&per_page=200"}
	for _, m := range s.aMemberIDs {
		params = append(params, "assignee="+m)
	}
	for _, st := range risk.Statuses.Values() {
		params = append(params, "status="+st)
	}
	for _, c := range risk.Categories.Values() {
		params = append(params, "category="+c)
	}
	for _, d := range risk.Departments.Values() {
		params = append(params, "department="+d)
	}
	for l := 0; l <= 6; l++ {
		params = append(params, fmt.Sprintf("level=%d", l), fmt.Sprintf("rlevel=%d", l), fmt.Sprintf("level=%d&archived=1", l))
	}

	titles := func(res *response) []string {
		return res.Doc(t).Find(`[data-testid="risk-title"]`).Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
	}
	check := func(viewer *client, own, foreignSecrets []string, label string) {
		// The selector finds the organization's own rows (the check is not vacuous).
		if got := titles(viewer.get("/risks?archived=1&per_page=200")); len(got) != len(own) {
			t.Fatalf("%s sees %q, want its own %q", label, got, own)
		}
		for _, p := range params {
			for _, hx := range []bool{false, true} {
				path := "/risks?" + p
				var res *response
				if hx {
					res = viewer.get(path, "HX-Request", "true", "HX-Target", "risk-results")
				} else {
					res = viewer.get(path)
				}
				if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusBadRequest {
					t.Errorf("%s %s (htmx %v): status %d", label, path, hx, res.StatusCode)
					continue
				}
				for _, title := range titles(res) {
					if !slices.Contains(own, title) {
						t.Errorf("%s %s (htmx %v) lists foreign risk %q", label, path, hx, title)
					}
				}
				for _, secret := range foreignSecrets {
					if strings.Contains(res.Body, secret) {
						t.Errorf("%s %s (htmx %v): body contains the other organization's %q", label, path, hx, secret)
					}
				}
			}
		}
	}
	var aTitles, aSecrets []string
	for _, r := range s.aRisks {
		aTitles = append(aTitles, r.Title)
		aSecrets = append(aSecrets, r.ID, r.Description)
	}
	aSecrets = append(aSecrets, "Owner Alpha Corp", "Member editor@alpha.example", "owner@alpha.example")
	check(bc, []string{s.bRisk.Title}, aSecrets, "B")

	// And the other way round, with B's distinctive values.
	params = append(params, "q=betaonly", "q=kiwi", "tag=betatag")
	check(ac, aTitles, []string{s.bRisk.Title, s.bRisk.ID, s.bRisk.Description, "Owner Beta Ltd"}, "A")
}

// TestTenantIsolationForeignReferences: B cannot point a risk at A's
// members or register, nor plant A's organization id in a form.
func TestTenantIsolationForeignReferences(t *testing.T) {
	s := secSetupTenants(t)
	e, ctx := s.e, context.Background()
	bc := s.b.Owner.noRedirect()
	secLoadToken(t, bc, "/risks/new")
	aRisksBefore := secCount(t, e, "risks", "organization_id = ?", s.a.ID)

	// Create in B with A's member as assignee.
	before := secSnap(t, e)
	for _, m := range s.aMemberIDs {
		form := secRiskForm("Beta risk for an Alpha member")
		form.Set("assignee_id", m)
		res := bc.postForm("/risks", form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("create in B with A's member %s as assignee: status %d, want 422", m, res.StatusCode)
		} else if res.Doc(t).Find(`[data-testid="error-assigneeId"]`).Length() == 0 {
			t.Errorf("create in B with A's member as assignee: no assignee field error shown")
		}
	}
	if after := secSnap(t, e); after != before {
		t.Errorf("create with a foreign assignee wrote: %s -> %s", before, after)
	}

	// Update B's risk with A's member as assignee.
	form := secRiskForm("Betaonly kiwi leak")
	form.Set("assignee_id", s.aMemberIDs[0])
	form.Set("version", strconv.Itoa(s.bRisk.Version))
	res := bc.postForm("/risks/"+s.bRisk.Identifier(), form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("update in B with A's member as assignee: status %d, want 422", res.StatusCode)
	} else if res.Doc(t).Find(`[data-testid="error-assigneeId"]`).Length() == 0 {
		t.Errorf("update in B with A's member as assignee: no assignee field error shown")
	}
	if got, _ := e.Server.Risks.Get(ctx, s.b.ID, s.bRisk.ID); got == nil || got.Version != s.bRisk.Version || got.AssigneeID != "" {
		t.Errorf("B's risk changed by a foreign-assignee update: %+v", got)
	}
	if after := secSnap(t, e); after != before {
		t.Errorf("update with a foreign assignee wrote: %s -> %s", before, after)
	}

	// A's register id in B's form: refused, nothing anywhere.
	form = secRiskForm("Beta risk in Alpha's register")
	form.Set("register_id", s.aRegister.ID)
	form.Set("organization_id", s.a.ID)
	form.Set("org", s.a.ID)
	res = bc.postForm("/risks", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("create in B with A's register_id: status %d, want 422", res.StatusCode)
	}
	if after := secSnap(t, e); after != before {
		t.Errorf("create with A's register wrote: %s -> %s", before, after)
	}

	// A's organization id (and other identity fields) planted in the form:
	// ignored; the risk lands in B.
	form = secRiskForm("Betaonly planted organization")
	for _, k := range []string{"organization_id", "organizationId", "org", "org_id", "organization"} {
		form.Set(k, s.a.ID)
	}
	form.Set("id", s.aRisks[0].ID)
	form.Set("number", "1")
	form.Set("version", "7")
	form.Set("created_by", s.aMemberIDs[0])
	res = bc.postForm("/risks", form, "X-Org-Id", s.a.ID)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create in B with planted identity fields: status %d, want 303: %s", res.StatusCode, res.Body)
	}
	if n := secCount(t, e, "risks", "organization_id = ?", s.a.ID); n != aRisksBefore {
		t.Errorf("A has %d risks after B's create, want %d", n, aRisksBefore)
	}
	if n := secCount(t, e, "events", "organization_id = ?", s.a.ID); n != len(s.aRisks) {
		t.Errorf("A has %d events after B's create, want %d", n, len(s.aRisks))
	}
	if n := secCount(t, e, "risks", "organization_id = ? AND title = ?", s.b.ID, "Betaonly planted organization"); n != 1 {
		t.Errorf("the planted create did not land in B (%d rows)", n)
	}
	if n := secCount(t, e, "risks", "title = ? AND (version <> 1 OR id = ? OR created_by <> ?)", "Betaonly planted organization", s.aRisks[0].ID, s.b.Owner.principal().MemberID); n != 0 {
		t.Errorf("identity fields were mass-assigned from the form")
	}
	if got, _ := e.Server.Risks.Get(ctx, s.a.ID, s.aRisks[0].ID); got == nil || got.Title != s.aRisks[0].Title {
		t.Errorf("A's first risk changed: %+v", got)
	}
}

// ---------------------------------------------------------------------------
// 3. CSRF (catalogue #10, #11, #12)
// ---------------------------------------------------------------------------

func TestCSRFCreateRisk(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Csrf Org", "owner@csrf.example")
	c := a.Owner.noRedirect()
	secLoadToken(t, c, "/risks/new")
	token := c.csrf
	other := e.login("owner@csrf.example", testPassword) // same user, second session
	secLoadToken(t, other, "/risks")
	if other.csrf == token {
		t.Fatalf("two sessions share the CSRF token %q", token)
	}

	body := func(tok string) string {
		f := secRiskForm("CSRF probe")
		if tok != "" {
			f.Set("_csrf", tok)
		}
		return f.Encode()
	}
	cases := []struct {
		name    string
		body    string
		headers []string
	}{
		{"(a) no token", body(""), nil},
		{"(a') empty token", body("") + "&_csrf=", nil},
		{"(b) wrong token", body(secRandHex(32)), nil},
		{"(b') wrong token in header", body(""), []string{"X-CSRF-Token", secRandHex(32)}},
		{"(b'') token with a suffix", body(token + "x"), nil},
		{"(c) token of another session of the same user", body(other.csrf), nil},
		{"(c') other session's token in header", body(""), []string{"X-CSRF-Token", other.csrf}},
		{"(d) Origin evil with a valid token", body(token), []string{"Origin", "https://evil.example"}},
		{"(d') Origin null with a valid token", body(token), []string{"Origin", "null"}},
		{"(d'') Origin same host other port", body(token), []string{"Origin", "http://127.0.0.1:1"}},
		{"(d''') Origin evil, vouched for by X-Forwarded-Host", body(token), []string{"Origin", "http://evil.example", "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "http"}},
		{"(e) Sec-Fetch-Site cross-site with a valid token", body(token), []string{"Sec-Fetch-Site", "cross-site"}},
		{"(e') Sec-Fetch-Site same-site with a valid token", body(token), []string{"Sec-Fetch-Site", "same-site"}},
		{"(e'') Sec-Fetch-Site cross-site with a valid header token", body(""), []string{"Sec-Fetch-Site", "cross-site", "X-CSRF-Token", token}},
	}
	for _, tc := range cases {
		res := secPost(c, "/risks", tc.body, tc.headers...)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tc.name, res.StatusCode)
		}
	}
	if n := secCount(t, e, "risks", ""); n != 0 {
		t.Fatalf("%d risks exist after refused cross-site requests, want 0", n)
	}
	if n := secCount(t, e, "events", ""); n != 0 {
		t.Errorf("%d events written by refused requests", n)
	}

	// (f) the valid token in the X-CSRF-Token header (htmx) is accepted,
	// also with same-origin fetch metadata and our own Origin.
	res := secPost(c, "/risks", body(""), "X-CSRF-Token", token, "Sec-Fetch-Site", "same-origin", "Origin", e.URL)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("(f) valid token in X-CSRF-Token: status %d, want 303: %s", res.StatusCode, res.Body)
	}
	if n := secCount(t, e, "risks", ""); n != 1 {
		t.Errorf("(f): %d risks, want 1", n)
	}

	// Logout without a token: refused, and the session still works.
	res = secPost(c, "/logout", "")
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("logout without a token: status %d, want 403", res.StatusCode)
	}
	res = secPost(c, "/logout", "_csrf="+url.QueryEscape(other.csrf))
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("logout with another session's token: status %d, want 403", res.StatusCode)
	}
	if res := c.get("/risks"); res.StatusCode != http.StatusOK {
		t.Errorf("session no longer works after a refused logout: status %d", res.StatusCode)
	}
}

// TestCSRFEveryPostRoute replays every state-changing route with a valid
// session but no token: 403 and no change.
func TestCSRFEveryPostRoute(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Csrf All", "owner@csrfall.example")
	rk := e.createRisk(a, risk.Input{Title: "CSRF target"})
	c := a.Owner.noRedirect()
	anon := e.client().noRedirect()
	secLoadToken(t, anon, "/login")
	n := 0
	for _, r := range secRoutes(e.App) {
		method, pattern := secSplitRoute(r)
		if method == http.MethodGet {
			continue
		}
		n++
		path := strings.ReplaceAll(pattern, ":id", rk.Identifier())
		form := secRiskForm("CSRF everywhere")
		form.Set("version", strconv.Itoa(rk.Version))
		form.Set("email", "owner@csrfall.example")
		form.Set("password", testPassword)
		form.Set("organization", "Planted Org")
		form.Set("name", "Planted")
		form.Set("org", a.ID)
		for _, who := range []*client{c, anon} {
			before := secSnap(t, e)
			res := secSendBody(who, method, path, form.Encode())
			switch {
			case secIsAPI(path):
				// API routes that ignore browser cookies answer 401.
				if res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s without a token (signed in: %v): status %d, want 403 (or 401)", r, who == c, res.StatusCode)
				}
			case res.StatusCode != http.StatusForbidden:
				t.Errorf("%s without a token (signed in: %v): status %d, want 403", r, who == c, res.StatusCode)
			}
			if res.Header.Get("Set-Cookie") != "" && strings.Contains(r, "login") {
				if p, err := e.Server.PrincipalFromCookie(context.Background(), secCookieFromSetCookie(res, secCookieName(e))); err == nil && p != nil && who == anon {
					t.Errorf("%s without a token signed the browser in", r)
				}
			}
			if after := secSnap(t, e); after != before {
				t.Errorf("%s without a token changed the database: %s -> %s", r, before, after)
			}
		}
	}
	if n < 5 {
		t.Errorf("only %d state-changing routes found", n)
	}
	if res := c.get("/risks"); res.StatusCode != http.StatusOK {
		t.Errorf("session lost after refused requests: %d", res.StatusCode)
	}
}

func secCookieFromSetCookie(res *response, name string) string {
	for _, line := range res.Header.Values("Set-Cookie") {
		if ck, err := http.ParseSetCookie(line); err == nil && ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// ---------------------------------------------------------------------------
// 4. Sessions (catalogue #21, #22, #24, #25)
// ---------------------------------------------------------------------------

func TestSessionCookieAndFixation(t *testing.T) {
	e := newEnv(t)
	e.signup("Session Org", "owner@session.example")
	name := secCookieName(e)

	c := e.client().noRedirect()
	res := c.get("/login")
	c0 := secSessionCookie(c)
	if c0 == "" {
		t.Fatalf("GET /login set no %s cookie (Set-Cookie %q)", name, res.Header.Values("Set-Cookie"))
	}
	res = c.postForm("/login", url.Values{"email": {"owner@session.example"}, "password": {testPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d", res.StatusCode)
	}
	var raw string
	for _, line := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(line, name+"=") {
			raw = line
		}
	}
	if raw == "" {
		t.Fatalf("login set no %s cookie: %q", name, res.Header.Values("Set-Cookie"))
	}
	ck, err := http.ParseSetCookie(raw)
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	if !ck.HttpOnly {
		t.Errorf("session cookie lacks HttpOnly: %s", raw)
	}
	if ck.SameSite != http.SameSiteLaxMode && ck.SameSite != http.SameSiteStrictMode {
		t.Errorf("session cookie SameSite = %v, want Lax (or Strict): %s", ck.SameSite, raw)
	}
	if !regexp.MustCompile(`(?i);\s*SameSite=Lax`).MatchString(raw) {
		t.Errorf("session cookie has no SameSite=Lax attribute: %s", raw)
	}
	if ck.Path != "/" {
		t.Errorf("session cookie Path = %q, want /: %s", ck.Path, raw)
	}
	if ck.Domain != "" {
		t.Errorf("session cookie has Domain=%s (must be host-only): %s", ck.Domain, raw)
	}
	c1 := secSessionCookie(c)
	if c1 == c0 || ck.Value == c0 {
		t.Errorf("session cookie unchanged by login (fixation)")
	}
	// The pre-login cookie stays anonymous.
	if res := secClientWithCookie(e, c0).get("/risks"); !secIsLoginRedirect(e, res) {
		t.Errorf("pre-login cookie C0 is signed in: status %d", res.StatusCode)
	}
	if res := secClientWithCookie(e, c1).get("/risks"); res.StatusCode != http.StatusOK {
		t.Errorf("post-login cookie C1: status %d, want 200", res.StatusCode)
	}
	// An attacker-chosen or forged cookie value is never instantiated.
	for _, forged := range []string{"attacker-chosen", secRandHex(40), c1[:len(c1)-4] + "AAAA"} {
		fc := secClientWithCookie(e, forged)
		if res := fc.get("/risks"); !secIsLoginRedirect(e, res) {
			t.Errorf("forged cookie %q: status %d, want a redirect to /login", forged, res.StatusCode)
		}
	}

	// Production settings: __Host- prefix and Secure.
	cfg, err := config.Load(func(k string) string {
		switch k {
		case "APP_ENV":
			return "production"
		case "BASE_URL":
			return "https://risks.example.com"
		case "SESSION_SECRET":
			return "prod-secret-prod-secret-prod-secret-000"
		case "DATA_DIR":
			return t.TempDir()
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := web.CookieName(cfg); got != "__Host-riskreg" {
		t.Errorf("production cookie name %q, want __Host-riskreg", got)
	}
	store, err := web.NewSessionStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if o := store.Options; !o.Secure || !o.HttpOnly || o.SameSite != http.SameSiteLaxMode || o.Path != "/" || o.Domain != "" {
		t.Errorf("production cookie options %+v, want Secure HttpOnly SameSite=Lax Path=/ and no Domain", *o)
	}
}

func TestSessionLogoutRevokes(t *testing.T) {
	e := newEnv(t)
	e.signup("Logout Org", "owner@logout.example")
	c := e.login("owner@logout.example", testPassword).noRedirect()
	other := e.login("owner@logout.example", testPassword).noRedirect()
	secLoadToken(t, c, "/risks")
	old := secSessionCookie(c)
	res := c.postForm("/logout", url.Values{})
	if res.StatusCode != http.StatusSeeOther || secLocation(t, e, res).Path != "/login" {
		t.Fatalf("logout: status %d Location %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res := c.get("/risks"); !secIsLoginRedirect(e, res) {
		t.Errorf("after logout the same browser is signed in: status %d", res.StatusCode)
	}
	replay := secClientWithCookie(e, old)
	if res := replay.get("/risks"); !secIsLoginRedirect(e, res) {
		t.Errorf("replayed pre-logout cookie: status %d, want a redirect to /login", res.StatusCode)
	}
	if res := replay.get("/risks/new"); !secIsLoginRedirect(e, res) {
		t.Errorf("replayed pre-logout cookie on /risks/new: status %d", res.StatusCode)
	}
	// Logging out one session leaves the user's other sessions alone.
	if res := other.get("/risks"); res.StatusCode != http.StatusOK {
		t.Errorf("other session after logout elsewhere: status %d, want 200", res.StatusCode)
	}
	// Logging in again with the jar holding the dead cookie gives a new one
	// and does not revive the old.
	c2 := secClientWithCookie(e, old)
	c2.http.CheckRedirect = nil
	res = c2.postForm("/login", url.Values{"email": {"owner@logout.example"}, "password": {testPassword}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("login again: %d", res.StatusCode)
	}
	if secSessionCookie(c2) == old {
		t.Errorf("login reused the revoked cookie")
	}
	if res := secClientWithCookie(e, old).get("/risks"); !secIsLoginRedirect(e, res) {
		t.Errorf("revoked cookie revived by a later login: status %d", res.StatusCode)
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	e := newEnv(t)
	clk := secInstallClock(t, e)
	e.signup("Idle Org", "owner@idle.example")
	idle := e.Server.Config.SessionIdleTimeout
	if idle <= 0 {
		t.Fatalf("idle timeout %v", idle)
	}
	c := e.login("owner@idle.example", testPassword).noRedirect()

	clk.Set(idle - time.Minute) // still within the idle window
	if res := c.get("/risks"); res.StatusCode != http.StatusOK {
		t.Fatalf("request %v after login: status %d, want 200", idle-time.Minute, res.StatusCode)
	}
	// Activity moved the window: idle again from there, plus a minute.
	clk.Set(2*idle + time.Minute)
	if res := c.get("/risks"); !secIsLoginRedirect(e, res) {
		t.Errorf("request after %v idle: status %d, want a redirect to /login", idle+2*time.Minute, res.StatusCode)
	}
	// The session is gone for good, not just hidden at that clock.
	clk.Set(0)
	if res := c.get("/risks"); !secIsLoginRedirect(e, res) {
		t.Errorf("idle-expired session came back when the clock returned: status %d", res.StatusCode)
	}

	// A second session: exactly past the idle timeout without activity.
	c2 := e.login("owner@idle.example", testPassword).noRedirect()
	clk.Set(idle + time.Minute)
	if res := c2.get("/risks"); !secIsLoginRedirect(e, res) {
		t.Errorf("request %v after the last one: status %d, want a redirect to /login", idle+time.Minute, res.StatusCode)
	}
}

func TestSessionAbsoluteTimeout(t *testing.T) {
	e := newEnv(t)
	clk := secInstallClock(t, e)
	e.signup("Absolute Org", "owner@absolute.example")
	idle, life := e.Server.Config.SessionIdleTimeout, e.Server.Config.SessionMaxLifetime
	step := idle - 5*time.Minute
	if step <= 0 || life <= idle {
		t.Fatalf("idle %v, lifetime %v", idle, life)
	}
	c := e.login("owner@absolute.example", testPassword).noRedirect()
	var at time.Duration
	for at = step; at < life-time.Minute; at += step {
		clk.Set(at)
		if res := c.get("/risks"); res.StatusCode != http.StatusOK {
			t.Fatalf("active session at +%v (lifetime %v): status %d, want 200", at, life, res.StatusCode)
		}
	}
	clk.Set(life + time.Minute) // within idle of the last request, past the lifetime
	if life+time.Minute-(at-step) >= idle {
		t.Fatalf("test bug: last step %v too far from %v", at-step, life+time.Minute)
	}
	if res := c.get("/risks"); !secIsLoginRedirect(e, res) {
		t.Errorf("session past its absolute lifetime %v: status %d, want a redirect to /login", life, res.StatusCode)
	}
	clk.Set(at - step)
	if res := c.get("/risks"); !secIsLoginRedirect(e, res) {
		t.Errorf("expired session came back when the clock returned: status %d", res.StatusCode)
	}
}

// ---------------------------------------------------------------------------
// 5. Login (catalogue #26, #27, #40)
// ---------------------------------------------------------------------------

func secLoginError(t *testing.T, res *response) string {
	t.Helper()
	return strings.TrimSpace(res.Doc(t).Find(`[data-testid="login-error"]`).Text())
}

func TestLoginFailures(t *testing.T) {
	e := newEnv(t)
	e.signup("Login Org", "owner@login.example")

	wrong := e.client().noRedirect()
	res := wrong.postForm("/login", url.Values{"email": {"owner@login.example"}, "password": {"wrong password!!"}})
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: status %d, want 401", res.StatusCode)
	}
	msgWrong := secLoginError(t, res)
	if msgWrong != "Incorrect email or password" {
		t.Errorf("wrong password message %q", msgWrong)
	}
	if res := wrong.get("/risks"); !secIsLoginRedirect(e, res) {
		t.Errorf("wrong password signed the browser in: status %d", res.StatusCode)
	}

	unknown := e.client().noRedirect()
	res2 := unknown.postForm("/login", url.Values{"email": {"nobody@login.example"}, "password": {"wrong password!!"}})
	if res2.StatusCode != res.StatusCode || secLoginError(t, res2) != msgWrong {
		t.Errorf("unknown email: status %d message %q; wrong password: %d %q (must be identical)",
			res2.StatusCode, secLoginError(t, res2), res.StatusCode, msgWrong)
	}
	if res := unknown.get("/risks"); !secIsLoginRedirect(e, res) {
		t.Errorf("unknown email signed the browser in: status %d", res.StatusCode)
	}
	// Upper-case and padded email of a real account with a wrong password:
	// the same answer too.
	res3 := unknown.postForm("/login", url.Values{"email": {"  OWNER@login.example "}, "password": {"wrong password!!"}})
	if res3.StatusCode != http.StatusUnauthorized || secLoginError(t, res3) != msgWrong {
		t.Errorf("case-folded email: status %d message %q", res3.StatusCode, secLoginError(t, res3))
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t)
	e.signup("Brute Org", "owner@brute.example")
	e.signup("Other Org", "other@brute.example")
	c := e.client().noRedirect()
	secLoadToken(t, c, "/login")
	// Ten wrong passwords from one address (with spoofed forwarding
	// headers, which must not matter: no proxy is trusted) are answered 401.
	for i := 1; i <= 10; i++ {
		res := c.postForm("/login", url.Values{"email": {"owner@brute.example"}, "password": {fmt.Sprintf("guess number %02d", i)}},
			"X-Forwarded-For", fmt.Sprintf("10.9.%d.%d", i, i), "X-Real-IP", fmt.Sprintf("10.8.%d.%d", i, i))
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i, res.StatusCode)
		}
	}
	res := c.postForm("/login", url.Values{"email": {"owner@brute.example"}, "password": {"guess number 11"}},
		"X-Forwarded-For", "10.7.7.7")
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("11th failure: status %d, want 429", res.StatusCode)
	}
	ra, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil || ra <= 0 || ra > int((15*time.Minute).Seconds())+1 {
		t.Errorf("Retry-After %q, want seconds in (0, 901]", res.Header.Get("Retry-After"))
	}
	// The right password is refused to the address that failed, even with
	// a spoofed forwarding header (a correct guess cannot skip the count).
	for _, xff := range []string{"", "203.0.113.9"} {
		good := e.client().noRedirect()
		res := good.postForm("/login", url.Values{"email": {"owner@brute.example"}, "password": {testPassword}}, "X-Forwarded-For", xff)
		if res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("correct password while blocked (XFF %q): status %d, want 429", xff, res.StatusCode)
		}
		if res.Header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
		if secCookieFromSetCookie(res, secCookieName(e)) != "" {
			if p, err := e.Server.PrincipalFromCookie(context.Background(), secCookieFromSetCookie(res, secCookieName(e))); err == nil && p != nil {
				t.Errorf("blocked login started a session")
			}
		}
	}
	// Another account from the same address is not locked out by this.
	if res := e.client().noRedirect().postForm("/login", url.Values{"email": {"other@brute.example"}, "password": {testPassword}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("another account from the same address: status %d, want 303", res.StatusCode)
	}
}

// TestLoginRateLimitConcurrent: a burst of parallel guesses must not get
// past the limit (ASVS: at most the limit is processed per window). Each
// attempt is counted, under the address's lock in PostgreSQL, before the
// ~30 ms password hash, so requests in flight together cannot all pass
// the check.
func TestLoginRateLimitConcurrent(t *testing.T) {
	e := newEnv(t)
	e.signup("Burst Org", "owner@burst.example")
	const n = 25
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = e.client().noRedirect()
		secLoadToken(t, clients[i], "/login")
	}
	statuses := make([]int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			form := url.Values{"email": {"owner@burst.example"}, "password": {fmt.Sprintf("burst guess %02d", i)}, "_csrf": {c.csrf}}
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			<-start
			res, err := c.http.Do(req)
			if err != nil {
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	processed := 0
	for i, st := range statuses {
		switch st {
		case http.StatusUnauthorized:
			processed++
		case http.StatusTooManyRequests:
		default:
			t.Errorf("guess %d: status %d, want 401 or 429", i, st)
		}
	}
	if processed > 10 {
		t.Errorf("%d of %d parallel wrong passwords were checked (401), want at most 10 (the account+address limit); the rest must get 429", processed, n)
	}
	// Sequentially the limit holds afterwards.
	res := e.client().noRedirect().postForm("/login", url.Values{"email": {"owner@burst.example"}, "password": {"one more guess"}})
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("after the burst: status %d, want 429", res.StatusCode)
	}
}

func TestLoginOpenRedirect(t *testing.T) {
	e := newEnv(t)
	e.signup("Redirect Org", "owner@redirect.example")
	cases := []struct {
		next, want string // want "" = any same-origin path
	}{
		{"//evil.example", "/"},
		{"https://evil.example", "/"},
		{`/\evil.example`, "/"},
		{"/risks?status=open", "/risks?status=open"},
		{"https:evil.example", "/"},
		{`\/\/evil.example`, "/"},
		{"javascript:alert(1)", "/"},
		{"/%2F%2Fevil.example", ""},
		{"/\t/evil.example", "/"},
		{"", "/"},
	}
	for _, tc := range cases {
		c := e.client().noRedirect()
		res := c.postForm("/login", url.Values{"email": {"owner@redirect.example"}, "password": {testPassword}, "next": {tc.next}})
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("next=%q: status %d, want 303", tc.next, res.StatusCode)
			continue
		}
		loc := res.Header.Get("Location")
		u := secLocation(t, e, res)
		if "http://"+u.Host != e.URL {
			t.Errorf("next=%q redirects off-site to %q", tc.next, loc)
		}
		if tc.want != "" && loc != tc.want {
			t.Errorf("next=%q: Location %q, want %q", tc.next, loc, tc.want)
		}
	}
	// The login page carries only a safe next into its form.
	res := e.client().get("/login?next=" + url.QueryEscape("//evil.example"))
	if v, _ := res.Doc(t).Find(`input[name="next"]`).Attr("value"); v != "/" {
		t.Errorf("login page next field %q, want /", v)
	}
}

// ---------------------------------------------------------------------------
// 6. Output safety (catalogue #1, #3)
// ---------------------------------------------------------------------------

const (
	secXSSTitle = `<img src=x onerror=alert(1)>`
	secXSSDesc  = `"><svg onload=alert(1)>`
	secXSSDesc2 = `</textarea><script>alert(1)</script>`
	secXSSOrg   = `<img src=x onerror=alert(3)>`
	secXSSTag   = `"><img src=x onerror=alert(2)>`
)

// secNoMarkup fails when a payload reached the page as markup.
func secNoMarkup(t *testing.T, label string, res *response) {
	t.Helper()
	low := strings.ToLower(res.Body)
	for _, p := range []string{"<img src=x", "<svg onload", "<script>alert", "</textarea><script"} {
		if strings.Contains(low, p) {
			i := strings.Index(low, p)
			t.Errorf("%s: unescaped payload %q in the body: …%s…", label, p, res.Body[max(0, i-60):min(len(res.Body), i+60)])
		}
	}
	doc := res.Doc(t)
	// The app's own icons are decorative SVGs marked aria-hidden; an
	// injected one would not be.
	if n := doc.Find(`[onerror], [onload], svg:not([aria-hidden="true"]), img[src="x"]`).Length(); n != 0 {
		t.Errorf("%s: %d element(s) created from a payload", label, n)
	}
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), "alert") {
			t.Errorf("%s: script element with %q", label, s.Text())
		}
	})
}

func TestOutputEscaping(t *testing.T) {
	e := newEnv(t)
	a := e.signup(secXSSOrg, "owner@xss.example")
	r1 := e.createRisk(a, risk.Input{Title: secXSSTitle, Description: secXSSDesc, Tags: []string{secXSSTag},
		AssigneeID: a.Owner.principal().MemberID, Probability: 3, Impact: 3})
	r2 := e.createRisk(a, risk.Input{Title: "Second " + secXSSTitle, Description: secXSSDesc2})
	c := a.Owner.noRedirect()

	pages := []struct {
		path    string
		headers []string
		check   func(t *testing.T, res *response)
	}{
		{"/risks", nil, func(t *testing.T, res *response) {
			if got := res.Doc(t).Find(`[data-testid="risk-title"]`).Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) }); !slices.Contains(got, secXSSTitle) {
				t.Errorf("register: titles %q do not show the payload as text", got)
			}
		}},
		{"/risks", []string{"HX-Request", "true", "HX-Target", "risk-results"}, func(t *testing.T, res *response) {
			if strings.Contains(res.Body, "<html") {
				t.Errorf("htmx request got a whole page, not the partial")
			}
			if got := res.Doc(t).Find(`[data-testid="risk-title"]`).Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) }); !slices.Contains(got, secXSSTitle) {
				t.Errorf("partial: titles %q do not show the payload as text", got)
			}
		}},
		{"/risks?q=img", nil, nil},
		{"/risks?tag=" + url.QueryEscape(secXSSTag), nil, nil},
		{"/risks/" + r1.Identifier(), nil, func(t *testing.T, res *response) {
			doc := res.Doc(t)
			if got := doc.Find(`[data-testid="risk-heading"]`).Text(); !strings.Contains(got, secXSSTitle) {
				t.Errorf("detail heading %q does not show the payload as text", got)
			}
			if got := strings.TrimSpace(doc.Find(`[data-testid="risk-description"]`).Text()); got != secXSSDesc {
				t.Errorf("detail description %q, want the payload as text", got)
			}
		}},
		{"/risks/" + r1.Identifier() + "/edit", nil, func(t *testing.T, res *response) {
			doc := res.Doc(t)
			if v, _ := doc.Find(`input[name="title"]`).Attr("value"); v != secXSSTitle {
				t.Errorf("edit form title value %q, want the payload", v)
			}
			if got := doc.Find(`textarea[name="description"]`).Text(); strings.TrimSpace(got) != secXSSDesc {
				t.Errorf("edit form description %q, want the payload", got)
			}
		}},
		{"/risks/" + r1.Identifier() + "/edit", []string{"HX-Request", "true", "HX-Target", "risk-form"}, nil},
		{"/risks/" + r2.Identifier() + "/edit", nil, func(t *testing.T, res *response) {
			if got := res.Doc(t).Find(`textarea[name="description"]`).Text(); strings.TrimSpace(got) != secXSSDesc2 {
				t.Errorf("edit form description %q, want the textarea-breaking payload as text", got)
			}
		}},
		{"/risks/" + r2.Identifier(), nil, nil},
		{"/risks/" + r1.Identifier() + "/delete", nil, nil},
		{"/risks/new", nil, nil},
	}
	for _, p := range pages {
		res := c.get(p.path, p.headers...)
		label := fmt.Sprintf("GET %s %v", p.path, p.headers)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", label, res.StatusCode)
			continue
		}
		secNoMarkup(t, label, res)
		if p.check != nil {
			p.check(t, res)
		}
	}

	// A 422 re-render keeps the payload escaped.
	secLoadToken(t, c, "/risks/new")
	form := secRiskForm(secXSSTitle)
	form.Set("description", "")
	res := c.postForm("/risks", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("invalid create: status %d, want 422", res.StatusCode)
	}
	secNoMarkup(t, "422 form", res)
	res = c.postForm("/risks", form, "HX-Request", "true", "HX-Target", "risk-form")
	secNoMarkup(t, "422 form (htmx)", res)
	// A 409 conflict page shows the stored and submitted values escaped.
	form = secRiskForm(secXSSTitle + " edited")
	form.Set("version", "999")
	res = c.postForm("/risks/"+r1.Identifier(), form)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("stale update: status %d, want 409", res.StatusCode)
	}
	secNoMarkup(t, "409 conflict", res)
}

func TestOutputReflectedParams(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Reflect Org", "owner@reflect.example")
	e.createRisk(a, risk.Input{Title: "Reflected probe"})
	c := a.Owner.noRedirect()
	const payload = `<script>alert(1)</script>`

	// q is valid free text: 200, shown escaped in the search box.
	for _, hx := range [][]string{nil, {"HX-Request", "true", "HX-Target", "risk-results"}} {
		res := c.get("/risks?q="+url.QueryEscape(payload), hx...)
		if res.StatusCode != http.StatusOK {
			t.Errorf("q=payload (htmx %v): status %d, want 200", hx != nil, res.StatusCode)
		}
		secNoMarkup(t, "q=payload", res)
		if hx == nil {
			if v, _ := res.Doc(t).Find(`input#f-q`).Attr("value"); v != payload {
				t.Errorf("search box value %q, want the payload as text", v)
			}
		}
	}

	// A bogus sort key: 400 naming sort, escaped.
	for _, hx := range [][]string{nil, {"HX-Request", "true", "HX-Target", "risk-results"}} {
		res := c.get("/risks?sort="+url.QueryEscape("<script>"), hx...)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("sort=<script> (htmx %v): status %d, want 400", hx != nil, res.StatusCode)
		}
		if strings.Contains(res.Body, "'<script>'") || strings.Contains(res.Body, "key <script>") {
			t.Errorf("sort=<script>: the bad key is reflected unescaped")
		}
		errs := res.Doc(t).Find(`[data-testid="query-errors"]`).Text()
		if !strings.Contains(errs, "sort") || !strings.Contains(errs, "<script>") {
			t.Errorf("sort=<script>: error %q does not name sort and the value", errs)
		}
	}

	// Every list parameter, and the 404 page.
	for _, p := range []string{"q", "status", "category", "department", "assignee", "tag", "register", "level", "rlevel",
		"sort", "page", "per_page", "archived"} {
		for _, v := range []string{payload, `"><svg onload=alert(1)>`, `'onmouseover='alert(1)`} {
			path := "/risks?" + p + "=" + url.QueryEscape(v)
			res := c.get(path)
			if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusBadRequest {
				t.Errorf("GET %s: status %d, want 200 or 400", path, res.StatusCode)
			}
			secNoMarkup(t, "GET "+path, res)
			if n := res.Doc(t).Find(`[onmouseover]`).Length(); n != 0 {
				t.Errorf("GET %s: attribute injection", path)
			}
		}
	}
	for _, path := range []string{"/risks/" + url.PathEscape(payload), "/risks/" + url.PathEscape(payload) + "/edit",
		"/" + url.PathEscape(payload), "/risks/assess?register_id=" + url.QueryEscape(payload)} {
		res := c.get(path)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
		}
		secNoMarkup(t, "GET "+path, res)
	}
	res := e.client().get("/login?next=" + url.QueryEscape(`"><script>alert(1)</script>`))
	secNoMarkup(t, "login next", res)
}

// ---------------------------------------------------------------------------
// 7. Headers (catalogue #7, #8, #13)
// ---------------------------------------------------------------------------

func secCheckCSP(t *testing.T, label, csp string) {
	t.Helper()
	if csp == "" {
		t.Errorf("%s: no Content-Security-Policy", label)
		return
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "unsafe-hashes") {
		t.Errorf("%s: CSP allows unsafe sources: %s", label, csp)
	}
	dirs := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			dirs[strings.ToLower(f[0])] = f[1:]
		}
	}
	for _, d := range []string{"frame-ancestors", "object-src", "base-uri"} {
		if v := dirs[d]; len(v) != 1 || v[0] != "'none'" {
			t.Errorf("%s: CSP %s = %v, want 'none'", label, d, v)
		}
	}
	script := dirs["script-src"]
	if script == nil {
		script = dirs["default-src"]
	}
	if script == nil {
		t.Errorf("%s: CSP restricts no scripts: %s", label, csp)
	}
	for _, s := range script {
		if s == "*" || s == "data:" || s == "http:" || s == "https:" || s == "blob:" {
			t.Errorf("%s: CSP script source %q is too broad", label, s)
		}
	}
}

func secVary(h http.Header) []string {
	var out []string
	for _, v := range h.Values("Vary") {
		for _, p := range strings.Split(v, ",") {
			out = append(out, strings.ToLower(strings.TrimSpace(p)))
		}
	}
	return out
}

func TestHeadersSecurity(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Header Org", "owner@header.example")
	rk := e.createRisk(a, risk.Input{Title: "Header probe"})
	c := a.Owner.noRedirect()
	secLoadToken(t, c, "/risks/new")
	anon := e.client().noRedirect()

	type probe struct {
		label  string
		res    *response
		status int
		authed bool
	}
	probes := []probe{
		{"GET /login", anon.get("/login"), 200, false},
		{"GET /login (evil Origin)", anon.get("/login", "Origin", "https://evil.example"), 200, false},
		{"GET /risks", c.get("/risks"), 200, true},
		{"GET /risks (evil Origin)", c.get("/risks", "Origin", "https://evil.example"), 200, true},
		{"GET /risks (htmx partial)", c.get("/risks", "HX-Request", "true", "HX-Target", "risk-results", "Origin", "https://evil.example"), 200, true},
		{"GET /risks/:id", c.get("/risks/" + rk.Identifier()), 200, true},
		{"GET /risks/new", c.get("/risks/new"), 200, true},
		{"GET /nope (signed in)", c.get("/nope", "Origin", "https://evil.example"), 404, true},
		{"GET /risks/RSK-99999", c.get("/risks/RSK-99999"), 404, true},
		{"GET /nope (anonymous)", anon.get("/nope"), 404, false},
		{"POST /risks invalid", c.postForm("/risks", url.Values{"title": {""}}, "Origin", e.URL), 422, true},
		{"GET /risks?sort=bogus", c.get("/risks?sort=bogus"), 400, true},
		{"POST /risks without token", secPost(c, "/risks", "title=x"), 403, true},
	}
	for _, p := range probes {
		h := p.res.Header
		if p.res.StatusCode != p.status {
			t.Errorf("%s: status %d, want %d", p.label, p.res.StatusCode, p.status)
		}
		secCheckCSP(t, p.label, h.Get("Content-Security-Policy"))
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", p.label, got)
		}
		if got := h.Get("Referrer-Policy"); got == "" || got == "unsafe-url" || got == "no-referrer-when-downgrade" {
			t.Errorf("%s: Referrer-Policy %q", p.label, got)
		}
		if p.authed && !strings.Contains(h.Get("Cache-Control"), "no-store") {
			t.Errorf("%s: Cache-Control %q on an authenticated page, want no-store", p.label, h.Get("Cache-Control"))
		}
		if got := h.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("%s: Access-Control-Allow-Origin %q", p.label, got)
		}
		if got := h.Get("Access-Control-Allow-Credentials"); got != "" {
			t.Errorf("%s: Access-Control-Allow-Credentials %q", p.label, got)
		}
		if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
			t.Errorf("%s: Content-Type %q, want text/html; charset=utf-8", p.label, ct)
		}
		if strings.HasPrefix(p.label, "GET /risks") && p.status == 200 && !slices.Contains(secVary(h), "hx-request") {
			t.Errorf("%s: Vary %q does not include HX-Request", p.label, h.Values("Vary"))
		}
	}
	// Errors raised by the HTTP server itself (here: a body over the limit)
	// are rendered by the ErrorHandler without the middleware chain; the
	// HTML they return needs the same headers.
	status, h, _ := secBigPost(t, c, "/risks", 5<<20, false)
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized POST: status %d, want 413", status)
	}
	secCheckCSP(t, "413 page", h.Get("Content-Security-Policy"))
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("413 page: X-Content-Type-Options %q, want nosniff", got)
	}
	if got := h.Get("Cache-Control"); !strings.Contains(got, "no-store") {
		t.Errorf("413 page: Cache-Control %q, want no-store", got)
	}

	// CORS preflight from a foreign origin.
	for _, origin := range []string{"https://evil.example", "null"} {
		res := secDo(c, http.MethodOptions, "/risks", "Origin", origin, "Access-Control-Request-Method", "POST",
			"Access-Control-Request-Headers", "X-CSRF-Token")
		if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("preflight from %s: Access-Control-Allow-Origin %q", origin, got)
		}
		if got := res.Header.Get("Access-Control-Allow-Headers"); got != "" {
			t.Errorf("preflight from %s: Access-Control-Allow-Headers %q", origin, got)
		}
	}
}

// ---------------------------------------------------------------------------
// 8. Errors leak nothing (catalogue #42, #44)
// ---------------------------------------------------------------------------

func TestErrorsLeakNothing(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Error Org", "owner@error.example")
	rk := e.createRisk(a, risk.Input{Title: "Error probe"})
	c := a.Owner.noRedirect()
	secLoadToken(t, c, "/risks/new")
	anon := e.client().noRedirect()

	notFound := []string{"/risks/RSK-99999", "/risks/rsk_doesnotexist", "/risks/" + url.PathEscape("rsk_' OR 1=1--"),
		"/risks/" + url.PathEscape(`1; SELECT pg_sleep(1)`), "/risks/RSK-99999999999999999999999", "/risks/RSK-0",
		"/risks/RSK--1", "/risks/" + strings.Repeat("x", 2000), "/risks/RSK-99999/edit", "/nope",
		"/risks/assess?register_id=reg_doesnotexist"}
	for _, path := range notFound {
		res := c.get(path)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
		}
		secAssertNoLeak(t, "GET "+path, res)
		rid := res.Header.Get("X-Request-ID")
		page := res.Doc(t).Find(`[data-testid="error-page"]`)
		if page.Length() == 0 {
			t.Errorf("GET %s: no error page", path)
		}
		if rid == "" || !strings.Contains(page.Text(), rid) {
			t.Errorf("GET %s: 404 page does not show the request id %q", path, rid)
		}
	}
	// Anonymous 404 also has a request id.
	if res := anon.get("/nope"); res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, res.Header.Get("X-Request-ID")) || res.Header.Get("X-Request-ID") == "" {
		t.Errorf("anonymous 404: status %d, request id %q not shown", res.StatusCode, res.Header.Get("X-Request-ID"))
	}
	// A forged X-Request-ID is not reflected raw.
	res := c.get("/nope", "X-Request-ID", `<script>alert(1)</script>`)
	if strings.Contains(res.Body, "<script>alert(1)") {
		t.Errorf("forged X-Request-ID reflected")
	}

	bad := []struct {
		label string
		res   *response
		want  int
	}{
		{"sort=bogus", c.get("/risks?sort=bogus"), 400},
		{"per_page=7", c.get("/risks?per_page=7"), 400},
		{"page=-1", c.get("/risks?page=-1"), 400},
		{"level=x", c.get("/risks?level=x"), 400},
		{"create invalid", c.postForm("/risks", url.Values{"title": {""}, "probability": {"x"}, "due_date": {"31/12/2024"}, "category": {"' OR 1=1"}}), 422},
		{"update invalid", c.postForm("/risks/"+rk.Identifier(), url.Values{"title": {""}, "version": {"1"}}), 422},
		{"delete without version", c.postForm("/risks/"+rk.Identifier()+"/delete", url.Values{}), 422},
		{"delete with bad version", c.postForm("/risks/"+rk.Identifier()+"/delete", url.Values{"version": {"abc"}}), 422},
		{"signup invalid", anon.postForm("/signup", url.Values{"organization": {""}, "email": {"not-an-email"}, "password": {"x"}}), 422},
		{"signup duplicate", anon.postForm("/signup", url.Values{"organization": {"Dup"}, "name": {"Dup"}, "email": {"owner@error.example"}, "password": {testPassword}}), 422},
	}
	for _, b := range bad {
		if b.res.StatusCode != b.want {
			t.Errorf("%s: status %d, want %d", b.label, b.res.StatusCode, b.want)
		}
		secAssertNoLeak(t, b.label, b.res)
	}

	// Debug and admin surfaces are not exposed.
	for _, path := range []string{"/debug/pprof/", "/debug/vars", "/metrics", "/swagger", "/swagger/index.html", "/.git/config",
		"/.env", "/static/../go.mod", "/static/%2e%2e/go.mod", "/static/..%2fgo.mod"} {
		res := anon.get(path)
		if res.StatusCode == http.StatusOK || strings.Contains(res.Body, "module github.com") || strings.Contains(res.Body, "[core]") {
			t.Errorf("GET %s: status %d exposes something", path, res.StatusCode)
		}
	}
}

// ---------------------------------------------------------------------------
// 9. Bad input (SECURITY.md promise 6)
// ---------------------------------------------------------------------------

// secBigPost sends a large body over a raw connection (the server may
// answer before reading it) and returns the status, headers and body.
func secBigPost(t *testing.T, c *client, path string, size int, chunked bool) (int, http.Header, string) {
	t.Helper()
	u, _ := url.Parse(c.e.URL)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var cookies []string
	for _, ck := range c.http.Jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	prefix := "_csrf=" + url.QueryEscape(c.csrf) + "&description=d&category=technology&title="
	total := len(prefix) + size
	head := "POST " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"Cookie: " + strings.Join(cookies, "; ") + "\r\nConnection: close\r\n"
	if chunked {
		head += "Transfer-Encoding: chunked\r\n\r\n"
	} else {
		head += "Content-Length: " + strconv.Itoa(total) + "\r\n\r\n"
	}
	go func() {
		w := bufio.NewWriterSize(conn, 64<<10)
		_, _ = w.WriteString(head)
		chunk := strings.Repeat("a", 64<<10)
		write := func(s string) {
			if chunked {
				fmt.Fprintf(w, "%x\r\n%s\r\n", len(s), s)
			} else {
				_, _ = w.WriteString(s)
			}
		}
		write(prefix)
		for sent := 0; sent < size; sent += len(chunk) {
			n := min(len(chunk), size-sent)
			write(chunk[:n])
			if err := w.Flush(); err != nil {
				return
			}
		}
		if chunked {
			_, _ = w.WriteString("0\r\n\r\n")
		}
		_ = w.Flush()
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Errorf("POST %s with %d bytes: no HTTP response: %v", path, size, err)
		return 0, http.Header{}, ""
	}
	defer res.Body.Close()
	b := make([]byte, 64<<10)
	n, _ := res.Body.Read(b)
	return res.StatusCode, res.Header, string(b[:n])
}

func TestBadInputRiskForm(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Input Org", "owner@input.example")
	c := a.Owner.noRedirect()
	secLoadToken(t, c, "/risks/new")

	cases := []struct {
		name  string
		set   map[string]string
		field string
	}{
		{"NUL byte in title", map[string]string{"title": "Before\x00after"}, "title"},
		{"NUL byte only", map[string]string{"title": "\x00"}, "title"},
		{"invalid UTF-8 in title", map[string]string{"title": "bad \xff\xfe utf8"}, "title"},
		{"201-character title", map[string]string{"title": strings.Repeat("t", 201)}, "title"},
		{"201 multibyte characters", map[string]string{"title": strings.Repeat("é", 201)}, "title"},
		{"whitespace title", map[string]string{"title": "   "}, "title"},
		{"non-numeric probability", map[string]string{"probability": "high"}, "probability"},
		{"probability 1e3", map[string]string{"probability": "1e3"}, "probability"},
		{"probability 11", map[string]string{"probability": "11"}, "probability"},
		{"negative impact", map[string]string{"impact": "-1"}, "impact"},
		{"huge impact", map[string]string{"impact": "99999999999999999999999"}, "impact"},
		{"NUL in description", map[string]string{"description": "x\x00y"}, "description"},
		{"unknown category", map[string]string{"category": "<b>other</b>"}, "category"},
		{"bad due date", map[string]string{"due_date": "2024-02-30"}, "due_date"},
		{"NUL in tag", map[string]string{"tags": "ok,\x00"}, "tags"},
		{"NUL in assignee", map[string]string{"assignee_id": "mem_\x00"}, "assigneeId"},
	}
	for _, tc := range cases {
		form := secRiskForm("Valid title")
		for k, v := range tc.set {
			form.Set(k, v)
		}
		res := c.postForm("/risks", form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tc.name, res.StatusCode)
			continue
		}
		if res.Doc(t).Find(`[data-testid="error-`+tc.field+`"]`).Length() == 0 {
			t.Errorf("%s: the 422 shows no error for %s", tc.name, tc.field)
		}
		secAssertNoLeak(t, tc.name, res)
	}
	if n := secCount(t, e, "risks", ""); n != 0 {
		t.Errorf("%d risks created from bad input", n)
	}

	// 5 MB bodies: 413, not 500 (nor a dropped connection).
	for _, chunked := range []bool{false, true} {
		status, _, body := secBigPost(t, c, "/risks", 5<<20, chunked)
		if status != http.StatusRequestEntityTooLarge {
			t.Errorf("5 MB POST (chunked %v): status %d, want 413", chunked, status)
		}
		if strings.Contains(body, "body size exceeds") || strings.Contains(body, "fasthttp") {
			t.Errorf("5 MB POST (chunked %v): body leaks internals: %q", chunked, body[:min(len(body), 200)])
		}
	}
	if n := secCount(t, e, "risks", ""); n != 0 {
		t.Errorf("%d risks created from oversized bodies", n)
	}
	// The server still answers afterwards.
	if res := c.get("/risks"); res.StatusCode != http.StatusOK {
		t.Errorf("after oversized bodies: status %d", res.StatusCode)
	}
}

// TestBadInputQuery: bad URL parameters get 400/404, never a 500.
func TestBadInputQuery(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Query Org", "owner@query.example")
	rk := e.createRisk(a, risk.Input{Title: "Query probe"})
	c := a.Owner.noRedirect()
	secLoadToken(t, c, "/risks/new")

	cases := []struct {
		path  string
		want  int
		field string // for 400: the parameter the message must name
	}{
		{"/risks?q=%00", 400, "q"},
		{"/risks?q=a%00b", 400, "q"},
		{"/risks?tag=%00", 400, "tag"},
		{"/risks?assignee=%00", 400, "assignee"},
		{"/risks?register=%00", 400, "register"},
		{"/risks?q=%FF%FE", 400, "q"}, // not UTF-8: refused, naming the parameter
		{"/risks?q=" + strings.Repeat("a", 201), 400, "q"},
		{"/risks?sort=title%00", 400, "sort"},
		{"/risks?page=99999999999999999999", 400, "page"},
		{"/risks?level=%00", 400, "level"},
		{"/risks/%00", 404, ""},
		{"/risks/RSK-%00", 404, ""},
		{"/risks/%FF", 404, ""},
		{"/risks/assess?register_id=%00", 404, ""},
		{"/risks/assess?register_id=%FF", 404, ""},
		{"/risks/assess?probability=%00&impact=99", 200, ""},
	}
	for _, tc := range cases {
		for _, hx := range [][]string{nil, {"HX-Request", "true", "HX-Target", "risk-results"}} {
			res := c.get(tc.path, hx...)
			label := fmt.Sprintf("GET %s (htmx %v)", tc.path, hx != nil)
			if res.StatusCode != tc.want {
				t.Errorf("%s: status %d, want %d", label, res.StatusCode, tc.want)
			}
			secAssertNoLeak(t, label, res)
			if tc.field != "" && res.StatusCode == http.StatusBadRequest {
				if errs := res.Doc(t).Find(`[data-testid="query-errors"]`).Text(); !strings.Contains(errs, tc.field) {
					t.Errorf("%s: errors %q do not name %s", label, errs, tc.field)
				}
			}
		}
	}
	// Bad ids in write routes.
	for _, id := range []string{"%00", "RSK-%00"} {
		res := c.postForm("/risks/"+id, secRiskForm("x"))
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("POST /risks/%s: status %d, want 404", id, res.StatusCode)
		}
	}
	// A NUL in the organization to switch to.
	if res := c.postForm("/orgs/switch", url.Values{"org": {"org_\x00"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("switch to org with NUL: status %d, want 404", res.StatusCode)
	}
	// Login and sign-up with NUL bytes and invalid UTF-8.
	anon := e.client().noRedirect()
	for _, f := range []url.Values{
		{"email": {"owner@query.example\x00"}, "password": {testPassword}},
		{"email": {"owner@query.example"}, "password": {"pass\x00word-long-enough"}},
		{"email": {"\xff@query.example"}, "password": {testPassword}},
	} {
		if res := anon.postForm("/login", f); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("login with %q: status %d, want 401", f, res.StatusCode)
		}
	}
	for _, f := range []url.Values{
		{"organization": {"Org\x00"}, "name": {"N"}, "email": {"n@query.example"}, "password": {testPassword}},
		{"organization": {"Org"}, "name": {"N\xff"}, "email": {"n@query.example"}, "password": {testPassword}},
	} {
		if res := anon.postForm("/signup", f); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("signup with %q: status %d, want 422", f, res.StatusCode)
		}
	}
	_ = rk
}
