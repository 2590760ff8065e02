"""The Python API of the store commands: ``open``, ``init``, ``validate`` and the methods of
:class:`~matkb.store.Store` (``ingest``, ``sql``, ``info``, ``export``, ``cell``, ``import_dataset``) mirror ``matkb
init|ingest|validate|sql|info|export|cell|import``. The model commands mirror functions of
:mod:`matkb.models.stability` (``train``, ``rank``, ``rank_csv``, ``suggest``, ``predict_rows``) and
:mod:`matkb.models.conductivity`; ``featurize`` is :func:`matkb.featurize`; ``plot`` is :mod:`matkb.plots`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .store import Store


def resolve_db(db: str | os.PathLike | None = None, log=None) -> tuple[Path, bool]:
    """The store to use: ``db``, else ``$MATKB_DB``, else the embedded default. Returns (path, is_default)."""
    if db:
        return Path(db), False
    env = os.environ.get("MATKB_DB")
    if env:
        return Path(env), False
    from .default import ensure_default_store

    return ensure_default_store(log), True


def open(db: str | os.PathLike | None = None, *, write: bool = True) -> Store:  # noqa: A001 - mirrors duckdb.connect
    """Open a store (the embedded default when ``db`` is None and MATKB_DB is unset).

    >>> import matkb
    >>> kb = matkb.open()                                  # doctest: +SKIP
    >>> kb.sql("SELECT * FROM interlayer_best_lifetime")   # doctest: +SKIP
    """
    path, _ = resolve_db(db)
    return Store(path, read_only=not write)


def init(db: str | os.PathLike) -> Store:
    """Create an empty store at ``db`` (or migrate an existing one to the current schema)."""
    kb = Store(db)
    _ = kb.con
    return kb


def validate(paths: Iterable[str | os.PathLike] | None = None, db: str | os.PathLike | None = None):
    """Validate record files; materials and sources already in the store may be referred to.

    Returns the :class:`~matkb.records.Compiled` result (``.errors``, ``.warnings``).
    """
    from .paths import datasets_dir
    from .records import compile_records, definitions_catalog

    if db is not None or os.environ.get("MATKB_DB"):
        path, _ = resolve_db(db)
        with Store(path, read_only=True) as kb:
            return kb.validate(paths)
    # no store named: refer to what the shipped datasets define, without building anything
    return compile_records(list(paths) if paths else [datasets_dir()], definitions_catalog([datasets_dir()]))
