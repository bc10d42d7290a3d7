"""Shift templates: the kinds of shift staff can be bought in, their breaks, and the file they are read from.

>>> t = ShiftTemplate(name="day", earliest_start="08:00", length="8 h",
...                   breaks=[{"length": "30 min", "earliest": "3 h", "latest": "4 h"}])
>>> t.paid_hours, as_templates([t]).names
(7.5, ['day'])
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

from pydantic import Field, PrivateAttr, ValidationError, model_validator

from blueprint.base import Model, Probability, TimeOfDay, Weekday
from blueprint.errors import (
    BlueprintFileError,
    LocatedValueError,
    Problem,
    format_path,
    line_of,
    problems_from_pydantic,
)
from blueprint.files import read_data, read_text_file
from blueprint.numbers import duration
from blueprint.schema import model_json_schema
from blueprint.staffing import DAY
from blueprint.units import Duration, time_of_day_seconds
from simulate.clock import format_clock

__all__ = [
    "BreakRule", "ShiftTemplate", "ShiftTemplates", "TemplatesLike", "as_templates", "load_templates",
    "templates_json_schema", "SHIFTS_SCHEMA_ID",
]

SHIFTS_SCHEMA_ID = "https://service-blueprint.dev/schema/shifts.json"


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


#: The shortest time between two allowed starts of a template, in seconds.
MIN_START_STEP = 60.0


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
    cost_per_hour: float | None = Field(None, ge=0, le=1_000_000_000, description="cost of one paid hour (at most 10^9)")
    min_count: int = Field(0, ge=0, description="fewest staff starting this template on one day")
    max_count: int | None = Field(None, ge=0, description="most staff starting this template on one day")
    days: list[Weekday] | None = Field(None, description="weekdays a shift may start; all when left out")
    part_time: bool = Field(False, description="counts towards max_part_time_share")

    @model_validator(mode="after")
    def _check(self) -> ShiftTemplate:
        if not 0 < self.length.seconds <= DAY:
            raise LocatedValueError(("length",), f"length {self.length} must be more than 0 and at most 24 h")
        if not self.start_step.seconds >= MIN_START_STEP:
            raise LocatedValueError(("start_step",), f"start_step {self.start_step} is shorter than 1 min; shifts start at "
                                    "most once a minute (a plan's interval is minutes long)")
        from blueprint.limits import LIMITS

        for name in ("min_count", "max_count"):
            value = getattr(self, name)
            if value is not None and value > LIMITS.max_staff:
                raise LocatedValueError((name,), f"{value:,} staff is more than the {LIMITS.max_staff:,} one role may have "
                                        "on duty at once (blueprint.limits.limits_set(max_staff=...) raises it)")
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
        if self.days is not None and not self.days:
            raise LocatedValueError(("days",), "no weekday: a shift of this template could never start; list the "
                                    "weekdays it may start, or leave days out for every day")
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

    @property
    def odd_overnight_window(self) -> str | None:
        """The start window in words when it runs past midnight for more than 12 hours (a ``latest_start``
        before ``earliest_start`` written for one after it, most likely), else None.

        >>> ShiftTemplate(name="day", earliest_start="17:00", latest_start="08:00", length="8 h").odd_overnight_window
        '17:00 to 08:00 the next day (15 h of starts)'
        """
        if self.latest_start is None:
            return None
        first, last = time_of_day_seconds(self.earliest_start), time_of_day_seconds(self.latest_start)
        if last >= first or last + DAY - first <= DAY / 2:
            return None
        return f"{self.earliest_start} to {self.latest_start} the next day ({duration(last + DAY - first)} of starts)"

    def start_times(self) -> list[str]:
        """Allowed start times as ``"HH:MM"``."""
        return [format_clock(s, unit="second") for s in self.start_seconds()]

    def starts_text(self) -> str:
        """The start times in words: ``"06:00–07:00"``, or the one start ``"06:00"``."""
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
    #: Where these templates were read: (file, field path -> line, path of this set in the file).
    _origin: tuple[str, dict[Any, int], tuple[Any, ...]] | None = PrivateAttr(None)

    def problem(self, loc: tuple[Any, ...], message: str) -> TemplateError:
        """A located error about part ``loc`` of these templates (``("templates", 0, "length")``): the file,
        the line and the path as written when they were read from a file."""
        if self._origin is None:
            return TemplateError([Problem("error", "invalid-template", format_path(loc), message)])
        file, lines, prefix = self._origin
        where = tuple(prefix) + tuple(loc)
        return TemplateError([Problem("error", "invalid-template", format_path(where), message, file, line_of(where, lines))], file)

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


class TemplateError(BlueprintFileError, ValueError):
    """Shift templates that cannot be laid on a plan's grid (a start off the grid, a length that is not a
    whole number of intervals), located in their file when they came from one."""


def as_templates(templates: TemplatesLike) -> ShiftTemplates:
    """Templates given in any of the forms the planners accept (see :data:`TemplatesLike`), as
    :class:`ShiftTemplates`: a path is read by :func:`load_templates`, dicts are validated.

    >>> as_templates({"templates": [{"name": "a", "earliest_start": "08:00", "length": "4 h"}]}).names
    ['a']
    """
    if isinstance(templates, ShiftTemplates):
        return templates
    if isinstance(templates, (str, os.PathLike)):
        return load_templates(templates)
    if isinstance(templates, ShiftTemplate):
        return ShiftTemplates(templates=[templates])
    if isinstance(templates, Mapping):
        return ShiftTemplates.model_validate(templates)
    return ShiftTemplates(templates=list(templates))


def load_templates(path: str | os.PathLike[str], role: str | None = None) -> ShiftTemplates:
    """Read shift templates from a YAML or JSON file.

    The file is a mapping with ``templates: [...]`` (and optionally
    ``max_part_time_share``), or just the list; or a file of templates per role
    (``roles: {name: {templates: [...]}}``, see
    :func:`simulate.staffing.optimize.load_role_templates`), from which ``role`` picks one.
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
        out = ShiftTemplates.model_validate(data)
        out._origin = (source, {prefix + k: v for k, v in lines.items()}, prefix)  # paths as in the file
        return out
    except ValidationError as e:
        found = problems_from_pydantic(e, root=ShiftTemplates, file=source, lines=lines)
        if prefix:
            head = ".".join(str(x) for x in prefix)
            found = [dataclasses.replace(p, path=head + ("." + p.path if p.path else "")) for p in found]
        raise BlueprintFileError(found, source) from None

def templates_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a shift templates file: ``templates: [...]`` (with
    ``max_part_time_share``), just the list, or templates per role (``roles: {role: {templates:
    [...]}}``). ``blueprint schema --kind shifts`` prints it.

    >>> schema = templates_json_schema()
    >>> schema["title"], len(schema["anyOf"])
    ('Shift templates', 3)
    """
    schema = model_json_schema(ShiftTemplates)
    defs = schema.pop("$defs", {})
    defs["ShiftTemplates"] = {k: v for k, v in schema.items() if k != "$schema"}
    templates = {"$ref": "#/$defs/ShiftTemplates"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SHIFTS_SCHEMA_ID,
        "title": "Shift templates",
        "description": "The kinds of shift staff can be bought in (start window, length, breaks, cost), for the shift planner.",
        "anyOf": [
            templates,
            {"type": "array", "items": {"$ref": "#/$defs/ShiftTemplate"}, "minItems": 1},
            {
                "type": "object",
                "properties": {
                    "description": {"type": "string"},
                    "roles": {"type": "object", "additionalProperties": templates, "minProperties": 1},
                },
                "required": ["roles"],
                "additionalProperties": False,
            },
        ],
        "$defs": defs,
    }


#: What the planners accept as templates: :class:`ShiftTemplates`, one :class:`ShiftTemplate`,
#: a list of templates (or their dicts), the dict of a templates file, or the file's path.
TemplatesLike: TypeAlias = (
    ShiftTemplates | ShiftTemplate | Mapping[str, Any] | Iterable[ShiftTemplate | Mapping[str, Any]] | str | os.PathLike[str]
)
