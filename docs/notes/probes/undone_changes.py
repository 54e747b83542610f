"""Which changes of holder are undone within 60 days, and whether anyone held them (docs/notes/capture_order.md, "Stop 56").

The pattern "captures hold" (calibration/patterns.toml) asks that at most one change of holder be undone within 60 days
by 12 May 1994. This counts, over seeds, the changes undone by district, and for every change the new holder's men in
the district the day after it: a district can change hands with none of the taker's men in it when ``base_cover`` keeps
every attacker on its own line (ODD 7.4).

    python docs/notes/probes/undone_changes.py 0-11 [parameter=value ...]
"""
import collections
import datetime as dt
import sys

from model import KarabakhWar
from model.experiments.scoring import REVERSAL_DAYS
from probe_args import overrides, seed_range

UNTIL = "1994-05-12"
WINDOW = REVERSAL_DAYS  # the rule of the pattern "captures hold" (scoring.reversed_changes)


def changes_with_men(m: KarabakhWar) -> list[dict]:
    """Run ``m`` to UNTIL; its changes of holder, each with the new holder's active men in the district the day after."""
    f, w = m.forces, m.world
    seen, waiting = 0, []
    while m.running and str(m.date) <= UNTIL:
        m.step()
        for change in waiting:
            side = 1 if change["to"] == "arm" else 0
            change["men"] = float(f.personnel[f.active & (f.side == side) & (f.node == w.index[change["district"]])].sum())
        waiting, seen = m.captures[seen:], len(m.captures)
    return [c for c in m.captures if "men" in c]


def main(seeds: list[int], overrides: dict[str, float]) -> None:
    by_district, held_or_not = collections.Counter(), collections.Counter()
    for seed in seeds:
        changes = changes_with_men(KarabakhWar(scenario="historical", rng=seed, **overrides))
        undone = []
        for i, c in enumerate(changes):
            after = next((d for d in changes[i + 1:] if d["district"] == c["district"]), None)
            back = after is not None and (dt.date.fromisoformat(after["date"])
                                          - dt.date.fromisoformat(c["date"])).days <= WINDOW
            held_or_not[("empty" if c["men"] < 1 else "occupied", "undone" if back else "kept")] += 1
            if back:
                by_district[c["district"]] += 1
                undone.append(f"{c['district']} {c['date']} -> {c['to']} ({c['men']:,.0f} men)")
        print(f"seed {seed}: {len(changes)} changes, {len(undone)} undone within {WINDOW} days", *undone, sep="\n  ")
    print("undone, by district:", dict(by_district.most_common()))
    for state in ("occupied", "empty"):
        kept, back = held_or_not[(state, "kept")], held_or_not[(state, "undone")]
        print(f"{state} the day after: {kept + back} changes, {back} undone within {WINDOW} days")


if __name__ == "__main__":
    main(seed_range(sys.argv[1]), overrides(sys.argv[2:]))
