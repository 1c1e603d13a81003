package account

import (
	"sync"
	"time"
)

// loginRule is one limit: at most Max failures per Window for a key kind.
type loginRule struct {
	kind   string
	max    int
	window time.Duration
}

// The rules keep an attacker on one address from guessing (account and
// address, address alone) and bound distributed guessing per account to
// ASVS's 100 failures an hour, while the real user on another address is
// not locked out by a single attacker.
var loginRules = []loginRule{
	{kind: "acct+ip", max: 10, window: 15 * time.Minute},
	{kind: "ip", max: 50, window: 15 * time.Minute},
	{kind: "acct", max: 100, window: time.Hour},
}

type window struct {
	start    time.Time
	failures int
}

// LoginLimiter counts failed logins in memory. It is per process: behind
// several instances each enforces its own limit.
type LoginLimiter struct {
	mu      sync.Mutex
	windows map[string]*window
	lastGC  time.Time
}

// NewLoginLimiter returns an empty limiter.
func NewLoginLimiter() *LoginLimiter { return &LoginLimiter{windows: map[string]*window{}} }

func limiterKeys(email, ip string) []string {
	return []string{"acct+ip:" + email + "|" + ip, "ip:" + ip, "acct:" + email}
}

// Blocked returns how long the caller must wait before trying again, or 0.
func (l *LoginLimiter) Blocked(email, ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.wait(email, ip, now)
}

// Fail records a failed attempt.
func (l *LoginLimiter) Fail(email, ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.count(email, ip, now)
}

// Begin checks the limits and, when not blocked, counts the attempt as a
// failure at once, under one lock: concurrent guesses cannot all slip
// through before the first is recorded. A good login then calls Succeed
// and Refund. It returns the wait when blocked, or 0.
func (l *LoginLimiter) Begin(email, ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if wait := l.wait(email, ip, now); wait > 0 {
		return wait
	}
	l.count(email, ip, now)
	return 0
}

// wait is the longest wait any rule imposes; l.mu must be held.
func (l *LoginLimiter) wait(email, ip string, now time.Time) time.Duration {
	var wait time.Duration
	for i, key := range limiterKeys(email, ip) {
		rule := loginRules[i]
		w := l.windows[key]
		if w == nil || now.Sub(w.start) >= rule.window || w.failures < rule.max {
			continue
		}
		if d := w.start.Add(rule.window).Sub(now); d > wait {
			wait = d
		}
	}
	return wait
}

// count adds a failure to every rule's window; l.mu must be held.
func (l *LoginLimiter) count(email, ip string, now time.Time) {
	l.gc(now)
	for i, key := range limiterKeys(email, ip) {
		w := l.windows[key]
		if w == nil || now.Sub(w.start) >= loginRules[i].window {
			w = &window{start: now}
			l.windows[key] = w
		}
		w.failures++
	}
}

// Refund takes back the attempt Begin counted, for a login that succeeded,
// so good sign-ins never use up an address's or an account's budget.
func (l *LoginLimiter) Refund(email, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, key := range limiterKeys(email, ip)[1:] {
		if w := l.windows[key]; w != nil && w.failures > 0 {
			w.failures--
		}
	}
}

// Succeed clears the account-and-address counter after a good login.
func (l *LoginLimiter) Succeed(email, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.windows, limiterKeys(email, ip)[0])
}

// gc drops expired windows at most once a minute so memory stays bounded.
func (l *LoginLimiter) gc(now time.Time) {
	if now.Sub(l.lastGC) < time.Minute {
		return
	}
	l.lastGC = now
	for k, w := range l.windows {
		if now.Sub(w.start) >= time.Hour {
			delete(l.windows, k)
		}
	}
}
