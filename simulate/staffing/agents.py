"""The least staffing: how many agents meet the service targets, for one interval or a whole day at once.

:func:`agents_for` searches the number of agents with the queueing formulas of
:mod:`simulate.staffing.erlang` (Erlang C) and :mod:`simulate.staffing.erlang_a`
(Erlang A, where callers give up), for every interval at once.

**The search** relies on every target figure being monotone in the number of agents.
Under Erlang C it scans the counts from ⌊load⌋ + 1 to about load + 3√load for all
intervals at once (Erlang B carried along by its stable recurrence), and falls back to
the search below where that is not enough. With patience the least staffing can lie
below the load: the search starts from bounds that are provably failing (no agents, or
where throughput alone rules a target out: answered ≤ c/a of the arrivals), brackets the
answer from a square-root-staffing guess load + √load by doubling steps, then bisects.
Each step is a function here: :func:`_failing_bounds`, :func:`_scan`, :func:`_bracket`,
:func:`_bisect`.

**No agents.** The figures about answered arrivals (ASA, "served" service level,
occupancy) are then undefined and their targets count as missed; the "all" service
level counts abandoning within t as leaving within t, so a lenient "all" target alone
can be met with no agents at all.

**Ties.** Where an achieved figure equals its target to within floating-point precision
(relative :data:`TIE_TOLERANCE`), the target counts as met and the interval is flagged:
a :class:`StaffingTieWarning` names it, and the details have ``tie=True``.

>>> agents_for(100 / 1800, 180, target_service_level=0.8, within=20)  # 13 give 79.56%
14
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, overload

import numpy as np

from simulate.staffing.erlang import erlang_c_arrays, log_erlang_b
from simulate.staffing.erlang_a import erlang_a_arrays
from simulate.staffing.inputs import Definition, as_array, as_definition, as_real

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import ArrayLike, NDArray

__all__ = ["TIE_TOLERANCE", "StaffingTieWarning", "agents_for"]

#: Relative distance from a target within which the achieved figure and the target
#: cannot be told apart in floating point; :func:`agents_for` counts such a target as
#: met and flags the interval as a tie.
TIE_TOLERANCE = 1e-12

_Figures = dict[str, "NDArray[np.float64]"]


class StaffingTieWarning(UserWarning):
    """An achieved figure equals its target to within floating-point precision.

    Raised by :func:`agents_for` for the intervals whose answer depends on how a
    figure that equals its target (to about 1e-12, relative) is rounded; the target
    is counted as met. ``agents_for(..., return_details=True)`` marks them in the
    ``tie`` column.
    """


# ----------------------------------------------------------------------------- the figures the search reads


def _erlang_c_figures(a: NDArray[np.float64], h: NDArray[np.float64], c: NDArray[np.float64],
                      t: float | None) -> _Figures:
    """The Erlang C figures :func:`agents_for` looks at, for arrays (λ > 0)."""
    stable, C = erlang_c_arrays(a, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = c - a
        asa = np.where(stable, C * h / gap, np.inf)
        f = {"stable": stable, "p_wait": C, "asa": asa, "asa_all": asa, "p_abandon": np.zeros(a.shape)}
        f["occupancy"] = np.where(c > 0, np.where(stable, a / c, 1.0), np.nan)
        if t is not None:
            f["service_level"] = np.where(stable, 1.0 if math.isinf(t) else 1.0 - C * np.exp(-gap * t / h), 0.0)
    return f


def _erlang_c_window(a: NDArray[np.float64], h: NDArray[np.float64], c: NDArray[np.float64],
                     t: float | None) -> _Figures:
    """:func:`_erlang_c_figures` for rows of consecutive counts ``c`` (shape (n, w), c > a > 0).

    B(c, a) is evaluated once per row, then carried along the row by the stable recurrence
    B(c + 1) = a·B(c) / (c + 1 + a·B(c)).
    """
    B = np.empty(c.shape)
    B[:, 0] = np.exp(log_erlang_b(c[:, 0], a))
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
    figures: _Figures, targets: dict[str, float], tol: float
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(met, tie): every target met (ties count as met), any target within ``tol`` of its figure."""
    met = figures["stable"].astype(bool, copy=True)
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


@dataclass
class _Search:
    """The intervals searched (flat arrays) and the targets: the figures at given counts, and whether they meet."""

    lam: NDArray[np.float64]
    h: NDArray[np.float64]
    pat: NDArray[np.float64]
    t: float | None
    definition: Definition
    targets: dict[str, float]
    a: NDArray[np.float64] = field(init=False)
    erlang_c_model: NDArray[np.bool_] = field(init=False)
    all_erlang_c: bool = field(init=False)

    def __post_init__(self) -> None:
        self.a = self.lam * self.h
        self.erlang_c_model = ~(np.isfinite(self.pat))
        self.all_erlang_c = bool(self.erlang_c_model.all())

    def figures(self, idx: NDArray[np.intp], c: NDArray[np.float64]) -> _Figures:
        """The figures the targets name, for intervals ``idx`` staffed with ``c`` agents."""
        t = self.t
        if self.all_erlang_c:  # the lean path: Erlang C only
            return _erlang_c_figures(self.a[idx], self.h[idx], c, t)
        out = erlang_a_arrays(self.lam[idx], self.h[idx], self.pat[idx], c.astype(float), t, (self.definition,))
        f = {"stable": out["stable"], "p_wait": out["p_wait"], "occupancy": out["occupancy"]}
        f["p_abandon"] = out["p_abandon"]
        f["asa"] = out["asa_served"]
        f["asa_all"] = out["asa_all"]
        if t is not None:
            f["service_level"] = out["sl_" + self.definition]
        return f

    def meets(self, idx: NDArray[np.intp], c: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether ``c`` agents meet every target in the intervals ``idx``."""
        return _targets_met(self.figures(idx, c), self.targets, TIE_TOLERANCE)[0]


# ----------------------------------------------------------------------------- the steps of the search


def _targets(
    target_service_level: float | None,
    within: float | None,
    patience_given: bool,
    max_abandon: float | None,
    max_asa: float | None,
    max_occupancy: float | None,
) -> tuple[dict[str, float], float | None]:
    """The targets by the name of the figure they bound, and the ``within`` of the service level."""
    if (target_service_level is None) != (within is None):
        raise ValueError("give target_service_level and within together (service level at `within` ≥ target)")
    targets: dict[str, float] = {}
    t = None
    if target_service_level is not None:
        tsl = as_real(target_service_level, "target_service_level")
        if not 0 < tsl < 1:
            raise ValueError(f"target_service_level must be in (0, 1), got {target_service_level!r}")
        targets["service_level"] = tsl
        t = as_real(within, "within")
    if max_abandon is not None:
        if not patience_given:
            raise ValueError("max_abandon needs patience (without it nobody abandons: Erlang C)")
        ma = as_real(max_abandon, "max_abandon")
        if not 0 < ma <= 1:
            raise ValueError(f"max_abandon must be in (0, 1], got {max_abandon!r}")
        targets["p_abandon"] = ma
    if max_asa is not None:
        targets["asa"] = as_real(max_asa, "max_asa", positive=True)
    if max_occupancy is not None:
        mo = as_real(max_occupancy, "max_occupancy")
        if not 0 < mo <= 1:
            raise ValueError(f"max_occupancy must be in (0, 1], got {max_occupancy!r}")
        targets["occupancy"] = mo
    if not targets:
        raise ValueError("give at least one target: target_service_level/within, max_abandon, max_asa, max_occupancy")
    return targets, t


def _failing_bounds(s: _Search) -> NDArray[np.float64]:
    """Per interval, a count known to fail every staffing at or below it (−1: none, e.g. no load)."""
    a, targets = s.a, s.targets
    lo = np.full(a.shape, -1.0)
    lo = np.where(s.erlang_c_model & (a > 0), np.floor(a), lo)  # c ≤ a is unstable
    if "service_level" in targets and s.definition == "offered":
        # answered within t ≤ answered ≤ c/a of the arrivals, so c < target·a fails
        lo = np.maximum(lo, np.ceil(targets["service_level"] * a * (1 - 1e-9)) - 1)
    if "p_abandon" in targets:
        # abandoned ≥ 1 − c/a of the arrivals, so c < a(1 − max_abandon) fails
        lo = np.maximum(lo, np.ceil(a * (1 - targets["p_abandon"]) - 1e-9 * (a + 1)) - 1)
    return np.where(a == 0, -1.0, lo)


def _scan(s: _Search, lo: NDArray[np.float64], hi: NDArray[np.float64]) -> None:
    """Erlang C only (cheap figures): try a window of counts above the stability bound at once.

    Where one meets, the first is the least (the figures are monotone): ``hi`` is set to it and
    ``lo`` just below; elsewhere ``lo`` moves to the window's last count.
    """
    a = s.a
    todo = np.flatnonzero(a > 0)
    if not len(todo):
        return
    width = int(min(256.0, np.ceil(3.0 * np.sqrt(a[todo].max()) + 4.0)))
    cand = lo[todo, None] + 1.0 + np.arange(width)
    win = _erlang_c_window(a[todo], s.h[todo], cand, s.t)
    ok = _targets_met(win, s.targets, TIE_TOLERANCE)[0]
    found = ok.any(axis=1)
    first = cand[np.arange(len(todo)), ok.argmax(axis=1)]  # monotone: the first that meets is the least
    hi[todo[found]] = first[found]
    lo[todo[found]] = first[found] - 1.0
    lo[todo[~found]] = cand[~found, -1]


def _bracket(s: _Search, lo: NDArray[np.float64], hi: NDArray[np.float64]) -> None:
    """Bracket the answer around a square-root-staffing guess a + √a, in place: ``lo`` fails, ``hi`` meets.

    From a guess that meets, step down while it still meets; from one that fails, step up until
    it meets; the steps double each time.
    """
    a = s.a
    todo = np.flatnonzero((a > 0) & np.isnan(hi))
    if not len(todo):
        return
    guess = np.maximum(lo + 1, np.ceil(a + np.sqrt(a)))
    step = np.maximum(1.0, np.round(0.25 * np.sqrt(a)))
    ok = s.meets(todo, guess[todo])
    hi[todo[ok]] = guess[todo[ok]]
    lo[todo[~ok]] = guess[todo[~ok]]
    down, up = todo[ok], todo[~ok]
    for _ in range(200):  # downwards from a guess that meets: while it still meets
        down = down[hi[down] - lo[down] > 1]
        if len(down) == 0:
            break
        trial = np.maximum(hi[down] - step[down], lo[down] + 1)
        ok = s.meets(down, trial)
        hi[down[ok]] = trial[ok]
        lo[down[~ok]] = trial[~ok]
        step[down[ok]] *= 2
        down = down[ok]
    for _ in range(200):  # upwards from a guess that fails: until it meets
        if len(up) == 0:
            break
        trial = lo[up] + step[up]
        ok = s.meets(up, trial)
        hi[up[ok]] = trial[ok]
        lo[up[~ok]] = trial[~ok]
        step[up[~ok]] *= 2
        up = up[~ok]
    else:
        raise RuntimeError("agents_for: no staffing meets the targets (search did not end)")


def _bisect(s: _Search, lo: NDArray[np.float64], hi: NDArray[np.float64]) -> None:
    """Halve every bracket until ``hi`` is one above ``lo``, in place: ``lo`` fails, ``hi`` meets."""
    while True:
        todo = np.flatnonzero(hi - lo > 1)
        if len(todo) == 0:
            break
        mid = np.floor((lo[todo] + hi[todo]) / 2)
        ok = s.meets(todo, mid)
        hi[todo[ok]] = mid[ok]
        lo[todo[~ok]] = mid[~ok]


def _scheduled(agents: NDArray[np.int64], shrinkage: float) -> NDArray[np.int64]:
    """ceil(agents / (1 − shrinkage)), a quotient within 1e-9 (relative) of a whole number counting as it."""
    quotient = agents / (1.0 - shrinkage)
    nearest = np.round(quotient)
    return np.where(
        np.abs(quotient - nearest) <= 1e-9 * np.maximum(1.0, quotient), nearest, np.ceil(quotient)
    ).astype(np.int64)


def _tie_message(tie: NDArray[np.bool_]) -> str:
    where = np.flatnonzero(tie)
    shown = ", ".join(str(i) for i in where[:10]) + (" …" if len(where) > 10 else "")
    return (f"agents_for: {len(where)} interval(s) ({shown}) meet a target exactly to floating-point "
            "precision; counted as met (see the `tie` column with return_details=True)")


def _details(s: _Search, agents: NDArray[np.int64], scheduled: NDArray[np.int64], fig: _Figures,
             tie: NDArray[np.bool_]) -> pd.DataFrame:
    """The table ``agents_for(..., return_details=True)`` returns: one row per interval."""
    import pandas as pd

    cols: dict[str, NDArray[np.generic]] = {
        "arrival_rate": s.lam,
        "handle_time": s.h,
        "patience": s.pat,
        "load": s.a,
        "agents": agents,
        "scheduled": scheduled,
        "p_wait": fig["p_wait"],
    }
    if s.t is not None:
        cols["service_level"] = fig["service_level"]
    cols["asa"] = fig["asa"]
    cols["asa_all"] = fig["asa_all"]
    cols["p_abandon"] = fig["p_abandon"]
    cols["occupancy"] = fig["occupancy"]
    cols["tie"] = tie
    return pd.DataFrame(cols)


# ----------------------------------------------------------------------------- the least staffing


@overload
def agents_for(
    arrival_rate: ArrayLike, handle_time: ArrayLike, *, target_service_level: float | None = ...,
    within: float | None = ..., patience: ArrayLike | None = ..., max_abandon: float | None = ...,
    max_asa: float | None = ..., max_occupancy: float | None = ..., shrinkage: float = ...,
    definition: Definition = ..., return_details: Literal[False] = ...,
) -> int | NDArray[np.int64]: ...


@overload
def agents_for(
    arrival_rate: ArrayLike, handle_time: ArrayLike, *, target_service_level: float | None = ...,
    within: float | None = ..., patience: ArrayLike | None = ..., max_abandon: float | None = ...,
    max_asa: float | None = ..., max_occupancy: float | None = ..., shrinkage: float = ...,
    definition: Definition = ..., return_details: Literal[True],
) -> pd.DataFrame: ...


def agents_for(
    arrival_rate: ArrayLike, handle_time: ArrayLike, *, target_service_level: float | None = None,
    within: float | None = None, patience: ArrayLike | None = None, max_abandon: float | None = None,
    max_asa: float | None = None, max_occupancy: float | None = None, shrinkage: float = 0.0,
    definition: Definition = "offered", return_details: bool = False,
) -> int | NDArray[np.int64] | pd.DataFrame:
    """The least number of agents that meets every target given, scheduled for shrinkage.

    The model is Erlang C (:func:`~simulate.staffing.erlang.erlang_c`) when ``patience`` is
    None (or inf), Erlang A (:func:`~simulate.staffing.erlang_a.erlang_a`) otherwise. Targets
    (give at least one):

    - ``target_service_level`` with ``within`` (both or neither): service level at
      ``within`` ≥ target, 0 < target < 1, under ``definition``
      (:data:`~simulate.staffing.inputs.DEFINITIONS`; all three coincide for Erlang C);
    - ``max_abandon``: p_abandon ≤ it (Erlang A only), 0 < max_abandon ≤ 1;
    - ``max_asa``: the ASA ≤ it: the mean wait over all arrivals for Erlang C, the mean
      wait of the answered arrivals (``asa_served``) for Erlang A;
    - ``max_occupancy``: occupancy ≤ it, 0 < max_occupancy ≤ 1.

    Under Erlang C a staffing must also be stable (agents > load). Zero arrivals need 0
    agents. How the search goes, and what no agents mean, is in the module notes. Ties
    (a figure equal to its target to within :data:`TIE_TOLERANCE`, relative) count as
    met and are flagged: a :class:`StaffingTieWarning` names them, the details have ``tie``.

    Shrinkage s (0 ≤ s < 1, the share of paid time agents are unavailable): the answer
    is the scheduled count ceil(agents / (1 − s)), where a quotient within 1e-9
    (relative) of a whole number counts as that number (7 agents at 30% → 10, not 11).

    ``arrival_rate`` (λ ≥ 0), ``handle_time`` (h > 0) and ``patience`` (> 0, inf allowed) are
    numbers or arrays broadcast together (e.g. 96 intervals of a day). Returns an int for
    scalar inputs, a numpy int64 array of the broadcast shape for arrays, or with
    ``return_details`` a DataFrame, one row per interval: ``arrival_rate``, ``handle_time``,
    ``patience``, ``load``, ``agents`` (before shrinkage), ``scheduled`` (the answer), the
    achieved ``p_wait``, ``service_level`` (if targeted), ``asa``, ``p_abandon``,
    ``occupancy`` at ``agents``, and ``tie``.

    >>> agents_for(100 / 1800, 180, target_service_level=0.8, within=20)
    14
    >>> agents_for([0.0, 0.05, 0.5], 180, target_service_level=0.8, within=20)
    array([ 0, 12, 97])
    >>> agents_for([0.0, 0.05, 0.5], 180, target_service_level=0.8, within=20, shrinkage=0.3)
    array([  0,  18, 139])
    >>> agents_for(50 / 300, 300, patience=30, max_abandon=0.3)  # load 50: staffing below it
    36
    """
    lam = as_array(arrival_rate, "arrival_rate")
    h = as_array(handle_time, "handle_time", positive=True)
    pat = np.array(np.inf) if patience is None else as_array(patience, "patience", positive=True, allow_inf=True)
    definition = as_definition(definition)
    targets, t = _targets(target_service_level, within, patience is not None, max_abandon, max_asa, max_occupancy)
    s = as_real(shrinkage, "shrinkage")
    if not s < 1:
        raise ValueError(f"shrinkage must be in [0, 1), got {shrinkage!r}")

    shape = np.broadcast_shapes(lam.shape, h.shape, pat.shape)
    lam_f, h_f, pat_f = (np.broadcast_to(v, shape).ravel().astype(float) for v in (lam, h, pat))
    search = _Search(lam_f, h_f, pat_f, t, definition, targets)
    lo = _failing_bounds(search)
    hi = np.where(search.a == 0, 0.0, np.nan)
    if search.all_erlang_c:
        _scan(search, lo, hi)
    _bracket(search, lo, hi)
    _bisect(search, lo, hi)

    agents = hi.astype(np.int64)
    scheduled = _scheduled(agents, s)
    fig = search.figures(np.arange(search.a.size), agents.astype(float))
    _, tie = _targets_met(fig, targets, TIE_TOLERANCE)
    tie &= search.a > 0
    if tie.any():
        warnings.warn(_tie_message(tie), StaffingTieWarning, stacklevel=2)
    if return_details:
        return _details(search, agents, scheduled, fig, tie)
    if len(shape) == 0:
        return int(scheduled[0])
    return scheduled.reshape(shape)
