package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

func bulkValue(r *risk.Risk) string { return r.ID + ":" + strconv.Itoa(r.Version) }

// Without JavaScript the bar is a plain form: tick, choose, Apply; the
// register comes back with a message.
func TestBulkEditFormWithoutJS(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Acme", "owner@acme.example")
	r1 := e.createRisk(o, risk.Input{Title: "One"})
	r2 := e.createRisk(o, risk.Input{Title: "Two"})
	e.createRisk(o, risk.Input{Title: "Three"})
	doc := o.Owner.get("/risks").Doc(t)
	if n := doc.Find(`[data-testid=risk-table] input[data-bulk-row]`).Length(); n != 3 {
		t.Fatalf("%d row checkboxes, want 3", n)
	}
	if n := doc.Find(`form#bulk-form[action="/risks/bulk"]`).Length(); n != 1 {
		t.Fatal("no bulk form")
	}
	res := o.Owner.postForm("/risks/bulk", url.Values{"risk": {bulkValue(r1), bulkValue(r2)}, "action": {"status"},
		"status": {"closed"}, "closure_reason": {"accepted"}})
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, "/risks") || !strings.Contains(res.Body, "2 risks updated.") {
		t.Fatalf("after bulk close: %d at %s", res.StatusCode, res.URL)
	}
	for _, r := range []*risk.Risk{r1, r2} {
		got, _ := e.Server.Risks.Get(context.Background(), o.ID, r.ID)
		if got.Status != risk.StatusClosed || got.ClosureReason != "accepted" {
			t.Errorf("%s: %s %s", got.Identifier(), got.Status, got.ClosureReason)
		}
	}
	// The same form with the old versions is refused whole, saying why.
	before := riskState(t, e, o.ID)
	res = o.Owner.postForm("/risks/bulk", url.Values{"risk": {bulkValue(r1), bulkValue(r2)}, "action": {"archive"}})
	if !strings.Contains(res.Body, "changed since the page loaded") || riskState(t, e, o.ID) != before {
		t.Errorf("stale bulk edit: %d %s", res.StatusCode, res.URL)
	}
	// Closing needs a closure reason; a delete needs its confirmation.
	for _, v := range []url.Values{
		{"risk": {bulkValue(r1)}, "action": {"status"}, "status": {"closed"}},
		{"risk": {bulkValue(r1)}, "action": {"delete"}},
		{"action": {"archive"}},
		{"risk": {bulkValue(r1)}},
	} {
		res := o.Owner.postForm("/risks/bulk", v, "HX-Request", "true")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "bg-red-50") {
			t.Errorf("%v: %d %s", v, res.StatusCode, res.Body)
		}
	}
	// Another organization's risk, a malformed value, too many risks.
	other := e.signup("Beta", "owner@beta.example")
	foreign := e.createRisk(other, risk.Input{Title: "Beta's"})
	many := make([]string, risk.MaxBulk+1)
	for i := range many {
		many[i] = "rsk_" + strconv.Itoa(i) + ":1"
	}
	for _, tc := range []struct {
		v      url.Values
		status int
		msg    string
	}{
		{url.Values{"risk": {bulkValue(r1), bulkValue(foreign)}, "action": {"archive"}}, http.StatusConflict, "not found"},
		{url.Values{"risk": {"nonsense"}, "action": {"archive"}}, http.StatusUnprocessableEntity, "could not be read"},
		{url.Values{"risk": many, "action": {"archive"}}, http.StatusUnprocessableEntity, "At most 1000"},
	} {
		res := o.Owner.postForm("/risks/bulk", tc.v, "HX-Request", "true")
		if res.StatusCode != tc.status || !strings.Contains(res.Body, tc.msg) {
			t.Errorf("%.80v: %d %s", tc.v, res.StatusCode, res.Body)
		}
	}
	if riskState(t, e, o.ID) != before || riskState(t, e, other.ID) == "" {
		t.Error("a refused bulk edit wrote")
	}
	if got, _ := e.Server.Risks.Get(context.Background(), other.ID, foreign.ID); got.Version != 1 {
		t.Error("another organization's risk changed")
	}
}

// "All N matching" edits the filtered set only while it is the set the
// page counted.
func TestBulkEditAllMatching(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Acme", "owner@acme.example")
	e.createRisk(o, risk.Input{Title: "Tech one", Category: "technology"})
	r2 := e.createRisk(o, risk.Input{Title: "Tech two", Category: "technology"})
	e.createRisk(o, risk.Input{Title: "People", Category: "people"})
	doc := o.Owner.get("/risks?category=technology").Doc(t)
	form := url.Values{"all": {"1"}, "action": {"add_tags"}, "tags": {"q3-review"}}
	for _, name := range []string{"filter", "match_count", "match_last"} {
		v, _ := doc.Find(`#bulk-form input[name=` + name + `]`).Attr("value")
		form.Set(name, v)
	}
	if form.Get("filter") != "category=technology" || form.Get("match_count") != "2" {
		t.Fatalf("bar's filter %q count %q", form.Get("filter"), form.Get("match_count"))
	}
	// Someone edits a matching risk after the page loaded: refused.
	p := o.Owner.principal()
	in := risk.InputOf(r2)
	in.Title = "Tech two, edited"
	if _, err := e.Server.Risks.Update(context.Background(), o.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name}, r2.ID, r2.Version, in); err != nil {
		t.Fatal(err)
	}
	res := o.Owner.postForm("/risks/bulk", form, "HX-Request", "true")
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "changed since the page loaded") {
		t.Fatalf("changed set: %d %s", res.StatusCode, res.Body)
	}
	// Reloaded, it tags exactly the two matching risks.
	doc = o.Owner.get("/risks?category=technology").Doc(t)
	v, _ := doc.Find(`#bulk-form input[name=match_last]`).Attr("value")
	form.Set("match_last", v)
	res = o.Owner.postForm("/risks/bulk", form)
	if !strings.Contains(res.Body, "2 risks updated.") || !strings.Contains(res.URL, "/risks?category=technology") {
		t.Fatalf("all matching: %d %s", res.StatusCode, res.URL)
	}
	var n int
	if err := e.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM risks WHERE organization_id = ? AND 'q3-review' = ANY(tags)", o.ID).Scan(&n); err != nil || n != 2 {
		t.Errorf("tagged %d, %v", n, err)
	}
}

// Viewers see no checkboxes and no bar, and the endpoint refuses them.
func TestBulkEditViewer(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(o, risk.Input{Title: "One"})
	viewer := e.addMember(o, "viewer@acme.example", account.RoleViewer)
	page := viewer.get("/risks")
	if strings.Contains(page.Body, "data-bulk-row") || strings.Contains(page.Body, "bulk-form") || strings.Contains(page.Body, "bulk.js") {
		t.Error("a viewer sees bulk edit")
	}
	res := viewer.postForm("/risks/bulk", url.Values{"risk": {bulkValue(r)}, "action": {"archive"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer's bulk edit: %d", res.StatusCode)
	}
	if got, _ := e.Server.Risks.Get(context.Background(), o.ID, r.ID); got.Version != 1 {
		t.Error("a viewer changed a risk")
	}
}

// TestBrowserBulkEdit ticks two rows at 1440 px, closes them with a reason,
// and sees the refusal when a ticked risk changed meanwhile; at 390 px the
// bar fits the phone.
func TestBrowserBulkEdit(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Initech", "owner@initech.example")
	e.createRisk(o, risk.Input{Title: "Server room overheats"})
	e.createRisk(o, risk.Input{Title: "Key supplier fails"})
	r3 := e.createRisk(o, risk.Input{Title: "Phishing wave"})

	b := openBrowser(t, e)
	b.do(chromedp.EmulateViewport(1440, 900))
	b.login("owner@initech.example")
	b.waitVisible("[data-testid=risk-table]")
	if !eval[bool](b, `document.querySelector('[data-bulk-bar]').hidden`) {
		t.Error("the bar shows before anything is ticked")
	}
	b.click(`[data-testid=risk-table] tr[data-id=RSK-00001] [data-testid=bulk-select]`)
	b.click(`[data-testid=risk-table] tr[data-id=RSK-00002] [data-testid=bulk-select]`)
	b.waitVisible("[data-testid=bulk-bar]")
	if got := b.text("[data-testid=bulk-count]"); got != "2 risks selected" {
		t.Errorf("count = %q", got)
	}
	b.choose("[data-testid=bulk-action]", "status")
	b.choose("[data-testid=bulk-status]", "closed")
	b.waitVisible("[data-testid=bulk-closure]")
	b.choose("[data-testid=bulk-closure]", "mitigated")
	b.screenshot("bulk-1440-selected")
	b.click("[data-testid=bulk-apply]")
	b.waitVisible("[data-testid=flash]") // HX-Redirect: a new page with the message
	b.waitFor("the success message", `[...document.querySelectorAll('[data-testid=flash]')].some(p => p.textContent.includes('2 risks updated.'))`)
	for _, id := range []string{"RSK-00001", "RSK-00002"} {
		got, _ := e.Server.Risks.Get(context.Background(), o.ID, id)
		if got.Status != risk.StatusClosed || got.ClosureReason != "mitigated" {
			t.Errorf("%s after the bulk close: %s %q", id, got.Status, got.ClosureReason)
		}
	}
	if got, _ := e.Server.Risks.Get(context.Background(), o.ID, r3.ID); got.Status != risk.StatusOpen {
		t.Error("an unticked risk changed")
	}

	// A ticked risk edited by someone else meanwhile: refused whole, in the bar.
	b.navigate("/risks?status=open")
	b.waitVisible("[data-testid=risk-table]")
	b.click(`[data-testid=risk-table] tr[data-id=RSK-00003] [data-testid=bulk-select]`)
	p := o.Owner.principal()
	in := risk.InputOf(r3)
	in.Title = "Phishing wave, edited"
	if _, err := e.Server.Risks.Update(context.Background(), o.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name}, r3.ID, r3.Version, in); err != nil {
		t.Fatal(err)
	}
	b.choose("[data-testid=bulk-action]", "archive")
	b.click("[data-testid=bulk-apply]")
	b.waitFor("the refusal", `document.querySelector('[data-testid=bulk-message]').textContent.includes('changed since the page loaded')`)
	if got, _ := e.Server.Risks.Get(context.Background(), o.ID, r3.ID); got.Status != risk.StatusOpen || got.Version != 2 {
		t.Errorf("refused edit wrote: %s v%d", got.Status, got.Version)
	}
	b.checkConsole(409)

	// 390 px: the cards carry the checkboxes and the bar fits the screen.
	b.do(chromedp.EmulateViewport(390, 844))
	b.navigate("/risks?archived=1")
	b.waitVisible("ul [data-testid=bulk-select]")
	b.click("ul [data-testid=bulk-select]")
	b.waitVisible("[data-testid=bulk-bar]")
	b.choose("[data-testid=bulk-action]", "status")
	b.choose("[data-testid=bulk-status]", "closed")
	b.waitVisible("[data-testid=bulk-closure]")
	over := eval[[]string](b, `(() => {
		const bar = document.querySelector('[data-testid=bulk-bar]');
		const out = [];
		const r = bar.getBoundingClientRect();
		if (r.left < 0 || r.right > innerWidth) out.push('bar spans ' + r.left + '..' + r.right + ' of ' + innerWidth);
		if (bar.scrollWidth > bar.clientWidth) out.push('bar scrolls sideways: ' + bar.scrollWidth + ' > ' + bar.clientWidth);
		for (const el of bar.querySelectorAll('select, input, button')) {
			const e = el.getBoundingClientRect();
			if (e.width > 0 && (e.left < r.left || e.right > r.right)) out.push((el.name || el.textContent.trim()) + ' sticks out: ' + e.left + '..' + e.right);
		}
		if (r.height > innerHeight * 0.6) out.push('bar is ' + r.height + ' px high');
		return out;
	})()`)
	for _, o := range over {
		t.Errorf("at 390 px: %s", o)
	}
	b.screenshot("bulk-390-selected")
	b.do(chromedp.Evaluate[chromedp.Void](`document.documentElement.classList.add('dark')`))
	b.screenshot("bulk-390-dark")
	b.do(chromedp.EmulateViewport(1440, 900))
	b.screenshot("bulk-1440-dark")
}

// TestBrowserBulkEditAllMatching ticks the page with the header box, takes
// "All 27 matching the filters" and tags every matching risk, also those
// on the second page.
func TestBrowserBulkEditAllMatching(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Initech", "owner@initech.example")
	for i := range 27 {
		e.createRisk(o, risk.Input{Title: "Risk " + strconv.Itoa(i+1)})
	}
	b := openBrowser(t, e)
	b.do(chromedp.EmulateViewport(1440, 900))
	b.login("owner@initech.example")
	b.navigate("/risks?per_page=25")
	b.waitVisible("[data-testid=risk-table]")
	b.click("[data-testid=bulk-select-page]")
	b.waitVisible("[data-testid=bulk-bar]")
	if got := b.text("[data-testid=bulk-count]"); got != "25 risks selected" {
		t.Errorf("count after ticking the page = %q", got)
	}
	b.click("[data-testid=bulk-all]")
	if got := b.text("[data-testid=bulk-count]"); got != "All 27 matching risks selected" {
		t.Errorf("count after all matching = %q", got)
	}
	b.choose("[data-testid=bulk-action]", "add_tags")
	b.do(chromedp.SendKeys(chromedp.CSS("#bulk-tags"), "q3-review"))
	b.click("[data-testid=bulk-apply]")
	b.waitVisible("[data-testid=flash]")
	if got := b.flashes(); len(got) == 0 || got[0] != "27 risks updated." {
		t.Errorf("flash = %q", got)
	}
	var n int
	if err := e.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM risks WHERE organization_id = ? AND 'q3-review' = ANY(tags)", o.ID).Scan(&n); err != nil || n != 27 {
		t.Errorf("tagged %d, %v", n, err)
	}
	b.checkConsole()
}
