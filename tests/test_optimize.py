"""The closed loop: requirements, shifts, simulation, raise what misses; against the spreadsheet method."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import blueprint
import simulate
from blueprint import BlueprintFileError
from simulate.staffing.optimize import load_role_templates

TEMPLATES = "examples/contact_center.shifts.yaml"


@pytest.fixture(scope="module")
def contact_center() -> blueprint.Blueprint:
    return blueprint.load("examples/contact_center.yaml")


@pytest.fixture(scope="module")
def loop(contact_center: blueprint.Blueprint) -> simulate.StaffingPlan:
    return simulate.optimize_staffing(contact_center, templates=TEMPLATES, replications=10, seed=1)


@pytest.fixture(scope="module")
def sheet(contact_center: blueprint.Blueprint) -> simulate.StaffingPlan:
    return simulate.spreadsheet_staffing(contact_center, templates=TEMPLATES, replications=10, seed=1)


def test_closed_loop_meets_the_target_in_every_interval(loop: simulate.StaffingPlan) -> None:
    assert loop.meets_target, loop.misses
    per = loop.results.roles()
    for role in ("first_line", "specialist"):
        sl = per.loc[role]
        busy = sl[sl["arrivals"] > 0]
        assert (busy["service_level"] >= 0.8).all()
        # the blueprint's target caps abandonment at 5%; the specialists have their own target without a cap
        if loop.targets[role].max_abandon is not None:
            assert (busy["abandonment"] <= loop.targets[role].max_abandon).all()
    assert loop.targets["first_line"].max_abandon == 0.05
    # the plan covers the (raised) requirement in every interval
    for role, plan in loop.plans.items():
        assert (plan.coverage["on_duty"].to_numpy() >= loop.requirement[role]).all()


def test_closed_loop_beats_the_spreadsheet(contact_center: blueprint.Blueprint) -> None:
    """On the target a spreadsheet can aim at (80% within 60 s), with the same customers (same seed)
    and the same shift solver: the loop meets it in every interval and costs no more."""
    sl_only = {"service_level": 0.8, "within": "60 s"}
    loop = simulate.optimize_staffing(contact_center, sl_only, templates=TEMPLATES, replications=10, seed=1)
    sheet = simulate.spreadsheet_staffing(contact_center, sl_only, templates=TEMPLATES, replications=10, seed=1)
    assert loop.meets_target, loop.misses
    assert loop.cost <= sheet.cost and len(loop.misses) <= len(sheet.misses), (loop.cost, sheet.cost, sheet.misses)


def test_the_spreadsheet_cannot_see_abandonment(loop: simulate.StaffingPlan, sheet: simulate.StaffingPlan) -> None:
    """With the blueprint's own target (which also caps abandonment at 5%), Erlang C per interval leaves
    intervals where too many callers give up; the loop's plan has none."""
    assert loop.meets_target
    assert (sheet.misses["figure"] == "abandonment").any()


def test_the_plan_is_staffing_the_blueprint_accepts(loop: simulate.StaffingPlan) -> None:
    staffed = loop.blueprint
    assert staffed.validate().ok
    for role in ("first_line", "specialist"):
        assert staffed.get_role(role).staffing.kind == "shifts"
    # simulating the staffed blueprint again with the same seed gives the verifying results
    again = simulate.run(staffed, days=1, replications=10, seed=1)
    assert again.summary()["mean"].to_dict() == loop.results.summary()["mean"].to_dict()
    cov = loop.coverage("specialist")
    assert list(cov.columns) == ["start", "time", "label", "required", "on_duty", "service_level", "service_level_ci_low",
                                 "service_level_ci_high", "abandonment", "abandonment_ci_low", "abandonment_ci_high"]
    fig = loop.plot("first_line")
    assert fig.axes[0].get_ylabel() == "staff (people)" and fig.axes[0].get_title().startswith("first_line: ")
    assert "Staffing plan" in loop._repr_html_()


def test_the_loop_raises_what_the_formula_misses() -> None:
    """Callers who give up call back 10 minutes later: the formulas do not see the extra calls,
    the simulation does, and the loop adds staff until every interval meets its target."""
    bp = blueprint.Blueprint("Call-backs")
    call = bp.customer("Call")
    answer = bp.onstage("Answer", role="agent", duration="exp(5 min)", wait_point="30 s")
    call >> answer
    bp.flow(answer, call, kind="retry", probability=0.9, delay="exp(10 min)")
    bp.role("agent", staffing=5, target={"service_level": 0.8, "within": "30 s"})
    bp.arrive(call, profile={"interval": "1 h", "start": "08:00", "values": [40, 80, 120, 120, 80, 40]},
              patience="exp(1 min)")
    templates = {"agent": [{"name": "four", "earliest_start": "07:00", "latest_start": "17:00",
                            "start_step": "30 min", "length": "4 h"}]}
    plan = simulate.optimize_staffing(bp, templates=templates, method="sipp", replications=8, seed=2)
    assert plan.meets_target, plan.misses
    assert len(plan.rounds) >= 2 and plan.rounds[0]["misses"] > 0
    first = np.array(plan.rounds[0]["required"]["agent"])
    assert (plan.requirement["agent"] >= first).all() and plan.requirement["agent"].sum() > first.sum()


def test_role_templates_file_errors_are_located(tmp_path: Path) -> None:
    assert sorted(load_role_templates(TEMPLATES)) == ["first_line", "specialist"]
    bad = tmp_path / "bad.shifts.yaml"
    bad.write_text("roles:\n  specialist:\n    templates:\n      - name: x\n        earliest_start: '07:00'\n        length: soon\n")
    with pytest.raises(BlueprintFileError) as e:
        load_role_templates(bad)
    msg = str(e.value)
    assert f"{bad}:6" in msg and "roles.specialist.templates[0].length" in msg
    with pytest.raises(BlueprintFileError) as e:
        simulate.load_templates(bad, role="specialist")
    assert f"{bad}:6" in str(e.value) and "roles.specialist.templates[0].length" in str(e.value)
    with pytest.raises(BlueprintFileError, match="no templates for role 'nobody'; roles in the file: first_line, specialist"):
        simulate.load_templates(TEMPLATES, role="nobody")
    with pytest.raises(ValueError, match="no shift templates for role 'specialist'"):
        simulate.optimize_staffing(blueprint.load("examples/contact_center.yaml"),
                                   templates={"first_line": load_role_templates(TEMPLATES)["first_line"]},
                                   replications=2, seed=1)
