package web_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/riskreg/riskreg/app/risk"
)

// TestBrowserCSVExport filters the register, clicks Export CSV and reads the
// file the click downloaded: exactly the filtered risks, in the register's order.
func TestBrowserCSVExport(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Download Org", "owner@download.test")
	for _, in := range []risk.Input{
		{Title: "Supplier insolvency", Category: "vendor_management", Probability: 4, Impact: 6},
		{Title: "Server outage", Category: "technology", Probability: 5, Impact: 5},
		{Title: "=HYPERLINK(\"http://evil\",\"x\") vendor", Category: "vendor_management", Probability: 2, Impact: 3},
		{Title: "Staff turnover", Category: "people", Probability: 3, Impact: 3},
	} {
		e.createRisk(o, in)
	}
	b := openBrowser(t, e)
	b.login("owner@download.test")
	b.choose("#f-category", "vendor_management")
	b.waitFor("the category filter", `new URLSearchParams(location.search).get('category') === 'vendor_management' && document.querySelectorAll('[data-testid=risk-row]').length === 2`)
	rows := b.rowTitles()

	dir := t.TempDir()
	progress := chromedp.Events(b.ctx, cdpbrowser.DownloadProgress)
	b.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		enabled := true
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &enabled,
			// The tab lives in its own (incognito) browser context.
			BrowserContextID: chromedp.FromContext(ctx).BrowserContextID,
		})
		return err
	}))
	b.click("[data-testid=export-csv]")
	deadline := time.Now().Add(15 * time.Second)
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled || time.Now().After(deadline) {
			t.Fatalf("download state %v", ev.State)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	got := parseExport(t, string(data))
	var titles []string
	for _, r := range got {
		titles = append(titles, r["title"])
		if r["category"] != "vendor_management" {
			t.Errorf("exported a %s risk", r["category"])
		}
	}
	want := make([]string, len(rows))
	for i, r := range rows {
		want[i] = r
		if r != "" && r[0] == '=' {
			want[i] = "'" + r
		}
	}
	if !slices.Equal(titles, want) {
		t.Errorf("downloaded titles %q, register shows %q", titles, want)
	}
	b.checkConsole()
}
