"""The arrows of a blueprint diagram: the grid's channels, the routes through them, the splines Graphviz draws.

:func:`channel_grid` turns a :class:`~blueprint.layout.Layout` into the lines
arrows may follow (the centre lines of the boxes, the gaps between columns, the
padding above and below the boxes of each lane). :func:`route_arrows` routes
every arrow along them (:mod:`blueprint.diagram.route`), shortest first so the
short hand-offs get the straight lines, then spreads the arrows that share a
channel. :func:`spline` writes a route as Graphviz's ``pos`` attribute, so
Graphviz draws exactly that path.

>>> from blueprint import Blueprint
>>> from blueprint.layout import compute_layout
>>> bp = Blueprint("Call")
>>> _ = bp.customer("Call") >> bp.customer("Hang up")
>>> routes = route_arrows(compute_layout(bp), [("e", "call", "hang_up")])
>>> len(routes["e"].points)   # a straight arrow between neighbours
2
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from blueprint.layout import COLUMN_GAP, Box, Layout

from .route import Budget, Grid, Rect, Route, route, spread, to_bezier

__all__ = ["ARROWHEAD", "Continuation", "box_rects", "channel_grid", "gap_of", "route_arrows", "spline",
           "split_across_rows", "widen_gaps"]

#: Length of an arrowhead, in points (Graphviz's arrowsize 0.7).
ARROWHEAD = 7.0
#: Length of a mark at an arrow's tail (Graphviz's dot at arrowsize 0.7).
TAIL_MARK = 5.6
#: Height of the loop drawn over a box for an arrow from a step back to itself.
LOOP_HEIGHT = 14.0


def box_rects(layout: Layout, *, evidence: bool = True) -> dict[str, Rect]:
    """Every box of the layout as a :class:`Rect`."""
    return {k: Rect(b.left, b.top, b.right, b.bottom) for k, b in layout.boxes.items() if evidence or b.kind != "evidence"}


def channel_grid(layout: Layout) -> Grid:
    """The lines arrows may follow in ``layout``."""
    xs: list[float] = []
    ys: list[float] = []
    columns: dict[float, tuple[float, float]] = {}  # by centre: the widest left and right of its boxes
    markers: list[Box] = []
    for b in layout.boxes.values():
        if b.kind == "continuation":
            xs.append(b.x)
            ys.append(b.y)
            markers.append(b)
            continue
        left, right = columns.get(b.x, (b.left, b.right))
        columns[b.x] = (min(left, b.left), max(right, b.right))
    ordered = [(left, x, right) for x, (left, right) in sorted(columns.items())]
    xs += [x for _, x, _ in ordered]
    for (_, _, right), (left, _, _) in zip(ordered, ordered[1:], strict=False):
        xs.append((right + left) / 2)
    if ordered:
        # the outer channels: half a column gap out (a widened inner gap would put them past the frame)
        xs += [ordered[0][0] - COLUMN_GAP / 2, ordered[-1][2] + COLUMN_GAP / 2]
    for b in markers:
        # a channel between the markers and the steps, so a marker stacked between two others is still
        # reachable when a box beside it spans its height (unless a line already runs there)
        lo, hi = (b.left - 20.0, b.left - 3.0) if b.id.endswith(":out") else (b.right + 3.0, b.right + 20.0)
        if not any(lo <= x <= hi for x in xs):
            xs.append((lo + hi) / 2)
    for band in layout.bands:
        inside = [b for b in layout.boxes.values()
                  if b.lane is band.lane and b.kind != "continuation" and layout.row_of(b.id) == band.row]
        ys += [b.y for b in inside]
        if inside:
            top = min(b.top for b in inside)
            bottom = max(b.bottom for b in inside)
            ys += [(band.top + top) / 2, (bottom + band.bottom) / 2]
        else:
            ys.append((band.top + band.bottom) / 2)
    return Grid(xs, ys)


def route_arrows(layout: Layout, edges: Iterable[tuple[str, str, str]], *, evidence: bool = True,
                 avoid: Iterable[Rect] = (), later: Iterable[str] = (), budget: Budget | None = None) -> dict[str, Route]:
    """Route ``(id, tail, head)`` arrows between boxes of ``layout``, clear of the ``avoid`` rectangles
    (markers and their text); an arrow from a box to itself is a loop over the box. The arrows named in
    ``later`` (connectors that matter less) are routed after all others. Returns each arrow's
    :class:`Route`, spread apart where arrows share a channel."""
    after = set(later)
    boxes = box_rects(layout, evidence=evidence)
    edges = [e for e in edges if e[1] in boxes and e[2] in boxes]
    loops = [e for e in edges if e[1] == e[2]]
    rest = [e for e in edges if e[1] != e[2]]

    def distance(e: tuple[str, str, str]) -> tuple[bool, float, str]:
        a, b = boxes[e[1]], boxes[e[2]]
        return (e[0] in after, abs(a.cx - b.cx) + abs(a.cy - b.cy), e[0])

    rest.sort(key=distance)
    drawn = {edge_id: _loop(edge_id, step, boxes[step]) for edge_id, step, _ in loops}
    # other arrows keep clear of the loops (a loop on a channel would read as part of the arrow there)
    clear = [Rect(p[0][0] - 4, p[0][1], p[-1][0] + 4, p[1][1] + 4) for p in (r.points for r in drawn.values())]
    avoid = list(avoid)
    routes = route(channel_grid(layout), boxes, rest, avoid=[*avoid, *clear], direct=after, budget=budget)
    # spreading keeps clear of boxes, loops and what the routes avoid (markers, their text)
    spread(routes, boxes={**boxes, **{f"loop:{k}": c for k, c in enumerate(clear)},
                          **{f"avoid:{k}": r for k, r in enumerate(avoid)}})
    routes.update(drawn)
    return routes


def _loop(edge_id: str, step: str, r: Rect) -> Route:
    """An arrow from ``step`` back to itself: a loop under the box, left of centre, clear of the F and W
    markers and the tolerance on top, and of a badge."""
    x0, x1 = r.cx - 0.3 * (r.right - r.left), r.cx - 0.1 * (r.right - r.left)
    return Route(edge_id, step, step, [(x0, r.bottom), (x0, r.bottom + LOOP_HEIGHT), (x1, r.bottom + LOOP_HEIGHT), (x1, r.bottom)])


def spline(points: Sequence[tuple[float, float]], height: float, offset: float = 0.0, *, tail: bool = False,
           head: bool = True) -> str:
    """Graphviz's ``pos`` for an arrow along ``points`` (y down, shifted by ``offset``) on a canvas ``height``
    points tall (Graphviz's y grows upwards): the path ends where the arrowhead begins, and ``e,x,y`` is its
    tip; with ``tail`` (a mark at the tail too, such as the dot of a parallel flow) it starts where that
    mark ends, and ``s,x,y`` is the tail's point. Without ``head`` (a plain connector) the path runs to the end.

    >>> spline([(0, 0), (30, 0)], height=100)
    'e,30.00,100.00 0.00,100.00 7.67,100.00 15.33,100.00 23.00,100.00'
    """
    pts = [(float(x), float(y) + offset) for x, y in points]
    tip, start = pts[-1], pts[0]
    if head:
        pts[-1] = _shorten(pts[-1], pts[-2], ARROWHEAD)
    if tail:
        pts[0] = _shorten(pts[0], pts[1], TAIL_MARK)
    curve = to_bezier(pts)
    ends = (f"s,{start[0]:.2f},{height - start[1]:.2f} " if tail else "")
    ends += f"e,{tip[0]:.2f},{height - tip[1]:.2f} " if head else ""
    return ends + " ".join(f"{x:.2f},{height - y:.2f}" for x, y in curve)


def _shorten(end: tuple[float, float], toward: tuple[float, float], by: float) -> tuple[float, float]:
    """``end`` moved ``by`` points toward ``toward`` (at most 60% of the way)."""
    length = abs(end[0] - toward[0]) + abs(end[1] - toward[1])
    if length == 0:
        return end
    cut = min(by, 0.6 * length)
    return (end[0] + (toward[0] - end[0]) / length * cut, end[1] + (toward[1] - end[1]) / length * cut)


def gap_of(layout: Layout, x0: float, x1: float, row: int = 0) -> int | None:
    """The gap (numbered by the column right of it) a horizontal stretch from ``x0`` to ``x1`` in ``row``
    lies in, or None when it passes a column's centre or runs past the row's last column."""
    lo, hi = min(x0, x1), max(x0, x1)
    centres = sorted({(b.column, b.x) for b in layout.boxes.values()
                      if b.kind != "continuation" and layout.row_of_column.get(b.column, 0) == row})
    if any(lo < x < hi for _, x in centres):
        return None
    right = [c for c, x in centres if x >= hi]
    return right[0] if right else None


def widen_gaps(layout: Layout, extra: dict[int, float]) -> None:
    """Make the gap left of each column in ``extra`` wider by that many points (moving everything right of it)."""
    if not extra:
        return
    for b in layout.boxes.values():
        b.x += sum(e for g, e in extra.items() if g <= b.column)
    layout.right += sum(extra.values())


#: Size of a continuation marker (the circle where an arrow leaves one row and the one where it comes back).
STUB_SIZE = 18.0


@dataclass
class Continuation:
    """An arrow between two rows of a wrapped journey, drawn as two: ``tail`` to the marker ``out`` at the
    end of the tail's row, and the marker ``inn`` at the start of the head's row to ``head``; both
    markers show ``letter``."""

    edge: str
    letter: str
    out: str
    inn: str

    @property
    def rest(self) -> str:
        """The id of the second part (from ``inn`` to the head)."""
        return f"{self.edge}-continued"


def split_across_rows(layout: Layout, edges: Sequence[tuple[str, str, str]]) -> tuple[list[tuple[str, str, str]], dict[str, Continuation]]:
    """Split each arrow between two rows into two arrows through continuation markers, which are added to
    ``layout.boxes`` (kind ``"continuation"``, in the tail's and the head's lane). Returns the arrows to
    route and the continuations by arrow id."""
    if layout.rows <= 1:
        return list(edges), {}
    out: list[tuple[str, str, str]] = []
    found: dict[str, Continuation] = {}
    letters = _letters()
    by_tail: dict[tuple[str, int], str] = {}  # one letter for the arrows leaving a step for one row
    for edge_id, tail, head in edges:
        if tail == head or layout.row_of(tail) == layout.row_of(head):
            out.append((edge_id, tail, head))
            continue
        key = (tail, layout.row_of(head))
        if key not in by_tail:
            by_tail[key] = next(letters)
        letter = by_tail[key]
        a, b = layout.boxes[tail], layout.boxes[head]
        c = Continuation(edge_id, letter, f"continue:{letter}:out", f"continue:{letter}:in:{b.lane.value}")
        if c.out not in layout.boxes:
            right = max(x.right for x in layout.boxes.values() if layout.row_of(x.id) == layout.row_of(tail) and x.kind == "step")
            layout.boxes[c.out] = _free_spot(layout, Box(c.out, "continuation", a.lane, a.column,
                                                         x=right + COLUMN_GAP / 2 + STUB_SIZE, y=a.y,
                                                         width=STUB_SIZE, height=STUB_SIZE), layout.row_of(tail))
        if c.inn not in layout.boxes:
            left = min(x.left for x in layout.boxes.values() if layout.row_of(x.id) == layout.row_of(head) and x.kind == "step")
            layout.boxes[c.inn] = _free_spot(layout, Box(c.inn, "continuation", b.lane, b.column,
                                                         x=left - COLUMN_GAP / 2 - STUB_SIZE, y=b.y,
                                                         width=STUB_SIZE, height=STUB_SIZE), layout.row_of(head))
        out += [(edge_id, tail, c.out), (c.rest, c.inn, head)]
        found[edge_id] = c
    return out, found


def _free_spot(layout: Layout, stub: Box, row: int) -> Box:
    """``stub`` moved to the nearest free spot in its row: in its own lane first (below, then above where
    it was asked for, a marker apart), then in the nearest other lane, never out of its band and never on
    another marker or box; a lane full of markers sends the rest to its neighbours, not off the frame."""
    pitch = STUB_SIZE + 6
    half = STUB_SIZE / 2 + 2
    taken = [b for b in layout.boxes.values() if layout.row_of_column.get(b.column, 0) == row or b.kind == "continuation"]

    def free(y: float) -> bool:
        for b in taken:
            if b.kind == "continuation":
                if abs(b.x - stub.x) < STUB_SIZE and abs(b.y - y) < STUB_SIZE + 4:
                    return False
            elif b.left - half < stub.x < b.right + half and b.top - half < y < b.bottom + half:
                return False
        return True

    bands = sorted((b for b in layout.bands if b.row == row), key=lambda b: (b.lane is not stub.lane, abs((b.top + b.bottom) / 2 - stub.y)))
    for band in bands:
        y0 = stub.y if band.lane is stub.lane else (band.top + band.bottom) / 2
        for k in range(1, 2 * int((band.bottom - band.top) / pitch) + 2):
            y = y0 + (k // 2) * pitch * (-1 if k % 2 else 1)
            if band.top + half <= y <= band.bottom - half and free(y):
                stub.y, stub.lane = y, band.lane
                return stub
    while not free(stub.y):  # every lane of the row full (dozens of markers): stack down
        stub.y += pitch
    return stub


def _letters() -> Iterator[str]:
    """A, B, ..., Z, AA, AB, ..."""
    n = 0
    while True:
        k, text = n, ""
        while True:
            text = string.ascii_uppercase[k % 26] + text
            k = k // 26 - 1
            if k < 0:
                break
        yield text
        n += 1
