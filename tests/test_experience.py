"""The perceived-wait model at its limits, and the simulated experience of waits against queueing theory.

Theory: in M/M/c the wait is 0 with probability 1 − C and otherwise exponential with rate cμ − λ, so
the share of visits felt within the tolerance and the mean gap are integrals over that law, computed
here independently (scipy's quad) and compared with the per-replication estimates by a 99.9%
t-interval (``assert_covers``), on fixed seeds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

import blueprint
import simulate
from blueprint.experience import Experience

try:
    from tests.queueing import MMc
    from tests.test_simulation_theory import assert_covers
except ImportError:  # tests/ on sys.path as a plain folder
    from queueing import MMc  # type: ignore[no-redef]
    from test_simulation_theory import assert_covers  # type: ignore[no-redef]

pytestmark = pytest.mark.xdist_group("experience")

# -- the model at its limits ---------------------------------------------------------------------------------------


def test_the_linear_form_gives_the_actual_wait_back() -> None:
    linear = Experience(scale=1, exponent=1, loss=1)
    waits = np.array([0.0, 10.0, 60.0, 90.0, 600.0])
    assert np.allclose(linear.perceived(waits, 60.0), waits)
    assert np.allclose(linear.gap(waits, 60.0), (60.0 - waits) / 60.0)
    assert linear.met(waits, 60.0).tolist() == [True, True, True, False, False]


def test_each_parameter_at_its_limits() -> None:
    # scale: the perceived wait at the tolerance is scale × tolerance, whatever the exponent
    for exponent in (0.5, 1.0, 2.0):
        assert float(Experience(scale=1.36, exponent=exponent).perceived(60.0, 60.0)) == pytest.approx(81.6)
    # met up to T · scale^(-1 / exponent)
    e = Experience(scale=1.36, exponent=1.1)
    edge = 60.0 * 1.36 ** (-1 / 1.1)
    assert bool(e.met(edge * 0.999, 60.0)) and not bool(e.met(edge * 1.001, 60.0))
    # loss 0: a wait past the tolerance costs nothing; the gap is never negative
    free = Experience(loss=0)
    assert float(free.gap(600.0, 60.0)) == 0.0 and float(free.gap(10.0, 60.0)) > 0
    # loss λ: past the tolerance the gap is λ times the linear one
    for lam in (1.0, 2.25, 5.0):
        assert float(Experience(scale=1, exponent=1, loss=lam).gap(90.0, 60.0)) == pytest.approx(-0.5 * lam)
    # no wait: the largest gap, 1; exponent 1 and scale 1 below the tolerance: linear
    assert float(Experience().gap(0.0, 60.0)) == 1.0
    # a tolerance of 0: no wait is 0, any wait is -loss
    assert Experience().gap(np.array([0.0, 0.1]), 0.0).tolist() == [0.0, -2.25]
    with pytest.raises(ValueError):
        Experience(scale=0)
    with pytest.raises(ValueError):
        Experience(loss=-1)


@settings(max_examples=200, deadline=None)
@given(wait=st.floats(0, 1e5), tolerance=st.floats(0, 1e4), scale=st.floats(0.1, 5), exponent=st.floats(0.2, 3),
       loss=st.floats(0, 10))
def test_the_engines_per_visit_form_is_the_table_form(wait: float, tolerance: float, scale: float, exponent: float,
                                                       loss: float) -> None:
    e = Experience(scale=scale, exponent=exponent, loss=loss)
    met, gap = e.one(wait, tolerance)
    assert met == bool(e.met(wait, tolerance))
    assert gap == pytest.approx(float(e.gap(wait, tolerance)), rel=1e-9, abs=1e-12)
    assert gap <= 1.0 and (gap >= 0) == (met or loss == 0 or gap == 0)


def test_the_model_is_declared_on_the_blueprint_and_saved() -> None:
    bp = blueprint.loads("name: Kiosk\nexperience: {scale: 1, exponent: 1, loss: 3}\nsteps: [{id: use, label: Use, lane: customer}]\n")
    assert bp.experience == Experience(scale=1, exponent=1, loss=3)
    assert "loss: 3" in blueprint.dumps(bp) and "experience" not in blueprint.dumps(blueprint.Blueprint("Plain"))
    with pytest.raises(blueprint.BlueprintFileError, match="experience.exponent"):
        blueprint.loads("name: K\nexperience: {exponent: 0}\nsteps: [{id: use, label: Use, lane: customer}]\n")


# -- against M/M/c ---------------------------------------------------------------------------------------------------


def desk(tolerance: str = "60 s", **extra: Any) -> blueprint.Blueprint:
    bp = blueprint.Blueprint("Desk")
    step = bp.onstage("Serve", role="clerk", duration="exp(2 min)", wait_point={"tolerance": tolerance, **extra})
    bp.role("clerk", staffing=3)
    bp.arrive(step, rate="75 per h", **({"segments": SEGMENTS} if "segments" in extra else {}))
    return bp


SEGMENTS = [{"name": "business", "share": 0.3}, {"name": "consumer", "share": 0.7}]


def _theory(q: MMc, model: Experience, tolerance: float) -> tuple[float, float]:
    """P(met) and E[gap] of M/M/c's wait under ``model``."""
    theta = q.gap
    met = (1 - q.C) + q.C * (1 - math.exp(-theta * tolerance * model.scale ** (-1 / model.exponent)))
    tail, _err = integrate.quad(lambda w: float(model.gap(w, tolerance)) * theta * math.exp(-theta * w), 0, math.inf,
                                limit=200)
    return met, (1 - q.C) * 1.0 + q.C * tail


@pytest.mark.parametrize("model", [Experience(), Experience(scale=1, exponent=1, loss=1), Experience(scale=1.5, exponent=0.7, loss=4)])
def test_met_share_and_mean_gap_are_mmc_integrals(model: Experience) -> None:
    q = MMc(75 / 3600, 1 / 120, 3)  # a = 2.5 on 3 clerks
    bp = desk()
    bp.experience = model
    results = simulate.run(bp, days=3, replications=20, seed=31, warmup="2 h", progress=False)
    met, gap = _theory(q, model, 60.0)
    per = [rep.experience["serve@all"] for rep in results.replications]
    assert_covers(met, [sum(e.met) / sum(e.judged) for e in per], "share of waits felt within the tolerance")
    assert_covers(gap, [sum(e.gap_sum) / sum(e.judged) for e in per], "mean gap in tolerances")
    table = results.experience()
    assert table.loc[("serve", "all"), "met_ci_low"] <= met <= table.loc[("serve", "all"), "met_ci_high"] + 0.02
    assert table.loc[("serve", "all"), "loss_share"] == pytest.approx(1.0)


def test_a_segment_with_a_shorter_tolerance_is_judged_against_it() -> None:
    q = MMc(75 / 3600, 1 / 120, 3)
    bp = desk(segments={"business": "10 s"})
    bp.experience = Experience(scale=1, exponent=1, loss=1)
    results = simulate.run(bp, days=3, replications=20, seed=32, warmup="2 h", progress=False)
    for segment, tolerance in (("business", 10.0), ("consumer", 60.0)):
        met, gap = _theory(q, bp.experience, tolerance)
        per = [rep.experience[f"serve@{segment}"] for rep in results.replications]
        assert_covers(met, [sum(e.met) / sum(e.judged) for e in per], f"{segment}: met within {tolerance:g} s")
        assert_covers(gap, [sum(e.gap_sum) / sum(e.judged) for e in per], f"{segment}: mean gap")
    table = results.experience()
    assert table.loc[("serve", "business"), "met"] < table.loc[("serve", "consumer"), "met"]
    assert set(table.xs("serve", level="step").index) == {"business", "consumer", "all"}
    # the step's own share within tolerance counts each customer against their segment's tolerance: with the linear
    # model, met is exactly "within"
    for rep in results.replications:
        met = sum(sum(rep.experience[f"serve@{g}"].met) for g in ("business", "consumer"))
        judged = sum(sum(rep.experience[f"serve@{g}"].judged) for g in ("business", "consumer"))
        assert rep.steps["serve"].within_tolerance == pytest.approx(met / judged)


def test_an_unknown_segment_in_a_wait_point_is_a_located_error() -> None:
    bp = desk(segments={"bussiness": "10 s"})
    problems = {p.code: (p.path, p.message) for p in bp.validate().errors}
    path, message = problems["unknown-segment"]
    assert path == "steps[0].wait_point.segments.bussiness" and "did you mean 'business'" in message


def test_callers_who_give_up_are_never_met_and_get_no_credit() -> None:
    """A tolerance of an hour and patience of about 30 s: every served visit is met with gap 1 − w/T (linear model),
    every caller who gives up is judged, not met, and adds nothing: the gaps add up to the served visits' alone."""
    bp = desk(tolerance="1 h")
    bp.arrivals[0] = blueprint.Arrivals(step="serve", patience="exp(30 s)",  # none in the last 4 hours: all served by the end
                                        profile={"interval": "1 h", "start": "00:00", "values": [75] * 20 + [0] * 4})
    bp.experience = Experience(scale=1, exponent=1, loss=1)
    results = simulate.run(bp, days=1, replications=4, seed=5, progress=False)
    for rep in results.replications:
        e, st_ = rep.experience["serve@all"], rep.steps["serve"]
        assert st_.abandonments > 0
        assert sum(e.judged) == st_.completions + st_.abandonments
        assert sum(e.met) == st_.completions and sum(e.loss_sum) == 0
        served_wait = sum(rep.roles["clerk"].wait_sum)
        assert sum(e.gap_sum) == pytest.approx(st_.completions - served_wait / 3600, rel=1e-9)


def test_experience_per_interval_adds_up_to_the_day() -> None:
    results = simulate.run(blueprint.load("examples/contact_center.yaml"), days=1, replications=4, seed=3, progress=False)
    per = results.experience(by="interval")
    day = results.experience()
    visits = per.groupby(level="step")["visits"].sum()
    for step in visits.index:
        assert visits[step] == pytest.approx(day.loc[(step, "all"), "visits"], rel=1e-9)
    assert day["loss_share"].xs("all", level="segment").sum() == pytest.approx(1.0)
    assert list(day.index.get_level_values("step"))[0] == "specialist"  # the specialist queue loses the journeys most
    with pytest.raises(ValueError, match="by must be"):
        results.experience(by="hour")


def test_one_more_specialist_at_the_worst_window_cuts_the_experience_loss_there() -> None:
    """The contact centre's worst fail point at the specialist step, and its what-if (one more specialist in the
    window) on the same customers: the loss per customer at the specialist step falls, and the paired difference's
    95% interval lies below 0."""
    from simulate.failpoints import plus_one
    from simulate.intervals import mean_ci

    bp = blueprint.load("examples/contact_center.yaml")
    before = simulate.run(bp, days=1, replications=20, seed=2026, progress=False)
    found = before.fail_points(what_if=0)
    worst = found[(found["role"] == "specialist") & found["kind"].isin(["capacity", "waiting", "hand-off", "abandonment"])].iloc[0]
    staffing = plus_one(bp.get_role("specialist").staffing, worst["start"], worst["end"], interval=before.interval)
    after = simulate.run(bp.with_staffing({"specialist": staffing}), days=1, replications=20, seed=2026, progress=False)

    def loss(results: simulate.Results) -> np.ndarray:
        return np.array([sum(sum(e.loss_sum) for k, e in rep.experience.items() if k.startswith("specialist@"))
                         / rep.journeys.arrivals for rep in results.replications])

    diff = loss(after) - loss(before)
    mean, low, high = mean_ci(diff)
    assert high < 0, (mean, low, high)
    assert after.experience().loc[("specialist", "all"), "loss_per_customer"] < before.experience().loc[("specialist", "all"), "loss_per_customer"]


def test_the_simulate_command_reports_the_experience() -> None:
    import json

    from typer.testing import CliRunner

    from simulate.cli import app

    args = ["simulate", "examples/contact_center.yaml", "-r", "3", "--seed", "1", "--top", "0", "--experience"]
    shown = CliRunner().invoke(app, args)
    assert shown.exit_code == 0, shown.output
    flat = " ".join(shown.output.split())  # as a narrow terminal wraps it
    assert "Experience of the waits against their tolerances" in flat  # (a narrow terminal cuts the table's cells short)
    data = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    first = data["experience"][0]
    assert (first["step"], first["segment"]) == ("specialist", "all") and set(first["met"]) == {"mean", "ci_low", "ci_high"}
    rows = CliRunner().invoke(app, [*args, "--csv"]).stdout.splitlines()
    assert any(r.startswith("experience loss_share,specialist@all,") for r in rows)


# -- the whole journey -------------------------------------------------------------------------------------------------


def transfers_desk(**expect: Any) -> blueprint.Blueprint:
    """No queue (unlimited staff), exact times: 10 minutes at the desk, and 30% transferred for 5 minutes more."""
    bp = blueprint.Blueprint("Transfers")
    desk_ = bp.onstage("Desk", role="desk", duration="10 min")
    other = bp.onstage("Other desk", role="desk", duration="5 min")
    done = bp.customer("Done")
    bp.flow(desk_, other, probability=0.3, kind="transfer")
    bp.flow(desk_, done, otherwise=True)
    bp.flow(other, done)
    bp.role("desk", staffing="unlimited")
    bp.arrive(desk_, rate="30 per h")
    bp.expectations = blueprint.experience.Expectations(**expect)
    bp.experience = Experience(scale=1, exponent=1, loss=1)
    return bp


def test_a_journey_is_judged_on_its_time_and_its_transfers_exactly() -> None:
    """Served at once, for 10 minutes (15 when transferred) against a promise of 12: a journey not transferred
    meets everything with gap (12 − 10)/12; a transferred one misses the time by (15 − 12)/12 and the transfer
    costs −1 (loss 1)."""
    results = simulate.run(transfers_desk(total_time="12 min", no_transfer=True), days=1, replications=5, seed=3,
                           warmup="1 h", progress=False)
    for rep in results.replications:
        e = rep.journey_experience["all"]
        moved = e.transfer_judged - e.transfer_met
        kept = e.journeys - moved
        assert e.journeys > 0 and e.time_met == kept and e.all_met == kept
        assert e.gap_sum == pytest.approx(kept * (2 / 12) + moved * (-3 / 12 - 1.0))
        assert e.transfer_gap == pytest.approx(-moved) and e.contact_judged == 0
    table = results.experience(by="journey")
    share = table.loc[("no transfer", "all")]
    assert share["met_ci_low"] <= 0.7 <= share["met_ci_high"]
    assert set(table.index.get_level_values("expectation")) == {"every expectation", "waits", "total time", "no transfer"}


def test_a_segment_with_its_own_promise_is_judged_against_it() -> None:
    bp = transfers_desk(total_time="12 min", segments={"business": {"total_time": "8 min"}})
    bp.arrivals[0].segments = [blueprint.Segment(name="business", share=0.5), blueprint.Segment(name="consumer", share=0.5)]
    results = simulate.run(bp, days=1, replications=3, seed=4, progress=False)
    for rep in results.replications:
        assert rep.journey_experience["business"].time_met == 0  # 10 minutes against 8: never
        c = rep.journey_experience["consumer"]
        assert 0 < c.time_met < c.time_judged  # 10 against 12 met; 15 against 12 missed
    assert results.experience(by="journey").loc[("total time", "business"), "met"] == 0.0


def test_call_backs_count_against_first_contact() -> None:
    bp = desk()
    bp.arrivals[0] = blueprint.Arrivals(step="serve", patience="exp(60 s)",  # none in the last 4 hours: every journey ends
                                        profile={"interval": "1 h", "start": "00:00", "values": [75] * 20 + [0] * 4})
    bp.flow("serve", "serve", kind="retry", probability=0.5, delay="5 min")
    bp.expectations = blueprint.experience.Expectations(first_contact=True)
    results = simulate.run(bp, days=1, replications=3, seed=8, progress=False)
    for rep in results.replications:
        e = rep.journey_experience["all"]
        assert 0 < e.contact_met < e.contact_judged
        assert rep.journeys.in_system == 0  # so every call-back belongs to a journey that ended: −loss each
        assert e.contact_gap == pytest.approx(-bp.experience.loss * rep.journeys.retries)


def test_unknown_segments_in_the_expectations_are_located_errors() -> None:
    bp = transfers_desk(segments={"vip": {"total_time": "5 min"}})
    problems = {p.path: p.message for p in bp.validate().errors}
    assert problems["expectations.segments.vip"] == "unknown segment 'vip'; known: all"


def test_fail_points_are_ranked_by_the_experience_they_cost_too() -> None:
    results = simulate.run(blueprint.load("examples/contact_center.yaml"), days=1, replications=6, seed=2026, progress=False)
    found = results.fail_points(what_if=0)
    w = results.interval
    for _rank, row in found[found["step"].isin(["answer", "specialist"])].iterrows():
        a, b = int(row["start"] // w), int(math.ceil(row["end"] / w))
        # the loss of the visits that began in the window, every segment, a day (one day run: per replication)
        losses = [sum(sum(e.loss_sum[a:b]) for k, e in rep.experience.items() if k.startswith(row["step"] + "@"))
                  for rep in results.replications]
        assert row["experience_loss"] == pytest.approx(float(np.mean(losses)), rel=1e-9)
    ranked = found.by_experience()
    assert ranked["experience_loss"].is_monotonic_decreasing and (ranked["experience_loss"] > 0).all()
    assert set(ranked.index) <= set(found.index)  # each keeps its rank by severity
    assert found.loc[found["step"] == "self_service", "experience_loss"].isna().all()  # no wait point there


def test_a_tolerable_service_time_is_judged_apart_from_the_wait() -> None:
    """Exact times, no queue: a 10-minute service against a tolerable 12 minutes (linear model) is met with gap
    2/12; against 8 minutes it misses by 2/8; the journey adds the duration's gap to the wait's (0 s: gap 1)."""
    for tolerable, met, gap in (("12 min", 1.0, 2 / 12), ("8 min", 0.0, -2 / 8)):
        bp = blueprint.Blueprint("Service time")
        step = bp.onstage("Serve", role="clerk", duration="10 min", wait_point={"tolerance": "1 min", "duration": tolerable})
        bp.role("clerk", staffing="unlimited")
        bp.arrive(step, rate="12 per h")
        bp.experience = Experience(scale=1, exponent=1, loss=1)
        results = simulate.run(bp, days=1, replications=2, seed=1, warmup="1 h", progress=False)
        row = results.experience(by="duration").loc[("serve", "all")]
        assert row["met"] == pytest.approx(met) and row["gap"] == pytest.approx(gap)
        assert results.experience().loc[("serve", "all"), "gap"] == pytest.approx(1.0)  # served at once: the wait's gap
        for rep in results.replications:
            e = rep.journey_experience["all"]
            assert e.wait_gap == pytest.approx(e.journeys * (1.0 + gap))


def test_a_tolerable_duration_needs_a_queue() -> None:
    bp = blueprint.Blueprint("Kiosk")
    bp.customer("Use", duration="2 min", wait_point={"tolerance": "3 min", "duration": "2 min"})
    problems = {p.code: p.path for p in bp.validate().errors}
    assert problems["duration-without-queue"] == "steps[0].wait_point.duration"


def test_a_segment_with_its_own_tolerable_service_time_is_judged_against_it() -> None:
    bp = blueprint.Blueprint("Service time")
    step = bp.onstage("Serve", role="clerk", duration="10 min",
                      wait_point={"tolerance": "1 min", "duration": "12 min", "duration_segments": {"business": "8 min"}})
    bp.role("clerk", staffing="unlimited")
    bp.arrive(step, rate="12 per h", segments=[{"name": "business", "share": 0.5}, {"name": "consumer", "share": 0.5}])
    bp.experience = Experience(scale=1, exponent=1, loss=1)  # 10 minutes: within 12, past 8
    results = simulate.run(bp, days=1, replications=2, seed=1, progress=False)
    table = results.experience(by="duration")
    assert table.loc[("serve", "business"), "met"] == 0.0 and table.loc[("serve", "consumer"), "met"] == 1.0
    bp.steps[0].wait_point = blueprint.WaitPoint(tolerance="1 min", duration_segments={"vip": "5 min"})
    codes = {p.code: p.path for p in bp.validate().errors}
    assert codes["unknown-segment"] == "steps[0].wait_point.duration_segments.vip"
    assert codes["duration-segments-alone"] == "steps[0].wait_point.duration_segments"
