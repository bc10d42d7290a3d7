"""Whole-blueprint checks: references, reachability, loops, probabilities, staffing, capacity.

:func:`validate` never raises for a problem in the blueprint: it returns a
:class:`~blueprint.errors.ValidationReport` with every problem found, each
with its field path and, for a blueprint read from a file, its line.

>>> from blueprint import Blueprint
>>> bp = Blueprint("Coffee")
>>> order = bp.customer("Order")
>>> pay = bp.onstage("Take payment", role="cashier2")
>>> _ = order >> pay
>>> _ = bp.role("cashier", staffing=1)
>>> _ = bp.arrive(order, rate="30 per h")
>>> print(validate(bp))
steps[1].role: unknown role 'cashier2'; did you mean 'cashier'?
warning: roles[0]: role 'cashier' is not used by any step
1 error, 1 warning
"""

from __future__ import annotations

import difflib
import math
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from .errors import Loc, Problem, Severity, ValidationReport, format_path, line_of
from .graph import back_flows, entry_steps, exit_steps, splits, to_networkx
from .lanes import Lane
from .visits import PROBABILITY_TOLERANCE

if TYPE_CHECKING:
    import networkx as nx

    from .model import Blueprint

__all__ = ["validate"]

_TOL = PROBABILITY_TOLERANCE  # probabilities that should add up to 1 may miss it by this much (they are scaled)


class _Collector:
    def __init__(self, file: str | None, lines: dict[Loc, int] | None) -> None:
        self.file = file
        self.lines = lines or {}
        self.problems: list[Problem] = []

    def add(self, severity: Severity, code: str, loc: Loc, message: str) -> None:
        line = line_of(loc, self.lines) if self.lines else None
        self.problems.append(Problem(severity, code, format_path(loc), message, self.file, line))

    def error(self, code: str, loc: Loc, message: str) -> None:
        self.add("error", code, loc, message)

    def warning(self, code: str, loc: Loc, message: str) -> None:
        self.add("warning", code, loc, message)


def _unknown(kind: str, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    if close:
        return f"unknown {kind} {name!r}; did you mean {close[0]!r}?"
    return f"unknown {kind} {name!r}; known: {', '.join(known) if known else 'none'}"


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def validate(bp: Blueprint, *, file: str | None = None, lines: dict[Loc, int] | None = None) -> ValidationReport:
    """Check the whole blueprint and report every problem at once.

    ``file`` and ``lines`` (field path -> line) locate problems in the file
    the blueprint came from; :func:`blueprint.load` records them, and
    :meth:`Blueprint.validate` passes them on. The checks run in a fixed order,
    one rule family each, so the report always lists problems the same way.
    """
    c = _Collector(file, lines)
    if _too_large(c, bp):  # the other checks grow faster than the steps: say so, and stop
        return ValidationReport(c.problems, source=file)
    _check_duplicates(c, bp)
    broken_refs = _check_references(c, bp)
    _check_flows(c, bp)
    _check_arrivals(c, bp)
    _check_wait_points(c, bp)
    # With a broken reference the journey is not known: its checks would only
    # repeat the reference error in other words, so they wait until it is fixed.
    reached = _check_journey(c, bp, graph_known=broken_refs == 0)
    _check_parallel(c, bp)
    _check_stages(c, bp)
    _check_roles(c, bp, reached)
    _check_groups(c, bp, reached)
    _check_visits(c, bp)
    _check_capacity(c, bp)
    _check_text(c, bp)
    return ValidationReport(c.problems, source=file)


def _too_large(c: _Collector, bp: Blueprint) -> bool:
    """More steps, flows or staff groups than :data:`~blueprint.limits.LIMITS` allows (an error each)."""
    from .limits import LIMITS

    for what, items, most in (("steps", bp.steps, LIMITS.max_steps), ("flows", bp.flows, LIMITS.max_flows),
                              ("groups", bp.groups, LIMITS.max_groups)):
        if len(items) > most:
            c.error("too-large", (what,), f"{len(items):,} {what}, more than the {most:,} a blueprint may have "
                    f"(blueprint.limits.limits_set(max_{what}=...) raises it)")
    return bool(c.problems)


def _check_duplicates(c: _Collector, bp: Blueprint) -> None:
    """The same step id, role name or arrivals name declared twice."""
    for kind, items, key, path in (
        ("step id", bp.steps, "id", "steps"),
        ("role", bp.roles, "name", "roles"),
        ("arrivals name", bp.arrivals, "name", "arrivals"),
        ("group", bp.groups, "name", "groups"),
    ):
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            value = getattr(item, key)
            if value in first:
                c.error("duplicate-id", (path, i, key), f"duplicate {kind} {value!r} (first at {path}[{first[value]}])")
            else:
                first[value] = i


def _check_references(c: _Collector, bp: Blueprint) -> int:
    """Flows, arrivals, recoveries and joins naming unknown steps; unknown or missing roles.

    Returns the number of broken step references.
    """
    known_steps = list(dict.fromkeys(s.id for s in bp.steps))
    step_set = set(known_steps)
    role_names = list(dict.fromkeys(r.name for r in bp.roles))
    broken_refs = 0

    def ref(loc: Loc, name: str | None) -> None:
        nonlocal broken_refs
        if name is not None and name not in step_set:
            c.error("unknown-step", loc, _unknown("step", name, known_steps))
            broken_refs += 1

    for i, f in enumerate(bp.flows):
        ref(("flows", i, "from"), f.source)
        ref(("flows", i, "to"), f.target)
    for i, a in enumerate(bp.arrivals):
        ref(("arrivals", i, "step"), a.step)
    for i, s in enumerate(bp.steps):
        if s.fail_point is not None:
            ref(("steps", i, "fail_point", "recovery"), s.fail_point.recovery)
        ref(("steps", i, "join"), s.join)
        if s.role is not None and s.role not in role_names:
            c.error("unknown-role", ("steps", i, "role"), _unknown("role", s.role, role_names))
        if s.role is None and s.lane in (Lane.ONSTAGE, Lane.BACKSTAGE):
            c.error(
                "missing-role",
                ("steps", i, "role"),
                f"{s.lane.value} step {s.id!r} needs a role: the staff whose time it takes",
            )
    return broken_refs


def _check_flows(c: _Collector, bp: Blueprint) -> None:
    """Per step the flows leave: parallel mixed with branches, branch probabilities, duplicates, retries."""
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(bp.flows):
        by_source[f.source].append(i)
    for source, idx in by_source.items():
        parallel = [i for i in idx if bp.flows[i].kind.value == "parallel"]
        branch = [i for i in idx if bp.flows[i].is_branch]
        if parallel and branch:
            c.error(
                "mixed-parallel",
                ("flows", branch[0]),
                f"step {source!r} has both parallel flows and branches; put the branches after the parallel work",
            )
        _check_branches(c, bp, source, branch)
        _check_duplicate_flows(c, bp, idx)
        _check_retries(c, bp, idx)


def _check_duplicate_flows(c: _Collector, bp: Blueprint, idx: list[int]) -> None:
    """The same flow (source, target, kind) declared twice."""
    seen: dict[tuple[str, str, str], int] = {}
    for i in idx:
        f = bp.flows[i]
        k = (f.source, f.target, f.kind.value)
        if k in seen:
            c.warning("duplicate-flow", ("flows", i), f"flow {f} ({f.kind}) is declared twice (also flows[{seen[k]}])")
        else:
            seen[k] = i


def _check_retries(c: _Collector, bp: Blueprint, idx: list[int]) -> None:
    """A retry flow from a step without a role: nobody waits there, so nobody abandons."""
    step_ids = [s.id for s in bp.steps]
    for i in idx:
        f = bp.flows[i]
        if f.kind.value == "retry" and f.source in step_ids:
            step = bp.steps[step_ids.index(f.source)]
            if step.role is None:
                c.warning(
                    "retry-without-queue",
                    ("flows", i),
                    f"retry flow from {f.source!r}: customers abandon only while waiting for staff, and {f.source!r} has no role",
                )


def _check_arrivals(c: _Collector, bp: Blueprint) -> None:
    """No arrivals at all, or a stream with none; segment shares that do not add up to 1; duplicate segment names."""
    if not bp.steps:
        c.warning("no-steps", ("steps",), "no steps: the blueprint has nothing to draw or simulate yet; list its steps "
                  "under steps: (id, label, lane), e.g. {id: order, label: Order, lane: customer}")
    if not bp.arrivals:
        c.warning("no-arrivals", ("arrivals",), "no arrivals: nothing enters this blueprint, so it can be drawn but not simulated")
    for i, a in enumerate(bp.arrivals):
        if a.per_day() <= 0:
            what = "every value of its profile is 0" if a.profile is not None else "its rate is 0" if a.rate is not None else "it has no times"
            c.warning("no-arrivals", ("arrivals", i), f"no customer ever arrives by {a.name!r} ({what}): a simulation of it has no one to serve")
        elif a.per_day() < 1e-3:  # fewer than one customer in a thousand days: a slip of unit or of exponent
            c.warning("no-arrivals", ("arrivals", i), f"about {a.per_day():.2g} customers a day arrive by {a.name!r}, fewer "
                      "than one in a thousand days: a simulation of it will almost surely have no one to serve (check "
                      "the rate's number and unit)")
        if a.segments:
            total = math.fsum(s.share for s in a.segments)
            if abs(total - 1) > _TOL:
                c.error("segment-shares", ("arrivals", i, "segments"), f"segment shares add up to {_fmt(total)}, not 1")
            names: dict[str, int] = {}
            for j, s in enumerate(a.segments):
                if s.name in names:
                    c.error("duplicate-id", ("arrivals", i, "segments", j, "name"), f"duplicate segment {s.name!r}")
                names[s.name] = j


def _check_journey(c: _Collector, bp: Blueprint, *, graph_known: bool) -> set[str]:
    """Steps no arrival reaches, loops with no way out, steps with no path to an exit.

    Returns the steps customers can reach (none without arrivals). With ``graph_known``
    false (a broken step reference) only that set is computed.
    """
    import networkx as nx

    g = to_networkx(bp)
    reached: set[str] = set()
    for e in entry_steps(bp) if bp.arrivals else []:
        reached |= {e} | nx.descendants(g, e)
    if not graph_known:
        return reached
    if bp.arrivals:
        for i, s in enumerate(bp.steps):
            if s.id not in reached:
                c.error("unreachable", ("steps", i), f"step {s.id!r} cannot be reached from any arrival")

    # The way out is judged on the flows that can be taken: a branch with probability 0
    # (or an "otherwise" left with nothing) is no way out, however it is drawn.
    live = _live_graph(bp, g)
    can_exit: set[str] = set()
    for x in [*exit_steps(bp), *_lost_at(bp)]:
        if x in live:
            can_exit |= {x} | nx.ancestors(live, x)
    into_trap = _check_trapped_loops(c, bp, live, can_exit)
    step_ids = [s.id for s in bp.steps]
    for i, s in enumerate(bp.steps):
        # a step upstream of a trapped loop is covered by the loop's own error
        if s.id not in can_exit and s.id not in into_trap and s.id in g and step_ids.index(s.id) == i:
            c.error("no-exit", ("steps", i), f"step {s.id!r} has no path to an exit (a step no flow leaves)")
    return reached


def _live_graph(bp: Blueprint, g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``g`` without the flows that can never be taken: branch flows that can never be taken, a recovery
    that no visit fails into (no probability, or 0), and the onward flows of a step every visit of which
    fails (probability 1: only its recovery, and the call-backs of those who gave up in its queue, leave it)."""
    live = g.copy()
    live.remove_edges_from([(f.source, f.target, i) for i in _never_taken(bp)
                            if live.has_edge(bp.flows[i].source, bp.flows[i].target, i) for f in [bp.flows[i]]])
    for s in bp.steps:
        fp = s.fail_point
        if fp is None or s.id not in live:
            continue
        p = fp.probability or 0.0
        if p <= 0 and fp.recovery is not None and live.has_edge(s.id, fp.recovery, ("recovery", s.id)):
            live.remove_edge(s.id, fp.recovery, ("recovery", s.id))
        if p >= 1:
            live.remove_edges_from([(u, v, key) for u, v, key, kind in live.out_edges(s.id, keys=True, data="kind")
                                    if kind not in ("recovery", "retry")])
    return live


def _lost_at(bp: Blueprint) -> list[str]:
    """Steps where a customer can leave by a failure with no recovery step (the customer is lost)."""
    return [s.id for s in bp.steps if s.fail_point is not None and (s.fail_point.probability or 0.0) > 0
            and s.fail_point.recovery is None]


def _check_trapped_loops(c: _Collector, bp: Blueprint, live: nx.MultiDiGraph, can_exit: set[str]) -> set[str]:
    """Loops customers can enter but never leave; returns the steps in or upstream of one."""
    import networkx as nx

    step_ids = [s.id for s in bp.steps]
    trapped_loops = []
    for comp in nx.strongly_connected_components(live):
        first = min(comp, key=step_ids.index)
        if (len(comp) > 1 or live.has_edge(first, first)) and not comp & can_exit:
            trapped_loops.append(comp)
    in_trap = set().union(*trapped_loops) if trapped_loops else set()
    into_trap = set(in_trap)
    for node in in_trap:
        into_trap |= nx.ancestors(live, node)
    back = back_flows(bp)
    for comp in sorted(trapped_loops, key=lambda cc: min(step_ids.index(s) for s in cc)):
        closing_flows = [i for i, f in enumerate(bp.flows) if f.source in comp and f.target in comp and (f.source, f.target) in back]
        # the flow back to the earliest step closes the outermost loop (the journey's end sent back to its start);
        # a rework loop inside it is not to blame
        closing = min(closing_flows, key=lambda i: (step_ids.index(bp.flows[i].target), i)) if closing_flows else None
        leaving = [g for g in bp.flows if closing is not None and g.source == bp.flows[closing].source]
        sent_back = closing is not None and len(leaving) == 1  # the closing flow is its source's only way on
        cycle = _cycle_through(live, comp, bp.flows[closing].target if closing is not None else min(comp, key=step_ids.index))
        loc: Loc = ("flows", closing) if closing is not None else ("steps", step_ids.index(cycle[0]))
        dead_exits = [i for i in _never_taken(bp) if bp.flows[i].source in comp and bp.flows[i].target not in comp]
        certain = [x.id for x in bp.steps if x.id in comp and x.fail_point is not None
                   and (x.fail_point.probability or 0.0) >= 1]
        why = ""
        if dead_exits:
            left = [bp.flows[i] for i in dead_exits]
            why = (" (the flows leaving it have probability 0)" if all(f.probability == 0 for f in left) else
                   f" (the other branches leaving {left[0].source!r} take every customer, nothing is left for "
                   f"'otherwise' to {left[0].target!r})")
        if sent_back and closing is not None and not dead_exits:
            f = bp.flows[closing]
            why = f" ({f.source!r} leads only back to {f.target!r}: the journey has no end)"
        if certain:
            why = (f" (every visit of {', '.join(repr(x) for x in certain)} fails: fail_point.probability 1 "
                   "sends each customer to its recovery again)")
            loc = ("steps", step_ids.index(certain[0]), "fail_point", "probability")
            back_to = next(x.fail_point.recovery for x in bp.steps if x.id == certain[0])  # type: ignore[union-attr]
            if back_to in comp:  # the loop the failure closes: from its recovery to the failing step
                cycle = nx.shortest_path(live.subgraph(comp), back_to, certain[0])
        c.error("trapped-loop", loc, f"loop {' → '.join(cycle + [cycle[0]])} has no way out{why}")
    return into_trap


def _branch_exit(g: Any, split: str, start: str, join: str, lost: set[str]) -> str | None:
    """A step with no way on that the branch from ``start`` can reach without passing its join (or its split,
    where rework of the whole parallel work goes), or None when every way of the branch leads to the join.
    A step every visit of which fails with no recovery (in ``lost``) is no such end: the journey ends there,
    failed, as it does from any failure in a branch."""
    import networkx as nx

    inside = g.subgraph(n for n in g if n not in (split, join))
    if start not in inside:
        return None
    reach = [start, *sorted(nx.descendants(inside, start))]
    return next((n for n in reach if g.out_degree(n) == 0 and n not in lost), None)


def _check_parallel(c: _Collector, bp: Blueprint) -> None:
    """Joins without a split, parallel branches that never reach their join, splits never joined."""
    import networkx as nx

    g = to_networkx(bp)
    live = _live_graph(bp, g)  # a branch ends only where a customer can really go (not by a failure that never happens)
    lost = set(_lost_at(bp))
    step_ids = [s.id for s in bp.steps]
    split_targets = splits(bp)
    joined: set[str] = set()
    for i, s in enumerate(bp.steps):
        if s.join is None or s.join not in step_ids:
            continue
        if s.join not in split_targets:
            c.error(
                "join-without-split",
                ("steps", i, "join"),
                f"step {s.id!r} joins {s.join!r}, which starts no parallel work (no parallel flows leave it)",
            )
            continue
        joined.add(s.join)
        for t in split_targets[s.join]:
            if t != s.id and (t not in g or s.id not in nx.descendants(g, t)):
                c.error(
                    "branch-never-joins",
                    ("steps", i, "join"),
                    f"the parallel branch {s.join} -> {t} never reaches its join {s.id!r}",
                )
            elif t != s.id and (end := _branch_exit(live, s.join, t, s.id, lost)) is not None:
                c.error(
                    "branch-never-joins",
                    ("steps", i, "join"),
                    f"the parallel branch {s.join} -> {t} can end at {end!r} without reaching its join {s.id!r}: "
                    "the customer would both leave there and go on from the join; lead every way of the branch "
                    "to the join",
                )
    for source, targets in split_targets.items():
        if source in step_ids and source not in joined:
            c.warning(
                "split-without-join",
                ("steps", step_ids.index(source)),
                f"parallel work from {source!r} is never joined; the journey ends when all {len(targets)} branches have ended",
            )


def _check_stages(c: _Collector, bp: Blueprint) -> None:
    """Stages: unknown steps, a step in two stages, a stage named twice; with stages declared, a step in none
    (a warning: the diagram draws it without a header)."""
    if not bp.stages:
        return
    known = list(dict.fromkeys(s.id for s in bp.steps))
    step_set = set(known)
    named: dict[str, int] = {}
    owner: dict[str, int] = {}
    for i, stage in enumerate(bp.stages):
        if stage.name in named:
            c.error("duplicate-id", ("stages", i, "name"), f"duplicate stage {stage.name!r} (first at stages[{named[stage.name]}])")
        else:
            named[stage.name] = i
        for j, sid in enumerate(stage.steps):
            if sid not in step_set:
                c.error("unknown-step", ("stages", i, "steps", j), _unknown("step", sid, known))
            elif sid in owner:
                first = bp.stages[owner[sid]].name
                c.error("stage-overlap", ("stages", i, "steps", j),
                        f"step {sid!r} is already in stage {first!r} (stages[{owner[sid]}]); a step belongs to one stage")
            else:
                owner[sid] = i
    left = [sid for sid in known if sid not in owner]
    if left:
        c.warning("step-without-stage", ("stages",),
                  f"{len(left)} step{'s' if len(left) > 1 else ''} in no stage ({', '.join(left[:5])}"
                  f"{', ...' if len(left) > 5 else ''}): the diagram draws them without a stage header")


#: Characters a drawn text should not hold: control characters (a tab and a line break are fine), the
#: direction controls (embeddings, overrides and isolates, U+202A-U+202E and U+2066-U+2069), which change the
#: order in which the rest of a line or a hover text is read, and invisible ones a drawing leaves out
#: (zero-width spaces, the word joiner, the byte-order mark, tag characters: :data:`_INVISIBLE`).
_UNSEEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = re.compile("[\u180e\u200b\u2060-\u2064\ufeff\U000e0000-\U000e007f]")


def _check_text(c: _Collector, bp: Blueprint) -> None:
    """Drawn text holding control characters or direction controls (a warning: a diagram shows a control
    character as U+FFFD, and a direction control changes the order in which the text after it is read)."""
    fields: list[tuple[tuple[str | int, ...], str | None]] = [(("name",), bp.name)]
    fields += [(("steps", i, "label"), s.label) for i, s in enumerate(bp.steps)]
    fields += [(("steps", i, "evidence", k), e) for i, s in enumerate(bp.steps) for k, e in enumerate(s.evidence)]
    fields += [(("stages", i, "name"), st.name) for i, st in enumerate(bp.stages)]
    fields += [(("roles", i, "name"), r.name) for i, r in enumerate(bp.roles)]
    fields += [(("flows", i, "label"), f.label) for i, f in enumerate(bp.flows)]
    for loc, text in fields:
        found = sorted(set(_UNSEEN.findall(text or "")) | set(_INVISIBLE.findall(text or "")))
        if found:
            codes = ", ".join(f"U+{ord(ch):04X}" for ch in found[:5]) + (", ..." if len(found) > 5 else "")
            invisible = [ch for ch in found if _INVISIBLE.match(ch)]
            direction = [ch for ch in found if ch >= "\u202a" and ch not in invisible]
            control = len(found) - len(invisible) - len(direction)
            what = (["a diagram draws a control character as \ufffd"] if control else []) + \
                   (["a direction control changes the order in which the text after it is read"] if direction else []) + \
                   (["an invisible character is left out of a diagram and hides in a hover text or a table"]
                    if invisible else [])
            c.warning("control-character", loc, f"holds {'a character' if len(found) == 1 else 'characters'} not meant "
                      f"to be seen ({codes}): {' and '.join(what)}; remove {'it' if len(found) == 1 else 'them'}")


def _check_roles(c: _Collector, bp: Blueprint, reached: set[str]) -> None:
    """Roles no step uses; roles with no one on duty at steps customers reach."""
    used: dict[str, list[str]] = defaultdict(list)
    for s in bp.steps:
        if s.role is not None:
            used[s.role].append(s.id)
    skills = bp.skills()
    for i, r in enumerate(bp.roles):
        if r.name not in used:
            c.warning("unused-role", ("roles", i), f"role {r.name!r} is not used by any step")
            continue
        busy = [sid for sid in used[r.name] if sid in reached]
        who = (
            f"step {busy[0]!r} receives customers"
            if len(busy) == 1
            else f"steps {', '.join(repr(b) for b in busy)} receive customers"
        )
        if r.name in skills:
            continue  # a skill: the groups that have it are checked by _check_groups
        if r.staffing is None:
            if busy:
                c.error(
                    "zero-staffing",
                    ("roles", i),
                    f"role {r.name!r} has no staffing but {who}; give a headcount, a profile or shifts",
                )
        elif r.staffing.is_zero() and busy:
            c.error("zero-staffing", ("roles", i, "staffing"), f"role {r.name!r} never has anyone on duty but {who}")


def _check_wait_points(c: _Collector, bp: Blueprint) -> None:
    """A wait point's tolerance per segment, and the journey's expectations per segment, name segments the arrivals
    declare."""
    names = sorted({seg.name for a in bp.arrivals for seg in a.segment_list()})
    for i, s in enumerate(bp.steps):
        if s.wait_point is None:
            continue
        for field in ("segments", "duration_segments"):
            for name in getattr(s.wait_point, field):
                if name not in names:
                    c.error("unknown-segment", ("steps", i, "wait_point", field, name), _unknown("segment", name, names))
        if s.wait_point.duration_segments and s.wait_point.duration is None:
            c.error("duration-segments-alone", ("steps", i, "wait_point", "duration_segments"),
                    "a tolerable service time per segment needs one for everyone else: give duration too")
        if s.wait_point.duration is not None and s.role is None and s.join is None:
            c.error("duration-without-queue", ("steps", i, "wait_point", "duration"),
                    "a step with no queue (no role, no join) is judged on its own time by the tolerance: give the "
                    "longest time it may take as the tolerance and leave duration out")
    for name in (bp.expectations.segments if bp.expectations is not None else {}):
        if name not in names:
            c.error("unknown-segment", ("expectations", "segments", name), _unknown("segment", name, names))


def _check_groups(c: _Collector, bp: Blueprint, reached: set[str]) -> None:
    """Skills-based routing (:mod:`blueprint.routing`): groups' skills are known roles and some step needs
    them; a skill's staffing is its groups'; steps' routes name groups that have the step's skill."""
    role_names = list(dict.fromkeys(r.name for r in bp.roles))
    needed = {s.role for s in bp.steps if s.role is not None}
    for i, g in enumerate(bp.groups):
        if g.name in role_names:
            c.error("duplicate-id", ("groups", i, "name"),
                    f"group {g.name!r} has the name of a role; results name both, so give the group another name")
        for skill in g.skills:
            if skill not in role_names:
                c.error("unknown-role", ("groups", i, "skills", skill), _unknown("role", skill, role_names))
        if not any(skill in needed for skill in g.skills):
            c.error("group-serves-nothing", ("groups", i, "skills"),
                    f"group {g.name!r} can serve nothing: no step needs {', '.join(repr(k) for k in g.skills)}")
        elif g.staffing is None:
            c.error("zero-staffing", ("groups", i), f"group {g.name!r} has no staffing; give a headcount, a profile or shifts")
        elif g.staffing.kind == "unlimited":
            c.error("unlimited-group", ("groups", i, "staffing"),
                    f"group {g.name!r} cannot be unlimited: its members are people who take calls one at a time; "
                    "give a headcount, a profile or shifts (a role of its own can be unlimited)")
    skills = bp.skills()
    for i, r in enumerate(bp.roles):
        if r.name not in skills:
            continue
        names = ", ".join(repr(g.name) for g in bp.groups_with(r.name))
        if r.staffing is not None:
            c.error("routed-role-staffing", ("roles", i, "staffing"),
                    f"role {r.name!r} is a skill served by the groups {names}: its staff are theirs; "
                    "give the groups the staffing and leave it out here")
        if r.concurrency != 1:
            c.error("routed-role-concurrency", ("roles", i, "concurrency"),
                    f"role {r.name!r} is served by groups ({names}): how many customers a member serves at once is "
                    "the group's concurrency; give it there and leave it out here")
    group_names = [g.name for g in bp.groups]
    for i, s in enumerate(bp.steps):
        if s.route is None:
            continue
        if s.role is None or s.role not in skills:
            what = "has no role" if s.role is None else f"needs role {s.role!r}, which no group has"
            c.error("route-without-groups", ("steps", i, "route"),
                    f"step {s.id!r} {what}: a route chooses among the staff groups that have the step's skill")
            continue
        for j, name in enumerate(s.route.groups):
            if name in s.route.groups[:j]:
                c.error("duplicate-id", ("steps", i, "route", "groups", j), f"group {name!r} is in the route twice")
            elif name not in group_names:
                c.error("unknown-group", ("steps", i, "route", "groups", j), _unknown("group", name, group_names))
            elif s.role not in bp.get_group(name).skills:
                having = ", ".join(g.name for g in bp.groups_with(s.role))
                c.error("group-lacks-skill", ("steps", i, "route", "groups", j),
                        f"group {name!r} does not have skill {s.role!r} that step {s.id!r} needs; groups with it: {having}")


def _check_visits(c: _Collector, bp: Blueprint) -> None:
    """A loop taken so often that a customer would visit more steps than the limit allows (a rework at
    p = 0.999, a parallel flow back into its own loop, which forks the journey each time round); only for
    a blueprint with no errors so far (a loop with no way out is reported as such)."""
    import networkx as nx

    from .limits import LIMITS
    from .visits import expected_visits

    if any(p.severity == "error" for p in c.problems):
        return
    most = LIMITS.max_visits
    for entry in dict.fromkeys(entry_steps(bp) if bp.arrivals else []):
        try:
            visits = expected_visits(bp, entry)
            total = sum(visits.steps.values())
        except ValueError:  # loops taken for ever: locate them on a slightly damped journey
            visits, total = expected_visits(bp, entry, damping=1e-9), math.inf
        if total <= most:
            continue
        moves = nx.DiGraph(list(visits.flows))
        loop_of = {s: frozenset(comp) for comp in nx.strongly_connected_components(moves) for s in comp}
        kinds = {(f.source, f.target): f.kind.value for f in bp.flows}
        # the flow to blame: a fork inside the loop, else the likeliest way round that is a choice (p < 1)
        looping = [(kinds.get((src, dst)) == "parallel", 0 < (p := n / max(visits.steps[src], 1e-300)) < 1 - 1e-12, p, n,
                    src, dst) for (src, dst), n in visits.flows.items() if loop_of.get(src) is not None
                   and dst in loop_of[src] and (len(loop_of[src]) > 1 or src == dst)]
        step_ids = [s.id for s in bp.steps]
        if not looping:
            c.error("too-many-visits", ("steps", step_ids.index(entry)),
                    f"each customer entering at {entry!r} would visit {_fmt(total)} steps, more than the {most:,} allowed")
            continue
        *_, src, dst = max(looping)
        idx = next((i for i, f in enumerate(bp.flows) if f.source == src and f.target == dst), None)
        comp = loop_of[src]
        cycle = _cycle_through(moves, set(comp), dst)
        forks = [f for f in bp.flows if f.kind.value == "parallel" and f.source in comp and f.target in comp]
        why = (f"the parallel flow {forks[0].source} → {forks[0].target} starts another branch each time round"
               if forks else "a loop taken almost surely: lower the probability of going round again")
        loc: tuple[str | int, ...] = ("flows", idx) if idx is not None else ("steps", step_ids.index(src))
        failing = bp.steps[step_ids.index(src)].fail_point if idx is None else None
        if failing is not None and failing.recovery == dst:  # the way round is the fail point's recovery
            loc = ("steps", step_ids.index(src), "fail_point", "probability")
            why = f"the fail point of {src!r} sends almost every customer back to {dst!r}: lower its probability"
        how_many = "infinitely many" if not math.isfinite(total) else f"about {total:,.0f}"
        c.error("too-many-visits", loc,
                f"loop {' → '.join(cycle + [cycle[0]])}: each customer would visit {how_many} steps ({why}); "
                f"at most {most:,} are simulated (blueprint.limits.limits_set(max_visits=...) raises it)")
        return


def _check_capacity(c: _Collector, bp: Blueprint) -> None:
    """Customers arriving with no one on duty, staff on duty with no customers, more work than staff
    (:mod:`blueprint.capacity`); only for a blueprint with no errors, whose flows can be read."""
    if any(p.severity == "error" for p in c.problems):
        return
    try:
        from .capacity import capacity_findings  # numpy: loaded when a blueprint is checked, not at import

        findings = capacity_findings(bp)
    except ValueError:  # customers who never leave: reported as a trapped loop
        return
    for f in findings:
        c.warning(f.code, f.loc, f.message)


def _never_taken(bp: Blueprint) -> list[int]:
    """Indices of branch flows that can never be taken: probability 0, or an otherwise with nothing left."""
    out = []
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(bp.flows):
        if f.is_branch:
            by_source[f.source].append(i)
    for idx in by_source.values():
        given = math.fsum(bp.flows[i].probability or 0.0 for i in idx)
        for i in idx:
            f = bp.flows[i]
            if f.probability is not None and f.probability == 0:
                out.append(i)
            elif f.otherwise and len(idx) > 1 and given >= 1 - _TOL:
                out.append(i)
    return out


def _cycle_through(g: nx.MultiDiGraph, comp: set[str], start: str) -> list[str]:
    """A shortest cycle inside ``comp`` that starts at ``start``, as a list of step ids."""
    import networkx as nx

    sub = g.subgraph(comp)
    best: list[str] | None = None
    for pred in sub.predecessors(start):
        path = nx.shortest_path(sub, start, pred)
        if best is None or len(path) < len(best):
            best = path
    return best or [start]


def _check_branches(c: _Collector, bp: Blueprint, source: str, idx: list[int]) -> None:
    if not idx:
        return
    flows = [bp.flows[i] for i in idx]
    otherwise = [i for i, f in zip(idx, flows) if f.otherwise]
    given = [i for i, f in zip(idx, flows) if f.probability is not None]
    if len(otherwise) > 1:
        c.error("probabilities", ("flows", otherwise[1], "otherwise"), f"only one flow leaving {source!r} may be marked otherwise")
        return
    total = math.fsum(bp.flows[i].probability for i in given)  # type: ignore[misc]
    if len(idx) == 1:
        f = flows[0]
        if f.probability is not None and abs(f.probability - 1) > _TOL:
            c.error(
                "probabilities",
                ("flows", idx[0], "probability"),
                f"the only flow leaving {source!r} has probability {_fmt(f.probability)}; "
                "a single flow is always taken (add the other branches or remove the probability)",
            )
        return
    missing = [i for i in idx if bp.flows[i].probability is None and not bp.flows[i].otherwise]
    if missing and not given and not otherwise:
        c.error(
            "probabilities",
            ("flows", idx[0]),
            f"{len(idx)} flows leave {source!r} ({', '.join(bp.flows[i].target for i in idx)}); "
            "give each a probability, or mark one otherwise",
        )
        return
    for i in missing:
        c.error(
            "probabilities",
            ("flows", i, "probability"),
            f"flow {bp.flows[i]} needs a probability: other flows leaving {source!r} have one (or mark it otherwise)",
        )
    if missing:
        return
    if otherwise:
        if total > 1 + _TOL:
            c.error(
                "probabilities",
                ("flows", idx[0], "probability"),
                f"branch probabilities leaving {source!r} add up to {_fmt(total)} before the otherwise flow; at most 1",
            )
    elif abs(total - 1) > _TOL:
        c.error(
            "probabilities",
            ("flows", idx[0], "probability"),
            f"branch probabilities leaving {source!r} add up to {_fmt(total)}, not 1",
        )


