// Package idempotency replays the response of a request repeated with the
// same Idempotency-Key, so a client may retry a create without creating
// twice.
package idempotency

import (
	"context"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
)

// Response is a response kept for a key.
type Response struct {
	RequestHash string
	Status      int
	Body        []byte
}

// Store keeps one response per (organization, key).
type Store interface {
	// Claim records the key with the request hash; claimed is false when
	// the key exists already (it waits for a concurrent claim to commit).
	Claim(ctx context.Context, orgID, key, hash string) (claimed bool, err error)
	// Stored returns the response kept for the key, or nil when there is
	// none.
	Stored(ctx context.Context, orgID, key string) (*Response, error)
	// Save stores the response of a claimed key.
	Save(ctx context.Context, orgID, key string, resp Response) error
	// Purge deletes the responses created before the instant.
	Purge(ctx context.Context, before time.Time) (int64, error)
}

// TxRunner runs fn in one database transaction carried by ctx.
type TxRunner interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Retention is how long a response stays replayable.
const Retention = 24 * time.Hour

// Service runs requests at most once per key.
type Service struct {
	Store Store
	Tx    TxRunner
}

// Do runs fn once per (organization, key): the first request claims the
// key and stores fn's response in the same transaction as fn's writes; a
// concurrent or later request with the key waits for that transaction and
// gets the stored response (replayed=true). The same key with another
// request hash is Invalid. When fn fails nothing is stored, so a retry
// runs again.
func (s *Service) Do(ctx context.Context, orgID, key, hash string, fn func(ctx context.Context) (int, []byte, error)) (resp Response, replayed bool, err error) {
	err = s.Tx.InTx(ctx, func(ctx context.Context) error {
		claimed, err := s.Store.Claim(ctx, orgID, key, hash)
		if err != nil {
			return err
		}
		if !claimed {
			replayed = true
			stored, err := s.Store.Stored(ctx, orgID, key)
			switch {
			case err != nil:
				return err
			case stored == nil:
				return apperr.New(apperr.Conflict, "A request with this Idempotency-Key is still in progress")
			case stored.RequestHash != hash:
				return apperr.New(apperr.Invalid, "This Idempotency-Key was used with a different request body")
			}
			resp = *stored
			return nil
		}
		status, body, err := fn(ctx)
		if err != nil {
			return err
		}
		resp = Response{RequestHash: hash, Status: status, Body: body}
		return s.Store.Save(ctx, orgID, key, resp)
	})
	return resp, replayed, err
}

// Purge deletes the responses older than Retention before now, so retries
// within it replay and the table stays small.
func (s *Service) Purge(ctx context.Context, now time.Time) (int64, error) {
	return s.Store.Purge(ctx, now.Add(-Retention))
}
