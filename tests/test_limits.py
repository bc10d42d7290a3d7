"""Hostile files: refused before they are read, with the file named and the limit stated.

Special files (a device that never ends, a FIFO nobody writes, a symlink loop, a file nobody may
read), files over the size limit, data nested too deep, integers of thousands of digits and text no
file can hold each give a :class:`blueprint.BlueprintFileError` from every loader, and through the
command line one located line and a non-zero exit, within seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import blueprint
import simulate
from blueprint import BlueprintError, BlueprintFileError
from blueprint.limits import LIMITS, limits_set
from simulate.cli import app
from simulate.run import extend
from simulate.scenarios.files import load_scenarios
from simulate.staffing.optimize import load_role_templates

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "examples"
EXAMPLE = EXAMPLES_DIR / "coffee_shop.yaml"
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
    assert "larger than the 2 MB limit" in str(e.value) and "BLUEPRINT_MAX_FILE_MB" in str(e.value)
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
    ("long.json", '{"name": 1' + "0" * 5_000 + "}", "number-too-large", 1),
    ("longer.yaml", "name: x\ndescription: 1" + "0" * 5_000 + "\n", "number-too-large", 2),  # past Python's own limit
    ("date.yaml", "name: x\ndescription: 2024-13-45\n", "not-a-value", 2),  # a date YAML reads, Python cannot make
    ("long.yaml", "name: x\nsteps: []\nrate: 1" + "0" * 40 + "\n", "number-too-large", 3),
    ("surrogate.yaml", 'name: "Caf\\ud800"\nsteps: []\n', "bad-text", 1),
    ("half.json", '{"name": "x\\udc00", "steps": []}', "bad-text", 1),
    ("merge.yaml", "name: x\nbase: &b {lane: customer}\nsteps:\n  - <<: *b\n    id: a\n", "not-a-blueprint", 4),
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


def test_a_value_too_long_or_of_the_wrong_kind_is_named_at_its_field(tmp_path: Path) -> None:
    """A JSON number past Python's own limit is refused at its field (the file had been read without its paths);
    a plain date where text belongs and a huge whole number say so in the library's words."""
    bigint = tmp_path / "big.json"
    bigint.write_text('{"name": "x",\n "roles": [{"name": "a",\n  "cost_per_hour": 1' + "0" * 5_000 + "}]}",
                      encoding="utf-8")
    error = _bounded(lambda: blueprint.load(bigint))
    assert isinstance(error, BlueprintFileError) and error.problems[0].path == "roles[0].cost_per_hour"
    assert error.problems[0].line == 3
    with pytest.raises(BlueprintFileError, match=r"name: expected text, got the date 2024-01-01 \(YAML reads a plain "
                                                 r"date as a date: put it in quotes to keep it as text\)"):
        blueprint.loads("name: 2024-01-01\nsteps: [{id: a, label: A, lane: customer}]\n")
    with pytest.raises(BlueprintFileError, match=r"priority: expected a whole number of a size that can be used"):
        blueprint.loads("name: x\nsteps: [{id: a, label: A, lane: customer}]\narrivals: [{step: a, rate: 1 per h, "
                        "segments: [{name: s, share: 1, priority: 1.0e+20}]}]\n")


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


def test_control_characters_are_kept_and_drawn_without_them(tmp_path: Path) -> None:
    """A NUL or a bell in a label is the designer's text: the file keeps it (escaped), the diagram leaves it out."""
    p = tmp_path / "nul.yaml"
    p.write_text(EXAMPLE.read_text(encoding="utf-8").replace("label: Order at the counter", 'label: "Order\\0 at\\a the counter"'),
                 encoding="utf-8")
    bp = blueprint.load(p)
    assert bp.step("order").label == "Order\x00 at\x07 the counter"
    svg = bp.render().svg
    assert "\x00" not in svg and "\x07" not in svg and "Order" in svg
    assert blueprint.loads(blueprint.dumps(bp)) == bp


def test_an_example_still_reads() -> None:
    bp = blueprint.load(EXAMPLE)
    assert simulate.run(bp, replications=1, seed=1, days=0.05, progress=False).replications


# -- numbers a file may say, and the work a run may imply ---------------------------------------------------------

def _coffee(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "coffee.yaml"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


STAFF_LINE = "values: [1, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1]"


@pytest.mark.parametrize("value", ["1e20", "1.7976931348623157e308", "100001"])
def test_a_headcount_beyond_the_limit_is_a_located_error(tmp_path: Path, value: str) -> None:
    p = _coffee(tmp_path, STAFF_LINE, STAFF_LINE.replace("[1,", f"[{value},"))
    line = EXAMPLE.read_text(encoding="utf-8").splitlines().index("      " + STAFF_LINE) + 1
    with pytest.raises(BlueprintFileError) as e:
        blueprint.load(p)
    problem = e.value.problems[0]
    assert (problem.path, problem.line) == ("roles[0].staffing.values[0]", line)
    assert "more than the 100,000 one role may have on duty" in problem.message
    with limits_set(max_staff=10**21):  # the limit raised: 1e20 staff may be planned, 1.8e308 never
        if float(value) <= 1e21:
            assert next(r for r in blueprint.load(p).roles if r.name == "cashier").staffing is not None
        else:
            with pytest.raises(BlueprintFileError, match="1,000,000,000,000,000,000,000 one role"):
                blueprint.load(p)


def test_a_shift_count_beyond_the_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="100,000 one role may have on duty"):
        blueprint.Shift(start="08:00", length="8 h", count=10**9)


def test_a_run_implying_too_many_customers_is_refused_before_it_starts(tmp_path: Path) -> None:
    p = _coffee(tmp_path, "values: [45, 70, 55, 35, 30, 45, 40, 30, 30, 35, 25, 15]",
                "values: [1e6, 70, 55, 35, 30, 45, 40, 30, 30, 35, 25, 15]")  # a million in an hour: at the rate ceiling
    bp = blueprint.load(p)
    error = _bounded(lambda: simulate.run(bp, replications=30, progress=False), seconds=5)
    assert isinstance(error, simulate.WorkLimitError), repr(error)
    assert "over the limit of 5,000,000" in str(error) and "max_customers=" in str(error)
    ok = blueprint.load(EXAMPLE)  # 455 a day
    with pytest.raises(simulate.WorkLimitError, match=r"about 910 customers \(455 a day × 1 day × 2 replications\)"):
        simulate.run(ok, replications=2, max_customers=900, progress=False)
    with limits_set(max_customers=900), pytest.raises(simulate.WorkLimitError):
        simulate.run(ok, replications=2, progress=False)
    assert len(simulate.run(ok, replications=2, max_customers=910, progress=False).replications) == 2


def test_too_many_replications_are_refused_before_any_runs() -> None:
    """100,000 replications of a few minutes imply few customers but took many minutes and gigabytes."""
    ok = blueprint.load(EXAMPLE)
    error = _bounded(lambda: simulate.run(ok, days=0.01, replications=100_000, progress=False), seconds=5)
    assert isinstance(error, simulate.WorkLimitError), repr(error)
    assert "replications=100,000: more than the limit of 10,000" in str(error) and "BLUEPRINT_MAX_REPLICATIONS" in str(error)
    short = simulate.run(ok, days=0.01, replications=3, seed=1, progress=False)
    with limits_set(max_replications=4), pytest.raises(simulate.WorkLimitError, match="replications=5"):
        extend(short, 2)  # the replications of the extended run count
    with limits_set(max_replications=5):
        assert len(extend(short, 2).replications) == 5
    result = runner.invoke(app, ["simulate", str(EXAMPLE), "-r", "100000", "--days", "0.05"])
    assert result.exit_code != 0 and "more than the limit of 10,000" in result.output


def test_a_loop_taken_almost_surely_is_refused() -> None:
    bp = blueprint.Blueprint("Loop")
    ask = bp.customer("Ask", role="desk", duration="exp(1 s)")
    leave = bp.customer("Leave")
    _ = ask >> leave
    bp.flows[0].probability = 1e-5
    bp.flow(ask, ask, probability=1 - 1e-5, kind="rework")
    bp.role("desk", staffing=1)
    bp.arrive(ask, rate="1 per h")
    report = bp.validate()  # refused where the loop is, before any simulation
    assert [(p.path, p.code) for p in report.errors] == [("flows[1]", "too-many-visits")]
    assert "loop ask → ask: each customer would visit about 100,001 steps" in report.errors[0].message
    with pytest.raises(blueprint.BlueprintValidationError, match="about 100,001 steps"):
        simulate.run(bp, replications=1, progress=False)
    with limits_set(max_visits=200_000):  # allowed when the limit is raised
        assert bp.validate().ok


def test_a_parallel_flow_back_into_its_own_loop_is_refused() -> None:
    bp = blueprint.Blueprint("Forks")
    order = bp.customer("Order", role="desk", duration="exp(1 min)")
    pack = bp.backstage("Pack", role="desk", duration="exp(1 min)")
    leave = bp.customer("Leave")
    _ = pack >> leave
    bp.flow(order, pack, kind="parallel")
    bp.flow(order, order, kind="parallel")  # forks again at every pass, without end
    bp.role("desk", staffing=1)
    bp.arrive(order, rate="1 per h")
    errors = bp.validate().errors
    assert [(p.path, p.code) for p in errors] == [("flows[2]", "too-many-visits")]
    assert "infinitely many steps (the parallel flow order → order starts another branch" in errors[0].message


def test_an_empty_branch_straight_to_the_join_is_counted_once_per_round() -> None:
    """A split whose parallel flow goes straight to its join, with a rework from the join back to the split: each
    round reaches the join once (as the engine does), so a customer visits the split 2 times at p = 0.5, not
    infinitely many (found by the generated-blueprint property test)."""
    from blueprint.visits import expected_visits

    bp = blueprint.Blueprint("Empty branch")
    split = bp.customer("Split", role="desk", duration="exp(1 s)")
    side = bp.backstage("Side", role="desk", duration="exp(1 s)")
    join = bp.customer("Join", join="split")
    leave = bp.customer("Leave")
    bp.flow(split, side, kind="parallel")
    bp.flow(split, join, kind="parallel")
    bp.flow(side, join)
    bp.flow(join, split, probability=0.5, kind="rework")
    bp.flow(join, leave, otherwise=True)
    bp.role("desk", staffing=5)
    bp.arrive(split, rate="10 per h")
    assert bp.validate().ok
    assert expected_visits(bp, "split").steps == {"split": 2.0, "side": 2.0, "join": 2.0, "leave": 1.0}
    results = simulate.run(bp, days=2, replications=2, seed=1, progress=False)
    per_customer = results.steps()["arrivals"] / results.journeys().loc["completed", "mean"]  # ~960 customers: sd 1.4/31
    assert 1.8 < per_customer["split"] < 2.2 and 1.8 < per_customer["join"] < 2.2  # 2 ± 4.4 standard errors


def test_a_hand_off_back_to_the_start_taken_almost_surely_is_blamed_not_an_inner_rework() -> None:
    bp = blueprint.Blueprint("Round")
    ask = bp.customer("Ask", role="desk", duration="exp(1 s)")
    fix = bp.backstage("Fix", role="desk", duration="exp(1 s)")
    done = bp.customer("Done")
    leave = bp.customer("Leave")
    _ = ask >> fix >> done
    bp.flow(fix, fix, probability=0.5, kind="rework")
    bp.flows[1].otherwise = True
    bp.flow(done, ask, probability=0.9995)
    bp.flow(done, leave, otherwise=True)
    bp.role("desk", staffing=1)
    bp.arrive(ask, rate="1 per h")
    errors = bp.validate().errors
    assert [p.path for p in errors] == ["flows[3]"], errors
    assert "loop ask → fix → done → ask" in errors[0].message


def test_the_command_line_takes_a_customer_limit(tmp_path: Path) -> None:
    result = runner.invoke(app, ["simulate", str(EXAMPLE), "-r", "2", "--max-customers", "900"])
    assert result.exit_code == 2 and "about 910 customers" in result.output and "--max-customers" in result.output
    assert runner.invoke(app, ["simulate", str(EXAMPLE), "-r", "2", "--max-customers", "910", "--top", "0"]).exit_code == 0
    assert LIMITS.max_customers == 5_000_000  # the command's limit ended with it


@pytest.mark.parametrize("probabilities, ok", [((0.5, 0.5000005), True), ((0.3333333, 0.6666666), True),
                                               ((0.5, 0.50001), False)])
def test_probabilities_within_the_tolerance_are_scaled_to_one(probabilities: tuple[float, float], ok: bool) -> None:
    from blueprint.visits import branch_probabilities

    bp = blueprint.Blueprint("Branches")
    ask = bp.customer("Ask")
    a, b = bp.customer("Left"), bp.customer("Right")
    bp.flow(ask, a, probability=probabilities[0])
    bp.flow(ask, b, probability=probabilities[1])
    bp.arrive(ask, rate="10 per h")
    errors = [p for p in bp.validate().errors if p.code == "probabilities"]
    assert (not errors) == ok, errors
    shares = branch_probabilities(bp.flows_from("ask"))
    if ok:
        assert abs(sum(shares) - 1) < 1e-15 and shares[0] == pytest.approx(probabilities[0], abs=1e-6)
    else:
        assert "add up to 1.00001, not 1" in errors[0].message


def test_a_shift_template_starting_too_often_is_refused_where_it_says_so(tmp_path: Path) -> None:
    """A start step of a fraction of a second would make billions of starts to choose from."""
    text = (EXAMPLES_DIR / "contact_center.shifts.yaml").read_text(encoding="utf-8")
    p = tmp_path / "t.shifts.yaml"
    p.write_text(text.replace("start_step: 15 min", "start_step: 3e-11 min", 1), encoding="utf-8")
    error = _bounded(lambda: load_role_templates(p), seconds=5)
    assert isinstance(error, BlueprintFileError), repr(error)
    problem = error.problems[0]
    assert problem.path.endswith("templates[0].start_step") and problem.line is not None
    assert "shorter than 1 min" in problem.message


def test_scenarios_that_imply_too_much_work_are_refused_before_running(tmp_path: Path) -> None:
    bp = blueprint.load(EXAMPLES_DIR / "contact_center.yaml")
    for change in ({"volume": 1e6}, {"extra_staff": {"first_line": {"late": 10**9}}}):
        p = tmp_path / "s.scenarios.yaml"
        import yaml

        p.write_text(yaml.safe_dump({"scenarios": [{"name": "big", **change}]}), encoding="utf-8")
        error = _bounded(lambda p=p: simulate.compare(bp, load_scenarios(p, blueprint=bp), replications=2, seed=1,
                                                         executor="serial"), seconds=20)
        assert isinstance(error, (simulate.WorkLimitError, BlueprintError, simulate.ScenarioError)), repr(error)
        if isinstance(error, simulate.WorkLimitError):  # the scenario that asks too much is named
            assert str(error).startswith("'big': this run would simulate"), error


def _overloaded_desk(rate: str) -> blueprint.Blueprint:
    bp = blueprint.Blueprint("Overload")
    wait = bp.customer("Wait", role="desk", duration="exp(1 h)")
    _ = wait >> bp.customer("Leave")
    bp.role("desk", staffing=1)
    bp.arrive(wait, rate=rate)
    return bp


@pytest.mark.parametrize("executor", ["serial", "processes"])
def test_an_overloaded_replication_stops_at_the_limit_and_says_why(executor: str) -> None:
    """Customers piling up in a queue hold memory each: past the limit the run stops with the queue named,
    in a worker process too (the caller's limits travel with the task)."""
    bp = _overloaded_desk("3000 per h")
    with limits_set(max_in_system=500), pytest.raises(simulate.WorkLimitError) as e:
        simulate.run(bp, days=1, replications=2, seed=1, progress=False, executor=executor)
    assert type(e.value).__name__ == "Overloaded"
    assert "more than 500 customers in the service at once" in str(e.value) and "'desk'" in str(e.value)
    assert "max_in_system" in str(e.value)
    # under the limit the same queue runs to the end, its customers still waiting
    with limits_set(max_in_system=5_000):
        res = simulate.run(_overloaded_desk("100 per h"), days=1, replications=1, seed=1, progress=False, executor=executor)
    assert res.replications[0].journeys.in_system > 1_000


def test_problems_found_late_still_name_the_file_and_line(tmp_path: Path) -> None:
    """A start off the plan's grid, a role without templates and a scenario file's missing blueprint are found
    only when the files are used, and still point into the file the user wrote."""
    shifts = (EXAMPLES_DIR / "contact_center.shifts.yaml").read_text(encoding="utf-8")
    lines = shifts.splitlines()
    off = tmp_path / "off.shifts.yaml"
    off.write_text(shifts.replace('earliest_start: "07:00"', 'earliest_start: "07:01"', 1), encoding="utf-8")
    missing = tmp_path / "missing.shifts.yaml"
    missing.write_text(shifts.replace("  specialist:", "  specialists:", 1), encoding="utf-8")
    no_day = tmp_path / "no_day.shifts.yaml"
    no_day.write_text(shifts.replace("        cost_per_hour: 28\n", "        cost_per_hour: 28\n        days: []\n", 1), encoding="utf-8")
    unlimited = tmp_path / "unlimited.shifts.yaml"
    unlimited.write_text(shifts.replace("roles:\n", "roles:\n  chatbot:\n    templates: [{name: x, earliest_start: '07:00', "
                                        "latest_start: '07:00', length: 8 h}]\n", 1), encoding="utf-8")
    scen = tmp_path / "s.scenarios.yaml"
    scen.write_text((EXAMPLES_DIR / "contact_center.scenarios.yaml").read_text(encoding="utf-8")
                    .replace("blueprint: contact_center.yaml", "blueprint: nowhere.yaml"), encoding="utf-8")
    start_line = next(i for i, s in enumerate(lines, 1) if 'earliest_start: "07:00"' in s)
    cases = [
        (["staff", str(EXAMPLES_DIR / "contact_center.yaml"), "-t", str(off), "-r", "2"],
         f"{off}:{start_line}: "
         "roles.first_line.templates[0].earliest_start: 'early': start 07:01 (on a grid from 00:00) is not a whole number"),
        (["staff", str(EXAMPLES_DIR / "contact_center.yaml"), "-t", str(missing), "-r", "2"],
         f"{missing}:{lines.index('  specialist:') + 1}: roles.specialists: unknown role 'specialists'; did you mean 'specialist'?"),
        (["staff", str(EXAMPLES_DIR / "contact_center.yaml"), "-t", str(no_day), "-r", "2"],
         f"{no_day}:{lines.index('        cost_per_hour: 28') + 2}: roles.first_line.templates[0].days: no weekday: a shift of this template could never start"),
        (["staff", str(EXAMPLES_DIR / "contact_center.yaml"), "-t", str(unlimited), "-r", "2"],
         "roles.chatbot: role 'chatbot' is unlimited (its staffing is 'unlimited'): it has no shifts to plan"),
        (["compare", str(EXAMPLES_DIR / "contact_center.yaml"), str(scen), "-r", "2"], f"{scen}:"),
    ]
    for args, says in cases:
        result = runner.invoke(app, args)
        assert result.exit_code in (1, 2) and says in result.output and "Traceback" not in result.output, (args, result.output)
    assert "blueprint: the blueprint file" in runner.invoke(app, cases[4][0]).output and "nowhere.yaml: no such file" in \
        runner.invoke(app, cases[4][0]).output


def test_a_blueprint_too_large_to_check_or_draw_says_so_at_once(tmp_path: Path) -> None:
    """13,000 steps in a chain (1.9 MB) once took minutes and 4 GB to validate: now one error per limit, in seconds."""
    rows = ["name: Big", "arrivals:", "  - {step: s0, rate: 10 per h}", "steps:"]
    rows += [f"  - {{id: s{i}, label: Step {i}, lane: customer}}" for i in range(1_200)]
    rows += ["flows:"] + [f"  - s{i} -> s{i + 1}" for i in range(1_199)]
    p = tmp_path / "big.yaml"
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    bp = _bounded(lambda: blueprint.load(p), seconds=10)
    assert not isinstance(bp, BaseException)
    report = blueprint.load(p).validate()
    assert [(e.code, e.path, e.line) for e in report.errors] == [("too-large", "steps", 4)]
    assert "1,200 steps, more than the 1,000 a blueprint may have" in report.errors[0].message
    with pytest.raises(BlueprintError, match="max_steps"):
        blueprint.load(p).render()
    with limits_set(max_steps=2_000):
        assert not [e for e in blueprint.load(p).validate().errors if e.code == "too-large"]
    result = runner.invoke(app, ["render", str(p), "-o", str(tmp_path / "big.svg")])
    assert result.exit_code == 1 and "more than the 1,000" in result.output and not (tmp_path / "big.svg").exists()


@pytest.mark.parametrize("text, says", [
    ("exp(1e300 h)", "exponential: mean 1e+300 h is longer than the ceiling of 366 days"),
    ("uniform(1, 400) d", "uniform: high 400 d is longer than the ceiling of 366 days"),
])
def test_durations_past_a_year_are_refused_with_the_ceiling(text: str, says: str) -> None:
    from blueprint.distributions import parse_distribution

    with pytest.raises(ValueError, match=re.escape(says)):
        parse_distribution(text)
    with pytest.raises(ValueError, match="longer than the ceiling of 366 days"):
        blueprint.Duration(400, "d")
    assert blueprint.Duration(365, "d").seconds == 365 * 86_400
    with limits_set(max_duration_seconds=10**9):  # the ceiling raised: 400 days may be said, 1e300 hours never
        assert parse_distribution("uniform(1, 400) d") is not None


def test_rates_past_a_million_an_hour_are_refused_with_the_ceiling(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"a rate of 1e\+20 per h is more than the ceiling of 1,000,000 per h"):
        blueprint.Rate.parse("1e20 per h")
    assert blueprint.Rate.parse("1000000 per h").per_second * 3600 == pytest.approx(1e6)
    p = _coffee(tmp_path, "values: [45, 70, 55, 35, 30, 45, 40, 30, 30, 35, 25, 15]",
                "values: [45, 7e6, 55, 35, 30, 45, 40, 30, 30, 35, 25, 15]")
    with pytest.raises(BlueprintFileError) as e:
        blueprint.load(p)
    problem = e.value.problems[0]
    assert problem.path == "arrivals[0].profile.values[1]" and "7000000 arrivals in 1 h is more than the ceiling" in problem.message
    bp = blueprint.load(EXAMPLES_DIR / "contact_center.yaml")
    with pytest.raises(simulate.ScenarioError, match="durations: .* longer than the ceiling of 366 days"):
        simulate.Scenario("slow", durations={"kb_search": 1e9}).apply(bp)


def test_too_many_staff_groups_are_refused_at_once() -> None:
    """Each group is checked against every role: thousands of groups and roles would take minutes."""
    data = {"name": "Many groups", "roles": [{"name": f"r{i}"} for i in range(1_500)],
            "groups": [{"name": f"g{i}", "skills": [f"r{i}"], "staffing": 1} for i in range(1_500)],
            "steps": [{"id": "s", "label": "S", "lane": "onstage", "role": "r0", "duration": "1 min"}],
            "arrivals": [{"step": "s", "rate": "1 per h"}]}
    assert _bounded(lambda: blueprint.Blueprint.model_validate(data).validate(), seconds=10) is None
    report = blueprint.Blueprint.model_validate(data).validate()
    assert [(e.code, e.path) for e in report.errors] == [("too-large", "groups")]
    assert "1,500 groups, more than the 1,000" in report.errors[0].message and "max_groups" in report.errors[0].message


@pytest.mark.parametrize("setting", ["inf", "nan", "-1", "0", "lots"])
def test_a_mistyped_limit_in_the_environment_leaves_the_default(setting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from blueprint.limits import _from_env

    monkeypatch.setenv("BLUEPRINT_MAX_FILE_MB", setting)
    assert _from_env("BLUEPRINT_MAX_FILE_MB", 2.0) == 2.0


@pytest.mark.parametrize("args,says", [
    (["simulate", "examples/coffee_shop.yaml", "--what-if", "-1"], "--what-if"),
    (["simulate", "examples/coffee_shop.yaml", "--days", "inf"], "days must be a finite number more than 0, got inf"),
    (["staff", "examples/coffee_shop.yaml", "--days", "inf"], "days must be a finite number more than 0, got inf"),
    (["staff", "examples/coffee_shop.yaml", "--days", "1e6"], "days=1e+06 is longer than the ceiling of 366 days"),
    (["staff", "examples/coffee_shop.yaml", "-r", "0"], "'--replications' / '-r'"),
    (["compare", "examples/contact_center.yaml", "examples/contact_center.scenarios.yaml", "-r", "-1"], "'--replications'"),
    (["simulate", "examples/coffee_shop.yaml", "--seed", "-1"], "'--seed'"),
    (["staff", "examples/contact_center.yaml", "-t", "examples/contact_center.shifts.yaml", "--max-replications", "5"],
     "--max-replications 5: the plan's search starts with 4 × --replications = 40 replications"),
    (["render", "examples/coffee_shop.yaml", "-o", "never.svg", "--width", "0"], "width must be a number of inches, at least 1"),
    (["render", "examples/coffee_shop.yaml", "-o", "never.svg", "--width", "nan"], "width must be a number of inches, at least 1"),
    (["check-diagram", "examples/coffee_shop.yaml", "--theme", "neon"], "unknown theme 'neon'; known: screen, print"),
])
def test_options_out_of_range_are_refused_before_any_work(args: list[str], says: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0 and says in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output


def test_check_diagram_refuses_a_document_that_is_not_svg(tmp_path: Path) -> None:
    page = tmp_path / "page.svg"
    page.write_text("<html><body><p>a web page</p></body></html>")
    result = CliRunner().invoke(app, ["check-diagram", str(page)])
    assert result.exit_code == 2 and "not a diagram's SVG (the document is <html>" in " ".join(result.output.split())


def test_a_seed_must_be_a_whole_number_from_0() -> None:
    bp = blueprint.load("examples/coffee_shop.yaml")
    for seed in (-1, 1.5, True):
        with pytest.raises(ValueError, match="seed must be a whole number, 0 or more"):
            simulate.run(bp, replications=1, seed=seed, progress=False)  # type: ignore[arg-type]


def test_a_png_too_large_to_draw_is_refused_with_the_dpi_that_fits(tmp_path: Path) -> None:
    if shutil.which("neato") is None:
        pytest.skip("Graphviz is not installed")
    diagram = blueprint.load("examples/hotel.yaml").render()
    for dpi in (-3, 0, 5000):
        with pytest.raises(ValueError, match=f"dpi must be from 18 to 1200, got {dpi}"):
            diagram.save(tmp_path / "h.png", dpi=dpi)
    with pytest.raises(ValueError, match=r"at 1200 dpi the PNG would be .* pixels, more than 100,000,000; use a dpi of \d+ or less"):
        diagram.save(tmp_path / "h.png", dpi=1200)
    assert not (tmp_path / "h.png").exists()


def test_a_fail_point_recovering_into_its_own_step_almost_surely_is_blamed_on_its_probability() -> None:
    bp = blueprint.Blueprint("Redo")
    arrive = bp.customer("Arrive")
    serve = bp.onstage("Serve", role="clerk", duration="1 min",
                       fail_point={"description": "redo", "probability": 0.9999, "recovery": "serve"})
    leave = bp.customer("Leave")
    _ = arrive >> serve >> leave
    bp.role("clerk", staffing=1)
    bp.arrive(arrive, rate="5 per h")
    errors = bp.validate().errors  # the way round is no flow: it was a traceback
    assert [(p.path, p.code) for p in errors] == [("steps[1].fail_point.probability", "too-many-visits")]
    assert "loop serve → serve: each customer would visit about 10,002 steps (the fail point of 'serve'" in errors[0].message


def test_a_certain_failure_names_the_loop_it_closes_not_a_rework_inside_it() -> None:
    bp = blueprint.Blueprint("Trapped")
    arrive = bp.customer("Arrive")
    make = bp.onstage("Make", role="clerk", duration="1 min")
    check = bp.onstage("Check", role="clerk", duration="1 min")
    hand = bp.customer("Hand over", duration="10 s",
                       fail_point={"description": "wrong item", "probability": 1.0, "recovery": "arrive"})
    leave = bp.customer("Leave")
    _ = arrive >> make >> check
    bp.flow(check, make, probability=0.05, kind="rework")
    bp.flow(check, hand, otherwise=True)
    _ = hand >> leave
    bp.role("clerk", staffing=2)
    bp.arrive(arrive, rate="5 per h")
    errors = bp.validate().errors
    assert [(p.path, p.code) for p in errors] == [("steps[3].fail_point.probability", "trapped-loop")]
    assert "loop arrive → make → check → hand_over → arrive has no way out" in errors[0].message


def test_a_long_value_is_quoted_by_its_start_and_end(tmp_path: Path) -> None:
    """A 3,000-character role or duration is named by its start, end and length, not echoed whole."""
    text = (EXAMPLES_DIR / "coffee_shop.yaml").read_text(encoding="utf-8")
    long_role = tmp_path / "role.yaml"
    long_role.write_text(text.replace("role: barista", "role: " + "b" * 2999 + "q", 1), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(long_role)])
    line = next(x for x in result.output.splitlines() if x.startswith("error:"))
    assert result.exit_code == 1 and "unknown role 'bbbb" in line and "bq' (3,000 characters); known: cashier" in line, line
    assert len(line) < 300, line
    warmup = runner.invoke(app, ["simulate", str(EXAMPLE), "--warmup", "x" * 3000])
    assert warmup.exit_code == 2 and "(3,000 characters); expected a number and a unit" in warmup.output, warmup.output
    assert max(len(x) for x in warmup.output.splitlines()) < 300, warmup.output
