"""The embedded default store: built from the shipped datasets on first use, rebuilt when they change."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .paths import datasets_dir, default_store_path
from .store import FINGERPRINT_KEY


def current_fingerprint() -> str:
    from . import __version__
    from .records import shipped_fingerprint

    return f"{__version__}:{shipped_fingerprint(datasets_dir())}"


def is_current(path: Path, fingerprint: str) -> bool:
    import duckdb

    if not path.exists():
        return False
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return False  # busy or broken: rebuild (busy: the writer will finish a fresh copy)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = ?", [FINGERPRINT_KEY]).fetchone()
    except duckdb.Error:
        return False
    finally:
        con.close()
    return row is not None and row[0] == fingerprint


def ensure_default_store(log: Callable[[str], None] | None = None) -> Path:
    """Return the default store's path, building it from ``datasets/`` first if needed.

    The new store is built in a temporary file and moved into place with
    ``os.replace``, so a reader never sees a half-built store.
    """
    from .store import Store

    path = default_store_path()
    fingerprint = current_fingerprint()
    if is_current(path, fingerprint):
        return path
    if log:
        log(f"building the default store at {path} from the shipped datasets ...")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.building")
    for p in (tmp, Path(str(tmp) + ".wal")):
        p.unlink(missing_ok=True)
    try:
        with Store(tmp) as kb:
            kb.ingest([datasets_dir()])
            kb.set_meta(FINGERPRINT_KEY, fingerprint)
            kb.set_meta("built_from", str(datasets_dir()))
        os.replace(tmp, path)
    finally:
        for p in (tmp, Path(str(tmp) + ".wal")):
            p.unlink(missing_ok=True)
    return path
