package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// emulateMedia makes the tab render for media ("print", or "" for the screen).
func (b *browser) emulateMedia(media string) {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		return t.Call(ctx, "Emulation.setEmulatedMedia", map[string]any{"media": media}, nil)
	}))
}

// TestBrowserLookBack follows the links a risk manager clicks: the
// register's "Changes since", another start date, then the committee pack
// in the navigation, another period, and the pack as printed on A4.
func TestBrowserLookBack(t *testing.T) {
	h := scriptQuarter(t)
	seedPack(t, h)
	e := h.e
	e.Clock.Set(day("2026-04-02"))
	b := openBrowser(t, e)
	b.do(chromedp.EmulateViewport(1440, 900))
	b.login("owner@lookback.test")
	// Sign-in lands on the dashboard, which is not this test's subject:
	// the console is checked from the register on.
	b.console = watchConsole(b.ctx)

	b.navigate("/risks")
	b.click(`[data-testid=changes-link]`)
	b.waitVisible(`[data-testid=changes]`)
	if p := b.location(); !strings.HasSuffix(p, "/changes") {
		t.Fatalf("the register's link went to %s", p)
	}
	if got := b.text(`[data-testid=count-up]`); got != "Residual level went up: 3" {
		t.Errorf("since 90 days ago: %q", got)
	}
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("#c-since").value = "2026-02-01"`))
	b.click(`[data-testid=changes-form] button[type=submit]`)
	b.waitVisible(`[data-testid=changes][data-since="2026-02-01"]`)
	checkNoEmptyParams(t, b.location())
	if got := b.text(`[data-testid=count-up]`); got != "Residual level went up: 2" {
		t.Errorf("since 1 February: %q (Payroll errors moved on 20 January)", got)
	}
	b.screenshot("changes-since-1440")

	b.click(`[data-testid=nav-reports]`)
	b.waitVisible(`[data-testid=pack]`)
	if got := b.text(`[data-testid=pack-period]`); got != "1 Jan 2026 – 31 Mar 2026" {
		t.Errorf("default period %q", got)
	}
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("#p-from").value = "2026-03-11"`))
	b.click(`[data-testid=pack-form] button[type=submit]`)
	b.waitVisible(`[data-testid=pack][data-from="2026-03-11"]`)
	if got := b.count(`[data-testid=pack-moved] [data-testid=moved-row]`); got != 3 {
		t.Errorf("%d moved from 11 March, want 3 (closed, deleted, one down; Ransomware went up on the 10th)", got)
	}
	href := eval[string](b, `document.querySelector('[data-testid=pack-pdf]').getAttribute('href')`)
	if !strings.HasPrefix(href, "/reports/committee.pdf?from=2026-03-11&register=reg_") || !strings.HasSuffix(href, "&to=2026-03-31") {
		t.Errorf("PDF link %q", href)
	}
	b.navigate("/reports/committee")
	b.waitVisible(`[data-testid=pack]`)
	b.screenshot("committee-pack-1440")

	// Printed: no navigation or form, a page break before every section
	// but the cover, the level colours kept.
	b.emulateMedia("print")
	b.do(chromedp.EmulateViewport(794, 1123)) // A4 at 96 dpi
	if !eval[bool](b, `getComputedStyle(document.querySelector('[data-testid=sidebar]')).display === 'none' && getComputedStyle(document.querySelector('[data-testid=pack-form]')).display === 'none'`) {
		t.Errorf("the navigation or the form is printed")
	}
	breaks := eval[[]string](b, `[...document.querySelectorAll('.pack-section')].map(s => getComputedStyle(s).breakBefore)`)
	if len(breaks) != 7 || breaks[0] == "page" || strings.Count(strings.Join(breaks, ","), "page") != 6 {
		t.Errorf("page breaks %v, want one before each section but the cover", breaks)
	}
	if adj := eval[string](b, `getComputedStyle(document.querySelector('.pack')).printColorAdjust`); adj != "exact" {
		t.Errorf("print-color-adjust %q, want exact", adj)
	}
	b.screenshot("committee-pack-print")
	// Chromium's own print of the page: the cover, then each section from a
	// new A4 page.
	var printed struct {
		Data []byte `json:"data"`
	}
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		return t.Call(ctx, "Page.printToPDF", map[string]any{"preferCSSPageSize": true, "printBackground": true}, &printed)
	}))
	pages := strings.Split(strings.TrimSuffix(pdfText(t, printed.Data), "\f"), "\f")
	if len(pages) < 7 {
		t.Errorf("the printed pack has %d pages, want at least 7", len(pages))
	}
	for _, head := range []string{"Heat maps", "Top 5 residual risks", "Outside appetite (2)", "What moved in the period", "Overdue tasks (2)", "Incidents in the period (2)"} {
		if !slices.ContainsFunc(pages, func(p string) bool { return strings.HasPrefix(strings.TrimSpace(p), head) }) {
			t.Errorf("no printed page starts with %q", head)
		}
	}
	b.emulateMedia("")
	b.checkConsole()
}
