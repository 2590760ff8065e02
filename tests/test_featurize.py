"""Featurizers: hand-checked values, matminer equality, failure policy, chunking, scikit-learn conventions."""

import csv
import random

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

import matkb
from matkb.featurizers import FeaturizeError, get_featurizer
from matkb.featurizers.composition import CompositionFeaturizer
from matkb.featurizers.redox import RedoxFeaturizer, oxidation_states

from .conftest import DATASETS, MATKB, OBELIX, latp_onsets

OBELIX_CSV = OBELIX / "train.csv"


def obelix_formulas():
    if not OBELIX_CSV.is_file():
        pytest.skip("needs ../shared/data/obelix (present in CI, not in a user's clone)")
    with open(OBELIX_CSV, newline="", encoding="utf-8") as fh:
        return [r["Reduced Composition"] for r in csv.DictReader(fh)]


def col(df, name):
    return df[name].to_numpy()


def test_mean_electronegativity_of_lif_by_hand():
    df = matkb.featurize(["LiF"], sets=("composition",))
    assert col(df, "MagpieData mean Electronegativity")[0] == pytest.approx((0.98 + 3.98) / 2)
    assert col(df, "MagpieData range Electronegativity")[0] == pytest.approx(3.98 - 0.98)
    assert col(df, "MagpieData mode Number")[0] == 3.0  # equal amounts: the smaller value


def test_equals_matminer_magpie_on_a_sample():
    mm = pytest.importorskip("matminer.featurizers.composition")
    from pymatgen.core import Composition

    formulas = ["LiF", "Li1.3Al0.3Ti1.7(PO4)3", "Fe4(Fe(CN)6)3", "Li7La3Zr2O12", "Na3Zr2Si2PO12", "Li6PS5Cl", "LiZn", "Li"]
    if OBELIX_CSV.is_file():
        formulas += random.Random(0).sample(obelix_formulas(), 60)
    ours = CompositionFeaturizer().fit().transform(formulas)
    ep = mm.ElementProperty.from_preset("magpie")
    theirs = np.array([ep.featurize(Composition(f)) for f in formulas])
    assert list(CompositionFeaturizer().fit().get_feature_names_out()) == ep.feature_labels()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("formula", "expected"), [
    ("Li1.3Al0.3Ti1.7(PO4)3", {"Li": 1, "Al": 3, "Ti": 4, "P": 5, "O": -2}),
    ("LiFePO4", {"Li": 1, "Fe": 2, "P": 5, "O": -2}),
    ("LiMn2O4", {"Li": 1, "Mn": 3.5, "O": -2}),
    ("Fe4(Fe(CN)6)3", {"Fe": 18 / 7, "C": 2, "N": -3}),
    ("Li3N", {"Li": 1, "N": -3}),
    ("Li2SO4", {"Li": 1, "S": 6, "O": -2}),
    ("Li6PS5Cl", {"Li": 1, "P": 5, "S": -2, "Cl": -1}),
    ("LiZn", {"Li": 0, "Zn": 0}),
    # two variable cations: the high state gives way first (was Cr +6 with Ge +3, Mn +7 with Sn +2.67)
    ("Li1.5Cr0.5Ge1.5(PO4)3", {"Li": 1, "Cr": 3, "Ge": 4, "P": 5, "O": -2}),
    ("Li1.7Cr0.7Sn1.3(PO4)3", {"Li": 1, "Cr": 3, "Sn": 4, "P": 5, "O": -2}),
    ("LiMn0.5Sn1.5(PO4)3", {"Li": 1, "Mn": 4, "Sn": 4, "P": 5, "O": -2}),
    ("Na3V1.5Cr0.5(PO4)3", {"Na": 1, "V": 3, "Cr": 3, "P": 5, "O": -2}),
    ("LiNi0.8Co0.1Mn0.1O2", {"Li": 1, "Ni": 2.875, "Co": 3, "Mn": 4, "O": -2}),
])
def test_oxidation_states_balance_non_integer_formulas(formula, expected):
    states, balanced = oxidation_states(formula)
    assert balanced
    assert states == pytest.approx(expected)


def test_split_li_sites_are_not_counted_as_li_pairs_or_hops():
    """LATP's CIF has Li split sites 0.32 A apart: one ion's alternative positions, not a 0.32 A Li-Li pair."""
    df = matkb.featurize([str(DATASETS / "structures" / f"{n}.cif") for n in ("LATP", "LAGP", "Li3N")], sets=("structure",))
    d = col(df, "li_li_min_distance_A")
    assert (d > 2.0).all() and d[2] == pytest.approx(2.11, abs=0.01)  # Li3N's real shortest pair is kept
    assert col(df, "bottleneck_radius_A")[0] > col(df, "bottleneck_radius_A")[1] > 0  # LATP's larger cell, wider hops


def test_a_cif_and_its_formula_find_the_same_host_couple():
    """LATP's CIF gives the unit-cell formula Li7.8Al1.8Ti10.2P18O72, whose reduced_formula is not LATP's; the host
    match is by composition, so both get the founding study's 2.34 V (the CIF got the all-host median, 2.42 V)."""
    df = matkb.featurize([str(DATASETS / "structures" / "LATP.cif"), "Li1.3Al0.3Ti1.7(PO4)3"], sets=("redox",))
    assert col(df, "reduction_potential_V").tolist() == pytest.approx([2.34, 2.34])


def test_redox_reduction_potentials_from_the_curated_couples():
    df = matkb.featurize(["Li1.3Al0.3Ti1.7(PO4)3", "LiF", "Li3N", "Fe4(Fe(CN)6)3"], sets=("redox",))
    pot = col(df, "reduction_potential_V")
    assert pot[0] == pytest.approx(2.34)  # the founding study's Ti4+/Ti3+ (best-verified couple for LATP itself)
    assert np.isnan(pot[1]) and np.isnan(pot[2])  # nothing to reduce in LiF or Li3N
    assert col(df, "reducible_cation_fraction")[1] == 0 and col(df, "reducible_cation_fraction")[2] == 0
    assert 2.9 <= pot[3] <= 3.2 and col(df, "mixed_valence")[3] == 1
    why = RedoxFeaturizer().explain("Li1.3Al0.3Ti1.7(PO4)3")["couples"][0]["why"]
    assert "pb-latp-seed" in why


def test_every_obelix_composition_gets_balanced_states():
    formulas = obelix_formulas()
    df = matkb.featurize(formulas, sets=("redox",))
    assert df.shape[0] == len(formulas)
    assert col(df, "charge_balanced").mean() > 0.9


def test_bad_items_raise_with_the_item_or_give_nan_with_a_reason():
    with pytest.raises(FeaturizeError, match=r"item 1 \('Xq3O'\): pymatgen cannot parse formula 'Xq3O': unknown element"):
        matkb.featurize(["LiF", "Xq3O"], sets=("composition",))
    df = matkb.featurize(["LiF", "Xq3O", "Li2O)("], sets=("composition", "redox"), on_error="skip")
    assert df.iloc[1, 1:].isna().all() and df.iloc[2, 1:].isna().all() and df.iloc[0, 1:].notna().sum() > 100
    assert set(df.attrs["skipped"]) == {1, 2} and "unknown element" in df.attrs["skipped"][1]
    with pytest.warns(UserWarning, match="skipped"):
        CompositionFeaturizer(on_error="warn").fit().transform(["Xq3O"])


def test_chunked_equals_unchunked_on_1000_items():
    rng = random.Random(1)
    base = ["LiF", "Li1.3Al0.3Ti1.7(PO4)3", "Li3N", "LiFePO4", "ZnO", "Al2O3", "Li1.5Al0.5Ge1.5(PO4)3", "Fe4(Fe(CN)6)3"]
    items = [rng.choice(base).replace("1.3", f"{1 + rng.randint(1, 5) / 10:.1f}") for _ in range(1000)]
    a = matkb.featurize(items, sets=("composition", "redox"), chunk_size=1000)
    b = matkb.featurize(items, sets=("composition", "redox"), chunk_size=37)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("name", ["composition", "redox", "thermo", "structure", "properties"])
def test_scikit_learn_conventions(name):
    est = get_featurizer(name)
    for check in (check_parameters_default_constructible, check_no_attributes_set_in_init, check_get_params_invariance, check_set_params):
        check(type(est).__name__, est)
    assert clone(est).get_params() == est.get_params()
    out = clone(est).set_output(transform="pandas").fit(["LiF"]).transform(pd.DataFrame({"formula": ["LiF", "Li3N"]}))
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list(est.fit().get_feature_names_out())
    with pytest.raises(ValueError, match="The 'on_error' parameter of"):
        type(est)(on_error="ignore").fit()
    assert make_pipeline(clone(est)).fit_transform(["LiF"]).shape == (1, len(est.get_feature_names_out()))
    assert set(est.feature_units) == set(est.get_feature_names_out())
    assert est.citations()


def test_cli_mirrors_the_api(tmp_path):
    import subprocess

    csv_in = tmp_path / "in.csv"
    csv_in.write_text("formula,name\nLiF,lithium fluoride\nLi3N,lithium nitride\n")

    with_cif = tmp_path / "cif.csv"
    with_cif.write_text(f"formula,cif\nLiF,{DATASETS / 'structures' / 'LiF.cif'}\nLi3N,\n")
    res = subprocess.run([*MATKB, "featurize", str(with_cif), "--set", "redox", "--out", str(tmp_path / "c.csv")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert pd.read_csv(tmp_path / "c.csv").bond_valence_used.tolist() == [1.0, 0.0]  # the CIF row used bond valences
    out = tmp_path / "f.parquet"
    res = subprocess.run([*MATKB, "featurize", str(csv_in), "--set", "redox", "--out", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    df = pd.read_parquet(out)
    pd.testing.assert_frame_equal(df, matkb.featurize(["LiF", "Li3N"], sets=("redox",)))
    broken = tmp_path / "cifs"
    broken.mkdir()
    (broken / "bad.cif").write_text("data_bad\n_cell_length_a 3\nloop_\n_atom_site_label\n")
    res = subprocess.run([*MATKB, "featurize", str(broken)], capture_output=True, text=True)
    assert res.returncode == 1 and "bad.cif: pymatgen cannot read this CIF" in res.stderr


def test_thermo_reactivity_with_li_from_experimental_enthalpies():
    from matkb.featurizers.thermo import ThermoFeaturizer

    t = ThermoFeaturizer().fit()
    df = pd.DataFrame(t.transform(["Li3N", "LiF", "ZnO", "Al2O3", "Li1.3Al0.3Ti1.7(PO4)3", "Cu"]), columns=t.get_feature_names_out())
    assert df.stable_with_li.tolist()[:4] == [1.0, 1.0, 0.0, 0.0]
    assert df.reaction_energy_with_li_eV_atom[2] < -0.5 and df.reaction_energy_with_li_eV_atom[3] < -0.1
    assert df.iloc[4].isna().all() and "missing phase" in t.explain("Li1.3Al0.3Ti1.7(PO4)3")
    assert np.isnan(df.stable_with_li[5]) and "no Li-Cu compound" in t.explain("Cu")
    assert "Li2O" in t.explain("ZnO")


def test_structure_descriptors_work_on_disordered_nasicon():
    from matkb.featurizers.structure import StructureFeaturizer


    s = StructureFeaturizer().fit()
    cifs = [DATASETS / "structures" / "LATP.cif", DATASETS / "structures" / "LiF.cif", "LiF"]
    df = pd.DataFrame(s.transform([str(c) for c in cifs]), columns=s.get_feature_names_out())
    latp, lif = df.iloc[0], df.iloc[1]
    assert latp.is_ordered == 0 and latp.space_group_number == 167 and latp.crystal_system == 5
    assert latp.density_g_cm3 == pytest.approx(2.93, abs=0.02) and latp.li_coordination == 6
    assert lif.space_group_number == 225 and lif.li_coordination == 6 and lif.li_anion_mean_distance_A == pytest.approx(2.01, abs=0.02)
    assert df.iloc[2].isna().all() and "no structure given" in s.reasons_[2]


def test_broken_cif_is_an_error_naming_it(tmp_path):
    from matkb.featurizers.structure import StructureFeaturizer

    bad = tmp_path / "broken.cif"
    bad.write_text("data_x\n_cell_length_a 5\n")
    with pytest.raises(FeaturizeError, match="broken.cif.*pymatgen cannot read this CIF"):
        StructureFeaturizer().fit().transform([str(bad)])
    out = StructureFeaturizer(on_error="skip").fit().transform([str(bad)])
    assert np.isnan(out).all()


def test_pair_potential_gap_of_the_founding_study():
    from matkb.featurizers.properties import PairFeaturizer

    p = PairFeaturizer().fit()
    df = pd.DataFrame(p.transform([("PB", "LATP"), ("none", "LATP"), ("LiF", "LAGP")]), columns=p.get_feature_names_out())
    # LATP's reduction onset is the median of its best-checked values: the founding study's 2.34 V among them
    with matkb.open() as kb:
        onsets = latp_onsets(kb)
    assert df.potential_gap_V[0] == pytest.approx(3.07 - onsets.median()) and df.blocks_electrons[0] == 1
    assert df.potential_gap_V[1] == pytest.approx(-onsets.median()) and df.blocks_electrons[1] == 0
    assert df.blocks_electrons[2] == 1 and df.interlayer_stable_with_li[2] == 1  # LiF: an insulator, stable with Li


def test_electrolyte_reduction_potential_from_its_formula_when_none_is_stored():
    """LATP-x0.4 has no stored reduction potential: it takes that of its stored neighbour of the same elements (LATP,
    measured); a composition with no such neighbour (Sc in place of Al) takes the Ti4+ couple through its formula
    (median over hosts); in both columns."""
    from matkb.featurizers.properties import PairFeaturizer

    p = PairFeaturizer().fit()
    pairs = [("none", "LATP-x0.4"), ("none", "LATP"), ("none", "Li1.3Sc0.3Ti1.7(PO4)3")]
    df = pd.DataFrame(p.transform(pairs), columns=p.get_feature_names_out())
    from matkb.featurizers.redox import reference_couples

    with matkb.open(write=False) as kb:
        onsets = latp_onsets(kb)
    assert df.electrolyte_reduction_potential_V[0] == pytest.approx(onsets.median()) == df.electrolyte_reduction_potential_V[1]
    ti4 = [c["potential_V"] for c in reference_couples() if c["element"] == "Ti" and c["from_state"] == 4]
    assert len(ti4) >= 3 and 2.2 <= np.median(ti4) <= 2.6  # Ti4+/Ti3+ in phosphates, near 2.3-2.5 V vs Li
    assert df.electrolyte_reduction_potential_V[2] == pytest.approx(np.median(ti4))
    assert df.potential_gap_V.tolist() == pytest.approx((-df.electrolyte_reduction_potential_V).tolist())


def test_a_metal_interlayer_without_a_redox_couple_sits_at_the_li_level():
    """Cr is stored as metallic but has no potential of its own: in contact with Li it passes Li's electrons on."""
    from matkb.featurizers.properties import PairFeaturizer

    p = PairFeaturizer().fit()
    df = pd.DataFrame(p.transform([("Cr", "LAGP"), ("none", "LAGP")]), columns=p.get_feature_names_out())
    assert df.interlayer_conduction_class[0] == 3 and df.interlayer_electron_level_V[0] == 0.0
    assert df.potential_gap_V[1] < 0 and df.potential_gap_V[0] == pytest.approx(df.potential_gap_V[1])  # as bare Li on LAGP
    assert df.blocks_electrons[0] == 0


def test_properties_monroe_newman_ratio():
    from matkb.featurizers.properties import PropertiesFeaturizer

    p = PropertiesFeaturizer().fit()
    df = pd.DataFrame(p.transform(["LATP", "Unobtainium"]), columns=p.get_feature_names_out())
    with matkb.open(write=False) as kb:  # the default store the featurizer reads
        (g_lo, g_hi), = kb.sql("SELECT value, value_hi FROM properties WHERE material_id = 'LATP' AND property = 'shear_modulus'").values.tolist()
        (g_li,) = kb.sql("SELECT value FROM properties WHERE material_id = 'Li' AND property = 'shear_modulus'").value
        onsets = latp_onsets(kb)
    # LATP's shear modulus is one stated range (the founding study's "~40-60 GPa"), which enters as its midpoint, not
    # its lower end; its electron level is its reduction onset, the median of its best-checked onsets
    assert g_hi > g_lo and df.g_over_g_li[0] == pytest.approx((g_lo + g_hi) / 2 / g_li)
    assert df.electron_level_V[0] == pytest.approx(onsets.median())
    assert df.known_material[1] == 0 and df.iloc[1, 1:].isna().all()


def test_features_are_cached_in_the_store(db_path):
    from matkb.store import Store

    with Store(db_path) as kb:
        first = matkb.featurize(["LiF", "ZnO", "Xq3O"], sets=("composition", "redox"), on_error="skip", cache=kb)
        n = kb.sql("SELECT feature_set, count(*) AS n FROM feature_cache GROUP BY 1 ORDER BY 1")
        assert n.values.tolist() == [["composition", 2], ["redox", 2]]  # the bad item is not cached
        kb.sql("UPDATE feature_cache SET features = list_transform(features, lambda x: 0.0) WHERE feature_set = 'redox'", write=True)
        again = matkb.featurize(["LiF", "ZnO"], sets=("composition", "redox"), cache=kb)
    assert (again.iloc[:, 1:133].to_numpy() == first.iloc[:2, 1:133].to_numpy()).all()
    assert (again.filter(like="li_atomic_fraction").to_numpy() == 0).all()  # read back from the cache, not recomputed


def test_featurize_describes_from_the_store_it_is_given(shipped_db, seeded, tmp_path):
    """`matkb --db X featurize --set properties` reads X, as `matkb.featurize(db=X)` does: the seeded store knows LATP
    but not LiF, the shipped one both (until session 16 the CLI ignored --db and read the default store)."""
    import subprocess

    def known(db) -> list:
        out = tmp_path / f"{db.stem}.csv"
        r = subprocess.run([*MATKB, "--db", str(db), "featurize", "--set", "properties", "LATP", "AlN", "--out", str(out)],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return pd.read_csv(out).known_material.tolist()

    assert known(shipped_db) == [1, 1] and known(seeded) == [1, 0]
    assert matkb.featurize(["LATP", "AlN"], sets=("properties",), db=seeded).known_material.tolist() == [1, 0]


def test_featurize_refuses_a_bad_failure_policy_and_the_pair_set_with_a_clear_error():
    import subprocess

    for args, message in ((["--on-error", "bogus"], "Error: on_error must be one of raise, warn, skip, not 'bogus'"),
                          (["--set", "pair"], "Error: the `pair` set describes (interlayer, electrolyte) pairs")):
        r = subprocess.run([*MATKB, "featurize", *args, "LiF"], capture_output=True, text=True)
        assert r.returncode == 1 and r.stderr.startswith(message) and "Traceback" not in r.stderr
    with pytest.raises(FeaturizeError, match="pair"):
        matkb.featurize([("LiF", "LATP")], sets=("pair",))
    with pytest.raises(FeaturizeError, match=r"unknown feature set 'bogus'; featurize takes: composition, redox, thermo, "
                                             r"structure, properties \(`pair`"):
        matkb.featurize(["LiF"], sets=("bogus",))


def test_featurize_csv_with_a_cif_column_and_an_empty_row_follows_the_failure_policy(tmp_path):
    """A CSV with a `cif` column and no `formula` column crashed on a row without a CIF (AttributeError)."""
    import shutil
    import subprocess

    shutil.copy(DATASETS / "structures" / "LATP.cif", tmp_path / "LATP.cif")
    table = tmp_path / "cifs.csv"
    table.write_text("cif\nLATP.cif\n\"\"\n", encoding="utf-8")
    r = subprocess.run([*MATKB, "featurize", "--set", "structure", table], capture_output=True, text=True)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr  # no structure: a NaN row, as documented
    r = subprocess.run([*MATKB, "featurize", "--set", "composition", table], capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr and "item 1 (''): pymatgen cannot parse formula" in r.stderr
    r = subprocess.run([*MATKB, "featurize", "--set", "composition", "--on-error", "skip", table], capture_output=True, text=True)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr


def test_a_feature_name_two_sets_share_is_prefixed_with_each_set(shipped_db):
    df = matkb.featurize(["LiF", "FePO4"], sets=("properties", "redox"), db=shipped_db)
    assert df.columns.is_unique and "reduction_potential_V" not in df.columns
    assert df.properties_reduction_potential_V[0] == 0.0  # LiF's stored value (stable against Li)
    assert np.isnan(df.redox_reduction_potential_V[0]) and df.redox_reduction_potential_V[1] > 3  # Fe3+/Fe2+ couple


def test_the_redox_fallback_of_a_citable_copy_reads_only_citable_couples(uncited_db):
    """The formula-based reduction potential (used for an electrolyte without a stored one) reads the couples of the
    store being described; in a citable copy the Cr4+/Cr3+ couple, known only from an uncitable review, is gone."""
    from matkb.featurizers.properties import PairFeaturizer
    from matkb.store import Store

    with Store(uncited_db, read_only=True) as kb:
        cr4 = kb.sql("SELECT potential_V, citable FROM redox_couples JOIN sources USING (source_id) "
                     "WHERE element = 'Cr' AND from_state = 4")
        assert cr4.citable.tolist() == [False]  # what makes this test bite
        full = PairFeaturizer(db=kb).fit().describe("LiF", "CrO2")
        assert RedoxFeaturizer(db=kb).fit().explain("CrO2")["couples"][0]["potential_V"] == cr4.potential_V[0]
        with kb.citable_copy() as copy:
            cited = PairFeaturizer(db=copy).fit().describe("LiF", "CrO2")
            assert RedoxFeaturizer(db=copy).fit().explain("CrO2")["couples"][0]["potential_V"] is None
    assert full["electrolyte_reduction_potential_V"] == cr4.potential_V[0]
    assert np.isnan(cited["electrolyte_reduction_potential_V"]) and np.isnan(cited["potential_gap_V"])


def test_store_reading_sets_are_not_kept_in_the_feature_cache(db_path, shipped_db):
    """A store's content can change under the same path, so `properties` and a store's couples are read afresh."""
    from matkb.store import Store

    with Store(db_path) as kb:
        matkb.featurize(["LiF"], sets=("properties", "redox"), cache=kb, db=shipped_db)
        assert kb.sql("SELECT count(*) AS n FROM feature_cache").n[0] == 0
        matkb.featurize(["LiF"], sets=("properties", "redox"), cache=kb)
        assert kb.sql("SELECT feature_set FROM feature_cache").feature_set.tolist() == ["redox"]  # datasets/' couples


def test_structure_basics_equal_matminer_on_ordered_structures():
    st = pytest.importorskip("matminer.featurizers.structure")
    from pymatgen.core import Structure

    from matkb.featurizers.structure import basic


    for name in ("LiF", "Li2O", "Li3N", "ZnO", "LGP", "LZP", "Li3PO4"):  # LTP has partial Li since session 8
        s = Structure.from_file(DATASETS / "structures" / f"{name}.cif")
        density, vpa, packing = st.DensityFeatures().featurize(s)
        sg, system = st.GlobalSymmetryFeatures(desired_features=["spacegroup_num", "crystal_system_int"]).featurize(s)
        ours = basic(s)
        assert ours["density_g_cm3"] == pytest.approx(density, rel=1e-9)
        assert ours["volume_per_atom_A3"] == pytest.approx(vpa, rel=1e-12)
        assert ours["packing_fraction"] == pytest.approx(packing, rel=1e-12)
        assert ours["space_group_number"] == sg
        # matminer numbers crystal systems 7 (triclinic) .. 1 (cubic); matkb 1 (triclinic) .. 7 (cubic)
        assert ours["crystal_system"] == 8 - system


def test_descriptors_follow_an_ingest_in_the_same_process(seeded, tmp_path):
    """Pair descriptors are cached per store; writing to the store drops the cache, so no stale value is served."""
    from matkb.featurizers.properties import PairFeaturizer
    from matkb.store import Store

    extra = tmp_path / "au-level.yaml"
    extra.write_text(
        "format: matkb-record/1\nsources:\n  - {id: t-src, title: a test source, year: 2020, kind: experimental, verification: recalled}\n"
        "properties:\n  - {material: Au, property: redox_potential, value: \"3.5 V\", location: text, verification: recalled}\n")
    with Store(seeded) as kb:
        pf = PairFeaturizer(db=kb).fit()
        before = pf.transform([("Au", "LATP")])[0, 0]
        kb.ingest([extra])
        after = pf.transform([("Au", "LATP")])[0, 0]
    assert before == pytest.approx(0.0 - 2.34)  # a metal with no couple of its own carries the Li it touches (0 V)
    assert after == pytest.approx(3.5 - 2.34)


def test_electronic_character_and_level_follow_the_stored_evidence(shipped_db):
    """CNT (stored 2000 S/cm) and Li-Mg (an alloy) conduct and carry Li's 0 V, so they do not block; ZnO, stored as
    a semiconductor, is not called an insulator by its 3.3 eV gap; Li3N, a semiconductor stable against Li, gets no
    level from its 0 V reduction limit; LiF blocks by its gap; a reducible oxide's reduction potential is its level."""
    import math

    from matkb.featurizers.properties import PairFeaturizer, conduction_of, electron_level
    from matkb.store import Store

    with Store(shipped_db, read_only=True) as kb:
        pf = PairFeaturizer(db=kb).fit([("LiF", "LATP")])
        d = {m: pf.describe(m, "LATP") for m in ("CNT", "Li-Mg", "ZnO", "Li3N", "LiF")}
    for m in ("CNT", "Li-Mg"):
        assert d[m]["blocks_electrons"] == 0 and d[m]["interlayer_electron_level_V"] == 0.0, m
    assert math.isnan(d["ZnO"]["blocks_electrons"]) and math.isnan(d["Li3N"]["blocks_electrons"])
    assert d["LiF"]["blocks_electrons"] == 1
    assert conduction_of({"band_gap": 3.76}) is None  # the gap decides insulation later, in electron_blocking
    assert conduction_of({"conduction_class": "metallic", "electronic_conductivity": 1e-12}) == "metallic"
    assert conduction_of({"electronic_conductivity": 1e-12}) == "insulating"
    assert electron_level({"reduction_potential": 1.6}, "TiO2-x", None) == (1.6, "reduction_potential")
    assert electron_level({"reduction_potential": 0.0}, "Li3N-x", "semiconducting") is None


def test_a_typed_composition_takes_its_stored_neighbours_measured_onset(shipped_db):
    """Li1.4Al0.4Ge1.6(PO4)3 typed in is described like LAGP (measured 1.85 V), not by the median of the Ge4+ couples
    (one DFT value, 2.70 V); a composition with other elements (LiTi2(PO4)3, no Al) has no such neighbour."""
    from matkb.featurizers.properties import PairFeaturizer, nearest_reduction_potential
    from matkb.store import Store

    with Store(shipped_db, read_only=True) as kb:
        assert nearest_reduction_potential("Li1.4Al0.4Ge1.6(PO4)3", kb) == ("LAGP", pytest.approx(1.85))
        assert nearest_reduction_potential("LiTi2(PO4)3", kb) is None
        pf = PairFeaturizer(db=kb).fit([("Cu", "LAGP")])
        assert pf.describe("Cu", "Li1.4Al0.4Ge1.6(PO4)3")["potential_gap_V"] == pf.describe("Cu", "LAGP")["potential_gap_V"]
