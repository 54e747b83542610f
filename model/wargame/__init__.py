"""The classroom wargame: students play governments turn by turn against each other and the built-in AI.

The engine (config, roles, log, fog, game, store) is plain Python and knows nothing of the web; the
web server (:mod:`model.wargame.web`) renders each role's view on the server, so hidden information
never reaches another role's browser. A game is its configuration plus an append-only log: replaying
the log on a model built with the same seed gives the identical game (save, load, restart, rewind).
"""
