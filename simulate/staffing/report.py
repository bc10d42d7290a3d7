"""Before and after: the current staffing against a new plan, as a table and a short HTML report.

:func:`html_report` writes one self-contained page a manager reads top down: the headline (cost
change per day, paid hours, intervals below target and how many the plan fixes, service level and
abandonment with their 95% intervals), the before/after table with intervals, the fail points before
and after with both diagrams, and per role the coverage chart of the new plan with the reasons for
every surplus. :func:`format_before_after` turns :func:`before_after`'s table into text. Every
number is computed from the objects given (see :mod:`simulate.staffing.headline`). The charts are
drawn on :class:`matplotlib.figure.Figure` directly: writing a report never changes the backend.

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> before = simulate.run(bp, days=1, replications=5, seed=1)               # doctest: +SKIP
>>> plan = simulate.optimize_staffing(bp, templates="examples/contact_center.shifts.yaml", seed=1)  # doctest: +SKIP
>>> simulate.before_after(before, plan)                                      # doctest: +SKIP
>>> text = simulate.html_report(before, plan)                                # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from typing import TYPE_CHECKING, cast

import numpy as np
import pandas as pd

from blueprint.numbers import number, percent, signed
from simulate.staffing.headline import (
    BEFORE,
    NEW_PLAN,
    SPREADSHEET,
    Estimate,
    Headline,
    before_after,
    headline,
    headline_table,
)
from simulate.staffing.shifts.surplus import Surplus, explain_surplus, plan_limits

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from blueprint import Target
    from blueprint.render import Diagram
    from simulate.failpoints import FailPoints
    from simulate.results import Results
    from simulate.staffing.optimize import StaffingPlan
    from simulate.staffing.shifts import ShiftPlan

__all__ = ["MIN_TEXT_PX", "before_after", "coverage_figure", "diagram_html", "format_before_after", "headline_sentences",
           "fail_point_counts", "html_report", "staffing_columns", "target_text"]

#: Smallest text, in CSS pixels, the diagrams are shown at.
MIN_TEXT_PX = 11.0


def _kind(figure: str) -> str:
    if "service level" in figure or "abandonment" in figure:
        return "share"
    if "cost" in figure:
        return "money"
    if "hours" in figure:
        return "hours"
    return "count"


def _value(x: float, kind: str) -> str:
    if kind == "share":
        return percent(x)
    return number(x, 1 if kind == "hours" else 0)


def _interval(e: Estimate, kind: str) -> str:
    """The 95% interval in words (``"96.0–97.8%"``), empty when the figure is exact or has none."""
    if e.exact or not (math.isfinite(e.low) and math.isfinite(e.high)):
        return ""
    if kind == "share":
        return f"{100 * e.low:.1f}–{100 * e.high:.1f}%"
    return f"{_value(e.low, kind)}–{_value(e.high, kind)}"


def _with_interval(e: Estimate, kind: str) -> str:
    ci = _interval(e, kind)
    return _value(e.mean, kind) + (f" ({ci})" if ci else "")


def staffing_columns(df: pd.DataFrame) -> list[str]:
    """The staffings of a :func:`before_after` table (its mean columns), in order."""
    return [str(c) for c in df.columns if not str(c).endswith(("_ci_low", "_ci_high"))]


def _estimate(df: pd.DataFrame, figure: str, k: str) -> Estimate:
    row = df.loc[figure]
    return Estimate(*(float(cast(float, row[c])) for c in (k, f"{k}_ci_low", f"{k}_ci_high")))


def format_before_after(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`before_after`'s table as text, one column per staffing: each figure's mean and its 95%
    interval in brackets, as percentages, hours or money with thousands separators.

    >>> t = pd.DataFrame({"before": [0.912, 7616.0], "before_ci_low": [0.9, 7616.0], "before_ci_high": [0.924, 7616.0]},
    ...                  index=pd.Index(["desk: service level", "staff cost"], name="figure"))
    >>> format_before_after(t)["before"].tolist()
    ['91.2% (90.0–92.4%)', '7,616']
    """
    return pd.DataFrame({k: [_with_interval(_estimate(df, str(f), k), _kind(str(f))) for f in df.index]
                         for k in staffing_columns(df)}, index=df.index)


# -- the headline ---------------------------------------------------------------------------------

def headline_sentences(h: Headline) -> list[str]:
    """The headline in plain sentences, the cost first (made by :func:`html_report`; useful in a notebook).

    >>> from simulate.staffing.headline import Estimate, Headline
    >>> h = Headline(roles=["desk"], staffings=["before", "new plan"],
    ...     cost_per_day={"before": Estimate.exactly(1000), "new plan": Estimate.exactly(1100)},
    ...     paid_hours_per_day={"before": Estimate.exactly(40), "new plan": Estimate.exactly(44)},
    ...     misses={"before": {("desk", 3), ("desk", 4)}, "new plan": set()},
    ...     service_level={"desk": {"before": Estimate(0.7, 0.65, 0.75), "new plan": Estimate(0.85, 0.8, 0.9)}},
    ...     abandonment={"desk": {"before": Estimate(0.08, 0.06, 0.1), "new plan": Estimate(0.03, 0.02, 0.04)}})
    >>> headline_sentences(h)[0]
    'The new plan costs +100 a day (+10.0%): 1,000 → 1,100.'
    """
    cost = h.cost_per_day
    share = h.cost_change_share
    pct = f" ({'+' if share > 0 else ''}{100 * share:.1f}%)" if math.isfinite(share) else ""
    lines = [f"The new plan costs {signed(h.cost_change)} a day{pct}: "
             f"{number(cost[BEFORE].mean)} → {number(cost[NEW_PLAN].mean)}."]
    hours = h.paid_hours_per_day
    whole = all(float(hours[k].mean).is_integer() for k in (BEFORE, NEW_PLAN))
    d = 0 if whole else 1
    lines.append(f"Paid staff hours: {signed(h.hours_change, digits=d)} h a day: "
                 f"{number(hours[BEFORE].mean, d)} → {number(hours[NEW_PLAN].mean, d)} h.")
    m0, m1 = len(h.misses[BEFORE]), len(h.misses[NEW_PLAN])
    text = f"{h.unit.capitalize()} below target: {m0} → {m1}"
    if h.clear:
        text += f" (clearly, the whole 95% interval past the target: {len(h.clear[BEFORE])} → {len(h.clear[NEW_PLAN])})"
    text += f"; the new plan fixes {h.fixed}"
    text += f" and misses {h.broken} that met the target before." if h.broken else "."
    lines.append(text)
    for r in h.roles:
        sl, ab = h.service_level[r], h.abandonment[r]
        lines.append(f"{r}: service level {_with_interval(sl[BEFORE], 'share')} → {_with_interval(sl[NEW_PLAN], 'share')}; "
                     f"abandonment {_with_interval(ab[BEFORE], 'share')} → {_with_interval(ab[NEW_PLAN], 'share')}.")
    if SPREADSHEET in h.staffings:
        c = cost[SPREADSHEET].mean - cost[BEFORE].mean
        lines.append(f"The spreadsheet method (Erlang C per interval) would cost {number(cost[SPREADSHEET].mean)} a day "
                     f"({signed(c)} against today) and leave {len(h.misses[SPREADSHEET])} {h.unit} below target.")
    return lines


def target_text(target: Target) -> str:
    """A role's target in words.

    >>> from blueprint import Target
    >>> target_text(Target(service_level=0.8, within="60 s", max_abandon=0.05))
    '80% answered within 60 s, at most 5% give up'
    """
    return str(target)


def _headline_html(h: Headline, after: StaffingPlan) -> list[str]:
    lines = headline_sentences(h)
    head, rest = lines[:3], lines[3:]
    out = ["<section class='headline'><h2>In short</h2><ul class='big'>"]
    out += [f"<li>{html.escape(s)}</li>" for s in head]
    out += ["</ul><ul>"] + [f"<li>{html.escape(s)}</li>" for s in rest] + ["</ul>"]
    targets = "; ".join(f"{html.escape(r)}: {html.escape(target_text(t))}" for r, t in after.targets.items())
    out += [f"<p class='muted'>Service level: share of callers answered within the role's target time, over the "
            f"day, 95% intervals over the replications in brackets. {h.unit.capitalize()} below target: {_periods_text(h, after)} of a "
            f"role whose calls, pooled over the replications, miss its target ({targets}); {h.open_intervals} role-intervals "
            f"of {after.interval / 60:g} minutes have callers. "
            + ("Cost: the planned roles' paid hours at their cost per hour." if not after.kept else
               f"Cost: the planned staff groups' paid hours at their cost per hour, and those of the groups kept as "
               f"declared ({html.escape(', '.join(after.kept))}) as simulated.")
            + "</p></section>"]
    return out


def _periods_text(h: Headline, after: StaffingPlan) -> str:
    """The periods the headline counts, in words: "15-minute intervals", or "hours (periods under 1 call(s)
    judged with their neighbours)"."""
    if h.level == "interval":
        return f"{after.interval / 60:g}-minute intervals"
    return f"{h.unit} (periods under {after.min_volume:g} call(s) judged with their neighbours)"


def _table_html(df: pd.DataFrame) -> str:
    """The before/after table: each figure's mean, its 95% interval below it in small type."""
    staffings = staffing_columns(df)
    head = "".join(f"<th>{html.escape(k)}</th>" for k in staffings)
    rows = [f"<table class='ba'><thead><tr><th>figure</th>{head}</tr></thead><tbody>"]
    for f in df.index:
        kind = _kind(str(f))
        cells = []
        for k in staffings:
            e = _estimate(df, str(f), k)
            ci = _interval(e, kind)
            cells.append(f"<td>{html.escape(_value(e.mean, kind))}"
                         + (f"<br><span class='ci'>{html.escape(ci)}</span>" if ci else "") + "</td>")
        label = str(f) + (" per day" if kind in ("hours", "money") else "")
        rows.append(f"<tr><th>{html.escape(label)}</th>{''.join(cells)}</tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


# -- fail points and diagrams ---------------------------------------------------------------------

def diagram_html(diagram: Diagram | str, alt: str, min_text_px: float = MIN_TEXT_PX) -> str:
    """An SVG diagram as an image at a width where its smallest text is at least ``min_text_px`` CSS
    pixels (Graphviz writes sizes in points, 1 pt = 4/3 px), in a box that scrolls sideways when the
    diagram is wider than the page.

    >>> svg = '<svg width="600pt" height="100pt" viewBox="0 0 600 100"><text font-size="9.00">a</text></svg>'
    >>> re.search(r"width='(\\d+)'", diagram_html(svg, "d")).group(1)  # 9 pt = 12 px: drawn at 11/12 of its size
    '734'
    """
    svg = diagram if isinstance(diagram, str) else diagram.svg
    w = re.search(r'<svg[^>]*\swidth="([0-9.]+)(pt|px)?"', svg)
    sizes = [float(x) for x in re.findall(r'font-size="([0-9.]+)"', svg)]
    width = f" width='{round(float(w.group(1)) * (4 / 3 if w.group(2) in (None, 'pt') else 1))}'" if w else ""
    if w and sizes:
        px_per_unit = 4 / 3 if w.group(2) in (None, "pt") else 1.0
        scale = min_text_px / (min(sizes) * px_per_unit)
        width = f" width='{math.ceil(float(w.group(1)) * px_per_unit * scale)}'"
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f"<div class='diagram'><img{width} alt='{html.escape(alt)}' "
            f"src='data:image/svg+xml;base64,{data}'></div>")


def _findings(found: FailPoints, when: str) -> list[str]:
    """The findings that bite, then those noted (bottleneck, declared but harmless), each under a heading
    whose number is the count of items listed under it."""
    biting = found[found["status"] == "bites"]
    noted = found[found["status"] != "bites"]
    out = [f"<h3>{len(biting)} problem{'s' * (len(biting) != 1)} {when}</h3>"]
    if len(biting):
        out += ["<ol>"] + [f"<li value='{rank}'>{html.escape(_finding_text(row))}</li>" for rank, row in biting.iterrows()] + ["</ol>"]
    if len(noted):
        out += [f"<h4>Also noted ({len(noted)})</h4><ul class='muted'>"]
        out += [f"<li>F{rank}: {html.escape(_finding_text(row))}</li>" for rank, row in noted.iterrows()] + ["</ul>"]
    return out


def _finding_text(row: pd.Series) -> str:
    text = str(row["finding"])
    return text + (f" {row['what_if']}" if isinstance(row["what_if"], str) else "")


def fail_point_counts(fail_before: FailPoints, fail_after: FailPoints) -> pd.DataFrame:
    """Problems (findings that bite) per kind and place, with today's staffing and with the new plan:
    one row per ``(kind, where)``, columns ``before`` and ``after`` (counts of findings), the worst first."""
    def counts(found: FailPoints) -> pd.Series:
        biting = found[found["status"] == "bites"]
        bp = found.blueprint
        where = [bp.step(str(s)).label if isinstance(s, str) and s else str(r or "") for s, r in zip(biting["step"], biting["role"])]
        return pd.Series(1, index=pd.MultiIndex.from_arrays([biting["kind"].tolist(), where], names=["kind", "where"])).groupby(
            level=["kind", "where"]).sum()

    table = pd.concat({"before": counts(fail_before), "after": counts(fail_after)}, axis=1).fillna(0).astype(int)
    return table.sort_values(["before", "after"], ascending=False)


def _fail_table(fail_before: FailPoints, fail_after: FailPoints) -> str:
    table = fail_point_counts(fail_before, fail_after)
    rows = "".join(f"<tr><td>{html.escape(str(w))}</td><td>{html.escape(str(k))}</td><td>{b or '–'}</td><td>{a or '–'}</td></tr>"
                   for (k, w), b, a in zip(table.index, table["before"], table["after"]))
    return ("<table class='ba fp'><thead><tr><th>where</th><th>problem</th><th>today</th><th>new plan</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _fail_points_html(fail_before: FailPoints | None, fail_after: FailPoints | None) -> list[str]:
    if fail_before is None and fail_after is None:
        return []
    out = ["<h2>Fail points before and after</h2>"]
    if fail_before is not None and fail_after is not None:
        n0, n1 = int((fail_before["status"] == "bites").sum()), int((fail_after["status"] == "bites").sum())
        out.append(f"<p>Problems found by simulation: {n0} with today's staffing, {n1} with the new plan. "
                   "The diagrams are drawn large enough to read; scroll sideways to see all of them.</p>")
        out.append(_fail_table(fail_before, fail_after))
    for found, when, alt in ((fail_before, "with today's staffing", "fail points with today's staffing"),
                             (fail_after, "with the new plan", "fail points with the new plan")):
        if found is not None:
            out += _findings(found, when)
            out.append(diagram_html(found.render(), alt))
    return out


# -- coverage and surplus -------------------------------------------------------------------------

def _letters(n: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(n)]


def coverage_figure(plan: ShiftPlan, role: str, surplus: list[Surplus]) -> Figure:
    """Required against on duty per interval for one role's shift plan, the surplus shaded and the
    explained intervals marked A, B, C… (the reasons are listed with the chart). A
    :class:`matplotlib.figure.Figure` made without pyplot, so no backend is touched."""
    from matplotlib.figure import Figure

    cov = plan.coverage
    req = cov["required"].to_numpy(dtype=float)
    on = cov["on_duty"].to_numpy(dtype=float)
    step = plan.interval / 3600
    hours = np.arange(len(cov)) * step
    active = np.flatnonzero((req > 0) | (on > 0) | (cov["on_break"].to_numpy() > 0))
    lo = max(0.0, math.floor(hours[active[0]]) - 1) if len(active) else 0.0
    hi = min(hours[-1] + step, math.ceil(hours[active[-1]] + step) + 1) if len(active) else hours[-1] + step
    fig = Figure(figsize=(11, 3.8), dpi=100)
    ax = fig.subplots()
    ax.bar(hours, req, width=step, align="edge", color="#c6d8ec", label="required")
    x = np.r_[hours, hours[-1] + step]
    ax.fill_between(x, np.r_[req, req[-1]], np.r_[np.maximum(on, req), max(on[-1], req[-1])], step="post",
                    color="#f5b041", alpha=0.45, lw=0, label="surplus (on duty above required)")
    ax.step(x, np.r_[on, on[-1]], where="post", color="#c0392b", lw=1.6, label="on duty (new plan)")
    for letter, s in zip(_letters(len(surplus)), surplus):
        ax.annotate(letter, (hours[s.at] + step / 2, s.on_duty), xytext=(0, 6), textcoords="offset points",
                    ha="center", va="bottom", fontsize=12, fontweight="bold", color="#7d3c98")
    ax.set_xlim(lo, hi)
    ax.set_ylim(0, max(on.max(initial=0), req.max(initial=0)) * 1.18 + 1)
    h = plan.grid.h
    base = (h.origin % 86400) / 3600  # the clock hour the horizon starts at
    span = hi - lo
    every = 1 if span <= 18 else 2 if span <= 36 else 6 if span <= 72 else 24
    ticks = [t for t in np.arange(math.ceil(lo + base) - base, hi + 1e-9) if round(base + t) % every == 0]
    ax.set_xticks(ticks)
    ax.set_xticklabels([h.label(round(t * 3600 / h.step) % h.T) for t in ticks], fontsize=10)
    ax.set_xlabel("time of day" if h.whole_day or span <= 24 else "day and time")
    ax.set_ylabel("staff (people)")
    ax.set_title(f"{role}: staff on duty with the new plan against the requirement", fontsize=12)
    ax.legend(loc="upper right", frameon=False, fontsize=10)
    ax.grid(axis="y", color="#eeeeee")
    ax.set_axisbelow(True)
    return fig


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _shifts_html(plan: ShiftPlan) -> str:
    df = plan.shifts.drop(columns=["start_interval", "break_intervals"])
    if (df["day"] == "").all():
        df = df.drop(columns=["day"])
    df = df.assign(paid_hours=[number(x, 1) for x in df["paid_hours"]], cost=[number(x) for x in df["cost"]])
    return df.rename(columns={"paid_hours": "paid hours"}).to_html(index=False, escape=True, border=0, classes="shifts")


def _role_html(role: str, plan: ShiftPlan, after: StaffingPlan) -> list[str]:
    found = explain_surplus(plan, top=None)
    shown = found[:4]
    extra_hours = float(plan.coverage["surplus"].sum()) * plan.interval / 3600
    on_hours = float(plan.coverage["on_duty"].sum()) * plan.interval / 3600
    out = [f"<h3>{html.escape(role)}</h3>",
           f"<p>{plan.headcount} shifts, {number(plan.paid_hours, 1)} paid hours"
           + (f", cost {number(plan.cost)}" if math.isfinite(plan.cost) else "")
           + f". On duty above the requirement: {number(extra_hours, 1)} of {number(on_hours, 1)} staff hours "
           f"on duty, in {len(found)} stretch{'es' * (len(found) != 1)}.</p>",
           f"<img class='chart' alt='coverage of {html.escape(role)}' src='data:image/png;base64,"
           f"{_png(coverage_figure(plan, role, shown))}'>"]
    if shown:
        more = f" ({len(shown)} largest of {len(found)})" if len(found) > len(shown) else ""
        out.append(f"<h4>Why more staff are on duty than required{more}</h4><ol type='A'>")
        for s in shown:
            out.append(f"<li><b>{html.escape(s.label)}</b>, at {html.escape(s.at_label)}: {s.required} required, "
                       f"{s.on_duty} on duty ({s.extra} more)<ul>")
            out += [f"<li>{html.escape(r.text)}</li>" for r in s.reasons] + ["</ul></li>"]
        out.append("</ol>")
        limits = plan_limits(plan)
        out.append(f"<h4>The rules behind it ({len(limits)})</h4><ul>")
        out += [f"<li>{html.escape(x)}</li>" for x in limits] + ["</ul>"]
    first = np.asarray(after.rounds[0]["required"][role], dtype=float) if after.rounds else None
    if first is not None and len(first) == len(after.requirement[role]):
        raised = int((np.asarray(after.requirement[role]) > first).sum())
        if raised:
            out.append(f"<p class='muted'>The requirement drawn is the one the plan meets: simulation raised it in "
                       f"{raised} interval(s) where the first requirement missed the target.</p>")
    out.append(_shifts_html(plan))
    return out


# -- the page ------------------------------------------------------------------------------------

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1a1a1a;font-size:16px;"
    "line-height:1.45}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{padding:4px 12px;border-bottom:1px solid #ddd;text-align:right;"
    "vertical-align:top}th:first-child,td:first-child{text-align:left}table.ba th{font-weight:600}"
    ".ci{color:#666;font-size:13px}.muted{color:#555;font-size:14px}"
    ".headline{background:#f4f7fb;border-left:4px solid #2e6da4;padding:.4em 1.2em;margin:1em 0}"
    "ul.big li{font-size:19px;margin:.2em 0}"
    ".diagram{overflow-x:auto;border:1px solid #e5e5e5;margin:.5em 0 1.5em}.diagram img{display:block;max-width:none}"
    "img.chart{max-width:100%;height:auto}table.fp td:nth-child(2),table.fp th:nth-child(2){text-align:left}"
)


def html_report(
    before: Results,
    after: StaffingPlan,
    *,
    fail_before: FailPoints | None = None,
    fail_after: FailPoints | None = None,
    spreadsheet: StaffingPlan | None = None,
    title: str | None = None,
) -> str:
    """A self-contained HTML page: the headline, the before/after table with 95% intervals, the fail
    points before and after with their diagrams (text at least 11 px), and per role the new plan's
    coverage chart with the reasons for its surplus and its shifts. The matplotlib backend is left as it was."""
    bp = before.blueprint
    title = title or f"{bp.name}: staffing review"
    h = headline(before, after, spreadsheet)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='muted'>Simulated {before.days:g} day(s), {len(before.replications)} replications, seed {before.seed}; "
        f"the same callers meet every staffing. New plan: {html.escape(after.method)}, "
        f"{len(after.rounds)} round(s) of simulation.</p>",
    ]
    parts += _headline_html(h, after)
    parts += ["<h2>Before and after</h2>", _table_html(headline_table(h)),
              "<p class='muted'>Each figure is the mean over the replications; below it, in grey, its 95% interval. "
              "A plan's cost and hours come from its shifts and are exact.</p>"]
    parts += _fail_points_html(fail_before, fail_after)
    parts += ["<h2>The new shift plan</h2>"]
    if after.verification is not None:
        v = after.verification
        parts.append(f"<p><b>Verified on customers the optimiser never saw.</b> {html.escape(v.describe())}</p>")
    for role, plan in after.plans.items():
        parts += _role_html(role, plan, after)
    parts += ["</body></html>"]
    return "\n".join(parts)
