"""Quantities with units: durations, rates, times of day and weekdays.

A blueprint stores every number as the designer wrote it (``4 min`` stays
4 minutes, not 240.0 seconds) so that a file saved again reads the same; the
simulator asks for seconds.

>>> Duration.parse("90 s").seconds
90.0
>>> Rate.parse("30 per h").per_second
0.008333333333333333
>>> time_of_day_seconds("08:30")
30600.0
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

__all__ = [
    "UNITS",
    "UNIT_PATTERN",
    "DURATION_PATTERN",
    "RATE_PATTERN",
    "TIME_OF_DAY_PATTERN",
    "WEEKDAY_PATTERN",
    "TIMESTAMP_PATTERN",
    "any_case",
    "Duration",
    "Rate",
    "WEEKDAYS",
    "format_number",
    "parse_unit",
    "time_of_day_seconds",
    "normalize_time_of_day",
    "normalize_weekday",
]

#: Canonical unit names and their length in seconds.
UNITS: dict[str, float] = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}

_UNIT_ALIASES = {
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "min": "min", "mins": "min", "minute": "min", "minutes": "min", "m": "min",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "d", "day": "d", "days": "d",
}

WEEKDAYS: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)
_WEEKDAY_ALIASES = {d[:3]: d for d in WEEKDAYS} | {d: d for d in WEEKDAYS} | {
    "tues": "tuesday", "wed": "wednesday", "thur": "thursday", "thurs": "thursday",
}

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"


def any_case(word: str) -> str:
    """A JSON Schema (ECMA-262) pattern matching ``word`` in any case: ``"min"`` -> ``"[mM][iI][nN]"``.

    JSON Schema patterns have no flags, so readers that ignore case are spelled out.

    >>> any_case("h")
    '[hH]'
    """
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def _one_of(words: Iterable[str]) -> str:
    return "(" + "|".join(any_case(w) for w in sorted(set(words), key=lambda w: (-len(w), w))) + ")"


# JSON Schema patterns of what the readers below accept (the schemas of blueprint, shift and scenario files).
_SCHEMA_NUMBER = r"\+?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?"  # no sign: durations and rates are ≥ 0
#: A time unit any reader here accepts (``s``, ``min``, ``hours``, …, in any case).
UNIT_PATTERN = _one_of(_UNIT_ALIASES)
#: A duration with its unit: ``90 s``, ``4 min``, ``1.5 hours``.
DURATION_PATTERN = rf"^\s*{_SCHEMA_NUMBER}\s*{UNIT_PATTERN}\s*$"
#: A rate: ``30 per h``, ``2/min``, ``30 an hour``.
RATE_PATTERN = rf"^\s*{_SCHEMA_NUMBER}\s*(/|{any_case('per')}\s+|[aA][nN]?\s+)\s*{UNIT_PATTERN}\s*$"
_CLOCK = r"(([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?|24:00(:00(\.0+)?)?)"
#: A time of day from ``00:00`` to ``24:00`` (``HH:MM`` or ``HH:MM:SS``).
TIME_OF_DAY_PATTERN = rf"^\s*{_CLOCK}\s*$"
#: A weekday, full or short (``monday``, ``Mon``, ``thurs``), in any case.
WEEKDAY_PATTERN = rf"^\s*{_one_of(_WEEKDAY_ALIASES)}\s*$"
#: A moment of the week: a time of day, or a weekday and a time of day (``tuesday 08:00:05``).
TIMESTAMP_PATTERN = rf"^\s*({_one_of(_WEEKDAY_ALIASES)}\s+)?{_CLOCK}\s*$"
_QUANTITY_RE = re.compile(rf"^\s*({_NUMBER})\s*([A-Za-z]+)?\s*$")
_RATE_RE = re.compile(rf"^\s*({_NUMBER})\s*(?:/|per\s+|an?\s+)\s*([A-Za-z]+)\s*$", re.I)
_TIME_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*$")


def format_number(x: float) -> str:
    """The shortest text that reads back as exactly ``x`` (``4.0`` -> ``"4"``).

    >>> format_number(2.5), format_number(4.0)
    ('2.5', '4')
    """
    if isinstance(x, bool):
        raise TypeError("a number is expected, not a boolean")
    if isinstance(x, int) and abs(x) >= 10**15:
        digits = str(abs(x))
        sign = "-" if x < 0 else ""
        # too large to be a float: written as it is, or shortened when very long
        return sign + digits if len(digits) <= 30 else f"{sign}{digits[0]}.{digits[1:4]}e+{len(digits) - 1}"
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def parse_unit(text: str) -> str:
    """The canonical name of a time unit (``"minutes"`` -> ``"min"``)."""
    if not isinstance(text, str):
        raise ValueError(f"a time unit is text such as 'min', got {text!r}")
    key = text.strip().lower()
    if key not in _UNIT_ALIASES:
        raise ValueError(f"unknown time unit {text!r}; use s, min, h or d")
    return _UNIT_ALIASES[key]


def _parse_quantity(value: Any, what: str) -> tuple[float, str]:
    """Split ``"4 min"`` into ``(4.0, "min")``; bare numbers are refused."""
    if isinstance(value, bool):
        raise ValueError(f"{what}: expected a number with a unit such as '4 min', got {value!r}")
    if isinstance(value, (int, float)):
        raise ValueError(
            f"{what}: {format_number(value)} has no unit; write it as "
            f"'{format_number(value)} s', '{format_number(value)} min' or '{format_number(value)} h'"
        )
    if not isinstance(value, str):
        raise ValueError(f"{what}: expected text such as '4 min', got {type(value).__name__}")
    m = _QUANTITY_RE.match(value)
    if not m:
        raise ValueError(f"{what}: cannot read {value!r}; expected a number and a unit such as '4 min'{_one_unit(value)}")
    number, unit = m.groups()
    if unit is None:
        raise ValueError(f"{what}: {value!r} has no unit; write e.g. '{value.strip()} min'")
    return float(number), parse_unit(unit)


def _one_unit(text: str) -> str:
    """For a duration written in parts (``"8 h 30 min"``): the hint to write it in one unit, else "".

    >>> _one_unit("8 h 30 min"), _one_unit("1min30s"), _one_unit("4 mins please")
    ("; write it in one unit: '8.5 h' or '510 min'", "; write it in one unit: '1.5 min' or '90 s'", '')
    """
    if not _PARTS_RE.match(text):
        return ""
    parts = _PART_RE.findall(text)
    if any(u.lower() not in _UNIT_ALIASES for _, u in parts):
        return ""
    units = [parse_unit(u) for _, u in parts]
    seconds = sum(float(n) * UNITS[unit] for (n, _), unit in zip(parts, units, strict=True))
    big, small = units[0], units[-1]
    return (f"; write it in one unit: '{format_number(round(seconds / UNITS[big], 6))} {big}' or "
            f"'{format_number(round(seconds / UNITS[small], 6))} {small}'")


_PART_RE = re.compile(rf"({_NUMBER})\s*([A-Za-z]+)")
_PARTS_RE = re.compile(rf"^\s*(?:{_NUMBER}\s*[A-Za-z]+\s*){{2,}}$")


class _QuantityType:
    """Shared pydantic plumbing: validate from text, serialise to text."""

    _what = "value"
    _json_description = ""
    _json_pattern = ""

    @classmethod
    def parse(cls, value: Any) -> _QuantityType:  # pragma: no cover - overridden
        raise NotImplementedError

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def validate(value: Any) -> _QuantityType:
            return value if isinstance(value, cls) else cls.parse(value)

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(str, when_used="always"),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return {"type": "string", "description": cls._json_description, "pattern": cls._json_pattern}


def within_duration_limit(seconds: float, text: str) -> None:
    """A ValueError stating the ceiling when ``seconds`` is longer than a blueprint may say."""
    from .limits import LIMITS

    if seconds > LIMITS.max_duration_seconds:
        raise ValueError(f"{text} is longer than the ceiling of {LIMITS.max_duration_seconds / 86_400:g} days "
                         "(blueprint.limits.limits_set(max_duration_seconds=...) raises it)")


class Duration(_QuantityType):
    """A length of time with its unit, e.g. ``Duration.parse("90 s")``.

    Equal only to a duration written the same way (``60 s`` is not ``1 min``):
    the model keeps what the designer wrote. Compare ``.seconds`` for time.

    >>> Duration.parse("1.5 h").seconds
    5400.0
    >>> str(Duration(2, "min"))
    '2 min'
    """

    __slots__ = ("value", "unit")
    _json_description = "a duration with its unit: '90 s', '4 min', '1.5 h'"
    _json_pattern = DURATION_PATTERN

    def __init__(self, value: float, unit: str = "s") -> None:
        value = float(value)
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"a duration must be a finite number ≥ 0, got {format_number(value)}")
        self.value = value
        self.unit = parse_unit(unit)
        within_duration_limit(self.seconds, f"{format_number(value)} {self.unit}")

    @classmethod
    def parse(cls, value: Any) -> Duration:
        if isinstance(value, Duration):
            return value
        number, unit = _parse_quantity(value, "duration")
        return cls(number, unit)

    @property
    def seconds(self) -> float:
        """The duration in seconds."""
        return self.value * UNITS[self.unit]

    def __str__(self) -> str:
        return f"{format_number(self.value)} {self.unit}"

    def __repr__(self) -> str:
        return f"Duration({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Duration) and (self.value, self.unit) == (other.value, other.unit)

    def __hash__(self) -> int:
        return hash((self.value, self.unit))


class Rate(_QuantityType):
    """A rate of events per unit of time, e.g. ``Rate.parse("30 per h")``.

    Accepts ``30 per h``, ``30/h`` and ``30 an hour``.

    >>> Rate.parse("2/min").per_second
    0.03333333333333333
    """

    __slots__ = ("value", "per")
    _json_description = "a rate such as '30 per h', '2/min' or '0.5 per s'"
    _json_pattern = RATE_PATTERN

    def __init__(self, value: float, per: str = "h") -> None:
        value = float(value)
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"a rate must be a finite number ≥ 0, got {format_number(value)}")
        self.value = value
        self.per = parse_unit(per)
        from .limits import LIMITS

        if self.per_second * 3600 > LIMITS.max_rate_per_hour:
            raise ValueError(f"a rate of {format_number(value)} per {self.per} is more than the ceiling of "
                             f"{LIMITS.max_rate_per_hour:,} per h (blueprint.limits.limits_set(max_rate_per_hour=...) raises it)")

    @classmethod
    def parse(cls, value: Any) -> Rate:
        if isinstance(value, Rate):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError(
                f"rate: {format_number(value)} has no time unit; write e.g. '{format_number(value)} per h'"
            )
        if not isinstance(value, str):
            raise ValueError(f"rate: expected text such as '30 per h', got {type(value).__name__}")
        m = _RATE_RE.match(value)
        if not m:
            raise ValueError(f"rate: cannot read {value!r}; expected e.g. '30 per h' or '2/min'")
        return cls(float(m.group(1)), parse_unit(m.group(2)))

    @property
    def per_second(self) -> float:
        """Events per second."""
        return self.value / UNITS[self.per]

    def __str__(self) -> str:
        return f"{format_number(self.value)} per {self.per}"

    def __repr__(self) -> str:
        return f"Rate({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rate) and (self.value, self.per) == (other.value, other.per)

    def __hash__(self) -> int:
        return hash((self.value, self.per))


def normalize_time_of_day(value: Any) -> str:
    """Check a time of day and write it as ``HH:MM`` or ``HH:MM:SS``.

    ``24:00`` is allowed as the end of a day.

    >>> normalize_time_of_day("8:30")
    '08:30'
    """
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60 * 60:
        # YAML 1.1 readers turn an unquoted 8:30 into 510 (base 60); we do not, but say so.
        raise ValueError(f"time of day: got the number {value}; write it quoted, e.g. '08:30'")
    if not isinstance(value, str):
        raise ValueError(f"time of day: expected text such as '08:30', got {value!r}")
    m = _TIME_RE.match(value)
    if not m:
        raise ValueError(f"time of day: cannot read {value!r}; expected HH:MM such as '08:30'")
    h, mi, s = int(m.group(1)), int(m.group(2)), m.group(3)
    sec = float(s) if s else 0.0
    if mi > 59 or sec >= 60 or h > 24 or (h == 24 and (mi or sec)):
        raise ValueError(f"time of day: {value!r} is not a time between 00:00 and 24:00")
    text = f"{h:02d}:{mi:02d}"
    if s:
        whole, _, frac = s.partition(".")
        frac = frac.rstrip("0")
        text += f":{int(whole):02d}" + (f".{frac}" if frac else "")
    return text


def time_of_day_seconds(value: str) -> float:
    """Seconds since midnight of a time of day such as ``"08:30"``."""
    text = normalize_time_of_day(value)
    parts = text.split(":")
    sec = float(parts[2]) if len(parts) > 2 else 0.0
    return int(parts[0]) * 3600 + int(parts[1]) * 60 + sec


def normalize_weekday(value: Any) -> str:
    """The full lower-case name of a weekday (``"Mon"`` -> ``"monday"``)."""
    if not isinstance(value, str) or value.strip().lower() not in _WEEKDAY_ALIASES:
        raise ValueError(f"unknown weekday {value!r}; expected one of {', '.join(WEEKDAYS)}")
    return _WEEKDAY_ALIASES[value.strip().lower()]
