"""Rebuild matkb/data/magpie_elements.csv from matminer's copy of the Magpie elemental data.

The Magpie tables (Ward, Agrawal, Choudhary & Wolverton, npj Comput. Mater. 2, 16028 (2016),
doi:10.1038/npjcompumats.2016.28) are redistributed by matminer (BSD licence). matkb ships the 22
columns of the "magpie" ElementProperty preset, with matminer's own NaN imputation
(impute_nan=True: a missing value becomes the rounded mean over the elements that have one),
so that matkb's composition features equal matminer's to floating-point precision.

Run (needs matminer, an optional benchmark dependency):  python benchmarks/build_magpie_table.py
"""

from __future__ import annotations

import csv
from pathlib import Path

from matminer.featurizers.composition import ElementProperty
from matminer.utils.data import MagpieData
from pymatgen.core import Element

OUT = Path(__file__).resolve().parents[1] / "matkb" / "data" / "magpie_elements.csv"


def main() -> None:
    ep = ElementProperty.from_preset("magpie")
    data = MagpieData(impute_nan=True)
    with open(OUT, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["Z", "symbol", *ep.features])
        for z in range(1, 104):
            el = Element.from_Z(z)
            w.writerow([z, el.symbol, *(repr(float(data.get_elemental_property(el, f))) for f in ep.features)])
    print(f"wrote {OUT} ({len(ep.features)} properties x 103 elements)")


if __name__ == "__main__":
    main()
