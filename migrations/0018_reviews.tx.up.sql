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
