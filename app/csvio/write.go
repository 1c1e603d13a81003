package csvio

import (
	"bufio"
	"strings"
	"unicode"
	"unicode/utf8"
)

// needsQuotes reports whether a field must be quoted: it holds the
// separator, a quote or a line break, or it starts with a space, which
// some readers trim. A field holding ';' is quoted too, for spreadsheets in
// locales whose decimal mark is a comma, which split cells at ';': a quoted
// field that starts one of their cells stays whole there. Quoting cannot
// help when the field starts in the middle of such a cell (the quote is
// then read as text), so a ';' or a line break inside a field can still
// start a cell there that SafeCell never saw.
func needsQuotes(field string) bool {
	if field == "" {
		return false
	}
	for i := 0; i < len(field); i++ { // strings.ContainsAny builds its set per call: a tenth of an export's CPU
		switch field[i] {
		case ',', ';', '"', '\r', '\n':
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(field)
	return unicode.IsSpace(r)
}

// writeRecord writes fields as one CSV record ended by CRLF (RFC 4180).
// Inside a quoted field every character is written as it is, a quote
// doubled: a LF stays LF and a CR stays CR. encoding/csv's Writer with
// UseCRLF writes LF as CRLF and drops CR, so "a\nb" read back as "a\r\nb"
// in Python, Excel and LibreOffice. It returns the first write error.
func writeRecord(w *bufio.Writer, fields []string) error {
	for i, f := range fields {
		if i > 0 {
			_ = w.WriteByte(',')
		}
		if !needsQuotes(f) {
			_, _ = w.WriteString(f)
			continue
		}
		_ = w.WriteByte('"')
		for {
			j := strings.IndexByte(f, '"')
			if j < 0 {
				break
			}
			_, _ = w.WriteString(f[:j+1])
			_ = w.WriteByte('"')
			f = f[j+1:]
		}
		_, _ = w.WriteString(f)
		_ = w.WriteByte('"')
	}
	// A bufio.Writer keeps its first error and returns it from every later
	// write, so this one reports any failure of the record.
	_, err := w.WriteString("\r\n")
	return err
}
