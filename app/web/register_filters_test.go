package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/listquery"
)

// filterSample is a valid value of every filter the browser's URLs carry;
// the register id is filled in by the test.
var filterSample = map[string]string{
	"q": "flood", "status": "open", "category": "technology", "department": "it", "assignee": risk.Unassigned,
	"tag": "pci", "register": "", "level": "2", "rlevel": "2", "level_min": "2", "rlevel_min": "2",
	"prob": "7-8", "impact": "9-10", "rprob": "3-4", "rimpact": "5", "overdue": "1", "archived": "1",
	"type": "control_deficiency", "objective": "data_disclosure",
	"review_overdue": "1", "review_due": "1",
}

// TestRegisterShowsEveryURLFilter: each filter the listquery table
// declares, alone in the URL, is a removable chip with a readable label, is
// carried by the filter form (a control or a hidden field), and stays in
// the sort links and the CSV export.
func TestRegisterShowsEveryURLFilter(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	regs, err := e.Server.Risks.ListRegisters(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	filterSample["register"] = regs[0].ID
	for _, name := range listquery.Names(listquery.Browser) {
		val, ok := filterSample[name]
		if !ok {
			t.Errorf("no sample value for the filter %q: add one", name)
			continue
		}
		doc := a.Owner.get("/risks?" + url.Values{name: {val}}.Encode()).Doc(t)
		chips := doc.Find(`[data-testid="filter-chip"]`)
		if chips.Length() != 1 {
			t.Errorf("%s=%s: %d chips, want 1", name, val, chips.Length())
			continue
		}
		label := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(chips.Text()), "✕"))
		if label == name || strings.Contains(label, "Unknown") || strings.Contains(label, "level ") {
			t.Errorf("%s=%s: chip label %q is not readable", name, val, label)
		}
		if href, _ := chips.Attr("href"); strings.Contains(href, name+"=") {
			t.Errorf("%s: the chip's link %q keeps the filter", name, href)
		}
		if doc.Find(`[data-testid="clear-filters"]`).Length() == 0 {
			t.Errorf("%s: no Clear filters", name)
		}
		inForm := doc.Find(`#risk-filters [name="`+name+`"]`).Length() + doc.Find(`input[type=hidden][form="risk-filters"][name="`+name+`"]`).Length()
		if inForm != 1 {
			t.Errorf("%s: the filter form carries it %d times, want once", name, inForm)
		}
		want := url.Values{name: {val}}.Encode()
		if href, _ := doc.Find(`[data-testid="export-csv"]`).Attr("href"); !strings.Contains(href, want) {
			t.Errorf("%s: the CSV export links to %q, without %s", name, href, want)
		}
	}
}

// TestRegisterDrillDownChips: the dashboard's and the heat map's links
// show as chips in the register's matrix labels, and a filter form change
// keeps them.
func TestRegisterDrillDownChips(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	chips := func(path string) []string {
		var out []string
		a.Owner.get(path).Doc(t).Find(`[data-testid="filter-chip"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s.Text()), "✕")))
		})
		return out
	}
	for path, want := range map[string][]string{
		"/risks?overdue=1":                          {"Overdue"},
		"/risks?rlevel_min=2":                       {"Residual above Medium"},
		"/risks?prob=7-8&impact=9-10":               {"Likelihood High, Impact Very High"},
		"/risks?rprob=1-4&rimpact=5-6":              {"Residual likelihood Very Low to Low, impact Moderate"},
		"/risks?prob=3-5":                           {"Likelihood 3–5"},
		"/risks?level_min=3&category=technology":    {"Category: Technology", "Inherent above High"},
		"/risks?overdue=1&rlevel_min=2&tag=pci&q=x": {`Search: "x"`, "Tag: pci", "Residual above Medium", "Overdue"},
	} {
		if got := chips(path); !slices.Equal(got, want) {
			t.Errorf("%s: chips %q, want %q", path, got, want)
		}
	}
	// Sorting and paging keep a drill-down's filters.
	past := time.Now().AddDate(0, 0, -3).UTC().Truncate(24 * time.Hour)
	for range 26 {
		e.createRisk(a, risk.Input{Title: "Late", DueDate: &past, Probability: 9, Impact: 9, ResidualProbability: 7, ResidualImpact: 7})
	}
	doc := a.Owner.get("/risks?overdue=1&rlevel_min=2&per_page=25").Doc(t)
	for _, sel := range []string{`[data-testid="sort-title"]`, `[data-testid="next-page"]`, `[data-testid="export-csv"]`} {
		if href, _ := doc.Find(sel).Attr("href"); !strings.Contains(href, "overdue=1") || !strings.Contains(href, "rlevel_min=2") {
			t.Errorf("%s links to %q, without the filters", sel, href)
		}
	}
	// The heat-map cell's chip removes the whole cell.
	doc = a.Owner.get("/risks?prob=7-8&impact=9-10&overdue=1").Doc(t)
	href, _ := doc.Find(`[data-testid="filter-chip"]`).First().Attr("href")
	if href != "/risks?overdue=1" {
		t.Errorf("removing the cell links to %q", href)
	}
	if href, _ := doc.Find(`[data-testid="clear-filters"]`).Attr("href"); href != "/risks" {
		t.Errorf("Clear filters links to %q", href)
	}
}

// TestLevelAtOrAbove: "High and above" in the browser (level_min,
// rlevel_min) and in the API (minLevel, minResidualLevel), documented.
func TestLevelAtOrAbove(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	// Default matrix: levels by the product of the band numbers.
	low := e.createRisk(a, risk.Input{Title: "Low one", Probability: 1, Impact: 1, ResidualProbability: 1, ResidualImpact: 1})
	med := e.createRisk(a, risk.Input{Title: "Medium one", Probability: 5, Impact: 5, ResidualProbability: 5, ResidualImpact: 5})
	high := e.createRisk(a, risk.Input{Title: "High one", Probability: 7, Impact: 7, ResidualProbability: 7, ResidualImpact: 7})
	crit := e.createRisk(a, risk.Input{Title: "Critical one", Probability: 10, Impact: 10, ResidualProbability: 1, ResidualImpact: 1})
	for _, r := range []*risk.Risk{low, med, high, crit} {
		t.Logf("%s inherent %v residual %v", r.Title, *r.InherentLevel, *r.ResidualLevel)
	}
	rows := func(path string) []string {
		var out []string
		a.Owner.get(path).Doc(t).Find(`[data-testid="risk-title"]`).Each(func(_ int, s *goquery.Selection) { out = append(out, s.Text()) })
		slices.Sort(out)
		return out
	}
	if got, want := rows("/risks?level_min=2"), []string{"Critical one", "High one"}; !slices.Equal(got, want) {
		t.Errorf("inherent High and above: %q, want %q", got, want)
	}
	if got, want := rows("/risks?rlevel_min=1"), []string{"High one", "Medium one"}; !slices.Equal(got, want) {
		t.Errorf("residual Medium and above: %q, want %q", got, want)
	}
	if got := rows("/risks?level_min=2&rlevel_min=2"); !slices.Equal(got, []string{"High one"}) {
		t.Errorf("both: %q", got)
	}
	api := e.apiKey(a)
	for q, want := range map[string][]string{
		"minLevel=2":                    {"Critical one", "High one"},
		"minResidualLevel=1":            {"High one", "Medium one"},
		"residualLevel=0":               {"Critical one", "Low one"},
		"minLevel=1&minResidualLevel=1": {"High one", "Medium one"},
	} {
		res := api.get("/api/v1/risks?" + q)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", q, res.Status, res.Body)
		}
		var got []string
		for _, d := range res.dataList() {
			got = append(got, d.(map[string]any)["title"].(string))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("API %s: %q, want %q", q, got, want)
		}
	}
	// Every filter of the table is documented on the API's list.
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(e.client().get("/api/openapi.json").Body), &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, p := range doc.Paths["/risks"]["get"].Parameters {
		documented = append(documented, p.Name)
	}
	for _, name := range listquery.Names(listquery.API) {
		if !slices.Contains(documented, name) {
			t.Errorf("GET /api/v1/risks does not document %s", name)
		}
	}
	if res := api.get("/api/v1/risks?minResidualLevel=x"); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "minResidualLevel") {
		t.Errorf("a bad minResidualLevel: %d %s", res.Status, res.Body)
	}
}

// TestRegisterColumnsPerMember (item 17): a member's columns are theirs,
// remembered in the database, shown with the plan's treatment and open
// tasks; an unknown column is refused and changes nothing.
func TestRegisterColumnsPerMember(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	viewer := e.addMember(a, "viewer@acme.example", account.RoleViewer)
	r := e.createRisk(a, risk.Input{Title: "Treated", NextReviewDate: ptrDate(2027, 3, 1)})
	e.createRisk(a, risk.Input{Title: "Untreated"})
	ctx, p := context.Background(), a.Owner.principal()
	actor := audit.Actor{MemberID: p.MemberID, Name: p.User.Name}
	if _, err := e.Server.Risks.SetTreatment(ctx, a.ID, actor, r.ID, risk.TreatmentInput{Type: "mitigate", Description: "Patch"}); err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"One", "Two", "Three"} {
		if _, err := e.Server.Risks.AddTask(ctx, a.ID, actor, r.ID, risk.TaskInput{Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	tasks, _ := e.Server.Risks.Tasks(ctx, a.ID, r.ID)
	if _, err := e.Server.Risks.SetTaskStatus(ctx, a.ID, actor, r.ID, tasks[0].ID, risk.TaskCompleted); err != nil {
		t.Fatal(err)
	}
	headers := func(c *client) []string {
		var out []string
		c.get("/risks").Doc(t).Find(`[data-testid="risk-table"] th`).Each(func(_ int, s *goquery.Selection) {
			if h := strings.TrimSpace(strings.Trim(strings.TrimSpace(s.Text()), "▲▼")); h != "" { // the bulk-select column has no text
				out = append(out, h)
			}
		})
		return out
	}
	defaults := []string{"ID", "Title", "Category", "Dept.", "Assignee", "Status", "Inherent", "Residual", "Due", "Updated"}
	if got := headers(a.Owner); !slices.Equal(got, defaults) {
		t.Fatalf("default columns %q", got)
	}
	// Without JavaScript: the form posts and comes back to the same filters.
	a.Owner.get("/risks?status=open")
	res := a.Owner.postForm("/risks/columns?status=open", url.Values{"col": {"tasks", "status", "treatment", "next_review"}})
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, "/risks?status=open") {
		t.Fatalf("choosing columns: %d at %s", res.StatusCode, res.URL)
	}
	want := []string{"ID", "Title", "Status", "Treatment", "Tasks", "Next review"}
	if got := headers(a.Owner); !slices.Equal(got, want) {
		t.Errorf("chosen columns %q, want %q", got, want)
	}
	doc := a.Owner.get("/risks?sort=title").Doc(t)
	if got := strings.TrimSpace(doc.Find(`[data-testid="cell-treatment"]`).First().Text()); got != "Mitigate" {
		t.Errorf("treatment cell %q", got)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="cell-tasks"]`).First().Text()); got != "2" {
		t.Errorf("open tasks cell %q, want 2", got)
	}
	if got := strings.TrimSpace(doc.Find(`[data-testid="cell-next-review"]`).First().Text()); got != "1 Mar 2027" {
		t.Errorf("next review cell %q", got)
	}
	// The viewer's columns are their own.
	if got := headers(viewer); !slices.Equal(got, defaults) {
		t.Errorf("the viewer sees %q", got)
	}
	// An unknown column is refused, naming the field; nothing changes.
	res = a.Owner.postForm("/risks/columns", url.Values{"col": {"status", "password_hash"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Unknown column") {
		t.Errorf("unknown column: %d", res.StatusCode)
	}
	if got := headers(a.Owner); !slices.Equal(got, want) {
		t.Errorf("after a refused choice %q", got)
	}
	// Defaults again; with htmx the results come back in place.
	a.Owner.get("/risks")
	part := a.Owner.postForm("/risks/columns?overdue=1", url.Values{"reset": {"1"}}, "HX-Request", "true", "HX-Target", "risk-results")
	if part.StatusCode != http.StatusOK || strings.Contains(part.Body, "<html") || !strings.Contains(part.Body, "Overdue") {
		t.Errorf("htmx reset: %d %.200s", part.StatusCode, part.Body)
	}
	a.Owner.get("/risks")
	a.Owner.postForm("/risks/columns", url.Values{})
	if got := headers(a.Owner); !slices.Equal(got, []string{"ID", "Title"}) {
		t.Errorf("no columns chosen: %q", got)
	}
}

func ptrDate(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}
