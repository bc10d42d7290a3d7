"""The closed loop: requirements, shifts, simulation, raise what misses; against the spreadsheet method."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import blueprint
import simulate
from blueprint import BlueprintFileError
from simulate.staffing.optimize import load_role_templates
from simulate.staffing.pooled import leaning

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


def test_closed_loop_meets_the_target_on_held_out_customers(loop: simulate.StaffingPlan) -> None:
    """The plan is checked on a seed the search never used, with replications added while a period is
    undecided: no interval misses clearly there, and the check says so and how it was made."""
    v = loop.verification
    assert v is not None and v.seed not in loop.seeds and loop.seed == 1
    assert loop.meets_target, loop.misses
    assert v.level == "interval" and set(v.table["role"]) == {"first_line", "specialist"}
    assert v.replications > 20 or v.decided  # undecided periods made it add replications
    assert loop.targets["first_line"].max_abandon == 0.05
    # the plan covers the requirement it was bought for in every interval
    for role, plan in loop.plans.items():
        assert (plan.coverage["on_duty"].to_numpy() >= loop.requirement[role]).all()
    summary = loop.summary()
    assert summary.loc["first_line", "held-out seed"] == v.seed and summary.loc["first_line", "level"] == "interval"
    assert "held-out seed" in repr(loop) and str(v.seed) in loop._repr_html_()


def test_closed_loop_beats_the_spreadsheet(contact_center: blueprint.Blueprint) -> None:
    """On the target a spreadsheet can aim at (80% within 60 s), with the same shift solver: the loop's
    plan misses no interval on held-out customers and costs no more."""
    sl_only = {"service_level": 0.8, "within": "60 s"}
    loop = simulate.optimize_staffing(contact_center, sl_only, templates=TEMPLATES, replications=10, seed=1)
    sheet = simulate.spreadsheet_staffing(contact_center, sl_only, templates=TEMPLATES, replications=10, seed=1)
    assert loop.meets_target, loop.misses
    assert loop.cost <= sheet.cost, (loop.cost, sheet.cost)


def test_the_spreadsheet_cannot_see_abandonment(loop: simulate.StaffingPlan, sheet: simulate.StaffingPlan) -> None:
    """With the blueprint's own target (which also caps abandonment at 5%), Erlang C per interval leaves
    intervals where too many callers give up; the loop's plan has none."""
    assert loop.meets_target
    assert (sheet.misses["figure"] == "abandonment").any()


def test_an_hourly_target_is_a_different_decision(contact_center: blueprint.Blueprint,
                                                  loop: simulate.StaffingPlan) -> None:
    """Judged per hour, quarter hours can trade within their hour: the plan costs no more than the
    per-interval plan, and its check is per hour."""
    hourly = simulate.optimize_staffing(contact_center, templates=TEMPLATES, replications=10, seed=1, level="hour",
                                        max_replications=160)
    assert hourly.verification is not None and hourly.verification.level == "hour"
    assert hourly.meets_target, hourly.misses
    assert hourly.cost <= loop.cost
    assert set(hourly.verification.table["label"]).issuperset({"10:00–11:00", "14:00–15:00"})


def test_the_plan_is_staffing_the_blueprint_accepts(loop: simulate.StaffingPlan) -> None:
    staffed = loop.blueprint
    assert staffed.validate().ok
    for role in ("first_line", "specialist"):
        assert staffed.get_role(role).staffing.kind == "shifts"
    # simulating the staffed blueprint again with the search's seed gives the search's results
    again = simulate.run(staffed, days=1, replications=10, seed=1)
    first = simulate.Results(blueprint=loop.results.blueprint, replications=loop.results.replications[:10], seed=1,
                             days=1, warmup=0, interval=loop.results.interval)
    assert again.summary()["mean"].to_dict() == first.summary()["mean"].to_dict()
    cov = loop.coverage("specialist")
    assert list(cov.columns) == ["start", "time", "label", "required", "on_duty", "service_level", "service_level_ci_low",
                                 "service_level_ci_high", "abandonment", "abandonment_ci_low", "abandonment_ci_high"]
    fig = loop.plot("first_line")
    assert fig.axes[0].get_ylabel() == "staff (people)" and fig.axes[0].get_title().startswith("first_line: ")
    assert "Staffing plan" in loop._repr_html_()


def test_the_loop_raises_what_the_formula_misses() -> None:
    """Callers who give up call back 10 minutes later: the formulas do not see the extra calls,
    the simulation does, and the loop adds staff where intervals clearly miss their target."""
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
    raised = [r for r in plan.rounds if r["phase"] == "raise"]
    assert len(raised) >= 2 and raised[0]["clear_misses"] > 0
    first = np.array(raised[0]["required"]["agent"])
    assert plan.requirement["agent"].sum() > first.sum()


def _desk() -> tuple[blueprint.Blueprint, dict[str, list[dict[str, str]]]]:
    """A one-role desk open 08:00 to 16:00, and 4-hour shifts for it."""
    bp = blueprint.Blueprint("Desk")
    call = bp.customer("Call")
    answer = bp.onstage("Answer", role="agent", duration="exp(4 min)", wait_point="60 s")
    call >> answer
    bp.role("agent", staffing=5, target={"service_level": 0.8, "within": "60 s"})
    bp.arrive(call, profile={"interval": "1 h", "start": "08:00", "values": [60, 90, 120, 120, 90, 60, 60, 60]},
              patience="exp(3 min)")
    return bp, {"agent": [{"name": "four", "earliest_start": "08:00", "latest_start": "12:00",
                           "start_step": "30 min", "length": "4 h"}]}


def test_a_search_stopped_at_its_cap_says_what_it_left_undecided() -> None:
    """At a cap of 4 replications the search cannot call several quarter hours whose best estimate misses:
    the plan's notes name them and the larger cap to pass; judged per day (one period, many calls) nothing is
    left undecided and there is no note."""
    bp, templates = _desk()
    options: dict[str, Any] = dict(templates=templates, method="sipp", replications=4, seed=1, give_back=False, verify=False)
    capped = simulate.optimize_staffing(bp, max_replications=4, **options)
    [note] = capped.notes()
    assert "cap of 4 replications" in note and "max_replications=8" in note and "agent " in note
    assert "Note:" in capped._repr_html_()
    lean = capped.evidence[leaning(capped.evidence)]
    assert f"with {len(lean)} period(s)" in note
    assert simulate.optimize_staffing(bp, max_replications=64, level="day", **options).notes() == []


def test_roles_kept_at_their_declared_staffing() -> None:
    """``keep`` leaves equipment declared as a role (the coffee shop's espresso machines) as declared: it needs
    no templates, is not planned or judged, and the plan counts its hours as simulated; without it the missing
    templates are refused with the way out; unknown names and keeping everything are refused."""
    bp = blueprint.load("examples/coffee_shop.yaml")
    four = [{"name": "four", "earliest_start": "06:00", "latest_start": "16:00", "start_step": "30 min", "length": "4 h"}]
    templates = {"cashier": four, "barista": four}
    with pytest.raises(ValueError, match=r"no shift templates for role 'espresso_machine'.*keep=\['espresso_machine'\]"):
        simulate.optimize_staffing(bp, templates=templates, seed=5, verify=False)
    plan = simulate.optimize_staffing(bp, templates=templates, seed=5, keep=["espresso_machine"])
    assert sorted(plan.plans) == ["barista", "cashier"] and plan.kept == ["espresso_machine"]
    assert "espresso_machine" not in plan.targets and plan.verification is not None
    assert set(plan.verification.table["role"]) == {"barista", "cashier"}
    assert plan.blueprint.get_role("espresso_machine").staffing == bp.get_role("espresso_machine").staffing
    simulated = float(np.mean([rep.role_totals["espresso_machine"].paid_hours for rep in plan.results.replications]))
    assert plan.paid_hours == pytest.approx(sum(p.paid_hours for p in plan.plans.values()) + simulated)
    assert plan.summary().loc["espresso_machine", "level"] == "kept as declared"
    sheet = simulate.spreadsheet_staffing(bp, templates=templates, seed=5, keep="espresso_machine")
    assert sorted(sheet.plans) == ["barista", "cashier"] and sheet.kept == ["espresso_machine"]
    with pytest.raises(ValueError, match="'espresso' is not a role or group the plan staffs; it staffs: cashier"):
        simulate.optimize_staffing(bp, templates=templates, keep=["espresso"])
    with pytest.raises(ValueError, match="nothing left to plan"):
        simulate.optimize_staffing(bp, templates=templates, keep=["cashier", "barista", "espresso_machine"])


def test_the_loop_gives_back_what_is_spare() -> None:
    """Judged over the whole day, quarter hours above the target pay for those below it: the formula's
    per-interval requirement is more than the day needs, and the give-back pass returns a plan with
    fewer paid hours that still meets the day's target on held-out customers."""
    bp, templates = _desk()
    kept = simulate.optimize_staffing(bp, templates=templates, method="sipp", replications=20, seed=3, give_back=False,
                                      verify=False, level="day")
    trimmed = simulate.optimize_staffing(bp, templates=templates, method="sipp", replications=20, seed=3, level="day")
    assert trimmed.paid_hours < kept.paid_hours
    assert any(r["phase"] == "give back" and r["accepted"] for r in trimmed.rounds)
    assert trimmed.meets_target, trimmed.misses


def test_the_trim_removes_a_spare_shift_the_simulation_confirms(monkeypatch: pytest.MonkeyPatch) -> None:
    """The trim alone (the give-back skipped) on a plan bought for a requirement inflated by shrinkage:
    it removes whole shifts, each checked on the same customers, never below what the target needs: the
    trimmed plan is cheaper and still meets the day's target on held-out customers; with ``trim=0`` nothing
    is removed."""
    from simulate.staffing.search import Search

    monkeypatch.setattr(Search, "give_back", lambda self, base, max_rounds: base)
    bp, templates = _desk()
    options = dict(templates=templates, shrinkage=0.3, replications=20, seed=3, level="hour")
    kept = simulate.optimize_staffing(bp, trim=0, verify=False, **options)
    trimmed = simulate.optimize_staffing(bp, trim=4, **options)
    cut = [r for r in trimmed.rounds if r["phase"] == "trim" and r["accepted"]]
    assert cut and all("four at" in r["removed"] for r in cut)
    assert trimmed.paid_hours == kept.paid_hours - 4 * len(cut)
    assert not any(r["phase"] == "trim" for r in kept.rounds)
    assert trimmed.meets_target, trimmed.misses
    on = trimmed.plans["agent"].coverage["on_duty"].to_numpy()
    assert (trimmed.requirement["agent"] <= on).all()  # the requirement reported is what the plan covers


def test_the_trim_replaces_a_shift_by_a_shorter_cheaper_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan with two agents too many in the afternoon, bought as day shifts (the only shift that reaches
    the afternoon), and a morning with nobody spare: removing a day shift or a 4-hour morning shift would
    cost the morning, so the trim puts a 4-hour morning shift in a day shift's place. Each replacement it
    keeps saves a day shift's cost less a short one's, and the plan meets the hour's target on held-out
    customers."""
    from simulate.staffing.search import Search

    def padded(self: Search, base: Any, max_rounds: int) -> Any:  # the give-back replaced: two more after 12:00
        for r in self.loop.roles:
            labels = base.plans[r].coverage["label"]
            self.loop.need[r] = np.where((labels >= "12:00") & (labels < "16:00"), self.loop.need[r] + 2, self.loop.need[r])
        return self.evaluate(self.plans())

    monkeypatch.setattr(Search, "give_back", padded)
    bp, _ = _desk()
    templates = {"agent": [
        {"name": "eight", "earliest_start": "08:00", "latest_start": "08:00", "length": "8 h", "cost_per_hour": 20},
        {"name": "four", "earliest_start": "08:00", "latest_start": "09:00", "start_step": "30 min", "length": "4 h",
         "cost_per_hour": 30},
    ]}
    options = dict(templates=templates, objective="cost", replications=20, seed=3, level="hour")
    padded_plan = simulate.optimize_staffing(bp, trim=0, verify=False, **options)
    trimmed = simulate.optimize_staffing(bp, trim=4, **options)
    tried = [r for r in trimmed.rounds if r["phase"] == "trim"]
    kept = [r for r in tried if r["accepted"]]
    assert kept and all(r["removed"] == "agent: eight at 08:00" and r["added"] in ("four at 08:00", "four at 09:00")
                        for r in kept), tried
    assert trimmed.cost == pytest.approx(padded_plan.cost - (160 - 120) * len(kept))
    assert trimmed.meets_target, trimmed.misses


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


def test_a_week_with_identical_days_gets_identical_plans() -> None:
    """The service desk's Tuesday, Wednesday and Thursday bring the same calls: the search judges them
    together and the plan staffs them alike, role by role."""
    bp = blueprint.load("examples/service_desk.yaml")
    plan = simulate.optimize_staffing(bp, templates="examples/service_desk.shifts.yaml", days=7, replications=10,
                                      max_replications=20, seed=3, verify=False)
    assert plan.evidence is not None and "Tue, Wed, Thu" in set(plan.evidence["days"])
    for role, shifts in plan.plans.items():
        shapes = {d: sorted(zip(g["template"], g["start"], g["count"])) for d, g in shifts.shifts.groupby("day")}
        assert shapes["tuesday"] == shapes["wednesday"] == shapes["thursday"], role
    assert "not verified" in repr(plan)
