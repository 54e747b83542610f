"""Plots people look at instead of reading tables: control maps and time series."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

if "ipykernel" not in sys.modules:  # headless files by default; in Jupyter, keep the notebook's inline backend
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402

from ..inputs.history import (CEASEFIRE_DATE, START, captures_only, counted_displaced, documented_shares, front_sides,
                              load_targets, load_timeline)
from .time import MAP_DATES, day_index

if TYPE_CHECKING:
    from ..model import KarabakhWar

# Neutral two-colour scale: teal = held by aze side, ochre = held by arm side.
CONTROL_CMAP = LinearSegmentedColormap.from_list("control", ["#1b7f8c", "#f2f2f2", "#c8861a"])
SIDE_COLOURS = {"aze": "#1b7f8c", "arm": "#c8861a"}
CORRIDOR_STYLE = {"lachin_corridor": "#d62728", "omar_pass": "#9467bd", "tartar_kalbajar_road": "#8c564b",
                  "horadiz_junction": "#e377c2"}


def _draw_network(ax, model: KarabakhWar, share: np.ndarray) -> None:
    w = model.world
    pos = w.positions()
    for u, v, data in w.graph.edges(data=True):
        colour = CORRIDOR_STYLE.get(data.get("corridor", ""), "#999999")
        style = ":" if data.get("road_class") in ("none", "track") else "-"
        width = 2.2 if data.get("corridor") else 0.8
        ax.plot(*zip(pos[u], pos[v]), style, color=colour, lw=width, zorder=1)
    xy = np.array([pos[i] for i in range(w.n)])
    ax.scatter(xy[:, 0], xy[:, 1], c=share, cmap=CONTROL_CMAP, vmin=0, vmax=1, s=_marker_area(w),
               edgecolors="#333333", linewidths=0.6, zorder=2)
    ax.set_aspect(1 / np.cos(np.radians(xy[:, 1].mean())))
    _frame_theatre(ax, xy, w)
    ax.set_xticks([])
    ax.set_yticks([])


def _marker_area(world) -> np.ndarray:
    """Marker area (points²) of each district: grows with its area."""
    return 20 + np.nan_to_num(world.districts["area_km2"].to_numpy(float), nan=500.0) / 25


def short_name(name: str) -> str:
    """A district's name for a map: both forms (Khankendi/Stepanakert), without the parenthesis."""
    return re.sub(r"\s*\(.*?\)", "", name).strip()


LABEL_OFFSETS = tuple((r, a) for r in (3.0, 9.0, 16.0, 24.0, 34.0, 46.0)
                      for a in (90, 270, 0, 180, 45, 135, 315, 225, 60, 120, 240, 300, 30, 150, 210, 330))
"""Candidate label places around a district (distance in points beyond its marker, angle in degrees),
tried in this order: near first, above and below before the sides."""


def place_labels(ax, world, fontsize: float = 6.0) -> list:
    """Name every district inside the frame, each at the first candidate place where its text meets
    neither another label nor a district's marker and stays inside the panel (a thin leader line when
    it had to move away; the place with the fewest overlaps if none is free). Boxes are computed on the
    canvas from each text's measured size, so call this after the figure's layout is final."""
    fig = ax.figure
    ax.apply_aspect()
    renderer = fig.canvas.get_renderer()
    px_per_pt = fig.dpi / 72
    pos = world.positions()
    xy = np.array([pos[i] for i in range(world.n)])
    px = ax.transData.transform(xy)
    radius = np.sqrt(_marker_area(world)) / 2 * px_per_pt  # marker radius in pixels
    frame = ax.get_window_extent(renderer)
    inside = [i for i in range(world.n) if frame.contains(*px[i])]
    taken = np.array([[*(px[i] - radius[i]), *(px[i] + radius[i])] for i in inside]).reshape(-1, 4)  # x0 y0 x1 y1
    font = FontProperties(size=fontsize)
    texts = []
    for i in sorted(inside, key=lambda i: (-radius[i], i)):  # large districts first: they have the least room
        name = short_name(world.name(i))
        w, h, _ = renderer.get_text_width_height_descent(name, font, ismath=False)
        w, h = w + 2 * px_per_pt, h + 1 * px_per_pt  # a little air around the text
        best = None
        for r, angle in LABEL_OFFSETS:
            dx, dy = np.cos(np.radians(angle)), np.sin(np.radians(angle))
            ha = "left" if dx > 0.3 else "right" if dx < -0.3 else "center"
            va = "bottom" if dy > 0.3 else "top" if dy < -0.3 else "center"
            gap = r * px_per_pt + radius[i]
            x, y = px[i] + gap * np.array([dx, dy])
            x0 = {"left": x, "right": x - w, "center": x - w / 2}[ha]
            y0 = {"bottom": y, "top": y - h, "center": y - h / 2}[va]
            box = (x0, y0, x0 + w, y0 + h)
            hits = int(((taken[:, 0] < box[2]) & (box[0] < taken[:, 2]) & (taken[:, 1] < box[3])
                        & (box[1] < taken[:, 3])).sum()) + (0 if frame.contains(x0, y0) and
                                                            frame.contains(x0 + w, y0 + h) else 100)
            if best is None or hits < best[0]:
                best = (hits, box, (gap * dx / px_per_pt, gap * dy / px_per_pt), ha, va, r)
            if hits == 0:
                break
        _, box, offset, ha, va, r = best
        leader = {"arrowstyle": "-", "lw": 0.4, "color": "#777777", "shrinkA": 0, "shrinkB": radius[i] / px_per_pt}
        texts.append(ax.annotate(name, xy[i], xytext=offset, textcoords="offset points", fontsize=fontsize, ha=ha,
                                 va=va, zorder=3, arrowprops=leader if r > LABEL_OFFSETS[0][0] else None))
        taken = np.vstack([taken, box])
    return texts


THEATRE_MAX_LON = 48.3
"""Districts east of this (Baku) are drawn off-map with a note, so the front stays legible."""


def _frame_theatre(ax, xy: np.ndarray, world) -> None:
    """Zoom on the theatre; name districts that fall outside the frame at its edge."""
    inside = xy[:, 0] <= THEATRE_MAX_LON
    if inside.all() or not inside.any():
        return
    pad = 0.15
    ax.set_xlim(xy[inside, 0].min() - pad, THEATRE_MAX_LON + pad)
    ax.set_ylim(xy[:, 1].min() - pad, xy[:, 1].max() + pad)
    for i in np.flatnonzero(~inside):
        ax.annotate(f"{world.name(i).split('/')[0]} →", (THEATRE_MAX_LON + pad, xy[i, 1]), fontsize=7,
                    ha="right", va="center", color="#555555", annotation_clip=False)


def run_title(model: KarabakhWar, seed=None) -> str:
    """``scenario 'historical', seed 3``: what identifies a run in a figure's title (the seed given, else the
    one Mesa kept; none for a run seeded with a Generator)."""
    seed = getattr(model, "_seed", None) if seed is None else seed
    shown = f", seed {seed}" if isinstance(seed, (int, np.integer)) else ""
    return f"scenario '{model.war_scenario.name}'{shown}"


def control_map_figure(model: KarabakhWar, dates=None, seed=None):
    """Control of every district at a few dates (colour = share held by arm side), every panel labelled."""
    days = []
    for d in dates or MAP_DATES:
        i = day_index(model, dt.date.fromisoformat(d))
        if i is not None:
            days.append(i)
    days.append(model.day)
    days = sorted(set(days))
    cols = min(len(days), 3)
    rows = int(np.ceil(len(days) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(6.4 * cols, 5.4 * rows), squeeze=False)
    for ax in axes.flat[len(days):]:
        ax.set_visible(False)
    for ax, d in zip(axes.flat, days):
        _draw_network(ax, model, model.control_history[d])
        ax.set_title(str(model.start + dt.timedelta(days=d)), fontsize=10)
    sm = plt.cm.ScalarMappable(cmap=CONTROL_CMAP, norm=plt.Normalize(0, 1))
    cb = fig.colorbar(sm, ax=axes.ravel().tolist(), fraction=0.02, pad=0.01)
    cb.set_label("share held: 0 = aze side, 1 = arm side")
    handles = [Line2D([], [], color=c, lw=2.2, label=k.replace("_", " ")) for k, c in CORRIDOR_STYLE.items()]
    handles.append(Line2D([], [], color="#999999", ls=":", label="track / no usable road"))
    fig.legend(handles=handles, loc="upper center", fontsize=8, frameon=False, ncol=len(handles),
               bbox_to_anchor=(0.5, 0.0))
    fig.suptitle(f"Control of districts — {run_title(model, seed)}", fontsize=12)
    for ax in axes.flat[:len(days)]:  # after the colour bar took its room: labels are placed on the final layout
        place_labels(ax, model.world)
    return fig


def plot_control_map(model: KarabakhWar, path: Path, dates=None, seed=None) -> None:
    """Write :func:`control_map_figure` to ``path``."""
    fig = control_map_figure(model, dates, seed)
    fig.savefig(path, dpi=130, bbox_inches="tight")
    plt.close(fig)


def plot_view_map(model: KarabakhWar, path, marked: dict[int, str], title: str) -> None:
    """Today's control, with a label at the districts in ``marked`` ({district: text}), e.g. where a
    wargame role's own units stand: the map shows only what that role may know (``path``: file or buffer)."""
    fig, ax = plt.subplots(figsize=(7.5, 6.0))
    _draw_network(ax, model, model.arm_share)
    place_labels(ax, model.world)
    pos = model.world.positions()
    for node, text in marked.items():
        ax.annotate(text, pos[node], fontsize=7, ha="center", va="top", xytext=(0, -7), textcoords="offset points",
                    color="#000000", weight="bold", zorder=4)
    ax.set_title(title, fontsize=10)
    fig.savefig(path, dpi=100, bbox_inches="tight", format="png")
    plt.close(fig)


def plot_time_series(model: KarabakhWar, path: Path, seed=None) -> None:
    """Write :func:`time_series_figure` to ``path``."""
    fig = time_series_figure(model, seed)
    fig.savefig(path, dpi=130)
    plt.close(fig)


def documented_territory(model: KarabakhWar) -> tuple[np.ndarray, np.ndarray] | None:
    """The documented range of the Azerbaijan SSR area held by the arm side on each day of ``model``'s run
    (calibration/timeline.csv, held after its last change), or None where the record does not apply: a run
    that starts before the documented period or on a map without the timeline's districts."""
    timeline = load_timeline()
    offset = (model.start - START).days
    if offset < 0 or not set(timeline["district"]) <= set(model.world.index):
        return None
    low, high, _ = documented_shares(model.world, offset + model.day + 1, timeline)
    return low[offset:] @ model.area_azssr_km2, high[offset:] @ model.area_azssr_km2


def _documented_bars(ax, key: str, side: str, s: int, dates: np.ndarray, shift_days: int = 0, ls: str = "-") -> None:
    """A documented range (calibration/targets.toml ``key``_``side``) as an error bar on the ceasefire date, the
    two sides' bars side by side (``shift_days`` further along, for a second bar of a side), if the run reaches it."""
    target = load_targets()[f"{key}_{side}"]
    if dates[0] <= np.datetime64(CEASEFIRE_DATE) <= dates[-1]:
        beside = np.timedelta64(12 * (2 * s - 1) + shift_days, "D")
        bar = ax.errorbar([np.datetime64(CEASEFIRE_DATE) + beside], [(target["low"] + target["high"]) / 2],
                          yerr=[(target["high"] - target["low"]) / 2], color=SIDE_COLOURS[side], capsize=4, lw=2,
                          alpha=0.6)
        bar[2][0].set_linestyle(ls)


def time_series_figure(model: KarabakhWar, seed=None):
    """Territory held, casualties, displaced persons and personnel in service (and of them, where scored, in the
    units on the map) over time, by side, each beside the record: the documented territory
    (calibration/timeline.csv) and the documented totals by the ceasefire (calibration/targets.toml: casualties_*,
    displaced_*, forces_* and front_* as bars)."""
    n = model.day + 1
    dates = np.array([np.datetime64(model.start) + np.timedelta64(i, "D") for i in range(n)])
    arm_area = (model.control_history[:n] * model.area_azssr_km2).sum(axis=1)
    fig, axes = plt.subplots(4, 1, figsize=(9, 10), sharex=True)
    record = documented_territory(model)
    if record is not None:
        axes[0].fill_between(dates, record[0], record[1], step="post", color="#333333", alpha=0.2,
                             label="documented (range)")
        axes[0].plot(dates, (record[0] + record[1]) / 2, color="#333333", drawstyle="steps-post", lw=0.8)
    axes[0].plot(dates, arm_area, color=SIDE_COLOURS["arm"], label="this run")
    axes[0].legend(loc="upper left", fontsize=8)
    axes[0].set_ylabel("km² of Azerbaijan SSR\nheld by arm side")
    counted, partial = counted_displaced(model.displaced_history[:n], model.displaced_front_history[:n]), captures_only()
    for s, side in enumerate(("aze", "arm")):
        axes[1].plot(dates, model.casualty_history[:n, s], color=SIDE_COLOURS[side], label=side)
        axes[2].plot(dates, model.displaced_history[:n, s], color=SIDE_COLOURS[side], label=side)
        if partial[s]:  # its bar counts only those who fled districts as they changed hands
            axes[2].plot(dates, counted[:, s], ls=":", color=SIDE_COLOURS[side],
                         label=f"{side}: from districts that changed hands (as its bar)")
        axes[3].plot(dates, model.personnel_history[:n, s], color=SIDE_COLOURS[side], label=side)
        if s in front_sides():  # the men in its units, where a count of them is scored
            axes[3].plot(dates, model.front_history[:n, s], ls="--", color=SIDE_COLOURS[side],
                         label=f"{side}: in its units on the map (dashed bar)")
            # dashed, a fortnight before the side's total bar (12 days either side of the date): apart from both
            _documented_bars(axes[3], "front", side, s, dates, shift_days=-24, ls="--")
        for ax, key in zip(axes[1:], ("casualties", "displaced", "forces")):
            _documented_bars(ax, key, side, s, dates)
    axes[1].set_ylabel("military casualties\n(cumulative; bars: documented,\nwhole war)")
    axes[2].set_ylabel("civilians displaced\n(cumulative, by ethnicity;\nbars: documented)")
    axes[3].set_ylabel("personnel in service\n(bars: documented, spring 1994)")
    axes[1].legend(loc="upper left")
    axes[2].legend(loc="upper left", fontsize=8)
    axes[3].legend(loc="upper left", fontsize=8)
    for ax in axes:
        ax.axvline(np.datetime64(CEASEFIRE_DATE), color="#555555", ls="--", lw=0.8)
        ax.grid(alpha=0.3)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}"))
    axes[0].set_title(f"{run_title(model, seed).capitalize()} — dashed line: 1994-05-12 ceasefire date")
    fig.tight_layout()
    return fig


def finish(fig, ax, path: Path, title: str, ylabel: str = "km² of Azerbaijan SSR\nheld by the arm side") -> None:
    """Common finish of the territory-over-time figures: labels, legend, grid, save, close."""
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def finish_districts(fig, ax, names, path: Path, title: str) -> None:
    """Common finish of the per-district date plots (one row per district)."""
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(list(names), fontsize=7)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
