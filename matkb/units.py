"""Quantities as papers write them: "~60 mV", ">800 h", "2 to 5 um", "~40 to 60 GPa", "1.12e-4 S/cm".

:func:`parse_quantity` splits qualifier, number(s) and unit and converts to the
canonical unit of a quantity kind from ``vocabulary.yaml`` with pint.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from .errors import UnitError
from .vocab import quantities

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_QTY = re.compile(
    rf"^\s*(?P<q>~|>=|<=|>|<|=)?\s*(?P<lo>{_NUM})(?:\s*to\s*(?P<hi>{_NUM}))?\s*(?P<unit>.*?)\s*$"
)
_UNIT_FIXES = (("μ", "u"), ("µ", "u"), ("·", "*"), ("Ω", "ohm"), ("°C", "degC"), ("℃", "degC"))


@dataclass(frozen=True)
class Value:
    """A parsed quantity in its canonical unit. ``hi`` is set for ranges only."""

    value: float
    qualifier: str = "="
    hi: float | None = None
    unit: str = ""

    @property
    def lo(self) -> float:
        return self.value


@cache
def _registry():
    import pint

    ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    return ureg


@cache
def _factor(unit_text: str, canonical: str) -> tuple[float, float]:
    """Return (scale, offset) so that canonical = scale * value + offset."""
    ureg = _registry()
    try:
        src = ureg.Unit(unit_text) if unit_text else ureg.dimensionless
        dst = ureg.Unit(canonical) if canonical != "dimensionless" else ureg.dimensionless
    except Exception as exc:  # pint raises several unrelated types for bad unit text
        raise UnitError(f"unknown unit {unit_text!r}") from exc
    try:
        zero = ureg.Quantity(0.0, src).to(dst).magnitude
        one = ureg.Quantity(1.0, src).to(dst).magnitude
    except Exception as exc:
        raise UnitError(f"unit {unit_text or '(none)'!r} cannot be converted to {canonical}") from exc
    return float(one - zero), float(zero)


def convert(value: float, unit_text: str, canonical: str) -> float:
    """``value`` in ``canonical`` units, to 12 significant digits: no number in a paper carries more, and the
    binary remainder of a conversion (473 K -> 199.85000000000002 degC) is not data."""
    scale, offset = _factor(unit_text, canonical)
    return float(f"{scale * value + offset:.12g}")


def parse_quantity(text: str | float | int, kind: str) -> Value:
    """Parse ``text`` and convert it to the canonical unit of quantity ``kind``.

    >>> parse_quantity("~60 mV", "overpotential")
    Value(value=60.0, qualifier='~', hi=None, unit='mV')
    >>> parse_quantity("1.12e-4 mS/cm", "conductivity").value
    1.12e-07

    Raises :class:`UnitError` for unparseable text, unknown or incompatible
    units, non-finite numbers and values outside the quantity's physical limits.
    """
    spec = quantities()[kind]
    if isinstance(text, bool):
        raise UnitError(f"expected a quantity in {spec.unit}, got a boolean")
    if isinstance(text, (int, float)):
        if spec.unit != "dimensionless":
            raise UnitError(f"a bare number needs a unit (canonical: {spec.unit})")
        qual, lo, hi, unit = "=", float(text), None, ""
    else:
        m = _QTY.match(str(text))
        if not m:
            raise UnitError(
                f"cannot read {text!r} as a quantity; write e.g. '1.2e-4 S/cm', '~60 mV', '>800 h' or '2 to 5 um'"
            )
        qual = m["q"] or "="
        lo = float(m["lo"])
        hi = float(m["hi"]) if m["hi"] is not None else None
        unit = m["unit"]
        for a, b in _UNIT_FIXES:
            unit = unit.replace(a, b)
        if unit in ("%",):
            unit = "percent"
        if hi is not None:
            if qual not in ("=", "~"):
                raise UnitError(f"{text!r}: a range cannot also carry the qualifier {qual!r} (only '~', for an approximate range)")
            qual = "~range" if qual == "~" else "range"
    if not math.isfinite(lo) or (hi is not None and not math.isfinite(hi)):
        raise UnitError(f"{text!r} is not a finite number")
    lo_c = convert(lo, unit, spec.unit)
    hi_c = convert(hi, unit, spec.unit) if hi is not None else None
    if hi_c is not None and hi_c < lo_c:
        raise UnitError(f"{text!r}: range upper bound is below its lower bound")
    for v in (lo_c, hi_c):
        if v is None:
            continue
        why = spec.violation(v)
        if why:
            raise UnitError(f"{text!r} is {v:g} {spec.unit}, which is impossible: {kind} {why}")
    return Value(value=lo_c, qualifier=qual, hi=hi_c, unit=spec.unit)
