package risk

import (
	"context"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// MaxPlanDescription is the longest description of a treatment or a task.
const MaxPlanDescription = 5000

// PlanStore persists a risk's treatment and its mitigation tasks. Every
// method is scoped by the organization and the risk; a row of another
// organization or risk is reported as not found.
type PlanStore interface {
	// Treatment returns the risk's treatment, or nil and no error when it
	// has none.
	Treatment(ctx context.Context, orgID, riskID string) (*Treatment, error)
	// SaveTreatment inserts the risk's treatment or replaces the one it
	// has, keeping its id and creation time (written back into t).
	SaveTreatment(ctx context.Context, t *Treatment) error
	// DeleteTreatment removes the risk's treatment; none is not an error.
	DeleteTreatment(ctx context.Context, orgID, riskID string) error
	// Tasks lists the risk's tasks, oldest first.
	Tasks(ctx context.Context, orgID, riskID string) ([]*Task, error)
	// Task returns one task of the risk, or NotFound; forUpdate locks it.
	Task(ctx context.Context, orgID, riskID, taskID string, forUpdate bool) (*Task, error)
	InsertTask(ctx context.Context, t *Task) error
	// UpdateTask writes t; it returns NotFound when the task is gone.
	UpdateTask(ctx context.Context, t *Task) error
	// DeleteTask removes a task; it returns NotFound when there is none.
	DeleteTask(ctx context.Context, orgID, riskID, taskID string) error
	// Summaries returns the treatment type and open-task count of each of
	// the risks that has either, keyed by risk id, from one query.
	Summaries(ctx context.Context, orgID string, riskIDs []string) (map[string]PlanSummary, error)
}

// Normalize trims the description.
func (in *TreatmentInput) Normalize() {
	in.Type = strings.TrimSpace(in.Type)
	in.Description = strings.TrimSpace(in.Description)
}

// Validate returns an Invalid error naming every bad field, or nil.
func (in *TreatmentInput) Validate() error {
	fe := apperr.NewProblems()
	if in.Type == "" {
		fe.Add2("type", "Type is required", PlainEnumMessage("type", TreatmentTypes, ""))
	} else {
		checkEnum(fe, "type", in.Type, TreatmentTypes)
	}
	checkText(fe, "description", in.Description, "", MaxPlanDescription)
	return fe.Err()
}

// TaskInputOf returns the input that reproduces t, used to prefill forms.
func TaskInputOf(t *Task) TaskInput {
	return TaskInput{Title: t.Title, Description: t.Description, Status: t.Status, DueDate: t.DueDate, AssigneeID: t.AssigneeID}
}

// Normalize trims text, defaults the status to open and makes the due
// date a calendar date (UTC midnight).
func (in *TaskInput) Normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	in.Status = strings.TrimSpace(in.Status)
	in.AssigneeID = strings.TrimSpace(in.AssigneeID)
	if in.Status == "" {
		in.Status = TaskOpen
	}
	if in.DueDate != nil {
		d := time.Date(in.DueDate.Year(), in.DueDate.Month(), in.DueDate.Day(), 0, 0, 0, 0, time.UTC)
		in.DueDate = &d
	}
}

// Validate returns an Invalid error naming every bad field, with the
// messages of the Comp AI contract (zod) and their plain wording, or nil.
func (in *TaskInput) Validate() error {
	fe := apperr.NewProblems()
	checkText(fe, "title", in.Title, "Title is required", MaxTitle)
	checkText(fe, "description", in.Description, "", MaxPlanDescription)
	if in.Status != "" {
		checkEnum(fe, "status", in.Status, TaskStatuses)
	}
	checkDate(fe, "due_date", in.DueDate)
	if strings.ContainsRune(in.AssigneeID, 0) {
		fe.Add("assigneeId", "Must not contain NUL bytes")
	}
	return fe.Err()
}

// Treatment returns the risk's treatment, nil when none is set, or
// NotFound when the risk is not the organization's.
func (s *Service) Treatment(ctx context.Context, orgID, riskID string) (*Treatment, error) {
	r, err := s.Risks.Get(ctx, orgID, riskID, false)
	if err != nil {
		return nil, err
	}
	return s.Plans.Treatment(ctx, orgID, r.ID)
}

// SetTreatment sets or replaces the risk's treatment and records the
// change on the risk's history. Setting the same values changes nothing.
func (s *Service) SetTreatment(ctx context.Context, orgID string, actor audit.Actor, riskID string, in TreatmentInput) (*Treatment, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var saved *Treatment
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		r, err := s.Risks.Get(ctx, orgID, riskID, true)
		if err != nil {
			return err
		}
		old, err := s.Plans.Treatment(ctx, orgID, r.ID)
		if err != nil {
			return err
		}
		if old != nil && old.Type == in.Type && old.Description == in.Description {
			saved = old
			return nil
		}
		now := s.now()
		t := &Treatment{ID: s.NewID("trt"), OrganizationID: orgID, RiskID: r.ID, Type: in.Type,
			Description: in.Description, CreatedAt: now, UpdatedAt: now}
		if err := s.Plans.SaveTreatment(ctx, t); err != nil {
			return err
		}
		saved = t
		return s.planEvent(ctx, r, actor, now, audit.Change{Field: "treatment", Old: TreatmentSummary(old), New: TreatmentSummary(t)})
	})
	return saved, err
}

// ClearTreatment removes the risk's treatment (the API's
// "treatmentStrategy": null) and records it; without one it changes nothing.
func (s *Service) ClearTreatment(ctx context.Context, orgID string, actor audit.Actor, riskID string) error {
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		r, err := s.Risks.Get(ctx, orgID, riskID, true)
		if err != nil {
			return err
		}
		old, err := s.Plans.Treatment(ctx, orgID, r.ID)
		if err != nil || old == nil {
			return err
		}
		if err := s.Plans.DeleteTreatment(ctx, orgID, r.ID); err != nil {
			return err
		}
		return s.planEvent(ctx, r, actor, s.now(), audit.Change{Field: "treatment", Old: TreatmentSummary(old), New: ""})
	})
}

// Tasks lists the risk's mitigation tasks, oldest first, or NotFound when
// the risk is not the organization's.
func (s *Service) Tasks(ctx context.Context, orgID, riskID string) ([]*Task, error) {
	r, err := s.Risks.Get(ctx, orgID, riskID, false)
	if err != nil {
		return nil, err
	}
	return s.Plans.Tasks(ctx, orgID, r.ID)
}

// Task returns one task of the risk, or NotFound ("Risk not found" or
// "Task not found").
func (s *Service) Task(ctx context.Context, orgID, riskID, taskID string) (*Task, error) {
	r, err := s.Risks.Get(ctx, orgID, riskID, false)
	if err != nil {
		return nil, err
	}
	return s.Plans.Task(ctx, orgID, r.ID, taskID, false)
}

// AddTask validates in and adds a task to the risk, recording it on the
// risk's history.
func (s *Service) AddTask(ctx context.Context, orgID string, actor audit.Actor, riskID string, in TaskInput) (*Task, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var added *Task
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		r, err := s.Risks.Get(ctx, orgID, riskID, true)
		if err != nil {
			return err
		}
		assignee, err := s.assignee(ctx, orgID, in.AssigneeID)
		if err != nil {
			return err
		}
		now := s.now()
		t := &Task{ID: s.NewID("tsk"), OrganizationID: orgID, RiskID: r.ID, CreatedAt: now}
		applyTask(t, in, assignee, now)
		if err := s.Plans.InsertTask(ctx, t); err != nil {
			return err
		}
		added = t
		return s.planEvent(ctx, r, actor, now, audit.Change{Field: "task", New: TaskSummary(t)})
	})
	return added, err
}

// UpdateTask applies in to a task of the risk (an empty status means
// open) and records what changed on the risk's history.
func (s *Service) UpdateTask(ctx context.Context, orgID string, actor audit.Actor, riskID, taskID string, in TaskInput) (*Task, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.changeTask(ctx, orgID, actor, riskID, taskID, func(ctx context.Context, cur *Task) (TaskInput, *Person, error) {
		assignee, err := s.assignee(ctx, orgID, in.AssigneeID)
		return in, assignee, err
	})
}

// PatchTask applies patch to the task's current input, read under the row
// lock so a partial update loses no concurrent change, then validates it
// and records what changed. An error from patch is returned as is.
func (s *Service) PatchTask(ctx context.Context, orgID string, actor audit.Actor, riskID, taskID string, patch func(in *TaskInput) error) (*Task, error) {
	return s.changeTask(ctx, orgID, actor, riskID, taskID, func(ctx context.Context, cur *Task) (TaskInput, *Person, error) {
		in := TaskInputOf(cur)
		if err := patch(&in); err != nil {
			return in, nil, err
		}
		in.Normalize()
		if err := in.Validate(); err != nil {
			return in, nil, err
		}
		assignee, err := s.assignee(ctx, orgID, in.AssigneeID)
		return in, assignee, err
	})
}

// SetTaskStatus moves a task of the risk to status: completing sets its
// completion time, any other status clears it.
func (s *Service) SetTaskStatus(ctx context.Context, orgID string, actor audit.Actor, riskID, taskID, status string) (*Task, error) {
	status = strings.TrimSpace(status)
	fe := apperr.NewProblems()
	checkEnum(fe, "status", status, TaskStatuses)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.changeTask(ctx, orgID, actor, riskID, taskID, func(_ context.Context, cur *Task) (TaskInput, *Person, error) {
		in := TaskInputOf(cur)
		in.Status = status
		return in, cur.Assignee, nil
	})
}

// changeTask locks the risk and the task, applies the input next returns
// and writes the task and its event; a change to nothing writes nothing.
func (s *Service) changeTask(ctx context.Context, orgID string, actor audit.Actor, riskID, taskID string,
	next func(ctx context.Context, cur *Task) (TaskInput, *Person, error)) (*Task, error) {
	var updated *Task
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		r, err := s.Risks.Get(ctx, orgID, riskID, true)
		if err != nil {
			return err
		}
		cur, err := s.Plans.Task(ctx, orgID, r.ID, taskID, true)
		if err != nil {
			return err
		}
		in, assignee, err := next(ctx, cur)
		if err != nil {
			return err
		}
		now := s.now()
		t := *cur
		applyTask(&t, in, assignee, now)
		changes := taskDiff(cur, &t)
		if len(changes) == 0 {
			updated = cur
			return nil
		}
		if err := s.Plans.UpdateTask(ctx, &t); err != nil {
			return err
		}
		updated = &t
		return s.planEvent(ctx, r, actor, now, changes...)
	})
	return updated, err
}

// DeleteTask removes a task of the risk, recording it on the risk's history.
func (s *Service) DeleteTask(ctx context.Context, orgID string, actor audit.Actor, riskID, taskID string) error {
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		r, err := s.Risks.Get(ctx, orgID, riskID, true)
		if err != nil {
			return err
		}
		cur, err := s.Plans.Task(ctx, orgID, r.ID, taskID, true)
		if err != nil {
			return err
		}
		if err := s.Plans.DeleteTask(ctx, orgID, r.ID, cur.ID); err != nil {
			return err
		}
		return s.planEvent(ctx, r, actor, s.now(), audit.Change{Field: "task", Old: TaskSummary(cur)})
	})
}

// now is the operation's time, at the database's microsecond precision so
// what a method returns equals what it stored.
func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// planEvent records changes to a risk's plan as one update of the risk and
// moves the risk's updated time to now, so sorting by Updated sees them.
func (s *Service) planEvent(ctx context.Context, r *Risk, actor audit.Actor, now time.Time, changes ...audit.Change) error {
	if err := s.Risks.Touch(ctx, r.OrganizationID, r.ID, actor.MemberID, now); err != nil {
		return err
	}
	return s.Events.Append(ctx, &audit.Event{
		OrganizationID: r.OrganizationID, EntityType: audit.EntityRisk, EntityID: r.ID, EntityLabel: r.Identifier(),
		Action: audit.ActionUpdated, Actor: actor, Changes: changes, CreatedAt: now,
	})
}

// applyTask copies validated input onto t, keeping CompletedAt in step
// with the status: completing sets it, any other status clears it.
func applyTask(t *Task, in TaskInput, assignee *Person, now time.Time) {
	wasCompleted := t.Status == TaskCompleted
	t.Title, t.Description, t.Status = in.Title, in.Description, in.Status
	t.DueDate, t.AssigneeID, t.Assignee = in.DueDate, in.AssigneeID, assignee
	switch {
	case t.Status == TaskCompleted && !wasCompleted:
		c := now
		t.CompletedAt = &c
	case t.Status != TaskCompleted:
		t.CompletedAt = nil
	}
	t.UpdatedAt = now
}

// taskDiff lists a task's changes for the risk's history; every value
// names the task so the timeline reads on its own.
func taskDiff(old, new *Task) []audit.Change {
	var d audit.Diff
	d.Add("task", old.Title, new.Title)
	named := func(v string) string {
		if v == "" {
			v = "—"
		}
		return new.Title + ": " + v
	}
	if old.Status != new.Status {
		d.Add("task_status", named(TaskStatuses.Label(old.Status)), named(TaskStatuses.Label(new.Status)))
	}
	if old.Description != new.Description {
		d.Add("task_description", named(old.Description), named(new.Description))
	}
	if dateString(old.DueDate) != dateString(new.DueDate) {
		d.Add("task_due_date", named(dateString(old.DueDate)), named(dateString(new.DueDate)))
	}
	if old.AssigneeID != new.AssigneeID {
		d.Add("task_assignee", named(personName(old.Assignee)), named(personName(new.Assignee)))
	}
	return d
}

// TreatmentSummary describes a treatment in the history, e.g.
// "Mitigate: Patch every server"; "" for none.
func TreatmentSummary(t *Treatment) string {
	if t == nil {
		return ""
	}
	if t.Description == "" {
		return TreatmentTypes.Label(t.Type)
	}
	return TreatmentTypes.Label(t.Type) + ": " + t.Description
}

// TaskSummary describes a task in the history, e.g. "Patch the VPN (open,
// due 2030-01-31, Ada Lovelace)".
func TaskSummary(t *Task) string {
	parts := []string{strings.ToLower(TaskStatuses.Label(t.Status))}
	if t.DueDate != nil {
		parts = append(parts, "due "+dateString(t.DueDate))
	}
	if t.Assignee != nil {
		parts = append(parts, t.Assignee.Name)
	}
	return t.Title + " (" + strings.Join(parts, ", ") + ")"
}
