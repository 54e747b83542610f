"""The after-action review: the game's war against the documented history and against the built-in
AI's war from the same seed, the decisions each side took, and what they cost.

The AI's war is the same model with the same seed and no players, run to the same day: until the
game's start both are the same run, so the difference between the lines is the players' doing
(and the chance that their different decisions set in motion).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..experiments.scoring import documented
from ..inputs.history import START, load_timeline
from ..inputs.scenario import load_scenario
from ..model import KarabakhWar
from ..outputs.outcomes import territory_series
from ..outputs.plots import SIDE_COLOURS, finish
from .game import Game

QUESTIONS = (
    "Where did the front end up, and how far is that from what happened in 1991-1994? Which of your decisions moved it?",
    "Compare the game's war with the built-in AI's war from the same seed: what did the players do differently?",
    "What did each government know about the others when it decided (the intelligence estimates), and what was it wrong about?",
    "How did regime stability, coups and coup-proofing constrain what each government could ask of its army?",
    "Which ceasefires were proposed, accepted or broken, and why then?",
)


def ai_run(game: Game) -> KarabakhWar:
    """The built-in AI's war from the game's seed, run to the game's day."""
    model = KarabakhWar(load_scenario(game.config.scenario), rng=game.config.seed)
    while model.running and model.day < game.model.day:
        model.step()
    return model


def report(game: Game, ai: KarabakhWar) -> dict:
    """What the debrief shows: turns, decisions, casualties, displacement, coups, ceasefires, questions."""
    m = game.model
    decisions = [{"turn": e["turn"], "role": e["role"], "orders": e["orders"]} for e in game.effective
                 if e["kind"] == "orders"]
    umpire = [{"turn": e["turn"], "kind": e["kind"], "what": e.get("event") or {k: e[k] for k in ("government", "field",
                                                                                                  "value") if k in e}}
              for e in game.effective if e["kind"] in ("inject", "override")]
    timeline = load_timeline()
    history = timeline[(timeline["date"] >= game.start) & (timeline["date"] <= m.date)]
    return {"turns": game.turns, "decisions": decisions, "umpire": umpire, "captures": m.captures,
            "outcomes": game.outcomes, "requests": [r for r in game.requests if r["status"] != "open"],
            "documented": [f"{r.date}: {r.event}" for r in history.itertuples()],
            "coups": m.coups, "ceasefires": m.ceasefires,
            "casualties": {"aze": round(m.casualties_aze), "arm": round(m.casualties_arm)},
            "displaced": {"aze": round(m.displaced_aze), "arm": round(m.displaced_arm)},
            "ai": {"arm_held_azssr_km2": round(ai.arm_held_azssr_km2), "casualties_aze": round(ai.casualties_aze),
                   "casualties_arm": round(ai.casualties_arm), "captures": len(ai.captures)},
            "arm_held_azssr_km2": round(m.arm_held_azssr_km2), "questions": QUESTIONS, "date": str(m.date),
            "start": str(game.start)}


def for_role(r: dict, role: str) -> dict:
    """What one team reads after the game: its own decisions and what became of them, against the
    documented history; the war's public record; not the others' orders nor the umpire's actions."""
    own = {k: [x for x in r[k] if x["role"] == role] for k in ("decisions", "outcomes", "requests")}
    return {**r, **own, "umpire": [], "role": role}


def plot_territory(game: Game, ai: KarabakhWar, path) -> None:
    """Territory over time: this game, the built-in AI from the same seed (``ai``), the documented range."""
    m = game.model
    days = pd.Timestamp(m.start) + pd.to_timedelta(np.arange(m.day + 1), unit="D")
    fig, ax = plt.subplots(figsize=(9, 4))
    offset = (m.start - START).days
    if offset >= 0:
        doc = documented(m.world, offset + m.day + 1)
        ax.fill_between(days, (doc.low @ m.area_azssr_km2)[offset:], (doc.high @ m.area_azssr_km2)[offset:],
                        step="post", color="#333333", alpha=0.25, label="documented (range)")
    ax.plot(days, territory_series(ai, every=1), color="#777777", ls="--", label="built-in AI, same seed")
    ax.plot(days, territory_series(m, every=1), color=SIDE_COLOURS["arm"], lw=2, label="this game")
    ax.axvline(pd.Timestamp(game.start), color="#555555", ls=":", lw=0.8)
    finish(fig, ax, path, f"Territory: the game (from {game.start}) vs the AI and the documented history")


def markdown(game: Game, r: dict) -> str:
    """The report as Markdown, for the class's records."""
    lines = [f"# After-action review: game {game.id} ({game.config.scenario}, seed {game.config.seed})", "",
             f"Played from {r['start']} to {r['date']}. Arm-held km² of the Azerbaijan SSR: {r['arm_held_azssr_km2']:,} "
             f"(built-in AI, same seed: {r['ai']['arm_held_azssr_km2']:,}).", "",
             f"Casualties: aze {r['casualties']['aze']:,}, arm {r['casualties']['arm']:,}. Displaced civilians: "
             f"Azerbaijani {r['displaced']['aze']:,}, Armenian {r['displaced']['arm']:,}.", "",
             "![territory](debrief.png)", "", "## Turns", "", "| turn | dates | closed | arm-held km² | change |",
             "|---|---|---|---|---|"]
    lines += [f"| {t['turn']} | {t['from']} to {t['to']} | {t['reason']} | {t['arm_held_azssr_km2']:,} | "
              f"{t['change_km2']:+,} |" for t in r["turns"]]
    lines += ["", "## Decisions", ""]
    lines += [f"- turn {d['turn']}, {d['role']}: " + ("; ".join(f"{k} {v[0]} {v[1]}" for k, v in d["orders"].items())
                                                      or "all hold") for d in r["decisions"]]
    lines += [f"- turn {o['turn']}, {o['role']}: {o['decision']['type']}: {o['result']}" for o in r["outcomes"]]
    lines += [f"- turn {q['turn']}, {q['role']} asked ({q['decision']['type']}): {q['status']}" for q in r["requests"]]
    lines += ["", "## What happened in the documented history over the same dates", ""]
    lines += [f"- {d}" for d in r["documented"]] or ["- no documented change of control"]
    lines += ["", "## Coups", ""] + [f"- {c['date']} {c['country']}: {c['kind']}, "
                                      f"{'succeeded' if c['success'] else 'failed'}" for c in r["coups"]]
    lines += ["", "## Ceasefires", ""] + [ceasefire_line(c) for c in r["ceasefires"]]
    lines += ["", "## Questions for discussion", ""] + [f"{i}. {q}" for i, q in enumerate(r["questions"], 1)]
    return "\n".join(lines) + "\n"


def ceasefire_text(c: dict) -> str:
    """One ceasefire: who mediated, the initiatives that renewed it, and who broke it (if anyone did);
    the Markdown debrief and the web page (the ``ceasefire`` filter) say it alike."""
    renewed = "".join(f", renewed {r['date']} ({r['mediator']})" for r in c["renewed"])
    end = f"broken {c['end']} by {c['broken_by']}" if c["end"] else "still in force"
    return f"from {c['start']} ({c['mediator']}){renewed}; {end}"


def ceasefire_line(c: dict) -> str:
    """:func:`ceasefire_text` as an item of the Markdown debrief."""
    return f"- {ceasefire_text(c)}"


def write(game: Game, ai: KarabakhWar | None = None) -> dict:
    """debrief.md and debrief.png in the game's folder (``ai``: the built-in AI's war to the game's
    day, run here if not given); returns the report."""
    ai = ai if ai is not None else ai_run(game)
    r = report(game, ai)
    plot_territory(game, ai, game.folder / "debrief.png")
    (game.folder / "debrief.md").write_text(markdown(game, r), encoding="utf-8")
    return r

