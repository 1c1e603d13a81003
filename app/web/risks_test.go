package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/app/risk"
)

func riskForm(title string) url.Values {
	return url.Values{
		"title": {title}, "description": {"Outdated software on production servers"}, "category": {"technology"},
		"department": {"it"}, "status": {"open"}, "probability": {"7"}, "impact": {"8"},
		"residual_probability": {"3"}, "residual_impact": {"5"}, "tags": {"Cloud, iso27001, cloud"}, "due_date": {"2030-01-31"},
	}
}

func TestCreateRiskValidationWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	a.Owner.get("/risks/new")
	v := riskForm("")
	v.Set("probability", "eleven")
	v.Set("category", "bogus")
	res := a.Owner.postForm("/risks", v)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	doc := res.Doc(t)
	for field, want := range map[string]string{
		"title": "Title is required", "probability": "Probability must be a number from 0 to 10",
		"category": "Category must be one of Customer, Governance, Operations, Other, People, Regulatory, Reporting, Resilience, Technology, Vendor management; got “bogus”",
	} {
		if got := doc.Find(`[data-testid="error-` + field + `"]`).Text(); !strings.Contains(got, want) {
			t.Errorf("%s error = %q, want %q", field, got, want)
		}
	}
	if doc.Find("html").Length() == 0 || doc.Find(`#description`).Text() != "Outdated software on production servers" {
		t.Errorf("a plain POST must get the whole page with the user's input kept")
	}
	if n := countRows(t, e, "risks"); n != 0 {
		t.Fatalf("%d risks written by an invalid form", n)
	}
}

func TestCreateRiskValidationHTMXPartial(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	a.Owner.get("/risks/new")
	res := a.Owner.postForm("/risks", riskForm(" "), "HX-Request", "true", "HX-Target", "risk-form")
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", res.StatusCode)
	}
	if strings.Contains(res.Body, "<html") || !strings.Contains(res.Body, `id="risk-form"`) {
		t.Fatalf("htmx must get only the form fragment")
	}
	if !strings.Contains(res.Body, `aria-invalid="true"`) {
		t.Errorf("the invalid field is not marked")
	}
}

func TestCreateAndEditRisk(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	a.Owner.get("/risks/new")
	res := a.Owner.postForm("/risks", riskForm("Server vulnerability"))
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, "/risks/RSK-00001") {
		t.Fatalf("create: status %d at %s", res.StatusCode, res.URL)
	}
	doc := res.Doc(t)
	if got := doc.Find(`[data-testid="flash"]`).Text(); got != "RSK-00001 created." {
		t.Errorf("flash = %q", got)
	}
	if got := doc.Find(`[data-testid="assessment-Inherent"] [data-testid="level"]`).Text(); got != "High" {
		t.Errorf("inherent level = %q, want High (High x High = 16)", got)
	}
	r, err := e.Server.Risks.Get(context.Background(), a.ID, "RSK-00001")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(r.Tags, ",") != "cloud,iso27001" || r.DueDate == nil || r.DueDate.Format("2006-01-02") != "2030-01-31" {
		t.Errorf("stored tags %v due %v", r.Tags, r.DueDate)
	}

	// Edit through the form: the edit page carries the version.
	edit := a.Owner.get("/risks/RSK-00001/edit").Doc(t)
	if v, _ := edit.Find(`input[name="version"]`).Attr("value"); v != "1" {
		t.Fatalf("version in form = %q", v)
	}
	v := riskForm("Server vulnerability (patched)")
	v.Set("version", "1")
	v.Set("status", "pending")
	res = a.Owner.postForm("/risks/RSK-00001", v)
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, "/risks/RSK-00001") {
		t.Fatalf("update: status %d at %s", res.StatusCode, res.URL)
	}
	history := res.Doc(t).Find(`[data-testid="change"]`).Text()
	for _, want := range []string{"Title", "Server vulnerability (patched)", "Status", "Open", "Pending"} {
		if !strings.Contains(history, want) {
			t.Errorf("history %q lacks %q", history, want)
		}
	}
}

func TestStaleEditGetsConflictPage(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "Original"})
	a.Owner.get("/risks/" + r.Identifier() + "/edit")

	// Someone else saves first.
	other := riskForm("Their title")
	other.Set("version", "1")
	if res := a.Owner.postForm("/risks/"+r.Identifier(), other); res.StatusCode != http.StatusOK {
		t.Fatalf("first save: %d", res.StatusCode)
	}
	// The stale form (version 1) must not overwrite it.
	mine := riskForm("My title")
	mine.Set("version", "1")
	res := a.Owner.postForm("/risks/"+r.Identifier(), mine)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale save: status %d, want 409", res.StatusCode)
	}
	changes := res.Doc(t).Find(`[data-testid="conflict-change"]`).Text()
	if !strings.Contains(changes, "My title") || !strings.Contains(changes, "Their title") {
		t.Errorf("conflict page must show both values, got %q", changes)
	}
	got, _ := e.Server.Risks.Get(context.Background(), a.ID, r.ID)
	if got.Title != "Their title" || got.Version != 2 {
		t.Fatalf("stored %q v%d: the stale edit overwrote the risk", got.Title, got.Version)
	}
	// A stale delete is refused the same way.
	res = a.Owner.postForm("/risks/"+r.Identifier()+"/delete", url.Values{"version": {"1"}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale delete: status %d, want 409", res.StatusCode)
	}
	res = a.Owner.postForm("/risks/"+r.Identifier()+"/delete", url.Values{"version": {strconv.Itoa(got.Version)}})
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, "/risks") {
		t.Fatalf("delete: status %d at %s", res.StatusCode, res.URL)
	}
	if n := countRows(t, e, "risks"); n != 0 {
		t.Fatalf("risk not deleted")
	}
}

func TestRegisterPageFiltersPaginationAndPartial(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	for i := range 30 {
		cat := "technology"
		if i%3 == 0 {
			cat = "people"
		}
		e.createRisk(a, risk.Input{Title: "Risk " + strconv.Itoa(i), Category: cat, Probability: 1 + i%10, Impact: 5})
	}
	res := a.Owner.get("/risks?category=people&per_page=25")
	doc := res.Doc(t)
	if n := doc.Find(`[data-testid="risk-row"]`).Length(); n != 10 {
		t.Fatalf("people rows = %d, want 10", n)
	}
	if got := doc.Find(`[data-testid="result-count"]`).Text(); got != "1–10 of 10 risks" {
		t.Errorf("count = %q", got)
	}
	if v, _ := doc.Find(`#f-category option[selected]`).Attr("value"); v != "people" {
		t.Errorf("the filter select does not show the active filter")
	}
	res = a.Owner.get("/risks?per_page=25&page=2&sort=identifier")
	doc = res.Doc(t)
	if n := doc.Find(`[data-testid="risk-row"]`).Length(); n != 5 {
		t.Fatalf("page 2 rows = %d, want 5", n)
	}
	if first, _ := doc.Find(`[data-testid="risk-row"]`).First().Attr("data-id"); first != "RSK-00026" {
		t.Errorf("first row of page 2 = %s, want RSK-00026", first)
	}
	part := a.Owner.get("/risks?q=Risk+1", "HX-Request", "true", "HX-Target", "risk-results")
	if strings.Contains(part.Body, "<html") || !strings.Contains(part.Body, `id="risk-results"`) {
		t.Fatalf("htmx request did not get the results fragment")
	}
	if !strings.Contains(part.Header.Get("Vary"), "HX-Request") {
		t.Errorf("Vary = %q", part.Header.Get("Vary"))
	}
	empty := a.Owner.get("/risks?q=nothing-matches-this").Doc(t)
	if !strings.Contains(empty.Find(`[data-testid="empty-state"]`).Text(), "No risks match these filters") {
		t.Errorf("filtered empty state missing")
	}
}

func countRows(t *testing.T, e *env, table string) int {
	t.Helper()
	var n int
	if err := e.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
