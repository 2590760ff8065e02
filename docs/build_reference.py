"""Generate docs/cli.md and docs/sql.md from the code itself, so the references cannot drift.

    python docs/build_reference.py          # rewrite both files
    python docs/build_reference.py --check  # exit 1 if either is stale (the test suite runs this)

cli.md: every command and subcommand of the Typer app with its help text, arguments and options.
sql.md: every table and view of a fresh store with its columns, DuckDB types and units (units are
part of the column names, e.g. ``current_density_mA_cm2``; the suffixes are decoded here).
"""

from __future__ import annotations

import re
import sys
import tempfile
from enum import Enum
from pathlib import Path

DOCS = Path(__file__).resolve().parent

TABLES = {
    "sources": "one row per publication or dataset: DOI (or title + year), journal, kind, verification level and the address read",
    "materials": "every material: id, name, formula (where defined), class and roles (electrolyte, interlayer, electrode, candidate ...)",
    "properties": "measured or computed properties of a material with unit, qualifier, temperature, method, source, location, verification",
    "redox_couples": "reference redox couples and stability limits vs Li/Li+ that the redox descriptors use, each with its source",
    "structures": "CIF structures built from published space group, lattice and Wyckoff positions, with their source",
    "cells": "cell stacks as published (symmetric, full, half), parsed into anode, interlayer, electrolyte, cathode; control flag",
    "cell_layers": "the layers of each cell stack in order, with their role and side",
    "cycling_results": "galvanostatic, critical-current, rate and full-cell results with conditions, lifetime and censoring",
    "observations": "qualitative findings (XPS, SEM, EIS, DFT ...) attached to a material or a cell",
    "external_conductivities": "imported OBELiX and Liverpool entries: composition, conductivity with its bound, temperature, "
                               "structure, DOI, links to duplicates and to curated rows",
    "feature_cache": "cached featurizer output keyed by feature set, version and input",
    "ingest_log": "one row per ingest or import: when, what, rows added / updated / unchanged",
    "meta": "store metadata: schema version, matkb version, datasets fingerprint",
    "schema_migrations": "the migrations applied to this store, in order",
}

UNITS = [  # (column-name suffix, unit), longest first
    ("_vs_reference_V", "V vs `reference`"), ("_mAh_cm2", "mAh/cm²"), ("_mA_cm2", "mA/cm²"), ("_mAh_g", "mAh/g"), ("_S_cm", "S/cm"), ("_eV_atom", "eV/atom"),
    ("_g_cm3", "g/cm³"), ("_MPa", "MPa"), ("_GPa", "GPa"), ("_mV", "mV"), ("_eV", "eV"), ("_V", "V vs Li/Li+"),
    ("_deg", "degree"), ("_A", "Å"), ("_h", "h"), ("_C", "°C"), ("_um", "µm"), ("_nm", "nm"), ("_percent", "%"), ("_pct", "%"),
]


#: columns whose values come from a closed list in schemas/vocabulary.yaml
VOCAB_COLUMNS = {"verification": "verification_levels", "kind": "source_kinds", "test": "tests", "failure_mode": "failure_modes",
                 "working_ion": "working_ions", "cell_type": "cell_types", "type": "cell_types", "class": "material_classes",
                 "reference": "reference_electrodes"}


def values_of(table: str, column: str) -> str:
    """The allowed values of a vocabulary column, or ''."""
    from matkb.vocab import value_levels, vocabulary

    key = VOCAB_COLUMNS.get(column)
    if key is None or table.startswith("external") or (column == "type" and table != "cells"):
        return ""
    if column == "verification" and table not in ("sources", "verification_summary"):
        return ", ".join(value_levels())  # a value's level; citation-incomplete describes sources only
    values = list(vocabulary()[key])  # a list, or the keys of a mapping
    return ", ".join(values) if len(values) <= 12 else f"one of {len(values)} (schemas/vocabulary.yaml: {key})"


def unit_of(column: str) -> str:
    for suffix, unit in UNITS:
        if column.endswith(suffix):
            return unit
    return ""


def view_comments() -> dict[str, str]:
    """The comment lines right above each CREATE VIEW in schemas/views.sql."""
    from matkb.paths import schemas_dir

    out, pending = {}, []
    for line in (schemas_dir() / "views.sql").read_text(encoding="utf-8").splitlines():
        if line.startswith("--"):
            pending.append(line[2:].strip())
            continue
        m = re.match(r"CREATE (?:OR REPLACE )?VIEW (\w+)", line)
        if m:
            out[m.group(1)] = " ".join(pending)
        pending = []  # a comment belongs to the view right below it; a blank line or a statement ends it
    return out


def sql_reference() -> str:
    from matkb.store import Store

    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "ref.duckdb") as kb:
        cols = kb.sql("SELECT table_name, column_name, data_type, table_type FROM information_schema.columns "
                      "JOIN information_schema.tables USING (table_schema, table_name) "
                      "WHERE table_schema = 'main' ORDER BY table_type, table_name, ordinal_position")
        version = kb.schema_version
    views = view_comments()
    lines = ["# SQL reference", "",
             f"Tables and views of a matkb store at schema version {version}, generated by `docs/build_reference.py` "
             "(the tests fail when this file is stale). Units are part of the column names; the unit column decodes them.",
             "Query with `matkb sql \"...\"` or `matkb.open().sql(\"...\")`; both run only reading statements unless "
             "asked to write (`--write`, `write=True`).", ""]
    for kind, title in (("BASE TABLE", "Tables"), ("VIEW", "Views")):
        lines += [f"## {title}", ""]
        for name, g in cols[cols.table_type == kind].groupby("table_name", sort=True):
            desc = TABLES.get(name) if kind == "BASE TABLE" else views.get(name)
            if not desc:
                raise SystemExit(f"{name}: no description; add one to docs/build_reference.py (tables) or views.sql (views)")
            lines += [f"### `{name}`", "", desc[0].upper() + desc[1:] + ("" if desc.endswith(".") else "."), "",
                      "| column | type | unit | values |", "| --- | --- | --- | --- |"]
            lines += [f"| `{r.column_name}` | {r.data_type} | {unit_of(r.column_name)} | {values_of(name, r.column_name)} |"
                      for r in g.itertuples()]
            lines.append("")
    return "\n".join(lines)


def cli_reference() -> str:
    import typer.main

    from matkb.cli import app

    root = typer.main.get_command(app)
    lines = ["# CLI reference", "",
             "Every `matkb` command, generated from the code by `docs/build_reference.py` (the tests fail when this file is stale).",
             "Global option, before the command: `matkb --db PATH COMMAND` (or `MATKB_DB=PATH`); without it matkb uses the "
             "embedded default store, built from the shipped `datasets/` on first use.", ""]

    def walk(cmd, path):
        if hasattr(cmd, "commands"):  # a group
            if cmd.callback is not None and path and any(p.name != "ctx" for p in cmd.params):
                emit(cmd, path)
            for name in sorted(cmd.commands):
                walk(cmd.commands[name], [*path, name])
        else:
            emit(cmd, path)

    def emit(cmd, path):
        usage = [p.name.upper() for p in cmd.params if p.param_type_name == "argument"]
        lines.extend([f"## `matkb {' '.join(path)}`", "", (cmd.help or "").strip().split("\n\n")[0], "",
                      f"Usage: `matkb {' '.join(path)} {' '.join(usage)} [OPTIONS]`".replace("  ", " "), ""])
        rows = []
        for p in cmd.params:
            if p.param_type_name == "argument":
                rows.append((f"`{p.name.upper()}`", getattr(p, "help", "") or "", "required" if p.required else ""))
            elif p.name not in ("help",):
                names = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
                ann = getattr(getattr(p, "type_descriptor", None), "annotation", None)
                enum = isinstance(ann, type) and issubclass(ann, Enum)
                value = getattr(p.default, "value", p.default)
                default = "" if value in (None, False) else f"default: {value}"
                choices = f" ({' / '.join(m.value for m in ann)})" if enum else ""
                rows.append((names, (p.help or "") + choices, default))
        if rows:
            lines.extend(["| argument / option | meaning | default |", "| --- | --- | --- |"])
            lines.extend(f"| {a} | {b.replace('|', '/')} | {c} |" for a, b, c in rows)
            lines.append("")

    walk(root, [])
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    stale = []
    for name, text in (("cli.md", cli_reference()), ("sql.md", sql_reference())):
        path = DOCS / name
        if "--check" in argv:
            if not path.is_file() or path.read_text(encoding="utf-8") != text + "\n":
                stale.append(name)
        else:
            path.write_text(text + "\n", encoding="utf-8")
    if stale:
        print(f"stale: {', '.join(stale)}; run `python docs/build_reference.py`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
