"""Coup-proofing in the war: what each of the 13 WCMRD items does to a government's forces.

The Wartime Civil-Military Relations Dataset (Narang & Talmadge 2018; seed
``000_85f62de43105f406.txt`` codes Azerbaijan 1992) asks 13 yes/no questions about a
regime. Here each government has, per regime (leadership period), dated rows giving each
item's value (0, 0.5 or 1) with its confidence and source (``data/coup_proofing.csv``; the
profile follows the rows' dates), and policy parameters for each regime (``data/regimes.toml``). Regimes are listed in their
historical order; the model installs the next one only when a coup or resignation
happens *in the run* (dates in the file document history, they schedule nothing).

What each item does in the model (the literature's direction; parameters in
``data/parameters.toml``):

=====  ==========================  ===================================================================
item   key                         effect
=====  ==========================  ===================================================================
1      coup_origin                 raises coup propensity ("coup trap": Londregan & Poole 1990,
2      coup_history                Powell 2012) through the *risk index* (items 1, 2, 3, 8, 9),
3      military_leader             weighted by ``coup_risk_weight``
4      ethnic_exclusion            *screening*: shrinks the officer pool, lowering competence
5      ideological_requirements    (``screening_training_loss``) but selecting for loyalty
6      party_membership            (``screening_loyalty_gain``) (Quinlivan 1999; Talmadge 2015)
7      political_education         costs training time (``indoctrination_training_loss``); loyalty
                                   as screening
8      internal_repression         a politicised military: coup propensity (risk index)
9      military_governance         as 8
10     paramilitary_counterweight  a regime guard kept away from the front: ``counterweight_share`` of
                                   men and recruits and the best equipment (``guard_equipment_loss``);
                                   it defends the capital in a coup (counterbalancing lowers coup
                                   *success*: De Bruin 2018; Pilster & Böhmelt 2011). A regime whose
                                   legitimacy falls below ``guard_commit_legitimacy`` commits it: its
                                   men fight with ``guard_training_premium`` under a separate command
                                   (``guard_command_loss``), and the capital loses its defenders
11     internal_intelligence       watches the officers: detects plots (``intelligence_detection``
                                   lowers the attempt hazard) and slows information, so fewer units
                                   join attacks (``intelligence_commitment_loss``); officers who
                                   report to the watchers tell the staff what it wants to hear, so
                                   the built-in AI sees the enemy weaker (``intelligence_reporting_bias``)
                                   and blurred (``intelligence_reporting_noise``) (:func:`reported_enemy`)
12     recent_purge                cuts experience (``purge_training_loss``, more the more war
                                   experience the side has: ``purge_experience_weight``); purges
                                   ordered by a new regime or after a failed coup take effect over
                                   ``purge_lag_days``, replacing would-be plotters
                                   (``purge_vetting_share``) and angering the rest
13     civil_military_forum        improves coordination (``forum_training_gain``)
=====  ==========================  ===================================================================

Training effects act through the combat-power multiplier of :mod:`model.dynamics.combat`
(``exp(training_effect * Δtraining)``), so they are "battlefield effectiveness".
The *coup-proofing index* is the mean of the practices (items 4–7, 10–12); the
*risk index* the mean of items 1–3, 8, 9. Each practice has a channel that protects the regime and
one that costs the army (:data:`CHANNELS`, :data:`PUSHES`); some push either way, so the sign of a
practice's effect on the war's outcome is decided in the war.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from ..errors import InputError
from ..inputs.regimes import SCREENING, Regime


def junta(previous: Regime, leader: str, plotter: str) -> Regime:
    """The regime a successful coup installs when the data list no successor: the plotters' junta.

    Assumption: it keeps the previous profile except that it came to power in a coup, is led
    by an officer, and the country now has a coup history.
    """
    policy = previous.policy.model_copy(update={"leader": leader, "came_to_power": "coup"}) if previous.policy else None
    coup = previous.with_items({"coup_origin": 1.0, "coup_history": 1.0, "military_leader": 1.0})
    return replace(coup, key=f"junta_{plotter}", leader=leader, policy=policy)


CHANNELS: dict[str, str] = {
    "training_loss": "screening, indoctrination and purges cost training, hence combat power (items 4-7, 12); a "
                     "purge costs more the more war experience the officer corps has",
    "commitment_loss": "internal intelligence slows information, so fewer units join attacks (item 11)",
    "reporting": "under internal intelligence the front reports what the leadership wants to hear: the staff sees "
                 "the enemy weaker and blurred, and attacks and sends reserves by that picture (item 11)",
    "guard_withheld": "the regime guard's men and equipment are kept away from the front (item 10)",
    "guard_committed": "a regime losing the war commits its guard: its men fight with their better training, under "
                       "a separate command, and leave the capital (item 10)",
    "loyalty_gain": "screening and indoctrination select commanders who do not plot (items 4-7)",
    "detection": "internal intelligence stops plots before they start (item 11)",
    "guard_in_contest": "the regime guard defends the capital in a coup contest (item 10)",
    "purge_intensity": "a purging regime purges harder after a failed coup (item 12)",
    "purge_vetting": "a purge replaces the commanders who would plot (item 12 sets how hard purges after failed "
                     "coups are)",
}
"""Every path by which a coup-proofing practice acts in the model, each with a knock-out switch
(``KarabakhWar(knockouts=...)``): a finding that vanishes when one channel is off is carried by it.
Knocked out: ``guard_withheld`` - the guard's men and equipment fight at the front (and still count in
the capital's defence); ``guard_committed`` - the guard is never committed; ``purge_intensity`` - every
failed coup brings the default purge (0.5); ``purge_vetting`` - purges replace no plotter."""

PUSHES: dict[str, dict[str, str]] = {
    "training_loss": {"battlefield": "costs"},
    "commitment_loss": {"battlefield": "costs"},
    "reporting": {"battlefield": "either way"},
    "guard_withheld": {"battlefield": "costs"},
    "guard_committed": {"battlefield": "either way", "success": "exposes"},
    "loyalty_gain": {"attempts": "protects"},
    "detection": {"attempts": "protects"},
    "guard_in_contest": {"success": "protects"},
    "purge_intensity": {"attempts": "either way"},
    "purge_vetting": {"attempts": "protects"},
}
"""Which way each channel pushes, directly, on the battlefield (``costs`` the army or ``helps`` it) and on
coup ``attempts`` and ``success`` (``protects`` the regime or ``exposes`` it); ``either way``: the sign
depends on the war (a committed guard's better training against its separate command; a harder purge's
vetting against its grievance; optimistic reports send units into attacks at worse odds than the staff
believes, which costs men but also takes ground the real odds would not have tried). Every channel also acts indirectly through the war (a defeat breeds
grievances; a coup pulls units off the front), which is how a finding's sign can differ from its channels'."""

SCREENING_AND_EDUCATION = (*SCREENING, "political_education")
CHANNEL_ITEMS: dict[str, tuple[str, ...]] = {
    "training_loss": (*SCREENING_AND_EDUCATION, "recent_purge"),
    "commitment_loss": ("internal_intelligence",),
    "reporting": ("internal_intelligence",),
    "guard_withheld": ("paramilitary_counterweight",),
    "loyalty_gain": SCREENING_AND_EDUCATION,
    "detection": ("internal_intelligence",),
    "guard_in_contest": ("paramilitary_counterweight",),
    "purge_intensity": ("recent_purge",),
    "guard_committed": ("paramilitary_counterweight",),
    "purge_vetting": ("recent_purge",),
}
"""The practices each channel reads: a knock-out elsewhere changes the war around a practice, not its path."""


ALL_CHANNELS, EACH = "all", "each"
"""Knock-out labels: every channel at once; every channel one at a time, then all (a list of labels)."""


def check_channels(names) -> frozenset[str]:
    """The knock-outs as a set; an unknown name is an input error naming the known ones."""
    unknown = sorted(set(names) - set(CHANNELS))
    if unknown:
        raise InputError("knockouts", ", ".join(unknown), f"unknown channel; known: {', '.join(CHANNELS)}")
    return frozenset(names)


def knockout_channels(label: str) -> tuple[str, ...]:
    """The channels a knock-out label switches off: one channel, channels joined by ``+``, :data:`ALL_CHANNELS`,
    or none (``""``, the baseline)."""
    names = tuple(CHANNELS) if label == ALL_CHANNELS else tuple(c for c in label.split("+") if c)
    check_channels(names)
    return names


def knockout_labels(labels) -> tuple[str, ...]:
    """Knock-out labels as listed by a user, each checked; :data:`EACH` alone is every channel, then all."""
    labels = tuple(labels)
    if labels == (EACH,):
        return (*CHANNELS, ALL_CHANNELS)
    unknown = [c for label in labels if label != ALL_CHANNELS for c in label.split("+") if c not in CHANNELS]
    if unknown or not labels:
        raise InputError("knockouts", f"unknown channel(s) {unknown or list(labels)}",
                         f"expected '{EACH}', '{ALL_CHANNELS}' or some of {', '.join(CHANNELS)}")
    return labels


@dataclass(frozen=True)
class Effects:
    """What a regime's profile does to its government's forces (derived from parameters)."""

    training_delta: float  # added to every unit's training in combat power (negative = worse)
    commitment_factor: float  # multiplies offensive_commitment of its units
    counterweight_share: float  # share of recruits that go to the regime guard
    loyalty_gain: float  # screening/indoctrination select for loyal commanders (0..1 of the gap to 1)
    detection: float  # share of plots the intelligence apparatus stops before they start
    risk_multiplier: float  # multiplies the coup hazard (structural risk)
    guard_defends: bool  # the guard counts among the loyalists in a coup contest
    purge_after_failure: float  # purge intensity after a failed coup: max(0.5, item 12)
    reporting_bias: float = 0.0  # share by which the staff under-rates the enemy's strength (item 11)
    reporting_noise: float = 0.0  # log-sd of the staff's error on the enemy's strength per district (item 11)


def effects(regime: Regime, p: dict[str, float], purge_level: float = 0.0,
            off: frozenset[str] = frozenset(), experience: float = 0.0, guard_committed: bool = False) -> Effects:
    """Map the 13 items (and a purge in progress) to model effects; see the module docstring.

    ``off``: knocked-out channels (:data:`CHANNELS`). ``experience``: the side's war experience (0 before
    its first battle, :func:`war_experience`), which sets what a purge costs. ``guard_committed``: the
    guard fights at the front (:func:`model.actors.politics.commit_guards`).
    """
    it = regime.items
    screening = _mean(tuple(it[k] for k in SCREENING))
    purge = max(it["recent_purge"], purge_level)
    cost = 0.0 if "training_loss" in off else 1.0
    veterans = 1.0 - p["purge_experience_weight"] * (1.0 - experience)  # share of a purge's cost incurred
    delta = (-cost * p["screening_training_loss"] * screening - cost * p["indoctrination_training_loss"]
             * it["political_education"] - cost * p["purge_training_loss"] * veterans * purge
             + p["forum_training_gain"] * it["civil_military_forum"])
    counterweight = it["paramilitary_counterweight"]
    guard = p["counterweight_share"] * counterweight
    if guard_committed and "guard_committed" not in off:
        delta += p["guard_training_premium"] * guard - p["guard_command_loss"] * counterweight
    elif "guard_withheld" not in off:
        delta -= p["guard_equipment_loss"] * counterweight
    return Effects(
        training_delta=delta,
        commitment_factor=1.0 if "commitment_loss" in off else
        1.0 - p["intelligence_commitment_loss"] * it["internal_intelligence"],
        counterweight_share=guard,
        loyalty_gain=0.0 if "loyalty_gain" in off else
        p["screening_loyalty_gain"] * _mean((screening, it["political_education"])),
        detection=0.0 if "detection" in off else p["intelligence_detection"] * it["internal_intelligence"],
        risk_multiplier=math.exp(p["coup_risk_weight"] * regime.risk_index),
        guard_defends="guard_in_contest" not in off,
        purge_after_failure=0.5 if "purge_intensity" in off else max(0.5, it["recent_purge"]),
        reporting_bias=0.0 if "reporting" in off else p["intelligence_reporting_bias"] * it["internal_intelligence"],
        reporting_noise=0.0 if "reporting" in off else p["intelligence_reporting_noise"] * it["internal_intelligence"],
    )


@lru_cache(maxsize=4096)
def _mean(values: tuple[float, ...]) -> float:
    """Mean of a few item values, memoised: during a purge a regime's effects are recomputed every day."""
    return float(np.mean(values))


def war_experience(combat_days: float, p: dict[str, float]) -> float:
    """The officer corps' war experience, 0..1: ``1 - exp(-combat days / war_experience_days)``, combat days
    being the days on which the side's units fought an engagement (``model.combat_days``; shelling and
    ceasefire incidents do not count: they cost men without teaching command)."""
    return 1.0 - math.exp(-combat_days / max(p["war_experience_days"], 1.0))


def reported_enemy(governments, stand: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The enemy's defensive CP per district as each government's staff sees it (rows of ``stand``, one per
    government): under internal intelligence (item 11) officers report to the watchers and fear bad news, so
    the picture is biased toward the enemy's weakness (× ``1 - reporting_bias``) and blurred (× a mean-one
    lognormal error with log-sd ``reporting_noise``, drawn per district on every decision day). Talmadge
    (2015, "information management") on Iraq's and South Vietnam's staffs. Only the built-in AI decides by
    this picture; a human player sees the map. No draw when no government's picture is distorted."""
    bias = [g.effects.reporting_bias if g.effects is not None else 0.0 for g in governments]
    noise = [g.effects.reporting_noise if g.effects is not None else 0.0 for g in governments]
    if not (any(bias) or any(noise)):  # checked on the lists: cheaper than two array reductions, every day
        return stand
    sd, half_var, kept = _reporting_factors(tuple(bias), tuple(noise))
    error = np.exp(sd * rng.standard_normal(stand.shape) - half_var)
    return stand * kept * error


@lru_cache(maxsize=256)
def _reporting_factors(bias: tuple[float, ...], noise: tuple[float, ...]) -> tuple[np.ndarray, ...]:
    """Per government, as (G, 1) columns: the log-sd of the reports' error, half its variance (the lognormal's
    mean-one correction) and the share of the enemy reported; memoised: profiles change a few times a war."""
    sd = np.array(noise)[:, None]
    factors = (sd, 0.5 * sd ** 2, (1.0 - np.array(bias))[:, None])
    for a in factors:
        a.flags.writeable = False
    return factors
