"""The DuckDB store: open, migrate, query, ingest (all or nothing), describe.

One :class:`Store` per file and process; the connection is opened lazily and
closed deliberately. Schema versions live in ``schemas/migrations/NNNN_*.sql``
and are applied in order, each in its own transaction, recorded in
``schema_migrations``; views (``schemas/views.sql``) are re-created whenever
they change. Every write goes through :meth:`Store.atomic`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import MatkbError, NotFound, ReadOnlyError, StoreBusy, StoreError, ValidationFailed
from .paths import schemas_dir
from .vocab import levels_at_least

#: meta key under which the default store records the fingerprint of the datasets it was built from
FINGERPRINT_KEY = "datasets_fingerprint"

#: statement types that read the store (and settings of the connection): anything else runs only with write=True
_READING_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "CALL", "SET", "VARIABLE_SET"})

# order matters: rows are written parents first
WRITE_ORDER = (
    "sources", "materials", "properties", "redox_couples", "structures", "cells", "cell_layers", "cycling_results", "observations",
    "external_conductivities",
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    out = []
    for p in sorted((schemas_dir() / "migrations").glob("*.sql")):
        m = re.match(r"(\d+)_(.+)\.sql$", p.name)
        if m:
            out.append(Migration(int(m[1]), m[2], p.read_text(encoding="utf-8")))
    versions = [m.version for m in out]
    if versions != list(range(1, len(out) + 1)):
        raise StoreError(f"migrations in {schemas_dir() / 'migrations'} must be numbered 1..n, found {versions}")
    return out


def latest_version() -> int:
    return migrations()[-1].version


def _views_sql() -> str:
    return (schemas_dir() / "views.sql").read_text(encoding="utf-8")


def _translate(exc: Exception, path: Path) -> MatkbError:
    """Turn DuckDB's lock and read-only errors into matkb's own, with the fix."""
    msg = str(exc)
    if "Could not set lock" in msg or "Conflicting lock" in msg:
        pid = re.search(r"PID (\d+)", msg)
        who = f" (PID {pid[1]})" if pid else ""
        return StoreBusy(f"store is busy: {path} is in use by another process{who} (DuckDB lets one process write, or "
                         "several read); try again when it has finished")
    if "read-only mode" in msg or "read only mode" in msg:
        return ReadOnlyError(f"the store {path} is open read-only; pass --write (Python: write=True) to change it")
    return StoreError(f"{path}: {msg}")


@dataclass
class IngestReport:
    files: list[str]
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    #: rows this write owned (its files' earlier rows, or the dataset's earlier entries) that it no longer produces
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def totals(self) -> tuple[int, int, int]:
        return sum(self.added.values()), sum(self.updated.values()), sum(self.unchanged.values())


class Store:
    """A matkb knowledge store in one DuckDB file.

    >>> kb = Store("kb.duckdb")          # doctest: +SKIP
    >>> kb.ingest(["datasets/"])         # doctest: +SKIP
    >>> kb.sql("SELECT count(*) FROM cycling_results")   # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike, *, read_only: bool = False, migrate: bool = True,
                 log: Callable[[str], None] | None = None):
        self.path = Path(path)
        self.read_only = read_only
        self._migrate = migrate
        self._log = log  #: told when opening migrates an older store (the CLI prints it)
        self._con = None

    # ------------------------------------------------------------------ connection
    @property
    def con(self):
        if self._con is None:
            self._con = self._connect()
        return self._con

    def _raw_connect(self, read_only: bool):
        import duckdb

        if read_only and not self.path.exists():
            raise StoreError(f"no store at {self.path} (create it with `matkb --db {self.path} init`)")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return duckdb.connect(str(self.path), read_only=read_only)
        except (duckdb.IOException, duckdb.InvalidInputException) as exc:
            raise _translate(exc, self.path) from exc
        except duckdb.Error as exc:
            raise StoreError(f"{self.path} is not a usable DuckDB file: {exc}") from exc

    def _connect(self):
        con = self._raw_connect(self.read_only)
        version = _schema_version(con)
        if version > latest_version():
            con.close()
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this matkb {__version__} "
                f"understands ({latest_version()}); upgrade matkb"
            )
        if self._migrate and (version < latest_version() or _views_stale(con)):
            if self._log and version < latest_version():
                self._log(f"note: migrating {self.path} from schema {version} to {latest_version()} (no row is lost; "
                          "an older matkb cannot open it afterwards)")
            if self.read_only:  # migrate with a short write connection, then reopen read-only
                con.close()
                rw = self._raw_connect(False)
                try:
                    _migrate(rw)
                finally:
                    rw.close()
                con = self._raw_connect(True)
            else:
                _migrate(con)
        return con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ schema
    @property
    def schema_version(self) -> int:
        return _schema_version(self.con)

    def pending_migrations(self) -> list[Migration]:
        v = self.schema_version
        return [m for m in migrations() if m.version > v]

    # ------------------------------------------------------------------ transactions
    @contextlib.contextmanager
    def atomic(self) -> Iterator[Any]:
        """One transaction around a block of writes: commit on success, roll back on any error."""
        if self.read_only:
            raise ReadOnlyError(f"the store {self.path} is open read-only; pass --write (Python: write=True) to change it")
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        else:
            con.execute("COMMIT")

    # ------------------------------------------------------------------ queries
    def sql(self, query: str, params: list | dict | None = None, *, write: bool = False):
        """Run SQL and return a pandas DataFrame (empty for statements without a result).

        Like ``matkb sql``, only reading statements run unless ``write=True`` (``matkb sql --write``); several
        statements with ``write=True`` run in one transaction, so a failing one undoes the others.
        """
        import duckdb

        try:
            statements = self.con.extract_statements(query)
            if not statements:
                raise StoreError("no SQL statement to run (the query is empty or only comments)")
            writing = [st for st in statements if st.type.name not in _READING_STATEMENTS]
            if writing and not write:
                raise ReadOnlyError(f"{writing[0].type.name} changes the store or writes a file; matkb runs it only when "
                                    f"asked to write: pass --write (Python: write=True)")
            own_transaction = write and not self.read_only and len(statements) > 1 and not any(
                st.type.name == "TRANSACTION" for st in statements)
            with self.atomic() if own_transaction else contextlib.nullcontext():
                rel = self.con.execute(query, params) if params is not None else self.con.execute(query)
                if rel.description is None:
                    import pandas as pd

                    return pd.DataFrame()
                return rel.df()
        except duckdb.Error as exc:
            err = _translate(exc, self.path)
            if isinstance(err, (ReadOnlyError, StoreBusy)):
                raise err from exc
            raise StoreError(f"SQL error: {exc}") from exc

    def table_counts(self) -> dict[str, int]:
        return {t: self.con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in WRITE_ORDER}

    def meta(self, key: str) -> str | None:
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ catalog
    def catalog(self):
        from .records import Catalog

        mats = {}
        for mid, name, formula, cls, roles, aliases, ion in self.con.execute(
            "SELECT material_id, name, formula, class, roles, aliases, working_ion FROM materials"
        ).fetchall():
            mats[mid] = {"material_id": mid, "name": name, "formula": formula, "class": cls, "roles": list(roles),
                         "aliases": list(aliases or []), "working_ion": ion}
        srcs = {sid: {"source_id": sid, "doi": doi, "verification": v, "checked_url": u, "kind": kind}
                for sid, doi, v, u, kind in self.con.execute(
                    "SELECT source_id, doi, verification, checked_url, kind FROM sources").fetchall()}
        return Catalog(materials=mats, sources=srcs)

    # ------------------------------------------------------------------ validate / ingest
    def validate(self, paths: Iterable[str | os.PathLike] | None = None):
        """Check record files against this store's materials and sources; return the Compiled result.
        A store that does not exist yet has none, and is not created by checking against it."""
        from .paths import datasets_dir
        from .records import Catalog, compile_records

        catalog = self.catalog() if self._con is not None or self.path.exists() else Catalog()
        return compile_records(list(paths) if paths else [datasets_dir()], catalog)

    def ingest(
        self,
        paths: Iterable[str | os.PathLike] | None = None,
        *,
        replace: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
        chunk_size: int = 2000,
    ) -> IngestReport:
        """Validate and write record files in ONE transaction.

        Any error and nothing at all is written (:class:`ValidationFailed`
        lists every problem). Ingesting the same files twice changes nothing.
        The store then holds what the files say: a row that an ingested file
        wrote before and no longer produces (an edited id, a changed
        condition) is removed. A file may not change a row another file wrote
        (the same source, material or cell id with other content) unless
        ``replace=True`` (CLI ``--replace``).
        ``progress(table, done, total)`` is called while writing.
        """
        compiled = self.validate(paths)
        if compiled.errors:
            raise ValidationFailed(compiled.issues)
        report = IngestReport(files=compiled.files, warnings=compiled.warnings)
        owns = _origin_owner(compiled.files)
        return self.write_rows(compiled.rows, report, owns=lambda table, row: owns(row.get("origin")),
                               foreign_changes="allow" if replace else "refuse", progress=progress, chunk_size=chunk_size)

    def write_rows(
        self,
        rows_by_table: dict[str, list[dict]],
        report: IngestReport,
        *,
        owns: Callable[[str, dict], bool] | None = None,
        foreign_changes: str = "allow",
        progress: Callable[[str, int, int], None] | None = None,
        chunk_size: int = 2000,
    ) -> IngestReport:
        """Upsert checked rows, parents first, in one transaction; fill ``report``'s counts.

        A row whose key exists with the same content is left alone ("unchanged");
        the file a row came from (``origin``) is bookkeeping, not content.
        ``owns(table, stored_row)`` says which stored rows this write speaks for: those of the tables given that it
        does not produce again are removed (a cell's layers belong to their cell). With ``foreign_changes="refuse"``
        a changed row that this write does not own is an error (:class:`ValidationFailed`) and nothing is written.
        """
        plan, stale, foreign = [], [], []
        owned_cells: set[str] = set()

        def owned(table: str, stored: dict) -> bool:
            if table == "cell_layers":  # a cell's layers belong to their cell
                return stored["cell_id"] in owned_cells
            return owns is not None and owns(table, stored)

        tables = [t for t in WRITE_ORDER if t in rows_by_table] + [t for t in rows_by_table if t not in WRITE_ORDER]
        for table in tables:
            rows = rows_by_table[table]
            if not rows and owns is None:
                continue
            cols = [d[0] for d in self.con.execute(f'SELECT * FROM "{table}" LIMIT 0').description]
            existing = {r[0]: dict(zip(cols, r, strict=True)) for r in self.con.execute(f'SELECT * FROM "{table}"').fetchall()}
            content = [i for i, c in enumerate(cols) if c != "origin"]
            fresh, changed, same = [], [], 0
            for row in rows:
                tup = tuple(_normalise(row.get(c)) for c in cols)
                old = existing.get(tup[0])
                if old is None:
                    fresh.append(tup)
                elif [_normalise(old[cols[i]]) for i in content] != [tup[i] for i in content]:
                    if foreign_changes == "refuse" and table != "cell_layers" and not owned(table, old):
                        foreign.append((table, row, old.get("origin")))
                    changed.append(tup)
                else:
                    same += 1
            new_keys = {r[cols[0]] for r in rows}
            if table == "cells":
                owned_cells.update(new_keys, (k for k, old in existing.items() if owned(table, old)))
            gone = [k for k, old in existing.items() if k not in new_keys and owned(table, old)] if owns is not None else []
            report.added[table], report.updated[table], report.unchanged[table] = len(fresh), len(changed), same
            report.removed[table] = len(gone)
            if gone:
                stale.append((table, cols[0], gone))
            if fresh or changed:
                plan.append((table, cols, fresh + changed))
        if foreign:
            raise ValidationFailed([_foreign_change(table, row, origin) for table, row, origin in foreign])
        total = sum(len(p[2]) for p in plan)
        with self.atomic() as con:
            for table, key, keys in reversed(stale):  # children first
                con.execute(f'DELETE FROM "{table}" WHERE "{key}" IN (SELECT unnest(?))', [keys])
            done = 0
            if progress and total:
                progress(plan[0][0], 0, total)
            for table, cols, tuples in plan:
                types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?", [table]).fetchall())
                for start in range(0, len(tuples), chunk_size):
                    chunk = tuples[start:start + chunk_size]
                    _insert_or_replace(con, table, cols, types, chunk)
                    done += len(chunk)
                    if progress:
                        progress(table, done, total)
            a, u, s = report.totals
            con.execute(
                "INSERT INTO ingest_log (matkb, files, added, updated, unchanged, warnings) VALUES (?, ?, ?, ?, ?, ?)",
                [__version__, report.files, a, u, s, len(report.warnings)],
            )
        featurized = sys.modules.get("matkb.featurizers.properties")
        if (plan or stale) and featurized is not None:  # descriptors read from this store before the write are stale now
            featurized.clear_cache()
        return report

    def import_dataset(self, dataset: str, path: str | os.PathLike, *, progress=None) -> IngestReport:
        """Import an external dataset (``"obelix"`` or ``"liverpool"``) from its file or folder; see :mod:`matkb.external`."""
        from .external import import_dataset

        return import_dataset(self, dataset, path, progress=progress)

    def set_meta(self, key: str, value: str) -> None:
        with self.atomic() as con:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    @property
    def citable_only(self) -> bool:
        """Whether every source in this store can be cited (as in a :meth:`citable_copy`), so a copy would change nothing."""
        return self.con.execute("SELECT NOT EXISTS (SELECT 1 FROM sources WHERE NOT citable)").fetchone()[0]

    @contextlib.contextmanager
    def citable_copy(self) -> Iterator[Store]:
        """A temporary copy of this store without anything from the sources that cannot be cited (`sources.citable`
        false): their properties, redox couples, structures, cells with their layers and results, observations, and
        the descriptor cache computed while they were present. `--citable-only` trains and ranks on it, so that the
        descriptors, not only the training rows, come from papers a reader can find again. Materials stay: a
        material is a name, not a claim. This store is not changed. (The formula-based reduction potential of an
        electrolyte without a stored one reads the redox couples of the store it describes, so in the copy only
        citable couples.)"""
        import tempfile

        from .featurizers.properties import clear_cache

        with tempfile.TemporaryDirectory(prefix="matkb-citable-") as tmp:
            path = Path(tmp) / "citable.duckdb"
            self._copy_to(path, citable_only=True)
            copy = Store(path)
            try:
                yield copy
            finally:
                copy.close()
                clear_cache(path)

    def export(self, path: str | os.PathLike, *, citable_only: bool = False) -> Path:
        """Write a copy of this store to the new file ``path``: all of it, or with ``citable_only`` without anything
        from the sources that cannot be cited (as :meth:`citable_copy`). The copy is built beside ``path`` and renamed
        into place, so ``path`` ends up a complete store or does not exist; an existing file is never replaced."""
        path = Path(path)
        if path.exists():
            raise MatkbError(f"{path} exists; export writes a new file and never replaces one")
        if not path.parent.is_dir():
            raise MatkbError(f"{path}: the folder {path.parent} does not exist")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
        try:
            self._copy_to(tmp, citable_only=citable_only)
            if path.exists():  # created by someone else meanwhile
                raise MatkbError(f"{path} appeared while the copy was written; nothing was replaced")
            os.replace(tmp, path)
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
                leftover.unlink(missing_ok=True)
        return path

    def _copy_to(self, path: Path, *, citable_only: bool) -> None:
        """Copy this store into the new DuckDB file ``path`` (closed again when this returns)."""
        import uuid

        name = self.con.execute("SELECT current_database()").fetchone()[0]
        quoted = str(path).replace("'", "''")
        alias = f"matkb_copy_{uuid.uuid4().hex}"  # never the name of the store itself (a file called matkb_copy.duckdb)
        self.con.execute(f"ATTACH '{quoted}' AS {alias} (READ_WRITE)")
        try:
            self.con.execute(f'COPY FROM DATABASE "{name}" TO {alias}')
        finally:
            self.con.execute(f"DETACH {alias}")
        if not citable_only:
            return
        with Store(path) as copy, copy.atomic() as con:
            # a row rests on its source and on every source it also cites; a cell's layers and results rest on the cell
            ids = "(SELECT list(source_id) FROM sources WHERE NOT citable)"
            columns = {(t, c) for t, c in con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()}

            def rests_on_uncitable(table: str) -> str:
                parts = [f"list_contains({ids}, source_id)"] if (table, "source_id") in columns else []
                if (table, "also_cites") in columns:
                    parts.append(f"list_has_any(coalesce(also_cites, []), {ids})")
                if (table, "cell_id") in columns and table != "cells":
                    parts.append(f"cell_id IN (SELECT cell_id FROM cells WHERE {rests_on_uncitable('cells')})")
                return " OR ".join(parts) or "false"

            for table in reversed(WRITE_ORDER):  # children before parents, `sources` last
                con.execute(f"DELETE FROM {table} WHERE {rests_on_uncitable(table)}")
            con.execute("DELETE FROM feature_cache")

    # ------------------------------------------------------------------ info
    def info(self) -> dict[str, Any]:
        counts = self.table_counts()
        from .vocab import verification_sql

        ver = self.con.execute(
            f"SELECT \"table\", verification, n FROM verification_summary ORDER BY 1, {verification_sql()}").fetchall()  # best first
        shares: dict[str, dict[str, float]] = {}
        for table, level, n in ver:
            shares.setdefault(table, {})[level] = n
        for table, levels in shares.items():
            tot = sum(levels.values())
            shares[table] = {lvl: round(100.0 * n / tot, 1) for lvl, n in levels.items()}
        sources = [
            {"source_id": sid, "doi": doi or "", "year": year, "verification": level, "title": title, "citable": cite,
             "recalled": recalled or []}
            for sid, doi, year, level, title, cite, recalled in self.con.execute(
                "SELECT source_id, doi, year, verification, title, citable, recalled FROM sources ORDER BY source_id").fetchall()
        ]
        return {
            "path": str(self.path),
            "schema_version": self.schema_version,
            "matkb_version": __version__,
            "counts": counts,
            "verification_percent": shares,
            "coverage": self._coverage(),
            "sources": sources,
            "datasets_fingerprint": self.meta(FINGERPRINT_KEY),
        }

    def _coverage(self) -> dict[str, int]:
        """How much of the record is there: studies with cells, results with a measured outcome, checked sources."""
        from .records import CYCLING_CONDITIONS, CYCLING_FIELDS

        outcome = " OR ".join(f"{col} IS NOT NULL" for f, (_, col, _hi) in CYCLING_FIELDS.items() if f not in CYCLING_CONDITIONS)
        row = self.con.execute(f"""
            SELECT (SELECT count(DISTINCT source_id) FROM cells),
                   (SELECT count(DISTINCT source_id) FROM cells WHERE working_ion = 'Na'),
                   (SELECT count(DISTINCT source_id) FROM cells JOIN sources USING (source_id) WHERE doi IS NOT NULL),
                   (SELECT count(*) FROM cycling_results),
                   (SELECT count(*) FROM cycling WHERE citable),
                   (SELECT count(*) FROM cycling_results WHERE {outcome}
                        OR (test = 'critical_current_density' AND current_density_mA_cm2 IS NOT NULL)),
                   (SELECT count(*) FROM sources),
                   (SELECT count(*) FROM sources WHERE doi IS NOT NULL),
                   (SELECT count(*) FROM sources WHERE citable),
                   (SELECT count(*) FROM sources WHERE citable AND recalled IS NOT NULL),
                   (SELECT count(*) FROM sources WHERE list_contains(?, verification)),
                   (SELECT count(*) FROM materials WHERE list_contains(roles, 'interlayer')),
                   (SELECT count(DISTINCT coalesce(m.reduced_formula, m.material_id)) FROM properties p JOIN materials m USING (material_id)
                        WHERE p.property = 'ionic_conductivity' AND p.temperature_C IS NOT NULL AND m.class = 'NASICON'),
                   (SELECT count(*) FROM interlayer_candidates),
                   (SELECT count(*) FROM interlayer_candidates
                        WHERE material_id NOT IN (SELECT material_id FROM cell_layers WHERE material_id IS NOT NULL))""",
            [list(levels_at_least("source-checked"))]).fetchone()
        keys = ("studies_with_cells", "studies_with_na_cells", "studies_with_doi", "cycling_results", "cycling_results_citable",
                "cycling_results_with_outcome", "sources", "sources_with_doi", "sources_citable", "sources_citable_recalled",
                "sources_source_checked_or_better",
                "interlayer_materials",
                "nasicon_compositions_with_conductivity", "candidates", "candidates_untested")
        return dict(zip(keys, row, strict=True))

    # ------------------------------------------------------------------ cells
    def cell(self, stack: str, cell_type: str | None = None):
        """Parse ``stack`` against the store's materials; see :mod:`matkb.ladder`."""
        from .ladder import describe_stack

        return describe_stack(self, stack, cell_type)

    def resolve_material(self, name: str) -> str:
        mid = self.material_resolver()(name)
        if mid is None:
            raise NotFound(f"no material {name!r} in {self.path} (see `matkb sql \"SELECT material_id, name FROM materials\"`)")
        return mid

    def material_resolver(self):
        """``name -> material id or None`` from one query, for resolving a whole table of names.

        The rule: the id itself first, then an alias or the material's name, then the id ignoring case, then an alias
        or name ignoring case; surrounding spaces are ignored. The descriptors read names by this rule too.
        """
        exact: dict[str, str] = {}
        other: dict[str, str] = {}
        lower: dict[str, str] = {}
        other_lower: dict[str, str] = {}
        for mid, name, aliases in self.con.execute("SELECT material_id, name, aliases FROM materials ORDER BY material_id").fetchall():
            exact[mid] = mid
            lower.setdefault(mid.lower(), mid)
            for alias in (*(aliases or []), name):
                if alias is not None:
                    other.setdefault(alias, mid)
                    other_lower.setdefault(alias.lower(), mid)

        def resolve(name):  # surrounding spaces are not part of a name (" LATP" is LATP)
            key = str(name).strip()
            return exact.get(key) or other.get(key) or lower.get(key.lower()) or other_lower.get(key.lower())

        return resolve


def _origin_owner(files: Iterable[str]) -> Callable[[str | None], bool]:
    """Whether a stored row's ``origin`` is one of ``files``: the same path as written, or the same file (an origin is
    stored as the path was typed, relative to the working folder of that ingest)."""
    names = set(files)
    resolved = {Path(f).resolve() for f in names}

    def owns(origin: str | None) -> bool:
        return origin is not None and (origin in names or Path(origin).resolve() in resolved)

    return owns


def _foreign_change(table: str, row: dict, origin: str | None):
    from .errors import Issue
    from .records import TABLE_KEYS

    key = TABLE_KEYS.get(table, "key")
    return Issue("error", row.get("origin") or "", row.get("_where") or table, key, row.get(key),
                 f"{table} {row.get(key)!r} is already in the store, written by {origin or 'another import'} with other "
                 "content; a record file changes only the rows it wrote itself (edit that file and ingest it again, "
                 "use another id, or pass --replace (Python: replace=True) to overwrite it)", "duplicate")


def _normalise(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(v)
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return float(v)
    return v


def _insert_or_replace(con, table: str, cols: list[str], types: dict[str, str], tuples: list[tuple]) -> None:
    import pandas as pd

    df = pd.DataFrame.from_records([tuple(list(v) if isinstance(v, tuple) else v for v in t) for t in tuples], columns=cols)
    con.register("_matkb_new", df)
    try:
        select = ", ".join(f'CAST("{c}" AS {types[c]}) AS "{c}"' for c in cols)
        con.execute(f'INSERT OR REPLACE INTO "{table}" SELECT {select} FROM _matkb_new')
    finally:
        con.unregister("_matkb_new")


def _schema_version(con) -> int:
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
    if "schema_migrations" not in tables:
        if tables:
            raise StoreError(f"not a matkb store: it has tables ({', '.join(sorted(tables)[:5])}) but no schema_migrations")
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def _views_hash() -> str:
    return hashlib.sha256(_views_sql().encode()).hexdigest()[:16]


def _views_stale(con) -> bool:
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'views_hash'").fetchone()
    except Exception:
        return True
    return row is None or row[0] != _views_hash()


def _migrate(con, target: int | None = None) -> None:
    target = latest_version() if target is None else target
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP DEFAULT current_timestamp)"
    )
    current = _schema_version(con)
    for m in migrations():
        if current < m.version <= target:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(m.sql)
                con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [m.version, m.name])
                con.execute("COMMIT")
            except Exception as exc:
                con.execute("ROLLBACK")
                raise StoreError(f"migration {m.version} ({m.name}) failed: {exc}") from exc
    if target == latest_version():
        con.execute("BEGIN TRANSACTION")
        con.execute(_views_sql())
        con.execute("INSERT OR REPLACE INTO meta VALUES ('views_hash', ?)", [_views_hash()])
        con.execute("COMMIT")


def create_store(path: str | os.PathLike, *, version: int | None = None) -> Store:
    """Create (or migrate) a store at ``path`` up to ``version`` (default: latest). For tests of migration."""
    store = Store(path, migrate=False)
    _migrate(store.con, version)
    return store
