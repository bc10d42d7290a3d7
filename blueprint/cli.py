"""The ``blueprint`` command line: ``validate``, ``render``, ``schema`` and ``convert``.

Each command prints readable tables (full width when the output is not a
terminal), takes ``--json`` for scripts (strict JSON: no ``NaN``, snake_case
keys), refuses an output whose suffix it cannot write, never writes over an
input, and exits with one of the codes of :data:`EXIT_CODES`.

``simulate``, ``staff`` and ``compare`` are added to the same :data:`app` by
:mod:`simulate.cli`, whose ``main`` the installed ``blueprint`` command runs;
this package imports nothing from ``simulate``. :data:`consoles`,
:func:`fail`, :func:`load_or_exit`, :func:`check_output`, :func:`exit_code_for`
and :func:`print_json` are for such commands too.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import importlib.metadata
import json
import math
import os
import re
import sys
import traceback
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from .errors import BlueprintError, BlueprintFileError, shorten_quoted
from .files import load, save, write_atomically
from .graph import entry_steps, exit_steps
from .lanes import Lane
from .model import Blueprint
from .schema import schema_kinds, schema_of
from .summary import summary_rows

__all__ = [
    "EXIT_CODES", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE",
    "app", "check_output", "consoles", "exit_code_for", "exit_with_problems", "fail", "json_value", "load_or_exit", "main",
    "print_csv", "print_json", "printable", "run", "version",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_FAILED = 3
EXIT_INTERRUPTED = 130

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "done; for validate: the blueprint is valid (warnings allowed unless --strict)",
    EXIT_INVALID: "an input file was read but what it says is invalid: an unknown field, a wrong value, an unknown "
                  "role or step, a scenario that cannot apply (or, with --strict, a warning)",
    EXIT_USAGE: "the command line or a file cannot be used: a bad option, a missing or unreadable file (not UTF-8, "
                "not YAML/JSON, a repeated key, not a blueprint at all, not a regular file, over the size or nesting "
                "limit), a simulation over the customer limit, an output suffix the command cannot write, an output "
                "that exists (without --force) or is an input",
    EXIT_FAILED: "the command could not finish: Graphviz missing, an output that cannot be written, the shift "
                 "solver out of time, or a bug (a traceback is printed)",
    EXIT_INTERRUPTED: "interrupted with Ctrl-C",
}
"""Every exit code of the ``blueprint`` command and what it means (the README has the same table)."""

UNREADABLE_CODES = frozenset({"error", "not-yaml", "not-json", "duplicate-key", "not-a-blueprint", "not-templates", "not-scenarios", "not-items",
                              "too-deep"})
"""Problem codes that mean a file could not be read as the kind of file it should be (exit 2); other problems
(``invalid-*``, unknown roles, ...) are about what a readable file says (exit 1)."""

PIPE_WIDTH = 100_000
"""Width of the output when it is not a terminal (and ``COLUMNS`` is not set): tables are never squeezed."""

app = typer.Typer(
    name="blueprint",
    help="Declare, validate, draw, simulate and save service blueprints.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def version() -> str:
    """The installed version of ``service-blueprint``; in a checkout that is not installed, the
    version in its ``pyproject.toml`` with ``+checkout``.

    >>> version()[0].isdigit()
    True
    """
    try:
        return importlib.metadata.version("service-blueprint")
    except importlib.metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        found = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M) if pyproject.is_file() else None
        return f"{found.group(1)}+checkout" if found else "0+unknown"


def _print_version(value: bool) -> None:
    if value:
        print(f"blueprint (service-blueprint) {version()}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _options(
    show_version: bool = typer.Option(False, "--version", help="print the version and exit", is_eager=True,
                                      callback=_print_version),
) -> None:
    """Declare, validate, draw, simulate and save service blueprints."""


def _width(stream: Any) -> int | None:
    """``None`` (rich measures the terminal, or reads ``COLUMNS``) on a terminal; :data:`PIPE_WIDTH` otherwise."""
    isatty = getattr(stream, "isatty", None)
    if os.environ.get("COLUMNS") or (callable(isatty) and isatty()):
        return None
    return PIPE_WIDTH


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (but newlines and tabs) and the marks that
    turn text right to left written as escapes, so a name holding ``ESC[31m``, a bell or U+202E shows as
    such instead of acting on the terminal (or reversing the rest of the line).

    >>> printable("Caf\\x1b[31mé\\x07")
    'Caf\\\\x1b[31mé\\\\x07'
    >>> printable("abc\\u202edef")
    'abc\\\\u202edef'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


class _SafeConsole(Console):
    """A console that prints every text it is given (a string, a table's cell) through :func:`printable`."""

    def render_str(self, text: str, **kwargs: Any) -> Any:
        return super().render_str(printable(text), **kwargs)


class _Consoles:
    """Consoles made when first used, so they see the terminal (and its width) of the run, not of the import."""

    @property
    def out(self) -> Console:
        return _SafeConsole(highlight=False, emoji=False, soft_wrap=True, width=_width(sys.stdout))

    @property
    def err(self) -> Console:
        return _SafeConsole(stderr=True, highlight=False, emoji=False, soft_wrap=True, width=_width(sys.stderr))


consoles = _Consoles()
"""Where commands print: ``consoles.out`` (results) and ``consoles.err`` (problems)."""


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``error: message`` on stderr (a long quoted value cut to its start and end) and exit with ``code``
    (see :data:`EXIT_CODES`)."""
    consoles.err.print(f"error: {shorten_quoted(message)}", markup=False)
    raise typer.Exit(code)


def exit_code_for(e: BlueprintError) -> int:
    """:data:`EXIT_USAGE` when a file could not be read as such (:data:`UNREADABLE_CODES`), else :data:`EXIT_INVALID`.

    >>> from blueprint.errors import Problem
    >>> exit_code_for(BlueprintFileError("no such file", "x.yaml"))
    2
    >>> exit_code_for(BlueprintFileError([Problem("error", "invalid-extra-forbidden", "colour", "unknown field")]))
    1
    """
    return EXIT_USAGE if any(p.code in UNREADABLE_CODES for p in e.problems) else EXIT_INVALID


def exit_with_problems(e: BlueprintError, prefix: str = "") -> NoReturn:
    """Print every problem of ``e`` on stderr (after ``prefix``) and exit with :func:`exit_code_for`."""
    for p in e.problems:
        consoles.err.print(f"error: {prefix}{p}", markup=False)
    raise typer.Exit(exit_code_for(e))


def load_or_exit(file: Path) -> Blueprint:
    """Load a blueprint, or print its problems and exit (2 when unreadable, 1 when invalid)."""
    try:
        return load(file)
    except BlueprintError as e:
        exit_with_problems(e)


def check_output(path: Path | None, allowed: tuple[str, ...], *, inputs: Iterable[Path] = (), force: bool | None = None) -> None:
    """Exit 2 with one line unless ``path`` (when given) ends in one of ``allowed``, is not an input, and is new
    (or ``force`` is true; ``None`` for a command without ``--force``). The one check of every output option.

    >>> check_output(Path("out.svg"), (".svg", ".png"))
    """
    if path is None:
        return
    words = ", ".join(allowed[:-1]) + (" or " if len(allowed) > 1 else "") + allowed[-1]
    if path.is_dir():
        fail(f"{path} is a folder; name a file in it, ending in {words} (e.g. {path / ('out' + allowed[0])})")
    if path.suffix.lower() not in allowed:
        fail(f"{path}: cannot write a {path.suffix or 'suffix-less'} file here; choose a file ending in {words}")
    if path.is_symlink() and not path.exists():  # writing through it would make its target's folders anywhere
        fail(f"{path} is a link to {os.readlink(path)}, which does not exist; choose a new file name")
    for f in inputs:
        if path.exists() and f.exists() and path.resolve() == f.resolve():
            fail(f"{path} is an input; choose a new file name")
    if path.exists() and not force:
        fail(f"{path} exists; choose a new file name" + (" or pass --force" if force is not None else ""))
    if path.exists() and not path.is_file():
        fail(f"{path} is not a file; choose a new file name")
    _check_writable(path)


def _check_writable(path: Path) -> None:
    """Exit 2 unless a new file can be made next to ``path`` (outputs are written to a new file there, then renamed
    into place), so a long run never ends unable to save what it found."""
    import tempfile

    folder = path.parent
    if not folder.is_dir():
        fail(f"{path}: the folder {folder} does not exist; make it first or choose another")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".blueprint-probe-"):
            pass
    except OSError as e:
        fail(f"{path}: cannot write in {folder} ({e.strerror or e})", EXIT_FAILED)


def json_value(x: object) -> Any:
    """Plain JSON data from ``x``: NaN and infinities as ``None``, numpy and pandas scalars as Python ones, tuples
    as lists, paths as text, times in ISO 8601, mappings with text keys.

    >>> json_value({"a": float("nan"), "b": (1, float("inf")), 3: Path("x")})
    {'a': None, 'b': [1, None], '3': 'x'}
    >>> import numpy as np, pandas as pd
    >>> json_value([np.float64("nan"), np.int64(3), np.bool_(True), pd.NA, pd.NaT, pd.Timestamp("2024-01-01 08:15")])
    [None, 3, True, None, None, '2024-01-01T08:15:00']
    """
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, int):
        return int(x)
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, Mapping):
        return {str(k): json_value(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_value(v) for v in x]
    if isinstance(x, Path):
        return str(x)
    if isinstance(x, (datetime.date, datetime.time)):  # pandas Timestamps too
        return None if x != x else x.isoformat()
    item = getattr(x, "item", None)  # numpy scalars
    if callable(item):
        return json_value(item())
    try:
        if x != x:  # pandas NA and NaT
            return None
    except (TypeError, ValueError):
        return None
    return str(x)


def print_json(data: object) -> None:
    """Print ``data`` as strict JSON (``allow_nan=False``: every parser reads it) on stdout."""
    sys.stdout.write(json.dumps(json_value(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n")


_FORMULA = re.compile(r"[=+@\t\r]|-(?![\d.])")  # what a spreadsheet would take for the start of a formula


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text: one that starts like a formula (``=``, ``+``, ``@``,
    a tab, or ``-`` not before a number) gets a leading apostrophe, so a role named ``=HYPERLINK(...)`` is not
    run when the file is opened.

    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("-5"), spreadsheet_safe("cashier")
    ("'=HYPERLINK(1)", '-5', 'cashier')
    """
    return "'" + text if _FORMULA.match(text) else text


def print_csv(rows: Iterable[Mapping[str, object]], columns: list[str]) -> None:
    """Print ``rows`` as CSV with a header of ``columns``: numbers in full precision, missing values empty,
    text that starts like a formula behind an apostrophe (:func:`spreadsheet_safe`)."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([spreadsheet_safe(printable(c)) for c in columns])
    for row in rows:
        values = [json_value(row.get(c)) for c in columns]
        writer.writerow(["" if v is None else ("true" if v is True else "false" if v is False else
                                               spreadsheet_safe(printable(v)) if isinstance(v, str) else v) for v in values])


#: The columns of ``validate --csv``: one row per problem.
PROBLEM_COLUMNS = ["file", "line", "severity", "code", "path", "message"]


def _validate_json(file: Path, bp: Blueprint | None, problems: list[Any], valid: bool) -> dict[str, Any]:
    """What ``validate --json`` prints: the file, ``valid``, the problems and (when the file was read) a summary."""
    data: dict[str, Any] = {"file": str(file), "valid": valid, "problems": [vars(p) for p in problems]}
    if bp is not None:
        data["summary"] = {
            "name": bp.name,
            "steps": len(bp.steps),
            "steps_by_lane": {lane.value: n for lane in Lane if (n := sum(s.lane == lane for s in bp.steps))},
            "flows": len(bp.flows),
            "roles": [r.name for r in bp.roles],
            "arrivals": [a.name for a in bp.arrivals],
            "entries": entry_steps(bp),
            "exits": exit_steps(bp),
            "errors": sum(p.severity == "error" for p in problems),
            "warnings": sum(p.severity == "warning" for p in problems),
        }
    return data


@app.command()
def validate(
    file: Path = typer.Argument(..., help="a blueprint file (.yaml, .yml or .json)"),
    as_json: bool = typer.Option(False, "--json", help="print the problems and summary as JSON"),
    as_csv: bool = typer.Option(False, "--csv", help="print the problems as CSV, one row each (file, line, severity, code, path, message)"),
    strict: bool = typer.Option(False, "--strict", help="treat warnings as errors"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="print problems only, no summary"),
) -> None:
    """Check a blueprint and print its problems and summary.

    Exits 0 when valid, 1 when the blueprint has errors (or warnings, with
    --strict), 2 when the file cannot be read.

    Example:

        blueprint validate examples/contact_center.yaml
    """
    if as_json and as_csv:
        fail("choose one of --json and --csv")
    try:
        bp = load(file)
    except BlueprintFileError as e:
        if as_json:
            print_json(_validate_json(file, None, e.problems, False))
            raise typer.Exit(exit_code_for(e)) from None
        if as_csv:
            print_csv([vars(p) for p in e.problems], PROBLEM_COLUMNS)
            raise typer.Exit(exit_code_for(e)) from None
        exit_with_problems(e)
    report = bp.validate()
    failed = bool(report.errors) or (strict and bool(report.warnings))
    if as_json:
        print_json(_validate_json(file, bp, report.problems, not failed))
        raise typer.Exit(EXIT_INVALID if failed else EXIT_OK)
    if as_csv:
        print_csv([vars(p) for p in report.problems], PROBLEM_COLUMNS)
        raise typer.Exit(EXIT_INVALID if failed else EXIT_OK)
    for p in report.errors:
        consoles.err.print(f"error: {p}", markup=False)
    for p in report.warnings:
        consoles.err.print(f"{p}", markup=False)
    if not quiet:
        table = Table(title=f"Blueprint: {bp.name}", show_header=False, title_justify="left", box=None)
        table.add_column(style="bold")
        table.add_column()
        for heading, text in summary_rows(bp):
            table.add_row(heading, text)
        consoles.out.print(table)
    status = "valid" if not report.problems else report.summary()
    (consoles.err if failed else consoles.out).print(f"{file}: {status}", markup=False)
    raise typer.Exit(EXIT_INVALID if failed else EXIT_OK)


@app.command()
def schema(
    kind: str = typer.Option("blueprint", "--kind", "-k", help="the kind of file: blueprint, shifts (shift templates) or scenarios"),
    output: Path | None = typer.Option(None, "--output", "-o", help="write to this new file (.json) instead of printing"),
) -> None:
    """Print the JSON Schema of blueprint, shift-template or scenario files, for editors that check and complete YAML.

    Example:

        blueprint schema --kind shifts -o shifts.schema.json
    """
    if kind not in schema_kinds():
        fail(f"no schema for --kind {kind!r}; choose one of {', '.join(schema_kinds())}")
    text = json.dumps(schema_of(kind), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    check_output(output, (".json",))
    try:
        write_atomically(output, text.encode("utf-8"), overwrite=False)
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror or e}", EXIT_FAILED)
    consoles.out.print(f"wrote {output}", markup=False)


@app.command()
def convert(
    file: Path = typer.Argument(..., help="a blueprint file"),
    output: Path = typer.Option(..., "--output", "-o", help="the new file (.yaml, .yml or .json)"),
) -> None:
    """Write a blueprint in canonical form, as YAML or JSON (by the output's suffix).

    Example:

        blueprint convert examples/hotel.yaml -o hotel.json
    """
    check_output(output, (".yaml", ".yml", ".json"), inputs=[file])
    bp = load_or_exit(file)
    try:
        save(bp, output, overwrite=False, canonical=True)
    except OSError as e:
        fail(f"{output}: cannot write it ({e.strerror or e})", EXIT_FAILED)
    consoles.out.print(f"wrote {output}", markup=False)
    errors = bp.validate().errors  # a draft may be converted, but not without a word
    if errors:
        first = errors[0]
        consoles.err.print(f"note: {file} is written as it is, with {len(errors)} validation error{'s' if len(errors) > 1 else ''} "
                           f"(the first: {first.path}: {first.message}); `blueprint validate {file}` lists them", markup=False)


def _under_way(what: str) -> contextlib.AbstractContextManager[Any]:
    """On a terminal, a spinner saying what is under way (a blueprint of a hundred steps takes seconds); else nothing."""
    return consoles.err.status(what) if consoles.err.is_terminal else contextlib.nullcontext()


def _drawing(bp: Blueprint) -> contextlib.AbstractContextManager[Any]:
    """:func:`_under_way` for drawing ``bp``."""
    return _under_way(f"drawing {len(bp.steps)} steps and {len(bp.flows)} arrows…")


@app.command()
def render(
    file: Path = typer.Argument(..., help="a blueprint file"),
    output: Path = typer.Option(..., "--output", "-o", help="the new diagram file: .svg, .png or .pdf"),
    theme: str = typer.Option("screen", "--theme", help="screen (colour) or print (black and white)"),
    title: str | None = typer.Option(None, "--title", help="title above the diagram (default: the blueprint's name)"),
    subtitle: str | None = typer.Option(None, "--subtitle", help="a line under the title"),
    width: float | None = typer.Option(None, "--width", help="largest width in inches (it scales down to fit)"),
    max_columns: int | None = typer.Option(None, "--max-columns", min=1, help="wrap a longer journey onto rows of this many steps"),
    dpi: int = typer.Option(144, "--dpi", help="resolution of a PNG"),
    roles: bool = typer.Option(True, "--roles/--no-roles", help="role names on staffed steps"),
    durations: bool = typer.Option(True, "--durations/--no-durations", help="mean durations on steps"),
    fail_points: bool = typer.Option(True, "--fail-points/--no-fail-points", help="F markers and recovery arrows"),
    wait_points: bool = typer.Option(True, "--wait-points/--no-wait-points", help="W markers with the tolerable wait"),
    evidence: bool = typer.Option(True, "--evidence/--no-evidence", help="physical evidence above its step"),
    probabilities: bool = typer.Option(True, "--probabilities/--no-probabilities", help="branch probabilities on arrows"),
    legend: bool = typer.Option(True, "--legend/--no-legend", help="the legend under the diagram"),
    stages: bool = typer.Option(True, "--stages/--no-stages", help="the stage headers across the top"),
    empty_lanes: bool = typer.Option(True, "--empty-lanes/--no-empty-lanes",
                                     help="lanes where nothing happens as thin bands, or left out"),
    pages: bool = typer.Option(False, "--pages", help="a PDF with one page per row (with --max-columns)"),
    force: bool = typer.Option(False, "--force", help="replace the output file if it exists (never an input)"),
) -> None:
    """Draw a blueprint as a diagram (SVG, PNG or PDF, by the output's suffix).

    Example:

        blueprint render examples/hotel.yaml -o hotel.svg --theme print --max-columns 6
        blueprint render examples/hotel.yaml -o hotel.pdf --max-columns 5 --pages
    """
    from .diagram.route import TooDenseToDraw
    from .render import GraphvizNotFound, MissingGlyphs

    check_output(output, (".svg", ".png", ".pdf"), inputs=[file], force=force)
    if pages and output.suffix.lower() != ".pdf":
        fail(f"--pages is for PDF only: write to a .pdf file (-o {output.with_suffix('.pdf').name})")
    bp = load_or_exit(file)
    try:
        with _drawing(bp):
            diagram = bp.render(
                theme=theme, title=title if title is not None else True, subtitle=subtitle, width=width,
                max_columns=max_columns, roles=roles, durations=durations, fail_points=fail_points, wait_points=wait_points,
                evidence=evidence, probabilities=probabilities, legend=legend, stages=stages, empty_lanes=empty_lanes,
            )
            with warnings.catch_warnings(record=True) as notes:
                warnings.simplefilter("always", MissingGlyphs)
                diagram.save(output, dpi=dpi, pages=pages)
    except BlueprintError as e:  # too large to draw: the limit, where
        exit_with_problems(e)
    except TooDenseToDraw as e:
        fail(f"{file}: {e}")
    except ValueError as e:
        fail(str(e))
    except GraphvizNotFound as e:
        fail(str(e), EXIT_FAILED)
    except OSError as e:
        fail(f"{output}: cannot write it ({e.strerror or e})", EXIT_FAILED)
    consoles.out.print(f"wrote {output}", markup=False)
    if max_columns is None and width is None and (hint := _too_wide(bp, diagram)):
        consoles.err.print(f"note: {hint}", markup=False)
    for note in notes:
        if issubclass(note.category, MissingGlyphs):
            consoles.err.print(f"note: {note.message}", markup=False)
        else:  # not ours to word: shown as Python shows it
            warnings.showwarning(note.message, note.category, note.filename, note.lineno)


#: Points a drawing may be wide and still read on a slide: its smallest text (9 pt) at least 6 pixels of 1,600.
SLIDE_POINTS = 2400.0


def _too_wide(bp: Blueprint, diagram: Any) -> str:
    """The note for a journey drawn in one row too wide to read on a slide, with the ``--max-columns`` that
    would fit; "" otherwise."""
    from .layout import assign_columns

    drawn = diagram._size[0] if diagram._size else 0.0
    columns = max(assign_columns(bp).values(), default=0) + 1
    if drawn <= SLIDE_POINTS or columns < 4:
        return ""
    fit = max(2, min(columns - 1, int(columns * 1600.0 / drawn)))
    pixels = max(1, math.floor(9 * 1600.0 / drawn))
    rows = -(-columns // fit)
    pages = f" (or save a PDF with --pages, a page a row: {rows} rows are too tall for one slide)" if rows > 4 else ""
    return (f"the journey's {columns} columns in one row are {drawn / 72:.0f} inches wide: on a slide 1,600 pixels "
            f"wide its smallest text is {pixels} pixel{'s' if pixels > 1 else ''} tall; pass --max-columns {fit} to wrap "
            f"it onto rows{pages}")


@app.command("check-diagram")
def check_diagram(
    file: Path = typer.Argument(..., help="a blueprint file (drawn first) or a diagram's .svg"),
    max_columns: int | None = typer.Option(None, "--max-columns", min=1, help="wrap the journey onto rows of this many steps"),
    theme: str = typer.Option("screen", "--theme", help="screen (colour) or print (black and white)"),
) -> None:
    """Check a diagram for what a client would see as a defect: text on text, text on a box or a lane line,
    an arrow through a box, text outside the frame. Exit 0 when there is none, 1 with one line each.

    Example:

        blueprint check-diagram examples/hotel.yaml --max-columns 6
        blueprint check-diagram my_diagram.svg
    """
    from .diagram.check import TooDenseToCheck, arrow_crossings, check_svg
    from .files import read_text_file
    from .render import GraphvizNotFound

    if file.suffix.lower() in (".png", ".pdf", ".jpg", ".jpeg", ".gif", ".webp"):
        fail(f"{file}: check-diagram reads a blueprint file or a diagram's .svg, not a {file.suffix.lower()[1:].upper()} "
             f"(draw it as SVG: blueprint render BLUEPRINT -o {file.with_suffix('.svg').name})")
    try:
        if file.suffix.lower() == ".svg":
            svg = read_text_file(file, "an SVG file")
        else:
            bp = load_or_exit(file)
            with _drawing(bp):
                svg = bp.render(max_columns=max_columns, theme=theme).svg
    except BlueprintError as e:
        exit_with_problems(e)
    except GraphvizNotFound as e:
        fail(str(e), EXIT_FAILED)
    except ValueError as e:  # too dense to draw, an unknown theme
        fail(f"{file}: {e}")
    crossings: int | None = None
    try:
        with _under_way("checking the drawing…"):
            found = check_svg(svg)
            if not found.stopped:
                with contextlib.suppress(TooDenseToCheck):
                    crossings = arrow_crossings(svg)
    except (ValueError, SyntaxError) as e:  # not SVG (ElementTree's ParseError is a SyntaxError)
        fail(f"{file}: not a diagram's SVG ({e})")
    for f in found:
        consoles.out.print(str(f), markup=False)
    if found.stopped and not found:
        fail(f"{file}: {found.stopped}")
    summary = f"{file}: {len(found):,} overlap{'s' if len(found) != 1 else ''}" if found else f"{file}: no overlaps"
    if found.stopped:
        summary += f" ({found.stopped})"
    elif crossings is None:
        summary += ", arrow crossings not counted (too many arrows overlap)"
    else:
        summary += f", {crossings} arrow crossing{'s' if crossings != 1 else ''}"
    consoles.out.print(summary, markup=False)
    if found:
        raise typer.Exit(EXIT_INVALID)


@app.command()
def survey(
    file: Path = typer.Argument(..., help="a survey CSV: respondent, item, expectation, perception (criterion, step optional)"),
    items: Path | None = typer.Option(None, "--items", help="an item map (YAML): items: {id: {criterion, step, text}}"),
    weights: Path | None = typer.Option(None, "--weights", help="importance points (CSV): respondent, then 100 points over the criteria"),
    blueprint_file: Path | None = typer.Option(None, "--blueprint", "-b", help="the blueprint whose steps items are tagged to (checked)"),
    scale: str = typer.Option("1-7", "--scale", help="the answers' scale, lowest-highest (1-7, -3-3)"),
    bootstrap: int = typer.Option(2000, "--bootstrap", help="bootstrap samples for the 95% intervals (100 to 100,000)"),
    seed: int = typer.Option(0, "--seed", min=0, help="seed of the bootstrap"),
    show_items: bool = typer.Option(False, "--show-items", help="also list every item"),
    as_json: bool = typer.Option(False, "--json", help="print every figure as JSON"),
    as_csv: bool = typer.Option(False, "--csv", help="print every figure as CSV, one row each (level, name, ...)"),
) -> None:
    """Score a SERVQUAL survey: the gap (perception − expectation) per criterion, overall (weighted with the
    respondents' points when given), per item and per blueprint step, with 95% bootstrap intervals and a
    verdict (high quality, acceptable, failing).

    Example:

        blueprint survey examples/bilingual_hotline.survey.csv --items examples/bilingual_hotline.survey_items.yaml \
            --weights examples/bilingual_hotline.survey_weights.csv
    """
    from .survey import score

    if as_json and as_csv:
        fail("choose --json or --csv, not both")
    bounds = _scale(scale)
    if bounds is None:
        fail(f"--scale must be lowest-highest, e.g. 1-7 (or -3-3, or -3..3 for one below zero); got {scale!r}")
    bp = load_or_exit(blueprint_file) if blueprint_file is not None else None
    try:
        found = score(file, items=items, weights=weights, blueprint=bp, scale=bounds, bootstrap=bootstrap, seed=seed)
    except BlueprintError as e:
        exit_with_problems(e)
    except ValueError as e:
        fail(str(e))
    tables = {"criterion": found.criteria, "overall": found.overall, "step": found.steps, "item": found.items}
    figures = ["expectation", "perception", "gap", "gap_ci_low", "gap_ci_high", "verdict"]
    if as_json:
        print_json({"file": str(file), "respondents": found.respondents, "answers": found.answers,
                    "missing": found.missing, "bootstrap": found.bootstrap, "seed": found.seed,
                    **{level: {str(k): {c: json_value(v) for c, v in row.items()} for k, row in t.to_dict(orient="index").items()}
                       for level, t in tables.items()}})
        return
    if as_csv:
        rows = [{"level": level, "name": str(k), **{c: row.get(c) for c in figures}}
                for level, t in tables.items() for k, row in t.to_dict(orient="index").items()]
        print_csv(rows, ["level", "name", *figures])
        return
    for title, t in (("Per criterion", found.criteria), ("Overall", found.overall), ("Per blueprint step", found.steps),
                     *((("Per item", found.items),) if show_items else ())):
        if t.empty:
            continue
        table = Table(title=title, title_justify="left")
        table.add_column(str(t.index.name), justify="left")
        extra = [c for c in ("criterion", "text", "weight") if c in t.columns]
        for c in [*extra, "expectation", "perception", "gap", "95% interval", "verdict"]:
            table.add_column(c, justify="left" if c in ("criterion", "text", "verdict") else "right")
        for k, row in t.iterrows():
            cells = [str(row[c]) if c != "weight" else f"{row[c]:.1f}" for c in extra]
            cells += [f"{row['expectation']:.2f}", f"{row['perception']:.2f}", f"{row['gap']:+.2f}",
                      f"{row['gap_ci_low']:+.2f} to {row['gap_ci_high']:+.2f}", str(row["verdict"])]
            table.add_row(str(k), *cells)
        consoles.out.print(table)
    consoles.out.print(found.describe(), markup=False)


def _plain_option_errors() -> None:
    """Say a bad option value as the rest of the command line does ("must be ≥ 1, got 0", "expected a whole
    number, got 'abc'"): typer checks option values with pydantic and would print pydantic's own wording
    ("Input should be greater than or equal to 1"). Left alone if typer no longer works that way."""
    from typer import _coercion

    if not callable(getattr(_coercion, "get_error_msg", None)):
        return
    from .errors import plain_message

    def message(exc: Any) -> str:
        errors = exc.errors() if callable(getattr(exc, "errors", None)) else []
        if not errors:
            return printable(str(exc))
        text, given = plain_message(dict(errors[0])), errors[0].get("input")
        if isinstance(given, str):  # as typed: got 0, not got '0'
            text = text.replace(f"got {given!r}", f"got {given}")
        return printable(text)

    _coercion.get_error_msg = message


_plain_option_errors()


def _scale(text: str) -> tuple[float, float] | None:
    """``--scale``: the lowest and the highest answer, ``1-7``; a bound below zero keeps its sign (``-3-3``,
    ``-3--1``, ``-3..3``). None when it is no such pair, or the lowest is not below the highest.

    >>> _scale("1-7"), _scale("-3-3"), _scale("-3..3"), _scale("-5--1"), _scale("7-1"), _scale("a-b")
    ((1.0, 7.0), (-3.0, 3.0), (-3.0, 3.0), (-5.0, -1.0), None, None)
    """
    import re

    m = re.fullmatch(r"\s*(-?[0-9.]+(?:e-?[0-9]+)?)\s*(?:-|\.\.|to)\s*(-?[0-9.]+(?:e-?[0-9]+)?)\s*", text)
    if m is None:
        return None
    try:
        low, high = float(m.group(1)), float(m.group(2))
    except ValueError:
        return None
    return (low, high) if math.isfinite(low) and math.isfinite(high) and low < high else None


def run(command: typer.Typer) -> None:
    """Run ``command`` as the ``blueprint`` program: what typer does, and a crash (a bug, not bad input) printed
    with its traceback and exit code :data:`EXIT_FAILED` rather than Python's 1, which means "invalid" here."""
    try:
        command()
    except Exception:
        traceback.print_exc()
        consoles.err.print("error: the command failed unexpectedly; please report it with the lines above", markup=False)
        sys.exit(EXIT_FAILED)


def main() -> None:
    """Run the ``blueprint`` command with this package's commands only (the installed command is
    :func:`simulate.cli.main`, which adds ``simulate``, ``staff`` and ``compare``)."""
    run(app)


if __name__ == "__main__":  # pragma: no cover
    main()
