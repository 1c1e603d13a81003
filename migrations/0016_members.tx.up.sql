-- Team members: a membership can be disabled (signs in no more, its
-- sessions and API keys are refused) or removed (kept for the history it is
-- named in, hidden from the team), and owners and admins invite people by a
-- one-time link. An invitation's token is stored as its SHA-256 only.

ALTER TABLE members
    ADD COLUMN disabled_at timestamptz,
    ADD COLUMN removed_at  timestamptz;
ALTER TABLE users ADD COLUMN last_sign_in_at timestamptz;

CREATE TABLE invitations (
    organization_id  text NOT NULL REFERENCES organizations (id),
    id               text NOT NULL,
    email            text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    role             text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    token_hash       text NOT NULL UNIQUE,
    invited_by       text,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    accepted_at      timestamptz,
    accepted_member  text,
    revoked_at       timestamptz,
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, invited_by) REFERENCES members (organization_id, id),
    FOREIGN KEY (organization_id, accepted_member) REFERENCES members (organization_id, id)
);
CREATE INDEX invitations_org_idx ON invitations (organization_id, created_at DESC);
