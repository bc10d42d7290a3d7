"""Problems found in a blueprint, the report that lists them, and the errors raised.

Every problem knows where it is: the field path (``steps[3].role``) and,
when the blueprint came from a file, the file and line.

>>> p = Problem("error", "unknown-role", "steps[3].role", "unknown role 'barista2'; known: barista, cashier",
...             file="coffee.yaml", line=42)
>>> str(p)
"coffee.yaml:42: steps[3].role: unknown role 'barista2'; known: barista, cashier"
"""

from __future__ import annotations

import datetime
import difflib
import html
import re
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

__all__ = [
    "LocatedValueError",
    "Problem",
    "ValidationReport",
    "BlueprintError",
    "BlueprintFileError",
    "BlueprintValidationError",
    "format_path",
    "line_of",
    "problems_from_pydantic",
    "shorten_quoted",
]

Severity = Literal["error", "warning"]
Loc = tuple[Any, ...]


def format_path(loc: Iterable[Any]) -> str:
    """``("steps", 3, "role")`` -> ``"steps[3].role"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


#: A quoted value this long is shown by its start and end (a pasted paragraph or a runaway string is still
#: recognisable; the message around it stays readable).
LONGEST_QUOTED = 120
_QUOTED = re.compile(rf"(?<![\w'])'([^'\n]{{{LONGEST_QUOTED + 1},}})'(?!\w)|(?<![\w\"])\"([^\"\n]{{{LONGEST_QUOTED + 1},}})\"(?!\w)")


def shorten_quoted(message: str) -> str:
    """``message`` with each quoted value longer than :data:`LONGEST_QUOTED` characters cut to its start and end
    and its length.

    >>> prose = "the fail point of 'serve' sends" + " almost every customer" * 9 + " back to 'serve'"
    >>> shorten_quoted(prose) == prose  # between two quoted values, not one
    True
    >>> shorten_quoted("unknown role '" + "b" * 500 + "'")
    "unknown role 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb…bbbbbbbbbbbbbbbbbbbb' (500 characters)"
    """
    def cut(m: re.Match[str]) -> str:
        quote, text = ("'", m.group(1)) if m.group(1) is not None else ('"', m.group(2))
        return f"{quote}{text[:68]}…{text[-20:]}{quote} ({len(text):,} characters)"
    return _QUOTED.sub(cut, message)


@dataclass(frozen=True)
class Problem:
    """One thing wrong (``error``) or worth a look (``warning``) in a blueprint. A quoted value in the message
    longer than :data:`LONGEST_QUOTED` characters is shortened to its start and end."""

    severity: Severity
    code: str
    path: str
    message: str
    file: str | None = None
    line: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", shorten_quoted(self.message))

    @property
    def location(self) -> str:
        """``file:line`` where known, else the file, else empty."""
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        if self.line:
            return f"line {self.line}"
        return self.file or ""

    def __str__(self) -> str:
        parts = [p for p in (self.location, "warning" if self.severity == "warning" else "", self.path) if p]
        return ": ".join(parts + [self.message])


@dataclass
class ValidationReport:
    """All the problems of a blueprint, errors apart from warnings.

    Displays itself as a table in Jupyter; ``str()`` gives one line each.
    """

    problems: list[Problem] = field(default_factory=list)
    source: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def __bool__(self) -> bool:
        return self.ok

    def __len__(self) -> int:
        return len(self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def raise_for_errors(self) -> None:
        """Raise :class:`BlueprintValidationError` listing every error."""
        if self.errors:
            raise BlueprintValidationError(self.errors + self.warnings, source=self.source)

    def summary(self) -> str:
        """``2 errors, 1 warning`` or ``valid``."""
        if not self.problems:
            return "valid"
        e, w = len(self.errors), len(self.warnings)
        return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"

    def __str__(self) -> str:
        lines = [str(p) for p in self.errors + self.warnings]
        return "\n".join(lines + [self.summary()])

    def _repr_html_(self) -> str:
        if not self.problems:
            return "<p>✓ valid blueprint</p>"
        rows = "".join(
            f"<tr><td style='color:{'#b00020' if p.severity == 'error' else '#8a6d00'}'>{p.severity}</td>"
            f"<td>{html.escape(p.location)}</td><td><code>{html.escape(p.path)}</code></td>"
            f"<td style='text-align:left'>{html.escape(p.message)}</td></tr>"
            for p in self.errors + self.warnings
        )
        return (
            f"<p>{html.escape(self.summary())}</p><table><tr><th>severity</th><th>where</th>"
            f"<th>field</th><th>problem</th></tr>{rows}</table>"
        )


class BlueprintError(Exception):
    """Base of the errors this library raises about a blueprint; lists its problems."""

    def __init__(self, problems: list[Problem] | str, source: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem("error", "error", "", problems, file=source)]
        self.problems = problems
        self.source = source
        super().__init__("\n".join(str(p) for p in problems))

    @property
    def report(self) -> ValidationReport:
        return ValidationReport(list(self.problems), source=self.source)


class BlueprintFileError(BlueprintError):
    """A file could not be read as a blueprint (missing, not YAML, wrong shape)."""


class BlueprintValidationError(BlueprintError):
    """A blueprint has errors that :meth:`Blueprint.validate` found."""


# -- pydantic errors, in the designer's words -----------------------------------------


class LocatedValueError(ValueError):
    """A ``ValueError`` raised by a model validator about one of its parts.

    ``loc`` is the path below the model (``("breaks", 0)``), so the problem
    points at the part that is wrong rather than at the whole model.
    """

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc = tuple(loc)


# Hints added to "required field is missing" for fields whose choices are not obvious.
_MISSING_HINTS = {
    "lane": "one of customer, onstage, backstage or support",
    "label": "the text shown in the box",
    "step": "the id of the step where customers enter",
    "from": "the id of the step the flow leaves",
    "to": "the id of the step the flow enters",
    "start": "a time of day such as '08:00'",
    "length": "a duration such as '8 h'",
    "tolerance": "the longest acceptable wait, e.g. '60 s'",
}

_TYPE_WORDS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing_size": "a whole number of a size that can be used",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _model_fields_at(root: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the model found at ``loc`` below ``root`` (empty if unknown)."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[-1] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part) or next(
                (f for f in current.model_fields.values() if f.alias == part), None
            )
            current = info.annotation if info else None
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap(tp: Any) -> Any:
    """Strip ``Optional`` and pick the model out of a union."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        lists = [a for a in args if typing.get_origin(a) in (list, dict)]
        return (models or lists or args)[0]
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    return tp


def _describe(value: Any) -> str:
    """A value as the file wrote it: ``true``, ``null``, ``'text'``; a date or time YAML read from a plain
    ``2024-01-01`` as such, with the way to keep it as text.

    >>> import datetime
    >>> _describe(datetime.date(2024, 1, 1)), _describe(None), _describe(1e20)
    ('the date 2024-01-01 (YAML reads a plain date as a date: put it in quotes to keep it as text)', 'null', '1e+20')
    """
    if isinstance(value, (datetime.date, datetime.time)):
        kind = "time" if isinstance(value, datetime.time) else "date"
        return (f"the {kind} {value.isoformat(sep=' ') if isinstance(value, datetime.datetime) else value.isoformat()} "
                f"(YAML reads a plain {kind} as a {kind}: put it in quotes to keep it as text)")
    text = {True: "true", False: "false"}[value] if isinstance(value, bool) else "null" if value is None else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def plain_message(err: dict[str, Any]) -> str:
    """One of pydantic's error records (``ValidationError.errors()``) said as the rest of the library says it.

    >>> plain_message({"type": "greater_than_equal", "loc": (), "msg": "Input should be ...", "input": 0,
    ...                "ctx": {"ge": 1}})
    'must be ≥ 1, got 0'
    """
    return _message(err, None)[1]


def _message(err: dict[str, Any], root: type[BaseModel] | None) -> tuple[Loc, str]:
    loc: Loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    msg = str(err.get("msg", ""))
    value = err.get("input")
    if kind in ("value_error", "assertion_error"):
        original = (err.get("ctx") or {}).get("error")
        if isinstance(original, LocatedValueError):
            return loc + original.loc, str(original)
        for prefix in ("Value error, ", "Assertion failed, "):
            if msg.startswith(prefix):
                msg = msg[len(prefix):]
        return loc, msg
    if kind == "missing":
        hint = _MISSING_HINTS.get(str(loc[-1])) if loc else None
        return loc, "required field is missing" + (f"; expected {hint}" if hint else "")
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        known = _model_fields_at(root, loc[:-1]) if root else []
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else (f"; known: {', '.join(known)}" if known else "")
        return loc, f"unknown field {key!r}{hint}"
    if kind in ("enum", "literal_error"):
        expected = (err.get("ctx") or {}).get("expected", "")
        return loc, f"expected {expected}, got {_describe(value)}"
    if kind in _TYPE_WORDS:
        return loc, f"expected {_TYPE_WORDS[kind]}, got {_describe(value)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        ctx = err.get("ctx") or {}
        sign, bound = {
            "greater_than_equal": ("≥", ctx.get("ge")),
            "greater_than": (">", ctx.get("gt")),
            "less_than_equal": ("≤", ctx.get("le")),
            "less_than": ("<", ctx.get("lt")),
        }[kind]
        if isinstance(bound, (int, float)) and not isinstance(bound, bool) and float(bound).is_integer():
            bound = f"{int(bound):,}"  # 1,000,000,000, not 1000000000.0
        return loc, f"must be {sign} {bound}, got {_describe(value)}"
    if kind in ("too_short", "too_long"):  # a list or a mapping with too few or too many entries
        ctx = err.get("ctx") or {}
        bound = ctx.get("min_length" if kind == "too_short" else "max_length")
        got = ctx.get("actual_length")
        if isinstance(bound, int) and isinstance(got, int):
            one, many = ("entry", "entries") if isinstance(value, dict) else ("item", "items")
            most = "at least" if kind == "too_short" else "at most"
            return loc, f"expected {most} {bound:,} {one if bound == 1 else many}, got {f'{got:,}' if got else 'none'}"
    return loc, msg[:1].lower() + msg[1:]


def problems_from_pydantic(
    exc: ValidationError,
    *,
    root: type[BaseModel] | None = None,
    file: str | None = None,
    lines: dict[Loc, int] | None = None,
    prefix: Loc = (),
) -> list[Problem]:
    """Turn pydantic's errors into located :class:`Problem` s."""
    out = []
    seen: set[str] = set()
    wrong_kind: set[str] = set()  # a mapping or list where a union's scalar arm wanted a number or a text
    for details in exc.errors(include_url=False):
        err: dict[str, Any] = dict(details)
        err["loc"] = _clean_loc(tuple(err.get("loc", ())))
        loc, message = _message(err, root)
        loc = prefix + loc
        if lines:
            loc = as_written(loc, lines)
        path = format_path(loc)
        if path in seen:  # the other arms of a union: the first says enough
            continue
        seen.add(path)
        if err.get("type") in _TYPE_WORDS and isinstance(err.get("input"), (dict, list)):
            wrong_kind.add(path)
        line = line_of(loc, lines) if lines else None
        out.append(Problem("error", "invalid-" + str(err.get("type", "value")).replace("_", "-"), path, message, file, line))
    # where another arm of the union took the mapping or list and found a mistake inside it, that one is the news
    return [p for p in out if not (p.path in wrong_kind and any(q.path.startswith((p.path + ".", p.path + "["))
                                                                 for q in out))]


#: Keys a model puts in itself when it reads a short form: ``staffing: {values: [...]}`` is read as
#: ``staffing: {profile: {values: [...]}}``, ``staffing: 4`` as ``{headcount: 4}``.
_SHORT_FORMS = {"staffing": ("profile", "headcount", "shifts")}


def as_written(loc: Loc, lines: dict[Loc, int]) -> Loc:
    """``loc`` without the keys a short form added, where the file wrote the short form (so the path is
    the one the user wrote, and its line is found).

    >>> as_written(("roles", 0, "staffing", "profile", "values", 2),
    ...            {("roles", 0, "staffing"): 6, ("roles", 0, "staffing", "values"): 7})
    ('roles', 0, 'staffing', 'values', 2)
    >>> as_written(("roles", 0, "staffing", "shifts", 1), {("roles", 0, "staffing"): 6, ("roles", 0, "staffing", "shifts"): 7})
    ('roles', 0, 'staffing', 'shifts', 1)
    """
    out = tuple(loc)
    for i in range(len(out) - 1, 0, -1):
        if out[i] in _SHORT_FORMS.get(str(out[i - 1]), ()) and out[:i + 1] not in lines and out[:i] in lines:
            out = out[:i] + out[i + 1:]
    return out


def _clean_loc(loc: Loc) -> Loc:
    """Drop pydantic's internal parts of a location (union arms, ``[key]``)."""
    return tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in _UNION_ARMS)))


_UNION_ARMS = {"str", "int", "float", "bool", "list", "dict", "none", "function-plain", "function-after", "function-before"}


def line_of(loc: Loc, lines: dict[Loc, int]) -> int | None:
    """The line of the deepest part of ``loc`` the file has (``lines``: field path -> line).

    >>> line_of(("steps", 3, "role"), {("steps",): 5, ("steps", 3): 20})
    20
    >>> line_of(("roles", 0), {("steps",): 5}) is None
    True
    """
    for n in range(len(loc), -1, -1):
        if tuple(loc[:n]) in lines:
            return lines[tuple(loc[:n])]
    return None

