package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

func TestAPIAuthentication(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	e.createRisk(a, risk.Input{Title: "One"})
	anon := &apiClient{t: t, e: e}
	const msg = "Invalid or missing API key"
	wantError(t, anon.get("/api/v1/risks"), http.StatusUnauthorized, msg)
	wantError(t, anon.get("/api/v1/risks", "Authorization", "Bearer rr_nope1234_"+strings.Repeat("x", 43)), http.StatusUnauthorized, msg)
	wantError(t, anon.get("/api/v1/risks", "Authorization", "Basic "+api.key), http.StatusUnauthorized, msg)
	if r := anon.get("/api/v1/risks", "Authorization", "Bearer "+api.key); r.Status != http.StatusOK {
		t.Fatalf("Bearer alone: %d", r.Status)
	}
	if r := anon.get("/api/v1/risks", "X-API-Key", api.key); r.Status != http.StatusOK {
		t.Fatalf("X-API-Key alone: %d", r.Status)
	}
	if r := anon.get("/api/v1/risks?api_key=" + api.key); r.Status != http.StatusUnauthorized {
		t.Fatalf("a key in the query string was accepted: %d", r.Status)
	}
	// The browser session cookie is never an API credential.
	res := a.Owner.get("/api/v1/risks")
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("session cookie on the API: %d", res.StatusCode)
	}
	// Scopes.
	ro := e.apiKey(a, apikey.ScopeRead)
	if r := ro.get("/api/v1/risks"); r.Status != http.StatusOK {
		t.Fatalf("read key list: %d", r.Status)
	}
	wantError(t, ro.post("/api/v1/risks", map[string]any{"title": "t", "description": "d", "category": "other"}), http.StatusForbidden, "Insufficient permissions")
	wantError(t, ro.do(http.MethodDelete, "/api/v1/risks/RSK-00001", nil), http.StatusForbidden, "Insufficient permissions")
	// A revoked key is refused on its next request.
	p := a.Owner.principal()
	keys, _ := e.Server.APIKeys.List(context.Background(), a.ID)
	for _, k := range keys {
		if _, err := e.Server.APIKeys.Revoke(context.Background(), a.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name}, k.ID); err != nil {
			t.Fatal(err)
		}
	}
	wantError(t, ro.get("/api/v1/risks"), http.StatusUnauthorized, msg)
}

func TestAPITenantIsolation(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Beta", "owner@beta.example")
	apiA, apiB := e.apiKey(a), e.apiKey(b)
	// A's risk is RSK-00003, a number B does not have.
	e.createRisk(a, risk.Input{Title: "Alpha one"})
	e.createRisk(a, risk.Input{Title: "Alpha two"})
	ra := e.createRisk(a, risk.Input{Title: "Alpha secret"})
	e.createRisk(b, risk.Input{Title: "Beta own"})
	resTask := apiA.post("/api/v1/risks/"+ra.ID+"/tasks", map[string]any{"title": "A task"})
	taskID := resTask.dataMap()["id"].(string)
	for _, id := range []string{ra.ID, ra.Identifier()} {
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, "/api/v1/risks/" + id, nil},
			{http.MethodPatch, "/api/v1/risks/" + id, map[string]any{"title": "hijacked"}},
			{http.MethodDelete, "/api/v1/risks/" + id, nil},
			{http.MethodGet, "/api/v1/risks/" + id + "/tasks", nil},
			{http.MethodPost, "/api/v1/risks/" + id + "/tasks", map[string]any{"title": "x"}},
			{http.MethodPatch, "/api/v1/risks/" + id + "/tasks/" + taskID, map[string]any{"title": "x"}},
			{http.MethodDelete, "/api/v1/risks/" + id + "/tasks/" + taskID, nil},
		} {
			wantError(t, apiB.do(c.method, c.path, c.body), http.StatusNotFound, "Risk not found")
		}
	}
	// B's own risk with A's task id.
	rb := apiB.get("/api/v1/risks").dataList()[0].(map[string]any)["id"].(string)
	if r := apiB.patch("/api/v1/risks/"+rb+"/tasks/"+taskID, map[string]any{"title": "x"}); r.Status != http.StatusNotFound {
		t.Fatalf("A's task through B's risk: %d", r.Status)
	}
	// A's list never contains B's rows, whatever the filter.
	for _, q := range []string{"", "?search=Beta", "?includeArchived=true", "?status=open", fmt.Sprintf("?registerId=%s", "x")} {
		if strings.Contains(string(apiA.get("/api/v1/risks"+q).Body), "Beta own") {
			t.Fatalf("A sees B's risk with %q", q)
		}
	}
	r := apiA.do(http.MethodPut, "/api/v1/risks/filter", map[string]any{"riskIds": []string{rb}})
	if len(r.dataList()) != 0 {
		t.Fatalf("PUT /filter returned another organization's risk")
	}
	// Assignee of another organization.
	res := apiB.post("/api/v1/risks", map[string]any{"title": "t", "description": "d", "category": "other", "assigneeId": a.Owner.principal().MemberID})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "assigneeId") {
		t.Fatalf("cross-organization assignee: %d %s", res.Status, res.Body)
	}
	got, _ := e.Server.Risks.Get(context.Background(), a.ID, ra.ID)
	if got.Title != "Alpha secret" || got.Version != 1 {
		t.Fatalf("A's risk changed: %q v%d", got.Title, got.Version)
	}
}

var nextLink = regexp.MustCompile(`<([^>]+)>; rel="next"`)

func TestAPIPaginationSortSearchFilterFields(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	for i := range 25 {
		in := risk.Input{Title: fmt.Sprintf("Risk %02d", i), Probability: 1 + i%10, Impact: 3}
		if i%5 == 0 {
			in.Category, in.Description = "people", "A known vulnerability in payroll"
		}
		e.createRisk(a, in)
	}
	// Walk every page through the Link headers.
	seen := map[string]bool{}
	url := "/api/v1/risks?per_page=10&sort=title"
	pages := 0
	for url != "" {
		res := api.get(url)
		pages++
		if res.Header.Get("X-Pagination-Total-Entries") != "25" || res.Header.Get("X-Pagination-Total-Pages") != "3" || res.Header.Get("X-Pagination-Per-Page") != "10" {
			t.Fatalf("pagination headers %v", res.Header)
		}
		for _, r := range res.dataList() {
			seen[r.(map[string]any)["id"].(string)] = true
		}
		url = ""
		if m := nextLink.FindStringSubmatch(res.Header.Get("Link")); m != nil {
			url = m[1]
		}
	}
	if pages != 3 || len(seen) != 25 {
		t.Fatalf("walked %d pages and saw %d risks, want 3 and 25", pages, len(seen))
	}
	// Sort in 4me syntax.
	titles := func(q string) []string {
		var out []string
		for _, r := range api.get("/api/v1/risks?per_page=1000&" + q).dataList() {
			out = append(out, r.(map[string]any)["title"].(string))
		}
		return out
	}
	desc := titles("sort=-title")
	if !sort.SliceIsSorted(desc, func(i, j int) bool { return desc[i] > desc[j] }) || len(desc) != 25 {
		t.Fatalf("sort=-title: %v", desc)
	}
	byScore := api.get("/api/v1/risks?per_page=3&sort=-inherentScore,title").dataList()
	if byScore[0].(map[string]any)["inherentScore"] != 30.0 || byScore[0].(map[string]any)["title"] != "Risk 09" {
		t.Fatalf("sort=-inherentScore,title: %v", byScore[0])
	}
	// Search (substring) and filters.
	if got := titles("search=vuln"); len(got) != 5 {
		t.Fatalf("search=vuln: %v", got)
	}
	if got := titles("category=people&search=payroll"); len(got) != 5 {
		t.Fatalf("category+search: %v", got)
	}
	// fields=
	res := api.get("/api/v1/risks?fields=title,status&per_page=1")
	row := res.dataList()[0].(map[string]any)
	if len(row) != 3 || row["id"] == nil || row["title"] == nil || row["status"] == nil {
		t.Fatalf("fields=title,status: %v", row)
	}
	if r := api.get("/api/v1/risks?fields=password"); r.Status != http.StatusBadRequest {
		t.Fatalf("unknown field: %d", r.Status)
	}
	if r := api.get("/api/v1/risks?sort=secret"); r.Status != http.StatusBadRequest {
		t.Fatalf("unknown sort: %d", r.Status)
	}
	if r := api.get("/api/v1/risks?per_page=1001"); r.Status != http.StatusBadRequest {
		t.Fatalf("per_page over 1000: %d", r.Status)
	}
	// PUT /filter (seed 004).
	ids := []string{}
	for id := range seen {
		ids = append(ids, id)
		if len(ids) == 4 {
			break
		}
	}
	res = api.do(http.MethodPut, "/api/v1/risks/filter", map[string]any{"riskIds": ids, "status": "open"})
	if res.Status != http.StatusOK || len(res.dataList()) != 4 {
		t.Fatalf("PUT /filter: %d %s", res.Status, res.Body)
	}
	res = api.do(http.MethodPut, "/api/v1/risks/filter", map[string]any{"modifiedAfter": "2999-01-01T00:00:00Z"})
	if len(res.dataList()) != 0 {
		t.Fatalf("modifiedAfter in the future returned rows")
	}
	res = api.do(http.MethodPut, "/api/v1/risks/filter", map[string]any{"status": "done"})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("PUT /filter bad status: %d", res.Status)
	}
}

func TestAPIPatchSemanticsAndIfMatch(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	member := a.Owner.principal().MemberID
	res := api.post("/api/v1/risks", map[string]any{"title": "T", "description": "D", "category": "other",
		"assigneeId": member, "dueDate": "2030-05-01", "tags": []string{"cloud"}})
	id := res.dataMap()["id"].(string)
	// Absent = unchanged.
	res = api.patch("/api/v1/risks/"+id, map[string]any{"title": "T2"})
	d := res.dataMap()
	if d["title"] != "T2" || d["assigneeId"] != member || d["description"] != "D" || d["version"] != 2.0 {
		t.Fatalf("absent fields changed: %v", d)
	}
	// null clears nullable fields.
	res = api.patch("/api/v1/risks/"+id, map[string]any{"assigneeId": nil, "dueDate": nil, "tags": nil})
	d = res.dataMap()
	if d["assigneeId"] != nil || d["assignee"] != nil || d["dueDate"] != nil || len(d["tags"].([]any)) != 0 {
		t.Fatalf("null did not clear: %v", d)
	}
	// treatmentStrategy: set, then cleared with null.
	res = api.patch("/api/v1/risks/"+id, map[string]any{"treatmentStrategy": map[string]any{"type": "accept", "description": "Within appetite"}})
	if trt, _ := res.dataMap()["treatmentStrategy"].(map[string]any); trt == nil || trt["type"] != "accept" {
		t.Fatalf("set treatment: %s", res.Body)
	}
	res = api.patch("/api/v1/risks/"+id, map[string]any{"treatmentStrategy": nil})
	if res.dataMap()["treatmentStrategy"] != nil {
		t.Fatalf("null did not clear the treatment: %s", res.Body)
	}
	res = api.patch("/api/v1/risks/"+id, map[string]any{"treatmentStrategy": map[string]any{"type": "ignore"}})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "treatmentStrategy") {
		t.Fatalf("bad treatment type: %d %s", res.Status, res.Body)
	}
	// null on a required field is a validation error, and changes nothing.
	res = api.patch("/api/v1/risks/"+id, map[string]any{"title": nil, "probability": nil})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("null title: %d", res.Status)
	}
	details := res.JSON["details"].(map[string]any)
	if fmt.Sprint(details["title"]) != "map[_errors:[Expected string, received null]]" ||
		fmt.Sprint(details["probability"]) != "map[_errors:[Expected number, received null]]" {
		t.Fatalf("details %v", details)
	}
	// Unknown fields are ignored; mass assignment of id, version, organizationId has no effect.
	res = api.patch("/api/v1/risks/"+id, map[string]any{"status": "closed", "closureReason": "mitigated", "id": "rsk_x", "version": 99, "organizationId": "org_x", "nonsense": true})
	d = res.dataMap()
	if d["id"] != id || d["version"] != 4.0 || d["organizationId"] != a.ID || d["closedAt"] == nil {
		t.Fatalf("patch: %v", d)
	}
	// If-Match: a stale ETag gets 412, the current one succeeds.
	stale := api.patch("/api/v1/risks/"+id, map[string]any{"title": "Stale"}, "If-Match", `"3"`)
	if stale.Status != http.StatusPreconditionFailed || stale.Header.Get("ETag") != `"4"` {
		t.Fatalf("stale If-Match: %d %s etag %s", stale.Status, stale.Body, stale.Header.Get("ETag"))
	}
	if ok := api.patch("/api/v1/risks/"+id, map[string]any{"title": "Fresh"}, "If-Match", `"4"`); ok.Status != http.StatusOK {
		t.Fatalf("current If-Match: %d", ok.Status)
	}
	if r := api.do(http.MethodDelete, "/api/v1/risks/"+id, nil, "If-Match", `"1"`); r.Status != http.StatusPreconditionFailed {
		t.Fatalf("stale delete: %d", r.Status)
	}
	got, _ := e.Server.Risks.Get(context.Background(), a.ID, id)
	if got.Title != "Fresh" {
		t.Fatalf("title %q", got.Title)
	}
}

func TestAPIIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	body := map[string]any{"title": "Once", "description": "Only once", "category": "other"}
	var wg sync.WaitGroup
	results := make([]*apiResponse, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = api.post("/api/v1/risks", body, "Idempotency-Key", "create-once-1")
		}()
	}
	wg.Wait()
	ids := map[string]bool{}
	for _, r := range results {
		if r.Status != http.StatusCreated {
			t.Fatalf("parallel POST: %d %s", r.Status, r.Body)
		}
		ids[r.dataMap()["id"].(string)] = true
	}
	if n := countRows(t, e, "risks"); n != 1 || len(ids) != 1 {
		t.Fatalf("%d risks and %d distinct ids from 20 identical POSTs, want 1", n, len(ids))
	}
	other := api.post("/api/v1/risks", map[string]any{"title": "Different", "description": "x", "category": "other"}, "Idempotency-Key", "create-once-1")
	if other.Status != http.StatusUnprocessableEntity {
		t.Fatalf("same key, different body: %d", other.Status)
	}
	// Keys are per organization.
	b := e.signup("Beta", "owner@beta.example")
	if r := e.apiKey(b).post("/api/v1/risks", body, "Idempotency-Key", "create-once-1"); r.Status != http.StatusCreated || r.dataMap()["organizationId"] != b.ID {
		t.Fatalf("another organization with the same key: %d %s", r.Status, r.Body)
	}
}

func TestAPIRobustness(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	if r := api.post("/api/v1/risks", `{"title": "x",`); r.Status != http.StatusBadRequest {
		t.Fatalf("malformed JSON: %d", r.Status)
	}
	if r := api.post("/api/v1/risks", `[1,2]`); r.Status != http.StatusBadRequest || fmt.Sprint(r.JSON["details"]) != "map[_errors:[Expected object, received array]]" {
		t.Fatalf("array body: %d %s", r.Status, r.Body)
	}
	if status, body := rawPost(t, e, api.key, 2<<20); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"success":false`) {
		t.Fatalf("2 MiB body: %d %s", status, body)
	}
	if r := api.do(http.MethodPost, "/api/v1/risks", `title=x`, "Content-Type", "application/x-www-form-urlencoded"); r.Status != http.StatusUnsupportedMediaType {
		t.Fatalf("form body: %d", r.Status)
	}
	if r := api.post("/api/v1/risks", `{"title":"a\u0000b","description":"d","category":"other"}`); r.Status != http.StatusBadRequest {
		t.Fatalf("NUL: %d", r.Status)
	}
	if r := api.post("/api/v1/risks", map[string]any{"title": strings.Repeat("é", 201), "description": "d", "category": "other"}); r.Status != http.StatusBadRequest {
		t.Fatalf("long title: %d", r.Status)
	}
	if r := api.post("/api/v1/risks", map[string]any{"title": "t", "description": "d", "category": "other", "probability": 7.5}); r.Status != http.StatusBadRequest {
		t.Fatalf("fractional probability: %d", r.Status)
	}
	if r := api.get("/api/v1/risks/RSK-99999"); r.Status != http.StatusNotFound {
		t.Fatalf("missing: %d", r.Status)
	}
	if r := api.get("/api/v1/nothing"); r.Status != http.StatusNotFound || r.JSON["success"] != false {
		t.Fatalf("unknown route: %d %s", r.Status, r.Body)
	}
	if n := countRows(t, e, "risks"); n != 0 {
		t.Fatalf("%d risks written by bad requests", n)
	}
}

// rawPost sends a JSON POST announcing size bytes over a raw connection
// and reads the answer: the server may refuse before the body is sent,
// which a normal client reports as a broken pipe.
func rawPost(t *testing.T, e *env, key string, size int) (int, string) {
	t.Helper()
	u, _ := url.Parse(e.URL)
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	head := "POST /api/v1/risks HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: application/json\r\nAuthorization: Bearer " + key +
		"\r\nConnection: close\r\nContent-Length: " + strconv.Itoa(size) + "\r\n\r\n"
	go func() {
		_, _ = conn.Write([]byte(head + `{"title":"`))
		chunk := []byte(strings.Repeat("x", 64<<10))
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := conn.Write(chunk); err != nil {
				return
			}
		}
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
