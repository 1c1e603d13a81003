DROP TRIGGER IF EXISTS register_versions_write ON registers;
DROP FUNCTION IF EXISTS register_versions_trigger();
DROP TABLE IF EXISTS register_versions;
