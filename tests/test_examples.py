"""Every example blueprint loads, validates, round-trips and follows the schema.

The examples are found with a glob, so a new blueprint in ``examples/`` is
tested without touching this module. The contact-centre example is also checked for
the parts the product is built around (see ``DOMAIN.md``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import blueprint
from blueprint import FlowKind, Lane
from blueprint.files import read_data
from blueprint.units import time_of_day_seconds

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
# Blueprints are ``examples/<name>.yaml``; companion files carry a second suffix
# (``contact_center.scenarios.yaml``, ``contact_center.shifts.yaml``).
EXAMPLES = [
    p for p in sorted(EXAMPLES_DIR.glob("*.yaml")) + sorted(EXAMPLES_DIR.glob("*.yml")) + sorted(EXAMPLES_DIR.glob("*.json"))
    if "." not in p.stem
]
FORMATS = ("yaml", "json")


def test_examples_are_found() -> None:
    names = {p.name for p in EXAMPLES}
    assert {"contact_center.yaml", "hotel.yaml", "coffee_shop.yaml", "clinic.yaml"} <= names


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = blueprint.json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _schema_errors(validator: Draft202012Validator, data: object) -> list[str]:
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
        for e in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    ]


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.name)
def example(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_loads(example: Path) -> None:
    bp = blueprint.load(example)
    assert isinstance(bp, blueprint.Blueprint)
    assert bp.name
    assert bp.steps and bp.flows
    assert bp.source == str(example)


def test_validates_without_errors(example: Path) -> None:
    report = blueprint.load(example).validate()
    assert not report.errors, str(report)


def test_validates_without_warnings(example: Path) -> None:
    """No warnings but capacity ones, which tests/test_capacity.py lists and justifies example by example."""
    report = blueprint.load(example).validate()
    assert not [p for p in report.warnings if p.code not in ("uncovered", "idle-staff", "over-capacity")], str(report)


def test_load_with_check(example: Path) -> None:
    blueprint.load(example, check=True)


@pytest.mark.parametrize("fmt", FORMATS)
def test_text_round_trip(example: Path, fmt: str) -> None:
    bp = blueprint.load(example)
    text = blueprint.dumps(bp, fmt)  # type: ignore[arg-type]
    again = blueprint.loads(text, format=fmt)  # type: ignore[arg-type]
    assert again == bp
    assert blueprint.dumps(again, fmt) == text  # type: ignore[arg-type]


def test_yaml_and_json_agree(example: Path) -> None:
    bp = blueprint.load(example)
    from_yaml = blueprint.loads(blueprint.dumps(bp, "yaml"), format="yaml")
    from_json = blueprint.loads(blueprint.dumps(bp, "json"), format="json")
    assert from_yaml == from_json


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_save_and_load(example: Path, suffix: str, tmp_path: Path) -> None:
    bp = blueprint.load(example)
    path = tmp_path / f"{example.stem}{suffix}"
    written = blueprint.save(bp, path)
    assert Path(written) == path
    again = blueprint.load(path)
    assert again == bp
    assert again.source == str(path)
    # Saving the reloaded model again writes the same bytes.
    second = tmp_path / f"again{suffix}"
    blueprint.save(again, second)
    assert second.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    assert not again.validate().errors


def test_raw_file_follows_schema(example: Path, validator: Draft202012Validator) -> None:
    data, lines = read_data(example.read_text(encoding="utf-8"), source=str(example))
    assert isinstance(data, dict)
    assert lines, "read_data should record the line of each field"
    errors = _schema_errors(validator, data)
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("fmt", FORMATS)
def test_canonical_text_follows_schema(example: Path, fmt: str, validator: Draft202012Validator) -> None:
    text = blueprint.dumps(blueprint.load(example), fmt)  # type: ignore[arg-type]
    data, _ = read_data(text, source=f"canonical.{fmt}", format=fmt)  # type: ignore[arg-type]
    errors = _schema_errors(validator, data)
    assert not errors, "\n".join(errors)


def test_every_duration_has_a_unit_and_times_are_text(example: Path) -> None:
    """Bare numbers are refused for durations, and times of day stay text."""
    data, _ = read_data(example.read_text(encoding="utf-8"), source=str(example))

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{path}.{key}"
                if key in ("duration", "patience", "length", "within", "tolerance", "interval", "delay", "max_asa"):
                    assert not isinstance(value, (int, float)), f"{here}: {value!r} has no unit"
                if key in ("start",):
                    assert isinstance(value, str), f"{here}: {value!r} is not a quoted time"
                walk(value, here)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")

    walk(data, "")


# -- the contact-centre example has what the product needs ---------------------


@pytest.fixture(scope="module")
def contact_center() -> blueprint.Blueprint:
    return blueprint.load(EXAMPLES_DIR / "contact_center.yaml")


def test_contact_center_self_service_resolves_and_escalates(contact_center: blueprint.Blueprint) -> None:
    bp = contact_center
    candidates = [
        s
        for s in bp.steps
        if s.role is not None and bp.get_role(s.role).staffing is not None and bp.get_role(s.role).staffing.unlimited
    ]
    assert candidates, "no self-service step (a step whose role never queues)"
    found = False
    for s in candidates:
        out = bp.flows_from(s.id)
        resolved = [f for f in out if f.probability is not None and 0 < f.probability < 1]
        escalated = [f for f in out if bp.step(f.target).lane is Lane.ONSTAGE and bp.step(f.target).staffed]
        if resolved and escalated:
            found = True
    assert found, "the self-service step needs a resolution probability and an escalation to an agent"


def test_contact_center_first_line_queue_with_patience(contact_center: blueprint.Blueprint) -> None:
    bp = contact_center
    first_line = [s for s in bp.steps if s.role == "first_line" and s.lane is Lane.ONSTAGE]
    assert first_line
    answer = next(s for s in first_line if s.wait_point is not None)
    assert answer.wait_point is not None and answer.wait_point.tolerance.seconds == 60
    # Every caller who reaches that queue can give up: each segment has a patience.
    (stream,) = bp.arrivals
    for segment in stream.segment_list():
        patience = stream.patience_of(segment)
        assert patience is not None and patience.mean > 0
    # Callers who give up may call back later.
    retries = [f for f in bp.flows_from(answer.id) if f.kind is FlowKind.RETRY]
    assert retries and retries[0].delay is not None


def test_contact_center_knowledge_base_and_crm(contact_center: blueprint.Blueprint) -> None:
    bp = contact_center
    kb = [s for s in bp.steps if s.lane is Lane.BACKSTAGE and "knowledge base" in s.label.lower()]
    assert len(kb) == 1 and kb[0].role == "first_line"
    crm = [s for s in bp.steps if s.lane is Lane.SUPPORT and "crm" in s.label.lower()]
    assert len(crm) == 1
    assert crm[0].role is None  # a system: it never queues
    assert bp.flows_to(crm[0].id), "the CRM step must be reached from the agent's work"


def test_contact_center_transfer_to_specialist(contact_center: blueprint.Blueprint) -> None:
    bp = contact_center
    transfers = [f for f in bp.flows if f.kind is FlowKind.TRANSFER]
    assert transfers
    (t,) = [f for f in transfers if bp.step(f.target).role == "specialist"]
    assert bp.step(t.source).role == "first_line"
    assert t.probability is not None and 0 < t.probability < 1
    specialist = bp.get_role("specialist")
    assert specialist.staffing is not None


def test_contact_center_survey(contact_center: blueprint.Blueprint) -> None:
    bp = contact_center
    surveys = [s for s in bp.steps if s.lane is Lane.CUSTOMER and "survey" in s.label.lower()]
    assert len(surveys) == 1
    survey = surveys[0]
    assert survey.duration is not None
    # Only some callers take it: each flow into it is a branch with a probability.
    into = bp.flows_to(survey.id)
    assert into and all(f.probability is not None and f.probability < 1 for f in into)


def test_contact_center_arrivals_per_15_minutes_with_two_peaks(contact_center: blueprint.Blueprint) -> None:
    from scipy.signal import find_peaks

    (stream,) = contact_center.arrivals
    assert stream.kind == "profile"
    profile = stream.profile
    assert profile is not None and profile.values is not None
    assert profile.interval.seconds == 15 * 60
    values = profile.values
    peaks, _ = find_peaks(values, prominence=0.25 * max(values))
    assert len(peaks) == 2, f"expected a morning and an afternoon peak, found peaks at intervals {list(peaks)}"
    start = time_of_day_seconds(profile.start)
    hours = [(start + i * profile.interval.seconds) / 3600 for i in peaks]
    assert hours[0] < 12 <= hours[1]


def test_contact_center_sixty_second_target(contact_center: blueprint.Blueprint) -> None:
    bp = contact_center
    for role in ("first_line", "specialist"):
        target = bp.target_for(role)
        assert target is not None
        assert target.within is not None and target.within.seconds == 60
        assert target.service_level == pytest.approx(0.8)


def test_contact_center_shifts_for_both_groups(contact_center: blueprint.Blueprint) -> None:
    bp = contact_center
    for name in ("first_line", "specialist"):
        staffing = bp.get_role(name).staffing
        assert staffing is not None and staffing.kind == "shifts"
        assert staffing.shifts and sum(s.count for s in staffing.shifts) > 0
        assert all(s.paid_hours > 0 for s in staffing.shifts)
