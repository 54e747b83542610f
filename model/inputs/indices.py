"""Coup-proofing indices as data: each index is a table of ``data/coup_proofing_indices.toml``.

A researcher's index (a different item set, weights, an inverted item, a counterbalancing
measure) is a few lines of TOML, read and checked here, so comparing definitions needs no code.
Two kinds exist: ``items`` (a weighted mean of the 13 WCMRD items) and ``counterbalancing``
(the effective number of ground-combat organisations, from the forces at the start of a run).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import InputError, read_toml_tables
from .locations import DATA_DIR
from .regimes import ITEMS

INDICES_FILE = DATA_DIR / "coup_proofing_indices.toml"


class IndexDefinition(BaseModel):
    """One ``[key]`` table: how an index is computed, and where the definition comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str = Field(min_length=1)
    kind: Literal["items", "counterbalancing"]
    items: tuple[str, ...] = ()
    weights: dict[str, float] = Field(default_factory=dict)
    invert: tuple[str, ...] = ()
    include_guard: bool = True
    source: str = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> IndexDefinition:
        if self.kind == "items":
            if not self.items:
                raise ValueError("an 'items' index needs a non-empty items list")
            unknown = [i for i in self.items if i not in ITEMS]
            if unknown:
                raise ValueError(f"unknown item(s) {unknown}; expected WCMRD items {list(ITEMS)}")
            if len(set(self.items)) != len(self.items):
                raise ValueError(f"items repeated in {list(self.items)}")
        elif self.items or self.weights or self.invert:
            raise ValueError("a 'counterbalancing' index takes no items, weights or invert")
        stray = [i for i in (*self.weights, *self.invert) if i not in self.items]
        if stray:
            raise ValueError(f"weights/invert name {stray}, which are not in items {list(self.items)}")
        bad = {k: w for k, w in self.weights.items() if not w > 0}
        if bad:
            raise ValueError(f"weights must be positive; found {bad}")
        return self

    def of_items(self, values: Mapping[str, float]) -> float:
        """The index of one regime's item values (``kind == 'items'``), 0..1."""
        w = [self.weights.get(i, 1.0) for i in self.items]
        x = [1.0 - values[i] if i in self.invert else values[i] for i in self.items]
        return sum(a * b for a, b in zip(w, x)) / sum(w)


def effective_number(personnel: Iterable[float]) -> float:
    """1 / sum of squared shares: the number of equal-sized organisations with the same spread."""
    p = [float(x) for x in personnel if x > 0]
    total = sum(p)
    return total**2 / sum(x * x for x in p) if p else 0.0


@cache
def load_indices(*extra: Path, builtin: Path = INDICES_FILE) -> dict[str, IndexDefinition]:
    """The built-in index definitions plus those of ``extra`` files, in file order.

    A key defined twice is an error (rename the user's index rather than silently replace ours).
    """
    out = dict(read_toml_tables(builtin, IndexDefinition))
    for path in extra:
        for key, definition in read_toml_tables(path, IndexDefinition).items():
            if key in out:
                raise InputError(path, f"[{key}]", "already defined (built-in or earlier file); choose another key")
            out[key] = definition
    return out
