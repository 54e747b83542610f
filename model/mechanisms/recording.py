"""Recording: the day ends; daily histories are stored, Mesa's DataCollector collects weekly
and on the last day, and the model stops running at its end date."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar


class Recording(Mechanism):
    """Advances the day counter and writes the histories."""

    def step(self, model: KarabakhWar, today: Today) -> None:
        model.day += 1
        model.control_history[model.day] = model.arm_share
        model.casualty_history[model.day] = model.casualties
        model.displaced_history[model.day] = model.displaced
        model.displaced_front_history[model.day] = model.displaced_front
        model.record_personnel()
        model.cohesion_history[model.day] = model.side_cohesion()
        if model.day >= model.n_days:
            model.running = False
            model.datacollector.collect(model)
        elif model.day % 7 == 0:
            model.datacollector.collect(model)
