"""Men joining a unit: its training is the mean of its men's, so raw men lower it.

Shared by the daily recruits (``recruit_training_gap``, :mod:`model.mechanisms.recruitment`) and by the levies
that throw a government's untrained depots into its units (:meth:`model.actors.agents.Government.levy`).
"""

from __future__ import annotations

import numpy as np


def join(f, joining: np.ndarray, training) -> None:
    """Add ``joining`` men (per unit) who arrive with ``training`` (a level, or one per unit): a unit's training
    is the mean of its men's, so raw men lower it."""
    f.training += (joining / np.maximum(f.personnel + joining, 1.0)) * (training - f.training)
    f.personnel += joining
