package web_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
)

// quarter is a register with a scripted past: risks created, changed,
// closed and deleted on chosen days (the app's clock moved to each).
type quarter struct {
	e     *env
	o     *org
	actor audit.Actor
	risks map[string]*risk.Risk // by short name
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t.Add(10 * time.Hour) // mid-morning UTC
}

func (h *quarter) at(d string) { h.e.Clock.Set(day(d)) }

// create adds a risk on day d; residual is (p, i) on the 0-10 scale.
func (h *quarter) create(d, name string, p, i int, in risk.Input) *risk.Risk {
	h.e.t.Helper()
	h.at(d)
	in.Title, in.Probability, in.Impact = name, 9, 9
	in.ResidualProbability, in.ResidualImpact = p, i
	if in.Category == "" {
		in.Category = "operations"
	}
	in.Description = "Scripted for the look-back tests."
	r, err := h.e.Server.Risks.Create(context.Background(), h.o.ID, h.actor, in)
	if err != nil {
		h.e.t.Fatalf("create %s: %v", name, err)
	}
	h.risks[name] = r
	return r
}

// change edits a risk on day d.
func (h *quarter) change(d, name string, edit func(in *risk.Input)) {
	h.e.t.Helper()
	h.at(d)
	r, err := h.e.Server.Risks.Patch(context.Background(), h.o.ID, h.actor, h.risks[name].ID, 0, func(cur *risk.Risk) (risk.Input, error) {
		in := risk.InputOf(cur)
		edit(&in)
		return in, nil
	})
	if err != nil {
		h.e.t.Fatalf("change %s: %v", name, err)
	}
	h.risks[name] = r
}

func (h *quarter) remove(d, name string) {
	h.e.t.Helper()
	h.at(d)
	if err := h.e.Server.Risks.Delete(context.Background(), h.o.ID, h.actor, h.risks[name].ID, 0); err != nil {
		h.e.t.Fatalf("delete %s: %v", name, err)
	}
}

func residual(p, i int) func(in *risk.Input) {
	return func(in *risk.Input) { in.ResidualProbability, in.ResidualImpact = p, i }
}

func datep(s string) *time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return &t
}

// scriptQuarter plays the history the look-back tests read: everything
// before 2026 exists when the first quarter of 2026 starts; in the quarter
// one risk is added, one closed, one deleted, two go up and one down.
// Residual levels on the default matrix: 2x2 Low, 5x5 Medium, 7x7 High,
// 9x9 Critical (tolerance Medium: High and Critical are outside appetite).
func scriptQuarter(t *testing.T) *quarter {
	e := newEnv(t)
	e.Clock.Set(day("2025-12-01"))
	o := e.signup("Lookback Ltd", "owner@lookback.test")
	p := o.Owner.principal()
	h := &quarter{e: e, o: o, actor: audit.Actor{MemberID: p.MemberID, Name: p.User.Name}, risks: map[string]*risk.Risk{}}
	h.create("2025-12-01", "Stable supplier", 2, 2, risk.Input{NextReviewDate: datep("2026-03-01")})
	h.create("2025-12-02", "Ransomware", 2, 2, risk.Input{})
	h.create("2025-12-03", "Key person leaves", 9, 9, risk.Input{Category: "people"})
	h.create("2025-12-04", "Old data centre", 2, 2, risk.Input{NextReviewDate: datep("2026-02-01")})
	h.create("2025-12-05", "Fax gateway", 5, 5, risk.Input{})
	h.create("2025-12-06", "Payroll errors", 5, 5, risk.Input{})
	h.change("2025-12-20", "Payroll errors", residual(2, 2)) // before the window: not listed

	h.change("2026-01-20", "Payroll errors", residual(7, 7)) // up: Low → High
	h.create("2026-03-01", "Cloud region outage", 5, 5, risk.Input{NextReviewDate: datep("2026-05-01")})
	h.change("2026-03-10", "Ransomware", residual(9, 9))        // up: Low → Critical
	h.change("2026-03-12", "Key person leaves", residual(2, 2)) // down: Critical → Low
	h.change("2026-03-15", "Old data centre", func(in *risk.Input) { in.Status, in.ClosureReason = risk.StatusClosed, "eliminated" })
	h.remove("2026-03-20", "Fax gateway")
	h.change("2026-04-01", "Stable supplier", residual(7, 7)) // after the quarter: up only in a later window
	return h
}

func TestChangesSinceScriptedHistory(t *testing.T) {
	h := scriptQuarter(t)
	e := h.e
	e.Clock.Set(day("2026-04-02"))
	owner := e.login("owner@lookback.test", testPassword)

	counts := func(path string) map[string]string {
		t.Helper()
		res := owner.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		doc := res.Doc(t)
		out := map[string]string{}
		for _, k := range []string{"new", "closed", "deleted", "up", "down"} {
			out[k] = doc.Find(`[data-testid="count-`+k+`"]`).AttrOr("data-count", "?")
			var ids []string
			doc.Find(`[data-testid="moved-` + k + `"] [data-testid=moved-row]`).Each(func(_ int, s *goquery.Selection) {
				ids = append(ids, s.AttrOr("data-id", ""))
			})
			out[k+"-ids"] = strings.Join(ids, ",")
		}
		return out
	}
	id := func(name string) string { return h.risks[name].Identifier() }

	got := counts("/changes?since=2026-01-01")
	want := map[string]string{
		"new": "1", "new-ids": id("Cloud region outage"),
		"closed": "1", "closed-ids": id("Old data centre"),
		"deleted": "1", "deleted-ids": id("Fax gateway"),
		"up": "3", "up-ids": id("Stable supplier") + "," + id("Ransomware") + "," + id("Payroll errors"), // newest first
		"down": "1", "down-ids": id("Key person leaves"),
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("since 2026-01-01: %s = %q, want %q", k, got[k], v)
		}
	}

	// A later start leaves out what moved before it.
	got = counts("/changes?since=2026-03-11")
	for k, v := range map[string]string{"new": "0", "closed": "1", "deleted": "1", "up": "1", "down": "1", "up-ids": id("Stable supplier")} {
		if got[k] != v {
			t.Errorf("since 2026-03-11: %s = %q, want %q", k, got[k], v)
		}
	}

	// The rows say from → to with the levels' names and colours, and link
	// to the risk (a deleted one to its 410 page with the restore button).
	doc := owner.get("/changes?since=2026-01-01").Doc(t)
	row := doc.Find(`[data-testid="moved-up"] [data-id="` + id("Ransomware") + `"]`)
	badges := row.Find(`[data-testid=moved-levels] [data-testid=level]`)
	if from, to := badges.First().Text(), badges.Last().Text(); from != "Low" || to != "Critical" {
		t.Errorf("Ransomware levels %q → %q, want Low → Critical", from, to)
	}
	if cls := row.Find(`[data-testid=level]`).Last().AttrOr("class", ""); !strings.Contains(cls, "lvl-dc2626") {
		t.Errorf("Critical badge class %q, want the matrix colour", cls)
	}
	href := doc.Find(`[data-testid="moved-deleted"] a`).First().AttrOr("href", "")
	if href != "/risks/"+id("Fax gateway") {
		t.Errorf("deleted risk links to %q", href)
	}
	if res := owner.get(href); res.StatusCode != http.StatusGone {
		t.Errorf("deleted risk page: %d, want 410", res.StatusCode)
	}

	// Default: 90 days ago; a bad date is a 400 naming since.
	if v := owner.get("/changes").Doc(t).Find("#c-since").AttrOr("value", ""); v != "2026-01-02" {
		t.Errorf("default since %q, want 2026-01-02", v)
	}
	for _, bad := range []string{"/changes?since=2026-13-01", "/changes?since=yesterday", "/changes?since=2026-01-01&register=reg_nope"} {
		res := owner.get(bad)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", bad, res.StatusCode)
		}
		field := "since"
		if strings.Contains(bad, "register=") {
			field = "register"
		}
		if res.Doc(t).Find(`[data-testid="error-`+field+`"]`).Length() != 1 {
			t.Errorf("GET %s: no error on %s", bad, field)
		}
	}
	// Linked from the dashboard and the register.
	for _, p := range []string{"/", "/risks"} {
		if owner.get(p).Doc(t).Find(`a[data-testid=changes-link][href="/changes"]`).Length() != 1 {
			t.Errorf("%s does not link to /changes", p)
		}
	}
}

// seedPack adds to the scripted quarter the plan, reviews and incidents
// the committee pack reports for the first quarter of 2026.
func seedPack(t *testing.T, h *quarter) {
	ctx, e := context.Background(), h.e
	addTask := func(d, name, title, due string) *risk.Task {
		h.at(d)
		tk, err := e.Server.Risks.AddTask(ctx, h.o.ID, h.actor, h.risks[name].ID, risk.TaskInput{Title: title, DueDate: datep(due)})
		if err != nil {
			t.Fatalf("add task %s: %v", title, err)
		}
		return tk
	}
	complete := func(d, name string, tk *risk.Task) {
		h.at(d)
		if _, err := e.Server.Risks.SetTaskStatus(ctx, h.o.ID, h.actor, h.risks[name].ID, tk.ID, risk.TaskCompleted); err != nil {
			t.Fatal(err)
		}
	}
	addTask("2026-01-05", "Ransomware", "Offline backups", "2026-02-15") // overdue at the end of the quarter
	tk := addTask("2026-01-05", "Payroll errors", "Four-eyes check", "2026-03-15")
	complete("2026-03-20", "Payroll errors", tk) // late, but done within the quarter
	tk = addTask("2026-01-05", "Key person leaves", "Write the runbook", "2026-03-01")
	complete("2026-04-01", "Key person leaves", tk) // done only after the quarter: overdue on 31 March
	addTask("2026-01-05", "Cloud region outage", "Second region", "2026-04-15")
	h.at("2026-01-06")
	if _, err := e.Server.Risks.SetTreatment(ctx, h.o.ID, h.actor, h.risks["Ransomware"].ID, risk.TreatmentInput{Type: "mitigate", Description: "Backups and drills"}); err != nil {
		t.Fatal(err)
	}
	incidentOn := func(title string, occurred, discovered *time.Time) {
		if _, err := e.Server.Incidents.Create(ctx, h.o.ID, h.actor, incident.Input{Title: title, Description: "Seeded.", Severity: "high",
			OccurredAt: occurred, DiscoveredAt: discovered}); err != nil {
			t.Fatal(err)
		}
	}
	h.at("2026-04-01")
	incidentOn("Phishing wave", datep("2026-02-10"), datep("2026-02-11"))
	incidentOn("Old breach found", datep("2025-11-01"), datep("2026-01-03"))
	incidentOn("April outage", datep("2026-04-01"), nil)
}

// packFigures are the exact figures of the seeded quarter.
var packFigures = []string{
	"RISK COMMITTEE PACK", "Lookback Ltd", "Risk register",
	"1 Jan 2026 – 31 Mar 2026", "2 Apr 2026",
	"Risks: 6", "Outside appetite: 2", "Overdue tasks: 2", "Overdue reviews: 1", "Incidents: 2",
	"Inherent risk (6 risks, 0 not assessed)", "Residual risk (6 risks, 0 not assessed)",
	"Top 5 residual risks", "Outside appetite (2)",
	"What moved in the period", "New risks (1)", "Closed (1)", "Deleted (1)",
	"Residual level went up (2)", "Residual level went down (1)",
	"Overdue tasks (2)", "Overdue reviews (1)", "Incidents in the period (2)",
	"Offline backups", "Write the runbook", "Mitigate", "Low -> Critical", "Critical -> Low",
	"Phishing wave", "Old breach found",
}

func TestCommitteePackPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext is missing: make test installs poppler-utils (make deps-pdf)")
	}
	h := scriptQuarter(t)
	seedPack(t, h)
	e := h.e
	e.Clock.Set(day("2026-04-02"))
	owner := e.login("owner@lookback.test", testPassword)
	h.o.Owner = owner // the first session aged out with the clock
	key := e.apiKey(h.o, "risks:read")

	// The API, for the default period (the last quarter) and register.
	res := rawGet(t, e.URL+"/api/v1/reports/committee.pdf", key.key)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("PDF: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="committee-pack-risk-register-2026-01-01-to-2026-03-31.pdf"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if dir := os.Getenv("PACK_PDF_DIR"); dir != "" { // to look at it: pdftoppm -png
		_ = os.WriteFile(filepath.Join(dir, "committee-pack.pdf"), res.Body, 0o644)
	}
	text := pdfText(t, res.Body)
	for _, want := range packFigures {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not say %q", want)
		}
	}
	for _, absent := range []string{"April outage", "Four-eyes check"} {
		if strings.Contains(text, absent) {
			t.Errorf("the PDF says %q, which is outside the period", absent)
		}
	}
	if n := strings.Count(text, "\f"); n != 7 {
		t.Errorf("%d pages, want 7 (a cover and a page per section)", n)
	}
	// The same PDF from the browser, for an explicit period.
	br := owner.get("/reports/committee.pdf?from=2026-01-01&to=2026-03-31")
	if br.StatusCode != http.StatusOK || !strings.HasPrefix(br.Body, "%PDF-") {
		t.Fatalf("browser PDF: %d", br.StatusCode)
	}

	// Validation: each bad input names its field; nothing without a key.
	for _, c := range []struct{ query, field string }{
		{"from=2026-04-01&to=2026-03-31", "to"},
		{"from=2026-02-30&to=2026-03-31", "from"},
		{"from=2026-01-01&to=31/03/2026", "to"},
		{"registerId=reg_unknown", "registerId"},
	} {
		r := key.get("/api/v1/reports/committee.pdf?" + c.query)
		details, _ := r.JSON["details"].(map[string]any)
		if r.Status != http.StatusBadRequest || details[c.field] == nil {
			t.Errorf("%s: %d %s, want 400 naming %s", c.query, r.Status, r.Body, c.field)
		}
	}
	if r := (&apiClient{t: t, e: e}).get("/api/v1/reports/committee.pdf"); r.Status != http.StatusUnauthorized {
		t.Errorf("without a key: %d", r.Status)
	}
}

func TestCommitteePackPage(t *testing.T) {
	h := scriptQuarter(t)
	seedPack(t, h)
	e := h.e
	e.Clock.Set(day("2026-04-02"))
	viewer := e.addMember(h.o, "viewer@lookback.test", "viewer")

	res := viewer.get("/reports/committee")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("pack page: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if v := doc.Find("#p-from").AttrOr("value", "") + " " + doc.Find("#p-to").AttrOr("value", ""); v != "2026-01-01 2026-03-31" {
		t.Errorf("default period %q, want the last quarter", v)
	}
	text := func(sel string) string { return strings.TrimSpace(doc.Find(sel).First().Text()) }
	for sel, want := range map[string]string{
		"[data-testid=pack-org]": "Lookback Ltd", "[data-testid=pack-register]": "Risk register",
		"[data-testid=pack-period]": "1 Jan 2026 – 31 Mar 2026", "[data-testid=fig-total]": "6",
		"[data-testid=fig-outside]": "2", "[data-testid=fig-overdue-tasks]": "2", "[data-testid=fig-incidents]": "2",
	} {
		if got := text(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	for sel, n := range map[string]int{
		"[data-testid=top-row]": 5, "[data-testid=outside-row]": 2, "[data-testid=overdue-task]": 2,
		"[data-testid=overdue-review]": 1, "[data-testid=incident-row]": 2,
		".pack-section": 7, "[data-testid=pack-heatmaps] [data-testid=heatmap]": 2,
		"[data-testid=pack-moved] [data-testid=moved-row]": 6,
	} {
		if got := doc.Find(sel).Length(); got != n {
			t.Errorf("%s: %d, want %d", sel, got, n)
		}
	}
	// The heat maps and lists are the register at the end of the quarter:
	// Stable supplier went to High only on 1 April.
	resid := doc.Find("[data-testid=pack-heatmaps] [data-testid=heatmap]").Last()
	for cell, n := range map[string]string{"4-4": "1", "3-3": "1", "2-2": "1", "0-0": "3"} {
		if got := resid.Find(`[data-cell="`+cell+`"]`).AttrOr("data-count", "?"); got != n {
			t.Errorf("residual cell %s: %s risks, want %s", cell, got, n)
		}
	}
	if doc.Find(`[data-testid=outside-row][data-id="`+h.risks["Stable supplier"].Identifier()+`"]`).Length() != 0 {
		t.Errorf("Stable supplier is outside appetite at the end of March; it moved only in April")
	}
	top := doc.Find("[data-testid=top-row]").First()
	if id := top.AttrOr("data-id", ""); id != h.risks["Ransomware"].Identifier() {
		t.Errorf("first of the top ten %s, want Ransomware", id)
	}
	if s := strings.Join(strings.Fields(top.Text()), " "); !strings.Contains(s, "Mitigate") || !strings.Contains(s, "Offline backups") {
		t.Errorf("top row %q lacks the treatment and next step", s)
	}
	if doc.Find(`a[data-testid=pack-pdf][href="/reports/committee.pdf?from=2026-01-01&to=2026-03-31"]`).Length() != 1 {
		t.Errorf("no PDF link for the period")
	}
	if doc.Find(`nav a[data-testid=nav-reports][aria-current=page]`).Length() != 1 {
		t.Errorf("the navigation does not mark the committee pack")
	}
	for _, c := range []struct{ query, field string }{
		{"from=2026-04-01&to=2026-03-31", "to"}, {"from=nope&to=2026-03-31", "from"}, {"register=reg_unknown", "register"},
	} {
		r := viewer.get("/reports/committee?" + c.query)
		if r.StatusCode != http.StatusBadRequest || r.Doc(t).Find(`[data-testid="error-`+c.field+`"]`).Length() != 1 {
			t.Errorf("%s: %d, want 400 naming %s", c.query, r.StatusCode, c.field)
		}
	}
}

// rawResponse is a response whose body may be binary.
type rawResponse struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

func rawGet(t *testing.T, url, key string) rawResponse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return rawResponse{StatusCode: res.StatusCode, Header: res.Header, Body: b}
}

// pdfText extracts a PDF's text with pdftotext (poppler-utils); pages end
// with a form feed.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pack.pdf")
	if err := os.WriteFile(p, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// A risk deleted and restored in the window is new again (marked
// restored); one deleted before and restored after the window's start is
// new in it; a risk moved to another register counts in the register it
// is in at the end.
func TestChangesSinceRestoreAndRegisters(t *testing.T) {
	e := newEnv(t)
	e.Clock.Set(day("2025-12-01"))
	o := e.signup("Restorers", "owner@restore.test")
	p := o.Owner.principal()
	h := &quarter{e: e, o: o, actor: audit.Actor{MemberID: p.MemberID, Name: p.User.Name}, risks: map[string]*risk.Risk{}}
	ctx := context.Background()
	other, err := e.Server.Risks.CreateRegister(ctx, o.ID, h.actor, risk.RegisterInput{Name: "Projects", Matrix: risk.DefaultMatrix()})
	if err != nil {
		t.Fatal(err)
	}
	h.create("2025-12-01", "Back from the bin", 2, 2, risk.Input{})
	h.create("2025-12-02", "Deleted and back in a day", 2, 2, risk.Input{})
	h.create("2025-12-03", "Moves to projects", 2, 2, risk.Input{})
	h.remove("2025-12-10", "Back from the bin")
	h.at("2026-02-01")
	if _, err := e.Server.Risks.Restore(ctx, o.ID, h.actor, h.risks["Back from the bin"].ID); err != nil {
		t.Fatal(err)
	}
	h.remove("2026-02-02", "Deleted and back in a day")
	h.at("2026-02-03")
	if _, err := e.Server.Risks.Restore(ctx, o.ID, h.actor, h.risks["Deleted and back in a day"].ID); err != nil {
		t.Fatal(err)
	}
	h.change("2026-02-04", "Moves to projects", func(in *risk.Input) { in.RegisterID = other.ID; in.ResidualProbability, in.ResidualImpact = 9, 9 })

	e.Clock.Set(day("2026-03-01"))
	owner := e.login("owner@restore.test", testPassword)
	ids := func(path, kind string) string {
		t.Helper()
		res := owner.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		var out []string
		res.Doc(t).Find(`[data-testid="moved-` + kind + `"] [data-testid=moved-row]`).Each(func(_ int, s *goquery.Selection) {
			id := s.AttrOr("data-id", "")
			if strings.Contains(s.Text(), "restored") {
				id += " (restored)"
			}
			out = append(out, id)
		})
		return strings.Join(out, ",")
	}
	back, day2, moved := h.risks["Back from the bin"].Identifier(), h.risks["Deleted and back in a day"].Identifier(), h.risks["Moves to projects"].Identifier()
	if got := ids("/changes?since=2026-01-01", "new"); got != back+" (restored)" {
		t.Errorf("new since 1 January: %q, want only the risk restored after its start", got)
	}
	if got := ids("/changes?since=2026-01-01", "deleted"); got != "" {
		t.Errorf("deleted since 1 January: %q, want none (the one deleted in the window is back)", got)
	}
	if got := ids("/changes?since=2026-02-03", "new"); got != day2+" (restored)" {
		t.Errorf("new since 3 February (it was deleted at its start): %q", got)
	}
	if got := ids("/changes?since=2026-01-01", "up"); got != moved {
		t.Errorf("up since 1 January: %q, want the moved risk", got)
	}
	if got := ids("/changes?since=2026-01-01&register="+other.ID, "up"); got != moved {
		t.Errorf("up in Projects: %q, want the risk it holds now", got)
	}
	res := owner.get("/changes?since=2026-01-01")
	def := res.Doc(t).Find(`#c-register option`).Eq(1).AttrOr("value", "")
	if got := ids("/changes?since=2026-01-01&register="+def, "up"); got != "" {
		t.Errorf("up in the default register: %q, want none (the risk moved out)", got)
	}
}
