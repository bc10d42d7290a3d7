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
    assert [s.name for s in bp.stages] == ["Order", "Pick up"]  # the stages the README shows
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


def test_python_walkthrough_runs(tmp_path: Path, monkeypatch) -> None:
    """The README's simulation, fail point, staffing and scenario snippets run in order, as written."""
    import matplotlib

    # run where a user would (next to an examples folder), without writing charts into the checkout
    (tmp_path / "examples").symlink_to(README.parent / "examples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)

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
    assert (tmp_path / "first_line.png").stat().st_size > 0 and (tmp_path / "coverage.png").stat().st_size > 0


def test_coffee_shop_figures_are_what_the_readme_says(tmp_path: Path, capsys) -> None:
    """The quickstart's shop, simulated as the README shows, has the figures its text gives."""
    code = blocks("python")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    namespace: dict = {}
    try:
        exec(compile(code[0], "README.md", "exec"), namespace)
        exec(compile(code[1], "README.md", "exec"), namespace)
    finally:
        os.chdir(cwd)
    text = " ".join(README.read_text().split())
    bp, s = namespace["bp"], namespace["results"].summary()
    # the arrival profile adds up to 405 expected customers a day, inside the run's interval
    assert "serves about 405 customers a day" in text and sum(bp.arrivals[0].profile.values) == 405
    assert s.loc["arrivals", "ci_low"] <= 405 <= s.loc["arrivals", "ci_high"]
    # about 3 a day give up, under 1%
    assert "about 3 a day, under 1%, give up waiting" in text
    assert s.loc["abandoned", "ci_low"] <= 3 <= s.loc["abandoned", "ci_high"]
    assert s.loc["abandoned", "mean"] / s.loc["arrivals", "mean"] < 0.01
    # mean waits at the till and at the bar, and half the customers do not wait
    assert "The wait is 23 s at the till and 26 s at the bar on average" in text
    from scipy import stats

    reps = namespace["results"].replications
    for step, wait in (("take_order_and_payment", 23), ("make_the_drink", 26)):
        waits = [r.steps[step].wait_mean for r in reps]
        n = len(waits)
        mean = sum(waits) / n
        half = stats.t.ppf(0.975, n - 1) * (sum((w - mean) ** 2 for w in waits) / (n - 1) / n) ** 0.5
        assert mean - half <= wait <= mean + half and round(mean) == wait, (step, mean, half)
        assert all(r.steps[step].wait_p50 == 0 for r in reps)
    # 14 cashier-hours at 16 and 28 barista-hours at 18: 728
    assert "the day costs 728 in staff (14 cashier-hours at 16 and 28 barista-hours at 18)" in text
    assert 14 * 16 + 28 * 18 == 728 == s.loc["staff cost", "mean"]
    assert s.loc["cashier: staff hours paid", "mean"] == 14 and s.loc["barista: staff hours paid", "mean"] == 28


def test_the_readme_draft_coffee_shop_gets_the_warnings_it_shows(tmp_path: Path, monkeypatch) -> None:
    """The README's first draft (baristas 07:00-12:00, customers around the clock) is warned as shown."""
    draft = blocks("yaml")[0]
    for old, new in (
        ('  - name: cashier\n    cost_per_hour: 16\n    staffing: {interval: 1 h, start: "07:00", values: [1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1]}\n',
         "  - {name: cashier, staffing: 1, cost_per_hour: 16}\n"),
        ('    cost_per_hour: 18\n    staffing: {interval: 1 h, start: "07:00", values: [2, 4, 3, 2, 2, 3, 3, 2, 2, 2, 2, 1]}\n',
         '    staffing: {interval: 1 h, start: "07:00", values: [2, 3, 3, 2, 1]}\n'),
        ('  - step: order\n    profile: {interval: 1 h, start: "07:00", values: [30, 60, 50, 35, 30, 45, 40, 25, 25, 30, 20, 15]}\n'
         "    patience: uniform(3, 10) min\n", "  - {step: order, rate: 60 per h, patience: exp(6 min)}\n"),
    ):
        assert old in draft
        draft = draft.replace(old, new)
    (tmp_path / "coffee.yaml").write_text(draft)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", "coffee.yaml"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    printed = [" ".join(line.split()) for line in result.output.splitlines()]
    shown = [" ".join(line.split()) for line in blocks("text")[2].splitlines() if line.strip()]
    assert shown and all(line in printed for line in shown), (shown, printed)


def test_simulation_summary_printed_in_the_readme_is_what_the_run_gives() -> None:
    """The summary table under 'Simulate' is the README's own run (same file, days, replications, seed), to the digits shown."""
    import simulate

    block = next(b for b in blocks("text") if b.lstrip().startswith("mean"))
    results = simulate.run(blueprint.load(README.parent / "examples/contact_center.yaml"), days=1, replications=10,
                           seed=2026, progress=False)
    summary = results.summary()
    shown = 0
    for line in block.splitlines():
        parts = line.rsplit(None, 3)
        if len(parts) != 4 or parts[0] not in summary.index:
            continue
        figure, *values = parts
        row = summary.loc[figure]
        for column, text in zip(("mean", "ci_low", "ci_high"), values):
            assert f"{row[column]:.3f}" == text, (figure, column, row[column], text)
        shown += 1
    assert shown >= 6


def test_every_routing_rule_is_documented() -> None:
    """The README's table of routing rules names every option and every value each option takes."""
    from blueprint.routing import AgentChoice, CallChoice, PatienceRule

    text = README.read_text()
    table = text[text.index("## Skills-based routing"):text.index("## Fail points, measured")]
    for option in ("groups[].skills", "steps[].route.groups", "steps[].route.overflow_after", "routing.agent",
                   "routing.call", "routing.patience", "trunks", "roles[].waiting_room", "roles[].balking",
                   "busyness"):
        assert f"`{option}`" in table, option
    for enum in (AgentChoice, CallChoice, PatienceRule):
        for value in enum:
            assert f"`{value.value}`" in table, value


def test_fail_point_sentences_in_the_readme_are_what_the_run_gives() -> None:
    """The three findings the README prints under 'Fail points, measured' are the README run's own."""
    import simulate

    block = next(b for b in blocks("text") if b.startswith("F1 ["))
    results = simulate.run(blueprint.load(README.parent / "examples/contact_center.yaml"), days=1, replications=10,
                           seed=2026, progress=False)
    said = results.fail_points().sentences(top=3)
    for shown, sentence in zip(block.strip().splitlines(), said, strict=True):
        assert sentence.startswith(shown.removesuffix(" ...")), (shown, sentence)
