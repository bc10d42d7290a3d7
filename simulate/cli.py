"""``blueprint simulate``, ``blueprint staff`` and ``blueprint compare``: the commands that run the simulator.

They are added to the ``blueprint`` command of :mod:`blueprint.cli` (the base
package knows nothing of them); the installed ``blueprint`` command runs
:func:`main` here, so all seven commands are one command line. The simulator
is imported inside each command, so ``blueprint --help`` stays quick.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer
from rich.table import Table

from blueprint.cli import app, consoles, fail, load_or_exit
from blueprint.errors import BlueprintError
from blueprint.model import Blueprint
from blueprint.schema import register_schema

if TYPE_CHECKING:
    import pandas as pd

    from simulate.results import Results
    from simulate.scenarios import Comparison
    from simulate.staffing import Requirements, ShiftTemplates, StaffingPlan
    from simulate.staffing.requirements import Method
    from simulate.staffing.shifts.program import Objective

__all__ = ["app", "compare", "main", "simulate", "staff"]


# -- shared by the commands ---------------------------------------------------------------------------


def _new_output(path: Path, inputs: list[Path], force: bool) -> None:
    """Refuse to write over an input, or over an existing file without ``--force``."""
    for f in inputs:
        if path.exists() and f.exists() and path.resolve() == f.resolve():
            fail(f"{path} is an input; choose a new file name")
    if path.exists() and not force:
        fail(f"{path} exists; choose a new file name or pass --force")


def _check_suffix(path: Path | None, allowed: tuple[str, ...], words: str) -> None:
    """Exit with one line unless ``path`` (when given) ends in one of ``allowed``."""
    if path is not None and path.suffix.lower() not in allowed:
        fail(f"{path}: choose a file ending in {words}")


def _load_valid_or_exit(file: Path) -> Blueprint:
    """Load a blueprint and check it; print its errors and exit 1 when it has any."""
    bp = load_or_exit(file)
    report = bp.validate()
    if not report.ok:
        for p in report.errors:
            consoles.err.print(f"error: {p}", markup=False)
        raise typer.Exit(1)
    return bp


def _exit_with_problems(e: BlueprintError) -> typer.Exit:
    """Print every problem of ``e``; the exit (code 2) to raise."""
    for p in e.problems:
        consoles.err.print(f"error: {p}", markup=False)
    return typer.Exit(2)


def _number(v: object) -> str:
    """A figure for a table: thousands with separators, small numbers with 3 significant digits."""
    try:
        x = float(v)  # type: ignore[arg-type]  # anything a table holds; what float() refuses is printed as text
    except (TypeError, ValueError):
        return str(v)
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _table(title: str, frame: pd.DataFrame, columns: list[str], formats: dict[str, str]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(str(frame.index.name or ""), justify="left")
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


def _json_default(x: object) -> float | str | None:
    if isinstance(x, float) and x != x:
        return None
    try:
        return float(x)  # type: ignore[arg-type]  # numpy numbers; what float() refuses is written as text
    except (TypeError, ValueError):
        return str(x)


# -- simulate -----------------------------------------------------------------------------------------


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
    from blueprint.render import GraphvizNotFound
    from simulate.run import run

    for out in (diagram, events):
        if out is not None:
            _new_output(out, [file], force)
    _check_suffix(diagram, (".svg", ".png", ".pdf"), ".svg, .png or .pdf")
    _check_suffix(events, (".csv", ".parquet", ".xes"), ".csv, .parquet or .xes")
    bp = _load_valid_or_exit(file)
    try:
        results = run(bp, days=days, replications=replications, seed=seed, warmup=warmup, record_events=events is not None)
    except ValueError as e:
        fail(str(e))
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
        consoles.out.print(
            f"{bp.name}: {days:g} day(s) × {replications} replications, seed {results.seed}; mean and 95% interval",
            markup=False,
        )
        consoles.out.print(_table("", summary, ["mean", "ci_low", "ci_high"], {}))
        if found is not None and top > 0:
            biting = found[found["status"] != "harmless"]
            if len(biting) == 0:
                consoles.out.print("No fail points found.", markup=False)
            else:
                consoles.out.print(f"\nFail points, most severe first ({min(top, len(found))} of {len(found)}):", markup=False)
                for line in found.sentences(top=top):
                    consoles.out.print(line, markup=False)
    try:
        if diagram is not None and found is not None:
            found.render().save(diagram)
            consoles.out.print(f"wrote {diagram}", markup=False)
    except GraphvizNotFound as e:
        fail(str(e))
    if events is not None:
        results.save_events(events)
        consoles.out.print(f"wrote {events}", markup=False)


# -- staff --------------------------------------------------------------------------------------------


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

    inputs = [file] + ([templates] if templates else [])
    for out in (output, report, diagram):
        if out is not None:
            _new_output(out, inputs, force)
    _check_suffix(output, (".yaml", ".yml", ".json"), ".yaml or .json")
    _check_suffix(diagram, (".svg", ".png", ".pdf"), ".svg, .png or .pdf")
    if templates is not None and not templates.exists():
        fail(f"{templates}: no such file")
    bp = _load_valid_or_exit(file)
    role_templates = _load_templates_or_exit(templates) if templates is not None else None
    # The names are checked where they are used: requirements() and the shift planner refuse others.
    method_name, objective_name = cast("Method", method), cast("Objective", objective)
    try:
        req = sim.requirements(bp, method=method_name, days=days, shrinkage=shrinkage, replications=replications, seed=seed)
        if role_templates is None:
            _print_requirements(req, as_json)
            return
        plan = sim.optimize_staffing(bp, templates=role_templates, method=method_name, objective=objective_name, days=days,
                                     replications=replications, seed=seed if seed is not None else req.settings.get("seed"),
                                     shrinkage=shrinkage)
        sheet = (sim.spreadsheet_staffing(bp, templates=role_templates, objective=objective_name, days=days,
                                          replications=replications, seed=plan.results.seed, shrinkage=shrinkage)
                 if spreadsheet else None)
        before = sim.run(bp, days=days, replications=replications, seed=plan.results.seed)
    except (ValueError, TimeoutError) as e:
        fail(str(e))
    _print_plan(file, bp, before, plan, sheet, as_json)
    _write_plan_files(before, plan, sheet, output=output, report=report, diagram=diagram, force=force)


def _load_templates_or_exit(templates: Path) -> dict[str, ShiftTemplates]:
    """The shift templates of each role, or their problems printed and exit 2."""
    from simulate.staffing import load_role_templates

    try:
        return load_role_templates(templates)
    except BlueprintError as e:
        raise _exit_with_problems(e) from None


def _print_requirements(req: Requirements, as_json: bool) -> None:
    if as_json:
        df = req.reset_index()[["role", "interval", "time", "arrival_rate", "load", "required", "scheduled"]]
        print(json.dumps({"method": req.settings["method"], "requirements": df.to_dict(orient="records")}, indent=2,
                         default=_json_default))
        return
    for role in dict.fromkeys(req.index.get_level_values("role")):
        part = req.xs(role, level="role")
        busy = part[part["load"] > 0]
        consoles.out.print(f"{role}: peak {int(part['scheduled'].max())} staff at {part.loc[part['scheduled'].idxmax(), 'time']}; "
                           f"{part['scheduled'].sum() * req.settings['interval'] / 3600:,.1f} staff hours over the day "
                           f"({req.settings['method']})", markup=False)
        show = busy[["time", "arrival_rate", "handle_time", "load", "required", "scheduled"]].copy()
        show.index = show.pop("time")
        consoles.out.print(_table("", show, list(show.columns), {"required": "{:.0f}", "scheduled": "{:.0f}"}))


def _print_plan(file: Path, bp: Blueprint, before: Results, plan: StaffingPlan, sheet: StaffingPlan | None, as_json: bool) -> None:
    """The plan against today's staffing: as JSON, or as a table with each role's shifts and what still misses."""
    from simulate.staffing.report import before_after, format_before_after

    table = before_after(before, plan, sheet)
    if as_json:
        data = {
            "file": str(file), "seed": plan.results.seed, "method": plan.method, "meets_target": plan.meets_target,
            "before_after": {c: {k: v for k, v in table[c].items()} for c in table.columns},
            "plans": {r: {"shifts": p.headcount, "paid_hours": p.paid_hours, "gap": p.gap,
                          "staffing": p.to_staffing().model_dump(mode="json")} for r, p in plan.plans.items()},
            "misses": plan.misses.to_dict(orient="records"),
        }
        print(json.dumps(data, indent=2, default=_json_default))
        return
    consoles.out.print(f"{bp.name}: {plan.method}, seed {plan.results.seed}, {len(plan.rounds)} round(s) of simulation", markup=False)
    consoles.out.print(_table("Before and after (simulated means)", format_before_after(table), list(table.columns),
                              {c: "{}" for c in table.columns}))
    for role, shift_plan in plan.plans.items():
        consoles.out.print(f"{role}: {shift_plan.summary()}", markup=False)
    if plan.meets_target:
        consoles.out.print("The new plan meets the target in every interval.", markup=False)
        return
    n_missed = len(plan.misses.drop_duplicates(["role", "interval"]))
    consoles.out.print(f"{n_missed} interval(s) still miss the target after {len(plan.rounds)} rounds:", markup=False)
    for _, m in plan.misses.head(10).iterrows():
        consoles.out.print(f"  {m['role']} interval {m['interval']}: {m['figure']} {m['simulated']:.3g} (target {m['target']:.3g})",
                           markup=False)


def _write_plan_files(before: Results, plan: StaffingPlan, sheet: StaffingPlan | None, *, output: Path | None,
                      report: Path | None, diagram: Path | None, force: bool) -> None:
    """The staffed blueprint, the diagram of its fail points and the HTML report, each where asked."""
    from blueprint.files import save, write_atomically
    from blueprint.render import GraphvizNotFound
    from simulate.staffing.report import html_report

    try:
        if output is not None:
            save(plan.blueprint, output, overwrite=force)
            consoles.out.print(f"wrote {output}", markup=False)
        fail_after = plan.results.fail_points(what_if=0) if (diagram is not None or report is not None) else None
        if diagram is not None and fail_after is not None:
            fail_after.render(subtitle="With the new shift plan: fail points found by simulation").save(diagram)
            consoles.out.print(f"wrote {diagram}", markup=False)
        if report is not None:
            text = html_report(before, plan, fail_before=before.fail_points(what_if=2), fail_after=fail_after, spreadsheet=sheet)
            write_atomically(report, text.encode("utf-8"), overwrite=force)
            consoles.out.print(f"wrote {report}", markup=False)
    except GraphvizNotFound as e:
        fail(str(e))


# -- compare ------------------------------------------------------------------------------------------


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
    from simulate.scenarios import ScenarioError, load_scenarios
    from simulate.scenarios import compare as run_comparison

    for out in (output, chart):
        if out is not None:
            _new_output(out, [file, scenarios], force)
    _check_suffix(output, (".json", ".parquet"), ".json or .parquet")
    _check_suffix(chart, (".png", ".svg", ".pdf"), ".png, .svg or .pdf")
    bp = load_or_exit(file)
    try:
        result = run_comparison(bp, load_scenarios(scenarios), baseline=baseline, replications=replications, days=days,
                                seed=seed, executor="serial" if serial else None, progress=None if not as_json else False)
    except ScenarioError as e:
        for name, p in e.items:
            consoles.err.print(f"error: scenario {name!r}: {p}", markup=False)
        raise typer.Exit(2) from None
    except BlueprintError as e:
        raise _exit_with_problems(e) from None
    except ValueError as e:
        fail(str(e))
    if as_json:
        figs = result.figures().reset_index()
        diffs = result.differences().reset_index()
        print(json.dumps({"file": str(file), "scenarios": str(scenarios), "seed": result.seed, "baseline": result.baseline,
                          "figures": figs.to_dict(orient="records"), "differences": diffs.to_dict(orient="records")},
                         indent=2, default=_json_default))
    else:
        consoles.out.print(repr(result), markup=False)
        consoles.out.print(_comparison_table(result, every_figure))
    if output is not None:
        result.save(output)
        consoles.out.print(f"wrote {output}", markup=False)
    if chart is not None:
        _save_chart(result, chart)


def _comparison_table(result: Comparison, every_figure: bool) -> Table:
    """The mean of each headline figure per scenario, with its paired difference from the baseline."""
    figs: dict[Any, dict[Any, Any]] = result.figures().to_dict("index")
    diffs: dict[Any, dict[Any, Any]] = result.differences().to_dict("index")
    cols = [c for c in result.headline() if any((n, c) in figs for n in result.names)]
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
            if (n, c) not in figs:
                cells.append("")
                continue
            share = any(k in c for k in ("service level", "abandonment", "occupancy"))
            m = figs[(n, c)]["mean"]
            text = f"{100 * m:.1f}%" if share else _number(m)
            if n != result.baseline and (n, c) in diffs:
                d = diffs[(n, c)]["difference"]
                change = f"{100 * d:+.1f} pp" if share else ("0" if d == 0 else f"{'+' if d > 0 else ''}{_number(d)}")
                text += f" ({change}{'' if diffs[(n, c)]['significant'] else ' ~'})"
            cells.append(text)
        table.add_row(n + (" (baseline)" if n == result.baseline else ""), *cells)
    return table


def _save_chart(result: Comparison, chart: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = result.plot_service_level().figure
    assert isinstance(figure, Figure)  # the plot made its own figure
    figure.savefig(chart, bbox_inches="tight", dpi=130)
    consoles.out.print(f"wrote {chart}", markup=False)


def _shift_templates_schema() -> dict[str, Any]:
    from simulate.staffing.shifts.templates import templates_json_schema

    return templates_json_schema()


def _scenarios_schema() -> dict[str, Any]:
    from simulate.scenarios.files import scenarios_json_schema

    return scenarios_json_schema()


register_schema("shifts", _shift_templates_schema)  # blueprint schema --kind shifts
register_schema("scenarios", _scenarios_schema)


def main() -> None:
    """Entry point of the installed ``blueprint`` command: the commands of :mod:`blueprint.cli` and these three."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
