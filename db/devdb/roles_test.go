package devdb

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// query runs sql on dsn and returns the first column of the one row.
func query[T any](t *testing.T, dsn, sql string) T {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v T
	if err := conn.QueryRow(ctx, sql).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

func execSQL(t *testing.T, dsn, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestCreateDatabaseMakesTheRoles(t *testing.T) {
	if _, err := FindBinaries(); err != nil {
		t.Skip(err)
	}
	c, _ := startCluster(t, newTestDir(t))
	ctx := context.Background()
	for range 2 { // a second call finds everything in place
		if err := c.CreateDatabase(ctx, "fresh"); err != nil {
			t.Fatal(err)
		}
	}
	roles := query[string](t, c.DSN("postgres"), `SELECT string_agg(format('%s super=%s createrole=%s createdb=%s login=%s',
		rolname, rolsuper, rolcreaterole, rolcreatedb, rolcanlogin), '; ' ORDER BY rolname)
		FROM pg_roles WHERE rolname IN ('riskreg_owner', 'riskreg_app')`)
	want := "riskreg_app super=f createrole=f createdb=f login=t; riskreg_owner super=f createrole=f createdb=f login=t"
	if roles != want {
		t.Fatalf("roles: %s\nwant %s", roles, want)
	}
	if owner := query[string](t, c.DSN("postgres"), "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'fresh'"); owner != OwnerRole {
		t.Fatalf("fresh is owned by %s, want %s", owner, OwnerRole)
	}
	// The owner creates in the schema; the app's role connects but creates nothing.
	execSQL(t, c.RoleDSN(OwnerRole, "fresh"), "CREATE TABLE owned (id int)")
	if who := query[string](t, c.RoleDSN(AppRole, "fresh"), "SELECT current_user::text"); who != AppRole {
		t.Fatalf("connected as %s, want %s", who, AppRole)
	}
	if query[bool](t, c.RoleDSN(AppRole, "fresh"), "SELECT has_schema_privilege('public', 'CREATE')") {
		t.Fatal("the app's role may create tables in public")
	}
}

// TestCreateDatabaseAdoptsAnOldDatabase: a database the superuser made and
// filled (riskreg before it had roles) is handed to the owner role, with
// everything in it.
func TestCreateDatabaseAdoptsAnOldDatabase(t *testing.T) {
	if _, err := FindBinaries(); err != nil {
		t.Skip(err)
	}
	c, _ := startCluster(t, newTestDir(t))
	execSQL(t, c.DSN("postgres"), "CREATE DATABASE old")
	execSQL(t, c.DSN("old"), `
		CREATE TYPE mood AS ENUM ('calm', 'busy');
		CREATE DOMAIN short_text AS text CHECK (length(VALUE) < 10);
		CREATE TABLE things (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n serial, m mood, s short_text);
		CREATE SEQUENCE standalone;
		CREATE VIEW thing_ids AS SELECT id FROM things;
		CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no'; END $$;
		CREATE TRIGGER things_refuse BEFORE DELETE ON things FOR EACH ROW EXECUTE FUNCTION refuse();
		INSERT INTO things (m, s) VALUES ('calm', 'kept');`)
	if err := c.CreateDatabase(context.Background(), "old"); err != nil {
		t.Fatal(err)
	}
	left := query[string](t, c.DSN("old"), `SELECT coalesce(string_agg(name, ', '), '') FROM (
		SELECT relname::text AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relowner <> 'riskreg_owner'::regrole
		UNION ALL SELECT proname::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND proowner <> 'riskreg_owner'::regrole
		UNION ALL SELECT typname::text FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typowner <> 'riskreg_owner'::regrole
		UNION ALL SELECT datname::text FROM pg_database WHERE datname = 'old' AND datdba <> 'riskreg_owner'::regrole) x`)
	if left != "" {
		t.Fatalf("not handed to the owner role: %s", left)
	}
	// The owner now does what owners do; the rows are still there.
	execSQL(t, c.RoleDSN(OwnerRole, "old"), "ALTER TABLE things ADD COLUMN note text; CREATE TABLE more (id int)")
	if n := query[int64](t, c.RoleDSN(OwnerRole, "old"), "SELECT count(*) FROM things WHERE s = 'kept'"); n != 1 {
		t.Fatalf("%d rows kept, want 1", n)
	}
}
