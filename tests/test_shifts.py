"""Shift plans (simulate.shifts): cover, optimality, objectives, wrap-around, soft cover,
infeasibility explanations, template files and the round trip into blueprint staffing."""

from __future__ import annotations

import io
import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blueprint.errors import BlueprintFileError
from blueprint.staffing import DAY, WEEK, Staffing
from blueprint.units import WEEKDAYS, time_of_day_seconds
from simulate.staffing.shifts import (
    InfeasibleShiftsError,
    ShiftPlan,
    ShiftTemplate,
    ShiftTemplates,
    greedy_shifts,
    load_templates,
    schedule_shifts,
)
from simulate.staffing.shifts.calendar import horizon, template_grid
from simulate.staffing.shifts.program import assign_breaks

EXACT = {"mip_gap": 1e-9, "time_limit": 20}


# -- helpers --------------------------------------------------------------------------


def staffing_coverage(staffing: Staffing, *, n: int, step: float, origin: float = 0.0, period: float = WEEK) -> np.ndarray:
    """Staff on duty per interval, counted from the Shift entries alone (breaks off duty).

    Interval ``i`` starts ``origin + i * step`` seconds after Monday 00:00;
    shifts repeat every ``period`` (a week, or a day for a plan without days).
    """
    on = np.zeros(n, dtype=int)
    mids = origin + (np.arange(n) + 0.5) * step
    for shift in staffing.shifts or []:
        begin_tod = time_of_day_seconds(shift.start)
        days = [WEEKDAYS.index(d) for d in shift.days] if shift.days is not None else [0]
        for d in days:
            begin = d * DAY + begin_tod
            rel = (mids - begin) % period
            working = rel < shift.length.seconds
            for a, b in shift.break_offsets():
                working &= ~((rel >= a) & (rel < b))
            on += shift.count * working
    return on


def columns(templates: ShiftTemplates, n: int, step: float, cyclic: bool) -> tuple[np.ndarray, np.ndarray]:
    """Every explicit shift (template, start, break positions) as a 0/1 on-duty vector, and its paid hours."""
    h = horizon(np.zeros(n), interval=f"{step / 60:g} min", start="00:00", day=None, cyclic=cyclic)
    g = template_grid(h, templates)
    cols, cost = [], []
    for k, tpl in enumerate(templates.templates):
        pools = g.pools_of(k)
        for s in g.starts[k]:
            for combo in itertools.product(*[range(p.width) for p in pools]):
                on = np.zeros(n, dtype=int)
                on[g.span(int(s), g.lengths[k])] = 1
                for p, i in zip(pools, combo):
                    on[g.span(int(s) + p.delay + i, p.length)] = 0
                cols.append(on)
                cost.append(tpl.paid_hours)
    return np.array(cols), np.array(cost)


def brute_force(required: np.ndarray, cols: np.ndarray, cost: np.ndarray) -> float:
    """Least total cost of a multiset of columns covering ``required`` (exhaustive branch and bound)."""
    best = [math.inf]

    def rec(deficit: np.ndarray, spent: float) -> None:
        if spent >= best[0] - 1e-9:
            return
        short = np.flatnonzero(deficit > 0)
        if len(short) == 0:
            best[0] = spent
            return
        t = short[0]
        for j in np.flatnonzero(cols[:, t]):
            rec(deficit - cols[j], spent + cost[j])

    rec(required.astype(int), 0.0)
    return best[0]


def tiny_templates(cyclic: bool) -> ShiftTemplates:
    if cyclic:  # 3-hour intervals: a day is 8 of them
        return ShiftTemplates(templates=[
            {"name": "long", "earliest_start": "00:00", "latest_start": "21:00", "start_step": "3 h", "length": "12 h",
             "breaks": [{"length": "3 h", "earliest": "3 h", "latest": "6 h"}]},
            {"name": "short", "earliest_start": "00:00", "latest_start": "21:00", "start_step": "3 h", "length": "6 h"},
        ])
    return ShiftTemplates(templates=[  # 1-hour intervals over 8 hours
        {"name": "long", "earliest_start": "00:00", "latest_start": "23:00", "start_step": "1 h", "length": "4 h",
         "breaks": [{"length": "1 h", "earliest": "1 h", "latest": "2 h"}]},
        {"name": "short", "earliest_start": "00:00", "latest_start": "23:00", "start_step": "1 h", "length": "3 h"},
    ])


DAY_TEMPLATES = ShiftTemplates(templates=[
    {"name": "eight", "earliest_start": "00:00", "latest_start": "23:00", "start_step": "1 h", "length": "8 h",
     "breaks": [{"length": "1 h", "earliest": "3 h", "latest": "5 h"}], "cost_per_hour": 20},
    {"name": "four", "earliest_start": "00:00", "latest_start": "23:00", "start_step": "1 h", "length": "4 h",
     "cost_per_hour": 26},
])

small_curves = st.lists(st.integers(0, 4), min_size=10, max_size=10)


# -- cover, greedy and optimality -----------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_curves, st.booleans())
def test_hard_cover_never_below_requirement_and_never_worse_than_greedy(curve: list[int], night: bool) -> None:
    # ten 1-hour intervals from 08:00 (not cyclic), or a cyclic day of 24 with the curve at night too
    if night:
        required = np.array((curve + curve[::-1] + curve)[:24])
        kw: dict = {"interval": "1 h"}
    else:
        required = np.array(curve)
        kw = {"interval": "1 h", "start": "08:00"}
    plan = schedule_shifts(required, DAY_TEMPLATES, **EXACT, **kw)
    cov = plan.coverage
    assert (cov["on_duty"].to_numpy() >= required).all()
    assert plan.shortfall == 0
    greedy = greedy_shifts(required, DAY_TEMPLATES, **kw)
    assert (greedy.coverage["on_duty"].to_numpy() >= required).all()
    assert plan.paid_hours <= greedy.paid_hours + 1e-9
    # the breaks in the table lie in their windows and the counts add up
    assert plan.shifts["count"].sum() == plan.headcount
    for _, row in plan.shifts.iterrows():
        if row["template"] == "eight":
            (b,) = row["break_intervals"]
            assert 3 <= (b - row["start_interval"]) % len(required) <= 5


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=8, max_size=8), st.booleans())
def test_small_instances_match_brute_force(curve: list[int], cyclic: bool) -> None:
    templates = tiny_templates(cyclic)
    step = 3 * 3600.0 if cyclic else 3600.0
    required = np.array(curve)
    cols, cost = columns(templates, 8, step, cyclic)
    best = brute_force(required, cols, cost)
    kw = {"interval": "3 h" if cyclic else "1 h", "cyclic": cyclic}
    if math.isinf(best):
        with pytest.raises(InfeasibleShiftsError):
            schedule_shifts(required, templates, **EXACT, **kw)
        return
    plan = schedule_shifts(required, templates, **EXACT, **kw)
    assert plan.paid_hours == pytest.approx(best)
    assert (plan.coverage["on_duty"].to_numpy() >= required).all()


def test_greedy_is_a_baseline_the_optimum_beats() -> None:
    required = np.array([0, 0, 1, 3, 5, 6, 6, 5, 4, 4, 5, 6, 5, 3, 2, 1, 0, 0] + [0] * 6)
    plan = schedule_shifts(required, DAY_TEMPLATES, interval="1 h", **EXACT)
    greedy = greedy_shifts(required, DAY_TEMPLATES, interval="1 h")
    assert greedy.status == "heuristic" and math.isnan(greedy.gap)
    assert plan.paid_hours < greedy.paid_hours
    assert plan.status == "optimal" and plan.gap <= 1e-6


def test_breaks_are_recovered_by_fifo_matching_across_the_wrap() -> None:
    # one template, breaks 2..4 intervals after the start, shifts starting near the end of a cyclic day
    templates = ShiftTemplates(templates=[{"name": "n", "earliest_start": "00:00", "latest_start": "23:00",
                                           "start_step": "1 h", "length": "6 h",
                                           "breaks": [{"length": "1 h", "earliest": "2 h", "latest": "4 h"}]}])
    h = horizon(np.zeros(24), interval="1 h", start="00:00", day=None, cyclic=True)
    g = template_grid(h, templates)
    pool = g.pools[0]
    x = {20: 2, 22: 1, 23: 3}
    b = np.zeros(24, dtype=int)
    b[[0, 1, 2]] = [2, 2, 1]  # 00:00, 01:00, 02:00 (windows open 22:00, 00:00, 01:00)
    b[23] = 1
    out = assign_breaks(g, pool, x, b)
    assert sorted(len(v) for v in out.values()) == [1, 2, 3]
    for s, taus in out.items():
        assert all(2 <= (t - s) % 24 <= 4 for t in taus)


# -- objectives -------------------------------------------------------------------------


def test_headcount_and_paid_hours_give_different_plans() -> None:
    # one person needed for 6 hours: a single 8-hour shift (1 person, 8 h) or two 3-hour shifts (2 people, 6 h)
    templates = [
        {"name": "long", "earliest_start": "08:00", "latest_start": "09:00", "start_step": "1 h", "length": "8 h",
         "cost_per_hour": 10},
        {"name": "short", "earliest_start": "08:00", "latest_start": "16:00", "start_step": "1 h", "length": "3 h",
         "cost_per_hour": 30},
    ]
    required = [0] * 9 + [1] * 6 + [0] * 9  # 09:00-15:00
    by_hours = schedule_shifts(required, templates, interval="1 h", objective="paid_hours", **EXACT)
    by_heads = schedule_shifts(required, templates, interval="1 h", objective="headcount", **EXACT)
    by_cost = schedule_shifts(required, templates, interval="1 h", objective="cost", **EXACT)
    assert (by_hours.headcount, by_hours.paid_hours) == (2, 6.0)
    assert (by_heads.headcount, by_heads.paid_hours) == (1, 8.0)
    assert set(by_hours.shifts["template"]) == {"short"} and set(by_heads.shifts["template"]) == {"long"}
    assert by_cost.cost == pytest.approx(80.0) and by_hours.cost == pytest.approx(180.0)
    with pytest.raises(ValueError, match="cost_per_hour"):
        schedule_shifts(required, [{"name": "a", "earliest_start": "09:00", "length": "6 h"}], interval="1 h",
                        objective="cost")


# -- a week wraps -------------------------------------------------------------------------


def test_cross_midnight_shift_in_a_week_wraps_to_monday() -> None:
    required = np.zeros(168, dtype=int)
    required[:4] = 2  # Monday 00:00-04:00
    templates = [{"name": "night", "earliest_start": "22:00", "length": "6 h", "days": ["sun"]}]
    plan = schedule_shifts(required, templates, interval="1 h", **EXACT)
    assert plan.cyclic and plan.headcount == 2
    (row,) = plan.shifts.itertuples()
    assert (row.day, row.start, row.end) == ("sunday", "22:00", "04:00")
    on = plan.coverage["on_duty"].to_numpy()
    assert on[166] == on[167] == 2 and (on[:4] == 2).all() and on[4:166].sum() == 0
    staffing = plan.to_staffing()
    assert staffing.shifts[0].days == ["sunday"]
    assert (staffing_coverage(staffing, n=168, step=3600) == on).all()


def test_week_plan_by_decomposition_covers_and_reports_an_honest_gap() -> None:
    day = [1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 6, 5, 6, 7, 7, 6, 5, 4, 3, 2, 2, 1, 1]
    scale = [1, 1, 1, 1, 1, 0.6, 0.5]
    required = np.concatenate([np.ceil(np.array(day) * s) for s in scale]).astype(int)
    plan = schedule_shifts(required, DAY_TEMPLATES, interval="1 h", method="decompose", time_limit=8, mip_gap=0.0)
    assert (plan.coverage["on_duty"].to_numpy() >= required).all()
    assert plan.dual_bound is not None and plan.dual_bound <= plan.paid_hours + 1e-6
    assert plan.gap == pytest.approx((plan.paid_hours - plan.dual_bound) / plan.paid_hours, abs=1e-6)
    assert plan.gap < 0.05
    staffing = Staffing.model_validate(plan.to_staffing().model_dump(mode="json"))
    assert (staffing_coverage(staffing, n=168, step=3600) == plan.coverage["on_duty"].to_numpy()).all()


# -- soft cover -------------------------------------------------------------------------


def test_soft_cover_leaves_gaps_only_when_cheaper() -> None:
    templates = [{"name": "a", "earliest_start": "00:00", "latest_start": "23:00", "start_step": "1 h", "length": "4 h"}]
    required = [0] * 10 + [1] + [0] * 13  # one lonely hour needs a 4-hour shift
    cheap_gap = schedule_shifts(required, templates, interval="1 h", soft=True, penalty=3.0, **EXACT)
    assert cheap_gap.headcount == 0 and cheap_gap.shortfall == 1
    assert cheap_gap.objective_value == pytest.approx(3.0)
    covered = schedule_shifts(required, templates, interval="1 h", soft=True, penalty=5.0, **EXACT)
    assert covered.headcount == 1 and covered.shortfall == 0
    # at 1.5 paid hours per missing staff-hour, an 8-hour stretch is covered and a lonely hour is not
    required = [0] * 2 + [1] + [0] * 5 + [1] * 8 + [0] * 8
    plan = schedule_shifts(required, templates, interval="1 h", soft=True, penalty=1.5, **EXACT)
    assert plan.shortfall == 1 and plan.coverage["shortfall"].iloc[2] == 1 and plan.paid_hours == 8
    assert plan.objective_value == pytest.approx(8 + 1.5)
    # a low penalty leaves the stretch too
    plan = schedule_shifts(required, templates, interval="1 h", soft=True, penalty=0.75, **EXACT)
    assert plan.headcount == 0 and plan.shortfall == 9
    with pytest.raises(ValueError, match="penalty"):
        schedule_shifts(required, templates, interval="1 h", soft=True)


def test_soft_cover_of_the_unreachable_is_allowed() -> None:
    templates = [{"name": "day", "earliest_start": "08:00", "length": "8 h"}]
    plan = schedule_shifts([1] * 24, templates, interval="1 h", soft=True, penalty=10.0, **EXACT)
    assert plan.headcount == 1 and plan.shortfall == 16


# -- infeasible inputs are explained ----------------------------------------------------------


def test_unreachable_intervals_are_named() -> None:
    templates = [{"name": "day", "earliest_start": "07:00", "latest_start": "09:00", "start_step": "1 h",
                  "length": "8 h"}]
    required = [0] * 24
    required[2] = required[3] = 1  # 02:00-04:00
    with pytest.raises(InfeasibleShiftsError) as e:
        schedule_shifts(required, templates, interval="1 h")
    assert e.value.intervals == [2, 3]
    assert "02:00–04:00" in str(e.value) and "no template has a shift on duty" in str(e.value)
    assert "day starts 07:00–09:00" in str(e.value)


def test_max_counts_too_small_are_named_with_the_limit() -> None:
    templates = [{"name": "day", "earliest_start": "08:00", "length": "8 h", "max_count": 2}]
    required = [0] * 8 + [2] * 4 + [3] * 2 + [2] * 2 + [0] * 8
    with pytest.raises(InfeasibleShiftsError) as e:
        schedule_shifts(required, templates, interval="1 h")
    assert e.value.intervals == [12, 13]
    assert "12:00–14:00" in str(e.value) and "at most 2 staff" in str(e.value) and "day at most 2 a day" in str(e.value)


def test_limits_that_only_bite_together_are_found_by_the_solver() -> None:
    # each template alone could cover, but at most 30% of shifts may be part-time and the full-time one is capped
    templates = ShiftTemplates(max_part_time_share=0.3, templates=[
        {"name": "full", "earliest_start": "08:00", "length": "8 h", "max_count": 1},
        {"name": "part", "earliest_start": "08:00", "latest_start": "12:00", "start_step": "1 h", "length": "4 h",
         "part_time": True},
    ])
    required = [0] * 8 + [3] * 8 + [0] * 8
    with pytest.raises(InfeasibleShiftsError) as e:
        schedule_shifts(required, templates, interval="1 h")
    assert e.value.intervals and set(e.value.intervals) <= set(range(8, 16))
    assert "max_part_time_share 0.3" in str(e.value)


def test_min_max_counts_and_part_time_share_hold() -> None:
    templates = ShiftTemplates(max_part_time_share=0.25, templates=[
        {"name": "full", "earliest_start": "06:00", "latest_start": "12:00", "start_step": "1 h", "length": "8 h",
         "min_count": 1, "max_count": 4},
        {"name": "part", "earliest_start": "06:00", "latest_start": "18:00", "start_step": "1 h", "length": "4 h",
         "part_time": True},
        {"name": "late", "earliest_start": "16:00", "length": "6 h", "min_count": 2},
    ])
    required = [0] * 7 + [2, 3, 5, 6, 6, 5, 4, 4, 5, 6, 5, 3, 2, 1] + [0] * 3
    plan = schedule_shifts(required, templates, interval="1 h", **EXACT)
    per = plan.shifts.groupby("template")["count"].sum()
    assert 1 <= per.get("full", 0) <= 4 and per.get("late", 0) >= 2
    assert per.get("part", 0) <= 0.25 * plan.headcount + 1e-9
    assert (plan.coverage["on_duty"].to_numpy() >= required).all()


# -- templates -------------------------------------------------------------------------------


def test_example_templates_load_and_plan_the_contact_centre_day() -> None:
    templates = load_templates("examples/contact_center.shifts.yaml", role="first_line")
    assert templates.names == ["early", "day", "late", "peak", "evening"]
    assert templates.templates[0].start_times()[:2] == ["07:00", "07:15"]
    required = [2, 2, 3, 4, 5, 6, 8, 10, 12, 14, 15, 15, 14, 12, 10, 9, 9, 10, 12, 13, 14, 14, 13, 12, 10, 8, 7,
                6, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2]
    plan = schedule_shifts(required, templates, start="07:00", objective="cost", time_limit=20)
    assert not plan.cyclic and plan.shortfall == 0
    assert plan.shifts["end"].map(time_of_day_seconds).max() <= time_of_day_seconds("21:00")
    assert plan.cost == pytest.approx((plan.shifts["cost"]).sum())


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "shifts.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_bad_templates_give_located_messages(tmp_path: Path) -> None:
    text = """templates:
  - {name: a, earliest_start: "08:00", length: 8 h}
  - {name: b, earliest_start: "09:00", length: 4 h}
  - name: c
    earliest_start: "10:00"
    length: 8
  - name: d
    earliest_start: "10:00"
    length: 4 h
    breaks:
      - {length: 30 min, earliest: 2 h, latest: 4 h}
  - {name: a, earliest_start: "25:00", length: 4 h, lenght: 2 h}
"""
    with pytest.raises(BlueprintFileError) as e:
        load_templates(write(tmp_path, text))
    lines = str(e.value).splitlines()
    assert any(line.startswith(f"{tmp_path / 'shifts.yaml'}:6: templates[2].length: ") and "has no unit" in line
               for line in lines)
    assert any(":11: templates[3].breaks[0].latest: " in line and "ends after the 4 h shift" in line for line in lines)
    assert any("templates[4].earliest_start" in line and "25:00" in line for line in lines)
    assert any("templates[4].lenght: unknown field 'lenght'; did you mean 'length'?" in line for line in lines)


def test_template_checks(tmp_path: Path) -> None:
    with pytest.raises(BlueprintFileError, match=r"templates\[1\]\.name: the name 'a' is also used by templates\[0\]"):
        load_templates(write(tmp_path, "templates:\n  - {name: a, earliest_start: '08:00', length: 4 h}\n"
                                       "  - {name: a, earliest_start: '09:00', length: 4 h}\n"))
    with pytest.raises(BlueprintFileError, match=r"templates\[0\]\.breaks\[1\]\.earliest: this break may start before"):
        load_templates(write(tmp_path, "- name: a\n  earliest_start: '08:00'\n  length: 8 h\n  breaks:\n"
                                       "    - {length: 30 min, earliest: 2 h, latest: 3 h}\n"
                                       "    - {length: 15 min, earliest: 3 h, latest: 5 h}\n"))
    with pytest.raises(BlueprintFileError, match=r"templates\[0\]\.min_count: min_count 3 is above max_count 2"):
        load_templates(write(tmp_path, "- {name: a, earliest_start: '08:00', length: 4 h, min_count: 3, max_count: 2}\n"))
    with pytest.raises(BlueprintFileError, match="expected a mapping with templates"):
        load_templates(write(tmp_path, "name: not templates\n"))
    night = ShiftTemplate(name="n", earliest_start="22:00", latest_start="01:00", start_step="1 h", length="8 h")
    assert night.start_times() == ["22:00", "23:00", "00:00", "01:00"]
    with pytest.raises(ValueError, match="not a whole number of 15-minute intervals"):
        schedule_shifts([1] * 96, [{"name": "odd", "earliest_start": "08:10", "length": "4 h"}])


# -- into blueprint staffing -------------------------------------------------------------------


def test_to_staffing_round_trips_and_counts_the_same_staff() -> None:
    required = np.array([1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 6, 5, 6, 7, 7, 6, 5, 4, 3, 2, 2, 1, 1])
    plan = schedule_shifts(required, DAY_TEMPLATES, interval="1 h", **EXACT)
    staffing = plan.to_staffing()
    again = Staffing.model_validate(staffing.model_dump(mode="json"))
    assert again == staffing and again.kind == "shifts"
    assert sum(s.count for s in again.shifts or []) == plan.headcount
    assert all(s.days is None for s in again.shifts or [])  # a cyclic day plan holds every day
    on = staffing_coverage(again, n=24, step=3600, period=DAY)
    assert (on == plan.coverage["on_duty"].to_numpy()).all()
    paid = sum(s.count * s.paid_hours for s in again.shifts or [])
    assert paid == pytest.approx(plan.paid_hours)


def test_to_staffing_of_a_dated_series_names_the_weekday() -> None:
    index = pd.date_range("2026-11-25 08:00", periods=12, freq="1h")  # a Wednesday
    required = pd.Series([1, 2, 3, 3, 2, 2, 3, 3, 2, 1, 1, 1], index=index)
    plan = schedule_shifts(required, DAY_TEMPLATES, **EXACT)
    assert not plan.cyclic and (plan.coverage.index == index).all()
    staffing = plan.to_staffing()
    assert {d for s in staffing.shifts or [] for d in s.days or []} == {"wednesday"}
    on = staffing_coverage(staffing, n=12, step=3600, origin=2 * DAY + 8 * 3600)
    assert (on == plan.coverage["on_duty"].to_numpy()).all()


# -- the plan object ------------------------------------------------------------------------------


def test_plan_shows_itself() -> None:
    import matplotlib
    from matplotlib.figure import Figure

    backend = matplotlib.get_backend()
    required = [0] * 8 + [2, 3, 3, 2, 2, 3, 3, 2] + [0] * 8
    plan = schedule_shifts(required, DAY_TEMPLATES, interval="1 h")
    assert isinstance(plan, ShiftPlan)
    html = plan._repr_html_()
    assert "Shift plan" in html and "paid hours" in html and "eight" in html
    assert "paid hours" in repr(plan)
    fig = plan.plot()
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert ax.get_xlabel() == "time of day (h)" and ax.get_ylabel() == "staff (people)"
    (bars,) = ax.containers
    assert [p.get_height() for p in bars] == required  # type: ignore[attr-defined]
    (on_duty,) = ax.lines
    assert list(on_duty.get_ydata()[:-1]) == list(plan.coverage["on_duty"])  # type: ignore[arg-type]
    fig.savefig(io.BytesIO(), format="png")
    week = schedule_shifts(np.tile(required, 7), DAY_TEMPLATES, interval="1 h", time_limit=10)
    ax = week.plot().axes[0]
    assert "day of the week" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["Mon", "Tue"]
    assert matplotlib.get_backend() == backend


def test_requirement_checks() -> None:
    with pytest.raises(ValueError, match="1-D"):
        schedule_shifts(np.ones((2, 3)), DAY_TEMPLATES)
    with pytest.raises(ValueError, match="must be a number ≥ 0"):
        schedule_shifts([1, -1, 2], DAY_TEMPLATES, interval="1 h")
    with pytest.raises(ValueError, match="cyclic horizon is a whole day or a whole week"):
        schedule_shifts([1] * 10, DAY_TEMPLATES, interval="1 h", cyclic=True)
    with pytest.raises(ValueError, match="unknown objective"):
        schedule_shifts([1] * 24, DAY_TEMPLATES, interval="1 h", objective="fun")  # type: ignore[arg-type]


def _uneven_week() -> tuple[list[int], ShiftTemplates]:
    """A week whose Tuesday to Thursday need the same staff (15-minute intervals), and templates whose
    part-time share does not split evenly over those days."""
    rng = np.random.default_rng(4)
    mid = [0] * 32 + list(rng.integers(3, 9, 40)) + [0] * 24
    days = [[0] * 32 + list(rng.integers(2, 10, 40)) + [0] * 24, mid, mid, mid, [0] * 32 + [4] * 40 + [0] * 24,
            [0] * 96, [0] * 96]
    templates = ShiftTemplates.model_validate({"max_part_time_share": 0.3, "templates": [
        {"name": "day", "earliest_start": "07:00", "latest_start": "10:00", "length": "8.5 h",
         "breaks": [{"length": "30 min", "earliest": "3 h", "latest": "5 h"}]},
        {"name": "short", "earliest_start": "08:00", "latest_start": "14:00", "length": "4 h", "part_time": True}]})
    return [int(v) for d in days for v in d], templates


def test_days_with_the_same_requirement_get_the_same_shifts() -> None:
    """A week whose Tuesday to Thursday need the same staff, with a part-time share that does not split
    evenly over the days: the solver's plan may staff them differently; same_days makes them alike and the
    plan still covers every interval and keeps the share."""
    from simulate.staffing.shifts.symmetry import same_days

    need, templates = _uneven_week()
    week = schedule_shifts(need, templates)
    even = same_days(week, [[0], [1, 2, 3], [4], [5], [6]], per_day=96)
    per_day = even.shifts.groupby("day")["paid_hours"].sum()
    assert per_day["tuesday"] == per_day["wednesday"] == per_day["thursday"]
    shapes = {d: sorted(zip(g["template"], g["start"], g["count"])) for d, g in even.shifts.groupby("day")}
    assert shapes["tuesday"] == shapes["wednesday"] == shapes["thursday"]
    assert (even.coverage["on_duty"] >= even.coverage["required"]).all()
    short = even.shifts[even.shifts["template"] == "short"]["count"].sum()
    assert short <= 0.3 * even.shifts["count"].sum() + 1e-9
    assert even.paid_hours <= week.paid_hours + 3 * 8.5  # at most a shift a day dearer than the uneven plan


def test_days_tied_in_the_program_cost_no_more_than_a_copy() -> None:
    """``alike`` ties the days of a class inside the integer program: the same starts, counts and breaks on
    each day, every interval covered, the part-time share kept, and (solved to optimality) never dearer than
    copying a day of the untied plan, never cheaper than the untied plan itself."""
    from simulate.staffing.shifts.symmetry import same_days

    need, templates = _uneven_week()
    classes = [[0], [1, 2, 3], [4], [5], [6]]
    free = schedule_shifts(need, templates, method="mip", mip_gap=0, time_limit=60)
    tied = schedule_shifts(need, templates, method="mip", mip_gap=0, time_limit=60, alike=classes)
    copied = same_days(free, classes, per_day=96)
    assert tied.status == "optimal"
    loose = {d: sorted(zip(g["template"], g["start"], g["count"])) for d, g in free.shifts.groupby("day")}
    assert not loose["tuesday"] == loose["wednesday"] == loose["thursday"]  # untied, the solver staffs them apart
    shapes = {d: sorted(zip(g["template"], g["start"], g["breaks"], g["count"])) for d, g in tied.shifts.groupby("day")}
    assert shapes["tuesday"] == shapes["wednesday"] == shapes["thursday"]
    assert (tied.coverage["on_duty"] >= tied.coverage["required"]).all()
    short = tied.shifts[tied.shifts["template"] == "short"]["count"].sum()
    assert short <= 0.3 * tied.shifts["count"].sum() + 1e-9
    assert free.paid_hours - 1e-9 <= tied.paid_hours <= copied.paid_hours + 1e-9
    assert tied.paid_hours < copied.paid_hours  # on this week the copy of one day costs 28 hours more
    # classes of one day change nothing
    alone = schedule_shifts(need, templates, method="mip", mip_gap=0, time_limit=60, alike=[[d] for d in range(7)])
    assert alone.paid_hours == free.paid_hours
