"""Ensemble comparison of two scenarios: the same seeds in both, paired differences with CIs.

``karabakh compare A B --runs N`` runs both scenarios over the same N seeds (common
random numbers: a seed's draws differ between A and B only where the scenarios
differ), then reports B − A for the headline outcomes with 95 % percentile
bootstrap intervals over seeds, the territory over time of both with bands, and the
distribution of each district's first capture date.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

import matplotlib.pyplot as plt

from ..inputs.history import CEASEFIRE_DATE, START
from ..inputs.world import World
from ..outputs.numbers import interval, readable
from ..outputs.outcomes import label as outcome_label
from ..outputs.plots import finish, finish_districts
from .runner import RunSpec, replicate_seeds
from .scoring import W_SHARES, documented, first_documented_changes, objective_value
from .statistics import paired_difference_ci
from .validation import objective_difference_se

OUTCOMES = ("arm_held_azssr_km2", "arm_held_azssr_km2_end", "casualties_aze", "casualties_arm", "displaced_aze",
            "displaced_arm", "coup_attempts_azerbaijan", "coups_successful_azerbaijan", "days_to_ceasefire")
"""The outcomes a comparison reports (labels: :data:`model.outputs.outcomes.OUTCOMES`)."""


SCORED = ("fit_loss", "loss against the documented record (lower: closer)")
"""With ``score``: the calibration's loss (model/experiments/scoring.py), compared like an outcome, so that
two variants of the historical scenario (e.g. patrons scheduled or deciding) can be told apart on the record."""

OBJECTIVE = ("fit_objective", f"the fit's objective: median loss + {W_SHARES:g} x shares of seeds outside their ranges "
                              "(CI: +/- 1.96 bootstrap standard errors, seeds resampled together)")
"""With ``score``: the objective of ``karabakh calibrate`` and ``karabakh validate`` (scoring.objective_value), one
value per scenario over the paired seeds, B - A with its bootstrap standard error. Why: the loss alone does not see
the patterns' shares of seeds (Khankendi/Stepanakert held, the May 1994 ceasefire holding, ...), and whether one
variant of the historical scenario is at least as close to the record as another is a question about both."""


def compare_specs(a: str, b: str, runs: int, root_seed: int = 0, until: str | None = None,
                  params: dict[str, float] | None = None, score: bool = False) -> list[RunSpec]:
    """Both scenarios over the same spawned seeds, with territory series kept (and, with ``score``, each run
    scored against the documented history up to 1994-05-12, as the fit scores it)."""
    seeds = replicate_seeds(root_seed, runs)
    return [RunSpec(seed=s, scenario=name, until=until, params=dict(params or {}), labels={"label": label},
                    series=True, patrons=True, score=score, fit_until=str(CEASEFIRE_DATE) if score else None)
            for label, name in (("A", a), ("B", b)) for s in seeds]


def differences(table: pd.DataFrame, root_seed: int = 0) -> pd.DataFrame:
    """One row per outcome (and per district capture day): A mean, B mean, B − A with 95 % CI, n; with scored runs,
    also the fit's objective of each (:func:`objective_row`; its bootstrap spawned from ``root_seed``)."""
    ok = table[table["error"] == ""]
    a = ok[ok["label"] == "A"].set_index("seed").sort_index()
    b = ok[ok["label"] == "B"].set_index("seed").sort_index()
    seeds = a.index.intersection(b.index)
    a, b = a.loc[seeds], b.loc[seeds]
    rows = []
    columns = [*((c, outcome_label(c)) for c in OUTCOMES), *([SCORED] if SCORED[0] in table.columns else []),
               *((c, f"first capture day of {c.removeprefix('capture_day_')}")
                 for c in table.columns if c.startswith("capture_day_")),
               *((c, " ".join(c.removeprefix("patron_").rsplit("_", 1))) for c in table.columns
                 if c.startswith("patron_"))]
    for col, label in columns:
        x, y = a[col].to_numpy(float), b[col].to_numpy(float)
        both = ~np.isnan(x) & ~np.isnan(y)
        row = {"outcome": col, "label": label, "mean_A": np.nanmean(x) if (~np.isnan(x)).any() else np.nan,
               "mean_B": np.nanmean(y) if (~np.isnan(y)).any() else np.nan,
               "share_A": float((~np.isnan(x)).mean()), "share_B": float((~np.isnan(y)).mean()), "n_paired": int(both.sum())}
        if both.sum() >= 2:
            est, lo, hi = paired_difference_ci(x[both], y[both])
        else:
            est = lo = hi = np.nan
        row.update(diff=est, ci_low=lo, ci_high=hi)
        rows.append(row)
    if SCORED[0] in table.columns and len(seeds) >= 2:
        rows.append(objective_row(a, b, root_seed))
    out = pd.DataFrame(rows)
    # Capture days that never happened in any run of either scenario say nothing: drop them.
    return out[~((out["share_A"] == 0) & (out["share_B"] == 0))].reset_index(drop=True)


def objective_row(a: pd.DataFrame, b: pd.DataFrame, root_seed: int) -> dict:
    """:data:`OBJECTIVE` of the paired runs ``a`` and ``b`` (the same seeds, in the same order): each scenario's
    objective, B - A, and an interval of 1.96 bootstrap standard errors around it
    (validation.objective_difference_se, seeds resampled together)."""
    obj_a, obj_b = objective_value(a), objective_value(b)
    se = objective_difference_se(b, a, root_seed)
    return {"outcome": OBJECTIVE[0], "label": OBJECTIVE[1], "mean_A": obj_a, "mean_B": obj_b, "share_A": 1.0,
            "share_B": 1.0, "n_paired": len(a), "diff": obj_b - obj_a, "ci_low": obj_b - obj_a - 1.96 * se,
            "ci_high": obj_b - obj_a + 1.96 * se, "se": se}


def report(a: str, b: str, table: pd.DataFrame, diffs: pd.DataFrame, question: str = "") -> str:
    """Markdown report of a comparison."""
    ok = table[table["error"] == ""]
    n = ok["seed"].nunique()

    num = readable
    lines = [f"# Scenario comparison: `{b}` (B) vs `{a}` (A)", ""]
    if question:
        lines += [f"**Question.** {question}", ""]
    lines += [f"{n} seeds, the same in both scenarios (common random numbers); {len(table) - len(ok)} failed runs. "
              "Differences are B − A, paired by seed, with 95 % percentile bootstrap intervals. For dates and "
              "ceasefires, 'share' is the share of runs in which the event happened; the difference uses the seeds "
              "where it happened in both.", "",
              "| outcome | A | B | B − A [95 % CI] | share A / B |", "|---|---|---|---|---|"]
    for _, r in diffs.iterrows():
        if r["outcome"].startswith(("capture_day_", "patron_")) or r["outcome"] == OBJECTIVE[0]:
            continue
        sig = "" if pd.isna(r["ci_low"]) or r["ci_low"] <= 0 <= r["ci_high"] else " **"
        share = f"{r['share_A']:.0%} / {r['share_B']:.0%}" if r["outcome"] == "days_to_ceasefire" else ""
        lines.append(f"| {r['label']} | {num(r['mean_A'])} | {num(r['mean_B'])} | "
                     f"{interval(r['diff'], r['ci_low'], r['ci_high'])}{sig} | {share} |")
    lines += ["", "`**` marks intervals that exclude 0."]
    lines += objective_lines(diffs)
    lines += ["", "## First capture date of each district (days from the start)",
              "", "| district | A mean | B mean | B − A [95 % CI] | captured in A / B |", "|---|---|---|---|---|"]
    for _, r in diffs[diffs["outcome"].str.startswith("capture_day_")].iterrows():
        lines.append(f"| {r['outcome'].removeprefix('capture_day_')} | {num(r['mean_A'])} | {num(r['mean_B'])} | "
                     f"{interval(r['diff'], r['ci_low'], r['ci_high'])} | "
                     f"{r['share_A']:.0%} / {r['share_B']:.0%} |")
    patron_rows = diffs[diffs["outcome"].str.startswith("patron_") & ((diffs["mean_A"] > 0) | (diffs["mean_B"] > 0))]
    if len(patron_rows):
        lines += ["", "## Patron decisions per run (patrons that decide: scenario mode endogenous or mixed)", "",
                  "Dated patron events are the scenarios' own; these are the monthly decisions "
                  "(model.actors.patron_policy), counted by patron and action.", "",
                  "| patron action | A | B | B − A [95 % CI] |", "|---|---|---|---|"]
        for _, r in patron_rows.iterrows():
            lines.append(f"| {r['label']} | {num(r['mean_A'])} | {num(r['mean_B'])} | "
                         f"{interval(r['diff'], r['ci_low'], r['ci_high'])} |")
    lines += ["", "Plots: `territory.png` (median and 90 % band over seeds), `capture_dates.png`.", ""]
    return "\n".join(lines)


def objective_lines(diffs: pd.DataFrame) -> list[str]:
    """The report's verdict on :data:`OBJECTIVE`, by the rule ``karabakh calibrate`` uses to tell two parameter sets
    apart (a difference of at least twice its standard error); none without scored runs."""
    rows = diffs[diffs["outcome"] == OBJECTIVE[0]]
    if rows.empty:
        return []
    r = rows.iloc[0]
    d, se = float(r["diff"]), float(r["se"])
    if d <= -2 * se:
        verdict = "B is closer to the record than A by more than twice that error"
    elif d >= 2 * se:
        verdict = "B is further from the record than A by more than twice that error"
    else:
        verdict = ("these seeds do not tell A and B apart (|B − A| under twice that error): B is at least as close "
                   "to the record as A within the noise of these seeds" if d <= 0 else
                   "these seeds do not tell A and B apart (|B − A| under twice that error), though B scores worse")
    return ["", f"**The fit's objective** (`karabakh validate`'s: median loss + {W_SHARES:g} × the shares of seeds "
                f"outside their target ranges; lower is closer): A {r['mean_A']:.2f}, B {r['mean_B']:.2f}; "
                f"B − A {d:+.2f}, bootstrap standard error {se:.2f} (seeds resampled together): {verdict}."]


def series_frame(table: pd.DataFrame, starts: dict[str, dt.date], every: int = 7) -> pd.DataFrame:
    """Long table (scenario, seed, date, arm_held_km2) of the weekly territory series; ``starts``
    gives each label's scenario start date."""
    frames = []
    for _, r in table[table["error"] == ""].iterrows():
        values = np.asarray(r["series"], dtype=float)
        dates = pd.to_datetime(starts[r["label"]]) + pd.to_timedelta(np.arange(len(values)) * every, unit="D")
        frames.append(pd.DataFrame({"scenario": r["scenario"], "label": r["label"], "seed": r["seed"],
                                    "date": dates.strftime("%Y-%m-%d"), "arm_held_azssr_km2": values}))
    return pd.concat(frames, ignore_index=True)


def plot(a: str, b: str, series: pd.DataFrame, table: pd.DataFrame, world: World, out_dir) -> None:
    """territory.png (bands) and capture_dates.png (distributions per district, with the documented first
    change of holder on ``world``'s districts)."""
    colours = {"A": "#1b7f8c", "B": "#c8861a"}
    fig, ax = plt.subplots(figsize=(9, 4.2))
    for label, name in (("A", a), ("B", b)):
        s = series[series["label"] == label].pivot(index="date", columns="seed", values="arm_held_azssr_km2")
        x = pd.to_datetime(s.index)
        ax.plot(x, s.median(axis=1), color=colours[label], label=f"{label}: {name} (median)")
        ax.fill_between(x, s.quantile(0.05, axis=1), s.quantile(0.95, axis=1), color=colours[label], alpha=0.2)
    ax.axvline(pd.Timestamp("1994-05-12"), color="#555555", ls="--", lw=0.8)
    finish(fig, ax, out_dir / "territory.png", f"Territory over time: median and 90 % band over {table.loc[table['error'] == '', 'seed'].nunique()} "
           "seeds (dashed: 1994-05-12)")

    ok = table[table["error"] == ""]
    cols = [c for c in ok.columns if c.startswith("capture_day_") and ok[c].notna().any()]
    doc = first_documented_changes(documented(world, int(np.nanmax(ok["days"])) + 1))
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.32 * len(cols) + 1)))
    for k, (label, name) in enumerate((("A", a), ("B", b))):
        sub = ok[ok["label"] == label]
        for i, c in enumerate(cols):
            days = sub[c].dropna().to_numpy(float)
            y = np.full(len(days), i + (k - 0.5) * 0.3)
            ax.scatter(pd.Timestamp(START) + pd.to_timedelta(days, unit="D"), y, s=10, alpha=0.6,
                       color=colours[label], label=f"{label}: {name}" if i == 0 else None)
    marked = False
    for i, c in enumerate(cols):  # the documented first change of holder and its window (calibration/timeline.csv)
        d = c.removeprefix("capture_day_")
        if d in doc.index:
            lo, day, hi = (pd.Timestamp(START) + pd.Timedelta(days=int(doc.at[d, k])) for k in ("day_low", "day", "day_high"))
            ax.plot([lo, hi], [i, i], color="#d62728", lw=1.5, zorder=3)
            ax.scatter([day], [i], marker="|", s=250, color="#d62728", zorder=3,
                       label=None if marked else "documented first change (and its window)")
            marked = True
    finish_districts(fig, ax, [c.removeprefix("capture_day_") for c in cols], out_dir / "capture_dates.png",
                     f"First change of holder of each district, one dot per run ({ok['seed'].nunique()} seeds)")
