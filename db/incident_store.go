package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
)

// IncidentStore keeps incidents and their links to risks: it implements
// incident.Store on PostgreSQL.
type IncidentStore struct{ DB *bun.DB }

var _ incident.Store = (*IncidentStore)(nil)

type incidentRow struct {
	bun.BaseModel  `bun:"table:incidents,alias:i"`
	OrganizationID string     `bun:"organization_id,pk"`
	ID             string     `bun:"id,pk"`
	Number         int64      `bun:"number"`
	Title          string     `bun:"title"`
	Description    string     `bun:"description"`
	Severity       string     `bun:"severity"`
	Status         string     `bun:"status"`
	OccurredOn     *time.Time `bun:"occurred_on,type:date"`
	DiscoveredOn   *time.Time `bun:"discovered_on,type:date"`
	ResolvedOn     *time.Time `bun:"resolved_on,type:date"`
	ReporterID     *string    `bun:"reporter_id"`
	Version        int        `bun:"version"`
	CreatedBy      *string    `bun:"created_by"`
	UpdatedBy      *string    `bun:"updated_by"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`

	ReporterName  *string  `bun:"reporter_name,scanonly"`
	ReporterEmail *string  `bun:"reporter_email,scanonly"`
	RiskIDs       []string `bun:"risk_ids,array,scanonly"`
	RiskNumbers   []int64  `bun:"risk_numbers,array,scanonly"`
	Total         int      `bun:"total,scanonly"`
}

func incidentRowOf(i *incident.Incident) *incidentRow {
	return &incidentRow{OrganizationID: i.OrganizationID, ID: i.ID, Number: i.Number, Title: i.Title,
		Description: i.Description, Severity: i.Severity, Status: i.Status, OccurredOn: i.OccurredOn,
		DiscoveredOn: i.DiscoveredOn, ResolvedOn: i.ResolvedOn, ReporterID: nullable(i.ReporterID),
		Version: i.Version, CreatedBy: nullable(i.CreatedBy), UpdatedBy: nullable(i.UpdatedBy),
		CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt}
}

func (row *incidentRow) toDomain() *incident.Incident {
	i := &incident.Incident{OrganizationID: row.OrganizationID, ID: row.ID, Number: row.Number, Title: row.Title,
		Description: row.Description, Severity: row.Severity, Status: row.Status, OccurredOn: utc(row.OccurredOn),
		DiscoveredOn: utc(row.DiscoveredOn), ResolvedOn: utc(row.ResolvedOn), ReporterID: deref(row.ReporterID),
		Version: row.Version, CreatedBy: deref(row.CreatedBy), UpdatedBy: deref(row.UpdatedBy),
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC(), RiskIDs: row.RiskIDs, RiskNumbers: row.RiskNumbers}
	if i.RiskIDs == nil {
		i.RiskIDs = []string{}
	}
	if row.ReporterID != nil {
		i.Reporter = &risk.Person{MemberID: *row.ReporterID, Name: deref(row.ReporterName), Email: deref(row.ReporterEmail)}
	}
	return i
}

// NextNumber increments the organization's incident counter; its row lock
// serialises concurrent creates in one organization.
func (s *IncidentStore) NextNumber(ctx context.Context, orgID string) (int64, error) {
	var n int64
	err := idb(ctx, s.DB).NewRaw("UPDATE organizations SET incident_seq = incident_seq + 1 WHERE id = ? RETURNING incident_seq", orgID).Scan(ctx, &n)
	return n, dbErr("next incident number", err)
}

// Insert stores a new incident.
func (s *IncidentStore) Insert(ctx context.Context, i *incident.Incident) error {
	_, err := idb(ctx, s.DB).NewInsert().Model(incidentRowOf(i)).Exec(ctx)
	return dbErr("insert incident", err)
}

// Update writes i when the stored version is i.Version-1.
func (s *IncidentStore) Update(ctx context.Context, i *incident.Incident) error {
	res, err := idb(ctx, s.DB).NewUpdate().Model(incidentRowOf(i)).
		ExcludeColumn("organization_id", "id", "number", "created_at", "created_by").
		WherePK().Where("version = ?", i.Version-1).Exec(ctx)
	if err != nil {
		return dbErr("update incident", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "The incident was changed by someone else")
	}
	return nil
}

// Delete removes an incident; its links go with it.
func (s *IncidentStore) Delete(ctx context.Context, orgID, id string) error {
	res, err := idb(ctx, s.DB).NewDelete().Model((*incidentRow)(nil)).
		Where("organization_id = ? AND id = ?", orgID, id).Exec(ctx)
	if err != nil {
		return dbErr("delete incident", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.NotFound, "Incident not found")
	}
	return nil
}

func (s *IncidentStore) selectIncidents(ctx context.Context) *bun.SelectQuery {
	return idb(ctx, s.DB).NewSelect().Model((*incidentRow)(nil)).
		ColumnExpr("?TableColumns").
		ColumnExpr("u.name AS reporter_name, u.email AS reporter_email").
		ColumnExpr(`ARRAY(SELECT l.risk_id FROM incident_risks l JOIN risks r ON r.organization_id = l.organization_id AND r.id = l.risk_id
			WHERE l.organization_id = i.organization_id AND l.incident_id = i.id ORDER BY r.number) AS risk_ids`).
		ColumnExpr(`ARRAY(SELECT r.number FROM incident_risks l JOIN risks r ON r.organization_id = l.organization_id AND r.id = l.risk_id
			WHERE l.organization_id = i.organization_id AND l.incident_id = i.id ORDER BY r.number) AS risk_numbers`).
		Join("LEFT JOIN members AS m ON m.organization_id = i.organization_id AND m.id = i.reporter_id").
		Join("LEFT JOIN users AS u ON u.id = m.user_id")
}

// Get returns an incident by id, INC identifier or bare number.
func (s *IncidentStore) Get(ctx context.Context, orgID, key string, forUpdate bool) (*incident.Incident, error) {
	if !validKey(key) {
		return nil, apperr.New(apperr.NotFound, "Incident not found")
	}
	var row incidentRow
	q := s.selectIncidents(ctx).Where("i.organization_id = ?", orgID)
	if n, ok := incident.ParseIdentifier(key); ok {
		q = q.Where("i.number = ?", n)
	} else {
		q = q.Where("i.id = ?", key)
	}
	if forUpdate {
		q = q.For("UPDATE OF i")
	}
	if err := q.Scan(ctx, &row); err != nil {
		if e := dbErr("get incident", err); apperr.Is(e, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "Incident not found")
		} else {
			return nil, e
		}
	}
	return row.toDomain(), nil
}

// incidentSorts maps the allowlisted sort keys to SQL.
var incidentSorts = map[string]string{
	"identifier": "i.number",
	"title":      "lower(i.title)",
	"severity":   "array_position(ARRAY['low','medium','high','critical']::text[], i.severity)",
	"status":     "array_position(ARRAY['open','investigating','resolved','closed']::text[], i.status)",
	"occurred":   "i.occurred_on",
	"discovered": "i.discovered_on",
	"reporter":   "lower(u.name)",
	"updated":    "i.updated_at",
	"created":    "i.created_at",
}

// List returns a page of incidents matching q and the total, in one query.
func (s *IncidentStore) List(ctx context.Context, orgID string, q incident.ListQuery) (incident.Page, error) {
	sel := s.selectIncidents(ctx).ColumnExpr("count(*) OVER () AS total").Where("i.organization_id = ?", orgID)
	if q.Search != "" && validText(q.Search) {
		like := "%" + escapeLike(q.Search) + "%"
		sel = sel.Where("(i.title ILIKE ? OR i.description ILIKE ?)", like, like)
	}
	if q.Status != "" {
		sel = sel.Where("i.status = ?", q.Status)
	}
	if q.Severity != "" {
		sel = sel.Where("i.severity = ?", q.Severity)
	}
	if q.Open {
		sel = sel.Where("i.status IN ('open', 'investigating')")
	}
	col, ok := incidentSorts[q.Sort]
	if !ok {
		col, q.Desc = "i.updated_at", true
	}
	dir := " ASC NULLS FIRST"
	if q.Desc {
		dir = " DESC NULLS LAST"
	}
	sel = sel.OrderExpr(col + dir)
	for _, f := range q.ThenBy {
		if c, ok := incidentSorts[f.Key]; ok {
			if f.Desc {
				sel = sel.OrderExpr(c + " DESC NULLS LAST")
			} else {
				sel = sel.OrderExpr(c + " ASC NULLS FIRST")
			}
		}
	}
	sel = sel.OrderExpr("i.number DESC")
	if q.PerPage > 0 {
		sel = sel.Limit(int64(q.PerPage)).Offset(int64(q.Offset()))
	}
	var rows []incidentRow
	if err := sel.Scan(ctx, &rows); err != nil {
		return incident.Page{}, dbErr("list incidents", err)
	}
	page := incident.Page{Incidents: make([]*incident.Incident, len(rows))}
	for k := range rows {
		page.Incidents[k] = rows[k].toDomain()
		page.Total = rows[k].Total
	}
	if len(rows) == 0 && q.Offset() > 0 {
		n, err := s.count(ctx, orgID, q)
		if err != nil {
			return page, err
		}
		page.Total = n
	}
	return page, nil
}

func (s *IncidentStore) count(ctx context.Context, orgID string, q incident.ListQuery) (int, error) {
	q.Page, q.PerPage = 1, 1
	p, err := s.List(ctx, orgID, q)
	return p.Total, err
}

// escapeLike escapes LIKE's wildcards so a search matches them literally.
func escapeLike(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' || r == '_' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}

// Link inserts the link unless it exists.
func (s *IncidentStore) Link(ctx context.Context, orgID, incidentID, riskID string, at time.Time) (bool, error) {
	res, err := idb(ctx, s.DB).NewRaw(`INSERT INTO incident_risks (organization_id, incident_id, risk_id, created_at)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, orgID, incidentID, riskID, at).Exec(ctx)
	if err != nil {
		return false, dbErr("link risk", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Unlink deletes the link.
func (s *IncidentStore) Unlink(ctx context.Context, orgID, incidentID, riskID string) (bool, error) {
	res, err := idb(ctx, s.DB).NewRaw(`DELETE FROM incident_risks WHERE organization_id = ? AND incident_id = ? AND risk_id = ?`,
		orgID, incidentID, riskID).Exec(ctx)
	if err != nil {
		return false, dbErr("unlink risk", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// LinkedRisks lists the incident's risks by number.
func (s *IncidentStore) LinkedRisks(ctx context.Context, orgID, incidentID string) ([]incident.LinkedRisk, error) {
	var rows []struct {
		ID        string    `bun:"id"`
		Number    int64     `bun:"number"`
		Title     string    `bun:"title"`
		Status    string    `bun:"status"`
		CreatedAt time.Time `bun:"created_at"`
	}
	err := idb(ctx, s.DB).NewRaw(`SELECT r.id, r.number, r.title, r.status, l.created_at FROM incident_risks l
		JOIN risks r ON r.organization_id = l.organization_id AND r.id = l.risk_id
		WHERE l.organization_id = ? AND l.incident_id = ? ORDER BY r.number`, orgID, incidentID).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("linked risks", err)
	}
	out := make([]incident.LinkedRisk, len(rows))
	for k, r := range rows {
		out[k] = incident.LinkedRisk{ID: r.ID, Number: r.Number, Title: r.Title, Status: r.Status, LinkedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// ForRisk lists the risk's incidents, the latest number first.
func (s *IncidentStore) ForRisk(ctx context.Context, orgID, riskID string) ([]incident.Ref, error) {
	var rows []struct {
		ID         string     `bun:"id"`
		Number     int64      `bun:"number"`
		Title      string     `bun:"title"`
		Severity   string     `bun:"severity"`
		Status     string     `bun:"status"`
		OccurredOn *time.Time `bun:"occurred_on"`
		CreatedAt  time.Time  `bun:"created_at"`
	}
	err := idb(ctx, s.DB).NewRaw(`SELECT i.id, i.number, i.title, i.severity, i.status, i.occurred_on, l.created_at FROM incident_risks l
		JOIN incidents i ON i.organization_id = l.organization_id AND i.id = l.incident_id
		WHERE l.organization_id = ? AND l.risk_id = ? ORDER BY i.number DESC`, orgID, riskID).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("incidents of risk", err)
	}
	out := make([]incident.Ref, len(rows))
	for k, r := range rows {
		out[k] = incident.Ref{ID: r.ID, Number: r.Number, Title: r.Title, Severity: r.Severity, Status: r.Status,
			OccurredOn: utc(r.OccurredOn), LinkedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

// Reporter returns a member of the organization as a Person.
func (s *IncidentStore) Reporter(ctx context.Context, orgID, memberID string) (*risk.Person, error) {
	return (&RiskStore{DB: s.DB}).Assignee(ctx, orgID, memberID)
}

// CountOpen counts the open and investigating incidents.
func (s *IncidentStore) CountOpen(ctx context.Context, orgID string) (int, error) {
	var n int
	err := idb(ctx, s.DB).NewRaw(`SELECT count(*) FROM incidents WHERE organization_id = ? AND status IN ('open', 'investigating')`, orgID).Scan(ctx, &n)
	return n, dbErr("count open incidents", err)
}

// RisksWithIncidentsSince lists risks by their latest incident since the
// cutoff (the incident's occurred date, else its creation date).
func (s *IncidentStore) RisksWithIncidentsSince(ctx context.Context, orgID string, since time.Time, limit int) ([]incident.RecentRisk, error) {
	var rows []struct {
		ID        string    `bun:"id"`
		Number    int64     `bun:"number"`
		Title     string    `bun:"title"`
		Incidents int       `bun:"incidents"`
		Latest    time.Time `bun:"latest"`
	}
	err := idb(ctx, s.DB).NewRaw(`SELECT r.id, r.number, r.title, count(*) AS incidents,
			max(COALESCE((i.occurred_on::timestamp AT TIME ZONE 'UTC'), i.created_at)) AS latest
		FROM incident_risks l
		JOIN incidents i ON i.organization_id = l.organization_id AND i.id = l.incident_id
		JOIN risks r ON r.organization_id = l.organization_id AND r.id = l.risk_id
		WHERE l.organization_id = ? AND COALESCE((i.occurred_on::timestamp AT TIME ZONE 'UTC'), i.created_at) >= ?
		GROUP BY r.id, r.number, r.title ORDER BY latest DESC, r.number DESC LIMIT ?`, orgID, since, limit).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("risks with recent incidents", err)
	}
	out := make([]incident.RecentRisk, len(rows))
	for k, r := range rows {
		out[k] = incident.RecentRisk{ID: r.ID, Number: r.Number, Title: r.Title, Incidents: r.Incidents, Latest: r.Latest.UTC()}
	}
	return out, nil
}
