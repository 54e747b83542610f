"""Civilians' flight from shelling: villages in artillery range emptied before any capture.

Most of the ~650,000 Azerbaijanis displaced by May 1994 fled districts as they were taken
(:mod:`model.mechanisms.control`), but the official figure explicitly includes "other
settlements bordering with Armenia and the Nagorno-Karabakh" that were never occupied, and
towns such as Tartar, Aghjabadi and Beylagan were shelled for months (docs/notes/
displacement_sources.md). Here only the *exposed* civilians of a district (a share of its
population, ``exposed_fraction``: the villages in artillery range of the line) can flee this way,
each day a fraction ``shelling_flight_rate`` × (the enemy's artillery pieces firing into the
district, :func:`model.dynamics.shelling.incoming_fire`), capped at all of them.
"""

from __future__ import annotations

import numpy as np


def shelling_flight(exposed: np.ndarray, incoming: np.ndarray, men: np.ndarray, rate: float) -> np.ndarray:
    """Civilians of each nation (rows: 0 Azerbaijani, 1 Armenian) who flee each district today.

    ``exposed[s, v]``: side ``s``'s nation's civilians of district ``v`` in artillery range;
    ``incoming[s, v]``: the other side's pieces firing into ``v``, where side ``s`` has ``men``
    (no troops of a side in a district, no fire aimed at it, as for the troops' losses).
    """
    pressure = np.where(men > 0, incoming, 0.0)
    return exposed * np.minimum(rate * pressure, 1.0)
