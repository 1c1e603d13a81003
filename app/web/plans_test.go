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
	"github.com/riskreg/riskreg/views/risks"
)

// addTask adds a task through the service as the organization's owner.
func (e *env) addTask(o *org, r *risk.Risk, in risk.TaskInput) *risk.Task {
	e.t.Helper()
	p := o.Owner.principal()
	t, err := e.Server.Risks.AddTask(context.Background(), o.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name}, r.ID, in)
	if err != nil {
		e.t.Fatalf("add task: %v", err)
	}
	return t
}

// taskRow finds a task's row on a page.
func taskRow(doc *goquery.Document, t *risk.Task) *goquery.Selection {
	return doc.Find("#" + risks.TaskRowID(t.ID))
}

// historyText returns the history's changes as read, one per line.
func historyText(doc *goquery.Document) string {
	var lines []string
	doc.Find("#" + risks.HistoryID + ` [data-testid="change"]`).Each(func(_ int, li *goquery.Selection) {
		li = li.Clone()
		li.Find(".sr-only").Remove()
		lines = append(lines, strings.Join(strings.Fields(li.Text()), " "))
	})
	return strings.Join(lines, "\n")
}

func TestAddTaskWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "VPN exposure"})
	page := "/risks/" + r.Identifier()
	doc := a.Owner.get(page).Doc(t)
	form := doc.Find(`#` + risks.TasksID + ` form[data-testid="add-task-form"]`)
	if action, _ := form.Attr("action"); action != page+"/tasks" || form.Find(`input[name="_csrf"]`).Length() != 1 {
		t.Fatalf("add form action %q, or no CSRF field", action)
	}
	owner := a.Owner.principal()
	res := a.Owner.postForm(page+"/tasks", url.Values{"title": {" Patch the VPN "}, "description": {"Both gateways"},
		"due_date": {"2030-01-31"}, "assignee_id": {owner.MemberID}})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.URL, e.URL+page+"#"+risks.TasksID) {
		t.Fatalf("add: status %d at %s, want the risk's page after a 303", res.StatusCode, res.URL)
	}
	doc = res.Doc(t)
	rows := doc.Find(`#` + risks.TasksID + ` [data-testid="task"]`)
	if rows.Length() != 1 {
		t.Fatalf("%d task rows, want 1", rows.Length())
	}
	for sel, want := range map[string]string{
		"task-title": "Patch the VPN", "task-status": "Open", "task-due": "Due 31 Jan 2030",
		"task-assignee": "Owner Acme", "task-description": "Both gateways",
	} {
		if got := strings.TrimSpace(rows.Find(`[data-testid="` + sel + `"]`).Text()); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if got := doc.Find(`[data-testid="flash"]`).Text(); got != "Task added." {
		t.Errorf("flash = %q", got)
	}
	if h := historyText(doc); !strings.Contains(h, "Task: — → Patch the VPN (open, due 31 Jan 2030, Owner Acme)") {
		t.Errorf("history %q lacks the added task", h)
	}
}

func TestAddTaskWithHTMX(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "VPN exposure"})
	page := "/risks/" + r.Identifier()
	a.Owner.get(page)
	res := a.Owner.postForm(page+"/tasks", url.Values{"title": {"Patch the VPN"}}, "HX-Request", "true", "HX-Target", risks.TasksID)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if strings.Contains(res.Body, "<html") {
		t.Fatalf("htmx must get fragments, not the page")
	}
	if !strings.Contains(res.Header.Get("Vary"), "HX-Request") {
		t.Errorf("Vary = %q", res.Header.Get("Vary"))
	}
	doc := res.Doc(t)
	if got := doc.Find(`#` + risks.TasksID + ` [data-testid="task-title"]`).Text(); got != "Patch the VPN" {
		t.Errorf("the card lists %q", got)
	}
	if v, _ := doc.Find(`#` + risks.TasksID + ` #new-task-title`).Attr("value"); v != "" {
		t.Errorf("the add form keeps %q after a successful add", v)
	}
	hist := doc.Find("#" + risks.HistoryID)
	if oob, _ := hist.Attr("hx-swap-oob"); oob != "true" || !strings.Contains(historyText(doc), "Patch the VPN (open)") {
		t.Errorf("the history is not refreshed out of band (hx-swap-oob=%q): %q", oob, historyText(doc))
	}
	if n := countRows(t, e, "tasks"); n != 1 {
		t.Fatalf("%d tasks stored", n)
	}
}

func TestAddTaskValidation(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "VPN exposure"})
	page := "/risks/" + r.Identifier()
	a.Owner.get(page)
	events := countRows(t, e, "events")
	bad := url.Values{"title": {"  "}, "description": {"Kept text"}, "due_date": {"31/01/2030"}}

	// Without JavaScript: the whole page, the messages at the add form, the input kept.
	res := a.Owner.postForm(page+"/tasks", bad)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.StatusCode)
	}
	doc := res.Doc(t)
	form := doc.Find(`form[data-testid="add-task-form"]`)
	if doc.Find("html").Length() == 0 || form.Length() != 1 {
		t.Fatalf("a plain POST must get the risk's page with the form")
	}
	if got := form.Find(`[data-testid="error-title"]`).Text(); strings.TrimSpace(got) != "Title is required" {
		t.Errorf("title error = %q", got)
	}
	if got := form.Find(`[data-testid="error-due_date"]`).Text(); strings.TrimSpace(got) != risk.DateMessage {
		t.Errorf("due date error = %q", got)
	}
	if got := form.Find(`textarea[name="description"]`).Text(); got != "Kept text" {
		t.Errorf("description not kept: %q", got)
	}

	// With htmx: only the card, the invalid field marked.
	res = a.Owner.postForm(page+"/tasks", url.Values{"title": {""}}, "HX-Request", "true", "HX-Target", risks.TasksID)
	if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(res.Body, "<html") {
		t.Fatalf("htmx: status %d, want 422 with the fragment", res.StatusCode)
	}
	doc = res.Doc(t)
	if v, _ := doc.Find(`#new-task-title`).Attr("aria-invalid"); v != "true" {
		t.Errorf("title not marked invalid")
	}
	if got := doc.Find(`[data-testid="error-title"]`).Text(); strings.TrimSpace(got) != "Title is required" {
		t.Errorf("htmx title error = %q", got)
	}
	if doc.Find("#"+risks.HistoryID).Length() != 0 {
		t.Errorf("a refused add must not refresh the history")
	}
	if n := countRows(t, e, "tasks"); n != 0 {
		t.Fatalf("%d tasks written by invalid forms", n)
	}
	if n := countRows(t, e, "events"); n != events {
		t.Fatalf("invalid forms wrote %d events", n-events)
	}
}

func TestCompleteAndReopenTask(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "VPN exposure"})
	task := e.addTask(a, r, risk.TaskInput{Title: "Patch the VPN"})
	page := "/risks/" + r.Identifier()
	doc := a.Owner.get(page).Doc(t)
	if taskRow(doc, task).Find(`[data-testid="task-completed"]`).Length() != 0 {
		t.Fatalf("an open task shows a completion date")
	}
	complete := taskRow(doc, task).Find(`[data-testid="task-complete"]`).Closest("form")
	if action, _ := complete.Attr("action"); action != page+"/tasks/"+task.ID+"/status" {
		t.Fatalf("complete form action %q", action)
	}

	res := a.Owner.postForm(page+"/tasks/"+task.ID+"/status", url.Values{"status": {"completed"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("complete: status %d", res.StatusCode)
	}
	stored, err := e.Server.Risks.Task(context.Background(), a.ID, r.ID, task.ID)
	if err != nil || stored.CompletedAt == nil {
		t.Fatalf("stored task %+v, %v: no completion time", stored, err)
	}
	row := taskRow(res.Doc(t), task)
	if got := row.Find(`[data-testid="task-status"]`).Text(); got != "Completed" {
		t.Errorf("status badge %q", got)
	}
	if got := row.Find(`[data-testid="task-completed"]`).Text(); got != "Completed "+risks.FormatDate(stored.CompletedAt) {
		t.Errorf("completed date %q, want %q", got, risks.FormatDate(stored.CompletedAt))
	}
	if row.Find(`[data-testid="task-reopen"]`).Length() != 1 {
		t.Errorf("a completed task offers no Reopen")
	}
	if h := historyText(res.Doc(t)); !strings.Contains(h, "Task status: Patch the VPN: Open → Patch the VPN: Completed") {
		t.Errorf("history %q lacks the status change", h)
	}

	// Reopen with htmx: the card comes back without the completion date.
	res = a.Owner.postForm(page+"/tasks/"+task.ID+"/status", url.Values{"status": {"open"}}, "HX-Request", "true", "HX-Target", risks.TasksID)
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") {
		t.Fatalf("reopen: status %d", res.StatusCode)
	}
	row = taskRow(res.Doc(t), task)
	if row.Find(`[data-testid="task-completed"]`).Length() != 0 || row.Find(`[data-testid="task-status"]`).Text() != "Open" {
		t.Errorf("reopened row: %q", row.Text())
	}
	if stored, _ = e.Server.Risks.Task(context.Background(), a.ID, r.ID, task.ID); stored.CompletedAt != nil {
		t.Errorf("reopening kept the completion time")
	}
	if res := a.Owner.postForm(page+"/tasks/"+task.ID+"/status", url.Values{"status": {"done"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown status: %d, want 422", res.StatusCode)
	}
}

func TestOverdueTaskIsMarked(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "VPN exposure"})
	past := time.Now().UTC().AddDate(0, 0, -3)
	future := time.Now().UTC().AddDate(0, 1, 0)
	late := e.addTask(a, r, risk.TaskInput{Title: "Late", DueDate: &past})
	onTime := e.addTask(a, r, risk.TaskInput{Title: "On time", DueDate: &future})
	doneLate := e.addTask(a, r, risk.TaskInput{Title: "Done late", DueDate: &past, Status: risk.TaskCompleted})

	doc := a.Owner.get("/risks/" + r.Identifier()).Doc(t)
	row := taskRow(doc, late)
	if got := row.Find(`[data-testid="task-overdue"]`).Text(); got != "Overdue" {
		t.Errorf("overdue marker = %q", got)
	}
	if _, red := row.Find(`[data-testid="task-due"]`).Attr("data-overdue"); !red { // .due[data-overdue] is red
		t.Errorf("overdue due date is not marked for red")
	}
	if _, red := taskRow(doc, onTime).Find(`[data-testid="task-due"]`).Attr("data-overdue"); red {
		t.Errorf("a due date to come is marked for red")
	}
	for _, task := range []*risk.Task{onTime, doneLate} {
		if taskRow(doc, task).Find(`[data-testid="task-overdue"]`).Length() != 0 {
			t.Errorf("%s is marked overdue", task.Title)
		}
	}
	if got := doc.Find(`[data-testid="task-summary"]`).Text(); got != "1 of 3 completed · 1 overdue" {
		t.Errorf("summary = %q", got)
	}
}

func TestEditAndDeleteTask(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "VPN exposure"})
	task := e.addTask(a, r, risk.TaskInput{Title: "Patch the VPN"})
	page := "/risks/" + r.Identifier()
	taskPath := page + "/tasks/" + task.ID
	rowID := risks.TaskRowID(task.ID)
	a.Owner.get(page)

	// htmx gets the row as a form; a browser without JavaScript the page with it.
	res := a.Owner.get(taskPath+"/edit", "HX-Request", "true", "HX-Target", rowID)
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") {
		t.Fatalf("edit fragment: status %d", res.StatusCode)
	}
	form := res.Doc(t).Find("#" + rowID + ` form[data-testid="task-edit-form"]`)
	if v, _ := form.Find(`input[name="title"]`).Attr("value"); v != "Patch the VPN" {
		t.Fatalf("edit form title %q", v)
	}
	if hxTarget, _ := form.Attr("hx-target"); hxTarget != "#"+rowID {
		t.Errorf("edit form targets %q", hxTarget)
	}
	if full := a.Owner.get(taskPath + "/edit").Doc(t); full.Find("html").Length() == 0 || full.Find("#"+rowID+" form").Length() != 1 {
		t.Errorf("without htmx the edit link must show the page with the row's form")
	}

	// A refused edit re-renders the row with the message.
	res = a.Owner.postForm(taskPath, url.Values{"title": {""}, "status": {"in_progress"}}, "HX-Request", "true", "HX-Target", rowID)
	if res.StatusCode != http.StatusUnprocessableEntity || res.Doc(t).Find("#"+rowID+` [data-testid="error-title"]`).Length() != 1 {
		t.Fatalf("invalid edit: status %d %s", res.StatusCode, res.Body)
	}
	// A saved edit refreshes the card.
	res = a.Owner.postForm(taskPath, url.Values{"title": {"Patch both gateways"}, "status": {"in_progress"}}, "HX-Request", "true", "HX-Target", rowID)
	if res.StatusCode != http.StatusOK || res.Header.Get("HX-Retarget") != "#"+risks.TasksID {
		t.Fatalf("edit: status %d, HX-Retarget %q", res.StatusCode, res.Header.Get("HX-Retarget"))
	}
	doc := res.Doc(t)
	if got := taskRow(doc, task).Find(`[data-testid="task-title"]`).Text(); got != "Patch both gateways" {
		t.Errorf("title after edit %q", got)
	}
	if h := historyText(doc); !strings.Contains(h, "Task: Patch the VPN → Patch both gateways") ||
		!strings.Contains(h, "Task status: Patch both gateways: Open → Patch both gateways: In progress") {
		t.Errorf("history %q lacks the edit", h)
	}

	// Delete asks first and removes the task.
	page1 := a.Owner.get(page).Doc(t)
	del := taskRow(page1, task).Find(`[data-testid="task-delete"]`).Closest("form")
	if msg, _ := del.Attr("data-confirm"); msg != "Delete task “Patch both gateways”?" {
		t.Errorf("delete confirmation %q", msg)
	}
	res = a.Owner.postForm(taskPath+"/delete", url.Values{})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.URL, e.URL+page) {
		t.Fatalf("delete: status %d at %s", res.StatusCode, res.URL)
	}
	doc = res.Doc(t)
	if taskRow(doc, task).Length() != 0 || doc.Find(`[data-testid="tasks-empty"]`).Length() != 1 {
		t.Errorf("the deleted task is still listed")
	}
	if h := historyText(doc); !strings.Contains(h, "Task: Patch both gateways (in progress) → —") {
		t.Errorf("history %q lacks the deletion", h)
	}
}

func TestSetTreatment(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "VPN exposure"})
	page := "/risks/" + r.Identifier()
	doc := a.Owner.get(page).Doc(t)
	if doc.Find(`[data-testid="treatment-none"]`).Length() != 1 {
		t.Fatalf("no empty state for a risk without treatment")
	}
	res := a.Owner.postForm(page+"/treatment", url.Values{"type": {"mitigate"}, "description": {"Patch every server"}})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.URL, e.URL+page) {
		t.Fatalf("set: status %d at %s", res.StatusCode, res.URL)
	}
	doc = res.Doc(t)
	if got := doc.Find(`[data-testid="treatment-type"]`).Text(); got != "Mitigate" {
		t.Errorf("type shown %q", got)
	}
	if got := doc.Find(`[data-testid="treatment-description"]`).Text(); got != "Patch every server" {
		t.Errorf("description shown %q", got)
	}

	// Replace with htmx: only the card, plus the history out of band.
	res = a.Owner.postForm(page+"/treatment", url.Values{"type": {"accept"}, "description": {"Within appetite"}}, "HX-Request", "true", "HX-Target", risks.TreatmentID)
	if res.StatusCode != http.StatusOK || strings.Contains(res.Body, "<html") {
		t.Fatalf("htmx set: status %d", res.StatusCode)
	}
	doc = res.Doc(t)
	if got := doc.Find("#" + risks.TreatmentID + ` [data-testid="treatment-type"]`).Text(); got != "Accept" {
		t.Errorf("card shows %q", got)
	}
	if h := historyText(doc); !strings.Contains(h, "Treatment: Mitigate: Patch every server → Accept: Within appetite") {
		t.Errorf("history %q lacks the replacement", h)
	}

	// A missing type is refused in the card.
	res = a.Owner.postForm(page+"/treatment", url.Values{"type": {""}}, "HX-Request", "true", "HX-Target", risks.TreatmentID)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid: status %d", res.StatusCode)
	}
	doc = res.Doc(t)
	if got := doc.Find(`[data-testid="error-type"]`).Text(); strings.TrimSpace(got) != "Choose a treatment strategy" {
		t.Errorf("type error %q", got)
	}
	if _, open := doc.Find("#" + risks.TreatmentID + " details").Attr("open"); !open {
		t.Errorf("the form with errors is collapsed")
	}
	tr, _ := e.Server.Risks.Treatment(context.Background(), a.ID, r.ID)
	if tr == nil || tr.Type != "accept" {
		t.Errorf("stored treatment %+v", tr)
	}
}

// planRoute is a plan route with the form a POST sends.
type planRoute struct {
	method, path string
	form         url.Values
}

func (rt planRoute) send(c *client) *response {
	if rt.method == http.MethodGet {
		return c.get(rt.path)
	}
	return c.postForm(rt.path, rt.form)
}

// planRoutes lists every plan route for the risk (by identifier, or by id
// when it has no number) and the task.
func planRoutes(r *risk.Risk, task *risk.Task) []planRoute {
	page := "/risks/" + r.Identifier()
	if r.Number == 0 {
		page = "/risks/" + r.ID
	}
	tp := page + "/tasks/" + task.ID
	return []planRoute{
		{http.MethodPost, page + "/treatment", url.Values{"type": {"avoid"}}},
		{http.MethodPost, page + "/tasks", url.Values{"title": {"Intruder"}}},
		{http.MethodGet, tp + "/edit", nil},
		{http.MethodPost, tp, url.Values{"title": {"Hijacked"}, "status": {"completed"}}},
		{http.MethodPost, tp + "/status", url.Values{"status": {"completed"}}},
		{http.MethodPost, tp + "/delete", url.Values{}},
	}
}

// planSnapshot counts what a plan route could change.
func planSnapshot(t *testing.T, e *env) [3]int {
	return [3]int{countRows(t, e, "tasks WHERE status = 'open' AND title = 'Patch the VPN'"), countRows(t, e, "risk_treatments"), countRows(t, e, "events")}
}

func TestViewerReadsPlanButCannotChangeIt(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	r := e.createRisk(a, risk.Input{Title: "VPN exposure"})
	task := e.addTask(a, r, risk.TaskInput{Title: "Patch the VPN"})
	p := a.Owner.principal()
	if _, err := e.Server.Risks.SetTreatment(context.Background(), a.ID, audit.Actor{MemberID: p.MemberID, Name: p.User.Name}, r.ID, risk.TreatmentInput{Type: "mitigate"}); err != nil {
		t.Fatal(err)
	}
	viewer := e.addMember(a, "viewer@acme.example", account.RoleViewer)
	doc := viewer.get("/risks/" + r.Identifier()).Doc(t)
	if got := doc.Find(`[data-testid="treatment-type"]`).Text(); got != "Mitigate" {
		t.Errorf("viewer sees treatment %q", got)
	}
	if got := taskRow(doc, task).Find(`[data-testid="task-title"]`).Text(); got != "Patch the VPN" {
		t.Errorf("viewer sees task %q", got)
	}
	for _, id := range []string{risks.TreatmentID, risks.TasksID} {
		if n := doc.Find("#" + id + " form, #" + id + " button, #" + id + " [data-testid=task-edit]").Length(); n != 0 {
			t.Errorf("viewer gets %d forms or buttons in #%s", n, id)
		}
	}

	before := planSnapshot(t, e)
	for _, rt := range planRoutes(r, task) {
		if res := rt.send(viewer); res.StatusCode != http.StatusForbidden {
			t.Errorf("viewer %s %s: status %d, want 403", rt.method, rt.path, res.StatusCode)
		}
	}
	if after := planSnapshot(t, e); after != before {
		t.Errorf("viewer requests changed the plan: %v -> %v", before, after)
	}
}

func TestPlanRoutesOfAnotherOrganization(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	b := e.signup("Beta", "owner@beta.example")
	ra := e.createRisk(a, risk.Input{Title: "Acme risk"})
	task := e.addTask(a, ra, risk.TaskInput{Title: "Patch the VPN"})
	rb := e.createRisk(b, risk.Input{Title: "Beta risk"}) // Beta's own RSK-00001
	b.Owner.get("/risks")

	before := planSnapshot(t, e)
	// Acme's risk id, and Beta's own risk with Acme's task id: both 404.
	for _, r := range []*risk.Risk{{ID: ra.ID}, rb} {
		for _, rt := range planRoutes(r, task) {
			if r == rb && !strings.Contains(rt.path, task.ID) {
				continue // Beta may change its own risk's plan
			}
			res := rt.send(b.Owner)
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("other organization %s %s: status %d, want 404", rt.method, rt.path, res.StatusCode)
			}
			if strings.Contains(res.Body, "Patch the VPN") || strings.Contains(res.Body, "Acme risk") {
				t.Errorf("%s %s leaks the other organization's data", rt.method, rt.path)
			}
		}
	}
	if after := planSnapshot(t, e); after != before {
		t.Errorf("another organization changed the plan: %v -> %v", before, after)
	}
	if n := countRows(t, e, "tasks WHERE risk_id = '"+rb.ID+"'"); n != 0 {
		t.Errorf("a task was added to Beta's risk from Acme's ids")
	}
}
