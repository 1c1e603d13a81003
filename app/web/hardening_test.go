package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
)

// badValues are what a careless or hostile client puts in a parameter.
var badValues = map[string]string{
	"NUL":          "a\x00b",
	"10 KB":        strings.Repeat("x", 10_000),
	"not UTF-8":    "\xff\xfe",
	"negative":     "-1",
	"huge":         "99999999999999999999",
	"unknown":      "no-such-value",
	"year 0000":    "0000-01-01T00:00:00Z",
	"bad range":    "9-2",
	"comma list":   "title,,-nope",
	"only a minus": "-",
}

// queryParams are every query parameter a GET route reads.
var queryParams = []string{
	"q", "search", "status", "category", "department", "assignee", "assigneeId", "tag", "register", "registerId",
	"level", "rlevel", "level_min", "rlevel_min", "residualLevel", "minLevel", "minResidualLevel", "prob", "impact", "rprob", "rimpact", "overdue", "archived", "includeArchived",
	"modifiedAfter", "sort", "page", "per_page", "fields", "kind", "cell", "view", "bom", "register_id",
	"probability", "residual_probability", "residual_impact", "next", "likelihood", "levels",
	"type", "objective", "threatObjective",
}

// TestNoServerErrorFromQueryParameters sends every bad value in every
// query parameter of every GET route of the route table, in the browser
// and in the API: nothing answers 5xx.
func TestNoServerErrorFromQueryParameters(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Params Org", "owner@params.example")
	rk := e.createRisk(a, risk.Input{Title: "Param probe"})
	p := a.Owner.principal()
	task, err := e.Server.Risks.AddTask(context.Background(), a.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name}, rk.ID, risk.TaskInput{Title: "Probe task"})
	if err != nil {
		t.Fatal(err)
	}
	reg, _, err := e.Server.Risks.ResolveRegister(context.Background(), a.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	key := e.apiKey(a).key
	ids := strings.NewReplacer(":taskId", task.ID, "/settings/registers/:id", "/settings/registers/"+reg.ID, ":id", rk.Identifier())

	// The requests are independent: four workers send them, which keeps
	// this test short under the race detector.
	type probe struct{ path, name, label, value string }
	probes := make(chan probe)
	var sent atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range probes {
				req, _ := http.NewRequest(http.MethodGet, e.URL+p.path+"?"+p.name+"="+url.QueryEscape(p.value), nil)
				if strings.HasPrefix(p.path, "/api/v1/") {
					req.Header.Set("Authorization", "Bearer "+key)
				}
				res, err := a.Owner.http.Do(req)
				if err != nil {
					t.Errorf("GET %s with %s=%s: %v", p.path, p.name, p.label, err)
					continue
				}
				res.Body.Close()
				sent.Add(1)
				if res.StatusCode >= 500 {
					t.Errorf("GET %s with %s=%s: status %d", p.path, p.name, p.label, res.StatusCode)
				}
			}
		}()
	}
	for _, r := range e.Server.Routes() {
		if r.Method != http.MethodGet || r.Path == "/healthz" || r.Path == "/readyz" {
			continue
		}
		path := ids.Replace(r.Path)
		for _, name := range queryParams {
			for label, v := range badValues {
				probes <- probe{path, name, label, v}
			}
		}
	}
	close(probes)
	wg.Wait()
	t.Logf("%d requests", sent.Load())
}

// Dates must be in the years 1900-2999 everywhere: forms, API bodies, list
// filters, tasks, the CSV import; anything else is a field error, never a
// 500 and never a silently empty export.
func TestDatesOutOfRange(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Dates Org", "owner@dates.example")
	rk := e.createRisk(a, risk.Input{Title: "Dated"})
	api := e.apiKey(a)
	const year0 = "0000-01-01"

	res := api.post("/api/v1/risks", map[string]any{"title": "T", "description": "D", "category": "people", "dueDate": year0})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "dueDate") {
		t.Errorf("create with year 0000: %d %s", res.Status, res.Body)
	}
	res = api.patch("/api/v1/risks/"+rk.Identifier(), map[string]any{"dueDate": "3000-01-01"})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "dueDate") {
		t.Errorf("patch with year 3000: %d %s", res.Status, res.Body)
	}
	res = api.post("/api/v1/risks/"+rk.Identifier()+"/tasks", map[string]any{"title": "Fix", "dueDate": year0})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "dueDate") {
		t.Errorf("task with year 0000: %d %s", res.Status, res.Body)
	}
	for _, path := range []string{"/api/v1/risks?modifiedAfter=", "/api/v1/heatmap?modifiedAfter="} {
		res = api.get(path + year0 + "T00:00:00Z")
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "modifiedAfter") {
			t.Errorf("%s year 0000: %d %s", path, res.Status, res.Body)
		}
	}
	res = api.do(http.MethodPut, "/api/v1/risks/filter", map[string]any{"modifiedAfter": year0 + "T00:00:00Z"})
	if res.Status != http.StatusBadRequest {
		t.Errorf("filter with year 0000: %d %s", res.Status, res.Body)
	}
	// The CSV export refuses the filter instead of a 200 with only a header.
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/api/v1/risks/export.csv?modifiedAfter="+year0+"T00:00:00Z", nil)
	req.Header.Set("Authorization", "Bearer "+api.key)
	hres, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(hres.Body)
	hres.Body.Close()
	if hres.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "modifiedAfter") {
		t.Errorf("export with year 0000: %d %s", hres.StatusCode, body)
	}

	// The import preview names the cell, and the commit refuses the file.
	csv := "identifier,title,description,category,due_date\n,Imported,Described,people," + year0 + "\n"
	if res := a.Owner.uploadCSV("dates.csv", csv); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "1900-01-01") {
		t.Errorf("import preview with year 0000: %d", res.StatusCode)
	}
	if res := a.Owner.commitCSV(csv); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("import commit with year 0000: %d", res.StatusCode)
	}
	cur, err := e.Server.Risks.Get(context.Background(), a.ID, rk.ID)
	if err != nil || cur.Version != rk.Version || cur.DueDate != nil {
		t.Errorf("a refused date was written: %+v %v", cur, err)
	}
}

// Without TRUSTED_PROXIES the client's X-Forwarded-Host never reaches an
// absolute URL: the API's pagination links are under BASE_URL.
func TestForwardedHostIsNotTrusted(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Host Org", "owner@host.example")
	e.createRisk(a, risk.Input{Title: "One"})
	e.createRisk(a, risk.Input{Title: "Two"})
	api := e.apiKey(a)
	res := api.get("/api/v1/risks?per_page=1", "X-Forwarded-Host", "evil.example", "X-Forwarded-Proto", "https", "Host", "evil.example")
	link := res.Header.Get("Link")
	if link == "" || strings.Contains(link, "evil") {
		t.Fatalf("Link header %q", link)
	}
	for _, part := range strings.Split(link, ", ") {
		if !strings.HasPrefix(part, "<"+e.URL+"/api/v1/risks?") {
			t.Errorf("link %q is not under BASE_URL %s", part, e.URL)
		}
	}
}

// A CSV export that fails after the first rows must not end as a 200 with
// a silently truncated file: the connection is dropped before the final
// chunk, so the client's download fails.
func TestExportFailureAbortsTheDownload(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Abort Org", "owner@abort.example")
	p := a.Owner.principal()
	reg, _, err := e.Server.Risks.ResolveRegister(context.Background(), a.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	// Enough rows that the export is still reading its cursor when the
	// database connection is killed.
	if err := db.BulkInsertRisks(context.Background(), e.DB, reg, p.MemberID, p.User.Name, 20_000); err != nil {
		t.Fatal(err)
	}
	res, err := a.Owner.http.Get(e.URL + "/risks/export.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if _, err := io.ReadFull(res.Body, make([]byte, 4096)); err != nil {
		t.Fatalf("first bytes: %v", err)
	}
	// Kill every other connection to the test database: the export's
	// cursor among them.
	if _, err := e.DB.ExecContext(context.Background(),
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(res.Body)
	if err == nil {
		t.Fatalf("the download ended cleanly after %d more bytes: a truncated file looks complete", len(rest))
	}
	// The app recovers: the next export works.
	ok, err := a.Owner.http.Get(e.URL + "/risks/export.csv?q=nothing-matches-this")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(ok.Body)
	ok.Body.Close()
	if err != nil || ok.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "identifier,") {
		t.Errorf("export after the failure: %d %v %q", ok.StatusCode, err, body)
	}
}

// A request whose headers are too large is answered on /api/ paths in the
// JSON envelope, like every other API error.
func TestAPITransportErrorsInEnvelope(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/api/v1/risks", nil)
	req.Header.Set("X-Padding", strings.Repeat("p", 20_000))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") ||
		!strings.Contains(string(body), `"success":false`) || !strings.Contains(string(body), `"error":`) {
		t.Errorf("431 on the API is not the envelope: %s %s", ct, body)
	}
}
