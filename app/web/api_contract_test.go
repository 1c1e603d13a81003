package web_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/openapi"
)

// TestOpenAPIDocumentRules checks the rules the document keeps by
// construction: the errors any request can meet are on every operation,
// as shared components; patch schemas have no defaults; every enum has a
// type.
func TestOpenAPIDocumentRules(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(openapi.Document, &doc); err != nil {
		t.Fatal(err)
	}
	everywhere := map[string]string{"401": "Unauthorized", "403": "Forbidden", "413": "TooLarge",
		"431": "HeadersTooLarge", "500": "Internal", "503": "Unavailable"}
	withBody := map[string]string{"400": "Validation", "415": "MediaType"}
	ops := 0
	for p, item := range doc["paths"].(map[string]any) {
		for m, o := range item.(map[string]any) {
			ops++
			op := o.(map[string]any)
			responses := op["responses"].(map[string]any)
			want := map[string]string{}
			for k, v := range everywhere {
				want[k] = v
			}
			if op["requestBody"] != nil {
				for k, v := range withBody {
					want[k] = v
				}
			}
			for code, name := range want {
				r, _ := responses[code].(map[string]any)
				if r == nil || r["$ref"] != "#/components/responses/"+name {
					t.Errorf("%s %s: %s is %v, want the shared response %s", m, p, code, r, name)
				}
			}
			// Every error response is a shared component, not a copy.
			for code, r := range responses {
				if code >= "400" {
					if _, ok := r.(map[string]any)["$ref"]; !ok {
						t.Errorf("%s %s: %s is written inline", m, p, code)
					}
				}
			}
			for _, prm := range op["parameters"].([]any) {
				s := prm.(map[string]any)["schema"].(map[string]any)
				if s["enum"] != nil && s["type"] == nil {
					t.Errorf("%s %s: parameter %v has an enum without a type", m, p, prm.(map[string]any)["name"])
				}
			}
		}
	}
	if ops != 28 {
		t.Errorf("%d operations", ops)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, name := range []string{"RiskPatch", "TaskPatch"} {
		s, ok := schemas[name].(map[string]any)
		if !ok {
			t.Fatalf("no %s schema", name)
		}
		if s["required"] != nil {
			t.Errorf("%s requires %v", name, s["required"])
		}
		b, _ := json.Marshal(s)
		if strings.Contains(string(b), `"default"`) {
			t.Errorf("%s carries default values: %s", name, b)
		}
	}
	patchTask := doc["paths"].(map[string]any)["/risks/{id}/tasks/{taskId}"].(map[string]any)["patch"].(map[string]any)
	if ref := patchTask["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)["$ref"]; ref != "#/components/schemas/TaskPatch" {
		t.Errorf("PATCH task body is %v", ref)
	}
	// tags: null clears them on PATCH; the schema says so.
	tags := schemas["RiskPatch"].(map[string]any)["properties"].(map[string]any)["tags"].(map[string]any)
	if types, _ := tags["type"].([]any); !slices.Contains(types, any("null")) {
		t.Errorf("RiskPatch tags are not nullable: %v", tags["type"])
	}
}

// TestAPIPatchNullsAndTaskPatch: the nulls the document allows clear the
// field; a task PATCH needs no title.
func TestAPIPatchNullsAndTaskPatch(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	d := api.post("/api/v1/risks", map[string]any{"title": "Tagged", "description": "d", "category": "other",
		"tags": []string{"a", "b"}, "dueDate": "2027-01-31"}).dataMap()
	id := d["id"].(string)
	res := api.patch("/api/v1/risks/"+id, map[string]any{"tags": nil, "dueDate": nil})
	if res.Status != http.StatusOK || len(res.dataMap()["tags"].([]any)) != 0 || res.dataMap()["dueDate"] != nil {
		t.Fatalf("tags null: %d %s", res.Status, res.Body)
	}
	// null where the document does not allow it is a 400 naming the field.
	res = api.patch("/api/v1/risks/"+id, map[string]any{"title": nil})
	if res.Status != http.StatusBadRequest || res.JSON["details"].(map[string]any)["title"] == nil {
		t.Fatalf("title null: %d %s", res.Status, res.Body)
	}
	task := api.post("/api/v1/risks/"+id+"/tasks", map[string]any{"title": "Do it", "dueDate": "2027-01-01"}).dataMap()
	res = api.patch("/api/v1/risks/"+id+"/tasks/"+task["id"].(string), map[string]any{"status": "in_progress", "dueDate": nil})
	if res.Status != http.StatusOK || res.dataMap()["title"] != "Do it" || res.dataMap()["status"] != "in_progress" || res.dataMap()["dueDate"] != nil {
		t.Fatalf("task patch without title: %d %s", res.Status, res.Body)
	}
	res = api.patch("/api/v1/risks/"+id+"/tasks/"+task["id"].(string), map[string]any{"title": ""})
	if res.Status != http.StatusBadRequest || res.JSON["details"].(map[string]any)["title"] == nil {
		t.Fatalf("empty task title: %d %s", res.Status, res.Body)
	}
}

// TestAPIFilterRiskIDs: riskIds takes ids, RSK identifiers and numbers;
// ids of no risk of the key's organization match nothing.
func TestAPIFilterRiskIDs(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Beta", "owner@beta.example")
	api, apiB := e.apiKey(a), e.apiKey(b)
	var ids []string
	for _, title := range []string{"One", "Two", "Three", "Four"} {
		ids = append(ids, e.createRisk(a, risk.Input{Title: title}).ID)
	}
	foreign := e.createRisk(b, risk.Input{Title: "Beta five"})
	// Archive the fourth: riskIds finds archived risks too.
	if r := api.patch("/api/v1/risks/"+ids[3], map[string]any{"status": "archived"}); r.Status != http.StatusOK {
		t.Fatalf("archive: %d %s", r.Status, r.Body)
	}
	titles := func(body any) []string {
		t.Helper()
		r := api.do(http.MethodPut, "/api/v1/risks/filter?sort=identifier", body)
		if r.Status != http.StatusOK {
			t.Fatalf("filter %v: %d %s", body, r.Status, r.Body)
		}
		if l := r.Header.Get("Link"); l != "" {
			t.Errorf("PUT /risks/filter sent Link %q: no GET repeats a PUT body", l)
		}
		if r.Header.Get("X-Pagination-Total-Entries") == "" {
			t.Errorf("no X-Pagination headers")
		}
		var out []string
		for _, d := range r.dataList() {
			out = append(out, d.(map[string]any)["title"].(string))
		}
		sort.Strings(out)
		return out
	}
	for _, c := range []struct {
		ids  []any
		want []string
	}{
		{[]any{ids[0]}, []string{"One"}},
		{[]any{"RSK-00002", "rsk-00003"}, []string{"Three", "Two"}},
		{[]any{1, "2", 4}, []string{"Four", "One", "Two"}},
		{[]any{json.Number("2.0"), json.Number("3e0")}, []string{"Three", "Two"}},
		{[]any{ids[0], "RSK-00001", 1}, []string{"One"}},
		{[]any{"rsk_unknown", "RSK-00099", 99, foreign.ID}, nil},
		{[]any{}, nil},
	} {
		if got := titles(map[string]any{"riskIds": c.ids}); !slices.Equal(got, c.want) {
			t.Errorf("riskIds %v: %v, want %v", c.ids, got, c.want)
		}
	}
	// B's number 1 is B's own risk, never A's.
	if r := apiB.do(http.MethodPut, "/api/v1/risks/filter", map[string]any{"riskIds": []any{1, ids[0]}}); len(r.dataList()) != 1 ||
		r.dataList()[0].(map[string]any)["id"] != foreign.ID {
		t.Errorf("B's filter: %s", r.Body)
	}
	for _, bad := range []any{0, -3, 1.5, json.Number("1e300"), nil, true, map[string]any{}} {
		r := api.do(http.MethodPut, "/api/v1/risks/filter", map[string]any{"riskIds": []any{bad}})
		if r.Status != http.StatusBadRequest || r.JSON["details"].(map[string]any)["riskIds"] == nil {
			t.Errorf("riskIds [%v]: %d %s", bad, r.Status, r.Body)
		}
	}
	if r := api.do(http.MethodPut, "/api/v1/risks/filter", map[string]any{"riskIds": "RSK-00001"}); r.Status != http.StatusBadRequest {
		t.Errorf("riskIds as a string: %d %s", r.Status, r.Body)
	}
}

// TestAPIListLinksAnswer: every Link of GET /risks is a GET that answers
// 200 with the page it names.
func TestAPIListLinksAnswer(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	for _, title := range []string{"One", "Two", "Three", "Four", "Five"} {
		e.createRisk(a, risk.Input{Title: title})
	}
	api := e.apiKey(a)
	res := api.get("/api/v1/risks?per_page=2&page=2&status=open&sort=title")
	links := linkRe.FindAllStringSubmatch(res.Header.Get("Link"), -1)
	if len(links) != 4 {
		t.Fatalf("Link %q", res.Header.Get("Link"))
	}
	for _, l := range links {
		r := api.get(l[1])
		if r.Status != http.StatusOK || len(r.dataList()) == 0 {
			t.Errorf("rel=%s %s: %d %s", l[2], l[1], r.Status, r.Body)
		}
	}
}
