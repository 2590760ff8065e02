"""Where matkb finds its schemas, its shipped datasets and the default store.

A source checkout keeps ``schemas/`` and ``datasets/`` beside the package; a
wheel carries copies inside the package (``matkb/_data/``). Both layouts are
supported so that an editable and a regular install behave the same.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"matkb cannot find its {name}/ folder (looked in {_PKG / '_data' / name} and "
        f"{_PKG.parent / name}); reinstall matkb"
    )


@cache
def schemas_dir() -> Path:
    return _resource_dir("schemas")


@cache
def datasets_dir() -> Path:
    return _resource_dir("datasets")


def data_home() -> Path:
    """Folder for matkb's own files (default store, cached models).

    ``MATKB_HOME`` overrides the platform's user data directory.
    """
    env = os.environ.get("MATKB_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("matkb", appauthor=False))


def default_store_path() -> Path:
    return data_home() / "matkb.duckdb"
