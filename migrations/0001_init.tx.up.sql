-- The foundation: tenants, people, sessions, registers, risks and the audit trail.
-- Every tenant table is keyed (organization_id, id) and every reference into a
-- tenant table carries organization_id, so no row can point into another
-- organization and the schema can be distributed by organization_id.

CREATE TABLE organizations (
    id          text PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    risk_seq    bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             text PRIMARY KEY,
    email          text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    password_hash  text NOT NULL,
    disabled_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE members (
    organization_id  text NOT NULL REFERENCES organizations (id),
    id               text NOT NULL,
    user_id          text NOT NULL REFERENCES users (id),
    role             text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, user_id)
);
CREATE INDEX members_user_idx ON members (user_id);

-- Server-side browser sessions; id is the SHA-256 of the cookie's token.
CREATE TABLE sessions (
    id               text PRIMARY KEY,
    user_id          text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id  text NOT NULL,
    member_id        text NOT NULL,
    csrf_token       text NOT NULL,
    created_at       timestamptz NOT NULL,
    last_seen_at     timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    user_agent       text NOT NULL DEFAULT '',
    ip               text NOT NULL DEFAULT '',
    FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE registers (
    organization_id  text NOT NULL REFERENCES organizations (id),
    id               text NOT NULL,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    description      text NOT NULL DEFAULT '',
    matrix           jsonb NOT NULL,
    is_default       boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, name)
);
CREATE UNIQUE INDEX registers_one_default ON registers (organization_id) WHERE is_default;

CREATE TABLE risks (
    organization_id       text NOT NULL REFERENCES organizations (id),
    id                    text NOT NULL,
    register_id           text NOT NULL,
    number                bigint NOT NULL CHECK (number > 0),
    title                 text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description           text NOT NULL CHECK (length(description) BETWEEN 1 AND 10000),
    category              text NOT NULL CHECK (category IN ('customer', 'governance', 'operations', 'other', 'people',
                              'regulatory', 'reporting', 'resilience', 'technology', 'vendor_management')),
    department            text NOT NULL DEFAULT 'none' CHECK (department IN ('none', 'admin', 'gov', 'hr', 'it', 'itsm', 'qms')),
    status                text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'closed', 'archived')),
    probability           smallint NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 10),
    impact                smallint NOT NULL DEFAULT 0 CHECK (impact BETWEEN 0 AND 10),
    residual_probability  smallint NOT NULL DEFAULT 0 CHECK (residual_probability BETWEEN 0 AND 10),
    residual_impact       smallint NOT NULL DEFAULT 0 CHECK (residual_impact BETWEEN 0 AND 10),
    inherent_score        smallint GENERATED ALWAYS AS (probability * impact) STORED,
    residual_score        smallint GENERATED ALWAYS AS (residual_probability * residual_impact) STORED,
    -- Levels on the register's matrix (NULL = not assessed), kept in step by
    -- the application, and recomputed for all risks when a matrix changes.
    inherent_level        smallint,
    residual_level        smallint,
    assignee_id           text,
    closure_reason        text CHECK (closure_reason IN ('eliminated', 'accepted', 'mitigated', 'transferred', 'no_risk')),
    closed_at             timestamptz,
    due_date              date,
    next_review_date      date,
    tags                  text[] NOT NULL DEFAULT '{}',
    source                text NOT NULL DEFAULT '',
    source_id             text NOT NULL DEFAULT '',
    version               integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_by            text,
    updated_by            text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    search                tsvector GENERATED ALWAYS AS (
                              setweight(to_tsvector('english', title), 'A') ||
                              setweight(to_tsvector('english', description), 'B')) STORED,
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, number),
    FOREIGN KEY (organization_id, register_id) REFERENCES registers (organization_id, id),
    FOREIGN KEY (organization_id, assignee_id) REFERENCES members (organization_id, id),
    FOREIGN KEY (organization_id, created_by) REFERENCES members (organization_id, id),
    FOREIGN KEY (organization_id, updated_by) REFERENCES members (organization_id, id)
);
CREATE INDEX risks_updated_idx ON risks (organization_id, updated_at DESC, id);
CREATE INDEX risks_register_idx ON risks (organization_id, register_id, status);
CREATE INDEX risks_assignee_idx ON risks (organization_id, assignee_id);
CREATE INDEX risks_inherent_idx ON risks (organization_id, inherent_level, inherent_score);
CREATE INDEX risks_residual_idx ON risks (organization_id, residual_level, residual_score);
CREATE INDEX risks_due_idx ON risks (organization_id, due_date);
CREATE INDEX risks_search_idx ON risks USING gin (search);
CREATE INDEX risks_tags_idx ON risks USING gin (tags);

-- The append-only audit trail. A deleted entity keeps its last state in
-- snapshot. UPDATE, DELETE and TRUNCATE are refused by triggers.
CREATE TABLE events (
    organization_id   text NOT NULL REFERENCES organizations (id),
    id                bigint GENERATED ALWAYS AS IDENTITY,
    entity_type       text NOT NULL,
    entity_id         text NOT NULL,
    entity_label      text NOT NULL DEFAULT '',
    action            text NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
    actor_member_id   text,
    actor_api_key_id  text,
    actor_name        text NOT NULL,
    changes           jsonb NOT NULL DEFAULT '[]',
    snapshot          jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, actor_member_id) REFERENCES members (organization_id, id)
);
CREATE INDEX events_entity_idx ON events (organization_id, entity_type, entity_id, id);
CREATE INDEX events_recent_idx ON events (organization_id, id DESC);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
