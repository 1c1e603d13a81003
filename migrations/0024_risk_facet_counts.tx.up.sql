-- Speed at scale (issue 13): the register's total when it is filtered by
-- one classification — a category, a department, a type or an assignee
-- ("my risks", "unassigned") — read from maintained counts, not counted.
--
-- risk_facet_counts holds the number of risks per organization, facet
-- (category, department, type, assignee), value, register and status. An
-- unassigned risk counts under the assignee value '' (member ids are never
-- empty); a risk without a type is not counted under type. Like the cell
-- counts (0012) it is kept by statement-level triggers on risks, summed per
-- key and upserted in key order, and risk_facet_counts_recount() rebuilds
-- it (the tests compare both).
CREATE TABLE risk_facet_counts (
    organization_id  text NOT NULL,
    facet            text NOT NULL,
    value            text NOT NULL,
    register_id      text NOT NULL,
    status           text NOT NULL,
    n                bigint NOT NULL,
    PRIMARY KEY (organization_id, facet, value, register_id, status)
) WITH (fillfactor = 70);

CREATE FUNCTION risk_facet_counts_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($q$
WITH delta AS (%s)
INSERT INTO risk_facet_counts AS c (organization_id, facet, value, register_id, status, n)
SELECT organization_id, facet, value, register_id, status, sum(d)
FROM (
    SELECT organization_id, 'category' AS facet, category AS value, register_id, status, d FROM delta
    UNION ALL
    SELECT organization_id, 'department', department, register_id, status, d FROM delta
    UNION ALL
    SELECT organization_id, 'type', risk_type, register_id, status, d FROM delta WHERE risk_type IS NOT NULL
    UNION ALL
    SELECT organization_id, 'assignee', coalesce(assignee_id, ''), register_id, status, d FROM delta
) k
GROUP BY 1, 2, 3, 4, 5
HAVING sum(d) <> 0
ORDER BY 1, 2, 3, 4, 5
ON CONFLICT (organization_id, facet, value, register_id, status) DO UPDATE SET n = c.n + EXCLUDED.n
$q$, src);
$$;

CREATE FUNCTION risk_facet_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE risk_facet_counts_sql('SELECT *, 1 AS d FROM new_rows');
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE risk_facet_counts_sql('SELECT *, -1 AS d FROM old_rows');
    ELSE
        EXECUTE risk_facet_counts_sql('SELECT *, 1 AS d FROM new_rows UNION ALL SELECT *, -1 AS d FROM old_rows');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER risk_facet_counts_insert AFTER INSERT ON risks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_facet_counts_trigger();
CREATE TRIGGER risk_facet_counts_update AFTER UPDATE ON risks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_facet_counts_trigger();
CREATE TRIGGER risk_facet_counts_delete AFTER DELETE ON risks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_facet_counts_trigger();

CREATE FUNCTION risk_facet_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM risk_facet_counts;
    RETURN NULL;
END;
$$;
CREATE TRIGGER risk_facet_counts_truncate AFTER TRUNCATE ON risks
    FOR EACH STATEMENT EXECUTE FUNCTION risk_facet_counts_truncate();

CREATE FUNCTION risk_facet_counts_recount() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM risk_facet_counts;
    EXECUTE risk_facet_counts_sql('SELECT *, 1 AS d FROM risks');
END;
$$;

SELECT risk_facet_counts_recount();
