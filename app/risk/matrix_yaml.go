package risk

import (
	"bytes"
	"fmt"
	"math"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/riskreg/riskreg/app/apperr"
)

// MaxMatrixYAML is the largest risk-matrix YAML file ImportMatrixYAML reads.
const MaxMatrixYAML = 256 << 10

// CISOLevel is one probability, impact or risk level in CISO Assistant's
// risk-matrix format.
type CISOLevel struct {
	Abbreviation any    `yaml:"abbreviation,omitempty" json:"abbreviation,omitempty"` // a string or a number
	Name         string `yaml:"name" json:"name"`
	Description  string `yaml:"description,omitempty" json:"description,omitempty"`
	HexColor     string `yaml:"hexcolor,omitempty" json:"hexcolor,omitempty"`
}

// CISOMatrix is one entry of objects.risk_matrix in CISO Assistant's
// library format. Its grid is read as grid[probability][impact]. The
// riskreg block is ours: CISO Assistant has no bands and no tolerance, so
// an export keeps them there for a lossless round trip.
type CISOMatrix struct {
	URN         string      `yaml:"urn,omitempty" json:"urn,omitempty"`
	RefID       string      `yaml:"ref_id,omitempty" json:"ref_id,omitempty"`
	Name        string      `yaml:"name" json:"name"`
	Description string      `yaml:"description,omitempty" json:"description,omitempty"`
	Probability []CISOLevel `yaml:"probability" json:"probability"`
	Impact      []CISOLevel `yaml:"impact" json:"impact"`
	Risk        []CISOLevel `yaml:"risk" json:"risk"`
	Grid        [][]int     `yaml:"grid" json:"grid"`
	Riskreg     *cisoExtra  `yaml:"riskreg,omitempty" json:"-"`
}

type cisoExtra struct {
	Tolerance       *int  `yaml:"tolerance,omitempty"`
	LikelihoodUpper []int `yaml:"likelihood_upper,omitempty"`
	ImpactUpper     []int `yaml:"impact_upper,omitempty"`
}

type cisoLibrary struct {
	URN         string `yaml:"urn,omitempty"`
	Locale      string `yaml:"locale,omitempty"`
	RefID       string `yaml:"ref_id,omitempty"`
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	Version     int    `yaml:"version,omitempty"`
	Provider    string `yaml:"provider,omitempty"`
	Packager    string `yaml:"packager,omitempty"`
	Objects     struct {
		RiskMatrix []CISOMatrix `yaml:"risk_matrix"`
	} `yaml:"objects"`
}

// EvenBands splits 1-10 into n contiguous bands of nearly equal width and
// returns their upper bounds (5 levels: 2, 4, 6, 8, 10).
func EvenBands(n int) []int {
	out := make([]int, n)
	for i := range n {
		out[i] = int(math.Round(10 * float64(i+1) / float64(n)))
	}
	return out
}

// DefaultTolerance is the tolerance given to an imported matrix that has
// none: the lower middle risk level.
func DefaultTolerance(levels int) int { return (levels - 1) / 2 }

// MatrixFromCISO converts a CISO Assistant matrix. Bands are spread evenly
// over 1-10 unless the riskreg block gives them; the tolerance defaults to
// the lower middle level. The result is validated.
func MatrixFromCISO(c CISOMatrix) (Matrix, error) {
	fe := apperr.FieldErrors{}
	scale := func(field string, levels []CISOLevel, upper []int) []ScaleLevel {
		if len(levels) < 3 || len(levels) > 6 {
			fe.Add(field, fmt.Sprintf("The matrix has %d %s levels; riskreg needs 3 to 6", len(levels), field))
			return nil
		}
		if len(upper) != len(levels) {
			upper = EvenBands(len(levels))
		}
		out := make([]ScaleLevel, len(levels))
		for i, l := range levels {
			out[i] = ScaleLevel{Name: strings.TrimSpace(l.Name), Description: strings.TrimSpace(l.Description), Upper: upper[i]}
		}
		return out
	}
	var extra cisoExtra
	if c.Riskreg != nil {
		extra = *c.Riskreg
	}
	m := Matrix{
		Likelihood: scale("likelihood", c.Probability, extra.LikelihoodUpper),
		Impact:     scale("impact", c.Impact, extra.ImpactUpper),
		Grid:       c.Grid,
		Tolerance:  DefaultTolerance(len(c.Risk)),
	}
	if extra.Tolerance != nil {
		m.Tolerance = *extra.Tolerance
	}
	for i, l := range c.Risk {
		color := strings.TrimSpace(l.HexColor)
		if !colorRE.MatchString(color) {
			fe.Add("levels", fmt.Sprintf("Risk level %d (%q) has colour %q; a colour like #a1b2c3 is needed", i+1, l.Name, l.HexColor))
		}
		m.Levels = append(m.Levels, RiskLevel{Name: strings.TrimSpace(l.Name), Color: strings.ToLower(color)})
	}
	if err := fe.Err(); err != nil {
		return Matrix{}, err
	}
	if err := m.Validate(); err != nil {
		return Matrix{}, err
	}
	return m, nil
}

// ParseMatrixYAML reads a CISO Assistant risk-matrix library (its first
// objects.risk_matrix entry) and returns the matrix with the library's
// name and description. Errors are Invalid with a message naming the
// problem.
func ParseMatrixYAML(data []byte) (name, description string, m Matrix, err error) {
	if len(data) > MaxMatrixYAML {
		return "", "", Matrix{}, invalidField("file", fmt.Sprintf("The file is larger than %d KiB", MaxMatrixYAML>>10))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return "", "", Matrix{}, invalidField("file", "The file is empty")
	}
	var lib cisoLibrary
	if err := yaml.Unmarshal(data, &lib); err != nil {
		return "", "", Matrix{}, invalidField("file", "The file is not valid risk-matrix YAML: "+err.Error())
	}
	if len(lib.Objects.RiskMatrix) == 0 {
		return "", "", Matrix{}, invalidField("file", "The file has no objects.risk_matrix entry")
	}
	c := lib.Objects.RiskMatrix[0]
	m, err = MatrixFromCISO(c)
	if err != nil {
		return "", "", Matrix{}, err
	}
	name = strings.TrimSpace(c.Name)
	if name == "" {
		name = strings.TrimSpace(lib.Name)
	}
	description = strings.TrimSpace(c.Description)
	if description == "" {
		description = strings.TrimSpace(lib.Description)
	}
	return name, description, m, nil
}

// MatrixYAML exports reg's matrix as a CISO Assistant risk-matrix library.
func MatrixYAML(reg *Register) ([]byte, error) {
	m := reg.Matrix
	scale := func(levels []ScaleLevel) ([]CISOLevel, []int) {
		out, upper := make([]CISOLevel, len(levels)), make([]int, len(levels))
		for i, l := range levels {
			out[i] = CISOLevel{Abbreviation: abbreviation(l.Name), Name: l.Name, Description: l.Description}
			upper[i] = l.Upper
		}
		return out, upper
	}
	prob, pu := scale(m.Likelihood)
	imp, iu := scale(m.Impact)
	risks := make([]CISOLevel, len(m.Levels))
	for i, l := range m.Levels {
		risks[i] = CISOLevel{Abbreviation: abbreviation(l.Name), Name: l.Name, HexColor: l.Color}
	}
	tol := m.Tolerance
	slug := "riskreg-" + strings.ToLower(reg.ID)
	lib := cisoLibrary{
		URN: "urn:riskreg:risk:library:" + slug, Locale: "en", RefID: slug,
		Name: reg.Name, Description: reg.Description, Version: 1, Provider: "riskreg", Packager: "riskreg",
	}
	lib.Objects.RiskMatrix = []CISOMatrix{{
		URN: "urn:riskreg:risk:matrix:" + slug, RefID: slug, Name: reg.Name, Description: reg.Description,
		Probability: prob, Impact: imp, Risk: risks, Grid: m.Grid,
		Riskreg: &cisoExtra{Tolerance: &tol, LikelihoodUpper: pu, ImpactUpper: iu},
	}}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&lib); err != nil {
		return nil, fmt.Errorf("encode matrix yaml: %w", err)
	}
	return buf.Bytes(), enc.Close()
}

func abbreviation(name string) string {
	var b strings.Builder
	for _, w := range strings.Fields(name) {
		b.WriteString(strings.ToUpper(w[:1]))
	}
	return b.String()
}
