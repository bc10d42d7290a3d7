"""Exact queueing formulas for staffing: Erlang B and Erlang C, and the notation of every formula.

Every figure of :mod:`simulate.staffing` is an exact stationary value of a birth–death
queue, computed in floating point without overflow or loss of precision for thousands
of agents and loads close to the number of agents. Rates and times may be in any one
consistent unit (calls per second and seconds, or per minute and minutes).

Notation, used throughout:

- ``arrival_rate`` λ: contacts arrive as a Poisson process of rate λ;
- ``handle_time`` h: handle times are exponential with mean h; μ = 1/h;
- ``load`` a = λ·h, the offered load in Erlangs (the mean number of busy agents
  if every contact were served at once);
- ``agents`` c: the number of agents (servers), a whole number;
- ``patience`` (Erlang A): each waiting contact abandons after an exponential time
  of mean ``patience``; θ = 1/patience;
- ``capacity`` K (M/M/c/K): at most K contacts in the system (c in service, K − c
  waiting); an arrival that finds K is blocked;
- **wait** W: the time an arrival spends in the queue before an agent answers it
  (zero if an agent is free); the **offered wait** V is the wait the arrival would
  have if it never gave up;
- **ASA** (average speed of answer): the mean wait;
- **service level** SL(t): the share of arrivals answered within t (several
  denominators, see :data:`simulate.staffing.inputs.DEFINITIONS`);
- **occupancy**: the mean share of the agents' time spent busy, E[busy agents] / c.

Arrivals see the time-stationary state (PASTA), so "the probability that an arrival
waits" equals the stationary probability of the states in which it would wait.

The models, one module each:

- :func:`erlang_b` (here) — M/M/c/c (no queue): the probability that an arrival is blocked;
- :func:`erlang_c` (here) — M/M/c (infinite patience, infinite queue);
- :func:`~simulate.staffing.erlang_a.erlang_a` — M/M/c+M (Palm's queue, exponential patience);
- :func:`~simulate.staffing.mmck.mmck` — M/M/c/K (finite waiting room, infinite patience);
- :func:`~simulate.staffing.agents.agents_for` — the least number of agents that meets
  service targets, for one interval or for a whole day of intervals at once.

>>> r = erlang_c(arrival_rate=100 / 1800, handle_time=180, agents=14)  # 100 calls in 30 min
>>> r.load, round(r.p_wait, 4), round(r.service_level(20), 4)
(10.0, 0.1741, 0.8884)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from simulate.staffing.inputs import DEFINITIONS, as_array, as_real, as_whole

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

__all__ = ["DEFINITIONS", "NEGLIGIBLE", "ErlangCResult", "erlang_b", "erlang_c", "erlang_c_arrays", "log_erlang_b"]

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)

#: Sums and integrals leave out what lies below e^-NEGLIGIBLE of their largest term
#: (far below double precision relative to the total).
NEGLIGIBLE = 75.0


# ----------------------------------------------------------------------------- Erlang B in log space


def _stirlerr(n: NDArray[np.float64]) -> NDArray[np.float64]:
    """log(n!) − [(n + ½)·log n − n + ½·log 2π] for n ≥ 1 (the error of Stirling's formula)."""
    out = np.empty_like(n)
    small = n < 16
    ns = n[small]
    out[small] = special.gammaln(ns + 1.0) - (ns + 0.5) * np.log(ns) + ns - _HALF_LOG_2PI
    r = 1.0 / n[~small]
    r2 = r * r
    out[~small] = r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 * (1 / 1680 - r2 / 1188))))
    return out


def _bd0(n: NDArray[np.float64], a: NDArray[np.float64]) -> NDArray[np.float64]:
    """n·log(n/a) + a − n ≥ 0 for n, a > 0, without cancellation when n ≈ a."""
    d = a - n
    near = np.abs(d) <= 0.5 * n
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(near, d - n * np.log1p(d / n), n * np.log(n / a) + d)
    return out


def _log_poisson(n: NDArray[np.float64], a: NDArray[np.float64]) -> NDArray[np.float64]:
    """log(aⁿ·e^(−a) / n!) for whole n ≥ 0 and a > 0 (Loader's saddle-point form)."""
    out = -a.astype(float, copy=True)
    pos = n > 0
    npos, apos = n[pos], a[pos]
    out[pos] = -_bd0(npos, apos) - _HALF_LOG_2PI - 0.5 * np.log(npos) - _stirlerr(npos)
    return out


def log_erlang_b(n: NDArray[np.float64], a: NDArray[np.float64]) -> NDArray[np.float64]:
    """log B(n, a), the Erlang B blocking probability, for whole n ≥ 0 and a ≥ 0.

    B(n, a) = (aⁿ/n!) / Σ_{k≤n} aᵏ/k! = Poisson(n; a) / P(Poisson(a) ≤ n). The
    denominator is the regularised upper incomplete gamma function Q(n + 1, a); where it
    underflows (n far below a) the sum 1/B = Σ_{j≤n} n!/((n − j)!·aʲ) is added up instead,
    whose terms then fall at least as fast as (n/a)ʲ. Arrays broadcast together; no checks
    (the formulas that call it check their arguments). The one home of Erlang B: Erlang C,
    Erlang A and M/M/c/K all start from it.

    >>> float(np.exp(log_erlang_b(np.array(13.0), np.array(10.0))).round(6))
    0.084339
    """
    n, a = np.broadcast_arrays(np.asarray(n, float), np.asarray(a, float))
    out = np.zeros(n.shape)
    with np.errstate(divide="ignore"):
        out[(a == 0) & (n > 0)] = -np.inf
    live = (a > 0) & (n > 0)
    if not live.any():
        return out
    nl, al = n[live], a[live]
    q = special.gammaincc(nl + 1.0, al)
    res = np.empty(nl.shape)
    ok = q > 1e-280
    res[ok] = _log_poisson(nl[ok], al[ok]) - np.log(q[ok])
    if (~ok).any():
        nn, aa = nl[~ok], al[~ok]
        total = np.ones(nn.shape)
        term = np.ones(nn.shape)
        j = 0
        active = np.ones(nn.shape, bool)
        while active.any():
            j += 1
            term = np.where(active, term * np.maximum(nn - j + 1, 0) / aa, 0.0)
            total += term
            active &= (term > 1e-17 * total) & (j < nn)
        res[~ok] = -np.log(total)
    out[live] = res
    return out


# ----------------------------------------------------------------------------- Erlang B


def erlang_b(load: ArrayLike, agents: ArrayLike) -> float | NDArray[np.float64]:
    """Erlang B: the probability that an arrival is blocked in M/M/c/c (no waiting room).

    B(c, a) = (aᶜ/c!) / Σ_{k=0..c} aᵏ/k!, where a = λ·h is the offered load in Erlangs
    and c the number of agents (servers). Exact and stable for any c and a, computed in
    log space. Scalars give a float; arrays (broadcast together) give an array.

    >>> round(erlang_b(10.0, 13), 6)
    0.084339
    >>> erlang_b(0.0, 3), erlang_b(5.0, 0)
    (0.0, 1.0)
    >>> erlang_b([1.0, 2.0], 2).round(4)
    array([0.2, 0.4])
    """
    a = as_array(load, "load")
    c = np.asarray(agents)
    if c.dtype == bool or not np.issubdtype(c.dtype, np.number):
        raise ValueError(f"agents must be a whole number ≥ 0, got {agents!r}")
    cf = c.astype(float)
    if (~np.isfinite(cf)).any() or (cf < 0).any() or (cf != np.round(cf)).any():
        raise ValueError(f"agents must be a whole number ≥ 0, got {agents!r}")
    out = np.exp(log_erlang_b(cf, a))
    return float(out) if out.ndim == 0 else out


# ----------------------------------------------------------------------------- Erlang C


def erlang_c_arrays(a: NDArray[np.float64], c: NDArray[np.float64]) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """(stable, C) for loads ``a`` ≥ 0 and agents ``c`` (arrays): whether M/M/c is stable (c > a, or
    no load), and C(c, a), the Erlang C probability of waiting: 1 where unstable, 0 where a = 0.

    >>> stable, C = erlang_c_arrays(np.array([10.0, 3.0]), np.array([14.0, 3.0]))
    >>> stable.tolist(), C.round(4).tolist()
    ([True, False], [0.1741, 1.0])
    """
    stable = (c > a) | (a == 0)
    C = np.where(a == 0, 0.0, 1.0)
    live = stable & (a > 0)
    if live.any():
        al, cl = a[live], c[live]
        B = np.exp(log_erlang_b(cl, al))
        C[live] = cl * B / (cl - al + al * B)
    return stable, C


@dataclass(frozen=True)
class ErlangCResult:
    """The stationary figures of M/M/c (Erlang C), from :func:`erlang_c`.

    Attributes:
        arrival_rate: λ, arrivals per unit time.
        handle_time: h, mean handle time.
        agents: c.
        load: a = λ·h, the offered load in Erlangs.
        occupancy: a/c, the share of the agents' time spent busy (1.0 when the queue is
            unstable: the agents never rest; NaN when there are no agents).
        p_wait: C(c, a), Erlang C: the probability that an arrival has to wait.
        asa: the mean wait over all arrivals (those answered at once count as 0),
            C·h/(c − a).
        mean_queue: the mean number of contacts waiting, C·a/(c − a).
        stable: False when c ≤ a and λ > 0: the queue then grows without bound, so
            ``p_wait`` is 1, ``asa`` and ``mean_queue`` are infinite and every service
            level is 0. Overload is reported this way, not raised.
    """

    arrival_rate: float
    handle_time: float
    agents: int
    load: float
    occupancy: float
    p_wait: float
    asa: float
    mean_queue: float
    stable: bool

    def service_level(self, t: float) -> float:
        """P(W ≤ t) = 1 − C·exp(−(c − a)·t/h): the share of arrivals answered within ``t``.

        Every arrival is answered, so the :data:`DEFINITIONS` coincide. ``t`` ≥ 0 (inf
        allowed); 0.0 for an unstable queue.

        >>> erlang_c(100 / 1800, 180, 13).service_level(0) == 1 - erlang_c(100 / 1800, 180, 13).p_wait
        True
        """
        t = as_real(t, "t", allow_inf=True)
        if not self.stable:
            return 0.0
        if self.p_wait == 0.0 or math.isinf(t):
            return 1.0
        c, a, h = self.agents, self.load, self.handle_time
        return 1.0 - self.p_wait * math.exp(-(c - a) * t / h)


def erlang_c(arrival_rate: float, handle_time: float, agents: int) -> ErlangCResult:
    """Erlang C: M/M/c with Poisson arrivals, exponential handle times, c agents, and
    callers who wait as long as it takes.

    With a = λ·h and B = B(c, a) the Erlang B probability (:func:`erlang_b`), the
    probability of waiting is C = c·B / (c − a·(1 − B)) for c > a, computed in log space
    (exact for thousands of agents and for loads close to c). See :class:`ErlangCResult`
    for every figure returned.

    Overload: when agents ≤ load (and arrival_rate > 0) the queue is unstable; the result
    says so with ``stable=False``, ``p_wait=1``, ``asa=inf`` and a service level of 0.

    Args:
        arrival_rate: λ ≥ 0.
        handle_time: h > 0, in the time unit of 1/λ.
        agents: c, a whole number ≥ 0 (ValueError otherwise).

    >>> r = erlang_c(arrival_rate=360 / 1800, handle_time=240, agents=55)
    >>> r.load, round(r.occupancy, 4), round(r.p_wait, 4), round(r.asa, 3), round(r.service_level(15), 4)
    (48.0, 0.8727, 0.2387, 8.184, 0.8459)
    >>> erlang_c(1.0, 2.0, 2).stable, erlang_c(1.0, 2.0, 2).asa
    (False, inf)
    >>> erlang_c(2000 / 1.0, 1.0, 2001).p_wait > 0.95   # a = 2000 on 2001 agents
    True
    """
    lam = as_real(arrival_rate, "arrival_rate")
    h = as_real(handle_time, "handle_time", positive=True)
    c = as_whole(agents, "agents")
    a = lam * h
    stable_arr, C_arr = erlang_c_arrays(np.array([a]), np.array([float(c)]))
    stable, C = bool(stable_arr[0]), float(C_arr[0])
    occupancy = math.nan if c == 0 else (a / c if stable else 1.0)
    if not stable:
        return ErlangCResult(lam, h, c, a, occupancy, 1.0, math.inf, math.inf, False)
    if a == 0:
        return ErlangCResult(lam, h, c, a, occupancy, 0.0, 0.0, 0.0, True)
    return ErlangCResult(lam, h, c, a, occupancy, C, C * h / (c - a), C * a / (c - a), True)
