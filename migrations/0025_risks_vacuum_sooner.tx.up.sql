-- Speed at scale (issue 13): keep the risks' visibility map fresh.
--
-- Every register page reads its page of risk numbers by an index-only scan
-- of a sort index, skipping the offset's entries without reading their
-- rows. That holds only for heap pages marked all-visible; a page written
-- since the last vacuum costs a heap fetch per entry. Measured at 100,000
-- risks after 10,000 rows were inserted and deleted beside them: page 200
-- took 14.5 ms with 5,143 heap fetches, 3 ms after a vacuum. PostgreSQL's
-- default waits for 20 % of a table to change (20,000 rows here) before
-- vacuuming it; these tables are vacuumed after 2 %.
ALTER TABLE risks SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE risk_versions SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02);
