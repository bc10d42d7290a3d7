"""The staffing formulas (``simulate.staffing``) against independent exact values.

Every reference value here is computed in the test, in mpmath at 50 digits, from the
birth–death chain itself: the stationary distribution is summed term by term (the
geometric tail of M/M/c in closed form), figures are read off it by their definitions
(Little's law, rate balance, busy servers), and the waiting-time tails come from a
different route than the library's: a mixture of Erlang distributions over the queue
an arrival finds (M/M/c, M/M/c/K), or uniformization of the tagged customer's own
Markov chain (M/M/c+M). The library evaluates closed forms (incomplete gamma functions
and integrals in log space) instead, so agreement checks both the algebra and the
floating point.

Published worked examples are checked against mpmath as well, not taken on trust.
"""

from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulate.staffing.agents import StaffingTieWarning, agents_for
from simulate.staffing.erlang import erlang_b, erlang_c
from simulate.staffing.erlang_a import erlang_a
from simulate.staffing.inputs import DEFINITIONS
from simulate.staffing.mmck import mmck

REL = 1e-9  # the library's figures against 50-digit references (the brief asks 1e-6)
DPS = 50


def close(got: float, ref: mp.mpf | float, rel: float = REL) -> bool:
    ref = float(ref)
    return got == pytest.approx(ref, rel=rel, abs=1e-300)


# ----------------------------------------------------------------------------- references


def mp_erlang_b(a: float, c: int) -> mp.mpf:
    """B(c, a) = (aᶜ/c!) / Σ_{k≤c} aᵏ/k!, the terms by their recurrence."""
    with mp.workdps(DPS):
        a = mp.mpf(a)
        term, total = mp.mpf(1), mp.mpf(1)
        for k in range(1, c + 1):
            term = term * a / k
            total += term
        return term / total


def mp_mmc(lam: float, h: float, c: int, t: float | None = None) -> dict[str, mp.mpf]:
    """M/M/c: πₙ ∝ aⁿ/n! (n ≤ c), π_c·ρʲ beyond; the geometric tail summed in closed form.

    The service level is the mixture P(W > t) = Σ_j π_{c+j}·P(Erlang(j + 1, cμ) > t),
    summed term by term (not the closed form 1 − C·e^(−(cμ−λ)t)).
    """
    with mp.workdps(DPS):
        lam, h = mp.mpf(lam), mp.mpf(h)
        a = lam * h
        rho = a / c
        body = [mp.mpf(1)]
        for n in range(1, c + 1):
            body.append(body[-1] * a / n)
        total = mp.fsum(body[:-1]) + body[-1] / (1 - rho)
        pc = body[-1] / total
        p_wait = pc / (1 - rho)
        lq = pc * rho / (1 - rho) ** 2  # Σ_j j·π_c·ρʲ
        out = {"p_wait": p_wait, "asa": lq / lam, "mean_queue": lq, "occupancy": a / c}
        if t is not None:
            z = c * mp.mpf(t) / h
            poisson = mp.exp(-z)
            q, w, tail, j = poisson, pc, mp.mpf(0), 0  # Q(j+1, z) = Σ_{i≤j} e^-z zⁱ/i!
            while w > pc * mp.mpf(10) ** -22 or j < z:  # the rest is below 1e-22/(1 − ρ) of π_c
                tail += w * q
                j += 1
                poisson = poisson * z / j
                q += poisson
                w *= rho
            out["service_level"] = 1 - tail
        return out


def mp_palm(lam: float, h: float, pat: float, c: int, t: float | None = None) -> dict[str, mp.mpf]:
    """M/M/c+M from its chain: deaths min(n, c)·μ + (n − c)⁺·θ, summed until negligible.

    p_abandon = θ·E[Q]/λ (abandonment rate balance), asa_all = E[Q]/λ (Little),
    occupancy = E[min(N, c)]/c. An arrival finding j waiting ahead is answered after the
    stages Exp(cμ + kθ), k = j..0, unless its own Exp(θ) patience runs out first; that
    gives E[W; answered]. Service levels: the tagged customer's chain (states = number
    ahead, absorbing in answered or abandoned), solved by uniformization.
    """
    with mp.workdps(DPS):
        lam, h, pat = mp.mpf(lam), mp.mpf(h), mp.mpf(pat)
        mu, th = 1 / h, 1 / pat
        p = [mp.mpf(1)]
        top = mp.mpf(1)
        n = 0
        while True:
            n += 1
            p.append(p[-1] * lam / (min(n, c) * mu + max(n - c, 0) * th))
            top = max(top, p[-1])
            if n > c and p[-1] < p[-2] and p[-1] < top * mp.mpf(10) ** -30:
                break
        z = mp.fsum(p)
        p = [x / z for x in p]
        J = len(p) - c  # queue lengths 0..J-1 (j ahead, for an arrival that waits)
        eq = mp.fsum(j * p[c + j] for j in range(J))
        busy = mp.fsum(min(k, c) * p[k] for k in range(len(p)))
        harmonic, ews = mp.mpf(0), mp.mpf(0)
        for j in range(J):
            harmonic += 1 / (c * mu + (j + 1) * th)
            ews += p[c + j] * (c * mu / (c * mu + (j + 1) * th)) * harmonic
        p_ab = th * eq / lam
        out = {
            "p_wait": mp.fsum(p[c:]),
            "p_abandon": p_ab,
            "asa_all": eq / lam,
            "asa_served": ews / (1 - p_ab),
            "mean_queue": eq,
            "occupancy": busy / c if c else mp.nan,
        }
        if t is not None:
            with mp.workdps(30):
                free = mp.fsum(p[:c])
                rate = c * mu + J * th  # uniformization rate ≥ every state's exit rate
                v = list(p[c:])
                lt = rate * mp.mpf(t)
                weight = mp.exp(-lt)
                answered = abandoned = sl_answered = sl_left = mp.mpf(0)
                for step in range(int(lt + 12 * mp.sqrt(lt) + 40)):
                    sl_answered += weight * answered
                    sl_left += weight * (answered + abandoned)
                    nv = [mp.mpf(0)] * J
                    for k in range(J):
                        r = c * mu + k * th
                        nv[k] += v[k] * (1 - (r + th) / rate)
                        if k == 0:
                            answered += v[k] * r / rate
                        else:
                            nv[k - 1] += v[k] * r / rate
                        abandoned += v[k] * th / rate
                    v = nv
                    weight = weight * lt / (step + 1)
                out["sl_offered"] = free + sl_answered
                out["sl_served"] = (free + sl_answered) / (1 - p_ab)
                out["sl_all"] = free + sl_left
        return out


def mp_mmck(lam: float, h: float, c: int, k: int, t: float | None = None) -> dict[str, mp.mpf]:
    """M/M/c/K, the finite chain summed; waits as a mixture of Erlang(j + 1, cμ)."""
    with mp.workdps(DPS):
        lam, h = mp.mpf(lam), mp.mpf(h)
        a = lam * h
        p = [mp.mpf(1)]
        for n in range(1, k + 1):
            p.append(p[-1] * a / min(n, c))
        z = mp.fsum(p)
        p = [x / z for x in p]
        admitted = 1 - p[k]
        lq = mp.fsum((n - c) * p[n] for n in range(c + 1, k + 1))
        out = {
            "p_block": p[k],
            "p_wait": mp.fsum(p[c:k]),
            "p_wait_admitted": mp.fsum(p[c:k]) / admitted,
            "asa": lq / (lam * admitted),
            "mean_queue": lq,
            "occupancy": mp.fsum(min(n, c) * p[n] for n in range(k + 1)) / c,
        }
        if t is not None:
            zt = c * mp.mpf(t) / h
            # P(j + 1, zt), the chance of j + 1 completions by t, itself (1 − Q cancels when it is tiny)
            head = mp.fsum(p[c + j] * mp.gammainc(j + 1, 0, zt, regularized=True) for j in range(k - c))
            offered = mp.fsum(p[:c]) + head
            out["offered"] = offered
            out["served"] = offered / admitted
            out["all"] = offered + p[k]
        return out


# ----------------------------------------------------------------------------- Erlang B


@pytest.mark.parametrize(
    ("a", "c"),
    [(0.5, 1), (10.0, 13), (48.0, 55), (1990.0, 2000), (2000.0, 2000), (5000.0, 4000), (2000.0, 10), (1e-3, 5)],
)
def test_erlang_b_matches_mpmath(a: float, c: int) -> None:
    assert close(erlang_b(a, c), mp_erlang_b(a, c))


def test_erlang_b_edges_and_arrays() -> None:
    assert erlang_b(0.0, 3) == 0.0
    assert erlang_b(5.0, 0) == 1.0
    got = erlang_b(np.array([1.0, 2.0, 3.0]), 2)
    assert got.shape == (3,)
    assert all(close(g, mp_erlang_b(a, 2)) for g, a in zip(got, (1.0, 2.0, 3.0)))


# ----------------------------------------------------------------------------- Erlang C


@pytest.mark.parametrize(
    ("lam", "h", "c", "t"),
    [
        (0.3, 1.0, 1, 0.5),
        (100 / 1800, 180.0, 13, 20.0),
        (360 / 1800, 240.0, 55, 15.0),
        (10.0, 1.0, 50, 0.1),
        (1990.0, 1.0, 2000, 0.01),  # thousands of agents, ρ = 0.995
        (99.0, 1.0, 100, 0.05),
    ],
)
def test_erlang_c_matches_mpmath(lam: float, h: float, c: int, t: float) -> None:
    ref = mp_mmc(lam, h, c, t)
    r = erlang_c(lam, h, c)
    assert r.stable
    assert r.load == lam * h
    for key in ("p_wait", "asa", "mean_queue", "occupancy"):
        assert close(getattr(r, key), ref[key]), key
    assert close(r.service_level(t), ref["service_level"])


@pytest.mark.parametrize(("a", "c"), [(0.999999, 1), (9.9999, 10), (1999.999, 2000), (4999.5, 5000)])
def test_erlang_c_close_to_full_load(a: float, c: int) -> None:
    ref = mp_mmc(a, 1.0, c)
    r = erlang_c(a, 1.0, c)
    for key in ("p_wait", "asa", "mean_queue"):
        assert close(getattr(r, key), ref[key], rel=1e-8), key


@settings(max_examples=30, deadline=None)
@given(
    c=st.integers(1, 300),
    rho=st.floats(0.01, 0.99),
    t=st.floats(0.0, 2.0),
)
def test_erlang_c_random_against_mpmath(c: int, rho: float, t: float) -> None:
    a = rho * c
    ref = mp_mmc(a, 1.0, c, t)
    r = erlang_c(a, 1.0, c)
    assert close(r.p_wait, ref["p_wait"], rel=1e-9)
    assert close(r.service_level(t), ref["service_level"], rel=1e-9)


def test_erlang_c_overload_is_reported_not_raised() -> None:
    for lam, c in [(1.0, 2), (2.0, 3), (1.0, 0)]:  # load 2 on 2 agents; 6 on 3; 2 on none
        r = erlang_c(lam, 2.0, c)
        assert r.stable is False
        assert r.p_wait == 1.0
        assert r.asa == math.inf and r.mean_queue == math.inf
        assert r.service_level(20.0) == 0.0 and r.service_level(math.inf) == 0.0
    assert erlang_c(1.0, 2.0, 2).occupancy == 1.0
    assert math.isnan(erlang_c(1.0, 2.0, 0).occupancy)


def test_erlang_c_zero_arrivals() -> None:
    r = erlang_c(0.0, 180.0, 0)
    assert r.stable and r.p_wait == 0.0 and r.asa == 0.0 and r.service_level(0.0) == 1.0


def test_classic_worked_example_360_calls() -> None:
    """The textbook Erlang C walk-through: 360 calls per half hour, 4-minute calls, 55
    agents, 15-second target. Usually quoted as traffic 48 Erlangs, occupancy 87.3%,
    P(wait) 23.9%, ASA 8.2 s, 84.6% answered within 15 s; each checked here in mpmath."""
    r = erlang_c(360 / 1800, 240.0, 55)
    ref = mp_mmc(360 / 1800, 240.0, 55, 15.0)
    assert r.load == 48.0
    assert round(r.occupancy, 3) == 0.873 and close(r.occupancy, ref["occupancy"])
    assert round(r.p_wait, 3) == 0.239 and close(r.p_wait, ref["p_wait"])
    assert round(r.asa, 1) == 8.2 and close(r.asa, ref["asa"])
    assert round(r.service_level(15), 3) == 0.846 and close(r.service_level(15), ref["service_level"])


def test_classic_staffing_example_100_calls() -> None:
    """100 calls in 30 minutes, AHT 180 s (10 Erlangs), 80% within 20 s: 13 agents reach
    79.6%, so 14 are needed (88.8%)."""
    lam, h = 100 / 1800, 180.0
    sl13 = mp_mmc(lam, h, 13, 20.0)["service_level"]
    sl14 = mp_mmc(lam, h, 14, 20.0)["service_level"]
    assert sl13 < 0.8 <= sl14
    assert round(float(sl13), 3) == 0.796 and round(float(sl14), 3) == 0.888
    assert agents_for(lam, h, target_service_level=0.8, within=20.0) == 14


# ----------------------------------------------------------------------------- Erlang A


PALM_CASES = [
    (1.0, 1.0, 1.0, 1, 0.5),  # M/M/1+M with μ = θ: N is Poisson(1)
    (10.0, 1.0, 2.0, 10, 0.1),
    (12.0, 1.0, 2.0, 10, 0.3),  # overloaded
    (0.5, 3.0, 0.7, 2, 1.0),
    (3.0, 1.0, 0.05, 2, 0.01),  # impatient
    (9.0, 1.0, 1.0, 10, 0.2),
    (30.0, 1.0, 0.5, 20, 0.05),
]


@pytest.mark.parametrize(("lam", "h", "pat", "c", "t"), PALM_CASES)
def test_erlang_a_matches_mpmath(lam: float, h: float, pat: float, c: int, t: float) -> None:
    ref = mp_palm(lam, h, pat, c, t)
    r = erlang_a(lam, h, pat, c)
    assert r.stable
    for key in ("p_wait", "p_abandon", "asa_all", "asa_served", "mean_queue", "occupancy"):
        assert close(getattr(r, key), ref[key]), key
    for d in DEFINITIONS:
        assert close(r.service_level(t, d), ref["sl_" + d]), d


@pytest.mark.parametrize(
    ("lam", "h", "pat", "c"),
    [
        (1990 / 180, 180.0, 180.0, 2000),  # thousands of agents, load 1990
        (2100 / 180, 180.0, 120.0, 2000),  # and overloaded
        (100.0, 1.0, 1.0, 10),  # ten times overloaded
    ],
)
def test_erlang_a_many_agents_matches_mpmath(lam: float, h: float, pat: float, c: int) -> None:
    ref = mp_palm(lam, h, pat, c)
    r = erlang_a(lam, h, pat, c)
    for key in ("p_wait", "p_abandon", "asa_all", "asa_served", "mean_queue", "occupancy"):
        assert close(getattr(r, key), ref[key]), key


def test_erlang_a_infinite_patience_is_erlang_c_exactly() -> None:
    for lam, c in [(5.0, 7), (1990.0, 2000), (3.0, 2)]:
        a, e = erlang_a(lam, 1.0, math.inf, c), erlang_c(lam, 1.0, c)
        assert (a.p_wait, a.asa_all, a.asa_served, a.mean_queue, a.stable) == (
            e.p_wait,
            e.asa,
            e.asa,
            e.mean_queue,
            e.stable,
        )
        assert a.p_abandon == 0.0
        assert a.service_level(0.3) == e.service_level(0.3)


@pytest.mark.parametrize("pat", [1e8, 1e12, 1e100, 1e300])
def test_erlang_a_long_patience_tends_to_erlang_c(pat: float) -> None:
    a, e = erlang_a(9.0, 1.0, pat, 10), erlang_c(9.0, 1.0, 10)
    rel = max(1e-6, 10 / pat)
    assert close(a.p_wait, e.p_wait, rel) and close(a.asa_served, e.asa, rel) and close(a.asa_all, e.asa, rel)
    for d in DEFINITIONS:
        assert close(a.service_level(0.3, d), e.service_level(0.3), rel)
    assert a.p_abandon == pytest.approx(e.asa / pat, rel=1e-6)


def test_erlang_a_long_patience_overloaded_keeps_its_answer() -> None:
    """Above the load a long patience does not make Erlang C: λ(1 − P_ab) = cμ."""
    for pat in (1e3, 1e9, 1e300):
        r = erlang_a(11.0, 1.0, pat, 10)
        assert r.stable and r.p_wait == pytest.approx(1.0)
        assert r.p_abandon == pytest.approx(1 / 11, rel=1e-9)
        assert r.asa_all == pytest.approx(pat / 11, rel=1e-9)


def test_erlang_a_short_patience_tends_to_erlang_b() -> None:
    b = erlang_b(9.0, 10)
    r = erlang_a(9.0, 1.0, 1e-12, 10)
    assert r.p_abandon == pytest.approx(b, rel=1e-9)
    assert r.service_level(0.0) == pytest.approx(1 - b, rel=1e-9)


def test_erlang_a_no_agents() -> None:
    r = erlang_a(2.0, 1.0, 3.0, 0)
    assert (r.p_wait, r.p_abandon, r.asa_all, r.mean_queue) == (1.0, 1.0, 3.0, 6.0)
    assert math.isnan(r.asa_served) and math.isnan(r.occupancy)
    assert r.service_level(1.0) == 0.0
    assert r.service_level(1.0, "all") == pytest.approx(1 - math.exp(-1 / 3), rel=1e-12)


def test_erlang_a_overload_is_stable_and_balanced() -> None:
    r = erlang_a(12.0, 1.0, 2.0, 10)
    assert r.stable and 0 < r.p_wait < 1
    # throughput λ(1 − P_ab) never exceeds the agents' capacity c/h
    assert 12.0 * (1 - r.p_abandon) <= 10.0
    assert r.occupancy == pytest.approx(12.0 * (1 - r.p_abandon) / 10.0)


def test_erlang_a_service_level_at_infinity() -> None:
    r = erlang_a(2.0, 1.0, 3.0, 3)
    assert r.service_level(math.inf) == pytest.approx(1 - r.p_abandon)
    assert r.service_level(math.inf, "all") == 1.0


# ----------------------------------------------------------------------------- M/M/c/K


@pytest.mark.parametrize(
    ("lam", "h", "c", "k", "t"),
    [
        (1.0, 1.0, 1, 3, 1.0),
        (10.0, 1.0, 10, 15, 0.1),
        (12.0, 1.0, 10, 40, 0.5),
        (1990.0, 1.0, 2000, 2300, 0.001),
        (10.0, 1.0, 10, 11, 0.05),
        (9.0, 1.0, 10, 700, 0.3),
        (2.0, 1.0, 1, 300, 3.0),  # overloaded, a large room, t short: the largest terms are far from its end
        (2.0, 1.0, 1, 150, 1.0),
    ],
)
def test_mmck_matches_mpmath(lam: float, h: float, c: int, k: int, t: float) -> None:
    ref = mp_mmck(lam, h, c, k, t)
    r = mmck(lam, h, c, k)
    for key in ("p_block", "p_wait", "p_wait_admitted", "asa", "mean_queue", "occupancy"):
        assert close(getattr(r, key), ref[key], rel=1e-8), key
    for d in DEFINITIONS:
        assert close(r.service_level(t, d), ref[d], rel=1e-8), d


def test_mmck_without_waiting_room_is_erlang_b() -> None:
    for a, c in [(10.0, 13), (1990.0, 2000), (50.0, 10)]:
        r = mmck(a, 1.0, c, c)
        assert close(r.p_block, mp_erlang_b(a, c))
        assert r.p_wait == 0.0 and r.asa == 0.0
        assert r.service_level(1.0, "served") == 1.0


def test_mmck_huge_waiting_room_is_erlang_c() -> None:
    r, e = mmck(9.0, 1.0, 10, 10**7), erlang_c(9.0, 1.0, 10)
    assert r.p_block < 1e-300
    assert close(r.p_wait, e.p_wait, 1e-12) and close(r.asa, e.asa, 1e-12)
    assert close(r.mean_queue, e.mean_queue, 1e-12)
    assert close(r.service_level(0.3), e.service_level(0.3), 1e-12)


def test_mmck_overloaded_blocks_the_excess() -> None:
    r = mmck(11.0, 1.0, 10, 10**7)
    assert r.p_block == pytest.approx(1 / 11, rel=1e-9)
    assert r.occupancy == pytest.approx(1.0, rel=1e-9)


# ----------------------------------------------------------------------------- agents_for


def _meets(n: int, lam: float, h: float, pat: float | None, targets: dict, definition: str) -> bool:
    if n < 0:
        return False
    if pat is None:
        r = erlang_c(lam, h, n)
        if not r.stable:
            return False
        sl, asa, ab = r.service_level(targets.get("within", 0.0)), r.asa, 0.0
    else:
        r = erlang_a(lam, h, pat, n)
        sl, asa, ab = r.service_level(targets.get("within", 0.0), definition), r.asa_served, r.p_abandon
    ok = True
    if "target_service_level" in targets:
        ok &= sl >= targets["target_service_level"]
    if "max_asa" in targets:
        ok &= asa <= targets["max_asa"]
    if "max_abandon" in targets:
        ok &= ab <= targets["max_abandon"]
    if "max_occupancy" in targets:
        ok &= r.occupancy <= targets["max_occupancy"]
    return bool(ok)


def _least(lam: float, h: float, pat: float | None, targets: dict, definition: str = "offered") -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        n = agents_for(lam, h, patience=pat, definition=definition, **targets)
    assert isinstance(n, int)
    tie = any(issubclass(w.category, StaffingTieWarning) for w in caught)
    if not tie:
        assert _meets(n, lam, h, pat, targets, definition), "the count meets every target"
        assert not _meets(n - 1, lam, h, pat, targets, definition), "one fewer misses a target"
    return n


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calls=st.floats(0.5, 2000.0),
    h=st.floats(10.0, 900.0),
    sl=st.floats(0.05, 0.99),
    within=st.floats(0.0, 120.0),
    max_asa=st.one_of(st.none(), st.floats(1.0, 120.0)),
    max_occ=st.one_of(st.none(), st.floats(0.5, 1.0)),
)
def test_agents_for_erlang_c_is_the_least(calls, h, sl, within, max_asa, max_occ) -> None:
    targets = {"target_service_level": sl, "within": within}
    if max_asa is not None:
        targets["max_asa"] = max_asa
    if max_occ is not None:
        targets["max_occupancy"] = max_occ
    _least(calls / 900, h, None, targets)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    calls=st.floats(0.5, 500.0),
    h=st.floats(30.0, 600.0),
    pat=st.floats(5.0, 1000.0),
    sl=st.one_of(st.none(), st.floats(0.05, 0.95)),
    within=st.floats(0.0, 60.0),
    max_abandon=st.one_of(st.none(), st.floats(0.01, 0.6)),
    definition=st.sampled_from(DEFINITIONS),
)
def test_agents_for_erlang_a_is_the_least(calls, h, pat, sl, within, max_abandon, definition) -> None:
    targets: dict = {}
    if sl is not None:
        targets.update(target_service_level=sl, within=within)
    if max_abandon is not None or not targets:
        targets["max_abandon"] = max_abandon or 0.1
    lam = calls / 900
    n = _least(lam, h, pat, targets, definition)
    if n <= 25:  # every smaller staffing misses, not only n − 1
        assert not any(_meets(m, lam, h, pat, targets, definition) for m in range(n - 1))


def test_agents_for_staffs_below_the_load_with_patience() -> None:
    lam, h = 50 / 300, 300.0  # load 50 Erlangs
    n = _least(lam, h, 30.0, {"max_abandon": 0.3})
    assert n == 36  # below the load of 50
    # a throughput bound: c < a(1 − max_abandon) = 35 cannot do
    assert erlang_a(lam, h, 30.0, 35).p_abandon > 0.3
    # lenient targets on the all-leave definition can need no one at all
    assert agents_for(lam, h, patience=30.0, target_service_level=0.2, within=20.0, definition="all") == 0


def test_agents_for_low_load_is_not_one_too_many() -> None:
    """1.5 calls in 15 minutes, 5-minute calls (load 0.5), 50% within 60 s: one agent
    answers 54.8% in time (a start at round(load + 1) = 2 would staff two)."""
    lam, h = 1.5 / 900, 300.0
    assert erlang_c(lam, h, 1).service_level(60.0) == pytest.approx(1 - 0.5 * math.exp(-0.5 * 60 / 300))
    assert _least(lam, h, None, {"target_service_level": 0.5, "within": 60.0}) == 1


def test_agents_for_zero_arrivals_and_arrays() -> None:
    rates = np.array([[0.0, 20.0, 400.0], [0.0, 0.0, 100.0]]) / 900
    got = agents_for(rates, 300.0, target_service_level=0.8, within=20.0)
    assert got.shape == (2, 3) and got.dtype == np.int64
    assert got[0, 0] == got[1, 0] == got[1, 1] == 0
    for idx in np.ndindex(rates.shape):
        assert got[idx] == agents_for(float(rates[idx]), 300.0, target_service_level=0.8, within=20.0)
    assert agents_for(0.0, 300.0, patience=60.0, max_abandon=0.05) == 0


def test_agents_for_vectorised_erlang_a_matches_scalar() -> None:
    rates = np.array([5.0, 60.0, 250.0]) / 900
    hs = np.array([120.0, 300.0, 600.0])
    got = agents_for(rates, hs, patience=90.0, target_service_level=0.7, within=30.0, definition="served")
    for r, h, n in zip(rates, hs, got):
        assert n == agents_for(r, h, patience=90.0, target_service_level=0.7, within=30.0, definition="served")


def test_agents_for_thousands_of_agents() -> None:
    lam, h = 2000 / 180, 180.0  # load 2000
    n = _least(lam, h, None, {"target_service_level": 0.9, "within": 10.0})
    assert 2000 < n < 2100


def test_agents_for_shrinkage() -> None:
    # 6 Erlangs at most 90% busy: 7 agents; 7 / (1 − 0.3) is 10 (10.000000000000002 in floating point)
    assert agents_for(6 / 300, 300.0, max_occupancy=0.9) == 7
    assert agents_for(6 / 300, 300.0, max_occupancy=0.9, shrinkage=0.3) == 10
    assert agents_for(6 / 300, 300.0, max_occupancy=0.9, shrinkage=0.25) == 10  # 9.33 → 10


def test_agents_for_flags_ties() -> None:
    """8 Erlangs at most 80% busy: 10 agents give exactly 80%, which 8/10 rounds to."""
    with pytest.warns(StaffingTieWarning, match="1 interval"):
        n = agents_for(8 / 300, 300.0, max_occupancy=0.8)
    assert n == 10
    with pytest.warns(StaffingTieWarning):
        df = agents_for(np.array([8.0, 9.0]) / 300, 300.0, max_occupancy=0.8, return_details=True)
    assert list(df["tie"]) == [True, False]
    assert list(df["agents"]) == [10, 12] and list(df["scheduled"]) == [10, 12]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        agents_for(9 / 300, 300.0, max_occupancy=0.8)  # no tie, no warning


def test_agents_for_details_columns() -> None:
    df = agents_for(
        np.array([0.0, 0.1]), 180.0, patience=60.0, target_service_level=0.8, within=20.0, return_details=True
    )
    for col in ("arrival_rate", "handle_time", "patience", "load", "agents", "scheduled", "p_wait"):
        assert col in df
    for col in ("service_level", "asa", "asa_all", "p_abandon", "occupancy", "tie"):
        assert col in df
    row = df.iloc[1]
    r = erlang_a(0.1, 180.0, 60.0, int(row["agents"]))
    assert row["service_level"] == pytest.approx(r.service_level(20.0), rel=1e-12)
    assert row["p_abandon"] == pytest.approx(r.p_abandon, rel=1e-12)
    assert row["asa"] == pytest.approx(r.asa_served, rel=1e-12)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_c(-1.0, 180.0, 3), "arrival_rate must be ≥ 0"),
        (lambda: erlang_c(math.nan, 180.0, 3), "arrival_rate must be ≥ 0"),
        (lambda: erlang_c(1.0, 0.0, 3), "handle_time must be > 0"),
        (lambda: erlang_c(1.0, 180.0, 2.5), "agents must be a whole number"),
        (lambda: erlang_c(1.0, 180.0, -1), "agents must be a whole number"),
        (lambda: erlang_c(1.0, 180.0, "3"), "agents must be a whole number"),
        (lambda: erlang_c(1.0, 180.0, True), "agents must be a whole number"),
        (lambda: erlang_c(1.0, 180.0, 3).service_level(-1.0), "t must be ≥ 0"),
        (lambda: erlang_b(10.0, 2.5), "agents must be a whole number"),
        (lambda: erlang_b(-1.0, 2), "load must be ≥ 0"),
        (lambda: erlang_a(1.0, 180.0, 0.0, 3), "patience must be > 0"),
        (lambda: erlang_a(1.0, 180.0, -5.0, 3), "patience must be > 0"),
        (lambda: erlang_a(1.0, 1.0, 1.0, 1).service_level(1.0, "answered"), "unknown service-level definition"),
        (lambda: mmck(1.0, 1.0, 3, 2), "capacity .* must be ≥ agents"),
        (lambda: mmck(1.0, 1.0, 0, 2), "agents must be a whole number ≥ 1"),
        (lambda: mmck(1.0, 1.0, 1, 3).service_level(1.0, "queued"), "unknown service-level definition"),
        (lambda: agents_for(-0.1, 180.0, target_service_level=0.8, within=20), "arrival_rate must be ≥ 0"),
        (lambda: agents_for([0.1, -0.1], 180.0, target_service_level=0.8, within=20), "arrival_rate must be ≥ 0"),
        (lambda: agents_for(0.1, 180.0, target_service_level=0.8), "together"),
        (lambda: agents_for(0.1, 180.0, within=20.0), "together"),
        (lambda: agents_for(0.1, 180.0, target_service_level=1.0, within=20), r"in \(0, 1\)"),
        (lambda: agents_for(0.1, 180.0, max_abandon=0.1), "max_abandon needs patience"),
        (lambda: agents_for(0.1, 180.0), "at least one target"),
        (lambda: agents_for(0.1, 180.0, max_occupancy=0.9, shrinkage=1.0), "shrinkage"),
        (lambda: agents_for(0.1, 180.0, max_occupancy=1.5), "max_occupancy"),
        (lambda: agents_for(0.1, 180.0, max_occupancy=0.9, definition="both"), "unknown service-level definition"),
        (lambda: agents_for(0.1, 180.0, patience=0.0, max_abandon=0.1), "patience must be > 0"),
    ],
)
def test_bad_input_is_refused_clearly(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_whole_floats_count_as_agents() -> None:
    assert erlang_c(1.0, 1.0, 3.0) == erlang_c(1.0, 1.0, 3)
    assert erlang_c(1.0, 1.0, np.int64(3)) == erlang_c(1.0, 1.0, 3)
