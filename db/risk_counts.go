package db

// Counting risks for the heat map and the dashboard: SQL COUNT and GROUP
// BY over the list filters; risks are never loaded to be counted.

import (
	"context"

	"github.com/riskreg/riskreg/app/risk"
)

// ValueCounts returns the number of risks matching f per (probability,
// impact) pair, inherent or residual; at most 121 rows.
func (s *RiskStore) ValueCounts(ctx context.Context, orgID string, f risk.ListQuery, residual bool) ([]risk.ValueCount, error) {
	p, i := "r.probability", "r.impact"
	if residual {
		p, i = "r.residual_probability", "r.residual_impact"
	}
	var out []risk.ValueCount
	err := applyFilters(idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)), orgID, f).
		ColumnExpr(p+" AS probability").ColumnExpr(i+" AS impact").ColumnExpr("count(*) AS count").
		GroupExpr(p).GroupExpr(i).Scan(ctx, &out)
	if err != nil {
		return nil, dbErr("count heat map", err)
	}
	return out, nil
}

// MoveCounts returns the number of risks matching f per inherent and
// residual (probability, impact) pair.
func (s *RiskStore) MoveCounts(ctx context.Context, orgID string, f risk.ListQuery) ([]risk.MoveValueCount, error) {
	var out []risk.MoveValueCount
	err := applyFilters(idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)), orgID, f).
		ColumnExpr("r.probability, r.impact, r.residual_probability, r.residual_impact, count(*) AS count").
		GroupExpr("r.probability, r.impact, r.residual_probability, r.residual_impact").
		OrderExpr("count(*) DESC, r.probability DESC, r.impact DESC").Scan(ctx, &out)
	if err != nil {
		return nil, dbErr("count movements", err)
	}
	return out, nil
}

// LevelCounts returns the number of risks matching f per inherent (or
// residual) level index; unassessed risks are counted under -1.
func (s *RiskStore) LevelCounts(ctx context.Context, orgID string, f risk.ListQuery, residual bool) (map[int]int, error) {
	col := "r.inherent_level"
	if residual {
		col = "r.residual_level"
	}
	var rows []struct {
		Level *int
		Count int
	}
	err := applyFilters(idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)), orgID, f).
		ColumnExpr(col+" AS level").ColumnExpr("count(*) AS count").GroupExpr(col).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("count levels", err)
	}
	out := map[int]int{}
	for _, r := range rows {
		k := -1
		if r.Level != nil {
			k = *r.Level
		}
		out[k] += r.Count
	}
	return out, nil
}

// Count returns the number of risks matching f.
func (s *RiskStore) Count(ctx context.Context, orgID string, f risk.ListQuery) (int, error) {
	n, err := applyFilters(idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)), orgID, f).Count(ctx)
	return int(n), dbErr("count risks", err)
}
