"""Coup-proofing channels can be knocked out one by one, and the codings redrawn, without moving
anything else; both are off by default."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model.actors.coup_proofing import ALL_CHANNELS, CHANNELS, effects, knockout_channels, knockout_labels
from model.errors import InputError
from model.inputs.coding_uncertainty import coding_rng, load_rule, redraw
from model.inputs.params import resolve
from model.inputs.regimes import ITEMS, PRACTICES, load_regimes
from model.model import KarabakhWar
from model.outputs.outcomes import outcomes

P = resolve()
FULL = load_regimes()["azerbaijan"][0].with_items({k: 1.0 for k in PRACTICES})

NEUTRAL = {  # what each knock-out sets, and the field it sets
    "training_loss": ("training_delta", P["forum_training_gain"] * FULL.items["civil_military_forum"]
                      - P["guard_equipment_loss"]),  # the guard's equipment is guard_withheld's
    "commitment_loss": ("commitment_factor", 1.0),
    "guard_withheld": ("training_delta", effects(FULL, P).training_delta + P["guard_equipment_loss"]),  # and men
    "guard_committed": (None, None),  # acts in the model (tests/test_coup_proofing_tradeoffs.py)
    "purge_vetting": (None, None),  # as guard_committed
    "loyalty_gain": ("loyalty_gain", 0.0),
    "detection": ("detection", 0.0),
    "guard_in_contest": ("guard_defends", False),
    "purge_intensity": ("purge_after_failure", 0.5),
    "reporting": (("reporting_bias", "reporting_noise"), 0.0),
}


def test_every_channel_has_a_tested_switch():
    assert set(NEUTRAL) == set(CHANNELS)


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_a_knock_out_changes_its_channel_and_nothing_else(channel):
    on, off = effects(FULL, P), effects(FULL, P, off=frozenset({channel}))
    field, neutral = NEUTRAL[channel]
    fields = () if field is None else (field,) if isinstance(field, str) else field
    for name in fields:
        assert getattr(off, name) == pytest.approx(neutral) and getattr(on, name) != pytest.approx(neutral)
    others = {f.name for f in dataclasses.fields(on)} - set(fields)
    assert all(getattr(on, f) == getattr(off, f) for f in others)


def test_unknown_channel_is_a_one_line_input_error():
    with pytest.raises(InputError, match=r"^knockouts: trainig_loss: unknown channel; known: training_loss"):
        KarabakhWar(rng=0, until="1992-01-01", knockouts=["trainig_loss"])


def test_with_every_channel_off_the_profile_has_no_path_into_the_war():
    """The channel list is complete: all practices at 0 or at 1 give the same run when every channel is off
    (a practice acting through a path without a switch would make them differ)."""
    def run(level):
        prof = {"azerbaijan": {k: level for k in PRACTICES}}
        m = KarabakhWar(rng=5, until="1993-03-01", profiles=prof, knockouts=tuple(CHANNELS)).run()
        return outcomes(m), m.coups
    (o0, c0), (o1, c1) = run(0.0), run(1.0)
    assert o0 == o1 and c0 == c1
    assert outcomes(KarabakhWar(rng=5, until="1993-03-01", profiles={"azerbaijan": {k: 1.0 for k in PRACTICES}}).run()) != o1


def test_a_guard_committed_to_the_front_keeps_the_men_at_the_front():
    prof = {"azerbaijan": {"paramilitary_counterweight": 1.0}}
    kept = KarabakhWar(rng=0, until="1992-01-01", profiles=prof)
    front = KarabakhWar(rng=0, until="1992-01-01", profiles=prof, knockouts=["guard_withheld"])
    none = KarabakhWar(rng=0, until="1992-01-01", profiles={"azerbaijan": {"paramilitary_counterweight": 0.0}})
    az = [m.government("azerbaijan") for m in (kept, front, none)]
    assert az[1].guard_personnel == az[0].guard_personnel > 0  # the guard still counts in a coup contest
    rows = kept.forces.government == az[0].index
    assert np.array_equal(front.forces.personnel[rows], none.forces.personnel[rows])
    assert kept.forces.personnel[rows].sum() < front.forces.personnel[rows].sum()


# ------------------------------------------------------------------------------ coding uncertainty
def test_redraws_touch_only_uncertain_items_at_about_the_documented_rate():
    regimes, rule = load_regimes(), load_rule()
    changed = {"high": [], "medium": [], "low": []}
    expected = {"high": [], "medium": [], "low": []}  # P(redrawn) x P(the draw lands on another value)
    for s in range(200):
        drawn = redraw(regimes, coding_rng(s), rule)
        for gov, seq in regimes.items():
            for r, d in zip(seq, drawn[gov]):
                for k in ITEMS:
                    conf, v = r.confidence[k], r.items[k]
                    changed[conf].append(d.items[k] != v)
                    expected[conf].append(rule.probability[conf] * np.mean([x != v for x in rule.scale]))
    assert not any(changed["high"])
    for conf in ("medium", "low"):
        assert np.mean(changed[conf]) == pytest.approx(np.mean(expected[conf]), abs=0.03)
        assert np.mean(changed[conf]) > 0.1


def test_redraws_are_a_function_of_the_seed():
    regimes, rule = load_regimes(), load_rule()
    a, b, c = (redraw(regimes, coding_rng(s), rule) for s in (7, 7, 8))
    assert a == b and a != c


def test_coding_uncertainty_moves_no_other_draw():
    plain = KarabakhWar(rng=11, until="1992-01-01")
    redrawn = KarabakhWar(rng=11, until="1992-01-01", coding_uncertainty=True)
    assert plain._unit_seed == redrawn._unit_seed and plain._event_seed == redrawn._event_seed
    assert plain.rng.random() == redrawn.rng.random()
    assert plain.rng_politics.random() == redrawn.rng_politics.random()
    assert [g.regime.items for g in plain.governments] != [g.regime.items for g in redrawn.governments]


def test_coding_uncertainty_needs_a_seed_it_can_spawn_from():
    with pytest.raises(InputError, match="needs an integer seed"):
        KarabakhWar(rng=np.random.default_rng(1), until="1992-01-01", coding_uncertainty=True)


def test_a_bad_redraw_rule_is_a_one_line_error(tmp_path):
    path = tmp_path / "rule.toml"
    path.write_text('[redraw]\nscale = [0.0, 1.0]\nprobability = { high = 0.0, low = 0.4 }\nsource = "s"\n')
    with pytest.raises(InputError, match=r"rule.toml: \[redraw\]\.probability: .*confidence levels"):
        load_rule(path)


def test_one_parser_reads_knock_out_labels():
    assert knockout_labels(["each"]) == (*CHANNELS, ALL_CHANNELS)
    assert knockout_channels(ALL_CHANNELS) == tuple(CHANNELS) and knockout_channels("") == ()
    assert knockout_channels("detection+loyalty_gain") == ("detection", "loyalty_gain")
    with pytest.raises(InputError, match=r"unknown channel\(s\) \['nope'\]"):
        knockout_labels(["detection+nope"])


def test_the_committed_guard_channel_switches_the_guard_s_training_and_command_effect():
    """guard_committed acts at the front (test_coup_proofing_tradeoffs.py); here: the switch itself. Committed,
    the guard's premium and command loss change the training delta; knocked out, they do not."""
    committed = effects(FULL, P, guard_committed=True)
    off = effects(FULL, P, off=frozenset({"guard_committed"}), guard_committed=True)
    assert committed.training_delta != off.training_delta
    assert committed.training_delta == pytest.approx(effects(FULL, P).training_delta + P["guard_equipment_loss"]
                                                     + P["guard_training_premium"] * committed.counterweight_share
                                                     - P["guard_command_loss"])
