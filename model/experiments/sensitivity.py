"""Global sensitivity analysis (SALib) on top of the sweep machinery.

A sweep spec whose ``[design].method`` is ``sobol`` (Saltelli sampling, first- and
total-order indices) or ``morris`` (elementary effects) is run like any sweep
(resumable, parallel); each design point's outcome is the mean over its replicates;
SALib then computes the indices for the headline outcomes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..outputs.plots import plt
from ..outputs.outcomes import SWEEP_HEADLINE, label, unit_of
from .sweep import SweepSpec, salib_problem


def _unit_samples(spec: SweepSpec) -> np.ndarray:
    problem = salib_problem(spec)
    if spec.design.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, spec.design.samples, seed=spec.design.seed)
    from SALib.sample import sobol

    return sobol.sample(problem, spec.design.samples, calc_second_order=False, seed=spec.design.seed)


def indices(spec: SweepSpec, table: pd.DataFrame, outcomes=SWEEP_HEADLINE) -> pd.DataFrame:
    """Tidy table of sensitivity indices: outcome, parameter, index name, value, 95 % CI half-width."""
    if spec.design.method not in ("sobol", "morris"):
        raise ValueError("sensitivity analysis needs [design].method = 'sobol' or 'morris'")
    problem = salib_problem(spec)
    rows = []
    for scenario, tab in table.groupby("scenario"):
        means = tab.groupby("point").mean(numeric_only=True).sort_index()
        n_points = len(_unit_samples(spec))
        if len(means) != n_points:
            raise ValueError(f"{scenario}: {len(means)} of {n_points} design points have results; finish the sweep first")
        for out in outcomes:
            if out not in means.columns:
                continue
            y = means[out].to_numpy(float)
            if np.isnan(y).any():  # e.g. no ceasefire in some runs: use the end of the run
                y = np.where(np.isnan(y), np.nanmax(means["days"].to_numpy(float)) if "days" in means else 0.0, y)
            if np.allclose(y, y[0]):
                for name in problem["names"]:
                    rows.append(dict(scenario=scenario, outcome=out, parameter=name, index="constant", value=0.0,
                                     ci=0.0))
                continue
            if spec.design.method == "sobol":
                from SALib.analyze import sobol

                res = sobol.analyze(problem, y, calc_second_order=False, seed=spec.design.seed)
                for i, name in enumerate(problem["names"]):
                    rows.append(dict(scenario=scenario, outcome=out, parameter=name, index="S1", value=res["S1"][i],
                                     ci=res["S1_conf"][i]))
                    rows.append(dict(scenario=scenario, outcome=out, parameter=name, index="ST", value=res["ST"][i],
                                     ci=res["ST_conf"][i]))
            else:
                from SALib.analyze import morris

                res = morris.analyze(problem, _unit_samples(spec), y, seed=spec.design.seed)
                for i, name in enumerate(problem["names"]):
                    rows.append(dict(scenario=scenario, outcome=out, parameter=name, index="mu_star",
                                     value=res["mu_star"][i], ci=res["mu_star_conf"][i]))
                    rows.append(dict(scenario=scenario, outcome=out, parameter=name, index="sigma",
                                     value=res["sigma"][i], ci=np.nan))
    return pd.DataFrame(rows)


def plot(ix: pd.DataFrame, path: Path) -> None:
    """Write :func:`figure` to ``path``."""
    fig = figure(ix)
    fig.savefig(path, dpi=130)
    plt.close(fig)


def figure(ix: pd.DataFrame):
    """One panel per headline outcome: total-order Sobol index (or Morris mu*, in the outcome's unit) per
    parameter with its 95 % CI; the bars of an index that cannot be negative stop at zero."""
    main = "ST" if (ix["index"] == "ST").any() else "mu_star"
    sub = ix[ix["index"] == main]
    outs = list(dict.fromkeys(sub["outcome"]))
    n_par = sub["parameter"].nunique()
    fig, axes = plt.subplots(1, max(len(outs), 1), figsize=(3.9 * max(len(outs), 1), 2.2 + 0.32 * n_par),
                             squeeze=False, sharey=True)
    # One order for every panel: parameters by their mean share of each outcome's largest index.
    table = sub.groupby(["outcome", "parameter"])["value"].mean().unstack("parameter").clip(lower=0)
    order = list((table.div(table.max(axis=1).replace(0, 1), axis=0)).mean().sort_values(ascending=False).index)
    for ax, out in zip(axes[0], outs):
        d = sub[sub["outcome"] == out].groupby("parameter")[["value", "ci"]].mean().reindex(order)
        value = d["value"].clip(lower=0).to_numpy(float)  # both indices are >= 0; estimates a hair below are noise
        ci = d["ci"].fillna(0).to_numpy(float)
        err = np.vstack([np.minimum(ci, value), ci])  # the lower bar stops at zero
        ax.barh(range(len(d)), value, xerr=err, color="#1b7f8c", alpha=0.8, error_kw={"lw": 0.8, "capsize": 2})
        ax.set_xlim(left=0)
        ax.set_title(label(out, unit=False), fontsize=9, wrap=True)
        unit = unit_of(out)
        ax.set_xlabel("total-order index (share of variance)" if main == "ST" else f"μ* ({unit or 'outcome units'})",
                      fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3, axis="x")
    first = axes[0][0]  # the panels share the y axis: label and invert it once
    first.set_yticks(range(len(order)))
    first.set_yticklabels([p.replace("_", " ") for p in order], fontsize=8)
    first.invert_yaxis()
    what = "total-order Sobol index" if main == "ST" else "Morris μ*, mean absolute elementary effect"
    scenarios = ", ".join(dict.fromkeys(ix["scenario"])) if "scenario" in ix else ""
    fig.suptitle(f"Sensitivity of the headline outcomes ({what}; bars: 95 % CI)"
                 f"{f' — scenario {scenarios}' if scenarios else ''}", fontsize=10)
    fig.tight_layout()
    return fig
