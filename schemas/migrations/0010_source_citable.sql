-- schema version 10: whether a reader can find a source again, as a column SQL can filter on.
-- Until now the rule (a DOI; else a title that was seen and, for anything published, a year; else a full journal
-- reference) was applied only when `matkb info` printed the sources, so a query could not keep to citable rows.
-- Ingest writes the column from `matkb.records.citable`. A store migrated from version 9 gets the same rule here,
-- frozen as SQL (a migration cannot call Python); re-ingesting the records rewrites it from the Python rule, and
-- tests/test_store.py checks that both give the same answer on every shipped source.
ALTER TABLE sources ADD COLUMN citable BOOLEAN;
UPDATE sources SET citable =
    doi IS NOT NULL
    OR (journal IS NOT NULL AND volume IS NOT NULL AND pages IS NOT NULL AND year IS NOT NULL)
    OR (NOT regexp_matches(title, '\((?:descriptive\b|[^()]*\btitle\b[^()]*\bnot (?:seen|confirmed))[^()]*\)', 'i')
        AND (year IS NOT NULL OR kind IN ('web', 'dataset')));
