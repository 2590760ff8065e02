"""Record files (``datasets/**/*.yaml``): load with line numbers, check, turn into table rows.

:func:`compile_records` is the single path from files to rows: schema check
(JSON Schema from ``schemas/``), unit conversion, cross-references, stack
parsing and the science checks of :mod:`matkb.checks`. It never touches a store;
:meth:`matkb.store.Store.ingest` writes what it returns, all or nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Issue, UnitError
from .stack import StackError, parse_stack, summarize
from .vocab import levels_at_least, property_spec, record_schema, value_levels

RECORD_SUFFIXES = (".yaml", ".yml", ".json")
SECTIONS = ("sources", "materials", "properties", "redox_couples", "structures", "cells", "cycling_results", "observations")

# cycling_results: record field -> (quantity kind, column, column for a range's upper end or None)
CYCLING_FIELDS: dict[str, tuple[str, str, str | None]] = {
    "current_density": ("current_density", "current_density_mA_cm2", "current_density_max_mA_cm2"),
    "areal_capacity": ("areal_capacity", "areal_capacity_mAh_cm2", None),
    "half_cycle_time": ("time", "half_cycle_h", None),
    "temperature": ("temperature", "temperature_C", None),
    "pressure": ("pressure", "pressure_MPa", None),
    "lifetime": ("time", "lifetime_h", None),
    "overpotential": ("overpotential", "overpotential_mV", "overpotential_max_mV"),
    "rate": ("rate", "c_rate", None),
    "initial_capacity": ("specific_capacity", "initial_capacity_mAh_g", None),
    "retained_capacity": ("specific_capacity", "retained_capacity_mAh_g", None),
    "stated_capacity": ("specific_capacity", "stated_capacity_mAh_g", None),
    "capacity_retention": ("retention_percent", "capacity_retention_pct", None),
    "cycles": ("count", "cycles", None),
    "coulombic_efficiency": ("fraction_percent", "coulombic_efficiency_pct", None),
}
#: the test conditions among CYCLING_FIELDS; every other field is a measured outcome
CYCLING_CONDITIONS = frozenset({"current_density", "areal_capacity", "half_cycle_time", "temperature", "pressure", "rate"})
#: fields added after schema 5: they enter a generated result id only when set, so existing ids do not move
_KEYED_WHEN_SET = frozenset({"stated_capacity"})


# --------------------------------------------------------------------------- loading
class _LineDict(dict):
    line: int = 0


def _yaml_loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_map(loader, node):
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first at line {seen[key]})", key_node.start_mark
                )
            seen[key] = key_node.start_mark.line + 1
        d = _LineDict(loader.construct_mapping(node, deep=True))
        d.line = node.start_mark.line + 1
        return d

    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    # keep dates and timestamps as strings: a record file has no use for them as objects
    Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return Loader


def display_path(path: Path) -> str:
    """The path as the user would type it: relative below the working folder, else absolute."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(Path(path).resolve()) if rel.startswith("..") else rel


def discover(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Expand files and folders into record files, sorted, without duplicates."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.suffix in RECORD_SUFFIXES and q.is_file()))
        elif p.is_file():
            out.append(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    seen, unique = set(), []
    for p in out:
        r = p.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(p)
    return unique


def load_file(path: Path) -> tuple[dict | None, list[Issue]]:
    import yaml

    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Issue("error", name, "file", "", "", f"cannot read file: {exc}", "read")]
    try:
        data = yaml.load(text, Loader=_yaml_loader())  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        msg = getattr(exc, "problem", None) or str(exc)
        return None, [Issue("error", name, where, "", "", f"not valid YAML/JSON: {msg}", "syntax")]
    if not isinstance(data, dict):
        return None, [Issue("error", name, "file", "", "", "a record file must be a mapping with `format: matkb-record/1`", "schema")]
    return data, []


# --------------------------------------------------------------------------- helpers
def stable_key(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha1(blob.encode(), usedforsecurity=False).hexdigest()[:16]


@dataclass
class Catalog:
    """What the records may refer to: materials and sources already in a store."""

    materials: dict[str, dict] = field(default_factory=dict)  # id -> {roles, aliases, formula, class, name}
    sources: dict[str, dict] = field(default_factory=dict)


@dataclass
class Compiled:
    rows: dict[str, list[dict]]
    issues: list[Issue]
    files: list[str]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]


class _Ctx:
    """Per-file context: issue reporting with file and line."""

    def __init__(self, file: str, issues: list[Issue]):
        self.file = file
        self.issues = issues

    def where(self, section: str, index: int, rec: Any) -> str:
        line = getattr(rec, "line", 0)
        return f"{section}[{index}]" + (f" (line {line})" if line else "")

    def error(self, where: str, fld: str, value: Any, msg: str, check: str = "record") -> None:
        self.issues.append(Issue("error", self.file, where, fld, _show(value), msg, check))

    def warn(self, where: str, fld: str, value: Any, msg: str, check: str) -> None:
        self.issues.append(Issue("warning", self.file, where, fld, _show(value), msg, check))


def _show(value: Any) -> str:
    if value is None:
        return ""
    s = value if isinstance(value, str) else json.dumps(value, default=str)
    return s if len(s) <= 80 else s[:77] + "..."


# --------------------------------------------------------------------------- schema
def _schema_validator():
    import jsonschema

    return jsonschema.Draft202012Validator(record_schema(), format_checker=jsonschema.FormatChecker())


def _schema_issues(ctx: _Ctx, data: dict, validator) -> None:
    for err in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        if err.validator == "unevaluatedProperties" and set(_UNEXPECTED.findall(err.message)) <= set(_allowed_fields(err.schema)):
            continue  # allowed fields called "unexpected" because a sibling failed: that failure is reported on its own
        path = list(err.absolute_path)
        # find the innermost record (a mapping inside a section list) for the line number
        node, where, fld = data, "file", ""
        if path and path[0] in SECTIONS and len(path) >= 2 and isinstance(path[1], int):
            section, idx = path[0], path[1]
            node = data[section][idx]
            where = ctx.where(section, idx, node)
            fld = ".".join(str(p) for p in path[2:])
        elif path:
            fld = ".".join(str(p) for p in path)
        message = err.message
        if err.validator in ("oneOf", "anyOf") and err.context:
            best = min(err.context, key=lambda e: len(e.message))
            message = best.message
            if isinstance(err.instance, dict):  # a record that must satisfy one of several rules: say what each asks
                message = "satisfies none of the alternatives: " + "; or ".join(
                    f"{'.'.join(map(str, e.relative_path))}: {e.message}" if e.relative_path else e.message for e in err.context)
            if isinstance(err.instance, str) and any(e.validator == "pattern" for e in err.context):  # a quantity as text
                message = (f"cannot read {err.instance!r} as a quantity: write a number, its unit and an optional qualifier "
                           "(~ < <= > >=), e.g. '>800 h' for 'over 800 h', '~60 mV' for 'about 60 mV', or a range '2 to 5 um'")
        if err.validator == "enum":
            allowed = ", ".join(map(str, err.validator_value))
            message = f"not one of the allowed values: {allowed}"
        if err.validator in ("additionalProperties", "unevaluatedProperties"):
            message = message + f" (allowed fields: {', '.join(_allowed_fields(err.schema))})"
        ctx.error(where, fld, err.instance if not isinstance(err.instance, dict) else None, message, "schema")


#: the field names in jsonschema's "Unevaluated properties are not allowed ('a', 'b' were unexpected)"
_UNEXPECTED = re.compile(r"'([^']+)'")


def _allowed_fields(schema: dict) -> list[str]:
    names = list(schema.get("properties", {}))
    for sub in schema.get("allOf", []):
        ref = sub.get("$ref", "")
        if ref.endswith("/provenance"):
            names += ["source", "location", "verification", "checked_url", "note"]
    return names


# --------------------------------------------------------------------------- compile
def compile_records(paths: Iterable[str | os.PathLike], catalog: Catalog | None = None) -> Compiled:
    """Load, check and convert record files into table rows.

    Every problem becomes an :class:`~matkb.errors.Issue` naming file, record
    (with line), field, value and reason. Rows are produced for every file, but
    callers must not write them when :attr:`Compiled.errors` is non-empty.
    """
    from . import checks

    catalog = catalog or Catalog()
    issues: list[Issue] = []
    files = discover(paths)
    loaded = _load_checked(files, issues)
    rows: dict[str, list[dict]] = {t: [] for t in TABLE_KEYS}
    materials, sources = _definitions(loaded, catalog, rows)

    alias_index = _alias_index(materials)

    # pass 2: everything that refers to sources and materials
    for path, ctx, data in loaded:
        file_sources = [s["id"] for s in data.get("sources", [])]
        comp = _FileCompiler(path, ctx, data, materials, sources, alias_index, file_sources, rows)
        comp.run()

    _check_duplicates(rows, issues)
    _check_uncited_sources(rows, issues)
    checks.run_all(rows, materials, issues)
    return Compiled(rows=rows, issues=issues, files=[display_path(p) for p in files])


def _load_checked(files: list[Path], issues: list[Issue]) -> list[tuple[Path, _Ctx, dict]]:
    """Read and schema-check files; a file that fails its schema is not interpreted further."""
    validator = _schema_validator()
    loaded = []
    for path in files:
        ctx = _Ctx(display_path(path), issues)
        data, errs = load_file(path)
        issues.extend(errs)
        if data is None:
            continue
        n_before = len(issues)
        _schema_issues(ctx, data, validator)
        if len(issues) == n_before:
            loaded.append((path, ctx, data))
    return loaded


def _definitions(loaded, catalog: Catalog, rows: dict[str, list[dict]]) -> tuple[dict, dict]:
    """Pass 1: sources and materials, so that any file may refer to any other's."""
    materials = {k: dict(v) for k, v in catalog.materials.items()}
    sources = {k: dict(v) for k, v in catalog.sources.items()}
    defined_at: dict[tuple[str, str], str] = {}
    doi_owner = {v["doi"]: (k, "the store") for k, v in sources.items() if v.get("doi")}
    for _path, ctx, data in loaded:
        for i, rec in enumerate(data.get("sources", [])):
            where = ctx.where("sources", i, rec)
            _check_citation(ctx, where, rec)
            row = _source_row(rec, ctx.file)
            _check_one_source_per_doi(ctx, where, row, doi_owner)
            _define(ctx, where, "source", rec["id"], row, sources, defined_at, rows["sources"])
        for i, rec in enumerate(data.get("materials", [])):
            where = ctx.where("materials", i, rec)
            row = _material_row(ctx, where, rec)
            if row is not None:
                _define(ctx, where, "material", rec["id"], row, materials, defined_at, rows["materials"])
    for _path, ctx, data in loaded:  # an alias that is another material's id would make two ids for one material
        for i, rec in enumerate(data.get("materials", [])):
            for alias in rec.get("aliases") or []:
                if alias != rec["id"] and alias in materials:
                    ctx.error(ctx.where("materials", i, rec), "aliases", alias,
                              f"{alias!r} is the id of another material; use that id instead of defining {rec['id']!r} again",
                              "duplicate")
    return materials, sources


def definitions_catalog(paths: Iterable[str | os.PathLike]) -> Catalog:
    """Materials and sources defined in record files (errors ignored): what other files may refer to."""
    issues: list[Issue] = []
    loaded = _load_checked(discover(paths), issues)
    materials, sources = _definitions(loaded, Catalog(), {t: [] for t in TABLE_KEYS})
    return Catalog(materials=materials, sources=sources)


TABLE_KEYS = {
    "sources": "source_id",
    "materials": "material_id",
    "properties": "property_key",
    "redox_couples": "couple_key",
    "structures": "structure_key",
    "cells": "cell_id",
    "cell_layers": "layer_key",
    "cycling_results": "result_id",
    "observations": "observation_key",
}


def _define(ctx, where, kind, key, row, registry, defined_at, out) -> None:
    """Register a source/material; a second, different definition is an error."""
    previous = registry.get(key)
    origin = defined_at.get((kind, key))
    row["_where"] = where
    if origin is not None:
        prev_cmp = {k: v for k, v in previous.items() if k != "origin" and not k.startswith("_")}
        new_cmp = {k: v for k, v in row.items() if k != "origin" and not k.startswith("_")}
        if prev_cmp != new_cmp:
            ctx.error(where, "id", key, f"{kind} {key!r} is already defined differently at {origin}", "duplicate")
        return
    defined_at[(kind, key)] = f"{ctx.file}: {where}"
    registry[key] = row
    out.append(row)


#: journal articles, which have a year and a DOI; meeting abstracts, preprints and theses have a year
_JOURNAL_KINDS = ("experimental", "computational", "review")
_DATED_KINDS = (*_JOURNAL_KINDS, "conference", "preprint", "thesis")
_UNDATED_KINDS = ("web", "dataset")


#: how a record marks a title that stands in for one nobody saw: "(descriptive; ...)", "(published title not confirmed)"
_UNSEEN_TITLE = re.compile(r"\((?:descriptive\b|[^()]*\btitle\b[^()]*\bnot (?:seen|confirmed))[^()]*\)", re.I)


#: words in a `method` that mean the value was calculated, not measured
_COMPUTED_METHOD = re.compile(
    r"\b(?:DFT|AIMD|NEB|GW|QSGW|HSE\w*|PBE\w*|LDA|first[- ]principles?|ab initio|molecular dynamics|kinetic Monte Carlo|"
    r"atomistic simulation|simulat\w*|comput\w*|calculat\w*|predict\w*)\b", re.I)


def citable(doi: str | None, title: str, year: int | None, kind: str,
            journal: str | None, volume: str | None, pages: str | None) -> bool:
    """Can a reader find the source again? A DOI; else a title that was seen and, for anything published, a year;
    else a full journal reference (journal, volume, pages and year), which finds a paper whose title nobody saw.
    A web page or dataset is found by its address (every one has a checked_url), so its seen title suffices.
    A field filled from memory counts (the issue allows a `recalled` citation if it is labelled): the record lists it
    under `recalled`, and `matkb info` prints those fields beside the source."""
    if doi or all((journal, volume, pages, year)):
        return True
    return not _UNSEEN_TITLE.search(title) and (year is not None or kind in _UNDATED_KINDS)


def _check_citation(ctx: _Ctx, where: str, rec: dict) -> None:
    """A source labelled source-checked or better must carry the citation that label says was confirmed; a field
    listed as `recalled` must hold the recalled value, and a recalled citation was not confirmed."""
    recalled = rec.get("recalled") or []
    for name in recalled:
        if rec.get(name) in (None, ""):
            ctx.error(where, "recalled", name, f"`{name}` is listed as recalled but the record gives no {name}; "
                      "write the value recalled from memory, or drop it from `recalled`", "provenance")
    if rec["verification"] not in levels_at_least("source-checked"):
        return
    if recalled:
        ctx.error(where, "verification", rec["verification"],
                  f"{', '.join(f'`{f}`' for f in recalled)} {'was' if len(recalled) == 1 else 'were'} filled from memory "
                  "(`recalled`), so the citation was not confirmed: the source is `citation-incomplete` (numbers read in "
                  "a stored page) or `recalled`", "provenance")
    unseen = _UNSEEN_TITLE.search(rec["title"])
    if unseen:
        ctx.error(where, "verification", rec["verification"],
                  f"the title says it was not seen {unseen.group(0)}, so the citation was not confirmed: "
                  "the source is `citation-incomplete`", "provenance")
    missing = [f for f, kinds in (("year", _DATED_KINDS), ("doi", _JOURNAL_KINDS)) if rec["kind"] in kinds and not rec.get(f)]
    if missing:
        ctx.error(where, "verification", rec["verification"],
                  f"a {rec['verification']} {rec['kind']} source needs its confirmed {' and '.join(f'`{f}`' for f in missing)}; "
                  "a source whose title, year or DOI could not all be confirmed is `citation-incomplete` "
                  "(a meeting abstract, preprint or thesis without a DOI: kind conference, preprint or thesis)", "provenance")


def _check_one_source_per_doi(ctx: _Ctx, where: str, row: dict, doi_owner: dict[str, tuple[str, str]]) -> None:
    """One paper is one source: a DOI already held by another source id is an error, not a second source."""
    doi = row["doi"]
    if doi is None:
        return
    owner, owner_at = doi_owner.setdefault(doi, (row["source_id"], f"{ctx.file}: {where}"))
    if owner != row["source_id"]:
        ctx.error(where, "doi", doi,
                  f"source {owner!r} ({owner_at}) already has this DOI; one paper is one source, so refer to "
                  f"{owner!r} with `source:` instead of defining {row['source_id']!r}", "duplicate")


def _source_row(rec: dict, origin: str) -> dict:
    return {
        "source_id": rec["id"],
        "doi": (rec.get("doi") or None) and rec["doi"].lower(),
        "title": rec["title"],
        "year": rec.get("year"),
        "journal": rec.get("journal"),
        "authors": rec.get("authors"),
        "kind": rec["kind"],
        "verification": rec["verification"],
        "checked_url": rec.get("checked_url"),
        "note": rec.get("note"),
        "origin": origin,
        "citation_url": rec.get("citation_url"),
        "volume": rec.get("volume"),
        "pages": rec.get("pages"),
        "recalled": rec.get("recalled") or None,
        "citable": citable(rec.get("doi"), rec["title"], rec.get("year"), rec["kind"], rec.get("journal"), rec.get("volume"),
                           rec.get("pages")),
    }


def _material_row(ctx: _Ctx, where: str, rec: dict) -> dict | None:
    from .chem import composition

    formula = rec.get("formula")
    reduced = chemsys = None
    if formula:
        try:
            comp = composition(formula)
        except ValueError as exc:
            ctx.error(where, "formula", formula, str(exc), "formula")
            return None
        reduced, chemsys = comp.reduced_formula, comp.chemical_system
    return {
        "material_id": rec["id"],
        "name": rec["name"],
        "formula": formula,
        "reduced_formula": reduced,
        "chemical_system": chemsys,
        "class": rec["class"],
        "roles": list(rec["roles"]),
        "aliases": list(rec.get("aliases", [])),
        "working_ion": rec.get("working_ion") or _working_ion(chemsys),
        "description": rec.get("description"),
        "note": rec.get("note"),
        "origin": ctx.file,
    }


def _working_ion(chemsys: str | None) -> str:
    """Na for a sodium compound without Li (NZSP, Na metal); Li otherwise."""
    elements = set((chemsys or "").split("-"))
    return "Na" if "Na" in elements and "Li" not in elements else "Li"


def _alias_index(materials: dict[str, dict]) -> dict[str, str]:
    """Ids, names and aliases -> material id; exact keys first, then their lower-case forms."""
    index: dict[str, str] = {}
    for mid in materials:
        index[mid] = mid
    for mid, m in materials.items():
        for alias in [m.get("name")] + list(m.get("aliases") or []):
            if alias and alias not in index:
                index[alias] = mid
    for key, mid in list(index.items()):
        index.setdefault(key.lower(), mid)
    return index


class _FileCompiler:
    def __init__(self, path, ctx, data, materials, sources, alias_index, file_sources, rows):
        self.path, self.ctx, self.data = path, ctx, data
        self.materials, self.sources, self.alias_index = materials, sources, alias_index
        self.file_sources = file_sources
        self.rows = rows
        self.cells: dict[str, dict] = {}

    # -- shared pieces
    def _missing_cell(self, name: str) -> str:
        """Why a result's or observation's `cell` names no usable cell: refused above, or not defined at all."""
        if any(c.get("id") == name for c in self.data.get("cells", [])):
            return f"cell {name!r} is defined in this file but was refused (see its own error); this row is not written"
        return f"no cell {name!r} defined in this file (cells: {', '.join(self.cells) or 'none'})"

    def prov(self, section: str, i: int, rec: dict) -> dict | None:
        where = self.ctx.where(section, i, rec)
        src = rec.get("source")
        if src is None:
            if len(self.file_sources) == 1:
                src = self.file_sources[0]
            else:
                self.ctx.error(where, "source", None, "no `source:` and the file does not define exactly one source", "reference")
                return None
        if src not in self.sources:
            self.ctx.error(where, "source", src, "unknown source (define it under `sources:` here or ingest it first)", "reference")
            return None
        if rec["verification"] not in value_levels():
            self.ctx.error(where, "verification", rec["verification"],
                           f"`{rec['verification']}` describes a source; a value is one of {', '.join(value_levels())}",
                           "provenance")
            return None
        checked_url = rec.get("checked_url") or self.sources[src].get("checked_url")
        if rec["verification"] == "value-checked" and not checked_url:
            self.ctx.error(where, "verification", "value-checked",
                           "value-checked needs `checked_url` (on the record or its source): the address where the number was read",
                           "provenance")
            return None
        if rec["verification"] != "recalled" and self.sources[src].get("verification") == "recalled":
            self.ctx.error(where, "verification", rec["verification"],
                           f"source {src!r} is only `recalled`, so its values cannot be checked better than that",
                           "provenance")
            return None
        also = rec.get("also_cites")
        for other in also or ():
            if other == src or other not in self.sources:
                why = "is the row's own `source`" if other == src else "is not a known source"
                self.ctx.error(where, "also_cites", other, f"{other!r} {why}; list only further sources the row rests on", "reference")
                return None
        return {
            "source_id": src,
            "also_cites": also,
            "location": rec["location"],
            "verification": rec["verification"],
            "checked_url": checked_url,
            "note": rec.get("note"),
        }

    def basis(self, where: str, rec: dict, source_id: str) -> str:
        """`basis` as written; else computed for a computational source and measured otherwise. A method that reads
        as a calculation on a row counted as measured by that default is flagged, so no DFT value passes as measured."""
        if rec.get("basis"):
            return rec["basis"]
        kind = self.sources[source_id]["kind"]
        if kind == "computational":
            return "computed"
        method = rec.get("method") or ""
        hit = _COMPUTED_METHOD.search(method)
        if hit:
            self.ctx.warn(where, "basis", None,
                          f"method {method!r} reads as a calculation ({hit.group(0)!r}), but the row counts as measured because "
                          f"its source is {kind}; write `basis: computed` (or `basis: measured` if it is a measurement)", "computed_as_measured")
        return "measured"

    def material(self, where: str, fld: str, mid: str | None) -> str | None:
        if mid is None:
            return None
        if mid not in self.materials:
            self.ctx.error(where, fld, mid, "unknown material id (define it under `materials:` or in datasets/materials.yaml)", "reference")
            return None
        return mid

    def quantity(self, where: str, fld: str, text: Any, kind: str, *, single: str | None = None):
        """The parsed quantity, None when absent, False (error recorded) when bad. ``single`` names the owner ("a cell")
        of a field stored as one number: a range there would lose its upper end, so it is an error."""
        from .units import parse_quantity

        if text is None:
            return None
        try:
            q = parse_quantity(text, kind)
        except UnitError as exc:
            self.ctx.error(where, fld, text, str(exc), "units")
            return False  # marks "present but bad"
        if single and q.hi is not None:
            self.ctx.error(where, fld, text, f"{single}'s {fld} cannot be a range; give one value with a qualifier", "units")
            return False
        return q

    def run(self) -> None:
        for section in ("properties", "redox_couples", "structures", "cells", "cycling_results", "observations"):
            for i, rec in enumerate(self.data.get(section, [])):
                getattr(self, "do_" + section)(i, rec)

    # -- sections
    def do_properties(self, i: int, rec: dict) -> None:
        where = self.ctx.where("properties", i, rec)
        prov = self.prov("properties", i, rec)
        mid = self.material(where, "material", rec["material"])
        name = rec["property"]
        spec = property_spec(name)
        value = value_hi = value_text = None
        qualifier, unit, ok = "=", None, True
        if "categorical" in spec:
            if rec["value"] not in spec["categorical"]:
                self.ctx.error(where, "value", rec["value"], f"{name} takes one of: {', '.join(spec['categorical'])}", "vocabulary")
                ok = False
            value_text = rec["value"]
        else:
            q = self.quantity(where, "value", rec["value"], spec["quantity"])
            if not q:
                ok = False
            else:
                value, value_hi, qualifier, unit = q.value, q.hi, q.qualifier, q.unit
        temp = self.quantity(where, "temperature", rec.get("temperature"), "temperature", single="a property")
        if temp is False:
            ok = False
        if spec.get("temperature") == "required" and temp is None:
            self.ctx.error(where, "temperature", None, f"{name} is meaningless without the temperature it was measured at", "record")
            ok = False
        if spec.get("temperature") == "none" and temp:
            self.ctx.error(where, "temperature", rec.get("temperature"), f"{name} takes no temperature (put conditions in `condition`)", "record")
            ok = False
        if not (ok and prov and mid):
            return
        t_c = temp.value if temp else None
        basis = self.basis(where, rec, prov["source_id"])
        self.rows["properties"].append({
            "property_key": stable_key(prov["source_id"], mid, name, t_c, rec.get("component"), rec.get("condition"), rec.get("method"), rec["location"]),
            "material_id": mid,
            "property": name,
            "value": value,
            "value_hi": value_hi,
            "qualifier": qualifier if value_text is None else None,
            "value_text": value_text,
            "unit": unit,
            "value_as_written": str(rec["value"]),
            "temperature_C": t_c,
            "temperature_qualifier": temp.qualifier if temp else None,
            "method": rec.get("method"),
            "basis": basis,
            "component": rec.get("component"),
            "condition": rec.get("condition"),
            **prov,
            "origin": self.ctx.file,
            "_where": where,
        })

    def do_redox_couples(self, i: int, rec: dict) -> None:
        where = self.ctx.where("redox_couples", i, rec)
        prov = self.prov("redox_couples", i, rec)
        mid = self.material(where, "material", rec.get("material"))
        q = self.quantity(where, "potential", rec["potential"], "potential")
        if rec["from_state"] <= rec["to_state"]:
            self.ctx.error(where, "to_state", rec["to_state"], f"a reduction couple goes to a lower state than from_state = {rec['from_state']}", "record")
            return
        if not (q and prov) or (rec.get("material") and not mid):
            return
        from .vocab import reference_offset_V

        reference = rec.get("reference", "Li/Li+")
        offset = reference_offset_V(reference)  # stored vs Li/Li+, as every potential is
        self.rows["redox_couples"].append({
            "couple_key": stable_key(prov["source_id"], rec["element"], rec["from_state"], rec["to_state"], rec["host"]),
            "element": rec["element"],
            "from_state": rec["from_state"],
            "to_state": rec["to_state"],
            "host": rec["host"],
            "material_id": mid,
            "potential_V": q.value + offset,
            "potential_hi_V": None if q.hi is None else q.hi + offset,
            "qualifier": q.qualifier,
            "reference": reference,
            "potential_vs_reference_V": q.value,
            "method": rec["method"],
            **prov,
            "origin": self.ctx.file,
            "_where": where,
        })

    def do_structures(self, i: int, rec: dict) -> None:
        where = self.ctx.where("structures", i, rec)
        prov = self.prov("structures", i, rec)
        mid = self.material(where, "material", rec["material"])
        cif_path = None
        for base in (self.path.parent, self.path.parent.parent, self.path.parent.parent.parent):
            if (base / rec["path"]).is_file():
                cif_path = base / rec["path"]
                break
        if cif_path is None:
            self.ctx.error(where, "path", rec["path"], "CIF file not found next to the record file or in its parent folders", "structure")
            return
        text = cif_path.read_text(encoding="utf-8", errors="replace")
        try:
            import warnings

            from pymatgen.core import Structure

            with warnings.catch_warnings():  # pymatgen's rounding notes are not the user's problem
                warnings.simplefilter("ignore", UserWarning)
                structure = Structure.from_str(text, fmt="cif")
        except Exception as exc:  # pymatgen's CIF parser raises many types
            self.ctx.error(where, "path", rec["path"], f"pymatgen cannot read this CIF: {exc}", "structure")
            return
        if not (prov and mid):
            return
        m = self.materials[mid]
        if m.get("formula"):
            from .chem import composition

            want = composition(m["formula"]).fractional_composition
            got = structure.composition.fractional_composition
            if not want.almost_equals(got, rtol=0.02, atol=0.005):
                self.ctx.warn(where, "path", rec["path"],
                              f"the CIF's composition {structure.composition.reduced_formula} differs from material {mid}'s formula {m['formula']}",
                              "structure_composition")
        self.rows["structures"].append({
            "structure_key": stable_key(mid, rec["path"]),
            "material_id": mid,
            "path": rec["path"],
            "cif": text,
            "formula": structure.composition.formula,
            "space_group": rec.get("space_group"),
            "is_ordered": bool(structure.is_ordered),
            "density_g_cm3": float(structure.density),
            "method": rec.get("method"),
            **prov,
            "origin": self.ctx.file,
            "_where": where,
        })

    def _resolve_token(self, layers_map: dict[str, str]):
        def resolve(token: str) -> str | None:
            if token in layers_map:
                return layers_map[token] if layers_map[token] in self.materials else None
            return self.alias_index.get(token) or self.alias_index.get(token.lower())

        return resolve

    def do_cells(self, i: int, rec: dict) -> None:
        where = self.ctx.where("cells", i, rec)
        prov = self.prov("cells", i, rec)
        layers_map = dict(rec.get("layers", {}))
        for token, mid in layers_map.items():
            self.material(where, f"layers.{token}", mid)
        try:
            layers = parse_stack(
                rec["stack"], self._resolve_token(layers_map),
                lambda mid: list(self.materials[mid]["roles"]), rec["type"],
            )
        except StackError as exc:
            self.ctx.error(where, "stack", rec["stack"], str(exc), "stack")
            return
        temp = self.quantity(where, "temperature", rec.get("temperature"), "temperature", single="a cell")
        pres = self.quantity(where, "pressure", rec.get("pressure"), "pressure", single="a cell")
        if temp is False or pres is False or prov is None:
            return
        summary = summarize(layers)
        if summary["electrolyte_id"] and "electrolyte" not in self.materials[summary["electrolyte_id"]]["roles"]:
            self.ctx.warn(where, "stack", rec["stack"],
                          f"the separator layer {summary['electrolyte_id']!r} is not marked as an electrolyte material", "stack_roles")
        if rec["type"] == "symmetric" and layers[0].material_id != layers[-1].material_id:
            ends = f"{layers[0].material_id} and {layers[-1].material_id}"
            self.ctx.error(where, "type", "symmetric", f"a symmetric cell needs the same electrode on both ends, got {ends}", "stack")
            return
        cell_id = f"{prov['source_id']}:{rec['id']}"
        if rec["id"] in self.cells:
            self.ctx.error(where, "id", rec["id"], "cell id used twice in this file", "duplicate")
            return
        working_ion = rec.get("working_ion") or self.materials[layers[0].material_id].get("working_ion") or "Li"
        row = {
            "cell_id": cell_id,
            "source_id": prov["source_id"],
            "local_id": rec["id"],
            "stack": rec["stack"],
            "cell_type": rec["type"],
            "working_ion": working_ion,
            **summary,
            "n_layers": len(layers),
            "is_control": bool(rec.get("is_control", False)),
            "temperature_C": temp.value if temp else None,
            "temperature_qualifier": temp.qualifier if temp else None,
            "pressure_MPa": pres.value if pres else None,
            "pressure_qualifier": pres.qualifier if pres else None,
            **{k: v for k, v in prov.items() if k != "source_id"},
            "origin": self.ctx.file,
            "_where": where,
        }
        self.cells[rec["id"]] = row
        self.rows["cells"].append(row)
        for lay in layers:
            self.rows["cell_layers"].append({
                "layer_key": f"{cell_id}#{lay.position}",
                "cell_id": cell_id,
                "position": lay.position,
                "token": lay.token,
                "material_id": lay.material_id,
                "role": lay.role,
                "side": lay.side,
            })

    def do_cycling_results(self, i: int, rec: dict) -> None:
        where = self.ctx.where("cycling_results", i, rec)
        prov = self.prov("cycling_results", i, rec)
        cell = self.cells.get(rec["cell"])
        if cell is None:
            self.ctx.error(where, "cell", rec["cell"], self._missing_cell(rec["cell"]), "reference")
            cell = {"cell_id": None}  # go on: this result's own fields are checked too, though it is not written
        row: dict[str, Any] = {"cell_id": cell["cell_id"], "test": rec["test"]}
        ok = True
        for fld, (kind, col, hi_col) in CYCLING_FIELDS.items():
            text = rec.get(fld)
            if fld == "rate" and isinstance(text, str) and text.rstrip().upper().endswith("C"):
                text = text.rstrip()[:-1]
            q = self.quantity(where, fld, text, kind, single=None if hi_col else "a result")
            if q is False:
                ok = False
                q = None
            row[col] = q.value if q else None
            row[f"{fld}_qualifier"] = q.qualifier if q else None
            if hi_col is not None:
                row[hi_col] = q.hi if q else None
        row["censored"] = rec.get("censored")
        row["failure_mode"] = rec.get("failure_mode")
        row["description"] = rec.get("description")
        if not ok or prov is None or cell["cell_id"] is None:
            return
        keyed = (row[c] for f, (_, c, _h) in CYCLING_FIELDS.items() if f not in _KEYED_WHEN_SET or row[c] is not None)
        key_parts = rec.get("id") or stable_key(cell["cell_id"], rec["test"], *keyed)
        row = {"result_id": f"{cell['cell_id']}/{key_parts}", **row, **{k: v for k, v in prov.items() if k != "source_id"},
               "source_id": prov["source_id"], "origin": self.ctx.file, "_where": where}
        self.rows["cycling_results"].append(row)

    def do_observations(self, i: int, rec: dict) -> None:
        where = self.ctx.where("observations", i, rec)
        prov = self.prov("observations", i, rec)
        cell_id = None
        if rec.get("cell") is not None:
            cell = self.cells.get(rec["cell"])
            if cell is None:
                self.ctx.error(where, "cell", rec["cell"], self._missing_cell(rec["cell"]), "reference")
                return
            cell_id = cell["cell_id"]
        mid = self.material(where, "material", rec.get("material"))
        if prov is None or (rec.get("material") and not mid):
            return
        self.rows["observations"].append({
            "observation_key": stable_key(prov["source_id"], cell_id, mid, rec["technique"], rec["finding"], rec.get("condition")),
            "cell_id": cell_id,
            "material_id": mid,
            "technique": rec["technique"],
            "finding": rec["finding"],
            "condition": rec.get("condition"),
            **prov,
            "origin": self.ctx.file,
            "_where": where,
        })


def _check_duplicates(rows: dict[str, list[dict]], issues: list[Issue]) -> None:
    for table, key in TABLE_KEYS.items():
        if table in ("sources", "materials", "cell_layers"):
            continue  # checked on definition; a layer's key is its cell's id and position, so its cell's duplicate says it
        seen: dict[str, dict] = {}
        for row in rows[table]:
            k = row[key]
            if k in seen:
                first = seen[k]
                issues.append(Issue(
                    "error", row.get("origin", ""), row.get("_where", table), key, k,
                    f"duplicate of the {table} record at {first.get('origin')}: {first.get('_where')} "
                    "(same material/cell, quantity and conditions; give distinct `condition`, `location` or `id`)",
                    "duplicate",
                ))
            else:
                seen[k] = row


def _check_uncited_sources(rows: dict[str, list[dict]], issues: list[Issue]) -> None:
    """A source that no row cites backs nothing in the store, yet counts in its verification shares."""
    cited = set()
    for table, table_rows in rows.items():
        if table != "sources":
            for r in table_rows:
                cited.add(r.get("source_id"))
                cited.update(r.get("also_cites") or ())
    for src in rows["sources"]:
        if src["source_id"] not in cited:
            issues.append(Issue(
                "warning", src.get("origin", ""), f"source {src['source_id']!r}", "id", src["source_id"],
                "no row in these files cites this source; cite it from the rows it supports, "
                "or list it in datasets/LEFT_OUT.md instead of defining it",
                "provenance",
            ))


def shipped_fingerprint(root: Path) -> str:
    """Hash of every record file and CIF under ``root`` plus the schemas: changes when data change."""
    from .paths import schemas_dir

    h = hashlib.sha256()
    for base in (root, schemas_dir()):
        for p in sorted(base.rglob("*")):
            if p.is_file() and p.suffix in RECORD_SUFFIXES + (".cif", ".sql"):
                h.update(str(p.relative_to(base)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()

