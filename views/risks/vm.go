// Package risks renders the register, the risk forms and the detail page.
package risks

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/web/listquery"
)

// DOM ids of swappable regions, used by templates and handlers alike.
const (
	ResultsID    = "risk-results"
	FiltersID    = "risk-filters"
	FormID       = "risk-form"
	PreviewID    = "assessment-preview"
	AssessmentID = "assessment-inputs"
	IndicatorID  = "register-loading"
	RegisterPath = "/risks"
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
	Errors    apperr.FieldErrors // bad URL parameters, shown above the table
}

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
func (vm RegisterVM) SortURL(key string) string {
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
func (vm RegisterVM) SortState(key string) string {
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
func (vm RegisterVM) PageURL(n int) string {
	q := vm.Query
	q.Page = n
	return link(q)
}

// Pages is the number of pages.
func (vm RegisterVM) Pages() int { return vm.Query.Pages(vm.Page.Total) }

// Chip is an active filter that can be removed.
type Chip struct {
	Label     string
	RemoveURL string
}

// Chips lists the active filters.
func (vm RegisterVM) Chips() []Chip {
	var chips []Chip
	add := func(label string, clear func(q *risk.ListQuery)) {
		q := vm.Query
		q.Page = 1
		clear(&q)
		chips = append(chips, Chip{Label: label, RemoveURL: link(q)})
	}
	q := vm.Query
	if q.Search != "" {
		add(fmt.Sprintf("Search: %q", q.Search), func(q *risk.ListQuery) { q.Search = "" })
	}
	if q.Status != "" {
		add("Status: "+risk.Statuses.Label(q.Status), func(q *risk.ListQuery) { q.Status = "" })
	}
	if q.Category != "" {
		add("Category: "+risk.Categories.Label(q.Category), func(q *risk.ListQuery) { q.Category = "" })
	}
	if q.Department != "" {
		add("Department: "+risk.Departments.Label(q.Department), func(q *risk.ListQuery) { q.Department = "" })
	}
	if q.AssigneeID != "" {
		add("Assignee: "+vm.memberName(q.AssigneeID), func(q *risk.ListQuery) { q.AssigneeID = "" })
	}
	if q.InherentLevel != nil {
		add("Inherent: "+vm.levelName(*q.InherentLevel), func(q *risk.ListQuery) { q.InherentLevel = nil })
	}
	if q.ResidualLevel != nil {
		add("Residual: "+vm.levelName(*q.ResidualLevel), func(q *risk.ListQuery) { q.ResidualLevel = nil })
	}
	if q.Tag != "" {
		add("Tag: "+q.Tag, func(q *risk.ListQuery) { q.Tag = "" })
	}
	if q.IncludeArchived {
		add("Including archived", func(q *risk.ListQuery) { q.IncludeArchived = false })
	}
	return chips
}

// ClearURL keeps the sort and page size but drops every filter.
func (vm RegisterVM) ClearURL() string {
	return link(risk.ListQuery{Sort: vm.Query.Sort, Desc: vm.Query.Desc, PerPage: vm.Query.PerPage, Page: 1})
}

func (vm RegisterVM) memberName(id string) string {
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

func (vm RegisterVM) levelName(idx int) string {
	if vm.Register != nil && idx >= 0 && idx < len(vm.Register.Matrix.Levels) {
		return vm.Register.Matrix.Levels[idx].Name
	}
	return "Unknown level"
}

// registerOf returns the register of r (falling back to the default).
func (vm RegisterVM) registerOf(r *risk.Risk) *risk.Register {
	if reg, ok := vm.Registers[r.RegisterID]; ok {
		return reg
	}
	return vm.Register
}

// Range returns "1–50 of 213" for the current page.
func (vm RegisterVM) Range() string {
	if vm.Page.Total == 0 {
		return "0 risks"
	}
	from := vm.Query.Offset() + 1
	to := from + len(vm.Page.Risks) - 1
	noun := "risks"
	if vm.Page.Total == 1 {
		noun = "risk"
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
}

// Action is the form's target URL.
func (vm FormVM) Action() string {
	if vm.Risk == nil {
		return RegisterPath
	}
	return RegisterPath + "/" + vm.Risk.Identifier()
}

// CancelURL leads back without saving.
func (vm FormVM) CancelURL() string {
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

// fieldLabels names risk fields in the history and conflict views.
var fieldLabels = map[string]string{
	"register": "Register", "title": "Title", "description": "Description", "category": "Category",
	"department": "Department", "status": "Status", "closure_reason": "Closure reason",
	"probability": "Probability", "impact": "Impact", "residual_probability": "Residual probability",
	"residual_impact": "Residual impact", "inherent_level": "Inherent level", "residual_level": "Residual level",
	"assignee": "Assignee", "due_date": "Due date", "next_review_date": "Next review", "tags": "Tags",
	"treatment": "Treatment", "task": "Task", "task_status": "Task status", "task_description": "Task description",
	"task_due_date": "Task due date", "task_assignee": "Task assignee",
}

// FieldLabel returns the label of a field name.
func FieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
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
	}
	return v
}

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
	return t.Format("2 Jan 2006")
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
func ShortDate(t time.Time, today time.Time) string {
	if t.Year() == today.Year() {
		return t.Format("2 Jan")
	}
	return t.Format("2 Jan 2006")
}

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
func FormatTime(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") }

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
