-- schema version 8: a journal reference (volume and pages) for a source.
-- A paper known from an abstract digest that prints authors, journal, volume, pages and year, but neither its
-- title nor its DOI, is still found by that reference ("J. Mater. Sci. 25 (1990) 4008-4013"). Until now the
-- volume and pages sat in the note, where no query and no citability check could read them.
ALTER TABLE sources ADD COLUMN volume VARCHAR;
ALTER TABLE sources ADD COLUMN pages VARCHAR;
