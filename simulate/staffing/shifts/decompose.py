"""Long horizons (a week): the plan found by decomposition, its gap proven against the LP bound.

For longer horizons the LP relaxation of the whole program is degenerate and slow to
branch on, so :func:`decompose` (called by :func:`~simulate.staffing.shifts.schedule_shifts`)
works in three steps: the LP relaxation of the whole week (interior point) gives the
lower bound; each calendar day is then planned in turn by an LP dive (round up shift
counts, re-solve, repeat; place breaks last), the days before it fixed; then windows of
hours of starts are solved again exactly by HiGHS, everything else fixed, the windows
furthest above the LP first, until the gap to the LP bound is at most ``mip_gap`` or
``time_limit`` runs out.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import OptimizeResult

from simulate.staffing.shifts.calendar import Grid, Horizon, template_grid
from simulate.staffing.shifts.program import (
    Program,
    Unit,
    build,
    milp_quietly,
    objective_of,
    relaxation,
    solve,
    staff_on_duty,
    units_from_solution,
    weights,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["decompose"]


def _x_count(built: Program, grid: Grid) -> int:
    """The number of shift-start variables (they come first)."""
    return built.x_at[-1] + len(grid.starts[-1]) if built.x_at else 0


def _dive(grid: Grid, built: Program, *, deadline: float, threshold: float = 0.7) -> NDArray[np.float64] | None:
    """An integer solution by LP diving: solve the LP, raise the bounds of shift counts, repeat.

    Every round rounds up the shift counts whose fractional part, together
    with that of the neighbouring starts of the same template, is at least
    ``threshold`` (one per neighbourhood), and raises every count to at least
    its floor; breaks stay continuous. When the counts are whole, the breaks
    are placed by a small integer program with the counts fixed. ``None``
    when a round is infeasible or time runs out.
    """
    nx = _x_count(built, grid)
    if nx == 0:
        return None
    template = np.concatenate([np.full(len(st), k) for k, st in enumerate(grid.starts)])
    start = np.concatenate(grid.starts)
    near = sparse.csr_matrix((template[:, None] == template[None, :]) & (np.abs(start[:, None] - start[None, :]) <= 1))
    lb = built.lb.copy()
    while True:
        if time.perf_counter() > deadline:
            return None
        res = relaxation(built, lb, built.ub, time_limit=None if math.isinf(deadline) else deadline - time.perf_counter())
        if res.status != 0 or res.x is None:
            return None
        x = res.x[:nx]
        floor = np.floor(x + 1e-7)
        frac = np.where(x - floor > 1e-6, x - floor, 0.0)
        if not frac.any():
            break
        lb[:nx] = np.maximum(lb[:nx], floor)
        mass = near @ frac
        taken: list[int] = []
        blocked = np.zeros(nx, dtype=bool)
        for i in np.argsort(-frac):
            if frac[i] <= 0:
                break
            if mass[i] >= threshold and not blocked[i]:
                taken.append(int(i))
                blocked[near.indices[near.indptr[i]:near.indptr[i + 1]]] = True
        if not taken:
            taken = [int(np.argmax(frac))]
        lb[taken] = floor[taken] + 1
    counts = np.rint(res.x[:nx])
    lb2, ub2 = built.lb.copy(), built.ub.copy()
    lb2[:nx] = counts
    ub2[:nx] = counts
    left = {} if math.isinf(deadline) else {"time_limit": max(deadline - time.perf_counter(), 0.05)}
    placed = milp_quietly(built.c, built.integrality, lb2, ub2, built, {"disp": False} | left)
    return placed.x if placed.x is not None else None


def _window(
    grid: Grid,
    fixed: list[Unit],
    lo: int,
    n: int,
    *,
    objective: str,
    penalty: float | None,
    lookahead: NDArray[np.bool_] | None,
) -> tuple[Grid, Program, NDArray[np.int64]]:
    """The program for shifts starting in ``lo .. lo+n-1``, the ``fixed`` ones staying as they are.

    Returns the window's grid and program and the map from its intervals
    to the horizon's. The window's own intervals must be covered; after
    them, only the intervals marked in ``lookahead`` (those already planned;
    all when ``None``): later days are planned later.
    """
    h = grid.h
    T = h.T
    span = n + max(grid.lengths) - 1
    if not h.cyclic:
        span = min(span, T - lo)
    where = (lo + np.arange(span)) % T
    on_fixed = staff_on_duty(grid, fixed)[0] if fixed else np.zeros(T, dtype=np.int64)
    need = np.maximum(h.required[where] - on_fixed[where], 0)
    if lookahead is not None:
        need[n:] = np.where(lookahead[where[n:]], need[n:], 0)
    sub_h = Horizon(need, h.step, h.origin + lo * h.step, h.weekday_known, False, pd.RangeIndex(span))
    sub = template_grid(sub_h, grid.templates)
    sub.starts = [st[st < n] for st in sub.starts]
    sub.days = [np.array([h.day_number(int((lo + t) % T)) for t in st], dtype=np.int64) for st in sub.starts]
    counts: dict[tuple[int, int], int] = defaultdict(int)
    tpls = grid.templates.templates
    pt = total = 0
    for k, st, _, c in fixed:
        counts[(k, h.day_number(st))] += c
        total += c
        pt += c * tpls[k].part_time
    built = build(sub, objective, penalty=penalty, fixed_counts=counts, fixed_share=(pt, total))
    return sub, built, where


def _to_horizon(units: list[Unit], lo: int, T: int) -> list[Unit]:
    """A window's units on the horizon's intervals (the window starts at ``lo``)."""
    return [(k, (s + lo) % T, tuple((t + lo) % T for t in brk), c) for k, s, brk, c in units]


@dataclass
class _Decomposition:
    """What every step of :func:`decompose` reads: the problem, the LP bound and the clock."""

    grid: Grid
    objective: str
    penalty: float | None
    time_limit: float
    mip_gap: float
    deadline: float
    w: NDArray[np.float64]  # objective per shift of each template
    soft: float  # the shortfall penalty of blocks and windows
    bound: float | None  # the LP bound on the whole horizon
    lp_x: NDArray[np.float64] | None  # the LP's shift counts
    step_value: float  # the objective moves in steps of this

    def value_of(self, units: list[Unit]) -> float:
        return objective_of(self.grid, units, self.objective, self.soft)

    def gap_of(self, units: list[Unit]) -> float:
        """Relative gap to the LP bound (inf when a hard cover is left short)."""
        value = self.value_of(units)
        if self.penalty is None and (self.grid.h.required > staff_on_duty(self.grid, units)[0]).any():
            return float("inf")
        if self.bound is None or value <= 0:
            return 0.0 if self.bound is not None else float("inf")
        return max(value - self.bound, 0.0) / value


def _setup(grid: Grid, objective: str, penalty: float | None, full: Program, lp: OptimizeResult,
           time_limit: float, mip_gap: float, deadline: float) -> _Decomposition:
    w = weights(grid, objective)
    # blocks and windows allow shortfall: a day cannot always cover its first hours (a Sunday night shift
    # covers Monday morning, planned last); a hard cover makes it dearer than any shift
    soft = penalty if penalty is not None else 2.0 * float(w.max()) + 1.0
    bound = float(lp.fun) * full.scale if lp.x is not None else None
    nx = _x_count(full, grid)
    lp_x = lp.x[:nx] if lp.x is not None else None
    # the objective moves in steps of the weights' common divisor (paid hours: a quarter hour, say)
    milli = np.rint(w * 1000)
    step_value = float(np.gcd.reduce(milli.astype(np.int64))) / 1000 if np.allclose(milli, w * 1000) else 1e-6
    return _Decomposition(grid, objective, penalty, time_limit, mip_gap, deadline, w, soft, bound, lp_x, step_value)


def _by_day(d: _Decomposition) -> list[Unit] | None:
    """Step 2: each calendar day planned in turn by an LP dive, the days before it fixed (None: no plan)."""
    grid, h = d.grid, d.grid.h
    T = h.T
    planned_upto = np.zeros(T, dtype=bool)
    cuts = [t for t in range(T) if abs(h.clock(t)) < 1e-6] or [0]
    if cuts[0] != 0:
        cuts = [0] + cuts
    blocks = [(a, (cuts[i + 1] if i + 1 < len(cuts) else T) - a) for i, a in enumerate(cuts)]
    units: list[Unit] = []
    if len(blocks) == 1 and h.cyclic:  # a cyclic day: one dive on the whole of it
        whole = build(grid, d.objective, penalty=d.soft)
        x = _dive(grid, whole, deadline=math.inf)
        if x is None:
            return None
        units = units_from_solution(grid, whole, x)
        blocks = []
    for a, n in blocks:
        sub, built, _ = _window(grid, units, a, n, objective=d.objective, penalty=d.soft, lookahead=planned_upto)
        planned_upto[a:a + n] = True
        x = _dive(sub, built, deadline=math.inf)  # a first plan is always finished; time_limit bounds the rest
        if x is None:
            res = solve(built, time_limit=max(d.deadline - time.perf_counter(), 1.0), mip_gap=d.mip_gap)
            x = res.x
        if x is None:
            return None
        units += _to_horizon(units_from_solution(sub, built, x), a, T)
    return units


def _most_promising(d: _Decomposition, units: list[Unit], window: int) -> list[int]:
    """The first intervals of the windows to solve again, those whose shifts cost most above the LP first."""
    grid, h = d.grid, d.grid.h
    T = h.T
    step = max(window // 2, 1)
    nx = sum(len(st) for st in grid.starts)
    starts_of = np.concatenate([grid.starts[k] for k in range(len(grid.starts))]) if nx else np.zeros(0, int)
    weight_of = (np.concatenate([np.full(len(grid.starts[k]), d.w[k]) for k in range(len(grid.starts))])
                 if nx else np.zeros(0))
    planned = np.zeros(T)
    for k, st, _, c in units:
        planned[st] += c * d.w[k]
    lp_cost = np.zeros(T)
    if d.lp_x is not None:
        np.add.at(lp_cost, starts_of, d.lp_x * weight_of)
    excess = []
    for lo in range(0, T if h.cyclic else max(T - window + 1, 1), step):
        idx = (lo + np.arange(window)) % T if h.cyclic else np.arange(lo, min(lo + window, T))
        excess.append((planned[idx].sum() - lp_cost[idx].sum(), lo))
    return [lo for _, lo in sorted(excess, reverse=True)]


def _window_again(d: _Decomposition, units: list[Unit], lo: int, window: int, left: float) -> list[Unit] | None:
    """The plan with the shifts starting in the window at ``lo`` planned again exactly (None: no better)."""
    grid, h = d.grid, d.grid.h
    T = h.T
    n = window if h.cyclic else min(window, T - lo)
    inside_mask = [((u[1] - lo) % T < n) if h.cyclic else (lo <= u[1] < lo + n) for u in units]
    outside = [u for u, m in zip(units, inside_mask) if not m]
    sub, built, _ = _window(grid, outside, lo, n, objective=d.objective, penalty=d.soft, lookahead=None)
    inside = [u for u, m in zip(units, inside_mask) if m]
    relaxed = relaxation(built, time_limit=left)
    now = float(sum(c * d.w[k] for k, _, _, c in inside))
    if relaxed.x is None or now - float(relaxed.fun) * built.scale < d.step_value - 1e-9:
        return None  # the window's LP proves no whole plan of it is cheaper
    res = solve(built, time_limit=min(left, max(2.0, 0.25 * d.time_limit)), mip_gap=1e-4)
    if res.x is None:
        return None
    return outside + _to_horizon(units_from_solution(sub, built, res.x), lo, T)


def _improve(d: _Decomposition, units: list[Unit], window: int) -> tuple[list[Unit], str | None]:
    """Step 3: windows solved again, the most promising first, while one improves the plan.

    The status when the gap is reached (``"optimal"``) or time runs out; None when no window
    improves the plan any more.
    """
    improved = True
    while improved:
        improved = False
        for lo in _most_promising(d, units, window):
            if d.gap_of(units) <= d.mip_gap:
                return units, "optimal"
            left = d.deadline - time.perf_counter()
            if left <= 0.05:
                return units, "time limit reached"
            candidate = _window_again(d, units, lo, window, left)
            if candidate is not None and d.value_of(candidate) < d.value_of(units) - 1e-9:
                units = candidate
                improved = True
    return units, None


def decompose(
    grid: Grid,
    *,
    objective: str,
    penalty: float | None,
    time_limit: float,
    mip_gap: float,
    window: int,
) -> tuple[list[Unit], float | None, str]:
    """A plan for a long horizon: an LP bound, day blocks by LP dives, then better windows by HiGHS.

    1. The LP relaxation of the whole horizon gives the lower bound the gap is
       measured against (interior point: it is the slow part of a week).
    2. Each calendar day is planned in turn by an LP dive, the days before it
       fixed (their late shifts count into it).
    3. Windows of ``window`` start intervals (half overlapping) are solved
       again exactly by HiGHS with everything else fixed, the windows whose
       shifts cost most above the LP first, until the gap is at most
       ``mip_gap``, no window improves or time runs out.

    Returns the units, the lower bound and a status: ``"optimal"`` (within ``mip_gap``),
    ``"time limit reached"``, ``"stopped: no window improves the plan"``, ``"short"`` (a hard
    cover left short), ``"infeasible"`` or ``"no plan found by the decomposition"``.
    """
    deadline = time.perf_counter() + time_limit
    full = build(grid, objective, penalty=penalty)
    lp = relaxation(full, interior=True, time_limit=time_limit)
    if lp.status == 2:
        return [], None, "infeasible"
    d = _setup(grid, objective, penalty, full, lp, time_limit, mip_gap, deadline)
    units = _by_day(d)
    if units is None:
        return [], d.bound, "no plan found by the decomposition"
    units, status = _improve(d, units, window)
    if status is not None:
        return units, d.bound, status
    if d.gap_of(units) == float("inf") and penalty is None:
        return units, d.bound, "short"
    return units, d.bound, "optimal" if d.gap_of(units) <= mip_gap else "stopped: no window improves the plan"
