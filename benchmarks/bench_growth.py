"""Growth: cost of a run on synthetic networks 1x, 4x and 16x the real one (districts and units).

Usage (repository root, project venv):

    python benchmarks/bench_growth.py           # 365 simulated days per size, median of 3 seeds

The synthetic world (model.world.synthetic_world) is a jittered grid with one brigade per
district (model.forces.synthetic_units); the real map has 41 districts and ~50 units.
Reports seconds per simulated day and per district-day; linear growth means a constant
cost per district-day.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.inputs.forces import synthetic_units  # noqa: E402
from model.model import KarabakhWar  # noqa: E402
from model.inputs.scenario import Scenario  # noqa: E402
from model.inputs.world import synthetic_world  # noqa: E402

DAYS = 365


def one(n: int, seed: int) -> float:
    world = synthetic_world(n, seed=3)
    start = dt.date(1991, 12, 1)
    sc = Scenario(name="growth", start=start, end=start + dt.timedelta(days=DAYS - 1))
    m = KarabakhWar(scenario=sc, rng=seed, world=world, units=synthetic_units(world))
    t = time.perf_counter()
    m.run()
    return time.perf_counter() - t


def main() -> None:
    rows = []
    base = None
    for factor in (1, 4, 16):
        n = 41 * factor
        one(n, 99)  # warm-up
        secs = statistics.median(one(n, s) for s in range(3))
        per_day = secs / DAYS
        per_district_day = per_day / n
        base = base or per_district_day
        rows.append({"factor": factor, "districts": n, "units": n, "run_s": secs, "ms_per_day": per_day * 1e3,
                     "us_per_district_day": per_district_day * 1e6, "relative_cost_per_district_day": per_district_day / base})
        print(f"{factor:2d}x: {n:4d} districts/units, {secs:6.3f} s for {DAYS} days = {per_day * 1e3:6.3f} ms/day, "
              f"{per_district_day * 1e6:7.2f} us per district-day ({per_district_day / base:4.2f}x of 1x)", flush=True)
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_growth.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
