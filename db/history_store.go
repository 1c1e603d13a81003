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
// once wrapped by asOfTable).
func (s *HistoryStore) versionsAt(ctx context.Context, orgID string, at time.Time, regs []*risk.Register) *bun.SelectQuery {
	vals, args := levelTable(regs)
	join := func(alias, p, i string) string {
		return fmt.Sprintf("LEFT JOIN (%s) AS %s(reg, p, i, l) ON %[2]s.reg = v.register_id AND %[2]s.p = v.%s AND %[2]s.i = v.%s", vals, alias, p, i)
	}
	// Columns of risks that risk_versions does not keep (last_reviewed_at,
	// risk_type, threat_objectives) read as empty: riskRow selects them all.
	return idb(ctx, s.DB).NewSelect().TableExpr("risk_versions AS v").
		ColumnExpr(`v.organization_id, v.risk_id AS id, v.register_id, v.number, v.title, v.description,
			v.category, v.department, v.status, v.probability, v.impact, v.residual_probability, v.residual_impact,
			(v.probability * v.impact)::smallint AS inherent_score,
			(v.residual_probability * v.residual_impact)::smallint AS residual_score,
			li.l AS inherent_level, lr.l AS residual_level, v.assignee_id, v.closure_reason, v.closed_at,
			v.due_date, v.next_review_date, v.last_reviewed_at, v.tags, v.risk_type, v.threat_objectives, ''::text AS source, ''::text AS source_id, v.version,
			NULL::text AS created_by, NULL::text AS updated_by, v.created_at, v.valid_from AS updated_at,
			setweight(to_tsvector('english', v.title), 'A') || setweight(to_tsvector('english', v.description), 'B') AS search`).
		Join(join("li", "probability", "impact"), args...).
		Join(join("lr", "residual_probability", "residual_impact"), args...).
		Where("v.organization_id = ?", orgID).
		Where("v.valid_from < ?", at).
		Where("v.valid_to >= ?", at)
}

// ListAsOf returns a page of the risks valid at at matching f, with an
// exact total.
func (s *HistoryStore) ListAsOf(ctx context.Context, orgID string, f risk.ListQuery, at time.Time, regs []*risk.Register) (risk.Page, error) {
	sub := s.versionsAt(ctx, orgID, at, regs)
	if f.RegisterID != "" {
		sub = sub.Where("v.register_id = ?", f.RegisterID)
	}
	count := func() (risk.Page, error) {
		var total int
		err := applyFilters(idb(ctx, s.DB).NewSelect().TableExpr("(?) AS r", sub).ColumnExpr("count(*)"), orgID, f).Scan(ctx, &total)
		return risk.Page{Total: total}, dbErr("count risks as of", err)
	}
	if f.PerPage <= 0 {
		return count()
	}
	// The page and the total in one scan of the versions: the total is a
	// window count over the matching rows, taken before the limit.
	var rows []riskRowTotal
	q := idb(ctx, s.DB).NewSelect().Model((*riskRowTotal)(nil)).ModelTableExpr("(?) AS r", sub).
		ColumnExpr("?TableColumns").
		ColumnExpr("u.name AS assignee_name, u.email AS assignee_email, count(*) OVER () AS total_count").
		Join("LEFT JOIN members AS m ON m.organization_id = r.organization_id AND m.id = r.assignee_id").
		Join("LEFT JOIN users AS u ON u.id = m.user_id")
	q = orderRisks(applyFilters(q, orgID, f), f).Limit(int64(f.PerPage)).Offset(int64(f.Offset()))
	if err := q.Scan(ctx, &rows); err != nil {
		return risk.Page{}, dbErr("list risks as of", err)
	}
	if len(rows) == 0 { // past the last page, or nothing matches
		return count()
	}
	page := risk.Page{Total: rows[0].Total, Risks: make([]*risk.Risk, len(rows))}
	for i := range rows {
		page.Risks[i] = rows[i].toDomain()
	}
	return page, nil
}

// riskRowTotal is a risk row with the window count of its query.
type riskRowTotal struct {
	riskRow `bun:",extend"`
	Total   int `bun:"total_count,scanonly"`
}

// GetAsOf returns the risk (id or RSK identifier) as it was at at.
func (s *HistoryStore) GetAsOf(ctx context.Context, orgID, key string, at time.Time) (*risk.Risk, error) {
	notFound := apperr.New(apperr.NotFound, "Risk not found on that date")
	if !validKey(key) {
		return nil, notFound
	}
	sub := s.versionsAt(ctx, orgID, at, nil)
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
	sub := s.versionsAt(ctx, orgID, at, regs)
	if f.RegisterID != "" {
		sub = sub.Where("v.register_id = ?", f.RegisterID)
	}
	p, i := "r.probability", "r.impact"
	if residual {
		p, i = "r.residual_probability", "r.residual_impact"
	}
	var out []risk.ValueCount
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
// k < weeks, in one scan of the register's versions: a version valid over
// [a, b) counts at instant w when a < w <= b, that is at the weeks s <= k < e
// with s and e computed from a and b; each version adds +1 at s and -1 at
// e, and the running sum over the weeks gives the counts.
func (s *HistoryStore) WeeklyResidual(ctx context.Context, orgID, registerID string, first time.Time, weeks int) ([]risk.WeekCount, error) {
	var deltas []struct {
		K  int `bun:"k"`
		RP int `bun:"rp"`
		RI int `bun:"ri"`
		N  int `bun:"n"`
	}
	last := first.AddDate(0, 0, 7*(weeks-1))
	err := idb(ctx, s.DB).NewRaw(`WITH d AS (
    SELECT residual_probability AS rp, residual_impact AS ri,
        CASE WHEN valid_from < ?0 THEN 0
             ELSE floor(extract(epoch FROM valid_from - ?0) / 604800)::int + 1 END AS s,
        CASE WHEN valid_to = 'infinity' THEN ?3
             ELSE least(floor(extract(epoch FROM valid_to - ?0) / 604800)::int + 1, ?3) END AS e
    FROM risk_versions
    WHERE organization_id = ?1 AND register_id = ?2 AND status <> 'archived'
      AND valid_to >= ?0 AND valid_from < ?4
)
SELECT k, rp, ri, sum(n)::int AS n FROM (
    SELECT s AS k, rp, ri, 1 AS n FROM d WHERE s < e
    UNION ALL
    SELECT e, rp, ri, -1 FROM d WHERE s < e AND e < ?3
) x GROUP BY k, rp, ri HAVING sum(n) <> 0 ORDER BY k`, first, orgID, registerID, weeks, last).Scan(ctx, &deltas)
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
