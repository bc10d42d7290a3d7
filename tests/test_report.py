"""The staffing report a manager reads: headline numbers computed independently from the simulations and
plans, the before/after table with intervals, headings that count what they head, diagrams legible,
surplus explained, and the matplotlib backend left alone."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import matplotlib
import numpy as np
import pytest

import blueprint
import simulate
from simulate.results import Results
from simulate.staffing.headline import BEFORE, NEW_PLAN, SPREADSHEET, before_after, headline
from simulate.staffing.report import (
    MIN_TEXT_PX,
    fail_point_counts,
    format_before_after,
    headline_sentences,
    html_report,
)
from simulate.staffing.shifts import ShiftPlan, explain_surplus, plan_limits, schedule_shifts

TEMPLATES = "examples/contact_center.shifts.yaml"
R = 3


@pytest.fixture(scope="module")
def runs() -> tuple[Results, simulate.StaffingPlan, simulate.StaffingPlan]:
    bp = blueprint.load("examples/contact_center.yaml")
    plan = simulate.optimize_staffing(bp, templates=TEMPLATES, replications=R, seed=11)
    sheet = simulate.spreadsheet_staffing(bp, templates=TEMPLATES, replications=R, seed=11)
    before = simulate.run(bp, days=1, replications=R, seed=11)
    return before, plan, sheet


@pytest.fixture(scope="module")
def report(runs: tuple[Results, simulate.StaffingPlan, simulate.StaffingPlan]) -> str:
    before, plan, sheet = runs
    return html_report(before, plan, fail_before=before.fail_points(what_if=0), fail_after=plan.results.fail_points(what_if=0),
                       spreadsheet=sheet)


# -- independent computations from the replications and the shifts ----------------------------------

def _cost_per_day(results: Results, roles: list[str]) -> float:
    return float(np.mean([sum(rep.role_totals[r].cost for r in roles) for rep in results.replications])) / results.days


def _below_target(results: Results, plan: simulate.StaffingPlan) -> set[tuple[str, int]]:
    """Intervals whose calls, pooled over the replications, miss the target, from the counts."""
    out = set()
    for role, target in plan.targets.items():
        reps = [rep.roles[role] for rep in results.replications]
        n = len(plan.requirement[role])
        for i in range(n):
            within = sum(r.within[i] for r in reps)
            answered = sum(r.answered[i] for r in reps)
            abandoned = sum(r.abandoned[i] for r in reps)
            offered = answered + abandoned
            if offered == 0:
                continue
            missed = (target.service_level is not None and within / offered < target.service_level) or \
                     (target.max_abandon is not None and abandoned / offered > target.max_abandon) or \
                     (target.max_asa is not None and answered > 0
                      and sum(r.wait_sum[i] for r in reps) / answered > target.max_asa.seconds)
            if missed:
                out.add((role, i))
    return out


def _pooled_share(results: Results, role: str, what: str) -> float:
    """A role's service level or abandonment over the run: per replication from its counts, then the mean."""
    values = []
    for rep in results.replications:
        r = rep.roles[role]
        offered = sum(r.answered) + sum(r.abandoned)
        values.append((sum(r.within) if what == "service_level" else sum(r.abandoned)) / offered)
    return float(np.mean(values))


def test_headline_numbers_equal_independent_computations(runs) -> None:  # type: ignore[no-untyped-def]
    before, plan, sheet = runs
    roles = list(plan.plans)
    h = headline(before, plan, sheet)
    cost_before = _cost_per_day(before, roles)
    cost_after = sum(float(p.shifts["cost"].sum()) for p in plan.plans.values())  # a one-day plan, shifts at their rates
    hours_after = sum(float(p.shifts["paid_hours"].sum()) for p in plan.plans.values())
    assert h.cost_per_day[BEFORE].mean == pytest.approx(cost_before)
    assert h.cost_per_day[NEW_PLAN].mean == pytest.approx(cost_after)
    assert h.cost_change == pytest.approx(cost_after - cost_before)
    assert h.cost_change_share == pytest.approx((cost_after - cost_before) / cost_before)
    assert h.paid_hours_per_day[NEW_PLAN].mean == pytest.approx(hours_after)
    assert h.cost_per_day[SPREADSHEET].mean == pytest.approx(sum(float(p.shifts["cost"].sum()) for p in sheet.plans.values()))
    assert plan.verification is not None and plan.verification.results is not None
    measured = plan.verification.results  # a verified plan is measured on its held-out customers
    missed_before, missed_after = _below_target(before, plan), _below_target(measured, plan)
    assert h.misses[BEFORE] == missed_before and h.misses[NEW_PLAN] == missed_after
    assert h.misses[SPREADSHEET] == _below_target(sheet.results, plan)
    assert h.fixed == len(missed_before - missed_after) and h.broken == len(missed_after - missed_before)
    assert len(missed_before) > 0  # today's staffing misses the target somewhere: the comparison means something
    for role in roles:
        for k, res in ((BEFORE, before), (NEW_PLAN, measured), (SPREADSHEET, sheet.results)):
            for what, table in (("service_level", h.service_level), ("abandonment", h.abandonment)):
                e = table[role][k]
                assert e.mean == pytest.approx(_pooled_share(res, role, what))
                assert 0 <= e.low <= e.mean <= e.high <= 1
    # the sentences carry the same numbers, formatted for reading
    first = headline_sentences(h)[0]
    assert f"{cost_after - cost_before:+,.0f}" in first.replace("−", "-")
    assert f"{100 * (cost_after - cost_before) / cost_before:+.1f}%" in first
    assert f"{cost_before:,.0f} → {cost_after:,.0f}" in first
    assert f"{len(missed_before)} → {len(missed_after)} (clearly" in headline_sentences(h)[2]
    assert f"the new plan fixes {len(missed_before - missed_after)}" in headline_sentences(h)[2]
    # clearly below target: the verification's own verdict on the same customers, and the sentence says it
    clear = plan.verification.table[plan.verification.table["verdict"] == "misses"]
    assert h.clear[NEW_PLAN] == {(str(r), int(f)) for r, f in zip(clear["role"], clear["first"])}
    assert f"target: {len(h.clear[BEFORE])} → {len(h.clear[NEW_PLAN])})" in headline_sentences(h)[2]
    assert len(h.clear[BEFORE]) > 0  # today's staffing misses clearly somewhere


def test_before_after_table_has_intervals_in_range(runs) -> None:  # type: ignore[no-untyped-def]
    before, plan, sheet = runs
    table = before_after(before, plan, sheet)
    assert list(table.columns) == [f"{k}{s}" for k in (BEFORE, SPREADSHEET, NEW_PLAN) for s in ("", "_ci_low", "_ci_high")]
    assert all(table[c].dtype == float for c in table.columns)
    shares = [f for f in table.index if "service level" in f or "abandonment" in f]
    for k in (BEFORE, SPREADSHEET, NEW_PLAN):
        part = table.loc[shares]
        assert ((part[f"{k}_ci_low"] <= part[k]) & (part[k] <= part[f"{k}_ci_high"])).all()
        assert ((part[f"{k}_ci_low"] >= 0) & (part[f"{k}_ci_high"] <= 1)).all()
    # a plan's cost comes from its shifts: exact
    assert table.loc["staff cost", "new plan_ci_low"] == table.loc["staff cost", "new plan"] == table.loc["staff cost", "new plan_ci_high"]
    text = format_before_after(table)
    assert list(text.columns) == [BEFORE, SPREADSHEET, NEW_PLAN]
    cell = text.loc["specialist: service level", BEFORE]
    e = table.loc["specialist: service level"]
    assert cell == f"{100 * e[BEFORE]:.1f}% ({100 * e['before_ci_low']:.1f}–{100 * e['before_ci_high']:.1f}%)"
    assert text.loc["staff cost", NEW_PLAN] == f"{table.loc['staff cost', NEW_PLAN]:,.0f}"
    assert not text.map(lambda s: "e+" in s or "e-" in s).any().any()


# -- the page ------------------------------------------------------------------------------------------

class _Outline(HTMLParser):
    """Headings and the list items that follow each, up to the next heading (nested lists counted once
    at their top level)."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[list[object]] = []  # [text, items]
        self._in_heading = False
        self._depth = 0
        self.imgs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3", "h4"):
            self._in_heading = True
            self.headings.append(["", 0])
        elif tag in ("ol", "ul"):
            self._depth += 1
        elif tag == "li" and self._depth == 1 and self.headings:
            self.headings[-1][1] = int(self.headings[-1][1]) + 1  # type: ignore[call-overload]
        elif tag == "img":
            self.imgs.append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4"):
            self._in_heading = False
        elif tag in ("ol", "ul"):
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.headings[-1][0] = str(self.headings[-1][0]) + data


def test_report_reads_top_down_and_its_headings_count_their_items(report: str, runs) -> None:  # type: ignore[no-untyped-def]
    before, plan, sheet = runs
    h = headline(before, plan, sheet)
    assert report.index("In short") < report.index("Before and after") < report.index("Fail points") < \
        report.index("The new shift plan")
    assert f"{h.cost_change:+,.0f}".replace("-", "−") in report
    outline = _Outline()
    outline.feed(report)
    counted = 0
    for text, items in outline.headings:
        m = re.match(r"^(\d+) problems? ", str(text)) or re.search(r"\((\d+)\)$", str(text))
        if m:
            assert int(m.group(1)) == items, (text, items)
            counted += 1
        m = re.search(r"\((\d+) largest of \d+\)$", str(text))
        if m:
            assert int(m.group(1)) == items, (text, items)
    assert counted >= 4  # problems before and after, the rules behind the surplus of each role
    fail_before = before.fail_points(what_if=0)
    assert f"{int((fail_before['status'] == 'bites').sum())} problem" in report


def test_diagrams_are_shown_with_text_of_at_least_11_px(report: str) -> None:
    outline = _Outline()
    outline.feed(report)
    diagrams = [a for a in outline.imgs if str(a.get("src", "")).startswith("data:image/svg+xml;base64,")]
    assert len(diagrams) == 2
    for a in diagrams:
        svg = base64.b64decode(str(a["src"]).split(",", 1)[1]).decode("utf-8")
        natural_pt = float(re.search(r'<svg[^>]*\swidth="([0-9.]+)pt"', svg).group(1))  # type: ignore[union-attr]
        smallest_pt = min(float(x) for x in re.findall(r'font-size="([0-9.]+)"', svg))
        shown_px = float(str(a["width"]))
        assert smallest_pt * (shown_px / natural_pt) >= MIN_TEXT_PX - 0.01


def test_writing_a_report_leaves_the_matplotlib_backend_alone(runs) -> None:  # type: ignore[no-untyped-def]
    before, plan, _ = runs
    previous = matplotlib.get_backend()
    matplotlib.use("svg")
    try:
        html_report(before, plan)
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(previous)


# -- surplus, explained -------------------------------------------------------------------------------

def _plan(required: list[int], templates: list[dict[str, object]]) -> ShiftPlan:
    return schedule_shifts(required, templates, interval="1 h", start="08:00")


def test_surplus_from_the_shift_length() -> None:
    # 3 needed at 08:00-10:00 and at 13:00; 3-hour shifts: the morning shifts stay until 11:00
    plan = _plan([3, 3, 1, 1, 1, 3], [{"name": "day", "earliest_start": "08:00", "latest_start": "11:00", "start_step": "1 h",
                                       "length": "3 h"}])
    (s,) = explain_surplus(plan)
    assert (s.label, s.required, s.on_duty) == ("10:00–13:00", 1, 3)
    (r,) = s.reasons
    assert (r.kind, r.count, r.starts) == ("length", 3, ["08:00"])
    assert "needed until 09:00 (3 required)" in r.text and "day shifts last 3 h" in r.text


def test_surplus_from_the_latest_start() -> None:
    # 2 needed only at 12:00, but the shift starts no later than 10:00 and lasts 3 h
    plan = _plan([0, 0, 0, 0, 2], [{"name": "late", "earliest_start": "09:00", "latest_start": "10:00", "start_step": "1 h",
                                    "length": "3 h"}])
    (s,) = explain_surplus(plan)
    assert (s.at_label, s.required, s.on_duty) == ("10:00", 0, 2)
    (r,) = s.reasons
    assert r.kind == "start" and "late shifts start no later than 10:00" in r.text and "needed from 12:00" in r.text


def test_surplus_from_a_minimum_count_and_the_limits_listed() -> None:
    plan = _plan([1, 1, 0, 0], [{"name": "a", "earliest_start": "08:00", "length": "2 h", "min_count": 2}])
    (s,) = explain_surplus(plan)
    assert s.on_duty == 2 and s.reasons[0].kind == "count" and "at least 2 must start each day" in s.reasons[0].text
    assert any("min_count" in x for x in plan_limits(plan))


def test_surplus_covering_breaks_is_said() -> None:
    # two 4-hour shifts, each with a 1-hour break in a window: one covers the other's break, so both are needed
    plan = _plan([1, 1, 1, 1], [{"name": "a", "earliest_start": "08:00", "length": "4 h",
                                 "breaks": [{"length": "1 h", "earliest": "1 h", "latest": "2 h"}]}])
    found = explain_surplus(plan)
    assert found and all(s.required == 1 and s.on_duty == 2 for s in found)
    assert any("on a break" in r.text for s in found for r in s.reasons)
    assert any(x.startswith("breaks, when nobody on them counts as on duty: a 1 h") for x in plan_limits(plan))


def test_contact_centre_surplus_accounts_for_everyone_on_duty(runs) -> None:  # type: ignore[no-untyped-def]
    _, plan, _ = runs
    for shift_plan in plan.plans.values():
        cov = shift_plan.coverage
        found = explain_surplus(shift_plan, top=None)
        assert sum(len(s.reasons) > 0 for s in found) == len(found)
        assert sum(s.last - s.first + 1 if s.last >= s.first else s.last + len(cov) - s.first + 1 for s in found) == \
            int((cov["surplus"] > 0).sum())
        for s in found:
            assert s.on_duty - s.required == int(cov["surplus"].iloc[s.at]) == max(
                int(cov["surplus"].iloc[t % len(cov)]) for t in range(s.first, s.first + 1 + (s.last - s.first) % len(cov)))
            assert sum(r.count for r in s.reasons) == s.on_duty
            for r in s.reasons:
                # every time a reason names as "needed" has no staff to spare in the plan
                for when in re.findall(r"(?:until|from) (\d\d:\d\d) \(", r.text):
                    t = [i for i, label in enumerate(cov.index) if str(label) == when]
                    assert t and int(cov["surplus"].iloc[t[0]]) == 0, (r.text, when)


def test_sentences_render_nan_free(runs) -> None:  # type: ignore[no-untyped-def]
    before, plan, sheet = runs
    text = " ".join(headline_sentences(headline(before, plan, sheet)))
    assert "nan" not in text.lower() and not re.search(r"\d\.\d+e[+-]\d", text)


def test_fail_point_counts_add_up_to_the_problems_listed(runs) -> None:  # type: ignore[no-untyped-def]
    before, plan, _ = runs
    fb, fa = before.fail_points(what_if=0), plan.results.fail_points(what_if=0)
    table = fail_point_counts(fb, fa)
    assert int(table["before"].sum()) == int((fb["status"] == "bites").sum())
    assert int(table["after"].sum()) == int((fa["status"] == "bites").sum())
    biting = fb[fb["status"] == "bites"]
    for kind in set(biting["kind"]):
        assert int(table.xs(kind, level="kind")["before"].sum()) == int((biting["kind"] == kind).sum())


def test_a_shift_nobody_needs_is_called_spare() -> None:
    from simulate.staffing.shifts.plan import plan_from_units

    plan = _plan([1, 1, 0, 0], [{"name": "a", "earliest_start": "08:00", "length": "2 h"}])
    k, s, brk, n = 0, 0, (), 2  # two shifts where one covers the requirement
    worse = plan_from_units(plan.grid, [(k, s, brk, n)], objective="paid_hours", objective_value=None, status="test",
                            gap=0.5, dual_bound=None, seconds=0.0)
    (found,) = explain_surplus(worse)
    assert found.reasons[0].kind == "count" and "the plan could do with fewer" in found.reasons[0].text


def test_a_plan_per_hour_is_counted_in_hours(runs) -> None:  # type: ignore[no-untyped-def]
    """The before/after row counts periods of the plan's own level: for a plan judged per hour, the hours
    whose calls, pooled over the replications, miss the target (computed here from the counts)."""
    import dataclasses

    before, plan, _sheet = runs
    hourly = dataclasses.replace(plan, level="hour", min_volume=0.0)
    h = headline(before, hourly)
    expected = set()
    for role, target in plan.targets.items():
        reps = [rep.roles[role] for rep in before.replications]
        n = len(plan.requirement[role])
        for first in range(0, n, 4):
            span = range(first, min(first + 4, n))
            within = sum(r.within[i] for r in reps for i in span)
            abandoned = sum(r.abandoned[i] for r in reps for i in span)
            offered = sum(r.answered[i] for r in reps for i in span) + abandoned
            if offered and ((target.service_level is not None and within / offered < target.service_level)
                            or (target.max_abandon is not None and abandoned / offered > target.max_abandon)):
                expected.add((role, first))
    assert h.level == "hour" and h.misses[BEFORE] == expected and len(expected) > 0
    assert len(expected) < len(_below_target(before, plan))  # an hour pools four intervals: fewer periods miss
    table = before_after(before, hourly)
    assert "hours below target" in table.index and "intervals below target" not in table.index
    assert table.loc["hours below target", BEFORE] == len(expected)
    assert headline_sentences(h)[2].startswith(f"Hours below target: {len(expected)} → ")
