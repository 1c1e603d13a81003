package csvio

import (
	"bytes"
	"errors"
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
	if _, ok := rows[0].Fields["extra"]; !ok {
		t.Error("extra columns are passed through (the importer ignores them)")
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
	}
	for _, tc := range tests {
		_, err := Read(strings.NewReader(tc.in))
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(fe.Message, tc.want) {
			t.Errorf("%s: error %v, want a file error containing %q", tc.name, err, tc.want)
		}
	}
}

// FuzzReadCSV: any input either parses into rows whose numbers increase and
// whose fields cover the required columns, or fails with a *FileError.
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
			var fe *FileError
			if !errors.As(err, &fe) || fe.Message == "" {
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
