"""M/M/c/K: a finite waiting room, where an arrival that finds it full is blocked.

The notation is that of :mod:`simulate.staffing.erlang`.

>>> r = mmck(arrival_rate=10.0, handle_time=1.0, agents=10, capacity=15)
>>> round(r.p_block, 4)
0.1035
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from simulate.staffing.erlang import NEGLIGIBLE, log_erlang_b
from simulate.staffing.inputs import Definition, as_definition, as_real, as_whole

__all__ = ["MMcKResult", "mmck"]


def _log_geom(L: float, k: int) -> float:
    """log Σ_{i<k} e^(i·L) for k ≥ 0, any real L."""
    if k <= 0:
        return -math.inf
    if L == 0:
        return math.log(k)
    if L > 0:
        return (k - 1) * L + _log_geom(-L, k)
    return math.log(-math.expm1(k * L)) - math.log(-math.expm1(L))


def _g(z: float) -> float:
    """1/(1 − e^(−z)) − 1/z, continuous at 0 (value ½)."""
    if abs(z) < 0.1:
        z2 = z * z
        return 0.5 + z * (1 / 12 - z2 * (1 / 720 - z2 * (1 / 30240 - z2 * (1 / 1209600 - z2 / 47900160))))
    if z < -700.0:
        return -1.0 / z  # 1/(1 − e^(−z)) is below e^-700
    return 1.0 / -math.expm1(-z) - 1.0 / z


@dataclass(frozen=True)
class MMcKResult:
    """The stationary figures of M/M/c/K, from :func:`mmck`.

    An arrival that finds K = ``capacity`` contacts in the system is blocked (it leaves
    at once, unanswered); the others are admitted, wait if all c agents are busy, and
    are all answered in the end (no abandonment).

    Attributes:
        arrival_rate: λ.
        handle_time: h.
        agents: c.
        capacity: K, the most contacts in the system (in service and waiting), K ≥ c.
        load: a = λ·h.
        p_block: the probability that an arrival is blocked, π_K (Erlang B when K = c).
        p_wait: the probability that an arrival is admitted *and* has to wait, of all
            arrivals: P(c ≤ N < K).
        p_wait_admitted: the same among the admitted arrivals, p_wait / (1 − p_block).
        asa: the mean wait of the admitted arrivals (all of whom are answered).
        mean_queue: the mean number of contacts waiting.
        occupancy: busy agents / c = λ·(1 − p_block)·h/c.
    """

    arrival_rate: float
    handle_time: float
    agents: int
    capacity: int
    load: float
    p_block: float
    p_wait: float
    p_wait_admitted: float
    asa: float
    mean_queue: float
    occupancy: float

    def service_level(self, t: float, definition: Definition = "offered") -> float:
        """The service level at ``t`` (≥ 0, inf allowed) for a :data:`~simulate.staffing.inputs.DEFINITIONS` name:

        - ``"offered"``: admitted and answered within t / all arrivals;
        - ``"served"``: answered within t / admitted arrivals;
        - ``"all"``: the time in the queue is at most t (a blocked arrival leaves at
          once, with time 0) / all arrivals, i.e. ``"offered"`` + p_block.

        An admitted arrival that finds c + j in the system waits for j + 1 service
        completions at rate c·μ, an Erlang(j + 1, cμ) time.

        >>> r = mmck(1.0, 1.0, 1, 3)
        >>> round(r.p_block, 4), round(r.service_level(1.0), 4), round(r.service_level(1.0, "served"), 4)
        (0.25, 0.4741, 0.6321)
        """
        t = as_real(t, "t", allow_inf=True)
        d = as_definition(definition)
        if self.load == 0:
            return 1.0
        p_admit = 1.0 - self.p_block
        c, a, m = self.agents, self.load, self.capacity - self.agents
        log_r, L, log_z = _mmck_logs(a, c, m)
        if math.isinf(t) or m == 0:
            offered = p_admit
        else:
            z = c * t / self.handle_time
            j_hi = min(m - 1, math.ceil(z + 50 * math.sqrt(z) + 50))
            j_lo = 0
            if L > 0:  # the terms rise with ρʲ and fall with P(j + 1, z): keep those near the largest
                j_lo, j_hi = _largest_terms(L, z, j_hi)
            elif L < 0:
                j_hi = min(j_hi, math.ceil(NEGLIGIBLE / -L))
            j = np.arange(j_lo, j_hi + 1, dtype=float)
            with np.errstate(divide="ignore"):
                terms = j * L + np.log(special.gammainc(j + 1.0, z)) if len(j) else np.array([-np.inf])
            log_head = special.logsumexp(terms) if np.isfinite(terms).any() else -math.inf
            offered = math.exp(np.logaddexp(log_r, log_head) - log_z)
        if d == "offered":
            return offered
        if d == "served":
            return offered / p_admit
        return min(1.0, offered + self.p_block)


def _largest_terms(L: float, z: float, j_hi: int) -> tuple[int, int]:
    """The j in [0, j_hi] whose term j·L + log P(j + 1, z) is within :data:`NEGLIGIBLE` of the largest.

    The terms are concave in j (a Poisson tail is log-concave), so the largest is found by bisecting on
    their rise and each end of the range by bisecting on the drop, in O(log j_hi) terms; when z is far
    below the waiting room the largest term is far from its end (λ = 2, c = 1, K = 300, t = 3 h: at
    j = 4, not near j = 298, where an earlier cut had looked, 70 times too low).

    >>> _largest_terms(math.log(2.0), 3.0, 298)
    (0, 54)
    """
    def term(j: int) -> float:
        p = float(special.gammainc(j + 1.0, z))
        return j * L + math.log(p) if p > 0 else -math.inf

    lo, hi = 0, j_hi
    while lo < hi:  # the first j whose next term is no larger
        mid = (lo + hi) // 2
        if term(mid + 1) > term(mid):
            lo = mid + 1
        else:
            hi = mid
    top, floor = lo, term(lo) - NEGLIGIBLE
    left, right = 0, top
    while left < right:  # the first j at or before the top within reach of it
        mid = (left + right) // 2
        if term(mid) >= floor:
            right = mid
        else:
            left = mid + 1
    first = left
    left, right = top, j_hi
    while left < right:  # the last j at or after the top within reach of it
        mid = (left + right + 1) // 2
        if term(mid) >= floor:
            left = mid
        else:
            right = mid - 1
    return first, left


def _mmck_logs(a: float, c: int, m: int) -> tuple[float, float, float]:
    """(log R, log ρ, log 1/π_c) for M/M/c/(c + m), R = Σ_{n<c} (aⁿ/n!)/(aᶜ/c!)."""
    log_r = math.log(c) - math.log(a) - float(log_erlang_b(np.array([c - 1.0]), np.array([a]))[0])
    L = math.log1p((a - c) / c)
    log_z = float(np.logaddexp(log_r, _log_geom(L, m + 1)))
    return log_r, L, log_z


def mmck(arrival_rate: float, handle_time: float, agents: int, capacity: int) -> MMcKResult:
    """M/M/c/K: Poisson arrivals, exponential handle times, c agents, at most K in the system.

    The stationary distribution is πₙ ∝ aⁿ/n! for n ≤ c and ∝ (aᶜ/c!)·ρⁿ⁻ᶜ for
    c ≤ n ≤ K, ρ = a/c; it is evaluated in log space (stable at any load, since the
    waiting room is finite, and for ρ close to 1). ``capacity == agents`` gives the
    Erlang B blocking probability; a very large capacity gives Erlang C when a < c. See
    :class:`MMcKResult` for every figure returned.

    Args:
        arrival_rate: λ ≥ 0.
        handle_time: h > 0.
        agents: c, a whole number ≥ 1.
        capacity: K, a whole number ≥ agents.

    >>> r = mmck(arrival_rate=10.0, handle_time=1.0, agents=10, capacity=15)
    >>> round(r.p_block, 4), round(r.p_wait, 4), round(r.asa, 4), round(r.occupancy, 4)
    (0.1035, 0.5176, 0.1732, 0.8965)
    >>> from simulate.staffing.erlang import erlang_b
    >>> mmck(10.0, 1.0, 13, 13).p_block == erlang_b(10.0, 13)
    True
    """
    lam = as_real(arrival_rate, "arrival_rate")
    h = as_real(handle_time, "handle_time", positive=True)
    c = as_whole(agents, "agents", minimum=1)
    k = as_whole(capacity, "capacity")
    if k < c:
        raise ValueError(f"capacity (the most contacts in the system) must be ≥ agents = {c}, got {capacity!r}")
    a = lam * h
    m = k - c
    if a == 0:
        return MMcKResult(lam, h, c, k, a, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    if m == 0:
        b = float(np.exp(log_erlang_b(np.array([float(c)]), np.array([a])))[0])
        return MMcKResult(lam, h, c, k, a, b, 0.0, 0.0, 0.0, 0.0, a * (1 - b) / c)
    log_r, L, log_z = _mmck_logs(a, c, m)
    log_q_all = _log_geom(L, m + 1)  # Σ_{j=0..m} ρʲ
    log_wait = _log_geom(L, m)  # Σ_{j<m} ρʲ
    p_block = math.exp(m * L - log_z)
    p_wait = math.exp(log_wait - log_z)
    p_admit = math.exp(float(np.logaddexp(log_r, log_wait)) - log_z)
    mean_j = (m + 1) * _g((m + 1) * L) - _g(L)  # mean of j over 0..m, weights ρʲ
    mean_queue = math.exp(log_q_all - log_z) * mean_j
    return MMcKResult(
        lam, h, c, k, a, p_block, p_wait, p_wait / p_admit, mean_queue / (lam * p_admit), mean_queue, a * p_admit / c
    )
