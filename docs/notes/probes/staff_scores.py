"""A government's attack scores on given dates (docs/notes/capture_order.md, "Stop 52").

The built-in staff rates each district it does not fully hold by the attack CP that can converge on it times its
value, over the enemy's defence there, and attacks where that passes attack_ratio_threshold
(model/actors/strategy.py BuiltinAI.decide_many, whose target_values and converging_attack this calls; the defence
here is the true one, where the staff may be told another under internal intelligence). This prints the eight best-rated districts, their terms and the
men holding them, and whether the government is on the offensive (ODD 7.12), as its staff saw them that day.

    python docs/notes/probes/staff_scores.py SEED GOVERNMENT 1993-06-15,1993-07-15 [parameter=value ...]
"""
import datetime as dt
import sys

import numpy as np

from model import KarabakhWar
from model.mechanisms import Tempo
from probe_args import overrides


def main(seed: int, government: str, dates: list[dt.date], overrides: dict[str, float]) -> None:
    m = KarabakhWar(scenario="historical", rng=seed, **overrides)
    for date in dates:
        while m.date < date:
            m.step()
        g, w, f = m.government(government), m.world, m.forces
        staff, situation, side = g.strategy, m.situation(), np.array([g.side_index])
        value = staff.target_values(m, [g], side)[0]
        units = (f.active & (f.government == g.index)).nonzero()[0]
        converging = staff.converging_attack(m, [g], situation, units, f.node[units])[0]
        defence = situation.stand_padded[1 - g.side_index, :w.n]  # the true defence (the staff may be told another)
        score = np.where(situation.side_share[g.side_index] < 1, converging / np.maximum(defence, 1) * value, -1)
        print(date, government, "on the offensive" if m.mechanism(Tempo).on_offensive[g.index] else "resting",
              f"cohesion {g.cohesion:.2f}", g.regime.key)
        for v in np.argsort(-score)[:8]:
            held = f.personnel[f.active & (f.side != g.side_index) & (f.node == v)].sum()
            print(f"   {w.keys[v]:14s} value {value[v]:.3f}  converging {converging[v]:7.0f}  defence {defence[v]:7.0f}"
                  f"  (men {held:5.0f})  score {score[v]:7.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], [dt.date.fromisoformat(d) for d in sys.argv[3].split(",")],
         overrides(sys.argv[4:]))
