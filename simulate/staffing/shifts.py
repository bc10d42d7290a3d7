"""Shift plans: the cheapest set of shifts, with their breaks, that covers a staffing requirement.

A planner knows how many staff must be on duty in every interval (from an
Erlang calculation or from a simulation) and buys staff in *shifts*: a start
time, a length and breaks. :func:`schedule_shifts` chooses how many staff
start which :class:`ShiftTemplate` at which time, and when each takes their
breaks, so that every interval is covered at the least paid hours, headcount
or cost. The answer is a :class:`ShiftPlan`; ``plan.to_staffing()`` turns it
into the ``staffing`` of a blueprint role, so the plan can be simulated.

>>> templates = ShiftTemplates(templates=[
...     {"name": "day", "earliest_start": "07:00", "latest_start": "10:00", "length": "8 h",
...      "breaks": [{"length": "30 min", "earliest": "3 h", "latest": "4 h"}]},
...     {"name": "peak", "earliest_start": "09:00", "latest_start": "13:00", "length": "4 h"}])
>>> required = [0] * 32 + [3] * 8 + [5] * 16 + [3] * 12 + [0] * 28      # 96 × 15 min
>>> plan = schedule_shifts(required, templates)
>>> plan.status, int(plan.coverage["shortfall"].sum())
('optimal', 0)
>>> plan.to_staffing().kind
'shifts'

**Time.** The requirement is one value per interval (15 minutes, say) over a
day or a week. A whole day (96 × 15 min) or a whole week (672 × 15 min) is
*cyclic* by default: the horizon wraps, so a night shift that starts at 22:00
covers the early morning of the same day (a day plan is the same every day)
or, in a week, a shift that starts on Sunday at 22:00 covers Monday 00:00 to
06:00. A shorter horizon (07:00 to 21:00, say) is not cyclic: every shift must
start and end inside it.

**Model.** Shift starts are integer variables ``x[template, start]``. Breaks
use the implicit formulation of Bechtold and Jacobs (1990): instead of one
variable per shift *and* break position, each (template, break) pair has one
integer variable ``b[t]`` per time a break can start, and a FIFO queue of
shifts waiting for that break links them: shifts join the queue when their
break window opens, ``b[t]`` breaks are taken from it at ``t``, and no shift
may still be waiting when its window closes. Because every shift of a
template has the same window relative to its start, windows are first-in
first-out and these forward/backward conditions are exactly Hall's condition
for matching breaks to shifts. The model is thus as strong as the explicit
set-covering model (the same LP bound) and many times smaller, and the
breaks are given back to individual shifts afterwards by that FIFO matching,
which is checked against the requirement before a plan is returned.

**Solving.** Up to a day the integer program goes to HiGHS
(``scipy.optimize.milp``) whole; it proves its gap. For longer horizons the
LP relaxation is degenerate and slow to branch on, so the week is
decomposed: the LP relaxation of the whole week (interior point) gives the
lower bound; each calendar day is then planned in turn by an LP dive (round
up shift counts, re-solve, repeat; place breaks last), the days before it
fixed; then windows of 6 hours of starts are solved again exactly by HiGHS,
everything else fixed, the windows furthest above the LP first, until the gap
to the LP bound is at most ``mip_gap`` or ``time_limit`` runs out. The gap
reported is always against a proven bound (HiGHS's dual bound, or the LP).

See ``benchmarks/staffing.py`` for the speed on a day and a week of a contact
centre.
"""

from __future__ import annotations

import dataclasses
import html
import math
import os
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from blueprint.base import Model, Probability, TimeOfDay, Weekday
from blueprint.errors import BlueprintFileError, LocatedValueError, Problem, problems_from_pydantic
from blueprint.files import read_data, read_text_file
from blueprint.staffing import DAY, WEEK, Break, Shift, Staffing
from blueprint.units import WEEKDAYS, Duration, format_number, time_of_day_seconds
from simulate.clock import format_clock
from simulate.clock import to_seconds as _seconds

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "BreakRule",
    "InfeasibleShiftsError",
    "ShiftPlan",
    "ShiftTemplate",
    "ShiftTemplates",
    "greedy_shifts",
    "load_templates",
    "schedule_shifts",
]

Objective = Literal["paid_hours", "headcount", "cost"]
_OBJECTIVES = ("paid_hours", "headcount", "cost")
_DAY_ABBR = {d: d[:3].capitalize() for d in WEEKDAYS}


def _clock(seconds: float) -> str:
    """``"HH:MM"`` (``"HH:MM:SS"`` off the minute) of a time in seconds, wrapping at midnight."""
    return format_clock(seconds, unit="second")


# -- templates ------------------------------------------------------------------------


class BreakRule(Model):
    """A break every shift of a template takes; the planner places it in a window.

    The break starts at least ``earliest`` and at most ``latest`` after the
    shift starts (both counted from the shift start, so the window moves with
    the shift) and lasts ``length``. An unpaid break (the default) is not
    counted in paid hours; a paid one is. Nobody on a break counts as on duty.

    >>> BreakRule(length="30 min", earliest="3 h", latest="4.5 h").positions(900)
    7
    """

    length: Duration = Field(description="how long the break lasts")
    earliest: Duration = Field(description="earliest start of the break, counted from the shift start")
    latest: Duration = Field(description="latest start of the break, counted from the shift start")
    paid: bool = Field(False, description="true when the break is paid time")

    @model_validator(mode="after")
    def _check(self) -> BreakRule:
        if self.length.seconds <= 0:
            raise LocatedValueError(("length",), "a break lasts longer than 0")
        if self.latest.seconds < self.earliest.seconds:
            raise LocatedValueError(
                ("latest",), f"latest ({self.latest}) is before earliest ({self.earliest}); the window is empty"
            )
        return self

    def positions(self, interval: float) -> int:
        """How many start times the window offers on a grid of ``interval`` seconds."""
        return round((self.latest.seconds - self.earliest.seconds) / interval) + 1


class ShiftTemplate(Model):
    """A kind of shift staff can be bought in: when it may start, how long, which breaks.

    Starts: every ``start_step`` from ``earliest_start`` to ``latest_start``
    (times of day; a ``latest_start`` before ``earliest_start`` runs past
    midnight, e.g. 22:00 to 01:00). ``latest_start`` left out means the one
    start time ``earliest_start``. Every start must lie on the grid of the
    requirement (e.g. whole quarter hours for 15-minute intervals).

    ``min_count`` and ``max_count`` bound the number of staff who *start* this
    template on one day (each day of the horizon on which the template has an
    allowed start). ``days`` are the weekdays a shift may start (all when left
    out); they apply when the horizon's weekdays are known (a week, or a day
    given a weekday). ``cost_per_hour`` is paid per paid hour (length less
    unpaid breaks); the ``cost`` objective needs it. ``part_time`` marks the
    template for the plan's ``max_part_time_share``.

    >>> t = ShiftTemplate(name="early", earliest_start="06:00", latest_start="07:00", start_step="30 min",
    ...                   length="8.5 h", breaks=[{"length": "30 min", "earliest": "3 h", "latest": "5 h"}])
    >>> t.start_times(), t.paid_hours
    (['06:00', '06:30', '07:00'], 8.0)
    """

    name: str = Field(min_length=1)
    earliest_start: TimeOfDay = Field(description="first allowed start time of day")
    latest_start: TimeOfDay | None = Field(None, description="last allowed start (may be past midnight)")
    start_step: Duration = Field(default_factory=lambda: Duration(15, "min"), description="time between starts")
    length: Duration = Field(description="from start to end, breaks included")
    breaks: list[BreakRule] = Field(default_factory=list)
    cost_per_hour: float | None = Field(None, ge=0, description="cost of one paid hour")
    min_count: int = Field(0, ge=0, description="fewest staff starting this template on one day")
    max_count: int | None = Field(None, ge=0, description="most staff starting this template on one day")
    days: list[Weekday] | None = Field(None, description="weekdays a shift may start; all when left out")
    part_time: bool = Field(False, description="counts towards max_part_time_share")

    @model_validator(mode="after")
    def _check(self) -> ShiftTemplate:
        if not 0 < self.length.seconds <= DAY:
            raise LocatedValueError(("length",), f"length {self.length} must be more than 0 and at most 24 h")
        if self.start_step.seconds <= 0:
            raise LocatedValueError(("start_step",), "start_step must be longer than 0")
        for i, b in enumerate(self.breaks):
            if b.latest.seconds + b.length.seconds > self.length.seconds + 1e-9:
                raise LocatedValueError(
                    ("breaks", i, "latest"),
                    f"a break starting {b.latest} after the start and lasting {b.length} ends after the "
                    f"{self.length} shift",
                )
            if i and b.earliest.seconds < self.breaks[i - 1].latest.seconds + self.breaks[i - 1].length.seconds - 1e-9:
                prev = self.breaks[i - 1]
                raise LocatedValueError(
                    ("breaks", i, "earliest"),
                    f"this break may start before breaks[{i - 1}] has ended (it may start {prev.latest} after the "
                    f"shift start and lasts {prev.length}); list breaks in order with windows that do not overlap",
                )
        if self.max_count is not None and self.min_count > self.max_count:
            raise LocatedValueError(("min_count",), f"min_count {self.min_count} is above max_count {self.max_count}")
        if self.days is not None and len(set(self.days)) != len(self.days):
            raise LocatedValueError(("days",), "a weekday is listed twice")
        return self

    @property
    def paid_hours(self) -> float:
        """Paid hours of one shift: length less unpaid breaks."""
        unpaid = sum(b.length.seconds for b in self.breaks if not b.paid)
        return (self.length.seconds - unpaid) / 3600

    def start_seconds(self) -> list[float]:
        """Allowed start times in seconds after midnight, in order (may pass 24 h)."""
        first = time_of_day_seconds(self.earliest_start)
        last = time_of_day_seconds(self.latest_start) if self.latest_start is not None else first
        if last < first:
            last += DAY
        step = self.start_step.seconds
        n = math.floor((last - first) / step + 1e-9) + 1
        return [first + i * step for i in range(n)]

    def start_times(self) -> list[str]:
        """Allowed start times as ``"HH:MM"``."""
        return [_clock(s) for s in self.start_seconds()]

    def _starts_text(self) -> str:
        times = self.start_times()
        return times[0] if len(times) == 1 else f"{times[0]}–{times[-1]}"


class ShiftTemplates(Model):
    """The templates a plan may use, and limits across them (the form of a templates file).

    ``max_part_time_share`` caps the share of shifts (over the horizon) on
    templates marked ``part_time``: with 0.3, at most 3 shifts in 10 are
    part-time.

    >>> ShiftTemplates(templates=[{"name": "a", "earliest_start": "08:00", "length": "4 h"}]).names
    ['a']
    """

    description: str | None = None
    templates: list[ShiftTemplate] = Field(min_length=1)
    max_part_time_share: Probability | None = Field(None, description="largest share of part-time shifts")

    @model_validator(mode="after")
    def _check(self) -> ShiftTemplates:
        seen: dict[str, int] = {}
        for i, t in enumerate(self.templates):
            if t.name in seen:
                raise LocatedValueError(("templates", i, "name"), f"the name {t.name!r} is also used by templates[{seen[t.name]}]")
            seen[t.name] = i
        return self

    @property
    def names(self) -> list[str]:
        """The template names, in order."""
        return [t.name for t in self.templates]


def _as_templates(templates: Any) -> ShiftTemplates:
    if isinstance(templates, ShiftTemplates):
        return templates
    if isinstance(templates, (str, os.PathLike)):
        return load_templates(templates)
    if isinstance(templates, ShiftTemplate):
        return ShiftTemplates(templates=[templates])
    if isinstance(templates, dict):
        return ShiftTemplates.model_validate(templates)
    return ShiftTemplates(templates=list(templates))


def load_templates(path: str | os.PathLike[str], role: str | None = None) -> ShiftTemplates:
    """Read shift templates from a YAML or JSON file.

    The file is a mapping with ``templates: [...]`` (and optionally
    ``max_part_time_share``), or just the list; or a file of templates per role
    (``roles: {name: {templates: [...]}}``, see
    :func:`simulate.optimize.load_role_templates`), from which ``role`` picks one.
    Problems raise :class:`~blueprint.BlueprintFileError` naming file, line and
    field, e.g. ``shifts.yaml:12: templates[2].length: ...``.

    >>> load_templates("examples/contact_center.shifts.yaml", role="first_line").names[:2]
    ['early', 'day']
    """
    source = str(path)
    text = read_text_file(path, "a shift templates file")
    data, lines = read_data(text, source=source)
    prefix: tuple[Any, ...] = ()
    if isinstance(data, dict) and "roles" in data:
        roles = data["roles"] if isinstance(data["roles"], dict) else {}
        if role is None or role not in roles:
            known = ", ".join(str(r) for r in roles) or "none"
            what = "name the role to read" if role is None else f"no templates for role {role!r}"
            raise BlueprintFileError(
                [Problem("error", "not-templates", "roles", f"{what}; roles in the file: {known}", source,
                         lines.get(("roles",), 1))],
                source,
            )
        prefix = ("roles", role)
        data = roles[role]
        lines = {k[2:]: v for k, v in lines.items() if k[:2] == prefix} | {(): lines.get(prefix, 1)}
    if isinstance(data, list):
        data = {"templates": data}
        lines = {("templates",) + k: v for k, v in lines.items()} | {(): lines.get((), 1)}
    if not isinstance(data, dict) or "templates" not in data:
        raise BlueprintFileError(
            [Problem("error", "not-templates", "", "expected a mapping with templates: [...] (a list of shift templates)",
                     source, lines.get((), 1))],
            source,
        )
    try:
        return ShiftTemplates.model_validate(data)
    except ValidationError as e:
        found = problems_from_pydantic(e, root=ShiftTemplates, file=source, lines=lines)
        if prefix:
            head = ".".join(str(x) for x in prefix)
            found = [dataclasses.replace(p, path=head + ("." + p.path if p.path else "")) for p in found]
        raise BlueprintFileError(found, source) from None


# -- the horizon ----------------------------------------------------------------------


@dataclass
class _Horizon:
    """The intervals of a requirement: values, grid, calendar and whether it wraps."""

    required: np.ndarray  # whole staff per interval
    step: float  # seconds
    origin: float  # seconds since Monday 00:00 when the weekday is known, else since midnight
    weekday_known: bool
    cyclic: bool
    index: pd.Index

    @property
    def T(self) -> int:
        return len(self.required)

    @property
    def whole_day(self) -> bool:
        return abs(self.T * self.step - DAY) < 1e-6

    def clock(self, t: int) -> float:
        return (self.origin + t * self.step) % DAY

    def day_number(self, t: int) -> int:
        """Day of interval ``t`` counted from the horizon's first day (0, 1, ...)."""
        return int(((self.origin % DAY) + t * self.step) // DAY)

    def weekday(self, t: int) -> str | None:
        if not self.weekday_known:
            return None
        return WEEKDAYS[int((self.origin + t * self.step) // DAY) % 7]

    def day_name(self, d: int) -> str:
        if self.weekday_known:
            return WEEKDAYS[(int(self.origin // DAY) + d) % 7]
        return f"day {d + 1}"

    def label(self, t: int) -> str:
        wd = self.weekday(t % self.T if self.cyclic else t)
        return (f"{_DAY_ABBR[wd]} " if wd and not self.whole_day else "") + _clock(self.clock(t))

    def span(self, a: int, b: int) -> str:
        """``"Mon 02:00–04:00"``: intervals ``a`` to ``b`` inclusive."""
        end = _clock(self.clock(b + 1))
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


def _regular_step(deltas: np.ndarray) -> float:
    if len(deltas) == 0:
        raise ValueError("a requirement indexed by time needs at least two intervals to know their length")
    if np.any(np.abs(deltas - deltas[0]) > 1e-6) or deltas[0] <= 0:
        raise ValueError("the requirement's index must be regular and increasing (one interval after another)")
    return float(deltas[0])


def _horizon(
    requirements: Any, *, interval: Any, start: str, day: str | None, cyclic: bool | None
) -> _Horizon:
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
        step = _seconds(interval if interval is not None else "15 min", "interval")
    elif interval is not None and abs(_seconds(interval, "interval") - step) > 1e-6:
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
    h = _Horizon(required, float(step), float(origin), weekday is not None, bool(cyclic), pd.RangeIndex(T))
    if index is None:
        index = pd.Index([h.label(t) for t in range(T)], name="interval")
    h.index = index
    return h


def _weekday(value: str) -> str:
    from blueprint.units import normalize_weekday

    return normalize_weekday(value)


# -- the templates on the grid --------------------------------------------------------


@dataclass
class _Pool:
    """One break of one template: where its window lies, in intervals."""

    k: int  # template
    j: int  # break of the template
    delay: int  # intervals from shift start to the earliest break start
    width: int  # number of break start positions
    length: int  # intervals


@dataclass
class _Grid:
    """The templates laid on the horizon's grid."""

    h: _Horizon
    templates: ShiftTemplates
    lengths: list[int]
    starts: list[np.ndarray]  # allowed start intervals per template
    pools: list[_Pool]
    days: list[np.ndarray]  # day number of each allowed start, per template

    def pools_of(self, k: int) -> list[_Pool]:
        return [p for p in self.pools if p.k == k]

    def span(self, s: int, n: int) -> np.ndarray:
        """Intervals ``s .. s+n-1`` (wrapping on a cyclic horizon)."""
        r = s + np.arange(n)
        return r % self.h.T if self.h.cyclic else r


def _steps(seconds: float, step: float, what: str) -> int:
    n = seconds / step
    if abs(n - round(n)) > 1e-6:
        raise ValueError(f"{what} is not a whole number of {format_number(step / 60)}-minute intervals")
    return round(n)


def _grid(h: _Horizon, templates: ShiftTemplates) -> _Grid:
    lengths, starts, pools, days = [], [], [], []
    for k, tpl in enumerate(templates.templates):
        where = f"templates[{k}] ({tpl.name})"
        L = _steps(tpl.length.seconds, h.step, f"{where}: length {tpl.length}")
        lengths.append(L)  # a shift longer than a horizon that does not wrap has no start in it
        for j, b in enumerate(tpl.breaks):
            pools.append(
                _Pool(
                    k, j,
                    _steps(b.earliest.seconds, h.step, f"{where}: breaks[{j}].earliest {b.earliest}"),
                    _steps(b.latest.seconds - b.earliest.seconds, h.step, f"{where}: breaks[{j}] window") + 1,
                    _steps(b.length.seconds, h.step, f"{where}: breaks[{j}].length {b.length}"),
                )
            )
        clocks = set()
        for c in tpl.start_seconds():
            _steps((c - h.origin) % DAY, h.step, f"{where}: start {_clock(c)} (on a grid from {_clock(h.origin)})")
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
    return _Grid(h, templates, lengths, starts, pools, days)


# -- the integer program ----------------------------------------------------------------


@dataclass
class _Built:
    c: np.ndarray
    integrality: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    A: sparse.csr_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    x_at: list[int]  # first variable of each template's starts
    b_at: list[int]  # first variable of each pool's b[t]
    u_at: int | None  # first shortfall variable
    scale: float  # objective units per solver unit


def _weights(grid: _Grid, objective: str) -> np.ndarray:
    """Objective per shift of each template, in the objective's units."""
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
    raise ValueError(f"unknown objective {objective!r}; use one of {', '.join(_OBJECTIVES)}")


def _build(
    grid: _Grid,
    objective: str,
    *,
    penalty: float | None,
    shortfall_only: bool = False,
    fixed_counts: dict[tuple[int, int], int] | None = None,
    fixed_share: tuple[int, int] = (0, 0),
) -> _Built:
    """The integer program of ``grid``; ``fixed_*`` are staff already placed outside it (for windows)."""
    h = grid.h
    T = h.T
    tpls = grid.templates.templates
    rows_l: list[np.ndarray] = []
    cols_l: list[np.ndarray] = []
    vals_l: list[np.ndarray] = []
    row_lb: list[np.ndarray] = []
    row_ub: list[np.ndarray] = []
    n_rows = 0

    def new_rows(lo: Any, hi: Any, count: int) -> np.ndarray:
        nonlocal n_rows
        row_lb.append(np.broadcast_to(np.asarray(lo, dtype=float), (count,)))
        row_ub.append(np.broadcast_to(np.asarray(hi, dtype=float), (count,)))
        n_rows += count
        return np.arange(n_rows - count, n_rows)

    def add(r: Any, cs: Any, v: float | np.ndarray) -> None:
        r, cs = np.broadcast_arrays(np.asarray(r, dtype=np.int64), np.asarray(cs, dtype=np.int64))
        rows_l.append(r.ravel())
        cols_l.append(cs.ravel())
        vals_l.append(np.broadcast_to(np.asarray(v, dtype=float), r.shape).ravel())

    def wrap(t: np.ndarray) -> np.ndarray:
        return t % T if h.cyclic else t

    # variables: x per template start, then b and Q per break pool (all T), then shortfall u
    n = 0
    x_at = []
    for k in range(len(tpls)):
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
    c = np.zeros(n)
    integrality = np.zeros(n)
    lb = np.zeros(n)
    ub = np.full(n, np.inf)

    # objective, scaled to whole numbers where it can be (HiGHS then uses objective integrality)
    w = _weights(grid, objective)
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
        sl = slice(x_at[k], x_at[k] + len(grid.starts[k]))
        c[sl] = 0.0 if shortfall_only else w[k] / scale
        integrality[sl] = 1
        if tpls[k].max_count is not None:
            ub[sl] = tpls[k].max_count
    if u_at is not None:
        c[u_at:u_at + T] = 1.0 if shortfall_only else float(penalty) / scale  # type: ignore[arg-type]

    # cover: on duty (started, not on a break) + shortfall ≥ required
    cover = new_rows(h.required, np.inf, T)
    for k in range(len(tpls)):
        st = grid.starts[k]
        if len(st):
            add(cover[wrap(st[:, None] + np.arange(grid.lengths[k])[None, :])], (x_at[k] + np.arange(len(st)))[:, None], 1.0)
    reach_of = []
    for p, pool in enumerate(grid.pools):
        st = grid.starts[pool.k]
        reach = np.zeros(T, dtype=bool)
        if len(st):
            reach[wrap(st[:, None] + pool.delay + np.arange(pool.width)[None, :]).ravel()] = True
        reach_of.append(reach)
        integrality[b_at[p]:b_at[p] + T] = 1
        ub[b_at[p]:b_at[p] + T] = np.where(reach, np.inf, 0.0)
        taus = np.flatnonzero(reach)
        if len(taus):
            add(cover[wrap(taus[:, None] + np.arange(pool.length)[None, :])], (b_at[p] + taus)[:, None], -1.0)
    if u_at is not None:
        add(cover, u_at + np.arange(T), 1.0)

    # breaks (Bechtold & Jacobs): a FIFO queue of shifts waiting for this break
    for p, pool in enumerate(grid.pools):
        st = grid.starts[pool.k]
        opens = wrap(st + pool.delay)  # time each start's window opens (inside the horizon for a fitting shift)
        xs = x_at[pool.k] + np.arange(len(st))
        t = np.arange(T)
        # Q[t] - Q[t-1] - (shifts whose window opens at t) + b[t] = 0
        flow = new_rows(0.0, 0.0, T)
        add(flow, q_at[p] + t, 1.0)
        add(flow, b_at[p] + t, 1.0)
        prev = t[1:] if not h.cyclic else t
        add(flow[prev], q_at[p] + (prev - 1) % T, -1.0)
        add(flow[opens], xs, -1.0)
        # Q[t] ≤ shifts still waiting whose window is open after t
        if pool.width == 1:
            ub[q_at[p]:q_at[p] + T] = 0.0
            continue
        cap = new_rows(-np.inf, 0.0, T)
        add(cap, q_at[p] + t, 1.0)
        for i in range(pool.width - 1):
            later = opens + i
            keep = later < T if not h.cyclic else np.ones(len(later), dtype=bool)
            add(cap[wrap(later[keep])], xs[keep], -1.0)

    # staff per template per day
    for k, tpl in enumerate(tpls):
        if tpl.min_count == 0 and tpl.max_count is None:
            continue
        for d in np.unique(grid.days[k]):
            which = np.flatnonzero(grid.days[k] == d)
            have = (fixed_counts or {}).get((k, int(d)), 0)
            hi = float(tpl.max_count - have) if tpl.max_count is not None else np.inf
            r = new_rows(float(max(tpl.min_count - have, 0)), hi, 1)
            add(r[0], x_at[k] + which, 1.0)

    # part-time share: (part-time placed + new) ≤ share × (all placed + new)
    share = grid.templates.max_part_time_share
    if share is not None and any(t.part_time for t in tpls):
        pt_fixed, all_fixed = fixed_share
        r = new_rows(-np.inf, share * all_fixed - pt_fixed, 1)
        for k, tpl in enumerate(tpls):
            add(r[0], x_at[k] + np.arange(len(grid.starts[k])), (1.0 - share) if tpl.part_time else -share)

    cat = (lambda parts, dt: np.concatenate(parts).astype(dt) if parts else np.zeros(0, dtype=dt))
    A = sparse.csr_matrix((cat(vals_l, float), (cat(rows_l, np.int64), cat(cols_l, np.int64))), shape=(n_rows, n))
    return _Built(c, integrality, lb, ub, A, cat(row_lb, float), cat(row_ub, float), x_at, b_at, u_at, scale)


def _solve(built: _Built, *, time_limit: float | None, mip_gap: float | None) -> Any:
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


# -- giving breaks back to shifts -----------------------------------------------------


def _assign_breaks(grid: _Grid, pool: _Pool, x: dict[int, int], b: np.ndarray) -> dict[int, list[int]]:
    """Break start intervals for every shift of ``pool``'s template: ``{start: [break, ...]}``.

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


def _units_from_solution(grid: _Grid, built: _Built, xs: np.ndarray) -> list[tuple[int, int, tuple[int, ...], int]]:
    """``(template, start, break starts, count)`` rows from a solver solution."""
    rows: list[tuple[int, int, tuple[int, ...], int]] = []
    for k in range(len(grid.templates.templates)):
        counts = np.rint(xs[built.x_at[k]:built.x_at[k] + len(grid.starts[k])]).astype(np.int64)
        x = {int(grid.starts[k][i]): int(v) for i, v in enumerate(counts) if v > 0}
        per_pool = []
        for pool in grid.pools_of(k):
            p = grid.pools.index(pool)
            b = np.rint(xs[built.b_at[p]:built.b_at[p] + grid.h.T]).astype(np.int64)
            per_pool.append(_assign_breaks(grid, pool, x, b))
        for s, n in sorted(x.items()):
            lists = [sorted(a[s]) for a in per_pool]
            combos: dict[tuple[int, ...], int] = defaultdict(int)
            for i in range(n):
                combos[tuple(lst[i] for lst in lists)] += 1
            for brk, cnt in sorted(combos.items()):
                rows.append((k, s, brk, cnt))
    return rows


def _coverage(grid: _Grid, units: Sequence[tuple[int, int, tuple[int, ...], int]]) -> tuple[np.ndarray, np.ndarray]:
    """Staff on duty and on a break per interval."""
    T = grid.h.T
    started = np.zeros(T, dtype=np.int64)
    on_break = np.zeros(T, dtype=np.int64)
    for k, s, brk, n in units:
        np.add.at(started, grid.span(s, grid.lengths[k]), n)
        for pool, tau in zip(grid.pools_of(k), brk):
            np.add.at(on_break, grid.span(tau, pool.length), n)
    return started - on_break, on_break


# -- long horizons: day blocks, LP dives and windows -----------------------------------

Unit = tuple[int, int, tuple[int, ...], int]  # (template, start interval, break starts, staff)


def _quiet_milp(c: np.ndarray, integrality: np.ndarray, lb: np.ndarray, ub: np.ndarray, built: _Built,
                options: dict[str, Any]) -> Any:
    """``milp`` passing HiGHS options scipy does not name itself (it forwards them with a warning)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return milp(c, integrality=integrality, bounds=Bounds(lb, ub),
                    constraints=LinearConstraint(built.A, built.row_lb, built.row_ub), options=options)


def _lp(built: _Built, lb: np.ndarray | None = None, ub: np.ndarray | None = None, *, interior: bool = False,
        time_limit: float | None = None) -> Any:
    """The LP relaxation (HiGHS dual simplex, or interior point without crossover for a large model)."""
    options: dict[str, Any] = {"disp": False}
    if time_limit is not None:
        options["time_limit"] = max(float(time_limit), 0.01)
    zero = np.zeros_like(built.c)
    lb = built.lb if lb is None else lb
    ub = built.ub if ub is None else ub
    if interior:
        try:
            res = _quiet_milp(built.c, zero, lb, ub, built, options | {"solver": "ipm", "run_crossover": "off"})
            if res.status in (0, 2):
                return res
        except (TypeError, ValueError, KeyError):  # an older scipy that refuses HiGHS's own options
            pass
    return _quiet_milp(built.c, zero, lb, ub, built, options)


def _x_count(built: _Built, grid: _Grid) -> int:
    return built.x_at[-1] + len(grid.starts[-1]) if built.x_at else 0


def _dive(grid: _Grid, built: _Built, *, deadline: float, threshold: float = 0.7) -> np.ndarray | None:
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
        res = _lp(built, lb, built.ub, time_limit=None if math.isinf(deadline) else deadline - time.perf_counter())
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
    placed = _quiet_milp(built.c, built.integrality, lb2, ub2, built, {"disp": False} | left)
    return placed.x if placed.x is not None else None


def _window(
    grid: _Grid,
    fixed: list[Unit],
    lo: int,
    n: int,
    *,
    objective: str,
    penalty: float | None,
    lookahead: np.ndarray | None,
) -> tuple[_Grid, _Built, np.ndarray]:
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
    on_fixed = _coverage(grid, fixed)[0] if fixed else np.zeros(T, dtype=np.int64)
    need = np.maximum(h.required[where] - on_fixed[where], 0)
    if lookahead is not None:
        need[n:] = np.where(lookahead[where[n:]], need[n:], 0)
    sub_h = _Horizon(need, h.step, h.origin + lo * h.step, h.weekday_known, False, pd.RangeIndex(span))
    sub = _grid(sub_h, grid.templates)
    sub.starts = [st[st < n] for st in sub.starts]
    sub.days = [np.array([h.day_number(int((lo + t) % T)) for t in st], dtype=np.int64) for st in sub.starts]
    counts: dict[tuple[int, int], int] = defaultdict(int)
    tpls = grid.templates.templates
    pt = total = 0
    for k, st, _, c in fixed:
        counts[(k, h.day_number(st))] += c
        total += c
        pt += c * tpls[k].part_time
    built = _build(sub, objective, penalty=penalty, fixed_counts=counts, fixed_share=(pt, total))
    return sub, built, where


def _to_horizon(units: list[Unit], lo: int, T: int) -> list[Unit]:
    return [(k, (s + lo) % T, tuple((t + lo) % T for t in brk), c) for k, s, brk, c in units]


def _objective_of(grid: _Grid, units: list[Unit], objective: str, penalty: float | None) -> float:
    """The objective of a plan (in its units), shortfall penalised when ``penalty`` is given."""
    w = _weights(grid, objective)
    value = float(sum(c * w[k] for k, _, _, c in units))
    if penalty is not None:
        on = _coverage(grid, units)[0]
        value += penalty * float(np.maximum(grid.h.required - on, 0).sum())
    return value


def _decompose(
    grid: _Grid,
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

    Returns the units, the lower bound and a status.
    """
    h = grid.h
    T = h.T
    began = time.perf_counter()
    deadline = began + time_limit
    full = _build(grid, objective, penalty=penalty)
    w = _weights(grid, objective)
    # blocks and windows allow shortfall: a day cannot always cover its first hours (a Sunday night shift
    # covers Monday morning, planned last); a hard cover makes it dearer than any shift
    soft = penalty if penalty is not None else 2.0 * float(w.max()) + 1.0
    lp = _lp(full, interior=True, time_limit=time_limit)
    if lp.status == 2:
        return [], None, "infeasible"
    bound = float(lp.fun) * full.scale if lp.x is not None else None
    nx = _x_count(full, grid)
    lp_x = lp.x[:nx] if lp.x is not None else None
    planned_upto = np.zeros(T, dtype=bool)
    # the objective moves in steps of the weights' common divisor (paid hours: a quarter hour, say)
    milli = np.rint(w * 1000)
    step_value = float(np.gcd.reduce(milli.astype(np.int64))) / 1000 if np.allclose(milli, w * 1000) else 1e-6

    def value_of(units: list[Unit]) -> float:
        return _objective_of(grid, units, objective, soft)

    def gap_of(units: list[Unit]) -> float:
        value = value_of(units)
        if penalty is None and (h.required > _coverage(grid, units)[0]).any():
            return float("inf")
        if bound is None or value <= 0:
            return 0.0 if bound is not None else float("inf")
        return max(value - bound, 0.0) / value

    # 2. day blocks, in order
    cuts = [t for t in range(T) if abs(h.clock(t)) < 1e-6] or [0]
    if cuts[0] != 0:
        cuts = [0] + cuts
    blocks = [(a, (cuts[i + 1] if i + 1 < len(cuts) else T) - a) for i, a in enumerate(cuts)]
    units: list[Unit] = []
    if len(blocks) == 1 and h.cyclic:  # a cyclic day: one dive on the whole of it
        whole = _build(grid, objective, penalty=soft)
        x = _dive(grid, whole, deadline=math.inf)
        if x is None:
            return [], bound, "no plan found by the decomposition"
        units = _units_from_solution(grid, whole, x)
        blocks = []
    for a, n in blocks:
        sub, built, _ = _window(grid, units, a, n, objective=objective, penalty=soft, lookahead=planned_upto)
        planned_upto[a:a + n] = True
        x = _dive(sub, built, deadline=math.inf)  # a first plan is always finished; time_limit bounds the rest
        if x is None:
            res = _solve(built, time_limit=max(deadline - time.perf_counter(), 1.0), mip_gap=mip_gap)
            x = res.x
        if x is None:
            return [], bound, "no plan found by the decomposition"
        units += _to_horizon(_units_from_solution(sub, built, x), a, T)

    # 3. windows, the most promising first
    step = max(window // 2, 1)
    starts_of = np.concatenate([grid.starts[k] for k in range(len(grid.starts))]) if nx else np.zeros(0, int)
    weight_of = np.concatenate([np.full(len(grid.starts[k]), w[k]) for k in range(len(grid.starts))]) if nx else []
    status = "time limit reached"
    improved = True
    while improved:
        improved = False
        planned = np.zeros(T)
        for k, st, _, c in units:
            planned[st] += c * w[k]
        lp_cost = np.zeros(T)
        if lp_x is not None:
            np.add.at(lp_cost, starts_of, lp_x * weight_of)
        excess = []
        for lo in range(0, T if h.cyclic else max(T - window + 1, 1), step):
            idx = (lo + np.arange(window)) % T if h.cyclic else np.arange(lo, min(lo + window, T))
            excess.append((planned[idx].sum() - lp_cost[idx].sum(), lo))
        for _, lo in sorted(excess, reverse=True):
            if gap_of(units) <= mip_gap:
                return units, bound, "optimal"
            left = deadline - time.perf_counter()
            if left <= 0.05:
                return units, bound, status
            n = window if h.cyclic else min(window, T - lo)
            inside_mask = [((u[1] - lo) % T < n) if h.cyclic else (lo <= u[1] < lo + n) for u in units]
            outside = [u for u, m in zip(units, inside_mask) if not m]
            sub, built, _ = _window(grid, outside, lo, n, objective=objective, penalty=soft, lookahead=None)
            inside = [u for u, m in zip(units, inside_mask) if m]
            relaxed = _lp(built, time_limit=left)
            now = float(sum(c * w[k] for k, _, _, c in inside))
            if relaxed.x is None or now - float(relaxed.fun) * built.scale < step_value - 1e-9:
                continue  # the window's LP proves no whole plan of it is cheaper
            res = _solve(built, time_limit=min(left, max(2.0, 0.25 * time_limit)), mip_gap=1e-4)
            if res.x is None:
                continue
            candidate = outside + _to_horizon(_units_from_solution(sub, built, res.x), lo, T)
            if value_of(candidate) < value_of(units) - 1e-9:
                units = candidate
                improved = True
    if gap_of(units) == float("inf") and penalty is None:
        return units, bound, "short"
    return units, bound, "optimal" if gap_of(units) <= mip_gap else "stopped: no window improves the plan"


# -- infeasible requirements, explained -----------------------------------------------


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


def _raise_infeasible(h: _Horizon, problems: list[tuple[list[int], str]], head: str) -> None:
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


def _reach(grid: _Grid) -> tuple[np.ndarray, np.ndarray]:
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


def _check_reach(grid: _Grid) -> None:
    """Refuse, before solving, intervals no shift reaches or that need more staff than the max counts allow."""
    h = grid.h
    tpls = grid.templates.templates
    reachable, most = _reach(grid)
    problems: list[tuple[list[int], str]] = []
    unreached = [t for t in range(h.T) if h.required[t] > 0 and not reachable[t]]
    if unreached:
        starts = "; ".join(
            f"{t.name} starts {t._starts_text()}" + (f" on {', '.join(d[:3] for d in t.days)}" if t.days else "")
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
        _raise_infeasible(h, problems, "no shift plan covers the requirement:")


def _diagnose(grid: _Grid, time_limit: float | None) -> None:
    """After the solver found no plan: find the intervals that stay short when shortfall is allowed."""
    h = grid.h
    tpls = grid.templates.templates
    built = _build(grid, "paid_hours", penalty=1.0, shortfall_only=True)
    res = _lp(built, interior=h.T > 200)  # what even a fractional plan leaves short
    if res.x is None or res.fun < 1e-6:
        res = _solve(built, time_limit=min(time_limit or 60.0, 60.0), mip_gap=None)
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
    u = res.x[built.u_at:built.u_at + h.T]  # type: ignore[operator]
    short = [t for t in range(h.T) if u[t] > 1e-6]
    if not short:  # pragma: no cover - the solver said infeasible, the relaxation covers everything
        raise InfeasibleShiftsError(f"the solver found no shift plan ({said})", [], [], [said])
    _raise_infeasible(
        h,
        [(short, f"cannot be covered together with the other intervals under the limits ({said})")],
        "no shift plan covers the requirement:",
    )


# -- the plan ---------------------------------------------------------------------------


@dataclass(repr=False)
class ShiftPlan:
    """A shift plan: who starts which template when, their breaks, and what it covers.

    ``shifts`` has one row per template, start and break times, with
    ``count`` staff; ``coverage`` one row per interval with ``required``,
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
    _grid: _Grid = field(repr=False)
    _units: list[tuple[int, int, tuple[int, ...], int]] = field(repr=False)

    @property
    def interval(self) -> float:
        """Length of one interval in seconds."""
        return self._grid.h.step

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
        cost = "" if math.isnan(self.cost) else f", cost {self.cost:,.2f}"
        short = f", {self.shortfall} staff-intervals short" if self.shortfall else ""
        return (
            f"{self.headcount} shifts, {self.paid_hours:,.2f} paid hours{cost}{short} "
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
            ("paid hours", f"{self.paid_hours:,.2f}"),
            ("cost", "—" if math.isnan(self.cost) else f"{self.cost:,.2f}"),
            ("staff-intervals short", str(self.shortfall)),
            ("solve time", f"{self.solve_seconds:.2f} s"),
        ]
        head = "".join(f"<tr><th style='text-align:left'>{html.escape(a)}</th><td>{html.escape(b)}</td></tr>" for a, b in rows)
        shown = self.shifts.drop(columns=["start_interval", "break_intervals"])
        more = len(shown) - 30
        table = shown.head(30).to_html(index=False, escape=True)
        tail = f"<p>… and {more} more rows (see <code>.shifts</code>)</p>" if more > 0 else ""
        return f"<div><b>Shift plan</b><table>{head}</table>{table}{tail}</div>"

    def plot(self, ax: Axes | None = None) -> Axes:
        """Staff on duty (a step line) against the requirement (bars), over the horizon.

        >>> import matplotlib; matplotlib.use("Agg")
        >>> plan = schedule_shifts([1, 2, 2, 1], [{"name": "a", "earliest_start": "00:00",
        ...     "latest_start": "02:00", "start_step": "1 h", "length": "2 h"}], interval="1 h")
        >>> plan.plot().get_ylabel()
        'staff (people)'
        """
        import matplotlib.pyplot as plt

        h = self._grid.h
        if ax is None:
            _, ax = plt.subplots(figsize=(12 if h.T * h.step > DAY else 9, 3.8))
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
            ax.set_xticklabels([_DAY_ABBR[h.weekday(round(t * 3600 / h.step)) or "monday"]
                                if t * 3600 / h.step < h.T else "" for t in ticks])
            ax.set_xlabel("day of the week (00:00 at each tick)")
        else:
            every = 2 if span > 12 * 3600 else 1
            ticks = [t for t in np.arange(math.ceil(first) - first, span / 3600 + 1e-9, 1.0)
                     if round(first + t) % every == 0]
            ax.set_xticks(ticks)
            ax.set_xticklabels([f"{round(first + t) % 24:02d}:00" for t in ticks])
            ax.set_xlabel("time of day (h)")
        ax.set_xlim(0, span / 3600)
        ax.set_title(f"Shift plan ({self.objective}): {self.headcount} shifts, {self.paid_hours:,.1f} paid h")
        ax.legend(loc="upper left", frameon=False)
        return ax

    def to_staffing(self) -> Staffing:
        """The plan as a role's ``staffing`` (shifts form), ready to simulate.

        Shifts that repeat on several weekdays with the same start, breaks and
        count are written once with their ``days``. A cyclic day plan (the
        same every day) leaves ``days`` out; a week plan names each weekday.
        """
        h = self._grid.h
        tpls = self._grid.templates.templates
        per_day = h.weekday_known and not (h.cyclic and h.whole_day)
        groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for k, s, brk, n in self._units:
            key = (k, _clock(h.clock(s)), tuple(_clock(h.clock(t)) for t in brk), n)
            groups[key].append(h.weekday(s) or "")
        shifts = []
        for (k, start, brk, n), days in sorted(groups.items(), key=lambda kv: (time_of_day_seconds(kv[0][1]), kv[0][0])):
            tpl = tpls[k]
            shifts.append(
                Shift(
                    name=tpl.name,
                    start=start,
                    length=tpl.length,
                    count=n,
                    days=sorted(days, key=WEEKDAYS.index) if per_day else None,
                    breaks=[Break(start=t, length=r.length, paid=r.paid) for t, r in zip(brk, tpl.breaks)],
                )
            )
        return Staffing(shifts=shifts)


def _plan(
    grid: _Grid,
    units: list[tuple[int, int, tuple[int, ...], int]],
    *,
    objective: str,
    objective_value: float | None,
    status: str,
    gap: float,
    dual_bound: float | None,
    seconds: float,
) -> ShiftPlan:
    h = grid.h
    tpls = grid.templates.templates
    merged: dict[tuple[int, int, tuple[int, ...]], int] = defaultdict(int)
    for k, s, brk, n in units:
        merged[(k, s, brk)] += n
    units = [(k, s, brk, n) for (k, s, brk), n in sorted(merged.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])) if n]
    on_duty, on_break = _coverage(grid, units)
    cov = pd.DataFrame(
        {
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
        breaks = ", ".join(f"{_clock(h.clock(t))}–{_clock(h.clock(t) + r.length.seconds)}" + (" (paid)" if r.paid else "")
                           for t, r in zip(brk, tpl.breaks))
        wd = h.weekday(s)
        records.append(
            {
                "template": tpl.name,
                "day": wd if (wd and not (h.cyclic and h.whole_day)) else "",
                "start": _clock(h.clock(s)),
                "end": _clock(end),
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


def schedule_shifts(
    requirements: Any,
    templates: Any,
    *,
    objective: Objective = "paid_hours",
    soft: bool = False,
    penalty: float | None = None,
    time_limit: float | None = 30.0,
    mip_gap: float = 0.01,
    method: Literal["auto", "mip", "decompose"] = "auto",
    interval: Any = None,
    start: str = "00:00",
    day: str | None = None,
    cyclic: bool | None = None,
) -> ShiftPlan:
    """The cheapest shifts, with their breaks, covering ``requirements`` in every interval.

    ``requirements``: staff required per interval, as a pandas Series (or a
    one-column DataFrame) indexed by interval start (``DatetimeIndex`` for a
    dated day or week; ``TimedeltaIndex`` for offsets from midnight), or a
    1-D array with ``interval`` (default 15 min), ``start`` (time of day of
    the first interval) and ``day`` (its weekday; Monday for horizons longer
    than a day). Fractional values are rounded up. A whole day or week is
    cyclic unless ``cyclic=False`` (see the module notes).

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

    ``method``: ``"mip"`` solves the whole integer program with HiGHS
    (branch and bound until the relative ``gap`` is at most ``mip_gap`` or
    ``time_limit`` seconds have passed); ``"decompose"`` bounds the plan by
    the LP relaxation, plans day by day with LP dives and then improves
    windows of 6 hours of starts exactly, until the gap to the LP bound is at
    most ``mip_gap`` or time runs out (the first, day-by-day plan is always
    finished: about 3 s for a week of quarter hours). ``"auto"`` (default) decomposes
    horizons longer than a day. Either way the plan reports its ``status``
    (``"optimal"``: proven within ``mip_gap``; ``"time limit reached"``;
    ``"stopped: no window improves the plan"``) and the ``gap`` proven.

    Raises :class:`InfeasibleShiftsError` naming the intervals that cannot be
    covered and why, when no plan covers a hard requirement.

    >>> plan = schedule_shifts([2, 2, 3, 3, 1, 1], [{"name": "a", "earliest_start": "08:00", "latest_start": "12:00",
    ...     "start_step": "1 h", "length": "2 h"}], interval="1 h", start="08:00")
    >>> plan.headcount, plan.paid_hours, list(plan.coverage["on_duty"])
    (6, 12.0, [2, 2, 3, 3, 1, 1])
    """
    if objective not in _OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}; use one of {', '.join(_OBJECTIVES)}")
    if soft and penalty is None:
        raise ValueError(f"soft=True needs a penalty per missing staff-interval (in {_UNITS[objective]})")
    if penalty is not None and (not math.isfinite(penalty) or penalty < 0):
        raise ValueError(f"penalty must be a number ≥ 0, got {penalty!r}")
    if method not in ("auto", "mip", "decompose"):
        raise ValueError(f"unknown method {method!r}; use 'auto', 'mip' or 'decompose'")
    tset = _as_templates(templates)
    h = _horizon(requirements, interval=interval, start=start, day=day, cyclic=cyclic)
    grid = _grid(h, tset)
    _weights(grid, objective)  # refuses cost without cost_per_hour before any work
    if not soft:
        _check_reach(grid)
    penalty = penalty if soft else None
    began = time.perf_counter()
    limit = float(time_limit) if time_limit is not None else math.inf
    window = max(1, round(_WINDOW_HOURS * 3600 / h.step))
    per_day = round(DAY / h.step)
    maxL = max(grid.lengths)
    long = h.T * h.step > DAY + 1e-6
    can = (window + maxL <= h.T) and (not h.cyclic or not long or per_day + maxL <= h.T)
    if method == "decompose" and not can:
        raise ValueError("method='decompose' needs a horizon longer than a window of starts and the longest shift")
    plan = None
    if method == "decompose" or (method == "auto" and long and can):
        budget = limit - min(0.5, 0.05 * limit) if math.isfinite(limit) else 3600.0  # kept for assembling the plan
        units, bound, status = _decompose(grid, objective=objective, penalty=penalty, time_limit=budget,
                                          mip_gap=mip_gap, window=window)
        if status == "infeasible" and penalty is None:
            _diagnose(grid, time_limit)
        if status not in ("infeasible", "short"):
            value = _objective_of(grid, units, objective, penalty)
            gap = max(value - bound, 0.0) / value if bound is not None and value > 0 else (0.0 if bound is not None else math.nan)
            plan = _plan(grid, units, objective=objective, objective_value=value, status=status, gap=gap,
                         dual_bound=bound, seconds=time.perf_counter() - began)
    if plan is None:  # a day, or what the decomposition could not cover: the whole program
        built = _build(grid, objective, penalty=penalty)
        left = None if time_limit is None else max(limit - (time.perf_counter() - began), 1.0)
        res = _solve(built, time_limit=left, mip_gap=mip_gap)
        if res.x is None:
            if res.status == 2:
                _diagnose(grid, time_limit)
            if res.status == 1:
                raise TimeoutError(f"HiGHS found no plan within time_limit={time_limit} s; allow more time")
            raise RuntimeError(f"HiGHS stopped without a plan: {res.message}")
        units = _units_from_solution(grid, built, res.x)
        gap = float(res.mip_gap) if getattr(res, "mip_gap", None) is not None else 0.0
        bound = getattr(res, "mip_dual_bound", None)
        plan = _plan(grid, units, objective=objective, objective_value=float(res.fun) * built.scale,
                     status=_STATUS.get(res.status, str(res.status)), gap=max(gap, 0.0),
                     dual_bound=float(bound) * built.scale if bound is not None else None,
                     seconds=time.perf_counter() - began)
    if penalty is None and plan.shortfall:  # pragma: no cover - the matching is exact; this guards the guarantee
        raise RuntimeError("the recovered breaks leave intervals short; please report this as a bug")
    return plan


_UNITS = {"paid_hours": "paid hours", "headcount": "shifts", "cost": "money"}


# -- a greedy baseline ------------------------------------------------------------------


def greedy_shifts(
    requirements: Any,
    templates: Any,
    *,
    objective: Objective = "paid_hours",
    interval: Any = None,
    start: str = "00:00",
    day: str | None = None,
    cyclic: bool | None = None,
) -> ShiftPlan:
    """A plain greedy plan, as a baseline for :func:`schedule_shifts`.

    Repeatedly adds the shift (template, start, and each break where it
    takes the fewest needed staff off duty) that covers the most
    still-uncovered staff-intervals per unit of objective, until every
    interval is covered. Honours ``min_count`` (placed first), ``max_count``
    and ``max_part_time_share``; no optimality is claimed (``status`` is
    ``"heuristic"``, ``gap`` is NaN).

    >>> greedy_shifts([2, 2, 3, 3, 1, 1], [{"name": "a", "earliest_start": "08:00", "latest_start": "12:00",
    ...     "start_step": "1 h", "length": "2 h"}], interval="1 h", start="08:00").headcount
    6
    """
    tset = _as_templates(templates)
    h = _horizon(requirements, interval=interval, start=start, day=day, cyclic=cyclic)
    grid = _grid(h, tset)
    _check_reach(grid)
    tpls = tset.templates
    weight = _weights(grid, objective)
    began = time.perf_counter()
    T = h.T
    deficit = h.required.astype(np.int64).copy()
    used: dict[tuple[int, int], int] = defaultdict(int)  # (template, day) -> staff
    chosen: dict[tuple[int, int, tuple[int, ...]], int] = defaultdict(int)
    share = tset.max_part_time_share
    totals = [0, 0]  # all, part-time

    def window_sums(need: np.ndarray, n: int) -> np.ndarray:
        ext = np.concatenate([need, need]) if h.cyclic else np.concatenate([need, np.zeros(n, dtype=need.dtype)])
        c = np.concatenate([[0], np.cumsum(ext)])
        return c[np.arange(T) + n] - c[np.arange(T)]

    def best(ks: list[int], day_only: int | None = None, need_gain: bool = True) -> tuple[float, int, int, tuple[int, ...]] | None:
        need = (deficit > 0).astype(np.int64)
        top: tuple[float, int, int, tuple[int, ...]] | None = None
        for k in ks:
            tpl = tpls[k]
            if share is not None and tpl.part_time and totals[1] + 1 > share * (totals[0] + 1) + 1e-9:
                continue
            ok = np.ones(len(grid.starts[k]), dtype=bool)
            if day_only is not None:
                ok &= grid.days[k] == day_only
            if tpl.max_count is not None:
                ok &= np.array([used[(k, int(d))] < tpl.max_count for d in grid.days[k]], dtype=bool)
            if not ok.any():
                continue
            s = grid.starts[k][ok]
            gain = window_sums(need, grid.lengths[k])[s].astype(float)
            placed = []
            for pool in grid.pools_of(k):
                loss = window_sums(need, pool.length)
                pos = s[:, None] + pool.delay + np.arange(pool.width)[None, :]
                pos = pos % T if h.cyclic else pos
                lost = loss[pos]
                arg = lost.argmin(axis=1)
                gain -= lost[np.arange(len(s)), arg]
                placed.append(pos[np.arange(len(s)), arg])
            score = gain / max(weight[k], 1e-12)
            i = int(np.argmax(score))
            if need_gain and gain[i] <= 0:
                continue
            if top is None or score[i] > top[0] + 1e-12:
                top = (float(score[i]), k, int(s[i]), tuple(int(p[i]) for p in placed))
        return top

    def take(k: int, s: int, brk: tuple[int, ...]) -> None:
        chosen[(k, s, brk)] += 1
        used[(k, int(h.day_number(s)))] += 1
        totals[0] += 1
        totals[1] += int(tpls[k].part_time)
        deficit[grid.span(s, grid.lengths[k])] -= 1
        for pool, tau in zip(grid.pools_of(k), brk):
            deficit[grid.span(tau, pool.length)] += 1

    for k, tpl in enumerate(tpls):
        for d in np.unique(grid.days[k]):
            for _ in range(tpl.min_count):
                pick = best([k], day_only=int(d), need_gain=False)
                if pick is None:
                    break
                take(*pick[1:])
    while (deficit > 0).any():
        pick = best(list(range(len(tpls))))
        if pick is None:
            short = [t for t in range(T) if deficit[t] > 0]
            _raise_infeasible(h, [(short, "the greedy heuristic found no shift that still helps (limits reached)")],
                              "the greedy plan cannot cover the requirement:")
            break  # pragma: no cover
        take(*pick[1:])
    units = [(k, s, brk, n) for (k, s, brk), n in sorted(chosen.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2]))]
    return _plan(grid, units, objective=objective, objective_value=None, status="heuristic", gap=float("nan"),
                 dual_bound=None, seconds=time.perf_counter() - began)
