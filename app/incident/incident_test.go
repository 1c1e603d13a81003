package incident

import (
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
)

func TestParseIdentifier(t *testing.T) {
	for in, want := range map[string]int64{
		"INC-00007": 7, "inc-7": 7, "123": 123, "INC-00123": 123,
		"": 0, "0": 0, "-1": 0, "INC-": 0, "INC-x": 0, "RSK-00001": 0, "inc_abc": 0, "1e3": 0, "99999999999999999999": 0,
	} {
		got, ok := ParseIdentifier(in)
		if got != want || ok != (want > 0) {
			t.Errorf("ParseIdentifier(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	if FormatIdentifier(7) != "INC-00007" {
		t.Errorf("FormatIdentifier(7) = %s", FormatIdentifier(7))
	}
}

func TestInputValidate(t *testing.T) {
	d := func(s string) *time.Time { v, _ := time.Parse(time.DateOnly, s); return &v }
	for _, c := range []struct {
		name   string
		in     Input
		fields []string
	}{
		{"valid with defaults", Input{Title: " Outage "}, nil},
		{"no title", Input{Title: "  "}, []string{"title"}},
		{"long title", Input{Title: strings.Repeat("x", MaxTitle+1)}, []string{"title"}},
		{"NUL", Input{Title: "a\x00b", Description: "\x00"}, []string{"description", "title"}},
		{"enums", Input{Title: "x", Severity: "huge", Status: "done"}, []string{"severity", "status"}},
		{"dates out of range", Input{Title: "x", OccurredAt: d("1899-12-31")}, []string{"occurredAt"}},
		{"order", Input{Title: "x", OccurredAt: d("2026-05-02"), DiscoveredAt: d("2026-05-01"), ResolvedAt: d("2026-05-01")}, []string{"discoveredAt", "resolvedAt"}},
	} {
		c.in.Normalize()
		err := c.in.Validate()
		var got []string
		if err != nil {
			got = errFields(err)
		}
		if strings.Join(got, ",") != strings.Join(c.fields, ",") {
			t.Errorf("%s: fields %v, want %v (%v)", c.name, got, c.fields, err)
		}
	}
}

func errFields(err error) []string {
	e, ok := apperr.As(err)
	if !ok {
		return []string{"?"}
	}
	return e.Fields.Names()
}
