"""Exact queueing formulas for staffing: Erlang B, Erlang C, Erlang A and M/M/c/K, and the least staffing.

Every figure here is an exact stationary value of a birth–death queue, computed in
floating point without overflow or loss of precision for thousands of agents and loads
close to the number of agents. Rates and times may be in any one consistent unit
(calls per second and seconds, or per minute and minutes).

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
  denominators, see :data:`DEFINITIONS`);
- **occupancy**: the mean share of the agents' time spent busy, E[busy agents] / c.

Arrivals see the time-stationary state (PASTA), so "the probability that an arrival
waits" equals the stationary probability of the states in which it would wait.

The models:

- :func:`erlang_b` — M/M/c/c (no queue): the probability that an arrival is blocked;
- :func:`erlang_c` — M/M/c (infinite patience, infinite queue);
- :func:`erlang_a` — M/M/c+M (Palm's queue, exponential patience);
- :func:`mmck` — M/M/c/K (finite waiting room, infinite patience);
- :func:`agents_for` — the least number of agents that meets service targets, for
  one interval or for a whole day of intervals at once.

>>> r = erlang_c(arrival_rate=100 / 1800, handle_time=180, agents=14)  # 100 calls in 30 min
>>> r.load, round(r.p_wait, 4), round(r.service_level(20), 4)
(10.0, 0.1741, 0.8884)
>>> agents_for(100 / 1800, 180, target_service_level=0.8, within=20)  # 13 give 79.56%
14
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from scipy import special

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DEFINITIONS",
    "TIE_TOLERANCE",
    "ErlangAResult",
    "ErlangCResult",
    "MMcKResult",
    "StaffingTieWarning",
    "agents_for",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "mmck",
]

Definition = Literal["offered", "served", "all"]

#: The denominators a service level can have, where some arrivals are not answered
#: (they abandon, or are blocked):
#:
#: - ``"offered"``: arrivals answered within t / all arrivals;
#: - ``"served"``: arrivals answered within t / arrivals answered;
#: - ``"all"``: arrivals whose time in the queue, until answered or until they leave
#:   (abandon or are blocked, a blocked arrival leaves at once), is at most t / all
#:   arrivals; for Erlang A this is P(min(V, patience) ≤ t).
#:
#: Where every arrival is answered (Erlang C) the three coincide.
DEFINITIONS: tuple[str, ...] = ("offered", "served", "all")

#: Relative distance from a target within which the achieved figure and the target
#: cannot be told apart in floating point; :func:`agents_for` counts such a target as
#: met and flags the interval as a tie.
TIE_TOLERANCE = 1e-12

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_DROP = 75.0  # quadrature covers the integrand down to e^-75 of its maximum
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
_H0 = 0.5
_GL_NODES = (_GL_NODES + 1.0) / 2.0  # on [0, 1]
_GL_WEIGHTS = _GL_WEIGHTS / 2.0


class StaffingTieWarning(UserWarning):
    """An achieved figure equals its target to within floating-point precision.

    Raised by :func:`agents_for` for the intervals whose answer depends on how a
    figure that equals its target (to about 1e-12, relative) is rounded; the target
    is counted as met. ``agents_for(..., return_details=True)`` marks them in the
    ``tie`` column.
    """


# ----------------------------------------------------------------------------- input checks


def _whole(value: Any, name: str, minimum: int = 0) -> int:
    """``value`` as an int if it is a whole number ≥ ``minimum``, else a ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")  # noqa: TRY004
    if isinstance(value, numbers.Integral):
        out = int(value)
    else:
        f = float(value)
        if not math.isfinite(f) or not f.is_integer():
            raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
        out = int(f)
    if out < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return out


def _real(value: Any, name: str, *, positive: bool = False, allow_inf: bool = False) -> float:
    """``value`` as a float ≥ 0 (> 0 if ``positive``), finite unless ``allow_inf``."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(f) or (math.isinf(f) and not allow_inf) or f < 0 or (positive and f == 0):
        need = "> 0" if positive else "≥ 0"
        fin = "" if allow_inf else " and finite"
        raise ValueError(f"{name} must be {need}{fin}, got {value!r}")
    return f


def _array(value: Any, name: str, *, positive: bool = False, allow_inf: bool = False) -> NDArray[np.float64]:
    """``value`` as a float array with every entry checked as in :func:`_real`."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    bad = np.isnan(arr) | (arr < 0) | (~np.isfinite(arr) & (not allow_inf))
    if positive:
        bad |= arr == 0
    if bad.any():
        need = "> 0" if positive else "≥ 0"
        fin = "" if allow_inf else " and finite"
        first = arr[bad].flat[0]
        raise ValueError(f"{name} must be {need}{fin} everywhere, got {first!r}")
    return arr


def _definition(definition: str) -> str:
    if definition not in DEFINITIONS:
        raise ValueError(f"unknown service-level definition {definition!r}; use one of {', '.join(DEFINITIONS)}")
    return definition


# ----------------------------------------------------------------------------- special functions


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


def _log_erlang_b(n: NDArray[np.float64], a: NDArray[np.float64]) -> NDArray[np.float64]:
    """log B(n, a), the Erlang B blocking probability, for whole n ≥ 0 and a ≥ 0.

    B(n, a) = (aⁿ/n!) / Σ_{k≤n} aᵏ/k! = Poisson(n; a) / P(Poisson(a) ≤ n). The
    denominator is the regularised upper incomplete gamma function Q(n + 1, a); where it
    underflows (n far below a) the sum 1/B = Σ_{j≤n} n!/((n − j)!·aʲ) is added up instead,
    whose terms then fall at least as fast as (n/a)ʲ.
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


def _phi(w: NDArray[np.float64]) -> NDArray[np.float64]:
    """φ(w) = w − 1 + e^(−w) ≥ 0, accurate for small |w| (its Taylor series there)."""
    with np.errstate(over="ignore"):
        out = w + np.expm1(-w)
    small = np.abs(w) < 0.1
    if small.any():
        ws = -w[small]
        acc = np.ones_like(ws)
        for k in range(13, 2, -1):  # Σ_{k≥2} (−w)ᵏ/k! by Horner, to k = 13
            acc *= ws
            acc /= k
            acc += 1.0
        out[small] = 0.5 * ws * ws * acc
    return out


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


# ----------------------------------------------------------------------------- Erlang B


def erlang_b(load: ArrayLike, agents: ArrayLike) -> Any:
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
    a = _array(load, "load")
    c = np.asarray(agents)
    if c.dtype == bool or not np.issubdtype(c.dtype, np.number):
        raise ValueError(f"agents must be a whole number ≥ 0, got {agents!r}")
    cf = c.astype(float)
    if (~np.isfinite(cf)).any() or (cf < 0).any() or (cf != np.round(cf)).any():
        raise ValueError(f"agents must be a whole number ≥ 0, got {agents!r}")
    out = np.exp(_log_erlang_b(cf, a))
    return float(out) if out.ndim == 0 else out


# ----------------------------------------------------------------------------- Erlang C


def _erlang_c_arrays(a: NDArray[np.float64], c: NDArray[np.float64]) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """(stable, C) for loads ``a`` ≥ 0 and agents ``c``: C = 1 where unstable, 0 where a = 0."""
    stable = (c > a) | (a == 0)
    C = np.where(a == 0, 0.0, 1.0)
    live = stable & (a > 0)
    if live.any():
        al, cl = a[live], c[live]
        B = np.exp(_log_erlang_b(cl, al))
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
        t = _real(t, "t", allow_inf=True)
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
    lam = _real(arrival_rate, "arrival_rate")
    h = _real(handle_time, "handle_time", positive=True)
    c = _whole(agents, "agents")
    a = lam * h
    stable_arr, C_arr = _erlang_c_arrays(np.array([a]), np.array([float(c)]))
    stable, C = bool(stable_arr[0]), float(C_arr[0])
    occupancy = math.nan if c == 0 else (a / c if stable else 1.0)
    if not stable:
        return ErlangCResult(lam, h, c, a, occupancy, 1.0, math.inf, math.inf, False)
    if a == 0:
        return ErlangCResult(lam, h, c, a, occupancy, 0.0, 0.0, 0.0, True)
    return ErlangCResult(lam, h, c, a, occupancy, C, C * h / (c - a), C * a / (c - a), True)


# ----------------------------------------------------------------------------- quadrature for Erlang A


def _quad(s: NDArray, kappa: NDArray, left: NDArray, right: NDArray) -> tuple[NDArray, NDArray, NDArray]:
    """Nodes w, weights / h₀ and log h₀ for ∫ exp(s·w − κ·φ(w))·g(w) dw over w ∈ [−left, right].

    The exponent is concave with its maximum, 0, at w = 0 on the range (s ≤ 0 where
    right > 0, s ≥ 0 where left > 0). Each side is cut into panels that start at a width
    h₀ that resolves the peak (½ of the least of 1, 1/√κ and 1/|s|) and double outwards
    until the exponent has surely fallen by ``_DROP``; each panel gets 16 Gauss–Legendre
    nodes. Returns arrays of shape (n, m), zero weights where a panel is empty; weights
    are divided by h₀ so that tiny scales do not underflow.
    """
    abs_s = np.abs(s)
    with np.errstate(divide="ignore", over="ignore"):
        inv_s = 1.0 / abs_s
        inv_k = 1.0 / kappa
    inv_sqrt_k = np.sqrt(inv_k)
    h0 = _H0 * np.minimum(np.minimum(1.0, inv_sqrt_k), inv_s)
    by_slope = _DROP * inv_s
    # where the exponent has fallen by D at the latest: φ(w) ≥ w²/3 on [0, 1], φ(w) ≥ w − 1,
    # φ(−v) ≥ v²/2 and φ(−v) ≥ D/κ beyond v = log(1 + 2D/κ) + 2
    dk = _DROP * inv_k
    right_curv = np.where(3 * dk <= 1.0, np.sqrt(3 * dk), dk + 1.0)
    left_curv = np.minimum(np.sqrt(2 * dk), np.log1p(2 * dk) + 2.0)
    reach = np.stack(
        [np.minimum(np.minimum(right, by_slope), right_curv), np.minimum(np.minimum(left, by_slope), left_curv)]
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.ceil(np.log2(reach / h0 + 1.0))
    k = int(min(np.nanmax(need, initial=0.0), 200.0))
    if k == 0:
        return np.zeros((len(s), 1)), np.zeros((len(s), 1)), np.log(h0)
    ladder = 2.0 ** np.arange(k + 1) - 1.0
    edges = np.minimum(ladder, (reach / h0)[..., None])  # (2, n, k+1), in units of h0
    width = np.diff(edges, axis=-1)
    pos = edges[..., :-1, None] + width[..., None] * _GL_NODES  # (2, n, k, 20)
    pos[1] *= -1.0
    w = np.moveaxis(pos, 0, 1).reshape(len(s), -1) * h0[:, None]
    wt = np.moveaxis(np.broadcast_to((width[..., None] * _GL_WEIGHTS), pos.shape), 0, 1).reshape(len(s), -1)
    return w, wt, np.log(h0)


class _PalmChain:
    """The integrals behind Erlang A, for arrays of λ, h, patience, c (all finite, λ > 0).

    With x = λ·patience = λ/θ, y = c·patience/h = cμ/θ, b = y + ``extra`` and
    F(u) = −b·u + x·(1 − e^(−u)), every figure is a combination of integrals
    ∫ g(u)·e^(F(u)) du with g ∈ {1, 1 + x(1 − e^(−u)), u} (u = θ·time); F is concave
    with its maximum at p₀ = log(x/b) if x > b, else at 0. They are kept as logarithms
    relative to e^(F(p₀)) = e^(Fref). ``extra`` = 1 is the main family; 0 (needs c ≥ 1)
    gives the density of the offered wait itself.
    """

    def __init__(self, lam: NDArray, h: NDArray, pat: NDArray, c: NDArray, extra: float = 1.0) -> None:
        self.lam, self.h, self.pat, self.c = lam, h, pat, c
        self.a = lam * h
        self.x = lam * pat
        self.y = c * pat / h
        self.b = self.y + extra
        self.d = (self.a - c) * (pat / h) - extra  # x − b, from the rates
        self.pos = self.d > 0
        lp = np.log1p(np.where(self.pos, self.d / self.b, 0.0))
        self.p0 = lp  # 0 where not pos
        self.fref = np.where(self.pos, self.d - self.b * lp, 0.0)

    def at(self, q: NDArray) -> tuple[NDArray, NDArray, NDArray]:
        """(F(q) − Fref, F'(q), κ(q) = x·e^(−q)) at points q ≥ 0."""
        b, x, p0, d, pos = self.b, self.x, self.p0, self.d, self.pos
        dq = q - p0  # = q where not pos
        phi = _phi(dq)
        off = np.where(pos, -b * phi, d * q - x * phi)
        slope = np.where(pos, b * np.expm1(-dq), d + x * np.expm1(-q))
        kappa = np.where(pos, b * np.exp(np.minimum(-dq, 700.0)), x * np.exp(-q))
        return off, slope, kappa

    def integrals(self, lo: NDArray, hi: NDArray, weights: tuple[str, ...]) -> list[NDArray]:
        """log ∫_lo^hi g(u)·e^(F(u) − Fref) du for each weight g named in ``weights``."""
        q = np.clip(self.p0, lo, hi)
        off, slope, kappa = self.at(q)
        w, wt, log_h0 = _quad(slope, kappa, q - lo, hi - q)
        base = wt * np.exp(slope[:, None] * w - kappa[:, None] * _phi(w))
        out = []
        with np.errstate(divide="ignore", invalid="ignore"):
            for name in weights:
                if name == "1":
                    total, log_scale = base.sum(axis=1), 0.0
                elif name == "abandon":  # 1 + x(1 − e^(−u)) ≤ 1 + x
                    g = (1.0 - self.x[:, None] * np.expm1(-(q[:, None] + w))) / (1.0 + self.x[:, None])
                    total, log_scale = (base * g).sum(axis=1), np.log1p(self.x)
                else:  # "u"
                    u = q[:, None] + w
                    umax = u.max(axis=1)
                    total, log_scale = (base * (u / umax[:, None])).sum(axis=1), np.log(umax)
                out.append(off + log_h0 + log_scale + np.log(total))
        return out


_A_KEYS = ("p_wait", "p_abandon", "p_served", "asa_all", "asa_served", "mean_queue", "occupancy")


def _erlang_a_arrays(
    lam: NDArray,
    h: NDArray,
    pat: NDArray,
    c: NDArray,
    t: float | None = None,
    definitions: tuple[str, ...] = DEFINITIONS,
) -> dict[str, NDArray]:
    """Erlang A figures for arrays (broadcast, flattened); patience = inf gives Erlang C.

    With ``t``, the service levels ``sl_<definition>`` at t for the ``definitions`` asked
    (the others may be left NaN).
    """
    lam, h, pat, c = (np.ravel(v).astype(float) for v in np.broadcast_arrays(lam, h, pat, c))
    n = lam.shape[0]
    a = lam * h
    keys = _A_KEYS + (tuple("sl_" + k for k in DEFINITIONS) if t is not None else ())
    res: dict[str, NDArray] = {k: np.full(n, np.nan) for k in keys}
    res["stable"] = np.ones(n, bool)
    with np.errstate(over="ignore", invalid="ignore"):
        x, y = lam * pat, c * pat / h
    zero = lam == 0
    erl_c = ~zero & ~(np.isfinite(x) & np.isfinite(y))
    palm = ~zero & ~erl_c

    def put(mask: NDArray, **values: Any) -> None:
        for key, value in values.items():
            res[key][mask] = value

    if zero.any():
        put(zero, p_wait=0.0, p_abandon=0.0, p_served=1.0, asa_all=0.0, asa_served=0.0, mean_queue=0.0)
        put(zero, occupancy=np.where(c[zero] > 0, 0.0, np.nan))
        if t is not None:
            put(zero, sl_offered=1.0, sl_served=1.0, sl_all=1.0)

    if erl_c.any():  # infinite patience: Erlang C
        ac, cc, hc = a[erl_c], c[erl_c], h[erl_c]
        stable, C = _erlang_c_arrays(ac, cc)
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = cc - ac
            asa = np.where(stable, C * hc / gap, np.inf)
            put(erl_c, p_wait=C, p_abandon=0.0, p_served=1.0, asa_all=asa, asa_served=asa)
            put(erl_c, mean_queue=np.where(stable, C * ac / gap, np.inf))
            put(erl_c, occupancy=np.where(cc > 0, np.where(stable, ac / cc, 1.0), np.nan))
            res["stable"][erl_c] = stable
            if t is not None:
                sl = np.where(stable, 1.0 if math.isinf(t) else 1.0 - C * np.exp(-gap * t / hc), 0.0)
                put(erl_c, sl_offered=sl, sl_served=sl, sl_all=sl)

    if not palm.any():
        return res
    ch = _PalmChain(lam[palm], h[palm], pat[palm], c[palm])
    cp, ap = ch.c, ch.a
    with np.errstate(divide="ignore", invalid="ignore"):
        zeros, infs = np.zeros(len(cp)), np.full(len(cp), np.inf)
        i1, i2, i3 = ch.integrals(zeros, infs, ("1", "abandon", "u"))
        log_y = np.log(ch.y)
        # R = Σ_{n<c} (aⁿ/n!) / (aᶜ/c!) = (c/a) / B(c − 1, a);  S = Σ_{n≥c} πₙ/π_c = e^Fref·(I₂ + y·I₁)
        log_r = np.where(cp > 0, np.log(cp) - np.log(ap) - _log_erlang_b(np.maximum(cp - 1, 0), ap), -np.inf)
        log_s_rel = np.logaddexp(i2, log_y + i1)
        r_rel = log_r - ch.fref - log_s_rel  # log R/S
        sp = np.logaddexp(0.0, r_rel)  # log (R + S)/S;  π_c·S = e^−sp
        p_ab = np.exp(i2 - log_s_rel - sp)
        p_served = np.exp(np.logaddexp(r_rel, log_y + i1 - log_s_rel) - sp)
        ew_served = np.exp(log_y + np.log(ch.pat) + i3 - log_s_rel - sp)  # E[W; answered]
        put(palm, p_wait=np.exp(-sp), p_abandon=np.minimum(p_ab, 1.0), p_served=np.minimum(p_served, 1.0))
        put(palm, asa_all=p_ab * ch.pat, asa_served=ew_served / p_served, mean_queue=p_ab * ch.x)
        put(palm, occupancy=np.minimum(ap * p_served / cp, 1.0))
        if t is not None:
            if math.isinf(t):
                put(palm, sl_offered=p_served, sl_served=np.where(cp > 0, 1.0, np.nan), sl_all=1.0)
            else:
                u0 = np.full(len(cp), t) / ch.pat
                if "offered" in definitions or "served" in definitions:
                    (h1,) = ch.integrals(zeros, u0, ("1",))
                    offered = np.exp(np.logaddexp(r_rel, log_y + h1 - log_s_rel) - sp)
                    put(palm, sl_offered=np.minimum(offered, 1.0), sl_served=np.minimum(offered / p_served, 1.0))
                if "all" in definitions:
                    # π_c·[R + y·∫_0^u0 e^(F_y) + (1 − e^(−u0))·(e^(F_y(u0)) + x·T₁)], F_y(u) = F(u) + u:
                    # P(V > t) = π_c·(e^(F_y(u0)) + x·T₁) is the density of V integrated by parts
                    (t1,) = ch.integrals(u0, infs, ("1",))
                    off_u0 = ch.at(u0)[0]
                    one = cp > 0
                    chy = _PalmChain(ch.lam, ch.h, ch.pat, np.where(one, cp, 1.0), extra=0.0)
                    (h0y,) = chy.integrals(zeros, u0, ("1",))
                    dy = -np.log1p(1.0 / chy.y)  # p₀ − p₀_y when both are interior
                    shift = np.where(ch.pos, chy.y * _phi(dy) + ch.p0, chy.fref)  # Fref_y − Fref
                    terms = np.stack(
                        [
                            r_rel,
                            log_y + shift + h0y - log_s_rel,
                            u0 + np.log(-np.expm1(-u0)) + off_u0 - log_s_rel,  # log(e^u0 − 1) + …
                            np.log(-np.expm1(-u0)) + np.log(ch.x) + t1 - log_s_rel,
                        ]
                    )
                    sl_all = np.exp(special.logsumexp(terms, axis=0) - sp)
                    put(palm, sl_all=np.where(one, np.minimum(sl_all, 1.0), -np.expm1(-u0)))
    return res


# ----------------------------------------------------------------------------- Erlang A


@dataclass(frozen=True)
class ErlangAResult:
    """The stationary figures of M/M/c+M (Erlang A, Palm's queue), from :func:`erlang_a`.

    Attributes:
        arrival_rate: λ.
        handle_time: h.
        patience: the mean patience 1/θ (inf: Erlang C).
        agents: c.
        load: a = λ·h.
        p_wait: the probability that an arrival has to wait (finds all agents busy).
        p_abandon: the probability that an arrival abandons (gives up before an agent
            answers); the abandonment rate is θ·mean_queue = λ·p_abandon.
        asa_all: the mean wait over all arrivals, E[min(V, patience)]: those answered at
            once count 0, abandoners count the time until they gave up;
            equals p_abandon·patience.
        asa_served: the mean wait of the arrivals that are answered (those answered at
            once included), E[W | answered]; NaN with no agents (no one is answered).
        mean_queue: the mean number of contacts waiting.
        occupancy: busy agents / c = λ·(1 − p_abandon)·h/c; NaN with no agents.
        stable: always True for a finite patience (abandonment keeps the queue finite
            at any load); with patience = inf as in :class:`ErlangCResult`.
    """

    arrival_rate: float
    handle_time: float
    patience: float
    agents: int
    load: float
    p_wait: float
    p_abandon: float
    asa_all: float
    asa_served: float
    mean_queue: float
    occupancy: float
    stable: bool

    def service_level(self, t: float, definition: Definition = "offered") -> float:
        """The service level at ``t`` (≥ 0, inf allowed) for a :data:`DEFINITIONS` name:

        - ``"offered"``: P(answered within t) = P(V ≤ t and V < patience), of all arrivals;
        - ``"served"``: the same over the arrivals answered, divided by 1 − p_abandon;
        - ``"all"``: P(min(V, patience) ≤ t), leaving the queue either way within t.

        Here V is the offered wait. Computed from the exact distribution of V (for
        t > 0, V has the density π_c·c·μ·exp(−cμ·t + (λ/θ)(1 − e^(−θt)))).

        >>> r = erlang_a(1.0, 1.0, 1.0, 1)  # M/M/1+M with μ = θ: N is Poisson(1)
        >>> round(r.p_wait, 6) == round(1 - math.exp(-1), 6)
        True
        >>> round(r.service_level(0.5), 6), round(r.service_level(0.5, "all"), 6)
        (0.508064, 0.724174)
        """
        t = _real(t, "t", allow_inf=True)
        d = _definition(definition)
        out = _erlang_a_arrays(
            np.array([self.arrival_rate]),
            np.array([self.handle_time]),
            np.array([self.patience]),
            np.array([float(self.agents)]),
            t,
            (d,),
        )
        return float(out["sl_" + d][0])


def erlang_a(arrival_rate: float, handle_time: float, patience: float, agents: int) -> ErlangAResult:
    """Erlang A: M/M/c+M, where a waiting contact abandons after an exponential patience.

    The number in the system is a birth–death chain with births at λ and deaths at
    min(n, c)·μ + (n − c)⁺·θ (service, then abandonment from the queue, θ = 1/patience).
    Its stationary distribution, and the distribution of the offered wait, are sums of
    the form Σ_j Π_{i≤j} λ/(cμ + iθ) that equal incomplete gamma functions
    (Palm; Mandelbaum & Zeltyn). They are evaluated here as integrals of a log-concave
    function, in log space, by Gauss–Legendre panels around its maximum: exact to about
    1e-13 at any load (also above c, where Erlang C has no answer), for thousands of
    agents, and for patience from tiny to very large. ``patience=inf`` gives exactly
    Erlang C (:func:`erlang_c`); a patience so long that λ·patience overflows is taken as
    infinite. See :class:`ErlangAResult` for every figure returned.

    Args:
        arrival_rate: λ ≥ 0.
        handle_time: h > 0.
        patience: the mean patience, > 0 (inf allowed).
        agents: c, a whole number ≥ 0.

    >>> r = erlang_a(arrival_rate=10.0, handle_time=1.0, patience=2.0, agents=10)
    >>> round(r.p_wait, 4), round(r.p_abandon, 4), round(r.asa_served, 4), round(r.occupancy, 4)
    (0.6197, 0.1039, 0.1996, 0.8961)
    >>> erlang_a(12.0, 1.0, 2.0, 10).stable        # overloaded, yet stable
    True
    >>> erlang_a(5.0, 1.0, math.inf, 7).p_wait == erlang_c(5.0, 1.0, 7).p_wait
    True
    """
    lam = _real(arrival_rate, "arrival_rate")
    h = _real(handle_time, "handle_time", positive=True)
    pat = _real(patience, "patience", positive=True, allow_inf=True)
    c = _whole(agents, "agents")
    if math.isinf(pat):
        r = erlang_c(lam, h, c)
        return ErlangAResult(lam, h, pat, c, r.load, r.p_wait, 0.0, r.asa, r.asa, r.mean_queue, r.occupancy, r.stable)
    out = _erlang_a_arrays(np.array([lam]), np.array([h]), np.array([pat]), np.array([float(c)]))
    f = {k: float(v[0]) for k, v in out.items()}
    return ErlangAResult(
        lam,
        h,
        pat,
        c,
        lam * h,
        f["p_wait"],
        f["p_abandon"],
        f["asa_all"],
        f["asa_served"],
        f["mean_queue"],
        f["occupancy"],
        bool(out["stable"][0]),
    )


# ----------------------------------------------------------------------------- M/M/c/K


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
        """The service level at ``t`` (≥ 0, inf allowed) for a :data:`DEFINITIONS` name:

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
        t = _real(t, "t", allow_inf=True)
        d = _definition(definition)
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
            if L > 0:
                j_lo = max(0, m - 1 - math.ceil(_DROP / L))
            elif L < 0:
                j_hi = min(j_hi, math.ceil(_DROP / -L))
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


def _mmck_logs(a: float, c: int, m: int) -> tuple[float, float, float]:
    """(log R, log ρ, log 1/π_c) for M/M/c/(c + m), R = Σ_{n<c} (aⁿ/n!)/(aᶜ/c!)."""
    log_r = math.log(c) - math.log(a) - float(_log_erlang_b(np.array([c - 1.0]), np.array([a]))[0])
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
    >>> mmck(10.0, 1.0, 13, 13).p_block == erlang_b(10.0, 13)
    True
    """
    lam = _real(arrival_rate, "arrival_rate")
    h = _real(handle_time, "handle_time", positive=True)
    c = _whole(agents, "agents", minimum=1)
    k = _whole(capacity, "capacity")
    if k < c:
        raise ValueError(f"capacity (the most contacts in the system) must be ≥ agents = {c}, got {capacity!r}")
    a = lam * h
    m = k - c
    if a == 0:
        return MMcKResult(lam, h, c, k, a, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    if m == 0:
        b = float(np.exp(_log_erlang_b(np.array([float(c)]), np.array([a])))[0])
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


# ----------------------------------------------------------------------------- least staffing


def _erlang_c_figures(a: NDArray, h: NDArray, c: NDArray, t: float | None) -> dict[str, NDArray]:
    """The Erlang C figures :func:`agents_for` looks at, for arrays (λ > 0)."""
    stable, C = _erlang_c_arrays(a, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = c - a
        asa = np.where(stable, C * h / gap, np.inf)
        f = {"stable": stable, "p_wait": C, "asa": asa, "asa_all": asa, "p_abandon": np.zeros(a.shape)}
        f["occupancy"] = np.where(c > 0, np.where(stable, a / c, 1.0), np.nan)
        if t is not None:
            f["service_level"] = np.where(stable, 1.0 if math.isinf(t) else 1.0 - C * np.exp(-gap * t / h), 0.0)
    return f


def _erlang_c_window(a: NDArray, h: NDArray, c: NDArray, t: float | None) -> dict[str, NDArray]:
    """:func:`_erlang_c_figures` for rows of consecutive counts ``c`` (shape (n, w), c > a > 0).

    B(c, a) is evaluated once per row, then carried along the row by the stable recurrence
    B(c + 1) = a·B(c) / (c + 1 + a·B(c)).
    """
    B = np.empty(c.shape)
    B[:, 0] = np.exp(_log_erlang_b(c[:, 0], a))
    for k in range(1, c.shape[1]):
        ab = a * B[:, k - 1]
        B[:, k] = ab / (c[:, k] + ab)
    a2, h2 = a[:, None], h[:, None]
    gap = c - a2
    C = c * B / (gap + a2 * B)
    f = {"stable": np.ones(c.shape, bool), "p_wait": C, "asa": C * h2 / gap, "occupancy": a2 / c}
    f["asa_all"], f["p_abandon"] = f["asa"], np.zeros(c.shape)
    if t is not None:
        f["service_level"] = 1.0 - C * np.exp(-gap * t / h2) if math.isfinite(t) else np.ones(c.shape)
    return f


def _targets_met(
    figures: dict[str, NDArray], targets: dict[str, float], tol: float
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(met, tie): every target met (ties count as met), any target within ``tol`` of its figure."""
    met = figures["stable"].copy()
    tie = np.zeros_like(met)
    with np.errstate(invalid="ignore"):
        for key, target in targets.items():
            value = figures[key]
            if key == "service_level":
                ok = value >= target * (1 - tol)
            else:
                ok = value <= target * (1 + tol)
            met &= ok  # NaN (no agents) never meets
            tie |= np.abs(value - target) <= tol * target
    return met, tie & met


def agents_for(
    arrival_rate: ArrayLike,
    handle_time: ArrayLike,
    *,
    target_service_level: float | None = None,
    within: float | None = None,
    patience: ArrayLike | None = None,
    max_abandon: float | None = None,
    max_asa: float | None = None,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    definition: Definition = "offered",
    return_details: bool = False,
) -> Any:
    """The least number of agents that meets every target given, scheduled for shrinkage.

    The model is Erlang C (:func:`erlang_c`) when ``patience`` is None (or inf), Erlang A
    (:func:`erlang_a`) otherwise. Targets (give at least one):

    - ``target_service_level`` with ``within`` (both or neither): service level at
      ``within`` ≥ target, 0 < target < 1, under ``definition`` (:data:`DEFINITIONS`;
      all three coincide for Erlang C);
    - ``max_abandon``: p_abandon ≤ it (Erlang A only), 0 < max_abandon ≤ 1;
    - ``max_asa``: the ASA ≤ it: the mean wait over all arrivals for Erlang C, the mean
      wait of the answered arrivals (``asa_served``) for Erlang A;
    - ``max_occupancy``: occupancy ≤ it, 0 < max_occupancy ≤ 1.

    Under Erlang C a staffing must also be stable (agents > load). Zero arrivals need 0
    agents. The search relies on every target figure being monotone in the number of
    agents. Under Erlang C it scans the counts from ⌊load⌋ + 1 to about load + 3√load
    for all intervals at once (Erlang B carried along by its stable recurrence), and
    falls back to the search below where that is not enough. With patience the least
    staffing can lie below the load: the search starts from bounds that are provably
    failing (no agents, or where throughput alone rules a target out: answered ≤ c/a of
    the arrivals), brackets the answer from a square-root-staffing guess load + √load
    by doubling steps, then bisects. With no agents, the figures about answered arrivals
    (ASA, "served" service level, occupancy) are undefined and their targets count as
    missed; the "all" service level counts abandoning within t as leaving within t, so
    a lenient "all" target alone can be met with no agents at all.

    Ties: where an achieved figure equals its target to within floating-point precision
    (relative :data:`TIE_TOLERANCE`), the target counts as met and the interval is
    flagged: a :class:`StaffingTieWarning` names it, and the details have ``tie=True``.

    Shrinkage s (0 ≤ s < 1, the share of paid time agents are unavailable): the answer
    is the scheduled count ceil(agents / (1 − s)), where a quotient within 1e-9
    (relative) of a whole number counts as that number (7 agents at 30% → 10, not 11).

    Args:
        arrival_rate: λ ≥ 0, a number or an array (e.g. 96 intervals of a day).
        handle_time: h > 0, a number or an array broadcast with ``arrival_rate``.
        patience: mean patience > 0 (inf allowed), a number or array, or None.
        return_details: return a pandas DataFrame, one row per interval, with
            ``arrival_rate``, ``handle_time``, ``patience``, ``load``, ``agents`` (before
            shrinkage), ``scheduled`` (the answer), the achieved ``p_wait``,
            ``service_level`` (if targeted), ``asa``, ``p_abandon``, ``occupancy`` at
            ``agents``, and ``tie``.

    Returns:
        An int for scalar inputs, a numpy int64 array of the broadcast shape for array
        inputs, or the DataFrame.

    >>> agents_for(100 / 1800, 180, target_service_level=0.8, within=20)
    14
    >>> agents_for([0.0, 0.05, 0.5], 180, target_service_level=0.8, within=20)
    array([ 0, 12, 97])
    >>> agents_for([0.0, 0.05, 0.5], 180, target_service_level=0.8, within=20, shrinkage=0.3)
    array([  0,  18, 139])
    >>> agents_for(50 / 300, 300, patience=30, max_abandon=0.3)  # load 50: staffing below it
    36
    """
    lam = _array(arrival_rate, "arrival_rate")
    h = _array(handle_time, "handle_time", positive=True)
    if patience is None:
        pat = np.array(np.inf)
    else:
        pat = _array(patience, "patience", positive=True, allow_inf=True)
    definition = _definition(definition)  # type: ignore[assignment]
    if (target_service_level is None) != (within is None):
        raise ValueError("give target_service_level and within together (service level at `within` ≥ target)")
    targets: dict[str, float] = {}
    if target_service_level is not None:
        tsl = _real(target_service_level, "target_service_level")
        if not 0 < tsl < 1:
            raise ValueError(f"target_service_level must be in (0, 1), got {target_service_level!r}")
        targets["service_level"] = tsl
        t = _real(within, "within")
    else:
        t = None
    if max_abandon is not None:
        if patience is None:
            raise ValueError("max_abandon needs patience (without it nobody abandons: Erlang C)")
        ma = _real(max_abandon, "max_abandon")
        if not 0 < ma <= 1:
            raise ValueError(f"max_abandon must be in (0, 1], got {max_abandon!r}")
        targets["p_abandon"] = ma
    if max_asa is not None:
        targets["asa"] = _real(max_asa, "max_asa", positive=True)
    if max_occupancy is not None:
        mo = _real(max_occupancy, "max_occupancy")
        if not 0 < mo <= 1:
            raise ValueError(f"max_occupancy must be in (0, 1], got {max_occupancy!r}")
        targets["occupancy"] = mo
    if not targets:
        raise ValueError("give at least one target: target_service_level/within, max_abandon, max_asa, max_occupancy")
    s = _real(shrinkage, "shrinkage")
    if not s < 1:
        raise ValueError(f"shrinkage must be in [0, 1), got {shrinkage!r}")

    shape = np.broadcast_shapes(lam.shape, h.shape, pat.shape)
    lam_f, h_f, pat_f = (np.broadcast_to(v, shape).ravel().astype(float) for v in (lam, h, pat))
    a = lam_f * h_f
    erlang_c_model = ~(np.isfinite(pat_f))
    all_erlang_c = bool(erlang_c_model.all())
    tol = TIE_TOLERANCE

    def figures(idx: NDArray[np.intp], c: NDArray) -> dict[str, NDArray]:
        if all_erlang_c:  # the lean path: Erlang C only
            return _erlang_c_figures(a[idx], h_f[idx], c, t)
        out = _erlang_a_arrays(lam_f[idx], h_f[idx], pat_f[idx], c.astype(float), t, (definition,))
        f = {"stable": out["stable"], "p_wait": out["p_wait"], "occupancy": out["occupancy"]}
        f["p_abandon"] = out["p_abandon"]
        f["asa"] = out["asa_served"]
        f["asa_all"] = out["asa_all"]
        if t is not None:
            f["service_level"] = out["sl_" + definition]
        return f

    def meets(idx: NDArray[np.intp], c: NDArray) -> NDArray[np.bool_]:
        return _targets_met(figures(idx, c), targets, tol)[0]

    # lower bounds known to fail (−1: none)
    lo = np.full(a.shape, -1.0)
    lo = np.where(erlang_c_model & (a > 0), np.floor(a), lo)  # c ≤ a is unstable
    if "service_level" in targets and definition == "offered":
        # answered within t ≤ answered ≤ c/a of the arrivals, so c < target·a fails
        lo = np.maximum(lo, np.ceil(targets["service_level"] * a * (1 - 1e-9)) - 1)
    if "p_abandon" in targets:
        # abandoned ≥ 1 − c/a of the arrivals, so c < a(1 − max_abandon) fails
        lo = np.maximum(lo, np.ceil(a * (1 - targets["p_abandon"]) - 1e-9 * (a + 1)) - 1)
    lo = np.where(a == 0, -1.0, lo)
    hi = np.where(a == 0, 0.0, np.nan)

    if all_erlang_c:  # cheap figures: try a window of counts above the stability bound at once
        todo = np.flatnonzero(a > 0)
        if len(todo):
            width = int(min(256.0, np.ceil(3.0 * np.sqrt(a[todo].max()) + 4.0)))
            cand = lo[todo, None] + 1.0 + np.arange(width)
            win = _erlang_c_window(a[todo], h_f[todo], cand, t)
            ok = _targets_met(win, targets, tol)[0]
            found = ok.any(axis=1)
            first = cand[np.arange(len(todo)), ok.argmax(axis=1)]  # monotone: the first that meets is the least
            hi[todo[found]] = first[found]
            lo[todo[found]] = first[found] - 1.0
            lo[todo[~found]] = cand[~found, -1]
    # bracket the answer around a square-root-staffing guess a + √a: lo fails, hi meets
    todo = np.flatnonzero((a > 0) & np.isnan(hi))
    guess = np.maximum(lo + 1, np.ceil(a + np.sqrt(a)))
    step = np.maximum(1.0, np.round(0.25 * np.sqrt(a)))
    if len(todo):
        ok = meets(todo, guess[todo])
        hi[todo[ok]] = guess[todo[ok]]
        lo[todo[~ok]] = guess[todo[~ok]]
        down, up = todo[ok], todo[~ok]
        for _ in range(200):  # downwards from a guess that meets: while it still meets
            down = down[hi[down] - lo[down] > 1]
            if len(down) == 0:
                break
            trial = np.maximum(hi[down] - step[down], lo[down] + 1)
            ok = meets(down, trial)
            hi[down[ok]] = trial[ok]
            lo[down[~ok]] = trial[~ok]
            step[down[ok]] *= 2
            down = down[ok]
        for _ in range(200):  # upwards from a guess that fails: until it meets
            if len(up) == 0:
                break
            trial = lo[up] + step[up]
            ok = meets(up, trial)
            hi[up[ok]] = trial[ok]
            lo[up[~ok]] = trial[~ok]
            step[up[~ok]] *= 2
            up = up[~ok]
        else:
            raise RuntimeError("agents_for: no staffing meets the targets (search did not end)")
    # bisect: lo fails, hi meets
    while True:
        todo = np.flatnonzero(hi - lo > 1)
        if len(todo) == 0:
            break
        mid = np.floor((lo[todo] + hi[todo]) / 2)
        ok = meets(todo, mid)
        hi[todo[ok]] = mid[ok]
        lo[todo[~ok]] = mid[~ok]

    agents = hi.astype(np.int64)
    quotient = agents / (1.0 - s)
    nearest = np.round(quotient)
    scheduled = np.where(
        np.abs(quotient - nearest) <= 1e-9 * np.maximum(1.0, quotient), nearest, np.ceil(quotient)
    ).astype(np.int64)

    allidx = np.arange(a.size)
    fig = figures(allidx, agents.astype(float))
    _, tie = _targets_met(fig, targets, tol)
    tie &= a > 0
    if tie.any():
        where = np.flatnonzero(tie)
        shown = ", ".join(str(i) for i in where[:10]) + (" …" if len(where) > 10 else "")
        warnings.warn(
            f"agents_for: {len(where)} interval(s) ({shown}) meet a target exactly to floating-point "
            "precision; counted as met (see the `tie` column with return_details=True)",
            StaffingTieWarning,
            stacklevel=2,
        )
    if return_details:
        import pandas as pd

        cols: dict[str, Any] = {
            "arrival_rate": lam_f,
            "handle_time": h_f,
            "patience": pat_f,
            "load": a,
            "agents": agents,
            "scheduled": scheduled,
            "p_wait": fig["p_wait"],
        }
        if t is not None:
            cols["service_level"] = fig["service_level"]
        cols["asa"] = fig["asa"]
        cols["asa_all"] = fig["asa_all"]
        cols["p_abandon"] = fig["p_abandon"]
        cols["occupancy"] = fig["occupancy"]
        cols["tie"] = tie
        return pd.DataFrame(cols)
    if len(shape) == 0:
        return int(scheduled[0])
    return scheduled.reshape(shape)
