"""A fuzzer over the example files: whatever a mutated file says, every command either works or raises
one of the library's own errors, located where it can be, within seconds.

Each case takes an example (a blueprint, its shift templates or its scenarios), changes one to three
values anywhere in it (a wrong type, a huge, tiny, negative or endless number, a broken unit or
distribution, empty or awkward text, a deleted key, a deep list), writes it to a file and runs what a
user would: load, validate, simulate (under a small customer limit), render, and for the companion
files their loader, a shift plan for one role, or a comparison. The allowed outcomes are success, a
:class:`~blueprint.BlueprintError` (every problem naming the file, and for what a file says, a field
path), a :class:`~simulate.WorkLimitError`, a :class:`~simulate.ScenarioError`, an
:class:`~simulate.InfeasibleShiftsError`; anything else, or a case over :data:`SECONDS`, fails.

``pytest -m slow tests/test_fuzz.py`` runs the long version (many more cases).
"""

from __future__ import annotations

import copy
import math
import re
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import blueprint
import simulate
from blueprint import BlueprintError, BlueprintFileError
from blueprint.limits import limits_set

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SECONDS = 20  # a case over this is a hang
CUSTOMERS = 3_000  # the work limit a fuzzed simulation runs under
QUICK = settings(max_examples=25, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
LONG = settings(max_examples=400, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])

#: Values put in place of another: wrong types, numbers at and past every edge, broken units and text.
HOSTILE: tuple[Any, ...] = (
    None, True, [], {}, [[[[1]]]], "", " ", "abc", "\x00", "é\u2028x", "😀" * 50, "x" * 5_000,
    0, -1, 1, 2**63, 10**29, 1e20, -1e20, 1e-300, 1.7976931348623157e308, float("inf"), float("-inf"), float("nan"), 0.5,
    1.000000000001, "1e20 per h", "1.7976931348623157e308 per h", "1e-300 per h", "-5 per h", "5 parsecs", "5 per fortnight",
    "1e400 min", "-3 min", "0 s", "exp(", "exp(0 s)", "exp(1e300 h)", "triangular(4, 2, 1) min", "uniform(5, 5) min",
    "lognormal(mean=1e300, sd=1e300) s", "gamma(shape=1e-300, scale=1) s", "normal(mean=-5, sd=1) min",
    "empirical() s", "empirical(1e308, 1e308) s", "weibull(shape=0, scale=1) s", "unlimited", "25:00", "24:00",
    "-1:00", "99 h", "1e-9 s", "mon", "nope",
)


#: Factors a number in a file is scaled by.
SCALES = (0.0, 1e-12, 1e-3, 0.5, 2.0, 10.0, 1e3, 1e6, 1e20, 1e300)


def _paths(data: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in nested data a value sits (keys of mappings, indices of lists)."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield (*here, k)
            yield from _paths(v, (*here, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield (*here, i)
            yield from _paths(v, (*here, i))


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    node = data
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def _delete(data: Any, path: tuple[Any, ...]) -> None:
    node = data
    for p in path[:-1]:
        node = node[p]
    del node[path[-1]]


@st.composite
def mutated(draw: Any, name: str) -> tuple[str, list[str]]:
    """The text of example ``name`` with one to three values changed: ``(text, what changed)``."""
    data = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    done = []
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["replace", "replace", "scale", "scale", "delete", "double"]))
        if how == "scale":  # the same value, a number in it scaled: valid-looking, and hostile to run
            node = data
            for p in path:
                node = node[p]
            factor = draw(st.sampled_from(SCALES))
            if isinstance(node, (int, float)) and not isinstance(node, bool):
                _set(data, path, node * factor)
            elif isinstance(node, str) and re.search(r"\d", node):
                _set(data, path, re.sub(r"\d+(?:\.\d+)?", lambda m, f=factor: repr(float(m.group(0)) * f), node, count=1))
            else:
                how = "kept"
        elif how == "delete":
            _delete(data, path)
        elif how == "double":
            node = data
            for p in path:
                node = node[p]
            _set(data, path, [node, node] if not isinstance(node, list) else node + node)
        else:
            value = draw(st.one_of(st.sampled_from(HOSTILE), st.floats(), st.integers(), st.text(max_size=12)))
            _set(data, path, value)
        done.append(f"{how} {'.'.join(map(str, path))}")
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000)
    return text, done


class _Hang(Exception):
    pass


def _within(seconds: int, call: Callable[[], Any]) -> Any:
    """``call()``, or :class:`_Hang` when it has not returned within ``seconds`` (SIGALRM)."""
    def alarm(signum: int, frame: Any) -> None:
        raise _Hang(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        return call()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _located(e: BlueprintError, *paths: Path) -> None:
    """Every problem names the file (or, for a scenario, the blueprint it changes, where the cause is there)."""
    for p in e.problems:
        assert p.file in {str(path) for path in paths}, (p, paths)


def _blueprint_pipeline(path: Path) -> None:
    try:
        bp = blueprint.load(path)
    except BlueprintError as e:
        _located(e, path)
        return
    report = bp.validate()
    assert str(report)
    for p in report.problems:
        assert p.file == str(path) and (p.path or p.line), p
    bp.render().svg  # noqa: B018 - drawing is one of the things a user does, valid or not
    if not report.ok:
        return
    try:
        res = simulate.run(bp, days=0.25, replications=1, seed=1, progress=False, executor="serial", max_customers=CUSTOMERS)
    except simulate.WorkLimitError:
        return
    except BlueprintError as e:
        _located(e, path)
        return
    assert res.journeys() is not None


def _run(case: Callable[[], None]) -> None:
    with limits_set(max_customers=CUSTOMERS):
        _within(SECONDS, case)


def _blueprint_case(tmp_path: Path, name: str, mutation: tuple[str, list[str]]) -> None:
    text, _ = mutation
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    _run(lambda: _blueprint_pipeline(path))


def _fuzz(how: Any, example: str, case: Callable[[tuple[str, list[str]]], None]) -> None:
    """Run ``case`` on mutations of ``example`` under the hypothesis settings ``how``."""
    @how
    @given(mutated(example))
    def check(mutation: tuple[str, list[str]]) -> None:
        case(mutation)

    check()


@pytest.mark.parametrize("name", ["coffee_shop.yaml", "contact_center.yaml", "bilingual_hotline.yaml"])
def test_a_mutated_blueprint_works_or_says_where_it_is_wrong(tmp_path: Path, name: str) -> None:
    _fuzz(QUICK, name, lambda m: _blueprint_case(tmp_path, name, m))


def _templates_case(tmp_path: Path, mutation: tuple[str, list[str]]) -> None:
    path = tmp_path / "contact_center.shifts.yaml"
    path.write_text(mutation[0], encoding="utf-8")

    def case() -> None:
        try:
            templates = simulate.load_role_templates(path)
        except BlueprintError as e:
            _located(e, path)
            return
        need = np.r_[np.zeros(32), np.full(48, 3), np.zeros(16)].astype(int)  # 08:00–20:00, three on duty
        for role, t in templates.items():
            try:
                plan = simulate.schedule_shifts(need, t, time_limit=5)
            except simulate.InfeasibleShiftsError:
                continue
            except BlueprintError as e:
                _located(e, path)
                continue
            assert math.isfinite(plan.paid_hours), role

    _run(case)


def _scenarios_case(tmp_path: Path, mutation: tuple[str, list[str]]) -> None:
    path = tmp_path / "contact_center.scenarios.yaml"
    path.write_text(mutation[0].replace("blueprint: contact_center.yaml", f"blueprint: {EXAMPLES / 'contact_center.yaml'}"),
                    encoding="utf-8")
    bp = blueprint.load(EXAMPLES / "contact_center.yaml")

    def case() -> None:
        try:
            scenarios = simulate.load_scenarios(path, blueprint=bp)
        except BlueprintError as e:
            _located(e, path, EXAMPLES / "contact_center.yaml")
            return
        try:
            simulate.compare(bp, scenarios, replications=1, days=0.1, seed=1, executor="serial")
        except (simulate.WorkLimitError, simulate.ScenarioError):
            return
        except BlueprintError as e:
            assert e.problems
            return

    _run(case)


def test_mutated_shift_templates_load_and_plan_or_say_where_they_are_wrong(tmp_path: Path) -> None:
    _fuzz(QUICK, "contact_center.shifts.yaml", lambda m: _templates_case(tmp_path, m))


def test_mutated_scenarios_compare_or_say_where_they_are_wrong(tmp_path: Path) -> None:
    _fuzz(QUICK, "contact_center.scenarios.yaml", lambda m: _scenarios_case(tmp_path, m))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["coffee_shop.yaml", "contact_center.yaml", "service_desk.yaml", "hotel.yaml", "clinic.yaml",
                                  "bilingual_hotline.yaml"])
def test_long_fuzz_of_the_blueprints(tmp_path: Path, name: str) -> None:
    _fuzz(LONG, name, lambda m: _blueprint_case(tmp_path, name, m))


@pytest.mark.slow
def test_long_fuzz_of_the_companion_files(tmp_path: Path) -> None:
    _fuzz(LONG, "contact_center.shifts.yaml", lambda m: _templates_case(tmp_path, m))
    _fuzz(LONG, "contact_center.scenarios.yaml", lambda m: _scenarios_case(tmp_path, m))


def test_the_special_files_are_explicit_cases(tmp_path: Path) -> None:
    """The hostile files of the issue that found them, through every loader (see tests/test_limits.py for more)."""
    import os

    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    loop = tmp_path / "loop.yaml"
    os.symlink(loop, loop)
    huge = tmp_path / "huge.yaml"
    huge.write_text("# " + "x" * 11_000_000 + "\n", encoding="utf-8")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    surrogate = tmp_path / "surrogate.yaml"
    surrogate.write_text('name: "\\ud800"\nsteps: []\n', encoding="utf-8")
    for path in (Path("/dev/zero"), fifo, loop, huge, deep, surrogate):
        for load in (blueprint.load, simulate.load_role_templates, simulate.load_scenarios):
            with pytest.raises(BlueprintFileError) as e:
                _within(SECONDS, lambda load=load, path=path: load(path))
            assert str(e.value).startswith(str(path)), str(e.value)
