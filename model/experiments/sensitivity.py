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
from .sweep import SweepSpec, salib_problem

HEADLINE = ("arm_held_azssr_km2", "casualties_aze", "casualties_arm", "coup_attempts_aze", "days_to_ceasefire")
"""Territory at the ceasefire date, casualties, coups and the ceasefire date."""


def _unit_samples(spec: SweepSpec) -> np.ndarray:
    problem = salib_problem(spec)
    if spec.design.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, spec.design.samples, seed=spec.design.seed)
    from SALib.sample import sobol

    return sobol.sample(problem, spec.design.samples, calc_second_order=False, seed=spec.design.seed)


def indices(spec: SweepSpec, table: pd.DataFrame, outcomes=HEADLINE) -> pd.DataFrame:
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
    """One panel per headline outcome: total-order (or mu*) index per parameter with its CI."""
    main = "ST" if (ix["index"] == "ST").any() else "mu_star"
    sub = ix[ix["index"] == main]
    outs = list(dict.fromkeys(sub["outcome"]))
    fig, axes = plt.subplots(1, max(len(outs), 1), figsize=(3.6 * max(len(outs), 1), 3.2 + 0.18 * sub["parameter"].nunique()),
                             squeeze=False)
    for ax, out in zip(axes[0], outs):
        d = sub[sub["outcome"] == out].groupby("parameter")[["value", "ci"]].mean().sort_values("value")
        ax.barh(d.index, d["value"], xerr=d["ci"].fillna(0), color="#1b7f8c", alpha=0.8)
        ax.set_title(out, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle(f"Sensitivity ({'total-order Sobol index' if main == 'ST' else 'Morris mu*'}; bars: 95 % CI)",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
