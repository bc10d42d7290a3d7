"""Broken blueprint files: one mistake each, one exact located message each.

Every file in ``tests/broken/`` is a small coffee-shop blueprint that would be
valid but for the one mistake its first comment names. The table below says
what the designer must be told about it: severity, code, field path, line and
the full located line ``file:line: path: message``.

Files that cannot be read as a blueprint raise :class:`blueprint.BlueprintFileError`
from :func:`blueprint.load` (stage ``"load"``); the others load and their problem
is found by :meth:`Blueprint.validate` (stage ``"validate"``).

A case marked ``defect`` holds the message the designer *should* get, not the one
the library gives today; it is a strict xfail until the library is fixed. A case
marked ``cascade`` gets its own message right but brings other errors with it; the
"only problem" test is a strict xfail for it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import blueprint
from blueprint import BlueprintFileError, Problem
from blueprint.cli import app

ROOT = Path(__file__).resolve().parent.parent
BROKEN_DIR = ROOT / "tests" / "broken"
# Files are named as a user in the project folder would type them; the tests run there.
REL = Path("tests") / "broken"


@dataclass(frozen=True)
class Case:
    file: str
    stage: str  # "load" or "validate"
    severity: str
    code: str
    path: str
    line: int | None
    message: str
    defect: str | None = None  # the message is wrong today: the expected one is what it should say
    cascade: str | None = None  # the one mistake also brings other problems of the same severity

    @property
    def rel(self) -> str:
        return str(REL / self.file)

    @property
    def located(self) -> str:
        """The full line the designer reads: ``file:line: [warning: ][path: ]message``."""
        parts = [f"{self.rel}:{self.line}" if self.line else self.rel]
        if self.severity == "warning":
            parts.append("warning")
        if self.path:
            parts.append(self.path)
        return ": ".join(parts + [self.message])

    def __str__(self) -> str:
        return self.file


CASES: list[Case] = [
    # -- not a blueprint at all --------------------------------------------------
    Case(
        "01_not_yaml.yaml", "load", "error", "not-yaml", "", 19,
        "not valid YAML: the '{' on this line is never closed (expected ',' or '}' before the end of the file)",
    ),
    Case(
        "02_list_not_blueprint.yaml", "load", "error", "not-a-blueprint", "", 2,
        "not a blueprint: expected a mapping with name, steps and flows, found a list",
    ),
    Case(
        "03_plain_string.yaml", "load", "error", "not-a-blueprint", "", 2,
        "not a blueprint: expected a mapping with name, steps and flows, found text",
    ),
    Case(
        "04_duplicate_key.yaml", "load", "error", "duplicate-key", "steps[2].duration", 25,
        "the key 'duration' is given twice",
    ),
    Case(
        "05_unknown_field.yaml", "load", "error", "invalid-extra-forbidden", "steps[2].durration", 24,
        "unknown field 'durration'; did you mean 'duration'?",
    ),
    Case(
        # No `lane:` line exists, so the step's own line is the right place.
        "06_missing_lane.yaml", "load", "error", "invalid-missing", "steps[1].lane", 15,
        "required field is missing; expected one of customer, onstage, backstage or support",
    ),
    Case(
        "07_unknown_lane.yaml", "load", "error", "invalid-value-error", "steps[2].lane", 22,
        "unknown lane 'kitchen'; expected customer, onstage, backstage or support",
    ),
    Case(
        "08_evidence_lane.yaml", "load", "error", "invalid-value-error", "steps[0].lane", 14,
        "physical evidence is not a lane for steps; list it under `evidence:` of the step it belongs to",
    ),
    Case(
        "09_bare_duration.yaml", "load", "error", "invalid-value-error", "steps[1].duration", 19,
        "4 has no unit; write e.g. '4 min' or 'exp(4 min)'",
    ),
    Case(
        "10_triangular_low_above_high.yaml", "load", "error", "invalid-value-error", "steps[2].duration", 24,
        "triangular: needs low ≤ mode ≤ high with low < high, got (4, 2, 1)",
    ),
    Case(
        "11_exponential_mean_zero.yaml", "load", "error", "invalid-value-error", "steps[2].duration", 24,
        "exponential: mean must be > 0, got 0",
    ),
    Case(
        "12_unknown_distribution.yaml", "load", "error", "invalid-value-error", "steps[2].duration", 24,
        "unknown distribution 'gaussian'; known: deterministic, exponential, uniform, triangular, normal, "
        "lognormal, gamma, weibull, empirical",
    ),
    # -- references --------------------------------------------------------------
    Case(
        # Also a *warning* that 'barista' is used by no step: true, and a useful hint
        # to the typo; it is of the other severity, so the error stands alone.
        "13_unknown_role.yaml", "validate", "error", "unknown-role", "steps[2].role", 23,
        "unknown role 'barista2'; did you mean 'barista'?",
    ),
    Case(
        # There is no `role:` line; the step's own line is the right place.
        "14_missing_role.yaml", "validate", "error", "missing-role", "steps[1].role", 15,
        "onstage step 'greet' needs a role: the staff whose time it takes",
    ),
    Case(
        "15_duplicate_step_id.yaml", "validate", "error", "duplicate-id", "steps[3].id", 25,
        "duplicate step id 'make' (first at steps[2])",
    ),
    Case(
        "16_flow_to_typo_step.yaml", "validate", "error", "unknown-step", "flows[2].to", 31,
        "unknown step 'colect'; did you mean 'collect'?",
    ),
    Case(
        "17_flow_to_unknown_step.yaml", "validate", "error", "unknown-step", "flows[3].to", 32,
        "unknown step 'delivery_drone'; known: order, pay, make, collect",
    ),
    Case(
        "18_unknown_recovery.yaml", "validate", "error", "unknown-step", "steps[2].fail_point.recovery", 28,
        "unknown step 'remake'; did you mean 'make'?",
    ),
    # -- branch probabilities ----------------------------------------------------
    Case(
        "19_probabilities_not_one.yaml", "validate", "error", "probabilities", "flows[1].probability", 33,
        "branch probabilities leaving 'pay' add up to 0.9, not 1",
    ),
    Case(
        "20_two_otherwise.yaml", "validate", "error", "probabilities", "flows[2].otherwise", 34,
        "only one flow leaving 'pay' may be marked otherwise",
    ),
    Case(
        "21_branches_without_probability.yaml", "validate", "error", "probabilities", "flows[1]", 33,
        "2 flows leave 'pay' (make, leave); give each a probability, or mark one otherwise",
    ),
    Case(
        "22_single_flow_half.yaml", "validate", "error", "probabilities", "flows[3].probability", 35,
        "the only flow leaving 'make' has probability 0.5; a single flow is always taken "
        "(add the other branches or remove the probability)",
    ),
    # -- the journey as a graph ----------------------------------------------------
    Case(
        "23_unreachable_step.yaml", "validate", "error", "unreachable", "steps[1]", 15,
        "step 'upsell' cannot be reached from any arrival",
    ),
    Case(
        # In a graph whose flows all name known steps, a step with no path to an exit
        # always drains into a loop with no way out; the loop is the mistake to report,
        # at the flow that closes it.
        "24_no_exit.yaml", "validate", "error", "trapped-loop", "flows[3]", 35,
        "loop make → check → make has no way out ('check' leads only back to 'make': the journey has no end)",
    ),
    Case(
        "25_loop_without_exit.yaml", "validate", "error", "trapped-loop", "flows[3]", 32,
        "loop order → pay → make → collect → order has no way out ('collect' leads only back to 'order': the journey has no "
        "end)",
    ),
    # -- roles and staffing --------------------------------------------------------
    Case(
        "26_unused_role.yaml", "validate", "warning", "unused-role", "roles[2]", 8,
        "role 'manager' is not used by any step",
    ),
    Case(
        "27_zero_staffing.yaml", "validate", "error", "zero-staffing", "roles[1].staffing", 7,
        "role 'barista' never has anyone on duty but step 'make' receives customers",
    ),
    Case(
        "28_join_without_split.yaml", "validate", "error", "join-without-split", "steps[3].join", 28,
        "step 'collect' joins 'pay', which starts no parallel work (no parallel flows leave it)",
    ),
    Case(
        "29_segment_shares.yaml", "validate", "error", "segment-shares", "arrivals[0].segments", 11,
        "segment shares add up to 0.9, not 1",
    ),
    Case(
        "30_break_outside_shift.yaml", "load", "error", "invalid-value-error",
        "roles[1].staffing.shifts[0].breaks[0]", 14,
        "break 15:00 for 30 min does not fit in the shift 07:00 + 6 h (07:00 to 13:00)",
    ),
    Case(
        "31_time_25_00.yaml", "load", "error", "invalid-value-error", "roles[1].staffing.shifts[1].start", 14,
        "time of day: '25:00' is not a time between 00:00 and 24:00",
    ),
    # -- arrivals ------------------------------------------------------------------
    Case(
        # Two fields together are the mistake: the arrivals stream is the place.
        "32_rate_and_profile.yaml", "load", "error", "invalid-value-error", "arrivals[0]", 9,
        "give exactly one of rate (e.g. '30 per h'), profile (arrivals per interval) or times; got rate, profile",
    ),
    Case(
        "33_probability_above_one.yaml", "load", "error", "invalid-value-error", "flows[1].probability", 33,
        "expected a probability between 0 and 1, got 1.5",
    ),
    Case(
        "34_profile_over_24_hours.yaml", "load", "error", "invalid-value-error", "arrivals[0].profile", 10,
        "25 intervals of 1 h make more than 24 hours; use days: for a weekly profile",
    ),
    Case(
        "35_concurrency_zero.yaml", "load", "error", "invalid-greater-than-equal", "roles[1].concurrency", 7,
        "must be ≥ 1, got 0",
    ),
    Case(
        # YAML's true is no number, as the JSON Schema says (pydantic alone would read it as 1).
        "40_concurrency_true.yaml", "load", "error", "invalid-int-type", "roles[1].concurrency", 7,
        "expected a whole number, got true",
    ),
    # -- JSON and YAML syntax --------------------------------------------------------
    Case(
        "36_json_syntax.json", "load", "error", "not-json", "", 11,
        "not valid JSON: a comma after the last item (column 102); remove it",
    ),
    Case(
        "37_yaml_tab_indent.yaml", "load", "error", "not-yaml", "", 14,
        "not valid YAML: a tab indents this line; indent with spaces",
    ),
    Case(
        "38_yaml_key_indented_too_far.yaml", "load", "error", "not-yaml", "", 15,
        "not valid YAML: unexpected ': ' here; check this line's indentation, or put a value that contains ': ' in quotes",
    ),
    Case(
        "39_yaml_key_indented_too_little.yaml", "load", "error", "not-yaml", "", 15,
        "not valid YAML: this line is indented differently from the lines of its block; line it up with them",
    ),
]


def _params(kind: str) -> list:
    out = []
    for case in CASES:
        reason = case.defect if kind == "message" else case.cascade
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(case, id=case.file, marks=marks))
    return out


@pytest.fixture(autouse=True)
def _in_project_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _problems(case: Case) -> list[Problem]:
    """The problems the library reports for a case, at the case's stage."""
    path = REL / case.file
    if case.stage == "load":
        with pytest.raises(BlueprintFileError) as info:
            blueprint.load(path)
        return list(info.value.problems)
    bp = blueprint.load(path)  # must load: the mistake is one only the whole-blueprint checks see
    return list(bp.validate().problems)


# -- the suite itself ---------------------------------------------------------------


def test_every_broken_file_has_a_case() -> None:
    on_disk = sorted(p.name for p in BROKEN_DIR.iterdir() if p.suffix in (".yaml", ".json"))
    in_table = sorted(c.file for c in CASES)
    assert on_disk == in_table
    assert len(CASES) >= 20
    assert len({c.file for c in CASES}) == len(CASES)


def test_every_broken_file_names_its_mistake() -> None:
    for case in CASES:
        text = (BROKEN_DIR / case.file).read_text(encoding="utf-8")
        if case.file.endswith(".yaml"):  # JSON has no comments
            assert text.startswith("# Mistake"), case.file


@pytest.mark.parametrize("case", [pytest.param(c, id=c.file) for c in CASES])
def test_expected_line_is_plausible(case: Case) -> None:
    n_lines = len((BROKEN_DIR / case.file).read_text(encoding="utf-8").splitlines())
    assert case.line is not None and 1 <= case.line <= n_lines


# -- the located message ------------------------------------------------------------


@pytest.mark.parametrize("case", _params("message"))
def test_located_message(case: Case) -> None:
    problems = _problems(case)
    lines = [str(p) for p in problems]
    assert case.located in lines
    p = problems[lines.index(case.located)]
    assert (p.severity, p.code, p.path, p.line, p.file, p.message) == (
        case.severity, case.code, case.path, case.line, case.rel, case.message,
    )
    assert str(p) == case.located


@pytest.mark.parametrize("case", _params("only"))
def test_only_problem_of_its_severity(case: Case) -> None:
    problems = [p for p in _problems(case) if p.severity == case.severity]
    assert [p.code for p in problems] == [case.code], "\n".join(str(p) for p in problems)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.file) for c in CASES if c.stage == "validate"])
def test_validated_files_are_otherwise_valid(case: Case) -> None:
    report = blueprint.load(REL / case.file).validate()
    if case.severity == "warning":
        assert report.ok, str(report)
        assert not report.errors
    else:
        assert not report.ok


def test_warning_is_reported_as_a_warning() -> None:
    case = next(c for c in CASES if c.file == "26_unused_role.yaml")
    report = blueprint.load(REL / case.file).validate()
    assert report.errors == []
    assert [str(p) for p in report.warnings] == [case.located]
    assert ": warning: " in case.located


def test_load_with_check_raises_validation_error_for_validate_cases() -> None:
    case = next(c for c in CASES if c.file == "13_unknown_role.yaml")
    with pytest.raises(blueprint.BlueprintValidationError) as info:
        blueprint.load(REL / case.file, check=True)
    assert case.located in str(info.value).splitlines()


# -- the command line ---------------------------------------------------------------

runner = CliRunner()


def _cli(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args))
    # A crash inside the command is caught by the runner: it must not happen.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("case", [pytest.param(c, id=c.file) for c in CASES])
def test_cli_validate_exit_code_and_no_traceback(case: Case) -> None:
    result = _cli("validate", case.rel)
    # 2: the file cannot be read as a blueprint at all; 1: it reads, but what it says is wrong (README's table)
    unreadable = case.code in ("not-yaml", "not-json", "not-a-blueprint", "duplicate-key")
    expected = 2 if unreadable else (0 if case.severity == "warning" else 1)
    assert result.exit_code == expected, result.output
    # Whatever the library says, the CLI prints it as the API does.
    for p in _problems(case):
        line = f"error: {p}" if p.severity == "error" else str(p)
        assert line in result.stderr.splitlines()


@pytest.mark.parametrize(
    "name, code",
    [
        ("13_unknown_role.yaml", 1),
        ("19_probabilities_not_one.yaml", 1),
        ("05_unknown_field.yaml", 1),
        ("09_bare_duration.yaml", 1),
        ("04_duplicate_key.yaml", 2),
    ],
)
def test_cli_prints_the_located_message(name: str, code: int) -> None:
    case = next(c for c in CASES if c.file == name)
    assert not case.defect
    result = _cli("validate", case.rel)
    assert result.exit_code == code
    assert f"error: {case.located}" in result.stderr.splitlines()
    assert "error: " in result.stderr and "pydantic" not in result.output.lower()


def test_cli_warning_only_passes_unless_strict() -> None:
    case = next(c for c in CASES if c.file == "26_unused_role.yaml")
    ok = _cli("validate", case.rel)
    assert ok.exit_code == 0
    assert case.located in ok.stderr.splitlines()
    strict = _cli("validate", "--strict", case.rel)
    assert strict.exit_code == 1


def test_cli_missing_file_is_unreadable() -> None:
    missing = str(REL / "no_such_file.yaml")
    result = _cli("validate", missing)
    assert result.exit_code == 2
    assert f"error: {missing}: no such file" in result.stderr.splitlines()  # the file named once, then why


def test_cli_json_output_for_a_broken_file() -> None:
    import json

    case = next(c for c in CASES if c.file == "13_unknown_role.yaml")
    result = _cli("validate", "--json", case.rel)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    first = data["problems"][0]
    assert (first["code"], first["path"], first["line"], first["file"], first["message"]) == (
        case.code, case.path, case.line, case.rel, case.message,
    )


def test_paths_are_built_portably() -> None:
    assert Case("x.yaml", "load", "error", "c", "", 1, "m").rel == os.path.join("tests", "broken", "x.yaml")
