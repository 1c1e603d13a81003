package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Rate limits seen from the browser: client addresses are distinct
// loopback addresses (see clientFrom), as the review used 127.0.0.10–19.

// loginFrom posts the login form from ip and returns the response without
// following the redirect.
func (e *env) loginFrom(ip, email, password string) *response {
	e.t.Helper()
	return e.clientFrom(ip).noRedirect().postForm("/login", url.Values{"email": {email}, "password": {password}})
}

func TestLoginDistributedAttackOwnerStillSignsIn(t *testing.T) {
	e := newEnv(t)
	const email = "owner@distributed.example"
	e.signup("Distributed Org", email)
	// Ten wrong passwords from each of ten addresses: 100 failures in an
	// hour put the account under attack.
	for a := 10; a <= 19; a++ {
		ip := fmt.Sprintf("127.0.0.%d", a)
		c := e.clientFrom(ip).noRedirect()
		for i := 1; i <= 10; i++ {
			res := c.postForm("/login", url.Values{"email": {email}, "password": {fmt.Sprintf("guess %d from %d", i, a)}})
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("failure %d from %s: status %d, want 401", i, ip, res.StatusCode)
			}
		}
	}
	// The owner, from an address that has not failed, signs in.
	owner := e.clientFrom("127.0.0.20")
	res := owner.postForm("/login", url.Values{"email": {email}, "password": {testPassword}})
	if res.StatusCode != http.StatusOK || res.URL != e.URL+"/" {
		t.Fatalf("owner from a fresh address during the attack: status %d at %s, want the dashboard", res.StatusCode, res.URL)
	}
	if p := owner.principal(); p.User.Email != email {
		t.Errorf("signed in as %q, want %q", p.User.Email, email)
	}
	// Every attacker address stays throttled, even with the right password:
	// a correct guess cannot get past the count.
	for _, ip := range []string{"127.0.0.10", "127.0.0.19"} {
		res := e.loginFrom(ip, email, testPassword)
		if res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("attacker address %s with the right password: status %d, want 429", ip, res.StatusCode)
		}
		if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra <= 0 || ra > int(time.Hour.Seconds())+1 {
			t.Errorf("attacker address %s: Retry-After %q, want seconds in (0, 3601]", ip, res.Header.Get("Retry-After"))
		}
		if secLoginError(t, res) == "" {
			t.Errorf("attacker address %s: 429 without the message on the login page", ip)
		}
	}
	// While the account is under attack a new address gets 3 failures for
	// it, not 10.
	for i := 1; i <= 3; i++ {
		if res := e.loginFrom("127.0.0.21", email, fmt.Sprintf("late guess %d", i)); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("late failure %d from a new address: status %d, want 401", i, res.StatusCode)
		}
	}
	if res := e.loginFrom("127.0.0.21", email, "late guess 4"); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("4th failure from a new address while the account is under attack: status %d, want 429", res.StatusCode)
	}
}

func TestLoginLimitSharedByTwoInstances(t *testing.T) {
	one := newEnv(t)
	two := one.instance()
	const email = "owner@instances.example"
	one.signup("Instances Org", email)
	// Five failures through each instance, from the same address.
	for i := 1; i <= 10; i++ {
		e := one
		if i%2 == 0 {
			e = two
		}
		if res := e.loginFrom("127.0.0.40", email, fmt.Sprintf("guess number %d", i)); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d, want 401", i, res.StatusCode)
		}
	}
	for name, e := range map[string]*env{"first": one, "second": two} {
		if res := e.loginFrom("127.0.0.40", email, "guess number 11"); res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("11th failure through the %s instance: status %d, want 429 (the instances share the limit)", name, res.StatusCode)
		}
	}
	// The owner on another address signs in through either instance.
	for name, e := range map[string]*env{"first": one, "second": two} {
		if res := e.loginFrom("127.0.0.41", email, testPassword); res.StatusCode != http.StatusSeeOther {
			t.Errorf("owner through the %s instance: status %d, want 303", name, res.StatusCode)
		}
	}
}

func TestSignupRateLimitPerAddress(t *testing.T) {
	e := newEnv(t)
	one, two := e, e.instance()
	signup := func(e *env, ip string, n int) *response {
		c := e.clientFrom(ip).noRedirect()
		return c.postForm("/signup", url.Values{"organization": {fmt.Sprintf("Signup Org %d", n)}, "name": {"Owner"},
			"email": {fmt.Sprintf("owner%d@signup.example", n)}, "password": {testPassword}})
	}
	// Five sign-ups an hour from one address, whichever instance serves them.
	for n := 1; n <= 5; n++ {
		inst := one
		if n%2 == 0 {
			inst = two
		}
		if res := signup(inst, "127.0.0.50", n); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-up %d: status %d, want 303: %s", n, res.StatusCode, res.Body)
		}
	}
	for _, inst := range []*env{one, two} {
		res := signup(inst, "127.0.0.50", 6)
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("6th sign-up from the address: status %d, want 429", res.StatusCode)
		}
		if ra, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || ra <= 0 || ra > int(time.Hour.Seconds())+1 {
			t.Errorf("Retry-After %q, want seconds in (0, 3601]", res.Header.Get("Retry-After"))
		}
		doc := res.Doc(t)
		if msg := strings.TrimSpace(doc.Find(`[data-testid="signup-error"]`).Text()); !strings.Contains(msg, "Too many sign-ups") {
			t.Errorf("429 sign-up page message %q, want it to say there were too many sign-ups", msg)
		}
		if v, _ := doc.Find(`input[name="organization"]`).Attr("value"); v != "Signup Org 6" {
			t.Errorf("the form lost its values: organization %q", v)
		}
	}
	var orgs int
	if err := e.DB.NewRaw("SELECT count(*) FROM organizations").Scan(context.Background(), &orgs); err != nil {
		t.Fatal(err)
	}
	if orgs != 5 {
		t.Errorf("%d organizations created, want 5", orgs)
	}
	// Another address is not limited by this one.
	if res := signup(one, "127.0.0.51", 7); res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-up from another address: status %d, want 303", res.StatusCode)
	}
}
