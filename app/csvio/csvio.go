// Package csvio is the CSV format of the risk register: its columns, the
// formula neutralisation of user text and the writing of export rows.
package csvio

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/risk"
)

// Columns of an export, in order. version is the risk's version when it
// was exported: an import refuses to update a risk whose version has
// changed since (see risk.Importer).
var Columns = []string{
	"identifier", "id", "title", "description", "category", "department", "status",
	"probability", "impact", "inherent_score", "inherent_level",
	"residual_probability", "residual_impact", "residual_score", "residual_level",
	"assignee_email", "assignee_name", "treatment_type", "treatment_description",
	"open_tasks", "due_date", "tags", "created_at", "updated_at", "version",
	"risk_type", "threat_objectives",
}

// TagSeparator joins the tags of a risk in one cell.
const TagSeparator = ";"

// BOM is the UTF-8 byte order mark Excel needs to read UTF-8.
const BOM = "\ufeff"

// SafeCell neutralises a user-supplied text cell that a spreadsheet would
// evaluate as a formula: when its first character after optional spaces is
// = + - @, TAB, CR or NUL, it is prefixed with a single quote (OWASP CSV
// injection, ASVS V1.2.10). Quoting is left to the Writer.
func SafeCell(s string) string {
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r', 0:
		return "'" + s
	}
	return s
}

// Record is one export row.
type Record struct {
	Risk                 *risk.Risk
	Matrix               *risk.Matrix // the matrix of the risk's register; nil when unknown
	TreatmentType        string
	TreatmentDescription string
	OpenTasks            int
}

// Writer writes export rows as RFC 4180 CSV: CRLF between records, every
// field's characters exactly as stored (see writeRecord).
type Writer struct {
	w   *bufio.Writer
	buf []string
}

// NewWriter writes the optional BOM and the header row; it returns the
// error of writing them.
func NewWriter(w io.Writer, bom bool) (*Writer, error) {
	if bom {
		if _, err := io.WriteString(w, BOM); err != nil {
			return nil, err
		}
	}
	bw := bufio.NewWriter(w)
	if err := writeRecord(bw, Columns); err != nil {
		return nil, err
	}
	return &Writer{w: bw, buf: make([]string, len(Columns))}, nil
}

func levelName(m *risk.Matrix, idx *int) string {
	if idx == nil || m == nil {
		return ""
	}
	return m.LevelAt(*idx).Name
}

func date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// Write writes one record; it returns the error of a write that failed,
// this one or an earlier one.
func (w *Writer) Write(rec *Record) error {
	r := rec.Risk
	var email, name string
	if r.Assignee != nil {
		email, name = r.Assignee.Email, r.Assignee.Name
	}
	b := w.buf
	b[0] = risk.FormatIdentifier(r.Number)
	b[1] = r.ID
	b[2] = SafeCell(r.Title)
	b[3] = SafeCell(r.Description)
	b[4] = r.Category
	b[5] = r.Department
	b[6] = r.Status
	b[7] = strconv.Itoa(r.Probability)
	b[8] = strconv.Itoa(r.Impact)
	b[9] = strconv.Itoa(r.Probability * r.Impact)
	b[10] = SafeCell(levelName(rec.Matrix, r.InherentLevel))
	b[11] = strconv.Itoa(r.ResidualProbability)
	b[12] = strconv.Itoa(r.ResidualImpact)
	b[13] = strconv.Itoa(r.ResidualProbability * r.ResidualImpact)
	b[14] = SafeCell(levelName(rec.Matrix, r.ResidualLevel))
	b[15] = SafeCell(email)
	b[16] = SafeCell(name)
	b[17] = rec.TreatmentType
	b[18] = SafeCell(rec.TreatmentDescription)
	b[19] = strconv.Itoa(rec.OpenTasks)
	b[20] = date(r.DueDate)
	b[21] = SafeCell(strings.Join(r.Tags, TagSeparator))
	b[22] = r.CreatedAt.UTC().Format(time.RFC3339)
	b[23] = r.UpdatedAt.UTC().Format(time.RFC3339)
	b[24] = strconv.Itoa(r.Version)
	b[25] = r.Type
	b[26] = strings.Join(r.ThreatObjectives, TagSeparator)
	return writeRecord(w.w, b)
}

// Flush writes the buffered records to the underlying writer; it returns
// the error of that write or of any earlier one.
func (w *Writer) Flush() error {
	return w.w.Flush()
}
