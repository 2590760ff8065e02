"""The potential ladder of a cell stack and the founding study's electron-blocking criterion.

An interlayer protects a reducible electrolyte from Li metal when the
electrons it can hand over sit at a potential *above* the electrolyte's
reduction potential (vs Li/Li+): lithiated Prussian blue at ~3.07 V cannot
reduce Ti4+ in LATP (onset 2.34 V in the founding study, 2.65 V by titration;
their median 2.50 V is used), so the gap is about +0.6 V and electrons are
blocked. Li metal itself (0 V) always lies below and reduces LATP.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .consensus import consensus
from .featurizers.properties import CONDUCTION, conduction_of, electron_blocking, electron_level
from .stack import StackError, parse_stack, split_stack, summarize
from .vocab import vocabulary

CELL_TYPES = tuple(vocabulary()["cell_types"])



@dataclass
class Potential:
    property: str
    value_V: float
    qualifier: str
    source_id: str
    verification: str
    method: str | None
    n: int = 1  #: rows behind the value; more than one -> their median, and `method` gives the spread
    as_stored: bool = True  #: one row's own number; False for a median or a range's midpoint (`method` says which)


@dataclass
class LayerInfo:
    position: int
    token: str
    material_id: str
    name: str
    cls: str
    formula: str | None
    role: str
    side: str
    level: Potential | None = None
    reduction: Potential | None = None
    conduction_class: str | None = None
    band_gap_eV: float | None = None
    #: every stored row per property (and temperature), as written; several rows are listed with their count
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def insulating(self) -> bool:
        """An electronic insulator by its class or, lacking one, by its band gap: the pair descriptors' own rule
        (:func:`~matkb.featurizers.properties.electron_blocking` with no level to compare)."""
        nan = float("nan")
        cls = CONDUCTION.get(self.conduction_class, nan)
        return bool(electron_blocking(nan, cls, nan if self.band_gap_eV is None else self.band_gap_eV) == 1)


@dataclass
class Rung:
    """One interface between an anode-side layer and a reducible electrolyte."""

    layer: str
    electrolyte: str
    layer_potential_V: float | None
    electrolyte_reduction_V: float
    gap_V: float | None
    blocks: bool | None
    verdict: str


@dataclass
class StackReport:
    stack: str
    cell_type: str
    summary: dict
    layers: list[LayerInfo]
    ladder: list[Rung]

    def as_dict(self) -> dict:
        return asdict(self)


def _potential(prop: str, c) -> Potential:
    """A layer's potential from its consensus value: one row as stored, a range as its midpoint, several as their median."""
    qualifier = (c.qualifier or "=") if c.as_stored else "~"
    return Potential(prop, c.value, qualifier, c.sources, c.verification, c.describe(" V"), c.n, c.as_stored)


def describe_stack(store, stack: str, cell_type: str | None = None) -> StackReport:
    con = store.con
    mats = store.catalog().materials

    def resolve(token: str) -> str | None:
        try:
            return store.resolve_material(token)
        except Exception:
            return None

    parts = split_stack(stack)
    if cell_type is None:
        cell_type = "symmetric" if parts[0] == parts[-1] else "full"
    elif cell_type not in CELL_TYPES:
        raise StackError(f"cell type {cell_type!r} is not one of {', '.join(CELL_TYPES)}")
    elif cell_type == "symmetric" and parts[0] != parts[-1]:
        raise StackError(f"{stack!r} is not a symmetric cell: its ends differ ({'@'.join(parts[0])} and {'@'.join(parts[-1])})")
    layers = parse_stack(stack, resolve, lambda mid: mats[mid]["roles"], cell_type)
    agreed = consensus(con, [lay.material_id for lay in layers])
    infos: list[LayerInfo] = []
    for lay in layers:
        m = mats[lay.material_id]
        props = con.execute(
            "SELECT property, value, qualifier, source_id, verification, method, value_text, value_as_written, temperature_C "
            "FROM properties WHERE material_id = ? ORDER BY property, temperature_C NULLS FIRST, value, value_as_written, source_id",
            [lay.material_id],
        ).fetchall()
        info = LayerInfo(lay.position, lay.token, lay.material_id, m["name"], m["class"], m.get("formula"), lay.role, lay.side)
        known = {k: c for k, c in agreed.get(lay.material_id, {}).items() if c.value is not None}
        values = {k: (c.text if c.value is None else c.value) for k, c in agreed.get(lay.material_id, {}).items()}
        info.conduction_class = conduction_of({**values, "material_class": m["class"]})
        level = electron_level(values, lay.material_id, info.conduction_class)  # the pair descriptors' rule
        if level is not None and level[1] in known:
            info.level = _potential(level[1], known[level[1]])
        info.reduction = _potential("reduction_potential", known["reduction_potential"]) if "reduction_potential" in known else None
        info.band_gap_eV = known["band_gap"].value if "band_gap" in known else None
        rows: dict[str, list[str]] = {}
        for p in props:
            rows.setdefault(p[0] + (f" @ {p[8]:g} degC" if p[8] is not None else ""), []).append(p[7] or p[6] or "")
        for label, written in rows.items():
            distinct = list(dict.fromkeys(written))
            shown = "; ".join(distinct[:4]) + ("; ..." if len(distinct) > 4 else "")
            info.properties[label] = shown + (f" ({len(written)} rows)" if len(written) > 1 else "")
        if info.level is None and level is not None and level[1] != "metal":  # Li or Na metal: its own electrode level;
            own = level[0]  # Li defines the scale, another metal (Na) sits at its offset
            info.level = (Potential("redox_potential", own, "=", "definition", "value-checked", "reference electrode") if own == 0
                          else Potential("redox_potential", own, "~", "reference_electrodes", "value-checked",
                                         f"{lay.material_id}/{lay.material_id}+ on the Li/Li+ scale (schemas/vocabulary.yaml)"))
        infos.append(info)
    return StackReport(stack, cell_type, summarize(layers), infos, _ladder(infos))


def _ladder(infos: list[LayerInfo]) -> list[Rung]:
    rungs: list[Rung] = []
    seen: set[tuple[str, str]] = set()
    for i, info in enumerate(infos):
        if info.role != "electrolyte" or info.reduction is None or info.reduction.value_V <= 0:
            continue
        e_red = info.reduction.value_V
        where = f"{e_red:.2f} V" + ("" if info.reduction.as_stored else f" ({info.reduction.method})")
        for j in (i - 1, i + 1):
            if not (0 <= j < len(infos)):
                continue
            nb = infos[j]
            if (nb.material_id, info.material_id) in seen:
                continue  # a symmetric cell has the same interface on both faces
            seen.add((nb.material_id, info.material_id))
            if nb.insulating:  # it hands over no electrons, whatever level its own redox or reduction sits at
                why = ("insulating by its stored class or electronic conductivity" if nb.conduction_class
                       else f"band gap {nb.band_gap_eV:g} eV")
                rungs.append(Rung(nb.name, info.name, None, e_red, None, True,
                                  f"blocks electrons by insulation: {nb.name} is an electronic insulator ({why})"))
            elif nb.level is not None:
                gap = nb.level.value_V - e_red
                blocks = gap > 0
                if blocks:
                    verdict = (f"blocks electrons: {nb.name} at {nb.level.value_V:.2f} V lies {gap:+.2f} V above the "
                               f"reduction of {info.name} at {where}")
                else:
                    verdict = (f"does not block: {nb.name} at {nb.level.value_V:.2f} V lies {gap:+.2f} V below the "
                               f"reduction of {info.name} at {where}, so it can reduce it")
                rungs.append(Rung(nb.name, info.name, nb.level.value_V, e_red, gap, blocks, verdict))
            elif nb.conduction_class in ("metallic", "mixed_conducting"):  # no couple: the Fermi level of the Li it touches
                gap = 0.0 - e_red
                rungs.append(Rung(nb.name, info.name, 0.0, e_red, gap, gap > 0,
                                  f"does not block: {nb.name} conducts electrons and has no redox couple of its own, so it carries the "
                                  f"Li it touches at 0 V, {gap:+.2f} V below the reduction of {info.name} at {where}"))
            else:
                rungs.append(Rung(nb.name, info.name, None, e_red, None, None,
                                  f"unknown: no redox, lithiation or reduction potential of {nb.name} is stored"))
    return rungs


__all__ = ["describe_stack", "StackReport", "StackError"]
