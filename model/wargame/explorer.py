"""The single-user model explorer: Mesa's SolaraViz (map of control, territory and casualty plots,
parameter sliders), mounted by the wargame's server at ``/explorer/`` (:func:`model.wargame.web.make_app`).

Solara gives every browser page its own virtual kernel; the model is created inside the page's
component (``solara.use_memo``), so each browser session explores its own model (a model made at
module level would be shared by everyone: ../shared/wargame-notes.md). Needs the ``explorer`` extra
(solara, solara-assets and ipyvuetify pinned together so that every asset ships offline); the server
runs without it and says how to install it.
"""

from __future__ import annotations

import io

import solara
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from ..inputs.locations import SCENARIO_DIR
from ..inputs.params import load_parameters
from ..model import KarabakhWar
from ..outputs.plots import plot_view_map

SLIDERS = ("offensive_commitment", "attack_ratio_threshold", "attrition_rate", "coup_base_rate",
           "ceasefire_pressure_weight", "counterweight_share")
"""Parameters offered as sliders, over the plausible range parameters.toml gives them (low..high)."""
STEPS = 50
"""Slider positions between low and high (fine enough to see a trend, coarse enough to click)."""


def model_params() -> dict:
    """SolaraViz's inputs: the scenario, the seed and the sliders (default: each parameter's value)."""
    params = load_parameters()
    out = {"scenario": {"type": "Select", "value": "historical", "label": "scenario",
                        "values": sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))},
           "rng": {"type": "InputText", "value": "0", "label": "seed"}}
    for name in SLIDERS:
        p = params[name]
        lo, hi = (p.low, p.high) if p.low is not None and p.high is not None else (p.min, p.max)
        out[name] = {"type": "SliderFloat", "value": p.value, "label": name, "min": lo, "max": hi,
                     "step": (hi - lo) / STEPS}
    return out


@solara.component
def ControlMap(model: KarabakhWar):
    """Today's control and the men of every government by district (the explorer knows everything)."""
    update_counter.get()  # redrawn whenever SolaraViz steps the model
    f = model.forces
    men = {}
    for v, p in zip(f.node[f.active], f.personnel[f.active]):
        men[int(v)] = men.get(int(v), 0) + float(p)
    buf = io.BytesIO()
    plot_view_map(model, buf, {v: f"{round(p):,}" for v, p in men.items()},
                  f"{model.date}: control (teal aze, ochre arm), men by district")
    return solara.Image(buf.getvalue())


@solara.component
def Page():
    """One explorer per browser page: its own model, stepped only by its own user."""
    model = solara.use_memo(lambda: KarabakhWar("historical", rng=0), dependencies=[])
    return SolaraViz(model, components=[ControlMap, make_plot_component("arm_held_azssr_km2_end"),
                                        make_plot_component({"casualties_aze": "#1b9e9e",
                                                             "casualties_arm": "#d08c00"})],
                     model_params=model_params(), name="Karabakh war: model explorer", play_interval=200)
