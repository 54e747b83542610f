"""The validation score card: the calibrated historical scenario against the documented history.

``karabakh validate`` runs the historical scenario over many seeds and reports, for the
loss of :mod:`model.calibration` and each of its components, the median and the 10-90 %
spread over seeds, beside the naive baselines (persistence; everything at once); the
documented targets (area at the ceasefire, casualties, displaced persons) against the
simulated ranges; and each district's first simulated change of holder against the
documented date. If the parameter set was fitted only up to a date, the history after
it is scored separately (out-of-sample).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

import matplotlib.pyplot as plt

from ..errors import InputError
from ..inputs.calibrated import load_calibrated
from ..inputs.history import (CEASEFIRE_DATE, DISPLACED_COUNTS, POWER_PATHS, START, front_sides, load_changes_of_power,
                              load_targets)
from ..inputs.locations import PARAMS_DIR
from ..inputs.params import checked, resolve
from ..inputs.world import SIDES, World, load_world
from ..model import KarabakhWar
from ..outputs.numbers import readable
from ..outputs.plots import finish, finish_districts
from .runner import RunSpec, replicate_seeds, run_many
from .scoring import (CEASEFIRE_OUTCOMES, REVERSAL_DAYS, W_SHARES, Documented, baselines, changes_undone, documented,
                      first_documented_changes, objective_value, share_miss)

METRICS = (("loss", "loss (lower is better)"), ("capture_months", "capture-date error, months (all documented changes)"),
           ("capture_days_major", "capture-date error, days (major captures)"), ("state", "state error at checkpoints (share)"),
           ("casualties_miss", "casualties outside documented range (relative)"),
           ("displaced_miss", "displaced persons outside documented range (relative)"),
           ("forces_miss", "personnel in service, and the aze side's at the front, outside range (relative)"),
           ("patterns_miss", "documented patterns missed (share)"))


def _spread(x) -> dict[str, float]:
    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if not len(x):
        return {"median": float("nan"), "p10": float("nan"), "p90": float("nan")}
    return {"median": float(np.median(x)), "p10": float(np.quantile(x, 0.1)), "p90": float(np.quantile(x, 0.9))}


VALIDATION_ROOT_SEED = 12345
"""Root of the seeds ``karabakh validate`` scores on; no fit uses them (calibration's root is 0)."""


BOOTSTRAP_RESAMPLES = 200
"""Resamples of the seeds behind the objective's standard error (:func:`objective_se`). Assumption: 200 put the
error itself within about 5 % (a standard error's relative error is about 1 / sqrt(2 x resamples))."""


def objective_se(table: pd.DataFrame, root_seed: int, resamples: int = BOOTSTRAP_RESAMPLES) -> float:
    """Bootstrap standard error of the objective (:func:`objective_value`) over the scored seeds: how far another
    set of as many seeds could move it. Why: the objective adds to a median loss the shares of seeds that show each
    pattern, and shares of 30-100 seeds are noisy; over four roots of 100 seeds stop 36's set scored 9.78-11.47
    (calibration/README.md, "Stop 37"), so two sets whose objectives differ by less than about twice this are not
    told apart by these seeds. Drawn from its own generator, spawned from the validation root: the runs' draws and
    the card's other numbers are untouched, and the same seeds give the same error."""
    if len(table) < 2:
        return float("nan")
    return _bootstrap_se(len(table), root_seed, 0xB007, lambda rows: objective_value(table.iloc[rows]), resamples)


def objective_difference_se(a: pd.DataFrame, b: pd.DataFrame, root_seed: int,
                            resamples: int = BOOTSTRAP_RESAMPLES) -> float:
    """Bootstrap standard error of the difference of two parameter sets' objectives, scored on the same seeds (row
    i of ``a`` and of ``b`` ran on the same seed; seeds resampled together). Why: whether a refit is better than the
    set it would replace is a question about this difference, and on the war's chaotic runs it is about as noisy as
    the two objectives together (calibration/README.md, "Stop 37"). Its own generator, spawned from ``root_seed``."""
    if len(a) != len(b):
        raise ValueError(f"paired tables of {len(a)} and {len(b)} runs")
    if len(a) < 2:
        return float("nan")
    return _bootstrap_se(len(a), root_seed, 0xB008,
                         lambda rows: objective_value(a.iloc[rows]) - objective_value(b.iloc[rows]), resamples)


def _bootstrap_se(n: int, root_seed: int, key: int, statistic, resamples: int) -> float:
    """Standard deviation of ``statistic(rows)`` over ``resamples`` draws of n rows with replacement, from a generator
    spawned from ``root_seed`` with ``key`` (the same seeds give the same error)."""
    rng = np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(key,)))
    picks = rng.integers(0, n, size=(resamples, n))
    return float(np.std([statistic(rows) for rows in picks], ddof=1))


def validate(runs: int, workers: int = 1, calibration: str | None = None, root_seed: int = VALIDATION_ROOT_SEED,
             progress=None, scenario: str = "historical", overrides: dict[str, float] | None = None
             ) -> tuple[dict, pd.DataFrame]:
    """Run and score; return the score card (a dict) and the per-run table. ``scenario``: the historical
    scenario or a variant of it to score against the same record (e.g. ``historical_mixed``);
    ``overrides``: parameters set on top of the parameter set (``karabakh validate --set``)."""

    params: dict[str, float] = {}
    record = {}
    overrides = {k: checked(k, v, "--set") for k, v in (overrides or {}).items()}  # bad values: one line, exit 2
    base = KarabakhWar(scenario, rng=0, until="1991-12-03", **overrides)  # bad input fails here, before any run
    if calibration:
        record = load_calibrated(calibration)
        if not record:
            raise InputError(PARAMS_DIR / f"{calibration}.toml", "file", "not found; run 'karabakh calibrate'")
        params = {k: float(v) for k, v in record["params"].items()}
        # The runs start from the scenario's own set; what the named set does not record (parameters added after it
        # was fitted) takes its documented value, not the scenario set's: a set fitted to the history up to mid-1993
        # must not borrow values fitted to all of it (the out-of-sample check).
        own = base.war_scenario.calibration
        if own and own != calibration:
            defaults = resolve()
            params = {**{k: defaults[k] for k in load_calibrated(own).get("params", {}) if k not in params}, **params}
    else:
        record = load_calibrated(base.war_scenario.calibration) if base.war_scenario.calibration else {}
    fit_until = record.get("calibration", {}).get("fit_until")
    oos_from = None
    if fit_until and dt.date.fromisoformat(fit_until) < CEASEFIRE_DATE:
        oos_from = str(dt.date.fromisoformat(fit_until) + dt.timedelta(days=1))
    # Runs go to the end of 1994 (whether the May 1994 ceasefire holds is a pattern); the fit metric
    # scores them up to 1994-05-12 only.
    params = {**params, **overrides}
    specs = [RunSpec(seed=s, scenario=scenario, until=None, params=params, score=True, fit_until=str(CEASEFIRE_DATE),
                     score_from=oos_from, series=True, patterns=True) for s in replicate_seeds(root_seed, runs)]
    table = run_many(specs, workers=workers, progress=progress)
    ok = table[table["error"] == ""]
    world = load_world()
    n_days = (CEASEFIRE_DATE - START).days + 1
    doc = documented(world, n_days)
    card: dict = {"scenario": base.war_scenario.name, "runs": len(table), "root_seed": root_seed, "failed": int((table["error"] != "").sum()),
                  "parameter_set": calibration or (record.get("calibration", {}).get("name") or "documented defaults"),
                  "overrides": overrides,
                  "fit_until": fit_until, "metrics": {}, "baselines": baselines(world, doc)}
    for key, _ in METRICS:
        card["metrics"][key] = _spread(ok[f"fit_{key}"])
    if oos_from:
        from_day = (dt.date.fromisoformat(oos_from) - START).days
        card["out_of_sample"] = {"from": oos_from, "metrics": {k: _spread(ok[f"oos_{k}"]) for k, _ in METRICS},
                                 "baselines": baselines(world, doc, from_day=from_day)}
    targets = load_targets()
    card["targets"] = {}
    # Each on 1994-05-12, as the loss scores it (runs go on to the end of 1994).
    for key, col in (("area_arm_held_azssr_1994_05_12", "arm_held_azssr_km2"), ("casualties_aze", "fit_casualties_aze"),
                     ("casualties_arm", "fit_casualties_arm"), ("displaced_aze", "fit_displaced_aze"),
                     ("displaced_arm", "fit_displaced_arm"), ("forces_aze", "personnel_aze"),
                     ("forces_arm", "personnel_arm"), *((f"front_{SIDES[s]}",) * 2 for s in front_sides())):
        sim = _spread(ok[col])
        lo, hi = float(targets[key]["low"]), float(targets[key]["high"])
        card["targets"][key] = {"documented": [lo, hi], "simulated": sim, "inside": bool(lo <= sim["median"] <= hi)}
        if key.startswith("displaced_"):  # which of the displaced the sources count (the loss counts the same)
            card["targets"][key]["counts"] = DISPLACED_COUNTS[targets[key]["counts"]]
    # The two flows of the displaced, so that each can be compared with what the sources say of it
    # (docs/notes/displacement_sources.md): from districts as they changed hands, and from shelling.
    card["displacement"] = _split(ok, "displaced", "displaced_front", "front", "captures")
    # Where each army bleeds: in its own attacks, or otherwise (holding its lines, shelled, cut off, truces).
    card["casualties_by_posture"] = _split(ok, "casualties", "casualties_attacking", "attacking", "holding")
    # Who breaks the truces (the ceasefire pattern fails when one breaks): per run, and the share of runs.
    card["ceasefires_broken"] = {side: {"per_run": float(ok[f"ceasefires_broken_{side}"].mean()),
                                        "share_of_runs": float((ok[f"ceasefires_broken_{side}"] > 0).mean())}
                                 for side in SIDES}
    # What became of the May 1994 ceasefire: why its pattern is missed (too early a peace, a broken truce, ...).
    outcome = ok["ceasefire_outcome"].value_counts(normalize=True)
    card["ceasefire_outcome"] = {key: float(outcome.get(key, 0.0)) for key in CEASEFIRE_OUTCOMES}
    card["changes_of_power"] = changes_of_power(ok["changes_of_power"], [g.key for g in base.governments])
    # What the fit minimises on these seeds: the median loss and how far the patterns' shares miss their targets.
    card["share_miss"] = share_miss(ok)
    card["objective"] = objective_value(ok)
    card["objective_se"] = objective_se(ok, root_seed)
    first_doc = first_documented_changes(doc).sort_index()  # the card lists districts by name
    card["capture_dates"] = {}
    for district, ch in first_doc.iterrows():
        sim = ok[f"capture_day_{district}"]
        outside = np.maximum(np.maximum(ch["day_low"] - sim, sim - ch["day_high"]), 0)  # days outside the window
        window = [str(START + dt.timedelta(days=int(ch[k]))) for k in ("day_low", "day_high")]
        card["capture_dates"][district] = {"documented": window[0] if window[0] == window[1] else f"{window[0]}..{window[1]}",
                                           "simulated_median": None if sim.isna().all() else
                                           str(START + dt.timedelta(days=int(sim.median()))),
                                           "changed_in_share_of_runs": float(sim.notna().mean()),
                                           "median_error_days": float(outside.median()) if sim.notna().any()
                                           else None}
    card["changes_of_holder"] = changes_of_holder(ok, doc, world)
    card["seed_variation"] = {"capture_day_std_days": float(np.nanmean([ok[f"capture_day_{d}"].std() for d in first_doc.index]))}
    card["patterns"] = {}
    for key, t in targets.items():
        if key.startswith("pattern_"):
            share = float(ok[key].astype(float).mean())
            card["patterns"][key] = {"what": t["unit"], "target": [float(t["low"]), float(t["high"])], "share": share,
                                     "met": bool(t["low"] <= share <= t["high"])}
    return card, table


def changes_of_holder(ok: pd.DataFrame, doc: Documented, world: World) -> dict:
    """How often the scored districts changed hands to 1994-05-12, and how many of those changes the other side
    undid within REVERSAL_DAYS: in the documented path (the same rule, :func:`scoring.holder_changes`) and per run
    (median and 10th-90th percentile; the share of runs with at least one undone)."""
    by_node = {v: list(zip(g["day"], g["to_side"])) for v, g in doc.changes.sort_values("day").groupby("node")}
    changes, undone = changes_undone(lambda v: by_node.get(v, []), world)
    return {"documented": {"changes": changes, "reversed": undone},
            "changes": _spread(ok["fit_changes_of_holder"]), "reversed": _spread(ok["fit_changes_reversed"]),
            "runs_with_reversal": float((ok["fit_changes_reversed"] > 0).mean()), "within_days": REVERSAL_DAYS}


def changes_of_power(runs: pd.Series, countries: list[str]) -> list[dict]:
    """Per country and path (resignation, uprising, coup): the documented changes of power
    (calibration/changes_of_power.csv), the share of runs with an attempt by that path and with a change of
    power by it, and the median date of the first change (of the first attempt where none succeeded). ``runs``:
    each run's (country, path, date, success) list, in order."""
    documented = load_changes_of_power()
    out = []
    for country in countries:
        for path in POWER_PATHS:
            doc = documented[(documented["country"] == country) & (documented["path"] == path)]["date"].tolist()
            tries = [[d for c, k, d, _ in run if c == country and k == path] for run in runs]
            wins = [[d for c, k, d, won in run if c == country and k == path and won] for run in runs]
            first = [w[0] for w in wins if w] or [t[0] for t in tries if t]
            out.append({"country": country, "path": path, "documented": doc,
                        "attempted": float(np.mean([bool(t) for t in tries])) if len(runs) else float("nan"),
                        "succeeded": float(np.mean([bool(w) for w in wins])) if len(runs) else float("nan"),
                        "first_median": _median_date(first) if first else None,
                        "first_of": "success" if any(wins) else "attempt"})
    return out


def _median_date(dates: list[str]) -> str:
    """The median of ISO dates, as the card's capture dates take it (days since the start, rounded down)."""
    days = [(dt.date.fromisoformat(d) - START).days for d in dates]
    return str(START + dt.timedelta(days=int(np.median(days))))


def card_markdown(card: dict) -> str:
    """The score card as Markdown."""
    num = readable

    b = card["baselines"]
    changed = ", ".join(f"{k} = {v:g}" for k, v in card.get("overrides", {}).items())
    lines = [f"# Validation score card — parameter set: {card['parameter_set']}" + (f", with {changed}" if changed else ""),
             "",
             f"{card['runs']} seeds (root {card.get('root_seed', VALIDATION_ROOT_SEED)}; {card['failed']} failed), {card.get('scenario', 'historical')} scenario to the end of "
             "1994, scored on the history to 1994-05-12; "
             f"fitted up to {card['fit_until'] or '–'}. Median [10th–90th percentile] over seeds.", "",
             "| metric | model | persistence | everything at once |", "|---|---|---|---|"]
    for key, label in METRICS:
        m = card["metrics"][key]
        lines.append(f"| {label} | {num(m['median'])} [{num(m['p10'])}–{num(m['p90'])}] | "
                     f"{num(b['persistence'][key])} | {num(b['everything_at_once'][key])} |")
    if "out_of_sample" in card:
        o = card["out_of_sample"]
        lines += ["", f"**Out of sample** (documented history from {o['from']}, not used in the fit):", "",
                  "| metric | model | persistence | everything at once |", "|---|---|---|---|"]
        for key, label in METRICS:
            m = o["metrics"][key]
            lines.append(f"| {label} | {num(m['median'])} [{num(m['p10'])}–{num(m['p90'])}] | "
                         f"{num(o['baselines']['persistence'][key])} | {num(o['baselines']['everything_at_once'][key])} |")
    lines += ["", "| target | documented | simulated median [10–90 %] | inside |", "|---|---|---|---|"]
    for key, t in card["targets"].items():
        s = t["simulated"]
        counted = f" ({t['counts']})" if "counts" in t else ""
        lines.append(f"| {key}{counted} | {num(t['documented'][0])}–{num(t['documented'][1])} | {num(s['median'])} "
                     f"[{num(s['p10'])}–{num(s['p90'])}] | {'yes' if t['inside'] else 'no'} |")
    lines += _by_side_table(card.get("displacement", {}), "displaced, by flow (to the end of the run)", {
        "total": "total", "captures": "from districts that changed hands", "front": "from shelling of the front"})
    lines += _by_side_table(card.get("casualties_by_posture", {}), "casualties, by posture (to the end of the run)", {
        "total": "total", "attacking": "in the side's own attacks",
        "holding": "otherwise (holding its lines, shelled, cut off, in truce incidents)"})
    if "ceasefires_broken" in card:
        lines += ["", "| ceasefires broken (to the end of the run) | per run (mean) | share of runs with one or more |",
                  "|---|---|---|"]
        lines += [f"| by the {side} side | {b['per_run']:.2f} | {b['share_of_runs']:.0%} |"
                  for side, b in card["ceasefires_broken"].items()]
    if "ceasefire_outcome" in card:
        lines += ["", "| the May 1994 ceasefire (window of the pattern below) | share of runs |", "|---|---|"]
        lines += [f"| {CEASEFIRE_OUTCOMES[key]} | {share:.0%} |" for key, share in card["ceasefire_outcome"].items()
                  if share > 0 or key != "not judged"]
    if "changes_of_power" in card:
        lines += ["", "| changes of power (to the end of the run) | documented | runs with an attempt | runs with a change "
                      "of power | first one (median date) |", "|---|---|---|---|---|"]
        for c in card["changes_of_power"]:
            if c["documented"] or c["attempted"] > 0:
                first = c["first_median"] and (c["first_median"] + ("" if c["first_of"] == "success" else " (attempt)"))
                lines.append(f"| {c['country']}, {c['path']} | {', '.join(c['documented']) or 'none listed'} | "
                             f"{c['attempted']:.0%} | {c['succeeded']:.0%} | {first or '–'} |")
    lines += ["", "| pattern | target share of seeds | simulated | met |", "|---|---|---|---|"]
    for pt in card["patterns"].values():
        lines.append(f"| {pt['what']} | {pt['target'][0]:.0%}–{pt['target'][1]:.0%} | {pt['share']:.0%} | "
                     f"{'yes' if pt['met'] else 'no'} |")
    if "share_miss" in card:
        lines += ["", f"Shares of seeds outside their target ranges, summed over the patterns: {card['share_miss']:.2f}; "
                      f"the fit's objective (median loss + {W_SHARES:g} × that sum, `karabakh calibrate`): "
                      f"{card['objective']:.2f}"
                      + (f" (bootstrap standard error over these seeds {card['objective_se']:.2f}: two parameter sets "
                         f"whose objectives differ by less than about twice that are not told apart by them)."
                         if np.isfinite(card.get("objective_se", float("nan"))) else ".")]
    lines += ["", "| district | first documented change of holder | simulated (median) | runs with a change | median error, days |",
              "|---|---|---|---|---|"]
    for d, c in card["capture_dates"].items():
        lines.append(f"| {d} | {c['documented']} | {c['simulated_median'] or '–'} | {c['changed_in_share_of_runs']:.0%} | "
                     f"{num(c['median_error_days'])} |")
    if "changes_of_holder" in card:
        ch = card["changes_of_holder"]
        lines += ["", "| changes of holder of the scored districts, to 1994-05-12 | documented | simulated median [10–90 %] |",
                  "|---|---|---|",
                  f"| changes of holder | {ch['documented']['changes']} | {num(ch['changes']['median'])} "
                  f"[{num(ch['changes']['p10'])}–{num(ch['changes']['p90'])}] |",
                  f"| of them undone by the next change within {ch['within_days']} days | {ch['documented']['reversed']} | "
                  f"{num(ch['reversed']['median'])} [{num(ch['reversed']['p10'])}–{num(ch['reversed']['p90'])}]; "
                  f"in {ch['runs_with_reversal']:.0%} of the runs |"]
    lines += ["", f"Capture dates vary by seed (mean standard deviation {card['seed_variation']['capture_day_std_days']:.0f} "
                  "days): the calibration does not script them.", ""]
    return "\n".join(lines)


def _split(ok: pd.DataFrame, total: str, part: str, part_key: str, rest_key: str) -> dict:
    """Per side, the spread of a total outcome (``<total>_<side>``), of one part of it
    (``<part>_<side>``) and of the rest: what :func:`_by_side_table` shows."""
    return {side: {"total": _spread(ok[f"{total}_{side}"]), part_key: _spread(ok[f"{part}_{side}"]),
                   rest_key: _spread(ok[f"{total}_{side}"] - ok[f"{part}_{side}"])} for side in SIDES}


def _by_side_table(parts: dict, title: str, columns: dict[str, str]) -> list[str]:
    """Markdown lines of a table with a row per side and a column per part (median [10–90 %])."""
    lines = ["", f"| {title} | " + " | ".join(columns.values()) + " |", "|---" * (len(columns) + 1) + "|"]
    for side, d in parts.items():
        lines.append(f"| {side} | " + " | ".join(f"{readable(d[k]['median'])} [{readable(d[k]['p10'])}–"
                                                 f"{readable(d[k]['p90'])}]" for k in columns) + " |")
    return lines


def plots(table: pd.DataFrame, world: World, out_dir: Path) -> None:
    """territory_vs_documented.png and capture_dates_vs_documented.png (``world``: the one the runs were scored on)."""
    ok = table[table["error"] == ""]
    n_days = (CEASEFIRE_DATE - START).days + 1
    doc = documented(world, n_days)
    inside = world.azssr_area
    series = np.vstack([np.asarray(s, float) for s in ok["series"]])
    weeks = pd.Timestamp(START) + pd.to_timedelta(np.arange(series.shape[1]) * 7, unit="D")
    days = pd.Timestamp(START) + pd.to_timedelta(np.arange(n_days), unit="D")
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.fill_between(weeks, np.quantile(series, 0.1, axis=0), np.quantile(series, 0.9, axis=0), color="#c8861a",
                    alpha=0.25, label="model, 10–90 % of seeds")
    ax.plot(weeks, np.median(series, axis=0), color="#c8861a", label="model, median")
    ax.fill_between(days, doc.low @ inside, doc.high @ inside, step="post", color="#333333", alpha=0.25,
                    label="documented (range)")
    ax.plot(days, ((doc.low + doc.high) / 2) @ inside, color="#333333", drawstyle="steps-post", lw=1)
    finish(fig, ax, out_dir / "territory_vs_documented.png",
           "Simulated territory vs the documented changes (calibration/timeline.csv)")

    first = first_documented_changes(doc)["day"]
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(first) + 1.2))
    for i, (d, day) in enumerate(first.items()):
        sim = ok[f"capture_day_{d}"].dropna().to_numpy(float)
        ax.scatter(pd.Timestamp(START) + pd.to_timedelta(sim, unit="D"), np.full(len(sim), i), s=12, alpha=0.5,
                   color="#1b7f8c", label="model (first change of holder), one dot per seed" if i == 0 else None)
        ax.scatter([pd.Timestamp(START) + pd.Timedelta(days=int(day))], [i], marker="|", s=300, color="#d62728",
                   label="documented" if i == 0 else None)
    finish_districts(fig, ax, first.index, out_dir / "capture_dates_vs_documented.png",
                     "First change of holder per district: model vs documented")
