package risk

import (
	"strings"
	"testing"
)

func TestParseScale(t *testing.T) {
	m := DefaultMatrix()
	tests := []struct {
		in   string
		want int
		err  string
	}{
		{"", 0, ""}, {" 7 ", 7, ""}, {"0", 0, ""}, {"10", 10, ""},
		{"High", 8, ""}, {"very low", 2, ""}, {" Very High ", 10, ""},
		{"11", 0, "from 0 to 10; got “11”"}, {"-1", 0, "from 0 to 10"},
		{"Huge", 0, "Probability must be one of Very Low, Low, Moderate, High, Very High, or a number from 0 to 10; got “Huge”"},
		{"7.5", 0, "from 0 to 10"},
	}
	for _, tc := range tests {
		got, msg := parseScale("probability", tc.in, m.Likelihood)
		if got != tc.want || (tc.err == "") != (msg == "") || !strings.Contains(msg, tc.err) {
			t.Errorf("parseScale(%q) = %d, %q; want %d, %q", tc.in, got, msg, tc.want, tc.err)
		}
	}
}
