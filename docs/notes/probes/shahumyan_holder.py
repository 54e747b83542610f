"""Shahumyan's changes of holder to 1994-05-12 and the new holder's men in it the day after
(docs/notes/capture_order.md, "Stop 57"): the record has Azerbaijan holding it from June 1992 on.

    python docs/notes/probes/shahumyan_holder.py 0-5 [parameter=value ...]
"""
import sys

from model import KarabakhWar
from probe_args import overrides, seed_range
from undone_changes import changes_with_men


def main(seeds: list[int], params: dict[str, float]) -> None:
    for seed in seeds:
        changes = [c for c in changes_with_men(KarabakhWar(scenario="historical", rng=seed, **params))
                   if c["district"] == "shahumyan"]
        print(f"seed {seed}: " + ("; ".join(f"{c['date']} to {c['to']} ({c['men']:,.0f} of its men there the day after)"
                                            for c in changes) or "no change"))


if __name__ == "__main__":
    main(seed_range(sys.argv[1]), overrides(sys.argv[2:]))
