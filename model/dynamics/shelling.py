"""Shelling: daily losses along the front from the enemy's artillery, with or without an attack.

Much of this war was positional: towns and trenches were shelled from the next district for
months (Khankendi/Stepanakert from Shusha and Khojaly in 1991-92; Aghdam, Tartar and the
Fuzuli front later), and artillery, Grad rockets above all, caused most casualties (Human
Rights Watch/Helsinki 1994). Engagements alone (:mod:`model.dynamics.combat`) count only the
days of attacks. Here each artillery piece standing next to a district where the other side
has troops causes ``shelling_casualties`` casualties a day, its fire split evenly among those
districts, and the casualties of a district are shared among the units there in proportion to
their men. With ``shelling_density_exponent`` a > 0 a gun's casualties also grow with the men it fires
on, as (men / ``shelling_reference_men``) ** a: artillery is area fire, and shells landing on a position
hit more men the more of them stand there (Lanchester's linear law for unaimed fire, attrition in
proportion to the product of the two forces: Spradlin & Spradlin 2007; at a = 1 a district loses the
same share of its men to the same guns whatever their number, so a crowded sector bleeds and a thin
screen is not wiped out). a = 0 is the aimed-fire form above (each gun's casualties whatever the men).
"""

from __future__ import annotations

import numpy as np

from ..inputs.forces import Forces

MAX_DAILY_SHELLING_LOSS = 0.02
"""Cap on the fraction of a district's troops lost to shelling in one day (assumption: men dig in)."""


def guns_and_men(f: Forces, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(2, N) active artillery pieces and personnel of each side in each district."""
    key = f.side.astype(np.int64) * n + f.node
    guns = np.bincount(key, f.artillery * f.active, minlength=2 * n).reshape(2, n)
    men = np.bincount(key, f.personnel * f.active, minlength=2 * n).reshape(2, n)
    return guns, men


def incoming_fire(f: Forces, adjacency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Today's enemy fire into each district where a side has troops, and those troops.

    Returns ``(incoming, men)``, both (2, N): ``incoming[s, v]`` is the number of the other side's
    artillery pieces firing into district ``v`` (each piece's fire split evenly among the
    neighbouring districts where side ``s`` has men; meaningful only where it has some), ``men[s, v]`` side
    ``s``'s active personnel there. Shared by the troops' losses and the civilians' flight
    (:mod:`model.dynamics.flight`).
    """
    guns, men = guns_and_men(f, len(adjacency))
    targets = (men[::-1] > 0) @ adjacency  # row s: districts next to each of side s's where the other side has men
    incoming = ((guns / np.maximum(targets, 1.0)) @ adjacency)[::-1]  # row s: the other side's fire into each district
    return incoming, men


def shelling_losses(f: Forces, adjacency: np.ndarray, p: dict[str, float]) -> np.ndarray:
    """Fraction of each unit lost to today's enemy shelling from neighbouring districts: ``shelling_casualties``
    per gun firing into its district, shared by the men there, times (men / ``shelling_reference_men``) **
    ``shelling_density_exponent`` (area fire; the module docstring)."""
    incoming, men = incoming_fire(f, adjacency)
    men = np.maximum(men, 1.0)
    frac = p["shelling_casualties"] * incoming / men
    if p["shelling_density_exponent"] > 0:  # none at 0: the aimed-fire form, bit for bit
        frac *= (men / p["shelling_reference_men"]) ** p["shelling_density_exponent"]
    frac = np.minimum(frac, MAX_DAILY_SHELLING_LOSS)
    return frac[f.side.astype(np.int64), f.node] * f.active
