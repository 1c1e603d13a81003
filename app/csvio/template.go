package csvio

import (
	"bufio"
	"io"

	"github.com/riskreg/riskreg/app/risk"
)

// TemplateExample is the title of the template's example row.
const TemplateExample = "Example: a key supplier cannot deliver for two weeks"

// WriteTemplate writes the import template: a header of the columns the
// importer reads and one example row that imports as it stands, creating
// one risk. Its levels are the names of m, the matrix of the register
// new risks go to, and its choices are the labels the UI shows.
func WriteTemplate(w io.Writer, m *risk.Matrix) error {
	level := func(levels []risk.ScaleLevel, i int) string {
		if len(levels) == 0 {
			return ""
		}
		return SafeCell(levels[min(max(i, 0), len(levels)-1)].Name)
	}
	example := map[string]string{
		"title":                TemplateExample,
		"description":          "Replace this row with your own risks, one per row. Leave identifier empty to create a risk; RSK-00042 updates that risk.",
		"category":             risk.Categories.Label("vendor_management"),
		"department":           risk.Departments.Label("admin"),
		"status":               risk.Statuses.Label(risk.StatusOpen),
		"probability":          level(m.Likelihood, len(m.Likelihood)-2),
		"impact":               level(m.Impact, len(m.Impact)/2),
		"residual_probability": level(m.Likelihood, 1),
		"residual_impact":      level(m.Impact, 1),
		"tags":                 "example" + TagSeparator + "supplier",
		"risk_type":            risk.RiskTypes.Label("third_party"),
		"threat_objectives":    risk.ThreatObjectives.Label("extortion") + TagSeparator + risk.ThreatObjectives.Label("sabotage"),
	}
	cols := risk.ImportColumns()
	row := make([]string, len(cols))
	for i, c := range cols {
		row[i] = example[c]
	}
	bw := bufio.NewWriter(w)
	if err := writeRecord(bw, cols); err != nil {
		return err
	}
	if err := writeRecord(bw, row); err != nil {
		return err
	}
	return bw.Flush()
}
