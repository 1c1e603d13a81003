// Package registers renders the register settings pages: the list, the
// register form with its matrix editor, and the CISO Assistant YAML import.
package registers

import (
	"net/url"
	"strconv"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// Paths shared by templates and handlers.
const (
	ListPath   = "/settings/registers"
	NewPath    = "/settings/registers/new"
	ImportPath = "/settings/registers/import"
)

// EditPath is a register's settings page.
func EditPath(id string) string { return ListPath + "/" + url.PathEscape(id) }

// ExportPath is a register's matrix download.
func ExportPath(id string) string { return EditPath(id) + "/matrix.yaml" }

// ListVM is the registers list with the import form.
type ListVM struct {
	Registers []*risk.Register
	Counts    map[string]int // risks per register id
	Errors    apperr.FieldErrors
}

// FormVM is the register form: new when ID is empty.
type FormVM struct {
	ID          string
	Name        string
	Description string
	Version     int // the version the form was rendered from: the optimistic check
	Matrix      risk.Matrix
	Errors      apperr.FieldErrors
	// Reviews is the review-interval form of a saved register (issue 11).
	Reviews ReviewsVM
}

// Action is where the form posts.
func (vm FormVM) Action() string {
	if vm.ID == "" {
		return ListPath
	}
	return EditPath(vm.ID)
}

// SizePath is where the size form sends its GET.
func (vm FormVM) SizePath() string {
	if vm.ID == "" {
		return NewPath
	}
	return EditPath(vm.ID)
}

// ErrorCount is the number of fields with errors.
func (vm FormVM) ErrorCount() int { return len(vm.Errors) }

func (vm FormVM) invalid(field string) string {
	if vm.Errors.Has(field) {
		return "true"
	}
	return "false"
}

// Field names of the matrix editor.
func ScaleField(axis string, i int, part string) string {
	return axis + "." + strconv.Itoa(i) + "." + part
}

// LevelField names a risk level input.
func LevelField(k int, part string) string { return "level." + strconv.Itoa(k) + "." + part }

// CellField names a grid cell select.
func CellField(l, i int) string { return "cell." + strconv.Itoa(l) + "." + strconv.Itoa(i) }

// Sizes are the choices of the size form.
var Sizes = []int{3, 4, 5, 6}

// LevelCounts are the choices for the number of risk levels.
var LevelCounts = []int{2, 3, 4, 5, 6, 7, 8}

// Rows returns likelihood indices highest first, as the heat map shows them.
func Rows(m risk.Matrix) []int {
	out := make([]int, len(m.Likelihood))
	for i := range out {
		out[i] = len(m.Likelihood) - 1 - i
	}
	return out
}

// CellLabel is the accessible label of a grid cell select.
func CellLabel(m risk.Matrix, l, i int) string {
	return m.Likelihood[l].Name + " likelihood × " + m.Impact[i].Name + " impact"
}

// CellLevel returns the level of a cell, tolerating a ragged grid.
func CellLevel(m risk.Matrix, l, i int) int {
	if l < len(m.Grid) && i < len(m.Grid[l]) {
		return m.Grid[l][i]
	}
	return 0
}

func itoa(v int) string { return strconv.Itoa(v) }
