-- Stored responses of API POSTs sent with an Idempotency-Key, per organization.
CREATE TABLE idempotency_keys (
    organization_id  text NOT NULL REFERENCES organizations (id),
    key              text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash     text NOT NULL,
    status           integer NOT NULL DEFAULT 0,
    response         bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
