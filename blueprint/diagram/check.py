"""The geometry check of a drawn diagram: what a client would see as a defect at slide width.

:func:`check_svg` reads the SVG Graphviz wrote for a blueprint and reports every

- **text on text**: two pieces of text (of different elements) whose boxes overlap;
- **text on a box**: text over a step, evidence note, marker, badge or stage header it does
  not belong to;
- **text on a line**: text lying across one of the three lines between the lanes;
- **arrow through a box**: an arrow whose path runs through the inside of a box (the two it
  joins too: it starts and ends on their edges), a marker, or text not its own;
- **arrow along an arrow**: two arrows (not leaving or reaching the same box) running so close
  for so long that a reader cannot tell them apart;
- **marks touching**: two markers (fail and wait points, badges, moments of truth) of different
  elements drawn touching or overlapping, where a reader sees one shape (◆◆ reads as one mark);
- **text outside the frame**, **arrow outside the frame**: reaching past the edge of the drawing.

Text boxes are measured from the font's glyphs (DejaVu Sans, the font Graphviz draws
with; :func:`measure`), with a tolerance of 1 pt, so a finding is a visible overlap,
not a rounding. :func:`arrow_crossings` counts the
crossings of the arrows, for comparing drawings. The command ``blueprint check-diagram``
runs the check on a blueprint file or an SVG file.

A drawing no blueprint makes cannot take minutes or gigabytes: the check stops after
:data:`MAX_FINDINGS` findings, or when its elements overlap in more pairs than it looks at
(:data:`MAX_WORK`), and says so in the result's ``stopped``; an arrow's stretch is measured
in at most 4,096 pieces, and :func:`read_svg` refuses arrows of more than :data:`MAX_POINTS`
points in all.

>>> import blueprint
>>> svg = blueprint.load("examples/coffee_shop.yaml").render().svg
>>> check_svg(svg)
[]
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from blueprint.layout import text_width

from .route import Point, Rect

__all__ = ["Finding", "Findings", "TooDenseToCheck", "arrow_crossings", "check_svg", "read_svg"]

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
TOLERANCE = 1.0  # points an overlap must exceed in both directions to count
ARROW_PREFIXES = ("flow-", "link-evidence-", "recovery-")
BOX_PREFIXES = ("step-", "evidence-", "stage-", "fail-", "wait-", "badge-", "moment-", "continue-")
MARK_PREFIXES = ("fail-", "wait-", "badge-", "moment-")
LINE_PREFIX = "line-"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


@dataclass(frozen=True)
class Finding:
    """One defect: its kind, the two elements (SVG ids, with their text) and the size of the overlap."""

    kind: str  # one of the kinds in the module notes: "text on text", "arrow through a box", "marks touching", ...
    first: str
    second: str
    size: float  # the overlap's area in square points (for an arrow: the length inside, in points)

    def __str__(self) -> str:
        size = f"{self.size:.0f}" if abs(self.size) < 1e7 else f"{self.size:.3g}"  # not 300 digits of a hostile file
        return f"{self.kind}: {self.first} and {self.second} ({size})"


@dataclass
class _Text:
    owner: str
    text: str
    rect: Rect


@dataclass
class _Shape:
    owner: str
    rect: Rect


@dataclass
class _Arrow:
    owner: str
    ends: tuple[str, str]
    points: list[Point]


@dataclass
class Drawing:
    """What :func:`read_svg` found in an SVG: text, boxes, arrows and lines, in the SVG's page coordinates."""

    frame: Rect
    texts: list[_Text]
    shapes: list[_Shape]
    arrows: list[_Arrow]
    lines: list[tuple[str, float, float, float]]  # (id, y, x0, x1) of each horizontal line between lanes
    names: dict[str, str]  # the node name Graphviz knows (an arrow's end) -> the SVG id of its group


def _numbers(text: str) -> list[float]:
    return [float(v) for v in NUMBER.findall(text)]


def _translate(root: ET.Element) -> tuple[float, float]:
    graph = root.find(f"{SVG}g")
    move = re.search(r"translate\(([-\d.]+)[ ,]+([-\d.]+)\)", graph.get("transform", "") if graph is not None else "")
    return (float(move.group(1)), float(move.group(2))) if move else (0.0, 0.0)


def _scale(root: ET.Element) -> tuple[float, float]:
    """The scale Graphviz draws the graph at (``scale(0.43 0.43)`` when it was shrunk to a width), 1 by default."""
    graph = root.find(f"{SVG}g")
    factor = re.search(r"scale\(([^)]*)\)", graph.get("transform", "") if graph is not None else "")
    values = _numbers(factor.group(1)) if factor else []
    if not values:
        return 1.0, 1.0
    sx = values[0]
    sy = values[1] if len(values) > 1 else sx
    return (sx if sx > 0 and math.isfinite(sx) else 1.0), (sy if sy > 0 and math.isfinite(sy) else 1.0)


def _owner(stack: list[ET.Element]) -> str:
    """The id of the nearest enclosing group with one that names a drawn element."""
    for g in reversed(stack):
        gid = g.get("id") or ""
        if gid and not gid.startswith("a_") and gid != "graph0":
            return gid
    return ""


@functools.lru_cache(maxsize=16_384)  # more than MAX_TEXTS: read_svg runs twice per check
def measure(text: str, size: float, bold: bool = False) -> float:
    """The width of one line of text in DejaVu Sans (Graphviz's font here), in points, from the font's own
    glyphs (matplotlib's copy of it); wide (CJK) characters, which it lacks, count one em each.

    >>> round(measure("Check in", 11.0))
    46
    """
    def foreign(ch: str) -> bool:  # wide (CJK) or outside the Latin and general-punctuation blocks DejaVu covers
        return unicodedata.east_asian_width(ch) in ("W", "F") or ord(ch) > 0x2BFF
    wide = sum(1 for ch in text if foreign(ch))
    if wide:  # drawn from another font (or as a box), about one em each
        narrow = "".join(ch for ch in text if not foreign(ch))
        return wide * size + (measure(narrow, size, bold) if narrow else 0.0)
    import warnings

    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path
    from matplotlib.textpath import TextPath

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a glyph the font lacks is drawn as a box: measured all the same
            path = TextPath((0, 0), text, size=size, prop=FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal"))
    except (ValueError, AttributeError, RuntimeError):  # text matplotlib cannot lay out: the layout's estimate
        return text_width(text, size) * (1.1 if bold else 1.0)
    # the right edge of the outlines' points (control points included: within 0.02 pt of the exact curves,
    # and hundreds of times faster than ``path.get_extents()``); CLOSEPOLY points carry no position
    xs = path.vertices[path.codes != Path.CLOSEPOLY, 0] if path.codes is not None else path.vertices[:, 0]
    if xs.size == 0 or float(xs.max()) <= float(xs.min()):
        return 0.0
    return max(float(xs.max()), 0.0)


def _coordinate(el: ET.Element, name: str, default: str = "0") -> float:
    """An attribute of ``el`` that must be a finite number (``x="nan"`` is no place on a drawing)."""
    text = el.get(name, default)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"<{el.tag.replace(SVG, '')}> has {name}={text[:40]!r}, not a finite number")
    return value


def _text_rect(el: ET.Element, text: str, dx: float, dy: float) -> Rect:
    size = _coordinate(el, "font-size", "11")
    x, y = _coordinate(el, "x") + dx, _coordinate(el, "y") + dy
    w = measure(text, size, el.get("font-weight") == "bold")
    anchor = el.get("text-anchor", "start")
    left = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
    return Rect(left, y - 0.76 * size, left + w, y + 0.22 * size)


def _shape_rect(el: ET.Element, dx: float, dy: float) -> Rect | None:
    tag = el.tag.replace(SVG, "")
    if tag == "ellipse":
        cx, cy = _coordinate(el, "cx") + dx, _coordinate(el, "cy") + dy
        rx, ry = _coordinate(el, "rx"), _coordinate(el, "ry")
        return Rect(cx - rx, cy - ry, cx + rx, cy + ry)
    values = _numbers(el.get("points", "") if tag == "polygon" else el.get("d", "") if tag == "path" else "")
    if len(values) < 4:
        return None
    xs, ys = values[0::2], values[1::2]
    return Rect(min(xs) + dx, min(ys) + dy, max(xs) + dx, max(ys) + dy)


def _bezier_points(d: str, dx: float, dy: float, steps: int = 8) -> list[Point]:
    """Points along a Graphviz edge path (``M x,y C x,y x,y x,y ...``), each cubic sampled ``steps`` times."""
    values = _numbers(d)
    pts = [(values[i] + dx, values[i + 1] + dy) for i in range(0, len(values) - 1, 2)]
    if not pts:
        return []
    out = [pts[0]]
    for k in range(1, len(pts) - 2, 3):
        p0, p1, p2, p3 = pts[k - 1], pts[k], pts[k + 1], pts[k + 2]
        for i in range(1, steps + 1):
            t = i / steps
            a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + e * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + e * p3[1]))
    return out


def read_svg(svg: str) -> Drawing:
    """The text, boxes, arrows and lines of a diagram's SVG (as :func:`blueprint.render` writes it)."""
    root = ET.fromstring(svg.encode("utf-8") if isinstance(svg, str) else svg)
    if root.tag != f"{SVG}svg":
        raise ValueError(f"the document is <{root.tag.rsplit('}', 1)[-1]}>, not an SVG drawing (<svg> in the SVG namespace)")
    n_texts = sum(1 for _ in root.iter(f"{SVG}text"))
    if n_texts > MAX_TEXTS:  # each is measured from the font's glyphs, about a millisecond a new text
        raise ValueError(f"{n_texts:,} texts, more than a blueprint's diagram has (at most {MAX_TEXTS:,})")
    dx, dy = _translate(root)
    sx, sy = _scale(root)  # a drawing shrunk to a width: the frame, in the drawing's own units, is larger
    view = _numbers(root.get("viewBox", ""))
    frame = (Rect(view[0] / sx, view[1] / sy, (view[0] + view[2]) / sx, (view[1] + view[3]) / sy) if len(view) == 4
             else Rect(0, 0, math.inf, math.inf))
    texts: list[_Text] = []
    shapes: list[_Shape] = []
    arrows: list[_Arrow] = []
    lines: list[tuple[str, float, float, float]] = []
    names: dict[str, str] = {}
    total = [0]  # the arrows' points so far

    def visit(el: ET.Element, stack: list[ET.Element]) -> list[ET.Element]:
        tag = el.tag.replace(SVG, "")
        if tag == "g":
            stack = [*stack, el]
            title = el.find(f"{SVG}title")
            if el.get("class") == "node" and title is not None and title.text and el.get("id"):
                names[title.text] = el.get("id", "")
        owner = _owner(stack)
        if tag == "text":
            content = "".join(el.itertext()).strip()
            if content:
                texts.append(_Text(owner, content, _text_rect(el, content, dx, dy)))
        elif tag in ("path", "polygon", "ellipse") and owner:
            if owner.startswith(ARROW_PREFIXES) and tag == "path":
                title = next((g.find(f"{SVG}title") for g in reversed(stack) if g.get("class") == "edge"), None)
                ends = (title.text or "").split("->", 1) if title is not None else ["", ""]
                points = _bezier_points(el.get("d", ""), dx, dy)
                if not points:  # a path with no point draws nothing
                    return stack
                arrows.append(_Arrow(owner, (ends[0], ends[-1]), points))
                total[0] += len(points)
                if total[0] > MAX_POINTS:  # each point is a tuple in memory, and each stretch is checked
                    raise ValueError(f"arrows of more than {MAX_POINTS:,} points in all, more than a blueprint's "
                                     "diagram has")
            elif owner.startswith(LINE_PREFIX) and tag == "path":
                pts = _bezier_points(el.get("d", ""), dx, dy, steps=1)
                if pts and all(abs(p[1] - pts[0][1]) < 0.01 for p in pts):
                    lines.append((owner, pts[0][1], min(p[0] for p in pts), max(p[0] for p in pts)))
            elif owner.startswith(BOX_PREFIXES) and (tag != "polygon" or not owner.startswith(ARROW_PREFIXES)):
                rect = _shape_rect(el, dx, dy)
                if rect is not None:
                    shapes.append(_Shape(owner, rect))
        return stack

    todo: list[tuple[ET.Element, list[ET.Element]]] = [(root, [])]  # depth first, in document order
    while todo:
        el, stack = todo.pop()
        if len(stack) > MAX_DEPTH:
            raise ValueError(f"groups nested more than {MAX_DEPTH} deep; a diagram's SVG nests a few")
        inner = visit(el, stack)
        todo.extend((child, inner) for child in reversed(el))
    return Drawing(frame, texts, shapes, arrows, lines, names)


MAX_DEPTH = 64  # the nesting of groups a diagram's SVG may have (Graphviz writes 3 or 4)
MAX_TEXTS = 5_000  # the texts a diagram's SVG may have: one of 300 arrows (the most drawn) has about 2,000
MAX_POINTS = 200_000  # the points (8 along each curve) a diagram's arrows may have in all


def _area(a: Rect, b: Rect) -> float:
    w = min(a.right, b.right) - max(a.left, b.left)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    return w * h if w > TOLERANCE and h > TOLERANCE else 0.0


def _grown(r: Rect, by: float) -> Rect:
    return Rect(r.left - by, r.top - by, r.right + by, r.bottom + by)


def _name(owner: str, text: str | None = None) -> str:
    return f"{owner} {text!r}" if text else owner


def _box(points: list[Point], grow: float = 0.0) -> Rect:
    """The bounding box of a polyline, grown by ``grow`` on every side."""
    xs, ys = [p[0] for p in points] or [0.0], [p[1] for p in points] or [0.0]
    return Rect(min(xs) - grow, min(ys) - grow, max(xs) + grow, max(ys) + grow)


class Findings(list[Finding]):
    """The findings of :func:`check_svg`, in order; ``stopped`` says why the check ended before the whole
    drawing was read ("" when it read all of it): more than :data:`MAX_FINDINGS` findings, or a drawing too
    dense to check within :data:`MAX_WORK`.

    >>> Findings().stopped
    ''
    """

    stopped: str = ""


class _Stop(Exception):
    """The check ends here; the message says why."""


@dataclass
class _Work:
    """The work left for one check (counted, not timed, so a check ends alike on any machine), in units of
    some tens of nanoseconds: a pair of elements whose spans meet in x costs 1, a pair looked at one by one 100, an
    arrow measured against a box 500 and 10 for each of its points."""

    left: int

    def spend(self, n: int) -> None:
        self.left -= int(n)
        if self.left < 0:
            raise _Stop(f"the drawing is too dense to check in full: its elements overlap in more pairs than the "
                        f"check looks at ({MAX_WORK:,} units of work; a blueprint's diagram of 200 steps takes "
                        "about 1,000,000)")


def _spans(rects: list[Rect]) -> np.ndarray:
    """The rectangles as rows of left, top, right, bottom."""
    return np.array([(r.left, r.top, r.right, r.bottom) for r in rects], dtype=float).reshape(-1, 4)


def _ranges(lo: np.ndarray, hi: np.ndarray, work: _Work | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """For each ``i``, the positions ``lo[i] <= p < hi[i]``: pairs ``(i, p)`` in chunks of about a million."""
    counts = np.maximum(hi - lo, 0)
    if work is not None:
        work.spend(counts.sum())
    ends = np.cumsum(counts)
    first = 0
    while first < len(counts):
        last = max(first + 1, int(np.searchsorted(ends, (ends[first - 1] if first else 0) + 1_000_000, side="right")))
        c = counts[first:last]
        i = np.repeat(np.arange(first, last), c)
        offsets = np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c)
        yield i, np.repeat(lo[first:last], c) + offsets
        first = last


def _starts_within(x: np.ndarray, y: np.ndarray, strict: bool,
                   work: _Work | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The pairs ``(i, j)`` of a span of ``x`` and one of ``y`` that meet in y and where ``y[j]`` starts
    within ``x[i]`` in x (after its left edge, when ``strict``), in chunks."""
    order = np.argsort(y[:, 0], kind="stable")
    lefts = y[order, 0]
    lo = np.searchsorted(lefts, x[:, 0], side="right" if strict else "left")
    hi = np.searchsorted(lefts, x[:, 2], side="right")
    for i, p in _ranges(lo, hi, work):
        j = order[p]
        keep = (x[i, 1] <= y[j, 3]) & (y[j, 1] <= x[i, 3])
        yield i[keep], j[keep]


def _later_within(x: np.ndarray, work: _Work | None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The pairs ``(i, j)``, ``i < j``, of spans of ``x`` that meet in x and y, in chunks: each span with
    every span starting within it after it in the order of left edges."""
    order = np.argsort(x[:, 0], kind="stable")
    s = x[order]
    lo = np.arange(1, len(s))
    hi = np.searchsorted(s[:, 0], s[:, 2], side="right")[:-1] if len(s) else lo
    for p, q in _ranges(lo, hi, work):
        keep = (s[p, 1] <= s[q, 3]) & (s[q, 1] <= s[p, 3])
        i, j = order[p[keep]], order[q[keep]]
        yield np.minimum(i, j), np.maximum(i, j)


def _each_pair(a: list[Rect], b: list[Rect] | None = None, work: _Work | None = None) -> Iterator[tuple[int, int]]:
    """The index pairs ``(i, j)`` of a rectangle of ``a`` and one of ``b`` whose spans meet in x and in y (of
    two different rectangles of ``a``, ``i < j``, when ``b`` is None): a sweep along x, so a drawing of
    thousands of texts is checked in about the time of its overlaps, not of every pair. ``work`` is charged
    one unit for each pair that meets in x. In order when there are fewer than a million; more come a
    million at a time, each million in order (a drawing no blueprint makes), so memory stays bounded.
    """
    x = _spans(a)
    chunks = _later_within(x, work) if b is None else itertools.chain(
        _starts_within(x, _spans(b), strict=False, work=work),  # b's span starts within a's
        ((i, j) for j, i in _starts_within(_spans(b), x, strict=True, work=work)))  # a's starts within b's, after its left edge
    held: list[tuple[np.ndarray, np.ndarray]] = []
    count = 0
    for chunk in itertools.chain(chunks, [None]):
        if chunk is not None:
            held.append(chunk)
            count += len(chunk[0])
        if held and (chunk is None or count >= 1_000_000):
            first, second = np.concatenate([h[0] for h in held]), np.concatenate([h[1] for h in held])
            order = np.lexsort((second, first))
            yield from zip(first[order].tolist(), second[order].tolist(), strict=True)
            held, count = [], 0


def _pairs(a: list[Rect], b: list[Rect] | None = None, work: _Work | None = None) -> list[tuple[int, int]]:
    """:func:`_each_pair` as a list, in order.

    >>> _pairs([Rect(0, 0, 10, 10), Rect(5, 5, 15, 15), Rect(20, 0, 30, 10)])
    [(0, 1)]
    """
    return sorted(_each_pair(a, b, work))


def check_svg(svg: str) -> Findings:
    """Every visible defect of a drawn diagram (see the module notes); an empty list for a clean one.

    The check ends early, saying so in the result's ``stopped``, after :data:`MAX_FINDINGS` findings or
    when the drawing is too dense to check within :data:`MAX_WORK` (a drawing no blueprint makes).

    >>> import blueprint
    >>> [str(f) for f in check_svg(blueprint.load("examples/hotel.yaml").render(max_columns=7).svg)]
    []
    """
    d = read_svg(svg)
    out = Findings()
    work = _Work(MAX_WORK)

    def add(finding: Finding) -> None:
        out.append(finding)
        if len(out) >= MAX_FINDINGS:
            raise _Stop(f"the check stops after {MAX_FINDINGS:,} findings")

    try:
        _check_texts(d, add, work)
        _check_marks(d, add, work)
        _check_arrows(d, add, work)
    except _Stop as stop:
        out.stopped = str(stop)
    return out


def _check_texts(d: Drawing, add: Callable[[Finding], None], work: _Work) -> None:
    """Text on text, on a box, on a line, outside the frame."""
    texts = d.texts
    text_rects, shape_rects = [t.rect for t in texts], [s.rect for s in d.shapes]
    for i, j in _each_pair(text_rects, work=work):
        a, b = texts[i], texts[j]
        work.spend(100)
        if a.owner != b.owner and (size := _area(a.rect, b.rect)):
            add(Finding("text on text", _name(a.owner, a.text), _name(b.owner, b.text), size))
    for i, j in _each_pair(text_rects, shape_rects, work):
        t, s = texts[i], d.shapes[j]
        work.spend(100)
        if s.owner != t.owner and not _marks(t.owner, s.owner) and (size := _area(t.rect, s.rect)):
            add(Finding("text on a box", _name(t.owner, t.text), s.owner, size))
    for t in texts:
        work.spend(100 + 20 * len(d.lines))
        for line, y, x0, x1 in d.lines:
            r = t.rect
            if r.top + TOLERANCE < y < r.bottom - TOLERANCE and min(r.right, x1) - max(r.left, x0) > TOLERANCE:
                add(Finding("text on a line", _name(t.owner, t.text), line, r.right - r.left))
        f = d.frame
        outside = max(f.left - t.rect.left, t.rect.right - f.right, f.top - t.rect.top, t.rect.bottom - f.bottom)
        if outside > TOLERANCE:
            add(Finding("text outside the frame", _name(t.owner, t.text), "the frame", outside))


def _check_marks(d: Drawing, add: Callable[[Finding], None], work: _Work) -> None:
    """Markers of different elements touching (◆◆ reads as one mark)."""
    marks = [s for s in d.shapes if s.owner.startswith(MARK_PREFIXES)]
    for i, j in _each_pair([_grown(m.rect, TOLERANCE) for m in marks], work=work):
        m1, m2 = marks[i], marks[j]
        work.spend(100)
        if m1.owner != m2.owner:
            add(Finding("marks touching", m1.owner, m2.owner, _area(_grown(m1.rect, TOLERANCE), _grown(m2.rect, TOLERANCE))))


def _check_arrows(d: Drawing, add: Callable[[Finding], None], work: _Work) -> None:
    """Arrows through a box or through text, outside the frame, along another arrow."""
    arrow_boxes = [_box(arrow.points) for arrow in d.arrows]
    xy = [np.asarray(arrow.points, dtype=float).reshape(-1, 2) for arrow in d.arrows]
    for i, j in _each_pair(arrow_boxes, [s.rect for s in d.shapes], work):
        arrow, s = d.arrows[i], d.shapes[j]
        work.spend(500 + 10 * len(arrow.points))
        if s.owner == arrow.owner or (s.owner.startswith("moment-") and _on(arrow.points, s.rect)):
            continue  # a moment of truth is drawn on the arrow that crosses the line there
        inside = _length_inside(xy[i], s.rect)  # its own end boxes too: it starts and ends on their edges
        if inside > TOLERANCE:
            add(Finding("arrow through a box", arrow.owner, s.owner, inside))
    for i, j in _each_pair(arrow_boxes, [t.rect for t in d.texts], work):
        arrow, t = d.arrows[i], d.texts[j]
        work.spend(500 + 10 * len(arrow.points))
        if t.owner in {d.names.get(arrow.ends[0], ""), d.names.get(arrow.ends[1], ""), arrow.owner}:
            continue
        inside = _length_inside(xy[i], t.rect)
        if inside > TOLERANCE:
            add(Finding("arrow through text", arrow.owner, _name(t.owner, t.text), inside))
    for arrow in d.arrows:
        f = d.frame
        outside = max(max(f.left - x, x - f.right, f.top - y, y - f.bottom) for x, y in arrow.points)
        if outside > TOLERANCE:
            add(Finding("arrow outside the frame", arrow.owner, "the frame", outside))
    pieces = [(n, _box([p, q], NEAR)) for n, arrow in enumerate(d.arrows) for p, q in itertools.pairwise(arrow.points)]
    near = {(min(pieces[i][0], pieces[j][0]), max(pieces[i][0], pieces[j][0]))
            for i, j in _each_pair([r for _, r in pieces], work=work) if pieces[i][0] != pieces[j][0]}  # arrows with stretches near
    for i, j in sorted(near):
        one, two = d.arrows[i], d.arrows[j]
        work.spend(500)
        if set(one.ends) & set(two.ends):
            continue  # arrows leaving or reaching one box may join there
        along = _length_along(one.points, two.points, work)
        if along > ALONG:
            add(Finding("arrow along an arrow", one.owner, two.owner, along))


#: The most findings one check reports (a drawing with more is beyond repair one finding at a time).
MAX_FINDINGS = 1_000
#: The work one check may do (see ``_Work``): a few seconds; a diagram of 200 steps takes about 1,000,000.
MAX_WORK = 100_000_000


#: Arrows closer than this (points) run "along" each other: a reader cannot tell them apart.
NEAR = 2.5
#: How long (points) two arrows may run that close before it is a defect (a crossing is about 2 x NEAR).
ALONG = 8.0


def _length_along(a: list[Point], b: list[Point], work: _Work | None = None) -> float:
    """How much of polyline ``a`` runs within :data:`NEAR` of polyline ``b``, in points.

    >>> _length_along([(0, 0), (100, 0)], [(0, 1), (50, 1)])  # to 2 pt past b's end: still within NEAR
    52.0
    """
    if len(a) < 2 or len(b) < 2:
        return 0.0
    pa, pb = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if (pa[:, 0].min() > pb[:, 0].max() + NEAR or pb[:, 0].min() > pa[:, 0].max() + NEAR
            or pa[:, 1].min() > pb[:, 1].max() + NEAR or pb[:, 1].min() > pa[:, 1].max() + NEAR):
        return 0.0
    # the stretches of a that come within NEAR of a stretch of b's box: only they can run along it
    lo_a, hi_a = np.minimum(pa[:-1], pa[1:]) - NEAR, np.maximum(pa[:-1], pa[1:]) + NEAR
    lo_b, hi_b = np.minimum(pb[:-1], pb[1:]), np.maximum(pb[:-1], pb[1:])
    if work is not None:
        work.spend(len(lo_a) * len(lo_b))
    box_meets = ((lo_a[:, None, :] <= hi_b[None, :, :]) & (lo_b[None, :, :] <= hi_a[:, None, :])).all(axis=2)
    meets = box_meets.any(axis=1)
    if not meets.any():
        return 0.0
    # only the stretches of b near a stretch of a can be nearest to a piece within NEAR
    pb_from, pb_to = pb[:-1][box_meets.any(axis=0)], pb[1:][box_meets.any(axis=0)]
    # those cut into pieces of at most 1 pt (of a 4,096th of a longer stretch), each judged by its middle
    pieces = np.where(meets, np.clip(np.ceil(np.hypot(*(pa[1:] - pa[:-1]).T)), 1, 4096).astype(int), 0)
    if work is not None:
        work.spend(int(pieces.sum()) * 10)
    k = np.repeat(np.arange(len(pa) - 1), pieces)
    f = (np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces) + 0.5) / np.repeat(pieces, pieces)
    step = pa[1:] - pa[:-1]
    mid = pa[k] + f[:, None] * step[k]
    length = np.hypot(*step.T)[k] / np.repeat(pieces, pieces)
    if work is not None:
        work.spend(len(mid) * len(pb_from) * 2)
    chunk = max(1, 200_000 // max(1, len(pb_from)))  # pieces judged at once: a few MB of distances
    close = np.concatenate([_near_and_parallel(mid[c:c + chunk], step[k[c:c + chunk]], pb_from, pb_to)
                            for c in range(0, len(mid), chunk)])
    return float(length[close].sum())


def _near_and_parallel(mid: np.ndarray, step: np.ndarray, s0: np.ndarray, s1: np.ndarray) -> np.ndarray:
    """Which pieces (middles ``mid``, running along ``step``) lie within :data:`NEAR` of one of the stretches
    ``s0[i]``–``s1[i]`` and run the same way as the nearest (a crossing is not running along)."""
    d = s1 - s0
    n = (d ** 2).sum(axis=1)
    n[n == 0] = 1.0
    t = np.clip(((mid[:, None, :] - s0[None, :, :]) * d[None, :, :]).sum(axis=2) / n[None, :], 0.0, 1.0)
    nearest = s0[None, :, :] + t[:, :, None] * d[None, :, :]
    dists = np.hypot(*(mid[:, None, :] - nearest).transpose(2, 0, 1))
    which = dists.argmin(axis=1)
    close = dists[np.arange(len(mid)), which] < NEAR
    u = step / np.maximum(np.hypot(*step.T), 1e-9)[:, None]
    v = d[which] / np.sqrt(n[which])[:, None]
    return close & (np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]) < 0.42)  # within about 25 degrees


def _marks(marker: str, box: str) -> bool:
    """Is ``marker`` (its F, W or badge) drawn on the corner of step ``box``, by design?"""
    kind, _, step = marker.partition("-")
    return kind in ("fail", "wait", "badge") and box == f"step-{step}"


def _on(points: list[Point], r: Rect) -> bool:
    """Does the polyline pass through the centre of ``r`` (within 1.5 pt)?"""
    cx, cy = (r.left + r.right) / 2, (r.top + r.bottom) / 2
    for p, q in itertools.pairwise(points):
        dx, dy = q[0] - p[0], q[1] - p[1]
        n = dx * dx + dy * dy
        t = 0.0 if n == 0 else max(0.0, min(1.0, ((cx - p[0]) * dx + (cy - p[1]) * dy) / n))
        if math.hypot(p[0] + t * dx - cx, p[1] + t * dy - cy) <= 1.5:
            return True
    return False


def _length_inside(points: list[Point] | np.ndarray, r: Rect) -> float:
    """How much of a polyline runs strictly inside ``r`` (shrunk by the tolerance), in points.

    >>> round(_length_inside([(0, 5), (20, 5)], Rect(5, 0, 15, 10)), 9)
    8.0
    """
    inner = Rect(r.left + TOLERANCE, r.top + TOLERANCE, r.right - TOLERANCE, r.bottom - TOLERANCE)
    if inner.left >= inner.right or inner.top >= inner.bottom:
        return 0.0
    pts = np.asarray(points, dtype=float)
    if len(pts) < 2:
        return 0.0
    p, q = pts[:-1], pts[1:]
    lo, hi = np.minimum(p, q), np.maximum(p, q)
    keep = (lo[:, 0] < inner.right) & (hi[:, 0] > inner.left) & (lo[:, 1] < inner.bottom) & (hi[:, 1] > inner.top)
    if not keep.any():
        return 0.0
    p, q = p[keep], q[keep]
    return float(_clipped_lengths(p, q, inner).sum())


def _clipped_lengths(p: np.ndarray, q: np.ndarray, r: Rect) -> np.ndarray:
    """The length of each segment ``p[i]``–``q[i]`` inside ``r`` (Liang–Barsky clipping, all at once)."""
    d = q - p
    edge_p = np.stack([-d[:, 0], d[:, 0], -d[:, 1], d[:, 1]], axis=1)
    edge_q = np.stack([p[:, 0] - r.left, r.right - p[:, 0], p[:, 1] - r.top, r.bottom - p[:, 1]], axis=1)
    parallel = edge_p == 0
    outside = (parallel & (edge_q < 0)).any(axis=1)  # parallel to an edge and beyond it
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(parallel, 0.0, edge_q / np.where(parallel, 1.0, edge_p))
    t0 = np.max(np.where(edge_p < 0, t, 0.0), axis=1, initial=0.0)
    t1 = np.min(np.where(edge_p > 0, t, 1.0), axis=1, initial=1.0)
    return np.where(outside | (t0 >= t1), 0.0, (t1 - t0) * np.hypot(d[:, 0], d[:, 1]))


def arrow_crossings(svg: str) -> int:
    """How many times the arrows of a drawn diagram cross one another (arrows that only touch where they
    leave or reach the same box do not count); :class:`TooDenseToCheck` for a drawing too dense to count
    within :data:`MAX_WORK`.

    >>> import blueprint
    >>> bp = blueprint.Blueprint("Two paths")
    >>> a, b, c = bp.customer("In"), bp.customer("Pay"), bp.customer("Out")
    >>> _ = a >> b >> c
    >>> arrow_crossings(bp.render().svg)
    0
    """
    arrows = [a for a in read_svg(svg).arrows if a.owner.startswith("flow-")]
    pieces = [(n, p, q) for n, arrow in enumerate(arrows) for p, q in itertools.pairwise(arrow.points)]
    count = 0
    work = _Work(MAX_WORK)
    try:
        for i, j in _each_pair([_box([p, q]) for _, p, q in pieces], work=work):  # only stretches whose boxes meet can cross
            (m, p, q), (n, r, s) = pieces[i], pieces[j]
            work.spend(100)
            if m != n and not set(arrows[m].ends) & set(arrows[n].ends) and _segments_cross(p, q, r, s):
                count += 1
    except _Stop as stop:
        raise TooDenseToCheck(str(stop)) from None
    return count


class TooDenseToCheck(ValueError):
    """A drawing whose arrows overlap in more pairs than :func:`arrow_crossings` looks at."""


def _segments_cross(p: Point, q: Point, r: Point, s: Point) -> bool:
    """Do two segments cross at a single point inside both (not at an end, not along a shared stretch)?"""
    def orient(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2, d3, d4 = orient(r, s, p), orient(r, s, q), orient(p, q, r), orient(p, q, s)
    eps = 1e-6
    return ((d1 > eps and d2 < -eps) or (d1 < -eps and d2 > eps)) and ((d3 > eps and d4 < -eps) or (d3 < -eps and d4 > eps))


def findings_of(findings: Iterable[Finding]) -> str:
    """The findings, one per line (what the command prints)."""
    return "\n".join(str(f) for f in findings)
