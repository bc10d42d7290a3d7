"""The README's quickstart runs as written, and its flagship output is what the command prints."""

from __future__ import annotations

import os
import re
from pathlib import Path

from typer.testing import CliRunner

import blueprint
from blueprint.cli import app

README = Path(__file__).resolve().parent.parent / "README.md"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(), flags=re.S)


def test_python_quickstart_runs(tmp_path: Path, capsys) -> None:
    code = blocks("python")[0]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert capsys.readouterr().out.strip() == "valid"
    bp = blueprint.load(tmp_path / "coffee.yaml")
    assert bp.validate().ok and len(bp.steps) == 4


def test_yaml_quickstart_is_a_valid_blueprint() -> None:
    bp = blueprint.loads(blocks("yaml")[0])
    report = bp.validate()
    assert report.problems == [], str(report)
    assert [str(f) for f in bp.flows] == ["order -> take", "take -> make", "make -> pick_up"]


def test_flagship_output_matches_the_readme() -> None:
    shown = [line for line in blocks("text")[0].splitlines() if line.strip() and line.strip() != "..."]
    result = CliRunner().invoke(app, ["validate", "examples/contact_center.yaml"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    printed = [" ".join(line.split()) for line in result.output.splitlines()]
    for line in shown:
        assert " ".join(line.split()) in printed, line


def test_python_walkthrough_runs() -> None:
    """The README's simulation, fail point, staffing and scenario snippets run in order, as written."""
    import matplotlib

    matplotlib.use("Agg")
    code = blocks("python")
    first = next(i for i, b in enumerate(code) if b.startswith("import blueprint, simulate"))
    simulate_blocks = code[first:]
    assert len(simulate_blocks) >= 4
    namespace: dict = {}
    for block in simulate_blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    plan = namespace["plan"]
    assert plan.meets_target and set(plan.plans) == {"first_line", "specialist"}
    assert len(namespace["found"]) > 0 and namespace["comparison"].seed == 2026
