package web_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/risk"
)

// codeWords finds the codes of the enumerations that differ from their
// labels (vendor_management, admin, in_progress, no_risk, …) and zod's
// phrasing: what a person must never read in a form or an import.
func codeWords() *regexp.Regexp {
	var alts []string
	for _, e := range []risk.Enum{risk.Categories, risk.Departments, risk.Statuses, risk.ClosureReasons, risk.TreatmentTypes, risk.TaskStatuses} {
		for _, o := range e {
			if !strings.EqualFold(o.Value, o.Label) {
				alts = append(alts, `\b`+regexp.QuoteMeta(o.Value)+`\b`)
			}
		}
	}
	alts = append(alts, `Invalid enum`, `Expected '`, `received '`, `String must contain`, `Number must be`)
	return regexp.MustCompile(strings.Join(alts, "|"))
}

// TestFormErrorsSpeakLabels: every enumerated field of the browser's forms
// (risk, treatment, task, the register's filters) answers a missing or
// unknown value in labels; the API keeps zod's words for the same input.
func TestFormErrorsSpeakLabels(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	a.Owner.get("/risks/new")
	codes := codeWords()
	labels := func(en risk.Enum) string { return strings.Join(en.Labels(), ", ") }

	check := func(what string, doc *goquery.Document, field, want string) {
		t.Helper()
		got := strings.TrimSpace(doc.Find(`[data-testid="error-` + field + `"]`).First().Text())
		if got != want {
			t.Errorf("%s: %s error %q, want %q", what, field, got, want)
		}
		if m := codes.FindString(got); m != "" {
			t.Errorf("%s: %s error %q shows %q", what, field, got, m)
		}
	}

	// The risk form: each enumerated field empty, then unknown.
	for _, tc := range []struct {
		field, value, want string
	}{
		{"category", "", "Choose a category"},
		{"category", "weather", "Category must be one of " + labels(risk.Categories) + "; got “weather”"},
		{"department", "finance", "Department must be one of " + labels(risk.Departments) + "; got “finance”"},
		{"status", "done", "Status must be one of " + labels(risk.Statuses) + "; got “done”"},
		{"closure_reason", "forgotten", "Closure reason must be one of " + labels(risk.ClosureReasons) + "; got “forgotten”"},
		{"title", strings.Repeat("x", risk.MaxTitle+1), "Title must be at most 200 characters"},
	} {
		v := riskForm("A risk")
		v.Set("status", "closed")
		v.Set(tc.field, tc.value)
		res := a.Owner.postForm("/risks", v)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s=%q: status %d", tc.field, tc.value, res.StatusCode)
		}
		check("risk form", res.Doc(t), tc.field, tc.want)
	}
	if n := countRows(t, e, "risks"); n != 0 {
		t.Fatalf("%d risks written by invalid forms", n)
	}

	// The treatment and task forms on the risk's page.
	r := e.createRisk(a, risk.Input{Title: "Patch", Description: "D", Category: "technology"})
	page := "/risks/" + r.Identifier()
	a.Owner.get(page)
	res := a.Owner.postForm(page+"/treatment", url.Values{"type": {"ignore"}})
	check("treatment", res.Doc(t), "type", "Treatment strategy must be one of "+labels(risk.TreatmentTypes)+"; got “ignore”")
	res = a.Owner.postForm(page+"/treatment", url.Values{"type": {""}})
	check("treatment", res.Doc(t), "type", "Choose a treatment strategy")
	a.Owner.postForm(page+"/tasks", url.Values{"title": {"Do it"}})
	tasks, err := e.Server.Risks.Tasks(t.Context(), a.ID, r.ID)
	if err != nil || len(tasks) != 1 {
		t.Fatalf("tasks %v %v", tasks, err)
	}
	res = a.Owner.postForm(page+"/tasks/"+tasks[0].ID, url.Values{"title": {"Do it"}, "status": {"later"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("task: status %d", res.StatusCode)
	}
	check("task", res.Doc(t), "status", "Status must be one of "+labels(risk.TaskStatuses)+"; got “later”")

	// The register's filters.
	res = a.Owner.get("/risks?category=weather")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "Category must be one of "+labels(risk.Categories)) ||
		codes.MatchString(res.Doc(t).Find("main").Text()) {
		t.Errorf("filter ?category=weather: %d, codes %q", res.StatusCode, codes.FindString(res.Doc(t).Find("main").Text()))
	}

	// The API keeps the contract's words, for what zod checks and for what
	// the domain does.
	api := e.apiKey(a)
	for _, tc := range []struct {
		body  map[string]any
		field string
		want  string
	}{
		{map[string]any{"title": "T", "description": "D", "category": "weather"}, "category",
			"Invalid enum value. Expected 'customer' | 'governance' | 'operations' | 'other' | 'people' | 'regulatory' | 'reporting' | 'resilience' | 'technology' | 'vendor_management', received 'weather'"},
		{map[string]any{"title": strings.Repeat("x", 201), "description": "D", "category": "technology"}, "title",
			"String must contain at most 200 character(s)"},
	} {
		res := api.post("/api/v1/risks", tc.body)
		details, _ := res.JSON["details"].(map[string]any)
		f, _ := details[tc.field].(map[string]any)
		if res.Status != http.StatusBadRequest || fmt.Sprint(f["_errors"]) != "["+tc.want+"]" {
			t.Errorf("API %s: %d %s, want %q", tc.field, res.Status, res.Body, tc.want)
		}
	}
}

// TestImportTakesLabels: a file written in the words of the UI imports,
// whatever the case; a wrong value is named with the labels to choose from.
func TestImportTakesLabels(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Import Org", "owner@import.test")
	body := "title,description,category,department,status,closure_reason,probability,impact,residual_probability,residual_impact\r\n" +
		"Supplier,Late parts,Vendor management,Administration,Open,,High,moderate,LOW,very low\r\n" +
		"Audit, Findings , regulatory ,  QUALITY MANAGEMENT ,closed,No risk,8,Very High,,\r\n" +
		"Codes,As exported,vendor_management,admin,pending,,4,4,,\r\n"
	res := o.Owner.uploadCSV("labels.csv", body)
	if res.StatusCode != http.StatusOK || len(previewErrors(t, res)) > 0 {
		t.Fatalf("preview %d with errors %q", res.StatusCode, previewErrors(t, res))
	}
	if res := o.Owner.noRedirect().commitCSV(body); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("commit: %d", res.StatusCode)
	}
	page, err := e.Server.Risks.List(t.Context(), o.ID, risk.ListQuery{Sort: "identifier", PerPage: 10, Page: 1})
	if err != nil || len(page.Risks) != 3 {
		t.Fatalf("%v: %d risks", err, len(page.Risks))
	}
	var got []string
	for _, r := range page.Risks {
		got = append(got, fmt.Sprintf("%s %s %s %s %d/%d %d/%d", r.Category, r.Department, r.Status, r.ClosureReason,
			r.Probability, r.Impact, r.ResidualProbability, r.ResidualImpact))
	}
	want := []string{"vendor_management admin open  8/6 4/2", "regulatory qms closed no_risk 8/10 0/0", "vendor_management admin pending  4/4 0/0"}
	if !slices.Equal(got, want) {
		t.Errorf("imported %q, want %q", got, want)
	}

	bad := "title,description,category,department,status,probability\r\nX,D,Admin,Weather,Done,Catastrophic\r\n"
	errs := previewErrors(t, o.Owner.uploadCSV("bad.csv", bad))
	wantErrs := []string{
		"2 category: Category must be one of Customer, Governance, Operations, Other, People, Regulatory, Reporting, Resilience, Technology, Vendor management; got “Admin”",
		"2 department: Department must be one of None, Administration, Governance, HR, IT, IT service management, Quality management; got “Weather”",
		"2 status: Status must be one of Open, Pending, Closed, Archived; got “Done”",
		"2 probability: Probability must be one of Very Low, Low, Moderate, High, Very High, or a number from 0 to 10; got “Catastrophic”",
	}
	if !slices.Equal(errs, wantErrs) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(errs, "\n"), strings.Join(wantErrs, "\n"))
	}
}

// previewChanges returns "RSK-… Field: old → new" for every change shown.
func previewChanges(t *testing.T, res *response) []string {
	var out []string
	res.Doc(t).Find(`[data-testid="import-row"]`).Each(func(_ int, tr *goquery.Selection) {
		tr.Find(`[data-testid="import-change"]`).Each(func(_ int, li *goquery.Selection) {
			out = append(out, strings.Join(strings.Fields(li.Text()), " "))
		})
	})
	return out
}

// TestImportPreviewListsChanges: an update row shows each changed field,
// old → new, in labels; counts are singular for one.
func TestImportPreviewListsChanges(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Import Org", "owner@import.test")
	r := e.createRisk(o, risk.Input{Title: "Outage", Description: "Power", Category: "operations", Department: "it",
		Probability: 4, Impact: 6, Tags: []string{"power"}})
	body := "identifier,title,description,category,department,status,probability,impact,tags,version\r\n" +
		r.Identifier() + ",Outage,Power,Technology,Administration,Pending,High,6,power;grid,1\r\n"
	res := o.Owner.uploadCSV("update.csv", body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview %d: %q", res.StatusCode, previewErrors(t, res))
	}
	want := []string{"Category: Operations → Technology", "Department: IT → Administration", "Status: Open → Pending",
		"Probability: 4 (Low) → 8 (High)", "Tags: power → power, grid"}
	if got := previewChanges(t, res); !slices.Equal(got, want) {
		t.Errorf("changes %q, want %q", got, want)
	}
	counts := strings.Join(strings.Fields(res.Doc(t).Find(`[data-testid="import-counts"]`).Text()), " ")
	if counts != "update.csv: 1 row — 0 to create, 1 to update, 0 unchanged, 0 with errors." {
		t.Errorf("counts %q", counts)
	}

	// One row with errors is one row, not "1 row(s)"; two are rows.
	one := o.Owner.uploadCSV("bad.csv", "title,description,category\r\nX,D,weather\r\n")
	if got := strings.TrimSpace(one.Doc(t).Find(`[data-testid="import-has-errors"]`).Text()); !strings.HasPrefix(got, "1 row has errors:") {
		t.Errorf("one bad row: %q", got)
	}
	two := o.Owner.uploadCSV("bad.csv", "title,description,category\r\nX,D,weather\r\nY,D,weather\r\n")
	if got := strings.TrimSpace(two.Doc(t).Find(`[data-testid="import-has-errors"]`).Text()); !strings.HasPrefix(got, "2 rows have errors:") {
		t.Errorf("two bad rows: %q", got)
	}
	if got := two.Doc(t).Find(`[data-testid="import-counts"]`).Text(); !strings.Contains(got, "2 rows —") {
		t.Errorf("two rows counted as %q", got)
	}
}

// TestImportTemplate: the template downloads as CSV with the importer's
// columns and an example row in labels, and imports as it stands.
func TestImportTemplate(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Import Org", "owner@import.test")
	page := o.Owner.get("/import")
	href, _ := page.Doc(t).Find(`[data-testid="import-template"]`).Attr("href")
	if href != "/import/template.csv" {
		t.Fatalf("template link %q", href)
	}
	res := o.Owner.get(href)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), `filename="risk-import-template.csv"`) {
		t.Fatalf("template: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	rows, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("template %q: %v", res.Body, err)
	}
	if !slices.Equal(rows[0], risk.ImportColumns()) {
		t.Errorf("header %q, want %q", rows[0], risk.ImportColumns())
	}
	example := map[string]string{}
	for i, c := range rows[0] {
		example[c] = rows[1][i]
	}
	if example["category"] != "Vendor management" || example["probability"] != "High" || example["identifier"] != "" {
		t.Errorf("example row %v", example)
	}

	preview := o.Owner.uploadCSV("risk-import-template.csv", res.Body)
	if preview.StatusCode != http.StatusOK || len(previewErrors(t, preview)) > 0 {
		t.Fatalf("template preview %d: %q", preview.StatusCode, previewErrors(t, preview))
	}
	if got := preview.Doc(t).Find(`[data-testid="import-row"]`).AttrOr("data-action", ""); got != risk.ImportCreated {
		t.Errorf("the example row would be %q", got)
	}
	if res := o.Owner.noRedirect().commitCSV(res.Body); res.StatusCode != http.StatusSeeOther || orgRisks(t, e, o.ID) != 1 {
		t.Fatalf("commit of the template: %d, %d risks", res.StatusCode, orgRisks(t, e, o.ID))
	}

	viewer := e.addMember(o, "viewer@import.test", account.RoleViewer)
	if res := viewer.get("/import/template.csv"); res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer template: %d, want 403", res.StatusCode)
	}
}
