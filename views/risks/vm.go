// Package risks renders the register, the risk forms and the detail page.
package risks

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/listquery"
	"github.com/riskreg/riskreg/views/components"
	"github.com/riskreg/riskreg/views/incidents"
)

// DOM ids of swappable regions, used by templates and handlers alike.
const (
	ResultsID       = "risk-results"
	FiltersID       = "risk-filters"
	FiltersToggleID = "risk-filters-open"
	FormID          = "risk-form"
	PreviewID       = "assessment-preview"
	AssessmentID    = "assessment-inputs"
	IndicatorID     = "register-loading"
	RegisterPath    = "/risks"
)

// MemberOption is a member in a picker.
type MemberOption struct {
	ID   string
	Name string
}

// RegisterVM is the register page.
type RegisterVM struct {
	Query     risk.ListQuery
	Page      risk.Page
	Register  *risk.Register // the default register: its levels label the filters
	Registers map[string]*risk.Register
	Members   []MemberOption
	CanWrite  bool
	Today     time.Time
	Errors    apperr.FieldErrors          // bad URL parameters, shown above the table
	Columns   []string                    // the member's columns (risk.Columns keys), in table order
	Plans     map[string]risk.PlanSummary // by risk id, when a plan column shows
	CSRF      string
	Bulk      BulkVM // the bulk action bar (writers only)
	// AsOf is the past day the register shows (read-only); nil is today.
	AsOf *time.Time
}

// TodayURL is the same register today.
func (vm *RegisterVM) TodayURL() string {
	q := vm.Query
	q.AsOf, q.Page = nil, 1
	return link(q)
}

// RiskURL is a risk's page, as of the register's day in a past view.
func (vm *RegisterVM) RiskURL(r *risk.Risk) string {
	if vm.AsOf != nil {
		return RegisterPath + "/" + r.Identifier() + "?as_of=" + vm.AsOf.Format(time.DateOnly)
	}
	return RegisterPath + "/" + r.Identifier()
}

// Shows reports whether the member shows the column key.
func (vm *RegisterVM) Shows(key string) bool { return slices.Contains(vm.Columns, key) }

// ColumnsURL is where the columns menu posts: it keeps the page's query.
func (vm *RegisterVM) ColumnsURL() string {
	if enc := Values(vm.Query).Encode(); enc != "" {
		return RegisterPath + "/columns?" + enc
	}
	return RegisterPath + "/columns"
}

// Link returns the register's URL of q.
func Link(q risk.ListQuery) string { return link(q) }

// Values returns the query as URL parameters, leaving defaults out.
func Values(q risk.ListQuery) url.Values { return listquery.Values(q) }

func link(q risk.ListQuery) string {
	if enc := Values(q).Encode(); enc != "" {
		return RegisterPath + "?" + enc
	}
	return RegisterPath
}

// SortURL returns the URL sorting by key: ascending first, toggling when
// already sorted by it (dates and scores start descending).
func (vm *RegisterVM) SortURL(key string) string {
	q := vm.Query
	q.Page = 1
	if q.Sort == key {
		q.Desc = !q.Desc
	} else {
		q.Sort = key
		q.Desc = key == "updated" || key == "inherent" || key == "residual"
	}
	return link(q)
}

// SortState returns "ascending", "descending" or "none" for aria-sort.
func (vm *RegisterVM) SortState(key string) string {
	switch {
	case vm.Query.Sort != key:
		return "none"
	case vm.Query.Desc:
		return "descending"
	default:
		return "ascending"
	}
}

// PageURL returns the URL of page n.
func (vm *RegisterVM) PageURL(n int) string {
	q := vm.Query
	q.Page = n
	return link(q)
}

// Pages is the number of pages.
func (vm *RegisterVM) Pages() int { return vm.Query.Pages(vm.Page.Total) }

// Chip is an active filter that can be removed.
type Chip struct {
	Label     string
	RemoveURL string
}

// Chips lists every active filter the URL carries (the listquery table's),
// each with a readable label and the link that removes it. A heat-map
// cell's likelihood and impact make one chip.
func (vm *RegisterVM) Chips() []Chip {
	fs := listquery.Filters(vm.Query)
	has := map[string]bool{}
	for _, f := range fs {
		has[f.Name] = true
	}
	var chips []Chip
	for _, f := range fs {
		label, without := vm.filterLabel(f.Name), f.Without
		switch {
		case f.Name == "impact" && has["prob"], f.Name == "rimpact" && has["rprob"]:
			continue // in its likelihood's chip
		case f.Name == "prob" && has["impact"]:
			label += ", " + vm.filterLabel("impact")
			without.Impact = nil
		case f.Name == "rprob" && has["rimpact"]:
			label += ", impact " + rangeName(vm.levelRegister().Matrix.Impact, *vm.Query.ResidualImpact)
			without.ResidualImpact = nil
		}
		chips = append(chips, Chip{Label: label, RemoveURL: link(without)})
	}
	return chips
}

// filterLabel is the chip text of the active filter name, e.g. "Overdue"
// or "Residual above Medium", in the labels of the register's matrix.
func (vm *RegisterVM) filterLabel(name string) string {
	q := vm.Query
	m := &vm.levelRegister().Matrix
	switch name {
	case "q":
		return fmt.Sprintf("Search: %q", q.Search)
	case "status":
		return "Status: " + risk.Statuses.Label(q.Status)
	case "category":
		return "Category: " + risk.Categories.Label(q.Category)
	case "department":
		return "Department: " + risk.Departments.Label(q.Department)
	case "type":
		return "Type: " + risk.RiskTypes.Label(q.Type)
	case "objective":
		return "Threat objective: " + risk.ThreatObjectives.Label(q.ThreatObjective)
	case "assignee":
		return "Assignee: " + vm.memberName(q.AssigneeID)
	case "tag":
		return "Tag: " + q.Tag
	case "register":
		if r, ok := vm.Registers[q.RegisterID]; ok {
			return "Register: " + r.Name
		}
		return "Register: unknown"
	case "level":
		return "Inherent " + levelName(m, *q.InherentLevel)
	case "rlevel":
		return "Residual " + levelName(m, *q.ResidualLevel)
	case "level_min":
		return "Inherent " + atOrAbove(m, *q.MinInherentLevel)
	case "rlevel_min":
		return "Residual " + atOrAbove(m, *q.MinResidualLevel)
	case "prob":
		return "Likelihood " + rangeName(m.Likelihood, *q.Probability)
	case "impact":
		return "Impact " + rangeName(m.Impact, *q.Impact)
	case "rprob":
		return "Residual likelihood " + rangeName(m.Likelihood, *q.ResidualProbability)
	case "rimpact":
		return "Residual impact " + rangeName(m.Impact, *q.ResidualImpact)
	case "overdue":
		return "Overdue"
	case "review_overdue":
		return "Review overdue"
	case "review_due":
		return "Review due in 30 days"
	case "archived":
		return "Including archived"
	}
	return name
}

// levelName names level idx of m.
func levelName(m *risk.Matrix, idx int) string {
	if idx >= 0 && idx < len(m.Levels) {
		return m.Levels[idx].Name
	}
	return "level " + strconv.Itoa(idx)
}

// atOrAbove reads a minimum level: "above Medium", as the levels below
// it are what the filter leaves out.
func atOrAbove(m *risk.Matrix, idx int) string {
	if idx > 0 && idx <= len(m.Levels) {
		return "above " + m.Levels[idx-1].Name
	}
	return levelName(m, idx) + " and above"
}

// rangeName names a 0-10 range by the scale's levels when it covers whole
// bands ("High", "Low to Moderate"), else by its values ("3–5").
func rangeName(levels []risk.ScaleLevel, r risk.Range) string {
	from, to := -1, -1
	for i := range levels {
		b := risk.BandRange(levels, i)
		if b.Lo == r.Lo {
			from = i
		}
		if b.Hi == r.Hi {
			to = i
		}
	}
	switch {
	case from < 0 || to < 0:
		if r.Lo == r.Hi {
			return strconv.Itoa(r.Lo)
		}
		return fmt.Sprintf("%d–%d", r.Lo, r.Hi)
	case from == to:
		return levels[from].Name
	default:
		return levels[from].Name + " to " + levels[to].Name
	}
}

// ClearURL keeps the sort and page size but drops every filter.
func (vm *RegisterVM) ClearURL() string { return link(listquery.WithoutFilters(vm.Query)) }

// HiddenFilters are the active filters the filter form has no control
// for (a drill-down's overdue, a heat-map cell's ranges, a tag): the form
// carries them as hidden fields, so changing another filter keeps them.
func (vm *RegisterVM) HiddenFilters() []listquery.Filter {
	var out []listquery.Filter
	for _, f := range listquery.Filters(vm.Query) {
		if !vm.hasControl(f.Name) {
			out = append(out, f)
		}
	}
	return out
}

// hasControl reports whether the filter form shows a control for name.
func (vm *RegisterVM) hasControl(name string) bool {
	switch name {
	case "q", "status", "category", "department", "assignee", "archived", "type", "objective", "review_overdue", "review_due":
		return true
	case "register":
		return len(vm.Registers) > 1
	case "level", "rlevel", "level_min", "rlevel_min":
		return vm.Register != nil
	}
	return false
}

// FilterValues is the query's filters as URL values, for the script that
// keeps the filter form in step with the results after a swap.
func (vm *RegisterVM) FilterValues() string {
	v := url.Values{}
	for _, f := range listquery.Filters(vm.Query) {
		v.Set(f.Name, f.Value)
	}
	return v.Encode()
}

// ActiveFilters is the number of active filters, for the phone's toggle.
func (vm *RegisterVM) ActiveFilters() int { return len(vm.Chips()) }

func (vm *RegisterVM) memberName(id string) string {
	if id == risk.Unassigned {
		return "Unassigned"
	}
	for _, m := range vm.Members {
		if m.ID == id {
			return m.Name
		}
	}
	return "Unknown member"
}

// levelRegister is the register whose levels label the level filters: the
// filtered register when there is one, else the default.
func (vm *RegisterVM) levelRegister() *risk.Register {
	if r, ok := vm.Registers[vm.Query.RegisterID]; ok {
		return r
	}
	if vm.Register == nil {
		return &risk.Register{Matrix: risk.DefaultMatrix()}
	}
	return vm.Register
}

// registerOf returns the register of r (falling back to the default).
func (vm *RegisterVM) registerOf(r *risk.Risk) *risk.Register {
	if reg, ok := vm.Registers[r.RegisterID]; ok {
		return reg
	}
	return vm.Register
}

// Range returns "1–50 of 213" for the current page.
func (vm *RegisterVM) Range() string {
	if vm.Page.Total == 0 {
		return "0 risks"
	}
	from := vm.Query.Offset() + 1
	to := from + len(vm.Page.Risks) - 1
	noun := "risks"
	if vm.Page.Total == 1 {
		noun = "risk"
	}
	if vm.Page.Estimated {
		// Above 10,000 matches a filtered total is the planner's estimate.
		return fmt.Sprintf("%d–%d of about %d %s", from, to, vm.Page.Total, noun)
	}
	return fmt.Sprintf("%d–%d of %d %s", from, to, vm.Page.Total, noun)
}

// FormVM is the create or edit form.
type FormVM struct {
	Risk      *risk.Risk // nil when creating
	Base      string     // the encoded risk.Base an edit started from
	Input     risk.Input
	Version   int
	Errors    apperr.FieldErrors
	Register  *risk.Register
	Registers []*risk.Register
	Members   []MemberOption
	// Incident is the INC identifier a new risk is created from (and
	// linked to on save); "" otherwise.
	Incident string
}

// Action is the form's target URL.
func (vm FormVM) Action() string {
	if vm.Incident != "" {
		return incidents.Path + "/" + vm.Incident + "/risks"
	}
	if vm.Risk == nil {
		return RegisterPath
	}
	return RegisterPath + "/" + vm.Risk.Identifier()
}

// CancelURL leads back without saving.
func (vm FormVM) CancelURL() string {
	if vm.Incident != "" {
		return incidents.Path + "/" + vm.Incident
	}
	if vm.Risk == nil {
		return RegisterPath
	}
	return RegisterPath + "/" + vm.Risk.Identifier()
}

// ErrorCount is the number of fields with errors; the question before
// closing a risk with unfinished tasks is not one.
func (vm FormVM) ErrorCount() int {
	if vm.Errors.Has(risk.ConfirmCloseField) {
		return len(vm.Errors) - 1
	}
	return len(vm.Errors)
}

// ConfirmClose is the question to answer before closing the risk, or "".
func (vm FormVM) ConfirmClose() string { return vm.Errors.First(risk.ConfirmCloseField) }

// PreviewVM is the live score and level preview.
type PreviewVM struct {
	Register            *risk.Register
	Probability         int
	Impact              int
	ResidualProbability int
	ResidualImpact      int
}

// DetailVM is the risk page.
type DetailVM struct {
	Risk     *risk.Risk
	Register *risk.Register
	Events   []*audit.Event
	CanWrite bool
	Today    time.Time
	Plan     PlanVM // the treatment and the mitigation tasks
	// Incidents is the "Linked incidents" card.
	Incidents incidents.RiskCardVM
	// Team is the review card and the comments of the timeline (issue 11).
	Team TeamVM
	// Scores is the inherent and residual score over time (issue 14).
	Scores components.StepChart
}

// ScoreChart draws a risk's score history, from its first version to end
// (now, or the day of a past view).
func ScoreChart(r *risk.Risk, points []risk.ScorePoint, end time.Time) components.StepChart {
	c := components.StepChart{ID: "score-chart", Title: r.Identifier() + ": inherent and residual score over time", To: end}
	if len(points) == 0 {
		return components.StepChart{}
	}
	c.From = points[0].From
	inh := components.StepSeries{Name: "Inherent", Dashed: true}
	res := components.StepSeries{Name: "Residual"}
	step := func(at time.Time, v int, lv *risk.Level) components.Step {
		s := components.Step{At: at, Value: v}
		if lv != nil {
			s.Color, s.Label = lv.Color, lv.Name
		}
		return s
	}
	for _, p := range points {
		if p.From.After(end) {
			break
		}
		inh.Steps = append(inh.Steps, step(p.From, p.Inherent, p.InherentLevel))
		res.Steps = append(res.Steps, step(p.From, p.Residual, p.ResidualLevel))
	}
	c.Series = []components.StepSeries{inh, res}
	last := res.Steps[len(res.Steps)-1]
	c.Summary = fmt.Sprintf("%d recorded states since %s; the residual score is now %d of 100, the inherent %d.",
		len(res.Steps), c.From.Format("2 January 2006"), last.Value, inh.Steps[len(inh.Steps)-1].Value)
	return c
}

// AppetiteText explains the Outside appetite mark, e.g. "Residual level
// High is above the register's tolerance (Medium)".
func (vm DetailVM) AppetiteText() string {
	m := &vm.Register.Matrix
	lv, _ := m.LevelOf(vm.Risk.ResidualProbability, vm.Risk.ResidualImpact)
	return "Residual level " + lv.Name + " is above the register's tolerance (" + m.LevelAt(m.Tolerance).Name + ")"
}

// Find returns the task with id, or nil.
func (vm TasksVM) Find(id string) *risk.Task {
	for _, t := range vm.Tasks {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// ConflictVM explains a stale edit: the editor's own changes, everyone
// else's since the version they started from, and a form that re-applies
// theirs onto the latest version (nil when they changed nothing).
type ConflictVM struct {
	Conflict *risk.Conflict
	Form     *FormVM
	CSRF     string
}

// Theirs is the history since the editor's version, for the timeline.
func (vm ConflictVM) Theirs() DetailVM {
	return DetailVM{Risk: vm.Conflict.Stored, Events: vm.Conflict.Theirs}
}

// DeletedVM is a deleted risk's page (410).
type DeletedVM struct {
	Deleted    *risk.Deleted
	CanRestore bool // owners and admins
	Today      time.Time
}

// History is the deleted risk's timeline as the history component shows it.
func (vm DeletedVM) History() DetailVM {
	return DetailVM{Risk: vm.Deleted.Risk, Register: vm.Deleted.Register, Events: vm.Deleted.History, Today: vm.Today}
}

// DeleteVM is the delete confirmation.
type DeleteVM struct {
	Risk *risk.Risk
}

// historyLabels names the fields the history and conflict views show
// beyond the form's (risk.FieldLabels), and the few they name shorter.
var historyLabels = map[string]string{
	"register": "Register", "inherent_level": "Inherent level", "residual_level": "Residual level",
	"next_review_date": "Next review", "risk_type": "Type", "reviewed": "Review",
	"treatment": "Treatment", "task": "Task", "task_status": "Task status", "task_description": "Task description",
	"task_due_date": "Task due date", "task_assignee": "Task assignee", "linked_incident": "Linked incident",
}

// FieldLabel returns the label of a field name in the history and
// conflict views: historyLabels, else the form's label, else the name.
func FieldLabel(field string) string {
	if l, ok := historyLabels[field]; ok {
		return l
	}
	if l, ok := risk.FieldLabels[field]; ok {
		return l
	}
	return field
}

// DisplayValue renders a stored change value: enum labels, "—" for empty.
func DisplayValue(field, v string) string {
	if v == "" {
		return "—"
	}
	switch field {
	case "category":
		return risk.Categories.Label(v)
	case "department":
		return risk.Departments.Label(v)
	case "status":
		return risk.Statuses.Label(v)
	case "closure_reason":
		return risk.ClosureReasons.Label(v)
	case "risk_type":
		return risk.RiskTypes.Label(v)
	case "threat_objectives":
		return ObjectiveLabels(strings.Split(v, ", "))
	// Dates are stored as ISO dates; they read as everywhere on the pages.
	case "due_date", "next_review_date":
		return components.DateText(v)
	case "task_due_date": // "Patch the VPN: 2026-11-15"
		if i := strings.LastIndex(v, ": "); i >= 0 {
			return v[:i+2] + components.DateText(v[i+2:])
		}
	case "task": // "Patch the VPN (open, due 2026-11-15, Ada)"
		return taskDue.ReplaceAllStringFunc(v, func(m string) string { return "due " + components.DateText(m[len("due "):]) })
	}
	return v
}

var taskDue = regexp.MustCompile(`\bdue \d{4}-\d{2}-\d{2}\b`)

// ActionVerb describes an event.
func ActionVerb(action string) string {
	switch action {
	case audit.ActionCreated:
		return "created this risk"
	case audit.ActionDeleted:
		return "deleted this risk"
	case audit.ActionRestored:
		return "restored this risk"
	default:
		return "changed"
	}
}

// FormatDate formats a calendar date.
func FormatDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return components.Date(*t)
}

// DateValue formats a date for <input type="date">.
func DateValue(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// ShortDate formats a date compactly for table cells: "23 Nov" in the
// current year, "23 Nov 2025" otherwise.
func ShortDate(t time.Time, today time.Time) string { return components.ShortDate(t, today) }

// ShortDepartment is the department's code as teams write it (HR, IT, …).
func ShortDepartment(d string) string {
	switch d {
	case "none":
		return "—"
	case "admin", "gov":
		return risk.Departments.Label(d)[:1] + d[1:]
	default:
		return strings.ToUpper(d)
	}
}

// FormatTime formats a timestamp in UTC.
func FormatTime(t time.Time) string { return components.DateTime(t) }

// ScoreText shows a 0-10 value, "—" when not assessed.
func ScoreText(v int) string {
	if v == 0 {
		return "—"
	}
	return strconv.Itoa(v)
}

// LevelIndexValue formats a level index for a filter option.
func LevelIndexValue(i int) string { return strconv.Itoa(i) }

// Selected reports whether a level filter selects idx.
func Selected(p *int, idx int) bool { return p != nil && *p == idx }

// ScaleOption is one choice of a probability or impact control.
type ScaleOption struct {
	Value   string
	Label   string
	Hint    string
	Checked bool
}

// ScaleOptions lists "Not assessed" and the scale's levels; picking a level
// keeps the current value when it lies in that level's band.
func ScaleOptions(levels []risk.ScaleLevel, current int) []ScaleOption {
	opts := []ScaleOption{{Value: "0", Label: "Not assessed", Hint: "0", Checked: current == 0}}
	for i, l := range levels {
		v := risk.BandValue(levels, i, current)
		opts = append(opts, ScaleOption{
			Value: strconv.Itoa(v), Label: l.Name, Hint: risk.BandLabel(levels, i),
			Checked: current != 0 && v == current,
		})
	}
	return opts
}

// ObjectiveLabels joins the labels of threat objectives: "Fraud, Extortion".
func ObjectiveLabels(objs []string) string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, risk.ThreatObjectives.Label(o))
	}
	return strings.Join(out, ", ")
}

// HasObjective reports whether objs holds o, for the form's checkboxes.
func HasObjective(objs []string, o string) bool { return slices.Contains(objs, o) }

// Tags joins tags for the form's text input.
func Tags(tags []string) string {
	out := ""
	for i, t := range tags {
		if i > 0 {
			out += ", "
		}
		out += t
	}
	return out
}

// invalid returns "true" when field has errors, for aria-invalid.
func (vm FormVM) invalid(field string) string {
	if vm.Errors.Has(field) {
		return "true"
	}
	return "false"
}

// ---------------------------------------------------------------------------
// Treatments and mitigation tasks (plans.templ)
// ---------------------------------------------------------------------------

// DOM ids of the plan regions of the detail page.
const (
	TreatmentID = "risk-treatment"
	TasksID     = "risk-tasks"
	HistoryID   = "risk-history"
)

// TaskRowID is the DOM id of a task's row, or of its inline edit form.
func TaskRowID(taskID string) string { return "task-" + taskID }

// PlanVM is what the detail page shows of a risk's plan.
type PlanVM struct {
	Treatment TreatmentVM
	Tasks     TasksVM
}

// TreatmentVM is the treatment card.
type TreatmentVM struct {
	RiskPath  string              // e.g. /risks/RSK-00042
	Treatment *risk.Treatment     // nil when none is set
	Input     risk.TreatmentInput // the form's values
	Errors    apperr.FieldErrors
	CanWrite  bool
	CSRF      string
}

// Action is the URL the treatment form posts to.
func (vm TreatmentVM) Action() string { return vm.RiskPath + "/treatment" }

// TasksVM is the mitigation tasks card.
type TasksVM struct {
	RiskPath   string // e.g. /risks/RSK-00042
	Tasks      []*risk.Task
	Members    []MemberOption
	New        risk.TaskInput // the add form's values
	NewErrors  apperr.FieldErrors
	EditID     string         // the task shown as its inline form; "" for none
	Edit       risk.TaskInput // the inline form's values
	EditErrors apperr.FieldErrors
	CanWrite   bool
	CSRF       string
	Today      time.Time
}

// AddAction is the URL the add form posts to.
func (vm TasksVM) AddAction() string { return vm.RiskPath + "/tasks" }

// TaskPath is the URL of a task; its actions hang below it.
func (vm TasksVM) TaskPath(t *risk.Task) string { return vm.RiskPath + "/tasks/" + t.ID }

// Summary counts the tasks, e.g. "1 of 3 completed · 1 overdue".
func (vm TasksVM) Summary() string {
	done, overdue := 0, 0
	for _, t := range vm.Tasks {
		if t.Status == risk.TaskCompleted {
			done++
		}
		if t.IsOverdue(vm.Today) {
			overdue++
		}
	}
	s := fmt.Sprintf("%d of %d completed", done, len(vm.Tasks))
	if overdue > 0 {
		s += fmt.Sprintf(" · %d overdue", overdue)
	}
	return s
}

// TaskStatusClass maps a task status to whole Tailwind class names.
func TaskStatusClass(status string) string {
	switch status {
	case risk.TaskCompleted:
		return "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100"
	case risk.TaskInProgress:
		return "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100"
	default:
		return "bg-sky-100 text-sky-900 dark:bg-sky-900 dark:text-sky-100"
	}
}

// TreatmentClass maps a treatment type to whole Tailwind class names.
func TreatmentClass(typ string) string {
	switch typ {
	case "mitigate":
		return "bg-indigo-100 text-indigo-900 dark:bg-indigo-900 dark:text-indigo-100"
	case "transfer":
		return "bg-violet-100 text-violet-900 dark:bg-violet-900 dark:text-violet-100"
	case "avoid":
		return "bg-amber-100 text-amber-900 dark:bg-amber-900 dark:text-amber-100"
	default:
		return "bg-slate-200 text-slate-800 dark:bg-slate-700 dark:text-slate-100"
	}
}

// taskTitleClass strikes through the titles of completed tasks.
func taskTitleClass(status string) string {
	if status == risk.TaskCompleted {
		return "font-medium text-slate-500 line-through decoration-slate-400 dark:text-slate-400"
	}
	return "font-medium"
}

// ariaInvalid returns "true" when field has errors, for aria-invalid.
func ariaInvalid(fe apperr.FieldErrors, field string) string {
	if fe.Has(field) {
		return "true"
	}
	return "false"
}
