// Package incident is the domain of incidents: what happened, how bad it
// was, where its handling stands, and which register risks it revealed or
// materialised. It imports no web, database or template package.
package incident

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/risk"
)

// Incident is one incident of an organization.
type Incident struct {
	ID             string
	OrganizationID string
	Number         int64
	Title          string
	Description    string
	Severity       string
	Status         string
	OccurredOn     *time.Time // calendar dates (UTC midnight)
	DiscoveredOn   *time.Time
	ResolvedOn     *time.Time
	ReporterID     string // member id; "" when none
	Version        int
	CreatedBy      string
	UpdatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// Read-only projections filled by the store.
	Reporter    *risk.Person
	RiskIDs     []string // the linked risks' ids, by risk number
	RiskNumbers []int64  // the linked risks' numbers, in the same order
}

// Identifier returns the human identifier, e.g. INC-00007.
func (i *Incident) Identifier() string { return FormatIdentifier(i.Number) }

// IsOpen reports whether the incident is still being handled.
func (i *Incident) IsOpen() bool { return i.Status == StatusOpen || i.Status == StatusInvestigating }

// FormatIdentifier formats a per-organization number as INC-00007.
func FormatIdentifier(n int64) string { return fmt.Sprintf("INC-%05d", n) }

// ParseIdentifier reads INC-00007 (case-insensitive) or a bare positive
// number (seed 002's integer id) into 7.
func ParseIdentifier(s string) (int64, bool) {
	if len(s) > 4 && strings.EqualFold(s[:4], "INC-") {
		s = s[4:]
	}
	if s == "" || len(s) > 18 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// Statuses.
const (
	StatusOpen          = "open"
	StatusInvestigating = "investigating"
	StatusResolved      = "resolved"
	StatusClosed        = "closed"
)

// Enumerations.
var (
	Severities = risk.Enum{
		{Value: "low", Label: "Low"}, {Value: "medium", Label: "Medium"},
		{Value: "high", Label: "High"}, {Value: "critical", Label: "Critical"},
	}
	Statuses = risk.Enum{
		{Value: StatusOpen, Label: "Open"}, {Value: StatusInvestigating, Label: "Investigating"},
		{Value: StatusResolved, Label: "Resolved"}, {Value: StatusClosed, Label: "Closed"},
	}
)

// LinkedRisk is a risk linked to an incident, as lists show it.
type LinkedRisk struct {
	ID       string
	Number   int64
	Title    string
	Status   string
	LinkedAt time.Time
}

// Identifier returns the risk's RSK identifier.
func (r LinkedRisk) Identifier() string { return risk.FormatIdentifier(r.Number) }

// Ref is an incident as a risk's page lists it.
type Ref struct {
	ID         string
	Number     int64
	Title      string
	Severity   string
	Status     string
	OccurredOn *time.Time
	LinkedAt   time.Time
}

// Identifier returns the incident's INC identifier.
func (r Ref) Identifier() string { return FormatIdentifier(r.Number) }

// ListQuery selects, orders and pages incidents.
type ListQuery struct {
	Search   string // case-insensitive substring of title or description
	Status   string
	Severity string
	Open     bool   // open or investigating
	Sort     string // a key of SortKeys; "" is updated, newest first
	Desc     bool
	ThenBy   []risk.SortField
	Page     int // from 1
	PerPage  int
}

// Sort keys.
var SortKeys = []string{"identifier", "title", "severity", "status", "occurred", "discovered", "reporter", "updated", "created"}

// Page sizes and limits.
const (
	DefaultPerPage = 50
	MaxSearch      = 200
)

// Offset is the first row of the page.
func (q ListQuery) Offset() int { return (max(q.Page, 1) - 1) * q.PerPage }

// Pages is the number of pages holding total rows (at least 1).
func (q ListQuery) Pages(total int) int {
	if q.PerPage <= 0 || total == 0 {
		return 1
	}
	return (total + q.PerPage - 1) / q.PerPage
}

// Page is one page of incidents and the total matching.
type Page struct {
	Incidents []*Incident
	Total     int
}

// Dashboard is what the home page shows of incidents.
type Dashboard struct {
	Open         int          // open or investigating incidents
	OpenRecent   []*Incident  // the latest open ones
	RecentRisks  []RecentRisk // risks with an incident that occurred in the window
	WindowDays   int
	WindowCutoff time.Time
}

// RecentRisk is a risk with how many of its incidents occurred recently.
type RecentRisk struct {
	ID        string
	Number    int64
	Title     string
	Incidents int
	Latest    time.Time
}

// Identifier returns the risk's RSK identifier.
func (r RecentRisk) Identifier() string { return risk.FormatIdentifier(r.Number) }
