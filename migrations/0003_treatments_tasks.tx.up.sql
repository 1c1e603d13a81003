-- Treatments and mitigation tasks of risks. Both are keyed (organization_id, id)
-- and refer to their risk and assignee with organization_id in the key, so no
-- row can point into another organization. Deleting a risk deletes them.

CREATE TABLE risk_treatments (
    organization_id  text NOT NULL REFERENCES organizations (id),
    id               text NOT NULL,
    risk_id          text NOT NULL,
    type             text NOT NULL CHECK (type IN ('accept', 'avoid', 'mitigate', 'transfer')),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    UNIQUE (organization_id, risk_id),
    FOREIGN KEY (organization_id, risk_id) REFERENCES risks (organization_id, id) ON DELETE CASCADE
);

CREATE TABLE tasks (
    organization_id  text NOT NULL REFERENCES organizations (id),
    id               text NOT NULL,
    risk_id          text NOT NULL,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'completed')),
    due_date         date,
    -- Set when the task is completed, cleared when it is reopened.
    completed_at     timestamptz,
    assignee_id      text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, risk_id) REFERENCES risks (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, assignee_id) REFERENCES members (organization_id, id),
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE INDEX tasks_risk_idx ON tasks (organization_id, risk_id, created_at);
CREATE INDEX tasks_assignee_idx ON tasks (organization_id, assignee_id);
