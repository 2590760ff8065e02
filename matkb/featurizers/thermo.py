"""Thermodynamic reactivity with lithium metal from experimental formation enthalpies.

The phase diagram of the compound's chemical system plus Li is built from
experimental formation enthalpies: the ~2,100 compounds pymatgen ships
(``analysis/compatibility/exp_compounds.json.gz``, eV per formula unit, 298 K) plus
curated ``formation_energy_per_atom`` values in ``datasets/`` (with sources).
The most favourable reaction with Li comes from pymatgen's ``InterfacialReactivity``
(the minimum, over mixing ratios, of the reaction energy per atom of the mixture).

Where the compound itself has no known formation enthalpy (LATP, most doped
NASICONs), every feature is NaN and :meth:`ThermoFeaturizer.explain` names the
missing phase: no guess. Phases missing from the data can only make a reaction look
*less* favourable than it is; ``n_li_phases`` says how many Li-containing phases the
system had.
"""

from __future__ import annotations

import gzip
import json
from functools import cache, lru_cache
from importlib import resources

import numpy as np

from .base import MatkbFeaturizer

FEATURES = {
    "formation_enthalpy_eV_atom": "eV/atom",
    "e_above_hull_eV_atom": "eV/atom",
    "reaction_energy_with_li_eV_atom": "eV/atom",
    "stable_with_li": "bool",
    "li_uptake_per_atom": "Li/atom",
    "n_li_phases": "",
}


@cache
def experimental_enthalpies() -> dict[str, tuple[float, str]]:
    """reduced formula -> (formation enthalpy eV/atom, where from)."""
    from pymatgen.core import Composition

    out: dict[str, tuple[float, str]] = {}
    ref = resources.files("pymatgen.analysis.compatibility").joinpath("exp_compounds.json.gz")
    with ref.open("rb") as fh:
        for rec in json.load(gzip.open(fh)):
            comp = Composition(rec["formula"])
            out.setdefault(comp.reduced_formula, (rec["exp energy"] / comp.num_atoms, "pymatgen exp_compounds (experimental, 298 K)"))
    out.update(_curated_enthalpies())
    return out


def _curated_enthalpies() -> dict[str, tuple[float, str]]:
    from ..paths import datasets_dir
    from ..records import compile_records

    compiled = compile_records([datasets_dir()])
    formulas = {m["material_id"]: m.get("reduced_formula") for m in compiled.rows["materials"]}
    return {
        formulas[p["material_id"]]: (p["value"], f"curated ({p['source_id']}, {p['verification']})")
        for p in compiled.rows["properties"]
        if p["property"] == "formation_energy_per_atom" and formulas.get(p["material_id"]) and p["value"] is not None
    }


@lru_cache(maxsize=4096)
def _phase_diagram(chemsys: tuple[str, ...]):
    from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
    from pymatgen.core import Composition

    elements = set(chemsys)
    entries = [PDEntry(Composition(el), 0.0) for el in chemsys]
    for formula, (h, _) in experimental_enthalpies().items():
        comp = Composition(formula)
        if {e.symbol for e in comp.elements} <= elements and len(comp.elements) > 1:
            entries.append(PDEntry(comp, h * comp.num_atoms, name=formula))
    return PhaseDiagram(entries)


@lru_cache(maxsize=100_000)
def reactivity(reduced_formula: str) -> dict:
    """Reaction of one compound with Li metal; all values NaN with a reason when not covered."""
    from pymatgen.analysis.interface_reactions import InterfacialReactivity
    from pymatgen.core import Composition

    comp = Composition(reduced_formula)
    nan = dict.fromkeys(FEATURES, np.nan)
    if reduced_formula == "Li":
        return {**nan, "reason": "lithium metal itself"}
    known = dict(experimental_enthalpies())
    if len(comp.elements) == 1:  # an element (metal interlayers): formation enthalpy 0 by definition; alloying with Li counts
        known[reduced_formula] = (0.0, "element, standard state")
    if reduced_formula not in known:
        return {**nan, "reason": f"missing phase: no experimental or curated formation enthalpy for {reduced_formula}"}
    chemsys = tuple(sorted({e.symbol for e in comp.elements} | {"Li"}))
    pd = _phase_diagram(chemsys)
    entry = next(e for e in pd.all_entries if e.composition.reduced_formula == reduced_formula)
    e_hull = pd.get_e_above_hull(entry)
    li_phases = sum(1 for e in pd.stable_entries if "Li" in {x.symbol for x in e.composition.elements} and len(e.composition.elements) > 1)
    if len(comp.elements) == 1 and li_phases == 0:
        return {**nan, "formation_enthalpy_eV_atom": 0.0, "n_li_phases": 0.0,
                "reason": f"missing phases: no Li-{reduced_formula} compound has a known formation enthalpy, "
                          f"so whether {reduced_formula} alloys with Li cannot be told"}
    ir = InterfacialReactivity(comp, Composition("Li"), pd, norm=True, use_hull_energy=True)
    x, e_min = ir.minimum
    e_min = min(0.0, float(e_min))
    stable = e_min > -1e-6
    # x is the mixing ratio of the compound (1 - x of Li) at the most negative reaction energy
    li_uptake = 0.0 if stable else float(1 - x) / max(float(x), 1e-12)
    products = "" if stable else str(ir._get_reaction(x))
    return {
        "formation_enthalpy_eV_atom": known[reduced_formula][0],
        "e_above_hull_eV_atom": float(e_hull),
        "reaction_energy_with_li_eV_atom": e_min,
        "stable_with_li": float(stable),
        "li_uptake_per_atom": li_uptake,
        "n_li_phases": float(li_phases),
        "reason": (f"stable against Li ({known[reduced_formula][1]})" if stable
                   else f"reacts: {products}, {e_min:.3f} eV/atom ({known[reduced_formula][1]})"),
    }


class ThermoFeaturizer(MatkbFeaturizer):
    """Formation enthalpy, hull distance and the most favourable reaction with Li metal."""

    FEATURE_UNITS = FEATURES

    def _compute(self, comps, index, items) -> np.ndarray:
        self.reasons_ = {}
        out = np.empty((len(comps), len(FEATURES)))
        for r, (j, c) in enumerate(zip(index, comps, strict=True)):
            res = reactivity(c.reduced_formula)
            self.reasons_[j] = res["reason"]
            out[r] = [res[k] for k in FEATURES]
        return out

    def explain(self, formula: str) -> str:
        from .base import parse_formula

        return reactivity(parse_formula(formula).reduced_formula)["reason"]

    def citations(self) -> list[str]:
        return [
            "@article{ong_2008, title={Li-Fe-P-O2 phase diagram from first principles calculations}, journal={Chem. Mater.}, "
            "volume={20}, pages={1798-1807}, year={2008}, doi={10.1021/cm702327g}}",
            "@article{richards_2016, title={Interface stability in solid-state batteries}, journal={Chem. Mater.}, "
            "volume={28}, pages={266-273}, year={2016}, doi={10.1021/acs.chemmater.5b04082}}",
        ]
