-- One-time password-reset links an owner or admin issues for a member (no
-- email server: the link is shown to them). The token is stored as its
-- SHA-256 only; a link works once, until it expires.

CREATE TABLE password_resets (
    organization_id  text NOT NULL REFERENCES organizations (id),
    id               text NOT NULL,
    user_id          text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    member_id        text NOT NULL,
    token_hash       text NOT NULL UNIQUE,
    created_by       text,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    used_at          timestamptz,
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id),
    FOREIGN KEY (organization_id, created_by) REFERENCES members (organization_id, id)
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
