"""Hostile files: refused before they are read, with the file named and the limit stated.

Special files (a device that never ends, a FIFO nobody writes, a symlink loop, a file nobody may
read), files over the size limit, data nested too deep, integers of thousands of digits and text no
file can hold each give a :class:`blueprint.BlueprintFileError` from every loader, and through the
command line one located line and a non-zero exit, within seconds.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import blueprint
import simulate
from blueprint import BlueprintFileError
from blueprint.limits import LIMITS, limits_set
from simulate.cli import app
from simulate.scenarios.files import load_scenarios
from simulate.staffing.optimize import load_role_templates

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "coffee_shop.yaml"
runner = CliRunner()

LOADERS: dict[str, Callable[[Path], Any]] = {
    "blueprint": blueprint.load,
    "shift templates": load_role_templates,
    "scenarios": load_scenarios,
}


def _special(tmp_path: Path, kind: str) -> Path:
    if kind == "device":
        return Path("/dev/zero")
    if kind == "fifo":
        p = tmp_path / "pipe.yaml"
        os.mkfifo(p)
        return p
    if kind == "loop":
        a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
        os.symlink(b, a)
        os.symlink(a, b)
        return a
    if kind == "folder":
        return tmp_path
    raise AssertionError(kind)


def _bounded(call: Callable[[], Any], seconds: float = 10.0) -> BaseException | None:
    """Run ``call`` in a thread; fail the test if it has not finished within ``seconds`` (a hang)."""
    out: list[BaseException | None] = [None]

    def target() -> None:
        try:
            call()
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            out[0] = e

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still running after {seconds} s"
    return out[0]


@pytest.mark.parametrize("kind, says", [("device", "is a character device"), ("fifo", "is a FIFO"),
                                        ("loop", "loop of symbolic links"), ("folder", "is a folder")])
@pytest.mark.parametrize("loader", list(LOADERS))
def test_special_files_are_refused_before_reading(tmp_path: Path, kind: str, says: str, loader: str) -> None:
    path = _special(tmp_path, kind)
    error = _bounded(lambda: LOADERS[loader](path))
    assert isinstance(error, BlueprintFileError), repr(error)
    assert str(error).startswith(f"{path}: ") and says in str(error)


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads every file")
def test_a_file_nobody_may_read_is_named(tmp_path: Path) -> None:
    p = tmp_path / "secret.yaml"
    shutil.copy(EXAMPLE, p)
    p.chmod(0)
    try:
        with pytest.raises(BlueprintFileError, match="secret.yaml: cannot be read: permission denied"):
            blueprint.load(p)
    finally:
        p.chmod(0o600)


def test_a_file_over_the_limit_is_refused_with_the_limit_and_how_to_raise_it(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    big.write_text(text + "# " + "x" * (LIMITS.max_file_bytes + 10) + "\n", encoding="utf-8")
    with pytest.raises(BlueprintFileError) as e:
        blueprint.load(big)
    assert "larger than the 10 MB limit" in str(e.value) and "BLUEPRINT_MAX_FILE_MB" in str(e.value)
    small = tmp_path / "small.yaml"
    small.write_text(text, encoding="utf-8")
    with limits_set(max_file_bytes=len(text.encode()) - 1), pytest.raises(BlueprintFileError, match="limit"):
        blueprint.load(small)
    assert blueprint.load(small).name  # the limit is back


def test_limits_set_refuses_what_is_not_a_limit() -> None:
    with pytest.raises(TypeError, match="unknown limit 'max_size'"), limits_set(max_size=3):
        pass
    with pytest.raises(ValueError, match="whole number"), limits_set(max_depth=0):
        pass


@pytest.mark.parametrize("name, text, code, where", [
    ("deep.json", "[" * 100_000 + "]" * 100_000, "too-deep", None),
    ("deep.yaml", "name: x\nsteps: " + "[" * 5_000 + "]" * 5_000 + "\n", "too-deep", None),
    ("nested.yaml", "name: x\nsteps:\n  - " + "[" * 70 + "1" + "]" * 70 + "\n", "too-deep", 3),
    ("long.json", '{"name": 1' + "0" * 5_000 + "}", "number-too-large", None),
    ("long.yaml", "name: x\nsteps: []\nrate: 1" + "0" * 40 + "\n", "number-too-large", 3),
    ("surrogate.yaml", 'name: "Caf\\ud800"\nsteps: []\n', "bad-text", 1),
    ("nul.yaml", 'name: x\nsteps:\n  - {id: a, label: "a\\0b", lane: customer}\n', "bad-text", 3),
    ("bell.json", '{"name": "x\\u0007", "steps": []}', "bad-text", 1),
])
def test_data_no_blueprint_needs_is_refused_where_it_is(tmp_path: Path, name: str, text: str, code: str, where: int | None) -> None:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    error = _bounded(lambda: blueprint.load(p))
    assert isinstance(error, BlueprintFileError), repr(error)
    problem = error.problems[0]
    assert problem.code == code and problem.file == str(p) and problem.line == where, problem
    # the companion files read the same way
    for loader in ("shift templates", "scenarios"):
        read = LOADERS[loader]
        other = _bounded(lambda: read(p))  # noqa: B023 - called at once, inside the loop
        assert isinstance(other, BlueprintFileError) and other.problems[0].code == code, (loader, other)


def test_the_command_line_names_the_file_and_exits_non_zero(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    surrogate = tmp_path / "s.yaml"
    surrogate.write_text('name: "Caf\\ud800"\nsteps: []\n', encoding="utf-8")
    cases = [(["validate", "/dev/zero"], 2, "/dev/zero: is a character device"),
             (["render", str(deep), "-o", str(tmp_path / "x.svg")], 2, "nests too deeply"),
             (["validate", str(surrogate)], 1, "s.yaml:1: name: the text has a lone surrogate U+D800"),
             (["staff", str(EXAMPLE), "--templates", "/dev/zero"], 2, "/dev/zero: is a character device")]
    for args, code, says in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == code, (args, result.output)
        assert says in result.output and "Traceback" not in result.output, (args, result.output)


def test_an_example_still_reads() -> None:
    bp = blueprint.load(EXAMPLE)
    assert simulate.run(bp, replications=1, seed=1, days=0.05, progress=False).replications
