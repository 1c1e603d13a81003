package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// emptyDatabase returns the DSN of a database with every migration rolled back.
func emptyDatabase(t *testing.T) string {
	t.Helper()
	bdb, name := dbtest.NewDB(t)
	for {
		rolled, err := db.MigrateDown(context.Background(), bdb)
		if err != nil {
			t.Fatal(err)
		}
		if len(rolled) == 0 {
			return dbtest.DSN(name)
		}
	}
}

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := run(ctx, args, &out)
	return out.String(), err
}

func TestServeRefusesAnOutdatedSchemaUnlessMigrating(t *testing.T) {
	t.Setenv("DATABASE_URL", emptyDatabase(t))
	t.Setenv("DATA_DIR", t.TempDir())
	t.Setenv("ADDR", "127.0.0.1:1") // never reached: the schema check comes first
	_, err := runCLI(t, "serve")
	if err == nil || !strings.Contains(err.Error(), "migration(s) behind") {
		t.Fatalf("serve on an empty database: %v, want a refusal", err)
	}
	if _, err := runCLI(t, "user", "create", "--email", "a@b.example", "--name", "A", "--password", "long enough password", "--org", "Acme"); err == nil {
		t.Fatal("user create ran on an out-of-date schema")
	}
	out, err := runCLI(t, "migrate", "status")
	if err != nil || !strings.Contains(out, "pending") {
		t.Fatalf("migrate status: %v\n%s", err, out)
	}
	out, err = runCLI(t, "migrate", "up")
	if err != nil || !strings.Contains(out, "applied") {
		t.Fatalf("migrate up: %v\n%s", err, out)
	}
	out, _ = runCLI(t, "migrate", "status")
	if strings.Contains(out, "pending") {
		t.Fatalf("still pending after up:\n%s", out)
	}
	out, err = runCLI(t, "migrate", "down")
	if err != nil || !strings.Contains(out, "rolled back") {
		t.Fatalf("migrate down: %v\n%s", err, out)
	}
}

func TestUserCreateAndSeedCommands(t *testing.T) {
	bdb, name := dbtest.NewDB(t)
	t.Setenv("DATABASE_URL", dbtest.DSN(name))
	t.Setenv("DATA_DIR", t.TempDir())
	out, err := runCLI(t, "user", "create", "--email", "Ann@Acme.example", "--name", "Ann", "--password", "long enough password", "--org", "Acme Corp", "--role", "admin")
	if err != nil || !strings.Contains(out, "created user ann@acme.example") || !strings.Contains(out, "acme-corp") {
		t.Fatalf("user create: %v\n%s", err, out)
	}
	// The same organization is reused by name.
	if _, err := runCLI(t, "user", "create", "--email", "bob@acme.example", "--name", "Bob", "--password", "long enough password", "--org", "Acme Corp", "--role", "viewer"); err != nil {
		t.Fatal(err)
	}
	var orgs, members int
	ctx := context.Background()
	_ = bdb.QueryRowContext(ctx, "SELECT count(*) FROM organizations").Scan(&orgs)
	_ = bdb.QueryRowContext(ctx, "SELECT count(*) FROM members WHERE role IN ('admin','viewer')").Scan(&members)
	if orgs != 1 || members != 2 {
		t.Fatalf("organizations %d members %d, want 1 and 2", orgs, members)
	}
	// Bad input names the flag and writes nothing.
	_, err = runCLI(t, "user", "create", "--email", "not-an-email", "--name", "", "--password", "short", "--org", "Acme Corp", "--role", "god")
	msg := describe(err)
	for _, want := range []string{"--email", "--name", "--password", "--role"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %s", msg, want)
		}
	}
	if _, err := runCLI(t, "user", "create", "--email", "ann@acme.example", "--name", "Ann", "--password", "long enough password", "--org", "Acme Corp"); err == nil {
		t.Error("a duplicate email was accepted")
	}

	out, err = runCLI(t, "seed")
	if err != nil || !strings.Contains(out, "created Northwind Logistics") {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	var risks, events int
	_ = bdb.QueryRowContext(ctx, "SELECT count(*) FROM risks").Scan(&risks)
	_ = bdb.QueryRowContext(ctx, "SELECT count(*) FROM events WHERE action = 'created'").Scan(&events)
	if risks < 40 || events != risks {
		t.Fatalf("seeded %d risks with %d creation events", risks, events)
	}
	out, err = runCLI(t, "seed")
	if err != nil || !strings.Contains(out, "already exists") {
		t.Fatalf("second seed: %v\n%s", err, out)
	}
}

func TestServeStartsAndShutsDownGracefully(t *testing.T) {
	_, name := dbtest.NewDB(t)
	ln, _ := net.Listen("tcp4", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("DATABASE_URL", dbtest.DSN(name))
	t.Setenv("DATA_DIR", t.TempDir())
	t.Setenv("ADDR", addr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() { done <- run(ctx, []string{"serve"}, &out) }()

	url := fmt.Sprintf("http://%s/readyz", addr)
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel() // what SIGTERM does through signal.NotifyContext
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(out.String(), `"msg":"stopped"`) {
		t.Errorf("no clean-stop log line:\n%s", out.String())
	}
}
