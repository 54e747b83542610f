"""The package's layering is checked, not hoped for.

``lint-imports`` (run by ``.ci/run``) checks the layers contract in ``pyproject.toml``; these
tests check what it does not: no import cycle at all, counting imports placed inside
functions, and no import inside a function except for heavy optional dependencies (and the
CLI, which defers imports for its start-up time).
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import grimp
import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "model"
DEFERRED_OK = {"optuna", "SALib", "distributed", "dask", "statsmodels", "solara", "altair", "ema_workbench"}
"""Heavy optional dependencies that may be imported where they are used."""


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    g = grimp.build_graph("model", exclude_type_checking_imports=True, cache_dir=None)
    dg = nx.DiGraph()
    for m in g.modules:
        dg.add_node(m)
        for dep in g.find_modules_directly_imported_by(m):
            dg.add_edge(m, dep)
    return dg


def test_no_import_cycles_counting_imports_inside_functions(graph):
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == [], f"import cycles: {cycles}"


def test_the_cycle_check_would_see_a_cycle(graph):
    """The check is not vacuous: the graph has the real edges, and adding a back edge makes a cycle."""
    assert graph.has_edge("model.model", "model.inputs.scenario")
    g = graph.copy()
    g.add_edge("model.inputs.scenario", "model.model")
    assert any(len(c) > 1 for c in nx.strongly_connected_components(g))


def _deferred_imports(path: Path) -> list[tuple[int, str]]:
    """Imports inside functions (not module level, not under ``if TYPE_CHECKING``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    found += [(inner.lineno, a.name) for a in inner.names]
                elif isinstance(inner, ast.ImportFrom):
                    found.append((inner.lineno, "." * inner.level + (inner.module or "")))
    return found


def test_imports_inside_functions_only_for_heavy_optional_dependencies():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "cli.py" and path.parent == PACKAGE:
            continue
        for line, name in _deferred_imports(path):
            if name.split(".")[0] not in DEFERRED_OK:
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}")
    assert offenders == []


def test_the_layers_contract_names_every_subpackage():
    contract = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert set(contract["layers"]) == modules | packages
    assert contract["exhaustive"] is True
