"""Composition descriptors: Magpie element-property statistics, vectorised over the batch.

Values equal matminer's ``ElementProperty.from_preset("magpie")`` (same data, same
statistics: minimum, maximum, range, fraction-weighted mean, mean absolute deviation,
mode = the value of the most abundant element, the smallest on ties), to floating-point
precision; the only intended difference is speed. Data: Ward et al., npj Comput. Mater. 2,
16028 (2016), shipped in ``matkb/data/magpie_elements.csv`` (see benchmarks/build_magpie_table.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources

import numpy as np

from .base import MatkbFeaturizer

STATS = ("minimum", "maximum", "range", "mean", "avg_dev", "mode")
UNITS = {
    "Number": "", "MendeleevNumber": "", "AtomicWeight": "amu", "MeltingT": "K", "Column": "", "Row": "",
    "CovalentRadius": "pm", "Electronegativity": "Pauling", "NsValence": "electrons", "NpValence": "electrons",
    "NdValence": "electrons", "NfValence": "electrons", "NValence": "electrons", "NsUnfilled": "electrons",
    "NpUnfilled": "electrons", "NdUnfilled": "electrons", "NfUnfilled": "electrons", "NUnfilled": "electrons",
    "GSvolume_pa": "A^3/atom", "GSbandgap": "eV", "GSmagmom": "Bohr magneton", "SpaceGroupNumber": "",
}


@cache
def element_table() -> tuple[dict[str, int], list[str], np.ndarray]:
    """(symbol -> row, property names, 103 x 22 array) from the shipped Magpie table."""
    import csv

    text = resources.files("matkb").joinpath("data/magpie_elements.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    props = rows[0][2:]
    index = {r[1]: i for i, r in enumerate(rows[1:])}
    table = np.array([[float(v) for v in r[2:]] for r in rows[1:]])
    return index, props, table


def padded_fractions(comps: Sequence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Element rows (n x k, -1 padded), amounts (n x k, 0 padded) and a mask, k = most elements in one item."""
    index, _, _ = element_table()
    k = max((len(c) for c in comps), default=1)
    idx = np.full((len(comps), k), -1, dtype=np.int64)
    amt = np.zeros((len(comps), k))
    for i, comp in enumerate(comps):
        merged: dict[str, float] = {}
        for el, a in comp.items():  # Species of one element (Fe2+, Fe3+) merge, as element_composition does
            merged[el.symbol] = merged.get(el.symbol, 0.0) + a
        for j, (sym, a) in enumerate(merged.items()):
            if sym not in index:
                raise ValueError(f"element {sym} has no Magpie data (Z > 103)")
            idx[i, j], amt[i, j] = index[sym], a
    return idx, amt, idx >= 0


class CompositionFeaturizer(MatkbFeaturizer):
    """Magpie statistics of 22 elemental properties (132 features).

    Parameters
    ----------
    on_error : {"raise", "warn", "skip"}
        What to do with an item that cannot be parsed.
    """

    def _features(self) -> list[str]:
        _, props, _ = element_table()
        return [f"MagpieData {s} {p}" for p in props for s in STATS]

    @property
    def feature_units(self) -> dict[str, str]:
        _, props, _ = element_table()
        return {f"MagpieData {s} {p}": UNITS.get(p, "") for p in props for s in STATS}

    def _compute(self, comps, index, items) -> np.ndarray:
        bad = []
        for j, c in zip(index, comps, strict=True):
            if any(el.Z > 103 for el in c):
                bad.append(j)
        if bad:
            for j in bad:
                self._fail(j, items[j], "an element beyond Z = 103 has no Magpie data")
            keep = [i for i, j in enumerate(index) if j not in bad]
            out = np.full((len(comps), len(self.feature_names_out_)), np.nan)
            if keep:
                out[keep] = self._stats([comps[i] for i in keep])
            return out
        return self._stats(comps)

    def _stats(self, comps) -> np.ndarray:
        _, props, table = element_table()
        idx, amt, mask = padded_fractions(comps)
        vals = table[np.where(mask, idx, 0)]  # n x k x p
        w = amt / amt.sum(axis=1, keepdims=True)  # n x k
        w3 = w[:, :, None]
        m3 = mask[:, :, None]
        vmin = np.where(m3, vals, np.inf).min(axis=1)
        vmax = np.where(m3, vals, -np.inf).max(axis=1)
        mean = (vals * w3).sum(axis=1)
        avg_dev = (np.abs(vals - mean[:, None, :]) * w3).sum(axis=1)
        # mode: smallest value among the elements whose amount is (close to) the largest
        wmax = np.where(mask, amt, -np.inf).max(axis=1, keepdims=True)
        top = mask & np.isclose(amt, wmax)
        mode = np.where(top[:, :, None], vals, np.inf).min(axis=1)
        stacked = np.stack([vmin, vmax, vmax - vmin, mean, avg_dev, mode], axis=2)  # n x p x 6
        return stacked.reshape(len(comps), len(props) * len(STATS))

    def citations(self) -> list[str]:
        return [
            "@article{ward_2016, title={A general-purpose machine learning framework for predicting properties of "
            "inorganic materials}, journal={npj Computational Materials}, volume={2}, pages={16028}, year={2016}, "
            "doi={10.1038/npjcompumats.2016.28}, author={Ward, L. and Agrawal, A. and Choudhary, A. and Wolverton, C.}}"
        ]
