"""The model and the builder API: ids, forms of staffing and arrivals, units, look-ups."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import blueprint
from blueprint import Blueprint, Duration, Lane, Rate, Staffing, Step
from blueprint.arrivals import timestamp_seconds
from blueprint.units import normalize_time_of_day, time_of_day_seconds


def hotel() -> Blueprint:
    bp = Blueprint("Hotel stay")
    arrive = bp.customer("Arrive at hotel", evidence=["Hotel exterior", "Parking"])
    greet = bp.onstage("Greet and take bags", role="bellperson", duration="triangular(1, 2, 4) min")
    check_in = bp.customer("Check in", wait_point="5 min")
    register = bp.onstage("Process registration", role="front desk", duration="exp(3 min)",
                          fail_point={"description": "Registration system down", "probability": 0.02, "recovery": greet})
    system = bp.support("Registration system", duration="10 s")
    arrive >> greet >> check_in >> register >> system
    bp.role("bellperson", staffing=[{"start": "13:30", "length": "5 h", "count": 2}], cost_per_hour=18)
    bp.role("front desk", staffing={"interval": "1 h", "start": "14:00", "values": [2, 3, 3, 2]}, cost_per_hour=22)
    bp.arrive(arrive, profile={"interval": "1 h", "start": "14:00", "values": [10, 15, 12, 6]})
    return bp


def test_builder_reads_like_the_diagram() -> None:
    bp = hotel()
    assert [s.id for s in bp.steps] == [
        "arrive_at_hotel", "greet_and_take_bags", "check_in", "process_registration", "registration_system",
    ]
    assert [s.lane for s in bp.steps] == [Lane.CUSTOMER, Lane.ONSTAGE, Lane.CUSTOMER, Lane.ONSTAGE, Lane.SUPPORT]
    assert [str(f) for f in bp.flows][:2] == ["arrive_at_hotel -> greet_and_take_bags", "greet_and_take_bags -> check_in"]
    assert bp.step("process_registration").fail_point.recovery == "greet_and_take_bags"
    assert bp.validate().ok, str(bp.validate())


def test_builder_handles_proxy_the_step() -> None:
    bp = Blueprint("x")
    greet = bp.onstage("Greet", role="desk", duration="exp(2 min)")
    assert greet.duration.mean == 120
    assert greet.step is bp.steps[0]
    assert "Greet" in repr(greet) or "greet" in repr(greet)


def test_builder_makes_ids_unique_but_files_may_not() -> None:
    bp = Blueprint("x")
    a = bp.customer("Wait")
    b = bp.customer("Wait")
    assert (a.id, b.id) == ("wait", "wait_2")
    data = {"name": "x", "steps": [{"label": "Wait", "lane": "customer"}, {"label": "Wait", "lane": "customer"}]}
    report = Blueprint.model_validate(data).validate()
    assert [p.message for p in report.errors] == ["duplicate step id 'wait' (first at steps[0])"]


def test_builder_role_and_group_again_change_not_duplicate() -> None:
    """Naming a role (or group) a second time changes it: one role, the new fields, the old ones kept."""
    bp = Blueprint("Cafe")
    bp.role("barista", staffing=2, cost_per_hour=18, target={"service_level": 0.8, "within": "2 min"})
    again = bp.role("barista", staffing=3)
    assert [r.name for r in bp.roles] == ["barista"] and bp.roles[0] is again
    assert again.staffing is not None and again.staffing.headcount == 3 and again.cost_per_hour == 18
    assert again.target is not None and again.target.service_level == 0.8
    bp.role("cashier")
    bp.group("all", ["barista", "cashier"], staffing=2)
    bp.group("all", ["cashier", "barista"], staffing=4)
    assert len(bp.groups) == 1 and bp.groups[0].staffing is not None and bp.groups[0].staffing.headcount == 4
    with pytest.raises(ValidationError):
        bp.role("barista", staffing="lots")
    assert bp.roles[0] is again  # a refused change leaves the role as it was


def test_rshift_with_a_list_explains_itself() -> None:
    bp = Blueprint("x")
    a, b, c = bp.customer("a"), bp.customer("b"), bp.customer("c")
    with pytest.raises(TypeError, match="bp.split"):
        a >> [b, c]  # type: ignore[operator]
    bp.split(a, [b, c])
    assert {f.kind.value for f in bp.flows} == {"parallel"}


def test_id_derived_from_label_in_any_script() -> None:
    s = Step(label="等待 客服", lane="customer")
    assert s.id == "等待_客服"
    assert Step(label="Check-in & key", lane="customer").id == "check_in_key"


def test_frontstage_is_an_alias_and_evidence_is_not_a_step_lane() -> None:
    assert Step(label="x", lane="frontstage").lane is Lane.ONSTAGE
    with pytest.raises(ValidationError, match="physical evidence is not a lane for steps"):
        Step(label="x", lane="evidence")


def test_blueprint_equality_ignores_where_it_came_from(tmp_path) -> None:
    bp = hotel()
    p = tmp_path / "hotel.yaml"
    bp.save(p)
    again = blueprint.load(p)
    assert again == bp and again.source == str(p) and bp.source is None
    assert again != hotel().model_copy(update={"name": "other"})


def test_staffing_forms_and_their_text() -> None:
    assert Staffing.model_validate(4).model_dump() == 4
    assert Staffing.model_validate("unlimited").kind == "unlimited"
    prof = Staffing.model_validate({"interval": "30 min", "start": "08:00", "values": [1, 2]})
    assert prof.kind == "profile" and prof.profile.value_at(8.6 * 3600) == 2
    shifts = Staffing.model_validate([{"start": "22:00", "length": "9 h", "breaks": [{"start": "02:00", "length": "30 min"}]}])
    assert shifts.kind == "shifts"
    assert shifts.shifts[0].paid_hours == 8.5
    assert shifts.shifts[0].break_offsets() == [(4 * 3600, 4.5 * 3600)]
    assert Staffing.model_validate(0).is_zero()
    assert Staffing.model_validate({"shifts": [{"start": "08:00", "length": "8 h", "count": 0}]}).is_zero()


def test_profiles_by_weekday_and_past_midnight() -> None:
    from blueprint import Profile

    p = Profile(interval="1 h", start="23:00", days={"tue": [4, 6]})
    assert list(p.days) == ["tuesday"]
    # 23:00 on Tuesday and 00:00 on Wednesday
    assert p.value_at(1 * 86400 + 23.5 * 3600) == 4
    assert p.value_at(2 * 86400 + 0.5 * 3600) == 6
    assert p.value_at(0) == 0
    # Sunday 23:00 runs into Monday 00:00 of the next week
    q = Profile(interval="1 h", start="23:00", days={"sunday": [1, 2]})
    assert q.value_at(0.5 * 3600) == 2 and q.total() == 3


def test_units() -> None:
    assert Duration.parse("1.5 h").seconds == 5400
    assert str(Duration.parse("90 seconds")) == "90 s"
    assert Rate.parse("30/h").per_second == pytest.approx(30 / 3600)
    assert str(Rate.parse("2 per minute")) == "2 per min"
    assert Duration.parse("60 s") != Duration.parse("1 min")
    assert normalize_time_of_day("8:30") == "08:30"
    assert normalize_time_of_day("08:30:05.500") == "08:30:05.5"
    assert time_of_day_seconds("24:00") == 86400
    assert timestamp_seconds("tue 01:00") == 86400 + 3600
    for bad, msg in [
        ("25:00", "is not a time between 00:00 and 24:00"),
        ("8h30", "cannot read '8h30'"),
        (510, "write it quoted"),
    ]:
        with pytest.raises(ValueError, match=msg):
            normalize_time_of_day(bad)
    with pytest.raises(ValueError, match="has no unit"):
        Duration.parse(4)
    with pytest.raises(ValueError, match="has no time unit"):
        Rate.parse(30)
    with pytest.raises(ValueError, match=r"cannot read '1 h 30 min'; .*; write it in one unit: '1.5 h' or '90 min'"):
        Duration.parse("1 h 30 min")  # a duration is one number and one unit


def test_arrivals_forms() -> None:
    from blueprint import Arrivals

    assert Arrivals(step="a", rate="120 per h").rate_at(0) == pytest.approx(1 / 30)
    a = Arrivals(step="a", profile={"interval": "15 min", "start": "08:00", "values": [30]})
    assert a.rate_at(8.1 * 3600) == pytest.approx(30 / 900) and a.rate_at(9 * 3600) == 0
    assert a.per_day() == pytest.approx(30)
    with pytest.raises(ValidationError, match="give exactly one of rate"):
        Arrivals(step="a", rate="1 per h", times=["08:00"])
    with pytest.raises(ValidationError, match="times must be in order"):
        Arrivals(step="a", times=["09:00", "08:00"])
    seg = Arrivals(step="a", rate="1 per h", patience="exp(2 min)").segment_list()
    assert len(seg) == 1 and seg[0].share == 1 and seg[0].patience.mean == 120


def test_assignment_is_validated() -> None:
    bp = hotel()
    bp.steps[1].duration = "exp(5 min)"
    assert bp.steps[1].duration.mean == 300
    with pytest.raises(ValidationError):
        bp.steps[1].duration = "exp(-5 min)"


def test_provenance() -> None:
    s = Step(label="x", lane="customer", provenance={"duration": "observed"})
    assert str(s.provenance_of("duration")) == "observed" and s.provenance_of("cost") is None
    assert str(Step(label="x", lane="customer", provenance="assumed").provenance_of("cost")) == "assumed"
    with pytest.raises(ValidationError, match="provenance for unknown field 'colour'"):
        Step(label="x", lane="customer", provenance={"colour": "assumed"})


def test_lookups_name_what_is_known() -> None:
    bp = hotel()
    with pytest.raises(KeyError, match="known: arrive_at_hotel"):
        bp.step("nope")
    with pytest.raises(KeyError, match="known: bellperson, front desk"):
        bp.get_role("nope")
    assert bp.target_for("bellperson") is None


def test_summary_and_html() -> None:
    bp = hotel()
    text = bp.summary()
    lines = [line.split(None, 1) for line in text.splitlines()[1:]]
    assert text.splitlines()[0] == "Blueprint: Hotel stay"
    assert ["Validation", "valid"] in lines
    assert any(line[0] == "Role" and line[1].startswith("bellperson") for line in lines)
    assert "<table>" in bp._repr_html_() and "Hotel stay" in bp._repr_html_()
    from IPython.lib.pretty import pretty
    assert pretty(text) == text  # a notebook cell ending in bp.summary() shows its lines, not a quoted string
    assert bp.validate()._repr_html_() == "<p>✓ valid blueprint</p>"
    bp.steps[1].role = "nobody"
    assert "unknown role" in bp.validate()._repr_html_()


def test_ids_and_names_longer_than_a_line_are_refused_where_they_stand() -> None:
    """An id or a name (of a step, role, group, stage) names a node of the diagram and a column of a table: at most
    200 characters, refused with where it stands; a label or description may be longer, and an id made from a
    long label is its first 200 characters."""
    long = "r" * 201
    text = f"name: Desk\nroles: [{{name: {long}, staffing: 1}}]\nsteps: [{{id: serve, label: Serve, lane: onstage, role: {long}}}]\n"
    with pytest.raises(blueprint.BlueprintError) as info:
        blueprint.loads(text, source="desk.yaml")
    assert "roles[0].name: a role name of 201 characters ('rrrrrrrrrrrrrrrrrrrrrrrr'…); at most 200" in str(info.value)
    with pytest.raises(blueprint.BlueprintError, match=r"steps\[0\]\.id: an id of 201 characters"):
        blueprint.loads(text.replace(long, "clerk").replace("id: serve", f"id: {'s' * 201}"), source="desk.yaml")
    step = Step.model_validate({"label": "Serve the customer " * 50, "lane": "onstage"})
    assert len(step.id) <= 200 and step.id.startswith("serve_the_customer") and not step.id.endswith("_")


def test_booleans_and_texts_are_no_numbers_but_numpy_numbers_are() -> None:
    """The JSON Schema says number; pydantic alone reads ``true`` as 1 and ``"28"`` as 28."""
    import numpy as np

    from blueprint import Role
    from blueprint.staffing import Profile

    for bad in (True, "28"):
        with pytest.raises(ValidationError, match="float_type"):
            Role(name="agent", cost_per_hour=bad)
    with pytest.raises(ValidationError) as caught:
        Profile(interval="1 h", start="08:00", values=[3, False, 2])
    assert [e["loc"] for e in caught.value.errors()] == [("values", 1)]
    with pytest.raises(ValidationError) as caught:
        Profile(interval="1 h", start="08:00", days={"monday": [3, "4"]})
    assert [e["loc"] for e in caught.value.errors()] == [("days", "monday", 1)]
    assert Role(name="agent", cost_per_hour=np.int64(30), concurrency=np.int64(2)).concurrency == 2
    assert Profile(interval="1 h", start="08:00", values=[np.float64(2.5), 3]).values == [2.5, 3]
    role = Role(name="agent")
    with pytest.raises(ValidationError):
        role.concurrency = True  # assignment is checked alike
