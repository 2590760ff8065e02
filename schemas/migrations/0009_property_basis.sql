-- schema version 9: whether a property value was measured or computed.
-- Rows of DFT, AIMD, MD and database papers sat next to measurements with only free-text `method` to tell them apart,
-- so a computed conductivity could become a training label and a PBE band gap could be averaged with an optical one.
-- Record files say `basis: measured | computed`; without it a row of a `computational` source is computed and any
-- other row measured. A store migrated from version 8 gets the same default here; re-ingesting the records refines it.
ALTER TABLE properties ADD COLUMN basis VARCHAR;
UPDATE properties SET basis = CASE
    WHEN source_id IN (SELECT source_id FROM sources WHERE kind = 'computational') THEN 'computed' ELSE 'measured' END;
