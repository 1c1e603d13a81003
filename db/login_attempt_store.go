package db

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/account"
)

var _ account.AttemptStore = (*LoginAttemptStore)(nil)

// LoginAttemptStore keeps recent sign-in failures and sign-ups in the
// login_attempts table, shared by every instance on the database.
type LoginAttemptStore struct{ DB *bun.DB }

// attemptLockClass is the first key of the limiter's two-key advisory
// locks; the migration lock uses the one-key form, so they never meet.
const attemptLockClass = 0x52524c41 // "RRLA"

// LockAddress takes a transaction-level advisory lock on the kind and
// address; it fails outside a transaction, where it would protect nothing.
// Two addresses whose hashes collide merely wait for each other.
func (s *LoginAttemptStore) LockAddress(ctx context.Context, kind, ip string) error {
	if _, ok := ctx.Value(txKey{}).(bun.Tx); !ok {
		return dbErr("lock login attempts", errors.New("not in a transaction"))
	}
	_, err := idb(ctx, s.DB).NewRaw("SELECT pg_advisory_xact_lock(?, hashtext(?))", attemptLockClass, kind+" "+ip).Exec(ctx)
	return dbErr("lock login attempts", err)
}

// Record inserts a and reads, in the same statement, the attempts before
// it: the inserted row is not yet visible to the statement's own reads.
func (s *LoginAttemptStore) Record(ctx context.Context, a account.Attempt, q account.AttemptQuery) (account.AttemptHistory, error) {
	since := q.AddressSince
	if q.PairSince.Before(since) {
		since = q.PairSince
	}
	var rows []struct {
		Account int          `bun:"account_n"`
		Pair    sql.NullBool `bun:"pair"`
		At      sql.NullTime `bun:"at"`
	}
	err := idb(ctx, s.DB).NewRaw(`WITH added AS (
			INSERT INTO login_attempts (kind, account, ip, at) VALUES (?, ?, ?, ?)
		), account_attempts AS (
			SELECT count(*) AS n FROM (
				SELECT 1 FROM login_attempts WHERE kind = ? AND account = ? AND at > ? LIMIT ?
			) capped
		)
		SELECT c.n AS account_n, r.account = ? AS pair, r.at
		FROM account_attempts c
		LEFT JOIN login_attempts r ON r.kind = ? AND r.ip = ? AND r.at > ?
			AND (r.at > ? OR (r.account = ? AND r.at > ?))
		ORDER BY r.at`,
		a.Kind, a.Account, a.IP, a.At,
		a.Kind, a.Account, q.AccountSince, q.AccountCap,
		a.Account,
		a.Kind, a.IP, since,
		q.AddressSince, a.Account, q.PairSince,
	).Scan(ctx, &rows)
	if err != nil {
		return account.AttemptHistory{}, dbErr("record login attempt", err)
	}
	var h account.AttemptHistory
	for _, r := range rows {
		h.Account = r.Account
		if !r.At.Valid {
			continue // no attempt from the address: the LEFT JOIN's one empty row
		}
		if r.At.Time.After(q.AddressSince) {
			h.Address = append(h.Address, r.At.Time)
		}
		if r.Pair.Bool && r.At.Time.After(q.PairSince) {
			h.Pair = append(h.Pair, r.At.Time)
		}
	}
	return h, nil
}

// Forget deletes the attempts of kind for the account from ip.
func (s *LoginAttemptStore) Forget(ctx context.Context, kind, accountKey, ip string) error {
	_, err := idb(ctx, s.DB).NewRaw("DELETE FROM login_attempts WHERE kind = ? AND account = ? AND ip = ?", kind, accountKey, ip).Exec(ctx)
	return dbErr("forget login attempts", err)
}

// Purge deletes the attempts made before the instant.
func (s *LoginAttemptStore) Purge(ctx context.Context, before time.Time) (int64, error) {
	res, err := idb(ctx, s.DB).NewRaw("DELETE FROM login_attempts WHERE at < ?", before).Exec(ctx)
	if err != nil {
		return 0, dbErr("purge login attempts", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
