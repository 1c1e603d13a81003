package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"
	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/config"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web"
	"github.com/riskreg/riskreg/app/wire"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
)

// The harness: every test and benchmark gets its own database (cloned from a
// migrated template) and its own app. HTTP tests go through a real listener on
// 127.0.0.1 so cookies, redirects and the browser behave as in production.

func TestMain(m *testing.M) {
	code := dbtest.Run(m)
	stopBrowser()
	os.Exit(code)
}

const testPassword = "correct horse battery"

type env struct {
	t      testing.TB
	DB     *bun.DB
	Server *web.Server
	App    *fiber.App
	URL    string // http://127.0.0.1:port
	dbName string
	Clock  *testClock // the app's clock: real time until a test sets or advances it
}

// testClock is the clock injected into the app: it follows real time,
// shifted by whatever a test added, so "when time passes" tests move the
// app days ahead without sleeping.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the app's clock d ahead (sessions age with it).
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Set moves the app's clock to t, from where it goes on ticking.
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.offset = time.Until(t)
	c.mu.Unlock()
}

// newEnv serves a fresh database on a loopback listener for a test or a
// benchmark; setup failures end t.
func newEnv(t testing.TB) *env {
	t.Helper()
	bdb, dbName := dbtest.NewDB(t)
	return serveEnv(t, bdb, dbName)
}

// instance returns a second app on e's database with a connection pool of
// its own, as another instance behind a load balancer would be.
func (e *env) instance() *env {
	e.t.Helper()
	bdb, err := db.Open(dbtest.DSN(e.dbName))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { bdb.Close() })
	return serveEnv(e.t, bdb, e.dbName)
}

// serveEnv serves an app over bdb on a new 127.0.0.1 listener.
func serveEnv(t testing.TB, bdb *bun.DB, dbName string) *env {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg, err := config.Load(func(k string) string {
		switch k {
		case "BASE_URL":
			return base
		case "SESSION_SECRET":
			return "test-secret-test-secret-test-secret-000"
		case "DATA_DIR":
			return t.TempDir()
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{}
	cfg.Now = clock.Now
	srv, err := wire.Server(cfg, bdb, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app := web.New(srv)
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return &env{t: t, DB: bdb, Server: srv, App: app, URL: base, dbName: dbName, Clock: clock}
}

// org is an organization created through sign-up, with its owner signed in.
type org struct {
	ID    string
	Name  string
	Owner *client
}

// signup creates an organization through the sign-up form.
func (e *env) signup(orgName, email string) *org {
	e.t.Helper()
	c := e.client()
	res := c.postForm("/signup", url.Values{"organization": {orgName}, "name": {"Owner " + orgName}, "email": {email}, "password": {testPassword}})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.URL, e.URL+"/risks") {
		e.t.Fatalf("signup %s: status %d at %s: %s", email, res.StatusCode, res.URL, res.Body)
	}
	p := c.principal()
	return &org{ID: p.Organization.ID, Name: orgName, Owner: c}
}

// addMember creates a user with role in o and returns them signed in.
func (e *env) addMember(o *org, email string, role account.Role) *client {
	e.t.Helper()
	_, _, err := e.Server.Accounts.CreateUser(context.Background(), account.NewUserInput{
		Organization: o.Name, Name: "Member " + email, Email: email, Password: testPassword, Role: role,
	})
	if err != nil {
		e.t.Fatalf("add member: %v", err)
	}
	return e.login(email, testPassword)
}

// login signs in through the login form.
func (e *env) login(email, password string) *client {
	e.t.Helper()
	c := e.client()
	res := c.postForm("/login", url.Values{"email": {email}, "password": {password}})
	// Editors land on My work, everyone else on the dashboard.
	if res.StatusCode != http.StatusOK || (res.URL != e.URL+"/" && res.URL != e.URL+"/me") {
		e.t.Fatalf("login %s: status %d at %s", email, res.StatusCode, res.URL)
	}
	return c
}

// createRisk creates a risk through the service as the org's owner.
func (e *env) createRisk(o *org, in risk.Input) *risk.Risk {
	e.t.Helper()
	p := o.Owner.principal()
	if in.Category == "" {
		in.Category = "technology"
	}
	if in.Description == "" {
		in.Description = "Described for a test."
	}
	r, err := e.Server.Risks.Create(context.Background(), o.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name}, in)
	if err != nil {
		e.t.Fatalf("create risk: %v", err)
	}
	return r
}

// createIncident records an incident through the service as the org's owner.
func (e *env) createIncident(o *org, title string) *incident.Incident {
	e.t.Helper()
	p := o.Owner.principal()
	i, err := e.Server.Incidents.Create(context.Background(), o.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name},
		incident.Input{Title: title, Description: "Recorded for a test.", Severity: "high"})
	if err != nil {
		e.t.Fatalf("create incident: %v", err)
	}
	return i
}

// client is a browser without JavaScript: a cookie jar and the CSRF token
// of the last page it loaded.
type client struct {
	e    *env
	http *http.Client
	csrf string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// clientFrom is a client whose connections come from ip, a loopback
// address other than 127.0.0.1 (Linux answers on all of 127.0.0.0/8), so
// the server sees another client address without trusting any header.
func (e *env) clientFrom(ip string) *client {
	c := e.client()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	c.http.Transport = &http.Transport{DialContext: d.DialContext}
	return c
}

// response is a read response.
type response struct {
	StatusCode int
	Header     http.Header
	Body       string
	URL        string // after redirects
}

// Doc parses the body as HTML.
func (r *response) Doc(t *testing.T) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func (c *client) do(req *http.Request) *response {
	c.e.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := &response{StatusCode: res.StatusCode, Header: res.Header, Body: string(b), URL: res.Request.URL.String()}
	if doc, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body)); err == nil {
		if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
			c.csrf = tok
		}
	}
	return r
}

// get requests path; headers are name, value pairs.
func (c *client) get(path string, headers ...string) *response {
	req, _ := http.NewRequest(http.MethodGet, c.e.URL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

// postForm posts form values with the CSRF token (loading the path's
// page first when the client has none yet).
func (c *client) postForm(path string, v url.Values, headers ...string) *response {
	c.e.t.Helper()
	if c.csrf == "" {
		c.get("/login")
	}
	if !v.Has("_csrf") {
		v.Set("_csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.e.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

// noRedirect makes the client return redirects instead of following them.
func (c *client) noRedirect() *client {
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// principal returns who the client is signed in as.
func (c *client) principal() *account.Principal {
	c.e.t.Helper()
	u, _ := url.Parse(c.e.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name != "riskreg" {
			continue
		}
		p, err := c.e.Server.PrincipalFromCookie(context.Background(), ck.Value)
		if err != nil {
			c.e.t.Fatalf("principal: %v", err)
		}
		return p
	}
	c.e.t.Fatal("principal: not signed in")
	return nil
}

// Browser tests share one headless Chromium per test binary.
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel context.CancelFunc
	browserErr    error
)

func stopBrowser() {
	if browserCancel != nil {
		browserCancel()
	}
}

// newTab returns a fresh browser tab (own cookies: an incognito context).
func newTab(t *testing.T) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.DisableGPU,
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-quic", true),
			chromedp.WindowSize(1400, 1000),
		)
		for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
			if _, err := os.Stat(p); err == nil {
				opts = append(opts, chromedp.ExecPath(p))
				break
			}
		}
		// An incognito tab needs a parent whose browser already runs.
		allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(allocCtx)
		browserCtx = ctx
		browserCancel = func() { cancel(); allocCancel() }
		browserErr = chromedp.Do(ctx) // starts the browser, no deadline
	})
	if browserErr != nil {
		t.Fatalf("start Chromium: %v (make test installs it; see the README)", browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	// A guard against a hung browser, not a speed check: a tab under the race
	// detector on a busy 2-core machine needed more than a minute.
	ctx, cancelTimeout := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v (make test installs it; see the README)", err)
	}
	return ctx
}
