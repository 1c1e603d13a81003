package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
)

// workDay is a day d days from the app's today.
func workDay(e *env, d int) *time.Time {
	t := e.Clock.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, d)
	return &t
}

func ownerActor(o *org) audit.Actor {
	p := o.Owner.principal()
	return audit.Actor{MemberID: p.MemberID, Name: p.User.Name}
}

func addTask(t *testing.T, e *env, o *org, r *risk.Risk, in risk.TaskInput) *risk.Task {
	t.Helper()
	tk, err := e.Server.Risks.AddTask(context.Background(), o.ID, ownerActor(o), r.ID, in)
	if err != nil {
		t.Fatalf("add task: %v", err)
	}
	return tk
}

// comment writes a comment row as the comments feature stores it.
func comment(t *testing.T, e *env, o *org, r *risk.Risk, author *account.Principal, body string, mentions ...string) string {
	t.Helper()
	id := db.NewID("cmt")
	if mentions == nil {
		mentions = []string{}
	}
	_, err := e.DB.NewRaw(`INSERT INTO risk_comments (organization_id, id, risk_id, author_id, author_name, body, mentions, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?::text[], ?)`, o.ID, id, r.ID, author.MemberID, author.User.Name, body,
		"{"+strings.Join(mentions, ",")+"}", e.Clock.Now().UTC()).Exec(context.Background())
	if err != nil {
		t.Fatalf("comment: %v", err)
	}
	return id
}

func testids(doc *goquery.Document, sel string) []string {
	var out []string
	doc.Find(sel).Each(func(_ int, s *goquery.Selection) { out = append(out, strings.Join(strings.Fields(s.Text()), " ")) })
	return out
}

func sectionCount(doc *goquery.Document, section string) string {
	return strings.TrimSpace(doc.Find("[data-testid=mywork-" + section + "] [data-testid=section-count]").Text())
}

func TestMyWorkSections(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Acme", "owner@acme.test")
	ed := e.addMember(o, "ed@acme.test", account.RoleEditor)
	me := ed.principal()
	other := e.addMember(o, "other@acme.test", account.RoleEditor).principal()

	mine := e.createRisk(o, risk.Input{Title: "Mine, review overdue", AssigneeID: me.MemberID, NextReviewDate: workDay(e, -2), Probability: 4, Impact: 4})
	soon := e.createRisk(o, risk.Input{Title: "Mine, review soon", AssigneeID: me.MemberID, NextReviewDate: workDay(e, 10)})
	e.createRisk(o, risk.Input{Title: "Mine, review later", AssigneeID: me.MemberID, NextReviewDate: workDay(e, 60)})
	e.createRisk(o, risk.Input{Title: "Mine but closed", AssigneeID: me.MemberID, Status: "closed", ClosureReason: "mitigated", NextReviewDate: workDay(e, -5)})
	theirs := e.createRisk(o, risk.Input{Title: "Theirs", AssigneeID: other.MemberID, NextReviewDate: workDay(e, -3)})

	addTask(t, e, o, soon, risk.TaskInput{Title: "Later task", DueDate: workDay(e, 5), AssigneeID: me.MemberID})
	addTask(t, e, o, theirs, risk.TaskInput{Title: "Late task", DueDate: workDay(e, -1), AssigneeID: me.MemberID})
	addTask(t, e, o, soon, risk.TaskInput{Title: "Undated task", AssigneeID: me.MemberID})
	addTask(t, e, o, soon, risk.TaskInput{Title: "Done task", Status: "completed", DueDate: workDay(e, -9), AssigneeID: me.MemberID})
	addTask(t, e, o, mine, risk.TaskInput{Title: "Someone else's task", DueDate: workDay(e, -9), AssigneeID: other.MemberID})

	comment(t, e, o, theirs, other, "@ed can you look?", me.MemberID)
	comment(t, e, o, theirs, other, "Nobody mentioned")

	res := ed.get("/me")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /me: %d", res.StatusCode)
	}
	doc := res.Doc(t)
	if got := testids(doc, "[data-testid=mywork-task] a"); strings.Join(got, "|") != "Late task|Later task|Undated task" {
		t.Errorf("tasks %q, want the overdue one first, then by due date, no completed or others' tasks", got)
	}
	if n := doc.Find("[data-testid=mywork-task][data-overdue]").Length(); n != 1 {
		t.Errorf("%d tasks marked overdue, want 1", n)
	}
	if got := testids(doc, "[data-testid=mywork-review] a"); strings.Join(got, "|") != "Mine, review overdue|Mine, review soon" {
		t.Errorf("reviews %q, want the overdue and the one due within 30 days of my open risks", got)
	}
	if got := testids(doc, "[data-testid=mywork-risk] > a"); len(got) != 3 || got[0] != "Mine, review overdue" {
		t.Errorf("my risks %q, want my 3 open risks, the highest score first", got)
	}
	if got := testids(doc, "[data-testid=mywork-mention] p:last-child"); len(got) != 1 || got[0] != "@ed can you look?" {
		t.Errorf("mentions %q, want the one comment naming me", got)
	}
	for section, want := range map[string]string{"tasks": "3", "reviews": "2", "risks": "3", "mentions": "1"} {
		if got := sectionCount(doc, section); got != want {
			t.Errorf("%s count %q, want %q", section, got, want)
		}
	}
	// The navigation's badge: 1 overdue task + 1 overdue review + 1 unread mention.
	if got := strings.TrimSpace(doc.Find("[data-testid=nav-mywork-badge]").Text()); got != "3" {
		t.Errorf("nav badge %q, want 3", got)
	}
	// The owner has nothing of their own: empty sections, no badge.
	doc = o.Owner.get("/me").Doc(t)
	if n := doc.Find("[data-testid=empty-state]").Length(); n != 4 {
		t.Errorf("owner's My work: %d empty sections, want 4", n)
	}
	if doc.Find("[data-testid=nav-mywork-badge]").Length() != 0 {
		t.Error("owner's nav shows a My work badge with nothing to do")
	}
}

func TestEditorsLandOnMyWork(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Acme", "owner@acme.test")
	for email, role := range map[string]account.Role{"ed@acme.test": account.RoleEditor, "vi@acme.test": account.RoleViewer} {
		e.addMember(o, email, role)
		res := e.client().postForm("/login", url.Values{"email": {email}, "password": {testPassword}})
		want := "/"
		if role == account.RoleEditor {
			want = "/me"
		}
		if res.URL != e.URL+want {
			t.Errorf("%s lands on %s, want %s", role, res.URL, want)
		}
		// An explicit next page wins.
		res = e.client().postForm("/login", url.Values{"email": {email}, "password": {testPassword}, "next": {"/risks"}})
		if res.URL != e.URL+"/risks" {
			t.Errorf("%s with next=/risks lands on %s", role, res.URL)
		}
	}
	res := e.client().postForm("/login", url.Values{"email": {"owner@acme.test"}, "password": {testPassword}})
	if res.URL != e.URL+"/" {
		t.Errorf("owner lands on %s, want the dashboard", res.URL)
	}
}

func notificationKinds(doc *goquery.Document, unreadOnly bool) []string {
	sel := "[data-testid=notification]"
	if unreadOnly {
		sel += "[data-unread]"
	}
	var out []string
	doc.Find(sel).Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("data-kind", "")) })
	return out
}

func bellCount(doc *goquery.Document) string {
	return strings.TrimSpace(doc.Find("[data-testid=bell-count]").Text())
}

func TestNotificationsComputedOnRead(t *testing.T) {
	e := newEnv(t)
	o := e.signup("Acme", "owner@acme.test")
	ed := e.addMember(o, "ed@acme.test", account.RoleEditor)
	me := ed.principal()
	owner := o.Owner.principal()

	// Assigned by the owner: a risk (due for review in 2 days) and a task due tomorrow.
	r := e.createRisk(o, risk.Input{Title: "Assigned to Ed", AssigneeID: me.MemberID, NextReviewDate: workDay(e, 2)})
	addTask(t, e, o, r, risk.TaskInput{Title: "Rotate keys", DueDate: workDay(e, 1), AssigneeID: me.MemberID})
	// Ed assigning himself is no news to him.
	if _, err := e.Server.Risks.Create(context.Background(), o.ID, audit.Actor{MemberID: me.MemberID, Name: me.User.Name},
		risk.Input{Title: "Self-assigned", Category: "technology", Description: "x", AssigneeID: me.MemberID}); err != nil {
		t.Fatal(err)
	}
	comment(t, e, o, r, owner, "A comment on Ed's risk")
	comment(t, e, o, r, owner, "@Ed please check", me.MemberID)
	comment(t, e, o, r, me, "Ed's own comment", me.MemberID)

	doc := ed.get("/notifications").Doc(t)
	got := strings.Join(notificationKinds(doc, true), ",")
	for _, want := range []string{"risk_assigned", "task_assigned", "comment", "mention"} {
		if strings.Count(got, want) != 1 {
			t.Errorf("unread notifications %s: want one %s", got, want)
		}
	}
	if n := len(notificationKinds(doc, true)); n != 4 || bellCount(doc) != "4" {
		t.Errorf("%d unread, bell %q, want 4", n, bellCount(doc))
	}

	// Mark one read.
	var key string
	doc.Find("[data-testid=notification][data-kind=comment] input[name=key]").Each(func(_ int, s *goquery.Selection) { key = s.AttrOr("value", "") })
	res := ed.postForm("/notifications/read", url.Values{"key": {key}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("mark read: %d", res.StatusCode)
	}
	doc = res.Doc(t)
	if bellCount(doc) != "3" || slicesContain(notificationKinds(doc, true), "comment") {
		t.Errorf("after marking the comment read: bell %q, unread %v", bellCount(doc), notificationKinds(doc, true))
	}
	if res := ed.postForm("/notifications/read", url.Values{"key": {"bogus"}}); res.StatusCode < 400 || res.StatusCode >= 500 {
		t.Errorf("mark read with a bad key: %d, want 4xx", res.StatusCode)
	}

	// Mark all read: the bell goes quiet.
	doc = ed.postForm("/notifications/read-all", url.Values{}).Doc(t)
	if bellCount(doc) != "" || len(notificationKinds(doc, true)) != 0 || len(notificationKinds(doc, false)) != 4 {
		t.Errorf("after mark all read: bell %q, unread %v, all %v", bellCount(doc), notificationKinds(doc, true), notificationKinds(doc, false))
	}

	// Three days later the task and the review have become overdue: computed
	// on read from the due dates and the clock, unread again.
	e.Clock.Advance(3 * 24 * time.Hour)
	ed = e.login("ed@acme.test", testPassword)
	doc = ed.get("/notifications").Doc(t)
	unread := notificationKinds(doc, true)
	if strings.Join(unread, ",") != "review_overdue,task_overdue" && strings.Join(unread, ",") != "task_overdue,review_overdue" {
		t.Errorf("after 3 days unread %v, want the overdue task and review", unread)
	}
	if bellCount(doc) != "2" {
		t.Errorf("bell %q, want 2", bellCount(doc))
	}
	// My work's badge: overdue task + overdue review (the mention was read).
	if got := strings.TrimSpace(doc.Find("[data-testid=nav-mywork-badge]").Text()); got != "2" {
		t.Errorf("My work badge %q, want 2", got)
	}
	// The owner's bell is their own: nothing for them.
	if doc := o.Owner.get("/").Doc(t); bellCount(doc) != "" {
		t.Errorf("owner's bell %q, want none", bellCount(doc))
	}
	// Another organization's member sees none of it.
	b := e.signup("Beta", "owner@beta.test")
	if doc := b.Owner.get("/notifications").Doc(t); len(notificationKinds(doc, false)) != 0 {
		t.Errorf("another organization sees %v", notificationKinds(doc, false))
	}
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
