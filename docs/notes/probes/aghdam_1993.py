"""Why Aghdam falls in 1993 or not (docs/notes/capture_order.md, "Stop 52").

For each seed of the historical scenario: when the Karabakh side took Aghdam (before 1 November 1993), on how many
days of 1993 its units were ordered to attack it, the men next door and inside, and how many days of each month the
Nagorno-Karabakh government's opportunity gate (ODD 7.6) was open, with Azerbaijan's command cohesion.

    python docs/notes/probes/aghdam_1993.py 0-23 [parameter=value ...]
"""
import datetime as dt
import sys

import numpy as np

from model import KarabakhWar
from probe_args import overrides, seed_range


def main(seeds: range, overrides: dict[str, float]) -> None:
    for seed in seeds:
        m = KarabakhWar(scenario="historical", rng=seed, **overrides)
        aghdam = m.world.index["aghdam"]
        nearby = m.world.edges[m.world.edges[:, 0] == aghdam, 1]
        nk = m.government("nagorno_karabakh")
        while m.date < dt.date(1993, 1, 1):
            m.step()
        attack_days, inside, next_door, taken = 0, [], [], None
        gate: dict[str, list[float]] = {}
        while m.date < dt.date(1993, 11, 1) and taken is None:
            m.step()
            f = m.forces
            arm, aze = f.active & (f.side == 1), f.active & (f.side == 0)
            attack_days += bool((arm & (f.target == aghdam)).any())
            inside.append(f.personnel[aze & (f.node == aghdam)].sum())
            next_door.append(f.personnel[arm & np.isin(f.node, nearby)].sum())
            month = gate.setdefault(m.date.strftime("%m"), [0, 0.0, 0])
            month[0] += nk.opportunity_open()
            month[1] += float(m.side_cohesion()[0])
            month[2] += 1
            if m.held_by_arm[aghdam]:
                taken = str(m.date)
        print(f"seed {seed:3d}  Aghdam {taken or 'not taken':10s}  attack days {attack_days:3d}  "
              f"aze men inside {np.mean(inside):6.0f}  arm men next door {np.mean(next_door):6.0f}")
        print("          gate open days / aze cohesion by month: "
              + " ".join(f"{k}:{v[0]}/{v[1] / v[2]:.2f}" for k, v in gate.items()))


if __name__ == "__main__":
    main(seed_range(sys.argv[1]), overrides(sys.argv[2:]))
