package web_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// demoBrowserAt is demoBrowser at a viewport of w×h, with its environment.
func demoBrowserAt(t *testing.T, w, h int64) (*env, *browser) {
	t.Helper()
	b := demoBrowser(t)
	b.do(chromedp.EmulateViewport(w, h))
	return b.e, b
}

// chipLabels returns the labels of the register's filter chips.
func (b *browser) chipLabels() []string {
	b.t.Helper()
	return eval[[]string](b, `[...document.querySelectorAll('[data-testid=filter-chip]')].map(a => a.textContent.replace('✕', '').trim())`)
}

// TestBrowserDrillDownFiltersStay (issue 10, item 1, at 1440 px): the
// dashboard's "Overdue due dates" opens the register with an Overdue chip;
// choosing a category keeps it; removing a chip clears its control; Clear
// filters clears all.
func TestBrowserDrillDownFiltersStay(t *testing.T) {
	_, b := demoBrowserAt(t, 1440, 900)
	b.navigate("/")
	overdue := b.text(`[data-testid="card-overdue"] [data-testid="number"]`)
	b.click(`[data-testid="card-overdue"]`)
	b.waitVisible(`[data-testid="result-count"]`)
	if got := b.chipLabels(); !slices.Equal(got, []string{"Register: Risk register", "Overdue"}) {
		b.fatal("chips after the drill-down: %q", got)
	}
	if !strings.HasSuffix(b.text(`[data-testid="result-count"]`), "of "+overdue+" risks") {
		t.Errorf("register shows %q, the dashboard %s", b.text(`[data-testid="result-count"]`), overdue)
	}
	b.recordHTMX()
	b.choose("#f-category", "technology")
	b.waitFor("the category's results", `window.__htmx.length > 0 && document.querySelectorAll('[data-testid=filter-chip]').length === 3`)
	if got := b.chipLabels(); !slices.Equal(got, []string{"Category: Technology", "Register: Risk register", "Overdue"}) {
		t.Errorf("chips after choosing a category: %q", got)
	}
	if p := b.path(); !strings.Contains(p, "overdue=1") || !strings.Contains(p, "category=technology") {
		t.Errorf("address %s lost a filter", p)
	}
	// Every row is overdue (its due date is red and says so).
	if n, late := b.count(`[data-testid=risk-row]`), eval[int](b, `[...document.querySelectorAll('[data-testid=risk-row]')].filter(r => r.textContent.includes('Overdue:')).length`); n == 0 || n != late {
		t.Errorf("%d rows, %d overdue", n, late)
	}
	if c := eval[string](b, `getComputedStyle(document.querySelector('[data-testid=risk-row] td[data-overdue]')).color`); c != "rgb(185, 28, 28)" {
		t.Errorf("an overdue due date's colour is %s, not red-700", c)
	}
	// Sorting keeps both.
	b.click(`[data-testid="sort-title"]`)
	b.waitFor("sorted by title", `location.search.includes('sort=title')`)
	if p := b.path(); !strings.Contains(p, "overdue=1") || !strings.Contains(p, "category=technology") {
		t.Errorf("sorting lost a filter: %s", p)
	}
	if href := eval[string](b, `document.querySelector('[data-testid=export-csv]').getAttribute('href')`); !strings.Contains(href, "overdue=1") {
		t.Errorf("the CSV export %s leaves out overdue", href)
	}
	// Removing the category chip resets its select; the overdue filter stays.
	b.click(`[data-testid="filter-chip"]`)
	b.waitFor("two chips left", `document.querySelectorAll('[data-testid=filter-chip]').length === 2`)
	b.expect("the category select cleared with its chip", `document.querySelector('#f-category').value === ''`)
	b.choose("#f-status", "open")
	b.waitFor("the status chip", `document.querySelectorAll('[data-testid=filter-chip]').length === 3`)
	if got := b.chipLabels(); !slices.Equal(got, []string{"Status: Open", "Register: Risk register", "Overdue"}) {
		t.Errorf("chips: %q", got)
	}
	b.click(`[data-testid="clear-filters"]`)
	b.waitFor("no chips", `document.querySelectorAll('[data-testid=filter-chip]').length === 0`)
	b.expect("the status select cleared", `document.querySelector('#f-status').value === ''`)
	b.choose("#f-department", "it")
	b.waitFor("the department chip", `document.querySelectorAll('[data-testid=filter-chip]').length === 1`)
	if p := b.path(); strings.Contains(p, "overdue") || strings.Contains(p, "status") {
		t.Errorf("cleared filters came back: %s", p)
	}
	b.checkConsole()
}

// TestBrowserRegisterFits1440 (item 17): at 1440×900 the default columns
// fit their box (Due and Updated visible); a member adds Treatment, Open
// tasks and Next review from the Columns menu, and they stay chosen after a
// reload and the filters stay.
func TestBrowserRegisterFits1440(t *testing.T) {
	_, b := demoBrowserAt(t, 1440, 900)
	b.navigate("/risks?status=open")
	b.waitVisible(`[data-testid="risk-table"]`)
	fits := func() bool {
		return eval[bool](b, `(() => { const t = document.querySelector('[data-testid=risk-table]'); return t.scrollWidth <= t.parentElement.clientWidth && t.getBoundingClientRect().right <= innerWidth; })()`)
	}
	if !fits() {
		b.fatal("the table is %v px wide in a %v px box", eval[float64](b, `document.querySelector('[data-testid=risk-table]').scrollWidth`), eval[float64](b, `document.querySelector('[data-testid=risk-table]').parentElement.clientWidth`))
	}
	b.do(chromedp.EmulateViewport(1280, 800))
	if !fits() {
		t.Errorf("at 1280 px the table is %v px wide in a %v px box", eval[float64](b, `document.querySelector('[data-testid=risk-table]').scrollWidth`), eval[float64](b, `document.querySelector('[data-testid=risk-table]').parentElement.clientWidth`))
	}
	b.do(chromedp.EmulateViewport(1440, 900))
	headers := func() []string {
		return eval[[]string](b, `[...document.querySelectorAll('[data-testid=risk-table] th')].map(th => th.textContent.replace(/[▲▼]/g, '').trim()).filter(s => s)`) // the bulk-select column has no text
	}
	if got := headers(); !slices.Equal(got, []string{"ID", "Title", "Category", "Dept.", "Assignee", "Status", "Inherent", "Residual", "Due", "Updated"}) {
		t.Errorf("default columns %q", got)
	}
	// The menu closes on Escape like the other menus, then opens again.
	b.click(`[data-testid="columns-button"]`)
	b.waitFor("the columns menu to open", `document.querySelector('[data-testid=columns-menu]').open`)
	b.press("Escape", "Escape", 27, "")
	b.waitFor("the columns menu to close on Escape", `!document.querySelector('[data-testid=columns-menu]').open`)
	b.click(`[data-testid="columns-button"]`)
	for _, c := range []string{"treatment", "tasks", "next_review", "department"} {
		b.click(`[data-testid="column-` + c + `"]`)
	}
	b.click(`[data-testid="columns-apply"]`)
	b.waitFor("the new columns", `[...document.querySelectorAll('[data-testid=risk-table] th')].some(th => th.textContent.includes('Treatment'))`)
	want := []string{"ID", "Title", "Category", "Assignee", "Status", "Inherent", "Residual", "Treatment", "Tasks", "Due", "Next review", "Updated"}
	if got := headers(); !slices.Equal(got, want) {
		t.Errorf("chosen columns %q, want %q", got, want)
	}
	if got := b.chipLabels(); !slices.Equal(got, []string{"Status: Open"}) {
		t.Errorf("the filters after choosing columns: %q", got)
	}
	b.navigate("/risks")
	b.waitVisible(`[data-testid="risk-table"]`)
	if got := headers(); !slices.Equal(got, want) {
		t.Errorf("after a reload the columns are %q", got)
	}
	b.checkConsole()
}

// TestBrowserPhoneFilters (item 18, at 390 px): the filter panel is folded
// behind a Filters toggle, the active filters show as chips on the first
// screen, and the toggle opens the panel.
func TestBrowserPhoneFilters(t *testing.T) {
	_, b := demoBrowserAt(t, 390, 844)
	b.navigate("/risks?overdue=1&rlevel_min=1")
	b.waitVisible(`[data-testid="filters-toggle"]`)
	visible := func(sel string) bool {
		return eval[bool](b, `(() => { const el = document.querySelector(`+jsString(sel)+`); return !!el && el.getClientRects().length > 0; })()`)
	}
	if visible("#risk-filters") {
		t.Errorf("the filter panel is open on a phone")
	}
	if got := b.chipLabels(); !slices.Equal(got, []string{"Residual above Low", "Overdue"}) {
		t.Errorf("chips %q", got)
	}
	if bottom := eval[float64](b, `Math.max(...[...document.querySelectorAll('[data-testid=filter-chip]')].map(c => c.getBoundingClientRect().bottom))`); bottom > 844 {
		t.Errorf("the chips end at %v px, below the first screen", bottom)
	}
	if top := eval[float64](b, `document.querySelector('[data-testid=result-count]').getBoundingClientRect().top`); top > 400 {
		t.Errorf("the results start at %v px", top)
	}
	b.click(`[data-testid="filters-toggle"]`)
	if !visible("#risk-filters") {
		b.fatal("the Filters toggle does not open the panel")
	}
	b.choose("#f-category", "technology")
	b.waitFor("the category chip", `document.querySelectorAll('[data-testid=filter-chip]').length === 3`)
	if p := b.path(); !strings.Contains(p, "overdue=1") || !strings.Contains(p, "rlevel_min=1") {
		t.Errorf("address %s lost a filter", p)
	}
	b.checkConsole()
}
