"""The pydantic base shared by every part of a blueprint, and small field types."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

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
