-- The review cycle (issue 11): each register sets a review interval per risk
-- level, a risk records who reviewed it and when, and the next review date
-- (risks.next_review_date, from 0001) is set from the interval.
--
-- review_intervals: days per risk-level index of the register's matrix, keys
-- are the index as text ({"0": 365, "3": 30}); a missing key means the
-- default for that level (by name: Critical 30, High 90, Medium 180, Low 365).
ALTER TABLE registers ADD COLUMN review_intervals jsonb NOT NULL DEFAULT '{}'
    CHECK (jsonb_typeof(review_intervals) = 'object');

ALTER TABLE risks ADD COLUMN last_reviewed_at timestamptz;

-- changes: [] = "no change"; else [{field, old, new}] since the previous review.
CREATE TABLE risk_reviews (
    organization_id   text NOT NULL REFERENCES organizations (id),
    id                text NOT NULL,
    risk_id           text NOT NULL,
    reviewer_id       text,
    reviewer_name     text NOT NULL DEFAULT '',
    reviewed_at       timestamptz NOT NULL,
    note              text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    changes           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(changes) = 'array'),
    next_review_date  date,
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, risk_id) REFERENCES risks (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, reviewer_id) REFERENCES members (organization_id, id)
);
CREATE INDEX risk_reviews_risk_idx ON risk_reviews (organization_id, risk_id, reviewed_at DESC);

-- The Review overdue / due-soon filters and the dashboard count: only live
-- risks (open, pending) with a review date are in the index.
CREATE INDEX risks_next_review_idx ON risks (organization_id, next_review_date, number)
    WHERE next_review_date IS NOT NULL AND status IN ('open', 'pending');

-- The dashboard's "Reviews overdue" reads maintained counts, as its other
-- numbers do (0012): the number of open and pending risks per register and
-- next review date, kept by statement-level triggers on risks in the
-- transaction of every change.
CREATE TABLE risk_review_counts (
    organization_id   text NOT NULL,
    register_id       text NOT NULL,
    next_review_date  date NOT NULL,
    n                 bigint NOT NULL,
    PRIMARY KEY (organization_id, register_id, next_review_date)
) WITH (fillfactor = 70);

CREATE FUNCTION risk_review_counts_sql(src text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($q$
INSERT INTO risk_review_counts AS c (organization_id, register_id, next_review_date, n)
SELECT organization_id, register_id, next_review_date, sum(d)
FROM (%s) delta WHERE status IN ('open', 'pending') AND next_review_date IS NOT NULL
GROUP BY 1, 2, 3
HAVING sum(d) <> 0
ORDER BY 1, 2, 3
ON CONFLICT (organization_id, register_id, next_review_date) DO UPDATE SET n = c.n + EXCLUDED.n
$q$, src);
$$;

CREATE FUNCTION risk_review_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE risk_review_counts_sql('SELECT *, 1 AS d FROM new_rows');
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE risk_review_counts_sql('SELECT *, -1 AS d FROM old_rows');
    ELSE
        EXECUTE risk_review_counts_sql('SELECT *, 1 AS d FROM new_rows UNION ALL SELECT *, -1 AS d FROM old_rows');
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER risk_review_counts_insert AFTER INSERT ON risks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_review_counts_trigger();
CREATE TRIGGER risk_review_counts_update AFTER UPDATE ON risks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_review_counts_trigger();
CREATE TRIGGER risk_review_counts_delete AFTER DELETE ON risks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION risk_review_counts_trigger();
CREATE FUNCTION risk_review_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM risk_review_counts;
    RETURN NULL;
END;
$$;
CREATE TRIGGER risk_review_counts_truncate AFTER TRUNCATE ON risks
    FOR EACH STATEMENT EXECUTE FUNCTION risk_review_counts_truncate();

-- risk_review_counts_recount rebuilds the table from the risks (a repair
-- tool and the reference of the tests).
CREATE FUNCTION risk_review_counts_recount() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM risk_review_counts;
    EXECUTE risk_review_counts_sql('SELECT *, 1 AS d FROM risks');
END;
$$;

SELECT risk_review_counts_recount();
