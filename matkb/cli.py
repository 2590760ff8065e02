"""The ``matkb`` command line: a thin skin over :mod:`matkb.api`.

Heavy libraries (pandas, pymatgen, scikit-learn) are imported inside the
commands that need them, so ``matkb --help`` starts fast.
"""

from __future__ import annotations

import contextlib
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import MatkbError, ValidationFailed

app = typer.Typer(
    name="matkb",
    help="A knowledge base of Li-metal | NASICON interfaces: curated literature in DuckDB, queried with SQL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(help="Import external experimental datasets (OBELiX, Liverpool Ionics Dataset) into the store.", no_args_is_help=True)
cell_app = typer.Typer(help="Cell stacks: parse, show what the store knows, the potential ladder.", no_args_is_help=True)
app.add_typer(cell_app, name="cell")
app.add_typer(import_app, name="import")


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


class InfoFormat(StrEnum):
    table = "table"
    json = "json"


_state: dict[str, Optional[str]] = {"db": None}

DbOption = Annotated[
    Optional[Path],
    typer.Option("--db", envvar="MATKB_DB", help="Store file (default: $MATKB_DB, else the embedded default store)."),
]


@app.callback()
def main(db: DbOption = None) -> None:
    """matkb: curated Li-metal | NASICON interface data, queried with SQL."""
    _state["db"] = str(db) if db else None


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def _fail(exc: BaseException) -> None:
    if isinstance(exc, ValidationFailed):
        for issue in exc.issues:
            _err(str(issue))
        n_err = sum(1 for i in exc.issues if i.level == "error")
        _err(f"Error: {n_err} error(s); {exc.outcome}.")
    else:
        _err(f"Error: {exc}")
    raise typer.Exit(1)


def _run(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except (MatkbError, FileNotFoundError) as exc:
        _fail(exc)


def _open(write: bool):
    from . import api

    path, is_default = _run(api.resolve_db, _state["db"], _err)
    return api.Store(path, read_only=not write, log=_err), is_default


@app.command()
def init() -> None:
    """Create an empty store (or migrate an existing one) at --db."""
    from . import api

    if not _state["db"]:
        _fail(MatkbError("init needs a store path: matkb --db PATH init (the default store builds itself)"))
    kb = _run(api.init, _state["db"])
    typer.echo(f"store {kb.path} at schema version {kb.schema_version}")
    kb.close()


@contextlib.contextmanager
def _progress(label: str, unit: str = "rows"):
    """A rich progress bar on a terminal; plain 'label done/total unit' lines otherwise (logs, tests)."""
    if not sys.stderr.isatty():
        yield lambda table, done, total: _err(f"{label} {done}/{total} {unit} ({table})")
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(table: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{label} {table}")

        yield update


@app.command()
def ingest(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Record files or folders (default: the shipped datasets/).")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Let these files overwrite rows (the same source, material or "
                                          "cell id) that another file wrote; without it that is an error")] = False,
) -> None:
    """Validate and write record files in one transaction: any error and nothing is written.

    The store then holds what the files say: rows a file wrote before and no longer produces are removed."""
    from .paths import datasets_dir

    kb, is_default = _open(write=True)
    targets = paths or [datasets_dir()]
    if is_default and paths:
        _err("note: this is the embedded default store, rebuilt from the shipped datasets when they change; "
             "use --db PATH for a store of your own")

    with kb, _progress("writing") as progress:
        _err(f"validating {', '.join(map(str, targets))} ...")
        report = _run(kb.ingest, targets, replace=replace, progress=progress)
    _print_report(f"{len(report.files)} file(s)", report, kb.path, per_table=True)


def _print_report(label: str, report, path, *, per_table: bool = False) -> None:
    """What an ingest or import did: its warnings, then one line of counts (and, per_table, one line per table)."""
    for w in report.warnings:
        _err(str(w))
    a, u, s = report.totals
    r = sum(report.removed.values())
    typer.echo(f"{label}: {a} added, {u} updated, {s} unchanged, " + (f"{r} removed (no longer in the file), " if r else "")
               + f"{len(report.warnings)} warning(s) -> {path}")
    for table in report.added if per_table else ():
        if report.added[table] or report.updated[table] or report.removed.get(table):
            gone = report.removed.get(table)
            typer.echo(f"  {table}: +{report.added[table]} added, {report.updated[table]} updated, {report.unchanged[table]} unchanged"
                       + (f", {gone} removed (no longer in the file)" if gone else ""))


def _import(dataset: str, path: Path) -> None:
    kb, is_default = _open(write=True)
    if is_default:
        _err("note: this is the embedded default store, rebuilt from the shipped datasets when they change; "
             "use --db PATH to keep an import")
    with kb, _progress("importing") as progress:
        report = _run(kb.import_dataset, dataset, path, progress=progress)
    _print_report(dataset, report, kb.path)


@import_app.command("obelix")
def import_obelix(path: Annotated[Path, typer.Argument(help="OBELiX folder (with train.csv and train_cifs/) or its train.csv.")]) -> None:
    """Import the OBELiX dataset: composition, conductivity (bounds kept), space group, lattice, family, DOI, CIF."""
    _import("obelix", path)


@import_app.command("liverpool")
def import_liverpool(path: Annotated[Path, typer.Argument(help="Folder with LiIonDatabase.csv, or the CSV itself.")]) -> None:
    """Import the Liverpool Ionics Dataset: composition, conductivity, temperature, family, DOI."""
    _import("liverpool", path)


@app.command()
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Record files or folders (default: the shipped datasets/).")] = None,
    strict: Annotated[bool, typer.Option(help="Exit 1 on warnings too.")] = False,
) -> None:
    """Check record files: schema, units, references, and science (capacity, Arrhenius, potentials, lifetimes, CCD, classes)."""
    from . import api

    compiled = _run(api.validate, paths, _state["db"])
    for issue in compiled.issues:
        typer.echo(str(issue), err=bool(compiled.errors))
    n_e, n_w = len(compiled.errors), len(compiled.warnings)
    counts = ", ".join(f"{len(v)} {k}" for k, v in compiled.rows.items() if v) or "no rows"
    typer.echo(f"{len(compiled.files)} file(s), {counts}: {n_e} error(s), {n_w} warning(s)")
    if n_e or (strict and n_w):
        raise typer.Exit(1)


#: how a source can be found again (`matkb.records.citable`, the `sources.citable` column)
CITABLE_BY = ("by a DOI, by a title with a year (seen, or recalled from memory and labelled so) or, for a web page, its "
              "address, or by a journal reference")


@app.command()
def info(fmt: Annotated[InfoFormat, typer.Option("--format", help="table or json")] = InfoFormat.table) -> None:
    """Path, schema version, rows per table, verification shares and sources."""
    kb, _ = _open(write=False)
    with kb:
        data = _run(kb.info)
    if fmt is InfoFormat.json:
        typer.echo(json.dumps(data, indent=2))
        return
    typer.echo(f"store:          {data['path']}")
    typer.echo(f"schema version: {data['schema_version']} (matkb {data['matkb_version']})")
    typer.echo("rows:           " + ", ".join(f"{k} {v}" for k, v in data["counts"].items()))
    typer.echo("verification (% of rows):")
    for table, shares in data["verification_percent"].items():
        typer.echo(f"  {table:16s} " + ", ".join(f"{lvl} {pct:g}%" for lvl, pct in shares.items()))
    c = data["coverage"]
    typer.echo(f"coverage:       {c['studies_with_cells']} studies with cells ({c['studies_with_na_cells']} of them Na, "
               f"{c['studies_with_doi']} with a DOI), "
               f"{c['cycling_results']} cycling results ({c['cycling_results_citable']} from citable sources, "
               f"{c['cycling_results_with_outcome']} with a measured outcome)")
    uncitable = c["sources"] - c["sources_citable"]
    typer.echo(f"                {c['sources_with_doi']} of {c['sources']} sources with a DOI, {c['sources_citable']} citable "
               f"({CITABLE_BY}; {c['sources_citable_recalled']} of them on a citation partly recalled from memory, marked "
               f"RECALLED; {uncitable} not citable, marked NOT CITABLE), {c['sources_source_checked_or_better']} "
               f"({100 * c['sources_source_checked_or_better'] / max(c['sources'], 1):.1f} %) source-checked or better")
    typer.echo(f"                {c['interlayer_materials']} interlayer materials, {c['nasicon_compositions_with_conductivity']} NASICON "
               f"compositions with a conductivity at a stated temperature, {c['candidates']} candidates "
               f"({c['candidates_untested']} never tested in a stored cell)")
    typer.echo(f"sources ({len(data['sources'])}):")
    for s in data["sources"]:
        cite = ("  NOT CITABLE" if not s["citable"] else
                f"  RECALLED: {', '.join(s['recalled'])}" if s["recalled"] else "")
        typer.echo(f"  {s['source_id']:32s} {s['year'] or '----'}  {s['doi'] or '(no DOI)':38s} {s['verification']}{cite}")


@app.command()
def export(
    out: Annotated[Path, typer.Argument(help="The new DuckDB file (an existing file is never replaced).")],
    citable_only: Annotated[bool, typer.Option("--citable-only", help=f"Leave out everything that rests on a source that "
                                               f"cannot be cited {CITABLE_BY}, as --citable-only does for train and rank")] = False,
) -> None:
    """Write a copy of the store to a new file, to share or to query elsewhere (mirror of Store.export)."""
    from .store import Store

    kb, _ = _open(write=False)
    with kb:
        path = _run(kb.export, out, citable_only=citable_only)
    with Store(path, read_only=True) as copy:
        c = copy.info()["coverage"]
    typer.echo(f"wrote {path}: {c['sources']} sources ({c['sources_citable']} citable), {c['cycling_results']} cycling results"
               + (", nothing from an uncitable source" if citable_only else ""))


SQL_HELP = (
    "SQL; tables: sources, materials, properties, cells, cell_layers, cycling_results, observations, redox_couples, "
    "structures, external_conductivities, feature_cache, meta, schema_migrations, ingest_log; views: cycling, "
    "symmetric_lifetimes, interlayer_best_lifetime, paired_comparisons, conductivities, imported_conductivities, "
    "all_conductivities, conductivity_crosscheck, potentials, interlayer_candidates, verification_summary, "
    "source_citations (docs/sql.md describes each)"
)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help=SQL_HELP)],
    write: Annotated[bool, typer.Option("--write", help="Open the store for writing (default: read-only).")] = False,
    fmt: Annotated[Format, typer.Option("--format", help="table, csv, json or parquet")] = Format.table,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write to this file instead of standard output.")] = None,
) -> None:
    """Run SQL against the store (read-only unless --write)."""
    kb, _ = _open(write=write)
    with kb:
        df = _run(kb.sql, query, write=write)
    _emit(df, fmt, out)


def _is_duckdb_file(path: Path) -> bool:
    """A DuckDB database file: its header carries the magic bytes DUCK at offset 8."""
    try:
        with open(path, "rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError:  # absent or unreadable: nothing to protect
        return False


def _float4(v: float) -> str:
    """Four significant figures for tables (CSV, JSON and Parquet keep full precision)."""
    return f"{v:.4g}"


def _emit(df, fmt: Format, out: Optional[Path]) -> None:
    if out is not None and _is_duckdb_file(out):
        _fail(MatkbError(f"{out} is a DuckDB database (perhaps a store); refusing to overwrite it with output: "
                         "choose another --out"))
    if fmt is Format.parquet:
        if out is None:
            _fail(MatkbError("--format parquet needs --out FILE"))
        df.to_parquet(out, index=False)
        return
    if fmt is Format.csv:
        text = df.to_csv(index=False)
    elif fmt is Format.json:
        text = df.to_json(orient="records", indent=2, date_format="iso")
    else:
        import pandas as pd

        # pandas 3 keeps text in a string dtype whose missing value prints as NaN; a missing text reads None
        # in every pandas, as it does in SQL clients
        shown = df.assign(**{c: df[c].astype(object).where(df[c].notna(), None)
                             for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])})
        with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 200, "display.max_colwidth", 60):
            text = shown.to_string(index=False, float_format=_float4) if len(df.columns) else "(no result)"
    if out is not None:
        out.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


@cell_app.command("show")
def cell_show(
    stack: Annotated[str, typer.Argument(help='A stack as papers write it, e.g. "Li/IL@PB@LATP/Li".')],
    cell_type: Annotated[Optional[str], typer.Option("--type", help="symmetric | full | half (default: symmetric when both ends match)")] = None,
    fmt: Annotated[InfoFormat, typer.Option("--format", help="table or json")] = InfoFormat.table,
) -> None:
    """The parsed stack, what the store knows of each layer, and the potential ladder."""
    kb, _ = _open(write=False)
    with kb:
        report = _run(kb.cell, stack, cell_type)
    if fmt is InfoFormat.json:
        typer.echo(json.dumps(report.as_dict(), indent=2, default=str))
        return
    typer.echo(f"{report.stack}  ({report.cell_type} cell)")
    s = report.summary
    typer.echo(f"  electrolyte {s['electrolyte_id']}, interlayer {s['interlayer_id'] or '(none)'}, wetting agent {s['wetting_agent_id'] or '(none)'}")
    typer.echo("layers (anode side first):")
    for lay in report.layers:
        level = "no potential stored"
        if lay.level:
            lv = lay.level
            qual = "" if lv.qualifier == "=" else lv.qualifier
            level = f"{lv.property.replace('_potential', '')} {qual}{lv.value_V:g} V ({lv.source_id}, {lv.verification})"
        typer.echo(f"  {lay.position}. {lay.token:8s} -> {lay.material_id} [{lay.cls}; {lay.role}] {lay.formula or ''}: {level}")
        for k, v in sorted(lay.properties.items()):
            typer.echo(f"       {k}: {v}")
    typer.echo("potential ladder (electron-blocking criterion):")
    if not report.ladder:
        typer.echo("  no reducible electrolyte with a stored reduction potential in this stack")
    for r in report.ladder:
        mark = {True: "OK ", False: "NO ", None: "?  "}[r.blocks]
        typer.echo(f"  {mark} {r.layer} | {r.electrolyte}: {r.verdict}")


def _featurize_inputs(inputs: list[str]) -> list:
    """CSV with a `formula` column, a folder of CIFs, or formulas given as arguments."""
    items: list = []
    for arg in inputs:
        p = Path(arg)
        if p.is_dir():
            items.extend(s for _, s in _run(_cif_folder, p))
        elif p.suffix.lower() == ".csv" and p.is_file():
            df = _run(_read_csv, p)
            if "formula" not in df.columns and "cif" not in df.columns:
                _fail(MatkbError(f"{p}: needs a 'formula' (or 'cif') column (columns: {', '.join(map(str, df.columns))})"))
            for row in df.itertuples(index=False):
                cif, formula = getattr(row, "cif", None), getattr(row, "formula", None)
                if isinstance(cif, str) and cif.strip():  # a structure, relative to the CSV's folder
                    items.append(str((p.parent / cif.strip()) if not Path(cif.strip()).is_absolute() else cif.strip()))
                else:  # an empty row is an empty formula, which --on-error then raises on, warns about or skips
                    items.append(formula.strip() if isinstance(formula, str) else "")
        else:
            items.append(arg)
    return items


SETS_HELP = "Feature set (repeatable): composition, redox, thermo, structure, properties."


@app.command()
def featurize(
    inputs: Annotated[list[str], typer.Argument(help="CSV with a `formula` column (optional `cif` paths), a folder of CIFs, or formulas.")],
    sets: Annotated[list[str], typer.Option("--set", help=SETS_HELP)] = ["composition", "redox"],  # noqa: B006
    on_error: Annotated[str, typer.Option("--on-error", help="raise | skip | warn: what to do with an item that cannot be described")] = "raise",
    out: Annotated[Optional[Path], typer.Option("--out", help="Write .parquet or .csv (by extension) instead of a table.")] = None,
) -> None:
    """Compute descriptors (mirror of matkb.featurize); `properties` describes from the store (--db), and `redox`
    reads its couples there when --db is given."""
    from .featurizers import featurize as run_featurize

    items = _featurize_inputs(inputs)
    with _progress("featurizing") as progress:
        df = _run(run_featurize, items, sets=sets, on_error=on_error, db=_state["db"], progress=lambda d, t: progress("items", d, t))
    for row, why in sorted(df.attrs.get("skipped", {}).items()):
        _err(f"skipped row {row}: {why}")
    if out is not None and out.suffix.lower() == ".parquet":
        df.to_parquet(out, index=False)
    elif out is not None:
        df.to_csv(out, index=False)
    else:
        _emit(df, Format.table, None)
    if out is not None:
        typer.echo(f"{len(df)} item(s) x {df.shape[1] - 1} feature(s) -> {out}")


@app.command()
def schema() -> None:
    """Print the record-file JSON Schema with every vocabulary enum filled in."""
    from .vocab import record_schema

    typer.echo(json.dumps(record_schema(), indent=2))


def run() -> None:  # console-script entry point
    app()


class RankFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


#: the output options shared by `rank` and `predict ...`
TableFormat = Annotated[RankFormat, typer.Option("--format", help="table, csv or json")]
OutFile = Annotated[Optional[Path], typer.Option("--out", help="Write to this file.")]


CitableOnly = Annotated[bool, typer.Option("--citable-only", help=f"Learn only from results and descriptors whose source is citable "
                                          f"{CITABLE_BY} (`matkb info` marks the others); rank retrains and describes "
                                          "the candidates the same way, and ignores it with --model")]

train_app = typer.Typer(help="Train models: the stability model (default) or `train conductivity`.")
app.add_typer(train_app, name="train")


@train_app.callback(invoke_without_command=True)
def train(
    ctx: typer.Context,
    exclude_source: Annotated[Optional[str], typer.Option("--exclude-source", help="Leave out one paper (source id or DOI).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Save the model (skops) and its card (.card.json) here.")] = None,
    min_verification: Annotated[Optional[str], typer.Option("--min-verification", help="value-checked | source-checked | recalled")] = None,
    citable_only: CitableOnly = False,
    bootstrap: Annotated[int, typer.Option(min=0, help="Bootstrap resamples (over papers) for the 95 % intervals.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Train the censoring-aware stability model; print grouped-CV metrics against the baselines."""
    if ctx.invoked_subcommand:
        return
    from .models.stability import train as run_train

    kb, _ = _open(write=False)
    with kb:
        _model, card, cv = _run(run_train, kb, exclude_source=exclude_source, min_verification=min_verification,
                                citable_only=citable_only, bootstrap=bootstrap, seed=seed, out=out)
    meta = cv.table.attrs
    typer.echo(f"{meta['n_rows']} symmetric-cell results on ceramic electrolytes ({meta['n_events']} failures, the rest "
               f"censored) from {meta['n_papers']} papers; {meta['folds']}-fold cross-validation grouped by paper"
               + (f"; {meta['non_ceramic_rows']} results on polymer or composite electrolytes left out"
                  if meta.get("non_ceramic_rows") else ""))
    typer.echo(cv.as_text())
    if out:
        typer.echo(f"saved {out} and {out}.card.json")


class Grid(StrEnum):
    full = "full"
    small = "small"
    fixed = "fixed"


@train_app.command("conductivity")
def train_conductivity(
    out: Annotated[Optional[Path], typer.Option("--out", help="Save here (default: the model `predict conductivity` uses).")] = None,
    grid: Annotated[Grid, typer.Option("--grid", help="Baseline tuning: full (the OBELiX authors' 420 settings), small, or fixed.")] = Grid.small,
    compare: Annotated[bool, typer.Option("--compare/--no-compare", help="Compare with the OBELiX RF baseline on the same folds.")] = True,
    jobs: Annotated[int, typer.Option("--jobs", help="Parallel workers for the forests.")] = 1,
    citable_only: Annotated[bool, typer.Option("--citable-only", help=f"Learn only from conductivities whose source is "
                                               f"citable {CITABLE_BY} (`matkb info` marks the others)")] = False,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Train the room-temperature ionic-conductivity model on the store's OBELiX, Liverpool and curated rows."""
    from .models import conductivity as cond

    path = out or cond.default_model_path()
    kb, _ = _open(write=False)
    with kb, _progress("cross-validating", "model x fold-scheme runs") as bar:
        _model, card, table = _run(cond.train, kb, grid=grid.value, seed=seed, out=path, compare=compare, n_jobs=jobs,
                                   citable_only=citable_only,
                                   progress=lambda done, total: bar("OBELiX folds", done, total))
    if table is not None:
        meta = table.attrs
        typer.echo(f"OBELiX training split: {meta['n_obelix']} entries ({meta['n_nasicon']} NASICON); MAE in log10(S/cm), same folds for every model")
        show = table.drop(columns=["rows"]).copy()
        for c in ("mae", "mae_measured_only", "mae_nasicon"):
            show[c] = show[c].map(lambda v: f"{v:.3f}")
        typer.echo(show.to_string(index=False))
    by = ", ".join(f"{k} {v}" for k, v in card["training_by_dataset"].items())
    typer.echo(f"final model: {card['training_rows']} rows ({by}) from {card['training_dois']} DOIs; "
               f"grouped-by-DOI CV MAE {card['grouped_cv_mae']:.3f} (NASICON {card['grouped_cv_mae_nasicon'] or float('nan'):.3f}); "
               f"{card['interval_level']:.0%} interval +/- {card['interval_halfwidth']:.2f} log10 units")
    typer.echo(f"saved {path} and {path}.card.json")


@app.command()
def rank(
    electrolyte: Annotated[str, typer.Option("--electrolyte", help="Electrolyte name in the store (LATP, LAGP, ...) or a formula.")] = "LATP",
    candidates: Annotated[Optional[Path], typer.Option("--candidates", help="CSV (name, formula, optional redox_potential_V, band_gap_eV, "
                                                          "shear_modulus_GPa, ionic_conductivity_S_cm, class) or a folder of CIFs.")] = None,
    current_density: Annotated[float, typer.Option("--current-density", help="mA/cm^2")] = 0.1,
    capacity: Annotated[float, typer.Option("--capacity", help="mAh/cm^2")] = 0.1,
    temperature: Annotated[float, typer.Option("--temperature", help="degC")] = 25.0,
    model: Annotated[Optional[Path], typer.Option("--model", help="A model saved by `matkb train --out`.")] = None,
    top: Annotated[int, typer.Option("--top", min=0, help="Show the best N (0 = all).")] = 20,
    min_verification: Annotated[Optional[str], typer.Option("--min-verification", help="Train on rows at least this well checked: "
                                                                 "value-checked | source-checked (retrains; ignored with --model)")] = None,
    citable_only: CitableOnly = False,
    fmt: TableFormat = RankFormat.table,
    out: OutFile = None,
) -> None:
    """Rank interlayer candidates for an electrolyte by predicted Li | interlayer | electrolyte lifetime."""
    from .models import stability

    kb, m, card = _model_and_store(model, min_verification, citable_only)
    conditions = {"electrolyte": electrolyte, "current_density": current_density, "capacity": capacity, "temperature": temperature}
    with kb:
        if candidates is not None and candidates.is_file() and top > 0:  # any length: streamed in chunks, the best `top` kept
            with _progress("ranking", "candidates") as bar:
                df = _run(stability.rank_csv, kb, candidates, **conditions, model=m, card=card, top=top,
                          progress=lambda done, total: bar(candidates.name, done, total))
        else:
            cand = None
            if candidates is not None:
                cand = _run(_cif_folder_table if candidates.is_dir() else _read_csv, candidates)
            df = _run(stability.rank, kb, candidates=cand, **conditions, model=m, card=card, top=top,
                      file=str(candidates) if candidates is not None else "candidates")
    if fmt is RankFormat.table:
        _emit(_hours_as_written(df).drop(columns=["nearest_training_distance"]), Format.table, out)
        typer.echo(f"model: {card['training_rows']} training rows, {card['training_events']} failures, "
                   f"{card['training_papers']} papers; lifetimes above {card['horizon_h']:.0f} h are beyond the data (shown as '>')", err=True)
    else:
        _emit(df, Format(fmt.value), out)


predict_app = typer.Typer(help="Predictions for explicit rows (check the model against new papers).", no_args_is_help=True)
app.add_typer(predict_app, name="predict")


@predict_app.command("stability")
def predict_stability(
    input_csv: Annotated[Path, typer.Option("--input", help="CSV: electrolyte, interlayer ('none' = bare), current_density_mA_cm2, "
                                                             "areal_capacity_mAh_cm2, temperature_C, optional pressure_MPa; other columns pass through")],
    model: Annotated[Optional[Path], typer.Option("--model", help="A model saved by `matkb train --out`.")] = None,
    fmt: TableFormat = RankFormat.csv,
    out: OutFile = None,
) -> None:
    """Predicted lifetime, interval, potential gap and applicability for each input row."""
    import pandas as pd

    from .models.stability import predict_rows

    rows = _run(_read_csv, input_csv)
    need = ["electrolyte", "interlayer", "current_density_mA_cm2", "areal_capacity_mAh_cm2", "temperature_C"]
    missing = [c for c in need if c not in rows.columns]
    if missing:
        _fail(MatkbError(f"{input_csv}: missing column(s) {', '.join(missing)} (columns: {', '.join(map(str, rows.columns))})"))
    feats = rows.copy()
    feats["wetting_agent"] = feats.get("wetting_agent", 0.0)
    feats["pressure_MPa"] = feats.get("pressure_MPa", float("nan"))
    kb, m, card = _model_and_store(model)
    with kb:
        pred = _run(predict_rows, kb, feats, m, card, file=str(input_csv))
    result = pd.concat([rows.reset_index(drop=True), pred.drop(columns=["risk"])], axis=1)
    _emit(result, Format(fmt.value), out)


@predict_app.command("conductivity")
def predict_conductivity(
    input_csv: Annotated[Path, typer.Option("--input", help="CSV with a `formula` column and an optional `cif` column "
                                                         "(paths relative to the CSV's folder); other columns pass through")],
    model: Annotated[Optional[Path], typer.Option("--model", help="A model saved by `matkb train conductivity --out`.")] = None,
    fmt: TableFormat = RankFormat.csv,
    out: OutFile = None,
) -> None:
    """Predicted room-temperature log10 ionic conductivity with a 90 % interval for each formula."""
    import pandas as pd

    from .models import conductivity as cond

    rows = _run(_read_csv, input_csv)
    kb, _ = _open(write=False)
    with kb:
        m, card = _run(cond.load, model, schema_version=kb.schema_version)
    pred = _run(cond.predict, rows, m, card, str(input_csv), input_csv.parent)
    _emit(pd.concat([rows.reset_index(drop=True), pred], axis=1), Format(fmt.value), out)


def _read_csv(path: Path):
    import pandas as pd

    try:
        return pd.read_csv(path, dtype={"name": str})  # a candidate called 1 or 1e3 keeps its name as written
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise MatkbError(f"{path}: not a readable CSV ({exc})") from exc


@app.command()
def suggest(
    electrolyte: Annotated[str, typer.Option("--electrolyte", help="Electrolyte name or formula.")] = "LATP",
    n: Annotated[int, typer.Option("--n", min=1, help="How many to suggest.")] = 5,
    model: Annotated[Optional[Path], typer.Option("--model", help="A model saved by `matkb train --out`.")] = None,
) -> None:
    """Untested candidates whose results would teach the model most (widest interval, farthest from the data)."""
    from .models.stability import suggest as run_suggest

    kb, m, card = _model_and_store(model)
    with kb:
        df = _run(run_suggest, kb, electrolyte=electrolyte, n=n, model=m, card=card)
    _emit(_hours_as_written(df)[["candidate", "formula", "class", "lower_h", "upper_h", "interval_open", "interval_width_h",
                                 "nearest_training_distance", "potential_gap_V", "in_domain"]], Format.table, None)


def _hours_as_written(df):
    """Predicted lifetime and its interquartile interval as text with their qualifiers ('>2000' beyond the data), for
    tables; CSV, JSON and Parquet keep the number and the qualifier in separate columns."""
    show = df.copy()
    for col, qual in (("predicted_lifetime_h", "qualifier"), ("lower_h", "lower_qualifier"), ("upper_h", "upper_qualifier")):
        if col in show and qual in show:
            show[col] = [f"{q if q != '=' else ''}{v:.0f}" for q, v in zip(show[qual], show[col], strict=True)]
            show = show.drop(columns=[qual])
    return show


plot_app = typer.Typer(help="Figures: Arrhenius plot, potential ladder, candidate ranking, cell lifetimes (PNG, SVG or PDF).",
                       no_args_is_help=True)
app.add_typer(plot_app, name="plot")
OutFigure = Annotated[Optional[Path], typer.Option("--out", help="Figure file: .png, .svg or .pdf (default: KIND.png here).")]


def _save_figure(make, kind: str, out: Optional[Path]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from . import plots

    out = out or Path(f"{kind}.png")
    _run(plots.figure_format, out)  # before any slow work
    kb, _ = _open(write=False)
    with kb:
        fig = _run(make, kb)
    path = _run(plots.save, fig, out)
    typer.echo(f"wrote {path}")


@plot_app.command("arrhenius")
def plot_arrhenius(material: Annotated[str, typer.Argument(help="Material name, id or formula (LATP, LAGP, ...).")], out: OutFigure = None) -> None:
    """ln(sigma T) against 1000/T from every stored conductivity of a material, fitted lines and activation energies."""
    from . import plots

    _save_figure(lambda kb: plots.arrhenius(kb, material), "arrhenius", out)


@plot_app.command("ladder")
def plot_ladder(stack: Annotated[str, typer.Argument(help='Cell stack, e.g. "Li/IL@PB@LATP/Li".')], out: OutFigure = None) -> None:
    """The potential ladder of a stack: each layer's potential vs Li/Li+ and the electron-blocking verdicts."""
    from . import plots

    _save_figure(lambda kb: plots.ladder(kb, stack), "ladder", out)


@plot_app.command("ranking")
def plot_ranking(
    electrolyte: Annotated[str, typer.Option("--electrolyte", help="Electrolyte name or formula.")] = "LATP",
    top: Annotated[int, typer.Option("--top", min=1, help="How many candidates.")] = 15,
    model: Annotated[Optional[Path], typer.Option("--model", help="A model saved by `matkb train --out`.")] = None,
    out: OutFigure = None,
) -> None:
    """The best candidates with prediction intervals, coloured by class, the physics baseline beside them."""
    from . import plots

    def make(kb):
        m, card = _model_for(kb, model)
        return plots.ranking(kb, electrolyte, top=top, model=m, card=card)

    _save_figure(make, "ranking", out)


@plot_app.command("lifetimes")
def plot_lifetimes(
    electrolyte: Annotated[Optional[str], typer.Option("--electrolyte", help="Only cells on this electrolyte.")] = None,
    working_ion: Annotated[Optional[str], typer.Option("--working-ion", help="Li or Na.")] = None,
    out: OutFigure = None,
) -> None:
    """Symmetric-cell lifetime against current density for every stored cell; censored results as lower bounds."""
    from . import plots

    _save_figure(lambda kb: plots.lifetimes(kb, electrolyte, working_ion), "lifetimes", out)


def _model_and_store(model_path: Optional[Path], min_verification: Optional[str] = None, citable_only: bool = False):
    kb, _ = _open(write=False)
    return (kb, *_model_for(kb, model_path, min_verification, citable_only))


def _model_for(kb, model_path: Optional[Path], min_verification: Optional[str] = None, citable_only: bool = False):
    """The stability model a command uses on ``kb``: a saved one, one trained on a chosen subset of rows, or the default."""
    from .models import persist
    from .models.stability import FEATURES, default_model, train

    if model_path is not None:
        m, card = _run(persist.load, model_path, features=FEATURES, schema_version=kb.schema_version)
    elif min_verification or citable_only:
        rows = " and ".join(filter(None, [min_verification and f"{min_verification} rows or better",
                                          citable_only and "rows and descriptors from citable sources"]))
        _err(f"training a stability model on {rows} ...")
        m, card, _cv = _run(train, kb, min_verification=min_verification, citable_only=citable_only, bootstrap=0)
    else:
        m, card, _path = _run(default_model, kb, _err)
    return m, card


def _cif_folder(folder: Path) -> list:
    """(path, Structure) for every CIF in ``folder``, sorted; an unreadable CIF is an error naming it."""
    from .featurizers.structure import load_structure

    out = []
    for cif in sorted(folder.glob("*.cif")):
        try:
            out.append((cif, load_structure(str(cif))))
        except ValueError as exc:
            raise MatkbError(f"{cif}: {exc}") from exc
    return out


def _cif_folder_table(folder: Path):
    """A candidate table from a folder of CIFs: name = file stem, formula = the structure's reduced formula."""
    import pandas as pd

    rows = [{"name": cif.stem, "formula": s.composition.reduced_formula} for cif, s in _cif_folder(folder)]
    if not rows:
        raise MatkbError(f"{folder}: no .cif files")
    return pd.DataFrame(rows)
