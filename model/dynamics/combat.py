"""Combat: stochastic Lanchester attrition and district advances, for all fronts at once.

An *engagement* is one side attacking one district: every unit of side ``s``
whose target is district ``v`` joins it; every unit of the other side standing in
``v`` defends it. Engagements are keyed ``s * N + v`` so that all of them are
resolved with a handful of ``bincount`` calls per day, never a Python loop over
units or fronts.

Model (per day): the defenders of an engagement lose a fraction
``k * (A / D)**w`` of their strength and the attackers ``k * e * (D / A)**w`` (capped), with
``A``/``D`` the effective combat power (CP) of attackers/defenders, ``k`` the
attrition rate, ``e`` the attacker's exposure and ``w`` the attrition exponent, times gamma noise:
``w = 1`` is Lanchester's square law, ``w < 1`` Helmbold's generalisation, in which the odds
weigh less on each side's loss rate (Dupuy: no direct relationship between force ratios and
casualty rates in his divisional engagements). Terrain,
supply, equipment, training and morale enter through CP. The attacker gains a
share of the district growing with ``log(A/D)``; with a logistic probability in
``log(A/D)`` the defence *breaks* and a larger share falls at once (never at or below
``break_min_ratio``). An undefended district is occupied at a pace that grows with the
attacker's CP up to ``occupation_cp``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..inputs.forces import MERCENARY, MILITIA, Forces
from ..inputs.world import TERRAINS

MIN_CP = 1e-6
"""Defensive CP below this counts as no defender (avoids dividing by subnormal numbers)."""
MAX_DAILY_LOSS = 0.3
"""Cap on the fraction of a unit lost in one day (assumption: even routs leave survivors)."""
LOG_2 = np.log(2.0)
"""Creeping advances grow with log2 of the force ratio (computed once)."""


@dataclass(frozen=True)
class Terrain:
    """Per-district multipliers derived once from parameters and terrain classes."""

    defense: np.ndarray  # defence multiplier of each district
    armour: np.ndarray  # multiplier on tank/APC weight in each district

    @classmethod
    def from_params(cls, terrain_class: np.ndarray, p: dict[str, float]) -> Terrain:
        """Look up each district's terrain multipliers in the parameter set."""
        defense = np.array([p[f"terrain_defense_{t}"] for t in TERRAINS])[terrain_class]
        mountain = np.isin(terrain_class, [TERRAINS.index("mountain"), TERRAINS.index("high_mountain")])
        armour = np.where(mountain, p["terrain_armour_factor_mountain"], 1.0)
        return cls(defense=defense, armour=armour)


def command_scale(cohesion, weight: float):
    """The share of its combat power a command of cohesion ``cohesion`` brings, when cohesion weighs ``weight``:
    (1 - weight) + weight x cohesion (model.mechanisms.command scales the day's attack and defence CP by it; the
    built-in staff's foresight, model.actors.strategy, counts its own attack CP with it)."""
    return (1.0 - weight) + weight * cohesion


def assembled_attack(attack_cp: np.ndarray, approach: np.ndarray, nodes: np.ndarray, targets: np.ndarray,
                     group: np.ndarray, groups: int, n: int) -> np.ndarray:
    """(groups, n): the attack CP the given units bring against each target over the approach (tracks and passes,
    ``World.approach``), summed by ``group`` (each unit's government or staff row): the strength an operation
    assembles. The built-in staff calls off attacks that assemble too little (``BuiltinAI._call_off``); a rested
    government launches its offensive when one assembles enough (``Tempo.opening``)."""
    strength = attack_cp * approach[nodes, targets]
    return np.bincount(group * n + targets, strength, minlength=groups * n).reshape(groups, n)


def unit_quality(f: Forces, p: dict[str, float], gov_factor: np.ndarray | None = None) -> np.ndarray:
    """Combat power per personnel-equivalent of every unit from training, morale and supply (and
    ``gov_factor``, see :func:`combat_power`): the part that does not depend on where units stand."""
    quality = np.exp(p["training_effect"] * (f.training - 0.5)) * (0.4 + 0.6 * f.morale) * (0.25 + 0.75 * f.supply)
    if gov_factor is not None:
        quality = quality * gov_factor[f.government]
    return quality


@dataclass
class UnitTerms:
    """The terms of :func:`combat_power` that do not depend on where units stand (the same state: units have
    only moved since), computed once and reused by the day's picture after moves."""

    quality: np.ndarray  # (U,) :func:`unit_quality`
    armour: np.ndarray  # (U,) weighted tanks and APCs (scaled by the terrain where the unit stands)
    guns: np.ndarray  # (U,) weighted artillery
    mercenary: np.ndarray  # (U,) a mercenary's cohesion, 1 for other units
    attack_factor: np.ndarray  # (U,) militia_attack_factor for militias, 1 for other units


def unit_terms(f: Forces, p: dict[str, float], quality: np.ndarray) -> UnitTerms:
    """:class:`UnitTerms` of the present state, with its ``quality`` (:func:`unit_quality`)."""
    return UnitTerms(quality=quality, armour=p["tank_weight"] * f.tanks + p["apc_weight"] * f.apcs,
                     guns=p["artillery_weight"] * f.artillery,
                     mercenary=np.where(f.kind == MERCENARY, f.cohesion, 1.0),
                     attack_factor=np.where(f.kind == MILITIA, p["militia_attack_factor"], 1.0))


def combat_power(f: Forces, terrain: Terrain, p: dict[str, float], gov_factor: np.ndarray | None = None,
                 terms: UnitTerms | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Effective (attack, defence) combat power of every unit; 0 for inactive units.

    Personnel-equivalents (armour weighted down in mountains) scaled by training,
    morale, supply and, for mercenaries, cohesion. Attack CP is lower for
    militias; defence CP includes the district's terrain and a militia's home
    bonus. ``gov_factor`` (per government) carries what the regime's coup-proofing
    profile does to training (:mod:`model.actors.coup_proofing`). Monotone in every input.
    ``terms``: :func:`unit_terms` of the same state if already computed (units have only moved since), which
    then replaces ``gov_factor``.
    """
    if terms is None:
        terms = unit_terms(f, p, unit_quality(f, p, gov_factor))
    raw = f.personnel + terrain.armour[f.node] * terms.armour + terms.guns
    cp = raw * terms.quality * terms.mercenary * f.active
    attack = cp * terms.attack_factor
    home = np.where(f.at_home(), p["militia_home_defense_factor"], 1.0)
    return attack, cp * terrain.defense[f.node] * home


def prepared_defense(days_in_place: np.ndarray, kind: np.ndarray, bonus: float, full_days: float) -> np.ndarray:
    """(U,) multiplier of each unit's defensive CP for the time it has held its district: 1 on the day it
    arrives, rising linearly to 1 + ``bonus`` after ``full_days`` days; 1 for self-defence detachments (their
    home factor, ``militia_home_defense_factor``, already stands for the villages they knew and had fortified).

    Why: a force that has held its position for days has dug in, laid mines and sited its guns, and one that has
    just arrived has not — Dupuy's posture factors rate a hasty defence 1.3, a prepared one (5-10 days in position)
    1.5 and a fortified one (three times as long) 1.6 (ODD 7.1). After
    Goranboy Azerbaijan fortified the villages it had taken (Ministry of Defence, 17 June 1992;
    docs/notes/goranboy_sources.md), and the line of 1994 was the one each side had dug. Without it a brigade that
    shuttles between two districts every few days defends each as well as one that has held it for months."""
    settled = np.clip(days_in_place / max(full_days, 1.0), 0.0, 1.0)
    return np.where(kind == MILITIA, 1.0, 1.0 + bonus * settled)


def militia_support(f: Forces, defense_cp: np.ndarray, p: dict[str, float], support_adjacency: np.ndarray,
                    supporting: np.ndarray) -> np.ndarray:
    """(2, N) defensive CP that side s's ``supporting`` militias add to district v from the
    neighbouring districts of their region (``militia_support_share`` of their own)."""
    n = len(support_adjacency)
    own = np.bincount(f.side[supporting].astype(np.int64) * n + f.node[supporting], defense_cp[supporting],
                      minlength=2 * n).reshape(2, n)
    return p["militia_support_share"] * (own @ support_adjacency)


@dataclass
class DayResult:
    """What one day of fighting did, per unit and per engagement."""

    unit_loss_fraction: np.ndarray  # fraction of each unit's strength lost today
    attack_loss_fraction: np.ndarray  # of it, the fraction lost in the unit's own attack (the rest: defending)
    engaged: np.ndarray  # bool per unit: took part in an engagement today
    share_gain: np.ndarray  # (2, N): district share gained by each side today
    broke: np.ndarray  # (2, N): defence of district v broke against side s today
    attack_cp: np.ndarray  # (2, N)
    defense_cp: np.ndarray  # (2, N): CP defending v against side s


def fight(f: Forces, attack_cp: np.ndarray, defense_cp: np.ndarray, p: dict[str, float],
          rng: np.random.Generator, n_districts: int, intensity: float = 1.0,
          advance_factor: np.ndarray | None = None, exposure_factor: np.ndarray | None = None,
          support_adjacency: np.ndarray | None = None, approach: np.ndarray | None = None) -> DayResult:
    """Resolve one day of every engagement on the map.

    ``intensity`` scales attrition and advances (1 in the model: ceasefires stop attacks
    instead, see model.actors.diplomacy; kept for experiments). Work is
    done on the compressed list of today's engagements; random numbers are drawn
    per engagement in key order, so results depend only on the state and the
    model's rng stream. ``advance_factor`` and ``exposure_factor`` (per district, default 1)
    multiply the advance into a district and the attacker's losses there (seasons).
    ``support_adjacency`` (N x N, e.g. roads inside one region) lets militias that are not
    attacking add ``militia_support_share`` of their defensive CP to each neighbour's defence.
    ``approach`` (N x N, default none) scales the attack CP a unit in v brings to its target w
    (:meth:`model.inputs.world.World.approach`: less along mountain tracks); applied here, after the
    check for a day without attacks, so that such a day does not pay for it.
    """
    n = n_districts
    side = f.side.astype(np.int64)
    attacking = (f.target >= 0) & f.active
    # The defence against side s at v: the defensive CP of the other side standing in v.
    def_key = (1 - side) * n + f.node
    D = np.bincount(def_key, defense_cp, minlength=2 * n)
    if not np.count_nonzero(attacking):  # no attack ordered (about half the days: ceasefires, pauses): nothing to draw
        return quiet_day(len(f), D.reshape(2, n))
    if approach is not None:
        attack_cp = attack_cp * approach[f.node, np.maximum(f.target, 0)]
    att_key = side * n + np.where(attacking, f.target, 0)
    A = np.bincount(att_key[attacking], attack_cp[attacking], minlength=2 * n)
    supporting = None
    if support_adjacency is not None and p["militia_support_share"] > 0:
        # Self-defence detachments not attacking today send part of their strength to every
        # neighbouring district of their region (only the attacked ones use it; losses shared below);
        # the support of side s's militias defends against the other side (rows flipped).
        supporting = (f.kind == MILITIA) & f.active & ~attacking
        D = D + militia_support(f, defense_cp, p, support_adjacency, supporting)[::-1].reshape(-1)

    eng = (A > 0).nonzero()[0]  # sorted engagement keys
    a, d = A[eng], D[eng]
    defended = d > MIN_CP
    shape = 1.0 / p["attrition_noise"] ** 2
    noise = rng.gamma(shape, 1.0 / shape, size=(2, len(eng)))
    u_break, u_adv = rng.random((2, len(eng)))
    ratio = a / np.where(defended, d, 1.0)
    k = p["attrition_rate"] * intensity
    # the odds as they weigh on loss rates (square law at exponent 1: no power taken, runs unchanged)
    odds = ratio if p["attrition_exponent"] == 1.0 else ratio ** p["attrition_exponent"]
    frac_def = np.where(defended, np.minimum(k * odds * noise[0], MAX_DAILY_LOSS), 0.0)
    node_e = eng % n if exposure_factor is not None or advance_factor is not None else None  # engaged district
    exposure = p["attacker_exposure"] if exposure_factor is None else p["attacker_exposure"] * exposure_factor[node_e]
    frac_att = np.where(defended, np.minimum(k * exposure / np.maximum(odds, 1e-12) * noise[1],
                                             MAX_DAILY_LOSS), 0.0)

    # Advance: creeping gains when A > D, a large jump if the defence breaks.
    log_r = np.log(np.maximum(ratio, 1e-300))
    z = np.minimum(-p["breakthrough_steepness"] * (log_r - np.log(p["breakthrough_ratio"])), 700.0)
    # A defence breaks only against a stronger attacker: below ``break_min_ratio`` the daily
    # draw is not even made to count, so a long siege at parity cannot win by rolling dice.
    p_break = np.where(ratio > p["break_min_ratio"], 1.0 / (1.0 + np.exp(z)), 0.0)
    broke_e = defended & (u_break < p_break * intensity)
    creep = p["advance_per_day"] * np.minimum(np.maximum(log_r / LOG_2, 0.0), 3.0)
    # An empty district is occupied at a pace that grows with the occupier's strength up to
    # ``occupation_cp``: a handful of raiders cannot hold a rayon's villages.
    occupy = p["undefended_advance"] * np.minimum(a / p["occupation_cp"], 1.0)
    gain_e = np.where(defended, creep + broke_e * p["breakthrough_advance"], occupy)
    gain_e *= (0.5 + u_adv) * intensity
    if advance_factor is not None:
        gain_e *= advance_factor[node_e]

    frac_def_all = np.zeros(2 * n)
    frac_def_all[eng] = frac_def
    frac_att_all = np.zeros(2 * n)
    frac_att_all[eng] = frac_att
    gain = np.zeros(2 * n)
    gain[eng] = gain_e
    broke = np.zeros(2 * n, dtype=bool)
    broke[eng] = broke_e

    # Each unit's loss: as attacker in its own engagement, as defender of its district.
    loss_att = frac_att_all[att_key] * attacking
    loss_def = frac_def_all[def_key] * f.active
    engaged = attacking | ((A[def_key] > 0) & f.active)
    if supporting is not None:
        # a supporter loses its share of the defenders' losses of each neighbour it supports
        # (row s: the losses of side s's defences; frac_def_all's rows are the attacking side)
        lost_nearby = frac_def_all.reshape(2, n)[::-1] @ support_adjacency
        loss_sup = np.minimum(p["militia_support_share"] * lost_nearby[side, f.node], MAX_DAILY_LOSS) * supporting
        loss_def = 1.0 - (1.0 - loss_def) * (1.0 - loss_sup)
        engaged |= loss_sup > 0
    unit_loss = 1.0 - (1.0 - loss_att) * (1.0 - loss_def)
    return DayResult(unit_loss_fraction=unit_loss, attack_loss_fraction=loss_att, engaged=engaged,
                     share_gain=gain.reshape(2, n), broke=broke.reshape(2, n), attack_cp=A.reshape(2, n),
                     defense_cp=D.reshape(2, n))


def quiet_day(n_units: int, defense_cp: np.ndarray) -> DayResult:
    """The result of a day without attacks (what :func:`fight` computes then, without the work):
    no losses, no engagement, no gains; ``defense_cp`` (2, N) as in :class:`DayResult`, without militia
    support (no district is attacked, so no detachment is called to a neighbour)."""
    none = np.zeros(defense_cp.shape)
    return DayResult(unit_loss_fraction=np.zeros(n_units), attack_loss_fraction=np.zeros(n_units),
                     engaged=np.zeros(n_units, dtype=bool), share_gain=none,
                     broke=np.zeros(defense_cp.shape, dtype=bool), attack_cp=none.copy(), defense_cp=defense_cp)


def apply_losses(f: Forces, loss_fraction: np.ndarray) -> np.ndarray:
    """Remove the lost fraction of personnel and equipment; return personnel lost per unit."""
    keep = 1.0 - loss_fraction
    lost = f.personnel * loss_fraction
    f.personnel *= keep
    f.tanks *= keep
    f.apcs *= keep
    f.artillery *= keep
    return lost
