"""The JSON Schema of a blueprint file.

Point an editor at it (for example with a ``# yaml-language-server: $schema=``
comment at the top of the YAML file) to have fields checked and completed.
``blueprint schema`` prints it.

>>> s = json_schema()
>>> s["title"], "steps" in s["properties"]
('Blueprint', True)
"""

from __future__ import annotations

from typing import Any

__all__ = ["json_schema", "SCHEMA_ID"]

SCHEMA_ID = "https://service-blueprint.dev/schema/blueprint.json"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that blueprint files follow."""
    from .model import Blueprint

    schema = Blueprint.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    schema["description"] = (
        "A service blueprint: steps in lanes (customer, onstage, backstage, support), flows between them, "
        "the roles that staff them and the arrivals that enter them."
    )
    return schema
