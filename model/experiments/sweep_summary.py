"""What a finished sweep says, for people: one row per design point and a plot of each outcome
against each swept parameter (``summary.csv`` and ``outcomes_vs_parameters.png`` in the sweep's
directory), so nobody has to open the Parquet dataset to see the shape of a result."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from ..outputs.files import atomic_file
from ..outputs.numbers import readable
from ..outputs.outcomes import SWEEP_HEADLINE, label
from ..outputs.plots import plt
from .statistics import bootstrap_ci


SCENARIO_COLOURS = ("#1b7f8c", "#c8861a", "#6a3d9a", "#33a02c", "#e31a1c", "#555555")


def shown_outcomes(table: pd.DataFrame, keep: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The numeric outcome columns to summarise: the spec's ``outcomes`` if it names some, else the headline."""
    wanted = list(keep) or list(SWEEP_HEADLINE)
    return [c for c in wanted if c in table.columns and pd.api.types.is_numeric_dtype(table[c])]


def summary(table: pd.DataFrame, keep: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per (scenario, point): the swept values, runs, failed runs, then per outcome the mean over
    replicates with its 95 % percentile bootstrap CI (``<outcome>``, ``<outcome>_ci_low``, ``<outcome>_ci_high``) and the share of
    runs in which it is defined (``<outcome>_share``, e.g. runs with a durable ceasefire)."""
    params = [c for c in table.columns if c.startswith("param.")]
    outs = shown_outcomes(table, keep)
    rows = []
    for key, group in table.groupby(["scenario", "point"], sort=True):
        ok = group[group["error"] == ""]
        row = {"scenario": key[0], "point": int(key[1]), **{p.removeprefix("param."): group[p].iat[0] for p in params},
               "runs": len(group), "failed": int((group["error"] != "").sum())}
        for out in outs:
            x = ok[out].to_numpy(float)
            x = x[~np.isnan(x)]
            mean, low, high = bootstrap_ci(x) if len(x) else (np.nan, np.nan, np.nan)
            row.update({out: mean, f"{out}_ci_low": low, f"{out}_ci_high": high,
                        f"{out}_share": len(x) / len(ok) if len(ok) else np.nan})
        rows.append(row)
    return pd.DataFrame(rows)


def plot(table: pd.DataFrame, path: Path, keep: list[str] | tuple[str, ...] = (), title: str = "") -> bool:
    """A grid of panels, one outcome per row and one swept parameter per column: every run as a dot, the
    mean per design point as a larger marker (joined for grids). False, and no file, without parameters."""
    params = [c for c in table.columns if c.startswith("param.")]
    ok = table[table["error"] == ""]
    outs = shown_outcomes(ok, keep)
    if not params or not outs or ok.empty:
        return False
    fig, axes = plt.subplots(len(outs), len(params), figsize=(3.4 * len(params) + 0.6, 2.3 * len(outs) + 0.8),
                             squeeze=False, sharex="col", sharey="row")
    scenarios = list(dict.fromkeys(ok["scenario"]))
    for j, p in enumerate(params):
        for i, out in enumerate(outs):
            ax = axes[i][j]
            for k, sc in enumerate(scenarios):
                colour = SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)]
                sub = ok[ok["scenario"] == sc]
                ax.scatter(sub[p], sub[out], s=6, alpha=0.35, color=colour, lw=0)
                means = sub.groupby(p)[out].mean()  # over the other parameters' values and the replicates
                ax.plot(means.index, means.to_numpy(), "o-", ms=3.5, lw=1, color=colour,
                        label=sc if (i, j) == (0, 0) else None)
            if ok[out].isna().all():
                ax.text(0.5, 0.5, "not defined in any run", transform=ax.transAxes, ha="center", fontsize=8,
                        color="#555555")
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=7)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: readable(v)))
            if j == 0:
                ax.set_ylabel(textwrap.fill(label(out), 26), fontsize=7.5)
            if i == len(outs) - 1:
                ax.set_xlabel(p.removeprefix("param.").replace("_", " "), fontsize=8)
    axes[0][0].legend(fontsize=7, title="scenario (line: mean)", title_fontsize=7)
    fig.suptitle(title or "Outcomes against each swept parameter (dots: runs)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)
    return True


def write(table: pd.DataFrame, out_dir: Path, keep: list[str] | tuple[str, ...] = (), title: str = "") -> list[str]:
    """Write ``summary.csv`` and ``outcomes_vs_parameters.png`` into a sweep directory, each under a
    temporary name first; return the names written."""
    out_dir = Path(out_dir)
    written = []
    with atomic_file(out_dir / "summary.csv") as tmp:
        summary(table, keep).to_csv(tmp, index=False)
    written.append("summary.csv")
    with atomic_file(out_dir / "outcomes_vs_parameters.png") as tmp:
        if plot(table, tmp, keep, title):
            written.append("outcomes_vs_parameters.png")
    return written
