"""The layout rules of ARCHITECTURE.md, checked on the source: each rule has one home and the packages
depend on each other in one direction only.

- ``blueprint`` imports nothing from ``simulate``;
- no module imports a private name (``_x``) from another module;
- module-level imports form no circle, and imports inside functions close a circle only where they are
  a documented lazy façade (a method such as ``bp.render()`` or ``results.fail_points()`` that reaches
  a module built on top of its own; listed in ``FACADES``);
- no function is longer than 80 lines unless a ``# long: <reason>`` comment stands on the line
  after its signature.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("blueprint", "simulate")
MAX_LINES = 80


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()
TREES = {name: ast.parse(path.read_text(), str(path)) for name, path in MODULES.items()}


# (module, the module it imports inside a method): the method that makes it a façade
FACADES = {
    ("blueprint.model", "blueprint.files"): "Blueprint.load / save / dumps / to_json",
    ("blueprint.model", "blueprint.render"): "Blueprint.render / to_dot and the Jupyter display",
    ("blueprint.model", "blueprint.validation"): "Blueprint.validate / check",
    ("blueprint.model", "blueprint.schema"): "Blueprint.json_schema",
    ("blueprint.model", "blueprint.summary"): "Blueprint's text and HTML summary",
    ("blueprint.builder", "blueprint.model"): "the builder methods (bp.customer(...)) create the model's steps",
    ("simulate.results", "simulate.failpoints"): "Results.fail_points()",
    ("simulate.results", "simulate.experience"): "Results.experience()",
    ("simulate.results", "simulate.storage"): "Results.save / load",
    ("simulate.scenarios.compare", "simulate.storage"): "Comparison.save / load",
    ("simulate.scenarios.scenario", "simulate.scenarios.apply"): "Scenario.apply()",
}


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines of imports under ``if TYPE_CHECKING:`` (they never run)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out |= {n.lineno for b in node.body for n in ast.walk(b) if isinstance(n, (ast.Import, ast.ImportFrom))}
    return out


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    is_package = MODULES[module].name == "__init__.py"
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, *, top_level_only: bool) -> list[tuple[str, str, int]]:
    """(imported module, imported name or '', line) for every import in ``module``."""
    tree = TREES[module]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    if top_level_only:  # also imports under ``if TYPE_CHECKING`` / try at module level are excluded
        nodes = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    out = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.append((sub if sub in MODULES else target, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            out += [(alias.name, "", node.lineno) for alias in node.names]
    return [(m, n, line) for m, n, line in out if m.split(".")[0] in PACKAGES]


def test_blueprint_imports_nothing_from_simulate() -> None:
    bad = [f"{m}:{line} imports {t}" for m in MODULES if m.startswith("blueprint")
           for t, _, line in _imports(m, top_level_only=False) if t.startswith("simulate")]
    assert not bad, "\n".join(bad)


def test_no_module_imports_a_private_name_from_another() -> None:
    bad = [f"{m}:{line} imports {name} from {t}" for m in MODULES
           for t, name, line in _imports(m, top_level_only=False)
           if name.startswith("_") and not name.startswith("__") and t != m]
    assert not bad, "\n".join(bad)


def test_module_level_imports_form_no_circle() -> None:
    g = nx.DiGraph()
    for m in MODULES:
        g.add_node(m)
        for t, _, _ in _imports(m, top_level_only=True):
            target = t if t in MODULES else t.rsplit(".", 1)[0]
            if target in MODULES and target != m and not m.startswith(target + "."):
                # a package's __init__ importing its own submodules is how it re-exports them
                if MODULES[m].name == "__init__.py" and target.startswith(m + "."):
                    continue
                g.add_edge(m, target)
    cycles = [c for c in nx.simple_cycles(g) if len(c) > 1]
    assert not cycles, "\n".join(" -> ".join(c + [c[0]]) for c in cycles[:20])


def test_imports_inside_functions_close_a_circle_only_as_documented_facades() -> None:
    g = nx.DiGraph()
    for m in MODULES:
        skip = _type_checking_lines(TREES[m])
        for t, _, line in _imports(m, top_level_only=False):
            target = t if t in MODULES else t.rsplit(".", 1)[0]
            if line in skip or target not in MODULES or target == m or m.startswith(target + "."):
                continue
            if MODULES[m].name == "__init__.py" and target.startswith(m + "."):
                continue
            if (m, target) not in FACADES:
                g.add_edge(m, target, line=line)
    cycles = sorted((c for c in nx.simple_cycles(g) if len(c) > 1), key=len)
    assert not cycles, "\n".join(
        " -> ".join(f"{a}:{g.edges[a, b]['line']}" for a, b in zip(c, c[1:] + c[:1])) for c in cycles[:10])
    for (a, b), why in FACADES.items():  # every listed façade still exists
        assert any(t == b or t.startswith(b + ".") for t, _, _ in _imports(a, top_level_only=False)), (a, b, why)


def _long_functions() -> list[str]:
    out = []
    for name, tree in TREES.items():
        lines = MODULES[name].read_text().splitlines()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length <= MAX_LINES:
                    continue
                body_start = node.body[0].lineno - 1
                head = "\n".join(lines[node.lineno - 1: body_start + 3])
                if "# long:" not in head:
                    out.append(f"{MODULES[name].relative_to(ROOT)}:{node.lineno} {node.name}: {length} lines")
    return out


def test_functions_are_short_or_say_why_not() -> None:
    bad = _long_functions()
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("pkg", PACKAGES)
def test_each_package_ships_py_typed(pkg: str) -> None:
    assert (ROOT / pkg / "py.typed").exists()
