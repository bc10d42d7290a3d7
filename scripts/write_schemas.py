"""Write the JSON Schemas of blueprint, shift-template and scenario files to blueprint/schemas/.

The files are generated from the models; tests/test_schemas.py checks they are up to date.
Run after changing a model or a field type:

    .venv/bin/python scripts/write_schemas.py
"""

from __future__ import annotations

import json
from pathlib import Path

import simulate.cli  # noqa: F401  (registers the shifts and scenarios schemas)
from blueprint.schema import SCHEMA_FILES, schema_of

FOLDER = Path(__file__).resolve().parent.parent / "blueprint" / "schemas"


def schema_text(kind: str) -> str:
    """The text of a schema file, as shipped."""
    return json.dumps(schema_of(kind), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    for kind, name in SCHEMA_FILES.items():
        (FOLDER / name).write_text(schema_text(kind), encoding="utf-8")
        print(f"wrote {FOLDER / name}")


if __name__ == "__main__":
    main()
