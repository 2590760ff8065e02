"""Science checks: values that are possible one by one but inconsistent with physics or each other.

Each check adds a *warning* (the record is stored but flagged) that quotes the
numbers it compared. Hard impossibilities (negative conductivity, CE above
100 %, temperatures below 0 K) are errors raised earlier, from the limits in
``schemas/vocabulary.yaml``.
"""

from __future__ import annotations

from collections import defaultdict

from .errors import Issue
from .records import CYCLING_FIELDS

#: an activation energy is flagged when it differs from the Arrhenius slope by more than this
ARRHENIUS_TOLERANCE_EV = 0.05
ARRHENIUS_TOLERANCE_REL = 0.15
#: plausible window of potentials vs Li/Li+
POTENTIAL_WINDOW_V = (0.0, 6.0)
#: relative mismatch allowed between lifetime and cycles x 2 x half-cycle time
LIFETIME_TOLERANCE = 0.25
CAPACITY_TIME_TOLERANCE = 0.10
#: percentage points between a stated capacity retention and retained / initial capacity
RETENTION_TOLERANCE_PP = 2.0
#: every cycling field holding a specific capacity (initial, retained, stated), with its column
_SPECIFIC_CAPACITIES = tuple((f, col) for f, (kind, col, _hi) in CYCLING_FIELDS.items() if kind == "specific_capacity")


def _flag(issues: list[Issue], row: dict, fld: str, value, msg: str, check: str, level: str = "warning") -> None:
    """Record a finding on ``row``'s field: a warning unless ``level`` says it is an error."""
    issues.append(Issue(level, row.get("origin", ""), row.get("_where", ""), fld, "" if value is None else str(value), msg, check))


def run_all(rows: dict[str, list[dict]], materials: dict[str, dict], issues: list[Issue]) -> None:
    check_capacity_above_theoretical(rows, materials, issues)
    check_arrhenius(rows, issues)
    check_potentials(rows, issues)
    check_cycling_consistency(rows, issues)
    check_cycling_above_ccd(rows, issues)
    check_categorical_agreement(rows, issues)


def theoretical_capacity_for(material_id: str, rows: dict[str, list[dict]], materials: dict[str, dict]):
    """(mAh/g, explanation) from a stored ``theoretical_capacity`` property, else from the formula."""
    from .chem import theoretical_capacity

    for p in rows.get("properties", []):
        if p["material_id"] == material_id and p["property"] == "theoretical_capacity" and p["value"] is not None:
            return p["value"], f"{p['value']:.1f} mAh/g (stored theoretical_capacity, source {p['source_id']})"
    formula = materials.get(material_id, {}).get("formula")
    if not formula:
        return None
    tc = theoretical_capacity(formula)
    if tc is None:
        return None
    return tc.mAh_g, f"{tc.explain()} for {formula}"


def check_capacity_above_theoretical(rows, materials, issues) -> None:
    cells = {c["cell_id"]: c for c in rows.get("cells", [])}
    cache: dict[str, object] = {}
    for r in rows.get("cycling_results", []):
        cell = cells.get(r["cell_id"])
        if not cell or cell["cell_type"] == "symmetric":
            continue
        cathode = cell["cathode_id"]
        if cathode not in cache:
            cache[cathode] = theoretical_capacity_for(cathode, rows, materials)
        tc = cache[cathode]
        if tc is None:
            continue
        limit, why = tc
        for fld, col in _SPECIFIC_CAPACITIES:
            v = r.get(col)
            if v is not None and v > limit:
                q = r.get(f"{fld}_qualifier") or "="
                shown = f"{'' if q == '=' else q}{v:g} mAh/g"
                _flag(issues, r, fld, shown,
                      f"{fld.replace('_', ' ')} {shown} exceeds the theoretical capacity of the cathode {cathode}: {why}",
                      "capacity_above_theoretical")


def check_arrhenius(rows, issues) -> None:
    from .chem import arrhenius_activation_energy

    sigma: dict[tuple, dict[float, float]] = defaultdict(dict)
    conditions: dict[tuple, set] = defaultdict(set)
    for p in rows.get("properties", []):
        if p["property"] == "ionic_conductivity" and p["temperature_C"] is not None and p["qualifier"] in ("=", "~"):
            key = (p["material_id"], p["source_id"], p.get("component") or "total")
            sigma[key][p["temperature_C"]] = p["value"]
            conditions[key].add(p.get("condition"))
    for key, conds in conditions.items():  # rows of other phases or samples (their conditions differ) share no slope
        if len(conds) > 1:
            del sigma[key]
    for p in rows.get("properties", []):
        if p["property"] != "activation_energy" or p["value"] is None or p["qualifier"] not in ("=", "~"):
            continue
        comp = p.get("component") or "total"
        if comp == "interface":
            continue
        points = sigma.get((p["material_id"], p["source_id"], comp))
        if not points or len(points) < 2:
            continue
        temps = sorted(points)
        ea_fit, se = arrhenius_activation_energy(temps, [points[t] for t in temps])
        tol = max(ARRHENIUS_TOLERANCE_EV, ARRHENIUS_TOLERANCE_REL * abs(p["value"]))
        if abs(ea_fit - p["value"]) > tol:
            pts = ", ".join(f"{points[t]:.3g} S/cm at {t:g} degC" for t in temps)
            se_txt = f" +/- {se:.3f}" if se else ""
            _flag(issues, p, "value", f"{p['value']:g} eV",
                  f"reported activation energy {p['value']:.3f} eV disagrees with the Arrhenius slope of ln(sigma*T) "
                  f"of the same source's conductivities ({pts}): {ea_fit:.3f}{se_txt} eV "
                  f"(tolerance {tol:.3f} eV)",
                  "arrhenius")


def check_potentials(rows, issues) -> None:
    lo, hi = POTENTIAL_WINDOW_V
    for p in rows.get("properties", []):
        if p["property"] in ("reduction_potential", "oxidation_potential", "redox_potential", "lithiation_potential"):
            for v in (p["value"], p.get("value_hi")):
                if v is not None and not (lo <= v <= hi):
                    _flag(issues, p, "value", f"{v:g} V",
                          f"{p['property']} {v:g} V vs Li/Li+ lies outside {lo:g}-{hi:g} V; check the reference electrode (SHE is -3.04 V vs Li/Li+)",
                          "potential_range")
                    break
    for c in rows.get("redox_couples", []):
        v = c["potential_V"]
        if not (lo <= v <= hi):
            _flag(issues, c, "potential", f"{v:g} V",
                  f"redox couple {c['element']}{c['from_state']}+/{c['to_state']}+ at {v:g} V vs Li/Li+ lies outside {lo:g}-{hi:g} V",
                  "potential_range")


def check_cycling_consistency(rows, issues) -> None:
    for r in rows.get("cycling_results", []):
        j, cap, half = r.get("current_density_mA_cm2"), r.get("areal_capacity_mAh_cm2"), r.get("half_cycle_h")
        if j and cap and half:
            expect = j * half
            if abs(cap - expect) > CAPACITY_TIME_TOLERANCE * expect:
                _flag(issues, r, "areal_capacity", f"{cap:g} mAh/cm2",
                      f"areal capacity {cap:g} mAh/cm2 is not current density x half-cycle time = {j:g} mA/cm2 x {half:g} h = {expect:g} mAh/cm2",
                      "capacity_time")
        if half is None and j and cap:
            half = cap / j
        life, cycles = r.get("lifetime_h"), r.get("cycles")
        if life and cycles and half and r["test"] == "galvanostatic":
            expect = cycles * 2 * half
            if abs(life - expect) > LIFETIME_TOLERANCE * expect:
                _flag(issues, r, "lifetime", f"{life:g} h",
                      f"lifetime {life:g} h does not match {cycles:g} cycles x 2 x {half:g} h half-cycle = {expect:g} h",
                      "lifetime_cycles")
        if r.get("lifetime_qualifier") in (">", ">=") and r.get("censored") is False:
            _flag(issues, r, "censored", "false",
                  f"lifetime is a lower bound ({r['lifetime_qualifier']}{life:g} h) but the row says the cell failed; a cell still running is censored",
                  "censoring")
        if r.get("lifetime_qualifier") in ("<", "<=") and r.get("censored"):  # not a source's slip: it cannot be
            _flag(issues, r, "censored", "true",
                  f"lifetime is an upper bound ({r['lifetime_qualifier']}{life:g} h): the cell failed before it, so it cannot "
                  "be censored (still running); write censored: false, or the lower bound ('>') the paper gives", "censoring",
                  level="error")
        if r.get("censored") and r.get("failure_mode") not in (None, "none_observed"):
            _flag(issues, r, "failure_mode", r["failure_mode"], "a censored cell (still running when the test stopped) cannot have a failure mode", "censoring")
        ini, ret = r.get("initial_capacity_mAh_g"), r.get("retained_capacity_mAh_g")
        if ini and ret and ret > 1.1 * ini:
            _flag(issues, r, "retained_capacity", f"{ret:g} mAh/g",
                  f"retained capacity {ret:g} mAh/g is more than 10 % above the initial {ini:g} mAh/g", "capacity_growth")
        pct = r.get("capacity_retention_pct")
        if (ini and ret and pct is not None and abs(100 * ret / ini - pct) > RETENTION_TOLERANCE_PP
                and all(r.get(f"{f}_qualifier") in (None, "=") for f in ("initial_capacity", "retained_capacity", "capacity_retention"))):
            _flag(issues, r, "capacity_retention", f"{pct:g} %",
                  f"capacity retention {pct:g} % disagrees with retained / initial capacity = {ret:g} / {ini:g} mAh/g = "
                  f"{100 * ret / ini:.1f} % (tolerance {RETENTION_TOLERANCE_PP:g} points); papers often count from a later "
                  "cycle, so say which in a note", "capacity_retention")


def check_cycling_above_ccd(rows, issues) -> None:
    """A cell that cycled (galvanostatic, with a lifetime) at a current density above its own critical current density.

    The critical current density is where that cell shorts; cycling above it for hours contradicts it unless the two
    tests ran at different temperatures (both stated and different: not compared) or the CCD was measured on another
    cell. Each result is compared with the CCD rows of the same cell."""
    cells = {c["cell_id"]: c for c in rows.get("cells", [])}

    def temperature(r: dict):  # a result's own, else its cell's
        return r.get("temperature_C") if r.get("temperature_C") is not None else cells.get(r["cell_id"], {}).get("temperature_C")

    ccds = defaultdict(list)
    for r in rows.get("cycling_results", []):
        if r["test"] == "critical_current_density" and r.get("current_density_mA_cm2") is not None:
            ccds[r["cell_id"]].append(r)
    for r in rows.get("cycling_results", []):
        j = r.get("current_density_mA_cm2")
        if r["test"] != "galvanostatic" or j is None or r.get("lifetime_h") is None:
            continue
        for c in ccds.get(r["cell_id"], []):
            t1, t2 = temperature(r), temperature(c)
            if j > c["current_density_mA_cm2"] and (t1 is None or t2 is None or t1 == t2):
                _flag(issues, r, "current_density", f"{j:g} mA/cm2",
                      f"the cell cycled for {r['lifetime_h']:g} h at {j:g} mA/cm2, above its own critical current density "
                      f"{c['current_density_mA_cm2']:g} mA/cm2 ({c.get('_where', 'another row')}); one of the two is "
                      "misread, or they were measured on different cells or at different temperatures (say so in a note)",
                      "above_ccd")
                break


def check_categorical_agreement(rows, issues) -> None:
    """Equally trusted rows that give a material two classes (e.g. `conduction_class`).

    The consensus (``matkb.consensus``) uses the rows at the best verification level, measurements before
    calculations; numbers there are averaged, but two different words cannot be, so one would win on its
    source id alone. The curator decides, and the warning names every row in the tie."""
    from .consensus import trust_level

    groups: dict[tuple, list[dict]] = defaultdict(list)
    for p in rows.get("properties", []):
        if p.get("value_text") is not None:
            groups[(p["material_id"], p["property"])].append(p)
    for (mid, prop), ps in groups.items():
        levels = [trust_level(p["verification"], p.get("basis")) for p in ps]
        top = sorted((p for p, lv in zip(ps, levels, strict=True) if lv == min(levels)), key=lambda p: p["source_id"])
        if len({p["value_text"] for p in top}) < 2:
            continue
        said = ", ".join(f"{p['value_text']} ({p['source_id']})" for p in top)
        _flag(issues, top[-1], "value", top[-1]["value_text"],
              f"{prop} of {mid} disagrees between equally trusted rows ({top[0]['verification']}, {top[0]['basis']}): {said}; "
              f"the consensus would take {top[0]['value_text']} by source id alone, so keep the class the evidence "
              "supports as the row and the other as an observation, or say in a note why both stand",
              "categorical_conflict")
