"""What the patrons did in a run: their decisions as a timeline plot and as counts for comparisons.

Only runs in which some patron decides (scenario mode ``endogenous`` or ``mixed``) get the
``patron_decisions`` record in summary.json and the ``patron_timeline.png`` plot, so that the outputs
of runs with scheduled patrons stay exactly what they were.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np

from ..inputs.history import CEASEFIRE_DATE
from ..inputs.patrons import ACTIONS
from .plots import finish_districts

if TYPE_CHECKING:
    from ..model import KarabakhWar

MARKERS = {"arms": "^", "fund": "P", "deploy": "s", "withdraw": "v", "embargo": "X", "mediate": "o"}
"""One marker per action (model.inputs.patrons.ACTIONS)."""


def deciding(model: KarabakhWar) -> bool:
    """Some patron decides in this run (its mode is not 'scheduled')."""
    return any(p.mode != "scheduled" for p in model.patrons)


def action_of(decision: dict) -> str:
    """The ``can`` action of a logged decision (a delivery of money only is 'fund')."""
    q = decision["quantity"]
    if decision["action"] == "arms" and set(q) == {"money_musd"}:
        return "fund"
    return decision["action"]


def scheduled_actions(model: KarabakhWar) -> list[tuple[dt.date, str, str]]:
    """(date, patron, action) of the scenario's dated patron events up to the end of the run."""
    end = model.start + dt.timedelta(days=model.day)
    return [(ev.date, patron, action) for ev in model.war_scenario.events if ev.date < end
            for patron, action in ev.patron_actions()]


def decision_counts(model: KarabakhWar) -> dict[str, float]:
    """``patron_<patron>_<action>``: the number of each patron's decisions of each action (every patron
    and action, 0 where none), for ensemble comparisons."""
    counts = {f"patron_{p.key}_{a}": 0.0 for p in model.patrons for a in ACTIONS}
    for d in model.patron_decisions:
        counts[f"patron_{d['patron']}_{action_of(d)}"] += 1
    return counts


def plot_patron_timeline(model: KarabakhWar, path: Path) -> None:
    """One row per patron: its dated events (open markers) and its decisions (filled), by action."""
    keys = [p.key for p in model.patrons]
    fig, ax = plt.subplots(figsize=(10, 0.5 * len(keys) + 2))
    seen = set()
    for when, patron, action in scheduled_actions(model):
        ax.scatter(np.datetime64(when), keys.index(patron) - 0.15, marker=MARKERS[action], s=40,
                   facecolors="none", edgecolors="#555555", label="dated event" if "event" not in seen else None)
        seen.add("event")
    for d in model.patron_decisions:
        action = action_of(d)
        ax.scatter(np.datetime64(d["date"]), keys.index(d["patron"]) + 0.15, marker=MARKERS[action], s=40,
                   color="#c8861a", label=f"decision: {action}" if action not in seen else None)
        seen.add(action)
    ax.axvline(np.datetime64(CEASEFIRE_DATE), color="#555555", ls="--", lw=0.8)
    ax.set_ylim(-0.7, len(keys) - 0.3)
    finish_districts(fig, ax, keys, path, f"Patron actions in '{model.war_scenario.name}': dated events (open) "
                                          "and decisions (filled); dashed: 1994-05-12")
