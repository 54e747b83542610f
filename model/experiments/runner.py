"""Many runs at once: run specifications, parallel execution, tidy outcome tables, statistics.

A run is a pure function of its :class:`RunSpec` (scenario, seed, end date, parameter and
profile overrides), so runs can go to any process in any order and the table is the
same. Seeds for replicates come from one root seed through
``numpy.random.SeedSequence.spawn``; the same seed list is reused across design points
(common random numbers), so differences between points are not seed noise.

The coup-proofing harness (:func:`coup_proofing_design`, :func:`coup_proofing_report`)
and the scenario comparison (:mod:`model.compare`) build on these pieces; sweeps
(:mod:`model.sweep`) reuse :func:`run_one`.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..inputs.history import CEASEFIRE_DATE, counted_displaced
from ..inputs.indices import load_indices
from ..inputs.scenario import load_scenario, with_patron_policy
from ..inputs.world import SIDES
from ..model import KarabakhWar
from ..outputs.indices import side_indices
from ..outputs.outcomes import SIDE_GOVERNMENTS, outcomes, territory_series
from ..outputs.patrons import decision_counts
from .scoring import ceasefire_outcome, patterns, score_model

CEASEFIRE_ISO = str(CEASEFIRE_DATE)


@dataclass(frozen=True)
class RunSpec:
    """Everything that determines one run, plus labels describing its design point."""

    seed: int
    scenario: str = "historical"
    until: str | None = CEASEFIRE_ISO
    params: dict[str, float] = field(default_factory=dict)
    profiles: dict[str, dict[str, float]] = field(default_factory=dict)
    labels: dict[str, object] = field(default_factory=dict)
    series: bool = False  # also return the weekly km² of Azerbaijan SSR held by the arm side (column "series")
    score: bool = False  # also return the calibration metric (columns fit_*; model.calibration)
    fit_until: str | None = None  # ... computed on the history up to this date (columns fit_*)
    score_from: str | None = None  # ... and also from this date on (out-of-sample, columns oos_*)
    patterns: bool = False  # also return whether each documented pattern appears (columns pattern_*)
    patrons: bool = False  # also return the count of each patron's decisions by action (columns patron_*)
    patron_policy: dict[str, dict[str, float]] = field(default_factory=dict)  # policy values over the scenario's
    # (patron -> name -> value; the patron policy fit, model.experiments.calibration.calibrate_patrons)
    knockouts: tuple[str, ...] = ()  # coup-proofing channels switched off (model.actors.coup_proofing.CHANNELS)
    coding_uncertainty: bool = False  # redraw the uncertain coup-proofing codings (model.inputs.coding_uncertainty)
    indices: tuple[str, ...] | None = None  # also return the coup-proofing indices (columns index_*): the
    # built-in registry plus these TOML files (model.inputs.indices); None: no index columns


def replicate_seeds(root: int, n: int) -> list[int]:
    """``n`` independent seeds spawned from ``root`` (stable for a given root and n)."""
    return [int(s.generate_state(1, np.uint64)[0] >> np.uint64(1)) for s in np.random.SeedSequence(root).spawn(n)]


def run_one(spec: RunSpec) -> dict[str, object]:
    """Build, run and summarise one model; errors are returned as a row, not raised."""
    base = {"seed": spec.seed, "scenario": spec.scenario, **spec.labels}
    try:
        scenario = spec.scenario
        if spec.patron_policy:
            scenario = load_scenario(scenario)
            scenario = scenario.model_copy(update={"patrons": with_patron_policy(scenario.patrons, spec.patron_policy)})
        model = KarabakhWar(scenario=scenario, rng=spec.seed, until=spec.until, profiles=spec.profiles,
                            knockouts=spec.knockouts, coding_uncertainty=spec.coding_uncertainty, **spec.params)
        registry = side_indices(model, load_indices(*map(Path, spec.indices))) if spec.indices is not None else {}
        model.run()
    except Exception as exc:  # noqa: BLE001 - a failed run is recorded with its seed, the batch goes on
        return {**base, "error": f"{type(exc).__name__}: {exc}"}
    indices = {}
    for side, keys in SIDE_GOVERNMENTS.items():
        start = [g.initial_regime for g in model.governments if g.key in keys]  # profiles after overrides
        indices[f"risk_index_{side}"] = float(np.mean([r.risk_index for r in start]))
    row = {**base, **indices, **registry, **outcomes(model), "error": ""}
    if spec.score:
        fit = score_model(model, dt.date.fromisoformat(spec.fit_until) if spec.fit_until else None)
        row.update({f"fit_{k}": v for k, v in fit.items()})
        then = model.record_day()  # what the loss compares with the targets: casualties and displaced on 1994-05-12
        counted = counted_displaced(model.displaced_history[then], model.displaced_front_history[then])
        for k, side in enumerate(SIDES):
            row[f"fit_casualties_{side}"] = float(model.casualty_history[then, k])
            row[f"fit_displaced_{side}"] = float(counted[k])  # as its target counts them (targets.toml counts)
        if spec.score_from:  # out-of-sample: only the history after the fit window
            oos = score_model(model, None, dt.date.fromisoformat(spec.score_from))
            row.update({f"oos_{k}": v for k, v in oos.items()})
    if spec.patterns:
        row.update(patterns(model))
        row["ceasefire_outcome"] = ceasefire_outcome(model)
        row["changes_of_power"] = [(c["country"], c["kind"], c["date"], bool(c["success"])) for c in model.coups]
    if spec.series:
        row["series"] = territory_series(model)
    if spec.patrons:
        row.update(decision_counts(model))
    return row


def run_many(specs: list[RunSpec], workers: int = 1, progress: Callable[[int], None] | None = None,
             executor=None) -> pd.DataFrame:
    """Run every spec (in parallel with ``workers`` processes, or on ``executor``, a pool kept
    across calls); rows come back in spec order.

    Scripts that use several workers must guard their entry point with
    ``if __name__ == "__main__":`` (worker processes are spawned, not forked).
    """
    rows: list[dict] = [None] * len(specs)  # type: ignore[list-item]
    if executor is not None:
        for i, row in enumerate(executor.map(run_one, specs)):
            rows[i] = row
            if progress:
                progress(1)
    elif workers <= 1:
        for i, spec in enumerate(specs):
            rows[i] = run_one(spec)
            if progress:
                progress(1)
    else:
        # Small chunks: results come back in order, so a long chunk would stall the progress bar for minutes
        # (a run takes about a second; sending one costs far less).
        chunk = max(1, min(4, len(specs) // (workers * 8)))
        # "spawn": safe with threads, the same on Linux, macOS and Windows (workers import the model once).
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            for i, row in enumerate(pool.map(run_one, specs, chunksize=chunk)):
                rows[i] = row
                if progress:
                    progress(1)
    return pd.DataFrame(rows)


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
