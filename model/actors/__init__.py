"""Actors: the Mesa agents, the governments' strategies, regime politics and coup-proofing,
diplomacy and ceasefires. They act on the model passed to them, never import it at run time."""
