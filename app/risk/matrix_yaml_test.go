package risk

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/riskreg/riskreg/app/apperr"
)

// TestImportMatrixYAMLExamples imports our own CISO Assistant libraries in
// testdata/matrices (3x3 to 6x6, 3 to 7 risk levels, block and flow style)
// and checks them against expectations written out here.
func TestImportMatrixYAMLExamples(t *testing.T) {
	cases := map[string]struct {
		name      string
		size      [2]int
		levels    []string
		grid      [][]int
		lastColor string
	}{
		"tiered-3x3": {"Tiered 3x3", [2]int{3, 3}, []string{"Minor", "Notable", "Severe"},
			[][]int{{0, 0, 1}, {0, 1, 2}, {1, 2, 2}}, "#c0392b"},
		"weighted-3x3": {"Matriz ponderada 3x3", [2]int{3, 3}, []string{"uno", "dos", "tres", "cuatro", "seis", "ocho", "doce"},
			// The rank of probability (1, 2, 3) times impact (1, 2, 4) among the seven distinct products.
			[][]int{{0, 1, 3}, {1, 3, 5}, {2, 4, 6}}, "#a3201d"},
		"graded-4x4": {"Graded 4x4", [2]int{4, 4}, []string{"grade 1", "grade 2", "grade 3", "grade 4", "grade 5"},
			[][]int{{0, 0, 1, 2}, {0, 1, 2, 3}, {1, 1, 3, 4}, {1, 2, 3, 4}}, "#2b2b2b"},
		"banded-5x5": {"Banded 5x5", [2]int{5, 5}, []string{"Negligible", "Low", "Guarded", "Elevated", "Extreme"},
			[][]int{{0, 0, 1, 2, 2}, {0, 1, 1, 2, 3}, {0, 1, 2, 3, 4}, {1, 2, 3, 3, 4}, {1, 2, 3, 4, 4}}, "#b3261e"},
		"cautious-5x5": {"Cautious 5x5", [2]int{5, 5}, []string{"calm", "watch", "warning", "alarm"},
			[][]int{{0, 0, 1, 1, 2}, {0, 0, 1, 2, 2}, {0, 1, 2, 2, 3}, {1, 1, 2, 3, 3}, {1, 2, 3, 3, 3}}, "#c1272d"},
		"fine-6x6": {"Fine-grained 6x6", [2]int{6, 6}, []string{"Green", "Yellow", "Orange", "Red"},
			[][]int{{0, 0, 0, 1, 1, 2}, {0, 0, 1, 1, 2, 3}, {0, 1, 1, 2, 2, 3}, {0, 1, 2, 2, 3, 3}, {1, 1, 2, 3, 3, 3}, {1, 2, 3, 3, 3, 3}}, "#b71c1c"},
	}
	files, _ := filepath.Glob("testdata/matrices/*.yaml")
	if len(files) != len(cases) {
		t.Fatalf("found %d example files, want %d", len(files), len(cases))
	}
	for _, f := range files {
		key := strings.TrimSuffix(filepath.Base(f), ".yaml")
		want, ok := cases[key]
		if !ok {
			t.Fatalf("no expectation for %s", key)
		}
		t.Run(key, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			name, _, m, err := ParseMatrixYAML(data)
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			if name != want.name {
				t.Errorf("name %q, want %q", name, want.name)
			}
			if len(m.Likelihood) != want.size[0] || len(m.Impact) != want.size[1] {
				t.Fatalf("size %dx%d, want %v", len(m.Likelihood), len(m.Impact), want.size)
			}
			if !reflect.DeepEqual(m.Grid, want.grid) {
				t.Errorf("grid = %v, want %v", m.Grid, want.grid)
			}
			var got []string
			for _, l := range m.Levels {
				got = append(got, l.Name)
			}
			if !reflect.DeepEqual(got, want.levels) {
				t.Errorf("levels %v, want %v", got, want.levels)
			}
			if m.Levels[len(m.Levels)-1].Color != want.lastColor {
				t.Errorf("last colour %s, want %s", m.Levels[len(m.Levels)-1].Color, want.lastColor)
			}
			for _, l := range m.Levels {
				if !colorRE.MatchString(l.Color) {
					t.Errorf("colour %q", l.Color)
				}
			}
			// Export and import again: the same matrix.
			m.Likelihood[0].Upper = 1 // a custom band survives the round trip
			reg := &Register{ID: "reg_x", Name: name, Description: "d", Matrix: m}
			out, err := MatrixYAML(reg)
			if err != nil {
				t.Fatal(err)
			}
			name2, desc2, m2, err := ParseMatrixYAML(out)
			if err != nil {
				t.Fatalf("re-import: %v\n%s", err, out)
			}
			if name2 != name || desc2 != "d" || !reflect.DeepEqual(m, m2) {
				t.Errorf("round trip changed the matrix:\n%+v\n%+v", m, m2)
			}
		})
	}
}

func TestImportMatrixYAMLErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/matrices/tiered-3x3.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		data string
		msg  string
	}{
		"empty":      {"", "empty"},
		"malformed":  {"objects: [unclosed", "not valid risk-matrix YAML"},
		"no matrix":  {"name: x\nobjects: {}\n", "no objects.risk_matrix"},
		"too big":    {strings.Repeat("#", MaxMatrixYAML+1), "larger than 256 KiB"},
		"bad colour": {strings.Replace(string(good), `"#C0392B"`, "red", -1), "colour"},
		"2 levels": {"objects:\n  risk_matrix:\n  - name: x\n    probability: [{name: a}, {name: b}]\n    impact: [{name: a}, {name: b}, {name: c}]\n    risk: [{name: L, hexcolor: '#00ff00'}, {name: H, hexcolor: '#ff0000'}]\n    grid: [[0,0,0],[0,1,1]]\n",
			"needs 3 to 6"},
		"grid size": {"objects:\n  risk_matrix:\n  - name: x\n    probability: [{name: a}, {name: b}, {name: c}]\n    impact: [{name: a}, {name: b}, {name: c}]\n    risk: [{name: L, hexcolor: '#00ff00'}, {name: H, hexcolor: '#ff0000'}]\n    grid: [[0,0,0],[0,1,1]]\n",
			"one row per likelihood"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, _, err := ParseMatrixYAML([]byte(c.data))
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("err = %v, want a validation error", err)
			}
			if err == nil || !strings.Contains(err.Error()+fieldText(err), c.msg) {
				t.Fatalf("err = %v (%s), want it to mention %q", err, fieldText(err), c.msg)
			}
		})
	}
}

func fieldText(err error) string {
	e, ok := apperr.As(err)
	if !ok {
		return ""
	}
	var b strings.Builder
	for _, f := range e.Fields.Names() {
		b.WriteString(f + ": " + strings.Join(e.Fields[f], "; ") + " ")
	}
	return b.String()
}
