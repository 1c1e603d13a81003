package web_test

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/views/apidocs"
)

// TestAPIDocsCurlExampleWorksWhenPasted runs the page's curl example in a
// POSIX shell, with curl replaced by a function that prints its
// arguments: the URL arrives whole (its "&" does not end the command),
// the key expands in the header; then the URL answers with a real key.
func TestAPIDocsCurlExampleWorksWhenPasted(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	e.createRisk(a, risk.Input{Title: "Open risk", Probability: 5, Impact: 5})
	doc := e.client().get("/api/docs").Doc(t)
	example := strings.TrimSpace(doc.Find(`[data-testid="curl-example"]`).Text())
	if !strings.HasPrefix(example, "curl ") {
		t.Fatalf("curl example %q", example)
	}
	key := e.apiKey(a, "risks:read").key
	script := "curl() { for a in \"$@\"; do printf '%s\\n' \"$a\"; done; }\nRISKREG_KEY=" + key + "\n" + example + "\n"
	out, err := exec.Command(sh, "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("the example fails in sh: %v: %s", err, out)
	}
	args := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	wantURL := e.URL + apidocs.ExamplePath
	if len(args) != 3 || args[0] != "-H" || args[1] != "Authorization: Bearer "+key || args[2] != wantURL {
		t.Fatalf("the shell passes %q to curl, want -H, the header with the key, %s", args, wantURL)
	}
	req, _ := http.NewRequest(http.MethodGet, args[2], nil)
	h, v, _ := strings.Cut(args[1], ": ")
	req.Header.Set(h, v)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("the example's request answers %d", res.StatusCode)
	}
}

// TestShellQuote quotes what a base URL could hold.
func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"https://r.example/a?b=1&c=2": `'https://r.example/a?b=1&c=2'`,
		"it's":                        `'it'\''s'`,
	} {
		if got := apidocs.ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestAPIDocsShowsCodeNotBackticks: descriptions written with Markdown
// backticks show code, never the backticks; the page links back.
func TestAPIDocsShowsCodeNotBackticks(t *testing.T) {
	e := newEnv(t)
	doc := e.client().get("/api/docs").Doc(t)
	if text := doc.Find("main").Text(); strings.Contains(text, "`") {
		i := strings.Index(text, "`")
		t.Errorf("the page shows a backtick: …%s…", text[max(0, i-40):min(len(text), i+40)])
	}
	var codes []string
	doc.Find("[data-testid=api-docs] code").Each(func(_ int, s *goquery.Selection) { codes = append(codes, s.Text()) })
	if !strings.Contains(strings.Join(codes, "|"), "Authorization: Bearer <key>") {
		t.Errorf("inline code %q lacks the header", codes)
	}
	if doc.Find(`main a[href="/"]`).Length() == 0 {
		t.Errorf("no way back to the app")
	}
	for in, want := range map[string]string{
		"a `b` c":   "a |<b>| c",
		"`x`":       "<x>",
		"odd ` one": "odd ` one",
		"":          "",
	} {
		var parts []string
		for _, sp := range apidocs.Inline(in) {
			if sp.Code {
				parts = append(parts, "<"+sp.Text+">")
			} else {
				parts = append(parts, sp.Text)
			}
		}
		if got := strings.Join(parts, "|"); got != want {
			t.Errorf("Inline(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAPIKeysPageLinksTheAPIDocs: the settings page for API keys, and the
// panel with a new key, point to the reference.
func TestAPIKeysPageLinksTheAPIDocs(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	doc := a.Owner.get("/settings/api-keys").Doc(t)
	if doc.Find(`main a[href="/api/docs"]`).Length() == 0 {
		t.Errorf("Settings → API keys does not link /api/docs")
	}
	res := a.Owner.postForm("/settings/api-keys", map[string][]string{"name": {"Scanner"}, "scopes": {"risks:read"}})
	if res.Doc(t).Find(`[data-testid="new-key"] a[href="/api/docs"]`).Length() == 0 {
		t.Errorf("the new key's panel does not link /api/docs (status %d)", res.StatusCode)
	}
}

// TestMovementOrderAndNoKindSwitch: the movement view lists the most
// severe inherent levels first and shows no inherent/residual switch
// (which did nothing there); a residual choice survives the way back.
func TestMovementOrderAndNoKindSwitch(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	// The most frequent move is the least severe: the database orders by count.
	e.createRisk(a, risk.Input{Title: "Low", Probability: 1, Impact: 1, ResidualProbability: 1, ResidualImpact: 1})
	e.createRisk(a, risk.Input{Title: "Low too", Probability: 1, Impact: 1, ResidualProbability: 1, ResidualImpact: 1})
	e.createRisk(a, risk.Input{Title: "Medium", Probability: 5, Impact: 5, ResidualProbability: 1, ResidualImpact: 5})
	e.createRisk(a, risk.Input{Title: "High", Probability: 7, Impact: 7, ResidualProbability: 3, ResidualImpact: 7})
	e.createRisk(a, risk.Input{Title: "Critical", Probability: 10, Impact: 10, ResidualProbability: 5, ResidualImpact: 5})

	doc := a.Owner.get("/heatmap?view=movement").Doc(t)
	var from []string
	doc.Find(`[data-testid="move"]`).Each(func(_ int, s *goquery.Selection) {
		from = append(from, strings.TrimSpace(s.Find("td").First().Find(`[data-testid="level"], .badge`).First().Text()))
	})
	want := []string{"Critical", "High", "Medium", "Low"}
	if strings.Join(from, ",") != strings.Join(want, ",") {
		t.Errorf("movement rows start at %q, want %q", from, want)
	}
	if n := doc.Find(`#heatmap-filters input[name="kind"][type="radio"]`).Length(); n != 0 {
		t.Errorf("the movement view shows the inherent/residual switch (%d radios)", n)
	}
	// The matrix has it.
	if n := a.Owner.get("/heatmap").Doc(t).Find(`#heatmap-filters input[name="kind"][type="radio"]`).Length(); n != 2 {
		t.Errorf("the matrix shows %d kind radios, want 2", n)
	}
	// Residual, then movement: the kind is kept for the matrix.
	doc = a.Owner.get("/heatmap?kind=residual&view=movement").Doc(t)
	if v, _ := doc.Find(`#heatmap-filters input[type="hidden"][name="kind"]`).Attr("value"); v != "residual" {
		t.Errorf("movement after residual keeps kind %q", v)
	}
	if href, _ := doc.Find(`[data-testid="view-grid"]`).Attr("href"); !strings.Contains(href, "kind=residual") {
		t.Errorf("the way back to the matrix %q loses the residual choice", href)
	}
}

// TestHistoryDatesReadLikeThePage: history shows dates as the page does
// ("31 Jan 2030"), never as stored ("2030-01-31"), for due dates and tasks.
func TestHistoryDatesReadLikeThePage(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	a.Owner.get("/risks/new")
	if res := a.Owner.postForm("/risks", riskForm("Server vulnerability")); res.StatusCode != http.StatusOK {
		t.Fatalf("create: %d", res.StatusCode)
	}
	v := riskForm("Server vulnerability")
	v.Set("version", "1")
	v.Set("due_date", "2030-03-15")
	v.Set("next_review_date", "2030-06-01")
	if res := a.Owner.postForm("/risks/RSK-00001", v); res.StatusCode != http.StatusOK {
		t.Fatalf("update: %d", res.StatusCode)
	}
	r, err := e.Server.Risks.Get(t.Context(), a.ID, "RSK-00001")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC)
	e.addTask(a, r, risk.TaskInput{Title: "Patch the VPN", DueDate: &due})

	doc := a.Owner.get("/risks/RSK-00001").Doc(t)
	history := historyText(doc)
	for _, want := range []string{"Due date: 31 Jan 2030 → 15 Mar 2030", "Next review: — → 1 Jun 2030", "Patch the VPN (open, due 1 Feb 2030)"} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
	if strings.Contains(history, "2030-") {
		t.Errorf("history shows an ISO date:\n%s", history)
	}
	// The page's own dates use the same format.
	if !strings.Contains(doc.Find("main").Text(), "15 Mar 2030") {
		t.Errorf("the risk page does not show the due date as 15 Mar 2030")
	}
}

// TestExcelExportSaysWhatItIs: the BOM export is offered in plain words.
func TestExcelExportSaysWhatItIs(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	link := a.Owner.get("/risks").Doc(t).Find(`[data-testid="export-csv-bom"]`)
	if got := strings.TrimSpace(link.Text()); got != "Excel-friendly CSV" {
		t.Errorf("the Excel export link says %q", got)
	}
	if href, _ := link.Attr("href"); !strings.Contains(href, "bom=1") {
		t.Errorf("the Excel export link %q lost the BOM", href)
	}
}
