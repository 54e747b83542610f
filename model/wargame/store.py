"""Games on disk: one folder per game under the games folder, found again after a restart.

A game's folder holds ``state.json`` (configuration, tokens, deadlines; written atomically) and
``log.jsonl`` (every action); loading builds the model from the seed and replays the log.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError
from .config import GameConfig, read_config
from .game import Game
from .roles import new_tokens


def create_game(games: Path, config: GameConfig | dict, **kw) -> Game:
    """A new game in a new folder of ``games``, its first turn's clock started."""
    config = config if isinstance(config, GameConfig) else read_config(config)
    game_id = secrets.token_hex(4)
    folder = Path(games) / game_id
    folder.mkdir(parents=True)
    try:
        game = Game(folder, game_id, config, new_tokens(), **kw)
    except Exception:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
        raise
    game.start_clock()
    return game


def load_game(folder: Path, clock: Callable[[], float] | None = None) -> Game:
    """A game from its folder: the model rebuilt by replaying the log; deadlines as saved."""
    path = Path(folder) / "state.json"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(str(path), "file", f"not a readable game state ({exc})") from None
    game = Game(Path(folder), state["id"], read_config(state["config"]), state["tokens"],
                **({"clock": clock} if clock else {}))
    game.deadline, game.remaining = state.get("deadline"), state.get("remaining")
    return game


def load_games(games: Path, **kw) -> dict[str, Game]:
    """Every game under ``games`` (sorted by folder name), by id."""
    out = {}
    for state in sorted(Path(games).glob("*/state.json")):
        game = load_game(state.parent, **kw)
        out[game.id] = game
    return out
