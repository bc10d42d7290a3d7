"""Why a shift plan puts more staff on duty than required: the reasons, read from the plan itself.

A cheapest plan has surplus where shifts cannot be cut to the requirement. Every shift on
duty in an interval with surplus is there for one of these reasons, each read from the
plan and its templates:

* **shift length**: the shift is needed earlier (an interval where the plan has no staff
  to spare while it is on duty) and a shift of its template lasts its whole length;
* **start grid**: the shift is needed later and its template starts no later than its
  ``latest_start`` (or no earlier than ``earliest_start``);
* **breaks**: where it is needed, others of the plan are on a break, so it covers them;
* **template counts**: no interval of the shift is short without it, but the template's
  ``min_count`` makes the plan start that many each day.

:func:`explain_surplus` finds the runs of intervals with surplus and explains the interval
of each run with the most, as a :class:`Surplus` with one :class:`Reason` per group of
shifts on duty then; :func:`plan_limits` says which limits across templates bind (the
part-time share, the minimum counts).

>>> from simulate.staffing.shifts import schedule_shifts
>>> plan = schedule_shifts([3, 3, 1, 1, 1, 3], [{"name": "day", "earliest_start": "08:00",
...     "latest_start": "11:00", "start_step": "1 h", "length": "3 h"}], interval="1 h", start="08:00")
>>> found = explain_surplus(plan)
>>> found[0].label, found[0].sentence()
('10:00–13:00', '10:00: 1 required, 3 on duty (2 more) — 3 day shifts (08:00, 3 h) are needed until 09:00 (3 required) and day shifts last 3 h.')
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from blueprint.units import format_number
from simulate.clock import format_clock

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from simulate.staffing.shifts.calendar import Grid, Horizon
    from simulate.staffing.shifts.plan import ShiftPlan
    from simulate.staffing.shifts.templates import ShiftTemplate

__all__ = ["Reason", "Surplus", "explain_surplus", "plan_limits"]


@dataclass
class Reason:
    """Why ``count`` shifts of ``template`` (starting at ``starts``) are on duty in a surplus interval.

    ``kind`` is ``"length"`` (needed earlier, the shift lasts its length), ``"start"`` (needed later,
    the template starts no later than allowed), ``"both"`` (needed before and after), or
    ``"count"`` (needed nowhere: the template's ``min_count``, or a plan short of optimal); ``text`` says it in words.
    """

    template: str
    count: int
    starts: list[str]
    kind: str
    text: str


@dataclass
class Surplus:
    """One run of intervals with surplus, explained at its interval with the most (``at``)."""

    first: int
    last: int
    at: int
    label: str  # the run's times, e.g. "11:45–16:45"
    at_label: str  # the explained interval's time
    required: int
    on_duty: int
    reasons: list[Reason] = field(default_factory=list)

    @property
    def extra(self) -> int:
        """Staff on duty above the requirement at :attr:`at`."""
        return self.on_duty - self.required

    def sentence(self) -> str:
        """The run, its worst interval's numbers and the reasons, in one sentence."""
        head = f"{self.at_label}: {self.required} required, {self.on_duty} on duty ({self.extra} more)"
        return f"{head} — " + "; ".join(r.text for r in self.reasons) + "."


def _shifts(plan: ShiftPlan) -> list[tuple[int, int, tuple[int, ...], int]]:
    """The plan's shifts as ``(template index, start interval, break starts, count)``."""
    names = plan.grid.templates.names
    df = plan.shifts
    return [(names.index(str(name)), int(s), tuple(int(b) for b in brk), int(n))
            for name, s, brk, n in zip(df["template"].tolist(), df["start_interval"].tolist(),
                                       df["break_intervals"].tolist(), df["count"].tolist())]


def _on_duty_at(grid: Grid, k: int, s: int, brk: tuple[int, ...]) -> NDArray[np.int64]:
    """The intervals a shift of template ``k`` starting at ``s`` is on duty (its span less its breaks)."""
    span = grid.span(s, grid.lengths[k])
    off: set[int] = set()
    for pool, tau in zip(grid.pools_of(k), brk):
        off.update(int(x) for x in grid.span(tau, pool.length))
    return np.array([t for t in span if int(t) not in off], dtype=np.int64)


def _kind(grid: Grid, k: int, s: int, t: int, duty: NDArray[np.int64], spare: NDArray[np.int64]) -> tuple[str, list[int]]:
    """Whether the shift is needed before ``t``, after it, both or neither: the kind and the nearest
    interval on each side where the plan has no staff to spare while the shift is on duty."""
    order = {int(x): i for i, x in enumerate(grid.span(s, grid.lengths[k]))}
    here = order[t]
    tight = sorted((int(x) for x in duty if spare[int(x)] == 0), key=lambda x: order[x])
    before = [x for x in tight if order[x] < here]
    after = [x for x in tight if order[x] > here]
    if before and after:
        return "both", [before[-1], after[0]]
    if before:
        return "length", [before[-1]]
    if after:
        return "start", [after[0]]
    return "count", []


def _nearest(h: Horizon, t: int, xs: list[int], side: int) -> int:
    """Of the intervals ``xs``, the nearest to ``t`` on its ``side`` (-1 before, +1 after)."""
    return min(xs, key=lambda x: ((x - t) * side) % h.T if h.cyclic else abs(x - t))


def _need(h: Horizon, x: int, on_break: NDArray[np.int64]) -> str:
    """``"11:00 (16 required, 3 on a break)"``."""
    brk = f", {on_break[x]} on a break" if on_break[x] else ""
    return f"{h.label(x)} ({h.required[x]} required{brk})"


def _reason(grid: Grid, tpl: ShiftTemplate, kind: str, t: int, group: list[tuple[int, int, list[int]]],
            on_break: NDArray[np.int64]) -> str:
    """The words for ``group`` (start, count, nearest tight intervals) of one template and kind at ``t``."""
    h = grid.h
    n = sum(c for _, c, _ in group)
    starts = sorted({s for s, _, _ in group}, key=lambda s: h.clock(s))
    when = h.label(starts[0]) if len(starts) == 1 else f"{h.label(starts[0])}–{h.label(starts[-1])}"
    who = f"{n} {tpl.name} shift{'s' * (n != 1)} ({when}, {tpl.length}) {'are' if n != 1 else 'is'}"
    last = _nearest(h, t, [ts[0] for _, _, ts in group if ts], -1) if kind in ("length", "both") else -1
    first = _nearest(h, t, [ts[-1] for _, _, ts in group if ts], +1) if kind in ("start", "both") else -1
    if kind == "count" and tpl.min_count:
        return f"{who} started because at least {tpl.min_count} must start each day (min_count)"
    if kind == "count":  # a plan short of optimal (a time limit, a gap) may keep a shift nobody needs
        return f"{who} on duty only where the plan has staff to spare: the plan could do with fewer"
    if kind == "length":
        return f"{who} needed until {_need(h, last, on_break)} and {tpl.name} shifts last {tpl.length}"
    if kind == "both":
        return (f"{who} needed until {_need(h, last, on_break)} and again from {_need(h, first, on_break)}, "
                f"and {tpl.name} shifts cannot be split")
    latest = tpl.latest_start or tpl.earliest_start
    if any(format_clock(h.clock(s), unit="second") == latest for s in starts):
        limit = f"{tpl.name} shifts start no later than {latest}"
    else:
        limit = f"{tpl.name} shifts start only {tpl.starts_text()}, every {tpl.start_step}"
    return f"{who} needed from {_need(h, first, on_break)} and {limit}"


def _explain_at(plan: ShiftPlan, t: int) -> list[Reason]:
    """One :class:`Reason` per template and kind among the shifts on duty in interval ``t``."""
    grid = plan.grid
    spare = plan.coverage["surplus"].to_numpy().astype(np.int64)
    on_break = plan.coverage["on_break"].to_numpy().astype(np.int64)
    groups: dict[tuple[int, str], list[tuple[int, int, list[int]]]] = defaultdict(list)
    for k, s, brk, n in _shifts(plan):
        duty = _on_duty_at(grid, k, s, brk)
        if t not in set(int(x) for x in duty):
            continue
        kind, tight = _kind(grid, k, s, t, duty, spare)
        groups[(k, kind)].append((s, n, tight))
    tpls = grid.templates.templates
    out = []
    for (k, kind), group in sorted(groups.items(), key=lambda kv: (-sum(c for _, c, _ in kv[1]), kv[0])):
        starts = sorted({format_clock(grid.h.clock(s), unit="second") for s, _, _ in group})
        out.append(Reason(tpls[k].name, sum(c for _, c, _ in group), starts, kind,
                          _reason(grid, tpls[k], kind, t, group, on_break)))
    return out


def explain_surplus(plan: ShiftPlan, top: int | None = 3) -> list[Surplus]:
    """The runs of intervals where ``plan`` puts more staff on duty than required, the biggest first
    (``top`` of them, all when None), each explained at its interval with the most surplus.

    >>> from simulate.staffing.shifts import schedule_shifts
    >>> plan = schedule_shifts([2, 2, 2, 2], [{"name": "a", "earliest_start": "08:00", "length": "4 h"}],
    ...                        interval="1 h", start="08:00")
    >>> explain_surplus(plan)
    []
    """
    h = plan.grid.h
    extra = plan.coverage["surplus"].to_numpy()
    runs = h.spans([int(t) for t in np.flatnonzero(extra > 0)])
    if h.cyclic and len(runs) > 1 and runs[0][0] == 0 and runs[-1][1] == h.T - 1:
        runs = runs[1:-1] + [(runs[-1][0], runs[0][1] + h.T)]  # a run across midnight is one run
    found = []
    for a, b in runs:
        ts = [t % h.T for t in range(a, b + 1)]
        at = max(ts, key=lambda t: (extra[t], -ts.index(t)))
        req, on = int(plan.coverage["required"].iloc[at]), int(plan.coverage["on_duty"].iloc[at])
        found.append(Surplus(a % h.T, b % h.T, at, h.span(a % h.T, b % h.T), h.label(at), req, on,
                             _explain_at(plan, at)))
    found.sort(key=lambda s: (-s.extra, s.first))
    return found if top is None else found[:top]


def plan_limits(plan: ShiftPlan) -> list[str]:
    """The rules of the plan's templates behind its surplus: the fixed lengths, the break windows, the
    part-time share at its cap, and a template started exactly ``min_count`` times a day.

    >>> from simulate.staffing.shifts import schedule_shifts
    >>> plan = schedule_shifts([1, 1, 0, 0], [{"name": "a", "earliest_start": "08:00", "length": "2 h",
    ...                        "min_count": 1}], interval="1 h", start="08:00")
    >>> plan_limits(plan)
    ['shift lengths are fixed: a 2 h', 'at least 1 a shift must start each day (min_count), and the plan starts 1']
    """
    grid = plan.grid
    tpls = grid.templates
    lengths = ", ".join(f"{t.name} {t.length}" for t in tpls.templates)
    shortest = min(tpls.templates, key=lambda t: t.length.seconds)
    out = [f"shift lengths are fixed: {lengths}" + (f"; the shortest shift is {shortest.name} ({shortest.length})"
                                                     if len(tpls.templates) > 1 else "")]
    breaks = "; ".join(f"{t.name} {b.length}{' (paid)' if b.paid else ''} starting {b.earliest}–{b.latest} into the shift"
                       for t in tpls.templates for b in t.breaks)
    if breaks:
        out.append(f"breaks, when nobody on them counts as on duty: {breaks}")
    counts = plan.shifts.groupby("template")["count"].sum()
    days = max(1, round(grid.h.T * grid.h.step / 86400))
    total = int(counts.sum())
    part = [t for t in tpls.templates if t.part_time]
    if tpls.max_part_time_share is not None and part and total:
        used = int(sum(counts.get(t.name, 0) for t in part))
        if used + 1 > tpls.max_part_time_share * (total + 1):  # one more part-time shift would break the cap
            names = ", ".join(t.name for t in part)
            out.append(f"part-time shifts ({names}) are at most {format_number(round(100 * tpls.max_part_time_share, 1))}% "
                       f"of shifts: the plan has {used} of {total}, so peaks are also covered by full shifts")
    for t in tpls.templates:
        if t.min_count and int(counts.get(t.name, 0)) <= t.min_count * days:
            out.append(f"at least {t.min_count} {t.name} shift{'s' * (t.min_count != 1)} must start each day (min_count), "
                       f"and the plan starts {int(counts.get(t.name, 0))}")
    return out
