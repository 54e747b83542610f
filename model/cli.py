"""The ``karabakh`` command line.

Errors in input (data files, scenario files, options) print one clear line
naming the file, place and expectation, and exit with status 2; nothing is
written in that case.
"""

from __future__ import annotations

import argparse
import importlib.util
import datetime as dt
import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

from .errors import InputError

EPILOG_MAIN = textwrap.dedent("""\
    examples:
      karabakh run                              historical scenario, seed 0, full period
      karabakh run --seed 7 --until 1994-05-12  stop at the ceasefire date
      karabakh run my_counterfactual.toml --out runs/cf --format parquet
      karabakh experiment coup-proofing --runs 20   coup-proofing hypotheses over many seeds
      karabakh compare historical no_mujahideen --runs 30   a counterfactual vs the baseline
      karabakh sweep spec.toml --workers 2 --out runs/s1   a resumable parameter sweep
      karabakh scenarios                        list the built-in scenarios
      karabakh params                           list parameters with their sources
      karabakh wargame                          the classroom wargame in the browser

    Sides are coded neutrally: aze = Azerbaijan, arm = Armenia and the
    Nagorno-Karabakh forces. See README.md and docs/ODD.md.""")

EPILOG_RUN = textwrap.dedent("""\
    writes into OUT:
      control.csv (or .parquet)   date, district, arm_share: share of each district held
                                  by the arm side, weekly and on every change
      summary.json                captures, territory (end and 1994-05-12), casualties,
                                  displaced, coups, ceasefires, events, parameters
      control_map.png             control at several dates on the district network
      territory_casualties.png    territory, casualties, displaced and personnel in service
                                  over time, each beside the documented record

    The same scenario and seed always give identical files; different seeds give
    different (emergent) campaigns.

    examples:
      karabakh run --seed 3
      karabakh run historical --seed 3 --until 1993-06-30 --out runs/h3
      karabakh run scenarios/historical.toml --set attrition_rate=0.03 --force --out runs/x""")


EPILOG_EXPERIMENT = textwrap.dedent("""\
    coup-proofing design:
      index  every coup-proofing practice (WCMRD items 4-7, 10-12) of one side's
             governments set to each level, the other side as documented
      item   one practice of Azerbaijan's regimes set to 0 and to 1
      --knockouts each     the findings' runs again with each coup-proofing channel
                           switched off, then all at once: which channels carry them
      --coding-uncertainty the findings' runs again with the uncertain codings redrawn
      Every design point runs the same seeds (common random numbers).

    writes into OUT:
      results.csv, results.parquet  one row per run: design, seed, profile indices,
                                    coup attempts/successes, territory at 1994-05-12,
                                    casualties, loss-exchange ratio, error (if any)
      report.md                     whether the model reproduces the literature's
                                    directions, with 95 % bootstrap intervals, and
                                    regression tables (clustered by design point)
      regressions.csv, .md          the regressions as tidy tables: term, estimate,
                                    95 % CI, p, N, clusters, note
      coup_proofing.png             outcomes vs coup-proofing level with bands
      design.json                   the command, settings and seeds

    examples:
      karabakh experiment coup-proofing --runs 10 --out runs/cp-small
      karabakh experiment coup-proofing --runs 40 --workers 2 --sides aze --out runs/cp-aze
      karabakh experiment coup-proofing --set counterweight_share=0.3 --out runs/cp-cw
      karabakh experiment coup-proofing --runs 8 --levels 0,1 --knockouts each --coding-uncertainty""")


EPILOG_COMPARE = textwrap.dedent("""\
    writes into OUT:
      differences.csv   per outcome: mean in A and B, B - A with 95 % CI, share of runs
                        (territory on 1994-05-12 and at the end, casualties, displaced,
                        coups, days to the durable ceasefire, each district's first
                        capture day; with --score, the loss against the documented
                        record)
      results.csv/.parquet  one row per run; series.parquet  weekly territory per run
      report.md         the table in Markdown, with the scenario's question
      territory.png     territory over time, median and 90 % band per scenario
      capture_dates.png first capture date of each district, one dot per run
      design.json       the command, seeds and settings

    examples:
      karabakh compare historical no_mujahideen --runs 30 --out runs/cmp-muj
      karabakh compare historical my_counterfactual.toml --runs 50 --workers 2
      karabakh compare historical no_russian_mediation --until 1995-06-30 --out runs/cmp-med
      karabakh compare historical historical_mixed --runs 100 --score   # patrons deciding: closer to the record?""")


EPILOG_SWEEP = textwrap.dedent("""\
    writes into OUT:
      results/part-*.parquet   one row per run (run_id, point, replicate, seed, param.*,
                               outcomes, error, wall_s); read with pandas.read_parquet(OUT/'results')
      series/part-*.parquet    weekly territory per run, if the spec sets series = true
      summary.csv              one row per (scenario, point): swept values, runs, failed, and per
                               outcome the mean over replicates with its 95 % CI and share defined
      outcomes_vs_parameters.png   each outcome against each swept parameter (dots: runs)
      spec.toml, manifest.json the spec and the progress/timing record

    A run's seed comes from the spec's root_seed (numpy SeedSequence), so results
    do not depend on workers, completion order or backend. Interrupted? Run the
    same command again: only missing runs are done.

    exit status: 0 every run succeeded; 2 bad input (nothing run or written);
    3 some runs failed (the others are written; their errors are in results/, column 'error')

    examples:
      karabakh sweep docs/examples/sweep_attrition.toml --workers 2 --out runs/att
      karabakh sweep spec.toml --backend dask --scheduler tcp://head:8786 --out /shared/runs/s1""")

EPILOG_SENSITIVITY = textwrap.dedent("""\
    writes into OUT, besides the sweep's files:
      sensitivity.csv   scenario, outcome, parameter, index (S1/ST or mu_star/sigma), value, ci
      sensitivity.png   total-order index (or mu*) per parameter for each headline outcome

    examples:
      karabakh sensitivity docs/examples/sensitivity_morris.toml --workers 2 --out runs/sa""")


EPILOG_CALIBRATE = textwrap.dedent("""\
    writes calibration/params/NAME.toml (values, score, date, data version, seeds and the
    command) and keeps the optuna study in calibration/studies/NAME.db (resumable: the
    same command continues until --trials trials exist). The set kept is the best, on
    --holdout seeds that took no part in the fit (default: as many as --seeds), of the
    study's 5 best trials and its start trials (the committed set among them), so that
    a refit is not kept for its luck with the fit's seeds; it replaces the committed set
    only if it beats it there by 2 bootstrap standard errors of the difference, and
    again on --confirm further fresh seeds (default: as many as --holdout), since the
    held-out seeds chose the best of several candidates.
    The historical scenario uses calibration/params/default.toml ('calibration = "default"' in scenarios/historical.toml).

    examples:
      karabakh calibrate --trials 60 --jobs 2                 # in-sample: the whole documented history
      karabakh calibrate --trials 60 --until 1993-06-30       # out-of-sample check: fit up to mid-1993
      karabakh validate --calibration until-1993-06-30        # then score the rest
      karabakh calibrate --trials 300 --refine                # refit after a model change: starts from the
                                                              # committed set, probes one parameter at a time
      karabakh calibrate --trials 40 --refine --seeds 128 --free coup_base_rate,plot_loyalty_threshold
                                                              # refit two parameters, the rest as committed
      karabakh calibrate --trials 40 --refine --set depot_wait_days=30 --free scapegoat_rate,rout_rate
                                                              # the best set with recruits waiting 30 days
      karabakh calibrate --patrons --trials 30 --jobs 2       # patron policy only, historical_mixed
                                                              # -> calibration/params/patrons.toml
                                                              # ('patron_calibration' in historical_mixed.toml)""")

EPILOG_VALIDATE = textwrap.dedent("""\
    The loss (model/experiments/scoring.py, docs/ODD.md section 9): months outside each
    documented capture window + 10 x state error at quarterly checkpoints + 2 x (how far
    casualties, displaced persons and personnel in service fall outside their documented
    ranges, relative) + 8 x share of documented patterns missed. Runs go to the end of
    1994; the card also gives the share of seeds showing each documented pattern
    (Stepanakert never taken, no early collapse, changes of power by path and date, the
    May 1994 ceasefire holding). Baselines: persistence (nothing changes) and
    everything-at-once (the final documented state from day one). With --out: card.json,
    card.md, territory_vs_documented.png, capture_dates_vs_documented.png.

    examples:
      karabakh validate --runs 30
      karabakh validate --runs 30 --json > card.json
      karabakh validate --runs 30 --scenario historical_mixed   # patrons that also decide
      karabakh validate --calibration until-1993-06-30 --out runs/val-oos
      karabakh validate --set recruits_per_day_aze=80   # one parameter changed: closer or not?
      karabakh validate --runs 100 --calibration NAME --seed 777   # a refit, on a second set of fresh seeds""")


def _at_least(low: int, what: str):
    """An argparse type: an integer >= ``low``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
        return value
    return parse


_positive = _at_least(1, "a positive integer")
_seed = _at_least(0, "a seed, a non-negative integer")
_count = _at_least(0, "a number of seeds, a non-negative integer")


def _levels(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers in [0, 1], got {text!r}") from None
    if not values or not all(0.0 <= v <= 1.0 for v in values):
        raise argparse.ArgumentTypeError(f"levels must lie in [0, 1], got {text!r}")
    return values


def _items(text: str) -> tuple[str, ...]:
    """Comma-separated coup-proofing practices for the item design ('none': no item design)."""
    from .inputs.regimes import PRACTICES

    names = () if text.strip() == "none" else tuple(x.strip() for x in text.split(",") if x.strip())
    unknown = [n for n in names if n not in PRACTICES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown practice(s) {unknown}; expected 'none' or some of {', '.join(PRACTICES)}")
    return names


def _knockouts(text: str) -> tuple[str, ...]:
    """Comma-separated coup-proofing channels (or 'all'); 'each' is every channel one at a time, then all."""
    from .actors.coup_proofing import knockout_labels

    try:
        return knockout_labels(x.strip() for x in text.split(",") if x.strip())
    except InputError as exc:
        raise argparse.ArgumentTypeError(f"{exc.where}; {exc.problem}") from None


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _assignment(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number after '=', got {value!r}") from None


EPILOG_WARGAME = textwrap.dedent("""\
    how a class runs:
      1. the instructor starts the server and opens http://HOST:PORT/ in a browser;
      2. the instructor's page creates a game (scenario, seed, start date, turn
         length, minutes per turn, which governments students play, intelligence
         noise) and leads to the umpire's page with one join link per role;
      3. each team opens its link: a brief, a map, its own forces exactly, the
         enemy's as estimates, its treasury and stability, an order form;
      4. a turn closes when every team has submitted or at its deadline; the model
         then runs the turn's days. The built-in AI plays the roles nobody took.
         The umpire sees everything, pauses, closes turns, injects scenario events,
         overrides, and rewinds to an earlier turn.

    Every game lives in DIR/<game id>/ (state.json and log.jsonl, which holds every
    order, message and umpire action): stop the server and start it again with the
    same --dir, and the games go on where they were. The same seed and the same
    decisions give the identical war. Anyone who can reach the server can create a
    game: keep the default --host 127.0.0.1 unless the class is on a trusted network
    (then --host 0.0.0.0 and give students http://<your address>:PORT/play/...).
    Instructor guide: docs/wargame.md.

    examples:
      karabakh wargame                                  http://127.0.0.1:8000/
      karabakh wargame no_russian_mediation --port 8080 --dir games/seminar3""")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to render --help in the docs)."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="karabakh", formatter_class=fmt, epilog=EPILOG_MAIN,
        description="karabakh-abm: an agent-based simulation of the 1991-1994 Nagorno-Karabakh war.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run one scenario with one seed and write its outputs", formatter_class=fmt,
                         description="Run one scenario with one seed and write control table, summary and plots.",
                         epilog=EPILOG_RUN)
    run.add_argument("scenario", nargs="?", default="historical",
                     help="built-in scenario name or path to a TOML file (default: historical)")
    run.add_argument("--seed", type=_seed, default=0, help="random seed (default: 0)")
    run.add_argument("--until", type=_date, metavar="DATE", help="stop after this date (YYYY-MM-DD)")
    run.add_argument("--out", type=Path, metavar="DIR",
                     help="output directory (default: runs/<scenario>-seed<N>-<timestamp>)")
    run.add_argument("--format", choices=("csv", "parquet"), default="csv", help="control table format")
    run.add_argument("--set", type=_assignment, action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter (repeatable); 'karabakh params SCENARIO' shows the values in force")
    run.add_argument("--no-plots", action="store_true", help="skip the PNG plots (faster)")
    run.add_argument("--force", action="store_true", help="replace OUT if it exists and is not empty")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary")

    exp = sub.add_parser("experiment", help="run a hypothesis experiment over many seeds", formatter_class=fmt,
                         description="Run a designed experiment over many seeds and write a tidy table, plots "
                                     "and a Markdown report.", epilog=EPILOG_EXPERIMENT)
    exp.add_argument("name", choices=("coup-proofing",), help="which experiment")
    exp.add_argument("--runs", type=_positive, default=20,
                     help="seeds per design point (default: 20; below 12 verdicts are unstable and the report warns)")
    exp.add_argument("--out", type=Path, metavar="DIR",
                     help="output directory (default: runs/experiment-<name>-<timestamp>)")
    exp.add_argument("--workers", type=_positive, default=None, help="processes (default: all cores)")
    exp.add_argument("--seed", type=_seed, default=0, help="root seed; replicate seeds are spawned from it")
    exp.add_argument("--levels", type=_levels, default=(0.0, 0.25, 0.5, 0.75, 1.0), metavar="L1,L2,...",
                     help="coup-proofing levels of the index design (default: 0,0.25,0.5,0.75,1)")
    exp.add_argument("--sides", choices=("aze", "arm", "both"), default="both",
                     help="whose practices the index design varies (default: both, one at a time)")
    exp.add_argument("--until", type=_date, default=dt.date(1994, 5, 12), metavar="DATE",
                     help="end date of each run (default: 1994-05-12, the ceasefire date)")
    exp.add_argument("--set", type=_assignment, action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter for every run (repeatable)")
    exp.add_argument("--items", type=_items, default=None, metavar="ITEMS",
                     help="practices of the item design (default: all seven; 'none' for no item design)")
    exp.add_argument("--knockouts", type=_knockouts, default=(), metavar="CHANNELS",
                     help="also re-run the findings with each of these coup-proofing channels switched off "
                          "('each': every channel, then all at once; a+b: two channels together; names: "
                          "model.actors.coup_proofing.CHANNELS)")
    exp.add_argument("--coding-uncertainty", action="store_true",
                     help="also re-run the findings with the low- and medium-confidence codings redrawn per run "
                          "(model/data/coding_uncertainty.toml)")
    exp.add_argument("--indices", type=Path, action="append", default=[], metavar="FILE",
                     help="a TOML file of extra coup-proofing index definitions (repeatable; format: "
                          "model/data/coup_proofing_indices.toml)")
    exp.add_argument("--force", action="store_true", help="replace OUT if it exists and is not empty")
    exp.add_argument("--quiet", action="store_true", help="no progress bar")

    cmp = sub.add_parser("compare", help="compare two scenarios over many seeds", formatter_class=fmt,
                         description="Run two scenarios over the same seeds and report paired differences with "
                                     "95 % bootstrap intervals, plots and a Markdown report.", epilog=EPILOG_COMPARE)
    cmp.add_argument("a", metavar="SCENARIO_A", help="baseline: built-in name or TOML path (e.g. historical)")
    cmp.add_argument("b", metavar="SCENARIO_B", help="alternative: built-in name or TOML path")
    cmp.add_argument("--runs", type=_positive, default=30, help="seeds per scenario (default: 30)")
    cmp.add_argument("--out", type=Path, metavar="DIR", help="output directory (default: runs/compare-A-B-<timestamp>)")
    cmp.add_argument("--workers", type=_positive, default=None, help="processes (default: all cores)")
    cmp.add_argument("--seed", type=_seed, default=0, help="root seed; replicate seeds are spawned from it")
    cmp.add_argument("--until", type=_date, default=None, metavar="DATE", help="end date (default: the scenarios' end)")
    cmp.add_argument("--set", type=_assignment, action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter in both scenarios (repeatable)")
    cmp.add_argument("--score", action="store_true",
                     help="also score every run against the documented record (the loss of 'karabakh validate') and "
                          "compare the losses: for two variants of the historical scenario, which is closer")
    cmp.add_argument("--force", action="store_true", help="replace OUT if it exists and is not empty")
    cmp.add_argument("--quiet", action="store_true", help="no progress bar")

    for name, help_, desc, epilog in (
            ("sweep", "run a parameter sweep (resumable; local cores or a Dask cluster)",
             "Run every (scenario, parameter point, replicate) of a sweep spec; results go to a Parquet dataset "
             "in OUT, written in atomic chunks. Re-running the same command completes only what is missing.",
             EPILOG_SWEEP),
            ("sensitivity", "global sensitivity analysis (SALib Sobol or Morris) of a sweep spec",
             "Run a sweep spec whose [design].method is 'sobol' or 'morris' (resumable, as 'sweep') and write "
             "the SALib indices of the headline outcomes and a plot.", EPILOG_SENSITIVITY)):
        sw = sub.add_parser(name, help=help_, description=desc, epilog=epilog, formatter_class=fmt)
        sw.add_argument("spec", type=Path, metavar="SPEC", help="sweep spec (TOML; see docs/sweeps.md)")
        sw.add_argument("--out", type=Path, metavar="DIR", help="output directory (default: runs/<name> of the spec)")
        sw.add_argument("--workers", type=_positive, default=None, help="processes (default: all cores)")
        sw.add_argument("--backend", choices=("local", "dask"), default="local",
                        help="local processes, or Dask (a LocalCluster, or --scheduler ADDRESS)")
        sw.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.1:8786")
        sw.add_argument("--batch-runs", type=_positive, default=None, metavar="N",
                        help="runs per task (default: about batch_seconds of work, measured)")
        sw.add_argument("--retry-failed", action="store_true", help="run again the runs recorded with an error")
        sw.add_argument("--quiet", action="store_true", help="no progress bar or summary")

    cal = sub.add_parser("calibrate", help="fit the free parameters to the documented history (optuna)",
                         formatter_class=fmt, epilog=EPILOG_CALIBRATE,
                         description="Fit the free parameters (model.experiments.calibration.FREE_PARAMETERS) within their "
                                     "documented ranges to calibration/timeline.csv and targets.toml with optuna "
                                     "(TPE). Each trial runs the historical scenario on the same seeds and is scored by the median loss "
                                     "plus W_SHARES (model.experiments.scoring) times how far the shares of seeds showing "
                                     "the documented patterns lie outside their target ranges (docs/ODD.md section 9); the study "
                                     "is kept in SQLite, so an interrupted calibration resumes.")
    cal.add_argument("--trials", type=_positive, default=60, help="total trials of the study (default: 60)")
    cal.add_argument("--jobs", type=_positive, default=None, help="processes per trial (default: all cores)")
    cal.add_argument("--seeds", type=_positive, default=None,
                     help="seeds each trial is scored on, the same for every trial (default: 32, so that seed noise "
                          "does not decide; 16 with --patrons)")
    cal.add_argument("--until", type=_date, default=None, metavar="DATE",
                     help="fit only the history up to DATE (out-of-sample check; default: up to 1994-05-12)")
    cal.add_argument("--name", default=None, help="parameter set name (default: 'default', or 'until-DATE')")
    cal.add_argument("--seed", type=_seed, default=0, help="root seed of the scoring seeds (default: 0)")
    cal.add_argument("--refine", action="store_true",
                     help="two of every three trials probe one parameter at a time around the best trial so far "
                          "(pattern search); use it to refit from a committed set after a change to the model")
    cal.add_argument("--start", type=Path, action="append", default=[], metavar="FILE",
                     help="a fresh study starts from the committed set with the values of FILE's [params] "
                          "table (free parameters, inside their fit ranges; repeatable) instead of the committed "
                          "set itself, which is tried last and compared on the held-out seeds but never refined "
                          "around: to refit where several parameters must move together")
    cal.add_argument("--free", action="append", default=[], metavar="NAMES",
                     help="fit only these free parameters (comma-separated, repeatable); the others stay at the "
                          "committed set's values: to refit the few a change touches, with more seeds a trial "
                          "(default: all of FREE_PARAMETERS)")
    cal.add_argument("--set", type=_assignment, action="append", default=[], metavar="NAME=VALUE",
                     help="pin a free parameter at VALUE for every trial (repeatable; not with --free NAME): to fit the "
                          "others around a value a source gives; the committed set is scored beside the trials and "
                          "kept unless a trial beats it as ever; the written set records the pinned values "
                          "([calibration] pinned)")
    cal.add_argument("--holdout", type=_count, default=None, metavar="N",
                     help="score the 5 best trials and the start trials again on N seeds that chose nothing and keep the "
                          "best there, in place of the committed set only if it is better there by 2 standard errors "
                          "of the difference (default: as many as --seeds; 0 keeps the best trial on the fit's seeds, "
                          "which with hundreds of trials is partly the best of their noise)")
    cal.add_argument("--confirm", type=_count, default=None, metavar="N",
                     help="a trial that beats the committed set on the held-out seeds is scored again, beside it, on N "
                          "further fresh seeds and replaces it only if it is better there by 2 standard errors too: the "
                          "held-out seeds choose the best of several candidates, so part of its lead there is their "
                          "noise (default: as many as --holdout; 0 skips it)")
    cal.add_argument("--patrons", action="store_true",
                     help="fit only the patrons' policy parameters ([<patron>.policy_ranges] of data/patrons.toml) "
                          "in --scenario, the war's parameters as they are; writes calibration/params/patrons.toml "
                          "(default --seeds 16 here)")
    cal.add_argument("--scenario", default="historical_mixed", metavar="NAME",
                     help="with --patrons: the scenario whose patrons decide (default: historical_mixed)")
    cal.add_argument("--quiet", action="store_true", help="no progress bar")

    val = sub.add_parser("validate", help="score card: the historical scenario vs the documented history",
                         formatter_class=fmt, epilog=EPILOG_VALIDATE,
                         description="Run the historical scenario over many seeds and print the validation score "
                                     "card: the loss and its parts with baselines, targets, capture dates.")
    val.add_argument("--runs", type=_positive, default=30, help="seeds (default: 30)")
    val.add_argument("--seed", type=_seed, default=None,
                     help="root seed of the scored seeds (default: 12345, which no fit uses); a second root tells "
                          "a real difference between two parameter sets from the luck of one set of seeds")
    val.add_argument("--scenario", default="historical", metavar="NAME",
                     help="the historical scenario or a variant of it, e.g. historical_mixed (default: historical)")
    val.add_argument("--workers", type=_positive, default=None, help="processes (default: all cores)")
    val.add_argument("--calibration", default=None, metavar="NAME",
                     help="score calibration/params/NAME.toml instead of the scenario's own parameter set")
    val.add_argument("--set", type=_assignment, action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter on top of the parameter set (repeatable): how close is the model "
                          "to the record with this value?")
    val.add_argument("--json", action="store_true", help="print the score card as JSON")
    val.add_argument("--out", type=Path, metavar="DIR", help="also write card.json, card.md and plots into DIR")
    val.add_argument("--force", action="store_true", help="replace OUT if it exists and is not empty")
    val.add_argument("--quiet", action="store_true", help="no progress bar")

    sub.add_parser("scenarios", help="list built-in scenarios", description="List built-in scenarios.")
    prm = sub.add_parser("params", help="the parameter values a scenario runs with, and where each comes from",
                         formatter_class=argparse.RawDescriptionHelpFormatter,
                         description="List every model parameter with the value in force for SCENARIO and its origin "
                                     "(documented default, the scenario's calibrated set, the scenario file, or "
                                     "--set), its documented default, range, unit and source.",
                         epilog=textwrap.dedent("""\
      examples:
        karabakh params                                # the historical scenario (calibrated values)
        karabakh params no_russian_mediation
        karabakh params --set attrition_rate=0.03      # what a run with this override would use
        karabakh params | grep -A3 attrition_rate"""))
    prm.add_argument("scenario", nargs="?", default="historical",
                     help="built-in scenario name or path to a TOML file (default: historical)")
    prm.add_argument("--set", type=_assignment, action="append", default=[], metavar="NAME=VALUE",
                     help="an override, as for 'karabakh run' (repeatable)")
    war = sub.add_parser("wargame", help="the classroom wargame: a local web server for an instructor and teams",
                         formatter_class=fmt, epilog=EPILOG_WARGAME,
                         description="Start the classroom wargame's web server: teams play the governments turn by "
                                     "turn in their browsers, the instructor umpires.")
    war.add_argument("scenario", nargs="?", default="historical",
                     help="scenario preselected on the instructor's page (default: historical)")
    war.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    war.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    war.add_argument("--dir", type=Path, default=Path("games"), metavar="DIR",
                     help="folder of the games, created if missing; existing games are loaded (default: games/)")
    return parser


def cmd_run(args) -> int:
    """Run, then write outputs atomically; print a short summary."""
    from tqdm import tqdm

    from .model import KarabakhWar
    from .inputs.history import CEASEFIRE_DATE
    from .inputs.params import resolve
    from .outputs.files import check_out, write_run
    from .outputs.outcomes import outcomes

    resolve(dict(args.set), origin="--set")  # bad overrides are named as options, before the scenario loads
    model = KarabakhWar(scenario=args.scenario, rng=args.seed, until=args.until, **dict(args.set))
    out = args.out or Path("runs") / f"{model.war_scenario.name}-seed{args.seed}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    check_out(out, args.force)
    with tqdm(total=model.n_days, unit="day", disable=args.quiet, desc=f"{model.war_scenario.name} seed {args.seed}",
              file=sys.stderr) as bar:
        model.run(progress=bar.update)
    write_run(model, out, args.seed, fmt=args.format, plots=not args.no_plots, force=args.force)
    if not args.quiet:
        o = outcomes(model)
        on = min(model.start + dt.timedelta(days=model.day - 1), CEASEFIRE_DATE)
        print(f"{o['captures']} changes of hands; Azerbaijan SSR held by the arm side on {on}: "
              f"{o['arm_held_azssr_km2']:,.0f} km², men in service aze {o['personnel_aze']:,.0f} "
              f"({o['front_aze']:,.0f} in units) / arm {o['personnel_arm']:,.0f} ({o['front_arm']:,.0f}); "
              f"to the end: casualties aze {o['casualties_aze']:,.0f} "
              f"({o['casualties_attacking_aze']:,.0f} attacking) / arm {o['casualties_arm']:,.0f} "
              f"({o['casualties_attacking_arm']:,.0f} attacking); displaced aze {o['displaced_aze']:,.0f} / arm "
              f"{o['displaced_arm']:,.0f}; durable ceasefire: {o['ceasefire_date'] or 'none'}")
        print(f"outputs written to {out}")
    return 0


def cmd_experiment(args) -> int:
    """Run the coup-proofing experiment and write table, report, plot and design atomically."""
    import json

    from tqdm import tqdm

    from .experiments.coup_proofing import (coup_proofing_design, coup_proofing_report, plot_coup_proofing,
                                            regression_markdown)
    from .experiments.runner import default_workers, run_many
    from .inputs.indices import load_indices
    from .inputs.params import resolve
    from .outputs.files import atomic_output_dir, check_out

    overrides = dict(args.set)
    resolve(overrides, origin="--set")  # unknown names fail before any run
    load_indices(*args.indices)  # so do bad index definitions
    out = args.out or Path("runs") / f"experiment-{args.name}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    check_out(out, args.force)
    sides = ("aze", "arm") if args.sides == "both" else (args.sides,)
    specs = coup_proofing_design(args.runs, root_seed=args.seed, levels=args.levels, sides=sides,
                                 until=str(args.until), params=overrides, indices=args.indices,
                                 **({} if args.items is None else {"items": args.items}),
                                 knockouts=args.knockouts, coding_uncertainty=args.coding_uncertainty)
    workers = args.workers or default_workers()
    with tqdm(total=len(specs), unit="run", disable=args.quiet, file=sys.stderr,
              desc=f"{args.name} ({workers} workers)") as bar:
        table = run_many(specs, workers=workers, progress=bar.update)
    report, stats = coup_proofing_report(table)
    command = args.command_line
    report = report.replace("\n\n", f"\n\nCommand: `{command}` (settings and seeds: design.json)\n\n", 1)
    with atomic_output_dir(out, force=args.force) as tmp:
        table.to_csv(tmp / "results.csv", index=False)
        table.to_parquet(tmp / "results.parquet", index=False)
        (tmp / "report.md").write_text(report)
        if stats["regressions"] is not None:
            stats["regressions"].to_csv(tmp / "regressions.csv", index=False)
            (tmp / "regressions.md").write_text("\n".join(["# Coup-proofing regressions", "",
                                                           *regression_markdown(stats["regressions"])]))
        plot_coup_proofing(table, tmp / "coup_proofing.png")
        design = {"command": command, "experiment": args.name, "runs_per_point": args.runs,
                  "root_seed": args.seed, "levels": list(args.levels), "sides": list(sides), "until": str(args.until),
                  "parameters": overrides, "index_files": [str(p) for p in args.indices],
                  "knockouts": list(args.knockouts), "coding_uncertainty": args.coding_uncertainty,
                  "seeds": sorted(set(int(x) for x in table["seed"])),
                  "failed_runs": int((table["error"] != "").sum())}
        (tmp / "design.json").write_text(json.dumps(design, indent=2))
    failed = int((table["error"] != "").sum())
    if not args.quiet:
        print(f"{len(table)} runs ({failed} failed); outputs written to {out}")
    return _failed_runs(failed, len(table), f"the 'error' column of {out / 'results.csv'}", "the others are reported")


def cmd_compare(args) -> int:
    """Run both scenarios over the same seeds; write differences, report and plots atomically."""
    import json

    from tqdm import tqdm

    from .experiments import compare
    from .experiments.runner import default_workers, run_many
    from .inputs.history import START
    from .inputs.params import resolve
    from .inputs.scenario import load_scenario
    from .inputs.world import load_world
    from .model import KarabakhWar
    from .outputs.files import atomic_output_dir, check_out

    overrides = dict(args.set)
    resolve(overrides, origin="--set")
    scenarios = {"A": load_scenario(args.a), "B": load_scenario(args.b)}  # bad files fail before any run
    if args.score:
        for sc in scenarios.values():
            if sc.start != START:
                raise InputError("--score", sc.name, f"starts on {sc.start}; the documented record is scored from "
                                                      f"{START} (a variant of the historical scenario)")
    for sc in scenarios.values():  # references too: build each model once, briefly
        KarabakhWar(scenario=sc, rng=0, until=sc.start + dt.timedelta(days=1), **overrides)
    out = args.out or Path("runs") / f"compare-{scenarios['A'].name}-{scenarios['B'].name}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    check_out(out, args.force)
    specs = compare.compare_specs(args.a, args.b, args.runs, root_seed=args.seed,
                                  until=str(args.until) if args.until else None, params=overrides, score=args.score)
    workers = args.workers or default_workers()
    with tqdm(total=len(specs), unit="run", disable=args.quiet, file=sys.stderr, desc=f"compare ({workers} workers)") as bar:
        table = run_many(specs, workers=workers, progress=bar.update)
    diffs = compare.differences(table, root_seed=args.seed)
    series = compare.series_frame(table, {k: sc.start for k, sc in scenarios.items()})
    text = compare.report(scenarios["A"].name, scenarios["B"].name, table, diffs, scenarios["B"].question)
    with atomic_output_dir(out, force=args.force) as tmp:
        flat = table.drop(columns=["series"], errors="ignore")
        flat.to_csv(tmp / "results.csv", index=False)
        flat.to_parquet(tmp / "results.parquet", index=False)
        series.to_parquet(tmp / "series.parquet", index=False)
        diffs.to_csv(tmp / "differences.csv", index=False)
        (tmp / "report.md").write_text(text)
        compare.plot(scenarios["A"].name, scenarios["B"].name, series, table, load_world(), tmp)
        (tmp / "design.json").write_text(json.dumps({
            "command": args.command_line, "A": args.a, "B": args.b, "runs": args.runs,
            "root_seed": args.seed, "until": str(args.until) if args.until else None, "parameters": overrides,
            "score": args.score,
            "seeds": sorted(set(int(x) for x in table["seed"])), "failed_runs": int((table["error"] != "").sum())},
            indent=2))
    if not args.quiet:
        print(text.split("## First capture")[0])
        print(f"outputs written to {out}")
    return _failed_runs(int((table["error"] != "").sum()), len(table), f"the 'error' column of {out / 'results.csv'}",
                        "the others are compared")


def cmd_sweep(args) -> int:
    """Run (or resume) a sweep; for 'sensitivity', also compute and write the SALib indices."""
    from tqdm import tqdm

    from .errors import short
    from .experiments import sweep
    from .experiments.runner import default_workers
    from .outputs.files import atomic_file, check_out

    spec = sweep.load_spec(args.spec)
    if args.command == "sensitivity" and spec.design.method not in ("sobol", "morris"):
        raise InputError(args.spec, "[design].method", f"'{spec.design.method}': sensitivity needs 'sobol' or 'morris'")
    out = args.out or Path("runs") / spec.name
    check_out(out, resumable=True)
    if args.scheduler is not None:
        if args.backend != "dask":
            raise InputError("--scheduler", short(args.scheduler), "needs --backend dask")
        sweep.check_scheduler(args.scheduler)
    todo = sweep.prepare(spec, out, Path(args.spec).read_text(), retry_failed=args.retry_failed)
    total = len(sweep.plan(spec))
    workers = args.workers or (1 if args.backend == "local" and len(todo) < 2 else default_workers())
    if todo:
        with tqdm(total=total, initial=total - len(todo), unit="run", disable=args.quiet, file=sys.stderr,
                  desc=f"{spec.name} ({args.backend}, {workers} workers)") as bar:
            stats = sweep.execute(spec, out, todo, workers=workers, backend=args.backend, scheduler=args.scheduler,
                                  per_batch=args.batch_runs, progress=bar.update)
        sweep.write_manifest(out, {"last_session": stats, "planned_runs": total})
    else:
        stats = None
    table = sweep.read_results(out)
    failed = int((table["error"] != "").sum()) if len(table) else 0
    sweep.write_manifest(out, {"completed_runs": len(table), "failed_runs": failed, "planned_runs": total})
    written = []
    if len(table):
        from .experiments import sweep_summary

        written = sweep_summary.write(table, out, spec.outcomes, title=f"Sweep '{spec.name}': outcomes against each "
                                      f"swept parameter ({spec.replicates} replicates per point; dots: runs)")
    if args.command == "sensitivity":
        from .experiments import sensitivity

        ix = sensitivity.indices(spec, table[table["error"] == ""])
        with atomic_file(out / "sensitivity.csv") as tmp:
            ix.to_csv(tmp, index=False)
        sensitivity.plot(ix, out / "sensitivity.png")
    if not args.quiet:
        print(f"{spec.name}: {len(table)}/{total} runs complete, {failed} failed; results in {out / 'results'}"
              + (f"; {' and '.join(written)} in {out}" if written else ""))
        if stats:
            print(f"this session: {stats['runs']} runs in {stats['wall_seconds']:.1f} s on {stats['workers']} "
                  f"{stats['backend']} workers = {stats['runs_per_second']:.2f} runs/s, "
                  f"{stats['core_seconds_per_run']:.3f} core-seconds per run ({stats['batches']} batches of "
                  f"{stats['batch_size']})")
    return _failed_runs(failed, len(table), f"the 'error' column of {out / 'results'}",
                        "after fixing the cause, run again with --retry-failed")


def _failed_runs(failed: int, runs: int, where: str, retry: str) -> int:
    """Exit status of a many-run command: 0, or 3 with one line saying how many runs failed and where
    their errors are (what did complete is written first)."""
    if not failed:
        return 0
    print(f"karabakh: error: {failed} of {runs} runs failed; their error messages are in {where}; {retry}",
          file=sys.stderr)
    return 3


def _lead_se(committed: dict, entry: dict, score: str, se: str) -> str:
    """How many standard errors ``entry``'s ``score`` (held out, or on the confirmation seeds) is below the committed
    set's, as calibrate prints it."""
    return f"{(committed[score] - entry[score]) / entry[se]:.1f}" if entry.get(se, 0.0) > 0 else "inf"


def cmd_calibrate(args) -> int:
    """Run (or resume) the optuna study and write the calibrated parameter set."""
    from tqdm import tqdm

    from .experiments.calibration import (KEEP_MARGIN_SE, calibrate, calibrate_patrons, check_resumable, fresh_starts,
                                          patron_basis, pinned_values, war_basis)
    from .experiments.scoring import W_SHARES
    from .inputs.scenario import load_scenario
    from .experiments.runner import default_workers
    from .inputs.history import load_targets, load_timeline

    load_timeline(), load_targets()  # bad calibration data fail before any run
    if importlib.util.find_spec("optuna") is None:
        raise InputError("karabakh calibrate", "optuna", "not installed; install the calibration extra first: "
                                                         "pip install -e '.[calibrate]'")
    if args.patrons and args.until:
        raise InputError("karabakh calibrate", "--until", "not with --patrons (the patron fit scores the whole war)")
    if args.patrons and args.start:
        raise InputError("karabakh calibrate", "--start", "not with --patrons (it starts the war's parameters)")
    name = args.name or ("patrons" if args.patrons else f"until-{args.until}" if args.until else "default")
    if args.confirm and args.holdout == 0:
        raise InputError("karabakh calibrate", "--confirm", f"{args.confirm} seeds confirm a choice made on held-out seeds, "
                                                            "and --holdout 0 makes none; give --holdout N or drop --confirm")
    for option, given in (("--free", args.free), ("--set", args.set)):
        if args.patrons and given:
            raise InputError("karabakh calibrate", option, "not with --patrons (it fits the patrons' policy only)")
    free = [n for names in args.free for n in names.split(",")]
    pinned = pinned_values(args.set)
    # bad start files or names, or a study that exists, fail before any run
    fresh_starts(name, args.start, free=free, pinned=list(pinned))
    seeds = args.seeds or (16 if args.patrons else 32)
    # ... and so does a study whose trials were scored on other data, parameters or seeds
    check_resumable(name, patron_basis(seeds, args.scenario, args.seed) if args.patrons
                    else war_basis(name, seeds, args.seed, args.until, free, pinned))
    stages = []

    def stage(desc: str, runs: int):
        """A progress bar for a step after the trials (the held-out seeds, the confirmation): its update function."""
        if stages:
            stages[-1].close()
        stages.append(tqdm(total=runs, unit="run", disable=args.quiet, file=sys.stderr, desc=desc))
        return stages[-1].update

    with tqdm(total=args.trials, unit="trial", disable=args.quiet, file=sys.stderr, desc=f"calibrate {name}") as bar:
        holdout = seeds if args.holdout is None else args.holdout
        confirm = holdout if args.confirm is None else args.confirm
        if args.patrons:
            load_scenario(args.scenario)  # a bad scenario fails before any run
            record = calibrate_patrons(args.trials, args.jobs or default_workers(), seeds=seeds,
                                       scenario=args.scenario, name=name, root_seed=args.seed, progress=bar.update,
                                       command=args.command_line, refine=args.refine, holdout=holdout,
                                       confirm=confirm, stage=stage)
        else:
            record = calibrate(args.trials, args.jobs or default_workers(), seeds=seeds, until=args.until,
                               name=name, root_seed=args.seed, progress=bar.update, command=args.command_line,
                               refine=args.refine, start_files=args.start, holdout=holdout, free=free,
                               confirm=confirm, stage=stage, pinned=pinned)
    for b in stages:
        b.close()
    c = record["calibration"]
    # the trials of a study in which the committed set is no trial (--set)
    pinned_trials = f"{c['trials']} trials that pinned {', '.join(c.get('pinned', {}))}"
    if c.get("holdout"):
        kept = next(h for h in c["holdout"] if h["trial"] == c["best_trial"])
        lead = min(c["holdout"], key=lambda h: (h["holdout"], h["score"]))
        committed = next((h for h in c["holdout"] if h.get("committed")), None)
        where = f"{len(c['holdout_seeds'])} held-out seeds"
        fresh = f"{len(c.get('confirm_seeds', []))} further fresh seeds"
        which = (f"trial {kept['trial']} of {c['trials']}" if kept["trial"] >= 0 else
                 f"scored beside {pinned_trials}")
        if kept is committed and lead is not kept:
            held_lead = f"{_lead_se(committed, lead, 'holdout', 'se_vs_committed')} standard errors better there"
            if "confirm_failed" in lead:
                why = f"{held_lead}, was not confirmed: runs of the {lead['confirm_failed']} set failed on {fresh}"
            elif "confirm" in lead:
                why = (f"{held_lead}, scored {lead['confirm']:.3f} on {fresh} against its {kept['confirm']:.3f}, less "
                       f"than {KEEP_MARGIN_SE:g} standard errors of the difference ({lead['se_confirm']:.3f}) better")
            else:
                why = (f"scored {lead['holdout']:.3f} there against its {kept['holdout']:.3f}, less than "
                       f"{KEEP_MARGIN_SE:g} standard errors of the difference ({lead['se_vs_committed']:.3f}) better")
            print(f"kept the committed set ({which}): the best on {where}, "
                  f"trial {lead['trial']}, {why}; written to calibration/params/{name}.toml")
        else:
            margin = ""
            if committed is not None and kept is not committed and kept.get("se_vs_committed", 0.0) > 0:
                margin = (f", {_lead_se(committed, kept, 'holdout', 'se_vs_committed')} standard errors better than "
                          f"the committed set")
                if "confirm" in kept:
                    margin += (f" ({_lead_se(committed, kept, 'confirm', 'se_confirm')} on {fresh}: "
                               f"{kept['confirm']:.3f} against {committed['confirm']:.3f})")
            print(f"kept {'the committed set (' + which + ')' if kept is committed else which}, the best on {where} "
                  f"among {len(c['holdout'])} "
                  f"(its best and its starts): score {c['score']:.3f} on the {len(c['seeds'])} fit seeds, "
                  f"{kept['holdout']:.3f} held out{margin}; written to calibration/params/{name}.toml")
    else:
        kept = (f"kept the committed set, better on the fit's seeds than the best of {pinned_trials}"
                if c["best_trial"] < 0 else f"best of {c['trials']} trials")
        print(f"{kept}: score {c['score']:.3f} (median loss over {len(c['seeds'])} seeds "
              f"{c['score'] - W_SHARES * c['score_components'].get('share_miss', 0.0):.3f} + {W_SHARES:g} x shares' miss "
              f"{c['score_components'].get('share_miss', 0.0):.3f}); "
              f"written to calibration/params/{name}.toml")
    return 0


def cmd_validate(args) -> int:
    """Print (and optionally write) the validation score card."""
    import json

    from tqdm import tqdm

    from .experiments.runner import default_workers
    from .experiments.validation import card_markdown, plots, validate
    from .inputs.world import load_world
    from .outputs.files import atomic_output_dir, check_out

    if args.out:
        check_out(args.out, args.force)
    with tqdm(total=args.runs, unit="run", disable=args.quiet, file=sys.stderr, desc="validate") as bar:
        root = {} if args.seed is None else {"root_seed": args.seed}
        card, table = validate(args.runs, args.workers or default_workers(), args.calibration, progress=bar.update,
                               scenario=args.scenario, overrides=dict(args.set), **root)
    text = card_markdown(card)
    print(json.dumps(card, indent=2) if args.json else text)
    if args.out:
        with atomic_output_dir(args.out, force=args.force) as tmp:
            (tmp / "card.json").write_text(json.dumps(card, indent=2))
            (tmp / "card.md").write_text(text)
            plots(table, load_world(), tmp)
    return 0


def cmd_scenarios(_args) -> int:
    """Print the built-in scenarios with their descriptions."""
    from .inputs.locations import SCENARIO_DIR
    from .inputs.scenario import load_scenario

    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        sc = load_scenario(path)
        print(f"{path.stem:28s} {sc.start}..{sc.end}  {sc.description.splitlines()[0] if sc.description else ''}")
    return 0


def cmd_params(args) -> int:
    """Print every parameter with the value in force for the scenario and its provenance."""
    from .inputs.params import in_force
    from .inputs.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    rows = in_force(scenario.params, scenario.param_origins, dict(args.set))
    print(f"# Parameters in force for scenario '{scenario.name}' ({scenario.path})")
    for origin in sorted({o for _, _, o in rows}):
        print(f"#   {sum(o == origin for _, _, o in rows):3d} from {origin}")
    print()
    for p, value, origin in rows:
        rng = f", range [{p.low:g}, {p.high:g}]" if p.low is not None and p.high is not None else ""
        default = "" if origin.startswith("default") else f"; documented default {p.value:g}"
        print(f"{p.name} = {value:g}  ({p.unit})  <- {origin}{default}{rng}; accepted [{p.min:g}, {p.max:g}]\n"
              f"    source: {p.source}\n    {p.note}\n")
    return 0


def cmd_wargame(args) -> int:
    """Serve the wargame until interrupted."""
    import uvicorn

    from .inputs.scenario import load_scenario
    from .wargame.web import make_app

    load_scenario(args.scenario)  # a bad name fails here, in one line, not in the browser
    app = make_app(args.dir, scenario=args.scenario)
    print(f"karabakh wargame: instructor's page http://{args.host}:{args.port}/ (games in {args.dir}/; Ctrl-C stops)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def command_line(argv: list[str]) -> str:
    """The command as given, quoted for this platform's shell (POSIX shells; cmd.exe and PowerShell on
    Windows), so that the command a report or parameter set records re-runs as it ran: a plain join
    drops the quotes around a path or a scenario question with spaces."""
    words = ["karabakh", *argv]
    return subprocess.list2cmdline(words) if os.name == "nt" else shlex.join(words)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``karabakh`` console script."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    args.command_line = command_line(argv)  # as given, also when called from Python (a notebook)
    if args.command is None:
        parser.print_help()
        return 0
    handlers = {"run": cmd_run, "experiment": cmd_experiment, "compare": cmd_compare, "sweep": cmd_sweep,
                "sensitivity": cmd_sweep, "calibrate": cmd_calibrate, "validate": cmd_validate,
                "scenarios": cmd_scenarios, "params": cmd_params, "wargame": cmd_wargame}
    try:
        return handlers[args.command](args)
    except InputError as exc:
        print(f"karabakh: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
