"""Descriptors looked up in the store for materials it knows, and the pair descriptors of an interface.

``properties``: for a material named as in the store (id, name or alias) or given by a
formula matching a stored material's reduced formula: shear modulus and the
Monroe-Newman ratio G/G_Li (G_Li from the store's Li record), log10 ionic conductivity near
room temperature (15-35 degC), log10 electronic conductivity, band gap, conduction class,
the layer's electron level (redox, else lithiation, else reduction potential, as in the
potential ladder) and its reduction potential. Unknown materials and missing values are NaN.
When several values exist, the best-verified one wins (then the smallest source id).

``pair``: for (interlayer, electrolyte) pairs, both sides' ``properties`` vectors (prefixed
``interlayer_`` and ``electrolyte_``) plus what only the pair has: the founding study's potential gap
(interlayer level minus electrolyte reduction potential; > 0 blocks electrons; an electronic
insulator, by stored class or a band gap of 3 eV or more, blocks too), whether
the interlayer is stable against Li and against the electrolyte (experimental
enthalpies; NaN where a phase is missing), and the volume-per-atom mismatch of their
stored structures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from ..consensus import consensus
from .base import MatkbFeaturizer, items_from_X, parse_formula

CONDUCTION = {"insulating": 0.0, "semiconducting": 1.0, "mixed_conducting": 2.0, "metallic": 3.0}
PROPERTY_FEATURES = {
    "known_material": "bool",
    "shear_modulus_GPa": "GPa",
    "g_over_g_li": "",
    "log10_ionic_conductivity_rt": "log10(S/cm)",
    "log10_electronic_conductivity": "log10(S/cm)",
    "band_gap_eV": "eV",
    "conduction_class": "0 insulating, 1 semiconducting, 2 mixed, 3 metallic",
    "electron_level_V": "V vs Li/Li+",
    "reduction_potential_V": "V vs Li/Li+",
}


_CACHE: dict[tuple[str, str], object] = {}


def _cached(kind: str, db, compute):
    """Read-once store lookups, keyed by store path. ``db``: a path, None (default store) or an open Store,
    whose connection is then reused (DuckDB allows one configuration per file and process)."""
    from ..api import resolve_db
    from ..store import Store

    if isinstance(db, Store):
        key = (kind, str(db.path.resolve()))
        if key not in _CACHE:
            _CACHE[key] = compute(db)
        return _CACHE[key]
    path, _ = resolve_db(db)
    key = (kind, str(path.resolve()))
    if key not in _CACHE:
        with Store(path, read_only=True) as kb:
            _CACHE[key] = compute(kb)
    return _CACHE[key]


_PAIRS: dict[tuple[str, str, str], list[float]] = {}
_PAIRS_MAX = 200_000


def _store_key(db) -> str:
    from ..api import resolve_db
    from ..store import Store

    return str((db.path if isinstance(db, Store) else resolve_db(db)[0]).resolve())


def clear_cache(store=None) -> None:
    """Forget what was read from stores (after an ingest into a store that is being featurized); ``store``: a path
    or Store to forget only that one (a temporary store about to be deleted)."""
    if store is not None:
        key = _store_key(store)
        for k in [k for k in _CACHE if k[1] == key]:
            del _CACHE[k]
        for k in [k for k in _PAIRS if k[0] == key]:
            del _PAIRS[k]
        return
    _CACHE.clear()
    _PAIRS.clear()
    _pair_reaction.cache_clear()


def _snapshot(db) -> tuple[Callable[[str], str | None], dict]:
    """(name -> material id, material id -> {property: best value}) from one store, read once. The name lookup is the
    store's own rule (:meth:`Store.material_resolver`), then a formula's reduced composition."""
    return _cached("snapshot", db, _read_snapshot)


def _read_snapshot(kb) -> tuple[Callable[[str], str | None], dict]:
    by_name = kb.material_resolver()
    by_formula: dict[str, str] = {}
    best: dict[str, dict] = {}
    for mid, reduced, cls in kb.con.execute(
            "SELECT material_id, reduced_formula, class FROM materials ORDER BY material_id").fetchall():
        if reduced:
            by_formula.setdefault(reduced, mid)
        best.setdefault(mid, {})["material_class"] = cls
    for mid, props in consensus(kb.con).items():
        for prop, c in props.items():
            best.setdefault(mid, {})["ionic_rt" if prop == "ionic_conductivity" else prop] = c.text if c.value is None else c.value

    def material_id(name: str) -> str | None:
        """The material id of an id, name or alias (the store's rule), else of a formula a stored material has."""
        mid = by_name(name)
        if mid is not None:
            return mid
        try:
            return by_formula.get(parse_formula(str(name).strip()).reduced_formula)
        except ValueError:
            return None

    return material_id, best


#: electronic conductivity (S/cm) from which a layer without a stored conduction class counts as a conductor, and up to
#: which as an insulator; in between (a 100 nm layer at 1e-6 S/cm still leaks 10 ohm cm2) it is left semiconducting
CONDUCTOR_S_CM = 1e-2
INSULATOR_S_CM = 1e-10
#: material classes whose members conduct electrons by definition (Si and Ge, filed as metals, have a stored class)
METALLIC_CLASSES = ("metal", "alloy", "lithium metal", "sodium metal")


def conduction_of(props: dict) -> str | None:
    """A layer's electronic character: its stored conduction class; else what its stored electronic conductivity says
    (:data:`CONDUCTOR_S_CM`, :data:`INSULATOR_S_CM`); else metallic for a metal or alloy; else None (the band gap then
    decides insulation, in :func:`electron_blocking`). ``props`` maps property -> consensus value (and
    ``material_class``), as the store's snapshot holds them."""
    if props.get("conduction_class") in CONDUCTION:
        return props["conduction_class"]
    sigma = props.get("electronic_conductivity")
    if isinstance(sigma, (int, float)) and sigma == sigma:
        return "metallic" if sigma >= CONDUCTOR_S_CM else "insulating" if sigma <= INSULATOR_S_CM else "semiconducting"
    return "metallic" if props.get("material_class") in METALLIC_CLASSES else None


def electron_level(props: dict, material_id: str, conduction: str | None) -> tuple[float, str] | None:
    """(potential vs Li/Li+, what it is) at which a layer hands electrons on, in the founding study's picture, or None.

    Its redox couple (lithiated Prussian blue at 3.07 V); else its lithiation (alloying) potential; else, for a layer
    that Li reduces (reduction potential above 0 V), that potential, where its reduced form holds electrons; else its
    own electrode level for Li or Na metal; else, for a conductor without a couple, the 0 V of the Li it touches. A
    layer stable against Li (reduction at 0 V) that does not conduct has no such level: its reduction potential says
    where it would take electrons, not where it gives them."""
    from ..vocab import metal_level_V

    for prop in ("redox_potential", "lithiation_potential"):
        if isinstance(props.get(prop), (int, float)):
            return float(props[prop]), prop
    red = props.get("reduction_potential")
    if isinstance(red, (int, float)) and red > 0:
        return float(red), "reduction_potential"
    own = metal_level_V(material_id)
    if own is not None:
        return own, "redox_potential"
    if conduction in ("metallic", "mixed_conducting"):
        return 0.0, "metal"
    return None


def material_features(name: str, db: str | None = None) -> dict[str, float]:
    material_id, best = _snapshot(db)
    out = dict.fromkeys(PROPERTY_FEATURES, math.nan)
    mid = material_id(str(name))
    out["known_material"] = float(mid is not None)
    if mid is None:
        return out
    p = best.get(mid, {})
    g_li = best.get("Li", {}).get("shear_modulus")
    g = p.get("shear_modulus")
    out["shear_modulus_GPa"] = g if g is not None else math.nan
    out["g_over_g_li"] = g / g_li if g is not None and g_li else math.nan
    out["log10_ionic_conductivity_rt"] = math.log10(p["ionic_rt"]) if p.get("ionic_rt") else math.nan
    out["log10_electronic_conductivity"] = math.log10(p["electronic_conductivity"]) if p.get("electronic_conductivity") else math.nan
    out["band_gap_eV"] = p.get("band_gap", math.nan)
    conduction = conduction_of(p)
    out["conduction_class"] = CONDUCTION.get(conduction, math.nan)
    level = electron_level(p, mid, conduction)
    out["electron_level_V"] = level[0] if level is not None else math.nan
    out["reduction_potential_V"] = p.get("reduction_potential", math.nan)
    return out


class StoreFeaturizer(MatkbFeaturizer):
    """A featurizer that reads the store ``db`` (a path or Store; None: the default store), so a feature cache,
    keyed by input and datasets/, must not keep its values."""

    def __init__(self, on_error: str = "raise", db: str | None = None):
        self.on_error = on_error
        self.db = db

    def cacheable(self) -> bool:
        return False


class PropertiesFeaturizer(StoreFeaturizer):
    """Stored properties of known materials (name, alias or formula); NaN for the unknown."""

    FEATURE_UNITS = PROPERTY_FEATURES

    def transform(self, X):
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "feature_names_out_")
        self.skipped_ = {}
        items = items_from_X(X)
        return np.array([list(material_features(str(i), self.db).values()) for i in items], dtype=float).reshape(len(items), -1)

    def citations(self) -> list[str]:
        return ["@article{monroe_2005, title={The Impact of Elastic Deformation on Deposition Kinetics at Lithium/Polymer Interfaces}, "
                "journal={J. Electrochem. Soc.}, volume={152}, pages={A396}, year={2005}, doi={10.1149/1.1850854}}"]


PAIR_FEATURES = {
    "potential_gap_V": "V",
    "blocks_electrons": "bool",
    "interlayer_stable_with_li": "bool",
    "interlayer_reaction_energy_with_li_eV_atom": "eV/atom",
    "pair_reaction_energy_eV_atom": "eV/atom",
    "pair_stable_in_contact": "bool",
    "volume_per_atom_mismatch": "",
}


def _pairs(X) -> list[tuple[str, str]]:
    import pandas as pd

    if isinstance(X, pd.DataFrame):
        if {"interlayer", "electrolyte"} <= set(X.columns):
            return list(zip(X["interlayer"].astype(str), X["electrolyte"].astype(str), strict=True))
        return [tuple(map(str, r)) for r in X.iloc[:, :2].itertuples(index=False)]
    return [(str(a), str(b)) for a, b in X]


#: a band gap at or above this counts as an electronic insulator when no conduction class is stored
INSULATOR_BAND_GAP_EV = 3.0


def electron_blocking(gap_V, conduction_class, band_gap_eV):
    """The founding study's verdict, vectorised: 1 if the interlayer blocks electrons (an electronic insulator by its
    conduction class or, lacking one, by a band gap of at least 3 eV; or its level lies above the electrolyte's
    reduction: gap > 0), 0 if not, NaN if neither is known."""
    gap, cls, bg = (np.asarray(v, dtype=float) for v in (gap_V, conduction_class, band_gap_eV))
    # a stated (or measured) electronic character outranks the band gap: ITO has a wide gap and conducts
    insulating = (cls == CONDUCTION["insulating"]) | (np.isnan(cls) & (bg >= INSULATOR_BAND_GAP_EV))
    return np.where(~np.isnan(gap) | insulating, (insulating | (gap > 0)).astype(float), np.nan)


class PairFeaturizer(StoreFeaturizer):
    """Interface descriptors of (interlayer, electrolyte) pairs; ``"none"`` as interlayer means bare Li contact."""

    FEATURE_UNITS = {**PAIR_FEATURES, **{f"{side}_{k}": u for side in ("interlayer", "electrolyte") for k, u in PROPERTY_FEATURES.items()}}

    def transform(self, X):
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "feature_names_out_")
        self.skipped_ = {}
        n = len(self.feature_names_out_)
        store = _store_key(self.db)
        rows = []
        for il, el in _pairs(X):
            key = (store, il, el)
            if key not in _PAIRS:  # a pair is described once per store and process (rank streams repeat them)
                if len(_PAIRS) >= _PAIRS_MAX:
                    _PAIRS.clear()
                _PAIRS[key] = list(self.describe(il, el).values())
            rows.append(_PAIRS[key])
        return np.array(rows, dtype=float).reshape(-1, n)

    def describe(self, interlayer: str, electrolyte: str) -> dict[str, float]:
        from .thermo import reactivity

        bare = interlayer.strip().lower() in ("none", "", "li", "bare")
        il = material_features("Li" if bare else interlayer, self.db)
        el = material_features(electrolyte, self.db)
        if math.isnan(el["reduction_potential_V"]):  # a formula typed in: its stored neighbour, else the couples
            formula = formula_of(electrolyte, self.db)
            if formula:
                near = nearest_reduction_potential(formula, self.db)
                el = {**el, "reduction_potential_V": near[1] if near else _reduction_potential_of(formula, self.db)}
        e_red = el["reduction_potential_V"]
        out = dict.fromkeys(PAIR_FEATURES, math.nan)
        gap = il["electron_level_V"] - e_red
        out["potential_gap_V"] = gap
        # as in the potential ladder: a level above the electrolyte's reduction, or an electronic insulator, blocks
        out["blocks_electrons"] = float(electron_blocking(gap, il["conduction_class"], il["band_gap_eV"]))
        il_formula = "Li" if bare else formula_of(interlayer, self.db)
        el_formula = formula_of(electrolyte, self.db)
        if il_formula and not bare:
            r = reactivity(parse_formula(il_formula).reduced_formula)
            out["interlayer_stable_with_li"] = r["stable_with_li"]
            out["interlayer_reaction_energy_with_li_eV_atom"] = r["reaction_energy_with_li_eV_atom"]
        if il_formula and el_formula:
            out["pair_reaction_energy_eV_atom"], out["pair_stable_in_contact"] = _pair_reaction(il_formula, el_formula)
        out["volume_per_atom_mismatch"] = _volume_mismatch(interlayer, electrolyte, self.db)
        out.update({f"interlayer_{k}": v for k, v in il.items()})
        out.update({f"electrolyte_{k}": v for k, v in el.items()})
        return out


#: how far (sum of element-fraction differences) a stored composition may lie from a typed one and still lend it its
#: measured reduction onset: Li1.4Al0.4Ti1.6(PO4)3 is 0.02 from LATP; LiTi2(PO4)3, with no Al, never qualifies
NEAR_COMPOSITION = 0.05


def nearest_reduction_potential(formula: str, db) -> tuple[str, float] | None:
    """(material id, reduction potential V) of the stored material of the same elements whose composition lies closest
    to ``formula`` (within :data:`NEAR_COMPOSITION`), using its stored consensus, or None.

    A typed Li1.4Al0.4Ge1.6(PO4)3 then takes LAGP's measured onset (1.85 V), as `--electrolyte LAGP` does, instead of
    the median of the Ge4+ couples (one DFT value, 2.70 V)."""
    from ..chem import composition

    try:
        target = composition(formula).fractional_composition
    except ValueError:
        return None
    elements = {e.symbol for e in target.elements}
    near = [(sum(abs(frac[e] - target[e]) for e in frac), mid) for mid, frac in _reducible_compositions(db)
            if set(frac) == elements]
    near = [dm for dm in near if dm[0] <= NEAR_COMPOSITION]
    if not near:
        return None
    mid = min(near)[1]  # the closest; ties: the first id
    _, props = _snapshot(db)
    return mid, props[mid]["reduction_potential"]


def _reducible_compositions(db) -> list[tuple[str, dict[str, float]]]:
    """(material id, element fractions) of the stored materials with a reduction potential and a formula."""
    def read(kb):
        from ..chem import composition

        _, props = _snapshot(kb)
        out = []
        for mid, formula in stored_formulas(kb).items():
            if isinstance(props.get(mid, {}).get("reduction_potential"), (int, float)):
                try:
                    frac = composition(formula).fractional_composition
                except ValueError:
                    continue
                out.append((mid, {e.symbol: float(frac[e]) for e in frac.elements}))
        return sorted(out)

    return _cached("reducible", db, read)


def _reduction_potential_of(formula: str, db) -> float:
    """The curated-couple reduction potential (V vs Li/Li+) of a formula, from the couples of the store ``db``
    (those of a citable copy are citable); NaN when no couple covers it."""
    key = _store_key(db)
    memo = _CACHE.setdefault(("reduction_potential", key), {})
    if formula not in memo:
        from .redox import RedoxFeaturizer

        redox = RedoxFeaturizer(db=key if db is None else db).fit()
        memo[formula] = float(redox.transform([formula])[0, list(redox.get_feature_names_out()).index("reduction_potential_V")])
    return memo[formula]


def formula_of(name: str, db) -> str | None:
    """The formula of a material the store ``db`` knows (id, name, alias or formula), else ``name`` itself when it is a
    formula; None for a formula-less material (a polymer) or a name nothing knows."""
    material_id, _ = _snapshot(db)
    mid = material_id(name)
    if mid is None:
        try:
            parse_formula(name)
            return name
        except ValueError:
            return None
    return stored_formulas(db).get(mid)


def stored_formulas(db) -> dict[str, str]:
    """material id -> formula of every stored material that has one (read once per store)."""
    return _cached("formulas", db, lambda kb: dict(
        kb.con.execute("SELECT material_id, formula FROM materials WHERE formula IS NOT NULL").fetchall()))


def _volumes(db) -> dict[str, float]:
    """material id -> volume per atom of its stored structure."""
    def read(kb):
        import warnings

        from pymatgen.core import Structure

        out = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for mid, cif in kb.con.execute("SELECT material_id, cif FROM structures").fetchall():
                s = Structure.from_str(cif, fmt="cif")
                out.setdefault(mid, s.volume / s.composition.num_atoms)
        return out

    return _cached("volumes", db, read)


def _volume_mismatch(a: str, b: str, db) -> float:
    material_id, _ = _snapshot(db)
    va, vb = (_volumes(db).get(material_id(x) or "") for x in (a, b))
    return abs(va - vb) / vb if va and vb else math.nan


@lru_cache(maxsize=10_000)
def _pair_reaction(f1: str, f2: str) -> tuple[float, float]:
    """Most negative reaction energy (eV/atom) of two phases in contact; NaN if either enthalpy is unknown."""
    from pymatgen.analysis.interface_reactions import InterfacialReactivity

    from .thermo import _phase_diagram, experimental_enthalpies

    c1, c2 = parse_formula(f1), parse_formula(f2)
    known = experimental_enthalpies()
    for c in (c1, c2):
        if len(c.elements) > 1 and c.reduced_formula not in known:
            return math.nan, math.nan
    chemsys = tuple(sorted({e.symbol for e in c1.elements} | {e.symbol for e in c2.elements}))
    pd = _phase_diagram(chemsys)
    e = min(0.0, float(InterfacialReactivity(c1, c2, pd, norm=True, use_hull_energy=True).minimum[1]))
    return e, float(e > -1e-6)
