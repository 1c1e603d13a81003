-- What each member chose to see, remembered across sessions and devices:
-- for now the register's columns (keys of risk.Columns, in table order).
-- A member's choices go with the member.
CREATE TABLE member_preferences (
    organization_id   text NOT NULL,
    member_id         text NOT NULL,
    register_columns  text[] NOT NULL CHECK (cardinality(register_columns) <= 32),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, member_id),
    FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id) ON DELETE CASCADE
);
