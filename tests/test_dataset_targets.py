"""Issue 3's minimums, read from the shipped store the way `matkb info` reports them, so that a data change that
drops below one fails here and names it."""

import pytest

from matkb.store import Store


@pytest.fixture(scope="module")
def info(shipped_db):
    with Store(shipped_db, read_only=True) as kb:
        return kb.info()


def test_the_shipped_store_meets_the_curated_dataset_minimums(info):
    cov, pct = info["coverage"], info["verification_percent"]
    reached = {
        "studies of metal | NASICON cells with a DOI >= 40": cov["studies_with_doi"] >= 40,
        "cycling results >= 150": cov["cycling_results"] >= 150,
        "cycling results value-checked >= 40 %": pct["cycling_results"].get("value-checked", 0) >= 40,
        "interlayer materials >= 30": cov["interlayer_materials"] >= 30,
        "NASICON compositions with a conductivity at a stated temperature >= 25": cov["nasicon_compositions_with_conductivity"] >= 25,
        "interlayer candidates >= 60": cov["candidates"] >= 60,
        "sources source-checked or better >= 80 %": cov["sources_source_checked_or_better"] >= 0.8 * cov["sources"],
    }
    assert [target for target, ok in reached.items() if not ok] == []


@pytest.mark.xfail(strict=True, reason="issue 3, open: some sources have neither a DOI nor a title with a year, seen or "
                                       "recalled (`matkb info` marks them NOT CITABLE; each one's note lists the searches), and "
                                       "without their results fewer than 150 cycling results are citable")
def test_every_source_is_citable_and_the_citable_results_alone_reach_150(info):
    cov = info["coverage"]
    assert cov["sources_citable"] == cov["sources"] and cov["cycling_results_citable"] >= 150
