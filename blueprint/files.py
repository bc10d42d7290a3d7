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

import errno
import json
import os
import re
import stat
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import ValidationError

from .errors import BlueprintFileError, Loc, Problem, problems_from_pydantic
from .limits import LIMITS, bad_text, size_text, walk

if TYPE_CHECKING:
    from .model import Blueprint

__all__ = ["load", "loads", "save", "dumps", "read_data", "write_atomically", "current_umask", "edited_text", "Format"]

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


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """:class:`_Loader` on libyaml's parser (five times faster) where PyYAML has it; a file it cannot read is read
    again by :class:`_Loader`, whose errors :func:`_yaml_problem` puts in plain words."""


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


class _Dumper(yaml.SafeDumper):
    """Block style, keys in model order, unicode as written, flows on one line each."""


class _Inline(dict):  # a mapping written on one line: {from: a, to: b}
    pass


_Dumper.add_representer(_Inline, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True))
_Dumper.add_representer(dict, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False))


# Quote every scalar that either YAML 1.1 (other readers) or our reader would not read back as text.
_Dumper.yaml_implicit_resolvers = {
    first: list(yaml.SafeDumper.yaml_implicit_resolvers.get(first, [])) + list(_Loader.yaml_implicit_resolvers.get(first, []))
    for first in set(yaml.SafeDumper.yaml_implicit_resolvers) | set(_Loader.yaml_implicit_resolvers)
}

_SPECIAL_BREAKS = ("\x85", "\u2028", "\u2029")


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    if any(ch in data for ch in _SPECIAL_BREAKS):
        style: str | None = '"'  # written escaped; plain or folded text would turn them into spaces
    elif "\n" in data:
        style = "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_representer)


MAX_NODES = 200_000  # a file that expands (through aliases) to more than this is refused


class _FileShapeError(Exception):
    """A YAML document that parses but cannot be a blueprint's data (reported with its line)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _compose_lines(root: yaml.Node, out: dict[Loc, int], dupes: list[tuple[Loc, int]]) -> None:
    """Record the line of every field path, find repeated keys, and refuse keys that
    are not text, aliases that contain themselves and alias bombs."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        """How many nodes ``node`` expands to, aliases followed (memoised, cycle-safe)."""
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise _FileShapeError(node.start_mark.line + 1, "an alias refers to the node that contains it")
        active.add(key)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        total = 1 + sum(size(c) for c in children)
        active.discard(key)
        sizes[key] = total
        if total > MAX_NODES:
            how = " through aliases" if len(sizes) < MAX_NODES else ""  # fewer distinct values: aliases repeat them
            raise _FileShapeError(node.start_mark.line + 1, f"the file expands to more than {MAX_NODES:,} values{how} "
                                  "(a blueprint has thousands at most)")
        return total

    size(root)
    out[()] = root.start_mark.line + 1
    walked: set[int] = set()

    def walk(node: yaml.Node, path: Loc) -> None:
        if id(node) in walked:  # an alias: its lines are those of the anchor
            return
        walked.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _FileShapeError(key_node.start_mark.line + 1, "a merge key (<<) is not read here: write the "
                                          "fields out (an alias of a whole value, *name, is fine)")
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                    raise _FileShapeError(key_node.start_mark.line + 1, _key_not_text(key_node))
                key = key_node.value
                if key in seen:
                    dupes.append((path + (key,), key_node.start_mark.line + 1))
                seen.add(key)
                out[path + (key,)] = key_node.start_mark.line + 1
                walk(value_node, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                out[path + (i,)] = item.start_mark.line + 1
                walk(item, path + (i,))

    walk(root, ())


def _key_not_text(node: yaml.Node) -> str:
    """Why a key that YAML reads as a number, a truth value, a date or a list is refused, and how to write it.

    Keys are field names, step or role names, item ids: always text.

    >>> _key_not_text(yaml.compose("1: {text: a}").value[0][0])
    "the key 1 is a number to YAML, and keys are text (field names, names, ids): write it in quotes, '1'"
    """
    if not isinstance(node, yaml.ScalarNode):
        return "a list or mapping is used as a key; keys are text (field names, names, ids)"
    kind = {"int": "a number", "float": "a number", "bool": "true or false", "null": "nothing (null)",
            "timestamp": "a date"}.get(node.tag.rsplit(":", 1)[-1], "no text")
    return (f"the key {node.value} is {kind} to YAML, and keys are text (field names, names, ids): write it in "
            f"quotes, '{node.value}'")


def _yaml_problem(text: str, e: yaml.YAMLError) -> tuple[int | None, str]:
    """The line and a plain explanation of a YAML syntax error."""
    if isinstance(e, yaml.reader.ReaderError):
        ch = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "?")
        return text.count("\n", 0, e.position) + 1, f"a character YAML does not allow (U+{ch:04X}); remove it"
    problem_mark = getattr(e, "problem_mark", None)
    context_mark = getattr(e, "context_mark", None)
    problem = str(getattr(e, "problem", None) or e)
    context = str(getattr(e, "context", None) or "")
    n_lines = len(text.splitlines()) or 1
    line = problem_mark.line + 1 if problem_mark is not None else None
    if line is not None and line > n_lines and context_mark is not None:
        line = context_mark.line + 1  # an error at the end of the file: point at what was left open
    if "'\\t'" in problem or "\t" in problem:
        return line, "a tab indents this line; indent with spaces"
    if "mapping values are not allowed" in problem:
        return line, "unexpected ': ' here; check this line's indentation, or put a value that contains ': ' in quotes"
    if "expected <block end>" in problem:
        return line, "this line is indented differently from the lines of its block; line it up with them"
    if "flow mapping" in context and "<stream end>" in problem:
        return line, "the '{' on this line is never closed (expected ',' or '}' before the end of the file)"
    if "flow sequence" in context and "<stream end>" in problem:
        return line, "the '[' on this line is never closed (expected ',' or ']' before the end of the file)"
    if "quoted scalar" in context and "end of stream" in problem:
        line = context_mark.line + 1 if context_mark is not None else line
        return line, "a quote opened on this line is never closed"
    if "could not find expected ':'" in problem:
        return line, "a key without ':' (or a line that continues text without quotes); check this line"
    if "found undefined alias" in problem or "found unhashable key" in problem:
        return line, problem
    return line, problem + (f" ({context})" if context else "")


def _json_problem(text: str, e: json.JSONDecodeError) -> tuple[int, str]:
    """The line and a plain explanation of a JSON syntax error."""
    before = text[: e.pos].rstrip()
    if e.msg.startswith(("Expecting value", "Expecting property name")) and before.endswith(",") and text[e.pos:e.pos + 1] in "]}":
        comma = len(before) - 1
        line = text.count("\n", 0, comma) + 1
        col = comma - (text.rfind("\n", 0, comma) + 1) + 1
        return line, f"a comma after the last item (column {col}); remove it"
    plain = {
        "Expecting property name enclosed in double quotes": "keys must be in double quotes",
        "Expecting ',' delimiter": "a comma is missing between two items",
        "Expecting ':' delimiter": "a ':' is missing after a key",
        "Unterminated string starting at": "a string is never closed",
        "Extra data": "more content after the end of the document",
        "Expecting value": "a value is missing here",
        "Invalid control character at": "a line break inside a string; write it as \\n",
    }
    return e.lineno, f"{plain.get(e.msg, e.msg)} (column {e.colno})"


def _kind_of(data: Any) -> str:
    if data is None:
        return "an empty document"
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return "text"
    if isinstance(data, bool):
        return "a true/false value"
    if isinstance(data, (int, float)):
        return "a number"
    return "a mapping without name or steps"


def read_data(text: str, *, source: str = "<text>", format: Format | None = None) -> tuple[Any, dict[Loc, int]]:
    """Parse YAML or JSON text into plain data and a map from field path to line.

    Raises :class:`BlueprintFileError` with one located line when the text
    is not YAML/JSON or repeats a key.
    """
    fmt = format or ("json" if source.lower().endswith(".json") else "yaml")
    lines: dict[Loc, int] = {}
    if fmt == "json":
        try:
            data = json.loads(text.removeprefix("\ufeff"))  # a byte-order mark, as some Windows editors write
        except json.JSONDecodeError as e:
            line, message = _json_problem(text, e)
            raise BlueprintFileError([Problem("error", "not-json", "", f"not valid JSON: {message}", source, line)], source) from None
        except RecursionError:
            raise BlueprintFileError([Problem("error", "too-deep", "", _deep_message(), source, None)], source) from None
        except ValueError:  # an integer of thousands of digits
            path, at_line = _long_number_at(text, _lines_only(text))
            raise BlueprintFileError([Problem("error", "number-too-large", path, _long_number(), source, at_line)],
                                     source) from None
    try:
        try:
            data, lines, dupes = _parsed(text, fmt, _FastLoader, data if fmt == "json" else None)
        except (yaml.YAMLError, RecursionError):  # read again, for the plain-words message (or the data)
            data, lines, dupes = _parsed(text, fmt, _Loader, data if fmt == "json" else None)
    except yaml.YAMLError as e:
        if fmt == "json":  # JSON that YAML cannot read: keep the data, lose the lines
            return data, {}
        yaml_line, message = _yaml_problem(text, e)
        raise BlueprintFileError([Problem("error", "not-yaml", "", f"not valid YAML: {message}", source, yaml_line)], source) from None
    except _FileShapeError as e:
        raise BlueprintFileError([Problem("error", "not-a-blueprint", "", e.message, source, e.line)], source) from None
    except RecursionError:
        raise BlueprintFileError([Problem("error", "too-deep", "", _deep_message(), source, None)], source) from None
    except _UnreadableValue as e:  # an integer of thousands of digits (Python refuses to read it), a date 2024-13-45
        path, at_line = _long_number_at(text, e.lines)
        if at_line is None and e.line is not None:
            at = [p for p, ln in e.lines.items() if ln == e.line]
            from .errors import format_path

            raise BlueprintFileError([Problem("error", "not-a-value", format_path(max(at, key=lambda q: len(tuple(q)))) if at else "",
                                              f"cannot be read as YAML reads it ({e.why}); put it in quotes to keep it as text",
                                              source, e.line)], source) from None
        raise BlueprintFileError([Problem("error", "number-too-large", path, _long_number(), source, at_line)], source) from None
    except ValueError:
        raise BlueprintFileError([Problem("error", "number-too-large", "", _long_number(), source, None)], source) from None
    _check_values(data, lines, source)
    if dupes:
        from .errors import format_path

        raise BlueprintFileError(
            [Problem("error", "duplicate-key", format_path(p), f"the key {p[-1]!r} is given twice", source, ln) for p, ln in dupes],
            source,
        )
    return data, lines


def _parsed(text: str, fmt: Format, loader_class: type[yaml.SafeLoader], data: Any) -> tuple[Any, dict[Loc, int], list[tuple[Loc, int]]]:
    """The data (YAML's, or ``data`` read as JSON), the line of each field path and the repeated keys."""
    lines: dict[Loc, int] = {}
    dupes: list[tuple[Loc, int]] = []
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _compose_lines(node, lines, dupes)
        if fmt == "yaml":
            try:
                data = loader.construct_document(node) if node is not None else None
            except ValueError as e:
                raise _UnreadableValue(lines, *_unreadable_scalar(loader, node)) from e
    finally:
        loader.dispose()
    return data, lines, dupes


class _UnreadableValue(ValueError):
    """A plain value YAML takes for a number or a date that Python cannot make one of (an integer of
    thousands of digits, 2024-13-45), with the lines of the fields and where the value is."""

    def __init__(self, lines: dict[Loc, int], line: int | None = None, why: str = "") -> None:
        super().__init__(why or "a value that cannot be read")
        self.lines, self.line, self.why = lines, line, why


def _unreadable_scalar(loader: yaml.SafeLoader, node: Any) -> tuple[int | None, str]:
    """The line of the first plain value under ``node`` that cannot be constructed, and why."""
    todo = [node]
    while todo:
        n = todo.pop(0)
        if isinstance(n, yaml.ScalarNode):
            loader.constructed_objects, loader.recursive_objects = {}, {}  # left as they were when the document failed
            try:
                loader.construct_object(n)
            except ValueError as e:
                return n.start_mark.line + 1, str(e)
            except yaml.YAMLError:
                continue
        elif isinstance(n, yaml.SequenceNode):
            todo.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            todo.extend(x for pair in n.value for x in pair)
    return None, ""


def _long_number_at(text: str, lines: dict[Loc, int]) -> tuple[str, int | None]:
    """The field path and line of the first run of thousands of digits in ``text`` ("" and None if none)."""
    import re

    from .errors import format_path

    found = re.search(r"[0-9_]{4000,}", text)
    if found is None:
        return "", None
    line = text.count("\n", 0, found.start()) + 1
    at = [p for p, ln in lines.items() if ln == line]
    return (format_path(max(at, key=lambda q: len(tuple(q)))) if at else ""), line


def _lines_only(text: str) -> dict[Loc, int]:
    """The line of each field path of ``text`` (JSON is YAML), read without making values of the fields: for
    locating a value Python cannot read. Empty when the text is not YAML either."""
    lines: dict[Loc, int] = {}
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _compose_lines(node, lines, [])
    except (yaml.YAMLError, RecursionError):
        return {}
    finally:
        loader.dispose()
    return lines


def _long_number() -> str:
    return f"a whole number of thousands of digits; at most {LIMITS.max_int_digits} are read"


def _deep_message() -> str:
    return (f"the data nests too deeply (the limit is {LIMITS.max_depth} levels; "
            "blueprint.limits.limits_set(max_depth=...) raises it)")


def _check_values(data: Any, lines: dict[Loc, int], source: str) -> None:
    """Refuse data nested deeper than the limit, integers longer than the limit, and text no file can
    hold (lone surrogates), each at its field and line."""
    from .errors import format_path

    def located(code: str, path: Loc, message: str) -> BlueprintFileError:
        line = next((lines[path[:k]] for k in range(len(path), -1, -1) if path[:k] in lines), None)
        return BlueprintFileError([Problem("error", code, format_path(path), message, source, line)], source)

    for path, value in walk(data):
        if len(path) > LIMITS.max_depth:
            raise located("too-deep", path[:LIMITS.max_depth], _deep_message())
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** LIMITS.max_int_digits:
            raise located("number-too-large", path,
                          f"a whole number of {len(str(abs(value)))} digits; at most {LIMITS.max_int_digits} are read")
        if isinstance(value, str):
            wrong = bad_text(value)
            if wrong:
                raise located("bad-text", path, f"the text has {wrong}; write it without (half of a character cannot "
                              "be saved or drawn)")


def loads(text: str, *, format: Format | None = None, source: str = "<text>") -> Blueprint:
    """Read a blueprint from YAML or JSON text (see :func:`load`)."""
    from .model import Blueprint

    read_format = format or ("json" if source.lower().endswith(".json") else "yaml")
    data, lines = read_data(text, source=source, format=read_format)
    if not isinstance(data, dict) or "steps" not in data and "name" not in data:
        raise BlueprintFileError(
            [
                Problem(
                    "error", "not-a-blueprint", "",
                    f"not a blueprint: expected a mapping with name, steps and flows, found {_kind_of(data)}",
                    source, lines.get((), 1),
                )
            ],
            source,
        )
    bad_keys = [k for k in data if not isinstance(k, str)]
    if bad_keys:
        raise BlueprintFileError(
            [Problem("error", "not-a-blueprint", "", f"the key {bad_keys[0]!r} is not text; keys are field names such as 'steps'", source, lines.get((), 1))],
            source,
        )
    try:
        bp = Blueprint.model_validate(data)
    except ValidationError as e:
        raise BlueprintFileError(problems_from_pydantic(e, root=Blueprint, file=source, lines=lines), source) from None
    bp._origin = (source, lines)
    bp._text = (read_format, text)
    return bp


def read_text_file(path: str | os.PathLike[str], kind: str) -> str:
    """The text of a UTF-8 file, or a :class:`BlueprintFileError` naming it when it is missing, a
    folder or anything else that is not a regular file (a FIFO, a device; ``kind`` says what it
    should be, e.g. "a blueprint file"), a symlink loop, unreadable, larger than
    :attr:`~blueprint.limits.Limits.max_file_bytes`, or not text. Nothing is read before the checks,
    and never more than the limit.

    >>> read_text_file("/dev/zero", "a blueprint file")
    Traceback (most recent call last):
    ...
    blueprint.errors.BlueprintFileError: /dev/zero: is a character device, not a blueprint file
    """
    source = str(path)
    limit = LIMITS.max_file_bytes
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise BlueprintFileError(f"is {_file_kind(info.st_mode)}, not {kind}", source)
        if info.st_size > limit:
            raise BlueprintFileError(_too_big(info.st_size, limit, kind), source)
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
        if len(raw) > limit:  # it grew while being read
            raise BlueprintFileError(_too_big(len(raw), limit, kind), source)
        return raw.decode("utf-8")
    except FileNotFoundError:
        raise BlueprintFileError("no such file", source) from None
    except PermissionError:
        raise BlueprintFileError(f"cannot be read: permission denied (it should be {kind})", source) from None
    except UnicodeDecodeError as e:
        raise BlueprintFileError(f"not a text file (not UTF-8 at byte {e.start})", source) from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise BlueprintFileError("is a loop of symbolic links, not a file", source) from None
        if e.errno == errno.ENAMETOOLONG:
            raise BlueprintFileError("the file name is too long", source) from None
        raise BlueprintFileError(f"cannot be read: {e.strerror or e}", source) from None
    except ValueError as e:  # a NUL in the path
        raise BlueprintFileError(f"not a usable file name: {e}", source) from None


def _file_kind(mode: int) -> str:
    """What a file that is not a regular file is, for a message."""
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _too_big(size: int, limit: int, kind: str) -> str:
    return (f"is {size_text(size)}, larger than the {size_text(limit)} limit for {kind} (raise it with the "
            f"environment variable BLUEPRINT_MAX_FILE_MB, or blueprint.limits.limits_set(max_file_bytes=...))")


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
    text = read_text_file(path, "a blueprint file")
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


_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux's
    ``/proc/self/status``); elsewhere set and restored at once under a lock, so two threads
    of this module never see each other's temporary value.

    >>> 0 <= current_umask() <= 0o777
    True
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        old = os.umask(0o077)
        os.umask(old)
    return old


def _mode_for(path: Path) -> int:
    """The mode a written file gets: an existing file's own mode, else ``0o666`` less the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def write_atomically(path: Path, data: bytes | Iterable[bytes], *, overwrite: bool = True) -> None:
    """Write ``data`` (bytes, or chunks of bytes written as they come) to ``path`` through a temporary
    file, so a crash never leaves half a file.

    The file gets the mode any program would give it (``0o666`` less the user's
    umask, e.g. ``rw-r--r--`` with umask 022); a file that is replaced keeps its
    own mode. A symbolic link is followed: the file it points to is replaced and
    the link stays a link (as an editor saving through it would). With
    ``overwrite=False`` an existing file is never replaced, even one that
    appears while writing.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "note.txt"
    >>> write_atomically(target, b"hello")
    >>> target.read_text(), oct(target.stat().st_mode & 0o777) == oct(0o666 & ~current_umask())
    ('hello', True)
    """
    if overwrite and path.is_symlink():
        path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                for chunk in data:
                    fh.write(chunk)
        os.chmod(tmp, _mode_for(path) if overwrite else 0o666 & ~current_umask())  # mkstemp made it 0600
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the file exists
            os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def edited_text(bp: Blueprint, format: Format = "yaml") -> str | None:
    """The YAML text ``bp`` was loaded from with the changes made since merged in, keeping the
    file's comments, key order and layout (see :mod:`blueprint.roundtrip`); None for a
    blueprint not loaded from YAML, for JSON (which has no comments) or when the merged
    text would not read back as ``bp``.

    >>> bp = loads("# TODO: a second till\\nname: Shop\\nsteps:\\n  - label: Pay  # at the till\\n    lane: customer\\n")
    >>> bp.step("pay").duration = "2 min"
    >>> print(edited_text(bp), end="")
    # TODO: a second till
    name: Shop
    steps:
      - label: Pay  # at the till
        lane: customer
        duration: 2 min
    """
    from .roundtrip import edit_texts

    if format != "yaml" or bp._text is None or bp._text[0] != "yaml":
        return None
    text = bp._text[1]
    try:
        old = to_data(loads(text))
    except BlueprintFileError:
        return None
    new = to_data(bp)
    try:
        candidates = edit_texts(text, old, new)
    except Exception:  # noqa: BLE001 - a text ruamel.yaml cannot edit is written in canonical form
        return None
    for candidate in candidates:
        try:
            if to_data(loads(candidate)) == new:
                return candidate
        except BlueprintFileError:
            continue
    return None


def save(
    bp: Blueprint, path: str | os.PathLike[str], *, format: Format | None = None, overwrite: bool = True,
    canonical: bool = False,
) -> Path:
    """Write a blueprint to a file, atomically (a crash never leaves half a file).

    The format follows the suffix (``.json`` or YAML). A blueprint loaded from
    a YAML file and saved as YAML keeps that file's comments, key order and
    layout, with the changes made since loading merged in (see
    :func:`edited_text`); a blueprint built in Python, JSON, and
    ``canonical=True`` give the canonical form. With ``overwrite=False`` an
    existing file is never replaced.
    """
    p = Path(path)
    fmt: Format = format or ("json" if p.suffix.lower() == ".json" else "yaml")
    if not overwrite and p.exists():
        raise FileExistsError(f"{p} exists; not overwriting it")
    text = None if canonical else edited_text(bp, fmt)
    write_atomically(p, (text if text is not None else dumps(bp, fmt)).encode("utf-8"), overwrite=overwrite)
    return p
