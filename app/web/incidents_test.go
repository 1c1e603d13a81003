package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/risk"
)

// TestIncidentPages: the list (filters, bad parameters, CSV), the form's
// validation, create from the form, link and unlink on both pages,
// create-risk-from-incident through the prefilled form, the dashboard
// card, and viewers reading without write controls.
func TestIncidentPages(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	c := a.Owner

	// The form: errors named, nothing written.
	c.get("/incidents/new")
	res := c.postForm("/incidents", url.Values{"title": {""}, "severity": {"huge"}, "occurredAt": {"2026-13-40"},
		"discoveredAt": {""}, "status": {"open"}, "version": {"0"}})
	doc := res.Doc(t)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form: %d", res.StatusCode)
	}
	for _, f := range []string{"title", "severity", "occurredAt"} {
		if doc.Find("[data-testid=error-"+f+"]").Length() != 1 {
			t.Errorf("no error shown on %s", f)
		}
	}
	if page := c.get("/incidents"); !strings.Contains(page.Body, "No incidents yet") {
		t.Errorf("an invalid form wrote an incident")
	}

	res = c.postForm("/incidents", url.Values{"title": {"=HYPERLINK(\"x\") phishing"}, "description": {"Staff clicked."},
		"severity": {"high"}, "status": {"open"}, "occurredAt": {"2026-05-01"}, "discoveredAt": {"2026-05-02"}})
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, "/incidents/INC-00001") {
		t.Fatalf("create: %d at %s", res.StatusCode, res.URL)
	}
	e.createIncident(a, "Laptop stolen")

	list := c.get("/incidents?severity=high&sort=title")
	rows := list.Doc(t).Find("[data-testid=incident-row]")
	if list.StatusCode != http.StatusOK || rows.Length() != 2 {
		t.Errorf("severity=high lists %d rows, want 2", rows.Length())
	}
	if r := c.get("/incidents?q=laptop"); r.Doc(t).Find("[data-testid=incident-row]").Length() != 1 {
		t.Errorf("search laptop: not one row")
	}
	if r := c.get("/incidents?status=done&per_page=7"); r.StatusCode != http.StatusBadRequest ||
		!strings.Contains(r.Body, "status:") || !strings.Contains(r.Body, "per_page:") {
		t.Errorf("bad parameters: %d", r.StatusCode)
	}
	if r := c.get("/incidents", "HX-Request", "true", "HX-Target", "incident-results"); strings.Contains(r.Body, "<html") {
		t.Errorf("htmx request got the whole page")
	}
	csv := c.get("/incidents/export.csv?sort=identifier")
	lines := strings.Split(strings.TrimSpace(csv.Body), "\r\n")
	if csv.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(csv.Header.Get("Content-Disposition"), "incidents-acme") ||
		len(lines) != 3 || !strings.HasPrefix(lines[0], "identifier,id,title,") || !strings.HasPrefix(lines[1], `INC-00001,`) ||
		!strings.Contains(lines[1], `"'=HYPERLINK(""x"") phishing"`) {
		t.Errorf("export: %v\n%s", csv.Header, csv.Body)
	}

	// Link an existing risk from the incident; a wrong identifier is a 422.
	rk := e.createRisk(a, risk.Input{Title: "Credential theft"})
	c.get("/incidents/INC-00001")
	if r := c.postForm("/incidents/INC-00001/risks/link", url.Values{"risk": {"RSK-00404"}}); r.StatusCode != http.StatusUnprocessableEntity ||
		r.Doc(t).Find("[data-testid=error-risk]").Length() != 1 {
		t.Errorf("linking an unknown risk: %d", r.StatusCode)
	}
	if r := c.postForm("/incidents/INC-00001/risks/link", url.Values{"risk": {rk.Identifier()}}); r.Doc(t).Find("[data-testid=linked-risk]").Length() != 1 {
		t.Errorf("after linking, the incident page lists %d risks", r.Doc(t).Find("[data-testid=linked-risk]").Length())
	}
	page := c.get("/risks/" + rk.Identifier()).Doc(t)
	if got := page.Find("[data-testid=linked-incident]").Text(); !strings.Contains(got, "INC-00001") {
		t.Errorf("risk page's linked incidents = %q", got)
	}
	if got := page.Find("[data-testid=history]").Text(); !strings.Contains(got, "Linked incident") {
		t.Errorf("risk history does not show the link: %q", got)
	}
	// Link from the risk page, unlink from it.
	if r := c.postForm("/risks/"+rk.Identifier()+"/incidents", url.Values{"incident": {"INC-00002"}}); r.Doc(t).Find("[data-testid=linked-incident]").Length() != 2 {
		t.Errorf("linking from the risk page: %d", r.StatusCode)
	}
	if r := c.postForm("/risks/"+rk.Identifier()+"/incidents", url.Values{"incident": {"INC-00999"}}); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("linking an unknown incident from the risk page: %d", r.StatusCode)
	}
	if r := c.postForm("/risks/"+rk.Identifier()+"/incidents/INC-00001/unlink", url.Values{}); r.Doc(t).Find("[data-testid=linked-incident]").Length() != 1 {
		t.Errorf("unlinking from the risk page: %d", r.StatusCode)
	}

	// Create a risk from the incident: the prefilled form, then the link.
	form := c.get("/incidents/INC-00001/risks/new").Doc(t)
	if v, _ := form.Find("#title").Attr("value"); v != `=HYPERLINK("x") phishing` || strings.TrimSpace(form.Find("#description").Text()) != "Staff clicked." {
		t.Errorf("prefilled form: title %q", v)
	}
	if act, _ := form.Find("[data-testid=risk-form]").Attr("action"); act != "/incidents/INC-00001/risks" {
		t.Errorf("form action = %q", act)
	}
	if r := c.postForm("/incidents/INC-00001/risks", secRiskForm("")); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty title: %d, want 422", r.StatusCode)
	}
	res = c.postForm("/incidents/INC-00001/risks", secRiskForm("Phishing-resistant MFA missing"))
	if !strings.HasSuffix(res.URL, "/risks/RSK-00002") {
		t.Fatalf("create from incident led to %s (%d)", res.URL, res.StatusCode)
	}
	created, _ := e.Server.Risks.Get(context.Background(), a.ID, "RSK-00002")
	if created.Source != "incident" || created.SourceID != "INC-00001" || !strings.Contains(res.Body, "INC-00001") {
		t.Errorf("created risk source %q %q", created.Source, created.SourceID)
	}

	// Dashboard.
	dash := c.get("/").Doc(t)
	if got := dash.Find("[data-testid=open-incidents]").Text(); !strings.Contains(got, "2") {
		t.Errorf("dashboard open incidents = %q", got)
	}
	// RSK-00001 keeps INC-00002 (recorded today); RSK-00002's INC-00001
	// occurred on 1 May 2026, more than 90 days before the test clock.
	if got := dash.Find("[data-testid=risks-with-incidents]").Text(); !strings.Contains(got, rk.Identifier()) {
		t.Errorf("dashboard risks with incidents = %q", got)
	}

	// Stale edit: 409, nothing changed.
	c.get("/incidents/INC-00002/edit")
	if r := c.postForm("/incidents/INC-00002", url.Values{"title": {"Overwrite"}, "severity": {"low"}, "status": {"open"}, "version": {"9"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("stale edit: %d, want 409", r.StatusCode)
	}

	// Viewers read, with no write controls.
	viewer := e.addMember(a, "viewer@acme.example", account.RoleViewer)
	for _, p := range []string{"/incidents", "/incidents/INC-00001", "/risks/" + rk.Identifier()} {
		r := viewer.get(p)
		d := r.Doc(t)
		if r.StatusCode != http.StatusOK || d.Find("[data-testid=new-incident],[data-testid=create-risk],[data-testid=link-risk-form],[data-testid=link-incident-form],[data-testid=unlink-risk],[data-testid=unlink-incident]").Length() != 0 {
			t.Errorf("viewer %s: %d, with write controls", p, r.StatusCode)
		}
	}
	// Another organization sees none of it.
	b := e.signup("Bravo", "owner@bravo.example")
	for _, p := range []string{"/incidents/INC-00001", "/incidents/INC-00001/edit", "/incidents/1"} {
		if r := b.Owner.get(p); r.StatusCode != http.StatusNotFound {
			t.Errorf("other organization %s: %d, want 404", p, r.StatusCode)
		}
	}
	if r := b.Owner.get("/incidents"); strings.Contains(r.Body, "INC-00001") {
		t.Errorf("other organization's list shows Acme's incidents")
	}
}

// The incident list pages like the register (the same paging footer):
// "Page 1 of 2" with a Next link that keeps the filters, rows per page
// from the list's filter form, and no Next on the last page.
func TestIncidentListPaging(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	for i := range 26 {
		e.createIncident(a, fmt.Sprintf("Incident %02d", i))
	}
	doc := a.Owner.get("/incidents?per_page=25&severity=high").Doc(t)
	if got := strings.Join(strings.Fields(doc.Find(`[data-testid="page-of"]`).Text()), " "); got != "Page 1 of 2" {
		t.Errorf("paging label %q, want Page 1 of 2", got)
	}
	next := doc.Find(`[data-testid="next-page"]`).AttrOr("href", "")
	if !strings.Contains(next, "page=2") || !strings.Contains(next, "severity=high") {
		t.Errorf("Next link %q, want page 2 with the filter", next)
	}
	if form := doc.Find(`select[name="per_page"]`).AttrOr("form", ""); form == "" || doc.Find("form#"+form).Length() != 1 {
		t.Errorf("the rows-per-page select belongs to no form (%q)", form)
	}
	last := a.Owner.get(next).Doc(t)
	if last.Find(`[data-testid="next-page"]`).Length() != 0 || last.Find(`a[rel="prev"]`).Length() != 1 {
		t.Errorf("the last page has a Next link or no Previous link")
	}
}
