"""Coding uncertainty: redraw the uncertain items of the coup-proofing coding for one run.

The 13-item codings rest on thin sources for many cells (their ``confidence`` column). A
conclusion that holds only for the coded values is a conclusion about the coder; redrawing
the low- and medium-confidence cells per run (rule and probabilities in
``data/coding_uncertainty.toml``) lets the harness say which conclusions survive.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import InputError, read_toml_tables
from .locations import DATA_DIR
from .regimes import CONFIDENCE, Regime

RULE_FILE = DATA_DIR / "coding_uncertainty.toml"
CODING_STREAM = 0xC0D1
"""Spawn key of the coding stream under the run's seed (the model's own streams start from the seed itself)."""


class RedrawRule(BaseModel):
    """The ``[redraw]`` table: the coding scale and the redraw probability per confidence level."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    scale: tuple[float, ...] = Field(min_length=2)
    probability: dict[str, float]
    source: str = Field(min_length=1)
    note: str = ""

    @field_validator("scale")
    @classmethod
    def _in_unit_interval(cls, v):
        if not all(0.0 <= x <= 1.0 for x in v):
            raise ValueError(f"scale values must lie in [0, 1]; found {list(v)}")
        return v

    @field_validator("probability")
    @classmethod
    def _one_per_confidence(cls, v):
        if sorted(v) != sorted(CONFIDENCE):
            raise ValueError(f"needs exactly the confidence levels {list(CONFIDENCE)}; found {sorted(v)}")
        if not all(0.0 <= x <= 1.0 for x in v.values()):
            raise ValueError(f"probabilities must lie in [0, 1]; found {v}")
        return v


@cache
def load_rule(path: Path = RULE_FILE) -> RedrawRule:
    """The redraw rule (one ``[redraw]`` table)."""
    tables = read_toml_tables(path, RedrawRule)
    if list(tables) != ["redraw"]:
        raise InputError(path, "file", f"expected exactly one table [redraw]; found {list(tables)}")
    return tables["redraw"]


def coding_rng(seed) -> np.random.Generator:
    """The coding stream of a run: spawned from its seed (an int or SeedSequence), so none of the
    model's own draws move."""
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, CODING_STREAM)))
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(CODING_STREAM,)))
    raise InputError("coding_uncertainty", str(seed)[:40], "needs an integer seed (or a SeedSequence) to draw from")


def redraw(regimes: dict[str, tuple[Regime, ...]], rng: np.random.Generator,
           rule: RedrawRule) -> dict[str, tuple[Regime, ...]]:
    """Every regime with its uncertain cells redrawn by ``rule``: each dated cell (a row of the coding)
    with the probability of its own recorded confidence; two uniforms per cell in file order."""
    out = {}
    for gov, seq in regimes.items():
        new = []
        for r in seq:
            u = rng.random((len(r.cells), 2))
            cells = tuple(replace(c, value=rule.scale[min(int(b * len(rule.scale)), len(rule.scale) - 1)])
                          if a < rule.probability[c.confidence] else c for c, (a, b) in zip(r.cells, u))
            new.append(replace(r, cells=cells).at(r.period_start))
        out[gov] = tuple(new)
    return out
