"""The tools analysts already use drive the model as documented: the EMA Workbench (ReplicatorModel,
scalar outcomes, EMA's own seeding, sequential and multiprocessing evaluators) and SALib on the
public API (model.experiments.salib_example), as the README shows them."""

from __future__ import annotations

import numpy as np
import pytest

ema = pytest.importorskip("ema_workbench", reason="the EMA example needs ema_workbench: pip install -e '.[test]'")


@pytest.mark.filterwarnings("ignore:.*is multi-threaded.*:DeprecationWarning")  # EMA forks after starting its log thread
def test_ema_replicator_model_runs_two_seeds_to_the_end_date_on_both_evaluators():
    from ema_workbench import MultiprocessingEvaluator, Sample, SequentialEvaluator, perform_experiments

    from model.experiments.ema import SCALARS, ema_model

    model = ema_model(n_replications=2, seed=5)
    assert all(isinstance(r["rng"], np.integer) for r in model.replications)  # EMA's seeds: NumPy integers
    point = Sample(attrition_rate=0.012, training_effect=2.0, breakthrough_ratio=2.0, coup_base_rate=0.002,
                   ceasefire_pressure_weight=3.0)
    results = {}
    for name, evaluator in (("sequential", SequentialEvaluator(model)),
                            ("multiprocessing", MultiprocessingEvaluator(model, n_processes=2))):
        with evaluator as ev:
            experiments, outcomes = perform_experiments(model, scenarios=[point], evaluator=ev)
        assert set(outcomes) == set(SCALARS) and all(v.shape == (1,) for v in outcomes.values())  # scalars
        results[name] = outcomes
    assert results["sequential"]["days"][0] == 1127, "each replication runs to the end date (1994-12-31)"
    for k in SCALARS:
        assert results["multiprocessing"][k][0] == results["sequential"][k][0], k  # the seed decides, not the evaluator
    assert 0 < results["sequential"]["arm_held_azssr_km2"][0] < 86_600  # km² of the Azerbaijan SSR


def test_ema_seeds_give_the_runs_the_model_gives_them():
    from model import KarabakhWar, outcomes
    from model.experiments.ema import karabakh, replications

    seed = replications(1, seed=5)[0]["rng"]
    row = karabakh(until="1992-03-31", rng=seed, attrition_rate=0.02)
    direct = outcomes(KarabakhWar(rng=int(seed), until="1992-03-31", attrition_rate=0.02).run())
    assert row["casualties_aze"] == direct["casualties_aze"] and row["days"] == direct["days"]


def readme_examples() -> list[str]:
    """The Python blocks of the README's section on Jupyter, batch_run, EMA and SALib, verbatim."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = text.split("### Use it from Jupyter, Mesa's batch_run, the EMA Workbench and SALib")[1].split("\n## ")[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.mark.filterwarnings("ignore:.*is multi-threaded.*:DeprecationWarning")
@pytest.mark.parametrize("index, tool", [(0, "batch_run"), (1, "ema_workbench"), (2, "SALib")])
def test_the_readme_examples_work_as_written(index, tool, capsys):
    blocks = readme_examples()
    assert len(blocks) == 3 and tool in blocks[index]
    exec(compile(blocks[index], f"README example {index} ({tool})", "exec"), {"__name__": "readme_example"})
    printed = capsys.readouterr().out
    assert printed.strip(), "each example prints its result"
    if tool == "batch_run":  # the runs reach the end date: 1,127 days
        assert printed.count("1127") == 4
