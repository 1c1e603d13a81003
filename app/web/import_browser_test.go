package web_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserImport uploads a file with errors, reads them in the preview,
// uploads the fixed file, commits, and finds the risks in the register.
func TestBrowserImport(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Upload Org", "owner@upload.test")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	header := "title,description,category,probability,impact,assignee_email\n"
	bad := write("bad.csv", header+"Flood,Water in the basement,resilience,High,Moderate,owner@upload.test\nFire,Burns,weather,12,2,nobody@upload.test\n")
	good := write("good.csv", header+"Flood,Water in the basement,resilience,High,Moderate,owner@upload.test\nFire,Burns,resilience,9,2,\n")

	b := openBrowser(t, e)
	b.login("owner@upload.test")
	b.click("[data-testid=nav-import]")
	b.waitVisible("[data-testid=import-form]")
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{bad}))
	b.click("[data-testid=import-preview]")
	b.waitVisible("[data-testid=import-rows]")
	errs := eval[[]string](b, `[...document.querySelectorAll('[data-testid=import-error]')].map(li => li.closest('tr').dataset.row + ' ' + li.textContent.trim())`)
	want := []string{"3 category: Category must be one of Customer,", "3 probability: Probability must be one of Very Low, Low, Moderate, High, Very High, or a number from 0 to 10; got “12”", "3 assignee_email: no member with this email"}
	if len(errs) != len(want) {
		b.fatal("preview errors %q, want %d", errs, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i], w) {
			t.Errorf("error %d = %q, want %q…", i, errs[i], w)
		}
	}
	if b.count("[data-testid=import-commit]") != 0 {
		t.Error("a preview with errors offers Commit import")
	}
	if n := orgRisks(t, e, o.ID); n != 0 {
		t.Fatalf("the preview wrote %d risks", n)
	}

	// The preview with errors offers the upload form again.
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{good}))
	b.click("[data-testid=import-preview]")
	b.waitVisible("[data-testid=import-commit]")
	if got := b.text("[data-testid=import-counts]"); !strings.Contains(got, "2 to create") {
		t.Errorf("counts %q", got)
	}
	b.click("[data-testid=import-commit]")
	b.waitVisible("[data-testid=result-count]")
	b.waitFor("the register after the import", `location.pathname === '/risks' && document.querySelectorAll('[data-testid=risk-row]').length === 2`)
	titles := b.rowTitles()
	slices.Sort(titles)
	if !slices.Equal(titles, []string{"Fire", "Flood"}) {
		t.Errorf("register shows %q", titles)
	}
	if fl := b.flashes(); len(fl) == 0 || !strings.Contains(fl[0], "Imported: 2 created, 0 updated") {
		t.Errorf("flashes %q", fl)
	}
	b.checkConsole(422)
}
