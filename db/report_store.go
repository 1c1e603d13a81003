package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/report"
	"github.com/riskreg/riskreg/app/risk"
)

// ReportStore reads what the reports need: the history of risks over a
// window, overdue work and the incidents of a period.
type ReportStore struct{ DB *bun.DB }

var _ report.Store = (*ReportStore)(nil)

// OrganizationName returns the organization's name.
func (s *ReportStore) OrganizationName(ctx context.Context, orgID string) (string, error) {
	var name string
	err := idb(ctx, s.DB).NewSelect().Table("organizations").Column("name").Where("id = ?", orgID).Scan(ctx, &name)
	return name, dbErr("organization name", err)
}

// movedFields are the changes that the history of movements reads.
const movedFields = `'status', 'residual_level', 'register'`

// RiskEventsSince returns the risk events at or after since, oldest first,
// each updated event with only its status, residual level and register
// changes (and left out when it has none).
func (s *ReportStore) RiskEventsSince(ctx context.Context, orgID string, since time.Time) ([]*audit.Event, error) {
	var rows []eventRow
	err := idb(ctx, s.DB).NewSelect().Model(&rows).
		ColumnExpr("e.organization_id, e.id, e.entity_type, e.entity_id, e.entity_label, e.action, e.actor_name, e.created_at").
		ColumnExpr(`COALESCE((SELECT jsonb_agg(c) FROM jsonb_array_elements(e.changes) AS c WHERE c->>'field' IN (`+movedFields+`)), '[]') AS changes`).
		ColumnExpr(`CASE WHEN e.action = 'deleted' THEN e.snapshot END AS snapshot`).
		Where("e.organization_id = ? AND e.entity_type = ? AND e.created_at >= ?", orgID, audit.EntityRisk, since).
		Where(`e.action <> 'updated' OR EXISTS (SELECT FROM jsonb_array_elements(e.changes) AS c WHERE c->>'field' IN (` + movedFields + `))`).
		OrderExpr("e.created_at, e.id").Scan(ctx)
	if err != nil {
		return nil, dbErr("list risk events", err)
	}
	out := make([]*audit.Event, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// overdueTaskRow is a task with its risk's number and title.
type overdueTaskRow struct {
	taskRow    `bun:",extend"`
	RiskNumber int64  `bun:"risk_number,scanonly"`
	RiskTitle  string `bun:"risk_title,scanonly"`
}

// OverdueTasks returns the unfinished tasks of the register's open or
// pending risks due before day and not completed by its end.
func (s *ReportStore) OverdueTasks(ctx context.Context, orgID, registerID string, day time.Time, limit int) ([]report.OverdueTask, int, error) {
	where := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Join("JOIN risks AS r ON r.organization_id = t.organization_id AND r.id = t.risk_id").
			Where("t.organization_id = ? AND r.register_id = ? AND r.status IN ('open', 'pending')", orgID, registerID).
			Where("t.due_date < ? AND (t.completed_at IS NULL OR t.completed_at >= ?)", day, day.Add(24*time.Hour))
	}
	n, err := where(idb(ctx, s.DB).NewSelect().Model((*taskRow)(nil))).Count(ctx)
	if err != nil {
		return nil, 0, dbErr("count overdue tasks", err)
	}
	var rows []overdueTaskRow
	err = where(idb(ctx, s.DB).NewSelect().Model(&rows).
		ColumnExpr("t.*").
		ColumnExpr("u.name AS assignee_name, u.email AS assignee_email, r.number AS risk_number, r.title AS risk_title").
		Join("LEFT JOIN members AS m ON m.organization_id = t.organization_id AND m.id = t.assignee_id").
		Join("LEFT JOIN users AS u ON u.id = m.user_id")).
		OrderExpr("t.due_date, r.number, t.created_at").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, 0, dbErr("list overdue tasks", err)
	}
	out := make([]report.OverdueTask, len(rows))
	for i := range rows {
		out[i] = report.OverdueTask{Task: rows[i].toDomain(), RiskID: rows[i].RiskID,
			RiskIdentifier: risk.FormatIdentifier(rows[i].RiskNumber), RiskTitle: rows[i].RiskTitle}
	}
	return out, int(n), nil
}

// IncidentsBetween returns the incidents that occurred or were discovered
// from from to to (inclusive), by occurrence, then number.
func (s *ReportStore) IncidentsBetween(ctx context.Context, orgID string, from, to time.Time) ([]*incident.Incident, error) {
	var rows []incidentRow
	err := (&IncidentStore{DB: s.DB}).selectIncidents(ctx).
		Where("i.organization_id = ?", orgID).
		Where("(i.occurred_on BETWEEN ? AND ?) OR (i.discovered_on BETWEEN ? AND ?)", from, to, from, to).
		OrderExpr("COALESCE(i.occurred_on, i.discovered_on), i.number").Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("list incidents of a period", err)
	}
	out := make([]*incident.Incident, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// OverdueReviews returns the register's open or pending risks whose next
// review date is before day.
func (s *ReportStore) OverdueReviews(ctx context.Context, orgID, registerID string, day time.Time, limit int) ([]*risk.Risk, int, error) {
	rs := &RiskStore{DB: s.DB}
	where := func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("r.organization_id = ? AND r.register_id = ? AND r.status IN ('open', 'pending') AND r.next_review_date < ?", orgID, registerID, day)
	}
	n, err := where(idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil))).Count(ctx)
	if err != nil {
		return nil, 0, dbErr("count overdue reviews", err)
	}
	var rows []riskRow
	if err := where(rs.selectRisks(ctx)).OrderExpr("r.next_review_date, r.number").Limit(int64(limit)).Scan(ctx, &rows); err != nil {
		return nil, 0, dbErr("list overdue reviews", err)
	}
	out := make([]*risk.Risk, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, int(n), nil
}
