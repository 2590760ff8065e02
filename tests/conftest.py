"""Shared fixtures: every test gets its own matkb home, so no test touches a real user store."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
SEED = DATASETS / "studies" / "pb-latp-seed.yaml"
MATERIALS = DATASETS / "materials.yaml"
#: records whose sources have neither a DOI nor a title with a year; kept out of the shipped store
UNCITABLE = ROOT / "uncitable"
SHARED = ROOT.parent / "shared"
OBELIX = SHARED / "data" / "obelix"
#: for tests that read the shared OBELiX and Liverpool copies
needs_obelix = pytest.mark.skipif(not (OBELIX / "train.csv").is_file(),
                                  reason="needs ../shared/data/obelix (the shared external datasets; present in CI, not in a user's clone)")
MATKB = [sys.executable, "-m", "matkb"]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("matkb-home")
    monkeypatch.setenv("MATKB_HOME", str(home))
    monkeypatch.delenv("MATKB_DB", raising=False)
    return home


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "kb.duckdb"


@pytest.fixture(scope="session")
def shipped_db(tmp_path_factory) -> Path:
    """A store on disk with every shipped dataset, built once per test session (tests open it read-only)."""
    from matkb.store import Store

    path = tmp_path_factory.mktemp("shipped") / "kb.duckdb"
    with Store(path) as kb:
        kb.ingest([DATASETS])
    return path


@pytest.fixture(scope="session")
def uncited_db(tmp_path_factory) -> Path:
    """The shipped datasets plus the records in `uncitable/` (sources without a DOI or a title with a year), built
    once per session: real rows for the tests of what `--citable-only` leaves out."""
    from matkb.store import Store

    path = tmp_path_factory.mktemp("uncited") / "kb.duckdb"
    with Store(path) as kb:
        kb.ingest([DATASETS, UNCITABLE])
    return path


@pytest.fixture(scope="session")
def imported_db(tmp_path_factory) -> Path:
    """A store on disk with every shipped dataset and both shared external datasets imported, built once per session."""
    from matkb.store import Store

    path = tmp_path_factory.mktemp("imported") / "kb.duckdb"
    with Store(path) as kb:
        kb.ingest([DATASETS])
        kb.import_dataset("obelix", OBELIX)
        kb.import_dataset("liverpool", OBELIX)
    return path


@pytest.fixture
def seeded(db_path):
    """A store on disk with the shared materials and the founding study."""
    from matkb.store import Store

    with Store(db_path) as kb:
        kb.ingest([MATERIALS, SEED])
    return db_path


@pytest.fixture
def seed_copy(tmp_path) -> Path:
    """A private copy of the founding study's record file, for tests that edit it."""
    dst = tmp_path / "seed.yaml"
    shutil.copy(SEED, dst)
    return dst


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def latp_onsets(kb):
    """LATP's value-checked reduction onsets in ``kb``, whose median the descriptors and the ladder use;
    the founding study's 2.34 V must be one of them."""
    onsets = kb.sql("SELECT value FROM properties WHERE material_id = 'LATP' AND property = 'reduction_potential' "
                    "AND verification = 'value-checked'").value
    assert 2.34 in onsets.tolist()
    return onsets


def dump_tables(db: Path) -> dict[str, list]:
    """Every row of every table and the schema, sorted: 'the store's content' for atomicity tests."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema='main' AND table_type='BASE TABLE' ORDER BY 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}
    finally:
        con.close()
