"""What a scenario changes, drawn on the blueprint: the changed and added steps, each with a note.

:func:`changed_steps` compares two blueprints and returns the overlays that
:meth:`Scenario.diagram` draws: added steps in :data:`ADDED_FILL` with a ``+``
badge, changed ones in :data:`CHANGED_FILL` with a ``Δ`` badge.

>>> import blueprint
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> more = bp.with_staffing({"specialist": 8})
>>> overlays, removed = changed_steps(bp, more)
>>> sorted(overlays), removed
(['specialist'], [])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from blueprint import Blueprint
from blueprint.model import Flow
from blueprint.numbers import duration
from blueprint.staffing import Staffing
from blueprint.units import format_number

if TYPE_CHECKING:
    from blueprint.render import StepOverlay

__all__ = ["ADDED_FILL", "BADGE_FILL", "CHANGED_FILL", "changed_steps"]

#: The badge of an added or changed step: blue, apart from the fail points' red (a change is no failure).
BADGE_FILL = "#1f5fa8"
CHANGED_FILL = "#ffe3a1"
"""Fill of a step a scenario changes."""
ADDED_FILL = "#c9efd2"
"""Fill of a step a scenario adds."""


def _staff_hours_per_day(st: Staffing | None) -> float | None:
    if st is None or st.kind == "unlimited":
        return None
    if st.kind == "headcount":
        return float(st.headcount or 0) * 24
    if st.kind == "profile":
        p = st.profile
        assert p is not None
        return sum(v for _, _, v in p.segments()) * p.interval.seconds / 3600 / 7
    return sum(s.count * s.paid_hours * len(s.working_days()) for s in st.shifts or []) / 7


def _staff_text(st: Staffing | None) -> str:
    hours = _staff_hours_per_day(st)
    if hours is None:
        return str(st) if st is not None else "no staffing"
    return f"{format_number(round(hours, 1))} staff h/day"


def _share(f: Flow) -> str:
    if f.otherwise:
        return "otherwise"
    return f"{format_number(round(f.probability * 100, 2))}%" if f.probability is not None else "all"


def _flows_note(before: list[Flow], after: list[Flow]) -> str:
    """``→ bot (was answer)``, ``→ specialist 15% (was 20%)`` and the like."""
    old_targets = {f.target for f in before}
    new_targets = [f.target for f in after if f.target not in old_targets]
    gone = [f.target for f in before if f.target not in {g.target for g in after}]
    if len(new_targets) == 1 and len(gone) == 1:
        return f"→ {new_targets[0]} (was {gone[0]})"
    parts = []
    if new_targets:
        parts.append("→ " + ", ".join(new_targets))
    if gone:
        parts.append("no longer → " + ", ".join(gone))
    old = {f.target: f for f in before}
    for f in after:
        o = old.get(f.target)
        if o is not None and (o.probability, o.otherwise) != (f.probability, f.otherwise):
            parts.append(f"→ {f.target} {_share(f)} (was {_share(o)})")
        elif o is not None and o != f:
            parts.append(f"→ {f.target} changed")
    return "; ".join(parts) or "flows changed"


def changed_steps(before: Blueprint, after: Blueprint) -> tuple[dict[str, StepOverlay], list[str]]:
    """Overlays marking what ``after`` changes in ``before`` (for :meth:`Scenario.diagram`), and the ids of removed steps.

    A step is marked when it is new, when its own fields, the flows leaving
    it, the role it uses, a staff group serving it or the arrivals entering it changed.
    """
    from blueprint.render import StepOverlay

    old_steps = {s.id: s for s in before.steps}
    notes: dict[str, list[str]] = {s.id: [] for s in after.steps}
    added = [s.id for s in after.steps if s.id not in old_steps]
    _step_notes(before, after, notes)
    _role_notes(before, after, notes)
    _arrival_notes(before, after, notes)
    overlays = {}
    for sid, texts in notes.items():
        if sid in added:
            overlays[sid] = StepOverlay(fill=ADDED_FILL, badge="+", badge_fill=BADGE_FILL, note="; ".join(t for t in texts if t) or "new step")
        elif texts:
            overlays[sid] = StepOverlay(fill=CHANGED_FILL, badge="Δ", badge_fill=BADGE_FILL, note="; ".join(t for t in texts if t) or None)
    removed = [sid for sid in old_steps if sid not in notes]
    return overlays, removed


def _step_notes(before: Blueprint, after: Blueprint, notes: dict[str, list[str]]) -> None:
    """Notes on the steps whose own fields or outgoing flows changed."""
    old_steps = {s.id: s for s in before.steps}
    for s in after.steps:
        o = old_steps.get(s.id)
        if o is None:
            continue
        if o.duration != s.duration:
            was = duration(o.duration.mean) if o.duration else "none"
            now = duration(s.duration.mean) if s.duration else "none"
            notes[s.id].append(f"mean {was} → {now}" if was != now else "duration changed")
        others = [k for k in type(s).model_fields if k not in ("duration",) and getattr(o, k) != getattr(s, k)]
        if others:
            notes[s.id].append(f"{', '.join(others)} changed")
        out_before = {(f.target, f.kind, f.probability, f.otherwise) for f in before.flows_from(s.id)}
        out_after = {(f.target, f.kind, f.probability, f.otherwise) for f in after.flows_from(s.id)}
        if out_before != out_after:
            notes[s.id].append(_flows_note(before.flows_from(s.id), after.flows_from(s.id)))


def _role_notes(before: Blueprint, after: Blueprint, notes: dict[str, list[str]]) -> None:
    """A note on the first step of each changed role, and of each changed staff group (skills-based routing);
    the other steps they serve are marked without a note."""
    for kind, old, new, serves in (("role", before.roles, after.roles, lambda x: {x.name}),
                                   ("group", before.groups, after.groups, lambda x: set(x.skills))):
        old_items = {x.name: x for x in old}
        for x in new:
            o = old_items.get(x.name)
            if o == x:
                continue
            users = [s.id for s in after.steps if s.role in serves(x)]
            if not users:
                continue
            if o is None:
                text = f"new {kind} {x.name}"
            elif o.staffing != x.staffing:
                text = f"{x.name}: {_staff_text(o.staffing)} → {_staff_text(x.staffing)}"
            else:
                text = f"{x.name}: {', '.join(k for k in type(x).model_fields if getattr(o, k) != getattr(x, k))} changed"
            notes[users[0]].append(text)
            for sid in users[1:]:
                notes[sid].append("")


def _arrival_notes(before: Blueprint, after: Blueprint, notes: dict[str, list[str]]) -> None:
    """A note on the step where changed arrivals enter."""
    old_arrivals = {a.name: a for a in before.arrivals}
    for a in after.arrivals:
        o = old_arrivals.get(a.name)
        if o == a or a.step not in notes:
            continue
        parts = []
        if o is None or o.step != a.step:
            parts.append("new arrivals")
        else:
            was, now = o.per_day(), a.per_day()
            if was != now:
                parts.append(f"arrivals ×{format_number(round(now / was, 3))}" if was else "arrivals changed")
            if (o.patience, [s.patience for s in o.segments]) != (a.patience, [s.patience for s in a.segments]):
                parts.append("patience changed")
            if not parts:
                parts.append("arrivals changed")
        notes[a.step].append(", ".join(parts))
