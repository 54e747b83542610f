"""Order of battle as a structure of arrays: the state the daily hot path works on.

Every military unit (brigade, militia, mercenary contingent) is a Mesa agent
(see :mod:`model.agents`), but its numbers live here, one row per unit, so that
combat, supply and morale are computed for all units at once with numpy instead
of agent by agent. Agents read and write their row through properties.

Initial values are drawn from the documented ranges in ``data/units.csv``, each
unit from its own stream derived from the run's seed, so uncertain figures vary by
seed rather than being fixed at one guess.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, read_csv_columns

KINDS = ("brigade", "militia", "mercenary")
BRIGADE, MILITIA, MERCENARY = range(3)
UNIT_COLUMNS = ("key", "name", "kind", "government", "district", "home_district", "available_from", "commander",
                "personnel_low", "personnel_high", "tanks_low", "tanks_high", "apcs_low", "apcs_high",
                "artillery_low", "artillery_high", "training", "morale", "loyalty", "origin", "pay_usd_month",
                "contract_days", "source", "note")
RANGED = ("personnel", "tanks", "apcs", "artillery")


@cache
def read_units(path: Path, district_keys: frozenset[str], government_keys: frozenset[str]) -> pd.DataFrame:
    """Read and validate the order-of-battle table; errors name file, row and column."""
    df = read_csv_columns(path, UNIT_COLUMNS)

    def fail(i, col, problem):
        raise InputError(path, f"row {i + 2} (unit {df['key'].iat[i]!r}), column '{col}'", problem)

    if df["key"].duplicated().any():
        i = int(np.flatnonzero(df["key"].duplicated())[0])
        fail(i, "key", "duplicate key")
    out = df.astype(object)  # numeric cells are replaced in place below (pandas 3 str columns reject floats)
    for i, row in df.iterrows():
        if not row["source"].strip():
            fail(i, "source", "empty: every unit needs a source (or 'assumption' with a note)")
        if row["kind"] not in KINDS:
            fail(i, "kind", f"{row['kind']!r} is not one of {list(KINDS)}")
        if row["government"] not in government_keys:
            fail(i, "government", f"{row['government']!r} is not one of {sorted(government_keys)}")
        for col in ("district", "home_district"):
            if row[col] and row[col] not in district_keys:
                fail(i, col, f"unknown district key {row[col]!r}")
        if not row["district"]:
            fail(i, "district", "empty; every unit needs a starting district")
        try:
            pd.Timestamp(row["available_from"])
        except ValueError:
            fail(i, "available_from", f"expected an ISO date, got {row['available_from']!r}")
        for q in RANGED:
            lo, hi = row[f"{q}_low"].strip(), row[f"{q}_high"].strip()
            lo, hi = (lo or "0"), (hi or lo or "0")
            try:
                lo_v, hi_v = float(lo), float(hi)
            except ValueError:
                fail(i, f"{q}_low", f"expected numbers, got {lo!r}..{hi!r}")
            if lo_v < 0 or hi_v < lo_v:
                fail(i, f"{q}_high", f"range {lo_v}..{hi_v} must satisfy 0 <= low <= high")
            out.at[i, f"{q}_low"], out.at[i, f"{q}_high"] = lo_v, hi_v
        for col in ("training", "morale", "loyalty"):
            try:
                v = float(row[col])
            except ValueError:
                fail(i, col, f"expected a number in [0, 1], got {row[col]!r}")
            if not 0 <= v <= 1:
                fail(i, col, f"{v} outside [0, 1]")
            out.at[i, col] = v
        for col in ("pay_usd_month", "contract_days"):
            raw = row[col].strip()
            try:
                v = float(raw) if raw else np.nan
            except ValueError:
                fail(i, col, f"expected a number or empty, got {raw!r}")
            if v < 0:
                fail(i, col, f"{v} is negative")
            out.at[i, col] = v
    if (out["personnel_high"].astype(float) <= 0).any():
        fail(int(np.flatnonzero(out["personnel_high"].astype(float) <= 0)[0]), "personnel_high", "a unit needs personnel > 0")
    return out


@dataclass
class Forces:
    """One row per unit; arrays are the single source of truth for unit state."""

    side: np.ndarray  # 0 = aze, 1 = arm
    government: np.ndarray  # index into model.governments order
    kind: np.ndarray  # BRIGADE / MILITIA / MERCENARY
    node: np.ndarray  # current district
    home: np.ndarray  # home district for militias, -1 otherwise
    active: np.ndarray  # on the map and fighting
    personnel: np.ndarray
    tanks: np.ndarray
    apcs: np.ndarray
    artillery: np.ndarray
    training: np.ndarray
    base_training: np.ndarray  # the documented training (units.csv): what a recruit's is measured against
    morale: np.ndarray
    base_morale: np.ndarray
    supply: np.ndarray
    loyalty: np.ndarray  # commander's loyalty to the government (falls with grievances)
    base_loyalty: np.ndarray  # the level loyalty recovers toward
    cohesion: np.ndarray  # mercenary cohesion; 1 for others
    target: np.ndarray  # district attacked today, -1 = hold
    pay_usd_month: np.ndarray  # per fighter, mercenaries only (0 otherwise)
    contract_end_day: np.ndarray  # day index the contract ends, large if none
    initial_personnel: np.ndarray
    recovering: np.ndarray  # the unit's wounded who will rejoin it (wounded_return_share)

    @classmethod
    def from_table(cls, units: pd.DataFrame, node_of: dict[str, int], gov_index: dict[str, int],
                   gov_side: dict[str, int], seed: int) -> Forces:
        """Draw each unit's uncertain numbers uniformly within its documented range.

        Each unit draws from its own stream keyed by ``seed`` and its key, so adding or
        removing a unit (a counterfactual) leaves every other unit's numbers unchanged.
        """
        n = len(units)
        u = np.array([np.random.default_rng([seed, zlib.crc32(k.encode())]).random(len(RANGED))
                      for k in units["key"]]).reshape(n, len(RANGED))

        def draw(q):
            lo = units[f"{q}_low"].to_numpy(float)
            hi = units[f"{q}_high"].to_numpy(float)
            return np.round(lo + (hi - lo) * u[:, RANGED.index(q)])

        personnel = draw("personnel")
        morale = units["morale"].to_numpy(float)
        kind = np.array([KINDS.index(k) for k in units["kind"]], dtype=np.int8)
        return cls(
            side=np.array([gov_side[g] for g in units["government"]], dtype=np.int8),
            government=np.array([gov_index[g] for g in units["government"]], dtype=np.int8),
            kind=kind,
            node=np.array([node_of[d] for d in units["district"]], dtype=np.int64),
            home=np.array([node_of[d] if d else -1 for d in units["home_district"]], dtype=np.int64),
            active=np.zeros(n, dtype=bool),
            personnel=personnel, tanks=draw("tanks"), apcs=draw("apcs"), artillery=draw("artillery"),
            # Copies: pandas 3 hands out read-only views, and these arrays are the mutable state.
            training=units["training"].to_numpy(float).copy(), base_training=units["training"].to_numpy(float).copy(),
            morale=morale.copy(), base_morale=morale.copy(),
            supply=np.ones(n), loyalty=units["loyalty"].to_numpy(float).copy(),
            base_loyalty=units["loyalty"].to_numpy(float).copy(),
            cohesion=np.ones(n),
            target=np.full(n, -1, dtype=np.int64),
            pay_usd_month=np.nan_to_num(units["pay_usd_month"].to_numpy(float)) * (kind == MERCENARY),
            contract_end_day=np.full(n, 10**9, dtype=np.int64), initial_personnel=personnel.copy(),
            recovering=np.zeros(n),
        )

    def __len__(self) -> int:
        return len(self.side)

    def strength(self) -> np.ndarray:
        """Personnel of active units (the quantity casualties are counted in)."""
        return self.personnel * self.active

    def at_home(self) -> np.ndarray:
        """Self-defence detachments standing in their own home district: they defend it harder (combat),
        take the depot's garrison there (recruitment) and do not desert it (desertion)."""
        return (self.kind == MILITIA) & (self.home == self.node)


def synthetic_units(world, per_district: int = 1, seed: int = 0, arm_training: float = 0.9) -> pd.DataFrame:
    """An order of battle for a synthetic world (tests, scaling benchmarks): brigades of the
    holding side in every district, with arbitrary but documented-as-synthetic numbers.
    The arm side is better trained by default so that fronts move."""
    rng = np.random.default_rng(seed)
    rows = []
    for node, key in enumerate(world.keys):
        arm = world.arm_share_start[node] >= 0.5
        for j in range(per_district):
            p = float(rng.integers(800, 2500))
            rows.append(dict(
                key=f"u{node:05d}_{j}", name=f"Unit {node}/{j}", kind="brigade",
                government="armenia" if arm else "azerbaijan", district=key, home_district="",
                available_from="1991-12-01", commander="", personnel_low=p * 0.8, personnel_high=p * 1.2,
                tanks_low=0.0, tanks_high=float(rng.integers(0, 20)), apcs_low=0.0, apcs_high=10.0,
                artillery_low=0.0, artillery_high=10.0, training=arm_training if arm else 0.3, morale=0.6, loyalty=0.8, origin="",
                pay_usd_month=np.nan, contract_days=np.nan, source="synthetic", note=""))
    return pd.DataFrame(rows)
