package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// formOf collects a form's fields as a browser would submit them.
func formOf(doc *goquery.Document, sel string) url.Values {
	v := url.Values{}
	form := doc.Find(sel)
	form.Find("input[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		val, _ := s.Attr("value")
		v.Set(name, val)
	})
	form.Find("select[name]").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		opt := s.Find("option[selected]")
		if opt.Length() == 0 {
			opt = s.Find("option").First()
		}
		val, _ := opt.Attr("value")
		v.Set(name, val)
	})
	return v
}

// postFile posts a multipart form with one file field.
func (c *client) postFile(path, field, filename string, data []byte, fields url.Values) *response {
	c.e.t.Helper()
	if c.csrf == "" {
		c.get("/login")
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", c.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile(field, filename)
	fw.Write(data)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.e.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

func defaultRegister(t *testing.T, e *env, o *org) *risk.Register {
	t.Helper()
	reg, err := e.Server.Risks.Registers.DefaultRegister(context.Background(), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func registerEvents(t *testing.T, e *env, o *org, id string) []int64 {
	t.Helper()
	var ids []int64
	if err := e.DB.NewSelect().TableExpr("events").ColumnExpr("id").Where("organization_id = ? AND entity_type = ? AND entity_id = ?", o.ID, audit.EntityRegister, id).Scan(context.Background(), &ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestMatrixEditReLevelsRisksAndWritesOneEvent(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Other", "owner@other.example")
	reg := defaultRegister(t, e, a)
	for _, pi := range [][2]int{{1, 1}, {2, 2}, {9, 9}} {
		e.createRisk(a, risk.Input{Title: "Risk", Probability: pi[0], Impact: pi[1]})
	}
	e.createRisk(a, risk.Input{Title: "Unassessed"})
	rows := func() int {
		return a.Owner.get("/risks?level=3").Doc(t).Find(`[data-testid="risk-row"]`).Length()
	}
	if n := rows(); n != 1 {
		t.Fatalf("critical before: %d rows", n)
	}

	page := a.Owner.get("/settings/registers/" + reg.ID)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("edit page: %d", page.StatusCode)
	}
	doc := page.Doc(t)
	if doc.Find(`[data-testid="settings-nav"] a[aria-current="page"]`).Text() != "Registers" {
		t.Error("the settings sub-navigation does not mark Registers")
	}
	form := formOf(doc, `[data-testid="register-form"]`)
	if form.Get("cell.0.0") != "0" || form.Get("cell.4.4") != "3" || form.Get("likelihood.0.upper") != "2" {
		t.Fatalf("form does not show the default matrix: %v", form)
	}

	// A bad matrix: 422 with field errors, nothing written.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("likelihood.2.upper", "3")
	bad.Set("level.1.color", "yellow")
	res := a.Owner.postForm("/settings/registers/"+reg.ID, bad)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad matrix: status %d, want 422", res.StatusCode)
	}
	d := res.Doc(t)
	if d.Find(`[data-testid="error-likelihood"]`).Length() != 1 || d.Find(`[data-testid="error-levels"]`).Length() != 1 {
		t.Fatalf("bad matrix: missing field errors: %s", d.Find(".field-error").Text())
	}
	if got := defaultRegister(t, e, a); !got.UpdatedAt.Equal(reg.UpdatedAt) || len(registerEvents(t, e, a, reg.ID)) != 0 {
		t.Fatal("a refused matrix was written")
	}

	// Every cell critical: the register list filter sees it at once.
	for l := range 5 {
		for i := range 5 {
			form.Set("cell."+string(rune('0'+l))+"."+string(rune('0'+i)), "3")
		}
	}
	form.Set("tolerance", "2")
	res = a.Owner.postForm("/settings/registers/"+reg.ID, form)
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, "/settings/registers/"+reg.ID) {
		t.Fatalf("save: status %d at %s: %s", res.StatusCode, res.URL, res.Doc(t).Find(".field-error").Text())
	}
	if n := rows(); n != 3 {
		t.Fatalf("critical after the edit: %d rows, want 3", n)
	}
	if n := len(registerEvents(t, e, a, reg.ID)); n != 1 {
		t.Fatalf("%d register events, want 1", n)
	}
	// The same form again is stale: 409, nothing written.
	if res := a.Owner.postForm("/settings/registers/"+reg.ID, form); res.StatusCode != http.StatusConflict {
		t.Fatalf("stale form: status %d, want 409", res.StatusCode)
	}

	// Another organization's register is not found.
	for _, path := range []string{"/settings/registers/" + reg.ID, "/settings/registers/" + reg.ID + "/matrix.yaml"} {
		if res := b.Owner.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("other org GET %s: %d, want 404", path, res.StatusCode)
		}
	}
	b.Owner.get("/settings/registers")
	form.Del("_csrf")
	if res := b.Owner.postForm("/settings/registers/"+reg.ID, form); res.StatusCode != http.StatusNotFound {
		t.Errorf("other org POST: %d, want 404", res.StatusCode)
	}
}

// matrixFixtures holds the risk package's CISO Assistant libraries (3x3 to
// 6x6), read from there so that the parser and the import page are tested
// on the same files.
const matrixFixtures = "../risk/testdata/matrices/"

func TestImportExportRegisters(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	files, _ := filepath.Glob(matrixFixtures + "*.yaml")
	if len(files) < 6 {
		t.Fatalf("found %d example files", len(files))
	}
	a.Owner.get("/settings/registers")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res := a.Owner.postFile("/settings/registers/import", "file", filepath.Base(f), data, nil)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.URL, "/settings/registers/reg_") {
			t.Fatalf("import %s: status %d at %s: %s", f, res.StatusCode, res.URL, res.Doc(t).Find(".field-error").Text())
		}
		_, _, want, _ := risk.ParseMatrixYAML(data)
		id := res.URL[strings.LastIndex(res.URL, "/")+1:]
		reg, err := e.Server.Risks.Registers.Register(context.Background(), a.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(reg.Matrix.Grid) != len(want.Grid) || reg.Matrix.Levels[0] != want.Levels[0] {
			t.Fatalf("imported %s: %+v", f, reg.Matrix)
		}
		exp := a.Owner.get("/settings/registers/" + id + "/matrix.yaml")
		if exp.StatusCode != http.StatusOK || !strings.HasPrefix(exp.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %q", exp.StatusCode, exp.Header.Get("Content-Disposition"))
		}
		_, _, back, err := risk.ParseMatrixYAML([]byte(exp.Body))
		if err != nil {
			t.Fatalf("re-import of the export: %v", err)
		}
		if len(back.Grid) != len(want.Grid) || back.Grid[len(back.Grid)-1][0] != want.Grid[len(want.Grid)-1][0] || back.Tolerance != want.Tolerance {
			t.Fatalf("export of %s does not round-trip", f)
		}
	}
	list := a.Owner.get("/settings/registers").Doc(t)
	if n := list.Find(`[data-testid="registers"] tbody tr`).Length(); n != len(files)+1 {
		t.Fatalf("%d registers listed, want %d", n, len(files)+1)
	}
	// The register page gets a Register filter.
	if a.Owner.get("/risks").Doc(t).Find(`[data-testid="filter-register"] option`).Length() != len(files)+2 {
		t.Error("the register page has no Register filter with every register")
	}

	// Import into an existing register: its matrix is replaced and its risks re-levelled.
	def := defaultRegister(t, e, a)
	rk := e.createRisk(a, risk.Input{Title: "Top corner", Probability: 10, Impact: 10})
	data, err := os.ReadFile(matrixFixtures + "tiered-3x3.yaml")
	if err != nil {
		t.Fatal(err)
	}
	res := a.Owner.postFile("/settings/registers/import", "file", "m.yaml", data, url.Values{"register": {def.ID}})
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, "/settings/registers/"+def.ID) {
		t.Fatalf("import into the default register: %d at %s", res.StatusCode, res.URL)
	}
	if got := defaultRegister(t, e, a); len(got.Matrix.Likelihood) != 3 || got.Name != def.Name {
		t.Fatalf("default register after import: %+v", got)
	}
	if got, _ := e.Server.Risks.Get(context.Background(), a.ID, rk.ID); got.InherentLevel == nil || *got.InherentLevel != 2 {
		t.Fatalf("risk after import: level %v, want 2 (Severe on the 3x3 matrix)", got.InherentLevel)
	}
	if n := len(registerEvents(t, e, a, def.ID)); n != 1 {
		t.Fatalf("%d register events after the import, want 1", n)
	}

	// Bad files: 422 naming the problem, nothing created.
	for name, c := range map[string]struct{ data, msg string }{
		"malformed": {"objects: [unclosed", "not valid risk-matrix YAML"},
		"no matrix": {"name: x\n", "no objects.risk_matrix"},
		"too big":   {strings.Repeat("#", 256<<10+1), "larger than 256 KiB"},
	} {
		res := a.Owner.postFile("/settings/registers/import", "file", "x.yaml", []byte(c.data), nil)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, c.msg) {
			t.Errorf("%s: status %d, want 422 mentioning %q", name, res.StatusCode, c.msg)
		}
	}
	if n := a.Owner.get("/settings/registers").Doc(t).Find(`[data-testid="registers"] tbody tr`).Length(); n != len(files)+1 {
		t.Fatalf("bad imports created registers: %d", n)
	}
}
