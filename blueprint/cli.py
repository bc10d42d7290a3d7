"""The ``blueprint`` command line: ``validate``, ``render``, ``schema`` and ``convert``.

Each command prints readable tables, takes ``--json`` for scripts, exits
non-zero with one clear line on bad input, and never writes over an input.

``simulate``, ``staff`` and ``compare`` are added to the same :data:`app` by
:mod:`simulate.cli`, whose ``main`` the installed ``blueprint`` command runs;
this package imports nothing from ``simulate``. :data:`consoles`,
:func:`fail` and :func:`load_or_exit` are for such commands too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.table import Table

from .errors import BlueprintError, BlueprintFileError
from .files import load, save
from .model import Blueprint
from .schema import json_schema
from .summary import summary_rows

app = typer.Typer(
    name="blueprint",
    help="Declare, validate, draw, simulate and save service blueprints.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


class _Consoles:
    """Consoles made when first used, so they see the terminal width of the run, not of the import."""

    @property
    def out(self) -> Console:
        return Console(highlight=False, soft_wrap=True)

    @property
    def err(self) -> Console:
        return Console(stderr=True, highlight=False, soft_wrap=True)


consoles = _Consoles()
"""Where commands print: ``consoles.out`` (results) and ``consoles.err`` (problems)."""


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    consoles.err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def load_or_exit(file: Path) -> Blueprint:
    """Load a blueprint, or print its problems and exit 2."""
    try:
        return load(file)
    except BlueprintError as e:
        for p in e.problems:
            consoles.err.print(f"error: {p}", markup=False)
        raise typer.Exit(2) from None


@app.command()
def validate(
    file: Path = typer.Argument(..., help="a blueprint file (.yaml, .yml or .json)"),
    as_json: bool = typer.Option(False, "--json", help="print the problems and summary as JSON"),
    strict: bool = typer.Option(False, "--strict", help="treat warnings as errors"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="print problems only, no summary"),
) -> None:
    """Check a blueprint and print its problems and summary.

    Exits 0 when valid, 1 when the blueprint has errors, 2 when the file
    cannot be read as a blueprint.

    Example:

        blueprint validate examples/contact_center.yaml
    """
    try:
        bp = load(file)
    except BlueprintFileError as e:
        if as_json:
            print(json.dumps({"file": str(file), "valid": False, "problems": [p.__dict__ for p in e.problems]}, indent=2, ensure_ascii=False))
            raise typer.Exit(2) from None
        for p in e.problems:
            consoles.err.print(f"error: {p}", markup=False)
        raise typer.Exit(2) from None
    report = bp.validate()
    failed = bool(report.errors) or (strict and bool(report.warnings))
    if as_json:
        print(
            json.dumps(
                {
                    "file": str(file),
                    "valid": not failed,
                    "problems": [p.__dict__ for p in report.problems],
                    "summary": dict(summary_rows(bp)),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        raise typer.Exit(1 if failed else 0)
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
    raise typer.Exit(1 if failed else 0)


@app.command()
def schema(
    output: Path | None = typer.Option(None, "--output", "-o", help="write to this new file instead of printing"),
) -> None:
    """Print the JSON Schema of blueprint files, for editors that check and complete YAML.

    Example:

        blueprint schema -o blueprint.schema.json
    """
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    if output.exists():
        fail(f"{output} exists; choose a new file name")
    output.write_text(text, encoding="utf-8")
    consoles.out.print(f"wrote {output}", markup=False)


@app.command()
def convert(
    file: Path = typer.Argument(..., help="a blueprint file"),
    output: Path = typer.Option(..., "--output", "-o", help="the new file (.yaml or .json)"),
) -> None:
    """Write a blueprint in canonical form, as YAML or JSON (by the output's suffix).

    Example:

        blueprint convert examples/hotel.yaml -o hotel.json
    """
    if output.exists():
        fail(f"{output} exists; choose a new file name (inputs are never overwritten)")
    bp = load_or_exit(file)
    save(bp, output, overwrite=False)
    consoles.out.print(f"wrote {output}", markup=False)


@app.command()
def render(
    file: Path = typer.Argument(..., help="a blueprint file"),
    output: Path = typer.Option(..., "--output", "-o", help="the new diagram file: .svg, .png or .pdf"),
    theme: str = typer.Option("screen", "--theme", help="screen (colour) or print (black and white)"),
    title: str | None = typer.Option(None, "--title", help="title above the diagram (default: the blueprint's name)"),
    subtitle: str | None = typer.Option(None, "--subtitle", help="a line under the title"),
    width: float | None = typer.Option(None, "--width", help="largest width in inches (it scales down to fit)"),
    dpi: int = typer.Option(144, "--dpi", help="resolution of a PNG"),
    roles: bool = typer.Option(True, "--roles/--no-roles", help="role names on staffed steps"),
    durations: bool = typer.Option(True, "--durations/--no-durations", help="mean durations on steps"),
    fail_points: bool = typer.Option(True, "--fail-points/--no-fail-points", help="F markers and recovery arrows"),
    wait_points: bool = typer.Option(True, "--wait-points/--no-wait-points", help="W markers with the tolerable wait"),
    evidence: bool = typer.Option(True, "--evidence/--no-evidence", help="physical evidence above its step"),
    probabilities: bool = typer.Option(True, "--probabilities/--no-probabilities", help="branch probabilities on arrows"),
    legend: bool = typer.Option(True, "--legend/--no-legend", help="the legend under the diagram"),
    force: bool = typer.Option(False, "--force", help="replace the output file if it exists (never an input)"),
) -> None:
    """Draw a blueprint as a diagram (SVG, PNG or PDF, by the output's suffix).

    Example:

        blueprint render examples/hotel.yaml -o hotel.svg --theme print
    """
    from .render import GraphvizNotFound

    if output.suffix.lower() not in (".svg", ".png", ".pdf"):
        fail(f"{output}: choose a file ending in .svg, .png or .pdf")
    if output.exists() and output.resolve() == file.resolve():
        fail(f"{output} is the input; choose a new file name")
    if output.exists() and not force:
        fail(f"{output} exists; choose a new file name or pass --force")
    bp = load_or_exit(file)
    try:
        diagram = bp.render(
            theme=theme, title=title if title is not None else True, subtitle=subtitle, width=width,
            roles=roles, durations=durations, fail_points=fail_points, wait_points=wait_points,
            evidence=evidence, probabilities=probabilities, legend=legend,
        )
        diagram.save(output, dpi=dpi)
    except GraphvizNotFound as e:
        fail(str(e))
    except ValueError as e:
        fail(str(e))
    consoles.out.print(f"wrote {output}", markup=False)


def main() -> None:
    """Run the ``blueprint`` command with this package's commands only (the installed command is
    :func:`simulate.cli.main`, which adds ``simulate``, ``staff`` and ``compare``)."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
