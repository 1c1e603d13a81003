package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/risk"
)

// The app reads the injected clock: a risk due in ten days turns overdue
// when the clock moves eleven days ahead, in the register and the dashboard.
func TestClockInjectionMakesRisksOverdue(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Clockwork", "owner@clock.test")
	due := e.Clock.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 10)
	r := e.createRisk(o, risk.Input{Title: "Backup tapes expire", Category: "operations", Probability: 5, Impact: 5, DueDate: &due})

	if body := o.Owner.get("/risks?overdue=1").Body; strings.Contains(body, r.Identifier()) {
		t.Fatalf("%s is listed as overdue before its due date", r.Identifier())
	}
	e.Clock.Advance(11 * 24 * time.Hour)
	owner := e.login("owner@clock.test", testPassword) // the old session aged out with the clock
	if body := owner.get("/risks?overdue=1").Body; !strings.Contains(body, r.Identifier()) {
		t.Fatalf("%s is not listed as overdue eleven days later", r.Identifier())
	}
}
