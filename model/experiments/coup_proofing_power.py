"""How many seeds the coup-proofing harness needs: each finding's verdict on nested subsets of seeds from
two independent seed bases, under both codings.

A finding whose verdict differs between two seed bases at some number of seeds is noise at that size.
Seeds spawned from one root are nested (the first ``n`` of ``replicate_seeds(root, m)`` are
``replicate_seeds(root, n)``), so one run of the harness per base at the largest size gives every smaller
size. Usage, after two runs of the harness with ``--seed 0`` and ``--seed 1`` (docs/coup_proofing_power.md)::

    python -m model.experiments.coup_proofing_power runs/power0 runs/power1 --sizes 6,12,20,32
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from .coup_proofing_findings import DOCUMENTED, FINDINGS, REDRAWN, estimates, fmt, judge, subset
from .runner import replicate_seeds


def stability(tables: dict[int, pd.DataFrame], sizes) -> pd.DataFrame:
    """One row per finding, size, seed base (root seed) and coding: the estimate, its interval and verdict."""
    rows = []
    for root, table in tables.items():
        ok = table[table["error"] == ""]
        for n in sizes:
            runs = ok[ok["seed"].isin(replicate_seeds(root, n))]
            if runs["seed"].nunique() < n:
                raise ValueError(f"seed base {root}: fewer than {n} seeds in the table")
            for coding in (DOCUMENTED, REDRAWN):
                found = estimates(subset(runs, coding=coding))
                rows += [{"finding": f.key, "seeds": n, "base": root, "coding": coding, "estimate": found[f.key],
                          "verdict": judge(found[f.key], f.expected).value} for f in FINDINGS if f.key in found]
    return pd.DataFrame(rows)


def stability_markdown(rows: pd.DataFrame) -> str:
    """A table per finding: verdicts and estimates by size and base, and whether all verdicts of a size agree."""
    lines = []
    for f in FINDINGS:
        part = rows[rows["finding"] == f.key]
        if part.empty:
            continue
        cols = list(dict.fromkeys(zip(part["base"], part["coding"])))
        lines += ["", f"**{f.plain or f.label}**", "",
                  "| seeds | " + " | ".join(f"base {b}, {c}" for b, c in cols) + " | same verdict (all bases and codings) |",
                  "|---|" + "---|" * len(cols) + "---|"]
        for n, g in part.groupby("seeds"):
            cells = {(r.base, r.coding): f"{fmt(r.estimate)} {r.verdict}" for r in g.itertuples()}
            same = "yes" if g["verdict"].nunique() == 1 else "**no**"
            lines.append(f"| {n} | " + " | ".join(cells.get(c, "") for c in cols) + f" | {same} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    """Print the stability tables of two (or more) harness output directories."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dirs", nargs="+", type=Path, help="harness output directories (results.parquet, design.json)")
    ap.add_argument("--sizes", default="6,12,20", help="comma-separated numbers of seeds (default: 6,12,20)")
    args = ap.parse_args(argv)
    tables = {json.loads((d / "design.json").read_text())["root_seed"]: pd.read_parquet(d / "results.parquet")
              for d in args.dirs}
    print(stability_markdown(stability(tables, [int(x) for x in args.sizes.split(",")])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
