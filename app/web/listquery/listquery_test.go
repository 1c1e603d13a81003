package listquery

import (
	"net/url"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/app/risk"
)

func get(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseBrowser(t *testing.T) {
	q, fe := Parse(Browser, get(map[string]string{"status": "open", "sort": "-title", "per_page": "25", "page": "3",
		"level": "2", "q": " vuln ", "tag": "PCI", "prob": "3-4", "rimpact": "7", "rlevel_min": "2", "overdue": "1", "archived": "on"}))
	if len(fe) > 0 {
		t.Fatal(fe)
	}
	if q.Status != "open" || q.Sort != "title" || !q.Desc || q.PerPage != 25 || q.Page != 3 || *q.InherentLevel != 2 ||
		q.Search != "vuln" || q.Tag != "pci" || *q.Probability != (risk.Range{Lo: 3, Hi: 4}) ||
		*q.ResidualImpact != (risk.Range{Lo: 7, Hi: 7}) || *q.MinResidualLevel != 2 || !q.Overdue || !q.IncludeArchived {
		t.Fatalf("parsed %+v", q)
	}
	q, fe = Parse(Browser, get(nil))
	if len(fe) > 0 || q.Sort != risk.DefaultSort || !q.Desc || q.PerPage != risk.DefaultPerPage || q.Page != 1 || q.HasFilters() {
		t.Errorf("defaults %+v %v", q, fe)
	}
}

func TestParseAPI(t *testing.T) {
	q, fe := Parse(API, get(map[string]string{"search": "vpn", "assigneeId": "mem_1", "registerId": "reg_1",
		"sort": "title,-createdAt", "per_page": "1000", "includeArchived": "true", "modifiedAfter": "2026-01-15T12:00:00Z"}))
	if len(fe) > 0 {
		t.Fatal(fe)
	}
	if q.Search != "vpn" || q.AssigneeID != "mem_1" || q.RegisterID != "reg_1" || q.Sort != "title" || q.Desc ||
		len(q.ThenBy) != 1 || q.ThenBy[0] != (risk.SortField{Key: "created", Desc: true}) || q.PerPage != 1000 ||
		!q.IncludeArchived || q.ModifiedAfter == nil {
		t.Fatalf("parsed %+v", q)
	}
	if q, _ := Parse(API, get(nil)); q.PerPage != APIPerPage {
		t.Errorf("API default page size %d", q.PerPage)
	}
	// Browser-only names mean nothing to the API, and the other way round.
	if q, fe := Parse(API, get(map[string]string{"q": "x", "overdue": "1"})); len(fe) > 0 || q.HasFilters() {
		t.Errorf("browser names in the API: %+v %v", q, fe)
	}
}

// Every bad value is an error naming its parameter, and is left out of the
// query, so the query is always safe to run.
func TestParseRejectsAndDrops(t *testing.T) {
	long := strings.Repeat("x", 10_000)
	cases := []struct {
		s        Surface
		key, bad string
	}{
		{Browser, "sort", "password"}, {Browser, "per_page", "7"}, {Browser, "page", "0"}, {Browser, "page", "99999999999"},
		{Browser, "status", "done"}, {Browser, "status", "open\x00"}, {Browser, "category", "Technology"},
		{Browser, "department", "\xff\xfe"}, {Browser, "level", "x"}, {Browser, "level", "-1"}, {Browser, "level", "21"},
		{Browser, "impact", "4-3"}, {Browser, "impact", "0-11"}, {Browser, "impact", "1-"}, {Browser, "q", long},
		{Browser, "assignee", long}, {Browser, "tag", "a\x00"}, {Browser, "register", "\xc3"}, {Browser, "overdue", "maybe"},
		{API, "sort", "nope,-title"}, {API, "per_page", "1001"}, {API, "page", "-2"}, {API, "search", long},
		{API, "modifiedAfter", "0000-01-01T00:00:00Z"}, {API, "modifiedAfter", "yesterday"}, {API, "level", "2.5"},
		{API, "includeArchived", "yes"}, {API, "assigneeId", "mem\x00"},
	}
	for _, c := range cases {
		q, fe := Parse(c.s, get(map[string]string{c.key: c.bad}))
		if !fe.Has(c.key) {
			t.Errorf("%v %s=%q: errors %v, want one naming %s", c.s, c.key, c.bad, fe, c.key)
		}
		if q.HasFilters() {
			t.Errorf("%v %s=%q: the bad value stayed in the query: %+v", c.s, c.key, c.bad, q)
		}
	}
}

// Values is the inverse of Parse for the browser: links carry every filter.
func TestValuesRoundTrip(t *testing.T) {
	in := url.Values{}
	for k, v := range map[string]string{"q": "vpn", "status": "open", "category": "vendor_management", "department": "it",
		"assignee": "none", "tag": "pci", "register": "reg_1", "level": "3", "rlevel": "1", "prob": "3-4", "impact": "9-10",
		"rprob": "1-2", "rimpact": "5-6", "rlevel_min": "2", "overdue": "1", "archived": "1", "sort": "title", "per_page": "100", "page": "2"} {
		in.Set(k, v)
	}
	q, fe := Parse(Browser, in.Get)
	if len(fe) > 0 {
		t.Fatal(fe)
	}
	if got := Values(q).Encode(); got != in.Encode() {
		t.Errorf("round trip:\n got %s\nwant %s", got, in.Encode())
	}
	if got := Values(Default(Browser)).Encode(); got != "" {
		t.Errorf("defaults encode as %q, want nothing", got)
	}
}

// The API's status takes a comma-separated list (seed 003); the browser's
// takes one status. Type and threat objective take values or labels.
func TestStatusListAndClassifications(t *testing.T) {
	q, fe := Parse(API, get(map[string]string{"status": "open, pending,open", "type": "Control Deficiency", "threatObjective": "data_disclosure"}))
	if len(fe) > 0 || q.Status != "" || strings.Join(q.Statuses, ",") != "open,pending" || q.Type != "control_deficiency" ||
		q.ThreatObjective != "data_disclosure" || !q.HasFilters() {
		t.Fatalf("parsed %+v %v", q, fe)
	}
	if q, _ := Parse(API, get(map[string]string{"status": "closed,closed"})); q.Status != "closed" || q.Statuses != nil {
		t.Errorf("one distinct status: %+v", q)
	}
	if _, fe := Parse(API, get(map[string]string{"status": "open,done"})); !strings.Contains(fe["status"][0], "received 'done'") {
		t.Errorf("bad status list: %v", fe)
	}
	if _, fe := Parse(Browser, get(map[string]string{"status": "open,pending"})); len(fe["status"]) == 0 {
		t.Errorf("the browser took a status list")
	}
	q, fe = Parse(Browser, get(map[string]string{"type": "third_party", "objective": "Fraud"}))
	if len(fe) > 0 || q.Type != "third_party" || q.ThreatObjective != "fraud" {
		t.Fatalf("browser: %+v %v", q, fe)
	}
	if v := Values(q); v.Get("type") != "third_party" || v.Get("objective") != "fraud" {
		t.Errorf("values %v", v)
	}
	if w := WithoutFilters(parseRaw(API, "status=open,pending")); w.Statuses != nil {
		t.Errorf("WithoutFilters kept %v", w.Statuses)
	}
}

// parseRaw parses raw on surface s, for tests.
func parseRaw(s Surface, raw string) risk.ListQuery {
	v, _ := url.ParseQuery(raw)
	q, _ := Parse(s, v.Get)
	return q
}
