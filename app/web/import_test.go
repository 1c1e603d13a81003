package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// uploadCSV posts content as the import file to /import/preview.
func (c *client) uploadCSV(name, content string) *response {
	c.e.t.Helper()
	return c.postMultipart("/import/preview", func(w *multipart.Writer) {
		fw, _ := w.CreateFormFile("file", name)
		_, _ = fw.Write([]byte(content))
	})
}

// commitCSV posts the CSV text to /import/commit as the preview's form does.
func (c *client) commitCSV(content string) *response {
	c.e.t.Helper()
	return c.postMultipart("/import/commit", func(w *multipart.Writer) { _ = w.WriteField("csv", content) })
}

// postMultipart posts a multipart form with the CSRF token and the parts
// that fill writes.
func (c *client) postMultipart(path string, fill func(*multipart.Writer)) *response {
	c.e.t.Helper()
	if c.csrf == "" {
		c.get("/import")
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", c.csrf)
	fill(w)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

func riskEvents(t *testing.T, e *env, orgID string) int {
	return secCount(t, e, "events", "organization_id = ? AND entity_type = 'risk'", orgID)
}

func orgRisks(t *testing.T, e *env, orgID string) int {
	return secCount(t, e, "risks", "organization_id = ?", orgID)
}

// previewErrors returns "row column: message" for every error shown.
func previewErrors(t *testing.T, res *response) []string {
	var out []string
	res.Doc(t).Find(`[data-testid="import-row"]`).Each(func(_ int, tr *goquery.Selection) {
		row, _ := tr.Attr("data-row")
		tr.Find(`[data-testid="import-error"]`).Each(func(_ int, li *goquery.Selection) {
			out = append(out, row+" "+strings.TrimSpace(li.Text()))
		})
	})
	return out
}

const importHeader = "identifier,title,description,category,department,status,probability,impact,residual_probability,residual_impact,assignee_email,due_date,tags\r\n"

func TestImportRow500InvalidWritesNothing(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Import Org", "owner@import.test")
	var b strings.Builder
	b.WriteString(importHeader)
	for i := 2; i <= 601; i++ { // spreadsheet rows 2..601
		cat := "technology"
		if i == 500 {
			cat = "weather"
		}
		fmt.Fprintf(&b, ",Risk %d,Described,%s,it,open,High,3,2,2,owner@import.test,2027-01-02,a;b\r\n", i, cat)
	}
	res := o.Owner.uploadCSV("big.csv", b.String())
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("preview: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if doc.Find(`[data-testid="import-commit"]`).Length() != 0 {
		t.Error("a preview with errors offers a commit button")
	}
	if !strings.Contains(doc.Find(`[data-testid="import-has-errors"]`).Text(), "Fix the file and upload it again") {
		t.Error("no 'fix the file' message")
	}
	errs := previewErrors(t, res)
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "500 category: Category must be one of Customer, Governance,") {
		t.Errorf("errors %q, want one for row 500 category", errs)
	}
	// Commit re-validates: posting the bad text directly writes nothing.
	if res := o.Owner.commitCSV(b.String()); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("commit of an invalid file: %d", res.StatusCode)
	}
	if n, ev := orgRisks(t, e, o.ID), riskEvents(t, e, o.ID); n != 0 || ev != 0 {
		t.Errorf("%d risks and %d events written, want none", n, ev)
	}
}

func TestImportResolvesLevelsAssigneesAndIdentifiers(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Import Org", "owner@import.test")
	other := e.signup("Other Org", "owner@other.test")
	e.addMember(other, "stranger@other.test", account.RoleEditor)
	keep := e.createRisk(o, risk.Input{Title: "Keep me", Description: "Same", Category: "people", Probability: 4, Impact: 4, Tags: []string{"x"}})
	change := e.createRisk(o, risk.Input{Title: "Change me", Description: "Old", Category: "people"})

	// An assignee of another organization is rejected; nothing is written.
	bad := importHeader + ",Stranger,D,technology,,,,,,,stranger@other.test,,\r\n"
	res := o.Owner.uploadCSV("bad.csv", bad)
	if errs := previewErrors(t, res); !slices.Equal(errs, []string{"2 assignee_email: no member with this email"}) {
		t.Errorf("errors %q", errs)
	}
	if res := o.Owner.commitCSV(bad); res.StatusCode != http.StatusUnprocessableEntity || orgRisks(t, e, o.ID) != 2 {
		t.Errorf("commit with another org's assignee: %d, %d risks", res.StatusCode, orgRisks(t, e, o.ID))
	}

	good := importHeader +
		",New one,D,technology,hr,pending,high,Very High,low,2,OWNER@import.test,2027-03-04,b;a\r\n" +
		keep.Identifier() + ",Keep me,Same,people,none,open,4,4,0,0,,,x\r\n" +
		strings.ToLower(change.Identifier()) + ",Changed,New,people,,,,,,,,,\r\n"
	res = o.Owner.uploadCSV("good.csv", good)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview: %d %q", res.StatusCode, previewErrors(t, res))
	}
	var actions []string
	res.Doc(t).Find(`[data-testid="import-row"]`).Each(func(_ int, tr *goquery.Selection) {
		a, _ := tr.Attr("data-action")
		actions = append(actions, a)
	})
	if !slices.Equal(actions, []string{"created", "unchanged", "updated"}) {
		t.Errorf("actions %v", actions)
	}
	if got := res.Doc(t).Find(`[data-testid="import-counts"]`).Text(); !strings.Contains(got, "1 to create, 1 to update") || !strings.Contains(got, "1 unchanged") {
		t.Errorf("counts %q", got)
	}
	if orgRisks(t, e, o.ID) != 2 {
		t.Fatal("the preview wrote something")
	}
	eventsBefore := riskEvents(t, e, o.ID)
	commit := o.Owner.commitCSV(good)
	if commit.StatusCode != http.StatusOK || !strings.HasSuffix(commit.URL, "/risks") || !strings.Contains(commit.Body, "Imported: 1 created, 1 updated") {
		t.Fatalf("commit: %d at %s", commit.StatusCode, commit.URL)
	}
	if got := riskEvents(t, e, o.ID) - eventsBefore; got != 2 {
		t.Errorf("%d history events, want 2 (one created, one updated)", got)
	}
	ctx := context.Background()
	page, err := e.Server.Risks.List(ctx, o.ID, risk.ListQuery{Search: "New one"})
	if err != nil || len(page.Risks) != 1 {
		t.Fatalf("created risk: %v %d", err, len(page.Risks))
	}
	n := page.Risks[0]
	if n.Probability != 8 || n.Impact != 10 || n.ResidualProbability != 4 || n.ResidualImpact != 2 {
		t.Errorf("levels: %d %d %d %d, want 8 10 4 2", n.Probability, n.Impact, n.ResidualProbability, n.ResidualImpact)
	}
	if n.AssigneeID != o.Owner.principal().MemberID || n.Department != "hr" || n.Status != "pending" ||
		!slices.Equal(n.Tags, []string{"b", "a"}) || n.DueDate == nil || !n.DueDate.Equal(time.Date(2027, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("created risk %+v", n)
	}
	if r, _ := e.Server.Risks.Get(ctx, o.ID, change.ID); r.Title != "Changed" || r.Description != "New" || r.Version != 2 {
		t.Errorf("updated risk %q %q v%d", r.Title, r.Description, r.Version)
	}
	if r, _ := e.Server.Risks.Get(ctx, o.ID, keep.ID); r.Version != 1 {
		t.Errorf("unchanged risk was written: v%d", r.Version)
	}

	// An unknown identifier is a row error.
	res = o.Owner.uploadCSV("unknown.csv", importHeader+"RSK-09999,X,D,technology,,,,,,,,,\r\n")
	if errs := previewErrors(t, res); len(errs) != 1 || !strings.HasPrefix(errs[0], "2 identifier:") {
		t.Errorf("unknown identifier: %q", errs)
	}
}

func TestImportFileErrors(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Import Org", "owner@import.test")
	for _, tc := range []struct{ name, body, want string }{
		{"utf16", "\xff\xfet\x00i\x00t\x00", "UTF-16"},
		{"latin1", "title,description,category\ncaf\xe9,d,technology\n", "not valid UTF-8 (line 2)"},
		{"missing column", "title,category\nx,technology\n", "required column(s): description"},
		{"unbalanced quotes", "title,description,category\nx,\"open,technology\n", "Unbalanced quotes in the record starting on line 2"},
	} {
		res := o.Owner.uploadCSV(tc.name+".csv", tc.body)
		msg := res.Doc(t).Find(`[data-testid="import-file-error"]`).Text()
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %q, want 422 with %q", tc.name, res.StatusCode, msg, tc.want)
		}
		if res := o.Owner.commitCSV(tc.body); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: commit %d", tc.name, res.StatusCode)
		}
	}
	if n := orgRisks(t, e, o.ID); n != 0 {
		t.Errorf("%d risks written", n)
	}
}

func TestImportViewerForbidden(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Import Org", "owner@import.test")
	viewer := e.addMember(o, "viewer@import.test", account.RoleViewer)
	viewer.get("/risks")
	body := importHeader + ",X,D,technology,,,,,,,,,\r\n"
	for name, res := range map[string]*response{
		"GET /import":          viewer.get("/import"),
		"POST /import/preview": viewer.uploadCSV("x.csv", body),
		"POST /import/commit":  viewer.commitCSV(body),
	} {
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s as viewer: %d, want 403", name, res.StatusCode)
		}
	}
	if n := orgRisks(t, e, o.ID); n != 0 {
		t.Errorf("viewer imported %d risks", n)
	}
	if res := o.Owner.get("/import"); res.StatusCode != http.StatusOK || res.Doc(t).Find(`[data-testid="nav-import"]`).Length() != 1 {
		t.Errorf("owner: GET /import %d, or no Import nav item", res.StatusCode)
	}
	if viewer.get("/risks").Doc(t).Find(`[data-testid="nav-import"]`).Length() != 0 {
		t.Error("viewers see the Import nav item")
	}
}

// TestImportRoundTrip: export, clear the identifier column, import into an
// empty organization (whose members include the assignee), export again:
// every column but id, created_at and updated_at is equal, identifiers
// included.
func TestImportRoundTrip(t *testing.T) {
	e := newEnv(t)
	src := e.signup("Source Org", "owner@source.test")
	dst := e.signup("Target Org", "owner@target.test")
	ctx := context.Background()
	srcOwner := src.Owner.principal()
	if err := e.Server.Accounts.Store.CreateMember(ctx, &account.Member{
		ID: "mem_roundtrip", OrganizationID: dst.ID, UserID: srcOwner.User.ID, Role: account.RoleEditor, CreatedAt: time.Now(),
	}); err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{MemberID: srcOwner.MemberID, Name: srcOwner.User.Name}
	titles := []string{"=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tTabbed", "  =spaced", "Plain, with \"quotes\"\nand a newline"}
	for i := range 25 {
		due := time.Date(2027, 2, 1+i, 0, 0, 0, 0, time.UTC)
		in := risk.Input{
			Title: fmt.Sprintf("%s %d", titles[i%len(titles)], i), Description: titles[(i+1)%len(titles)],
			Category: []string{"technology", "people", "vendor_management"}[i%3], Department: []string{"it", "", "hr"}[i%3],
			Status: []string{"open", "pending", "closed"}[i%3], Probability: i % 11, Impact: (i * 3) % 11,
			ResidualProbability: i % 5, ResidualImpact: i % 4, Tags: []string{"=tag", "b"}[:i%3%2+1],
			Type: []string{"", "code", "third_party", "control_deficiency"}[i%4], ThreatObjectives: []string{"fraud", "sabotage", "data_disclosure"}[:i%4],
		}
		if i%2 == 0 {
			in.AssigneeID, in.DueDate = srcOwner.MemberID, &due
		}
		if _, err := e.Server.Risks.Create(ctx, src.ID, actor, in); err != nil {
			t.Fatal(err)
		}
	}
	first := src.Owner.get("/risks/export.csv?sort=identifier")
	if first.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", first.StatusCode)
	}
	rows := parseExport(t, first.Body)
	if len(rows) != 25 {
		t.Fatalf("exported %d rows", len(rows))
	}
	// The identifiers are of the source organization: clear them so every
	// row creates a risk. Imported in identifier order into an empty
	// organization, the new risks get the same identifiers.
	recs, err := csv.NewReader(strings.NewReader(first.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		rec[0] = ""
	}
	var cleared strings.Builder
	cw := csv.NewWriter(&cleared)
	_ = cw.WriteAll(recs)
	if res := dst.Owner.commitCSV(cleared.String()); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Imported: 25 created, 0 updated") {
		t.Fatalf("import: %d %s", res.StatusCode, previewErrors(t, res))
	}
	again := parseExport(t, dst.Owner.get("/risks/export.csv?sort=identifier").Body)
	if len(again) != len(rows) {
		t.Fatalf("re-export has %d rows, want %d", len(again), len(rows))
	}
	for i := range rows {
		for _, col := range []string{"id", "created_at", "updated_at"} {
			delete(rows[i], col)
			delete(again[i], col)
		}
		if fmt.Sprint(rows[i]) != fmt.Sprint(again[i]) {
			t.Errorf("row %d differs:\n%v\n%v", i, rows[i], again[i])
		}
	}
}

// retitleExport returns an export body with every row's title replaced
// by title, every other cell as exported.
func retitleExport(t *testing.T, body, title string) string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(recs[0], "title")
	for _, rec := range recs[1:] {
		rec[col] = title
	}
	var out strings.Builder
	w := csv.NewWriter(&out)
	_ = w.WriteAll(recs)
	return out.String()
}

// TestImportRefusesStaleRows: an exported file edited while someone else
// changed the risk is refused, in the preview and at commit, naming both
// versions; exported again, it updates the risk. The preview shows each
// updated risk's version.
func TestImportRefusesStaleRows(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Import Org", "owner@import.test")
	r := e.createRisk(o, risk.Input{Title: "Exported", Description: "D", Category: "people"})
	export := o.Owner.get("/risks/export.csv")
	if rows := parseExport(t, export.Body); len(rows) != 1 || rows[0]["version"] != "1" {
		t.Fatalf("export rows %v, want one at version 1", rows)
	}
	stale := retitleExport(t, export.Body, "Edited in the spreadsheet")

	p := o.Owner.principal()
	in := risk.InputOf(r)
	in.Title = "Changed meanwhile"
	if _, err := e.Server.Risks.Update(context.Background(), o.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name}, r.ID, r.Version, in); err != nil {
		t.Fatal(err)
	}
	res := o.Owner.uploadCSV("stale.csv", stale)
	want := []string{"2 version: RSK-00001 changed since it was exported (version 1, now 2); export again"}
	if errs := previewErrors(t, res); res.StatusCode != http.StatusUnprocessableEntity || !slices.Equal(errs, want) {
		t.Errorf("preview: %d %q, want 422 %q", res.StatusCode, errs, want)
	}
	if got := strings.TrimSpace(res.Doc(t).Find(`[data-testid="import-version"]`).Text()); got != "version 2" {
		t.Errorf("preview shows %q, want the risk's current version", got)
	}
	res = o.Owner.commitCSV(stale)
	if errs := previewErrors(t, res); res.StatusCode != http.StatusUnprocessableEntity || !slices.Equal(errs, want) {
		t.Errorf("commit: %d %q, want 422 %q", res.StatusCode, errs, want)
	}
	if got, _ := e.Server.Risks.Get(context.Background(), o.ID, r.ID); got.Title != "Changed meanwhile" || got.Version != 2 {
		t.Errorf("the stale file overwrote the risk: %q v%d", got.Title, got.Version)
	}

	fresh := retitleExport(t, o.Owner.get("/risks/export.csv").Body, "Edited in the spreadsheet")
	if res := o.Owner.uploadCSV("fresh.csv", fresh); res.StatusCode != http.StatusOK {
		t.Fatalf("preview of a fresh export: %d %q", res.StatusCode, previewErrors(t, res))
	}
	if res := o.Owner.commitCSV(fresh); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Imported: 0 created, 1 updated") {
		t.Fatalf("commit of a fresh export: %d %q", res.StatusCode, previewErrors(t, res))
	}
	if got, _ := e.Server.Risks.Get(context.Background(), o.ID, r.ID); got.Title != "Edited in the spreadsheet" || got.Version != 3 {
		t.Errorf("updated risk %q v%d", got.Title, got.Version)
	}
}
