"""Coup-proofing harness: a design over profile indices, the report and its plot."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..actors.coup_proofing import CHANNELS, knockout_channels
from ..inputs.regimes import ITEMS, PRACTICES
from ..outputs.outcomes import SIDE_GOVERNMENTS
from ..outputs.plots import SIDE_COLOURS
from .coup_proofing_findings import (BASELINE, DOCUMENTED, FINDINGS, INDEX, REDRAWN, brief, carried_by,
                                     estimates, fmt, on_path, origin, subset, survives, verdict)
from .regression import Spec, fit_all, to_markdown
from .runner import CEASEFIRE_ISO, RunSpec, replicate_seeds
from .statistics import bootstrap_ci, paired_difference_ci

DESIGN_LABELS = ("design", "side", "item", "level", "knockout", "coding")
"""Labels that together name a design point (the cluster of the regressions)."""


def coup_proofing_design(runs: int, root_seed: int = 0, levels: Iterable[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
                         sides: Iterable[str] = ("aze", "arm"), items: Iterable[str] = PRACTICES,
                         until: str | None = CEASEFIRE_ISO, scenario: str = "historical",
                         params: dict[str, float] | None = None, indices: Iterable[str] = (),
                         knockouts: Iterable[str] = (), coding_uncertainty: bool = False) -> list[RunSpec]:
    """Specs for the coup-proofing experiment.

    * ``index`` design: every coup-proofing practice of one side's governments set to a level
      (0 = none of the practices, 1 = all of them), the other side as documented;
    * ``item`` design: one practice of Azerbaijan's regimes set to 0 or 1, the rest as documented;
    * ``knockouts``: for each entry (a channel of :data:`CHANNELS`, channels joined by ``+``, or ``"all"``
      for every channel at once) the runs behind the findings again with it switched off: the index design at the lowest
      and highest level and, if the knock-out is on its path, the counterweight item if it is among ``items``
      (labels ``knockout``);
    * ``coding_uncertainty``: the index design and the counterweight item (if in ``items``) again with the uncertain
      codings redrawn per run (label ``coding = "redrawn"``).

    Every design point uses the same ``runs`` seeds (common random numbers). Every run reports the
    registry's indices (``data/coup_proofing_indices.toml`` plus the ``indices`` files).
    """
    seeds = replicate_seeds(root_seed, runs)
    levels, sides = [float(x) for x in levels], list(sides)
    knockouts = list(knockouts)
    for label in knockouts:
        knockout_channels(label)
    common = dict(scenario=scenario, until=until, params=dict(params or {}), indices=tuple(map(str, indices)))

    def block(design: str, side: str, item: str, level: float, knockout: str = BASELINE,
              coding: str = DOCUMENTED) -> list[RunSpec]:
        govs = SIDE_GOVERNMENTS[side] if design == "index" else ("azerbaijan",)
        prof = {g: {k: level for k in (PRACTICES if design == "index" else (item,))} for g in govs}
        labels = {"design": design, "side": side, "item": item, "level": level, "knockout": knockout,
                  "coding": coding}
        return [RunSpec(seed=s, profiles=prof, labels=labels, knockouts=knockout_channels(knockout), coding_uncertainty=coding == REDRAWN,
                        **common) for s in seeds]

    items = list(items)
    counterweight = ["paramilitary_counterweight"] if "paramilitary_counterweight" in items else []

    def findings_runs(index_levels, knockout: str = BASELINE, **kw) -> list[RunSpec]:
        """The runs behind the findings; under a knock-out only those on its path (a knock-out off a
        finding's path cannot carry it: :meth:`Finding.on_path`)."""
        out = [spec for side in sides for lv in index_levels
               for spec in block("index", side, "all_practices", lv, knockout=knockout, **kw)]
        cw = [it for it in counterweight if not knockout or on_path(knockout, (it,))]
        return out + [spec for it in cw for lv in (0.0, 1.0) for spec in block("item", "aze", it, lv, knockout=knockout, **kw)]

    specs = [spec for side in sides for lv in levels for spec in block("index", side, "all_practices", lv)]
    for item in items:
        if item not in ITEMS:
            raise ValueError(f"unknown item {item!r}")
        specs += [spec for lv in (0.0, 1.0) for spec in block("item", "aze", item, lv)]
    for knockout in knockouts:
        specs += findings_runs(sorted({min(levels), max(levels)}), knockout=knockout)
    if coding_uncertainty:
        specs += findings_runs(levels, coding=REDRAWN)
    return specs


def regression_specs() -> dict[str, list[Spec]]:
    """The models of the run-level table, by table: the literature's outcomes on the registry's indices.

    ``main``: territory and loss-exchange ratio on the relative coup-proofing index (OLS); for each
    side, whether it had a successful coup (logit) and its coup attempts (Poisson; clustered errors
    keep it valid under overdispersion) on its own index. ``narang_talmadge``: Narang & Talmadge's
    (2018) design, the battlefield outcomes on the relative coup-proofing and internal-role indices.
    """
    rel, role = INDEX.format("rel"), "index_internal_role_rel"
    main = [Spec("territory ~ relative index", "ols", "arm_held_azssr_km2", (rel,)),
            Spec("loss-exchange ratio ~ relative index", "ols", "loss_exchange_ratio", (rel,))]
    for side in SIDE_GOVERNMENTS:
        own = INDEX.format(side)
        main += [Spec(f"coup success ({side}) ~ own index", "logit", f"coups_successful_{side}", (own,), binary=True),
                 Spec(f"coup attempts ({side}) ~ own index", "poisson", f"coup_attempts_{side}", (own,))]
    nt = [Spec("N&T: territory ~ relative coup-proofing + internal role", "ols", "arm_held_azssr_km2", (rel, role)),
          Spec("N&T: loss-exchange ratio ~ relative coup-proofing + internal role", "ols", "loss_exchange_ratio",
               (rel, role))]
    return {"main": main, "narang_talmadge": nt}


def with_design_points(table: pd.DataFrame) -> pd.DataFrame:
    """The table with a ``design_point`` column: the labels that fix a run's profile, joined."""
    labels = [c for c in DESIGN_LABELS if c in table.columns]
    return table.assign(design_point=table[labels].astype(str).agg("|".join, axis=1))


def coup_proofing_regressions(ok: pd.DataFrame) -> pd.DataFrame | None:
    """Tidy coefficients of :func:`regression_specs` on the index design's runs with all channels on,
    for the documented codings and (if run) the redrawn ones (columns ``table`` and ``coding``); None
    without statsmodels (the ``analysis`` extra)."""
    parts = []
    try:
        for coding in (DOCUMENTED, REDRAWN):
            runs = subset(ok, coding=coding)
            runs = runs[runs["design"] == "index"]
            if len(runs):
                runs = with_design_points(runs)
                parts += [fit_all(runs, specs).assign(table=name, coding=coding)
                          for name, specs in regression_specs().items()]
    except ImportError:
        return None
    return pd.concat(parts, ignore_index=True) if parts else None


def regression_markdown(tidy: pd.DataFrame | None) -> list[str]:
    """The regression tables as Markdown lines (report.md and regressions.md)."""
    if tidy is None:
        return ["Not fitted: statsmodels is not installed (`pip install 'karabakh-abm[analysis]'`), "
                "or no index-design runs."]
    lines = []
    for coding in dict.fromkeys(tidy["coding"]):
        for name, title in (("main", "Outcomes on the coup-proofing index"),
                            ("narang_talmadge", "Narang & Talmadge (2018) design: relative coup-proofing and "
                                                "internal role of the two sides → battlefield outcome")):
            part = tidy[(tidy["table"] == name) & (tidy["coding"] == coding)]
            lines += [f"### {title} ({coding} codings)", "", to_markdown(part), ""]
    return lines


def coup_proofing_report(table: pd.DataFrame) -> tuple[str, dict[str, object]]:
    """Markdown results and a dict of the statistics (the findings by key, ``knockouts``, ``redrawn``,
    ``regressions``; also used by the tests)."""
    ok = table[table["error"] == ""]
    base = subset(ok)
    stats: dict[str, object] = dict(estimates(base))
    levels = base.loc[base["design"] == "index", "level"]
    extremes = base[(base["design"] != "index") | base["level"].isin([levels.min(), levels.max()])]
    knock_names = list(dict.fromkeys(ok["knockout"].fillna(""))) if "knockout" in ok.columns else []
    knocked = {k: estimates(subset(ok, knockout=k)) for k in knock_names if k != BASELINE}
    redrawn = estimates(subset(ok, coding=REDRAWN))
    stats.update(knockouts=knocked, baseline_extremes=estimates(extremes), redrawn=redrawn)
    measured = [f for f in FINDINGS if f.key in stats]
    lines = ["# Coup-proofing experiment: results", "",
             f"{len(ok)} runs ({len(table) - len(ok)} failed), {ok['seed'].nunique()} seeds per design point "
             "(common random numbers), each run to the end date of the design (design.json). 95 % intervals are "
             "percentile bootstraps over seeds (a seed's runs at every design point resampled together, so the "
             "comparisons are paired). `relative index` = Azerbaijan's coup-proofing index minus the Armenian "
             "side's (mean of items 4-7 and 10-12, 0..1).", ""]
    lines += _summary(measured, stats, len(ok), int(ok["seed"].nunique()))
    for title, topic in (("1. Coup-proofing and battlefield performance", "battlefield"),
                         ("2. Coup-proofing and coups", "coups")):
        lines += ["", f"## {title}", "", "| comparison | estimate [95 % CI] | verdict |", "|---|---|---|"]
        lines += [f"| {f.label} | {fmt(stats[f.key])} | {verdict(stats[f.key], f.expected)} |"
                  for f in measured if f.topic == topic]
    lines += _single_items(base[base["design"] == "item"])
    tidy = coup_proofing_regressions(ok)
    stats["regressions"] = tidy
    lines += ["", "## 4. Regressions of the run-level table", "",
              "Index design runs with every channel on; standard errors clustered by design point (t intervals with "
              "clusters − 1 degrees of freedom); indices from `data/coup_proofing_indices.toml` (`rel` = aze minus "
              "arm). A term that does not vary (the internal role, unless codings are redrawn) is not estimable. "
              "Also written as `regressions.csv` and `regressions.md`.", ""]
    lines += regression_markdown(tidy)
    if knocked:
        lines += _channels(measured, stats)
    if redrawn:
        lines += _coding(measured, stats)
    lines += ["", "## Honest reading", "",
              "Each practice acts through channels that protect the regime and channels that cost the army "
              "(docs/ODD.md 7.9), and some channels can push either way: a guard committed to the front by a regime "
              "losing the war fights with better training under a separate command and leaves the capital "
              "undefended; a purge replaces would-be plotters but angers every other commander; what a purge costs "
              "grows with the officers' war experience. 'Built in or emergent' says, for each finding, whether "
              "every channel on its path pushes the measured way (built in: the sign is the code's), the channels "
              "push both ways (decided in the war: the sign is their net in these runs, and other wars, parameters "
              "or codings could reverse it), or none pushes that way (through the war: defeats breed plots, coups "
              "pull units off the front). With every channel off a coding has no path into the war, so no finding "
              "is emergent in the strict sense. Where the verdict is 'no clear effect' the seed-to-seed noise "
              "swamps the effect at this number of runs. Parameters are uncalibrated assumptions "
              "(data/parameters.toml).", ""]
    return "\n".join(lines), stats


SUMMARY_BEGIN = "<!-- coup-proofing summary: generated by `karabakh experiment coup-proofing` (report.md) -->"
SUMMARY_END = "<!-- end of the coup-proofing summary -->"
"""Markers around the summary table in report.md; docs/regenerate.sh copies what lies between them into
the README (:func:`splice_summary`)."""

STABLE_SEEDS = 12
"""Seeds per design point from which every finding's verdict was the same on two seed bases and under both
codings (docs/coup_proofing_power.md); below it the report warns."""


def _summary(measured, stats, runs: int, seeds: int) -> list[str]:
    """One line per hypothesis in plain words: estimate with its interval, verdict, carrying channels,
    survival under coding uncertainty, built in or emergent; between :data:`SUMMARY_BEGIN` and
    :data:`SUMMARY_END`."""
    lines = ["## Summary", "", SUMMARY_BEGIN,
             f"{runs} runs, {seeds} seeds per design point; 95 % intervals bootstrapped over seeds.", ""]
    if seeds < STABLE_SEEDS:
        lines += [f"**Fewer than {STABLE_SEEDS} seeds per design point**: at 6 seeds two verdicts changed between "
                  "two sets of seeds (docs/coup_proofing_power.md); read these verdicts as provisional.", ""]
    lines += ["| hypothesis | model estimate [95 % CI] | verdict | carried by (knock-outs) | survives coding "
              "uncertainty | built in or emergent |", "|---|---|---|---|---|---|"]
    for f in measured:
        t, base = stats[f.key], stats["baseline_extremes"][f.key]
        by = f.on_path_estimates(stats["knockouts"])
        redrawn = stats["redrawn"].get(f.key)
        same = survives(t, redrawn, f.expected)
        kept = ("not measured" if same is None else f"yes ({fmt(redrawn)} redrawn)" if same else
                f"no: {verdict(redrawn, f.expected)} with redrawn codings ({fmt(redrawn)})")
        lines.append(f"| {f.plain or f.literature + ': ' + f.label} | {fmt(t)} | {verdict(t, f.expected)} | "
                     f"{carried_by(base, by) if by else 'not measured (run with --knockouts each)'} | "
                     f"{kept} | {origin(base, by, f.pushes())} |")
    return lines + ["", SUMMARY_END]


def splice_summary(report: str, readme: str) -> str:
    """``readme`` with the text between its summary markers replaced by the report's."""
    def parts(text: str, where: str) -> tuple[str, str, str]:
        if text.count(SUMMARY_BEGIN) != 1 or text.count(SUMMARY_END) != 1:
            raise ValueError(f"{where}: expected one pair of coup-proofing summary markers ({SUMMARY_BEGIN!r})")
        head, rest = text.split(SUMMARY_BEGIN)
        body, tail = rest.split(SUMMARY_END)
        return head, body, tail
    head, _, tail = parts(readme, "README")
    return head + SUMMARY_BEGIN + parts(report, "report")[1] + SUMMARY_END + tail


def _single_items(items: pd.DataFrame) -> list[str]:
    """Each practice of Azerbaijan's regimes at 1 minus at 0, paired by seed."""
    lines = ["", "## 3. Single items (Azerbaijan's regimes, item set to 1 minus set to 0, paired by seed)", "",
             "| item | Δ km² held by arm side | Δ loss-exchange ratio | Δ coup attempts | Δ successful coups |",
             "|---|---|---|---|---|"]
    for item in dict.fromkeys(items["item"]):
        g = items[items["item"] == item]
        lo, hi = g[g["level"] == 0.0].sort_values("seed"), g[g["level"] == 1.0].sort_values("seed")
        cells = [fmt(paired_difference_ci(lo[c].to_numpy(), hi[c].to_numpy()))
                 for c in ("arm_held_azssr_km2", "loss_exchange_ratio", "coup_attempts_azerbaijan",
                           "coups_successful_azerbaijan")]
        lines.append(f"| {item} | " + " | ".join(cells) + " |")
    return lines


def _channels(measured, stats) -> list[str]:
    """Each finding with every channel on and with each knock-out, and the channels that carry it."""
    knocked, base = stats["knockouts"], stats["baseline_extremes"]
    names = list(knocked)
    lines = ["", "## 5. Which channels carry each finding (knock-outs)", "",
             "Each column re-runs the findings' design points (index design at the lowest and highest level, "
             "the counterweight item) with a channel switched off (`a+b`: both; `all`: every channel); `none` is the "
             "same design points with every channel on. Only channels of the practices a finding varies can carry "
             "it (the counterweight findings vary item 10 alone: a knock-out elsewhere changes the war around it, "
             "not its path), so only those are run (`off its path`). Channels: " +
             "; ".join(f"`{c}` {d}" for c, d in CHANNELS.items()) + ".", "",
             "| finding | none | " + " | ".join(names) + " | carried by |", "|---|---|" + "---|" * len(names) + "---|"]
    for f in measured:
        cells = [brief(knocked[k].get(f.key), f.expected) if f.on_path(k) or f.key in knocked[k] else "off its path"
                 for k in names]
        by = f.on_path_estimates(knocked)
        lines.append(f"| {f.label} | {brief(base[f.key], f.expected)} | " + " | ".join(cells) +
                     f" | {carried_by(base[f.key], by)} |")
    return lines


def _coding(measured, stats) -> list[str]:
    """Each finding on documented and on redrawn codings, and whether its verdict survives."""
    lines = ["", "## 6. Coding uncertainty", "",
             "The same design with the low- and medium-confidence items of every regime's coding redrawn per run "
             "(rule and probabilities: `model/data/coding_uncertainty.toml`; the design's own levels are set "
             "after the redraw). A conclusion survives when its verdict is the same.", "",
             "| finding | documented codings | redrawn codings | survives |", "|---|---|---|---|"]
    for f in measured:
        t, r = stats[f.key], stats["redrawn"].get(f.key)
        lines.append(f"| {f.label} | {brief(t, f.expected)} | {brief(r, f.expected)} | "
                     f"{_yes_no(survives(t, r, f.expected))} |")
    return lines


def _yes_no(same: bool | None) -> str:
    return "not measured" if same is None else "yes" if same else "no"


def plot_coup_proofing(table, path: Path) -> None:
    """Outcomes against each side's coup-proofing level: mean and 95 % bootstrap band per level."""
    ok = subset(table[table["error"] == ""])
    ok = ok[ok["design"] == "index"]
    panels = (("arm_held_azssr_km2", "km² of Azerbaijan SSR held\nby arm side at 1994-05-12"),
              ("loss_exchange_ratio", "loss-exchange ratio\n(aze per arm casualty)"),
              ("coup_attempts_side", "coup attempts per run\n(varied side)"),
              ("coups_successful_side", "successful coups per run\n(varied side)"))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8))
    for side in ("aze", "arm"):
        s = ok[ok["side"] == side]
        if s.empty:
            continue
        levels = sorted(s["level"].unique())
        for ax, (col, label) in zip(axes, panels):
            column = col.replace("side", side) if col.endswith("side") else col
            est = [bootstrap_ci(s.loc[s["level"] == lv, column].to_numpy(float)) for lv in levels]
            mean, lo, hi = (np.array([e[i] for e in est]) for i in range(3))
            ax.plot(levels, mean, "o-", color=SIDE_COLOURS[side], label=f"{side} practices varied")
            ax.fill_between(levels, lo, hi, color=SIDE_COLOURS[side], alpha=0.2)
            ax.set_xlabel("coup-proofing level of the varied side")
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("Coup-proofing experiment: mean and 95 % bootstrap band over seeds", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
