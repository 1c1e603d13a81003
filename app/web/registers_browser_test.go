package web_test

import (
	"context"
	"testing"

	"github.com/riskreg/riskreg/app/risk"
)

// TestBrowserMatrixEditor changes a cell of the default matrix in the
// editor and saves: the risk in that cell is re-levelled, without a CSP
// violation or a script error.
func TestBrowserMatrixEditor(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	reg := defaultRegister(t, e, a)
	r := e.createRisk(a, risk.Input{Title: "Low corner", Probability: 1, Impact: 1})
	b := openBrowser(t, e)
	b.login("owner@acme.example")
	b.navigate("/settings/registers/" + reg.ID)
	b.waitVisible(`[data-testid="matrix-grid"]`)
	if n := b.count(`[data-testid="matrix-grid"] select`); n != 25 {
		t.Fatalf("%d cell selects, want 25", n)
	}
	b.screenshot("matrix-editor")
	b.choose(`[data-testid="cell.0.0"]`, "3")
	b.click(`[data-testid="save-register"]`)
	b.waitVisible(`[data-testid="flash"]`)
	got, err := e.Server.Risks.Get(context.Background(), a.ID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.InherentLevel == nil || *got.InherentLevel != 3 {
		t.Fatalf("the risk in the changed cell has level %v, want 3", got.InherentLevel)
	}
	if v := eval[string](b, `document.querySelector('[data-testid="cell.0.0"]').value`); v != "3" {
		t.Errorf("after saving the cell shows %q", v)
	}
	b.checkConsole()
}
