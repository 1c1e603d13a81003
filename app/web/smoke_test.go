package web_test

import (
	"net/http"
	"testing"

	"github.com/riskreg/riskreg/app/risk"
)

func TestSignupAndRegister(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	e.createRisk(a, risk.Input{Title: "Server vulnerability"})
	res := a.Owner.get("/risks")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if got := res.Doc(t).Find(`[data-testid="risk-row"]`).Length(); got != 1 {
		t.Fatalf("rows = %d, want 1", got)
	}
}
