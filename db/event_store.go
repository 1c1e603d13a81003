package db

import (
	"context"
	"slices"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
)

// EventStore appends to and reads the audit trail.
type EventStore struct{ DB *bun.DB }

// Append inserts an event; call it in the transaction of the change.
func (s *EventStore) Append(ctx context.Context, e *audit.Event) error {
	row := eventRowOf(e)
	_, err := idb(ctx, s.DB).NewInsert().Model(row).Returning("id").Exec(ctx)
	if err != nil {
		return dbErr("append event", err)
	}
	e.ID = row.ID
	return nil
}

// AppendMany inserts events, batchRows to a statement; call it in the
// transaction of the changes.
func (s *EventStore) AppendMany(ctx context.Context, es []*audit.Event) error {
	for batch := range slices.Chunk(es, batchRows) {
		rows := make([]*eventRow, len(batch))
		for i, e := range batch {
			rows[i] = eventRowOf(e)
		}
		if _, err := idb(ctx, s.DB).NewInsert().Model(&rows).Returning("id").Exec(ctx); err != nil {
			return dbErr("append events", err)
		}
		for i, e := range batch {
			e.ID = rows[i].ID
		}
	}
	return nil
}

// ForEntity returns an entity's latest events, newest first.
func (s *EventStore) ForEntity(ctx context.Context, orgID, entityType, entityID string, limit int) ([]*audit.Event, error) {
	return s.latest(ctx, limit, "organization_id = ? AND entity_type = ? AND entity_id = ?", orgID, entityType, entityID)
}

// Recent returns the organization's latest events, newest first.
func (s *EventStore) Recent(ctx context.Context, orgID string, limit int) ([]*audit.Event, error) {
	return s.latest(ctx, limit, "organization_id = ?", orgID)
}

// latest returns at most limit events matching where, newest first.
func (s *EventStore) latest(ctx context.Context, limit int, where string, args ...any) ([]*audit.Event, error) {
	var rows []eventRow
	err := idb(ctx, s.DB).NewSelect().Model(&rows).Where(where, args...).
		OrderExpr("id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list events", err)
	}
	out := make([]*audit.Event, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}

func eventRowOf(e *audit.Event) *eventRow {
	changes := e.Changes
	if changes == nil {
		changes = []audit.Change{}
	}
	return &eventRow{
		OrganizationID: e.OrganizationID, EntityType: e.EntityType, EntityID: e.EntityID, EntityLabel: e.EntityLabel,
		Action: e.Action, ActorMemberID: nullable(e.Actor.MemberID), ActorAPIKeyID: nullable(e.Actor.APIKeyID),
		ActorName: e.Actor.Name, Changes: changes, Snapshot: e.Snapshot, CreatedAt: e.CreatedAt,
	}
}

// LatestID returns the id of the organization's latest event, 0 when it
// has none (one probe of events_recent_idx).
func (s *EventStore) LatestID(ctx context.Context, orgID string) (int64, error) {
	var id int64
	err := idb(ctx, s.DB).NewSelect().TableExpr("events").ColumnExpr("coalesce(max(id), 0)").
		Where("organization_id = ?", orgID).Scan(ctx, &id)
	if err != nil {
		return 0, dbErr("latest event", err)
	}
	return id, nil
}

// LatestRiskEvent returns the latest event of a risk by id or RSK
// identifier (the label its events keep), deleted risks included.
func (s *EventStore) LatestRiskEvent(ctx context.Context, orgID, idOrIdentifier string) (*audit.Event, error) {
	where := "organization_id = ? AND entity_type = ? AND entity_id = ?"
	key := idOrIdentifier
	if n, ok := risk.ParseIdentifier(idOrIdentifier); ok {
		where, key = "organization_id = ? AND entity_type = ? AND entity_label = ?", risk.FormatIdentifier(n)
	}
	es, err := s.latest(ctx, 1, where, orgID, audit.EntityRisk, key)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, apperr.New(apperr.NotFound, "Risk not found")
	}
	return es[0], nil
}
