-- schema version 7: further sources a row rests on besides its own `source`.
-- A computed structure uses one paper's lattice and another's ionic radii; a row's note may compare its value with
-- a second paper. Until now such sources were named only in the note, where nothing checked the id and no query
-- could find what rests on a source. Record files list them as `also_cites: [id, ...]`; the validator checks each id.
ALTER TABLE properties ADD COLUMN also_cites VARCHAR[];
ALTER TABLE redox_couples ADD COLUMN also_cites VARCHAR[];
ALTER TABLE structures ADD COLUMN also_cites VARCHAR[];
ALTER TABLE cells ADD COLUMN also_cites VARCHAR[];
ALTER TABLE cycling_results ADD COLUMN also_cites VARCHAR[];
ALTER TABLE observations ADD COLUMN also_cites VARCHAR[];
