"""matkb's featurizers against matminer on the same inputs, in one process.

Inputs: the OBELiX training compositions and the Liverpool Ionics Dataset compositions
(../shared/data/obelix/, or pass a folder), and a 10,000-composition set made from them
(cycled, so every item is a real published composition).
Prints items/s for each, their ratio and peak Python memory (tracemalloc).
Needs the optional benchmark dependency: pip install -e '.[bench]'.

Run: python benchmarks/featurize_vs_matminer.py [OBELIX_FOLDER] [--redox-sample N]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import time
import tracemalloc
import warnings
from pathlib import Path

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parents[1]


def load(folder: Path) -> list[str]:
    with open(folder / "train.csv", newline="", encoding="utf-8") as fh:
        obelix = [r["Reduced Composition"] for r in csv.DictReader(fh)]
    with open(folder / "LiIonDatabase.csv", newline="", encoding="utf-8-sig") as fh:
        liverpool = ["".join(r["composition"].strip().strip('"').split()) for r in csv.DictReader(fh)]
    return obelix + liverpool


def timed(fn, items):
    tracemalloc.start()
    t = time.perf_counter()
    out = fn(items)
    dt = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, dt, peak


def report(name, n, ours, theirs):
    (_, t1, m1), (_, t2, m2) = ours, theirs
    print(f"{name:46s} n={n:6d}  matkb {n / t1:10.0f} items/s ({m1:6.1f} MiB)  "
          f"matminer {n / t2:8.0f} items/s ({m2:6.1f} MiB)  ratio {t2 / t1:6.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared" / "data" / "obelix"))
    ap.add_argument("--redox-sample", type=int, default=100, help="compositions for the (slow) matminer oxidation-state run")
    args = ap.parse_args()
    from matminer.featurizers.composition import ElementProperty, OxidationStates
    from matminer.featurizers.conversions import CompositionToOxidComposition
    from pymatgen.core import Composition

    from matkb.chem import composition
    from matkb.featurizers import featurize
    from matkb.featurizers.base import parse_formula
    from matkb.featurizers.redox import reference_couples

    formulas = [f for f in load(Path(args.folder)) if _parses(f)]
    big = list(itertools.islice(itertools.cycle(formulas), 10_000))
    reference_couples()  # one-time load of the curated couples, not per item
    ep = ElementProperty.from_preset("magpie")

    def ours_comp(items):
        parse_formula.cache_clear()
        composition.cache_clear()
        return featurize(items, sets=("composition",))

    def theirs_comp(items):
        return [ep.featurize(Composition(f)) for f in items]

    for label, items in (("composition (magpie), OBELiX + Liverpool", formulas), ("composition (magpie), 10,000 set", big)):
        ours, theirs = timed(ours_comp, items), timed(theirs_comp, items)
        import numpy as np

        diff = np.nanmax(np.abs(ours[0].iloc[:, 1:].to_numpy() - np.array(theirs[0], dtype=float)))
        report(label, len(items), ours, theirs)
        print(f"{'':46s} largest |difference| between the two: {diff:.2e}")

    sample = formulas[: args.redox_sample]
    to_oxi = CompositionToOxidComposition(max_sites=-50, return_original_on_error=True)
    ox = OxidationStates()

    def ours_redox(items):
        from matkb.featurizers.redox import oxidation_states

        oxidation_states.cache_clear()
        parse_formula.cache_clear()
        composition.cache_clear()
        return featurize(items, sets=("redox",))

    def theirs_redox(items):
        out, failed = [], 0
        for f in items:
            try:
                oc = to_oxi.featurize(Composition(f))[0]
                out.append(ox.featurize(oc))
            except Exception:  # matminer raises for compositions it cannot assign
                failed += 1
        return out, failed

    ours, theirs = timed(ours_redox, sample), timed(theirs_redox, sample)
    report(f"oxidation states / redox, first {len(sample)}", len(sample), ours, theirs)
    balanced = ours[0]["charge_balanced"].mean() * 100
    print(f"{'':46s} matkb balanced {balanced:.0f} %; matminer failed on {theirs[0][1]} of {len(sample)}")
    structures(Path(args.folder))


def structures(folder: Path) -> None:
    """density, vpa, packing fraction, space group and crystal system: what matkb's structure set shares with matminer."""
    from matminer.featurizers.structure import DensityFeatures, GlobalSymmetryFeatures
    from pymatgen.core import Structure

    from matkb.featurizers.structure import basic, describe

    structs = []
    for cif in sorted((folder / "train_cifs").glob("*.cif")):
        try:
            structs.append(Structure.from_file(cif))
        except Exception:  # noqa: S112 - a CIF pymatgen cannot read is left out of both sides
            continue
    ordered = [s for s in structs if s.is_ordered]
    dens, sym = DensityFeatures(), GlobalSymmetryFeatures(desired_features=["spacegroup_num", "crystal_system_int"])

    def ours(items):
        return [basic(s) for s in items]

    def theirs(items):
        return [dens.featurize(s) + sym.featurize(s) for s in items]

    report(f"structure, {len(ordered)} ordered OBELiX CIFs", len(ordered), timed(ours, ordered), timed(theirs, ordered))
    refused = 0
    for s in structs:
        if not s.is_ordered:
            try:
                dens.featurize(s)
            except Exception:  # matminer refuses partial occupancy
                refused += 1
    ok = sum(1 for s in structs if not s.is_ordered and not math.isnan(describe(s)["density_g_cm3"]))
    print(f"{'':46s} disordered CIFs: matkb described {ok} of {len(structs) - len(ordered)}, matminer refused {refused}")


def _parses(f: str) -> bool:
    from matkb.featurizers.base import parse_formula

    try:
        parse_formula(f)
        return True
    except ValueError:
        return False


if __name__ == "__main__":
    main()
