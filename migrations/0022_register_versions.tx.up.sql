-- Looking back (issue 14): the matrix of every register over time, so a
-- past view levels its risks by the matrix in force then. One row per
-- state of a register's name and matrix, valid from valid_from (inclusive)
-- to valid_to (exclusive; 'infinity' while current), written by a trigger
-- in the transaction of the change with the register's updated_at (set by
-- the service clock), never now(). Existing registers get their current
-- matrix from their creation on. Like risk_versions, the app reads it only
-- (the trigger runs as the owner).
CREATE TABLE register_versions (
    organization_id  text NOT NULL,
    register_id      text NOT NULL,
    valid_from       timestamptz NOT NULL,
    valid_to         timestamptz NOT NULL DEFAULT 'infinity',
    name             text NOT NULL,
    matrix           jsonb NOT NULL,
    PRIMARY KEY (organization_id, register_id, valid_from),
    FOREIGN KEY (organization_id, register_id) REFERENCES registers (organization_id, id),
    CHECK (valid_to >= valid_from)
);

CREATE FUNCTION register_versions_trigger() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    at timestamptz := NEW.updated_at;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (OLD.name, OLD.matrix) IS NOT DISTINCT FROM (NEW.name, NEW.matrix) THEN
            RETURN NULL;
        END IF;
        SELECT greatest(at, max(valid_from)) INTO at FROM register_versions
        WHERE organization_id = NEW.organization_id AND register_id = NEW.id;
        at := coalesce(at, NEW.updated_at);
        UPDATE register_versions SET valid_to = at
        WHERE organization_id = NEW.organization_id AND register_id = NEW.id AND valid_to = 'infinity' AND valid_from < at;
    END IF;
    INSERT INTO register_versions (organization_id, register_id, valid_from, name, matrix)
    VALUES (NEW.organization_id, NEW.id, at, NEW.name, NEW.matrix)
    ON CONFLICT (organization_id, register_id, valid_from)
    DO UPDATE SET valid_to = 'infinity', name = EXCLUDED.name, matrix = EXCLUDED.matrix;
    RETURN NULL;
END;
$$;
CREATE TRIGGER register_versions_write AFTER INSERT OR UPDATE ON registers
    FOR EACH ROW EXECUTE FUNCTION register_versions_trigger();

INSERT INTO register_versions (organization_id, register_id, valid_from, name, matrix)
SELECT organization_id, id, created_at, name, matrix FROM registers;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'riskreg_app') THEN
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON register_versions FROM riskreg_app;
    END IF;
END
$$;
