"""ruff is part of the test suite."""

import shutil
import subprocess
import sys

from .conftest import ROOT


def test_ruff_clean():
    ruff = shutil.which("ruff") or str(__import__("pathlib").Path(sys.executable).parent / "ruff")
    res = subprocess.run([ruff, "check", "matkb", "tests", "benchmarks"], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stdout + res.stderr
