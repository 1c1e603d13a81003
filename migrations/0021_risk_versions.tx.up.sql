-- Looking back (issue 14): the state of every risk over time, so the
-- register, a risk's page, the heat map and the dashboard can be read as of
-- any past date, and the dashboard can draw trends.
--
-- risk_versions holds one row per state of a risk, valid from valid_from
-- (inclusive) to valid_to (exclusive; 'infinity' while current). Levels are
-- not stored: a past view levels the probability and impact with the matrix
-- in force then (register_versions, migration 0022), so re-levelling a
-- register writes no risk version.
--
-- The versions are written by triggers on risks, in the transaction of the
-- change, so every writer (forms, API, bulk edits, imports, restores,
-- incidents, psql) keeps the history with no code to remember. The
-- timestamps come from the rows, never from now(): a version starts at the
-- risk's updated_at, which the services set from their injectable clock. A
-- deletion has no row left to read a time from: the delete closes the
-- current version at its last update, and the audit event of the deletion
-- (appended in the same transaction, stamped by the service clock) moves the
-- end to the moment of deletion.
--
-- The history is the app's to read only: the triggers run as the schema's
-- owner (SECURITY DEFINER), and the app's role may not write it (migration
-- 0007's default grants are taken back below), so a compromised app cannot
-- rewrite the past.
--
-- History before this migration is not known: every existing risk gets one
-- version, its current state, from its creation on.
CREATE TABLE risk_versions (
    organization_id       text NOT NULL,
    risk_id               text NOT NULL,
    valid_from            timestamptz NOT NULL,
    valid_to              timestamptz NOT NULL DEFAULT 'infinity',
    register_id           text NOT NULL,
    number                bigint NOT NULL,
    title                 text NOT NULL,
    description           text NOT NULL,
    category              text NOT NULL,
    department            text NOT NULL,
    status                text NOT NULL,
    probability           smallint NOT NULL,
    impact                smallint NOT NULL,
    residual_probability  smallint NOT NULL,
    residual_impact       smallint NOT NULL,
    assignee_id           text,
    closure_reason        text,
    closed_at             timestamptz,
    due_date              date,
    next_review_date      date,
    tags                  text[] NOT NULL DEFAULT '{}',
    risk_type             text,
    threat_objectives     text[] NOT NULL DEFAULT '{}',
    last_reviewed_at      timestamptz,
    version               integer NOT NULL,
    created_at            timestamptz NOT NULL,
    PRIMARY KEY (organization_id, risk_id, valid_from),
    FOREIGN KEY (organization_id) REFERENCES organizations (id),
    CHECK (valid_to >= valid_from)
);
-- The as-of reads and the weekly trend scan one register's versions.
CREATE INDEX risk_versions_register_idx ON risk_versions (organization_id, register_id, valid_to, valid_from);

CREATE FUNCTION risk_versions_trigger() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO risk_versions (organization_id, risk_id, valid_from, register_id, number, title, description,
            category, department, status, probability, impact, residual_probability, residual_impact, assignee_id,
            closure_reason, closed_at, due_date, next_review_date, tags, risk_type, threat_objectives, last_reviewed_at, version, created_at)
        SELECT n.organization_id, n.id, n.updated_at, n.register_id, n.number, n.title, n.description,
            n.category, n.department, n.status, n.probability, n.impact, n.residual_probability, n.residual_impact,
            n.assignee_id, n.closure_reason, n.closed_at, n.due_date, n.next_review_date, n.tags, n.risk_type, n.threat_objectives, n.last_reviewed_at, n.version, n.created_at
        FROM new_rows n
        ON CONFLICT (organization_id, risk_id, valid_from) DO UPDATE SET valid_to = 'infinity',
            register_id = EXCLUDED.register_id, title = EXCLUDED.title, description = EXCLUDED.description,
            category = EXCLUDED.category, department = EXCLUDED.department, status = EXCLUDED.status,
            probability = EXCLUDED.probability, impact = EXCLUDED.impact,
            residual_probability = EXCLUDED.residual_probability, residual_impact = EXCLUDED.residual_impact,
            assignee_id = EXCLUDED.assignee_id, closure_reason = EXCLUDED.closure_reason,
            closed_at = EXCLUDED.closed_at, due_date = EXCLUDED.due_date,
            next_review_date = EXCLUDED.next_review_date, tags = EXCLUDED.tags, risk_type = EXCLUDED.risk_type,
            threat_objectives = EXCLUDED.threat_objectives, last_reviewed_at = EXCLUDED.last_reviewed_at, version = EXCLUDED.version;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE risk_versions v SET valid_to = greatest(o.updated_at, v.valid_from)
        FROM old_rows o
        WHERE v.organization_id = o.organization_id AND v.risk_id = o.id AND v.valid_to = 'infinity';
    ELSE
        -- Only a change of what a version records starts a new one (not a
        -- re-levelling, nor a touch of updated_at by a task change). A
        -- change at the instant the current version started replaces it.
        WITH changed AS (
            SELECT n.*, greatest(n.updated_at, cur.valid_from) AS at
            FROM new_rows n
            JOIN old_rows o ON o.organization_id = n.organization_id AND o.id = n.id
            LEFT JOIN risk_versions cur ON cur.organization_id = n.organization_id AND cur.risk_id = n.id
                AND cur.valid_to = 'infinity'
            WHERE (o.register_id, o.title, o.description, o.category, o.department, o.status, o.probability,
                   o.impact, o.residual_probability, o.residual_impact, o.assignee_id, o.closure_reason,
                   o.closed_at, o.due_date, o.next_review_date, o.tags, o.risk_type, o.threat_objectives, o.last_reviewed_at)
                IS DISTINCT FROM
                  (n.register_id, n.title, n.description, n.category, n.department, n.status, n.probability,
                   n.impact, n.residual_probability, n.residual_impact, n.assignee_id, n.closure_reason,
                   n.closed_at, n.due_date, n.next_review_date, n.tags, n.risk_type, n.threat_objectives, n.last_reviewed_at)
        ), closed AS (
            UPDATE risk_versions v SET valid_to = c.at
            FROM changed c
            WHERE v.organization_id = c.organization_id AND v.risk_id = c.id AND v.valid_to = 'infinity'
              AND v.valid_from < c.at
        )
        INSERT INTO risk_versions (organization_id, risk_id, valid_from, register_id, number, title, description,
            category, department, status, probability, impact, residual_probability, residual_impact, assignee_id,
            closure_reason, closed_at, due_date, next_review_date, tags, risk_type, threat_objectives, last_reviewed_at, version, created_at)
        SELECT c.organization_id, c.id, c.at, c.register_id, c.number, c.title, c.description,
            c.category, c.department, c.status, c.probability, c.impact, c.residual_probability, c.residual_impact,
            c.assignee_id, c.closure_reason, c.closed_at, c.due_date, c.next_review_date, c.tags, c.risk_type, c.threat_objectives, c.last_reviewed_at, c.version, c.created_at
        FROM changed c
        ON CONFLICT (organization_id, risk_id, valid_from) DO UPDATE SET valid_to = 'infinity',
            register_id = EXCLUDED.register_id, title = EXCLUDED.title, description = EXCLUDED.description,
            category = EXCLUDED.category, department = EXCLUDED.department, status = EXCLUDED.status,
            probability = EXCLUDED.probability, impact = EXCLUDED.impact,
            residual_probability = EXCLUDED.residual_probability, residual_impact = EXCLUDED.residual_impact,
            assignee_id = EXCLUDED.assignee_id, closure_reason = EXCLUDED.closure_reason,
            closed_at = EXCLUDED.closed_at, due_date = EXCLUDED.due_date,
            next_review_date = EXCLUDED.next_review_date, tags = EXCLUDED.tags, risk_type = EXCLUDED.risk_type,
            threat_objectives = EXCLUDED.threat_objectives, last_reviewed_at = EXCLUDED.last_reviewed_at, version = EXCLUDED.version;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER risk_versions_insert AFTER INSERT ON risks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_versions_trigger();
CREATE TRIGGER risk_versions_update AFTER UPDATE ON risks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_versions_trigger();
CREATE TRIGGER risk_versions_delete AFTER DELETE ON risks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_versions_trigger();

-- A risk's deletion event, stamped by the service clock, ends its last
-- version at the moment of deletion.
CREATE FUNCTION risk_versions_deleted() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE risk_versions v SET valid_to = greatest(e.created_at, v.valid_from)
    FROM new_rows e
    WHERE e.entity_type = 'risk' AND e.action = 'deleted'
      AND v.organization_id = e.organization_id AND v.risk_id = e.entity_id AND v.valid_to <> 'infinity'
      AND v.valid_from = (SELECT max(w.valid_from) FROM risk_versions w
                          WHERE w.organization_id = v.organization_id AND w.risk_id = v.risk_id)
      AND NOT EXISTS (SELECT FROM risks r WHERE r.organization_id = e.organization_id AND r.id = e.entity_id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER risk_versions_deleted AFTER INSERT ON events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_versions_deleted();

INSERT INTO risk_versions (organization_id, risk_id, valid_from, register_id, number, title, description,
    category, department, status, probability, impact, residual_probability, residual_impact, assignee_id,
    closure_reason, closed_at, due_date, next_review_date, tags, risk_type, threat_objectives, last_reviewed_at, version, created_at)
SELECT organization_id, id, created_at, register_id, number, title, description,
    category, department, status, probability, impact, residual_probability, residual_impact, assignee_id,
    closure_reason, closed_at, due_date, next_review_date, tags, risk_type, threat_objectives, last_reviewed_at, version, created_at
FROM risks;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'riskreg_app') THEN
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON risk_versions FROM riskreg_app;
    END IF;
END
$$;
