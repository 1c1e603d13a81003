package web_test

import (
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db/dbtest"
)

func fieldErrors(r *apiResponse) map[string]string {
	out := map[string]string{}
	d, _ := r.JSON["details"].(map[string]any)
	for k, v := range d {
		if m, ok := v.(map[string]any); ok {
			if errs, _ := m["_errors"].([]any); len(errs) > 0 {
				out[k], _ = errs[0].(string)
			}
		}
	}
	return out
}

// TestAPIIncidents covers the incident endpoints: create, validation,
// list (filters, sort, fields, paging), get by each id form, PATCH with
// If-Match and null, link and unlink, incidentIds on the risk, delete,
// scopes and other organizations.
func TestAPIIncidents(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Bravo", "owner@bravo.example")
	api, other, ro := e.apiKey(a), e.apiKey(b), e.apiKey(a, apikey.ScopeRead)

	bad := api.post("/api/v1/incidents", map[string]any{"severity": "huge", "occurredAt": "2026-05-02",
		"discoveredAt": "2026-05-01", "resolvedAt": "yesterday", "status": 3})
	if bad.Status != http.StatusBadRequest || bad.JSON["error"] != "Validation failed" {
		t.Fatalf("invalid create: %d %s", bad.Status, bad.Body)
	}
	fe := fieldErrors(bad)
	want := map[string]string{"title": "Required", "resolvedAt": "Invalid date",
		"severity": "Invalid enum value. Expected 'low' | 'medium' | 'high' | 'critical', received 'huge'",
		"status":   "Expected 'open' | 'investigating' | 'resolved' | 'closed', received number"}
	for f, msg := range want {
		if fe[f] != msg {
			t.Errorf("error on %s = %q, want %q", f, fe[f], msg)
		}
	}
	order := api.post("/api/v1/incidents", map[string]any{"title": "x", "occurredAt": "2026-05-02", "discoveredAt": "2026-05-01"})
	if fieldErrors(order)["discoveredAt"] != "Discovered date must not be before the occurred date" {
		t.Errorf("discovered before occurred: %d %s", order.Status, order.Body)
	}
	if r := api.post("/api/v1/incidents", map[string]any{"title": "x", "reporterId": "mem_nobody"}); fieldErrors(r)["reporterId"] == "" {
		t.Errorf("unknown reporter: %d %s", r.Status, r.Body)
	}
	if r := api.post("/api/v1/incidents", "{", "Content-Type", "application/json"); r.Status != http.StatusBadRequest {
		t.Errorf("malformed JSON: %d", r.Status)
	}
	if r := api.post("/api/v1/incidents", map[string]any{"title": "x"}, "Content-Type", "text/plain"); r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d", r.Status)
	}
	if r := api.get("/api/v1/incidents"); r.Header.Get("X-Pagination-Total-Entries") != "0" {
		t.Fatalf("refused creates wrote something: %s", r.Body)
	}

	created := api.post("/api/v1/incidents", map[string]any{"title": "Phishing wave", "description": "Forty staff got it.",
		"severity": "high", "occurredAt": "2026-05-01", "discoveredAt": "2026-05-02T09:30:00Z"}, "Idempotency-Key", "inc-1")
	if created.Status != http.StatusCreated || created.Header.Get("ETag") != `"1"` {
		t.Fatalf("create: %d %s", created.Status, created.Body)
	}
	inc := created.dataMap()
	id := inc["id"].(string)
	if inc["identifier"] != "INC-00001" || inc["status"] != "open" || inc["discoveredAt"] != "2026-05-02T00:00:00.000Z" || !strings.HasPrefix(id, "inc_") {
		t.Errorf("created incident = %v", inc)
	}
	if again := api.post("/api/v1/incidents", map[string]any{"title": "Phishing wave", "description": "Forty staff got it.",
		"severity": "high", "occurredAt": "2026-05-01", "discoveredAt": "2026-05-02T09:30:00Z"}, "Idempotency-Key", "inc-1"); again.dataMap()["id"] != id || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("Idempotency-Key replay: %d %s", again.Status, again.Body)
	}
	api.post("/api/v1/incidents", map[string]any{"title": "Laptop stolen", "severity": "critical", "status": "investigating"})
	api.post("/api/v1/incidents", map[string]any{"title": "Old outage", "severity": "low", "status": "closed"})

	for _, key := range []string{id, "INC-00001", "inc-00001", "1"} {
		if r := api.get("/api/v1/incidents/" + key); r.Status != http.StatusOK || r.dataMap()["id"] != id {
			t.Errorf("GET %s: %d %s", key, r.Status, r.Body)
		}
	}
	for _, key := range []string{id, "INC-00001", "1", "INC-00099", "0", "-1", "%00"} {
		wantError(t, other.get("/api/v1/incidents/"+key), http.StatusNotFound, "Incident not found")
	}

	list := api.get("/api/v1/incidents?open=true&sort=-severity&fields=identifier,severity&per_page=1")
	if list.Status != http.StatusOK || list.Header.Get("X-Pagination-Total-Entries") != "2" || !strings.Contains(list.Header.Get("Link"), `rel="next"`) {
		t.Fatalf("open list: %d %v %s", list.Status, list.Header, list.Body)
	}
	first := list.dataList()[0].(map[string]any)
	if first["identifier"] != "INC-00002" || len(first) != 3 {
		t.Errorf("first open by severity with fields = %v, want INC-00002 with id, identifier, severity", first)
	}
	if r := api.get("/api/v1/incidents?search=PHISH&severity=high"); len(r.dataList()) != 1 {
		t.Errorf("search: %s", r.Body)
	}
	for _, q := range []string{"status=done", "severity=x", "sort=bogus", "per_page=0", "page=x", "fields=nope", "open=maybe", "search=" + strings.Repeat("a", 201)} {
		r := api.get("/api/v1/incidents?" + q)
		name, _, _ := strings.Cut(q, "=")
		if r.Status != http.StatusBadRequest || fieldErrors(r)[name] == "" {
			t.Errorf("?%s: %d %s, want 400 naming %s", q, r.Status, r.Body, name)
		}
	}
	if r := other.get("/api/v1/incidents"); r.Header.Get("X-Pagination-Total-Entries") != "0" {
		t.Errorf("Bravo sees Acme's incidents: %s", r.Body)
	}

	// PATCH: If-Match, partial, null clears.
	wantError(t, api.patch("/api/v1/incidents/INC-00001", map[string]any{"status": "resolved"}, "If-Match", `"7"`),
		http.StatusPreconditionFailed, "The risk was changed since the given ETag; fetch it again")
	p := api.patch("/api/v1/incidents/INC-00001", map[string]any{"status": "resolved", "occurredAt": nil}, "If-Match", `"1"`)
	if p.Status != http.StatusOK || p.Header.Get("ETag") != `"2"` || p.dataMap()["occurredAt"] != nil || p.dataMap()["resolvedAt"] == nil || p.dataMap()["title"] != "Phishing wave" {
		t.Errorf("patch: %d %s", p.Status, p.Body)
	}
	if r := api.patch("/api/v1/incidents/1", map[string]any{"title": nil}); fieldErrors(r)["title"] == "" {
		t.Errorf("null title: %d %s", r.Status, r.Body)
	}
	wantError(t, other.patch("/api/v1/incidents/"+id, map[string]any{"title": "mine"}), http.StatusNotFound, "Incident not found")

	// Links, and incidentIds on the risk.
	rsk := api.post("/api/v1/risks", map[string]any{"title": "Credential theft", "description": "d", "category": "technology"}).dataMap()
	if ids, _ := rsk["incidentIds"].([]any); ids == nil || len(ids) != 0 {
		t.Errorf("a new risk's incidentIds = %v, want []", rsk["incidentIds"])
	}
	brisk := other.post("/api/v1/risks", map[string]any{"title": "Bravo's", "description": "d", "category": "technology"}).dataMap()
	wantError(t, api.post("/api/v1/incidents/1/risks/"+brisk["id"].(string), nil), http.StatusNotFound, "Risk not found")
	wantError(t, other.post("/api/v1/incidents/1/risks/"+brisk["id"].(string), nil), http.StatusNotFound, "Incident not found")
	linked := api.post("/api/v1/incidents/1/risks/RSK-00001", nil)
	if ids, _ := linked.dataMap()["riskIds"].([]any); linked.Status != http.StatusOK || len(ids) != 1 || ids[0] != rsk["id"] {
		t.Fatalf("link: %d %s", linked.Status, linked.Body)
	}
	if ids, _ := api.get("/api/v1/risks/RSK-00001").dataMap()["incidentIds"].([]any); len(ids) != 1 || ids[0] != id {
		t.Errorf("risk incidentIds after link = %v, want [%s]", ids, id)
	}
	wantError(t, ro.post("/api/v1/incidents/1/risks/RSK-00001", nil), http.StatusForbidden, "Insufficient permissions")
	if r := api.do(http.MethodDelete, "/api/v1/incidents/INC-00001/risks/"+rsk["id"].(string), nil); r.Status != http.StatusOK || len(r.dataMap()["riskIds"].([]any)) != 0 {
		t.Errorf("unlink: %d %s", r.Status, r.Body)
	}
	wantError(t, api.do(http.MethodDelete, "/api/v1/incidents/1/risks/RSK-00001", nil), http.StatusNotFound, "The risk is not linked to this incident")

	// Scopes and delete.
	if r := ro.get("/api/v1/incidents/1"); r.Status != http.StatusOK {
		t.Errorf("read-only key GET: %d", r.Status)
	}
	wantError(t, ro.post("/api/v1/incidents", map[string]any{"title": "x"}), http.StatusForbidden, "Insufficient permissions")
	wantError(t, ro.do(http.MethodDelete, "/api/v1/incidents/1", nil), http.StatusForbidden, "Insufficient permissions")
	wantError(t, other.do(http.MethodDelete, "/api/v1/incidents/1", nil), http.StatusNotFound, "Incident not found")
	if r := api.do(http.MethodDelete, "/api/v1/incidents/1", nil, "If-Match", `"2"`); r.Status != http.StatusOK || r.dataMap()["message"] != "Incident deleted successfully" {
		t.Errorf("delete: %d %s", r.Status, r.Body)
	}
	wantError(t, api.get("/api/v1/incidents/1"), http.StatusNotFound, "Incident not found")
	wantError(t, (&apiClient{t: t, e: e}).get("/api/v1/incidents"), http.StatusUnauthorized, "Invalid or missing API key")
}

// seed002Fields are every field of seed 002's risk object.
var seed002Fields = []string{
	"assigned_to", "closed_date", "comments", "control_statement", "created_date", "description", "discovered_date",
	"due_date", "expected_date", "id", "impact", "impact_analysis", "incident_associations", "initially_reported_urgency",
	"likelihood", "likelihood_analysis", "opened_by", "remediation_task", "source", "status", "tags",
	"threat_objectives", "title", "type", "updated_date",
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestAPICreateRiskFromIncident is seed 002's POST /v1/incidents/{id}/risks:
// the integer and INC- id forms, an empty and an overriding body, the
// response object field by field, 404 across organizations, validation.
func TestAPICreateRiskFromIncident(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Bravo", "owner@bravo.example")
	api, other := e.apiKey(a), e.apiKey(b)
	for i := 0; i < 122; i++ { // so that the incident is number 123, as in the seed
		api.post("/api/v1/incidents", map[string]any{"title": "filler"})
	}
	inc := api.post("/api/v1/incidents", map[string]any{"title": "Ransomware on file server", "description": "Shares encrypted overnight.",
		"severity": "critical", "occurredAt": "2026-04-30", "discoveredAt": "2026-05-01"}).dataMap()
	if inc["identifier"] != "INC-00123" {
		t.Fatalf("incident = %v", inc["identifier"])
	}

	// No body at all, integer id, as the seed's example.
	res := api.do(http.MethodPost, "/api/v1/incidents/123/risks", nil)
	if res.Status != http.StatusCreated || res.JSON["success"] != true {
		t.Fatalf("create from incident: %d %s", res.Status, res.Body)
	}
	d := res.dataMap()
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !slices.Equal(keys, seed002Fields) {
		t.Errorf("fields = %v\nwant     %v", keys, seed002Fields)
	}
	wantValues := map[string]any{
		"id": "RSK-00001", "title": "Ransomware on file server", "description": "Shares encrypted overnight.",
		"status": "New", "discovered_date": "2026-05-01T00:00:00.000Z", "due_date": nil, "closed_date": nil,
		"expected_date": nil, "comments": float64(0), "source": "incident", "type": "", "remediation_task": nil,
		"control_statement": nil, "assigned_to": nil, "likelihood": nil, "impact": nil,
		"likelihood_analysis": nil, "impact_analysis": nil,
	}
	for k, v := range wantValues {
		if d[k] != v {
			t.Errorf("%s = %#v, want %#v", k, d[k], v)
		}
	}
	if got, _ := d["incident_associations"].([]any); len(got) != 1 || got[0] != "INC-00123" {
		t.Errorf("incident_associations = %v", d["incident_associations"])
	}
	if u, _ := d["initially_reported_urgency"].(map[string]any); u["value"] != "critical" || u["name"] != "Critical" {
		t.Errorf("initially_reported_urgency = %v", d["initially_reported_urgency"])
	}
	if ob, _ := d["opened_by"].(map[string]any); ob["name"] != "Owner Acme" || ob["email"] != "owner@acme.example" {
		t.Errorf("opened_by = %v", d["opened_by"])
	}
	for _, k := range []string{"created_date", "updated_date"} {
		if s, _ := d[k].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(s) {
			t.Errorf("%s = %v", k, d[k])
		}
	}
	if tags, _ := d["tags"].([]any); tags == nil || len(tags) != 0 {
		t.Errorf("tags = %v, want []", d["tags"])
	}
	if to, _ := d["threat_objectives"].([]any); to == nil || len(to) != 0 {
		t.Errorf("threat_objectives = %v, want []", d["threat_objectives"])
	}
	// The risk is in the register, linked both ways, with the incident as source.
	rsk := api.get("/api/v1/risks/RSK-00001").dataMap()
	if ids, _ := rsk["incidentIds"].([]any); rsk["category"] != "operations" || len(ids) != 1 || ids[0] != inc["id"] {
		t.Errorf("the created risk = %v", rsk)
	}
	if ids, _ := api.get("/api/v1/incidents/INC-00123").dataMap()["riskIds"].([]any); len(ids) != 1 || ids[0] != rsk["id"] {
		t.Errorf("the incident's riskIds = %v", ids)
	}

	// INC- form, a body overriding fields; tags as seed 002's objects.
	members := a.Owner.principal()
	res = api.post("/api/v1/incidents/INC-00123/risks", map[string]any{"title": "Backups not isolated", "category": "technology",
		"probability": 7, "impact": 9, "assigneeId": members.MemberID, "dueDate": "2026-09-30", "tags": []string{"Ransomware", "backup"}, "status": "pending"},
		"Idempotency-Key", "from-inc-2")
	if res.Status != http.StatusCreated {
		t.Fatalf("create with body: %d %s", res.Status, res.Body)
	}
	d = res.dataMap()
	if d["id"] != "RSK-00002" || d["title"] != "Backups not isolated" || d["description"] != "Shares encrypted overnight." || d["status"] != "Remediation" || d["due_date"] != "2026-09-30T00:00:00.000Z" {
		t.Errorf("overridden risk = %v", d)
	}
	if l, _ := d["likelihood"].(map[string]any); l["value"] != float64(7) || l["name"] != "High" {
		t.Errorf("likelihood = %v, want 7 High", d["likelihood"])
	}
	if l, _ := d["impact"].(map[string]any); l["value"] != float64(9) || l["name"] != "Very High" {
		t.Errorf("impact = %v, want 9 Very High", d["impact"])
	}
	if at, _ := d["assigned_to"].(map[string]any); at["id"] != members.MemberID {
		t.Errorf("assigned_to = %v", d["assigned_to"])
	}
	tags, _ := d["tags"].([]any)
	if len(tags) != 2 {
		t.Fatalf("tags = %v", d["tags"])
	}
	for i, content := range []string{"ransomware", "backup"} {
		tag := tags[i].(map[string]any)
		if tag["content"] != content || !uuidPattern.MatchString(tag["id"].(string)) || !uuidPattern.MatchString(tag["creator_id"].(string)) || !uuidPattern.MatchString(tag["org_id"].(string)) {
			t.Errorf("tag %d = %v", i, tag)
		}
	}
	if replay := api.post("/api/v1/incidents/INC-00123/risks", map[string]any{"title": "Backups not isolated", "category": "technology",
		"probability": 7, "impact": 9, "assigneeId": members.MemberID, "dueDate": "2026-09-30", "tags": []string{"Ransomware", "backup"}, "status": "pending"},
		"Idempotency-Key", "from-inc-2"); replay.dataMap()["id"] != "RSK-00002" {
		t.Errorf("replayed create: %s", replay.Body)
	}

	// Not found, across organizations too, with the seed's message.
	for _, key := range []string{"124", "INC-00124", "0", "abc", inc["id"].(string)} {
		r := other.do(http.MethodPost, "/api/v1/incidents/"+key+"/risks", nil)
		wantError(t, r, http.StatusNotFound, "Incident not found")
		if len(r.JSON) != 2 {
			t.Errorf("404 body %s, want exactly success and error", r.Body)
		}
	}
	// Validation names the field and writes nothing.
	bad := api.post("/api/v1/incidents/123/risks", map[string]any{"probability": 11, "category": "nope", "title": ""})
	fe := fieldErrors(bad)
	if bad.Status != http.StatusBadRequest || fe["probability"] != "Number must be less than or equal to 10" || fe["category"] == "" || fe["title"] != "Title is required" {
		t.Errorf("invalid body: %d %s", bad.Status, bad.Body)
	}
	if r := api.post("/api/v1/incidents/123/risks", map[string]any{"assigneeId": "mem_nobody"}); fieldErrors(r)["assigneeId"] == "" {
		t.Errorf("unknown assignee: %d %s", r.Status, r.Body)
	}
	if r := api.post("/api/v1/incidents/123/risks", "[1]", "Content-Type", "application/json"); r.Status != http.StatusBadRequest {
		t.Errorf("array body: %d %s", r.Status, r.Body)
	}
	if n := api.get("/api/v1/risks").Header.Get("X-Pagination-Total-Entries"); n != "2" {
		t.Errorf("%s risks after refused creates, want 2", n)
	}
}

// TestAPIRiskRelatedFromOneRead checks the incident ids (newest incident
// first) and the comment count the single-risk read loads with the risk
// against the ones a past view reads separately, and the statements a read
// sends: the key's lookup and the risk's.
func TestAPIRiskRelatedFromOneRead(t *testing.T) {
	bdb, dbName := dbtest.NewDB(t)
	hook := &countHook{}
	e := serveEnv(t, bdb.WithQueryHook(hook), dbName)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	r := e.createRisk(a, risk.Input{Title: "Vendor outage"})
	var incidents []string
	for _, title := range []string{"First", "Second", "Third"} {
		incidents = append(incidents, api.post("/api/v1/incidents", map[string]any{"title": title}).dataMap()["id"].(string))
	}
	for _, inc := range []string{"INC-00002", "INC-00001", "INC-00003"} { // linked out of order
		if res := api.post("/api/v1/incidents/"+inc+"/risks/"+r.Identifier(), nil); res.Status != http.StatusOK {
			t.Fatalf("link %s: %d %s", inc, res.Status, res.Body)
		}
	}
	for _, body := range []string{"one", "two"} {
		if res := api.post("/api/v1/risks/"+r.Identifier()+"/comments", map[string]any{"body": body}); res.Status != http.StatusCreated {
			t.Fatalf("comment: %d %s", res.Status, res.Body)
		}
	}

	api.get("/api/v1/risks/" + r.Identifier()) // records the key's use: later reads within the minute write nothing
	hook.n.Store(0)
	now := api.get("/api/v1/risks/" + r.Identifier()).dataMap()
	if n := hook.n.Load(); n != 2 {
		t.Errorf("GET /api/v1/risks/%s sent %d statements, want 2 (the key, the risk)", r.Identifier(), n)
	}
	want := []any{incidents[2], incidents[1], incidents[0]}
	if !reflect.DeepEqual(now["incidentIds"], want) || now["commentsCount"] != float64(2) {
		t.Errorf("incidentIds %v, commentsCount %v; want %v, 2", now["incidentIds"], now["commentsCount"], want)
	}
	past := api.get("/api/v1/risks/" + r.Identifier() + "?asOf=" + e.Clock.Now().UTC().Format(time.DateOnly)).dataMap()
	if !reflect.DeepEqual(past["incidentIds"], now["incidentIds"]) || past["commentsCount"] != now["commentsCount"] {
		t.Errorf("as of today: incidentIds %v, commentsCount %v; today's read: %v, %v",
			past["incidentIds"], past["commentsCount"], now["incidentIds"], now["commentsCount"])
	}
}
