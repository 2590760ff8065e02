-- schema version 11: a cell's temperature and pressure keep their qualifier.
-- A cycling result kept "~" or ">" on its own temperature and pressure, but a cell stored only the number, so the
-- molten-Na cell's "~100 degC" read as exactly 100 degC in the `cycling` view. A store migrated from version 10 has
-- no record of the qualifiers it dropped: they stay NULL (unknown) until the records are ingested again.
ALTER TABLE cells ADD COLUMN temperature_qualifier VARCHAR;
ALTER TABLE cells ADD COLUMN pressure_qualifier VARCHAR;
