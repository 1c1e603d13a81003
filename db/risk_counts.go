package db

// Counting risks for the list totals, the heat map and the dashboard.
//
// Queries that filter only by register, status (or the default "not
// archived"), overdue and one kind's levels and value ranges are answered
// from the counts that migration 0012's triggers maintain with every change
// (risk_cell_counts, risk_due_counts): a few hundred rows whatever the
// register holds. Any other filter counts the matching risks with a
// GROUP BY, or, for a list's total, at most totalCap of them (above that
// the total is the planner's estimate, and marked so).

import (
	"time"

	"context"
	"encoding/json"
	"reflect"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/risk"
)

// totalCap is the largest total a list counts exactly when the maintained
// counts cannot answer its filters.
const totalCap = 10000

// countable is how a query maps onto the maintained counts.
type countable struct {
	residual bool // the kind whose levels and ranges the query filters
	overdue  bool
	// reviewOverdue: the next review date has passed (risk_review_counts, 0018).
	reviewOverdue bool
	// facet and value: one classification filter (risk_facet_counts, 0024).
	facet, value string
}

// countableOf reports whether the maintained counts answer f, and how. It
// is an allowlist: any ListQuery field it does not know (one added later)
// makes f uncountable, so a new filter is never silently ignored.
func countableOf(f risk.ListQuery) (countable, bool) {
	rest := f
	rest.RegisterID, rest.Status, rest.IncludeArchived, rest.Overdue = "", "", false, false
	rest.InherentLevel, rest.ResidualLevel, rest.MinResidualLevel = nil, nil, nil
	rest.Probability, rest.Impact, rest.ResidualProbability, rest.ResidualImpact = nil, nil, nil, nil
	rest.Sort, rest.Desc, rest.ThenBy, rest.Page, rest.PerPage = "", false, nil, 0, 0
	rest.Today = time.Time{} // the day "overdue" is judged on, not a filter
	rest.ReviewOverdue = false
	rest.Statuses = nil
	rest.Category, rest.Department, rest.Type, rest.AssigneeID = "", "", "", ""
	if !reflect.DeepEqual(rest, risk.ListQuery{}) || len(f.Statuses) > 0 && (f.Overdue || f.ReviewOverdue) {
		return countable{}, false
	}
	var facets []countable
	for _, fc := range []countable{{facet: "category", value: f.Category}, {facet: "department", value: f.Department},
		{facet: "type", value: f.Type}, {facet: "assignee", value: f.AssigneeID}} {
		if fc.value != "" {
			facets = append(facets, fc)
		}
	}
	inh := f.InherentLevel != nil || f.Probability != nil || f.Impact != nil
	res := f.ResidualLevel != nil || f.MinResidualLevel != nil || f.ResidualProbability != nil || f.ResidualImpact != nil
	if len(facets) > 0 {
		// One classification, with the register and status only.
		if len(facets) > 1 || inh || res || f.Overdue || f.ReviewOverdue {
			return countable{}, false
		}
		if facets[0].facet == "assignee" && facets[0].value == risk.Unassigned {
			facets[0].value = "" // unassigned risks count under ''
		}
		return facets[0], true
	}
	if inh && res {
		return countable{}, false
	}
	if f.Overdue && (inh || res) {
		return countable{}, false
	}
	if f.ReviewOverdue && (f.Overdue || inh || res) {
		return countable{}, false
	}
	return countable{residual: res, overdue: f.Overdue, reviewOverdue: f.ReviewOverdue}, true
}

// statusWhere narrows q (on table alias c) by f's status filter as
// applyFilters does.
func statusWhere(q *bun.SelectQuery, f risk.ListQuery) *bun.SelectQuery {
	switch {
	case f.Status != "":
		q = q.Where("c.status = ?", f.Status)
	case len(f.Statuses) > 0:
		q = q.Where("c.status IN (?)", bun.List(f.Statuses))
	case !f.IncludeArchived:
		q = q.Where("c.status <> 'archived'")
	}
	return q
}

// cellCounts selects from risk_cell_counts the rows of kind residual
// matching f (countable).
func (s *RiskStore) cellCounts(ctx context.Context, orgID string, f risk.ListQuery, residual bool) *bun.SelectQuery {
	return cellWhere(idb(ctx, s.DB).NewSelect().TableExpr("risk_cell_counts AS c"), orgID, f, residual)
}

// cellWhere narrows q, over counts shaped like risk_cell_counts (alias c:
// organization_id, register_id, status, residual, probability, impact,
// level, n), to the rows of kind residual matching f (countable).
func cellWhere(q *bun.SelectQuery, orgID string, f risk.ListQuery, residual bool) *bun.SelectQuery {
	q = q.Where("c.organization_id = ?", orgID).Where("c.residual = ?", residual).Where("c.n <> 0")
	if f.RegisterID != "" {
		q = q.Where("c.register_id = ?", f.RegisterID)
	}
	q = statusWhere(q, f)
	lvl, p, i := f.InherentLevel, f.Probability, f.Impact
	if residual {
		lvl, p, i = f.ResidualLevel, f.ResidualProbability, f.ResidualImpact
		if f.MinResidualLevel != nil {
			q = q.Where("c.level >= ?", *f.MinResidualLevel)
		}
	}
	if lvl != nil {
		q = q.Where("c.level = ?", *lvl)
	}
	if p != nil {
		q = q.Where("c.probability BETWEEN ? AND ?", p.Lo, p.Hi)
	}
	if i != nil {
		q = q.Where("c.impact BETWEEN ? AND ?", i.Lo, i.Hi)
	}
	return q
}

// answersCells reports whether the counts per cell of kind residual answer
// f's heat map or level counts (how from countableOf): not overdue, and
// no filter on the other kind.
func answersCells(f risk.ListQuery, how countable, residual bool) bool {
	return !how.overdue && !how.reviewOverdue && how.facet == "" && (how.residual == residual || !hasKindFilter(f))
}

// maintainedCount returns the number of risks matching f (countable).
func (s *RiskStore) maintainedCount(ctx context.Context, orgID string, f risk.ListQuery, how countable) (int, error) {
	var n int
	var err error
	if how.reviewOverdue {
		return s.reviewOverdueCount(ctx, orgID, f)
	}
	if how.facet != "" {
		q := idb(ctx, s.DB).NewSelect().TableExpr("risk_facet_counts AS c").ColumnExpr("coalesce(sum(c.n), 0)").
			Where("c.organization_id = ?", orgID).Where("c.facet = ?", how.facet).Where("c.value = ?", how.value)
		if f.RegisterID != "" {
			q = q.Where("c.register_id = ?", f.RegisterID)
		}
		err := statusWhere(q, f).Scan(ctx, &n)
		return n, dbErr("count risks", err)
	}
	if how.overdue {
		q := idb(ctx, s.DB).NewSelect().TableExpr("risk_due_counts AS c").ColumnExpr("coalesce(sum(c.n), 0)").
			Where("c.organization_id = ?", orgID).Where("c.due_date < ?::date", today(f).Format(time.DateOnly))
		if f.RegisterID != "" {
			q = q.Where("c.register_id = ?", f.RegisterID)
		}
		if f.Status != "" && f.Status != "open" && f.Status != "pending" {
			return 0, nil
		}
		if f.Status != "" {
			// The due counts do not split open from pending.
			return s.exactCount(ctx, orgID, f)
		}

		err = q.Scan(ctx, &n)
	} else {
		err = s.cellCounts(ctx, orgID, f, how.residual).ColumnExpr("coalesce(sum(c.n), 0)").Scan(ctx, &n)
	}
	return n, dbErr("count risks", err)
}

func (s *RiskStore) exactCount(ctx context.Context, orgID string, f risk.ListQuery) (int, error) {
	n, err := applyFilters(idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)), orgID, f).Count(ctx)
	return int(n), dbErr("count risks", err)
}

// Total returns the number of risks matching f: exact from the maintained
// counts when they answer f; otherwise exact up to totalCap, and above it
// the planner's estimate (at least totalCap+1) with estimated true. When
// the planner expects well over totalCap matches (a common word searched)
// the estimate is taken without counting, so no total reads more than
// about totalCap rows.
func (s *RiskStore) Total(ctx context.Context, orgID string, f risk.ListQuery) (total int, estimated bool, err error) {
	if how, ok := countableOf(f); ok {
		n, err := s.maintainedCount(ctx, orgID, f, how)
		return n, false, err
	}
	if len(f.IDs) > 0 && len(f.IDs) <= totalCap { // a few named risks: no estimate needed
		n, err := s.exactCount(ctx, orgID, f)
		return n, false, err
	}
	return cappedTotal(ctx, idb(ctx, s.DB), applyFilters(idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)).ColumnExpr("1"), orgID, f))
}

// cappedTotal counts the rows of match exactly up to totalCap; above it,
// or when the planner expects more than twice as many, it answers the
// planner's estimate (at least totalCap+1) with estimated true.
func cappedTotal(ctx context.Context, db bun.IDB, match *bun.SelectQuery) (total int, estimated bool, err error) {
	est, err := estimate(ctx, db, match)
	if err != nil {
		return 0, false, err
	}
	if est > 2*totalCap {
		return est, true, nil
	}
	var n int
	err = db.NewSelect().TableExpr("(?) AS capped", match.Limit(totalCap+1)).ColumnExpr("count(*)").Scan(ctx, &n)
	if err != nil {
		return 0, false, dbErr("count risks", err)
	}
	if n <= totalCap {
		return n, false, nil
	}
	return max(totalCap+1, est), true, nil
}

// estimate returns the planner's estimate of the number of rows of q.
func estimate(ctx context.Context, db bun.IDB, q *bun.SelectQuery) (int, error) {
	var raw string
	if err := db.NewRaw("EXPLAIN (FORMAT JSON) ?", q).Scan(ctx, &raw); err != nil {
		return 0, dbErr("estimate risks", err)
	}
	var plan []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(raw), &plan); err != nil || len(plan) == 0 {
		return 0, nil
	}
	return int(plan[0].Plan.Rows), nil
}

// ValueCounts returns the number of risks matching f per (probability,
// impact) pair, inherent or residual; at most 121 rows.
func (s *RiskStore) ValueCounts(ctx context.Context, orgID string, f risk.ListQuery, residual bool) ([]risk.ValueCount, error) {
	var out []risk.ValueCount
	if how, ok := countableOf(f); ok && answersCells(f, how, residual) {
		err := s.cellCounts(ctx, orgID, f, residual).
			ColumnExpr("c.probability, c.impact, sum(c.n) AS count").GroupExpr("c.probability, c.impact").Scan(ctx, &out)
		return out, dbErr("count heat map", err)
	}
	p, i := "r.probability", "r.impact"
	if residual {
		p, i = "r.residual_probability", "r.residual_impact"
	}
	err := applyFilters(idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)), orgID, f).
		ColumnExpr(p+" AS probability").ColumnExpr(i+" AS impact").ColumnExpr("count(*) AS count").
		GroupExpr(p).GroupExpr(i).Scan(ctx, &out)
	if err != nil {
		return nil, dbErr("count heat map", err)
	}
	return out, nil
}

// hasKindFilter reports whether f filters on levels or value ranges.
func hasKindFilter(f risk.ListQuery) bool {
	return f.InherentLevel != nil || f.Probability != nil || f.Impact != nil ||
		f.ResidualLevel != nil || f.MinResidualLevel != nil || f.ResidualProbability != nil || f.ResidualImpact != nil
}

// MoveCounts returns the number of risks matching f per inherent and
// residual (probability, impact) pair. (Not maintained: the pairs of pairs
// would be thousands of keys; it is a GROUP BY over the matching risks.)
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
	var rows []struct {
		Level *int
		Count int
	}
	if how, ok := countableOf(f); ok && answersCells(f, how, residual) {
		err := s.cellCounts(ctx, orgID, f, residual).
			ColumnExpr("nullif(c.level, -1) AS level, sum(c.n) AS count").GroupExpr("c.level").Scan(ctx, &rows)
		if err != nil {
			return nil, dbErr("count levels", err)
		}
	} else {
		col := "r.inherent_level"
		if residual {
			col = "r.residual_level"
		}
		err := applyFilters(idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)), orgID, f).
			ColumnExpr(col+" AS level").ColumnExpr("count(*) AS count").GroupExpr(col).Scan(ctx, &rows)
		if err != nil {
			return nil, dbErr("count levels", err)
		}
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

// Count returns the number of risks matching f, exactly.
func (s *RiskStore) Count(ctx context.Context, orgID string, f risk.ListQuery) (int, error) {
	if how, ok := countableOf(f); ok {
		return s.maintainedCount(ctx, orgID, f, how)
	}
	return s.exactCount(ctx, orgID, f)
}

// reviewOverdueCount counts the open and pending risks whose next review
// date has passed, from risk_review_counts.
func (s *RiskStore) reviewOverdueCount(ctx context.Context, orgID string, f risk.ListQuery) (int, error) {
	if f.Status != "" && f.Status != "open" && f.Status != "pending" {
		return 0, nil
	}
	if f.Status != "" {
		// The review counts do not split open from pending.
		return s.exactCount(ctx, orgID, f)
	}
	var n int
	q := idb(ctx, s.DB).NewSelect().TableExpr("risk_review_counts AS c").ColumnExpr("coalesce(sum(c.n), 0)").
		Where("c.organization_id = ?", orgID).Where("c.next_review_date < ?::date", today(f).Format(time.DateOnly))
	if f.RegisterID != "" {
		q = q.Where("c.register_id = ?", f.RegisterID)
	}
	err := q.Scan(ctx, &n)
	return n, dbErr("count risks", err)
}
