"""The controlled vocabulary (``schemas/vocabulary.yaml``) and the record JSON Schema.

``vocabulary.yaml`` is the single definition of quantities, canonical units,
property names and closed lists. :func:`record_schema` fills the enums of
``record.schema.json`` from it, so both always agree.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from .paths import schemas_dir


@dataclass(frozen=True)
class Quantity:
    name: str
    unit: str
    min: float | None = None
    max: float | None = None
    min_exclusive: float | None = None

    def violation(self, value: float) -> str | None:
        """Return why ``value`` (in the canonical unit) is physically impossible, or None."""
        if value != value:  # NaN
            return "is not a number"
        if self.min_exclusive is not None and value <= self.min_exclusive:
            return f"must be > {self.min_exclusive:g} {self.unit}"
        if self.min is not None and value < self.min:
            return f"must be >= {self.min:g} {self.unit}"
        if self.max is not None and value > self.max:
            return f"must be <= {self.max:g} {self.unit}"
        return None


@cache
def vocabulary() -> dict[str, Any]:
    import yaml

    with open(schemas_dir() / "vocabulary.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def quantities() -> dict[str, Quantity]:
    return {name: Quantity(name=name, **spec) for name, spec in vocabulary()["quantities"].items()}


def reference_offset_V(reference: str) -> float:
    """The potential of a reference electrode vs Li/Li+ (``schemas/vocabulary.yaml``: reference_electrodes)."""
    return float(vocabulary()["reference_electrodes"][reference])


def metal_level_V(material_id: str) -> float | None:
    """A metal electrode's own level vs Li/Li+ when it is one of the reference electrodes (Li 0 V, Na +0.3 V), else None."""
    couple = f"{material_id}/{material_id}+"
    return reference_offset_V(couple) if couple in vocabulary()["reference_electrodes"] else None


def property_spec(name: str) -> dict[str, Any]:
    return vocabulary()["properties"][name]


@cache
def verification_rank() -> dict[str, int]:
    """Verification level -> rank, 0 for the best (the order of ``verification_levels``)."""
    return {level: i for i, level in enumerate(vocabulary()["verification_levels"])}


def value_levels() -> list[str]:
    """The levels a value (not a source) can carry, best first."""
    only_sources = set(vocabulary().get("source_only_levels", ()))
    return [v for v in verification_rank() if v not in only_sources]


def levels_at_least(level: str) -> tuple[str, ...]:
    """``level`` and every better level, best first (e.g. source-checked -> value-checked, source-checked)."""
    rank = verification_rank()
    return tuple(lv for lv, r in rank.items() if r <= rank[level])


def verification_sql(column: str = "verification") -> str:
    """A SQL expression ranking ``column`` by verification level (0 best; unknown levels last)."""
    whens = " ".join(f"WHEN '{lv}' THEN {r}" for lv, r in verification_rank().items())
    return f"CASE {column} {whens} ELSE {len(verification_rank())} END"


_ENUMS = {
    ("$defs", "verification"): "verification_levels",
    ("$defs", "source", "properties", "kind"): "source_kinds",
    ("$defs", "material", "properties", "class"): "material_classes",
    ("$defs", "material", "properties", "roles", "items"): "roles",
    ("$defs", "material", "properties", "working_ion"): "working_ions",
    ("$defs", "property", "properties", "property"): "properties",
    ("$defs", "property", "properties", "basis"): "bases",
    ("$defs", "cell", "properties", "type"): "cell_types",
    ("$defs", "cell", "properties", "working_ion"): "working_ions",
    ("$defs", "cycling_result", "properties", "test"): "tests",
    ("$defs", "cycling_result", "properties", "failure_mode"): "failure_modes",
    ("$defs", "redox_couple", "properties", "reference"): "reference_electrodes",
}


@cache
def _record_schema_json() -> str:
    with open(schemas_dir() / "record.schema.json", encoding="utf-8") as fh:
        schema = json.load(fh)
    vocab = vocabulary()
    for path, key in _ENUMS.items():
        node = schema
        for part in path:
            node = node[part]
        values = vocab[key]
        node["enum"] = list(values) if not isinstance(values, dict) else list(values.keys())
    return json.dumps(schema)


def record_schema() -> dict[str, Any]:
    """The record-file JSON Schema with every enum filled from the vocabulary."""
    return copy.deepcopy(json.loads(_record_schema_json()))
