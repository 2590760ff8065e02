"""The console script as users run it: real subprocesses, exact error lines, exit codes."""

import json
import os
import subprocess
import sys

import pandas as pd

from matkb.store import latest_version

from .conftest import MATERIALS, MATKB, ROOT, SEED, dump_tables, write


def run(*args, cwd=ROOT, **kw):
    return subprocess.run([*MATKB, *map(str, args)], capture_output=True, text=True, cwd=cwd, **kw)


def test_console_script_help_and_info(seeded):
    res = subprocess.run([sys.executable, "-c", "from matkb.cli import run; run()", "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "ingest" in res.stdout and "sql" in res.stdout
    res = run("--db", seeded, "info", "--format", "json")
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["schema_version"] == latest_version() and info["counts"]["cycling_results"] == 9
    assert info["verification_percent"]["cycling_results"] == {"value-checked": 100.0}
    # the founding study: one study, 9 results; its rate-capability test and its IL-only LFP cell carry no number
    cov = info["coverage"]
    assert (cov["studies_with_cells"], cov["studies_with_na_cells"]) == (1, 0)
    assert (cov["cycling_results"], cov["cycling_results_citable"], cov["cycling_results_with_outcome"]) == (9, 9, 7)
    # the seed prints no DOI, journal or year anywhere stored: it is cited as the undated web article it is known as
    assert cov["sources_citable"] == cov["sources_source_checked_or_better"] == cov["sources"] == 1
    assert [(s["source_id"], s["doi"], s["citable"]) for s in info["sources"]] == [("pb-latp-seed", "", True)]
    table = run("--db", seeded, "info").stdout
    assert "9 cycling results (9 from citable sources, 7 with a measured outcome)" in table
    assert not [line for line in table.splitlines() if line.endswith("NOT CITABLE")]


def test_info_marks_the_sources_that_cannot_be_cited(uncited_db):
    """With the `uncitable/` records ingested: verification levels best first, and every source the JSON calls
    uncitable is the one the table marks, with neither a DOI nor a year (the issue's "DOI, or title + year")."""
    info = json.loads(run("--db", uncited_db, "info", "--format", "json").stdout)
    table = run("--db", uncited_db, "info").stdout
    (levels,) = [line for line in table.splitlines() if line.strip().startswith("sources ") and "%" in line]
    assert levels.index("value-checked") < levels.index("source-checked") < levels.index("citation-incomplete")
    uncitable = [s for s in info["sources"] if not s["citable"]]
    assert uncitable and len(uncitable) == info["coverage"]["sources"] - info["coverage"]["sources_citable"]
    assert f"{len(uncitable)} not citable, marked NOT CITABLE" in table
    assert all(not s["doi"] and (s["year"] is None or "descriptive" in s["title"]) for s in uncitable)
    marked = {line.split()[0] for line in table.splitlines() if line.endswith("  NOT CITABLE")}
    assert marked == {s["source_id"] for s in uncitable}
    # a citation partly filled from memory is citable but says which fields were recalled, and it is never
    # called source-checked
    recalled = {s["source_id"]: s for s in info["sources"] if s["recalled"]}
    assert recalled and len(recalled) == info["coverage"]["sources_citable_recalled"]
    assert all(s["citable"] and s["verification"] == "citation-incomplete" for s in recalled.values())
    shown = {line.split()[0]: line.split("RECALLED: ")[1] for line in table.splitlines() if "  RECALLED: " in line}
    assert shown == {sid: ", ".join(s["recalled"]) for sid, s in recalled.items()}


def test_train_conductivity_help_speaks_of_conductivities_not_of_rank():
    res = run("train", "conductivity", "--help", env={**os.environ, "COLUMNS": "200"})
    assert res.returncode == 0 and "conductivities whose source is" in res.stdout and "rank" not in res.stdout.lower()


def test_init_ingest_validate_sql_cell(tmp_path):
    db = tmp_path / "kb.duckdb"
    assert run("--db", db, "init").returncode == 0
    res = run("--db", db, "ingest", MATERIALS, SEED)
    assert res.returncode == 0, res.stderr
    assert "added" in res.stdout and "3 warning(s)" in res.stdout
    res = run("--db", db, "ingest", MATERIALS, SEED)
    assert "0 added, 0 updated" in res.stdout
    res = run("--db", db, "sql", "SELECT stack, lifetime_h FROM symmetric_lifetimes ORDER BY lifetime_h DESC", "--format", "csv")
    assert res.stdout.splitlines()[:2] == ["stack,lifetime_h", "Li/IL@PB@LATP/Li,800.0"]
    out = tmp_path / "x.parquet"
    assert run("--db", db, "sql", "SELECT * FROM cycling", "--format", "parquet", "--out", out).returncode == 0
    assert len(pd.read_parquet(out)) == 9
    res = run("--db", db, "sql", "SELECT * FROM materials LIMIT 2", "--format", "json")
    assert len(json.loads(res.stdout)) == 2
    res = run("--db", db, "cell", "show", "Li/IL@PB@LATP/Li")
    assert res.returncode == 0
    assert "blocks electrons: Prussian blue at 3.07 V lies +0.73 V above the reduction of LATP at 2.34 V" in res.stdout
    res = run("--db", db, "cell", "show", "Li/LATP/Li")
    assert "does not block: lithium metal at 0.00 V lies -2.34 V below" in res.stdout


def test_table_output_prints_missing_text_as_none(seeded):
    # pandas 3 stores text as a string dtype whose missing value would print as NaN, like a missing number
    res = run("--db", seeded, "sql", "SELECT 'LATP' AS material, NULL::VARCHAR AS formula, NULL::DOUBLE AS sigma")
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["material", "formula", "sigma", "LATP", "None", "NaN"]


def test_sql_refuses_writes_without_flag(seeded, tmp_path):
    before = dump_tables(seeded)
    res = run("--db", seeded, "sql", "DELETE FROM sources")
    assert res.returncode == 1
    assert res.stderr.strip() == ("Error: DELETE changes the store or writes a file; matkb runs it only when asked to write: "
                                  "pass --write (Python: write=True)")
    # a file written by COPY or EXPORT is a write too, and output never replaces a DuckDB file (here the store itself)
    res = run("--db", seeded, "sql", f"COPY (SELECT 1 AS a) TO '{tmp_path / 'x.csv'}'")
    assert res.returncode == 1 and "COPY changes the store or writes a file" in res.stderr and not (tmp_path / "x.csv").exists()
    res = run("--db", seeded, "sql", "SELECT count(*) FROM sources", "--out", seeded)
    assert res.returncode == 1 and "is a DuckDB database (perhaps a store); refusing to overwrite it" in res.stderr
    assert dump_tables(seeded) == before
    # --write: several statements are one transaction, so a failing one leaves the store as it was
    res = run("--db", seeded, "sql", "--write", "DELETE FROM observations; SELECT * FROM no_such_table")
    assert res.returncode == 1 and "no_such_table" in res.stderr
    assert dump_tables(seeded) == before
    res = run("--db", seeded, "sql", "--write", "DELETE FROM observations")
    assert res.returncode == 0
    res = run("--db", seeded, "sql", "/* nothing but a comment */")
    assert res.returncode == 1 and res.stderr.strip() == "Error: no SQL statement to run (the query is empty or only comments)"


def test_validate_exit_codes_and_exact_error_line(tmp_path):
    res = run("validate", MATERIALS, SEED)
    assert res.returncode == 0 and "0 error(s), 3 warning(s)" in res.stdout
    assert run("validate", "--strict", MATERIALS, SEED).returncode == 1
    bad = write(tmp_path, "bad.yaml", "format: matkb-record/1\nsources:\n"
                "  - {id: b, title: B, year: 2020, kind: experimental, verification: recalled}\n"
                "properties:\n  - {material: LATP, property: ionic_conductivity, value: '-2 mS/cm', temperature: '25 degC', location: text, verification: recalled}\n")
    res = run("validate", bad, cwd=tmp_path)
    assert res.returncode == 1
    assert res.stderr.splitlines()[0] == (
        "error: bad.yaml: properties[0] (line 5): value = -2 mS/cm: '-2 mS/cm' is -0.002 S/cm, which is impossible: conductivity must be > 0 S/cm")


def test_ingest_error_exits_1_and_writes_nothing(seeded, tmp_path):
    bad = write(tmp_path, "bad.yaml", "format: matkb-record/1\nmaterials:\n  - {id: Q, name: Q, formula: Qx2, class: oxide, roles: [candidate]}\n")
    res = run("--db", seeded, "ingest", bad, cwd=tmp_path)
    assert res.returncode == 1
    assert "formula = Qx2: pymatgen cannot parse formula 'Qx2'" in res.stderr
    assert res.stderr.strip().endswith("Error: 1 error(s); nothing was written.")


def test_unknown_cell_layer_is_a_clear_error(seeded):
    res = run("--db", seeded, "cell", "show", "Li/Unobtainium@LATP/Li")
    assert res.returncode == 1
    assert res.stderr.startswith("Error: stack 'Li/Unobtainium@LATP/Li': layer 'Unobtainium' is not a known material")


def test_missing_store_for_read_is_a_clear_error(tmp_path):
    res = run("--db", tmp_path / "nope.duckdb", "info")
    assert res.returncode == 1 and res.stderr.startswith("Error: no store at")


def test_export_writes_a_whole_copy_or_a_citable_one_and_never_replaces_a_file(uncited_db, tmp_path):
    """`matkb export` is Store.export: a full copy holds exactly the store's rows; `--citable-only` holds nothing that
    rests on an uncitable source (as `train --citable-only` sees the store); an existing file is left as it was."""
    from matkb.store import Store

    before = dump_tables(uncited_db)
    full, cited = tmp_path / "full.duckdb", tmp_path / "cited.duckdb"
    assert run("--db", uncited_db, "export", full).returncode == 0
    res = run("--db", uncited_db, "export", cited, "--citable-only")
    assert res.returncode == 0, res.stderr
    assert dump_tables(full) == before == dump_tables(uncited_db)
    with Store(uncited_db, read_only=True) as kb, Store(cited, read_only=True) as copy:
        n_citable = len(kb.sql("SELECT 1 FROM cycling WHERE citable"))
        assert not kb.citable_only and copy.citable_only
        assert copy.sql("SELECT count(*) AS n FROM cycling").n[0] == n_citable
        uncitable = set(kb.sql("SELECT source_id FROM sources WHERE NOT citable").source_id)
        assert uncitable and n_citable < len(kb.sql("SELECT 1 FROM cycling"))  # what makes the test bite
        for table in ("properties", "redox_couples", "structures", "cells", "cycling_results", "observations"):
            assert not set(copy.sql(f"SELECT DISTINCT source_id FROM {table}").source_id) & uncitable, table
    assert f"{n_citable} cycling results, nothing from an uncitable source" in res.stdout
    kept = cited.read_bytes()
    res = run("--db", uncited_db, "export", cited)
    assert res.returncode == 1 and res.stderr.strip() == f"Error: {cited} exists; export writes a new file and never replaces one"
    assert cited.read_bytes() == kept and sorted(p.name for p in tmp_path.iterdir()) == ["cited.duckdb", "full.duckdb"]
    res = run("--db", uncited_db, "export", tmp_path / "no" / "such.duckdb")
    assert res.returncode == 1 and "the folder" in res.stderr and "does not exist" in res.stderr


def test_import_of_the_wrong_file_is_one_clear_error_and_writes_nothing(seeded, tmp_path):
    """Not the dataset's CSV: one error naming the missing columns (not one per row); a folder without the CSV: the
    file it looked for. Neither needs the shared copies, so this runs in a user's clone too."""
    from .conftest import dump_tables

    wrong = write(tmp_path, "other.csv", "ID,formula,sigma\n1,LiF,1e-9\n2,Li3N,1e-3\n")
    before = dump_tables(seeded)
    res = run("--db", seeded, "import", "liverpool", wrong)
    assert res.returncode == 1 and res.stderr.splitlines() == [
        f"error: {wrong}: header: columns = composition, source, temperature, target: missing; is this the liverpool "
        "CSV (LiIonDatabase.csv)?", "Error: 1 error(s); nothing was written."]
    res = run("--db", seeded, "import", "obelix", tmp_path)
    assert res.returncode == 1
    assert res.stderr.strip() == f"Error: {tmp_path / 'train.csv'}: no such file (give the obelix CSV, or the folder that holds train.csv)"
    assert dump_tables(seeded) == before


def test_cell_show_refuses_a_cell_type_it_cannot_draw(seeded):
    res = run("--db", seeded, "cell", "show", "Li/PB@LATP/Li", "--type", "foo")
    assert res.returncode == 1 and res.stderr.strip() == "Error: cell type 'foo' is not one of symmetric, full, half"
    res = run("--db", seeded, "cell", "show", "Li/PB@LATP/LFP", "--type", "symmetric")
    assert res.returncode == 1 and "is not a symmetric cell: its ends differ (Li and LFP)" in res.stderr
    res = run("--db", seeded, "cell", "show", "Li/IL@PB@LATP/Li")
    assert res.returncode == 0
    # every stored row of a property is listed (in a stable order), not whichever row the query returned first
    assert "ionic_conductivity @ 30 degC: 1.12e-4 S/cm" in res.stdout and "reduction_potential: ~2.34 V" in res.stdout
