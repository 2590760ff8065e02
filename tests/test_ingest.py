"""Ingest on a real DuckDB file: the founding study, atomicity, idempotence, updates, fuzzed bad input."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matkb.errors import ValidationFailed
from matkb.store import Store

from .conftest import DATASETS, MATERIALS, SEED, dump_tables, write


def test_founding_study_is_in_the_store_completely(seeded):
    with Store(seeded, read_only=True) as kb:
        sym = kb.sql("SELECT stack, current_density_mA_cm2 AS j, lifetime_h, lifetime_qualifier AS q, censored, "
                     "overpotential_mV, temperature_C, pressure_MPa FROM symmetric_lifetimes ORDER BY stack, j")
        rows = [tuple(r) for r in sym.itertuples(index=False)]
        assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
            ("Li/IL@LATP/Li", 0.05, 350.0, "=", False),
            ("Li/IL@PB@LATP/Li", 0.05, 800.0, ">", True),
            ("Li/IL@PB@LATP/Li", 0.1, 300.0, "=", True),
            ("Li/LATP/Li", 0.05, 150.0, "~", False),
        ]
        assert {(r[6], r[7]) for r in rows} == {(60.0, 25.0)}
        assert rows[1][5] == 60.0  # ~60 mV single-side polarisation
        rate = kb.sql("SELECT current_density_mA_cm2, current_density_max_mA_cm2 FROM cycling WHERE test = 'rate'")
        assert rate.iloc[0].tolist() == [0.025, 0.1]
        full = kb.sql("SELECT stack, current_density_mA_cm2 AS j, initial_capacity_mAh_g AS c0, initial_capacity_qualifier AS q0, "
                      "retained_capacity_mAh_g AS c1, retained_capacity_qualifier AS q1, cycles, coulombic_efficiency_pct AS ce "
                      "FROM cycling WHERE cell_type = 'full' AND initial_capacity_mAh_g IS NOT NULL ORDER BY stack, j")
        got = [tuple(None if v != v else v for v in r) for r in full.itertuples(index=False)]
        assert got == [
            ("Li/IL@PB@LATP/FeF3", 0.025, 400.0, ">", 300.0, ">", 60.0, None),
            ("Li/IL@PB@LATP/LFP", 0.025, 200.0, "~", 200.0, "~", 160.0, 99.0),
            ("Li/IL@PB@LATP/LFP", 0.1, 160.0, "~", 145.0, "=", 200.0, None),
        ]
        pots = dict(kb.sql("SELECT material_id, potential_V FROM potentials").itertuples(index=False))
        assert pots == {"Li": 0.0, "LATP": 2.34, "PB": 3.07}
        sigma = kb.sql("SELECT temperature_C, sigma_S_cm FROM conductivities WHERE material_id='LATP' ORDER BY 1")
        assert sigma.values.tolist() == [[30.0, 1.12e-4], [60.0, 7.34e-4]]
        props = dict(kb.sql("SELECT property, value_as_written FROM properties WHERE material_id IN ('LATP','PB') "
                            "AND property IN ('activation_energy','relative_density','grain_size','thickness','sintering_temperature')").itertuples(index=False))
        assert props == {"activation_energy": "0.411 eV", "relative_density": ">92 %", "grain_size": "2 to 5 um",
                         "thickness": "~1 um", "sintering_temperature": "900 degC"}
        xps = kb.sql("SELECT finding FROM observations WHERE technique = 'XPS' ORDER BY 1")["finding"].tolist()
        assert "no Ti signal from the LATP substrate" in xps and any("Li-F" in f for f in xps)
        assert kb.sql("SELECT count(*) AS n FROM observations WHERE technique = 'SEM' AND finding LIKE '%cracks%'").n[0] == 1


def test_ingest_twice_changes_nothing(seeded):
    before = dump_tables(seeded)
    with Store(seeded) as kb:
        report = kb.ingest([MATERIALS, SEED])
    a, u, s = report.totals
    assert (a, u) == (0, 0) and s > 90
    after = dump_tables(seeded)
    after.pop("ingest_log"), before.pop("ingest_log")
    assert after == before


def test_changed_value_is_reported_as_updated(db_path, seed_copy):
    with Store(db_path) as kb:
        kb.ingest([MATERIALS, seed_copy])
        seed_copy.write_text(seed_copy.read_text().replace('lifetime: "350 h"', 'lifetime: "360 h"'))
        report = kb.ingest([MATERIALS, seed_copy])
        assert report.updated["cycling_results"] == 1 and report.added["cycling_results"] == 0
        assert kb.sql("SELECT lifetime_h FROM cycling_results WHERE result_id LIKE '%IL-0.05'").lifetime_h[0] == 360.0


def test_bad_row_at_end_of_file_leaves_store_unchanged(seeded, seed_copy):
    before = dump_tables(seeded)
    text = seed_copy.read_text().replace('lifetime: "350 h"', 'lifetime: "351 h"')  # a valid change early in the file
    text += "  - {material: LATP, technique: XRD, finding: bad, location: page 9, verification: recalled}\n"
    seed_copy.write_text(text)
    with Store(seeded) as kb, pytest.raises(ValidationFailed) as exc:
        kb.ingest([MATERIALS, seed_copy])
    assert "observations[10]" in str(exc.value) and "location" in str(exc.value)
    assert dump_tables(seeded) == before


def test_a_source_whose_doi_the_store_already_holds_is_refused(db_path, tmp_path):
    """The store's sources count too: a later file cannot add the same paper under a new id."""
    first = write(tmp_path, "first.yaml", "format: matkb-record/1\nsources:\n  - {id: p1, doi: 10.1000/p1, title: A paper, "
                  "year: 2024, kind: experimental, verification: source-checked}\n")
    with Store(db_path) as kb:
        kb.ingest([first])
    before = dump_tables(db_path)
    again = write(tmp_path, "again.yaml", first.read_text().replace("id: p1,", "id: p1-again,").replace("10.1000/p1", "10.1000/P1"))
    with Store(db_path) as kb, pytest.raises(ValidationFailed) as exc:
        kb.ingest([again])
    assert "again.yaml: sources[0]" in str(exc.value) and "source 'p1' (the store) already has this DOI" in str(exc.value)
    assert dump_tables(db_path) == before


def test_values_inherit_the_reading_address_not_the_citation_address(db_path, tmp_path):
    """A source's checked_url (where it was read) passes to its values; its citation_url (where title, year and DOI
    were confirmed) does not, so adding a citation page cannot move the address of any value."""
    rec = write(tmp_path, "rec.yaml", """\
format: matkb-record/1
sources:
  - {id: p1, doi: 10.1000/p1, title: A paper, year: 2024, kind: experimental, verification: source-checked,
     checked_url: "https://example.org/read", citation_url: "https://example.org/cited"}
properties:
  - {material: LATP, property: band_gap, value: "3.8 eV", location: abstract, verification: value-checked}
  - {material: LATP, property: density, value: "2.9 g/cm^3", location: abstract, verification: value-checked,
     checked_url: "https://example.org/other"}
""")
    with Store(db_path) as kb:
        kb.ingest([MATERIALS, rec])
        src = kb.sql("SELECT checked_url, citation_url FROM sources WHERE source_id = 'p1'").iloc[0].tolist()
        urls = dict(kb.sql("SELECT property, checked_url FROM properties WHERE source_id = 'p1'").itertuples(index=False))
    assert src == ["https://example.org/read", "https://example.org/cited"]
    assert urls == {"band_gap": "https://example.org/read", "density": "https://example.org/other"}


def test_every_condition_keeps_its_qualifier_on_the_cell_the_property_and_in_the_views(db_path, tmp_path):
    """A cell's "~100 degC" and a conductivity's "~25 degC" (a paper's "room temperature") stay approximate (they used
    to read as exact); a result's own temperature and its qualifier win over the cell's; a half-cycle time worked out
    from an approximate current is approximate."""
    rec = write(tmp_path, "rec.yaml", """\
format: matkb-record/1
sources:
  - {id: p1, title: A paper, year: 2024, kind: experimental, verification: recalled}
cells:
  - {id: c1, stack: Li/LATP/Li, type: symmetric, temperature: "~100 degC", pressure: ">5 MPa", location: abstract, verification: recalled}
cycling_results:
  - {id: r1, cell: c1, test: galvanostatic, current_density: "~0.1 mA/cm^2", areal_capacity: "0.1 mAh/cm^2", lifetime: "50 h", censored: true, location: abstract, verification: recalled}
  - {id: r2, cell: c1, test: galvanostatic, temperature: "25 degC", coulombic_efficiency: ">99 %", lifetime: "20 h", censored: true, location: abstract, verification: recalled}
properties:
  - {material: LATP, property: ionic_conductivity, value: "1e-4 S/cm", temperature: "~25 degC", location: abstract, verification: recalled}
  - {material: LATP, property: ionic_conductivity, value: "7e-4 S/cm", temperature: "60 degC", location: abstract, verification: recalled}
""")
    with Store(db_path) as kb:
        kb.ingest([MATERIALS, rec])
        cell = kb.sql("SELECT temperature_C, temperature_qualifier, pressure_MPa, pressure_qualifier FROM cells").iloc[0].tolist()
        view = kb.sql("SELECT result_id, temperature_C, temperature_qualifier, pressure_qualifier, half_cycle_h, "
                      "half_cycle_time_qualifier, current_density_qualifier, coulombic_efficiency_qualifier FROM cycling ORDER BY 1")
        sigma = kb.sql("SELECT temperature_C, temperature_qualifier FROM conductivities ORDER BY 1").values.tolist()
    assert cell == [100.0, "~", 5.0, ">"] and sigma == [[25.0, "~"], [60.0, "="]]
    r1, r2 = view.to_dict("records")
    assert (r1["temperature_C"], r1["temperature_qualifier"], r1["pressure_qualifier"]) == (100.0, "~", ">")
    assert (r1["half_cycle_h"], r1["half_cycle_time_qualifier"], r1["current_density_qualifier"]) == (1.0, "~", "~")
    assert (r2["temperature_C"], r2["temperature_qualifier"], r2["coulombic_efficiency_qualifier"]) == (25.0, "=", ">")


def test_a_capacity_without_its_cycle_is_stated_not_initial(db_path, tmp_path):
    """'Delivers 125 mAh/g over 1600 cycles' goes to stated_capacity with its qualifier, nowhere else; a row without
    an id keeps the id it had before the field existed, and gets another one when the field is set."""
    from matkb.records import stable_key

    rec = write(tmp_path, "rec.yaml", """\
format: matkb-record/1
sources:
  - {id: p1, title: A paper, year: 2024, kind: experimental, verification: recalled}
cells:
  - {id: c1, stack: Li/LATP/LFP, type: full, location: abstract, verification: recalled}
cycling_results:
  - {cell: c1, test: full_cell, stated_capacity: "~125 mAh/g", cycles: 1600, location: abstract, verification: recalled}
  - {cell: c1, test: full_cell, cycles: 1600, location: abstract, verification: recalled}
""")
    with Store(db_path) as kb:
        kb.ingest([MATERIALS, rec])
        got = kb.sql("SELECT result_id, stated_capacity_mAh_g AS c, stated_capacity_qualifier AS q, initial_capacity_mAh_g AS c0, "
                     "retained_capacity_mAh_g AS c1 FROM cycling ORDER BY c NULLS LAST")
    stated, plain = got.to_dict("records")
    assert (stated["c"], stated["q"]) == (125.0, "~") and stated["c0"] != stated["c0"] and stated["c1"] != stated["c1"]
    assert stated["result_id"] != plain["result_id"]
    # the schema-5 key: cell, test and the 13 quantity columns (cycles is the 12th), no stated_capacity among them
    assert plain["result_id"] == "p1:c1/" + stable_key("p1:c1", "full_cell", *[None] * 11, 1600.0, None)


def test_error_during_write_rolls_back(seeded, seed_copy, monkeypatch):
    """A failure after some tables were written (here: injected into the last table) undoes everything."""
    import matkb.store as store_mod

    before = dump_tables(seeded)
    seed_copy.write_text(seed_copy.read_text().replace('lifetime: "350 h"', 'lifetime: "352 h"').replace("pure NASICON phase", "pure NASICON phase (XRD)"))
    real = store_mod._insert_or_replace

    def failing(con, table, *args):
        if table == "observations":
            raise RuntimeError("disk full")
        return real(con, table, *args)

    monkeypatch.setattr(store_mod, "_insert_or_replace", failing)
    with Store(seeded) as kb, pytest.raises(RuntimeError, match="disk full"):
        kb.ingest([MATERIALS, seed_copy], replace=True)  # the copy may overwrite the shipped file's rows
    assert dump_tables(seeded) == before


def test_shipped_datasets_ingest(db_path):
    with Store(db_path) as kb:
        report = kb.ingest([DATASETS])
        counts = kb.table_counts()
    assert report.totals[0] == sum(counts.values())
    assert counts["sources"] >= 1 and counts["cycling_results"] >= 9


# ------------------------------------------------------------------ property-based: malformed input never half-writes
HEAD = "format: matkb-record/1\nsources:\n  - {id: fz, title: Fuzz, year: 2020, kind: experimental, verification: recalled}\n"
values = st.one_of(
    st.text(max_size=30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10**30, max_value=10**30),
    st.sampled_from(["1e400 S/cm", "-1 S/cm", "1 V", "NaN S/cm", "inf S/cm", "1e-4", "1e-4 furlong", "~", "> S/cm", "1e308 mS/cm", "0 S/cm"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=values, temp=values, field=st.sampled_from(["value", "temperature", "unit", "material"]))
def test_malformed_rows_give_clear_errors_and_leave_store_unchanged(seeded, tmp_path, value, temp, field):
    import json

    rec = {"material": "LATP", "property": "ionic_conductivity", "value": value, "temperature": temp,
           "location": "text", "verification": "recalled"}
    if field == "unit":
        rec["value"] = f"1e-4 {value}"
    if field == "material":
        rec["material"] = value
    good = {"material": "LATP", "property": "band_gap", "value": "3.1 eV", "location": "text", "verification": "recalled"}
    body = HEAD + "properties:\n" + "".join(f"  - {json.dumps(r, allow_nan=True)}\n" for r in (good, rec))
    p = write(tmp_path, "fuzz.yaml", body)
    before = dump_tables(seeded)
    failure = None
    with Store(seeded) as kb:
        try:
            kb.ingest([p])
        except ValidationFailed as exc:
            failure = exc
    if failure is not None:
        assert str(failure).startswith("error: ") and "fuzz.yaml" in str(failure)
        assert dump_tables(seeded) == before
        return
    # accepted: then it was a genuinely valid row, stored in canonical units
    with Store(seeded, read_only=True) as kb:
        v = kb.sql("SELECT value FROM properties WHERE source_id = 'fz' AND property = 'ionic_conductivity'").value
        assert len(v) == 1 and 0 < v[0] < 1e6


def test_a_file_cannot_change_rows_another_file_wrote(seeded, tmp_path):
    """Reusing another paper's source or material id with other content is refused, naming the file that owns it;
    `replace=True` is the explicit way to overwrite."""
    clash = write(tmp_path, "clash.yaml", "format: matkb-record/1\n"
                  "sources:\n  - {id: pb-latp-seed, doi: 10.9999/other, title: My own paper, year: 2025, kind: experimental, "
                  "verification: source-checked, checked_url: 'https://example.org/x'}\n"
                  "materials:\n  - {id: LATP, name: not LATP, formula: ZnO, class: oxide, roles: [interlayer]}\n"
                  "observations:\n  - {material: LATP, technique: XRD, finding: wurtzite, location: text, verification: value-checked, "
                  "checked_url: 'https://example.org/x'}\n")
    before = dump_tables(seeded)
    with Store(seeded) as kb, pytest.raises(ValidationFailed) as exc:
        kb.ingest([clash])
    msgs = [str(i) for i in exc.value.issues]
    assert len(msgs) == 2
    assert "source_id = pb-latp-seed" in msgs[0] and "pb-latp-seed.yaml" in msgs[0] and "sources[0] (line" in msgs[0]
    assert "material_id = LATP" in msgs[1] and "materials.yaml" in msgs[1]
    assert dump_tables(seeded) == before
    with Store(seeded) as kb:
        kb.ingest([clash], replace=True)
        assert kb.sql("SELECT formula FROM materials WHERE material_id = 'LATP'").formula[0] == "ZnO"


def test_reingesting_an_edited_file_leaves_no_stale_rows(db_path, seed_copy):
    """The store holds what the file says now: a renamed result, a changed condition and a shorter stack replace
    the old rows instead of sitting beside them."""
    with Store(db_path) as kb:
        kb.ingest([MATERIALS, seed_copy])
        old_layers = kb.sql("SELECT count(*) AS n FROM cell_layers WHERE cell_id = 'pb-latp-seed:sym-PB'").n[0]
        text = seed_copy.read_text()
        assert "id: IL-0.05" in text and "Li/IL@PB@LATP/Li" in text and 'temperature: "60 degC"' in text
        seed_copy.write_text(text.replace("id: IL-0.05", "id: IL-0.05-renamed")
                             .replace("stack: Li/IL@PB@LATP/Li", "stack: Li/PB@LATP/Li", 1)
                             .replace('temperature: "60 degC"', 'temperature: "61 degC"', 1))
        report = kb.ingest([MATERIALS, seed_copy])
        ids = set(kb.sql("SELECT result_id FROM cycling_results").result_id)
        assert "pb-latp-seed:sym-IL/IL-0.05-renamed" in ids and "pb-latp-seed:sym-IL/IL-0.05" not in ids
        assert report.removed["cycling_results"] == 1 and report.removed["properties"] == 1
        assert kb.sql("SELECT count(*) AS n FROM properties WHERE temperature_C = 60 AND source_id = 'pb-latp-seed'").n[0] == 0
        layers = kb.sql("SELECT count(*) AS n FROM cell_layers WHERE cell_id = 'pb-latp-seed:sym-PB'").n[0]
        n_layers = kb.sql("SELECT n_layers FROM cells WHERE cell_id = 'pb-latp-seed:sym-PB'").n_layers[0]
        assert layers == n_layers == old_layers - 2  # the IL is gone from both sides of the symmetric cell
        again = kb.ingest([MATERIALS, seed_copy])
        assert sum(again.removed.values()) == 0 and again.totals[:2] == (0, 0)


def test_a_refused_ingest_into_a_new_path_creates_no_store(tmp_path, seed_copy):
    """'nothing was written' holds for the file system too: no empty store is left where none was."""
    bad = seed_copy.read_text().replace('lifetime: "350 h"', 'lifetime: "-350 h"')
    seed_copy.write_text(bad)
    target = tmp_path / "new" / "kb.duckdb"
    with pytest.raises(ValidationFailed):
        Store(target).ingest([MATERIALS, seed_copy])
    assert not target.exists() and not target.parent.exists()


def test_two_copies_of_one_record_name_every_duplicate_by_file_and_record(tmp_path):
    """A cell's layers are not reported again (anonymously) when the cell itself is the duplicate."""
    import shutil

    from matkb.records import compile_records

    for name in ("a.yaml", "b.yaml"):
        shutil.copy(SEED, tmp_path / name)
    errors = compile_records([MATERIALS, tmp_path]).errors
    assert errors and all(e.file.endswith("b.yaml") and e.where for e in errors)
    assert not [e for e in errors if e.where == "cell_layers"]
