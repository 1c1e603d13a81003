package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/apperr"
)

// StoredResponse is a response kept for an idempotency key.
type StoredResponse struct {
	RequestHash string
	Status      int
	Body        []byte
}

// Idempotency replays API responses for repeated Idempotency-Keys.
type Idempotency struct{ DB *bun.DB }

// Do runs fn once per (organization, key): the first request claims the
// key and stores fn's response in the same transaction as fn's writes;
// a concurrent or later request with the key waits for that transaction
// and gets the stored response (replayed=true). The same key with another
// request hash is a Conflict. When fn fails nothing is stored, so a retry
// runs again.
func (s *Idempotency) Do(ctx context.Context, orgID, key, hash string, fn func(ctx context.Context) (int, []byte, error)) (resp StoredResponse, replayed bool, err error) {
	err = Tx{DB: s.DB}.InTx(ctx, func(ctx context.Context) error {
		tx := idb(ctx, s.DB)
		res, err := tx.NewRaw(`INSERT INTO idempotency_keys (organization_id, key, request_hash) VALUES (?, ?, ?)
			ON CONFLICT (organization_id, key) DO NOTHING`, orgID, key, hash).Exec(ctx)
		if err != nil {
			return dbErr("claim idempotency key", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			replayed = true
			err := tx.NewRaw("SELECT request_hash, status, response FROM idempotency_keys WHERE organization_id = ? AND key = ?", orgID, key).
				Scan(ctx, &resp.RequestHash, &resp.Status, &resp.Body)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.New(apperr.Conflict, "A request with this Idempotency-Key is still in progress")
			}
			if err != nil {
				return dbErr("read idempotency key", err)
			}
			if resp.RequestHash != hash {
				return apperr.New(apperr.Invalid, "This Idempotency-Key was used with a different request body")
			}
			return nil
		}
		status, body, err := fn(ctx)
		if err != nil {
			return err
		}
		resp = StoredResponse{RequestHash: hash, Status: status, Body: body}
		_, err = tx.NewRaw("UPDATE idempotency_keys SET status = ?, response = ? WHERE organization_id = ? AND key = ?",
			status, body, orgID, key).Exec(ctx)
		return dbErr("store idempotent response", err)
	})
	return resp, replayed, err
}

// Purge deletes stored responses older than the retention window, so
// retries within it replay and the table stays small.
func (s *Idempotency) Purge(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.DB.NewRaw("DELETE FROM idempotency_keys WHERE created_at < ?", before).Exec(ctx)
	if err != nil {
		return 0, dbErr("purge idempotency keys", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
