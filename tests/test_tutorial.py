"""docs/tutorial.md runs as written: every ```bash line, in order, in a scratch folder beside the repo's data."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd

from .conftest import ROOT

TUTORIAL = ROOT / "docs" / "tutorial.md"


def test_tutorial_cells_are_not_in_the_shipped_datasets(shipped_db):
    """The tutorial reuses a shipped source (the garnet paper behind a candidate's properties) but its cells do not ship."""
    import yaml

    from matkb.store import Store

    record = yaml.safe_load((ROOT / "docs" / "tutorial" / "zhai2024-lii-znlix-llzto.yaml").read_text(encoding="utf-8"))
    sources = sorted({c["source"] for c in record["cells"]})
    materials = [m["id"] for m in record["materials"]]
    with Store(shipped_db, read_only=True) as kb:
        assert kb.sql("SELECT source_id FROM sources WHERE list_contains(?, source_id)", [sources]).source_id.tolist() == sources
        assert kb.sql("SELECT count(*) AS n FROM cells WHERE list_contains(?, source_id)", [sources]).n[0] == 0
        assert kb.sql("SELECT count(*) AS n FROM materials WHERE list_contains(?, material_id)", [materials]).n[0] == 0


def test_tutorial_commands_run_in_order(tmp_path):
    for name in ("datasets", "docs"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    lines = [ln for block in re.findall(r"```bash\n(.*?)```", TUTORIAL.read_text(encoding="utf-8"), re.S)
             for ln in block.strip().splitlines()]
    assert len(lines) >= 9
    outputs = []
    for line in lines:
        argv = shlex.split(line)
        assert argv[0] == "matkb"
        res = subprocess.run([sys.executable, "-m", "matkb", *argv[1:]], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert res.returncode == 0, f"{line}\n{res.stderr}"
        outputs.append(res.stdout)
    assert "0 error(s)" in outputs[0]
    assert "Li/LiI-ZnLix@LLZTO/Li" in outputs[2] and "143.9" in outputs[2] and "2000" in outputs[2]
    assert "LATGP-Te0.06" in outputs[3]  # the shipped NASICON cell beside the garnet at >= 1 mA/cm2
    ranking = pd.read_csv(tmp_path / "ranking.csv")
    assert len(ranking) == 10 and ranking["rank"].tolist() == list(range(1, 11))
    assert (tmp_path / "my-model.skops").is_file() and (tmp_path / "lifetimes.png").read_bytes()[:4] == b"\x89PNG"
