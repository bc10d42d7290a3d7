"""Reading and writing blueprint files (YAML and JSON).

YAML is read with a safe loader that builds only plain data: a blueprint file
can never run code. Times of day such as ``12:00`` stay text (YAML 1.1 would
read them as 720) and ``yes``/``no``/``on``/``off`` stay words (YAML 1.1
would read them as true/false); only ``true`` and ``false`` are booleans.
Every field's line is recorded so that problems can point at it.

Saving writes a canonical text: loading it gives an equal blueprint, and
saving that again gives the same text.

>>> from blueprint import Blueprint
>>> bp = Blueprint("Tiny")
>>> _ = bp.customer("Ask") >> bp.customer("Leave")
>>> loads(dumps(bp)) == bp
True
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import ValidationError

from .errors import BlueprintFileError, Loc, Problem, problems_from_pydantic

if TYPE_CHECKING:
    from .model import Blueprint

__all__ = ["load", "loads", "save", "dumps", "read_data", "Format"]

Format = Literal["yaml", "json"]


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like scalars: no base-60 numbers, no yes/no booleans."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag not in ("tag:yaml.org,2002:bool",)]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
# Base-60 integers and floats (12:00 -> 720) are dropped by re-registering the number resolvers.
for _first in list("-+0123456789."):
    _Loader.yaml_implicit_resolvers[_first] = [
        (tag, rx) for tag, rx in _Loader.yaml_implicit_resolvers.get(_first, [])
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
        r"|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


class _Dumper(yaml.SafeDumper):
    """Block style, keys in model order, unicode as written, flows on one line each."""


class _Inline(dict):  # a mapping written on one line: {from: a, to: b}
    pass


_Dumper.add_representer(_Inline, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True))
_Dumper.add_representer(dict, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False))


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_representer)


def _compose_lines(node: yaml.Node, path: Loc, out: dict[Loc, int], dupes: list[tuple[Loc, int]]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                dupes.append((path + (key,), key_node.start_mark.line + 1))
            seen.add(key)
            out[path + (key,)] = key_node.start_mark.line + 1
            _compose_lines(value_node, path + (key,), out, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[path + (i,)] = item.start_mark.line + 1
            _compose_lines(item, path + (i,), out, dupes)


def read_data(text: str, *, source: str = "<text>", format: Format | None = None) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML or JSON text into plain data and a map from field path to line.

    Raises :class:`BlueprintFileError` with one located line when the text
    is not YAML/JSON or repeats a key.
    """
    fmt = format or ("json" if source.lower().endswith(".json") else "yaml")
    lines: dict[Loc, int] = {}
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise BlueprintFileError(
                [Problem("error", "not-json", "", f"not valid JSON: {e.msg} (column {e.colno})", source, e.lineno)], source
            ) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        dupes: list[tuple[Loc, int]] = []
        if node is not None:
            lines[()] = node.start_mark.line + 1
            _compose_lines(node, (), lines, dupes)
        if fmt == "yaml":
            data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as e:
        if fmt == "json":  # JSON that YAML cannot read: keep the data, lose the lines
            return data, {}
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        reason = getattr(e, "problem", None) or str(e)
        line = mark.line + 1 if mark is not None else None
        raise BlueprintFileError([Problem("error", "not-yaml", "", f"not valid YAML: {reason}", source, line)], source) from None
    finally:
        loader.dispose()
    if dupes:
        from .errors import format_path

        raise BlueprintFileError(
            [Problem("error", "duplicate-key", format_path(p), f"the key {p[-1]!r} is given twice", source, ln) for p, ln in dupes],
            source,
        )
    return data, lines


def loads(text: str, *, format: Format | None = None, source: str = "<text>") -> Blueprint:
    """Read a blueprint from YAML or JSON text (see :func:`load`)."""
    from .model import Blueprint

    data, lines = read_data(text, source=source, format=format)
    if not isinstance(data, dict) or "steps" not in data and "name" not in data:
        kind = type(data).__name__ if data is not None else "empty"
        raise BlueprintFileError(
            [Problem("error", "not-a-blueprint", "", f"not a blueprint: expected a mapping with name, steps and flows, found {kind} content", source, 1)],
            source,
        )
    try:
        bp = Blueprint.model_validate(data)
    except ValidationError as e:
        raise BlueprintFileError(problems_from_pydantic(e, root=Blueprint, file=source, lines=lines), source) from None
    bp._origin = (source, lines)
    return bp


def load(path: str | os.PathLike[str], *, check: bool = False) -> Blueprint:
    """Read a blueprint from a ``.yaml``/``.yml`` or ``.json`` file.

    With ``check=True`` it also runs :meth:`Blueprint.validate` and raises
    :class:`~blueprint.BlueprintValidationError` on errors. Problems name the
    file and line.

    >>> import blueprint
    >>> bp = blueprint.load("examples/coffee_shop.yaml")  # doctest: +SKIP
    """
    p = Path(path)
    source = str(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BlueprintFileError("no such file", source) from None
    except IsADirectoryError:
        raise BlueprintFileError("is a folder, not a blueprint file", source) from None
    except UnicodeDecodeError as e:
        raise BlueprintFileError(f"not a text file (not UTF-8 at byte {e.start})", source) from None
    fmt: Format = "json" if p.suffix.lower() == ".json" else "yaml"
    bp = loads(text, format=fmt, source=source)
    if check:
        bp.validate().raise_for_errors()
    return bp


def _tidy(value: Any) -> Any:
    """Whole floats as ints (``2.0`` -> ``2``): same model on reading back, easier to read."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value


def to_data(bp: Blueprint) -> dict[str, Any]:
    """The blueprint as plain data, defaults left out."""
    return _tidy(bp.model_dump(mode="json", by_alias=True, exclude_defaults=True, exclude_none=True))


def dumps(bp: Blueprint, format: Format = "yaml") -> str:
    """The canonical text of a blueprint in YAML or JSON."""
    data = to_data(bp)
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if format != "yaml":
        raise ValueError(f"unknown format {format!r}; use 'yaml' or 'json'")
    if "flows" in data:
        data["flows"] = [_Inline(f) for f in data["flows"]]
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def save(bp: Blueprint, path: str | os.PathLike[str], *, format: Format | None = None, overwrite: bool = True) -> Path:
    """Write a blueprint to a file, atomically (a crash never leaves half a file).

    The format follows the suffix (``.json`` or YAML). With
    ``overwrite=False`` an existing file is never replaced.
    """
    p = Path(path)
    fmt: Format = format or ("json" if p.suffix.lower() == ".json" else "yaml")
    if not overwrite and p.exists():
        raise FileExistsError(f"{p} exists; not overwriting it")
    text = dumps(bp, fmt)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if not overwrite:
            os.link(tmp, p)  # fails if p appeared meanwhile
            os.unlink(tmp)
        else:
            os.replace(tmp, p)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return p
