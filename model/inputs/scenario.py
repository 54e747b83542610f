"""Scenario files (TOML): dates, parameter overrides and dated exogenous events.

A scenario can ``extends = "historical"`` another and then ``remove_events``
by id or add/replace events, so a counterfactual is a few lines. Files are
validated with pydantic; every problem becomes an :class:`InputError` naming the
file, the event and the field. References to districts, units, governments and
patrons are checked against the data when a model is built
(:func:`check_references`).

Scenario files never say who holds a district: there is no such event type.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from ..errors import InputError, read_text, short, shown_path, validation_problem
from .calibrated import load_calibrated
from .events import EVENT_FIELDS, Event, sort_events
from .locations import PARAMS_DIR, SCENARIO_DIR
from .params import load_parameters, resolve, unknown_name
from .patrons import PatronSetting, cannot, kind_of, load_patrons

EARLIEST, LATEST = dt.date(1988, 1, 1), dt.date(2020, 12, 31)


class ScenarioFile(BaseModel):
    """The contents of one TOML file, before ``extends`` is resolved."""

    model_config = ConfigDict(extra="forbid")
    name: str = ""
    description: str = ""
    question: str = ""
    extends: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    params: dict[str, float] = Field(default_factory=dict)
    remove_events: list[str] = Field(default_factory=list)
    exclude_units: list[str] = Field(default_factory=list)
    calibration: str = ""
    patron_calibration: str = ""  # calibration/params/<name>.toml of fitted patron policy (karabakh calibrate --patrons)
    patrons: dict[str, PatronSetting] = Field(default_factory=dict)
    events: list[dict] = Field(default_factory=list)


class Scenario(BaseModel):
    """A resolved scenario: what a model run needs."""

    model_config = ConfigDict(frozen=True)
    name: str
    description: str = ""
    start: dt.date
    end: dt.date
    params: dict[str, float] = Field(default_factory=dict)
    events: tuple[Event, ...] = ()
    exclude_units: tuple[str, ...] = ()  # units.csv rows absent from this scenario (e.g. a counterfactual)
    calibration: str = ""  # name of the calibrated parameter set in use (calibration/params/<name>.toml)
    param_origins: dict[str, str] = Field(default_factory=dict)  # where each value of `params` comes from
    question: str = ""
    path: str = ""
    patrons: dict[str, PatronSetting] = Field(default_factory=dict)  # how each patron acts (default: scheduled)

    def patron_setting(self, key: str) -> PatronSetting:
        """The scenario's setting for one patron (``scheduled`` with the data file's policy if none)."""
        return self.patrons.get(key) or PatronSetting()

    @model_validator(mode="after")
    def _dates(self):
        if not EARLIEST <= self.start < self.end <= LATEST:
            raise ValueError(f"need {EARLIEST} <= start < end <= {LATEST}; got start={self.start}, end={self.end}")
        return self


_EVENT = TypeAdapter(Event)


def scenario_path(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """A built-in scenario name ('historical') or a path to a TOML file; a relative path in
    ``extends`` is resolved against the folder of the file that contains it (``relative_to``)."""
    p = Path(name_or_path)
    try:
        is_file_path = p.suffix == ".toml" or "/" in str(name_or_path) or p.exists()
    except OSError:  # a name too long for the file system: reported when it is read
        is_file_path = True
    if is_file_path:
        return relative_to / p if relative_to is not None and not p.is_absolute() else p
    return SCENARIO_DIR / f"{name_or_path}.toml"


def _read(path: Path) -> ScenarioFile:
    try:
        text = read_text(path)
    except InputError as exc:
        if exc.problem != "not found":
            raise
        known = sorted(q.stem for q in SCENARIO_DIR.glob("*.toml"))
        raise InputError(exc.file, "file", f"scenario not found; built-in scenarios: {', '.join(known) or 'none'}") \
            from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, "file", f"not valid TOML: {exc}") from exc
    try:
        return ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        field, problem = validation_problem(exc, fields=ScenarioFile.model_fields)
        raise InputError(path, f"field '{field}'", problem) from exc


def parse_events(path: Path | str, raw_events: list[dict]) -> list:
    """Events from their TOML tables (or a form); the first problem is an :class:`InputError` naming ``path``."""
    events = []
    for i, raw in enumerate(raw_events):
        label = f"event #{i + 1}" + (f" (id '{raw.get('id')}')" if isinstance(raw, dict) and raw.get("id") else "")
        try:
            ev = _EVENT.validate_python(raw)
        except ValidationError as exc:  # the location starts with the event type (the discriminator tag)
            tagged = exc.errors()[0]["type"] not in ("union_tag_invalid", "union_tag_not_found")
            field, problem = validation_problem(exc, drop=1 if tagged else 0,
                                                fields=EVENT_FIELDS.get(raw.get("type"), ()) if tagged else ())
            raise InputError(path, f"{label}, field '{field or 'type'}'", problem) from exc
        events.append(ev)
    return events


def load_scenario(name_or_path: str | Path, _chain: tuple[Path, ...] = ()) -> Scenario:
    """Read a scenario, resolving ``extends`` (cycles are an error)."""
    try:
        path = scenario_path(name_or_path).resolve()
    except OSError as exc:
        raise InputError(shown_path(name_or_path), "file", f"cannot be read ({exc.strerror or exc})") from None
    if path in _chain:
        cycle = " -> ".join(p.stem for p in (*_chain, path))
        raise InputError(path, "field 'extends'", f"cycle in extends: {cycle}")
    f = _read(path)
    own_events = parse_events(path, f.events)
    if f.extends:
        try:
            parent = load_scenario(scenario_path(f.extends, relative_to=path.parent), (*_chain, path))
        except InputError as exc:
            if exc.where != "file":
                raise
            raise InputError(path, "field 'extends'", f"{shown_path(f.extends, 60)!r}: {exc.problem}") from None
        known_ids = {e.id for e in parent.events if e.id}
        for rid in f.remove_events:
            if rid not in known_ids:
                raise InputError(path, "field 'remove_events'", f"no event with id '{rid}' in '{f.extends}'")
        replaced = {e.id for e in own_events if e.id}
        inherited = [e for e in parent.events if e.id not in set(f.remove_events) | replaced or not e.id]
        params = {**parent.params, **_calibrated(path, f.calibration), **f.params}
        origins = {**parent.param_origins, **_origins(path, f.calibration, f.params)}
        calibration = f.calibration or parent.calibration
        start, end = f.start or parent.start, f.end or parent.end
        description = f.description or parent.description
        exclude = tuple(dict.fromkeys((*parent.exclude_units, *f.exclude_units)))
        patrons = with_patron_policy(parent.patrons, _patron_calibrated(path, f.patron_calibration))
        for key, setting in f.patrons.items():
            patrons[key] = patrons[key].merged(setting) if key in patrons else setting
    else:
        if f.remove_events:
            raise InputError(path, "field 'remove_events'", "only meaningful together with 'extends'")
        if f.start is None or f.end is None:
            raise InputError(path, "field 'start'/'end'", "a scenario without 'extends' needs both dates")
        inherited, start, end, description = [], f.start, f.end, f.description
        params = {**_calibrated(path, f.calibration), **f.params}
        origins = _origins(path, f.calibration, f.params)
        calibration = f.calibration
        exclude = tuple(dict.fromkeys(f.exclude_units))
        patrons = with_patron_policy({}, _patron_calibrated(path, f.patron_calibration))
        for key, setting in f.patrons.items():
            patrons[key] = patrons[key].merged(setting) if key in patrons else setting
    _check_patrons(path, f.patrons)
    ids = [e.id for e in own_events if e.id]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise InputError(path, "events", f"duplicate event id(s) {sorted(dup)}")
    if start >= end:
        raise InputError(path, "field 'start'/'end'", f"start {start} is not before end {end}")
    # A patron that decides on its own ('endogenous') does not also follow its dated events.
    deciding = {k for k, v in patrons.items() if v.mode == "endogenous"}
    events = sort_events([e for e in inherited + own_events
                          if not any(p in deciding for p, _ in e.patron_actions())])
    known_params = load_parameters()
    for name in f.params:
        if name not in known_params:
            raise InputError(path, f"[params] {short(name)}", unknown_name(name, known_params))
    resolve(f.params, origin=f"{path}: [params]")  # values the model cannot take fail here, before any run
    for ev in events:
        if ev.type == "parameter_change":
            for name in ev.params:
                if name not in known_params:
                    raise InputError(path, f"event '{ev.label()}', field 'params.{short(name)[1:-1]}'",
                                     unknown_name(name, known_params))
            resolve(ev.params, origin=f"{path}: event '{ev.label()}'")
        if not start <= ev.date <= end:
            raise InputError(path, f"event '{ev.label()}', field 'date'", f"{ev.date} outside the scenario's {start}..{end}")
        until = getattr(ev, "until", None)
        if until is not None and until < ev.date:
            raise InputError(path, f"event '{ev.label()}', field 'until'", f"{until} is before the event date {ev.date}")
    try:
        return Scenario(name=f.name or path.stem, description=description, start=start, end=end, params=params,
                        events=tuple(events), exclude_units=exclude, question=f.question, calibration=calibration,
                        param_origins=origins, path=str(path), patrons=patrons)
    except ValidationError as exc:
        raise InputError(path, "field 'start'/'end'", validation_problem(exc)[1]) from exc


def _check_patrons(path: Path, settings: dict[str, PatronSetting]) -> None:
    """Patron keys and policy parameters named in a scenario exist in data/patrons.toml, with values of
    the same kind (a number for a number, a list of names for a list)."""
    known = load_patrons()
    for key, setting in settings.items():
        if key not in known:
            raise InputError(path, f"[patrons.{short(key)[1:-1]}]", f"unknown patron; known: {', '.join(known)}")
        policy = known[key].policy
        for name, value in setting.policy.items():
            where = f"[patrons.{key}.policy] {short(name)[1:-1]}"
            if name not in policy:
                raise InputError(path, where, f"unknown policy parameter; {key} has: {', '.join(policy) or 'none'}")
            if kind_of(value) != kind_of(policy[name]):
                shown = f"{value:g}" if isinstance(value, float) else short(value)
                raise InputError(path, where, f"got {shown}; expected {kind_of(policy[name])}")


def _calibrated(path: Path, name: str) -> dict[str, float]:
    """The parameters of a committed calibrated set (empty if ``name`` is empty)."""
    if not name:
        return {}
    record = load_calibrated(name)
    if not record:
        raise InputError(path, "field 'calibration'",
                         f"no calibrated parameter set {name!r} ({PARAMS_DIR / (name + '.toml')}); run 'karabakh calibrate'")
    return {k: float(v) for k, v in record.get("params", {}).items()}


def _patron_calibrated(path: Path, name: str) -> dict[str, dict[str, float]]:
    """The fitted patron policy of a committed set (``karabakh calibrate --patrons``; empty if ``name`` is)."""
    if not name:
        return {}
    record = load_calibrated(name)
    if not record.get("policy"):
        raise InputError(path, "field 'patron_calibration'", f"no fitted patron policy {name!r} "
                                                              f"({PARAMS_DIR / (name + '.toml')}); run 'karabakh calibrate --patrons'")
    _check_patrons(PARAMS_DIR / f"{name}.toml", {k: PatronSetting(policy=v) for k, v in record["policy"].items()})
    return record["policy"]


def with_patron_policy(settings: dict[str, PatronSetting], policy: dict[str, dict]) -> dict[str, PatronSetting]:
    """Patron settings with policy values over them (a fitted set, a calibration trial); modes unchanged."""
    out = dict(settings)
    for key, values in policy.items():
        out[key] = (out.get(key) or PatronSetting()).merged(PatronSetting(policy=values))
    return out


def _origins(path: Path, calibration: str, own: dict[str, float]) -> dict[str, str]:
    """Where this file's parameter values come from: its calibrated set, then its own [params]."""
    out = {k: f"calibrated set '{calibration}'" for k in _calibrated(path, calibration)}
    out.update({k: f"scenario file {path.name}" for k in own})
    return out


def check_references(scenario: Scenario, known: dict[str, set[str]]) -> None:
    """Every district/unit/government/patron an event names must exist in the data (a mercenary
    contract must name a mercenary unit), and no event may use a unit the scenario excludes."""
    for key in scenario.exclude_units:
        if key not in known["unit"]:
            raise InputError(scenario.path, "field 'exclude_units'",
                             f"unknown unit {key!r}; known: {', '.join(sorted(known['unit']))}")
    for ev in scenario.events:
        check_event_references(ev, known, scenario.path, scenario.exclude_units)


def check_event_references(ev, known: dict[str, set[str]], origin: str, excluded=()) -> None:
    """Every name one event uses exists in ``known`` (by kind) and is not an ``excluded`` unit; with
    ``known["can"]`` (patron -> its actions), every patron action the event needs is one it can take."""
    for kind, names in ev.references().items():
        for name in names:
            if name not in known[kind]:
                what = f"unit {name!r} is not a mercenary contingent; mercenary units" if kind == "mercenary" \
                    else f"unknown {kind} {name!r}; known"
                raise InputError(origin, f"event '{ev.label()}'", f"{what}: {', '.join(sorted(known[kind]))}")
            if kind == "unit" and name in excluded:
                raise InputError(origin, f"event '{ev.label()}'",
                                 f"unit {name!r} is excluded by this scenario (exclude_units)")
    can = known.get("can")
    for patron, action in ev.patron_actions() if can is not None else ():
        if action not in can.get(patron, (action,)):
            raise InputError(origin, f"event '{ev.label()}'", cannot(patron, action, can[patron]))
