package csvio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/risk"
)

// Import limits.
const (
	MaxImportBytes = 5 << 20 // 5 MiB
	MaxImportRows  = 10_000
)

// RequiredColumns must be present in the header row of an import.
var RequiredColumns = []string{"title", "description", "category"}

// FileError is a problem with the file as a whole (encoding, size, header,
// syntax): nothing in it can be imported.
type FileError struct {
	Message string
}

func (e *FileError) Error() string { return e.Message }

func fileErr(format string, a ...any) error { return &FileError{Message: fmt.Sprintf(format, a...)} }

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
// It returns a *FileError for a file that is too large or has too many rows,
// is not UTF-8, lacks a header or a required column, or is not valid CSV.
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
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fileErr("The file is empty: a header row naming the columns is required.")
	}
	if err != nil {
		return nil, syntaxErr(err)
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := index[h]; !dup && h != "" {
			index[h] = i
		}
	}
	var missing []string
	for _, c := range RequiredColumns {
		if _, ok := index[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fileErr("The header row lacks the required column(s): %s.", strings.Join(missing, ", "))
	}
	var rows []risk.ImportRow
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxErr(err)
		}
		if len(rows) == MaxImportRows {
			return nil, fileErr("The file has more than %d rows.", MaxImportRows)
		}
		if blank(rec) {
			continue
		}
		fields := make(map[string]string, len(index))
		for name, i := range index {
			if i < len(rec) {
				fields[name] = UnsafeCell(rec[i])
			} else {
				fields[name] = ""
			}
		}
		rows = append(rows, risk.ImportRow{Row: n, Fields: fields})
	}
	return rows, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
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

func syntaxErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
			return fileErr("Unbalanced quotes in the record starting on line %d (line %d): a quoted cell must end with a closing quote, and a quote inside a cell is written twice (\"\").", pe.StartLine, pe.Line)
		}
		return fileErr("The file is not valid CSV at line %d: %v.", pe.Line, pe.Err)
	}
	return fmt.Errorf("read the CSV: %w", err)
}
