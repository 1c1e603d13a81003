DROP INDEX IF EXISTS risks_threat_objectives_idx;
DROP INDEX IF EXISTS risks_type_idx;
ALTER TABLE risks DROP COLUMN IF EXISTS threat_objectives;
ALTER TABLE risks DROP COLUMN IF EXISTS risk_type;
