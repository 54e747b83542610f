"""Shared fixtures: a small synthetic world (fast, fronts move) and short real runs."""

from __future__ import annotations

import datetime as dt

import pytest

from model.inputs.forces import synthetic_units
from model.model import KarabakhWar
from model.inputs.scenario import Scenario
from model.inputs.world import synthetic_world

SYNTH_START = dt.date(1991, 12, 1)


def synthetic_model(seed: int = 1, days: int = 200, n: int = 48, events=(), **params) -> KarabakhWar:
    """A model on a synthetic grid world where the arm side is better trained."""
    world = synthetic_world(n, seed=3)
    sc = Scenario(name="synthetic", start=SYNTH_START, end=SYNTH_START + dt.timedelta(days=days - 1),
                  events=tuple(events))
    return KarabakhWar(scenario=sc, rng=seed, world=world, units=synthetic_units(world), **params)


@pytest.fixture(scope="session")
def historical_run():
    """One full historical run with seed 0, shared by the tests that only read it."""
    return KarabakhWar(rng=0).run()
