package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
	"github.com/riskreg/riskreg/db/devdb"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// emptyDatabase returns the name of a database with every migration rolled back.
func emptyDatabase(t *testing.T) string {
	t.Helper()
	_, name := dbtest.NewDB(t)
	owner := dbtest.OwnerDB(t, name)
	for {
		rolled, err := db.MigrateDown(context.Background(), owner)
		if err != nil {
			t.Fatal(err)
		}
		if len(rolled) == 0 {
			return name
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
	name := emptyDatabase(t)
	t.Setenv("DATABASE_URL", dbtest.DSN(name))
	t.Setenv("DATA_DIR", t.TempDir())
	t.Setenv("ADDR", "127.0.0.1:1") // never reached: the schema check comes first
	_, err := runCLI(t, "serve")
	if err == nil || !strings.Contains(err.Error(), "migration(s) behind") {
		t.Fatalf("serve on an empty database: %v, want a refusal", err)
	}
	// The app's role may not change the schema; the owner's URL is for that.
	if _, err := runCLI(t, "migrate", "up"); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("migrate up as the app's role: %v, want permission denied", err)
	}
	t.Setenv("MIGRATE_DATABASE_URL", dbtest.OwnerDSN(name))
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
	if out, err := runCLI(t, "user", "create", "--email", "a@b.example", "--name", "A", "--password", "long enough password", "--org", "Acme"); err != nil {
		t.Fatalf("user create, as the app's role, after migrating: %v\n%s", err, out)
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
	_ = bdb.QueryRowContext(ctx, "SELECT count(*) FROM events WHERE action = 'created' AND entity_type = 'risk'").Scan(&events)
	if risks < 40 || events != risks {
		t.Fatalf("seeded %d risks with %d creation events", risks, events)
	}
	out, err = runCLI(t, "seed")
	if err != nil || !strings.Contains(out, "already exists") {
		t.Fatalf("second seed: %v\n%s", err, out)
	}
}

// serveUntilReady runs serve with the environment set, waits until
// /readyz answers 200, calls whileUp (when not nil), stops serve as SIGTERM
// does and returns its output.
func serveUntilReady(t *testing.T, whileUp func()) string {
	t.Helper()
	ln, _ := net.Listen("tcp4", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv("ADDR", addr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var out syncBuffer
	go func() { done <- run(ctx, []string{"serve"}, &out) }()

	url := fmt.Sprintf("http://%s/readyz", addr)
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended before it was ready: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if whileUp != nil {
		whileUp()
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
	return out.String()
}

// syncBuffer is a bytes.Buffer that serve's goroutines may write while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

const privilegedWarning = "can rewrite the audit trail"

func TestServeStartsAndShutsDownGracefully(t *testing.T) {
	_, name := dbtest.NewDB(t)
	t.Setenv("DATABASE_URL", dbtest.DSN(name))
	t.Setenv("DATA_DIR", t.TempDir())
	out := serveUntilReady(t, nil)
	if !strings.Contains(out, `"msg":"stopped"`) {
		t.Errorf("no clean-stop log line:\n%s", out)
	}
	if strings.Contains(out, privilegedWarning) {
		t.Errorf("warned about the app's role riskreg_app:\n%s", out)
	}
}

// TestServeWarnsWhenTheAppRunsAsTheOwner: with one DATABASE_URL, that of
// the schema owner (the backward-compatible setup), serve still runs but
// says that the app could rewrite the audit trail.
func TestServeWarnsWhenTheAppRunsAsTheOwner(t *testing.T) {
	_, name := dbtest.NewDB(t)
	t.Setenv("DATABASE_URL", dbtest.OwnerDSN(name))
	t.Setenv("DATA_DIR", t.TempDir())
	out := serveUntilReady(t, nil)
	if !strings.Contains(out, privilegedWarning) || !strings.Contains(out, "MIGRATE_DATABASE_URL") {
		t.Errorf("no warning about the owner's rights:\n%s", out)
	}
}

// TestEmbeddedDatabaseRunsTheAppAsItsRole: without DATABASE_URL, riskreg
// takes over an embedded database made before it had roles (everything
// owned by the superuser, the roles' migration pending), hands it to the
// owner role, migrates as that role, and runs the commands and the server
// as the app's role, which cannot touch the audit trail.
func TestEmbeddedDatabaseRunsTheAppAsItsRole(t *testing.T) {
	// Not t.TempDir(): the postgres OS user must reach the cluster.
	dataDir, err := os.MkdirTemp("", "riskreg-data-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dataDir) })
	if err := os.Chmod(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", "")
	t.Setenv("DATA_DIR", dataDir)
	ctx := context.Background()

	cluster, err := devdb.Start(ctx, devdb.Options{Dir: filepath.Join(dataDir, "postgres"), Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Stop() })
	superuser := func(dbname, sql string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, cluster.DSN(dbname))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	superuser("postgres", "CREATE DATABASE riskreg")
	old, err := db.Open(cluster.DSN("riskreg"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.MigrateUp(ctx, old); err != nil {
		t.Fatal(err)
	}
	old.Close()
	superuser("riskreg", "DELETE FROM bun_migrations WHERE name = '0007'") // as before the roles

	// A short command attaches to the running cluster.
	out, err := runCLI(t, "seed")
	if err != nil || !strings.Contains(out, "created Northwind Logistics") {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	var notOwned string
	conn, err := pgx.Connect(ctx, cluster.DSN("riskreg"))
	if err != nil {
		t.Fatal(err)
	}
	err = conn.QueryRow(ctx, `SELECT coalesce(string_agg(relname::text, ', '), '') FROM pg_class
		WHERE relnamespace = 'public'::regnamespace AND relowner <> 'riskreg_owner'::regrole`).Scan(&notOwned)
	conn.Close(ctx)
	if err != nil || notOwned != "" {
		t.Fatalf("not owned by riskreg_owner: %q (%v)", notOwned, err)
	}
	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}

	// serve starts the cluster itself; while it serves, only the app's role
	// is connected to the database, and that role cannot unprotect events.
	serveUntilReady(t, func() {
		running, err := devdb.Start(ctx, devdb.Options{Dir: filepath.Join(dataDir, "postgres"), Attach: true})
		if err != nil {
			t.Fatal(err)
		}
		conn, err := pgx.Connect(ctx, running.DSN("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var roles string
		err = conn.QueryRow(ctx, `SELECT string_agg(DISTINCT usename::text, ',') FROM pg_stat_activity
			WHERE datname = 'riskreg' AND backend_type = 'client backend'`).Scan(&roles)
		if err != nil || roles != devdb.AppRole {
			t.Errorf("roles connected to riskreg while serving: %q (%v), want only %s", roles, err, devdb.AppRole)
		}
		app, err := pgx.Connect(ctx, running.RoleDSN(devdb.AppRole, "riskreg"))
		if err != nil {
			t.Fatal(err)
		}
		defer app.Close(ctx)
		for _, sql := range []string{"ALTER TABLE events DISABLE TRIGGER ALL", "UPDATE events SET actor_name = 'forged'"} {
			var pgErr *pgconn.PgError
			if _, err := app.Exec(ctx, sql); !errors.As(err, &pgErr) || pgErr.Code != "42501" || strings.Contains(pgErr.Message, "append-only") {
				t.Errorf("%s as the embedded app role: %v, want permission denied", sql, err)
			}
		}
	})
}

func TestServerGCTargetYieldsToGOGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	setServerGC("")
	if got := debug.SetGCPercent(100); got != serverGCPercent {
		t.Errorf("without GOGC the server's GC target is %d, want %d", got, serverGCPercent)
	}
	setServerGC("50") // the runtime applied GOGC=50 at start; it stays
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set the server changed the GC target to %d", got)
	}
}
