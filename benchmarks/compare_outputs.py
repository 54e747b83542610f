"""Check that a speed-up changed no result: write `karabakh run` outputs, or compare two sets of them.

Usage (from the repository root, in the project's venv):

    python benchmarks/compare_outputs.py write DIR      # 3 scenarios x seeds 0-3 into DIR/<scenario>_<seed>
    python benchmarks/compare_outputs.py compare BASE NEW

Write the baseline with the code before the change, the new set after it, then compare: every
file (control.csv, summary.json, the PNG plots) must be byte-identical. No output holds a time,
host or path; the only version field is the PNGs' "Software: Matplotlib version ..." text chunk,
constant in one environment (so compare sets written with the same venv).
"""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

SCENARIOS = ("historical", "no_russian_mediation", "no_1993_coup")
SEEDS = (0, 1, 2, 3)


def write(root: Path) -> None:
    for scenario in SCENARIOS:
        for seed in SEEDS:
            subprocess.run(["karabakh", "run", scenario, "--seed", str(seed), "--out", str(root / f"{scenario}_{seed}"),
                            "--quiet", "--force"], check=True)


def compare(base: Path, new: Path) -> int:
    runs = sorted(d.name for d in base.iterdir() if d.is_dir())
    bad = 0
    for run in runs:
        names = sorted(p.name for p in (base / run).iterdir())
        if names != sorted(p.name for p in (new / run).iterdir()):
            print(f"{run}: different files")
            bad += 1
            continue
        for name in names:
            if not filecmp.cmp(base / run / name, new / run / name, shallow=False):
                bad += 1
                extra = ""
                if name == "summary.json":
                    a, b = (json.loads((d / run / name).read_text()) for d in (base, new))
                    extra = f" (keys: {', '.join(k for k in a if a[k] != b.get(k))})"
                print(f"{run}/{name} differs{extra}")
    print(f"{len(runs)} runs compared, {bad} files differ")
    return 1 if bad or not runs else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "write":
        write(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
