package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/riskreg/riskreg/app/risk"
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

// TestBrowserImportPreviewChanges: an update row of the preview lists each
// changed field, old → new in labels, readable at 1440 and 390 px without
// the page scrolling sideways; the file, written in labels, then commits.
func TestBrowserImportPreviewChanges(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Upload Org", "owner@upload.test")
	r := e.createRisk(o, risk.Input{Title: "Power outage at the data centre", Description: "The grid fails for hours",
		Category: "operations", Department: "it", Probability: 4, Impact: 6, Tags: []string{"power"}})
	p := filepath.Join(t.TempDir(), "update.csv")
	body := "identifier,title,description,category,department,status,probability,impact,tags,version\n" +
		r.Identifier() + ",Power outage at the data centre,The grid fails for hours,Technology,Administration,Pending,High,6,power;grid,1\n" +
		",Supplier cannot deliver,Parts arrive late,Vendor management,Administration,Open,Moderate,High,supplier,\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}

	b := openBrowser(t, e)
	b.login("owner@upload.test")
	b.navigate("/import")
	b.waitVisible("[data-testid=import-template]")
	b.screenshot("import-upload-1400")
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{p}))
	b.click("[data-testid=import-preview]")
	b.waitVisible("[data-testid=import-changes]")
	changes := eval[[]string](b, `[...document.querySelectorAll('[data-testid=import-change]')].map(li => li.textContent.replace(/\s+/g, ' ').trim())`)
	want := []string{"Category: Operations → Technology", "Department: IT → Administration", "Status: Open → Pending",
		"Probability: 4 (Low) → 8 (High)", "Tags: power → power, grid"}
	if !slices.Equal(changes, want) {
		b.fatal("changes %q, want %q", changes, want)
	}
	if got := b.text("[data-testid=import-counts]"); !strings.Contains(got, "2 rows") || !strings.Contains(got, "1 to create, 1 to update") {
		t.Errorf("counts %q", got)
	}
	shoot := func(width int, name string) {
		b.do(chromedp.EmulateViewport(int64(width), 900))
		for _, dark := range []bool{false, true} {
			b.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.documentElement.classList.toggle('dark', %t)`, dark)),
				chromedp.Sleep(400*time.Millisecond)) // let colour transitions end
			suffix := "light"
			if dark {
				suffix = "dark"
			}
			b.screenshot(name + "-" + suffix)
		}
		b.do(chromedp.Evaluate[chromedp.Void](`document.documentElement.classList.remove('dark')`))
		if w := eval[int](b, `document.documentElement.scrollWidth`); w > width {
			t.Errorf("at %d px the preview is %d px wide", width, w)
		}
		// The change list (or error list) is on screen, not cut off inside its table.
		if !b.expect("the first change is within the viewport", fmt.Sprintf(
			`(() => { const r = document.querySelector('[data-testid=import-change], [data-testid=import-error]').getBoundingClientRect(); return r.left >= 0 && r.right <= %d; })()`, width)) {
			t.Errorf("at %d px the change list is cut off", width)
		}
	}
	shoot(1440, "import-preview-1440")
	shoot(390, "import-preview-390")

	// A file with wrong values, on a phone: the errors name the choices.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("title,description,category,department,probability\nX,D,Admin,Finance,Catastrophic\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.navigate("/import")
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{bad}))
	b.click("[data-testid=import-preview]")
	b.waitVisible("[data-testid=import-has-errors]")
	if got := b.text("[data-testid=import-has-errors]"); !strings.HasPrefix(strings.TrimSpace(got), "1 row has errors") {
		t.Errorf("error notice %q", got)
	}
	shoot(390, "import-errors-390")
	b.do(chromedp.EmulateViewport(1400, 1000))
	b.navigate("/import")
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{p}))
	b.click("[data-testid=import-preview]")
	b.waitVisible("[data-testid=import-commit]")

	b.click("[data-testid=import-commit]")
	b.waitVisible("[data-testid=result-count]")
	b.waitFor("the register after the import", `location.pathname === '/risks' && document.querySelectorAll('[data-testid=risk-row]').length === 2`)
	if fl := b.flashes(); len(fl) == 0 || !strings.Contains(fl[0], "Imported: 1 created, 1 updated") {
		t.Errorf("flashes %q", fl)
	}
	b.checkConsole(422)
}
