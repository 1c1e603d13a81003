package db

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/risk"
)

// RiskStore keeps and counts risks: it implements risk.RiskStore on
// PostgreSQL.
type RiskStore struct{ DB *bun.DB }

var _ risk.RiskStore = (*RiskStore)(nil)

// NextNumber increments the organization's risk counter; the row lock it
// takes serialises concurrent creates in one organization.
func (s *RiskStore) NextNumber(ctx context.Context, orgID string) (int64, error) {
	var n int64
	err := idb(ctx, s.DB).NewRaw("UPDATE organizations SET risk_seq = risk_seq + 1 WHERE id = ? RETURNING risk_seq", orgID).Scan(ctx, &n)
	return n, dbErr("next risk number", err)
}

// ReserveNumbers advances the organization's risk counter by n in one
// statement and returns the first of the n numbers. Outside a transaction
// the row lock lasts for this statement only.
func (s *RiskStore) ReserveNumbers(ctx context.Context, orgID string, n int) (int64, error) {
	var first int64
	err := idb(ctx, s.DB).NewRaw("UPDATE organizations SET risk_seq = risk_seq + ? WHERE id = ? RETURNING risk_seq - ? + 1", n, orgID, n).Scan(ctx, &first)
	return first, dbErr("reserve risk numbers", err)
}

// batchRows is the most rows one multi-row statement writes, so that a
// statement's text stays a few megabytes at most.
const batchRows = 1000

// InsertMany stores new risks, batchRows to a statement.
func (s *RiskStore) InsertMany(ctx context.Context, rs []*risk.Risk) error {
	for batch := range slices.Chunk(rs, batchRows) {
		rows := make([]*riskRow, len(batch))
		for i, r := range batch {
			rows[i] = riskRowOf(r)
		}
		if _, err := idb(ctx, s.DB).NewInsert().Model(&rows).Exec(ctx); err != nil {
			return dbErr("insert risks", err)
		}
	}
	return nil
}

// riskUpdateColumns are the columns an update writes.
var riskUpdateColumns = []string{
	"register_id", "title", "description", "category", "department", "status", "probability", "impact",
	"residual_probability", "residual_impact", "inherent_level", "residual_level", "assignee_id",
	"closure_reason", "closed_at", "due_date", "next_review_date", "tags", "source", "source_id",
	"risk_type", "threat_objectives", "version", "updated_by", "updated_at",
}

// UpdateMany writes every risk of rs whose stored version is r.Version-1,
// batchRows to an UPDATE … FROM (VALUES …) statement; when a stored version
// differs it returns a Conflict, and the caller must roll back what was
// written.
func (s *RiskStore) UpdateMany(ctx context.Context, rs []*risk.Risk) error {
	for batch := range slices.Chunk(rs, batchRows) {
		rows := make([]*riskRow, len(batch))
		for i, r := range batch {
			rows[i] = riskRowOf(r)
		}
		res, err := idb(ctx, s.DB).NewUpdate().Model(&rows).Column(riskUpdateColumns...).Bulk().
			Where("r.version = _data.version - 1").Exec(ctx)
		if err != nil {
			return dbErr("update risks", err)
		}
		if n, _ := res.RowsAffected(); n != int64(len(rows)) {
			return apperr.New(apperr.Conflict, "A risk was changed by someone else")
		}
	}
	return nil
}

// Insert stores a new risk.
func (s *RiskStore) Insert(ctx context.Context, r *risk.Risk) error {
	_, err := idb(ctx, s.DB).NewInsert().Model(riskRowOf(r)).Exec(ctx)
	return dbErr("insert risk", err)
}

// Update writes r when the stored version is r.Version-1.
func (s *RiskStore) Update(ctx context.Context, r *risk.Risk) error {
	res, err := idb(ctx, s.DB).NewUpdate().Model(riskRowOf(r)).
		ExcludeColumn("organization_id", "id", "number", "created_at", "created_by").
		WherePK().Where("version = ?", r.Version-1).Exec(ctx)
	if err != nil {
		return dbErr("update risk", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "The risk was changed by someone else")
	}
	return nil
}

// Delete removes a risk.
func (s *RiskStore) Delete(ctx context.Context, orgID, id string) error {
	res, err := idb(ctx, s.DB).NewDelete().Model((*riskRow)(nil)).
		Where("organization_id = ? AND id = ?", orgID, id).Exec(ctx)
	if err != nil {
		return dbErr("delete risk", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.NotFound, "Risk not found")
	}
	return nil
}

// Touch moves a risk's updated_at (and updated_by, when by is set) to at.
func (s *RiskStore) Touch(ctx context.Context, orgID, id, by string, at time.Time) error {
	res, err := idb(ctx, s.DB).NewRaw(`UPDATE risks SET updated_at = ?, updated_by = COALESCE(?, updated_by)
		WHERE organization_id = ? AND id = ?`, at, nullable(by), orgID, id).Exec(ctx)
	if err != nil {
		return dbErr("touch risk", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.NotFound, "Risk not found")
	}
	return nil
}

func (s *RiskStore) selectRisks(ctx context.Context) *bun.SelectQuery {
	return idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)).
		ColumnExpr("?TableColumns").
		ColumnExpr("u.name AS assignee_name, u.email AS assignee_email").
		Join("LEFT JOIN members AS m ON m.organization_id = r.organization_id AND m.id = r.assignee_id").
		Join("LEFT JOIN users AS u ON u.id = m.user_id")
}

// Get returns a risk by id or RSK identifier.
func (s *RiskStore) Get(ctx context.Context, orgID, idOrIdentifier string, forUpdate bool) (*risk.Risk, error) {
	if !validKey(idOrIdentifier) {
		return nil, apperr.New(apperr.NotFound, "Risk not found")
	}
	var row riskRow
	q := s.selectRisks(ctx).Where("r.organization_id = ?", orgID)
	if n, ok := risk.ParseIdentifier(idOrIdentifier); ok {
		q = q.Where("r.number = ?", n)
	} else {
		q = q.Where("r.id = ?", idOrIdentifier)
	}
	if forUpdate {
		q = q.For("UPDATE OF r")
	}
	if err := q.Scan(ctx, &row); err != nil {
		if e := dbErr("get risk", err); apperr.Is(e, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "Risk not found")
		} else {
			return nil, e
		}
	}
	return row.toDomain(), nil
}

// GetMany returns the organization's risks with these numbers, keyed by
// number, from one query; forUpdate locks them in number order, so that
// two transactions locking overlapping sets cannot deadlock.
func (s *RiskStore) GetMany(ctx context.Context, orgID string, numbers []int64, forUpdate bool) (map[int64]*risk.Risk, error) {
	out := make(map[int64]*risk.Risk, len(numbers))
	if len(numbers) == 0 {
		return out, nil
	}
	var rows []riskRow
	q := s.selectRisks(ctx).Where("r.organization_id = ?", orgID).Where("r.number IN (?)", bun.List(numbers)).OrderExpr("r.number")
	if forUpdate {
		q = q.For("UPDATE OF r")
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, dbErr("get risks", err)
	}
	for i := range rows {
		out[rows[i].Number] = rows[i].toDomain()
	}
	return out, nil
}

// sortColumns maps the allowlisted sort keys to SQL; nothing from input
// reaches ORDER BY otherwise. Every key but assignee (a name from another
// table) is the second column of an index (organization_id, key, number)
// of migration 0011, so a page is an index walk whatever the register's
// size; the expressions must stay exactly those of the indexes.
var sortColumns = map[string]string{
	"identifier": "r.number",
	"title":      "lower(r.title)",
	"category":   "r.category",
	"department": "r.department",
	"assignee":   "lower(u.name)",
	"status":     "(CASE r.status WHEN 'open' THEN 1 WHEN 'pending' THEN 2 WHEN 'closed' THEN 3 ELSE 4 END)",
	"inherent":   "r.inherent_score",
	"residual":   "r.residual_score",
	"due":        "r.due_date",
	"updated":    "r.updated_at",
	"created":    "r.created_at",
}

// nullableSorts are the sort keys whose value can be null: they sort nulls
// last in both directions (the due date has an index for each). NULLS LAST
// on a column that cannot be null would keep the planner from its index.
var nullableSorts = map[string]bool{"due": true, "assignee": true}

var nonWord = regexp.MustCompile(`[^\p{L}\p{N}]+`)

// PrefixQuery turns free text into a to_tsquery expression matching every
// word as a prefix ("vuln serv" -> "vuln:* & serv:*"); it keeps only
// letters and digits, so the result is always valid tsquery syntax.
func PrefixQuery(text string) string {
	var terms []string
	for _, w := range nonWord.Split(strings.ToLower(text), -1) {
		if w != "" {
			terms = append(terms, w+":*")
		}
		if len(terms) == 8 {
			break
		}
	}
	return strings.Join(terms, " & ")
}

// likePattern escapes LIKE wildcards and wraps s for a substring match.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// today is the day f judges "overdue" on: the service's clock, or the
// real date for callers that did not set one.
func today(f risk.ListQuery) time.Time {
	if f.Today.IsZero() {
		return time.Now().UTC().Truncate(24 * time.Hour)
	}
	return f.Today
}

func applyFilters(q *bun.SelectQuery, orgID string, f risk.ListQuery) *bun.SelectQuery {
	q = q.Where("r.organization_id = ?", orgID)
	if f.RegisterID != "" {
		q = q.Where("r.register_id = ?", f.RegisterID)
	}
	if len(f.IDs) > 0 {
		// Each entry is an id or an RSK identifier.
		var ids []string
		var numbers []int64
		for _, id := range f.IDs {
			if n, ok := risk.ParseIdentifier(id); ok {
				numbers = append(numbers, n)
			} else {
				ids = append(ids, id)
			}
		}
		q = q.Where("(r.id IN (?) OR r.number IN (?))", bun.List(append(ids, "")), bun.List(append(numbers, -1)))
	}
	if f.ModifiedAfter != nil {
		q = q.Where("r.updated_at > ?", *f.ModifiedAfter)
	}
	switch {
	case f.Status != "":
		q = q.Where("r.status = ?", f.Status)
	case len(f.Statuses) > 0:
		q = q.Where("r.status IN (?)", bun.List(f.Statuses))
	case !f.IncludeArchived && len(f.IDs) == 0:
		q = q.Where("r.status <> 'archived'")
	}
	if f.Category != "" {
		q = q.Where("r.category = ?", f.Category)
	}
	if f.Department != "" {
		q = q.Where("r.department = ?", f.Department)
	}
	if f.Type != "" {
		q = q.Where("r.risk_type = ?", f.Type)
	}
	if f.ThreatObjective != "" {
		q = q.Where("r.threat_objectives @> ARRAY[?]::text[]", f.ThreatObjective)
	}
	switch f.AssigneeID {
	case "":
	case risk.Unassigned:
		q = q.Where("r.assignee_id IS NULL")
	default:
		q = q.Where("r.assignee_id = ?", f.AssigneeID)
	}
	if f.InherentLevel != nil {
		q = q.Where("r.inherent_level = ?", *f.InherentLevel)
	}
	if f.ResidualLevel != nil {
		q = q.Where("r.residual_level = ?", *f.ResidualLevel)
	}
	for _, r := range []struct {
		column string
		rng    *risk.Range
	}{{"r.probability", f.Probability}, {"r.impact", f.Impact}, {"r.residual_probability", f.ResidualProbability}, {"r.residual_impact", f.ResidualImpact}} {
		if r.rng != nil {
			q = q.Where("? BETWEEN ? AND ?", bun.Safe(r.column), r.rng.Lo, r.rng.Hi)
		}
	}
	if f.MinInherentLevel != nil {
		q = q.Where("r.inherent_level >= ?", *f.MinInherentLevel)
	}
	if f.MinResidualLevel != nil {
		q = q.Where("r.residual_level >= ?", *f.MinResidualLevel)
	}
	if f.Overdue {
		q = q.Where("r.due_date < ?::date AND r.status IN ('open', 'pending')", today(f).Format(time.DateOnly))
	}
	if f.ReviewOverdue {
		// The partial index risks_next_review_idx (0018) answers this.
		q = q.Where("r.next_review_date < ?::date AND r.next_review_date IS NOT NULL AND r.status IN ('open', 'pending')", today(f).Format(time.DateOnly))
	}
	if f.ReviewDueSoon {
		q = q.Where("r.next_review_date BETWEEN ?::date AND ?::date AND r.next_review_date IS NOT NULL AND r.status IN ('open', 'pending')",
			today(f).Format(time.DateOnly), today(f).AddDate(0, 0, risk.ReviewDueSoonDays).Format(time.DateOnly))
	}
	if f.Tag != "" {
		q = q.Where("r.tags @> ARRAY[?]::text[]", f.Tag)
	}
	if f.Search != "" {
		like := likePattern(f.Search)
		if tsq := PrefixQuery(f.Search); tsq != "" {
			q = q.Where("(r.search @@ to_tsquery('english', ?) OR r.title ILIKE ? OR r.description ILIKE ?)", tsq, like, like)
		} else {
			q = q.Where("(r.title ILIKE ? OR r.description ILIKE ?)", like, like)
		}
	}
	return q
}

// orderRisks applies f's sort keys (allowlisted in sortColumns), then the
// risk number as the tie-break, so pages and exports never shuffle.
func orderRisks(q *bun.SelectQuery, f risk.ListQuery) *bun.SelectQuery {
	for _, sf := range sortFields(f) {
		col, ok := sortColumns[sf.Key]
		if !ok {
			col, sf.Key = sortColumns[risk.DefaultSort], risk.DefaultSort
		}
		dir := " ASC"
		if sf.Desc {
			dir = " DESC"
		}
		if nullableSorts[sf.Key] {
			dir += " NULLS LAST"
		}
		q = q.OrderExpr(col + dir)
	}
	if f.Desc {
		return q.OrderExpr("r.number DESC")
	}
	return q.OrderExpr("r.number ASC")
}

func sortFields(f risk.ListQuery) []risk.SortField {
	return append([]risk.SortField{{Key: f.Sort, Desc: f.Desc}}, f.ThenBy...)
}

// sortsByAssignee reports whether f orders by the assignee's name, which
// needs the members and users joined.
func sortsByAssignee(f risk.ListQuery) bool {
	for _, sf := range sortFields(f) {
		if sf.Key == "assignee" {
			return true
		}
	}
	return false
}

// List returns one page of risks and the total matching f.
//
// The page is read in two steps, in one statement: the numbers of the
// page's risks from the sort key's index alone (an index-only scan that
// skips the offset's entries without reading their rows), then those rows
// with their assignees. A deep page costs the index entries before it, not
// the rows. The total comes from Total: exact, from the maintained counts
// or a capped count, or estimated above totalCap.
func (s *RiskStore) List(ctx context.Context, orgID string, f risk.ListQuery) (risk.Page, error) {
	total, estimated, err := s.Total(ctx, orgID, f)
	if err != nil {
		return risk.Page{}, err
	}
	page := risk.Page{Total: total, Estimated: estimated}
	if f.Offset() >= total && !estimated {
		return page, nil
	}
	if page.Risks, err = s.Rows(ctx, orgID, f); err != nil {
		return risk.Page{}, err
	}
	return page, nil
}

// Rows returns List's page of the risks matching f, without their total:
// for pages that show no count (the dashboard's top risks, the titles of
// its activity).
func (s *RiskStore) Rows(ctx context.Context, orgID string, f risk.ListQuery) ([]*risk.Risk, error) {
	keys := applyFilters(idb(ctx, s.DB).NewSelect().Model((*riskRow)(nil)).Column("r.number"), orgID, f)
	if sortsByAssignee(f) {
		keys = keys.Join("LEFT JOIN members AS m ON m.organization_id = r.organization_id AND m.id = r.assignee_id").
			Join("LEFT JOIN users AS u ON u.id = m.user_id")
	}
	keys = orderRisks(keys, f).Limit(int64(f.PerPage)).Offset(int64(f.Offset()))
	rows, err := s.scanRows(ctx, orderRisks(s.selectRisks(ctx).Where("r.organization_id = ?", orgID).Where("r.number IN (?)", keys), f), f.PerPage)
	if err != nil {
		return nil, dbErr("list risks", err)
	}
	out := make([]*risk.Risk, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

// scanRows runs q (a selectRisks query) and returns its rows. Outside a
// transaction the rows are scanned by pgx itself into fields bound once per
// statement, as the export does: Bun's generic scanning through
// database/sql was a fifth of a register page's Go time. In a transaction
// (which lives on its database/sql connection) Bun scans them.
func (s *RiskStore) scanRows(ctx context.Context, q *bun.SelectQuery, capacity int) ([]riskRow, error) {
	rows := make([]riskRow, 0, capacity)
	if _, inTx := ctx.Value(txKey{}).(bun.Tx); inTx {
		err := q.Scan(ctx, &rows)
		return rows, err
	}
	query := q.String()
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("the driver connection is %T, not pgx", dc)
		}
		res, err := pc.Conn().Query(ctx, query)
		if err != nil {
			return err
		}
		defer res.Close()
		var row riskRow
		dests, err := bindColumns(s.DB.Table(reflect.TypeFor[riskRow]()), reflect.ValueOf(&row).Elem(), res.FieldDescriptions())
		if err != nil {
			return err
		}
		for res.Next() {
			row = riskRow{} // a fresh row per scan, as the export's: nothing of the last one carries over
			if err := res.Scan(dests...); err != nil {
				return err
			}
			rows = append(rows, row)
		}
		return res.Err()
	})
	return rows, err
}

// Assignee returns a member of the organization as a Person.
func (s *RiskStore) Assignee(ctx context.Context, orgID, memberID string) (*risk.Person, error) {
	if !validKey(memberID) {
		return nil, apperr.New(apperr.NotFound, "Member not found")
	}
	var p struct {
		Name  string `bun:"name"`
		Email string `bun:"email"`
	}
	err := idb(ctx, s.DB).NewRaw(`SELECT u.name, u.email FROM members m JOIN users u ON u.id = m.user_id
		WHERE m.organization_id = ? AND m.id = ?`, orgID, memberID).Scan(ctx, &p)
	if err != nil {
		return nil, dbErr("get assignee", err)
	}
	return &risk.Person{MemberID: memberID, Name: p.Name, Email: p.Email}, nil
}
