"""The daily cycle as a list of mechanisms, run in this order each day (``KarabakhWar.step``).

Each mechanism is a small object with ``step(model, today)``: it reads the model's shared
state (the district shares, the ``Forces`` arrays, the governments), writes the part it is
responsible for, and passes what later mechanisms need on ``today`` (:class:`Today`). The
cycle is a model argument (``KarabakhWar(mechanisms=...)``), so a study can add a mechanism
or knock one out without editing the model class. Scheduled scenario events fire before the
cycle, as Mesa events (:meth:`model.model.KarabakhWar.fire_due_events`).
"""

from __future__ import annotations

from .base import Mechanism, Today
from .combat import Combat
from .command import Command
from .control import Control
from .desertion import Desertion
from .flight import CivilianFlight
from .orders import Orders
from .patrons import PatronDecisions
from .pay import Pay
from .politics import RegimePolitics
from .recording import Recording
from .recruitment import Recruitment
from .season import Season
from .shelling import Shelling
from .supply import Supply
from .tempo import Tempo

DAILY_CYCLE: tuple[type[Mechanism], ...] = (PatronDecisions, Orders, Tempo, Command, Season, Combat, Desertion,
                                            Shelling, Control, CivilianFlight, RegimePolitics, Supply, Recruitment, Pay,
                                            Recording)
"""The default day: the patrons' monthly decisions (only patrons that decide), orders (with diplomacy),
operational tempo, command cohesion, season, combat, desertion under fire, shelling, control, civilians'
flight from shelling, regime politics, supply, recruits, pay, recording."""

__all__ = ["DAILY_CYCLE", "CivilianFlight", "Combat", "Command", "Control", "Desertion", "Mechanism", "Orders",
           "PatronDecisions", "Pay", "RegimePolitics", "Recording", "Recruitment", "Season", "Shelling", "Supply",
           "Tempo", "Today"]
