"""The ``blueprint`` command line.

Each command prints readable tables, takes ``--json`` for scripts, exits
non-zero with one clear line on bad input, and never writes over an input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

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


_c = _Consoles()


def _fail(message: str, code: int = 2) -> None:
    _c.err.print(f"error: {message}", markup=False)
    raise typer.Exit(code)


def _load_or_exit(file: Path) -> Blueprint:
    """Load a blueprint, or print its problems and exit 2."""
    try:
        return load(file)
    except BlueprintError as e:
        for p in e.problems:
            _c.err.print(f"error: {p}", markup=False)
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
            raise typer.Exit(2)
        for p in e.problems:
            _c.err.print(f"error: {p}", markup=False)
        raise typer.Exit(2)
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
        _c.err.print(f"error: {p}", markup=False)
    for p in report.warnings:
        _c.err.print(f"{p}", markup=False)
    if not quiet:
        table = Table(title=f"Blueprint: {bp.name}", show_header=False, title_justify="left", box=None)
        table.add_column(style="bold")
        table.add_column()
        for heading, text in summary_rows(bp):
            table.add_row(heading, text)
        _c.out.print(table)
    status = "valid" if not report.problems else report.summary()
    (_c.err if failed else _c.out).print(f"{file}: {status}", markup=False)
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
        _fail(f"{output} exists; choose a new file name")
    output.write_text(text, encoding="utf-8")
    _c.out.print(f"wrote {output}", markup=False)


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
        _fail(f"{output} exists; choose a new file name (inputs are never overwritten)")
    bp = _load_or_exit(file)
    save(bp, output, overwrite=False)
    _c.out.print(f"wrote {output}", markup=False)


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
        _fail(f"{output}: choose a file ending in .svg, .png or .pdf")
    if output.exists() and output.resolve() == file.resolve():
        _fail(f"{output} is the input; choose a new file name")
    if output.exists() and not force:
        _fail(f"{output} exists; choose a new file name or pass --force")
    bp = _load_or_exit(file)
    try:
        diagram = bp.render(
            theme=theme, title=title if title is not None else True, subtitle=subtitle, width=width,
            roles=roles, durations=durations, fail_points=fail_points, wait_points=wait_points,
            evidence=evidence, probabilities=probabilities, legend=legend,
        )
        diagram.save(output, dpi=dpi)
    except GraphvizNotFound as e:
        _fail(str(e))
    except ValueError as e:
        _fail(str(e))
    _c.out.print(f"wrote {output}", markup=False)


def _new_output(path: Path, inputs: list[Path], force: bool) -> None:
    """Refuse to write over an input, or over an existing file without ``--force``."""
    for f in inputs:
        if path.exists() and f.exists() and path.resolve() == f.resolve():
            _fail(f"{path} is an input; choose a new file name")
    if path.exists() and not force:
        _fail(f"{path} exists; choose a new file name or pass --force")


def _check_suffix(path: Path | None, allowed: tuple[str, ...], words: str) -> None:
    """Exit with one line unless ``path`` (when given) ends in one of ``allowed``."""
    if path is not None and path.suffix.lower() not in allowed:
        _fail(f"{path}: choose a file ending in {words}")


def _load_valid_or_exit(file: Path) -> Blueprint:
    """Load a blueprint and check it; print its errors and exit 1 when it has any."""
    bp = _load_or_exit(file)
    report = bp.validate()
    if not report.ok:
        for p in report.errors:
            _c.err.print(f"error: {p}", markup=False)
        raise typer.Exit(1)
    return bp


def _table(title: str, frame: Any, columns: list[str], formats: dict[str, str]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(frame.index.name or "", justify="left")
    for c in columns:
        table.add_column(c, justify="right")
    for idx, row in frame.iterrows():
        cells = []
        for c in columns:
            v = row[c]
            if v is None or (isinstance(v, float) and v != v):
                cells.append("")
            elif c in formats:
                cells.append(formats[c].format(v))
            else:
                cells.append(_number(v))
        table.add_row(str(idx), *cells)
    return table


@app.command()
def simulate(
    file: Path = typer.Argument(..., help="a blueprint file"),
    days: float = typer.Option(1.0, "--days", help="days to simulate (time 0 is Monday 00:00)"),
    replications: int = typer.Option(10, "--replications", "-r", help="independent runs, for the 95% intervals"),
    seed: int | None = typer.Option(None, "--seed", help="seed for repeatable results (one is drawn and printed if left out)"),
    warmup: str = typer.Option("0 s", "--warmup", help="time simulated but left out of the figures, e.g. '2 h'"),
    top: int = typer.Option(5, "--top", help="how many fail points to print (0: none)"),
    what_if: int = typer.Option(2, "--what-if", help="fail points that get a one-more-member simulation"),
    diagram: Path | None = typer.Option(None, "--diagram", help="write the blueprint with its fail points (.svg, .png, .pdf)"),
    events: Path | None = typer.Option(None, "--events", help="write the event log (.csv, .parquet or .xes)"),
    as_json: bool = typer.Option(False, "--json", help="print the summary and fail points as JSON"),
    force: bool = typer.Option(False, "--force", help="replace output files that exist (never an input)"),
) -> None:
    """Simulate a blueprint: key figures with 95% intervals, then its fail points, most severe first.

    Example:

        blueprint simulate examples/contact_center.yaml --days 1 -r 10 --seed 2026 --diagram fail_points.svg
    """
    import simulate as sim

    from .render import GraphvizNotFound

    for out in (diagram, events):
        if out is not None:
            _new_output(out, [file], force)
    _check_suffix(diagram, (".svg", ".png", ".pdf"), ".svg, .png or .pdf")
    _check_suffix(events, (".csv", ".parquet", ".xes"), ".csv, .parquet or .xes")
    bp = _load_valid_or_exit(file)
    try:
        results = sim.run(bp, days=days, replications=replications, seed=seed, warmup=warmup,
                          record_events=events is not None)
    except ValueError as e:
        _fail(str(e))
    summary = results.summary()
    found = results.fail_points(what_if=what_if) if (top > 0 or diagram is not None) else None
    if as_json:
        data: dict[str, Any] = {
            "file": str(file), "seed": results.seed, "days": days, "replications": replications,
            "summary": {k: {"mean": r["mean"], "ci_low": r["ci_low"], "ci_high": r["ci_high"]} for k, r in summary.iterrows()},
        }
        if found is not None:
            data["fail_points"] = [
                {"rank": int(rank), "kind": r["kind"], "step": r["step"], "role": r["role"], "window": r["window"],
                 "severity": r["severity"], "finding": r["finding"], "what_if": r["what_if"]}
                for rank, r in found.head(top).iterrows()
            ]
        print(json.dumps(data, indent=2, default=_json_default))
    else:
        _c.out.print(
            f"{bp.name}: {days:g} day(s) × {replications} replications, seed {results.seed}; mean and 95% interval",
            markup=False,
        )
        _c.out.print(_table("", summary, ["mean", "ci_low", "ci_high"], {}))
        if found is not None and top > 0:
            biting = found[found["status"] != "harmless"]
            if len(biting) == 0:
                _c.out.print("No fail points found.", markup=False)
            else:
                _c.out.print(f"\nFail points, most severe first ({min(top, len(found))} of {len(found)}):", markup=False)
                for line in found.sentences(top=top):
                    _c.out.print(line, markup=False)
    try:
        if diagram is not None and found is not None:
            found.render().save(diagram)
            _c.out.print(f"wrote {diagram}", markup=False)
    except GraphvizNotFound as e:
        _fail(str(e))
    if events is not None:
        results.save_events(events)
        _c.out.print(f"wrote {events}", markup=False)


def _number(v: Any) -> str:
    """A figure for a table: thousands with separators, small numbers with 3 significant digits."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


@app.command()
def staff(
    file: Path = typer.Argument(..., help="a blueprint file"),
    templates: Path | None = typer.Option(None, "--templates", "-t", help="shift templates (YAML), per role or for all roles"),
    method: str = typer.Option("lag-sipp", "--method", help="requirements: sipp, lag-sipp or simulation"),
    objective: str = typer.Option("paid_hours", "--objective", help="what the shift plan minimises: paid_hours, headcount or cost"),
    days: float = typer.Option(1.0, "--days", help="days to simulate"),
    replications: int = typer.Option(10, "--replications", "-r", help="replications of each simulation"),
    seed: int | None = typer.Option(None, "--seed", help="seed for repeatable results"),
    shrinkage: float = typer.Option(0.0, "--shrinkage", help="share of paid time staff are unavailable (0 to <1)"),
    spreadsheet: bool = typer.Option(False, "--spreadsheet", help="also plan by Erlang C per interval, for comparison"),
    output: Path | None = typer.Option(None, "--output", "-o", help="write the blueprint with the new shifts (.yaml or .json)"),
    report: Path | None = typer.Option(None, "--report", help="write a short HTML report (before/after, fail points, charts)"),
    diagram: Path | None = typer.Option(None, "--diagram", help="write the new plan's fail points on the diagram (.svg/.png/.pdf)"),
    as_json: bool = typer.Option(False, "--json", help="print the results as JSON"),
    force: bool = typer.Option(False, "--force", help="replace output files that exist (never an input)"),
) -> None:
    """Find the staff each role needs per interval and, with --templates, the cheapest shift plan
    that meets the target in simulation; print it against today's staffing.

    Example:

        blueprint staff examples/contact_center.yaml -t examples/contact_center.shifts.yaml --seed 1 -o staffed.yaml
    """
    import simulate as sim
    from simulate.staffing.report import before_after, format_before_after, html_report

    from .files import write_atomically
    from .render import GraphvizNotFound

    inputs = [file] + ([templates] if templates else [])
    for out in (output, report, diagram):
        if out is not None:
            _new_output(out, inputs, force)
    _check_suffix(output, (".yaml", ".yml", ".json"), ".yaml or .json")
    _check_suffix(diagram, (".svg", ".png", ".pdf"), ".svg, .png or .pdf")
    if templates is not None and not templates.exists():
        _fail(f"{templates}: no such file")
    bp = _load_valid_or_exit(file)
    try:
        if templates is not None:
            role_templates = sim.load_role_templates(templates)
    except BlueprintError as e:
        for p in e.problems:
            _c.err.print(f"error: {p}", markup=False)
        raise typer.Exit(2) from None
    try:
        req = sim.requirements(bp, method=method, days=days, shrinkage=shrinkage,  # type: ignore[arg-type]
                               replications=replications, seed=seed)
        if templates is None:
            _print_requirements(req, as_json)
            return
        plan = sim.optimize_staffing(bp, templates=role_templates, method=method, objective=objective, days=days,
                                     replications=replications, seed=seed if seed is not None else req.info.get("seed"),
                                     shrinkage=shrinkage)
        seed_used = plan.results.seed
        sheet = (sim.spreadsheet_staffing(bp, templates=role_templates, objective=objective, days=days,
                                          replications=replications, seed=seed_used, shrinkage=shrinkage)
                 if spreadsheet else None)
        before = sim.run(bp, days=days, replications=replications, seed=seed_used)
    except (ValueError, TimeoutError) as e:
        _fail(str(e).splitlines()[0] if "\n" not in str(e) else str(e))
    table = before_after(before, plan, sheet)
    if as_json:
        data = {
            "file": str(file), "seed": seed_used, "method": plan.method, "meets_target": plan.meets_target,
            "before_after": {c: {k: v for k, v in table[c].items()} for c in table.columns},
            "plans": {r: {"shifts": p.headcount, "paid_hours": p.paid_hours, "gap": p.gap,
                          "staffing": p.to_staffing().model_dump(mode="json")} for r, p in plan.plans.items()},
            "misses": plan.misses.to_dict(orient="records"),
        }
        print(json.dumps(data, indent=2, default=_json_default))
    else:
        _c.out.print(f"{bp.name}: {plan.method}, seed {seed_used}, {len(plan.rounds)} round(s) of simulation", markup=False)
        _c.out.print(_table("Before and after (simulated means)", format_before_after(table), list(table.columns),
                            {c: "{}" for c in table.columns}))
        for role, p in plan.plans.items():
            _c.out.print(f"{role}: {p.summary()}", markup=False)
        if plan.meets_target:
            _c.out.print("The new plan meets the target in every interval.", markup=False)
        else:
            n_missed = len(plan.misses.drop_duplicates(["role", "interval"]))
            _c.out.print(f"{n_missed} interval(s) still miss the target after {len(plan.rounds)} rounds:", markup=False)
            for _, m in plan.misses.head(10).iterrows():
                _c.out.print(f"  {m['role']} interval {m['interval']}: {m['figure']} {m['simulated']:.3g} (target {m['target']:.3g})",
                             markup=False)
    try:
        if output is not None:
            from .files import save

            save(plan.blueprint, output, overwrite=force)
            _c.out.print(f"wrote {output}", markup=False)
        fail_after = plan.results.fail_points(what_if=0) if (diagram is not None or report is not None) else None
        if diagram is not None and fail_after is not None:
            fail_after.render(subtitle="With the new shift plan: fail points found by simulation").save(diagram)
            _c.out.print(f"wrote {diagram}", markup=False)
        if report is not None:
            text = html_report(before, plan, fail_before=before.fail_points(what_if=2), fail_after=fail_after, spreadsheet=sheet)
            write_atomically(report, text.encode("utf-8"), overwrite=force)
            _c.out.print(f"wrote {report}", markup=False)
    except GraphvizNotFound as e:
        _fail(str(e))


def _print_requirements(req: Any, as_json: bool) -> None:
    if as_json:
        df = req.reset_index()[["role", "interval", "time", "arrival_rate", "load", "required", "scheduled"]]
        print(json.dumps({"method": req.info["method"], "requirements": df.to_dict(orient="records")}, indent=2,
                         default=_json_default))
        return
    for role in dict.fromkeys(req.index.get_level_values("role")):
        part = req.xs(role, level="role")
        busy = part[part["load"] > 0]
        _c.out.print(f"{role}: peak {int(part['scheduled'].max())} staff at {part.loc[part['scheduled'].idxmax(), 'time']}; "
                     f"{part['scheduled'].sum() * req.info['interval'] / 3600:,.1f} staff hours over the day "
                     f"({req.info['method']})", markup=False)
        show = busy[["time", "arrival_rate", "handle_time", "load", "required", "scheduled"]].copy()
        show.index = show.pop("time")
        _c.out.print(_table("", show, list(show.columns), {"required": "{:.0f}", "scheduled": "{:.0f}"}))


@app.command()
def compare(
    file: Path = typer.Argument(..., help="a blueprint file"),
    scenarios: Path = typer.Argument(..., help="a scenarios file (YAML) next to the blueprint"),
    days: float = typer.Option(1.0, "--days", help="days to simulate"),
    replications: int = typer.Option(10, "--replications", "-r", help="replications per scenario"),
    seed: int | None = typer.Option(None, "--seed", help="seed shared by every scenario (common random numbers)"),
    baseline: str = typer.Option("baseline", "--baseline", help="the scenario the others are measured against"),
    serial: bool = typer.Option(False, "--serial", help="run in this process instead of a process pool"),
    output: Path | None = typer.Option(None, "--output", "-o", help="save the comparison (.json or .parquet) to load later"),
    chart: Path | None = typer.Option(None, "--chart", help="write the service level by interval per scenario (.png/.svg/.pdf)"),
    every_figure: bool = typer.Option(False, "--all", help="show every key figure (ASA, occupancy, staff hours too)"),
    as_json: bool = typer.Option(False, "--json", help="print the figures and differences as JSON"),
    force: bool = typer.Option(False, "--force", help="replace output files that exist (never an input)"),
) -> None:
    """Run scenarios of a blueprint on the same customers and compare them with the baseline.

    Every figure is a mean with its 95% interval; differences from the baseline are paired
    (same seed) and marked where not significant.

    Example:

        blueprint compare examples/contact_center.yaml examples/contact_center.scenarios.yaml -r 10 --seed 1
    """
    import simulate as sim
    from simulate.scenarios.scenario import ScenarioError, load_scenarios

    for out in (output, chart):
        if out is not None:
            _new_output(out, [file, scenarios], force)
    _check_suffix(output, (".json", ".parquet"), ".json or .parquet")
    _check_suffix(chart, (".png", ".svg", ".pdf"), ".png, .svg or .pdf")
    bp = _load_or_exit(file)
    try:
        found = load_scenarios(scenarios)
        result = sim.compare(bp, found, baseline=baseline, replications=replications, days=days, seed=seed,
                             executor="serial" if serial else None, progress=None if not as_json else False)
    except ScenarioError as e:
        for name, p in e.items:
            _c.err.print(f"error: scenario {name!r}: {p}", markup=False)
        raise typer.Exit(2) from None
    except BlueprintError as e:
        for p in e.problems:
            _c.err.print(f"error: {p}", markup=False)
        raise typer.Exit(2) from None
    except ValueError as e:
        _fail(str(e))
    if as_json:
        figs = result.figures().reset_index()
        diffs = result.differences().reset_index()
        print(json.dumps({"file": str(file), "scenarios": str(scenarios), "seed": result.seed, "baseline": result.baseline,
                          "figures": figs.to_dict(orient="records"), "differences": diffs.to_dict(orient="records")},
                         indent=2, default=_json_default))
    else:
        _c.out.print(repr(result), markup=False)
        figs = result.figures()
        diffs = result.differences()
        cols = [c for c in result.headline() if any((n, c) in figs.index for n in result.names)]
        if not every_figure:
            cols = [c for c in cols if c.endswith("service level") or c in ("abandonment", "time in system (s)", "staff cost")]
        table = Table(title="Mean over the replications; in brackets the paired difference from the baseline "
                            "(pp: percentage points; ~ = not significant at 95%)", title_justify="left")
        table.add_column("scenario")
        for c in cols:
            table.add_column(c.replace(": ", ":\n"), justify="right")
        for n in result.names:
            cells = []
            for c in cols:
                if (n, c) not in figs.index:
                    cells.append("")
                    continue
                share = any(k in c for k in ("service level", "abandonment", "occupancy"))
                m = figs.loc[(n, c)]["mean"]
                text = f"{100 * m:.1f}%" if share else _number(m)
                if n != result.baseline and (n, c) in diffs.index:
                    d = diffs.loc[(n, c)]["difference"]
                    change = f"{100 * d:+.1f} pp" if share else ("0" if d == 0 else f"{'+' if d > 0 else ''}{_number(d)}")
                    text += f" ({change}{'' if diffs.loc[(n, c)]['significant'] else ' ~'})"
                cells.append(text)
            table.add_row(n + (" (baseline)" if n == result.baseline else ""), *cells)
        _c.out.print(table)
    if output is not None:
        result.save(output)
        _c.out.print(f"wrote {output}", markup=False)
    if chart is not None:
        import matplotlib

        matplotlib.use("Agg")
        ax = result.plot_service_level()
        ax.figure.savefig(chart, bbox_inches="tight", dpi=130)
        _c.out.print(f"wrote {chart}", markup=False)


def _json_default(x: Any) -> Any:
    if isinstance(x, float) and x != x:
        return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return str(x)


def main() -> None:
    """Entry point of the ``blueprint`` console command."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
