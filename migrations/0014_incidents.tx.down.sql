DROP TABLE incident_risks;
DROP TABLE incidents;
ALTER TABLE organizations DROP COLUMN incident_seq;
