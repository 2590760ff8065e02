"""The conductivity model on the shared OBELiX and Liverpool copies (skipped where they are absent)."""

from __future__ import annotations

import io
import json
import subprocess

import pandas as pd
import pytest

from matkb.chem import composition_key
from matkb.models import conductivity as cond
from matkb.models import persist
from matkb.store import Store

from .conftest import DATASETS, MATKB, needs_obelix

pytestmark = needs_obelix


def test_training_table_applies_the_obelix_conventions(imported_db):
    with Store(imported_db, read_only=True) as kb:
        ob = cond.training_table(kb, obelix_only=True)
        full = cond.training_table(kb)
    assert len(ob) == 478  # every OBELiX training entry is at room temperature
    assert ob.upper_bound.sum() >= 20 and (ob[ob.upper_bound].log10_sigma == -15).all()
    assert set(full.dataset) == {"obelix", "liverpool", "curated"}
    assert not full.duplicated(["reduced_formula", "doi"]).any()
    # one row per composition and paper even where one dataset writes the unit-cell formula (OBELiX coi, Liverpool 92)
    assert not full.reduced_formula.map(composition_key).to_frame().assign(doi=full.doi).duplicated().any()
    assert full.reduced_formula.str.contains("Li").all() and full.temperature_C.between(15, 35).all()
    # a curated conductivity from DFT, AIMD or MD is a prediction, not a label (e.g. the AIMD 15.3 mS/cm of Li2Sm2/3Cl4)
    with Store(imported_db, read_only=True) as kb:
        computed = kb.sql("SELECT material_id FROM conductivities WHERE basis = 'computed' AND temperature_C BETWEEN 15 AND 35")
    assert "Li2Sm2_3Cl4" in set(computed.material_id)
    assert not set(computed.material_id) & set(full[full.dataset == "curated"].name)


def test_citable_only_drops_exactly_the_curated_rows_of_sources_that_cannot_be_cited(uncited_db):
    """A curated row is kept when its source is citable (`sources.citable`); imported entries always name a DOI."""
    with Store(uncited_db, read_only=True) as kb:
        full, cited = cond.training_table(kb), cond.training_table(kb, citable_only=True)
        uncitable = set(kb.sql("SELECT source_id FROM sources WHERE NOT citable").source_id)
    dropped = full.dataset.eq("curated") & full.doi.isin(uncitable)  # a curated row without a DOI is grouped by source id
    assert dropped.any()  # `uncitable/` holds conductivities from sources `matkb info` marks NOT CITABLE
    pd.testing.assert_frame_equal(cited.reset_index(drop=True), full[~dropped].reset_index(drop=True))


def test_train_compares_with_the_obelix_baseline_on_the_same_folds_and_round_trips(imported_db, tmp_path):
    model_path = tmp_path / "cond.skops"
    res = subprocess.run([*MATKB, "--db", str(imported_db), "train", "conductivity", "--grid", "fixed", "--out", str(model_path)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    card = json.loads(model_path.with_name("cond.skops.card.json").read_text())
    table = pd.DataFrame(card["comparison"])
    assert set(table.scheme) == set(cond.SCHEMES) and len(table) == 9
    mae = table.set_index(["scheme", "model"]).mae
    for scheme in cond.SCHEMES[:2]:  # random and DOI-grouped folds: both forests beat the training mean by far
        assert mae[scheme, "OBELiX RF baseline"] < 0.7 * mae[scheme, "mean of training data"]
        assert mae[scheme, "matkb extra-trees"] < 0.7 * mae[scheme, "mean of training data"]
    assert mae["grouped by DOI", "matkb extra-trees"] > mae["random 5-fold", "matkb extra-trees"]  # new papers are harder
    assert "OBELiX RF baseline" in res.stdout and "grouped by DOI" in res.stdout
    # predict: pass-through columns, interval, domain; a stability model file is refused as a conductivity model
    inp = tmp_path / "in.csv"
    inp.write_text("formula,label\nLi1.3Al0.3Ti1.7(PO4)3,LATP\nLi1.5Al0.5Ge1.5(PO4)3,LAGP\nLiXe2,odd\nNa3Zr2Si2PO12,NZSP\n")
    res = subprocess.run([*MATKB, "--db", str(imported_db), "predict", "conductivity", "--input", str(inp), "--model", str(model_path)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    out = pd.read_csv(io.StringIO(res.stdout))
    assert out.label.tolist() == ["LATP", "LAGP", "odd", "NZSP"]
    assert (out.lower_log10 < out.log10_sigma_S_cm).all() and (out.log10_sigma_S_cm < out.upper_log10).all()
    assert out.in_domain.tolist() == [True, True, False, False]  # Xe never seen; a Na conductor is not a Li one
    assert -5.5 < out.log10_sigma_S_cm[0] < -2.5  # LATP: ~1e-4 to 1e-3 S/cm at room temperature in the literature
    with Store(imported_db, read_only=True) as kb:
        with pytest.raises(persist.ModelError, match="not a stability model"):
            persist.load(model_path, features=None, schema_version=kb.schema_version,
                         feature_check=lambda c: c["features"])


def test_predict_conductivity_bad_formula_names_the_row_and_missing_model_says_how(imported_db, tmp_path):
    inp = tmp_path / "in.csv"
    inp.write_text("formula\nLiF\nLi2Qq3\n")
    res = subprocess.run([*MATKB, "--db", str(imported_db), "predict", "conductivity", "--input", str(inp)], capture_output=True, text=True)
    assert res.returncode == 1 and "matkb train conductivity" in res.stderr  # no model trained in this home yet
    with Store(imported_db, read_only=True) as kb:
        model, card, _ = cond.train(kb, compare=False)
    with pytest.raises(Exception, match="row 3: formula = Li2Qq3"):
        cond.predict(pd.read_csv(inp), model, card)
    # a relative `cif` is read from the CSV's folder, whatever the working directory (as `featurize` reads it)
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "lagp.cif").write_text((DATASETS / "structures" / "LGP.cif").read_text())
    rows = pd.DataFrame({"formula": ["LiGe2(PO4)3", "LiGe2(PO4)3"], "cif": ["lagp.cif", None]})
    pred = cond.predict(rows, model, card, "inputs/in.csv", base_dir=folder)
    assert pred.log10_sigma_S_cm[0] != pred.log10_sigma_S_cm[1]  # the structure's lattice reached the model
    with pytest.raises(Exception, match=r"row 2: cif = lagp.cif: no such file"):
        cond.predict(rows, model, card, "in.csv", base_dir=tmp_path)
