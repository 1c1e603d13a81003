package web_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/seed"
)

// The frame on a phone (390 × 844, an iPhone 12–15): the menu that replaces
// the sidebar, and no page wider than the screen.

const phoneWidth, phoneHeight = 390, 844

// demoBrowser seeds the demo organization and signs its owner in.
func demoBrowser(t *testing.T) *browser {
	t.Helper()
	e := newEnv(t)
	s := &seed.Seeder{Accounts: e.Server.Accounts, Risks: e.Server.Risks}
	if _, err := s.Demo(context.Background()); err != nil {
		t.Fatal(err)
	}
	return demoTab(t, e)
}

// demoTab opens a new tab (its own minute) signed in as the demo owner.
func demoTab(t *testing.T, e *env) *browser {
	t.Helper()
	b := openBrowser(t, e)
	b.navigate("/login")
	b.do(
		chromedp.SendKeys(chromedp.CSS("#email"), seed.DemoEmail()),
		chromedp.SendKeys(chromedp.CSS("#password"), seed.DemoPassword),
		chromedp.Click(chromedp.CSS("[data-testid=login-submit]")),
		// The signed-in frame's bell, not "main": the login page has a main
		// too, and a navigation started before the sign-in lands is aborted.
		chromedp.WaitVisible(chromedp.CSS("[data-testid=bell]")),
	)
	return b
}

// setTheme stores the theme the next page load applies.
func (b *browser) setTheme(mode string) {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`localStorage.setItem('theme', ` + jsString(mode) + `)`))
}

// TestBrowserPhoneMenu: at 390 px the sidebar is hidden and a menu button in
// the top bar opens the same navigation and the search, by keyboard too.
func TestBrowserPhoneMenu(t *testing.T) {
	b := demoBrowser(t)
	b.do(chromedp.EmulateViewport(phoneWidth, phoneHeight))
	b.navigate("/")
	b.waitVisible(`[data-testid="card-total"]`)

	if b.count(`nav[aria-label="Main"] a`) == 0 {
		t.Fatalf("no main navigation")
	}
	if eval[bool](b, `[...document.querySelectorAll('nav[aria-label="Main"]')].some(n => n.getClientRects().length > 0 && !n.closest('[data-testid=phone-menu]'))`) {
		t.Errorf("the sidebar shows at %d px", phoneWidth)
	}
	menu := `[data-testid="phone-menu"]`
	toggle := menu + ` > summary`
	b.waitVisible(toggle)
	if eval[bool](b, `document.querySelector('`+menu+`').open`) {
		t.Errorf("the menu starts open")
	}
	if got := eval[string](b, `document.querySelector('`+toggle+`').textContent.trim()`); !strings.Contains(got, "Menu") {
		t.Errorf("menu button says %q", got)
	}

	// Keyboard: focus the button, Enter opens it.
	b.do(chromedp.Focus(chromedp.CSS(toggle)))
	b.press("Enter", "Enter", 13, "\r")
	b.waitFor("the menu to open", `document.querySelector('`+menu+`').open`)
	links := eval[[]string](b, `[...document.querySelectorAll('`+menu+` nav a')].filter(a => a.getClientRects().length > 0).map(a => a.textContent.trim())`)
	want := []string{"Dashboard", "My work", "Register", "Heat map", "Incidents", "Committee pack", "New risk", "Import", "Activity", "Settings"}
	if !slices.Equal(links, want) {
		t.Errorf("menu links %q, want %q", links, want)
	}
	// The same links as the sidebar, defined once.
	side := eval[[]string](b, `[...document.querySelectorAll('[data-testid=sidebar] a')].map(a => a.getAttribute('href'))`)
	phone := eval[[]string](b, `[...document.querySelectorAll('`+menu+` nav a')].map(a => a.getAttribute('href'))`)
	if !slices.Equal(side, phone) {
		t.Errorf("sidebar links %q, phone menu links %q", side, phone)
	}
	if got := eval[string](b, `document.querySelector('`+menu+` nav a[aria-current=page]').textContent.trim()`); got != "Dashboard" {
		t.Errorf("current item %q, want Dashboard", got)
	}
	b.checkUnobstructed(menu + ` nav a`)
	// Escape closes it and gives focus back to the button.
	b.press("Escape", "Escape", 27, "")
	b.waitFor("the menu to close on Escape", `!document.querySelector('`+menu+`').open`)
	if !eval[bool](b, `document.activeElement === document.querySelector('`+toggle+`')`) {
		t.Errorf("after Escape the focus is not on the menu button")
	}

	// The search in the menu searches the register.
	b.click(toggle)
	b.waitVisible(menu + ` input[type=search]`)
	b.screenshot("phone-menu-open")
	b.do(chromedp.SendKeys(chromedp.CSS(menu+` input[type=search]`), "supplier\r"))
	b.waitVisible(`[data-testid="result-count"]`)
	u, _ := url.Parse(b.location())
	if u.Path != "/risks" || u.Query().Get("q") != "supplier" {
		t.Errorf("menu search went to %s", u)
	}
	if eval[bool](b, `document.querySelector('`+menu+`').open`) {
		t.Errorf("the menu is open on the new page")
	}

	// Every item navigates; the heat map via the menu.
	b.click(toggle)
	b.click(menu + ` nav a[href="/heatmap"]`)
	b.waitVisible(`[data-testid="heatmap"]`)
	if got := eval[string](b, `document.querySelector('`+menu+` nav a[aria-current=page]').textContent.trim()`); got != "Heat map" {
		t.Errorf("current item on the heat map %q", got)
	}
	// A click outside closes the menu.
	b.click(toggle)
	b.waitFor("the menu to open", `document.querySelector('`+menu+`').open`)
	b.do(chromedp.MouseClickXY(phoneWidth-20, phoneHeight-20))
	b.waitFor("the menu to close on a click outside", `!document.querySelector('`+menu+`').open`)

	// On a wide screen the sidebar shows and the menu button does not.
	b.do(chromedp.EmulateViewport(1440, 900))
	b.navigate("/")
	b.waitVisible(`[data-testid="sidebar"]`)
	if eval[bool](b, `document.querySelector('`+toggle+`').getClientRects().length > 0`) {
		t.Errorf("the menu button shows at 1440 px")
	}
	b.checkConsole()
}

// TestPhoneMenuWithoutJavaScript: the menu is a <details> element, so it
// opens without any script; it holds the same links as the sidebar.
func TestPhoneMenuWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	doc := a.Owner.get("/").Doc(t)
	menu := doc.Find(`details[data-testid="phone-menu"]`)
	if menu.Length() != 1 || menu.Find("summary").Length() != 1 {
		t.Fatalf("no <details> phone menu")
	}
	var side, phone []string
	doc.Find(`[data-testid="sidebar"] a`).Each(func(_ int, s *goquery.Selection) { side = append(side, s.AttrOr("href", "")) })
	menu.Find(`nav a`).Each(func(_ int, s *goquery.Selection) { phone = append(phone, s.AttrOr("href", "")) })
	want := []string{"/", "/me", "/risks", "/heatmap", "/incidents", "/reports/committee", "/risks/new", "/import", "/activity", "/settings"}
	if !slices.Equal(side, want) || !slices.Equal(phone, want) {
		t.Errorf("sidebar %q, menu %q, want %q", side, phone, want)
	}
	if menu.Find(`form[action="/risks"][method=get] input[name=q]`).Length() != 1 {
		t.Errorf("no search in the phone menu")
	}
	// A viewer sees neither New risk, Import nor Settings.
	v := e.addMember(a, "viewer@acme.example", account.RoleViewer)
	phone = nil
	v.get("/").Doc(t).Find(`[data-testid="phone-menu"] nav a`).Each(func(_ int, s *goquery.Selection) { phone = append(phone, strings.TrimSpace(s.Text())) })
	if !slices.Equal(phone, []string{"Dashboard", "My work", "Register", "Heat map", "Incidents", "Committee pack"}) {
		t.Errorf("viewer menu %q", phone)
	}
}

// TestBrowserNoSidewaysScroll visits every page reachable from the
// navigation, a risk and its edit form, the heat map's views, the settings
// and the API docs at 390 px, light and dark: none is wider than the phone.
func TestBrowserNoSidewaysScroll(t *testing.T) {
	b := demoBrowser(t)
	b.do(chromedp.EmulateViewport(phoneWidth, phoneHeight))
	b.navigate("/risks")
	b.waitVisible(`[data-testid="result-count"]`)
	riskLink := eval[string](b, `document.querySelector('[data-testid=risk-row] [data-testid=risk-title]').getAttribute('href')`)
	nav := eval[[]string](b, `[...document.querySelectorAll('[data-testid=sidebar] a')].map(a => a.getAttribute('href'))`)
	if len(nav) != 10 {
		t.Fatalf("navigation %q, want its 10 links", nav)
	}
	b.navigate("/settings/registers")
	b.waitVisible(`main h1`)
	regLink := eval[string](b, `(document.querySelector('main a[href^="/settings/registers/"]:not([href$="/new"])') || {}).getAttribute?.('href') || ''`)

	b.navigate("/heatmap")
	b.waitVisible(`[data-testid="heatmap"]`)
	cellLink := eval[string](b, `document.querySelector('[data-testid=heatmap-cell]:not([data-count="0"])').getAttribute('href')`)
	b.navigate(cellLink)
	b.waitVisible(`[data-testid="cell-risks"] table`)
	// The cell's risks show their residual level without scrolling.
	if right := eval[float64](b, `document.querySelector('[data-testid=cell-risks] thead th:last-child').getBoundingClientRect().right`); right > phoneWidth-16 {
		t.Errorf("the cell list's Residual column ends at %.0f px, off the %d px screen", right, phoneWidth)
	}

	pages := append(nav, riskLink, cellLink, riskLink+"/edit", riskLink+"/delete",
		"/heatmap?view=movement", "/heatmap?kind=residual&cell=2-2",
		"/settings/api-keys", "/settings/registers", "/settings/registers/new", "/api/docs",
		"/settings/members", "/account", "/notifications", "/activity?kind=risk", "/changes")
	// Looking back (issue 14): the past views.
	today := time.Now().UTC().Format(time.DateOnly)
	pages = append(pages, "/risks?as_of="+today, "/?as_of="+today, "/heatmap?kind=residual&as_of="+today, riskLink+"?as_of="+today)
	if regLink != "" {
		pages = append(pages, regLink)
	}
	for _, theme := range []string{"light", "dark"} {
		for i, p := range pages {
			if i%6 == 0 { // a tab has a minute: a new one every few pages
				b.checkConsole()
				b = demoTab(t, b.e)
				b.do(chromedp.EmulateViewport(phoneWidth, phoneHeight))
				b.setTheme(theme)
			}
			b.navigate(p)
			b.waitVisible(`main`)
			w := eval[int](b, `document.documentElement.scrollWidth`)
			t.Logf("%s (%s): %d px", p, theme, w)
			if w > phoneWidth {
				wide := eval[string](b, `[...document.querySelectorAll('body *')]
					.filter(el => el.getBoundingClientRect().right > `+strconv.Itoa(phoneWidth)+` && !(el.parentElement && el.parentElement.closest('.table-scroll, pre, .overflow-x-auto')))
					.slice(-3).map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' ' + Math.round(el.getBoundingClientRect().right)).join(' | ')`)
				t.Errorf("%s (%s) is %d px wide at %d px: %s", p, theme, w, phoneWidth, wide)
				b.screenshot("wide-" + theme + strings.NewReplacer("/", "_", "?", "_", "&", "_", "=", "-").Replace(p))
			}
		}
	}
	b.checkConsole()
}

// TestBrowserFrameScreenshots saves the dashboard, heat map, settings and
// API docs at 1440 and 390 px, light and dark, for a person to look at
// (RISKREG_SCREENSHOTS=1; they go to screenshotDir).
func TestBrowserFrameScreenshots(t *testing.T) {
	if os.Getenv("RISKREG_SCREENSHOTS") == "" {
		t.Skip("set RISKREG_SCREENSHOTS=1")
	}
	e := newEnv(t)
	s := &seed.Seeder{Accounts: e.Server.Accounts, Risks: e.Server.Risks}
	if _, err := s.Demo(context.Background()); err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{"dashboard": "/", "heatmap": "/heatmap?cell=3-3", "movement": "/heatmap?view=movement",
		"settings": "/settings/api-keys", "registers": "/settings/registers", "apidocs": "/api/docs",
		"mywork": "/me", "notifications": "/notifications", "activity": "/activity", "register": "/risks?sort=due"}
	for _, theme := range []string{"light", "dark"} {
		for _, w := range []int64{1440, phoneWidth} {
			var b *browser
			n := 0
			for name, p := range pages {
				if n%3 == 0 { // a tab has a minute
					b = demoTab(t, e)
					b.setTheme(theme)
					b.do(chromedp.EmulateViewport(w, 900))
				}
				n++
				b.navigate(p)
				b.waitVisible("main")
				b.screenshot(fmt.Sprintf("frame-%s-%d-%s", name, w, theme))
				// The first screen, as a person sees it on opening the page.
				top := value(b, "screenshot", chromedp.CaptureScreenshot())
				if err := os.WriteFile(fmt.Sprintf("%s/frame-%s-%d-%s-top.png", screenshotDir, name, w, theme), top, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
