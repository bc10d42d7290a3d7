"""What real ACDs also have, against queueing theory: a limit on lines (trunks) or on the waiting room
(M/M/c/K), balking, and a day-level busyness factor on the arrival rates.

As in ``test_simulation_theory.py``: values computed independently (``tests/queueing.py``) must lie in the
99.9% t-interval of per-replication estimates; seeds are fixed.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import blueprint
import simulate

try:
    from tests.queueing import MMcK, birth_death
    from tests.test_simulation_theory import area, assert_covers, check_conservation, check_little, window
except ImportError:  # tests/ on sys.path as a plain folder
    from queueing import MMcK, birth_death  # type: ignore[no-redef]
    from test_simulation_theory import area, assert_covers, check_conservation, check_little, window  # type: ignore[no-redef]

pytestmark = pytest.mark.xdist_group("acd")


@pytest.fixture(scope="module")
def pool() -> Iterator[Any]:
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as ex:
        yield ex


def station(c: int, rate: str, service: str, **role: Any) -> blueprint.Blueprint:
    bp = blueprint.Blueprint("Station")
    s = bp.onstage("Serve", role="agent", duration=service, wait_point={"tolerance": "0 s"})
    bp.role("agent", staffing=c, **role)
    bp.arrive(s, rate=rate)
    return bp


def blocked_share(rep: Any) -> float:
    return rep.journeys.blocked / rep.journeys.arrivals


@pytest.mark.parametrize("how", ["waiting_room", "trunks"])
def test_a_waiting_room_or_trunks_make_mmck(pool: Any, how: str) -> None:
    """Three agents and room for four more callers (K = 7): either four places in the queue, or seven lines."""
    c, K, lam, mu = 3, 7, 6 / 60, 1 / 30  # a = 3 Erlangs on 3 agents: without the limit the queue would grow
    q = MMcK(lam, mu, c, K)
    bp = station(c, "6 per min", "exp(30 s)", **({"waiting_room": K - c} if how == "waiting_room" else {}))
    if how == "trunks":
        bp.trunks = K
    results = simulate.run(bp, days=2, replications=20, seed=515, warmup="1 h", executor=pool, progress=False)
    check_conservation(results)
    check_little(results, system=False)
    reps = results.replications
    assert_covers(q.p_block, [blocked_share(r) for r in reps], f"M/M/3/7 blocking p_K ({how})")
    assert_covers(q.wq, [r.steps["serve"].wait_mean for r in reps], f"M/M/3/7 mean wait of those let in ({how})")
    assert_covers(q.busy, [area(results, r, "agent", "busy") / window(results) for r in reps], f"M/M/3/7 busy ({how})")
    if how == "waiting_room":  # blocked at the queue: counted per interval and at the step
        assert all(sum(r.roles["agent"].blocked) >= r.steps["serve"].blocked > 0 for r in reps)
        table = results.roles("agent")
        assert "blocked" in table and table["blocked"].sum() > 0


def test_a_caller_blocked_at_a_full_queue_may_call_back(pool: Any) -> None:
    bp = station(1, "3 per min", "exp(30 s)", waiting_room=0)
    bp.add_step("Call", "customer")
    bp.arrivals[0].step = "call"
    _ = bp.flow("call", "serve")
    _ = bp.flow("serve", "call", kind="retry", probability=0.5, delay="exp(2 min)")
    results = simulate.run(bp, days=0.5, replications=4, seed=3, executor=pool, progress=False)
    check_conservation(results, all_at_steps=False)
    for r in results.replications:
        assert r.journeys.retries > 0 and r.journeys.blocked > 0
        # every blocked try called back, was lost as blocked, or is still waiting to call back at the end
        j = r.journeys
        assert j.retries + j.blocked <= r.steps["serve"].blocked <= j.retries + j.blocked + j.in_system


def test_balking_against_the_birth_death_chain(pool: Any) -> None:
    """M/M/2 where a caller who must wait leaves at once with probability 0.4: births λ below 2 in the
    system, λ·0.6 from 2 on."""
    c, lam, mu, b = 2, 3 / 60, 1 / 30, 0.4
    n_max = 200
    p = birth_death([lam if n < c else lam * (1 - b) for n in range(n_max)],
                    [min(n + 1, c) * mu for n in range(n_max)])
    p_wait = sum(p[c:])
    bp = station(c, "3 per min", "exp(30 s)", balking=b)
    results = simulate.run(bp, days=2, replications=20, seed=88, warmup="1 h", executor=pool, progress=False)
    check_conservation(results)
    reps = results.replications
    first = int(results.warmup / results.interval)
    balked = [sum(r.roles["agent"].balked[first:]) / sum(r.roles["agent"].arrivals[first:]) for r in reps]
    assert_covers(b * p_wait, balked, "balking share b·P(N ≥ c)")
    assert all(sum(r.roles["agent"].abandoned) >= sum(r.roles["agent"].balked) for r in reps)
    lq = sum((n - c) * x for n, x in enumerate(p) if n > c)
    assert_covers(lq, [area(results, r, "agent", "queue_mean") / window(results) for r in reps], "Lq with balking")


def _busy_day(shape: float | None) -> blueprint.Blueprint:
    bp = blueprint.Blueprint("Arrivals only")
    a = bp.customer("Arrive")
    b = bp.customer("Other door")
    bp.arrive(a, rate="20 per h", name="front")
    bp.arrive(b, rate="10 per h", name="back")
    if shape is not None:
        bp.busyness = blueprint.Busyness(shape=shape)
    return bp


@pytest.mark.parametrize("shape", [4.0, 25.0, None])
def test_busyness_gives_each_day_a_gamma_factor(pool: Any, shape: float | None) -> None:
    """A day's arrivals are Poisson given the day's factor F ~ Gamma(k, 1/k): mean m, variance m + m²/k, and
    two streams share F, so their covariance is m₁m₂/k (0 without busyness)."""
    m1, m2 = 20 * 24, 10 * 24
    results = simulate.run(_busy_day(shape), days=1, replications=400, seed=4040, executor=pool, progress=False)
    front = np.array([r.steps["arrive"].arrivals for r in results.replications], dtype=float)
    back = np.array([r.steps["other_door"].arrivals for r in results.replications], dtype=float)
    inv = 0.0 if shape is None else 1 / shape
    assert_covers(m1, front, "mean arrivals a day")
    assert_covers(m1 + m1**2 * inv, (front - m1) ** 2, "variance of a day's arrivals m + m²/k")
    assert_covers(m1 * m2 * inv, (front - m1) * (back - m2), "covariance of two streams m₁m₂/k")


def test_busyness_draws_a_factor_per_day() -> None:
    """Over a week each day has its own factor: days are not all scaled alike."""
    bp = _busy_day(4.0)
    res = simulate.run(bp, days=7, replications=1, seed=1, progress=False, record_events=True)
    log = res.replications[0].events
    assert log is not None
    per_day = np.bincount((log.enabled // 86_400).astype(int), minlength=7)
    assert per_day.max() > 1.5 * per_day.min()  # with CV 0.5 this is all but certain; Poisson alone: ±6%
