package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/app/apikey"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
)

func TestAPIKeyCreateCommand(t *testing.T) {
	bdb, name := dbtest.NewDB(t)
	t.Setenv("DATABASE_URL", dbtest.DSN(name))
	t.Setenv("DATA_DIR", t.TempDir())
	ctx := context.Background()
	for _, u := range []struct{ email, name, role string }{
		{"zoe@acme.example", "Zoe First", "owner"},
		{"abe@acme.example", "Abe Admin", "admin"},
		{"adam@acme.example", "Adam Second", "owner"},
	} {
		if _, err := runCLI(t, "user", "create", "--email", u.email, "--name", u.name, "--password", "long enough password", "--org", "Acme Corp", "--role", u.role); err != nil {
			t.Fatal(err)
		}
	}
	keys := &apikey.Service{Store: &db.APIKeyStore{DB: bdb}, Now: time.Now}

	out, err := runCLI(t, "apikey", "create", "--org", "acme-corp", "--name", "CI pipeline", "--scopes", "risks:read,risks:write", "--expires", "2999-12-31")
	if err != nil {
		t.Fatalf("apikey create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	last := lines[len(lines)-1]
	p, err := keys.Authenticate(ctx, last)
	if err != nil {
		t.Fatalf("the last line %q is not an accepted key: %v\n%s", last, err, out)
	}
	if p.KeyName != "CI pipeline" || !p.Has(apikey.ScopeWrite) || p.CreatorName != "Zoe First" {
		t.Errorf("principal %+v: want the key named CI pipeline, with write, created by the oldest owner", p)
	}
	if !strings.Contains(out, p.KeyID) || !strings.Contains(out, "acme-corp") || strings.Count(out, last) != 1 {
		t.Errorf("output does not describe the key once:\n%s", out)
	}
	var expires time.Time
	if err := bdb.QueryRowContext(ctx, "SELECT expires_at FROM api_keys WHERE id = ?", p.KeyID).Scan(&expires); err != nil ||
		!expires.Equal(time.Date(2999, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("expires_at %v (%v), want 31 Dec 2999 00:00 UTC", expires, err)
	}

	// By default a key only reads.
	out, err = runCLI(t, "apikey", "create", "--org", "Acme Corp", "--name", "Dashboard")
	if err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(strings.TrimRight(out, "\n"), "\n")
	if p, err := keys.Authenticate(ctx, lines[len(lines)-1]); err != nil || p.Has(apikey.ScopeWrite) || !p.Has(apikey.ScopeRead) {
		t.Errorf("default scopes: %+v %v, want read only", p, err)
	}

	// Unknown organizations and bad flags are clear errors that create nothing.
	if _, err := runCLI(t, "apikey", "create", "--org", "nope", "--name", "x"); err == nil || !strings.Contains(err.Error(), `no organization with the slug or name "nope"`) {
		t.Errorf("unknown organization: %v", err)
	}
	_, err = runCLI(t, "apikey", "create", "--org", "acme-corp", "--name", "", "--scopes", "risks:admin", "--expires", "2001-01-01")
	msg := describe(err)
	for _, want := range []string{"--name", "--scopes", "--expires"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %s", msg, want)
		}
	}
	if _, err := runCLI(t, "apikey", "create", "--name", "x"); err == nil || !strings.Contains(err.Error(), "--org") {
		t.Errorf("missing --org: %v", err)
	}
	if _, err := runCLI(t, "apikey", "list"); err == nil || !strings.Contains(err.Error(), "usage: riskreg apikey create") {
		t.Errorf("unknown subcommand: %v", err)
	}
	var n int
	if err := bdb.QueryRowContext(ctx, "SELECT count(*) FROM api_keys").Scan(&n); err != nil || n != 2 {
		t.Errorf("%d keys stored (%v), want 2", n, err)
	}
	help, _ := runCLI(t, "help")
	if !strings.Contains(help, "riskreg apikey create --org") {
		t.Errorf("usage does not list apikey create:\n%s", help)
	}
}
