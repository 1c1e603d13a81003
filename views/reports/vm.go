// Package reports renders the look-back pages: what moved since a date and
// the committee pack, the printable periodic report to a risk committee.
package reports

import (
	"net/url"
	"strconv"
	"time"

	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/report"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/heatmap"
)

// Paths.
const (
	ChangesPath   = "/changes"
	CommitteePath = "/reports/committee"
	CommitteePDF  = "/reports/committee.pdf"
)

// ChangesVM is the "Changes since" page.
type ChangesVM struct {
	Since     string // the form's value (as typed when invalid)
	Register  string // the register filter's id; "" for every register
	Registers []*risk.Register
	Changes   *report.Changes // nil when the input is invalid
	Errors    map[string][]string
	Today     time.Time
}

// Section is one kind of movement with its rows.
type Section struct {
	ID, Title, Empty string
	Moves            []report.Move
}

// Sections returns the kinds of movement in reading order.
func Sections(c *report.Changes) []Section {
	return []Section{
		{ID: "new", Title: "New risks", Empty: "No risk was added.", Moves: c.New},
		{ID: "closed", Title: "Closed", Empty: "No risk was closed.", Moves: c.Closed},
		{ID: "deleted", Title: "Deleted", Empty: "No risk was deleted.", Moves: c.Deleted},
		{ID: "up", Title: "Residual level went up", Empty: "No residual level went up.", Moves: c.Up},
		{ID: "down", Title: "Residual level went down", Empty: "No residual level went down.", Moves: c.Down},
	}
}

// RiskURL is the page of a moved risk: a deleted one answers 410 with
// its last state and the restore button.
func RiskURL(m report.Move) string { return "/risks/" + m.Identifier }

// Level returns a row's level as a badge takes it.
func Level(l report.LevelRef) (risk.Level, bool) {
	return risk.Level{Name: l.Name, Color: l.Color}, l.Name != ""
}

// ChangesURL returns the changes since a day for a register ("" for all).
func ChangesURL(since time.Time, registerID string) string {
	v := url.Values{"since": {since.Format(time.DateOnly)}}
	if registerID != "" {
		v.Set("register", registerID)
	}
	return ChangesPath + "?" + v.Encode()
}

// CommitteeVM is the committee pack page: the form and, when valid, the pack.
type CommitteeVM struct {
	From, To  string // the form's values
	Register  string
	Registers []*risk.Register
	Pack      *report.Pack
	Errors    map[string][]string
}

// PDFURL is the PDF of the same pack.
func (vm CommitteeVM) PDFURL() string {
	v := url.Values{"from": {vm.From}, "to": {vm.To}}
	if vm.Register != "" {
		v.Set("register", vm.Register)
	}
	return CommitteePDF + "?" + v.Encode()
}

// Heatmap returns the view model of one of the pack's heat maps.
func (vm CommitteeVM) Heatmap(residual bool) heatmap.VM {
	h := vm.Pack.Inherent
	if residual {
		h = vm.Pack.Residual
	}
	return heatmap.VM{Register: vm.Pack.Register, Map: h, Residual: residual, View: heatmap.ViewGrid,
		Query: risk.ListQuery{RegisterID: vm.Pack.Register.ID}}
}

// Period returns "1 Jul 2026 – 30 Sep 2026".
func Period(p report.Period) string { return date(p.From) + " – " + date(p.To) }

func date(t time.Time) string { return t.Format("2 Jan 2006") }

// Count returns n, with "of total" when the list was cut.
func Count(n, total int) string {
	if total > n {
		return strconv.Itoa(n) + " of " + strconv.Itoa(total)
	}
	return strconv.Itoa(total)
}

// DueDate returns a date or a dash.
func DueDate(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.Format(time.DateOnly)
}

// Person returns a name or "Unassigned".
func Person(p *risk.Person) string {
	if p == nil || p.Name == "" {
		return "Unassigned"
	}
	return p.Name
}

// Treatment returns a treatment's type label or a dash.
func Treatment(t *risk.Treatment) string {
	if t == nil {
		return "—"
	}
	return risk.TreatmentTypes.Label(t.Type)
}

// ResidualLevel returns r's residual level on the pack's register.
func (vm CommitteeVM) ResidualLevel(r *risk.Risk) (risk.Level, bool) {
	return vm.Pack.Register.ResidualLevel(r)
}

// Severity returns an incident severity's label.
func Severity(v string) string { return incident.Severities.Label(v) }

// IncidentStatus returns an incident status's label.
func IncidentStatus(v string) string { return incident.Statuses.Label(v) }

// Window returns "From 1 Jan 2026 to 31 Mar 2026 in Risk register".
func Window(c *report.Changes) string {
	s := "From " + date(c.Since) + " to " + date(c.Until.Add(-time.Nanosecond))
	if c.Register != nil {
		s += " in " + c.Register.Name
	}
	return s
}
