"""Where the Karabakh side is shelled and attacked before Operation Goranboy (docs/notes/capture_order.md, "Stop 56").

The record has the Karabakh side's "fortified areas" of spring 1992 on the eastern and south-eastern axes (Askeran,
Martuni, Hadrut) and none named in the north (Zhirokhov; docs/notes/goranboy_sources.md), where the Azerbaijani
offensive of 12 June 1992 broke through. A fortification that grows where a side is shelled or attacked would follow
the model's own pressure; this prints, for each district the Karabakh side holds men in, from 1 December 1991 to
11 June 1992: the days its men there were under Azerbaijani fire, the Azerbaijani guns firing into it a day on average
(model.dynamics.shelling.incoming_fire), the days Azerbaijan attacked it, and the Azerbaijani defensive CP standing in
the districts next to it, a day on average.

    python docs/notes/probes/front_pressure_1992.py 0-3 [parameter=value ...]
"""
import sys

import numpy as np

from model import KarabakhWar
from model.dynamics.shelling import incoming_fire
from model.mechanisms import DAILY_CYCLE, Mechanism
from probe_args import overrides, seed_range

UNTIL = "1992-06-12"
ARM, AZE = 1, 0


class Pressure(Mechanism):
    """Counts, after each day's cycle, the enemy fire, attacks and strength across the line at every district."""

    def __init__(self, model: KarabakhWar) -> None:
        n = model.world.n
        self.days = 0
        self.fire_days, self.guns, self.attacked, self.across = (np.zeros((2, n)) for _ in range(4))

    def step(self, model: KarabakhWar, today) -> None:
        self.days += 1
        incoming, men = incoming_fire(model.forces, model.world.adjacency)
        incoming = np.where(men > 0, incoming, 0.0)
        self.guns += incoming
        self.fire_days += incoming > 0
        if today.combat is not None:
            self.attacked += today.combat.attack_cp[::-1] > 0  # row s: the other side attacked there
        stand = today.situation.stand_padded[:, :model.world.n]
        self.across += stand[::-1] @ model.world.adjacency


def main(seeds: list[int], overrides: dict[str, float]) -> None:
    for seed in seeds:
        m = KarabakhWar(scenario="historical", rng=seed, mechanisms=DAILY_CYCLE + (Pressure,), **overrides)
        probe = m.mechanism(Pressure)
        while m.running and str(m.date) < UNTIL:
            m.step()
        print(f"seed {seed}: {probe.days} days to {UNTIL}; Karabakh-side men in each district under Azerbaijani")
        print(f"  {'district':32s} {'days fired on':>13s} {'guns a day':>10s} {'days attacked':>13s} {'aze CP across':>13s}")
        for v in range(m.world.n):
            if not (probe.fire_days[ARM, v] or probe.attacked[ARM, v]):
                continue
            print(f"  {m.world.name(v):32s} {probe.fire_days[ARM, v]:13.0f} {probe.guns[ARM, v] / probe.days:10.1f}"
                  f" {probe.attacked[ARM, v]:13.0f} {probe.across[ARM, v] / probe.days:13,.0f}")


if __name__ == "__main__":
    main(seed_range(sys.argv[1]), overrides(sys.argv[2:]))
