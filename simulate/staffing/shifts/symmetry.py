"""Days with the same demand get the same shifts.

A week whose Tuesday, Wednesday and Thursday bring the same calls should be staffed the
same on each: the solver may pick different, equally cheap shifts for them (ties), or
spread a part-time share that does not divide evenly over the days, and a planner reads
that as noise. Two ways, both here:

- :func:`tie_days` writes it into the integer program: a start on one day of a class and
  the same start on each other day are one decision (an equality row), and so are the
  break starts. The solver then finds the cheapest plan among those that staff the days
  alike (``schedule_shifts(..., alike=classes)`` does this). A break that falls on a day
  outside the class (after midnight) is not tied.
- :func:`same_days` mends a plan already made: each class gets the shifts of one of its
  days, moved to the others, the cheapest day whose copy is a valid plan (every start
  allowed on its day, the requirement covered, the part-time share kept). A copy can cost
  a little more than the tied program's plan (a part-time shift that only fitted on one
  day is now full-time on each); where no day's copy is valid the plan is kept as it was.
  ``schedule_shifts`` falls back on it when the tied program finds no plan in time.

>>> from simulate.staffing.shifts import schedule_shifts
>>> day = [0] * 32 + [3] * 8 + [5] * 16 + [3] * 12 + [0] * 28
>>> tpl = [{"name": "day", "earliest_start": "07:00", "latest_start": "10:00", "length": "8 h"},
...        {"name": "peak", "earliest_start": "09:00", "latest_start": "13:00", "length": "4 h"}]
>>> week = schedule_shifts(day * 7, tpl)
>>> even = same_days(week, [[0, 1, 2, 3, 4, 5, 6]], per_day=96)
>>> even.paid_hours <= week.paid_hours, len(set(even.shifts.groupby("day")["paid_hours"].sum()))
(True, 1)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from blueprint.staffing import DAY
from simulate.staffing.shifts.calendar import Grid
from simulate.staffing.shifts.program import Program, Unit, staff_on_duty, weights

if TYPE_CHECKING:  # pragma: no cover
    from simulate.staffing.shifts.plan import ShiftPlan

__all__ = ["same_days", "tie_days"]


def tie_days(built: Program, grid: Grid, classes: Sequence[Sequence[int]]) -> Program:
    """``built`` with the days of each class (day numbers from the horizon's start) staffed alike: each
    start (and break start) on a class's first day equals the same one on its other days; a start with no
    twin on the first day is closed. Classes of one day are left alone.

    >>> from simulate.staffing.shifts.calendar import horizon, template_grid
    >>> from simulate.staffing.shifts.program import build
    >>> from simulate.staffing.shifts.templates import as_templates
    >>> h = horizon([0, 2, 2, 0] * 2, interval="6 h", start="00:00", day="monday", cyclic=False)
    >>> g = template_grid(h, as_templates([{"name": "a", "earliest_start": "06:00", "latest_start": "06:00",
    ...                                       "start_step": "6 h", "length": "12 h"}]))
    >>> tied = tie_days(build(g, "paid_hours", penalty=None), g, [[0, 1]])
    >>> tied.A.shape[0] - build(g, "paid_hours", penalty=None).A.shape[0]  # one start tied to its twin
    1
    """
    multi = [list(c) for c in classes if len(c) > 1]
    if not multi:
        return built
    h = grid.h
    per_day = int(round(DAY / h.step))
    pairs: list[tuple[int, int]] = []
    ub = built.ub.copy()
    for k in range(len(grid.templates.templates)):
        index = {int(s): built.x_at[k] + i for i, s in enumerate(grid.starts[k])}
        day = grid.days[k]
        for group in multi:
            first = group[0]
            for i, s in enumerate(grid.starts[k]):
                d = int(day[i])
                if d == first:
                    for other in group[1:]:
                        twin = index.get(int(s) + (other - first) * per_day)
                        if twin is None:
                            ub[built.x_at[k] + i] = 0.0
                        else:
                            pairs.append((built.x_at[k] + i, twin))
                elif d in group and index.get(int(s) - (d - first) * per_day) is None:
                    ub[built.x_at[k] + i] = 0.0
    for b0 in built.b_at:
        for group in multi:
            first = group[0]
            for t in range(h.T):
                if h.day_number(t) != first:
                    continue
                for other in group[1:]:
                    u = t + (other - first) * per_day
                    if u < h.T:
                        pairs.append((b0 + t, b0 + u))
    if not pairs:
        return built
    n = built.A.shape[1]
    rows = np.repeat(np.arange(len(pairs)), 2)
    cols = np.array(pairs, dtype=np.int64).ravel()
    vals = np.tile([1.0, -1.0], len(pairs))
    tie = sparse.csr_matrix((vals, (rows, cols)), shape=(len(pairs), n))
    zeros = np.zeros(len(pairs))
    return replace(built, A=sparse.vstack([built.A, tie], format="csr"), row_lb=np.concatenate([built.row_lb, zeros]),
                   row_ub=np.concatenate([built.row_ub, zeros]), ub=ub)


def same_days(plan: ShiftPlan, classes: Sequence[Sequence[int]], per_day: int) -> ShiftPlan:
    """``plan`` with the days of each class (day numbers from the horizon's start, ``per_day``
    intervals a day) staffed alike, by the shifts of the cheapest of its days whose copy is valid;
    ``plan`` itself where no copy is (see the module notes)."""
    grid = plan.grid
    units: list[Unit] = list(plan._units)
    if not any(len(c) > 1 for c in classes) or not units:
        return plan
    w = weights(grid, plan.objective)
    by_day: dict[int, list[Unit]] = defaultdict(list)
    for u in units:
        by_day[u[1] // per_day].append(u)
    multi = [list(c) for c in classes if len(c) > 1]
    moved = {d for c in multi for d in c}
    kept: list[Unit] = [u for u in units if u[1] // per_day not in moved]
    for i, group in enumerate(multi):
        later = [u for g in multi[i + 1:] for d in g for u in by_day[d]]
        for best in sorted(group, key=lambda d: (sum(w[k] * n for k, _, _, n in by_day[d]), d)):
            copied = _copied(grid, by_day[best], group, best, per_day)
            if copied is not None and _valid(grid, kept + copied + later):
                kept += copied
                break
        else:
            return plan
    return plan.with_units(kept)


def _copied(grid: Grid, day: list[Unit], group: Sequence[int], best: int, per_day: int) -> list[Unit] | None:
    """The units of day ``best`` moved to every day of ``group``; None if a start is not allowed there."""
    allowed = [set(int(s) for s in starts) for starts in grid.starts]
    T = grid.h.T
    out: list[Unit] = []
    for d in group:
        off = (d - best) * per_day
        for k, s, brk, n in day:
            start = s + off
            if start not in allowed[k] or not 0 <= start < T:
                return None
            out.append((k, start, tuple(int((b + off) % T if grid.h.cyclic else b + off) for b in brk), n))
    return out


def _valid(grid: Grid, units: list[Unit]) -> bool:
    """``units`` cover the requirement everywhere and keep the part-time share."""
    on_duty, _ = staff_on_duty(grid, units)
    if (on_duty < np.asarray(grid.h.required)).any():
        return False
    share = grid.templates.max_part_time_share
    if share is None:
        return True
    part = sum(n for k, _, _, n in units if grid.templates.templates[k].part_time)
    return part <= share * sum(n for *_, n in units) + 1e-9
