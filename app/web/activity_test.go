package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

func activityRows(t *testing.T, c *client, path string) ([]string, string, int) {
	t.Helper()
	res := c.get(path)
	doc := res.Doc(t)
	var ids []string
	doc.Find("[data-testid=activity-row]").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("data-event", "")) })
	return ids, doc.Find("[data-testid=next-page]").AttrOr("href", ""), res.StatusCode
}

func TestActivityLogFiltersAndKeysetPaging(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Acme", "owner@acme.test")
	ed := e.addMember(o, "ed@acme.test", account.RoleEditor)
	edP := ed.principal()
	var first *risk.Risk
	for i := range 54 {
		r := e.createRisk(o, risk.Input{Title: "Risk " + strconv.Itoa(i)})
		if first == nil {
			first = r
		}
	}
	// An editor's change and a deleted risk.
	gone, err := e.Server.Risks.Create(context.Background(), o.ID, audit.Actor{MemberID: edP.MemberID, Name: edP.User.Name}, risk.Input{Title: "Gone", Category: "technology", Description: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Server.Risks.Delete(context.Background(), o.ID, audit.Actor{MemberID: edP.MemberID, Name: edP.User.Name}, gone.ID, gone.Version); err != nil {
		t.Fatal(err)
	}
	// Another organization's events never show.
	b := e.signup("Beta", "owner@beta.test")
	secret := e.createRisk(b, risk.Input{Title: "Beta secret"})

	// Page 1: 50 newest; the next link carries a keyset cursor, not an offset.
	ids, next, status := activityRows(t, o.Owner, "/activity")
	if status != http.StatusOK || len(ids) != 50 || next == "" {
		t.Fatalf("page 1: status %d, %d rows, next %q", status, len(ids), next)
	}
	if !strings.Contains(next, "after=") || strings.Contains(next, "offset") || strings.Contains(next, "page=") {
		t.Errorf("next link %q, want a keyset cursor", next)
	}
	ids2, next2, _ := activityRows(t, o.Owner, next)
	seen := map[string]bool{}
	for _, id := range append(ids, ids2...) {
		if seen[id] {
			t.Errorf("event %s on both pages", id)
		}
		seen[id] = true
	}
	// 54 creates + the gone risk's create and delete + the registers' and members' events, if any.
	if len(ids2) == 0 || next2 != "" {
		t.Errorf("page 2: %d rows, next %q", len(ids2), next2)
	}
	// A new event while paging does not shift page 2.
	e.createRisk(o, risk.Input{Title: "Newer"})
	if again, _, _ := activityRows(t, o.Owner, next); strings.Join(again, ",") != strings.Join(ids2, ",") {
		t.Errorf("page 2 moved after a new event: %v, was %v", again, ids2)
	}

	// Filters.
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"action=deleted", 1},
		{"actor=" + edP.MemberID, 2},
		{"actor=" + edP.MemberID + "&action=created", 1},
		{"entity=RSK-00001", 1},
		{"entity=" + first.ID, 1},
		{"entity=" + secret.ID, 0}, // another organization's risk
		{"kind=register", 0},
		{"kind=risk&action=deleted", 1},
		{"from=" + e.Clock.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly), 0},
		{"to=" + e.Clock.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly), 0},
	} {
		ids, _, status := activityRows(t, o.Owner, "/activity?"+tc.query)
		if status != http.StatusOK || len(ids) != tc.want {
			t.Errorf("%s: status %d, %d rows, want %d", tc.query, status, len(ids), tc.want)
		}
	}
	today := e.Clock.Now().UTC().Format(time.DateOnly)
	if ids, _, _ := activityRows(t, o.Owner, "/activity?from="+today+"&to="+today+"&action=deleted"); len(ids) != 1 {
		t.Errorf("today's deletes: %d rows, want 1", len(ids))
	}
	// The deleted risk's line links to its page (410 with restore).
	doc := o.Owner.get("/activity?action=deleted").Doc(t)
	href := doc.Find("[data-testid=activity-subject]").AttrOr("href", "")
	if res := o.Owner.get(href); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "/restore") {
		t.Errorf("deleted risk's link %q: status %d, want its 410 page with restore", href, res.StatusCode)
	}
	// Bad filters: 400 naming the field, never a 500.
	for _, q := range []string{"from=yesterday", "action=exploded", "after=nonsense", "from=2030-02-01&to=2030-01-01", "entity=%00"} {
		res := o.Owner.get("/activity?" + q)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "query-errors") {
			t.Errorf("%s: status %d, want 400 with the error", q, res.StatusCode)
		}
	}
}

func TestActivityExportCSV(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Acme", "owner@acme.test")
	for i := range 3 {
		e.createRisk(o, risk.Input{Title: "=HYPERLINK(\"x\") " + strconv.Itoa(i)})
	}
	b := e.signup("Beta", "owner@beta.test")
	e.createRisk(b, risk.Input{Title: "Beta secret"})

	res := o.Owner.get("/activity/export.csv?kind=risk")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || recs[0][0] != "created_at" {
		t.Fatalf("export has %d records (header %v), want header + 3", len(recs), recs[0])
	}
	for _, r := range recs[1:] {
		if r[2] != "risk" || r[3] != "created" || strings.Contains(res.Body, "Beta secret") {
			t.Errorf("record %v", r)
		}
		if !strings.Contains(r[9], "title: ") || strings.HasPrefix(r[9], "=") {
			t.Errorf("changes cell %q, want the title change, neutralised", r[9])
		}
	}
	if res := o.Owner.get("/activity/export.csv?from=nope"); res.StatusCode < 400 || res.StatusCode >= 500 {
		t.Errorf("export with a bad filter: %d, want 4xx", res.StatusCode)
	}
}

func TestActivityLogIsForManagers(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Acme", "owner@acme.test")
	admin := e.addMember(o, "ad@acme.test", account.RoleAdmin)
	for email, role := range map[string]account.Role{"ed@acme.test": account.RoleEditor, "vi@acme.test": account.RoleViewer} {
		c := e.addMember(o, email, role)
		for _, p := range []string{"/activity", "/activity/export.csv"} {
			if res := c.get(p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", role, p, res.StatusCode)
			}
		}
		if doc := c.get("/me").Doc(t); doc.Find("[data-testid=nav-activity]").Length() != 0 {
			t.Errorf("%s sees Activity in the navigation", role)
		}
	}
	if res := admin.get("/activity"); res.StatusCode != http.StatusOK {
		t.Errorf("admin: %d", res.StatusCode)
	}
	if doc := admin.get("/").Doc(t); doc.Find("[data-testid=nav-activity]").Length() != 1 {
		t.Error("admin's navigation lacks Activity")
	}
}
