package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/riskreg/riskreg/db/dbtest"
)

// setConnections lets or stops new connections to the test database and
// ends the current ones: a database outage and its recovery.
func setConnections(t *testing.T, e *env, allow bool) {
	t.Helper()
	name := e.dbName
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbtest.AdminDSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	sql := "ALTER DATABASE " + name + " ALLOW_CONNECTIONS " + map[bool]string{true: "true", false: "false"}[allow]
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
	if !allow {
		if _, err := conn.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name); err != nil {
			t.Fatal(err)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	if res := c.get("/healthz"); res.StatusCode != http.StatusOK || res.Header.Get("X-Request-Id") == "" {
		t.Fatalf("healthz: %d, request id %q", res.StatusCode, res.Header.Get("X-Request-Id"))
	}
	if res := c.get("/readyz"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `"database":"ok"`) {
		t.Fatalf("readyz: %d %s", res.StatusCode, res.Body)
	}
}

func TestDatabaseOutageGives503AndRecovers(t *testing.T) {
	e := newEnv(t)
	a := e.signup("Acme", "owner@acme.example")
	setConnections(t, e, false)
	t.Cleanup(func() { setConnections(t, e, true) })

	if res := a.Owner.get("/readyz"); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz during outage: %d", res.StatusCode)
	}
	res := a.Owner.get("/risks")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("page during outage: %d, want 503", res.StatusCode)
	}
	if strings.Contains(res.Body, "SQLSTATE") || strings.Contains(res.Body, "FATAL") {
		t.Fatalf("the outage page leaks internals")
	}

	setConnections(t, e, true)
	if res := a.Owner.get("/readyz"); res.StatusCode != http.StatusOK {
		t.Fatalf("readyz after recovery: %d", res.StatusCode)
	}
	if res := a.Owner.get("/risks"); res.StatusCode != http.StatusOK {
		t.Fatalf("page after recovery: %d", res.StatusCode)
	}
}
