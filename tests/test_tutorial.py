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


def test_tutorial_study_is_not_in_the_shipped_datasets():
    text = (ROOT / "docs" / "tutorial" / "liu2023-te-lagp-graphite.yaml").read_text(encoding="utf-8")
    doi = re.search(r"doi: (\S+)", text).group(1)
    assert not any(doi in p.read_text(encoding="utf-8") for p in (ROOT / "datasets").rglob("*.yaml"))


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
    assert "Li/graphite@LATGP-Te0.06/Li" in outputs[2] and "154.4" in outputs[2]
    ranking = pd.read_csv(tmp_path / "ranking.csv")
    assert len(ranking) == 10 and ranking["rank"].tolist() == list(range(1, 11))
    assert (tmp_path / "my-model.skops").is_file() and (tmp_path / "lifetimes.png").read_bytes()[:4] == b"\x89PNG"
