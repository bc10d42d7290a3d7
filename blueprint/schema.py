"""The JSON Schema of a blueprint file.

Point an editor at it (for example with a ``# yaml-language-server: $schema=``
comment at the top of the YAML file) to have fields checked and completed.
``blueprint schema`` prints it. It admits the short forms designers write
(``staffing: 4``, ``wait_point: 60 s``, ``"a -> b"`` flows) beside the long ones.

>>> s = json_schema()
>>> s["title"], "steps" in s["properties"]
('Blueprint', True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .units import any_case

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["json_schema", "model_json_schema", "register_schema", "schema_kinds", "schema_of", "SCHEMA_ID", "SCHEMA_FILES"]

SCHEMA_ID = "https://service-blueprint.dev/schema/blueprint.json"

#: The file each kind of schema is shipped as, in ``blueprint/schemas/`` (``schemas/`` in a checkout).
SCHEMA_FILES = {"blueprint": "blueprint.schema.json", "shifts": "shifts.schema.json", "scenarios": "scenarios.schema.json",
                "survey_items": "survey_items.schema.json"}

# Short written forms each model accepts besides its full mapping.
_SHORT_FORMS: dict[str, list[dict[str, Any]]] = {
    "Staffing": [
        {"type": "integer", "minimum": 0, "description": "a constant headcount"},
        {
            "type": "string",
            "pattern": rf"^\s*({any_case('unlimited')}|{any_case('infinite')}|{any_case('inf')})\s*$",
            "description": "unlimited: a system or self-service that never queues",
        },
        {"type": "array", "items": {"$ref": "#/$defs/Shift"}, "description": "a list of shifts"},
        {"$ref": "#/$defs/Profile"},
    ],
    "FailPoint": [{"type": "string", "description": "the description alone"}],
    "WaitPoint": [{"type": "string", "description": "the tolerance alone, e.g. '60 s'"}],
    "Flow": [{"type": "string", "pattern": "^.+->.+$", "description": "'source -> target', a plain hand-off"}],
}
# Fields that are required in the model but filled in when left out of a file.
_DERIVED = {"Step": ["id"]}


def model_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a model as files write it: with the short forms a
    blueprint file admits for the parts it uses (``staffing: 4``, ``"a -> b"`` flows, …).

    Other file types (shift templates, scenarios) build their schema on it.

    >>> from blueprint import Staffing
    >>> model_json_schema(Staffing)["$defs"]["Staffing"]["anyOf"][0]["description"]
    'a constant headcount'
    """
    from .lanes import ACTION_LANES

    schema = model.model_json_schema(by_alias=True, mode="validation")
    defs = schema.setdefault("$defs", {})
    if schema.get("title") in _SHORT_FORMS and "properties" in schema:  # the model itself has a short form
        name = schema["title"]
        defs[name] = {k: v for k, v in schema.items() if k not in ("$defs", "$schema")}
        schema = {"$ref": f"#/$defs/{name}", "$defs": defs}
    for name, fields in _DERIVED.items():
        if name in defs:
            required = defs[name].get("required", [])
            defs[name]["required"] = [f for f in required if f not in fields]
    if "Arrivals" in defs:  # exactly one form of arrivals, as loading requires
        defs["Arrivals"]["oneOf"] = [{"required": [form]} for form in ("rate", "profile", "times")]
    if "Step" in defs:
        props = defs["Step"]["properties"]
        props["lane"] = {
            "anyOf": [
                {"enum": [lane.value for lane in ACTION_LANES]},
                {"type": "string", "pattern": rf"^\s*{any_case('frontstage')}\s*$"},
            ],
            "description": "customer, onstage (or frontstage), backstage or support; evidence is listed on steps",
        }
        props["id"] = {"anyOf": [props["id"], {"type": "null"}], "description": "made from the label when left out"}
    for name, forms in _SHORT_FORMS.items():
        if name not in defs:
            continue
        full = defs[name]
        wrapped: dict[str, Any] = {"title": full.pop("title", name), "anyOf": [*forms, full]}
        if "description" in full:
            wrapped["description"] = full.pop("description")
        defs[name] = wrapped
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that blueprint files follow."""
    from .model import Blueprint

    schema = model_json_schema(Blueprint)
    schema["$id"] = SCHEMA_ID
    schema["description"] = (
        "A service blueprint: steps in lanes (customer, onstage, backstage, support), flows between them, "
        "the roles that staff them and the arrivals that enter them."
    )
    return schema


def _survey_items_schema() -> dict[str, Any]:
    """The JSON Schema of survey item maps (:mod:`blueprint.survey_items`)."""
    from .survey_items import ItemMapFile

    schema = model_json_schema(ItemMapFile)
    schema["description"] = "The items of a SERVQUAL survey: each item's criterion, the blueprint step it is about, its text."
    return schema


_KINDS: dict[str, Callable[[], dict[str, Any]]] = {"blueprint": json_schema, "survey_items": _survey_items_schema}


def register_schema(kind: str, make: Callable[[], dict[str, Any]]) -> None:
    """Make the schema of another kind of file known to ``blueprint schema --kind`` (the simulator
    registers ``shifts`` and ``scenarios``; this package knows only blueprints).

    >>> register_schema("blueprint", json_schema)
    """
    _KINDS[kind] = make


def schema_kinds() -> list[str]:
    """The kinds of file a schema is known for.

    >>> "blueprint" in schema_kinds()
    True
    """
    return list(_KINDS)


def schema_of(kind: str) -> dict[str, Any]:
    """The JSON Schema of a kind of file (``blueprint``, and the kinds registered).

    >>> schema_of("blueprint")["title"]
    'Blueprint'
    """
    if kind not in _KINDS:
        raise KeyError(f"no schema for {kind!r}; known: {', '.join(_KINDS)}")
    return _KINDS[kind]()
