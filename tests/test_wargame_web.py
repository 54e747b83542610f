"""The wargame's web endpoints (Starlette TestClient): tokens, bad input, and no leaks between roles."""

from __future__ import annotations

import re

import numpy as np
import pytest
from starlette.testclient import TestClient

from model.wargame import web
from model.wargame.roles import GOVERNMENT_ROLES, UMPIRE
from model.wargame.web import make_app

BAD_TOKEN = "x" * 32


@pytest.fixture
def client(tmp_path):
    return TestClient(make_app(tmp_path), follow_redirects=False)


@pytest.fixture
def game(client):
    r = client.post("/games", data={"seed": "2", "turn_minutes": "0", "human": list(GOVERNMENT_ROLES)})
    assert r.status_code == 303
    (game,) = client.app.state.server.games.values()
    assert r.headers["location"] == f"/umpire/{game.tokens[UMPIRE]}"
    return game


def error_of(response) -> str:
    found = re.search(r'id="error">([^<]*)<', response.text)
    return found.group(1) if found else ""


def unit_field(game, role, index=0):
    u = [u for u in web.view(game, role)["units"]][index]
    return u, f"u:{u['key']}"


def test_the_instructor_page_offers_the_settings_and_the_scenarios(client):
    r = client.get("/")
    assert r.status_code == 200 and 'name="turn_length"' in r.text and "no_russian_mediation" in r.text
    assert r.headers["content-security-policy"].startswith("default-src 'self'")


def test_bad_settings_are_one_line_on_the_page(client):
    r = client.post("/games", data={"turn_length": "forever"})
    assert r.status_code == 400 and "turn_length" in error_of(r)
    assert client.app.state.server.games == {}


def test_every_page_of_a_role_and_of_the_umpire_needs_its_own_token(client, game):
    role_token, umpire_token = game.tokens["armenia"], game.tokens[UMPIRE]
    gets = ["/play/{t}", "/play/{t}/status", "/play/{t}/map.png", "/umpire/{t}", "/umpire/{t}/status",
            "/umpire/{t}/map.png"]
    posts = ["/play/{t}/orders", "/play/{t}/message", "/umpire/{t}/act"]
    for path in gets + posts:
        for token in (BAD_TOKEN, "", umpire_token if path.startswith("/play") else role_token):
            url = path.format(t=token)
            r = client.post(url, data={"action": "close", "turn": "1"}) if path in posts else client.get(url)
            assert r.status_code in (403, 404), url
            if r.status_code == 403:
                assert "this link is not valid" in error_of(r)
    assert game.turn == 1 and game.log.entries == []


def test_orders_from_the_form_are_received(client, game):
    u, field = unit_field(game, "armenia")
    token = game.tokens["armenia"]
    r = client.post(f"/play/{token}/orders", data={"turn": "1", field: f"attack {u['neighbours'][0]}"})
    assert r.status_code == 303 and "orders+received" in r.headers["location"]
    assert game.submitted == {"armenia": {u["key"]: ["attack", u["neighbours"][0]]}}
    assert "Orders received for this turn" in client.get(f"/play/{token}").text


@pytest.mark.parametrize("make, problem", [
    (lambda g, u, f: {"turn": "1", "u:az_omon": "attack shahumyan"}, "not a unit of"),
    (lambda g, u, f: {"turn": "1", "u:made_up_brigade": "attack shusha"}, "not a unit of"),
    (lambda g, u, f: {"turn": "1", f: "attack baku"}, "is not next to"),
    (lambda g, u, f: {"turn": "1", f: "teleport yerevan"}, "unknown order"),
    (lambda g, u, f: {"turn": "0", f: "hold"}, "this form was for turn 0"),
    (lambda g, u, f: {"turn": "one", f: "hold"}, "expected a whole number"),
    (lambda g, u, f: {"turn": "1", f: "x" * 70_000}, "too large"),
])
def test_bad_orders_get_a_clear_message_and_change_nothing(client, game, make, problem):
    u, field = unit_field(game, "armenia")
    r = client.post(f"/play/{game.tokens['armenia']}/orders", data=make(game, u, field))
    assert r.status_code == 400 and problem in error_of(r) and "nothing was changed" in error_of(r)
    assert game.log.entries == [] and game.submitted == {}


@pytest.mark.parametrize("data, problem", [({"to": "nagorno_karabakh", "text": "x" * 2001}, "too long"),
                                           ({"to": "nagorno_karabakh", "text": "   "}, "empty"),
                                           ({"to": "the press", "text": "hi"}, "unknown recipient")])
def test_bad_messages_get_a_clear_message_and_change_nothing(client, game, data, problem):
    r = client.post(f"/play/{game.tokens['armenia']}/message", data=data)
    assert r.status_code == 400 and problem in error_of(r)
    assert game.messages == []


@pytest.mark.parametrize("data, problem", [
    ({"action": "inject", "event": "{not json"}, "not valid JSON"),
    ({"action": "inject", "event": '{"type": "mediation", "mediator": "atlantis"}'}, "unknown patron"),
    ({"action": "inject", "event": '{"type": "mercenary_contract", "unit": "az_omon"}'}, "not a mercenary"),
    ({"action": "rewind", "to_turn": "7"}, "choose a turn from 1 to 1"),
    ({"action": "override", "government": "armenia", "field": "treasury_musd", "value": "-3"}, "outside"),
    ({"action": "override", "government": "armenia", "field": "treasury_musd", "value": "nan"}, "expected a number"),
    ({"action": "resume"}, "not paused"),
    ({"action": "launch_nukes"}, "unknown action"),
])
def test_bad_umpire_actions_get_a_clear_message_and_change_nothing(client, game, data, problem):
    r = client.post(f"/umpire/{game.tokens[UMPIRE]}/act", data={"turn": "1", **data})
    assert r.status_code == 400 and problem in error_of(r)
    assert game.log.entries == [] and game.model.event_log == []


def test_the_umpire_closes_pauses_injects_and_rewinds(client, game):
    act = f"/umpire/{game.tokens[UMPIRE]}/act"
    assert client.post(act, data={"turn": "1", "action": "pause"}).status_code == 303 and game.paused
    r = client.post(f"/play/{game.tokens['armenia']}/orders", data={"turn": "1"})
    assert "paused" in error_of(r)
    client.post(act, data={"turn": "1", "action": "resume"})
    client.post(act, data={"turn": "1", "action": "inject",
                           "event": '{"type": "arms_transfer", "from": "russia", "to": "armenia", "tanks": 5}'})
    assert game.model.event_log[-1]["type"] == "arms_transfer"
    client.post(act, data={"turn": "1", "action": "close"})
    assert game.turn == 2
    r = client.post(act, data={"turn": "1", "action": "close"})
    assert "this form was for turn 1" in error_of(r) and game.turn == 2
    client.post(act, data={"turn": "2", "action": "rewind", "to_turn": "1"})
    assert game.turn == 1 and str(game.model.date) == "1991-12-01"


def test_a_poll_asks_for_a_new_page_only_when_the_turn_changed(client, game):
    token = game.tokens["armenia"]
    assert "hx-refresh" not in client.get(f"/play/{token}/status?v=0").headers
    game.close_turn()
    assert client.get(f"/play/{token}/status?v=0").headers["hx-refresh"] == "true"
    assert "hx-refresh" not in client.get(f"/play/{token}/status?v=1").headers


def test_htmx_ships_with_the_package(client):
    r = client.get("/static/htmx.min.js")
    assert r.status_code == 200 and r.text.startswith("var htmx=")


# ------------------------------------------------------------------- no leaks
def plant_secrets(game) -> dict[str, list[str]]:
    """Distinctive hidden values for each government: unit strengths, treasury, unit keys (so orders
    too), a message to an ally. Returns, per role, the strings only that role (and the umpire) may see."""
    m, f = game.model, game.model.forces
    secrets = {}
    for g, role in enumerate(GOVERNMENT_ROLES):
        gov = m.government(role)
        gov.treasury_musd = 9000 + 111.1 * (g + 1)
        rows = np.flatnonzero(f.active & (f.government == gov.index))
        f.personnel[rows] = 104_729 + 1_013 * g + 17 * np.arange(len(rows))
        secrets[role] = [f"{gov.treasury_musd:.1f}", *(str(int(p)) for p in f.personnel[rows]),
                         *(m.unit_keys[r] for r in rows), f"SECRET-{role}-MESSAGE"]
    return secrets


def test_no_response_to_a_role_holds_another_roles_hidden_values(client, game, monkeypatch):
    secrets = plant_secrets(game)
    for role in GOVERNMENT_ROLES:
        game.send_message(role, "umpire", f"SECRET-{role}-MESSAGE")
    game.submit_orders("azerbaijan", 1, {"az_omon": ("attack", "shahumyan")})
    marked = {}
    monkeypatch.setattr(web, "plot_view_map", lambda model, buf, labels, title: marked.update(labels))
    for role in GOVERNMENT_ROLES:
        token = game.tokens[role]
        u, field = unit_field(game, role)
        responses = [client.get(f"/play/{token}"), client.get(f"/play/{token}/status?v=0"),
                     client.get(f"/play/{token}/map.png"),
                     client.post(f"/play/{token}/orders", data={"turn": "1", field: "attack atlantis"}),
                     client.post(f"/play/{token}/orders", data={"turn": "1", "u:made_up_unit": "hold"}),
                     client.post(f"/play/{token}/message", data={"to": "umpire", "text": ""}),
                     client.get("/"), client.get(f"/play/{BAD_TOKEN}")]
        text = "\n".join(r.text for r in responses[:2] + responses[3:])
        leaks = [s for other, values in secrets.items() if other != role for s in values if s in text]
        assert leaks == [], f"{role} sees {leaks[:5]}"
        own = [s for s in secrets[role] if s not in text]
        assert own == [], f"{role} does not see its own {own[:5]}"  # the check can see what it looks for
        f = game.model.forces
        own_nodes = {int(n) for n in f.node[f.active & (f.government == game.model.government(role).index)]}
        assert set(marked) <= own_nodes  # the map labels only the role's own districts
        marked.clear()
    umpire_page = client.get(f"/umpire/{game.tokens[UMPIRE]}").text
    assert all(s in umpire_page for values in secrets.values() for s in values)


def test_the_debrief_compares_the_game_with_the_ai_and_writes_its_files(client, game):
    game.submit_orders("armenia", 1, {})
    game.close_turn()
    token = game.tokens[UMPIRE]
    r = client.get(f"/umpire/{token}/debrief")
    assert r.status_code == 200 and "built-in AI" in r.text and "Questions for discussion" in r.text
    assert "turn 1, armenia: all hold" in r.text
    assert client.get(f"/umpire/{token}/debrief.png").content.startswith(b"\x89PNG")
    assert (game.folder / "debrief.md").read_text().startswith("# After-action review")
    assert client.get(f"/umpire/{game.tokens['armenia']}/debrief").status_code == 403


def test_a_role_page_names_districts_in_both_forms(client, game):
    page = client.get(f"/play/{game.tokens['nagorno_karabakh']}").text
    assert "Khankendi/Stepanakert" in page and "Aghdara/Mardakert" in page
    assert 'value="attack stepanakert"' in page or 'value="move stepanakert"' in page  # keys stay in the form
    assert "Khankendi/Stepanakert" in client.get(f"/umpire/{game.tokens[UMPIRE]}").text


def test_azerbaijans_page_shows_its_depots_in_numbers_for_people(client, game):
    """Recruits waiting to be trained (ODD 7.7) are on Azerbaijan's page as 12,345, not 12345; a government
    without a training capacity has no depot row."""
    game.model.government("azerbaijan").depot_personnel = 12345.4
    page = client.get(f"/play/{game.tokens['azerbaijan']}").text
    assert re.search(r"<th>Depots</th><td>12,345 recruits waiting", page)
    assert "<th>Depots</th>" not in client.get(f"/play/{game.tokens['armenia']}").text


def test_the_debrief_reruns_the_ai_only_when_the_game_moved_on(client, game, monkeypatch):
    runs = []
    real = web.debrief.ai_run
    monkeypatch.setattr(web.debrief, "ai_run", lambda g: runs.append(g.model.day) or real(g))
    url = f"/umpire/{game.tokens[UMPIRE]}/debrief"
    assert client.get(url).status_code == 200 and client.get(url).status_code == 200
    assert runs == [0]
    game.close_turn()
    assert client.get(url).status_code == 200
    assert runs == [0, game.model.day]


def test_the_map_cache_keeps_one_map_per_game_and_role(client, game):
    token = game.tokens["armenia"]
    first = client.get(f"/play/{token}/map.png").content
    game.close_turn()
    assert client.get(f"/play/{token}/map.png").content != first
    assert list(client.app.state.server._maps) == [(game.id, "armenia")]


@pytest.fixture
def full(client):
    from model.wargame.roles import PLAYABLE
    r = client.post("/games", data={"seed": "2", "turn_minutes": "0", "human": list(PLAYABLE)})
    assert r.status_code == 303
    return next(g for g in client.app.state.server.games.values() if "russia" in g.config.human)


def test_decisions_and_answers_from_the_forms(client, full):
    t = full.tokens
    r = client.post(f"/play/{t['azerbaijan']}/decide", data={"turn": "1", "type": "coup_proofing",
                                                              "i:paramilitary_counterweight": "0.8", "i:internal_intelligence": ""})
    assert r.status_code == 303 and full.pending[-1]["decision"]["items"] == {"paramilitary_counterweight": 0.8}
    r = client.post(f"/play/{t['azerbaijan']}/decide", data={"turn": "1", "type": "request_arms", "patron": "russia",
                                                              "tanks": "9"})
    assert r.status_code == 303
    seq = full.requests[-1]["seq"]
    assert f"#{seq} from azerbaijan" in client.get(f"/play/{t['russia']}").text
    assert client.post(f"/play/{t['russia']}/answer", data={"seq": str(seq), "outcome": "grant"}).status_code == 303
    assert full.request(seq)["status"] == "granted"
    r = client.post(f"/play/{t['turkey']}/decide", data={"turn": "1", "type": "deployment", "action": "deploy",
                                                          "unit_name": "advisers", "district": "baku"})
    assert r.status_code == 400 and "turkey cannot deploy" in error_of(r)
    r = client.post(f"/umpire/{t[UMPIRE]}/act", data={"turn": "1", "action": "deadline", "current": "5", "future": ""})
    assert r.status_code == 303 and full.turn_minutes == 0 and full.seconds_left() in (299, 300)


def test_no_role_sees_anothers_decisions_requests_or_secrets(client, full, monkeypatch):
    from model.wargame.roles import PATRON_ROLES, PLAYABLE
    secrets = plant_secrets(full)
    for role in PLAYABLE:
        full.send_message(role, "umpire", f"SECRET-{role}-MESSAGE")
        full.decide(role, 1, {"type": "freeform", "text": f"SECRET-{role}-PLAN"})
        secrets.setdefault(role, []).extend([f"SECRET-{role}-PLAN", f"SECRET-{role}-MESSAGE"])
    full.decide("armenia", 1, {"type": "purge", "intensity": "0.37"})
    secrets["armenia"].append("intensity 0.37")
    for role in PLAYABLE:
        token = full.tokens[role]
        text = "\n".join(r.text for r in (
            client.get(f"/play/{token}"), client.get(f"/play/{token}/status?v=0"),
            client.post(f"/play/{token}/decide", data={"turn": "1", "type": "purge", "intensity": "7"}),
            client.post(f"/play/{token}/cancel", data={"seq": "0"})))
        leaks = [s for other, values in secrets.items() if other != role for s in values if s in text]
        assert leaks == [], f"{role} sees {leaks[:5]}"
        assert [s for s in secrets[role] if s not in text] == [], role
    assert all(s in client.get(f"/umpire/{full.tokens[UMPIRE]}").text for v in secrets.values() for s in v)
    assert set(PATRON_ROLES) <= set(PLAYABLE)


def test_each_team_reads_its_own_debrief_once_the_game_is_over(client, full):
    t = full.tokens
    full.submit_orders("armenia", 1, {})
    full.decide("armenia", 1, {"type": "purge", "intensity": "0.2"})
    full.decide("azerbaijan", 1, {"type": "freeform", "text": "SECRET-AZE-BRIBE"})
    full.adjudicate(UMPIRE, full.requests[-1]["seq"], "decide", granted=False)
    full.override("azerbaijan", "treasury_musd", 1234.5)
    assert client.get(f"/play/{t['armenia']}/debrief").status_code == 404  # not before the end
    full.close_turn()
    r = client.post(f"/umpire/{t[UMPIRE]}/act", data={"turn": "2", "action": "end"})
    assert r.status_code == 303 and full.finished
    arm = client.get(f"/play/{t['armenia']}/debrief")
    assert arm.status_code == 200 and "purge" in arm.text and "documented history" in arm.text
    assert "SECRET-AZE-BRIBE" not in arm.text and "1234.5" not in arm.text and "azerbaijan: all hold" not in arm.text
    aze = client.get(f"/play/{t['azerbaijan']}/debrief").text
    assert "SECRET-AZE-BRIBE" in aze and "refused" in aze and "purge" not in aze
    assert client.get(f"/play/{t['armenia']}/debrief.png").content.startswith(b"\x89PNG")
    assert "SECRET-AZE-BRIBE" in client.get(f"/umpire/{t[UMPIRE]}/debrief").text
    r = client.post(f"/play/{t['armenia']}/decide", data={"turn": "2", "type": "purge", "intensity": "0.1"})
    assert "the game is over" in error_of(r)


def test_the_model_explorer_is_served_with_every_asset_from_this_server(tmp_path):
    pytest.importorskip("solara", reason="the explorer extra: pip install -e '.[explorer]'")
    with TestClient(make_app(tmp_path)) as c:  # the context runs Solara's lifespan
        r = c.get("/explorer/")
        assert r.status_code == 200 and "solara" in r.text.lower()
        assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', r.text)
        assert assets and all(a.startswith("/explorer/") for a in assets), assets  # nothing from elsewhere
        assert [a for a in assets if c.get(a).status_code != 200] == []
        assert c.get("/").status_code == 200  # the game pages beside it


def test_without_the_explorer_extra_the_server_says_how_to_install_it(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "solara.server.starlette", None)  # as if solara were not installed
    c = TestClient(make_app(tmp_path))
    r = c.get("/explorer/")
    assert r.status_code == 501 and "pip install -e &#39;.[explorer]&#39;" in error_of(r)
    assert c.get("/").status_code == 200
