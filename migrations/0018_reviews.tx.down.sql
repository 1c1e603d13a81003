DROP INDEX IF EXISTS risks_next_review_idx;
DROP TABLE risk_reviews;
ALTER TABLE risks DROP COLUMN last_reviewed_at;
ALTER TABLE registers DROP COLUMN review_intervals;
