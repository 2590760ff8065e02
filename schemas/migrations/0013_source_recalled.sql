-- schema version 13: which parts of a source's citation were filled from memory.
-- The issue's verification levels allow a citation that could not be confirmed in stored text if it is labelled as
-- recalled. Until now such a source was left without a year or journal and so could not be cited at all. A record
-- may now fill those fields from memory and list them under `recalled`; the source stays below source-checked, and
-- `matkb info` names the recalled fields beside it. NULL means every citation field shown was seen.
ALTER TABLE sources ADD COLUMN recalled VARCHAR[];
