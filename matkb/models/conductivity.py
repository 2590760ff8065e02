"""Room-temperature ionic conductivity of Li solid electrolytes from composition (and structure where known).

Training rows: the store's ``all_conductivities`` between 15 and 35 degC, i.e. the imported
OBELiX and Liverpool entries (duplicates of each other or of curated rows already linked away)
plus the curated rows; one row per (composition, DOI), conductivities of a pair averaged in log10.
Target: log10(sigma / S cm^-1). Upper bounds ("<1E-10", "<1E-8") become 1e-15, the convention of
the OBELiX authors, so that the numbers compare with theirs.

Features (:func:`features`): element fractions, the 132 Magpie statistics, and the space group and
six lattice parameters where the dataset or a CIF gives them (NaN otherwise, with missing-value
indicators after median imputation). Model: extremely randomized trees.

Evaluation (:func:`evaluate`): on the OBELiX training split only, the same folds for every model:
random 5-fold (what the OBELiX README quotes), 5-fold grouped by DOI, and 5-fold grouped by
structural family. Models: a predictor of the training mean; the OBELiX authors' random-forest
baseline (element amounts of the unit-cell composition, space-group number, standardised lattice
parameters; RandomForestRegressor tuned by an inner 5-fold grid search on MAE) reproduced on these
folds; and matkb's model. Prediction intervals are split-conformal: the 90th percentile of the
absolute out-of-fold residuals of the DOI-grouped cross-validation on all training rows.
"""

from __future__ import annotations

import hashlib
import math
import warnings

import numpy as np
import pandas as pd

from ..consensus import ROOM_TEMPERATURE_C

LATTICE = ["space_group_number", "a_A", "b_A", "c_A", "alpha_deg", "beta_deg", "gamma_deg"]
UPPER_BOUND_VALUE = 1e-15
INTERVAL_LEVEL = 0.9
KIND = "conductivity"
#: the OBELiX authors' grid (benchmark/tuning.py) is 420 settings; "small" keeps its axes with fewer values
BASELINE_GRIDS = {
    "full": {"n_estimators": [50, 100, 150, 200], "max_depth": [12, 24, 36, 48, 56, 64, None],
             "max_features": ["log2", "sqrt", None], "min_samples_leaf": [1, 2, 3, 4, 5]},
    "small": {"n_estimators": [100], "max_depth": [12, None], "max_features": ["sqrt", None], "min_samples_leaf": [1, 2]},
    "fixed": None,  # the authors' example setting, no search
}


# ------------------------------------------------------------------ data
def training_table(kb, *, obelix_only: bool = False, citable_only: bool = False) -> pd.DataFrame:
    """Room-temperature conductivities of Li conductors, one row per (composition, DOI), with a log10 target and the DOI group.

    ``citable_only`` keeps the rows whose paper a reader can find again (an imported entry by its DOI, a curated row
    by its source's ``citable``, set by :func:`matkb.records.citable`)."""
    lo, hi = ROOM_TEMPERATURE_C  # the same window the descriptors use
    # the OBELiX split is the benchmark: all its entries, also those linked to a curated value of the same paper
    rows = "(SELECT * FROM imported_conductivities WHERE origin_kind = 'obelix')" if obelix_only else "all_conductivities"
    df = kb.sql(
        "SELECT a.origin_kind AS dataset, a.name, a.formula, a.family, a.sigma_S_cm, a.qualifier, a.temperature_C, "
        "coalesce(lower(a.doi), a.source_id) AS doi, e.composition AS unit_cell_composition, e.cif, "
        "e.space_group_number, e.a_A, e.b_A, e.c_A, e.alpha_deg, e.beta_deg, e.gamma_deg "
        f"FROM {rows} a LEFT JOIN external_conductivities e ON e.entry_key = a.name "
        f"WHERE a.temperature_C BETWEEN {lo} AND {hi} AND coalesce(a.component, 'total') IN ('total', 'bulk') "
        "AND a.basis = 'measured' "  # a DFT/AIMD/MD conductivity is a prediction, not a label
        f"{'AND a.citable ' if citable_only else ''}"
        "ORDER BY a.origin_kind, a.name, a.source_id, a.temperature_C, a.sigma_S_cm"  # ties broken: `first` below is stable
    )
    if df.empty:
        from ..errors import NotFound

        raise NotFound("the store holds no room-temperature conductivities to learn from; import them first: "
                       "`matkb import obelix PATH` and `matkb import liverpool PATH`")
    # a dataset's "<1E-10" is a detection limit (OBELiX convention: 1e-15); a curated bound ("up to 4e-4",
    # "over 1e-3") is not a measurement of one sample, so curated rows keep only = and ~ values
    curated = df.dataset.eq("curated")
    df = df[~curated | df.qualifier.isin(["=", "~"])].copy()
    upper = df.qualifier.isin(["<", "<="])
    df["upper_bound"] = upper
    df["log10_sigma"] = np.log10(np.where(upper, UPPER_BOUND_VALUE, df.sigma_S_cm.astype(float)))
    df["reduced_formula"] = [_reduced(f) for f in df.formula]
    df = df[df.reduced_formula.notna() & df.reduced_formula.str.contains(r"Li(?![a-z])", regex=True)]  # Li conductors only
    if obelix_only:
        return df.reset_index(drop=True)
    # one row per (composition, DOI): the first entry's metadata, the mean log10 conductivity. "Same composition" is
    # the import's composition key, so a unit-cell formula (Li50Ba10La14Ta16O96) meets its reduced twin
    from ..chem import composition_key

    df["composition_key"] = df.reduced_formula.map(composition_key)
    agg = {c: "first" for c in df.columns if c not in ("composition_key", "doi")}
    agg["log10_sigma"] = "mean"
    out = df.groupby(["composition_key", "doi"], as_index=False, sort=True).agg(agg)
    return out[[c for c in df.columns if c != "composition_key"]]


def _reduced(formula: str) -> str | None:
    from ..featurizers.base import parse_formula

    try:
        return parse_formula(str(formula).strip()).reduced_formula
    except (ValueError, TypeError):
        return None


# ------------------------------------------------------------------ features
def magpie_names() -> list[str]:
    from ..featurizers.composition import CompositionFeaturizer

    return list(CompositionFeaturizer().fit().get_feature_names_out())


def feature_names(elements: list[str]) -> list[str]:
    return [f"frac_{e}" for e in elements] + magpie_names() + LATTICE


def lattice_from_cif(cif_text_or_path: str) -> dict[str, float]:
    """Space-group number and lattice parameters of a CIF (text or path); NaN where it cannot be read."""
    from pymatgen.core import Structure

    from ..featurizers.structure import basic

    out = dict.fromkeys(LATTICE, math.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            s = (Structure.from_file(cif_text_or_path) if str(cif_text_or_path).lower().endswith(".cif")
                 else Structure.from_str(cif_text_or_path, fmt="cif"))
        except Exception:
            return out
    a, b, c = s.lattice.abc
    al, be, ga = s.lattice.angles
    out.update(space_group_number=basic(s)["space_group_number"], a_A=a, b_A=b, c_A=c, alpha_deg=al, beta_deg=be, gamma_deg=ga)
    return out


def features(formulas, lattice: pd.DataFrame | None, elements: list[str]) -> pd.DataFrame:
    """Element fractions (over ``elements``; others count only through Magpie), Magpie statistics, lattice columns."""
    from ..featurizers.base import parse_formula
    from ..featurizers.composition import CompositionFeaturizer

    comps = [parse_formula(str(f).strip()).fractional_composition for f in formulas]
    col = {e: j for j, e in enumerate(elements)}
    frac = np.zeros((len(comps), len(elements)))
    for i, c in enumerate(comps):
        for el, x in c.get_el_amt_dict().items():
            if el in col:
                frac[i, col[el]] = x
    magpie = CompositionFeaturizer().fit().transform(comps)
    lat = (lattice.reindex(columns=LATTICE).to_numpy(float) if lattice is not None
           else np.full((len(comps), len(LATTICE)), np.nan))
    return pd.DataFrame(np.hstack([frac, magpie, lat]), columns=feature_names(elements))


def elements_of(formulas) -> list[str]:
    from ..featurizers.base import parse_formula

    return sorted({el for f in formulas for el in parse_formula(str(f).strip()).get_el_amt_dict()})


# ------------------------------------------------------------------ estimators
def model_pipeline(random_state: int = 0, n_jobs: int = 1):
    """matkb's conductivity model: median imputation with missing indicators, extremely randomized trees."""
    from sklearn.ensemble import ExtraTreesRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    return make_pipeline(SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                         ExtraTreesRegressor(n_estimators=300, max_features=0.3, random_state=random_state, n_jobs=n_jobs))


def baseline_pipeline(n_elements: int, grid: str = "small", random_state: int = 0, n_jobs: int = 1):
    """The OBELiX authors' random forest: element amounts and space group as they are, lattice standardised."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    pre = ColumnTransformer([("amounts", "passthrough", list(range(n_elements + 1))),
                             ("lattice", StandardScaler(), list(range(n_elements + 1, n_elements + 7)))])
    rf = RandomForestRegressor(n_estimators=50, max_depth=12, max_features="sqrt", min_samples_leaf=2, random_state=random_state)
    pipe = Pipeline([("pre", pre), ("rf", rf)])
    params = BASELINE_GRIDS[grid]
    if params is None:
        return pipe
    return GridSearchCV(pipe, {f"rf__{k}": v for k, v in params.items()}, scoring="neg_mean_absolute_error",
                        cv=KFold(5, shuffle=True, random_state=random_state), n_jobs=n_jobs)


def baseline_matrix(df: pd.DataFrame, elements: list[str]) -> np.ndarray:
    """Element amounts of the unit-cell composition, then space-group number and a, b, c, alpha, beta, gamma."""
    from ..featurizers.base import parse_formula

    col = {e: j for j, e in enumerate(elements)}
    amt = np.zeros((len(df), len(elements)))
    for i, f in enumerate(df.unit_cell_composition.fillna(df.formula)):
        for el, x in parse_formula(str(f)).get_el_amt_dict().items():
            amt[i, col[el]] = x
    return np.hstack([amt, df[LATTICE].to_numpy(float)])


# ------------------------------------------------------------------ evaluation
def _splits(df: pd.DataFrame, scheme: str, seed: int):
    from sklearn.model_selection import GroupKFold, KFold

    if scheme == "random 5-fold":
        return list(KFold(5, shuffle=True, random_state=seed).split(df))
    groups = df.doi.to_numpy() if scheme == "grouped by DOI" else df.family.fillna("unknown").to_numpy()
    return list(GroupKFold(n_splits=min(5, len(set(groups)))).split(df, groups=groups))


SCHEMES = ("random 5-fold", "grouped by DOI", "grouped by family")


def evaluate(kb, *, grid: str = "small", seed: int = 0, n_jobs: int = 1, progress=None) -> pd.DataFrame:
    """MAE (log10 S/cm) of the mean predictor, the OBELiX RF baseline and matkb's model on the same OBELiX folds."""
    ob = training_table(kb, obelix_only=True)
    if ob.empty:
        from ..errors import NotFound

        raise NotFound("no OBELiX entries in the store: `matkb import obelix PATH` first (the comparison uses the OBELiX split)")
    y = ob.log10_sigma.to_numpy()
    elements = elements_of(ob.unit_cell_composition.fillna(ob.formula))
    Xb = baseline_matrix(ob, elements)
    Xm = features(ob.formula, ob[LATTICE], elements_of(ob.formula))
    nasicon = ob.family.fillna("").str.upper().eq("NASICON").to_numpy()
    rows, steps, done = [], len(SCHEMES) * 2, 0
    for scheme in SCHEMES:
        folds = _splits(ob, scheme, seed)
        pred = {name: np.empty(len(ob)) for name in ("mean of training data", "OBELiX RF baseline", "matkb extra-trees")}
        for train, test in folds:
            pred["mean of training data"][test] = y[train].mean()
        for name, make, X in (("OBELiX RF baseline", lambda: baseline_pipeline(len(elements), grid, seed, n_jobs), Xb),
                              ("matkb extra-trees", lambda: model_pipeline(seed, n_jobs), Xm.to_numpy())):
            for train, test in folds:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    pred[name][test] = make().fit(X[train], y[train]).predict(X[test])
            done += 1
            if progress:
                progress(done, steps)
        for name, p in pred.items():
            err = np.abs(p - y)
            rows.append({"scheme": scheme, "model": name, "mae": float(err.mean()),
                         "mae_measured_only": float(err[~ob.upper_bound.to_numpy()].mean()),
                         "mae_nasicon": float(err[nasicon].mean()) if nasicon.any() else math.nan,
                         "folds": len(folds), "rows": len(ob)})
    table = pd.DataFrame(rows)
    table.attrs.update(n_obelix=len(ob), n_nasicon=int(nasicon.sum()), grid=grid)
    return table


def grouped_residuals(df: pd.DataFrame, X: pd.DataFrame, seed: int = 0, n_jobs: int = 1) -> np.ndarray:
    """Out-of-fold predictions of matkb's model on all training rows, 5-fold grouped by DOI."""
    pred = np.empty(len(df))
    Xa, y = X.to_numpy(), df.log10_sigma.to_numpy()
    for train, test in _splits(df, "grouped by DOI", seed):
        pred[test] = model_pipeline(seed, n_jobs).fit(Xa[train], y[train]).predict(Xa[test])
    return pred


def data_hash(df: pd.DataFrame) -> str:
    cols = ["reduced_formula", "doi", "log10_sigma", *LATTICE]
    return hashlib.sha256(df[cols].to_csv(index=False).encode()).hexdigest()


def train(kb, *, grid: str = "small", seed: int = 0, out=None, compare: bool = True, n_jobs: int = 1, progress=None,
          citable_only: bool = False):
    """Compare on the OBELiX folds (``compare``), then fit on every room-temperature row (``citable_only``: of citable
    papers), save with a card.

    Returns (model, card, comparison table or None).
    """
    from . import persist
    from .stability import versions

    table = evaluate(kb, grid=grid, seed=seed, n_jobs=n_jobs, progress=progress) if compare else None
    df = training_table(kb, citable_only=citable_only)
    elements = elements_of(df.formula)
    X = features(df.formula, df[LATTICE], elements)
    oof = grouped_residuals(df, X, seed, n_jobs)
    resid = np.abs(oof - df.log10_sigma.to_numpy())
    nasicon = df.family.fillna("").str.upper().eq("NASICON").to_numpy()
    model = model_pipeline(seed, n_jobs).fit(X.to_numpy(), df.log10_sigma.to_numpy())
    card = {
        "kind": KIND,
        "model": "ExtraTreesRegressor after median imputation with missing indicators",
        "target": f"log10 ionic conductivity (S/cm) between {ROOM_TEMPERATURE_C[0]:g} and {ROOM_TEMPERATURE_C[1]:g} degC; "
                  f"upper bounds set to {UPPER_BOUND_VALUE:g} (OBELiX convention)",
        "features": feature_names(elements), "elements": elements,
        "training_rows": len(df), "training_by_dataset": df.dataset.value_counts().to_dict(),
        "training_dois": int(df.doi.nunique()), "training_data_sha256": data_hash(df),
        "grouped_cv_mae": float(resid.mean()), "grouped_cv_mae_nasicon": float(resid[nasicon].mean()) if nasicon.any() else None,
        "interval_halfwidth": float(np.quantile(resid, INTERVAL_LEVEL)), "interval_level": INTERVAL_LEVEL,
        "comparison": table.to_dict(orient="records") if table is not None else None,
        "comparison_meta": table.attrs if table is not None else None,
        "schema_version": kb.schema_version, "versions": versions(), "seed": seed, "citable_only": citable_only,
    }
    if out is not None:
        persist.save(model, out, card)
    return model, card, table


def default_model_path():
    from ..paths import data_home

    return data_home() / "models" / "conductivity.skops"


def load(path=None, *, schema_version: int):
    """A saved conductivity model (default: the last one `matkb train conductivity` saved)."""
    from . import persist

    path = path or default_model_path()
    if not path.is_file() and path == default_model_path():
        raise persist.ModelError("no conductivity model yet: `matkb import obelix PATH`, `matkb import liverpool PATH`, "
                                 "then `matkb train conductivity` (or pass --model FILE)")
    return persist.load(path, features=None, schema_version=schema_version, kind=KIND,
                        feature_check=lambda card: feature_names(card.get("elements") or []))


def cif_paths(rows: pd.DataFrame, base_dir=None) -> list[str | None]:
    """The `cif` column as paths; a relative path is read from ``base_dir`` (the CSV's folder), as `featurize` does."""
    from pathlib import Path

    out: list[str | None] = []
    for c in rows.get("cif", pd.Series([None] * len(rows), dtype=object)):
        if isinstance(c, str) and c.strip():
            p = Path(c.strip())
            out.append(str(p if p.is_absolute() or base_dir is None else Path(base_dir) / p))
        else:
            out.append(None)
    return out


def check_inputs(rows: pd.DataFrame, file: str = "input", base_dir=None) -> list[str | None]:
    """A `formula` column whose every entry parses; a `cif` column, where given, names readable files
    (relative to ``base_dir``). Returns the resolved `cif` paths (None where a row has none)."""
    import os

    from ..errors import Issue, ValidationFailed
    from ..featurizers.base import parse_formula

    issues = []
    if "formula" not in rows.columns:
        issues.append(Issue("error", file, "header", "formula", "", "a `formula` column is required", "compositions"))
    for i, f in enumerate(rows.get("formula", pd.Series(dtype=object))):
        try:
            parse_formula(str(f).strip())
        except (ValueError, TypeError) as exc:
            issues.append(Issue("error", file, f"row {i + 2}", "formula", f, str(exc), "compositions"))
    paths = cif_paths(rows, base_dir)
    for i, (c, path) in enumerate(zip(rows.get("cif", [None] * len(rows)), paths, strict=True)):
        if path is not None and not os.path.isfile(path):
            issues.append(Issue("error", file, f"row {i + 2}", "cif", c, f"no such file ({path})", "compositions"))
    if issues:
        raise ValidationFailed(issues, "nothing was predicted")
    return paths


def predict(rows: pd.DataFrame, model, card, file: str = "input", base_dir=None) -> pd.DataFrame:
    """log10_sigma_S_cm with a split-conformal interval; in_domain when the formula holds Li (the model learns Li
    conductors only, so a Na-NASICON is out of its domain) and every element was seen in training.
    Relative `cif` paths are read from ``base_dir`` (the CLI passes the CSV's folder).
    Bad rows raise :class:`ValidationFailed` naming ``file`` and the row."""
    paths = check_inputs(rows, file, base_dir)
    lattice = None
    if "cif" in rows.columns:
        lattice = pd.DataFrame([lattice_from_cif(path) if path else dict.fromkeys(LATTICE, math.nan) for path in paths])
    X = features(rows.formula, lattice, card["elements"])
    p = model.predict(X.to_numpy())
    h = card["interval_halfwidth"]
    seen = set(card["elements"])
    in_domain = [(els := set(elements_of([f]))) <= seen and "Li" in els for f in rows.formula]
    return pd.DataFrame({"log10_sigma_S_cm": p, "lower_log10": p - h, "upper_log10": p + h,
                         "sigma_S_cm": 10.0 ** p, "in_domain": in_domain})
