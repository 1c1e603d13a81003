package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/riskreg/riskreg/app/risk"
)

// Item 18 (tasks): at 390 px each task has one menu instead of three
// buttons, so its title keeps most of the row; Delete sits in the menu,
// not as a red button on every row, and asks first.
func TestBrowserTaskMenuOnPhone(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "VPN exposure"})
	e.addTask(a, r, risk.TaskInput{Title: "Patch both VPN gateways and rotate the shared secrets"})
	e.addTask(a, r, risk.TaskInput{Title: "Review the firewall rules"})
	b := openBrowser(t, e)
	b.login("owner@acme.example")
	b.do(chromedp.EmulateViewport(390, 844))
	b.navigate("/risks/" + r.Identifier())
	b.waitVisible(`#risk-tasks [data-testid="task"]`)

	visible := `(el) => el.checkVisibility({visibilityProperty: true}) && el.getBoundingClientRect().width > 0`
	perRow := eval[[]int](b, `[...document.querySelectorAll('#risk-tasks [data-testid=task]')].map(li =>
		[...li.querySelectorAll('button, a.btn, summary')].filter(`+visible+`).length)`)
	for i, n := range perRow {
		if n != 1 {
			t.Errorf("task %d shows %d controls at 390 px, want one menu", i+1, n)
		}
	}
	if w := eval[float64](b, `document.querySelector('#risk-tasks [data-testid=task-title]').getBoundingClientRect().width`); w < 200 {
		t.Errorf("the first task's title is %.0f px wide at 390 px, want at least 200", w)
	}
	if n := eval[int](b, `[...document.querySelectorAll('#risk-tasks .btn-danger')].filter(`+visible+`).length`); n != 0 {
		t.Errorf("%d red buttons in the task list", n)
	}
	if n := eval[int](b, `document.documentElement.scrollWidth`); n > 390 {
		t.Errorf("the page is %d px wide at 390 px", n)
	}
	b.screenshot("task-menu-390-closed")

	// Complete from the first task's menu.
	b.click(`#risk-tasks [data-testid="task"]:nth-child(1) [data-testid="task-menu-button"]`)
	b.click(`#risk-tasks [data-testid="task"]:nth-child(1) [data-testid="task-menu-complete"]`)
	b.waitFor("the completed first task", `document.querySelector('#risk-tasks [data-testid=task] [data-testid=task-status]').textContent === 'Completed'`)

	// Delete the second from its menu, after a confirmation.
	b.do(chromedp.Evaluate[chromedp.Void](`window.__confirms = []; window.confirm = (m) => { window.__confirms.push(m); return true; }`))
	b.click(`#risk-tasks [data-testid="task"]:nth-child(2) [data-testid="task-menu-button"]`)
	b.screenshot("task-menu-390-open")
	b.click(`#risk-tasks [data-testid="task"]:nth-child(2) [data-testid="task-delete"]`)
	b.waitFor("one task left", `document.querySelectorAll('#risk-tasks [data-testid=task]').length === 1`)
	if got := eval[[]string](b, `window.__confirms`); len(got) != 1 || got[0] != "Delete task “Review the firewall rules”?" {
		t.Errorf("confirmations %q", got)
	}
	b.checkConsole()
}
