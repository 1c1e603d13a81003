package web_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRiskTypeAndObjectives: the risk form sets a type (a select)
// and threat objectives (checkboxes, ticked with the keyboard); the risk
// page shows them; the edit form keeps them; the register filters by
// type and objective, with their chips.
func TestBrowserRiskTypeAndObjectives(t *testing.T) {
	e := newEnv(t)
	e.signup("Harbor Freight", "owner@harbor.example")
	b := openBrowser(t, e)
	b.login("owner@harbor.example")

	b.navigate("/risks/new")
	b.waitVisible("[data-testid=risk-form]")
	b.do(
		chromedp.SendKeys(chromedp.CSS("#title"), "Payment portal skimming"),
		chromedp.SendKeys(chromedp.CSS("#description"), "Injected script reads card numbers."),
	)
	b.choose("#category", "technology")
	b.choose("#risk_type", "third_party")
	// Keyboard: focus each checkbox and press Space.
	for _, v := range []string{"fraud", "data_disclosure"} {
		b.do(chromedp.Focus(chromedp.CSS(`input[name=threat_objectives][value=` + v + `]`)))
		b.press(" ", "Space", 32, " ")
	}
	b.expect("two objectives ticked", `document.querySelectorAll('input[name=threat_objectives]:checked').length === 2`)
	b.click("[data-testid=save]")
	b.waitVisible("[data-testid=risk-heading]")
	if got := b.text("[data-testid=risk-type]"); got != "Third-party" {
		t.Errorf("the risk page's type = %q", got)
	}
	if got := b.text("[data-testid=threat-objectives]"); got != "Data Disclosure, Fraud" {
		t.Errorf("the risk page's threat objectives = %q", got)
	}
	b.screenshot("risk-classification-detail")

	b.navigate("/risks/RSK-00001/edit")
	b.waitVisible("[data-testid=risk-form]")
	checked := eval[[]string](b, `[...document.querySelectorAll('input[name=threat_objectives]:checked')].map(i => i.value)`)
	if !slices.Equal(checked, []string{"data_disclosure", "fraud"}) || value(b, "type", chromedp.Value(chromedp.CSS("#risk_type"))) != "third_party" {
		t.Errorf("edit form: type %q objectives %v", value(b, "type", chromedp.Value(chromedp.CSS("#risk_type"))), checked)
	}
	// Untick one, pick another type.
	b.click(`input[name=threat_objectives][value=fraud]`)
	b.choose("#risk_type", "vulnerability")
	b.click("[data-testid=save]")
	b.waitVisible("[data-testid=risk-heading]")
	if got := b.text("[data-testid=threat-objectives]"); got != "Data Disclosure" {
		t.Errorf("after the edit: objectives %q", got)
	}
	if got := b.text("[data-testid=history]"); !strings.Contains(got, "Threat objectives") || !strings.Contains(got, "Vulnerability") {
		t.Errorf("history = %q", got)
	}

	// A second, unclassified risk; the register filters.
	b.navigate("/risks/new")
	b.waitVisible("[data-testid=risk-form]")
	b.do(
		chromedp.SendKeys(chromedp.CSS("#title"), "Forklift licence lapses"),
		chromedp.SendKeys(chromedp.CSS("#description"), "Drivers' certificates expire."),
	)
	b.choose("#category", "people")
	b.click("[data-testid=save]")
	b.waitVisible("[data-testid=risk-heading]")

	b.navigate("/risks")
	b.waitVisible("[data-testid=result-count]")
	b.recordHTMX()
	b.choose("#f-type", "vulnerability")
	b.waitFor("the type chip", `document.querySelectorAll('[data-testid=filter-chip]').length === 1`)
	if got := b.chipLabels(); !slices.Equal(got, []string{"Type: Vulnerability"}) {
		t.Errorf("chips = %q", got)
	}
	if got := b.rowTitles(); !slices.Equal(got, []string{"Payment portal skimming"}) {
		t.Errorf("type=vulnerability rows = %v", got)
	}
	b.choose("#f-objective", "fraud")
	b.waitFor("the objective chip", `document.querySelectorAll('[data-testid=filter-chip]').length === 2`)
	b.waitFor("no rows", `document.querySelectorAll('[data-testid=risk-row]').length === 0`)
	if p := b.path(); !strings.Contains(p, "type=vulnerability") || !strings.Contains(p, "objective=fraud") {
		t.Errorf("address %s", p)
	}
	b.choose("#f-objective", "data_disclosure")
	b.waitFor("one row again", `document.querySelectorAll('[data-testid=risk-row]').length === 1`)
	if got := b.chipLabels(); !slices.Equal(got, []string{"Type: Vulnerability", "Threat objective: Data Disclosure"}) {
		t.Errorf("chips = %q", got)
	}
	b.screenshot("register-classification-filters")

	// At 390 px the form's checkboxes fit without sideways scrolling.
	b.do(chromedp.EmulateViewport(390, 844))
	b.navigate("/risks/RSK-00001/edit")
	b.waitVisible("[data-testid=threat-objectives]")
	b.expect("no sideways scroll at 390 px", `document.documentElement.scrollWidth <= 390`)
	b.do(chromedp.ScrollIntoView(chromedp.CSS("[data-testid=threat-objectives]")))
	b.screenshot("risk-form-classification-390")
	b.checkConsole()
}
