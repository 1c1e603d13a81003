DROP INDEX IF EXISTS risks_search_idx;
CREATE INDEX risks_search_idx ON risks USING gin (search);
DROP INDEX IF EXISTS risks_title_trgm_idx;
DROP INDEX IF EXISTS risks_description_trgm_idx;
DROP INDEX IF EXISTS risks_category_status_idx;
DROP INDEX IF EXISTS risks_sort_updated_idx;
DROP INDEX IF EXISTS risks_sort_created_idx;
DROP INDEX IF EXISTS risks_sort_title_idx;
DROP INDEX IF EXISTS risks_sort_category_idx;
DROP INDEX IF EXISTS risks_sort_department_idx;
DROP INDEX IF EXISTS risks_sort_status_idx;
DROP INDEX IF EXISTS risks_sort_inherent_idx;
DROP INDEX IF EXISTS risks_sort_residual_idx;
DROP INDEX IF EXISTS risks_sort_due_asc_idx;
DROP INDEX IF EXISTS risks_sort_due_desc_idx;
CREATE INDEX risks_updated_idx ON risks (organization_id, updated_at DESC, id);
-- The extensions stay: other objects may use them.
