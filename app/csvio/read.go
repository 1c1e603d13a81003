package csvio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// Import limits. MaxImportColumns bounds the header: the register's format
// has fewer than 30 columns, and a wider header is a mistake or an attack.
const (
	MaxImportBytes   = 5 << 20 // 5 MiB
	MaxImportRows    = 10_000
	MaxImportColumns = 200
)

// RequiredColumns must be present in the header row of an import.
var RequiredColumns = []string{"title", "description", "category"}

// keptColumns are the columns Read keeps: the export's Columns and the ones
// only an import sets; the importer (risk.Importer) reads no others. Every
// other column of a file is skipped without being stored, so the memory of
// a read depends on the register's format, not on the file's width.
var keptColumns = func() map[string]bool {
	m := map[string]bool{"closure_reason": true, "next_review_date": true}
	for _, c := range Columns {
		m[c] = true
	}
	return m
}()

// fileErr is a problem with the file as a whole (encoding, size, header,
// syntax): an Invalid error without fields, whose message says how to fix
// the file; nothing in it can be imported.
func fileErr(format string, a ...any) error { return apperr.Invalidf(format, a...) }

// IsFileError reports whether err is a problem with the file as a whole,
// and returns its message.
func IsFileError(err error) (string, bool) {
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid || len(e.Fields) > 0 {
		return "", false
	}
	return e.Message, true
}

// UnsafeCell reverses SafeCell: it strips one leading quote when the rest
// of the cell, after optional spaces, starts with a formula character, so
// an exported cell imports as the text that was exported.
func UnsafeCell(s string) string {
	if !strings.HasPrefix(s, "'") {
		return s
	}
	if rest := s[1:]; SafeCell(rest) != rest {
		return rest
	}
	return s
}

// Read parses an uploaded CSV into rows of raw fields keyed by column name,
// each with its row number as a spreadsheet shows it (the header is row 1).
// Only the columns of the register's format are kept: a row's Fields holds
// every such column of the header, "" where the row is short, and no other.
// Fields keep their characters exactly, a CRLF inside a quoted field
// included. It returns a file error (apperr Invalid) for a file that is too large, has too
// many rows or header columns, is not UTF-8, lacks a header or a required
// column, or is not valid CSV.
//
// Memory is bounded by MaxImportBytes whatever the file's shape: the file is
// read once, fields are sliced out of it, and a row stores only its kept
// values, in one string.
func Read(r io.Reader) ([]risk.ImportRow, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read the CSV: %w", err)
	}
	if len(data) > MaxImportBytes {
		return nil, fileErr("The file is larger than 5 MiB.")
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return nil, fileErr("The file is encoded as UTF-16; save it as CSV UTF-8 and upload it again.")
	}
	data = bytes.TrimPrefix(data, []byte(BOM))
	if !utf8.Valid(data) {
		line := 1 + bytes.Count(data[:invalidUTF8At(data)], []byte("\n"))
		return nil, fileErr("The file is not valid UTF-8 (line %d); save it as CSV UTF-8 and upload it again.", line)
	}
	s := newScanner(data)
	if !s.nextRecord() {
		return nil, fileErr("The file is empty: a header row naming the columns is required.")
	}
	names, err := readHeader(s)
	if err != nil {
		return nil, err
	}
	rr := newRowReader(names)
	var rows []risk.ImportRow
	for n := 2; s.nextRecord(); n++ { // n counts records, as a spreadsheet counts rows
		fields, err := rr.read(s)
		if err != nil {
			return nil, err
		}
		if fields == nil {
			continue
		}
		if len(rows) == MaxImportRows {
			return nil, fileErr("The file has more than %d rows.", MaxImportRows)
		}
		rows = append(rows, risk.ImportRow{Row: n, Fields: fields})
	}
	return rows, nil
}

// rowReader reads the data records of a file whose header readHeader read,
// reusing its buffers from one record to the next.
type rowReader struct {
	names []string // by column, the kept column's name or ""
	kept  int      // the number of kept columns
	cells []cell   // by column, the current record's kept cells
	ends  []int    // by column, where its value ends in the record's string
}

func newRowReader(names []string) *rowReader {
	rr := &rowReader{names: names, cells: make([]cell, len(names)), ends: make([]int, len(names))}
	for _, name := range names {
		if name != "" {
			rr.kept++
		}
	}
	return rr
}

// read reads the record that starts at s's position and returns its kept
// fields, or nil for a blank record (every cell empty or spaces). The
// kept values are put end to end into one string, allocated once at its
// final size, and each field is a slice of it; other cells are only
// scanned. The error is a file error (apperr Invalid).
func (rr *rowReader) read(s *scanner) (map[string]string, error) {
	blank := true
	size, col := 0, 0
	for last := false; !last; col++ {
		var c cell
		var err error
		c.raw, c.quoted, last, err = s.field()
		if err != nil {
			return nil, syntaxErr(err)
		}
		if blank && len(bytes.TrimSpace(c.raw)) > 0 {
			blank = false
		}
		if col < len(rr.names) && rr.names[col] != "" {
			rr.cells[col] = c
			size += len(c.raw) // a quoted cell's value is never longer
		}
	}
	if blank {
		return nil, nil
	}
	var values strings.Builder
	values.Grow(size)
	ends := rr.ends[:min(col, len(rr.names))]
	for i := range ends {
		if rr.names[i] != "" {
			rr.cells[i].writeTo(&values)
		}
		ends[i] = values.Len()
	}
	all := values.String()
	fields := make(map[string]string, rr.kept)
	for i, name := range rr.names {
		switch {
		case name == "":
		case i >= len(ends): // the record is shorter than the header
			fields[name] = ""
		case i == 0:
			fields[name] = UnsafeCell(all[:ends[0]])
		default:
			fields[name] = UnsafeCell(all[ends[i-1]:ends[i]])
		}
	}
	return fields, nil
}

// readHeader reads the header record and returns, for each of its columns
// up to the last kept one, the column's name when Read keeps it, else "".
// Names are compared in lower case without surrounding spaces; of two
// columns with the same name the first wins. It returns a file error (apperr Invalid) for a
// header with more than MaxImportColumns columns or without a required one.
func readHeader(s *scanner) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	n := 0
	var err error
	for last := false; !last; n++ {
		var c cell
		c.raw, c.quoted, last, err = s.field()
		if err != nil {
			return nil, syntaxErr(err)
		}
		if n >= MaxImportColumns {
			continue // counted for the error below, never stored
		}
		name := strings.ToLower(strings.TrimSpace(c.String()))
		if !keptColumns[name] || seen[name] {
			names = append(names, "")
			continue
		}
		seen[name] = true
		names = append(names, name)
	}
	if n > MaxImportColumns {
		return nil, fileErr("The header row has %d columns; at most %d are allowed.", n, MaxImportColumns)
	}
	var missing []string
	for _, c := range RequiredColumns {
		if !seen[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fileErr("The header row lacks the required column(s): %s.", strings.Join(missing, ", "))
	}
	for len(names) > 0 && names[len(names)-1] == "" {
		names = names[:len(names)-1]
	}
	return names, nil
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// syntaxErr turns a scanner's *syntaxError, always a quote out of place,
// into a file error (apperr Invalid) that says how to fix it.
func syntaxErr(err error) error {
	var se *syntaxError
	if !errors.As(err, &se) {
		return fmt.Errorf("read the CSV: %w", err)
	}
	return fileErr("Unbalanced quotes in the record starting on line %d (line %d): a quoted cell must end with a closing quote, and a quote inside a cell is written twice (\"\").", se.StartLine, se.Line)
}
