"""The ``blueprint`` command as a user and a script would run it: its tables, its strict JSON and CSV with
machine keys, the suffixes it refuses, and every exit code the README lists, through the real console entry."""

from __future__ import annotations

import csv
import importlib.metadata
import io
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import typer
from typer.testing import CliRunner

import blueprint
from blueprint.cli import EXIT_CODES, run
from simulate.cli import FIGURE_KEYS, app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "examples/contact_center.yaml"
TEMPLATES = "examples/contact_center.shifts.yaml"
SCENARIOS = "examples/contact_center.scenarios.yaml"
EXE = Path(sys.executable).parent / "blueprint"
MACHINE_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def strict_json(text: str) -> Any:
    """Parse as a strict JSON parser would: NaN, Infinity and -Infinity are refused."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def machine_keys(data: Any, names: set[str], where: str = "") -> None:
    """Every key of ``data`` is snake_case, except role and scenario names (``names``) used as keys."""
    if isinstance(data, dict):
        for k, v in data.items():
            assert k in names or MACHINE_KEY.match(k), f"{where}: key {k!r} is not a machine key"
            machine_keys(v, names, f"{where}.{k}")
    elif isinstance(data, list):
        for i, v in enumerate(data):
            machine_keys(v, names, f"{where}[{i}]")


def console(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed ``blueprint`` command, run as a script would run it (output to pipes)."""
    environ = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | (env or {})
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, cwd=cwd, env=environ, timeout=600, check=False)


# -- validate, schema, convert ----------------------------------------------------------------


def test_validate_prints_the_summary_and_exits_zero() -> None:
    result = runner.invoke(app, ["validate", EXAMPLE])
    assert result.exit_code == 0, result.output
    assert "Blueprint: Customer support hotline" in result.output
    assert "first_line" in result.output and f"{EXAMPLE}: 0 errors, 1 warning" in result.output
    # the warning (all specialists on a break at once) is printed, located, and leaves the exit code 0
    assert "contact_center.yaml:121: warning: steps[7].role: customers reach 'specialist'" in " ".join(result.output.split())


def test_validate_json_has_machine_keys() -> None:
    result = runner.invoke(app, ["validate", EXAMPLE, "--json"])
    assert result.exit_code == 0
    data = strict_json(result.stdout)
    assert data["valid"] is True and [(p["severity"], p["code"]) for p in data["problems"]] == [("warning", "uncovered")]
    bp = blueprint.load(EXAMPLE)
    summary = data["summary"]
    assert summary["name"] == bp.name and summary["steps"] == len(bp.steps) == sum(summary["steps_by_lane"].values())
    assert summary["roles"] == ["chatbot", "first_line", "specialist"] and summary["arrivals"] == ["callers"]
    assert (summary["errors"], summary["warnings"]) == (0, 1)
    machine_keys(data, set())


def test_validate_json_of_a_broken_file_lists_located_problems(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("name: Bad\nsteps:\n  - {label: Ask, lane: customer, colour: red}\n")
    result = runner.invoke(app, ["validate", str(p), "--json"])
    assert result.exit_code == 1
    data = strict_json(result.stdout)
    assert data["valid"] is False and "summary" not in data
    assert [(q["path"], q["line"]) for q in data["problems"]] == [("steps[0].colour", 3)]
    machine_keys(data, set())


def test_validate_json_of_an_unreadable_file(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text('{"name": "X", "steps": [}')
    result = runner.invoke(app, ["validate", str(p), "--json"])
    assert result.exit_code == 2
    data = strict_json(result.stdout)
    assert data["valid"] is False and data["problems"][0]["code"] == "not-json" and data["problems"][0]["line"] == 1


def test_validate_csv_has_one_row_per_problem_and_the_exit_codes_of_validate(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", EXAMPLE, "--csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["severity"], r["code"], r["path"]) for r in rows] == [("warning", "uncovered", "steps[7].role")]
    assert rows[0]["file"] == str(EXAMPLE) and int(rows[0]["line"]) > 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Bad\nsteps:\n  - {label: Ask, lane: customer, colour: red}\n")
    result = runner.invoke(app, ["validate", str(bad), "--csv"])
    assert result.exit_code == 1
    assert [(r["path"], r["line"]) for r in csv.DictReader(io.StringIO(result.stdout))] == [("steps[0].colour", "3")]
    broken = tmp_path / "bad.json"
    broken.write_text('{"name": "X", "steps": [}')
    result = runner.invoke(app, ["validate", str(broken), "--csv"])
    assert result.exit_code == 2 and next(csv.DictReader(io.StringIO(result.stdout)))["code"] == "not-json"
    assert runner.invoke(app, ["validate", EXAMPLE, "--csv", "--json"]).exit_code == 2


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
    schema = strict_json(result.stdout)
    validator = jsonschema.Draft202012Validator(schema)
    data, _ = blueprint.files.read_data(Path(EXAMPLE).read_text(), source=EXAMPLE)
    assert list(validator.iter_errors(data)) == []
    bad = dict(data, steps=[{"label": "x", "lane": "nowhere"}])
    assert list(validator.iter_errors(bad))


def test_schema_to_a_new_json_file_only(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    assert runner.invoke(app, ["schema", "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text())["title"] == "Blueprint"
    before = out.read_text()
    result = runner.invoke(app, ["schema", "-o", str(out)])
    assert result.exit_code == 2 and "exists" in result.output
    assert out.read_text() == before
    yaml_out = tmp_path / "s.yaml"
    result = runner.invoke(app, ["schema", "-o", str(yaml_out)])
    assert result.exit_code == 2 and "ending in .json" in result.output and not yaml_out.exists()


def test_convert_round_trip_and_never_overwrites(tmp_path: Path) -> None:
    src = tmp_path / "cc.yaml"
    shutil.copy(EXAMPLE, src)
    original = src.read_text()
    out = tmp_path / "cc.json"
    assert runner.invoke(app, ["convert", str(src), "-o", str(out)]).exit_code == 0
    assert blueprint.load(out) == blueprint.load(src)
    result = runner.invoke(app, ["convert", str(out), "-o", str(src)])
    assert result.exit_code == 2 and "exists" in result.output
    result = runner.invoke(app, ["convert", str(src), "-o", str(src)])
    assert result.exit_code == 2 and "is an input" in result.output
    assert src.read_text() == original


def test_convert_writes_a_draft_with_errors_and_says_so(tmp_path: Path) -> None:
    src = tmp_path / "draft.yaml"
    src.write_text(Path(EXAMPLE).read_text().replace("to: answer", "to: nowhere", 1))
    clean = runner.invoke(app, ["convert", EXAMPLE, "-o", str(tmp_path / "cc.json")])
    assert clean.exit_code == 0 and "note:" not in clean.output
    result = runner.invoke(app, ["convert", str(src), "-o", str(tmp_path / "draft.json")])
    assert result.exit_code == 0 and (tmp_path / "draft.json").exists()  # a work in progress may be converted
    assert "written as it is, with 1 validation error" in result.output and "unknown step 'nowhere'" in result.output


def test_convert_refuses_a_suffix_it_cannot_write(tmp_path: Path) -> None:
    for name in ("x.toml", "x.txt", "x"):
        out = tmp_path / name
        result = runner.invoke(app, ["convert", EXAMPLE, "-o", str(out)])
        assert result.exit_code == 2, name
        assert "choose a file ending in .yaml, .yml or .json" in result.output and not out.exists()


def test_render_refuses_a_suffix_it_cannot_write(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", EXAMPLE, "-o", str(tmp_path / "d.jpg")])
    assert result.exit_code == 2 and ".svg, .png or .pdf" in result.output


def test_render_says_when_a_journey_in_one_row_is_too_wide_for_a_slide(tmp_path: Path) -> None:
    wide = runner.invoke(app, ["render", "examples/hotel.yaml", "-o", str(tmp_path / "h.svg")])
    assert wide.exit_code == 0 and "pass --max-columns" in wide.stderr and "in one row" in wide.stderr
    fit = int(wide.stderr.split("--max-columns ")[1].split()[0])
    wrapped = runner.invoke(app, ["render", "examples/hotel.yaml", "-o", str(tmp_path / "w.svg"), "--max-columns", str(fit)])
    assert wrapped.exit_code == 0 and "note:" not in wrapped.stderr
    assert float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', (tmp_path / "w.svg").read_text()).group(1)) <= 2400  # type: ignore[union-attr]
    small = runner.invoke(app, ["render", "examples/coffee_shop.yaml", "-o", str(tmp_path / "c.svg")])
    assert small.exit_code == 0 and "note:" not in small.stderr


def test_an_output_that_is_a_folder_is_told_to_name_a_file_in_it(tmp_path: Path) -> None:
    for name in ("adir", "diagrams.svg"):  # a folder with or without a suffix
        folder = tmp_path / name
        folder.mkdir()
        result = runner.invoke(app, ["render", EXAMPLE, "-o", str(folder)])
        assert result.exit_code == 2, name
        assert f"{folder} is a folder; name a file in it, ending in .svg, .png or .pdf" in result.output
        assert "suffix-less" not in result.output and list(folder.iterdir()) == []


# -- the command itself ----------------------------------------------------------------------


def test_console_script_is_installed() -> None:
    proc = console("--help")
    assert proc.returncode == 0
    for command in ("validate", "schema", "convert", "simulate", "staff", "compare"):
        assert command in proc.stdout


def test_version_from_the_installed_metadata() -> None:
    proc = console("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"blueprint (service-blueprint) {importlib.metadata.version('service-blueprint')}"


def test_version_in_a_checkout_that_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    declared = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert declared is not None
    assert blueprint.cli.version() == f"{declared.group(1)}+checkout"


def test_tables_are_full_width_when_piped() -> None:
    proc = console("validate", EXAMPLE)
    assert proc.returncode == 0
    # the line crossings row is longer than 80 columns; in a pipe it stays one line, not wrapped
    row = next(line for line in proc.stdout.splitlines() if "Line crossings" in line)
    assert "moments of truth" in row and len(row) > 100


# -- exit codes, through the installed command -------------------------------------------------


def test_the_readme_lists_every_exit_code() -> None:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("| exit code |"):]
    rows = re.findall(r"^\| `?(\d+)`? \|", section[: section.index("\n\n")], re.M)
    assert sorted(int(r) for r in rows) == sorted(EXIT_CODES)


def test_exit_0_for_a_valid_blueprint() -> None:
    assert console("validate", EXAMPLE).returncode == 0


def test_exit_1_for_an_unknown_field(tmp_path: Path) -> None:
    p = tmp_path / "extra.yaml"
    p.write_text("name: X\nsteps:\n  - {label: Ask, lane: customer}\nowner: me\n")
    for command in (["validate", str(p)], ["simulate", str(p)], ["render", str(p), "-o", str(tmp_path / "d.svg")]):
        proc = console(*command)
        assert proc.returncode == 1, (command, proc.stderr)
        assert f"{p}:4: owner: unknown field 'owner'" in proc.stderr


def test_exit_1_for_an_invalid_blueprint(tmp_path: Path) -> None:
    p = tmp_path / "bad_role.yaml"
    p.write_text("name: X\nsteps:\n  - {label: Ask, lane: onstage, role: nobody}\n")
    for command in ("validate", "simulate"):
        proc = console(command, str(p))
        assert proc.returncode == 1, proc.stderr
        assert "unknown role 'nobody'" in proc.stderr


def test_exit_1_for_an_unknown_field_in_scenarios_and_templates(tmp_path: Path) -> None:
    scenarios = tmp_path / "s.yaml"
    scenarios.write_text("scenarios: []\nowner: me\n")
    proc = console("compare", EXAMPLE, str(scenarios), "-r", "2")
    assert proc.returncode == 1 and f"{scenarios}:2: owner: unknown field 'owner'" in proc.stderr
    templates = tmp_path / "t.yaml"
    templates.write_text("templates:\n  - {name: day, earliest_start: '08:00', length: 8 h}\nowner: me\n")
    proc = console("staff", EXAMPLE, "-t", str(templates))
    assert proc.returncode == 1 and "unknown field 'owner'" in proc.stderr


@pytest.mark.parametrize("text, says", [
    (None, "no such file"),
    ("name: [unclosed\n", "not valid YAML"),
    ("name: X\nname: Y\n", "given twice"),
    ("- just\n- a list\n", "not a blueprint"),
])
def test_exit_2_for_a_file_that_cannot_be_read(tmp_path: Path, text: str | None, says: str) -> None:
    p = tmp_path / "in.yaml"
    if text is not None:
        p.write_text(text)
    proc = console("validate", str(p))
    assert proc.returncode == 2 and says in proc.stderr and proc.stdout == ""


def test_exit_2_for_bad_usage(tmp_path: Path) -> None:
    assert console("simulate", EXAMPLE, "--days", "soon").returncode == 2
    assert console("simulate", EXAMPLE, "--days", "0").returncode == 2
    assert console("simulate", EXAMPLE, "--json", "--csv").returncode == 2
    proc = console("convert", EXAMPLE, "-o", str(tmp_path / "x.toml"))
    assert proc.returncode == 2 and not (tmp_path / "x.toml").exists()


def test_exit_3_when_graphviz_is_missing(tmp_path: Path) -> None:
    proc = console("render", EXAMPLE, "-o", str(tmp_path / "d.svg"), env={"PATH": str(EXE.parent)})
    assert proc.returncode == 3 and "Graphviz" in proc.stderr and not (tmp_path / "d.svg").exists()


def test_exit_3_and_a_traceback_for_a_bug(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    broken = typer.Typer()

    @broken.command()
    def crash() -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(sys, "argv", ["blueprint"])
    with pytest.raises(SystemExit) as e:
        run(broken)
    assert e.value.code == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: a bug" in err and "please report it" in err


def _ctrl_c_as_a_terminal() -> None:
    """In the child: Ctrl-C as a terminal delivers it, even when the tests run where it is ignored (a job started
    in the background by a shell without job control inherits SIGINT ignored, and Python then never raises
    KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_exit_130_on_ctrl_c(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    proc = subprocess.Popen([str(EXE), "simulate", EXAMPLE, "--days", "7", "-r", "40", "--top", "0"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_ctrl_c_as_a_terminal)
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not (children.exists() and children.read_text().strip()):
        time.sleep(0.1)  # until the replications run in worker processes
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err


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


@pytest.fixture(scope="module")
def simulated() -> dict[str, Any]:
    """``simulate --json`` of the contact centre, and the same run through the Python API."""
    import simulate

    result = runner.invoke(app, ["simulate", EXAMPLE, "-r", "3", "--seed", "5", "--top", "2", "--what-if", "0", "--json"])
    assert result.exit_code == 0, result.output
    same = simulate.run(blueprint.load(EXAMPLE), replications=3, seed=5, progress=False)
    return {"json": result.stdout, "results": same}


def test_simulate_json_is_strict_with_machine_keys(simulated: dict[str, Any]) -> None:
    data = strict_json(simulated["json"])
    assert "NaN" not in simulated["json"] and "Infinity" not in simulated["json"]
    machine_keys(data, {"chatbot", "first_line", "specialist"})
    assert data["seed"] == 5 and data["replications"] == 3 and data["days"] == 1
    assert set(data["roles"]) == {"chatbot", "first_line", "specialist"}
    # the chatbot is never on duty: its occupancy is undefined, null rather than NaN
    assert data["roles"]["chatbot"]["occupancy"] == {"mean": None, "ci_low": None, "ci_high": None}
    assert [f["rank"] for f in data["fail_points"]] == [1, 2] and all(f["finding"] for f in data["fail_points"])
    assert all(set(f) >= {"kind", "step", "role", "start", "end", "severity", "value", "ci_low", "ci_high"}
               for f in data["fail_points"])


def test_simulate_json_figures_are_the_runs_figures(simulated: dict[str, Any]) -> None:
    data, results = strict_json(simulated["json"]), simulated["results"]
    reps = results.replications
    arrivals = [r.journeys.arrivals for r in reps]
    assert data["figures"]["arrivals"]["mean"] == pytest.approx(sum(arrivals) / len(arrivals))
    cost = [sum(t.cost for t in r.role_totals.values()) for r in reps]
    assert data["figures"]["cost"]["mean"] == pytest.approx(sum(cost) / len(cost))
    for role in ("first_line", "specialist"):
        fig = data["roles"][role]
        paid = [r.role_totals[role].paid_hours for r in reps]
        assert fig["paid_hours"]["mean"] == pytest.approx(sum(paid) / len(paid))
        assert 0 <= fig["service_level"]["ci_low"] <= fig["service_level"]["mean"] <= fig["service_level"]["ci_high"] <= 1


def test_simulate_csv_has_the_json_figures() -> None:
    result = runner.invoke(app, ["simulate", EXAMPLE, "-r", "3", "--seed", "5", "--top", "0", "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["figure", "role", "mean", "ci_low", "ci_high"]
    data = strict_json(runner.invoke(app, ["simulate", EXAMPLE, "-r", "3", "--seed", "5", "--top", "0", "--json"]).stdout)
    by_key = {(r["figure"], r["role"]): r for r in rows}
    assert float(by_key[("arrivals", "")]["mean"]) == data["figures"]["arrivals"]["mean"]
    assert float(by_key[("service_level", "specialist")]["ci_high"]) == data["roles"]["specialist"]["service_level"]["ci_high"]
    assert by_key[("occupancy", "chatbot")]["mean"] == ""  # undefined: empty, never "nan"
    assert "nan" not in result.stdout.lower()


def test_simulate_json_with_outputs_stays_parseable(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    result = runner.invoke(app, ["simulate", EXAMPLE, "--days", "0.4", "-r", "2", "--seed", "1", "--top", "0",
                                 "--events", str(log), "--json"])
    assert result.exit_code == 0, result.output
    strict_json(result.stdout)  # "wrote ..." goes to stderr
    assert f"wrote {log}" in result.stderr and log.exists()


def test_simulate_never_writes_over_an_input_or_an_existing_file(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "cc.yaml")
    result = runner.invoke(app, ["simulate", str(tmp_path / "cc.yaml"), "--events", str(tmp_path / "cc.yaml")])
    assert result.exit_code == 2 and ".csv, .parquet or .xes" in result.output
    as_input = tmp_path / "cc.svg"
    shutil.copy(EXAMPLE, as_input)
    result = runner.invoke(app, ["simulate", str(as_input), "--diagram", str(as_input)])
    assert result.exit_code == 2 and "is an input" in result.output
    existing = tmp_path / "x.svg"
    existing.write_text("mine")
    result = runner.invoke(app, ["simulate", EXAMPLE, "--diagram", str(existing)])
    assert result.exit_code == 2 and "exists" in result.output and existing.read_text() == "mine"
    result = runner.invoke(app, ["simulate", EXAMPLE, "--events", str(tmp_path / "log.txt")])
    assert result.exit_code == 2 and ".csv, .parquet or .xes" in result.output
    result = runner.invoke(app, ["simulate", EXAMPLE, "--diagram", str(tmp_path / "d.gif")])
    assert result.exit_code == 2 and ".svg, .png or .pdf" in result.output


def test_simulate_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and result.output.strip() == f"error: {tmp_path / 'nope.yaml'}: no such file"
    result = runner.invoke(app, ["simulate", EXAMPLE, "--days", "0"])
    assert result.exit_code == 2 and "days must be a finite number more than 0" in result.output
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


def test_simulate_in_a_pipe_writes_no_progress_bar() -> None:
    proc = console("simulate", EXAMPLE, "--days", "2", "-r", "4", "--seed", "1", "--top", "0", "--json")
    assert proc.returncode == 0, proc.stderr
    strict_json(proc.stdout)
    assert "\r" not in proc.stderr and proc.stderr == ""


# -- staff -------------------------------------------------------------------------------


def test_bad_option_values_are_said_plainly() -> None:
    """typer checks option values with pydantic; its wording ("Input should be greater than or equal to 1")
    is not what the rest of the command line says."""
    for args, said in ((["-r", "0"], "'--replications' / '-r': must be ≥ 1, got 0"),
                       (["--seed", "-1"], "'--seed': must be ≥ 0, got -1"),
                       (["--days", "soon"], "'--days': expected a number, got soon")):
        result = runner.invoke(app, ["simulate", EXAMPLE, *args])
        assert result.exit_code == 2 and said in " ".join(result.output.split()), result.output
        assert "Input should be" not in result.output


def test_staff_requirements_only() -> None:
    result = runner.invoke(app, ["staff", EXAMPLE, "--method", "sipp"])
    assert result.exit_code == 0, result.output
    assert "first_line: peak" in result.output and "specialist: peak" in result.output
    assert re.search(r"first_line: peak \d+ staff at \d\d:\d\d; ", result.output), result.output  # a one-day run reads 10:15
    assert "2024-01-01" not in result.output
    out = runner.invoke(app, ["staff", EXAMPLE, "--json"]).stdout
    data = strict_json(out)
    machine_keys(data, set())
    assert data["method"] == "lag-sipp" and data["interval_seconds"] == 900
    assert {r["role"] for r in data["requirements"]} == {"first_line", "specialist"}
    assert all(r["handle_time"] is None for r in data["requirements"] if r["arrival_rate"] == 0)  # no calls: null, not NaN
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["staff", EXAMPLE, "--csv"]).stdout)))
    assert len(rows) == len(data["requirements"]) and rows[40]["required"] == str(data["requirements"][40]["required"])


def test_staff_over_a_horizon_before_the_first_customer_says_so() -> None:
    """The contact centre opens at 07:00: a third of a day (to 07:55) reaches its first callers only just, a
    quarter (to 06:00) none. The plan had been refused with 'role never has anyone on duty', blaming the blueprint."""
    templates = ["-t", "examples/contact_center.shifts.yaml", "--seed", "1", "-r", "1", "--max-replications", "4"]
    planned = runner.invoke(app, ["staff", EXAMPLE, *templates, "--days", "0.25"])
    assert planned.exit_code == 2
    assert "none arrives in the 0.25-day horizon (Monday 00:00 to 06:00), so there is nothing to staff" in planned.output
    assert "never has anyone on duty" not in planned.output
    alone = runner.invoke(app, ["staff", EXAMPLE, "--days", "0.25"])
    assert alone.exit_code == 0 and "Note: no customer arrives in the 0.25-day horizon" in alone.output


def test_staff_plans_shifts_and_writes_new_files(tmp_path: Path) -> None:
    out, report, diagram = tmp_path / "staffed.yaml", tmp_path / "report.html", tmp_path / "after.svg"
    result = runner.invoke(app, ["staff", EXAMPLE, "-t", TEMPLATES, "--seed", "1", "-r", "6", "--spreadsheet", "--level", "day",
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
    for option, name in (("-o", "x.toml"), ("--report", "r.pdf"), ("--diagram", "d.html")):
        refused = runner.invoke(app, ["staff", EXAMPLE, "-t", TEMPLATES, option, str(tmp_path / name)])
        assert refused.exit_code == 2 and "choose a file ending in" in refused.output


@pytest.mark.parametrize("option, value, expected", [
    ("--level", "fortnight", "--level 'fortnight': use one of interval, hour, day, week"),
    ("--after-hours", "maybe", "--after-hours 'maybe': use one of judge, exclude"),
    ("--margin", "5", "--margin 5.0: a share from 0 to below 1"),
    ("--min-volume", "nan", "--min-volume nan: a number of calls"),
    ("--objective", "happiness", "--objective 'happiness': use one of paid_hours, headcount, cost"),
])
def test_staff_refuses_a_bad_plan_option_also_without_templates(option: str, value: str, expected: str) -> None:
    result = runner.invoke(app, ["staff", EXAMPLE, option, value])  # the requirements alone used to print, exit 0
    assert result.exit_code == 2 and expected in result.output, result.output


def test_staff_with_a_cap_under_twenty_replications_checks_the_plan_on_as_many() -> None:
    # the held-out check started at 20 replications and failed after the whole search on a smaller cap
    result = runner.invoke(app, ["staff", EXAMPLE, "-t", TEMPLATES, "--seed", "1", "-r", "2", "--max-replications", "8",
                                 "--level", "day", "--json"])
    assert result.exit_code == 0, result.output
    assert strict_json(result.stdout)["plans"]


def test_staff_plan_json_has_machine_keys() -> None:
    quick = ["--seed", "1", "-r", "3", "--max-replications", "12"]  # the shape of the output, not the plan: no replications added
    result = runner.invoke(app, ["staff", EXAMPLE, "-t", TEMPLATES, *quick, "--json"])
    assert result.exit_code == 0, result.output
    data = strict_json(result.stdout)
    machine_keys(data, {"first_line", "specialist"} | {"Mon"})
    assert set(data["before_after"]) == {"before", "new_plan"}
    new = data["before_after"]["new_plan"]
    assert set(new["roles"]) == {"first_line", "specialist"}
    assert {"service_level", "abandonment", "paid_hours"} <= set(new["roles"]["first_line"])
    assert {"intervals_below_target", "intervals_clearly_below_target", "paid_hours", "cost"} == set(new["figures"])
    assert all(set(r) <= set(FIGURE_KEYS.values()) for r in new["roles"].values())
    assert new["figures"]["paid_hours"]["mean"] == pytest.approx(sum(p["paid_hours"] for p in data["plans"].values()))
    sl = new["roles"]["first_line"]["service_level"]
    assert 0 <= sl["ci_low"] <= sl["mean"] <= sl["ci_high"] <= 1
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["staff", EXAMPLE, "-t", TEMPLATES, *quick, "--csv"]).stdout)))
    assert list(rows[0])[:5] == ["figure", "role", "before", "before_ci_low", "before_ci_high"]
    row = next(r for r in rows if (r["figure"], r["role"]) == ("service_level", "first_line"))
    assert float(row["new_plan"]) == sl["mean"]
    assert isinstance(data["notes"], list)


def test_staff_keeps_a_role_as_declared(tmp_path: Path) -> None:
    """``--keep`` leaves a role without templates at its declared staffing; without it the command says how."""
    shop = "examples/coffee_shop.yaml"
    templates = tmp_path / "shop.shifts.yaml"
    four = '[{name: four, earliest_start: "06:00", latest_start: "16:00", start_step: 30 min, length: 4 h}]'
    templates.write_text(f"roles:\n  cashier: {four}\n  barista: {four}\n", encoding="utf-8")
    refused = runner.invoke(app, ["staff", shop, "-t", str(templates), "--seed", "1", "-r", "3"])
    assert refused.exit_code != 0 and "--keep espresso_machine" in refused.output
    result = runner.invoke(app, ["staff", shop, "-t", str(templates), "--seed", "1", "-r", "3", "--keep", "espresso_machine",
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = strict_json(result.stdout)
    assert sorted(data["plans"]) == ["barista", "cashier"]
    assert "espresso_machine" in data["before_after"]["new_plan"]["roles"]
    alone = runner.invoke(app, ["staff", shop, "--seed", "1", "-r", "3", "--keep", "espresso_machine", "--json"])
    assert alone.exit_code == 0, alone.output  # the requirements alone leave it out as well
    assert {r["role"] for r in strict_json(alone.stdout)["requirements"]} == {"barista", "cashier"}
    unknown = runner.invoke(app, ["staff", shop, "--seed", "1", "-r", "3", "--keep", "espresso"])
    assert unknown.exit_code != 0 and "'espresso' is not a role" in unknown.output


def test_staff_search_cap_is_an_option() -> None:
    """``--max-replications`` caps the search; stopped there with periods leaning to a miss, the plan says so."""
    result = runner.invoke(app, ["staff", EXAMPLE, "-t", TEMPLATES, "--seed", "1", "-r", "3", "--max-replications", "12",
                                 "--json"])
    assert result.exit_code == 0, result.output
    [note] = strict_json(result.stdout)["notes"]
    assert "cap of 12 replications" in note and "max_replications=24" in note


def test_staff_bad_templates_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text("roles:\n  first_line:\n    templates:\n      - name: x\n        earliest_start: '25:00'\n        length: 8 h\n")
    result = runner.invoke(app, ["staff", EXAMPLE, "-t", str(bad)])
    assert result.exit_code == 1  # read, but what it says is invalid
    assert f"{bad}:5" in result.output and "roles.first_line.templates[0].earliest_start" in result.output
    missing = runner.invoke(app, ["staff", EXAMPLE, "-t", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    method = runner.invoke(app, ["staff", EXAMPLE, "--method", "guess"])
    assert method.exit_code == 2 and "method must be" in method.output


# -- compare -----------------------------------------------------------------------------


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


def test_compare_notes_a_scenario_that_changes_nothing(tmp_path: Path) -> None:
    scenarios = tmp_path / "same.yaml"
    scenarios.write_text("scenarios:\n  - name: same\n", encoding="utf-8")
    result = runner.invoke(app, ["compare", EXAMPLE, str(scenarios), "-r", "1", "--days", "0.4", "--seed", "1", "--serial"])
    assert result.exit_code == 0, result.output
    assert "Note: Scenario 'same' changes nothing in the blueprint" in result.output


def test_compare_table_fits_a_narrow_terminal() -> None:
    """At 80 columns names fold onto more lines instead of being cut short, and differences keep the
    precision of the figures they compare (a tenth of a point, a tenth of a second)."""
    result = runner.invoke(app, ["compare", EXAMPLE, SCENARIOS, "-r", "2", "--days", "0.5", "--seed", "4", "--serial"],
                           env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    assert "first_line" in result.output and "specialist" in result.output
    assert max(len(line) for line in result.output.splitlines() if line.startswith(("│", "┃"))) <= 80
    assert not re.search(r"\d\.\d\d+ (pp|s)\b", result.output), result.output


@pytest.fixture(scope="module")
def compared() -> dict[str, Any]:
    args = ["compare", EXAMPLE, SCENARIOS, "-r", "2", "--days", "0.5", "--seed", "4", "--serial"]
    as_json = runner.invoke(app, [*args, "--json"])
    as_csv = runner.invoke(app, [*args, "--csv"])
    assert as_json.exit_code == 0 and as_csv.exit_code == 0, as_json.output + as_csv.output
    return {"json": strict_json(as_json.stdout), "csv": list(csv.DictReader(io.StringIO(as_csv.stdout)))}


def test_compare_json_has_machine_keys(compared: dict[str, Any]) -> None:
    data = compared["json"]
    names = set(data["scenarios"])
    machine_keys(data, names | {"first_line", "specialist"})
    assert data["seed"] == 4 and data["baseline"] == "baseline" and data["replications"] == 2
    assert {"chatbot in front of the agents", "10-hour shifts"} <= set(data["differences"]) and "baseline" not in data["differences"]
    assert data["notes"] == []  # every scenario changes something; see the next test for one that does not
    base = data["figures"]["baseline"]
    assert {"arrivals", "abandonment", "time_in_system_mean", "paid_hours", "cost"} <= set(base["figures"])
    assert set(base["roles"]) == {"first_line", "specialist"}
    assert {"service_level", "asa", "abandonment", "occupancy", "paid_hours"} == set(base["roles"]["first_line"])
    # every figure has a key of its own, not one made up from a label
    known = set(FIGURE_KEYS.values())
    for group in [*data["figures"].values(), *data["differences"].values()]:
        assert set(group["figures"]) <= known and all(set(r) <= known for r in group["roles"].values())
    late = data["differences"]["one more late agent"]
    # the difference is the two scenarios' means apart (common random numbers: paired by replication)
    sl = late["roles"]["first_line"]["service_level"]
    means = [data["figures"][n]["roles"]["first_line"]["service_level"]["mean"] for n in ("baseline", "one more late agent")]
    assert sl["difference"] == pytest.approx(means[1] - means[0]) and isinstance(sl["significant"], bool)


def test_compare_csv_is_the_json_in_rows(compared: dict[str, Any]) -> None:
    data, rows = compared["json"], compared["csv"]
    assert list(rows[0]) == ["scenario", "figure", "role", "step", "mean", "ci_low", "ci_high", "difference",
                             "difference_ci_low", "difference_ci_high", "significant"]
    n_figures = sum(len(g["figures"]) + sum(len(r) for r in g["roles"].values()) + sum(len(s) for s in g["steps"].values())
                    for g in data["figures"].values())
    assert len(rows) == n_figures
    # each step with a wait point: its experience loss per customer, keyed under the step
    loss = data["differences"]["one more late agent"]["steps"]["answer"]["experience_loss_per_customer"]
    assert loss["difference"] == 0 and loss["significant"] is False  # half a day: the late shift starts at 12:30
    assert {r["step"] for r in rows if r["figure"] == "experience_loss_per_customer"} == {"answer", "specialist"}
    row = next(r for r in rows if (r["scenario"], r["figure"], r["role"]) == ("10-hour shifts", "cost", ""))
    cost = data["differences"]["10-hour shifts"]["figures"]["cost"]
    assert math.isclose(float(row["difference"]), cost["difference"]) and row["significant"] in ("true", "false")
    assert all(r["difference"] == "" for r in rows if r["scenario"] == "baseline")


def test_compare_bad_scenarios_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("scenarios:\n  - name: more\n    extra_staff:\n      first_lin: {late: 1}\n")
    result = runner.invoke(app, ["compare", EXAMPLE, str(bad), "-r", "2", "--serial"])
    assert result.exit_code == 1  # the file reads, but the scenario names a role the blueprint lacks
    assert "scenario 'more'" in result.output and "first_lin" in result.output
    out = runner.invoke(app, ["compare", EXAMPLE, SCENARIOS, "-o", SCENARIOS, "--force"])
    assert out.exit_code == 2 and "ending in .json or .parquet" in out.output
    shutil.copy(SCENARIOS, tmp_path / "s.json")
    out = runner.invoke(app, ["compare", EXAMPLE, str(tmp_path / "s.json"), "-o", str(tmp_path / "s.json"), "--force"])
    assert out.exit_code == 2 and "is an input" in out.output


def test_control_characters_in_names_are_printed_as_escapes_not_sent_to_the_terminal(tmp_path: Path) -> None:
    """A name holding ESC[31m or a bell shows as text in the table, the messages and the CSV; the JSON escapes it."""
    text = Path("examples/coffee_shop.yaml").read_text()
    path = tmp_path / "ctrl.yaml"
    path.write_text(text.replace("name: Coffee shop", 'name: "Coffee\\x1b[31mRED\\x07"', 1)
                    .replace("label: Take order", 'label: "Take\\x1b[2Jorder"', 1))
    for args in (["validate", str(path)], ["validate", "--csv", str(path)], ["simulate", str(path), "-r", "2", "--seed", "1"]):
        result = CliRunner().invoke(app, args)
        assert "\x1b" not in result.output and "\x07" not in result.output, args
    table = CliRunner().invoke(app, ["validate", str(path)]).output
    assert "Coffee\\x1b[31mRED\\x07" in table
    data = json.loads(CliRunner().invoke(app, ["validate", "--json", str(path)]).output)
    assert data["summary"]["name"] == "Coffee\x1b[31mRED\x07"  # the JSON keeps the text, escaped by JSON itself


@pytest.mark.parametrize("command", [["simulate"], ["staff"], ["compare", "examples/contact_center.scenarios.yaml"]])
def test_a_blueprint_without_arrivals_is_refused_where_its_arrivals_would_be(command: list[str], tmp_path: Path) -> None:
    path = tmp_path / "still.yaml"
    path.write_text("name: Still\nsteps:\n  - {id: look, label: Look, lane: customer}\nflows: []\n")
    result = runner.invoke(app, [command[0], str(path), *command[1:]])
    assert result.exit_code == 1, result.output
    assert f"error: {path}:1: arrivals: the blueprint has no arrivals: nothing to simulate" in " ".join(result.output.split())


def test_an_output_that_cannot_be_written_is_refused_before_the_run(tmp_path: Path) -> None:
    """A diagram asked for in a missing folder (or one nobody can write in) is refused at once, not after the run."""
    missing = tmp_path / "nowhere" / "fp.svg"
    result = runner.invoke(app, ["simulate", "examples/coffee_shop.yaml", "--diagram", str(missing)])
    assert result.exit_code == 2 and f"the folder {missing.parent} does not exist" in " ".join(result.output.split())
    if Path("/proc/self").exists():  # a folder where no file can be made, even by root
        result = runner.invoke(app, ["simulate", "examples/coffee_shop.yaml", "--diagram", "/proc/fp.svg"])
        assert result.exit_code == 3 and "cannot write in /proc" in result.output
    assert "simulating" not in result.output.lower()


def test_csv_cells_that_start_like_a_formula_are_kept_as_text(tmp_path: Path) -> None:
    """A role named like a spreadsheet formula is written behind an apostrophe in every --csv output."""
    text = (ROOT / "examples" / "coffee_shop.yaml").read_text(encoding="utf-8")
    path = tmp_path / "formula.yaml"
    path.write_text(text.replace("name: cashier", 'name: "=HYPERLINK(1)"').replace("role: cashier", 'role: "=HYPERLINK(1)"'),
                    encoding="utf-8")
    result = runner.invoke(app, ["simulate", str(path), "--days", "0.5", "-r", "2", "--seed", "1", "--csv"])
    assert result.exit_code == 0, result.output
    cells = [c for line in result.stdout.splitlines() for c in line.split(",")]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells


def test_staff_refuses_plan_outputs_without_templates(tmp_path: Path) -> None:
    """-o, --report and --diagram write the shift plan: without --templates there is none, and it says so."""
    result = runner.invoke(app, ["staff", str(ROOT / "examples" / "contact_center.yaml"), "-r", "1",
                                 "-o", str(tmp_path / "x.yaml"), "--report", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "--output, --report: these write the shift plan, which needs --templates" in result.output
    assert not (tmp_path / "x.yaml").exists() and not (tmp_path / "r.html").exists()


def test_an_output_that_is_a_dangling_link_is_refused(tmp_path: Path) -> None:
    """Writing through a link to nowhere would create its target's folders wherever it points."""
    link = tmp_path / "out.svg"
    link.symlink_to(tmp_path / "missing" / "deeper" / "out.svg")
    result = runner.invoke(app, ["render", str(ROOT / "examples" / "coffee_shop.yaml"), "-o", str(link)])
    assert result.exit_code == 2 and "is a link to" in result.output and "which does not exist" in result.output
    assert not (tmp_path / "missing").exists()


def test_exit_1_for_shift_templates_of_an_unknown_role(tmp_path: Path) -> None:
    """The README's exit codes: a file that was read but names an unknown role is invalid (1), not unusable (2)."""
    p = tmp_path / "ghost.shifts.yaml"
    p.write_text('roles:\n  ghost:\n    templates:\n      - {name: day, earliest_start: "08:00", length: 8 h}\n')
    result = runner.invoke(app, ["staff", str(ROOT / "examples" / "contact_center.yaml"), "-t", str(p), "-r", "1", "--seed", "1"])
    assert result.exit_code == 1 and f"{p}:2: roles.ghost: unknown role 'ghost'" in result.output, result.output


def test_exit_1_for_templates_that_cannot_apply(tmp_path: Path) -> None:
    """A templates file with no role, or templates that cannot cover the requirement (at most 0 a day): read but
    of no use, exit 1 with the file and the role named."""
    empty = tmp_path / "empty.shifts.yaml"
    empty.write_text("roles: {}\n")
    result = runner.invoke(app, ["staff", EXAMPLE, "-t", str(empty), "-r", "1", "--seed", "1"])
    assert result.exit_code == 1 and f"{empty}:1: roles: no role in it" in " ".join(result.output.split()), result.output
    none = tmp_path / "none.shifts.yaml"
    none.write_text('roles:\n  first_line:\n    templates:\n      - {name: day, earliest_start: "07:00", latest_start: "09:00", '
                    'length: 8 h, max_count: 0}\n  specialist:\n    templates:\n      - {name: day, earliest_start: "07:30", '
                    'length: 8.5 h}\n')
    result = runner.invoke(app, ["staff", EXAMPLE, "-t", str(none), "-r", "1", "--seed", "1", "--max-replications", "4"])
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and f"{none}: role 'first_line': no shift plan covers the requirement" in said, result.output


def test_a_one_day_plan_says_when_it_could_not_apply_a_templates_weekdays(tmp_path: Path) -> None:
    """A template for Saturdays only, on a plan for one day (which stands for every day): its days cannot apply,
    and the plan says so instead of passing the shifts off as Saturday's."""
    bp = tmp_path / "small.yaml"
    bp.write_text("name: Small\ntarget: {service_level: 0.8, within: 60 s}\nroles:\n  - {name: r, cost_per_hour: 20, staffing: 3}\n"
                  "arrivals:\n  - {step: a, profile: {interval: 1 h, start: \"08:00\", values: [20, 40, 30, 20]}}\n"
                  "steps:\n  - {id: a, label: A, lane: customer}\n  - {id: b, label: B, lane: onstage, role: r, duration: exp(4 min)}\n"
                  "flows:\n  - a -> b\n")
    templates = tmp_path / "sat.shifts.yaml"
    templates.write_text('templates:\n  - {name: day, earliest_start: "08:00", latest_start: "09:00", length: 4 h, days: [saturday]}\n')
    result = runner.invoke(app, ["staff", str(bp), "-t", str(templates), "-r", "1", "--seed", "1", "--max-replications", "4"])
    said = " ".join(result.output.split())
    assert result.exit_code == 0 and "Note: Role 'r': template(s) 'day' may start only on some weekdays" in said, result.output


def test_simulated_requirements_of_a_run_before_opening_say_no_customer_arrived() -> None:
    """The contact centre opens at 07:00: a 0.25-day run measures nothing, and the staffing of nobody it would
    give is not blamed on the blueprint ("role never has anyone on duty")."""
    result = runner.invoke(app, ["staff", EXAMPLE, "--method", "simulation", "--days", "0.25", "-r", "1", "--seed", "1"])
    said = " ".join(result.output.split())
    assert result.exit_code == 2 and "No customer arrived in the 0.25-day run (Monday 00:00 to 06:00)" in said, result.output


def test_a_start_window_running_past_midnight_for_most_of_a_day_is_noted(tmp_path: Path) -> None:
    """latest_start before earliest_start runs past midnight (22:00 to 01:00 is a night window); 17:00 to 08:00 is
    15 hours of starts, most likely the two swapped: the plan says so."""
    bp = tmp_path / "small.yaml"
    bp.write_text("name: Small\ntarget: {service_level: 0.8, within: 60 s}\nroles:\n  - {name: r, cost_per_hour: 20, staffing: 3}\n"
                  "arrivals:\n  - {step: a, profile: {interval: 1 h, start: \"08:00\", values: [20, 40, 30, 20]}}\n"
                  "steps:\n  - {id: a, label: A, lane: customer}\n  - {id: b, label: B, lane: onstage, role: r, duration: exp(4 min)}\n"
                  "flows:\n  - a -> b\n")
    templates = tmp_path / "swapped.shifts.yaml"
    templates.write_text('templates:\n  - {name: day, earliest_start: "17:00", latest_start: "08:00", length: 4 h}\n'
                         '  - {name: night, earliest_start: "22:00", latest_start: "01:00", length: 4 h}\n')
    result = runner.invoke(app, ["staff", str(bp), "-t", str(templates), "-r", "1", "--seed", "1", "--max-replications", "4"])
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert ("Note: Role 'r': template 'day' may start from 17:00 to 08:00 the next day (15 h of starts): its latest_start "
            "is before its earliest_start, which runs past midnight; if the starts lie within one day, swap the two.") in said
    assert "'night'" not in said


def test_pages_on_a_drawing_that_is_no_pdf_names_the_option(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", EXAMPLE, "-o", str(tmp_path / "c.svg"), "--pages"])
    assert result.exit_code == 2 and "--pages is for PDF only: write to a .pdf file (-o c.pdf)" in result.output
    assert not (tmp_path / "c.svg").exists()


def test_templates_for_a_group_the_plan_keeps_are_said_to_be_unused(tmp_path: Path) -> None:
    """The bilingual agents are no call's first choice: the plan keeps them as declared, and templates given for
    them were ignored without a word."""
    shipped = (ROOT / "examples/bilingual_hotline.shifts.yaml").read_text(encoding="utf-8")
    templates = tmp_path / "more.shifts.yaml"
    templates.write_text(shipped + "  Bilingual:\n    templates: *shifts\n", encoding="utf-8")
    result = runner.invoke(app, ["staff", str(ROOT / "examples/bilingual_hotline.yaml"), "-t", str(templates), "-r", "1",
                                 "--max-replications", "4", "--seed", "1"])
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "Note: Templates are given for 'Bilingual', but the plan keeps that staff as the blueprint declares it" in said


def test_a_warmup_past_the_run_names_the_option() -> None:
    result = runner.invoke(app, ["simulate", "examples/coffee_shop.yaml", "--days", "0.5", "--warmup", "13 h", "-r", "1"])
    assert result.exit_code == 2 and "--warmup must be at least 0 and shorter than the 0.5 simulated day(s)" in result.output
