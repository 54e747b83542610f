"""Calibration to the documented 1992-1994 territorial changes: data, fit metric, baselines.

The documented history lives in ``calibration/timeline.csv`` (each change of control
with date, precision, share after, source) and ``calibration/targets.toml``
(aggregate targets as ranges). From the timeline we build a *documented path*: the
arm side's share of each district is an interval [low, high] that starts at the
1991-12-01 value of ``model/data/districts.csv`` and jumps at each documented change.
Holders follow from the path's midpoint with the model's own rule (the side that
does not hold a district takes it when its share reaches ``capture_share``).

The loss (lower is better; ``docs/ODD.md`` §9 and ``calibration/README.md``):

* **capture** — for each documented change of holder, the days between it and the
  simulated change of holder of that district to the same side nearest to it within
  ±365 days, in months (30 days), capped at 12 months (also when it never happens);
  averaged over documented changes;
* **state** — at the end of every quarter (and 1994-05-12), how far each district's
  simulated share lies outside the documented interval, averaged over districts and
  checkpoints (0 = always inside);
* **casualties** — how far each side's casualties lie outside the documented range,
  relative to the nearer bound, capped at 1, averaged over the sides (only when the fit
  window reaches 1994-05-12).

``loss = capture + W_STATE · state + W_CASUALTIES · casualties``. Baselines — the same
metric for *persistence* (nothing ever changes) and *everything at once* (the final
documented state from the first day) — are always reported beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, read_csv_columns
from .model import CEASEFIRE_DATE

CALIBRATION_DIR = Path(__file__).resolve().parent.parent / "calibration"
TIMELINE = CALIBRATION_DIR / "timeline.csv"
TARGETS = CALIBRATION_DIR / "targets.toml"
PARAMS_DIR = CALIBRATION_DIR / "params"
START = dt.date(1991, 12, 1)
CEASEFIRE = CEASEFIRE_DATE
W_STATE, W_CASUALTIES = 10.0, 2.0
"""Weights: a state error of 0.1 (10 % of a district outside its interval on average) counts as much
as a month of capture-date error; missing the casualty ranges by 50 % counts as a month."""
CAP_MONTHS, WINDOW_DAYS = 12.0, 365
MIN_JUMP = 0.3
"""Documented changes smaller than this share (e.g. single villages of an exclave) are not holder changes."""
COLUMNS = ("district", "date", "date_precision", "from_side", "to_side", "arm_share_after_low",
           "arm_share_after_high", "event", "operation", "source", "confidence", "note")
MAJOR = ("askeran", "shusha", "lachin", "kalbajar", "aghdam", "fuzuli", "jabrayil", "qubadli", "zangilan",
         "shahumyan", "mardakert")
"""Districts of the major documented captures (Khojaly is in Askeran) and the 1992 Azerbaijani gains."""


@cache
def load_timeline(path: Path = TIMELINE) -> pd.DataFrame:
    """The documented changes of control, validated (errors name the row and column)."""
    from .world import load_world

    df = read_csv_columns(path, COLUMNS)
    keys = set(load_world().keys)
    out = df.astype(object)  # pandas 3 string columns reject dates and floats
    for i, row in df.iterrows():
        where = f"row {i + 2}"
        if row["district"] not in keys:
            raise InputError(path, f"{where}, column 'district'", f"unknown district {row['district']!r}")
        try:
            day = dt.date.fromisoformat(row["date"])
        except ValueError:
            raise InputError(path, f"{where}, column 'date'", f"expected YYYY-MM-DD, got {row['date']!r}") from None
        if not START <= day <= CEASEFIRE:
            raise InputError(path, f"{where}, column 'date'", f"{day} outside {START}..{CEASEFIRE}")
        for col in ("from_side", "to_side"):
            if row[col] not in ("aze", "arm"):
                raise InputError(path, f"{where}, column '{col}'", f"{row[col]!r} is not 'aze' or 'arm'")
        if row["date_precision"] not in ("day", "week", "month", "season"):
            raise InputError(path, f"{where}, column 'date_precision'", "expected day, week, month or season")
        try:
            lo, hi = float(row["arm_share_after_low"]), float(row["arm_share_after_high"])
        except ValueError:
            raise InputError(path, f"{where}, column 'arm_share_after_low'", "expected numbers in [0, 1]") from None
        if not 0 <= lo <= hi <= 1:
            raise InputError(path, f"{where}, column 'arm_share_after_high'", f"need 0 <= low <= high <= 1, got {lo}..{hi}")
        if not row["source"].strip():
            raise InputError(path, f"{where}, column 'source'", "empty: every documented change needs a source")
        out.at[i, "date"] = day
    out["arm_share_after_low"] = out["arm_share_after_low"].astype(float)
    out["arm_share_after_high"] = out["arm_share_after_high"].astype(float)
    return out.sort_values("date", kind="stable").reset_index(drop=True)


@cache
def load_targets(path: Path = TARGETS) -> dict[str, dict]:
    """Aggregate targets: each a table with low, high, unit, source."""
    if not Path(path).exists():
        raise InputError(path, "file", "not found")
    try:
        raw = tomllib.loads(Path(path).read_text())
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, "file", f"not valid TOML ({exc})") from exc
    for key, t in raw.items():
        missing = [k for k in ("low", "high", "unit", "source") if k not in t]
        if missing:
            raise InputError(path, f"[{key}]", f"missing {missing}")
    return raw


def data_version() -> str:
    """Hash of the calibration data files (recorded with every calibrated parameter set)."""
    h = hashlib.sha256()
    for p in (TIMELINE, TARGETS):
        h.update(Path(p).read_bytes())
    return "sha256:" + h.hexdigest()[:16]


@dataclass(frozen=True)
class Documented:
    """The documented path on the model's calendar: per day and district, the arm share interval."""

    low: np.ndarray  # (days, N)
    high: np.ndarray  # (days, N)
    changes: pd.DataFrame  # documented changes of holder: district, node, day, to_side


def documented(world, n_days: int, timeline: pd.DataFrame | None = None, capture_share: float = 0.6) -> Documented:
    """Build the documented share intervals and the documented changes of holder."""
    timeline = load_timeline() if timeline is None else timeline
    n = world.n
    start = world.arm_share_start
    low = np.tile(start, (n_days, 1)).astype(float)
    high = low.copy()
    for row in timeline.itertuples(index=False):
        day = (row.date - START).days
        if day >= n_days:
            continue
        v = world.index[row.district]
        low[day:, v] = row.arm_share_after_low
        high[day:, v] = row.arm_share_after_high
    mid = (low + high) / 2
    changes = []
    for v in range(n):
        path = mid[:, v]
        if np.abs(np.diff(path)).max(initial=0) < MIN_JUMP and abs(path[-1] - path[0]) < MIN_JUMP:
            continue
        for day, to in holder_changes(path, world.districts["side_start"].iat[v] == "arm", capture_share):
            changes.append({"district": world.keys[v], "node": v, "day": day, "to_side": to})
    return Documented(low=low, high=high, changes=pd.DataFrame(changes, columns=["district", "node", "day", "to_side"]))


def holder_changes(share: np.ndarray, held_by_arm: bool, capture_share: float) -> list[tuple[int, str]]:
    """Days on which the holder of one district changes, with the model's hysteresis rule."""
    out = []
    held = held_by_arm
    for day, s in enumerate(share):
        now = (s > 1.0 - capture_share) if held else (s >= capture_share)
        if now != held:
            out.append((day, "arm" if now else "aze"))
            held = now
    return out


def state_nodes(world) -> list[int]:
    """Districts whose documented state is scored: those in the timeline, except exclave changes in
    Armenia and Nakhchivan that the district-level model cannot represent."""
    return sorted({world.index[d] for d in load_timeline()["district"]
                   if world.districts["region"].iat[world.index[d]] not in ("armenia", "nakhchivan")})


def score(share_history: np.ndarray, world, doc: Documented, casualties: np.ndarray | None = None,
          fit_days: int | None = None, from_day: int = 0, capture_share: float = 0.6) -> dict[str, float]:
    """The loss and its components for one trajectory of arm shares (days × districts).

    Only documented changes and checkpoints in ``[from_day, fit_days)`` count (in-sample fits
    stop at ``fit_days``; out-of-sample validation starts at ``from_day``). ``casualties``
    (aze, arm) enter only when the window reaches 1994-05-12.
    """
    days = min(len(share_history), len(doc.low), fit_days or len(share_history))
    h = share_history[:days]
    scored = doc.changes[(doc.changes["day"] >= from_day) & (doc.changes["day"] < days)]
    errors = []
    for ch in scored.itertuples(index=False):
        starts_arm = world.districts["side_start"].iat[ch.node] == "arm"
        sim = [d for d, to in holder_changes(h[:, ch.node], starts_arm, capture_share)
               if to == ch.to_side and abs(d - ch.day) <= WINDOW_DAYS]
        errors.append(min(min(abs(d - ch.day) for d in sim) / 30.0, CAP_MONTHS) if sim else CAP_MONTHS)
    capture = float(np.mean(errors)) if errors else 0.0
    nodes = state_nodes(world)
    checkpoints = [d for d in checkpoint_days() if from_day <= d < days]
    state = 0.0
    if checkpoints and nodes:
        x = h[checkpoints][:, nodes]
        lo, hi = doc.low[checkpoints][:, nodes], doc.high[checkpoints][:, nodes]
        state = float(np.mean(np.maximum(lo - x, 0.0) + np.maximum(x - hi, 0.0)))
    cas = 0.0
    if casualties is not None and days > (CEASEFIRE - START).days:
        t = load_targets()
        misses = []
        for s, key in enumerate(("casualties_aze", "casualties_arm")):
            lo_t, hi_t = float(t[key]["low"]), float(t[key]["high"])
            c = float(casualties[s])
            misses.append(min(1.0, max((lo_t - c) / lo_t, (c - hi_t) / hi_t, 0.0)))
        cas = float(np.mean(misses))
    major = [e for e, ch in zip(errors, scored.itertuples(index=False)) if ch.district in MAJOR]
    return {"loss": capture + W_STATE * state + W_CASUALTIES * cas, "capture_months": capture, "state": state,
            "casualties_miss": cas if casualties is not None else float("nan"), "capture_days_major": float(np.mean(major) * 30.0) if major else float("nan"),
            "changes_scored": len(errors)}


def checkpoint_days() -> list[int]:
    """End of every quarter from March 1992, and the ceasefire date (day indices)."""
    out = []
    for year in (1992, 1993, 1994):
        for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
            d = dt.date(year, month, day)
            if d < CEASEFIRE:
                out.append((d - START).days)
    out.append((CEASEFIRE - START).days)
    return out


def baselines(world, doc: Documented, fit_days: int | None = None, from_day: int = 0,
              capture_share: float = 0.6) -> dict[str, dict[str, float]]:
    """Persistence (nothing ever changes) and everything-at-once (the final documented state from
    the first day on), scored like a run."""
    n_days = len(doc.low)
    mid = (doc.low + doc.high) / 2
    persistence = np.tile(world.arm_share_start, (n_days, 1))
    at_once = np.tile(mid[min((CEASEFIRE - START).days, n_days - 1)], (n_days, 1))
    at_once[0] = world.arm_share_start
    return {name: score(traj, world, doc, None, fit_days, from_day, capture_share)
            for name, traj in (("persistence", persistence), ("everything_at_once", at_once))}


def score_model(model, fit_until: dt.date | None = None, from_date: dt.date | None = None) -> dict[str, float]:
    """Score a finished run of the historical scenario (optionally only up to / from a date)."""
    n_days = (CEASEFIRE - START).days + 1
    doc = documented(model.world, n_days, capture_share=model.p["capture_share"])
    fit_days = (fit_until - START).days + 1 if fit_until else None
    from_day = (from_date - START).days if from_date else 0
    return score(model.control_history[: model.day + 1], model.world, doc, model.casualties, fit_days, from_day,
                 model.p["capture_share"])


# --------------------------------------------------------------------------- parameter sets
def load_calibrated(name: str = "default") -> dict:
    """A committed calibrated parameter set (``calibration/params/<name>.toml``), or {} if absent."""
    path = PARAMS_DIR / f"{name}.toml"
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, "file", f"not valid TOML ({exc})") from exc


FREE_PARAMETERS = ("training_effect", "attrition_rate", "breakthrough_ratio", "breakthrough_steepness",
                   "advance_per_day", "breakthrough_advance", "militia_home_defense_factor", "attack_ratio_threshold",
                   "recruits_per_day_aze", "recruits_per_day_arm", "recruits_per_day_nk")
"""Parameters fitted by ``karabakh calibrate`` within their documented ranges (data/parameters.toml);
all others stay at their documented values. Regime-politics parameters are deliberately not fitted:
the loss measures territory and casualties, and fitting loyalty to them pushed coups onto the
winning side (no coup was attempted in Armenia or Nagorno-Karabakh)."""


def calibrate(trials: int, jobs: int, seeds: int = 6, until: dt.date | None = None, name: str = "default",
              root_seed: int = 0, study_dir: Path = CALIBRATION_DIR / "studies", sampler_seed: int = 0,
              progress=None, command: str = "") -> dict:
    """Fit FREE_PARAMETERS with optuna (TPE), each trial scored on the same ``seeds`` seeds.

    The study lives in ``study_dir/<name>.db`` (SQLite), so an interrupted calibration resumes
    where it stopped. Returns the record written to ``calibration/params/<name>.toml``.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import optuna

    from .experiments import RunSpec, replicate_seeds, run_many
    from .params import load_parameters

    known = load_parameters()
    seed_list = replicate_seeds(root_seed, seeds)
    study_dir.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name=name, storage=f"sqlite:///{study_dir / (name + '.db')}",
                                load_if_exists=True, direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=sampler_seed))
    fit_until = str(until) if until else None
    run_until = str(until) if until else str(CEASEFIRE)
    if len(study.trials) == 0:  # start from the documented values
        study.enqueue_trial({k: float(known[k].value) for k in FREE_PARAMETERS})

    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        def objective(trial):
            params = {k: trial.suggest_float(k, float(known[k].low), float(known[k].high)) for k in FREE_PARAMETERS}
            specs = [RunSpec(seed=s, until=run_until, params=params, score=True, fit_until=fit_until) for s in seed_list]
            table = run_many(specs, executor=pool)
            if (table["error"] != "").any():
                raise optuna.TrialPruned(table.loc[table["error"] != "", "error"].iat[0])
            for col in ("fit_capture_months", "fit_state", "fit_casualties_miss", "fit_capture_days_major"):
                trial.set_user_attr(col, float(table[col].median()))
            return float(table["fit_loss"].median())

        done = len([t for t in study.trials if t.state.is_finished()])
        for _ in range(max(trials - done, 0)):
            study.optimize(objective, n_trials=1)
            if progress:
                progress(1)
    best = study.best_trial
    record = {
        "calibration": {
            "name": name, "date": dt.date.today().isoformat(), "score": best.value,
            "score_components": {k.removeprefix("fit_"): v for k, v in best.user_attrs.items()},
            "score_definition": "median over the seeds of the loss in model/calibration.py (capture months + "
                                f"{W_STATE} x state + {W_CASUALTIES} x casualties miss)",
            "fit_until": fit_until or str(CEASEFIRE), "seeds": seed_list, "root_seed": root_seed,
            "trials": len(study.trials), "best_trial": best.number, "data_version": data_version(),
            "free_parameters": list(FREE_PARAMETERS), "command": command,
        },
        "params": {k: float(best.params[k]) for k in FREE_PARAMETERS},
    }
    PARAMS_DIR.mkdir(parents=True, exist_ok=True)
    write_calibrated(record, PARAMS_DIR / f"{name}.toml")
    return record


def write_calibrated(record: dict, path: Path) -> None:
    """Write a parameter set as TOML (atomically)."""
    import os

    c = record["calibration"]
    lines = ["# Calibrated parameters of karabakh-abm, written by `karabakh calibrate`; do not edit by hand.",
             "# Re-run the command below to reproduce; `karabakh validate` scores them.", "", "[calibration]"]
    for k, v in c.items():
        lines.append(f"{k} = {_toml(v)}")
    lines += ["", "[params]"] + [f"{k} = {v!r}" for k, v in record["params"].items()]
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text("\n".join(lines) + "\n")
    os.replace(tmp, path)


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
