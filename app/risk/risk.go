// Package risk is the domain of the risk register: risks, their enumerations,
// validation, scoring against a register's matrix, and the service that
// changes them. It imports no web, database or template package.
package risk

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Risk is one entry of a risk register.
type Risk struct {
	ID                  string
	OrganizationID      string
	RegisterID          string
	Number              int64
	Title               string
	Description         string
	Category            string
	Department          string
	Status              string
	Probability         int
	Impact              int
	ResidualProbability int
	ResidualImpact      int
	AssigneeID          string // member id; "" when unassigned
	ClosureReason       string
	ClosedAt            *time.Time
	DueDate             *time.Time // a calendar date (UTC midnight)
	NextReviewDate      *time.Time
	LastReviewedAt      *time.Time // the latest "Mark reviewed"; nil when never reviewed
	Tags                []string
	Type                string   // one of RiskTypes, "" when not classified
	ThreatObjectives    []string // values of ThreatObjectives, in its order
	Source              string
	SourceID            string
	Version             int
	CreatedBy           string
	UpdatedBy           string
	CreatedAt           time.Time
	UpdatedAt           time.Time

	// Levels on the register's matrix, kept in step by the service so the
	// database can filter, sort and count by them; nil when not assessed.
	InherentLevel *int
	ResidualLevel *int

	// Read-only projection filled by the store.
	Assignee *Person
}

// Person is the member a risk is assigned to, as shown to users.
type Person struct {
	MemberID string
	Name     string
	Email    string
}

// Identifier returns the human identifier, e.g. RSK-00042.
func (r *Risk) Identifier() string { return FormatIdentifier(r.Number) }

// InherentScore is probability x impact (0-100).
func (r *Risk) InherentScore() int { return r.Probability * r.Impact }

// ResidualScore is residual probability x residual impact (0-100).
func (r *Risk) ResidualScore() int { return r.ResidualProbability * r.ResidualImpact }

// IsOverdue reports whether the due date has passed on day today for a risk
// that is still being worked on.
func (r *Risk) IsOverdue(today time.Time) bool {
	if r.DueDate == nil || r.Status == StatusClosed || r.Status == StatusArchived {
		return false
	}
	return r.DueDate.Before(today.Truncate(24 * time.Hour))
}

// FormatIdentifier formats a per-organization number as RSK-00042.
func FormatIdentifier(n int64) string {
	if n < 0 {
		return fmt.Sprintf("RSK-%05d", n)
	}
	// Not fmt: a register page formats a hundred and fifty, an export one
	// per row.
	s := strconv.FormatInt(n, 10)
	if len(s) < 5 {
		s = "0000"[:5-len(s)] + s
	}
	return "RSK-" + s
}

// ParseIdentifier parses RSK-00042 (case-insensitive) into 42.
func ParseIdentifier(s string) (int64, bool) {
	if len(s) < 5 || !strings.EqualFold(s[:4], "RSK-") {
		return 0, false
	}
	n, err := strconv.ParseInt(s[4:], 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// Statuses.
const (
	StatusOpen     = "open"
	StatusPending  = "pending"
	StatusClosed   = "closed"
	StatusArchived = "archived"
)

// Option is an enumeration value with its label.
type Option struct {
	Value string
	Label string
}

// Enum is an ordered set of allowed values.
type Enum []Option

// Has reports whether v is one of the values.
func (e Enum) Has(v string) bool {
	for _, o := range e {
		if o.Value == v {
			return true
		}
	}
	return false
}

// Parse returns the value v names: one of the values or one of the labels
// the UI shows, in any case and with spaces around it trimmed.
func (e Enum) Parse(v string) (string, bool) {
	v = strings.TrimSpace(v)
	for _, o := range e {
		if strings.EqualFold(o.Value, v) || strings.EqualFold(o.Label, v) {
			return o.Value, true
		}
	}
	return v, false
}

// Labels returns the labels in order.
func (e Enum) Labels() []string {
	out := make([]string, len(e))
	for i, o := range e {
		out[i] = o.Label
	}
	return out
}

// Label returns the label of v, or v itself when unknown.
func (e Enum) Label(v string) string {
	for _, o := range e {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

// Values returns the values in order.
func (e Enum) Values() []string {
	out := make([]string, len(e))
	for i, o := range e {
		out[i] = o.Value
	}
	return out
}

// Enumerations of the Comp AI contract (seed 000) and 4me (closure reasons).
var (
	Categories = Enum{
		{"customer", "Customer"}, {"governance", "Governance"}, {"operations", "Operations"},
		{"other", "Other"}, {"people", "People"}, {"regulatory", "Regulatory"},
		{"reporting", "Reporting"}, {"resilience", "Resilience"}, {"technology", "Technology"},
		{"vendor_management", "Vendor management"},
	}
	Departments = Enum{
		{"none", "None"}, {"admin", "Administration"}, {"gov", "Governance"}, {"hr", "HR"},
		{"it", "IT"}, {"itsm", "IT service management"}, {"qms", "Quality management"},
	}
	Statuses = Enum{
		{StatusOpen, "Open"}, {StatusPending, "Pending"}, {StatusClosed, "Closed"}, {StatusArchived, "Archived"},
	}
	// RiskTypes and ThreatObjectives are seed 002's classifications; the
	// labels are the seed's values.
	RiskTypes = Enum{
		{"code", "Code"}, {"configuration", "Configuration"}, {"control_deficiency", "Control Deficiency"},
		{"policy", "Policy"}, {"procedural", "Procedural"}, {"vulnerability", "Vulnerability"},
		{"third_party", "Third-party"},
	}
	ThreatObjectives = Enum{
		{"sabotage", "Sabotage"}, {"data_disclosure", "Data Disclosure"}, {"extortion", "Extortion"},
		{"customer_targeting", "Customer Targeting"}, {"resource_hijacking", "Resource Hijacking"}, {"fraud", "Fraud"},
	}
	ClosureReasons = Enum{
		{"eliminated", "Eliminated"}, {"accepted", "Accepted"}, {"mitigated", "Mitigated"},
		{"transferred", "Transferred"}, {"no_risk", "No risk"},
	}
)

// ResidualAboveInherent reports whether a residual assessment scores more
// than the inherent one it should reduce; a side not assessed (0) has no
// score to compare.
func ResidualAboveInherent(probability, impact, residualProbability, residualImpact int) bool {
	inherent, residual := probability*impact, residualProbability*residualImpact
	return inherent > 0 && residual > inherent
}

// ResidualAboveInherent reports whether r's residual score is above its
// inherent score (see the function of the same name).
func (r *Risk) ResidualAboveInherent() bool {
	return ResidualAboveInherent(r.Probability, r.Impact, r.ResidualProbability, r.ResidualImpact)
}

// OutsideAppetite reports whether r's residual level is above the
// tolerance of reg (r's register): the rule of the dashboard's count,
// which leaves archived risks out.
func (r *Risk) OutsideAppetite(reg *Register) bool {
	return reg != nil && r.ResidualLevel != nil && *r.ResidualLevel > reg.Matrix.Tolerance && r.Status != StatusArchived
}
