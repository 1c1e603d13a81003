package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/incident"
	"github.com/riskreg/riskreg/app/risk"
)

// IncidentsOfRisk lists the incidents linked to the risk, for the
// register (risk.IncidentLinks).
func (s *IncidentStore) IncidentsOfRisk(ctx context.Context, orgID, riskID string) ([]risk.IncidentRef, error) {
	refs, err := s.ForRisk(ctx, orgID, riskID)
	if err != nil {
		return nil, err
	}
	out := make([]risk.IncidentRef, len(refs))
	for i, r := range refs {
		out[i] = risk.IncidentRef{ID: r.ID, Identifier: r.Identifier(), Title: r.Title}
	}
	return out, nil
}

// RelinkRisk links the risk again to those of incidentIDs that still
// exist (a restored risk) and returns them, by number.
func (s *IncidentStore) RelinkRisk(ctx context.Context, orgID, riskID string, incidentIDs []string, at time.Time) ([]risk.IncidentRef, error) {
	if len(incidentIDs) == 0 {
		return nil, nil
	}
	var rows []struct {
		ID     string `bun:"id"`
		Number int64  `bun:"number"`
		Title  string `bun:"title"`
	}
	err := idb(ctx, s.DB).NewRaw(`WITH linked AS (
		INSERT INTO incident_risks (organization_id, incident_id, risk_id, created_at)
		SELECT i.organization_id, i.id, ?, ? FROM incidents i WHERE i.organization_id = ? AND i.id IN (?)
		ON CONFLICT DO NOTHING RETURNING incident_id)
		SELECT i.id, i.number, i.title FROM incidents i JOIN linked l ON l.incident_id = i.id
		WHERE i.organization_id = ? ORDER BY i.number`, riskID, at, orgID, bun.List(incidentIDs), orgID).Scan(ctx, &rows)
	if err != nil {
		return nil, dbErr("relink incidents", err)
	}
	out := make([]risk.IncidentRef, len(rows))
	for i, r := range rows {
		out[i] = risk.IncidentRef{ID: r.ID, Identifier: incident.FormatIdentifier(r.Number), Title: r.Title}
	}
	return out, nil
}
