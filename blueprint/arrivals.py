"""Where and how customers enter a blueprint.

An :class:`Arrivals` stream enters at one step, either at a constant rate
(Poisson), at an expected number per interval of the day or week (a
non-homogeneous Poisson process), or at listed times (replayed as they are).
Its customers fall into :class:`Segment` s by share, each with a priority and
a patience.

>>> a = Arrivals(step="call", rate="120 per h")
>>> a.kind, a.rate.per_second
('rate', 0.03333333333333333)
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema, field_validator, model_validator

from .base import Model, Probability, Slug
from .distributions import Distribution
from .staffing import DAY, Profile
from .units import (
    TIMESTAMP_PATTERN,
    WEEKDAYS,
    Rate,
    format_number,
    normalize_time_of_day,
    normalize_weekday,
    time_of_day_seconds,
)

__all__ = ["Arrivals", "Segment", "Timestamp", "timestamp_seconds"]

_STAMP_RE = re.compile(r"^\s*(?:([A-Za-z]+)\s+)?(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*$")


def _normalize_stamp(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a time such as '08:00:05' or 'tuesday 08:00:05', got {value!r}")
    m = _STAMP_RE.match(value)
    if not m:
        raise ValueError(f"cannot read {value!r}; expected 'HH:MM[:SS]' or 'weekday HH:MM[:SS]'")
    day, time = m.groups()
    time = normalize_time_of_day(time)
    return f"{normalize_weekday(day)} {time}" if day else time


Timestamp = Annotated[
    str,
    BeforeValidator(_normalize_stamp),
    WithJsonSchema({"type": "string", "pattern": TIMESTAMP_PATTERN, "description": "'HH:MM[:SS]' on the first day, or 'weekday HH:MM[:SS]'"}),
]


def timestamp_seconds(stamp: str) -> float:
    """Seconds from Monday 00:00 (a stamp with no weekday is on Monday)."""
    text = _normalize_stamp(stamp)
    day, _, time = text.rpartition(" ")
    return (WEEKDAYS.index(day) * DAY if day else 0.0) + time_of_day_seconds(time)


class Segment(Model):
    """A group of customers with its own share, priority and patience.

    A larger ``priority`` is served first; equal priorities are served in
    order of arrival. ``patience`` left out means customers never give up.
    """

    name: Slug
    share: Probability
    priority: int = 0
    patience: Distribution | None = None
    description: str | None = None


class Arrivals(Model):
    """A stream of customers entering at ``step``.

    Exactly one of ``rate`` (constant, e.g. ``30 per h``), ``profile``
    (expected arrivals per interval, e.g. calls per 15 minutes) or ``times``
    (timestamps to replay).
    """

    name: Slug = "customers"
    step: str = Field(description="id of the step where these customers enter")
    rate: Rate | None = None
    profile: Profile | None = Field(None, description="expected arrivals in each interval")
    times: list[Timestamp] | None = None
    patience: Distribution | None = Field(None, description="patience of customers in no segment that sets its own")
    segments: list[Segment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_form(self) -> Arrivals:
        given = [k for k in ("rate", "profile", "times") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of rate (e.g. '30 per h'), profile (arrivals per interval) or times"
                + (f"; got {', '.join(given)}" if given else "")
            )
        if self.profile is not None:
            from .errors import LocatedValueError
            from .limits import LIMITS

            hours = self.profile.interval.seconds / 3600
            for day, values in self.profile.day_lists().items():
                for i, x in enumerate(values):
                    if x / hours > LIMITS.max_rate_per_hour:
                        where = ("profile", "values", i) if self.profile.values is not None else ("profile", "days", day, i)
                        raise LocatedValueError(where, f"{format_number(x)} arrivals in {self.profile.interval} is more than the "
                                                f"ceiling of {LIMITS.max_rate_per_hour:,} per h "
                                                "(blueprint.limits.limits_set(max_rate_per_hour=...) raises it)")
        return self

    @field_validator("times")
    @classmethod
    def _sorted(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            secs = [timestamp_seconds(s) for s in v]
            for i, (a, b) in enumerate(zip(secs, secs[1:])):
                if b < a:
                    raise ValueError(f"times must be in order; times[{i + 1}] ({v[i + 1]}) comes before times[{i}] ({v[i]})")
        return v

    @property
    def kind(self) -> Literal["rate", "profile", "times"]:
        """Which of the three forms this is."""
        return "rate" if self.rate is not None else "profile" if self.profile is not None else "times"

    def rate_at(self, t: float) -> float:
        """Arrivals per second expected ``t`` seconds after Monday 00:00."""
        if self.rate is not None:
            return self.rate.per_second
        if self.profile is not None:
            return self.profile.value_at(t) / self.profile.interval.seconds
        return 0.0

    def per_day(self) -> float:
        """Expected arrivals on an average day."""
        if self.rate is not None:
            return self.rate.per_second * DAY
        if self.profile is not None:
            return self.profile.total() / 7
        return float(len(self.times or []))

    def segment_list(self) -> list[Segment]:
        """The segments, or a single segment of everyone when none are declared."""
        if self.segments:
            return list(self.segments)
        return [Segment(name="all", share=1.0, patience=self.patience)]

    def patience_of(self, segment: Segment) -> Distribution | None:
        """A segment's patience, falling back on the stream's."""
        return segment.patience if segment.patience is not None else self.patience
