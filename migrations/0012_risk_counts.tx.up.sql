-- Speed at scale (issue 13), part 2: counts maintained with every change,
-- so the dashboard, the heat map and the register's total read a few
-- hundred rows whatever the register holds.
--
-- risk_cell_counts: the number of risks per organization, register,
-- status, kind (inherent or residual), (probability, impact) pair and
-- level (-1 when not assessed). risk_due_counts: the number of open and
-- pending risks per register and due date (overdue = the dates before
-- today).
--
-- They are kept by statement-level triggers on risks, in the transaction of
-- the change: every writer — forms, API, bulk edits, imports, re-levelling,
-- restores, psql — updates them, including writers added later, with no
-- code to remember. A statement's changes are summed per key first (a
-- 100,000-row import or re-levelling is one upsert of a few hundred rows),
-- keys whose changes cancel out (an edit of the title) are not touched, and
-- the upserts run in key order so that concurrent writers cannot deadlock.
-- risk_counts_recount() rebuilds both from the risks; a test compares them.
CREATE TABLE risk_cell_counts (
    organization_id  text NOT NULL,
    register_id      text NOT NULL,
    status           text NOT NULL,
    residual         boolean NOT NULL,
    probability      smallint NOT NULL,
    impact           smallint NOT NULL,
    level            smallint NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (organization_id, register_id, status, residual, probability, impact, level)
) WITH (fillfactor = 70);

CREATE TABLE risk_due_counts (
    organization_id  text NOT NULL,
    register_id      text NOT NULL,
    due_date         date NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (organization_id, register_id, due_date)
) WITH (fillfactor = 70);

-- risk_counts_sql returns the statement that adds the rows of the query
-- src (risks columns and a sign column d of +1 or -1) to both tables. The
-- trigger function runs it itself: transition tables are visible only to
-- the trigger function's own statements, not to functions it calls.
CREATE FUNCTION risk_counts_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($q$
WITH delta AS (%s),
cells AS (
    INSERT INTO risk_cell_counts AS c (organization_id, register_id, status, residual, probability, impact, level, n)
    SELECT organization_id, register_id, status, residual, p, i, l, sum(d)
    FROM (
        SELECT organization_id, register_id, status, false AS residual, probability AS p, impact AS i,
               coalesce(inherent_level, -1) AS l, d FROM delta
        UNION ALL
        SELECT organization_id, register_id, status, true, residual_probability, residual_impact,
               coalesce(residual_level, -1), d FROM delta
    ) k
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    HAVING sum(d) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (organization_id, register_id, status, residual, probability, impact, level)
    DO UPDATE SET n = c.n + EXCLUDED.n
)
INSERT INTO risk_due_counts AS c (organization_id, register_id, due_date, n)
SELECT organization_id, register_id, due_date, sum(d)
FROM delta WHERE status IN ('open', 'pending') AND due_date IS NOT NULL
GROUP BY 1, 2, 3
HAVING sum(d) <> 0
ORDER BY 1, 2, 3
ON CONFLICT (organization_id, register_id, due_date) DO UPDATE SET n = c.n + EXCLUDED.n
$q$, src);
$$;

CREATE FUNCTION risk_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE risk_counts_sql('SELECT *, 1 AS d FROM new_rows');
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE risk_counts_sql('SELECT *, -1 AS d FROM old_rows');
    ELSE
        EXECUTE risk_counts_sql('SELECT *, 1 AS d FROM new_rows UNION ALL SELECT *, -1 AS d FROM old_rows');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER risk_counts_insert AFTER INSERT ON risks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_counts_trigger();
CREATE TRIGGER risk_counts_update AFTER UPDATE ON risks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_counts_trigger();
CREATE TRIGGER risk_counts_delete AFTER DELETE ON risks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_counts_trigger();
-- TRUNCATE bypasses row triggers; nothing truncates risks, and this keeps
-- the counts right if someone does.
CREATE FUNCTION risk_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM risk_cell_counts;
    DELETE FROM risk_due_counts;
    RETURN NULL;
END;
$$;
CREATE TRIGGER risk_counts_truncate AFTER TRUNCATE ON risks
    FOR EACH STATEMENT EXECUTE FUNCTION risk_counts_truncate();

-- risk_counts_recount rebuilds both tables from the risks (a repair tool
-- and the reference of the tests).
CREATE FUNCTION risk_counts_recount() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM risk_cell_counts;
    DELETE FROM risk_due_counts;
    EXECUTE risk_counts_sql('SELECT *, 1 AS d FROM risks');
END;
$$;

SELECT risk_counts_recount();
