"""Shared machinery: input parsing with a failure policy, caching, sklearn conventions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..errors import MatkbError

ON_ERROR = ("raise", "warn", "skip")


class FeaturizeError(MatkbError):
    """An item could not be featurized; names the item and the reason."""


@lru_cache(maxsize=200_000)
def parse_formula(formula: str):
    """pymatgen Composition of ``formula`` (cached: the same formula is parsed once per process)."""
    from ..chem import composition

    return composition(formula)


def as_composition(item: Any):
    """Accept a formula string, a pymatgen Composition or Structure; return a Composition."""
    from pymatgen.core import Composition, Structure

    if isinstance(item, Composition):
        return item
    if isinstance(item, Structure):
        return item.composition
    if isinstance(item, str) and item.strip().lower().endswith(".cif"):
        from .structure import load_structure

        return load_structure(item.strip()).composition
    if isinstance(item, str):
        return parse_formula(item.strip())
    raise ValueError(f"expected a formula, Composition or Structure, got {type(item).__name__}")


def items_from_X(X: Any) -> list:
    """Formulas/compositions from a list, array, Series, or a DataFrame with a ``formula`` column."""
    import pandas as pd

    if isinstance(X, pd.DataFrame):
        if "formula" in X.columns:
            return list(X["formula"])
        if X.shape[1] == 1:
            return list(X.iloc[:, 0])
        raise FeaturizeError(f"a DataFrame input needs a 'formula' column (columns: {', '.join(map(str, X.columns))})")
    if isinstance(X, pd.Series):
        return list(X)
    if isinstance(X, np.ndarray):
        return list(X.ravel()) if X.ndim == 2 and X.shape[1] == 1 else list(X)
    if isinstance(X, str):
        return [X]
    return list(X)


class MatkbFeaturizer(TransformerMixin, BaseEstimator):
    """Base class: stateless transformers over formulas with an explicit failure policy.

    Subclasses implement :meth:`_features` (names), :meth:`_compute` (a batch of
    parsed compositions -> 2-D array) and :meth:`citations`.
    ``on_error``: ``"raise"`` (default) stops at the first bad item with a
    :class:`FeaturizeError` naming it; ``"warn"`` and ``"skip"`` give that item a row
    of NaN and record why in :attr:`skipped_` (``warn`` also warns).
    """

    #: feature name -> unit, in output order; subclasses with a fixed feature list set it
    FEATURE_UNITS: dict[str, str] = {}

    def __init__(self, on_error: str = "raise"):
        self.on_error = on_error

    @property
    def feature_units(self) -> dict[str, str]:
        return dict(self.FEATURE_UNITS)

    def fit(self, X=None, y=None):
        if self.on_error not in ON_ERROR:
            raise ValueError(f"The 'on_error' parameter of {type(self).__name__} must be one of {ON_ERROR}. Got {self.on_error!r} instead.")
        self.feature_names_out_ = np.asarray(self._features(), dtype=object)
        self.n_features_out_ = len(self.feature_names_out_)
        return self

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

    def transform(self, X):
        check_is_fitted(self, "feature_names_out_")
        items = items_from_X(X)
        comps, ok = [], np.ones(len(items), dtype=bool)
        self.skipped_ = {}
        for i, item in enumerate(items):
            try:
                comps.append(as_composition(item))
            except (ValueError, TypeError) as exc:
                self._fail(i, item, str(exc))
                ok[i] = False
                comps.append(None)
        out = np.full((len(items), self.n_features_out_), np.nan)
        good = [c for c in comps if c is not None]
        if good:
            out[ok] = self._compute(good, [i for i in range(len(items)) if ok[i]], items)
        return out

    def _fail(self, i: int, item: Any, reason: str) -> None:
        if self.on_error == "raise":
            raise FeaturizeError(f"item {i} ({item!r}): {reason}")
        self.skipped_[i] = f"{item!r}: {reason}"
        if self.on_error == "warn":
            import warnings

            warnings.warn(f"{type(self).__name__}: item {i} ({item!r}) skipped: {reason}", stacklevel=3)

    def _more_tags(self):  # scikit-learn < 1.6
        return {"X_types": ["string"], "stateless": True, "requires_fit": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags

    def cacheable(self) -> bool:
        """Whether a store's ``feature_cache`` may keep this set's values: they depend only on the input and on
        datasets/ (both in the cache key), not on a store whose content can change under the same path."""
        return True

    # -- to implement
    def _features(self) -> list[str]:
        return list(self.FEATURE_UNITS)

    def _compute(self, comps: Sequence, index: list[int], items: list) -> np.ndarray:
        raise NotImplementedError

    def citations(self) -> list[str]:
        return []

    def implementors(self) -> list[str]:
        return ["matkb developers"]


_SETS = {
    "composition": ("matkb.featurizers.composition", "CompositionFeaturizer"),
    "redox": ("matkb.featurizers.redox", "RedoxFeaturizer"),
    "thermo": ("matkb.featurizers.thermo", "ThermoFeaturizer"),
    "structure": ("matkb.featurizers.structure", "StructureFeaturizer"),
    "properties": ("matkb.featurizers.properties", "PropertiesFeaturizer"),
    "pair": ("matkb.featurizers.properties", "PairFeaturizer"),
}


def registered_sets() -> list[str]:
    return list(_SETS)


def get_featurizer(name: str, **params) -> MatkbFeaturizer:
    if name not in _SETS:
        raise FeaturizeError(f"unknown feature set {name!r}; choose from: {', '.join(_SETS)}")
    import importlib

    mod, cls = _SETS[name]
    return getattr(importlib.import_module(mod), cls)(**params)


def item_key(item: Any) -> str:
    """Stable hash of an input: the formula text, or a structure's CIF-independent dict."""
    import hashlib
    import json

    if hasattr(item, "as_dict") and hasattr(item, "lattice"):
        text = json.dumps(item.as_dict(), sort_keys=True, default=str)
    else:
        text = str(item).strip()
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _cache_version() -> str:
    from ..default import current_fingerprint

    return current_fingerprint()


def _cached_transform(f: MatkbFeaturizer, name: str, chunk: list, store, version: str) -> np.ndarray:
    """Transform ``chunk`` with ``f``, reading and filling the store's feature_cache."""
    keys = [item_key(i) for i in chunk]
    hits = dict(store.con.execute(
        "SELECT item_key, features FROM feature_cache WHERE feature_set = ? AND version = ? AND item_key IN (SELECT unnest(?))",
        [name, version, keys]).fetchall())
    out = np.full((len(chunk), len(f.get_feature_names_out())), np.nan)
    todo = [i for i, k in enumerate(keys) if k not in hits]
    for i, k in enumerate(keys):
        if k in hits:
            out[i] = hits[k]
    f.skipped_ = {}
    if todo:
        fresh = f.transform([chunk[i] for i in todo])
        skipped = {todo[j]: why for j, why in f.skipped_.items()}
        f.skipped_ = skipped
        rows = [(name, version, keys[i], [float(v) for v in fresh[j]]) for j, i in enumerate(todo) if i not in skipped]
        out[todo] = fresh
        if rows:
            with store.atomic() as con:
                con.executemany("INSERT OR REPLACE INTO feature_cache (feature_set, version, item_key, features) VALUES (?, ?, ?, ?)", rows)
    return out


def featurize(items: Iterable, sets: Sequence[str] = ("composition", "redox"), *, on_error: str = "raise",
              chunk_size: int = 5000, progress=None, cache=None, db=None):
    """Featurize formulas (or Compositions/Structures) with the named sets; return a DataFrame.

    The batch is processed in chunks of ``chunk_size`` so memory stays flat as it grows;
    ``progress(done, total)`` is called after each chunk. Rows that a set could not
    describe are NaN; ``result.attrs["skipped"]`` maps row -> reason. A feature name that two of the sets
    share (``reduction_potential_V`` of ``properties`` and ``redox``) is prefixed with each set's name. ``cache``: a writable
    :class:`~matkb.store.Store` whose ``feature_cache`` is read and filled (keyed by set,
    matkb version + datasets fingerprint, and input hash). ``db``: the store (a path or Store) that
    ``properties`` describes from and ``redox`` reads its couples from (default: the default store for
    ``properties``, the curated couples of datasets/ for ``redox``).
    """
    import pandas as pd

    if on_error not in ON_ERROR:
        raise FeaturizeError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
    unknown = [x for x in sets if x not in _SETS]
    if unknown:
        raise FeaturizeError(f"unknown feature set {unknown[0]!r}; featurize takes: {', '.join(x for x in _SETS if x != 'pair')} "
                             "(`pair` describes (interlayer, electrolyte) pairs: PairFeaturizer)")
    if "pair" in sets:
        raise FeaturizeError("the `pair` set describes (interlayer, electrolyte) pairs, not single items: use "
                             "PairFeaturizer on pairs, or `matkb predict stability` on a table of them")
    items = items_from_X(items)
    featurizers = [(s, get_featurizer(s, on_error=on_error)) for s in sets]
    featurizers = [(s, (f.set_params(db=db) if db is not None and "db" in f.get_params() else f).fit()) for s, f in featurizers]
    version = _cache_version() if cache is not None else ""
    seen = Counter(n for _, f in featurizers for n in f.get_feature_names_out())
    columns = {s: [f"{s}_{n}" if seen[n] > 1 else n for n in f.get_feature_names_out()] for s, f in featurizers}
    frames, skipped = [], {}
    for start in range(0, len(items), chunk_size):
        chunk = items[start:start + chunk_size]
        parts = []
        for name, f in featurizers:
            values = _cached_transform(f, name, chunk, cache, version) if cache is not None and f.cacheable() else f.transform(chunk)
            parts.append(pd.DataFrame(values, columns=columns[name]))
            for i, why in f.skipped_.items():
                skipped.setdefault(start + i, []).append(f"{type(f).__name__}: {why}")
        frames.append(pd.concat(parts, axis=1))
        if progress:
            progress(min(start + chunk_size, len(items)), len(items))
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    df.insert(0, "formula", [str(i) if not hasattr(i, "formula") else i.formula for i in items])
    df.attrs["skipped"] = {k: "; ".join(v) for k, v in skipped.items()}
    return df
