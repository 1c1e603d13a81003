package risk

import (
	"context"
	"encoding/json"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
)

// Deleted is a deleted risk as its page shows it: who deleted it and when,
// its last state (kept in the delete event) and its whole history.
type Deleted struct {
	Event     *audit.Event // the deletion
	Risk      *Risk        // the last state; Assignee holds only the id
	Register  *Register    // the risk's register, or the default one when it is gone
	Treatment *Treatment   // nil when none was kept
	Tasks     []*Task
	History   []*audit.Event // newest first
}

// snapshotDoc reads the last state a delete event kept (see Snapshot and
// snapshotPlan); events written before a field was kept leave it empty.
type snapshotDoc struct {
	RegisterID          string     `json:"registerId"`
	Title               string     `json:"title"`
	Description         string     `json:"description"`
	Category            string     `json:"category"`
	Department          string     `json:"department"`
	Status              string     `json:"status"`
	Probability         int        `json:"probability"`
	Impact              int        `json:"impact"`
	ResidualProbability int        `json:"residual_probability"`
	ResidualImpact      int        `json:"residual_impact"`
	AssigneeID          string     `json:"assigneeId"`
	ClosureReason       string     `json:"closureReason"`
	DueDate             string     `json:"dueDate"`
	NextReviewDate      string     `json:"nextReviewDate"`
	Tags                []string   `json:"tags"`
	Type                string     `json:"type"`
	ThreatObjectives    []string   `json:"threatObjectives"`
	Version             int        `json:"version"`
	ClosedAt            *time.Time `json:"closedAt"`
	Source              string     `json:"source"`
	SourceID            string     `json:"sourceId"`
	CreatedBy           string     `json:"createdBy"`
	CreatedAt           *time.Time `json:"createdAt"`
	UpdatedBy           string     `json:"updatedBy"`
	UpdatedAt           *time.Time `json:"updatedAt"`
	Treatment           *struct {
		Type        string `json:"type"`
		Description string `json:"description"`
	} `json:"treatment"`
	Tasks       []snapshotTask `json:"tasks"`
	IncidentIDs []string       `json:"incidentIds"`
}

type snapshotTask struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Status      string     `json:"status"`
	DueDate     string     `json:"dueDate"`
	CompletedAt *time.Time `json:"completedAt"`
	AssigneeID  string     `json:"assigneeId"`
	CreatedAt   time.Time  `json:"createdAt"`
}

// snapshotPlan adds the risk's treatment and tasks to its snapshot, so
// that a restore brings them back.
func (s *Service) snapshotPlan(ctx context.Context, r *Risk, snap map[string]any) error {
	tr, err := s.Plans.Treatment(ctx, r.OrganizationID, r.ID)
	if err != nil {
		return err
	}
	if tr != nil {
		snap["treatment"] = map[string]any{"type": tr.Type, "description": tr.Description}
	}
	tasks, err := s.Plans.Tasks(ctx, r.OrganizationID, r.ID)
	if err != nil {
		return err
	}
	list := make([]map[string]any, len(tasks))
	for i, t := range tasks {
		list[i] = map[string]any{"id": t.ID, "title": t.Title, "description": t.Description, "status": t.Status,
			"dueDate": dateString(t.DueDate), "completedAt": t.CompletedAt, "assigneeId": t.AssigneeID, "createdAt": t.CreatedAt}
	}
	snap["tasks"] = list
	return nil
}

func parseDate(s string) *time.Time {
	if t, ok := ParseDate(s); ok {
		return &t
	}
	return nil
}

// lastState rebuilds a deleted risk, its treatment and tasks from the
// snapshot of its delete event e.
func lastState(e *audit.Event) (*Risk, *Treatment, []*Task, error) {
	r, tr, tasks, _, err := lastStateLinks(e)
	return r, tr, tasks, err
}

// lastStateLinks is lastState with the ids of the incidents the risk was
// linked to when it was deleted.
func lastStateLinks(e *audit.Event) (*Risk, *Treatment, []*Task, []string, error) {
	raw, err := json.Marshal(e.Snapshot)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	var d snapshotDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, nil, nil, nil, err
	}
	num, _ := ParseIdentifier(e.EntityLabel)
	r := &Risk{
		ID: e.EntityID, OrganizationID: e.OrganizationID, RegisterID: d.RegisterID, Number: num,
		Title: d.Title, Description: d.Description, Category: d.Category, Department: d.Department, Status: d.Status,
		Probability: d.Probability, Impact: d.Impact, ResidualProbability: d.ResidualProbability, ResidualImpact: d.ResidualImpact,
		AssigneeID: d.AssigneeID, ClosureReason: d.ClosureReason, ClosedAt: d.ClosedAt,
		DueDate: parseDate(d.DueDate), NextReviewDate: parseDate(d.NextReviewDate), Tags: NormalizeTags(d.Tags),
		Type: d.Type, ThreatObjectives: NormalizeObjectives(d.ThreatObjectives),
		Source: d.Source, SourceID: d.SourceID, Version: max(d.Version, 1), CreatedBy: d.CreatedBy, UpdatedBy: d.UpdatedBy,
	}
	if d.Department == "" {
		r.Department = "none"
	}
	if d.CreatedAt != nil {
		r.CreatedAt = d.CreatedAt.UTC()
	}
	if d.UpdatedAt != nil {
		r.UpdatedAt = d.UpdatedAt.UTC()
	}
	var tr *Treatment
	if d.Treatment != nil {
		tr = &Treatment{OrganizationID: r.OrganizationID, RiskID: r.ID, Type: d.Treatment.Type, Description: d.Treatment.Description}
	}
	tasks := make([]*Task, len(d.Tasks))
	for i, t := range d.Tasks {
		tasks[i] = &Task{ID: t.ID, OrganizationID: r.OrganizationID, RiskID: r.ID, Title: t.Title, Description: t.Description,
			Status: t.Status, DueDate: parseDate(t.DueDate), CompletedAt: t.CompletedAt, AssigneeID: t.AssigneeID, CreatedAt: t.CreatedAt}
	}
	return r, tr, tasks, d.IncidentIDs, nil
}

// lastDeletion returns the delete event of the risk named by id (an id or
// RSK identifier) when its latest event is one; NotFound otherwise.
func (s *Service) lastDeletion(ctx context.Context, orgID, id string) (*audit.Event, error) {
	e, err := s.Events.LatestRiskEvent(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	if e.Action != audit.ActionDeleted || e.Snapshot == nil {
		return nil, apperr.New(apperr.NotFound, "Risk not found")
	}
	return e, nil
}

// Deleted returns the deleted risk named by id (an id or RSK identifier)
// with its last state and history; NotFound when no risk of the
// organization by that name is deleted.
func (s *Service) Deleted(ctx context.Context, orgID, id string, historyLimit int) (*Deleted, error) {
	e, err := s.lastDeletion(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	r, tr, tasks, err := lastState(e)
	if err != nil {
		return nil, apperr.Wrap(err, "The deleted risk's last state cannot be read")
	}
	d := &Deleted{Event: e, Risk: r, Treatment: tr, Tasks: tasks}
	if d.Register, err = s.register(ctx, orgID, r.RegisterID); err != nil {
		if d.Register, err = s.Registers.DefaultRegister(ctx, orgID); err != nil {
			return nil, err
		}
	}
	if r.AssigneeID != "" {
		r.Assignee, _ = s.Risks.Assignee(ctx, orgID, r.AssigneeID)
	}
	if d.History, err = s.History(ctx, orgID, r.ID, historyLimit); err != nil {
		return nil, err
	}
	return d, nil
}

// Restore brings a deleted risk back from the last state its delete event
// kept — fields, treatment and tasks — at the next version, and records a
// restore event, in one transaction. An assignee who left the organization
// is dropped and a register that is gone becomes the default one. A risk
// that is not deleted (or restored meanwhile) is NotFound or a Conflict.
func (s *Service) Restore(ctx context.Context, orgID string, actor audit.Actor, id string) (*Risk, error) {
	var restored *Risk
	err := s.Tx.InTx(ctx, func(ctx context.Context) error {
		e, err := s.lastDeletion(ctx, orgID, id)
		if err != nil {
			return err
		}
		r, tr, tasks, incidentIDs, err := lastStateLinks(e)
		if err != nil {
			return apperr.Wrap(err, "The deleted risk's last state cannot be read")
		}
		reg, err := s.register(ctx, orgID, r.RegisterID)
		if err != nil {
			if reg, err = s.Registers.DefaultRegister(ctx, orgID); err != nil {
				return err
			}
		}
		r.RegisterID = reg.ID
		if r.Assignee, err = s.assignee(ctx, orgID, r.AssigneeID); err != nil {
			r.AssigneeID, r.Assignee = "", nil
		}
		now := s.now()
		r.Version++
		r.UpdatedAt, r.UpdatedBy = now, actor.MemberID
		if r.CreatedAt.IsZero() {
			r.CreatedAt = now
		}
		if r.CreatedBy == "" {
			r.CreatedBy = actor.MemberID
		}
		relevel(r, reg)
		if err := s.Risks.Insert(ctx, r); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return apperr.New(apperr.Conflict, r.Identifier()+" was restored meanwhile")
			}
			return err
		}
		if tr != nil {
			tr.ID, tr.CreatedAt, tr.UpdatedAt = s.NewID("trt"), now, now
			if err := s.Plans.SaveTreatment(ctx, tr); err != nil {
				return err
			}
		}
		for _, t := range tasks {
			if t.Assignee, err = s.assignee(ctx, orgID, t.AssigneeID); err != nil {
				t.AssigneeID, t.Assignee = "", nil
			}
			if t.ID == "" {
				t.ID = s.NewID("tsk")
			}
			if t.CreatedAt.IsZero() {
				t.CreatedAt = now
			}
			t.UpdatedAt = now
			if err := s.Plans.InsertTask(ctx, t); err != nil {
				return err
			}
		}
		restored = r
		refs, err := s.relinkIncidents(ctx, r, actor, incidentIDs, now)
		if err != nil {
			return err
		}
		var changes []audit.Change
		for _, ref := range refs {
			changes = append(changes, audit.Change{Field: "linked_incident", New: ref.Identifier + " " + ref.Title})
		}
		return s.Events.Append(ctx, &audit.Event{
			OrganizationID: orgID, EntityType: audit.EntityRisk, EntityID: r.ID, EntityLabel: r.Identifier(),
			Action: audit.ActionRestored, Actor: actor, Changes: changes, CreatedAt: now,
		})
	})
	return restored, err
}
