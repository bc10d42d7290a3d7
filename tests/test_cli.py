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
from simulate.cli import app

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


# -- simulate ----------------------------------------------------------------------------


def test_simulate_prints_figures_and_fail_points(tmp_path: Path) -> None:
    out = tmp_path / "fp.svg"
    result = runner.invoke(app, ["simulate", EXAMPLE, "--days", "1", "-r", "4", "--seed", "7", "--top", "3",
                                 "--what-if", "1", "--diagram", str(out)])
    assert result.exit_code == 0, result.output
    assert "seed 7" in result.output and "specialist: service level" in result.output
    assert "Fail points, most severe first (3 of" in result.output
    assert result.output.count("\nF") >= 3 and "F1 [" in result.output
    assert out.exists() and "badge" in out.read_text()


def test_simulate_json_for_scripts() -> None:
    result = runner.invoke(app, ["simulate", EXAMPLE, "-r", "3", "--seed", "5", "--top", "2", "--what-if", "0", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["seed"] == 5 and data["replications"] == 3
    assert data["summary"]["arrivals"]["mean"] > 1000
    assert [f["rank"] for f in data["fail_points"]] == [1, 2]
    assert all(f["finding"] for f in data["fail_points"])


def test_simulate_never_writes_over_an_input_or_an_existing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", EXAMPLE, "--diagram", EXAMPLE])
    assert result.exit_code == 2 and "is an input" in result.output
    existing = tmp_path / "x.svg"
    existing.write_text("mine")
    result = runner.invoke(app, ["simulate", EXAMPLE, "--diagram", str(existing)])
    assert result.exit_code == 2 and "exists" in result.output and existing.read_text() == "mine"
    result = runner.invoke(app, ["simulate", EXAMPLE, "--events", str(tmp_path / "log.txt")])
    assert result.exit_code == 2 and ".csv, .parquet or .xes" in result.output


def test_simulate_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and result.output.strip() == f"error: {tmp_path / 'nope.yaml'}: no such file"
    result = runner.invoke(app, ["simulate", EXAMPLE, "--days", "0"])
    assert result.exit_code == 2 and "days must be more than 0" in result.output
    result = runner.invoke(app, ["simulate", EXAMPLE, "--warmup", "soon"])
    assert result.exit_code == 2 and "warmup" in result.output


def test_simulate_writes_the_event_log(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    result = runner.invoke(app, ["simulate", EXAMPLE, "--days", "0.35", "-r", "2", "--seed", "1", "--top", "0",
                                 "--events", str(log)])
    assert result.exit_code == 0, result.output
    lines = log.read_text().splitlines()
    assert "case:concept:name" in lines[0] and len(lines) > 100
    # no customers at all (the hotline opens at 07:00): the columns are still there
    empty = tmp_path / "empty.csv"
    result = runner.invoke(app, ["simulate", EXAMPLE, "--days", "0.25", "-r", "1", "--top", "0", "--events", str(empty)])
    assert result.exit_code == 0, result.output
    assert "case:concept:name" in empty.read_text().splitlines()[0]


# -- staff -------------------------------------------------------------------------------

TEMPLATES = "examples/contact_center.shifts.yaml"


def test_staff_requirements_only() -> None:
    result = runner.invoke(app, ["staff", EXAMPLE, "--method", "sipp"])
    assert result.exit_code == 0, result.output
    assert "first_line: peak" in result.output and "specialist: peak" in result.output
    data = json.loads(runner.invoke(app, ["staff", EXAMPLE, "--json"]).stdout)
    assert data["method"] == "lag-sipp" and {r["role"] for r in data["requirements"]} == {"first_line", "specialist"}


def test_staff_plans_shifts_and_writes_new_files(tmp_path: Path) -> None:
    out, report, diagram = tmp_path / "staffed.yaml", tmp_path / "report.html", tmp_path / "after.svg"
    result = runner.invoke(app, ["staff", EXAMPLE, "-t", TEMPLATES, "--seed", "1", "-r", "6", "--spreadsheet",
                                 "-o", str(out), "--report", str(report), "--diagram", str(diagram)])
    assert result.exit_code == 0, result.output
    assert "Before and after" in result.output and "spreadsheet plan" in result.output and "new plan" in result.output
    staffed = blueprint.load(out)
    assert staffed.get_role("first_line").staffing.kind == "shifts"
    text = report.read_text()
    assert text.startswith("<!DOCTYPE html>") and "Before and after" in text and "data:image/png;base64," in text
    assert diagram.read_text().lstrip().startswith("<?xml")
    # the inputs are untouched and outputs are never overwritten without --force
    again = runner.invoke(app, ["staff", EXAMPLE, "-t", TEMPLATES, "-o", str(out)])
    assert again.exit_code == 2 and "exists" in again.output
    onto_input = runner.invoke(app, ["staff", EXAMPLE, "-t", TEMPLATES, "-o", TEMPLATES, "--force"])
    assert onto_input.exit_code == 2 and "is an input" in onto_input.output


def test_staff_bad_templates_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text("roles:\n  first_line:\n    templates:\n      - name: x\n        earliest_start: '25:00'\n        length: 8 h\n")
    result = runner.invoke(app, ["staff", EXAMPLE, "-t", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:5" in result.output and "roles.first_line.templates[0].earliest_start" in result.output
    missing = runner.invoke(app, ["staff", EXAMPLE, "-t", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    method = runner.invoke(app, ["staff", EXAMPLE, "--method", "guess"])
    assert method.exit_code == 2 and "method must be" in method.output


# -- compare -----------------------------------------------------------------------------

SCENARIOS = "examples/contact_center.scenarios.yaml"


def test_compare_prints_the_table_and_saves(tmp_path: Path) -> None:
    out, chart = tmp_path / "cmp.json", tmp_path / "sl.png"
    result = runner.invoke(app, ["compare", EXAMPLE, SCENARIOS, "-r", "3", "--days", "0.5", "--seed", "4", "--serial",
                                 "-o", str(out), "--chart", str(chart)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "baseline (baseline)" in result.output and "chatbot in front of the agents" in result.output
    assert "pp" in result.output and out.exists() and chart.stat().st_size > 1000
    import simulate

    loaded = simulate.Comparison.load(out)
    assert loaded.seed == 4 and "busier Monday" in loaded.names


def test_compare_json_for_scripts() -> None:
    result = runner.invoke(app, ["compare", EXAMPLE, SCENARIOS, "-r", "2", "--days", "0.5", "--seed", "4", "--serial", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["seed"] == 4 and data["baseline"] == "baseline"
    assert {d["scenario"] for d in data["differences"]} >= {"chatbot in front of the agents", "10-hour shifts"}


def test_compare_bad_scenarios_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("scenarios:\n  - name: more\n    extra_staff:\n      first_lin: {late: 1}\n")
    result = runner.invoke(app, ["compare", EXAMPLE, str(bad), "-r", "2", "--serial"])
    assert result.exit_code == 2
    assert "scenario 'more'" in result.output and "first_lin" in result.output
    out = runner.invoke(app, ["compare", EXAMPLE, SCENARIOS, "-o", SCENARIOS, "--force"])
    assert out.exit_code == 2 and "is an input" in out.output
