"""Orthogonal arrows on the diagram's grid: a router of our own, so Graphviz only draws.

The boxes of a blueprint sit on a lane × column grid, so the free space is a
set of channels: the gaps between columns (vertical) and the padding above
and below the boxes of each lane (horizontal). Arrows run along the lines of
those channels and along the centre lines of the boxes, which is how they
leave and enter a box (the middle of one of its sides).

:func:`route` finds each arrow's path with a shortest-path search over the
crossings of those lines, costing length, bends, crossings of arrows already
routed and channel segments already used, so short arrows go straight and
long ones go around boxes, never through them. :func:`spread` then moves
arrows that share a stretch of channel apart, so each can be followed.

All lengths are in points, y grows downwards.

>>> boxes = {"a": Rect(0, 0, 100, 50), "b": Rect(150, 0, 250, 50)}
>>> grid = Grid(xs=[-20, 50, 125, 200, 270], ys=[-15, 25, 65])
>>> routes = route(grid, boxes, [("a-b", "a", "b")])
>>> routes["a-b"].points
[(100.0, 25.0), (150.0, 25.0)]
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import statistics
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["Budget", "Grid", "Rect", "RectIndex", "Route", "TooDenseToDraw", "crossings", "route", "spread", "to_bezier"]

#: What a bend costs, in points of length.
BEND = 60.0
#: What crossing an arrow already drawn costs.
CROSSING = 400.0
#: What running along a stretch of channel another arrow uses costs, per stretch.
SHARED = 25.0
#: How far apart arrows sharing a channel are drawn.
SPACING = 9.0
#: How far (points) a spread arrow keeps from a box it does not join, where the channel allows.
CLEARANCE = 5.0

H, V = 0, 1  # directions of travel: horizontal, vertical
Point = tuple[float, float]
#: The search steps one diagram may take over all its tries (about half a minute): the work of routing grows with
#: the arrows times the grid, so a blueprint of hundreds of crossing arrows would otherwise route for hours.
ROUTE_STEPS = 1_500_000


class TooDenseToDraw(ValueError):
    """The arrows of a blueprint need more routing than :data:`ROUTE_STEPS` allows: too many, crossing too much,
    to be drawn readably."""


@dataclass
class Budget:
    """The search steps left for routing a diagram (counted, not timed, so a drawing is the same on any machine).

    >>> b = Budget(10); b.spend(4); b.used
    4
    """

    steps: int = ROUTE_STEPS
    used: int = 0
    arrows: int = 0  # for the message: how many arrows were being routed

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.steps:
            raise TooDenseToDraw(
                f"the diagram's {self.arrows:,} arrows need more routing than it allows ({self.steps:,} search steps): "
                "too many flows cross for a readable drawing; draw the journey in parts (blueprints of fewer steps "
                "and flows)")


@dataclass(frozen=True)
class Rect:
    """A box: left, top, right, bottom (y grows downwards)."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.left + self.right) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    def contains(self, x: float, y: float, margin: float = 0.0) -> bool:
        """Strictly inside, shrunk by ``margin``."""
        return self.left + margin < x < self.right - margin and self.top + margin < y < self.bottom - margin


@dataclass
class Grid:
    """The lines arrows may run along: ``xs`` vertical lines, ``ys`` horizontal ones (each sorted)."""

    xs: list[float]
    ys: list[float]

    def __post_init__(self) -> None:
        self.xs = sorted(set(float(x) for x in self.xs))
        self.ys = sorted(set(float(y) for y in self.ys))


@dataclass
class Route:
    """An arrow's path: the points of an orthogonal polyline from the tail's side to the head's."""

    id: str
    tail: str
    head: str
    points: list[Point] = field(default_factory=list)

    def segments(self) -> list[tuple[Point, Point]]:
        return list(itertools.pairwise(self.points))


def _blocked_points(grid: Grid, boxes: dict[str, Rect]) -> dict[tuple[int, int], str]:
    """Grid nodes inside a box, with the box's id."""
    inside: dict[tuple[int, int], str] = {}
    for name, r in boxes.items():
        i0 = _first_above(grid.xs, r.left)
        j0 = _first_above(grid.ys, r.top)
        for i in range(i0, len(grid.xs)):
            if grid.xs[i] >= r.right:
                break
            for j in range(j0, len(grid.ys)):
                if grid.ys[j] >= r.bottom:
                    break
                inside[(i, j)] = name
    return inside


def _first_above(values: Sequence[float], v: float) -> int:
    """Index of the first value strictly greater than ``v``."""
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if values[mid] <= v:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _nearest(values: Sequence[float], v: float) -> int:
    i = _first_above(values, v)
    if i == 0:
        return 0
    if i == len(values):
        return len(values) - 1
    return i if values[i] - v < v - values[i - 1] else i - 1


class _Usage:
    """What the arrows routed so far occupy: grid edges (by direction) and nodes passed straight through."""

    def __init__(self) -> None:
        self.edges: dict[tuple[tuple[int, int], tuple[int, int]], int] = defaultdict(int)
        self.through: dict[tuple[int, int], set[int]] = defaultdict(set)

    def add(self, nodes: list[tuple[int, int]]) -> None:
        for a, b in itertools.pairwise(nodes):
            self.edges[(min(a, b), max(a, b))] += 1
        for k in range(1, len(nodes) - 1):
            a, n, b = nodes[k - 1], nodes[k], nodes[k + 1]
            d_in = H if a[1] == n[1] else V
            d_out = H if n[1] == b[1] else V
            self.through[n].add(d_in)
            self.through[n].add(d_out)


def route(grid: Grid, boxes: dict[str, Rect], edges: Iterable[tuple[str, str, str]], *,
          window: float = 1.0, avoid: Iterable[Rect] = (), direct: Iterable[str] = (),
          budget: Budget | None = None) -> dict[str, Route]:
    """Route each ``(id, tail, head)`` arrow between boxes along the grid's lines, in the order given.

    ``window`` bounds the search: a route stays within the box span of its ends widened by
    ``window`` times that span (and at least 3 lines) on each side, which keeps routing linear
    in the number of arrows. The centre lines of every box must be grid lines: then a path
    between two grid nodes outside the boxes never crosses one, and checking nodes is enough.
    ``avoid`` are smaller things arrows must not run through (markers, their text): a stretch of
    grid line through one is not used. The arrows named in ``direct`` (connectors) go the short way
    even across other arrows: a crossing costs them a tenth of what it costs an arrow. The search steps
    are counted against ``budget`` (:class:`TooDenseToDraw` when it runs out; a fresh one by default).
    """
    budget = budget if budget is not None else Budget()
    edges = list(edges)
    budget.arrows = len(edges)
    straight = set(direct)
    blocked = _blocked_points(grid, boxes)
    closed = _closed_edges(grid, list(avoid))
    usage = _Usage()
    out: dict[str, Route] = {}
    for edge_id, tail, head in edges:
        a, b = boxes[tail], boxes[head]
        nodes = _search(grid, blocked, closed, usage, a, b, tail, head, window,
                        CROSSING / 10 if edge_id in straight else CROSSING, budget)
        usage.add(nodes)
        pts = [(grid.xs[i], grid.ys[j]) for i, j in nodes]
        out[edge_id] = Route(edge_id, tail, head, _clip(_simplify(pts), a, b))
    return out


def _closed_edges(grid: Grid, avoid: list[Rect]) -> set[tuple[tuple[int, int], tuple[int, int]]]:
    """The stretches between neighbouring grid nodes that pass through one of ``avoid``."""
    closed: set[tuple[tuple[int, int], tuple[int, int]]] = set()
    xs, ys = grid.xs, grid.ys
    for r in avoid:
        # horizontal lines through the rectangle: the stretches overlapping it in x
        for j in range(_first_above(ys, r.top), _first_above(ys, r.bottom - 1e-9)):
            for i in range(max(0, _first_above(xs, r.left) - 1), min(len(xs) - 1, _first_above(xs, r.right - 1e-9))):
                closed.add(((i, j), (i + 1, j)))
        for i in range(_first_above(xs, r.left), _first_above(xs, r.right - 1e-9)):
            for j in range(max(0, _first_above(ys, r.top) - 1), min(len(ys) - 1, _first_above(ys, r.bottom - 1e-9))):
                closed.add(((i, j), (i, j + 1)))
    return closed


def _search(grid: Grid, blocked: dict[tuple[int, int], str], closed: set[tuple[tuple[int, int], tuple[int, int]]],
            usage: _Usage, a: Rect, b: Rect, tail: str, head: str, window: float,
            crossing: float = CROSSING, budget: Budget | None = None) -> list[tuple[int, int]]:
    xs, ys = grid.xs, grid.ys
    start = (_nearest(xs, a.cx), _nearest(ys, a.cy))
    goal = (_nearest(xs, b.cx), _nearest(ys, b.cy))
    if start == goal:
        return [start]
    lo_x, hi_x = min(a.left, b.left), max(a.right, b.right)
    lo_y, hi_y = min(a.top, b.top), max(a.bottom, b.bottom)
    span_x, span_y = hi_x - lo_x, hi_y - lo_y
    i_lo = max(0, min(_first_above(xs, lo_x - window * span_x) - 1, start[0] - 3, goal[0] - 3))
    i_hi = min(len(xs) - 1, max(_first_above(xs, hi_x + window * span_x), start[0] + 3, goal[0] + 3))
    j_lo = max(0, min(_first_above(ys, lo_y - window * span_y) - 1, start[1] - 3, goal[1] - 3))
    j_hi = min(len(ys) - 1, max(_first_above(ys, hi_y + window * span_y), start[1] + 3, goal[1] + 3))

    def in_end_box(n: tuple[int, int]) -> bool:
        owner = blocked.get(n)
        return owner is not None and (owner == tail or owner == head)

    # state: (node, direction of arrival); -1 = not moved yet
    best: dict[tuple[tuple[int, int], int], float] = {(start, -1): 0.0}
    came: dict[tuple[tuple[int, int], int], tuple[tuple[int, int], int] | None] = {(start, -1): None}
    counter = itertools.count()
    heap: list[tuple[float, int, float, tuple[int, int], int]] = [(0.0, next(counter), 0.0, start, -1)]
    gx, gy = xs[goal[0]], ys[goal[1]]
    end_state: tuple[tuple[int, int], int] | None = None
    popped = 0
    while heap:
        _, _, cost, node, d = heapq.heappop(heap)
        popped += 1
        if popped % 4096 == 0 and budget is not None:
            budget.spend(4096)
        if cost > best.get((node, d), float("inf")):
            continue
        if node == goal:
            end_state = (node, d)
            break
        i, j = node
        node_in_end = in_end_box(node)
        through = None if node_in_end else usage.through.get(node)
        for di, dj, nd in ((1, 0, H), (-1, 0, H), (0, 1, V), (0, -1, V)):
            n2 = (i + di, j + dj)
            if not (i_lo <= n2[0] <= i_hi and j_lo <= n2[1] <= j_hi):
                continue
            owner = blocked.get(n2)
            if owner is not None and owner != tail and owner != head:
                continue  # another box
            key = (node, n2) if node < n2 else (n2, node)
            if key in closed:
                continue
            length = abs(xs[n2[0]] - xs[i]) + abs(ys[n2[1]] - ys[j])
            if node_in_end or owner is not None:
                length *= 0.25  # inside an end box: where it leaves matters, not how far the centre is
            step = length
            if d != -1 and d != nd:
                step += BEND
            if through is not None and (nd ^ 1) in through:
                step += crossing
            shared = usage.edges.get(key)
            if shared:
                step += SHARED * shared
            new = cost + step
            if new < best.get((n2, nd), float("inf")):
                best[(n2, nd)] = new
                came[(n2, nd)] = (node, d)
                h = abs(xs[n2[0]] - gx) + abs(ys[n2[1]] - gy)
                heapq.heappush(heap, (new + 0.25 * h, next(counter), new, n2, nd))
    if budget is not None:
        budget.spend(popped % 4096)
    if end_state is None:  # no way round within the window: search everything
        if window < 50:
            return _search(grid, blocked, closed, usage, a, b, tail, head, window * 4 + 50, crossing, budget)
        return [start, goal]
    nodes: list[tuple[int, int]] = []
    state: tuple[tuple[int, int], int] | None = end_state
    while state is not None:
        nodes.append(state[0])
        state = came[state]
    return nodes[::-1]


def _simplify(points: list[Point]) -> list[Point]:
    """Drop the middle points of straight runs."""
    out: list[Point] = []
    for p in points:
        if len(out) >= 2 and ((out[-2][0] == out[-1][0] == p[0]) or (out[-2][1] == out[-1][1] == p[1])):
            out[-1] = p
        elif not out or out[-1] != p:
            out.append(p)
    return out


def _clip(points: list[Point], a: Rect, b: Rect) -> list[Point]:
    """Start and end the path where it leaves its tail's box and enters its head's, instead of at their centres."""
    if len(points) < 2:
        return points
    pts = _from_exit(list(points), a)
    return _from_exit(pts[::-1], b)[::-1]


def _from_exit(pts: list[Point], r: Rect) -> list[Point]:
    """The path from where it first leaves ``r`` (it starts inside)."""
    for k in range(len(pts) - 1):
        if not r.contains(*pts[k + 1]):
            return [_to_side(pts[k], pts[k + 1], r)] + pts[k + 1:]
    return pts


def _to_side(inside: Point, toward: Point, r: Rect) -> Point:
    x, y = inside
    tx, ty = toward
    if tx > x:
        return (float(min(r.right, tx)), y)
    if tx < x:
        return (float(max(r.left, tx)), y)
    if ty > y:
        return (x, float(min(r.bottom, ty)))
    return (x, float(max(r.top, ty)))


def spread(routes: dict[str, Route], spacing: float = SPACING, boxes: dict[str, Rect] | None = None) -> None:
    """Move apart the arrows that share a stretch of the same line, in place.

    Segments on one line whose spans overlap are given offsets ``spacing`` apart,
    centred on the line, in a stable order (by where they come from, so two arrows
    that run side by side do not cross on the way). The first and last segments move
    along the side of their box, so the arrow still starts and ends on it; with ``boxes``
    given, never past the box's corner.
    """
    lines: dict[tuple[int, float], list[tuple[str, int]]] = defaultdict(list)
    for rid, r in routes.items():
        for k, (p, q) in enumerate(r.segments()):
            if p[1] == q[1] and p[0] != q[0]:
                lines[(H, round(p[1], 3))].append((rid, k))
            elif p[0] == q[0] and p[1] != q[1]:
                lines[(V, round(p[0], 3))].append((rid, k))
    groups = _merged_lines(lines, spacing * 0.7)
    index = roomy = None
    if boxes:
        index, roomy = RectIndex(120.0), RectIndex(120.0)
        for name, b in boxes.items():  # a hair inside, so that touching a box's side is not running through it
            index.add(Rect(b.left + 0.5, b.top + 0.5, b.right - 0.5, b.bottom - 0.5), name)
            roomy.add(Rect(b.left - CLEARANCE, b.top - CLEARANCE, b.right + CLEARANCE, b.bottom + CLEARANCE), name)

    def allowed(rid: str, k: int, off: float, clear: bool = False) -> float | None:
        """``off`` as far as the segment's ends allow, or None if the moved segment runs into a box (with
        ``clear``, or within :data:`CLEARANCE` of one: it would seem to enter or leave it)."""
        r = routes[rid]
        p, q = r.points[k], r.points[k + 1]
        if index is None or roomy is None or boxes is None:
            return off
        off = _keep_on_side(off, p, q, [boxes.get(r.tail) if k == 0 else None,
                                        boxes.get(r.head) if k == len(r.points) - 2 else None])
        moved = _moved(p, q, off)
        near = (roomy if clear else index).hits(_segment(*moved), {r.tail, r.head})
        return None if near or _end_crossed(r, k, moved, boxes) else off

    def base(m: tuple[str, int], d: int) -> float:
        """Where a segment lies across its direction (y of a horizontal one, x of a vertical one)."""
        return routes[m[0]].points[m[1]][1 if d == H else 0]

    shifts: dict[tuple[str, int], float] = {}
    for d, members in groups:
        for cluster in _overlapping(routes, d, members):
            if len(cluster) < 2:
                continue
            cluster.sort(key=functools.cmp_to_key(functools.partial(_side_of, routes, d)))
            n = len(cluster)
            # lines closer than a spacing are one channel: the segments are placed around its middle
            middle = float(statistics.median([base(m, d) for m in cluster]))
            taken: list[float] = []  # where the segments placed so far lie
            for rank, m in enumerate(cluster):
                own = base(m, d)
                want = (rank - (n - 1) / 2) * spacing
                # the wanted place; else the nearest one a full spacing from those already given (a narrow
                # channel beside a box pushes the arrows to its other side); else less spread, never onto another
                tries = [want] + sorted((want + j * spacing for j in range(-n, n + 1) if j), key=lambda o: abs(o - want))
                tries += [want * 2 / 3, want / 3, 0.0]
                for clear, o in [(True, o) for o in tries] + [(False, o) for o in tries]:  # clear of boxes if can be
                    got = allowed(m[0], m[1], middle + o - own, clear)
                    if got is not None and all(abs(own + got - t) >= spacing * 0.7 for t in taken):
                        break
                else:
                    got = allowed(m[0], m[1], middle + want / 3 - own) or 0.0
                shifts[m] = got
                taken.append(own + got)
    for rid, r in routes.items():
        pts = [list(p) for p in r.points]
        for k, (p, q) in enumerate(r.segments()):
            off = shifts.get((rid, k))
            if not off:
                continue
            if p[1] == q[1]:  # horizontal: move both ends in y
                pts[k][1] += off
                pts[k + 1][1] += off
            else:
                pts[k][0] += off
                pts[k + 1][0] += off
        r.points = [(float(x), float(y)) for x, y in pts]


def _merged_lines(lines: dict[tuple[int, float], list[tuple[str, int]]],
                  within: float) -> list[tuple[int, list[tuple[str, int]]]]:
    """The segments of each direction grouped by line, lines less than ``within`` apart taken as one (two
    arrows on neighbouring grid lines a fraction of a point apart would otherwise be drawn as one)."""
    out: list[tuple[int, list[tuple[str, int]]]] = []
    for d in (H, V):
        coords = sorted(c for dd, c in lines if dd == d)
        last = -math.inf
        for c in coords:
            if c - last >= within or not out or out[-1][0] != d:
                out.append((d, []))
            out[-1][1].extend(lines[(d, c)])
            last = c
    return out


def _segment(p: Point, q: Point) -> Rect:
    """The (flat) rectangle a segment covers."""
    return Rect(min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]))


def _end_crossed(r: Route, k: int, moved: tuple[Point, Point], boxes: dict[str, Rect]) -> bool:
    """Whether moving stretch ``k`` of ``r`` to ``moved`` makes its first or last stretch cross its own end box:
    the stretch next to an end sets where the end's stretch starts, which must still reach its box from
    outside (not run past a marker and back into it from its far side)."""
    if k == 1 and r.tail in boxes and _crosses(r.points[0], moved[0], boxes[r.tail]):
        return True
    return k == len(r.points) - 3 and r.head in boxes and _crosses(moved[1], r.points[-1], boxes[r.head])


def _crosses(p: Point, q: Point, r: Rect) -> bool:
    """Whether the axis-parallel segment ``p``–``q`` runs through the inside of ``r`` (more than touching it).

    >>> _crosses((40, 5), (10, 5), Rect(10, 0, 30, 10)), _crosses((0, 5), (10, 5), Rect(10, 0, 30, 10))
    (True, False)
    """
    seg = _segment(p, q)
    return (min(seg.right, r.right) - max(seg.left, r.left) > 1.0 and seg.top < r.bottom - 1.0 and seg.bottom > r.top + 1.0) or \
           (min(seg.bottom, r.bottom) - max(seg.top, r.top) > 1.0 and seg.left < r.right - 1.0 and seg.right > r.left + 1.0)


def _moved(p: Point, q: Point, off: float) -> tuple[Point, Point]:
    """Segment ``p``–``q`` moved ``off`` across itself."""
    if p[1] == q[1]:
        return (p[0], p[1] + off), (q[0], q[1] + off)
    return (p[0] + off, p[1]), (q[0] + off, q[1])


class RectIndex:
    """Rectangles in a coarse grid of buckets, for fast overlap queries."""

    def __init__(self, cell: float = 80.0) -> None:
        self.cell = cell
        self.buckets: dict[tuple[int, int], list[tuple[Rect, str]]] = {}

    def _keys(self, r: Rect) -> Iterable[tuple[int, int]]:
        c = self.cell
        for i in range(int(r.left // c), int(r.right // c) + 1):
            for j in range(int(r.top // c), int(r.bottom // c) + 1):
                yield (i, j)

    def add(self, r: Rect, owner: str = "") -> None:
        for k in self._keys(r):
            self.buckets.setdefault(k, []).append((r, owner))

    def hits(self, r: Rect, ignore: str | Collection[str] | None = None) -> bool:
        """Whether ``r`` overlaps a rectangle (strictly, beyond a hair) not owned by ``ignore`` (an owner,
        or several)."""
        skip = {ignore} if isinstance(ignore, str) else set(ignore or ())
        for k in self._keys(r):
            for other, owner in self.buckets.get(k, ()):
                if owner in skip:
                    continue
                if overlap(r, other):
                    return True
        return False


def overlap(a: Rect, b: Rect) -> bool:
    """Do two rectangles overlap, beyond a hair?"""
    return a.left < b.right - 0.01 and b.left < a.right - 0.01 and a.top < b.bottom - 0.01 and b.top < a.bottom - 0.01


def _keep_on_side(off: float, p: Point, q: Point, ends: list[Rect | None]) -> float:
    """``off`` reduced so that a segment's end on a box's side stays on that side (2 pt from its corners)."""
    axis = 1 if p[1] == q[1] else 0
    here = p[axis]
    sides = [(r.top, r.bottom) if axis == 1 else (r.left, r.right) for r in ends if r is not None]
    if not sides:
        return off
    lo = max(a + 2 for a, _ in sides)
    hi = min(b - 2 for _, b in sides)
    if lo > hi:
        return 0.0
    return min(max(here + off, lo), hi) - here


def _span(r: Route, k: int, d: int) -> tuple[float, float]:
    p, q = r.points[k], r.points[k + 1]
    lo, hi = (p[0], q[0]) if d == H else (p[1], q[1])
    return (min(lo, hi), max(lo, hi))


def _overlapping(routes: dict[str, Route], d: int, members: list[tuple[str, int]]) -> list[list[tuple[str, int]]]:
    """Clusters of segments on one line whose spans overlap (touching ends do not)."""
    items = sorted(members, key=lambda m: _span(routes[m[0]], m[1], d))
    clusters: list[list[tuple[str, int]]] = []
    end = float("-inf")
    for m in items:
        lo, hi = _span(routes[m[0]], m[1], d)
        if clusters and lo < end - 1e-6:
            clusters[-1].append(m)
            end = max(end, hi)
        else:
            clusters.append([m])
            end = hi
    return clusters


def _ends(r: Route, k: int, d: int) -> list[tuple[float, int]]:
    """Segment ``k``'s two ends: where each lies along the segment, and the side the arrow turns to there
    (+1 right or down, -1 left or up, 0 none: the arrow ends on a box)."""
    pts = r.points
    along, across = (0, 1) if d == H else (1, 0)

    def turn(here: Point, other: Point | None) -> int:
        return 0 if other is None else (other[across] > here[across]) - (other[across] < here[across])

    return [(pts[k][along], turn(pts[k], pts[k - 1] if k > 0 else None)),
            (pts[k + 1][along], turn(pts[k + 1], pts[k + 2] if k + 2 < len(pts) else None))]


def _side_of(routes: dict[str, Route], d: int, a: tuple[str, int], b: tuple[str, int]) -> int:
    """Which of two segments sharing a channel goes on the right (below): +1 ``a``, -1 ``b``. Each end of one
    lying on the other's span votes for the side it turns to, since turning the other way crosses the
    other segment there; an end where both segments end votes twice (turning the other way would
    run along the other arrow). Without votes, :func:`_order_key` decides."""
    ra, rb = routes[a[0]], routes[b[0]]
    ends_a, ends_b = _ends(ra, a[1], d), _ends(rb, b[1], d)
    span_a, span_b = _span(ra, a[1], d), _span(rb, b[1], d)
    votes = 0
    for ends, (lo, hi), sign, others in ((ends_a, span_b, 1, ends_b), (ends_b, span_a, -1, ends_a)):
        for pos, turn in ends:
            if lo - 1e-6 <= pos <= hi + 1e-6:
                weight = 2 if any(abs(pos - o) < 1e-6 for o, _ in others) else 1
                votes += sign * weight * turn
    if votes:
        return 1 if votes > 0 else -1
    ka, kb = _order_key(ra, a[1], d), _order_key(rb, b[1], d)
    return (ka > kb) - (ka < kb)


def _order_key(r: Route, k: int, d: int) -> tuple[float, float]:
    """Order parallel segments so that the one turning off to the lower/right side sits on that side."""
    pts = r.points
    prev = pts[k - 1] if k > 0 else None
    nxt = pts[k + 2] if k + 2 < len(pts) else None
    axis = 1 if d == H else 0  # the coordinate the offset changes
    here = pts[k][axis]
    a = (prev[axis] - here) if prev is not None else 0.0
    b = (nxt[axis] - here) if nxt is not None else 0.0
    return (a + b, b)


def crossings(routes: Iterable[Route]) -> int:
    """Proper crossings between the segments of different routes (shared ends do not count).

    >>> r1 = Route("1", "a", "b", [(0, 5), (10, 5)])
    >>> r2 = Route("2", "c", "d", [(5, 0), (5, 10)])
    >>> crossings([r1, r2])
    1
    """
    segs: list[tuple[int, Point, Point]] = []
    for n, r in enumerate(routes):
        segs += [(n, p, q) for p, q in r.segments()]
    hs = [(n, min(p[0], q[0]), max(p[0], q[0]), p[1]) for n, p, q in segs if p[1] == q[1]]
    vs = [(n, p[0], min(p[1], q[1]), max(p[1], q[1])) for n, p, q in segs if p[0] == q[0]]
    count = 0
    for n1, x0, x1, y in hs:
        for n2, x, y0, y1 in vs:
            if n1 != n2 and x0 < x < x1 and y0 < y < y1:
                count += 1
    return count


def to_bezier(points: Sequence[Point], radius: float = 6.0) -> list[Point]:
    """The control points of a cubic Bézier path (Graphviz's spline form: 3n + 1 points) drawing
    the polyline with its corners rounded by ``radius`` (less where a segment is short).

    >>> to_bezier([(0, 0), (30, 0)])
    [(0.0, 0.0), (10.0, 0.0), (20.0, 0.0), (30.0, 0.0)]
    >>> len(to_bezier([(0, 0), (30, 0), (30, 30)]))
    10
    """
    pts = [(float(x), float(y)) for x, y in points]
    if len(pts) < 2:
        return pts
    out: list[Point] = [pts[0]]

    def line_to(q: Point) -> None:
        p = out[-1]
        out.extend([(p[0] + (q[0] - p[0]) / 3, p[1] + (q[1] - p[1]) / 3),
                    (p[0] + 2 * (q[0] - p[0]) / 3, p[1] + 2 * (q[1] - p[1]) / 3), q])

    for k in range(1, len(pts) - 1):
        p0, p1, p2 = pts[k - 1], pts[k], pts[k + 1]
        len_in = abs(p1[0] - p0[0]) + abs(p1[1] - p0[1])
        len_out = abs(p2[0] - p1[0]) + abs(p2[1] - p1[1])
        r = min(radius, len_in / 2, len_out / 2)
        if r <= 0:
            continue
        din = ((p1[0] - p0[0]) / len_in, (p1[1] - p0[1]) / len_in)
        dout = ((p2[0] - p1[0]) / len_out, (p2[1] - p1[1]) / len_out)
        a = (p1[0] - din[0] * r, p1[1] - din[1] * r)
        b = (p1[0] + dout[0] * r, p1[1] + dout[1] * r)
        line_to(a)
        k_ = 0.5523 * r  # a quarter circle
        out.extend([(a[0] + din[0] * k_, a[1] + din[1] * k_), (b[0] - dout[0] * k_, b[1] - dout[1] * k_), b])
    line_to(pts[-1])
    return out
