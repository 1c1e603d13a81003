package risk

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/riskreg/riskreg/app/apperr"
)

// ScaleLevel is one likelihood or impact level: its name and the upper
// bound of its band on the 0-10 scale (the lower bound is the previous
// level's upper bound plus one).
type ScaleLevel struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Upper       int    `json:"upper"`
}

// RiskLevel is one cell value of the matrix: a named, coloured level.
type RiskLevel struct {
	Name  string `json:"name"`
	Color string `json:"color"` // #rrggbb
}

// Matrix scores risks: it maps a probability and an impact to a risk level.
// Grid is indexed [likelihood][impact], lowest first.
type Matrix struct {
	Likelihood []ScaleLevel `json:"likelihood"`
	Impact     []ScaleLevel `json:"impact"`
	Levels     []RiskLevel  `json:"levels"`
	Grid       [][]int      `json:"grid"`
	Tolerance  int          `json:"tolerance"` // risk-level index; above it is outside appetite
}

// Level is a computed risk level.
type Level struct {
	Index int
	Name  string
	Color string
}

// DefaultMatrix returns the 5x5 matrix every new register starts with
// (DESIGN section 5): levels by the product of the level numbers.
func DefaultMatrix() Matrix {
	scale := func() []ScaleLevel {
		return []ScaleLevel{
			{Name: "Very Low", Upper: 2}, {Name: "Low", Upper: 4}, {Name: "Moderate", Upper: 6},
			{Name: "High", Upper: 8}, {Name: "Very High", Upper: 10},
		}
	}
	m := Matrix{
		Likelihood: scale(),
		Impact:     scale(),
		Levels: []RiskLevel{
			{Name: "Low", Color: "#4ade80"}, {Name: "Medium", Color: "#facc15"},
			{Name: "High", Color: "#fb923c"}, {Name: "Critical", Color: "#dc2626"},
		},
		Tolerance: 1,
	}
	m.Grid = make([][]int, 5)
	for l := range 5 {
		m.Grid[l] = make([]int, 5)
		for i := range 5 {
			switch p := (l + 1) * (i + 1); {
			case p <= 4:
				m.Grid[l][i] = 0
			case p <= 9:
				m.Grid[l][i] = 1
			case p <= 16:
				m.Grid[l][i] = 2
			default:
				m.Grid[l][i] = 3
			}
		}
	}
	return m
}

// band returns the index of the level whose band holds v, or -1 when v is
// 0 (not assessed) or out of range.
func band(levels []ScaleLevel, v int) int {
	if v <= 0 {
		return -1
	}
	for i, l := range levels {
		if v <= l.Upper {
			return i
		}
	}
	return -1
}

// LikelihoodIndex returns the likelihood level index of a probability, or -1.
func (m *Matrix) LikelihoodIndex(probability int) int { return band(m.Likelihood, probability) }

// ImpactIndex returns the impact level index of an impact value, or -1.
func (m *Matrix) ImpactIndex(impact int) int { return band(m.Impact, impact) }

// LevelOf returns the risk level of a probability and impact; ok is false
// when either is not assessed.
func (m *Matrix) LevelOf(probability, impact int) (Level, bool) {
	li, ii := m.LikelihoodIndex(probability), m.ImpactIndex(impact)
	if li < 0 || ii < 0 {
		return Level{}, false
	}
	return m.level(m.Grid[li][ii]), true
}

// LevelIndexOf returns the risk-level index, or nil when not assessed.
func (m *Matrix) LevelIndexOf(probability, impact int) *int {
	lv, ok := m.LevelOf(probability, impact)
	if !ok {
		return nil
	}
	return &lv.Index
}

func (m *Matrix) level(idx int) Level {
	if idx < 0 || idx >= len(m.Levels) {
		return Level{Index: idx, Name: "?", Color: "#9ca3af"}
	}
	return Level{Index: idx, Name: m.Levels[idx].Name, Color: m.Levels[idx].Color}
}

// LevelAt returns the risk level with index idx.
func (m *Matrix) LevelAt(idx int) Level { return m.level(idx) }

// OutsideAppetite reports whether a level is above the tolerance.
func (m *Matrix) OutsideAppetite(lv Level) bool { return lv.Index > m.Tolerance }

// BandValue returns the value a form stores when a user picks scale level
// idx: the current value when it already lies in that band, otherwise the
// band's upper bound.
func BandValue(levels []ScaleLevel, idx, current int) int {
	if band(levels, current) == idx {
		return current
	}
	return levels[idx].Upper
}

// BandLabel returns "1–2" style text for level idx.
func BandLabel(levels []ScaleLevel, idx int) string {
	lo := 1
	if idx > 0 {
		lo = levels[idx-1].Upper + 1
	}
	if lo == levels[idx].Upper {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d–%d", lo, levels[idx].Upper)
}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Validate checks the matrix: 3 to 6 levels per axis, bands covering 1-10
// without gaps or overlaps, a grid of the right size, valid colours and a
// valid tolerance.
func (m *Matrix) Validate() error {
	fe := apperr.FieldErrors{}
	checkScale := func(field string, levels []ScaleLevel) {
		if len(levels) < 3 || len(levels) > 6 {
			fe.Add(field, "Needs 3 to 6 levels")
			return
		}
		prev := 0
		for i, l := range levels {
			if strings.TrimSpace(l.Name) == "" {
				fe.Add(field, fmt.Sprintf("Level %d needs a name", i+1))
			}
			if l.Upper <= prev {
				fe.Add(field, fmt.Sprintf("Level %d's band must end above %d", i+1, prev))
			}
			prev = l.Upper
		}
		if prev != 10 {
			fe.Add(field, "The last band must end at 10")
		}
	}
	checkScale("likelihood", m.Likelihood)
	checkScale("impact", m.Impact)
	if len(m.Levels) < 2 || len(m.Levels) > 8 {
		fe.Add("levels", "Needs 2 to 8 risk levels")
	}
	for i, l := range m.Levels {
		if strings.TrimSpace(l.Name) == "" {
			fe.Add("levels", fmt.Sprintf("Risk level %d needs a name", i+1))
		}
		if !colorRE.MatchString(l.Color) {
			fe.Add("levels", fmt.Sprintf("Risk level %d needs a colour like #a1b2c3", i+1))
		}
	}
	if len(m.Grid) != len(m.Likelihood) {
		fe.Add("grid", "The grid needs one row per likelihood level")
	}
	for _, row := range m.Grid {
		if len(row) != len(m.Impact) {
			fe.Add("grid", "Every grid row needs one cell per impact level")
			break
		}
		for _, v := range row {
			if v < 0 || v >= len(m.Levels) {
				fe.Add("grid", "Every grid cell must name an existing risk level")
				break
			}
		}
	}
	if m.Tolerance < 0 || m.Tolerance >= len(m.Levels) {
		fe.Add("tolerance", "The tolerance must be one of the risk levels")
	}
	return fe.Err()
}

// TextColor returns a text colour readable on background bg (#rrggbb):
// near-black on light colours, white on dark ones (WCAG contrast); "" when
// bg is not a valid colour.
func TextColor(bg string) string {
	if !colorRE.MatchString(bg) {
		return ""
	}
	var r, g, b int
	fmt.Sscanf(bg[1:], "%02x%02x%02x", &r, &g, &b)
	lum := relLum(r)*0.2126 + relLum(g)*0.7152 + relLum(b)*0.0722
	// Contrast with white is 1.05/(lum+0.05); with #111827 (lum≈0.012) it is (lum+0.05)/0.062.
	if 1.05/(lum+0.05) >= (lum+0.05)/0.062 {
		return "#ffffff"
	}
	return "#111827"
}

func relLum(c int) float64 {
	v := float64(c) / 255
	if v <= 0.03928 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}
