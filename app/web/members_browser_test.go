package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/audit"
)

// TestBrowserInviteRoleDisable: an owner invites a colleague, who accepts
// in another browser (own cookies); the owner changes their role, disables
// them (their open page is signed out at once and their API key refused)
// and enables them again.
func TestBrowserInviteRoleDisable(t *testing.T) {
	e := newEnv(t)
	e.signup("Browser Team", "owner@bteam.example")
	owner := openBrowser(t, e)
	owner.login("owner@bteam.example")

	owner.navigate("/settings")
	owner.click(`[data-testid=settings-nav] a[href="/settings/members"]`)
	owner.waitVisible(`[data-testid=invite-form]`)
	if owner.count(`[data-testid=no-invitations]`) != 1 {
		t.Error("no empty state for invitations")
	}
	owner.do(chromedp.SendKeys(chromedp.CSS("#invite-email"), "colleague@bteam.example"))
	owner.choose("#invite-role", "editor")
	owner.click(`[data-testid=invite-submit]`)
	owner.waitVisible(`[data-testid=new-link-url]`)
	link := owner.text(`[data-testid=new-link-url]`)
	if !strings.HasPrefix(link, e.URL+"/invite/") {
		t.Fatalf("invitation link %q", link)
	}
	if n := owner.count(`[data-testid=invitation-row][data-email="colleague@bteam.example"]`); n != 1 {
		t.Errorf("pending invitations listed: %d", n)
	}
	owner.screenshot("members-invite-1440")

	// The colleague, in a separate browser context (own cookies).
	mate := openBrowser(t, e)
	mate.do(chromedp.Navigate(link))
	mate.waitVisible(`[data-testid=invite-page]`)
	mate.screenshot("members-accept-1440")
	mate.do(
		chromedp.SendKeys(chromedp.CSS("#name"), "Colleague Cole"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
	)
	mate.click(`[data-testid=invite-accept]`)
	mate.waitVisible(`[data-testid=card-total]`)
	if got := mate.text("[data-testid=user-name]"); !strings.Contains(got, "Colleague Cole") || !strings.Contains(got, "editor") {
		t.Errorf("the new member's top bar: %q", got)
	}

	// The owner sees them and makes them a viewer.
	owner.navigate("/settings/members")
	row := `[data-testid=member-row][data-email="colleague@bteam.example"]`
	owner.waitVisible(row)
	if got := owner.text(row + ` [data-testid=member-status]`); got != "Active" {
		t.Errorf("status %q", got)
	}
	owner.choose(row+` [data-testid=member-role-select]`, "viewer")
	owner.click(row + ` [data-testid=member-role-save]`)
	owner.waitVisible(`[data-testid=flash]`) // the page after the redirect
	owner.waitVisible(row)
	if fl := owner.flashes(); len(fl) == 0 || !strings.Contains(fl[0], "is now Viewer") {
		t.Errorf("flash after the role change: %q", fl)
	}
	mate.navigate("/risks")
	mate.waitVisible(`[data-testid=result-count]`)
	if got := mate.text("[data-testid=user-name]"); !strings.Contains(got, "viewer") {
		t.Errorf("after the role change the colleague's top bar says %q", got)
	}

	// Their API key works until they are disabled.
	mateID := eval[string](owner, `document.querySelector(`+jsString(row)+`).dataset.memberId`)
	var orgID string
	if err := e.DB.NewRaw(`SELECT organization_id FROM members WHERE id = ?`, mateID).Scan(context.Background(), &orgID); err != nil {
		t.Fatal(err)
	}
	_, secret, err := e.Server.APIKeys.Create(context.Background(), orgID, audit.Actor{MemberID: mateID, Name: "Colleague Cole"},
		apikey.CreateInput{Name: "Cole's script", Scopes: []string{apikey.ScopeRead}})
	if err != nil {
		t.Fatal(err)
	}
	if res := apiGet(e, secret, "/api/v1/risks"); res.StatusCode != 200 {
		t.Fatalf("the colleague's key before: %d", res.StatusCode)
	}

	owner.do(chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	owner.click(row + ` [data-testid=member-disable]`)
	owner.waitVisible(row + ` [data-testid=member-enable]`)
	if got := owner.text(row + ` [data-testid=member-status]`); got != "Disabled" {
		t.Errorf("status after disabling %q", got)
	}
	owner.screenshot("members-list-1440")
	// The colleague's next click lands on the sign-in page.
	mate.navigate("/risks")
	mate.waitVisible(`[data-testid=login-submit]`)
	if res := apiGet(e, secret, "/api/v1/risks"); res.StatusCode != 401 {
		t.Errorf("the disabled colleague's key: %d, want 401", res.StatusCode)
	}

	owner.click(row + ` [data-testid=member-enable]`)
	owner.waitVisible(row + ` [data-testid=member-disable]`)
	if got := owner.text(row + ` [data-testid=member-status]`); got != "Active" {
		t.Errorf("status after enabling %q", got)
	}
	mate.do(
		chromedp.SendKeys(chromedp.CSS("#email"), "colleague@bteam.example"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
	)
	mate.click(`[data-testid=login-submit]`)
	mate.waitVisible(`[data-testid=result-count]`)

	// Phone width: the members page and the account page fit.
	owner.do(chromedp.EmulateViewport(phoneWidth, phoneHeight))
	owner.navigate("/settings/members")
	owner.waitVisible(row)
	owner.screenshot("members-list-390")
	owner.setTheme("dark")
	owner.navigate("/settings/members")
	owner.waitVisible(row)
	owner.screenshot("members-list-dark-390")
	mate.navigate("/account")
	mate.waitVisible(`[data-testid=sessions]`)
	mate.screenshot("account-1440")
	mate.do(chromedp.EmulateViewport(phoneWidth, phoneHeight))
	mate.navigate("/account")
	mate.waitVisible(`[data-testid=sessions]`)
	mate.screenshot("account-390")
	// The used link, opened again at phone width: a clear page, no overflow.
	if status := mate.navigateStatus(strings.TrimPrefix(link, e.URL)); status != 404 {
		t.Errorf("used invitation link: status %d, want 404", status)
	}
	mate.waitVisible(`[data-testid=link-problem]`)
	if got := mate.text(`[data-testid=link-problem] h1`); got != "This link has been used" {
		t.Errorf("used link page says %q", got)
	}
	if w := eval[int](mate, `document.documentElement.scrollWidth`); w > phoneWidth {
		t.Errorf("the link page is %d px wide", w)
	}
	mate.screenshot("invite-used-390")
	owner.checkConsole()
	mate.checkConsole(404)
}
