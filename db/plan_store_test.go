package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// planFixture is the fixture with the plan store wired and a clock the
// test moves.
func planFixture(t *testing.T) (*fixture, *time.Time) {
	t.Helper()
	f := newFixture(t)

	clock := time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)
	f.Risks.Now = func() time.Time { return clock }
	return f, &clock
}

// riskEvents returns the risk's events, newest first.
func (f *fixture) riskEvents(t *testing.T, orgID, riskID string) []*audit.Event {
	t.Helper()
	evs, err := f.Events.ForEntity(context.Background(), orgID, audit.EntityRisk, riskID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// expectOneEvent checks that exactly one event was added to the risk since
// before, an update of the risk by actor carrying want, and returns it.
func (f *fixture) expectOneEvent(t *testing.T, tn tenant, r *risk.Risk, before int, want ...audit.Change) *audit.Event {
	t.Helper()
	evs := f.riskEvents(t, tn.OrgID, r.ID)
	if len(evs) != before+1 {
		t.Fatalf("%d events after the change, want %d (one per change)", len(evs), before+1)
	}
	e := evs[0]
	if e.Action != audit.ActionUpdated || e.EntityType != audit.EntityRisk || e.EntityID != r.ID ||
		e.EntityLabel != r.Identifier() || e.Actor.MemberID != tn.Actor.MemberID {
		t.Fatalf("event %+v: want an update of %s by %s", e, r.Identifier(), tn.Actor.Name)
	}
	for _, w := range want {
		found := false
		for _, c := range e.Changes {
			found = found || c == w
		}
		if !found {
			t.Errorf("event changes %+v lack %+v", e.Changes, w)
		}
	}
	return e
}

func TestSetAndReplaceTreatment(t *testing.T) {
	f, _ := planFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r := f.create(t, a, risk.Input{Title: "VPN exposure"})

	if got, err := f.Risks.Treatment(ctx, a.OrgID, r.ID); err != nil || got != nil {
		t.Fatalf("treatment of a new risk: %+v, %v; want none", got, err)
	}
	first, err := f.Risks.SetTreatment(ctx, a.OrgID, a.Actor, r.Identifier(), risk.TreatmentInput{Type: "mitigate", Description: " Patch every server "})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.ID, "trt_") || first.RiskID != r.ID || first.Description != "Patch every server" {
		t.Fatalf("saved %+v", first)
	}
	f.expectOneEvent(t, a, r, 1, audit.Change{Field: "treatment", Old: "", New: "Mitigate: Patch every server"})

	second, err := f.Risks.SetTreatment(ctx, a.OrgID, a.Actor, r.ID, risk.TreatmentInput{Type: "accept", Description: "Within appetite"})
	if err != nil {
		t.Fatal(err)
	}
	f.expectOneEvent(t, a, r, 2, audit.Change{Field: "treatment", Old: "Mitigate: Patch every server", New: "Accept: Within appetite"})
	if second.ID != first.ID || !second.CreatedAt.Equal(first.CreatedAt) {
		t.Errorf("replacing kept neither id nor creation time: %+v then %+v", first, second)
	}
	got, err := f.Risks.Treatment(ctx, a.OrgID, r.Identifier())
	if err != nil || got.Type != "accept" || got.Description != "Within appetite" {
		t.Fatalf("stored treatment %+v, %v", got, err)
	}
	if n := f.count(t, "SELECT count(*) FROM risk_treatments"); n != 1 {
		t.Fatalf("%d treatment rows, want one per risk", n)
	}

	// The same values again change nothing and write no event.
	if _, err := f.Risks.SetTreatment(ctx, a.OrgID, a.Actor, r.ID, risk.TreatmentInput{Type: "accept", Description: "Within appetite"}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.riskEvents(t, a.OrgID, r.ID)); n != 3 {
		t.Fatalf("%d events after an unchanged save, want 3", n)
	}

	// Invalid input is refused with field messages and writes nothing.
	_, err = f.Risks.SetTreatment(ctx, a.OrgID, a.Actor, r.ID, risk.TreatmentInput{Type: "ignore"})
	if e, ok := apperr.As(err); !ok || !strings.HasPrefix(e.Fields.First("type"), "Invalid enum value. Expected 'accept'") {
		t.Fatalf("bad type: %v", err)
	}
	if got, _ := f.Risks.Treatment(ctx, a.OrgID, r.ID); got.Type != "accept" {
		t.Fatalf("a refused treatment was stored: %+v", got)
	}
}

func TestTaskLifecycle(t *testing.T) {
	f, clock := planFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r := f.create(t, a, risk.Input{Title: "VPN exposure"})
	events := 1

	due := time.Date(2030, 4, 30, 0, 0, 0, 0, time.UTC)
	task, err := f.Risks.AddTask(ctx, a.OrgID, a.Actor, r.Identifier(), risk.TaskInput{Title: " Patch the VPN ", DueDate: &due, AssigneeID: a.Actor.MemberID})
	if err != nil {
		t.Fatal(err)
	}
	events++
	if !strings.HasPrefix(task.ID, "tsk_") || task.Status != risk.TaskOpen || task.CompletedAt != nil || task.Assignee == nil || task.Assignee.Name != a.Actor.Name {
		t.Fatalf("added %+v", task)
	}
	f.expectOneEvent(t, a, r, events-1, audit.Change{Field: "task", Old: "", New: "Patch the VPN (open, due 2030-04-30, Alpha Owner)"})

	// The store returns it with the assignee's name and email.
	got, err := f.Risks.Task(ctx, a.OrgID, r.Identifier(), task.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Patch the VPN" || got.DueDate == nil || !got.DueDate.Equal(due) || got.Assignee == nil ||
		got.Assignee.Email != "alpha@example.com" || !got.CreatedAt.Equal(*clock) {
		t.Fatalf("stored task %+v (assignee %+v)", got, got.Assignee)
	}

	// Update: title, description, due date and assignee in one event.
	*clock = clock.Add(time.Hour)
	in := risk.TaskInputOf(got)
	in.Title, in.Description, in.DueDate, in.AssigneeID = "Patch the VPN servers", "Both gateways", nil, ""
	up, err := f.Risks.UpdateTask(ctx, a.OrgID, a.Actor, r.ID, task.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	events++
	f.expectOneEvent(t, a, r, events-1,
		audit.Change{Field: "task", Old: "Patch the VPN", New: "Patch the VPN servers"},
		audit.Change{Field: "task_description", Old: "Patch the VPN servers: —", New: "Patch the VPN servers: Both gateways"},
		audit.Change{Field: "task_due_date", Old: "Patch the VPN servers: 2030-04-30", New: "Patch the VPN servers: —"},
		audit.Change{Field: "task_assignee", Old: "Patch the VPN servers: Alpha Owner", New: "Patch the VPN servers: —"})
	if up.Assignee != nil || up.DueDate != nil || !up.UpdatedAt.Equal(*clock) {
		t.Errorf("updated %+v", up)
	}

	// Complete: completed_at is the time of the change.
	*clock = clock.Add(time.Hour)
	done, err := f.Risks.SetTaskStatus(ctx, a.OrgID, a.Actor, r.ID, task.ID, risk.TaskCompleted)
	if err != nil {
		t.Fatal(err)
	}
	events++
	f.expectOneEvent(t, a, r, events-1, audit.Change{Field: "task_status", Old: "Patch the VPN servers: Open", New: "Patch the VPN servers: Completed"})
	stored, _ := f.Risks.Task(ctx, a.OrgID, r.ID, task.ID)
	if done.CompletedAt == nil || !done.CompletedAt.Equal(*clock) || stored.CompletedAt == nil || !stored.CompletedAt.Equal(*clock) {
		t.Fatalf("completed at %v (stored %v), want %v", done.CompletedAt, stored.CompletedAt, *clock)
	}
	// Completing again changes nothing, not even the completion time.
	*clock = clock.Add(time.Hour)
	if again, err := f.Risks.SetTaskStatus(ctx, a.OrgID, a.Actor, r.ID, task.ID, risk.TaskCompleted); err != nil || !again.CompletedAt.Equal(*done.CompletedAt) {
		t.Fatalf("completing twice: %+v, %v", again, err)
	}
	if n := len(f.riskEvents(t, a.OrgID, r.ID)); n != events {
		t.Fatalf("%d events after a no-op, want %d", n, events)
	}

	// Reopen clears it.
	reopened, err := f.Risks.SetTaskStatus(ctx, a.OrgID, a.Actor, r.ID, task.ID, risk.TaskInProgress)
	if err != nil {
		t.Fatal(err)
	}
	events++
	f.expectOneEvent(t, a, r, events-1, audit.Change{Field: "task_status", Old: "Patch the VPN servers: Completed", New: "Patch the VPN servers: In progress"})
	stored, _ = f.Risks.Task(ctx, a.OrgID, r.ID, task.ID)
	if reopened.CompletedAt != nil || stored.CompletedAt != nil || stored.Status != risk.TaskInProgress {
		t.Fatalf("reopened: %+v stored %+v", reopened, stored)
	}
	if _, err := f.Risks.SetTaskStatus(ctx, a.OrgID, a.Actor, r.ID, task.ID, "done"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("unknown status: %v, want Invalid", err)
	}

	// Delete.
	if err := f.Risks.DeleteTask(ctx, a.OrgID, a.Actor, r.Identifier(), task.ID); err != nil {
		t.Fatal(err)
	}
	events++
	f.expectOneEvent(t, a, r, events-1, audit.Change{Field: "task", Old: "Patch the VPN servers (in progress)", New: ""})
	if _, err := f.Risks.Task(ctx, a.OrgID, r.ID, task.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("deleted task still readable: %v", err)
	}
	if err := f.Risks.DeleteTask(ctx, a.OrgID, a.Actor, r.ID, task.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("deleting twice: %v, want NotFound", err)
	}
}

func TestTasksOldestFirstAndValidation(t *testing.T) {
	f, clock := planFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r := f.create(t, a, risk.Input{Title: "VPN exposure"})
	for _, title := range []string{"First", "Second", "Third"} {
		*clock = clock.Add(time.Minute)
		if _, err := f.Risks.AddTask(ctx, a.OrgID, a.Actor, r.ID, risk.TaskInput{Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	tasks, err := f.Risks.Tasks(ctx, a.OrgID, r.Identifier())
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, task := range tasks {
		titles = append(titles, task.Title)
	}
	if strings.Join(titles, ",") != "First,Second,Third" {
		t.Fatalf("tasks %v, want oldest first", titles)
	}

	before := f.count(t, "SELECT count(*) FROM events")
	_, err = f.Risks.AddTask(ctx, a.OrgID, a.Actor, r.ID, risk.TaskInput{Title: "  ", Status: "done", Description: strings.Repeat("x", 5001)})
	e, ok := apperr.As(err)
	if !ok || e.Fields.First("title") != "Title is required" || !e.Fields.Has("status") ||
		e.Fields.First("description") != "String must contain at most 5000 character(s)" {
		t.Fatalf("invalid task: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM tasks"); n != 3 {
		t.Fatalf("%d tasks after an invalid add, want 3", n)
	}
	if n := f.count(t, "SELECT count(*) FROM events"); n != before {
		t.Fatalf("an invalid add wrote %d events", n-before)
	}
}

func TestPlanChangeAndEventShareATransaction(t *testing.T) {
	f, _ := planFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r := f.create(t, a, risk.Input{Title: "VPN exposure"})
	task, err := f.Risks.AddTask(ctx, a.OrgID, a.Actor, r.ID, risk.TaskInput{Title: "Patch"})
	if err != nil {
		t.Fatal(err)
	}
	// An actor that is not a member violates the events foreign key: the
	// change in the same transaction must be rolled back with its event.
	ghost := audit.Actor{MemberID: "mem_does_not_exist", Name: "ghost"}
	if _, err := f.Risks.AddTask(ctx, a.OrgID, ghost, r.ID, risk.TaskInput{Title: "Orphan"}); err == nil {
		t.Fatal("add with a broken event succeeded")
	}
	if _, err := f.Risks.SetTreatment(ctx, a.OrgID, ghost, r.ID, risk.TreatmentInput{Type: "avoid"}); err == nil {
		t.Fatal("treatment with a broken event succeeded")
	}
	if _, err := f.Risks.SetTaskStatus(ctx, a.OrgID, ghost, r.ID, task.ID, risk.TaskCompleted); err == nil {
		t.Fatal("status change with a broken event succeeded")
	}
	if err := f.Risks.DeleteTask(ctx, a.OrgID, ghost, r.ID, task.ID); err == nil {
		t.Fatal("delete with a broken event succeeded")
	}
	if n := f.count(t, "SELECT count(*) FROM tasks WHERE title = 'Orphan'"); n != 0 {
		t.Errorf("task written without its event")
	}
	if n := f.count(t, "SELECT count(*) FROM risk_treatments"); n != 0 {
		t.Errorf("treatment written without its event")
	}
	if n := f.count(t, "SELECT count(*) FROM tasks WHERE id = ? AND status = 'open' AND completed_at IS NULL", task.ID); n != 1 {
		t.Errorf("task changed or deleted without its event")
	}
}

func TestPlansAcrossOrganizations(t *testing.T) {
	f, _ := planFixture(t)
	ctx := context.Background()
	a, b := f.tenant(t, "Alpha"), f.tenant(t, "Beta")
	ra := f.create(t, a, risk.Input{Title: "Alpha risk"})
	ra2 := f.create(t, a, risk.Input{Title: "Alpha other risk"})
	rb := f.create(t, b, risk.Input{Title: "Beta risk"})
	ta, err := f.Risks.AddTask(ctx, a.OrgID, a.Actor, ra.ID, risk.TaskInput{Title: "Alpha task"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Risks.SetTreatment(ctx, a.OrgID, a.Actor, ra.ID, risk.TreatmentInput{Type: "mitigate"}); err != nil {
		t.Fatal(err)
	}
	eventsBefore := f.count(t, "SELECT count(*) FROM events")

	notFound := func(what, msg string, err error) {
		t.Helper()
		if e, ok := apperr.As(err); !ok || e.Code != apperr.NotFound || e.Message != msg {
			t.Errorf("%s: %v, want NotFound %q", what, err, msg)
		}
	}
	// Beta with Alpha's risk id: the risk is not found.
	id := ra.ID
	_, err = f.Risks.Treatment(ctx, b.OrgID, id)
	notFound("treatment", "Risk not found", err)
	_, err = f.Risks.SetTreatment(ctx, b.OrgID, b.Actor, id, risk.TreatmentInput{Type: "accept"})
	notFound("set treatment", "Risk not found", err)
	_, err = f.Risks.Tasks(ctx, b.OrgID, id)
	notFound("tasks", "Risk not found", err)
	_, err = f.Risks.AddTask(ctx, b.OrgID, b.Actor, id, risk.TaskInput{Title: "Intruder"})
	notFound("add task", "Risk not found", err)
	_, err = f.Risks.SetTaskStatus(ctx, b.OrgID, b.Actor, id, ta.ID, risk.TaskCompleted)
	notFound("status", "Risk not found", err)
	// Beta's own risk with Alpha's task, and Alpha's other risk with it:
	// the task is not found.
	for _, c := range []struct {
		tn     tenant
		riskID string
	}{{b, rb.ID}, {a, ra2.ID}} {
		_, err := f.Risks.Task(ctx, c.tn.OrgID, c.riskID, ta.ID)
		notFound("task", "Task not found", err)
		_, err = f.Risks.UpdateTask(ctx, c.tn.OrgID, c.tn.Actor, c.riskID, ta.ID, risk.TaskInput{Title: "Hijacked"})
		notFound("update task", "Task not found", err)
		_, err = f.Risks.SetTaskStatus(ctx, c.tn.OrgID, c.tn.Actor, c.riskID, ta.ID, risk.TaskCompleted)
		notFound("task status", "Task not found", err)
		notFound("delete task", "Task not found", f.Risks.DeleteTask(ctx, c.tn.OrgID, c.tn.Actor, c.riskID, ta.ID))
	}
	// Beta's identifier RSK-00001 names Beta's risk, never Alpha's.
	if tasks, err := f.Risks.Tasks(ctx, b.OrgID, "RSK-00001"); err != nil || len(tasks) != 0 {
		t.Errorf("Beta's RSK-00001 tasks: %v, %v; want Beta's (none)", tasks, err)
	}
	if tr, err := f.Risks.Treatment(ctx, b.OrgID, "RSK-00001"); err != nil || tr != nil {
		t.Errorf("Beta's RSK-00001 treatment: %+v, %v; want none", tr, err)
	}
	// An assignee of another organization is a field error.
	_, err = f.Risks.AddTask(ctx, a.OrgID, a.Actor, ra.ID, risk.TaskInput{Title: "t", AssigneeID: b.Actor.MemberID})
	if e, ok := apperr.As(err); !ok || e.Fields.First("assigneeId") != "Assignee is not a member of this organization" {
		t.Errorf("cross-organization assignee on add: %v", err)
	}
	_, err = f.Risks.UpdateTask(ctx, a.OrgID, a.Actor, ra.ID, ta.ID, risk.TaskInput{Title: "t", AssigneeID: b.Actor.MemberID})
	if e, ok := apperr.As(err); !ok || !e.Fields.Has("assigneeId") {
		t.Errorf("cross-organization assignee on update: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM events"); n != eventsBefore {
		t.Errorf("refused cross-organization calls wrote %d events", n-eventsBefore)
	}
	if got, _ := f.Risks.Task(ctx, a.OrgID, ra.ID, ta.ID); got.Title != "Alpha task" || got.Status != risk.TaskOpen {
		t.Errorf("Alpha's task was changed: %+v", got)
	}

	// The schema refuses cross-organization references whatever the code does.
	for _, sql := range []string{
		"INSERT INTO tasks (organization_id, id, risk_id, title) VALUES ('" + b.OrgID + "', 'tsk_x', '" + ra.ID + "', 'x')",
		"UPDATE tasks SET assignee_id = '" + b.Actor.MemberID + "' WHERE id = '" + ta.ID + "'",
		"INSERT INTO risk_treatments (organization_id, id, risk_id, type) VALUES ('" + b.OrgID + "', 'trt_x', '" + ra.ID + "', 'accept')",
	} {
		if _, err := f.DB.ExecContext(ctx, sql); err == nil || !strings.Contains(err.Error(), "23503") {
			t.Errorf("%s: %v, want a foreign key violation", sql, err)
		}
	}
}

func TestDeletingARiskRemovesItsPlan(t *testing.T) {
	f, _ := planFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	r := f.create(t, a, risk.Input{Title: "Doomed"})
	keep := f.create(t, a, risk.Input{Title: "Kept"})
	for _, id := range []string{r.ID, keep.ID} {
		if _, err := f.Risks.AddTask(ctx, a.OrgID, a.Actor, id, risk.TaskInput{Title: "Task of " + id}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Risks.SetTreatment(ctx, a.OrgID, a.Actor, id, risk.TreatmentInput{Type: "transfer"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Risks.Delete(ctx, a.OrgID, a.Actor, r.ID, 0); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, "SELECT count(*) FROM tasks WHERE risk_id = ?", r.ID); n != 0 {
		t.Errorf("%d tasks of the deleted risk remain", n)
	}
	if n := f.count(t, "SELECT count(*) FROM risk_treatments WHERE risk_id = ?", r.ID); n != 0 {
		t.Errorf("the deleted risk's treatment remains")
	}
	if n := f.count(t, "SELECT count(*) FROM tasks WHERE risk_id = ?", keep.ID); n != 1 {
		t.Errorf("another risk's tasks were deleted too")
	}
}

func TestTaskAssigneeFromTheOrganization(t *testing.T) {
	f, _ := planFixture(t)
	ctx := context.Background()
	a := f.tenant(t, "Alpha")
	editor, _, err := f.Accounts.CreateUser(ctx, account.NewUserInput{Organization: "Alpha", Name: "Eve Editor", Email: "eve@example.com", Password: "long enough password", Role: account.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	var memberID string
	ms, _ := f.Accounts.Members(ctx, a.OrgID)
	for _, m := range ms {
		if m.UserID == editor.ID {
			memberID = m.ID
		}
	}
	r := f.create(t, a, risk.Input{Title: "Assigned work"})
	if _, err := f.Risks.AddTask(ctx, a.OrgID, a.Actor, r.ID, risk.TaskInput{Title: "Eve's task", AssigneeID: memberID}); err != nil {
		t.Fatal(err)
	}
	tasks, err := f.Risks.Tasks(ctx, a.OrgID, r.ID)
	if err != nil || len(tasks) != 1 {
		t.Fatalf("tasks %v, %v", tasks, err)
	}
	if p := tasks[0].Assignee; p == nil || p.MemberID != memberID || p.Name != "Eve Editor" || p.Email != "eve@example.com" {
		t.Fatalf("assignee %+v", p)
	}
}
