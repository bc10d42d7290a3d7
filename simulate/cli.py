"""``blueprint simulate``, ``blueprint staff`` and ``blueprint compare``: the commands that run the simulator.

They are added to the ``blueprint`` command of :mod:`blueprint.cli` (the base
package knows nothing of them); the installed ``blueprint`` command runs
:func:`main` here, so all seven commands are one command line. The simulator
is imported inside each command, so ``blueprint --help`` stays quick.

For scripts, ``--json`` prints strict JSON and ``--csv`` the command's table
as CSV, both with machine keys: figures as snake_case names (``service_level``,
``paid_hours``, ``time_in_system_mean``), roles and scenarios as values or as
nested keys, never inside a label. The README's "Command line" section lists
the keys; :func:`figure_key` maps a table's labels to them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import typer
from rich.table import Table

from blueprint.cli import (
    EXIT_FAILED,
    EXIT_INVALID,
    app,
    check_output,
    consoles,
    exit_with_problems,
    fail,
    load_or_exit,
    print_csv,
    print_json,
    run,
)
from blueprint.errors import BlueprintError
from blueprint.model import Blueprint
from blueprint.numbers import Kind, difference, figure_kind
from blueprint.numbers import fmt as write_number
from blueprint.schema import register_schema

if TYPE_CHECKING:
    import pandas as pd

    from simulate.failpoints import FailPoints
    from simulate.results import Results
    from simulate.scenarios import Comparison
    from simulate.staffing import Requirements, ShiftTemplates, StaffingPlan
    from simulate.staffing.requirements import Method
    from simulate.staffing.shifts.program import Objective

__all__ = ["FIGURE_KEYS", "app", "compare", "figure_key", "main", "simulate", "staff"]

DIAGRAMS = (".svg", ".png", ".pdf")
BLUEPRINTS = (".yaml", ".yml", ".json")

FIGURE_KEYS: dict[str, str] = {
    "arrivals": "arrivals",
    "completed": "completed",
    "abandoned": "abandoned",
    "abandonment": "abandonment",
    "in system at the end": "in_system",
    "throughput per hour": "throughput_per_hour",
    "time in system (s)": "time_in_system_mean",
    "wait the customer sees (s)": "visible_wait_mean",
    "transfers per journey": "transfers_mean",
    "service level": "service_level",
    "ASA (s)": "asa",
    "occupancy": "occupancy",
    "staff hours paid": "paid_hours",
    "staff cost": "cost",
    "experience loss per customer": "experience_loss_per_customer",
    "intervals below target": "intervals_below_target",
    "hours below target": "hours_below_target",
    "days below target": "days_below_target",
    "weeks below target": "weeks_below_target",
    "intervals clearly below target": "intervals_clearly_below_target",
    "hours clearly below target": "hours_clearly_below_target",
    "days clearly below target": "days_clearly_below_target",
    "weeks clearly below target": "weeks_clearly_below_target",
}
"""The machine key of each label the tables of comparisons and plans use (``"<role>: "`` taken off first); the
same names as the columns of :meth:`Results.journeys` and :meth:`Results.staff`."""


def figure_key(label: str, roles: Iterable[str]) -> tuple[str | None, str]:
    """``(role or None, key)`` for a figure's label: ``"first_line: ASA (s)"`` -> ``("first_line", "asa")``.

    A label not in :data:`FIGURE_KEYS` becomes snake_case, so a new figure still gets a machine key.

    >>> figure_key("first_line: service level", ["first_line"]), figure_key("staff cost", [])
    (('first_line', 'service_level'), (None, 'cost'))
    """
    role: str | None = None
    head, sep, rest = label.partition(": ")
    if sep and head in set(roles):
        role, label = head, rest
    key = FIGURE_KEYS.get(label) or re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return role, key


def _stat(mean: Any, low: Any, high: Any) -> dict[str, Any]:
    return {"mean": mean, "ci_low": low, "ci_high": high}


def _wide_row(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row of a wide table (``x``, ``x_ci_low``, ``x_ci_high``) as ``{x: {mean, ci_low, ci_high}}``; columns
    without an interval keep their value."""
    out: dict[str, Any] = {}
    for column, v in row.items():
        c = str(column)
        if c.endswith(("_ci_low", "_ci_high")):
            continue
        out[c] = _stat(v, row[f"{c}_ci_low"], row[f"{c}_ci_high"]) if f"{c}_ci_low" in row else v
    return out


def _grouped(entries: Iterable[tuple[str | None, str, Any]], steps: Iterable[tuple[str, str, Any]] = ()) -> dict[str, Any]:
    """``{"figures": {key: value}, "roles": {role: {key: value}}}`` from ``(role or None, key, value)``, and
    ``"steps": {step: {key: value}}`` from ``steps`` where there are any."""
    out: dict[str, Any] = {"figures": {}, "roles": {}}
    for role, key, value in entries:
        if role is None:
            out["figures"][key] = value
        else:
            out["roles"].setdefault(role, {})[key] = value
    for step, key, value in steps:
        out.setdefault("steps", {}).setdefault(step, {})[key] = value
    return out


def _number(v: object, kind: Kind = "number") -> str:
    """A figure for a table, written by :mod:`blueprint.numbers` (what float() refuses is printed as text)."""
    try:
        x = float(v)  # type: ignore[arg-type]  # anything a table holds
    except (TypeError, ValueError):
        return str(v)
    return write_number(x, kind)


def _table(title: str, frame: pd.DataFrame, formats: dict[str, str] | None = None,
           row_kind: Callable[[str], Kind] | None = None) -> Table:
    """A rich table of ``frame`` (its index first), figures formatted for reading; ``row_kind`` says how
    each row's figures are written (a share as a percentage, a cost as money, ...)."""
    table = Table(title=title, title_justify="left")
    table.add_column(str(frame.index.name or ""), justify="left")
    for c in frame.columns:
        table.add_column(str(c), justify="right")
    for idx, row in frame.iterrows():
        cells = []
        for c in frame.columns:
            v = row[c]
            if v is None or (isinstance(v, float) and v != v):
                cells.append("")
            elif formats and c in formats:
                cells.append(formats[c].format(v))
            else:
                cells.append(_number(v, row_kind(str(idx)) if row_kind else "number"))
        table.add_row(str(idx), *cells)
    return table


def _load_valid_or_exit(file: Path, *, errors_only: bool = False) -> Blueprint:
    """Load a blueprint and check it; print its errors and exit 1 when it has any, or when no customers arrive
    (nothing to simulate; said where its arrivals are). ``errors_only``: leave the errors to the caller."""
    import dataclasses

    bp = load_or_exit(file)
    report = bp.validate()
    if not report.ok and not errors_only:
        for p in report.errors:
            consoles.err.print(f"error: {p}", markup=False)
        raise typer.Exit(1)
    if not bp.arrivals:
        where = next((p for p in report.problems if p.code == "no-arrivals"), None)
        message = "the blueprint has no arrivals: nothing to simulate (add arrivals: customers entering at a step)"
        shown = (dataclasses.replace(where, severity="error", message=message) if where is not None
                 else f"{file}: arrivals: {message}")
        consoles.err.print(f"error: {shown}", markup=False)
        raise typer.Exit(1)
    return bp


def _as_options(message: str) -> str:
    """A run's message in the command line's words: ``warmup must be ...`` names ``--warmup``.

    >>> _as_options("warmup must be at least 0 and shorter than the 1 simulated day(s)")
    '--warmup must be at least 0 and shorter than the 1 simulated day(s)'
    """
    for name in ("warmup", "days", "interval"):
        if message.startswith(f"{name} must "):
            return "--" + message
    return message


MAX_CUSTOMERS_HELP = ("refuse a simulation implying more customers than this, over all replications, before it starts "
                      "(default 5,000,000, or BLUEPRINT_MAX_CUSTOMERS)")


def _limit_customers(ctx: typer.Context, max_customers: int | None) -> None:
    """``--max-customers``: the limit for every simulation the command runs, until it ends."""
    if max_customers is None:
        return
    if max_customers < 1:
        fail(f"--max-customers must be at least 1, got {max_customers}")
    from blueprint.limits import limits_set

    limit = limits_set(max_customers=max_customers)
    limit.__enter__()
    ctx.call_on_close(lambda: limit.__exit__(None, None, None))


def _one_format(as_json: bool, as_csv: bool) -> None:
    if as_json and as_csv:
        fail("choose --json or --csv, not both")


# -- simulate -----------------------------------------------------------------------------------------


def simulation_figures(results: Results) -> dict[str, Any]:
    """The figures of a run with machine keys: ``{"figures": {...}, "roles": {role: {...}}}``; each figure a
    ``{"mean", "ci_low", "ci_high"}`` (the journeys' figures of :meth:`Results.journeys`, the staff cost as
    ``cost``; per role the columns of :meth:`Results.staff`)."""
    journeys = results.journeys()
    entries: list[tuple[str | None, str, Any]] = [
        (None, str(k), _stat(r["mean"], r["ci_low"], r["ci_high"])) for k, r in journeys.iterrows()
    ]
    cost = results.summary().loc["staff cost"]
    entries.append((None, "cost", _stat(cost["mean"], cost["ci_low"], cost["ci_high"])))
    for role, row in results.staff().iterrows():
        entries += [(str(role), key, value) for key, value in _wide_row(row.to_dict()).items()]
    return _grouped(entries)


FAIL_POINT_KEYS = ("kind", "step", "role", "window", "start", "end", "severity", "affected_per_day", "measure", "value",
                   "ci_low", "ci_high", "declared", "status", "finding", "what_if", "experience_loss")


def _fail_point_records(found: FailPoints, top: int) -> list[dict[str, Any]]:
    return [{"rank": int(rank), **{k: r[k] for k in FAIL_POINT_KEYS if k in r}} for rank, r in found.head(top).iterrows()]


EXPERIENCE_FIGURES = ("visits", "met", "gap", "loss", "loss_per_customer", "loss_share")


def _experience_records(results: Results) -> list[dict[str, Any]]:
    """Per step and segment with a wait point, its experience figures with machine keys (``{"mean", "ci_low",
    "ci_high"}`` each), most loss first."""
    table = results.experience()
    out = []
    for key, row in table.iterrows():
        step, segment = cast("tuple[str, str]", key)
        out.append({"step": step, "segment": segment,
                    **{f: _stat(row[f], row[f"{f}_ci_low"], row[f"{f}_ci_high"]) for f in EXPERIENCE_FIGURES}})
    return out


def _print_simulation(file: Path, bp: Blueprint, results: Results, found: FailPoints | None, top: int, fmt: str,
                      experience: bool = False) -> None:
    """The figures (and fail points, and with ``experience`` the experience of the waits): as JSON, as CSV or as a
    table and sentences."""
    if fmt == "json":
        data = {"file": str(file), "seed": results.seed, "days": results.days, "replications": len(results.replications),
                "warmup_seconds": results.warmup, "notes": results.notes(), **simulation_figures(results)}
        if found is not None:
            data["fail_points"] = _fail_point_records(found, top)
        if experience:
            data["experience"] = _experience_records(results)
        print_json(data)
        return
    if fmt == "csv":
        grouped = simulation_figures(results)
        rows = [{"figure": k, "role": None, **v} for k, v in grouped["figures"].items()]
        rows += [{"figure": k, "role": role, **v} for role, figs in grouped["roles"].items()
                 for k, v in figs.items() if isinstance(v, dict)]
        if experience:  # the step (and segment) in the role column: "step@segment"
            rows += [{"figure": f"experience {f}", "role": f"{r['step']}@{r['segment']}", **r[f]}
                     for r in _experience_records(results) for f in EXPERIENCE_FIGURES]
        print_csv(rows, ["figure", "role", "mean", "ci_low", "ci_high"])
        return
    consoles.out.print(
        f"{bp.name}: {results.days:g} day(s) × {len(results.replications)} replications, seed {results.seed}; "
        "mean and 95% interval", markup=False,
    )
    consoles.out.print(_table("", results.summary(), row_kind=figure_kind))
    for note in results.notes():
        consoles.out.print(f"Note: {note}", markup=False)
    if found is not None and top > 0:
        biting = found[found["status"] != "harmless"]
        if len(biting) == 0:
            consoles.out.print("No fail points found.", markup=False)
        else:
            consoles.out.print(f"\nFail points, most severe first ({min(top, len(found))} of {len(found)}):", markup=False)
            for line in found.sentences(top=top):
                consoles.out.print(line, markup=False)
    if experience:
        _print_experience(results)


def _print_experience(results: Results) -> None:
    import pandas as pd

    table = results.experience()
    if not len(table):
        consoles.out.print("\nNo step has a wait point: no experience to report.", markup=False)
        return
    shown = pd.DataFrame(index=[f"{s} ({g})" if g != "all" else s for s, g in table.index])
    shown.index.name = "step"
    shown["visits a day"] = [f"{v:,.0f}" for v in table["visits"]]
    shown["felt within tolerance"] = [f"{v:.1%} ({lo:.1%}–{hi:.1%})" for v, lo, hi in
                                      zip(table["met"], table["met_ci_low"], table["met_ci_high"], strict=True)]
    shown["mean gap"] = [f"{v:+.2f}" for v in table["gap"]]
    shown["loss per customer"] = [f"{v:.3f}" for v in table["loss_per_customer"]]
    shown["share of the loss"] = [f"{v:.0%} ({lo:.0%}–{hi:.0%})" for v, lo, hi in
                                  zip(table["loss_share"], table["loss_share_ci_low"], table["loss_share_ci_high"], strict=True)]
    consoles.out.print("\nExperience of the waits against their tolerances (perceived-wait model; gaps in tolerances), "
                       "most loss first:", markup=False)
    consoles.out.print(_table("", shown, dict.fromkeys(shown.columns, "{}")))


@app.command()
def simulate(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="a blueprint file"),
    days: float = typer.Option(1.0, "--days", help="days to simulate (time 0 is Monday 00:00)"),
    replications: int = typer.Option(10, "--replications", "-r", min=1, help="independent runs, for the 95% intervals"),
    seed: int | None = typer.Option(None, "--seed", min=0, help="seed for repeatable results (one is drawn and printed if left out)"),
    warmup: str = typer.Option("0 s", "--warmup", help="time simulated but left out of the figures, e.g. '2 h'"),
    top: int = typer.Option(5, "--top", min=0, help="how many fail points to print (0: none)"),
    what_if: int = typer.Option(2, "--what-if", min=0, help="fail points that get a one-more-member simulation"),
    diagram: Path | None = typer.Option(None, "--diagram", help="write the blueprint with its fail points (.svg, .png, .pdf)"),
    events: Path | None = typer.Option(None, "--events", help="write the event log (.csv, .parquet or .xes)"),
    as_json: bool = typer.Option(False, "--json", help="print the figures and fail points as JSON"),
    as_csv: bool = typer.Option(False, "--csv", help="print the figures as CSV (figure, role, mean, ci_low, ci_high)"),
    experience: bool = typer.Option(False, "--experience", help="also how the waits felt against their wait points' "
                                    "tolerances, per step and segment (share met, gap, loss)"),
    force: bool = typer.Option(False, "--force", help="replace output files that exist (never an input)"),
    max_customers: int | None = typer.Option(None, "--max-customers", help=MAX_CUSTOMERS_HELP),
) -> None:
    """Simulate a blueprint: key figures with 95% intervals, then its fail points, most severe first.

    Example:

        blueprint simulate examples/contact_center.yaml --days 1 -r 10 --seed 2026 --diagram fail_points.svg
    """
    from blueprint.diagram.route import TooDenseToDraw
    from blueprint.render import GraphvizNotFound
    from simulate.run import run as run_simulation

    _one_format(as_json, as_csv)
    _limit_customers(ctx, max_customers)
    check_output(diagram, DIAGRAMS, inputs=[file], force=force)
    check_output(events, (".csv", ".parquet", ".xes"), inputs=[file], force=force)
    bp = _load_valid_or_exit(file)
    try:
        results = run_simulation(bp, days=days, replications=replications, seed=seed, warmup=warmup,
                                 record_events=events is not None)
    except ValueError as e:
        fail(_as_options(str(e)))
    found = results.fail_points(what_if=what_if) if (top > 0 or diagram is not None) else None
    _print_simulation(file, bp, results, found if top > 0 else None, top, "json" if as_json else "csv" if as_csv else "table",
                      experience)
    try:
        if diagram is not None and found is not None:
            found.render().save(diagram)
            _wrote(diagram, as_json or as_csv)
        if events is not None:
            results.save_events(events)
            _wrote(events, as_json or as_csv)
    except GraphvizNotFound as e:
        fail(str(e), EXIT_FAILED)
    except TooDenseToDraw as e:
        fail(f"{file}: cannot draw the fail points: {e}")
    except OSError as e:
        fail(f"cannot write {e.filename or 'an output'}: {e.strerror or e}", EXIT_FAILED)


def _wrote(path: Path, quiet: bool) -> None:
    """Say a file was written: on stdout after a table, on stderr after JSON or CSV (which stay parseable)."""
    (consoles.err if quiet else consoles.out).print(f"wrote {path}", markup=False)


# -- staff --------------------------------------------------------------------------------------------


def _check_plan_options(objective: str, level: str, after_hours: str, margin: float, min_volume: float) -> None:
    """``staff``'s options for the shift plan, refused with their option names before any work."""
    from typing import get_args

    from simulate.staffing.pooled import Level
    from simulate.staffing.shifts.program import OBJECTIVES
    from simulate.staffing.verify import AFTER_HOURS

    if objective not in OBJECTIVES:
        fail(f"--objective {objective!r}: use one of {', '.join(OBJECTIVES)}")
    if level not in get_args(Level):
        fail(f"--level {level!r}: use one of {', '.join(get_args(Level))}")
    if after_hours not in AFTER_HOURS:
        fail(f"--after-hours {after_hours!r}: use one of {', '.join(AFTER_HOURS)}")
    if not 0 <= margin < 1:
        fail(f"--margin {margin!r}: a share from 0 to below 1 (0.01 is one point)")
    if not (math.isfinite(min_volume) and min_volume >= 0):
        fail(f"--min-volume {min_volume!r}: a number of calls per replication, at least 0")


def _check_plan_needs(templates: Path | None, writes: dict[str, Path | None], replications: int, max_replications: int) -> None:
    """``staff``'s outputs of a shift plan need ``--templates``; the plan's search needs room for its first round."""
    if templates is None and (given := [n for n, v in writes.items() if v]):
        fail(f"{', '.join(given)}: {'these write' if len(given) > 1 else 'it writes'} the shift plan, which needs "
             "--templates (shift templates); without them staff prints the requirements only")
    if templates is not None and max_replications < 4 * replications:
        fail(f"--max-replications {max_replications}: the plan's search starts with 4 × --replications = "
             f"{4 * replications} replications and only adds more; give at least {4 * replications} (or fewer --replications)")


@app.command()
def staff(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="a blueprint file"),
    templates: Path | None = typer.Option(None, "--templates", "-t", help="shift templates (YAML), per role or for all roles"),
    method: str = typer.Option("lag-sipp", "--method", help="requirements: sipp, lag-sipp or simulation"),
    objective: str = typer.Option("paid_hours", "--objective", help="what the shift plan minimises: paid_hours, headcount or cost"),
    days: float = typer.Option(1.0, "--days", help="days to simulate"),
    replications: int = typer.Option(10, "--replications", "-r", min=1, help="replications of each simulation (the plan's search starts with 4x as many and adds more where a period is undecided)"),
    max_replications: int = typer.Option(320, "--max-replications", min=1, help="the plan's search adds replications up to this cap (doubling) while a period is too close to call"),
    seed: int | None = typer.Option(None, "--seed", min=0, help="seed for repeatable results"),
    shrinkage: float = typer.Option(0.0, "--shrinkage", help="share of paid time staff are unavailable (0 to <1)"),
    level: str = typer.Option("interval", "--level", help="the period the target holds in: interval, hour, day or week"),
    min_volume: float = typer.Option(1.0, "--min-volume", help="calls per replication below which a period is judged with its neighbours"),
    margin: float = typer.Option(0.01, "--margin", help="safety margin (a share) a period keeps when the plan gives staff back"),
    after_hours: str = typer.Option("judge", "--after-hours", help="calls after closing: judge (with the day's last period) or exclude (report apart)"),
    keep: list[str] = typer.Option([], "--keep", help="a role (or staff group) the plan leaves at its declared staffing, such as equipment; repeat for more"),
    spreadsheet: bool = typer.Option(False, "--spreadsheet", help="also plan by Erlang C per interval, for comparison"),
    output: Path | None = typer.Option(None, "--output", "-o", help="write the blueprint with the new shifts (.yaml or .json)"),
    report: Path | None = typer.Option(None, "--report", help="write a short HTML report (.html: before/after, fail points, charts)"),
    diagram: Path | None = typer.Option(None, "--diagram", help="write the new plan's fail points on the diagram (.svg/.png/.pdf)"),
    as_json: bool = typer.Option(False, "--json", help="print the results as JSON"),
    as_csv: bool = typer.Option(False, "--csv", help="print the requirements, or the before/after table, as CSV"),
    force: bool = typer.Option(False, "--force", help="replace output files that exist (never an input)"),
    max_customers: int | None = typer.Option(None, "--max-customers", help=MAX_CUSTOMERS_HELP),
) -> None:
    """Find the staff each role needs per interval and, with --templates, the cheapest shift plan
    that meets the target in simulation; print it against today's staffing.

    Example:

        blueprint staff examples/contact_center.yaml -t examples/contact_center.shifts.yaml --seed 1 -o staffed.yaml
    """
    import simulate as sim
    from simulate.staffing import InfeasibleShiftsError

    _one_format(as_json, as_csv)
    _limit_customers(ctx, max_customers)
    _check_plan_options(objective, level, after_hours, margin, min_volume)  # also without --templates: no typo passes
    _check_plan_needs(templates, {"--output": output, "--report": report, "--diagram": diagram}, replications,
                      max_replications)
    fmt = "json" if as_json else "csv" if as_csv else "table"
    inputs = [file] + ([templates] if templates else [])
    check_output(output, BLUEPRINTS, inputs=inputs, force=force)
    check_output(report, (".html", ".htm"), inputs=inputs, force=force)
    check_output(diagram, DIAGRAMS, inputs=inputs, force=force)
    bp = _load_valid_or_exit(file)
    role_templates = _load_templates_or_exit(templates) if templates is not None else None
    # The names are checked where they are used: requirements() and the shift planner refuse others.
    method_name, objective_name = cast("Method", method), cast("Objective", objective)
    try:
        req = sim.requirements(bp, method=method_name, days=days, shrinkage=shrinkage, replications=replications, seed=seed)
        if role_templates is None:  # the requirements alone: a kept role needs none
            from simulate.staffing.optimize import without_kept

            _print_requirements(without_kept(req, keep), fmt)
            _note_no_customers(req, days, fmt)
            return
        plan = sim.optimize_staffing(bp, templates=role_templates, method=method_name, objective=objective_name, days=days,
                                     replications=4 * replications, max_replications=max_replications,
                                     seed=seed if seed is not None else req.settings.get("seed"), shrinkage=shrinkage,
                                     level=level, min_volume=min_volume, margin=margin, after_hours=after_hours,
                                     keep=keep)
        held = plan.verification
        assert held is not None  # optimize_staffing verifies by default
        sheet = (sim.spreadsheet_staffing(bp, templates=role_templates, objective=objective_name, days=days,
                                          replications=replications, seed=plan.seed, shrinkage=shrinkage, keep=keep)
                 if spreadsheet else None)
        if sheet is not None:  # measured on the same held-out customers as the new plan
            sheet.verify(seed=held.seed, replications=held.replications, max_replications=held.replications)
        before = sim.run(bp, days=days, replications=held.replications, seed=held.seed)
    except BlueprintError as e:  # shift templates that do not fit the blueprint (an unknown role): located, exit 1
        exit_with_problems(e)
    except InfeasibleShiftsError as e:  # templates that cannot cover the requirement: they cannot apply, exit 1
        fail(f"{templates}: {e}", EXIT_INVALID)
    except ValueError as e:
        fail(_as_options(str(e)))
    except TimeoutError as e:
        fail(str(e), EXIT_FAILED)
    _print_plan(file, bp, before, plan, sheet, fmt)
    _write_plan_files(before, plan, sheet, output=output, report=report, diagram=diagram, force=force, quiet=fmt != "table")


def _load_templates_or_exit(templates: Path) -> dict[str, ShiftTemplates]:
    """The shift templates of each role, or their problems printed and exit (2 unreadable, 1 invalid)."""
    from simulate.staffing import load_role_templates

    try:
        return load_role_templates(templates)
    except BlueprintError as e:
        exit_with_problems(e)


REQUIREMENT_COLUMNS = ["role", "interval", "start", "time", "arrival_rate", "handle_time", "load", "required", "scheduled"]


def _note_no_customers(req: Requirements, days: float, fmt: str) -> None:
    """Under the requirement tables, a note when no customer arrives in the horizon (they are all zero)."""
    if fmt == "table" and len(req) and not (req["arrival_rate"] > 0).any():
        from simulate.clock import run_window

        consoles.out.print(f"Note: no customer arrives in the {days:g}-day horizon{run_window(days)}, so no staff are "
                           "required; the blueprint's arrivals come at other hours or on other days (--days 1 or more).",
                           markup=False)


def _print_requirements(req: Requirements, fmt: str) -> None:
    """The staff each role needs per interval: as JSON, CSV or a table per role (its busy intervals)."""
    if fmt != "table":
        flat = req.reset_index()
        records = flat[[c for c in REQUIREMENT_COLUMNS if c in flat.columns]].to_dict(orient="records")
        if fmt == "json":
            print_json({"method": req.settings["method"], "interval_seconds": req.settings["interval"], "requirements": records})
        else:
            print_csv(records, [c for c in REQUIREMENT_COLUMNS if c in flat.columns])
        return
    import pandas as pd

    from simulate.clock import interval_labels

    for role in dict.fromkeys(req.index.get_level_values("role")):
        part = req.xs(role, level="role")
        span = float(part["start"].max() + req.settings["interval"])  # a day's labels read 08:15, a week's Mon 08:15
        labels = pd.Series(interval_labels(part["start"], span=86_400.0 if span <= 86_400 else span), index=part.index)
        busy = part[part["load"] > 0]
        over = "the day" if span <= 86_400 else f"{span / 86_400:g} days"
        consoles.out.print(f"{role}: peak {int(part['scheduled'].max())} staff at {labels[part['scheduled'].idxmax()]}; "
                           f"{part['scheduled'].sum() * req.settings['interval'] / 3600:,.1f} staff hours over {over} "
                           f"({req.settings['method']})", markup=False)
        show = busy[["arrival_rate", "handle_time", "load", "required", "scheduled"]].copy()
        show.index = pd.Index(labels[busy.index], name="time")
        consoles.out.print(_table("", show, {"required": "{:.0f}", "scheduled": "{:.0f}"}))


def _staffing_key(column: str) -> str:
    """``"new plan"`` -> ``"new_plan"``: the before/after table's staffings as machine keys."""
    return re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")


def _before_after_entries(table: pd.DataFrame, roles: list[str]) -> dict[str, list[tuple[str | None, str, Any]]]:
    """Per staffing (machine key), ``(role or None, figure key, {"mean", "ci_low", "ci_high"})`` for each row of
    :func:`~simulate.staffing.report.before_after` (a wide table: ``x``, ``x_ci_low``, ``x_ci_high`` per staffing)."""
    out: dict[str, list[tuple[str | None, str, Any]]] = {}
    for c in table.columns:
        k = str(c)
        if k.endswith(("_ci_low", "_ci_high")):
            continue
        low: dict[Any, Any] = table[f"{k}_ci_low"].to_dict() if f"{k}_ci_low" in table else {}
        high: dict[Any, Any] = table[f"{k}_ci_high"].to_dict() if f"{k}_ci_high" in table else {}
        out[_staffing_key(k)] = [(*figure_key(str(label), roles), _stat(v, low.get(label), high.get(label)))
                                 for label, v in table[c].items()]
    return out


def plan_json(file: Path, before: Results, plan: StaffingPlan, sheet: StaffingPlan | None) -> dict[str, Any]:
    """What ``staff --json`` prints with templates: the before/after figures per staffing (``before``,
    ``spreadsheet_plan``, ``new_plan``; each ``{"figures", "roles"}`` of ``{"mean", "ci_low", "ci_high"}``), the
    shifts of each role and the intervals that still miss the target."""
    from simulate.staffing.report import before_after

    entries = _before_after_entries(before_after(before, plan, sheet), _named(plan))
    return {
        "file": str(file), "seed": plan.results.seed, "method": plan.method, "meets_target": plan.meets_target,
        "before_after": {k: _grouped(v) for k, v in entries.items()},
        "plans": {r: {"shifts": p.headcount, "paid_hours": p.paid_hours, "gap": p.gap,
                      "staffing": p.to_staffing().model_dump(mode="json")} for r, p in plan.plans.items()},
        "misses": plan.misses.to_dict(orient="records"),
        "notes": plan.notes(),
    }


def _named(plan: StaffingPlan) -> list[str]:
    """The names a before/after figure may start with: roles judged (skills), roles or groups planned, groups kept."""
    return list(dict.fromkeys([*plan.targets, *plan.plans, *plan.kept]))


def _before_after_rows(table: pd.DataFrame, roles: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The before/after table as CSV rows (``figure``, ``role``, then each staffing's mean and interval) and their
    columns."""
    entries = _before_after_entries(table, roles)
    columns = ["figure", "role"] + [f"{k}{end}" for k in entries for end in ("", "_ci_low", "_ci_high")]
    rows: list[dict[str, Any]] = []
    for k, items in entries.items():
        for i, (role, key, stat) in enumerate(items):
            if len(rows) <= i:
                rows.append({"figure": key, "role": role})
            rows[i].update({k: stat["mean"], f"{k}_ci_low": stat["ci_low"], f"{k}_ci_high": stat["ci_high"]})
    return rows, columns


def _print_plan(file: Path, bp: Blueprint, before: Results, plan: StaffingPlan, sheet: StaffingPlan | None, fmt: str) -> None:
    """The plan against today's staffing: as JSON, CSV, or a table with each role's shifts and what still misses."""
    from simulate.staffing.report import before_after, format_before_after

    table = before_after(before, plan, sheet)
    if fmt == "json":
        print_json(plan_json(file, before, plan, sheet))
        return
    if fmt == "csv":
        print_csv(*_before_after_rows(table, _named(plan)))
        return
    consoles.out.print(f"{bp.name}: {plan.method}, seed {plan.seed}, {len(plan.rounds)} round(s) of simulation", markup=False)
    shown = format_before_after(table)
    consoles.out.print(_table("Before and after (simulated means, 95% intervals)", shown, {str(c): "{}" for c in shown.columns}))
    for role, shift_plan in plan.plans.items():
        consoles.out.print(f"{role}: {shift_plan.summary()}", markup=False)
    if plan.verification is not None:
        consoles.out.print(plan.verification.describe(), markup=False)
    for note in plan.notes():
        consoles.out.print(f"Note: {note}", markup=False)
    if plan.meets_target:
        return
    n_missed = len(plan.misses.drop_duplicates(["role", "interval"]))
    consoles.out.print(f"{n_missed} period(s) miss the target clearly on held-out customers:", markup=False)
    for _, m in plan.misses.head(10).iterrows():
        consoles.out.print(f"  {m['role']} {m.get('period', m['interval'])}: {m['figure']} {m['simulated']:.3g} (target {m['target']:.3g})",
                           markup=False)


def _write_plan_files(before: Results, plan: StaffingPlan, sheet: StaffingPlan | None, *, output: Path | None,
                      report: Path | None, diagram: Path | None, force: bool, quiet: bool) -> None:
    """The staffed blueprint, the diagram of its fail points and the HTML report, each where asked."""
    from blueprint.diagram.route import TooDenseToDraw
    from blueprint.files import save, write_atomically
    from blueprint.render import GraphvizNotFound
    from simulate.staffing.report import html_report

    try:
        if output is not None:
            save(plan.blueprint, output, overwrite=force)
            _wrote(output, quiet)
        fail_after = plan.results.fail_points(what_if=0) if (diagram is not None or report is not None) else None
        if diagram is not None and fail_after is not None:
            fail_after.render(subtitle="With the new shift plan: fail points found by simulation").save(diagram)
            _wrote(diagram, quiet)
        if report is not None:
            text = html_report(before, plan, fail_before=before.fail_points(what_if=2), fail_after=fail_after, spreadsheet=sheet)
            write_atomically(report, text.encode("utf-8"), overwrite=force)
            _wrote(report, quiet)
    except GraphvizNotFound as e:
        fail(str(e), EXIT_FAILED)
    except TooDenseToDraw as e:
        fail(f"cannot draw the fail points for {diagram if diagram is not None else report}: {e}")
    except OSError as e:
        fail(f"cannot write {e.filename or 'an output'}: {e.strerror or e}", EXIT_FAILED)


# -- compare ------------------------------------------------------------------------------------------


@app.command()
def compare(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="a blueprint file"),
    scenarios: Path = typer.Argument(..., help="a scenarios file (YAML) next to the blueprint"),
    days: float = typer.Option(1.0, "--days", help="days to simulate"),
    replications: int = typer.Option(10, "--replications", "-r", min=1, help="replications per scenario"),
    seed: int | None = typer.Option(None, "--seed", min=0, help="seed shared by every scenario (common random numbers)"),
    baseline: str = typer.Option("baseline", "--baseline", help="the scenario the others are measured against"),
    serial: bool = typer.Option(False, "--serial", help="run in this process instead of a process pool"),
    output: Path | None = typer.Option(None, "--output", "-o", help="save the comparison (.json or .parquet) to load later"),
    chart: Path | None = typer.Option(None, "--chart", help="write the service level by interval per scenario (.png/.svg/.pdf)"),
    every_figure: bool = typer.Option(False, "--all", help="show every key figure (ASA, occupancy, staff hours too)"),
    as_json: bool = typer.Option(False, "--json", help="print the figures and differences as JSON"),
    as_csv: bool = typer.Option(False, "--csv", help="print every figure per scenario, with its difference, as CSV"),
    force: bool = typer.Option(False, "--force", help="replace output files that exist (never an input)"),
    max_customers: int | None = typer.Option(None, "--max-customers", help=MAX_CUSTOMERS_HELP),
) -> None:
    """Run scenarios of a blueprint on the same customers and compare them with the baseline.

    Every figure is a mean with its 95% interval; differences from the baseline are paired
    (same seed) and marked where not significant.

    Example:

        blueprint compare examples/contact_center.yaml examples/contact_center.scenarios.yaml -r 10 --seed 1
    """
    from simulate.scenarios import ScenarioError, load_scenarios
    from simulate.scenarios import compare as run_comparison

    _one_format(as_json, as_csv)
    _limit_customers(ctx, max_customers)
    check_output(output, (".json", ".parquet"), inputs=[file, scenarios], force=force)
    check_output(chart, (".png", ".svg", ".pdf"), inputs=[file, scenarios], force=force)
    bp = _load_valid_or_exit(file, errors_only=True)  # its errors are said by the comparison, with the scenarios'
    try:
        listed = load_scenarios(scenarios, blueprint=bp)  # bp knows its file: scenarios for another are refused
        if not listed:
            fail(f"{scenarios}: no scenarios in it, so nothing to compare the blueprint with; add one under scenarios:")
        result = run_comparison(bp, listed, baseline=baseline, replications=replications, days=days,
                                seed=seed, executor="serial" if serial else None)
    except ScenarioError as e:
        for name, p in e.items:
            consoles.err.print(f"error: scenario {name!r}: {p}", markup=False)
        raise typer.Exit(1) from None
    except BlueprintError as e:
        exit_with_problems(e)
    except ValueError as e:
        fail(_as_options(str(e)))
    if as_json:
        print_json(comparison_json(file, scenarios, result))
    elif as_csv:
        print_csv(comparison_rows(result), ["scenario", "figure", "role", "step", "mean", "ci_low", "ci_high", "difference",
                                            "difference_ci_low", "difference_ci_high", "significant"])
    else:
        consoles.out.print(repr(result), markup=False)
        consoles.out.print(_comparison_table(result, every_figure))
        for note in result.notes():
            consoles.out.print(f"Note: {note[0].upper()}{note[1:]}", markup=False)
    try:
        if output is not None:
            result.save(output)
            _wrote(output, as_json or as_csv)
        if chart is not None:
            _save_chart(result, chart, force)
            _wrote(chart, as_json or as_csv)
    except OSError as e:
        fail(f"cannot write {e.filename or 'an output'}: {e.strerror or e}", EXIT_FAILED)


#: The figure of a comparison that belongs to a step with a wait point (``"<step>: experience loss per customer"``).
EXPERIENCE_FIGURE = "experience loss per customer"


def comparison_rows(result: Comparison) -> list[dict[str, Any]]:
    """One row per scenario and figure with machine keys: ``scenario``, ``figure``, ``role`` (None for whole-service
    figures), ``step`` (the step of a step's figure, else None), ``mean``, ``ci_low``, ``ci_high`` and, except for the baseline, the paired ``difference`` from the
    baseline with its interval (``difference_ci_low``, ``difference_ci_high``) and ``significant``."""
    roles = _roles_of(result)
    steps = {s.id for n in result.names for s in result[n].blueprint.steps}
    diffs: dict[Any, dict[Any, Any]] = result.differences().to_dict("index")
    figs: dict[Any, dict[Any, Any]] = result.figures().to_dict("index")
    rows = []
    for (name, label), f in figs.items():
        step, _, rest = str(label).partition(": ")
        if step in steps and rest == EXPERIENCE_FIGURE:  # a step's figure: keyed under its step, not a role
            role, key = None, figure_key(rest, [])[1]
        else:
            step, (role, key) = "", figure_key(str(label), roles)
        row: dict[str, Any] = {"scenario": name, "figure": key, "role": role, "step": step or None, "mean": f["mean"],
                               "ci_low": f["ci_low"], "ci_high": f["ci_high"]}
        d = diffs.get((name, label))
        if d is not None and name != result.baseline:
            row.update(difference=d["difference"], difference_ci_low=d["ci_low"], difference_ci_high=d["ci_high"],
                       significant=bool(d["significant"]))
        rows.append(row)
    return rows


def _roles_of(result: Comparison) -> list[str]:
    from simulate.scenarios.figures import queue_roles

    return list(dict.fromkeys(r for n in result.names for r in queue_roles(result[n].blueprint)))


def comparison_json(file: Path, scenarios: Path, result: Comparison) -> dict[str, Any]:
    """What ``compare --json`` prints: the run's settings, the scenarios in order, and per scenario its figures
    (``{"figures", "roles", "steps"}``, each figure ``{"mean", "ci_low", "ci_high"}``; ``steps`` holds the
    experience loss per customer of each step with a wait point) and, except for the baseline, its
    paired differences (each ``{"difference", "ci_low", "ci_high", "significant"}``), and the comparison's
    ``notes`` (:meth:`Comparison.notes`)."""
    rows = comparison_rows(result)

    def stat(r: dict[str, Any]) -> dict[str, Any]:
        return _stat(r["mean"], r["ci_low"], r["ci_high"])

    def change(r: dict[str, Any]) -> dict[str, Any]:
        return {"difference": r["difference"], "ci_low": r["difference_ci_low"], "ci_high": r["difference_ci_high"],
                "significant": r["significant"]}

    mine = {n: [r for r in rows if r["scenario"] == n] for n in result.names}
    figures = {n: _grouped([(r["role"], r["figure"], stat(r)) for r in mine[n] if not r["step"]],
                           [(r["step"], r["figure"], stat(r)) for r in mine[n] if r["step"]]) for n in result.names}
    differences = {n: _grouped([(r["role"], r["figure"], change(r)) for r in mine[n] if not r["step"] and "difference" in r],
                               [(r["step"], r["figure"], change(r)) for r in mine[n] if r["step"] and "difference" in r])
                   for n in result.names if n != result.baseline}
    return {"file": str(file), "scenarios_file": str(scenarios), "seed": result.seed, "days": result.days,
            "replications": result.replications, "baseline": result.baseline, "scenarios": list(result.names),
            "figures": figures, "differences": differences, "notes": result.notes()}


def _comparison_table(result: Comparison, every_figure: bool) -> Table:
    """The mean of each headline figure per scenario, with its paired difference from the baseline."""
    figs: dict[Any, dict[Any, Any]] = result.figures().to_dict("index")
    diffs: dict[Any, dict[Any, Any]] = result.differences().to_dict("index")
    cols = [c for c in result.headline() if any((n, c) in figs for n in result.names)]
    if not every_figure:
        cols = [c for c in cols if c.endswith("service level") or c in ("abandonment", "time in system (s)", "staff cost")]
    table = Table(title="Mean over the replications; in brackets the paired difference from the baseline "
                        "(pp: percentage points; ~ = not significant at 95%)", title_justify="left")
    table.add_column("scenario", overflow="fold")
    for c in cols:  # a long role name folds onto the next line instead of being cut short
        table.add_column(c.replace(": ", "\n"), justify="right", overflow="fold")
    for n in result.names:
        cells = []
        for c in cols:
            if (n, c) not in figs:
                cells.append("")
                continue
            kind = figure_kind(c)
            text = _number(figs[(n, c)]["mean"], kind)
            if n != result.baseline and (n, c) in diffs:
                change = difference(diffs[(n, c)]["difference"], kind)
                text += f"\n({change}{'' if diffs[(n, c)]['significant'] else ' ~'})"
            cells.append(text)
        table.add_row(n + (" (baseline)" if n == result.baseline else ""), *cells)
    return table


def _save_chart(result: Comparison, chart: Path, force: bool) -> None:
    """The comparison's service level chart as a file, written atomically; drawn without pyplot, so no backend
    is chosen or changed."""
    import io

    from blueprint.files import write_atomically

    buf = io.BytesIO()
    result.plot_service_level().savefig(buf, format=chart.suffix.lower().lstrip("."), bbox_inches="tight", dpi=130)
    write_atomically(chart, buf.getvalue(), overwrite=force)


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
    run(app)


if __name__ == "__main__":  # pragma: no cover
    main()
