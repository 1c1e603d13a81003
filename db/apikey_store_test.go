package db_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/app/apperr"
	"github.com/riskreg/riskreg/app/audit"
	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
)

// clock is a settable time source for the services under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (f *fixture) apiKeys(t *testing.T) (*apikey.Service, *clock) {
	t.Helper()
	clk := &clock{now: time.Now().UTC().Truncate(time.Microsecond)}
	return &apikey.Service{Store: &db.APIKeyStore{DB: f.DB}, Events: f.Events, Tx: db.Tx{DB: f.DB}, NewID: db.NewID, Now: clk.Now}, clk
}

func createKey(t *testing.T, svc *apikey.Service, tn tenant, in apikey.CreateInput) (*apikey.Key, string) {
	t.Helper()
	if in.Name == "" {
		in.Name = "Scanner import"
	}
	if in.Scopes == nil {
		in.Scopes = []string{apikey.ScopeRead, apikey.ScopeWrite}
	}
	k, secret, err := svc.Create(context.Background(), tn.OrgID, tn.Actor, in)
	if err != nil {
		t.Fatal(err)
	}
	return k, secret
}

func wantUnauthenticated(t *testing.T, label string, p *apikey.Principal, err error) {
	t.Helper()
	if p != nil || !apperr.Is(err, apperr.Unauthenticated) {
		t.Errorf("%s: principal %+v, err %v; want Unauthenticated", label, p, err)
	}
}

func TestAPIKeyStoredAsPrefixAndHashOnly(t *testing.T) {
	f := newFixture(t)
	svc, _ := f.apiKeys(t)
	a := f.tenant(t, "Alpha")
	k, secret := createKey(t, svc, a, apikey.CreateInput{Name: "CI pipeline"})
	if !strings.HasPrefix(secret, "rr_"+k.Prefix+"_") || len(secret) != 55 {
		t.Fatalf("secret %q does not start with rr_%s_", secret, k.Prefix)
	}
	secretPart := secret[len("rr_"+k.Prefix+"_"):]
	sum := sha256.Sum256([]byte(secret))

	var row, events string
	ctx := context.Background()
	if err := f.DB.QueryRowContext(ctx, "SELECT row_to_json(k)::text FROM api_keys k").Scan(&row); err != nil {
		t.Fatal(err)
	}
	if err := f.DB.QueryRowContext(ctx, "SELECT coalesce(string_agg(row_to_json(e)::text, ' '), '') FROM events e").Scan(&events); err != nil {
		t.Fatal(err)
	}
	secrets := []string{secret, secretPart, secretPart[:16], secretPart[len(secretPart)-16:]}
	for _, leak := range secrets {
		if strings.Contains(row, leak) {
			t.Errorf("the api_keys row contains the secret %q: %s", leak, row)
		}
	}
	for _, leak := range append(secrets, hex.EncodeToString(sum[:])) {
		if strings.Contains(events, leak) {
			t.Errorf("the events contain the secret or its hash %q: %s", leak, events)
		}
	}
	var prefix string
	var stored []byte
	if err := f.DB.QueryRowContext(ctx, "SELECT prefix, secret_hash FROM api_keys WHERE id = ?", k.ID).Scan(&prefix, &stored); err != nil {
		t.Fatal(err)
	}
	if prefix != k.Prefix || string(stored) != string(sum[:]) {
		t.Errorf("stored prefix %q and hash %x, want %q and the SHA-256 of the whole key", prefix, stored, k.Prefix)
	}

	evs, err := f.Events.ForEntity(ctx, a.OrgID, audit.EntityAPIKey, k.ID, 10)
	if err != nil || len(evs) != 1 {
		t.Fatalf("creation events: %v %v", evs, err)
	}
	ev := evs[0]
	changes := map[string]string{}
	for _, c := range ev.Changes {
		changes[c.Field] = c.New
	}
	if ev.Action != audit.ActionCreated || ev.EntityLabel != "CI pipeline" || ev.Actor.MemberID != a.Actor.MemberID ||
		changes["name"] != "CI pipeline" || changes["scopes"] != "risks:read, risks:write" {
		t.Errorf("creation event %+v with changes %v", ev, changes)
	}

	keys, err := svc.List(ctx, a.OrgID)
	if err != nil || len(keys) != 1 || keys[0].ID != k.ID || keys[0].CreatorName != a.Actor.Name || keys[0].LastUsedAt != nil {
		t.Fatalf("list: %+v %v", keys, err)
	}
}

func TestAPIKeyAuthenticate(t *testing.T) {
	f := newFixture(t)
	svc, clk := f.apiKeys(t)
	a := f.tenant(t, "Alpha")
	ctx := context.Background()
	k, secret := createKey(t, svc, a, apikey.CreateInput{Name: "Reader", Scopes: []string{apikey.ScopeRead}})
	_, other := createKey(t, svc, a, apikey.CreateInput{Name: "Other"})

	p, err := svc.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	want := apikey.Principal{OrganizationID: a.OrgID, KeyID: k.ID, KeyName: "Reader", Scopes: []string{apikey.ScopeRead},
		CreatorMemberID: a.Actor.MemberID, CreatorName: a.Actor.Name}
	if p.OrganizationID != want.OrganizationID || p.KeyID != want.KeyID || p.KeyName != want.KeyName ||
		strings.Join(p.Scopes, ",") != "risks:read" || p.CreatorMemberID != want.CreatorMemberID || p.CreatorName != want.CreatorName {
		t.Fatalf("principal %+v, want %+v", p, want)
	}
	if !p.Has(apikey.ScopeRead) || p.Has(apikey.ScopeWrite) {
		t.Errorf("a read key's scopes: %v", p.Scopes)
	}

	// A right prefix with a wrong secret, and a right secret with another
	// key's prefix, are both refused.
	flipped := []byte(secret)
	if flipped[len(flipped)-1] == 'A' {
		flipped[len(flipped)-1] = 'B'
	} else {
		flipped[len(flipped)-1] = 'A'
	}
	p, err = svc.Authenticate(ctx, string(flipped))
	wantUnauthenticated(t, "wrong secret", p, err)
	p, err = svc.Authenticate(ctx, other[:12]+secret[12:])
	wantUnauthenticated(t, "another key's prefix", p, err)
	p, err = svc.Authenticate(ctx, "rr_zzzzzzzz"+secret[11:])
	wantUnauthenticated(t, "unknown prefix", p, err)

	for name, s := range map[string]string{
		"empty": "", "no prefix": secret[12:], "scheme only": "rr_", "huge": strings.Repeat(secret, 20_000),
		"NUL": secret[:30] + "\x00" + secret[31:], "trailing NUL": secret + "\x00", "whitespace": " " + secret,
	} {
		p, err := svc.Authenticate(ctx, s)
		wantUnauthenticated(t, name, p, err)
	}

	// last_used_at: set on the first use, then at most once a minute.
	lastUsed := func() time.Time {
		t.Helper()
		var at *time.Time
		if err := f.DB.QueryRowContext(ctx, "SELECT last_used_at FROM api_keys WHERE id = ?", k.ID).Scan(&at); err != nil {
			t.Fatal(err)
		}
		if at == nil {
			t.Fatal("last_used_at not recorded")
		}
		return at.UTC()
	}
	first := lastUsed()
	if !first.Equal(clk.Now()) {
		t.Errorf("last_used_at %v, want %v", first, clk.Now())
	}
	clk.Advance(30 * time.Second)
	if _, err := svc.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if got := lastUsed(); !got.Equal(first) {
		t.Errorf("last_used_at rewritten after 30 s: %v -> %v", first, got)
	}
	clk.Advance(31 * time.Second)
	if _, err := svc.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if got := lastUsed(); !got.Equal(clk.Now()) {
		t.Errorf("last_used_at %v after a minute, want %v", got, clk.Now())
	}
}

func TestAPIKeyRevokedAndExpiredRefusedOnTheNextRequest(t *testing.T) {
	f := newFixture(t)
	svc, clk := f.apiKeys(t)
	a := f.tenant(t, "Alpha")
	ctx := context.Background()
	k, secret := createKey(t, svc, a, apikey.CreateInput{})
	if _, err := svc.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	revoked, err := svc.Revoke(ctx, a.OrgID, a.Actor, k.ID)
	if err != nil || revoked.RevokedAt == nil {
		t.Fatalf("revoke: %+v %v", revoked, err)
	}
	p, err := svc.Authenticate(ctx, secret)
	wantUnauthenticated(t, "revoked", p, err)
	if err != apikey.ErrRevoked {
		t.Errorf("revoked key: %v, want ErrRevoked", err)
	}
	// Idempotent: a second revocation changes nothing and writes nothing.
	again, err := svc.Revoke(ctx, a.OrgID, a.Actor, k.ID)
	if err != nil || !again.RevokedAt.Equal(*revoked.RevokedAt) {
		t.Fatalf("second revoke: %+v %v", again, err)
	}
	evs, _ := f.Events.ForEntity(ctx, a.OrgID, audit.EntityAPIKey, k.ID, 10)
	if len(evs) != 2 || evs[0].Action != audit.ActionUpdated || len(evs[0].Changes) != 1 ||
		evs[0].Changes[0] != (audit.Change{Field: "status", Old: "active", New: "revoked"}) {
		t.Fatalf("events after two revocations: %+v", evs)
	}

	clk.Advance(time.Second)
	future := clk.Now().Add(time.Hour)
	_, expiring := createKey(t, svc, a, apikey.CreateInput{Name: "Short-lived", ExpiresAt: &future})
	if _, err := svc.Authenticate(ctx, expiring); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	clk.Advance(time.Hour)
	p, err = svc.Authenticate(ctx, expiring)
	wantUnauthenticated(t, "expired", p, err)
	if err != apikey.ErrExpired {
		t.Errorf("expired key: %v, want ErrExpired", err)
	}
	keys, _ := svc.List(ctx, a.OrgID)
	if len(keys) != 2 || keys[0].Name != "Short-lived" || keys[0].Status(clk.Now()) != apikey.StatusExpired ||
		keys[1].Status(clk.Now()) != apikey.StatusRevoked {
		t.Errorf("list, newest first, with statuses: %+v", keys)
	}
}

func TestAPIKeyTenantIsolation(t *testing.T) {
	f := newFixture(t)
	svc, _ := f.apiKeys(t)
	a, b := f.tenant(t, "Alpha"), f.tenant(t, "Beta")
	ctx := context.Background()
	k, secret := createKey(t, svc, a, apikey.CreateInput{})
	createKey(t, svc, b, apikey.CreateInput{Name: "Beta's key"})

	if _, err := svc.Revoke(ctx, b.OrgID, b.Actor, k.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another organization revoking the key: %v, want NotFound", err)
	}
	if _, err := svc.Authenticate(ctx, secret); err != nil {
		t.Fatalf("the key stopped working after another organization's attempt: %v", err)
	}
	keys, err := svc.List(ctx, b.OrgID)
	if err != nil || len(keys) != 1 || keys[0].Name != "Beta's key" {
		t.Fatalf("B's list: %+v %v", keys, err)
	}
	if n := f.count(t, "SELECT count(*) FROM events WHERE organization_id = ? AND entity_type = 'api_key'", b.OrgID); n != 1 {
		t.Errorf("B has %d key events, want its own creation only", n)
	}

	// The schema refuses cross-organization references whatever the code does.
	_, err = f.DB.ExecContext(ctx, `INSERT INTO api_keys (organization_id, id, name, prefix, secret_hash, scopes, created_by)
		VALUES (?, 'key_crossorg', 'x', 'crossorg', decode(repeat('00', 32), 'hex'), '{risks:read}', ?)`, a.OrgID, b.Actor.MemberID)
	if err == nil || !strings.Contains(err.Error(), "23503") {
		t.Errorf("a key created by another organization's member: %v", err)
	}
	_, err = f.DB.ExecContext(ctx, `INSERT INTO events (organization_id, entity_type, entity_id, action, actor_api_key_id, actor_name)
		VALUES (?, 'risk', 'rsk_x', 'created', ?, 'forged')`, b.OrgID, k.ID)
	if err == nil || !strings.Contains(err.Error(), "23503") {
		t.Errorf("an event of B attributed to A's key: %v", err)
	}

	// A change made with the key is attributed to the key and its creator.
	p, err := svc.Authenticate(ctx, secret)
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.Risks.Create(ctx, p.OrganizationID, p.Actor(), risk.Input{Title: "Via API", Description: "d", Category: "other"})
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := f.Events.ForEntity(ctx, a.OrgID, audit.EntityRisk, r.ID, 1)
	if len(evs) != 1 || evs[0].Actor.APIKeyID != k.ID || evs[0].Actor.MemberID != a.Actor.MemberID {
		t.Errorf("risk event actor %+v, want key %s and creator %s", evs[0].Actor, k.ID, a.Actor.MemberID)
	}
}

func TestAPIKeyScopesValidatedByServiceAndSchema(t *testing.T) {
	f := newFixture(t)
	svc, clk := f.apiKeys(t)
	a := f.tenant(t, "Alpha")
	ctx := context.Background()
	past := clk.Now().Add(-time.Minute)
	for name, in := range map[string]apikey.CreateInput{
		"no scopes":     {Name: "x", Scopes: []string{}},
		"unknown scope": {Name: "x", Scopes: []string{"risks:delete"}},
		"no name":       {Name: " ", Scopes: []string{apikey.ScopeRead}},
		"expired":       {Name: "x", Scopes: []string{apikey.ScopeRead}, ExpiresAt: &past},
	} {
		k, secret, err := svc.Create(ctx, a.OrgID, a.Actor, in)
		if e, ok := apperr.As(err); !ok || e.Code != apperr.Invalid || k != nil || secret != "" {
			t.Errorf("%s: %v, want Invalid and no key", name, err)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM api_keys"); n != 0 {
		t.Fatalf("%d keys stored from invalid input", n)
	}
	k, _ := createKey(t, svc, a, apikey.CreateInput{Scopes: []string{apikey.ScopeWrite, apikey.ScopeRead, apikey.ScopeWrite}})
	if strings.Join(k.Scopes, ",") != "risks:read,risks:write" {
		t.Errorf("scopes stored as %v", k.Scopes)
	}
	for _, scopes := range []string{"{}", "{risks:admin}", "{risks:read,NULL}", "{{risks:read}}"} {
		_, err := f.DB.ExecContext(ctx, "UPDATE api_keys SET scopes = ?::text[] WHERE id = ?", scopes, k.ID)
		if err == nil || !strings.Contains(err.Error(), "23514") {
			t.Errorf("scopes %s: %v, want a CHECK violation", scopes, err)
		}
	}
}

func TestAPIKeyFollowsItsCreator(t *testing.T) {
	f := newFixture(t)
	svc, _ := f.apiKeys(t)
	a := f.tenant(t, "Alpha")
	ctx := context.Background()
	_, secret := createKey(t, svc, a, apikey.CreateInput{Scopes: []string{apikey.ScopeWrite}})

	// A creator demoted to viewer: the key keeps reading but stops writing.
	if _, err := f.DB.ExecContext(ctx, "UPDATE members SET role = 'viewer' WHERE id = ?", a.Actor.MemberID); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, secret)
	if err != nil || !p.Has(apikey.ScopeRead) || p.Has(apikey.ScopeWrite) {
		t.Fatalf("key of a demoted creator: %+v %v; want read only", p, err)
	}
	// A creator whose account is disabled: the key is refused.
	if _, err := f.DB.ExecContext(ctx, "UPDATE users SET disabled_at = now() WHERE id = (SELECT user_id FROM members WHERE id = ?)", a.Actor.MemberID); err != nil {
		t.Fatal(err)
	}
	p, err = svc.Authenticate(ctx, secret)
	wantUnauthenticated(t, "disabled creator", p, err)
}
