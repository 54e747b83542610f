"""The ``karabakh`` command line.

Errors in input (data files, scenario files, options) print one clear line
naming the file, place and expectation, and exit with status 2; nothing is
written in that case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import textwrap
from pathlib import Path

from .errors import InputError

EPILOG_MAIN = textwrap.dedent("""\
    examples:
      karabakh run                              historical scenario, seed 0, full period
      karabakh run --seed 7 --until 1994-05-12  stop at the ceasefire date
      karabakh run my_counterfactual.toml --out runs/cf --format parquet
      karabakh scenarios                        list the built-in scenarios
      karabakh params                           list parameters with their sources

    Sides are coded neutrally: aze = Azerbaijan, arm = Armenia and the
    Nagorno-Karabakh forces. See README.md and docs/ODD.md.""")

EPILOG_RUN = textwrap.dedent("""\
    writes into OUT:
      control.csv (or .parquet)   date, district, arm_share: share of each district held
                                  by the arm side, weekly and on every change
      summary.json                captures, territory (end and 1994-05-12), casualties,
                                  displaced, coups, ceasefires, events, parameters
      control_map.png             control at several dates on the district network
      territory_casualties.png    territory, casualties, displaced over time

    The same scenario and seed always give identical files; different seeds give
    different (emergent) campaigns.

    examples:
      karabakh run --seed 3
      karabakh run historical --seed 3 --until 1993-06-30 --out runs/h3
      karabakh run scenarios/historical.toml --set attrition_rate=0.02 --force --out runs/x""")


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
    run.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    run.add_argument("--until", type=_date, metavar="DATE", help="stop after this date (YYYY-MM-DD)")
    run.add_argument("--out", type=Path, metavar="DIR",
                     help="output directory (default: runs/<scenario>-seed<N>-<timestamp>)")
    run.add_argument("--format", choices=("csv", "parquet"), default="csv", help="control table format")
    run.add_argument("--set", type=_assignment, action="append", default=[], metavar="NAME=VALUE",
                     help="override a parameter of data/parameters.toml (repeatable)")
    run.add_argument("--no-plots", action="store_true", help="skip the PNG plots (faster)")
    run.add_argument("--force", action="store_true", help="replace OUT if it exists and is not empty")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary")

    sub.add_parser("scenarios", help="list built-in scenarios", description="List built-in scenarios.")
    sub.add_parser("params", help="list parameters with values, ranges and sources",
                   description="List every model parameter with its value, range, unit and source.")
    return parser


def cmd_run(args) -> int:
    """Run, then write outputs atomically; print a short summary."""
    from tqdm import tqdm

    from .model import KarabakhWar
    from .outputs import summary, write_run

    model = KarabakhWar(scenario=args.scenario, rng=args.seed, until=args.until, **dict(args.set))
    out = args.out or Path("runs") / f"{model.war_scenario.name}-seed{args.seed}-{dt.datetime.now():%Y%m%d-%H%M%S}"
    if out.exists() and any(out.iterdir()) and not args.force:
        raise InputError(out, "--out", "exists and is not empty; choose another directory or pass --force")
    with tqdm(total=model.n_days, unit="day", disable=args.quiet, desc=f"{model.war_scenario.name} seed {args.seed}",
              file=sys.stderr) as bar:
        model.run(progress=bar.update)
    write_run(model, out, args.seed, fmt=args.format, plots=not args.no_plots, force=args.force)
    if not args.quiet:
        s = summary(model, args.seed)
        print(f"{len(s['captures'])} changes of hands; casualties aze {s['casualties']['aze']:,} / "
              f"arm {s['casualties']['arm']:,}; displaced aze {s['displaced']['aze']:,} / "
              f"arm {s['displaced']['arm']:,}")
        print(f"outputs written to {out}")
    return 0


def cmd_scenarios(_args) -> int:
    """Print the built-in scenarios with their descriptions."""
    from .scenario import SCENARIO_DIR, load_scenario

    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        sc = load_scenario(path)
        print(f"{path.stem:28s} {sc.start}..{sc.end}  {sc.description.splitlines()[0] if sc.description else ''}")
    return 0


def cmd_params(_args) -> int:
    """Print every parameter with its provenance."""
    from .params import load_parameters

    for p in load_parameters().values():
        rng = f" [{p.low:g}, {p.high:g}]" if p.low is not None and p.high is not None else ""
        print(f"{p.name} = {p.value:g}{rng}  ({p.unit})\n    source: {p.source}\n    {p.note}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``karabakh`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    handlers = {"run": cmd_run, "scenarios": cmd_scenarios, "params": cmd_params}
    try:
        return handlers[args.command](args)
    except InputError as exc:
        print(f"karabakh: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
