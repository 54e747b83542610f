"""Run outputs: control table, summary.json and plots, written atomically.

A run's files are first written into a temporary sibling directory and renamed
into place at the end, so an interrupted or failed run never leaves a
half-written result, and an existing non-empty directory is never overwritten
unless the user asks for it (``--force``). Temporary directories carry the host and
process id in their name; the next run into the same place removes those whose process
is gone (:func:`clean_stale`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import socket
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import InputError, shown_path
from .outcomes import json_ready, outcomes
from .patrons import deciding, plot_patron_timeline
from .plots import plot_control_map, plot_time_series

if TYPE_CHECKING:
    from ..model import KarabakhWar


def control_frame(model: KarabakhWar) -> pd.DataFrame:
    """``date, district, arm_share`` weekly for every district and on every change."""
    h = model.control_history[: model.day + 1]
    days = np.arange(len(h))
    keep = np.zeros(h.shape, dtype=bool)
    keep[(days % 7 == 0) | (days == len(h) - 1)] = True
    keep[1:] |= h[1:] != h[:-1]
    d_idx, n_idx = np.nonzero(keep)
    dates = pd.to_datetime(model.start) + pd.to_timedelta(d_idx, unit="D")
    return pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "district": np.array(model.world.keys)[n_idx],
                         "arm_share": np.round(h[d_idx, n_idx].astype(float), 4)})


def summary(model: KarabakhWar, seed) -> dict:
    """The run's results (the ``summary.json`` schema of the README): the headline outcomes
    under their public names (:mod:`model.outputs.outcomes`), then the detailed records (with
    ``patron_decisions`` only when some patron decides: :mod:`model.outputs.patrons`)."""
    decisions = {"patron_decisions": model.patron_decisions} if deciding(model) else {}
    return {
        "scenario": model.war_scenario.name,
        "seed": seed,
        "start": str(model.start),
        "end": str(model.start + dt.timedelta(days=model.day - 1)) if model.day else str(model.start),
        "outcomes": json_ready(outcomes(model)),
        "captures": model.captures,
        "coups": model.coups,
        "dismissals": model.dismissals,
        "regimes": {g.key: g.regime_history for g in model.governments},
        "ceasefires": model.ceasefires,
        "mediations": model.mediations,
        "offensives": model.offensives,
        **decisions,
        "events": model.event_log,
        "parameters": model.p,
        "notes": {
            "sides": "aze = Azerbaijan; arm = Armenia and Nagorno-Karabakh forces (neutral codes)",
            "casualties": "killed, wounded and captured military personnel (model units)",
            "displaced": "civilians who fled districts as they changed hands or under shelling (displaced_front), by "
                         "ethnicity (1989 census shares, grown to the start date by population_growth_per_year)",
            "area": "districts with unknown area (empty in data/districts.csv) count as 0 km2",
            "outcomes": "names and meanings as in the README's outcome table (model.outputs.outcomes.OUTCOMES)",
            "ceasefire_date": "start of the first ceasefire that held ceasefire_hold_days or to the end of the run; "
                              "empty if none",
            "displaced_lower_bound": "districts without a 1989 population or ethnic shares in data/districts.csv "
                                     "contribute no displaced persons, so 'displaced' is a lower bound",
        },
    }


def check_out(out: Path, force: bool = False, resumable: bool = False) -> None:
    """Refuse an output location before anything runs: a file (or a path inside one), or a non-empty
    directory unless ``force`` (replace it) or ``resumable`` (a sweep continues in it)."""
    out = Path(out)
    for place in (out, *out.parents):
        if place.exists():
            if not place.is_dir():
                where = "is a file" if place == out else f"is inside {shown_path(place)}, which is a file"
                raise InputError(shown_path(out), "--out", f"{where}; expected a directory")
            break
    if out.is_dir() and not (force or resumable) and any(out.iterdir()):
        raise InputError(shown_path(out), "--out", "exists and is not empty; choose another directory or pass "
                                                   "--force to replace it")


_HOST = socket.gethostname().replace("-", "_")


def temp_dir_beside(out: Path) -> Path:
    """A new hidden temporary directory beside ``out`` whose name says who owns it
    (``.<out>.tmp-<host>-<pid>-<random>``), so that a later run can tell a stale one (:func:`clean_stale`)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{_HOST}-{os.getpid()}-", dir=out.parent))


def clean_stale(out: Path) -> None:
    """Remove what killed runs left beside ``out``: our temporary and replaced directories
    (``.<out>.tmp-<host>-<pid>-*``, ``.<out>.old-<host>-<pid>``) made on this host by a process that no
    longer exists. Anything else — other names, other hosts, live processes — is left alone."""
    out = Path(out)
    if not out.parent.is_dir():
        return
    mine = re.compile(rf"^\.{re.escape(out.name)}\.(tmp|old)-{re.escape(_HOST)}-(\d+)(-\w+)?$")
    for path in out.parent.iterdir():
        m = mine.match(path.name)
        if m and path.is_dir() and not _alive(int(m.group(2))):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


@contextmanager
def atomic_output_dir(out: Path, force: bool = False):
    """Yield a temporary directory that becomes ``out`` only if the block succeeds (stale temporary
    directories of killed runs into the same place are removed first)."""
    out = Path(out)
    check_out(out, force)
    clean_stale(out)
    tmp = temp_dir_beside(out)
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if out.exists():
        old = out.with_name(f".{out.name}.old-{_HOST}-{os.getpid()}")
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


@contextmanager
def atomic_file(path: Path, mode: int | None = None, sync: bool = False):
    """Yield a temporary path beside ``path`` (``.<name>.<random>.tmp``) that is renamed over ``path``
    when the block succeeds, so that readers see the old file or the new one, never half of one; removed
    if the block fails. A block that writes nothing leaves ``path`` alone. ``mode``: the file is created
    with these permissions before anything is written (private state); ``sync``: flushed to disk before
    the rename (state a crash must not lose)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    if mode is not None:
        os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode))
    try:
        yield tmp
        if tmp.exists():
            if sync:
                fd = os.open(tmp, os.O_RDWR)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_run(model: KarabakhWar, out: Path, seed, fmt: str = "csv", plots: bool = True,
              force: bool = False) -> Path:
    """Write control table, summary.json and plots for a finished run into ``out``."""
    with atomic_output_dir(out, force=force) as tmp:
        frame = control_frame(model)
        if fmt == "parquet":
            frame.to_parquet(tmp / "control.parquet", index=False)
        else:
            frame.to_csv(tmp / "control.csv", index=False)
        with open(tmp / "summary.json", "w") as fh:
            json.dump(summary(model, seed), fh, indent=2, default=str)
        if plots:
            plot_control_map(model, tmp / "control_map.png", seed=seed)
            plot_time_series(model, tmp / "territory_casualties.png", seed=seed)
            if deciding(model):
                plot_patron_timeline(model, tmp / "patron_timeline.png")
    return Path(out)
