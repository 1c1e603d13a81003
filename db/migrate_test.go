package db_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/dbtest"
)

func TestMigrateConcurrentlyDownAndStatus(t *testing.T) {
	ctx := context.Background()
	_, name := dbtest.NewDB(t) // already migrated; roll it back to empty first
	tmpl := dbtest.OwnerDB(t, name)
	for {
		rolled, err := db.MigrateDown(ctx, tmpl)
		if err != nil {
			t.Fatal(err)
		}
		if len(rolled) == 0 {
			break
		}
	}
	if n, err := db.Pending(ctx, tmpl); err != nil || n == 0 {
		t.Fatalf("pending after rollback = %d, %v", n, err)
	}
	// Rolled back, the owner gives the app's role nothing by default.
	var defaults int
	if err := tmpl.QueryRowContext(ctx, "SELECT count(*) FROM pg_default_acl").Scan(&defaults); err != nil || defaults != 0 {
		t.Fatalf("default privileges after rollback: %d, %v; want none", defaults, err)
	}
	// Six instances migrate at once: all succeed, the migrations run once.
	var wg sync.WaitGroup
	applied := make([][]string, 6)
	errs := make([]error, 6)
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bdb, err := db.Open(dbtest.OwnerDSN(name))
			if err != nil {
				errs[i] = err
				return
			}
			defer bdb.Close()
			applied[i], errs[i] = db.MigrateUp(ctx, bdb)
		}()
	}
	wg.Wait()
	total := 0
	for i := range 6 {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	st, err := db.MigrateStatus(ctx, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if total != len(st) {
		t.Fatalf("%d migrations applied in total across instances, want %d (once each)", total, len(st))
	}
	for _, m := range st {
		if !m.Applied {
			t.Errorf("%s not applied", m.Name)
		}
	}
	if n, _ := db.Pending(ctx, tmpl); n != 0 {
		t.Fatalf("pending = %d after migrating", n)
	}
	// Migrated again, the app's role reads and writes as before.
	app, err := db.Open(dbtest.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if _, err := app.ExecContext(ctx, "INSERT INTO organizations (id, name, slug) VALUES ('org_x', 'X', 'x')"); err != nil {
		t.Fatalf("the app's role after migrating down and up: %v", err)
	}
}

// The register's pages are index-only scans, which need the visibility map
// of risks kept fresh: the risk tables are vacuumed after 2 % of them change,
// not PostgreSQL's 20 %.
func TestRiskTablesAreVacuumedSooner(t *testing.T) {
	_, name := dbtest.NewDB(t)
	owner := dbtest.OwnerDB(t, name)
	for _, table := range []string{"risks", "risk_versions"} {
		var opts []string
		err := owner.QueryRowContext(context.Background(),
			"SELECT coalesce(reloptions, '{}') FROM pg_class WHERE oid = ?::regclass", table).Scan(pgdialect.Array(&opts))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"autovacuum_vacuum_scale_factor=0.02", "autovacuum_vacuum_insert_scale_factor=0.02", "autovacuum_analyze_scale_factor=0.02"} {
			if !slices.Contains(opts, want) {
				t.Errorf("%s: storage parameters %q lack %s", table, opts, want)
			}
		}
	}
}
