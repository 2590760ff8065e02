"""The store file: read-only SQL, migrations, a busy store, and a process killed mid-ingest."""

import os
import re
import signal
import subprocess
import sys
import textwrap

import duckdb
import pytest

from matkb.errors import ReadOnlyError, StoreBusy, StoreError
from matkb.store import Store, create_store, latest_version

from .conftest import MATERIALS, MATKB, ROOT, SEED, dump_tables


def test_sql_is_read_only_unless_asked(seeded):
    with Store(seeded, read_only=True) as kb:
        with pytest.raises(ReadOnlyError, match="pass --write"):
            kb.sql("DELETE FROM sources", write=True)  # the connection itself is read-only
        assert kb.sql("SELECT count(*) AS n FROM sources").n[0] == 1
    with Store(seeded) as kb:  # open for writing, yet sql() reads only unless asked, as `matkb sql` does without --write
        with pytest.raises(ReadOnlyError, match="DROP changes the store"):
            kb.sql("DROP TABLE observations")
        kb.sql("CREATE TABLE notes AS SELECT 1 AS x", write=True)
        assert kb.sql("SELECT x FROM notes").x[0] == 1


def test_store_of_an_older_schema_is_migrated_not_broken(db_path):
    old = create_store(db_path, version=1)
    old.con.execute("INSERT INTO sources (source_id, title, year, kind, verification) VALUES ('s1', 'Old study', 2019, 'experimental', 'recalled')")
    assert old.schema_version == 1
    tables = {r[0] for r in old.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert "ingest_log" not in tables and "cycling" not in tables
    old.close()
    with Store(db_path) as kb:
        assert kb.schema_version == latest_version() == 13
        assert kb.pending_migrations() == []
        assert kb.sql("SELECT title FROM sources").title.tolist() == ["Old study"]
        applied = kb.sql("SELECT version, name FROM schema_migrations ORDER BY version")
        assert applied.values.tolist() == [[1, "initial"], [2, "ingest_log"], [3, "external"], [4, "feature_cache"], [5, "source_citation_url"], [6, "stated_capacity"], [7, "also_cites"], [8, "source_volume_pages"], [9, "property_basis"],
                                         [10, "source_citable"], [11, "condition_qualifiers"], [12, "couple_reference"], [13, "source_recalled"]]
        kb.ingest([MATERIALS, SEED])  # the migrated store takes new data
        assert kb.sql("SELECT count(*) AS n FROM ingest_log").n[0] == 1


def test_a_command_that_migrates_an_older_store_says_so(db_path):
    """Even a reading command migrates an older store (in place, keeping every row); it tells the user, since an older
    matkb cannot open the file afterwards."""
    create_store(db_path, version=8).close()
    res = subprocess.run([*MATKB, "--db", str(db_path), "sql", "SELECT count(*) AS n FROM sources"], capture_output=True, text=True)
    assert res.returncode == 0 and f"note: migrating {db_path} from schema 8 to {latest_version()}" in res.stderr
    res = subprocess.run([*MATKB, "--db", str(db_path), "sql", "SELECT 1"], capture_output=True, text=True)
    assert res.returncode == 0 and "migrating" not in res.stderr


def test_migration_9_marks_the_rows_of_a_computational_source_computed(db_path):
    old = create_store(db_path, version=8)
    old.con.execute("INSERT INTO sources (source_id, title, year, kind, verification) VALUES "
                    "('dft', 'A calculation', 2019, 'computational', 'recalled'), ('exp', 'An experiment', 2019, 'experimental', 'recalled')")
    old.con.execute("INSERT INTO materials (material_id, name, class, roles) VALUES ('LiF', 'LiF', 'fluoride', ['candidate'])")
    old.con.execute("INSERT INTO properties (property_key, material_id, property, value, source_id, location, verification) VALUES "
                    "('k1', 'LiF', 'band_gap', 8.9, 'dft', 'text', 'recalled'), ('k2', 'LiF', 'band_gap', 13.6, 'exp', 'text', 'recalled')")
    old.close()
    with Store(db_path) as kb:
        assert kb.sql("SELECT source_id, basis FROM properties ORDER BY source_id").values.tolist() == [["dft", "computed"], ["exp", "measured"]]


def test_migration_10_gives_every_shipped_source_the_citability_ingest_gives_it(db_path, uncited_db):
    """Migration 10 writes `sources.citable` with a frozen SQL copy of `records.citable`; both must agree (on the shipped
    sources and those in `uncitable/`)."""
    with Store(uncited_db, read_only=True) as kb:
        rows = kb.sql("SELECT * EXCLUDE (citable, recalled) FROM sources")  # columns of later versions
        expected = dict(kb.con.execute("SELECT source_id, citable FROM sources").fetchall())
    old = create_store(db_path, version=9)
    old.con.register("shipped_sources", rows)
    old.con.execute("INSERT INTO sources BY NAME SELECT * FROM shipped_sources")
    old.close()
    with Store(db_path) as kb:
        migrated = dict(kb.con.execute("SELECT source_id, citable FROM sources").fetchall())
    assert set(expected.values()) == {True, False} and migrated == expected


def test_read_only_open_of_an_old_store_migrates_it_first(db_path):
    create_store(db_path, version=1).close()
    with Store(db_path, read_only=True) as kb:
        assert kb.schema_version == latest_version()
        assert len(kb.sql("SELECT * FROM interlayer_best_lifetime")) == 0


def test_newer_schema_is_refused(db_path):
    with Store(db_path) as kb:
        kb.con.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")
    with pytest.raises(StoreError, match="schema version 99, newer than"):
        _ = Store(db_path).con


def test_foreign_duckdb_file_is_refused(db_path):
    con = duckdb.connect(str(db_path))
    con.execute("CREATE TABLE t (x INT)")
    con.close()
    with pytest.raises(StoreError, match="not a matkb store"):
        _ = Store(db_path).con


HOLDER = textwrap.dedent("""
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("BEGIN TRANSACTION")
    print("holding", flush=True)
    time.sleep(60)
""")


def test_second_process_gets_store_is_busy(seeded):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(seeded)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreBusy, match="store is busy"):
            _ = Store(seeded).con
        res = subprocess.run([*MATKB, "--db", str(seeded), "info"], capture_output=True, text=True, cwd=ROOT)
        assert res.returncode == 1
        assert res.stderr.startswith("Error: store is busy:") and "Traceback" not in res.stderr
    finally:
        holder.kill()
        holder.wait()


def _big_record_file(path, n):
    lines = ["format: matkb-record/1", "sources:",
             "  - {id: big, title: A large synthetic ingest, year: 2020, kind: dataset, verification: recalled}",
             "properties:"]
    for i in range(n):
        lines.append(f'  - {{material: LATP, property: ionic_conductivity, value: "{1e-4 * (1 + i % 7)} S/cm", '
                     f'temperature: "{20 + i * 0.001:.3f} degC", location: table, verification: recalled}}')
    path.write_text("\n".join(lines) + "\n")


def test_sigkill_in_the_middle_of_a_large_ingest_leaves_the_store_as_it_was(seeded, tmp_path):
    big = tmp_path / "big.yaml"
    _big_record_file(big, 12000)
    before = dump_tables(seeded)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*MATKB, "--db", str(seeded), "ingest", str(big)], stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    killed_while_writing = False
    for line in proc.stderr:
        m = re.match(r"writing (\d+)/(\d+)", line)
        if m and 0 < int(m[1]) < int(m[2]):  # some chunks are in, the transaction is still open
            os.kill(proc.pid, signal.SIGKILL)
            killed_while_writing = True
            break
    proc.wait()
    assert killed_while_writing, "the ingest finished before it could be killed"
    assert proc.returncode == -signal.SIGKILL
    assert dump_tables(seeded) == before
    with Store(seeded) as kb:  # and the store still works
        assert kb.sql("SELECT count(*) AS n FROM properties WHERE source_id = 'big'").n[0] == 0


def test_info_counts_a_source_citable_by_doi_or_seen_title_and_year(db_path, tmp_path):
    """The issue's rule (a DOI, or title + year): a descriptive title or a missing year does not count, except that a
    web page is found by its address and a paper by a full journal reference (journal, volume, pages, year);
    studies with cells are counted with and without a DOI."""
    rec = tmp_path / "cite.yaml"
    rec.write_text(textwrap.dedent("""\
        format: matkb-record/1
        sources:
          - {id: by-doi, doi: 10.1000/x, title: "A paper (descriptive; the original title was not seen)", year: null, kind: experimental, verification: citation-incomplete}
          - {id: by-title-year, doi: null, title: An old paper, year: 1977, kind: experimental, verification: citation-incomplete}
          - {id: no-year, doi: null, title: A newer paper, year: null, kind: experimental, verification: citation-incomplete, note: year not printed}
          - {id: descriptive, doi: null, title: "Sn on NZSP (descriptive; original title not seen)", year: 2024, kind: experimental, verification: citation-incomplete}
          - {id: web-page, doi: null, title: Modulus of Rigidity, year: null, kind: web, verification: citation-incomplete, checked_url: "https://example.org/g", note: an undated page}
          - {id: by-reference, doi: null, title: "NaMZrP (descriptive; original title not seen)", year: 1990, journal: J. Mater. Sci., volume: "25(9)", pages: 4008-4013, kind: experimental, verification: citation-incomplete, note: from a digest}
          - {id: no-pages, doi: null, title: "NaMZrP again (descriptive; original title not seen)", year: 1990, journal: J. Mater. Sci., volume: "25", kind: experimental, verification: citation-incomplete, note: pages not seen}
          - {id: year-recalled, doi: null, title: A paper read as an abstract, year: 2020, recalled: [year], kind: experimental, verification: citation-incomplete, note: year from memory}
        cells:
          - {id: c1, source: no-year, stack: Li/LATP/Li, type: symmetric, location: abstract, verification: recalled}
          - {id: c2, source: by-doi, stack: Li/LATP/Li, type: symmetric, location: abstract, verification: recalled}
        cycling_results:
          - {id: r1, cell: c1, source: no-year, test: galvanostatic, current_density: "0.2 mA/cm^2", lifetime: "200 h", censored: true, location: abstract, verification: recalled}
          - {id: r2, cell: c2, source: by-doi, test: galvanostatic, current_density: "0.1 mA/cm^2", lifetime: "200 h", censored: true, location: abstract, verification: recalled}
        """), encoding="utf-8")
    with Store(db_path) as kb:
        kb.ingest([MATERIALS, rec])
        info = kb.info()
    cov = info["coverage"]
    assert (cov["sources"], cov["sources_with_doi"], cov["sources_citable"], cov["sources_citable_recalled"]) == (8, 1, 5, 1)
    assert [s["recalled"] for s in info["sources"] if s["source_id"] == "year-recalled"] == [["year"]]
    assert (cov["cycling_results"], cov["cycling_results_citable"]) == (2, 1)
    assert {s["source_id"] for s in info["sources"] if not s["citable"]} == {"no-year", "descriptive", "no-pages"}
    with Store(db_path, read_only=True) as kb:  # the same answer in SQL, for queries that keep to citable rows
        assert set(kb.sql("SELECT source_id FROM sources WHERE NOT citable").source_id) == {"no-year", "descriptive", "no-pages"}
        assert kb.sql("SELECT source_id, citable FROM cycling ORDER BY 1").values.tolist() == [["by-doi", True], ["no-year", False]]
        # two Li/LATP/Li results tie at 200 h: the view reports one of them whole (the citable one), not a mixture
        best = kb.sql("SELECT source_id, citable, current_density_mA_cm2, n_results FROM interlayer_best_lifetime").values.tolist()
        assert best == [["by-doi", True, 0.1, 2]]
    with Store(db_path, read_only=True) as kb:
        assert kb.sql("SELECT volume, pages FROM sources WHERE source_id = 'by-reference'").values.tolist() == [["25(9)", "4008-4013"]]
    assert (cov["studies_with_cells"], cov["studies_with_doi"]) == (2, 1)


def test_citable_export_leaves_out_what_also_cites_an_uncitable_source(seeded, tmp_path):
    """A row rests on its source and on each source it also cites; the copy keeps no row that rests on a paper nobody
    can find again. The store may be called matkb_copy.duckdb, the name the copy is attached under."""
    rec = tmp_path / "mixed.yaml"
    rec.write_text(textwrap.dedent("""\
        format: matkb-record/1
        sources:
          - {id: lost, doi: null, year: null, note: seen only as a digest, title: "A digest of an unknown paper (descriptive; the original title was not seen)", kind: experimental,
             verification: citation-incomplete}
        properties:
          - {material: LATP, property: band_gap, value: "3.9 eV", source: pb-latp-seed, also_cites: [lost], location: text,
             condition: as the digest gives it, verification: recalled}
          - {material: LATP, property: band_gap, value: "4.1 eV", source: pb-latp-seed, location: text, verification: recalled}
        """), encoding="utf-8")
    store = tmp_path / "matkb_copy.duckdb"
    store.write_bytes(seeded.read_bytes())
    with Store(store) as kb:
        kb.ingest([rec])
        path = kb.export(tmp_path / "cited.duckdb", citable_only=True)
    with Store(path, read_only=True) as copy:
        assert copy.sql("SELECT value FROM properties WHERE property = 'band_gap'").value.tolist() == [4.1]
        assert copy.sql("SELECT count(*) AS n FROM sources WHERE source_id = 'lost'").n[0] == 0
