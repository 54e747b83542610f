"""karabakh-abm: agent-based simulation of the 1991-1994 Nagorno-Karabakh war (Mesa 3).

Start with :class:`model.model.KarabakhWar`; ``docs/ODD.md`` describes the model.
"""

from .model import KarabakhWar

__all__ = ["KarabakhWar"]
__version__ = "0.1.0"
