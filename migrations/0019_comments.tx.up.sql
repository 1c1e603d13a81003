-- Comments on a risk (issue 11). Plain text; mentions holds the member ids
-- named with @name, resolved when the comment is written. Deleting a comment
-- deletes the row; the risk's history keeps an event of it.
CREATE TABLE risk_comments (
    organization_id  text NOT NULL REFERENCES organizations (id),
    id               text NOT NULL,
    risk_id          text NOT NULL,
    author_id        text,
    author_name      text NOT NULL DEFAULT '',
    body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
    mentions         text[] NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL,
    edited_at        timestamptz,
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, risk_id) REFERENCES risks (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, author_id) REFERENCES members (organization_id, id)
);
CREATE INDEX risk_comments_risk_idx ON risk_comments (organization_id, risk_id, created_at);
-- "Mentions of me": organization first (btree_gin, from 0011), then the ids.
CREATE INDEX risk_comments_mentions_idx ON risk_comments USING gin (organization_id, mentions);
