"""Labels placed, not left to chance: each in a free spot next to its arrow.

A label's candidate spots run along its arrow, from the tail (where a branch is
chosen, so "30% · takes the survey" sits where the arrow leaves): above and below a
horizontal stretch, left and right of a vertical one. The first spot that touches
no box, no other label, no marker, no lane line and no arrow (its own included,
so the text sits beside its line, not on it) is taken. A label with no free spot
gets a numbered footnote marker instead, and the caller lists the text in the legend.

>>> from blueprint.diagram.route import Rect, Route
>>> r = Route("e", "a", "b", [(100, 25), (300, 25)])
>>> placed = place_labels([(r, "30% · takes the survey")], obstacles=[], frame=Rect(0, 0, 400, 200))
>>> p = placed["e"]
>>> p.footnote is None and p.rect.bottom <= 25 and p.rect.left >= 100
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from blueprint.layout import SMALL_FONT_SIZE, text_width

from .route import Point, Rect, RectIndex, Route, overlap

__all__ = ["LABEL_HEIGHT", "Placed", "label_size", "place_labels"]

#: Height of a one-line label at the small font size.
LABEL_HEIGHT = 12.0
#: Space kept between a label and its arrow.
GAP = 2.5
#: Space kept between a label and anything else.
CLEARANCE = 1.5
#: Distance within which another arrow makes a label ambiguous.
NEAR = 6.0
#: What crowding another arrow costs a spot, in places down the list of candidates.
CROWDED = 60.0
#: What another arrow between a label and its own costs a spot (it reads as that arrow's label).
ACROSS = 1000.0
#: How much further out a label may sit, to clear arrows running beside its own.
_OFFSETS = (0.0, 7.0, 14.0, 21.0)


@dataclass
class Placed:
    """Where a label went: its box (``rect``); a footnote number when its text found no free spot (``rect``
    is then the spot of the number, or None when even that found none)."""

    id: str
    text: str
    rect: Rect | None
    footnote: int | None = None
    crowded: bool = False  # the spot is within a few points of another arrow

    @property
    def x(self) -> float:
        return self.rect.cx if self.rect is not None else math.nan

    @property
    def y(self) -> float:
        return self.rect.cy if self.rect is not None else math.nan


def label_size(text: str, size: float = SMALL_FONT_SIZE) -> tuple[float, float]:
    """Width and height of a one-line label, in points."""
    return text_width(text, size) + 4.0, LABEL_HEIGHT


def _segment_rect(p: Point, q: Point, half: float = 0.8) -> Rect:
    return Rect(min(p[0], q[0]) - half, min(p[1], q[1]) - half, max(p[0], q[0]) + half, max(p[1], q[1]) + half)


def _candidates(route: Route, w: float, h: float) -> list[tuple[Rect, Rect]]:
    """Spots along the arrow, tail first: beside each stretch at several places along it; each with the strip
    between it and its arrow (where another arrow would come between the label and its own)."""
    out: list[tuple[Rect, Rect]] = []
    segs = route.segments()
    order = list(range(len(segs)))
    for k in order:
        (x0, y0), (x1, y1) = segs[k]
        length = abs(x1 - x0) + abs(y1 - y0)
        if length < 4:
            continue
        for t in (0.5, 0.3, 0.7, 0.15, 0.85, 0.0, 1.0):
            x = x0 + (x1 - x0) * t
            y = y0 + (y1 - y0) * t
            for extra in _OFFSETS:  # beside the arrow, then beside the arrows running next to it
                d = GAP + extra
                if y0 == y1:  # horizontal: above, then below, the text centred on the spot
                    if length < w + 2 * GAP and t != 0.5:
                        continue
                    cx = min(max(x, min(x0, x1) + w / 2), max(x0, x1) - w / 2) if length >= w else (x0 + x1) / 2
                    out.append((Rect(cx - w / 2, y - d - h, cx + w / 2, y - d), Rect(cx - w / 2, y - d, cx + w / 2, y - _OWN)))
                    out.append((Rect(cx - w / 2, y + d, cx + w / 2, y + d + h), Rect(cx - w / 2, y + _OWN, cx + w / 2, y + d)))
                else:  # vertical: right, then left
                    cy = min(max(y, min(y0, y1) + h / 2), max(y0, y1) - h / 2) if length >= h else (y0 + y1) / 2
                    out.append((Rect(x + d, cy - h / 2, x + d + w, cy + h / 2), Rect(x + _OWN, cy - h / 2, x + d, cy + h / 2)))
                    out.append((Rect(x - d - w, cy - h / 2, x - d, cy + h / 2), Rect(x - d, cy - h / 2, x - _OWN, cy + h / 2)))
    return out


_OWN = 1.0  # the half-width of an arrow's own stretch, left out of the strip between it and its label


def place_labels(labels: Sequence[tuple[Route | Sequence[Route], str]], *, obstacles: Iterable[Rect], frame: Rect,
                 routes: Iterable[Route] = (), dividers: Iterable[Rect] = (), as_footnotes: Iterable[str] = (),
                 size: float = SMALL_FONT_SIZE) -> dict[str, Placed]:
    """Place each ``(route, text)`` label in the first free spot along its route, in the order given
    (``route`` may be a list of routes tried in turn: the two parts of an arrow continued in another row;
    the label is filed under the first one's id).

    ``obstacles`` are boxes, markers, lane lines and anything else text must not cover; every
    route in ``routes`` (and the labelled routes) is an obstacle too, and so are the ``dividers`` (the
    lane lines), which moreover must not come between a label and its arrow (the label would read as the
    next lane's). The labels of the routes named in ``as_footnotes`` (too long to read beside an arrow) go
    straight to footnotes, as does a label that finds no free
    spot gets ``footnote`` numbers 1, 2, ... and a small spot of its own for the number.
    """
    index = RectIndex()
    for box in obstacles:
        index.add(box)
    for line in dividers:
        index.add(line, owner="divider")
    parts = [[r] if isinstance(r, Route) else list(r) for r, _ in labels]
    all_routes = {r.id: r for r in routes} | {r.id: r for rs in parts for r in rs}
    for r in all_routes.values():
        for p, q in r.segments():
            index.add(_segment_rect(p, q), owner=f"route:{r.id}")
    placed: dict[str, Placed] = {}
    footnoted = set(as_footnotes)
    footnotes = 0
    for along, (_, text) in zip(parts, labels, strict=True):
        route = along[0]
        w, h = label_size(text, size)
        own = {f"route:{r.id}" for r in along}
        spot, across = (None, False) if route.id in footnoted else _best_free(
            [c for r in along for c in _candidates(r, w, h)], index, frame, own=own)
        if spot is None:
            footnotes += 1
            mark = f"[{footnotes}]"
            mw, mh = label_size(mark, size)
            spot = _first_free([c for r in along for c, _ in _candidates(r, mw, mh)] + _around(along, mw, mh), index, frame)
            placed[route.id] = Placed(route.id, text, spot, footnotes)
            if spot is None:  # nowhere at all: the legend alone says what the arrow is
                continue
        else:
            placed[route.id] = Placed(route.id, text, spot, crowded=across or _near_other(index, spot, own))
        index.add(_grow(spot, CLEARANCE), owner=f"label:{route.id}")
    return placed


def _around(routes: Sequence[Route], w: float, h: float) -> list[Rect]:
    """Spots further from the arrow's corners, in rings 6 points apart, for a footnote mark that found none
    right beside it."""
    out: list[Rect] = []
    for d in (6.0, 12.0, 18.0, 24.0, 30.0):
        for r in routes:
            for x, y in r.points:
                for dx, dy in ((d, -d), (d, d), (-d, -d), (-d, d), (0, -d - h / 2), (0, d + h / 2), (d + w / 2, 0), (-d - w / 2, 0)):
                    out.append(Rect(x + dx - w / 2, y + dy - h / 2, x + dx + w / 2, y + dy + h / 2))
    return out


def _best_free(candidates: Sequence[tuple[Rect, Rect]], index: RectIndex, frame: Rect, *,
               own: set[str]) -> tuple[Rect | None, bool]:
    """The free spot that reads best: early in ``candidates`` (near the tail, right beside the arrow), not
    crowding another arrow, so the label is not taken for that one's, and above all with no other arrow or
    lane line between it and its own; and whether another arrow is there (then it is only the least bad, and
    the drawing makes room; a lane line alone is left as it is: making room moves every row's lanes)."""
    best: tuple[float, Rect, bool] | None = None
    for k, (c, between) in enumerate(candidates):
        if c.left < frame.left or c.right > frame.right or c.top < frame.top or c.bottom > frame.bottom:
            continue
        if index.hits(_grow(c, CLEARANCE)):
            continue
        between_any = _other_in(index, between, own, dividers=True)  # an arrow or a lane line
        across = between_any and _other_in(index, between, own)  # an arrow: room is made for it
        score = k + (ACROSS if between_any else CROWDED if _near_other(index, c, own) else 0.0)
        if best is None or score < best[0]:
            best = (score, c, across)
        if score == k and best[1] is c:  # free and uncrowded: nothing later scores lower
            break
    return (best[1], best[2]) if best else (None, False)


def _other_in(index: RectIndex, r: Rect, own: set[str], *, dividers: bool = False) -> bool:
    """Whether an arrow other than ``own`` (or, with ``dividers``, a lane line) passes through ``r``."""
    for key in index._keys(r):
        for other, owner in index.buckets.get(key, ()):
            if ((owner.startswith("route:") and owner not in own) or (dividers and owner == "divider")) and overlap(r, other):
                return True
    return False


def _near_other(index: RectIndex, r: Rect, own: set[str]) -> bool:
    """Whether an arrow other than ``own`` runs within a few points of ``r``."""
    return _other_in(index, _grow(r, NEAR), own)


def _first_free(candidates: Sequence[Rect], index: RectIndex, frame: Rect) -> Rect | None:
    for c in candidates:
        if c.left < frame.left or c.right > frame.right or c.top < frame.top or c.bottom > frame.bottom:
            continue
        if not index.hits(_grow(c, CLEARANCE)):
            return c
    return None


def _grow(r: Rect, d: float) -> Rect:
    return Rect(r.left - d, r.top - d, r.right + d, r.bottom + d)
