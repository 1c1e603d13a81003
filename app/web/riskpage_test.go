package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/app/seed"
)

// registerOrder returns the identifiers of the register's rows, in order.
func registerOrder(t *testing.T, c *client, query string) []string {
	t.Helper()
	res := c.get("/risks?" + query)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("register: status %d", res.StatusCode)
	}
	var ids []string
	res.Doc(t).Find(`[data-testid="risk-row"]`).Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, s.AttrOr("data-id", ""))
	})
	return ids
}

// Item 12: a treatment or task change moves the risk's Updated time (not
// its version), so the register sorted by Updated shows it first.
func TestPlanChangesMoveUpdated(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	older := e.createRisk(a, risk.Input{Title: "Older risk"})
	newer := e.createRisk(a, risk.Input{Title: "Newer risk"})
	if got := registerOrder(t, a.Owner, "sort=-updated"); len(got) != 2 || got[0] != newer.Identifier() {
		t.Fatalf("before: order %v, want %s first", got, newer.Identifier())
	}
	for _, step := range []struct {
		r    *risk.Risk
		path string
		form url.Values
	}{
		{older, "/tasks", url.Values{"title": {"Patch the VPN"}}},
		{newer, "/treatment", url.Values{"type": {"mitigate"}}},
		{older, "/treatment", url.Values{"type": {"accept"}}},
	} {
		if res := a.Owner.postForm("/risks/"+step.r.Identifier()+step.path, step.form); res.StatusCode != http.StatusOK {
			t.Fatalf("%s on %s: %d", step.path, step.r.Identifier(), res.StatusCode)
		}
		if got := registerOrder(t, a.Owner, "sort=-updated"); got[0] != step.r.Identifier() {
			t.Errorf("after %s on %s: order %v, want it first", step.path, step.r.Identifier(), got)
		}
		got, err := e.Server.Risks.Get(t.Context(), a.ID, step.r.ID)
		if err != nil || got.Version != step.r.Version {
			t.Errorf("%s changed the version to %d (err %v); only the Updated time moves", step.path, got.Version, err)
		}
	}
}

// Items 9 and 16: the risk page marks a risk outside appetite, warns when
// the residual score is above the inherent one, and keeps the internal id
// and version in a quiet line; the form warns beside the residual fields
// on render, after a refused submit and live, and still saves.
func TestRiskPageAppetiteAndResidualWarning(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	odd := e.createRisk(a, risk.Input{Title: "Odd scores", Probability: 6, Impact: 8, ResidualProbability: 10, ResidualImpact: 10})
	calm := e.createRisk(a, risk.Input{Title: "Calm", Probability: 4, Impact: 4, ResidualProbability: 2, ResidualImpact: 2})

	doc := a.Owner.get("/risks/" + odd.Identifier()).Doc(t)
	if got := doc.Find(`[data-testid="outside-appetite"]`).Text(); got != "Outside appetite" {
		t.Errorf("outside-appetite mark = %q", got)
	}
	if w := doc.Find(`[data-testid="residual-warning"]`).Text(); !strings.Contains(w, "(100) is above the inherent score (48)") {
		t.Errorf("residual warning = %q", w)
	}
	internal := strings.Join(strings.Fields(doc.Find(`[data-testid="risk-internal"]`).Text()), " ")
	if internal != "Version 1 · "+odd.ID {
		t.Errorf("internal line = %q", internal)
	}
	if doc.Find("aside dt:contains('Id'), aside dt:contains('Version')").Length() != 0 {
		t.Errorf("the id and version are still listed among the fields")
	}
	doc = a.Owner.get("/risks/" + calm.Identifier()).Doc(t)
	if n := doc.Find(`[data-testid="outside-appetite"], [data-testid="residual-warning"]`).Length(); n != 0 {
		t.Errorf("a calm risk shows %d marks", n)
	}

	edit := a.Owner.get("/risks/" + odd.Identifier() + "/edit").Doc(t)
	if edit.Find(`#assessment-preview [data-testid="residual-warning"]`).Length() != 1 {
		t.Errorf("the edit form of a saved risk does not warn")
	}
	live := a.Owner.get("/risks/assess?probability=6&impact=8&residual_probability=10&residual_impact=10", "HX-Request", "true")
	if !strings.Contains(live.Body, `data-testid="residual-warning"`) {
		t.Errorf("the live preview does not warn: %s", live.Body)
	}
	if quiet := a.Owner.get("/risks/assess?probability=6&impact=8&residual_probability=6&residual_impact=8"); strings.Contains(quiet.Body, "residual-warning") {
		t.Errorf("equal scores warn")
	}
	form := url.Values{"title": {""}, "description": {"d"}, "category": {"technology"}, "version": {"1"},
		"probability": {"6"}, "impact": {"8"}, "residual_probability": {"10"}, "residual_impact": {"10"}}
	res := a.Owner.postForm("/risks/"+odd.Identifier(), form)
	if res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find(`[data-testid="residual-warning"]`).Length() != 1 {
		t.Errorf("refused form: status %d, warning missing", res.StatusCode)
	}
	form.Set("title", "Still odd")
	res = a.Owner.postForm("/risks/"+odd.Identifier(), form)
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, "/risks/"+odd.Identifier()) {
		t.Fatalf("saving a residual above inherent: status %d at %s", res.StatusCode, res.URL)
	}
	if res.Doc(t).Find(`[data-testid="residual-warning"]`).Length() != 1 {
		t.Errorf("no warning on the risk page after saving")
	}
}

// activityLines returns the dashboard's Recent activity, one line per
// item, with the link's href in brackets.
func activityLines(t *testing.T, c *client) []string {
	t.Helper()
	var lines []string
	c.get("/").Doc(t).Find(`[data-testid="activity-item"]`).Each(func(_ int, li *goquery.Selection) {
		line := strings.Join(strings.Fields(li.Find("p").Text()+" "+li.Find("ul").Text()), " ")
		if href, ok := li.Find(`[data-testid="activity-link"]`).Attr("href"); ok {
			line += " [" + href + "]"
		}
		lines = append(lines, line)
	})
	return lines
}

// Item 13: Recent activity names the risk by its title and says what
// changed, linked to the risk.
func TestDashboardActivityShowsTitleAndChanges(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "VPN exposure"})
	form := url.Values{"title": {"VPN exposure"}, "description": {"Described for a test."}, "category": {"technology"},
		"status": {"pending"}, "version": {"1"}}
	if res := a.Owner.postForm("/risks/"+r.Identifier(), form); res.StatusCode != http.StatusOK {
		t.Fatalf("edit: %d", res.StatusCode)
	}
	lines := activityLines(t, a.Owner)
	if len(lines) != 2 {
		t.Fatalf("activity %q, want 2 lines", lines)
	}
	if want := "RSK-00001 VPN exposure changed by Owner Acme Status: Open → Pending [/risks/RSK-00001]"; !strings.HasSuffix(lines[0], want) {
		t.Errorf("latest activity %q, want it to end %q", lines[0], want)
	}
	if want := "RSK-00001 VPN exposure created by Owner Acme [/risks/RSK-00001]"; !strings.HasSuffix(lines[1], want) {
		t.Errorf("first activity %q, want it to end %q", lines[1], want)
	}
}

// Item 10: in the browser, closing needs a reason, a reason chosen for a
// risk that stays open is refused with a message (not dropped), and
// closing with unfinished tasks asks first — a second submit, no
// JavaScript needed. The API keeps the contract's rules.
func TestFormClosingRules(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "VPN exposure"})
	e.addTask(a, r, risk.TaskInput{Title: "Patch the VPN"})
	e.addTask(a, r, risk.TaskInput{Title: "Rotate secrets", Status: risk.TaskCompleted})
	page := "/risks/" + r.Identifier()
	form := func(status, reason string) url.Values {
		return url.Values{"title": {"VPN exposure"}, "description": {"Described for a test."}, "category": {"technology"},
			"status": {status}, "closure_reason": {reason}, "version": {"1"}}
	}
	unchanged := func(step string) {
		t.Helper()
		if got, _ := e.Server.Risks.Get(t.Context(), a.ID, r.ID); got.Version != 1 || got.Status != risk.StatusOpen {
			t.Fatalf("%s: the risk was changed (version %d, status %s)", step, got.Version, got.Status)
		}
	}

	res := a.Owner.postForm(page, form("closed", ""))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, risk.MsgClosureReasonRequired) {
		t.Errorf("closing without a reason: status %d, message missing", res.StatusCode)
	}
	unchanged("closing without a reason")

	res = a.Owner.postForm(page, form("open", "accepted"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, risk.MsgClosureReasonOnlyOpen) {
		t.Errorf("a reason on an open risk: status %d, message missing", res.StatusCode)
	}
	if sel, _ := res.Doc(t).Find(`#closure_reason option[selected]`).Attr("value"); sel != "accepted" {
		t.Errorf("the refused form lost the chosen reason (selected %q)", sel)
	}
	unchanged("a reason on an open risk")

	res = a.Owner.postForm(page, form("closed", "mitigated"))
	doc := res.Doc(t)
	q := doc.Find(`[data-testid="confirm-close"]`)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(q.Text(), "1 mitigation task is not completed. Close the risk anyway?") {
		t.Fatalf("closing with an open task: status %d, question %q", res.StatusCode, q.Text())
	}
	btn := q.Find(`button[type="submit"]`)
	if name, _ := btn.Attr("name"); name != risk.ConfirmCloseField || btn.AttrOr("value", "") != "1" || btn.Closest("form").AttrOr("id", "") != "risk-form" {
		t.Errorf("the confirm button does not resubmit the form with %s=1", risk.ConfirmCloseField)
	}
	if doc.Find(`[data-testid="error-summary"]`).Length() != 0 {
		t.Errorf("the question is reported as a field error")
	}
	unchanged("closing before the confirmation")

	confirmed := form("closed", "mitigated")
	confirmed.Set(risk.ConfirmCloseField, "1")
	res = a.Owner.postForm(page, confirmed)
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, page) {
		t.Fatalf("confirmed close: status %d at %s", res.StatusCode, res.URL)
	}
	if got, _ := e.Server.Risks.Get(t.Context(), a.ID, r.ID); got.Status != risk.StatusClosed || got.ClosureReason != "mitigated" {
		t.Errorf("after confirming: status %s, reason %q", got.Status, got.ClosureReason)
	}
	// Reopening keeps working with the stored reason still selected.
	reopen := form("open", "mitigated")
	reopen.Set("version", "2")
	if res := a.Owner.postForm(page, reopen); res.StatusCode != http.StatusOK {
		t.Errorf("reopening with the stored reason selected: status %d", res.StatusCode)
	}

	// The API keeps seed 000's rules: closing without a reason is allowed.
	other := e.createRisk(a, risk.Input{Title: "Other"})
	e.addTask(a, other, risk.TaskInput{Title: "Open task"})
	if res := e.apiKey(a, "risks:read", "risks:write").patch("/api/v1/risks/"+other.Identifier(), map[string]any{"status": "closed"}); res.Status != http.StatusOK {
		t.Errorf("API close without a reason: status %d, want 200", res.Status)
	}
}

// Item 4: a deleted risk's page answers 410 and says who deleted it and
// when, with its last state and whole history; recent activity links to
// it; owners and admins restore it (with its treatment and tasks, and a
// restore event), editors cannot. The API still answers 404.
func TestDeletedRiskPageAndRestore(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	editor := e.addMember(a, "editor@acme.example", account.RoleEditor)
	r := e.createRisk(a, risk.Input{Title: "VPN exposure", Probability: 7, Impact: 8, Tags: []string{"network"}})
	e.addTask(a, r, risk.TaskInput{Title: "Patch the VPN"})
	page := "/risks/" + r.Identifier()
	if res := a.Owner.postForm(page+"/treatment", url.Values{"type": {"mitigate"}, "description": {"Patch monthly"}}); res.StatusCode != http.StatusOK {
		t.Fatalf("treatment: %d", res.StatusCode)
	}
	editor.get(page + "/delete")
	if res := editor.postForm(page+"/delete", url.Values{"version": {"1"}}); res.StatusCode != http.StatusOK {
		t.Fatalf("delete: %d", res.StatusCode)
	}

	for _, c := range []*client{a.Owner, editor} {
		res := c.get(page)
		if res.StatusCode != http.StatusGone {
			t.Fatalf("deleted risk's page: status %d, want 410", res.StatusCode)
		}
		doc := res.Doc(t)
		notice := strings.Join(strings.Fields(doc.Find(`[data-testid="deleted-notice"]`).Text()), " ")
		if !strings.Contains(notice, "deleted by Member editor@acme.example on ") {
			t.Errorf("notice %q does not say who deleted it", notice)
		}
		if got := doc.Find(`[data-testid="risk-heading"]`).Text(); !strings.Contains(got, "VPN exposure") {
			t.Errorf("heading %q", got)
		}
		if doc.Find(`[data-testid="deleted-task"]`).Length() != 1 || !strings.Contains(doc.Find(`[data-testid="deleted-plan"]`).Text(), "Patch monthly") {
			t.Errorf("the last state lacks the treatment or the task")
		}
		events := doc.Find(`[data-testid="event"]`)
		if events.Length() != 4 || !strings.Contains(events.First().Text(), "deleted this risk") || !strings.Contains(events.Last().Text(), "created this risk") {
			t.Errorf("history has %d events: %q", events.Length(), events.Text())
		}
		if (c == a.Owner) != (doc.Find(`[data-testid="restore"]`).Length() == 1) {
			t.Errorf("restore button shown to the wrong role")
		}
	}
	var link string
	for _, l := range activityLines(t, a.Owner) {
		if strings.Contains(l, "deleted by") {
			link = l
		}
	}
	if !strings.HasSuffix(link, "["+page+"]") || !strings.Contains(link, "VPN exposure") {
		t.Errorf("the deletion's activity line %q does not link to the risk", link)
	}
	if res := a.Owner.get("/risks/RSK-00099"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a risk that never existed: status %d, want 404", res.StatusCode)
	}
	if res := e.apiKey(a).get("/api/v1/risks/" + r.Identifier()); res.Status != http.StatusNotFound {
		t.Errorf("API on a deleted risk: status %d, want 404", res.Status)
	}
	if res := editor.postForm(page+"/restore", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an editor's restore: status %d, want 403", res.StatusCode)
	}

	a.Owner.get(page)
	res := a.Owner.postForm(page+"/restore", url.Values{})
	if res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, page) {
		t.Fatalf("restore: status %d at %s", res.StatusCode, res.URL)
	}
	doc := res.Doc(t)
	if got := doc.Find(`[data-testid="flash"]`).Text(); got != r.Identifier()+" restored." {
		t.Errorf("flash %q", got)
	}
	if !strings.Contains(doc.Find(`[data-testid="event"]`).First().Text(), "restored this risk") {
		t.Errorf("no restore event on top of the history")
	}
	if doc.Find(`#risk-tasks [data-testid="task"]`).Length() != 1 || doc.Find(`[data-testid="treatment-description"]`).Text() != "Patch monthly" {
		t.Errorf("the restored risk lacks its task or treatment")
	}
	got, err := e.Server.Risks.Get(t.Context(), a.ID, r.Identifier())
	if err != nil || got.ID != r.ID || got.Version != 2 || got.Probability != 7 || got.InherentLevel == nil || len(got.Tags) != 1 {
		t.Errorf("restored risk %+v, err %v", got, err)
	}
	if res := a.Owner.postForm(page+"/restore", url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("restoring a risk that is not deleted: status %d, want 404", res.StatusCode)
	}
}

// formValues returns the values a browser would submit from the form
// matching sel (text inputs, checked radios, selected options, textareas).
func formValues(doc *goquery.Document, sel string) url.Values {
	v := url.Values{}
	form := doc.Find(sel)
	form.Find("input").Each(func(_ int, in *goquery.Selection) {
		name, typ := in.AttrOr("name", ""), in.AttrOr("type", "text")
		if name == "" || ((typ == "radio" || typ == "checkbox") && in.AttrOr("checked", "-") == "-") {
			return
		}
		v.Add(name, in.AttrOr("value", ""))
	})
	form.Find("select").Each(func(_ int, s *goquery.Selection) {
		if opt := s.Find("option[selected]"); opt.Length() > 0 {
			v.Set(s.AttrOr("name", ""), opt.AttrOr("value", ""))
		} else {
			v.Set(s.AttrOr("name", ""), s.Find("option").First().AttrOr("value", ""))
		}
	})
	form.Find("textarea").Each(func(_ int, s *goquery.Selection) { v.Set(s.AttrOr("name", ""), s.Text()) })
	return v
}

// Item 11: a stale edit shows only the fields the editor changed (against
// the version they started from), the other person's changes from the
// history, and a form holding the latest version with the editor's
// changes, which saves.
func TestConflictShowsOwnChangesAndReapplies(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	editor := e.addMember(a, "editor@acme.example", account.RoleEditor)
	r := e.createRisk(a, risk.Input{Title: "Original", Probability: 5, Impact: 5})
	page := "/risks/" + r.Identifier()
	mine := formValues(a.Owner.get(page+"/edit").Doc(t), "#risk-form")
	if mine.Get("base") == "" {
		t.Fatalf("the edit form carries no base")
	}

	theirs := formValues(editor.get(page+"/edit").Doc(t), "#risk-form")
	theirs.Set("status", "pending")
	if res := editor.postForm(page, theirs); res.StatusCode != http.StatusOK {
		t.Fatalf("their save: %d", res.StatusCode)
	}

	mine.Set("title", "My title")
	mine.Set("impact", "8")
	res := a.Owner.postForm(page, mine)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale save: status %d, want 409", res.StatusCode)
	}
	doc := res.Doc(t)
	var fields []string
	doc.Find(`[data-testid="conflict-change"]`).Each(func(_ int, tr *goquery.Selection) {
		fields = append(fields, tr.AttrOr("data-field", ""))
	})
	if strings.Join(fields, ",") != "title,impact" {
		t.Errorf("your changes list %v, want only title and impact", fields)
	}
	var cells []string
	doc.Find(`[data-testid="conflict-change"][data-field="title"] td`).Each(func(_ int, td *goquery.Selection) {
		cells = append(cells, strings.TrimSpace(td.Text()))
	})
	if row := strings.Join(cells, "|"); row != "Title|Original|My title|Original" {
		t.Errorf("title row %q", row)
	}
	if got := strings.Join(strings.Fields(doc.Find(`[data-testid="conflict-theirs"]`).Text()), " "); !strings.Contains(got, "Member editor@acme.example changed") || !strings.Contains(got, "Status: Open → to Pending") {
		t.Errorf("their changes %q", got)
	}
	again := formValues(doc, `[data-testid="conflict-reapply"] #risk-form`)
	if again.Get("title") != "My title" || again.Get("impact") != "8" || again.Get("status") != "pending" || again.Get("version") != "2" {
		t.Fatalf("re-apply form holds title %q impact %q status %q version %q", again.Get("title"), again.Get("impact"), again.Get("status"), again.Get("version"))
	}
	if res := a.Owner.postForm(page, again); res.StatusCode != http.StatusOK || !strings.HasSuffix(res.URL, page) {
		t.Fatalf("re-applied save: status %d at %s", res.StatusCode, res.URL)
	}
	got, _ := e.Server.Risks.Get(t.Context(), a.ID, r.ID)
	if got.Title != "My title" || got.Impact != 8 || got.Status != risk.StatusPending || got.Version != 3 {
		t.Errorf("stored %q impact %d status %s v%d", got.Title, got.Impact, got.Status, got.Version)
	}
}

// Item 20: the demo data shows the treatment features: risks with
// treatments and tasks (some overdue), next-review dates and a history of
// several events over past days.
func TestDemoDataShowsTreatments(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if _, err := (&seed.Seeder{Accounts: e.Server.Accounts, Risks: e.Server.Risks}).Demo(ctx); err != nil {
		t.Fatal(err)
	}
	c := e.login(seed.DemoEmail(), seed.DemoPassword)
	doc := c.get("/risks?sort=identifier&per_page=100").Doc(t)
	var ids []string
	doc.Find(`[data-testid="risk-row"]`).Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("data-id", "")) })
	treated, withTasks, overdue, reviews, richHistory := 0, 0, 0, 0, 0
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for _, id := range ids {
		page := c.get("/risks/" + id).Doc(t)
		if page.Find(`[data-testid="treatment-type"]`).Length() > 0 {
			treated++
		}
		if page.Find(`#risk-tasks [data-testid="task"]`).Length() > 0 {
			withTasks++
		}
		overdue += page.Find(`#risk-tasks [data-testid="task-overdue"]`).Length()
		var days = map[string]bool{}
		page.Find(`[data-testid="event"] time`).Each(func(_ int, tm *goquery.Selection) {
			if at, err := time.Parse(time.RFC3339, tm.AttrOr("datetime", "")); err == nil && at.Before(today) {
				days[at.Format(time.DateOnly)] = true
			}
		})
		if len(days) >= 4 {
			richHistory++
		}
		if dd := page.Find(`aside dt:contains("Next review") + dd`).Text(); strings.TrimSpace(dd) != "—" && dd != "" {
			reviews++
		}
	}
	if len(ids) < 40 || treated < 10 || withTasks < 10 || overdue < 5 || reviews < 10 || richHistory < 8 {
		t.Errorf("%d risks: %d treated, %d with tasks, %d overdue tasks, %d with a next review, %d with events on 4+ past days",
			len(ids), treated, withTasks, overdue, reviews, richHistory)
	}
}
