package account

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"github.com/riskreg/riskreg/app/apperr"
)

// Attempt kinds: a sign-in counted as a failure until it succeeds, and a
// sign-up.
const (
	AttemptLogin  = "login"
	AttemptSignup = "signup"
)

// Attempt is one sign-in or sign-up from a client address.
type Attempt struct {
	Kind    string
	Account string // the email tried, for sign-ins; "" for sign-ups
	IP      string
	At      time.Time
}

// AttemptQuery says how far back Record looks (each instant exclusive).
type AttemptQuery struct {
	AddressSince time.Time // the address's attempts for every account
	PairSince    time.Time // the address's attempts for the same account
	AccountSince time.Time // the account's attempts from every address
	AccountCap   int       // count the account's attempts up to this many
}

// AttemptHistory is what came before an attempt, as an AttemptQuery asked.
type AttemptHistory struct {
	// Address holds the times of the address's attempts, oldest first.
	Address []time.Time
	// Pair holds the times of the address's attempts for the same account,
	// oldest first.
	Pair []time.Time
	// Account is the number of the account's attempts from every address,
	// at most AccountCap.
	Account int
}

// AttemptStore keeps recent attempts in the database, so that several
// instances behind a load balancer share the limits.
type AttemptStore interface {
	// LockAddress serialises the attempts of kind from ip until the
	// transaction in ctx ends, so that concurrent attempts cannot all pass
	// the same check.
	LockAddress(ctx context.Context, kind, ip string) error
	// Record stores a and returns the attempts of its kind made before it.
	Record(ctx context.Context, a Attempt, q AttemptQuery) (AttemptHistory, error)
	// Forget deletes the attempts of kind for the account from ip.
	Forget(ctx context.Context, kind, account, ip string) error
	// Purge deletes the attempts made before the instant and returns how many.
	Purge(ctx context.Context, before time.Time) (int64, error)
}

// limit allows fewer than max attempts within a sliding window.
type limit struct {
	max    int
	window time.Duration
}

// wait returns how long until fewer than l.max of times (oldest first) lie
// within the window before now, or 0 when that is already so.
func (l limit) wait(times []time.Time, now time.Time) time.Duration {
	in := 0
	for _, t := range times {
		if now.Sub(t) < l.window {
			in++
		}
	}
	if in < l.max {
		return 0
	}
	// The attempt whose expiry leaves max-1 in the window.
	return times[len(times)-l.max].Add(l.window).Sub(now)
}

// The sign-in limits. An attacker on one address gets 10 guesses per
// account per 15 minutes and 50 over all accounts. Counting failures per
// account alone would let a distributed attack lock the owner out, so an
// account with 100 failures in the last hour is only "under attack": each
// address then gets 3 failures per hour for it, and an address that has not
// failed recently still signs in with the right password.
var (
	pairLimit       = limit{max: 10, window: 15 * time.Minute}
	addressLimit    = limit{max: 50, window: 15 * time.Minute}
	underAttackPair = limit{max: 3, window: time.Hour}
)

// underAttack is the number of failures per hour, from every address, at
// which an account is under attack.
const underAttack = 100

// signupLimit allows 5 sign-ups per address per hour.
var signupLimit = limit{max: 5, window: time.Hour}

// attemptRetention is the longest window: older attempts are purged.
const attemptRetention = time.Hour

// loginQuery asks for what loginWait needs.
func loginQuery(now time.Time) AttemptQuery {
	return AttemptQuery{
		AddressSince: now.Add(-addressLimit.window),
		PairSince:    now.Add(-underAttackPair.window),
		AccountSince: now.Add(-time.Hour),
		AccountCap:   underAttack,
	}
}

// loginWait returns how long the address must wait before another sign-in
// to the account, or 0.
func loginWait(h AttemptHistory, now time.Time) time.Duration {
	wait := max(pairLimit.wait(h.Pair, now), addressLimit.wait(h.Address, now))
	if h.Account >= underAttack {
		wait = max(wait, underAttackPair.wait(h.Pair, now))
	}
	return wait
}

// signupQuery asks for what signupWait needs.
func signupQuery(now time.Time) AttemptQuery {
	return AttemptQuery{AddressSince: now.Add(-signupLimit.window), PairSince: now, AccountSince: now}
}

// signupWait returns how long the address must wait before another
// sign-up, or 0.
func signupWait(h AttemptHistory, now time.Time) time.Duration {
	return signupLimit.wait(h.Address, now)
}

// countAttempt records a before the work it guards, in a transaction
// holding the address's lock. When wait finds a limit reached it returns a
// RateLimited error with msg, and the rollback leaves the refused attempt
// uncounted.
func (s *Service) countAttempt(ctx context.Context, a Attempt, q AttemptQuery, wait func(AttemptHistory, time.Time) time.Duration, msg string) error {
	return s.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.Attempts.LockAddress(ctx, a.Kind, a.IP); err != nil {
			return err
		}
		h, err := s.Attempts.Record(ctx, a, q)
		if err != nil {
			return err
		}
		if d := wait(h, a.At); d > 0 {
			return apperr.RateLimited(msg, d)
		}
		return nil
	})
}

// PurgeAttempts deletes the attempts older than every limit's window at now.
func (s *Service) PurgeAttempts(ctx context.Context, now time.Time) (int64, error) {
	return s.Attempts.Purge(ctx, now.Add(-attemptRetention))
}

// attemptAccount is the account key of an email: bounded, and valid text
// for the database whatever the client sent.
func attemptAccount(email string) string {
	return truncate(strings.ToValidUTF8(strings.ReplaceAll(email, "\x00", ""), "?"), 320)
}

// attemptAddress is the address key of a client address. An IPv6 client
// usually holds a whole /64, so the limits apply to the /64: otherwise
// each of its addresses would be a fresh one.
func attemptAddress(ip string) string {
	if a, err := netip.ParseAddr(ip); err == nil {
		a = a.Unmap()
		if a.Is6() {
			return netip.PrefixFrom(a.WithZone(""), 64).Masked().String()
		}
		return a.String()
	}
	return truncate(strings.ToValidUTF8(strings.ReplaceAll(ip, "\x00", ""), "?"), 64)
}
