package risk

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/apperr"
)

// Field length limits, shared by forms, the API and CSV import.
const (
	MaxTitle       = 200
	MaxDescription = 10000
	MaxTags        = 20
	MaxTag         = 40
)

// Input is what a user may set on a risk: the same for the HTML form and
// the JSON API. Identity, organization, number and version are never
// taken from input.
type Input struct {
	RegisterID          string
	Title               string
	Description         string
	Category            string
	Department          string
	Status              string
	Probability         int
	Impact              int
	ResidualProbability int
	ResidualImpact      int
	AssigneeID          string
	ClosureReason       string
	DueDate             *time.Time
	NextReviewDate      *time.Time
	Tags                []string
	Type                string   // one of RiskTypes' values (or labels), "" for none
	ThreatObjectives    []string // values (or labels) of ThreatObjectives
}

// InputOf returns the input that reproduces r, used to prefill edit forms.
func InputOf(r *Risk) Input {
	return Input{
		RegisterID: r.RegisterID, Title: r.Title, Description: r.Description,
		Category: r.Category, Department: r.Department, Status: r.Status,
		Probability: r.Probability, Impact: r.Impact,
		ResidualProbability: r.ResidualProbability, ResidualImpact: r.ResidualImpact,
		AssigneeID: r.AssigneeID, ClosureReason: r.ClosureReason,
		DueDate: r.DueDate, NextReviewDate: r.NextReviewDate, Tags: r.Tags,
		Type: r.Type, ThreatObjectives: r.ThreatObjectives,
	}
}

// Normalize trims text, applies defaults and folds tags.
func (in *Input) Normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	in.Category = strings.TrimSpace(in.Category)
	in.Department = strings.TrimSpace(in.Department)
	in.Status = strings.TrimSpace(in.Status)
	in.ClosureReason = strings.TrimSpace(in.ClosureReason)
	in.AssigneeID = strings.TrimSpace(in.AssigneeID)
	if in.Department == "" {
		in.Department = "none"
	}
	if in.Status == "" {
		in.Status = StatusOpen
	}
	if in.Status != StatusClosed {
		in.ClosureReason = ""
	}
	in.Tags = NormalizeTags(in.Tags)
	if v, ok := RiskTypes.Parse(in.Type); ok {
		in.Type = v
	} else {
		in.Type = strings.TrimSpace(in.Type)
	}
	in.ThreatObjectives = NormalizeObjectives(in.ThreatObjectives)
}

// NormalizeObjectives maps labels to values, drops blanks and duplicates
// and orders known objectives as ThreatObjectives lists them; unknown
// values are kept (after them) for Validate to name.
func NormalizeObjectives(objs []string) []string {
	seen := map[string]bool{}
	var unknown []string
	for _, o := range objs {
		v, ok := ThreatObjectives.Parse(o)
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		if !ok {
			unknown = append(unknown, v)
		}
	}
	out := []string{}
	for _, o := range ThreatObjectives {
		if seen[o.Value] {
			out = append(out, o.Value)
		}
	}
	return append(out, unknown...)
}

// ParseObjectives splits a list of threat objectives separated by ";" or
// ",", as CSV cells write them.
func ParseObjectives(s string) []string {
	return NormalizeObjectives(strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }))
}

// NormalizeTags trims, lowercases and de-duplicates tags, keeping order.
func NormalizeTags(tags []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// ParseTags splits a comma-separated tag list.
func ParseTags(s string) []string { return NormalizeTags(strings.Split(s, ",")) }

// Validate returns an Invalid error naming every bad field, or nil. Its
// Fields carry the messages of the Comp AI contract (zod), which the API
// sends; its Plain the same problems in the labels people see, which the
// forms and the import preview show (see apperr.Error.ForPeople).
func (in *Input) Validate() error {
	fe := apperr.NewProblems()
	checkText(fe, "title", in.Title, "Title is required", MaxTitle)
	checkText(fe, "description", in.Description, "Description is required", MaxDescription)
	checkEnum(fe, "category", in.Category, Categories)
	checkEnum(fe, "department", in.Department, Departments)
	checkEnum(fe, "status", in.Status, Statuses)
	if in.ClosureReason != "" {
		checkEnum(fe, "closure_reason", in.ClosureReason, ClosureReasons)
	}
	checkScore(fe, "probability", in.Probability)
	checkScore(fe, "impact", in.Impact)
	checkScore(fe, "residual_probability", in.ResidualProbability)
	checkScore(fe, "residual_impact", in.ResidualImpact)
	checkDate(fe, "due_date", in.DueDate)
	checkDate(fe, "next_review_date", in.NextReviewDate)
	if len(in.Tags) > MaxTags {
		fe.Add("tags", fmt.Sprintf("At most %d tags", MaxTags))
	}
	for _, t := range in.Tags {
		if utf8.RuneCountInString(t) > MaxTag {
			fe.Add("tags", fmt.Sprintf("Each tag must contain at most %d character(s)", MaxTag))
			break
		}
		if strings.ContainsRune(t, 0) {
			fe.Add("tags", "Must not contain NUL bytes")
			break
		}
	}
	if in.Type != "" {
		checkEnum(fe, "risk_type", in.Type, RiskTypes)
	}
	for _, o := range in.ThreatObjectives {
		if !ThreatObjectives.Has(o) {
			fe.Add2("threat_objectives", EnumMessage(ThreatObjectives, o), PlainEnumMessage("threat_objectives", ThreatObjectives, o))
			break
		}
	}
	if strings.ContainsRune(in.AssigneeID, 0) {
		fe.Add("assigneeId", "Must not contain NUL bytes")
	}
	if strings.ContainsRune(in.RegisterID, 0) {
		fe.Add("registerId", "Must not contain NUL bytes")
	}
	return fe.Err()
}

// FieldLabels name the fields of risks, treatments and tasks as the forms
// and the import preview call them; the plain messages use them.
var FieldLabels = map[string]string{
	"title": "Title", "description": "Description", "category": "Category", "department": "Department",
	"status": "Status", "closure_reason": "Closure reason", "probability": "Probability", "impact": "Impact",
	"residual_probability": "Residual probability", "residual_impact": "Residual impact",
	"due_date": "Due date", "next_review_date": "Next review date", "tags": "Tags",
	"assignee": "Assignee", "assignee_email": "Assignee", "type": "Treatment strategy",
	"risk_type": "Risk type", "threat_objectives": "Threat objectives",
}

// fieldLabel returns the label of field, or field itself.
func fieldLabel(field string) string {
	if l, ok := FieldLabels[field]; ok {
		return l
	}
	return field
}

// checkText checks a text field; an empty value is an error only when
// requiredMsg is set.
func checkText(fe apperr.Problems, field, v, requiredMsg string, max int) {
	switch {
	case v == "":
		if requiredMsg != "" {
			fe.Add(field, requiredMsg)
		}
	case strings.ContainsRune(v, 0):
		fe.Add(field, "Must not contain NUL bytes")
	case !utf8.ValidString(v):
		fe.Add(field, "Must be valid UTF-8 text")
	case utf8.RuneCountInString(v) > max:
		fe.Add2(field, fmt.Sprintf("String must contain at most %d character(s)", max),
			fmt.Sprintf("%s must be at most %s characters", fieldLabel(field), thousands(max)))
	}
}

// thousands writes n with a comma between thousands: 10,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// EnumMessage is zod's message for a value outside an enumeration.
func EnumMessage(e Enum, received string) string {
	quoted := make([]string, len(e))
	for i, o := range e {
		quoted[i] = "'" + o.Value + "'"
	}
	return fmt.Sprintf("Invalid enum value. Expected %s, received '%s'", strings.Join(quoted, " | "), received)
}

// PlainEnumMessage is the message for people about a value outside an
// enumeration, in its labels: "Choose a category" when nothing was
// chosen, else "Category must be one of Customer, Governance, …; got “x”".
func PlainEnumMessage(field string, e Enum, received string) string {
	label := fieldLabel(field)
	if strings.TrimSpace(received) == "" {
		return "Choose " + article(label) + " " + strings.ToLower(label)
	}
	return fmt.Sprintf("%s must be one of %s; got “%s”", label, strings.Join(e.Labels(), ", "), truncate(received, 40))
}

// article is "a" or "an" for a label.
func article(label string) string {
	if label != "" && strings.ContainsRune("AEIOUaeiou", rune(label[0])) {
		return "an"
	}
	return "a"
}

// truncate shortens a received value to n runes for a message, marking
// the cut with "…"; control characters and invalid UTF-8 are dropped.
func truncate(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Dates and instants are accepted in the years 1900 to 2999: anything else
// is a typing mistake, and PostgreSQL's date range is not the API's.
const (
	MinYear = 1900
	MaxYear = 2999
)

// InDateRange reports whether t falls in the years riskreg accepts.
func InDateRange(t time.Time) bool {
	y := t.UTC().Year()
	return y >= MinYear && y <= MaxYear
}

// DateMessage is the one message for a date that is malformed or out of
// range, in forms, imports and the API alike.
const DateMessage = "Enter a date from 1900-01-01 to 2999-12-31 as YYYY-MM-DD"

// ParseDate reads a calendar date "YYYY-MM-DD" in the accepted years.
func ParseDate(v string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	return t, err == nil && InDateRange(t)
}

// checkDate reports a date outside the accepted years.
func checkDate(fe apperr.Problems, field string, t *time.Time) {
	if t != nil && !InDateRange(*t) {
		fe.Add(field, DateMessage)
	}
}

// checkEnum reports a value outside e: zod's words for the API, the
// labels for people.
func checkEnum(fe apperr.Problems, field, v string, e Enum) {
	if !e.Has(v) {
		fe.Add2(field, EnumMessage(e, v), PlainEnumMessage(field, e, v))
	}
}

func checkScore(fe apperr.Problems, field string, v int) {
	plain := fieldLabel(field) + " must be a number from 0 to 10"
	switch {
	case v < 0:
		fe.Add2(field, "Number must be greater than or equal to 0", plain)
	case v > 10:
		fe.Add2(field, "Number must be less than or equal to 10", plain)
	}
}
