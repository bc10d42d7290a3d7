"""The notebooks in notebooks/ run top to bottom from their own folder, read well, and are committed
without outputs.

Each notebook is executed by nbclient in a fresh "python3" kernel whose working directory is the
notebook's folder, exactly as Jupyter starts it, so a path relative to the repository root
(``examples/...``) fails here as it would for a user. The notebooks find the example files with
``blueprint.examples.path(...)``. One test per notebook so that pytest-xdist can run them side by side;
each notebook is executed once per worker and its outputs are checked by the tests below
(``--dist loadgroup``, as scripts/test.sh runs, keeps the tests of one notebook on one worker).
"""

from __future__ import annotations

import ast
import functools
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# seconds per cell: a guard against a hang, not a speed test (benchmarks/ measures speed). The slowest cell
# (two shift plans of the contact centre in notebook 05) takes about a minute on two cores, and several
# minutes on a loaded machine where the whole suite runs four times slower.
CELL_TIMEOUT = 1200


def _params(paths: list[Path]) -> list[Any]:
    return [pytest.param(p, id=p.stem, marks=pytest.mark.xdist_group(f"notebook-{p.stem}")) for p in paths]


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@functools.cache
def _executed(path: Path) -> tuple[Any, str | None]:
    """The notebook run top to bottom in a kernel started in its own folder, and the error that
    stopped it (``None`` when every cell ran)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},  # the kernel's working directory, as in Jupyter
    )
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:  # the message names the cell (and the traceback)
        return nb, str(e)  # kept, so the notebook's other checks report it at once instead of running it again
    return nb, None


@pytest.mark.parametrize("path", _params(NOTEBOOKS))
def test_notebook_runs_top_to_bottom_from_its_folder(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A non-interactive backend in the kernel (the notebooks also ask for inline figures).
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb, error = _executed(path)
    if error is not None:
        pytest.fail(f"{path.name}: a cell raised an error or timed out (kernel started in {path.parent})\n{error}", pytrace=False)
    errors = [
        (i, out.get("ename"), out.get("evalue"))
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors, f"{path.name}: cells with errors: {errors}"


# -- paths: nothing relative to where the kernel happens to start ----------------------------------

# A string that names a file in the repository's examples/ folder, or climbs out of notebooks/.
RELATIVE_PATH = re.compile(r"(^|[\\/])examples[\\/]|^\.\.[\\/]|^examples$")


def _code(source: str) -> str:
    """A cell's Python, with IPython magics and shell escapes (``%matplotlib``, ``!ls``) blanked out."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def relative_paths_in(source: str) -> list[str]:
    """The string literals in a code cell that are paths relative to the repository or the notebook.

    >>> relative_paths_in('bp = blueprint.load("examples/contact_center.yaml")')
    ['examples/contact_center.yaml']
    >>> relative_paths_in('%matplotlib inline\\nbp = blueprint.load(blueprint.examples.path("hotel.yaml"))')
    []
    """
    found = []
    for node in ast.walk(ast.parse(_code(source))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and RELATIVE_PATH.search(node.value):
            found.append(node.value)
    return found


def test_the_path_check_catches_a_cwd_relative_path() -> None:
    assert relative_paths_in('load_scenarios("examples/contact_center.scenarios.yaml")')
    assert relative_paths_in('open("../examples/hotel.yaml")')
    assert relative_paths_in("Path('examples') / 'hotel.yaml'")
    assert not relative_paths_in('print("see examples in the README")')


@pytest.mark.parametrize("path", _params(NOTEBOOKS))
def test_notebook_names_no_path_relative_to_the_working_directory(path: Path) -> None:
    """Files are found with ``blueprint.examples.path(...)``, so the notebook runs from anywhere,
    including after ``pip install`` where there is no examples/ folder at all."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    bad = {
        i: found
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (found := relative_paths_in("".join(cell["source"])))
    }
    assert not bad, f"{path.name}: cells with paths relative to the working directory: {bad}"


# -- tables: figures as a reader reads them -------------------------------------------------------

SCIENTIFIC = re.compile(r"\b\d(?:\.\d+)?e[+-]\d{2,}\b")  # 8.17e+03
_NUMBER = r"[-+]?\d[\d,]*(?:\.\d+)?%?"
TUPLE = re.compile(rf"\(\s*{_NUMBER}\s*,\s*{_NUMBER}\s*\)")  # (0.81, 0.86): an interval in one cell


class _CellTexts(HTMLParser):
    """The text of every ``<td>``/``<th>`` of an HTML table (markup and styles left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th"):
            self._depth += 1
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._depth = max(0, self._depth - 1)

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.cells[-1] += data


def table_cells(html: str) -> list[str]:
    """The texts of the cells of the tables in an HTML output.

    >>> table_cells("<table><tr><th>cost</th><td style='x'> 8,170 </td></tr></table>")
    ['cost', '8,170']
    """
    parser = _CellTexts()
    parser.feed(html)
    return [c.strip() for c in parser.cells]


def badly_shown_figures(output: dict[str, Any]) -> list[str]:
    """Figures in a table output shown in scientific notation or as a tuple in one cell.

    Looks at the cells of HTML tables and at the text form of an output that is a table.

    >>> badly_shown_figures({"output_type": "execute_result",
    ...     "data": {"text/html": "<table><tr><td>8.17e+03</td><td>(0.81, 0.86)</td><td>81%</td></tr></table>"}})
    ['8.17e+03', '(0.81, 0.86)']
    >>> badly_shown_figures({"output_type": "execute_result", "data": {"text/plain": "(0.81, 0.86)"}})
    []
    """
    data = output.get("data", {}) if output.get("output_type") in ("execute_result", "display_data") else {}
    html = "".join(data.get("text/html", ""))
    if "<table" not in html:
        return []
    bad = [c for c in table_cells(html) if SCIENTIFIC.search(c) or TUPLE.search(c)]
    text = "".join(data.get("text/plain", ""))
    bad += SCIENTIFIC.findall(text) + TUPLE.findall(text)
    return list(dict.fromkeys(bad))  # each once, in order


@pytest.mark.parametrize("path", _params(NOTEBOOKS))
def test_notebook_tables_show_no_scientific_notation_or_tuples(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb, error = _executed(path)
    assert error is None, f"{path.name} did not run to the end, see test_notebook_runs_top_to_bottom_from_its_folder"
    bad = {
        i: found
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for found in [[f for out in cell.get("outputs", []) for f in badly_shown_figures(out)]]
        if found
    }
    assert not bad, f"{path.name}: table cells with figures in scientific notation or as tuples: {bad}"


# -- committed without outputs ---------------------------------------------------------------------


@pytest.mark.parametrize("path", _params(NOTEBOOKS))
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs or execution counts; "
        "run .venv/bin/python scripts/strip_notebooks.py before committing"
    )


# -- diagrams: scaled to the output area, never cut off ------------------------------------------


def wide_images(output: dict[str, Any]) -> list[str]:
    """The SVG images of an output that a notebook front end would show at their own width (a wide
    blueprint is then cut off or scrolled sideways): an SVG without an HTML form that scales it down.

    >>> wide_images({"output_type": "execute_result", "data": {"image/svg+xml": "<svg width='2106pt'/>"}})
    ["<svg width='2106pt'/>"]
    >>> wide_images({"output_type": "execute_result", "data": {"image/svg+xml": "<svg/>",
    ...     "text/html": "<div><svg style='max-width:100%;height:auto'/></div>"}})
    []
    """
    data = output.get("data", {}) if output.get("output_type") in ("execute_result", "display_data") else {}
    svg = "".join(data.get("image/svg+xml", ""))
    if not svg:
        return []
    shown = "".join(data.get("text/html", ""))  # what Jupyter and nbconvert show first
    scaled = re.search(r"<svg\b[^>]*max-width:\s*100%", shown) and re.search(r"<svg\b[^>]*height:\s*auto", shown)
    return [] if scaled else [svg[:80]]


def test_a_diagram_shows_itself_scaled_to_the_cell_width() -> None:
    pytest.importorskip("graphviz")
    import blueprint
    from blueprint.render import GraphvizNotFound

    try:
        diagram = blueprint.load(blueprint.examples.path("hotel.yaml")).render()
        html = diagram._repr_html_()
    except GraphvizNotFound:  # pragma: no cover - no dot on this machine
        pytest.skip("Graphviz is not installed")
    assert html.lstrip().startswith("<div") and "<?xml" not in html and "<!DOCTYPE" not in html
    svg = re.search(r"<svg\b[^>]*>", html)
    assert svg and "max-width:100%" in svg.group(0) and "height:auto" in svg.group(0), svg
    assert "viewBox=" in svg.group(0), "without a viewBox the SVG cannot scale down"
    assert diagram._repr_svg_().count("<svg") == 1, "front ends that show only images still get the SVG"
    assert not wide_images({"output_type": "execute_result",
                            "data": {"image/svg+xml": diagram._repr_svg_(), "text/html": html}})


@pytest.mark.parametrize("path", _params(NOTEBOOKS))
def test_notebook_diagrams_fit_the_output_area(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb, error = _executed(path)
    assert error is None, f"{path.name} did not run to the end, see test_notebook_runs_top_to_bottom_from_its_folder"
    wide = {
        i: found
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for found in [[w for out in cell.get("outputs", []) for w in wide_images(out)]]
        if found
    }
    assert not wide, f"{path.name}: SVG outputs shown at their own width (cut off in a narrow output area): {wide}"


# -- no warnings in the outputs -------------------------------------------------------------------


@pytest.mark.parametrize("path", _params(NOTEBOOKS))
def test_notebook_prints_no_warnings(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A warning in a cell (pandas, matplotlib, the library) is noise to a reader: the notebook avoids it."""
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb, error = _executed(path)
    assert error is None, f"{path.name} did not run to the end, see test_notebook_runs_top_to_bottom_from_its_folder"
    noisy = {
        i: "".join(out.get("text", ""))[:300]
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    }
    assert not noisy, f"{path.name}: cells that print to stderr (warnings): {noisy}"
