"""Every notebook in notebooks/ runs top to bottom (small run counts: KARABAKH_NOTEBOOK_RUNS=2), is
committed without outputs, and opens with the question it answers."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="executing the notebooks needs nbformat: pip install -e '.[test]'")
nbclient = pytest.importorskip("nbclient", reason="executing the notebooks needs nbclient: pip install -e '.[test]'")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def kernel_missing() -> str | None:
    """Why no Python kernel can be started here, or None."""
    try:
        from jupyter_client.kernelspec import NoSuchKernel, get_kernel_spec
    except ImportError:
        return "jupyter_client is not installed"
    try:
        get_kernel_spec("python3")
    except NoSuchKernel:
        return "no 'python3' Jupyter kernel (pip install ipykernel)"
    return None


def test_the_six_notebooks_are_there_stripped_and_say_what_they_answer():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]
    for path in NOTEBOOKS:
        book = nbformat.read(path, as_version=4)
        nbformat.validate(book)
        code = [c for c in book.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), f"{path.name}: strip the outputs"
        first = book.cells[0]
        assert first.cell_type == "markdown" and "**Question.**" in first.source, path.name
        assert "KARABAKH_NOTEBOOK_RUNS" in code[0].source, f"{path.name}: the first code cell sets the run counts"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # from the Jupyter client stack, not from our code
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_notebook_runs_top_to_bottom(path, monkeypatch, tmp_path):
    why = kernel_missing()
    if why:
        pytest.skip(f"cannot execute notebooks: {why}")
    monkeypatch.setenv("KARABAKH_NOTEBOOK_RUNS", "2")
    monkeypatch.setenv("KARABAKH_NOTEBOOK_WORKERS", "1")  # no worker start-up: cheaper at these sizes
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the notebooks' outputs go to a temporary directory
    book = nbformat.read(path, as_version=4)
    probe = nbformat.v4.new_code_cell("print(RUNS, WORKERS, OUT.is_relative_to(os.environ['TMPDIR']))")
    book.cells.append(probe)  # in memory only: what the notebook's own settings became
    client = nbclient.NotebookClient(book, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    shown = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in shown if o.output_type == "error"]
    assert not errors
    images = [o for o in shown if "image/png" in o.get("data", {})]
    assert images, f"{path.name} shows no figure"
    # the notebook took its run counts from the environment and wrote its outputs to the temporary directory
    assert "".join(o.get("text", "") for o in probe.outputs).split() == ["2", "1", "True"], path.name
