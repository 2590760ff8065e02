"""Small pieces of chemistry used by validation and the store (pymatgen, imported lazily)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

FARADAY_MAH_PER_MOL = 96485.33212 / 3.6  # C/mol -> mAh/mol

#: formal charges of the simple anions, and of the elements that are anions only beside electropositive cations
#: (phosphide, carbide, hydride, ...); the redox descriptors and the capacity check share these tables
ANIONS = {"F": -1, "Cl": -1, "Br": -1, "I": -1, "O": -2, "S": -2, "Se": -2, "Te": -2, "N": -3}
SOFT_ANIONS = {"P": -3, "C": -4, "H": -1, "As": -3, "Sb": -3, "Si": -4, "B": -3}
#: what a cathode's anions take up in the capacity check: the simple anions, and P as phosphide once phosphate is claimed
_ANION_CHARGE = {el: -q for el, q in {**ANIONS, "P": SOFT_ANIONS["P"]}.items()}
#: polyatomic anions, claimed before the simple anions above: (central atom, partner, partners per centre, charge).
#: In FePO4 the P is phosphate, not phosphide, and in Prussian blue the C and N are cyanide, not carbide and nitride.
_POLYANIONS = (("P", "O", 4, 3), ("Si", "O", 4, 4), ("S", "O", 4, 2), ("B", "O", 3, 3), ("C", "O", 3, 2),
               ("C", "N", 1, 1))
#: the working ions (matkb's cells are Li or Na cells) that a charged intercalation cathode gives up
_WORKING_IONS = ("Li", "Na")


@lru_cache(maxsize=4096)
def composition(formula: str):
    """Parse a formula with pymatgen; raise ValueError with the reason."""
    from pymatgen.core import Composition, Element

    try:
        comp = Composition(formula)
    except Exception as exc:  # pymatgen raises ValueError/KeyError/CompositionError
        raise ValueError(f"pymatgen cannot parse formula {formula!r}: {exc}") from exc
    unknown = [str(el).rstrip("0+-") for el in comp if not isinstance(el, Element)]
    if unknown:  # pymatgen silently reads unknown symbols as dummy species
        raise ValueError(f"pymatgen cannot parse formula {formula!r}: unknown element(s) {', '.join(unknown)}")
    if comp.num_atoms <= 0:
        raise ValueError(f"formula {formula!r} has no atoms")
    return comp


@lru_cache(maxsize=8192)
def composition_key(formula: str) -> str:
    """A scale-free key for "same composition": element fractions to 4 decimals, elements sorted.
    ``Li1.3Al0.3Ti1.7(PO4)3`` and its unit-cell contents ``Li7.8Al1.8Ti10.2P18O72`` share one key,
    which pymatgen's ``reduced_formula`` cannot give them (it reduces integer amounts only)."""
    fractions = composition(formula).fractional_composition.get_el_amt_dict()
    return " ".join(f"{el}{amount:.4f}" for el, amount in sorted(fractions.items()))


@dataclass(frozen=True)
class TheoreticalCapacity:
    mAh_g: float
    electrons: float
    molar_mass: float
    rule: str

    def explain(self) -> str:
        return (
            f"{self.mAh_g:.1f} mAh/g ({self.rule}: {self.electrons:g} e- per formula unit, "
            f"M = {self.molar_mass:.2f} g/mol)"
        )


def theoretical_capacity(formula: str) -> TheoreticalCapacity | None:
    """Theoretical specific capacity of a cathode from its formula.

    Rule (stated in every warning that uses it):
    * an intercalation cathode that holds Li or Na gives up all of it,
      counted as written (the convention of quoted theoretical capacities): n = Li + Na per
      formula unit (LiFePO4: 1 e-, 169.9 mAh/g; Na3V2(PO4)3: 3 e-, 176.4 mAh/g,
      an upper bound above the 117.6 mAh/g of its 2-Na plateau);
    * an alkali-free conversion cathode is reduced to the metal, every anion ending
      as a Li (or Na) salt: n = total anion charge, a polyanion counted whole
      (FeF3 -> Fe + 3 LiF: 3 e-, 712.6 mAh/g; FePO4 -> Fe + Li3PO4: 3 e-).
    Returns None where neither rule applies (no alkali and no known anion).
    """
    comp = composition(formula)
    mass = comp.weight
    alkali = {el: comp[el] for el in _WORKING_IONS if comp[el] > 0}
    if alkali:
        n, rule = sum(alkali.values()), f"all {'+'.join(alkali)} extracted"
    else:
        n, rule = anion_charge(comp), "full conversion to the metal"
        if n <= 0:
            return None
    return TheoreticalCapacity(n * FARADAY_MAH_PER_MOL / float(mass), float(n), float(mass), rule)


def anion_charge(comp) -> float:
    """Total formal anion charge per formula unit of a pymatgen Composition: polyanions (phosphate, silicate,
    sulfate, borate, carbonate, cyanide) first, then the simple anions with what is left."""
    left = {el.symbol: float(amt) for el, amt in comp.items()}
    charge = 0.0
    for centre, partner, per, q in _POLYANIONS:
        groups = min(left.get(centre, 0.0), left.get(partner, 0.0) / per)
        if groups > 0:
            left[centre] -= groups
            left[partner] -= groups * per
            charge += q * groups
    return charge + sum(_ANION_CHARGE[el] * amt for el, amt in left.items() if el in _ANION_CHARGE and amt > 1e-9)


def arrhenius_activation_energy(temps_C, sigmas_S_cm) -> tuple[float, float | None]:
    """Activation energy (eV) from a least-squares fit of ln(sigma*T) against 1/T.

    Returns (Ea, standard error or None for two points).
    """
    import numpy as np

    k_B = 8.617333262e-5  # eV/K
    T = np.asarray(temps_C, float) + 273.15
    y = np.log(np.asarray(sigmas_S_cm, float) * T)
    x = 1.0 / T
    if len(T) < 2 or np.ptp(x) == 0:
        raise ValueError("need at least two distinct temperatures")
    A = np.vstack([x, np.ones_like(x)]).T
    coef, res, *_ = np.linalg.lstsq(A, y, rcond=None)
    slope = coef[0]
    se = None
    if len(T) > 2:
        resid = y - A @ coef
        s2 = float(resid @ resid) / (len(T) - 2)
        se = float(np.sqrt(s2 / np.sum((x - x.mean()) ** 2))) * k_B
    return float(-slope * k_B), se
