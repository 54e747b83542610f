"""Azerbaijan's command cohesion month by month and when the Karabakh side's opportunity gate first opens
(docs/notes/capture_order.md, "Stop 53").

The Karabakh staff values districts beyond its war aims only while its opportunity gate is open
(model/actors/agents.py Government.opportunity_open, ODD 7.6): Azerbaijan's cohesion falling by collapse_drop below
its recent high, or the Karabakh command's exceeding it by exploitation_gap. This prints, for each seed, the first
day from October 1992 the gate is open, the date Kalbajar first changes hands, and Azerbaijan's side cohesion on the
first of each month from October 1992 to September 1993 (* = the gate open that day).

    python docs/notes/probes/opportunity_gate.py 0-7 [parameter=value ...]
"""
import sys

from model import KarabakhWar
from probe_args import overrides, seed_range


def main(seeds: list[int], overrides: dict[str, float]) -> None:
    for seed in seeds:
        m = KarabakhWar(scenario="historical", rng=seed, **overrides)
        nk = m.government("nagorno_karabakh")
        months, opened = [], None
        while str(m.date) < "1993-09-01":
            m.step()
            if str(m.date) < "1992-10-01":
                continue
            gate = nk.opportunity_open()
            if gate and opened is None:
                opened = str(m.date)
            if m.date.day == 1:
                months.append(f"{str(m.date)[2:7]} {m.side_cohesion()[0]:.2f}{'*' if gate else ' '}")
        kalbajar = next((c["date"][:10] for c in m.captures if c["district"] == "kalbajar"), "-")
        print(f"seed {seed}: gate first open {opened or '-'}, Kalbajar {kalbajar} |", " ".join(months))


if __name__ == "__main__":
    main(seed_range(sys.argv[1]), overrides(sys.argv[2:]))
