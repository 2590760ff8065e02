-- matkb store, schema version 1: the literature entities.
-- Canonical units are part of the column names (see schemas/vocabulary.yaml).

CREATE TABLE sources (
    source_id     VARCHAR PRIMARY KEY,     -- short slug, e.g. 'pb-latp-seed'
    doi           VARCHAR,                 -- lower-case DOI, NULL where none exists
    title         VARCHAR NOT NULL,
    year          INTEGER,
    journal       VARCHAR,
    authors       VARCHAR,
    kind          VARCHAR NOT NULL,        -- experimental | review | computational | dataset | book
    verification  VARCHAR NOT NULL,        -- value-checked | source-checked | recalled
    checked_url   VARCHAR,                 -- the stored page that was read
    note          VARCHAR,
    origin        VARCHAR                  -- record file it came from
);

CREATE TABLE materials (
    material_id     VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,      -- as papers call it: LATP, PB, IL
    formula         VARCHAR,               -- pymatgen-parsable; NULL for polymers, ionic liquids
    reduced_formula VARCHAR,
    chemical_system VARCHAR,               -- e.g. 'Al-Li-O-P-Ti'
    class           VARCHAR NOT NULL,
    roles           VARCHAR[] NOT NULL,
    aliases         VARCHAR[],
    working_ion     VARCHAR,
    description     VARCHAR,
    note            VARCHAR,
    origin          VARCHAR
);

CREATE TABLE properties (
    property_key     VARCHAR PRIMARY KEY,
    material_id      VARCHAR NOT NULL,
    property         VARCHAR NOT NULL,     -- controlled vocabulary
    value            DOUBLE,               -- canonical unit (column `unit`); lower end of a range
    value_hi         DOUBLE,               -- upper end of a range
    qualifier        VARCHAR,              -- = ~ > >= < <= range
    value_text       VARCHAR,              -- categorical properties (conduction_class ...)
    unit             VARCHAR,
    value_as_written VARCHAR,
    temperature_C    DOUBLE,
    method           VARCHAR,
    component        VARCHAR,              -- total | bulk | grain_boundary | interface
    condition        VARCHAR,
    source_id        VARCHAR NOT NULL,
    location         VARCHAR NOT NULL,
    verification     VARCHAR NOT NULL,
    checked_url      VARCHAR,
    note             VARCHAR,
    origin           VARCHAR
);

CREATE TABLE redox_couples (
    couple_key     VARCHAR PRIMARY KEY,
    element        VARCHAR NOT NULL,
    from_state     INTEGER NOT NULL,
    to_state       INTEGER NOT NULL,
    host           VARCHAR NOT NULL,
    material_id    VARCHAR,
    potential_V    DOUBLE NOT NULL,        -- vs Li/Li+
    potential_hi_V DOUBLE,
    qualifier      VARCHAR,
    method         VARCHAR NOT NULL,
    source_id      VARCHAR NOT NULL,
    location       VARCHAR NOT NULL,
    verification   VARCHAR NOT NULL,
    checked_url    VARCHAR,
    note           VARCHAR,
    origin         VARCHAR
);

CREATE TABLE structures (
    structure_key  VARCHAR PRIMARY KEY,
    material_id    VARCHAR NOT NULL,
    path           VARCHAR NOT NULL,       -- relative to datasets/
    cif            VARCHAR NOT NULL,       -- the CIF text itself: the store is self-contained
    formula        VARCHAR,
    space_group    VARCHAR,
    is_ordered     BOOLEAN,
    density_g_cm3  DOUBLE,
    method         VARCHAR,
    source_id      VARCHAR NOT NULL,
    location       VARCHAR NOT NULL,
    verification   VARCHAR NOT NULL,
    checked_url    VARCHAR,
    note           VARCHAR,
    origin         VARCHAR
);

CREATE TABLE cells (
    cell_id          VARCHAR PRIMARY KEY,  -- '<source_id>:<local id>'
    source_id        VARCHAR NOT NULL,
    local_id         VARCHAR NOT NULL,
    stack            VARCHAR NOT NULL,     -- as written, e.g. 'Li/IL@PB@LATP/Li'
    cell_type        VARCHAR NOT NULL,     -- symmetric | full | half
    working_ion      VARCHAR NOT NULL,
    anode_id         VARCHAR,
    cathode_id       VARCHAR,
    electrolyte_id   VARCHAR,
    interlayer_id    VARCHAR,              -- anode-side interlayer next to the electrolyte; NULL = bare
    wetting_agent_id VARCHAR,
    n_layers         INTEGER NOT NULL,
    is_control       BOOLEAN NOT NULL,
    temperature_C    DOUBLE,
    pressure_MPa     DOUBLE,
    location         VARCHAR NOT NULL,
    verification     VARCHAR NOT NULL,
    checked_url      VARCHAR,
    note             VARCHAR,
    origin           VARCHAR
);

CREATE TABLE cell_layers (
    layer_key   VARCHAR PRIMARY KEY,
    cell_id     VARCHAR NOT NULL,
    position    INTEGER NOT NULL,          -- 0 = anode side
    token       VARCHAR NOT NULL,          -- as written in the stack
    material_id VARCHAR NOT NULL,
    role        VARCHAR NOT NULL,          -- anode | cathode | electrode | electrolyte | interlayer | wetting_agent
    side        VARCHAR NOT NULL           -- anode | separator | cathode
);

CREATE TABLE cycling_results (
    result_id                      VARCHAR PRIMARY KEY,
    cell_id                        VARCHAR NOT NULL,
    test                           VARCHAR NOT NULL,   -- galvanostatic | rate | critical_current_density | full_cell
    current_density_mA_cm2         DOUBLE,
    current_density_qualifier      VARCHAR,
    current_density_max_mA_cm2     DOUBLE,             -- upper end for rate tests
    areal_capacity_mAh_cm2         DOUBLE,
    areal_capacity_qualifier       VARCHAR,
    half_cycle_h                   DOUBLE,
    half_cycle_time_qualifier      VARCHAR,
    temperature_C                  DOUBLE,             -- NULL: the cell's temperature applies
    temperature_qualifier          VARCHAR,
    pressure_MPa                   DOUBLE,
    pressure_qualifier             VARCHAR,
    lifetime_h                     DOUBLE,
    lifetime_qualifier             VARCHAR,
    censored                       BOOLEAN,            -- TRUE: still running when the test stopped
    failure_mode                   VARCHAR,
    overpotential_mV               DOUBLE,
    overpotential_qualifier        VARCHAR,
    overpotential_max_mV           DOUBLE,
    c_rate                         DOUBLE,
    rate_qualifier                 VARCHAR,
    initial_capacity_mAh_g         DOUBLE,
    initial_capacity_qualifier     VARCHAR,
    retained_capacity_mAh_g        DOUBLE,
    retained_capacity_qualifier    VARCHAR,
    capacity_retention_pct         DOUBLE,
    capacity_retention_qualifier   VARCHAR,
    cycles                         DOUBLE,
    cycles_qualifier               VARCHAR,
    coulombic_efficiency_pct       DOUBLE,
    coulombic_efficiency_qualifier VARCHAR,
    description                    VARCHAR,
    source_id                      VARCHAR NOT NULL,
    location                       VARCHAR NOT NULL,
    verification                   VARCHAR NOT NULL,
    checked_url                    VARCHAR,
    note                           VARCHAR,
    origin                         VARCHAR
);

CREATE TABLE observations (
    observation_key VARCHAR PRIMARY KEY,
    cell_id         VARCHAR,
    material_id     VARCHAR,
    technique       VARCHAR NOT NULL,
    finding         VARCHAR NOT NULL,
    condition       VARCHAR,
    source_id       VARCHAR NOT NULL,
    location        VARCHAR NOT NULL,
    verification    VARCHAR NOT NULL,
    checked_url     VARCHAR,
    note            VARCHAR,
    origin          VARCHAR
);

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);
