"""Plots people look at instead of reading tables: control maps and time series."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ..inputs.history import CEASEFIRE_DATE
from .time import MAP_DATES, day_index

if TYPE_CHECKING:
    from ..model import KarabakhWar

# Neutral two-colour scale: teal = held by aze side, ochre = held by arm side.
CONTROL_CMAP = LinearSegmentedColormap.from_list("control", ["#1b7f8c", "#f2f2f2", "#c8861a"])
SIDE_COLOURS = {"aze": "#1b7f8c", "arm": "#c8861a"}
CORRIDOR_STYLE = {"lachin_corridor": "#d62728", "omar_pass": "#9467bd", "tartar_kalbajar_road": "#8c564b",
                  "horadiz_junction": "#e377c2"}


def _draw_network(ax, model: KarabakhWar, share: np.ndarray, labels: bool) -> None:
    w = model.world
    pos = w.positions()
    for u, v, data in w.graph.edges(data=True):
        colour = CORRIDOR_STYLE.get(data.get("corridor", ""), "#999999")
        style = ":" if data.get("road_class") in ("none", "track") else "-"
        width = 2.2 if data.get("corridor") else 0.8
        ax.plot(*zip(pos[u], pos[v]), style, color=colour, lw=width, zorder=1)
    xy = np.array([pos[i] for i in range(w.n)])
    area = np.nan_to_num(w.districts["area_km2"].to_numpy(float), nan=500.0)
    ax.scatter(xy[:, 0], xy[:, 1], c=share, cmap=CONTROL_CMAP, vmin=0, vmax=1, s=20 + area / 25,
               edgecolors="#333333", linewidths=0.6, zorder=2)
    if labels:
        for i in range(w.n):
            name = w.name(i).split("/")[0]
            ax.annotate(name, xy[i], fontsize=5.5, ha="center", va="bottom", xytext=(0, 5),
                        textcoords="offset points", zorder=3)
    ax.set_aspect(1 / np.cos(np.radians(xy[:, 1].mean())))
    _frame_theatre(ax, xy, w)
    ax.set_xticks([])
    ax.set_yticks([])


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


def plot_control_map(model: KarabakhWar, path: Path, dates=None) -> None:
    """Control of every district at a few dates (colour = share held by arm side)."""
    days = []
    for d in dates or MAP_DATES:
        i = day_index(model, dt.date.fromisoformat(d))
        if i is not None:
            days.append(i)
    days.append(model.day)
    days = sorted(set(days))
    cols = min(len(days), 3)
    rows = int(np.ceil(len(days) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(5.6 * cols, 4.8 * rows), squeeze=False)
    for ax in axes.flat[len(days):]:
        ax.set_visible(False)
    for ax, d in zip(axes.flat, days):
        _draw_network(ax, model, model.control_history[d], labels=(d == days[0]))
        ax.set_title(str(model.start + dt.timedelta(days=d)), fontsize=10)
    sm = plt.cm.ScalarMappable(cmap=CONTROL_CMAP, norm=plt.Normalize(0, 1))
    cb = fig.colorbar(sm, ax=axes.ravel().tolist(), fraction=0.02, pad=0.01)
    cb.set_label("share held: 0 = aze side, 1 = arm side")
    handles = [Line2D([], [], color=c, lw=2.2, label=k.replace("_", " ")) for k, c in CORRIDOR_STYLE.items()]
    handles.append(Line2D([], [], color="#999999", ls=":", label="track / no usable road"))
    fig.legend(handles=handles, loc="lower right", fontsize=8, frameon=False, ncol=1,
               bbox_to_anchor=(0.86, 0.08) if len(days) % 3 else (0.99, 0.0))
    fig.suptitle(f"Control of districts — scenario '{model.war_scenario.name}'", fontsize=12)
    fig.savefig(path, dpi=130, bbox_inches="tight")
    plt.close(fig)


def plot_view_map(model: KarabakhWar, path, marked: dict[int, str], title: str) -> None:
    """Today's control, with a label at the districts in ``marked`` ({district: text}), e.g. where a
    wargame role's own units stand: the map shows only what that role may know (``path``: file or buffer)."""
    fig, ax = plt.subplots(figsize=(7.5, 6.0))
    _draw_network(ax, model, model.arm_share, labels=True)
    pos = model.world.positions()
    for node, text in marked.items():
        ax.annotate(text, pos[node], fontsize=7, ha="center", va="top", xytext=(0, -7), textcoords="offset points",
                    color="#000000", weight="bold", zorder=4)
    ax.set_title(title, fontsize=10)
    fig.savefig(path, dpi=100, bbox_inches="tight", format="png")
    plt.close(fig)


def plot_time_series(model: KarabakhWar, path: Path) -> None:
    """Territory held, casualties and displaced persons over time, by side."""
    n = model.day + 1
    dates = np.array([np.datetime64(model.start) + np.timedelta64(i, "D") for i in range(n)])
    arm_area = (model.control_history[:n] * model.area_azssr_km2).sum(axis=1)
    fig, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    axes[0].plot(dates, arm_area, color=SIDE_COLOURS["arm"])
    axes[0].set_ylabel("km² of Azerbaijan SSR\nheld by arm side")
    for s, side in enumerate(("aze", "arm")):
        axes[1].plot(dates, model.casualty_history[:n, s], color=SIDE_COLOURS[side], label=side)
        axes[2].plot(dates, model.displaced_history[:n, s], color=SIDE_COLOURS[side], label=side)
    axes[1].set_ylabel("military casualties\n(cumulative)")
    axes[2].set_ylabel("civilians displaced\n(cumulative, by ethnicity)")
    axes[1].legend(loc="upper left")
    for ax in axes:
        ax.axvline(np.datetime64(CEASEFIRE_DATE), color="#555555", ls="--", lw=0.8)
        ax.grid(alpha=0.3)
    axes[0].set_title(f"Scenario '{model.war_scenario.name}' — dashed line: 1994-05-12 ceasefire date")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)




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
