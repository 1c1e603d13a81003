package risk

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
)

// Sort keys of the register, in column order; "created" is API-only.
var SortKeys = []string{"identifier", "title", "category", "department", "assignee", "status", "inherent", "residual", "due", "updated", "created"}

// SortField is one ordering key.
type SortField struct {
	Key  string // one of SortKeys
	Desc bool
}

// PageSizes are the page sizes a user can choose.
var PageSizes = []int{25, 50, 100, 200}

// Defaults of a list query.
const (
	DefaultSort    = "updated"
	DefaultPerPage = 50
	MaxSearch      = 200
	// Unassigned is the AssigneeID filter value that selects risks without an assignee.
	Unassigned = "none"
)

// ListQuery selects, orders and pages risks. Zero values mean "no filter".
type ListQuery struct {
	RegisterID      string
	Status          string
	Category        string
	Department      string
	AssigneeID      string // a member id, or Unassigned
	InherentLevel   *int
	ResidualLevel   *int
	Tag             string
	Search          string
	IncludeArchived bool
	Sort            string // one of SortKeys
	Desc            bool
	ThenBy          []SortField // further ordering keys (the API's sort=a,-b)
	IDs             []string    // only these risk ids (the API's PUT /risks/filter)
	ModifiedAfter   *time.Time  // only risks updated after this instant
	// Value ranges on the 0-10 scale (a heat-map cell is one range pair).
	Probability         *Range // inherent probability
	Impact              *Range // inherent impact
	ResidualProbability *Range
	ResidualImpact      *Range
	// MinResidualLevel keeps risks whose residual level is at least this
	// index (outside appetite: the register's tolerance plus one).
	MinResidualLevel *int
	// Overdue keeps open and pending risks whose due date has passed.
	Overdue bool
	Page    int // 1-based
	PerPage int
}

// Offset returns the row offset of the page.
func (q *ListQuery) Offset() int { return (q.Page - 1) * q.PerPage }

// HasFilters reports whether anything narrows the list.
func (q *ListQuery) HasFilters() bool {
	return q.Status != "" || q.Category != "" || len(q.IDs) > 0 || q.ModifiedAfter != nil || q.Department != "" || q.AssigneeID != "" ||
		q.InherentLevel != nil || q.ResidualLevel != nil || q.Tag != "" || q.Search != "" || q.IncludeArchived ||
		q.Probability != nil || q.Impact != nil || q.ResidualProbability != nil || q.ResidualImpact != nil ||
		q.MinResidualLevel != nil || q.Overdue
}

// Range is an inclusive range of values on the 0-10 scale.
type Range struct{ Lo, Hi int }

// String returns the range as a URL value, "lo-hi".
func (r Range) String() string { return fmt.Sprintf("%d-%d", r.Lo, r.Hi) }

// RangeParams are the URL parameters of the value ranges of a list query.
var RangeParams = []string{"prob", "impact", "rprob", "rimpact"}

// Ranges returns pointers to the value ranges in RangeParams order.
func (q *ListQuery) Ranges() []**Range {
	return []**Range{&q.Probability, &q.Impact, &q.ResidualProbability, &q.ResidualImpact}
}

// parseRange reads "lo-hi" (or a single value); ok is false when malformed.
func parseRange(v string) (Range, bool) {
	lo, hi, found := strings.Cut(v, "-")
	if !found {
		hi = lo
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	if err1 != nil || err2 != nil || a < 0 || b > 10 || a > b {
		return Range{}, false
	}
	return Range{Lo: a, Hi: b}, true
}

// Params is a read-only view of request parameters (a URL query or form).
type Params interface {
	Get(key string) string
}

// ParseListQuery reads a list query from URL parameters, naming every bad
// parameter. Unknown sort keys and page sizes are errors, not ignored.
func ParseListQuery(p Params) (ListQuery, error) {
	fe := apperr.FieldErrors{}
	q := ListQuery{
		RegisterID: strings.TrimSpace(p.Get("register")),
		Status:     strings.TrimSpace(p.Get("status")),
		Category:   strings.TrimSpace(p.Get("category")),
		Department: strings.TrimSpace(p.Get("department")),
		AssigneeID: strings.TrimSpace(p.Get("assignee")),
		Tag:        strings.ToLower(strings.TrimSpace(p.Get("tag"))),
		Search:     strings.TrimSpace(p.Get("q")),
		Sort:       DefaultSort,
		Desc:       true,
		Page:       1,
		PerPage:    DefaultPerPage,
	}
	if q.Status != "" {
		checkEnum(fe, "status", q.Status, Statuses)
	}
	if q.Category != "" {
		checkEnum(fe, "category", q.Category, Categories)
	}
	if q.Department != "" {
		checkEnum(fe, "department", q.Department, Departments)
	}
	for _, f := range []struct {
		key string
		dst **int
	}{{"level", &q.InherentLevel}, {"rlevel", &q.ResidualLevel}, {"rlevel_min", &q.MinResidualLevel}} {
		if v := p.Get(f.key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 20 {
				fe.Add(f.key, "Unknown risk level")
			} else {
				*f.dst = &n
			}
		}
	}
	for i, dst := range q.Ranges() {
		if v := p.Get(RangeParams[i]); v != "" {
			if r, ok := parseRange(v); ok {
				*dst = &r
			} else {
				fe.Add(RangeParams[i], "Must be a range of values from 0 to 10, e.g. 3-4")
			}
		}
	}
	if v := p.Get("overdue"); v == "1" || v == "true" {
		q.Overdue = true
	}
	if v := p.Get("archived"); v == "1" || v == "true" || v == "on" {
		q.IncludeArchived = true
	}
	if len([]rune(q.Search)) > MaxSearch {
		fe.Add("q", fmt.Sprintf("Search must contain at most %d character(s)", MaxSearch))
	}
	for key, v := range map[string]*string{"q": &q.Search, "tag": &q.Tag, "assignee": &q.AssigneeID, "register": &q.RegisterID} {
		if strings.ContainsRune(*v, 0) {
			fe.Add(key, "Must not contain NUL bytes")
			*v = ""
		}
	}
	if v := p.Get("sort"); v != "" {
		key, desc := strings.CutPrefix(v, "-")
		if !slices.Contains(SortKeys, key) {
			fe.Add("sort", fmt.Sprintf("Unknown sort key '%s'", v))
		} else {
			q.Sort, q.Desc = key, desc
		}
	}
	if v := p.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			fe.Add("page", "Page must be a positive number")
		} else {
			q.Page = n
		}
	}
	if v := p.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || !slices.Contains(PageSizes, n) {
			fe.Add("per_page", fmt.Sprintf("Page size must be one of %v", PageSizes))
		} else {
			q.PerPage = n
		}
	}
	return q, fe.Err()
}

// SortParam returns the sort as a URL value, e.g. "-updated".
func (q *ListQuery) SortParam() string {
	if q.Desc {
		return "-" + q.Sort
	}
	return q.Sort
}

// Page is one page of a list.
type Page struct {
	Risks []*Risk
	Total int
}

// Pages returns the number of pages for total rows.
func (q *ListQuery) Pages(total int) int {
	if total == 0 {
		return 1
	}
	return (total + q.PerPage - 1) / q.PerPage
}
