package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/risk"
)

// Browser tests: headless Chromium drives the real app as a person would,
// with JavaScript, htmx and the Content Security Policy in force. Every test
// collects the console and fails on a CSP violation or a JavaScript error.
//
// Screenshots for humans go to screenshotDir (outside the repository).

const screenshotDir = "/tmp/riskreg-screens"

// browser is one tab driving one test's app.
type browser struct {
	t       *testing.T
	e       *env
	ctx     context.Context
	console *consoleLog
}

// openBrowser returns a fresh tab (own cookies) with a 1400x1000 viewport,
// whose console is watched from now on.
func openBrowser(t *testing.T, e *env) *browser {
	t.Helper()
	ctx := newTab(t)
	b := &browser{t: t, e: e, ctx: ctx, console: watchConsole(ctx)}
	b.do(chromedp.EmulateViewport(1400, 1000))
	return b
}

// fatal fails the test with a screenshot and the console for diagnosis.
func (b *browser) fatal(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	// The tab context may have ended; use a short, separate deadline.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 3*time.Second)
	defer cancel()
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		msg += "\n  at " + loc
	}
	if buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		name := filepath.Join(screenshotDir, "FAILED-"+b.t.Name()+".png")
		if os.MkdirAll(screenshotDir, 0o755) == nil && os.WriteFile(name, buf, 0o644) == nil {
			msg += "\n  screenshot: " + name
		}
	}
	for _, m := range b.console.all() {
		msg += "\n  console " + describeConsole(m)
	}
	b.t.Fatal(msg)
}

// do runs steps that return nothing.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fatal("browser: %v", err)
	}
}

// value runs one action that returns a value.
func value[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.fatal("%s: %v", what, err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	return value(b, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// waitFor polls the page until the JavaScript expression is truthy. It is
// for changes without a navigation (htmx swaps); a poll does not survive
// a page load, so navigations wait with WaitVisible on the new page.
func (b *browser) waitFor(what, expr string) {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		b.fatal("waiting for %s (%s): %v", what, expr, err)
	}
}

// expect is waitFor for a check the rest of the test does not depend on: it
// reports a failure after ten seconds and lets the test go on.
func (b *browser) expect(what, expr string) bool {
	b.t.Helper()
	_, err := chromedp.Run(b.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		b.t.Errorf("expected %s (%s): %v", what, expr, err)
		return false
	}
	return true
}

// waitVisible waits until the selector matches a visible element.
func (b *browser) waitVisible(sel string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(sel)))
}

// navigate loads path and waits for the page.
func (b *browser) navigate(path string) {
	b.t.Helper()
	b.do(chromedp.Navigate(b.e.URL + path))
}

// navigateStatus loads path and returns the HTTP status of the document.
func (b *browser) navigateStatus(path string) int {
	b.t.Helper()
	res := value(b, "navigate "+path, chromedp.NavigateResponse(b.e.URL+path))
	return int(res.Status)
}

// coverJS is a function of an element that returns "" when the middle of
// the element is on top (a click there reaches it), else what covers it.
const coverJS = `(el) => {
	const r = el.getBoundingClientRect();
	const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
	if (!hit || hit === el || el.contains(hit)) return '';
	const toast = hit.closest('#flash [data-flash]');
	if (toast) return 'toast: the flash message "' + toast.textContent.replace(/\s+/g, ' ').trim() + '"';
	return hit.outerHTML.slice(0, 160);
}`

// checkUnobstructed reports each element matching sel (in the viewport)
// whose middle is covered by another element, e.g. a sticky header.
func (b *browser) checkUnobstructed(sel string) {
	b.t.Helper()
	covered := eval[[]string](b, `[...document.querySelectorAll(`+jsString(sel)+`)]
		.filter(el => { const r = el.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; })
		.map(el => { const c = (`+coverJS+`)(el); return c && (el.textContent.trim() + ' is covered by ' + c); })
		.filter(Boolean)`)
	for _, c := range covered {
		b.t.Errorf("on %s, %s", b.path(), c)
	}
}

// click clicks the middle of the element as a person would, after checking
// that nothing covers that point. A toast in the way is an error (a person
// would have to dismiss it first); the test dismisses it and goes on.
func (b *browser) click(sel string) {
	b.t.Helper()
	b.waitVisible(sel)
	cover := eval[string](b, `(() => {
		const el = document.querySelector(`+jsString(sel)+`);
		el.scrollIntoView({block: 'center', inline: 'nearest'});
		return (`+coverJS+`)(el);
	})()`)
	if cover != "" {
		b.t.Errorf("%s on %s cannot be clicked: its middle is covered by %s", sel, b.path(), cover)
		if !strings.HasPrefix(cover, "toast:") {
			b.fatal("cannot go on")
		}
		for b.count("#flash [data-flash]") > 0 {
			b.do(chromedp.Click(chromedp.CSS("#flash [data-flash-close]")))
		}
	}
	b.do(chromedp.Click(chromedp.CSS(sel)))
}

func (b *browser) location() string {
	b.t.Helper()
	return value(b, "location", chromedp.Location())
}

// path returns the path and query of the page, e.g. "/risks?q=x".
func (b *browser) path() string {
	b.t.Helper()
	u, err := url.Parse(b.location())
	if err != nil {
		b.fatal("parse location: %v", err)
	}
	return u.RequestURI()
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(value(b, "text of "+sel, chromedp.Text(chromedp.CSS(sel))))
}

func (b *browser) count(sel string) int {
	b.t.Helper()
	return eval[int](b, "document.querySelectorAll("+jsString(sel)+").length")
}

// replaceText focuses an input, selects what it holds and types text over
// it with real key events (an empty text deletes the content).
func (b *browser) replaceText(sel, text string) {
	b.t.Helper()
	if text == "" {
		text = kb.Backspace
	}
	b.do(
		chromedp.Focus(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void]("document.querySelector("+jsString(sel)+").select()"),
		chromedp.KeyEvent(text),
	)
}

// choose selects an option of a <select> and fires the events a person's
// choice fires.
func (b *browser) choose(sel, val string) {
	b.t.Helper()
	ok := eval[bool](b, `(() => {
		const el = document.querySelector(`+jsString(sel)+`);
		if (!el || ![...el.options].some(o => o.value === `+jsString(val)+`)) return false;
		el.focus();
		el.value = `+jsString(val)+`;
		el.dispatchEvent(new Event('input', {bubbles: true}));
		el.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	})()`)
	if !ok {
		b.fatal("select %s has no option %q", sel, val)
	}
}

// rowTitles returns the titles of the register's rows, in order.
func (b *browser) rowTitles() []string {
	b.t.Helper()
	return eval[[]string](b, `[...document.querySelectorAll('[data-testid=risk-row] [data-testid=risk-title]')].map(a => a.textContent.trim())`)
}

// flashes returns the texts of the toasts on the page.
func (b *browser) flashes() []string {
	b.t.Helper()
	return eval[[]string](b, `[...document.querySelectorAll('[data-testid=flash]')].map(p => p.textContent.trim())`)
}

// screenshot saves the whole page as screenshotDir/name.png.
func (b *browser) screenshot(name string) string {
	b.t.Helper()
	buf := value(b, "screenshot", chromedp.FullScreenshot(100))
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	p := filepath.Join(screenshotDir, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", p)
	return p
}

// recordHTMX makes the page remember the method, path and status of every
// htmx request from now on, in window.__htmx (until the next page load).
func (b *browser) recordHTMX() {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`(() => {
		window.__htmx = [];
		document.addEventListener('htmx:afterRequest', (e) => {
			const rc = e.detail.requestConfig || {};
			window.__htmx.push({verb: rc.verb, path: rc.path, status: e.detail.xhr ? e.detail.xhr.status : 0});
		});
	})()`))
}

// login signs in through the login page, which lands on the dashboard,
// then opens the register.
func (b *browser) login(email string) {
	b.t.Helper()
	b.navigate("/login")
	b.do(
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("[data-testid=login-submit]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=card-total], [data-testid=mywork-tasks]")),
	)
	// Editors land on My work, everyone else on the dashboard.
	if p := b.path(); p != "/" && p != "/me" {
		b.fatal("after sign-in at %s, want the dashboard / or My work /me", p)
	}
	b.navigate("/risks")
	b.waitVisible("[data-testid=result-count]")
}

// press presses one key as a keyboard does: a keyDown that carries the text,
// so that the browser generates the character itself and a handler's
// preventDefault on keydown suppresses it, then a keyUp. (chromedp's
// KeyEvent sends the character as a separate "char" event, which types it
// even when the page cancelled the keydown, so "/" would land in the search
// box it focuses.) Raw method names keep cdproto out of the imports.
func (b *browser) press(key, code string, keyCode int, text string) {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		down := map[string]any{"type": "keyDown", "key": key, "code": code,
			"windowsVirtualKeyCode": keyCode, "nativeVirtualKeyCode": keyCode}
		if text != "" {
			down["text"], down["unmodifiedText"] = text, text
		}
		if err := t.Call(ctx, "Input.dispatchKeyEvent", down, nil); err != nil {
			return err
		}
		up := map[string]any{"type": "keyUp", "key": key, "code": code,
			"windowsVirtualKeyCode": keyCode, "nativeVirtualKeyCode": keyCode}
		return t.Call(ctx, "Input.dispatchKeyEvent", up, nil)
	}))
}

func jsString(s string) string { return strconv.Quote(s) }

// ---------------------------------------------------------------- console

// consoleLog collects a tab's console messages, exceptions and browser log
// entries (CSP violations arrive as the latter).
type consoleLog struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

func watchConsole(ctx context.Context) *consoleLog {
	c := &consoleLog{}
	msgs := chromedp.Console(ctx) // subscribes now
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			c.mu.Lock()
			c.msgs = append(c.msgs, m)
			c.mu.Unlock()
		}
	}()
	return c
}

func (c *consoleLog) all() []chromedp.ConsoleMessage {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.msgs)
}

func describeConsole(m chromedp.ConsoleMessage) string {
	s := m.String()
	if m.Source != "" {
		s = "[" + m.Source + "] " + s
	}
	if m.URL != "" {
		s += fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
	}
	return s
}

var failedStatus = regexp.MustCompile(`status of (\d{3})`)

// checkConsole fails the test on every CSP violation, uncaught exception
// or console error, except failed loads with one of the expected HTTP
// statuses (a 422 validation answer, a 403 page).
func (b *browser) checkConsole(expectedStatuses ...int) {
	b.t.Helper()
	// The messages arrive in order: once a marker logged now is in, every
	// earlier message is too.
	marker := fmt.Sprintf("riskreg-console-flush-%d", time.Now().UnixNano())
	b.do(chromedp.Evaluate[chromedp.Void]("console.debug(" + jsString(marker) + ")"))
	deadline := time.Now().Add(5 * time.Second)
	for !slices.ContainsFunc(b.console.all(), func(m chromedp.ConsoleMessage) bool { return strings.Contains(m.Text, marker) }) {
		if time.Now().After(deadline) {
			b.t.Errorf("console: the flush marker never arrived; the check below may miss messages")
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, m := range b.console.all() {
		if strings.Contains(m.Text, marker) {
			continue
		}
		switch {
		case m.Source == "security" || strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Refused to"):
			b.t.Errorf("CSP violation: %s", describeConsole(m))
		case m.IsException():
			b.t.Errorf("JavaScript exception: %s", describeConsole(m))
		case m.Type == chromedp.ConsoleError:
			if sm := failedStatus.FindStringSubmatch(m.Text); m.Source == "network" && sm != nil {
				if st, _ := strconv.Atoi(sm[1]); slices.Contains(expectedStatuses, st) {
					continue
				}
			}
			b.t.Errorf("console error: %s", describeConsole(m))
		case m.Type == chromedp.ConsoleWarning:
			b.t.Logf("console warning: %s", describeConsole(m))
		}
	}
}

// ------------------------------------------------------------------ tests

// TestBrowserRiskLifecycle is the main flow as a person clicks it: sign up,
// a rejected and then a valid new risk with the live score, search, filter
// and sort in place with the address bar following, edit with history,
// delete.
func TestBrowserRiskLifecycle(t *testing.T) {
	start := time.Now()
	e := newEnv(t)
	b := openBrowser(t, e)

	const (
		orgName  = "Northwind Freight"
		userName = "Dana Whitfield"
		email    = "dana@northwind-freight.example"
		title    = "Ransomware on the warehouse system"
		desc     = "Attackers encrypt the warehouse management system and halt shipments for days."
	)

	// a. Sign up: the register is empty.
	b.navigate("/signup")
	b.do(
		chromedp.SendKeys(chromedp.CSS("#organization"), orgName),
		chromedp.SendKeys(chromedp.CSS("#name"), userName),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("[data-testid=signup-submit]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=empty-state]")),
	)
	if p := b.path(); p != "/risks" {
		t.Errorf("after sign-up at %s, want /risks", p)
	}
	if got := b.text("[data-testid=empty-state]"); !strings.Contains(got, "No risks yet") {
		t.Errorf("empty state = %q, want it to say No risks yet", got)
	}
	if got := b.text("[data-testid=org-name]"); got != orgName {
		t.Errorf("organization in the top bar = %q, want %q", got, orgName)
	}

	// b. New risk without a title: the form comes back in place (422), with
	// the message on the title and the rest of the input kept.
	b.click("[data-testid=new-risk]")
	b.waitVisible("[data-testid=risk-form]")
	if p := b.path(); p != "/risks/new" {
		b.fatal("New risk led to %s, want /risks/new", p)
	}
	b.do(
		chromedp.Evaluate[chromedp.Void]("window.__sameDocument = true"),
		chromedp.SendKeys(chromedp.CSS("#description"), desc),
	)
	b.choose("#category", "operations")
	b.recordHTMX()
	b.click("[data-testid=save]")
	b.waitFor("the form with the title error", `!!document.querySelector('[data-testid=error-title]')`)
	if !eval[bool](b, "window.__sameDocument === true") {
		t.Errorf("the invalid form reloaded the page; want an in-place htmx swap")
	}
	if p := b.path(); p != "/risks/new" {
		t.Errorf("after the invalid save the address is %s, want /risks/new", p)
	}
	if got := eval[[]int](b, "window.__htmx.filter(r => r.verb === 'post').map(r => r.status)"); !slices.Equal(got, []int{422}) {
		t.Errorf("statuses of the form posts = %v, want [422]", got)
	}
	if got := b.text("[data-testid=error-title]"); !strings.Contains(got, "Title is required") {
		t.Errorf("title error = %q, want Title is required", got)
	}
	if got := eval[string](b, "document.querySelector('#title').getAttribute('aria-invalid')"); got != "true" {
		t.Errorf("title aria-invalid = %q, want true", got)
	}
	if got := eval[string](b, "document.querySelector('#title').getAttribute('aria-describedby') || ''"); got != "err-title" {
		t.Errorf("title aria-describedby = %q, want err-title", got)
	}
	if got := eval[string](b, "document.activeElement ? document.activeElement.id : ''"); got != "title" {
		t.Errorf("focus after the invalid save is on %q, want the title field", got)
	}
	if got := value(b, "description", chromedp.Value(chromedp.CSS("#description"))); got != desc {
		t.Errorf("description after the invalid save = %q, want the typed %q", got, desc)
	}
	if got := value(b, "category", chromedp.Value(chromedp.CSS("#category"))); got != "operations" {
		t.Errorf("category after the invalid save = %q, want operations", got)
	}
	if n := b.count("[data-testid=error-summary]"); n != 1 {
		t.Errorf("error summaries = %d, want 1", n)
	}
	b.screenshot("02-form-validation-error")

	// c. Title, probability High and impact Very High: the preview updates
	// in place to 8 x 10 = 80, Critical. Save: the new risk's page and a toast.
	b.do(chromedp.SendKeys(chromedp.CSS("#title"), title))
	b.click("label:has(> #probability-4) > span")
	b.waitFor("probability High checked", "document.querySelector('#probability-4').checked")
	b.click("label:has(> #impact-5) > span")
	b.waitFor("impact Very High checked", "document.querySelector('#impact-5').checked")
	if !b.expect("the live preview to show the score 80 and the level Critical",
		`document.querySelector('[data-testid=inherent-score]').textContent.trim() === '80' && document.querySelector('#assessment-preview [data-testid=level]').textContent.trim() === 'Critical'`) {
		t.Errorf("the preview shows %q; the preview requests were %s", b.text("#assessment-preview"),
			eval[string](b, "JSON.stringify(window.__htmx.filter(r => r.path.startsWith('/risks/assess')))"))
	}
	if !eval[bool](b, "window.__sameDocument === true") {
		t.Errorf("the preview reloaded the page")
	}
	if got := eval[[]int](b, "window.__htmx.filter(r => r.path.startsWith('/risks/assess')).map(r => r.status)"); len(got) == 0 || slices.ContainsFunc(got, func(s int) bool { return s != 200 }) {
		t.Errorf("statuses of the preview requests = %v, want only 200s", got)
	}
	b.screenshot("03-form-filled")
	b.click("[data-testid=save]")
	b.waitVisible("[data-testid=risk-heading]")
	if p := b.path(); p != "/risks/RSK-00001" {
		t.Errorf("after saving at %s, want /risks/RSK-00001", p)
	}
	if got := b.text("[data-testid=risk-heading]"); !strings.Contains(got, title) || !strings.Contains(got, "RSK-00001") {
		t.Errorf("heading = %q, want RSK-00001 and %q", got, title)
	}
	if got := b.flashes(); !slices.Contains(got, "RSK-00001 created.") {
		t.Errorf("toasts = %q, want RSK-00001 created.", got)
	}
	if got := b.text("[data-testid=assessment-Inherent]"); !strings.Contains(got, "Critical") || !strings.Contains(got, "80") {
		t.Errorf("inherent assessment = %q, want Critical and 80", got)
	}

	// More risks, created through the service as the same person, so the
	// register has something to search, filter and sort.
	owner := e.login(email, testPassword)
	p := owner.principal()
	o := &org{ID: p.Organization.ID, Name: orgName, Owner: owner}
	due := time.Now().UTC().AddDate(0, 1, 0).Truncate(24 * time.Hour)
	e.createRisk(o, risk.Input{Title: "Key supplier insolvency", Category: "vendor_management", Department: "admin",
		Description: "Our only cold-chain carrier could go bankrupt.", Probability: 4, Impact: 8, ResidualProbability: 2, ResidualImpact: 6,
		AssigneeID: p.MemberID, DueDate: &due})
	e.createRisk(o, risk.Input{Title: "Unpatched VPN appliance", Category: "technology", Department: "it",
		Description: "A known vulnerability in the VPN appliance firmware is not patched yet.", Probability: 6, Impact: 8, ResidualProbability: 2, ResidualImpact: 4})
	e.createRisk(o, risk.Input{Title: "GDPR breach notification missed", Category: "regulatory", Department: "gov", Status: risk.StatusPending,
		Description: "A personal-data breach is not reported to the authority within 72 hours.", Probability: 2, Impact: 8})
	e.createRisk(o, risk.Input{Title: "Loss of key forklift operators", Category: "people", Department: "hr",
		Description: "Two of three certified operators retire this year.", Probability: 8, Impact: 4, ResidualProbability: 4, ResidualImpact: 4})
	all := []string{title, "Key supplier insolvency", "Unpatched VPN appliance", "GDPR breach notification missed", "Loss of key forklift operators"}

	// d. Search as you type: the table and the address follow.
	b.navigate("/risks")
	b.waitVisible("[data-testid=risk-table]")
	if n := b.count("[data-testid=risk-row]"); n != len(all) {
		b.fatal("register rows = %d, want %d", n, len(all))
	}
	b.checkUnobstructed("[data-testid=risk-row] [data-testid=risk-title]")
	b.screenshot("01-register")
	b.do(chromedp.SendKeys(chromedp.CSS("#f-q"), "ransom"))
	b.waitFor("the search for ransom", `new URLSearchParams(location.search).get('q') === 'ransom' && document.querySelectorAll('[data-testid=risk-row]').length === 1`)
	if got := b.rowTitles(); !slices.Equal(got, []string{title}) {
		t.Errorf("rows for ransom = %q, want only %q", got, title)
	}
	loc := b.location()
	if !strings.Contains(loc, "q=ransom") {
		t.Errorf("address after searching = %s, want q=ransom in it", loc)
	}
	checkNoEmptyParams(t, loc)

	b.replaceText("#f-q", "zzqxw")
	b.waitFor("the no-match empty state", `new URLSearchParams(location.search).get('q') === 'zzqxw' && !!document.querySelector('[data-testid=empty-state]')`)
	if got := b.text("[data-testid=empty-state]"); !strings.Contains(got, "No risks match these filters") {
		t.Errorf("empty state = %q, want No risks match these filters", got)
	}

	b.replaceText("#f-q", "")
	b.waitFor("all rows after clearing the search", `!new URLSearchParams(location.search).get('q') && document.querySelectorAll('[data-testid=risk-row]').length === `+strconv.Itoa(len(all)))

	// A substring of a word in the description finds the risk.
	b.replaceText("#f-q", "vuln")
	b.waitFor("the search for vuln", `new URLSearchParams(location.search).get('q') === 'vuln' && document.querySelectorAll('[data-testid=risk-row]').length === 1`)
	if got := b.rowTitles(); !slices.Equal(got, []string{"Unpatched VPN appliance"}) {
		t.Errorf("rows for vuln = %q, want only Unpatched VPN appliance", got)
	}
	b.replaceText("#f-q", "")
	b.waitFor("all rows after clearing the search", `!new URLSearchParams(location.search).get('q') && document.querySelectorAll('[data-testid=risk-row]').length === `+strconv.Itoa(len(all)))

	// Filter by category; a reload shows the same view.
	b.choose("#f-category", "vendor_management")
	b.waitFor("the category filter", `new URLSearchParams(location.search).get('category') === 'vendor_management' && document.querySelectorAll('[data-testid=risk-row]').length === 1`)
	if got := b.rowTitles(); !slices.Equal(got, []string{"Key supplier insolvency"}) {
		t.Errorf("rows for category Vendor management = %q, want only Key supplier insolvency", got)
	}
	loc = b.location()
	checkNoEmptyParams(t, loc)
	b.do(chromedp.Reload())
	b.waitVisible("[data-testid=risk-table]")
	if got := b.location(); got != loc {
		t.Errorf("address after reload = %s, want %s", got, loc)
	}
	if got := value(b, "category filter", chromedp.Value(chromedp.CSS("#f-category"))); got != "vendor_management" {
		t.Errorf("category select after reload = %q, want vendor_management", got)
	}
	if got := b.rowTitles(); !slices.Equal(got, []string{"Key supplier insolvency"}) {
		t.Errorf("rows after reload = %q, want only Key supplier insolvency", got)
	}

	// e. Sort by title, then reverse.
	b.navigate("/risks")
	b.waitVisible("[data-testid=risk-table]")
	b.click("[data-testid=sort-title]")
	b.waitFor("the title sort", `new URLSearchParams(location.search).get('sort') === 'title' && document.querySelector('th:has([data-testid=sort-title])').getAttribute('aria-sort') === 'ascending'`)
	asc := slices.Sorted(slices.Values(all))
	if got := b.rowTitles(); !slices.Equal(got, asc) {
		t.Errorf("rows sorted by title = %q, want %q", got, asc)
	}
	b.click("[data-testid=sort-title]")
	b.waitFor("the reversed title sort", `new URLSearchParams(location.search).get('sort') === '-title' && document.querySelector('th:has([data-testid=sort-title])').getAttribute('aria-sort') === 'descending'`)
	rev := slices.Clone(asc)
	slices.Reverse(rev)
	if got := b.rowTitles(); !slices.Equal(got, rev) {
		t.Errorf("rows sorted by title descending = %q, want %q", got, rev)
	}
	if loc := b.location(); !strings.Contains(loc, "sort=-title") {
		t.Errorf("address after sorting = %s, want sort=-title", loc)
	}

	// f. Edit the status and the title: the history names who changed what.
	const newTitle = "Ransomware on the warehouse and yard systems"
	b.navigate("/risks/RSK-00001")
	b.click("[data-testid=edit]")
	b.waitVisible("[data-testid=risk-form]")
	if p := b.path(); p != "/risks/RSK-00001/edit" {
		t.Errorf("Edit led to %s, want /risks/RSK-00001/edit", p)
	}
	b.choose("#status", "pending")
	b.replaceText("#title", newTitle)
	b.click("[data-testid=save]")
	b.waitVisible("[data-testid=risk-heading]")
	if p := b.path(); p != "/risks/RSK-00001" {
		t.Errorf("after saving the edit at %s, want /risks/RSK-00001", p)
	}
	if got := b.text("[data-testid=risk-heading]"); !strings.Contains(got, newTitle) {
		t.Errorf("heading after the edit = %q, want %q", got, newTitle)
	}
	if got := b.flashes(); !slices.Contains(got, "RSK-00001 saved.") {
		t.Errorf("toasts after the edit = %q, want RSK-00001 saved.", got)
	}
	type change struct{ Field, Old, New string }
	type event struct {
		Actor   string
		Text    string
		Changes []change
	}
	events := eval[[]event](b, `[...document.querySelectorAll('[data-testid=history] [data-testid=event]')].map(li => ({
		Actor: li.querySelector('p > span.font-medium').textContent.trim(),
		Text: li.querySelector('p').textContent.replace(/\s+/g, ' ').trim(),
		Changes: [...li.querySelectorAll('[data-testid=change]')].map(c => {
			const s = c.querySelectorAll(':scope > span');
			return {Field: s[0].textContent.trim(), Old: s[1].textContent.trim(), New: s[s.length - 1].textContent.trim()};
		}),
	}))`)
	var edit *event
	for i := range events {
		if len(events[i].Changes) > 0 {
			edit = &events[i]
			break
		}
	}
	switch {
	case edit == nil:
		t.Errorf("history = %+v, want an entry with the changes", events)
	default:
		if edit.Actor != userName {
			t.Errorf("history entry of the edit is by %q, want %q", edit.Actor, userName)
		}
		if !slices.Contains(edit.Changes, change{"Status", "Open", "Pending"}) {
			t.Errorf("changes = %+v, want Status Open → Pending", edit.Changes)
		}
		if !slices.Contains(edit.Changes, change{"Title", title, newTitle}) {
			t.Errorf("changes = %+v, want Title %q → %q", edit.Changes, title, newTitle)
		}
	}
	if len(events) < 2 || !strings.Contains(events[len(events)-1].Text, userName+" created this risk") {
		t.Errorf("history = %+v, want the creation by %s last", events, userName)
	}
	b.screenshot("04-detail-with-history")

	// g. Delete after confirmation.
	b.click("[data-testid=delete]")
	b.waitVisible("[data-testid=confirm-delete]")
	if p := b.path(); p != "/risks/RSK-00001/delete" {
		t.Errorf("Delete led to %s, want the confirmation page", p)
	}
	b.click("[data-testid=confirm-delete]")
	b.waitVisible("[data-testid=result-count]")
	if p := b.path(); p != "/risks" {
		t.Errorf("after deleting at %s, want /risks", p)
	}
	if got := b.flashes(); !slices.Contains(got, "RSK-00001 deleted.") {
		t.Errorf("toasts after deleting = %q, want RSK-00001 deleted.", got)
	}
	if n := b.count("[data-testid=risk-row][data-id=RSK-00001]"); n != 0 {
		t.Errorf("RSK-00001 still listed after deleting")
	}
	if n := b.count("[data-testid=risk-row]"); n != len(all)-1 {
		t.Errorf("rows after deleting = %d, want %d", n, len(all)-1)
	}
	if got := b.navigateStatus("/risks/RSK-00001"); got != 410 {
		t.Errorf("the deleted risk's page answers %d, want 410", got)
	}
	if got := b.text("[data-testid=deleted-notice]"); !strings.Contains(got, "This risk was deleted by") {
		t.Errorf("the deleted risk's page says %q", got)
	}

	// h. No CSP violation, no JavaScript error (the 422 of the invalid form
	// and the 410 of the deleted risk are expected).
	b.checkConsole(422, 410)
	t.Logf("lifecycle took %v", time.Since(start).Round(time.Millisecond))
}

// checkNoEmptyParams reports empty parameters in the address: app.js drops
// them from the URL htmx pushes (data-drop-empty on the filter form).
func checkNoEmptyParams(t *testing.T, loc string) {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Errorf("parse %s: %v", loc, err)
		return
	}
	var empty []string
	for k, vs := range u.Query() {
		if slices.Contains(vs, "") {
			empty = append(empty, k)
		}
	}
	slices.Sort(empty)
	if len(empty) > 0 {
		t.Errorf("pushed address %s has empty parameters %v; want them dropped", u.RequestURI(), empty)
	}
}

// TestBrowserViewerCannotEdit: a viewer signs in through the login page,
// reads the register and a risk, and sees no way to change anything; the
// write pages answer 403.
func TestBrowserViewerCannotEdit(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Globex", "owner@globex.example")
	e.createRisk(o, risk.Input{Title: "Data centre flooding", Probability: 4, Impact: 10})
	e.createRisk(o, risk.Input{Title: "Payroll fraud", Category: "operations", Probability: 2, Impact: 6})
	e.addMember(o, "viewer@globex.example", account.RoleViewer)

	b := openBrowser(t, e)
	b.login("viewer@globex.example")
	b.waitVisible("[data-testid=risk-table]")
	if got := b.rowTitles(); len(got) != 2 || !slices.Contains(got, "Data centre flooding") || !slices.Contains(got, "Payroll fraud") {
		t.Errorf("viewer's rows = %q, want both risks", got)
	}
	if got := b.text("[data-testid=user-name]"); !strings.Contains(got, "viewer") {
		t.Errorf("top bar = %q, want the viewer role", got)
	}
	if n := b.count("[data-testid=new-risk]"); n != 0 {
		t.Errorf("viewer sees a New risk button")
	}
	if n := b.count("a[href='/risks/new']"); n != 0 {
		t.Errorf("viewer sees %d link(s) to /risks/new", n)
	}

	b.navigate("/risks/RSK-00001")
	b.waitVisible("[data-testid=risk-heading]")
	if got := b.text("[data-testid=risk-heading]"); !strings.Contains(got, "Data centre flooding") {
		t.Errorf("heading = %q", got)
	}
	if n := b.count("[data-testid=edit], [data-testid=delete], a[href$='/edit'], a[href$='/delete']"); n != 0 {
		t.Errorf("viewer sees %d edit/delete control(s) on the risk page", n)
	}

	for _, path := range []string{"/risks/new", "/risks/RSK-00001/edit", "/risks/RSK-00001/delete"} {
		if got := b.navigateStatus(path); got != 403 {
			t.Errorf("GET %s as a viewer answers %d, want 403", path, got)
		}
		b.waitVisible("[data-testid=error-page]")
		if got := b.text("[data-testid=error-page]"); !strings.Contains(got, "403") {
			t.Errorf("error page of %s = %q, want 403", path, got)
		}
		if n := b.count("[data-testid=risk-form], [data-testid=confirm-delete]"); n != 0 {
			t.Errorf("%s shows a form to a viewer", path)
		}
	}
	b.screenshot("05-viewer-forbidden")
	b.checkConsole(403)
}

// TestBrowserKeyboardShortcuts: "/" focuses the register's search box, "j"
// selects the first row and Enter opens it.
func TestBrowserKeyboardShortcuts(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Initech", "owner@initech.example")
	for _, title := range []string{"Printer fire", "TPS report backlog", "Stapler theft"} {
		e.createRisk(o, risk.Input{Title: title, Probability: 4, Impact: 4})
	}

	b := openBrowser(t, e)
	b.login("owner@initech.example")
	b.waitVisible("[data-testid=risk-table]")
	if n := b.count("[data-testid=risk-row]"); n != 3 {
		b.fatal("rows = %d, want 3", n)
	}
	activeID := "document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : ''"

	b.do(chromedp.Evaluate[chromedp.Void]("document.activeElement && document.activeElement.blur()"))
	b.press("/", "Slash", 191, "/")
	b.waitFor("focus on a search box", "document.activeElement && document.activeElement.matches('[data-search-input]')")
	if got := eval[string](b, activeID); got != "f-q" {
		t.Errorf("/ focused %q, want the register's search box f-q", got)
	}
	if got := value(b, "search value", chromedp.Value(chromedp.CSS("#f-q"))); got != "" {
		t.Errorf("/ typed %q into the search box", got)
	}

	b.do(chromedp.Evaluate[chromedp.Void]("document.activeElement && document.activeElement.blur()"))
	if got := eval[string](b, activeID); got != "BODY" {
		b.fatal("focus is on %q, want the body", got)
	}
	first := eval[string](b, "document.querySelector('[data-testid=risk-row]').getAttribute('data-row-link')")
	b.press("j", "KeyJ", 74, "j")
	b.waitFor("the first row selected", "document.querySelector('[data-testid=risk-row]').classList.contains('row-active')")
	if n := b.count(".row-active"); n != 1 {
		t.Errorf("selected rows = %d, want 1", n)
	}
	b.press("Enter", "Enter", 13, "\r")
	b.waitVisible("[data-testid=risk-heading]")
	if got := b.path(); got != first {
		t.Errorf("Enter opened %s, want the first row's %s", got, first)
	}
	b.checkConsole()
}
