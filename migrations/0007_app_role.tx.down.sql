DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'riskreg_app') THEN
        RETURN;
    END IF;
    ALTER DEFAULT PRIVILEGES REVOKE ALL ON SCHEMAS FROM riskreg_app;
    ALTER DEFAULT PRIVILEGES REVOKE ALL ON SEQUENCES FROM riskreg_app;
    ALTER DEFAULT PRIVILEGES REVOKE ALL ON TABLES FROM riskreg_app;
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM riskreg_app', current_schema());
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM riskreg_app', current_schema());
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM riskreg_app', current_schema());
END
$$;
