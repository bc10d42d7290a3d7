"""Scenarios files: a list of scenarios in YAML or JSON, optionally naming the blueprint they change.

::

    blueprint: contact_center.yaml        # optional: checked against it on loading
    scenarios:
      - name: one more late agent
        extra_staff: {first_line: {late: 1}}
      - name: busier Monday
        volume: 1.2

Every problem is reported at once, with file, line and field path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from blueprint import Blueprint
from blueprint.errors import BlueprintFileError, Loc, Problem, format_path, line_of, problems_from_pydantic
from blueprint.files import read_data, read_text_file
from blueprint.schema import model_json_schema
from simulate.scenarios.apply import apply_all
from simulate.scenarios.scenario import Scenario, unknown_name

__all__ = ["load_scenarios", "scenarios_json_schema", "SCENARIOS_SCHEMA_ID"]

SCENARIOS_SCHEMA_ID = "https://service-blueprint.dev/schema/scenarios.json"


def _file_problem(message: str, source: str, line: int | None = None, path: str = "", code: str = "not-scenarios") -> BlueprintFileError:
    return BlueprintFileError([Problem("error", code, path, message, source, line)], source)


def load_scenarios(path: str | os.PathLike[str], *, blueprint: Blueprint | str | os.PathLike[str] | None = None) -> list[Scenario]:
    """Read scenarios from a YAML or JSON file.

    The file holds a list of scenarios, or a mapping with ``scenarios:`` (and
    optionally ``blueprint:``, the blueprint file they change, relative to this
    file). Shape errors raise :class:`~blueprint.BlueprintFileError` listing
    all of them with file, line and field path. When the blueprint is known
    (``blueprint=`` or the file's ``blueprint:``), every scenario is applied to
    it, and :class:`ScenarioError` lists what fails; one whose ``blueprint:`` is another file
    than the blueprint given (as a path, or loaded from a file) is refused.

    >>> scenarios = load_scenarios("examples/contact_center.scenarios.yaml")
    >>> [s.name for s in scenarios][:2]
    ['one more late agent', 'chatbot in front of the agents']
    """
    p, source = Path(path), str(path)
    text = read_text_file(path, "a scenarios file")
    data, lines = read_data(text, source=source, format="json" if p.suffix.lower() == ".json" else "yaml")
    prefix: Loc = ()
    named_blueprint = None
    if isinstance(data, dict):
        unknown = [k for k in data if k not in ("scenarios", "blueprint", "description")]
        if unknown:
            raise _file_problem(unknown_name("field", str(unknown[0]), ["scenarios", "blueprint", "description"]), source, lines.get((unknown[0],)), str(unknown[0]),
                                  code="invalid-extra-forbidden")  # an unknown field, as in every other file
        if "scenarios" not in data:
            raise _file_problem("expected scenarios: with a list of scenarios", source, lines.get((), 1))
        named_blueprint = data.get("blueprint")
        if named_blueprint is not None and not isinstance(named_blueprint, str):
            raise _file_problem(f"expected the path of a blueprint file, got {named_blueprint!r}", source, lines.get(("blueprint",)), "blueprint")
        items, prefix = data["scenarios"], ("scenarios",)
    else:
        items = data
    if not isinstance(items, list):
        raise _file_problem("expected a list of scenarios (each with a name and its changes)", source, lines.get(prefix, 1), format_path(prefix))
    problems: list[Problem] = []
    scenarios: list[Scenario] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        loc = prefix + (i,)
        try:
            sc = Scenario.model_validate(item)
        except ValidationError as e:
            problems += problems_from_pydantic(e, root=Scenario, file=source, lines=lines, prefix=loc)
            continue
        if sc.name in seen:
            problems.append(Problem("error", "duplicate-scenario", format_path(loc + ("name",)),
                                    f"another scenario is called {sc.name!r} ({format_path(prefix + (seen[sc.name],))})",
                                    source, line_of(loc + ("name",), lines)))
        seen.setdefault(sc.name, i)
        sc._origin = (source, lines, loc)
        scenarios.append(sc)
    if problems:
        raise BlueprintFileError(problems, source)
    if named_blueprint is not None:
        named = p.parent / named_blueprint
        # the blueprint's own file: the path given, or the file a loaded Blueprint came from (none when built in Python)
        origin = blueprint._origin[0] if isinstance(blueprint, Blueprint) and blueprint._origin is not None else None
        own = blueprint if isinstance(blueprint, (str, os.PathLike)) else origin if origin and os.path.isfile(origin) else None
        if blueprint is None or (own is not None and not os.path.exists(named)):
            from blueprint import load

            try:
                loaded = load(named)
            except BlueprintFileError as e:
                if any(q.code == "error" for q in e.problems):  # the file itself could not be read: say where it was named
                    raise _file_problem(f"the blueprint file {named}: {e.problems[0].message}", source, lines.get(("blueprint",)),
                                        "blueprint") from None
                raise
            blueprint = loaded if blueprint is None else blueprint
        if own is not None and os.path.realpath(named) != os.path.realpath(own):
            raise _file_problem(f"the scenarios are for the blueprint {named}, not {own}; use them with that one, "
                                "or change blueprint: here", source, lines.get(("blueprint",)), "blueprint")
    if blueprint is not None:
        if not isinstance(blueprint, Blueprint):
            from blueprint import load

            blueprint = load(blueprint)
        apply_all(blueprint, scenarios)
    return scenarios



def scenarios_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenarios file: a list of scenarios, or a mapping with
    ``scenarios:`` and optionally ``blueprint:`` and ``description:``. ``blueprint schema --kind
    scenarios`` prints it.

    >>> schema = scenarios_json_schema()
    >>> schema["title"], sorted(schema["$defs"]["ScenariosFile"]["properties"])
    ('Scenarios', ['blueprint', 'description', 'scenarios'])
    """
    schema = model_json_schema(Scenario)
    defs = schema.pop("$defs", {})
    scenario = {k: v for k, v in schema.items() if k != "$schema"}
    props = scenario["properties"]
    props["volume"] = {
        "description": props["volume"].get("description", ""),
        "anyOf": [props["volume"]["additionalProperties"], {"type": "object", "additionalProperties": props["volume"]["additionalProperties"]}],
    }
    props["patience"] = {
        "description": props["patience"].get("description", ""),
        "anyOf": [props["patience"]["additionalProperties"], {"type": "object", "additionalProperties": props["patience"]["additionalProperties"]}],
    }
    defs["Scenario"] = scenario
    scenarios = {"type": "array", "items": {"$ref": "#/$defs/Scenario"}}
    defs["ScenariosFile"] = {
        "type": "object",
        "properties": {
            "blueprint": {"type": "string", "description": "the blueprint file the scenarios change, relative to this file"},
            "description": {"type": "string"},
            "scenarios": scenarios,
        },
        "required": ["scenarios"],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCENARIOS_SCHEMA_ID,
        "title": "Scenarios",
        "description": "Alternatives to a blueprint, each a named set of changes (see simulate.Scenario).",
        "anyOf": [{"$ref": "#/$defs/ScenariosFile"}, scenarios],
        "$defs": defs,
    }
