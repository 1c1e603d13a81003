-- The activity log pages the organization's events by (created_at, id),
-- newest first, without OFFSET.
CREATE INDEX events_created_idx ON events (organization_id, created_at DESC, id DESC);
-- Its actor filter.
CREATE INDEX events_actor_idx ON events (organization_id, actor_member_id, created_at DESC, id DESC);
-- Its entity filter (an id or a label such as RSK-00042, of any kind): a
-- bitmap OR of these two instead of a scan of the organization's trail.
CREATE INDEX events_subject_id_idx ON events (organization_id, entity_id);
CREATE INDEX events_subject_label_idx ON events (organization_id, entity_label);

-- Notifications are computed on read; a member's read state is a watermark
-- (everything up to read_until is read: "Mark all read") ...
CREATE TABLE notification_watermarks (
    organization_id  text NOT NULL,
    member_id        text NOT NULL,
    read_until       timestamptz NOT NULL,
    PRIMARY KEY (organization_id, member_id),
    FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id) ON DELETE CASCADE
);

-- ... plus the items marked read one by one after it ("Mark read"); "Mark
-- all read" moves the watermark and deletes these.
CREATE TABLE notification_reads (
    organization_id  text NOT NULL,
    member_id        text NOT NULL,
    key              text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    read_at          timestamptz NOT NULL,
    PRIMARY KEY (organization_id, member_id, key),
    FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id) ON DELETE CASCADE
);
