"""Cell stacks as papers write them, e.g. ``Li/IL@PB@LATP/Li`` or ``Li|LATP|LFP``.

Grammar
-------
* ``/`` or ``|`` separate the layers of the stack from anode to cathode.
* With three parts (``anode/separator/cathode``) the separator may carry
  coatings joined by ``@``, listed from the anode side in: ``IL@PB@LATP`` is an
  LATP pellet coated with PB, then wetted with IL. When nothing follows the
  electrolyte, the coatings face both electrodes of a symmetric cell and the
  anode (Li side) of a full or half cell, which is how the interlayer
  literature uses the notation. Coatings written after the electrolyte
  (``PEO@LATP@PAN``) face the cathode. The electrolyte is the last token whose
  material has the role ``electrolyte`` (else the last token).
* With more than three parts every layer is explicit:
  ``Li/PB/LATP/PB/Li``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .errors import MatkbError


class StackError(MatkbError):
    """A stack string that cannot be parsed or whose layers are unknown."""


@dataclass(frozen=True)
class Layer:
    position: int
    token: str
    material_id: str
    role: str  # anode | cathode | electrode | electrolyte | interlayer | wetting_agent
    side: str  # anode | separator | cathode


_SPLIT = re.compile(r"\s*(?:/|\|\|?)\s*")


def split_stack(stack: str) -> list[list[str]]:
    """Split into parts (by / or |), each a list of @-joined tokens, outside-in."""
    parts = [p for p in _SPLIT.split(stack.strip())]
    if len(parts) < 3 or any(not p for p in parts):
        raise StackError(
            f"stack {stack!r} must have at least three layers separated by '/' or '|', "
            "e.g. 'Li/LATP/Li' or 'Li/IL@PB@LATP/LFP'"
        )
    out = []
    for part in parts:
        tokens = [t.strip() for t in part.split("@")]
        if any(not t for t in tokens):
            raise StackError(f"stack {stack!r} has an empty token around '@'")
        out.append(tokens)
    return out


def parse_stack(
    stack: str,
    resolve: Callable[[str], str | None],
    roles_of: Callable[[str], list[str]],
    cell_type: str = "symmetric",
) -> list[Layer]:
    """Parse ``stack`` into ordered :class:`Layer` objects.

    ``resolve(token)`` maps a token to a material id (or None if unknown);
    ``roles_of(material_id)`` gives the roles the material can play, used to
    tell the electrolyte, interlayers and wetting agents apart.
    """
    parts = split_stack(stack)

    def mat(token: str) -> str:
        mid = resolve(token)
        if mid is None:
            raise StackError(
                f"stack {stack!r}: layer {token!r} is not a known material id or alias "
                "(define the material, or map the token under the cell's `layers:`)"
            )
        return mid

    def coating_role(mid: str) -> str:
        roles = roles_of(mid)
        return "wetting_agent" if "wetting_agent" in roles and "interlayer" not in roles[:1] else "interlayer"

    anode, cathode = parts[0], parts[-1]
    if len(anode) != 1 or len(cathode) != 1:
        raise StackError(f"stack {stack!r}: coat the separator, not the electrodes ('@' inside the end layers)")
    symmetric = cell_type == "symmetric"
    end_role = ("electrode", "electrode") if symmetric else ("anode", "cathode")
    layers: list[tuple[str, str, str, str]] = [(anode[0], mat(anode[0]), end_role[0], "anode")]

    if len(parts) == 3:
        tokens = [(t, mat(t)) for t in parts[1]]
        is_electrolyte = [i for i, (_, mid) in enumerate(tokens) if "electrolyte" in roles_of(mid)]
        e = is_electrolyte[-1] if is_electrolyte else len(tokens) - 1
        before, (electrolyte, electrolyte_id), after = tokens[:e], tokens[e], tokens[e + 1:]
        for t, mid in before:  # from the anode towards the electrolyte
            layers.append((t, mid, coating_role(mid), "anode"))
        layers.append((electrolyte, electrolyte_id, "electrolyte", "separator"))
        for t, mid in after if after else (reversed(before) if symmetric else []):
            layers.append((t, mid, coating_role(mid), "cathode"))
    else:
        middle = [tok for part in parts[1:-1] for tok in part]
        ids = [mat(t) for t in middle]
        electrolyte_idx = [i for i, mid in enumerate(ids) if "electrolyte" in roles_of(mid)]
        if not electrolyte_idx:
            raise StackError(f"stack {stack!r}: none of the middle layers is an electrolyte material")
        e = electrolyte_idx[len(electrolyte_idx) // 2]
        for i, (t, mid) in enumerate(zip(middle, ids, strict=True)):
            if i == e:
                layers.append((t, mid, "electrolyte", "separator"))
            else:
                layers.append((t, mid, coating_role(mid), "anode" if i < e else "cathode"))
    layers.append((cathode[0], mat(cathode[0]), end_role[1], "cathode"))
    return [Layer(i, t, mid, role, side) for i, (t, mid, role, side) in enumerate(layers)]


def summarize(layers: list[Layer]) -> dict[str, str | None]:
    """The cell's anode, cathode, electrolyte, principal interlayer and wetting agent.

    The principal interlayer is the anode-side interlayer closest to the
    electrolyte (the one the electron-blocking criterion is about).
    """
    anode = layers[0].material_id
    cathode = layers[-1].material_id
    electrolyte = next((lay.material_id for lay in layers if lay.role == "electrolyte"), None)
    anode_side = [lay for lay in layers if lay.side == "anode" and lay.role in ("interlayer", "wetting_agent")]
    interlayers = [lay.material_id for lay in anode_side if lay.role == "interlayer"]
    wetting = [lay.material_id for lay in layers if lay.role == "wetting_agent"]
    return {
        "anode_id": anode,
        "cathode_id": cathode,
        "electrolyte_id": electrolyte,
        "interlayer_id": interlayers[-1] if interlayers else None,
        "wetting_agent_id": wetting[0] if wetting else None,
    }
