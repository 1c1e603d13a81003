package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
)

// A4 portrait in millimetres.
const (
	pageMargin = 14.0
	lineH      = 6.0
)

// pdfDoc writes the pack with the core fonts (Windows-1252 text).
type pdfDoc struct {
	*fpdf.Fpdf
	tr    func(string) string
	width float64 // the printable width
	pack  *Pack
}

// WritePDF writes the committee pack as an A4 PDF: a cover, then a page
// per section, in the order and with the figures of the printable page.
func WritePDF(w io.Writer, pk *Pack) error {
	f := fpdf.New("P", "mm", "A4", "")
	d := &pdfDoc{Fpdf: f, tr: f.UnicodeTranslatorFromDescriptor(""), pack: pk}
	pw, _ := f.GetPageSize()
	d.width = pw - 2*pageMargin
	f.SetMargins(pageMargin, pageMargin, pageMargin)
	f.SetAutoPageBreak(true, pageMargin+6)
	f.SetTitle("Risk committee pack: "+pk.Organization+", "+pk.Register.Name, true)
	f.SetAuthor("riskreg", true)
	f.SetCreator("riskreg", true)
	f.SetCreationDate(pk.GeneratedAt)
	f.SetModificationDate(pk.GeneratedAt)
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(func() {
		f.SetY(-pageMargin)
		f.SetFont("Helvetica", "", 8)
		f.SetTextColor(100, 116, 139)
		f.CellFormat(d.width/2, 4, d.tr(pk.Organization+" · "+pk.Register.Name+" · "+periodText(pk.Period)), "", 0, "L", false, 0, "")
		f.CellFormat(d.width/2, 4, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
	})
	d.cover()
	d.heatmaps()
	d.top()
	d.outside()
	d.moved()
	d.overdue()
	d.incidents()
	if err := f.Error(); err != nil {
		return err
	}
	return f.Output(w)
}

func periodText(p Period) string {
	return p.From.Format("2 Jan 2006") + " – " + p.To.Format("2 Jan 2006")
}

func (d *pdfDoc) heading(s string) {
	d.AddPage()
	d.SetFont("Helvetica", "B", 15)
	d.SetTextColor(15, 23, 42)
	d.CellFormat(d.width, 9, d.tr(s), "", 1, "L", false, 0, "")
	d.Ln(2)
}

func (d *pdfDoc) subheading(s string) {
	if _, h := d.GetPageSize(); d.GetY() > h-pageMargin-30 {
		d.AddPage()
	}
	d.Ln(3)
	d.SetFont("Helvetica", "B", 11.5)
	d.SetTextColor(15, 23, 42)
	d.CellFormat(d.width, 7, d.tr(s), "", 1, "L", false, 0, "")
}

func (d *pdfDoc) note(s string) {
	d.SetFont("Helvetica", "", 9.5)
	d.SetTextColor(71, 85, 105)
	d.MultiCell(d.width, 5, d.tr(s), "", "L", false)
	d.SetTextColor(15, 23, 42)
}

func (d *pdfDoc) cover() {
	pk := d.pack
	d.AddPage()
	d.Ln(30)
	d.SetFont("Helvetica", "", 11)
	d.SetTextColor(71, 85, 105)
	d.CellFormat(d.width, 6, "RISK COMMITTEE PACK", "", 1, "L", false, 0, "")
	d.Ln(2)
	d.SetFont("Helvetica", "B", 24)
	d.SetTextColor(15, 23, 42)
	d.MultiCell(d.width, 11, d.tr(pk.Organization), "", "L", false)
	d.Ln(8)
	for _, kv := range [][2]string{
		{"Register", pk.Register.Name},
		{"Period", periodText(pk.Period)},
		{"Generated", pk.GeneratedAt.UTC().Format("2 Jan 2006 15:04") + " UTC"},
	} {
		d.SetFont("Helvetica", "B", 11)
		d.CellFormat(32, 7, d.tr(kv[0]), "", 0, "L", false, 0, "")
		d.SetFont("Helvetica", "", 11)
		d.CellFormat(d.width-32, 7, d.tr(kv[1]), "", 1, "L", false, 0, "")
	}
	d.Ln(10)
	figs := [][2]string{
		{"Risks", strconv.Itoa(pk.Residual.Total)},
		{"Outside appetite", strconv.Itoa(pk.OutsideTotal)},
		{"Overdue tasks", strconv.Itoa(pk.OverdueTasksTotal)},
		{"Overdue reviews", strconv.Itoa(pk.OverdueReviewsTotal)},
		{"Incidents", strconv.Itoa(len(pk.Incidents))},
	}
	w := d.width / float64(len(figs))
	y := d.GetY()
	for i, f := range figs {
		x := pageMargin + float64(i)*w
		d.SetDrawColor(203, 213, 225)
		d.Rect(x, y, w-2, 22, "D")
		d.SetXY(x+3, y+3)
		d.SetFont("Helvetica", "B", 18)
		d.CellFormat(w-8, 9, f[1], "", 2, "L", false, 0, "")
		d.SetX(x + 3)
		d.SetFont("Helvetica", "", 9)
		d.CellFormat(w-8, 5, d.tr(f[0])+": "+f[1], "", 0, "L", false, 0, "")
	}
	d.SetXY(pageMargin, y+28)
}

// rgb parses #rrggbb; a bad colour is light grey.
func rgb(c string) (int, int, int) {
	var r, g, b int
	if _, err := fmt.Sscanf(strings.TrimPrefix(c, "#"), "%02x%02x%02x", &r, &g, &b); err != nil {
		return 226, 232, 240
	}
	return r, g, b
}

func (d *pdfDoc) heatmaps() {
	d.heading("Heat maps")
	d.note("The register as it was at the end of the period (by the matrix then): the number of risks per cell, in the matrix colours. The thick line is the tolerance boundary; cells beyond it are outside appetite.")
	d.grid("Inherent risk", d.pack.Inherent)
	d.grid("Residual risk", d.pack.Residual)
}

// grid draws one heat map: likelihood rows (highest on top), impact
// columns, counts in the level colours and the tolerance boundary.
func (d *pdfDoc) grid(title string, h risk.Heatmap) {
	m := &d.pack.Register.Matrix
	d.subheading(title + fmt.Sprintf(" (%d risks, %d not assessed)", h.Total, h.Unassessed))
	labelW := 30.0
	cellW := min(24.0, (d.width-labelW)/float64(len(m.Impact)))
	cellH := min(12.0, 100.0/float64(len(m.Likelihood)))
	x0, y0 := pageMargin+labelW, d.GetY()+2
	outside := func(l, i int) bool { return m.OutsideAppetite(m.LevelAt(m.Grid[l][i])) }
	rows := len(m.Likelihood)
	for l := rows - 1; l >= 0; l-- {
		y := y0 + float64(rows-1-l)*cellH
		d.SetFont("Helvetica", "", 8)
		d.SetTextColor(15, 23, 42)
		d.SetXY(pageMargin, y)
		d.CellFormat(labelW-2, cellH, d.tr(m.Likelihood[l].Name), "", 0, "R", false, 0, "")
		for i := range m.Impact {
			x := x0 + float64(i)*cellW
			lv := m.LevelAt(m.Grid[l][i])
			n := 0
			if l < len(h.Counts) && i < len(h.Counts[l]) {
				n = h.Counts[l][i]
			}
			r, g, b := rgb(lv.Color)
			if n == 0 { // a tint, as on the page: the colour shows the level, the blank the absence
				r, g, b = 255-(255-r)/4, 255-(255-g)/4, 255-(255-b)/4
			}
			d.SetFillColor(r, g, b)
			d.SetDrawColor(255, 255, 255)
			d.SetLineWidth(0.4)
			d.Rect(x, y, cellW, cellH, "FD")
			tc := "#111827"
			if n > 0 {
				tc = risk.TextColor(lv.Color)
			}
			tr, tg, tb := rgb(tc)
			d.SetTextColor(tr, tg, tb)
			d.SetXY(x, y+1)
			d.SetFont("Helvetica", "B", 11)
			d.CellFormat(cellW, cellH*0.55, strconv.Itoa(n), "", 2, "C", false, 0, "")
			d.SetX(x)
			d.SetFont("Helvetica", "", 6.5)
			d.CellFormat(cellW, cellH*0.3, d.tr(lv.Name), "", 0, "C", false, 0, "")
		}
	}
	// The tolerance boundary: a thick line between a cell outside appetite and one inside.
	d.SetDrawColor(15, 23, 42)
	d.SetLineWidth(0.9)
	for l := range rows {
		y := y0 + float64(rows-1-l)*cellH
		for i := range m.Impact {
			if !outside(l, i) {
				continue
			}
			x := x0 + float64(i)*cellW
			if l+1 < rows && !outside(l+1, i) {
				d.Line(x, y, x+cellW, y)
			}
			if l > 0 && !outside(l-1, i) {
				d.Line(x, y+cellH, x+cellW, y+cellH)
			}
			if i > 0 && !outside(l, i-1) {
				d.Line(x, y, x, y+cellH)
			}
			if i+1 < len(m.Impact) && !outside(l, i+1) {
				d.Line(x+cellW, y, x+cellW, y+cellH)
			}
		}
	}
	d.SetLineWidth(0.2)
	yb := y0 + float64(rows)*cellH
	d.SetFont("Helvetica", "", 8)
	d.SetTextColor(15, 23, 42)
	for i, lv := range m.Impact {
		d.SetXY(x0+float64(i)*cellW, yb+0.5)
		d.CellFormat(cellW, 4, d.tr(lv.Name), "", 0, "C", false, 0, "")
	}
	d.SetXY(pageMargin, yb+5)
	d.SetFont("Helvetica", "", 7.5)
	d.SetTextColor(71, 85, 105)
	d.CellFormat(d.width, 4, "Likelihood (rows, highest on top) x Impact (columns)", "", 1, "C", false, 0, "")
	d.SetTextColor(15, 23, 42)
	d.Ln(3)
}

// table writes rows under a header, each cell cut to its column; the
// header repeats on a new page.
func (d *pdfDoc) table(head []string, widths []float64, rows [][]string) {
	total := 0.0
	for _, w := range widths {
		total += w
	}
	scale := d.width / total
	header := func() {
		d.SetFont("Helvetica", "B", 8.5)
		d.SetFillColor(241, 245, 249)
		d.SetTextColor(15, 23, 42)
		d.SetDrawColor(203, 213, 225)
		for i, h := range head {
			d.CellFormat(widths[i]*scale, 6, d.tr(h), "B", 0, "L", true, 0, "")
		}
		d.Ln(-1)
	}
	header()
	_, ph := d.GetPageSize()
	for _, row := range rows {
		if d.GetY()+5.5 > ph-pageMargin-6 {
			d.AddPage()
			header()
		}
		d.SetFont("Helvetica", "", 8.5)
		for i, c := range row {
			w := widths[i] * scale
			s := d.tr(c)
			if d.GetStringWidth(s) > w-2 {
				for len(s) > 1 && d.GetStringWidth(s+"...") > w-2 {
					s = s[:len(s)-1]
				}
				s += "..."
			}
			d.CellFormat(w, 5.5, s, "B", 0, "L", false, 0, "")
		}
		d.Ln(-1)
	}
}

func count(n, total int) string {
	if total > n {
		return fmt.Sprintf("%d of %d", n, total)
	}
	return strconv.Itoa(total)
}

func dateOf(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.DateOnly)
}

func personOf(p *risk.Person) string {
	if p == nil || p.Name == "" {
		return "Unassigned"
	}
	return p.Name
}

func levelOf(reg *risk.Register, r *risk.Risk) string {
	if lv, ok := reg.ResidualLevel(r); ok {
		return lv.Name
	}
	return "-"
}

func (d *pdfDoc) top() {
	pk := d.pack
	d.heading(fmt.Sprintf("Top %d residual risks", len(pk.Top)))
	if len(pk.Top) == 0 {
		d.note("No assessed open risk in this register.")
		return
	}
	rows := make([][]string, len(pk.Top))
	for i, t := range pk.Top {
		next := "No open task"
		if t.NextStep != nil {
			next = t.NextStep.Title + " (due " + dateOf(t.NextStep.DueDate) + ")"
		}
		tr := "-"
		if t.Treatment != nil {
			tr = risk.TreatmentTypes.Label(t.Treatment.Type)
		}
		rows[i] = []string{t.Risk.Identifier(), t.Risk.Title, t.Level.Name, personOf(t.Risk.Assignee), tr, next}
	}
	d.table([]string{"ID", "Risk", "Residual", "Owner", "Treatment", "Next step"}, []float64{18, 48, 18, 26, 18, 52}, rows)
}

func (d *pdfDoc) outside() {
	pk := d.pack
	d.heading("Outside appetite (" + count(len(pk.Outside), pk.OutsideTotal) + ")")
	if len(pk.Outside) == 0 {
		d.note("Every assessed risk is within appetite.")
		return
	}
	rows := make([][]string, len(pk.Outside))
	for i, r := range pk.Outside {
		rows[i] = []string{r.Identifier(), r.Title, levelOf(pk.Register, r), risk.Statuses.Label(r.Status), personOf(r.Assignee)}
	}
	d.table([]string{"ID", "Risk", "Residual", "Status", "Owner"}, []float64{18, 80, 22, 20, 40}, rows)
}

func (d *pdfDoc) moved() {
	c := d.pack.Moved
	d.heading("What moved in the period")
	d.note(fmt.Sprintf("From %s to %s: %d changes, read from the audit trail.", c.Since.Format("2 Jan 2006"),
		c.Until.AddDate(0, 0, -1).Format("2 Jan 2006"), c.Total()))
	for _, s := range []struct {
		title, empty string
		moves        []Move
	}{
		{"New risks", "No risk was added.", c.New}, {"Closed", "No risk was closed.", c.Closed},
		{"Deleted", "No risk was deleted.", c.Deleted}, {"Residual level went up", "No residual level went up.", c.Up},
		{"Residual level went down", "No residual level went down.", c.Down},
	} {
		d.subheading(fmt.Sprintf("%s (%d)", s.title, len(s.moves)))
		if len(s.moves) == 0 {
			d.note(s.empty)
			continue
		}
		rows := make([][]string, len(s.moves))
		for i, m := range s.moves {
			rows[i] = []string{m.Identifier, m.Title, orDash(m.From.Name) + " -> " + orDash(m.To.Name),
				statusMove(m), m.At.Format("2 Jan 2006")}
		}
		d.table([]string{"ID", "Risk", "Residual level", "Status", "When"}, []float64{18, 70, 36, 34, 22}, rows)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func statusMove(m Move) string {
	to := risk.Statuses.Label(m.ToStatus)
	if m.FromStatus != "" && m.FromStatus != m.ToStatus {
		return risk.Statuses.Label(m.FromStatus) + " -> " + to
	}
	return to
}

func (d *pdfDoc) overdue() {
	pk := d.pack
	d.heading("Overdue tasks and reviews")
	d.note("Judged on " + pk.Period.To.Format("2 Jan 2006") + ", the last day of the period, for open and pending risks.")
	d.subheading("Overdue tasks (" + count(len(pk.OverdueTasks), pk.OverdueTasksTotal) + ")")
	if len(pk.OverdueTasks) == 0 {
		d.note("No task was overdue at the end of the period.")
	} else {
		rows := make([][]string, len(pk.OverdueTasks))
		for i, t := range pk.OverdueTasks {
			rows[i] = []string{t.Task.Title, t.RiskIdentifier + " " + t.RiskTitle, dateOf(t.Task.DueDate), personOf(t.Task.Assignee)}
		}
		d.table([]string{"Task", "Risk", "Due", "Assignee"}, []float64{60, 70, 22, 30}, rows)
	}
	d.subheading("Overdue reviews (" + count(len(pk.OverdueReviews), pk.OverdueReviewsTotal) + ")")
	if len(pk.OverdueReviews) == 0 {
		d.note("No review was overdue at the end of the period.")
		return
	}
	rows := make([][]string, len(pk.OverdueReviews))
	for i, r := range pk.OverdueReviews {
		rows[i] = []string{r.Identifier(), r.Title, dateOf(r.NextReviewDate), personOf(r.Assignee)}
	}
	d.table([]string{"ID", "Risk", "Review due", "Owner"}, []float64{18, 104, 25, 35}, rows)
}

func (d *pdfDoc) incidents() {
	pk := d.pack
	d.heading(fmt.Sprintf("Incidents in the period (%d)", len(pk.Incidents)))
	if len(pk.Incidents) == 0 {
		d.note("No incident occurred or was discovered in the period.")
		return
	}
	rows := make([][]string, len(pk.Incidents))
	for i, in := range pk.Incidents {
		rows[i] = []string{in.Identifier(), in.Title, incident.Severities.Label(in.Severity), incident.Statuses.Label(in.Status),
			dateOf(in.OccurredOn), dateOf(in.DiscoveredOn)}
	}
	d.table([]string{"ID", "Incident", "Severity", "Status", "Occurred", "Discovered"}, []float64{18, 74, 18, 22, 25, 25}, rows)
}
