-- Speed at scale (issue 13), part 1: every list order is an index walk.
--
-- Each sortable column gets an index (organization_id, <sort key>, number):
-- the risk number is the unique tie-break, in the direction of the sort, so
-- both directions walk one index (forwards or backwards) and stop after a
-- page. Columns that cannot be null are sorted without NULLS LAST (which
-- would keep the planner from the index); the nullable due date is sorted
-- nulls last in both directions, so it has one index per direction.
-- INCLUDE (status) lets the default filter (status <> 'archived') and the
-- deep-page key scan run from the index alone.
DROP INDEX IF EXISTS risks_updated_idx;
CREATE INDEX risks_sort_updated_idx ON risks (organization_id, updated_at, number) INCLUDE (status);
CREATE INDEX risks_sort_created_idx ON risks (organization_id, created_at, number) INCLUDE (status);
CREATE INDEX risks_sort_title_idx ON risks (organization_id, lower(title), number) INCLUDE (status);
CREATE INDEX risks_sort_category_idx ON risks (organization_id, category, number) INCLUDE (status);
CREATE INDEX risks_sort_department_idx ON risks (organization_id, department, number) INCLUDE (status);
CREATE INDEX risks_sort_status_idx ON risks (organization_id,
    (CASE status WHEN 'open' THEN 1 WHEN 'pending' THEN 2 WHEN 'closed' THEN 3 ELSE 4 END), number);
CREATE INDEX risks_sort_inherent_idx ON risks (organization_id, inherent_score, number) INCLUDE (status);
CREATE INDEX risks_sort_residual_idx ON risks (organization_id, residual_score, number) INCLUDE (status);
CREATE INDEX risks_sort_due_asc_idx ON risks (organization_id, due_date ASC NULLS LAST, number ASC) INCLUDE (status);
CREATE INDEX risks_sort_due_desc_idx ON risks (organization_id, due_date DESC NULLS LAST, number DESC) INCLUDE (status);
-- The list's most common filter pair.
CREATE INDEX risks_category_status_idx ON risks (organization_id, category, status);

-- Substring search: trigram GIN indexes on title and description, with the
-- organization as the first column (btree_gin), so a search reads only the
-- organization's entries. Both extensions are trusted: the database owner
-- that runs the migrations may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX risks_title_trgm_idx ON risks USING gin (organization_id, title gin_trgm_ops);
CREATE INDEX risks_description_trgm_idx ON risks USING gin (organization_id, description gin_trgm_ops);
DROP INDEX IF EXISTS risks_search_idx;
CREATE INDEX risks_search_idx ON risks USING gin (organization_id, search);
