"""A district's holder and the men (and standing combat power) of each side in it and in the districts next to it,
every few days between two dates (docs/notes/capture_order.md, "Stop 58": where a garrison goes after a capture).

    python docs/notes/probes/district_garrison.py SEED DISTRICT FROM TO [EVERY] [parameter=value ...]
    python docs/notes/probes/district_garrison.py 0 shahumyan 1992-04-20 1992-06-14 3
"""
import datetime as dt
import sys

from model import KarabakhWar
from model.dynamics.shelling import guns_and_men
from probe_args import overrides


def main(seed: int, district: str, start: dt.date, end: dt.date, every: int, params: dict[str, float]) -> None:
    m = KarabakhWar(scenario="historical", rng=seed, until=end, **params)
    w = m.world
    here = w.index[district]
    near = [int(v) for v in w.neighbourhood[here] if v < w.n and v != here]
    while m.running:
        if m.date >= start and (m.date - start).days % every == 0:
            _, men = guns_and_men(m.forces, w.n)  # (2, N) active men by side, as shelling counts them
            stand = m.situation().stand_padded
            cells = [f"{w.keys[v]} aze {men[0, v]:,.0f} ({stand[0, v]:,.0f} CP) arm {men[1, v]:,.0f} ({stand[1, v]:,.0f} CP)"
                     for v in [here, *near]]
            holder = "arm" if m.held_by_arm[here] else "aze"
            print(f"{m.date} {district} held by {holder} | " + " | ".join(cells), flush=True)
        m.step()


if __name__ == "__main__":
    args = sys.argv[1:]
    every = int(args[4]) if len(args) > 4 and "=" not in args[4] else 1
    rest = [a for a in args[4:] if "=" in a]
    main(int(args[0]), args[1], dt.date.fromisoformat(args[2]), dt.date.fromisoformat(args[3]), every, overrides(rest))
