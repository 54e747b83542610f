"""Why Azerbaijan's summer offensive of 1992 does not take Aghdara/Mardakert (docs/notes/capture_order.md, "Stop 54").

The record has Azerbaijani forces taking Aghdara/Mardakert town and most of the rayon between 15 June and 10 July 1992
(Operation Goranboy; calibration/timeline.csv) and holding it until the Karabakh counter-offensive of February 1993;
in the model the Karabakh side holds it on 1 September 1992 in most seeds. This prints, for each seed and each of
a few days of summer 1992, the Azerbaijani men within one road of Aghdara/Mardakert (not in it) and the Karabakh
men in it, each side's combat power per man (model.dynamics.combat.unit_quality: training, morale, supply; armour
and terrain in the CP), Azerbaijan's mean morale there, its command's factor on attack CP (ODD 7.11), and the
Karabakh share of the district on 1 September 1992.

    python docs/notes/probes/mardakert_1992.py 0-7 [parameter=value ...]
"""
import sys

import numpy as np

from model import KarabakhWar
from model.dynamics.combat import command_scale
from probe_args import overrides, seed_range

DAYS = ("1992-06-15", "1992-07-01", "1992-07-15")


def main(seeds: list[int], overrides: dict[str, float]) -> None:
    for seed in seeds:
        m = KarabakhWar(scenario="historical", rng=seed, **overrides)
        f, w = m.forces, m.world
        target = w.index["mardakert"]
        near = w.adjacency[target] > 0
        cells = []
        while str(m.date) < "1992-09-01":
            m.step()
            if str(m.date) not in DAYS:
                continue
            sit = m.situation()
            aze = f.active & (f.side == 0) & near[f.node]
            arm = f.active & (f.side == 1) & (f.node == target)
            men_a, men_d = f.personnel[aze].sum(), f.personnel[arm].sum()
            per_a = sit.attack_cp[aze].sum() / max(men_a, 1.0)
            per_d = sit.defense_cp[arm].sum() / max(men_d, 1.0)
            scale = float(command_scale(np.array([m.side_cohesion()[0]]), m.p["cohesion_attack_weight"])[0])
            morale = float(np.average(f.morale[aze], weights=f.personnel[aze])) if men_a else float("nan")
            cells.append(f"{str(m.date)[5:]}: aze {men_a:,.0f} men x {per_a:.2f} CP (morale {morale:.2f}, command x{scale:.2f})"
                         f" vs arm {men_d:,.0f} x {per_d:.2f}")
        print(f"seed {seed}: arm share on 1992-09-01 {m.arm_share[target]:.2f} | " + " | ".join(cells))


if __name__ == "__main__":
    main(seed_range(sys.argv[1]), overrides(sys.argv[2:]))
