"""Staffing and arrival rates as step functions of time over the simulated horizon.

Time is in seconds from Monday 00:00 of the first simulated day.

>>> from blueprint import Staffing
>>> s = Staffing.model_validate([{"start": "22:00", "length": "9 h", "count": 2,
...                               "breaks": [{"start": "02:00", "length": "30 min"}]}])
>>> headcount_timeline(s, horizon=86400.0)[:3]
[(0.0, 2), (7200.0, 0), (9000.0, 2)]
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict

from blueprint import Staffing
from blueprint.staffing import DAY, WEEK, Profile
from blueprint.units import WEEKDAYS, time_of_day_seconds

__all__ = ["headcount_timeline", "paid_timeline", "profile_timeline", "integrate", "value_at"]

Timeline = list[tuple[float, float]]


def _compact(points: list[tuple[float, float]]) -> Timeline:
    """Sorted change points with repeated values dropped; starts at 0."""
    out: Timeline = []
    for t, v in sorted(points):
        if out and out[-1][0] == t:
            out[-1] = (t, v)
        elif not out or out[-1][1] != v:
            out.append((t, v))
    if out and out[0][0] > 0:
        out.insert(0, (0.0, 0))
    if not out:
        out = [(0.0, 0)]
    # merging equal times may leave equal neighbours
    merged: Timeline = []
    for t, v in out:
        if not merged or merged[-1][1] != v:
            merged.append((t, v))
    return merged


def profile_timeline(profile: Profile, horizon: float) -> Timeline:
    """The profile's value over ``[0, horizon)``, repeating weekly."""
    segs = profile.segments()
    starts = [a for a, _, _ in segs]

    def value(t: float) -> float:
        i = bisect.bisect_right(starts, t % WEEK) - 1
        if i >= 0 and segs[i][0] <= t % WEEK < segs[i][1]:
            return segs[i][2]
        return 0.0

    points = {0.0}
    for w in range(int(math.ceil(horizon / WEEK)) + 1):
        for a, b, _ in segs:
            for t in (a + w * WEEK, b + w * WEEK):
                if 0 <= t < horizon:
                    points.add(t)
    return _compact([(t, value(t)) for t in sorted(points)])


def _shift_deltas(staffing: Staffing, horizon: float, *, paid: bool) -> Timeline:
    deltas: dict[float, float] = defaultdict(float)
    days = int(math.ceil(horizon / DAY)) + 1
    for shift in staffing.shifts or []:
        start = time_of_day_seconds(shift.start)
        worked = set(shift.working_days())
        for d in range(-1, days):
            if WEEKDAYS[d % 7] not in worked:
                continue
            begin = d * DAY + start
            end = begin + shift.length.seconds
            if end <= 0 or begin >= horizon:
                continue
            deltas[begin] += shift.count
            deltas[end] -= shift.count
            for a, b in shift.break_offsets():
                brk = next(x for x in shift.breaks if (time_of_day_seconds(x.start) - start) % DAY == a)
                if paid and brk.paid:
                    continue
                deltas[begin + a] -= shift.count
                deltas[begin + b] += shift.count
    # changes before the start of the run (a shift, or its break, begun the evening before) give the level at 0
    level = 0.0
    points: Timeline = [(0.0, 0.0)]
    for t in sorted(deltas):
        level += deltas[t]
        if t <= 0:
            points[0] = (0.0, level)
        else:
            points.append((t, level))
    return _compact([(t, v) for t, v in points if t < horizon])


def headcount_timeline(staffing: Staffing, horizon: float) -> Timeline:
    """Staff on duty (not on a break) over ``[0, horizon)``: ``[(time, headcount), ...]``.

    Unlimited staffing gives ``[(0, inf)]``.
    """
    kind = staffing.kind
    if kind == "headcount":
        return [(0.0, staffing.headcount or 0)]
    if kind == "unlimited":
        return [(0.0, math.inf)]
    if kind == "profile":
        assert staffing.profile is not None
        return [(t, int(v)) for t, v in profile_timeline(staffing.profile, horizon)]
    return [(t, int(round(v))) for t, v in _shift_deltas(staffing, horizon, paid=False)]


def paid_timeline(staffing: Staffing, horizon: float) -> Timeline:
    """Staff being paid over ``[0, horizon)``: on duty plus those on paid breaks."""
    if staffing.kind == "shifts":
        return [(t, int(round(v))) for t, v in _shift_deltas(staffing, horizon, paid=True)]
    return headcount_timeline(staffing, horizon)


def integrate(timeline: Timeline, start: float, end: float) -> float:
    """The integral of a step function over ``[start, end)``."""
    total = 0.0
    for i, (t, v) in enumerate(timeline):
        t_next = timeline[i + 1][0] if i + 1 < len(timeline) else math.inf
        a, b = max(t, start), min(t_next, end)
        if b > a and v:
            total += v * (b - a)
    return total


def value_at(timeline: Timeline, t: float) -> float:
    """The value in force at time ``t``."""
    out = timeline[0][1]
    for when, v in timeline:
        if when <= t:
            out = v
        else:
            break
    return out
