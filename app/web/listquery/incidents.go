package listquery

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
)

// incidentSortKeys are the incident list's sort keys on each surface.
var incidentSortKeys = []sortKey{
	{"identifier", "identifier", "identifier"}, {"title", "title", "title"}, {"severity", "severity", "severity"},
	{"status", "status", "status"}, {"occurred", "occurredAt", "occurred"}, {"discovered", "discoveredAt", "discovered"},
	{"reporter", "reporter", "reporter"}, {"updated", "updatedAt", "updated"}, {"created", "createdAt", "created"},
}

// DefaultIncidents returns the incident list query of a surface with no
// parameters: the latest update first.
func DefaultIncidents(s Surface) incident.ListQuery {
	q := incident.ListQuery{Sort: "updated", Desc: true, Page: 1, PerPage: incident.DefaultPerPage}
	if s == API {
		q.PerPage = APIPerPage
	}
	return q
}

// ParseIncidents reads the incident list's parameters on surface s: the
// search (q in the browser, search in the API), status, severity, open,
// sort, page and per_page, with the same rules and messages as the risk
// list's. A bad parameter is a field error and is left out of the query.
func ParseIncidents(s Surface, get func(key string) string) (incident.ListQuery, apperr.FieldErrors) {
	q := DefaultIncidents(s)
	fe := apperr.FieldErrors{}
	check := func(key string) (string, bool) {
		v := get(key)
		switch {
		case v == "":
			return "", false
		case strings.ContainsRune(v, 0):
			fe.Add(key, pick(s, "Must not contain NUL bytes", "Must not contain NUL characters"))
		case !utf8.ValidString(v):
			fe.Add(key, pick(s, "Must be valid UTF-8 text", "Invalid UTF-8"))
		default:
			return strings.TrimSpace(v), true
		}
		return "", false
	}
	if v, ok := check(pick(s, "q", "search")); ok {
		if utf8.RuneCountInString(v) > incident.MaxSearch {
			fe.Add(pick(s, "q", "search"), pick(s, fmt.Sprintf("Must contain at most %d character(s)", incident.MaxSearch),
				fmt.Sprintf("String must contain at most %d character(s)", incident.MaxSearch)))
		} else {
			q.Search = v
		}
	}
	for _, e := range []struct {
		key  string
		enum risk.Enum
		dst  *string
	}{{"status", incident.Statuses, &q.Status}, {"severity", incident.Severities, &q.Severity}} {
		if v, ok := check(e.key); ok {
			if !e.enum.Has(v) {
				fe.Add(e.key, risk.EnumMessage(e.enum, v))
			} else {
				*e.dst = v
			}
		}
	}
	if v, ok := check("open"); ok {
		switch v {
		case "1", "true", "on":
			q.Open = true
		case "0", "false", "off":
		default:
			fe.Add("open", pick(s, "Must be 1 or 0", "Expected 'true' | 'false'"))
		}
	}
	if v, ok := check(sortParam); ok {
		if msg := setIncidentSort(&q, v, s); msg != "" {
			fe.Add(sortParam, msg)
		}
	}
	parsePaging(s, get, fe, &q.Page, &q.PerPage)
	return q, fe
}

func setIncidentSort(q *incident.ListQuery, v string, s Surface) string {
	parts := []string{v}
	if s == API {
		parts = strings.Split(v, ",")
	}
	var order []risk.SortField
	for _, part := range parts {
		name, desc := strings.CutPrefix(strings.TrimSpace(part), "-")
		i := slices.IndexFunc(incidentSortKeys, func(k sortKey) bool {
			return name != "" && (s == API && k.api == name || s == Browser && k.browser == name)
		})
		if i < 0 {
			return pick(s, fmt.Sprintf("Unknown sort key '%s'", part), fmt.Sprintf("Unknown sort field '%s'", name))
		}
		order = append(order, risk.SortField{Key: incidentSortKeys[i].key, Desc: desc})
	}
	q.Sort, q.Desc, q.ThenBy = order[0].Key, order[0].Desc, order[1:]
	return ""
}

// IncidentValues returns q as the browser's URL parameters, leaving
// defaults out.
func IncidentValues(q incident.ListQuery) url.Values {
	v := url.Values{}
	if q.Search != "" {
		v.Set("q", q.Search)
	}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	if q.Severity != "" {
		v.Set("severity", q.Severity)
	}
	if q.Open {
		v.Set("open", "1")
	}
	if s := IncidentSortValue(q); s != "-updated" {
		v.Set(sortParam, s)
	}
	if q.PerPage != incident.DefaultPerPage && q.PerPage != 0 {
		v.Set(perPageParam, strconv.Itoa(q.PerPage))
	}
	if q.Page > 1 {
		v.Set(pageParam, strconv.Itoa(q.Page))
	}
	return v
}

// IncidentSortValue returns the browser's sort parameter of q, e.g. "-updated".
func IncidentSortValue(q incident.ListQuery) string {
	if q.Desc {
		return "-" + q.Sort
	}
	return q.Sort
}
