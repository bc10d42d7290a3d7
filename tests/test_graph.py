"""Graph queries: lines crossed, moments of truth, entries, exits, journey columns."""

from __future__ import annotations

import blueprint
from blueprint import Blueprint, Lane, Line, lines_between


def test_lines_between_lanes() -> None:
    assert lines_between(Lane.CUSTOMER, Lane.ONSTAGE) == (Line.INTERACTION,)
    assert lines_between(Lane.SUPPORT, Lane.CUSTOMER) == (Line.INTERACTION, Line.VISIBILITY, Line.INTERNAL_INTERACTION)
    assert lines_between(Lane.BACKSTAGE, Lane.BACKSTAGE) == ()
    assert Line.VISIBILITY.above is Lane.ONSTAGE and Line.VISIBILITY.below is Lane.BACKSTAGE
    assert Line.INTERNAL_INTERACTION.title == "line of internal interaction"


def test_contact_centre_queries() -> None:
    bp = blueprint.load("examples/contact_center.yaml")
    assert blueprint.entry_steps(bp) == ["call"]
    assert blueprint.exit_steps(bp) == ["hang_up"]
    mot = {(f.source, f.target) for f in blueprint.moments_of_truth(bp)}
    assert ("self_service", "answer") in mot and ("resolve", "survey") in mot
    assert ("crm_lookup", "kb_search") not in mot
    crossing = {(f.source, f.target): lines for _, f, lines in blueprint.crossings(bp)}
    assert crossing[("answer", "crm_lookup")] == (Line.VISIBILITY, Line.INTERNAL_INTERACTION)
    g = blueprint.to_networkx(bp)
    assert g.number_of_nodes() == len(bp.steps)
    # every flow plus the two recovery edges of declared fail points
    assert g.number_of_edges() == len(bp.flows) + 2
    assert {d["kind"] for _, _, d in g.edges(data=True)} >= {"handoff", "transfer", "retry", "recovery"}
    order = blueprint.journey_order(bp)
    assert order[0] == "call" and order[-1] == "hang_up"
    cols = blueprint.journey_columns(bp)
    assert cols["answer"] < cols["crm_lookup"] < cols["kb_search"] < cols["resolve"] < cols["specialist"]
    # retry and recovery back to the start are loops, not forward moves
    assert ("answer", "call") in blueprint.back_flows(bp)
    assert ("specialist", "call") in blueprint.back_flows(bp)


def test_rework_loop_does_not_break_the_columns() -> None:
    bp = Blueprint("Rework")
    a, b, c, d = (bp.customer(x) for x in "abcd")
    a >> b >> c
    bp.flow(c, b, probability=0.2, kind="rework")
    bp.flow(c, d, otherwise=True)
    cols = blueprint.journey_columns(bp)
    assert cols == {"a": 0, "b": 1, "c": 2, "d": 3}
    assert blueprint.back_flows(bp) == {("c", "b")}


def test_columns_take_the_longest_path() -> None:
    bp = Blueprint("Diamond")
    a, b, c, d = (bp.customer(x) for x in "abcd")
    bp.flow(a, b, probability=0.5)
    bp.flow(a, d, probability=0.5)
    b >> c >> d
    assert blueprint.journey_columns(bp)["d"] == 3
