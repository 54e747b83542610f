"""Clustered regressions recover known coefficients and say when a model cannot be estimated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.experiments.regression import Spec, fit, fit_all, to_markdown


def design(n_points=12, runs=25, seed=0):
    """A synthetic run table: x set per design point (as the harness sets indices), a cluster effect."""
    rng = np.random.default_rng(seed)
    x = np.repeat(np.linspace(-1, 1, n_points), runs)
    point = np.repeat([f"p{i}" for i in range(n_points)], runs)
    shock = np.repeat(rng.normal(0, 0.1, n_points), runs)
    z = rng.normal(0, 1, len(x))  # a run-level regressor
    return pd.DataFrame({"design_point": point, "x": x, "z": z, "shock": shock}), rng


def coefficient(tidy, term):
    return tidy.set_index("term").loc[term]


def test_ols_recovers_known_coefficients_within_the_interval():
    d, rng = design()
    d["y"] = 2.0 + 3.0 * d["x"] - 1.0 * d["z"] + d["shock"] + rng.normal(0, 0.5, len(d))
    tidy = fit(d, Spec("ols", "ols", "y", ("x", "z")))
    for term, truth in (("const", 2.0), ("x", 3.0), ("z", -1.0)):
        r = coefficient(tidy, term)
        assert r.ci_low < truth < r.ci_high, (term, r.to_dict())
        assert r.ci_low > 0 or r.ci_high < 0  # and the interval excludes 0
    assert set(tidy["n"]) == {len(d)} and set(tidy["clusters"]) == {12} and (tidy["note"] == "").all()


def test_logit_and_poisson_recover_known_coefficients():
    d, rng = design(n_points=20, runs=100, seed=1)
    eta = -0.5 + 1.5 * d["x"]
    d["won"] = rng.random(len(d)) < 1 / (1 + np.exp(-eta))
    d["attempts"] = rng.poisson(np.exp(0.3 + 0.8 * d["x"]))
    tidy = fit_all(d, [Spec("logit", "logit", "won", ("x",), binary=True), Spec("poisson", "poisson", "attempts", ("x",))])
    logit, poisson = (coefficient(tidy[tidy["model"] == m], "x") for m in ("logit", "poisson"))
    assert logit.ci_low < 1.5 < logit.ci_high and logit.ci_low > 0
    assert poisson.ci_low < 0.8 < poisson.ci_high and poisson.ci_low > 0


def test_no_effect_gives_an_interval_around_zero():
    d, rng = design(seed=2)
    d["y"] = 1.0 + rng.normal(0, 1, len(d))
    r = coefficient(fit(d, Spec("ols", "ols", "y", ("x",))), "x")
    assert r.ci_low < 0 < r.ci_high and r.p > 0.05


@pytest.mark.parametrize("make, spec, says", [
    (lambda d: d.assign(y=0.0), Spec("m", "poisson", "y", ("x",)), "outcome does not vary (all 0)"),
    (lambda d: d.assign(y=(d["x"] > 0).astype(float)), Spec("m", "logit", "y", ("x",)), "perfect separation"),
    (lambda d: d.assign(y=((d["x"] == d["x"].max()) & (d["z"] > 0)).astype(float)), Spec("m", "logit", "y", ("x",)),
     "quasi-complete separation"),
    (lambda d: d.assign(y=d["z"], design_point="one"), Spec("m", "ols", "y", ("x",)), "1 design point(s) (clusters) for 2 coefficients"),
    (lambda d: d.iloc[::100].assign(y=d["z"].iloc[::100]), Spec("m", "ols", "y", ("x",)), "too few runs"),
    (lambda d: d[d["design_point"].isin(["p0", "p11"])].assign(y=d["z"]), Spec("m", "ols", "y", ("x",)),
     "clustered standard errors need at least 3"),
    (lambda d: d.assign(y=1 + 2 * d["x"]), Spec("m", "ols", "y", ("x",)), "degenerate"),
    (lambda d: d.assign(y=d["z"]), Spec("m", "ols", "y", ("nope",)), "not in the table"),
    (lambda d: d.assign(y=d["z"], x2=2 * d["x"]), Spec("m", "ols", "y", ("x", "x2")), "collinear"),
    (lambda d: d.assign(y=d["z"] + 0.5), Spec("m", "logit", "y", ("x",)), "not 0/1"),
])
def test_models_that_cannot_be_estimated_say_why(make, spec, says):
    d, _ = design(seed=3)
    tidy = fit(make(d), spec)
    assert tidy["estimate"].isna().all()
    assert all(n.startswith("not estimable: ") and says in n for n in tidy["note"]), tidy["note"].tolist()


def test_a_term_without_variation_is_reported_and_the_rest_estimated():
    """Narang & Talmadge's design when the internal role is not varied: only the coup-proofing term is estimable."""
    d, rng = design(seed=4)
    d["role"] = 0.4
    d["y"] = 1.0 + 2.0 * d["x"] + rng.normal(0, 0.3, len(d))
    tidy = fit(d, Spec("nt", "ols", "y", ("x", "role"))).set_index("term")
    assert tidy.loc["role", "note"].startswith("not estimable: does not vary")
    assert tidy.loc["x", "ci_low"] < 2.0 < tidy.loc["x", "ci_high"]


def test_markdown_has_a_line_per_term():
    d, rng = design()
    d["y"] = d["x"] + rng.normal(0, 1, len(d))
    md = to_markdown(fit_all(d, [Spec("a", "ols", "y", ("x",)), Spec("b", "poisson", "x", ("z",))]))
    lines = md.splitlines()
    assert len(lines) == 2 + 4 and lines[0].startswith("| model | outcome | term | estimate [95 % CI] | p | N | clusters")
    assert "not estimable: Poisson outcome is not a count" in md
