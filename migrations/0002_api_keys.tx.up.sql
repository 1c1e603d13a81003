-- API keys: per-organization credentials for the JSON API. A key is shown once
-- as rr_<prefix>_<secret>; only its lookup prefix and the SHA-256 of the whole
-- string are stored. The prefix is unique across organizations because a key
-- is looked up by it before its organization is known. Keys are revoked, never
-- deleted, so the audit trail can keep pointing at them.

CREATE TABLE api_keys (
    organization_id  text NOT NULL REFERENCES organizations (id),
    id               text NOT NULL CHECK (id ~ '^key_[a-z0-9]{1,40}$'),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix           text NOT NULL UNIQUE CHECK (prefix ~ '^[a-z0-9]{8}$'),
    secret_hash      bytea NOT NULL CHECK (length(secret_hash) = 32),
    scopes           text[] NOT NULL CHECK (
                         cardinality(scopes) >= 1
                         AND array_ndims(scopes) = 1
                         AND array_position(scopes, NULL) IS NULL
                         AND scopes <@ ARRAY['risks:read', 'risks:write']::text[]),
    created_by       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_used_at     timestamptz,
    expires_at       timestamptz,
    revoked_at       timestamptz,
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, created_by) REFERENCES members (organization_id, id)
);
CREATE INDEX api_keys_list_idx ON api_keys (organization_id, created_at DESC, id DESC);

-- An event done with an API key names it; the key must be the organization's own.
ALTER TABLE events ADD CONSTRAINT events_actor_api_key_fkey
    FOREIGN KEY (organization_id, actor_api_key_id) REFERENCES api_keys (organization_id, id);
