"""One game: turns, players' orders and messages, the umpire's actions, all through the log.

Every action is checked first (a bad one raises :class:`InputError` and changes nothing), then
applied, then appended to the log, then the state file is rewritten atomically. :meth:`Game.apply`
is the one path by which an entry changes the game, live or in a replay; so configuration + log
gives the identical game after a restart, a load, or a rewind (which replays the log's prefix).

A turn closes when every human role has submitted or when its deadline passes (checked by
:meth:`Game.tick`); the model then runs the turn's days. Roles nobody plays keep the built-in AI.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

from ..actors.strategy import ExternalStrategy, check_orders
from ..errors import InputError
from ..inputs.scenario import check_event_references, load_scenario, parse_events
from ..model import KarabakhWar
from .config import GameConfig
from .log import GameLog, write_atomic
from .roles import GOVERNMENT_ROLES, ROLES, UMPIRE

MAX_MESSAGE = 2000
"""Characters in one message (a page of text)."""
OVERRIDES = {"treasury_musd": (0.0, 100_000.0), "legitimacy": (0.0, 1.0)}
"""What the umpire may set on a government, with the allowed range."""
MODEL_KINDS = ("orders", "inject", "override", "turn_close")
"""Log entries that change the model: the ones a rewind replays."""


class Game:
    """A game in memory, kept in step with its folder (``log.jsonl`` and ``state.json``)."""

    def __init__(self, folder: Path, game_id: str, config: GameConfig, tokens: dict[str, str],
                 clock: Callable[[], float] = time.time):
        self.folder = Path(folder)
        self.id = game_id
        self.config = config
        self.tokens = dict(tokens)
        self.clock = clock
        self.log = GameLog(self.folder / "log.jsonl")
        self.messages: list[dict] = []
        self.paused = False
        self.deadline: float | None = None  # wall-clock time (epoch s) at which the turn closes
        self.remaining: float | None = None  # seconds left in the turn while paused
        self._replay(self.log.entries)

    # ------------------------------------------------------------------ model
    def _reset(self) -> None:
        """A fresh model at the game's start date, human roles under external orders."""
        scenario = load_scenario(self.config.scenario)
        self.model = KarabakhWar(scenario, rng=self.config.seed)
        start = self.config.start or scenario.start
        if not scenario.start <= start < scenario.end:
            raise InputError("game settings", "start", f"{start} is outside the scenario "
                                                       f"({scenario.start} to {scenario.end})")
        while self.model.date < start and self.model.running:  # the months before: the built-in AI plays
            self.model.step()
        self.start = self.model.date
        self.strategies = {role: ExternalStrategy() for role in self.config.human}
        for role, strategy in self.strategies.items():
            self.model.government(role).strategy = strategy
        self.turn = 1
        self.submitted: dict[str, dict] = {}
        self.turns: list[dict] = []
        self.effective: list[dict] = []  # model-changing entries in force (a rewind drops some)

    @property
    def finished(self) -> bool:
        """The scenario's last day has been played."""
        return not self.model.running

    def turn_dates(self, turn: int | None = None) -> tuple[dt.date, dt.date]:
        """First and last date a turn covers."""
        t = self.turn if turn is None else turn
        first = self.config.turn_end(self.start, t - 1)
        return first, min(self.config.turn_end(self.start, t), self.model.end + dt.timedelta(days=1)) \
            - dt.timedelta(days=1)

    # ---------------------------------------------------------------- entries
    def apply(self, entry: dict) -> None:
        """Make one log entry take effect (live and in replays alike)."""
        kind = entry["kind"]
        if kind == "orders":
            self.submitted[entry["role"]] = entry["orders"]
            self.strategies[entry["role"]].submit({k: tuple(v) for k, v in entry["orders"].items()})
        elif kind == "message":
            self.messages.append(entry)
        elif kind == "inject":
            for ev in parse_events("inject", [self._dated(entry["event"])]):
                self.model.apply_event(ev)
        elif kind == "override":
            setattr(self.model.government(entry["government"]), entry["field"], float(entry["value"]))
        elif kind == "turn_close":
            self._run_turn(entry["reason"])
        elif kind == "pause":
            self.paused = True
        elif kind == "resume":
            self.paused = False
        elif kind == "rewind":
            self._replay(self._prefix(entry["to_turn"]))
        if kind in MODEL_KINDS:
            self.effective.append(entry)

    def _replay(self, entries: list[dict]) -> None:
        """A fresh model at the game's start with ``entries`` applied in order."""
        self._reset()
        for e in entries:
            self.apply(e)

    def _dated(self, event: dict) -> dict:
        """An injected event happens today, whatever date it carries."""
        return {**event, "date": str(self.model.date)}

    def _prefix(self, turn: int) -> list[dict]:
        """The model-changing entries up to the close of turn ``turn - 1``: the start of ``turn``."""
        closes = [i for i, e in enumerate(self.effective) if e["kind"] == "turn_close"]
        return self.effective[: closes[turn - 2] + 1] if turn > 1 else []

    def _run_turn(self, reason: str) -> None:
        first, last = self.turn_dates()
        m = self.model
        before = m.arm_held_azssr_km2
        while m.running and m.date <= last:
            m.step()
        self.turns.append({"turn": self.turn, "from": str(first), "to": str(last), "reason": reason,
                           "arm_held_azssr_km2": round(m.arm_held_azssr_km2), "change_km2": round(m.arm_held_azssr_km2 - before),
                           "casualties_aze": round(m.casualties_aze), "casualties_arm": round(m.casualties_arm)})
        self.turn += 1
        self.submitted = {}

    def _record(self, entry: dict) -> dict:
        """Apply an entry, then log it and save the state; if applying fails, the game is rebuilt
        from the log (so a half-applied action leaves no trace) and the error is raised."""
        entry = {"turn": self.turn, "at": dt.datetime.fromtimestamp(self.clock(), dt.UTC).isoformat(timespec="seconds"),
                 **entry}
        try:
            self.apply(entry)
        except Exception:
            self.messages, self.paused = [], False
            self._replay(self.log.entries)
            raise
        self.log.append(entry)
        self.save()
        return entry

    def save(self) -> None:
        """Write ``state.json`` atomically: what the log does not hold (tokens, deadlines)."""
        write_atomic(self.folder / "state.json", {
            "id": self.id, "config": self.config.model_dump(mode="json"), "tokens": self.tokens,
            "turn": self.turn, "date": str(self.model.date), "paused": self.paused, "deadline": self.deadline,
            "remaining": self.remaining, "log_entries": len(self.log.entries)})

    # ---------------------------------------------------------------- actions
    def check_turn(self, turn) -> None:
        """A form made for the turn in play (``turn`` as sent, a number or its text); a stale one is refused."""
        if str(turn) != str(self.turn):
            raise InputError("game", "turn", f"this form was for turn {str(turn)[:20]}, the game is on turn "
                                             f"{self.turn}; reload the page")

    def _open(self, turn: int | None = None) -> None:
        """Actions need a running game, and a form made for the turn in play."""
        if self.finished:
            raise InputError("game", "turn", "the game is over")
        if turn is not None:
            self.check_turn(turn)

    def submit_orders(self, role: str, turn: int, orders: dict[str, tuple[str, str]]) -> dict:
        """A player's orders for this turn (replacing any sent before this turn closes)."""
        if role not in self.config.human:
            raise InputError("orders", "role", f"{role!r} is not played by a human in this game")
        self._open(turn)
        if self.paused:
            raise InputError("orders", "game", "the umpire has paused the game; try again when it resumes")
        gov = self.model.government(role)
        checked = check_orders(self.model, gov, orders)
        entry = self._record({"kind": "orders", "role": role, "orders": {k: list(v) for k, v in checked.items()}})
        if all(r in self.submitted for r in self.config.human):
            self.close_turn("all humans submitted")
        return entry

    def send_message(self, sender: str, to: str, text: str) -> dict:
        """A free-text message between roles (or to all), logged; the umpire sees every one."""
        if to not in (*ROLES, "all") or to == sender:
            raise InputError("message", "to", f"unknown recipient {to[:40]!r}")
        text = text.strip()
        if not text:
            raise InputError("message", "text", "empty")
        if len(text) > MAX_MESSAGE:
            raise InputError("message", "text", f"too long ({len(text)} characters; at most {MAX_MESSAGE})")
        return self._record({"kind": "message", "role": sender, "to": to, "text": text})

    def close_turn(self, reason: str = "closed by the umpire") -> dict:
        """Run the turn's days with the orders in force and open the next turn."""
        self._open()
        entry = self._record({"kind": "turn_close", "reason": reason})
        self.start_clock()
        return entry

    def inject(self, event: dict) -> dict:
        """The umpire injects a scenario event (any type of model/inputs/events.py); it happens today."""
        self._open()
        if not isinstance(event, dict):
            raise InputError("inject", "event", "expected a table of fields, e.g. {\"type\": \"mediation\", ...}")
        m = self.model
        for ev in parse_events("inject", [self._dated(event)]):
            check_event_references(ev, m.known_names, "inject", m.war_scenario.exclude_units)
        return self._record({"kind": "inject", "event": event})

    def override(self, government: str, field: str, value: float) -> dict:
        """The umpire sets a government's treasury or legitimacy (an adjudicated outcome)."""
        self._open()
        if government not in GOVERNMENT_ROLES:
            raise InputError("override", "government", f"unknown government {government[:40]!r}")
        if field not in OVERRIDES:
            raise InputError("override", "field", f"{field[:40]!r}; can set: {', '.join(OVERRIDES)}")
        lo, hi = OVERRIDES[field]
        if not lo <= value <= hi:
            raise InputError("override", field, f"{value:g} is outside {lo:g}..{hi:g}")
        return self._record({"kind": "override", "government": government, "field": field, "value": value})

    def rewind(self, to_turn: int) -> dict:
        """Back to the start of an earlier turn (the log keeps everything; the game replays its prefix)."""
        if not 1 <= to_turn <= self.turn:
            raise InputError("rewind", "turn", f"choose a turn from 1 to {self.turn}")
        entry = self._record({"kind": "rewind", "to_turn": to_turn})
        self.start_clock()
        return entry

    def pause(self) -> dict:
        """Stop the turn's clock; players cannot submit until :meth:`resume`."""
        if self.paused:
            raise InputError("pause", "game", "already paused")
        if self.deadline is not None:
            self.remaining = max(self.deadline - self.clock(), 0.0)
            self.deadline = None
        return self._record({"kind": "pause"})

    def resume(self) -> dict:
        """Restart the clock with the time that was left."""
        if not self.paused:
            raise InputError("resume", "game", "not paused")
        if self.remaining is not None:
            self.deadline, self.remaining = self.clock() + self.remaining, None
        return self._record({"kind": "resume"})

    def start_clock(self) -> None:
        """Start the turn's deadline (a new game, a closed turn, a rewind); paused: keep it for the resume."""
        seconds = self.config.turn_minutes * 60
        if not seconds or self.finished:
            self.deadline = self.remaining = None
        elif self.paused:
            self.deadline, self.remaining = None, seconds
        else:
            self.deadline, self.remaining = self.clock() + seconds, None
        self.save()

    def tick(self) -> bool:
        """Close the turn if its deadline has passed (called on every page poll); True if closed."""
        if self.deadline is not None and not self.paused and not self.finished and self.clock() >= self.deadline:
            self.close_turn("deadline")
            return True
        return False

    def seconds_left(self) -> int | None:
        """Seconds to the deadline (None: no deadline)."""
        if self.paused:
            return None if self.remaining is None else int(self.remaining)
        return None if self.deadline is None else max(int(self.deadline - self.clock()), 0)

    def role_of(self, token: str) -> str | None:
        """The role a token gives, or None."""
        for role, t in self.tokens.items():
            if t == token:
                return role
        return None

    def visible_messages(self, role: str) -> list[dict]:
        """The messages a role may read: its own, those to it, those to all (the umpire: every one)."""
        return [m for m in self.messages if role == UMPIRE or m["role"] == role or m["to"] in (role, "all")]
