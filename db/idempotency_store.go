package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/idempotency"
)

var _ idempotency.Store = (*IdempotencyStore)(nil)

// IdempotencyStore keeps the responses of requests sent with an
// Idempotency-Key.
type IdempotencyStore struct{ DB *bun.DB }

// Claim inserts the key unless it exists; a concurrent insert of the same
// key waits for the other transaction to end.
func (s *IdempotencyStore) Claim(ctx context.Context, orgID, key, hash string) (bool, error) {
	res, err := idb(ctx, s.DB).NewRaw(`INSERT INTO idempotency_keys (organization_id, key, request_hash) VALUES (?, ?, ?)
		ON CONFLICT (organization_id, key) DO NOTHING`, orgID, key, hash).Exec(ctx)
	if err != nil {
		return false, dbErr("claim idempotency key", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Stored returns the response kept for the key, or nil when there is none.
func (s *IdempotencyStore) Stored(ctx context.Context, orgID, key string) (*idempotency.Response, error) {
	var resp idempotency.Response
	err := idb(ctx, s.DB).NewRaw("SELECT request_hash, status, response FROM idempotency_keys WHERE organization_id = ? AND key = ?", orgID, key).
		Scan(ctx, &resp.RequestHash, &resp.Status, &resp.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, dbErr("read idempotency key", err)
	}
	return &resp, nil
}

// Save stores the response of a claimed key.
func (s *IdempotencyStore) Save(ctx context.Context, orgID, key string, resp idempotency.Response) error {
	_, err := idb(ctx, s.DB).NewRaw("UPDATE idempotency_keys SET status = ?, response = ? WHERE organization_id = ? AND key = ?",
		resp.Status, resp.Body, orgID, key).Exec(ctx)
	return dbErr("store idempotent response", err)
}

// Purge deletes the responses created before the instant.
func (s *IdempotencyStore) Purge(ctx context.Context, before time.Time) (int64, error) {
	res, err := idb(ctx, s.DB).NewRaw("DELETE FROM idempotency_keys WHERE created_at < ?", before).Exec(ctx)
	if err != nil {
		return 0, dbErr("purge idempotency keys", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
