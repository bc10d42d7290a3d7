"""Clock times and durations as people read them, and durations as the simulator reads them.

The one home of three small rules used all over ``simulate``:

- :func:`format_clock` writes a time in seconds since the start of the run as a clock
  label (``"08:30"``, ``"Mon 08:30"``, ``"day 2 08:30"``);
- :func:`interval_label` is the one label of an interval in every table (``label``
  column): ``"Mon 08:30"`` when the table covers more than a day (a run of several
  days, or figures folded onto a week), ``"08:30"`` when it covers one day (a
  one-day run, or figures folded onto a day); :func:`interval_times` is the same
  start as a real time (``time`` column): a pandas ``Timestamp`` on the nominal
  week that starts on Monday :data:`NOMINAL_MONDAY` (2024-01-01), which matplotlib
  and pandas plot as dates;
- :func:`format_duration` writes a length of time in words (``"45 s"``, ``"2.5 min"``);
- :func:`to_seconds` reads a duration given as seconds, text (``"15 min"``), a
  :class:`~blueprint.units.Duration` or a ``timedelta``.

>>> format_clock(30_600)
'08:30'
>>> format_clock(86_400 + 30_600, day="weekday")
'Tue 08:30'
>>> format_duration(150)
'2.5 min'
>>> to_seconds("15 min", "interval")
900.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from blueprint.units import WEEKDAYS, Duration

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "NOMINAL_MONDAY", "DayStyle", "format_clock", "format_duration", "interval_label", "interval_labels",
    "interval_times", "run_window", "to_seconds",
]

NOMINAL_MONDAY = "2024-01-01"
"""The date of the nominal Monday 00:00 that the ``time`` column of interval tables counts from
(2024-01-01 was a Monday): time 0 of a run is Monday 00:00."""

_DAY = 86_400.0

DayStyle = Literal["none", "weekday", "number"]
"""How :func:`format_clock` names the day: not at all (the clock wraps at midnight),
by weekday (``"Mon 08:30"``, day 0 is Monday) or by number (``"day 1 08:30"``)."""

_MINUTES_PER_DAY = 24 * 60


def format_clock(
    seconds: float,
    *,
    day: DayStyle = "none",
    unit: Literal["minute", "second"] = "minute",
    rounding: Literal["nearest", "down"] = "nearest",
) -> str:
    """A time in seconds since the start (Monday 00:00) as a clock label.

    ``unit="minute"`` writes ``HH:MM``; ``unit="second"`` adds ``:SS`` when the
    time is not on the minute. The time is first rounded to the whole unit, to the
    nearest one or ``rounding="down"``. ``day`` says how the day is named (see
    :data:`DayStyle`); with ``"none"`` the clock wraps at midnight.

    >>> format_clock(8 * 3600 + 29 * 60 + 40)
    '08:30'
    >>> format_clock(8 * 3600 + 29 * 60 + 40, rounding="down")
    '08:29'
    >>> format_clock(8 * 3600 + 29 * 60 + 40, unit="second")
    '08:29:40'
    >>> format_clock(2 * 86_400 + 9 * 3600, day="weekday")
    'Wed 09:00'
    >>> format_clock(2 * 86_400 + 9 * 3600, day="number", rounding="down")
    'day 3 09:00'
    >>> format_clock(25 * 3600)
    '01:00'
    """
    step = 60 if unit == "minute" else 1
    units = seconds / step if step > 1 else seconds
    whole = math.floor(units) if rounding == "down" else round(units)
    minutes, sec = divmod(int(whole) * step, 60)
    days, minute_of_day = divmod(minutes, _MINUTES_PER_DAY)
    text = f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}" + (f":{sec:02d}" if sec else "")
    if day == "weekday":
        return f"{WEEKDAYS[days % 7][:3].capitalize()} {text}"
    if day == "number":
        return f"day {days + 1} {text}"
    return text


def interval_label(seconds: float, span: float) -> str:
    """The label of the interval starting ``seconds`` after Monday 00:00 in a table covering ``span``
    seconds: the weekday and the clock (rounded down) when the table covers more than a day, the
    clock alone for one day. The one rule for interval labels in every table.

    >>> interval_label(900, span=86_400), interval_label(900, span=7 * 86_400)
    ('00:15', 'Mon 00:15')
    >>> interval_label(86_400 + 8 * 3600 + 30, span=2 * 86_400)
    'Tue 08:00:30'
    """
    return format_clock(seconds, day="weekday" if span > _DAY + 1e-6 else "none", unit="second", rounding="down")


def interval_labels(starts: Iterable[float], span: float) -> list[str]:
    """:func:`interval_label` of each start.

    >>> interval_labels([0, 900], span=86_400)
    ['00:00', '00:15']
    """
    return [interval_label(float(t), span) for t in starts]


def interval_times(starts: Iterable[float]) -> pd.DatetimeIndex:
    """Interval starts (seconds from Monday 00:00) as real times on the nominal week of
    :data:`NOMINAL_MONDAY`: what the ``time`` column of interval tables holds.

    >>> interval_times([0, 86_400 + 900]).strftime("%a %Y-%m-%d %H:%M").tolist()
    ['Mon 2024-01-01 00:00', 'Tue 2024-01-02 00:15']
    """
    import pandas as pd  # kept out of the workers' imports

    seconds = pd.to_timedelta(list(starts), unit="s")
    return pd.DatetimeIndex(pd.Timestamp(NOMINAL_MONDAY) + seconds, name="time")


def format_duration(seconds: float | None) -> str:
    """A duration in words a client reads: seconds below 90 s, minutes below 90 min, else hours.

    >>> format_duration(45)
    '45 s'
    >>> format_duration(150)
    '2.5 min'
    >>> format_duration(20 * 60)
    '20 min'
    >>> format_duration(7200)
    '2.0 h'
    >>> format_duration(float("nan"))
    'n/a'
    """
    if seconds is None or not math.isfinite(seconds):
        return "n/a"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        m = seconds / 60
        return f"{m:.0f} min" if m >= 10 else f"{m:.1f} min"
    return f"{seconds / 3600:.1f} h"


def to_seconds(value: object, what: str) -> float:
    """A duration in seconds from a number of seconds, text such as ``"15 min"``, a
    :class:`~blueprint.units.Duration` or anything with ``total_seconds()`` (``timedelta``,
    ``pandas.Timedelta``). Errors name ``what``.

    >>> to_seconds(90, "warmup")
    90.0
    >>> to_seconds("1.5 h", "warmup")
    5400.0
    >>> import datetime
    >>> to_seconds(datetime.timedelta(minutes=15), "interval")
    900.0
    >>> to_seconds("15", "interval")
    Traceback (most recent call last):
    ...
    ValueError: interval: duration: '15' has no unit; write e.g. '15 min'
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, Duration):
        return value.seconds
    if isinstance(value, str):
        try:
            return Duration.parse(value).seconds
        except ValueError as e:
            raise ValueError(f"{what}: {e}") from None
    total = getattr(value, "total_seconds", None)
    if callable(total):
        return float(total())
    raise ValueError(f"{what}: expected a duration such as '15 min', got {value!r}")


def run_window(days: float) -> str:
    """`` (Monday 00:00 to 06:00)``: when a run of ``days`` took place, for runs shorter than a week (time 0 is
    Monday 00:00); empty for a week or more.

    >>> run_window(0.25), run_window(1.5), run_window(8)
    (' (Monday 00:00 to 06:00)', ' (Monday 00:00 to Tuesday 12:00)', '')
    """
    if not 0 < days < 7:
        return ""
    minutes = round(days * 1440)
    day, minute = divmod(minutes, 1440)
    end = f"{minute // 60:02d}:{minute % 60:02d}"
    return f" (Monday 00:00 to {end})" if day == 0 else f" (Monday 00:00 to {WEEKDAYS[day].capitalize()} {end})"
