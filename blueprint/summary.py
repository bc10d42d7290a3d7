"""A short description of a blueprint, as text and as HTML for Jupyter."""

from __future__ import annotations

import html
from collections import Counter
from typing import TYPE_CHECKING, Any

from .graph import crossings, entry_steps, exit_steps
from .lanes import ACTION_LANES, Line
from .units import format_number

if TYPE_CHECKING:
    from .model import Blueprint

__all__ = ["SummaryText", "summary_rows", "summary_text", "summary_html"]


def _percent(share: float) -> str:
    """``0.55`` -> ``"55%"`` without floating-point noise."""
    return f"{share * 100:.4g}%"


def summary_rows(bp: Blueprint) -> list[tuple[str, str]]:
    """``(heading, text)`` pairs describing the blueprint."""
    rows: list[tuple[str, str]] = []
    if bp.description:
        rows.append(("About", bp.description.strip()))
    lanes = Counter(s.lane for s in bp.steps)
    rows.append(("Steps", f"{len(bp.steps)}: " + ", ".join(f"{lanes[lane]} {lane.value}" for lane in ACTION_LANES)))
    if bp.stages:
        rows.append(("Stages", " · ".join(f"{st.name} ({len(st.steps)})" for st in bp.stages)))
    kinds = Counter(f.kind.value for f in bp.flows)
    rows.append(("Flows", f"{len(bp.flows)}" + (": " + ", ".join(f"{n} {k}" for k, n in kinds.items()) if kinds else "")))
    lines = Counter(line for _, _, ls in crossings(bp) for line in ls)
    rows.append(
        ("Line crossings", ", ".join(f"{lines[line]} × {line.title}" for line in Line) + " (crossings of the line of interaction are moments of truth)")
    )
    for r in bp.roles:
        groups = [g.name for g in bp.groups_with(r.name)]
        bits = [f"a skill of {', '.join(groups)}" if groups else str(r.staffing) if r.staffing else "no staffing"]
        if r.waiting_room is not None:
            bits.append(f"room for {r.waiting_room} waiting")
        if r.balking:
            bits.append(f"{_percent(r.balking)} leave rather than wait")
        if r.concurrency > 1:
            bits.append(f"{r.concurrency} customers at once")
        if r.cost_per_hour:
            bits.append(f"costs {format_number(r.cost_per_hour)} an hour")
        target = bp.target_for(r.name)
        if target and target.service_level is not None and not (r.staffing and r.staffing.unlimited):
            bits.append(f"target {_percent(target.service_level)} within {target.within}")
        steps = [s.id for s in bp.steps if s.role == r.name]
        bits.append("steps: " + (", ".join(steps) or "none"))
        rows.append((f"Role {r.name}", "; ".join(bits)))
    for g in bp.groups:
        skills = ", ".join(k if f == 1 else f"{k} (×{format_number(f)} time)" for k, f in g.skills.items())
        bits = [f"skills {skills}", str(g.staffing) if g.staffing else "no staffing"]
        if g.concurrency > 1:
            bits.append(f"{g.concurrency} calls at once")
        if g.cost_per_hour:
            bits.append(f"costs {format_number(g.cost_per_hour)} an hour")
        rows.append((f"Group {g.name}", "; ".join(bits)))
    if bp.groups:
        rule = bp.routing
        rows.append(("Routing", f"free agent: {rule.agent.value.replace('_', ' ')}; next call: "
                                f"{rule.call.value.replace('_', ' ')}; patience {rule.patience.value.replace('_', ' ')}"))
    if bp.trunks is not None:
        rows.append(("Lines", f"{bp.trunks}: a caller who finds them all taken hears a busy signal"))
    if bp.busyness is not None:
        rows.append(("Busyness", f"each day's arrivals × a Gamma factor (mean 1, CV {_percent(bp.busyness.cv)})"))
    for a in bp.arrivals:
        form = {"rate": f"Poisson at {a.rate}", "profile": f"per {a.profile.interval if a.profile else ''} profile", "times": f"{len(a.times or [])} timestamps"}[a.kind]
        segs = ", ".join(f"{s.name} {_percent(s.share)}" for s in a.segments)
        rows.append(
            (f"Arrivals {a.name}", f"enter at {a.step}; {form}; about {a.per_day():.0f} per day" + (f"; segments {segs}" if segs else ""))
        )
    fails = [s for s in bp.steps if s.fail_point is not None]
    if fails:
        rows.append(
            (
                "Fail points",
                "; ".join(
                    s.id + (f" ({_percent(s.fail_point.probability)})" if s.fail_point and s.fail_point.probability is not None else "")
                    for s in fails
                ),
            )
        )
    waits = [s for s in bp.steps if s.wait_point is not None]
    if waits:
        rows.append(("Wait points", "; ".join(f"{s.id} (tolerates {s.wait_point.tolerance})" for s in waits if s.wait_point)))
    rows.append(("Entries / exits", f"{', '.join(entry_steps(bp)) or 'none'} / {', '.join(exit_steps(bp)) or 'none'}"))
    prov = Counter(str(s.provenance_of("duration")) for s in bp.steps if s.duration is not None)
    if prov:
        rows.append(("Durations", ", ".join(f"{n} {k if k != 'None' else 'with no provenance given'}"
                                            for k, n in prov.most_common())))
    report = bp.validate()
    rows.append(("Validation", report.summary()))
    return rows


class SummaryText(str):
    """A summary: a plain ``str`` that a Jupyter cell shows as printed lines, not as one quoted string of ``\\n``.

    >>> text = SummaryText("Blueprint: x\\n  Steps  2")
    >>> text.splitlines()
    ['Blueprint: x', '  Steps  2']
    """

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def summary_text(bp: Blueprint) -> SummaryText:
    """The summary as plain text."""
    rows = summary_rows(bp)
    width = max(len(h) for h, _ in rows)
    return SummaryText("\n".join([f"Blueprint: {bp.name}"] + [f"  {h.ljust(width)}  {t}" for h, t in rows]))


def summary_html(bp: Blueprint) -> str:
    """The summary as an HTML table."""
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(h)}</th><td style='text-align:left'>{html.escape(t)}</td></tr>"
        for h, t in summary_rows(bp)
    )
    return f"<div><strong>Blueprint: {html.escape(bp.name)}</strong><table>{body}</table></div>"
