// Package heatmap renders the heat map page: a register's matrix with the
// number of risks per cell, the drill-down to a cell's risks and the
// movement from inherent to residual cells.
package heatmap

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/components"
	"github.com/riskreg/riskreg/views/risks"
)

// DOM ids and paths.
const (
	Path         = "/heatmap"
	ViewID       = "heatmap-view"
	FiltersID    = "heatmap-filters"
	CellListID   = "heatmap-cell-risks"
	KindInherent = "inherent"
	KindResidual = "residual"
	ViewGrid     = "grid"
	ViewMovement = "movement"
)

// Cell is a selected cell: likelihood and impact level indexes.
type Cell struct{ L, I int }

// VM is the heat map page.
type VM struct {
	Registers []*risk.Register
	Register  *risk.Register
	Query     risk.ListQuery // the register filters (no cell)
	Residual  bool
	View      string // ViewGrid or ViewMovement
	Map       risk.Heatmap
	Moves     []risk.MoveCount
	Cell      *Cell     // the selected cell, if any
	CellRisks risk.Page // its risks (first page)
	Errors    map[string][]string
	Today     time.Time
	// AsOf is the past day shown (read-only); nil is today.
	AsOf *time.Time
}

// TodayURL is the same heat map today.
func (vm VM) TodayURL() string {
	vm.Query.AsOf = nil
	return vm.URL(vm.Residual, vm.View, nil)
}

// Kind returns KindInherent or KindResidual.
func (vm VM) Kind() string {
	if vm.Residual {
		return KindResidual
	}
	return KindInherent
}

// URL returns the heat map URL for the same filters with the given kind,
// view and selected cell.
func (vm VM) URL(residual bool, view string, cell *Cell) string {
	q := vm.Query
	q.Page = 1
	v := risks.Values(q)
	if vm.Register != nil {
		v.Set("register", vm.Register.ID)
	}
	if residual {
		v.Set("kind", KindResidual)
	}
	if view == ViewMovement {
		v.Set("view", ViewMovement)
	}
	if cell != nil {
		v.Set("cell", fmt.Sprintf("%d-%d", cell.L, cell.I))
	}
	return Path + "?" + v.Encode()
}

// RegisterURL returns the register filtered to exactly the risks of cell
// (l, i) of the current kind.
func (vm VM) RegisterURL(l, i int) string {
	q := risk.CellQuery(vm.Query, &vm.Register.Matrix, vm.Residual, l, i)
	q.RegisterID = vm.Register.ID
	return risks.RegisterPath + "?" + risks.Values(q).Encode()
}

// MoveURL returns the register filtered to the risks of a movement.
func (vm VM) MoveURL(m risk.MoveCount) string {
	q := risk.CellQuery(vm.Query, &vm.Register.Matrix, false, m.From[0], m.From[1])
	q = risk.CellQuery(q, &vm.Register.Matrix, true, m.To[0], m.To[1])
	q.RegisterID = vm.Register.ID
	return risks.RegisterPath + "?" + risks.Values(q).Encode()
}

// CellVM is one rendered cell.
type CellVM struct {
	L, I     int
	Count    int
	Level    risk.Level
	Label    string
	URL      string
	Selected bool
	Class    string // colour and tolerance borders
}

// Rows returns the cells row by row, highest likelihood first.
func (vm VM) Rows() [][]CellVM {
	m := &vm.Register.Matrix
	out := make([][]CellVM, 0, len(m.Likelihood))
	outside := func(l, i int) bool { return m.OutsideAppetite(m.LevelAt(m.Grid[l][i])) }
	for l := len(m.Likelihood) - 1; l >= 0; l-- {
		row := make([]CellVM, 0, len(m.Impact))
		for i := range m.Impact {
			n := 0
			if l < len(vm.Map.Counts) && i < len(vm.Map.Counts[l]) {
				n = vm.Map.Counts[l][i]
			}
			lv := m.LevelAt(m.Grid[l][i])
			classes := []string{}
			if n > 0 {
				classes = append(classes, components.LevelClass(lv.Color))
			} else {
				classes = append(classes, "text-slate-700 dark:text-slate-200")
			}
			if outside(l, i) {
				if l+1 < len(m.Likelihood) && !outside(l+1, i) {
					classes = append(classes, "border-t-4 border-t-slate-900 dark:border-t-white")
				}
				if l > 0 && !outside(l-1, i) {
					classes = append(classes, "border-b-4 border-b-slate-900 dark:border-b-white")
				}
				if i > 0 && !outside(l, i-1) {
					classes = append(classes, "border-l-4 border-l-slate-900 dark:border-l-white")
				}
				if i+1 < len(m.Impact) && !outside(l, i+1) {
					classes = append(classes, "border-r-4 border-r-slate-900 dark:border-r-white")
				}
			}
			c := &Cell{L: l, I: i}
			row = append(row, CellVM{L: l, I: i, Count: n, Level: lv, Label: risk.CellLabel(m, l, i, n),
				URL: vm.URL(vm.Residual, ViewGrid, c), Selected: vm.Cell != nil && *vm.Cell == *c, Class: strings.Join(classes, " ")})
		}
		out = append(out, row)
	}
	return out
}

// GridClass returns the grid template for the impact level count.
func (vm VM) GridClass() string {
	switch len(vm.Register.Matrix.Impact) {
	case 3:
		return "grid-cols-[auto_repeat(3,minmax(40px,1fr))] sm:grid-cols-[auto_repeat(3,minmax(72px,1fr))]"
	case 4:
		return "grid-cols-[auto_repeat(4,minmax(40px,1fr))] sm:grid-cols-[auto_repeat(4,minmax(72px,1fr))]"
	case 5:
		return "grid-cols-[auto_repeat(5,minmax(40px,1fr))] sm:grid-cols-[auto_repeat(5,minmax(72px,1fr))]"
	default:
		return "grid-cols-[auto_repeat(6,minmax(40px,1fr))] sm:grid-cols-[auto_repeat(6,minmax(72px,1fr))]"
	}
}

// CellTitle returns the selected cell's label.
func (vm VM) CellTitle() string {
	return risk.CellLabel(&vm.Register.Matrix, vm.Cell.L, vm.Cell.I, vm.CellRisks.Total)
}

// Level returns the level of the selected cell or of a movement end.
func (vm VM) LevelAt(l, i int) risk.Level {
	m := &vm.Register.Matrix
	return m.LevelAt(m.Grid[l][i])
}

// CellName returns "High × Major" for cell (l, i).
func (vm VM) CellName(l, i int) string {
	m := &vm.Register.Matrix
	return m.Likelihood[l].Name + " × " + m.Impact[i].Name
}

// Hidden returns the active filters the filter form has no field for, so
// that changing a field keeps them.
func (vm VM) Hidden() url.Values {
	v := risks.Values(vm.Query)
	for _, k := range []string{"q", "status", "category", "department", "register", "sort", "page", "per_page"} {
		v.Del(k)
	}
	return v
}

// segClass returns the classes of a segmented-switch item.
func segClass(active bool) string {
	if active {
		return "btn btn-primary btn-sm cursor-pointer"
	}
	return "btn btn-secondary btn-sm cursor-pointer"
}

// flatErrors joins every field error of the filters.
func flatErrors(errs map[string][]string) []string {
	var out []string
	for k, msgs := range errs {
		for _, m := range msgs {
			out = append(out, k+": "+m)
		}
	}
	return out
}
