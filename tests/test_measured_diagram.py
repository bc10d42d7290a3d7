"""The simulation drawn on the blueprint (``Results.render``, ``FailPoints.render``): the figures in the
boxes are the run's own, the time row adds up to the journey, and both agree with queueing theory on a
tandem of two M/M/1 stations (Jackson: each station an independent M/M/1)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from functools import cache

import pytest

import blueprint
import simulate
from blueprint.numbers import duration, percent
from simulate.diagram import ALERT_FILL, measured_overlays, time_row
from tests.test_simulation_theory import assert_covers

SVG = "{http://www.w3.org/2000/svg}"
LAM, MU1, MU2 = 0.6 / 60, 1 / 60, 1 / 40  # per second: ρ1 = 0.6, ρ2 = 0.4


def tandem() -> blueprint.Blueprint:
    bp = blueprint.Blueprint("Two counters")
    a = bp.onstage("Order at the counter", role="cashier", duration="exp(60 s)", wait_point="60 s")
    b = bp.onstage("Pick up at the bar", role="barista", duration="exp(40 s)")
    done = bp.customer("Leave")
    bp.role("cashier", staffing=1)
    bp.role("barista", staffing=1)
    _ = a >> b >> done
    bp.arrive(a, rate="0.6 per min")
    return bp


@cache
def run() -> simulate.Results:
    return simulate.run(tandem(), days=3, replications=12, seed=8101, warmup="2 h")


def test_the_figures_in_the_boxes_are_the_runs_own() -> None:
    res = run()
    steps, staff = res.steps(), res.staff()
    marks = measured_overlays(res)
    order = marks["order_at_the_counter"]
    p90 = steps.loc["order_at_the_counter", "wait_p90"]
    assert p90 > 60  # so the wait is past its tolerance: an alert, and the box is filled
    assert f"wait p90 {duration(p90)} > 60 s" in order.alerts and order.fill == ALERT_FILL
    assert f"cashier {percent(staff.loc['cashier', 'occupancy'], 0)} busy" in order.figures
    pick = marks["pick_up_at_the_bar"]
    assert f"wait p90 {duration(steps.loc['pick_up_at_the_bar', 'wait_p90'])}" in pick.figures
    assert not pick.alerts and pick.fill is None  # 40% busy, no wait point
    svg = res.render().svg
    assert f"wait p90 {duration(p90)} &gt; 60 s" in svg


def test_the_figures_agree_with_queueing_theory() -> None:
    reps = run().replications
    # M/M/1 wait: P(Wq > t) = ρ e^{−(μ−λ)t}, so its 90th percentile is ln(10ρ) / (μ − λ)
    rho1 = LAM / MU1
    assert_covers(math.log(10 * rho1) / (MU1 - LAM), [r.steps["order_at_the_counter"].wait_p90 for r in reps],
                  "station 1 p90 wait")
    assert_covers(rho1, [r.role_totals["cashier"].busy / r.role_totals["cashier"].on_duty for r in reps],
                  "station 1 occupancy")


def test_the_time_row_adds_up_to_the_journey_and_to_theory() -> None:
    res = run()
    row = time_row(res)
    sojourn = 1 / (MU1 - LAM) + 1 / (MU2 - LAM)  # Jackson: the two M/M/1 sojourns add up, 150 + 66.7 s
    j = res.journeys()
    total = sum(row.spent.values())
    lo, hi = j.loc["time_in_system_mean", "ci_low"], j.loc["time_in_system_mean", "ci_high"]
    assert lo <= sojourn <= hi
    assert lo <= total <= hi  # the time row is the journey's time, step by step
    assert row.spent["order_at_the_counter"] == pytest.approx(1 / (MU1 - LAM), rel=0.15)
    assert row.total == [f"mean {duration(j.loc['time_in_system_mean', 'mean'])}",
                         f"p90 {duration(j.loc['time_in_system_p90', 'mean'])}"]


def test_render_draws_figures_and_time_row_and_each_can_be_left_out() -> None:
    res = run()
    root = ET.fromstring(res.render().svg.encode())
    ids = {g.get("id") for g in root.iter(SVG + "g")}
    assert "time-axis" in ids and "time-title" in ids and "time-0" in ids
    groups = {g.get("id"): g for g in root.iter(SVG + "g")}
    boxes = " ".join(t.text or "" for gid, g in groups.items() if gid and gid.startswith("step-") for t in g.iter(SVG + "text"))
    busy = percent(res.staff().loc["cashier", "occupancy"], 0)
    assert "gave up" not in boxes and f"cashier {busy} busy" in boxes
    assert "Customer's time" in " ".join(t.text or "" for t in groups["time-title"].iter(SVG + "text"))
    bare = res.render(figures=False, time=False).svg
    assert "time&#45;axis" not in bare and "wait p90" not in bare and "60% busy" not in bare
    assert "Measured over 3 days × 12 replications" in res.render().svg


def test_fail_point_diagram_carries_the_measured_figures() -> None:
    res = run()
    found = res.fail_points(what_if=0)
    svg = found.render().svg
    assert 'id="badge&#45;order_at_the_counter"' in svg  # Graphviz escapes '-'
    assert "wait p90" in svg and "time&#45;axis" in svg  # Graphviz escapes '-' in ids
    assert "wait p90" not in found.render(figures=False).svg


def test_contact_centre_abandonment_is_an_alert() -> None:
    res = simulate.run(blueprint.load("examples/contact_center.yaml"), days=1, replications=3, seed=77)
    steps = res.steps()
    marks = measured_overlays(res)
    share = steps.loc["specialist", "abandonments"] / steps.loc["specialist", "arrivals"]
    text = f"{percent(share)} gave up waiting"
    assert text in (marks["specialist"].alerts if share >= 0.05 else marks["specialist"].figures)
    assert "self_served" in marks and any(f.endswith("of customers") for f in marks["self_served"].figures)
