-- schema version 11: the temperature (and a cell's pressure) at which a value holds keeps its qualifier.
-- A cycling result kept "~" or ">" on its own temperature and pressure, but a cell and a property stored only the
-- number: the molten-Na cell's "~100 degC" read as exactly 100 degC, and 28 conductivities that papers give "at room
-- temperature" (recorded as "~25 degC") read as measured at exactly 25 degC. A store migrated from version 10 has no
-- record of the qualifiers it dropped: they stay NULL (unknown) until the records are ingested again.
ALTER TABLE cells ADD COLUMN temperature_qualifier VARCHAR;
ALTER TABLE cells ADD COLUMN pressure_qualifier VARCHAR;
ALTER TABLE properties ADD COLUMN temperature_qualifier VARCHAR;
