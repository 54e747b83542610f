"""Regime politics: legitimacy, commanders' loyalty, coups and changes of leadership.

Governments (``data/governments.toml``) carry a leader, legitimacy, budget and war
aims, and a *regime* with a 13-item coup-proofing profile (:mod:`model.inputs.regimes`; effects in :mod:`model.actors.coup_proofing`).
Each day:

* legitimacy falls with districts lost and recovers slowly (it scales recruitment);
* commanders' loyalty falls with defeats, with their own unit's losses, with
  dismissals while a purge is under way, with pay in arrears, and when a patron
  courts their unit directly (an arms transfer to that unit); victories raise it;
  it recovers slowly toward its base;
* a coup attempt may start in each government, with a daily hazard that grows with
  the most disloyal commander's motive, the regime's structural risk and its lack of
  legitimacy, and shrinks with internal intelligence (plots detected);
* an attempt is a contest near the capital: rebels (the plotter and disloyal units
  next to it, stronger with a patron's backing) against the regime guard and loyal
  units near the capital (weighted by legitimacy). The rebels leave the front and
  march on the capital whatever the outcome;
* success installs the next regime of the data (its profile, policies and purge),
  or a junta of the plotters; failure costs the plotter's unit and prompts a purge;
* a government whose legitimacy collapses resigns in favour of the next regime, unless that is
  an armed movement with battalions in service, which takes power only by rising (below);
* an opposition movement with battalions of its own (``armed_wing`` of a listed successor
  regime, e.g. the Popular Front's) may rise when the government's legitimacy falls below
  ``uprising_legitimacy``: the same contest near the capital, its battalions helped by the
  crowd (``1 + (1 - legitimacy)``); success puts the movement's regime in power.

Coup-proofing in the war (:mod:`model.actors.coup_proofing`): a regime's profile follows its
dated codings (:func:`follow_codings`); while a purge runs it replaces would-be plotters
(:func:`vet_commanders`); a regime losing the war commits its guard to the front
(:func:`commit_guards`).

Each change of power is recorded in ``model.coups`` with its path: ``coup`` (a commander's
revolt), ``uprising`` or ``resignation``.

Scenario events can forbid or force coups for a window (``coup_constraint``).
Nothing schedules a coup's date or outcome.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np

from ..inputs.forces import BRIGADE, MERCENARY
from ..inputs.regimes import Regime
from .coup_proofing import effects, junta, war_experience

if TYPE_CHECKING:
    from .agents import Government
    from ..model import KarabakhWar


def update_legitimacy(governments, districts_lost: np.ndarray, p: dict[str, float],
                      displaced_today: np.ndarray | None = None, *, day: int) -> None:
    """Defeats cost legitimacy, victories restore some; each day restores a little of what is missing.

    ``districts_lost[s]`` counts the districts whose holder changed away from side ``s``
    today. Counting changes of holder rather than daily shares keeps a front that sways back
    and forth inside one district from draining legitimacy (only real losses count).
    ``displaced_today[s]`` are the civilians of side ``s``'s nation who fled today: a government
    that cannot protect its people loses standing even where no district changed hands
    (Mutalibov resigned over the fall of Khojaly, a town inside a district his side kept).
    A leadership in power for fewer than ``honeymoon_days`` days on ``day`` (the model's day; required,
    so that no caller measures tenure from day 0 by default) bears only a share of the blame for both
    (:func:`blame_share`).
    """
    loss_rate, gain_rate = p["legitimacy_loss_per_capture"], p["legitimacy_gain_per_capture"]
    recovery = p["legitimacy_recovery_per_day"]
    fled = [0.0, 0.0] if displaced_today is None else displaced_today.tolist()
    districts_lost = districts_lost.tolist()  # Python floats: the same arithmetic, cheaper on three governments
    for gov in governments:
        s = gov.side_index
        captured = loss_rate * districts_lost[s]
        flight = p["legitimacy_loss_per_100k_displaced"] * fled[s] / 1e5
        blame = blame_share(gov, day, p["honeymoon_days"])
        if blame < 1.0:
            captured, flight = captured * blame, flight * blame
        value = (gov.legitimacy - captured + gain_rate * districts_lost[1 - s]
                 - flight + recovery * (1.0 - gov.legitimacy))
        gov.legitimacy = min(max(float(value), 0.0), 1.0)


def blame_share(gov: Government, day: int, honeymoon_days: float) -> float:
    """The share of the blame for today's defeats that the leadership in power bears: rising linearly
    from 0 on the day it took power to 1 after ``honeymoon_days`` (0: always 1; a leadership in power
    at the start has been in power long since). A new leadership blames its predecessors: the Popular
    Front came to power in May 1992 on the losses of Shusha and Lachin and kept it through the summer;
    Aliyev, in power from June 1993, lost Aghdam, Fuzuli, Jabrayil, Qubadli and Zangilan by November
    and won a referendum in August and the presidential election in October 1993 (LoC Country Study;
    de Waal 2003, ch. 12)."""
    if honeymoon_days <= 0:
        return 1.0
    return min(max((day - gov.in_power_since) / honeymoon_days, 0.0), 1.0)


def install_regime(model: KarabakhWar, gov: Government, regime: Regime, how: str) -> None:
    """Put ``regime`` in power in ``gov``: leader, profile (its cells of today), policies, legitimacy and a purge."""
    regime = regime.at(model.date)
    gov.regime = regime
    gov.leader = regime.leader
    if how == "start":
        gov.initial_regime = regime
    pol = regime.policy
    if pol is not None:
        gov.alignment_russia = pol.alignment_russia
        gov.mediation_appetite = pol.mediation_appetite
    if how != "start":
        if pol is None or not pol.caretaker:  # a caretaker carries on its predecessor's tenure (blame_share)
            gov.in_power_since = model.day
        if pol is not None:
            gov.legitimacy = pol.legitimacy_start
        purge = pol.purge_on_takeover if pol is not None else model.p["purge_on_takeover_uncoded"]
        if purge > 0:
            gov.purge = (model.day, purge)
        # The new leadership trusts its own: commanders start from their base loyalty again.
        f = model.forces
        mine = f.government == gov.index
        f.loyalty[mine] = np.maximum(f.loyalty[mine], f.base_loyalty[mine])
    gov.regime_history.append({"date": str(model.date), "regime": regime.key, "leader": regime.leader, "how": how})
    refresh_effects(model, gov)


def refresh_effects(model: KarabakhWar, gov: Government) -> None:
    """Recompute what the regime's profile (and a purge in progress) does to its forces."""
    p = model.p
    level = 0.0
    if gov.purge is not None:
        start, intensity = gov.purge
        level = intensity * min(1.0, (model.day - start) / max(p["purge_lag_days"], 1.0))
    experience = war_experience(float(model.combat_days[gov.side_index]), p)
    gov.effects = effects(gov.regime, p, level, model.knockouts, experience,
                          gov.guard_committed is not None)
    model.gov_cp_factor[gov.index] = float(np.exp(p["training_effect"] * gov.effects.training_delta))
    model.gov_commitment[gov.index] = gov.effects.commitment_factor
    model.gov_guard_share[gov.index] = gov.effects.counterweight_share
    model.gov_loyalty_gain[gov.index] = gov.effects.loyalty_gain


def start_purge(model: KarabakhWar, gov: Government, intensity: float) -> None:
    """A purge of the officer corps from today: after a failed coup, or ordered by a government (the wargame)."""
    gov.purge = (model.day, intensity)
    refresh_effects(model, gov)


def replace_commander(model: KarabakhWar, row: int) -> None:
    """A new, vetted commander for unit ``row``, at the unit's base loyalty (after a failed coup, or ordered)."""
    model.forces.loyalty[row] = model.forces.base_loyalty[row]


def update_loyalty(model: KarabakhWar, districts_lost: np.ndarray, loss_fraction: np.ndarray | float) -> None:
    """Grievances lower commanders' loyalty, victories raise it; it recovers slowly toward its base.
    ``loss_fraction``: each unit's losses that breed grievances today (0.0: none, for everyone).

    Grievances: defeats of the side (``districts_lost[s]``: districts side ``s`` lost today),
    the unit's own losses, dismissals while the government purges the officer corps, and pay
    in arrears while the government's treasury is empty. (Patron courting: ``court_unit``.)
    """
    f, p = model.forces, model.p
    lag = max(p["purge_lag_days"], 1.0)
    per_gov = [(p["purge_loyalty_loss"] * g.purge[1] / lag if g.purge is not None and model.day - g.purge[0] <= lag
                else 0.0) + (p["unpaid_loyalty_loss"] if g.treasury_musd < 0 else 0.0) for g in model.governments]
    defeats = np.count_nonzero(districts_lost)
    # Most days no district changes hands, nobody bled in defeat (loss_fraction 0.0) and no government purges or
    # owes pay: every term is then 0 and adding them would leave each loyalty as it is (it is never -0.0).
    if defeats or not isinstance(loss_fraction, float) or loss_fraction != 0.0 or any(per_gov):
        fortune = (p["victory_loyalty_gain"] * districts_lost[1 - f.side] - p["defeat_loyalty_loss"] * districts_lost[f.side]
                   if defeats else 0.0)  # both rates are >= 0
        f.loyalty += fortune - p["combat_loss_loyalty_sensitivity"] * loss_fraction - np.array(per_gov)[f.government]
    f.loyalty += p["loyalty_recovery_per_day"] * np.maximum(f.base_loyalty - f.loyalty, 0.0)
    f.loyalty.clip(0.0, 1.0, out=f.loyalty)


def dismiss_scapegoats(model: KarabakhWar, changed: np.ndarray) -> None:
    """A government that lost a district today relieves, with probability ``scapegoat_rate``, the
    brigade commander in or next to it whom it trusts least (the lowest loyalty; ties: the strongest
    brigade, then the lowest row). A commander whose loyalty would stay at or above
    ``fragmentation_loyalty`` after ``dismissal_loyalty_loss`` goes, and a new, vetted one takes his
    brigade at its base loyalty (``replace_commander``). One it would leave below refuses to go: his
    loyalty falls by ``dismissal_loyalty_loss``, he takes his unit off the front to its base (where it
    was raised, if his side holds it; else the capital) and obeys no order until his loyalty recovers or
    he is replaced (``refuses_orders``); his government's command cohesion falls by his unit's share of
    its men (a command is as cohesive as the share of its forces that obey it; it rebuilds as cohesion
    does, 7.11) and by ``refusal_cohesion_loss_share`` of ``regime_change_cohesion_loss`` (0: nothing more):
    the other commanders have seen one defy the government and keep his brigade.

    Why: the Popular Front blamed the fall of Aghdara/Mardakert in February 1993 on Colonel Surat
    Huseynov and relieved him; he kept his 709th brigade in Ganja and rose in June 1993 (seed
    002_ab05866d2733586f.txt; de Waal 2003, ch. 12). Blame fell on commanders the leadership feared
    as rivals: Aliyev, lambasting his commanders for the losses of autumn 1993, "was undercutting the
    authority of military commanders, who might be plotting to depose him" (de Waal 2003, Black Garden,
    "September 1993–May 1994: Exhaustion"). A commander with no following of his own is simply
    replaced; only one whose men follow him before the government (the least loyal) can refuse, and
    then the dismissal hands a plotter his motive. Whom it hits, whether he refuses and what follows
    are the war's: his loyalty, his unit's strength, where it stands when a district falls.
    One draw per changed district (the losing side's), none while the rate is 0. Why the refusal's share: a
    brigade's share of the men is a few per cent, while the Karabakh staff's opportunity gate opens at a fall of
    ``collapse_drop`` (0.05 committed) from the command's high, so the crisis of February 1993 (the 709th leaving
    the northern front, the defence minister gone on 20 February) never opened it, and the campaign beyond the aims
    waited for the June revolt (docs/notes/capture_order.md, "Stop 62").
    """
    p = model.p
    if p["scapegoat_rate"] <= 0 or len(changed) == 0:
        return
    f, w = model.forces, model.world
    draws = model.rng_politics.random(len(changed)).tolist()
    for v, draw in zip(changed.tolist(), draws):
        if draw >= p["scapegoat_rate"]:
            continue
        loser = 0 if model.held_by_arm[v] else 1  # the side that held it until today
        near = (f.active & (f.side == loser) & (f.kind == BRIGADE) & ~model.foreign & (f.personnel > 0)
                & (w.closed_adjacency[v, f.node] > 0))
        rows = np.flatnonzero(near)
        if len(rows) == 0:
            continue
        # The commander it trusts least; ties: the strongest brigade, then the lowest row (lexsort is stable).
        row = int(rows[np.lexsort((-f.personnel[rows], f.loyalty[rows]))[0]])
        aggrieved = f.loyalty[row] - p["dismissal_loyalty_loss"]
        refused = bool(aggrieved < p["fragmentation_loyalty"])
        gov = model.governments[int(f.government[row])]
        if refused:  # his brigade leaves the command, and takes its share of the command's cohesion with it
            f.loyalty[row] = max(0.0, aggrieved)
            mine = f.active & (f.government == gov.index) & ~model.foreign
            gov.cohesion *= 1.0 - f.personnel[row] / max(float(f.personnel[mine].sum()), 1.0)
            # ... and, with refusal_cohesion_loss_share, the command's authority: every commander has seen one defy it
            gov.cohesion *= 1.0 - p["regime_change_cohesion_loss"] * p["refusal_cohesion_loss_share"]
            model.off_front[row] = True
            f.target[row] = -1
            base = int(model.raised_in[row])
            model.units[row].place(base if model.side_held[f.side[row], base] else int(gov.capital))
        else:  # he goes; his successor is vetted
            replace_commander(model, row)
        model.dismissals.append({"date": str(model.date), "country": gov.key, "unit": model.unit_keys[row],
                                 "commander": model.units[row].commander or None,
                                 "district": w.keys[v], "refused": refused})


def refuses_orders(model: KarabakhWar) -> np.ndarray:
    """Units whose relieved commander took them off the front and still refuses orders (loyalty below
    ``fragmentation_loyalty``); a commander whose loyalty has recovered, or who was replaced, returns to
    duty (his flag is cleared)."""
    off = model.off_front
    if off.any():
        off &= model.forces.loyalty < model.p["fragmentation_loyalty"]
    return off


def effective_loyalty(model: KarabakhWar) -> np.ndarray:
    """Commanders' loyalty as it counts for plotting: screening's pull toward loyalty closes ``loyalty_gain``
    of the gap to 1."""
    gain = model.gov_loyalty_gain[model.forces.government]
    return model.forces.loyalty + gain * (1.0 - model.forces.loyalty)


def follow_codings(model: KarabakhWar) -> None:
    """A regime's profile changes on the dates of its coding's cells (``from`` in data/coup_proofing.csv):
    the practices in force follow the record while the regime lasts in the run."""
    for gov in model.governments:
        if model.date in gov.regime.changes:
            gov.regime = gov.regime.at(model.date)
            refresh_effects(model, gov)


def commit_guards(model: KarabakhWar) -> None:
    """A regime whose legitimacy falls below ``guard_commit_legitimacy`` fears defeat more than its officers:
    it sends its guard (item 10) to the front, where its men join the brigades in proportion to their
    strength and fight with the guard's training and command (:func:`~model.actors.coup_proofing.effects`);
    the capital loses its defenders. Once committed, the guard stays at the front (De Bruin 2018;
    Talmadge 2015)."""
    if "guard_committed" in model.knockouts:
        return
    f, p = model.forces, model.p
    for gov in model.governments:
        if gov.guard_committed is not None or gov.guard_personnel <= 0 or gov.legitimacy >= p["guard_commit_legitimacy"]:
            continue
        rows = np.flatnonzero(f.active & (f.government == gov.index) & (f.kind == BRIGADE) & (f.personnel > 0))
        if len(rows) == 0:
            continue
        if "guard_withheld" not in model.knockouts:  # knocked out, the guard's men are at the front already
            f.personnel[rows] += gov.guard_personnel * f.personnel[rows] / f.personnel[rows].sum()
        gov.guard_personnel = 0.0
        gov.guard_committed = str(model.date)
        refresh_effects(model, gov)


def vet_commanders(model: KarabakhWar, loyal: np.ndarray | None = None) -> None:
    """While a purge runs, it replaces commanders who would plot (effective loyalty ``loyal``, computed here
    when a purge needs it if not given, below the
    threshold) by vetted ones at base loyalty, each with a daily probability such that a purge of intensity
    ``i`` replaces a share ``purge_vetting_share · i`` of them over ``purge_lag_days`` (Quinlivan 1999). The
    purge's grievance on every commander is :func:`update_loyalty`'s. One draw per unit every day, so
    knock-outs and profiles move no other draw."""
    f, p = model.forces, model.p
    draws = model.rng_politics.random(len(f))
    if "purge_vetting" in model.knockouts:
        return
    lag = max(p["purge_lag_days"], 1.0)
    for gov in model.governments:
        if gov.purge is None or model.day - gov.purge[0] > lag:
            continue
        daily = 1.0 - (1.0 - min(p["purge_vetting_share"] * gov.purge[1], 1.0)) ** (1.0 / lag)
        if loyal is None:  # only on purge days: most days no government purges
            loyal = effective_loyalty(model)
        rows = (f.government == gov.index) & (loyal < p["plot_loyalty_threshold"]) & (draws < daily)
        f.loyalty[rows] = np.maximum(f.loyalty[rows], f.base_loyalty[rows])


def coup_step(model: KarabakhWar) -> None:
    """Daily: purges in progress, resignations, uprisings of an armed opposition, then possible coup
    attempts in every government."""
    f, p = model.forces, model.p
    govs = model.governments
    for gov in govs:
        if gov.purge is not None:
            if model.day - gov.purge[0] <= p["purge_lag_days"]:
                refresh_effects(model, gov)
        if gov.legitimacy < p["resignation_legitimacy"] and gov.successors and not _armed_next(model, gov):
            _change_regime(model, gov, gov.successors[0], "resignation", plotter=None, p_success=1.0)
    # Motive: how far the most disloyal commander of each government is below the plotting threshold.
    loyal = effective_loyalty(model)
    uprising_draws = model.rng_politics.random(len(govs))
    for gov in govs:
        if gov.legitimacy >= p["uprising_legitimacy"]:
            continue
        wing = _armed_opposition(model, gov)
        if wing is None or _constraint(gov, model.date) == "forbid":
            continue
        regime, rows = wing
        lack = max(p["uprising_legitimacy"] - gov.legitimacy, 0.0) / max(p["uprising_legitimacy"], 1e-9)
        if uprising_draws[gov.index] < p["uprising_rate"] * lack:
            rebels = np.zeros(len(f), dtype=bool)
            rebels[rows] = True
            # Assumption: crowds at most double the rebels' strength, at legitimacy 0.
            _contest(model, gov, _own_forces(model, gov), rebels, int(rows[np.argmax(f.personnel[rows])]), loyal,
                     "uprising", regime, popular=1.0 + (1.0 - gov.legitimacy))
    threshold = p["plot_loyalty_threshold"]
    below = loyal < threshold
    # Who can plot is asked only when someone is below the threshold or a coup is attempted (most days neither).
    can_plot = _can_plot(model) if np.count_nonzero(below) else None
    if can_plot is not None and np.count_nonzero(can_plot & below):
        motive_u = np.where(can_plot, np.maximum(threshold - loyal, 0.0) / threshold, 0.0)
        motive = np.zeros(len(govs))
        np.maximum.at(motive, f.government, motive_u)
        motive = motive.tolist()  # Python floats for the per-government hazards: the same arithmetic, cheaper
    else:  # nobody who could plot is below the threshold (six days in seven): every motive is 0
        motive = [0.0] * len(govs)
    draws = model.rng_politics.random(len(govs)).tolist()
    today = model.date
    for gov in govs:
        forced = _constraint(gov, today)
        if forced == "forbid":
            continue
        e = gov.effects
        hazard = (p["coup_base_rate"] * e.risk_multiplier * (1.0 + p["illegitimacy_weight"] * (1.0 - gov.legitimacy))
                  * motive[gov.index] * (1.0 - e.detection))
        if forced == "force" or draws[gov.index] < hazard:
            if forced == "force":
                gov.coup_constraint = None
            if can_plot is None:  # as it was before this loop: nothing has changed since
                can_plot = _can_plot(model)
            mine = np.flatnonzero(can_plot & (f.government == gov.index))
            if len(mine) == 0:
                continue
            # The plotter: the commander with the most motive and the most men (ties: lowest row).
            score = (1.0 - loyal[mine]) * np.sqrt(f.personnel[mine])
            _attempt(model, gov, int(mine[np.argmax(score)]), loyal)


def _can_plot(model: KarabakhWar) -> np.ndarray:
    """The units whose commanders can plot a coup: on the map, with men, neither mercenaries nor patron forces."""
    f = model.forces
    return f.active & (f.kind != MERCENARY) & (f.personnel > 0) & ~model.foreign


def _constraint(gov: Government, today: dt.date) -> str | None:
    """The coup constraint in force today ('forbid'/'force'), expiring after its 'until' date."""
    if gov.coup_constraint is not None and gov.coup_constraint_until is not None and today > gov.coup_constraint_until:
        gov.coup_constraint = None
    return gov.coup_constraint


def _armed_opposition(model: KarabakhWar, gov: Government) -> tuple[Regime, np.ndarray] | None:
    """The first listed successor regime whose movement has battalions of its own in service
    (``armed_wing`` in regimes.toml), with their rows; None if there is none."""
    f = model.forces
    for regime in gov.successors:
        wing = regime.policy.armed_wing if regime.policy is not None else []
        rows = [model.unit_index[k] for k in wing if k in model.unit_index]
        rows = np.array([r for r in rows if f.active[r] and f.personnel[r] > 0], dtype=np.int64)
        if len(rows):
            return regime, rows
    return None


def _armed_next(model: KarabakhWar, gov: Government) -> bool:
    """Whether the next listed regime is an armed movement with battalions in service. A government
    resigns in favour of a constitutional successor, not of an armed opposition: that takes power
    by rising (Mutalibov resigned to the parliament's chairman on 6 Mar 1992; the Popular Front's
    battalions and crowds took the government buildings on 15 May 1992: LoC 'Azerbaijan')."""
    wing = _armed_opposition(model, gov)
    return wing is not None and wing[0] is gov.successors[0]


def _attempt(model: KarabakhWar, gov: Government, plotter: int, loyal: np.ndarray) -> None:
    """A commander's coup: the plotter and disloyal units next to it march on the capital."""
    f, p, w = model.forces, model.p, model.world
    mine = _own_forces(model, gov)
    near_plotter = w.closed_adjacency[f.node[plotter], f.node] > 0
    rebels = mine & near_plotter & (loyal < p["plot_loyalty_threshold"])
    rebels[plotter] = True
    _contest(model, gov, mine, rebels, plotter, loyal, "coup", None)


def _own_forces(model: KarabakhWar, gov: Government) -> np.ndarray:
    """The units that take sides when power in ``gov`` is contested: its own on the map, neither
    mercenaries nor patron forces."""
    f = model.forces
    return f.active & (f.government == gov.index) & (f.kind != MERCENARY) & ~model.foreign


def _contest(model: KarabakhWar, gov: Government, mine: np.ndarray, rebels: np.ndarray, plotter: int,
             loyal: np.ndarray, kind: str, regime: Regime | None, popular: float = 1.0) -> None:
    """A contest near the capital between ``rebels`` (times ``popular`` support for an uprising) and
    the regime guard and loyal units of ``mine`` (:func:`_own_forces`); the rebels leave the front for
    the capital either way. ``kind`` is the path recorded: 'coup' (a commander's revolt) or 'uprising'
    (an armed opposition)."""
    f, p = model.forces, model.p
    hops = model.hops_from(gov.capital)
    loyalists = mine & ~rebels & (hops[f.node] <= p["capital_radius"]) & (loyal >= p["plot_loyalty_threshold"])
    backing = model.patron_backing[plotter]
    r = f.personnel[rebels].sum() * (1.0 + p["patron_backing_weight"] * backing) * popular
    guard = gov.guard_personnel if gov.effects.guard_defends else 0.0
    # Loyal troops defend a government against a commander's revolt at (0.5 + legitimacy); against
    # crowds of its own citizens only as far as it still has legitimacy (security forces that stand
    # aside: the army did not defend the caretaker government on 15 May 1992, LoC 'Azerbaijan';
    # Chenoweth & Stephan 2011, ch. 2, on security-force defections in popular uprisings).
    lo = (f.personnel[loyalists].sum() + guard) * (gov.legitimacy if kind == "uprising" else 0.5 + gov.legitimacy)
    k = p["coup_contest_exponent"]
    p_success = float(r**k / (r**k + lo**k)) if r > 0 else 0.0
    success = bool(model.rng_politics.random() < p_success)
    for row in np.flatnonzero(rebels):  # pulled off the front: they march on the capital
        f.target[row] = -1
        model.units[row].place(int(gov.capital))
    old_leader = gov.leader
    if success:
        successor = regime or (gov.successors[0] if gov.successors else
                               junta(gov.regime, model.units[plotter].commander or model.unit_keys[plotter],
                                     model.unit_keys[plotter]))
        _change_regime(model, gov, successor, kind, plotter=plotter, p_success=p_success, old_leader=old_leader,
                       rebels=float(r), loyalists=float(lo))
        f.loyalty[rebels] = p["coup_winner_loyalty"]  # the new regime's own men
    else:
        f.personnel[plotter] *= p["failed_coup_unit_kept"]  # arrests, desertion, disbandment of the ringleaders
        replace_commander(model, plotter)
        start_purge(model, gov, gov.effects.purge_after_failure)
        gov.legitimacy = max(0.0, gov.legitimacy - p["legitimacy_loss_per_capture"])
        model.coups.append(_record(model, gov, kind, plotter, False, p_success, old_leader, None, r, lo))


def _change_regime(model, gov, regime: Regime, how: str, plotter, p_success: float, old_leader=None,
                   rebels=None, loyalists=None) -> None:
    old_leader = old_leader or gov.leader
    if regime in gov.successors:  # an uprising may skip caretaker regimes listed before the movement's own
        gov.successors = gov.successors[gov.successors.index(regime) + 1:]
    install_regime(model, gov, regime, how)
    model.coups.append(_record(model, gov, how, plotter, True, p_success, old_leader, regime, rebels, loyalists))


def _record(model, gov, kind, plotter, success, p_success, old_leader, regime, rebels, loyalists) -> dict:
    return {"date": str(model.date), "country": gov.key, "kind": kind, "leader": old_leader,
            "plotter": model.unit_keys[plotter] if plotter is not None else None,
            "plotter_commander": (model.units[plotter].commander or None) if plotter is not None else None,
            "success": success, "p_success": round(p_success, 3),
            "new_leader": regime.leader if regime is not None else None,
            "new_regime": regime.key if regime is not None else None,
            "rebel_strength": None if rebels is None else round(rebels),
            "loyal_strength": None if loyalists is None else round(loyalists)}
