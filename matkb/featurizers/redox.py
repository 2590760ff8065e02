"""Redox descriptors that work for non-integer formulas (LATP, doped NASICONs).

pymatgen's ``oxi_state_guesses`` enumerates integer assignments and refuses
non-integer compositions (55 % of OBELiX, LATP among them). Here oxidation states
are *average* states found by charge balance, deterministic and fast:

1. anions take their usual state (F, Cl, Br, I -1; O, S, Se, Te -2; N -3); with O
   present, S/Se/Te/N are cations (sulfate, nitrate); with no such anion, the most
   electronegative of P, C, H, As, Sb, Si, B is the anion (Li3P, LiC6, LiH); a compound
   with no anion at all (metals, alloys) is all zero;
2. main-group and d0 cations keep one state (Li +1, Al +3, P +5, Zr +4, ...);
3. the other cations start at their highest common state and are lowered (highest
   electronegativity first, continuously, through their known states) or raised
   (lowest electronegativity first) until the charges balance.
A C:N = 1:1 pair without O is cyanide, (CN)- with C +2 and N -3.
This gives Ti +4 in LATP, Fe +2 in LiFePO4, Fe +2.57 and C +2 in Fe4[Fe(CN)6]3,
Mn +3.5 in LiMn2O4.

The reduction couple of each reducible cation comes from the curated
``redox_couples`` table (with sources): that of datasets/, or with ``db`` that of a
store (a citable copy holds only couples a reader can find again). A couple recorded
for this very composition wins, otherwise the median of that couple over all hosts. The estimated
reduction potential is the highest such couple: the first to be reduced as Li pulls the
potential down.
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np

from ..chem import ANIONS, SOFT_ANIONS
from ..vocab import verification_rank
from .base import MatkbFeaturizer

FIXED = {
    **dict.fromkeys(["H", "Li", "Na", "K", "Rb", "Cs", "Ag"], 1),
    **dict.fromkeys(["Be", "Mg", "Ca", "Sr", "Ba", "Zn", "Cd"], 2),
    **dict.fromkeys(["B", "Al", "Ga", "In", "Sc", "Y", "La", "Lu", "Gd", "Nd", "Sm", "Pr", "Bi"], 3),
    **dict.fromkeys(["Si", "Zr", "Hf", "Th"], 4),
    **dict.fromkeys(["P", "As", "Ta"], 5),
}

#: cations never counted as reducible: fixed-valence ions, and C (carbonate/cyanide carbon is not a redox centre here)
NOT_REDOX_CENTRES = (set(FIXED) - {"Ag"}) | {"C"}

FEATURES = {
    "li_atomic_fraction": "",
    "li_per_anion_charge": "",
    "mean_cation_state": "e",
    "max_cation_state": "e",
    "anion_charge_per_atom": "e",
    "charge_balanced": "bool",
    "mixed_valence": "bool",
    "reducible_cation_fraction": "",
    "reduction_potential_V": "V vs Li/Li+",
    "n_known_couples": "",
    "bond_valence_used": "bool",
}


@lru_cache(maxsize=200_000)
def oxidation_states(formula: str) -> tuple[dict[str, float], bool]:
    """Average oxidation state per element and whether the charges balance exactly."""
    from pymatgen.core import Composition, Element

    comp = Composition(formula).element_composition
    amounts = {el.symbol: float(a) for el, a in comp.items()}
    els = {s: Element(s) for s in amounts}
    present_hard = [s for s in amounts if s in ANIONS]
    if "O" in present_hard:
        present_hard = [s for s in present_hard if s in ("O", "F", "Cl", "Br", "I")]
    anions = set(present_hard)
    cyanide = "C" in amounts and "N" in amounts and "O" not in amounts and abs(amounts["C"] - amounts["N"]) < 1e-9
    if cyanide:  # Prussian-blue analogues: (C≡N)- is one anion, C +2 and N -3
        anions = {"N"} | (anions - {"N"})
    if not anions:
        soft = sorted((s for s in amounts if s in SOFT_ANIONS), key=lambda s: -(els[s].X or 0))
        if soft and len(amounts) > 1 and soft[0] == max(amounts, key=lambda s: els[s].X or 0):
            anions = {soft[0]}
    if not anions:
        return {s: 0.0 for s in amounts}, True
    states = {s: float(ANIONS.get(s, SOFT_ANIONS.get(s, -1))) for s in anions}
    if cyanide:
        states["C"] = 2.0
    q = -sum(states[s] * amounts[s] for s in anions) - (2.0 * amounts["C"] if cyanide else 0.0)
    variable: dict[str, list[int]] = {}
    commons: dict[str, list[int]] = {}
    for s in amounts:
        if s in anions or (cyanide and s == "C"):
            continue
        if s in FIXED:
            states[s] = float(FIXED[s])
            continue
        el = els[s]
        common = sorted(x for x in el.common_oxidation_states if x > 0) or sorted(x for x in el.oxidation_states if x > 0) or [0]
        allowed = sorted({*(x for x in el.oxidation_states if x > 0), *common})
        variable[s] = allowed
        commons[s] = common
        states[s] = float(min(common))  # the lowest common state; raised (or lowered) below until the charges balance
    total = sum(states[s] * amounts[s] for s in amounts if s not in anions and not (cyanide and s == "C"))
    excess = total - q
    # move one cation at a time, first only as far as its next common state (Mn 2 -> 4, Cr 6 -> 3), then as far as any
    # known state: raising, the cation at the lowest state first (ties: the less electronegative); lowering, the one at
    # the highest state first (ties: the more electronegative), so Ge4+ and Sn4+ stay beside Cr3+ and Mn4+
    raise_ = excess < -1e-9
    sign = 1.0 if raise_ else -1.0
    for bound in ("common", "known"):
        if abs(excess) <= 1e-9:
            break
        order = sorted(variable, key=lambda s: (sign * states[s], sign * (els[s].X or 0)))
        for s in order:
            if raise_:
                nxt = min((c for c in commons[s] if c > states[s] + 1e-9), default=states[s]) if bound == "common" else max(variable[s])
            else:
                nxt = max((c for c in commons[s] if c < states[s] - 1e-9), default=states[s]) if bound == "common" else min(variable[s])
            step = min(abs(nxt - states[s]) * amounts[s], abs(excess))
            if step > 0:
                states[s] += sign * step / amounts[s]
                excess += sign * step
            if abs(excess) <= 1e-9:
                break
    return states, abs(excess) <= 1e-6


def bond_valence_states(structure) -> dict[str, float] | None:
    """Average oxidation state per element from pymatgen's bond-valence analysis of an ordered structure.

    None when the structure is disordered or the analysis finds no charge-balanced assignment;
    the composition route is used then.
    """
    if structure is None or not structure.is_ordered:
        return None
    from pymatgen.analysis.bond_valence import BVAnalyzer

    try:
        valences = BVAnalyzer().get_valences(structure)
    except ValueError:
        return None
    sums: dict[str, list[float]] = {}
    for site, v in zip(structure, valences, strict=True):
        sums.setdefault(site.specie.symbol, []).append(float(v))
    return {s: float(np.mean(v)) for s, v in sums.items()}


@cache
def reference_couples() -> list[dict]:
    """The curated redox couples (element, from, to, potential, host formula, source), from datasets/."""
    from ..paths import datasets_dir
    from ..records import compile_records

    compiled = compile_records([datasets_dir()])
    formulas = {m["material_id"]: m.get("reduced_formula") for m in compiled.rows["materials"]}
    return [
        {**c, "host_formula": formulas.get(c["material_id"])}
        for c in compiled.rows["redox_couples"]
    ]


def store_couples(db) -> list[dict]:
    """The redox couples of the store ``db`` (a :class:`~matkb.store.Store` or a path), each with its host's
    reduced formula, as :func:`reference_couples` gives them for datasets/; read once per store."""
    from .properties import _cached

    def read(kb) -> list[dict]:
        cur = kb.con.execute("SELECT c.*, m.reduced_formula AS host_formula FROM redox_couples c "
                             "LEFT JOIN materials m USING (material_id) ORDER BY c.couple_key")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    return _cached("redox_couples", db, read)


def find_couple(element: str, from_state: int, reduced_formula: str | None, couples: list[dict]) -> tuple[float, str] | None:
    """(potential V, explanation) for reducing ``element`` from ``from_state``, or None when no source has it."""
    same = [c for c in couples if c["element"] == element and c["from_state"] == from_state]
    if not same:
        return None
    from ..chem import composition_key

    rank = verification_rank()
    key = composition_key(reduced_formula) if reduced_formula else None  # a CIF's unit-cell formula is the same host
    exact = sorted((c for c in same if key and c["host_formula"] and composition_key(c["host_formula"]) == key),
                   key=lambda c: (rank.get(c["verification"], len(rank)), c["source_id"]))
    if exact:  # a couple measured on this very composition; the best-verified one
        c = exact[0]
        return c["potential_V"], f"{element}{from_state}+/{c['to_state']}+ in {c['host']} ({c['source_id']})"
    v = float(np.median([c["potential_V"] for c in same]))
    srcs = ", ".join(sorted({c["source_id"] for c in same}))
    return v, f"{element}{from_state}+ reduction, median of {len(same)} host(s) ({srcs})"


class RedoxFeaturizer(MatkbFeaturizer):
    """Charge-balanced oxidation states, Li content, reducible cations and the reduction potential vs Li/Li+.

    ``reduction_potential_V`` is NaN when no curated couple covers the compound's
    reducible cations (the reason is in :meth:`explain`); a compound with no reducible
    cation (LiF, Li3N) also gives NaN there and ``reducible_cation_fraction`` = 0.
    ``db``: read the couples from this store (a Store or a path) instead of datasets/.
    """

    FEATURE_UNITS = FEATURES

    def __init__(self, on_error: str = "raise", db=None):
        self.on_error = on_error
        self.db = db

    def cacheable(self) -> bool:
        return self.db is None  # the couples of datasets/, not of a store

    def _couples(self) -> list[dict]:
        return reference_couples() if self.db is None else store_couples(self.db)

    def _row(self, comp, structure=None) -> list[float]:
        formula = comp.formula
        states, balanced = oxidation_states(formula)
        bv = bond_valence_states(structure) if structure is not None else None
        if bv is not None:
            states, balanced = bv, True
        amounts = {el.symbol: float(a) for el, a in comp.element_composition.items()}
        n = sum(amounts.values())
        cations = {s: v for s, v in states.items() if v > 0}
        anion_q = -sum(v * amounts[s] for s, v in states.items() if v < 0)
        cat_amt = sum(amounts[s] for s in cations)
        reducible, potentials = 0.0, []
        couples = self._couples()
        reduced = comp.reduced_formula
        for s, v in cations.items():
            if s in NOT_REDOX_CENTRES:
                continue
            reducible += amounts[s]
            hit = find_couple(s, int(np.ceil(v - 1e-6)), reduced, couples)
            if hit:
                potentials.append(hit[0])
        li = amounts.get("Li", 0.0)
        return [
            li / n,
            li / anion_q if anion_q else np.nan,
            sum(v * amounts[s] for s, v in cations.items()) / cat_amt if cat_amt else 0.0,
            max(cations.values(), default=0.0),
            anion_q / n,
            float(balanced),
            float(any(abs(v - round(v)) > 1e-6 for v in states.values())),
            reducible / cat_amt if cat_amt else 0.0,
            max(potentials) if potentials else np.nan,
            float(len(potentials)),
            float(bv is not None),
        ]

    def _compute(self, comps, index, items) -> np.ndarray:
        from .structure import load_structure

        rows = []
        for c, j in zip(comps, index, strict=True):
            try:
                structure = load_structure(items[j])
            except ValueError:
                structure = None
            rows.append(self._row(c, structure))
        return np.array(rows, dtype=float)

    def explain(self, formula: str) -> dict:
        """The oxidation states and the couples behind the features of one formula, with sources."""
        from .base import parse_formula

        comp = parse_formula(formula)
        states, balanced = oxidation_states(comp.formula)
        couples = []
        for s, v in states.items():
            if v > 0 and s not in NOT_REDOX_CENTRES:
                hit = find_couple(s, int(np.ceil(v - 1e-6)), comp.reduced_formula, self._couples())
                couples.append({"element": s, "state": v, "potential_V": hit[0] if hit else None,
                                "why": hit[1] if hit else f"no curated couple for {s}{int(np.ceil(v - 1e-6))}+ reduction"})
        return {"formula": formula, "oxidation_states": states, "charge_balanced": balanced, "couples": couples}

    def citations(self) -> list[str]:
        where = "matkb's datasets/" if self.db is None else "the store"
        return [f"the curated redox_couples table of {where} (each couple carries its own source)"]
