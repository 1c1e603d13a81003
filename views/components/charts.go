package components

import (
	"fmt"
	"strings"
	"time"
)

// Chart geometry (SVG user units); the SVG scales to its container.
const (
	chartW, chartH                      = 720, 220
	chartLeft, chartRight               = 40, 12
	chartTop, chartBottom               = 12, 28
	chartPlotW, chartPlotH              = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
	chartViewBox                        = "0 0 720 220"
	chartLabelY                         = chartH - 8
	chartAxisX, chartAxisY0, chartAxisY = chartLeft, chartTop, chartTop + chartPlotH
)

// LineSeries is one line of a LineChart: a value per x position.
type LineSeries struct {
	Name   string
	Color  string // #rrggbb; "" draws in the text colour
	Dashed bool
	Values []int
}

// LineChart is a server-drawn line chart over evenly spaced x positions
// (weeks), with a table of the same numbers for screen readers and print.
type LineChart struct {
	ID      string
	Title   string
	Summary string   // the accessible description
	XLabels []string // one per x position, e.g. week-ending dates
	Series  []LineSeries
}

// Max is the largest value (at least 1), the top of the y axis.
func (c LineChart) Max() int {
	m := 1
	for _, s := range c.Series {
		for _, v := range s.Values {
			m = max(m, v)
		}
	}
	return m
}

func (c LineChart) x(i int) float64 {
	n := len(c.XLabels)
	if n <= 1 {
		return chartLeft
	}
	return chartLeft + float64(i)*chartPlotW/float64(n-1)
}

func (c LineChart) y(v int) float64 {
	return chartTop + chartPlotH*(1-float64(v)/float64(c.Max()))
}

// Points returns series i as SVG polyline points.
func (c LineChart) Points(i int) string {
	var b strings.Builder
	for k, v := range c.Series[i].Values {
		fmt.Fprintf(&b, "%.1f,%.1f ", c.x(k), c.y(v))
	}
	return strings.TrimSpace(b.String())
}

// Stroke is a series' stroke colour.
func (s LineSeries) Stroke() string {
	if s.Color == "" {
		return "currentColor"
	}
	return s.Color
}

// DashArray is the stroke-dasharray of a series.
func (s LineSeries) DashArray() string {
	if s.Dashed {
		return "6 4"
	}
	return "none"
}

// XTicks returns the x positions and labels shown under the axis: the
// first, the last and a few between.
func (c LineChart) XTicks() []Tick {
	n := len(c.XLabels)
	if n == 0 {
		return nil
	}
	var out []Tick
	step := max(1, (n-1)/4)
	for i := 0; i < n; i += step {
		if n-1-i < step/2 && i != n-1 {
			continue
		}
		out = append(out, Tick{X: c.x(i), Label: c.XLabels[i]})
	}
	if out[len(out)-1].Label != c.XLabels[n-1] {
		out = append(out, Tick{X: c.x(n - 1), Label: c.XLabels[n-1]})
	}
	return out
}

// Tick is an axis label at X.
type Tick struct {
	X     float64
	Label string
}

// Anchor keeps the labels at the ends inside the chart.
func (t Tick) Anchor() string {
	switch {
	case t.X <= chartLeft+40:
		return "start"
	case t.X >= chartW-chartRight-40:
		return "end"
	}
	return "middle"
}

// YTicks are 0, half and the maximum.
func (c LineChart) YTicks() []YTick {
	m := c.Max()
	out := []YTick{{Y: c.y(0), Label: "0"}, {Y: c.y(m), Label: fmt.Sprint(m)}}
	if m >= 4 {
		out = append(out, YTick{Y: c.y(m / 2), Label: fmt.Sprint(m / 2)})
	}
	return out
}

// YTick is a y-axis label and grid line at Y.
type YTick struct {
	Y     float64
	Label string
}

// Step is a value from At on.
type Step struct {
	At    time.Time
	Value int
	Color string // the level colour of the point; "" when not assessed
	Label string // the level's name
}

// StepSeries is one step line of a StepChart.
type StepSeries struct {
	Name   string
	Dashed bool
	Steps  []Step
}

// StepChart is a server-drawn step line chart of scores (0-100) over
// time, from From to To, with a table of the changes.
type StepChart struct {
	ID       string
	Title    string
	Summary  string
	From, To time.Time
	Series   []StepSeries
}

func (c StepChart) x(t time.Time) float64 {
	span := c.To.Sub(c.From)
	if span <= 0 {
		return chartLeft
	}
	f := float64(t.Sub(c.From)) / float64(span)
	return chartLeft + chartPlotW*min(1, max(0, f))
}

func (c StepChart) y(v int) float64 { return chartTop + chartPlotH*(1-float64(v)/100) }

// Path returns series i as an SVG path of horizontal and vertical steps,
// ending at To.
func (c StepChart) Path(i int) string {
	steps := c.Series[i].Steps
	if len(steps) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "M%.1f %.1f", c.x(steps[0].At), c.y(steps[0].Value))
	for _, s := range steps[1:] {
		fmt.Fprintf(&b, " H%.1f V%.1f", c.x(s.At), c.y(s.Value))
	}
	fmt.Fprintf(&b, " H%.1f", c.x(c.To))
	return b.String()
}

// Dots are the points where series i changed, with their level colours.
func (c StepChart) Dots(i int) []Dot {
	var out []Dot
	for _, s := range c.Series[i].Steps {
		color := s.Color
		if color == "" {
			color = "#94a3b8"
		}
		out = append(out, Dot{X: c.x(s.At), Y: c.y(s.Value), Color: color})
	}
	return out
}

// Dot is a marked point.
type Dot struct {
	X, Y  float64
	Color string
}

// XTicks label the start and the end.
func (c StepChart) XTicks() []Tick {
	return []Tick{{X: c.x(c.From), Label: c.From.Format("2 Jan 2006")}, {X: c.x(c.To), Label: c.To.Format("2 Jan 2006")}}
}

// YTicks are 0, 50 and 100.
func (c StepChart) YTicks() []YTick {
	return []YTick{{Y: c.y(0), Label: "0"}, {Y: c.y(50), Label: "50"}, {Y: c.y(100), Label: "100"}}
}

// Rows are the table fallback: one row per change of any series, with
// every series' value then.
func (c StepChart) Rows() []StepRow {
	var times []time.Time
	seen := map[time.Time]bool{}
	for _, s := range c.Series {
		for _, st := range s.Steps {
			if !seen[st.At] {
				seen[st.At] = true
				times = append(times, st.At)
			}
		}
	}
	for i := 1; i < len(times); i++ {
		for j := i; j > 0 && times[j].Before(times[j-1]); j-- {
			times[j], times[j-1] = times[j-1], times[j]
		}
	}
	out := make([]StepRow, len(times))
	for i, t := range times {
		out[i].At = t
		for _, s := range c.Series {
			cell := "—"
			for _, st := range s.Steps {
				if !st.At.After(t) {
					cell = fmt.Sprint(st.Value)
					if st.Label != "" {
						cell += " (" + st.Label + ")"
					}
				}
			}
			out[i].Values = append(out[i].Values, cell)
		}
	}
	return out
}

// StepRow is one row of a StepChart's table.
type StepRow struct {
	At     time.Time
	Values []string
}

// F formats an SVG coordinate.
func F(v float64) string { return fmt.Sprintf("%.1f", v) }
