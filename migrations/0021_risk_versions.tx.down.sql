DROP TRIGGER IF EXISTS risk_versions_deleted ON events;
DROP TRIGGER IF EXISTS risk_versions_insert ON risks;
DROP TRIGGER IF EXISTS risk_versions_update ON risks;
DROP TRIGGER IF EXISTS risk_versions_delete ON risks;
DROP FUNCTION IF EXISTS risk_versions_deleted();
DROP FUNCTION IF EXISTS risk_versions_trigger();
DROP TABLE IF EXISTS risk_versions;
