"""Which documented changes of holder carry the capture term of the loss (docs/notes/capture_order.md, "Stop 55").

The capture term (model.experiments.scoring.score) is the mean, over the documented changes of holder of
calibration/timeline.csv, of the months between each and the nearest simulated change of the same district to the
same side (12 when there is none within a year). This prints, for each documented change, its mean and median error
over the seeds and the share of seeds in which it is capped (no such change within a year), then the capture term
(the mean over changes and seeds): where the months are lost, as the score card's table of first changes does not
show (it lists first changes only, and medians of dates, not of errors).

    python docs/notes/probes/capture_errors.py 0-29 [parameter=value ...]
"""
import datetime as dt
import sys

import numpy as np

from model import KarabakhWar
from model.experiments.scoring import CAP_MONTHS, capture_errors, documented, holder_changes
from model.inputs.history import CEASEFIRE_DATE, START
from model.inputs.world import load_world
from probe_args import overrides, seed_range


def shares_to_ceasefire(seed: int, params: dict[str, float]) -> tuple[np.ndarray, float]:
    """(days, districts): the arm side's share of each district, day by day, from the start to 1994-05-12; and the
    run's ``capture_share`` (the holder rule the score applies)."""
    m = KarabakhWar(scenario="historical", rng=seed, until=str(CEASEFIRE_DATE), **params)
    history = [m.arm_share.copy()]
    while m.running:
        m.step()
        history.append(m.arm_share.copy())
    return np.array(history), m.p["capture_share"]


def main(seeds: list[int], params: dict[str, float]) -> None:
    world = load_world()
    doc = documented(world, (CEASEFIRE_DATE - START).days + 1)
    arm_start = world.districts["side_start"].to_numpy() == "arm"
    errors = []  # (seeds, documented changes)
    for seed in seeds:
        h, capture_share = shares_to_ceasefire(seed, params)
        h = h[:len(doc.low)]
        found: dict[int, list[tuple[int, str]]] = {}

        def changes_of(v: int) -> list[tuple[int, str]]:
            if v not in found:
                found[v] = holder_changes(h[:, v], bool(arm_start[v]), capture_share)
            return found[v]

        errors.append(capture_errors(doc.changes, changes_of))
    e = np.array(errors)
    for i, ch in enumerate(doc.changes.itertuples(index=False)):
        date = START + dt.timedelta(days=int(ch.day))
        print(f"{ch.district:12s} to {ch.to_side} {date}: mean {e[:, i].mean():5.2f} months, median {np.median(e[:, i]):5.2f},"
              f" capped in {np.mean(e[:, i] >= CAP_MONTHS):4.0%} of seeds")
    print(f"capture term (mean over changes and seeds): {e.mean():.2f} months, {len(seeds)} seeds")


if __name__ == "__main__":
    main(seed_range(sys.argv[1]), overrides(sys.argv[2:]))
