"""The diagram's own geometry: orthogonal arrows that stay out of boxes, labels clear of everything,
journeys wrapped onto rows. Checked on hand-made grids and on random valid blueprints."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import blueprint
from blueprint.diagram.arrows import channel_grid, route_arrows, split_across_rows
from blueprint.diagram.labels import place_labels
from blueprint.diagram.route import Grid, Rect, Route, crossings, route, spread, to_bezier
from blueprint.layout import compute_layout, wrap_rows
from tests.strategies import valid_blueprints

EXAMPLES = sorted(str(p) for p in (Path(__file__).resolve().parent.parent / "examples").glob("*.yaml") if p.stem.count(".") == 0)


def _orthogonal(r: Route) -> bool:
    return all(p[0] == q[0] or p[1] == q[1] for p, q in r.segments())


def _on_border(x: float, y: float, b: Rect, tol: float = 1e-6) -> bool:
    inside_x = b.left - tol <= x <= b.right + tol
    inside_y = b.top - tol <= y <= b.bottom + tol
    return inside_x and inside_y and (abs(x - b.left) < tol or abs(x - b.right) < tol or abs(y - b.top) < tol or abs(y - b.bottom) < tol)


def _through(r: Route, b: Rect, margin: float = 0.5) -> bool:
    """Whether the route passes through the interior of ``b`` (sampled every point)."""
    for (x0, y0), (x1, y1) in r.segments():
        n = int(abs(x1 - x0) + abs(y1 - y0)) + 1
        for k in range(n + 1):
            t = k / n
            if b.contains(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, margin):
                return True
    return False


def _check_routes(routes: dict[str, Route], boxes: dict[str, Rect]) -> None:
    for r in routes.values():
        assert _orthogonal(r), r
        if r.tail == r.head:
            continue
        assert _on_border(*r.points[0], boxes[r.tail]), (r.id, r.points[0], boxes[r.tail])
        assert _on_border(*r.points[-1], boxes[r.head]), (r.id, r.points[-1], boxes[r.head])
        for name, b in boxes.items():
            assert not _through(r, b), (r.id, "runs through", name)


def test_neighbours_get_a_straight_arrow_and_a_box_in_the_way_is_walked_round() -> None:
    boxes = {"a": Rect(0, 0, 100, 50), "b": Rect(150, 0, 250, 50), "c": Rect(300, 0, 400, 50)}
    grid = Grid(xs=[-25, 50, 125, 200, 275, 350, 425], ys=[-15, 25, 65])
    routes = route(grid, boxes, [("ab", "a", "b"), ("ac", "a", "c")])
    assert routes["ab"].points == [(100.0, 25.0), (150.0, 25.0)]
    _check_routes(routes, boxes)
    assert len(routes["ac"].points) >= 4  # over or under b, never through it


def test_spread_moves_arrows_sharing_a_line_apart_and_keeps_them_orthogonal() -> None:
    r1 = Route("1", "a", "b", [(0, 10), (0, 50), (100, 50)])
    r2 = Route("2", "c", "d", [(0, 10), (0, 50), (80, 50)])
    spread({"1": r1, "2": r2}, spacing=7)
    assert abs(r1.points[1][0] - r2.points[1][0]) == pytest.approx(7)
    assert _orthogonal(r1) and _orthogonal(r2)


def test_bezier_of_a_polyline_has_3n_plus_1_points_and_keeps_its_ends() -> None:
    pts = [(0.0, 0.0), (40.0, 0.0), (40.0, 40.0), (80.0, 40.0)]
    curve = to_bezier(pts, radius=6)
    assert (len(curve) - 1) % 3 == 0 and curve[0] == pts[0] and curve[-1] == pts[-1]


def test_crossings_are_counted_once_per_pair_of_segments() -> None:
    grid = [Route(f"h{k}", "a", "b", [(0, 10 * k), (100, 10 * k)]) for k in range(1, 4)]
    grid += [Route(f"v{k}", "c", "d", [(10 * k, 0), (10 * k, 100)]) for k in range(1, 3)]
    assert crossings(grid) == 6


def test_a_label_never_covers_a_box_an_arrow_or_another_label() -> None:
    boxes = [Rect(0, 0, 100, 50), Rect(200, 0, 300, 50)]
    routes = [Route("e", "a", "b", [(100, 25), (200, 25)]), Route("f", "a", "b", [(100, 30), (200, 30)])]
    placed = place_labels([(routes[0], "30% · on"), (routes[1], "70% · off")], obstacles=boxes,
                          frame=Rect(-50, -50, 350, 100), routes=routes)
    rects = [p.rect for p in placed.values() if p.rect is not None]
    assert len(rects) == 2
    for a, b in itertools.combinations(rects, 2):
        assert not (a.left < b.right and b.left < a.right and a.top < b.bottom and b.top < a.bottom)
    for r in rects:
        for b in boxes:
            assert not (r.left < b.right and b.left < r.right and r.top < b.bottom and b.top < r.bottom)


def test_a_label_with_no_room_becomes_a_numbered_footnote() -> None:
    boxes = [Rect(0, 0, 100, 50), Rect(104, 0, 204, 50)]
    r = Route("e", "a", "b", [(100, 25), (104, 25)])
    placed = place_labels([(r, "a label far too long for a 4-point gap")], obstacles=boxes, frame=Rect(0, 0, 204, 50))
    assert placed["e"].footnote == 1


@pytest.mark.parametrize("path", EXAMPLES)
def test_example_arrows_are_orthogonal_and_stay_out_of_other_boxes(path: str) -> None:
    layout = compute_layout(blueprint.load(path))
    bp = blueprint.load(path)
    edges = [(f"flow-{i}", f.source, f.target) for i, f in enumerate(bp.flows)]
    routes = route_arrows(layout, edges)
    boxes = {k: Rect(b.left, b.top, b.right, b.bottom) for k, b in layout.boxes.items()}
    _check_routes(routes, boxes)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(bp=valid_blueprints(), max_columns=st.sampled_from([None, 2, 3]))
def test_random_blueprints_route_cleanly_wrapped_or_not(bp: blueprint.Blueprint, max_columns: int | None) -> None:
    layout = compute_layout(bp)
    if max_columns:
        wrap_rows(layout, max_columns)
    edges = [(f"flow-{i}", f.source, f.target) for i, f in enumerate(bp.flows) if f.source in layout.boxes and f.target in layout.boxes]
    edges, continued = split_across_rows(layout, edges)
    boxes = {k: Rect(b.left, b.top, b.right, b.bottom) for k, b in layout.boxes.items()}
    routes = route_arrows(layout, edges)
    _check_routes(routes, boxes)
    for c in continued.values():  # each continued arrow leaves its row at a marker and comes back at one
        assert routes[c.edge].head == c.out and routes[c.rest].tail == c.inn
    grid = channel_grid(layout)
    assert grid.xs == sorted(grid.xs) and grid.ys == sorted(grid.ys)


def test_wrapped_rows_keep_each_box_in_its_rows_band() -> None:
    bp = blueprint.load("examples/hotel.yaml")
    layout = compute_layout(bp)
    wrap_rows(layout, 4)
    assert layout.rows == 3
    for box in layout.boxes.values():
        band = layout.band(box.lane, layout.row_of(box.id))
        assert band.top <= box.top and box.bottom <= band.bottom, box.id
    assert all(len(ys) == 3 for ys in layout.lines.values())


def test_render_wraps_with_lettered_markers_for_the_arrows_between_rows() -> None:
    svg = blueprint.load("examples/hotel.yaml").render(max_columns=6).svg
    assert 'id="continue&#45;A&#45;out"' in svg and 'id="continue&#45;A&#45;in&#45;customer"' in svg  # Graphviz escapes '-'
    assert "the arrow goes on in another row" in svg
    with pytest.raises(ValueError, match="max_columns must be at least 1"):
        blueprint.load("examples/hotel.yaml").render(max_columns=0)


def test_a_label_with_another_arrow_between_it_and_its_own_is_the_last_resort() -> None:
    # a rework arrow (own) runs 7 points under a hand-off (other): a label above the pair reads as the
    # hand-off's, so any free spot with nothing between it and its own arrow is taken before it
    own = Route("own", "a", "b", [(0.0, 107.0), (300.0, 107.0)])
    other = Route("other", "b", "a", [(0.0, 100.0), (300.0, 100.0)])
    below = Rect(0.0, 109.0, 300.0, 200.0)  # nothing fits under the pair
    frame = Rect(-100.0, 0.0, 400.0, 400.0)
    placed = place_labels([(own, "10% · fails the check")], obstacles=[below], frame=frame, routes=[other])["own"]
    assert placed.rect is not None and placed.rect.bottom < 100.0 and placed.crowded  # across: flagged, room wanted
    # with a spot further along (a vertical stretch on the right), that one is taken instead
    own = Route("own", "a", "b", [(0.0, 107.0), (300.0, 107.0), (300.0, 250.0)])
    placed = place_labels([(own, "10% · fails the check")], obstacles=[below], frame=frame, routes=[other])["own"]
    assert placed.rect is not None and placed.rect.top > 109.0 and not placed.crowded  # beside the vertical


def test_a_label_is_not_put_across_a_lane_line_from_its_arrow() -> None:
    # an arrow running just under the line of interaction: a label over the line would read as the lane's above
    line = Rect(-100.0, 99.0, 400.0, 101.0)
    below = Rect(0.0, 107.0, 300.0, 200.0)
    frame = Rect(-100.0, 0.0, 400.0, 400.0)
    own = Route("own", "a", "b", [(0.0, 105.0), (300.0, 105.0), (300.0, 250.0)])
    placed = place_labels([(own, "otherwise · asks for an agent")], obstacles=[below], frame=frame, dividers=[line])["own"]
    assert placed.rect is not None and placed.rect.top > 107.0 and not placed.crowded


@pytest.mark.parametrize(("n", "most", "sizes"), [(14, 4, [4, 4, 3, 3]), (6, 5, [3, 3]), (7, 7, [7]), (10, 3, [3, 3, 2, 2])])
def test_rows_are_as_even_as_they_can_be(n: int, most: int, sizes: list[int]) -> None:
    bp = blueprint.Blueprint("Walk")
    steps = [bp.customer(f"Step {i}") for i in range(n)]
    for a, b in itertools.pairwise(steps):
        _ = a >> b
    layout = compute_layout(bp)
    wrap_rows(layout, most)
    rows = [layout.row_of(s.id) for s in steps]
    assert [rows.count(r) for r in range(max(rows) + 1)] == sizes
    assert rows == sorted(rows)  # the journey reads row after row


def test_a_label_named_as_a_footnote_goes_to_one_even_with_room() -> None:
    r = Route("flow-0", "a", "b", [(0.0, 100.0), (600.0, 100.0)])
    frame = Rect(-100.0, 0.0, 700.0, 400.0)
    inline = place_labels([(r, "a label")], obstacles=[], frame=frame)["flow-0"]
    assert inline.footnote is None and inline.rect is not None
    noted = place_labels([(r, "a label")], obstacles=[], frame=frame, as_footnotes=["flow-0"])["flow-0"]
    assert noted.footnote == 1 and noted.rect is not None  # the number beside the arrow, the text in the legend
