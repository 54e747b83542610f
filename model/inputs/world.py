"""The district network: real rayons as nodes, roads and borders as edges.

Districts and roads are read from sourced CSV files (``data/districts.csv``,
``data/roads.csv``) and checked row by row, so that a bad value is reported with
its file, row and column. The result is an immutable :class:`World` shared by
every model built from the same files; a model turns it into a Mesa
``discrete_space.Network`` whose positions are the districts' coordinates.

Arrays are indexed by the integer ``node`` column (Mesa's network renderer wants
integer node labels); ``World.index`` maps the readable ``key`` to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import InputError, read_csv_columns

from .locations import DATA_DIR
SIDES = ("aze", "arm")
"""Sides are coded neutrally: ``aze`` = Azerbaijan, ``arm`` = Armenia and the Nagorno-Karabakh forces."""
REGIONS = ("nkao", "shahumyan", "surrounding", "az_rear", "az_capital", "nakhchivan", "armenia")
TERRAINS = ("plain", "foothills", "mountain", "high_mountain")
ASSETS = ("capital", "city", "airport", "depot", "rail", "reservoir", "border_crossing", "fortress_town")
ROAD_CLASSES = ("highway", "road", "track", "pass", "none")
ROUGH_CLASSES = ("track", "pass")
"""Road classes along which an attack brings only part of its strength to bear (``World.approach``)."""
CORRIDORS = ("lachin_corridor", "omar_pass", "tartar_kalbajar_road", "horadiz_junction")
BORDERS = ("international", "nkao")
BEYOND_BORDER = {"aze": ("armenia",), "arm": ("az_rear", "az_capital", "nakhchivan")}
"""Regions across the 1991 Armenia-Azerbaijan SSR border from each side's point of view, outside
the disputed area (the former NKAO, Shahumyan and the districts around them)."""
CENSUS_DATE = dt.date(1989, 1, 12)
"""Reference date of the 1989 all-Union census, the date of ``pop_1989`` in data/districts.csv."""
FULL = 0.999
"""A side holding at least this share of a district holds all of it (float tolerance)."""

DISTRICT_COLUMNS = ("node", "key", "name", "name_az", "name_hy", "region", "side_start",
                    "lat", "lon", "area_km2", "pop_1989", "share_armenian", "share_azerbaijani", "terrain",
                    "assets", "source", "note")
CONTROL_COLUMNS = ("key", "arm_share", "arm_share_low", "arm_share_high", "source", "note")
ROAD_COLUMNS = ("u", "v", "road_class", "corridor", "border", "length_km", "closed_months", "source", "note")


@dataclass(frozen=True, eq=False)
class World:
    """Immutable geography: the district table, the road table and their graph."""

    districts: pd.DataFrame
    roads: pd.DataFrame
    graph: nx.Graph
    keys: tuple[str, ...]
    index: dict[str, int] = field(repr=False)
    # Per-district arrays (length N), derived once so the daily loop never touches pandas.
    area_km2: np.ndarray = field(repr=False)
    population: np.ndarray = field(repr=False)
    share_armenian: np.ndarray = field(repr=False)
    share_azerbaijani: np.ndarray = field(repr=False)
    terrain: np.ndarray = field(repr=False)  # index into TERRAINS
    arm_share_start: np.ndarray = field(repr=False)  # share held by the arm side on the start date (best estimate)
    arm_share_start_low: np.ndarray = field(repr=False)  # ... its documented range
    arm_share_start_high: np.ndarray = field(repr=False)
    beyond_border: np.ndarray = field(repr=False)  # (2, N) bool: district lies beyond side s's border
    has_asset: dict[str, np.ndarray] = field(repr=False)
    # Directed edge list (both directions) usable by roads: shape (E, 2).
    edges: np.ndarray = field(repr=False)
    # Row v: v itself, then its road neighbours, padded with n (index of a dummy "nowhere" entry),
    # so per-district sums and maxima over neighbourhoods are single fancy-indexing operations.
    neighbourhood: np.ndarray = field(repr=False)
    # Dense (N, N) 0/1 matrices of the usable roads, without and with the diagonal: neighbourhood
    # sums over all districts become one small matrix product (fast for the ~40-district map).
    adjacency: np.ndarray = field(repr=False)
    closed_adjacency: np.ndarray = field(repr=False)
    region_code: np.ndarray = field(repr=False)  # (N,) index of each district's region in REGIONS
    # adjacency restricted to roads inside one region: where self-defence detachments support each other
    region_adjacency: np.ndarray = field(repr=False)
    azssr_area: np.ndarray = field(repr=False)  # km2 of each district inside the Azerbaijan SSR (0 in Armenia)
    # (N, N) 1 where the only road between two districts is a mountain track or pass (ROUGH_CLASSES)
    rough_adjacency: np.ndarray = field(repr=False)
    # (12, E) True where the road of edge e is snowbound in month m + 1 (roads.csv closed_months)
    snowbound: np.ndarray = field(repr=False)
    _approach: dict = field(default_factory=dict, repr=False, compare=False)  # approach() per factor, built once
    # Python lists built once on first use (see name() and hop_distances): no pandas or numpy per call.
    _lists: dict = field(default_factory=dict, repr=False, compare=False)

    def approach(self, rough_factor: float) -> np.ndarray:
        """(N, N) share of an attacker's strength that reaches district w from district v: 1 in its own
        district and along highways and roads, ``rough_factor`` along tracks and passes, 0 where no road
        leads (``closed_adjacency`` itself at 1)."""
        if rough_factor == 1.0:
            return self.closed_adjacency
        matrix = self._approach.get(rough_factor)
        if matrix is None:  # asked twice a day (combat, the staffs' odds): built once per factor
            matrix = self._approach[rough_factor] = self.closed_adjacency - (1.0 - rough_factor) * self.rough_adjacency
            matrix.flags.writeable = False
        return matrix

    def open_edges(self, month: int) -> np.ndarray:
        """``edges`` without the roads snowbound in ``month`` (1-12; roads.csv ``closed_months``): what a
        supply line can use that month. The same array as ``edges`` in a month that closes none."""
        key = ("open_edges", month)  # asked daily by Supply: kept per month, also where it is ``edges``
        edges = self._lists.get(key)
        if edges is None:
            shut = self.snowbound[month - 1]
            if shut.any():
                edges = self.edges[~shut]
                edges.flags.writeable = False
            else:
                edges = self.edges
            self._lists[key] = edges
        return edges

    @property
    def n(self) -> int:
        """Number of districts."""
        return len(self.keys)

    def positions(self) -> dict[int, tuple[float, float]]:
        """(lon, lat) per node: the layout for Mesa's Network and for maps."""
        d = self.districts
        return {int(n): (float(lo), float(la)) for n, lo, la in zip(d["node"], d["lon"], d["lat"])}

    def name(self, node: int) -> str:
        """Display name with both forms where two exist (e.g. 'Khankendi/Stepanakert')."""
        names = self._lists.get("names")
        if names is None:  # read from the table once: a capture asks for one, and pandas is slow per cell
            names = self._lists["names"] = [str(x) for x in self.districts["name"]]
        return names[node]

    def links_from(self, nodes: np.ndarray) -> np.ndarray:
        """(N,) road links from each district to the nearest of ``nodes`` (a bool mask; 0 on them,
        ``n + 1`` where none can be reached), built once per set of nodes (a government's war aims)."""
        key = ("links", nodes.tobytes())
        links = self._lists.get(key)
        if links is None:
            links = np.full(self.n, self.n + 1, dtype=np.int64)
            for v in np.flatnonzero(nodes):
                np.minimum(links, hop_distances(self, int(v)), out=links)
            links.flags.writeable = False
            self._lists[key] = links
        return links

    def roads_into(self) -> list[list[int]]:
        """For each district, the districts with a road into it, in the order of ``edges`` (built once)."""
        into = self._lists.get("into")
        if into is None:
            into = self._lists["into"] = [[] for _ in range(self.n)]
            for u, v in self.edges.tolist():
                into[v].append(u)
        return into


def _fail(path: Path, row: int | None, column: str, problem: str) -> None:
    where = f"row {row + 2} (line {row + 2}), column '{column}'" if row is not None else f"column '{column}'"
    raise InputError(path, where, problem)


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    df = read_csv_columns(path, columns)
    for i, src in enumerate(df["source"]):
        if not src.strip():
            _fail(path, i, "source", "empty: every row needs a source (or 'assumption' with a note)")
    return df


def _numeric(df: pd.DataFrame, path: Path, column: str, lo: float, hi: float, *, required: bool) -> np.ndarray:
    """Parse a numeric column; empty cells become NaN unless the column is required."""
    out = np.full(len(df), np.nan)
    for i, raw in enumerate(df[column]):
        raw = raw.strip()
        if not raw:
            if required:
                _fail(path, i, column, "empty; a number is required here")
            continue
        try:
            value = float(raw)
        except ValueError:
            _fail(path, i, column, f"expected a number, got {raw!r}")
        if not lo <= value <= hi:
            _fail(path, i, column, f"{value} outside the expected range [{lo}, {hi}]")
        out[i] = value
    return out


def _choice(df: pd.DataFrame, path: Path, column: str, allowed: tuple[str, ...], *, allow_empty: bool) -> None:
    for i, raw in enumerate(df[column]):
        if raw == "" and allow_empty:
            continue
        if raw not in allowed:
            _fail(path, i, column, f"{raw!r} is not one of {list(allowed)}")


def read_districts(path: Path) -> pd.DataFrame:
    """Read and validate the district table (one row per rayon)."""
    df = _read_csv(path, DISTRICT_COLUMNS)
    nodes = _numeric(df, path, "node", 0, len(df) - 1, required=True)
    if sorted(nodes.astype(int)) != list(range(len(df))) or not (nodes == np.arange(len(df))).all():
        _fail(path, None, "node", f"must be 0..{len(df) - 1} in row order")
    seen: set[str] = set()
    for i, key in enumerate(df["key"]):
        if not key or not key.isascii() or key != key.lower() or " " in key:
            _fail(path, i, "key", f"{key!r} must be a non-empty lowercase ascii slug")
        if key in seen:
            _fail(path, i, "key", f"duplicate key {key!r}")
        seen.add(key)
    for i, name in enumerate(df["name"]):
        if not name.strip():
            _fail(path, i, "name", "empty display name")
    _choice(df, path, "region", REGIONS, allow_empty=False)
    _choice(df, path, "side_start", SIDES, allow_empty=False)
    _choice(df, path, "terrain", TERRAINS, allow_empty=False)
    for i, assets in enumerate(df["assets"]):
        for tag in filter(None, assets.split(";")):
            if tag.strip() not in ASSETS:
                _fail(path, i, "assets", f"unknown tag {tag!r}; known tags {list(ASSETS)}")
    out = df.copy()
    out["node"] = nodes.astype(int)
    out["lat"] = _numeric(df, path, "lat", 35.0, 45.0, required=True)
    out["lon"] = _numeric(df, path, "lon", 40.0, 52.0, required=True)
    out["area_km2"] = _numeric(df, path, "area_km2", 1, 50_000, required=False)
    out["pop_1989"] = _numeric(df, path, "pop_1989", 0, 5_000_000, required=False)
    out["share_armenian"] = _numeric(df, path, "share_armenian", 0, 1, required=False)
    out["share_azerbaijani"] = _numeric(df, path, "share_azerbaijani", 0, 1, required=False)
    both = out["share_armenian"].fillna(0) + out["share_azerbaijani"].fillna(0)
    for i in np.flatnonzero(both.to_numpy() > 1.0 + 1e-6):
        _fail(path, int(i), "share_armenian", "share_armenian + share_azerbaijani exceeds 1")
    return out


def read_start_control(path: Path, districts: pd.DataFrame) -> pd.DataFrame:
    """Who held what on the start date, as the arm side's share of each district (best, low, high).

    Control is a documented fact separate from who lived there (ethnic shares are in the district
    table). Districts not listed are held wholly by their ``side_start``.
    """
    df = _read_csv(path, CONTROL_COLUMNS)
    keys = list(districts["key"])
    side = dict(zip(keys, districts["side_start"]))
    values = {c: _numeric(df, path, c, 0, 1, required=True) for c in ("arm_share", "arm_share_low", "arm_share_high")}
    for i, key in enumerate(df["key"]):
        if key not in side:
            _fail(path, i, "key", f"unknown district key {key!r}")
        if not df["source"].iat[i].strip():
            _fail(path, i, "source", "empty: every starting share needs a source or a marked estimate")
        lo, best, hi = (values[c][i] for c in ("arm_share_low", "arm_share", "arm_share_high"))
        if (side[key] == "arm") != (best >= 0.5):
            _fail(path, i, "arm_share", f"{best} contradicts side_start={side[key]!r} in districts.csv "
                                        "(the arm side holds a district at a share >= 0.5)")
        if not lo <= best <= hi:
            _fail(path, i, "arm_share", f"need arm_share_low <= arm_share <= arm_share_high, got {lo} <= {best} <= {hi}")
    if df["key"].duplicated().any():
        _fail(path, int(np.flatnonzero(df["key"].duplicated())[0]), "key", "duplicate district")
    whole = np.where(districts["side_start"].to_numpy() == "arm", 1.0, 0.0)
    out = pd.DataFrame({"key": keys, "arm_share": whole, "arm_share_low": whole, "arm_share_high": whole})
    rows = out.index[out["key"].isin(df["key"])]
    at = {k: i for i, k in enumerate(df["key"])}
    for c in ("arm_share", "arm_share_low", "arm_share_high"):
        out.loc[rows, c] = [values[c][at[k]] for k in out.loc[rows, "key"]]
    return out


def read_roads(path: Path, keys: set[str]) -> pd.DataFrame:
    """Read and validate the road/adjacency table (one row per pair of districts)."""
    df = _read_csv(path, ROAD_COLUMNS)
    pairs: set[tuple[str, str]] = set()
    for i, (u, v) in enumerate(zip(df["u"], df["v"])):
        for col, k in (("u", u), ("v", v)):
            if k not in keys:
                _fail(path, i, col, f"unknown district key {k!r}")
        if u == v:
            _fail(path, i, "v", "a road cannot join a district to itself")
        pair = tuple(sorted((u, v)))
        if pair in pairs:
            _fail(path, i, "v", f"duplicate pair {pair}")
        pairs.add(pair)
    _choice(df, path, "road_class", ROAD_CLASSES, allow_empty=False)
    _choice(df, path, "corridor", CORRIDORS, allow_empty=True)
    _choice(df, path, "border", BORDERS, allow_empty=True)
    out = df.copy()
    out["length_km"] = _numeric(df, path, "length_km", 0, 2000, required=False)
    for i, raw in enumerate(df["closed_months"]):
        months_closed(raw, lambda problem, i=i: _fail(path, i, "closed_months", problem))
    return out


def months_closed(raw: str, fail=None) -> tuple[int, ...]:
    """The months (1-12) a road is snowbound, from roads.csv ``closed_months``: empty (open all year) or
    ``first-last``, wrapping over the new year (``11-4``: November to April). ``fail(problem)`` reports a
    malformed cell (by default a ValueError)."""
    raw = str(raw).strip()
    if not raw:
        return ()
    parts = raw.split("-")
    if len(parts) != 2 or not all(x.strip().isdigit() and 1 <= int(x) <= 12 for x in parts):
        problem = f"expected empty or two months 1-12 as first-last (e.g. 11-4), got {raw!r}"
        if fail is None:
            raise ValueError(problem)
        fail(problem)
    first, last = int(parts[0]), int(parts[1])
    return tuple((first - 1 + k) % 12 + 1 for k in range((last - first) % 12 + 1))


def build_world(districts: pd.DataFrame, roads: pd.DataFrame, control: pd.DataFrame) -> World:
    """Assemble graph and arrays from validated tables (also used for synthetic worlds)."""
    keys = tuple(districts["key"])
    index = {k: i for i, k in enumerate(keys)}
    g = nx.Graph()
    for row in districts.itertuples(index=False):
        g.add_node(int(row.node), key=row.key, name=row.name, pos=(float(row.lon), float(row.lat)))
    for row in roads.itertuples(index=False):
        g.add_edge(index[row.u], index[row.v], road_class=row.road_class, corridor=row.corridor,
                   border=row.border)
    usable = sorted((index[r.u], index[r.v]) for r in roads.itertuples(index=False) if r.road_class != "none")
    edges = np.array(usable + [(v, u) for u, v in usable], dtype=np.int64).reshape(-1, 2)
    edges = edges[np.lexsort((edges[:, 1], edges[:, 0]))]
    assets = {tag: np.array([tag in a.split(";") for a in districts["assets"]]) for tag in ASSETS}
    n = len(keys)
    neighbours = [[v] + sorted(int(u) for u in edges[edges[:, 0] == v, 1]) for v in range(n)]
    width = max(len(row) for row in neighbours)
    neighbourhood = np.full((n, width), n, dtype=np.int64)
    for v, row in enumerate(neighbours):
        neighbourhood[v, : len(row)] = row
    adjacency = np.zeros((n, n))
    adjacency[edges[:, 0], edges[:, 1]] = 1.0
    rough = np.zeros((n, n))
    for r in roads.itertuples(index=False):
        if r.road_class in ROUGH_CLASSES:
            rough[index[r.u], index[r.v]] = rough[index[r.v], index[r.u]] = 1.0
    region_code = np.array([REGIONS.index(r) for r in districts["region"]])
    closed = {}  # (u, v) both ways -> the months the road between them is snowbound
    for r in roads.itertuples(index=False):
        months = months_closed(getattr(r, "closed_months", ""))
        closed[(index[r.u], index[r.v])] = closed[(index[r.v], index[r.u])] = months
    snowbound = np.array([[m in closed[(int(u), int(v))] for u, v in edges] for m in range(1, 13)],
                         dtype=bool).reshape(12, len(edges))
    pop = districts["pop_1989"].to_numpy(dtype=float)
    area = np.nan_to_num(districts["area_km2"].to_numpy(dtype=float))
    return World(
        districts=districts, roads=roads, graph=g, keys=keys, index=index,
        area_km2=area,
        population=np.nan_to_num(pop),
        share_armenian=np.nan_to_num(districts["share_armenian"].to_numpy(dtype=float)),
        share_azerbaijani=np.nan_to_num(districts["share_azerbaijani"].to_numpy(dtype=float)),
        terrain=np.array([TERRAINS.index(t) for t in districts["terrain"]]),
        arm_share_start=control["arm_share"].to_numpy(dtype=float),
        arm_share_start_low=control["arm_share_low"].to_numpy(dtype=float),
        arm_share_start_high=control["arm_share_high"].to_numpy(dtype=float),
        beyond_border=np.vstack([districts["region"].isin(BEYOND_BORDER[s]).to_numpy() for s in SIDES]),
        has_asset=assets, edges=edges, neighbourhood=neighbourhood,
        adjacency=adjacency, closed_adjacency=adjacency + np.eye(n),
        region_code=region_code, region_adjacency=adjacency * (region_code[:, None] == region_code[None, :]),
        azssr_area=area * (districts["region"].to_numpy() != "armenia"),
        rough_adjacency=rough, snowbound=snowbound,
    )


@cache
def load_world(data_dir: Path = DATA_DIR) -> World:
    """The real district network from the package's sourced data files (cached)."""
    districts = read_districts(data_dir / "districts.csv")
    roads = read_roads(data_dir / "roads.csv", set(districts["key"]))
    return build_world(districts, roads, read_start_control(data_dir / "control_start.csv", districts))


def synthetic_world(n_districts: int, seed: int = 0) -> World:
    """A random planar-ish two-sided network for tests and scaling benchmarks.

    Districts sit on a jittered grid; the western half starts ``aze``, the
    eastern ``arm``; both sides get a depot and a capital. Values are arbitrary
    by design (source 'synthetic').
    """
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_districts)))
    rows = []
    for i in range(n_districts):
        x, y = i % side, i // side
        arm = x >= side / 2
        rows.append(dict(
            node=i, key=f"d{i:05d}", name=f"District {i}", name_az="", name_hy="",
            region="armenia" if arm else "az_rear", side_start="arm" if arm else "aze",
            lat=39.0 + y * 0.1 + rng.uniform(-0.02, 0.02),
            lon=45.0 + x * 0.1 + rng.uniform(-0.02, 0.02), area_km2=rng.uniform(300, 2000),
            pop_1989=rng.uniform(1e4, 1e5), share_armenian=0.9 if arm else 0.05,
            share_azerbaijani=0.05 if arm else 0.9, terrain=TERRAINS[int(rng.integers(0, 4))],
            assets="", source="synthetic", note="synthetic test network"))
    df = pd.DataFrame(rows)
    for anchor, tag in ((0, "capital;depot"), (side - 1, "capital;depot")):
        df.loc[min(anchor, n_districts - 1), "assets"] = tag
    roads = []
    for i in range(n_districts):
        x, y = i % side, i // side
        for j in (i + 1 if x + 1 < side else None, i + side):
            if j is not None and j < n_districts:
                roads.append(dict(u=f"d{i:05d}", v=f"d{j:05d}", road_class="road", corridor="", border="",
                                  length_km=np.nan, closed_months="", source="synthetic", note=""))
    whole = (df["side_start"] == "arm").astype(float)
    control = pd.DataFrame({"key": df["key"], "arm_share": whole, "arm_share_low": whole, "arm_share_high": whole})
    return build_world(df, pd.DataFrame(roads), control)


def hop_distances(world: World, source: int, passable: np.ndarray | None = None) -> np.ndarray:
    """Road hops from ``source`` to every district, moving only into ``passable`` districts
    (default: all); ``world.n + 1`` where unreachable. Breadth-first in Python lists: on a map of
    ~40 districts that is a few hundred list steps, cheaper than a dozen numpy calls per ring
    (the built-in AI asks for new routes whenever a holder changes)."""
    into = world.roads_into()
    ok = [True] * world.n if passable is None else passable.tolist()
    dist = [world.n + 1] * world.n
    dist[source] = 0
    frontier, d = [source], 0
    while frontier:
        d += 1
        ring = []
        for v in frontier:
            for u in into[v]:
                if ok[u] and dist[u] > d:
                    dist[u] = d
                    ring.append(u)
        frontier = ring
    return np.array(dist, dtype=np.int64)


def grown_population(population: np.ndarray, date: dt.date, growth_per_year: float) -> np.ndarray:
    """The census populations grown to ``date`` at ``growth_per_year`` (compound, by days), the
    civilians on a scenario's start date: the war began almost three years after the census."""
    years = (date - CENSUS_DATE).days / 365.25
    return population * (1.0 + growth_per_year) ** years
