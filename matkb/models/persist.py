"""Saving and loading models with skops (no pickle), with a model card beside each file.

Loading refuses a file that holds types outside :data:`TRUSTED_PREFIXES` (skops reports
them before anything is executed) and a model whose feature list or store schema differs
from this matkb's: retrain with ``matkb train`` instead of silently misusing it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..errors import MatkbError

TRUSTED_PREFIXES = ("sklearn.", "sksurv.", "numpy.", "scipy.", "builtins.", "collections.", "_abc.")


class ModelError(MatkbError):
    """A model file that cannot or must not be used."""


def card_path(model_path: Path) -> Path:
    return Path(str(model_path) + ".card.json")


def save(model, path: str | Path, card: dict) -> Path:
    import skops.io as sio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    sio.dump(model, tmp)
    tmp.replace(path)
    card = {**card, "card_version": CARD_VERSION, "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    card_path(path).write_text(json.dumps(card, indent=2, default=str), encoding="utf-8")
    return path


#: bump when the card's contents change, so older cards are refused rather than misread
CARD_VERSION = 5


def load(path: str | Path, *, features: list[str] | None, schema_version: int, kind: str = "stability", feature_check=None):
    """Load a model and its card, refusing untrusted types and any mismatch of kind, card format, features or schema.

    ``features``: the feature list this matkb builds; or ``feature_check(card)`` computes it from the card
    (for models whose features depend on the training data, such as the element columns of the conductivity model).
    """
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise ModelError(f"no model file at {path}")
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # not a skops file at all
        raise ModelError(f"{path} is not a skops model file: {exc}") from exc
    refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise ModelError(f"refusing to load {path}: it holds types outside the trusted list: {', '.join(sorted(refused))}")
    cp = card_path(path)
    if not cp.is_file():
        raise ModelError(f"{path} has no model card ({cp.name}); retrain with `matkb train`")
    card = json.loads(cp.read_text(encoding="utf-8"))
    if card.get("card_version") != CARD_VERSION:
        raise ModelError(f"{path} has a model card of format {card.get('card_version')}, this matkb reads {CARD_VERSION}; "
                         "retrain with `matkb train`")
    if card.get("kind", "stability") != kind:
        raise ModelError(f"{path} is a {card.get('kind', 'stability')} model, not a {kind} model")
    if features is None and feature_check is not None:
        features = feature_check(card)
    if card.get("features") != features:
        raise ModelError(f"{path} was trained on a different feature set ({len(card.get('features') or [])} features, "
                         f"now {len(features)}); retrain with `matkb train`")
    if card.get("schema_version") != schema_version:
        raise ModelError(f"{path} was trained on store schema {card.get('schema_version')}, this store is {schema_version}; "
                         "retrain with `matkb train`")
    model = sio.load(path, trusted=untrusted)
    return model, card
