"""Patrons that decide (issue 15): decisions follow the patrons' interests, ``can`` and stocks are
enforced on the one path shared with the wargame, ``scheduled`` patrons change nothing, and a
counterfactual that prevents a documented trigger changes what a patron does later."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from model.actors.patron_orders import check_decision
from model.actors.patron_policy import PatronPolicy, PlayerPatron, WarState, deliver
from model.errors import InputError
from model.inputs.events import ArmsTransfer
from model.inputs.patrons import load_patrons
from model.inputs.scenario import load_scenario
from model.mechanisms import DAILY_CYCLE, PatronDecisions
from model.model import KarabakhWar
from model.outputs.files import summary
from model.outputs.patrons import decision_counts
from model.wargame import decisions
from model.wargame.store import create_game


@pytest.fixture
def mixed():
    """The historical scenario with every patron in mixed mode, built but not run (cheap), with the data
    file's policy (the rules' tests do not depend on the fitted values of historical_mixed)."""
    m = KarabakhWar("historical_mixed", rng=0, until="1992-03-01")
    for patron in m.patrons:
        patron.policy = dict(load_patrons()[patron.key].policy)
    return m


def capture(district: str, to: str = "arm", date: str = "1993-04-02") -> dict:
    return {"district": district, "name": district, "date": date, "from": "aze" if to == "arm" else "arm", "to": to}


def state(model, arm_gained: float = 0.0, captures=(), casualties=(0.0, 0.0), ceasefire=False, mediations=None,
          **alignment) -> WarState:
    """A state of the war, as a patron would see it, with the given losses and alignments."""
    aligned = {g.key: g.alignment_russia for g in model.governments} | alignment
    return WarState(date=dt.date(1993, 5, 1), captures=tuple(captures), gained_km2=np.array([-arm_gained, arm_gained]),
                    casualties=np.asarray(casualties, float), alignment_russia=aligned, ceasefire=ceasefire,
                    last_mediation=mediations or {})


def decide(model, key: str, s: WarState, **policy) -> list[dict]:
    patron = model.patron(key)
    patron.policy = {**patron.policy, **policy}
    return PatronPolicy().decide(model, patron, s)


def kinds(decisions) -> list[tuple[str, str]]:
    return [(d["type"], d.get("to") or d.get("on") or d.get("district") or "") for d in decisions]


# ------------------------------------------------------------------ decisions follow interests
def test_russia_arms_the_side_losing_ground_unless_it_turned_against_moscow(mixed):
    def arms(s, **policy):
        return {d["to"]: d["tanks"] for d in decide(mixed, "russia", s, **policy) if d["type"] == "deliver_arms"}
    # Azerbaijan loses a district's worth of ground: a friendly leadership gets arms, more than a lukewarm one.
    friendly, lukewarm = arms(state(mixed, arm_gained=1500, azerbaijan=0.7)), arms(state(mixed, arm_gained=1500,
                                                                                        azerbaijan=0.1))
    assert set(friendly) == {"azerbaijan"} and friendly["azerbaijan"] > lukewarm["azerbaijan"] > 0
    # An anti-Russian leadership gets nothing ... unless Russia balances throughout (alignment ignored).
    assert arms(state(mixed, arm_gained=1500, azerbaijan=-0.7)) == {}
    assert arms(state(mixed, arm_gained=1500, azerbaijan=-0.7), min_alignment=-1.0, alignment_weight=0.0) == \
        arms(state(mixed, arm_gained=1500, azerbaijan=0.7), min_alignment=-1.0, alignment_weight=0.0) != {}
    # A skirmish is not a reversal.
    assert arms(state(mixed, arm_gained=300, azerbaijan=0.7)) == {}
    # The arm side losing: Russia arms the state (Armenia), never the unrecognised Karabakh authorities.
    assert set(arms(state(mixed, arm_gained=-3000))) == {"armenia"}
    # Nothing while a ceasefire holds.
    assert arms(state(mixed, arm_gained=-3000, ceasefire=True)) == {}


def test_russia_withdraws_from_a_government_that_turns_against_moscow(mixed):
    def withdrawn(**alignment):
        out = decide(mixed, "russia", state(mixed, **alignment))
        return {(d["district"], d["unit_name"]) for d in out if d["type"] == "deployment" and d["action"] == "withdraw"}
    airborne = ("ganja", "104th Guards Airborne Division")
    mixed.patron("russia").mode = "endogenous"
    districts = {district for district, _ in withdrawn(azerbaijan=-0.7)}
    assert {"ganja", "baku", "nakhchivan"} <= districts and "yerevan" not in districts
    assert airborne in withdrawn(azerbaijan=-0.7)
    assert withdrawn(azerbaijan=0.3) == set()
    # Mixed: the record's dated withdrawal of the 104th division from Ganja (28 May 1993) stands; no
    # decision pre-empts it. Garrisons without a dated withdrawal still leave by decision (Ganja's other).
    mixed.patron("russia").mode = "mixed"
    districts = {district for district, _ in withdrawn(azerbaijan=-0.7)}
    assert airborne not in withdrawn(azerbaijan=-0.7) and {"ganja", "baku", "nakhchivan"} <= districts


def test_turkey_supports_azerbaijan_and_closes_the_border_after_an_offensive_beyond_karabakh(mixed):
    out = decide(mixed, "turkey", state(mixed, captures=[capture("kalbajar")]))
    # Mixed mode: the dated advisers stand for the documented mission, so no advisers by decision.
    assert ("embargo", "arm") in kinds(out) and ("deliver_arms", "azerbaijan") not in kinds(out)
    mixed.patron("turkey").mode = "endogenous"
    assert ("deliver_arms", "azerbaijan") in kinds(decide(mixed, "turkey", state(mixed, captures=[capture("kalbajar")])))
    # Lachin (the corridor) brings no closure; and a Turkey that never closes it does not.
    assert ("embargo", "arm") not in kinds(decide(mixed, "turkey", state(mixed, captures=[capture("lachin")])))
    assert ("embargo", "arm") not in kinds(decide(mixed, "turkey", state(mixed, captures=[capture("kalbajar")]),
                                                  closes_border=0.0))
    # Turkey never arms the arm side, whatever happens.
    for c in (capture("kalbajar"), capture("aghdam", to="aze"), capture("shusha")):
        assert all(d["to"] == "azerbaijan" for d in decide(mixed, "turkey", state(mixed, captures=[c]))
                   if d["type"] == "deliver_arms")


def test_iran_is_alarmed_only_when_fighting_reaches_the_araks(mixed):
    out = decide(mixed, "iran", state(mixed, captures=[capture("zangilan")]))
    assert {d["type"] for d in out} == {"deployment", "mediate"}
    assert decide(mixed, "iran", state(mixed, captures=[capture("kalbajar")])) == []
    assert decide(mixed, "iran", state(mixed, captures=[capture("zangilan")]), araks_alarm=0.0) == []


def test_diaspora_money_follows_armenian_losses(mixed):
    def money(**kw):
        return sum(d["money_musd"] for d in decide(mixed, "armenian_diaspora", state(mixed, **kw)))
    assert money() == 0  # mixed mode: the routine flow is the dated events
    light, heavy = money(captures=[capture("shusha", to="aze")]), money(captures=[capture("shusha", to="aze")],
                                                                          casualties=(0, 4000))
    assert 0 < light < heavy
    assert all(d["to"] == "nagorno_karabakh" for d in decide(mixed, "armenian_diaspora",
                                                              state(mixed, casualties=(0, 4000))))


def test_csce_initiative_after_a_major_capture(mixed):
    assert ("mediate", "") in kinds(decide(mixed, "csce_un", state(mixed, captures=[capture("aghdam")])))
    assert ("mediate", "") not in kinds(decide(mixed, "csce_un", state(mixed, captures=[capture("lachin")])))
    # Not twice on the same captures: an initiative (a dated resolution) a month ago is enough.
    recent = {"csce_un": dt.date(1993, 4, 1)}
    assert ("mediate", "") not in kinds(decide(mixed, "csce_un", state(mixed, captures=[capture("aghdam")],
                                                                        mediations=recent)))


def test_mixed_russia_answers_only_rival_initiatives_the_record_lacks(mixed):
    """In mixed mode Russia's dated initiatives are its documented answers to the dated rival ones: it answers
    only a rival initiative decided in the run; an endogenous Russia answers both."""
    dated = state(mixed, mediations={"iran": dt.date(1993, 4, 15)})
    decided = WarState(**{**dated.__dict__, "decided_mediation": {"iran": dt.date(1993, 4, 15)}})
    def answers(s):
        return ("mediate", "") in kinds(decide(mixed, "russia", s))
    assert not answers(dated) and answers(decided)
    mixed.patron("russia").mode = "endogenous"
    assert answers(dated)


# --------------------------------------------------------------------- can and stock, one path
def test_a_decision_the_patron_cannot_take_is_refused(mixed):
    with pytest.raises(InputError, match=r"iran cannot arms: model/data/patrons.toml \('can'\) allows it only"):
        check_decision(mixed, mixed.patron("iran"), deliver("azerbaijan", "test", tanks=3))


def test_deliveries_come_out_of_the_stock(mixed):
    russia = mixed.patron("russia")
    with pytest.raises(InputError, match="more than russia's stock"):
        check_decision(mixed, russia, deliver("armenia", "test", tanks=russia.arms_stock["tanks"] + 1))
    before = dict(russia.arms_stock)
    for ev in check_decision(mixed, russia, deliver("armenia", "test", tanks=4, artillery=2)):
        mixed.apply_event(ev, stream="test")
    assert russia.arms_stock["tanks"] == before["tanks"] - 4 and russia.arms_stock["artillery"] == before["artillery"] - 2
    # A scheduled delivery leaves the stock too (today's runs: Russia's stock was never drawn down).
    mixed.apply_event(ArmsTransfer.model_validate({"type": "arms_transfer", "date": "1992-01-01", "from": "russia",
                                                   "to": "azerbaijan", "apcs": 10}))
    assert russia.arms_stock["apcs"] == before["apcs"] - 10


def test_a_scheduled_event_the_patron_cannot_take_is_an_input_error(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('extends = "historical"\n[[events]]\nid = "x"\ntype = "mediation"\ndate = 1992-03-01\n'
                    'mediator = "armenian_diaspora"\n')
    with pytest.raises(InputError, match=r"s.toml: event 'x': armenian_diaspora cannot mediate"):
        KarabakhWar(path, rng=0, until="1992-01-01")
    # A counterfactual may grant the action on purpose.
    path.write_text(path.read_text() + '[patrons.armenian_diaspora]\ncan = ["fund", "mediate"]\n')
    assert "mediate" in KarabakhWar(path, rng=0, until="1992-01-01").patron("armenian_diaspora").can


# --------------------------------------------------------------------------------------- modes
def test_scheduled_patrons_change_nothing():
    """The historical scenario (all patrons scheduled) runs exactly as without the patrons' mechanism."""
    a = KarabakhWar(rng=5, until="1992-10-01").run()
    b = KarabakhWar(rng=5, until="1992-10-01", mechanisms=[m for m in DAILY_CYCLE if m is not PatronDecisions]).run()
    assert np.array_equal(a.control_history, b.control_history) and np.array_equal(a.casualties, b.casualties)
    assert a.patron_decisions == [] and "patron_decisions" not in summary(a, 5)


def test_endogenous_drops_the_patrons_dated_events_and_mixed_keeps_them():
    iran = {"iran_velayati_mission", "iran_transitory_ceasefire", "tehran_communique"}
    assert iran <= {e.id for e in load_scenario("historical_mixed").events}
    assert not iran & {e.id for e in load_scenario("iran_stays_out").events}


def test_mixed_patrons_decide_monthly_and_the_decisions_are_logged():
    m = KarabakhWar("historical_mixed", rng=0, until="1993-01-31").run()
    assert m.patron_decisions and all(dt.date.fromisoformat(d["date"]).day == 1 for d in m.patron_decisions)
    assert all(d["trigger"] and d["result"] for d in m.patron_decisions)
    assert summary(m, 0)["patron_decisions"] == m.patron_decisions
    counts = decision_counts(m)
    assert sum(counts.values()) == len(m.patron_decisions)
    assert counts["patron_turkey_arms"] == sum(d["patron"] == "turkey" and d["action"] == "arms"
                                                for d in m.patron_decisions)


def test_a_counterfactual_that_prevents_the_trigger_changes_the_patrons_later_actions(tmp_path):
    """Turkey and the CSCE decide (endogenous). When the Karabakh forces never go beyond their war aims
    (opportunism 0 and no security zone, security_value 0: no Kalbajar, Aghdam or Fuzuli), Turkey never closes its border and the CSCE takes
    fewer initiatives; the same seed with the default opportunism does both."""
    path = tmp_path / "deciding.toml"
    path.write_text('extends = "historical"\n[patrons.turkey]\nmode = "endogenous"\n'
                    '[patrons.csce_un]\nmode = "endogenous"\n')

    def actions(**params):  # seed 1: with stop 45's set seed 0 has no Turkish closure either way (seeds 1-5 all do)
        m = KarabakhWar(path, rng=1, until="1994-05-01", **params).run()
        return [(d["patron"], d["action"]) for d in m.patron_decisions]

    default, restrained = actions(), actions(opportunism=0.0, security_value=0.0)
    assert ("turkey", "embargo") in default and ("turkey", "embargo") not in restrained
    assert default.count(("csce_un", "mediate")) > restrained.count(("csce_un", "mediate"))


def test_a_played_patron_decides_through_the_wargame_and_an_unplayed_one_by_its_policy(tmp_path):
    game = create_game(tmp_path, {"seed": 5, "turn_minutes": 0, "scenario": "historical_mixed",
                                  "human": ["armenia", "russia"]})
    assert isinstance(game.model.patron("russia").strategy, PlayerPatron)
    assert isinstance(game.model.patron("turkey").strategy, PatronPolicy)
    assert PlayerPatron().decide(game.model, game.model.patron("russia"), None) == []
    # The player's orders take the same checked path as the built-in policy's: the stock limits them.
    order = decisions.read("russia", {"type": "deliver_arms", "to": "armenia", "tanks": 5000})
    with pytest.raises(InputError, match="more than russia's stock"):
        decisions.check(game.model, "russia", order)


def test_built_in_rules_keep_to_a_can_list_a_scenario_narrows(tmp_path):
    """A scenario that lets the patrons decide but takes mediation and arms from them runs to its end: the built-in
    rules' decisions the list does not allow are not carried out (a player's would be refused)."""
    path = tmp_path / "narrow.toml"
    path.write_text('extends = "historical_mixed"\n' + "".join(
        f'[patrons.{k}]\nmode = "endogenous"\ncan = ["fund"]\n' for k in ("russia", "turkey", "iran", "csce_un")))
    narrow = KarabakhWar(path, rng=0, until="1993-12-31").run()
    full = KarabakhWar("historical_mixed", rng=0, until="1993-12-31").run()
    assert {d["action"] for d in full.patron_decisions} - {"fund", "money"}  # the full lists decide more
    assert all(d["patron"] == "armenian_diaspora" or d["action"] in ("fund", "money")
               for d in narrow.patron_decisions)


def test_turkeys_advisers_stay_within_the_sourced_total_dated_ones_included(mixed):
    """Dated deliveries count against a decision's total: with the dated 1992 advisers already sent, Turkey
    sends only what is left of advisers_total, and nothing once it is reached."""
    turkey = mixed.patron("turkey")
    turkey.mode = "endogenous"  # in mixed mode it sends none (the dated event is the mission)
    total = turkey.policy["advisers_total"]
    lost = state(mixed, captures=[capture("aghdam", to="arm")])
    turkey.draw_stock({"personnel": total - 10})  # as a dated delivery does
    sent = [d for d in decide(mixed, "turkey", lost) if d["type"] == "deliver_arms"]
    assert sent and sent[0]["personnel"] == pytest.approx(10)
    turkey.draw_stock({"personnel": 10})
    assert not [d for d in decide(mixed, "turkey", lost) if d["type"] == "deliver_arms"]


def test_each_patron_numbers_its_decision_streams_on_its_own(monkeypatch):
    """A patron's k-th decision draws from stream 'patron_decision|<patron>|k', whatever the other patrons
    decided before it: adding or removing a patron leaves the others' draws as they were."""
    # seed 6: four patrons decide by mid-1993 with stop 59's set (the only one of seeds 0-9; two in the others); seed 1
    # at stop 58, seed 3 at stop 55, seed 0 at stop 54, seed 5 at stop 53, seed 0 at stop 52, seed 5 with stop 45's set,
    # seed 2 with stop 41's)
    m = KarabakhWar("historical_mixed", rng=6, until="1993-06-30")
    streams = []
    apply = m.apply_event
    monkeypatch.setattr(m, "apply_event", lambda ev, stream=None: streams.append(stream) or apply(ev, stream))
    m.run()
    named = [s.split("|") for s in streams if s]
    assert len({p for _, p, _ in named}) >= 3  # several patrons decided
    for key in {p for _, p, _ in named}:
        assert [int(k) for _, p, k in named if p == key] == list(range(sum(p == key for _, p, _ in named)))


def test_the_patron_fit_is_reproducible_and_keeps_off_the_validation_seeds(tmp_path):
    """Same seeds and sampler seed, fresh studies: the same fitted policy (tiny budget). The first trial is
    the documented policy; the fitted values lie in the data file's ranges; the validation root is refused."""
    pytest.importorskip("optuna")
    from model.experiments.calibration import calibrate_patrons
    from model.experiments.validation import VALIDATION_ROOT_SEED

    def fit(where):
        return calibrate_patrons(trials=2, jobs=1, seeds=1, study_dir=tmp_path / where, write=False)
    a, b = fit("a"), fit("b")
    assert a["policy"] == b["policy"] and a["calibration"]["score"] == b["calibration"]["score"]
    patrons = load_patrons()
    for key, values in a["policy"].items():
        for name, v in values.items():
            low, high = patrons[key].policy_ranges[name]
            assert low <= v <= high
    assert a["calibration"]["seeds"] != [] and a["calibration"]["root_seed"] != VALIDATION_ROOT_SEED
    with pytest.raises(InputError, match="validation"):
        calibrate_patrons(trials=1, jobs=1, seeds=1, root_seed=VALIDATION_ROOT_SEED, study_dir=tmp_path / "c",
                          write=False)


def test_a_scenario_takes_the_fitted_patron_policy_under_its_own(tmp_path, monkeypatch):
    """patron_calibration names a fitted policy: it replaces the data file's values, and the scenario's own
    [patrons.<key>.policy] still wins over it; a missing set is one clear input error."""
    from model.experiments import calibration
    from model.inputs import scenario as scenario_mod

    params = tmp_path / "params"
    params.mkdir()
    (params / "default.toml").write_text((calibration.PARAMS_DIR / "default.toml").read_text())
    calibration.write_calibrated({"calibration": {"name": "p"}, "policy": {"russia": {"mediation_pressure": 0.25,
                                                                                        "rival_window_days": 30.0}}},
                                 params / "p.toml")
    monkeypatch.setattr(scenario_mod, "PARAMS_DIR", params)
    monkeypatch.setattr("model.inputs.calibrated.PARAMS_DIR", params)
    path = tmp_path / "s.toml"
    path.write_text('extends = "historical"\npatron_calibration = "p"\n[patrons.russia]\nmode = "mixed"\n'
                    '[patrons.russia.policy]\nrival_window_days = 20.0\n')
    russia = load_scenario(path).patrons["russia"]
    assert russia.mode == "mixed" and russia.policy["mediation_pressure"] == 0.25
    assert russia.policy["rival_window_days"] == 20.0
    path.write_text('extends = "historical"\npatron_calibration = "nope"\n')
    with pytest.raises(InputError, match="patron_calibration"):
        load_scenario(path)


def test_the_committed_patron_policy_is_used_and_reproduces_its_score():
    """historical_mixed runs with the fitted policy of calibration/params/patrons.toml, and that set's
    reported score (median loss + the shares' term) is reproduced on its seeds (fails after a refit of the war's parameters until
    `karabakh calibrate --patrons` is re-run: calibration/README.md)."""
    from model.experiments.runner import RunSpec, run_many
    from model.inputs import calibrated, history

    record = calibrated.load_calibrated("patrons")
    assert record and record["calibration"]["root_seed"] == 0
    scenario = load_scenario("historical_mixed")
    for key, values in record["policy"].items():
        assert {k: scenario.patrons[key].policy[k] for k in values} == values
    c = record["calibration"]
    # As the fit ran them: to the end of 1994 (the ceasefire pattern), scored on the history to 1994-05-12.
    table = run_many([RunSpec(seed=s, scenario=c["scenario"], until=None, score=True, fit_until=c["fit_until"])
                      for s in c["seeds"]], workers=2)
    from model.experiments.scoring import objective_value

    assert objective_value(table) == pytest.approx(c["score"], rel=1e-9, abs=1e-9)
    assert c["data_version"] == history.data_version()


def test_a_closed_border_cuts_the_supply_of_the_blockaded_side_only():
    """Turkey's closure (an embargo on the arm side) lowers the supply its units can reach by the sourced
    share; the aze side's units, and an embargo by a patron without a border effect (the CSCE's request),
    change nothing."""
    from model.mechanisms.supply import Supply, blockade

    m = KarabakhWar("historical", rng=0, until="1992-06-01")
    supply = Supply(m)
    m.patron("csce_un").embargo_on |= {"aze", "arm"}
    assert list(blockade(m.patrons)) == [1.0, 1.0]
    m.patron("turkey").embargo_on.add("arm")
    loss = m.patron("turkey").blockade_supply_loss
    assert 0 < loss < 0.2 and list(blockade(m.patrons)) == [1.0, 1.0 - loss]
    f = m.forces
    f.supply[:] = supply.target[f.side, f.node]  # every unit at its level
    before = f.supply.copy()
    for _ in range(30):
        supply.step(m, None)
    aze, arm = f.side == 0, f.side == 1
    assert np.array_equal(f.supply[aze], before[aze])
    full = arm & (before == 1.0)
    assert full.any() and np.allclose(f.supply[full], 1.0 - loss)
