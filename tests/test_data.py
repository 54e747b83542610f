"""The sourced data files: the network loads, every row is sourced, bad rows are named."""

from __future__ import annotations

import shutil

import networkx as nx
import pandas as pd
import pytest

from model.errors import InputError
from model.inputs.forces import read_units
from model.inputs.locations import DATA_DIR
from model.inputs.governments import load_governments
from model.inputs.patrons import load_patrons
from model.inputs.world import load_world, months_closed, read_districts, read_roads, read_start_control

REQUIRED = ["stepanakert", "shusha", "askeran", "hadrut", "martuni", "mardakert", "shahumyan", "lachin",
            "kalbajar", "aghdam", "fuzuli", "jabrayil", "qubadli", "zangilan", "tartar", "goranboy", "barda",
            "aghjabadi", "beylagan", "gadabay", "dashkasan", "goygol", "ganja", "baku", "nakhchivan", "yerevan",
            "goris", "kapan", "vardenis", "ijevan"]


@pytest.fixture(scope="module")
def world():
    return load_world()


def test_network_has_the_real_districts(world):
    assert world.n >= 35
    missing = [k for k in REQUIRED if k not in world.index]
    assert not missing
    assert (world.districts["source"].str.strip() != "").all()
    assert (world.roads["source"].str.strip() != "").all()
    both = world.districts.set_index("key").loc["stepanakert", "name"]
    assert "Khankendi" in both and "Stepanakert" in both


def test_network_is_connected_and_corridors_are_marked(world):
    g = world.graph
    mainland = [n for n in g if world.keys[n] != "nakhchivan" and not world.keys[n].startswith("nakhchivan")]
    assert nx.is_connected(g.subgraph(mainland)) or nx.is_connected(g)
    corridors = set(world.roads["corridor"])
    assert {"lachin_corridor", "omar_pass", "tartar_kalbajar_road", "horadiz_junction"} <= corridors
    lachin = world.roads[world.roads["corridor"] == "lachin_corridor"]
    assert ((lachin["u"] == "lachin") | (lachin["v"] == "lachin")).all()


def test_mesa_network_positions_are_the_coordinates(world):
    from model.model import KarabakhWar

    m = KarabakhWar(rng=0, until="1991-12-05")
    cell = m.grid[world.index["shusha"]]
    lon, lat = world.positions()[world.index["shusha"]]
    assert tuple(cell.position) == pytest.approx((lon, lat))
    assert len(m.grid.all_cells) == world.n


def test_units_governments_patrons_validate(world):
    govs = load_governments()
    assert set(govs) == {"azerbaijan", "armenia", "nagorno_karabakh"}
    assert {"russia", "turkey", "iran", "armenian_diaspora", "csce_un"} <= set(load_patrons())
    units = read_units(DATA_DIR / "units.csv", frozenset(world.keys), frozenset(govs))
    assert {"brigade", "militia", "mercenary"} <= set(units["kind"])
    assert set(units["government"]) == set(govs)
    assert (units["source"].str.strip() != "").all()
    assert (units["personnel_low"] <= units["personnel_high"]).all()


def _copy_data(tmp_path):
    for name in ("districts.csv", "roads.csv", "control_start.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return pd.read_csv(tmp_path / "districts.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("column, value, expect", [
    ("lat", "north", "expected a number"),
    ("terrain", "swamp", "is not one of"),
    ("source", "", "every row needs a source"),
])
def test_bad_district_rows_are_named(tmp_path, column, value, expect):
    df = _copy_data(tmp_path)
    df.loc[3, column] = value
    df.to_csv(tmp_path / "districts.csv", index=False)
    with pytest.raises(InputError) as err:
        read_districts(tmp_path / "districts.csv")
    msg = str(err.value)
    assert "districts.csv" in msg and f"column '{column}'" in msg and "row 5" in msg and expect in msg


def test_unknown_road_endpoint_is_named(tmp_path):
    df = _copy_data(tmp_path)
    roads = pd.read_csv(tmp_path / "roads.csv", dtype=str, keep_default_na=False)
    roads.loc[0, "v"] = "atlantis"
    roads.to_csv(tmp_path / "roads.csv", index=False)
    with pytest.raises(InputError, match="unknown district key 'atlantis'"):
        read_roads(tmp_path / "roads.csv", set(df["key"]))


@pytest.mark.parametrize("value", ["13-2", "11", "Nov-Apr", "4-"])
def test_a_bad_snow_season_of_a_road_is_named(tmp_path, value):
    df = _copy_data(tmp_path)
    roads = pd.read_csv(tmp_path / "roads.csv", dtype=str, keep_default_na=False)
    roads.loc[2, "closed_months"] = value
    roads.to_csv(tmp_path / "roads.csv", index=False)
    with pytest.raises(InputError) as err:
        read_roads(tmp_path / "roads.csv", set(df["key"]))
    msg = str(err.value)
    assert "roads.csv" in msg and "row 4" in msg and "column 'closed_months'" in msg and repr(value) in msg


def test_snow_seasons_wrap_over_the_new_year():
    assert months_closed("11-4") == (11, 12, 1, 2, 3, 4)
    assert months_closed("6-6") == (6,) and months_closed("") == ()
    assert months_closed("3-5") == (3, 4, 5)


def test_bad_government_and_patron_tables_are_named(tmp_path):
    gov = tmp_path / "governments.toml"
    gov.write_text((DATA_DIR / "governments.toml").read_text().replace('legitimacy = 0.45', 'legitimacy = 1.5', 1))
    with pytest.raises(InputError, match=r"governments.toml: \[azerbaijan\]\.legitimacy: got 1.5; expected a number <= 1"):
        load_governments.__wrapped__(gov)
    pat = tmp_path / "patrons.toml"
    pat.write_text('[russia]\nname = "Russia"\nalignment = 0.2\ncan = ["teleport"]\n')
    with pytest.raises(InputError, match=r"patrons.toml: \[russia\]: .*unknown action\(s\) \['teleport'\]"):
        load_patrons.__wrapped__(pat)
    broken = tmp_path / "broken.toml"
    broken.write_text("[russia\n")
    with pytest.raises(InputError, match="not valid TOML"):
        load_patrons.__wrapped__(broken)


@pytest.mark.parametrize("column, value, expect", [
    ("arm_share", "0.3", "contradicts side_start='arm'"),
    ("arm_share_high", "0.5", "need arm_share_low <= arm_share <= arm_share_high"),
    ("key", "atlantis", "unknown district key 'atlantis'"),
    ("source", " ", "needs a source"),
])
def test_bad_start_control_rows_are_named(tmp_path, column, value, expect):
    districts = read_districts(DATA_DIR / "districts.csv")
    df = pd.read_csv(DATA_DIR / "control_start.csv", dtype=str, keep_default_na=False)
    df.loc[0, column] = value  # row 2 of the file: stepanakert, held by the arm side
    df.to_csv(tmp_path / "control_start.csv", index=False)
    with pytest.raises(InputError) as err:
        read_start_control(tmp_path / "control_start.csv", districts)
    assert "control_start.csv" in str(err.value) and "row 2" in str(err.value) and expect in str(err.value)


def test_start_control_is_separate_from_ethnicity():
    """Who held a district on 1991-12-01 comes from control_start.csv, not from its population:
    Hadrut was 84 % Armenian in 1979 but its deported southern villages were not Armenian-held."""
    w = load_world()
    v = w.index["hadrut"]
    assert w.arm_share_start_low[v] <= w.arm_share_start[v] <= w.arm_share_start_high[v]
    assert w.arm_share_start[v] < w.share_armenian[v] - 0.1
    assert w.arm_share_start[w.index["baku"]] == 0.0 and w.arm_share_start[w.index["yerevan"]] == 1.0
