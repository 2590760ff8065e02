"""Structural descriptors that work on disordered (partially occupied) structures such as LATP.

matminer's ``DensityFeatures`` and CrystalNN-based fingerprints refuse partially
occupied sites. Here every descriptor is defined for them:

* density, volume per atom and packing fraction use occupancy-weighted site contents
  (packing fraction: sum of occupancy x 4/3 pi r^3 with pymatgen's atomic radii, over the cell volume);
* symmetry comes from spglib on the sites as they are (a site's species *and*
  occupancies define its type), so the published space group of a disordered CIF is kept;
* Li descriptors use the sites that hold Li: Li per volume (occupancy-weighted),
  shortest Li-Li and mean nearest Li-anion distance, Li coordination (anions within
  1.25 x the nearest Li-anion distance), a bottleneck radius (over Li-Li hops up to
  4.5 A, the largest free radius at the hop midpoint: distance to the nearest anion
  minus the anion's ionic radius) and the dimensionality of the network of those hops
  (0-3, by Larsen's algorithm on the Li-site graph).
Formulas without a structure give NaN rows with the reason in ``reasons_``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .base import MatkbFeaturizer

CRYSTAL_SYSTEMS = {"triclinic": 1, "monoclinic": 2, "orthorhombic": 3, "tetragonal": 4, "trigonal": 5, "hexagonal": 6, "cubic": 7}
FEATURES = {
    "density_g_cm3": "g/cm^3",
    "volume_per_atom_A3": "A^3/atom",
    "packing_fraction": "",
    "space_group_number": "",
    "crystal_system": "1=triclinic ... 7=cubic",
    "is_ordered": "bool",
    "li_per_volume_A3": "Li/A^3",
    "li_li_min_distance_A": "A",
    "li_anion_mean_distance_A": "A",
    "li_coordination": "",
    "bottleneck_radius_A": "A",
    "li_network_dimensionality": "",
}
ANION_RADIUS = {"O": 1.40, "F": 1.33, "S": 1.84, "Cl": 1.81, "N": 1.46, "Se": 1.98, "Br": 1.96, "I": 2.20}  # Shannon, CN 6
HOP_CUTOFF = 4.5
#: two Li sites closer than this are alternative positions of one ion in a disordered (split-site) model, not two ions
#: and not a hop: ordered Li compounds keep Li+ pairs farther apart (Li3N 2.11 A, Li2O 2.31 A, Li metal 3.0 A)
MIN_LI_LI_A = 1.5
SYMPREC = 0.01  # pymatgen's and matminer's default, in A
AMU_G = 1.6605390689199997e-24  # g per atomic mass unit, the value pymatgen.core.units uses


def load_structure(item):
    """A pymatgen Structure from a Structure or a CIF path; None for anything else (a formula)."""
    from pymatgen.core import Structure

    if isinstance(item, Structure):
        return item
    if isinstance(item, (str, Path)) and str(item).lower().endswith(".cif"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return Structure.from_file(str(item))
            except Exception as exc:  # pymatgen raises many types for broken CIFs
                raise ValueError(f"pymatgen cannot read this CIF: {exc}") from exc
    return None


def _site_types(structure) -> list:
    return [tuple(sorted((sp.symbol if hasattr(sp, "symbol") else str(sp), round(float(o), 4)) for sp, o in site.species.items()))
            for site in structure]


def _symmetry(structure) -> tuple[float, float]:
    import spglib

    types = _site_types(structure)
    codes = {t: i for i, t in enumerate(sorted(set(types)))}
    cell = (structure.lattice.matrix, structure.frac_coords, [codes[t] for t in types])
    ds = spglib.get_symmetry_dataset(cell, symprec=SYMPREC)
    if ds is None:
        return math.nan, math.nan
    n = int(ds.number)
    system = ("triclinic" if n <= 2 else "monoclinic" if n <= 15 else "orthorhombic" if n <= 74 else "tetragonal" if n <= 142
              else "trigonal" if n <= 167 else "hexagonal" if n <= 194 else "cubic")
    return float(n), float(CRYSTAL_SYSTEMS[system])


def _dimensionality(structure, li_idx: list[int]) -> float:
    """Dimensionality (0-3) of the periodic graph of Li-site hops shorter than HOP_CUTOFF."""
    from pymatgen.analysis.dimensionality import get_dimensionality_larsen
    from pymatgen.analysis.graphs import StructureGraph
    from pymatgen.core import Structure

    sub = Structure(structure.lattice, ["Li"] * len(li_idx), structure.frac_coords[li_idx])
    import warnings

    sg = StructureGraph.from_empty_graph(sub, name="li-hops")
    with warnings.catch_warnings():  # pymatgen warns on edges it already has
        warnings.simplefilter("ignore")
        for i, nbrs in enumerate(sub.get_all_neighbors(HOP_CUTOFF)):
            for nb in nbrs:
                if nb.index >= i:
                    image = tuple(int(x) for x in np.round(nb.frac_coords - sub[nb.index].frac_coords))
                    if nb.index == i and image == (0, 0, 0):
                        continue
                    try:
                        sg.add_edge(i, nb.index, to_jimage=image)
                    except ValueError:
                        pass
        return float(get_dimensionality_larsen(sg))


def describe(structure) -> dict[str, float]:
    """All structure descriptors: :func:`basic` plus the Li-migration ones."""
    out = basic(structure)
    out.update(li_descriptors(structure))
    return out


def basic(structure) -> dict[str, float]:
    """Density, volume per atom, packing fraction, symmetry: the descriptors matminer also has."""
    vol = structure.volume
    out = dict.fromkeys(FEATURES, math.nan)
    mass = packed = atoms = 0.0  # one pass over the sites, occupancy-weighted
    for site in structure:
        for sp, occ in site.species.items():
            el = getattr(sp, "element", sp)
            mass += occ * float(el.atomic_mass)
            atoms += occ
            if el.atomic_radius is not None:
                packed += occ * 4 / 3 * math.pi * float(el.atomic_radius) ** 3
    out["density_g_cm3"] = mass * AMU_G / (vol * 1e-24)
    out["volume_per_atom_A3"] = vol / atoms
    out["packing_fraction"] = packed / vol
    out["space_group_number"], out["crystal_system"] = _symmetry(structure)
    out["is_ordered"] = float(structure.is_ordered)
    return {k: v for k, v in out.items() if not math.isnan(v)}


def li_descriptors(structure) -> dict[str, float]:
    """Li content per volume, Li-Li and Li-anion distances, coordination, bottleneck and hop-network dimensionality."""
    comp = structure.composition
    out = {k: math.nan for k in list(FEATURES)[6:]}
    out["li_per_volume_A3"] = comp["Li"] / structure.volume
    li_idx = [i for i, s in enumerate(structure) if any(getattr(sp, "symbol", "") == "Li" for sp in s.species)]
    elements = sorted(comp.elements, key=lambda e: e.X or 0)
    anion = elements[-1].symbol if elements else None
    an_idx = [i for i, s in enumerate(structure) if any(getattr(sp, "symbol", "") == anion for sp in s.species)]
    if not li_idx or anion in (None, "Li") or not an_idx:
        return out
    frac = structure.frac_coords
    lat = structure.lattice
    # Li-anion neighbours with periodic images (a site's images count separately, as in a coordination shell)
    centers, points, _, dists = structure.get_neighbor_list(6.0, sites=[structure[i] for i in li_idx])
    an_set = set(an_idx)
    shells = [dists[(centers == c) & np.isin(points, list(an_set))] for c in range(len(li_idx))]
    shells = [d for d in shells if len(d)]
    if shells:
        out["li_anion_mean_distance_A"] = float(np.mean([d.min() for d in shells]))
        out["li_coordination"] = float(np.mean([(d <= 1.25 * d.min()).sum() for d in shells]))
    li_li = lat.get_all_distances(frac[li_idx], frac[li_idx])
    li_li[li_li < MIN_LI_LI_A] = np.inf  # the site itself and its split partners
    out["li_li_min_distance_A"] = float(li_li.min()) if np.isfinite(li_li.min()) else math.nan
    # bottleneck: hop midpoints (periodic images included) and their free radius
    r_an = ANION_RADIUS.get(anion, 1.4)
    best = -math.inf
    sub_neighbors = structure.get_neighbor_list(HOP_CUTOFF, sites=[structure[i] for i in li_idx])
    centers, points, images, hop = sub_neighbors
    li_set = set(li_idx)
    mids = []
    for c, p, img, length in zip(centers, points, images, hop, strict=True):
        if p in li_set and length >= MIN_LI_LI_A:  # a split partner is not a hop
            mids.append((frac[li_idx[c]] + frac[p] + img) / 2)
    if mids:
        d = lat.get_all_distances(np.array(mids), frac[an_idx]).min(axis=1)
        best = float(d.max() - r_an)
    out["bottleneck_radius_A"] = best if np.isfinite(best) else math.nan
    try:
        out["li_network_dimensionality"] = _dimensionality(structure, li_idx)
    except Exception:  # a graph pymatgen cannot analyse: leave NaN
        out["li_network_dimensionality"] = math.nan
    return out


class StructureFeaturizer(MatkbFeaturizer):
    """Density, packing, symmetry and Li-migration descriptors of a structure (CIF path or pymatgen Structure)."""

    FEATURE_UNITS = FEATURES

    def transform(self, X):
        from sklearn.utils.validation import check_is_fitted

        from .base import items_from_X

        check_is_fitted(self, "feature_names_out_")
        items = items_from_X(X)
        out = np.full((len(items), len(FEATURES)), np.nan)
        self.skipped_, self.reasons_ = {}, {}
        for i, item in enumerate(items):
            try:
                structure = load_structure(item)
            except ValueError as exc:
                self._fail(i, item, str(exc))
                continue
            if structure is None:
                self.reasons_[i] = "no structure given (a formula): structural descriptors are NaN"
                continue
            out[i] = list(describe(structure).values())
        return out

    def citations(self) -> list[str]:
        return [
            "@article{larsen_2019, title={Definition of a scoring parameter to identify low-dimensional materials components}, "
            "journal={Phys. Rev. Materials}, volume={3}, pages={034003}, year={2019}, doi={10.1103/PhysRevMaterials.3.034003}}",
            "@article{togo_spglib, title={Spglib: a software library for crystal symmetry search}, journal={Sci. Technol. Adv. Mater. Meth.}, "
            "volume={4}, pages={2384822}, year={2024}, doi={10.1080/27660400.2024.2384822}}",
        ]
