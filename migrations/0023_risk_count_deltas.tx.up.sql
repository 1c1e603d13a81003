-- Looking back at scale (issues 13 and 14): the past heat map, dashboard
-- and register totals in time independent of the register's size, and the
-- past register's pages as index walks.
--
-- risk_count_deltas holds, per organization, register, kind (inherent or
-- residual), UTC day, status and (probability, impact) pair, how the number
-- of risks changed that day. A version valid over [valid_from, valid_to)
-- is counted at the end of day D exactly when its start day <= D < its end
-- day, so it adds +1 on the day it starts and -1 on the day it ends: the
-- count at the end of D is the sum of the deltas of the days up to D. That
-- reads one row per (day, cell) that changed, not one per risk.
--
-- Like risk_cell_counts (0012), it is kept by a statement-level trigger,
-- here on risk_versions, so it follows every writer of the history: new
-- versions, closed versions, a change replacing the version of the same
-- instant, deletions moved to the audit event's time. A statement's changes
-- are summed per key first and upserted in key order (no deadlocks between
-- concurrent writers). Levels are not stored: the reader levels (probability,
-- impact) with the matrix in force then.
CREATE TABLE risk_count_deltas (
    organization_id  text NOT NULL,
    register_id      text NOT NULL,
    residual         boolean NOT NULL,
    day              date NOT NULL,
    status           text NOT NULL,
    probability      smallint NOT NULL,
    impact           smallint NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (organization_id, register_id, residual, day, status, probability, impact)
) WITH (fillfactor = 70);
-- The span of an organization's history, and the changes after a day
-- across its registers.
CREATE INDEX risk_count_deltas_day_idx ON risk_count_deltas (organization_id, residual, day);

CREATE FUNCTION risk_count_deltas_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($q$
WITH v AS (%s),
edges AS (
    SELECT organization_id, register_id, status, probability, impact, residual_probability, residual_impact,
           (valid_from AT TIME ZONE 'UTC')::date AS day, d FROM v
    UNION ALL
    SELECT organization_id, register_id, status, probability, impact, residual_probability, residual_impact,
           (valid_to AT TIME ZONE 'UTC')::date, -d FROM v WHERE valid_to <> 'infinity'
)
INSERT INTO risk_count_deltas AS c (organization_id, register_id, residual, day, status, probability, impact, n)
SELECT organization_id, register_id, residual, day, status, p, i, sum(d)
FROM (
    SELECT organization_id, register_id, false AS residual, day, status, probability AS p, impact AS i, d FROM edges
    UNION ALL
    SELECT organization_id, register_id, true, day, status, residual_probability, residual_impact, d FROM edges
) k
GROUP BY 1, 2, 3, 4, 5, 6, 7
HAVING sum(d) <> 0
ORDER BY 1, 2, 3, 4, 5, 6, 7
ON CONFLICT (organization_id, register_id, residual, day, status, probability, impact)
DO UPDATE SET n = c.n + EXCLUDED.n
$q$, src);
$$;

-- risk_due_deltas does the same for the past dashboard's overdue cards:
-- per organization, register, kind ('due': the due date has passed;
-- 'review': the next review date has passed) and UTC day, how the number of
-- open and pending risks so overdue changed. A version valid over
-- [valid_from, valid_to) with due date u is overdue at the end of day D
-- when its start day <= D < its end day and u < D: from the later of its
-- start day and u + 1 to its end day, one more interval of days.
CREATE TABLE risk_due_deltas (
    organization_id  text NOT NULL,
    register_id      text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('due', 'review')),
    day              date NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (organization_id, register_id, kind, day)
) WITH (fillfactor = 70);

-- risk_due_edges_sql returns the CTEs (ending in edges: organization_id,
-- register_id, kind, day, d) of the overdue deltas of src's versions.
CREATE FUNCTION risk_due_edges_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($q$
WITH v AS (%s),
spans AS (
    SELECT organization_id, register_id, 'due' AS kind, d,
           greatest((valid_from AT TIME ZONE 'UTC')::date, due_date + 1) AS s,
           CASE WHEN valid_to = 'infinity' THEN NULL ELSE (valid_to AT TIME ZONE 'UTC')::date END AS e
    FROM v WHERE status IN ('open', 'pending') AND due_date IS NOT NULL
    UNION ALL
    SELECT organization_id, register_id, 'review', d,
           greatest((valid_from AT TIME ZONE 'UTC')::date, next_review_date + 1),
           CASE WHEN valid_to = 'infinity' THEN NULL ELSE (valid_to AT TIME ZONE 'UTC')::date END
    FROM v WHERE status IN ('open', 'pending') AND next_review_date IS NOT NULL
),
edges AS (
    SELECT organization_id, register_id, kind, s AS day, d FROM spans WHERE e IS NULL OR s < e
    UNION ALL
    SELECT organization_id, register_id, kind, e, -d FROM spans WHERE s < e
)
$q$, src);
$$;

CREATE FUNCTION risk_due_deltas_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT risk_due_edges_sql(src) || $q$
INSERT INTO risk_due_deltas AS c (organization_id, register_id, kind, day, n)
SELECT organization_id, register_id, kind, day, sum(d) FROM edges
GROUP BY 1, 2, 3, 4
HAVING sum(d) <> 0
ORDER BY 1, 2, 3, 4
ON CONFLICT (organization_id, register_id, kind, day) DO UPDATE SET n = c.n + EXCLUDED.n
$q$;
$$;

-- risk_count_deltas_prune_sql returns the statement that deletes the deltas
-- that came to nothing on the days src touched (a risk created and edited
-- the same day adds and takes away the same cell): the reads sum the rows,
-- so a table of zeros would cost them as much as real changes. It skips
-- the rows another writer holds (it never waits, so it cannot deadlock);
-- a zero left behind costs a read a row, nothing more.
CREATE FUNCTION risk_count_deltas_prune_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($q$
WITH v AS (%s),
touched AS (
    SELECT DISTINCT organization_id, register_id, (valid_from AT TIME ZONE 'UTC')::date AS day FROM v
    UNION
    SELECT DISTINCT organization_id, register_id, (valid_to AT TIME ZONE 'UTC')::date FROM v WHERE valid_to <> 'infinity'
)
DELETE FROM risk_count_deltas WHERE ctid IN (
    SELECT c.ctid FROM risk_count_deltas c, touched t, (VALUES (false), (true)) AS k(residual)
    WHERE c.organization_id = t.organization_id AND c.register_id = t.register_id AND c.residual = k.residual
      AND c.day = t.day AND c.n = 0
    FOR UPDATE OF c SKIP LOCKED
)
$q$, src);
$$;

-- The overdue deltas' zeros, on the days src touched, likewise.
CREATE FUNCTION risk_due_deltas_prune_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT risk_due_edges_sql(src) || $q$
DELETE FROM risk_due_deltas WHERE ctid IN (
    SELECT c.ctid FROM risk_due_deltas c JOIN (SELECT DISTINCT organization_id, register_id, kind, day FROM edges) t
        ON c.organization_id = t.organization_id AND c.register_id = t.register_id AND c.kind = t.kind AND c.day = t.day
    WHERE c.n = 0
    FOR UPDATE OF c SKIP LOCKED
)
$q$;
$$;

CREATE FUNCTION risk_count_deltas_trigger() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    src text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        src := 'SELECT *, 1 AS d FROM new_rows';
    ELSIF TG_OP = 'DELETE' THEN
        src := 'SELECT *, -1 AS d FROM old_rows';
    ELSE
        src := 'SELECT *, 1 AS d FROM new_rows UNION ALL SELECT *, -1 AS d FROM old_rows';
    END IF;
    EXECUTE risk_count_deltas_sql(src);
    EXECUTE risk_count_deltas_prune_sql(src);
    EXECUTE risk_due_deltas_sql(src);
    EXECUTE risk_due_deltas_prune_sql(src);
    RETURN NULL;
END;
$$;

CREATE TRIGGER risk_count_deltas_insert AFTER INSERT ON risk_versions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_count_deltas_trigger();
CREATE TRIGGER risk_count_deltas_update AFTER UPDATE ON risk_versions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_count_deltas_trigger();
CREATE TRIGGER risk_count_deltas_delete AFTER DELETE ON risk_versions REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_count_deltas_trigger();

-- The history so far.
DO $$
BEGIN
    EXECUTE risk_count_deltas_sql('SELECT *, 1 AS d FROM risk_versions');
    EXECUTE risk_due_deltas_sql('SELECT *, 1 AS d FROM risk_versions');
END
$$;

-- risk_count_deltas_recount() rebuilds both deltas from the versions (the
-- test compares both; an operator can run it after a manual repair).
CREATE FUNCTION risk_count_deltas_recount() RETURNS void LANGUAGE plpgsql
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    LOCK TABLE risk_count_deltas, risk_due_deltas IN EXCLUSIVE MODE;
    DELETE FROM risk_count_deltas;
    DELETE FROM risk_due_deltas;
    EXECUTE risk_count_deltas_sql('SELECT *, 1 AS d FROM risk_versions');
    EXECUTE risk_due_deltas_sql('SELECT *, 1 AS d FROM risk_versions');
END;
$$;

-- A past register page walks one of these in its sort order, keeping the
-- versions valid at the chosen instant: the default order (last change,
-- the version's start), the residual and the inherent score.
CREATE INDEX risk_versions_from_idx ON risk_versions (organization_id, valid_from, number)
    INCLUDE (valid_to, status, register_id, risk_id);
CREATE INDEX risk_versions_residual_idx ON risk_versions (organization_id, ((residual_probability * residual_impact)::smallint), number)
    INCLUDE (valid_from, valid_to, status, register_id, risk_id);
CREATE INDEX risk_versions_inherent_idx ON risk_versions (organization_id, ((probability * impact)::smallint), number)
    INCLUDE (valid_from, valid_to, status, register_id, risk_id);

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'riskreg_app') THEN
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON risk_count_deltas, risk_due_deltas FROM riskreg_app;
        REVOKE EXECUTE ON FUNCTION risk_count_deltas_recount() FROM PUBLIC;
    END IF;
END
$$;
