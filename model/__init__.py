"""karabakh-abm: agent-based simulation of the 1991-1994 Nagorno-Karabakh war (Mesa 3).

Start with :class:`model.model.KarabakhWar` and :func:`model.outputs.outcomes.outcomes` (the
headline outcomes of a run under one name each); ``docs/ODD.md`` describes the model.
"""

from .model import KarabakhWar
from .outputs.outcomes import outcomes

__all__ = ["KarabakhWar", "outcomes"]
__version__ = "0.1.0"
