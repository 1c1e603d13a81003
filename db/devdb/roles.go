package devdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The roles of a riskreg database on the cluster. Migrations run as
// OwnerRole, the owner of the database and of everything in it; the app runs
// as AppRole, which owns nothing and holds only the privileges the
// migrations grant it (migrations/0007_app_role): it reads and writes rows,
// adds audit events, and can neither change the audit trail nor the schema.
const (
	OwnerRole = "riskreg_owner"
	AppRole   = "riskreg_app"
)

// CreateDatabase creates OwnerRole and AppRole and the database name, owned
// by OwnerRole, where they do not exist yet. A database that the superuser
// owns (made by a riskreg that had no roles) is handed to OwnerRole with
// everything in its public schema, so its migrations go on as the owner.
// It returns an error naming the step that failed.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("devdb: create database %s: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, role := range []string{OwnerRole, AppRole} {
		sql := "CREATE ROLE " + pgx.Identifier{role}.Sanitize() + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
		if _, err := conn.Exec(ctx, sql); err != nil && !alreadyExists(err) {
			return fmt.Errorf("devdb: create role %s: %w", role, err)
		}
	}
	var owner string
	err = conn.QueryRow(ctx, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name).Scan(&owner)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		sql := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() + " OWNER " + pgx.Identifier{OwnerRole}.Sanitize()
		if _, err := conn.Exec(ctx, sql); err != nil && !alreadyExists(err) {
			return fmt.Errorf("devdb: create database %s: %w", name, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("devdb: create database %s: %w", name, err)
	case owner == OwnerRole:
		return nil
	}
	return c.adopt(ctx, name)
}

// adoptSQL gives OwnerRole the database and whatever the connected superuser
// owns in its public schema: the schema itself (PostgreSQL 14 and older),
// tables, views and sequences (with their indexes and owned sequences),
// functions and types; objects of extensions stay as they are.
const adoptSQL = `
DO $$
DECLARE
    me   oid := (SELECT oid FROM pg_roles WHERE rolname = current_user);
    stmt text;
BEGIN
    FOR stmt IN
        SELECT 'ALTER SCHEMA public OWNER TO riskreg_owner'
        FROM pg_namespace WHERE nspname = 'public' AND nspowner = me
    UNION ALL
        SELECT format('ALTER %s %s OWNER TO riskreg_owner',
                      CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                     WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END,
                      c.oid::regclass)
        FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = me
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c', 'S')
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype IN ('a', 'i', 'e'))
    UNION ALL
        SELECT format('ALTER ROUTINE %s OWNER TO riskreg_owner', p.oid::regprocedure)
        FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = me
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    UNION ALL
        SELECT format('ALTER TYPE %s OWNER TO riskreg_owner', t.oid::regtype)
        FROM pg_type t
        WHERE t.typnamespace = 'public'::regnamespace AND t.typowner = me AND t.typtype IN ('d', 'e')
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE stmt;
    END LOOP;
    EXECUTE format('ALTER DATABASE %I OWNER TO riskreg_owner', current_database());
END
$$`

// adopt runs adoptSQL in database name, in one transaction.
func (c *Cluster) adopt(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.DSN(name))
	if err != nil {
		return fmt.Errorf("devdb: give database %s to %s: %w", name, OwnerRole, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, adoptSQL)
		return err
	})
	if err != nil {
		return fmt.Errorf("devdb: give database %s to %s: %w", name, OwnerRole, err)
	}
	return nil
}

// alreadyExists reports whether err says the role or database was there
// already (made meanwhile by another process, for the unique violation).
func alreadyExists(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "42710" || pgErr.Code == "42P04" || pgErr.Code == "23505")
}
