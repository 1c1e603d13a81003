package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// TestAPIRiskTypeAndThreatObjectives: type and threatObjectives on create,
// get, PATCH (values, seed 002's labels, null), validation naming the
// field, and the list filters.
func TestAPIRiskTypeAndThreatObjectives(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)

	res := api.post("/api/v1/risks", map[string]any{"title": "Leaky bucket", "description": "d", "category": "technology",
		"type": "Control Deficiency", "threatObjectives": []string{"fraud", "Data Disclosure", "fraud"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	d := res.dataMap()
	id := d["id"].(string)
	if d["type"] != "control_deficiency" || !equalAny(d["threatObjectives"], "data_disclosure", "fraud") {
		t.Errorf("created: type %v objectives %v", d["type"], d["threatObjectives"])
	}
	plain := api.post("/api/v1/risks", map[string]any{"title": "Plain", "description": "d", "category": "other"}).dataMap()
	if plain["type"] != nil || !equalAny(plain["threatObjectives"]) {
		t.Errorf("unclassified: type %v objectives %v", plain["type"], plain["threatObjectives"])
	}
	got := api.get("/api/v1/risks/" + id).dataMap()
	if got["type"] != "control_deficiency" || !equalAny(got["threatObjectives"], "data_disclosure", "fraud") {
		t.Errorf("get: %v %v", got["type"], got["threatObjectives"])
	}

	bad := api.post("/api/v1/risks", map[string]any{"title": "x", "description": "d", "category": "other",
		"type": "Weather", "threatObjectives": []string{"fraud", "Espionage"}})
	fe := fieldErrors(bad)
	if bad.Status != http.StatusBadRequest || !strings.Contains(fe["type"], "received 'Weather'") ||
		!strings.Contains(fe["threatObjectives"], "received 'Espionage'") {
		t.Errorf("invalid: %d %v", bad.Status, fe)
	}
	if r := api.post("/api/v1/risks", map[string]any{"title": "x", "description": "d", "category": "other", "threatObjectives": "fraud"}); fieldErrors(r)["threatObjectives"] != "Expected array, received string" {
		t.Errorf("objectives not an array: %d %s", r.Status, r.Body)
	}

	p := api.patch("/api/v1/risks/"+id, map[string]any{"type": "third_party", "threatObjectives": []string{"Extortion"}}).dataMap()
	if p["type"] != "third_party" || !equalAny(p["threatObjectives"], "extortion") || p["title"] != "Leaky bucket" {
		t.Errorf("patch: %v", p)
	}
	p = api.patch("/api/v1/risks/"+id, map[string]any{"title": "Leaky bucket 2"}).dataMap()
	if p["type"] != "third_party" || !equalAny(p["threatObjectives"], "extortion") {
		t.Errorf("patch of another field changed the classification: %v %v", p["type"], p["threatObjectives"])
	}
	p = api.patch("/api/v1/risks/"+id, map[string]any{"type": nil, "threatObjectives": nil}).dataMap()
	if p["type"] != nil || !equalAny(p["threatObjectives"]) {
		t.Errorf("null clears: %v %v", p["type"], p["threatObjectives"])
	}
	api.patch("/api/v1/risks/"+id, map[string]any{"type": "vulnerability", "threatObjectives": []string{"sabotage", "fraud"}})
	api.post("/api/v1/risks", map[string]any{"title": "Other vuln", "description": "d", "category": "other",
		"type": "vulnerability", "threatObjectives": []string{"fraud"}})

	titles := func(path string) []string {
		r := api.get(path)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		var out []string
		for _, x := range r.dataList() {
			out = append(out, x.(map[string]any)["title"].(string))
		}
		slices.Sort(out)
		return out
	}
	for path, want := range map[string][]string{
		"/api/v1/risks?type=vulnerability":                              {"Leaky bucket 2", "Other vuln"},
		"/api/v1/risks?type=Vulnerability&threatObjective=sabotage":     {"Leaky bucket 2"},
		"/api/v1/risks?threatObjective=Fraud":                           {"Leaky bucket 2", "Other vuln"},
		"/api/v1/risks?threatObjective=extortion":                       nil,
		"/api/v1/risks?fields=type,threatObjectives&type=vulnerability": nil,
	} {
		if strings.Contains(path, "fields=") {
			r := api.get(path).dataList()
			if len(r) != 2 || r[0].(map[string]any)["type"] != "vulnerability" || r[0].(map[string]any)["title"] != nil {
				t.Errorf("%s: %v", path, r)
			}
			continue
		}
		if g := titles(path); !slices.Equal(g, want) {
			t.Errorf("%s: %v, want %v", path, g, want)
		}
	}
	for q, field := range map[string]string{"type=weather": "type", "threatObjective=spying": "threatObjective"} {
		r := api.get("/api/v1/risks?" + q)
		if r.Status != http.StatusBadRequest || fieldErrors(r)[field] == "" {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}
}

// TestAPIStatusCommaList: status=open,pending selects either status (seed
// 003's comma-separated filter); a bad value names the field; the list
// total and the export agree.
func TestAPIStatusCommaList(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	for _, st := range []string{"open", "pending", "closed", "archived"} {
		body := map[string]any{"title": "Risk " + st, "description": "d", "category": "other", "status": st}
		if st == "closed" {
			body["closureReason"] = "mitigated"
		}
		if r := api.post("/api/v1/risks", body); r.Status != http.StatusCreated {
			t.Fatalf("%s: %d %s", st, r.Status, r.Body)
		}
	}
	for q, want := range map[string]string{
		"status=open,pending":             "Risk open,Risk pending",
		"status=pending,%20archived":      "Risk archived,Risk pending",
		"status=closed,closed":            "Risk closed",
		"status=open":                     "Risk open",
		"status=open,pending,closed":      "Risk closed,Risk open,Risk pending",
		"status=open,pending&type=policy": "",
	} {
		r := api.get("/api/v1/risks?" + q)
		var got []string
		for _, x := range r.dataList() {
			got = append(got, x.(map[string]any)["title"].(string))
		}
		slices.Sort(got)
		if strings.Join(got, ",") != want || r.Header.Get("X-Pagination-Total-Entries") != strconv.Itoa(len(got)) {
			t.Errorf("%s: %v (total %s), want %s", q, got, r.Header.Get("X-Pagination-Total-Entries"), want)
		}
	}
	for _, q := range []string{"status=open,done", "status=open,", "status=,"} {
		r := api.get("/api/v1/risks?" + q)
		if r.Status != http.StatusBadRequest || !strings.HasPrefix(fieldErrors(r)["status"], "Invalid enum value") {
			t.Errorf("%s: %d %s", q, r.Status, r.Body)
		}
	}
	// The browser keeps one status: a comma is not one of them.
	if res := a.Owner.get("/risks?status=open,pending"); res.StatusCode != http.StatusBadRequest && !strings.Contains(res.Body, "Status must be one of") {
		t.Errorf("browser status=open,pending: %d", res.StatusCode)
	}
}

// TestAPIRegisters: GET /registers and /registers/{id} with the matrix as
// the pages use it, the envelope, risks:read, other organizations' ids.
func TestAPIRegisters(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Bravo", "owner@bravo.example")
	api, ro, wo, other := e.apiKey(a), e.apiKey(a, apikey.ScopeRead), e.apiKey(a, apikey.ScopeWrite), e.apiKey(b)
	e.createRisk(a, risk.Input{Title: "One", Probability: 9, Impact: 9})
	e.createRisk(a, risk.Input{Title: "Two"})

	list := ro.get("/api/v1/registers")
	if list.Status != http.StatusOK || list.JSON["success"] != true || len(list.dataList()) != 1 {
		t.Fatalf("list: %d %s", list.Status, list.Body)
	}
	reg := list.dataList()[0].(map[string]any)
	id := reg["id"].(string)
	def := risk.DefaultMatrix()
	if reg["isDefault"] != true || reg["riskCount"] != float64(2) || reg["version"] == nil {
		t.Errorf("register = %v", reg)
	}
	m := reg["matrix"].(map[string]any)
	lk := m["likelihood"].([]any)
	if len(lk) != len(def.Likelihood) {
		t.Fatalf("likelihood = %v", lk)
	}
	lo := 1
	for i, x := range lk {
		l := x.(map[string]any)
		band := l["band"].(map[string]any)
		if l["index"] != float64(i) || l["name"] != def.Likelihood[i].Name || band["min"] != float64(lo) || band["max"] != float64(def.Likelihood[i].Upper) {
			t.Errorf("likelihood %d = %v", i, l)
		}
		lo = def.Likelihood[i].Upper + 1
	}
	if im := m["impact"].([]any); len(im) != len(def.Impact) || im[4].(map[string]any)["band"].(map[string]any)["max"] != float64(10) {
		t.Errorf("impact = %v", im)
	}
	levels := m["levels"].([]any)
	for i, x := range levels {
		l := x.(map[string]any)
		if l["name"] != def.Levels[i].Name || l["color"] != def.Levels[i].Color || l["textColor"] != risk.TextColor(def.Levels[i].Color) ||
			l["outsideAppetite"] != (i > def.Tolerance) {
			t.Errorf("level %d = %v", i, l)
		}
	}
	grid := m["grid"].([]any)
	if len(grid) != 5 || grid[4].([]any)[4] != float64(def.Grid[4][4]) || grid[0].([]any)[0] != float64(def.Grid[0][0]) {
		t.Errorf("grid = %v", grid)
	}
	if tol := m["tolerance"].(map[string]any); tol["index"] != float64(def.Tolerance) || tol["name"] != def.Levels[def.Tolerance].Name {
		t.Errorf("tolerance = %v", tol)
	}
	// The level a risk shows is the grid's cell of its bands.
	r := api.get("/api/v1/risks?fields=inherentLevel").dataList()
	for _, x := range r {
		if lv, ok := x.(map[string]any)["inherentLevel"].(map[string]any); ok && lv["name"] != levels[def.Grid[4][4]].(map[string]any)["name"] {
			t.Errorf("risk level %v is not the grid's", lv)
		}
	}

	one := ro.get("/api/v1/registers/" + id)
	if one.Status != http.StatusOK || one.dataMap()["id"] != id || one.dataMap()["name"] != reg["name"] {
		t.Errorf("get: %d %s", one.Status, one.Body)
	}
	for _, c := range []struct {
		client *apiClient
		path   string
		status int
	}{
		{other, "/api/v1/registers/" + id, http.StatusNotFound},
		{api, "/api/v1/registers/reg_unknown", http.StatusNotFound},
		{api, "/api/v1/registers/" + strings.Repeat("x", 300), http.StatusNotFound},
		{&apiClient{t: t, e: e}, "/api/v1/registers", http.StatusUnauthorized},
	} {
		res := c.client.get(c.path)
		if res.Status != c.status || res.JSON["success"] != false {
			t.Errorf("%s: %d %s, want %d", c.path, res.Status, res.Body, c.status)
		}
		if c.status == http.StatusNotFound && res.JSON["error"] != "Register not found" {
			t.Errorf("%s: error %v", c.path, res.JSON["error"])
		}
	}
	// risks:read is the scope; risks:write implies it.
	if r := wo.get("/api/v1/registers/" + id); r.Status != http.StatusOK {
		t.Errorf("a risks:write key: %d", r.Status)
	}
	if l := other.get("/api/v1/registers").dataList(); len(l) != 1 || l[0].(map[string]any)["id"] == id {
		t.Errorf("the other organization sees %v", l)
	}
}

// TestRiskDeleteNotesIncidents: deleting a risk writes an entry in each
// linked incident's history; restoring it links them again, noted on
// both sides.
func TestRiskDeleteNotesIncidents(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	rk := e.createRisk(a, risk.Input{Title: "Ransomware"})
	var incs []string
	for _, title := range []string{"Outage", "Breach"} {
		id := api.post("/api/v1/incidents", map[string]any{"title": title}).dataMap()["id"].(string)
		api.post("/api/v1/incidents/"+id+"/risks/"+rk.ID, nil)
		incs = append(incs, id)
	}
	lonely := api.post("/api/v1/incidents", map[string]any{"title": "Unrelated"}).dataMap()["id"].(string)
	if r := api.do(http.MethodDelete, "/api/v1/risks/"+rk.ID, nil); r.Status != http.StatusOK {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	ctx := context.Background()
	last := func(incID string) *audit.Event {
		ev, err := e.Server.Incidents.History(ctx, a.ID, incID, 10)
		if err != nil || len(ev) == 0 {
			t.Fatalf("history: %v", err)
		}
		return ev[0]
	}
	for _, id := range incs {
		ev := last(id)
		if len(ev.Changes) != 1 || ev.Changes[0].Field != risk.FieldRiskDeleted || ev.Changes[0].Old != "RSK-00001 Ransomware" {
			t.Errorf("incident %s: last event %+v", id, ev.Changes)
		}
		if d := api.get("/api/v1/incidents/" + id).dataMap(); len(d["riskIds"].([]any)) != 0 {
			t.Errorf("incident %s still links %v", id, d["riskIds"])
		}
		page := a.Owner.get("/incidents/" + id)
		if !strings.Contains(page.Body, "Linked risk deleted") {
			t.Errorf("incident page %s does not show the deletion", id)
		}
	}
	if ev := last(lonely); ev.Action != audit.ActionCreated {
		t.Errorf("an unlinked incident got %v", ev.Changes)
	}
	// Delete one incident meanwhile: the restore links the other only.
	if r := api.do(http.MethodDelete, "/api/v1/incidents/"+incs[1], nil); r.Status != http.StatusOK {
		t.Fatalf("delete incident: %d", r.Status)
	}
	p := a.Owner.principal()
	if _, err := e.Server.Risks.Restore(ctx, a.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name}, rk.Identifier()); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if ev := last(incs[0]); len(ev.Changes) != 1 || ev.Changes[0].Field != risk.FieldRiskRestored || ev.Changes[0].New != "RSK-00001 Ransomware" {
		t.Errorf("restore entry: %+v", ev.Changes)
	}
	d := api.get("/api/v1/risks/" + rk.ID).dataMap()
	if ids := d["incidentIds"].([]any); len(ids) != 1 || ids[0] != incs[0] {
		t.Errorf("restored risk incidentIds = %v", ids)
	}
	hist, _ := e.Server.Risks.History(ctx, a.ID, rk.ID, 1)
	if len(hist) != 1 || hist[0].Action != audit.ActionRestored || len(hist[0].Changes) != 1 || !strings.HasPrefix(hist[0].Changes[0].New, "INC-00001") {
		t.Errorf("risk restore event: %+v", hist)
	}
}

// TestAPISeed002Classification: seed 002's object carries type (the
// label, "" when the risk has none) and threat_objectives from the risk's
// fields, set by the request body.
func TestAPISeed002Classification(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	api.post("/api/v1/incidents", map[string]any{"title": "Card skimming", "severity": "high"})
	res := api.post("/api/v1/incidents/INC-00001/risks", map[string]any{"type": "Third-party",
		"threatObjectives": []string{"Fraud", "data_disclosure"}})
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	d := res.dataMap()
	if d["type"] != "Third-party" {
		t.Errorf("type = %#v", d["type"])
	}
	objs, _ := d["threat_objectives"].([]any)
	if len(objs) != 2 {
		t.Fatalf("threat_objectives = %v", d["threat_objectives"])
	}
	for i, want := range []string{"Data Disclosure", "Fraud"} {
		o := objs[i].(map[string]any)
		if o["threat_objective"] != want || o["relevance"] != nil || o["created_date"] != d["updated_date"] || len(o) != 3 {
			t.Errorf("threat_objectives[%d] = %v", i, o)
		}
	}
	// The risk itself has the fields, in the risk JSON's spelling.
	r := api.get("/api/v1/risks/RSK-00001").dataMap()
	if r["type"] != "third_party" || !equalAny(r["threatObjectives"], "data_disclosure", "fraud") {
		t.Errorf("risk: %v %v", r["type"], r["threatObjectives"])
	}
	// Without a body: an empty type and no objectives.
	d = api.do(http.MethodPost, "/api/v1/incidents/1/risks", nil).dataMap()
	if d["type"] != "" || len(d["threat_objectives"].([]any)) != 0 {
		t.Errorf("unclassified: type %#v objectives %v", d["type"], d["threat_objectives"])
	}
	if r := api.post("/api/v1/incidents/1/risks", map[string]any{"type": "Espionage"}); r.Status != http.StatusBadRequest || fieldErrors(r)["type"] == "" {
		t.Errorf("bad type: %d %s", r.Status, r.Body)
	}
}

func equalAny(v any, want ...string) bool {
	l, ok := v.([]any)
	if !ok || len(l) != len(want) {
		return false
	}
	for i, w := range want {
		if l[i] != w {
			return false
		}
	}
	return true
}

// TestBulkSetType: the bulk edit sets or clears the type of every
// selected risk, in the API and in the register's bar.
func TestBulkSetType(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	r1 := e.createRisk(a, risk.Input{Title: "One", Type: "code"})
	r2 := e.createRisk(a, risk.Input{Title: "Two"})
	res := api.patch("/api/v1/risks", map[string]any{"riskIds": []string{r1.ID, r2.ID}, "changes": map[string]any{"type": "Policy"}})
	if res.Status != http.StatusOK {
		t.Fatalf("bulk: %d %s", res.Status, res.Body)
	}
	for _, id := range []string{r1.ID, r2.ID} {
		if d := api.get("/api/v1/risks/" + id).dataMap(); d["type"] != "policy" {
			t.Errorf("%s: type %v", id, d["type"])
		}
	}
	if r := api.patch("/api/v1/risks", map[string]any{"riskIds": []string{r1.ID}, "changes": map[string]any{"type": "weather"}}); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "type") {
		t.Errorf("bad type: %d %s", r.Status, r.Body)
	}
	if r := api.patch("/api/v1/risks", map[string]any{"riskIds": []string{r1.ID}, "changes": map[string]any{"type": nil}}); r.Status != http.StatusOK {
		t.Fatalf("clear: %d %s", r.Status, r.Body)
	}
	if d := api.get("/api/v1/risks/" + r1.ID).dataMap(); d["type"] != nil {
		t.Errorf("cleared type = %v", d["type"])
	}
	// The browser's bar.
	d := api.get("/api/v1/risks/" + r2.ID).dataMap()
	res2 := a.Owner.postForm("/risks/bulk", url.Values{"action": {"risk_type"}, "risk_type": {"vulnerability"},
		"risk": {r2.ID + ":" + strconv.Itoa(int(d["version"].(float64)))}})
	if res2.StatusCode >= 400 {
		t.Fatalf("bulk form: %d", res2.StatusCode)
	}
	if d := api.get("/api/v1/risks/" + r2.ID).dataMap(); d["type"] != "vulnerability" {
		t.Errorf("after the bar: type %v", d["type"])
	}
}

// TestAPIClassificationAsOf: a past view (asOf) takes the type and
// objective filters without failing; classifications are not versioned,
// so a past view has none.
func TestAPIClassificationAsOf(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	api := e.apiKey(a)
	api.post("/api/v1/risks", map[string]any{"title": "Typed", "description": "d", "category": "other", "type": "code"})
	e.Clock.Advance(48 * time.Hour)
	owner := e.login("owner@acme.example", testPassword) // the old session aged out with the clock
	day := e.Clock.Now().Add(-24 * time.Hour).Format(time.DateOnly)
	for _, q := range []string{"type=code", "threatObjective=fraud", "status=open,pending"} {
		r := api.get("/api/v1/risks?asOf=" + day + "&" + q)
		if r.Status != http.StatusOK {
			t.Errorf("asOf with %s: %d %s", q, r.Status, r.Body)
		}
	}
	if r := api.get("/api/v1/risks?asOf=" + day + "&type=code"); len(r.dataList()) != 1 {
		t.Errorf("asOf with type=code: %d risks, want the one typed then: %s", len(r.dataList()), r.Body)
	}
	if r := api.get("/api/v1/risks?asOf=" + day); r.Status != http.StatusOK || len(r.dataList()) != 1 || r.dataList()[0].(map[string]any)["type"] != "code" {
		t.Errorf("asOf: %d %s", r.Status, r.Body)
	}
	if res := owner.get("/risks?as_of=" + day + "&type=code"); res.StatusCode != http.StatusOK {
		t.Errorf("register as of with type: %d", res.StatusCode)
	}
}
