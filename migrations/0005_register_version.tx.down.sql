ALTER TABLE registers DROP COLUMN version;
