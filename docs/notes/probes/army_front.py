"""Azerbaijan's men in its units on the map and in its depots on six dates of the war, one row per seed, and the
Armenian side's men in units on 12 May 1994 (docs/notes/capture_order.md, "Stop 60" and "Stop 61": the front and the
depots).

    python docs/notes/probes/army_front.py SEEDS [parameter=value ...]
    python docs/notes/probes/army_front.py 0-2 depot_wait_days=120 levy_training=0.1 rout_rate=0.125
"""
import datetime as dt
import sys

from model import KarabakhWar
from probe_args import overrides, seed_range

DATES = (dt.date(1992, 7, 1), dt.date(1992, 12, 1), dt.date(1993, 4, 1), dt.date(1993, 7, 1), dt.date(1993, 10, 1),
         dt.date(1994, 5, 12))


def row(seed: int, params: dict[str, float]) -> str:
    m = KarabakhWar(scenario="historical", rng=seed, until=DATES[-1] + dt.timedelta(days=1), **params)
    cells, arm = [], 0.0
    while m.running:
        if m.date in DATES:
            units = m.personnel_in_units()
            depots = sum(g.depot_personnel for g in m.governments if g.side_index == 0)
            cells.append(f"{units[0]:,.0f} + {depots:,.0f}")
            arm = units[1]
        m.step()
    return f"| {seed} | " + " | ".join(cells) + f" | {arm:,.0f} |"


if __name__ == "__main__":
    print("| seed | " + " | ".join(str(d) for d in DATES) + " | Armenian side, 12 May 1994 |")
    print("|---" * (len(DATES) + 2) + "|")
    for seed in seed_range(sys.argv[1]):
        print(row(seed, overrides(sys.argv[2:])), flush=True)
