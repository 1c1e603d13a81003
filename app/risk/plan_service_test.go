package risk

import (
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
)

func TestTaskInputValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*TaskInput)
		field  string
		msg    string
	}{
		{"empty title", func(in *TaskInput) { in.Title = " \t" }, "title", "Title is required"},
		{"long title", func(in *TaskInput) { in.Title = strings.Repeat("é", MaxTitle+1) }, "title", "String must contain at most 200 character(s)"},
		{"NUL in title", func(in *TaskInput) { in.Title = "a\x00b" }, "title", "Must not contain NUL bytes"},
		{"bad status", func(in *TaskInput) { in.Status = "done" }, "status",
			"Invalid enum value. Expected 'open' | 'in_progress' | 'completed', received 'done'"},
		{"long description", func(in *TaskInput) { in.Description = strings.Repeat("x", MaxPlanDescription+1) }, "description",
			"String must contain at most 5000 character(s)"},
		{"NUL in description", func(in *TaskInput) { in.Description = "a\x00" }, "description", "Must not contain NUL bytes"},
		{"invalid UTF-8", func(in *TaskInput) { in.Description = "a\xffb" }, "description", "Must be valid UTF-8 text"},
		{"NUL in assignee", func(in *TaskInput) { in.AssigneeID = "mem\x00" }, "assigneeId", "Must not contain NUL bytes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := TaskInput{Title: "Patch the VPN"}
			c.mutate(&in)
			in.Normalize()
			e, ok := apperr.As(in.Validate())
			if !ok || e.Code != apperr.Invalid {
				t.Fatalf("want a validation error, got %v", in.Validate())
			}
			if got := e.Fields.First(c.field); got != c.msg {
				t.Fatalf("%s: got %q, want %q (all: %v)", c.field, got, c.msg, e.Fields)
			}
		})
	}

	// Every bad field is named at once.
	in := TaskInput{Title: "", Status: "later", Description: "\x00"}
	e, _ := apperr.As(in.Validate())
	if e == nil || strings.Join(e.Fields.Names(), ",") != "description,status,title" {
		t.Fatalf("fields named: %v, want description, status and title", e)
	}

	due := time.Date(2030, 1, 31, 23, 30, 0, 0, time.FixedZone("x", 3600))
	ok := TaskInput{Title: "  Patch the VPN  ", Description: strings.Repeat("é", MaxPlanDescription), DueDate: &due}
	ok.Normalize()
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
	if ok.Title != "Patch the VPN" || ok.Status != TaskOpen || ok.DueDate.Format(time.RFC3339) != "2030-01-31T00:00:00Z" {
		t.Errorf("normalized: title %q status %q due %v", ok.Title, ok.Status, ok.DueDate)
	}
}

func TestTreatmentInputValidate(t *testing.T) {
	cases := []struct {
		in    TreatmentInput
		field string
		msg   string
	}{
		{TreatmentInput{}, "type", "Type is required"},
		{TreatmentInput{Type: "ignore"}, "type", "Invalid enum value. Expected 'accept' | 'avoid' | 'mitigate' | 'transfer', received 'ignore'"},
		{TreatmentInput{Type: "accept", Description: strings.Repeat("x", 5001)}, "description", "String must contain at most 5000 character(s)"},
		{TreatmentInput{Type: "accept", Description: "nul\x00"}, "description", "Must not contain NUL bytes"},
	}
	for _, c := range cases {
		c.in.Normalize()
		e, ok := apperr.As(c.in.Validate())
		if !ok || e.Fields.First(c.field) != c.msg {
			t.Errorf("%+v: got %v, want %s %q", c.in, c.in.Validate(), c.field, c.msg)
		}
	}
	for _, typ := range TreatmentTypes.Values() {
		in := TreatmentInput{Type: " " + typ + " ", Description: strings.Repeat("x", 5000)}
		in.Normalize()
		if err := in.Validate(); err != nil {
			t.Errorf("%s refused: %v", typ, err)
		}
	}
}

func TestTaskIsOverdue(t *testing.T) {
	today := time.Date(2030, 6, 15, 14, 0, 0, 0, time.UTC)
	day := func(d int) *time.Time { v := time.Date(2030, 6, d, 0, 0, 0, 0, time.UTC); return &v }
	cases := []struct {
		name string
		task Task
		want bool
	}{
		{"no due date", Task{Status: TaskOpen}, false},
		{"due yesterday", Task{Status: TaskOpen, DueDate: day(14)}, true},
		{"due yesterday, in progress", Task{Status: TaskInProgress, DueDate: day(14)}, true},
		{"due today", Task{Status: TaskOpen, DueDate: day(15)}, false},
		{"due yesterday but completed", Task{Status: TaskCompleted, DueDate: day(14)}, false},
	}
	for _, c := range cases {
		if got := c.task.IsOverdue(today); got != c.want {
			t.Errorf("%s: IsOverdue = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestPlanSummaries(t *testing.T) {
	if got := TreatmentSummary(nil); got != "" {
		t.Errorf("no treatment: %q", got)
	}
	if got := TreatmentSummary(&Treatment{Type: "mitigate", Description: "Patch every server"}); got != "Mitigate: Patch every server" {
		t.Errorf("treatment: %q", got)
	}
	if got := TreatmentSummary(&Treatment{Type: "accept"}); got != "Accept" {
		t.Errorf("treatment without description: %q", got)
	}
	if got := TaskSummary(&Task{Title: "Patch the VPN", Status: TaskOpen}); got != "Patch the VPN (open)" {
		t.Errorf("task: %q", got)
	}
	due := time.Date(2030, 1, 31, 0, 0, 0, 0, time.UTC)
	full := &Task{Title: "Patch the VPN", Status: TaskInProgress, DueDate: &due, Assignee: &Person{Name: "Ada"}}
	if got := TaskSummary(full); got != "Patch the VPN (in progress, due 2030-01-31, Ada)" {
		t.Errorf("task with due date and assignee: %q", got)
	}
}
