// Package listquery is the one table of the risk list's parameters: every
// filter, sort and page parameter with its name in the browser's URLs and
// in the JSON API, its type and its limits. The register, the heat map,
// the CSV exports and the API parse requests with it, and the pages build
// their links with it, so each parameter is declared once. The domain only
// ever sees the typed risk.ListQuery.
package listquery

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// Surface is where parameters come from: the names and the wording of
// the messages differ, the rules do not.
type Surface int

// Surfaces.
const (
	Browser Surface = iota // the pages' URLs: plain messages
	API                    // the JSON API: seed 000's names, zod-style messages
)

// Limits of the parameters.
const (
	MaxLevel      = 20        // the highest risk-level index a filter accepts
	MaxPage       = 1_000_000 // the highest page number
	MaxID         = 100       // the longest id (assignee, register) or tag
	APIPerPage    = 100       // the API's default page size
	APIMaxPerPage = 1000      // the API's largest page size
)

type kind int

const (
	text       kind = iota // free text of at most max characters
	enum                   // one of a risk.Enum's values
	level                  // a risk-level index, 0 to MaxLevel
	valueRange             // "lo-hi" (or one value) on the 0-10 scale
	flag                   // "1" or "true" ("on" from a checkbox)
	instant                // an RFC 3339 timestamp, years 1900-2999
	day                    // a calendar day, YYYY-MM-DD (the past view's as_of)
)

// param is one filter. Its value lives in the ListQuery field that field
// points at; which pointer is set depends on kind.
type param struct {
	browser, api string // names on each surface; "" when not offered there
	kind         kind
	enum         risk.Enum
	max          int  // text: the longest value in characters
	lower        bool // text: compared case-insensitively (stored lower-case)
	labels       bool // enum: the labels (seed 002's "Control Deficiency") are accepted too
	multiAPI     bool // enum: the API accepts a comma-separated list (seed 003's status=a,b), kept in list
	list         func(q *risk.ListQuery) *[]string
	str          func(q *risk.ListQuery) *string
	num          func(q *risk.ListQuery) **int
	rng          func(q *risk.ListQuery) **risk.Range
	bit          func(q *risk.ListQuery) *bool
	at           func(q *risk.ListQuery) **time.Time
}

// params is the table, in the order links list them.
var params = []param{
	{browser: "q", api: "search", kind: text, max: risk.MaxSearch, str: func(q *risk.ListQuery) *string { return &q.Search }},
	{browser: "status", api: "status", kind: enum, enum: risk.Statuses, multiAPI: true, str: func(q *risk.ListQuery) *string { return &q.Status },
		list: func(q *risk.ListQuery) *[]string { return &q.Statuses }},
	{browser: "category", api: "category", kind: enum, enum: risk.Categories, str: func(q *risk.ListQuery) *string { return &q.Category }},
	{browser: "department", api: "department", kind: enum, enum: risk.Departments, str: func(q *risk.ListQuery) *string { return &q.Department }},
	{browser: "assignee", api: "assigneeId", kind: text, max: MaxID, str: func(q *risk.ListQuery) *string { return &q.AssigneeID }},
	{browser: "tag", api: "tag", kind: text, max: MaxID, lower: true, str: func(q *risk.ListQuery) *string { return &q.Tag }},
	{browser: "register", api: "registerId", kind: text, max: MaxID, str: func(q *risk.ListQuery) *string { return &q.RegisterID }},
	{browser: "level", api: "level", kind: level, num: func(q *risk.ListQuery) **int { return &q.InherentLevel }},
	{browser: "rlevel", api: "residualLevel", kind: level, num: func(q *risk.ListQuery) **int { return &q.ResidualLevel }},
	{browser: "level_min", api: "minLevel", kind: level, num: func(q *risk.ListQuery) **int { return &q.MinInherentLevel }},
	{browser: "rlevel_min", api: "minResidualLevel", kind: level, num: func(q *risk.ListQuery) **int { return &q.MinResidualLevel }},
	{browser: "prob", kind: valueRange, rng: func(q *risk.ListQuery) **risk.Range { return &q.Probability }},
	{browser: "impact", kind: valueRange, rng: func(q *risk.ListQuery) **risk.Range { return &q.Impact }},
	{browser: "rprob", kind: valueRange, rng: func(q *risk.ListQuery) **risk.Range { return &q.ResidualProbability }},
	{browser: "rimpact", kind: valueRange, rng: func(q *risk.ListQuery) **risk.Range { return &q.ResidualImpact }},
	{browser: "overdue", kind: flag, bit: func(q *risk.ListQuery) *bool { return &q.Overdue }},
	{browser: "review_overdue", api: "reviewOverdue", kind: flag, bit: func(q *risk.ListQuery) *bool { return &q.ReviewOverdue }},
	{browser: "review_due", api: "reviewDueSoon", kind: flag, bit: func(q *risk.ListQuery) *bool { return &q.ReviewDueSoon }},
	{browser: "archived", api: "includeArchived", kind: flag, bit: func(q *risk.ListQuery) *bool { return &q.IncludeArchived }},
	{api: "modifiedAfter", kind: instant, at: func(q *risk.ListQuery) **time.Time { return &q.ModifiedAfter }},
	{browser: "type", api: "type", kind: enum, enum: risk.RiskTypes, labels: true, str: func(q *risk.ListQuery) *string { return &q.Type }},
	{browser: "objective", api: "threatObjective", kind: enum, enum: risk.ThreatObjectives, labels: true, str: func(q *risk.ListQuery) *string { return &q.ThreatObjective }},
	// The register as of the end of a past day (issue 14); not a filter:
	// no chip, and clearing the filters keeps it.
	{browser: "as_of", api: "asOf", kind: day, at: func(q *risk.ListQuery) **time.Time { return &q.AsOf }},
}

// sortKey is a sort key's name on each surface and in the domain.
type sortKey struct{ browser, api, key string }

var sortKeys = []sortKey{
	{"identifier", "identifier", "identifier"}, {"title", "title", "title"}, {"category", "category", "category"},
	{"department", "department", "department"}, {"assignee", "assignee", "assignee"}, {"status", "status", "status"},
	{"inherent", "inherentScore", "inherent"}, {"residual", "residualScore", "residual"}, {"due", "dueDate", "due"},
	{"updated", "updatedAt", "updated"}, {"created", "createdAt", "created"},
}

// Paging and sorting parameters, the same name on both surfaces.
const (
	pageParam    = "page"
	perPageParam = "per_page"
	sortParam    = "sort"
)

func (p *param) name(s Surface) string {
	if s == API {
		return p.api
	}
	return p.browser
}

// Default returns the list query of a surface with no parameters.
func Default(s Surface) risk.ListQuery {
	q := risk.ListQuery{Sort: risk.DefaultSort, Desc: true, Page: 1, PerPage: risk.DefaultPerPage}
	if s == API {
		q.PerPage = APIPerPage
	}
	return q
}

// Parse reads a list query from get (a URL query) on surface s. Every bad
// parameter is a field error named as on that surface, and its value is
// left out of the query, so what is returned is always safe to run.
func Parse(s Surface, get func(key string) string) (risk.ListQuery, apperr.FieldErrors) {
	q := Default(s)
	fe := apperr.FieldErrors{}
	for i := range params {
		p := &params[i]
		key := p.name(s)
		if key == "" {
			continue
		}
		if v := get(key); v != "" {
			if msg := p.set(&q, v, s); msg != "" {
				fe.Add(key, msg)
			}
		}
	}
	if v := get(sortParam); v != "" {
		if msg := setSort(&q, v, s); msg != "" {
			fe.Add(sortParam, msg)
		}
	}
	parsePaging(s, get, fe, &q.Page, &q.PerPage)
	return q, fe
}

func pick(s Surface, browser, api string) string {
	if s == API {
		return api
	}
	return browser
}

// set stores v in q, or returns why it cannot.
func (p *param) set(q *risk.ListQuery, v string, s Surface) string {
	if strings.ContainsRune(v, 0) {
		return pick(s, "Must not contain NUL bytes", "Must not contain NUL characters")
	}
	if !utf8.ValidString(v) {
		return pick(s, "Must be valid UTF-8 text", "Invalid UTF-8")
	}
	switch p.kind {
	case text:
		v = strings.TrimSpace(v)
		if n := utf8.RuneCountInString(v); n > p.max {
			return pick(s, fmt.Sprintf("Must contain at most %d character(s)", p.max), fmt.Sprintf("String must contain at most %d character(s)", p.max))
		}
		if p.lower {
			v = strings.ToLower(v)
		}
		*p.str(q) = v
	case enum:
		if p.multiAPI && s == API && strings.Contains(v, ",") {
			return p.setList(q, v)
		}
		v = strings.TrimSpace(v)
		if p.labels {
			if w, ok := p.enum.Parse(v); ok {
				v = w
			}
		}
		if !p.enum.Has(v) {
			return pick(s, risk.PlainEnumMessage(p.browser, p.enum, v), risk.EnumMessage(p.enum, v))
		}
		*p.str(q) = v
	case level:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > MaxLevel {
			return pick(s, "Unknown risk level", "Expected a risk-level index such as 2")
		}
		*p.num(q) = &n
	case valueRange:
		r, ok := parseRange(v)
		if !ok {
			return "Must be a range of values from 0 to 10, e.g. 3-4"
		}
		*p.rng(q) = &r
	case flag:
		switch v {
		case "1", "true", "on":
			*p.bit(q) = true
		case "0", "false", "off":
		default:
			return pick(s, "Must be 1 or 0", "Expected 'true' | 'false'")
		}
	case instant:
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil || !risk.InDateRange(t) {
			return "Invalid datetime; use RFC 3339 such as 2026-01-15T12:00:00Z, in the years 1900 to 2999"
		}
		*p.at(q) = &t
	case day:
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
		if err != nil || !risk.InDateRange(t) {
			return pick(s, "Give the date as YYYY-MM-DD, for example 2026-06-30", "Invalid date; use YYYY-MM-DD such as 2026-06-30")
		}
		*p.at(q) = &t
	}
	return ""
}

// setList reads a comma-separated list of p's values (the API's
// status=open,pending): each must be a value; one distinct value is the
// single filter, several the list.
func (p *param) setList(q *risk.ListQuery, v string) string {
	var vals []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if !p.enum.Has(part) {
			return risk.EnumMessage(p.enum, part)
		}
		if !slices.Contains(vals, part) {
			vals = append(vals, part)
		}
	}
	if len(vals) == 1 {
		*p.str(q) = vals[0]
	} else {
		*p.list(q) = vals
	}
	return ""
}

// setSort reads the order: one key, "-" first for descending, in the
// browser; a comma-separated list in the API (4me's sort=a,-b).
func setSort(q *risk.ListQuery, v string, s Surface) string {
	parts := []string{v}
	if s == API {
		parts = strings.Split(v, ",")
	}
	var order []risk.SortField
	var bad []string
	for _, part := range parts {
		name, desc := strings.CutPrefix(strings.TrimSpace(part), "-")
		i := slices.IndexFunc(sortKeys, func(k sortKey) bool {
			return name != "" && (s == API && k.api == name || s == Browser && k.browser == name)
		})
		if i < 0 {
			bad = append(bad, part)
			continue
		}
		order = append(order, risk.SortField{Key: sortKeys[i].key, Desc: desc})
	}
	if len(bad) > 0 {
		return pick(s, fmt.Sprintf("Unknown sort key '%s'", bad[0]), fmt.Sprintf("Unknown sort field '%s'", strings.TrimPrefix(strings.TrimSpace(bad[0]), "-")))
	}
	q.Sort, q.Desc, q.ThenBy = order[0].Key, order[0].Desc, order[1:]
	return ""
}

// parseRange reads "lo-hi" (or a single value) on the 0-10 scale.
func parseRange(v string) (risk.Range, bool) {
	lo, hi, found := strings.Cut(v, "-")
	if !found {
		hi = lo
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || a < 0 || b > 10 || a > b {
		return risk.Range{}, false
	}
	return risk.Range{Lo: a, Hi: b}, true
}

// Values returns q as the browser's URL parameters, leaving defaults out.
func Values(q risk.ListQuery) url.Values {
	v := url.Values{}
	for i := range params {
		p := &params[i]
		if p.browser == "" {
			continue
		}
		if s := p.get(&q); s != "" {
			v.Set(p.browser, s)
		}
	}
	if s := SortValue(q); s != "-"+risk.DefaultSort {
		v.Set(sortParam, s)
	}
	if q.PerPage != risk.DefaultPerPage && q.PerPage != 0 {
		v.Set(perPageParam, strconv.Itoa(q.PerPage))
	}
	if q.Page > 1 {
		v.Set(pageParam, strconv.Itoa(q.Page))
	}
	return v
}

// get returns p's value in q as a URL value, "" when unset.
func (p *param) get(q *risk.ListQuery) string {
	switch p.kind {
	case text, enum:
		return *p.str(q)
	case level:
		if n := *p.num(q); n != nil {
			return strconv.Itoa(*n)
		}
	case valueRange:
		if r := *p.rng(q); r != nil {
			return r.String()
		}
	case flag:
		if *p.bit(q) {
			return "1"
		}
	case instant:
		if t := *p.at(q); t != nil {
			return t.UTC().Format(time.RFC3339Nano)
		}
	case day:
		if t := *p.at(q); t != nil {
			return t.UTC().Format(time.DateOnly)
		}
	}
	return ""
}

// SortValue returns the browser's sort parameter of q, e.g. "-updated".
func SortValue(q risk.ListQuery) string {
	name := q.Sort
	for _, k := range sortKeys {
		if k.key == q.Sort {
			name = k.browser
		}
	}
	if q.Desc {
		return "-" + name
	}
	return name
}

// Filter is one active filter of a query as the browser names it.
type Filter struct {
	Name    string         // the browser's parameter, e.g. "overdue"
	Value   string         // its URL value, e.g. "1"
	Without risk.ListQuery // the query without this filter, on page 1
}

// Filters lists q's active filters that the browser's URLs can carry, in
// the table's order, each with the query that drops it.
func Filters(q risk.ListQuery) []Filter {
	var out []Filter
	for i := range params {
		p := &params[i]
		if p.browser == "" || p.kind == day {
			continue
		}
		if v := p.get(&q); v != "" {
			w := q
			w.Page = 1
			p.clear(&w)
			out = append(out, Filter{Name: p.browser, Value: v, Without: w})
		}
	}
	return out
}

// Names returns the names of every filter surface s offers, in the
// table's order.
func Names(s Surface) []string {
	var out []string
	for i := range params {
		if n := params[i].name(s); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// clear unsets p in q.
func (p *param) clear(q *risk.ListQuery) {
	switch p.kind {
	case text, enum:
		*p.str(q) = ""
		if p.list != nil {
			*p.list(q) = nil
		}
	case level:
		*p.num(q) = nil
	case valueRange:
		*p.rng(q) = nil
	case flag:
		*p.bit(q) = false
	case instant, day:
		*p.at(q) = nil
	}
}

// WithoutFilters returns q with every filter cleared, keeping its sort and
// page size, on page 1.
func WithoutFilters(q risk.ListQuery) risk.ListQuery {
	for i := range params {
		if params[i].kind != day {
			params[i].clear(&q)
		}
	}
	q.IDs, q.Page = nil, 1
	return q
}

// parsePaging reads page and per_page, the same for every list: a bad
// value is a field error and leaves the default in place.
func parsePaging(s Surface, get func(string) string, fe apperr.FieldErrors, page, perPage *int) {
	if v := get(pageParam); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPage {
			fe.Add(pageParam, pick(s, "Page must be a positive number", "Expected a positive integer"))
		} else {
			*page = n
		}
	}
	if v := get(perPageParam); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case s == Browser && (err != nil || !slices.Contains(risk.PageSizes, n)):
			fe.Add(perPageParam, fmt.Sprintf("Page size must be one of %v", risk.PageSizes))
		case s == API && (err != nil || n < 1 || n > APIMaxPerPage):
			fe.Add(perPageParam, fmt.Sprintf("Expected an integer from 1 to %d", APIMaxPerPage))
		default:
			*perPage = n
		}
	}
}
