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


#: the rows whose framework coordinates are estimated from the OBELiX copies, by copy group
ESTIMATED = {"LTP": "Ti", "LATP": "Ti", "LGP": "Ge", "LAGP": "Ge", "LZP": "Zr"}
#: copies per group, as the rows' locations say
COPIES = {"Ti": 13, "Ge": 8, "Zr": 4}


def test_the_nasicon_lattices_name_their_table_entry():
    """Every row that points at the OBELiX table names one entry and is a source-checked estimate from its group."""
    rows = _rows_read_in_the_table()
    assert {r["material"] for r in rows} == set(ESTIMATED)
    for r in rows:
        assert re.search(r"\(entry \w{3}, ICSD \d+\)", r["location"]), r["location"]
        group = ESTIMATED[r["material"]]
        assert r["verification"] == "source-checked" and r["location"].startswith("computed, ")
        assert f"{COPIES[group]} noise-perturbed copies" in r["location"] and f"group {group}" in r["location"]


def _script(name: str):
    """A module of datasets/structures (build_structures, obelix_frameworks), loaded from its file."""
    spec = importlib.util.spec_from_file_location(name, DATASETS / "structures" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_obelix
def test_the_framework_constants_are_the_restrained_means_of_the_obelix_copies():
    """Each framework of build_structures.py is obelix_frameworks.py's restrained estimate from the shared CIFs, the
    restraint keeps every coordinate within 2 standard errors of its copies' mean (chi-square consistent with 8
    coordinates), and the fit has a regular PO4 and the expected mean M-O; Ti's M3 is the plain mean of 10 copies."""
    frameworks = _script("obelix_frameworks")
    build = _script("build_structures")
    estimates = frameworks.estimate(OBELIX)
    p_o = frameworks.phosphate_p_o()
    assert p_o == pytest.approx(1.545, abs=5e-4)
    for group, result in estimates.items():
        stats = result["coords"]
        fit = frameworks.restrained(group, result, p_o=p_o)
        fw = build.FRAMEWORKS[group]
        used = {"M_z": fw["M_z"], "P_x": fw["P_x"],
                **{f"{site}_{axis}": fw[site][i] for site in ("O1", "O2") for i, axis in enumerate("xyz")}}
        chi2 = 0.0
        for name, value in used.items():
            mean, _sd, se, n = stats[name]
            assert value == pytest.approx(fit[name], abs=2e-4), (group, name)
            assert abs(value - mean) < 2 * se and se < 0.009 and n == COPIES[group], (group, name, value, mean, se)
            chi2 += ((value - mean) / se) ** 2
        assert chi2 < 15.5, (group, chi2)  # the 95th percentile of chi-square with 8 degrees of freedom
        bonds = frameworks.bonds([fit[n] for n in frameworks.FRAMEWORK_NAMES], frameworks.GROUPS[group]["cell"], group)
        assert all(abs(d - p_o) < 0.03 for d in bonds["P"]), (group, bonds)
        assert sum(bonds["M"]) / 2 == pytest.approx(result["m_o"], abs=0.03), (group, bonds, result["m_o"])
    assert {g: round(r["m_o"], 3) for g, r in estimates.items()} == {"Ti": 1.947, "Ge": 1.881, "Zr": 2.068}
    for i, axis in enumerate("xyz"):
        mean, _sd, se, n = estimates["Ti"]["coords"][f"Li_M3_{axis}"]
        assert build.TI_FRAMEWORK["M3"][i] == pytest.approx(mean, abs=5e-5) and n == 10
    assert build.GE_FRAMEWORK["M3"] == build.TI_FRAMEWORK["M3"]  # borrowed, as the LAGP row says


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
    def m1_li(structure) -> float:
        return next(site.species["Li"] for site in structure if site.species.get_el_amt_dict().get("Li")
                    and all(abs(c) < 1e-6 for c in site.frac_coords))

    ours, theirs = (Structure.from_file(p) for p in (DATASETS / "structures" / "LAGP.cif", OBELIX / "train_cifs" / "1xf.cif"))
    assert m1_li(ours) == pytest.approx(m1_li(theirs)) == pytest.approx(0.65)


def test_the_nasicon_frameworks_are_chemically_sensible():
    """M-O and P-O bonds of the five NASICON CIFs within crystal-chemical ranges and no Li-O under 1.9 A."""
    build = _script("build_structures")
    ranges = {"Ti": (1.85, 2.05), "Ge": (1.80, 1.95), "Zr": (1.95, 2.15), "P": (1.48, 1.62)}
    for entry in build.structures():
        if entry["name"] not in ESTIMATED:
            continue
        s = build.build(entry)
        for site in s:
            els = set(site.species.get_el_amt_dict())
            centre = next((el for el in ("Ti", "Ge", "Zr", "P") if el in els), None)
            if centre is None and els != {"Li"}:
                continue
            lo, hi = ranges[centre] if centre else (1.9, 9.0)
            d = [n.nn_distance for n in s.get_neighbors(site, 2.6) if "O" in n.species.get_el_amt_dict()]
            assert d and lo <= min(d) and (centre is None or max(d) <= hi), (entry["name"], centre, sorted(d)[:6])


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


def test_prussian_blue_is_the_published_framework():
    """PB.cif: Buser et al.'s Pm-3m cell with 3 of 4 Fe(II) sites filled, and cyanide bridges of sensible length."""
    s = Structure.from_file(DATASETS / "structures" / "PB.cif")
    assert s.get_space_group_info()[0] == "Pm-3m" and s.lattice.a == pytest.approx(10.166)
    assert s.composition.almost_equals(Composition("Fe7C18N18"), atol=1e-6)

    def shortest(a: str, b: str) -> float:
        return min(n.nn_distance for site in s if a in site.species.get_el_amt_dict()
                   for n in s.get_neighbors(site, 2.5) if b in n.species.get_el_amt_dict())

    assert 1.85 < shortest("Fe", "C") < 2.0 and 1.95 < shortest("Fe", "N") < 2.1 and 1.10 < shortest("C", "N") < 1.20
