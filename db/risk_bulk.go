package db

import (
	"context"
	"database/sql"
	"slices"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// The store side of bulk edits: lock a selection, delete many, stamp a
// filter's matching set.

// LockKeys returns the organization's risks with these ids or RSK
// identifiers, locked FOR UPDATE in number order (so two bulk edits of
// overlapping sets cannot deadlock). Keys without a risk are left out.
func (s *RiskStore) LockKeys(ctx context.Context, orgID string, keys []string) ([]*risk.Risk, error) {
	ids := []string{""}
	numbers := []int64{-1}
	for _, k := range keys {
		if n, ok := risk.ParseIdentifier(k); ok {
			numbers = append(numbers, n)
		} else if validKey(k) {
			ids = append(ids, k)
		}
	}
	var rows []riskRow
	err := s.selectRisks(ctx).Where("r.organization_id = ?", orgID).
		Where("(r.id IN (?) OR r.number IN (?))", bun.List(ids), bun.List(numbers)).
		OrderExpr("r.number").For("UPDATE OF r").Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("lock risks", err)
	}
	return toRisks(rows), nil
}

// LockMatching returns at most limit risks matching q's filters, locked
// FOR UPDATE in number order.
func (s *RiskStore) LockMatching(ctx context.Context, orgID string, q risk.ListQuery, limit int) ([]*risk.Risk, error) {
	var rows []riskRow
	err := applyFilters(s.selectRisks(ctx), orgID, q).OrderExpr("r.number").
		Limit(int64(limit)).For("UPDATE OF r").Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("lock matching risks", err)
	}
	return toRisks(rows), nil
}

// MatchStamp counts the risks matching q's filters, up to limit, and finds
// their latest update, in one aggregate. The limit keeps it from scanning
// a whole register on every page: a set larger than a bulk edit may touch
// needs no exact stamp.
func (s *RiskStore) MatchStamp(ctx context.Context, orgID string, q risk.ListQuery, limit int) (risk.MatchStamp, error) {
	var out struct {
		Count int          `bun:"n"`
		Last  sql.NullTime `bun:"last"`
	}
	matching := applyFilters(idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)), orgID, q).
		ColumnExpr("r.updated_at").Limit(int64(limit))
	err := idb(ctx, s.DB).NewSelect().TableExpr("(?) AS m", matching).
		ColumnExpr("count(*) AS n, max(m.updated_at) AS last").Scan(ctx, &out)
	if err != nil {
		return risk.MatchStamp{}, dbErr("stamp matching risks", err)
	}
	st := risk.MatchStamp{Count: out.Count}
	if out.Last.Valid {
		st.LastUpdated = out.Last.Time.UTC()
	}
	return st, nil
}

// DeleteMany removes the organization's risks with these ids, batchRows
// to a statement; a missing one is a NotFound, and the caller must roll
// back.
func (s *RiskStore) DeleteMany(ctx context.Context, orgID string, ids []string) error {
	for batch := range slices.Chunk(ids, batchRows) {
		res, err := idb(ctx, s.DB).NewDelete().Model((*riskRow)(nil)).
			Where("organization_id = ? AND id IN (?)", orgID, bun.List(batch)).Exec(ctx)
		if err != nil {
			return dbErr("delete risks", err)
		}
		if n, _ := res.RowsAffected(); n != int64(len(batch)) {
			return apperr.New(apperr.NotFound, "Risk not found")
		}
	}
	return nil
}

func toRisks(rows []riskRow) []*risk.Risk {
	out := make([]*risk.Risk, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out
}
