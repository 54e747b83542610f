"""The wargame engine without the web: turns, orders, fog of war, the log, replay and rewind."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from model.actors.strategy import BuiltinAI, ExternalStrategy
from model.errors import InputError
from model.mechanisms import Orders as OrdersMechanism
from model.wargame.config import GameConfig, read_config
from model.wargame.debrief import ceasefire_line
from model.wargame.fog import estimates, intel_rng, own_units, two_figures
from model.wargame.log import GameLog, write_atomic
from model.wargame.store import create_game, load_game
from model.wargame.roles import GOVERNMENT_ROLES
from model.wargame.views import role_view


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def units_of(game, role):
    return own_units(game.model, game.model.government(role))


def first_attack(game, role):
    """An order for the role's first unit: attack its first neighbour."""
    u = units_of(game, role)[0]
    return {u["key"]: ("attack", u["neighbours"][0])}


def play_turn(game, orders_by_role):
    turn = game.turn
    for role in game.config.human:
        game.submit_orders(role, turn, orders_by_role.get(role, {}))
    assert game.turn == turn + 1


def same_game(a, b):
    days = a.model.day + 1
    return (a.model.day == b.model.day
            and np.array_equal(a.model.control_history[:days], b.model.control_history[:days])
            and np.array_equal(a.model.forces.personnel, b.model.forces.personnel)
            and np.array_equal(a.model.casualty_history[:days], b.model.casualty_history[:days]))


@pytest.fixture
def game(tmp_path):
    return create_game(tmp_path, {"seed": 5, "turn_minutes": 0})


# ------------------------------------------------------------------ config
def test_turn_length_counts_calendar_months_weeks_and_days():
    c = GameConfig(turn_length="1 month")
    assert c.turn_end(dt.date(1992, 1, 31), 1) == dt.date(1992, 2, 29)
    assert c.turn_end(dt.date(1991, 12, 1), 2) == dt.date(1992, 2, 1)
    assert GameConfig(turn_length="2 weeks").turn_end(dt.date(1992, 1, 1), 1) == dt.date(1992, 1, 15)
    assert GameConfig(turn_length="10 days").turn_end(dt.date(1992, 1, 1), 3) == dt.date(1992, 1, 31)


@pytest.mark.parametrize("values, where", [({"turn_length": "a month"}, "turn_length"),
                                           ({"human": ["mars"]}, "human"),
                                           ({"intel_noise": -1}, "intel_noise"),
                                           ({"seed": "x"}, "seed"),
                                           ({"colour": "red"}, "colour")])
def test_bad_settings_are_one_clear_line(values, where):
    with pytest.raises(InputError) as err:
        read_config(values)
    assert err.value.where == where and "\n" not in str(err.value)


def test_a_start_outside_the_scenario_is_refused_and_leaves_no_folder(tmp_path):
    with pytest.raises(InputError, match="outside the scenario"):
        create_game(tmp_path, {"start": "1990-01-01"})
    assert list(tmp_path.iterdir()) == []


def test_a_later_start_is_reached_by_the_model_itself(tmp_path):
    g = create_game(tmp_path, {"seed": 5, "start": "1992-03-01", "turn_minutes": 0})
    assert g.model.date == g.start == dt.date(1992, 3, 1)
    assert g.turn_dates() == (dt.date(1992, 3, 1), dt.date(1992, 3, 31))


# ------------------------------------------------------------------ turns
def test_humans_get_external_strategies_and_the_ai_plays_the_rest(tmp_path):
    g = create_game(tmp_path, {"human": ["azerbaijan"], "turn_minutes": 0})
    assert isinstance(g.model.government("azerbaijan").strategy, ExternalStrategy)
    assert isinstance(g.model.government("armenia").strategy, BuiltinAI)
    g.submit_orders("azerbaijan", 1, {})
    assert g.turn == 2  # the only human submitted: the turn closed
    with pytest.raises(InputError, match="not a government played by a human"):
        g.submit_orders("armenia", 2, {})


def test_the_turn_closes_only_when_every_human_has_submitted(game):
    game.submit_orders("azerbaijan", 1, first_attack(game, "azerbaijan"))
    game.submit_orders("armenia", 1, {})
    assert game.turn == 1 and game.model.date == dt.date(1991, 12, 1)
    game.submit_orders("nagorno_karabakh", 1, {})
    assert game.turn == 2 and game.model.date == dt.date(1992, 1, 1)
    assert game.turns[0]["reason"] == "all humans submitted"


def test_the_deadline_closes_the_turn_and_a_pause_stops_the_clock(tmp_path):
    clock = Clock()
    g = create_game(tmp_path, {"turn_minutes": 10}, clock=clock)
    clock.now += 300
    assert not g.tick() and g.seconds_left() == 300
    g.pause()
    clock.now += 3600
    assert not g.tick() and g.turn == 1 and g.seconds_left() == 300
    g.resume()
    clock.now += 299
    assert not g.tick()
    clock.now += 1
    assert g.tick() and g.turn == 2 and g.turns[0]["reason"] == "deadline"
    assert g.seconds_left() == 600


@pytest.mark.parametrize("orders, problem", [
    ({"no_such_unit": ("attack", "shusha")}, "not a unit of"),
    ({"arm_army_central": ("attack", "shusha")}, "not a unit of"),
    ({"az_omon": ("attack", "meghri")}, "is not next to"),
    ({"az_omon": ("move", "goranboy")}, "is not next to"),
    ({"az_omon": ("attack", "atlantis")}, "unknown district"),
    ({"az_omon": ("surrender", "shusha")}, "unknown order"),
])
def test_bad_orders_are_refused_and_change_nothing(game, orders, problem):
    game.submit_orders("azerbaijan", 1, first_attack(game, "azerbaijan"))
    before = (len(game.log.entries), dict(game.submitted), game.strategies["azerbaijan"].standing)
    with pytest.raises(InputError, match=problem):
        game.submit_orders("azerbaijan", 1, orders)
    assert before == (len(game.log.entries), dict(game.submitted), game.strategies["azerbaijan"].standing)


def test_a_unit_not_yet_formed_cannot_be_ordered(game):
    f = game.model.forces
    row = int(np.flatnonzero(~f.active & (f.government == 0))[0])
    with pytest.raises(InputError, match="not on the map"):
        game.submit_orders("azerbaijan", 1, {game.model.unit_keys[row]: ("attack", "shusha")})


def test_a_stale_turn_a_paused_game_and_a_finished_game_refuse_orders(tmp_path):
    g = create_game(tmp_path, {"turn_minutes": 0, "human": ["armenia"], "start": "1994-12-01"})
    with pytest.raises(InputError, match="this form was for turn 3"):
        g.submit_orders("armenia", 3, {})
    g.pause()
    with pytest.raises(InputError, match="paused"):
        g.submit_orders("armenia", 1, {})
    g.resume()
    g.submit_orders("armenia", 1, {})
    assert g.finished
    with pytest.raises(InputError, match="over"):
        g.submit_orders("armenia", 2, {})


def test_orders_are_standing_and_are_obeyed(game):
    orders = first_attack(game, "azerbaijan")
    (key, (_, target)), = orders.items()
    game.submit_orders("azerbaijan", 1, orders)
    m = game.model
    m.mechanism(OrdersMechanism).decide(m, m.situation())
    assert m.forces.target[m.unit_index[key]] == m.world.index[target]
    game.submit_orders("armenia", 1, {})
    game.submit_orders("nagorno_karabakh", 1, {})
    assert game.turn == 2 and game.strategies["azerbaijan"].standing == {key: ("attack", target)}


# ------------------------------------------------------------ umpire actions
def test_an_injected_event_goes_through_the_scenario_event_path(game):
    game.inject({"type": "arms_transfer", "from": "russia", "to": "armenia", "tanks": 40, "date": "2000-01-01"})
    assert game.model.event_log[-1]["type"] == "arms_transfer"
    assert game.model.event_log[-1]["date"] == "1991-12-01"  # an inject happens today


@pytest.mark.parametrize("event, problem", [({"type": "coup"}, "type"),
                                            ({"type": "mediation", "mediator": "mars"}, "unknown patron"),
                                            ({"type": "arms_transfer", "from": "russia", "to": "armenia",
                                              "tanks": -5}, "tanks"),
                                            ("not a table", "expected a table")])
def test_a_bad_inject_is_refused_and_changes_nothing(game, event, problem):
    before = (len(game.log.entries), len(game.model.event_log))
    with pytest.raises(InputError, match=problem):
        game.inject(event)
    assert before == (len(game.log.entries), len(game.model.event_log))


def test_an_event_naming_the_wrong_kind_of_unit_is_refused(game):
    with pytest.raises(InputError, match="not a mercenary"):
        game.inject({"type": "mercenary_contract", "unit": "az_omon"})
    assert len(game.log.entries) == 0 and game.model.event_log == []


def test_a_failing_event_leaves_no_trace(game, monkeypatch):
    """An event that passes the checks but fails while applied: the game is rebuilt from the log."""
    def fail(event):
        raise RuntimeError("failed while applied")
    monkeypatch.setattr(game.model, "apply_event", fail)
    with pytest.raises(RuntimeError, match="failed while applied"):
        game.inject({"type": "mercenary_contract", "unit": "chechen_volunteers"})
    assert len(game.log.entries) == 0 and game.model.event_log == []
    assert game.model.apply_event is not fail  # the game was rebuilt from its (empty) log


def test_overrides_are_bounded(game):
    game.override("armenia", "treasury_musd", 99.0)
    assert game.model.government("armenia").treasury_musd == 99.0
    for args in (("armenia", "treasury_musd", -1.0), ("armenia", "arm_share", 1.0), ("russia", "legitimacy", 0.5)):
        with pytest.raises(InputError):
            game.override(*args)
    assert len(game.log.entries) == 1


def test_messages_are_logged_bounded_and_seen_only_by_their_parties(game):
    game.send_message("armenia", "nagorno_karabakh", "hold Shusha")
    game.send_message("umpire", "all", "Moscow calls for talks")
    with pytest.raises(InputError, match="too long"):
        game.send_message("armenia", "azerbaijan", "x" * 5000)
    with pytest.raises(InputError, match="recipient"):
        game.send_message("armenia", "mars", "hi")
    assert [m["text"] for m in game.visible_messages("azerbaijan")] == ["Moscow calls for talks"]
    assert len(game.visible_messages("nagorno_karabakh")) == 2
    assert len(game.visible_messages("umpire")) == 2


# ------------------------------------------------------------ fog of war
def test_own_units_are_exact(game):
    f = game.model.forces
    for u in units_of(game, "armenia"):
        row = game.model.unit_index[u["key"]]
        assert u["personnel"] == round(float(f.personnel[row])) and f.government[row] == 1


def test_estimates_are_noisy_stable_within_a_turn_and_differ_between_roles(game):
    m = game.model
    arm = m.government("armenia")
    one = estimates(m, arm, intel_rng(5, 1, 1), 0.3)
    assert one == estimates(m, arm, intel_rng(5, 1, 1), 0.3)  # a reload shows the same estimate
    assert one != estimates(m, arm, intel_rng(5, 2, 1), 0.3)
    assert one != estimates(m, arm, intel_rng(5, 1, 1, revision=1), 0.3)  # drawn afresh after an inject
    f = m.forces
    exact = {m.world.keys[v]: f.personnel[f.active & (f.side == 0) & (f.node == v)].sum()
             for v in range(m.world.n)}
    assert any(e["personnel"] != two_figures(exact[e["district"]]) for e in one["enemy"])
    assert all(0.2 < e["personnel"] / exact[e["district"]] < 5 for e in one["enemy"] if exact[e["district"]])
    noiseless = estimates(m, arm, intel_rng(5, 1, 1), 0.0)
    assert all(e["personnel"] == two_figures(exact[e["district"]]) for e in noiseless["enemy"])


def test_looking_at_estimates_does_not_change_the_war(tmp_path):
    a = create_game(tmp_path / "a", {"seed": 9, "turn_minutes": 0})
    b = create_game(tmp_path / "b", {"seed": 9, "turn_minutes": 0})
    for role in ("azerbaijan", "armenia", "nagorno_karabakh"):
        estimates(a.model, a.model.government(role), intel_rng(9, 1, 0), 0.5)
    play_turn(a, {})
    play_turn(b, {})
    assert same_game(a, b)


def test_two_figures():
    assert [two_figures(x) for x in (0.2, 7.4, 12.5, 1234, 98_765)] == [0, 7, 12, 1200, 99_000]


# ------------------------------------------------------ the record and replay
def test_replaying_the_log_gives_the_identical_game(game):
    play_turn(game, {"azerbaijan": first_attack(game, "azerbaijan"), "armenia": first_attack(game, "armenia")})
    game.inject({"type": "arms_transfer", "from": "russia", "to": "azerbaijan", "tanks": [10, 90]})
    play_turn(game, {"nagorno_karabakh": first_attack(game, "nagorno_karabakh")})
    again = load_game(game.folder)
    assert again.turn == 3 and same_game(game, again)
    assert again.model.event_log == game.model.event_log


def test_a_different_seed_gives_a_different_game(tmp_path):
    a = create_game(tmp_path / "a", {"seed": 1, "turn_minutes": 0})
    b = create_game(tmp_path / "b", {"seed": 2, "turn_minutes": 0})
    play_turn(a, {})
    play_turn(b, {})
    assert not same_game(a, b)


def test_a_rewind_replays_the_prefix_of_the_log(tmp_path):
    a = create_game(tmp_path / "a", {"seed": 4, "turn_minutes": 0})
    b = create_game(tmp_path / "b", {"seed": 4, "turn_minutes": 0})
    play_turn(a, {})
    play_turn(b, {})
    play_turn(a, {"azerbaijan": first_attack(a, "azerbaijan")})
    a.send_message("armenia", "nagorno_karabakh", "kept after the rewind")
    a.rewind(2)
    assert a.turn == 2 and a.model.date == dt.date(1992, 1, 1) and len(a.messages) == 1
    play_turn(a, {"armenia": first_attack(a, "armenia")})
    play_turn(b, {"armenia": first_attack(b, "armenia")})
    assert same_game(a, b)
    assert same_game(a, load_game(a.folder))  # the log with its rewind replays too


def test_a_submitted_order_survives_a_restart(game):
    orders = first_attack(game, "armenia")
    game.submit_orders("armenia", 1, orders)
    again = load_game(game.folder)
    assert again.submitted == {"armenia": {k: list(v) for k, v in orders.items()}}
    assert again.tokens == game.tokens and again.turn == 1


def test_the_state_file_is_written_after_every_action(game):
    state = game.folder / "state.json"
    game.submit_orders("armenia", 1, {})
    assert json.loads(state.read_text())["log_entries"] == 1
    game.send_message("armenia", "all", "x")
    assert json.loads(state.read_text())["log_entries"] == 2
    assert [p.name for p in game.folder.iterdir() if p.name.endswith(".tmp")] == []


def test_a_torn_last_line_is_cut_and_the_log_goes_on(tmp_path):
    path = tmp_path / "log.jsonl"
    log = GameLog(path)
    log.append({"kind": "pause"})
    with open(path, "a") as fh:
        fh.write('{"kind": "res')  # the process died while writing
    log = GameLog(path)
    assert log.dropped and [e["kind"] for e in log.entries] == ["pause"]
    log.append({"kind": "resume"})
    assert [e["seq"] for e in GameLog(path).entries] == [0, 1]


def test_an_atomic_write_replaces_the_whole_file(tmp_path):
    path = tmp_path / "state.json"
    write_atomic(path, {"a": 1})
    write_atomic(path, {"b": 2})
    assert json.loads(path.read_text()) == {"b": 2} and len(list(tmp_path.iterdir())) == 1


def test_estimates_are_redrawn_after_an_inject_but_not_after_a_role_resubmits(game):
    before = role_view(game, "armenia")["estimates"]
    game.submit_orders("armenia", game.turn, {})
    game.submit_orders("armenia", game.turn, {})
    assert role_view(game, "armenia")["estimates"] == before  # resubmitting cannot resample the error
    game.override("azerbaijan", "treasury_musd", 1.0)  # changes nothing on the map ...
    assert role_view(game, "armenia")["estimates"] != before  # ... but the error is drawn afresh


def test_the_logs_counts_stay_in_step_with_its_entries(game, tmp_path):
    game.send_message("armenia", "all", "talks?")
    game.close_turn()
    game.inject({"type": "embargo", "patron": "turkey", "on": "arm"})
    game.rewind(1)
    counted = {k: game.log.count(k) for k in ("message", "turn_close", "inject", "rewind", "orders")}
    assert counted == {"message": 1, "turn_close": 1, "inject": 1, "rewind": 1, "orders": 0}
    again = load_game(game.folder)
    assert {k: again.log.count(k) for k in counted} == counted


def test_a_stale_form_is_refused_by_one_check(game):
    with pytest.raises(InputError, match="this form was for turn 7, the game is on turn 1"):
        game.check_turn("7")
    game.check_turn(1)
    game.check_turn("1")


# ------------------------------------------------ orders beyond attack/move/hold
@pytest.fixture
def everyone(tmp_path):
    """A game in which students play every government and every patron."""
    from model.wargame.roles import PLAYABLE
    return create_game(tmp_path, {"seed": 4, "turn_minutes": 0, "human": list(PLAYABLE)})


def finish_turn(game):
    from model.wargame.roles import PATRON_ROLES
    turn = game.turn
    for role in game.config.human:
        if role in PATRON_ROLES:
            game.ready(role, turn)
        else:
            game.submit_orders(role, turn, {})
    assert game.turn == turn + 1


def test_orders_are_carried_out_at_the_close_through_the_models_paths(everyone):
    g, m = everyone, everyone.model
    aze = m.government("azerbaijan")
    unit = units_of(g, "armenia")[0]["key"]
    m.forces.loyalty[m.unit_index[unit]] = 0.1
    g.decide("azerbaijan", 1, {"type": "hire", "unit": "chechen_volunteers", "district": "shusha"})
    g.decide("azerbaijan", 1, {"type": "coup_proofing", "items": {"paramilitary_counterweight": "1"}})
    g.decide("azerbaijan", 1, {"type": "purge", "intensity": "0.6"})
    g.decide("armenia", 1, {"type": "rotate", "unit": unit})
    g.decide("turkey", 1, {"type": "embargo", "on": "arm"})
    g.decide("russia", 1, {"type": "deliver_arms", "to": "armenia", "tanks": "30"})
    assert not m.forces.active[m.unit_index["chechen_volunteers"]] and aze.purge is None  # nothing before the close
    events = len(m.event_log)
    finish_turn(g)
    types = [e["type"] for e in m.event_log[events:]]
    assert {"mercenary_contract", "profile_change", "embargo", "arms_transfer"} <= set(types)
    row = m.unit_index["chechen_volunteers"]
    assert m.forces.active[row] and m.forces.government[row] == aze.index
    assert aze.regime.items["paramilitary_counterweight"] == 1.0 and aze.purge[1] == 0.6
    assert "arm" in m.patron("turkey").embargo_on
    assert all(o["ok"] for o in g.outcomes) and len(g.outcomes) == 6
    g.decide("azerbaijan", 2, {"type": "dismiss", "unit": "chechen_volunteers"})
    finish_turn(g)
    assert not m.forces.active[row]


def test_recruit_weights_go_through_the_strategy_seam(everyone):
    g, m = everyone, everyone.model
    keys = [u["key"] for u in units_of(g, "armenia")]
    g.decide("armenia", 1, {"type": "recruits", "weights": {keys[0]: "0", keys[1]: "5"}})
    finish_turn(g)
    gov = m.government("armenia")
    orders = g.strategies["armenia"].decide(m, gov, m.situation())
    weight = dict(zip((m.unit_keys[r] for r in orders.units), orders.reinforce))
    assert weight[keys[0]] == 0 and weight[keys[1]] == 5 and all(weight[k] == 1 for k in keys[2:])
    assert ExternalStrategy().decide(m, gov, m.situation()).reinforce.tolist() == [1.0] * len(keys)


@pytest.mark.parametrize("role, values, problem", [
    ("azerbaijan", {"type": "purge", "intensity": "2"}, "intensity"),
    ("azerbaijan", {"type": "hire", "unit": "az_omon", "district": "shusha"}, "not a mercenary"),
    ("azerbaijan", {"type": "hire", "unit": "chechen_volunteers", "district": "yerevan"}, "not a district your side holds"),
    ("azerbaijan", {"type": "dismiss", "unit": "az_omon"}, "not a mercenary"),
    ("azerbaijan", {"type": "rotate", "unit": "arm_army_central"}, "not a unit of"),
    ("azerbaijan", {"type": "coup_proofing", "items": {"coup_origin": "1"}}, "expected some of"),
    ("azerbaijan", {"type": "request_arms", "patron": "iran", "tanks": "5"}, "iran cannot arms"),
    ("azerbaijan", {"type": "request_arms", "patron": "russia", "pay_musd": "9999"}, "more than the treasury"),
    ("azerbaijan", {"type": "ceasefire", "answer": "break"}, "no ceasefire is in force"),
    ("azerbaijan", {"type": "freeform", "text": "x" * 3000}, "text"),
    ("azerbaijan", {"type": "deliver_arms", "to": "armenia", "tanks": "5"}, "not an order of azerbaijan"),
    ("turkey", {"type": "deployment", "action": "deploy", "unit_name": "x", "district": "baku"}, "turkey cannot deploy"),
    ("russia", {"type": "deliver_arms", "to": "armenia", "money_musd": "5"}, "russia cannot fund"),
    ("russia", {"type": "deployment", "action": "withdraw", "unit_name": "ghost", "district": "baku"}, "no force named"),
    ("russia", {"type": "deliver_arms", "to": "mars", "tanks": "5"}, "unknown government"),
    ("csce_un", {"type": "purge", "intensity": "0.5"}, "not an order of csce_un"),
])
def test_bad_decisions_are_one_clear_line_and_change_nothing(everyone, role, values, problem):
    before = (len(everyone.log.entries), list(everyone.pending), list(everyone.requests))
    with pytest.raises(InputError, match=problem) as err:
        everyone.decide(role, 1, values)
    assert "\n" not in str(err.value)
    assert before == (len(everyone.log.entries), list(everyone.pending), list(everyone.requests))


def test_requests_are_adjudicated_by_the_patrons_player_or_the_umpire(everyone, tmp_path):
    g, m = everyone, everyone.model
    aze = m.government("azerbaijan")
    treasury = aze.treasury_musd
    arms = g.decide("azerbaijan", 1, {"type": "request_arms", "patron": "russia", "tanks": "12", "pay_musd": "2"})
    free = g.decide("armenia", 1, {"type": "freeform", "text": "we bribe the commander at Lachin"})
    assert [r["by"] for r in g.requests] == ["russia", "umpire"]
    with pytest.raises(InputError, match="not yours"):
        g.adjudicate("turkey", arms["seq"], "decide", granted=True)
    with pytest.raises(InputError, match="expected decide$"):
        g.adjudicate("russia", arms["seq"], "probability", probability=0.5)
    g.adjudicate("russia", arms["seq"], "decide", granted=True)
    assert aze.treasury_musd == pytest.approx(treasury - 2) and m.event_log[-1]["type"] == "arms_transfer"
    with pytest.raises(InputError, match="granted"):
        g.adjudicate("umpire", arms["seq"], "decide", granted=False)
    g.adjudicate("umpire", free["seq"], "probability", probability=0.5)
    outcome = g.request(free["seq"])["status"]
    again = load_game(g.folder)
    assert again.requests == g.requests and again.request(free["seq"])["status"] == outcome


def test_a_weighted_probability_is_drawn_from_the_games_seed():
    from model.wargame.decisions import draw
    outcomes = [draw(7, seq, 0.5) for seq in range(400)]
    assert outcomes == [draw(7, seq, 0.5) for seq in range(400)]
    assert 150 < sum(outcomes) < 250 and outcomes != [draw(8, seq, 0.5) for seq in range(400)]
    assert not any(draw(7, seq, 0.0) for seq in range(50)) and all(draw(7, seq, 1.0) for seq in range(50))


def test_players_accept_a_mediators_proposal_and_break_the_ceasefire(everyone):
    g, m = everyone, everyone.model
    for role in GOVERNMENT_ROLES:
        g.decide(role, 1, {"type": "ceasefire", "answer": "accept"})
    g.decide("russia", 1, {"type": "mediate", "terms": "ceasefire in place", "pressure": "0.9"})
    finish_turn(g)
    assert m.ceasefires and m.ceasefires[0]["mediator"] == "russia"
    assert m.diplomacy.in_force  # accepted by every player: the model's breakdown draws do not decide for them
    # A government may ask a mediator to confirm the ceasefire in force (the parties' letters of 27 July 1994):
    # granted, it renews the ceasefire instead of opening a proposal.
    ask = g.decide("armenia", 2, {"type": "propose_ceasefire", "mediator": "russia", "terms": "confirm it"})
    g.adjudicate("russia", ask["seq"], "decide", granted=True)
    assert [r["mediator"] for r in m.ceasefires[0]["renewed"]] == ["russia"] and not m.diplomacy.proposals
    g.decide("azerbaijan", 2, {"type": "ceasefire", "answer": "break"})
    finish_turn(g)
    assert m.ceasefires[0]["broken_by"] == "azerbaijan"


def test_decisions_replay_identically_and_a_rewind_drops_them(everyone):
    g = everyone
    g.decide("azerbaijan", 1, {"type": "hire", "unit": "chechen_volunteers", "district": "shusha"})
    g.decide("russia", 1, {"type": "deliver_arms", "to": "armenia", "tanks": "30"})
    finish_turn(g)
    g.decide("armenia", 2, {"type": "purge", "intensity": "0.3"})
    again = load_game(g.folder)
    assert same_game(g, again) and again.outcomes == g.outcomes and again.pending == g.pending
    g.cancel("armenia", g.pending[0]["seq"])
    assert g.pending == []
    g.rewind(1)
    assert g.outcomes == [] and g.turn == 1


def test_the_umpire_sets_the_deadline_of_this_turn_and_of_later_ones(tmp_path):
    clock = Clock()
    g = create_game(tmp_path, {"turn_minutes": 10}, clock=clock)
    g.set_deadline(3, None)
    assert g.seconds_left() == 180
    g.set_deadline(None, 45)
    assert g.seconds_left() == 180
    clock.now += 181
    assert g.tick() and g.seconds_left() == 45 * 60
    with pytest.raises(InputError, match="expected 0 to"):
        g.set_deadline(-1, None)
    assert load_game(g.folder, clock=clock).turn_minutes == 45


def test_presence_is_certain_in_contact_and_uncertain_far_away(game):
    from model.wargame.fog import detection
    m, f = game.model, game.model.forces
    arm = m.government("armenia")
    mine = f.node[f.active & (f.government == arm.index)]
    p = detection(m, mine, 0.3)
    near = np.isin(np.arange(m.world.n), np.flatnonzero(m.world.closed_adjacency[np.unique(mine)].any(axis=0)))
    assert (p[near] == 1).all() and (p[~near] < 1).all() and np.allclose(detection(m, mine, 0.0), 1.0)
    enemy = {m.world.keys[v] for v in np.unique(f.node[f.active & (f.side == 0)])}
    exact = {e["district"] for e in estimates(m, arm, intel_rng(5, 1, 1), 0.0)["enemy"]}
    assert exact == enemy  # perfect intelligence: every force seen, nothing invented
    missed, invented = set(), set()
    for turn in range(1, 30):
        shown = {e["district"] for e in estimates(m, arm, intel_rng(5, turn, 1), 1.0)["enemy"]}
        missed |= enemy - shown
        invented |= shown - enemy
    near_keys = {m.world.keys[v] for v in np.flatnonzero(near)}
    assert missed and invented and not (missed & near_keys)  # far forces missed, false reports; contact always seen
    assert all(m.side_share[0, m.world.index[k]] > 0 for k in invented)  # reports only where the enemy holds ground


def test_a_reward_raises_the_commander_s_loyalty_at_its_price(everyone):
    g, m = everyone, everyone.model
    arm = m.government("armenia")
    unit = units_of(g, "armenia")[0]["key"]
    row = m.unit_index[unit]
    m.forces.loyalty[row], arm.treasury_musd = 0.3, 10.0
    g.decide("armenia", 1, {"type": "reward", "unit": unit})
    assert m.forces.loyalty[row] == 0.3  # carried out at the close of the turn
    finish_turn(g)
    assert m.forces.loyalty[row] >= 0.3 + m.p["reward_loyalty_gain"]  # (and a month of recovery toward its base)
    before, loyal = arm.treasury_musd, float(m.forces.loyalty[row])
    assert m.reward_commander(arm, row) == pytest.approx(min(1.0, loyal + m.p["reward_loyalty_gain"]))
    assert arm.treasury_musd == pytest.approx(before - m.p["reward_cost_musd"])
    arm.treasury_musd = 0.0
    with pytest.raises(InputError, match="costs"):
        g.decide("armenia", g.turn, {"type": "reward", "unit": unit})


def test_the_debrief_says_who_renewed_and_who_broke_each_ceasefire():
    broken = {"start": "1994-03-11", "mediator": "russia", "end": "1994-08-16", "broken_by": "nagorno_karabakh",
              "renewed": [{"date": "1994-05-09", "mediator": "russia", "pressure": 0.9}]}
    assert ceasefire_line(broken) == ("- from 1994-03-11 (russia), renewed 1994-05-09 (russia); "
                                       "broken 1994-08-16 by nagorno_karabakh")
    holding = {**broken, "end": None, "broken_by": None, "renewed": []}
    assert ceasefire_line(holding) == "- from 1994-03-11 (russia); still in force"
