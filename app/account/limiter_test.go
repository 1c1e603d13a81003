package account

import (
	"testing"
	"time"
)

// The rules of loginWait and signupWait over histories; the same limits
// through the service on PostgreSQL are in db/login_attempt_store_test.go.

var limiterT0 = time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)

// times returns n instants step apart from start, oldest first.
func times(start time.Time, n int, step time.Duration) []time.Time {
	ts := make([]time.Time, n)
	for i := range ts {
		ts[i] = start.Add(time.Duration(i) * step)
	}
	return ts
}

func TestLoginWait(t *testing.T) {
	now := limiterT0.Add(10 * time.Minute)
	tests := []struct {
		name string
		h    AttemptHistory
		want time.Duration
	}{
		{"nothing before", AttemptHistory{}, 0},
		{"9 failures for the pair", AttemptHistory{Pair: times(limiterT0, 9, time.Minute), Address: times(limiterT0, 9, time.Minute)}, 0},
		{"10 failures for the pair: until the first is 15 minutes old",
			AttemptHistory{Pair: times(limiterT0, 10, time.Minute), Address: times(limiterT0, 10, time.Minute)}, 5 * time.Minute},
		{"12 for the pair, 8 of them within 15 minutes",
			AttemptHistory{Pair: times(limiterT0.Add(-12*time.Minute), 12, 2*time.Minute), Address: times(limiterT0.Add(-12*time.Minute), 12, 2*time.Minute)}, 0},
		{"49 from the address", AttemptHistory{Address: times(limiterT0, 49, time.Second)}, 0},
		{"50 from the address", AttemptHistory{Address: times(limiterT0, 50, time.Second)}, 5 * time.Minute},
		{"60 from the address: until the 11th is 15 minutes old", AttemptHistory{Address: times(limiterT0, 60, time.Second)}, 5*time.Minute + 10*time.Second},
		// The account under attack.
		{"account under attack, address never failed", AttemptHistory{Account: 100}, 0},
		{"account under attack, 2 failures from the address", AttemptHistory{Account: 100, Pair: times(limiterT0, 2, time.Minute), Address: times(limiterT0, 2, time.Minute)}, 0},
		{"account under attack, 3 failures from the address in the hour",
			AttemptHistory{Account: 100, Pair: times(limiterT0.Add(-40*time.Minute), 3, time.Minute), Address: nil}, 10 * time.Minute},
		{"99 account failures are not an attack", AttemptHistory{Account: 99, Pair: times(limiterT0.Add(-40*time.Minute), 3, time.Minute)}, 0},
		{"under attack and over the pair limit: the longer wait",
			AttemptHistory{Account: 100, Pair: times(limiterT0, 10, time.Minute), Address: times(limiterT0, 10, time.Minute)}, time.Hour - 3*time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := loginWait(tt.h, now); got != tt.want {
				t.Errorf("loginWait = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoginWaitDistributedAttack(t *testing.T) {
	// Ten addresses with ten failures each over the last minutes: the
	// account is under attack, the addresses are refused, a fresh one is not.
	now := limiterT0.Add(5 * time.Minute)
	attacker := AttemptHistory{Account: 100, Pair: times(limiterT0, 10, time.Second), Address: times(limiterT0, 10, time.Second)}
	if w := loginWait(attacker, now); w <= 0 {
		t.Errorf("attacker address not refused")
	}
	if w := loginWait(AttemptHistory{Account: 100}, now); w != 0 {
		t.Errorf("fresh address refused for %v by the account's failures alone", w)
	}
}

func TestSignupWait(t *testing.T) {
	now := limiterT0.Add(30 * time.Minute)
	if w := signupWait(AttemptHistory{Address: times(limiterT0, 4, time.Minute)}, now); w != 0 {
		t.Errorf("4 sign-ups in the hour: wait %v, want 0", w)
	}
	if w := signupWait(AttemptHistory{Address: times(limiterT0, 5, time.Minute)}, now); w != 30*time.Minute {
		t.Errorf("5 sign-ups in the hour: wait %v, want 30m", w)
	}
}

func TestAttemptKeys(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":                          "192.0.2.1",
		"::ffff:192.0.2.1":                   "192.0.2.1",
		"2001:db8:1:2:3:4:5:6":               "2001:db8:1:2::/64",
		"2001:db8:1:2::9%eth0":               "2001:db8:1:2::/64",
		"":                                   "",
		"10.0.0.1, 10.0.0.2":                 "10.0.0.1, 10.0.0.2",
		"bad\x00\xffaddress":                 "bad?address",
		string(make([]byte, 100)):            "",
		"x" + string(make([]byte, 99)) + "y": "xy",
	} {
		if got := attemptAddress(in); got != want {
			t.Errorf("attemptAddress(%q) = %q, want %q", in, got, want)
		}
	}
	if got := attemptAccount("a\x00b\xff"); got != "ab?" {
		t.Errorf("attemptAccount = %q, want %q", got, "ab?")
	}
	long := make([]byte, 1000)
	for i := range long {
		long[i] = 'a'
	}
	if got := attemptAccount(string(long)); len(got) != 320 {
		t.Errorf("attemptAccount kept %d bytes, want 320", len(got))
	}
}
