"""How often customers take each flow and visit each step: the one home of the branch rule.

The branch flows of a step (hand-offs, transfers, rework) share its probabilities: a
flow with a probability takes it, a flow marked ``otherwise`` takes what the others
leave, and a single flow with no probability takes all (:func:`branch_probabilities`).
A fail point with a probability sends that share of visits to its recovery step; the
rest go on. Parallel flows are all taken, and the split goes on to its join once.
:func:`expected_visits` solves the resulting linear system (rework loops included) for
the expected visits per step of one customer. Retry flows (taken only by customers who
gave up) are left out: how many give up is known only by simulating.

The validator reads the visits to judge load and coverage; the simulator's branch tables
and the staffing formulas read the same rule.

>>> from blueprint import Blueprint
>>> bp = Blueprint("Coffee")
>>> make = bp.onstage("Make", role="barista")
>>> check = bp.backstage("Check the shot")
>>> serve = bp.customer("Pick up")
>>> _ = make >> check
>>> _ = bp.flow(check, make, probability=0.2, kind="rework")
>>> _ = bp.flow(check, serve, otherwise=True)
>>> v = expected_visits(bp, "make")
>>> round(v.steps["make"], 6), round(v.steps["pick_up"], 6)
(1.25, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Blueprint, Flow

__all__ = ["PROBABILITY_TOLERANCE", "Visits", "arrival_lags", "branch_probabilities", "expected_visits", "normalised"]


#: How far probabilities that should add up to 1 (branch flows, segment shares) may miss it: within
#: this they are scaled to add up to exactly 1 (0.3333 + 0.6667 is read as a third and two thirds);
#: beyond it the validator reports them.
PROBABILITY_TOLERANCE = 1e-6


def normalised(shares: Sequence[float]) -> list[float]:
    """``shares`` scaled to add up to exactly 1 when they miss it by at most :data:`PROBABILITY_TOLERANCE`,
    else as they are.

    >>> [round(x, 9) for x in normalised([0.3, 0.3, 0.4000003])], normalised([0.5, 0.4])
    ([0.29999991, 0.29999991, 0.40000018], [0.5, 0.4])
    """
    total = math.fsum(shares)
    if total > 0 and abs(total - 1) <= PROBABILITY_TOLERANCE:
        return [float(x) / total for x in shares]
    return [float(x) for x in shares]


def branch_probabilities(flows: Sequence[Flow]) -> list[float]:
    """The probability of each of ``flows`` (the branch flows, or the retry flows, of one step).

    A given probability is kept; ``otherwise`` takes what the others leave (never below 0);
    a single flow with no probability takes all; any other flow without one gets 0 (the
    validator reports it). Given probabilities that add up to within :data:`PROBABILITY_TOLERANCE`
    of 1 are scaled to add up to exactly 1 (an ``otherwise`` flow then gets nothing).

    >>> from blueprint.model import Flow
    >>> branch_probabilities([Flow.model_validate({"from": "a", "to": "b", "probability": 0.3}),
    ...                       Flow.model_validate({"from": "a", "to": "c", "otherwise": True})])
    [0.3, 0.7]
    """
    given = math.fsum(f.probability for f in flows if f.probability is not None)
    scale = 1.0 / given if given > 0 and abs(given - 1) <= PROBABILITY_TOLERANCE else 1.0
    given *= scale
    out = []
    for f in flows:
        if f.probability is not None:
            out.append(float(f.probability) * scale)
        elif f.otherwise or len(flows) == 1:
            out.append(max(0.0, 1.0 - given))
        else:
            out.append(0.0)
    return out


@dataclass(frozen=True)
class Visits:
    """Expected visits of one customer: ``steps[id]`` per step, ``flows[(source, target)]`` per flow
    followed (parallel work and recovery from a fail point included)."""

    steps: dict[str, float]
    flows: dict[tuple[str, str], float]


def _moves(bp: Blueprint) -> dict[tuple[str, str], float]:
    """Probability of moving source → target per visit of source."""
    moves: dict[tuple[str, str], float] = {}

    def add(src: str, dst: str, p: float) -> None:
        moves[(src, dst)] = moves.get((src, dst), 0.0) + p

    split_join: dict[str, str] = {}
    for s in bp.steps:
        flows = bp.flows_from(s.id)
        fail = (s.fail_point.probability or 0.0) if s.fail_point else 0.0
        if fail and s.fail_point and s.fail_point.recovery:
            add(s.id, s.fail_point.recovery, fail)
        parallel = [f.target for f in flows if f.kind.value == "parallel"]
        if parallel:
            join = next((j.id for j in bp.steps if j.join == s.id), None)
            for t in parallel:
                if t != join:  # a branch that goes straight to the join is empty: the split reaches the join once
                    add(s.id, t, 1.0 - fail)
            if join is not None:
                split_join[s.id] = join
                add(s.id, join, 1.0 - fail)
            continue
        branch = [f for f in flows if f.is_branch]
        prev = 0.0
        for f, p in zip(branch, branch_probabilities(branch)):
            cum = min(prev + p, 1.0)
            if cum - prev > 0:
                add(s.id, f.target, (1.0 - fail) * (cum - prev))
            prev = cum
    # inside parallel branches, reaching the join ends the branch: the split goes on to the join once
    for split, join in split_join.items():
        inside = _branch_steps(bp, split, join)
        for src, dst in list(moves):
            if dst == join and src in inside:
                del moves[(src, dst)]
    return moves


def _branch_steps(bp: Blueprint, split: str, join: str) -> set[str]:
    """Steps reached from the split's parallel targets before the join."""
    seen: set[str] = set()
    stack = [f.target for f in bp.flows_from(split) if f.kind.value == "parallel"]
    while stack:
        sid = stack.pop()
        if sid == join or sid in seen:
            continue
        seen.add(sid)
        stack.extend(f.target for f in bp.flows_from(sid) if f.kind.value != "retry")
    return seen


def expected_visits(bp: Blueprint, entry: str, *, damping: float = 0.0) -> Visits:
    """Expected visits per step, and flows followed, of a customer entering at ``entry``.

    Raises ``ValueError`` when customers can never leave (a loop with no way out). ``damping``
    (a small share) lets each move be lost with that chance, so loops taken for ever get large
    but finite counts that show where they are.
    """
    import numpy as np

    ids = list(dict.fromkeys(s.id for s in bp.steps))
    index = {sid: i for i, sid in enumerate(ids)}
    moves = _moves(bp)
    m = np.zeros((len(ids), len(ids)))
    for (src, dst), p in moves.items():
        if src in index and dst in index:
            m[index[dst], index[src]] += p * (1.0 - damping)
    e = np.zeros(len(ids))
    e[index[entry]] = 1.0
    try:
        v = np.linalg.solve(np.eye(len(ids)) - m, e)
    except np.linalg.LinAlgError:
        raise ValueError("the flows loop forever: customers never leave (check rework probabilities)") from None
    steps = {sid: float(max(0.0, v[index[sid]])) for sid in ids}
    return Visits(steps, {(src, dst): steps.get(src, 0.0) * p for (src, dst), p in moves.items()})


def arrival_lags(bp: Blueprint, entry: str, visits: Visits | None = None) -> dict[str, float]:
    """Mean seconds from arriving at ``entry`` to reaching each step (durations and flow delays; waits
    left out), over the journey without its loops, weighted by how often each way in is taken.
    Steps never reached are left out.

    >>> from blueprint import Blueprint
    >>> bp = Blueprint("Desk")
    >>> a = bp.customer("Ask", duration="2 min")
    >>> b = bp.onstage("Serve", role="clerk", duration="5 min")
    >>> _ = a >> b
    >>> arrival_lags(bp, "ask")
    {'ask': 0.0, 'serve': 120.0}
    """
    from .graph import back_flows

    follow = (visits or expected_visits(bp, entry)).flows
    back = back_flows(bp)
    order = _topological(bp, entry, back)
    mean = {s.id: (s.duration.mean if s.duration is not None else 0.0) for s in bp.steps}
    delay: dict[tuple[str, str], float] = {}
    for f in bp.flows:
        if f.delay is not None and f.kind.value != "retry":
            delay[(f.source, f.target)] = f.delay.mean
    lag = {entry: 0.0}
    for sid in order:
        if sid == entry:
            continue
        num = den = 0.0
        for (src, dst), w in follow.items():
            if dst != sid or (src, dst) in back or src not in lag or w <= 0:
                continue
            num += w * (lag[src] + mean[src] + delay.get((src, dst), 0.0))
            den += w
        if den > 0:
            lag[sid] = num / den
    return lag


def _topological(bp: Blueprint, entry: str, back: set[tuple[str, str]]) -> list[str]:
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(s.id for s in bp.steps)
    for f in bp.flows:
        if f.kind.value != "retry" and (f.source, f.target) not in back:
            g.add_edge(f.source, f.target)
    for s in bp.steps:
        if s.fail_point and s.fail_point.recovery and (s.id, s.fail_point.recovery) not in back:
            if not nx.has_path(g, s.fail_point.recovery, s.id):
                g.add_edge(s.id, s.fail_point.recovery)
    try:
        return list(nx.topological_sort(g))
    except nx.NetworkXUnfeasible:  # pragma: no cover - back flows break every loop
        return [s.id for s in bp.steps]
