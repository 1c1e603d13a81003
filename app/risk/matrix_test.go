package risk

import (
	"testing"

	"github.com/riskreg/riskreg/app/apperr"
)

func TestDefaultMatrixLevels(t *testing.T) {
	m := DefaultMatrix()
	if err := m.Validate(); err != nil {
		t.Fatalf("default matrix invalid: %v", err)
	}
	// Expected level by the product of level numbers (DESIGN section 5).
	want := func(l, i int) string {
		switch p := l * i; {
		case p <= 4:
			return "Low"
		case p <= 9:
			return "Medium"
		case p <= 16:
			return "High"
		default:
			return "Critical"
		}
	}
	bandOf := func(v int) int { return (v + 1) / 2 } // 1-2 -> 1, ..., 9-10 -> 5
	for p := 0; p <= 10; p++ {
		for i := 0; i <= 10; i++ {
			lv, ok := m.LevelOf(p, i)
			if p == 0 || i == 0 {
				if ok {
					t.Errorf("LevelOf(%d,%d) = %v, want not assessed", p, i, lv)
				}
				continue
			}
			if !ok || lv.Name != want(bandOf(p), bandOf(i)) {
				t.Errorf("LevelOf(%d,%d) = %q (ok=%v), want %q", p, i, lv.Name, ok, want(bandOf(p), bandOf(i)))
			}
		}
	}
	if lv, _ := m.LevelOf(5, 5); m.OutsideAppetite(lv) {
		t.Errorf("Medium must be inside the tolerance")
	}
	if lv, _ := m.LevelOf(7, 7); !m.OutsideAppetite(lv) {
		t.Errorf("High must be outside the tolerance")
	}
}

// squareMatrix builds an n x n matrix with even bands and a grid by the sum
// of indices, for the 3x3..6x6 cases.
func squareMatrix(n int, uppers []int) Matrix {
	m := Matrix{Levels: []RiskLevel{{"Low", "#00ff00"}, {"Medium", "#ffff00"}, {"High", "#ff0000"}}, Tolerance: 1}
	for k := range n {
		m.Likelihood = append(m.Likelihood, ScaleLevel{Name: "L", Upper: uppers[k]})
		m.Impact = append(m.Impact, ScaleLevel{Name: "I", Upper: uppers[k]})
	}
	m.Grid = make([][]int, n)
	for l := range n {
		m.Grid[l] = make([]int, n)
		for i := range n {
			m.Grid[l][i] = min(2, (l+i)*3/(2*n-1))
		}
	}
	return m
}

func TestMatrixSizes(t *testing.T) {
	cases := []struct {
		n      int
		uppers []int
	}{
		{3, []int{3, 7, 10}},
		{4, []int{2, 5, 8, 10}},
		{5, []int{2, 4, 6, 8, 10}},
		{6, []int{1, 3, 5, 7, 9, 10}},
	}
	for _, c := range cases {
		m := squareMatrix(c.n, c.uppers)
		if err := m.Validate(); err != nil {
			t.Fatalf("%dx%d: %v", c.n, c.n, err)
		}
		for p := 1; p <= 10; p++ {
			for i := 1; i <= 10; i++ {
				li, ii := m.LikelihoodIndex(p), m.ImpactIndex(i)
				lv, ok := m.LevelOf(p, i)
				if !ok || lv.Index != m.Grid[li][ii] {
					t.Fatalf("%dx%d LevelOf(%d,%d) = %d, want grid[%d][%d] = %d", c.n, c.n, p, i, lv.Index, li, ii, m.Grid[li][ii])
				}
				lo := 1
				if li > 0 {
					lo = c.uppers[li-1] + 1
				}
				if p < lo || p > c.uppers[li] {
					t.Fatalf("%dx%d: probability %d put in band %d (%d-%d)", c.n, c.n, p, li, lo, c.uppers[li])
				}
			}
		}
	}
}

func TestMatrixValidate(t *testing.T) {
	bad := map[string]func(m *Matrix){
		"likelihood": func(m *Matrix) { m.Likelihood = m.Likelihood[:2]; m.Grid = m.Grid[:2] },
		"impact":     func(m *Matrix) { m.Impact[2].Upper = m.Impact[1].Upper }, // overlap
		"levels":     func(m *Matrix) { m.Levels[0].Color = "red; x:y" },
		"grid":       func(m *Matrix) { m.Grid[0][0] = 9 },
		"tolerance":  func(m *Matrix) { m.Tolerance = 7 },
	}
	for field, mutate := range bad {
		m := DefaultMatrix()
		mutate(&m)
		err := m.Validate()
		e, ok := apperr.As(err)
		if !ok || !e.Fields.Has(field) {
			t.Errorf("%s: got %v, want an error naming %s", field, err, field)
		}
	}
	m := DefaultMatrix()
	m.Likelihood[4].Upper = 9 // gap: 10 uncovered
	if e, ok := apperr.As(m.Validate()); !ok || !e.Fields.Has("likelihood") {
		t.Errorf("a band ending below 10 must be refused")
	}
}

func TestBandValueKeepsCurrentValue(t *testing.T) {
	levels := DefaultMatrix().Likelihood
	if got := BandValue(levels, 1, 3); got != 3 {
		t.Errorf("BandValue(Low, 3) = %d, want 3 (kept)", got)
	}
	if got := BandValue(levels, 3, 3); got != 8 {
		t.Errorf("BandValue(High, 3) = %d, want 8 (upper bound)", got)
	}
	if got := BandLabel(levels, 0); got != "1–2" {
		t.Errorf("BandLabel = %q", got)
	}
}

func TestTextColorContrast(t *testing.T) {
	for bg, want := range map[string]string{"#dc2626": "#ffffff", "#facc15": "#111827", "#4ade80": "#111827", "#000000": "#ffffff", "bad": ""} {
		if got := TextColor(bg); got != want {
			t.Errorf("TextColor(%s) = %s, want %s", bg, got, want)
		}
	}
}
