package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/risks"
)

// TestBrowserTasks adds a task inline on a risk's page and completes it:
// both changes appear in place (htmx), without a page load, with the
// history following, and without a CSP violation or a script error.
func TestBrowserTasks(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "VPN exposure"})
	b := openBrowser(t, e) // a tab from the harness's newTab
	b.login("owner@acme.example")
	b.navigate("/risks/" + r.Identifier())
	b.waitVisible("#" + risks.TasksID + ` [data-testid="add-task-form"]`)
	// A page load would drop this marker.
	b.do(chromedp.Evaluate[chromedp.Void](`window.__samePage = true`))

	b.do(chromedp.SendKeys(chromedp.CSS("#new-task-title"), "Patch the VPN"))
	b.click(`[data-testid="add-task"]`)
	b.waitFor("the added task in the list",
		`[...document.querySelectorAll('#risk-tasks [data-testid=task-title]')].some(e => e.textContent === 'Patch the VPN')`)
	b.waitFor("the history entry", `document.querySelector('#risk-history').textContent.includes('Patch the VPN (open)')`)
	if got := eval[string](b, `document.querySelector('#new-task-title').value`); got != "" {
		t.Errorf("the add form still holds %q", got)
	}
	if got := b.text(`#risk-tasks [data-testid="task-status"]`); got != "Open" {
		t.Errorf("new task status %q", got)
	}

	b.click(`#risk-tasks [data-testid="task-complete"]`)
	b.waitFor("the completed status", `document.querySelector('#risk-tasks [data-testid=task-status]').textContent === 'Completed'`)
	if n := b.count(`#risk-tasks [data-testid="task-completed"]`); n != 1 {
		t.Errorf("%d completion dates shown, want 1", n)
	}
	if n := b.count(`#risk-tasks [data-testid="task-reopen"]`); n != 1 {
		t.Errorf("the completed task offers %d Reopen buttons", n)
	}
	b.waitFor("the status change in the history", `document.querySelector('#risk-history').textContent.includes('Patch the VPN: Completed')`)
	if !eval[bool](b, `window.__samePage === true`) {
		t.Errorf("the page was reloaded: the changes must swap in place")
	}
	b.checkConsole()
}
