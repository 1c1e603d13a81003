DROP TRIGGER IF EXISTS risk_facet_counts_insert ON risks;
DROP TRIGGER IF EXISTS risk_facet_counts_update ON risks;
DROP TRIGGER IF EXISTS risk_facet_counts_delete ON risks;
DROP TRIGGER IF EXISTS risk_facet_counts_truncate ON risks;
DROP FUNCTION IF EXISTS risk_facet_counts_recount();
DROP FUNCTION IF EXISTS risk_facet_counts_truncate();
DROP FUNCTION IF EXISTS risk_facet_counts_trigger();
DROP FUNCTION IF EXISTS risk_facet_counts_sql(text);
DROP TABLE IF EXISTS risk_facet_counts;
