"""Docs that cannot rot: README's commands, its SQL examples and the CLI reference."""

import re

from matkb.cli import app
from matkb.default import ensure_default_store
from matkb.store import Store

from .conftest import ROOT, needs_obelix

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_gives_two_commands_and_ci_runs_the_test_one():
    blocks = re.findall(r"```bash\n(.*?)```", README.split("## CLI reference")[0], re.S)
    commands = [line for b in blocks[:2] for line in b.strip().splitlines()]
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text()
    assert commands[1] in ci


QUERIES = re.findall(r"```sql\n(.*?)```", README, re.S)
#: examples that read the imported datasets (README says to import them first)
IMPORTED = [q for q in QUERIES if "conductivity_crosscheck" in q or "external_conductivities" in q]


def test_readme_sql_examples_run_on_the_default_store_and_return_rows():
    assert len(QUERIES) - len(IMPORTED) >= 5
    with Store(ensure_default_store(), read_only=True) as kb:
        for q in QUERIES:
            if q not in IMPORTED:
                assert len(kb.sql(q)) > 0, q


@needs_obelix
def test_readme_sql_examples_on_the_imported_datasets_return_rows(imported_db):
    assert IMPORTED
    with Store(imported_db, read_only=True) as kb:
        for q in IMPORTED:
            assert len(kb.sql(q)) > 0, q


def _commands(typer_app, prefix=""):
    import typer.main

    group = typer.main.get_command(typer_app)
    out = []
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            out += [f"{prefix}{name} {sub}" for sub in cmd.commands]
        else:
            out.append(prefix + name)
    return out


def test_every_cli_command_is_documented_and_has_help():
    import typer.main

    group = typer.main.get_command(app)
    for name in _commands(app):
        assert f"matkb {name}" in README or f"`{name}`" in README, f"README does not document `matkb {name}`"
        parts = name.split()
        cmd = group.commands[parts[0]]
        if len(parts) > 1:
            cmd = cmd.commands[parts[1]]
        assert cmd.help, f"`matkb {name}` has no help text"


def test_generated_cli_and_sql_references_are_up_to_date():
    """docs/cli.md and docs/sql.md are generated from the code; a stale file fails here (regenerate with the script)."""
    import runpy

    build = runpy.run_path(str(ROOT / "docs" / "build_reference.py"))
    cli, sql = build["cli_reference"](), build["sql_reference"]()
    for name in _commands(app):
        assert f"## `matkb {name}`" in cli
    assert "### `symmetric_lifetimes`" in sql and "| `current_density_mA_cm2` | DOUBLE | mA/cm² |" in sql
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == cli + "\n", "docs/cli.md is stale: python docs/build_reference.py"
    assert (ROOT / "docs" / "sql.md").read_text(encoding="utf-8") == sql + "\n", "docs/sql.md is stale: python docs/build_reference.py"


def test_sql_help_and_readme_name_every_table_and_view(tmp_path):
    """`matkb sql --help` and the README's lists were missing the import tables and four views."""
    from matkb.cli import SQL_HELP

    with Store(tmp_path / "fresh.duckdb") as kb:
        names = kb.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").table_name
    for name in names:
        assert re.search(rf"\b{name}\b", SQL_HELP), f"sql --help does not name {name}"
        assert f"`{name}`" in README, f"README does not list {name}"
    assert not re.search(r"Views for the questions|\.\.$", (ROOT / "docs" / "sql.md").read_text(encoding="utf-8"), re.M)
