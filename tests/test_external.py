"""Importing OBELiX and the Liverpool Ionics Dataset from the shared copies (skipped where they are absent)."""

import shutil

import numpy as np
import pandas as pd
import pytest

from matkb.chem import composition_key
from matkb.errors import ValidationFailed
from matkb.store import Store

from .conftest import DATASETS, OBELIX, dump_tables, needs_obelix

pytestmark = needs_obelix


@pytest.fixture
def kb_with_data(db_path):
    with Store(db_path) as kb:
        kb.ingest([DATASETS])
    return db_path


def test_import_both_keeps_bounds_links_duplicates_and_is_idempotent(kb_with_data):
    with Store(kb_with_data) as kb:
        r1 = kb.import_dataset("liverpool", OBELIX)
        assert r1.added["external_conductivities"] == 820
        r2 = kb.import_dataset("obelix", OBELIX)
        assert r2.added["external_conductivities"] == 478
        assert r2.updated["external_conductivities"] > 0  # Liverpool rows now linked to their OBELiX twins
        again = kb.import_dataset("obelix", OBELIX)
        assert again.added["external_conductivities"] == again.updated["external_conductivities"] == 0
        # the curated OBELiX record (cited by the LZP structure) survives the import; Liverpool gets the importer's stub
        cited = kb.sql("SELECT source_id, origin FROM sources WHERE source_id IN ('obelix-2025', 'liverpool-ionics') ORDER BY 1")
        assert list(cited.origin) == ["matkb import liverpool", "datasets/structures.yaml"]
        bounds = kb.sql("SELECT sigma_S_cm, sigma_qualifier FROM external_conductivities WHERE sigma_qualifier = '<'")
        assert len(bounds) == 29 and set(bounds.sigma_S_cm) == {1e-10, 1e-8}
        # a duplicate is the same composition (to the element fractions) from the same paper, whatever the
        # formula's scale; OBELiX's "Liion ID" is used only where it agrees (most name another compound here)
        pairs = kb.sql("""SELECT e.entry_key, e.reduced_formula AS f, d.reduced_formula AS g, e.doi, d.doi AS doi_d
                          FROM external_conductivities e JOIN external_conductivities d ON d.entry_key = e.duplicate_of""")
        assert len(pairs) > 100
        assert all(composition_key(f) == composition_key(g) for f, g in zip(pairs.f, pairs.g, strict=True))
        assert (pairs.doi == pairs.doi_d).all()
        aono = kb.sql("SELECT duplicate_of FROM external_conductivities WHERE entry_key = 'liverpool:451'").duplicate_of[0]
        assert aono != "obelix:eij"  # the LISICON entry whose "Liion ID" names Aono's LATP
        named = pd.read_csv(OBELIX / "train.csv")["Liion ID"].notna().sum()
        assert not r1.warnings and len(r2.warnings) == 1 and f" of the {named} OBELiX entries" in r2.warnings[0].message
        # OBELiX gives unit-cell formulas (Li7.8Al1.8Ti10.2P18O72): still linked to the curated LATP of the same paper
        assert kb.sql("SELECT curated_material_id FROM external_conductivities WHERE entry_key = 'obelix:9s4'").curated_material_id[0] == "LATP"
        check = kb.sql("SELECT * FROM conductivity_crosscheck")
        assert set(check.reference_kind) == {"curated", "duplicate"}
        curated = check[check.reference_kind == "curated"]
        assert ((curated.temperature_C - curated.reference_temperature_C).abs() <= 10).all()
        assert (check.log10_ratio - np.log10(check.sigma_S_cm / check.reference_sigma_S_cm)).abs().max() < 1e-12
        # the two datasets disagree 80-fold on Cretin & Fabry's LATP; the view shows it
        assert check.set_index("entry_key").log10_ratio["liverpool:496"] > 1.5
        counted = kb.sql("SELECT count(*) AS n FROM all_conductivities WHERE origin_kind = 'liverpool'").n[0]
        assert counted == 820 - kb.sql("SELECT count(*) AS n FROM external_conductivities WHERE dataset = 'liverpool' "
                                       "AND (duplicate_of IS NOT NULL OR curated_material_id IS NOT NULL)").n[0]
        nasicon = kb.sql("SELECT origin_kind, count(*) AS n FROM all_conductivities WHERE family ILIKE 'nasicon' GROUP BY 1")
        assert set(nasicon.origin_kind) == {"curated", "obelix", "liverpool"}
        cif = kb.sql("SELECT cif FROM external_conductivities WHERE entry_key = 'obelix:jqc'").cif[0]
        assert cif is None or "_cell_length_a" in cif
        assert kb.sql("SELECT count(cif) AS n FROM external_conductivities").n[0] == 254
        glass = kb.sql("SELECT reduced_formula FROM external_conductivities WHERE composition LIKE '%(Li2O)50 (Al2O3)4 (P2O5)46%' LIMIT 1")
        assert len(glass) == 1 and glass.reduced_formula[0]  # mixture notation read as the sum of its parts


def test_bad_row_names_file_row_field_and_leaves_store_unchanged(kb_with_data, tmp_path):
    bad = tmp_path / "LiIonDatabase.csv"
    shutil.copy(OBELIX / "LiIonDatabase.csv", bad)
    with open(bad, "a", encoding="utf-8") as fh:
        fh.write("9999,Li3PO4,10.1/x,25,fast,-1,Other,Oxides\n")
    before = dump_tables(kb_with_data)
    with Store(kb_with_data) as kb, pytest.raises(ValidationFailed) as exc:
        kb.import_dataset("liverpool", bad)
    assert str(exc.value).startswith("error: ") and "row 822: target = fast: is not a number" in str(exc.value)
    assert dump_tables(kb_with_data) == before


def test_impossible_lattice_space_group_and_conductivity_are_refused(kb_with_data, tmp_path):
    """These columns are features of the conductivity model: a negative edge, a 400 degree angle, space group 999 or
    2.7, or 1e9 S/cm is an error naming the row, not a number stored as given (or truncated)."""
    import csv

    folder = tmp_path / "obelix"
    folder.mkdir()
    with open(OBELIX / "train.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    bad = {"a": "-5", "alpha": "400", "Space group #": "2.7", "Ionic conductivity (S cm-1)": "1e9"}
    rows[0].update(bad)
    with open(folder / "train.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    before = dump_tables(kb_with_data)
    with Store(kb_with_data) as kb, pytest.raises(ValidationFailed) as exc:
        kb.import_dataset("obelix", folder)
    found = {(i.where, i.field, i.value) for i in exc.value.issues}
    assert found == {("row 2", field, value) for field, value in bad.items()}
    assert dump_tables(kb_with_data) == before


def test_a_second_import_of_a_smaller_file_speaks_for_the_whole_dataset(kb_with_data, tmp_path):
    """Entries the new file no longer holds are removed, and the links of the other dataset are recomputed, so no
    Liverpool measurement is counted twice; the dataset stub is citable by its address."""
    with Store(kb_with_data) as kb:
        kb.import_dataset("liverpool", OBELIX)
        kb.import_dataset("obelix", OBELIX)
        linked = kb.sql("SELECT count(*) AS n FROM external_conductivities WHERE dataset = 'liverpool' AND duplicate_of LIKE 'obelix:%'").n[0]
        assert linked > 100
        sub = tmp_path / "train.csv"
        sub.write_text("".join((OBELIX / "train.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)[:6]), encoding="utf-8")
        report = kb.import_dataset("obelix", sub)
        assert report.removed["external_conductivities"] == 478 - 5
        assert kb.sql("SELECT count(*) AS n FROM external_conductivities WHERE dataset = 'obelix'").n[0] == 5
        dangling = kb.sql("""SELECT count(*) AS n FROM external_conductivities e
                             WHERE duplicate_of IS NOT NULL AND duplicate_of NOT IN (SELECT entry_key FROM external_conductivities)""")
        assert dangling.n[0] == 0
        assert kb.sql("SELECT citable FROM sources WHERE source_id = 'liverpool-ionics'").citable[0]
