package risk

import (
	"fmt"
	"time"
)

// SortField is one ordering key.
type SortField struct {
	Key  string // a sort key, as ListQuery.Sort
	Desc bool
}

// PageSizes are the page sizes a user can choose.
var PageSizes = []int{25, 50, 100, 200}

// Defaults and limits of a list query.
const (
	DefaultSort    = "updated"
	DefaultPerPage = 50
	MaxSearch      = 200 // the longest search text
	// Unassigned is the AssigneeID filter value that selects risks without an assignee.
	Unassigned = "none"
)

// ListQuery selects, orders and pages risks. Zero values mean "no filter".
type ListQuery struct {
	RegisterID      string
	Status          string
	Statuses        []string // any of these statuses (the API's status=open,pending); Status is the single one
	Type            string   // a RiskTypes value
	ThreatObjective string   // risks with this ThreatObjectives value among theirs
	Category        string
	Department      string
	AssigneeID      string // a member id, or Unassigned
	InherentLevel   *int
	ResidualLevel   *int
	Tag             string
	Search          string
	IncludeArchived bool
	Sort            string // a sort key: identifier, title, category, department, assignee, status, inherent, residual, due, updated or created
	Desc            bool
	ThenBy          []SortField // further ordering keys (the API's sort=a,-b)
	IDs             []string    // only these risk ids or RSK identifiers (the API's PUT /risks/filter)
	ModifiedAfter   *time.Time  // only risks updated after this instant
	// Value ranges on the 0-10 scale (a heat-map cell is one range pair).
	Probability         *Range // inherent probability
	Impact              *Range // inherent impact
	ResidualProbability *Range
	ResidualImpact      *Range
	// MinInherentLevel and MinResidualLevel keep risks whose level is at
	// least this index ("High and above"; outside appetite is the residual
	// level above the register's tolerance).
	MinInherentLevel *int
	MinResidualLevel *int
	// Overdue keeps open and pending risks whose due date has passed.
	Overdue bool
	// ReviewOverdue keeps open and pending risks whose next review date has
	// passed; ReviewDueSoon those due for review from today to
	// ReviewDueSoonDays days ahead.
	ReviewOverdue bool
	ReviewDueSoon bool
	// Today is the day "overdue" is judged on. The service sets it from its
	// clock (so tests can let time pass); callers leave it zero.
	Today time.Time
	// AsOf reads the risks as they were at the end of this day (UTC) from
	// the recorded history instead of today's (issue 14); nil is today.
	AsOf    *time.Time
	Page    int // 1-based
	PerPage int
}

// Offset returns the row offset of the page.
func (q *ListQuery) Offset() int { return (q.Page - 1) * q.PerPage }

// HasFilters reports whether anything narrows the list.
func (q *ListQuery) HasFilters() bool {
	return q.Status != "" || len(q.Statuses) > 0 || q.Type != "" || q.ThreatObjective != "" || q.Category != "" || len(q.IDs) > 0 || q.ModifiedAfter != nil || q.Department != "" || q.AssigneeID != "" ||
		q.InherentLevel != nil || q.ResidualLevel != nil || q.Tag != "" || q.Search != "" || q.IncludeArchived ||
		q.Probability != nil || q.Impact != nil || q.ResidualProbability != nil || q.ResidualImpact != nil ||
		q.MinInherentLevel != nil || q.MinResidualLevel != nil || q.Overdue || q.ReviewOverdue || q.ReviewDueSoon
}

// Range is an inclusive range of values on the 0-10 scale.
type Range struct{ Lo, Hi int }

// String returns the range as a URL value, "lo-hi".
func (r Range) String() string { return fmt.Sprintf("%d-%d", r.Lo, r.Hi) }

// Page is one page of a list.
type Page struct {
	Risks []*Risk
	Total int
	// Estimated is true when Total is the planner's estimate: a filter the
	// maintained counts cannot answer matched more than the exact-count
	// limit (10,000). The register shows "about", the API sends
	// X-Pagination-Total-Estimated: true.
	Estimated bool
}

// Pages returns the number of pages for total rows.
func (q *ListQuery) Pages(total int) int {
	if total == 0 {
		return 1
	}
	return (total + q.PerPage - 1) / q.PerPage
}
