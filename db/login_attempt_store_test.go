package db_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/app/account"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
)

// The sign-in and sign-up limits through account.Service on PostgreSQL,
// with a clock the test moves.

const limitPassword = "long enough password"

// accountsOn returns an account service over bdb reading the clock.
func accountsOn(bdb *bun.DB, clk *clock) *account.Service {
	return &account.Service{Store: &db.AccountStore{DB: bdb}, Registers: &db.RegisterStore{DB: bdb}, Tx: db.Tx{DB: bdb},
		NewID: db.NewID, Now: clk.Now, Attempts: &db.LoginAttemptStore{DB: bdb}, IdleTimeout: time.Hour, MaxLifetime: 12 * time.Hour}
}

// limitFixture is a database with one user and an account service on a
// test clock.
func limitFixture(t *testing.T, email string) (*account.Service, *clock, string) {
	t.Helper()
	bdb, name := dbtest.NewDB(t)
	clk := &clock{now: time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)}
	svc := accountsOn(bdb, clk)
	if _, _, err := svc.CreateUser(context.Background(), account.NewUserInput{Organization: "Limits", Name: "Owner",
		Email: email, Password: limitPassword, Role: account.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	return svc, clk, name
}

// wantFailure asserts a 401-style refusal: the password was checked.
func wantFailure(t *testing.T, err error, what string) {
	t.Helper()
	if !apperr.Is(err, apperr.Unauthenticated) {
		t.Fatalf("%s: %v, want incorrect email or password", what, err)
	}
}

// wantLimited asserts a refusal by the rate limit with a wait in (0, max].
func wantLimited(t *testing.T, err error, max time.Duration, what string) time.Duration {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.TooManyRequests {
		t.Fatalf("%s: %v, want rate limited", what, err)
	}
	if e.RetryAfter <= 0 || e.RetryAfter > max {
		t.Errorf("%s: wait %v, want in (0, %v]", what, e.RetryAfter, max)
	}
	return e.RetryAfter
}

func TestLoginDistributedAttackDoesNotLockOutOwner(t *testing.T) {
	const email = "owner@limits.example"
	svc, clk, _ := limitFixture(t, email)
	ctx := context.Background()
	for a := 10; a <= 19; a++ {
		ip := fmt.Sprintf("127.0.0.%d", a)
		for i := 0; i < 10; i++ {
			_, err := svc.Login(ctx, email, fmt.Sprintf("wrong %d %d", a, i), "test", ip)
			wantFailure(t, err, fmt.Sprintf("failure %d from %s", i+1, ip))
			clk.Advance(time.Second)
		}
		_, err := svc.Login(ctx, email, "one more", "test", ip)
		wantLimited(t, err, time.Hour, "11th failure from "+ip)
	}
	// The real password from an address with no failures signs in.
	if tok, err := svc.Login(ctx, "  Owner@Limits.example ", limitPassword, "test", "127.0.0.20"); err != nil || tok == "" {
		t.Fatalf("owner from a fresh address: %v, want a session", err)
	}
	// An attacker address is refused even the right password, so a correct
	// guess cannot slip past the count.
	_, err := svc.Login(ctx, email, limitPassword, "test", "127.0.0.10")
	wantLimited(t, err, time.Hour, "right password from an attacker address")
	// Under attack, a new address gets 3 failures for the account per hour.
	for i := 0; i < 3; i++ {
		_, err := svc.Login(ctx, email, fmt.Sprintf("late %d", i), "test", "127.0.0.21")
		wantFailure(t, err, fmt.Sprintf("late failure %d", i+1))
	}
	clk.Advance(time.Minute)
	_, err = svc.Login(ctx, email, limitPassword, "test", "127.0.0.21")
	wait := wantLimited(t, err, time.Hour, "4th attempt from a new address under attack")
	if wait != time.Hour-time.Minute {
		t.Errorf("wait %v, want 59m: until the address's first failure is an hour old", wait)
	}
	// The attacker's 15 minutes for the pair are over, but the account is
	// still under attack: its addresses keep waiting for their hour.
	clk.Advance(16 * time.Minute)
	_, err = svc.Login(ctx, email, "again", "test", "127.0.0.19")
	wantLimited(t, err, time.Hour, "attacker address after 15 minutes while the account is under attack")
	// An hour after the attack everyone may try again.
	clk.Advance(time.Hour)
	if _, err := svc.Login(ctx, email, limitPassword, "test", "127.0.0.10"); err != nil {
		t.Errorf("attacker address an hour later with the right password: %v", err)
	}
}

func TestLoginPairAndAddressLimits(t *testing.T) {
	const email = "owner@pair.example"
	svc, clk, _ := limitFixture(t, email)
	ctx := context.Background()
	const ip = "198.51.100.7"
	t0 := clk.Now()
	for i := 0; i < 10; i++ {
		_, err := svc.Login(ctx, email, "wrong password", "test", ip)
		wantFailure(t, err, fmt.Sprintf("failure %d", i+1))
		clk.Advance(time.Minute)
	}
	_, err := svc.Login(ctx, email, limitPassword, "test", ip)
	if wait := wantLimited(t, err, 15*time.Minute, "11th attempt"); wait != t0.Add(15*time.Minute).Sub(clk.Now()) {
		t.Errorf("wait %v, want %v: until the first failure leaves the 15-minute window", wait, t0.Add(15*time.Minute).Sub(clk.Now()))
	}
	// The window slides: one failure leaves it, one attempt comes back.
	clk.Advance(t0.Add(15 * time.Minute).Sub(clk.Now()))
	_, err = svc.Login(ctx, email, "wrong password", "test", ip)
	wantFailure(t, err, "attempt after the first failure left the window")
	_, err = svc.Login(ctx, email, "wrong password", "test", ip)
	wantLimited(t, err, 15*time.Minute, "the next attempt")

	// The same address may still try other accounts, up to 50 failures in
	// all per 15 minutes (credential stuffing); 10 are in the window.
	for i := 0; i < 40; i++ {
		_, err := svc.Login(ctx, fmt.Sprintf("user%02d@pair.example", i), "wrong password", "test", ip)
		wantFailure(t, err, fmt.Sprintf("failure for account %d", i))
	}
	_, err = svc.Login(ctx, "fresh@pair.example", "wrong password", "test", ip)
	wantLimited(t, err, 15*time.Minute, "51st failure from the address")
	// Those accounts are not refused elsewhere.
	if _, err := svc.Login(ctx, email, limitPassword, "test", "198.51.100.8"); err != nil {
		t.Errorf("owner from another address: %v", err)
	}
}

func TestLoginSuccessForgetsOnlyTheOwnersTypos(t *testing.T) {
	const email = "owner@typos.example"
	svc, _, _ := limitFixture(t, email)
	ctx := context.Background()
	const ip = "198.51.100.7"
	for i := 0; i < 9; i++ {
		_, err := svc.Login(ctx, email, "typo password", "test", ip)
		wantFailure(t, err, "typo")
	}
	if _, err := svc.Login(ctx, email, limitPassword, "test", ip); err != nil {
		t.Fatalf("right password after 9 typos: %v", err)
	}
	// The typos are forgiven: nine more do not reach the limit.
	for i := 0; i < 9; i++ {
		_, err := svc.Login(ctx, email, "typo password", "test", ip)
		wantFailure(t, err, "typo after a success")
	}
	if _, err := svc.Login(ctx, email, limitPassword, "test", ip); err != nil {
		t.Fatalf("right password after 9 more typos: %v", err)
	}
	// An attacker's success on their own account leaves their failures on
	// other accounts counted: 50 from the address, then the own account.
	const attacker = "203.0.113.66"
	for i := 0; i < 49; i++ {
		_, err := svc.Login(ctx, fmt.Sprintf("victim%02d@typos.example", i), "guess password", "test", attacker)
		wantFailure(t, err, "guess")
	}
	if _, err := svc.Login(ctx, email, limitPassword, "test", attacker); err != nil {
		t.Fatalf("a good login from the address: %v", err)
	}
	_, err := svc.Login(ctx, "victim49@typos.example", "guess password", "test", attacker)
	wantFailure(t, err, "50th guess")
	_, err = svc.Login(ctx, "victim50@typos.example", "guess password", "test", attacker)
	wantLimited(t, err, 15*time.Minute, "51st guess after a good login")
}

func TestLoginConcurrentGuessesAreAllCounted(t *testing.T) {
	const email = "owner@burst.example"
	svc, clk, name := limitFixture(t, email)
	second, err := db.Open(dbtest.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	instances := []*account.Service{svc, accountsOn(second, clk)}
	const n = 24
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = instances[i%2].Login(context.Background(), email, fmt.Sprintf("burst guess %d", i), "test", "192.0.2.9")
		}()
	}
	wg.Wait()
	checked := 0
	for i, err := range errs {
		switch {
		case apperr.Is(err, apperr.Unauthenticated):
			checked++
		case apperr.Is(err, apperr.TooManyRequests):
		default:
			t.Errorf("guess %d: %v", i, err)
		}
	}
	if checked != 10 {
		t.Errorf("%d of %d parallel guesses on two instances had their password checked, want exactly 10", checked, n)
	}
}

func TestLoginLimitSharedByInstances(t *testing.T) {
	const email = "owner@shared.example"
	one, clk, name := limitFixture(t, email)
	bdb, err := db.Open(dbtest.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	two := accountsOn(bdb, clk)
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		svc := []*account.Service{one, two}[i%2]
		_, err := svc.Login(ctx, email, "wrong password", "test", "192.0.2.1")
		wantFailure(t, err, fmt.Sprintf("failure %d", i+1))
	}
	for i, svc := range []*account.Service{one, two} {
		_, err := svc.Login(ctx, email, "wrong password", "test", "192.0.2.1")
		wantLimited(t, err, 15*time.Minute, fmt.Sprintf("11th failure on instance %d", i+1))
	}
}

func TestSignupLimitPerAddress(t *testing.T) {
	svc, clk, _ := limitFixture(t, "first@signup.example")
	ctx := context.Background()
	in := func(n int) account.SignupInput {
		return account.SignupInput{Organization: fmt.Sprintf("Org %d", n), Name: "Owner",
			Email: fmt.Sprintf("owner%d@signup.example", n), Password: limitPassword}
	}
	const ip = "198.51.100.30"
	for n := 1; n <= 4; n++ {
		if _, err := svc.Signup(ctx, in(n), "test", ip); err != nil {
			t.Fatalf("sign-up %d: %v", n, err)
		}
		clk.Advance(time.Minute)
	}
	// A sign-up refused for an existing email counts too.
	dup := in(1)
	dup.Organization = "Duplicate"
	if _, err := svc.Signup(ctx, dup, "test", ip); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("duplicate email: %v, want a field error", err)
	}
	_, err := svc.Signup(ctx, in(6), "test", ip)
	wantLimited(t, err, time.Hour, "6th sign-up from the address")
	if _, err := svc.FindOrganization(ctx, "Org 6"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("the refused sign-up created its organization (%v)", err)
	}
	// Another address is not limited.
	if _, err := svc.Signup(ctx, in(7), "test", "198.51.100.31"); err != nil {
		t.Errorf("sign-up from another address: %v", err)
	}
	// An hour after the first sign-up, one more is allowed.
	clk.Advance(time.Hour - 4*time.Minute)
	if _, err := svc.Signup(ctx, in(8), "test", ip); err != nil {
		t.Errorf("sign-up an hour later: %v", err)
	}
	_, err = svc.Signup(ctx, in(9), "test", ip)
	wantLimited(t, err, time.Hour, "the next one")
}

func TestPurgeAttemptsKeepsTheLastHour(t *testing.T) {
	const email = "owner@purge.example"
	svc, clk, _ := limitFixture(t, email)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		_, err := svc.Login(ctx, email, "wrong password", "test", "192.0.2.50")
		wantFailure(t, err, "old failure")
	}
	clk.Advance(50 * time.Minute)
	for i := 0; i < 10; i++ {
		_, err := svc.Login(ctx, email, "wrong password", "test", "192.0.2.51")
		wantFailure(t, err, "recent failure")
	}
	clk.Advance(11 * time.Minute)
	n, err := svc.PurgeAttempts(ctx, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("purged %d attempts, want the 5 older than an hour", n)
	}
	// The recent failures are kept and still count.
	_, err = svc.Login(ctx, email, limitPassword, "test", "192.0.2.51")
	wantLimited(t, err, 15*time.Minute, "address with 10 failures 11 minutes ago, after the purge")
	if n, err := svc.PurgeAttempts(ctx, clk.Now()); err != nil || n != 0 {
		t.Errorf("second purge: %d, %v; want nothing left to purge", n, err)
	}
}

func TestLoginOddInputIsCountedNotAnError(t *testing.T) {
	svc, _, _ := limitFixture(t, "owner@odd.example")
	ctx := context.Background()
	for _, email := range []string{"owner@odd.example\x00", "\xff@odd.example", string(make([]byte, 2000))} {
		for _, ip := range []string{"", "not an address", "2001:db8::1%eth0", "10.0.0.1\x00"} {
			_, err := svc.Login(ctx, email, "whatever password", "test", ip)
			wantFailure(t, err, fmt.Sprintf("email %q from %q", email, ip))
		}
	}
}

func TestLoginIPv6ClientsLimitedPerSlash64(t *testing.T) {
	const email = "owner@ipv6.example"
	svc, _, _ := limitFixture(t, email)
	ctx := context.Background()
	for i := 1; i <= 10; i++ {
		_, err := svc.Login(ctx, email, "wrong password", "test", fmt.Sprintf("2001:db8:1:2::%x", i))
		wantFailure(t, err, fmt.Sprintf("failure %d", i))
	}
	_, err := svc.Login(ctx, email, limitPassword, "test", "2001:db8:1:2:ffff::1")
	wantLimited(t, err, 15*time.Minute, "another address of the same /64")
	if _, err := svc.Login(ctx, email, limitPassword, "test", "2001:db8:1:3::1"); err != nil {
		t.Errorf("another /64: %v", err)
	}
}
