package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/web/openapi"
)

// apiClient calls the JSON API with one key, validating every response
// against the OpenAPI document.
type apiClient struct {
	t   testing.TB
	e   *env
	key string
}

func (e *env) apiKey(o *org, scopes ...string) *apiClient {
	e.t.Helper()
	p := o.Owner.principal()
	if len(scopes) == 0 {
		scopes = []string{apikey.ScopeRead, apikey.ScopeWrite}
	}
	_, secret, err := e.Server.APIKeys.Create(context.Background(), o.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name},
		apikey.CreateInput{Name: "test " + strings.Join(scopes, "+"), Scopes: scopes})
	if err != nil {
		e.t.Fatalf("create api key: %v", err)
	}
	return &apiClient{t: e.t, e: e, key: secret}
}

type apiResponse struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

func (r *apiResponse) dataMap() map[string]any {
	m, _ := r.JSON["data"].(map[string]any)
	return m
}

func (r *apiResponse) dataList() []any {
	l, _ := r.JSON["data"].([]any)
	return l
}

// do sends a request; headers are name, value pairs ("Authorization", ""
// removes the default Bearer header).
func (a *apiClient) do(method, path string, body any, headers ...string) *apiResponse {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = a.e.URL + path
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.key != "" {
		req.Header.Set("Authorization", "Bearer "+a.key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := &apiResponse{Status: res.StatusCode, Header: res.Header, Body: b}
	if err := json.Unmarshal(b, &out.JSON); err != nil {
		a.t.Fatalf("%s %s: %d non-JSON body %q", method, path, res.StatusCode, b)
	}
	if res.StatusCode >= 500 {
		a.t.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		a.t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		a.t.Errorf("%s %s: CORS header sent", method, path)
	}
	validateResponse(a.t, method, req.URL.Path, res.StatusCode, out.JSON)
	return out
}

func (a *apiClient) get(path string, h ...string) *apiResponse {
	return a.do(http.MethodGet, path, nil, h...)
}
func (a *apiClient) post(path string, body any, h ...string) *apiResponse {
	return a.do(http.MethodPost, path, body, h...)
}
func (a *apiClient) patch(path string, body any, h ...string) *apiResponse {
	return a.do(http.MethodPatch, path, body, h...)
}

// The OpenAPI response schemas, compiled once.
var (
	schemaOnce sync.Once
	compiler   *jsonschema.Compiler
	schemaErr  error
	compiled   = map[string]*jsonschema.Schema{}
	schemaMu   sync.Mutex
	openapiDoc map[string]any
)

var incidentPathParam = regexp.MustCompile(`^/api/v1/incidents(/[^/]+)?(/risks)?(/[^/]+)?$`)

var pathParam = regexp.MustCompile(`^/api/v1(/risks(/filter)?)(/[^/]+)?(/tasks|/reviews|/comments)?(/[^/]+)?$`)

// templatePath maps a request path to its OpenAPI path.
func templatePath(p string) string {
	if p == "/api/v1/heatmap" {
		return "/heatmap"
	}
	if m := incidentPathParam.FindStringSubmatch(p); m != nil {
		out := "/incidents"
		if m[1] != "" {
			out += "/{id}"
		}
		if m[2] != "" {
			out += "/risks"
		}
		if m[3] != "" {
			out += "/{riskId}"
		}
		return out
	}
	m := pathParam.FindStringSubmatch(p)
	if m == nil {
		return ""
	}
	if m[2] != "" {
		return "/risks/filter"
	}
	out := "/risks"
	if m[3] != "" {
		out += "/{id}"
	}
	if m[4] != "" {
		out += m[4] // /tasks, /reviews or /comments
	}
	if m[5] != "" {
		out += "/{taskId}"
	}
	return out
}

func validateResponse(t testing.TB, method, path string, status int, body any) {
	t.Helper()
	schemaOnce.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(openapi.Document))
		if err != nil {
			schemaErr = err
			return
		}
		openapiDoc = doc.(map[string]any)
		compiler = jsonschema.NewCompiler()
		schemaErr = compiler.AddResource("https://riskreg.local/openapi.json", doc)
	})
	if schemaErr != nil {
		t.Fatalf("OpenAPI document: %v", schemaErr)
	}
	tp := templatePath(path)
	if tp == "" {
		return // not an API route: nothing to check against
	}
	op, _ := openapiDoc["paths"].(map[string]any)[tp].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if op == nil {
		t.Errorf("%s %s (%s) is not in the OpenAPI document", method, path, tp)
		return
	}
	code := fmt.Sprint(status)
	resp, ok := op["responses"].(map[string]any)[code].(map[string]any)
	if !ok {
		t.Errorf("%s %s: status %d is not documented", method, tp, status)
		return
	}
	ptr := "#/paths/" + strings.ReplaceAll(strings.ReplaceAll(tp, "~", "~0"), "/", "~1") + "/" + strings.ToLower(method) + "/responses/" + code
	if ref, ok := resp["$ref"].(string); ok {
		ptr = ref
	}
	ptr += "/content/application~1json/schema"
	schemaMu.Lock()
	sch, ok := compiled[ptr]
	if !ok {
		var err error
		sch, err = compiler.Compile("https://riskreg.local/openapi.json" + ptr)
		if err != nil {
			schemaMu.Unlock()
			t.Fatalf("compile %s: %v", ptr, err)
		}
		compiled[ptr] = sch
	}
	schemaMu.Unlock()
	// Round-trip through the validator's own decoding (numbers as json.Number).
	raw, _ := json.Marshal(body)
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err := sch.Validate(inst); err != nil {
		detail := err.Error()
		if ve, ok := err.(*jsonschema.ValidationError); ok {
			detail = fmt.Sprintf("%v", ve.BasicOutput())
		}
		t.Errorf("%s %s %d does not match the OpenAPI document: %s\n%s", method, tp, status, detail, raw)
	}
}

func wantError(t *testing.T, r *apiResponse, status int, msg string) {
	t.Helper()
	if r.Status != status || r.JSON["success"] != false || r.JSON["error"] != msg {
		t.Fatalf("got %d %s, want %d {success:false, error:%q}", r.Status, r.Body, status, msg)
	}
}

func TestAPISeedExamples(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	// Seed 000's create example, field by field.
	res := api.post("/api/v1/risks", map[string]any{
		"title": "Server vulnerability", "description": "Outdated software on production servers",
		"category": "technology", "department": "it", "probability": 7, "impact": 8,
	})
	if res.Status != http.StatusCreated || res.JSON["success"] != true {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	d := res.dataMap()
	want := map[string]any{"title": "Server vulnerability", "description": "Outdated software on production servers",
		"category": "technology", "department": "it", "status": "open", "probability": 7.0, "impact": 8.0,
		"residual_probability": 0.0, "residual_impact": 0.0, "assigneeId": nil, "organizationId": a.ID,
		"identifier": "RSK-00001", "inherentScore": 56.0}
	for k, v := range want {
		if !reflect.DeepEqual(d[k], v) {
			t.Errorf("create %s = %#v, want %#v", k, d[k], v)
		}
	}
	if d["createdAt"] != d["updatedAt"] || !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(fmt.Sprint(d["createdAt"])) {
		t.Errorf("timestamps %v %v", d["createdAt"], d["updatedAt"])
	}
	if res.Header.Get("ETag") != `"1"` {
		t.Errorf("ETag %q", res.Header.Get("ETag"))
	}
	id := d["id"].(string)

	// Treatment and tasks, then the single-risk shape of seed 000.
	member := a.Owner.principal().MemberID
	res = api.patch("/api/v1/risks/"+id, map[string]any{"assigneeId": member, "residual_probability": 3, "residual_impact": 5,
		"treatmentStrategy": map[string]any{"type": "mitigate", "description": "Update software and implement regular updates"}})
	if res.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", res.Status, res.Body)
	}
	res = api.post("/api/v1/risks/"+id+"/tasks", map[string]any{"title": "Update server software",
		"description": "Update all production servers to the latest stable version", "dueDate": "2023-02-15", "assigneeId": member})
	if res.Status != http.StatusCreated {
		t.Fatalf("task: %d %s", res.Status, res.Body)
	}
	for _, path := range []string{"/api/v1/risks/" + id, "/api/v1/risks/RSK-00001", "/api/v1/risks/rsk-00001"} {
		res = api.get(path)
		if res.Status != http.StatusOK {
			t.Fatalf("get %s: %d %s", path, res.Status, res.Body)
		}
	}
	d = res.dataMap()
	asg := d["assignee"].(map[string]any)
	if asg["id"] != member || asg["user"].(map[string]any)["email"] != "owner@acme.example" || d["assigneeId"] != member {
		t.Errorf("assignee %v", d["assignee"])
	}
	trt := d["treatmentStrategy"].(map[string]any)
	if trt["type"] != "mitigate" || trt["description"] != "Update software and implement regular updates" || !strings.HasPrefix(trt["id"].(string), "trt_") {
		t.Errorf("treatmentStrategy %v", trt)
	}
	tasks := d["mitigationTasks"].([]any)
	task := tasks[0].(map[string]any)
	if len(tasks) != 1 || task["dueDate"] != "2023-02-15T00:00:00.000Z" || task["completedAt"] != nil || task["status"] != "open" || task["assigneeId"] != member {
		t.Errorf("mitigationTasks %v", tasks)
	}
	if l := api.get("/api/v1/risks/" + id + "/tasks").dataList(); len(l) != 1 {
		t.Fatalf("list tasks: %v", l)
	}
	// Completing a task sets completedAt.
	res = api.patch("/api/v1/risks/"+id+"/tasks/"+task["id"].(string), map[string]any{"status": "completed"})
	if res.Status != http.StatusOK || res.dataMap()["completedAt"] == nil {
		t.Fatalf("complete task: %d %s", res.Status, res.Body)
	}
	// A second task, deleted again.
	extra := api.post("/api/v1/risks/"+id+"/tasks", map[string]any{"title": "Temporary"}).dataMap()["id"].(string)
	if r := api.do(http.MethodDelete, "/api/v1/risks/"+id+"/tasks/"+extra, nil); r.Status != http.StatusOK {
		t.Fatalf("delete task: %d %s", r.Status, r.Body)
	}
	// The list shows seed 000's list fields, assignee included.
	res = api.get("/api/v1/risks")
	if l := res.dataList(); len(l) != 1 || l[0].(map[string]any)["assignee"] == nil {
		t.Fatalf("list %s", res.Body)
	}
	// Delete as seed 000 documents it.
	res = api.do(http.MethodDelete, "/api/v1/risks/"+id, nil)
	if res.Status != http.StatusOK || res.dataMap()["message"] != "Risk deleted successfully" {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	wantError(t, api.get("/api/v1/risks/"+id), http.StatusNotFound, "Risk not found")

	// The change history names the key and its creator.
	var actor string
	_ = e.DB.QueryRowContext(context.Background(), "SELECT actor_name FROM events WHERE action = 'deleted'").Scan(&actor)
	if !strings.Contains(actor, "Owner Acme") || !strings.Contains(actor, "test ") {
		t.Errorf("deleted by %q, want the key and its creator", actor)
	}
	var keyID *string
	_ = e.DB.QueryRowContext(context.Background(), "SELECT actor_api_key_id FROM events WHERE action = 'deleted'").Scan(&keyID)
	if keyID == nil {
		t.Errorf("the event does not record the API key")
	}
}

type zodVectors struct {
	Create []struct {
		Input   map[string]any `json:"input"`
		Valid   bool           `json:"valid"`
		Details map[string]any `json:"details"`
		Parsed  map[string]any `json:"parsed"`
	} `json:"create_body_vectors"`
	List []struct {
		Input   map[string]string `json:"input"`
		Valid   bool              `json:"valid"`
		Details map[string]any    `json:"details"`
	} `json:"list_query_vectors"`
}

// TestAPIValidationVectors sends our own table of bodies and queries
// (testdata/zod-risk-vectors.json) and expects zod's error wording for
// the invalid ones and the given fields on the risks the valid ones create.
func TestAPIValidationVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/zod-risk-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v zodVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	if n := len(v.Create) + len(v.List); n < 10 {
		t.Fatalf("only %d vectors", n)
	}
	for i, vec := range v.Create {
		res := api.post("/api/v1/risks", vec.Input)
		if !vec.Valid {
			if res.Status != http.StatusBadRequest || res.JSON["error"] != "Validation failed" {
				t.Errorf("vector %d: %d %s", i, res.Status, res.Body)
				continue
			}
			if !reflect.DeepEqual(res.JSON["details"], vec.Details) {
				t.Errorf("vector %d %v:\n got %v\nwant %v", i, vec.Input, res.JSON["details"], vec.Details)
			}
			continue
		}
		if res.Status != http.StatusCreated {
			t.Errorf("valid vector %d: %d %s", i, res.Status, res.Body)
			continue
		}
		if len(vec.Parsed) == 0 {
			t.Errorf("valid vector %d says nothing about the created risk", i)
		}
		for k, want := range vec.Parsed {
			if got, ok := res.dataMap()[k]; !ok || !reflect.DeepEqual(got, want) {
				t.Errorf("valid vector %d: %s = %v, want %v", i, k, got, want)
			}
		}
	}
	for i, vec := range v.List {
		q := make([]string, 0)
		for k, val := range vec.Input {
			q = append(q, k+"="+val)
		}
		res := api.get("/api/v1/risks?" + strings.Join(q, "&"))
		if vec.Valid != (res.Status == http.StatusOK) {
			t.Errorf("list vector %d: %d %s", i, res.Status, res.Body)
		}
		if !vec.Valid && !reflect.DeepEqual(res.JSON["details"], vec.Details) {
			t.Errorf("list vector %d:\n got %v\nwant %v", i, res.JSON["details"], vec.Details)
		}
	}
}

func TestAPIDocumentation(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	res := c.get("/api/openapi.json")
	var doc map[string]any
	if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(res.Body), &doc) != nil || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi.json: %d", res.StatusCode)
	}
	// Every API route is documented, and every documented path is routed.
	paths := doc["paths"].(map[string]any)
	for _, r := range e.App.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == http.MethodHead {
			continue
		}
		p := strings.NewReplacer(":taskId", "{taskId}", ":riskId", "{riskId}", ":id", "{id}").Replace(strings.TrimPrefix(r.Path, "/api/v1"))
		if op, ok := paths[p].(map[string]any); !ok || op[strings.ToLower(r.Method)] == nil {
			t.Errorf("%s %s is not in the OpenAPI document", r.Method, r.Path)
		}
	}
	page := c.get("/api/docs")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("/api/docs: %d", page.StatusCode)
	}
	if n := page.Doc(t).Find(`section[id]`).Length(); n != 27 {
		t.Errorf("/api/docs shows %d operations, want 27", n)
	}
}
