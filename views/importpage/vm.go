// Package importpage renders the CSV import pages: the upload form and the
// preview of what an import will do, with its commit form.
package importpage

import (
	"strconv"
	"unicode/utf8"

	"github.com/riskreg/riskreg/app/risk"
)

// Paths and DOM ids shared by templates, handlers and tests.
const (
	Path        = "/import"
	PreviewPath = "/import/preview"
	CommitPath  = "/import/commit"
	// TemplatePath downloads the import template: the columns and one
	// example row.
	TemplatePath     = "/import/template.csv"
	TemplateFilename = "risk-import-template.csv"
	UploadID         = "import-upload"
	PreviewID        = "import-preview"
	CSVField         = "csv" // the hidden textarea carrying the previewed CSV text
	FileField        = "file"
)

// UploadVM is the upload page; FileError is a problem with the whole file.
type UploadVM struct {
	FileError string
}

// PreviewVM is the preview of an uploaded file.
type PreviewVM struct {
	FileName string
	Plan     *risk.Plan
	CSV      string // the file's text, sent back on commit when the plan has no errors
}

// ErrorNotice says how many rows have errors and that nothing imports.
func (vm PreviewVM) ErrorNotice() string {
	verb := "have"
	if vm.Plan.Invalid == 1 {
		verb = "has"
	}
	return Count(vm.Plan.Invalid, "row", "rows") + " " + verb + " errors: nothing can be imported. Fix the file and upload it again."
}

// Count writes n with the noun's singular or plural: "1 row", "2 rows".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Short cuts a change's value to a line's length for the preview.
func Short(s string) string {
	const max = 120
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// CanCommit reports whether every row is valid and something would change.
func (vm PreviewVM) CanCommit() bool { return vm.Plan.Invalid == 0 && len(vm.Plan.Rows) > 0 }

// actionStyle is the badge of a planned row: its text and whole Tailwind
// class literals.
type actionStyle struct{ label, class string }

var (
	errorStyle   = actionStyle{"Error", "badge bg-red-100 text-red-800 dark:bg-red-900 dark:text-red-100"}
	actionStyles = map[string]actionStyle{
		risk.ImportCreated:   {"Create", "badge bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100"},
		risk.ImportUpdated:   {"Update", "badge bg-sky-100 text-sky-800 dark:bg-sky-900 dark:text-sky-100"},
		risk.ImportUnchanged: {"Unchanged", "badge bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200"},
	}
)

func styleOf(r risk.PlannedRow) actionStyle {
	if len(r.Errors) > 0 {
		return errorStyle
	}
	return actionStyles[r.Action]
}

// ActionLabel is the badge text of a planned row.
func ActionLabel(r risk.PlannedRow) string { return styleOf(r).label }

// ActionClass is the badge class of a planned row.
func ActionClass(r risk.PlannedRow) string { return styleOf(r).class }
