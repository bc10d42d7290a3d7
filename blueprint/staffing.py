"""Staffing of a role: a headcount, a headcount per interval, or shifts.

Also the interval :class:`Profile` shared with arrivals, and the service
:class:`Target` a role is held to.

>>> Staffing.model_validate(4).kind
'headcount'
>>> s = Staffing.model_validate({"shifts": [{"start": "22:00", "length": "9 h", "count": 2,
...     "breaks": [{"start": "02:00", "length": "30 min"}]}]})
>>> s.shifts[0].paid_hours
8.5
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SerializerFunctionWrapHandler, field_validator, model_serializer, model_validator

from .base import Model, Probability, TimeOfDay, Weekday
from .errors import LocatedValueError
from .units import WEEKDAYS, Duration, format_number, time_of_day_seconds

__all__ = ["Profile", "Break", "Shift", "Staffing", "Target", "DAY", "WEEK"]

DAY = 24 * 3600.0
WEEK = 7 * DAY


class Profile(Model):
    """Values per interval of the day (``values``) or per weekday (``days``).

    Interval ``i`` starts at ``start + i × interval``; outside the intervals
    given the value is 0. A day may run past midnight into the next morning,
    but no longer than 24 hours.

    >>> p = Profile(interval="1 h", start="08:00", values=[3, 5])
    >>> p.value_at(8.5 * 3600), p.value_at(12 * 3600)
    (3.0, 0.0)
    """

    interval: Duration = Field(default_factory=lambda: Duration(15, "min"), description="length of one interval")
    start: TimeOfDay = Field("00:00", description="time of day the first interval starts")
    values: list[float] | None = Field(None, description="one value per interval, the same every day")
    days: dict[Weekday, list[float]] | None = Field(None, description="values per weekday; days left out have none")

    @field_validator("values")
    @classmethod
    def _check_values(cls, v: list[float] | None) -> list[float] | None:
        if v is not None:
            if not v:
                raise ValueError("an empty list: give one value per interval from start (or leave the profile out)")
            _check_list(v)
        return v

    @field_validator("days")
    @classmethod
    def _check_days(cls, v: dict[str, list[float]] | None) -> dict[str, list[float]] | None:
        if v is None:
            return v
        for values in v.values():
            _check_list(values)
        return {d: v[d] for d in WEEKDAYS if d in v}

    @model_validator(mode="after")
    def _check_shape(self) -> Profile:
        if (self.values is None) == (self.days is None):
            raise ValueError("give either values (the same every day) or days (values per weekday)")
        if self.interval.seconds <= 0:
            raise ValueError("interval must be longer than 0")
        longest = max(len(v) for v in self.day_lists().values()) if self.day_lists() else 0
        if longest * self.interval.seconds > DAY + 1e-9:
            raise ValueError(
                f"{longest} intervals of {self.interval} make more than 24 hours; use days: for a weekly profile"
            )
        return self

    def day_lists(self) -> dict[str, list[float]]:
        """The values of each weekday the profile covers (every weekday the same for ``values``).

        >>> Profile(interval="1 h", start="08:00", days={"mon": [1, 2], "sat": [3]}).day_lists()
        {'monday': [1.0, 2.0], 'saturday': [3.0]}
        """
        if self.values is not None:
            return {d: self.values for d in WEEKDAYS}
        return dict(self.days or {})

    @property
    def weekly(self) -> bool:
        """True when values differ by weekday."""
        return self.days is not None

    def segments(self) -> list[tuple[float, float, float]]:
        """``(start, end, value)`` in seconds from Monday 00:00, over one week, sorted.

        Segments that run past the end of the week wrap to its start.
        """
        out: list[tuple[float, float, float]] = []
        step = self.interval.seconds
        first = time_of_day_seconds(self.start)
        for day, values in self.day_lists().items():
            base = WEEKDAYS.index(day) * DAY + first
            for i, v in enumerate(values):
                a = (base + i * step) % WEEK
                b = a + step
                if b > WEEK:
                    out.append((a, WEEK, float(v)))
                    out.append((0.0, b - WEEK, float(v)))
                else:
                    out.append((a, b, float(v)))
        return sorted(out)

    def value_at(self, t: float) -> float:
        """The value in force ``t`` seconds after Monday 00:00 (repeating weekly)."""
        t = t % WEEK
        for a, b, v in self.segments():
            if a <= t < b:
                return v
        return 0.0

    def total(self) -> float:
        """Sum of all values over one week."""
        return sum(v for a, b, v in self.segments())


def _clock(seconds: float) -> str:
    """``"HH:MM"`` of a time in seconds, wrapping at midnight."""
    minutes = int(round(seconds / 60)) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _staff_within_limit(n: float) -> Any:
    """``n`` when it is a headcount one role can have on duty (at most :attr:`Limits.max_staff`), else a
    ValueError that states the limit."""
    from .limits import LIMITS

    if not n <= LIMITS.max_staff:
        raise ValueError(f"{format_number(n)} staff is more than the {LIMITS.max_staff:,} one role may have on duty at "
                         "once (blueprint.limits.limits_set(max_staff=...) raises it)")
    return n


def _check_list(values: list[float]) -> None:
    for i, x in enumerate(values):
        if x < 0:
            raise ValueError(f"values[{i}] = {format_number(x)}: values must be ≥ 0")


class Break(Model):
    """A break within a shift, starting at a time of day."""

    start: TimeOfDay
    length: Duration
    paid: bool = False


class Shift(Model):
    """``count`` staff working from ``start`` for ``length``, on ``days``.

    A shift may cross midnight (``start: "22:00"``, ``length: 9 h``). ``days``
    left out means every day.
    """

    name: str | None = None
    start: TimeOfDay
    length: Duration
    count: int = Field(1, ge=0, description="how many staff work this shift")
    days: list[Weekday] | None = None
    breaks: list[Break] = Field(default_factory=list)

    @field_validator("count")
    @classmethod
    def _count_within_limit(cls, v: int) -> int:
        return _staff_within_limit(v)

    @model_validator(mode="after")
    def _check(self) -> Shift:
        if not 0 < self.length.seconds <= DAY:
            raise ValueError(f"length {self.length} must be more than 0 and at most 24 h")
        begin = time_of_day_seconds(self.start)
        spans = []
        for i, b in enumerate(self.breaks):
            offset = (time_of_day_seconds(b.start) - begin) % DAY
            if offset + b.length.seconds > self.length.seconds + 1e-9:
                end = _clock(begin + self.length.seconds)
                raise LocatedValueError(
                    ("breaks", i),
                    f"break {b.start} for {b.length} does not fit in the shift {self.start} + {self.length} "
                    f"({self.start} to {end})",
                )
            spans.append((offset, offset + b.length.seconds, i))
        spans.sort()
        for (_, a1, i), (b0, _, j) in zip(spans, spans[1:]):
            if b0 < a1:
                raise LocatedValueError(("breaks", j), f"this break overlaps breaks[{i}]")
        if self.days is not None and len(set(self.days)) != len(self.days):
            raise ValueError("days: a weekday is listed twice")
        return self

    def break_offsets(self) -> list[tuple[float, float]]:
        """Breaks as ``(start, end)`` seconds after the shift starts."""
        begin = time_of_day_seconds(self.start)
        return sorted(((time_of_day_seconds(b.start) - begin) % DAY, (time_of_day_seconds(b.start) - begin) % DAY + b.length.seconds) for b in self.breaks)

    @property
    def paid_hours(self) -> float:
        """Paid hours of one person on one day: length less unpaid breaks."""
        unpaid = sum(b.length.seconds for b in self.breaks if not b.paid)
        return (self.length.seconds - unpaid) / 3600

    def working_days(self) -> list[str]:
        """The weekdays this shift is worked."""
        return list(self.days) if self.days is not None else list(WEEKDAYS)


class Staffing(Model):
    """How many staff a role has: exactly one of four forms.

    In a file: ``staffing: 4`` (constant), ``staffing: unlimited`` (a system
    or self-service that never queues), ``staffing: {interval: 30 min, start:
    "08:00", values: [...]}`` (headcount per interval), or ``staffing:
    {shifts: [...]}``.
    """

    headcount: int | None = Field(None, ge=0)
    unlimited: bool = False
    profile: Profile | None = None
    shifts: list[Shift] | None = None

    @model_validator(mode="before")
    @classmethod
    def _forms(cls, data: Any) -> Any:
        if isinstance(data, bool):
            raise ValueError(f"expected a headcount, 'unlimited', a profile or shifts, got {str(data).lower()}")
        if isinstance(data, int):
            return {"headcount": data}
        if isinstance(data, float):
            if not data.is_integer():
                raise ValueError(f"a headcount is a whole number, got {data}")
            return {"headcount": int(data)}
        if isinstance(data, str):
            if data.strip().lower() in ("unlimited", "inf", "infinite"):
                return {"unlimited": True}
            raise ValueError(f"expected a headcount, 'unlimited', a profile or shifts, got {data!r}")
        if isinstance(data, list):
            return {"shifts": data}
        if isinstance(data, dict) and any(k in data for k in ("values", "days", "interval", "start")):
            return {"profile": data}
        return data

    @field_validator("headcount")
    @classmethod
    def _headcount_within_limit(cls, v: int | None) -> int | None:
        return v if v is None else _staff_within_limit(v)

    @model_validator(mode="after")
    def _one_form(self) -> Staffing:
        given = [k for k in ("headcount", "profile", "shifts") if getattr(self, k) is not None]
        if self.unlimited:
            given.append("unlimited")
        if len(given) != 1:
            raise ValueError(
                "give exactly one of: a headcount, 'unlimited', a profile (interval, start, values) or shifts"
                + (f"; got {', '.join(given)}" if given else "")
            )
        if self.profile is not None:
            for day, values in self.profile.day_lists().items():
                for i, x in enumerate(values):
                    where = ("profile", "values", i) if self.profile.values is not None else ("profile", "days", day, i)
                    if not float(x).is_integer():
                        raise LocatedValueError(where, f"a headcount per interval is a whole number; got {format_number(x)}")
                    try:
                        _staff_within_limit(x)
                    except ValueError as e:
                        raise LocatedValueError(where, str(e)) from None
        return self

    @model_serializer(mode="wrap")
    def _write(self, handler: SerializerFunctionWrapHandler) -> int | str | dict[str, Any]:
        if self.headcount is not None:
            return self.headcount
        if self.unlimited:
            return "unlimited"
        data = handler(self)
        if self.profile is not None:
            return data["profile"]
        return {"shifts": data["shifts"]}

    @property
    def kind(self) -> Literal["headcount", "unlimited", "profile", "shifts"]:
        """Which of the four forms this is."""
        if self.headcount is not None:
            return "headcount"
        if self.unlimited:
            return "unlimited"
        return "profile" if self.profile is not None else "shifts"

    def is_zero(self) -> bool:
        """True when nobody is ever on duty."""
        if self.kind == "headcount":
            return self.headcount == 0
        if self.kind == "profile":
            return self.profile.total() == 0  # type: ignore[union-attr]
        if self.kind == "shifts":
            return all(s.count == 0 for s in self.shifts or [])
        return False

    def __str__(self) -> str:
        if self.kind == "headcount":
            return f"{self.headcount} staff"
        if self.kind == "unlimited":
            return "unlimited"
        if self.kind == "profile":
            p = self.profile
            assert p is not None
            return f"headcount per {p.interval} from {p.start}" + (" by weekday" if p.weekly else "")
        n = sum(s.count for s in self.shifts or [])
        return f"{len(self.shifts or [])} shift(s), {n} staff"


class Target(Model):
    """The service a role is held to, e.g. 80% answered within 20 s.

    ``service_level`` and ``within`` go together; the others are optional.

    >>> Target(service_level=0.8, within="20 s").within.seconds
    20.0
    """

    service_level: Probability | None = Field(None, description="share answered within `within`")
    within: Duration | None = None
    max_abandon: Probability | None = None
    max_asa: Duration | None = Field(None, description="maximum average speed of answer")
    max_occupancy: Probability | None = None

    def __str__(self) -> str:
        """The target in words (the one wording, also in the staffing report).

        >>> print(Target(service_level=0.8, within="20 s", max_abandon=0.05))
        80% answered within 20 s, at most 5% give up
        """
        from .numbers import percent

        parts = []
        if self.service_level is not None and self.within is not None:
            parts.append(f"{percent(self.service_level, 0)} answered within {self.within}")
        if self.max_abandon is not None:
            parts.append(f"at most {percent(self.max_abandon, 0)} give up")
        if self.max_asa is not None:
            parts.append(f"average wait at most {self.max_asa}")
        if self.max_occupancy is not None:
            parts.append(f"staff at most {percent(self.max_occupancy, 0)} busy")
        return ", ".join(parts) or "none"

    @model_validator(mode="after")
    def _pair(self) -> Target:
        if (self.service_level is None) != (self.within is None):
            raise ValueError("service_level and within go together (e.g. service_level: 0.8, within: 20 s)")
        return self
