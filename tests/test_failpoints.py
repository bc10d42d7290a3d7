"""Fail points: a known weak spot is found, ranked first, in its window; a sound service shows none.

The blueprints here are built so that the answer is known before simulating:
one role is understaffed in one window of the day (offered load above its
headcount), everything else has ample staff.
"""

from __future__ import annotations

import math
import re

import pytest

import blueprint
import simulate
from blueprint import Staffing
from simulate.failpoints import _windows, plus_one
from simulate.results import mean_ci

H = 3600.0
WINDOW = (10 * H, 12 * H)  # where the back office is short-staffed


def tandem(back_in_window: int = 2, back_otherwise: int = 5, patience: str | None = None,
           desk_fail: str | dict | None = None) -> blueprint.Blueprint:
    """Front desk (ample staff) then back office, 0.7 customers a minute, 4 minutes each at the back
    (offered load 2.8): with 2 back-office staff from 10:00 to 12:00 that window is overloaded."""
    bp = blueprint.Blueprint("Tandem")
    desk = bp.onstage("Front desk", role="desk", duration="exp(2 min)", fail_point=desk_fail,
                      wait_point="60 s")
    back = bp.onstage("Back office", role="back", duration="exp(4 min)", wait_point="60 s")
    bp.flow(desk, back, kind="transfer")
    bp.role("desk", staffing=6, cost_per_hour=20)
    values = [back_otherwise] * 96
    for i in range(int(WINDOW[0] // 900), int(WINDOW[1] // 900)):
        values[i] = back_in_window
    bp.role("back", staffing={"interval": "15 min", "start": "00:00", "values": values}, cost_per_hour=30)
    arrivals = {"rate": "0.7 per min"}
    if patience:
        arrivals["segments"] = [{"name": "all", "share": 1, "patience": patience}]
    bp.arrive(desk, **arrivals)
    return bp


def _rate_interval(res: simulate.Results, step: str, level: float = 0.999) -> tuple[float, float]:
    """The failure rate at a step over the replications, with a wide (99.9%) t interval."""
    rates = [r.steps[step].failures / r.steps[step].completions for r in res.replications]
    _, lo, hi = mean_ci(rates, level=level)
    return lo, hi


def _in_window(row, slack: float = 3600.0) -> bool:
    return WINDOW[0] - 1 <= row["start"] <= WINDOW[0] + slack and WINDOW[1] - slack <= row["end"] <= WINDOW[1] + 2 * H


@pytest.fixture(scope="module")
def short() -> simulate.FailPoints:
    res = simulate.run(tandem(), days=1, replications=5, seed=11)
    return res.fail_points(what_if=1)


def test_the_understaffed_window_is_ranked_first(short: simulate.FailPoints) -> None:
    top = short.iloc[0]
    assert top["kind"] in ("capacity", "hand-off")
    assert top["role"] == "back" and top["step"] == "back_office"
    assert _in_window(top), (top["start"] / H, top["end"] / H)
    # nothing is wrong at the front desk
    assert not ((short["role"] == "desk") & short["kind"].isin(["capacity", "waiting", "abandonment"])).any()


def test_findings_have_evidence_and_a_sentence(short: simulate.FailPoints) -> None:
    cap = short[short["kind"] == "capacity"].iloc[0]
    assert cap["value"] >= 0.85 and cap["ci_low"] <= cap["value"] <= cap["ci_high"]
    assert re.search(r"back staff, (09:[34]5|10:\d\d) to 1[123]:\d\d: \d+% busy", cap["finding"]), cap["finding"]
    wait = short[short["kind"] == "hand-off"].iloc[0]
    assert "of customers handed over from Front desk wait over 60 s" in wait["finding"]
    assert wait["affected_per_day"] > 10 and wait["severity"] >= wait["affected_per_day"]
    # the back office is not a declared fail point: it is said so
    assert wait["declared"] is False and wait["finding"].endswith("Not marked as a fail point.")
    assert set(short["status"]) <= {"bites", "info", "harmless"}
    assert list(short.index) == list(range(1, len(short) + 1))
    biting = short[short["status"] == "bites"]["severity"].tolist()
    assert biting == sorted(biting, reverse=True)


def test_one_more_member_in_the_window_helps(short: simulate.FailPoints) -> None:
    top = short.iloc[0]
    assert isinstance(top["what_if"], str) and top["what_if"].startswith("One more back from 10:")
    shares = [int(x) for x in re.findall(r"from (\d+)% to (\d+)%", top["what_if"])[0]]
    assert shares[1] < shares[0]


def test_waiting_without_a_hand_off_is_a_waiting_finding() -> None:
    bp = tandem()
    bp.flows[0].kind = "handoff"
    bp.roles[0].name = "back"  # one role for both steps: no hand-off between roles
    bp.roles = bp.roles[1:]
    for s in bp.steps:
        s.role = "back"
    found = simulate.run(bp, days=1, replications=5, seed=11).fail_points(what_if=0)
    assert "hand-off" not in set(found["kind"]) and "waiting" in set(found["kind"])


def test_bottleneck_is_the_back_office(short: simulate.FailPoints) -> None:
    b = short[short["kind"] == "bottleneck"]
    assert len(b) == 1 and b.iloc[0]["step"] == "back_office" and b.iloc[0]["status"] == "info"


def test_a_well_staffed_service_has_no_capacity_or_waiting_findings() -> None:
    res = simulate.run(tandem(back_in_window=6, back_otherwise=6), days=1, replications=5, seed=3)
    found = res.fail_points(what_if=0)
    assert not found["kind"].isin(["capacity", "waiting", "abandonment", "hand-off"]).any(), found.sentences()


@pytest.mark.parametrize("seed", [101, 202, 303])
def test_ranking_is_stable_across_seeds(seed: int) -> None:
    res = simulate.run(tandem(), days=1, replications=5, seed=seed)
    found = res.fail_points(what_if=0)
    top = found.iloc[0]
    assert top["role"] == "back" and top["kind"] in ("capacity", "hand-off") and _in_window(top)


def test_abandonment_in_the_window() -> None:
    res = simulate.run(tandem(patience="exp(3 min)"), days=1, replications=5, seed=5)
    found = res.fail_points(what_if=0)
    ab = found[found["kind"] == "abandonment"]
    assert len(ab) >= 1
    row = ab.iloc[0]
    assert row["step"] == "back_office" and _in_window(row)
    assert "give up waiting" in row["finding"] and row["severity"] == pytest.approx(2 * row["affected_per_day"])


def test_declared_fail_points_bite_or_are_reported_harmless() -> None:
    p = 0.1
    res = simulate.run(tandem(desk_fail={"description": "form mislaid", "probability": p, "recovery": "front_desk"}),
                       days=1, replications=5, seed=8)
    found = res.fail_points(what_if=0)
    dec = found[found["kind"] == "declared"].iloc[0]
    assert dec["step"] == "front_desk" and dec["status"] == "bites"
    # the observed failure rate is the declared one, within the replications' interval
    lo, hi = _rate_interval(res, "front_desk")
    assert lo <= p <= hi and lo <= dec["value"] <= hi
    assert "of visits fail" in dec["finding"]
    # a fail point declared at a step with no trouble did no harm
    res2 = simulate.run(tandem(desk_fail="Customers may bring the wrong form"), days=1, replications=3, seed=8)
    found2 = res2.fail_points(what_if=0)
    harmless = found2[found2["status"] == "harmless"]
    assert list(harmless["step"]) == ["front_desk"] and (harmless["severity"] == 0).all()
    assert harmless.index[0] == len(found2)  # listed last
    svg = found2.render().svg.replace("&#45;", "-")
    assert 'id="badge-back_office"' in svg
    faded = re.search(r'<g id="fail-front_desk".*?</g>', svg, re.S)
    assert faded is not None and "#f6d5d5" in faded.group(0)


def test_table_reads_well_in_jupyter(short: simulate.FailPoints) -> None:
    html = short._repr_html_()
    assert "Fail points of <b>Tandem</b>" in html and "F1" in html and "One more back" in html
    assert len(short.sentences(top=2)) == 2 and short.sentences()[0].startswith("F1 [")
    sub = short[short["kind"] == "hand-off"]
    assert isinstance(sub, simulate.FailPoints) and sub.blueprint.name == "Tandem"


def test_thresholds_are_checked() -> None:
    res = simulate.run(tandem(), days=0.5, replications=3, seed=1)
    with pytest.raises(ValueError, match="occupancy must be in"):
        res.fail_points(occupancy=1.5)
    with pytest.raises(ValueError, match="over_tolerance must be in"):
        res.fail_points(over_tolerance=0)
    # a stricter threshold finds no fewer capacity windows
    loose = res.fail_points(occupancy=0.6, what_if=0)
    strict = res.fail_points(occupancy=0.95, what_if=0)
    assert (loose["kind"] == "capacity").sum() >= 1
    cap = lambda df: sum(r["end"] - r["start"] for _, r in df[df["kind"] == "capacity"].iterrows())  # noqa: E731
    assert cap(loose) >= cap(strict)


def test_windows_merge_across_small_gaps() -> None:
    assert _windows([True, False, True], gap=1) == [(0, 3)]
    assert _windows([True, False, True], gap=0) == [(0, 1), (2, 3)]
    assert _windows([False, False], gap=1) == []


def test_plus_one_for_each_form_of_staffing() -> None:
    hc = plus_one(Staffing.model_validate(3), 10 * H, 12 * H)
    assert hc.kind == "profile" and hc.profile.value_at(11 * H) == 4 and hc.profile.value_at(9.9 * H) == 3
    assert hc.profile.value_at(12 * H) == 3
    prof = Staffing.model_validate({"interval": "1 h", "start": "08:00", "values": [2, 3, 4]})
    p1 = plus_one(prof, 9 * H, 10 * H)
    assert [p1.profile.value_at(t * H) for t in (8, 9, 10, 11)] == [2, 4, 4, 0]
    shifts = Staffing.model_validate([{"start": "08:00", "length": "8 h", "count": 2}])
    s1 = plus_one(shifts, 10 * H, 11.5 * H)
    assert len(s1.shifts) == 2 and s1.shifts[1].start == "10:00" and s1.shifts[1].length.seconds == 1.5 * H
    weekly = plus_one(Staffing.model_validate(1), 24 * H + 10 * H, 24 * H + 11 * H, weekly=True)
    assert weekly.profile.value_at(24 * H + 10.5 * H) == 2 and weekly.profile.value_at(10.5 * H) == 1
    with pytest.raises(ValueError, match="unlimited"):
        plus_one(Staffing.model_validate("unlimited"), 0, H)


def _ratios(res: simulate.Results, step: str) -> list[float]:
    return [r.steps[step].failures / r.steps[step].completions for r in res.replications]


def test_contact_center_fail_points_make_sense() -> None:
    """DOMAIN.md: callers expect an answer within 60 s; the specialists are few and transfers wait again."""
    bp = blueprint.load("examples/contact_center.yaml")
    res = simulate.run(bp, days=1, replications=10, seed=2026)
    found = res.fail_points(what_if=1)
    biting = found[found["status"] == "bites"]
    kinds = set(biting["kind"])
    assert {"declared", "hand-off", "abandonment", "capacity"} <= kinds
    # the specialists' queue is where transferred callers wait and give up
    waits = biting[biting["kind"].isin(["hand-off", "abandonment"])]
    assert "specialist" in set(waits["step"])
    assert "customers handed over from Agent resolves or explains" in " ".join(biting["finding"])
    # the chatbot's declared fail point fails about 5% of visits
    bot = biting[(biting["kind"] == "declared") & (biting["step"] == "self_service")].iloc[0]
    lo, hi = _rate_interval(res, "self_service")
    assert lo <= 0.05 <= hi and bot["value"] == pytest.approx(sum(_ratios(res, "self_service")) / 10)
    assert all(isinstance(s, str) and s for s in found["finding"])
    assert not math.isnan(found.iloc[0]["severity"])


def test_a_week_folds_onto_the_day() -> None:
    """A week of the same days reports each window once, per day, as a day does."""
    day = simulate.run(tandem(), days=1, replications=4, seed=21).fail_points(what_if=0)
    week = simulate.run(tandem(), days=7, replications=4, seed=21).fail_points(what_if=0)
    top = week.iloc[0]
    assert top["role"] == "back" and _in_window(top)
    assert not week["window"].str.contains("Mon|Tue|Sat").any()
    # one window per kind and step, not one per weekday
    biting = week[week["kind"].isin(["capacity", "hand-off"])]
    assert len(biting) == len(biting.drop_duplicates(["kind", "step"]))
    # customers a day: the week's figure agrees with the day's within a factor that noise allows
    d = day[day["kind"] == "hand-off"].iloc[0]["affected_per_day"]
    w = week[week["kind"] == "hand-off"].iloc[0]["affected_per_day"]
    assert 0.7 < w / d < 1.4


# -- staff said busy only while they are on duty ----------------------------------------------------------


@pytest.fixture(scope="module")
def morning_only() -> simulate.Results:
    """Baristas on duty 07:00-12:00 only, customers at 60 an hour around the clock (the README's first draft)."""
    bp = blueprint.Blueprint("Coffee shop")
    order = bp.customer("Order")
    take = bp.onstage("Take order", role="cashier", duration="exp(45 s)")
    make = bp.backstage("Make the drink", role="barista", duration="triangular(1, 2, 4) min")
    done = bp.customer("Pick up")
    _ = order >> take >> make >> done
    bp.role("cashier", staffing=1)
    bp.role("barista", staffing={"interval": "1 h", "start": "07:00", "values": [2, 3, 3, 2, 1]})
    bp.arrive(order, rate="60 per h", patience="exp(6 min)")
    return simulate.run(bp, days=1, replications=3, seed=5)


def _staffed_occupancy(res: simulate.Results, role: str, start: float, end: float) -> float:
    """Busy / on duty over the 15-minute intervals of [start, end) inside 07:00-12:00 (the declared staffing),
    summed per replication, averaged over replications."""
    idx = [i for i in range(int(start // 900), int(end // 900)) if 7 * H <= i * 900 < 12 * H]
    shares = [sum(r.roles[role].busy[i] for i in idx) / sum(r.roles[role].on_duty[i] for i in idx)
              for r in res.replications]
    return sum(shares) / len(shares)


def test_staff_are_called_busy_only_while_on_duty_and_the_sentence_says_when(morning_only: simulate.Results) -> None:
    found = morning_only.fail_points(what_if=0)
    barista = found[(found["role"] == "barista") & found["kind"].isin(["capacity", "waiting", "hand-off", "abandonment"])]
    assert len(barista) > 0
    for _, row in barista.iterrows():
        text, start, end = row["finding"], row["start"], row["end"]
        off = start < 7 * H or end > 12 * H  # the window reaches hours with no barista on duty
        if start >= 12 * H or end <= 7 * H:
            # nobody on duty at all in the window: never a percentage busy
            assert "busy" not in text and ("no barista is on duty" in text or "none on duty" in text), text
            continue
        said = re.search(r"(\d+)% busy", text)
        assert said, text
        assert abs(int(said.group(1)) - 100 * _staffed_occupancy(morning_only, "barista", start, end)) <= 0.5 + 1e-9, text
        if off:
            assert re.search(r"none (?:are )?on duty from \d\d:\d\d to", text), text
            assert "12:00" in text or "07:00" in text, text
    # the windows that run on past noon say that no barista is on duty from 12:00 to midnight
    late = barista[barista["end"] > 12 * H]
    assert len(late) > 0 and late["finding"].str.contains("none (?:are )?on duty from 12:00 to 00:00").all()


def test_a_wait_at_a_join_is_said_to_be_for_the_parallel_work() -> None:
    """At a join the customer waits for the slowest branch, not in a queue of the join's own: the findings say
    what the wait is for instead of passing it off as a queue (the join has no staff and no service)."""
    bp = blueprint.Blueprint("Parallel")
    ask = bp.customer("Ask")
    serve = bp.onstage("Serve", role="desk", duration="1 min")
    done = bp.customer("Done", join=ask.id)
    bp.flow(ask, serve, kind="parallel")
    bp.flow(ask, done, kind="parallel")
    _ = serve >> done
    bp.role("desk", staffing=3)
    bp.arrive(ask, rate="20 per h")
    found = simulate.run(bp, days=1, replications=2, seed=1, progress=False).fail_points()
    at_join = found[found["step"] == done.id]
    assert len(at_join) and all("waiting for the parallel work begun at Ask to finish" in t or
                                "wait over 60 s for the parallel work begun at Ask to finish" in t for t in at_join["finding"])
