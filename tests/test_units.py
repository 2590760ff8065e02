import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matkb.errors import UnitError
from matkb.units import parse_quantity


@pytest.mark.parametrize(
    ("text", "kind", "value", "qualifier", "hi"),
    [
        ("1.12e-4 S/cm", "conductivity", 1.12e-4, "=", None),
        ("0.112 mS/cm", "conductivity", 1.12e-4, "=", None),
        ("~60 mV", "overpotential", 60.0, "~", None),
        ("0.06 V", "overpotential", 60.0, "=", None),
        (">800 h", "time", 800.0, ">", None),
        ("2 to 5 um", "length", 2.0, "range", 5.0),
        ("2 to 5 µm", "length", 2.0, "range", 5.0),
        ("~40 to 60 GPa", "modulus", 40.0, "~range", 60.0),
        ("30 °C", "temperature", 30.0, "=", None),
        ("303.15 K", "temperature", 30.0, "=", None),
        ("50 uA/cm^2", "current_density", 0.05, "=", None),
        ("0.5 A/m^2", "current_density", 0.05, "=", None),
        ("25 MPa", "pressure", 25.0, "=", None),
        ("145 mAh/g", "specific_capacity", 145.0, "=", None),
        (">92 %", "fraction_percent", 92.0, ">", None),
        ("1.30 to 1.58 MPa m^0.5", "fracture_toughness", 1.30, "range", 1.58),
        ("1100 kPa m^0.5", "fracture_toughness", 1.1, "=", None),
        ("90 N/mm^2", "pressure", 90.0, "=", None),
        (160, "count", 160.0, "=", None),
    ],
)
def test_converts_to_canonical_unit(text, kind, value, qualifier, hi):
    q = parse_quantity(text, kind)
    assert math.isclose(q.value, value, rel_tol=1e-9)
    assert q.qualifier == qualifier
    assert (q.hi is None) == (hi is None)
    if hi is not None:
        assert math.isclose(q.hi, hi)


@pytest.mark.parametrize(
    ("text", "kind", "fragment"),
    [
        ("-1e-4 S/cm", "conductivity", "must be > 0"),
        ("0 S/cm", "conductivity", "must be > 0"),
        ("-300 degC", "temperature", "must be >= -273.15"),
        ("-5 K", "temperature", "must be >= -273.15"),
        ("101 %", "fraction_percent", "must be <= 100"),
        ("1 V", "conductivity", "cannot be converted to S/cm"),
        ("1.1 MPa", "fracture_toughness", "cannot be converted to MPa*m^0.5"),
        ("3 blorps", "length", "unknown unit"),
        ("fast", "time", "cannot read 'fast'"),
        ("1e999 h", "time", "not a finite number"),
        ("5 to 2 um", "length", "upper bound is below"),
        (">2 to 5 um", "length", "a range cannot also carry"),
        (12, "time", "a bare number needs a unit"),
    ],
)
def test_rejects_impossible_or_unreadable(text, kind, fragment):
    with pytest.raises(UnitError) as exc:
        parse_quantity(text, kind)
    assert fragment in str(exc.value)


@given(st.text(max_size=40), st.sampled_from(["conductivity", "time", "temperature", "length", "count"]))
def test_any_text_gives_a_value_or_a_unit_error(text, kind):
    try:
        q = parse_quantity(text, kind)
    except UnitError:
        return
    assert math.isfinite(q.value)


@pytest.mark.parametrize(("text", "kind", "exact"), [("473 K", "temperature", 199.85), ("1.0 TPa", "modulus", 1000.0),
                                                      ("0.7 mm", "length", 700.0), ("15.3 mS/cm", "conductivity", 0.0153)])
def test_a_conversion_leaves_no_binary_remainder(text, kind, exact):
    """473 K is stored as 199.85 degC, not 199.85000000000002: the store's numbers print as the paper wrote them."""
    assert parse_quantity(text, kind).value == exact
