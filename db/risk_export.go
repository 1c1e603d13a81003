package db

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun/schema"

	"github.com/riskreg/riskreg/app/risk"
)

type exportRow struct {
	riskRow              `bun:",extend"`
	TreatmentType        sql.NullString `bun:"treatment_type,scanonly"`
	TreatmentDescription sql.NullString `bun:"treatment_description,scanonly"`
	OpenTasks            int            `bun:"open_tasks,scanonly"`
}

// exportFetch is how many rows one FETCH from the export's cursor reads.
const exportFetch = 1000

// Export streams every risk matching f (all pages, in the list's order)
// to fn, one row at a time.
//
// It reads through a server-side cursor, so PostgreSQL plans for the
// first rows (walking the sort index rather than sorting the whole
// register before the first byte), memory stays constant on both sides,
// and the file is one consistent snapshot. Treatments and open tasks are
// joined in the same query (no query per row). The rows are scanned by
// pgx itself into destinations bound once per export: the generic
// per-row scanning of database/sql and Bun cost more than the rest of the
// export together. The cursor lives on a connection of its own, outside
// any transaction in ctx.
func (s *RiskStore) Export(ctx context.Context, orgID string, f risk.ListQuery, fn func(*risk.ExportRow) error) error {
	q := s.DB.NewSelect().Model((*riskRow)(nil)).
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
	query := orderRisks(applyFilters(q, orgID, f), f).String()
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return dbErr("export risks", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("export risks: the driver connection is %T, not pgx", dc)
		}
		tx, err := pc.Conn().BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
		if err != nil {
			return dbErr("export risks", err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit it is a no-op
		// The query text holds its values (Bun interpolates them), so it
		// goes unprepared rather than into the connection's statement cache.
		if _, err := tx.Exec(ctx, "DECLARE risk_export NO SCROLL CURSOR FOR "+query, pgx.QueryExecModeSimpleProtocol); err != nil {
			return dbErr("export risks", err)
		}
		sc := &exportScanner{table: s.DB.Table(reflect.TypeFor[exportRow]())}
		for {
			n, err := sc.fetch(ctx, tx, fn)
			if err != nil {
				return err
			}
			if n < exportFetch {
				return tx.Commit(ctx)
			}
		}
	})
}

// exportScanner scans the export's rows into one reused exportRow.
type exportScanner struct {
	table *schema.Table
	row   exportRow
	dests []any // per column, a pointer into row
	out   risk.ExportRow
}

// fetch reads the next rows of the export's cursor into fn and returns
// how many there were.
func (sc *exportScanner) fetch(ctx context.Context, tx pgx.Tx, fn func(*risk.ExportRow) error) (int, error) {
	rows, err := tx.Query(ctx, fmt.Sprintf("FETCH %d FROM risk_export", exportFetch), pgx.QueryExecModeDescribeExec)
	if err != nil {
		return 0, dbErr("export risks", err)
	}
	defer rows.Close()
	if sc.dests == nil {
		if err := sc.bind(rows.FieldDescriptions()); err != nil {
			return 0, err
		}
	}
	n := 0
	for rows.Next() {
		sc.row = exportRow{}
		if err := rows.Scan(sc.dests...); err != nil {
			return n, dbErr("scan export row", err)
		}
		n++
		sc.out.Risk = sc.row.riskRow.toDomain()
		sc.out.TreatmentType = sc.row.TreatmentType.String
		sc.out.TreatmentDescription = sc.row.TreatmentDescription.String
		sc.out.OpenTasks = sc.row.OpenTasks
		if err := fn(&sc.out); err != nil {
			return n, err
		}
	}
	if err := rows.Err(); err != nil {
		return n, dbErr("export risks", err)
	}
	return n, nil
}

// bind points each result column at its field of the reused row, by the
// Bun column names, so a column added to riskRow is exported without
// touching this code.
func (sc *exportScanner) bind(fields []pgconn.FieldDescription) (err error) {
	if sc.dests, err = bindColumns(sc.table, reflect.ValueOf(&sc.row).Elem(), fields); err != nil {
		return fmt.Errorf("export risks: %w", err)
	}
	return nil
}

// bindColumns returns, for each result column, a pointer to the field of
// row (a struct of table) that Bun would scan it into.
func bindColumns(table *schema.Table, row reflect.Value, fields []pgconn.FieldDescription) ([]any, error) {
	dests := make([]any, len(fields))
	for i, fd := range fields {
		f := table.LookupField(fd.Name)
		if f == nil {
			return nil, fmt.Errorf("no field of %s for column %q", table.TypeName, fd.Name)
		}
		dests[i] = f.Value(row).Addr().Interface()
	}
	return dests, nil
}
