"""Regressions of a run-level table with standard errors clustered by design point, as tidy tables.

Political scientists read results as coefficient tables, so the harness fits the models they
would fit to observational data (logit, Poisson, OLS) to the model's runs. Runs at one design
point share their profile, so their errors are not independent: standard errors are clustered
by design point and intervals use a t distribution with clusters − 1 degrees of freedom.

A model that cannot be estimated (an outcome or term that does not vary, perfect separation,
too few runs or clusters, no convergence) gives rows saying ``not estimable: <reason>``
instead of an exception or meaningless numbers. statsmodels is the optional ``analysis``
extra, imported where it is used.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..outputs.numbers import interval, p_value

FAMILIES = ("ols", "logit", "poisson")
TIDY_COLUMNS = ("model", "family", "outcome", "term", "estimate", "ci_low", "ci_high", "p", "n", "clusters", "note")


@dataclass(frozen=True)
class Spec:
    """One regression: ``outcome ~ 1 + terms`` of a family; ``binary`` turns the outcome into outcome > 0."""

    name: str
    family: str
    outcome: str
    terms: tuple[str, ...]
    binary: bool = False


class NotEstimable(Exception):
    """Why a model cannot be estimated, in words a table can show."""


def _rows(spec: Spec, values: dict[str, tuple[float, float, float, float]], n: int, clusters: int,
          note: dict[str, str]) -> list[dict]:
    out = []
    for term in ("const", *spec.terms):
        est, lo, hi, p = values.get(term, (np.nan,) * 4)
        out.append({"model": spec.name, "family": spec.family, "outcome": spec.outcome + (" > 0" if spec.binary else ""),
                    "term": term, "estimate": est, "ci_low": lo, "ci_high": hi, "p": p, "n": n,
                    "clusters": clusters, "note": note.get(term, "")})
    return out


def _data(table: pd.DataFrame, spec: Spec, cluster: str) -> pd.DataFrame:
    missing = [c for c in (spec.outcome, *spec.terms, cluster) if c not in table.columns]
    if missing:
        raise NotEstimable(f"column(s) {missing} not in the table")
    d = table[[spec.outcome, *spec.terms, cluster]].copy()
    d[[spec.outcome, *spec.terms]] = d[[spec.outcome, *spec.terms]].apply(pd.to_numeric, errors="coerce")
    d = d.replace([np.inf, -np.inf], np.nan).dropna()
    if spec.binary:
        d[spec.outcome] = (d[spec.outcome] > 0).astype(float)
    return d


def _check(d: pd.DataFrame, spec: Spec, cluster: str, terms: list[str]) -> None:
    y = d[spec.outcome]
    if len(d) < len(terms) + 3:
        raise NotEstimable(f"too few runs ({len(d)}) for {len(terms) + 1} coefficients")
    clusters = d[cluster].nunique()
    if clusters < len(terms) + 2:  # the clustered covariance has rank at most clusters - 1
        raise NotEstimable(f"{clusters} design point(s) (clusters) for {len(terms) + 1} coefficients; "
                           f"clustered standard errors need at least {len(terms) + 2}")
    if y.nunique() < 2:
        raise NotEstimable(f"outcome does not vary (all {y.iloc[0]:g})")
    if spec.family == "logit" and not set(y.unique()) <= {0.0, 1.0}:
        raise NotEstimable("logit outcome is not 0/1")
    if spec.family == "poisson" and ((y < 0) | (y != np.round(y))).any():
        raise NotEstimable("Poisson outcome is not a count")
    if spec.family == "logit":
        for t in terms:  # complete separation on one term: the two classes do not overlap
            x0, x1 = d.loc[y == 0, t], d.loc[y == 1, t]
            if x0.max() < x1.min() or x1.max() < x0.min():
                raise NotEstimable(f"perfect separation: {t} predicts the outcome exactly")
            if len(terms) == 1 and (x0.max() <= x1.min() or x1.max() <= x0.min()):
                raise NotEstimable(f"quasi-complete separation: one outcome only at one end of {t}")


def fit(table: pd.DataFrame, spec: Spec, cluster: str = "design_point") -> pd.DataFrame:
    """Tidy coefficient rows of one model (one per term and the constant); see the module docstring."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning, PerfectSeparationWarning

    if spec.family not in FAMILIES:
        raise ValueError(f"family {spec.family!r}; expected one of {FAMILIES}")
    n = clusters = 0
    try:
        d = _data(table, spec, cluster)
        n, clusters = len(d), int(d[cluster].nunique())
        note = {t: "not estimable: does not vary in these runs" for t in spec.terms if d[t].nunique() < 2}
        terms = [t for t in spec.terms if t not in note]
        if not terms:
            raise NotEstimable("no term varies in these runs")
        _check(d, spec, cluster, terms)
        X = sm.add_constant(d[terms].to_numpy(float), has_constant="add")
        if np.linalg.matrix_rank(X) < X.shape[1]:
            raise NotEstimable(f"terms {terms} are collinear in these runs")
        model = {"ols": sm.OLS, "logit": sm.Logit, "poisson": sm.Poisson}[spec.family](d[spec.outcome].to_numpy(float), X)
        kw = {} if spec.family == "ols" else {"disp": 0, "maxiter": 200}
        groups = pd.factorize(d[cluster])[0]
        with warnings.catch_warnings():
            warnings.simplefilter("error", PerfectSeparationWarning)
            for w in (ConvergenceWarning, HessianInversionWarning, RuntimeWarning):
                warnings.simplefilter("error", w)
            try:
                res = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True, **kw)
            except (PerfectSeparationWarning, np.linalg.LinAlgError) as exc:
                raise NotEstimable(f"perfect separation or singular fit ({type(exc).__name__})") from None
            except (ConvergenceWarning, HessianInversionWarning, RuntimeWarning) as exc:
                raise NotEstimable(f"no convergence ({type(exc).__name__})") from None
        if spec.family != "ols" and not res.mle_retvals.get("converged", True):
            raise NotEstimable("no convergence")
        ci, p = res.conf_int(0.05), res.pvalues
        if not (np.isfinite(res.bse).all() and np.isfinite(ci).all()):
            raise NotEstimable("standard errors not finite")
        if (res.bse <= 1e-9 * np.maximum(np.abs(res.params), 1.0)).any():
            raise NotEstimable("standard errors degenerate (the outcome is a function of the terms)")
        names = ["const", *terms]
        values = {t: (float(res.params[i]), float(ci[i, 0]), float(ci[i, 1]), float(p[i])) for i, t in enumerate(names)}
    except NotEstimable as why:
        return pd.DataFrame(_rows(spec, {}, n, clusters, {t: f"not estimable: {why}" for t in ("const", *spec.terms)}),
                            columns=TIDY_COLUMNS)
    return pd.DataFrame(_rows(spec, values, n, clusters, note), columns=TIDY_COLUMNS)


def fit_all(table: pd.DataFrame, specs: list[Spec], cluster: str = "design_point") -> pd.DataFrame:
    """All models stacked into one tidy table."""
    return pd.concat([fit(table, s, cluster) for s in specs], ignore_index=True)


def to_markdown(tidy: pd.DataFrame) -> str:
    """The tidy table as Markdown: one line per term, estimate [95 % CI], p, N and clusters."""
    lines = ["| model | outcome | term | estimate [95 % CI] | p | N | clusters | note |", "|---|---|---|---|---|---|---|---|"]
    for r in tidy.itertuples(index=False):
        est = "" if pd.isna(r.estimate) else interval(r.estimate, r.ci_low, r.ci_high)
        lines.append(f"| {r.model} | {r.outcome} | {r.term} | {est} | {'' if pd.isna(r.p) else p_value(r.p)} | {r.n} | {r.clusters} | {r.note} |")
    return "\n".join(lines)
