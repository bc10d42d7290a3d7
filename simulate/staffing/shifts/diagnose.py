"""Infeasible requirements, explained: which intervals no plan covers, and why.

:func:`check_reach` refuses before any solving the intervals no template reaches, or that
need more staff than the templates' ``max_count`` allow; after the solver found no plan,
:func:`diagnose` finds the intervals that stay short when shortfall is allowed. Both raise
:class:`InfeasibleShiftsError`, one line per run of intervals.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, NoReturn

import numpy as np

from blueprint.units import format_number
from simulate.staffing.shifts.calendar import Grid, Horizon
from simulate.staffing.shifts.program import build, relaxation, solve

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["InfeasibleShiftsError", "check_reach", "diagnose", "raise_infeasible"]


class InfeasibleShiftsError(ValueError):
    """No plan covers the requirement; says which intervals and why.

    ``intervals`` are the indices of the intervals that cannot be covered,
    ``labels`` their times, ``reasons`` one line per run of intervals.
    """

    def __init__(self, message: str, intervals: list[int], labels: list[str], reasons: list[str]) -> None:
        super().__init__(message)
        self.intervals = intervals
        self.labels = labels
        self.reasons = reasons


def raise_infeasible(h: Horizon, problems: list[tuple[list[int], str]], head: str) -> NoReturn:
    """Raise :class:`InfeasibleShiftsError`: ``head``, then one line per run of intervals of each
    problem ``(intervals, why)``, with its times and the most staff it requires.

    >>> from simulate.staffing.shifts.calendar import horizon
    >>> h = horizon([0, 3, 3, 0], interval="1 h", start="08:00", day=None, cyclic=None)
    >>> raise_infeasible(h, [([1, 2], "no shift then")], "no plan:")
    Traceback (most recent call last):
    ...
    simulate.staffing.shifts.diagnose.InfeasibleShiftsError: no plan:
      - 09:00–11:00 (2 intervals, up to 3 staff required): no shift then
    """
    lines, intervals, reasons = [], [], []
    for ts, why in problems:
        for a, b in h.spans(ts):
            need = int(h.required[a:b + 1].max())
            n = b - a + 1
            line = f"{h.span(a, b)} ({n} interval{'s' * (n != 1)}, up to {need} staff required): {why}"
            lines.append("  - " + line)
            reasons.append(line)
        intervals += list(ts)
    intervals = sorted(set(intervals))
    raise InfeasibleShiftsError(head + "\n" + "\n".join(lines), intervals, [h.label(t) for t in intervals], reasons)


def _reach(grid: Grid) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Per interval: can any shift be on duty then, and how many staff at most (inf when no max)."""
    h = grid.h
    reachable = np.zeros(h.T, dtype=bool)
    most = np.zeros(h.T)
    for k, tpl in enumerate(grid.templates.templates):
        cover_days: list[set[int]] = [set() for _ in range(h.T)]
        for s, d in zip(grid.starts[k], grid.days[k]):
            for t in grid.span(int(s), grid.lengths[k]):
                cover_days[t].add(int(d))
        for t in range(h.T):
            if cover_days[t]:
                reachable[t] = True
                most[t] += np.inf if tpl.max_count is None else tpl.max_count * len(cover_days[t])
    return reachable, most


def check_reach(grid: Grid) -> None:
    """Refuse, before solving, intervals no shift reaches or that need more staff than the max counts allow."""
    h = grid.h
    tpls = grid.templates.templates
    reachable, most = _reach(grid)
    problems: list[tuple[list[int], str]] = []
    unreached = [t for t in range(h.T) if h.required[t] > 0 and not reachable[t]]
    if unreached:
        starts = "; ".join(
            f"{t.name} starts {t.starts_text()}" + (f" on {', '.join(d[:3] for d in t.days)}" if t.days else "")
            + f", lasts {t.length}" for t in tpls
        )
        why = f"no template has a shift on duty then ({starts})"
        if not h.cyclic:
            why += "; the horizon does not wrap, so every shift must start and end inside it"
        problems.append((unreached, why))
    over = [t for t in range(h.T) if h.required[t] > 0 and reachable[t] and h.required[t] > most[t]]
    if over:
        groups: dict[int, list[int]] = defaultdict(list)
        for t in over:
            groups[int(most[t])].append(t)
        capped = ", ".join(f"{t.name} at most {t.max_count} a day" for t in tpls if t.max_count is not None)
        for m, ts in sorted(groups.items()):
            problems.append((ts, f"at most {m} staff can be on duty then ({capped})"))
    if problems:
        raise_infeasible(h, problems, "no shift plan covers the requirement:")


def diagnose(grid: Grid, time_limit: float | None) -> NoReturn:
    """After the solver found no plan: raise :class:`InfeasibleShiftsError` naming the intervals that stay
    short when shortfall is allowed, and the limits that could be the cause."""
    h = grid.h
    tpls = grid.templates.templates
    built = build(grid, "paid_hours", penalty=1.0, shortfall_only=True)
    res = relaxation(built, interior=h.T > 200)  # what even a fractional plan leaves short
    if res.x is None or res.fun < 1e-6:
        res = solve(built, time_limit=min(time_limit or 60.0, 60.0), mip_gap=None)
    limits = []
    if any(t.max_count is not None for t in tpls):
        limits.append("max_count " + ", ".join(f"{t.name} ≤ {t.max_count}/day" for t in tpls if t.max_count is not None))
    if any(t.min_count for t in tpls):
        limits.append("min_count " + ", ".join(f"{t.name} ≥ {t.min_count}/day" for t in tpls if t.min_count))
    if grid.templates.max_part_time_share is not None:
        limits.append(f"max_part_time_share {format_number(grid.templates.max_part_time_share)}")
    if grid.pools:
        limits.append("break windows")
    said = "; ".join(limits) or "the templates' start times and lengths"
    if res.x is None:
        raise InfeasibleShiftsError(
            f"no shift plan exists even with staff missing: the limits contradict each other ({said})", [], [], [said]
        )
    assert built.u_at is not None  # built with a penalty: it has shortfall variables
    u = res.x[built.u_at:built.u_at + h.T]
    short = [t for t in range(h.T) if u[t] > 1e-6]
    if not short:  # pragma: no cover - the solver said infeasible, the relaxation covers everything
        raise InfeasibleShiftsError(f"the solver found no shift plan ({said})", [], [], [said])
    raise_infeasible(
        h,
        [(short, f"cannot be covered together with the other intervals under the limits ({said})")],
        "no shift plan covers the requirement:",
    )
