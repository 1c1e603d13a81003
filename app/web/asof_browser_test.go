package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/riskreg/riskreg/app/risk"
)

// TestBrowserAsOfThreeDates sets a risk's residual levels on three dates
// through the edit form (the clock moved ten days between them) and sees
// each state, as of each date, in the register, the heat map and the API;
// the past views are read-only and lead back to today.
func TestBrowserAsOfThreeDates(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Lookback", "owner@lookback.example")
	e.createRisk(o, risk.Input{Title: "Ransomware outbreak", Probability: 9, Impact: 9, ResidualProbability: 5, ResidualImpact: 5})
	api := e.apiKey(o, "risks:read")

	type state struct {
		day   string
		radio int    // the residual probability and impact option (1 = Very Low … 5 = Very High)
		level string // the residual level it gives on the default matrix
		cell  string // its residual heat-map cell
	}
	states := []state{{radio: 1, level: "Low", cell: "0-0"}, {radio: 3, level: "Medium", cell: "2-2"}, {radio: 4, level: "High", cell: "3-3"}}
	b := openBrowser(t, e)
	for i := range states {
		if i > 0 {
			e.Clock.Advance(10 * 24 * time.Hour)
			b = openBrowser(t, e) // the session aged with the clock
		}
		b.login("owner@lookback.example")
		states[i].day = e.Clock.Now().UTC().Format(time.DateOnly)
		b.navigate("/risks/RSK-00001/edit")
		b.waitVisible("[data-testid=risk-form]")
		for _, f := range []string{"residual_probability", "residual_impact"} {
			sel := fmt.Sprintf("#%s-%d", f, states[i].radio)
			b.click("label:has(> " + sel + ") > span")
			b.waitFor(sel+" checked", "document.querySelector('"+sel+"').checked")
		}
		b.click("[data-testid=save]")
		b.waitVisible("[data-testid=score-chart]")
		if p := b.path(); p != "/risks/RSK-00001" {
			t.Fatalf("after saving at %s, want the risk page", p)
		}
	}

	for _, s := range states {
		// The register as of the day: the banner, the risk at its level then, no write controls.
		b.navigate("/risks?as_of=" + s.day)
		b.waitVisible(`[data-testid="as-of-banner"]`)
		row := b.text(`[data-testid="risk-row"]`)
		for _, other := range states {
			if has := strings.Contains(row, other.level); has != (other.level == s.level) {
				t.Errorf("register as of %s: row %q, want residual %s only", s.day, row, s.level)
			}
		}
		if n := b.count(`[data-testid="new-risk"], [data-testid="bulk-bar"], [data-testid="export-csv"], input[type=checkbox][name=ids]`); n != 0 {
			t.Errorf("register as of %s shows %d write controls", s.day, n)
		}
		// Filtering keeps the day.
		b.replaceText(`#f-q`, "ransom")
		b.waitFor("the search in the URL", `location.search.includes('q=ransom')`)
		if loc := b.location(); !strings.Contains(loc, "as_of="+s.day) {
			t.Errorf("filtering the past register left the day: %s", loc)
		}
		// The heat map as of the day.
		b.navigate("/heatmap?kind=residual&as_of=" + s.day)
		b.waitVisible(`[data-testid="as-of-banner"]`)
		if got := eval[string](b, `document.querySelector('[data-cell="`+s.cell+`"]').dataset.count`); got != "1" {
			t.Errorf("heat map as of %s: cell %s holds %s, want 1", s.day, s.cell, got)
		}
		// The API as of the day.
		r := api.get("/api/v1/risks/RSK-00001?asOf=" + s.day)
		if lv, _ := r.dataMap()["residualLevel"].(map[string]any); lv["name"] != s.level {
			t.Errorf("API as of %s: residual level %v, want %s", s.day, lv["name"], s.level)
		}
	}
	last := states[len(states)-1].day
	b.navigate("/risks?as_of=" + states[0].day)
	b.waitVisible(`[data-testid="as-of-banner"]`)
	b.screenshot("asof-register-1440")
	b.click(`[data-testid="back-to-today"]`)
	b.waitVisible(`[data-testid="new-risk"]`)
	if loc := b.location(); strings.Contains(loc, "as_of") {
		t.Errorf("back to today at %s", loc)
	}
	if b.count(`[data-testid="as-of-banner"]`) != 0 || b.count(`[data-testid="new-risk"]`) != 1 {
		t.Errorf("back to today: still a past view")
	}
	// The dashboard's weekly trend and the risk's score chart.
	b.navigate("/")
	b.waitVisible(`[data-testid="trend-chart"] svg`)
	b.screenshot("asof-dashboard-trend-1440")
	b.navigate("/risks/RSK-00001")
	b.waitVisible(`[data-testid="score-chart"] svg`)
	b.screenshot("asof-risk-scores-1440")
	b.do(chromedp.EmulateViewport(390, 844))
	b.navigate("/risks?as_of=" + last)
	b.waitVisible(`[data-testid="as-of-banner"]`)
	b.screenshot("asof-register-390")
	b.navigate("/")
	b.waitVisible(`[data-testid="trend-chart"] svg`)
	b.screenshot("asof-dashboard-trend-390")
	b.checkConsole()
}
