package db

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"

	"github.com/riskreg/riskreg/migrations"
)

// migrationLockKey is the advisory lock that serialises migrations across
// instances ("riskreg" in ASCII).
const migrationLockKey = 0x7269736b726567

func migrator(db *bun.DB) (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(fs.FS(migrations.FS)); err != nil {
		return nil, fmt.Errorf("discover migrations: %w", err)
	}
	return migrate.NewMigrator(db, ms, migrate.WithMarkAppliedOnSuccess(true)), nil
}

// withLock holds the migration advisory lock while fn runs. It polls
// pg_try_advisory_lock instead of blocking: a blocked session would hold a
// snapshot that CREATE INDEX CONCURRENTLY in another migration waits for.
func withLock(ctx context.Context, db *bun.DB, fn func() error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: connect: %w", err)
	}
	defer conn.Close()
	for {
		var got bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(?)", int64(migrationLockKey)).Scan(&got); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("migrate: waiting for the migration lock: %w", ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", int64(migrationLockKey))
	return fn()
}

// MigrateUp applies every pending migration and returns their names.
func MigrateUp(ctx context.Context, db *bun.DB) ([]string, error) {
	m, err := migrator(db)
	if err != nil {
		return nil, err
	}
	var applied []string
	err = withLock(ctx, db, func() error {
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("migrate: init: %w", err)
		}
		group, err := m.Migrate(ctx)
		if err != nil {
			return fmt.Errorf("migrate up: %w", err)
		}
		for _, mg := range group.Migrations {
			applied = append(applied, mg.Name)
		}
		return nil
	})
	return applied, err
}

// MigrateDown rolls back the last group of migrations.
func MigrateDown(ctx context.Context, db *bun.DB) ([]string, error) {
	m, err := migrator(db)
	if err != nil {
		return nil, err
	}
	var rolled []string
	err = withLock(ctx, db, func() error {
		if err := m.Init(ctx); err != nil {
			return fmt.Errorf("migrate: init: %w", err)
		}
		group, err := m.Rollback(ctx)
		if err != nil {
			return fmt.Errorf("migrate down: %w", err)
		}
		for _, mg := range group.Migrations {
			rolled = append(rolled, mg.Name)
		}
		return nil
	})
	return rolled, err
}

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Name    string
	Applied bool
}

// MigrateStatus lists every migration known to the binary.
func MigrateStatus(ctx context.Context, db *bun.DB) ([]MigrationStatus, error) {
	m, err := migrator(db)
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("migrate: init: %w", err)
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate status: %w", err)
	}
	out := make([]MigrationStatus, len(ms))
	for i, mg := range ms {
		out[i] = MigrationStatus{Name: mg.Name + "_" + mg.Comment, Applied: mg.IsApplied()}
	}
	return out, nil
}

// Pending returns the number of migrations not yet applied, without
// creating any table. For a role that may not read the migrations table
// (the app's role before the migration that grants it), every migration is
// pending.
func Pending(ctx context.Context, db *bun.DB) (int, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(fs.FS(migrations.FS)); err != nil {
		return 0, fmt.Errorf("discover migrations: %w", err)
	}
	var readable bool
	if err := db.QueryRowContext(ctx, "SELECT coalesce(has_table_privilege(to_regclass('bun_migrations'), 'SELECT'), false)").Scan(&readable); err != nil {
		return 0, fmt.Errorf("check schema: %w", err)
	}
	if !readable {
		return len(ms.Sorted()), nil
	}
	status, err := migrate.NewMigrator(db, ms).MigrationsWithStatus(ctx)
	if err != nil && err != sql.ErrNoRows {
		return 0, fmt.Errorf("check schema: %w", err)
	}
	return len(status.Unapplied()), nil
}
