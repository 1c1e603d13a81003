package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/activity"
	"github.com/riskreg/riskreg/app/audit"
)

// ActivityStore reads the organization's events for the activity log.
type ActivityStore struct{ DB *bun.DB }

// Activity returns at most limit events matching f, newest first by
// (created_at, id), strictly after f.After; the keyset rides the index
// events_created_idx (migration 0020), never OFFSET.
func (s *ActivityStore) Activity(ctx context.Context, orgID string, f activity.Filter, limit int) ([]*audit.Event, error) {
	var rows []eventRow
	q := idb(ctx, s.DB).NewSelect().Model(&rows).Where("e.organization_id = ?", orgID)
	if f.ActorID != "" {
		q = q.Where("e.actor_member_id = ?", f.ActorID)
	}
	if f.Kind != "" {
		q = q.Where("e.entity_type = ?", f.Kind)
	}
	if f.Action != "" {
		q = q.Where("e.action = ?", f.Action)
	}
	if f.Entity != "" {
		q = q.Where("(e.entity_id = ? OR e.entity_label = ?)", f.Entity, f.Entity)
	}
	if f.From != nil {
		q = q.Where("e.created_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("e.created_at < ?", f.To.Add(24*time.Hour))
	}
	if f.After != nil {
		q = q.Where("(e.created_at, e.id) < (?, ?)", f.After.At, f.After.ID)
	}
	err := q.OrderExpr("e.created_at DESC, e.id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, dbErr("list activity", err)
	}
	out := make([]*audit.Event, len(rows))
	for i := range rows {
		out[i] = rows[i].toDomain()
	}
	return out, nil
}
