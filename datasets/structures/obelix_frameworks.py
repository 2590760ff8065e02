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
#: "cell" is the lattice the restrained fit measures bonds in (the group's end member).
#: a group's key is also the octahedral element its restrained fit builds the framework with.
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
        # no M3 estimate: the copies do not agree on one excess-Li site (gw2, 1xf, 1dm and tjh refine a 36f site
        # about 2.1 A from M1 whose mean lies 1.7 A from an O; 8fn puts its Li elsewhere), so LAGP borrows Ti's M3
        "m3_ids": [],
        "cell": (8.27059, 20.4652),  # entry ldx, LiGe2(PO4)3
    },
    "Zr": {
        # every R-3c Zr/Hf copy with a CIF: LiHf2(PO4)3 is isostructural with LiZr2(PO4)3 (Hf4+ and Zr4+ differ
        # by 0.01 A in radius) and its two copies are one refinement noised twice, which the noise model allows
        "ids": ["ur9", "lpx", "ix1", "z7n"],
        "why": "LiZr2(PO4)3 (ICSD 201935, DOI 10.1016/0025-5408(86)90194-7), Li1.15Y0.15Zr1.85(PO4)3 (ICSD 191891, "
               "DOI 10.1016/j.jpowsour.2013.03.175) and Li0.9Hf2(PO4)3 twice (ICSD 83501, DOI 10.1021/cm970078n)",
        "m3_ids": [],  # no M3 estimate: ur9 (the LZP row) refines Li on M1; the Y and Hf phases put it on 18e/36f sites
        "cell": (8.847, 22.24),  # entry ur9, LiZr2(PO4)3
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


def _read(cif: Path):
    from pymatgen.core import Structure

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Structure.from_file(cif)


def framework_of(structure) -> dict[str, np.ndarray] | None:
    """Framework (and M3 Li, when the copy has a partly filled 36f Li site) in the reference frame, or None."""
    for shift in ORIGIN_SHIFTS:
        found = {name: _nearest(structure, kind, np.array(ref), shift) for name, (kind, ref) in REFERENCE.items()}
        if all(found[k] is not None and found[k][0] < MAX_FRAMEWORK_SHIFT for k in ("M", "P", "O1", "O2")):
            return {k: v[1] for k, v in found.items() if v is not None}
    return None


#: oxidation states of the octahedral (12c) cations met in these copies; every other one is 4+
TRIVALENT = {"Al", "Y", "Sc", "Ga", "Cr", "Fe", "In"}


def shannon_m_o(structure) -> float:
    """Expected mean M-O bond of the copy's 12c site: the occupancy-weighted Shannon (1976) radius of its six-fold
    cations plus that of two-fold O2- (each framework O bridges one P and one M), from pymatgen's radius table."""
    from pymatgen.core import Species

    m = next(site for site in structure if _kind(site) == "M").species.get_el_amt_dict()
    r_m = sum(occ * Species(el, 3 if el in TRIVALENT else 4).get_shannon_radius("VI") for el, occ in m.items()) / sum(m.values())
    return r_m + Species("O", -2).get_shannon_radius("II")


def estimate(obelix: Path = DEFAULT_OBELIX, groups=tuple(GROUPS)) -> dict[str, dict]:
    """Per group: ids used, per coordinate name (M_z, P_x, O1_x ...) the (mean, sd, se, n), and the mean
    expected M-O bond of its copies (``m_o``, for the restraint)."""
    out = {}
    for group in groups:
        spec = GROUPS[group]
        structures = {i: _read(obelix / "train_cifs" / f"{i}.cif") for i in spec["ids"]}
        copies = {i: framework_of(s) for i, s in structures.items()}
        missing = [i for i, f in copies.items() if f is None]
        if missing:
            raise ValueError(f"{group}: copies {missing} do not map onto the reference frame")
        coords = {"M_z": [f["M"][2] for f in copies.values()], "P_x": [f["P"][0] for f in copies.values()]}
        for site in ("O1", "O2"):
            for axis, name in enumerate("xyz"):
                coords[f"{site}_{name}"] = [f[site][axis] for f in copies.values()]
        for axis, name in enumerate("xyz"):
            if spec["m3_ids"]:
                coords[f"Li_M3_{name}"] = [copies[i]["Li_M3"][axis] for i in spec["m3_ids"]]
        stats = {}
        for name, vals in coords.items():
            v = np.asarray(vals, dtype=float)
            sd = float(v.std(ddof=1))
            stats[name] = (float(v.mean()), sd, sd / np.sqrt(v.size), int(v.size))
        m_o = float(np.mean([shannon_m_o(s) for s in structures.values()]))
        out[group] = {"ids": list(copies), "coords": stats, "m_o": m_o}
    return out


FRAMEWORK_NAMES = ("M_z", "P_x", "O1_x", "O1_y", "O1_z", "O2_x", "O2_y", "O2_z")
#: weight of the bond restraints (A): the spread of P-O bonds in ordered orthophosphates, and the accuracy of a
#: mean bond predicted from Shannon radii, are both a few hundredths of an A
BOND_SIGMA = 0.02


def bonds(theta, cell, metal: str = "Ti") -> dict[str, list[float]]:
    """The two distinct P-O bonds ("P") and the two distinct M-O bonds ("M") of the framework
    theta (M_z, P_x, O1 xyz, O2 xyz) in a hexagonal cell."""
    from pymatgen.core import Lattice, Structure

    mz, px, *o = theta
    s = Structure.from_spacegroup("R-3c", Lattice.hexagonal(*cell), [metal, "P", "O", "O"],
                                  [[0, 0, mz], [px, 0, 0.25], o[:3], o[3:]], tol=1e-3)
    out = {}
    for key, element in (("P", "P"), ("M", metal)):
        centre = next(site for site in s if site.specie.symbol == element)
        d = sorted(n.nn_distance for n in s.get_neighbors(centre, 2.6) if n.specie.symbol == "O")
        out[key] = [float(d[0]), float(d[-1])]
    return out


def phosphate_p_o(structures_dir: Path = Path(__file__).resolve().parent) -> float:
    """Mean P-O bond of the stored beta-Li3PO4 refinement (Keffer et al. 1967; structures/Li3PO4.cif)."""
    s = _read(structures_dir / "Li3PO4.cif")
    d = [n.nn_distance for site in s if site.specie.symbol == "P" for n in s.get_neighbors(site, 1.8) if n.specie.symbol == "O"]
    return float(np.mean(d))


def restrained(group: str, result: dict, p_o: float | None = None, sigma: float = BOND_SIGMA) -> dict[str, float]:
    """Restrained estimate, as in a restrained crystallographic refinement: the framework closest (in standard
    errors) to the copies' means whose two P-O bonds stay near ``p_o`` (default: the stored Li3PO4 refinement's
    mean) and whose mean M-O bond stays near the copies' Shannon-radius sum (``result["m_o"]``).  The means fix the
    framework only to 0.05-0.1 A along c, so the plain mean's bonds are off by up to 0.15 A."""
    from scipy.optimize import least_squares

    p_o = phosphate_p_o() if p_o is None else p_o
    stats, cell, metal = result["coords"], GROUPS[group]["cell"], group
    mean = np.array([stats[n][0] for n in FRAMEWORK_NAMES])
    se = np.array([stats[n][2] for n in FRAMEWORK_NAMES])

    def residuals(theta):
        b = bonds(theta, cell, metal)
        return np.concatenate([(theta - mean) / se, (np.array(b["P"]) - p_o) / sigma,
                               [(np.mean(b["M"]) - result["m_o"]) / sigma]])

    fit = least_squares(residuals, mean, diff_step=1e-4, xtol=1e-10, ftol=1e-10)
    return dict(zip(FRAMEWORK_NAMES, (float(v) for v in fit.x), strict=True))


def main(argv: list[str]) -> None:
    obelix = Path(argv[1]) if len(argv) > 1 else DEFAULT_OBELIX
    estimates = estimate(obelix)
    p_o = phosphate_p_o()
    print(f"restraints: both P-O = {p_o:.4f} A (stored Li3PO4), mean M-O = Shannon sum; sigma {BOND_SIGMA} A")
    for group, res in estimates.items():
        cell = GROUPS[group]["cell"]
        print(f"{group}: {len(res['ids'])} copies ({GROUPS[group]['why']})")
        for name, (mean, sd, se, n) in res["coords"].items():
            print(f"  {name:8s} mean {mean:+.4f}  sd {sd:.4f}  se {se:.4f}  n {n}")
        plain = bonds([res["coords"][n][0] for n in FRAMEWORK_NAMES], cell, group)
        fit = restrained(group, res, p_o=p_o)
        z = [(fit[n] - res["coords"][n][0]) / res["coords"][n][2] for n in FRAMEWORK_NAMES]
        print(f"  restrained (expected M-O {res['m_o']:.3f} A; chi-square {sum(v * v for v in z):.2f} for 8, "
              f"largest shift {max(map(abs, z)):.2f} se):")
        for name, value in fit.items():
            print(f"  {name:8s} {value:+.4f}")
        b = bonds(list(fit.values()), cell, group)
        print("  P-O / M-O (A): plain mean", [round(d, 3) for d in plain["P"] + plain["M"]],
              "restrained", [round(d, 3) for d in b["P"] + b["M"]])


if __name__ == "__main__":
    main(sys.argv)
