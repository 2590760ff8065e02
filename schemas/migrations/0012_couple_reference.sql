-- schema version 12: the reference electrode of a redox couple.
-- Five couples of sodium-cell cathodes (NVP, Na4MnCr(PO4)3) were stored as written, vs Na/Na+, in a column every
-- reader took to be vs Li/Li+, so their medians in the redox descriptors were about 0.3 V low. `potential_V` is now
-- always vs Li/Li+; `reference` and `potential_vs_reference_V` keep what the record wrote. A store migrated from
-- version 11 gets Li/Li+ here (its numbers unchanged); re-ingesting the records converts the sodium couples.
ALTER TABLE redox_couples ADD COLUMN reference VARCHAR;
ALTER TABLE redox_couples ADD COLUMN potential_vs_reference_V DOUBLE;
UPDATE redox_couples SET reference = 'Li/Li+', potential_vs_reference_V = potential_V;
