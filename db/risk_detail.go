package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// detailRow is a risk with its assignee, and its register, treatment and
// tasks as JSON, read in one statement.
type detailRow struct {
	riskRow       `bun:",extend"`
	RegisterJSON  []byte `bun:"register_json,scanonly"`
	TreatmentJSON []byte `bun:"treatment_json,scanonly"`
	TasksJSON     []byte `bun:"tasks_json,scanonly"`
}

type registerJSON struct {
	OrganizationID  string               `json:"organization_id"`
	ID              string               `json:"id"`
	Name            string               `json:"name"`
	Description     string               `json:"description"`
	Matrix          risk.Matrix          `json:"matrix"`
	IsDefault       bool                 `json:"is_default"`
	ReviewIntervals risk.ReviewIntervals `json:"review_intervals"`
	Version         int                  `json:"version"`
	CreatedAt       time.Time            `json:"created_at"`
	UpdatedAt       time.Time            `json:"updated_at"`
}

type treatmentJSON struct {
	OrganizationID string    `json:"organization_id"`
	ID             string    `json:"id"`
	RiskID         string    `json:"risk_id"`
	Type           string    `json:"type"`
	Description    string    `json:"description"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

type taskJSON struct {
	OrganizationID string     `json:"organization_id"`
	ID             string     `json:"id"`
	RiskID         string     `json:"risk_id"`
	Title          string     `json:"title"`
	Description    string     `json:"description"`
	Status         string     `json:"status"`
	DueDate        *string    `json:"due_date"` // yyyy-mm-dd
	CompletedAt    *time.Time `json:"completed_at"`
	AssigneeID     *string    `json:"assignee_id"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	AssigneeName   *string    `json:"assignee_name"`
	AssigneeEmail  *string    `json:"assignee_email"`
}

// Detail returns the risk by id or RSK identifier with its assignee,
// register, treatment and tasks (oldest first) from one statement: one
// round trip for the risk page and the single-risk API.
func (s *RiskStore) Detail(ctx context.Context, orgID, idOrIdentifier string) (*risk.Detail, error) {
	if !validKey(idOrIdentifier) {
		return nil, apperr.New(apperr.NotFound, "Risk not found")
	}
	var row detailRow
	q := s.selectRisks(ctx).Where("r.organization_id = ?", orgID).
		ColumnExpr(`(SELECT to_jsonb(g) FROM registers AS g WHERE g.organization_id = r.organization_id AND g.id = r.register_id) AS register_json`).
		ColumnExpr(`(SELECT to_jsonb(rt) FROM risk_treatments AS rt WHERE rt.organization_id = r.organization_id AND rt.risk_id = r.id) AS treatment_json`).
		ColumnExpr(`(SELECT coalesce(jsonb_agg(to_jsonb(t) || jsonb_build_object('assignee_name', tu.name, 'assignee_email', tu.email) ORDER BY t.created_at, t.id), '[]')
			FROM tasks AS t LEFT JOIN members AS tm ON tm.organization_id = t.organization_id AND tm.id = t.assignee_id
			LEFT JOIN users AS tu ON tu.id = tm.user_id
			WHERE t.organization_id = r.organization_id AND t.risk_id = r.id) AS tasks_json`)
	if n, ok := risk.ParseIdentifier(idOrIdentifier); ok {
		q = q.Where("r.number = ?", n)
	} else {
		q = q.Where("r.id = ?", idOrIdentifier)
	}
	if err := q.Scan(ctx, &row); err != nil {
		if e := dbErr("get risk", err); apperr.Is(e, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "Risk not found")
		} else {
			return nil, e
		}
	}
	d := &risk.Detail{Risk: row.toDomain()}
	var reg registerJSON
	if err := json.Unmarshal(row.RegisterJSON, &reg); err != nil {
		return nil, fmt.Errorf("risk detail: register: %w", err)
	}
	d.Register = &risk.Register{ID: reg.ID, OrganizationID: reg.OrganizationID, Name: reg.Name, Description: reg.Description,
		Matrix: reg.Matrix, IsDefault: reg.IsDefault, ReviewIntervals: reg.ReviewIntervals, Version: reg.Version, CreatedAt: reg.CreatedAt.UTC(), UpdatedAt: reg.UpdatedAt.UTC()}
	if len(row.TreatmentJSON) > 0 && string(row.TreatmentJSON) != "null" {
		var t treatmentJSON
		if err := json.Unmarshal(row.TreatmentJSON, &t); err != nil {
			return nil, fmt.Errorf("risk detail: treatment: %w", err)
		}
		d.Treatment = (&treatmentRow{OrganizationID: t.OrganizationID, ID: t.ID, RiskID: t.RiskID, Type: t.Type,
			Description: t.Description, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}).toDomain()
	}
	var tasks []taskJSON
	if err := json.Unmarshal(row.TasksJSON, &tasks); err != nil {
		return nil, fmt.Errorf("risk detail: tasks: %w", err)
	}
	d.Tasks = make([]*risk.Task, len(tasks))
	for i, t := range tasks {
		tr := taskRow{OrganizationID: t.OrganizationID, ID: t.ID, RiskID: t.RiskID, Title: t.Title, Description: t.Description,
			Status: t.Status, CompletedAt: t.CompletedAt, AssigneeID: t.AssigneeID, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
			AssigneeName: t.AssigneeName, AssigneeEmail: t.AssigneeEmail}
		if t.DueDate != nil {
			due, err := time.Parse(time.DateOnly, *t.DueDate)
			if err != nil {
				return nil, fmt.Errorf("risk detail: task due date: %w", err)
			}
			tr.DueDate = &due
		}
		d.Tasks[i] = tr.toDomain()
	}
	return d, nil
}
