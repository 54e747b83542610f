"""The registry's coup-proofing indices of a run, per side, at the start of the run.

Indices describe the regimes and forces a run starts with (the profiles after any design
override or coding redraw), so a run-level table can regress outcomes on them. A side's value
is the mean over its governments, as in Narang & Talmadge's country-level coding.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..inputs.forces import KINDS, MERCENARY
from ..inputs.indices import IndexDefinition, effective_number
from .outcomes import SIDE_GOVERNMENTS


def organisations(model, gov) -> dict[str, float]:
    """Personnel of ``gov``'s ground-combat organisations in service: unit kinds, each mercenary
    origin, and the regime guard."""
    f = model.forces
    out: dict[str, float] = {}
    for row in np.flatnonzero(f.active & (f.government == gov.index)):
        kind = KINDS[f.kind[row]]
        name = f"{kind}:{model.units[row].origin}" if f.kind[row] == MERCENARY else kind
        out[name] = out.get(name, 0.0) + float(f.personnel[row])
    out["regime_guard"] = float(gov.guard_personnel)
    return out


def index_value(model, gov, definition: IndexDefinition) -> float:
    """One government's value of one index, from its starting regime or its forces now."""
    if definition.kind == "items":
        return definition.of_items(gov.initial_regime.items)
    orgs = organisations(model, gov)
    if not definition.include_guard:
        orgs.pop("regime_guard")
    return effective_number(orgs.values())


def side_indices(model, definitions: Mapping[str, IndexDefinition]) -> dict[str, float]:
    """Columns ``index_<key>_<side>`` (mean over the side's governments) and ``index_<key>_rel``
    (aze minus arm, the relative index of Narang & Talmadge's and Pilster & Böhmelt's designs)."""
    row: dict[str, float] = {}
    govs = {g.key: g for g in model.governments}
    for key, definition in definitions.items():
        for side, keys in SIDE_GOVERNMENTS.items():
            row[f"index_{key}_{side}"] = float(np.mean([index_value(model, govs[k], definition)
                                                        for k in keys if k in govs]))
        row[f"index_{key}_rel"] = row[f"index_{key}_aze"] - row[f"index_{key}_arm"]
    return row
