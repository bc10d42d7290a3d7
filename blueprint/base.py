"""The pydantic base shared by every part of a blueprint, and small field types."""

from __future__ import annotations

import re
import types
import typing
import unicodedata
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    WrapValidator,
    field_validator,
)

from .units import TIME_OF_DAY_PATTERN, WEEKDAY_PATTERN, normalize_time_of_day, normalize_weekday

__all__ = ["OneOrMany", "Model", "Document", "Slug", "TimeOfDay", "Weekday", "Probability", "slugify", "check_slug"]


class Model(BaseModel):
    """Strict about unknown fields, validates on assignment, writes aliases."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        populate_by_name=True,
        serialize_by_alias=True,
        use_enum_values=False,
        allow_inf_nan=False,
    )

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse ``true``, ``no`` or ``"5"`` where a number is expected, as the JSON Schema does.

        pydantic reads a boolean as 1 or 0 and a numeric text as its number; a YAML ``true``
        then became a headcount of 1. Refused values fail pydantic's own check, so the
        message names the item (``profile.values[1]: expected a number, got true``).
        """
        name = info.field_name
        if name is None:
            return value
        shape = _number_shape(cls, name)
        return value if shape is None else _mark_non_numbers(shape, value)


class NotANumber:
    """A boolean or a text found where a number is expected; no number type accepts it."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return ("true" if self.value else "false") if isinstance(self.value, bool) else repr(self.value)


_Shape = Any  # "number", ("list", shape), ("dict", shape) or ("union", frozenset of shapes)
_SHAPES: dict[tuple[type, str], _Shape] = {}
_VALIDATORS = (BeforeValidator, AfterValidator, PlainValidator, WrapValidator)


def _number_shape(model: type[BaseModel], name: str) -> _Shape:
    """Where numbers sit in the field ``name`` of ``model`` (None: nowhere, or it parses its own input)."""
    key = (model, name)
    if key not in _SHAPES:
        info = model.model_fields.get(name)
        own = info is None or any(isinstance(m, _VALIDATORS) for m in info.metadata)
        _SHAPES[key] = None if own or info is None else _shape_of(info.annotation)  # (info: for mypy)
    return _SHAPES[key]


def _shape_of(tp: Any) -> _Shape:
    """``"number"`` for int or float (optional or not), lists and mappings of them in kind.

    >>> _shape_of(int | None), _shape_of(dict[str, list[float]]), _shape_of(int | str)
    ('number', ('dict', ('list', 'number')), None)
    >>> _mark_non_numbers(_shape_of(dict[str, int | dict[str, int]]), {"a": 1, "b": {"late": True}})
    {'a': 1, 'b': {'late': true}}
    """
    origin = typing.get_origin(tp)
    if origin is Annotated:
        args = typing.get_args(tp)
        return None if any(isinstance(m, _VALIDATORS) for m in args[1:]) else _shape_of(args[0])
    if origin in (typing.Union, types.UnionType):  # each member a number, a list or a mapping, told apart by the input
        shapes = {_shape_of(a) for a in typing.get_args(tp) if a is not type(None)}
        kinds = [s if s == "number" else s[0] for s in shapes if s is not None]
        if None in shapes or len(kinds) != len(set(kinds)):
            return None
        return shapes.pop() if len(shapes) == 1 else ("union", frozenset(shapes))
    if origin is list and typing.get_args(tp):
        inner = _shape_of(typing.get_args(tp)[0])
        return None if inner is None else ("list", inner)
    if origin is dict and len(typing.get_args(tp)) == 2:
        inner = _shape_of(typing.get_args(tp)[1])
        return None if inner is None else ("dict", inner)
    return "number" if tp in (int, float) else None


def _mark_non_numbers(shape: _Shape, value: Any) -> Any:
    """``value`` with each boolean or text where ``shape`` wants a number wrapped in :class:`NotANumber`."""
    if shape == "number":
        return NotANumber(value) if isinstance(value, (bool, str)) else value
    kind, inner = shape
    if kind == "union":
        wanted = "list" if isinstance(value, list) else "dict" if isinstance(value, dict) else "number"
        chosen = next((s for s in inner if (s if s == "number" else s[0]) == wanted), None)
        return value if chosen is None else _mark_non_numbers(chosen, value)
    if kind == "list" and isinstance(value, list):
        return [_mark_non_numbers(inner, x) for x in value]
    if kind == "dict" and isinstance(value, dict):
        return {k: _mark_non_numbers(inner, x) for k, x in value.items()}
    return value


class Document(Model):
    """A model a user names and may load from a file (a blueprint, a scenario).

    The name may be given first, without its keyword; where the document was read from
    (kept in private attributes) is not part of it, so equality compares fields only.

    >>> from blueprint import Blueprint
    >>> Blueprint("Coffee") == Blueprint(name="Coffee")
    True
    """

    def __init__(self, name: str | None = None, /, **data: Any) -> None:
        if name is not None:
            data["name"] = name
        super().__init__(**data)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]


OneOrMany = Annotated[
    list[str],
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
]

_SLUG_RE = re.compile(r"^[^\W\d][\w-]*$")


NAME_CHARS = 200  # the longest id or name (of a step, role, group, stage, segment): labels and descriptions may be longer


def slugify(text: str) -> str:
    """A step id made from a label: lower case, words joined by ``_``.

    Letters of any script are kept, so Chinese labels give Chinese ids.

    >>> slugify("Check in & get key")
    'check_in_get_key'
    >>> slugify("2nd call")
    'step_2nd_call'
    """
    text = unicodedata.normalize("NFKC", text).lower()
    slug = re.sub(r"[\W]+", "_", text).strip("_")
    if not slug:
        return "step"
    if not _SLUG_RE.fullmatch(slug):
        slug = "step_" + slug
    slug = slug[:NAME_CHARS].rstrip("_")  # a long label gives an id of its first words
    return slug


def check_name_length(value: str, what: str = "a name") -> str:
    """Refuse an id or name longer than :data:`NAME_CHARS` (it names a node of the diagram, a column of a table).

    >>> check_name_length("agent")
    'agent'
    """
    if len(value) > NAME_CHARS:
        raise ValueError(f"{what} of {len(value):,} characters ({value[:24]!r}…); at most {NAME_CHARS} "
                         "(a longer text belongs in the label or the description)")
    return value


def check_slug(value: Any) -> str:
    """Accept an id made of letters, digits, ``_`` and ``-``, not starting with a digit."""
    if not isinstance(value, str):
        raise ValueError(f"an id must be text, got {value!r}")
    check_name_length(value, "an id")
    if not _SLUG_RE.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid id: use letters, digits, '_' and '-', starting with a letter "
            f"(e.g. {slugify(value)!r})"
        )
    return value


Slug = Annotated[str, BeforeValidator(check_slug),
                 WithJsonSchema({"type": "string", "pattern": r"^[^\W\d][\w-]*$", "maxLength": NAME_CHARS})]
TimeOfDay = Annotated[
    str,
    BeforeValidator(normalize_time_of_day),
    WithJsonSchema({"type": "string", "pattern": TIME_OF_DAY_PATTERN, "description": "time of day, 'HH:MM' from 00:00 to 24:00"}),
]
Weekday = Annotated[
    str,
    BeforeValidator(normalize_weekday),
    WithJsonSchema({"type": "string", "pattern": WEEKDAY_PATTERN, "description": "a weekday: monday … sunday (or mon … sun)"}),
]


def _probability(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"expected a probability between 0 and 1, got {value!r}")
    if not 0 <= value <= 1:  # also refuses nan
        raise ValueError(f"expected a probability between 0 and 1, got {value}")
    return float(value)


Probability = Annotated[
    float, BeforeValidator(_probability), WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1})
]
