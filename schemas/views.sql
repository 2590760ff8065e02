-- Views for the questions users ask most. Re-created on every schema change.

-- every cycling result with its cell, conditions resolved (row value, else the cell's); every number keeps the
-- qualifier it was written with ("~", ">", "range" with the upper end in *_max_*). A half-cycle time worked out from
-- areal capacity / current density is "=" only when both are, else "~".
CREATE OR REPLACE VIEW cycling AS
SELECT r.result_id, r.cell_id, c.source_id, s.doi, s.year, s.citable, c.stack, c.cell_type, c.working_ion,
       c.electrolyte_id, c.interlayer_id, c.wetting_agent_id, c.cathode_id, c.is_control, r.test,
       r.current_density_mA_cm2, r.current_density_max_mA_cm2, r.current_density_qualifier,
       r.areal_capacity_mAh_cm2, r.areal_capacity_qualifier,
       coalesce(r.half_cycle_h, r.areal_capacity_mAh_cm2 / r.current_density_mA_cm2) AS half_cycle_h,
       CASE WHEN r.half_cycle_h IS NOT NULL THEN r.half_cycle_time_qualifier
            WHEN r.areal_capacity_mAh_cm2 IS NOT NULL AND r.current_density_mA_cm2 IS NOT NULL THEN
                 CASE WHEN r.areal_capacity_qualifier = '=' AND r.current_density_qualifier = '=' THEN '=' ELSE '~' END
       END AS half_cycle_time_qualifier,
       coalesce(r.temperature_C, c.temperature_C) AS temperature_C,
       CASE WHEN r.temperature_C IS NOT NULL THEN r.temperature_qualifier ELSE c.temperature_qualifier END AS temperature_qualifier,
       coalesce(r.pressure_MPa, c.pressure_MPa) AS pressure_MPa,
       CASE WHEN r.pressure_MPa IS NOT NULL THEN r.pressure_qualifier ELSE c.pressure_qualifier END AS pressure_qualifier,
       r.lifetime_h, r.lifetime_qualifier, r.censored, r.failure_mode,
       r.overpotential_mV, r.overpotential_max_mV, r.overpotential_qualifier,
       r.c_rate, r.rate_qualifier, r.initial_capacity_mAh_g, r.initial_capacity_qualifier,
       r.retained_capacity_mAh_g, r.retained_capacity_qualifier,
       r.stated_capacity_mAh_g, r.stated_capacity_qualifier, r.capacity_retention_pct, r.capacity_retention_qualifier,
       r.cycles, r.cycles_qualifier, r.coulombic_efficiency_pct, r.coulombic_efficiency_qualifier,
       r.description, r.location, r.verification, r.checked_url, r.note
FROM cycling_results r JOIN cells c USING (cell_id) JOIN sources s ON s.source_id = c.source_id;

-- symmetric-cell lifetimes: one row per result with a lifetime (the model's training rows)
CREATE OR REPLACE VIEW symmetric_lifetimes AS
SELECT * FROM cycling WHERE cell_type = 'symmetric' AND lifetime_h IS NOT NULL;

-- every interlayer on every electrolyte with its best symmetric-cell lifetime and its conditions
CREATE OR REPLACE VIEW interlayer_best_lifetime AS
WITH best AS (
    SELECT electrolyte_id, coalesce(interlayer_id, '(none)') AS interlayer_id,
           coalesce(wetting_agent_id, '(none)') AS wetting_agent_id, working_ion,
           max(lifetime_h) AS best_lifetime_h,
           -- every reported field from the one result with the longest life (ties: a citable source, then by id)
           arg_max({'censored': censored, 'j': current_density_mA_cm2, 'cap': areal_capacity_mAh_cm2,
                    't': temperature_C, 'source_id': source_id, 'citable': citable},
                   (lifetime_h, coalesce(citable, false), source_id, result_id)) AS b,
           count(*) AS n_results
    FROM symmetric_lifetimes
    GROUP BY ALL)
SELECT electrolyte_id, interlayer_id, wetting_agent_id, working_ion, best_lifetime_h,
       b.censored AS censored, b.j AS current_density_mA_cm2, b.cap AS areal_capacity_mAh_cm2,
       b.t AS temperature_C, b.source_id AS source_id, b.citable AS citable, n_results
FROM best;

-- pairs inside one paper: each modified symmetric cell against the same paper's control
-- at the same current density (the most trustworthy comparison the literature offers)
CREATE OR REPLACE VIEW paired_comparisons AS
SELECT m.source_id, m.electrolyte_id, m.interlayer_id AS modified_interlayer, m.stack AS modified_stack,
       c.stack AS control_stack, m.current_density_mA_cm2,
       m.lifetime_h AS modified_lifetime_h, m.censored AS modified_censored,
       c.lifetime_h AS control_lifetime_h, c.censored AS control_censored, m.citable
FROM symmetric_lifetimes m JOIN symmetric_lifetimes c
  ON m.source_id = c.source_id AND m.cell_id <> c.cell_id AND c.is_control AND NOT m.is_control
 AND m.current_density_mA_cm2 IS NOT DISTINCT FROM c.current_density_mA_cm2;

-- conductivities of every material with temperatures, for Arrhenius plots
CREATE OR REPLACE VIEW conductivities AS
SELECT p.material_id, m.formula, m.class, p.value AS sigma_S_cm, p.qualifier, p.temperature_C, p.temperature_qualifier,
       p.component, p.method, p.basis, p.source_id, s.doi, s.citable, p.location, p.verification
FROM properties p JOIN materials m USING (material_id) JOIN sources s USING (source_id)
WHERE p.property = 'ionic_conductivity';

-- the potential ladder: every redox/reduction/lithiation potential vs Li/Li+
CREATE OR REPLACE VIEW potentials AS
SELECT p.material_id, m.name, m.class, p.property, p.value AS potential_V, p.value_hi AS potential_hi_V,
       p.qualifier, p.method, p.basis, p.condition, p.source_id, p.location, p.verification
FROM properties p JOIN materials m USING (material_id)
WHERE p.property IN ('redox_potential', 'reduction_potential', 'oxidation_potential', 'lithiation_potential');

-- the candidate library: materials with the role 'candidate' or 'interlayer'
CREATE OR REPLACE VIEW interlayer_candidates AS
SELECT m.material_id, m.name, m.formula, m.class, m.roles,
       list_contains(m.roles, 'candidate') AND NOT list_contains(m.roles, 'interlayer') AS untested,
       (SELECT count(*) FROM properties p WHERE p.material_id = m.material_id) AS n_properties
FROM materials m
WHERE list_contains(m.roles, 'candidate') OR list_contains(m.roles, 'interlayer');

-- how many rows of each table sit at each verification level (`matkb info` shows them as shares)
CREATE OR REPLACE VIEW verification_summary AS
SELECT 'sources' AS "table", verification, count(*) AS n FROM sources GROUP BY ALL
UNION ALL SELECT 'properties', verification, count(*) FROM properties GROUP BY ALL
UNION ALL SELECT 'redox_couples', verification, count(*) FROM redox_couples GROUP BY ALL
UNION ALL SELECT 'cells', verification, count(*) FROM cells GROUP BY ALL
UNION ALL SELECT 'cycling_results', verification, count(*) FROM cycling_results GROUP BY ALL
UNION ALL SELECT 'observations', verification, count(*) FROM observations GROUP BY ALL
UNION ALL SELECT 'structures', verification, count(*) FROM structures GROUP BY ALL;

-- every imported entry in the columns of all_conductivities, with its links (the OBELiX benchmark reads all of them)
CREATE OR REPLACE VIEW imported_conductivities AS
SELECT dataset AS origin_kind, entry_key AS name, composition AS formula, family, sigma_S_cm,
       sigma_qualifier AS qualifier, temperature_C,
       CASE WHEN sigma_bulk_S_cm IS NOT NULL AND sigma_total_S_cm IS NULL THEN 'bulk' ELSE 'total' END AS component,
       'measured' AS basis, source_id, doi, doi IS NOT NULL AS citable, duplicate_of, curated_material_id
FROM external_conductivities;

-- curated and external conductivities together; an external entry that repeats another
-- (duplicate_of) or a curated value (curated_material_id) is linked, not counted twice
CREATE OR REPLACE VIEW all_conductivities AS
SELECT 'curated' AS origin_kind, material_id AS name, formula, class AS family, sigma_S_cm, qualifier,
       temperature_C, component, basis, source_id, doi, citable
FROM conductivities
UNION ALL
SELECT origin_kind, name, formula, family, sigma_S_cm, qualifier, temperature_C, component, basis, source_id, doi, citable
FROM imported_conductivities
WHERE duplicate_of IS NULL AND curated_material_id IS NULL;

-- an external entry next to the value it repeats: the curated row of the same paper and composition
-- (the closest temperature, within 10 degC), or the entry of the other dataset it was linked to as a
-- duplicate; log10_ratio = log10(external / reference), 0 where they agree
CREATE OR REPLACE VIEW conductivity_crosscheck AS
SELECT e.entry_key, e.dataset, e.composition, e.doi, e.temperature_C AS temperature_C,
       e.sigma_S_cm, e.sigma_qualifier, 'curated' AS reference_kind, c.material_id AS reference,
       c.temperature_C AS reference_temperature_C, c.sigma_S_cm AS reference_sigma_S_cm,
       c.qualifier AS reference_qualifier, c.component AS reference_component, c.verification AS reference_verification,
       log10(e.sigma_S_cm / c.sigma_S_cm) AS log10_ratio
FROM external_conductivities e
JOIN conductivities c ON c.material_id = e.curated_material_id AND lower(c.doi) = lower(e.doi)
WHERE abs(c.temperature_C - e.temperature_C) <= 10
QUALIFY row_number() OVER (PARTITION BY e.entry_key
                           ORDER BY abs(c.temperature_C - e.temperature_C), c.component = 'total' DESC, c.sigma_S_cm) = 1
UNION ALL
SELECT e.entry_key, e.dataset, e.composition, e.doi, e.temperature_C, e.sigma_S_cm, e.sigma_qualifier,
       'duplicate', d.entry_key, d.temperature_C, d.sigma_S_cm, d.sigma_qualifier, NULL, NULL,
       log10(e.sigma_S_cm / d.sigma_S_cm)
FROM external_conductivities e JOIN external_conductivities d ON d.entry_key = e.duplicate_of;

-- what rests on each source: every row that cites it, as its own `source` or in `also_cites`
CREATE OR REPLACE VIEW source_citations AS
WITH cites AS (
    SELECT 'properties' AS table_name, property_key AS row_key, source_id, also_cites FROM properties
    UNION ALL SELECT 'redox_couples', couple_key, source_id, also_cites FROM redox_couples
    UNION ALL SELECT 'structures', structure_key, source_id, also_cites FROM structures
    UNION ALL SELECT 'cells', cell_id, source_id, also_cites FROM cells
    UNION ALL SELECT 'cycling_results', result_id, source_id, also_cites FROM cycling_results
    UNION ALL SELECT 'observations', observation_key, source_id, also_cites FROM observations
)
SELECT source_id, table_name, row_key, 'source' AS cited_as FROM cites
UNION ALL
SELECT unnest(also_cites) AS source_id, table_name, row_key, 'also_cites' FROM cites WHERE also_cites IS NOT NULL;
