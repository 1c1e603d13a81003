DROP INDEX events_label_idx;
-- Restore events cannot be removed from the append-only trail: the older
-- rule applies to new rows only.
ALTER TABLE events DROP CONSTRAINT events_action_check;
ALTER TABLE events ADD CONSTRAINT events_action_check
    CHECK (action IN ('created', 'updated', 'deleted')) NOT VALID;
