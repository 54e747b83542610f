"""What a user looks at reads as meant: numbers without scientific notation or float noise, map labels
that do not collide on any panel, titles that say which run a figure shows, help text as printed."""

from __future__ import annotations

import datetime as dt
import os
import shlex
from types import SimpleNamespace

import pytest
from matplotlib.text import Text

from model.cli import build_parser, command_line
from model.model import KarabakhWar
from model.outputs.numbers import interval, p_value, readable
from model.outputs.plots import control_map_figure, documented_territory, plt, time_series_figure


@pytest.mark.parametrize("value, shown", [(11100.0, "11,100"), (-9.422e-10, "0"), (1.23e-5, "0.0000123"),
                                          (0.00012, "0.00012"), (2.5, "2.5"), (99.4, "99.4"), (None, "–")])
def test_numbers_never_print_in_scientific_notation_or_as_float_noise(value, shown):
    assert readable(value) == shown


def test_intervals_and_p_values_read_as_people_write_them():
    assert interval(-9.422e-10, -2.827e-09, 0.0) == "+0 [+0, +0]"
    assert interval(11095.3, 8000.2, 14210.0) == "+11,095 [+8,000, +14,210]"
    # noise relative to the interval's width: a slope through equal runs of 5,000 km² reads 0 ...
    assert interval(3e-6, -5000.0, 5000.0) == "+0 [-5,000, +5,000]"
    # ... but the same value in an interval of its own size is not noise
    assert interval(3e-6, 1e-6, 5e-6) == "+0.000003 [+0.000001, +0.000005]"
    assert (p_value(3e-7), p_value(0.0432), p_value(float("nan"))) == ("<0.001", "0.043", "–")


def test_help_texts_print_percent_signs_once():
    parser = build_parser()
    for name, sub in parser._subparsers._group_actions[0].choices.items():
        assert "%%" not in sub.format_help(), name


@pytest.fixture(scope="module")
def short_run():
    return KarabakhWar(rng=3, until="1993-01-05").run()


def test_every_panel_of_the_control_map_names_its_districts_without_collisions(short_run):
    fig = control_map_figure(short_run)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()[:2] == "19"]
    assert len(panels) == 3  # 1992-05-01, 1993-01-01 and the last day
    for ax in panels:
        texts = [t for t in ax.texts if not t.get_text().endswith("→")]
        names = {t.get_text() for t in texts}
        assert {"Khankendi/Stepanakert", "Shusha/Shushi", "Lachin/Berdzor", "Aghdam"} <= names, ax.get_title()
        boxes = [Text.get_window_extent(t, renderer) for t in texts]  # the text alone, not its leader line
        clashes = [(texts[i].get_text(), texts[j].get_text()) for i in range(len(boxes))
                   for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
        assert not clashes, f"{ax.get_title()}: labels overlap: {clashes}"
        frame = ax.get_window_extent(renderer)
        outside = [t.get_text() for t, b in zip(texts, boxes)
                   if not (frame.contains(b.x0, b.y0) and frame.contains(b.x1, b.y1))]
        assert not outside, f"{ax.get_title()}: labels leave the panel: {outside}"
    assert "scenario 'historical', seed 3" in fig._suptitle.get_text()
    plt.close(fig)


def test_figures_say_which_run_they_show(short_run):
    fig = time_series_figure(short_run, seed=17)
    assert "seed 17" in fig.axes[0].get_title() and "historical" in fig.axes[0].get_title()
    plt.close(fig)


def test_a_runs_territory_panel_shows_the_documented_record_beside_it(short_run):
    """The documented band follows calibration/timeline.csv on the run's calendar: the record of 1 December 1991
    until the first dated change (Khojaly, February 1992), the Lachin corridor added after May 1992; and the
    panels carry the documented totals the score card uses."""
    low, high = documented_territory(short_run)
    assert low.shape == high.shape == (short_run.day + 1,) and (low <= high).all()
    start = (short_run.world.arm_share_start_low @ short_run.area_azssr_km2)
    assert low[0] == pytest.approx(start)
    lachin = short_run.world.azssr_area[short_run.world.index["lachin"]]
    mid = (low + high) / 2
    assert mid[(dt.date(1992, 6, 1) - short_run.start).days] - mid[0] > lachin  # Shusha and Lachin by then
    fig = time_series_figure(short_run, seed=17)
    band = [c for c in fig.axes[0].collections if c.get_label() == "documented (range)"]
    assert len(band) == 1
    assert "documented" in fig.axes[1].get_ylabel() and "documented" in fig.axes[2].get_ylabel()
    plt.close(fig)


def test_a_run_starting_before_the_record_has_no_documented_band(short_run):
    early = SimpleNamespace(start=dt.date(1991, 11, 1), world=short_run.world, day=3,
                            area_azssr_km2=short_run.area_azssr_km2)
    assert documented_territory(early) is None
    late = SimpleNamespace(start=dt.date(1993, 1, 1), world=short_run.world, day=3,
                           area_azssr_km2=short_run.area_azssr_km2)
    low, _ = documented_territory(late)  # a scenario starting later reads the record from its own first day
    assert low[0] == pytest.approx(documented_territory(short_run)[0][(dt.date(1993, 1, 1) - short_run.start).days])


@pytest.mark.skipif(os.name == "nt", reason="POSIX shell quoting; Windows records cmd.exe quoting")
def test_the_recorded_command_line_re_runs_as_given():
    argv = ["compare", "historical", "no_mujahideen", "--out", "runs/my comparison", "--set", "attrition_rate=0.01"]
    assert shlex.split(command_line(argv)) == ["karabakh", *argv]  # the path with a space stays one argument
    assert command_line(["run", "--seed", "3"]) == "karabakh run --seed 3"  # plain words stay plain
