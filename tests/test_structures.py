"""The shipped CIFs against the table their records say their lattice was read in."""

import re

import pytest
import yaml
from pymatgen.core import Composition, Structure

from .conftest import DATASETS, OBELIX, needs_obelix

TABLE = OBELIX / "train.csv"
TABLE_URL = "file:../shared/data/obelix/train.csv"


def _rows_read_in_the_table() -> list[dict]:
    records = yaml.safe_load((DATASETS / "structures.yaml").read_text(encoding="utf-8"))["structures"]
    return [r for r in records if r.get("checked_url") == TABLE_URL]


def test_the_nasicon_lattices_name_their_table_entry():
    """Every row that points at the OBELiX table names one entry and stays `recalled` (its coordinates are)."""
    rows = _rows_read_in_the_table()
    assert {r["material"] for r in rows} == {"LTP", "LGP", "LZP", "LATP", "LAGP"}
    for r in rows:
        assert re.search(r"\(entry \w{3}, ICSD \d+\)", r["location"]), r["location"]
        assert r["verification"] == "recalled" and "recalled" in r["note"].lower()


@needs_obelix
def test_each_cif_has_the_lattice_and_composition_of_its_table_entry():
    import pandas as pd

    table = pd.read_csv(TABLE, dtype={"ID": str}).set_index("ID")
    for r in _rows_read_in_the_table():
        entry = table.loc[re.search(r"entry (\w{3})", r["location"]).group(1)]
        s = Structure.from_file(DATASETS / r["path"])
        assert s.lattice.a == pytest.approx(entry["a"], abs=5e-5), r["material"]
        assert s.lattice.c == pytest.approx(entry["c"], abs=5e-5), r["material"]
        assert s.get_space_group_info()[0] == "R-3c" == entry["Space group"].strip()
        assert f"ICSD {int(entry['ICSD ID'])}" in r["location"]
        want = Composition(entry["Reduced Composition"].replace(" ", "")).fractional_composition
        assert s.composition.fractional_composition.almost_equals(want, atol=1e-6), r["material"]
