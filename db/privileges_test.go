package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/riskreg/riskreg/app/risk"
	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
)

// refusedByPrivileges fails unless err is PostgreSQL's permission denied
// (42501) for the role itself, not the events triggers' refusal (which
// uses the same code).
func refusedByPrivileges(t *testing.T, what string, err error) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" || strings.Contains(pgErr.Message, "append-only") {
		t.Errorf("%s: %v, want permission denied to the role (42501)", what, err)
	}
}

func TestAppRoleCannotRewriteTheAuditTrail(t *testing.T) {
	f := newFixture(t) // connected as the app's role
	ctx := context.Background()
	a := f.tenant(t, "Alpha")

	// The app does its work through the services: create, update, delete.
	r := f.create(t, a, risk.Input{Title: "Before"})
	in := risk.InputOf(r)
	in.Title = "After"
	up, err := f.Risks.Update(ctx, a.OrgID, a.Actor, r.ID, r.Version, in)
	if err != nil {
		t.Fatalf("update as the app's role: %v", err)
	}
	if err := f.Risks.Delete(ctx, a.OrgID, a.Actor, r.ID, up.Version); err != nil {
		t.Fatalf("delete as the app's role: %v", err)
	}
	events := f.count(t, "SELECT count(*) FROM events")
	if n := f.count(t, "SELECT count(*) FROM events WHERE entity_id = ?", r.ID); n != 3 {
		t.Fatalf("%d events of the risk, want created, updated and deleted", n)
	}

	// But it cannot change, erase or unprotect the events.
	for _, sql := range []string{
		"UPDATE events SET actor_name = 'forged'",
		"DELETE FROM events",
		"TRUNCATE events",
		"SELECT id FROM events FOR UPDATE",
		"ALTER TABLE events DISABLE TRIGGER ALL",
		"ALTER TABLE events OWNER TO riskreg_app",
		"DROP TABLE events",
	} {
		_, err := f.DB.ExecContext(ctx, sql)
		refusedByPrivileges(t, sql, err)
	}
	if n := f.count(t, "SELECT count(*) FROM events WHERE actor_name <> 'forged'"); n != events {
		t.Errorf("%d events left unchanged, want all %d", n, events)
	}
	if can, err := db.CanRewriteEvents(ctx, f.DB); err != nil || can {
		t.Errorf("CanRewriteEvents as the app's role = %v, %v; want false", can, err)
	}
	if can, err := db.CanRewriteEvents(ctx, dbtest.OwnerDB(t, f.Name)); err != nil || !can {
		t.Errorf("CanRewriteEvents as the owner = %v, %v; want true", can, err)
	}
}

// TestAppRolePrivileges reads the grants from the catalog: the app's role
// is no superuser, owns nothing and creates nothing; it reads and writes
// every table except the append-only events (read and add) and the
// migration bookkeeping (read). A new table lands in the last case by
// default; a table the app must not change belongs in appendOnly or readOnly.
func TestAppRolePrivileges(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	appendOnly := map[string]bool{"events": true}
	readOnly := map[string]bool{"bun_migrations": true, "bun_migration_locks": true,
		"risk_versions": true, "register_versions": true, "risk_count_deltas": true, "risk_due_deltas": true} // the history and its counts, written by the owner's triggers

	var super, createRole, createDB, bypassRLS, createInSchema, createInDB bool
	err := f.DB.QueryRowContext(ctx, `SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls,
		has_schema_privilege(current_schema(), 'CREATE'), has_database_privilege(current_database(), 'CREATE')
		FROM pg_roles WHERE rolname = current_user`).Scan(&super, &createRole, &createDB, &bypassRLS, &createInSchema, &createInDB)
	if err != nil {
		t.Fatal(err)
	}
	if super || createRole || createDB || bypassRLS || createInSchema || createInDB {
		t.Errorf("the app's role: superuser %v, createrole %v, createdb %v, bypassrls %v, create in schema %v, create schemas %v; want none",
			super, createRole, createDB, bypassRLS, createInSchema, createInDB)
	}

	rows, err := f.DB.QueryContext(ctx, `SELECT c.relname::text, pg_has_role(c.relowner, 'MEMBER'),
		concat_ws(',', CASE WHEN has_table_privilege(c.oid, 'SELECT') THEN 'SELECT' END,
		                 CASE WHEN has_table_privilege(c.oid, 'INSERT') THEN 'INSERT' END,
		                 CASE WHEN has_table_privilege(c.oid, 'UPDATE') THEN 'UPDATE' END,
		                 CASE WHEN has_table_privilege(c.oid, 'DELETE') THEN 'DELETE' END,
		                 CASE WHEN has_table_privilege(c.oid, 'TRUNCATE') THEN 'TRUNCATE' END,
		                 CASE WHEN has_table_privilege(c.oid, 'REFERENCES') THEN 'REFERENCES' END,
		                 CASE WHEN has_table_privilege(c.oid, 'TRIGGER') THEN 'TRIGGER' END)
		FROM pg_class c
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	tables := 0
	for rows.Next() {
		var name, privs string
		var owns bool
		if err := rows.Scan(&name, &owns, &privs); err != nil {
			t.Fatal(err)
		}
		want := "SELECT,INSERT,UPDATE,DELETE"
		switch {
		case appendOnly[name]:
			want = "SELECT,INSERT"
		case readOnly[name]:
			want = "SELECT"
		}
		tables++
		if owns || privs != want {
			t.Errorf("%s: owner %v, privileges %s; want not the owner, %s", name, owns, privs, want)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if tables < 10 {
		t.Fatalf("only %d tables checked", tables)
	}

	var seqs, usable, settable int
	err = f.DB.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE has_sequence_privilege(c.oid, 'USAGE')),
		count(*) FILTER (WHERE has_sequence_privilege(c.oid, 'UPDATE'))
		FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'S'`).Scan(&seqs, &usable, &settable)
	if err != nil {
		t.Fatal(err)
	}
	if seqs == 0 || usable != seqs || settable != 0 {
		t.Errorf("sequences: %d, %d usable, %d settable; want every one usable, none settable", seqs, usable, settable)
	}
}

// TestLaterTablesAreGrantedByDefault: a table the owner makes after the
// app's role was set up, as any later migration does, is the app's to read
// and write with no GRANT of its own, its serial included; it is still not
// the app's to truncate, alter or drop.
func TestLaterTablesAreGrantedByDefault(t *testing.T) {
	app, name := dbtest.NewDB(t)
	owner := dbtest.OwnerDB(t, name)
	ctx := context.Background()
	if _, err := owner.ExecContext(ctx, "CREATE TABLE later_things (id serial PRIMARY KEY, note text NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		"INSERT INTO later_things (note) VALUES ('a'), ('b')",
		"UPDATE later_things SET note = 'c' WHERE note = 'a'",
		"DELETE FROM later_things WHERE note = 'b'",
		"SELECT count(*) FROM later_things",
	} {
		if _, err := app.ExecContext(ctx, sql); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
	for _, sql := range []string{"TRUNCATE later_things", "ALTER TABLE later_things ADD COLUMN x int", "DROP TABLE later_things"} {
		_, err := app.ExecContext(ctx, sql)
		refusedByPrivileges(t, sql, err)
	}
}
