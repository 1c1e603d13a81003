package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/risk"
)

// A comment by member A that mentions member B reaches B's bell and the
// mentions of B's My work; B reads it and the bell goes quiet.
func TestBrowserMentionReachesBellAndMyWork(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Acme", "owner@acme.test")
	if _, _, err := e.Server.Accounts.CreateUser(context.Background(), account.NewUserInput{
		Organization: o.Name, Name: "Bea Lovelace", Email: "bea@acme.test", Password: testPassword, Role: account.RoleEditor,
	}); err != nil {
		t.Fatal(err)
	}
	r := e.createRisk(o, risk.Input{Title: "VPN concentrator end of life"})

	a := openBrowser(t, e)
	a.login("owner@acme.test")
	a.navigate("/risks/" + r.Identifier())
	a.waitVisible("[data-testid=comment-body]")
	a.do(chromedp.SendKeys(chromedp.CSS("[data-testid=comment-body]"), "@Bea Lovelace can you plan the replacement?"))
	a.clickThrough("[data-testid=comment-submit]")
	a.waitVisible("[data-testid=comment]") // the first comment, after the page reloads
	if got := a.text("[data-testid=comment]"); !strings.Contains(got, "plan the replacement") {
		a.fatal("comment %q", got)
	}
	if a.count("[data-testid=bell-count]") != 0 {
		a.fatal("the author's own bell counts their comment")
	}
	a.checkConsole()

	b := openBrowser(t, e)
	b.login("bea@acme.test") // an editor: lands on My work
	b.navigate("/me")
	b.waitVisible("[data-testid=mywork-mentions]")
	if got := strings.TrimSpace(b.text("[data-testid=bell-count]")); got != "1" {
		b.fatal("bell count %q, want 1", got)
	}
	if got := strings.TrimSpace(b.text("[data-testid=nav-mywork-badge]")); got != "1" {
		b.fatal("My work badge %q, want 1 (the unread mention)", got)
	}
	if got := b.text("[data-testid=mywork-mention]"); !strings.Contains(got, "plan the replacement") || !strings.Contains(got, "Owner Acme") {
		b.fatal("My work mention %q", got)
	}
	b.click("[data-testid=bell]")
	b.waitVisible("[data-testid=notification][data-kind=mention]")
	if got := b.text("[data-testid=notification][data-kind=mention]"); !strings.Contains(got, "Owner Acme mentioned you on "+r.Identifier()) {
		b.fatal("notification %q", got)
	}
	b.clickThrough("[data-testid=notification][data-kind=mention] [data-testid=mark-read]")
	b.waitFor("the bell to go quiet", `!document.querySelector("[data-testid=bell-count]") && !document.querySelector("[data-testid=notification][data-unread]")`)
	// The mention links to the comment on the risk page.
	b.click("[data-testid=notification][data-kind=mention] a")
	b.waitVisible("[data-testid=comment]")
	if p := b.path(); p != "/risks/"+r.Identifier() {
		b.fatal("the notification opened %s", p)
	}
	b.checkConsole()
}

// clickThrough clicks what submits a form or follows a link to a new
// document and waits until that document has loaded.
func (b *browser) clickThrough(sel string) {
	b.t.Helper()
	_ = eval[bool](b, `window.__before = true`)
	b.click(sel)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		done, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!window.__before && document.readyState === "complete"`))
		if err == nil && done {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.fatal("clicking %s loaded no new page", sel)
}
