"""The embedded default store: built from datasets/ on first use, reused, rebuilt when data change."""

import subprocess
import sys
import textwrap
import zipfile

import pytest

import matkb
from matkb.default import FINGERPRINT_KEY, current_fingerprint, ensure_default_store
from matkb.store import Store

from .conftest import MATERIALS, ROOT, SHARED, latp_onsets


def test_built_on_first_use_and_reused(_isolated_home):
    path = ensure_default_store()
    assert path.parent == _isolated_home and path.exists()
    mtime = path.stat().st_mtime_ns
    with matkb.open(write=False) as kb:
        assert kb.meta(FINGERPRINT_KEY) == current_fingerprint()
        assert kb.table_counts()["cycling_results"] >= 9
    assert ensure_default_store() == path and path.stat().st_mtime_ns == mtime


def test_rebuilt_when_the_shipped_datasets_change(_isolated_home):
    path = ensure_default_store()
    with matkb.open(path) as kb:
        kb.set_meta(FINGERPRINT_KEY, "stale")
        kb.sql("DELETE FROM observations", write=True)
    ensure_default_store()
    with matkb.open(path, write=False) as kb:
        assert kb.meta(FINGERPRINT_KEY) == current_fingerprint()
        assert kb.table_counts()["observations"] > 0


def test_matkb_db_env_wins_over_default(tmp_path, monkeypatch):
    monkeypatch.setenv("MATKB_DB", str(tmp_path / "mine.duckdb"))
    path, is_default = matkb.resolve_db()
    assert path == tmp_path / "mine.duckdb" and not is_default


@pytest.mark.slow
def test_wheel_ships_datasets_and_schemas(tmp_path):
    """A non-editable install must find datasets/ and schemas/ inside the package."""
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
                         capture_output=True, text=True)
    if res.returncode != 0 and "hatchling" in res.stderr:
        pytest.skip("hatchling is not installed (pip install -e '.[test]' brings it)")
    assert res.returncode == 0, res.stderr[-2000:]
    (wheel,) = tmp_path.glob("matkb-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "matkb/_data/schemas/vocabulary.yaml" in names
    assert "matkb/_data/datasets/studies/pb-latp-seed.yaml" in names
    assert any(n.startswith("matkb/_data/schemas/migrations/0001") for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import matkb.paths as p; print(p.datasets_dir()); print(p.schemas_dir())")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(site), "PATH": ""})
    assert res.returncode == 0, res.stderr
    assert all(line.startswith(str(site / "matkb" / "_data")) for line in res.stdout.splitlines())


def test_shipped_file_addresses_name_files_that_exist(shipped_db):
    """`file:` addresses (the founding study's full text in ../shared) are relative to the repository and must resolve."""
    with Store(shipped_db, read_only=True) as kb:
        urls = set(kb.sql(
            "SELECT checked_url AS u FROM sources UNION SELECT citation_url FROM sources UNION SELECT checked_url FROM properties "
            "UNION SELECT checked_url FROM cycling_results UNION SELECT checked_url FROM cells UNION SELECT checked_url FROM observations"
        ).u.dropna())
    files = sorted(u for u in urls if u.startswith("file:"))
    assert "file:../shared/seed/pb-latp-interlayer-paper.txt" in files
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (a user's clone): the shared seed text cannot be checked here")
    assert [u for u in files if not (ROOT / u[len("file:"):]).is_file()] == []


def test_source_citations_view_finds_what_rests_on_a_source(shipped_db):
    """A source cited only in `also_cites` (the Shannon radii behind the NASICON frameworks) is found by plain SQL."""
    with Store(shipped_db, read_only=True) as kb:
        rows = kb.sql("SELECT table_name, cited_as, count(*) AS n FROM source_citations "
                      "WHERE source_id = 'shannon1976-radii' GROUP BY ALL")
        uncited = kb.sql("SELECT source_id FROM sources WHERE source_id NOT IN (SELECT source_id FROM source_citations)")
    assert rows.to_dict("records") == [{"table_name": "structures", "cited_as": "also_cites", "n": 5}]
    assert uncited.source_id.tolist() == []


def test_a_property_with_several_best_checked_rows_is_their_median_everywhere(shipped_db):
    """LATP's reduction onset: value-checked 2.34 V (founding study) and 2.65 V (titration) give 2.495 V in the
    ladder and in the descriptors; the source-checked DFT 2.17 V is outranked, not averaged in."""
    from matkb.consensus import consensus
    from matkb.featurizers.properties import material_features
    from matkb.ladder import describe_stack

    with Store(shipped_db, read_only=True) as kb:
        best = latp_onsets(kb)
        outranked = kb.sql("SELECT count(*) AS n FROM properties WHERE material_id = 'LATP' "
                           "AND property = 'reduction_potential' AND verification <> 'value-checked'").n[0]
        assert len(best) >= 2 and outranked > 0
        c = consensus(kb.con, ["LATP"])["LATP"]["reduction_potential"]
        report = describe_stack(kb, "Li/IL@PB@LATP/Li")
    assert c.value == pytest.approx(best.median()) and c.n == len(best) and (c.lo, c.hi) == (best.min(), best.max())
    (rung,) = [r for r in report.ladder if r.layer == "Prussian blue"]
    assert rung.electrolyte_reduction_V == pytest.approx(best.median()) and rung.blocks
    assert f"median of {len(best)} value-checked values" in rung.verdict
    assert material_features("LATP", str(shipped_db))["electron_level_V"] == pytest.approx(best.median())


def test_sodium_sits_on_the_li_scale_in_the_ladder_the_descriptors_and_the_couples(shipped_db):
    """The ladder and the descriptors are vs Li/Li+, so Na metal sits at +0.3 V, not at 0 V; the NVP couple the
    records write vs Na/Na+ is stored 0.3 V higher, its number as written kept beside it."""
    from matkb.featurizers.properties import material_features
    from matkb.ladder import describe_stack

    with Store(shipped_db, read_only=True) as kb:
        na = describe_stack(kb, "Na/NZSP/Na").layers[0].level
        nvp = kb.sql("SELECT potential_V, potential_vs_reference_V FROM redox_couples WHERE reference = 'Na/Na+' "
                     "AND material_id = 'NVP' AND from_state = 3")
    assert (na.value_V, na.source_id) == (0.3, "reference_electrodes")
    assert material_features("Na", str(shipped_db))["electron_level_V"] == 0.3
    assert material_features("Li", str(shipped_db))["electron_level_V"] == 0.0
    assert nvp.potential_V.tolist() == pytest.approx([1.7]) and nvp.potential_vs_reference_V.tolist() == [1.4]


def test_a_stated_range_enters_the_consensus_as_its_midpoint(shipped_db):
    """Ge's lithiation potential is stored as one range ("0.14 to 0.29 V"): descriptors and the ladder use its
    midpoint, say so, and keep its ends as the spread; a lower end would make Ge look 0.07 V more reducing than stated."""
    from matkb.consensus import consensus
    from matkb.ladder import describe_stack

    with Store(shipped_db, read_only=True) as kb:
        (lo, hi), = kb.sql("SELECT value, value_hi FROM properties WHERE material_id = 'Ge' "
                           "AND property = 'lithiation_potential' AND value_hi IS NOT NULL").values.tolist()
        c = consensus(kb.con, ["Ge"])["Ge"]["lithiation_potential"]
        report = describe_stack(kb, "Li/Ge@LAGP/Li")
    assert c.n == 1 and c.value == pytest.approx((lo + hi) / 2) and (c.lo, c.hi) == (lo, hi)
    assert c.describe(" V") == f"midpoint of the stated range {lo:g} to {hi:g} V"
    levels = [lay.level for lay in report.layers if lay.material_id == "Ge"]  # one Ge layer per face
    assert levels and all(v.value_V == pytest.approx((lo + hi) / 2) and v.qualifier == "~" for v in levels)


def test_the_ladder_says_when_an_electrolyte_reduction_potential_is_a_range_midpoint(db_path, tmp_path):
    """A reduction potential stored as one range is placed at its midpoint, and the verdict says so; one number as
    stated is quoted bare."""
    rec = tmp_path / "range.yaml"
    rec.write_text(textwrap.dedent("""\
        format: matkb-record/1
        sources:
          - {id: onset-range, doi: 10.1000/range, title: A reduction onset stated as a range, year: 2020, kind: experimental, verification: recalled}
        properties:
          - {material: LATP, property: reduction_potential, value: "2.2 to 2.5 V", method: CV, location: text, verification: recalled}
        """), encoding="utf-8")
    from matkb.ladder import describe_stack

    with Store(db_path) as kb:
        kb.ingest([MATERIALS, rec])
        (rung,) = describe_stack(kb, "Li/LATP/Li").ladder
    assert rung.electrolyte_reduction_V == pytest.approx(2.35)
    assert rung.verdict.endswith("below the reduction of LATP at 2.35 V (midpoint of the stated range 2.2 to 2.5 V), so it can reduce it")


def test_a_measurement_outvotes_a_calculation_at_the_same_verification_level(shipped_db, tmp_path):
    """NaZr2(PO4)3's activation energy: two value-checked measurements and one value-checked DFT-NEB barrier;
    the consensus is the measurements' median, and a store of only the calculation still answers (with it)."""
    import shutil

    from matkb.consensus import consensus

    q = ("SELECT value, basis FROM properties WHERE material_id = 'NaZr2(PO4)3' AND property = 'activation_energy' "
         "AND verification = 'value-checked'")
    with Store(shipped_db, read_only=True) as kb:
        rows = kb.sql(q)
        c = consensus(kb.con, ["NaZr2(PO4)3"])["NaZr2(PO4)3"]["activation_energy"]
    measured = rows[rows.basis == "measured"].value
    assert len(measured) >= 2 and (rows.basis == "computed").any()
    assert c.value == pytest.approx(measured.median()) and c.n == len(measured) and c.basis == "measured"
    only = tmp_path / "only.duckdb"
    shutil.copy(shipped_db, only)
    with Store(only) as kb:
        kb.con.execute("DELETE FROM properties WHERE material_id = 'NaZr2(PO4)3' AND property = 'activation_energy' "
                       "AND basis = 'measured'")
        c = consensus(kb.con, ["NaZr2(PO4)3"])["NaZr2(PO4)3"]["activation_energy"]
    assert c.basis == "computed" and c.value == pytest.approx(rows[rows.basis == "computed"].value.median())


def test_the_ladder_and_the_pair_descriptors_give_one_verdict(shipped_db):
    """The ladder and `blocks_electrons` apply one criterion: an electronic insulator (LiF, by its band gap) blocks
    whatever its own reduction potential, a conductor without a couple (Cr) carries Li's 0 V and does not, and a
    non-conducting layer stable against Li has no level (its reduction potential is where it would take electrons).
    Checked for every stored interlayer on LATP whose verdict either of them can give."""
    import math

    from matkb.featurizers.properties import PairFeaturizer
    from matkb.ladder import describe_stack

    with Store(shipped_db, read_only=True) as kb:
        lif = {r.layer: r for r in describe_stack(kb, "Li/LiF@LATP/Li").ladder}["LiF"]
        cr = {r.layer: r for r in describe_stack(kb, "Li/Cr@LAGP/Li").ladder}["chromium"]
        li3n = {r.layer: r for r in describe_stack(kb, "Li/Li3N@LATP/Li").ladder}["Li3N"]
        interlayers = kb.sql("SELECT material_id FROM materials WHERE list_contains(roles, 'interlayer') "
                             "AND class NOT IN ('composite', 'polymer', 'gel polymer', 'ionic liquid', 'liquid electrolyte')"
                             ).material_id.tolist()
        pairs = PairFeaturizer(db=kb).fit([("LiF", "LATP")])
        compared = 0
        for mid in interlayers:
            (rung,) = [r for r in describe_stack(kb, f"Li/{mid}@LATP/Li").ladder if r.electrolyte != r.layer][:1] or [None]
            blocks = pairs.describe(mid, "LATP")["blocks_electrons"]
            if rung is None or rung.blocks is None or math.isnan(blocks):
                continue
            assert rung.blocks == bool(blocks), (mid, rung.verdict)
            compared += 1
    assert lif.blocks and "insulator" in lif.verdict and cr.blocks is False and "conducts electrons" in cr.verdict
    # Li3N (stored semiconducting, stable against Li: reduction at 0 V) has no level at which it hands electrons on
    assert li3n.blocks is None and li3n.layer_potential_V is None
    assert compared >= 15


def test_the_descriptors_and_the_candidate_checks_read_a_name_by_one_rule(shipped_db):
    """A candidate table is checked with the store's resolver and described by the featurizers; both must take a name
    to the same material (an id wins over another material's alias, names match in any case), or a checked candidate
    would be described as something else, or as nothing."""
    import math

    from matkb.featurizers.base import parse_formula
    from matkb.featurizers.properties import material_features

    def same(a: dict, b: dict) -> bool:
        return all((math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a)

    with Store(shipped_db, read_only=True) as kb:
        resolve = kb.material_resolver()
        keys = [k for mid, name, aliases in kb.con.execute("SELECT material_id, name, aliases FROM materials").fetchall()
                for k in (mid, name, *(aliases or []))]
    variants = {v for k in keys for v in (k, k.lower(), k.upper(), f" {k} ")}
    assert len(variants) > 3 * len(keys) // 2
    for v in sorted(variants):
        mid = resolve(v)
        features = material_features(v, str(shipped_db))
        if mid is not None:
            assert same(features, material_features(mid, str(shipped_db))), v
        else:
            try:
                parse_formula(v.strip())
            except ValueError:  # not a stored name and not a formula: nothing is known about it
                assert features["known_material"] == 0.0, v
    assert resolve("prussian blue") == resolve("PB") == "PB"
