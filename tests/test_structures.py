"""The shipped CIFs against the table their records say their lattice was read in."""

import importlib.util
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


#: the rows whose framework coordinates are the estimate, and the ones that reuse it for another composition
ESTIMATED, TRANSFERRED = {"LTP", "LATP"}, {"LGP", "LZP", "LAGP"}


def test_the_nasicon_lattices_name_their_table_entry():
    """Every row that points at the OBELiX table names one entry; an estimate is source-checked, a transfer recalled."""
    rows = _rows_read_in_the_table()
    assert {r["material"] for r in rows} == ESTIMATED | TRANSFERRED
    for r in rows:
        assert re.search(r"\(entry \w{3}, ICSD \d+\)", r["location"]), r["location"]
        if r["material"] in ESTIMATED:
            assert r["verification"] == "source-checked" and r["location"].startswith("computed, ")
            assert "13 noise-perturbed copies" in r["location"]
        else:
            assert r["verification"] == "recalled" and "transferred" in r["location"]


def _build_script():
    spec = importlib.util.spec_from_file_location("build_structures", DATASETS / "structures" / "build_structures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_obelix
def test_the_framework_constants_are_the_mean_of_the_obelix_copies():
    """TI_FRAMEWORK must be what obelix_frameworks.py derives from the shared CIFs, rounded to 4 decimals."""
    spec = importlib.util.spec_from_file_location("obelix_frameworks", DATASETS / "structures" / "obelix_frameworks.py")
    frameworks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(frameworks)
    stats = frameworks.estimate(OBELIX)["Ti"]["coords"]
    fw = _build_script().TI_FRAMEWORK
    used = {"M_z": fw["M_z"], "P_x": fw["P_x"], **{f"{site}_{axis}": fw[key][i]
            for site, key in (("O1", "O1"), ("O2", "O2"), ("Li_M3", "M3")) for i, axis in enumerate("xyz")}}
    for name, value in used.items():
        mean, sd, se, n = stats[name]
        assert value == pytest.approx(mean, abs=5e-5), name
        assert se < 0.006 and n >= 10, (name, se, n)


@needs_obelix
def test_the_occupancies_said_to_be_read_are_those_of_the_obelix_cifs():
    """LTP (entry 019) and LATP (9s4) take every Li and 12c occupancy from their entry's CIF, LAGP (1xf) its M1 Li."""
    def occupancies(structure, element):
        return sorted({round(site.species.get_el_amt_dict().get(element, 0.0), 5) for site in structure} - {0.0})

    for material, entry, elements in (("LTP", "019", ("Li", "Ti")), ("LATP", "9s4", ("Li", "Ti", "Al"))):
        ours = Structure.from_file(DATASETS / "structures" / f"{material}.cif")
        theirs = Structure.from_file(OBELIX / "train_cifs" / f"{entry}.cif")
        for el in elements:
            assert occupancies(ours, el) == occupancies(theirs, el), (material, el)
    lagp = Structure.from_file(DATASETS / "structures" / "LAGP.cif")
    m1 = [s for s in lagp if s.species.get_el_amt_dict().get("Li") and all(abs(c) < 1e-6 for c in s.frac_coords)]
    theirs = Structure.from_file(OBELIX / "train_cifs" / "1xf.cif")
    m1_theirs = [s for s in theirs if s.species.get_el_amt_dict().get("Li") and all(abs(c) < 1e-6 for c in s.frac_coords)]
    assert m1[0].species["Li"] == pytest.approx(m1_theirs[0].species["Li"]) == pytest.approx(0.65)


def test_the_estimated_frameworks_are_chemically_sensible():
    """Built from the estimate, LTP and LATP have Ti-O 1.85-2.05 A, P-O 1.48-1.58 A and no Li-O under 1.9 A."""
    build = _build_script()
    for entry in build.structures():
        if entry["name"] not in ESTIMATED:
            continue
        bonds = build.shortest_bonds(build.build(entry))
        ti = next(v for k, v in bonds.items() if k.split("-")[0] in ("Ti", "Al/Ti"))
        assert 1.85 <= ti <= 2.05 and 1.48 <= bonds["P-O"] <= 1.58 and bonds["Li-O"] >= 1.9, (entry["name"], bonds)


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
