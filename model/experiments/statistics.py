"""Statistics for many runs: bootstrap confidence intervals for means, paired differences, slopes."""

from __future__ import annotations

from typing import Callable

import numpy as np


def bootstrap_ci(values: np.ndarray, stat: Callable[[np.ndarray], float] = np.mean, n: int = 2000,
                 seed: int = 0, level: float = 0.95) -> tuple[float, float, float]:
    """(estimate, low, high): percentile bootstrap interval of ``stat`` over ``values``."""
    values = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(values), size=(n, len(values)))
    boots = np.array([stat(values[i]) for i in idx])
    a = (1 - level) / 2
    return float(stat(values)), float(np.quantile(boots, a)), float(np.quantile(boots, 1 - a))


def paired_difference_ci(a: np.ndarray, b: np.ndarray, **kw) -> tuple[float, float, float]:
    """Bootstrap CI of mean(b - a) for paired samples (same seeds: common random numbers)."""
    return bootstrap_ci(np.asarray(b, float) - np.asarray(a, float), **kw)


def slope_ci(x: np.ndarray, y: np.ndarray, n: int = 2000, seed: int = 0,
             groups: np.ndarray | None = None) -> tuple[float, float, float]:
    """OLS slope of y on x with a percentile bootstrap 95 % interval, resampling runs, or whole ``groups``
    of runs: with common random numbers the runs of one seed at every design point are one draw of the
    war, so resampling seeds (``groups`` = the seed of each run) keeps their pairing and gives the
    interval of a paired design."""
    x, y = np.asarray(x, float), np.asarray(y, float)

    def slope(ix):
        xx, yy = x[ix], y[ix]
        vx = ((xx - xx.mean()) ** 2).sum()
        return float(((xx - xx.mean()) * (yy - yy.mean())).sum() / vx) if vx > 0 else np.nan

    rng = np.random.default_rng(seed)
    if groups is None:
        boots = np.array([slope(rng.integers(0, len(x), len(x))) for _ in range(n)])
    else:
        members = [np.flatnonzero(k) for k in (np.asarray(groups)[None, :] == np.unique(groups)[:, None])]
        boots = np.array([slope(np.concatenate([members[g] for g in rng.integers(0, len(members), len(members))]))
                          for _ in range(n)])
    return slope(np.arange(len(x))), float(np.nanquantile(boots, 0.025)), float(np.nanquantile(boots, 0.975))
