"""The integer program of a shift plan, for HiGHS: its variables and rows, solving it, and the breaks given back.

**Variables.** Shift starts are integer variables ``x[template, start]``. Breaks use the
implicit formulation of Bechtold and Jacobs (1990): instead of one variable per shift
*and* break position, each (template, break) pair — a :class:`~simulate.staffing.shifts.calendar.BreakPool`
— has one integer variable ``b[t]`` per time a break can start, and a FIFO queue ``Q[t]``
of shifts waiting for that break links them: shifts join the queue when their break
window opens, ``b[t]`` breaks are taken from it at ``t``, and no shift may still be
waiting when its window closes. With a penalty, ``u[t]`` counts the staff missing.

**Rows**, in the order :func:`build` writes them: cover (on duty + shortfall ≥ required),
the break queues (flow and capacity), staff per template per day, the part-time share.

**Breaks given back.** The solution says how many breaks start when, not whose they are:
:func:`assign_breaks` matches them to shifts first-in first-out, which is exact because
every shift of a template has the same window relative to its start (Hall's condition);
:func:`units_from_solution` turns a solution into ``(template, start, breaks, staff)``
units, and :func:`staff_on_duty` counts what they cover.
"""

from __future__ import annotations

import warnings
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp

from simulate.staffing.shifts.calendar import BreakPool, Grid, Horizon

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

__all__ = [
    "OBJECTIVES", "Objective", "Program", "Unit", "assign_breaks", "build", "milp_quietly", "objective_of", "relaxation",
    "solve", "staff_on_duty", "units_from_solution", "weights",
]

Objective = Literal["paid_hours", "headcount", "cost"]
#: The objectives a plan can minimise.
OBJECTIVES = ("paid_hours", "headcount", "cost")

#: Staff placed on one template at one start with the same breaks:
#: (template, start interval, break start intervals, staff).
Unit: TypeAlias = "tuple[int, int, tuple[int, ...], int]"


@dataclass
class Program:
    """The integer program of a grid (from :func:`build`), in the form ``scipy.optimize.milp`` takes."""

    c: NDArray[np.float64]
    integrality: NDArray[np.float64]
    lb: NDArray[np.float64]
    ub: NDArray[np.float64]
    A: sparse.csr_matrix
    row_lb: NDArray[np.float64]
    row_ub: NDArray[np.float64]
    x_at: list[int]  # first variable of each template's starts
    b_at: list[int]  # first variable of each pool's b[t]
    u_at: int | None  # first shortfall variable
    scale: float  # objective units per solver unit


def weights(grid: Grid, objective: str) -> NDArray[np.float64]:
    """Objective per shift of each template, in the objective's units (ValueError for an unknown
    objective, or ``"cost"`` without ``cost_per_hour`` on every template).

    >>> from simulate.staffing.shifts.calendar import horizon, template_grid
    >>> from simulate.staffing.shifts.templates import as_templates
    >>> g = template_grid(horizon([1], interval="8 h", start="08:00", day=None, cyclic=None),
    ...                   as_templates([{"name": "a", "earliest_start": "08:00", "length": "8 h"}]))
    >>> weights(g, "paid_hours").tolist(), weights(g, "headcount").tolist()
    ([8.0], [1.0])
    """
    tpls = grid.templates.templates
    paid = np.array([t.paid_hours for t in tpls])
    if objective == "paid_hours":
        return paid
    if objective == "cost":
        missing = [t.name for t in tpls if t.cost_per_hour is None]
        if missing:
            raise ValueError(f"objective='cost' needs cost_per_hour on every template; missing on {', '.join(missing)}")
        return paid * np.array([t.cost_per_hour for t in tpls], dtype=float)
    if objective == "headcount":
        return np.ones(len(tpls))
    raise ValueError(f"unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}")


# -- the program, step by step ---------------------------------------------------------


class _Rows:
    """The constraint matrix as it is written: triplets and row bounds, rows numbered as they are added."""

    def __init__(self) -> None:
        self.rows: list[NDArray[np.int64]] = []
        self.cols: list[NDArray[np.int64]] = []
        self.vals: list[NDArray[np.float64]] = []
        self.lo: list[NDArray[np.float64]] = []
        self.hi: list[NDArray[np.float64]] = []
        self.count = 0

    def new(self, lo: ArrayLike, hi: ArrayLike, count: int) -> NDArray[np.int64]:
        """``count`` new rows with bounds ``lo`` ≤ row ≤ ``hi``; their numbers."""
        self.lo.append(np.broadcast_to(np.asarray(lo, dtype=float), (count,)))
        self.hi.append(np.broadcast_to(np.asarray(hi, dtype=float), (count,)))
        self.count += count
        return np.arange(self.count - count, self.count)

    def add(self, r: ArrayLike, cs: ArrayLike, v: float | NDArray[np.float64]) -> None:
        """Coefficient ``v`` at rows ``r`` and columns ``cs`` (broadcast together)."""
        r, cs = np.broadcast_arrays(np.asarray(r, dtype=np.int64), np.asarray(cs, dtype=np.int64))
        self.rows.append(r.ravel())
        self.cols.append(cs.ravel())
        self.vals.append(np.broadcast_to(np.asarray(v, dtype=float), r.shape).ravel())

    def matrix(self, n: int) -> tuple[sparse.csr_matrix, NDArray[np.float64], NDArray[np.float64]]:
        """The matrix over ``n`` variables and its row bounds."""
        def cat(parts: list[NDArray[Any]], dt: type) -> NDArray[Any]:
            return np.concatenate(parts).astype(dt) if parts else np.zeros(0, dtype=dt)

        A = sparse.csr_matrix((cat(self.vals, float), (cat(self.rows, np.int64), cat(self.cols, np.int64))),
                              shape=(self.count, n))
        return A, cat(self.lo, float), cat(self.hi, float)


@dataclass
class _Layout:
    """Where each family of variables starts: x per template start, then b and Q per break pool
    (one per interval each), then the shortfall u (one per interval, with a penalty)."""

    x_at: list[int]
    b_at: list[int]
    q_at: list[int]
    u_at: int | None
    n: int


def _layout(grid: Grid, penalty: float | None) -> _Layout:
    T = grid.h.T
    n = 0
    x_at = []
    for k in range(len(grid.templates.templates)):
        x_at.append(n)
        n += len(grid.starts[k])
    b_at, q_at = [], []
    for _ in grid.pools:
        b_at.append(n)
        q_at.append(n + T)
        n += 2 * T
    u_at = None
    if penalty is not None:
        u_at = n
        n += T
    return _Layout(x_at, b_at, q_at, u_at, n)


def _objective(grid: Grid, objective: str, v: _Layout, c: NDArray[np.float64], penalty: float | None,
               shortfall_only: bool) -> float:
    """Fill the costs ``c``, scaled to whole numbers where they can be (HiGHS then uses objective
    integrality); the objective units per solver unit."""
    h = grid.h
    tpls = grid.templates.templates
    w = weights(grid, objective)
    if objective == "paid_hours":
        scale = h.step / 3600
    elif objective == "headcount":
        maxL = max(grid.lengths)
        budget = (int(h.required.sum()) + sum(t.min_count for t in tpls) * 8 + 1) * maxL
        paid_steps = np.array([t.paid_hours for t in tpls]) * 3600 / h.step
        w = w + 0.5 * paid_steps / budget / max(1.0, float(paid_steps.max()) / maxL)  # ties: fewer paid hours
        scale = 1.0
    else:
        scale = 1.0
    for k in range(len(tpls)):
        c[v.x_at[k]:v.x_at[k] + len(grid.starts[k])] = 0.0 if shortfall_only else w[k] / scale
    if v.u_at is not None and penalty is not None:
        c[v.u_at:v.u_at + h.T] = 1.0 if shortfall_only else float(penalty) / scale
    return scale


def _cover(rows: _Rows, grid: Grid, v: _Layout, integrality: NDArray[np.float64], ub: NDArray[np.float64]) -> None:
    """Cover: on duty (started, not on a break) + shortfall ≥ required, in every interval."""
    h = grid.h
    T = h.T
    cover = rows.new(h.required, np.inf, T)
    for k in range(len(grid.templates.templates)):
        st = grid.starts[k]
        if len(st):
            rows.add(cover[_wrap(h, st[:, None] + np.arange(grid.lengths[k])[None, :])],
                     (v.x_at[k] + np.arange(len(st)))[:, None], 1.0)
    for p, pool in enumerate(grid.pools):
        st = grid.starts[pool.k]
        reach = np.zeros(T, dtype=bool)
        if len(st):
            reach[_wrap(h, st[:, None] + pool.delay + np.arange(pool.width)[None, :]).ravel()] = True
        integrality[v.b_at[p]:v.b_at[p] + T] = 1
        ub[v.b_at[p]:v.b_at[p] + T] = np.where(reach, np.inf, 0.0)
        taus = np.flatnonzero(reach)
        if len(taus):
            rows.add(cover[_wrap(h, taus[:, None] + np.arange(pool.length)[None, :])], (v.b_at[p] + taus)[:, None], -1.0)
    if v.u_at is not None:
        rows.add(cover, v.u_at + np.arange(T), 1.0)


def _breaks(rows: _Rows, grid: Grid, v: _Layout, ub: NDArray[np.float64]) -> None:
    """Breaks (Bechtold & Jacobs): per break pool, a FIFO queue Q of shifts waiting for the break."""
    h = grid.h
    T = h.T
    for p, pool in enumerate(grid.pools):
        st = grid.starts[pool.k]
        opens = _wrap(h, st + pool.delay)  # time each start's window opens (inside the horizon for a fitting shift)
        xs = v.x_at[pool.k] + np.arange(len(st))
        t = np.arange(T)
        # Q[t] - Q[t-1] - (shifts whose window opens at t) + b[t] = 0
        flow = rows.new(0.0, 0.0, T)
        rows.add(flow, v.q_at[p] + t, 1.0)
        rows.add(flow, v.b_at[p] + t, 1.0)
        prev = t[1:] if not h.cyclic else t
        rows.add(flow[prev], v.q_at[p] + (prev - 1) % T, -1.0)
        rows.add(flow[opens], xs, -1.0)
        # Q[t] ≤ shifts still waiting whose window is open after t
        if pool.width == 1:
            ub[v.q_at[p]:v.q_at[p] + T] = 0.0
            continue
        cap = rows.new(-np.inf, 0.0, T)
        rows.add(cap, v.q_at[p] + t, 1.0)
        for i in range(pool.width - 1):
            later = opens + i
            keep = later < T if not h.cyclic else np.ones(len(later), dtype=bool)
            rows.add(cap[_wrap(h, later[keep])], xs[keep], -1.0)


def _limits(rows: _Rows, grid: Grid, v: _Layout, fixed_counts: dict[tuple[int, int], int] | None,
            fixed_share: tuple[int, int]) -> None:
    """Staff per template per day (min_count, max_count) and the part-time share, counting staff placed outside."""
    tpls = grid.templates.templates
    for k, tpl in enumerate(tpls):
        if tpl.min_count == 0 and tpl.max_count is None:
            continue
        for d in np.unique(grid.days[k]):
            which = np.flatnonzero(grid.days[k] == d)
            have = (fixed_counts or {}).get((k, int(d)), 0)
            hi = float(tpl.max_count - have) if tpl.max_count is not None else np.inf
            r = rows.new(float(max(tpl.min_count - have, 0)), hi, 1)
            rows.add(r[0], v.x_at[k] + which, 1.0)
    # part-time share: (part-time placed + new) ≤ share × (all placed + new)
    share = grid.templates.max_part_time_share
    if share is not None and any(t.part_time for t in tpls):
        pt_fixed, all_fixed = fixed_share
        r = rows.new(-np.inf, share * all_fixed - pt_fixed, 1)
        for k, tpl in enumerate(tpls):
            rows.add(r[0], v.x_at[k] + np.arange(len(grid.starts[k])), (1.0 - share) if tpl.part_time else -share)


def _wrap(h: Horizon, t: NDArray[np.int64]) -> NDArray[np.int64]:
    return t % h.T if h.cyclic else t


def build(
    grid: Grid,
    objective: str,
    *,
    penalty: float | None,
    shortfall_only: bool = False,
    fixed_counts: dict[tuple[int, int], int] | None = None,
    fixed_share: tuple[int, int] = (0, 0),
) -> Program:
    """The integer program of ``grid`` for ``objective``, in the steps named in the module notes.

    ``penalty`` (objective units per missing staff-interval) allows shortfall; with
    ``shortfall_only`` the objective is the shortfall alone (for :func:`diagnose`).
    ``fixed_counts`` (staff per (template, day)) and ``fixed_share`` (part-time, all) are
    staff already placed outside the program (the windows of the decomposition).

    >>> from simulate.staffing.shifts.calendar import horizon, template_grid
    >>> from simulate.staffing.shifts.templates import as_templates
    >>> h = horizon([1, 2, 2, 1], interval="1 h", start="00:00", day=None, cyclic=None)
    >>> g = template_grid(h, as_templates([{"name": "a", "earliest_start": "00:00", "latest_start": "02:00",
    ...                                       "start_step": "1 h", "length": "2 h"}]))
    >>> build(g, "paid_hours", penalty=None).A.shape  # 3 starts; 4 cover rows
    (4, 3)
    """
    v = _layout(grid, penalty)
    c = np.zeros(v.n)
    integrality = np.zeros(v.n)
    lb = np.zeros(v.n)
    ub = np.full(v.n, np.inf)
    scale = _objective(grid, objective, v, c, penalty, shortfall_only)
    for k, tpl in enumerate(grid.templates.templates):
        sl = slice(v.x_at[k], v.x_at[k] + len(grid.starts[k]))
        integrality[sl] = 1
        if tpl.max_count is not None:
            ub[sl] = tpl.max_count
    rows = _Rows()
    _cover(rows, grid, v, integrality, ub)
    _breaks(rows, grid, v, ub)
    _limits(rows, grid, v, fixed_counts, fixed_share)
    A, row_lb, row_ub = rows.matrix(v.n)
    return Program(c, integrality, lb, ub, A, row_lb, row_ub, v.x_at, v.b_at, v.u_at, scale)


def solve(built: Program, *, time_limit: float | None, mip_gap: float | None) -> OptimizeResult:
    """The integer program solved by HiGHS (``scipy.optimize.milp``), to ``mip_gap`` or ``time_limit`` seconds."""
    options: dict[str, Any] = {"disp": False, "presolve": True}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    if mip_gap is not None:
        options["mip_rel_gap"] = float(mip_gap)
    return milp(
        built.c,
        integrality=built.integrality,
        bounds=Bounds(built.lb, built.ub),
        constraints=LinearConstraint(built.A, built.row_lb, built.row_ub),
        options=options,
    )


def milp_quietly(c: NDArray[np.float64], integrality: NDArray[np.float64], lb: NDArray[np.float64],
                 ub: NDArray[np.float64], built: Program, options: dict[str, Any]) -> OptimizeResult:
    """``milp`` on ``built``'s rows with these costs, integrality and bounds, passing HiGHS options scipy
    does not name itself (it forwards them with a warning, silenced here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return milp(c, integrality=integrality, bounds=Bounds(lb, ub),
                    constraints=LinearConstraint(built.A, built.row_lb, built.row_ub), options=options)


def relaxation(built: Program, lb: NDArray[np.float64] | None = None, ub: NDArray[np.float64] | None = None, *,
               interior: bool = False, time_limit: float | None = None) -> OptimizeResult:
    """The LP relaxation, within bounds ``lb``/``ub`` (the program's own by default): HiGHS dual simplex,
    or interior point without crossover for a large model (``interior``)."""
    options: dict[str, Any] = {"disp": False}
    if time_limit is not None:
        options["time_limit"] = max(float(time_limit), 0.01)
    zero = np.zeros_like(built.c)
    lb = built.lb if lb is None else lb
    ub = built.ub if ub is None else ub
    if interior:
        try:
            res = milp_quietly(built.c, zero, lb, ub, built, options | {"solver": "ipm", "run_crossover": "off"})
            if res.status in (0, 2):
                return res
        except (TypeError, ValueError, KeyError):  # an older scipy that refuses HiGHS's own options
            pass
    return milp_quietly(built.c, zero, lb, ub, built, options)


# -- giving breaks back to shifts -----------------------------------------------------


def assign_breaks(grid: Grid, pool: BreakPool, x: dict[int, int], b: NDArray[np.int64]) -> dict[int, list[int]]:
    """Break start intervals for every shift of ``pool``'s template: ``{start: [break, ...]}``.

    ``x`` is the staff per start interval, ``b`` the breaks starting per interval.

    FIFO matching: shifts join a queue when their window opens and the
    breaks at each time go to the shifts that have waited longest. When the
    Bechtold–Jacobs conditions hold, nobody waits past their window.
    """
    h = grid.h
    T = h.T
    units: list[tuple[int, int]] = []  # (time window opens, start)
    for s in sorted(x):
        e = s + pool.delay
        units += [(e % T if h.cyclic else e, s)] * x[s]
    units.sort()
    y = np.zeros(T, dtype=np.int64)
    for e, _ in units:
        y[e] += 1
    if y.sum() != b.sum():
        raise RuntimeError(f"break pool of template {pool.k}: {y.sum()} shifts but {b.sum()} breaks")
    carry = 0
    if h.cyclic:  # shifts still waiting at the end of the cycle wait into its start
        carry = max(0, -int(np.cumsum(y - b).min()))
    queue: deque[tuple[int, int]] = deque(units[len(units) - carry:] if carry else [])
    pending = [(e, s) for e, s in units]
    at = 0
    out: dict[int, list[int]] = defaultdict(list)
    for t in range(T):
        while at < len(pending) and pending[at][0] == t:
            queue.append(pending[at])
            at += 1
        for _ in range(int(b[t])):
            if not queue:
                raise RuntimeError(f"break at interval {t} with no shift waiting")
            e, s = queue.popleft()
            wait = (t - e) % T if h.cyclic else t - e
            if not 0 <= wait < pool.width:
                raise RuntimeError(f"a shift starting at interval {s} waits past its break window")
            out[s].append(t)
    if len(queue) != carry:
        raise RuntimeError("break matching did not close its cycle")
    return out


def units_from_solution(grid: Grid, built: Program, xs: NDArray[np.float64]) -> list[Unit]:
    """The plan's :data:`Unit` rows from a solver solution ``xs``, breaks given back by :func:`assign_breaks`."""
    rows: list[Unit] = []
    for k in range(len(grid.templates.templates)):
        counts = np.rint(xs[built.x_at[k]:built.x_at[k] + len(grid.starts[k])]).astype(np.int64)
        x = {int(grid.starts[k][i]): int(v) for i, v in enumerate(counts) if v > 0}
        per_pool = []
        for pool in grid.pools_of(k):
            p = grid.pools.index(pool)
            b = np.rint(xs[built.b_at[p]:built.b_at[p] + grid.h.T]).astype(np.int64)
            per_pool.append(assign_breaks(grid, pool, x, b))
        for s, n in sorted(x.items()):
            lists = [sorted(a[s]) for a in per_pool]
            combos: dict[tuple[int, ...], int] = defaultdict(int)
            for i in range(n):
                combos[tuple(lst[i] for lst in lists)] += 1
            for brk, cnt in sorted(combos.items()):
                rows.append((k, s, brk, cnt))
    return rows


def staff_on_duty(grid: Grid, units: Sequence[Unit]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Staff on duty and staff on a break, per interval of the grid's horizon."""
    T = grid.h.T
    started = np.zeros(T, dtype=np.int64)
    on_break = np.zeros(T, dtype=np.int64)
    for k, s, brk, n in units:
        np.add.at(started, grid.span(s, grid.lengths[k]), n)
        for pool, tau in zip(grid.pools_of(k), brk):
            np.add.at(on_break, grid.span(tau, pool.length), n)
    return started - on_break, on_break


def objective_of(grid: Grid, units: list[Unit], objective: str, penalty: float | None) -> float:
    """The objective of a plan's units (in the objective's units), shortfall penalised when ``penalty`` is given."""
    w = weights(grid, objective)
    value = float(sum(c * w[k] for k, _, _, c in units))
    if penalty is not None:
        on = staff_on_duty(grid, units)[0]
        value += penalty * float(np.maximum(grid.h.required - on, 0).sum())
    return value
