// Package layout holds the page frame: head, top bar, navigation and the
// flash area, shared by every page.
package layout

import "strconv"

// Flash kinds.
const (
	FlashSuccess = "success"
	FlashError   = "error"
)

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind    string
	Message string
}

// Org is an organization the user can switch to.
type Org struct {
	ID   string
	Name string
}

// Nav items.
const (
	NavDashboard = "dashboard"
	NavRegister  = "register"
	NavHeatmap   = "heatmap"
	NavSettings  = "settings"
	NavImport    = "import"
	NavIncidents = "incidents"
	NavMyWork    = "mywork"
	NavActivity  = "activity"
	NavNotices   = "notifications"
	NavReports   = "reports"
)

// Page is what the frame needs to know about the request.
type Page struct {
	Title         string
	Nav           string // the active navigation item
	StaticVersion string // cache-busting suffix for static URLs
	CSRFToken     string
	// Signed-in context; empty on the login and sign-up pages.
	UserName string
	UserRole string
	OrgID    string
	OrgName  string
	Orgs     []Org
	CanWrite bool
	// CanManage shows the settings (owners and admins).
	CanManage bool
	Flashes   []Flash
	Wide      bool // Bare pages: a reading width for documents instead of a form's
	// WorkBadge is My work's count (overdue tasks and reviews, unread
	// mentions); Unread the bell's (unread notifications).
	WorkBadge int
	Unread    int
}

func bareWidth(wide bool) string {
	if wide {
		return "w-full max-w-4xl"
	}
	return "w-full max-w-md"
}

// SignedIn reports whether the page is shown to a signed-in user.
func (p Page) SignedIn() bool { return p.UserName != "" }

// DOM ids shared by templates and handlers.
const (
	FlashID = "flash"
	MainID  = "main"
)

// HXHeaders is the hx-headers value carrying the CSRF token.
func (p Page) HXHeaders() string {
	// The token is URL-safe base64, so it needs no JSON escaping.
	return `{"X-CSRF-Token":"` + p.CSRFToken + `"}`
}

func flashClass(kind string) string {
	if kind == FlashError {
		return "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
	}
	return "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100"
}

// NavItem is one entry of the main navigation.
type NavItem struct {
	ID       string // the Nav constant that marks it current; "" for an action
	Label    string
	Href     string
	TestID   string // for the sidebar's links
	Shortcut bool   // the "n" shortcut follows it
	Badge    int    // a count shown after the label; 0 for none
}

// NavItems returns the main navigation the user may use, in order. The
// sidebar and the phone menu both render it, so they never disagree.
func (p Page) NavItems() []NavItem {
	items := []NavItem{
		{ID: NavDashboard, Label: "Dashboard", Href: "/", TestID: "nav-dashboard"},
		{ID: NavMyWork, Label: "My work", Href: "/me", TestID: "nav-mywork", Badge: p.WorkBadge},
		{ID: NavRegister, Label: "Register", Href: "/risks", TestID: "nav-register"},
		{ID: NavHeatmap, Label: "Heat map", Href: "/heatmap", TestID: "nav-heatmap"},
		{ID: NavIncidents, Label: "Incidents", Href: "/incidents", TestID: "nav-incidents"},
		{ID: NavReports, Label: "Committee pack", Href: "/reports/committee", TestID: "nav-reports"},
	}
	if p.CanWrite {
		items = append(items,
			NavItem{Label: "New risk", Href: "/risks/new", TestID: "nav-new-risk", Shortcut: true},
			NavItem{ID: NavImport, Label: "Import", Href: "/import", TestID: "nav-import"})
	}
	if p.CanManage {
		items = append(items, NavItem{ID: NavActivity, Label: "Activity", Href: "/activity", TestID: "nav-activity"})
		items = append(items, NavItem{ID: NavSettings, Label: "Settings", Href: "/settings", TestID: "nav-settings"})
	}
	return items
}

// current reports whether the item is the page's section.
func (it NavItem) current(nav string) bool { return it.ID != "" && it.ID == nav }

func navClass(active bool) string {
	if active {
		return "flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium bg-indigo-50 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-200"
	}
	return "flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
}

// BadgeText is a count for a badge: "99+" past 99.
func BadgeText(n int) string {
	if n > 99 {
		return "99+"
	}
	return strconv.Itoa(n)
}

// BellLabel names the bell for screen readers.
func (p Page) BellLabel() string {
	switch p.Unread {
	case 0:
		return "Notifications: none unread"
	case 1:
		return "Notifications: 1 unread"
	}
	return "Notifications: " + strconv.Itoa(p.Unread) + " unread"
}
