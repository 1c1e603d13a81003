package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/risk"
)

// TestBrowserReviewCycle: an owner marks a Critical risk reviewed; the form
// proposes today + 30 days and the risk shows the date, the review and
// "No change"; 31 days later (the server's clock) the risk is in the
// register's Review overdue filter and the dashboard's count links there.
func TestBrowserReviewCycle(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Reviewers", "owner@review.example")
	r := e.createRisk(o, risk.Input{Title: "Ransomware on file servers", Probability: 9, Impact: 9})
	today := e.Clock.Now().UTC().Truncate(24 * time.Hour)
	next := today.AddDate(0, 0, 30).Format(time.DateOnly)

	b := openBrowser(t, e)
	b.login("owner@review.example")
	b.navigate("/risks/" + r.Identifier())
	b.waitVisible("[data-testid=review-card]")
	if n := b.count("[data-testid=reviews-none]"); n != 1 {
		t.Errorf("a new risk does not say it was never reviewed")
	}
	b.click("[data-testid=mark-reviewed-open]")
	b.waitVisible("[data-testid=review-next]")
	if got := eval[string](b, `document.querySelector('[data-testid=review-next]').value`); got != next {
		t.Errorf("proposed next review = %q, want %q (Critical: 30 days)", got, next)
	}
	b.do(chromedp.SendKeys(chromedp.CSS("[data-testid=review-note]"), "Backups tested"))
	b.click("[data-testid=review-save]")
	b.waitVisible("[data-testid=review]")
	if got := b.text("[data-testid=review]"); !strings.Contains(got, "Backups tested") || !strings.Contains(got, "No change") {
		t.Errorf("review history = %q, want the note and No change", got)
	}
	if got := b.text("[data-testid=next-review]"); got == "—" || strings.Contains(got, "overdue") {
		t.Errorf("next review on the page = %q", got)
	}
	b.screenshot("reviews-01-reviewed")

	b.navigate("/risks?review_overdue=1")
	b.waitVisible("[data-testid=result-count]")
	if n := b.count("[data-testid=risk-row]"); n != 0 {
		t.Errorf("%d risks overdue for review right after the review", n)
	}

	e.Clock.Advance(31 * 24 * time.Hour)
	b.login("owner@review.example") // the session aged out with the clock
	b.navigate("/")
	b.waitVisible("[data-testid=card-reviews-overdue]")
	if got := b.text("[data-testid=card-reviews-overdue] [data-testid=number]"); got != "1" {
		t.Errorf("dashboard Reviews overdue = %q, want 1", got)
	}
	b.click("[data-testid=card-reviews-overdue]")
	b.waitVisible("[data-testid=result-count]")
	if p := b.path(); !strings.Contains(p, "review_overdue=1") {
		t.Errorf("the dashboard count links to %s, want the Review overdue filter", p)
	}
	if got := b.rowTitles(); len(got) != 1 || got[0] != r.Title {
		t.Errorf("Review overdue rows = %q, want the reviewed risk", got)
	}
	if got := eval[bool](b, `document.querySelector('[data-testid=filter-review-overdue]').checked`); !got {
		t.Errorf("the Review overdue box is not ticked on the filtered register")
	}
	b.screenshot("reviews-02-overdue-filter")
	b.checkConsole()
}

// TestBrowserComments: a viewer comments (and may not review: no control,
// 403 on a post); an owner's comment mentioning the viewer renders the
// mention highlighted and the link safe; the timeline filters; the author's
// edit window closes after 15 minutes of the server's clock.
func TestBrowserComments(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Talkers", "owner@talk.example")
	r := e.createRisk(o, risk.Input{Title: "Supplier insolvency", Probability: 4, Impact: 6})
	vera, viewer := e.addNamedMember(o, "vera@talk.example", "Vera Viewer", account.RoleViewer)

	// The viewer, without JavaScript: a comment is fine, a review is not.
	if res := viewer.noRedirect().postForm("/risks/"+r.Identifier()+"/reviews", url.Values{"note": {"sneaky"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer's review answers %d, want 403", res.StatusCode)
	}
	if res := viewer.postForm("/risks/"+r.Identifier()+"/comments", url.Values{"body": {""}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "Write a comment") {
		t.Errorf("an empty comment answers %d, want 422 naming the comment", res.StatusCode)
	}

	vb := openBrowser(t, e)
	vb.login("vera@talk.example")
	vb.navigate("/risks/" + r.Identifier())
	vb.waitVisible("[data-testid=comment-form]")
	if n := vb.count("[data-testid=mark-reviewed-open], [data-testid=review-form]"); n != 0 {
		t.Errorf("a viewer sees the Mark reviewed control")
	}
	vb.do(chromedp.SendKeys(chromedp.CSS("[data-testid=comment-body]"), "Who watches this supplier? https://supplier.example.com/"+strings.Repeat("very-long-path-", 12)))
	vb.click("[data-testid=comment-submit]")
	vb.waitVisible("[data-testid=comment]")
	if got := vb.text("[data-testid=comment]"); !strings.Contains(got, "Vera Viewer") || !strings.Contains(got, "Who watches this supplier?") {
		t.Errorf("the viewer's comment = %q", got)
	}

	b := openBrowser(t, e)
	b.login("owner@talk.example")
	b.navigate("/risks/" + r.Identifier())
	b.waitVisible("[data-testid=comment-form]")
	b.do(chromedp.SendKeys(chromedp.CSS("[data-testid=comment-body]"), "@Vera Viewer I do, see https://vendor.example/status <b>now</b>"))
	b.click("[data-testid=comment-submit]")
	b.waitVisible("[data-testid=mention]")
	if got := b.text("[data-testid=mention]"); got != "@Vera Viewer" {
		t.Errorf("mention = %q", got)
	}
	if id := eval[string](b, `document.querySelector('[data-testid=mention]').dataset.memberId`); id != vera {
		t.Errorf("mention names member %q, want %q", id, vera)
	}
	if got := eval[string](b, `(a => a.getAttribute('href') + ' ' + a.rel)(document.querySelector('[data-testid=comment-link]'))`); got != "https://vendor.example/status noopener nofollow ugc" {
		t.Errorf("link = %q", got)
	}
	if n := b.count("[data-testid=comment-body-text] b"); n != 0 {
		t.Errorf("markup in a comment was rendered as HTML")
	}
	// The owner may edit their own comment and delete any; the viewer's
	// comment offers the owner no Edit.
	if n := b.count("[data-testid=comment-edit]"); n != 1 {
		t.Errorf("%d Edit links for the owner, want 1 (their own)", n)
	}
	if n := b.count("[data-testid=comment-delete]"); n != 2 {
		t.Errorf("%d Delete buttons for the owner, want 2 (an owner deletes any)", n)
	}

	// The timeline filter: comments only, then changes only (htmx swap).
	b.click("[data-testid=show-comments]")
	b.waitFor("comments only", `document.querySelectorAll('[data-testid=event]').length === 0 && document.querySelectorAll('[data-testid=comment]').length === 2`)
	b.click("[data-testid=show-changes]")
	b.waitFor("changes only", `document.querySelectorAll('[data-testid=comment]').length === 0 && document.querySelectorAll('[data-testid=event]').length > 0`)
	b.screenshot("comments-01-changes")
	b.click("[data-testid=show-all]")
	b.waitFor("all", `document.querySelectorAll('[data-testid=comment]').length === 2`)
	b.screenshot("comments-02-timeline")
	// On a phone, light and dark, nothing scrolls sideways (a long link wraps).
	for _, theme := range []string{"light", "dark"} {
		b.do(chromedp.EmulateViewport(phoneWidth, phoneHeight))
		b.setTheme(theme)
		b.navigate("/risks/" + r.Identifier())
		b.waitVisible("[data-testid=comment]")
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > phoneWidth {
			t.Errorf("the risk page is %d px wide on a %d px phone (%s)", w, phoneWidth, theme)
		}
		b.screenshot("comments-03-phone-" + theme)
	}
	b.do(chromedp.EmulateViewport(1400, 1000))
	b.setTheme("light")
	b.navigate("/risks/" + r.Identifier())
	b.waitVisible("[data-testid=comment]")

	// Edit within the window.
	b.click("[data-testid=comment-edit]")
	b.waitVisible("[data-testid=comment-edit-body]")
	b.replaceText("[data-testid=comment-edit-body]", "@Vera Viewer I do.")
	b.click("[data-testid=comment-edit-save]")
	b.waitVisible("[data-testid=comment-edited]")
	editPath := eval[string](b, `document.querySelector('[data-testid=comment-edit]').getAttribute('href')`)

	// Sixteen minutes later the window has closed.
	e.Clock.Advance(16 * time.Minute)
	owner := e.login("owner@talk.example", testPassword)
	page := owner.get("/risks/" + r.Identifier())
	if n := page.Doc(t).Find("[data-testid=comment-edit]").Length(); n != 0 {
		t.Errorf("%d Edit links 16 minutes later", n)
	}
	if n := page.Doc(t).Find("[data-testid=comment-delete]").Length(); n != 2 {
		t.Errorf("the owner lost Delete after the window: %d", n)
	}
	if res := owner.get(editPath); res.StatusCode != http.StatusForbidden {
		t.Errorf("GET %s 16 minutes later: %d, want 403", editPath, res.StatusCode)
	}
	commentPath := strings.TrimSuffix(editPath, "/edit")
	if res := owner.postForm(commentPath, url.Values{"body": {"late"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("POST an edit 16 minutes later: %d, want 403", res.StatusCode)
	}
	viewer = e.login("vera@talk.example", testPassword)
	vpage := viewer.get("/risks/" + r.Identifier())
	if n := vpage.Doc(t).Find("[data-testid=comment-delete]").Length(); n != 0 {
		t.Errorf("a viewer may delete %d comments after the window, want 0", n)
	}
	b.checkConsole()
	vb.checkConsole()
}
