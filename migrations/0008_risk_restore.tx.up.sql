-- A deleted risk can be restored from the last state its delete event kept;
-- the restore is an event of its own.
ALTER TABLE events DROP CONSTRAINT events_action_check;
ALTER TABLE events ADD CONSTRAINT events_action_check
    CHECK (action IN ('created', 'updated', 'deleted', 'restored'));

-- A deleted risk's page (/risks/RSK-00042) finds its last event by identifier.
CREATE INDEX events_label_idx ON events (organization_id, entity_type, entity_label, id);
