package risk

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/app/apperr"
)

// enumField is an enumerated field of a form: how to set it on a valid
// input and validate, returning the error.
type enumField struct {
	name     string // the form field
	enum     Enum
	optional bool // empty is allowed
	validate func(v string) error
}

func enumFields() []enumField {
	risk := func(set func(in *Input, v string)) func(string) error {
		return func(v string) error {
			in := Input{Title: "t", Description: "d", Category: "technology", Department: "none", Status: StatusClosed}
			set(&in, v)
			return in.Validate()
		}
	}
	return []enumField{
		{"category", Categories, false, risk(func(in *Input, v string) { in.Category = v })},
		{"department", Departments, false, risk(func(in *Input, v string) { in.Department = v })},
		{"status", Statuses, false, risk(func(in *Input, v string) { in.Status = v })},
		{"closure_reason", ClosureReasons, true, risk(func(in *Input, v string) { in.ClosureReason = v })},
		{"type", TreatmentTypes, false, func(v string) error { in := TreatmentInput{Type: v}; return in.Validate() }},
		{"status", TaskStatuses, true, func(v string) error { in := TaskInput{Title: "t", Status: v}; return in.Validate() }},
	}
}

// codesIn returns the codes of e that differ from their label and appear
// in msg as words: what people must not be shown.
func codesIn(e Enum, msg string) []string {
	var out []string
	for _, o := range e {
		if strings.EqualFold(o.Value, o.Label) {
			continue
		}
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(o.Value) + `\b`).MatchString(msg) {
			out = append(out, o.Value)
		}
	}
	return out
}

// Every enumerated field's error speaks to people in labels, and to the
// API in zod's words, for a missing and for a wrong value.
func TestEnumMessagesForPeopleAndAPI(t *testing.T) {
	for _, f := range enumFields() {
		for _, v := range []string{"", "bogus"} {
			if f.optional && v == "" {
				continue
			}
			e, ok := apperr.As(f.validate(v))
			if !ok || e.Code != apperr.Invalid {
				t.Fatalf("%s=%q: want a validation error, got %v", f.name, v, e)
			}
			if api := e.Fields.First(f.name); api != EnumMessage(f.enum, v) && !(v == "" && f.name == "type") {
				t.Errorf("%s=%q: API message %q, want zod's %q", f.name, v, api, EnumMessage(f.enum, v))
			}
			plain := e.ForPeople()[f.name]
			if len(plain) != 1 {
				t.Fatalf("%s=%q: people get %q", f.name, v, plain)
			}
			msg := plain[0]
			if strings.Contains(msg, "Invalid enum") || strings.Contains(msg, "'") || len(codesIn(f.enum, msg)) > 0 {
				t.Errorf("%s=%q: %q shows codes %v", f.name, v, msg, codesIn(f.enum, msg))
			}
			label := FieldLabels[f.name]
			if v == "" {
				if !strings.HasPrefix(msg, "Choose a") || !strings.Contains(msg, strings.ToLower(label)) {
					t.Errorf("%s empty: %q, want Choose a %s", f.name, msg, strings.ToLower(label))
				}
				continue
			}
			want := label + " must be one of " + strings.Join(f.enum.Labels(), ", ") + "; got “bogus”"
			if msg != want {
				t.Errorf("%s=%q: %q, want %q", f.name, v, msg, want)
			}
		}
	}
	if got := PlainEnumMessage("category", Categories, ""); got != "Choose a category" {
		t.Errorf("empty category: %q", got)
	}
}

// Length and range problems read as sentences about the field for people,
// and keep zod's words for the API.
func TestPlainTextAndScoreMessages(t *testing.T) {
	in := Input{Title: strings.Repeat("x", MaxTitle+1), Description: "d", Category: "technology", Department: "none",
		Status: StatusOpen, Probability: 11, ResidualImpact: -1}
	e, _ := apperr.As(in.Validate())
	plain := e.ForPeople()
	for field, want := range map[string][2]string{
		"title":           {"String must contain at most 200 character(s)", "Title must be at most 200 characters"},
		"probability":     {"Number must be less than or equal to 10", "Probability must be a number from 0 to 10"},
		"residual_impact": {"Number must be greater than or equal to 0", "Residual impact must be a number from 0 to 10"},
	} {
		if e.Fields.First(field) != want[0] || plain.First(field) != want[1] {
			t.Errorf("%s: API %q, people %q; want %q, %q", field, e.Fields.First(field), plain.First(field), want[0], want[1])
		}
	}
	long := TaskInput{Title: "t", Description: strings.Repeat("x", MaxPlanDescription+1)}
	e, _ = apperr.As(long.Validate())
	if got := e.ForPeople().First("description"); got != "Description must be at most 5,000 characters" {
		t.Errorf("long description: %q", got)
	}
}

// planOne plans one import row with cells against the default register,
// updating cur when it is set.
func planOne(t *testing.T, cells map[string]string, cur *Risk) PlannedRow {
	t.Helper()
	reg := &Register{ID: "reg_1", Name: "Main", Matrix: DefaultMatrix(), IsDefault: true}
	lk := &importLookups{risks: map[int64]*Risk{}, members: map[string]Person{},
		registers: map[string]*Register{reg.ID: reg}, defaultRegister: reg}
	if cur != nil {
		cur.RegisterID = reg.ID
		lk.risks[cur.Number] = cur
		cells["identifier"] = cur.Identifier()
	}
	base := map[string]string{"title": "T", "description": "D", "category": "technology"}
	for k, v := range base {
		if _, ok := cells[k]; !ok {
			cells[k] = v
		}
	}
	pr, err := planRow(ImportRow{Row: 2, Fields: cells}, lk, map[int64]int{})
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// Every enumerated column takes the code or the label the UI shows, in
// any case, with spaces around it.
func TestImportAcceptsLabelsAndCodes(t *testing.T) {
	got := func(col string, pr PlannedRow) string {
		switch col {
		case "category":
			return pr.Input.Category
		case "department":
			return pr.Input.Department
		case "status":
			return pr.Input.Status
		case "risk_type":
			return pr.Input.Type
		default:
			return pr.Input.ClosureReason
		}
	}
	for col, e := range importEnums {
		for _, o := range e {
			for _, cell := range []string{o.Value, o.Label, strings.ToUpper(o.Label), strings.ToLower(o.Label), "  " + o.Label + " ", strings.ToUpper(o.Value)} {
				cells := map[string]string{col: cell}
				if col == "closure_reason" {
					cells["status"] = "Closed"
				}
				pr := planOne(t, cells, nil)
				if len(pr.Errors) > 0 || got(col, pr) != o.Value {
					t.Errorf("%s %q: stored %q, errors %v; want %q", col, cell, got(col, pr), pr.Errors, o.Value)
				}
			}
		}
		pr := planOne(t, map[string]string{col: "Nonsense", "status": "closed"}, nil)
		if col == "status" {
			pr = planOne(t, map[string]string{col: "Nonsense"}, nil)
		}
		if len(pr.Errors) != 1 || pr.Errors[0].Column != col {
			t.Fatalf("%s Nonsense: errors %v", col, pr.Errors)
		}
		msg := pr.Errors[0].Message
		if !strings.Contains(msg, strings.Join(e.Labels(), ", ")) || len(codesIn(e, msg)) > 0 || !strings.Contains(msg, "“Nonsense”") {
			t.Errorf("%s Nonsense: %q does not name the labels", col, msg)
		}
	}
	// The scales take every level name of the register's matrix.
	m := DefaultMatrix()
	for _, col := range []string{"probability", "impact", "residual_probability", "residual_impact"} {
		levels := m.Likelihood
		if strings.HasSuffix(col, "impact") {
			levels = m.Impact
		}
		for _, l := range levels {
			for _, cell := range []string{l.Name, strings.ToUpper(l.Name), " " + strings.ToLower(l.Name) + " "} {
				pr := planOne(t, map[string]string{col: cell}, nil)
				if len(pr.Errors) > 0 {
					t.Errorf("%s %q: %v", col, cell, pr.Errors)
				}
			}
		}
		pr := planOne(t, map[string]string{col: "Catastrophic"}, nil)
		if len(pr.Errors) != 1 || !strings.HasPrefix(pr.Errors[0].Message, FieldLabels[col]+" must be one of Very Low, Low, Moderate, High, Very High") {
			t.Errorf("%s Catastrophic: %v", col, pr.Errors)
		}
	}
	if got := planOne(t, map[string]string{"probability": "Very High", "impact": "moderate"}, nil).Input; got.Probability != 10 || got.Impact != 6 {
		t.Errorf("levels read as %d, %d; want 10, 6", got.Probability, got.Impact)
	}
}

// An update lists each changed field, old → new, in labels.
func TestImportChangesInLabels(t *testing.T) {
	cur := &Risk{Number: 45, Version: 3, Title: "Outage", Description: "D", Category: "operations", Department: "it",
		Status: StatusOpen, Probability: 4, Impact: 6, Tags: []string{"a"}}
	pr := planOne(t, map[string]string{"title": "Outage", "description": "D", "category": "Technology",
		"department": "admin", "probability": "High", "impact": "6", "tags": "a;b"}, cur)
	if pr.Action != ImportUpdated || len(pr.Errors) > 0 {
		t.Fatalf("action %s, errors %v", pr.Action, pr.Errors)
	}
	var got []string
	for _, c := range pr.Changes {
		got = append(got, c.Field+": "+c.Old+" → "+c.New)
	}
	want := []string{"Category: Operations → Technology", "Department: IT → Administration",
		"Probability: 4 (Low) → 8 (High)", "Tags: a → a, b"}
	if !slices.Equal(got, want) {
		t.Errorf("changes %q, want %q", got, want)
	}
	same := planOne(t, map[string]string{"title": "Outage", "description": "D", "category": "Operations", "department": "IT",
		"probability": "4", "impact": "Moderate", "tags": "a"}, cur)
	if same.Action != ImportUnchanged || len(same.Changes) != 0 {
		t.Errorf("same values: %s with %v", same.Action, same.Changes)
	}
}

// A received value is shown short and printable.
func TestPlainEnumMessageShowsValueSafely(t *testing.T) {
	got := PlainEnumMessage("category", Categories, "a\x00b\xff\n"+strings.Repeat("é", 60))
	if !strings.HasSuffix(got, "; got “ab"+strings.Repeat("é", 38)+"…”") {
		t.Errorf("message %q", got)
	}
}
