package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riskreg/riskreg/app/risk"
)

type exportRow struct {
	riskRow              `bun:",extend"`
	TreatmentType        sql.NullString `bun:"treatment_type,scanonly"`
	TreatmentDescription sql.NullString `bun:"treatment_description,scanonly"`
	OpenTasks            int            `bun:"open_tasks,scanonly"`
}

// Export streams every risk matching f (all pages, in the list's order)
// to fn, one row at a time: the rows are read from a cursor, never loaded
// into memory together. Treatments and open tasks are joined in the same
// query (no query per row).
func (s *RiskStore) Export(ctx context.Context, orgID string, f risk.ListQuery, fn func(*risk.ExportRow) error) error {
	db := idb(ctx, s.DB)
	q := db.NewSelect().Model((*riskRow)(nil)).
		ColumnExpr("?TableColumns").
		ColumnExpr("u.name AS assignee_name, u.email AS assignee_email").
		ColumnExpr("rt.type AS treatment_type, rt.description AS treatment_description").
		ColumnExpr("coalesce(ot.n, 0) AS open_tasks").
		Join("LEFT JOIN members AS m ON m.organization_id = r.organization_id AND m.id = r.assignee_id").
		Join("LEFT JOIN users AS u ON u.id = m.user_id").
		Join("LEFT JOIN risk_treatments AS rt ON rt.organization_id = r.organization_id AND rt.risk_id = r.id").
		// The open tasks counted once per organization and joined by hash,
		// not a subquery run for every exported row.
		Join(`LEFT JOIN (SELECT t.risk_id, count(*) AS n FROM tasks AS t
			WHERE t.organization_id = ? AND t.status <> 'completed' GROUP BY t.risk_id) AS ot ON ot.risk_id = r.id`, orgID)
	q = orderRisks(applyFilters(q, orgID, f), f)
	rows, err := q.Rows(ctx)
	if err != nil {
		return dbErr("export risks", err)
	}
	defer rows.Close()
	var row exportRow
	out := &risk.ExportRow{}
	for rows.Next() {
		row = exportRow{}
		if err := db.NewSelect().DB().ScanRow(ctx, rows, &row); err != nil {
			return dbErr("scan export row", err)
		}
		out.Risk = row.riskRow.toDomain()
		out.TreatmentType = row.TreatmentType.String
		out.TreatmentDescription = row.TreatmentDescription.String
		out.OpenTasks = row.OpenTasks
		if err := fn(out); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export risks: %w", err)
	}
	return nil
}
