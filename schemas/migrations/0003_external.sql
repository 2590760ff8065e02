-- schema version 3: external experimental datasets (OBELiX, Liverpool Ionics Dataset) beside the curated rows.
CREATE TABLE external_conductivities (
    entry_key           VARCHAR PRIMARY KEY,   -- '<dataset>:<entry id>'
    dataset             VARCHAR NOT NULL,      -- obelix | liverpool
    entry_id            VARCHAR NOT NULL,
    source_id           VARCHAR NOT NULL,      -- the dataset's row in `sources`
    composition         VARCHAR NOT NULL,      -- as given
    reduced_formula     VARCHAR,
    chemical_system     VARCHAR,
    family              VARCHAR,
    sigma_S_cm          DOUBLE NOT NULL,       -- the value, or the bound for '<'
    sigma_qualifier     VARCHAR NOT NULL,      -- '=' or '<' ('<1E-10' is an upper bound, kept as such)
    sigma_total_S_cm    DOUBLE,
    sigma_bulk_S_cm     DOUBLE,
    temperature_C       DOUBLE,
    temperature_qualifier VARCHAR,             -- '~' for OBELiX's "room temperature"
    space_group         VARCHAR,
    space_group_number  INTEGER,
    a_A DOUBLE, b_A DOUBLE, c_A DOUBLE, alpha_deg DOUBLE, beta_deg DOUBLE, gamma_deg DOUBLE,
    doi                 VARCHAR,               -- DOI of the measurement
    cif                 VARCHAR,               -- CIF text where the dataset has one
    cross_ref           VARCHAR,               -- the other dataset's id for this entry, as the dataset gives it (OBELiX "Liion ID")
    duplicate_of        VARCHAR,               -- entry_key of the same measurement already counted (other dataset or same)
    curated_material_id VARCHAR,               -- curated material with the same composition from the same DOI
    origin              VARCHAR
);
