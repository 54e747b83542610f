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

from ..actors.patron_policy import PlayerPatron
from ..actors.strategy import ExternalStrategy, check_orders
from ..errors import InputError
from ..inputs.scenario import check_event_references, load_scenario, parse_events
from ..model import KarabakhWar
from . import decisions
from .config import GameConfig
from .log import GameLog, write_atomic
from .roles import GOVERNMENT_ROLES, PATRON_ROLES, ROLES, UMPIRE

MAX_MESSAGE = 2000
"""Characters in one message (a page of text)."""
OVERRIDES = {"treasury_musd": (0.0, 100_000.0), "legitimacy": (0.0, 1.0)}
"""What the umpire may set on a government, with the allowed range."""
MODEL_KINDS = ("orders", "ready", "decision", "cancel", "adjudicate", "inject", "override", "turn_close", "end")
"""Log entries that change the model or the turn's business: the ones a rewind replays."""
MAX_MINUTES = 7 * 24 * 60
"""Longest deadline, in minutes (a week: a class that meets weekly), as in the game's settings."""
MAX_PENDING = 20
"""Orders beyond attack/move/hold one role may queue in one turn (more is a runaway form, not a plan)."""


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
        self.turn_minutes = config.turn_minutes  # minutes per future turn (the umpire may change it)
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
        self.strategies = {role: ExternalStrategy() for role in self.config.human if role in GOVERNMENT_ROLES}
        for role, strategy in self.strategies.items():
            self.model.government(role).strategy = strategy
        for role in self.config.human:  # a played patron decides through the turn, not the built-in policy
            if role in PATRON_ROLES:
                self.model.patron(role).strategy = PlayerPatron()
        self.turn = 1
        self.submitted: dict[str, dict] = {}
        self.turns: list[dict] = []
        self.effective: list[dict] = []  # model-changing entries in force (a rewind drops some)
        self.pending: list[dict] = []  # decisions to carry out when the turn closes (log entries)
        self.requests: list[dict] = []  # requests to adjudicate, with their status and result
        self.outcomes: list[dict] = []  # decisions carried out at a turn's close, with their result
        self.ended = False  # the umpire ended the game (a rewind before the end reopens it)

    @property
    def finished(self) -> bool:
        """The umpire ended the game, or the scenario's last day has been played."""
        return self.ended or not self.model.running

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
        elif kind == "end":
            self.ended = True
        elif kind == "ready":
            self.submitted[entry["role"]] = {}
        elif kind == "decision":
            d = entry["decision"]
            if d["type"] in decisions.REQUESTS:
                self.requests.append({"seq": entry["seq"], "turn": entry["turn"], "role": entry["role"], "decision": d,
                                      "by": decisions.adjudicator(d, self.config.human), "status": "open",
                                      "result": ""})
            else:
                self.pending.append(entry)
        elif kind == "cancel":
            self.pending = [e for e in self.pending if e["seq"] != entry["of"]]
            for r in self.requests:
                if r["seq"] == entry["of"] and r["status"] == "open":
                    r["status"] = "withdrawn"
        elif kind == "adjudicate":
            self._adjudicate(entry)
        elif kind == "message":
            self.messages.append(entry)
        elif kind == "inject":
            for ev in parse_events("inject", [self._dated(entry["event"])]):
                self.model.apply_event(ev)
        elif kind == "override":
            setattr(self.model.government(entry["government"]), entry["field"], float(entry["value"]))
        elif kind == "turn_close":
            self._run_turn(entry["reason"])
        elif kind == "deadline":
            if entry.get("future") is not None:
                self.turn_minutes = entry["future"]
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

    def _adjudicate(self, entry: dict) -> None:
        """A request granted or refused: by decision, or by a draw against the umpire's probability."""
        request = self.request(entry["of"])
        granted = entry["granted"] if entry["mode"] == "decide" else \
            decisions.draw(self.config.seed, entry["of"], entry["probability"])
        request["status"] = "granted" if granted else "refused"
        request["adjudication"] = {k: entry[k] for k in ("by", "mode", "probability") if k in entry}
        request["result"] = decisions.grant(self, request["role"], request["decision"]) if granted else ""

    def _carry_out(self) -> None:
        """The turn's decisions, in the order they were logged; one that is no longer possible fails alone."""
        for e in self.pending:
            try:
                result, ok = decisions.carry_out(self, e["role"], e["decision"]), True
            except (InputError, ValueError) as exc:
                result, ok = f"not carried out: {exc}", False
            self.outcomes.append({"seq": e["seq"], "turn": e["turn"], "role": e["role"], "decision": e["decision"],
                                  "ok": ok, "result": result})
        self.pending = []

    def _run_turn(self, reason: str) -> None:
        self._carry_out()
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
        entry = {"seq": len(self.log.entries), "turn": self.turn, "at": dt.datetime.fromtimestamp(self.clock(), dt.UTC).isoformat(timespec="seconds"),
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
        if role not in self.config.human or role not in GOVERNMENT_ROLES:
            raise InputError("orders", "role", f"{role!r} is not a government played by a human in this game")
        self._playable(turn)
        gov = self.model.government(role)
        checked = check_orders(self.model, gov, orders)
        entry = self._record({"kind": "orders", "role": role, "orders": {k: list(v) for k, v in checked.items()}})
        self._close_if_all_in()
        return entry

    def ready(self, role: str, turn: int) -> dict:
        """A patron's player has finished its turn (a government finishes by submitting its unit orders)."""
        if role not in self.config.human or role not in PATRON_ROLES:
            raise InputError("ready", "role", f"{role!r} is not a patron played by a human in this game")
        self._playable(turn)
        entry = self._record({"kind": "ready", "role": role})
        self._close_if_all_in()
        return entry

    def _close_if_all_in(self) -> None:
        if all(r in self.submitted for r in self.config.human):
            self.close_turn("all humans submitted")

    def _playable(self, turn) -> None:
        """A player may act: the game runs, the form is for this turn, the umpire has not paused."""
        self._open(turn)
        if self.paused:
            raise InputError("orders", "game", "the umpire has paused the game; try again when it resumes")

    def decide(self, role: str, turn: int, values: dict) -> dict:
        """An order beyond attack/move/hold (model.wargame.decisions): checked now, carried out when the
        turn closes; a request waits for its adjudication."""
        if role not in self.config.human:
            raise InputError("decision", "role", f"{role!r} is not played by a human in this game")
        self._playable(turn)
        d = decisions.read(role, values)
        decisions.check(self.model, role, d)
        mine = [e for e in self.pending if e["role"] == role] + \
            [r for r in self.requests if r["role"] == role and r["turn"] == self.turn]
        if len(mine) >= MAX_PENDING:
            raise InputError("decision", "count", f"at most {MAX_PENDING} orders and requests per turn")
        return self._record({"kind": "decision", "role": role, "decision": d})

    def cancel(self, role: str, seq: int) -> dict:
        """Take back a queued order or an open request of one's own."""
        self._playable(None)
        if not any(e["seq"] == seq and e["role"] == role for e in self.pending) and \
                not any(r["seq"] == seq and r["role"] == role and r["status"] == "open" for r in self.requests):
            raise InputError("cancel", "order", f"no queued order or open request #{seq} of {role}")
        return self._record({"kind": "cancel", "role": role, "of": seq})

    def request(self, seq: int) -> dict:
        """The request logged as ``seq``."""
        for r in self.requests:
            if r["seq"] == seq:
                return r
        raise InputError("adjudicate", "request", f"no request #{seq}")

    def adjudicate(self, by: str, seq: int, mode: str, granted: bool | None = None,
                   probability: float | None = None) -> dict:
        """Grant or refuse an open request: ``mode`` 'decide' (the adjudicator's yes or no) or 'probability'
        (the umpire's probability; the draw is spawned from the game's seed and the request, so a replay
        gives the same outcome and asking again cannot re-roll it)."""
        self._open()
        r = self.request(seq)
        if r["status"] != "open":
            raise InputError("adjudicate", "request", f"request #{seq} is {r['status']}")
        if by not in (r["by"], UMPIRE):
            raise InputError("adjudicate", "request", f"request #{seq} is not yours to decide")
        if mode == "decide":
            if not isinstance(granted, bool):
                raise InputError("adjudicate", "outcome", "expected grant or refuse")
            entry = {"granted": granted}
        elif mode == "probability" and by == UMPIRE:
            if probability is None or not 0 <= probability <= 1:
                raise InputError("adjudicate", "probability", f"expected a number from 0 to 1, got {probability}")
            entry = {"probability": probability}
        else:
            raise InputError("adjudicate", "mode", f"{str(mode)[:20]!r}; expected decide"
                                                   + (" or probability" if by == UMPIRE else ""))
        try:
            return self._record({"kind": "adjudicate", "by": by, "of": seq, "mode": mode, **entry})
        except ValueError as exc:  # the granted request failed in the model (the game was rebuilt)
            raise InputError("adjudicate", "request", str(exc)[:200]) from None

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

    def end(self) -> dict:
        """The umpire ends the game: no more orders; every team may read its debrief."""
        self._open()
        entry = self._record({"kind": "end"})
        self.start_clock()  # no deadline once the game is over
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
        seconds = self.turn_minutes * 60
        if not seconds or self.finished:
            self.deadline = self.remaining = None
        elif self.paused:
            self.deadline, self.remaining = None, seconds
        else:
            self.deadline, self.remaining = self.clock() + seconds, None
        self.save()

    def set_deadline(self, current: float | None, future: float | None) -> dict:
        """The umpire gives the turn in play ``current`` minutes from now (0: no deadline) and every later
        turn ``future`` minutes; None leaves either as it is."""
        self._open()
        for name, value in (("current", current), ("future", future)):
            if value is not None and not 0 <= value <= MAX_MINUTES:
                raise InputError("deadline", name, f"{value:g} minutes; expected 0 to {MAX_MINUTES}")
        if current is None and future is None:
            raise InputError("deadline", "minutes", "give the minutes for this turn, for later turns, or both")
        entry = self._record({"kind": "deadline", "current": current, "future": future})
        if current is not None:
            seconds = current * 60
            if self.paused:
                self.deadline, self.remaining = None, (seconds or None)
            else:
                self.deadline, self.remaining = (self.clock() + seconds if seconds else None), None
            self.save()
        return entry

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
