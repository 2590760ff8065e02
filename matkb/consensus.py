"""One value per material and property, the same wherever matkb uses one: descriptors, the potential ladder.

A material often has several rows for a property (two papers, two methods). The value used is the median
of the rows at the best verification level present (geometric for conductivities, which span decades), so
two equally checked papers are averaged rather than one being picked by its source id (two classes cannot be
averaged: `matkb validate` flags such a tie, check `categorical_conflict`), and a recalled or
source-checked number never outvotes one read in its paper. At that level a measurement outvotes a calculation:
a PBE band gap is not averaged with an optical one. Conductivities are taken at room temperature
(15-35 degC) only: a value at 300 degC is not evidence about 25 degC. A row that states a range ("40 to 60 GPa",
"0.2 to 0.3 eV") enters as its midpoint (geometric for conductivities), not as its lower end, and its ends set the spread.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocab import verification_rank, verification_sql

#: the temperature window (degC) within which a conductivity counts as a room-temperature value
ROOM_TEMPERATURE_C = (15, 35)


def trust_level(verification: str, basis: str | None) -> int:
    """How the consensus ranks a row, 0 best: by verification level, and at one level a measurement before a
    calculation. Only rows at the best level present enter a material's value (:func:`trust_level_sql` in SQL)."""
    rank = verification_rank()
    return 2 * rank.get(verification, len(rank)) + int(basis == "computed")


def trust_level_sql() -> str:
    """:func:`trust_level` as a SQL expression over the columns ``verification`` and ``basis``."""
    return f"2 * {verification_sql()} + CAST(basis = 'computed' AS INTEGER)"


@dataclass(frozen=True)
class Consensus:
    value: float | None
    text: str | None
    n: int
    lo: float | None
    hi: float | None
    sources: str
    verification: str
    qualifier: str | None
    method: str | None
    basis: str

    @property
    def as_stored(self) -> bool:
        """One row with one number: the value is that row's, not a median or a range's midpoint."""
        return self.n == 1 and self.lo == self.hi

    def describe(self, unit: str = "") -> str | None:
        """The row's own method for one row as stored; for a range, its midpoint; for several, how many and their spread."""
        if self.as_stored or self.lo is None:
            return self.method
        if self.n == 1:
            return f"midpoint of the stated range {self.lo:g} to {self.hi:g}{unit}"
        kind = " computed" if self.basis == "computed" else ""
        return f"median of {self.n} {self.verification}{kind} values, {self.lo:g} to {self.hi:g}{unit}"


def consensus(con, material_ids: list[str] | None = None) -> dict[str, dict[str, Consensus]]:
    """{material id: {property: Consensus}} for the given materials (all when None)."""
    lo, hi = ROOM_TEMPERATURE_C
    where = "" if material_ids is None else "AND material_id IN (SELECT unnest(?::VARCHAR[]))"
    rows = con.execute(f"""
        WITH r AS (
            SELECT material_id, property, value_text, qualifier, method, basis, source_id, verification,
                   value AS low, coalesce(value_hi, value) AS high,
                   property LIKE '%conductivity' AS logscale,
                   CASE WHEN value_hi IS NULL THEN value WHEN logscale THEN sqrt(value * value_hi)
                        ELSE (value + value_hi) / 2 END AS mid,
                   CASE WHEN logscale AND mid > 0 THEN ln(mid) END AS ln_mid,
                   {trust_level_sql()} AS level
            FROM properties
            WHERE (property <> 'ionic_conductivity' OR (temperature_C BETWEEN {lo} AND {hi} AND value > 0)) {where}),
        top AS (SELECT *, min(level) OVER (PARTITION BY material_id, property) AS best_level FROM r)
        SELECT material_id, property,
               CASE WHEN bool_or(logscale) THEN exp(median(ln_mid)) ELSE median(mid) END,
               arg_min(value_text, source_id), count(*), min(low), max(high),
               string_agg(DISTINCT source_id, ', ' ORDER BY source_id), any_value(verification),
               arg_min(qualifier, source_id), arg_min(method, source_id), any_value(basis)
        FROM top WHERE level = best_level GROUP BY material_id, property""",
        [] if material_ids is None else [list(material_ids)]).fetchall()
    out: dict[str, dict[str, Consensus]] = {}
    for mid, prop, *fields in rows:
        out.setdefault(mid, {})[prop] = Consensus(*fields)
    return out
