"""Which documented changes of holder carry the capture term of the loss (docs/notes/capture_order.md, "Stop 55").

The capture term (model.experiments.scoring.score) is the mean, over the documented changes of holder of
calibration/timeline.csv, of the months between each and the nearest simulated change of the same district to the
same side (12 when there is none within a year). This prints, for each documented change, its mean and median error
over the seeds and the share of seeds in which it is capped (no such change within a year), then the capture term
(the mean over changes and seeds): where the months are lost, as the score card's table of first changes does not
show (it lists first changes only, and medians of dates, not of errors).

    python docs/notes/probes/capture_errors.py 0-29 [parameter=value ...]
"""
import datetime as dt
import sys

import numpy as np

from model import KarabakhWar
from model.experiments.scoring import CAP_MONTHS, capture_errors, documented, simulated_changes
from model.inputs.history import CEASEFIRE_DATE, START
from probe_args import overrides, seed_range


def main(seeds: list[int], params: dict[str, float]) -> None:
    doc, errors = None, []  # errors: (seeds, documented changes)
    for seed in seeds:
        m = KarabakhWar(scenario="historical", rng=seed, until=str(CEASEFIRE_DATE), **params).run()
        if doc is None:  # as scoring.score_model builds it (the run's capture_share; the same for every seed)
            doc = documented(m.world, (CEASEFIRE_DATE - START).days + 1, capture_share=m.p["capture_share"])
        shares = m.control_history[: m.day + 1][: len(doc.low)]  # the arm shares the fit scores, day by day
        errors.append(capture_errors(doc.changes, simulated_changes(shares, m.world, m.p["capture_share"])))
    e = np.array(errors)
    for i, ch in enumerate(doc.changes.itertuples(index=False)):
        date = START + dt.timedelta(days=int(ch.day))
        print(f"{ch.district:12s} to {ch.to_side} {date}: mean {e[:, i].mean():5.2f} months, median {np.median(e[:, i]):5.2f},"
              f" capped in {np.mean(e[:, i] >= CAP_MONTHS):4.0%} of seeds")
    print(f"capture term (mean over changes and seeds): {e.mean():.2f} months, {len(seeds)} seeds")


if __name__ == "__main__":
    main(seed_range(sys.argv[1]), overrides(sys.argv[2:]))
