-- Least privilege: the app runs as riskreg_app, a role that owns nothing and
-- may only read and write rows; the schema belongs to the role that runs the
-- migrations (the owner). The grants cover the tables that exist now, and
-- the default privileges give riskreg_app the same on every table, sequence
-- and schema the owner creates later, so a new migration needs no GRANT of
-- its own: only a REVOKE for a table the app must not change (as events here).
--
-- The role itself is made outside the migrations: by the embedded database,
-- or by the operator of an external one (README, Security). Without it (one
-- DATABASE_URL for everything) nothing is granted and the app keeps the
-- owner's rights.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'riskreg_app') THEN
        RAISE NOTICE 'role riskreg_app does not exist: no privileges granted';
        RETURN;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO riskreg_app', current_schema());
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO riskreg_app', current_schema());
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO riskreg_app', current_schema());
    -- The audit trail is append-only: the app adds and reads events, and as
    -- a non-owner it cannot disable the triggers that refuse the rest.
    REVOKE UPDATE, DELETE, TRUNCATE ON events FROM riskreg_app;
    -- The migration bookkeeping is read (serve checks the schema is current),
    -- never written.
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON bun_migrations, bun_migration_locks FROM riskreg_app;
    ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO riskreg_app;
    ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO riskreg_app;
    ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO riskreg_app;
END
$$;
