"""The calendar of a plan: the intervals of a requirement (its horizon) and the shift templates laid on them.

:func:`horizon` reads a requirement (a Series indexed by time, or values with an
interval, a start time and a weekday) into a :class:`Horizon`: whole staff per interval,
where the intervals lie in the week, and whether the horizon wraps. :func:`template_grid`
lays the templates on it: every allowed start interval of every template, and each
break's window in intervals (a :class:`BreakPool`).

>>> h = horizon([1, 2, 2, 1], interval="1 h", start="08:00", day=None, cyclic=None)
>>> h.T, h.cyclic, h.span(0, 1)
(4, False, '08:00–10:00')
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd

from blueprint.staffing import DAY, WEEK
from blueprint.units import WEEKDAYS, Duration, format_number, time_of_day_seconds
from simulate.clock import format_clock, to_seconds
from simulate.staffing.shifts.templates import ShiftTemplates

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

__all__ = ["BreakPool", "Grid", "Horizon", "IntervalLike", "RequirementLike", "horizon", "template_grid"]

#: A staffing requirement as the planners accept it: staff per interval, as a Series (or a
#: one-column DataFrame, or one with a ``required`` column) indexed by time, or plain values.
RequirementLike: TypeAlias = "pd.Series | pd.DataFrame | Sequence[float] | NDArray[np.number]"
#: The length of an interval: seconds, text (``"15 min"``), a Duration or a timedelta.
IntervalLike: TypeAlias = "float | str | Duration | datetime.timedelta | pd.Timedelta"

_DAY_ABBR = {d: d[:3].capitalize() for d in WEEKDAYS}


# -- the horizon ----------------------------------------------------------------------


@dataclass
class Horizon:
    """The intervals of a requirement: values, grid, calendar and whether it wraps (made by :func:`horizon`)."""

    required: NDArray[np.int64]  # whole staff per interval
    step: float  # seconds
    origin: float  # seconds since Monday 00:00 when the weekday is known, else since midnight
    weekday_known: bool
    cyclic: bool
    index: pd.Index

    @property
    def T(self) -> int:
        """The number of intervals."""
        return len(self.required)

    @property
    def whole_day(self) -> bool:
        """True when the horizon is exactly one day long."""
        return abs(self.T * self.step - DAY) < 1e-6

    def clock(self, t: int) -> float:
        """Time of day of interval ``t``'s start, in seconds after midnight."""
        return (self.origin + t * self.step) % DAY

    def day_number(self, t: int) -> int:
        """Day of interval ``t`` counted from the horizon's first day (0, 1, ...)."""
        return int(((self.origin % DAY) + t * self.step) // DAY)

    def weekday(self, t: int) -> str | None:
        """The weekday of interval ``t`` (``"monday"``...), None when the horizon's weekday is not known."""
        if not self.weekday_known:
            return None
        return WEEKDAYS[int((self.origin + t * self.step) // DAY) % 7]

    def day_name(self, d: int) -> str:
        """The name of the horizon's day ``d``: its weekday, or ``"day 1"``, ``"day 2"``..."""
        if self.weekday_known:
            return WEEKDAYS[(int(self.origin // DAY) + d) % 7]
        return f"day {d + 1}"

    def day_abbr(self, t: int) -> str:
        """The weekday of interval ``t`` in three letters (``"Mon"``), Monday when not known."""
        return _DAY_ABBR[self.weekday(t) or "monday"]

    def label(self, t: int) -> str:
        """Interval ``t``'s start as a clock time, with the weekday (``"Mon 02:00"``) on a horizon past a day."""
        wd = self.weekday(t % self.T if self.cyclic else t)
        return (f"{_DAY_ABBR[wd]} " if wd and not self.whole_day else "") + format_clock(self.clock(t), unit="second")

    def span(self, a: int, b: int) -> str:
        """``"Mon 02:00–04:00"``: intervals ``a`` to ``b`` inclusive."""
        end = format_clock(self.clock(b + 1), unit="second")
        return f"{self.label(a)}–{end}"

    def spans(self, ts: Sequence[int]) -> list[tuple[int, int]]:
        """Consecutive runs of interval indices."""
        out: list[tuple[int, int]] = []
        for t in sorted(ts):
            if out and t == out[-1][1] + 1:
                out[-1] = (out[-1][0], t)
            else:
                out.append((t, t))
        return out


def _regular_step(seconds_apart: ArrayLike) -> float:
    """The one length of the intervals of an index, from the seconds between its entries."""
    deltas = np.asarray(seconds_apart, dtype=float)
    if len(deltas) == 0:
        raise ValueError("a requirement indexed by time needs at least two intervals to know their length")
    if np.any(np.abs(deltas - deltas[0]) > 1e-6) or deltas[0] <= 0:
        raise ValueError("the requirement's index must be regular and increasing (one interval after another)")
    return float(deltas[0])


def horizon(
    requirements: RequirementLike, *, interval: IntervalLike | None, start: str, day: str | None, cyclic: bool | None
) -> Horizon:
    """The horizon of a requirement, checked: staff per interval (rounded up), step, origin, wrap.

    A Series indexed by a ``DatetimeIndex`` or ``TimedeltaIndex`` gives its own step and
    start; otherwise ``interval`` (default 15 min), ``start`` (time of day) and ``day`` (a
    weekday; Monday for horizons longer than a day) place the values. A whole day or a whole
    week is cyclic unless ``cyclic=False``. The arguments are those of
    :func:`~simulate.staffing.shifts.schedule_shifts`.

    >>> horizon([0, 1.2], interval="1 h", start="23:00", day="friday", cyclic=None).label(1)
    'Sat 00:00'
    """
    index: pd.Index | None = None
    origin_tod = time_of_day_seconds(start)
    step: float | None = None
    weekday: str | None = None if day is None else WEEKDAYS[WEEKDAYS.index(_weekday(day))]
    if isinstance(requirements, pd.DataFrame):
        if requirements.shape[1] == 1:
            requirements = requirements.iloc[:, 0]
        elif "required" in requirements.columns:
            requirements = requirements["required"]
        else:
            raise ValueError("a DataFrame requirement needs one column, or a column named 'required'")
    if isinstance(requirements, pd.Series):
        idx = requirements.index
        values = requirements.to_numpy(dtype=float)
        index = idx
        if isinstance(idx, pd.DatetimeIndex):
            step = _regular_step(np.diff(idx.values.astype("datetime64[ns]").astype(np.int64)) / 1e9)
            first = idx[0]
            origin_tod = first.hour * 3600 + first.minute * 60 + first.second
            weekday = WEEKDAYS[first.weekday()]
        elif isinstance(idx, pd.TimedeltaIndex):
            step = _regular_step(np.diff(np.asarray(idx.total_seconds(), dtype=float)))
            origin_tod = idx[0].total_seconds()
    else:
        values = np.asarray(requirements, dtype=float)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError(f"the requirement must be one value per interval (1-D), got shape {values.shape}")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        bad = int(np.flatnonzero(~np.isfinite(values) | (values < 0))[0])
        raise ValueError(f"requirement[{bad}] = {values[bad]}: staff required must be a number ≥ 0")
    if step is None:
        step = to_seconds(interval if interval is not None else "15 min", "interval")
    elif interval is not None and abs(to_seconds(interval, "interval") - step) > 1e-6:
        raise ValueError(f"interval={interval!r} disagrees with the requirement's index ({format_number(step)} s apart)")
    if step <= 0:
        raise ValueError("interval must be longer than 0")
    T = len(values)
    length = T * step
    if length > WEEK + 1e-6:
        raise ValueError(f"{T} intervals of {format_number(step / 60)} min are more than a week; plan a week at most")
    if weekday is None and length > DAY + 1e-6:
        weekday = "monday"
    whole = abs(length - DAY) < 1e-6 or abs(length - WEEK) < 1e-6
    if cyclic is None:
        cyclic = whole
    elif cyclic and not whole:
        raise ValueError(
            f"a cyclic horizon is a whole day or a whole week; {T} intervals of {format_number(step / 60)} min are not"
        )
    origin = origin_tod + (WEEKDAYS.index(weekday) * DAY if weekday else 0.0)
    required = np.ceil(values - 1e-9).astype(np.int64)
    h = Horizon(required, float(step), float(origin), weekday is not None, bool(cyclic), pd.RangeIndex(T))
    if index is None:
        index = pd.Index([h.label(t) for t in range(T)], name="interval")
    h.index = index
    return h


def _weekday(value: str) -> str:
    from blueprint.units import normalize_weekday

    return normalize_weekday(value)


# -- the templates on the grid --------------------------------------------------------


@dataclass
class BreakPool:
    """One break of one template, on the grid: where its window lies, in intervals.

    The shifts of the template that wait for this break form one first-in first-out queue
    (the pool) in the integer program (see :mod:`simulate.staffing.shifts.program`).
    """

    k: int  # template
    j: int  # break of the template
    delay: int  # intervals from shift start to the earliest break start
    width: int  # number of break start positions
    length: int  # intervals


@dataclass
class Grid:
    """The templates laid on the horizon's grid (made by :func:`template_grid`)."""

    h: Horizon
    templates: ShiftTemplates
    lengths: list[int]  # intervals per template
    starts: list[NDArray[np.int64]]  # allowed start intervals per template
    pools: list[BreakPool]
    days: list[NDArray[np.int64]]  # day number of each allowed start, per template

    def pools_of(self, k: int) -> list[BreakPool]:
        """The breaks of template ``k``, in order."""
        return [p for p in self.pools if p.k == k]

    def span(self, s: int, n: int) -> NDArray[np.int64]:
        """Intervals ``s .. s+n-1`` (wrapping on a cyclic horizon)."""
        r = s + np.arange(n)
        return r % self.h.T if self.h.cyclic else r


def _steps(seconds: float, step: float, what: str, templates: ShiftTemplates | None = None, loc: tuple[Any, ...] = ()) -> int:
    n = seconds / step
    if abs(n - round(n)) > 1e-6:
        message = f"{what} is not a whole number of {format_number(step / 60)}-minute intervals"
        if templates is not None:
            raise templates.problem(loc, message)
        raise ValueError(message)
    return round(n)


def template_grid(h: Horizon, templates: ShiftTemplates) -> Grid:
    """The templates on the horizon: their lengths, allowed start intervals and break windows, in intervals.

    A start off the grid, or a length or break that is not a whole number of intervals,
    is refused (ValueError naming the template).

    >>> h = horizon([1] * 8, interval="1 h", start="08:00", day=None, cyclic=None)
    >>> g = template_grid(h, ShiftTemplates(templates=[{"name": "a", "earliest_start": "08:00",
    ...     "latest_start": "12:00", "start_step": "1 h", "length": "4 h"}]))
    >>> g.starts[0].tolist(), g.lengths
    ([0, 1, 2, 3, 4], [4])
    """
    lengths, starts, pools, days = [], [], [], []
    for k, tpl in enumerate(templates.templates):
        where = f"{tpl.name!r}"
        at: tuple[Any, ...] = ("templates", k)
        L = _steps(tpl.length.seconds, h.step, f"{where}: length {tpl.length}", templates, (*at, "length"))
        lengths.append(L)  # a shift longer than a horizon that does not wrap has no start in it
        for j, b in enumerate(tpl.breaks):
            pools.append(
                BreakPool(
                    k, j,
                    _steps(b.earliest.seconds, h.step, f"{where}: break earliest {b.earliest}", templates, (*at, "breaks", j, "earliest")),
                    _steps(b.latest.seconds - b.earliest.seconds, h.step, f"{where}: break window", templates, (*at, "breaks", j, "latest")) + 1,
                    _steps(b.length.seconds, h.step, f"{where}: break length {b.length}", templates, (*at, "breaks", j, "length")),
                )
            )
        clocks = set()
        for c in tpl.start_seconds():
            clock, origin = format_clock(c, unit="second"), format_clock(h.origin, unit="second")
            _steps((c - h.origin) % DAY, h.step, f"{where}: start {clock} (on a grid from {origin})", templates,
                   (*at, "earliest_start" if c == tpl.start_seconds()[0] else "start_step"))
            clocks.add(round(c) % int(DAY))
        ok = []
        for t in range(h.T):
            if round(h.clock(t)) % int(DAY) not in clocks:
                continue
            if tpl.days is not None and h.weekday_known and h.weekday(t) not in tpl.days:
                continue
            if not h.cyclic and t + L > h.T:
                continue
            ok.append(t)
        arr = np.array(ok, dtype=np.int64)
        starts.append(arr)
        days.append(np.array([h.day_number(int(t)) for t in arr], dtype=np.int64))
    return Grid(h, templates, lengths, starts, pools, days)
