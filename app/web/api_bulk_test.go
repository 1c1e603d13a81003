package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/risk"
)

// riskState is what a bulk edit may change, to prove nothing was written.
func riskState(t *testing.T, e *env, orgID string) string {
	t.Helper()
	var s string
	if err := e.DB.QueryRowContext(context.Background(), `SELECT coalesce(string_agg(id || ':' || version || ':' || status || ':' || array_to_string(tags, ','), ' ' ORDER BY number), '')
		|| ' events=' || (SELECT count(*) FROM events WHERE organization_id = ?)
		FROM risks WHERE organization_id = ?`, orgID, orgID).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAPIBulkEdit(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	r1 := e.createRisk(a, risk.Input{Title: "One"})
	r2 := e.createRisk(a, risk.Input{Title: "Two"})
	r3 := e.createRisk(a, risk.Input{Title: "Three"})
	res := api.patch("/api/v1/risks", map[string]any{
		"riskIds":    []any{r1.ID, "rsk-00002", 3, "RSK-00001"},
		"ifVersions": map[string]any{r1.ID: 1, "3": 1},
		"changes":    map[string]any{"status": "closed", "closureReason": "mitigated", "addTags": []string{"Audit"}, "dueDate": "2027-01-31"},
	})
	if res.Status != http.StatusOK {
		t.Fatalf("bulk close: %d %s", res.Status, res.Body)
	}
	d := res.dataMap()
	if d["updated"] != float64(3) || d["unchanged"] != float64(0) || len(d["risks"].([]any)) != 3 {
		t.Fatalf("result %s", res.Body)
	}
	for _, r := range []*risk.Risk{r1, r2, r3} {
		got := api.get("/api/v1/risks/" + r.Identifier()).dataMap()
		if got["status"] != "closed" || got["closureReason"] != "mitigated" || got["version"] != float64(2) {
			t.Errorf("%s after bulk: %v", r.Identifier(), got)
		}
	}
	// The same request again changes nothing.
	res = api.patch("/api/v1/risks", map[string]any{"riskIds": []any{1, 2, 3}, "changes": map[string]any{"status": "closed", "closureReason": "mitigated"}})
	if res.Status != http.StatusOK || res.dataMap()["unchanged"] != float64(3) {
		t.Fatalf("repeat: %d %s", res.Status, res.Body)
	}
	// Unassign and delete.
	if res = api.patch("/api/v1/risks", map[string]any{"riskIds": []any{1}, "changes": map[string]any{"assigneeId": nil, "dueDate": nil, "removeTags": []string{"audit"}}}); res.Status != http.StatusOK {
		t.Fatalf("clear: %d %s", res.Status, res.Body)
	}
	if res = api.patch("/api/v1/risks", map[string]any{"riskIds": []any{"RSK-00003"}, "changes": map[string]any{"delete": true}}); res.Status != http.StatusOK || res.dataMap()["deleted"] != float64(1) {
		t.Fatalf("delete: %d %s", res.Status, res.Body)
	}
	if res = api.get("/api/v1/risks/RSK-00003"); res.Status != http.StatusNotFound {
		t.Fatalf("deleted risk: %d", res.Status)
	}
}

// One stale or invalid or foreign risk refuses the whole request, names
// the risk in details.risks, and writes nothing.
func TestAPIBulkEditAllOrNothing(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Beta", "owner@beta.example")
	api := e.apiKey(a)
	r1 := e.createRisk(a, risk.Input{Title: "One"})
	r2 := e.createRisk(a, risk.Input{Title: "Two"})
	full := make([]string, risk.MaxTags)
	for i := range full {
		full[i] = fmt.Sprintf("t%d", i)
	}
	e.createRisk(a, risk.Input{Title: "Full", Tags: full})
	foreign := e.createRisk(b, risk.Input{Title: "Beta's"})
	// r2 is edited after "the page loaded" at version 1.
	if res := api.patch("/api/v1/risks/"+r2.ID, map[string]any{"title": "Two, edited"}); res.Status != http.StatusOK {
		t.Fatal(res.Status)
	}
	before := riskState(t, e, a.ID)
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		riskID string
	}{
		{"stale", map[string]any{"riskIds": []any{r1.ID, r2.ID}, "ifVersions": map[string]any{r1.ID: 1, r2.ID: 1},
			"changes": map[string]any{"status": "pending"}}, http.StatusPreconditionFailed, r2.ID},
		{"invalid", map[string]any{"riskIds": []any{1, 3}, "changes": map[string]any{"addTags": []string{"one-more"}}}, http.StatusUnprocessableEntity, "3"},
		{"other tenant", map[string]any{"riskIds": []any{r1.ID, foreign.ID}, "changes": map[string]any{"status": "pending"}}, http.StatusNotFound, foreign.ID},
		{"missing", map[string]any{"riskIds": []any{r1.ID, 999}, "changes": map[string]any{"status": "pending"}}, http.StatusNotFound, "999"},
	} {
		res := api.patch("/api/v1/risks", tc.body)
		if res.Status != tc.status || !strings.Contains(res.JSON["error"].(string), "Nothing was changed") {
			t.Errorf("%s: %d %s, want %d", tc.name, res.Status, res.Body, tc.status)
			continue
		}
		items := res.JSON["details"].(map[string]any)["risks"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["riskId"] != tc.riskID {
			t.Errorf("%s: details %s, want %s", tc.name, res.Body, tc.riskID)
		}
		if tc.status == http.StatusPreconditionFailed && items[0].(map[string]any)["currentVersion"] != float64(2) {
			t.Errorf("stale: %s", res.Body)
		}
		if got := riskState(t, e, a.ID); got != before {
			t.Errorf("%s wrote:\n%s\nwant\n%s", tc.name, got, before)
		}
	}
	if got, _ := e.Server.Risks.Get(context.Background(), b.ID, foreign.ID); got.Version != 1 {
		t.Error("another organization's risk changed")
	}
}

func TestAPIBulkEditValidation(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	e.createRisk(a, risk.Input{Title: "One"})
	before := riskState(t, e, a.ID)
	many := make([]int, risk.MaxBulk+1)
	for i := range many {
		many[i] = i + 1
	}
	for _, tc := range []struct {
		body  any
		field string
	}{
		{map[string]any{"changes": map[string]any{"status": "open"}}, "riskIds"},
		{map[string]any{"riskIds": []any{}, "changes": map[string]any{"status": "open"}}, "riskIds"},
		{map[string]any{"riskIds": many, "changes": map[string]any{"status": "open"}}, "riskIds"},
		{map[string]any{"riskIds": "RSK-00001", "changes": map[string]any{"status": "open"}}, "riskIds"},
		{map[string]any{"riskIds": []any{true}, "changes": map[string]any{"status": "open"}}, "riskIds"},
		{map[string]any{"riskIds": []any{1}}, "changes"},
		{map[string]any{"riskIds": []any{1}, "changes": map[string]any{}}, "changes"},
		{map[string]any{"riskIds": []any{1}, "changes": map[string]any{"title": "x"}}, "changes"},
		{map[string]any{"riskIds": []any{1}, "changes": map[string]any{"status": "closed"}}, "changes.closureReason"},
		{map[string]any{"riskIds": []any{1}, "changes": map[string]any{"status": "done"}}, "changes.status"},
		{map[string]any{"riskIds": []any{1}, "changes": map[string]any{"delete": true, "status": "open"}}, "changes.delete"},
		{map[string]any{"riskIds": []any{1}, "changes": map[string]any{"delete": false}}, "changes.delete"},
		{map[string]any{"riskIds": []any{1}, "changes": map[string]any{"dueDate": "31/01/2027"}}, "changes.dueDate"},
		{map[string]any{"riskIds": []any{1}, "changes": map[string]any{"registerId": "reg_nope"}}, "registerId"},
		{map[string]any{"riskIds": []any{1}, "changes": map[string]any{"assigneeId": "mem_nope"}}, "assigneeId"},
		{map[string]any{"riskIds": []any{1}, "ifVersions": map[string]any{"2": 1}, "changes": map[string]any{"status": "open"}}, "ifVersions"},
		{map[string]any{"riskIds": []any{1}, "ifVersions": map[string]any{"1": "one"}, "changes": map[string]any{"status": "open"}}, "ifVersions"},
	} {
		res := api.patch("/api/v1/risks", tc.body)
		details, _ := res.JSON["details"].(map[string]any)
		if res.Status != http.StatusBadRequest || details[tc.field] == nil {
			t.Errorf("%v: %d %s, want 400 naming %s", tc.body, res.Status, res.Body, tc.field)
		}
	}
	if res := api.patch("/api/v1/risks", map[string]any{"riskIds": []any{1}, "changes": map[string]any{"status": "open"}}, "If-Match", `"1"`); res.Status != http.StatusBadRequest {
		t.Errorf("If-Match: %d", res.Status)
	}
	if got := riskState(t, e, a.ID); got != before {
		t.Errorf("a refused request wrote: %s", got)
	}
	ro := e.apiKey(a, apikey.ScopeRead)
	wantError(t, ro.patch("/api/v1/risks", map[string]any{"riskIds": []any{1}, "changes": map[string]any{"status": "pending"}}), http.StatusForbidden, "Insufficient permissions")
}

func TestAPIBulkEditIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	e.createRisk(a, risk.Input{Title: "One"})
	body := map[string]any{"riskIds": []any{1}, "changes": map[string]any{"addTags": []string{"x"}}}
	first := api.patch("/api/v1/risks", body, "Idempotency-Key", "bulk-1")
	again := api.patch("/api/v1/risks", body, "Idempotency-Key", "bulk-1")
	if first.Status != http.StatusOK || again.Status != http.StatusOK || string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s / %d %s", first.Status, first.Body, again.Status, again.Body)
	}
	if got := api.get("/api/v1/risks/1"); got.Status == http.StatusOK {
		t.Log("numbers work on GET too")
	}
	if v := api.get("/api/v1/risks/RSK-00001").dataMap()["version"]; v != float64(2) {
		t.Errorf("version after a replayed bulk edit: %v, want 2", v)
	}
	other := api.patch("/api/v1/risks", map[string]any{"riskIds": []any{1}, "changes": map[string]any{"addTags": []string{"y"}}}, "Idempotency-Key", "bulk-1")
	if other.Status != http.StatusUnprocessableEntity {
		t.Errorf("the key with another body: %d %s", other.Status, other.Body)
	}
}
