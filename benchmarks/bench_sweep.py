"""Sweep throughput: runs/s and core-seconds per run at 1 and 2 workers, local and Dask.

Usage (repository root, project venv):

    python benchmarks/bench_sweep.py              # 64 runs of the historical scenario to 1994-05-12 per setting
    python benchmarks/bench_sweep.py --runs 128

Each setting runs the same sweep into a fresh temporary directory; wall time includes
starting the worker processes (spawn) or the Dask LocalCluster, as a user would see it.
Speed-up = runs/s at 2 workers / runs/s at 1 worker; Dask overhead = local runs/s / Dask
runs/s - 1 at the same number of workers.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.experiments.sweep import SweepSpec, execute, plan  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=64)
    args = ap.parse_args()
    spec = SweepSpec(name="bench", replicates=args.runs, root_seed=1, until="1994-05-12")
    runs = plan(spec)
    results = {}
    for backend, workers in (("local", 1), ("local", 2), ("dask", 1), ("dask", 2)):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            stats = execute(spec, Path(tmp), runs, workers=workers, backend=backend)
            wall = time.perf_counter() - t
        results[f"{backend}-{workers}"] = {"runs": stats["runs"], "wall_s": wall, "runs_per_s": stats["runs"] / wall,
                                           "core_s_per_run": stats["core_seconds_per_run"],
                                           "batch_size": stats["batch_size"]}
        print(f"{backend:5s} x{workers}: {stats['runs']} runs in {wall:6.2f} s = {stats['runs'] / wall:5.2f} runs/s, "
              f"{stats['core_seconds_per_run']:.3f} core-s/run (batches of {stats['batch_size']})", flush=True)
    r = {k: v["runs_per_s"] for k, v in results.items()}
    summary = {"machine": f"{platform.machine()}, python {platform.python_version()}", "runs": args.runs,
               "speedup_local_1_to_2": r["local-2"] / r["local-1"], "speedup_dask_1_to_2": r["dask-2"] / r["dask-1"],
               "dask_overhead_at_2_workers": r["local-2"] / r["dask-2"] - 1.0, "settings": results}
    print(json.dumps({k: v for k, v in summary.items() if k != "settings"}, indent=2))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_sweep.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
