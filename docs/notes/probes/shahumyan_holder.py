"""Shahumyan's changes of holder to 1994-05-12 and the men of each side standing in it the day after
(docs/notes/capture_order.md, "Stop 57"): the record has Azerbaijan holding it from June 1992 on.

    python docs/notes/probes/shahumyan_holder.py 0-5 [parameter=value ...]
"""
import datetime as dt
import sys

from model import KarabakhWar
from probe_args import overrides, seed_range


def main(seeds: list[int], overrides: dict[str, float]) -> None:
    for seed in seeds:
        m = KarabakhWar(scenario="historical", rng=seed, until=dt.date(1994, 5, 12), **overrides)
        f, t = m.forces, m.world.index["shahumyan"]
        before, changes = bool(m.side_held[1, t]), []
        while m.running:
            m.step()
            now = bool(m.side_held[1, t])
            if now != before:
                men = [int(f.personnel[f.active & (f.node == t) & (f.side == side)].sum()) for side in (0, 1)]
                changes.append(f"{m.date} to {'arm' if now else 'aze'} (men aze {men[0]:,}, arm {men[1]:,})")
                before = now
        print(f"seed {seed}: " + ("; ".join(changes) or "no change"))


if __name__ == "__main__":
    main(seed_range(sys.argv[1]), overrides(sys.argv[2:]))
