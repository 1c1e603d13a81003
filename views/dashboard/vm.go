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
	"github.com/riskreg/riskreg/views/components"
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
	// ReviewsOverdue are the live risks past their next review date.
	ReviewsOverdue Number
	Total          Number
	Heatmap        heatmap.VM
	Top            []*risk.Risk
	Activity       []Activity
	Today          time.Time
	Incidents      incidents.DashboardVM
	// AsOf is the past day shown (read-only); nil is today.
	AsOf *time.Time
	// Trend is the weekly residual levels and outside appetite.
	Trend components.LineChart
}

// TrendChart draws t: a line per residual level in its colour and a
// dashed line of the risks outside appetite.
func TrendChart(t *risk.Trend) components.LineChart {
	c := components.LineChart{ID: "trend-chart", Title: "Residual risks per level and outside appetite, by week"}
	for _, end := range t.Ends {
		c.XLabels = append(c.XLabels, end.Format("2 Jan 2006"))
	}
	for l := len(t.Levels) - 1; l >= 0; l-- {
		c.Series = append(c.Series, components.LineSeries{Name: t.Levels[l].Name, Color: t.Levels[l].Color, Values: t.Counts[l]})
	}
	c.Series = append(c.Series, components.LineSeries{Name: "Outside appetite", Dashed: true, Values: t.OutOfAppetite})
	last := len(t.Ends) - 1
	if last >= 0 {
		c.Summary = "Weekly from " + c.XLabels[0] + " to " + c.XLabels[last] + ": " + itoa(t.OutOfAppetite[last]) +
			" risks outside appetite in the last week, " + itoa(t.OutOfAppetite[0]) + " in the first."
	}
	return c
}

// Activity is one line of Recent activity: who did what to which risk.
type Activity struct {
	At      time.Time
	Actor   string
	Label   string // e.g. RSK-00043
	Title   string // the risk's title; "" when unknown
	URL     string // the risk's page (a deleted risk's too); "" for other entities
	Verb    string // "created", "changed", "deleted", "restored"
	Changes []string
}

// maxActivityChanges is how many changes an activity line lists before
// "and N more".
const maxActivityChanges = 2

// ActivityOf describes events for Recent activity; titles are the risks'
// titles by risk id.
func ActivityOf(events []*audit.Event, titles map[string]string) []Activity {
	out := make([]Activity, 0, len(events))
	for _, e := range events {
		a := Activity{At: e.CreatedAt, Actor: e.Actor.Name, Label: e.EntityLabel, Verb: verb(e)}
		switch e.EntityType {
		case audit.EntityRisk:
			a.Title, a.URL = titles[e.EntityID], risks.RegisterPath+"/"+e.EntityLabel
		case audit.EntityRegister:
			a.Label = "register " + e.EntityLabel
		case audit.EntityAPIKey:
			a.Label = "API key " + e.EntityLabel
		}
		if e.Action == audit.ActionUpdated {
			for i, c := range e.Changes {
				if i == maxActivityChanges {
					a.Changes = append(a.Changes, "and "+itoa(len(e.Changes)-i)+" more")
					break
				}
				a.Changes = append(a.Changes, risks.FieldLabel(c.Field)+": "+short(risks.DisplayValue(c.Field, c.Old))+" → "+short(risks.DisplayValue(c.Field, c.New)))
			}
		}
		out = append(out, a)
	}
	return out
}

func verb(e *audit.Event) string {
	if e.Action == audit.ActionUpdated {
		return "changed"
	}
	return e.Action
}

// short cuts a value to 60 characters for one line.
func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
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

func itoa(n int) string { return strconv.Itoa(n) }
