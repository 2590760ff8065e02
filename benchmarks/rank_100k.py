"""Ranking 100,000 interlayer candidates from a CSV in bounded memory, against a named peer.

Peer: the in-memory path, ``stability.rank`` on the whole table at once (pandas read_csv of
everything, one describe/predict pass, drivers for every row). Measured on the same machine in
one process with tracemalloc (peak Python-heap bytes) and wall time:

* 20,000 candidates: streaming ``rank_csv`` (chunks of 5,000, best 20 kept) vs the peer;
* 100,000 candidates: streaming only (its peak heap should stay near the 20,000-row figure).

Run: MATKB_HOME=/tmp/bench-home python benchmarks/rank_100k.py
The candidate formulas are generated (Li-M-X binaries and ternaries over 30 metals and 6 anions,
seeded), so every run ranks the same table.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

import matkb
from matkb.models import stability

METALS = ["Al", "Mg", "Zn", "Ti", "Zr", "Nb", "Ta", "Y", "La", "Sn", "Ge", "Si", "B", "Ca", "Sr", "Ba", "Hf", "Ga", "In",
          "Sc", "Cr", "Mo", "W", "Cu", "Ag", "Fe", "Co", "Ni", "Mn", "V"]
ANIONS = ["O", "F", "N", "Cl", "S", "P"]


def candidates(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    m, a = rng.choice(METALS, n), rng.choice(ANIONS, n)
    x, y, li = rng.integers(1, 4, n), rng.integers(1, 6, n), rng.integers(0, 4, n)
    formulas = [f"Li{k}{mm}{xx}{aa}{yy}" if k else f"{mm}{xx}{aa}{yy}" for k, mm, xx, aa, yy in zip(li, m, x, a, y, strict=True)]
    return pd.DataFrame({"name": [f"c{i:06d}" for i in range(n)], "formula": formulas, "class": "generated"})


def cold_caches() -> None:
    """Forget every per-formula cache, so neither path profits from the other having run first."""
    from matkb.featurizers import base, properties, thermo

    base.parse_formula.cache_clear()
    properties.clear_cache()  # store snapshot, described pairs, pair reactions
    for name in dir(thermo):
        fn = getattr(thermo, name)
        if hasattr(fn, "cache_clear") and name not in ("experimental_enthalpies", "_curated_enthalpies"):
            fn.cache_clear()


def measure(fn):
    cold_caches()
    tracemalloc.start()
    t = time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, wall, peak


def main() -> None:
    kb = matkb.open(write=False)
    model, card, _ = stability.default_model(kb, log=lambda m: print(m, file=sys.stderr))
    kw = {"electrolyte": "LATP", "model": model, "card": card}
    stability.rank(kb, candidates=candidates(50, seed=1), **kw)  # one-time loads (enthalpy tables, store snapshot) before timing
    with tempfile.TemporaryDirectory() as tmp:
        small, big = Path(tmp) / "c20k.csv", Path(tmp) / "c100k.csv"
        candidates(20_000).to_csv(small, index=False)
        candidates(100_000).to_csv(big, index=False)
        stream_small, t_s, m_s = measure(lambda: stability.rank_csv(kb, small, top=20, **kw))
        whole, t_w, m_w = measure(lambda: stability.rank(kb, candidates=pd.read_csv(small), top=20, **kw))
        same = stream_small.candidate.tolist() == whole.candidate.tolist()
        print(f"20,000 candidates: streaming {t_s:6.1f} s, peak heap {m_s / 2**20:7.1f} MiB | "
              f"in-memory peer {t_w:6.1f} s, {m_w / 2**20:7.1f} MiB | time ratio {t_w / t_s:4.2f}x, "
              f"memory ratio {m_w / m_s:4.2f}x | same top 20: {same}")

        def progress(done, total):
            print(f"  {done}/{total}", file=sys.stderr)

        stream_big, t_b, m_b = measure(lambda: stability.rank_csv(kb, big, top=20, progress=progress, **kw))
        print(f"100,000 candidates: streaming {t_b:6.1f} s ({100_000 / t_b:,.0f} candidates/s), peak heap {m_b / 2**20:7.1f} MiB "
              f"({m_b / m_s:4.2f}x the 20,000-row peak: bounded if near 1)")
        print(stream_big.head(5)[["rank", "candidate", "formula", "predicted_lifetime_h", "physics_score"]].to_string(index=False))


if __name__ == "__main__":
    main()
