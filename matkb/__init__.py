"""matkb: a materials-informatics knowledge base for solid-state battery interfaces.

The API mirrors the CLI: ``matkb.open(db)``, ``matkb.validate(paths)``,
``Store.ingest(paths)``, ``Store.sql(query)``, ``Store.info()``, ``Store.cell(stack)``,
``Store.export(path, citable_only=...)``, ``matkb.featurize(items, sets, db=...)``; the models in
``matkb.models.stability`` (``train``, ``rank``, ``predict_rows``, ``suggest``) and ``matkb.models.conductivity``.
Submodules load lazily so that importing matkb (and ``matkb --help``) stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "open": ("api", "open"),
    "init": ("api", "init"),
    "validate": ("api", "validate"),
    "resolve_db": ("api", "resolve_db"),
    "Store": ("store", "Store"),
    "create_store": ("store", "create_store"),
    "featurize": ("featurizers", "featurize"),
    "plots": ("plots", None),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        mod, attr = _LAZY[name]
        module = importlib.import_module(f".{mod}", __name__)
        return module if attr is None else getattr(module, attr)
    raise AttributeError(f"module 'matkb' has no attribute {name!r}")
