"""A greedy shift plan, as a baseline for :func:`~simulate.staffing.shifts.schedule_shifts`.

>>> greedy_shifts([2, 2, 3, 3, 1, 1], [{"name": "a", "earliest_start": "08:00", "latest_start": "12:00",
...     "start_step": "1 h", "length": "2 h"}], interval="1 h", start="08:00").headcount
6
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from simulate.staffing.shifts.calendar import Grid, IntervalLike, RequirementLike, horizon, template_grid
from simulate.staffing.shifts.diagnose import check_reach, raise_infeasible
from simulate.staffing.shifts.plan import ShiftPlan, plan_from_units
from simulate.staffing.shifts.program import Objective, weights
from simulate.staffing.shifts.templates import TemplatesLike, as_templates

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["greedy_shifts"]

#: A pick: (score, template, start interval, break start intervals).
_Pick = tuple[float, int, int, tuple[int, ...]]


class _Greedy:
    """The greedy plan as it grows: staff still missing per interval, and the shifts chosen."""

    def __init__(self, grid: Grid, objective: str) -> None:
        self.grid = grid
        self.h = grid.h
        self.tpls = grid.templates.templates
        self.share = grid.templates.max_part_time_share
        self.weight = weights(grid, objective)
        self.deficit = grid.h.required.astype(np.int64).copy()
        self.used: dict[tuple[int, int], int] = defaultdict(int)  # (template, day) -> staff
        self.chosen: dict[tuple[int, int, tuple[int, ...]], int] = defaultdict(int)
        self.totals = [0, 0]  # all, part-time

    def window_sums(self, need: NDArray[np.int64], n: int) -> NDArray[np.int64]:
        """Per start interval, the sum of ``need`` over the ``n`` intervals from it."""
        T = self.h.T
        ext = np.concatenate([need, need]) if self.h.cyclic else np.concatenate([need, np.zeros(n, dtype=need.dtype)])
        c = np.concatenate([[0], np.cumsum(ext)])
        return c[np.arange(T) + n] - c[np.arange(T)]

    def allowed(self, k: int, day_only: int | None) -> NDArray[np.bool_] | None:
        """Which starts of template ``k`` may take one more shift (None: none, or the part-time share is full)."""
        tpl, grid = self.tpls[k], self.grid
        if self.share is not None and tpl.part_time and self.totals[1] + 1 > self.share * (self.totals[0] + 1) + 1e-9:
            return None
        ok = np.ones(len(grid.starts[k]), dtype=bool)
        if day_only is not None:
            ok &= grid.days[k] == day_only
        if tpl.max_count is not None:
            ok &= np.array([self.used[(k, int(d))] < tpl.max_count for d in grid.days[k]], dtype=bool)
        return ok if ok.any() else None

    def best(self, ks: list[int], day_only: int | None = None, need_gain: bool = True) -> _Pick | None:
        """The shift (template, start, breaks where they take the fewest needed staff off duty) that covers
        the most still-uncovered staff-intervals per unit of objective."""
        need = (self.deficit > 0).astype(np.int64)
        top: _Pick | None = None
        for k in ks:
            ok = self.allowed(k, day_only)
            if ok is None:
                continue
            s = self.grid.starts[k][ok]
            gain = self.window_sums(need, self.grid.lengths[k])[s].astype(float)
            placed = []
            for pool in self.grid.pools_of(k):
                loss = self.window_sums(need, pool.length)
                pos = s[:, None] + pool.delay + np.arange(pool.width)[None, :]
                pos = pos % self.h.T if self.h.cyclic else pos
                lost = loss[pos]
                arg = lost.argmin(axis=1)
                gain -= lost[np.arange(len(s)), arg]
                placed.append(pos[np.arange(len(s)), arg])
            score = gain / max(self.weight[k], 1e-12)
            i = int(np.argmax(score))
            if need_gain and gain[i] <= 0:
                continue
            if top is None or score[i] > top[0] + 1e-12:
                top = (float(score[i]), k, int(s[i]), tuple(int(p[i]) for p in placed))
        return top

    def take(self, k: int, s: int, brk: tuple[int, ...]) -> None:
        """One more shift of template ``k`` starting at ``s`` with breaks at ``brk``."""
        grid = self.grid
        self.chosen[(k, s, brk)] += 1
        self.used[(k, int(self.h.day_number(s)))] += 1
        self.totals[0] += 1
        self.totals[1] += int(self.tpls[k].part_time)
        self.deficit[grid.span(s, grid.lengths[k])] -= 1
        for pool, tau in zip(grid.pools_of(k), brk):
            self.deficit[grid.span(tau, pool.length)] += 1


def greedy_shifts(
    requirements: RequirementLike,
    templates: TemplatesLike,
    *,
    objective: Objective = "paid_hours",
    interval: IntervalLike | None = None,
    start: str = "00:00",
    day: str | None = None,
    cyclic: bool | None = None,
) -> ShiftPlan:
    """A plain greedy plan, as a baseline for :func:`~simulate.staffing.shifts.schedule_shifts`.

    Repeatedly adds the shift (template, start, and each break where it
    takes the fewest needed staff off duty) that covers the most
    still-uncovered staff-intervals per unit of objective, until every
    interval is covered. Honours ``min_count`` (placed first), ``max_count``
    and ``max_part_time_share``; no optimality is claimed (``status`` is
    ``"heuristic"``, ``gap`` is NaN). The arguments are those of ``schedule_shifts``.

    >>> greedy_shifts([2, 2, 3, 3, 1, 1], [{"name": "a", "earliest_start": "08:00", "latest_start": "12:00",
    ...     "start_step": "1 h", "length": "2 h"}], interval="1 h", start="08:00").headcount
    6
    """
    tset = as_templates(templates)
    h = horizon(requirements, interval=interval, start=start, day=day, cyclic=cyclic)
    grid = template_grid(h, tset)
    check_reach(grid)
    g = _Greedy(grid, objective)
    began = time.perf_counter()
    for k, tpl in enumerate(tset.templates):
        for d in np.unique(grid.days[k]):
            for _ in range(tpl.min_count):
                pick = g.best([k], day_only=int(d), need_gain=False)
                if pick is None:
                    break
                g.take(*pick[1:])
    while (g.deficit > 0).any():
        pick = g.best(list(range(len(tset.templates))))
        if pick is None:
            short = [t for t in range(h.T) if g.deficit[t] > 0]
            raise_infeasible(h, [(short, "the greedy heuristic found no shift that still helps (limits reached)")],
                             "the greedy plan cannot cover the requirement:")
        g.take(*pick[1:])
    units = [(k, s, brk, n) for (k, s, brk), n in sorted(g.chosen.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2]))]
    return plan_from_units(grid, units, objective=objective, objective_value=None, status="heuristic",
                           gap=float("nan"), dual_bound=None, seconds=time.perf_counter() - began)
