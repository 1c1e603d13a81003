// Package dashboard renders the home page: counts by level, risks outside
// appetite, a small heat map, the top risks, overdue work and recent
// activity; every number links to the register filtered to those risks.
package dashboard

import (
	"net/url"
	"strconv"
	"time"

	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/heatmap"
	"github.com/riskreg/riskreg/views/incidents"
	"github.com/riskreg/riskreg/views/risks"
)

// VM is the dashboard.
type VM struct {
	Register      *risk.Register
	Inherent      []LevelCount
	Residual      []LevelCount
	OutOfAppetite Number
	Overdue       Number
	Total         Number
	Heatmap       heatmap.VM
	Top           []*risk.Risk
	Events        []*audit.Event
	Today         time.Time
	Incidents     incidents.DashboardVM
}

// LevelCount is the number of risks at one level.
type LevelCount struct {
	Level risk.Level
	Count int
	URL   string
	Width string // a whole Tailwind width class for the bar
}

// Number is a count and the register URL listing exactly those risks.
type Number struct {
	Count int
	URL   string
}

// RegisterURL returns the register URL for q.
func RegisterURL(q risk.ListQuery) string {
	q.Page = 1
	if enc := risks.Values(q).Encode(); enc != "" {
		return risks.RegisterPath + "?" + enc
	}
	return risks.RegisterPath
}

// barWidths are bar widths in twelfths, as whole class names.
var barWidths = []string{"w-0", "w-1/12", "w-2/12", "w-3/12", "w-4/12", "w-5/12", "w-6/12", "w-7/12", "w-8/12", "w-9/12", "w-10/12", "w-11/12", "w-full"}

// BarWidth returns the bar class for n of max.
func BarWidth(n, max int) string {
	if max <= 0 || n <= 0 {
		return barWidths[0]
	}
	k := (n*12 + max - 1) / max
	return barWidths[min(k, 12)]
}

// TopURL is the register sorted by residual score.
func (vm VM) TopURL() string {
	return risks.RegisterPath + "?" + url.Values{"register": {vm.Register.ID}, "sort": {"-residual"}}.Encode()
}

// EventText describes an event in a few words.
func EventText(e *audit.Event) string {
	return e.Actor.Name + " " + e.Action + " " + e.EntityType + " " + e.EntityLabel
}

// EventURL links an event to its risk, when it still exists.
func EventURL(e *audit.Event) string {
	if e.EntityType == audit.EntityRisk && e.Action != audit.ActionDeleted {
		return risks.RegisterPath + "/" + e.EntityLabel
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }
