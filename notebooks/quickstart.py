# %% [markdown]
# # karabakh-abm quick start: one run, an ensemble, a counterfactual, a coup-proofing contrast
#
# A script in "percent" cell format: run it as `python notebooks/quickstart.py`, or open it as a
# notebook in JupyterLab/VS Code (with jupytext, `jupytext --to notebook notebooks/quickstart.py`).
# `RUNS` keeps it quick; raise it for real analyses. The test suite runs this file with RUNS=2.

# %%
import os

import pandas as pd

from model import KarabakhWar
from model.experiments.runner import RunSpec, replicate_seeds, run_many
from model.experiments.statistics import paired_difference_ci

RUNS = int(os.environ.get("KARABAKH_QUICKSTART_RUNS", "12"))
WORKERS = 2

# %% [markdown]
# ## One run of the historical scenario
# Captures, coups and ceasefires emerge; another seed gives another campaign.

# %%
if __name__ == "__main__":
    m = KarabakhWar(rng=3).run()
    print(f"{len(m.captures)} changes of hands; casualties aze {m.casualties[0]:,.0f} / arm {m.casualties[1]:,.0f}")
    print("coups:", [(c["date"], c["country"], c["kind"], c["plotter"], c["success"]) for c in m.coups])
    print("ceasefires:", [(c["start"], c["end"], c["violations"]) for c in m.ceasefires])

# %% [markdown]
# ## An ensemble and a counterfactual, on the same seeds (common random numbers)
# `run_many` returns one tidy row per run; the same seeds in both scenarios make the paired
# difference a clean estimate of the counterfactual's effect.

# %%
if __name__ == "__main__":
    seeds = replicate_seeds(2026, RUNS)
    specs = [RunSpec(seed=s, scenario=sc, until=None, labels={"label": sc})
             for sc in ("historical", "no_1993_coup") for s in seeds]
    table = run_many(specs, workers=WORKERS)
    a = table[table["label"] == "historical"].sort_values("seed")
    b = table[table["label"] == "no_1993_coup"].sort_values("seed")
    for col in ("arm_held_azssr_km2", "casualties_aze", "coup_attempts_azerbaijan"):
        est, lo, hi = paired_difference_ci(a[col].to_numpy(), b[col].to_numpy())
        print(f"no_1993_coup - historical, {col}: {est:+,.1f} [{lo:+,.1f}, {hi:+,.1f}]")

# %% [markdown]
# ## Coup-proofing: Azerbaijan with none vs all of the practices
# `profiles` overrides items of the 13-item WCMRD profile for every regime of a government
# (docs/ODD.md §7.9 says what each item does).

# %%
if __name__ == "__main__":
    practices = ["ethnic_exclusion", "ideological_requirements", "party_membership", "political_education",
                 "paramilitary_counterweight", "internal_intelligence", "recent_purge"]
    specs = [RunSpec(seed=s, profiles={"azerbaijan": {k: level for k in practices}}, labels={"level": level})
             for level in (0.0, 1.0) for s in seeds]
    cp = run_many(specs, workers=WORKERS)
    print(cp.groupby("level")[["arm_held_azssr_km2", "loss_exchange_ratio", "coup_attempts_azerbaijan",
                               "coups_successful_azerbaijan"]].mean().round(2))
    pd.set_option("display.width", 120)
