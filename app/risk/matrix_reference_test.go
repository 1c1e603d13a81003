package risk

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// checkMapping asserts that every (probability, impact) value pair on 0-10
// maps to grid[level(p)][level(i)], and that 0 on either axis has no level.
func checkMapping(t *testing.T, m Matrix, grid [][]int) {
	t.Helper()
	if err := m.Validate(); err != nil {
		t.Fatalf("matrix invalid: %v", err)
	}
	for p := 0; p <= 10; p++ {
		for i := 0; i <= 10; i++ {
			lv, ok := m.LevelOf(p, i)
			if p == 0 || i == 0 {
				if ok || m.LevelIndexOf(p, i) != nil {
					t.Fatalf("p=%d i=%d: unassessed risk got level %+v", p, i, lv)
				}
				continue
			}
			li, ii := bandOf(m.Likelihood, p), bandOf(m.Impact, i)
			want := grid[li][ii]
			if !ok || lv.Index != want {
				t.Fatalf("p=%d (level %d) i=%d (level %d): got %+v ok=%v, want grid[%d][%d]=%d", p, li, i, ii, lv, ok, li, ii, want)
			}
			if lv.Name != m.Levels[want].Name || lv.Color != m.Levels[want].Color {
				t.Fatalf("p=%d i=%d: level %+v does not carry level %d's name and colour", p, i, lv, want)
			}
		}
	}
}

// bandOf is an independent reading of the bands: the first level whose
// upper bound is at least v.
func bandOf(levels []ScaleLevel, v int) int {
	for k := range levels {
		lo := 1
		if k > 0 {
			lo = levels[k-1].Upper + 1
		}
		if v >= lo && v <= levels[k].Upper {
			return k
		}
	}
	panic(fmt.Sprintf("no band holds %d", v))
}

// TestLevelMappingCISOMatrices reads our own matrices in CISO Assistant's
// JSON shape (testdata/cisomatrices.json, 2 to 8 risk levels, none
// symmetric) and checks every cell at both ends of its bands.
func TestLevelMappingCISOMatrices(t *testing.T) {
	data, err := os.ReadFile("testdata/cisomatrices.json")
	if err != nil {
		t.Fatal(err)
	}
	var table struct {
		Matrices []struct {
			Size string `json:"size"`
			CISOMatrix
		} `json:"matrices"`
	}
	if err := json.Unmarshal(data, &table); err != nil {
		t.Fatal(err)
	}
	if len(table.Matrices) < 5 {
		t.Fatalf("the table has only %d matrices", len(table.Matrices))
	}
	sizes := map[string]bool{}
	for _, ref := range table.Matrices {
		t.Run(ref.RefID, func(t *testing.T) {
			m, err := MatrixFromCISO(ref.CISOMatrix)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if got := fmt.Sprintf("%dx%d", len(m.Likelihood), len(m.Impact)); got != ref.Size {
				t.Fatalf("size %s, want %s", got, ref.Size)
			}
			if len(m.Levels) != len(ref.Risk) {
				t.Fatalf("%d risk levels, want %d", len(m.Levels), len(ref.Risk))
			}
			// Each level index pair, at both ends of its band.
			for p, row := range ref.Grid {
				for i, want := range row {
					for _, pv := range []int{BandValue(m.Likelihood, p, 0), lowerBound(m.Likelihood, p)} {
						for _, iv := range []int{BandValue(m.Impact, i, 0), lowerBound(m.Impact, i)} {
							lv, ok := m.LevelOf(pv, iv)
							if !ok || lv.Index != want || lv.Name != ref.Risk[want].Name {
								t.Fatalf("p=%d i=%d (cell %d,%d): got %+v ok=%v, want level %d %q", pv, iv, p, i, lv, ok, want, ref.Risk[want].Name)
							}
						}
					}
				}
			}
			checkMapping(t, m, ref.Grid)
			sizes[ref.Size] = true
		})
	}
	for _, s := range []string{"3x3", "4x4", "5x5", "6x6"} {
		if !sizes[s] {
			t.Errorf("no %s matrix in the table passed", s)
		}
	}
}

func lowerBound(levels []ScaleLevel, idx int) int {
	if idx == 0 {
		return 1
	}
	return levels[idx-1].Upper + 1
}

// productMatrix builds an n x n matrix with levels by the product of the
// level numbers, split into four risk levels at quarter points of n*n.
func productMatrix(n int, bands []int) (Matrix, [][]int) {
	scale := make([]ScaleLevel, n)
	for i := range n {
		scale[i] = ScaleLevel{Name: fmt.Sprintf("L%d", i+1), Upper: bands[i]}
	}
	grid := make([][]int, n)
	for l := range n {
		grid[l] = make([]int, n)
		for i := range n {
			grid[l][i] = min(3, ((l+1)*(i+1)-1)*4/(n*n))
		}
	}
	m := Matrix{Likelihood: scale, Impact: append([]ScaleLevel(nil), scale...),
		Levels: []RiskLevel{{"Low", "#00ff00"}, {"Medium", "#ffff00"}, {"High", "#ff9900"}, {"Critical", "#ff0000"}},
		Grid:   grid, Tolerance: 1}
	return m, grid
}

func TestLevelMappingSizes(t *testing.T) {
	cases := []struct {
		n     int
		bands []int
		// spot checks: probability, impact -> level index (-1: none)
		spots [][3]int
	}{
		{3, []int{3, 7, 10}, [][3]int{{1, 1, 0}, {3, 3, 0}, {4, 4, 1}, {10, 10, 3}, {10, 1, 0}, {10, 4, 2}, {0, 5, -1}, {5, 0, -1}}},
		{4, []int{2, 5, 8, 10}, [][3]int{{2, 2, 0}, {3, 3, 0}, {6, 6, 2}, {9, 10, 3}, {1, 10, 0}, {0, 0, -1}}},
		{5, []int{2, 4, 6, 8, 10}, [][3]int{{1, 1, 0}, {5, 5, 1}, {10, 10, 3}, {7, 9, 3}, {10, 0, -1}}},
		{6, []int{1, 3, 5, 7, 9, 10}, [][3]int{{1, 1, 0}, {10, 10, 3}, {6, 6, 1}, {8, 8, 2}, {1, 10, 0}, {0, 10, -1}}},
		{6, EvenBands(6), [][3]int{{2, 2, 0}, {10, 10, 3}}},
		{4, EvenBands(4), [][3]int{{3, 3, 0}, {10, 10, 3}}},
		{3, EvenBands(3), [][3]int{{1, 1, 0}, {10, 10, 3}}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%dx%d %v", c.n, c.n, c.bands), func(t *testing.T) {
			m, grid := productMatrix(c.n, c.bands)
			checkMapping(t, m, grid)
			for _, s := range c.spots {
				got := m.LevelIndexOf(s[0], s[1])
				if s[2] < 0 {
					if got != nil {
						t.Errorf("p=%d i=%d: level %d, want none", s[0], s[1], *got)
					}
					continue
				}
				if got == nil || *got != s[2] {
					t.Errorf("p=%d i=%d: level %v, want %d", s[0], s[1], got, s[2])
				}
			}
		})
	}
	t.Run("default 5x5", func(t *testing.T) {
		m := DefaultMatrix()
		checkMapping(t, m, m.Grid)
		for _, s := range [][3]int{{1, 1, 0}, {4, 4, 0}, {5, 5, 1}, {6, 10, 2}, {8, 8, 2}, {9, 8, 3}, {9, 9, 3}, {9, 2, 1}} {
			if got := m.LevelIndexOf(s[0], s[1]); got == nil || *got != s[2] {
				t.Errorf("p=%d i=%d: level %v, want %d", s[0], s[1], got, s[2])
			}
		}
	})
}

func TestEvenBands(t *testing.T) {
	for n, want := range map[int]string{3: "[3 7 10]", 4: "[3 5 8 10]", 5: "[2 4 6 8 10]", 6: "[2 3 5 7 8 10]"} {
		if got := fmt.Sprint(EvenBands(n)); got != want {
			t.Errorf("EvenBands(%d) = %s, want %s", n, got, want)
		}
	}
}
