"""The shift plan: :func:`schedule_shifts` finds it, :class:`ShiftPlan` shows it and turns it into staffing.

>>> plan = schedule_shifts([1, 2, 2, 1], [{"name": "a", "earliest_start": "00:00", "latest_start": "02:00",
...     "start_step": "1 h", "length": "2 h"}], interval="1 h")
>>> plan.headcount, plan.status
(3, 'optimal')
"""

from __future__ import annotations

import html
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from blueprint.numbers import money, number
from blueprint.staffing import DAY, Break, Shift, Staffing
from blueprint.units import WEEKDAYS, time_of_day_seconds
from simulate.clock import format_clock, interval_labels, interval_times
from simulate.staffing.shifts.calendar import Grid, IntervalLike, RequirementLike, horizon, template_grid
from simulate.staffing.shifts.decompose import decompose
from simulate.staffing.shifts.diagnose import check_reach, diagnose
from simulate.staffing.shifts.program import (
    OBJECTIVES,
    Objective,
    Unit,
    build,
    objective_of,
    solve,
    staff_on_duty,
    units_from_solution,
    weights,
)
from simulate.staffing.shifts.symmetry import same_days, tie_days
from simulate.staffing.shifts.templates import BreakRule, TemplatesLike, as_templates

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["ShiftPlan", "plan_from_units", "schedule_shifts"]


@dataclass(repr=False)
class ShiftPlan:
    """A shift plan: who starts which template when, their breaks, and what it covers.

    ``shifts`` has one row per template, start and break times, with
    ``count`` staff; ``coverage`` one row per interval (indexed as the
    requirement was) with ``time`` (the interval's start as a ``Timestamp`` on
    the nominal week starting Monday 2024-01-01, Monday when the weekday is not
    known), ``label`` (``"08:15"``, or ``"Mon 08:15"`` past a day), ``required``,
    ``on_duty``, ``on_break``, ``shortfall`` and ``surplus``. ``paid_hours``,
    ``cost`` and ``headcount`` (shifts worked over the horizon) are totals;
    ``gap`` is HiGHS's relative optimality gap, ``(plan - bound) / plan``,
    where ``dual_bound`` is the best proven bound on the objective.
    """

    shifts: pd.DataFrame
    coverage: pd.DataFrame
    objective: str
    objective_value: float
    paid_hours: float
    cost: float
    headcount: int
    status: str
    gap: float
    dual_bound: float | None
    solve_seconds: float
    _grid: Grid = field(repr=False)
    _units: list[Unit] = field(repr=False)

    @property
    def interval(self) -> float:
        """Length of one interval in seconds."""
        return self._grid.h.step

    @property
    def grid(self) -> Grid:
        """The templates laid on the plan's horizon: lengths, allowed starts and break windows in intervals
        (read by :func:`~simulate.staffing.shifts.surplus.explain_surplus`)."""
        return self._grid

    @property
    def weekdays_unused(self) -> list[str]:
        """Templates limited to some weekdays (``days``) on a plan whose horizon has no weekday (a day that
        stands for every day): their ``days`` could not apply, so their shifts may start on any day."""
        if self._grid.h.weekday_known:
            return []
        return [t.name for t in self._grid.templates.templates if t.days is not None]

    @property
    def overnight_windows(self) -> dict[str, str]:
        """Templates whose start window runs past midnight for more than 12 hours, with the window in words:
        a ``latest_start`` before ``earliest_start`` is read as the next day, which is rarely meant so long."""
        return {t.name: w for t in self._grid.templates.templates if (w := t.odd_overnight_window)}

    @property
    def cyclic(self) -> bool:
        """True when the horizon wraps (a whole day or week)."""
        return self._grid.h.cyclic

    @property
    def shortfall(self) -> int:
        """Staff-intervals below the requirement (0 for a hard cover)."""
        return int(self.coverage["shortfall"].sum())

    def summary(self) -> str:
        """One line: objective, headcount, paid hours, cost, status and gap."""
        cost = "" if math.isnan(self.cost) else f", cost {money(self.cost)}"
        short = f", {self.shortfall} staff-intervals short" if self.shortfall else ""
        return (
            f"{self.headcount} shifts, {number(self.paid_hours)} paid hours{cost}{short} "
            f"(objective {self.objective}; {self.status}, gap {self.gap:.2%}, {self.solve_seconds:.2f} s)"
        )

    def __repr__(self) -> str:
        return f"<ShiftPlan: {self.summary()}>"

    def _repr_html_(self) -> str:
        rows = [
            ("objective", self.objective),
            ("status", self.status),
            ("optimality gap", f"{self.gap:.2%}"),
            ("shifts (headcount)", str(self.headcount)),
            ("paid hours", number(self.paid_hours)),
            ("cost", money(self.cost)),
            ("staff-intervals short", str(self.shortfall)),
            ("solve time", f"{self.solve_seconds:.2f} s"),
        ]
        head = "".join(f"<tr><th style='text-align:left'>{html.escape(a)}</th><td>{html.escape(b)}</td></tr>" for a, b in rows)
        shown = self.shifts.drop(columns=["start_interval", "break_intervals"])
        more = len(shown) - 30
        table = shown.head(30).to_html(index=False, escape=True, formatters={"paid_hours": number, "cost": money})
        tail = f"<p>… and {more} more rows (see <code>.shifts</code>)</p>" if more > 0 else ""
        return f"<div><b>Shift plan</b><table>{head}</table>{table}{tail}</div>"

    def plot(self, ax: Axes | None = None) -> Figure:
        """Staff on duty (a step line) against the requirement (bars), over the horizon. Returns a
        matplotlib ``Figure`` (a :class:`~simulate.chart.Chart` made without pyplot, so the backend is left
        alone), or the figure of ``ax`` when given; ``.savefig("plan.png")`` follows.

        >>> plan = schedule_shifts([1, 2, 2, 1], [{"name": "a", "earliest_start": "00:00",
        ...     "latest_start": "02:00", "start_step": "1 h", "length": "2 h"}], interval="1 h")
        >>> plan.plot().axes[0].get_ylabel()
        'staff (people)'
        """
        h = self._grid.h
        if ax is None:
            from simulate.chart import new_chart

            fig, (ax,) = new_chart(width=12 if h.T * h.step > DAY else 9, height=3.8)
        else:
            fig = ax.get_figure(root=True)  # type: ignore[assignment]
        hours = np.arange(h.T) * h.step / 3600
        width = h.step / 3600
        ax.bar(hours, self.coverage["required"], width=width, align="edge", color="#c6d8ec", label="required")
        on = self.coverage["on_duty"].to_numpy()
        ax.step(np.r_[hours, hours[-1] + width], np.r_[on, on[-1]], where="post", color="#c0392b", lw=1.4,
                label="on duty (plan)")
        ax.set_ylabel("staff (people)")
        span = h.T * h.step
        first = h.origin % DAY / 3600
        if span > DAY + 1e-6:
            ticks = [(d * DAY - (h.origin % DAY)) / 3600 for d in range(int(span // DAY) + 2)]
            ticks = [t for t in ticks if 0 <= t <= span / 3600]
            ax.set_xticks(ticks)
            ax.set_xticklabels([h.day_abbr(round(t * 3600 / h.step))
                                if t * 3600 / h.step < h.T else "" for t in ticks])
            ax.set_xlabel("day of the week (00:00 at each tick)")
        else:
            every = 2 if span > 12 * 3600 else 1
            ticks = [t for t in np.arange(math.ceil(first) - first, span / 3600 + 1e-9, 1.0)
                     if round(first + t) % every == 0]
            ax.set_xticks(ticks)
            ax.set_xticklabels([f"{round(first + t) % 24:02d}:00" for t in ticks])
            ax.set_xlabel("time of day (h)")
        ax.set_xlim(*self._shown_hours(hours, width, on, span))
        ax.set_title(f"Shift plan ({self.objective}): {self.headcount} shifts, {self.paid_hours:,.1f} paid h")
        ax.legend(loc="upper left", frameon=False)
        return fig

    def _shown_hours(self, hours: np.ndarray, width: float, on: np.ndarray, span: float) -> tuple[float, float]:
        """The x range of :meth:`plot`: the whole horizon of a week, the hours with staff required or on duty (an
        interval to spare either side) of a day, not the empty night."""
        active = np.flatnonzero((self.coverage["required"].to_numpy() > 0) | (on > 0))
        if span > DAY + 1e-6 or not len(active):
            return 0.0, span / 3600
        return float(hours[max(active[0] - 1, 0)]), float(hours[min(active[-1] + 1, len(hours) - 1)] + width)

    @property
    def units(self) -> list[Unit]:
        """The plan's shifts as ``(template index, start interval, break start intervals, staff)`` rows."""
        return list(self._units)

    def with_units(self, units: list[Unit], *, status: str | None = None) -> ShiftPlan:
        """The plan of other ``units`` (template, start, breaks, staff) on the same grid and objective: what
        :func:`~simulate.staffing.shifts.symmetry.same_days` and the optimiser's trim make of a plan."""
        return plan_from_units(self._grid, units, objective=self.objective, objective_value=None,
                               status=self.status if status is None else status, gap=self.gap, dual_bound=self.dual_bound,
                               seconds=self.solve_seconds)

    def to_staffing(self) -> Staffing:
        """The plan as a role's ``staffing`` (shifts form), ready to simulate.

        Shifts that repeat on several weekdays with the same start, breaks and
        count are written once with their ``days``. A cyclic day plan (the
        same every day) leaves ``days`` out; a week plan names each weekday.
        """
        h = self._grid.h
        tpls = self._grid.templates.templates
        per_day = h.weekday_known and not (h.cyclic and h.whole_day)
        groups: dict[tuple[int, str, tuple[str, ...], int], list[str]] = defaultdict(list)
        for k, s, brk, n in self._units:
            times = tuple(format_clock(h.clock(t), unit="second") for t in brk)
            key = (k, format_clock(h.clock(s), unit="second"), times, n)
            groups[key].append(h.weekday(s) or "")
        shifts = []
        for (k, start, breaks, n), days in sorted(groups.items(), key=lambda kv: (time_of_day_seconds(kv[0][1]), kv[0][0])):
            tpl = tpls[k]
            shifts.append(
                Shift(
                    name=tpl.name,
                    start=start,
                    length=tpl.length,
                    count=n,
                    days=sorted(days, key=WEEKDAYS.index) if per_day else None,
                    breaks=[Break(start=t, length=r.length, paid=r.paid) for t, r in zip(breaks, tpl.breaks)],
                )
            )
        return Staffing(shifts=shifts)


def _break_text(clock: float, rule: BreakRule) -> str:
    """``"12:00–12:30"`` (``" (paid)"`` added for a paid break): a break starting at ``clock`` seconds."""
    start, end = format_clock(clock, unit="second"), format_clock(clock + rule.length.seconds, unit="second")
    return f"{start}–{end}" + (" (paid)" if rule.paid else "")


def plan_from_units(
    grid: Grid,
    units: list[Unit],
    *,
    objective: str,
    objective_value: float | None,
    status: str,
    gap: float,
    dual_bound: float | None,
    seconds: float,
) -> ShiftPlan:
    """The :class:`ShiftPlan` of ``units`` on ``grid``: units of the same template, start and breaks merged,
    its shifts and coverage tables and totals; ``objective_value`` None computes it from the totals.
    Every planner (:func:`schedule_shifts`, :func:`~simulate.staffing.shifts.greedy_shifts`) ends here.
    """
    h = grid.h
    tpls = grid.templates.templates
    merged: dict[tuple[int, int, tuple[int, ...]], int] = defaultdict(int)
    for k, s, brk, n in units:
        merged[(k, s, brk)] += n
    units = [(k, s, brk, n) for (k, s, brk), n in sorted(merged.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])) if n]
    on_duty, on_break = staff_on_duty(grid, units)
    starts = h.origin + np.arange(h.T) * h.step
    cov = pd.DataFrame(
        {
            "time": interval_times(starts).to_numpy(),
            "label": interval_labels(starts, h.T * h.step),
            "required": h.required,
            "on_duty": on_duty,
            "on_break": on_break,
            "shortfall": np.maximum(h.required - on_duty, 0),
            "surplus": np.maximum(on_duty - h.required, 0),
        },
        index=h.index,
    )
    records = []
    for k, s, brk, n in units:
        tpl = tpls[k]
        end = h.clock(s) + tpl.length.seconds
        breaks = ", ".join(_break_text(h.clock(t), r) for t, r in zip(brk, tpl.breaks))
        wd = h.weekday(s)
        records.append(
            {
                "template": tpl.name,
                "day": wd if (wd and not (h.cyclic and h.whole_day)) else "",
                "start": format_clock(h.clock(s), unit="second"),
                "end": format_clock(end, unit="second"),
                "breaks": breaks,
                "count": n,
                "paid_hours": n * tpl.paid_hours,
                "cost": n * tpl.paid_hours * tpl.cost_per_hour if tpl.cost_per_hour is not None else np.nan,
                "start_interval": s,
                "break_intervals": brk,
            }
        )
    cols = ["template", "day", "start", "end", "breaks", "count", "paid_hours", "cost", "start_interval", "break_intervals"]
    shifts = pd.DataFrame.from_records(records, columns=cols)
    paid = float(shifts["paid_hours"].sum()) if len(shifts) else 0.0
    any_cost_missing = any(tpls[k].cost_per_hour is None for k, *_ in units)
    cost = float("nan") if any_cost_missing else float(shifts["cost"].sum()) if len(shifts) else 0.0
    headcount = int(shifts["count"].sum()) if len(shifts) else 0
    if objective_value is None:
        objective_value = {"paid_hours": paid, "cost": cost, "headcount": float(headcount)}[objective]
    return ShiftPlan(shifts, cov, objective, float(objective_value), paid, cost, headcount, status, float(gap),
                     dual_bound, seconds, grid, units)


_WINDOW_HOURS = 6.0  # hours of shift starts re-planned at once by the decomposition
_STATUS = {0: "optimal", 1: "time limit reached", 2: "infeasible", 3: "unbounded", 4: "solver error"}
_UNITS = {"paid_hours": "paid hours", "headcount": "shifts", "cost": "money"}


def _check(objective: str, soft: bool, penalty: float | None, method: str) -> None:
    if objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}")
    if soft and penalty is None:
        raise ValueError(f"soft=True needs a penalty per missing staff-interval (in {_UNITS[objective]})")
    if penalty is not None and (not math.isfinite(penalty) or penalty < 0):
        raise ValueError(f"penalty must be a number ≥ 0, got {penalty!r}")
    if method not in ("auto", "mip", "decompose"):
        raise ValueError(f"unknown method {method!r}; use 'auto', 'mip' or 'decompose'")


def _window(grid: Grid, method: str) -> int | None:
    """The window of starts the decomposition re-plans at once, or None when the whole program is solved."""
    h = grid.h
    window = max(1, round(_WINDOW_HOURS * 3600 / h.step))
    per_day = round(DAY / h.step)
    maxL = max(grid.lengths)
    long = h.T * h.step > DAY + 1e-6
    can = (window + maxL <= h.T) and (not h.cyclic or not long or per_day + maxL <= h.T)
    if method == "decompose" and not can:
        raise ValueError("method='decompose' needs a horizon longer than a window of starts and the longest shift")
    return window if method == "decompose" or (method == "auto" and long and can) else None


def _by_decomposition(grid: Grid, objective: Objective, penalty: float | None, *, limit: float,
                      time_limit: float | None, mip_gap: float, window: int, began: float) -> ShiftPlan | None:
    """The plan :func:`decompose` finds; None when it leaves a hard cover short (the whole program then)."""
    budget = limit - min(0.5, 0.05 * limit) if math.isfinite(limit) else 3600.0  # kept for assembling the plan
    units, bound, status = decompose(grid, objective=objective, penalty=penalty, time_limit=budget,
                                     mip_gap=mip_gap, window=window)
    if status == "infeasible" and penalty is None:
        diagnose(grid, time_limit)
    if status in ("infeasible", "short"):
        return None
    value = objective_of(grid, units, objective, penalty)
    gap = max(value - bound, 0.0) / value if bound is not None and value > 0 else (0.0 if bound is not None else math.nan)
    return plan_from_units(grid, units, objective=objective, objective_value=value, status=status, gap=gap,
                           dual_bound=bound, seconds=time.perf_counter() - began)


def _whole_program(grid: Grid, objective: Objective, penalty: float | None, *, limit: float,
                   time_limit: float | None, mip_gap: float, began: float,
                   alike: Sequence[Sequence[int]] | None = None) -> ShiftPlan | None:
    """The plan HiGHS finds for the whole integer program (branch and bound); with ``alike`` the days of
    each class staffed alike (:func:`~simulate.staffing.shifts.symmetry.tie_days`), None when that finds
    no plan in time."""
    built = build(grid, objective, penalty=penalty)
    if alike:
        built = tie_days(built, grid, alike)
    left = None if time_limit is None else max(limit - (time.perf_counter() - began), 1.0)
    res = solve(built, time_limit=left, mip_gap=mip_gap)
    if res.x is None and alike:
        return None
    if res.x is None:
        if res.status == 2:
            diagnose(grid, time_limit)
        if res.status == 1:
            raise TimeoutError(f"HiGHS found no plan within time_limit={time_limit} s; allow more time")
        raise RuntimeError(f"HiGHS stopped without a plan: {res.message}")
    units = units_from_solution(grid, built, res.x)
    gap = float(res.mip_gap) if getattr(res, "mip_gap", None) is not None else 0.0
    bound = getattr(res, "mip_dual_bound", None)
    return plan_from_units(grid, units, objective=objective, objective_value=float(res.fun) * built.scale,
                           status=_STATUS.get(res.status, str(res.status)), gap=max(gap, 0.0),
                           dual_bound=float(bound) * built.scale if bound is not None else None,
                           seconds=time.perf_counter() - began)


def schedule_shifts(
    requirements: RequirementLike,
    templates: TemplatesLike,
    *,
    objective: Objective = "paid_hours",
    soft: bool = False,
    penalty: float | None = None,
    time_limit: float | None = 30.0,
    mip_gap: float = 0.01,
    method: Literal["auto", "mip", "decompose"] = "auto",
    interval: IntervalLike | None = None,
    start: str = "00:00",
    day: str | None = None,
    cyclic: bool | None = None,
    alike: Sequence[Sequence[int]] | None = None,
) -> ShiftPlan:
    """The cheapest shifts, with their breaks, covering ``requirements`` in every interval.

    ``requirements``: staff required per interval, as a pandas Series (or a
    one-column DataFrame) indexed by interval start (``DatetimeIndex`` for a
    dated day or week; ``TimedeltaIndex`` for offsets from midnight), or a
    1-D array with ``interval`` (default 15 min), ``start`` (time of day of
    the first interval) and ``day`` (its weekday; Monday for horizons longer
    than a day). Fractional values are rounded up. A whole day or week is
    cyclic unless ``cyclic=False`` (see the package notes).

    ``templates``: :class:`ShiftTemplates`, a list of templates (or their
    dicts), or the path of a templates file.

    ``objective``: ``"paid_hours"`` (default: hours paid, unpaid breaks left
    out), ``"headcount"`` (fewest shifts; ties go to fewer paid hours) or
    ``"cost"`` (paid hours × each template's ``cost_per_hour``).

    ``soft=True`` allows staff to be missing at a ``penalty`` per missing
    staff-interval, in the objective's units (hours, shifts or money): an
    interval is left short only when covering it costs more than the penalty.

    ``mip_gap`` (default 1%) is the relative gap to a proven lower bound at
    which the search stops; ``time_limit`` (seconds) stops it in any case.

    ``method``: ``"mip"`` solves the whole integer program with HiGHS;
    ``"decompose"`` bounds the plan by the LP relaxation, plans day by day with
    LP dives and then improves windows of 6 hours of starts exactly (the first,
    day-by-day plan is always finished: about 3 s for a week of quarter hours);
    ``"auto"`` (default) decomposes horizons longer than a day (see the package
    notes). Either way the plan reports its ``status`` (``"optimal"``: proven
    within ``mip_gap``; ``"time limit reached"``; ``"stopped: no window improves
    the plan"``) and the ``gap`` proven.

    ``alike``: classes of days to staff alike (day numbers from the first day, ``[[1, 2, 3]]`` for a
    Tuesday to Thursday with the same demand): the cheapest plan giving each class's days the same
    shifts and breaks, from the whole program with the days tied (:mod:`~simulate.staffing.shifts.symmetry`);
    without a plan in time, the untied plan's cheapest valid day is copied to the others.

    Raises :class:`InfeasibleShiftsError` naming the intervals that cannot be
    covered and why, when no plan covers a hard requirement.

    >>> plan = schedule_shifts([2, 2, 3, 3, 1, 1], [{"name": "a", "earliest_start": "08:00", "latest_start": "12:00",
    ...     "start_step": "1 h", "length": "2 h"}], interval="1 h", start="08:00")
    >>> plan.headcount, plan.paid_hours, list(plan.coverage["on_duty"])
    (6, 12.0, [2, 2, 3, 3, 1, 1])
    """
    _check(objective, soft, penalty, method)
    tset = as_templates(templates)
    h = horizon(requirements, interval=interval, start=start, day=day, cyclic=cyclic)
    grid = template_grid(h, tset)
    weights(grid, objective)  # refuses cost without cost_per_hour before any work
    if not soft:
        check_reach(grid)
    penalty = penalty if soft else None
    tied = [list(c) for c in alike or () if len(c) > 1]
    if tied:
        found = _whole_program(grid, objective, penalty, limit=float(time_limit) if time_limit is not None else math.inf,
                               time_limit=time_limit, mip_gap=mip_gap, began=time.perf_counter(), alike=tied)
        if found is not None:
            return found
    plan = _solved(grid, objective, penalty, time_limit=time_limit, mip_gap=mip_gap, method=method)
    if tied:  # the tied program found nothing in time: the untied plan (the time limit afresh), a day copied
        plan = same_days(plan, tied, int(round(DAY / h.step)))
    return plan


def _solved(grid: Grid, objective: Objective, penalty: float | None, *, time_limit: float | None, mip_gap: float,
            method: str) -> ShiftPlan:
    """The plan of :func:`schedule_shifts` without tied days: a week by decomposition where it applies,
    else (or where it leaves a hard cover short) the whole program."""
    began = time.perf_counter()
    limit = float(time_limit) if time_limit is not None else math.inf
    window = _window(grid, method)
    plan: ShiftPlan | None = None
    if window is not None:
        plan = _by_decomposition(grid, objective, penalty, limit=limit, time_limit=time_limit, mip_gap=mip_gap,
                                 window=window, began=began)
    if plan is None:  # a day, or what the decomposition could not cover: the whole program
        plan = _whole_program(grid, objective, penalty, limit=limit, time_limit=time_limit, mip_gap=mip_gap,
                              began=began)
    assert plan is not None  # the whole program raises rather than return nothing when untied
    if penalty is None and plan.shortfall:  # pragma: no cover - the matching is exact; this guards the guarantee
        raise RuntimeError("the recovered breaks leave intervals short; please report this as a bug")
    return plan
