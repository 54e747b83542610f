"""Calibration: fit the free parameters to the documented history with optuna (TPE).

The fit metric is :mod:`model.experiments.scoring`; the fitted set is written as data to
``calibration/params/<name>.toml`` and read back by :mod:`model.inputs.calibrated`.
"""

from __future__ import annotations

import datetime as dt
import csv
import difflib
import hashlib
import io
import json
import multiprocessing
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..errors import InputError
from ..inputs.calibrated import load_calibrated
from ..inputs.history import CEASEFIRE_DATE, data_version
from ..inputs.locations import CALIBRATION_DIR, CHANGES_OF_POWER, DATA_DIR, PARAMS_DIR
from ..inputs.params import checked, load_parameters
from ..inputs.patrons import load_patrons
from ..inputs.scenario import load_scenario
from ..outputs.files import atomic_file
from .runner import RunSpec, replicate_seeds, run_many
from .scoring import W_CASUALTIES, W_PATTERNS, W_SHARES, W_STATE, objective_value, share_miss
from .validation import VALIDATION_ROOT_SEED, objective_difference_se

WAR_SCENARIO = "historical"
"""The scenario a fit of the war's parameters runs (its calibrated set is the one the fit writes)."""

FREE_PARAMETERS = ("refusal_cohesion_loss_share", "depot_wait_days", "offensive_levy_share", "levy_training", "sector_hold", "consolidation_days", "prepared_defense_bonus", "prepared_defense_days", "threat_hold_days", "capture_occupied", "uprising_cohesion_gain", "failed_offensive_cohesion_loss", "offensive_launch_odds", "failed_revolt_cohesion_loss_share", "shelling_density_exponent", "courting_loyalty_loss", "attack_call_off", "attrition_exponent", "staff_theatre", "security_peak_in_zone", "revanche_readiness_exponent", "home_security", "collapse_from", "security_restraint", "objective_culminates", "winter_closure", "security_always", "collapse_window_days", "collapse_drop", "operation_draw_share",
                   "base_cover", "opportunism_depth_decay", "desertion_rate", "rough_move_factor", "rough_attack_factor", "security_first", "cohesion_legitimacy_weight", "training_capacity_per_day_aze", "recruits_per_day_aze", "scapegoat_rate", "dismissal_loyalty_loss", "honeymoon_days", "security_value", "axis_focus", "uprising_cohesion_loss_share", "force_generation_days", "rout_rate", "revanche_futility", "wounded_return_share", "recruit_training_gap", "ceasefire_advantage_saturation",
                   "ceasefire_breakdown_rate", "ceasefire_revanche_weight", "weariness_scale",
                   "recruits_per_day_arm", "cohesion_defense_weight", "mobilisation_gain",
                   "garrison_cover", "training_effect", "attrition_rate", "breakthrough_ratio",
                   "breakthrough_steepness", "advance_per_day", "breakthrough_advance",
                   "militia_home_defense_factor", "attack_ratio_threshold", "recruits_per_day_nk", "opportunism",
                   "cohesion_build_per_day", "regime_change_cohesion_loss", "cohesion_attack_weight",
                   "offensive_max_days", "offensive_rest_days", "culmination_loss_share",
                   "legitimacy_loss_per_capture", "legitimacy_loss_per_100k_displaced", "resignation_legitimacy",
                   "uprising_legitimacy", "uprising_rate", "plot_loyalty_threshold", "coup_base_rate",
                   "terrain_defense_foothills", "terrain_defense_mountain", "militia_attack_factor",
                   "offensive_commitment", "exploitation_gap", "militia_support_share", "aims_secured_share",
                   "shelling_casualties", "shelling_flight_rate", "exposed_fraction", "coup_contest_exponent")
"""Parameters fitted by ``karabakh calibrate`` within their documented ranges (data/parameters.toml);
all others stay at their documented values. The pattern search (``--refine``) probes them in this
order: the newest first (since stop 62 the cohesion a refused dismissal costs; since stop 52 the odds at which a rested staff launches its next offensive and the cohesion a failed revolt costs; since stop 51 the area-fire exponent of shelling; since stop 50 the loyalty a commander loses when a patron arms his unit; since stop 48 the odds below which a staff calls an attack off and Helmbold's attrition exponent; since stop 47 each army's theatre and the security zone measured in the districts it may
take, two switches; since stop 44 how near to the strength an attack needs a government's front must be before
it resumes the war to win its aims back; since stop 42 the Republic of Armenia's security zone against the guns that fire into its own country; since stop 41 the height an army must fall from to count as coming apart, Armenia's
restraint beyond its war aims and offensives that end at their objective; since stop 40 snow on the passes, security whatever the gate, the window and drop of the
collapse gate, one draw per operation and an assault's base; since stop 33 the road classes: moves and attacks along tracks and passes; since stop 32 the security zone first; since stop 31 how far command cohesion follows legitimacy; since stop 29 Azerbaijan's training capacity, with its recruits; since stop 28 the dismissal of a commander blamed for a lost district; since stop 26 the security zone, the offensive axis and the cohesion an uprising costs; since 2026-12-03 the Azerbaijani army's build-up and rout), then those of the loss's newest components (since 2026-12-02 the fit scores
whether the May 1994 ceasefire holds and the armies' size: the ceasefire's parameters and the
recruitment rates), then the rest. Regime-politics parameters are fitted only since the loss
scores the documented patterns of power (a change of power in Azerbaijan in spring 1992, a revolt in
1993, no coup attempt on the arm side): fitted to territory alone they pushed coups onto the winning
side."""


KEEP_MARGIN_SE = 2.0
"""A refit replaces the committed set only if its objective on the held-out seeds is lower by at least this many
bootstrap standard errors of the difference (:func:`choose_on_holdout`). Why: the refits of stops 36-38 whose best led
the committed set on their held-out seeds (by 1.3 on 64 seeds, 0.70 and 0.49 on 192) all scored worse than it on
three or four roots of 100 validation seeds (calibration/README.md, "Stop 36" to "Stop 38"); the difference's
standard error on 192 held-out seeds was 0.58. Two: the usual threshold for a difference that is not the seeds'
noise (about 1 in 40 by chance, one-sided)."""

HOLDOUT_TOP = 5
"""With held-out seeds (``holdout``), how many of the study's best trials (distinct parameter sets) are
scored on them, besides its start trials (:func:`choose_on_holdout`). Assumption: the best trials of a
refit lie within the noise of one another (the five best of stop 25's first refit spanned 0.1 on the
fit's seeds, against a standard deviation of 0.44 for a 32-seed median: calibration/README.md); each
more costs a run per held-out seed."""


PROBE_STEP = 0.25
"""First step of the pattern search (:func:`enqueue_probes`), as a share of each parameter's range."""

SWITCH_VALUES = (0.0, 1.0)
"""The values a fit tries for a switch (``switch = true`` in data/parameters.toml): off and on. Until stop 47 a switch
was fitted as a number in [0, 1], and since any value above 0 acts as 1, a switch once on was never tried off again:
the pattern search's steps from 1 (0.75, 0.5) and the sampler's draws (never exactly 0) all meant on."""


def on_or_off(values: dict[str, float], switches) -> dict[str, float]:
    """``values`` with each of ``switches`` as 0 or 1 (a value between acts as 1, so it is 1)."""
    return {k: (1.0 if v > 0 else 0.0) if k in switches else v for k, v in values.items()}


def read_start(path: Path) -> dict[str, float]:
    """A start point for a fresh study (``karabakh calibrate --start``): the ``[params]`` table of a TOML
    file, free parameters only (FREE_PARAMETERS), each inside its fit range; anything else is an input
    error naming the file and the parameter. Why: every probe of a new mechanism is worse alone at the
    committed optimum, and the pattern search moves one parameter at a time, so a fit that needs several
    to move together has to be started where they already have."""
    known = load_parameters()
    try:
        table = tomllib.loads(Path(path).read_text()).get("params")
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(path, "file", f"cannot be read as TOML ({exc})") from None
    if not isinstance(table, dict) or not table:
        raise InputError(path, "[params]", "missing or empty; expected a table of free parameters and values")
    start = {}
    for k, v in table.items():
        if k not in FREE_PARAMETERS:
            raise InputError(path, f"[params].{k}", "not a free parameter of the fit (FREE_PARAMETERS)")
        lo, hi = float(known[k].low), float(known[k].high)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= float(v) <= hi:
            raise InputError(path, f"[params].{k}", f"{v!r}; expected a number in its fit range {lo:g}..{hi:g}")
        start[k] = float(v)
    return start


def free_subset(names: Sequence[str] = (), pinned: Sequence[str] = ()) -> tuple[str, ...]:
    """The parameters a fit moves (``karabakh calibrate --free``): ``names``, each one of FREE_PARAMETERS, in
    FREE_PARAMETERS' order; all of them but the ``pinned`` ones (:func:`pinned_values`) when ``names`` is empty. Why:
    TPE over all 76 with 64 seeds a trial chased the fit seeds' noise (stop 48: its best scored 8.20 on them and
    10.32 on 300 held-out seeds, worse than the committed set's 9.92); a fit of the few parameters a change
    touches, with more seeds a trial, spends its runs where the noise is smaller than the effect."""
    names = [n.strip() for n in names if n.strip()]
    for n in names:
        if n not in FREE_PARAMETERS:
            close = difflib.get_close_matches(n, FREE_PARAMETERS, n=1)
            raise InputError("karabakh calibrate", "--free", f"'{n}' is not a free parameter of the fit"
                             + (f"; did you mean '{close[0]}'?" if close else "")
                             + " (model.experiments.calibration.FREE_PARAMETERS lists them)")
        if n in pinned:
            raise InputError("karabakh calibrate", "--free", f"'{n}' is also pinned by --set; a fit moves a parameter "
                                                             "or holds it, not both")
    return tuple(k for k in FREE_PARAMETERS if (k in names if names else k not in pinned))


def pinned_values(assignments: Sequence[tuple[str, float]] = ()) -> dict[str, float]:
    """The free parameters a fit holds at a value of its own (``karabakh calibrate --set NAME=VALUE``), each
    one of FREE_PARAMETERS at a value the model accepts. Why: a fit holds the parameters outside ``--free`` at the
    committed set's values, and a start file's values are moved by the search, so a refit "with recruits waiting 30
    days" could not be run (stop 61: the search stepped the wait back to 0 first). Only free parameters: the written
    set records those, so a pinned value of another would be lost from it."""
    pinned = {}
    for name, value in assignments:
        if name in pinned:
            raise InputError("karabakh calibrate", "--set", f"'{name}' given twice; expected each name once")
        number = checked(name, value, "--set")  # unknown names and values the model cannot take
        if name not in FREE_PARAMETERS:
            raise InputError("karabakh calibrate", "--set", f"'{name}' is not a free parameter of the fit (the written "
                                                            "set records only those; edit its documented value in "
                                                            "model/data/parameters.toml instead)")
        pinned[name] = number
    return pinned


def fresh_starts(name: str, start_files: Sequence[Path], study_dir: Path = CALIBRATION_DIR / "studies",
                 free: Sequence[str] = (), pinned: Sequence[str] = ()) -> list[dict[str, float]]:
    """The start points of ``start_files`` (:func:`read_start`) for the study ``name``, which must not exist
    yet: a resumed study keeps its own search. With ``free`` and ``pinned`` (:func:`free_subset`) a start may set only
    the parameters the fit moves, and an existing study must have been fitting the same ones. Checked before any
    run (the CLI calls it before its progress bar, so that bad input is one line)."""
    moved = free_subset(free, pinned)
    starts = [read_start(path) for path in start_files]
    for path, start in zip(start_files, starts):
        for k in start:
            if k in pinned:
                raise InputError(path, f"[params].{k}", "pinned by --set (a start sets only what the fit moves)")
            if k not in moved:
                raise InputError(path, f"[params].{k}", "not among --free (a start sets only what the fit moves)")
    db = study_dir / f"{name}.db"
    if starts and db.exists():
        raise InputError("--start", str(db), "exists: a start applies to a fresh study "
                                             "(delete the file, or fit under another --name)")
    if db.exists():
        stored = _stored_free(name, db)
        if stored is not None and tuple(stored) != moved:
            differ = sorted(set(stored) ^ set(moved)) or ["their order"]
            raise InputError("--free", str(db), f"that study fits {len(stored)} parameters, this command {len(moved)} "
                             f"(they differ in {', '.join(differ[:3])}{' ...' if len(differ) > 3 else ''}): a study "
                             "resumes with the parameters it began with (the same --free and --set names, or another "
                             "--name)")
    return starts


def _stored_free(name: str, db: Path) -> list[str] | None:
    """The free parameters a stored study began with; None if the file holds no study of that name. A study begun
    before stop 49 kept no list: it fitted all of FREE_PARAMETERS, and is taken to (a resumed study refits them all)."""
    study = _stored_study(name, db)
    return None if study is None else study.user_attrs.get("free_parameters", list(FREE_PARAMETERS))


def _stored_study(name: str, db: Path):
    """The optuna study ``name`` stored in ``db``, or None if the file holds none of that name."""
    import optuna  # heavy and optional (the 'calibrate' extra)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        return optuna.load_study(study_name=name, storage=f"sqlite:///{db}")
    except KeyError:  # no study of that name in the file: a fresh one will be made
        return None


def study_basis(scenario: str, seed_list: Sequence[int], root_seed: int, fit_until: str, fixed: dict[str, float],
                moved: Sequence[str]) -> dict:
    """What a study's trials are scored on besides the values they try: the documented data (:func:`data_version`),
    the scenario, the seeds, the fit window, and every parameter the runs take as it is (the documented values,
    under the scenario's, under ``fixed``; without the ``moved`` ones). Kept with a fresh study and compared on
    resuming (:func:`check_resumable`). Why: a study resumed after a refit of the war's set or a change of the
    documented targets kept its old trials and their old scores, and a patron rescore of stop 59 rewrote the old
    score under the new data in three seconds, running nothing (calibration/README.md, "Stop 60")."""
    values = {**{k: float(p.value) for k, p in load_parameters().items()}, **load_scenario(scenario).params, **fixed}
    moved = set(moved)
    return {"data_version": data_version(), "inputs_version": inputs_version(scenario), "scenario": scenario,
            "root_seed": int(root_seed), "seeds": [int(s) for s in seed_list], "fit_until": fit_until,
            "parameters": {k: float(values[k]) for k in sorted(values) if k not in moved}}


PROVENANCE = ("source", "note")
"""Keys and columns holding provenance text (``source``, ``*_source``, ``note``, ...): edits to them change no run."""


def _values(obj):
    """``obj`` (parsed TOML, a scenario's dump) without its provenance text and without patron policies (the patron fit
    moves them, and writes the fitted ones that a scenario reads)."""
    if isinstance(obj, dict):
        return {k: _values(v) for k, v in obj.items() if k != "policy" and not any(t in k for t in PROVENANCE)}
    if isinstance(obj, (list, tuple)):
        return [_values(v) for v in obj]
    return obj


def inputs_version(scenario: str) -> str:
    """Hash of what a run of ``scenario`` reads beyond :func:`data_version` and its parameters' values: the values of
    every file of model/data (units, governments, regimes, patrons, sectors, ...; not parameters.toml, whose values a
    study compares one by one), the documented changes of power and the scenario's events and settings; not their
    sources and notes. A change of the code is not seen."""
    h = hashlib.sha256()
    for path in sorted(DATA_DIR.glob("*.toml"), key=lambda p: p.name):
        if path.name != "parameters.toml":
            h.update(path.name.encode() + json.dumps(_values(tomllib.loads(path.read_text())), sort_keys=True).encode())
    for path in sorted([*DATA_DIR.glob("*.csv"), CHANGES_OF_POWER], key=lambda p: p.name):
        rows = list(csv.reader(io.StringIO(path.read_text())))
        keep = [i for i, c in enumerate(rows[0] if rows else []) if not any(t in c for t in PROVENANCE)]
        h.update(path.name.encode() + json.dumps([[r[i] for i in keep if i < len(r)] for r in rows]).encode())
    dump = load_scenario(scenario).model_dump(mode="json", exclude={"description", "question", "path", "param_origins",
                                                                      "params"})
    h.update(json.dumps(_values(dump), sort_keys=True).encode())
    return "sha256:" + h.hexdigest()[:16]


def check_resumable(name: str, basis: dict, study_dir: Path = CALIBRATION_DIR / "studies") -> None:
    """One clear error if ``study_dir/<name>.db`` holds a study of that name begun on another :func:`study_basis` than
    ``basis`` (even before its first trial finished: its queued starts were built on it), or one with finished trials
    that never recorded its basis: resuming would rank old scores against new ones, and keep or write a set chosen on a
    model that is gone. Checked before any run."""
    db = study_dir / f"{name}.db"
    study = _stored_study(name, db) if db.exists() else None
    if study is None:
        return
    old = study.user_attrs.get("basis")
    fix = "move the file away to begin afresh, or fit under another --name"
    if old is None:  # begun before stop 60, or made elsewhere: refused once it holds a score
        if not any(t.state.is_finished() for t in study.trials):
            return
        raise InputError(str(db), f"study '{name}'", "keeps no record of the data, parameters and seeds its trials "
                                                     f"were scored on (begun before stop 60); {fix}")
    # compared even before a trial has finished: its queued starts were built on the stored basis
    differ = [f"{label} {old.get(key)} (now {basis[key]})" for key, label in (
        ("data_version", "documented data"), ("inputs_version", "other model data or scenarios"),
        ("scenario", "scenario"), ("fit_until", "the history to")) if old.get(key) != basis[key]]
    if old["seeds"] != basis["seeds"]:
        differ.append(f"{len(old['seeds'])} seeds from root {old['root_seed']} "
                      f"(now {len(basis['seeds'])} from root {basis['root_seed']})")
    changed = [k for k in sorted(set(old["parameters"]) | set(basis["parameters"]))
               if old["parameters"].get(k) != basis["parameters"].get(k)]
    if changed:
        first = changed[0]
        differ.append(f"other values of {len(changed)} parameter{'s' if len(changed) > 1 else ''} it holds fixed, "
                      "as committed or by --set "
                      f"({first} {old['parameters'].get(first, 'absent')}, now {basis['parameters'].get(first, 'absent')}"
                      f"{', ...' if len(changed) > 1 else ''})")
    if differ:
        raise InputError(str(db), f"study '{name}'", f"its trials were scored on {'; '.join(differ)}: resuming would "
                                                     f"rank old scores against new ones; {fix}")


def war_basis(name: str, seeds: int, root_seed: int = 0, until: dt.date | None = None, free: Sequence[str] = (),
              pinned: dict[str, float] | None = None) -> dict:
    """The :func:`study_basis` of a fit of the war's parameters (:func:`calibrate` with the same arguments)."""
    *_, fixed, moved = _war_base(name, free, pinned)
    fit_until = str(until) if until else str(CEASEFIRE_DATE)
    return study_basis(WAR_SCENARIO, replicate_seeds(root_seed, seeds), root_seed, fit_until, fixed, moved)


def patron_basis(seeds: int, scenario: str = "historical_mixed", root_seed: int = 0) -> dict:
    """The :func:`study_basis` of a fit of the patrons' policy (:func:`calibrate_patrons` with the same arguments):
    every war parameter as the scenario has it."""
    return study_basis(scenario, replicate_seeds(root_seed, seeds), root_seed, str(CEASEFIRE_DATE), {}, ())


def _war_base(name: str, free: Sequence[str], pinned: dict[str, float] | None = None):
    """A fit of the war's parameters: the parameters' table, the switches, the free parameters' documented values
    and their committed set ``name`` ({} if none), the base each trial moves from (the committed set in the fitted
    ranges, or the documented values), the values it leaves where they are (the base's, or ``pinned``'s, a switch
    as the on/off it is) and the parameters it moves (:func:`free_subset`)."""
    known = load_parameters()
    switches = frozenset(k for k in FREE_PARAMETERS if known[k].switch)
    pinned = on_or_off(pinned or {}, switches)  # a switch pinned between 0 and 1 is on, as the committed set's is
    documented = {k: float(known[k].value) for k in FREE_PARAMETERS}
    committed = load_calibrated(name).get("params", {})
    # A switch between 0 and 1 acts as 1 (parameters.toml): the fit sees it as the on/off it is - the committed set
    # too, so that the held-out seeds still recognise it among the trials (choose_on_holdout's two-error rule)
    base = on_or_off({k: min(max(float(committed.get(k, v)), float(known[k].low)), float(known[k].high))
                      for k, v in documented.items()}, switches) if committed else documented
    moved = free_subset(free, list(pinned))
    fixed = {**{k: v for k, v in base.items() if k not in moved}, **pinned}  # what this fit leaves where it is
    return known, switches, documented, committed, base, fixed, moved


def calibrate(trials: int, jobs: int, seeds: int = 6, until: dt.date | None = None, name: str = "default",
              root_seed: int = 0, study_dir: Path = CALIBRATION_DIR / "studies", sampler_seed: int = 0,
              progress=None, command: str = "", refine: bool = False,
              start_files: Sequence[Path] = (), holdout: int = 0, free: Sequence[str] = (), confirm: int = 0,
              stage=None, pinned: dict[str, float] | None = None) -> dict:
    """Fit FREE_PARAMETERS (or the subset ``free``: :func:`free_subset`; the others stay at the committed
    set's values, or at ``pinned``'s: :func:`pinned_values`) with optuna (TPE), each trial scored on the same ``seeds``
    seeds.

    With ``refine``, two of every three trials are a pattern search around the best trial so far
    (:func:`enqueue_probes`): with 40 parameters, TPE alone rarely improves on a good warm start,
    while one parameter at a time, on common random numbers, finds what each new mechanism is
    worth. The study lives in ``study_dir/<name>.db`` (SQLite), so an interrupted calibration
    resumes where it stopped. ``start_files`` (:func:`read_start`): start points that replace the
    committed set, each the committed set (or the documented values) with the file's values. ``holdout``,
    ``confirm``: how many seeds choose among the best trials and then confirm the choice (:func:`choose_on_holdout`;
    ``confirm`` only with ``holdout``; ``stage``: their progress bars). Where ``pinned`` holds a parameter at another
    value than the committed set's, the committed set is not a point of the study: it is scored on the fit's seeds
    beside it (:class:`OutsideTrial`) and compared as if it were one of its trials (on the held-out seeds, or without
    them on the fit's). Returns
    the record written to ``calibration/params/<name>.toml``.
    """
    known, switches, documented, committed, base, fixed, moved = _war_base(name, free, pinned)
    pinned = {k: fixed[k] for k in pinned or {}}  # as the trials run them (a switch as 0 or 1)
    seed_list = replicate_seeds(root_seed, seeds)
    # A fit of the whole war scores the history up to 1994-05-12 and runs to the scenario's end (the end
    # of 1994), where whether the ceasefire held is judged (scoring.FIT_PATTERNS).
    fit_until = str(until) if until else str(CEASEFIRE_DATE)
    run_until = str(until) if until else None
    # With start files the committed set is tried last and never refined around (the incumbent), so that the
    # pattern search refines around the best of the starts rather than returning to the committed optimum at
    # once, while the held-out seeds still compare the kept set with it.

    def only_moved(values: dict[str, float]) -> dict[str, float]:
        return {k: values[k] for k in moved}

    starts = [only_moved(documented)] + ([only_moved(base)] if committed and not start_files else [])
    starts += [only_moved(on_or_off({**base, **start}, switches))
               for start in fresh_starts(name, start_files, study_dir, moved, list(pinned))]
    incumbent = only_moved(base) if committed and start_files else None
    basis = war_basis(name, seeds, root_seed, until, free, pinned)  # what the CLI checks before its progress bar
    check_resumable(name, basis, study_dir)  # after fresh_starts, which names a change of --free itself

    def run_specs(params: dict[str, float], seeds: list[int]) -> list[RunSpec]:
        return [RunSpec(seed=s, scenario=WAR_SCENARIO, until=run_until, params={**fixed, **params}, score=True,
                        fit_until=fit_until) for s in seeds]

    def specs(trial):
        return run_specs({k: trial.suggest_categorical(k, SWITCH_VALUES) if k in switches else
                          trial.suggest_float(k, float(known[k].low), float(known[k].high))
                          for k in moved}, seed_list)

    probes = {k: (float(known[k].low), float(known[k].high)) for k in moved} if refine else None
    study = _study(name, study_dir, sampler_seed, starts, specs, trials, jobs, progress, probes, incumbent=incumbent,
                   switches=switches, free=list(moved), basis=basis)
    held_seeds = holdout_seeds(root_seed, seeds, holdout)
    confirm_seeds = holdout_seeds(root_seed, seeds + holdout, confirm) if held_seeds else []
    elsewhere = {k: base[k] for k in pinned if committed and base[k] != pinned[k]}  # the committed set's own values
    own = {**only_moved(base), **elsewhere}  # the committed set, as a trial's parameters
    outside = [_outside_trial(own, run_specs, seed_list, jobs, stage)] if elsewhere else []
    chosen, said = choose_on_holdout(study, run_specs, held_seeds, jobs, committed=own if committed else None,
                                     root_seed=root_seed, confirm=confirm_seeds, stage=stage, extra=outside)
    if outside and not held_seeds and outside[0].value <= chosen.value:  # as if it were a trial: best on the fit seeds
        chosen = outside[0]
    values = {**fixed, **{k: float(v) for k, v in chosen.params.items()}}
    record = {
        "calibration": _record(name, chosen, study, fit_until, seed_list, root_seed,
                               list(moved), command, said, held_seeds, confirm_seeds, pinned),
        "params": {k: float(values[k]) for k in FREE_PARAMETERS},
    }
    PARAMS_DIR.mkdir(parents=True, exist_ok=True)
    write_calibrated(record, PARAMS_DIR / f"{name}.toml")
    return record


def calibrate_patrons(trials: int, jobs: int, seeds: int = 16, scenario: str = "historical_mixed",
                      name: str = "patrons", root_seed: int = 0, study_dir: Path = CALIBRATION_DIR / "studies",
                      sampler_seed: int = 0, progress=None, command: str = "", write: bool = True,
                      refine: bool = False, holdout: int = 0, confirm: int = 0, stage=None) -> dict:
    """Fit only the patrons' policy parameters (``[<patron>.policy_ranges]`` of data/patrons.toml) in
    ``scenario`` (patrons in mixed mode), the war's parameters as the scenario has them; same loss and
    study as :func:`calibrate`. A fresh study first tries the documented policy, then the committed fit of
    this name (after a refit of the war's parameters), so it never ends worse than either on these seeds. Writes the fitted values to ``calibration/params/<name>.toml`` ([policy.<patron>]),
    which a scenario uses through ``patron_calibration``. ``holdout``, ``confirm``, ``stage``: as for :func:`calibrate`."""
    if root_seed == VALIDATION_ROOT_SEED:
        raise InputError("karabakh calibrate --patrons", "--seed", f"{root_seed} is the root of the validation "
                                                                   "seeds; fit on other seeds (default 0)")
    basis = patron_basis(seeds, scenario, root_seed)
    check_resumable(name, basis, study_dir)
    patrons = load_patrons()
    ranges = {(p, k): r for p, c in patrons.items() for k, r in c.policy_ranges.items()}
    seed_list = replicate_seeds(root_seed, seeds)
    documented = {f"{p}.{k}": float(patrons[p].policy[k]) for p, k in ranges}
    committed = load_calibrated(name).get("policy", {})  # a refit starts from the last fit too
    starts = [documented] + ([{f"{p}.{k}": min(max(float(committed.get(p, {}).get(k, v)), float(ranges[p, k][0])),
                                                float(ranges[p, k][1]))
                               for (p, k), v in zip(ranges, documented.values())}] if committed else [])

    def run_specs(values: dict[str, float], seeds: list[int]) -> list[RunSpec]:
        policy = _nested({(p, k): values[f"{p}.{k}"] for p, k in ranges})
        return [RunSpec(seed=s, scenario=scenario, until=None, params={}, score=True, fit_until=str(CEASEFIRE_DATE),
                        patron_policy=policy) for s in seeds]

    def specs(trial):
        return run_specs({f"{p}.{k}": trial.suggest_float(f"{p}.{k}", *map(float, r)) for (p, k), r in ranges.items()},
                         seed_list)

    probes = {f"{p}.{k}": tuple(map(float, r)) for (p, k), r in ranges.items()} if refine else None
    study = _study(name, study_dir, sampler_seed, starts, specs, trials, jobs, progress, probes, basis=basis)
    held_seeds = holdout_seeds(root_seed, seeds, holdout)
    confirm_seeds = holdout_seeds(root_seed, seeds + holdout, confirm) if held_seeds else []
    chosen, held = choose_on_holdout(study, run_specs, held_seeds, jobs, committed=starts[1] if committed else None,
                                     root_seed=root_seed, confirm=confirm_seeds, stage=stage)
    record = {
        "calibration": {**_record(name, chosen, study, str(CEASEFIRE_DATE), seed_list, root_seed,
                                  [f"{p}.{k}" for p, k in ranges], command, held, held_seeds, confirm_seeds),
                        "scenario": scenario},
        "policy": _nested({(p, k): float(chosen.params[f"{p}.{k}"]) for p, k in ranges}),
    }
    if write:
        PARAMS_DIR.mkdir(parents=True, exist_ok=True)
        write_calibrated(record, PARAMS_DIR / f"{name}.toml")
    return record


def _nested(values: dict[tuple[str, str], float]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for (p, k), v in values.items():
        out.setdefault(p, {})[k] = v
    return out


def _study(name, study_dir: Path, sampler_seed: int, starts: list[dict], specs, trials: int, jobs: int, progress,
           probe_ranges: dict[str, tuple[float, float]] | None = None, incumbent: dict | None = None,
           switches=frozenset(), free: list[str] | None = None, basis: dict | None = None):
    """Run (or resume) the optuna study ``name``: a fresh study first tries ``starts`` (then ``incumbent``, a
    start the pattern search never refines around) and keeps ``free``, the parameters it fits (checked on resuming
    by :func:`fresh_starts`), and ``basis``, what its trials are scored on (:func:`check_resumable`); each trial's runs (``specs(trial)``) are scored by the
    median loss; with ``probe_ranges`` (parameter -> (low, high)), the pattern search of
    :func:`enqueue_probes` takes two of every three trials. Returns the study."""
    import optuna  # heavy and optional (the 'calibrate' extra)

    study_dir.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name=name, storage=f"sqlite:///{study_dir / (name + '.db')}",
                                load_if_exists=True, direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=sampler_seed))
    if len(study.trials) == 0:  # start from the documented values (and the committed fit of this name)
        if free is not None:
            study.set_user_attr("free_parameters", free)
        if basis is not None:
            study.set_user_attr("basis", basis)
        for start in starts:
            study.enqueue_trial(start, user_attrs={"start": True})
        if incumbent is not None:
            study.enqueue_trial(incumbent, user_attrs={"start": True, "incumbent": True})

    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        def objective(trial):
            table = run_many(specs(trial), executor=pool)
            if (table["error"] != "").any():
                raise optuna.TrialPruned(table.loc[table["error"] != "", "error"].iat[0])
            for col, value in fit_components(table).items():
                trial.set_user_attr(col, value)
            return objective_value(table)

        done = len([t for t in study.trials if t.state.is_finished()])
        if progress and done:  # a resumed study: the bar starts at the trials already finished
            progress(min(done, trials))
        for _ in range(max(trials - done, 0)):
            if probe_ranges:
                enqueue_probes(study, probe_ranges, switches)
            study.optimize(objective, n_trials=1)
            if progress:
                progress(1)
    return study


def fit_components(table) -> dict[str, float]:
    """The parts of a trial's objective kept with it (``fit_*``: medians over its seeds, and the shares' miss)."""
    return {**{col: float(table[col].median()) for col in ("fit_capture_months", "fit_state", "fit_casualties_miss",
                                                            "fit_displaced_miss", "fit_forces_miss",
                                                            "fit_patterns_miss", "fit_capture_days_major")},
            "fit_share_miss": share_miss(table)}


@dataclass(frozen=True)
class OutsideTrial:
    """The committed set where a fit pins some parameters elsewhere (``--set``): not a point of the study, but a
    candidate on the held-out seeds like its trials (:func:`choose_on_holdout`), with a score on the fit's seeds; the
    trial number -1 says it is no trial of the study."""
    params: dict
    value: float
    user_attrs: dict
    number: int = -1


def _outside_trial(params: dict[str, float], run_specs, seeds: list[int], jobs: int, stage=None) -> OutsideTrial:
    """The committed set (``params``: what the study moves and its own values of those the study pins) scored on the fit's
    ``seeds`` (``stage``: as in :func:`choose_on_holdout`)."""
    progress = stage(f"the committed set ({len(seeds)} fit seeds)", len(seeds)) if stage else None
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        table = run_many(run_specs(dict(params), seeds), executor=pool, progress=progress)
    if (table["error"] != "").any():
        return OutsideTrial(dict(params), float("inf"), {})
    return OutsideTrial(dict(params), objective_value(table), fit_components(table))


def holdout_seeds(root_seed: int, seeds: int, holdout: int) -> list[int]:
    """``holdout`` seeds spawned from the fit's root after its ``seeds`` fitting seeds: never among them
    (:func:`replicate_seeds` spawns children in order), and not the validation seeds (another root)."""
    return replicate_seeds(root_seed, seeds + holdout)[seeds:] if holdout > 0 else []


def choose_on_holdout(study, run_specs, seeds: list[int], jobs: int, top: int = HOLDOUT_TOP,
                      committed: dict[str, float] | None = None, root_seed: int = 0,
                      confirm: Sequence[int] = (), stage=None, extra: Sequence[OutsideTrial] = ()) -> tuple:
    """The trial to keep, and what the held-out seeds said (a list of {trial, score, holdout}; the committed
    set's entry marked ``committed``, the best's ``se_vs_committed``; empty without ``seeds``, when the study's
    best trial is kept). The candidates are the ``top`` best trials and the study's start trials (the documented
    values, the committed set — with ``--start`` points, tried as the incumbent — and those points). The best on
    the held-out seeds is kept only if it beats the ``committed`` set (its parameter values; a trial of the study)
    there by at least ``KEEP_MARGIN_SE`` bootstrap standard errors of the difference (seeds resampled together,
    generator spawned from ``root_seed``); otherwise the committed set is kept. With ``confirm`` seeds (a second set
    that chose nothing either), a trial that passed that rule is scored on them beside the committed set and kept only
    if it beats it there by the same margin too (its entry's ``confirm`` and ``se_confirm``, the committed set's
    ``confirm``): the rule above picks the best of several candidates on one set of seeds, so part of its lead is that
    set's noise (stop 56: the best of seven led by 2.1 standard errors on 500 held-out seeds and by 0.7 on 2,000
    fresh ones, behind on four of six validation roots; calibration/README.md). ``extra``: candidates that are no
    trial of the study (the committed set of a fit that pins parameters elsewhere). ``stage(description, runs)``, if
    given, starts a progress bar for each of the two steps and returns its update function (one call per run).

    Why: the best of hundreds of trials scored on the same 32 seeds is partly the best of their noise;
    a refit of stop 24 reached 8.93 on its seeds against 9.37 for the set it replaced, and was worse on
    100 fresh seeds (10.26 against 9.82). Scoring the ``top`` best trials again on seeds that chose
    nothing, and keeping the best there, keeps a trial whose score does not rest on its seeds alone;
    its own fit score stays the one reported (reproducible on the fit's seeds)."""
    if not seeds:
        return study.best_trial, []
    done = [t for t in study.trials if t.value is not None]
    candidates, seen, effects = [], set(), set()

    def add(t) -> None:  # distinct parameter sets only
        key = tuple(sorted(t.params.items()))
        if key not in seen:
            seen.add(key)
            candidates.append(t)

    for t in sorted(done, key=lambda t: t.value):
        if len(candidates) == top:
            break
        # ... and of the best, distinct effects only: trials that differ in a parameter that changed nothing score
        # the same to the bit on every component (stop 45: three of the five best differed only in
        # dismissal_loyalty_loss, and cost 600 held-out runs)
        effect = (t.value, tuple(sorted((k, None if v != v else v)  # NaN (a component not scored) equals itself
                                        for k, v in t.user_attrs.items() if k.startswith("fit_"))))
        if effect not in effects:
            effects.add(effect)
            add(t)
    for t in [*(t for t in done if t.user_attrs.get("start")), *extra]:
        add(t)
    held, tables = [], []
    progress = stage(f"held out ({len(candidates)} sets)", len(candidates) * len(seeds)) if stage else None
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        for t in candidates:
            table = run_many(run_specs(dict(t.params), seeds), executor=pool, progress=progress)
            ok = (table["error"] == "").all()
            held.append({"trial": t.number, "score": float(t.value),
                         "holdout": objective_value(table) if ok else float("inf")})
            tables.append(table if ok else None)
    best = min(range(len(candidates)), key=lambda i: (held[i]["holdout"], held[i]["score"]))
    inc = next((i for i, t in enumerate(candidates) if committed is not None and _same(t.params, committed)), None)
    if inc is not None:
        held[inc]["committed"] = True
        if inc != best and tables[inc] is not None:
            se = objective_difference_se(tables[inc], tables[best], root_seed)
            held[best]["se_vs_committed"] = se
            if held[inc]["holdout"] - held[best]["holdout"] < KEEP_MARGIN_SE * se:
                best = inc
            elif confirm and not _confirmed(candidates[best], candidates[inc], held[best], held[inc], run_specs,
                                            list(confirm), jobs, root_seed, stage):
                best = inc
    return candidates[best], held


def _confirmed(trial, incumbent, entry: dict, incumbent_entry: dict, run_specs, seeds: list[int], jobs: int,
               root_seed: int, stage=None) -> bool:
    """Whether ``trial`` beats ``incumbent`` (the committed set) on the fresh ``seeds`` by ``KEEP_MARGIN_SE`` bootstrap
    standard errors of the difference; records both objectives there (``confirm``) and that error (``se_confirm``) in
    their entries of :func:`choose_on_holdout`'s list (``stage``: as there)."""
    progress = stage("confirmation (2 sets)", 2 * len(seeds)) if stage else None
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        tables = [run_many(run_specs(dict(t.params), seeds), executor=pool, progress=progress)
                  for t in (incumbent, trial)]
    failed = [who for who, table in zip(("committed", "candidate"), tables) if not (table["error"] == "").all()]
    if failed:  # not confirmed: a set whose runs fail there is not shown to be better
        entry["confirm_failed"] = " and ".join(failed)
        return False
    incumbent_entry["confirm"], entry["confirm"] = (objective_value(table) for table in tables)
    se = entry["se_confirm"] = objective_difference_se(tables[0], tables[1], root_seed)
    return incumbent_entry["confirm"] - entry["confirm"] >= KEEP_MARGIN_SE * se


def _same(params: dict[str, float], values: dict[str, float]) -> bool:
    """Whether a trial's parameters are ``values`` (the keys of ``values``; as stored, up to rounding)."""
    return all(k in params and abs(float(params[k]) - float(v)) <= 1e-12 * max(1.0, abs(float(v)))
               for k, v in values.items())


def _record(name: str, chosen, study, fit_until: str, seed_list: list[int], root_seed: int, free: list[str],
            command: str, held: list[dict] | None = None, held_seeds: list[int] | None = None,
            confirm_seeds: list[int] | None = None, pinned: dict[str, float] | None = None) -> dict:
    """The [calibration] table of a fitted set: what was fitted, how, on which seeds, what the study pinned at values
    of its own (``pinned``; :func:`pinned_values`: its trials' values, which the written set has unless it is the
    committed set) and, with held-out seeds, how the kept trial was chosen (``best_trial`` is the trial kept, -1 the
    committed set where it was no trial of the study)."""
    return {"name": name, "date": dt.date.today().isoformat(), "score": chosen.value,
            "score_components": {k.removeprefix("fit_"): v for k, v in chosen.user_attrs.items() if k.startswith("fit_")},
            "score_definition": "median over the seeds of the loss in model/experiments/scoring.py (capture months + "
                                f"{W_STATE} x state + {W_CASUALTIES} x (casualties miss + displaced miss + forces miss) + {W_PATTERNS} x patterns missed), plus {W_SHARES} x the distance of the shares of seeds showing each pattern from their target ranges (scoring.share_miss)",
            "fit_until": fit_until, "seeds": seed_list, "root_seed": root_seed, "trials": sum(t.state.is_finished() for t in study.trials),
            "best_trial": chosen.number, "data_version": data_version(), "free_parameters": free, "command": command,
            **({"pinned": dict(pinned)} if pinned else {}),
            **({"holdout_seeds": held_seeds, "holdout": held} if held else {}),
            **({"confirm_seeds": confirm_seeds} if any("confirm" in h or "confirm_failed" in h for h in held or [])
               else {})}


def enqueue_probes(study, ranges: dict[str, tuple[float, float]], switches=frozenset()) -> None:
    """Queue the next pair of pattern-search probes, unless trials are already waiting or the last two
    trials were probes (then the sampler has its turn).

    Probe pair k moves parameter k mod P of the best trial so far up and down by a step of
    ``PROBE_STEP`` of its range, halved after each full cycle over the P parameters (down to an
    eighth); a probe beyond a bound probes twice the step on the other side instead. A switch
    (``switches``) is probed once, at its other value (:data:`SWITCH_VALUES`). Everything
    follows from the study's own trials, so an interrupted study resumes the same search."""
    import optuna  # heavy and optional (the 'calibrate' extra)

    trials = study.get_trials(deepcopy=False)
    if any(t.state == optuna.trial.TrialState.WAITING for t in trials):
        return
    trailing = 0
    for t in reversed(trials):
        if "probe" not in t.user_attrs:
            break
        trailing += 1
    if trailing >= 2 or not any(t.state == optuna.trial.TrialState.COMPLETE for t in trials):
        return
    names = list(ranges)
    numbered = [t.user_attrs["probe_pair"] for t in trials if "probe_pair" in t.user_attrs]
    pair = max(numbered) + 1 if numbered else sum("probe" in t.user_attrs for t in trials) // 2
    name = names[pair % len(names)]
    low, high = ranges[name]
    step = PROBE_STEP * 0.5 ** min(pair // len(names), 3) * (high - low)
    # Around the best trial so far, the incumbent (a committed set left out of a --start study) aside.
    own = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE and not t.user_attrs.get("incumbent")]
    best = dict(min(own, key=lambda t: t.value).params if own else study.best_trial.params)
    if name in switches:
        values = [SWITCH_VALUES[0] if best[name] > 0 else SWITCH_VALUES[1]]
    else:
        values = []
        for sign in (1.0, -1.0):
            value = best[name] + sign * step
            values.append(value if low <= value <= high else min(max(best[name] - 2.0 * sign * step, low), high))
    for value in values:
        study.enqueue_trial({**best, name: value},
                            user_attrs={"probe": f"{name} {value - best[name]:+.4g}", "probe_pair": pair})


def write_calibrated(record: dict, path: Path) -> None:
    """Write a parameter set (or a patron policy) as TOML (atomically)."""
    c = record["calibration"]
    lines = ["# Calibrated parameters of karabakh-abm, written by `karabakh calibrate`; do not edit by hand.",
             "# Re-run the command below to reproduce; `karabakh validate` scores them.", "", "[calibration]"]
    for k, v in c.items():
        lines.append(f"{k} = {_toml(v)}")
    if "params" in record:
        lines += ["", "[params]"] + [f"{k} = {v!r}" for k, v in record["params"].items()]
    for patron, values in record.get("policy", {}).items():  # a fitted patron policy (calibrate_patrons)
        lines += ["", f"[policy.{patron}]"] + [f"{k} = {v!r}" for k, v in values.items()]
    with atomic_file(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n")


def _toml(v) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return repr(float(v)) if isinstance(v, float) else str(v)
