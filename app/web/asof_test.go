package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// pastDay returns noon UTC of the day n days before the real today, and
// that day as YYYY-MM-DD. The script runs in the past: browser sessions
// made then would expire by real time, so it signs up through the service
// and signs in through the form only back in the present.
func pastDay(n int) (time.Time, string) {
	d := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -n)
	return d.Add(12 * time.Hour), d.Format(time.DateOnly)
}

// asOfState is what a past view must show for one risk: its residual
// level name, or absent.
type asOfState map[string]string // identifier -> residual level name

// history scripts a risk's life with the injectable clock: created on 10
// January (Low), changed on 10 February (Medium) and 10 March (inherent
// Critical, residual High) when a second risk appears, deleted on 10
// April, restored on 10 May, and re-levelled by a matrix change on 10 June
// (residual Critical). It returns the expected state as of each day.
func scriptHistory(t *testing.T, e *env) (*org, map[string]asOfState) {
	ctx := context.Background()
	at := func(n int) string {
		t, day := pastDay(n)
		e.Clock.Set(t)
		return day
	}
	_, beforeOrg := pastDay(201)
	_, dayBeforeA := pastDay(196)
	at(200)
	token, err := e.Server.Accounts.Signup(ctx, account.SignupInput{Organization: "Lookback", Name: "Owner", Email: "owner@lookback.test", Password: testPassword}, "test", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Server.Accounts.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	o := &org{ID: p.Organization.ID, Name: "Lookback"}
	actor := audit.Actor{MemberID: p.MemberID, Name: p.User.Name}
	create := func(in risk.Input) *risk.Risk {
		t.Helper()
		in.Category, in.Description = "technology", "Described for a test."
		r, err := e.Server.Risks.Create(ctx, o.ID, actor, in)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	set := func(id string, pr, im, rp, ri int) {
		t.Helper()
		_, err := e.Server.Risks.Patch(ctx, o.ID, actor, id, 0, func(cur *risk.Risk) (risk.Input, error) {
			in := risk.InputOf(cur)
			in.Probability, in.Impact, in.ResidualProbability, in.ResidualImpact = pr, im, rp, ri
			return in, nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	created := at(195)
	a := create(risk.Input{Title: "Vendor outage", Probability: 2, Impact: 2, ResidualProbability: 1, ResidualImpact: 1})
	_, beforeFirstChange := pastDay(165)
	firstChange := at(164)
	set(a.ID, 6, 6, 5, 5) // 3x3 = 9: Medium; residual band 3x3: Medium
	secondChange := at(134)
	set(a.ID, 9, 9, 7, 7) // Critical; residual 4x4 = 16: High
	b := create(risk.Input{Title: "Key person leaves", Probability: 3, Impact: 3, ResidualProbability: 3, ResidualImpact: 3})
	_, beforeDelete := pastDay(104)
	deleted := at(103)
	if err := e.Server.Risks.Delete(ctx, o.ID, actor, a.ID, 0); err != nil {
		t.Fatal(err)
	}
	restored := at(73)
	if _, err := e.Server.Risks.Restore(ctx, o.ID, actor, a.ID); err != nil {
		t.Fatal(err)
	}
	_, beforeMatrix := pastDay(43)
	matrixChanged := at(42)
	reg, err := e.Server.Risks.Registers.DefaultRegister(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	m := reg.Matrix
	m.Grid[3][3] = 3 // High x High becomes Critical
	if _, err := e.Server.Risks.UpdateRegister(ctx, o.ID, actor, reg.ID, 0, risk.RegisterInput{Name: reg.Name, Description: reg.Description, Matrix: m}); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(time.Now())
	_, today := pastDay(0)
	A, B := a.Identifier(), b.Identifier()
	return o, map[string]asOfState{
		beforeOrg:         {},
		dayBeforeA:        {},
		created:           {A: "Low"},
		beforeFirstChange: {A: "Low"},
		firstChange:       {A: "Medium"},
		secondChange:      {A: "High", B: "Low"},
		beforeDelete:      {A: "High", B: "Low"},
		deleted:           {B: "Low"},
		restored:          {A: "High", B: "Low"},
		beforeMatrix:      {A: "High", B: "Low"},
		matrixChanged:     {A: "Critical", B: "Low"},
		today:             {A: "Critical", B: "Low"},
	}
}

// Every intermediate state of a scripted history, as of each day, in the
// API's list, single risk and heat map, the register page and the heat
// map page.
func TestAsOfReplaysAScriptedHistory(t *testing.T) {
	e := newEnv(t)
	o, want := scriptHistory(t, e)
	owner := e.login("owner@lookback.test", testPassword)
	o.Owner = owner
	api := e.apiKey(o, "risks:read")
	for day, state := range want {
		// API list.
		got := asOfState{}
		for _, it := range api.get("/api/v1/risks?asOf=" + day).dataList() {
			m := it.(map[string]any)
			lv, _ := m["residualLevel"].(map[string]any)
			got[m["identifier"].(string)], _ = lv["name"].(string)
		}
		if fmt.Sprint(got) != fmt.Sprint(state) {
			t.Errorf("API list as of %s: %v, want %v", day, got, state)
		}
		// API single risk.
		for id, level := range state {
			r := api.get("/api/v1/risks/" + id + "?asOf=" + day)
			lv, _ := r.dataMap()["residualLevel"].(map[string]any)
			if r.Status != http.StatusOK || lv["name"] != level {
				t.Errorf("API %s as of %s: %d %v, want %s", id, day, r.Status, lv["name"], level)
			}
		}
		// API heat map: the residual cells add up to the risks, each at its level.
		if len(state) > 0 {
			h := api.get("/api/v1/heatmap?kind=residual&asOf=" + day).dataMap()
			perLevel := map[string]int{}
			for _, c := range h["cells"].([]any) {
				cm := c.(map[string]any)
				if n := int(cm["count"].(float64)); n > 0 {
					perLevel[cm["level"].(map[string]any)["name"].(string)] += n
				}
			}
			wantLevels := map[string]int{}
			for _, l := range state {
				wantLevels[l]++
			}
			if fmt.Sprint(perLevel) != fmt.Sprint(wantLevels) {
				t.Errorf("API heat map as of %s: %v, want %v", day, perLevel, wantLevels)
			}
		}
		// Register page: the rows and the banner, no write controls.
		res := owner.get("/risks?as_of=" + day)
		doc := res.Doc(t)
		if res.StatusCode != http.StatusOK || doc.Find(`[data-testid="as-of-banner"]`).Length() != 1 {
			t.Fatalf("register as of %s: %d, banner %d", day, res.StatusCode, doc.Find(`[data-testid="as-of-banner"]`).Length())
		}
		rows := asOfState{}
		doc.Find(`tr[data-testid="risk-row"]`).Each(func(_ int, s *goquery.Selection) {
			rows[s.AttrOr("data-id", "")] = ""
		})
		for id := range state {
			if _, ok := rows[id]; !ok {
				t.Errorf("register as of %s lacks %s", day, id)
			}
		}
		if len(rows) != len(state) {
			t.Errorf("register as of %s: rows %v, want %v", day, rows, state)
		}
		for _, sel := range []string{`[data-testid="new-risk"]`, `[data-testid="export-csv"]`, `input[name="ids"]`, `[data-testid="bulk-bar"]`} {
			if doc.Find(sel).Length() > 0 {
				t.Errorf("register as of %s shows %s", day, sel)
			}
		}
		// Heat map page.
		hp := owner.get("/heatmap?kind=residual&as_of=" + day)
		if hp.StatusCode != http.StatusOK || !strings.Contains(hp.Body, `data-testid="as-of-banner"`) {
			t.Errorf("heat map as of %s: %d, no banner", day, hp.StatusCode)
		}
		// Dashboard.
		if d := owner.get("/?as_of=" + day); d.StatusCode != http.StatusOK || !strings.Contains(d.Body, `data-testid="as-of-banner"`) {
			t.Errorf("dashboard as of %s: %d, no banner", day, d.StatusCode)
		}
	}
	// A risk's page as of a day shows its state then; before its creation it is not found.
	_, firstChange := pastDay(164)
	_, dayBeforeA := pastDay(196)
	_, tomorrow := pastDay(-1)
	if body := owner.get("/risks/RSK-00001?as_of=" + firstChange).Body; !strings.Contains(body, `data-testid="as-of-banner"`) || strings.Contains(body, `data-testid="edit"`) {
		t.Errorf("risk page as of the first change: no banner, or an edit button")
	}
	if r := owner.get("/risks/RSK-00001?as_of=" + dayBeforeA); r.StatusCode != http.StatusNotFound {
		t.Errorf("risk page before its creation: %d, want 404", r.StatusCode)
	}
	// Paging a past list: the total holds on every page, past the last too.
	_, today := pastDay(0)
	for page, n := range map[int]int{1: 1, 2: 1, 3: 0} {
		r := api.get(fmt.Sprintf("/api/v1/risks?asOf=%s&per_page=1&page=%d&sort=identifier", today, page))
		if len(r.dataList()) != n || r.Header.Get("X-Pagination-Total-Entries") != "2" {
			t.Errorf("page %d as of today: %d risks, total %s; want %d of 2", page, len(r.dataList()), r.Header.Get("X-Pagination-Total-Entries"), n)
		}
	}
	// Bad and future days are refused, naming the parameter.
	for _, q := range []string{"asOf=" + tomorrow, "asOf=30-06-2026", "asOf=2026-02-30"} {
		for _, path := range []string{"/api/v1/risks?", "/api/v1/risks/RSK-00001?"} {
			r := api.get(path + q)
			if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "asOf") {
				t.Errorf("GET %s%s: %d %s", path, q, r.Status, r.Body)
			}
		}
	}
	for _, path := range []string{"/risks?as_of=" + tomorrow, "/?as_of=" + tomorrow, "/?as_of=0001-01-01", "/risks/RSK-00001?as_of=junk"} {
		if r := owner.get(path); r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "as_of") {
			t.Errorf("%s: %d, want a refusal naming as_of", path, r.StatusCode)
		}
	}
	// The trends: the dashboard's weekly chart and the risk's score chart, each with a table.
	dash := owner.get("/").Doc(t)
	if dash.Find(`[data-testid="trend-chart"] svg[role="img"] title`).Length() != 1 || dash.Find(`[data-testid="trend-chart-table"] tbody tr`).Length() != 52 {
		t.Errorf("dashboard trend: no accessible SVG or not 52 weeks in its table")
	}
	page := owner.get("/risks/RSK-00001").Doc(t)
	if page.Find(`[data-testid="score-chart"] svg[role="img"] path`).Length() != 2 || page.Find(`[data-testid="score-chart-table"] tbody tr`).Length() < 4 {
		t.Errorf("risk score chart: no step lines or too few rows in its table")
	}
}
