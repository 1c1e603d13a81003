-- Incidents and their links to risks. Keyed (organization_id, id); every
-- reference carries organization_id, so an incident can link only risks and
-- name only a reporter of its own organization. Deleting an incident or a
-- risk deletes its links.

ALTER TABLE organizations ADD COLUMN incident_seq bigint NOT NULL DEFAULT 0;

CREATE TABLE incidents (
    organization_id  text NOT NULL REFERENCES organizations (id),
    id               text NOT NULL,
    number           bigint NOT NULL CHECK (number > 0),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    severity         text NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'investigating', 'resolved', 'closed')),
    occurred_on      date,
    discovered_on    date,
    resolved_on      date,
    reporter_id      text,
    version          integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_by       text,
    updated_by       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, number),
    FOREIGN KEY (organization_id, reporter_id) REFERENCES members (organization_id, id),
    FOREIGN KEY (organization_id, created_by) REFERENCES members (organization_id, id),
    FOREIGN KEY (organization_id, updated_by) REFERENCES members (organization_id, id)
);
CREATE INDEX incidents_updated_idx ON incidents (organization_id, updated_at DESC, id);
CREATE INDEX incidents_status_idx ON incidents (organization_id, status);

CREATE TABLE incident_risks (
    organization_id  text NOT NULL REFERENCES organizations (id),
    incident_id      text NOT NULL,
    risk_id          text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, incident_id, risk_id),
    FOREIGN KEY (organization_id, incident_id) REFERENCES incidents (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, risk_id) REFERENCES risks (organization_id, id) ON DELETE CASCADE
);
CREATE INDEX incident_risks_risk_idx ON incident_risks (organization_id, risk_id);
