"""The wargame's web server: Starlette pages rendered on the server, refreshed by htmx polling.

The instructor's page (``/``) creates a game and leads to the umpire's page, which shows a join
link per role. A link's token is the only credential: it gives one role, and every page of a role
is built from that role's view (:mod:`model.wargame.views`). Bad input of any kind (a wrong token, a
forged unit, a stale form, oversized text) gets one clear message on the page and changes nothing.
All assets ship with the package; the Content-Security-Policy forbids loading anything from elsewhere.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import InputError
from ..inputs.locations import SCENARIO_DIR
from ..outputs.numbers import readable
from ..outputs.plots import plot_view_map
from . import debrief
from .game import Game
from .roles import GOVERNMENT_ROLES, PATRON_ROLES, PLAYABLE, UMPIRE
from .store import create_game, load_games
from .views import umpire_view, version, view

MAX_BODY = 64_000
"""Bytes in one form (orders for every unit fit many times over; a message is at most 2,000 characters)."""
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'",
    "Referrer-Policy": "no-referrer",  # the token is in the address: never send it elsewhere
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}
ENV = Environment(loader=PackageLoader("model.wargame", "templates"), autoescape=select_autoescape(["html"]))
ENV.filters["ceasefire"] = debrief.ceasefire_text
ENV.filters["readable"] = readable  # 12,345 men, not 12345
STATIC = Path(__file__).parent / "static"


def page(name: str, status: int = 200, **context) -> HTMLResponse:
    """A template rendered with the security headers."""
    return HTMLResponse(ENV.get_template(name).render(**context), status_code=status, headers=HEADERS)


def problem(message: str, status: int = 400) -> HTMLResponse:
    """A page that says what was wrong, in one line."""
    return page("problem.html", status=status, message=message)


def with_token(umpire: bool):
    """A handler that needs a token: a role's (``umpire=False``) or the umpire's. A missing or wrong
    token gets one line and a 403; otherwise the game's deadline is checked and the handler gets
    ``(request, game, role)``."""

    def wrap(handler):
        async def route(self, request: Request) -> Response:
            game, role = self.find(request.path_params["token"])
            if game is None or (role == UMPIRE) != umpire:
                return problem("this link is not valid: ask the instructor for your role's link", 403)
            game.tick()
            return await handler(self, request, game, role)

        route.__doc__ = handler.__doc__
        return route

    return wrap


class Server:
    """The games of one folder, found by token; the handlers of every route."""

    def __init__(self, games: Path, scenario: str = "historical", clock: Callable[[], float] = time.time):
        self.folder = Path(games)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.scenario = scenario
        self.clock = clock
        self.games: dict[str, Game] = load_games(self.folder, clock=clock)
        # One map per (game, role) and one debrief per game: the latest only, since a page asks for
        # the map of the current version and day and never again for an older one.
        self._maps: dict[tuple[str, str], tuple[tuple, bytes]] = {}
        self._ai: dict[str, tuple[int, object]] = {}  # game -> (day, the built-in AI's war to that day)
        self._debriefs: dict[str, tuple[int, dict]] = {}  # game -> (log length, report)

    def find(self, token: str) -> tuple[Game, str] | tuple[None, None]:
        """The game and role a token opens (or nothing)."""
        for game in self.games.values():
            role = game.role_of(token)
            if role is not None:
                return game, role
        return None, None

    async def form(self, request: Request) -> dict | None:
        """The posted form as {name: value or [values]}; None if it is too large."""
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            return None
        body = await request.body()
        if len(body) > MAX_BODY:
            return None
        form = await request.form()
        return {k: (form.getlist(k) if len(form.getlist(k)) > 1 else form[k]) for k in form.keys()}

    # ------------------------------------------------------------------ pages
    async def index(self, request: Request) -> Response:
        scenarios = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
        return page("index.html", scenarios=scenarios, default=self.scenario, roles=PLAYABLE,
                    governments=GOVERNMENT_ROLES)

    async def create(self, request: Request) -> Response:
        form = await self.form(request)
        if form is None:
            return problem("the form is too large", 413)
        human = form.pop("human", [])
        values = {k: v for k, v in form.items() if v != ""}
        values["human"] = [human] if isinstance(human, str) else human
        try:
            game = create_game(self.folder, values, clock=self.clock)
        except InputError as exc:
            return problem(str(exc))
        self.games[game.id] = game
        return RedirectResponse(f"/umpire/{game.tokens[UMPIRE]}", status_code=303)

    @with_token(umpire=False)
    async def play(self, request: Request, game: Game, role: str) -> Response:
        return self._role_page(game, role, note=request.query_params.get("note", "")[:200])

    def _role_page(self, game: Game, role: str, error: str = "", note: str = "") -> HTMLResponse:
        return page("patron.html" if role in PATRON_ROLES else "role.html", status=400 if error else 200,
                    v=view(game, role), token=game.tokens[role], error=error, note=note)

    @with_token(umpire=False)
    async def play_status(self, request: Request, game: Game, role: str) -> Response:
        return self._status(request, game, "role_status.html", view(game, role), token=game.tokens[role])

    def _status(self, request: Request, game: Game, template: str, v: dict, token: str = "") -> Response:
        response = page(template, v=v, token=token)
        if request.query_params.get("v") != str(version(game)):
            response.headers["HX-Refresh"] = "true"  # a turn closed or the umpire rewound: rebuild the page
        return response

    @with_token(umpire=False)
    async def play_map(self, request: Request, game: Game, role: str) -> Response:
        return self._map(game, role)

    def _map(self, game: Game, role: str) -> Response:
        m = game.model
        key = (version(game), m.day)
        cached_key, png = self._maps.get((game.id, role), (None, None))
        if cached_key != key:
            f = m.forces
            govs = GOVERNMENT_ROLES if role == UMPIRE else (role,) if role in GOVERNMENT_ROLES else ()
            mask = f.active & np.isin(f.government, [m.government(r).index for r in govs])
            men = np.bincount(f.node[mask], np.round(f.personnel[mask]), minlength=m.world.n)
            marked = {int(v): int(men[v]) for v in np.flatnonzero(np.bincount(f.node[mask], minlength=m.world.n))}
            buf = io.BytesIO()
            who = "all forces" if role == UMPIRE else f"your forces ({m.government(role).name})" \
                if role in GOVERNMENT_ROLES else "nobody (you command no units)"
            plot_view_map(m, buf, {n: f"{p:,}" for n, p in marked.items()},
                          f"{m.date}: control (teal aze, ochre arm) and men of {who}")
            png = buf.getvalue()
            self._maps[game.id, role] = (key, png)
        return Response(png, media_type="image/png", headers=HEADERS)

    @with_token(umpire=False)
    async def orders(self, request: Request, game: Game, role: str) -> Response:
        form = await self.form(request)
        if form is None:
            return self._role_page(game, role, error="the form is too large; nothing was changed")
        orders = {}
        for name, value in form.items():
            if name.startswith("u:") and isinstance(value, str):
                verb, _, district = value.partition(" ")
                orders[name[2:]] = (verb, district)
        try:
            game.submit_orders(role, _int(form.get("turn")), orders)
        except InputError as exc:
            return self._role_page(game, role, error=f"{exc}; nothing was changed")
        return RedirectResponse(f"/play/{game.tokens[role]}?note=orders+received", status_code=303)

    async def _act(self, request: Request, game: Game, role: str, act: Callable[[dict], object], done: str) -> Response:
        """Run one player action from the posted form; a problem is one line on the page, nothing changed."""
        form = await self.form(request)
        try:
            if form is None:
                raise InputError("form", "size", "the form is too large")
            act(form)
        except InputError as exc:
            return self._role_page(game, role, error=f"{exc}; nothing was changed")
        return RedirectResponse(f"/play/{game.tokens[role]}?note={done.replace(' ', '+')}", status_code=303)

    @with_token(umpire=False)
    async def player_act(self, request: Request, game: Game, role: str) -> Response:
        """A player's action other than unit orders and messages (:data:`PLAYER_ACTIONS`)."""
        action = PLAYER_ACTIONS.get(request.path_params["action"])
        if action is None:
            return problem("no such page", 404)
        act, done = action
        return await self._act(request, game, role, lambda form: act(game, role, form), done)

    @with_token(umpire=False)
    async def message(self, request: Request, game: Game, role: str) -> Response:
        form = await self.form(request)
        if form is None:
            return self._role_page(game, role, error="the message is too large; nothing was sent")
        try:
            game.send_message(role, str(form.get("to", "")), str(form.get("text", "")))
        except InputError as exc:
            return self._role_page(game, role, error=f"{exc}; nothing was sent")
        return RedirectResponse(f"/play/{game.tokens[role]}?note=message+sent", status_code=303)

    # ----------------------------------------------------------------- umpire
    @with_token(umpire=True)
    async def umpire(self, request: Request, game: Game, role: str) -> Response:
        return self._umpire_page(request, game, note=request.query_params.get("note", "")[:200])

    def _umpire_page(self, request: Request, game: Game, error: str = "", note: str = "") -> HTMLResponse:
        base = str(request.base_url).rstrip("/")
        return page("umpire.html", status=400 if error else 200, v=umpire_view(game), base=base,
                    token=game.tokens[UMPIRE], error=error, note=note)

    @with_token(umpire=True)
    async def umpire_status(self, request: Request, game: Game, role: str) -> Response:
        return self._status(request, game, "umpire_status.html", umpire_view(game))

    @with_token(umpire=True)
    async def umpire_map(self, request: Request, game: Game, role: str) -> Response:
        return self._map(game, UMPIRE)

    @with_token(umpire=True)
    async def debrief_page(self, request: Request, game: Game, role: str) -> Response:
        return page("debrief.html", r=self._debrief(game), game=game, back=f"/umpire/{game.tokens[UMPIRE]}")

    @with_token(umpire=False)
    async def team_debrief(self, request: Request, game: Game, role: str) -> Response:
        """A team's after-action review: its own decisions against the documented history, once the game is over."""
        if not game.finished:
            return problem("the debrief opens when the umpire ends the game", 404)
        return page("debrief.html", r=debrief.for_role(self._debrief(game), role), game=game,
                    back=f"/play/{game.tokens[role]}")

    @with_token(umpire=False)
    async def team_debrief_png(self, request: Request, game: Game, role: str) -> Response:
        if not game.finished:
            return problem("the debrief opens when the umpire ends the game", 404)
        return self._debrief_png(game)

    def _debrief(self, game: Game) -> dict:
        """The debrief, its files rewritten only when the log grew; the built-in AI's war (a re-run
        from day 0) only when the game's day changed."""
        entries = len(game.log.entries)
        done, report = self._debriefs.get(game.id, (None, None))
        if done == entries and (game.folder / "debrief.png").exists():
            return report
        day, ai = self._ai.get(game.id, (None, None))
        if day != game.model.day:
            ai = debrief.ai_run(game)
            self._ai[game.id] = (game.model.day, ai)
        report = debrief.write(game, ai)
        self._debriefs[game.id] = (entries, report)
        return report

    @with_token(umpire=True)
    async def debrief_png(self, request: Request, game: Game, role: str) -> Response:
        return self._debrief_png(game)

    def _debrief_png(self, game: Game) -> Response:
        path = game.folder / "debrief.png"
        if not path.exists():
            return problem("open the debrief page first", 404)
        return Response(path.read_bytes(), media_type="image/png", headers=HEADERS)

    @with_token(umpire=True)
    async def act(self, request: Request, game: Game, role: str) -> Response:
        form = await self.form(request)
        if form is None:
            return self._umpire_page(request, game, error="the form is too large; nothing was changed")
        action = str(form.get("action", ""))
        try:
            if action != "resume":
                game.check_turn(form.get("turn"))
            if action == "pause":
                game.pause()
            elif action == "resume":
                game.resume()
            elif action == "close":
                game.close_turn()
            elif action == "end":
                game.end()
            elif action == "rewind":
                game.rewind(_int(form.get("to_turn")))
            elif action == "inject":
                try:
                    game.inject(_json(form.get("event", "")))
                except ValueError as exc:  # the event failed while applied (the game was rebuilt)
                    raise InputError("inject", "event", str(exc)[:200]) from None
            elif action == "override":
                game.override(str(form.get("government", "")), str(form.get("field", "")),
                              _float(form.get("value")))
            elif action == "message":
                game.send_message(UMPIRE, str(form.get("to", "")), str(form.get("text", "")))
            elif action == "adjudicate":
                mode = str(form.get("mode", ""))
                game.adjudicate(UMPIRE, _int(form.get("seq")), mode,
                                granted=_outcome(form),
                                probability=_float(form.get("probability")) if mode == "probability" else None)
            elif action == "deadline":
                game.set_deadline(*(None if form.get(k, "") == "" else _float(form.get(k))
                                    for k in ("current", "future")))
            else:
                raise InputError("umpire", "action", f"unknown action {action[:40]!r}")
        except InputError as exc:
            return self._umpire_page(request, game, error=f"{exc}; nothing was changed")
        return RedirectResponse(f"/umpire/{game.tokens[UMPIRE]}?note={action}+done", status_code=303)


PLAYER_ACTIONS = {
    "decide": (lambda game, role, form: game.decide(role, _int(form.get("turn")), decision_values(form)),
               "order queued"),
    "cancel": (lambda game, role, form: game.cancel(role, _int(form.get("seq"))), "order taken back"),
    "answer": (lambda game, role, form: game.adjudicate(role, _int(form.get("seq")), "decide",
                                                        granted=_outcome(form)), "answer given"),
    "ready": (lambda game, role, form: game.ready(role, _int(form.get("turn"))), "turn finished"),
}
"""Posted by a player's page to /play/<token>/<action>: what it does and the note shown after it."""


def _outcome(form: dict) -> bool | None:
    """A grant or refuse button (None: neither)."""
    return {"grant": True, "refuse": False}.get(form.get("outcome"))


def decision_values(form: dict) -> dict:
    """A decision from its form: fields as given (empty ones left out), ``w:<unit>`` recruit weights and
    ``i:<item>`` coup-proofing practices gathered into their tables."""
    values = {k: v for k, v in form.items() if k != "turn" and v != "" and ":" not in k}
    for prefix, name in (("w:", "weights"), ("i:", "items")):
        table = {k[2:]: v for k, v in form.items() if k.startswith(prefix) and v != ""}
        if table:
            values[name] = table
    return values


def _int(value) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InputError("form", "number", f"expected a whole number, got {str(value)[:20]!r}") from None


def _float(value) -> float:
    try:
        number = float(str(value))
    except ValueError:
        number = float("nan")
    if number != number:
        raise InputError("form", "value", f"expected a number, got {str(value)[:20]!r}")
    return number


def _json(text) -> dict:
    try:
        return json.loads(str(text))
    except ValueError as exc:
        raise InputError("inject", "event", f"not valid JSON ({exc.args[0][:80]})") from None


EXPLORER_APP = "model.wargame.explorer"
"""The Solara app of the model explorer (:mod:`model.wargame.explorer`)."""
EXPLORER_MISSING = ("the model explorer is not installed: pip install -e '.[explorer]' (solara, solara-assets and "
                    "ipyvuetify, pinned) and restart karabakh wargame")


def explorer() -> tuple[list, object]:
    """Solara's routes and lifespan, serving the explorer at ``/explorer/``; without the ``explorer``
    extra, one page that says how to install it (and no lifespan)."""
    os.environ.setdefault("SOLARA_APP", EXPLORER_APP)
    try:
        import solara.server.starlette as solara_server  # heavy optional dependency (the explorer extra)
        import altair  # noqa: F401  (Mesa's SolaraViz needs it; also in the extra)
    except ImportError:
        missing = lambda request: problem(EXPLORER_MISSING, 501)  # noqa: E731
        return [Route("/explorer/", missing), Route("/explorer/{path:path}", missing)], None
    return [Mount("/explorer/", routes=solara_server.routes)], solara_server.lifespan


def make_app(games: Path, scenario: str = "historical", clock: Callable[[], float] = time.time) -> Starlette:
    """The web application over the games in ``games`` (existing games are loaded: a restart loses nothing),
    with the single-user model explorer at ``/explorer/``."""
    s = Server(games, scenario, clock)
    explorer_routes, lifespan = explorer()
    app = Starlette(lifespan=lifespan, routes=[
        Route("/", s.index),
        Route("/games", s.create, methods=["POST"]),
        Route("/play/{token}", s.play),
        Route("/play/{token}/status", s.play_status),
        Route("/play/{token}/map.png", s.play_map),
        Route("/play/{token}/orders", s.orders, methods=["POST"]),
        Route("/play/{token}/message", s.message, methods=["POST"]),
        Route("/play/{token}/{action}", s.player_act, methods=["POST"]),
        Route("/play/{token}/debrief", s.team_debrief),
        Route("/play/{token}/debrief.png", s.team_debrief_png),
        Route("/umpire/{token}", s.umpire),
        Route("/umpire/{token}/status", s.umpire_status),
        Route("/umpire/{token}/map.png", s.umpire_map),
        Route("/umpire/{token}/act", s.act, methods=["POST"]),
        Route("/umpire/{token}/debrief", s.debrief_page),
        Route("/umpire/{token}/debrief.png", s.debrief_png),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        *explorer_routes,
    ])
    app.state.server = s
    return app
