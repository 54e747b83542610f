"""The game's record: an append-only log of JSON lines, and atomic writes of the state beside it.

Every order, message, inject, override, pause and turn close is one line, written and synced before
the action counts; the game is rebuilt from the log (:mod:`model.wargame.game`), so a crash loses at
most the line being written, which is dropped on reading.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from ..outputs.files import atomic_file


class GameLog:
    """The lines of one game's log, in memory and in ``path`` (created if missing)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.dropped = _cut_torn_tail(self.path)  # so the next line does not continue a torn one
        self.entries: list[dict] = read_log(self.path) if self.path.exists() else []
        self.kinds = Counter(e["kind"] for e in self.entries)  # kept in step: pages poll counts, not the log

    def count(self, *kinds: str) -> int:
        """How many entries of these kinds the log holds (without reading through it)."""
        return sum(self.kinds[k] for k in kinds)

    def append(self, entry: dict) -> dict:
        """Write one entry (numbered ``seq``) and sync it to disk before returning it."""
        entry = {"seq": len(self.entries), **entry}
        line = json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n"
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        self.entries.append(entry)
        self.kinds[entry["kind"]] += 1
        return entry


def read_log(path: Path) -> list[dict]:
    """The complete lines of a log; a torn last line (a crash while writing it) is left out."""
    entries = []
    for line in Path(path).read_text(encoding="utf-8").splitlines(keepends=True):
        if not line.endswith("\n"):
            break
        entries.append(json.loads(line))
    return entries


def _cut_torn_tail(path: Path) -> bool:
    """Cut an incomplete last line (a write that never returned, so never counted); True if cut."""
    if not path.exists():
        return False
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return False
    with open(path, "r+b") as fh:
        fh.truncate(data.rfind(b"\n") + 1)
    return True


def write_atomic(path: Path, data: dict) -> None:
    """Write JSON so that readers see the old file or the new one, never half of one:
    a temporary file in the same folder, private (the state holds the role tokens) and synced, then
    renamed over the old (:func:`model.outputs.files.atomic_file`)."""
    with atomic_file(path, mode=0o600, sync=True) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True, ensure_ascii=False, default=str)
