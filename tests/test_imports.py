"""Import cost: ``import blueprint`` and ``import simulate`` load no heavy library, and the lazy façade of
``simulate`` still gives every public name (``simulate.run``, ``from simulate import *``).

Each check that depends on what is already imported runs in a fresh interpreter.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import simulate

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("scipy.stats", "matplotlib", "pyarrow")


def _fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter from the project folder; its standard output."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_the_packages_loads_no_heavy_library() -> None:
    out = _fresh(f"import blueprint, simulate, sys; print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    assert out == "[]"


def test_importing_blueprint_leaves_numpy_out() -> None:
    """numpy is loaded when a blueprint is checked, not at import (about 90 ms: the import benchmark's target of
    at most twice ``import simpy, numpy`` holds by it); the names that need it still work."""
    code = ("import sys, blueprint; print('numpy' in sys.modules); from blueprint import capacity_findings; "
            "import blueprint.experience as e; print(round(float(e.Experience().gap(30.0, 60.0)), 4), callable(capacity_findings))")
    assert _fresh(code).splitlines() == ["False", "0.3655 True"]  # 1 - 1.36 * 0.5 ** 1.1


def test_blueprint_help_loads_no_heavy_library() -> None:
    code = (
        "import sys, json\n"
        "sys.argv = ['blueprint', '--help']\n"
        "from blueprint.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


def test_public_names_come_from_their_homes() -> None:
    from simulate.failpoints import fail_points
    from simulate.results import Results
    from simulate.run import run
    from simulate.staffing import erlang_c

    assert simulate.run is run
    assert simulate.erlang_c is erlang_c
    assert simulate.Results is Results
    assert simulate.fail_points is fail_points
    assert simulate.erlang_c(1.0, 5.0, 8) == erlang_c(1.0, 5.0, 8)


def test_every_name_in_all_resolves_and_is_listed_by_dir() -> None:
    for name in simulate.__all__:
        assert getattr(simulate, name) is not None, name
    assert set(simulate.__all__) <= set(dir(simulate))
    assert {"run", "staffing", "scenarios"} <= set(dir(simulate))


def test_star_import_gives_every_public_name() -> None:
    out = _fresh("from simulate import *\nimport simulate\n"
                 "print([n for n in simulate.__all__ if n not in globals()])")
    assert out == "[]"


def test_subpackages_are_attributes() -> None:
    import simulate.engine
    import simulate.staffing

    assert simulate.staffing is sys.modules["simulate.staffing"]
    assert simulate.engine is sys.modules["simulate.engine"]
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = simulate.no_such_name


def test_run_stays_the_function_when_its_module_is_imported_first() -> None:
    # Importing simulate/run.py binds the module on the package; the façade keeps the function.
    out = _fresh("import sys\nimport simulate.scenarios.compare\nimport simulate\n"
                 "print(callable(simulate.run), simulate.run.__module__, sys.modules['simulate.run'].__name__)")
    assert out == "True simulate.run simulate.run"


def test_the_facade_lists_agree() -> None:
    """``__all__``, the ``TYPE_CHECKING`` imports and the table of homes name the same things."""
    tree = ast.parse((ROOT / "simulate" / "__init__.py").read_text())
    checked = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for sub in node.body if isinstance(sub, ast.ImportFrom)
        for alias in sub.names
    }
    homes = simulate._HOMES
    assert checked == set(simulate.__all__) == set(homes)
