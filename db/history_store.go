package db

// The recorded past of risks and registers (migrations 0021 and 0022): the
// as-of reads of issue 14 and the weekly trend.
//
// A past register is read from the risk versions valid at an instant,
// shaped like the risks table (alias r) so that the register's filters and
// sort keys (applyFilters, orderRisks) apply unchanged. Levels are not
// stored in the history: they are joined from the (probability, impact) ->
// level mapping of each register's matrix in force at that instant.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// HistoryStore reads risk and register versions: it implements
// risk.HistoryStore on PostgreSQL.
type HistoryStore struct{ DB *bun.DB }

var _ risk.HistoryStore = (*HistoryStore)(nil)

// levelTable returns a VALUES list (reg, p, i, l) of the level of every
// assessed (probability, impact) pair of each register's matrix, and its
// arguments. Its first row is a typed placeholder that matches no risk.
func levelTable(regs []*risk.Register) (string, []any) {
	rows := []string{"(''::text, 0::smallint, 0::smallint, NULL::smallint)"}
	var args []any
	for _, reg := range regs {
		for p := 1; p <= 10; p++ {
			for i := 1; i <= 10; i++ {
				if l := reg.Matrix.LevelIndexOf(p, i); l != nil {
					rows = append(rows, fmt.Sprintf("(?, %d, %d, %d)", p, i, *l))
					args = append(args, reg.ID)
				}
			}
		}
	}
	return "VALUES " + strings.Join(rows, ","), args
}

// versionsAt selects the versions valid at at, as risks rows (alias r
// once wrapped). Levelled, the levels are joined from regs' matrices;
// otherwise they read as NULL and the subquery is a plain filter of
// risk_versions that PostgreSQL flattens into the outer query, so a page
// sorted by the last change or a score walks that key's index (0023).
func (s *HistoryStore) versionsAt(ctx context.Context, orgID string, at time.Time, regs []*risk.Register, levelled bool) *bun.SelectQuery {
	levels := "NULL::smallint AS inherent_level, NULL::smallint AS residual_level"
	if levelled {
		levels = "li.l AS inherent_level, lr.l AS residual_level"
	}
	// Columns of risks that risk_versions does not keep (source, who
	// created and updated it) read as empty: riskRow selects them all.
	q := idb(ctx, s.DB).NewSelect().TableExpr("risk_versions AS v").
		ColumnExpr(`v.organization_id, v.risk_id AS id, v.register_id, v.number, v.title, v.description,
			v.category, v.department, v.status, v.probability, v.impact, v.residual_probability, v.residual_impact,
			(v.probability * v.impact)::smallint AS inherent_score,
			(v.residual_probability * v.residual_impact)::smallint AS residual_score,
			`+levels+`, v.assignee_id, v.closure_reason, v.closed_at,
			v.due_date, v.next_review_date, v.last_reviewed_at, v.tags, v.risk_type, v.threat_objectives, ''::text AS source, ''::text AS source_id, v.version,
			NULL::text AS created_by, NULL::text AS updated_by, v.created_at, v.valid_from AS updated_at,
			setweight(to_tsvector('english', v.title), 'A') || setweight(to_tsvector('english', v.description), 'B') AS search`).
		Where("v.organization_id = ?", orgID).
		Where("v.valid_from < ?", at).
		Where("v.valid_to >= ?", at)
	if levelled {
		vals, args := levelTable(regs)
		join := func(alias, p, i string) string {
			return fmt.Sprintf("LEFT JOIN (%[1]s) AS %[2]s(reg, p, i, l) ON %[2]s.reg = v.register_id AND %[2]s.p = v.%[3]s AND %[2]s.i = v.%[4]s", vals, alias, p, i)
		}
		q = q.Join(join("li", "probability", "impact"), args...).
			Join(join("lr", "residual_probability", "residual_impact"), args...)
	}
	return q
}

// usesLevels reports whether f filters on levels, which past versions do
// not store.
func usesLevels(f risk.ListQuery) bool {
	return f.InherentLevel != nil || f.ResidualLevel != nil || f.MinInherentLevel != nil || f.MinResidualLevel != nil
}

// countableAsOf reports whether the deltas (risk_count_deltas and
// risk_due_deltas, 0023) answer f's counts at at, and how: at must be the
// end of a UTC day (the deltas are per day), and f countable like today's
// maintained counts, classifications aside (the deltas keep none).
func countableAsOf(f risk.ListQuery, at time.Time) (countable, bool) {
	if !at.Equal(at.UTC().Truncate(24 * time.Hour)) {
		return countable{}, false
	}
	f.AsOf = nil
	how, ok := countableOf(f)
	if !ok || how.facet != "" {
		return countable{}, false
	}
	if (how.overdue || how.reviewOverdue) && (f.Status != "" || len(f.Statuses) > 0) {
		return countable{}, false // the overdue deltas count open and pending risks together
	}
	return how, true
}

// pastOverdue returns the number of open and pending risks at at (the end
// of a UTC day) whose due date (or, for review, next review date) was
// before that day, from risk_due_deltas.
func (s *HistoryStore) pastOverdue(ctx context.Context, orgID string, f risk.ListQuery, at time.Time, review bool) (int, error) {
	kind := "due"
	if review {
		kind = "review"
	}
	q := idb(ctx, s.DB).NewSelect().TableExpr("risk_due_deltas AS d").ColumnExpr("coalesce(sum(d.n), 0)").
		Where("d.organization_id = ?", orgID).Where("d.kind = ?", kind).
		Where("d.day < ?::date", at.UTC().Format(time.DateOnly))
	if f.RegisterID != "" {
		q = q.Where("d.register_id = ?", f.RegisterID)
	}
	var n int
	err := q.Scan(ctx, &n)
	return n, dbErr("count overdue risks as of", err)
}

// pastCells selects the number of risks at at (the end of a UTC day) per
// register, kind, status and (probability, impact) pair, shaped like
// risk_cell_counts (alias c) but for the level, which f's level filter
// reads from regs' matrices (those in force at at). It reads the
// shorter of two ways to the same counts: the sums of the deltas of the
// days before at, or today's maintained counts (risk_cell_counts, which
// hold every current version) less the deltas from at's day on. A recent
// day reads a few days of changes; no day reads more than half of them.
func (s *HistoryStore) pastCells(ctx context.Context, orgID string, f risk.ListQuery, at time.Time, regs []*risk.Register, residual bool) (*bun.SelectQuery, error) {
	day := at.UTC().Truncate(24 * time.Hour)
	var span struct {
		First *time.Time `bun:"first"`
		Last  *time.Time `bun:"last"`
	}
	if err := idb(ctx, s.DB).NewRaw(`SELECT min(day) AS first, max(day) AS last FROM risk_count_deltas
		WHERE organization_id = ? AND residual = ?`, orgID, residual).Scan(ctx, &span); err != nil {
		return nil, dbErr("past counts", err)
	}
	// from selects the cells of table (risk_count_deltas or
	// risk_cell_counts, alike but for the day and the level) with n as n.
	from := func(table, n string) *bun.SelectQuery {
		q := idb(ctx, s.DB).NewSelect().TableExpr(table+" AS d").
			ColumnExpr("d.organization_id, d.register_id, d.residual, d.status, d.probability, d.impact, "+n+" AS n").
			Where("d.organization_id = ?", orgID).Where("d.residual = ?", residual)
		if f.RegisterID != "" {
			q = q.Where("d.register_id = ?", f.RegisterID)
		}
		return q
	}
	rows := from("risk_count_deltas", "d.n").Where("d.day < ?::date", day.Format(time.DateOnly))
	if span.First != nil && span.Last != nil && day.Sub(*span.First) > span.Last.Sub(day) {
		rows = from("risk_cell_counts", "d.n").
			UnionAll(from("risk_count_deltas", "-d.n").Where("d.day >= ?::date", day.Format(time.DateOnly)))
	}
	sums := idb(ctx, s.DB).NewSelect().TableExpr("(?) AS d", rows).
		ColumnExpr("d.organization_id, d.register_id, d.residual, d.status, d.probability, d.impact, sum(d.n) AS n").
		GroupExpr("d.organization_id, d.register_id, d.residual, d.status, d.probability, d.impact")
	// A level filter becomes the cells at those levels by the matrices
	// then (at most a hundred per register), not a join.
	lvl, least := f.InherentLevel, f.MinInherentLevel
	if residual {
		lvl, least = f.ResidualLevel, f.MinResidualLevel
	}
	if lvl != nil || least != nil {
		cells := []string{"('', 0, 0)"} // matches nothing: a typed, never empty list
		var args []any
		for _, reg := range regs {
			for p := 0; p <= 10; p++ {
				for i := 0; i <= 10; i++ {
					l := reg.Matrix.LevelIndexOf(p, i)
					if l != nil && (lvl == nil || *l == *lvl) && (least == nil || *l >= *least) {
						cells = append(cells, fmt.Sprintf("(?, %d, %d)", p, i))
						args = append(args, reg.ID)
					}
				}
			}
		}
		sums = sums.Where("(d.register_id, d.probability, d.impact) IN ("+strings.Join(cells, ", ")+")", args...)
		if residual {
			f.ResidualLevel, f.MinResidualLevel = nil, nil
		} else {
			f.InherentLevel, f.MinInherentLevel = nil, nil
		}
	}
	return cellWhere(idb(ctx, s.DB).NewSelect().TableExpr("(?) AS c", sums), orgID, f, residual), nil
}

// totalAsOf returns the number of risks valid at at matching f: exact from
// the deltas when they answer f, otherwise counted like today's totals
// (exact up to totalCap, estimated above).
func (s *HistoryStore) totalAsOf(ctx context.Context, orgID string, f risk.ListQuery, at time.Time, regs []*risk.Register) (int, bool, error) {
	if how, ok := countableAsOf(f, at); ok {
		if how.overdue || how.reviewOverdue {
			n, err := s.pastOverdue(ctx, orgID, f, at, how.reviewOverdue)
			return n, false, err
		}
		cells, err := s.pastCells(ctx, orgID, f, at, regs, how.residual)
		if err != nil {
			return 0, false, err
		}
		var n int
		err = cells.ColumnExpr("coalesce(sum(c.n), 0)").Scan(ctx, &n)
		return n, false, dbErr("count risks as of", err)
	}
	match := idb(ctx, s.DB).NewSelect().TableExpr("(?) AS r", s.versionsAt(ctx, orgID, at, regs, usesLevels(f))).ColumnExpr("1")
	return cappedTotal(ctx, idb(ctx, s.DB), applyFilters(match, orgID, f))
}

// ListAsOf returns a page of the risks valid at at matching f, with its
// total. Like today's List, the page's keys come first from the sort key's
// index (risk id and version start), then those versions are read whole
// with their assignees, and levelled by regs' matrices.
func (s *HistoryStore) ListAsOf(ctx context.Context, orgID string, f risk.ListQuery, at time.Time, regs []*risk.Register) (risk.Page, error) {
	total, estimated, err := s.totalAsOf(ctx, orgID, f, at, regs)
	if err != nil {
		return risk.Page{}, err
	}
	page := risk.Page{Total: total, Estimated: estimated}
	if f.PerPage <= 0 || (f.Offset() >= total && !estimated) {
		return page, nil
	}
	keys := applyFilters(idb(ctx, s.DB).NewSelect().TableExpr("(?) AS r", s.versionsAt(ctx, orgID, at, regs, usesLevels(f))).
		Column("r.id", "r.updated_at"), orgID, f)
	if sortsByAssignee(f) {
		keys = keys.Join("LEFT JOIN members AS m ON m.organization_id = r.organization_id AND m.id = r.assignee_id").
			Join("LEFT JOIN users AS u ON u.id = m.user_id")
	}
	keys = orderRisks(keys, f).Limit(int64(f.PerPage)).Offset(int64(f.Offset()))
	sub := s.versionsAt(ctx, orgID, at, regs, false).Where("(v.risk_id, v.valid_from) IN (?)", keys)
	var rows []riskRow
	q := idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)).ModelTableExpr("(?) AS r", sub).
		ColumnExpr("?TableColumns").
		ColumnExpr("u.name AS assignee_name, u.email AS assignee_email").
		Join("LEFT JOIN members AS m ON m.organization_id = r.organization_id AND m.id = r.assignee_id").
		Join("LEFT JOIN users AS u ON u.id = m.user_id")
	if err := orderRisks(q, f).Scan(ctx, &rows); err != nil {
		return risk.Page{}, dbErr("list risks as of", err)
	}
	// The page's levels by the matrices then, here rather than joined:
	// fifty lookups cost less than planning the level tables.
	byID := make(map[string]*risk.Register, len(regs))
	for _, reg := range regs {
		byID[reg.ID] = reg
	}
	page.Risks = make([]*risk.Risk, len(rows))
	for i := range rows {
		r := rows[i].toDomain()
		if reg := byID[r.RegisterID]; reg != nil {
			r.InherentLevel = reg.Matrix.LevelIndexOf(r.Probability, r.Impact)
			r.ResidualLevel = reg.Matrix.LevelIndexOf(r.ResidualProbability, r.ResidualImpact)
		}
		page.Risks[i] = r
	}
	return page, nil
}

// GetAsOf returns the risk (id or RSK identifier) as it was at at.
func (s *HistoryStore) GetAsOf(ctx context.Context, orgID, key string, at time.Time) (*risk.Risk, error) {
	notFound := apperr.New(apperr.NotFound, "Risk not found on that date")
	if !validKey(key) {
		return nil, notFound
	}
	sub := s.versionsAt(ctx, orgID, at, nil, false)
	if n, ok := risk.ParseIdentifier(key); ok {
		sub = sub.Where("v.number = ?", n)
	} else {
		sub = sub.Where("v.risk_id = ?", key)
	}
	var rows []riskRow
	err := idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)).ModelTableExpr("(?) AS r", sub.OrderExpr("v.valid_from DESC").Limit(1)).
		ColumnExpr("?TableColumns").
		ColumnExpr("u.name AS assignee_name, u.email AS assignee_email").
		Join("LEFT JOIN members AS m ON m.organization_id = r.organization_id AND m.id = r.assignee_id").
		Join("LEFT JOIN users AS u ON u.id = m.user_id").Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("get risk as of", err)
	}
	if len(rows) == 0 {
		return nil, notFound
	}
	return rows[0].toDomain(), nil
}

// ValueCountsAsOf counts the risks valid at at matching f per (probability,
// impact) pair, inherent or residual.
func (s *HistoryStore) ValueCountsAsOf(ctx context.Context, orgID string, f risk.ListQuery, at time.Time, regs []*risk.Register, residual bool) ([]risk.ValueCount, error) {
	var out []risk.ValueCount
	if how, ok := countableAsOf(f, at); ok && answersCells(f, how, residual) {
		cells, err := s.pastCells(ctx, orgID, f, at, regs, residual)
		if err != nil {
			return nil, err
		}
		err = cells.ColumnExpr("c.probability, c.impact, sum(c.n) AS count").GroupExpr("c.probability, c.impact").Scan(ctx, &out)
		return out, dbErr("count heat map as of", err)
	}
	sub := s.versionsAt(ctx, orgID, at, regs, usesLevels(f))
	if f.RegisterID != "" {
		sub = sub.Where("v.register_id = ?", f.RegisterID)
	}
	p, i := "r.probability", "r.impact"
	if residual {
		p, i = "r.residual_probability", "r.residual_impact"
	}
	err := applyFilters(idb(ctx, s.DB).NewSelect().TableExpr("(?) AS r", sub), orgID, f).
		ColumnExpr(p+" AS probability").ColumnExpr(i+" AS impact").ColumnExpr("count(*) AS count").
		GroupExpr(p).GroupExpr(i).Scan(ctx, &out)
	if err != nil {
		return nil, dbErr("count heat map as of", err)
	}
	return out, nil
}

// RegistersAsOf returns the registers that existed at at with their name
// and matrix then, the default first, then by name.
func (s *HistoryStore) RegistersAsOf(ctx context.Context, orgID string, at time.Time) ([]*risk.Register, error) {
	var rows []registerRow
	err := idb(ctx, s.DB).NewRaw(`SELECT DISTINCT ON (rv.register_id) r.organization_id, r.id, rv.name, r.description,
		rv.matrix, r.is_default, r.version, r.created_at, r.updated_at
		FROM register_versions rv JOIN registers r ON r.organization_id = rv.organization_id AND r.id = rv.register_id
		WHERE rv.organization_id = ? AND rv.valid_from < ?
		ORDER BY rv.register_id, rv.valid_from DESC`, orgID, at).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("registers as of", err)
	}
	out := make([]*risk.Register, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	slices.SortStableFunc(out, func(a, b *risk.Register) int {
		if a.IsDefault != b.IsDefault {
			if a.IsDefault {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// RegisterVersions returns a register's recorded matrices, oldest first.
func (s *HistoryStore) RegisterVersions(ctx context.Context, orgID, registerID string) ([]risk.RegisterVersion, error) {
	var rows []struct {
		ValidFrom time.Time   `bun:"valid_from"`
		Name      string      `bun:"name"`
		Matrix    risk.Matrix `bun:"matrix,type:jsonb"`
	}
	err := idb(ctx, s.DB).NewRaw(`SELECT valid_from, name, matrix FROM register_versions
		WHERE organization_id = ? AND register_id = ? ORDER BY valid_from`, orgID, registerID).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("register versions", err)
	}
	out := make([]risk.RegisterVersion, len(rows))
	for i, r := range rows {
		out[i] = risk.RegisterVersion{ValidFrom: r.ValidFrom, Name: r.Name, Matrix: r.Matrix}
	}
	return out, nil
}

// WeeklyResidual counts the register's risks (archived left out) per
// residual (probability, impact) pair at the instants first + k weeks,
// k < weeks (each the end of a UTC day), from the per-day deltas (0023) in
// one pass: a delta of day d counts from the first instant after it, that
// is from week 0 when d is before first's day and from week
// (d - first's day) / 7 + 1 otherwise; the running sums over the weeks give
// the counts. It reads one row per day and cell that changed, whatever
// the register holds.
func (s *HistoryStore) WeeklyResidual(ctx context.Context, orgID, registerID string, first time.Time, weeks int) ([]risk.WeekCount, error) {
	var deltas []struct {
		K  int `bun:"k"`
		RP int `bun:"rp"`
		RI int `bun:"ri"`
		N  int `bun:"n"`
	}
	firstDay := first.UTC().Truncate(24 * time.Hour)
	if !first.Equal(firstDay) {
		return nil, fmt.Errorf("weekly residual counts: %s is not the end of a UTC day", first)
	}
	last := firstDay.AddDate(0, 0, 7*(weeks-1))
	err := idb(ctx, s.DB).NewRaw(`SELECT CASE WHEN day < ?0::date THEN 0 ELSE (day - ?0::date) / 7 + 1 END AS k,
    probability AS rp, impact AS ri, sum(n)::int AS n
FROM risk_count_deltas
WHERE organization_id = ?1 AND register_id = ?2 AND residual AND status <> 'archived' AND day < ?3::date
GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1`,
		firstDay.Format(time.DateOnly), orgID, registerID, last.Format(time.DateOnly)).Scan(ctx, &deltas)
	if err != nil {
		return nil, dbErr("weekly residual counts", err)
	}
	running := map[[2]int]int{}
	var out []risk.WeekCount
	at := 0
	flush := func(until int) {
		for ; at < until; at++ {
			for k, n := range running {
				if n != 0 {
					out = append(out, risk.WeekCount{Week: at, ResidualProbability: k[0], ResidualImpact: k[1], Count: n})
				}
			}
		}
	}
	for _, d := range deltas {
		flush(d.K)
		running[[2]int{d.RP, d.RI}] += d.N
	}
	flush(weeks)
	return out, nil
}

// RiskVersions returns a risk's recorded states, oldest first.
func (s *HistoryStore) RiskVersions(ctx context.Context, orgID, riskID string) ([]risk.RiskVersion, error) {
	var rows []struct {
		ValidFrom           time.Time  `bun:"valid_from"`
		ValidTo             *time.Time `bun:"valid_to"`
		RegisterID          string     `bun:"register_id"`
		Status              string     `bun:"status"`
		Probability         int        `bun:"probability"`
		Impact              int        `bun:"impact"`
		ResidualProbability int        `bun:"residual_probability"`
		ResidualImpact      int        `bun:"residual_impact"`
	}
	err := idb(ctx, s.DB).NewRaw(`SELECT valid_from, nullif(valid_to, 'infinity') AS valid_to, register_id, status,
		probability, impact, residual_probability, residual_impact
		FROM risk_versions WHERE organization_id = ? AND risk_id = ? ORDER BY valid_from`, orgID, riskID).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("risk versions", err)
	}
	out := make([]risk.RiskVersion, len(rows))
	for i, r := range rows {
		out[i] = risk.RiskVersion{ValidFrom: r.ValidFrom, RegisterID: r.RegisterID, Status: r.Status,
			Probability: r.Probability, Impact: r.Impact, ResidualProbability: r.ResidualProbability, ResidualImpact: r.ResidualImpact}
		if r.ValidTo != nil {
			out[i].ValidTo = *r.ValidTo
		}
	}
	return out, nil
}
