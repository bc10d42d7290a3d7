"""The simulation engine against queueing theory.

Every statistical check compares a value computed here, independently of the
library (``tests/queueing.py``: Erlang C, Erlang A, M/M/1; Pollaczek–Khinchine for M/G/1 and
Cobham's priority formula in the tests themselves), with the interval
the simulation gives for it: independent replications, one estimate per
replication, and a 99.9% t-interval over them (``LEVEL``). Where one test makes
many comparisons of one kind (24 hours of a day) the level is split between
them (Bonferroni) so that the family as a whole is held to 99.9%. Counts that
are Poisson or binomial by construction get exact intervals instead.

The loads are moderate (ρ ≤ 0.8) and the first hour is warm-up, so the
per-replication means are close to normal and nearly unbiased. Service times
are short (seconds) so that a simulated day holds thousands of customers.

Alongside, every run is checked for conservation of customers and for
Little's law (the time-average queue against arrival rate × mean wait), both
exactly on each sample path (the boundary terms have a known sign) and in the
mean. D/D/1 and D/D/2 cases are checked exactly by hand.

Seeds are fixed: a failure is not bad luck to be re-rolled but a reason to
look at the engine.
"""

from __future__ import annotations

import concurrent.futures
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pytest
from scipy import stats

import blueprint
import simulate
from simulate.engine import Replication

try:  # tests/ a package (tests/__init__.py) or a plain folder on sys.path
    from tests.queueing import ErlangA, MMc, erlang_b, erlang_c
except ImportError:
    from queueing import ErlangA, MMc, erlang_b, erlang_c  # type: ignore[no-redef]

LEVEL = 0.999
DAY = 86400.0
HOUR = 3600.0


# -- helpers: intervals ------------------------------------------------------------------------


def t_interval(values: Iterable[float], level: float = LEVEL) -> tuple[float, float, float]:
    """``(mean, low, high)``: the t-interval of independent per-replication estimates."""
    x = np.asarray(list(values), dtype=float)
    assert x.size >= 2 and np.all(np.isfinite(x)), f"need finite per-replication values, got {x}"
    m = float(x.mean())
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return m, m - half, m + half


def assert_covers(theory: float, values: Iterable[float], what: str, level: float = LEVEL) -> None:
    """The theoretical value lies in the t-interval of the per-replication estimates."""
    m, lo, hi = t_interval(values, level)
    eps = 1e-12 * max(1.0, abs(m))  # rounding only: deterministic runs give an interval of width 0
    assert lo - eps <= theory <= hi + eps, (
        f"{what}: theory {theory:.6g} outside the {level:.4%} interval [{lo:.6g}, {hi:.6g}] "
        f"(simulated mean {m:.6g}, {(m - theory) / theory:+.2%} off)"
    )


def poisson_interval(count: int, level: float = LEVEL) -> tuple[float, float]:
    """Exact (Garwood) interval for the mean of a Poisson count."""
    a = 1 - level
    lo = stats.chi2.ppf(a / 2, 2 * count) / 2 if count > 0 else 0.0
    hi = stats.chi2.ppf(1 - a / 2, 2 * count + 2) / 2
    return float(lo), float(hi)


def binomial_interval(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Exact (Clopper–Pearson) interval for a binomial probability."""
    a = 1 - level
    lo = stats.beta.ppf(a / 2, k, n - k + 1) if k > 0 else 0.0
    hi = stats.beta.ppf(1 - a / 2, k + 1, n - k) if k < n else 1.0
    return float(lo), float(hi)


# -- helpers: reading a run -------------------------------------------------------------------------


def first_interval(results: simulate.Results) -> int:
    """Index of the first interval after the warm-up (warm-ups here are whole intervals)."""
    first = results.warmup / results.interval
    assert first == int(first), "choose a warm-up that is a whole number of intervals"
    return int(first)


def window(results: simulate.Results) -> float:
    """Seconds measured after the warm-up."""
    return results.days * DAY - results.warmup


def after(results: simulate.Results, rep: Replication, role: str, key: str) -> float:
    """A per-interval role figure summed over the intervals after the warm-up."""
    return float(sum(getattr(rep.roles[role], key)[first_interval(results) :]))


def area(results: simulate.Results, rep: Replication, role: str, key: str) -> float:
    """Time integral after the warm-up of a per-interval time-average (queue_mean, busy, on_duty)."""
    return after(results, rep, role, key) * results.interval


def station(
    bp: blueprint.Blueprint,
    label: str,
    role: str,
    staff: Any,
    service: str,
    *,
    within: str = "20 s",
) -> blueprint.StepRef:
    """A staffed step whose wait point has tolerance 0 s, so ``within_tolerance`` = P(wait = 0),
    and whose role's target is ``within``, so the role's ``within`` counts P(wait ≤ within)."""
    s = bp.onstage(label, role=role, duration=service, wait_point={"tolerance": "0 s"})
    bp.role(role, staffing=staff, target={"service_level": 0.8, "within": within})
    return s


def single_station(c: int, rate: str, service: str, patience: str | None = None) -> blueprint.Blueprint:
    bp = blueprint.Blueprint(f"M/M/{c}" + ("+M" if patience else ""))
    s = station(bp, "Serve", "agent", c, service)
    bp.arrive(s, rate=rate, **({"patience": patience} if patience else {}))
    return bp


# -- helpers: checks made on every run -------------------------------------------------------------------


def check_conservation(results: simulate.Results, *, all_at_steps: bool = True) -> None:
    """Customers are neither made nor lost, in every replication.

    Journeys: arrivals = completed + recovered + abandoned + failed + in system.
    Steps: arrivals = completions + abandonments + still there at the end (≥ 0).
    With ``all_at_steps`` (no delays between steps), the customers still at some step
    are exactly those still in the system. Per role, over all intervals, everyone who
    queued was answered, gave up or is still queued (≥ 0); with no warm-up, those still
    at the role's one step minus those still queued are in service, at most the staff.
    """
    for i, rep in enumerate(results.replications):
        j = rep.journeys
        outcomes = ("completed", "recovered", "abandoned", "failed", "blocked", "in_system")
        assert all(getattr(j, k) >= 0 for k in outcomes), (i, j)
        assert j.arrivals == sum(getattr(j, k) for k in outcomes), (i, j)
        still: dict[str, float] = {}
        for sid, st in rep.steps.items():
            still[sid] = st.arrivals - st.completions - st.abandonments - st.blocked
            assert still[sid] >= 0, (i, sid, st)
            assert st.failures <= st.completions, (i, sid, st)
        if all_at_steps:
            assert sum(still.values()) == j.in_system, (i, still, j)
        else:
            assert sum(still.values()) <= j.in_system, (i, still, j)
        for role in results.blueprint.roles:
            r = rep.roles[role.name]
            queued = sum(r.arrivals) - sum(r.answered) - sum(r.abandoned) - sum(r.blocked)
            assert queued >= 0, (i, role.name, queued)
            assert all(0 <= w <= a for w, a in zip(r.within, r.answered)), (i, role.name)
            steps = [s.id for s in results.blueprint.steps if s.role == role.name]
            if results.warmup == 0 and len(steps) == 1 and role.staffing is not None and role.staffing.kind == "headcount":
                in_service = still[steps[0]] - queued
                assert 0 <= in_service <= role.staffing.headcount * role.concurrency, (i, role.name, in_service)


def check_little(results: simulate.Results, *, system: bool = True) -> None:
    """Little's law, L = λW, for each role's queue and (``system``) for the whole system.

    Over the measured window of length T, with the queue's time integral A and the
    waits of the customers who joined the queue in the window and left it (answered or
    gave up) summing to ΣW, A − ΣW is the part of the waits of customers queued at the
    window's two ends: never negative. So A/T ≥ ΣW/T = λ̂·Ŵ on every sample path, and in
    the mean λ̂·Ŵ must lie in the interval of the time-average queue. The same holds for
    the number in the system (queue + in service) against completed journeys' times in
    the system, when all of a customer's time is spent at staffed steps (``system``).
    The number in service, by the same law, against answered customers × mean service.

    Each role must have one step; where a role's customers give up, that step's waits
    (which include those of the customers who gave up) are used.
    """
    T = window(results)
    roles = [r.name for r in results.blueprint.roles]
    for role in roles:
        (step,) = [s.id for s in results.blueprint.steps if s.role == role]
        lq, lw, busy, served = [], [], [], []
        for i, rep in enumerate(results.replications):
            answered = after(results, rep, role, "answered")
            abandoned = after(results, rep, role, "abandoned")
            if sum(rep.roles[role].abandoned) == 0:
                waits = after(results, rep, role, "wait_sum")
            else:  # the step's waits count answered and abandoned customers alike (the role's one step)
                waits = rep.steps[step].wait_mean * (answered + abandoned)
            q = area(results, rep, role, "queue_mean") / T
            assert q >= waits / T - 1e-9 * (1 + q), f"replication {i}: queue area {q} < waits {waits / T}"
            lq.append(q)
            lw.append(waits / T)
            busy.append(area(results, rep, role, "busy") / T)
            served.append(answered / T * rep.steps[step].duration_mean)
        check_little_from_time_zero(results, role, step)
        if len(results.replications) < 2:
            continue
        assert_covers(float(np.mean(lw)), lq, f"Little's law for the queue of {role}: λ·Wq against Lq")
        assert_covers(float(np.mean(served)), busy, f"Little's law for the servers of {role}: λ·E[S] against busy")
    if system:
        l_sys: list[float] = []
        lw_sys: list[float] = []
        for i, rep in enumerate(results.replications):
            n = sum(area(results, rep, r, "queue_mean") + area(results, rep, r, "busy") for r in roles) / T
            j = rep.journeys
            sojourns = j.time_in_system_mean * (j.arrivals - j.in_system) / T
            assert n >= sojourns - 1e-9 * (1 + n), f"replication {i}: number in system {n} < λW {sojourns}"
            l_sys.append(n)
            lw_sys.append(sojourns)
        if len(results.replications) >= 2:
            assert_covers(float(np.mean(lw_sys)), l_sys, "Little's law for the system: λ·W against L")


def check_little_from_time_zero(results: simulate.Results, role: str, step: str) -> None:
    """Little's law for a role's queue over the whole run, on each sample path, to rounding.

    The run starts empty at time 0, so the queue's time integral over [0, T] is the sum of
    the waits of everyone who left the queue (answered or gave up) plus the time already
    waited by those still queued at T. Those are counted per interval by when they joined
    (arrivals − answered − abandoned − blocked), so someone who joined in interval i has waited
    between T − (i+1)·w and T − i·w. The waits of customers who gave up are known over the
    whole run only with no warm-up (from the step's waits); otherwise the check is skipped.
    """
    T, w = results.days * DAY, results.interval
    for k, rep in enumerate(results.replications):
        r = rep.roles[role]
        integral = sum(r.queue_mean) * w
        if sum(r.abandoned) == 0:
            waits = sum(r.wait_sum)
        elif results.warmup == 0:
            waits = rep.steps[step].wait_mean * (sum(r.answered) + sum(r.abandoned))
        else:
            continue
        blocked = r.blocked or [0.0] * len(r.arrivals)  # turned away at a full waiting room: never queued
        still = [a - b - c - d for a, b, c, d in zip(r.arrivals, r.answered, r.abandoned, blocked)]
        assert min(still) >= 0, (k, role, still)
        low = sum(n * max(0.0, T - (i + 1) * w) for i, n in enumerate(still))
        high = sum(n * (T - i * w) for i, n in enumerate(still))
        slack = 1e-9 * (integral + waits + 1)
        assert waits + low - slack <= integral <= waits + high + slack, (
            f"replication {k}, role {role}: queue integral {integral:.6f} s, waits {waits:.6f} s, "
            f"still queued between {low:.1f} and {high:.1f} s"
        )


def check_arrival_count(results: simulate.Results, rate_per_second: float) -> None:
    """Counted arrivals, pooled over replications, are Poisson with mean λ·T·replications."""
    total = sum(rep.journeys.arrivals for rep in results.replications)
    expected = rate_per_second * window(results) * len(results.replications)
    lo, hi = poisson_interval(int(total))
    assert lo <= expected <= hi, f"{total} arrivals; expected {expected:.1f} outside [{lo:.1f}, {hi:.1f}]"


@pytest.fixture(scope="module")
def pool() -> Any:
    """Two worker processes; results do not depend on them (see the determinism test)."""
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as ex:
        yield ex


def run_checked(
    bp: blueprint.Blueprint, pool: Any, *, all_at_steps: bool = True, system: bool = True, **kw: Any
) -> simulate.Results:
    """``simulate.run`` on the pool, with conservation and Little's law checked on the result."""
    results = simulate.run(bp, executor=pool, **kw)
    check_conservation(results, all_at_steps=all_at_steps)
    check_little(results, system=system)
    return results


# -- the reference formulas themselves ---------------------------------------------------------------


def test_reference_formulas_agree_with_each_other() -> None:
    # M/M/1: C = ρ; Erlang C from Erlang B by C = cB / (c − a(1 − B))
    assert erlang_c(1, 0.7) == pytest.approx(0.7, rel=1e-12)
    for c, a in [(2, 1.4), (5, 3.5), (50, 45.0), (300, 280.0)]:
        b = erlang_b(c, a)
        assert erlang_c(c, a) == pytest.approx(c * b / (c - a * (1 - b)), rel=1e-9)
    q = MMc(0.07, 0.1, 1)
    assert q.wq == pytest.approx(0.7 / (0.1 - 0.07), rel=1e-12)
    # Erlang A: θ → 0 is Erlang C; θ = μ is the M/M/∞ (Poisson) distribution
    slow = ErlangA(3.5, 1.0, 5, 1e-9)
    assert slow.p_wait == pytest.approx(erlang_c(5, 3.5), rel=1e-6)
    assert slow.lq == pytest.approx(MMc(3.5, 1.0, 5).lq, rel=1e-6)
    same = ErlangA(3.0, 1.0, 4, 1.0)
    poisson = stats.poisson(3.0)
    assert same.p_wait == pytest.approx(poisson.sf(3), rel=1e-9)
    assert same.lq == pytest.approx(sum((n - 4) * poisson.pmf(n) for n in range(5, 200)), rel=1e-9)
    # flow balance: served = λ(1 − P(ab)) = μ·E[busy]
    ea = ErlangA(4.0, 1.0, 5, 0.5)
    assert ea.busy == pytest.approx(4.0 * (1 - ea.p_abandon), rel=1e-9)


# -- 1. M/M/1 and M/M/c against Erlang C ----------------------------------------------------------------


def test_mm1_wait_and_probability_of_waiting(pool: Any) -> None:
    lam, mu = 4.2 / 60, 1 / 10  # ρ = 0.7; about 6,000 customers a day
    rho = lam / mu
    wq = rho / (mu - lam)  # 23.3 s
    bp = single_station(1, "4.2 per min", "exp(10 s)")
    results = run_checked(bp, pool, days=2, replications=20, seed=20240601, warmup="1 h")
    check_arrival_count(results, lam)
    reps = results.replications
    assert_covers(wq, [r.steps["serve"].wait_mean for r in reps], "M/M/1 mean wait Wq = ρ/(μ−λ)")
    assert_covers(rho, [1 - r.steps["serve"].within_tolerance for r in reps], "M/M/1 P(wait > 0) = ρ")
    assert_covers(rho * lam / (mu - lam), [area(results, r, "agent", "queue_mean") / window(results) for r in reps],
                  "M/M/1 Lq = ρ²/(1−ρ)")
    assert_covers(rho, [area(results, r, "agent", "busy") / window(results) for r in reps], "M/M/1 utilisation ρ")
    assert_covers(wq + 1 / mu, [r.journeys.time_in_system_mean for r in reps], "M/M/1 time in system 1/(μ−λ)")


def test_mmc_against_erlang_c(pool: Any) -> None:
    c, lam, mu = 5, 7 / 60, 1 / 30  # a = 3.5 Erlangs, ρ = 0.7
    q = MMc(lam, mu, c)
    bp = single_station(c, "7 per min", "exp(30 s)")
    results = run_checked(bp, pool, days=3, replications=20, seed=7310, warmup="1 h")
    check_arrival_count(results, lam)
    reps = results.replications
    t = results.replications[0].role_totals["agent"].target_seconds
    assert t == 20.0
    assert_covers(q.wq, [r.steps["serve"].wait_mean for r in reps], "M/M/5 mean wait (Erlang C)")
    assert_covers(q.p_wait, [1 - r.steps["serve"].within_tolerance for r in reps], "M/M/5 P(wait > 0) = C")
    sl = [
        after(results, r, "agent", "within")
        / (after(results, r, "agent", "answered") + after(results, r, "agent", "abandoned"))
        for r in reps
    ]
    assert_covers(q.service_level(t), sl, "M/M/5 service level P(W ≤ 20 s) = 1 − C·exp(−(cμ−λ)t)")
    assert_covers(q.lq, [area(results, r, "agent", "queue_mean") / window(results) for r in reps], "M/M/5 Lq")
    assert_covers(q.a, [area(results, r, "agent", "busy") / window(results) for r in reps], "M/M/5 busy servers = a")
    # the tables report the same per-replication figures
    staff = results.staff().loc["agent"]
    assert staff["service_level"] == pytest.approx(np.mean(sl), rel=1e-12)
    waits = [r.steps["serve"].wait_mean for r in reps]
    assert results.steps().loc["serve", "wait_mean"] == pytest.approx(np.mean(waits))


# -- 2. M/M/c+M against Erlang A ---------------------------------------------------------------------------


def test_mmc_with_patience_against_erlang_a(pool: Any) -> None:
    c, lam, mu, theta = 5, 8 / 60, 1 / 30, 1 / 60  # a = 4 (ρ = 0.8 offered), patience twice the service
    ea = ErlangA(lam, mu, c, theta)
    bp = single_station(c, "8 per min", "exp(30 s)", patience="exp(60 s)")
    results = run_checked(bp, pool, days=3, replications=20, seed=99173, warmup="1 h")
    check_arrival_count(results, lam)
    reps = results.replications
    ab, pw = [], []
    for r in reps:
        answered, abandoned = after(results, r, "agent", "answered"), after(results, r, "agent", "abandoned")
        ab.append(abandoned / (answered + abandoned))
        st = r.steps["serve"]
        served_at_once = st.within_tolerance * st.completions
        pw.append(1 - served_at_once / (st.completions + st.abandonments))
    assert_covers(ea.p_abandon, ab, "Erlang A abandonment share θ·E[Q]/λ")
    assert_covers(ea.p_wait, pw, "Erlang A P(wait > 0) = P(N ≥ c)")
    assert_covers(ea.wq, [r.steps["serve"].wait_mean for r in reps], "Erlang A mean time in queue E[Q]/λ")
    assert_covers(ea.lq, [area(results, r, "agent", "queue_mean") / window(results) for r in reps], "Erlang A E[Q]")
    assert_covers(ea.busy, [area(results, r, "agent", "busy") / window(results) for r in reps], "Erlang A busy servers")
    # the per-role table gives the same abandonment share
    assert results.staff().loc["agent", "abandonment"] == pytest.approx(np.mean(ab), rel=1e-12)


# -- 3. a Jackson tandem ----------------------------------------------------------------------------------------


def test_tandem_jackson_network(pool: Any) -> None:
    lam = 4.2 / 60
    first, second = MMc(lam, 1 / 20, 2), MMc(lam, 1 / 30, 3)  # ρ = 0.7 at both
    bp = blueprint.Blueprint("Tandem")
    desk = station(bp, "Desk", "clerk", 2, "exp(20 s)")
    till = station(bp, "Till", "cashier", 3, "exp(30 s)")
    _ = desk >> till
    bp.arrive(desk, rate="4.2 per min")
    results = run_checked(bp, pool, days=3, replications=20, seed=424242, warmup="1 h")
    check_arrival_count(results, lam)
    reps = results.replications
    assert_covers(first.wq, [r.steps["desk"].wait_mean for r in reps], "tandem station 1 (M/M/2) mean wait")
    assert_covers(second.wq, [r.steps["till"].wait_mean for r in reps], "tandem station 2 (M/M/3) mean wait")
    assert_covers(first.p_wait, [1 - r.steps["desk"].within_tolerance for r in reps], "tandem station 1 P(wait > 0)")
    assert_covers(second.p_wait, [1 - r.steps["till"].within_tolerance for r in reps], "tandem station 2 P(wait>0)")
    assert_covers(first.w + second.w, [r.journeys.time_in_system_mean for r in reps], "tandem time in system")
    # the departures of an M/M/c queue are Poisson at λ (Burke): station 2 sees λ too
    till_arrivals = sum(after(results, r, "cashier", "arrivals") for r in reps)
    lo, hi = poisson_interval(int(till_arrivals))
    assert lo <= lam * window(results) * len(reps) <= hi, (till_arrivals, lo, hi)
    for r in reps:  # and every completed journey went through both
        assert r.journeys.completed == r.steps["till"].completions


# -- M/G/1 against Pollaczek–Khinchine, and priorities against Cobham -------------------------------------------


@pytest.mark.parametrize("service, second_moment", [
    ("10 s", 100.0),  # M/D/1
    ("uniform(5, 15) s", 100.0 + 100.0 / 12),
    ("gamma(shape=0.5, scale=20) s", 300.0),  # variance 200
    ("lognormal(mean=10, sd=15) s", 325.0),  # a heavy right tail
])
def test_mg1_against_pollaczek_khinchine(pool: Any, service: str, second_moment: float) -> None:
    """One server, Poisson arrivals, service of mean 10 s by any law: Wq = λ·E[S²] / (2(1 − ρ)), P(wait > 0) = ρ."""
    lam = 4.2 / 60
    rho = lam * 10.0
    bp = single_station(1, "4.2 per min", service)
    results = run_checked(bp, pool, days=2, replications=20, seed=11, warmup="1 h")
    reps = results.replications
    assert_covers(lam * second_moment / (2 * (1 - rho)), [r.steps["serve"].wait_mean for r in reps],
                  f"M/G/1 mean wait, service {service} (Pollaczek–Khinchine)")
    assert_covers(rho, [1 - r.steps["serve"].within_tolerance for r in reps], f"M/G/1 P(wait > 0) = ρ, service {service}")
    assert_covers(10.0, [r.steps["serve"].duration_mean for r in reps], f"mean service time of {service}")


def test_non_preemptive_priority_against_cobham(pool: Any) -> None:
    """Two customer segments share one server, the first served first but never interrupting a service:
    W₁ = W₀ / (1 − ρ₁), W₂ = W₀ / ((1 − ρ₁)(1 − ρ)), W₀ = λ·E[S²] / 2 (Cobham 1954)."""
    l1, l2 = 1.5 / 60, 2.7 / 60
    bp = blueprint.Blueprint("Two priorities")
    first = bp.onstage("Serve first", role="agent", duration="exp(10 s)")
    second = bp.onstage("Serve second", role="agent", duration="exp(10 s)")
    bp.role("agent", staffing=1, target={"service_level": 0.8, "within": "20 s"})
    bp.arrive(first, name="members", rate="1.5 per min", segments=[{"name": "members", "share": 1, "priority": 1}])
    bp.arrive(second, name="guests", rate="2.7 per min", segments=[{"name": "guests", "share": 1, "priority": 0}])
    results = simulate.run(bp, executor=pool, days=2, replications=20, seed=12, warmup="1 h")
    check_conservation(results)
    reps = results.replications
    rho1, rho = l1 * 10, (l1 + l2) * 10
    w0 = (l1 + l2) * 200.0 / 2  # E[S²] = 2·10² for exp(10 s)
    assert_covers(w0 / (1 - rho1), [r.steps["serve_first"].wait_mean for r in reps], "priority class 1 mean wait (Cobham)")
    assert_covers(w0 / ((1 - rho1) * (1 - rho)), [r.steps["serve_second"].wait_mean for r in reps],
                  "priority class 2 mean wait (Cobham)")


def test_transfer_to_the_same_role_queues_again(pool: Any) -> None:
    """A transfer back to a step of the same role (a colleague takes the call) puts the customer in the queue
    again: a Jackson network with feedback, whose station sees λ/(1 − p) Poisson visits (an M/M/3 at ρ = 0.8)."""
    lam, p = 3.36 / 60, 0.3
    visits = MMc(lam / (1 - p), 1 / 30, 3)
    bp = blueprint.Blueprint("Feedback")
    serve = station(bp, "Serve", "agent", 3, "exp(30 s)")
    bp.flow(serve, serve, kind="transfer", probability=p)
    bp.flow(serve, bp.customer("Leave"), otherwise=True)
    bp.arrive(serve, rate="3.36 per min")
    results = run_checked(bp, pool, days=2, replications=20, seed=515151, warmup="1 h")
    reps = results.replications
    assert_covers(visits.wq, [r.steps["serve"].wait_mean for r in reps], "feedback station (M/M/3 at λ/(1−p)) mean wait")
    assert_covers(visits.p_wait, [1 - r.steps["serve"].within_tolerance for r in reps], "feedback station P(wait > 0)")
    assert_covers(visits.w / (1 - p), [r.journeys.time_in_system_mean for r in reps], "time in system: 1/(1−p) visits")
    assert_covers(p / (1 - p), [r.journeys.transfers_mean for r in reps], "transfers per journey p/(1−p)")


# -- 5. D/D/1 and D/D/2, exactly ------------------------------------------------------------------------------


def _stamps(seconds: Iterable[float]) -> list[str]:
    return [f"{int(s) // 3600:02d}:{int(s) % 3600 // 60:02d}:{int(s) % 60:02d}" for s in seconds]


def test_dd1_without_queueing_is_exact() -> None:
    bp = blueprint.Blueprint("D/D/1")
    s = station(bp, "Serve", "agent", 1, "30 s")
    bp.arrive(s, times=_stamps(range(0, 86400, 60)))  # one a minute, every day
    results = simulate.run(bp, days=2, replications=2, seed=1, record_events=True)
    check_conservation(results)
    check_little(results)
    for rep in results.replications:
        assert rep.journeys.arrivals == 2 * 1440
        assert rep.journeys.completed == 2 * 1440 and rep.journeys.in_system == 0
        st = rep.steps["serve"]
        assert st.wait_mean == 0 and st.wait_max == 0 and st.within_tolerance == 1
        assert st.duration_mean == 30
        assert rep.journeys.time_in_system_mean == pytest.approx(30, abs=1e-9)
        r = rep.roles["agent"]
        assert r.busy == pytest.approx([0.5] * 192, rel=1e-12)  # 15 customers × 30 s in every 15 minutes
        assert r.queue_mean == [0.0] * 192
        assert r.arrivals == [15.0] * 192
        assert r.work == pytest.approx([450.0] * 192, rel=1e-12)
    events = results.events
    assert len(events) == 2 * 2 * 1440
    assert (events.start_timestamp == events.enable_timestamp).all()
    assert ((events["time:timestamp"] - events.start_timestamp).dt.total_seconds() == 30).all()


def test_dd1_with_a_growing_queue_is_exact() -> None:
    # arrivals a minute apart served in 90 s: customer k waits 30·k seconds
    n = 10
    bp = blueprint.Blueprint("D/D/1 overloaded")
    s = station(bp, "Serve", "agent", 1, "90 s")
    bp.arrive(s, times=_stamps(range(0, 60 * n, 60)))
    results = simulate.run(bp, days=1, replications=1, seed=1, record_events=True)
    check_conservation(results)
    check_little(results)
    rep = results.replications[0]
    log = rep.events
    assert log is not None
    assert sorted((log.start - log.enabled).tolist()) == [30.0 * k for k in range(n)]
    assert log.end[np.argsort(log.case)].tolist() == [90.0 * (k + 1) for k in range(n)]
    st = rep.steps["serve"]
    assert st.wait_max == 30.0 * (n - 1)
    assert st.wait_mean == pytest.approx(15.0 * (n - 1), rel=1e-12)
    assert rep.journeys.time_in_system_mean == pytest.approx(15.0 * (n - 1) + 90, rel=1e-12)
    # the queue's time integral is the sum of the waits: 30·(0 + 1 + … + 9) s
    assert sum(rep.roles["agent"].queue_mean) * results.interval == pytest.approx(30.0 * n * (n - 1) / 2, rel=1e-12)
    # the one server is busy from 0 to 900 s without a break: exactly the first interval
    assert rep.roles["agent"].busy[0] == pytest.approx(1.0, rel=1e-12)
    assert sum(rep.roles["agent"].busy[1:]) == 0


def test_dd2_waits_by_hand() -> None:
    # two servers, 150 s each, arrivals a minute apart: customer k waits 30·⌊k/2⌋ seconds
    n = 12
    bp = blueprint.Blueprint("D/D/2")
    s = station(bp, "Serve", "agent", 2, "150 s")
    bp.arrive(s, times=_stamps(range(0, 60 * n, 60)))
    results = simulate.run(bp, days=1, replications=1, seed=1, record_events=True)
    check_conservation(results)
    check_little(results)
    rep = results.replications[0]
    assert rep.events is not None
    by_case = sorted(rep.events.records(), key=lambda e: e["case"])
    assert [e["start"] - e["enabled"] for e in by_case] == [30.0 * (k // 2) for k in range(n)]
    assert len({e["resource"] for e in by_case}) == 2


# -- 7. time-varying arrivals and staffing --------------------------------------------------------------------------


HOURLY_ARRIVALS = [120, 120, 120, 120, 240, 360, 480, 600, 720, 720, 600, 480,
                   480, 600, 720, 600, 480, 360, 240, 240, 120, 120, 120, 120]


def test_time_varying_arrivals_and_staffing(pool: Any) -> None:
    service = 30.0  # exp(30 s): offered load λ_h·E[S] = count/120 Erlangs, 1 to 6
    staffing = [math.ceil(n * service / HOUR / 0.75) for n in HOURLY_ARRIVALS]  # ρ ≤ 0.75 every hour
    bp = blueprint.Blueprint("Day")
    s = station(bp, "Serve", "agent", {"interval": "1 h", "start": "00:00", "values": staffing}, f"exp({service:g} s)")
    bp.arrive(s, profile={"interval": "1 h", "start": "00:00", "values": HOURLY_ARRIVALS})
    days, reps = 2, 10
    results = run_checked(bp, pool, days=days, replications=reps, seed=5150)
    per_hour = int(HOUR / results.interval)
    # observations per hour of the day: one per replication and day (independent: Poisson arrivals)
    hours = len(HOURLY_ARRIVALS)
    level = 1 - (1 - LEVEL) / hours  # Bonferroni over the 24 hours
    table = results.roles("agent")
    for h, count in enumerate(HOURLY_ARRIVALS):
        arrivals, load = [], []
        for rep in results.replications:
            r = rep.roles["agent"]
            for d in range(days):
                sl = slice((24 * d + h) * per_hour, (24 * d + h + 1) * per_hour)
                arrivals.append(sum(r.arrivals[sl]))
                load.append(sum(r.work[sl]) / HOUR)
                # staff on duty: as planned, except that when the headcount falls, those busy
                # finish their customer first (services of 30 s on average: within the interval)
                drop = staffing[h - 1] - staffing[h] if (d, h) != (0, 0) else 0
                on_duty = r.on_duty[sl]
                if drop > 0:
                    assert staffing[h] - 1e-9 <= on_duty[0] <= staffing[h] + drop, (d, h, on_duty)
                    on_duty = on_duty[1:]
                assert on_duty == pytest.approx([staffing[h]] * len(on_duty), rel=1e-12), (d, h, on_duty)
        lo, hi = poisson_interval(int(sum(arrivals)), level)
        expected = count * reps * days
        assert lo <= expected <= hi, f"hour {h}: {sum(arrivals)} arrivals; {expected} outside [{lo:.0f}, {hi:.0f}]"
        assert_covers(count * service / HOUR, load, f"hour {h}: offered load λ_h·E[S]", level=level)
        # the table's offered load is the same figure per interval
        table_load = table.loc[("agent", slice(h * per_hour, (h + 1) * per_hour - 1)), "offered_load"]
        first_day = [sum(rep.roles["agent"].work[h * per_hour : (h + 1) * per_hour]) / HOUR
                     for rep in results.replications]
        assert table_load.sum() / per_hour == pytest.approx(np.mean(first_day), rel=1e-9)


# -- 8. determinism ------------------------------------------------------------------------------------------------


def _fingerprint(results: simulate.Results) -> list[str]:
    """Every number of every replication, every event included (repr keeps NaN comparable and floats exact)."""
    return [repr((r.seed, r.steps, r.roles, r.role_totals, r.journeys,
                  r.events.records() if r.events is not None else None)) for r in results.replications]


def test_same_seed_same_results_serial_or_parallel() -> None:
    bp = single_station(2, "3 per min", "exp(30 s)", patience="exp(2 min)")
    kw = dict(days=0.5, replications=4, record_events=True)
    a = simulate.run(bp, seed=31337, **kw)
    b = simulate.run(bp, seed=31337, **kw)
    assert a.seed == b.seed == 31337
    assert _fingerprint(a) == _fingerprint(b)
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as ex:
        c = simulate.run(bp, seed=31337, executor=ex, **kw)
    assert _fingerprint(c) == _fingerprint(a)
    # replications differ from each other, and another seed gives other numbers
    assert len(set(_fingerprint(a))) == len(a.replications)
    assert _fingerprint(simulate.run(bp, seed=31338, **kw)) != _fingerprint(a)
    # with no seed, one is drawn, recorded, and reproduces the run
    d = simulate.run(bp, **kw)
    assert isinstance(d.seed, int)
    assert _fingerprint(simulate.run(bp, seed=d.seed, **kw)) == _fingerprint(d)
    check_conservation(a)
    check_little(a)


# -- 9. abandonment with retries -----------------------------------------------------------------------------------


def test_retries_count_the_customers_after_the_warm_up() -> None:
    """With a warm-up the journey's call-backs are those of the customers it counts, as its other figures:
    every call-back of a counted customer entered the step again, and no other is counted."""
    bp = single_station(2, "1.5 per min", "exp(60 s)", patience="exp(60 s)")
    bp.flow("serve", "serve", kind="retry", probability=0.4, delay="exp(5 min)")
    results = simulate.run(bp, days=1, replications=3, seed=4141, warmup="12 h", executor="serial", progress=False)
    for rep in results.replications:
        st, j = rep.steps["serve"], rep.journeys
        assert j.retries > 50
        assert st.arrivals == j.arrivals + j.retries


def test_retry_share_of_abandoners(pool: Any) -> None:
    p = 0.4
    bp = single_station(2, "1.5 per min", "exp(60 s)", patience="exp(60 s)")
    bp.flow("serve", "serve", kind="retry", probability=p, delay="exp(5 min)")
    results = run_checked(bp, pool, all_at_steps=False, system=False, days=1, replications=10, seed=8080)
    check_arrival_count(results, 1.5 / 60)
    abandonments = decided = retried = 0
    for rep in results.replications:
        st, j = rep.steps["serve"], rep.journeys
        # every abandonment either ends the journey or is followed by a call back
        calls_back = st.abandonments - j.abandoned
        assert 0 <= calls_back - j.retries <= j.in_system, "call-backs still in their delay at the end"
        # every call back that came back entered the step again
        assert st.arrivals == j.arrivals + j.retries
        abandonments += st.abandonments
        decided += calls_back
        retried += j.retries
    assert abandonments > 1000
    lo, hi = binomial_interval(int(decided), int(abandonments))
    assert lo <= p <= hi, f"{decided} of {abandonments} abandoners called back; p = {p} outside [{lo:.4f}, {hi:.4f}]"
    lo, hi = binomial_interval(int(retried), int(abandonments))
    assert lo <= p <= hi, f"{retried} of {abandonments} abandoners came back; p = {p} outside [{lo:.4f}, {hi:.4f}]"
