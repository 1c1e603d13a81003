package csvio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestReadRows(t *testing.T) {
	in := BOM + "Title,description,category,extra\r\n" +
		"\"'=HYPERLINK(\"\"x\"\")\",\"multi\nline\",technology,ignored\r\n" +
		",,,\r\n" +
		"'plain,d,people\r\n"
	rows, err := Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2 (the blank one skipped)", len(rows))
	}
	if rows[0].Row != 2 || rows[1].Row != 4 {
		t.Errorf("row numbers %d, %d; want 2, 4 (the header is row 1)", rows[0].Row, rows[1].Row)
	}
	if got := rows[0].Fields["title"]; got != `=HYPERLINK("x")` {
		t.Errorf("neutralised cell read as %q", got)
	}
	if got := rows[1].Fields["title"]; got != "'plain" {
		t.Errorf("a quote before text that is not a formula is kept: %q", got)
	}
	if got := rows[0].Fields["description"]; got != "multi\nline" {
		t.Errorf("description %q", got)
	}
	if _, ok := rows[0].Fields["extra"]; ok {
		t.Error("a column outside the register's format must be dropped")
	}
	if _, ok := rows[0].Fields["status"]; ok {
		t.Error("a column missing from the file must be missing from Fields")
	}
}

// TestUnsafeCellReversesSafeCell: every text round-trips except one that
// itself starts with a quote and then a formula character ("'=x" reads back
// as "=x"), which the README documents.
func TestUnsafeCellReversesSafeCell(t *testing.T) {
	for _, s := range []string{"=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "  =x", "plain", "'quoted", "", " "} {
		if got := UnsafeCell(SafeCell(s)); got != s {
			t.Errorf("UnsafeCell(SafeCell(%q)) = %q", s, got)
		}
	}
}

func TestReadFileErrors(t *testing.T) {
	shapes := worstCaseShapes()
	big := "title,description,category\n" + strings.Repeat("t,d,technology\n", MaxImportRows+1)
	tests := []struct {
		name, in, want string
	}{
		{"utf16", "\xff\xfet\x00i\x00", "UTF-16"},
		{"invalid utf8", "title,description,category\nok,d,x\nbad\xe9,d,x\n", "not valid UTF-8 (line 3)"},
		{"empty", "", "header row"},
		{"missing column", "title,category\nx,y\n", "required column(s): description"},
		{"unbalanced quotes", "title,description,category\nx,\"open,technology\nnext,d,x\n", "Unbalanced quotes in the record starting on line 2"},
		{"bare quote", "title,description,category\nx,a\"b,technology\n", "Unbalanced quotes"},
		{"too many rows", big, "more than 10000 rows"},
		{"too large", strings.Repeat("x", MaxImportBytes+1), "larger than 5 MiB"},
		{"too many columns", "title,description,category" + strings.Repeat(",x", MaxImportColumns-2) + "\nt,d,c\n",
			"The header row has 201 columns; at most 200 are allowed."},
		{"the reported file", string(shapes[0].data), "The header row has 100000 columns; at most 200 are allowed."},
		{"header of commas", string(shapes[1].data), "at most 200 are allowed"},
		{"quote after a quoted cell", "title,description,category\n\"x\"y,d,c\n", "Unbalanced quotes in the record starting on line 2 (line 2)"},
		{"unterminated at the end", "title,description,category\nx,d,c\n\"a\nb\nc\n", "starting on line 3 (line 5)"},
	}
	for _, tc := range tests {
		_, err := Read(strings.NewReader(tc.in))
		msg, ok := IsFileError(err)
		if !ok || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: error %v, want a file error containing %q", tc.name, err, tc.want)
		}
	}
}

// FuzzReadCSV: any input either parses into rows whose numbers increase and
// whose fields cover the required columns, or fails with a file error.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"title,description,category\nx,y,technology\n",
		BOM + "identifier,title,description,category,tags\r\nRSK-00001,'=1,\"a\"\"b\",people,a;b\r\n",
		"title,description,category\n\"unterminated,x,y\n",
		"title\n",
		"\xff\xfe",
		"title,description,category\n\xe9,x,y\n",
		"title,description,category\n\"multi\nline\",d,c\n\n,,\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := Read(bytes.NewReader(data))
		if err != nil {
			if msg, ok := IsFileError(err); !ok || msg == "" {
				t.Fatalf("error %v is not a file error with a message", err)
			}
			return
		}
		prev := 1
		for _, r := range rows {
			if r.Row <= prev {
				t.Fatalf("row numbers not increasing: %d after %d", r.Row, prev)
			}
			prev = r.Row
			for _, c := range RequiredColumns {
				if _, ok := r.Fields[c]; !ok {
					t.Fatalf("row %d lacks required column %s", r.Row, c)
				}
			}
		}
	})
}

// TestReadKeepsCharacters: a quoted field keeps CRLF, a lone CR and LF as
// written (encoding/csv turns CRLF into LF); records end with LF or CRLF.
func TestReadKeepsCharacters(t *testing.T) {
	in := "title,description,category,tags\r\n" +
		"\"a\r\nb\",\"lone\rCR\",\"x\ny\",\"p;q\"\r\n" +
		"\"é ü 中文 😀\",\"\"\"quoted\"\", ok\",c,\n"
	rows, err := Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{
		{"title": "a\r\nb", "description": "lone\rCR", "category": "x\ny", "tags": "p;q"},
		{"title": "é ü 中文 😀", "description": `"quoted", ok`, "category": "c", "tags": ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		if len(rows[i].Fields) != len(w) {
			t.Errorf("row %d fields %q, want %q", rows[i].Row, rows[i].Fields, w)
		}
		for k, v := range w {
			if got := rows[i].Fields[k]; got != v {
				t.Errorf("row %d %s = %q, want %q", rows[i].Row, k, got, v)
			}
		}
	}
	if rows[1].Row != 3 {
		t.Errorf("second row is row %d, want 3", rows[1].Row)
	}
}

// TestReadColumns: a header of MaxImportColumns columns is accepted; only
// the register's columns are kept, the first of two with the same name
// wins, and cells beyond the header are ignored.
func TestReadColumns(t *testing.T) {
	header := " Title ,DESCRIPTION,category,title,status" + strings.Repeat(",other", MaxImportColumns-5)
	in := header + "\nt,d,c,second title,open" + strings.Repeat(",x", MaxImportColumns+100) + "\nt2,d2\n"
	rows, err := Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	want := map[string]string{"title": "t", "description": "d", "category": "c", "status": "open"}
	if fmt.Sprint(rows[0].Fields) != fmt.Sprint(want) {
		t.Errorf("fields %q, want %q", rows[0].Fields, want)
	}
	want = map[string]string{"title": "t2", "description": "d2", "category": "", "status": ""}
	if fmt.Sprint(rows[1].Fields) != fmt.Sprint(want) {
		t.Errorf("a short row: fields %q, want %q", rows[1].Fields, want)
	}
}

// TestReadMemoryBounded: reading a file of any of the worst shapes within
// the 5 MiB limit allocates less than 64 MiB in all, so the heap cannot
// grow by more (BenchmarkPreviewWorstCase reports the sampled peak). The
// reported file of 100,000 columns and 200 rows allocated 1 GiB.
func TestReadMemoryBounded(t *testing.T) {
	const limit = 64 << 20
	for _, s := range worstCaseShapes() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		rows, err := Read(bytes.NewReader(s.data))
		runtime.ReadMemStats(&after)
		if _, ok := IsFileError(err); err != nil && !ok {
			t.Fatalf("%s: %v", s.name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > limit {
			t.Errorf("%s (%d bytes, %d rows): reading allocated %d MiB, want at most %d MiB", s.name, len(s.data), len(rows), n>>20, limit>>20)
		}
	}
}

// scanAll returns the records of data as scanner splits them.
func scanAll(data []byte) ([][]string, error) {
	var recs [][]string
	s := newScanner(data)
	for s.nextRecord() {
		var rec []string
		for last := false; !last; {
			var c cell
			var err error
			c.raw, c.quoted, last, err = s.field()
			if err != nil {
				return recs, err
			}
			rec = append(rec, c.String())
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// FuzzScannerMatchesEncodingCSV: scanner splits any input into the records
// and fields encoding/csv finds, and fails on the same lines, except that
// it keeps a CRLF inside a quoted field where encoding/csv reads LF.
func FuzzScannerMatchesEncodingCSV(f *testing.F) {
	for _, s := range []string{
		"a,b,c\nd,e,f\n",
		"a,\"b\r\nc\",d\r\n\r\n\"e\"\"f\",\r",
		"\n\r\n,\n\"a\"b\n",
		"a,\"b\nc\nd\n",
		"x\r\r\n\"y\"\r\rz\n",
		"a\"b,c\n",
		"\"a\"\r",
		"é,\"ü\"\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		want, werr := cr.ReadAll()
		got, gerr := scanAll(data)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("encoding/csv: %v; scanner: %v", werr, gerr)
		}
		if werr != nil {
			var pe *csv.ParseError
			var se *syntaxError
			if !errors.As(werr, &pe) || !errors.As(gerr, &se) {
				t.Fatalf("errors %v, %v", werr, gerr)
			}
			if pe.StartLine != se.StartLine || pe.Line != se.Line || pe.Err.Error() != se.Err.Error() {
				t.Fatalf("encoding/csv: %v (start %d); scanner: %v at line %d (start %d)", pe, pe.StartLine, se, se.Line, se.StartLine)
			}
			return
		}
		for _, rec := range got {
			for i := range rec {
				rec[i] = strings.ReplaceAll(rec[i], "\r\n", "\n")
			}
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Fatalf("encoding/csv: %q\nscanner:      %q", want, got)
		}
	})
}
