"""Graph queries over a blueprint, as plain functions (networkx style).

The renderer asks for columns and line crossings; the simulator and the
validator ask for entries, exits and loops.

>>> from blueprint import Blueprint
>>> bp = Blueprint("Call")
>>> call = bp.customer("Call")
>>> answer = bp.onstage("Answer", role="agent")
>>> lookup = bp.support("CRM lookup")
>>> _ = call >> answer >> lookup
>>> [[str(line) for line in lines_crossed(bp, f)] for f in bp.flows]
[['interaction'], ['visibility', 'internal interaction']]
>>> journey_order(bp)
['call', 'answer', 'crm_lookup']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lanes import Lane, Line, lines_between

if TYPE_CHECKING:
    import networkx as nx

    from .model import Blueprint, Flow

__all__ = [
    "to_networkx",
    "entry_steps",
    "exit_steps",
    "lines_crossed",
    "crossings",
    "moments_of_truth",
    "back_flows",
    "journey_columns",
    "journey_order",
    "splits",
]


def to_networkx(bp: Blueprint) -> nx.MultiDiGraph:
    """The blueprint as a directed multigraph.

    Nodes are step ids (attributes ``step`` and ``lane``). Each flow is an edge
    keyed by its index in ``bp.flows`` (attributes ``flow``, ``kind``,
    ``probability``); a fail point's recovery is an edge keyed
    ``("recovery", step id)`` with ``kind="recovery"``. Flows naming unknown
    steps are left out.
    """
    import networkx as nx  # costly to import; only blueprints that are checked or drawn need it

    g = nx.MultiDiGraph(name=bp.name)
    for s in bp.steps:
        if s.id not in g:
            g.add_node(s.id, step=s, lane=s.lane)
    for i, f in enumerate(bp.flows):
        if f.source in g and f.target in g:
            g.add_edge(f.source, f.target, key=i, flow=f, kind=f.kind.value, probability=f.probability)
    for s in bp.steps:
        fp = s.fail_point
        if fp is not None and fp.recovery is not None and fp.recovery in g:
            g.add_edge(s.id, fp.recovery, key=("recovery", s.id), flow=None, kind="recovery", probability=fp.probability)
    return g


def entry_steps(bp: Blueprint) -> list[str]:
    """Where customers enter: the arrival steps, or, with no arrivals, steps no flow enters."""
    known = {s.id for s in bp.steps}
    entries = list(dict.fromkeys(a.step for a in bp.arrivals if a.step in known))
    if entries or bp.arrivals:
        return entries
    entered = {f.target for f in bp.flows if f.kind.value != "retry"}
    return [s.id for s in bp.steps if s.id not in entered][:1] or [s.id for s in bp.steps[:1]]


def exit_steps(bp: Blueprint) -> list[str]:
    """Steps where the journey ends: no hand-off, transfer, rework or parallel flow leaves them."""
    leaving = {f.source for f in bp.flows if f.kind.value != "retry"}
    return [s.id for s in bp.steps if s.id not in leaving]


def lines_crossed(bp: Blueprint, flow: Flow) -> tuple[Line, ...]:
    """The lines a flow crosses, top to bottom (empty within a lane)."""
    return lines_between(bp.step(flow.source).lane, bp.step(flow.target).lane)


def crossings(bp: Blueprint) -> list[tuple[int, Flow, tuple[Line, ...]]]:
    """Every flow that crosses a line: ``(index, flow, lines)``."""
    lane: dict[str, Lane] = {}
    for s in bp.steps:
        lane.setdefault(s.id, s.lane)  # the first of a repeated id, as bp.step() finds it
    out = []
    for i, f in enumerate(bp.flows):
        if f.source in lane and f.target in lane:
            lines = lines_between(lane[f.source], lane[f.target])
            if lines:
                out.append((i, f, lines))
    return out


def moments_of_truth(bp: Blueprint) -> list[Flow]:
    """Flows that cross the line of interaction: direct contacts with the customer."""
    return [f for _, f, lines in crossings(bp) if Line.INTERACTION in lines]


def splits(bp: Blueprint) -> dict[str, list[str]]:
    """Steps that start parallel work, with the targets of their parallel flows."""
    out: dict[str, list[str]] = {}
    for f in bp.flows:
        if f.kind.value == "parallel":
            out.setdefault(f.source, []).append(f.target)
    return out


def _forward_graph(bp: Blueprint) -> nx.MultiDiGraph:
    g = to_networkx(bp)
    g.remove_edges_from([(u, v, k) for u, v, k, d in g.edges(keys=True, data=True) if d["kind"] == "retry"])
    return g


def back_flows(bp: Blueprint) -> set[tuple[str, str]]:
    """Edges ``(source, target)`` that close a loop, found by depth-first search from the entries.

    Removing them leaves the journey as a directed acyclic graph that reads
    left to right; retry flows are always treated as loops back.
    """
    g = _forward_graph(bp)
    order = entry_steps(bp) + [s.id for s in bp.steps]
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    back: set[tuple[str, str]] = set()
    for root in order:
        if root not in g or root in state:
            continue
        state[root] = 1
        stack = [(root, iter(_successors(g, root)))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(_successors(g, nxt))))
    back |= {(f.source, f.target) for f in bp.flows if f.kind.value == "retry"}
    return back


def _successors(g: nx.MultiDiGraph, node: str) -> list[str]:
    """Successors in the order the flows were declared."""
    edges = sorted(g.out_edges(node, keys=True), key=lambda e: (isinstance(e[2], tuple), e[2] if isinstance(e[2], int) else 0))
    return list(dict.fromkeys(v for _, v, _ in edges))


def journey_columns(bp: Blueprint) -> dict[str, int]:
    """Column of each step for a diagram: longest path from an entry, loops removed.

    A step sits one column to the right of the latest step that leads to it,
    so the customer row reads left to right in time.
    """
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(s.id for s in bp.steps)
    back = back_flows(bp)
    for u, v, _ in _forward_graph(bp).edges(keys=True):
        if (u, v) not in back and u != v:
            g.add_edge(u, v)
    columns: dict[str, int] = {}
    for node in nx.topological_sort(g):
        preds = list(g.predecessors(node))
        columns[node] = max((columns[p] + 1 for p in preds), default=0)
    return columns


def journey_order(bp: Blueprint) -> list[str]:
    """Step ids in journey order: by column, then as declared."""
    cols = journey_columns(bp)
    index = {s.id: i for i, s in enumerate(bp.steps)}
    return sorted(cols, key=lambda s: (cols[s], index.get(s, 0)))
