"""Money: each government's daily income, mercenaries' pay, and mercenaries who leave (unpaid,
bled below ``BLED_FRACTION`` of their strength, or at the end of their contract)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..inputs.forces import MERCENARY
from .base import Mechanism, Today

if TYPE_CHECKING:
    from ..model import KarabakhWar

BLED_FRACTION = 0.35  # mercenaries leave below this share of their initial strength (assumption)


class Pay(Mechanism):
    """Writes the treasuries, mercenary cohesion and departures."""

    def step(self, model: KarabakhWar, today: Today) -> None:
        f, p = model.forces, model.p
        mercs = f.active & (f.kind == MERCENARY)
        for gov in model.governments:
            gov.treasury_musd += gov.income_musd_per_day
        if not np.count_nonzero(mercs):  # (cheaper than any(), daily)
            return
        cost = np.bincount(f.government[mercs], f.personnel[mercs] * f.pay_usd_month[mercs] / 30.0 / 1e6,
                           minlength=len(model.governments)).tolist()
        for gov in model.governments:
            gov.treasury_musd -= cost[gov.index]
        broke = [g.treasury_musd < 0 for g in model.governments]
        if any(broke):  # otherwise nobody's cohesion moves
            unpaid = mercs & np.array(broke)[f.government]
            f.cohesion -= p["mercenary_unpaid_cohesion_loss"] * unpaid
        leave = mercs & ((f.cohesion < p["mercenary_desertion_cohesion"])
                         | (f.personnel < BLED_FRACTION * f.initial_personnel)
                         | (f.contract_end_day <= model.day))
        for row in leave.nonzero()[0]:
            model.deactivate_unit(row)
            model.event_log.append({"date": str(model.date), "type": "mercenary_departure",
                                    "id": model.unit_keys[row], "message": f"{model.unit_keys[row]} leaves"})
