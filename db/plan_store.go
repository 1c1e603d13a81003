package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// PlanStore implements risk.PlanStore on PostgreSQL: risk_treatments and
// tasks, every query scoped by organization and risk.
type PlanStore struct{ DB *bun.DB }

var _ risk.PlanStore = (*PlanStore)(nil)

type treatmentRow struct {
	bun.BaseModel  `bun:"table:risk_treatments,alias:rt"`
	OrganizationID string    `bun:"organization_id,pk"`
	ID             string    `bun:"id,pk"`
	RiskID         string    `bun:"risk_id"`
	Type           string    `bun:"type"`
	Description    string    `bun:"description"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

func (row *treatmentRow) toDomain() *risk.Treatment {
	return &risk.Treatment{ID: row.ID, OrganizationID: row.OrganizationID, RiskID: row.RiskID, Type: row.Type,
		Description: row.Description, CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
}

type taskRow struct {
	bun.BaseModel  `bun:"table:tasks,alias:t"`
	OrganizationID string     `bun:"organization_id,pk"`
	ID             string     `bun:"id,pk"`
	RiskID         string     `bun:"risk_id"`
	Title          string     `bun:"title"`
	Description    string     `bun:"description"`
	Status         string     `bun:"status"`
	DueDate        *time.Time `bun:"due_date,type:date"`
	CompletedAt    *time.Time `bun:"completed_at"`
	AssigneeID     *string    `bun:"assignee_id"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`

	// Joined, read-only.
	AssigneeName  *string `bun:"assignee_name,scanonly"`
	AssigneeEmail *string `bun:"assignee_email,scanonly"`
}

func taskRowOf(t *risk.Task) *taskRow {
	return &taskRow{
		OrganizationID: t.OrganizationID, ID: t.ID, RiskID: t.RiskID, Title: t.Title, Description: t.Description,
		Status: t.Status, DueDate: dateUTC(t.DueDate), CompletedAt: t.CompletedAt, AssigneeID: nullable(t.AssigneeID),
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}

func (row *taskRow) toDomain() *risk.Task {
	t := &risk.Task{
		ID: row.ID, OrganizationID: row.OrganizationID, RiskID: row.RiskID, Title: row.Title, Description: row.Description,
		Status: row.Status, DueDate: dateUTC(row.DueDate), CompletedAt: utc(row.CompletedAt), AssigneeID: deref(row.AssigneeID),
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(),
	}
	if row.AssigneeID != nil {
		t.Assignee = &risk.Person{MemberID: *row.AssigneeID, Name: deref(row.AssigneeName), Email: deref(row.AssigneeEmail)}
	}
	return t
}

// Treatment returns the risk's treatment, or nil when it has none.
func (s *PlanStore) Treatment(ctx context.Context, orgID, riskID string) (*risk.Treatment, error) {
	var row treatmentRow
	err := idb(ctx, s.DB).NewSelect().Model(&row).
		Where("rt.organization_id = ? AND rt.risk_id = ?", orgID, riskID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbErr("get treatment", err)
	}
	return row.toDomain(), nil
}

// SaveTreatment inserts the risk's treatment or replaces its type and
// DeleteTreatment removes a risk's treatment, if any.
func (s *PlanStore) DeleteTreatment(ctx context.Context, orgID, riskID string) error {
	_, err := idb(ctx, s.DB).NewRaw("DELETE FROM risk_treatments WHERE organization_id = ? AND risk_id = ?", orgID, riskID).Exec(ctx)
	return dbErr("delete treatment", err)
}

// description; t gets the stored id and creation time.
func (s *PlanStore) SaveTreatment(ctx context.Context, t *risk.Treatment) error {
	row := &treatmentRow{OrganizationID: t.OrganizationID, ID: t.ID, RiskID: t.RiskID, Type: t.Type,
		Description: t.Description, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	_, err := idb(ctx, s.DB).NewInsert().Model(row).
		On("CONFLICT (organization_id, risk_id) DO UPDATE").
		Set("type = EXCLUDED.type, description = EXCLUDED.description, updated_at = EXCLUDED.updated_at").
		Returning("id, created_at").Exec(ctx)
	if err != nil {
		return dbErr("save treatment", err)
	}
	t.ID, t.CreatedAt = row.ID, row.CreatedAt.UTC()
	return nil
}

func (s *PlanStore) selectTasks(ctx context.Context, orgID, riskID string) *bun.SelectQuery {
	return idb(ctx, s.DB).NewSelect().Model((*taskRow)(nil)).
		ColumnExpr("?TableColumns").
		ColumnExpr("u.name AS assignee_name, u.email AS assignee_email").
		Join("LEFT JOIN members AS m ON m.organization_id = t.organization_id AND m.id = t.assignee_id").
		Join("LEFT JOIN users AS u ON u.id = m.user_id").
		Where("t.organization_id = ? AND t.risk_id = ?", orgID, riskID)
}

// Tasks lists the risk's tasks, oldest first.
func (s *PlanStore) Tasks(ctx context.Context, orgID, riskID string) ([]*risk.Task, error) {
	var rows []taskRow
	if err := s.selectTasks(ctx, orgID, riskID).OrderExpr("t.created_at, t.id").Scan(ctx, &rows); err != nil {
		return nil, dbErr("list tasks", err)
	}
	out := make([]*risk.Task, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// Task returns one task of the risk, or NotFound ("Task not found").
func (s *PlanStore) Task(ctx context.Context, orgID, riskID, taskID string, forUpdate bool) (*risk.Task, error) {
	var row taskRow
	q := s.selectTasks(ctx, orgID, riskID).Where("t.id = ?", taskID)
	if forUpdate {
		q = q.For("UPDATE OF t")
	}
	if err := q.Scan(ctx, &row); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, taskNotFound()
		}
		return nil, dbErr("get task", err)
	}
	return row.toDomain(), nil
}

func taskNotFound() error { return apperr.New(apperr.NotFound, "Task not found") }

// InsertTask stores a new task.
func (s *PlanStore) InsertTask(ctx context.Context, t *risk.Task) error {
	_, err := idb(ctx, s.DB).NewInsert().Model(taskRowOf(t)).Exec(ctx)
	return dbErr("insert task", err)
}

// UpdateTask writes every field a user may change, or returns NotFound.
func (s *PlanStore) UpdateTask(ctx context.Context, t *risk.Task) error {
	res, err := idb(ctx, s.DB).NewUpdate().Model(taskRowOf(t)).
		ExcludeColumn("organization_id", "id", "risk_id", "created_at").
		WherePK().Where("risk_id = ?", t.RiskID).Exec(ctx)
	if err != nil {
		return dbErr("update task", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return taskNotFound()
	}
	return nil
}

// DeleteTask removes a task of the risk, or returns NotFound.
func (s *PlanStore) DeleteTask(ctx context.Context, orgID, riskID, taskID string) error {
	res, err := idb(ctx, s.DB).NewDelete().Model((*taskRow)(nil)).
		Where("organization_id = ? AND risk_id = ? AND id = ?", orgID, riskID, taskID).Exec(ctx)
	if err != nil {
		return dbErr("delete task", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return taskNotFound()
	}
	return nil
}

// Summaries returns the treatment type and open-task count of each of the
// risks that has either, from one query.
func (s *PlanStore) Summaries(ctx context.Context, orgID string, riskIDs []string) (map[string]risk.PlanSummary, error) {
	var rows []struct {
		RiskID    string `bun:"risk_id"`
		Treatment string `bun:"treatment"`
		OpenTasks int    `bun:"open_tasks"`
	}
	err := idb(ctx, s.DB).NewRaw(`
		SELECT r.id AS risk_id, coalesce(rt.type, '') AS treatment,
		       (SELECT count(*) FROM tasks AS t
		         WHERE t.organization_id = r.organization_id AND t.risk_id = r.id AND t.status <> 'completed') AS open_tasks
		  FROM risks AS r
		  LEFT JOIN risk_treatments AS rt ON rt.organization_id = r.organization_id AND rt.risk_id = r.id
		 WHERE r.organization_id = ? AND r.id IN (?)`, orgID, bun.List(riskIDs)).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("plan summaries", err)
	}
	out := make(map[string]risk.PlanSummary, len(rows))
	for _, r := range rows {
		if r.Treatment != "" || r.OpenTasks > 0 {
			out[r.RiskID] = risk.PlanSummary{Treatment: r.Treatment, OpenTasks: r.OpenTasks}
		}
	}
	return out, nil
}
