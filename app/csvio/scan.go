package csvio

import (
	"bytes"
	"errors"
	"strings"
)

// Syntax errors of scanner, named as encoding/csv names them.
var (
	errQuote     = errors.New(`extraneous or missing " in quoted-field`)
	errBareQuote = errors.New(`bare " in non-quoted-field`)
)

// syntaxError is a CSV syntax error with the lines where its record starts
// and where the error is.
type syntaxError struct {
	StartLine, Line int
	Err             error
}

func (e *syntaxError) Error() string { return e.Err.Error() }

// scanner splits CSV data into records and fields as encoding/csv's Reader
// does with its defaults (comma separated, LF or CRLF record ends, empty
// lines skipped, strict quotes, a trailing CR at the end of the file
// dropped), with one difference: a quoted field keeps every byte, so a CRLF
// inside it stays CRLF where encoding/csv reads LF. It allocates nothing: a
// field is a slice of the input, so a caller pays only for the fields it
// keeps, however many columns a file has.
type scanner struct {
	data    []byte
	pos     int // offset of the next byte
	line    int // line of data[pos], from 1
	recLine int // line where the current record starts
}

func newScanner(data []byte) *scanner { return &scanner{data: data, line: 1} }

// nextRecord skips empty lines and reports whether a record starts at pos;
// false means the end of the data.
func (s *scanner) nextRecord() bool {
	d := s.data
	for s.pos < len(d) {
		switch {
		case d[s.pos] == '\n':
			s.pos++
			s.line++
		case d[s.pos] == '\r' && (s.pos+1 == len(d) || d[s.pos+1] == '\n'):
			s.pos++
		default:
			s.recLine = s.line
			return true
		}
	}
	return false
}

// field reads the next field of the current record and reports whether it
// was the record's last. raw is the field as written: for a quoted field,
// the bytes between its quotes, each quote in it still doubled (see
// cell.writeTo). The error is a *syntaxError.
func (s *scanner) field() (raw []byte, quoted, last bool, err error) {
	d := s.data
	if s.pos < len(d) && d[s.pos] == '"' {
		start := s.pos + 1
		end := start // the closing quote, once found
		for {
			i := bytes.IndexByte(d[end:], '"')
			if i < 0 {
				// Like encoding/csv, report the last line that has content
				// once a CR at the end of the file is dropped.
				rest := bytes.TrimSuffix(d[s.pos:], []byte{'\r'})
				s.line += bytes.Count(rest, []byte{'\n'})
				if bytes.HasSuffix(rest, []byte{'\n'}) {
					s.line--
				}
				s.pos = len(d)
				return nil, false, true, s.errorAt(errQuote)
			}
			end += i
			if end+1 < len(d) && d[end+1] == '"' {
				end += 2
				continue
			}
			break
		}
		raw = d[start:end]
		s.line += bytes.Count(raw, []byte{'\n'})
		s.pos = end + 1
		switch {
		case s.pos == len(d):
			return raw, true, true, nil
		case d[s.pos] == ',':
			s.pos++
			return raw, true, false, nil
		case d[s.pos] == '\n':
			s.pos++
			s.line++
			return raw, true, true, nil
		case d[s.pos] == '\r' && s.pos+1 == len(d):
			s.pos++
			return raw, true, true, nil
		case d[s.pos] == '\r' && d[s.pos+1] == '\n':
			s.pos += 2
			s.line++
			return raw, true, true, nil
		}
		return nil, false, true, s.errorAt(errQuote)
	}
	end := s.pos
	for end < len(d) && d[end] != ',' && d[end] != '\n' {
		end++
	}
	raw = d[s.pos:end]
	switch {
	case end == len(d):
		s.pos, last = end, true
	case d[end] == ',':
		s.pos = end + 1
	default:
		s.pos, last = end+1, true
	}
	if last {
		raw = bytes.TrimSuffix(raw, []byte{'\r'})
	}
	if bytes.IndexByte(raw, '"') >= 0 {
		return nil, false, true, s.errorAt(errBareQuote)
	}
	if last && end < len(d) {
		s.line++
	}
	return raw, false, last, nil
}

func (s *scanner) errorAt(err error) error {
	return &syntaxError{StartLine: s.recLine, Line: s.line, Err: err}
}

// cell is a field as scanner.field returns it.
type cell struct {
	raw    []byte // for a quoted field, the bytes between its quotes
	quoted bool
}

// writeTo writes the value of the cell to b: a quoted field without its
// doubled quotes, every other byte as it is.
func (c cell) writeTo(b *strings.Builder) {
	raw := c.raw
	for c.quoted {
		i := bytes.IndexByte(raw, '"')
		if i < 0 {
			break
		}
		b.Write(raw[:i+1])
		raw = raw[i+2:]
	}
	b.Write(raw)
}

// String returns the value of the cell.
func (c cell) String() string {
	var b strings.Builder
	c.writeTo(&b)
	return b.String()
}
