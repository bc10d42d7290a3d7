"""Does the staffing fit the customers? Three checks a planner would make with a pencil.

Over one week (the blueprint's pattern repeats weekly), customers reach a staffed step
at the rate they arrive times the step's expected visits per customer
(:func:`blueprint.visits.expected_visits`: branch shares, rework, recovery). Against
that, each role's staff on duty (:func:`on_duty`). :func:`capacity_findings` reports:

``uncovered``
    customers reach a step while no member of its role is on duty (at least
    :data:`MIN_UNCOVERED` in a row), with the times and how many customers a day;
``idle-staff``
    a role's staff on duty while no customer reaches any of its steps (at least
    :data:`MIN_IDLE` in a row: a little time before opening and after closing is usual),
    or a staffed role whose steps no customer reaches at all;
``over-capacity``
    the work offered to a role in a day (customers × visits × mean duration, over its
    steps) is more than its staff on duty can do that day (staff-hours × concurrency).

Customers are counted at the time they arrive; the minutes they take to walk to a step
are not (the simulation sees them). The work counted is a lower bound: the time a member
stays with the customer at system steps, and waits, only add to it.

>>> from blueprint import Blueprint
>>> bp = Blueprint("Coffee")
>>> order = bp.customer("Order")
>>> make = bp.onstage("Make", role="barista", duration="2 min")
>>> _ = order >> make
>>> _ = bp.role("barista", staffing={"interval": "1 h", "start": "07:00", "values": [1] * 5})
>>> _ = bp.arrive(order, rate="20 per h")
>>> for f in capacity_findings(bp):
...     print(f.code, f.message)
uncovered customers reach 'make' from 12:00 to 07:00 while no barista is on duty (about 380 a day)
over-capacity barista work offered is 16 staff-hours a day (480 visits × 2 min at 'make') but barista staff are on duty 5 staff-hours a day: 3.2 times what they can do
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .staffing import DAY, WEEK, Staffing
from .units import WEEKDAYS, time_of_day_seconds

if TYPE_CHECKING:
    from .arrivals import Arrivals
    from .model import Blueprint

__all__ = ["Finding", "MIN_CUSTOMERS", "MIN_IDLE", "MIN_UNCOVERED", "Timeline", "arrival_rate", "capacity_findings", "on_duty"]

MIN_UNCOVERED = 15 * 60.0
"""Shortest stretch (seconds) of customers arriving with nobody on duty that is reported."""
MIN_IDLE = 60 * 60.0
"""Shortest stretch (seconds) of staff on duty with no customers that is reported."""
MIN_CUSTOMERS = 0.5
"""Fewest customers a day (on average over the week) arriving with nobody on duty that is reported."""

TERMS = 6
"""Most steps an over-capacity warning lists by name (the rest are counted)."""

_EPS = 1e-6
_BIN = 15 * 60.0  # listed arrival times are counted per 15 minutes


@dataclass(frozen=True, eq=False)
class Timeline:
    """A step function over one week: ``values[i]`` holds on ``[starts[i], starts[i + 1])`` (the last
    to the end of the week). Times are seconds from Monday 00:00; both are numpy arrays (a profile per
    second is 604,800 pieces a week).

    >>> Timeline.from_deltas({3600.0: 2.0, 7200.0: -2.0}).at(5000.0)
    2.0
    """

    starts: NDArray[np.float64]
    values: NDArray[np.float64]

    @classmethod
    def constant(cls, value: float) -> Timeline:
        return cls(np.zeros(1), np.array([float(value)]))

    @classmethod
    def from_deltas(cls, deltas: dict[float, float] | _Changes) -> Timeline:
        """The running sum of ``deltas`` (change at time t), starting from 0 at Monday 00:00."""
        if isinstance(deltas, dict):
            times, changes = np.array(list(deltas), dtype=float), np.array(list(deltas.values()), dtype=float)
        else:
            times, changes = deltas.arrays()
        times, where = np.unique(np.maximum(times, 0.0), return_inverse=True)  # a change before 0 holds at 0
        level = np.cumsum(np.bincount(where, weights=changes, minlength=len(times)))
        level[np.abs(level) < 1e-9] = 0.0
        keep = times < WEEK
        times, level = times[keep], level[keep]
        if len(times) == 0 or times[0] > 0:
            times, level = np.concatenate([[0.0], times]), np.concatenate([[0.0], level])
        return cls(times.astype(float), level.astype(float))

    def shifted(self, seconds: float) -> Timeline:
        """The same values ``seconds`` later (wrapping at the end of the week)."""
        if len(self.starts) == 1 or seconds == 0:
            return self
        changes = _Changes()
        changes.add(self.starts + seconds, np.append(self.starts[1:], WEEK) + seconds, self.values)
        return Timeline.from_deltas(changes)

    def at(self, t: float) -> float:
        """The value at ``t`` seconds from Monday 00:00 (repeating weekly)."""
        return float(self.values[np.searchsorted(self.starts, t % WEEK, side="right") - 1])

    def on(self, times: NDArray[np.float64]) -> NDArray[np.float64]:
        """The values at ``times`` (seconds within the week), all at once."""
        return self.values[np.searchsorted(self.starts, times, side="right") - 1]


class _Changes:
    """Values added on stretches of the week (wrapping at its end), as changes at their ends; read by
    :meth:`Timeline.from_deltas`."""

    def __init__(self) -> None:
        self.times: list[NDArray[np.float64]] = []
        self.deltas: list[NDArray[np.float64]] = []

    def add(self, a: ArrayLike, b: ArrayLike, v: ArrayLike) -> None:
        """Add ``v`` on ``[a, b)`` (arrays of the same length, or numbers), wrapping at the end of the week."""
        a, b, v = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float), np.asarray(v, dtype=float))
        lo = np.round(a % WEEK, 6)
        hi = np.round(lo + (b - a), 6)
        first_hi = np.minimum(hi, WEEK)
        for x, y, w in ((lo, first_hi, v), (np.zeros_like(lo), hi - WEEK, v)):
            m = y > x
            self.times += [x[m], y[m]]
            self.deltas += [w[m], -w[m]]

    def arrays(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if not self.times:
            return np.zeros(0), np.zeros(0)
        return np.concatenate(self.times), np.concatenate(self.deltas)


def on_duty(staffing: Staffing) -> Timeline:
    """Staff on duty (breaks taken out) over one week; ``inf`` for unlimited staffing.

    >>> s = Staffing.model_validate([{"start": "22:00", "length": "9 h", "breaks": [{"start": "02:00", "length": "30 min"}]}])
    >>> t = on_duty(s)
    >>> t.at(3600.0), t.at(2.25 * 3600), t.at(12 * 3600)
    (1.0, 0.0, 0.0)
    """
    if staffing.kind == "headcount":
        return Timeline.constant(float(staffing.headcount or 0))
    if staffing.kind == "unlimited":
        return Timeline.constant(math.inf)
    changes = _Changes()
    if staffing.profile is not None:
        changes.add(*_columns(staffing.profile.segments()))
        return Timeline.from_deltas(changes)
    for shift in staffing.shifts or []:
        begin = time_of_day_seconds(shift.start)
        for day in shift.working_days():
            t0 = WEEKDAYS.index(day) * DAY + begin
            changes.add(t0, t0 + shift.length.seconds, shift.count)
            for a, b in shift.break_offsets():
                changes.add(t0 + a, t0 + b, -shift.count)
    return Timeline.from_deltas(changes)


def _columns(segments: list[tuple[float, float, float]]) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """``(start, end, value)`` rows as three arrays."""
    table = np.array(segments, dtype=float).reshape(-1, 3)
    return table[:, 0], table[:, 1], table[:, 2]


def arrival_rate(arrivals: Arrivals) -> Timeline:
    """Expected arrivals per second over one week. Listed times are counted per 15 minutes, every
    day when none names a weekday (as the simulator replays them).

    >>> from blueprint import Arrivals
    >>> arrival_rate(Arrivals(step="in", rate="36 per h")).at(0.0)
    0.01
    """
    if arrivals.rate is not None:
        return Timeline.constant(arrivals.rate.per_second)
    changes = _Changes()
    if arrivals.profile is not None:
        width = arrivals.profile.interval.seconds
        a, b, v = _columns(arrivals.profile.segments())
        changes.add(a, b, v / width)
        return Timeline.from_deltas(changes)
    from .arrivals import timestamp_seconds

    stamps = np.array([timestamp_seconds(s) for s in arrivals.times or []], dtype=float)
    days = [0.0] if any(" " in s for s in arrivals.times or []) else [d * DAY for d in range(7)]
    for base in days:
        a = np.floor((base + stamps) / _BIN) * _BIN
        changes.add(a, a + _BIN, 1.0 / _BIN)
    return Timeline.from_deltas(changes)


@dataclass(frozen=True)
class Finding:
    """One capacity problem: a ``code``, the field path ``loc`` it is about, and the ``message``."""

    code: str
    loc: tuple[Any, ...]
    message: str


class _Grid:
    """The week cut where any of the timelines changes (and at midnight): values per piece, windows."""

    def __init__(self, timelines: list[Timeline]) -> None:
        cuts = [np.arange(8) * DAY] + [tl.starts for tl in timelines]
        self.edges = np.unique(np.concatenate(cuts))
        self.edges = self.edges[self.edges <= WEEK]
        self.width = np.diff(self.edges)

    def values(self, tl: Timeline) -> NDArray[np.float64]:
        return tl.on(self.edges[:-1])

    def pieces(self) -> list[tuple[float, float]]:
        return list(zip(self.edges[:-1].tolist(), self.edges[1:].tolist()))

    def windows(self, mask: NDArray[np.bool_], shortest: float) -> list[tuple[float, float]]:
        """Runs of ``mask`` over the week as ``(start, end)``, joined across the end of the week, at
        least ``shortest`` long (an end may pass the end of the week)."""
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return []
        flips = np.flatnonzero(np.diff(np.concatenate([[False], m, [False]]).astype(np.int8)))
        runs = [(float(self.edges[i]), float(self.edges[j])) for i, j in zip(flips[::2], flips[1::2])]
        if len(runs) > 1 and runs[0][0] < _EPS and runs[-1][1] > WEEK - _EPS:
            runs[0] = (runs[-1][0] - WEEK, runs[0][1])
            runs.pop()
        return sorted((a % WEEK, a % WEEK + (b - a)) for a, b in runs if b - a >= shortest - _EPS)

    def integral(self, values: NDArray[np.float64], windows: list[tuple[float, float]] | None = None) -> float:
        """The integral of ``values`` over the week, or over ``windows`` only."""
        v = np.asarray(values, dtype=float)
        if windows is None:
            return float(np.sum(v * self.width))
        cumulative = np.concatenate([[0.0], np.cumsum(v * self.width)])

        def upto(t: float) -> float:  # the integral from Monday 00:00 to t (within the week)
            i = min(max(int(np.searchsorted(self.edges, t, side="right")) - 1, 0), len(v) - 1)
            return float(cumulative[i] + v[i] * (t - self.edges[i]))

        total = 0.0
        for lo, hi in windows:
            for shift in (0.0, -WEEK):
                a, b = max(0.0, lo + shift), min(WEEK, hi + shift)
                if b > a:
                    total += upto(b) - upto(a)
        return total

    def per_day(self, values: NDArray[np.float64]) -> list[float]:
        """The integral of ``values`` over each weekday."""
        day = np.minimum(6, ((self.edges[:-1] + _EPS) // DAY).astype(int))
        return np.bincount(day, weights=np.asarray(values, dtype=float) * self.width, minlength=7).tolist()


def _daily(windows: list[tuple[float, float]]) -> bool:
    """Do the windows repeat every day (each time of day on all seven days)?"""
    if len(windows) == 1 and windows[0][1] - windows[0][0] >= WEEK - _EPS:
        return True
    keys = [(round(a % DAY), round(b - a)) for a, b in windows]
    return len(windows) % 7 == 0 and all(keys.count(k) == 7 for k in keys)


def _once(windows: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The windows of one day of a daily pattern, by time of day."""
    if len(windows) == 1:
        return [(0.0, DAY)]
    return sorted({(float(round(a % DAY)), float(round(a % DAY)) + round(b - a)) for a, b in windows})


def _clock(t: float, end: bool) -> str:
    minutes = int(round(t / 60))
    if end and minutes % (24 * 60) == 0 and minutes > 0:
        return "24:00"
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day(t: float, end: bool) -> str:
    return WEEKDAYS[int(((t - 1 if end else t) % WEEK) // DAY)]


def _when(windows: list[tuple[float, float]]) -> str:
    """``from 12:00 to 07:00`` (every day), ``on saturday from 08:00 to 12:00``, or ``at all hours``."""
    daily = _daily(windows)
    if daily:
        windows = _once(windows)
    if len(windows) == 1 and windows[0][1] - windows[0][0] >= (DAY if daily else WEEK) - _EPS:
        return "at all hours"
    parts = []
    for a, b in windows[:3]:
        if daily:
            parts.append(f"from {_clock(a, False)} to {_clock(b, True)}")
        elif _day(a, False) == _day(b, True):
            parts.append(f"on {_day(a, False)} from {_clock(a, False)} to {_clock(b, True)}")
        else:
            parts.append(f"from {_day(a, False)} {_clock(a, False)} to {_day(b, True)} {_clock(b, True)}")
    more = f" and {len(windows) - 3} more times" if len(windows) > 3 else ""
    return (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + more


def _num(x: float) -> str:
    """``380``, ``16``, ``2.5``, ``0.25``, ``1,234``: two significant figures or whole numbers, never in
    scientific notation."""
    if abs(x) >= 99.5:
        return f"{x:,.0f}"
    return f"{float(f'{x:.2g}'):g}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{_num(seconds)} s"
    if seconds < 3600:
        return f"{_num(seconds / 60)} min"
    return f"{_num(seconds / 3600)} h"


def capacity_findings(bp: Blueprint) -> list[Finding]:
    """The three capacity checks (see the module), for a blueprint whose flows are known to be sound.

    Roles with no staffing, unlimited staffing or nobody ever on duty are left to the other checks.
    """
    from .visits import arrival_lags, expected_visits

    if not bp.arrivals:
        return []  # nothing enters: validation says so once
    journeys = {}
    for a in bp.arrivals:
        if a.step not in journeys:
            v = expected_visits(bp, a.step)
            journeys[a.step] = (v.steps, arrival_lags(bp, a.step, v))
    streams = [(arrival_rate(a), *journeys[a.step]) for a in bp.arrivals]
    out: list[Finding] = []
    for i, role in enumerate(bp.roles):
        s = role.staffing
        steps = [(j, st) for j, st in enumerate(bp.steps) if st.role == role.name]
        if s is None or s.unlimited or s.is_zero() or not steps or role.name in {r.name for r in bp.roles[:i]}:
            continue
        duty = on_duty(s)
        # customers per second reaching each step: each stream's arrivals, moved on by the time it takes
        # to get there, times the visits per customer
        parts = {st.id: [(rate.shifted(lags.get(st.id, 0.0)), visits.get(st.id, 0.0)) for rate, visits, lags in streams]
                 for _, st in steps}
        grid = _Grid([duty] + [tl for ps in parts.values() for tl, _ in ps])
        reach = {sid: sum((w * grid.values(tl) for tl, w in ps), np.zeros(len(grid.width))) for sid, ps in parts.items()}
        staff = grid.values(duty)
        out += _uncovered(grid, role.name, steps, reach, staff)
        visited = any(w > 0 for ps in parts.values() for _, w in ps)
        out += _idle(bp, grid, i, role.name, steps, reach, staff, visited)
        out += _over_capacity(grid, i, role.name, role.concurrency, steps, reach, staff)
    return out


def _amount(x: float, windows: list[tuple[float, float]], unit: str = "") -> str:
    """``x`` (a total over the week) a day when the windows repeat daily, else a week."""
    return f"{_num(x / 7)}{unit} a day" if _daily(windows) else f"{_num(x)}{unit} a week"


def _uncovered(grid: _Grid, role: str, steps: list[tuple[int, Any]], reach: dict[str, NDArray[np.float64]],
               staff: NDArray[np.float64]) -> list[Finding]:
    """Customers reach a step of ``role`` while nobody of it is on duty."""
    out = []
    for j, st in steps:
        mask = (reach[st.id] > 0) & (staff < 0.5)
        windows = grid.windows(mask, MIN_UNCOVERED)
        n = grid.integral(reach[st.id], windows)
        if windows and n >= MIN_CUSTOMERS * 7:
            out.append(Finding("uncovered", ("steps", j, "role"),
                               f"customers reach {st.id!r} {_when(windows)} while no {role} is on duty "
                               f"(about {_amount(n, windows)})"))
    return out


def _idle(bp: Blueprint, grid: _Grid, i: int, role: str, steps: list[tuple[int, Any]],
          reach: dict[str, NDArray[np.float64]], staff: NDArray[np.float64], visited: bool) -> list[Finding]:
    """Staff of ``role`` on duty while no customer reaches any of its steps (``visited``: do the flows lead
    customers to them at all?)."""
    total = sum(reach.values(), np.zeros(len(staff)))
    names = ", ".join(repr(st.id) for _, st in steps)
    if not (total > 0).any():
        if any(f.kind.value == "retry" for f in bp.flows):
            return []  # its steps may be reached by customers who call back; only the simulation knows
        why = "no customers arrive" if visited else "the flows to them have probability 0"
        return [Finding("idle-staff", ("roles", i, "staffing"),
                        f"{role} staff are on duty but no customers reach their steps ({names}): {why}")]
    windows = grid.windows((staff > 0) & (total <= 0), MIN_IDLE)
    if not windows:
        return []
    hours = grid.integral(staff, windows) / 3600
    return [Finding("idle-staff", ("roles", i, "staffing"),
                    f"{role} staff are on duty {_when(windows)} while no customers reach their steps "
                    f"({names}): {_amount(hours, windows, ' staff-hours')}")]


def _over_capacity(grid: _Grid, i: int, role: str, concurrency: int, steps: list[tuple[int, Any]],
                   reach: dict[str, NDArray[np.float64]], staff: NDArray[np.float64]) -> list[Finding]:
    """More work reaches ``role`` in a day than its staff on duty can do."""
    mean = {st.id: st.duration.mean if st.duration is not None else 0.0 for _, st in steps}
    visits = {sid: grid.per_day(r) for sid, r in reach.items()}
    work = [sum(visits[sid][d] * mean[sid] for sid in visits) for d in range(7)]
    cap = [x * concurrency for x in grid.per_day(staff)]
    over = [d for d in range(7) if cap[d] > 0 and work[d] > cap[d] * (1 + 1e-9)]
    if not over:
        return []
    d = max(over, key=lambda k: work[k] / cap[k])
    terms = [f"{_num(visits[sid][d])} visits × {_duration(mean[sid])} at {sid!r}"
             for sid in visits if visits[sid][d] > 0 and mean[sid] > 0]
    parts = " + ".join(terms[:TERMS]) + (f" + {len(terms) - TERMS:,} more steps" if len(terms) > TERMS else "")
    at_once = f" serving {concurrency} at once" if concurrency > 1 else ""
    ratio = work[d] / cap[d]
    by = f"{ratio:,.1f} times what they can do" if 2 <= ratio < 100 else f"{ratio:,.0f} times what they can do" if ratio >= 100 else f"{(ratio - 1) * 100:.0f}% more than they can do"
    if all(abs(work[k] - work[0]) <= 1e-9 * work[0] and abs(cap[k] - cap[0]) <= 1e-9 * cap[0] for k in range(7)):
        offered, duty = f"{_num(work[d] / 3600)} staff-hours a day", f"{_num(cap[d] / concurrency / 3600)} staff-hours a day"
    else:
        others = f" (and {len(over) - 1} other day{'s' * (len(over) > 2)})" if len(over) > 1 else ""
        offered = f"{_num(work[d] / 3600)} staff-hours on {WEEKDAYS[d]}{others}"
        duty = f"{_num(cap[d] / concurrency / 3600)} staff-hours that day"
    return [Finding("over-capacity", ("roles", i, "staffing"),
                    f"{role} work offered is {offered} ({parts}) but {role} staff are on duty {duty}{at_once}: {by}")]
