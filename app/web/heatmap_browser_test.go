package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/riskreg/riskreg/app/risk"
)

// TestBrowserHeatmap opens the heat map, clicks a cell, sees its risks and
// the pushed URL, switches to residual, and reloads into the same view.
func TestBrowserHeatmap(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	// Default matrix: probability 9 / impact 7 is Very High × High (cell 4-3).
	e.createRisk(a, risk.Input{Title: "Ransomware outbreak", Probability: 9, Impact: 7, ResidualProbability: 3, ResidualImpact: 7})
	e.createRisk(a, risk.Input{Title: "Data centre flood", Probability: 10, Impact: 8, ResidualProbability: 4, ResidualImpact: 8})
	e.createRisk(a, risk.Input{Title: "Supplier insolvency", Probability: 5, Impact: 5, ResidualProbability: 3, ResidualImpact: 4})
	e.createRisk(a, risk.Input{Title: "Key person leaves", Probability: 1, Impact: 9, ResidualProbability: 1, ResidualImpact: 9})
	e.createRisk(a, risk.Input{Title: "Not yet assessed"})

	b := openBrowser(t, e)
	b.login("owner@acme.example")
	b.navigate("/heatmap")
	b.waitVisible(`[data-testid="heatmap"]`)
	if n := b.count(`[data-testid="heatmap-cell"]`); n != 25 {
		t.Fatalf("%d cells, want 25", n)
	}
	cell := `[data-testid="heatmap-cell"][data-cell="4-3"]`
	if got := eval[string](b, `document.querySelector('`+cell+`').getAttribute('aria-label')`); got != "Very High likelihood × High impact: 2 risks" {
		t.Errorf("cell label %q", got)
	}
	// The highest likelihood is the top row.
	if !eval[bool](b, `document.querySelector('[data-cell="4-0"]').getBoundingClientRect().top < document.querySelector('[data-cell="0-0"]').getBoundingClientRect().top`) {
		t.Errorf("the highest likelihood is not at the top")
	}
	if h := eval[float64](b, `document.querySelector('`+cell+`').getBoundingClientRect().height`); h < 72 {
		t.Errorf("cells are %.0f px high, want at least 72", h)
	}
	// Keyboard: cells are links, reachable with Tab.
	if !eval[bool](b, `document.querySelector('`+cell+`').tabIndex >= 0`) {
		t.Errorf("cells are not in the tab order")
	}
	b.do(chromedp.Evaluate[chromedp.Void](`window.__samePage = true`))
	b.click(cell)
	b.waitFor("the cell's risks", `document.querySelectorAll('[data-testid=cell-risk]').length === 2`)
	if got := b.text(`[data-testid="cell-title"]`); got != "Very High likelihood × High impact: 2 risks" {
		t.Errorf("cell title %q", got)
	}
	rows := b.text(`[data-testid="cell-risks"] tbody`)
	if !strings.Contains(rows, "Ransomware outbreak") || !strings.Contains(rows, "Data centre flood") || strings.Contains(rows, "Supplier") {
		t.Errorf("cell risks: %q", rows)
	}
	if !eval[bool](b, `window.__samePage === true`) {
		t.Errorf("clicking a cell reloaded the page: it must swap in place")
	}
	u, _ := url.Parse(b.location())
	if u.Path != "/heatmap" || u.Query().Get("cell") != "4-3" {
		t.Errorf("pushed URL %s, want the cell in it", u)
	}
	b.screenshot("heatmap")

	// Reload: the same view.
	b.navigate(u.RequestURI())
	b.waitFor("the cell's risks after reload", `document.querySelectorAll('[data-testid=cell-risk]').length === 2`)

	// Residual: the risks moved down.
	b.click(`[data-testid="kind-residual"]`)
	b.waitFor("the residual view", `document.querySelector('#heatmap-view').dataset.kind === 'residual'`)
	if got := eval[string](b, `document.querySelector('[data-cell="1-3"]').dataset.count`); got != "2" {
		t.Errorf("residual Low × High = %s, want 2", got)
	}
	u, _ = url.Parse(b.location())
	if u.Query().Get("kind") != "residual" {
		t.Errorf("URL after switching %s, want kind=residual", u)
	}
	b.navigate(u.RequestURI())
	b.waitVisible(`[data-testid="heatmap"]`)
	if k := eval[string](b, `document.querySelector('#heatmap-view').dataset.kind`); k != "residual" {
		t.Errorf("after reload the view is %s", k)
	}
	if !eval[bool](b, `document.querySelector('input[name=kind][value=residual]').checked`) {
		t.Errorf("the residual switch is not selected after reload")
	}
	if got := b.text(`[data-testid="heatmap-unassessed"]`); got != "1" {
		t.Errorf("unassessed = %q, want 1", got)
	}
	b.click(`[data-cell="1-3"]`)
	b.waitFor("the residual cell's risks", `document.querySelectorAll('[data-testid=cell-risk]').length === 2`)
	b.screenshot("heatmap-residual")

	// The dashboard's numbers link to the register.
	b.navigate("/")
	b.waitVisible(`[data-testid="card-total"]`)
	if got := b.text(`[data-testid="card-total"] [data-testid="number"]`); got != "5" {
		t.Errorf("dashboard total %q, want 5", got)
	}
	b.screenshot("dashboard")
	b.checkConsole()
}
