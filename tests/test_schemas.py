"""JSON Schemas of blueprint, shift-template and scenario files: shipped up to date, followed by every
example file, and refusing at the field level what loading refuses (units, distribution names,
times of day, weekdays, probabilities)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

import blueprint
import simulate.cli  # registers the shifts and scenarios schemas
from blueprint import Blueprint, BlueprintFileError, units
from blueprint.distributions import distribution_json_schema, parse_distribution
from blueprint.files import read_data, to_data
from blueprint.schema import SCHEMA_FILES, schema_of
from simulate.scenarios.scenario import Scenario
from simulate.staffing.shifts.templates import ShiftTemplates, load_templates

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "blueprint" / "examples"
SCHEMAS = ROOT / "blueprint" / "schemas"
BROKEN = Path(__file__).resolve().parent / "broken"

try:  # tests/ on sys.path (rootdir-style collection) or tests as a package
    import strategies as bst
except ImportError:  # pragma: no cover
    from tests import strategies as bst


def _kind(path: Path) -> str:
    return {".shifts": "shifts", ".scenarios": "scenarios", ".survey_items": "survey_items"}.get(Path(path.stem).suffix, "blueprint")


def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(schema_of(kind))


def _data(path: Path) -> Any:
    return read_data(path.read_text(encoding="utf-8"), source=str(path))[0]


@pytest.mark.parametrize("kind", list(SCHEMA_FILES))
def test_shipped_schema_is_what_the_code_makes(kind: str) -> None:
    shipped = SCHEMAS / SCHEMA_FILES[kind]
    made = json.dumps(schema_of(kind), indent=2, ensure_ascii=False) + "\n"
    assert shipped.read_text(encoding="utf-8") == made, "run: .venv/bin/python scripts/write_schemas.py"
    Draft202012Validator.check_schema(json.loads(made))
    assert (ROOT / "schemas" / SCHEMA_FILES[kind]).read_text(encoding="utf-8") == made  # schemas/ links to the package's


@pytest.mark.parametrize("kind", list(SCHEMA_FILES))
def test_cli_prints_each_schema(kind: str) -> None:
    result = CliRunner().invoke(simulate.cli.app, ["schema", "--kind", kind])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == schema_of(kind)


def test_cli_refuses_an_unknown_kind() -> None:
    result = CliRunner().invoke(simulate.cli.app, ["schema", "--kind", "shift"])
    assert result.exit_code == 2
    assert "blueprint, survey_items, shifts, scenarios" in result.output


EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def test_examples_of_every_kind_are_found() -> None:
    assert {_kind(p) for p in EXAMPLE_FILES} == set(SCHEMA_FILES)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_follows_its_schema_and_names_it(path: Path) -> None:
    kind = _kind(path)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(kind).iter_errors(_data(path))]
    assert errors == []
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert m, f"{path.name}: the first line should point editors at its schema"
    for folder in (EXAMPLES, ROOT / "examples"):  # the package's copy and the checkout's link to it
        assert (folder / m.group(1)).resolve() == (SCHEMAS / SCHEMA_FILES[kind]).resolve()


# Broken files whose fault is in one field: the schema refuses them too (the rest need the whole graph).
FIELD_FAULTS = {
    "05_unknown_field.yaml": "steps/2",
    "06_missing_lane.yaml": "steps/1",
    "07_unknown_lane.yaml": "steps/2/lane",
    "08_evidence_lane.yaml": "steps/0/lane",
    "09_bare_duration.yaml": "steps/1/duration",
    "12_unknown_distribution.yaml": "steps/2/duration",
    "31_time_25_00.yaml": "roles/1/staffing",
    "32_rate_and_profile.yaml": "arrivals/0",
    "33_probability_above_one.yaml": "flows/1",
    "35_concurrency_zero.yaml": "roles/1/concurrency",
}


@pytest.mark.parametrize("name", sorted(FIELD_FAULTS))
def test_broken_file_is_refused_by_the_schema_at_its_field(name: str) -> None:
    data = _data(BROKEN / name)
    paths = ["/".join(map(str, e.absolute_path)) for e in _validator("blueprint").iter_errors(data)]
    assert FIELD_FAULTS[name] in paths
    with pytest.raises(BlueprintFileError):
        blueprint.load(BROKEN / name)


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def _loads(kind: str, data: Any) -> None:
    """Read data as loading a file of that kind does (raises on a shape error)."""
    if kind == "blueprint":
        Blueprint.model_validate(data)
    elif kind == "shifts":
        ShiftTemplates.model_validate(data["roles"]["first_line"])
    else:
        for item in data["scenarios"]:
            Scenario.model_validate(item)


BLUEPRINT_STEP = ("steps", 4, "duration")  # contact centre: answer
SHIFT = ("roles", "first_line", "templates", 0)
# (kind, where, value the loader refuses, a value it accepts written another way)
FIELDS = [
    ("blueprint", BLUEPRINT_STEP, "4", "4 minutes"),
    ("blueprint", BLUEPRINT_STEP, 4, "exp(4 min)"),
    ("blueprint", BLUEPRINT_STEP, "4 parsecs", "4 MIN"),
    ("blueprint", BLUEPRINT_STEP, "expo(4 min)", "Exponential(4 min)"),
    ("blueprint", BLUEPRINT_STEP, "-4 min", "0.5 h"),
    ("blueprint", BLUEPRINT_STEP, {"dist": "poisson", "mean": "4 min"}, {"dist": "Lognormal", "mean": "4 min", "sd": "1 min"}),
    ("blueprint", BLUEPRINT_STEP, {"dist": "exp", "mean": 4, "unit": "parsec"}, {"dist": "exp", "mean": 4, "unit": "min"}),
    ("blueprint", ("arrivals", 0, "profile", "start"), "25:00", "7:00"),
    ("blueprint", ("arrivals", 0, "profile", "start"), "07:60", "07:00:30"),
    ("blueprint", ("roles", 1, "staffing", "shifts", 0, "start"), "24:30", "06:45"),
    ("blueprint", ("roles", 2, "target", "service_level"), 1.2, 1),
    ("blueprint", ("roles", 2, "target", "within"), "20", "20 s"),
    ("shifts", SHIFT + ("earliest_start",), "25:00", "23:00"),
    ("shifts", SHIFT + ("length",), "8", "8 hours"),
    ("shifts", SHIFT + ("days",), ["funday"], ["Mon", "thurs"]),
    ("shifts", SHIFT + ("breaks", 0, "length"), "30", "30 min"),
    ("shifts", ("roles", "first_line", "max_part_time_share"), 1.5, 0.5),
    ("scenarios", ("scenarios", 1, "durations"), {"answer": "expo(3 min)"}, {"answer": "exp(3 min)"}),
    ("scenarios", ("scenarios", 1, "durations"), {"answer": -0.5}, {"answer": 0.9}),
    ("scenarios", ("scenarios", 1, "volume"), 0, 1.2),
    ("scenarios", ("scenarios", 1, "patience"), "lots", "uniform(1, 3) min"),
    ("scenarios", ("scenarios", 1, "probabilities"), {"resolve": {"specialist": 1.5}}, {"resolve": {"specialist": 0.1}}),
]
FILES = {"blueprint": "contact_center.yaml", "shifts": "contact_center.shifts.yaml", "scenarios": "contact_center.scenarios.yaml"}


@pytest.mark.parametrize(("kind", "where", "bad", "good"), FIELDS, ids=lambda v: str(v) if not isinstance(v, tuple) else "/".join(map(str, v)))
def test_schema_refuses_what_loading_refuses(kind: str, where: tuple[Any, ...], bad: Any, good: Any) -> None:
    base = _data(EXAMPLES / FILES[kind])
    validator = _validator(kind)
    refused, accepted = _set(base, where, bad), _set(base, where, good)
    with pytest.raises(ValueError):  # pydantic's ValidationError is a ValueError
        _loads(kind, refused)
    assert list(validator.iter_errors(refused)), f"the schema lets {bad!r} through"
    _loads(kind, accepted)
    assert [e.message for e in validator.iter_errors(accepted)] == []


def test_templates_loaded_from_the_example_still_read() -> None:
    assert load_templates(EXAMPLES / FILES["shifts"], role="first_line").names


# -- the schema is never stricter than loading, and as strict where a field's text decides ------------------------

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY
@given(bst.blueprint_data())
def test_schema_accepts_every_valid_blueprint(data: dict) -> None:
    validator = _validator("blueprint")
    bp = Blueprint.model_validate(data)
    for form in (data, to_data(bp)):  # as written (short forms, any case) and canonical
        assert [e.message for e in validator.iter_errors(form)] == []


def _words(words: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(words).flatmap(lambda w: st.sampled_from([w, w.upper(), w.title()]))


NUMBERS = st.sampled_from(["4", "0", "1.5", ".5", "1.", "+2", "-3", "1e3", "2E-1", "", "x", "1,5", "07"])
UNITS_ = _words(["s", "sec", "seconds", "min", "m", "minutes", "h", "hr", "hours", "d", "day", "parsec", "ms", "mins", "week"])
SPACE = st.sampled_from(["", " ", "  ", "\t"])
QUANTITIES = st.tuples(SPACE, NUMBERS, SPACE, UNITS_ | st.just(""), SPACE).map("".join)
RATES = st.tuples(NUMBERS, SPACE, st.sampled_from(["/", "per ", "PER ", "a ", "an ", "per", "by "]), UNITS_).map("".join)
CLOCKS = st.tuples(
    st.sampled_from(["0", "00", "7", "08", "12", "23", "24", "25", "99", "123", ""]), st.sampled_from([":", ".", ""]),
    st.sampled_from(["00", "30", "59", "60", "5", ""]), st.sampled_from(["", ":00", ":59", ":60", ":30.5", ":5"]),
).map("".join)
WEEKDAYS_ = _words(["monday", "mon", "tue", "tues", "wed", "thur", "thurs", "thu", "friday", "sun", "funday", "mo", "week"])
CALLS = st.tuples(
    _words(["exp", "exponential", "expo", "uniform", "tri", "lognormal", "poisson", "gamma", "weibull", "fixed", "emp"]),
    st.sampled_from(["(4 min)", "(1, 3) min", "(mean=5, sd=2) min", "(4)", "()", "(4 min", "(1, 2, 4) h"]),
).map("".join)


def _parses(read: Any, text: str) -> bool:
    """The text reads: its form is right (a value over a ceiling, such as a rate of 1e20 per h, is a
    limit on the value, not on the form the pattern describes)."""
    from blueprint.limits import limits_set

    try:
        with limits_set(max_rate_per_hour=10**300, max_duration_seconds=10**300):
            read(text)
    except ValueError:
        return False
    return True


@PROPERTY
@given(st.data())
def test_field_patterns_match_the_readers(data: st.DataObject) -> None:
    quantity, rate, clock = data.draw(QUANTITIES), data.draw(RATES), data.draw(CLOCKS)
    day, call = data.draw(WEEKDAYS_), data.draw(CALLS)
    # exactly: the text alone decides
    assert bool(re.search(units.TIME_OF_DAY_PATTERN, clock)) == _parses(units.normalize_time_of_day, clock), clock
    assert bool(re.search(units.WEEKDAY_PATTERN, day)) == _parses(units.normalize_weekday, day), day
    assert bool(re.search(units.DURATION_PATTERN, quantity)) == _parses(units.Duration.parse, quantity), quantity
    assert bool(re.search(units.RATE_PATTERN, rate)) == _parses(units.Rate.parse, rate), rate
    # never stricter: a distribution's parameters are checked on loading only
    text_form = distribution_json_schema()["anyOf"][0]["pattern"]
    for text in (quantity, call):
        if _parses(parse_distribution, text):
            assert re.search(text_form, text), text
    if not re.search(text_form, call):
        assert not _parses(parse_distribution, call), call
