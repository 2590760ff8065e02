"""Symmetric-cell lifetime of a Li | interlayer | electrolyte interface, with right-censoring.

Training rows: the store's ``symmetric_lifetimes`` (Li cells), described by the ``pair``
descriptors of (interlayer, electrolyte) plus the test conditions. A cell "stable for over
800 h" is a censored observation (event = False), not a failure at 800 h.

Models compared (one table, grouped cross-validation by source paper):
* ``survival``: scikit-survival's RandomSurvivalForest in a pipeline (median imputation);
* ``log-hours regressor``: the same features, a RandomForestRegressor on log10(hours) that
  treats censored rows as failures (what a censoring-blind model does);
* ``physics``: no learning: the founding study's potential gap (interlayer level minus the
  electrolyte's reduction potential; an electronic insulator counts as at least +1 V, since it
  hands over no electrons whatever its own reduction potential) plus 1 if the interlayer is
  thermodynamically stable against Li.
Ranking (:func:`rank`): longest predicted median first; the many candidates whose median lies
beyond the longest test in the data cannot be told apart by the model and are ordered by the
physics baseline, then by the model's risk.
Metrics: Harrell's C on out-of-fold predictions, within-paper pair accuracy (pairs of rows of
one paper whose order is known despite censoring), and 95 % intervals from a bootstrap over papers.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..records import CYCLING_FIELDS
from ..vocab import quantities

CONDITIONS = ["current_density_mA_cm2", "areal_capacity_mAh_cm2", "temperature_C", "pressure_MPa", "wetting_agent"]
PAIR_COLUMNS = [
    "potential_gap_V", "blocks_electrons", "interlayer_stable_with_li", "interlayer_reaction_energy_with_li_eV_atom",
    "interlayer_known_material", "interlayer_shear_modulus_GPa", "interlayer_log10_ionic_conductivity_rt",
    "interlayer_band_gap_eV", "interlayer_conduction_class", "interlayer_electron_level_V",
    "electrolyte_shear_modulus_GPa", "electrolyte_log10_ionic_conductivity_rt", "electrolyte_reduction_potential_V",
    "bare_interface",
]
FEATURES = PAIR_COLUMNS + CONDITIONS
DEFAULT_CONDITIONS = {"current_density_mA_cm2": 0.1, "areal_capacity_mAh_cm2": 0.1, "temperature_C": 25.0,
                      "pressure_MPa": np.nan, "wetting_agent": 0.0}
#: the test conditions that are quantities, with the vocabulary quantity (and so the physical limits) of each
CONDITION_QUANTITIES = {col: kind for kind, col, _hi in CYCLING_FIELDS.values() if col in CONDITIONS}
#: a condition stated by at least this many training rows bounds the applicability domain (a prediction at a current
#: density or temperature no training cell was tested at is an extrapolation); fewer, and its range means little
MIN_STATED_CONDITION = 5


#: electrolyte classes in which Li meets a polymer or a liquid rather than the ceramic: their rows describe a
#: different interface, and the ceramic descriptors the model rests on (reduction potential, modulus) are undefined
NON_CERAMIC_ELECTROLYTES = ("composite", "polymer", "gel polymer", "ionic liquid", "liquid electrolyte")


def training_table(kb, exclude_source: str | None = None, min_verification: str | None = None,
                   citable_only: bool = False) -> pd.DataFrame:
    """Li symmetric-cell lifetimes with their conditions (one row per result), on ceramic electrolytes.

    Cells whose electrolyte is a polymer, gel, liquid or polymer-ceramic composite are left out (Li touches the
    polymer, so the result says nothing about a Li | interlayer | ceramic interface); their number is in
    ``df.attrs["non_ceramic_rows"]``. They stay in the store and its views. ``citable_only`` keeps the results of
    sources a reader can find again (``sources.citable``, set by :func:`matkb.records.citable`).
    """
    from ..vocab import value_levels, verification_rank

    levels = verification_rank()
    classes = ", ".join(f"'{c}'" for c in NON_CERAMIC_ELECTROLYTES)
    df = kb.sql(
        "SELECT s.source_id, s.doi, s.stack, coalesce(s.interlayer_id, 'none') AS interlayer, s.electrolyte_id AS electrolyte, "
        "(s.wetting_agent_id IS NOT NULL)::DOUBLE AS wetting_agent, s.current_density_mA_cm2, s.areal_capacity_mAh_cm2, "
        "s.temperature_C, s.pressure_MPa, s.lifetime_h, s.censored, s.verification, "
        f"coalesce(m.class IN ({classes}), false) AS non_ceramic "
        "FROM symmetric_lifetimes s LEFT JOIN materials m ON m.material_id = s.electrolyte_id "
        f"WHERE s.working_ion = 'Li' {'AND s.citable ' if citable_only else ''}"
        "ORDER BY s.source_id, s.stack, s.current_density_mA_cm2"
    )
    if exclude_source:
        key = exclude_source.strip().lower()
        hit = (df.source_id.str.lower() == key) | (df.doi.fillna("").str.lower() == key)
        if not hit.any():
            from ..errors import NotFound

            raise NotFound(f"--exclude-source {exclude_source!r}: no training result comes from a source with this id or "
                           "DOI, so nothing would be held out (`matkb sql \"SELECT DISTINCT source_id, doi FROM "
                           "symmetric_lifetimes\"` lists them)")
        df = df[~hit]
    if min_verification:
        if min_verification not in value_levels():
            from ..errors import MatkbError

            raise MatkbError(f"--min-verification {min_verification!r}: expected one of {', '.join(value_levels())}")
        df = df[df.verification.map(levels) <= levels[min_verification]]
    non_ceramic = int(df.non_ceramic.sum())
    df = df[~df.non_ceramic].drop(columns="non_ceramic").reset_index(drop=True)
    df["event"] = ~df.censored.astype(bool)
    df.attrs["non_ceramic_rows"] = non_ceramic
    return df


def describe_rows(rows: pd.DataFrame, db=None) -> pd.DataFrame:
    """The model's features for rows with `interlayer`, `electrolyte` and the condition columns."""
    from ..featurizers.properties import PairFeaturizer

    pf = PairFeaturizer(db=db).fit()
    pairs = list(zip(rows.interlayer.astype(str), rows.electrolyte.astype(str), strict=True))
    unique = sorted(set(pairs))
    table = pd.DataFrame(pf.transform(unique), columns=pf.get_feature_names_out())
    table.index = pd.MultiIndex.from_tuples(unique)
    X = table.loc[pairs].reset_index(drop=True)
    X["bare_interface"] = [float(p[0].lower() in ("none", "", "bare")) for p in pairs]
    for c in CONDITIONS:
        X[c] = rows[c].astype(float).to_numpy() if c in rows else DEFAULT_CONDITIONS[c]
    _apply_known_properties(X, rows)
    return X[FEATURES].astype(float)


#: optional columns of a candidate table (units in the name) and the descriptor each one sets
CANDIDATE_PROPERTIES = {
    "redox_potential_V": "interlayer_electron_level_V",
    "band_gap_eV": "interlayer_band_gap_eV",
    "shear_modulus_GPa": "interlayer_shear_modulus_GPa",
    "ionic_conductivity_S_cm": "interlayer_log10_ionic_conductivity_rt",
}


def _apply_known_properties(X: pd.DataFrame, rows: pd.DataFrame) -> None:
    """Values given with the candidates win over the store's; the potential gap and blocking verdict follow them."""
    given = [c for c in CANDIDATE_PROPERTIES if c in rows]
    if not given:
        return
    for col in given:
        v = pd.to_numeric(rows[col], errors="coerce").to_numpy(float)
        if col == "ionic_conductivity_S_cm":
            with np.errstate(divide="ignore", invalid="ignore"):
                v = np.where(v > 0, np.log10(v), np.nan)
        target = CANDIDATE_PROPERTIES[col]
        X[target] = np.where(np.isnan(v), X[target].to_numpy(float), v)
    from ..featurizers.properties import electron_blocking

    X["potential_gap_V"] = X["interlayer_electron_level_V"] - X["electrolyte_reduction_potential_V"]
    X["blocks_electrons"] = electron_blocking(X["potential_gap_V"], X["interlayer_conduction_class"], X["interlayer_band_gap_eV"])


def physics_score(X: pd.DataFrame) -> np.ndarray:
    """Higher = expected to live longer. No learning: the founding study's criterion plus stability against Li.

    The electron term is the potential gap (interlayer level minus the electrolyte's reduction potential)
    where the interlayer conducts electrons; an electronic insulator hands over no electrons whatever its own
    reduction potential, so it counts as +1 V (or its gap, if larger). Unknown: 0. Then +1 if the interlayer
    is thermodynamically stable against Li.
    """
    gap = X["potential_gap_V"].to_numpy(dtype=float, copy=True)
    blocks = X["blocks_electrons"].to_numpy() == 1
    insulating = blocks & ~(gap > 0)  # blocks although its level lies below: blocks by insulation
    electron = np.where(insulating, np.fmax(gap, 1.0), np.nan_to_num(gap, nan=0.0))
    stable = np.nan_to_num(X["interlayer_stable_with_li"].to_numpy(dtype=float), nan=0.0)
    return electron + 1.0 * stable


def survival_pipeline(random_state: int = 0):
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sksurv.ensemble import RandomSurvivalForest

    return make_pipeline(
        SimpleImputer(strategy="median", keep_empty_features=True),
        RandomSurvivalForest(n_estimators=300, min_samples_leaf=2, max_features="sqrt", random_state=random_state, n_jobs=1),
    )


def regressor_pipeline(random_state: int = 0):
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    return make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True),
                         RandomForestRegressor(n_estimators=300, min_samples_leaf=2, random_state=random_state, n_jobs=1))


def structured_y(df: pd.DataFrame):
    from sksurv.util import Surv

    return Surv.from_arrays(event=df.event.to_numpy(bool), time=df.lifetime_h.to_numpy(float))


# ------------------------------------------------------------------ evaluation
def harrell_c(time, event, score) -> float:
    """Harrell's C: share of comparable pairs ordered correctly (higher score = longer life); ties count 1/2."""
    num = den = 0.0
    for i in range(len(time)):
        if not event[i]:
            continue
        for j in range(len(time)):
            if time[j] > time[i] or (time[j] == time[i] and not event[j] and i != j):
                den += 1
                num += 1.0 if score[j] > score[i] else 0.5 if score[j] == score[i] else 0.0
    return num / den if den else math.nan


def pair_accuracy(df: pd.DataFrame, score) -> tuple[float, int]:
    """Within-paper pairs whose order is known (an event before the other's time): share ordered correctly."""
    right = total = 0.0
    for _, g in df.assign(score=score).groupby("source_id"):
        t, e, s = g.lifetime_h.to_numpy(), g.event.to_numpy(), g.score.to_numpy()
        for i in range(len(g)):
            for j in range(len(g)):
                if e[i] and t[j] > t[i]:
                    total += 1
                    right += 1.0 if s[j] > s[i] else 0.5 if s[j] == s[i] else 0.0
    return (right / total if total else math.nan), int(total)


def _bootstrap(df, score, n=1000, seed=0):
    """95 % intervals of Harrell's C and pair accuracy, resampling whole papers with replacement."""
    rng = np.random.default_rng(seed)
    src = df.source_id.to_numpy()
    papers = np.unique(src)
    rows_of = {p: np.flatnonzero(src == p) for p in papers}
    cs, ps = [], []
    for _ in range(n):
        pick = rng.choice(papers, size=len(papers), replace=True)
        idx = np.concatenate([rows_of[p] for p in pick])
        labels = np.concatenate([[f"{p}#{k}"] * len(rows_of[p]) for k, p in enumerate(pick)])  # a paper drawn twice is two papers
        sub = df.iloc[idx].assign(source_id=labels).reset_index(drop=True)
        cs.append(harrell_c(sub.lifetime_h.to_numpy(), sub.event.to_numpy(), score[idx]))
        ps.append(pair_accuracy(sub, score[idx])[0])

    def interval(values):
        a = np.array(values, float)
        return tuple(np.nanpercentile(a, [2.5, 97.5])) if np.isfinite(a).any() else (math.nan, math.nan)

    return interval(cs), interval(ps)


@dataclass
class CVResult:
    table: pd.DataFrame
    oof: pd.DataFrame

    def as_text(self) -> str:
        t = self.table.copy()
        for c in t.columns:
            if t[c].dtype.kind == "f":
                t[c] = t[c].map(lambda v: f"{v:.3f}" if v == v else "n/a")
        return t.to_string(index=False)


def cross_validate(df: pd.DataFrame, X: pd.DataFrame, n_splits: int = 5, bootstrap: int = 1000, seed: int = 0) -> CVResult:
    """Grouped CV by source paper for the survival model, the log-hours regressor and the physics baseline."""
    from sklearn.model_selection import GroupKFold

    groups = df.source_id.to_numpy()
    k = min(n_splits, len(set(groups)))
    y = structured_y(df)
    oof = pd.DataFrame({"survival": np.nan, "log-hours regressor": np.nan, "physics": physics_score(X)}, index=df.index)
    for train, test in GroupKFold(n_splits=k).split(X, groups=groups):
        surv = survival_pipeline(seed).fit(X.iloc[train], y[train])
        oof.loc[oof.index[test], "survival"] = -surv.predict(X.iloc[test])  # predict() is a risk: higher = sooner
        reg = regressor_pipeline(seed).fit(X.iloc[train], np.log10(df.lifetime_h.iloc[train]))
        oof.loc[oof.index[test], "log-hours regressor"] = reg.predict(X.iloc[test])
    rows = []
    for name in oof.columns:
        s = oof[name].to_numpy()
        c = harrell_c(df.lifetime_h.to_numpy(), df.event.to_numpy(), s)
        p, n_pairs = pair_accuracy(df, s)
        (c_lo, c_hi), (p_lo, p_hi) = _bootstrap(df, s, bootstrap, seed) if bootstrap else ((math.nan,) * 2, (math.nan,) * 2)
        rows.append({"model": name, "harrell_c": c, "c_lo95": c_lo, "c_hi95": c_hi, "pair_accuracy": p,
                     "pair_lo95": p_lo, "pair_hi95": p_hi, "n_pairs": n_pairs})
    table = pd.DataFrame(rows)
    table.attrs.update(n_rows=len(df), n_events=int(df.event.sum()), n_papers=len(set(groups)), folds=k,
                       non_ceramic_rows=int(df.attrs.get("non_ceramic_rows", 0)))
    return CVResult(table, oof)


def data_hash(df: pd.DataFrame) -> str:
    return hashlib.sha256(df.drop(columns=["verification"], errors="ignore").to_csv(index=False).encode()).hexdigest()


def predict_lifetimes(model, X: pd.DataFrame, horizon: float) -> pd.DataFrame:
    """Median lifetime and an interquartile interval from the survival functions; '>' where S stays above."""
    fns = model.predict_survival_function(X)
    out = []
    for fn in fns:
        t, s = fn.x, fn(fn.x)

        def when(level, t=t, s=s):
            below = np.flatnonzero(s <= level)
            return (float(t[below[0]]), "=") if len(below) else (float(t[-1]), ">")

        (med, q), (lo, ql), (hi, qh) = when(0.5), when(0.75), when(0.25)
        out.append({"predicted_lifetime_h": med, "lifetime_qualifier": q, "lower_h": lo, "lower_qualifier": ql,
                    "upper_h": hi, "upper_qualifier": qh})
    return pd.DataFrame(out)


__all__ = ["training_table", "describe_rows", "cross_validate", "physics_score", "survival_pipeline", "regressor_pipeline",
           "structured_y", "predict_lifetimes", "harrell_c", "pair_accuracy", "data_hash", "json"]


# ------------------------------------------------------------------ training, persistence, ranking
def versions() -> dict[str, str]:
    import sklearn
    import skops
    import sksurv

    from .. import __version__

    return {"matkb": __version__, "scikit-learn": sklearn.__version__, "scikit-survival": sksurv.__version__, "skops": skops.__version__}


def train(kb, *, exclude_source: str | None = None, min_verification: str | None = None, citable_only: bool = False,
          bootstrap: int = 1000, seed: int = 0, out=None):
    """Cross-validate, fit on all rows, save with skops and a card. Returns (model, card, cv).

    ``citable_only``: train in :meth:`~matkb.store.Store.citable_copy`, so that both the results and the descriptors
    come from citable sources; a model so trained is applied there too (:func:`rank` reads its card)."""
    from . import persist

    if citable_only and not kb.citable_only:
        with kb.citable_copy() as citable:
            return train(citable, exclude_source=exclude_source, min_verification=min_verification, citable_only=True,
                         bootstrap=bootstrap, seed=seed, out=out)
    df = training_table(kb, exclude_source=exclude_source, min_verification=min_verification, citable_only=citable_only)
    if df.event.sum() < 2 or df.source_id.nunique() < 3:
        from ..errors import MatkbError

        raise MatkbError(f"too little training data: {len(df)} rows, {int(df.event.sum())} failures, "
                         f"{df.source_id.nunique()} papers (need >= 2 failures and >= 3 papers)")
    X = describe_rows(df, db=kb)
    cv = cross_validate(df, X, bootstrap=bootstrap, seed=seed)
    model = survival_pipeline(seed).fit(X, structured_y(df))
    # applicability domain: descriptors known for at least half of the training rows
    dom_cols = [c for c in FEATURES if X[c].notna().mean() >= 0.5]
    Xd = X[dom_cols]
    med = Xd.median()
    iqr = (Xd.quantile(0.75) - Xd.quantile(0.25)).replace(0, 1.0).fillna(1.0)
    Z = ((Xd - med) / iqr).fillna(0.0).to_numpy()
    nn = np.sort(np.sqrt(((Z[:, None, :] - Z[None, :, :]) ** 2).sum(-1)), axis=1)[:, 1] if len(Z) > 1 else np.array([0.0])
    stated = {c: X[c].dropna() for c in CONDITION_QUANTITIES}
    ranges = {c: [float(v.min()), float(v.max())] for c, v in stated.items() if len(v) >= MIN_STATED_CONDITION}
    card = {
        "model": "RandomSurvivalForest (scikit-survival) after median imputation",
        "target": "symmetric-cell lifetime in hours, right-censored",
        "features": FEATURES,
        "training_rows": len(df), "training_events": int(df.event.sum()), "training_papers": int(df.source_id.nunique()),
        "left_out_non_ceramic_rows": int(df.attrs.get("non_ceramic_rows", 0)),
        "training_data_sha256": data_hash(df), "excluded_source": exclude_source, "min_verification": min_verification,
        "citable_only": citable_only,
        "schema_version": kb.schema_version, "versions": versions(), "seed": seed,
        "cv": cv.table.to_dict(orient="records"), "cv_meta": cv.table.attrs,
        "horizon_h": float(df.lifetime_h.max()),
        "domain": {"columns": dom_cols, "median": med.to_dict(), "iqr": iqr.to_dict(), "train_z": Z.round(6).tolist(),
                   "nn_threshold": float(np.percentile(nn, 95)) if len(nn) else 0.0, "condition_ranges": ranges},
        "training_interlayers": sorted(df.interlayer.unique().tolist()),
        "feature_medians": X.median().to_dict(),
    }
    if out is not None:
        persist.save(model, out, card)
    return model, card, cv


#: the tables the descriptors of a training row are read from (besides datasets/, which the fingerprint covers)
DESCRIPTOR_TABLES = ("materials", "properties", "redox_couples", "structures")


def default_model(kb, log=None):
    """The default model of ``kb``, trained on first use and cached in matkb's home with its card. The cache is keyed
    by what the model depends on: matkb and datasets/ (the fingerprint), the card format, the store's training rows
    and the tables their descriptors come from; so the model of one store is never used for another that differs."""
    from ..default import current_fingerprint
    from ..paths import data_home
    from . import persist

    content = [data_hash(training_table(kb))] + [
        str(kb.con.execute(f"SELECT bit_xor(hash(t)) FROM {table} t").fetchone()[0]) for table in DESCRIPTOR_TABLES]
    tag = hashlib.sha1(f"{current_fingerprint()}:{kb.schema_version}:{persist.CARD_VERSION}:{':'.join(content)}".encode(),
                       usedforsecurity=False).hexdigest()[:12]
    path = data_home() / "models" / f"stability-{tag}.skops"
    if path.is_file():
        return (*persist.load(path, features=FEATURES, schema_version=kb.schema_version), path)
    if log:
        log(f"training the default stability model on the store's symmetric cells -> {path} ...")
    model, card, _ = train(kb, out=path, bootstrap=200)
    return model, card, path


def predict_rows(kb, rows: pd.DataFrame, model, card, *, drivers: bool = True, file: str = "rows") -> pd.DataFrame:
    """Predictions for explicit rows (`interlayer`, `electrolyte` and condition columns), one output row each.

    Adds predicted_lifetime_h (+ qualifier '>' where beyond the data), lower_h and upper_h (the interquartile
    interval, each with its qualifier: '>' where that quartile, too, lies beyond the longest test),
    potential_gap_V, blocks_electrons, stable_with_li, physics_score, drivers,
    nearest_training_distance, in_domain and risk (higher = sooner failure). Descriptors are read where the model's
    were (:func:`store_for`). A row naming something that nothing describes is refused first (:func:`check_rows`;
    ``file`` names the table in the error).
    """
    check_rows(kb, rows, file)
    return _predict(kb, rows, model, card, drivers=drivers)


def _predict(kb, rows: pd.DataFrame, model, card, *, drivers: bool = True) -> pd.DataFrame:
    with store_for(kb, card) as kb:
        X = describe_rows(rows, db=kb)
    pred = predict_lifetimes(model, X, card["horizon_h"])
    dom = card["domain"]
    Z = ((X[dom["columns"]] - pd.Series(dom["median"])) / pd.Series(dom["iqr"])).fillna(0.0)
    drivers = _drivers(model, X, pd.Series(card["feature_medians"])) if drivers else [""] * len(X)
    # applicability: enough known descriptors, and no farther from the nearest training row than
    # 1.5 x the 95th percentile of the training rows' own nearest-neighbour distances
    train_z = np.asarray(dom["train_z"], float)
    d_nn = np.sqrt(((Z.to_numpy()[:, None, :] - train_z[None, :, :]) ** 2).sum(-1)).min(axis=1)
    known = X[PAIR_COLUMNS].notna().sum(axis=1).to_numpy()
    # and no test condition outside the range the training cells were tested over (where enough of them state it)
    within = np.ones(len(X), dtype=bool)
    for c, (lo, hi) in dom["condition_ranges"].items():
        within &= ~((X[c] < lo) | (X[c] > hi)).to_numpy()
    return pd.DataFrame({
        "predicted_lifetime_h": pred.predicted_lifetime_h, "qualifier": pred.lifetime_qualifier,
        "lower_h": pred.lower_h, "lower_qualifier": pred.lower_qualifier, "upper_h": pred.upper_h,
        "upper_qualifier": pred.upper_qualifier,
        "potential_gap_V": X.potential_gap_V, "blocks_electrons": X.blocks_electrons,
        "stable_with_li": X.interlayer_stable_with_li, "physics_score": physics_score(X),
        "drivers": drivers, "nearest_training_distance": d_nn,
        "in_domain": (known >= 4) & (d_nn <= 1.5 * max(dom["nn_threshold"], 1e-9)) & within,
        "risk": model.predict(X),
    })


def candidate_rows(kb, candidates: pd.DataFrame, electrolyte: str, *, current_density: float, capacity: float,
                   temperature: float, pressure: float | None, wetting_agent: bool) -> pd.DataFrame:
    resolve = kb.material_resolver()
    electrolyte_id = resolve(electrolyte) or electrolyte.strip()
    names = candidates["name"].astype(str).to_numpy()
    formulas = candidates["formula"] if "formula" in candidates else pd.Series([None] * len(candidates))
    # a name the store knows is described from the store; otherwise by its formula, where one is given
    interlayer = [n if resolve(n) or not (isinstance(f, str) and f.strip()) else f.strip()
                  for n, f in zip(names, formulas, strict=True)]
    rows = pd.DataFrame({
        "interlayer": interlayer, "electrolyte": electrolyte_id,
        "wetting_agent": float(wetting_agent), "current_density_mA_cm2": current_density,
        "areal_capacity_mAh_cm2": capacity, "temperature_C": temperature,
        "pressure_MPa": np.nan if pressure is None else pressure,
    })
    for col in CANDIDATE_PROPERTIES:
        if col in candidates:
            rows[col] = pd.to_numeric(candidates[col], errors="coerce").to_numpy()
    return rows


def _library(kb, candidates: pd.DataFrame | None, file: str = "candidates") -> pd.DataFrame:
    from ..errors import NotFound
    from ..featurizers.properties import stored_formulas

    if candidates is None:
        candidates = kb.sql("SELECT material_id AS name, formula, class FROM interlayer_candidates ORDER BY material_id")
    else:
        check_candidates(candidates, file, resolve=kb.material_resolver(), formulas=stored_formulas(kb))
    if candidates.empty:
        raise NotFound("no candidates to rank")
    return candidates


def rank(kb, *, electrolyte: str, candidates: pd.DataFrame | None = None, current_density: float = 0.1,
         capacity: float = 0.1, temperature: float = 25.0, pressure: float | None = None, wetting_agent: bool = False,
         model=None, card=None, top: int | None = None, file: str = "candidates") -> pd.DataFrame:
    """Rank interlayer candidates for ``electrolyte`` at the given conditions (see :func:`_order` for the order).
    A model trained ``citable_only`` describes the candidates from citable sources only, as in its training.
    ``file`` names the candidate table in errors (:func:`check_candidates`)."""
    check_ranking(kb, electrolyte, current_density=current_density, capacity=capacity, temperature=temperature, pressure=pressure)
    if model is None:
        model, card, _ = default_model(kb)
    with store_for(kb, card) as kb:
        candidates = _library(kb, candidates, file)
        rows = candidate_rows(kb, candidates, electrolyte, current_density=current_density, capacity=capacity,
                              temperature=temperature, pressure=pressure, wetting_agent=wetting_agent)
        pred = _predict(kb, rows, model, card)
    out = _finish(pd.concat([_identity(candidates.reset_index(drop=True)), pred], axis=1), card)
    return out.head(top) if top else out


def store_for(kb, card):
    """Where a model's descriptors are read: ``kb`` itself, or its citable copy for a model trained ``citable_only``
    (a context manager either way)."""
    import contextlib

    return kb.citable_copy() if card.get("citable_only") and not kb.citable_only else contextlib.nullcontext(kb)


def _order(df: pd.DataFrame) -> pd.DataFrame:
    """Longest predicted median lifetime first. Candidates the model cannot separate, because their medians lie
    beyond the longest test in the data ('>'), are ordered by the physics baseline, then by the model's risk;
    remaining ties keep the input order (stable sort)."""
    beyond = df["qualifier"].eq(">")
    key = pd.DataFrame({"median": np.where(beyond, np.inf, df["predicted_lifetime_h"]), "physics": df["physics_score"],
                        "risk": df["risk"]})
    order = key.sort_values(["median", "physics", "risk"], ascending=[False, False, True], kind="mergesort").index
    return df.loc[order].reset_index(drop=True)


def rank_csv(kb, path, *, electrolyte: str, current_density: float = 0.1, capacity: float = 0.1, temperature: float = 25.0,
             pressure: float | None = None, wetting_agent: bool = False, model=None, card=None, top: int = 20,
             chunk_size: int = 5000, progress=None) -> pd.DataFrame:
    """Rank a candidate CSV of any length in bounded memory: read ``chunk_size`` rows at a time, keep the best ``top``.

    Gives the same ranking as :func:`rank` on the whole table; the drivers are computed for the kept rows only.
    ``progress(done_rows, total_rows)`` is called after each chunk.
    """
    if top < 1:
        raise ValueError("rank_csv keeps the best `top` rows; top must be >= 1")
    check_ranking(kb, electrolyte, current_density=current_density, capacity=capacity, temperature=temperature, pressure=pressure)
    if model is None:
        model, card, _ = default_model(kb)
    with store_for(kb, card) as kb:
        return _rank_csv(kb, path, electrolyte=electrolyte, current_density=current_density, capacity=capacity,
                         temperature=temperature, pressure=pressure, wetting_agent=wetting_agent, model=model, card=card,
                         top=top, chunk_size=chunk_size, progress=progress)


def _rank_csv(kb, path, *, electrolyte, current_density, capacity, temperature, pressure, wetting_agent, model, card,
              top, chunk_size, progress) -> pd.DataFrame:
    from ..errors import NotFound
    from ..featurizers.properties import stored_formulas

    total = _count_rows(path)
    best = None
    done = 0
    resolve, formulas = kb.material_resolver(), stored_formulas(kb)
    names = _NamesSeen(path)
    for chunk in _csv_chunks(path, chunk_size):
        if chunk.empty:
            continue
        check_candidates(chunk, str(path), resolve=resolve, first_row=done + 2, formulas=formulas)  # rows of the file
        names.add(chunk["name"], first_row=done + 2)  # a name may appear once in the whole file, not just in a chunk
        rows = candidate_rows(kb, chunk, electrolyte, current_density=current_density, capacity=capacity,
                              temperature=temperature, pressure=pressure, wetting_agent=wetting_agent)
        pred = _predict(kb, rows, model, card, drivers=False)
        part = pd.concat([_identity(chunk), pred.drop(columns=["drivers"])], axis=1)
        best = _order(part if best is None else pd.concat([best, part], ignore_index=True)).head(top)
        done += len(chunk)
        if progress:
            progress(done, total)
    if best is None:
        raise NotFound(f"{path}: no candidates to rank")
    rows = candidate_rows(kb, best.rename(columns={"candidate": "name"}), electrolyte, current_density=current_density, capacity=capacity,
                          temperature=temperature, pressure=pressure, wetting_agent=wetting_agent)
    best.insert(best.columns.get_loc("physics_score") + 1, "drivers",
                _drivers(model, describe_rows(rows, db=kb), pd.Series(card["feature_medians"])))
    return _finish(best, card)


NAME_AS_TEXT = {"name": str}  # a candidate called 1 or 1e3 keeps its name as written, in every chunk and every read


class _NamesSeen:
    """The candidate names met so far in a streamed file, kept as 64-bit hashes with their rows (16 bytes a name, not
    the names themselves), so a name repeated in a later chunk is refused by row. A hash match is confirmed against
    the earlier row's name as written in the file, so a hash collision cannot refuse a good file."""

    def __init__(self, path):
        self.path = path
        self.hashes = np.empty(0, dtype=np.uint64)
        self.rows = np.empty(0, dtype=np.int64)

    def add(self, names: pd.Series, *, first_row: int) -> None:
        from ..errors import ValidationFailed

        keys = _name_keys(names)
        hashes = pd.util.hash_array(keys)
        issues = []
        for i in np.flatnonzero(np.isin(hashes, self.hashes)):
            earlier = int(self.rows[np.flatnonzero(self.hashes == hashes[i])[0]])
            if self._name_at(earlier) == keys[i]:
                issues.append(_repeated_name(str(self.path), i + first_row, keys[i], earlier))
        if issues:
            raise ValidationFailed(issues, "nothing was ranked")
        self.hashes = np.concatenate([self.hashes, hashes])
        self.rows = np.concatenate([self.rows, np.arange(first_row, first_row + len(keys))])

    def _name_at(self, row: int) -> str:
        """The name on ``row`` of the file (the header is row 1)."""
        return _name_keys(pd.read_csv(self.path, skiprows=range(1, row - 1), nrows=1, dtype=NAME_AS_TEXT)["name"])[0]


def _name_keys(names) -> np.ndarray:
    """How candidate names are compared: as written, without surrounding spaces (" LiF" is LiF)."""
    return pd.Series(names, dtype=object).astype(str).str.strip().to_numpy(dtype=object)


def _repeated_name(file: str, row: int, key: str, earlier: int):
    from ..errors import Issue

    return Issue("error", file, f"row {row}", "name", key, f"also the name of row {earlier}; each candidate needs its own name",
                 "candidates")


def _identity(candidates: pd.DataFrame) -> pd.DataFrame:
    """Who the candidates are: name, formula, class (None where the table lacks them) and any given properties."""
    cols = {"candidate": candidates["name"].astype(str).to_numpy()}
    for c in ("formula", "class"):  # missing = None, whether the table came from SQL or from a CSV (NaN)
        v = candidates[c].to_numpy(dtype=object) if c in candidates else np.full(len(candidates), None, dtype=object)
        cols[c] = np.where(pd.isna(v), None, v)
    cols.update({c: candidates[c].to_numpy() for c in CANDIDATE_PROPERTIES if c in candidates})  # given values pass through
    return pd.DataFrame(cols)


def _finish(ranked: pd.DataFrame, card) -> pd.DataFrame:
    out = ranked.copy()
    out["tested_in_training"] = out.candidate.isin(set(card.get("training_interlayers", [])))
    out = _order(out)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out.drop(columns=["risk"])


def _count_rows(path) -> int:
    with open(path, "rb") as fh:
        return max(sum(1 for _ in fh) - 1, 0)


def _csv_chunks(path, chunk_size: int):
    """The CSV in chunks of rows; a file pandas cannot read as a table is one clear error, not a traceback."""
    from ..errors import MatkbError

    try:
        yield from pd.read_csv(path, chunksize=chunk_size, dtype=NAME_AS_TEXT)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise MatkbError(f"{path}: not a candidate table (a CSV with a `name` column): {str(exc).strip()}") from None


def suggest(kb, *, electrolyte: str, n: int = 5, model=None, card=None, **conditions) -> pd.DataFrame:
    """Untested candidates whose results would teach the model most: those whose interquartile interval is open (its
    upper quartile lies beyond the longest test, so the model cannot bound their life), widest interval first, then
    farthest from the data. ``interval_width_h`` is the width up to the longest test; ``interval_open`` says the true
    width is larger."""
    if model is None:
        model, card, _ = default_model(kb)
    ranked = rank(kb, electrolyte=electrolyte, model=model, card=card, **conditions)
    untested = ranked[~ranked.tested_in_training].copy()
    untested["interval_open"] = untested.upper_qualifier.eq(">")
    untested["interval_width_h"] = untested.upper_h - untested.lower_h
    untested = untested.sort_values(["interval_open", "interval_width_h", "nearest_training_distance"], ascending=False,
                                    kind="mergesort")
    return untested.head(n).reset_index(drop=True)


def _different_compositions(a: str, b: str) -> bool:
    from ..chem import composition_key

    try:
        return composition_key(a) != composition_key(b)
    except ValueError:
        return False  # an unparseable formula is reported on its own


#: the vocabulary property behind each candidate property column, whose physical limits a given value must meet
CANDIDATE_PROPERTY_KINDS = {"redox_potential_V": "redox_potential", "band_gap_eV": "band_gap",
                            "shear_modulus_GPa": "shear_modulus", "ionic_conductivity_S_cm": "ionic_conductivity"}


def check_candidates(candidates: pd.DataFrame, file: str = "candidates", resolve=None, first_row: int = 2,
                     formulas: dict[str, str] | None = None) -> None:
    """A candidate table needs names; a formula, where given, must parse; a given property must be a number the
    property can have (a redox potential typed in mV as V is not). With ``resolve`` (the store's material resolver)
    every candidate must also be describable: a stored material, a formula, or a name with given properties; with
    ``formulas`` (material id -> stored formula) a stored name must not come with another formula (the name would win
    unseen). A name may appear once in the table.
    Errors name the CSV row (``first_row`` is the row of the table's first line; the header is row 1)."""
    from ..errors import Issue, ValidationFailed
    from ..featurizers.base import parse_formula
    from ..vocab import property_spec

    issues = []
    if "name" not in candidates.columns:
        issues.append(Issue("error", file, "header", "name", "", "a `name` column is required", "candidates"))
    for i, f in enumerate(candidates.get("formula", pd.Series(dtype=object))):
        if isinstance(f, str) and f.strip():
            try:
                parse_formula(f.strip())
            except ValueError as exc:
                issues.append(Issue("error", file, f"row {i + first_row}", "formula", f, str(exc), "candidates"))
    for col in [c for c in CANDIDATE_PROPERTIES if c in candidates]:
        unit = col.rsplit("_", 1)[1] if col != "ionic_conductivity_S_cm" else "S/cm"
        limits = quantities()[property_spec(CANDIDATE_PROPERTY_KINDS[col])["quantity"]]
        for i, raw in enumerate(candidates[col]):
            if pd.isna(raw) or not str(raw).strip():
                continue
            v = pd.to_numeric(pd.Series([raw]), errors="coerce")[0]
            why = "not a number" if pd.isna(v) else limits.violation(float(v))
            if not why and col == "band_gap_eV" and v < 0:
                why = "a band gap cannot be negative"
            if why:
                issues.append(Issue("error", file, f"row {i + first_row}", col, str(raw), f"{why} (the column is in {unit})", "candidates"))
    if resolve is not None and "name" in candidates.columns:
        props = [c for c in CANDIDATE_PROPERTIES if c in candidates]
        given = candidates[props].notna().any(axis=1) if props else pd.Series(False, index=candidates.index)
        typed = candidates["formula"] if "formula" in candidates else pd.Series([None] * len(candidates), index=candidates.index)
        for i, (name, formula, has) in enumerate(zip(candidates["name"], typed, given, strict=True)):
            described = isinstance(formula, str) and formula.strip()
            why = None if described else _undescribable(resolve, name, interlayer=True, has_properties=bool(has))
            if why and str(name).strip().lower() not in ("none", "bare"):
                issues.append(Issue("error", file, f"row {i + first_row}", "name", "" if pd.isna(name) else str(name),
                                    why.replace("`none` is a bare interface; ", "") + "; or give its `formula`", "candidates"))
            mid = resolve(name) if not pd.isna(name) else None
            stored = (formulas or {}).get(mid)
            if described and stored and _different_compositions(stored, formula.strip()):
                issues.append(Issue("error", file, f"row {i + first_row}", "formula", formula,
                                    f"{name!r} is the stored material {mid} ({stored}); a candidate named after it is "
                                    "described as it, so give this one another name or leave its formula out", "candidates"))
    if "name" in candidates.columns:
        seen: dict[str, int] = {}
        for i, key in enumerate(_name_keys(candidates["name"])):
            if key in seen:
                issues.append(_repeated_name(file, i + first_row, key, seen[key]))
            else:
                seen[key] = i + first_row
    if issues:
        raise ValidationFailed(sorted(issues, key=lambda i: -1 if i.where == "header" else int(i.where.split()[1])), "nothing was ranked")


def check_rows(kb, rows: pd.DataFrame, file: str = "rows") -> None:
    """Each row's electrolyte, and its interlayer, must be something the descriptors can come from: a material the
    store knows (id, name or alias) or a formula; for the interlayer also `none` (a bare interface) or a name whose
    properties the row gives (:data:`CANDIDATE_PROPERTIES`). Otherwise the prediction would rest on the test
    conditions alone, so the row is refused. A stated condition must be a number a cell can have (a current density
    above 0, ...). The error names the CSV row (the header is row 1)."""
    from ..errors import Issue, ValidationFailed

    resolve = kb.material_resolver()
    issues = []
    for c in [c for c in (*CONDITION_QUANTITIES, "wetting_agent") if c in rows]:
        numbers = pd.to_numeric(rows[c], errors="coerce")
        for i, (raw, v) in enumerate(zip(rows[c], numbers, strict=True)):
            why = "not a number" if pd.isna(v) and not pd.isna(raw) and str(raw).strip() else _impossible(c, v)
            if why:
                issues.append(Issue("error", file, f"row {i + 2}", c, str(raw), why, "rows"))
    props = [c for c in CANDIDATE_PROPERTIES if c in rows]
    described = rows[props].notna().any(axis=1) if props else pd.Series(False, index=rows.index)
    for i, (el, il, has_props) in enumerate(zip(rows["electrolyte"], rows["interlayer"], described, strict=True)):
        for field, value in (("electrolyte", el), ("interlayer", il)):
            why = _undescribable(resolve, value, interlayer=field == "interlayer", has_properties=has_props)
            if not why and field == "electrolyte":
                why = _outside_model(kb, value, resolve)
            if why:
                issues.append(Issue("error", file, f"row {i + 2}", field, "" if pd.isna(value) else str(value), why, "rows"))
    if issues:
        raise ValidationFailed(sorted(issues, key=lambda i: int(i.where.split()[1])), "nothing was predicted")  # by row


def check_ranking(kb, electrolyte: str, **conditions: float | None) -> None:
    """What `rank` is asked for must exist: an electrolyte the store knows or a formula, and test conditions a cell
    can have (keywords as :func:`rank` takes them)."""
    from ..errors import MatkbError, NotFound

    resolve = kb.material_resolver()
    why = _undescribable(resolve, electrolyte) or _outside_model(kb, electrolyte, resolve)
    if why:
        raise NotFound(f"electrolyte {electrolyte!r}: {why}")
    for key, column in (("current_density", "current_density_mA_cm2"), ("capacity", "areal_capacity_mAh_cm2"),
                        ("temperature", "temperature_C"), ("pressure", "pressure_MPa")):
        value = conditions.get(key)
        if value is not None and value != value:  # NaN: asked for, but no number
            raise MatkbError(f"{key.replace('_', ' ')}: not a number (NaN); leave it out to use the default")
        if value is not None and (why := _impossible(column, value)):
            raise MatkbError(f"{key.replace('_', ' ')} {conditions[key]:g} {quantities()[CONDITION_QUANTITIES[column]].unit}: {why}")


def _impossible(column: str, value: float) -> str | None:
    """Why a stated test condition cannot be (None when it can, or when it is not stated)."""
    if pd.isna(value):
        return None
    if column == "wetting_agent":  # a flag: the cell was wetted (1) or not (0)
        return None if float(value) in (0.0, 1.0) else "must be 0 (dry) or 1 (wetted)"
    if column not in CONDITION_QUANTITIES:
        return None
    return quantities()[CONDITION_QUANTITIES[column]].violation(float(value))  # the limits records are held to


#: alkali ions whose conductors, without Li, meet their own metal rather than Li
OTHER_WORKING_IONS = ("Na", "K")


def _outside_model(kb, electrolyte, resolve) -> str | None:
    """Why the stability model cannot speak for cells on this electrolyte (None when it can); ``resolve`` is the
    store's material resolver."""
    return _not_for_li(kb, electrolyte) or _not_ceramic(kb, electrolyte, resolve)


def _not_ceramic(kb, electrolyte, resolve) -> str | None:
    """A polymer, gel, liquid or composite electrolyte: Li meets the polymer, and the model learned from ceramics."""
    mid = resolve(electrolyte)
    row = kb.con.execute("SELECT class FROM materials WHERE material_id = ?", [mid]).fetchone() if mid else None
    cls = row[0] if row else None
    if cls not in NON_CERAMIC_ELECTROLYTES:
        return None
    return (f"a {cls} electrolyte: Li meets the polymer or liquid, not a ceramic, and the stability model learned from "
            "Li | ceramic cells only (its descriptors, reduction potential and modulus, are the ceramic's)")


def _not_for_li(kb, electrolyte) -> str | None:
    """Why the stability model cannot describe a cell with this electrolyte: a Na+ or K+ conductor with no Li (NZSP)
    is paired with its own metal, and the model describes Li-metal cells, trained on them only."""
    from ..featurizers.base import parse_formula
    from ..featurizers.properties import formula_of

    formula = formula_of(str(electrolyte).strip(), kb)
    if formula is None:
        return None  # no formula (a polymer, a composite): nothing to say
    elements = {e.symbol for e in parse_formula(formula).elements}
    ions = [ion for ion in OTHER_WORKING_IONS if ion in elements]
    if "Li" in elements:
        return None
    if not ions:  # Cu, or a typo that parses ("FOO" is F + O2)
        return (f"{formula} contains no Li, so it cannot be the Li+ conductor of a Li | interlayer | electrolyte cell "
                "(a polymer or composite without a formula is not affected)")
    return (f"a {ions[0]}+ conductor ({formula}) with no Li; the stability model describes Li | interlayer | electrolyte "
            "cells and learned from Li cells only, so it cannot rank or predict for a Na or K cell")


def _undescribable(resolve, value, *, interlayer: bool = False, has_properties: bool = False) -> str | None:
    """Why nothing could describe ``value`` (None when something can)."""
    from ..featurizers.base import parse_formula

    if value is None or pd.isna(value) or not str(value).strip():
        return "empty" + ("; write `none` for a bare interface" if interlayer else "")
    text = str(value).strip()
    if resolve(text) or (interlayer and (text.lower() in ("none", "bare") or has_properties)):
        return None
    try:
        parse_formula(text)
        return None
    except ValueError:
        pass
    return ("not a material id, name or alias in the store, nor a formula"
            + (f" (`none` is a bare interface; an interlayer the store lacks can be given by its properties: "
               f"{', '.join(CANDIDATE_PROPERTIES)})" if interlayer else ""))


def _drivers(model, X: pd.DataFrame, medians: pd.Series, k: int = 2) -> list[str]:
    """The descriptors that moved each prediction most: one at a time, a descriptor is set to its
    training median; if the predicted risk then rises, the descriptor was lengthening the life (up)."""
    base = model.predict(X)
    effects = np.zeros((len(X), len(FEATURES)))
    for j, col in enumerate(FEATURES):
        if col not in medians or medians[col] != medians[col]:
            continue
        Xj = X.copy()
        Xj[col] = medians[col]
        effects[:, j] = model.predict(Xj) - base  # > 0: the actual value lowered the risk
    out = []
    for row in effects:
        order = np.argsort(row)
        up = [FEATURES[j] for j in order[::-1][:k] if row[j] > 1e-9]
        down = [FEATURES[j] for j in order[:k] if row[j] < -1e-9]
        out.append("; ".join(filter(None, ["up: " + ", ".join(up) if up else "", "down: " + ", ".join(down) if down else ""])) or "none")
    return out
