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

from typing import Any

__all__ = ["json_schema", "SCHEMA_ID"]

SCHEMA_ID = "https://service-blueprint.dev/schema/blueprint.json"

# Short written forms each model accepts besides its full mapping.
_SHORT_FORMS: dict[str, list[dict[str, Any]]] = {
    "Staffing": [
        {"type": "integer", "minimum": 0, "description": "a constant headcount"},
        {"const": "unlimited", "description": "a system or self-service that never queues"},
        {"type": "array", "items": {"$ref": "#/$defs/Shift"}, "description": "a list of shifts"},
        {"$ref": "#/$defs/Profile"},
    ],
    "FailPoint": [{"type": "string", "description": "the description alone"}],
    "WaitPoint": [{"type": "string", "description": "the tolerance alone, e.g. '60 s'"}],
    "Flow": [{"type": "string", "pattern": "^.+->.+$", "description": "'source -> target', a plain hand-off"}],
}
# Fields that are required in the model but filled in when left out of a file.
_DERIVED = {"Step": ["id"]}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that blueprint files follow."""
    from .lanes import ACTION_LANES
    from .model import Blueprint

    schema = Blueprint.model_json_schema(by_alias=True, mode="validation")
    defs = schema.get("$defs", {})
    for name, fields in _DERIVED.items():
        required = defs[name].get("required", [])
        defs[name]["required"] = [f for f in required if f not in fields]
    defs["Step"]["properties"]["lane"] = {
        "enum": [lane.value for lane in ACTION_LANES] + ["frontstage"],
        "description": "customer, onstage (or frontstage), backstage or support; evidence is listed on steps",
    }
    for name, forms in _SHORT_FORMS.items():
        full = defs[name]
        wrapped: dict[str, Any] = {"title": full.pop("title", name), "anyOf": [*forms, full]}
        if "description" in full:
            wrapped["description"] = full.pop("description")
        defs[name] = wrapped
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["description"] = (
        "A service blueprint: steps in lanes (customer, onstage, backstage, support), flows between them, "
        "the roles that staff them and the arrivals that enter them."
    )
    return schema
