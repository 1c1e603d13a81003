package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/risk"
)

// registerOrder returns the identifiers of the register's rows, in order.
func registerOrder(t *testing.T, c *client, query string) []string {
	t.Helper()
	res := c.get("/risks?" + query)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("register: status %d", res.StatusCode)
	}
	var ids []string
	res.Doc(t).Find(`[data-testid="risk-row"]`).Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, s.AttrOr("data-id", ""))
	})
	return ids
}

// Item 12: a treatment or task change moves the risk's Updated time (not
// its version), so the register sorted by Updated shows it first.
func TestPlanChangesMoveUpdated(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	older := e.createRisk(a, risk.Input{Title: "Older risk"})
	newer := e.createRisk(a, risk.Input{Title: "Newer risk"})
	if got := registerOrder(t, a.Owner, "sort=-updated"); len(got) != 2 || got[0] != newer.Identifier() {
		t.Fatalf("before: order %v, want %s first", got, newer.Identifier())
	}
	for _, step := range []struct {
		r    *risk.Risk
		path string
		form url.Values
	}{
		{older, "/tasks", url.Values{"title": {"Patch the VPN"}}},
		{newer, "/treatment", url.Values{"type": {"mitigate"}}},
		{older, "/treatment", url.Values{"type": {"accept"}}},
	} {
		if res := a.Owner.postForm("/risks/"+step.r.Identifier()+step.path, step.form); res.StatusCode != http.StatusOK {
			t.Fatalf("%s on %s: %d", step.path, step.r.Identifier(), res.StatusCode)
		}
		if got := registerOrder(t, a.Owner, "sort=-updated"); got[0] != step.r.Identifier() {
			t.Errorf("after %s on %s: order %v, want it first", step.path, step.r.Identifier(), got)
		}
		got, err := e.Server.Risks.Get(t.Context(), a.ID, step.r.ID)
		if err != nil || got.Version != step.r.Version {
			t.Errorf("%s changed the version to %d (err %v); only the Updated time moves", step.path, got.Version, err)
		}
	}
}
