package risk

import (
	"fmt"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/app/apperr"
)

func TestInputValidate(t *testing.T) {
	valid := func() Input {
		return Input{Title: "t", Description: "d", Category: "technology"}
	}
	cases := []struct {
		name   string
		mutate func(*Input)
		field  string
		msg    string
	}{
		{"empty title", func(in *Input) { in.Title = "  " }, "title", "Title is required"},
		{"empty description", func(in *Input) { in.Description = "" }, "description", "Description is required"},
		{"bad category", func(in *Input) { in.Category = "bogus" }, "category",
			"Invalid enum value. Expected 'customer' | 'governance' | 'operations' | 'other' | 'people' | 'regulatory' | 'reporting' | 'resilience' | 'technology' | 'vendor_management', received 'bogus'"},
		{"bad department", func(in *Input) { in.Department = "finance" }, "department",
			"Invalid enum value. Expected 'none' | 'admin' | 'gov' | 'hr' | 'it' | 'itsm' | 'qms', received 'finance'"},
		{"bad status", func(in *Input) { in.Status = "done" }, "status",
			"Invalid enum value. Expected 'open' | 'pending' | 'closed' | 'archived', received 'done'"},
		{"probability too high", func(in *Input) { in.Probability = 11 }, "probability", "Number must be less than or equal to 10"},
		{"impact negative", func(in *Input) { in.Impact = -1 }, "impact", "Number must be greater than or equal to 0"},
		{"long title", func(in *Input) { in.Title = strings.Repeat("é", MaxTitle+1) }, "title", "String must contain at most 200 character(s)"},
		{"NUL in title", func(in *Input) { in.Title = "a\x00b" }, "title", "Must not contain NUL bytes"},
		{"too many tags", func(in *Input) {
			for i := range MaxTags + 1 {
				in.Tags = append(in.Tags, strings.Repeat("x", i+1))
			}
		}, "tags", "At most 20 tags"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := valid()
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
	in := valid()
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
	if in.Status != StatusOpen || in.Department != "none" {
		t.Errorf("defaults: status %q department %q", in.Status, in.Department)
	}
}

func TestNormalizeClearsClosureReasonUnlessClosed(t *testing.T) {
	in := Input{Title: "t", Description: "d", Category: "other", Status: StatusOpen, ClosureReason: "mitigated", Tags: []string{" Cloud", "cloud", ""}}
	in.Normalize()
	if in.ClosureReason != "" {
		t.Errorf("closure reason kept on an open risk")
	}
	if len(in.Tags) != 1 || in.Tags[0] != "cloud" {
		t.Errorf("tags = %v, want [cloud]", in.Tags)
	}
}

func TestIdentifier(t *testing.T) {
	for n, want := range map[int64]string{1: "RSK-00001", 42: "RSK-00042", 9999: "RSK-09999", 12345: "RSK-12345", 1234567: "RSK-1234567"} {
		if got := FormatIdentifier(n); got != want || got != fmt.Sprintf("RSK-%05d", n) {
			t.Errorf("FormatIdentifier(%d) = %s, want %s", n, got, want)
		}
	}
	for s, want := range map[string]int64{"RSK-00042": 42, "rsk-7": 7, "RSK-": 0, "RSK-x": 0, "rsk_abc": 0, "RSK-0": 0} {
		got, ok := ParseIdentifier(s)
		if got != want || ok != (want > 0) {
			t.Errorf("ParseIdentifier(%q) = %d, %v", s, got, ok)
		}
	}
}
