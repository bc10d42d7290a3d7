"""A blueprint compiled into step records: what the walk of a customer needs to know at each step,
worked out once before the run.

>>> import blueprint
>>> steps = compile_steps(blueprint.load("examples/coffee_shop.yaml"))
>>> steps["order"].trivial, steps["take_order"].role, steps["make_drink"].in_cycle
(True, 'cashier', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from blueprint import Blueprint, Distribution, FlowKind, Lane, Step, to_networkx
from simulate.engine.semantics import BranchTable, branch_table

if TYPE_CHECKING:  # pragma: no cover - the bindings the model adds when it runs
    from simulate.engine.counters import ExperienceCounters, QueueCounters, RoleCounters, StepCounters
    from simulate.engine.pool import StaffPool, UnlimitedPool
    from simulate.engine.routing import RoutedPool
    from simulate.engine.streams import CustomerDraws

__all__ = ["StepRecord", "compile_steps"]


@dataclass
class StepRecord:
    """One step as the walk reads it.

    ``branch`` and ``retry`` are the tables of its branch and retry flows,
    ``parallel`` the targets of its parallel flows and ``join_step`` the step that
    joins them; ``fail_p`` and ``recovery`` its declared fail point; ``tolerance``
    its wait point (s). A ``trivial`` step takes no time or staff and decides
    nothing (one plain flow on): the walk passes straight through it.
    ``next_step`` is the target of a single branch flow. ``in_cycle`` is false for
    steps outside every loop, which a customer visits at most once.

    The model binds the rest when it runs: the draws of first visits
    (``d_duration``, ``d_branch``, ``d_fail``), the role's pool and counters
    (``pool``, ``role``'s ``rs``), and the step's own counters (``st``, ``queue``).
    """

    id: str
    label: str
    lane: Lane
    role: str | None
    dist: Distribution | None
    visible: bool
    branch: BranchTable | None
    parallel: list[str]
    join_step: str | None
    retry: BranchTable | None
    fail_p: float
    recovery: str | None
    tolerance: float | None
    is_join: bool
    tolerances: list[float] | None = None  # the wait point's tolerance per customer segment (the model's order)
    exp: list[ExperienceCounters] | None = None  # the experience of its visits per customer segment
    duration_tolerances: list[float] | None = None  # a staffed step's tolerable service time per customer segment
    exp_duration: list[ExperienceCounters] | None = None  # how its service time felt, per customer segment
    trivial: bool = False
    in_cycle: bool = True
    next_step: str | None = None
    d_duration: CustomerDraws | None = None
    d_branch: CustomerDraws | None = None
    d_fail: CustomerDraws | None = None
    pool: StaffPool | UnlimitedPool | RoutedPool | None = None
    routed: bool = False  # served by staff groups (skills-based routing): the member's group sets the time
    room: int | None = None  # the role's waiting room
    balk: float = 0.0  # the role's balking share
    refuses: bool = False  # a waiting room or balking: a customer who must wait may be turned away
    rs: RoleCounters | None = None
    st: StepCounters | None = None
    queue: QueueCounters | None = None


def _record(bp: Blueprint, s: Step, join_step: str | None) -> StepRecord:
    flows = bp.flows_from(s.id)
    fp = s.fail_point
    return StepRecord(
        id=s.id,
        label=s.label,
        lane=s.lane,
        role=s.role,
        dist=s.duration,
        visible=s.lane in (Lane.CUSTOMER, Lane.ONSTAGE),
        branch=branch_table([f for f in flows if f.is_branch]),
        parallel=[f.target for f in flows if f.kind is FlowKind.PARALLEL],
        join_step=join_step,
        retry=branch_table([f for f in flows if f.kind is FlowKind.RETRY]),
        fail_p=(fp.probability or 0.0) if fp else 0.0,
        recovery=fp.recovery if fp else None,
        tolerance=s.wait_point.tolerance.seconds if s.wait_point else None,
        is_join=s.join is not None,
    )


def _is_trivial(info: StepRecord) -> bool:
    """Takes no time or staff and decides nothing: no role, duration, fail point, parallel work, join,
    wait point or retry, and at most one plain flow on (no delay, no transfer)."""
    b = info.branch
    return (
        info.role is None and info.dist is None and info.fail_p == 0 and not info.parallel
        and not info.is_join and info.tolerance is None and info.retry is None
        and (b is None or (len(b.targets) == 1 and b.delays[0] is None and not b.transfer[0]))
    )


def _cyclic(bp: Blueprint) -> set[str]:
    """The steps on some loop of the flow graph (a customer may visit them more than once)."""
    g = to_networkx(bp)
    out: set[str] = set()
    for comp in nx.strongly_connected_components(g):
        if len(comp) > 1 or any(g.has_edge(n, n) for n in comp):
            out |= comp
    return out


def compile_steps(bp: Blueprint) -> dict[str, StepRecord]:
    """The step records of ``bp``, by step id, in the blueprint's order."""
    join_of = {s.join: s.id for s in bp.steps if s.join}
    steps = {s.id: _record(bp, s, join_of.get(s.id)) for s in bp.steps}
    cyclic = _cyclic(bp)
    for info in steps.values():
        b = info.branch
        info.trivial = _is_trivial(info)
        info.next_step = b.targets[0] if b is not None and len(b.targets) == 1 else None
        info.in_cycle = info.id in cyclic
    return steps
