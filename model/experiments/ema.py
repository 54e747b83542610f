"""Driving the model from the EMA Workbench (exploratory modelling under deep uncertainty).

EMA samples uncertain parameters, runs each sampled point over several seeds (a
``ReplicatorModel``) and analyses the results (PRIM, feature scoring, ...). :func:`ema_model`
builds that model on the public API: EMA calls :func:`karabakh` with the sampled parameters as
keywords and each replication's seed as ``rng``; the outcomes are scalars named as in
:mod:`model.outputs.outcomes`, each the mean over the replications. Seeds follow EMA's documented
recipe (one NumPy integer per replication drawn from a generator), from a fixed root so that a
study is reproducible. ``ema_workbench`` is optional: ``pip install -e '.[notebooks]'``.
"""

from __future__ import annotations

import sys

import numpy as np

from ..inputs.params import load_parameters
from ..model import KarabakhWar
from ..outputs.outcomes import outcomes

UNCERTAINTIES = ("attrition_rate", "training_effect", "breakthrough_ratio", "coup_base_rate",
                 "ceasefire_pressure_weight")
"""Parameters sampled by default, each over its documented range (``low``..``high`` in
model/data/parameters.toml)."""

SCALARS = ("days", "arm_held_azssr_km2", "arm_held_azssr_km2_end", "casualties_aze", "casualties_arm",
           "coup_attempts_aze", "coup_attempts_arm", "durable_ceasefire")
"""The outcomes reported to EMA: public outcome names, plus ``durable_ceasefire`` (1 if the run reached
a durable ceasefire, so its mean is the share of replications that did)."""


def karabakh(scenario: str = "historical", until: str | None = None, rng=None, **params) -> dict[str, float]:
    """One run as EMA calls it: the scalar outcomes of ``scenario`` with ``params``, seeded by ``rng``."""
    row = outcomes(KarabakhWar(scenario=scenario, rng=rng, until=until, **params).run())
    row["durable_ceasefire"] = bool(row["ceasefire_date"])
    return {k: float(row[k]) for k in SCALARS}


def mean_over_replications(values) -> float:
    """EMA's reducer for a scalar outcome of a ReplicatorModel: the mean over the replications."""
    return float(np.mean(values))


def replications(n: int, seed: int = 0) -> list[dict]:
    """EMA's documented seeding, reproducible: one NumPy integer seed per replication, drawn from
    ``numpy.random.default_rng(seed)``, passed to the model as ``rng``."""
    return [{"rng": s} for s in np.random.default_rng(seed).integers(sys.maxsize, size=n)]


def ema_model(n_replications: int = 2, seed: int = 0, uncertainties=UNCERTAINTIES, scenario: str = "historical",
              until: str | None = None, name: str = "karabakh"):
    """A ``ReplicatorModel`` over ``uncertainties`` (each over its documented range), with the
    :data:`SCALARS` as ``ScalarOutcome``s (mean over replications) and ``n_replications`` seeds from
    :func:`replications`; pass it to ``perform_experiments`` with any evaluator."""
    from ema_workbench import Constant, RealParameter, ReplicatorModel, ScalarOutcome

    known = load_parameters()
    model = ReplicatorModel(name, function=karabakh)
    model.uncertainties = [RealParameter(p, known[p].low, known[p].high) for p in uncertainties]
    model.constants = [Constant("scenario", scenario)] + ([Constant("until", until)] if until else [])
    model.outcomes = [ScalarOutcome(k, function=mean_over_replications) for k in SCALARS]
    model.replications = replications(n_replications, seed)
    return model
