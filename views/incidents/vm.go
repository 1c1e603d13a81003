// Package incidents renders the incident list, form and page, the
// "Linked incidents" card of a risk and the dashboard's incidents card.
package incidents

import (
	"net/url"
	"strconv"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/web/listquery"
)

// DOM ids and paths.
const (
	Path        = "/incidents"
	ResultsID   = "incident-results"
	FiltersID   = "incident-filters"
	RiskCardID  = "risk-incidents"
	IndicatorID = "incidents-loading"
)

// IncidentPath is the incident's page.
func IncidentPath(i *incident.Incident) string { return Path + "/" + i.Identifier() }

// MemberOption is a member in a picker.
type MemberOption struct {
	ID   string
	Name string
}

// ListVM is the incident list.
type ListVM struct {
	Query    incident.ListQuery
	Page     incident.Page
	CanWrite bool
	Today    time.Time
	Errors   apperr.FieldErrors
}

func link(q incident.ListQuery) string {
	if enc := listquery.IncidentValues(q).Encode(); enc != "" {
		return Path + "?" + enc
	}
	return Path
}

// SortURL returns the URL sorting by key, toggling when sorted by it.
func (vm ListVM) SortURL(key string) string {
	q := vm.Query
	q.Page, q.ThenBy = 1, nil
	if q.Sort == key {
		q.Desc = !q.Desc
	} else {
		q.Sort = key
		q.Desc = key == "updated" || key == "created" || key == "occurred" || key == "discovered" || key == "severity"
	}
	return link(q)
}

// SortState is the aria-sort of key's header.
func (vm ListVM) SortState(key string) string {
	switch {
	case vm.Query.Sort != key:
		return "none"
	case vm.Query.Desc:
		return "descending"
	}
	return "ascending"
}

// PageURL returns the URL of page n.
func (vm ListVM) PageURL(n int) string {
	q := vm.Query
	q.Page = n
	return link(q)
}

// Pages is the number of pages.
func (vm ListVM) Pages() int { return vm.Query.Pages(vm.Page.Total) }

// HasFilters reports whether any filter or search is set.
func (vm ListVM) HasFilters() bool {
	q := vm.Query
	return q.Search != "" || q.Status != "" || q.Severity != "" || q.Open
}

// ClearURL is the list without filters.
func (vm ListVM) ClearURL() string { return Path }

// ExportURL is the CSV of the current filters, search and sort.
func (vm ListVM) ExportURL() string {
	v := listquery.IncidentValues(vm.Query)
	v.Del("page")
	v.Del("per_page")
	if enc := v.Encode(); enc != "" {
		return Path + "/export.csv?" + enc
	}
	return Path + "/export.csv"
}

// Range describes the rows shown, e.g. "1–50 of 120 incidents".
func (vm ListVM) Range() string {
	n := vm.Page.Total
	noun := "incidents"
	if n == 1 {
		noun = "incident"
	}
	if n == 0 || len(vm.Page.Incidents) == 0 {
		return strconv.Itoa(n) + " " + noun
	}
	from := vm.Query.Offset() + 1
	to := from + len(vm.Page.Incidents) - 1
	return strconv.Itoa(from) + "–" + strconv.Itoa(to) + " of " + strconv.Itoa(n) + " " + noun
}

// FormVM is the create or edit form.
type FormVM struct {
	Incident *incident.Incident // nil when creating
	Input    incident.Input
	Version  int
	Errors   apperr.FieldErrors
	Members  []MemberOption
}

// Action is the form's target URL.
func (vm FormVM) Action() string {
	if vm.Incident == nil {
		return Path
	}
	return IncidentPath(vm.Incident)
}

// CancelURL leads back without saving.
func (vm FormVM) CancelURL() string {
	if vm.Incident == nil {
		return Path
	}
	return IncidentPath(vm.Incident)
}

// Invalid is the aria-invalid value of field.
func (vm FormVM) Invalid(field string) string {
	if vm.Errors.Has(field) {
		return "true"
	}
	return "false"
}

// DetailVM is the incident's page.
type DetailVM struct {
	Incident  *incident.Incident
	Risks     []incident.LinkedRisk
	Events    []*audit.Event
	CanWrite  bool
	LinkError string // why the last "link existing risk" failed
	LinkValue string
}

// DeleteVM confirms a delete.
type DeleteVM struct{ Incident *incident.Incident }

// RiskCardVM is the "Linked incidents" card of a risk's page.
type RiskCardVM struct {
	RiskPath  string // e.g. /risks/RSK-00042
	Incidents []incident.Ref
	Choices   []*incident.Incident // incidents offered for linking
	CanWrite  bool
	Error     string
}

// DashboardVM is the dashboard's incidents card.
type DashboardVM struct {
	Dashboard *incident.Dashboard
}

// OpenURL lists the open incidents.
func OpenURL() string { return Path + "?" + url.Values{"open": {"1"}}.Encode() }

// SeverityClass maps a severity to whole Tailwind class names.
func SeverityClass(sev string) string {
	switch sev {
	case "critical":
		return "bg-red-100 text-red-900 dark:bg-red-900 dark:text-red-100"
	case "high":
		return "bg-orange-100 text-orange-900 dark:bg-orange-900 dark:text-orange-100"
	case "medium":
		return "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100"
	default:
		return "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200"
	}
}

// StatusClass maps an incident status to whole Tailwind class names.
func StatusClass(status string) string {
	switch status {
	case incident.StatusOpen:
		return "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100"
	case incident.StatusInvestigating:
		return "bg-violet-100 text-violet-900 dark:bg-violet-900 dark:text-violet-100"
	default:
		return "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100"
	}
}

// FormatDate renders an optional date, "—" when unset.
func FormatDate(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.UTC().Format("2 Jan 2006")
}

// DateValue is an optional date as an input's value.
func DateValue(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// FormatTime renders an instant in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

var fieldLabels = map[string]string{
	"title": "Title", "description": "Description", "severity": "Severity", "status": "Status",
	"occurred_at": "Occurred", "discovered_at": "Discovered", "resolved_at": "Resolved", "reporter": "Reporter",
	"linked_risk":  "Linked risk",
	"risk_deleted": "Linked risk deleted", "risk_restored": "Linked risk restored",
}

// FieldLabel returns the label of a history field.
func FieldLabel(f string) string {
	if l, ok := fieldLabels[f]; ok {
		return l
	}
	return f
}

// DisplayValue renders a history value: enum labels, "—" for empty.
func DisplayValue(field, v string) string {
	switch {
	case v == "":
		return "—"
	case field == "severity":
		return incident.Severities.Label(v)
	case field == "status":
		return incident.Statuses.Label(v)
	}
	return v
}

// ActionVerb describes an event.
func ActionVerb(action string) string {
	switch action {
	case audit.ActionCreated:
		return "recorded this incident"
	case audit.ActionDeleted:
		return "deleted this incident"
	}
	return "changed"
}
