"""Erlang A: M/M/c+M, Palm's queue, where a waiting contact abandons after an exponential patience.

The figures are integrals of a log-concave function, evaluated in log space by
Gauss–Legendre panels around its maximum (:func:`erlang_a_arrays`); the notation is
that of :mod:`simulate.staffing.erlang`.

>>> r = erlang_a(arrival_rate=10.0, handle_time=1.0, patience=2.0, agents=10)
>>> round(r.p_abandon, 4)
0.1039
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
from scipy import special

from simulate.staffing.erlang import NEGLIGIBLE, erlang_c, erlang_c_arrays, log_erlang_b
from simulate.staffing.inputs import DEFINITIONS, Definition, as_definition, as_real, as_whole

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["FIGURES", "ErlangAResult", "erlang_a", "erlang_a_arrays"]

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
_H0 = 0.5
_GL_NODES = (_GL_NODES + 1.0) / 2.0  # on [0, 1]
_GL_WEIGHTS = _GL_WEIGHTS / 2.0


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



# ----------------------------------------------------------------------------- quadrature for Erlang A


_Arr: TypeAlias = "NDArray[np.float64]"


def _quad(s: _Arr, kappa: _Arr, left: _Arr, right: _Arr) -> tuple[_Arr, _Arr, _Arr]:
    """Nodes w, weights / h₀ and log h₀ for ∫ exp(s·w − κ·φ(w))·g(w) dw over w ∈ [−left, right].

    The exponent is concave with its maximum, 0, at w = 0 on the range (s ≤ 0 where
    right > 0, s ≥ 0 where left > 0). Each side is cut into panels that start at a width
    h₀ that resolves the peak (½ of the least of 1, 1/√κ and 1/|s|) and double outwards
    until the exponent has surely fallen by ``NEGLIGIBLE``; each panel gets 16 Gauss–Legendre
    nodes. Returns arrays of shape (n, m), zero weights where a panel is empty; weights
    are divided by h₀ so that tiny scales do not underflow.
    """
    abs_s = np.abs(s)
    with np.errstate(divide="ignore", over="ignore"):
        inv_s = 1.0 / abs_s
        inv_k = 1.0 / kappa
    inv_sqrt_k = np.sqrt(inv_k)
    h0 = _H0 * np.minimum(np.minimum(1.0, inv_sqrt_k), inv_s)
    by_slope = NEGLIGIBLE * inv_s
    # where the exponent has fallen by D at the latest: φ(w) ≥ w²/3 on [0, 1], φ(w) ≥ w − 1,
    # φ(−v) ≥ v²/2 and φ(−v) ≥ D/κ beyond v = log(1 + 2D/κ) + 2
    dk = NEGLIGIBLE * inv_k
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

    def __init__(self, lam: _Arr, h: _Arr, pat: _Arr, c: _Arr, extra: float = 1.0) -> None:
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

    def at(self, q: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """(F(q) − Fref, F'(q), κ(q) = x·e^(−q)) at points q ≥ 0."""
        b, x, p0, d, pos = self.b, self.x, self.p0, self.d, self.pos
        dq = q - p0  # = q where not pos
        phi = _phi(dq)
        off = np.where(pos, -b * phi, d * q - x * phi)
        slope = np.where(pos, b * np.expm1(-dq), d + x * np.expm1(-q))
        kappa = np.where(pos, b * np.exp(np.minimum(-dq, 700.0)), x * np.exp(-q))
        return off, slope, kappa

    def integrals(
        self, lo: NDArray[np.float64], hi: NDArray[np.float64], weights: tuple[str, ...]
    ) -> list[NDArray[np.float64]]:
        """log ∫_lo^hi g(u)·e^(F(u) − Fref) du for each weight g named in ``weights``."""
        q = np.clip(self.p0, lo, hi)
        off, slope, kappa = self.at(q)
        w, wt, log_h0 = _quad(slope, kappa, q - lo, hi - q)
        base = wt * np.exp(slope[:, None] * w - kappa[:, None] * _phi(w))
        out = []
        log_scale: float | NDArray[np.float64]
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


# ----------------------------------------------------------------------------- the figures, for arrays


#: The figures :func:`erlang_a_arrays` returns for every row, besides ``stable`` and the
#: service levels ``sl_<definition>``.
FIGURES = ("p_wait", "p_abandon", "p_served", "asa_all", "asa_served", "mean_queue", "occupancy")

_Figures = dict[str, "NDArray[np.float64]"]
_Values = dict[str, "NDArray[np.float64] | NDArray[np.bool_] | float"]  # a step's figures for its rows


def erlang_a_arrays(
    lam: NDArray[np.float64],
    h: NDArray[np.float64],
    pat: NDArray[np.float64],
    c: NDArray[np.float64],
    t: float | None = None,
    definitions: tuple[str, ...] = DEFINITIONS,
) -> _Figures:
    """Erlang A figures for arrays (broadcast, flattened); patience = inf gives Erlang C.

    Returns an array per name in :data:`FIGURES`, ``stable``, and with ``t`` the service
    levels ``sl_<definition>`` at t for the ``definitions`` asked (the others may be left
    NaN). No argument checks: :func:`erlang_a` and :func:`~simulate.staffing.agents_for`
    check theirs. Rows with no arrivals, rows of infinite patience (Erlang C) and the
    others (Palm's chain) are each filled by their own step.

    >>> out = erlang_a_arrays(np.array([10.0]), np.array([1.0]), np.array([2.0]), np.array([10.0]))
    >>> round(float(out["p_abandon"][0]), 4)
    0.1039
    """
    lam, h, pat, c = (np.ravel(v).astype(float) for v in np.broadcast_arrays(lam, h, pat, c))
    n = lam.shape[0]
    keys = FIGURES + (tuple("sl_" + k for k in DEFINITIONS) if t is not None else ())
    res: _Figures = {k: np.full(n, np.nan) for k in keys}
    res["stable"] = np.ones(n, bool)
    with np.errstate(over="ignore", invalid="ignore"):
        x, y = lam * pat, c * pat / h
    zero = lam == 0
    erl_c = ~zero & ~(np.isfinite(x) & np.isfinite(y))
    palm = ~zero & ~erl_c
    if zero.any():
        _put(res, zero, _no_arrivals(c[zero], t))
    if erl_c.any():  # infinite patience: Erlang C
        _put(res, erl_c, _infinite_patience(lam[erl_c] * h[erl_c], h[erl_c], c[erl_c], t))
    if palm.any():
        _put(res, palm, _palm(_PalmChain(lam[palm], h[palm], pat[palm], c[palm]), t, definitions))
    return res


def _put(res: _Figures, mask: NDArray[np.bool_], values: _Values) -> None:
    """Write each figure of ``values`` into the rows ``mask`` of ``res``."""
    for key, value in values.items():
        res[key][mask] = value


def _no_arrivals(c: NDArray[np.float64], t: float | None) -> _Values:
    """Nobody waits, abandons or is answered late; occupancy 0 (NaN with no agents)."""
    out: _Values = dict(
        p_wait=0.0, p_abandon=0.0, p_served=1.0, asa_all=0.0, asa_served=0.0, mean_queue=0.0
    )
    out["occupancy"] = np.where(c > 0, 0.0, np.nan)
    if t is not None:
        out.update(sl_offered=1.0, sl_served=1.0, sl_all=1.0)
    return out


def _infinite_patience(
    a: NDArray[np.float64], h: NDArray[np.float64], c: NDArray[np.float64], t: float | None
) -> _Values:
    """Erlang C, where nobody gives up: the three service-level definitions coincide."""
    stable, C = erlang_c_arrays(a, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = c - a
        asa = np.where(stable, C * h / gap, np.inf)
        out: _Values = dict(
            p_wait=C, p_abandon=0.0, p_served=1.0, asa_all=asa, asa_served=asa
        )
        out["mean_queue"] = np.where(stable, C * a / gap, np.inf)
        out["occupancy"] = np.where(c > 0, np.where(stable, a / c, 1.0), np.nan)
        out["stable"] = stable
        if t is not None:
            sl = np.where(stable, 1.0 if math.isinf(t) else 1.0 - C * np.exp(-gap * t / h), 0.0)
            out.update(sl_offered=sl, sl_served=sl, sl_all=sl)
    return out


@dataclass
class _Stationary:
    """Palm's chain normalised: log R/S, log y, log S, and π_c·S = e^−sp (see :func:`_palm`)."""

    r_rel: NDArray[np.float64]
    log_y: NDArray[np.float64]
    log_s_rel: NDArray[np.float64]
    sp: NDArray[np.float64]
    p_served: NDArray[np.float64]


def _palm(ch: _PalmChain, t: float | None, definitions: tuple[str, ...]) -> _Values:
    """The figures of Palm's chain (finite patience, λ > 0), service levels at ``t`` included."""
    cp, ap = ch.c, ch.a
    with np.errstate(divide="ignore", invalid="ignore"):
        zeros, infs = np.zeros(len(cp)), np.full(len(cp), np.inf)
        i1, i2, i3 = ch.integrals(zeros, infs, ("1", "abandon", "u"))
        log_y = np.log(ch.y)
        # R = Σ_{n<c} (aⁿ/n!) / (aᶜ/c!) = (c/a) / B(c − 1, a);  S = Σ_{n≥c} πₙ/π_c = e^Fref·(I₂ + y·I₁)
        log_r = np.where(cp > 0, np.log(cp) - np.log(ap) - log_erlang_b(np.maximum(cp - 1, 0), ap), -np.inf)
        log_s_rel = np.logaddexp(i2, log_y + i1)
        r_rel = log_r - ch.fref - log_s_rel  # log R/S
        sp = np.logaddexp(0.0, r_rel)  # log (R + S)/S;  π_c·S = e^−sp
        p_ab = np.exp(i2 - log_s_rel - sp)
        p_served = np.exp(np.logaddexp(r_rel, log_y + i1 - log_s_rel) - sp)
        ew_served = np.exp(log_y + np.log(ch.pat) + i3 - log_s_rel - sp)  # E[W; answered]
        out: _Values = dict(
            p_wait=np.exp(-sp), p_abandon=np.minimum(p_ab, 1.0), p_served=np.minimum(p_served, 1.0)
        )
        out.update(asa_all=p_ab * ch.pat, asa_served=ew_served / p_served, mean_queue=p_ab * ch.x)
        out["occupancy"] = np.minimum(ap * p_served / cp, 1.0)
        if t is not None:
            st = _Stationary(r_rel, log_y, log_s_rel, sp, p_served)
            out.update(_palm_service_levels(ch, st, t, definitions))
    return out


def _palm_service_levels(
    ch: _PalmChain, st: _Stationary, t: float, definitions: tuple[str, ...]
) -> _Values:
    """The service levels of Palm's chain at ``t`` for the ``definitions`` asked."""
    cp = ch.c
    if math.isinf(t):
        return dict(sl_offered=st.p_served, sl_served=np.where(cp > 0, 1.0, np.nan), sl_all=1.0)
    out: _Values = {}
    u0 = np.full(len(cp), t) / ch.pat
    with np.errstate(divide="ignore", invalid="ignore"):
        if "offered" in definitions or "served" in definitions:
            (h1,) = ch.integrals(np.zeros(len(cp)), u0, ("1",))
            offered = np.exp(np.logaddexp(st.r_rel, st.log_y + h1 - st.log_s_rel) - st.sp)
            out.update(sl_offered=np.minimum(offered, 1.0), sl_served=np.minimum(offered / st.p_served, 1.0))
        if "all" in definitions:
            out["sl_all"] = _palm_left_within(ch, st, u0)
    return out


def _palm_left_within(ch: _PalmChain, st: _Stationary, u0: NDArray[np.float64]) -> NDArray[np.float64]:
    """P(min(V, patience) ≤ t), u0 = θ·t: answered or gone within t (the ``"all"`` service level).

    π_c·[R + y·∫_0^u0 e^(F_y) + (1 − e^(−u0))·(e^(F_y(u0)) + x·T₁)], F_y(u) = F(u) + u:
    P(V > t) = π_c·(e^(F_y(u0)) + x·T₁) is the density of V integrated by parts.
    """
    cp = ch.c
    zeros, infs = np.zeros(len(cp)), np.full(len(cp), np.inf)
    (t1,) = ch.integrals(u0, infs, ("1",))
    off_u0 = ch.at(u0)[0]
    one = cp > 0
    chy = _PalmChain(ch.lam, ch.h, ch.pat, np.where(one, cp, 1.0), extra=0.0)
    (h0y,) = chy.integrals(zeros, u0, ("1",))
    dy = -np.log1p(1.0 / chy.y)  # p₀ − p₀_y when both are interior
    shift = np.where(ch.pos, chy.y * _phi(dy) + ch.p0, chy.fref)  # Fref_y − Fref
    terms = np.stack(
        [
            st.r_rel,
            st.log_y + shift + h0y - st.log_s_rel,
            u0 + np.log(-np.expm1(-u0)) + off_u0 - st.log_s_rel,  # log(e^u0 − 1) + …
            np.log(-np.expm1(-u0)) + np.log(ch.x) + t1 - st.log_s_rel,
        ]
    )
    sl_all = np.exp(special.logsumexp(terms, axis=0) - st.sp)
    return np.where(one, np.minimum(sl_all, 1.0), -np.expm1(-u0))


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
            at any load); with patience = inf as in
            :class:`~simulate.staffing.erlang.ErlangCResult`.
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
        t = as_real(t, "t", allow_inf=True)
        d = as_definition(definition)
        out = erlang_a_arrays(
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
    lam = as_real(arrival_rate, "arrival_rate")
    h = as_real(handle_time, "handle_time", positive=True)
    pat = as_real(patience, "patience", positive=True, allow_inf=True)
    c = as_whole(agents, "agents")
    if math.isinf(pat):
        r = erlang_c(lam, h, c)
        return ErlangAResult(lam, h, pat, c, r.load, r.p_wait, 0.0, r.asa, r.asa, r.mean_queue, r.occupancy, r.stable)
    out = erlang_a_arrays(np.array([lam]), np.array([h]), np.array([pat]), np.array([float(c)]))
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
