package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/csvio"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/listquery"
)

// parseExport reads an export body and returns its data rows by column name.
func parseExport(t *testing.T, body string) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, csvio.BOM))).ReadAll()
	if err != nil {
		t.Fatalf("export does not parse: %v\n%s", err, body)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != strings.Join(csvio.Columns, ",") {
		t.Fatalf("header = %v", recs)
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, c := range csvio.Columns {
			m[c] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func identifiers(rows []map[string]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r["identifier"]
	}
	return out
}

// seedExport creates a varied register: 60 risks (more than a page).
func seedExport(t *testing.T, e *env, o *org) {
	t.Helper()
	p := o.Owner.principal()
	actor := audit.Actor{MemberID: p.MemberID, Name: p.User.Name}
	cats := []string{"technology", "people", "vendor_management"}
	deps := []string{"it", "hr", ""}
	for i := range 60 {
		due := time.Date(2027, 1, 1+i%28, 0, 0, 0, 0, time.UTC)
		in := risk.Input{
			Title:       fmt.Sprintf("Risk %02d %s", i, []string{"server outage", "staff turnover", "=HYPERLINK(\"http://x\",\"y\")"}[i%3]),
			Description: fmt.Sprintf("Description %d", i), Category: cats[i%3], Department: deps[i%3],
			Probability: 1 + i%10, Impact: 1 + (i*3)%10, ResidualProbability: 1 + i%5, ResidualImpact: 1 + i%4,
			Tags: []string{[]string{"alpha", "beta"}[i%2]},
		}
		if i%4 == 0 {
			in.AssigneeID = p.MemberID
			in.DueDate = &due
		}
		if i%7 == 0 {
			in.Status = "pending"
		}
		r := e.createRisk(o, in)
		if i%5 == 0 {
			if _, err := e.Server.Risks.SetTreatment(context.Background(), o.ID, actor, r.ID, risk.TreatmentInput{Type: "mitigate", Description: "Patch monthly"}); err != nil {
				t.Fatal(err)
			}
			for j, st := range []string{"open", "in_progress", "completed"} {
				if _, err := e.Server.Risks.AddTask(context.Background(), o.ID, actor, r.ID, risk.TaskInput{Title: fmt.Sprintf("Task %d", j), Status: st}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if i == 59 {
			in.Status = "archived"
			if _, err := e.Server.Risks.Update(context.Background(), o.ID, actor, r.ID, r.Version, in); err != nil {
				t.Fatalf("archive: %v", err)
			}
		}
	}
}

func TestCSVExport(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Export Org", "owner@export.test")
	other := e.signup("Other Org", "owner@other.test")
	e.createRisk(other, risk.Input{Title: "Secret of another organization", Probability: 5, Impact: 5})
	seedExport(t, e, o)
	ctx := context.Background()
	memberID := o.Owner.principal().MemberID

	res := o.Owner.get("/risks/export.csv")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %s", res.StatusCode, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	slug := o.Owner.principal().Organization.Slug
	name := "risks-" + slug + "-" + time.Now().UTC().Format("2006-01-02") + ".csv"
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="`+name+`"; filename*=UTF-8''`+name {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if strings.HasPrefix(res.Body, csvio.BOM) {
		t.Error("BOM without bom=1")
	}
	rows := parseExport(t, res.Body)
	if len(rows) != 59 { // all pages, archived left out as in the register
		t.Fatalf("exported %d rows, want 59", len(rows))
	}
	for _, r := range rows {
		if strings.Contains(r["title"], "another organization") {
			t.Fatal("another organization's risk was exported")
		}
		if strings.HasPrefix(r["title"], "=") {
			t.Errorf("formula not neutralised: %q", r["title"])
		}
	}
	byID := map[string]map[string]string{}
	for _, r := range rows {
		byID[r["identifier"]] = r
	}
	first := byID["RSK-00001"]
	if first["treatment_type"] != "mitigate" || first["treatment_description"] != "Patch monthly" || first["open_tasks"] != "2" ||
		first["assignee_email"] != "owner@export.test" || first["due_date"] != "2027-01-01" || first["tags"] != "alpha" ||
		first["inherent_score"] != "1" || first["inherent_level"] == "" || first["status"] != "pending" {
		t.Errorf("RSK-00001 = %v", first)
	}
	if r := byID["RSK-00002"]; r["treatment_type"] != "" || r["open_tasks"] != "0" || r["assignee_email"] != "" {
		t.Errorf("RSK-00002 = %v", r)
	}

	// Every filter and sort of the register: the export holds exactly the
	// register's rows, in its order, across every page.
	queries := []string{
		"status=pending", "category=people", "department=it", "assignee=" + memberID, "assignee=none",
		"level=1", "rlevel=0", "tag=beta", "q=outage", "q=staff+turnover", "prob=3-6", "impact=1-4", "rprob=2-2", "rimpact=3-4",
		"archived=1", "category=technology&tag=alpha&sort=title",
		"sort=identifier", "sort=-identifier", "sort=title", "sort=-title", "sort=category", "sort=department",
		"sort=assignee", "sort=-status", "sort=inherent", "sort=-residual", "sort=due", "sort=-updated",
	}
	for _, qs := range queries {
		v, _ := url.ParseQuery(qs)
		q, fe := listquery.Parse(listquery.Browser, v.Get)
		if len(fe) > 0 {
			t.Fatalf("%s: %v", qs, fe)
		}
		var want []string
		for page := 1; ; page++ {
			q.Page, q.PerPage = page, 25
			pg, err := e.Server.Risks.List(ctx, o.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range pg.Risks {
				want = append(want, r.Identifier())
			}
			if page*25 >= pg.Total {
				break
			}
		}
		got := identifiers(parseExport(t, o.Owner.get("/risks/export.csv?"+qs).Body))
		if !slices.Equal(got, want) {
			t.Errorf("%s: exported %v, register shows %v", qs, got, want)
		}
		if !strings.HasPrefix(qs, "sort=") && !strings.HasPrefix(qs, "archived") && (len(want) == 0 || len(want) >= 59) {
			t.Errorf("%s: filter selects %d rows, the test proves nothing", qs, len(want))
		}
	}

	// BOM option; viewers can export; a bad parameter is an error.
	if b := o.Owner.get("/risks/export.csv?bom=1").Body; !strings.HasPrefix(b, csvio.BOM) {
		t.Error("bom=1 did not add a BOM")
	}
	viewer := e.addMember(o, "viewer@export.test", account.RoleViewer)
	if res := viewer.get("/risks/export.csv?category=people"); res.StatusCode != http.StatusOK || len(parseExport(t, res.Body)) == 0 {
		t.Errorf("viewer export: %d", res.StatusCode)
	}
	if res := o.Owner.get("/risks/export.csv?sort=nope"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad sort: %d", res.StatusCode)
	}
	if res := e.client().noRedirect().get("/risks/export.csv"); res.StatusCode == http.StatusOK {
		t.Error("anonymous export allowed")
	}
	// The register page links the export with its current query.
	doc := o.Owner.get("/risks?category=people&sort=title").Doc(t)
	if href, _ := doc.Find("[data-testid=export-csv]").Attr("href"); href != "/risks/export.csv?category=people&sort=title" {
		t.Errorf("export link = %q", href)
	}
}

func TestCSVExportAPI(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Api Export", "owner@apiexport.test")
	other := e.signup("Api Other", "owner@apiother.test")
	e.createRisk(other, risk.Input{Title: "Foreign risk", Probability: 5, Impact: 5})
	seedExport(t, e, o)
	get := func(key, path string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	read := e.apiKey(o, apikey.ScopeRead)
	res, body := get(read.key, "/api/v1/risks/export.csv?category=people&sort=-identifier")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("API export: %d %s", res.StatusCode, body)
	}
	got := identifiers(parseExport(t, body))
	list := read.get("/api/v1/risks?category=people&sort=-identifier&per_page=1000").dataList()
	var want []string
	for _, r := range list {
		want = append(want, r.(map[string]any)["identifier"].(string))
	}
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("API export %v, list %v", got, want)
	}
	if _, body := get(read.key, "/api/v1/risks/export.csv?archived=1&includeArchived=true"); strings.Contains(body, "Foreign risk") {
		t.Error("another organization's risk in the API export")
	}
	if res, _ := get("", "/api/v1/risks/export.csv"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("no key: %d", res.StatusCode)
	}
	if res, _ := get(read.key, "/api/v1/risks/export.csv?sort=bogus"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad sort: %d", res.StatusCode)
	}
}

// A CSV download streams longer than the 60 s write timeout of every
// other response (a million risks to a slow client): the server gives the
// export routes, and only them, a longer bound.
func TestCSVExportWriteTimeout(t *testing.T) {
	e := newEnv(t)
	hook := e.App.Server().HeaderReceived
	if hook == nil {
		t.Fatal("the server sets no per-request write timeout")
	}
	for path, long := range map[string]bool{
		"/risks/export.csv":               true,
		"/risks/export.csv?status=open":   true,
		"/api/v1/risks/export.csv?sort=x": true,
		"/incidents/export.csv":           true,
		"/risks":                          false,
		"/api/v1/risks?q=.csv":            false,
	} {
		var h fasthttp.RequestHeader
		h.SetRequestURI(path)
		got := hook(&h).WriteTimeout
		if long && got < 10*time.Minute {
			t.Errorf("%s: write timeout %s, want the export's 10 minutes", path, got)
		}
		if !long && got != 0 {
			t.Errorf("%s: write timeout %s, want the server's default", path, got)
		}
	}
}
