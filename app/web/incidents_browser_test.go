package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserIncidentToRisk: record an incident, create a risk from it
// through the prefilled form, and see the link on both pages.
func TestBrowserIncidentToRisk(t *testing.T) {
	e := newEnv(t)
	e.signup("Harbor Freight", "owner@harbor.example")
	b := openBrowser(t, e)
	b.login("owner@harbor.example")

	b.click("[data-testid=nav-incidents]")
	b.waitVisible("[data-testid=empty-state]")
	b.click("[data-testid=new-incident]")
	b.waitVisible("[data-testid=incident-form]")
	b.do(
		chromedp.SendKeys(chromedp.CSS("#title"), "Forklift collided with racking"),
		chromedp.SendKeys(chromedp.CSS("#description"), "Aisle 7 racking bent; no injuries, two pallets lost."),
	)
	b.choose("#severity", "high")
	b.click("[data-testid=save-incident]")
	b.waitVisible("[data-testid=incident-heading]")
	if p := b.path(); p != "/incidents/INC-00001" {
		b.fatal("after saving at %s, want /incidents/INC-00001", p)
	}

	b.click("[data-testid=create-risk]")
	b.waitVisible("[data-testid=risk-form]")
	if got := b.text("[data-testid=from-incident]"); !strings.Contains(got, "INC-00001") {
		t.Errorf("the risk form does not say it comes from INC-00001: %q", got)
	}
	if got := value(b, "title", chromedp.Value(chromedp.CSS("#title"))); got != "Forklift collided with racking" {
		t.Errorf("prefilled title = %q", got)
	}
	if got := value(b, "category", chromedp.Value(chromedp.CSS("#category"))); got != "operations" {
		t.Errorf("prefilled category = %q, want operations", got)
	}
	b.replaceText("#title", "Racking collapse in the warehouse")
	b.click("[data-testid=save]")
	b.waitVisible("[data-testid=risk-heading]")
	if p := b.path(); p != "/risks/RSK-00001" {
		b.fatal("after saving the risk at %s, want /risks/RSK-00001", p)
	}
	if got := b.text("[data-testid=linked-incidents]"); !strings.Contains(got, "INC-00001") || !strings.Contains(got, "Forklift collided with racking") {
		t.Errorf("the risk's Linked incidents card = %q", got)
	}

	b.click("[data-testid=linked-incident] a")
	b.waitVisible("[data-testid=incident-heading]")
	if got := b.text("[data-testid=linked-risks]"); !strings.Contains(got, "RSK-00001") || !strings.Contains(got, "Racking collapse in the warehouse") {
		t.Errorf("the incident's Linked risks = %q", got)
	}
	if got := b.text("[data-testid=history]"); !strings.Contains(got, "Linked risk") {
		t.Errorf("the incident's history = %q, want the link", got)
	}
	b.checkConsole()

	b.screenshot("incident-page")
	b.navigate("/incidents")
	b.screenshot("incidents-list")
	b.checkConsole()
}
