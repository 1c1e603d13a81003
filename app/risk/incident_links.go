package risk

import (
	"context"
	"time"

	"github.com/riskreg/riskreg/app/audit"
)

// IncidentLinks is what the register needs of incidents: the incidents a
// risk is linked to, which learn of its deletion in their history, and
// the links a restore brings back.
type IncidentLinks interface {
	// IncidentsOfRisk lists the incidents linked to the risk.
	IncidentsOfRisk(ctx context.Context, orgID, riskID string) ([]IncidentRef, error)
	// RelinkRisk links the risk to those of incidentIDs that still exist
	// and returns them.
	RelinkRisk(ctx context.Context, orgID, riskID string, incidentIDs []string, at time.Time) ([]IncidentRef, error)
}

// IncidentRef names an incident in another entity's history.
type IncidentRef struct {
	ID         string
	Identifier string // INC-00007
	Title      string
}

// incidentEntity is the audit trail's entity type of incidents.
const incidentEntity = "incident"

// History fields of an incident when a linked risk is deleted or restored.
const (
	FieldRiskDeleted  = "risk_deleted"
	FieldRiskRestored = "risk_restored"
)

// noteIncidents records in each incident's history that r was deleted
// (deleted) or restored with its link; it returns the incident ids.
func (s *Service) noteIncidents(ctx context.Context, refs []IncidentRef, r *Risk, actor audit.Actor, deleted bool, now time.Time) ([]string, error) {
	if len(refs) == 0 {
		return []string{}, nil
	}
	ids := make([]string, len(refs))
	events := make([]*audit.Event, len(refs))
	label := r.Identifier() + " " + r.Title
	for i, ref := range refs {
		ids[i] = ref.ID
		ch := audit.Change{Field: FieldRiskDeleted, Old: label}
		if !deleted {
			ch = audit.Change{Field: FieldRiskRestored, New: label}
		}
		events[i] = &audit.Event{OrganizationID: r.OrganizationID, EntityType: incidentEntity, EntityID: ref.ID,
			EntityLabel: ref.Identifier, Action: audit.ActionUpdated, Actor: actor, Changes: []audit.Change{ch}, CreatedAt: now}
	}
	return ids, s.Events.AppendMany(ctx, events)
}

// unlinkIncidents writes, before r is deleted, an entry in the history
// of each incident r is linked to, and keeps their ids in r's snapshot so
// that a restore links them again.
func (s *Service) unlinkIncidents(ctx context.Context, r *Risk, actor audit.Actor, snap map[string]any) error {
	if s.Incidents == nil {
		return nil
	}
	refs, err := s.Incidents.IncidentsOfRisk(ctx, r.OrganizationID, r.ID)
	if err != nil {
		return err
	}
	ids, err := s.noteIncidents(ctx, refs, r, actor, true, s.Now().UTC())
	snap["incidentIds"] = ids
	return err
}

// relinkIncidents links a restored risk again to the incidents its
// snapshot names that still exist, noting it in their history, and
// returns their references (for the risk's own restore entry).
func (s *Service) relinkIncidents(ctx context.Context, r *Risk, actor audit.Actor, incidentIDs []string, now time.Time) ([]IncidentRef, error) {
	if s.Incidents == nil || len(incidentIDs) == 0 {
		return nil, nil
	}
	refs, err := s.Incidents.RelinkRisk(ctx, r.OrganizationID, r.ID, incidentIDs, now)
	if err != nil {
		return nil, err
	}
	_, err = s.noteIncidents(ctx, refs, r, actor, false, now)
	return refs, err
}
