"""Small pieces of chemistry used by validation and the store (pymatgen, imported lazily)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

FARADAY_MAH_PER_MOL = 96485.33212 / 3.6  # C/mol -> mAh/mol

# Formal charges of common anions, for the conversion-capacity rule below.
_ANION_CHARGE = {"F": 1, "Cl": 1, "Br": 1, "I": 1, "O": 2, "S": 2, "Se": 2, "N": 3, "P": 3}


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
    * a lithiated intercalation cathode gives up all of its Li: n = Li per
      formula unit (LiFePO4: 1 e-, 169.9 mAh/g);
    * a Li-free conversion cathode is reduced to the metal, every anion ending
      as a Li salt: n = total anion charge (FeF3 -> Fe + 3 LiF: 3 e-, 712.6 mAh/g).
    Returns None where neither rule applies (no Li and no known anion).
    """
    comp = composition(formula)
    mass = comp.weight
    li = comp["Li"]
    if li > 0:
        n, rule = li, "all Li extracted"
    else:
        n = sum(_ANION_CHARGE[el.symbol] * amt for el, amt in comp.items() if el.symbol in _ANION_CHARGE)
        rule = "full conversion to the metal"
        if n <= 0:
            return None
    return TheoreticalCapacity(n * FARADAY_MAH_PER_MOL / float(mass), float(n), float(mass), rule)


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
