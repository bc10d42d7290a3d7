"""Before and after: the current staffing against a new plan, as a table and a short HTML report.

:func:`before_after` puts the figures a planner decides on side by side, each
measured by simulation on the same customers (same seed): service level and
abandonment per role, intervals below target, staff hours paid and their cost.
:func:`html_report` wraps it with the fail points before, the diagrams and the
coverage charts into one self-contained HTML page.

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> before = simulate.run(bp, days=1, replications=5, seed=1)               # doctest: +SKIP
>>> plan = simulate.optimize_staffing(bp, templates="examples/contact_center.shifts.yaml", seed=1)  # doctest: +SKIP
>>> simulate.before_after(before, plan)                                      # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
import math
from typing import TYPE_CHECKING

import pandas as pd

from simulate.staffing.misses import count_intervals
from simulate.staffing.misses import misses as find_misses

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from blueprint import Target
    from simulate.failpoints import FailPoints
    from simulate.results import Results
    from simulate.staffing.optimize import StaffingPlan

__all__ = ["before_after", "format_before_after", "html_report"]


def _column(results: Results, roles: list[str], targets: dict[str, Target], misses: int | None) -> dict[str, float]:
    """One staffing's figures: per role service level, abandonment and hours paid, then intervals below target
    (counted here when ``misses`` is None), hours paid and cost."""
    staff = results.staff()
    out: dict[str, float] = {}
    for r in roles:
        rec = staff.loc[r]
        out[f"{r}: service level"] = rec["service_level"]
        out[f"{r}: abandonment"] = rec["abandonment"]
        out[f"{r}: staff hours paid"] = rec["paid_hours"]
    if misses is None:
        n = len(next(iter(results.replications[0].roles.values())).arrivals)
        misses = count_intervals(find_misses(results, roles, targets, n, "mean"))
    out["intervals below target"] = misses
    out["staff hours paid"] = float(sum(staff.loc[r]["paid_hours"] for r in roles))
    out["staff cost"] = float(staff["cost"].sum())
    return out


def before_after(before: Results, after: StaffingPlan, spreadsheet: StaffingPlan | None = None) -> pd.DataFrame:
    """Figures per staffing, one column each: before (the blueprint's own staffing), the
    spreadsheet plan (when given) and the new plan. Every figure is a simulated mean over the
    replications; service levels and abandonment are shares of the role's calls. A plan's
    cost is its shifts at their templates' cost per hour (see :attr:`StaffingPlan.cost`)."""
    roles = list(after.plans)
    cols = {"before": _column(before, roles, after.targets, None)}
    if spreadsheet is not None:
        cols["spreadsheet plan"] = _column(spreadsheet.results, roles, after.targets, count_intervals(spreadsheet.misses))
        cols["spreadsheet plan"]["staff cost"] = spreadsheet.cost
    cols["new plan"] = _column(after.results, roles, after.targets, count_intervals(after.misses))
    cols["new plan"]["staff cost"] = after.cost  # the shifts at their templates' cost per hour
    df = pd.DataFrame(cols)
    df.index.name = "figure"
    return df


def _fmt(figure: str, v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if "service level" in figure or "abandonment" in figure:
        return f"{100 * v:.1f}%"
    if "cost" in figure:
        return f"{v:,.0f}"
    if "hours" in figure:
        return f"{v:,.1f}"
    return f"{v:,.0f}"


def format_before_after(df: pd.DataFrame) -> pd.DataFrame:
    """The table with its figures as text: percentages, hours, money."""
    return pd.DataFrame({c: [_fmt(str(i), v) for i, v in df[c].items()] for c in df.columns}, index=df.index)


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def html_report(
    before: Results,
    after: StaffingPlan,
    *,
    fail_before: FailPoints | None = None,
    fail_after: FailPoints | None = None,
    spreadsheet: StaffingPlan | None = None,
    title: str | None = None,
) -> str:
    """A short, self-contained HTML page: the before/after table, the fail points before and
    after on the diagram, and each role's coverage against its requirement."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    bp = before.blueprint
    title = title or f"{bp.name}: staffing review"
    table = format_before_after(before_after(before, after, spreadsheet)).to_html(escape=True)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#1a1a1a}"
        "table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}"
        "th:first-child,td:first-child{text-align:left}img,svg{max-width:100%;height:auto}"
        ".muted{color:#666}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='muted'>Simulated {before.days:g} day(s), {len(before.replications)} replications, seed {before.seed}; "
        f"the same customers meet every staffing. New plan: {html.escape(after.method)}, "
        f"{len(after.rounds)} round(s) of simulation.</p>",
        "<h2>Before and after</h2>", table,
    ]
    if fail_before is not None:
        parts += ["<h2>Fail points with today's staffing</h2><ol>"]
        parts += [f"<li>{html.escape(s.split('] ', 1)[-1])}</li>" for s in fail_before.sentences(top=8)]
        parts += ["</ol>", fail_before.render(width=11).svg]
    if fail_after is not None:
        biting = fail_after[fail_after["status"] == "bites"]
        parts += [f"<h2>Fail points with the new plan ({len(biting)})</h2>"]
        if len(biting):
            parts += ["<ol>"] + [f"<li>{html.escape(s.split('] ', 1)[-1])}</li>" for s in fail_after.sentences(top=8)] + ["</ol>"]
        parts += [fail_after.render(width=11).svg]
    parts += ["<h2>The new shift plan</h2>"]
    for role, plan in after.plans.items():
        fig, ax = plt.subplots(figsize=(10, 3.4))
        after.plot(role, ax=ax)
        parts += [f"<h3>{html.escape(role)}</h3>", f"<p>{html.escape(plan.summary())}</p>",
                  f"<img alt='coverage of {html.escape(role)}' src='data:image/png;base64,{_png(fig)}'>",
                  plan.shifts.drop(columns=["start_interval", "break_intervals"]).to_html(index=False, escape=True)]
        plt.close(fig)
    parts += ["</body></html>"]
    return "\n".join(parts)
