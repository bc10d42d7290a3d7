"""Capacity warnings (customers with nobody on duty, staff with no customers, more work than staff) and the
visit shares they read; every number below is worked out by hand in the comment beside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import blueprint
from blueprint.capacity import arrival_rate, on_duty
from blueprint.cli import app
from blueprint.staffing import DAY
from blueprint.visits import arrival_lags, branch_probabilities, expected_visits

from . import strategies as bst

H = 3600.0


def shop(staffing: object, *, arrivals: dict | None = None, before: str | None = None, duration: str = "2 min",
         concurrency: int = 1) -> blueprint.Blueprint:
    """Order (a customer step) -> [a customer step taking ``before``] -> make (barista, ``duration``)."""
    bp = blueprint.Blueprint("Shop")
    order = bp.customer("Order")
    last = order
    if before:
        walk = bp.customer("Walk to the bar", duration=before)
        _ = order >> walk
        last = walk
    make = bp.onstage("Make", role="barista", duration=duration)
    _ = last >> make
    bp.role("barista", staffing=staffing, concurrency=concurrency)
    bp.arrive(order, **(arrivals or {"rate": "20 per h"}))
    return bp


def warnings(bp: blueprint.Blueprint) -> list[tuple[str, str, str]]:
    return [(p.code, p.path, p.message) for p in bp.validate().warnings]


# -- visits ----------------------------------------------------------------------------------------------------


def test_branch_probabilities_follow_the_rule() -> None:
    flows = [blueprint.Flow.model_validate(d) for d in (
        {"from": "a", "to": "b", "probability": 0.25}, {"from": "a", "to": "c", "probability": 0.35},
        {"from": "a", "to": "d", "otherwise": True})]
    assert branch_probabilities(flows) == pytest.approx([0.25, 0.35, 0.4])
    assert branch_probabilities(flows[2:]) == [1.0]  # a single flow takes all
    assert branch_probabilities([blueprint.Flow.model_validate({"from": "a", "to": "b", "probability": 0.4})]) == [0.4]


def test_expected_visits_count_rework_branches_and_recovery() -> None:
    bp = blueprint.Blueprint("Desk")
    a = bp.onstage("Serve", role="clerk", duration="4 min", fail_point={"description": "wrong", "probability": 0.1,
                                                                         "recovery": "fix"})
    b = bp.onstage("Expert", role="clerk", duration="10 min")
    fix = bp.backstage("Fix", role="clerk", duration="1 min")
    done = bp.customer("Done")
    bp.flow(a, a, probability=0.2, kind="rework")
    bp.flow(a, b, probability=0.4)
    bp.flow(a, done, otherwise=True)
    _ = fix >> done
    _ = b >> done
    v = expected_visits(bp, "serve")
    # serve: v = 1 + 0.9 * 0.2 v  ->  v = 1 / 0.82; expert 0.9 * 0.4 v; fix 0.1 v
    serve = 1 / 0.82
    assert v.steps["serve"] == pytest.approx(serve)
    assert v.steps["expert"] == pytest.approx(0.36 * serve)
    assert v.steps["fix"] == pytest.approx(0.1 * serve)
    assert v.steps["done"] == pytest.approx(1.0)  # every customer ends once
    assert v.flows[("serve", "fix")] == pytest.approx(0.1 * serve)


def test_arrival_lags_add_the_durations_before_a_step() -> None:
    bp = shop(2, before="30 min")
    assert arrival_lags(bp, "order") == {"order": 0.0, "walk_to_the_bar": 0.0, "make": 1800.0}


# -- timelines -------------------------------------------------------------------------------------------------


def test_on_duty_takes_breaks_out_and_wraps_past_the_week() -> None:
    s = blueprint.Staffing.model_validate({"shifts": [{"start": "22:00", "length": "9 h", "count": 2, "days": ["sunday"],
                                                       "breaks": [{"start": "02:00", "length": "30 min"}]}]})
    t = on_duty(s)
    assert t.at(6 * DAY + 23 * H) == 2  # sunday 23:00
    assert t.at(1 * H) == 2 and t.at(2.25 * H) == 0 and t.at(5 * H) == 2 and t.at(7.5 * H) == 0  # monday morning
    assert on_duty(blueprint.Staffing.model_validate(3)).at(12345.0) == 3


def test_arrival_rate_of_profiles_and_listed_times() -> None:
    a = blueprint.Arrivals.model_validate({"step": "x", "profile": {"interval": "30 min", "start": "08:00", "values": [6, 3]}})
    assert arrival_rate(a).at(8.1 * H) == pytest.approx(6 / 1800) and arrival_rate(a).at(8.6 * H) == pytest.approx(3 / 1800)
    assert arrival_rate(a).at(9.1 * H) == 0
    stamps = blueprint.Arrivals.model_validate({"step": "x", "times": ["08:01", "08:05", "tuesday 09:00"]})
    rate = arrival_rate(stamps)  # a weekday named: replayed once a week, counted per 15 minutes
    assert rate.at(8.2 * H) == pytest.approx(2 / 900) and rate.at(DAY + 9.1 * H) == pytest.approx(1 / 900)
    assert rate.at(DAY + 8.2 * H) == 0


# -- uncovered: customers while nobody is on duty -------------------------------------------------------------


def test_customers_with_no_barista_on_duty_are_warned_with_the_times() -> None:
    bp = shop({"interval": "1 h", "start": "07:00", "values": [1] * 5})
    found = warnings(bp)
    # 20 an hour all day; baristas 07:00-12:00, so 19 hours uncovered: 380 customers a day
    assert found[0] == ("uncovered", "steps[1].role",
                        "customers reach 'make' from 12:00 to 07:00 while no barista is on duty (about 380 a day)")
    assert bp.validate().ok  # a warning, not an error


def test_the_time_to_reach_a_step_moves_the_window() -> None:
    hours = {"interval": "1 h", "start": "08:00", "values": [10] * 4}
    bp = shop({"interval": "1 h", "start": "08:00", "values": [1] * 4}, arrivals={"profile": hours}, before="30 min")
    # customers arrive 08:00-12:00 and reach the bar 30 minutes later: 12:00-12:30 uncovered, 10 an hour -> 5
    assert [m for c, _, m in warnings(bp) if c == "uncovered"] == [
        "customers reach 'make' from 12:00 to 12:30 while no barista is on duty (about 5 a day)"]


def test_short_gaps_and_few_customers_are_left_to_the_simulation() -> None:
    hours = {"interval": "1 h", "start": "08:00", "values": [10] * 4}
    # a 10-minute gap at the end: shorter than 15 minutes
    bp = shop({"interval": "1 h", "start": "08:00", "values": [1] * 4}, arrivals={"profile": hours}, before="10 min")
    assert [c for c, _, _ in warnings(bp)] == []
    # a 30-minute gap with 0.5 an hour arriving: 0.25 a day, under half a customer a day
    few = {"interval": "30 min", "start": "08:00", "values": [5] * 8 + [0.25]}
    bp = shop({"interval": "30 min", "start": "08:00", "values": [1] * 8}, arrivals={"profile": few})
    assert [c for c, _, _ in warnings(bp)] == []


def test_a_weekend_without_staff_is_named_by_weekday() -> None:
    weekdays = [{"start": "00:00", "length": "24 h", "count": 3, "days": ["mon", "tue", "wed", "thu", "fri"]}]
    bp = shop({"shifts": weekdays})
    # 20 an hour for 48 hours: 960 a week
    assert warnings(bp) == [("uncovered", "steps[1].role",
                             "customers reach 'make' from saturday 00:00 to sunday 24:00 while no barista is on duty "
                             "(about 960 a week)")]


# -- idle staff: on duty with no customers ---------------------------------------------------------------------


def test_staff_on_duty_before_opening_and_after_closing_are_warned() -> None:
    open_hours = {"interval": "1 h", "start": "09:00", "values": [10] * 8}
    bp = shop({"shifts": [{"start": "07:00", "length": "12 h", "count": 2}]}, arrivals={"profile": open_hours})
    # 2 baristas from 07:00 to 19:00, customers from 09:00 to 17:00: 2 h before and after, 2 staff: 8 staff-hours
    assert warnings(bp) == [("idle-staff", "roles[0].staffing",
                             "barista staff are on duty from 07:00 to 09:00 and from 17:00 to 19:00 while no customers "
                             "reach their steps ('make'): 8 staff-hours a day")]
    # half an hour either side is usual (setting up, closing): not warned
    bp = shop({"shifts": [{"start": "08:30", "length": "9 h", "count": 2}]}, arrivals={"profile": open_hours})
    assert warnings(bp) == []


def test_a_role_reached_only_by_a_branch_of_probability_zero() -> None:
    bp = blueprint.Blueprint("Desk")
    ask = bp.onstage("Ask", role="clerk", duration="1 min")
    boss = bp.onstage("Escalate", role="manager", duration="5 min")
    bye = bp.customer("Leave")
    bp.flow(ask, boss, probability=0.0)
    bp.flow(ask, bye, otherwise=True)
    _ = boss >> bye
    bp.role("clerk", staffing=1)
    bp.role("manager", staffing=1)
    bp.arrive(ask, rate="10 per h")
    assert ("idle-staff", "roles[1].staffing",
            "manager staff are on duty but no customers reach their steps ('escalate'): the flows to them have "
            "probability 0") in warnings(bp)


# -- over capacity: more work in a day than staff-hours -------------------------------------------------------


def rework_desk(headcount: int, concurrency: int = 1) -> blueprint.Blueprint:
    bp = blueprint.Blueprint("Desk")
    a = bp.onstage("Serve", role="clerk", duration="4 min")
    b = bp.onstage("Expert", role="clerk", duration="10 min")
    done = bp.customer("Done")
    bp.flow(a, a, probability=0.2, kind="rework")
    bp.flow(a, b, probability=0.4)
    bp.flow(a, done, otherwise=True)
    _ = b >> done
    bp.role("clerk", staffing=headcount, concurrency=concurrency)
    bp.arrive(a, rate="30 per h")
    return bp


def test_work_above_the_staff_hours_of_a_day_is_warned_with_how_much() -> None:
    # 720 customers a day; serve 1 / 0.8 = 1.25 visits of 4 min, expert 0.4 x 1.25 = 0.5 visits of 10 min:
    # 720 x 10 min = 120 staff-hours against 4 x 24 = 96: 25% more
    assert warnings(rework_desk(4)) == [(
        "over-capacity", "roles[0].staffing",
        "clerk work offered is 120 staff-hours a day (900 visits × 4 min at 'serve' + 360 visits × 10 min at 'expert') "
        "but clerk staff are on duty 96 staff-hours a day: 25% more than they can do")]
    assert warnings(rework_desk(5)) == []  # 120 staff-hours of 5 x 24 = 120 available: exactly enough
    assert warnings(rework_desk(4, concurrency=2)) == []  # two customers at once: 192


def test_a_busier_weekday_is_named() -> None:
    bp = rework_desk(5)
    bp.arrivals[0] = blueprint.Arrivals.model_validate(
        {"step": "serve", "profile": {"interval": "24 h", "days": {"mon": [720], "sat": [1440]}}})
    # saturday: 1440 x 10 min = 240 staff-hours against 120, less the customers of saturday's last 4 minutes, who
    # reach the expert (4 min after arriving) on sunday: 1440 / 360 x 0.5 = 2 visits, 20 min; monday just enough
    found = [m for c, _, m in warnings(bp) if c == "over-capacity"]
    assert found == ["clerk work offered is 240 staff-hours on saturday (1,800 visits × 4 min at 'serve' + 718 visits × "
                     "10 min at 'expert') but clerk staff are on duty 120 staff-hours that day: 100% more than they can do"]


# -- where the warnings show -----------------------------------------------------------------------------------


def test_no_warning_for_a_shop_that_fits() -> None:
    assert warnings(shop(2)) == []
    assert warnings(shop("unlimited")) == []


def test_warnings_are_located_in_the_file_and_keep_exit_code_zero(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    blueprint.save(shop({"interval": "1 h", "start": "07:00", "values": [1] * 5}), path)
    bp = blueprint.load(path)
    line = bp.validate().warnings[0].line
    assert line is not None and "role: barista" in path.read_text().splitlines()[line - 1]
    result = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert f"{path}:{line}: warning: steps[1].role: customers reach 'make' from 12:00 to 07:00" in result.output


def test_a_warning_on_line_100_is_printed_as_line_100(tmp_path: Path) -> None:
    """The command prints ``file:100:``, not an emoji for ``:100:``."""
    text = blueprint.dumps(shop({"interval": "1 h", "start": "07:00", "values": [1] * 5}))
    line = blueprint.loads(text).validate().warnings[0].line
    assert line is not None
    path = tmp_path / "shop.yaml"
    path.write_text("# padding\n" * (100 - line) + text)
    result = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "300"})
    assert f"{path}:100: warning: steps[1].role:" in result.output, result.output


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# The examples' warnings, each one true of the example as written (see the example's staffing):
JUSTIFIED = {
    "coffee_shop.yaml": [],
    # all three specialists start at 07:30 and take their breaks together (12:00, 16:30)
    "contact_center.yaml": [("uncovered", "steps[7].role")],
    # both doctors lunch 12:00-13:00 while walk-ins still come (the clinic's story)
    "clinic.yaml": [("uncovered", "steps[6].role")],
    # the desk is open around the clock by policy: the night clerk has no check-ins after midnight
    "hotel.yaml": [("idle-staff", "roles[0].staffing")],
}


@pytest.mark.parametrize("name", sorted(JUSTIFIED))
def test_examples_warn_only_where_their_staffing_does_not_fit(name: str) -> None:
    report = blueprint.load(EXAMPLES / name).validate()
    assert [(p.code, p.path) for p in report.warnings] == JUSTIFIED[name], str(report)


def test_a_stream_of_no_customers_and_no_arrivals_at_all() -> None:
    bp = shop(2, arrivals={"rate": "0 per h"})
    assert warnings(bp) == [("no-arrivals", "arrivals[0]",
                             f"no customer ever arrives by {bp.arrivals[0].name!r} (its rate is 0): a simulation of it has no one to serve"),
                            ("idle-staff", "roles[0].staffing",
                             "barista staff are on duty but no customers reach their steps ('make'): no customers arrive")]
    bp.arrivals.clear()
    assert [c for c, _, _ in warnings(bp)] == ["no-arrivals"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=bst.staffing_data(), t=st.floats(min_value=0, max_value=2 * 7 * DAY, exclude_max=True))
def test_staff_on_duty_agree_with_the_simulator(data: object, t: float) -> None:
    """The validator's week of staff on duty is the simulator's headcount at every time (two weeks run)."""
    from simulate.engine.timeline import headcount_timeline, value_at

    staffing = blueprint.Staffing.model_validate(data)
    assert on_duty(staffing).at(t) == pytest.approx(value_at(headcount_timeline(staffing, 2 * 7 * DAY), t))


def test_a_break_begun_the_evening_before_the_run_keeps_the_member_off_at_its_start() -> None:
    """A Sunday night shift from 20:00 whose break runs 20:01 to 00:01: at Monday 00:00, when the run starts, the
    member is on the break (the simulator once put them on duty: changes before 0 were sorted by value)."""
    from simulate.engine.timeline import headcount_timeline

    s = blueprint.Staffing.model_validate([{"start": "20:00", "length": "8 h",
                                            "breaks": [{"start": "20:01", "length": "240 min"}]}])
    assert headcount_timeline(s, DAY)[:2] == [(0.0, 0), (60.0, 1)]
    assert on_duty(s).at(0.0) == 0 and on_duty(s).at(61.0) == 1


def test_the_example_coffee_shop_serves_its_day_with_few_giving_up() -> None:
    """examples/coffee_shop.yaml: staffed for its opening hours, so its customers (the profile adds up to 455 a day)
    are served and only a few give up; a coffee shop where more than one in twenty walk out is not one to copy."""
    import simulate

    bp = blueprint.load(EXAMPLES / "coffee_shop.yaml")
    assert sum(bp.arrivals[0].profile.values) == 455 and warnings(bp) == []
    results = simulate.run(bp, days=2, replications=5, seed=3, progress=False)
    per_rep = [(r.steps["order"].arrivals, sum(s.abandonments for s in r.steps.values())) for r in results.replications]
    arrived = sum(a for a, _ in per_rep) / 10  # a day
    gave_up = sum(g for _, g in per_rep) / sum(a for a, _ in per_rep)
    assert abs(arrived - 455) < 4 * (455 / 10) ** 0.5  # Poisson: 4 standard deviations of the mean of 10 days
    assert 0.001 < gave_up < 0.05, gave_up
