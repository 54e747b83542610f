"""Parameter sweeps at scale: a validated spec, resumable chunked Parquet output, local or Dask.

A sweep spec (TOML, see ``docs/sweeps.md``) names scenarios, parameters (lists, ranges,
distributions), a design (grid, Latin hypercube, Sobol/Saltelli or Morris through SALib),
replicates and an end date. Every run has a stable id ``<scenario>/p<point>/r<replicate>``
and a seed spawned from the spec's root seed with ``numpy.random.SeedSequence``; the same
replicate seeds serve every point (common random numbers). So a run's result depends
only on the spec and its id — not on the number of workers, the order of completion or
the backend.

Runs are grouped into *batches* of about ``batch_seconds`` of work. A worker runs its
batch and writes one Parquet part file, first under a temporary name, then renamed; a
batch killed half-way leaves nothing. The set of run ids in the part files *is* the
manifest of what is done: re-running the same command completes only what is missing,
so a crash or ``kill -9`` loses at most the batches in flight and never duplicates a
run. A run that raises is recorded with its error and seed and the sweep goes on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import time
import tomllib
import uuid
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed as cf_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import InputError, read_text, short, shown_path, validation_problem
from ..inputs.params import checked, load_parameters, unknown_name
from ..inputs.scenario import load_scenario
from ..outputs.files import atomic_file, clean_stale, temp_dir_beside
from ..outputs.outcomes import OUTCOMES, is_outcome
from .runner import RunSpec, replicate_seeds, run_one

RESULTS, SERIES = "results", "series"


class ParameterSpec(BaseModel):
    """One swept parameter: explicit ``values``, or a ``low``/``high`` range (``steps`` for grids)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    values: list[float] | None = None
    low: float | None = None
    high: float | None = None
    steps: int | None = Field(default=None, ge=2, le=1000)
    distribution: Literal["uniform", "loguniform"] = "uniform"

    @model_validator(mode="after")
    def _one_form(self):
        if self.values is not None:
            if self.low is not None or self.high is not None:
                raise ValueError("give either 'values' or 'low'/'high', not both")
            if not self.values:
                raise ValueError("'values' is empty")
        elif self.low is None or self.high is None:
            raise ValueError("needs 'values' or both 'low' and 'high'")
        elif not self.low < self.high:
            raise ValueError(f"'low' ({self.low}) must be below 'high' ({self.high})")
        elif self.distribution == "loguniform" and self.low <= 0:
            raise ValueError("a loguniform range needs low > 0")
        return self

    def grid(self) -> list[float]:
        """The values this parameter takes in a grid design."""
        if self.values is not None:
            return list(self.values)
        if self.steps is None:
            raise ValueError("a range in a grid design needs 'steps'")
        if self.distribution == "loguniform":
            return list(np.geomspace(self.low, self.high, self.steps))
        return list(np.linspace(self.low, self.high, self.steps))

    def scale(self, u: np.ndarray) -> np.ndarray:
        """Map unit-interval samples to this parameter's range."""
        if self.values is not None:
            idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return np.asarray(self.values, dtype=float)[idx]
        if self.distribution == "loguniform":
            x = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        return np.clip(x, self.low, self.high)  # rounding never takes a sample past its range


class DesignSpec(BaseModel):
    """How parameter points are chosen."""

    model_config = ConfigDict(extra="forbid")
    method: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: int = Field(default=16, ge=1, le=100_000)  # lhs: points; sobol: N (base samples); morris: trajectories
    seed: int = Field(default=0, ge=0)  # SALib's sampler seed


class SweepSpec(BaseModel):
    """A sweep file."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    scenarios: list[str] = Field(default_factory=lambda: ["historical"], min_length=1)
    replicates: int = Field(default=1, ge=1, le=100_000)
    root_seed: int = Field(default=0, ge=0)  # numpy SeedSequence entropy: non-negative
    until: str | None = None
    parameters: dict[str, ParameterSpec] = Field(default_factory=dict)
    design: DesignSpec = Field(default_factory=DesignSpec)
    outcomes: list[str] = Field(default_factory=list)  # empty: keep every outcome column
    series: bool = False
    batch_seconds: float = Field(default=1.0, gt=0, le=3600)


def load_spec(path: Path) -> SweepSpec:
    """Read and validate a sweep spec; errors name the file and the field."""
    path = Path(path)
    try:
        raw = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, "file", f"not valid TOML ({exc})") from exc
    try:
        spec = SweepSpec.model_validate(raw)
    except ValidationError as exc:
        field, problem = validation_problem(exc, fields=SweepSpec.model_fields)
        raise InputError(path, f"field '{field}'", problem) from exc
    known = load_parameters()
    for name, ps in spec.parameters.items():
        if name not in known:
            raise InputError(path, f"[parameters.{short(name)[1:-1]}]", unknown_name(name, known))
        for field, given in (("values", ps.values or []), ("low", [ps.low]), ("high", [ps.high])):
            for value in (v for v in given if v is not None):  # the bounds of a range bound every sample
                checked(name, value, f"{path}: [parameters.{name}].{field}")
        if spec.design.method == "grid" and ps.values is None and ps.steps is None:
            raise InputError(path, f"[parameters.{name}]", "a range in a grid design needs 'steps'")
    if spec.design.method in ("sobol", "morris") and not spec.parameters:
        raise InputError(path, "[design].method", f"{spec.design.method} needs at least one parameter")
    for name in spec.outcomes:
        if not is_outcome(name):
            raise InputError(path, "field 'outcomes'", f"unknown outcome {name!r}; known: {', '.join(OUTCOMES)} "
                                                       "(README, 'Outcomes')")
    until = None
    if spec.until is not None:
        try:
            until = dt.date.fromisoformat(spec.until)
        except ValueError:
            raise InputError(path, "field 'until'", f"expected YYYY-MM-DD, got {short(spec.until)}") from None
    for name in spec.scenarios:
        sc = load_scenario(name)
        if until is not None and not sc.start < until <= sc.end:
            raise InputError(path, "field 'until'", f"{until} is outside scenario '{sc.name}' ({sc.start}..{sc.end}); "
                                                    "expected a date after its start and not after its end")
    for name, column in points(spec).items():  # and every sampled point, in case a sampler strays
        for value in np.unique(column.to_numpy()):
            checked(name, value, f"{path}: a sampled point of [parameters.{name}]")
    return spec


def salib_problem(spec: SweepSpec) -> dict:
    """The SALib problem: every swept parameter on the unit interval (scaled by ParameterSpec)."""
    names = list(spec.parameters)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def points(spec: SweepSpec) -> pd.DataFrame:
    """The design's parameter points, one row each (column per swept parameter)."""
    names = list(spec.parameters)
    if not names:
        return pd.DataFrame(index=[0])
    m = spec.design
    if m.method == "grid":
        rows = list(itertools.product(*(spec.parameters[n].grid() for n in names)))
        return pd.DataFrame(rows, columns=names)
    problem = salib_problem(spec)
    if m.method == "lhs":
        from SALib.sample import latin

        unit = latin.sample(problem, m.samples, seed=m.seed)
    elif m.method == "sobol":
        from SALib.sample import sobol

        unit = sobol.sample(problem, m.samples, calc_second_order=False, seed=m.seed)
    else:
        from SALib.sample import morris

        unit = morris.sample(problem, m.samples, seed=m.seed)
    return pd.DataFrame({n: spec.parameters[n].scale(unit[:, i]) for i, n in enumerate(names)})


@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: its id and everything :func:`model.experiments.run_one` needs."""

    run_id: str
    point: int
    replicate: int
    spec: RunSpec


def plan(spec: SweepSpec) -> list[SweepRun]:
    """Every (scenario, point, replicate) in a fixed order."""
    pts = points(spec)
    seeds = replicate_seeds(spec.root_seed, spec.replicates)
    runs = []
    for sc in spec.scenarios:
        for i, row in enumerate(pts.to_dict("records")):
            params = {k: float(v) for k, v in row.items()}
            for r, seed in enumerate(seeds):
                rid = f"{sc}/p{i:05d}/r{r:04d}"
                runs.append(SweepRun(rid, i, r, RunSpec(seed=seed, scenario=sc, until=spec.until, params=params,
                                                        labels={"run_id": rid, "point": i, "replicate": r,
                                                                **{f"param.{k}": v for k, v in params.items()}},
                                                        series=spec.series)))
    return runs


_NOT_RESULTS = {"batch_seconds", "description"}  # spec fields that do not change a sweep's results


def spec_hash(spec: SweepSpec) -> str:
    """Identity of a sweep's *results*: everything but batching."""
    data = spec.model_dump(exclude=_NOT_RESULTS)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def _atomic_parquet(frame: pd.DataFrame, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"part-{uuid.uuid4().hex}.parquet"
    with atomic_file(path) as tmp:
        frame.to_parquet(tmp, index=False)
    return path


def run_batch(out_dir: str, runs: list[SweepRun], keep: list[str]) -> dict:
    """Worker side: run a batch, write its rows (and series) as one atomic part file each."""
    rows, series = [], []
    t0 = time.perf_counter()
    for run in runs:
        t = time.perf_counter()
        row = run_one(run.spec)
        row["wall_s"] = time.perf_counter() - t
        s = row.pop("series", None)
        if s is not None:
            series.append(pd.DataFrame({"run_id": run.run_id, "week": np.arange(len(s)), "arm_held_azssr_km2": s}))
        rows.append(row)
    frame = pd.DataFrame(rows)
    if keep:
        ident = [c for c in frame.columns if c in ("run_id", "point", "replicate", "seed", "scenario", "error", "wall_s")
                 or c.startswith("param.")]
        frame = frame[ident + [c for c in keep if c in frame.columns and c not in ident]]
    out = Path(out_dir)
    if series:  # series first: a results part present implies its series part is too
        _atomic_parquet(pd.concat(series, ignore_index=True), out / SERIES)
    _atomic_parquet(frame, out / RESULTS)
    return {"runs": len(runs), "failed": int((frame["error"] != "").sum()), "seconds": time.perf_counter() - t0}


def completed(out_dir: Path) -> set[str]:
    """Run ids already written (the manifest is the data itself)."""
    d = Path(out_dir) / RESULTS
    if not d.exists():
        return set()
    done: set[str] = set()
    for part in sorted(d.glob("part-*.parquet")):
        done.update(pd.read_parquet(part, columns=["run_id"])["run_id"])
    return done


def read_results(out_dir: Path) -> pd.DataFrame:
    """All rows of a sweep, sorted by run id."""
    d = Path(out_dir) / RESULTS
    parts = sorted(d.glob("part-*.parquet")) if d.exists() else []
    if not parts:
        return pd.DataFrame()
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True).sort_values("run_id").reset_index(drop=True)


def batches(runs: list[SweepRun], per_batch: int) -> list[list[SweepRun]]:
    """Consecutive groups of runs (a point's replicates stay together)."""
    return [runs[i:i + per_batch] for i in range(0, len(runs), per_batch)]


_LEFTOVERS = {"spec.toml", ".spec.toml.tmp", "manifest.json.tmp"}  # all an interrupted older version could leave


def prepare(spec: SweepSpec, out_dir: Path, spec_text: str, retry_failed: bool = False) -> list[SweepRun]:
    """Check ``out_dir`` belongs to this spec, or make it a sweep directory, and return the runs still to do.

    A new sweep directory appears in one rename (spec.toml and manifest.json are written into a temporary
    directory beside it first), so a kill never leaves half of one. On resume, files a killed session left
    under temporary names are removed (one session at a time per directory, as for resuming at all)."""
    out_dir = Path(out_dir)
    manifest = out_dir / "manifest.json"
    clean_stale(out_dir)
    present = {p.name for p in out_dir.iterdir()} if out_dir.is_dir() else set()
    if present and not manifest.exists() and not present <= _LEFTOVERS:
        raise InputError(out_dir, "--out", "exists, is not empty and is not a sweep directory; choose another")
    if manifest.exists():
        if json.loads(manifest.read_text()).get("spec_hash") != spec_hash(spec):
            raise InputError(out_dir, "--out", f"holds a different sweep: {changes(out_dir / 'spec.toml', spec)}; "
                                               f"use a new --out, or restore the spec it was run with "
                                               f"({out_dir / 'spec.toml'})")
        for tmp in (*out_dir.glob(".*.tmp"), *(out_dir / RESULTS).glob(".part-*.tmp"),
                    *(out_dir / SERIES).glob(".part-*.tmp")):
            tmp.unlink(missing_ok=True)
    else:
        for name in present:  # what an interrupted start of an older version left
            (out_dir / name).unlink()
        tmp = temp_dir_beside(out_dir)
        (tmp / "spec.toml").write_text(spec_text)
        write_manifest(tmp, {"spec_hash": spec_hash(spec), "name": spec.name,
                             "created": time.strftime("%Y-%m-%dT%H:%M:%S")})
        os.replace(tmp, out_dir)  # replaces an empty directory too
    done = completed(out_dir)
    if retry_failed and done:
        table = read_results(out_dir)
        failed = set(table.loc[table["error"] != "", "run_id"])
        if failed:
            _drop_runs(out_dir, failed)
            done -= failed
    return [r for r in plan(spec) if r.run_id not in done]


def changes(old_spec: Path, spec: SweepSpec) -> str:
    """The fields in which ``spec`` differs from the spec saved in a sweep directory, for a message."""
    try:
        old = SweepSpec.model_validate(tomllib.loads(read_text(old_spec)))
    except (InputError, tomllib.TOMLDecodeError, ValidationError):
        return f"its {shown_path(old_spec)} cannot be read to compare"
    diffs = _differences(old.model_dump(exclude=_NOT_RESULTS), spec.model_dump(exclude=_NOT_RESULTS))
    shown = "; ".join(f"{k}: {short(a, 30)} there, {short(b, 30)} here" for k, a, b in diffs[:3])
    return shown + (f"; and {len(diffs) - 3} more" if len(diffs) > 3 else "")


def _differences(a, b, prefix: str = "") -> list[tuple[str, object, object]]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in dict.fromkeys([*a, *b])
                for d in _differences(a.get(k), b.get(k), f"{prefix}.{k}" if prefix else str(k))]
    return [] if a == b else [(prefix, a, b)]


def _drop_runs(out_dir: Path, run_ids: set[str]) -> None:
    """Rewrite the parts that contain ``run_ids`` without them (used to retry failed runs)."""
    for part in sorted((Path(out_dir) / RESULTS).glob("part-*.parquet")):
        frame = pd.read_parquet(part)
        if frame["run_id"].isin(run_ids).any():
            keep = frame[~frame["run_id"].isin(run_ids)]
            if len(keep):
                _atomic_parquet(keep, part.parent)
            part.unlink()


def write_manifest(out_dir: Path, update: dict) -> None:
    """Merge ``update`` into manifest.json atomically."""
    path = Path(out_dir) / "manifest.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(update)
    with atomic_file(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=str))


def estimate_batch_size(spec: SweepSpec) -> int:
    """Runs per batch so that a batch is about ``batch_seconds`` of work (one timed run)."""
    probe = plan(spec)[0].spec
    t = time.perf_counter()
    run_one(probe)
    per_run = max(time.perf_counter() - t, 1e-3)
    return max(1, int(round(spec.batch_seconds / per_run)))


SCHEDULER_TIMEOUT = 5  # seconds: a Dask scheduler that has not answered by then is not there


def check_scheduler(address: str) -> None:
    """Fail fast, before anything is written, when ``--scheduler`` points nowhere or at something that is
    not a Dask scheduler: one connection and handshake with a short timeout (a Client waits 30 s, then
    leaves a traceback)."""
    from distributed.comm import connect

    async def probe():
        comm = await asyncio.wait_for(connect(address, timeout=SCHEDULER_TIMEOUT), SCHEDULER_TIMEOUT + 1)
        await comm.close()

    try:
        asyncio.run(probe())
    except ValueError as exc:
        raise InputError("--scheduler", short(address), f"not an address like tcp://HOST:8786 ({exc})") from None
    except (OSError, asyncio.TimeoutError):
        raise InputError("--scheduler", short(address), f"no Dask scheduler answered within {SCHEDULER_TIMEOUT} s; "
                                                        "start one ('dask scheduler') or fix the address") from None
    except Exception as exc:  # noqa: BLE001 - something answered, but not in Dask's protocol
        raise InputError("--scheduler", short(address), "something answers there, but not a Dask scheduler "
                                                        f"({type(exc).__name__})") from None


def execute(spec: SweepSpec, out_dir: Path, todo: list[SweepRun], workers: int = 1, backend: str = "local",
            scheduler: str | None = None, per_batch: int | None = None,
            progress: Callable[[int], None] | None = None) -> dict:
    """Run ``todo`` in batches on the chosen backend; return totals (runs, failed, wall, core seconds)."""
    keep = list(spec.outcomes)
    per_batch = per_batch or estimate_batch_size(spec)
    groups = batches(todo, per_batch)
    t0 = time.perf_counter()
    totals = {"runs": 0, "failed": 0, "core_seconds": 0.0}

    def account(res):
        totals["runs"] += res["runs"]
        totals["failed"] += res["failed"]
        totals["core_seconds"] += res["seconds"]
        if progress:
            progress(res["runs"])

    if backend == "dask":
        from distributed import Client, LocalCluster, as_completed

        cluster = None
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        try:
            futures = [client.submit(run_batch, str(out_dir), g, keep, pure=False) for g in groups]
            for fut in as_completed(futures):
                account(fut.result())
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elif workers <= 1:
        for g in groups:
            account(run_batch(str(out_dir), g, keep))
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(run_batch, str(out_dir), g, keep) for g in groups]
            for fut in cf_completed(futures):
                account(fut.result())
    wall = time.perf_counter() - t0
    totals.update(wall_seconds=wall, runs_per_second=totals["runs"] / wall if wall > 0 else math.nan,
                  core_seconds_per_run=totals["core_seconds"] / totals["runs"] if totals["runs"] else math.nan,
                  batch_size=per_batch, batches=len(groups), workers=workers, backend=backend)
    return totals
