"""Descriptors for interlayer and electrolyte candidates, as scikit-learn transformers.

>>> import matkb
>>> df = matkb.featurize(["LiF", "Li1.3Al0.3Ti1.7(PO4)3"], sets=("composition", "redox"))  # doctest: +SKIP

Feature sets: ``composition`` (Magpie element-property statistics, equal to matminer's
``ElementProperty.from_preset("magpie")``), ``redox`` (charge-balanced oxidation states that
work for non-integer formulas, reducible cations and the reduction couple vs Li/Li+ from
the curated reference-potential table).
"""

from __future__ import annotations

from .base import FeaturizeError, featurize, get_featurizer, registered_sets

__all__ = ["featurize", "get_featurizer", "registered_sets", "FeaturizeError"]
