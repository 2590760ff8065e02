"""How long `matkb --help` takes to start, against a named peer: `python -c pass` and `duckdb` CLI-less import.

Run: python benchmarks/cli_startup.py   (prints median wall times and ratios; same machine, one process)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def wall(cmd: list[str], n: int = 7) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    py = [sys.executable]
    cases = {
        "python -c pass (floor)": py + ["-c", "pass"],
        "matkb --help": py + ["-m", "matkb", "--help"],
        "import pandas (peer: what we keep off the path)": py + ["-c", "import pandas"],
        "import pymatgen.core (peer)": py + ["-c", "import pymatgen.core"],
    }
    results = {name: wall(cmd) for name, cmd in cases.items()}
    floor = results["python -c pass (floor)"]
    for name, t in results.items():
        print(f"{name:50s} {t * 1000:7.1f} ms  ({t / floor:4.1f}x the interpreter floor)")
    print(f"matkb --help vs import pandas: {results['matkb --help'] / results['import pandas (peer: what we keep off the path)']:.2f}x")
    print("goal: matkb --help well under 0.5 s ->", "met" if results["matkb --help"] < 0.5 else "NOT met")


if __name__ == "__main__":
    main()
