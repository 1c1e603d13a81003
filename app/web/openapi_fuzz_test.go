package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/web/openapi"
)

// TestOpenAPIFuzz reads the OpenAPI document and, for every documented
// operation, sends requests derived from its schemas against the real app:
// valid ones and ones with one thing wrong (a parameter or body field that
// breaks its schema, a malformed or non-object body, the wrong media type,
// a body over 1 MiB, headers over 16 KiB, no key, a key without the scope,
// another organization's key, an unknown id). Every response must be
// documented for its operation: the status, the headers (Link, ETag,
// Retry-After, X-Pagination-*, …) and the body, which is validated
// against the response schema. A request the document calls invalid must
// get a 4xx; no request may get a 5xx; each operation must succeed at
// least once; every Link URL must answer 200. The seed is fixed, so a run
// is repeatable.
func TestOpenAPIFuzz(t *testing.T) {
	const perOperation = 40
	start := time.Now()
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Beta", "owner@beta.example")
	f := newFuzzer(t, e)
	f.keyRW = e.apiKey(a).key
	f.keyRO = e.apiKey(a, apikey.ScopeRead).key
	f.keyOther = e.apiKey(b).key
	f.memberID = a.Owner.principal().MemberID
	f.registerID = defaultRegister(t, e, a).ID

	// Fixtures: risks of both organizations, with tasks.
	for i := range 5 {
		f.newRisk(f.keyRW, fmt.Sprintf("Fixture %d", i))
	}
	f.riskID, f.ident = f.newRisk(f.keyRW, "The fuzzed risk")
	f.taskID = f.newTask(f.riskID)
	other, _ := f.newRisk(f.keyRW, "Another risk")
	f.otherRiskTaskID = f.newTask(other)
	f.foreignRiskID, _ = f.newRisk(f.keyOther, "Beta's risk")
	// Incidents: one to fuzz (INC-00002, a number the other organization
	// does not have), one of the other organization.
	f.newIncident(f.keyRW, "Fixture incident")
	f.incidentID, f.incidentIdent = f.newIncident(f.keyRW, "The fuzzed incident")
	f.foreignIncidentID, _ = f.newIncident(f.keyOther, "Beta's incident")

	ops := f.operations()
	if len(ops) != 28 {
		t.Errorf("%d operations in the document, want 28", len(ops))
	}
	sent := 0
	for _, op := range ops {
		succeeded := 0
		for i := range perOperation {
			req := f.request(op, i%10)
			res := f.send(req)
			f.check(op, req, res)
			sent++
			if res.status < 300 {
				succeeded++
			}
		}
		if succeeded == 0 {
			t.Errorf("%s %s: no request succeeded; the generator sends nothing valid", op.method, op.path)
		}
	}
	t.Logf("%d requests, %d Link URLs followed, in %s", sent, f.linksFollowed, time.Since(start).Round(time.Millisecond))
	if sent < 300 {
		t.Errorf("only %d requests", sent)
	}
}

type fzOperation struct {
	path, method string
	ptr          string         // JSON pointer of the operation in the document
	node         map[string]any // the operation object
	params       []fzParam
	body         string // JSON pointer of the request body schema, or ""
}

type fzParam struct {
	name, in string
	required bool
	ptr      string         // JSON pointer of its schema
	schema   map[string]any // resolved
}

type fzRequest struct {
	method, path, query string
	header              http.Header
	body                []byte
	desc                string // what was varied, for failure messages
	wantStatus          int    // an exact expected status, or 0
	invalid             bool   // the document says this request is invalid: want a 4xx
}

type fzResponse struct {
	status int
	header http.Header
	body   []byte
}

type fuzzer struct {
	t        *testing.T
	e        *env
	rnd      *rand.Rand
	doc      map[string]any
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema

	keyRW, keyRO, keyOther string
	memberID, registerID   string
	riskID, ident, taskID  string
	otherRiskTaskID        string
	foreignRiskID          string
	incidentID             string
	incidentIdent          string
	foreignIncidentID      string
	etagURL                string // the resource whose ETag If-Match sends
	lastIdempotency        struct{ key, body string }
	linksFollowed          int
	linksByOp              map[string]int
}

const fzBase = "https://riskreg.local/openapi.json"

func newFuzzer(t *testing.T, e *env) *fuzzer {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(openapi.Document))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020) // OpenAPI 3.1's schema dialect
	c.AssertFormat()
	if err := c.AddResource(fzBase, doc); err != nil {
		t.Fatal(err)
	}
	return &fuzzer{t: t, e: e, rnd: rand.New(rand.NewPCG(20261202, 11)), doc: doc.(map[string]any),
		compiler: c, compiled: map[string]*jsonschema.Schema{}, linksByOp: map[string]int{}}
}

func fzEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// at returns the node at a JSON pointer ("#/a/b") of the document.
func (f *fuzzer) at(ptr string) any {
	var n any = f.doc
	for _, part := range strings.Split(strings.TrimPrefix(ptr, "#/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		switch x := n.(type) {
		case map[string]any:
			n = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i >= len(x) {
				f.t.Fatalf("no %s in the document", ptr)
			}
			n = x[i]
		default:
			f.t.Fatalf("no %s in the document", ptr)
		}
	}
	return n
}

// resolve follows $ref; it returns the object and its pointer.
func (f *fuzzer) resolve(ptr string) (map[string]any, string) {
	for range 10 {
		m, _ := f.at(ptr).(map[string]any)
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, ptr
		}
		ptr = ref
	}
	f.t.Fatalf("$ref loop at %s", ptr)
	return nil, ""
}

func (f *fuzzer) schema(ptr string) *jsonschema.Schema {
	if s, ok := f.compiled[ptr]; ok {
		return s
	}
	s, err := f.compiler.Compile(fzBase + ptr)
	if err != nil {
		f.t.Fatalf("compile %s: %v", ptr, err)
	}
	f.compiled[ptr] = s
	return s
}

// valid reports whether v (a Go value as encoding/json makes it) matches
// the schema at ptr.
func (f *fuzzer) valid(ptr string, v any) error {
	raw, _ := json.Marshal(v)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	return f.schema(ptr).Validate(inst)
}

func (f *fuzzer) operations() []fzOperation {
	paths := f.doc["paths"].(map[string]any)
	var out []fzOperation
	for _, p := range slices.Sorted(mapKeys(paths)) {
		item := paths[p].(map[string]any)
		for _, m := range slices.Sorted(mapKeys(item)) {
			if !slices.Contains([]string{"get", "put", "post", "patch", "delete"}, m) {
				continue
			}
			op := fzOperation{path: p, method: strings.ToUpper(m), ptr: "#/paths/" + fzEscape(p) + "/" + m}
			op.node = item[m].(map[string]any)
			prms, _ := op.node["parameters"].([]any)
			for i := range prms {
				pm, pptr := f.resolve(fmt.Sprintf("%s/parameters/%d", op.ptr, i))
				prm := fzParam{name: pm["name"].(string), in: pm["in"].(string), ptr: pptr + "/schema"}
				prm.required, _ = pm["required"].(bool)
				prm.schema, _ = f.resolve(prm.ptr)
				if prm.schema == nil {
					f.t.Errorf("%s %s: parameter %s has no schema", op.method, p, prm.name)
					continue
				}
				if _, typed := prm.schema["type"]; !typed && prm.in == "query" {
					f.t.Errorf("%s %s: query parameter %s has no type", op.method, p, prm.name)
				}
				op.params = append(op.params, prm)
			}
			if _, ok := op.node["requestBody"]; ok {
				_, bptr := f.resolve(op.ptr + "/requestBody")
				_, op.body = f.resolve(bptr + "/content/application~1json/schema")
			}
			out = append(out, op)
		}
	}
	return out
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// --- fixtures through the API ---

func (f *fuzzer) raw(method, path, key string, body any) fzResponse {
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, f.e.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return fzResponse{status: res.StatusCode, header: res.Header, body: b}
}

func (f *fuzzer) data(r fzResponse) map[string]any {
	var env struct {
		Data map[string]any `json:"data"`
	}
	if json.Unmarshal(r.body, &env) != nil || env.Data == nil {
		f.t.Fatalf("fixture: %d %s", r.status, r.body)
	}
	return env.Data
}

func (f *fuzzer) newRisk(key, title string) (id, ident string) {
	d := f.data(f.raw("POST", "/api/v1/risks", key, map[string]any{"title": title, "description": "Fuzz fixture",
		"category": "technology", "probability": 1 + f.rnd.IntN(10), "impact": 1 + f.rnd.IntN(10), "tags": []string{"fuzz"}}))
	return d["id"].(string), d["identifier"].(string)
}

func (f *fuzzer) newTask(riskID string) string {
	return f.data(f.raw("POST", "/api/v1/risks/"+riskID+"/tasks", f.keyRW, map[string]any{"title": "Fuzz task"}))["id"].(string)
}

func (f *fuzzer) newIncident(key, title string) (id, ident string) {
	d := f.data(f.raw("POST", "/api/v1/incidents", key, map[string]any{"title": title, "description": "Fuzz fixture",
		"severity": "high", "occurredAt": "2026-01-01"}))
	return d["id"].(string), d["identifier"].(string)
}

// bulkBody is a valid bulk edit: changes that keep the fixtures usable
// (no delete, no archive or close of the fuzzed risk), on risks that exist.
func (f *fuzzer) bulkBody() map[string]any {
	ids := []any{f.pick(f.riskID, f.ident, strings.ToLower(f.ident), 1, "2")}
	if f.rnd.IntN(2) == 0 {
		ids = append(ids, f.pick(3, "RSK-00004"))
	}
	changes := f.pick(
		map[string]any{"addTags": []any{"fuzz", "bulk"}},
		map[string]any{"removeTags": []any{"bulk"}},
		map[string]any{"assigneeId": f.memberID},
		map[string]any{"assigneeId": nil},
		map[string]any{"dueDate": "2027-03-31"},
		map[string]any{"dueDate": nil},
		map[string]any{"status": "pending"},
		map[string]any{"status": "open"},
		map[string]any{"registerId": f.registerID},
	)
	if f.rnd.IntN(6) == 0 { // delete a fresh risk
		id, _ := f.newRisk(f.keyRW, "To bulk delete")
		ids, changes = []any{id}, map[string]any{"delete": true}
	}
	return map[string]any{"riskIds": ids, "changes": changes}
}

func (f *fuzzer) currentETag() string {
	u := f.etagURL
	if u == "" {
		u = "/api/v1/risks/" + f.riskID
	}
	return f.raw("GET", u, f.keyRW, nil).header.Get("ETag")
}

// --- generating values from schemas ---

func (f *fuzzer) pick(vals ...any) any { return vals[f.rnd.IntN(len(vals))] }

func schemaTypes(s map[string]any) []string {
	switch t := s["type"].(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, v := range t {
			out = append(out, v.(string))
		}
		return out
	}
	return nil
}

func num(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		x, err := n.Float64()
		return x, err == nil
	case float64:
		return n, true
	}
	return 0, false
}

var fzWords = []string{"vpn", "patch", "supplier", "backup", "Überprüfung", "outage", "café", "risk", "audit", "東京"}

func (f *fuzzer) word(minLen, maxLen int) string {
	var b strings.Builder
	for utf8.RuneCountInString(b.String()) < minLen || b.Len() == 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fzWords[f.rnd.IntN(len(fzWords))])
	}
	s := b.String()
	if maxLen > 0 && utf8.RuneCountInString(s) > maxLen {
		s = string([]rune(s)[:maxLen])
	}
	return s
}

// gen returns a value valid for the schema at ptr; name is the property
// or parameter name, for values the schema cannot tell (ids that exist).
func (f *fuzzer) gen(ptr, name string, depth int) any {
	s, ptr := f.resolve(ptr)
	types := schemaTypes(s)
	if slices.Contains(types, "null") && f.rnd.IntN(6) == 0 {
		return nil
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		if alts, ok := s[k].([]any); ok {
			for range 5 {
				i := f.rnd.IntN(len(alts))
				sub, _ := f.resolve(fmt.Sprintf("%s/%s/%d", ptr, k, i))
				if slices.Equal(schemaTypes(sub), []string{"null"}) {
					continue
				}
				return f.gen(fmt.Sprintf("%s/%s/%d", ptr, k, i), name, depth)
			}
			return nil
		}
	}
	switch name { // values that must name something that exists
	case "assigneeId":
		return f.memberID
	case "registerId":
		return f.registerID
	case "dueDate":
		return f.pick("2027-03-31", "2026-12-31T10:00:00Z", "1900-01-01")
	case "occurredAt": // the earliest of an incident's dates
		return f.pick("2025-12-31", "2025-06-30T08:00:00Z")
	case "discoveredAt", "resolvedAt": // not before occurredAt
		return f.pick("2026-01-02", "2026-06-30T12:30:00.5+02:00")
	case "modifiedAfter":
		return f.pick("2020-01-01T00:00:00Z", "2026-06-30T12:30:00.5+02:00", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
	case "riskIds":
		ids := []any{}
		for range f.rnd.IntN(4) {
			ids = append(ids, f.pick(f.riskID, f.ident, strings.ToLower(f.ident), 1, 2, "3", "rsk_unknown", f.foreignRiskID, "RSK-09999"))
		}
		return ids
	case "sort":
		fields := []string{"identifier", "title", "category", "department", "status", "assignee", "inherentScore", "residualScore", "dueDate", "createdAt", "updatedAt"}
		n := 1 + f.rnd.IntN(2)
		out := make([]string, n)
		for i := range out {
			out[i] = f.pick("", "-").(string) + fields[f.rnd.IntN(len(fields))]
		}
		return strings.Join(out, ",")
	case "fields":
		risk, _ := f.resolve("#/components/schemas/Risk")
		names := slices.Sorted(mapKeys(risk["properties"].(map[string]any)))
		return strings.Join([]string{names[f.rnd.IntN(len(names))], names[f.rnd.IntN(len(names))]}, ",")
	case "tag":
		return "fuzz"
	case "If-Match":
		return f.pick(f.currentETag(), "*", `W/`+f.currentETag()).(string)
	case "Idempotency-Key":
		return fmt.Sprintf("fuzz-%d", f.rnd.Uint64())
	}
	if c, ok := s["const"]; ok {
		return c
	}
	if e, ok := s["enum"].([]any); ok {
		var vals []any
		for _, v := range e {
			if v != nil {
				vals = append(vals, v)
			}
		}
		return vals[f.rnd.IntN(len(vals))]
	}
	t := ""
	for _, x := range types {
		if x != "null" {
			t = x
			break
		}
	}
	switch t {
	case "object":
		out := map[string]any{}
		req, _ := s["required"].([]any)
		props, _ := s["properties"].(map[string]any)
		for _, k := range slices.Sorted(mapKeys(props)) {
			if slices.Contains(req, any(k)) || (depth < 2 && f.rnd.IntN(2) == 0) {
				out[k] = f.gen(ptr+"/properties/"+fzEscape(k), k, depth+1)
			}
		}
		return out
	case "array":
		maxItems := 3
		if m, ok := num(s["maxItems"]); ok && int(m) < maxItems {
			maxItems = int(m)
		}
		out := []any{}
		for range f.rnd.IntN(maxItems + 1) {
			out = append(out, f.gen(ptr+"/items", "", depth+1))
		}
		return out
	case "integer", "number":
		lo, hi := 0.0, 100.0
		if m, ok := num(s["minimum"]); ok {
			lo = m
		}
		if m, ok := num(s["maximum"]); ok {
			hi = m
		}
		if hi > lo+100 {
			hi = lo + 100
		}
		return int(lo) + f.rnd.IntN(int(hi-lo)+1)
	case "boolean":
		return f.rnd.IntN(2) == 0
	case "string":
		if s["format"] == "date-time" {
			return time.Date(2020+f.rnd.IntN(8), time.Month(1+f.rnd.IntN(12)), 1+f.rnd.IntN(28), f.rnd.IntN(24), 0, 0, 0, time.UTC).Format(time.RFC3339)
		}
		if s["format"] == "date" { // a past day (asOf refuses the future)
			return time.Date(2020+f.rnd.IntN(5), time.Month(1+f.rnd.IntN(12)), 1+f.rnd.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		}
		minLen, maxLen := 1, 40
		if m, ok := num(s["minLength"]); ok {
			minLen = int(m)
		}
		if m, ok := num(s["maxLength"]); ok && int(m) < maxLen {
			maxLen = int(m)
		}
		return f.word(minLen, maxLen)
	}
	return f.word(1, 20)
}

// genInvalid returns a value that breaks the schema at ptr, or false
// when it finds none (a plain string accepts anything).
func (f *fuzzer) genInvalid(ptr string) (any, bool) {
	s, ptr := f.resolve(ptr)
	cands := []any{nil, "not-a-value", 42, 1.5, -1, true, []any{1}, map[string]any{"x": 1}, "", strings.Repeat("x", 10001)}
	if m, ok := num(s["maxLength"]); ok {
		cands = append(cands, strings.Repeat("y", int(m)+1))
	}
	if m, ok := num(s["maximum"]); ok {
		cands = append(cands, int(m)+1)
	}
	if m, ok := num(s["minimum"]); ok {
		cands = append(cands, int(m)-1)
	}
	if m, ok := num(s["maxItems"]); ok {
		long := make([]any, int(m)+1)
		for i := range long {
			long[i] = "RSK-00001"
		}
		cands = append(cands, long)
	}
	if slices.Contains(schemaTypes(s), "array") {
		cands = append(cands, []any{nil}, []any{map[string]any{}}, []any{0})
	}
	if s["format"] == "date-time" {
		cands = append(cands, "yesterday", "2026-13-01T00:00:00Z")
	}
	if s["format"] == "date" {
		cands = append(cands, "yesterday", "2026-13-01")
	}
	f.rnd.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	for _, c := range cands {
		if f.valid(ptr, c) != nil {
			return c, true
		}
	}
	return nil, false
}

// queryString renders a parameter value as it goes into a URL.
func queryString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case []any, map[string]any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// paramValid reports whether a parameter's text matches its schema, read
// as the server reads it (integers and booleans from their text).
func (f *fuzzer) paramValid(p fzParam, text string) bool {
	if text == "" && p.in == "query" && !p.required {
		return true // an empty query parameter is the same as none (info.description)
	}
	var v any = text
	switch t := schemaTypes(p.schema); {
	case slices.Contains(t, "integer"):
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return false
		}
		v = n
	case slices.Contains(t, "boolean"):
		if text != "true" && text != "false" {
			return false
		}
		v = text == "true"
	}
	return f.valid(p.ptr, v) == nil
}

// --- requests ---

// request builds the variant-th kind of request for op: 0-5 valid, 6 a
// bad parameter, 7 a bad body, 8 a transport or auth fault, 9 an unknown
// or foreign path id.
func (f *fuzzer) request(op fzOperation, variant int) fzRequest {
	r := fzRequest{method: op.method, header: http.Header{}}
	r.header.Set("Authorization", "Bearer "+f.keyRW)
	write := op.method != "GET" && !(op.method == "PUT" && strings.HasSuffix(op.path, "/filter"))
	if !write {
		r.header.Set("Authorization", "Bearer "+f.pick(f.keyRW, f.keyRO).(string))
	}

	// Path parameters: valid ids; a fresh risk or task for a valid DELETE.
	riskID := f.pick(f.riskID, f.ident, strings.ToLower(f.ident)).(string)
	taskID := f.taskID
	if op.method == "DELETE" && variant != 9 {
		if strings.Contains(op.path, "{taskId}") {
			taskID = f.newTask(f.riskID)
		} else {
			riskID, _ = f.newRisk(f.keyRW, "To delete")
		}
	}
	if variant == 9 && strings.Contains(op.path, "{id}") {
		r.invalid = true
		if strings.Contains(op.path, "{taskId}") && f.rnd.IntN(2) == 0 {
			taskID = f.pick(f.otherRiskTaskID, "tsk_unknown", strings.Repeat("t", 300), "%00", "%C3%28").(string)
			r.desc = "task id " + taskID
		} else {
			riskID = f.pick(f.foreignRiskID, "rsk_unknown", "RSK-99999", "RSK-0", "RSK-", strings.Repeat("r", 300), "%00", "%FF", "risk%20name").(string)
			r.desc = "risk id " + riskID
		}
		r.wantStatus = http.StatusNotFound
	}
	f.etagURL = ""
	if strings.HasPrefix(op.path, "/incidents/{id}") {
		// {id} is an incident (id, INC identifier or number), {riskId} a risk.
		incID := f.pick(f.incidentID, f.incidentIdent, strings.TrimLeft(strings.TrimPrefix(f.incidentIdent, "INC-"), "0")).(string)
		linkRisk := f.pick(f.riskID, f.ident).(string)
		if op.method == "DELETE" && variant != 9 {
			if strings.Contains(op.path, "{riskId}") {
				linkRisk, _ = f.newRisk(f.keyRW, "To unlink")
				f.raw("POST", "/api/v1/incidents/"+f.incidentID+"/risks/"+linkRisk, f.keyRW, nil)
			} else {
				incID, _ = f.newIncident(f.keyRW, "To delete")
			}
		}
		if variant == 9 {
			if strings.Contains(op.path, "{riskId}") && f.rnd.IntN(2) == 0 {
				linkRisk = f.pick(f.foreignRiskID, "rsk_unknown", "RSK-99999", strings.Repeat("r", 300), "%00").(string)
				r.desc = "risk id " + linkRisk
			} else {
				incID = f.pick(f.foreignIncidentID, "inc_unknown", "INC-99999", "INC-0", "INC-", strings.Repeat("i", 300), "%00", "%FF", "incident%20name").(string)
				r.desc = "incident id " + incID
			}
		}
		f.etagURL = "/api/v1/incidents/" + incID
		riskID, taskID = incID, linkRisk
	}
	if strings.HasPrefix(op.path, "/registers/{id}") {
		// {id} is a register of the key's organization.
		riskID = f.registerID
		if variant == 9 {
			riskID = f.pick("reg_unknown", strings.Repeat("g", 300), "%00", "%FF", "register%20name").(string)
			r.desc = "register id " + riskID
		}
	}
	r.path = "/api/v1" + strings.NewReplacer("{id}", riskID, "{taskId}", taskID, "{riskId}", taskID).Replace(op.path)

	// Parameters.
	badParam := -1
	var queryParams []int
	for i, p := range op.params {
		if p.in == "query" || p.in == "header" {
			queryParams = append(queryParams, i)
		}
	}
	if variant == 6 && len(queryParams) > 0 {
		badParam = queryParams[f.rnd.IntN(len(queryParams))]
	}
	q := url.Values{}
	for i, p := range op.params {
		if p.in == "path" {
			continue
		}
		if i != badParam && !p.required && f.rnd.IntN(2) == 0 {
			continue
		}
		text := queryString(f.gen(p.ptr, p.name, 0))
		if i == badParam {
			text = f.pick("\x00", "\xff\xfe", strings.Repeat("z", 10<<10), "-1", "%", "a,b,,c", "").(string)
			for range 10 { // a text the schema refuses, if there is one
				if v, ok := f.genInvalid(p.ptr); ok && !f.paramValid(p, queryString(v)) {
					text = queryString(v)
					break
				}
			}
			r.desc = fmt.Sprintf("%s %s=%.60q", p.in, p.name, text)
		}
		if p.in == "header" && (strings.ContainsAny(text, "\x00\r\n") || !utf8.ValidString(text)) {
			text = "bad value"
		}
		valid := f.paramValid(p, text)
		if p.in == "header" && p.name == "If-Match" && i == badParam {
			valid = false // names no version of ours: a failed precondition
			text = f.pick(`"999999"`, `"0"`, "garbage").(string)
			r.wantStatus = http.StatusPreconditionFailed
		}
		if !valid {
			r.invalid = true
		}
		switch p.in {
		case "query":
			q.Set(p.name, text)
		case "header":
			r.header.Set(p.name, text)
		}
	}
	r.query = q.Encode()

	// Body.
	if op.body != "" {
		body := f.gen(op.body, "", 0)
		if op.method == "PATCH" && op.path == "/risks" {
			body = f.bulkBody()
		}
		if variant == 7 {
			obj, _ := body.(map[string]any)
			s, _ := f.resolve(op.body)
			props := slices.Sorted(mapKeys(s["properties"].(map[string]any)))
			req, _ := s["required"].([]any)
			if len(req) > 0 && f.rnd.IntN(3) == 0 {
				k := req[f.rnd.IntN(len(req))].(string)
				delete(obj, k)
				r.desc = "body without " + k
			} else {
				for range 10 {
					k := props[f.rnd.IntN(len(props))]
					if v, ok := f.genInvalid(op.body + "/properties/" + fzEscape(k)); ok {
						obj[k] = v
						r.desc = fmt.Sprintf("body %s=%.60v", k, v)
						break
					}
				}
			}
		}
		err := f.valid(op.body, body)
		switch {
		case variant == 7 && r.desc != "" && err == nil:
			f.t.Errorf("%s %s: %s is valid by the document", op.method, op.path, r.desc)
		case variant != 7 && err != nil:
			f.t.Errorf("%s %s: the generated body %v is invalid: %v", op.method, op.path, body, err)
		}
		r.invalid = r.invalid || err != nil
		r.body, _ = json.Marshal(body)
		r.header.Set("Content-Type", f.pick("application/json", "application/json; charset=utf-8").(string))
		if op.method == "POST" && op.path == "/risks" && r.header.Get("Idempotency-Key") != "" && !r.invalid {
			// Replay the previous request now and then, or reuse its key
			// with another body (422).
			switch f.rnd.IntN(4) {
			case 0:
				if f.lastIdempotency.key != "" {
					r.header.Set("Idempotency-Key", f.lastIdempotency.key)
					r.body = []byte(f.lastIdempotency.body)
					r.desc = "idempotent replay"
				}
			case 1:
				if f.lastIdempotency.key != "" {
					r.header.Set("Idempotency-Key", f.lastIdempotency.key)
					r.desc = "idempotency key reused with another body"
					if string(r.body) != f.lastIdempotency.body {
						r.wantStatus = http.StatusUnprocessableEntity
					}
				}
			default:
				f.lastIdempotency.key, f.lastIdempotency.body = r.header.Get("Idempotency-Key"), string(r.body)
			}
		}
	}

	// Transport and authentication faults, each alone.
	if variant == 8 {
		r = fzRequest{method: r.method, path: r.path, header: http.Header{}}
		r.header.Set("Authorization", "Bearer "+f.keyRW)
		if op.body != "" {
			r.body, _ = json.Marshal(f.gen(op.body, "", 0))
			r.header.Set("Content-Type", "application/json")
		}
		faults := []string{"no key", "wrong key", "headers over 16 KiB", "body over 1 MiB", "key in the URL"}
		if write {
			faults = append(faults, "read-only key")
		}
		if strings.Contains(op.path, "{id}") {
			faults = append(faults, "another organization's key")
		}
		if op.body != "" {
			faults = append(faults, "text/plain body", "malformed JSON", "non-object JSON", "NUL in a string")
		}
		fault := faults[f.rnd.IntN(len(faults))]
		r.desc, r.invalid = fault, true
		switch fault {
		case "no key":
			r.header.Del("Authorization")
			r.wantStatus = http.StatusUnauthorized
		case "wrong key":
			r.header.Set("Authorization", "Bearer rr_notakey")
			r.wantStatus = http.StatusUnauthorized
		case "key in the URL":
			r.query = "api_key=" + f.keyRW
			r.wantStatus = http.StatusUnauthorized
		case "read-only key":
			r.header.Set("Authorization", "Bearer "+f.keyRO)
			r.wantStatus = http.StatusForbidden
		case "another organization's key":
			r.header.Set("Authorization", "Bearer "+f.keyOther)
			r.wantStatus = http.StatusNotFound
		case "headers over 16 KiB":
			r.header.Set("X-Padding", strings.Repeat("p", 20<<10))
			r.wantStatus = http.StatusRequestHeaderFieldsTooLarge
		case "body over 1 MiB":
			r.body = []byte(`{"title":"` + strings.Repeat("b", 1<<20) + `"}`)
			r.header.Set("Content-Type", "application/json")
			r.wantStatus = http.StatusRequestEntityTooLarge
		case "text/plain body":
			r.header.Set("Content-Type", "text/plain")
			r.wantStatus = http.StatusUnsupportedMediaType
		case "malformed JSON":
			r.body = []byte(`{"title": "unterminated`)
			r.wantStatus = http.StatusBadRequest
		case "non-object JSON":
			r.body = []byte(f.pick(`[]`, `"text"`, `42`, `null`, `true`).(string))
			r.wantStatus = http.StatusBadRequest
		case "NUL in a string":
			r.body = []byte(`{"title":"nul\u0000"}`)
			r.wantStatus = http.StatusBadRequest
		}
	}
	return r
}

func (f *fuzzer) send(r fzRequest) fzResponse {
	u := f.e.URL + r.path
	if r.query != "" {
		u += "?" + r.query
	}
	var rd io.Reader
	if r.body != nil {
		rd = bytes.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, u, rd)
	if err != nil {
		f.t.Fatalf("%s %s: %v", r.method, u, err)
	}
	req.Header = r.header
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s (%s): %v", r.method, u, r.desc, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return fzResponse{status: res.StatusCode, header: res.Header, body: b}
}

// --- checking responses against the document ---

// checkedHeaders are the response headers the document must describe
// wherever the API sends them.
var checkedHeaders = []string{"Link", "ETag", "Retry-After", "Idempotent-Replayed", "Content-Disposition",
	"X-Pagination-Total-Entries", "X-Pagination-Total-Pages", "X-Pagination-Current-Page", "X-Pagination-Per-Page"}

var linkRe = regexp.MustCompile(`<([^>]*)>; rel="(first|prev|next|last)"`)

func (f *fuzzer) check(op fzOperation, r fzRequest, res fzResponse) {
	t := f.t
	t.Helper()
	what := fmt.Sprintf("%s %s?%.120s [%s] → %d", r.method, r.path, r.query, r.desc, res.status)
	if len(what) > 400 {
		what = what[:400] + "…"
	}
	body := res.body
	if len(body) > 600 {
		body = append(body[:600:600], "…"...)
	}
	if res.status >= 500 {
		t.Errorf("%s: server error %s", what, body)
		return
	}
	if r.wantStatus != 0 && res.status != r.wantStatus {
		t.Errorf("%s: want %d: %s", what, r.wantStatus, body)
	}
	if r.invalid && (res.status < 400 || res.status >= 500) {
		t.Errorf("%s: the document calls this request invalid, the API accepted it: %s", what, body)
	}
	code := strconv.Itoa(res.status)
	if _, ok := op.node["responses"].(map[string]any)[code]; !ok {
		t.Errorf("%s: status %d is not documented for %s %s: %s", what, res.status, op.method, op.path, body)
		return
	}
	resp, rptr := f.resolve(op.ptr + "/responses/" + code)

	// Headers: each one the API sends is documented, each required one is sent.
	docHeaders, _ := resp["headers"].(map[string]any)
	documented := map[string]string{}
	for name := range docHeaders {
		documented[http.CanonicalHeaderKey(name)] = name
	}
	for _, h := range checkedHeaders {
		v := res.header.Get(h)
		name, ok := documented[http.CanonicalHeaderKey(h)]
		switch {
		case v == "" && ok:
			if hd, _ := f.resolve(rptr + "/headers/" + fzEscape(name)); hd["required"] == true {
				t.Errorf("%s: documented required header %s is missing", what, name)
			}
		case v != "" && !ok:
			t.Errorf("%s: header %s: %q is not documented for %d", what, h, v, res.status)
		case v != "":
			hd, hptr := f.resolve(rptr + "/headers/" + fzEscape(name))
			var val any = v
			if slices.Contains(schemaTypes(hd["schema"].(map[string]any)), "integer") {
				n, err := strconv.Atoi(v)
				if err != nil {
					t.Errorf("%s: header %s %q is not an integer", what, h, v)
					continue
				}
				val = n
			}
			if err := f.valid(hptr+"/schema", val); err != nil {
				t.Errorf("%s: header %s %q: %v", what, h, v, err)
			}
		}
	}

	// Body: the documented media type and schema.
	content, _ := resp["content"].(map[string]any)
	mt, _, _ := mime.ParseMediaType(res.header.Get("Content-Type"))
	if _, ok := content[mt]; !ok {
		t.Errorf("%s: Content-Type %q is not documented (%v)", what, res.header.Get("Content-Type"), slices.Sorted(mapKeys(content)))
		return
	}
	sptr := rptr + "/content/" + fzEscape(mt) + "/schema"
	var inst any = string(res.body)
	if mt == "application/json" {
		var err error
		if inst, err = jsonschema.UnmarshalJSON(bytes.NewReader(res.body)); err != nil {
			t.Errorf("%s: not JSON: %s", what, body)
			return
		}
	} else if mt == "application/pdf" {
		// A binary body (format: binary): a PDF document, not text.
		if !bytes.HasPrefix(res.body, []byte("%PDF-")) {
			t.Errorf("%s: %s body is not a PDF", what, mt)
		}
		return
	} else if !utf8.Valid(res.body) {
		t.Errorf("%s: %s body is not UTF-8", what, mt)
	}
	if err := f.schema(sptr).Validate(inst); err != nil {
		t.Errorf("%s: body does not match %s: %v\n%s", what, sptr, err, body)
	}

	// An ETag names the version in the body.
	if et := res.header.Get("ETag"); et != "" && res.status < 300 {
		var env struct {
			Data struct{ Version int } `json:"data"`
		}
		if json.Unmarshal(res.body, &env) == nil && et != strconv.Quote(strconv.Itoa(env.Data.Version)) {
			t.Errorf("%s: ETag %s, body version %d", what, et, env.Data.Version)
		}
	}
	// Retry-After comes with 429 and only then.
	if (res.header.Get("Retry-After") != "") != (res.status == http.StatusTooManyRequests) {
		t.Errorf("%s: Retry-After %q with status %d", what, res.header.Get("Retry-After"), res.status)
	}
	// Link URLs are absolute under BASE_URL and answer a GET.
	if l := res.header.Get("Link"); l != "" {
		ms := linkRe.FindAllStringSubmatch(l, -1)
		if len(ms) < 2 {
			t.Errorf("%s: Link %q has no first and last", what, l)
		}
		for _, m := range ms {
			if !strings.HasPrefix(m[1], f.e.URL+"/api/v1/") {
				t.Errorf("%s: Link %s is not under BASE_URL", what, m[1])
				continue
			}
			key := op.method + op.path
			if f.linksByOp[key] >= 8 {
				continue
			}
			f.linksByOp[key]++
			f.linksFollowed++
			lr := f.raw("GET", strings.TrimPrefix(m[1], f.e.URL), strings.TrimPrefix(r.header.Get("Authorization"), "Bearer "), nil)
			if lr.status != http.StatusOK {
				t.Errorf("%s: Link rel=%s GET %s → %d %.200s", what, m[2], m[1], lr.status, lr.body)
			}
		}
	}
}
