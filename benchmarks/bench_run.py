"""Benchmark one full historical run: wall time, peak memory, agent-steps per second.

Usage (from the repository root, in the project's venv):

    python benchmarks/bench_run.py            # 7 timed runs of the daily run 1991-12-01 -> 1994-12-31
    python benchmarks/bench_run.py --runs 15 --profile

Timing is the median over runs with different seeds, one core, GC on, after one
warm-up run; init (data loading is cached per process) and run are reported
separately; the run's CPU time (process_time) too, less sensitive than wall time to
other processes on a shared host. Peak memory is the process's maximum RSS. Agent-steps count every
agent (units on the map, governments, patrons) once per simulated day.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.model import KarabakhWar  # noqa: E402


def one_run(seed: int) -> dict:
    t0 = time.perf_counter()
    m = KarabakhWar(rng=seed)
    t1, c1 = time.perf_counter(), time.process_time()
    agent_days = 0
    while m.running:
        m.step()
        agent_days += int(m.forces.active.sum()) + len(m.governments) + len(m.patrons)
    t2, c2 = time.perf_counter(), time.process_time()
    return {"seed": seed, "init_s": t1 - t0, "run_s": t2 - t1, "run_cpu_s": c2 - c1, "days": m.day,
            "agent_steps": agent_days, "units": len(m.units)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--profile", action="store_true", help="also print a cProfile of one run")
    args = ap.parse_args()
    one_run(999)  # warm-up: imports, data caches
    results = [one_run(seed) for seed in range(args.runs)]
    run_s = [r["run_s"] for r in results]
    med = statistics.median(run_s)
    steps = statistics.median([r["agent_steps"] for r in results])
    report = {
        "machine": f"{platform.processor() or platform.machine()}, python {platform.python_version()}",
        "runs": args.runs, "days": results[0]["days"],
        "run_s_median": med, "run_s_min": min(run_s), "run_s_max": max(run_s),
        "run_cpu_s_median": statistics.median(r["run_cpu_s"] for r in results),
        "init_s_median": statistics.median(r["init_s"] for r in results),
        "agent_steps_per_s": steps / med,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(report, indent=2))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_run.json").write_text(json.dumps({"summary": report, "runs": results}, indent=2))
    if args.profile:
        import cProfile
        import pstats

        m = KarabakhWar(rng=0)
        cProfile.runctx("m.run()", globals(), {"m": m}, str(out / "run.prof"))
        pstats.Stats(str(out / "run.prof")).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
