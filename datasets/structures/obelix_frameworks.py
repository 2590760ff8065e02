#!/usr/bin/env python
"""Estimate published NASICON framework coordinates from the OBELiX training CIFs.

The OBELiX CIFs are ICSD refinements whose positions the dataset's authors perturbed on
purpose (NRC-Mila/OBELiX data/scripts/randomize_cifs.py: each fractional coordinate of
each CIF site gets independent Gaussian noise, sigma = 0.01; lattices and occupancies are
untouched; a site pushed off its special position is averaged back onto it).  One copy
therefore says little about the published positions, but the noise is unbiased and
independent between copies, so the mean over N copies of one framework estimates the
mean of the published refinements with a standard error of about 0.01 / sqrt(N).

This script maps every framework site of each copy onto the symmetry-equivalent
position nearest a reference (the frame used by build_structures.py), then reports
mean, standard deviation and standard error per coordinate and group.  The numbers in
build_structures.py were taken from its output; tests/test_structures.py recomputes
them from ../shared and fails if they drift.

Usage:  /work/venv/bin/python datasets/structures/obelix_frameworks.py [OBELIX_DIR]
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

DEFAULT_OBELIX = Path(__file__).resolve().parents[3] / "shared" / "data" / "obelix"

#: OBELiX entries averaged per framework, and why these.  Every one is an R-3c CIF of a
#: published ICSD refinement ("Cif ID" = done, an ICSD ID in the table).  The excess-Li
#: site M3 (36f) is averaged over the copies named in m3_ids, whose refinements agree on it.
GROUPS: dict[str, dict] = {
    "Ti": {
        "ids": ["019", "qno", "rr5", "my9", "9s4", "iqt", "xa0", "lap", "z9y", "ym6", "yq2", "kab", "mg4"],
        "why": "LiTi2(PO4)3 and Li1+xAlxTi2-x(PO4)3 (x = 0.1-0.5): ICSD 118128 (twice), 184088, 7931, 7932, "
               "19904, 19905, 19907, 141513, 141515, 141518, 141519, 36778",
        # ym6 (ICSD 19907) puts its 36f Li about 0.4 A from where the other ten copies agree: another site
        "m3_ids": ["019", "qno", "my9", "9s4", "iqt", "xa0", "lap", "z9y", "yq2", "kab"],
        "cell": (8.5112, 20.8479),  # entry 019, LiTi2(PO4)3
    },
    "Ge": {
        "ids": ["ldx", "0fh", "3uq", "gw2", "1xf", "1dm", "tjh", "8fn"],
        "why": "the Li1+xAlxGe2-x(PO4)3 series x = 0-0.8 of one paper (ICSD 263760-263767, DOI 10.1021/acsami.8b00842)",
        # the 36f Li holds > 0.1 only from x = 0.4; at x = 0.2-0.3 (0fh, 3uq) it is refined about 0.4 A away
        "m3_ids": ["gw2", "1xf", "1dm", "tjh", "8fn"],
        "cell": (8.27059, 20.4652),  # entry ldx, LiGe2(PO4)3
    },
}

#: reference positions that fix the frame (build_structures.py's setting: origin at -3, Li on 6b)
REFERENCE = {
    "M": ("M", (0.0, 0.0, 0.1416)),
    "P": ("P", (0.29, 0.0, 0.25)),
    "O1": ("O", (0.1840, -0.0053, 0.1900)),
    "O2": ("O", (0.1900, 0.1680, 0.0830)),
    "Li_M3": ("Li36f", (0.07, 0.34, 0.08)),
}
#: the four framework sites must all lie this close (A) to their reference, or the copy is in another setting
MAX_FRAMEWORK_SHIFT = 0.8
#: origin choices of R-3c that keep Li on 6b (0,0,0): the setting of a copy is the one that fits
ORIGIN_SHIFTS = (np.zeros(3), np.array([0.0, 0.0, 0.5]))


def _kind(site) -> str:
    els = {e.symbol for e in site.species.elements}
    if els <= {"Li"}:
        return "Li36f" if site.species.num_atoms < 0.5 else "Li6b"
    if "O" in els:
        return "O"
    if "P" in els:
        return "P"
    return "M"


def _nearest(structure, kind: str, ref: np.ndarray, shift: np.ndarray):
    best = None
    for site in structure:
        if _kind(site) != kind:
            continue
        df = site.frac_coords + shift - ref
        df -= np.round(df)
        d = float(np.linalg.norm(structure.lattice.get_cartesian_coords(df)))
        if best is None or d < best[0]:
            best = (d, ref + df)
    return best


def framework_of(cif: Path) -> dict[str, np.ndarray] | None:
    """Framework (and M3 Li, when the copy has a partly filled 36f Li site) in the reference frame, or None."""
    from pymatgen.core import Structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = Structure.from_file(cif)
    for shift in ORIGIN_SHIFTS:
        found = {name: _nearest(s, kind, np.array(ref), shift) for name, (kind, ref) in REFERENCE.items()}
        if all(found[k] is not None and found[k][0] < MAX_FRAMEWORK_SHIFT for k in ("M", "P", "O1", "O2")):
            return {k: v[1] for k, v in found.items() if v is not None}
    return None


def estimate(obelix: Path = DEFAULT_OBELIX, groups=tuple(GROUPS)) -> dict[str, dict]:
    """Per group: ids used, and per coordinate name (M_z, P_x, O1_x ...) the (mean, sd, se, n)."""
    out = {}
    for group in groups:
        spec = GROUPS[group]
        copies = {i: framework_of(obelix / "train_cifs" / f"{i}.cif") for i in spec["ids"]}
        missing = [i for i, f in copies.items() if f is None]
        if missing:
            raise ValueError(f"{group}: copies {missing} do not map onto the reference frame")
        coords = {"M_z": [f["M"][2] for f in copies.values()], "P_x": [f["P"][0] for f in copies.values()]}
        for site in ("O1", "O2"):
            for axis, name in enumerate("xyz"):
                coords[f"{site}_{name}"] = [f[site][axis] for f in copies.values()]
        for axis, name in enumerate("xyz"):
            coords[f"Li_M3_{name}"] = [copies[i]["Li_M3"][axis] for i in spec["m3_ids"]]
        stats = {}
        for name, vals in coords.items():
            v = np.asarray(vals, dtype=float)
            sd = float(v.std(ddof=1))
            stats[name] = (float(v.mean()), sd, sd / np.sqrt(v.size), int(v.size))
        out[group] = {"ids": list(copies), "coords": stats}
    return out


#: the Ti framework's cell (OBELiX entry 019, LiTi2(PO4)3) used for the restraint
TI_CELL = GROUPS["Ti"]["cell"]
FRAMEWORK_NAMES = ("M_z", "P_x", "O1_x", "O1_y", "O1_z", "O2_x", "O2_y", "O2_z")
#: weight of the P-O restraint (A): the spread of P-O bonds in ordered orthophosphates is a few hundredths of an A
PO_SIGMA = 0.02


def _p_o_distances(theta, cell) -> list[float]:
    """The two distinct P-O bond lengths of the framework theta (M_z, P_x, O1 xyz, O2 xyz) in a hexagonal cell."""
    from pymatgen.core import Lattice, Structure

    mz, px, *o = theta
    s = Structure.from_spacegroup("R-3c", Lattice.hexagonal(*cell), ["Ti", "P", "O", "O"],
                                  [[0, 0, mz], [px, 0, 0.25], o[:3], o[3:]], tol=1e-3)
    p = next(i for i, site in enumerate(s) if site.specie.symbol == "P")
    d = sorted(n.nn_distance for n in s.get_neighbors(s[p], 2.0) if n.specie.symbol == "O")
    return [float(d[0]), float(d[-1])]


def phosphate_p_o(structures_dir: Path = Path(__file__).resolve().parent) -> float:
    """Mean P-O bond of the stored beta-Li3PO4 refinement (Keffer et al. 1967; structures/Li3PO4.cif)."""
    from pymatgen.core import Structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = Structure.from_file(structures_dir / "Li3PO4.cif")
    d = [n.nn_distance for site in s if site.specie.symbol == "P" for n in s.get_neighbors(site, 1.8) if n.specie.symbol == "O"]
    return float(np.mean(d))


def restrained(stats: dict, cell=TI_CELL, p_o: float | None = None, sigma: float = PO_SIGMA) -> dict[str, float]:
    """Restrained estimate: the framework closest (in standard errors) to the copies' means whose two P-O bonds
    stay near ``p_o`` (default: the stored Li3PO4 refinement's mean), as in a restrained crystallographic refinement.
    The means fix the framework only to 0.05-0.1 A along c, so one P-O of the plain mean comes out 0.1 A long."""
    from scipy.optimize import least_squares

    p_o = phosphate_p_o() if p_o is None else p_o
    mean = np.array([stats[n][0] for n in FRAMEWORK_NAMES])
    se = np.array([stats[n][2] for n in FRAMEWORK_NAMES])

    def residuals(theta):
        return np.concatenate([(theta - mean) / se, (np.array(_p_o_distances(theta, cell)) - p_o) / sigma])

    fit = least_squares(residuals, mean, diff_step=1e-4, xtol=1e-10, ftol=1e-10)
    return dict(zip(FRAMEWORK_NAMES, (float(v) for v in fit.x), strict=True))


def main(argv: list[str]) -> None:
    obelix = Path(argv[1]) if len(argv) > 1 else DEFAULT_OBELIX
    estimates = estimate(obelix)
    for group, res in estimates.items():
        print(f"{group}: {len(res['ids'])} copies ({GROUPS[group]['why']})")
        for name, (mean, sd, se, n) in res["coords"].items():
            print(f"  {name:8s} mean {mean:+.4f}  sd {sd:.4f}  se {se:.4f}  n {n}")
        mean = [res["coords"][n][0] for n in FRAMEWORK_NAMES]
        print("  P-O of the plain mean (A):", [round(d, 3) for d in _p_o_distances(mean, GROUPS[group]["cell"])])
    p_o = phosphate_p_o()
    fit = restrained(estimates["Ti"]["coords"], p_o=p_o)
    print(f"Ti, restrained to P-O = {p_o:.4f} A (sigma {PO_SIGMA} A):")
    for name, value in fit.items():
        print(f"  {name:8s} {value:+.4f}")
    print("  P-O (A):", [round(d, 3) for d in _p_o_distances(list(fit.values()), TI_CELL)])


if __name__ == "__main__":
    main(sys.argv)
