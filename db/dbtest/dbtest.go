// Package dbtest gives tests a real, throwaway PostgreSQL: one fast
// cluster per test binary, a template database migrated as the owner role,
// and a fresh database cloned from it for every test. Tests connect as the
// app's role, as riskreg does in production, so every test also proves that
// the privileges the migrations grant are enough.
package dbtest

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"github.com/riskreg/riskreg/db"
	"github.com/riskreg/riskreg/db/devdb"
)

var (
	cluster *devdb.Cluster
	counter atomic.Int64
)

const template = "riskreg_template"

// Main starts the cluster, migrates the template, runs the tests and
// stops the cluster. Call it from TestMain. A cluster that cannot start
// fails the run: database tests are never skipped.
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run is Main without the exit, for a TestMain with cleanup of its own.
func Run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Not t.TempDir(): its parent is 0700, which the postgres user cannot enter.
	dir, err := os.MkdirTemp("", "riskreg-pg-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	cluster, err = devdb.Start(ctx, devdb.Options{Dir: dir, Fast: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbtest: start PostgreSQL:", err)
		return 1
	}
	defer cluster.Stop()
	if err := prepareTemplate(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "dbtest:", err)
		return 1
	}
	return m.Run()
}

func admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, cluster.DSN("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

func prepareTemplate(ctx context.Context) error {
	if err := cluster.CreateDatabase(ctx, template); err != nil {
		return fmt.Errorf("create template: %w", err)
	}
	bdb, err := db.Open(OwnerDSN(template))
	if err != nil {
		return err
	}
	if _, err := db.MigrateUp(ctx, bdb); err != nil {
		bdb.Close()
		return fmt.Errorf("migrate template: %w", err)
	}
	bdb.Close()
	return admin(ctx, "ALTER DATABASE "+template+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
}

// DSN returns the connection string of database name in the test cluster
// as the app's role (devdb.AppRole): what DATABASE_URL is.
func DSN(name string) string { return cluster.RoleDSN(devdb.AppRole, name) }

// OwnerDSN returns the connection string of database name as the owner of
// the schema (devdb.OwnerRole): what MIGRATE_DATABASE_URL is.
func OwnerDSN(name string) string { return cluster.RoleDSN(devdb.OwnerRole, name) }

// AdminDSN returns the connection string of database name as the
// superuser, for what only it may do (closing a database to connections).
func AdminDSN(name string) string { return cluster.DSN(name) }

// NewDB returns a migrated database of its own for the test, connected as
// the app's role, and its name; the database is dropped when the test ends.
func NewDB(t testing.TB) (*bun.DB, string) {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), counter.Add(1))
	if err := admin(ctx, "CREATE DATABASE "+name+" TEMPLATE "+template+" OWNER "+devdb.OwnerRole); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	bdb, err := db.Open(DSN(name))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		bdb.Close()
		if err := admin(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return bdb, name
}

// OwnerDB connects to the test's database name as the owner of the schema,
// for what the app's role may not do (migrations, ANALYZE); the connection
// is closed when the test ends.
func OwnerDB(t testing.TB, name string) *bun.DB {
	t.Helper()
	bdb, err := db.Open(OwnerDSN(name))
	if err != nil {
		t.Fatalf("open test database as the owner: %v", err)
	}
	t.Cleanup(func() { bdb.Close() })
	return bdb
}
