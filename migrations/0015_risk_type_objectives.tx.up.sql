-- A risk's type (seed 002: one, optional) and threat objectives (several).
-- Stored as the values of app/risk's RiskTypes and ThreatObjectives.
ALTER TABLE risks ADD COLUMN risk_type text CHECK (risk_type IN ('code', 'configuration', 'control_deficiency',
    'policy', 'procedural', 'vulnerability', 'third_party'));
ALTER TABLE risks ADD COLUMN threat_objectives text[] NOT NULL DEFAULT '{}' CHECK (threat_objectives <@ ARRAY['sabotage',
    'data_disclosure', 'extortion', 'customer_targeting', 'resource_hijacking', 'fraud']::text[]);
CREATE INDEX risks_type_idx ON risks (organization_id, risk_type);
CREATE INDEX risks_threat_objectives_idx ON risks USING gin (threat_objectives);
