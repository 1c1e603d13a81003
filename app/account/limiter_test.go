package account

import (
	"fmt"
	"testing"
	"time"
)

// Unit tests of LoginLimiter with an explicit clock (SECURITY.md promise 3,
// catalogue #26): 10 failures per account and address per 15 minutes, 50
// per address per 15 minutes, 100 per account per hour.

var limiterT0 = time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)

func failN(l *LoginLimiter, email, ip string, n int, at time.Time) {
	for i := 0; i < n; i++ {
		l.Fail(email, ip, at.Add(time.Duration(i)*time.Second))
	}
}

func TestLimiterAccountAddressBlocksAfterTen(t *testing.T) {
	l := NewLoginLimiter()
	const email, ip = "owner@acme.example", "198.51.100.7"
	failN(l, email, ip, 9, limiterT0)
	if w := l.Blocked(email, ip, limiterT0.Add(10*time.Second)); w != 0 {
		t.Fatalf("blocked after 9 failures (wait %v)", w)
	}
	l.Fail(email, ip, limiterT0.Add(10*time.Second))
	now := limiterT0.Add(5 * time.Minute)
	w := l.Blocked(email, ip, now)
	if w <= 0 {
		t.Fatalf("not blocked after 10 failures within 15 minutes")
	}
	// The wait runs to the end of the window that began with the first failure.
	if want := limiterT0.Add(15 * time.Minute).Sub(now); w != want {
		t.Errorf("wait %v, want %v", w, want)
	}
	if w > 15*time.Minute {
		t.Errorf("wait %v longer than the window", w)
	}
	// Still blocked just before the window ends; free at its end.
	if w := l.Blocked(email, ip, limiterT0.Add(15*time.Minute-time.Second)); w != time.Second {
		t.Errorf("one second before the window ends: wait %v, want 1s", w)
	}
	if w := l.Blocked(email, ip, limiterT0.Add(15*time.Minute)); w != 0 {
		t.Errorf("still blocked (%v) after the 15-minute window", w)
	}
	// A new window starts afresh: one failure does not block again.
	l.Fail(email, ip, limiterT0.Add(16*time.Minute))
	if w := l.Blocked(email, ip, limiterT0.Add(16*time.Minute)); w != 0 {
		t.Errorf("blocked (%v) by the first failure of a new window", w)
	}
}

func TestLimiterFailuresOutsideWindowDoNotAccumulate(t *testing.T) {
	l := NewLoginLimiter()
	const email, ip = "owner@acme.example", "198.51.100.7"
	// Nine failures, then nine more after the window: never ten in one window.
	failN(l, email, ip, 9, limiterT0)
	failN(l, email, ip, 9, limiterT0.Add(16*time.Minute))
	if w := l.Blocked(email, ip, limiterT0.Add(17*time.Minute)); w != 0 {
		t.Errorf("blocked (%v) by failures spread over two windows", w)
	}
}

func TestLimiterOtherAddressNotBlocked(t *testing.T) {
	l := NewLoginLimiter()
	const email = "owner@acme.example"
	failN(l, email, "203.0.113.1", 10, limiterT0)
	now := limiterT0.Add(time.Minute)
	if w := l.Blocked(email, "203.0.113.1", now); w <= 0 {
		t.Fatalf("attacker address not blocked after 10 failures")
	}
	// The real user on another address still gets in.
	if w := l.Blocked(email, "198.51.100.20", now); w != 0 {
		t.Errorf("the same account from another address is blocked (%v) by one attacker", w)
	}
	// Another account on the attacker's address is not blocked either (the
	// address limit is 50).
	if w := l.Blocked("someone@acme.example", "203.0.113.1", now); w != 0 {
		t.Errorf("another account on the same address is blocked (%v)", w)
	}
}

func TestLimiterAccountLimitHundredPerHour(t *testing.T) {
	l := NewLoginLimiter()
	const email = "owner@acme.example"
	// 99 failures from 99 addresses (each under its own limits) over 50 minutes.
	for i := 0; i < 99; i++ {
		l.Fail(email, fmt.Sprintf("10.0.%d.%d", i/250, i%250+1), limiterT0.Add(time.Duration(i)*30*time.Second))
	}
	now := limiterT0.Add(50 * time.Minute)
	if w := l.Blocked(email, "192.0.2.200", now); w != 0 {
		t.Fatalf("blocked (%v) after 99 distributed failures; the account limit is 100", w)
	}
	l.Fail(email, "10.9.9.9", now)
	w := l.Blocked(email, "192.0.2.200", now)
	if w <= 0 {
		t.Fatalf("not blocked after 100 failures for the account within an hour")
	}
	if want := limiterT0.Add(time.Hour).Sub(now); w != want {
		t.Errorf("wait %v, want %v (to the end of the hour window)", w, want)
	}
	// Other accounts are unaffected.
	if w := l.Blocked("other@acme.example", "192.0.2.200", now); w != 0 {
		t.Errorf("another account blocked (%v) by the account limit", w)
	}
	if w := l.Blocked(email, "192.0.2.200", limiterT0.Add(time.Hour)); w != 0 {
		t.Errorf("still blocked (%v) after the hour", w)
	}
}

func TestLimiterAddressLimitFifty(t *testing.T) {
	l := NewLoginLimiter()
	const ip = "203.0.113.66"
	// Credential stuffing: 49 accounts, one failure each, from one address.
	for i := 0; i < 49; i++ {
		l.Fail(fmt.Sprintf("user%02d@acme.example", i), ip, limiterT0.Add(time.Duration(i)*time.Second))
	}
	now := limiterT0.Add(2 * time.Minute)
	if w := l.Blocked("fresh@acme.example", ip, now); w != 0 {
		t.Fatalf("address blocked (%v) after 49 failures; the limit is 50", w)
	}
	l.Fail("user49@acme.example", ip, now)
	w := l.Blocked("fresh@acme.example", ip, now)
	if w <= 0 {
		t.Fatalf("address not blocked after 50 failures within 15 minutes")
	}
	if want := limiterT0.Add(15 * time.Minute).Sub(now); w != want {
		t.Errorf("wait %v, want %v", w, want)
	}
	// The accounts themselves are not blocked elsewhere.
	if w := l.Blocked("user00@acme.example", "198.51.100.1", now); w != 0 {
		t.Errorf("an account is blocked (%v) on another address by the address limit", w)
	}
	if w := l.Blocked("fresh@acme.example", ip, limiterT0.Add(15*time.Minute)); w != 0 {
		t.Errorf("address still blocked (%v) after the window", w)
	}
}

func TestLimiterSuccessClearsAccountAddress(t *testing.T) {
	l := NewLoginLimiter()
	const email, ip = "owner@acme.example", "198.51.100.7"
	// Nine typos, then the right password: the counter starts over.
	failN(l, email, ip, 9, limiterT0)
	l.Succeed(email, ip)
	failN(l, email, ip, 9, limiterT0.Add(time.Minute))
	if w := l.Blocked(email, ip, limiterT0.Add(2*time.Minute)); w != 0 {
		t.Errorf("blocked (%v): the success did not clear the account+address counter", w)
	}
	// Blocked, then cleared by a success (e.g. after an admin reset).
	l.Fail(email, ip, limiterT0.Add(2*time.Minute))
	if w := l.Blocked(email, ip, limiterT0.Add(2*time.Minute)); w <= 0 {
		t.Fatalf("not blocked after 10 failures")
	}
	l.Succeed(email, ip)
	if w := l.Blocked(email, ip, limiterT0.Add(2*time.Minute)); w != 0 {
		t.Errorf("still blocked (%v) after a success", w)
	}
	// A success clears only that pair: the address and account counters
	// keep counting (a success must not reset an attacker's budget).
	l2 := NewLoginLimiter()
	for i := 0; i < 49; i++ {
		l2.Fail(fmt.Sprintf("victim%02d@acme.example", i), ip, limiterT0)
	}
	l2.Succeed("attacker@acme.example", ip)
	l2.Fail("victim49@acme.example", ip, limiterT0)
	if w := l2.Blocked("fresh@acme.example", ip, limiterT0); w <= 0 {
		t.Errorf("an attacker's own successful login reset the address counter")
	}
}

func TestLimiterBlockedReturnsPositiveWait(t *testing.T) {
	l := NewLoginLimiter()
	const email, ip = "owner@acme.example", "198.51.100.7"
	if w := l.Blocked(email, ip, limiterT0); w != 0 {
		t.Fatalf("fresh limiter blocks (%v)", w)
	}
	failN(l, email, ip, 10, limiterT0)
	for _, d := range []time.Duration{0, time.Second, 7 * time.Minute, 15*time.Minute - time.Nanosecond} {
		if w := l.Blocked(email, ip, limiterT0.Add(d)); w <= 0 || w > 15*time.Minute {
			t.Errorf("at +%v: wait %v, want in (0, 15m]", d, w)
		}
	}
	// When several limits apply, the longest wait wins.
	l2 := NewLoginLimiter()
	for i := 0; i < 100; i++ {
		l2.Fail(email, fmt.Sprintf("10.1.%d.%d", i/200, i%200+1), limiterT0)
	}
	failN(l2, email, ip, 10, limiterT0)
	if w := l2.Blocked(email, ip, limiterT0.Add(time.Minute)); w != 59*time.Minute {
		t.Errorf("account and address both over their limits: wait %v, want 59m (the account's hour)", w)
	}
}

func TestLimiterGCKeepsActiveWindows(t *testing.T) {
	l := NewLoginLimiter()
	const email = "owner@acme.example"
	// 99 failures for the account early in the hour...
	for i := 0; i < 99; i++ {
		l.Fail(email, fmt.Sprintf("10.2.0.%d", i+1), limiterT0)
	}
	// ...then unrelated traffic triggers garbage collection later on.
	for m := 1; m <= 59; m++ {
		l.Fail("noise@acme.example", fmt.Sprintf("10.3.0.%d", m), limiterT0.Add(time.Duration(m)*time.Minute))
	}
	l.Fail(email, "10.2.1.1", limiterT0.Add(59*time.Minute))
	if w := l.Blocked(email, "192.0.2.1", limiterT0.Add(59*time.Minute)); w <= 0 {
		t.Errorf("garbage collection dropped a live account window")
	}
	// Expired windows are dropped eventually (memory stays bounded).
	l.Fail("late@acme.example", "10.4.0.1", limiterT0.Add(3*time.Hour))
	l.mu.Lock()
	n := len(l.windows)
	l.mu.Unlock()
	if n > 3 {
		t.Errorf("%d windows kept after every old one expired, want ≤ 3", n)
	}
}
