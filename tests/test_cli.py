"""The ``blueprint`` command: validate, schema and convert, as a user would run them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

import blueprint
from blueprint.cli import app

runner = CliRunner()
EXAMPLE = "examples/contact_center.yaml"


def test_validate_prints_the_summary_and_exits_zero() -> None:
    result = runner.invoke(app, ["validate", EXAMPLE])
    assert result.exit_code == 0, result.output
    assert "Blueprint: Customer support hotline" in result.output
    assert "first_line" in result.output and f"{EXAMPLE}: valid" in result.output


def test_validate_json_for_scripts() -> None:
    result = runner.invoke(app, ["validate", EXAMPLE, "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["valid"] is True and data["problems"] == []
    assert data["summary"]["Validation"] == "valid"


def test_validate_missing_file_is_one_line_and_exit_two(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {tmp_path / 'nope.yaml'}: no such file"


def test_validate_strict_fails_on_warnings(tmp_path: Path) -> None:
    p = tmp_path / "warn.yaml"
    p.write_text("name: Draft\nsteps:\n  - {label: Ask, lane: customer}\n")
    assert runner.invoke(app, ["validate", str(p)]).exit_code == 0
    result = runner.invoke(app, ["validate", str(p), "--strict"])
    assert result.exit_code == 1
    assert f"{p}:1: warning: arrivals: no arrivals" in result.output


def test_schema_prints_json_schema_that_accepts_the_examples() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    validator = jsonschema.Draft202012Validator(schema)
    data, _ = blueprint.files.read_data(Path(EXAMPLE).read_text(), source=EXAMPLE)
    assert list(validator.iter_errors(data)) == []
    bad = dict(data, steps=[{"label": "x", "lane": "nowhere"}])
    assert list(validator.iter_errors(bad))


def test_schema_to_a_new_file_only(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    assert runner.invoke(app, ["schema", "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text())["title"] == "Blueprint"
    before = out.read_text()
    result = runner.invoke(app, ["schema", "-o", str(out)])
    assert result.exit_code == 2 and "exists" in result.output
    assert out.read_text() == before


def test_convert_round_trip_and_never_overwrites(tmp_path: Path) -> None:
    src = tmp_path / "cc.yaml"
    shutil.copy(EXAMPLE, src)
    original = src.read_text()
    out = tmp_path / "cc.json"
    assert runner.invoke(app, ["convert", str(src), "-o", str(out)]).exit_code == 0
    assert blueprint.load(out) == blueprint.load(src)
    result = runner.invoke(app, ["convert", str(out), "-o", str(src)])
    assert result.exit_code == 2 and "exists" in result.output
    assert src.read_text() == original


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).parent / "blueprint"
    proc = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    for command in ("validate", "schema", "convert"):
        assert command in proc.stdout
