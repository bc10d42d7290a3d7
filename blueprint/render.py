"""Blueprint diagrams: lanes, lines, steps in journey order, drawn with Graphviz.

Everything is placed here and Graphviz only draws it (``neato -n2``): the grid
comes from :mod:`blueprint.layout`, the arrows from our own router on the grid's
channels (:mod:`blueprint.diagram.arrows`), their labels from a placer that checks
every spot against the boxes, markers, lane lines, arrows and other labels
(:mod:`blueprint.diagram.labels`). Where a label finds no room, the gap or lane
padding it needs grows and the arrows are routed again.

>>> from blueprint import Blueprint
>>> bp = Blueprint("Call")
>>> _ = bp.customer("Call") >> bp.onstage("Answer", role="agent", duration="exp(4 min)")
>>> "line of interaction" in bp.to_dot()
True
"""

from __future__ import annotations

import html
import math
import os
import re
import shutil
import unicodedata
import warnings
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .diagram.arrows import Continuation, gap_of, route_arrows, spline, split_across_rows, widen_gaps
from .diagram.glyphs import describe_missing, drawn_as_boxes, missing_glyphs
from .diagram.labels import Placed, label_size, place_labels
from .diagram.route import Budget, Rect, Route, TooDenseToDraw
from .files import write_atomically
from .graph import back_flows, to_networkx
from .lanes import Lane, Line
from .layout import (
    BOX_WIDTH,
    FIGURE_UNITS,
    FONT_SIZE,
    LANE_TITLE_LINE,
    LANE_TITLE_UNITS,
    LEFT_MARGIN,
    LINE_NAME_HEIGHT,
    ROW_GAP,
    SHOWN_CHARS,
    SMALL_FONT_SIZE,
    Box,
    Layout,
    clip,
    compute_layout,
    fit_lines,
    stage_spans,
    text_width,
    wrap_label,
    wrap_rows,
)
from .numbers import duration
from .routing import route_text

if TYPE_CHECKING:
    from .model import Blueprint, Flow, Step

__all__ = ["Diagram", "MissingGlyphs", "EmotionRow", "Theme", "StepOverlay", "TimeRow", "THEMES", "GraphvizNotFound", "render", "to_dot"]

FONT = "DejaVu Sans"
TITLE_HEIGHT = 34.0
SUBTITLE_HEIGHT = 18.0
LEGEND_ROW_HEIGHT = 20.0
MARKER_SIZE = 0.24 * 72  # the F and W circles, in points
TOOLTIP_CHARS = 2_000  # a hover text is cut here (Graphviz refuses a string over 16 KB: 4 bytes a character at most)
ATTEMPTS = 8  # layouts tried, each with more room where a label found none
MAX_PNG_PIXELS = 100_000_000  # a PNG this large takes about 400 MB to draw
MAX_ARROWS = 300  # flows between steps a diagram draws at most (a textbook blueprint has a few dozen)
EVIDENCE_LINK = "link-evidence-"  # id prefix of the dotted line from evidence to its step
MOMENT_SIZE = 4.5  # half the size of the ◆ marking a moment of truth
MOMENT_GAP = 2.5  # the least white between two ◆ side by side (they shrink to keep it, down to MOMENT_LEAST)
MOMENT_LEAST = 2.5
STAGE_HEIGHT = 30.0  # the room of the stage headers above the lanes
STAGE_LINE = 13.0  # a second line of a stage header, where a name needs it
TIME_ROW_HEIGHT = 44.0  # the room of the time row under the lanes
EMOTION_HEIGHT = 64.0  # the room of the emotion row above the customer lane's boxes

INSTALL_HELP = (
    "Graphviz's 'dot' program is needed to draw diagrams and was not found. Install it:\n"
    "  Debian/Ubuntu: sudo apt-get install graphviz\n"
    "  macOS:         brew install graphviz\n"
    "  conda:         conda install -c conda-forge graphviz\n"
    "Blueprint.to_dot() gives the diagram's source without it."
)


class GraphvizNotFound(RuntimeError):
    """Graphviz is not installed; the message says how to install it."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HELP)


@dataclass(frozen=True)
class Theme:
    """Colours and line styles of a diagram."""

    name: str
    bands: dict[str, str]
    band_border: str
    step_fill: str
    step_border: str
    evidence_fill: str
    text: str
    muted: str
    line: str
    arrow: str
    transfer: str
    recovery: str
    fail_fill: str
    fail_text: str
    wait_fill: str
    wait_text: str
    faded_fill: str = "#f6d5d5"  # a declared fail point that did no harm in simulation
    faded_text: str = "#b0b0b0"
    alert: str = "#b42318"  # a measured figure past its target
    stage_fill: str = "#e4e7ee"  # the stage headers
    good: str = "#2e7d32"  # the emotion row above 0 (better than expected)
    bad: str = "#b42318"  # the emotion row below 0
    retry: str = "#2f5f98"  # a retry after abandoning (dotted, as an evidence link is, but with a head and a colour)


THEMES: dict[str, Theme] = {
    "screen": Theme(
        name="screen",
        bands={
            "evidence": "#f3f3f3",
            "customer": "#fff8e6",
            "onstage": "#eaf3fb",
            "backstage": "#f1f6fc",
            "support": "#eef7ee",
        },
        band_border="#d0d0d0",
        step_fill="#ffffff",
        step_border="#4a4a4a",
        evidence_fill="#ffffff",
        text="#1a1a1a",
        muted="#5f5f5f",
        line="#333333",
        arrow="#333333",
        transfer="#8c4f00",
        recovery="#c62828",
        fail_fill="#d62728",
        fail_text="#ffffff",
        wait_fill="#f2a900",
        wait_text="#1a1a1a",
    ),
    "print": Theme(
        name="print",
        bands={lane.value: "#ffffff" for lane in Lane},
        band_border="#9a9a9a",
        step_fill="#ffffff",
        step_border="#000000",
        evidence_fill="#ffffff",
        text="#000000",
        muted="#333333",
        line="#000000",
        arrow="#000000",
        transfer="#000000",
        recovery="#000000",
        fail_fill="#ffffff",
        fail_text="#000000",
        wait_fill="#ffffff",
        wait_text="#000000",
        alert="#000000",
        retry="#000000",
        stage_fill="#ffffff",
        faded_fill="#ffffff",
        faded_text="#a0a0a0",
        good="#000000",
        bad="#000000",
    ),
}


@dataclass
class StepOverlay:
    """Extra marks on one step: a fill colour (e.g. from a colour scale), a badge and a note.

    Results of a simulation are drawn through these (see ``overlays=`` of
    :func:`render`).
    """

    fill: str | None = None
    badge: str | None = None
    badge_fill: str | None = None  # the badge's colour: the fail points' red unless given (a change is no failure)
    note: str | None = None  # a line in the box under its figures, in muted type
    faded: bool = False  # draw the step's declared fail point faded (it did no harm)
    figures: list[str] = field(default_factory=list)  # measured figures, in small type inside the box
    alerts: list[str] = field(default_factory=list)  # figures past their target, in the alert colour


@dataclass
class TimeRow:
    """The customer's time along the journey, drawn in a row under the lanes: ``spent`` is the mean time
    (s) a customer spends at each step (its waits and service, times the share of customers who visit
    it); each column shows the time spent in it and the time elapsed by its end. ``total`` is written
    under the row's title (e.g. ``["mean 7.3 min", "p90 15 min"]``).

    >>> TimeRow({"order": 95.0, "wait": 180.0}, total=["mean 4.6 min"]).spent["wait"]
    180.0
    """

    spent: dict[str, float]
    total: list[str] = field(default_factory=list)
    title: str = "Customer's time"


@dataclass
class EmotionRow:
    """How the customer feels along the journey, drawn as a curve above the customer lane's boxes (the journey
    map's emotion lane): ``values`` per step id, on a scale where 0 is "as expected", drawn clipped to −1 … +1 and
    written as they are. From a simulation, the mean experienced gap of each step's waits in tolerances
    (:mod:`simulate.experience`); without one, the designer's declared ``emotion`` of each step.

    >>> EmotionRow({"answer": 0.9, "specialist": -0.3}).values["specialist"]
    -0.3
    """

    values: dict[str, float]
    title: str = "Customer's experience"
    note: str = "0: as expected"  # under the title; a line break starts a new line
    #: the share of each step's visits felt past the tolerance (from a simulation): a column where it reaches
    #: ``alarm`` is drawn as bad whatever its mean, with the share written beside it (a mean hides the few who
    #: waited far too long: the fail points' ``over_tolerance`` rule, 20%)
    past: dict[str, float] = field(default_factory=dict)
    alarm: float = 0.2


@dataclass
class Options:
    """What a diagram shows."""

    theme: Theme
    title: str | None
    subtitle: str | None
    show_roles: bool = True
    show_durations: bool = True
    show_fail_points: bool = True
    show_wait_points: bool = True
    show_evidence: bool = True
    show_probabilities: bool = True
    show_legend: bool = True
    show_stages: bool = True
    empty_lanes: bool = True  # a lane with no steps as a thin band (False: left out)
    time_row: TimeRow | None = None
    emotion: EmotionRow | None = None
    width: float | None = None  # inches
    max_columns: int | None = None  # wrap a longer journey onto rows of this many columns
    continuations: dict[str, Continuation] = field(default_factory=dict)  # arrows between rows, by id
    overlays: dict[str, StepOverlay] = field(default_factory=dict)
    legend_items: list[tuple[str, str]] = field(default_factory=list)  # (fill colour, text) added to the legend
    footnotes: list[str] = field(default_factory=list)  # arrow labels with no free spot, numbered [1], [2], ...
    moments_of_truth: list[tuple[float, float]] = field(default_factory=list)  # where arrows cross the line of interaction
    legend_rows: list[list[tuple[str, str, float]]] = field(default_factory=list)


# -- DOT text ------------------------------------------------------------------------


_UNDRAWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def _drawable(text: str) -> str:
    """``text`` without what cannot be drawn or written to SVG (XML): control characters (but newlines and
    tabs), lone surrogates and noncharacters become U+FFFD."""
    return _UNDRAWABLE.sub("\ufffd", text)


def _q(value: object) -> str:
    """A DOT attribute value, quoted."""
    return '"' + _drawable(str(value)).replace("\\", "\\\\").replace('"', '\\"') + '"'


#: Characters with no glyph that Graphviz measures as if they had one (a line of 50 zero-width spaces drew a box
#: 400 points wide) but the layout, rightly, as nothing: a drawing leaves them out. Zero-width and word-joining
#: spaces, the byte-order mark, the soft hyphen (the layout hyphenates itself) and tag characters.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b\u2060-\u2064\ufeff\U000e0000-\U000e007f]")
#: Joiners, variation selectors and direction marks belong in emoji, some scripts and mixed-direction lines (the
#: line under a step sets a right-to-left role name apart with them), once each: a run of one is one. (Isolates
#: and embeddings nest, so a run of their ends is left as it is.)
_REPEATED = re.compile("([\u200c\u200d\ufe00-\ufe0f\u200e\u200f\u061c])\\1+")


def _visible(line: str) -> str:
    """``line`` as a drawing writes it: without the characters of :data:`_INVISIBLE`, a run of one joiner,
    variation selector or direction mark as one.

    >>> _visible("Pay\u200b\u200bnow\ufeff"), _visible("a\u200d\u200d\u200db")
    ('Paynow', 'a\u200db')
    """
    return _REPEATED.sub(r"\1", _INVISIBLE.sub("", line))


def _html(text: str) -> str:
    """Text for an HTML-like label: markup characters escaped, never interpreted; invisible characters left out
    (:func:`_visible`); each right-to-left line isolated as one (:func:`_right_to_left`)."""
    # Graphviz's HTML-label lexer stumbles on a bare ']' in some places: brackets go as character references
    lines = [_visible(line) for line in text.split("\n")]
    out = _escape(_right_to_left(lines[0]))
    for above, below in zip(lines, lines[1:]):
        out += _break(above, below) + _escape(_right_to_left(below))
    return out


def _escape(line: str) -> str:
    return html.escape(_drawable(line), quote=True).replace("[", "&#91;").replace("]", "&#93;")


#: Between two lines where one holds a character no font here draws: a PNG shows it as a box with its
#: code, taller than a line, so a thin empty line keeps the boxes of one line off the next (the layout
#: makes the box taller by :data:`~blueprint.layout.BOXES_APART` for each).
_BOXES_APART = '<BR/><FONT POINT-SIZE="4"> </FONT><BR/>'


def _break(above: str, below: str) -> str:
    """The line break of an HTML-like label between the texts ``above`` and ``below``: wider where either
    is drawn with boxes (:data:`_BOXES_APART`).

    >>> _break("Check in", "at the desk")
    '<BR/>'
    """
    return _BOXES_APART if drawn_as_boxes(above) or drawn_as_boxes(below) else "<BR/>"


def _right_to_left(line: str) -> str:
    """A line whose first letter is right to left (Hebrew, Arabic) between right-to-left isolate marks, so a
    browser drawing the SVG reads it right to left as Graphviz's PNG does ("שלום!" keeps its "!" at the
    end, on the left); any other line as it is.

    >>> _right_to_left("שלום!") == "\u2067שלום!\u2069", _right_to_left("Check in (שלום)")
    (True, 'Check in (שלום)')
    """
    for ch in line:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "\u2067" + line + "\u2069"
        if kind == "L":
            return line
    return line


def _attrs(**kw: str | float | _Raw | None) -> str:
    parts = []
    for k, v in kw.items():
        if v is None:
            continue
        if isinstance(v, _Raw):
            parts.append(f"{k}={v}")
        else:  # a hover text is cut short (a description of a page would pass Graphviz's 16 KB strings)
            parts.append(f"{k}={_q(clip(str(v), TOOLTIP_CHARS) if k == 'tooltip' else v)}")
    return "[" + ", ".join(parts) + "]"


class _Raw(str):
    """An attribute value written as is (an HTML-like label ``<...>``)."""


def _pt(x: float, y: float, height: float) -> str:
    return f"{x:.2f},{height - y:.2f}!"


def _label_lines(lines: list[str], detail: list[str], theme: Theme, figures: Sequence[tuple[str, str]] = (),
                 parted: set[int] | frozenset[int] = frozenset()) -> _Raw:
    detail = [d for d in detail if d.strip()]  # Graphviz refuses an empty <FONT></FONT>
    figures = [(f, style) for f, style in figures if f.strip()]
    texts = [*lines, *detail, *(f for f, _ in figures)]
    parts = [_html(line) for line in lines]
    parts += [f'<FONT POINT-SIZE="{SMALL_FONT_SIZE:g}" COLOR="{theme.muted}">{_html(d)}</FONT>' for d in detail]
    for text, style in figures:
        inner = _html(text)
        if style == "alert":
            inner = f'<FONT COLOR="{theme.alert}"><B>{inner}</B></FONT>'
        elif style == "note":
            inner = f'<FONT COLOR="{theme.muted}"><I>{inner}</I></FONT>'
        else:
            inner = f'<FONT COLOR="{theme.text}">{inner}</FONT>'
        parts.append(f'<FONT POINT-SIZE="{SMALL_FONT_SIZE:g}">{inner}</FONT>')
    body = parts[0] if parts else ""
    for k in range(1, len(parts)):
        body += (_BOXES_APART if k - 1 in parted else _break(texts[k - 1], texts[k])) + parts[k]
    return _Raw(f"<{body}>")


def _left_text(text: str, width: float, *, bold: bool = False, size: float = FONT_SIZE, color: str = "#000000") -> _Raw:
    inner = _html(text)
    if bold:
        inner = f"<B>{inner}</B>"
    return _Raw(
        f'<<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="0" CELLSPACING="0" FIXEDSIZE="FALSE" WIDTH="{width:.0f}">'
        f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="{size:g}" COLOR="{color}">{inner}</FONT></TD></TR></TABLE>>'
    )


def _step_tooltip(bp: Blueprint, step: Step, overlay: StepOverlay | None, opts: Options) -> str:
    """What a browser shows on hovering a step: its label and lane, and what the drawing shows of it (role,
    duration, wait and fail points, as switched on), its description and, from a simulation, the overlay's note."""
    lines = [f"{step.label} ({step.lane.value})"]
    if step.role and opts.show_roles:
        routed = route_text(bp, step)
        lines.append(f"served by {routed}" if routed else f"role: {step.role}")
    if step.duration is not None and opts.show_durations:
        lines.append(f"duration: {step.duration} (mean {duration(step.duration.mean)})")
    if step.wait_point is not None and opts.show_wait_points:
        lines.append(f"wait point: tolerates {step.wait_point.tolerance}")
    if step.fail_point is not None and opts.show_fail_points:
        fp = step.fail_point
        lines.append("fail point" + (f": {fp.description}" if fp.description else "")
                     + (f" ({fp.probability:.3g} of visits)" if fp.probability is not None else ""))
    if step.description:
        lines.append(step.description.strip())
    if overlay is not None:
        lines += overlay.figures + overlay.alerts + ([overlay.note] if overlay.note else [])
    return "\n".join(lines)


def _flow_tooltip(flow: Flow, names: dict[str, str], show_probabilities: bool) -> str:
    """What a browser shows on hovering an arrow."""
    text = f"{names.get(flow.source, flow.source)} → {names.get(flow.target, flow.target)} ({flow.kind.value})"
    if flow.probability is not None and show_probabilities:
        text += f", {flow.probability:.3g} of visits"
    elif flow.otherwise and show_probabilities:
        text += ", otherwise"
    return text + (f": {flow.label}" if flow.label else "")


def _flow_label(flow: Flow, show_probabilities: bool, limit: int = 80) -> str | None:
    """The text beside a flow's arrow, its label cut to ``limit`` characters (it is placed as one line; a
    footnote, which wraps, shows more)."""
    parts = []
    if show_probabilities and flow.probability is not None:
        parts.append(f"{flow.probability * 100:.3g}%")
    elif show_probabilities and flow.otherwise:
        parts.append("otherwise")
    if flow.label and flow.label.strip():
        parts.append(clip(" ".join(flow.label.split()), limit))
    return " · ".join(parts) or None


def _edge_style(kind: str, theme: Theme) -> dict[str, str | _Raw]:
    if kind == "transfer":
        return {"color": theme.transfer, "penwidth": "1.8", "style": "solid"}
    if kind == "rework":
        return {"color": theme.arrow, "style": "dashed", "penwidth": "1.1"}
    if kind == "retry":  # heavier dots than an evidence link's
        return {"color": theme.retry, "style": "dotted", "penwidth": "1.6"}
    if kind == "parallel":
        return {"color": theme.arrow, "arrowtail": "dot", "dir": "both", "penwidth": "1.1"}
    if kind == "recovery":  # dashed as a rework is, told apart by its open head (and colour, on screen)
        return {"color": theme.recovery, "style": "dashed", "penwidth": "1.3", "arrowhead": "empty"}
    return {"color": theme.arrow, "penwidth": "1.1"}


@dataclass
class _Canvas:
    layout: Layout
    top_offset: float
    height: float


def _headings(layout: Layout, opts: Options) -> tuple[list[str], list[str]]:
    """The title's and the subtitle's lines, wrapped to the drawing's width."""
    room = layout.right - layout.left - 20
    # wrapped by an estimate of the characters a line holds, then narrower until every line measures within the
    # room (the title is bold: 1.1 times as wide)
    title = fit_lines(opts.title, room / 1.1, FONT_SIZE + 5, max(8, int(room / (0.56 * (FONT_SIZE + 5) * 1.06)))) if opts.title else []
    subtitle = fit_lines(opts.subtitle, room, FONT_SIZE, max(8, int(room / (0.56 * FONT_SIZE)))) if opts.subtitle else []
    # blank lines (a name of only spaces or line breaks) draw nothing and Graphviz refuses empty bold text
    return [ln for ln in title if ln.strip()], [ln for ln in subtitle if ln.strip()]


def _heading_heights(layout: Layout, opts: Options) -> tuple[float, float]:
    """The height of the title and of the subtitle (0 when there is none)."""
    title, subtitle = _headings(layout, opts)
    return (TITLE_HEIGHT + 22 * (len(title) - 1) if title else 0.0,
            SUBTITLE_HEIGHT + 15 * (len(subtitle) - 1) if subtitle else 0.0)


def _canvas(layout: Layout, opts: Options) -> _Canvas:
    top = sum(_heading_heights(layout, opts))
    bottom = layout.bottom + top + _legend_height(opts)
    return _Canvas(layout, top, bottom)


def _edges(bp: Blueprint, layout: Layout, opts: Options) -> list[tuple[str, str, str, dict[str, str | _Raw]]]:
    """``(id, tail, head, attributes)`` of every arrow."""
    return [(i, t, h, a) for i, t, h, a, _ in _labelled_edges(bp, layout, opts)]


def _labelled_edges(bp: Blueprint, layout: Layout, opts: Options) -> list[tuple[str, str, str, dict[str, str | _Raw], str | None]]:
    """``(id, tail, head, attributes, label text)`` of every arrow."""
    out = []
    names = {s.id: s.label for s in bp.steps}
    for i, f in enumerate(bp.flows):
        if f.source not in layout.boxes or f.target not in layout.boxes:
            continue
        label = _flow_label(f, opts.show_probabilities)
        attrs = _edge_style(f.kind.value, opts.theme)
        attrs["tooltip"] = _flow_tooltip(f, names, opts.show_probabilities)
        if label:
            attrs["label"] = _Raw(f"<{_html(label)}>")
        out.append((f"flow-{i}", f.source, f.target, attrs, label))
    if opts.show_evidence:
        for s in bp.steps:
            # to a step the customer sees (a backstage step's link would cross the whole diagram)
            if s.evidence and s.lane in (Lane.CUSTOMER, Lane.ONSTAGE) and f"evidence:{s.id}" in layout.boxes and s.id in layout.boxes:
                link = {"color": opts.theme.muted, "style": "dotted", "arrowhead": "none", "penwidth": "1.0"}
                out.append((f"{EVIDENCE_LINK}{s.id}", f"evidence:{s.id}", s.id, dict(link), None))
    if opts.show_fail_points:
        for s in bp.steps:
            fp = s.fail_point
            if fp and fp.recovery and fp.recovery in layout.boxes and s.id in layout.boxes:
                attrs = _edge_style("recovery", opts.theme)
                pct = f" {fp.probability * 100:.3g}%" if fp.probability is not None else ""
                attrs["label"] = _Raw(f"<{_html('recovery' + pct)}>")
                out.append((f"recovery-{s.id}", s.id, fp.recovery, attrs, "recovery" + pct))
    return out


def _node_id(step_id: str) -> str:
    return f"step-{step_id}"


def _box_statement(box: Box, c: _Canvas, opts: Options, bp: Blueprint) -> str:
    t = opts.theme
    y = box.y + c.top_offset
    if box.kind == "evidence":
        return f"{_q(box.id)} " + _attrs(
            id=f"evidence-{box.id.split(':', 1)[1]}",
            shape="note",
            style="filled",
            fillcolor=t.evidence_fill,
            color=t.muted,
            fontcolor=t.text,
            fontsize=f"{FONT_SIZE - 1:g}",
            width=f"{box.width / 72:.3f}",
            height=f"{box.height / 72:.3f}",
            fixedsize="false",
            margin="0.08,0.04",
            pos=_pt(box.x, y, c.height),
            label=_label_lines(box.lines, [], t, parted=box.parted),
        )
    overlay = opts.overlays.get(box.id)
    return f"{_q(box.id)} " + _attrs(
        id=_node_id(box.id),
        shape="box",
        style="rounded,filled",
        fillcolor=(overlay.fill if overlay and overlay.fill else t.step_fill),
        color=t.step_border,
        fontcolor=t.text,
        width=f"{box.width / 72:.3f}",
        height=f"{box.height / 72:.3f}",
        fixedsize="false",
        margin="0.08,0.05",
        pos=_pt(box.x, y, c.height),
        label=_label_lines(box.lines, box.detail, t, _figure_lines(overlay)),
        tooltip=_step_tooltip(bp, bp.step(box.id), overlay, opts),
    )


def _dot_source(bp: Blueprint, layout: Layout, opts: Options, routes: dict[str, dict[str, str]] | None) -> str:
    """The DOT text. Without ``routes``: boxes and arrows only, for routing."""
    t = opts.theme
    c = _canvas(layout, opts)
    out = [
        f"digraph {_q(' '.join(clip(bp.name, 200).split()))} {{",  # on one line: a PNG's dpi goes after it
        "  graph " + _attrs(
            charset="UTF-8", splines="true", outputorder="nodesfirst", bgcolor="white", pad="0.15",
            fontname=FONT, **({"size": f"{opts.width:.2f},1000"} if opts.width and routes is not None else {}),
        ) + ";",
        "  node " + _attrs(fontname=FONT, fontsize=f"{FONT_SIZE:g}") + ";",
        "  edge " + _attrs(fontname=FONT, fontsize=f"{SMALL_FONT_SIZE:g}", arrowsize="0.7", fontcolor=t.muted) + ";",
    ]
    full = routes is not None
    # Invisible corners fix the bounding box, so both runs share one coordinate system.
    for name, x, y in (("corner:top-left", layout.left, 0.0), ("corner:bottom-right", layout.right, c.height)):
        out.append(f"  {_q(name)} " + _attrs(shape="point", style="invis", width="0.01", label="", pos=_pt(x, y, c.height)) + ";")
    if full:
        out += _background(bp, layout, c, opts)
    for box in layout.boxes.values():
        if (box.kind == "evidence" and not opts.show_evidence) or box.kind == "continuation":
            continue
        out.append("  " + _box_statement(box, c, opts, bp) + ";")
    for edge_id, tail, head, attrs in _edges(bp, layout, opts):
        extra = dict(attrs)
        if full and routes and edge_id in routes:
            extra.update(routes[edge_id])
        cont = opts.continuations.get(edge_id) if full else None
        if cont is None:
            out.append(f"  {_q(tail)} -> {_q(head)} " + _attrs(id=edge_id, **extra) + ";")
            continue
        rest = {k: v for k, v in attrs.items() if k != "label"} | dict((routes or {}).get(cont.rest, {}))
        rest.pop("lp", None)
        out.append(f"  {_q(tail)} -> {_q(cont.out)} " + _attrs(id=edge_id, **extra) + ";")
        out.append(f"  {_q(cont.inn)} -> {_q(head)} " + _attrs(id=cont.rest, **rest) + ";")
    if full:
        out += _markers(bp, layout, c, opts)
    out.append("}")
    return "\n".join(out) + "\n"


def _background(bp: Blueprint, layout: Layout, c: _Canvas, opts: Options) -> list[str]:
    t = opts.theme
    lines: list[str] = []
    width = layout.right - layout.left
    cx = (layout.left + layout.right) / 2
    title, subtitle = _headings(layout, opts)
    title_h, subtitle_h = _heading_heights(layout, opts)
    if title:
        lines.append(
            "  title " + _attrs(
                id="title", shape="plaintext", margin="0", width=f"{width / 72:.3f}", height=f"{(title_h - 12) / 72:.3f}",
                fixedsize="true", pos=_pt(cx, title_h / 2, c.height),
                label=_left_text("\n".join(title), width - 20, bold=True, size=FONT_SIZE + 5, color=t.text),
            ) + ";"
        )
    if subtitle:
        lines.append(
            "  subtitle " + _attrs(
                id="subtitle", shape="plaintext", margin="0", width=f"{width / 72:.3f}", height=f"{(subtitle_h - 2) / 72:.3f}",
                fixedsize="true", pos=_pt(cx, title_h + subtitle_h / 2, c.height),
                label=_left_text("\n".join(subtitle), width - 20, size=FONT_SIZE, color=t.muted),
            ) + ";"
        )
    for band in layout.bands:
        top, bottom = band.top + c.top_offset, band.bottom + c.top_offset
        tag = band.lane.value + (f"-{band.row}" if band.row else "")
        lines.append(
            f"  {_q('band:' + tag)} " + _attrs(
                id=f"band-{tag}", shape="box", style="filled", fillcolor=t.bands[band.lane.value],
                color=t.band_border, penwidth="0.6", label="", fixedsize="true",
                width=f"{width / 72:.3f}", height=f"{(bottom - top) / 72:.3f}",
                pos=_pt(cx, (top + bottom) / 2, c.height),
            ) + ";"
        )
        title_lines = wrap_label(band.lane.title, LANE_TITLE_UNITS)
        lines.append(
            f"  {_q('lane:' + tag)} " + _attrs(
                id=f"lane-{tag}", shape="plaintext", margin="0",
                width=f"{(LEFT_MARGIN - 20) / 72:.3f}", height=f"{len(title_lines) * LANE_TITLE_LINE / 72:.3f}", fixedsize="true",
                pos=_pt(layout.left + 10 + (LEFT_MARGIN - 20) / 2, (top + bottom) / 2, c.height),
                label=_left_text("\n".join(title_lines), LEFT_MARGIN - 20, bold=True, size=FONT_SIZE, color=t.text),
            ) + ";"
        )
    for line in Line:
        for row, y_row in enumerate(layout.lines[line.value]):
            # lines that meet (around a lane left out) are drawn once, solid, with both names
            meeting = [other for other in Line if layout.lines[other.value][row] == y_row]
            if meeting[0] is not line:
                continue
            y = y_row + c.top_offset
            key = line.value.replace(" ", "-") + (f"-{row}" if row else "")
            style = "dashed" if meeting == [Line.VISIBILITY] else "solid"
            name = _line_name(layout, line, row)
            label_w = LEFT_MARGIN - 20
            label_h = LINE_NAME_HEIGHT * (name.count("\n") + 1)
            lines.append(
                f"  {_q('line-start:' + key)} " + _attrs(shape="point", width="0.01", style="invis", pos=_pt(layout.left, y, c.height)) + ";"
            )
            lines.append(
                f"  {_q('line-end:' + key)} " + _attrs(shape="point", width="0.01", style="invis", pos=_pt(layout.right, y, c.height)) + ";"
            )
            lines.append(
                f"  {_q('line-start:' + key)} -> {_q('line-end:' + key)} " + _attrs(
                    id=f"line-{key}", dir="none", style=style, color=t.line, penwidth="1.6", headclip="false", tailclip="false",
                    pos=f"{layout.left:.2f},{c.height - y:.2f} {layout.left:.2f},{c.height - y:.2f} "
                    f"{layout.right:.2f},{c.height - y:.2f} {layout.right:.2f},{c.height - y:.2f}",
                ) + ";"
            )
            lines.append(
                f"  {_q('line-label:' + key)} " + _attrs(
                    id=f"line-label-{key}", shape="plaintext", margin="0", fixedsize="true",
                    width=f"{label_w / 72:.3f}", height=f"{label_h / 72:.3f}",
                    pos=_pt(layout.left + 10 + label_w / 2, y + (1.5 + label_h / 2 if _name_under(layout, y_row, row)
                                                                  else -1.5 - label_h / 2), c.height),
                    label=_left_text(name, label_w, size=SMALL_FONT_SIZE, color=t.muted),
                ) + ";"
            )
    return lines + _stage_headers(bp, layout, c, opts) + _time_row(layout, c, opts) + _emotion_row(bp, layout, c, opts)


def _column_x(layout: Layout) -> dict[int, float]:
    """The centre of each column."""
    out: dict[int, float] = {}
    for b in layout.boxes.values():
        if b.kind != "continuation":
            out.setdefault(b.column, b.x)
    return out


def _fit(text: str, width: float, size: float) -> str:
    """``text`` cut short with an ellipsis to fit ``width`` points."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _header_text(name: str, width: float, height: float) -> str:
    """A stage header's label: on one line, or two where the header is tall enough, cut short with an
    ellipsis only where even that does not fit (bold is wider: measured at 1.1 times the size)."""
    size = FONT_SIZE * 1.1
    if text_width(name, size) <= width or height < STAGE_HEIGHT - 10 + STAGE_LINE:
        return _html(_fit(name, width, size))
    lines = fit_lines(name, width, size)
    if len(lines) > 2:  # the second line holds the rest, cut short
        first = lines[0].removesuffix("-") if name.startswith(lines[0].removesuffix("-")) else ""
        lines = [lines[0], _fit(name[len(first):].lstrip(), width, size)] if first else [_fit(name, width, size)]
    return "<BR/>".join(_html(line) for line in lines)


def _stage_header_rects(bp: Blueprint, layout: Layout, opts: Options) -> list[tuple[str, Rect, str]]:
    """``(stage name, rectangle, tooltip)`` of each stage header, in layout coordinates."""
    stages = _stages(bp, opts)
    if not stages:
        return []
    xs = _column_x(layout)
    described = {st.name: st.description for st in getattr(bp, "stages", None) or [] if getattr(st, "description", None)}
    out = []
    seen: set[str] = set()
    for row, name, c0, c1 in stage_spans(layout, stages):
        top = layout.row_top(row) + 4
        rect = Rect(xs[c0] - BOX_WIDTH / 2 - 8, top, xs[c1] + BOX_WIDTH / 2 + 8, top + layout.header - 10)
        shown = f"{name} (continued)" if name in seen else name
        seen.add(name)
        out.append((shown, rect, f"stage: {name}" + (f"\n{described[name]}" if name in described else "")))
    return out


def _stage_headers(bp: Blueprint, layout: Layout, c: _Canvas, opts: Options) -> list[str]:
    """The stage headers across the top of each row."""
    t = opts.theme
    out = []
    for n, (name, r, tip) in enumerate(_stage_header_rects(bp, layout, opts)):
        width = r.right - r.left
        out.append(f"  {_q(f'stage:{n}')} " + _attrs(
            id=f"stage-{n}", shape="box", style="rounded,filled", fillcolor=t.stage_fill, color=t.band_border,
            penwidth="0.8", fixedsize="true", width=f"{width / 72:.3f}", height=f"{(r.bottom - r.top) / 72:.3f}",
            pos=_pt(r.cx, r.cy + c.top_offset, c.height), tooltip=tip, fontcolor=t.text,
            label=_Raw(f"<<B>{_header_text(name, width - 16, r.bottom - r.top)}</B>>"),
        ) + ";")
    return out


def _emotion_rects(layout: Layout, opts: Options) -> list[Rect]:
    """The room of the emotion row in each row of the layout: the top of the customer lane, above its boxes."""
    if opts.emotion is None:
        return []
    out = []
    for band in layout.bands:
        if band.lane is Lane.CUSTOMER:
            out.append(Rect(layout.left + LEFT_MARGIN, band.top + 2, layout.right - 4, band.top + EMOTION_HEIGHT - 2))
    return out


def _emotion_points(layout: Layout, opts: Options) -> list[tuple[int, float, float, float, int]]:
    """``(row, x, y, value, column)`` of each point of the emotion row (layout coordinates): a column's value is
    the mean of its steps', drawn clipped to −1 … +1 around the row's zero line."""
    er = opts.emotion
    if er is None:
        return []
    xs = _column_x(layout)
    per_col: dict[int, list[float]] = {}
    for sid, v in er.values.items():
        box = layout.boxes.get(sid)
        if box is not None and box.kind == "step" and v == v:  # NaN: not measured
            per_col.setdefault(box.column, []).append(float(v))
    out = []
    for row, room in enumerate(_emotion_rects(layout, opts)):
        zero = (room.top + room.bottom) / 2 + 2
        amp = (room.bottom - room.top) / 2 - 13
        for col in layout.columns_of_row(row):
            if col in xs and col in per_col:
                v = sum(per_col[col]) / len(per_col[col])
                out.append((row, xs[col], zero - max(-1.0, min(1.0, v)) * amp, v, col))
    return out


def _emotion_past(layout: Layout, er: EmotionRow) -> dict[int, float]:
    """The largest share felt past the tolerance among each column's steps."""
    out: dict[int, float] = {}
    for sid, share in er.past.items():
        box = layout.boxes.get(sid)
        if box is not None and box.kind == "step" and share == share:
            out[box.column] = max(out.get(box.column, 0.0), float(share))
    return out


def _emotion_text(v: float, past: float | None, er: EmotionRow) -> tuple[str, bool]:
    """What is written beside an emotion point, and whether it is drawn as bad.

    >>> _emotion_text(0.2, 0.23, EmotionRow({}))
    ('+0.20 · 23% felt too long', True)
    >>> _emotion_text(0.2, 0.05, EmotionRow({}))
    ('+0.20', False)
    """
    alarm = past is not None and past >= er.alarm
    return f"{v:+.2f}" + (f" · {past:.0%} felt too long" if alarm else ""), alarm or v < 0


def _emotion_marks(layout: Layout, opts: Options) -> list[Rect]:
    """The emotion row's written values, which arrows keep clear of (a connector may pass through a point, which
    sits over its step as the evidence links do)."""
    out: list[Rect] = []
    if opts.emotion is None:
        return out
    past = _emotion_past(layout, opts.emotion)
    for _row, x, y, v, col in _emotion_points(layout, opts):
        ty = y + (-8 if v >= 0 else 8)
        text, _ = _emotion_text(v, past.get(col), opts.emotion)
        w = _emotion_width(text)
        mid = _emotion_label_x(layout, x, w)
        out.append(Rect(mid - w / 2 - 1, ty - 7, mid + w / 2 + 1, ty + 7))
    return out


def _emotion_width(text: str) -> float:
    return max(36.0, text_width(text, SMALL_FONT_SIZE) + 2)


def _emotion_label_x(layout: Layout, x: float, w: float) -> float:
    """The centre of an emotion point's written value: right of the point, or left of it where the frame ends."""
    return x + 6 + w / 2 if x + 6 + w <= layout.right - 4 else x - 6 - w / 2


def _emotion_links(bp: Blueprint, layout: Layout, points: list[tuple[int, float, float, float, int]],
                   er: EmotionRow) -> list[tuple[int, int]]:
    """The pairs of columns whose emotion points are joined by a line, left to right in a row: a point and each
    next point the journey reaches from it before any other. Alternatives (a call answered in English or in
    Spanish) are not joined as if one followed the other; each joins the steps before and after it."""
    g = to_networkx(bp)  # the journey forward: no call-backs (retries), no loops back
    back = back_flows(bp)
    g.remove_edges_from([(u, v, k) for u, v, k, kind in g.edges(keys=True, data="kind") if kind == "retry" or (u, v) in back])
    valued: dict[str, int] = {}
    for sid, v in er.values.items():
        box = layout.boxes.get(sid)
        if box is not None and box.kind == "step" and v == v and sid in g:
            valued[sid] = box.column
    row_of = {col: row for row, _x, _y, _v, col in points}
    out = []
    for row, _x, _y, _v, col in points:
        frontier = [sid for sid, c in valued.items() if c == col]
        seen, reached = set(frontier), set()
        while frontier:
            for nxt in g.successors(frontier.pop()):
                if nxt not in seen:
                    seen.add(nxt)
                    if valued.get(nxt, col) != col:
                        reached.add(valued[nxt])  # the first point on this way: the way stops here
                    else:
                        frontier.append(nxt)
        out += [(col, b) for b in sorted(reached) if b > col and row_of.get(b) == row]
    return out


def _emotion_row(bp: Blueprint, layout: Layout, c: _Canvas, opts: Options) -> list[str]:
    """The customer's experience along the journey: a point per column with a value, joined left to right where
    the journey goes from one to the other (:func:`_emotion_links`), over a dashed line at 0 ("as expected"),
    each point written beside it."""
    er = opts.emotion
    if er is None:
        return []
    t = opts.theme
    xs = _column_x(layout)
    points = _emotion_points(layout, opts)
    links = _emotion_links(bp, layout, points, er)
    past = _emotion_past(layout, er)
    out: list[str] = []
    for row, room in enumerate(_emotion_rects(layout, opts)):
        key = f"-{row}" if row else ""
        cols = [col for col in layout.columns_of_row(row) if col in xs]
        if not cols:
            continue
        zero = (room.top + room.bottom) / 2 + 2
        x0, x1 = xs[cols[0]] - BOX_WIDTH / 2, xs[cols[-1]] + BOX_WIDTH / 2
        yz = c.height - zero - c.top_offset
        out.append(f"  {_q('emotion-zero-a' + key)} " + _attrs(shape="point", width="0.01", style="invis", pos=_pt(x0, zero + c.top_offset, c.height)) + ";")
        out.append(f"  {_q('emotion-zero-b' + key)} " + _attrs(shape="point", width="0.01", style="invis", pos=_pt(x1, zero + c.top_offset, c.height)) + ";")
        out.append(f"  {_q('emotion-zero-a' + key)} -> {_q('emotion-zero-b' + key)} " + _attrs(
            id=f"emotion-zero{key}", dir="none", style="dashed", color=t.muted, penwidth="0.8", headclip="false", tailclip="false",
            pos=f"{x0:.2f},{yz:.2f} {x0:.2f},{yz:.2f} {x1:.2f},{yz:.2f} {x1:.2f},{yz:.2f}") + ";")
        title = [f"<B>{_html(er.title)}</B>"] + [_html(x) for x in er.note.split("\n") if x]
        out.append(f"  {_q('emotion-title' + key)} " + _attrs(
            id=f"emotion-title{key}", shape="plaintext", margin="0", fixedsize="true",
            width=f"{(LEFT_MARGIN - 20) / 72:.3f}", height=f"{12 * len(title) / 72:.3f}",
            pos=_pt(layout.left + 10 + (LEFT_MARGIN - 20) / 2, room.top + 6 * len(title) + c.top_offset, c.height),
            label=_Raw('<<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="0" CELLSPACING="0">' + "".join(
                f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{SMALL_FONT_SIZE:g}" COLOR="{t.text if i == 0 else t.muted}">{line}</FONT></TD></TR>'
                for i, line in enumerate(title)) + "</TABLE>>"),
        ) + ";")
        mine = [p for p in points if p[0] == row]
        at = {p[4]: p for p in mine}
        for (_ra, xa, ya, _va, ca), (_rb, xb, yb, _vb, cb) in [(at[a], at[b]) for a, b in links if a in at and b in at]:
            out.append(f"  {_q(f'emotion:{ca}')} -> {_q(f'emotion:{cb}')} " + _attrs(
                id=f"emotion-{ca}-{cb}", dir="none", color=t.text, penwidth="1.4", headclip="false", tailclip="false",
                pos=f"{xa:.2f},{c.height - ya - c.top_offset:.2f} {xa:.2f},{c.height - ya - c.top_offset:.2f} "
                    f"{xb:.2f},{c.height - yb - c.top_offset:.2f} {xb:.2f},{c.height - yb - c.top_offset:.2f}") + ";")
        for _r, x, y, v, col in mine:
            text, bad = _emotion_text(v, past.get(col), er)
            colour = t.bad if bad else t.good
            w = _emotion_width(text)
            out.append(f"  {_q(f'emotion:{col}')} " + _attrs(
                id=f"emotion-{col}", shape="circle", style="filled", fillcolor=colour, color=colour, width="0.09",
                height="0.09", fixedsize="true", label="", pos=_pt(x, y + c.top_offset, c.height),
                tooltip=f"{er.title}: {text}") + ";")
            out.append(f"  {_q(f'emotion-value:{col}')} " + _attrs(
                id=f"emotion-value-{col}", shape="plaintext", margin="0", fixedsize="true", width=f"{w / 72:.3f}",
                height="0.16", pos=_pt(_emotion_label_x(layout, x, w), y + (-8 if v >= 0 else 8) + c.top_offset, c.height),
                label=_Raw(f'<<FONT POINT-SIZE="{SMALL_FONT_SIZE:g}" COLOR="{colour}">{_html(text)}</FONT>>')) + ";")
    return out


def _time_row_rects(layout: Layout) -> list[Rect]:
    """The room of the time row under the lanes of each row."""
    out = []
    for row in range(layout.rows):
        lanes_bottom = max(b.bottom for b in layout.bands if b.row == row)
        out.append(Rect(layout.left, lanes_bottom, layout.right, lanes_bottom + layout.footer))
    return out


def _time_row(layout: Layout, c: _Canvas, opts: Options) -> list[str]:
    """The customer's time under the lanes: the time spent in each column and the time elapsed by its end."""
    tr = opts.time_row
    if tr is None or layout.footer <= 0:
        return []
    t = opts.theme
    xs = _column_x(layout)
    spent: dict[int, float] = {}
    for sid, seconds in tr.spent.items():
        box = layout.boxes.get(sid)
        if box is not None and box.kind == "step" and seconds == seconds:  # NaN: not measured
            spent[box.column] = spent.get(box.column, 0.0) + max(0.0, seconds)
    out = []
    elapsed = 0.0
    for row, room in enumerate(_time_row_rects(layout)):
        cols = [col for col in layout.columns_of_row(row) if col in xs]
        if not cols:
            continue
        key = f"-{row}" if row else ""
        y = room.top + 12 + c.top_offset
        x0, x1 = xs[cols[0]] - BOX_WIDTH / 2, xs[cols[-1]] + BOX_WIDTH / 2
        out.append(f"  {_q('time-start' + key)} " + _attrs(shape="point", width="0.01", style="invis", pos=_pt(x0, y, c.height)) + ";")
        out.append(f"  {_q('time-end' + key)} " + _attrs(shape="point", width="0.01", style="invis", pos=_pt(x1, y, c.height)) + ";")
        out.append(f"  {_q('time-start' + key)} -> {_q('time-end' + key)} " + _attrs(
            id=f"time-axis{key}", color=t.muted, penwidth="1.0", arrowsize="0.6", headclip="false", tailclip="false",
            pos=f"e,{x1:.2f},{c.height - y:.2f} {x0:.2f},{c.height - y:.2f} {x0:.2f},{c.height - y:.2f} "
                f"{x1 - 6:.2f},{c.height - y:.2f} {x1 - 6:.2f},{c.height - y:.2f}",
        ) + ";")
        title = [f"<B>{_html(tr.title)}</B>"] + [_html(x) for x in tr.total]
        out.append(f"  {_q('time-title' + key)} " + _attrs(
            id=f"time-title{key}", shape="plaintext", margin="0", fixedsize="true",
            width=f"{(LEFT_MARGIN - 20) / 72:.3f}", height=f"{12 * len(title) / 72:.3f}",
            pos=_pt(layout.left + 10 + (LEFT_MARGIN - 20) / 2, room.top + 4 + 6 * len(title) + c.top_offset, c.height),
            label=_Raw('<<TABLE BORDER="0" CELLBORDER="0" CELLPADDING="0" CELLSPACING="0">' + "".join(
                f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="{SMALL_FONT_SIZE:g}" COLOR="{t.text if i == 0 else t.muted}">{line}</FONT></TD></TR>'
                for i, line in enumerate(title)) + "</TABLE>>"),
        ) + ";")
        for col in cols:
            here = spent.get(col, 0.0)
            elapsed += here
            if here < 0.5:
                continue
            out.append(f"  {_q(f'time:{col}')} " + _attrs(
                id=f"time-{col}", shape="plaintext", margin="0", fixedsize="true", width=f"{BOX_WIDTH / 72:.3f}", height="0.34",
                pos=_pt(xs[col], y + 15, c.height),
                tooltip=f"a customer spends {duration(here)} here on average (waits and service); {duration(elapsed)} from arrival by the end",
                label=_Raw(f'<<FONT POINT-SIZE="{SMALL_FONT_SIZE:g}" COLOR="{t.text}"><B>+{_html(duration(here))}</B></FONT>'
                           f'<BR/><FONT POINT-SIZE="{SMALL_FONT_SIZE:g}" COLOR="{t.muted}">{_html(duration(elapsed))} so far</FONT>>'),
            ) + ";")
    return out


def _circle(node_id: str, text: str, x: float, y: float, c: _Canvas, fill: str, color: str, fontcolor: str) -> str:
    return f"  {_q(node_id)} " + _attrs(
        id=node_id, shape="circle", style="filled", fillcolor=fill, color=color, fontcolor=fontcolor,
        penwidth="1.4", width="0.24", height="0.24", fixedsize="true", fontsize="9",
        label=_Raw(f"<<B>{_html(text)}</B>>"), pos=_pt(x, y, c.height),
    ) + ";"


def _moment_sizes(moments: Sequence[tuple[float, float]]) -> list[float]:
    """Half the size of each moment of truth's ◆: :data:`MOMENT_SIZE`, smaller where another ◆ is so near
    that the two would touch (arrows spread 9 points apart cross the line 9 points apart), so that
    :data:`MOMENT_GAP` stays white between them; never below :data:`MOMENT_LEAST`.

    >>> _moment_sizes([(0.0, 0.0), (9.0, 0.0), (100.0, 0.0)])
    [3.25, 3.25, 4.5]
    """
    out = []
    for n, (x, y) in enumerate(moments):
        # two ◆ touch first along the line between their centres: at the sum of half sizes on a diagonal
        # (|dx| + |dy|), the diamonds' own measure
        near = min((abs(x - a) + abs(y - b) for m, (a, b) in enumerate(moments) if m != n), default=math.inf)
        out.append(max(MOMENT_LEAST, min(MOMENT_SIZE, (near - MOMENT_GAP) / 2)))
    return out


def _markers(bp: Blueprint, layout: Layout, c: _Canvas, opts: Options) -> list[str]:
    t = opts.theme
    out: list[str] = []
    for s in bp.steps:
        box = layout.boxes.get(s.id)
        if box is None or box.kind != "step":
            continue
        top = box.top + c.top_offset
        overlay = opts.overlays.get(s.id)
        if opts.show_fail_points and s.fail_point is not None:
            if overlay is not None and overlay.faded:
                out.append(_circle(f"fail-{s.id}", "F", box.right - 4, top, c, t.faded_fill, t.faded_text, t.faded_text))
            else:
                out.append(_circle(f"fail-{s.id}", "F", box.right - 4, top, c, t.fail_fill, t.recovery if t.name == "screen" else t.line, t.fail_text))
        if opts.show_wait_points and s.wait_point is not None:
            out.append(_circle(f"wait-{s.id}", "W", box.left + 4, top, c, t.wait_fill, t.line, t.wait_text))
            text, w = _wait_label(s, box)
            out.append(
                f"  {_q('wait-label:' + s.id)} " + _attrs(
                    id=f"wait-label-{s.id}", shape="plaintext", margin="0", fixedsize="true", width=f"{w / 72:.3f}", height="0.15",
                    pos=_pt(box.left + 14 + w / 2, top - 8, c.height),
                    label=_left_text(text, w - 1, size=SMALL_FONT_SIZE, color=t.text),
                ) + ";"
            )
        if overlay and overlay.badge:
            out.append(_circle(f"badge-{s.id}", overlay.badge, box.right - 4, box.bottom + c.top_offset, c,
                               (overlay.badge_fill if t.name == "screen" else None) or t.fail_fill, t.line, t.fail_text))
    for cont in opts.continuations.values():
        for node, where in ((cont.out, "continues"), (cont.inn, "continued")):
            box = layout.boxes[node]
            other = "next" if where == "continues" else "previous"
            out.append(f"  {_q(node)} " + _attrs(
                id=node.replace(":", "-"), shape="circle", style="filled", fillcolor="white", color=t.arrow, fontcolor=t.text,
                penwidth="1.2", width=f"{box.width / 72:.3f}", height=f"{box.height / 72:.3f}", fixedsize="true",
                fontsize=f"{SMALL_FONT_SIZE:g}", label=_Raw(f"<<B>{_html(cont.letter)}</B>>"),
                tooltip=f"{where} at {cont.letter} in the {other} row", pos=_pt(box.x, box.y + c.top_offset, c.height),
            ) + ";")
    for n, ((x, y), half) in enumerate(zip(opts.moments_of_truth, _moment_sizes(opts.moments_of_truth))):
        out.append(f"  {_q(f'moment:{n}')} " + _attrs(
            id=f"moment-{n}", shape="diamond", style="filled", fillcolor=t.line, color=t.line, label="",
            width=f"{2 * half / 72:.3f}", height=f"{2 * half / 72:.3f}", fixedsize="true",
            tooltip="moment of truth: the customer meets the service here", pos=_pt(x, y + c.top_offset, c.height),
        ) + ";")
    out += _legend(layout, c, opts)
    return out


def _legend_entries(bp: Blueprint, layout: Layout, opts: Options) -> list[tuple[str, str, float]]:
    """``(symbol cell, text, width in points)`` of each thing the diagram draws, and only those."""
    t = opts.theme
    steps = [s for s in bp.steps if s.id in layout.boxes]
    kinds = {f.kind.value for f in bp.flows if f.source in layout.boxes and f.target in layout.boxes}
    out: list[tuple[str, str]] = []
    if opts.show_fail_points and any(s.fail_point for s in steps):
        out.append((f'<TD BGCOLOR="{t.fail_fill}"><FONT COLOR="{t.fail_text}"><B> F </B></FONT></TD>', "fail point"))
    if opts.show_wait_points and any(s.wait_point for s in steps):
        out.append((f'<TD BGCOLOR="{t.wait_fill}"><FONT COLOR="{t.wait_text}"><B> W </B></FONT></TD>',
                    "wait point (≤ tolerable wait)"))
    if opts.moments_of_truth:
        out.append((f'<TD><FONT COLOR="{t.line}">◆</FONT></TD>', "moment of truth (the line of interaction is crossed)"))
    symbols = {
        "handoff": (f'<TD><FONT COLOR="{t.arrow}">───▶</FONT></TD>', "hand-off"),
        "transfer": (f'<TD><FONT COLOR="{t.transfer}"><B>━━▶</B></FONT></TD>', "transfer"),
        "rework": (f'<TD><FONT COLOR="{t.arrow}">- - ▶</FONT></TD>', "rework"),
        "retry": (f'<TD><FONT COLOR="{t.retry}"><B>· · ▶</B></FONT></TD>', "retry after abandoning"),
        "parallel": (f'<TD><FONT COLOR="{t.arrow}">●──▶</FONT></TD>', "in parallel"),
    }
    out += [symbols[k] for k in symbols if k in kinds]
    if opts.show_fail_points and any(s.fail_point and s.fail_point.recovery in layout.boxes for s in steps):
        out.append((f'<TD><FONT COLOR="{t.recovery}">- - ▷</FONT></TD>', "recovery"))
    if opts.show_evidence and any(b.kind == "evidence" for b in layout.boxes.values()):
        out.append((f'<TD><FONT COLOR="{t.muted}">┆</FONT></TD>', "evidence of the step below"))
    if opts.continuations:
        marker = (f'<TD><TABLE BORDER="1" STYLE="rounded" COLOR="{t.arrow}" CELLBORDER="0" CELLSPACING="0" '
                  f'CELLPADDING="1"><TR><TD><FONT COLOR="{t.text}"><B>A</B></FONT></TD></TR></TABLE></TD>')
        arrow = f'<TD><FONT COLOR="{t.arrow}">─▶</FONT></TD>'
        # the marker drawn as the diagram draws it (a circled letter has no glyph in the PNG's font)
        out.append((f'<TD><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>{arrow}{marker}'
                    f'<TD> … </TD>{marker}{arrow}</TR></TABLE></TD>', "the arrow goes on in another row"))
    for fill, text in opts.legend_items:
        out.append((f'<TD BGCOLOR="{_html(fill)}" BORDER="1" COLOR="{t.step_border}">   </TD>', text))
    for n, text in enumerate(opts.footnotes, 1):
        out.append((f'<TD><FONT COLOR="{t.muted}">[{n}]</FONT></TD>', text))
    return [(cell, text, 36.0 + text_width(text, SMALL_FONT_SIZE)) for cell, text in out]


def _legend_rows(bp: Blueprint, layout: Layout, opts: Options) -> list[list[tuple[str, str, float]]]:
    """The legend's entries packed into rows no wider than the frame."""
    if not opts.show_legend:
        return []
    room = max(layout.right - layout.left - 20.0, 200.0)
    rows: list[list[tuple[str, str, float]]] = []
    width = 0.0
    for entry in _legend_entries(bp, layout, opts):
        if entry[2] > room:  # a long footnote or key: wrapped onto lines that fit the frame
            lines = wrap_label(entry[1], max(8, int((room - 72.0) / (0.56 * SMALL_FONT_SIZE))))
            entry = (entry[0], "\n".join(lines), 36.0 + max(text_width(ln, SMALL_FONT_SIZE) for ln in lines))
        if rows and width + entry[2] <= room:
            rows[-1].append(entry)
            width += entry[2]
        else:
            rows.append([entry])
            width = entry[2]
    return rows


def _legend(layout: Layout, c: _Canvas, opts: Options) -> list[str]:
    """The legend: a node per row of entries (``legend-0``, ``legend-1``, ...), each as wide as its own
    entries and centred under the frame, so a short row keeps its symbols beside their words."""
    t = opts.theme
    out = []
    y = layout.bottom + c.top_offset + 6.0
    for n, row in enumerate(opts.legend_rows):
        height = LEGEND_ROW_HEIGHT + 11.0 * max(text.count("\n") for _, text, _ in row)
        cells = "".join(f'{cell}<TD ALIGN="LEFT" BALIGN="LEFT">{_html(text)}</TD>' for cell, text, _ in row)
        label = _Raw(f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="1"><TR>{cells}</TR></TABLE>>')
        out.append(f"  {_q(f'legend:{n}')} " + _attrs(
            id=f"legend-{n}", shape="plaintext", margin="0", fontsize=f"{SMALL_FONT_SIZE:g}", fontcolor=t.text,
            pos=_pt((layout.left + layout.right) / 2, y + height / 2, c.height), label=label,
        ) + ";")
        y += height
    return out


def _legend_height(opts: Options) -> float:
    """The legend's height: a row per line of entries, taller where an entry wraps onto more lines."""
    if not opts.legend_rows:
        return 0.0
    extra = sum(max(text.count("\n") for _, text, _ in row) for row in opts.legend_rows)
    return 12.0 + LEGEND_ROW_HEIGHT * len(opts.legend_rows) + 11.0 * extra


# -- running Graphviz ---------------------------------------------------------------


def _pipe(source: str, fmt: str) -> bytes:
    import graphviz

    try:
        return graphviz.Source(source, engine="neato").pipe(format=fmt, neato_no_op=2, quiet=True)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound() from None


def _pdf_pages(pdf: bytes, svg: str, rows: list[tuple[float, float]], height: float) -> bytes:
    """``pdf`` (one page) cut into a page per row: each page shows the whole width and one row's slice
    of the height, the first from the top (the title), the last to the bottom (the legend). The SVG of
    the same drawing says where Graphviz put it on the page (its scale and padding)."""
    import io
    import re

    from pypdf import PdfReader, PdfWriter

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    box = page.mediabox
    view = re.search(r'viewBox="[\d.\-]+ [\d.\-]+ [\d.\-]+ ([\d.\-]+)"', svg)
    move = re.search(r'id="graph0"[^>]*scale\(([\d.]+)[ ,]*[\d.]*\)[^>]*translate\(([\d.\-]+)[ ,]+([\d.\-]+)\)', svg)
    if view is None or move is None:
        return pdf
    svg_h, scale, ty = float(view.group(1)), float(move.group(1)), float(move.group(3))
    margin = (float(box.height) - svg_h * scale) / 2  # what the PDF adds around the SVG's page

    def pdf_y(y: float) -> float:  # a height in the drawing (from its top) on the PDF page (from its bottom)
        return float(box.bottom) + margin + (svg_h - ty + (height - y)) * scale

    cuts = [(rows[i][1] + rows[i + 1][0]) / 2 for i in range(len(rows) - 1)]
    tops = [float(box.top)] + [pdf_y(y) for y in cuts]
    bottoms = [pdf_y(y) for y in cuts] + [float(box.bottom)]
    writer = PdfWriter()
    for top, bottom in zip(tops, bottoms, strict=True):
        writer.add_page(page)
        sheet = writer.pages[-1]
        sheet.mediabox.lower_left = (float(box.left), bottom)
        sheet.mediabox.upper_right = (float(box.right), top)
        sheet.cropbox.lower_left, sheet.cropbox.upper_right = sheet.mediabox.lower_left, sheet.mediabox.upper_right
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class MissingGlyphs(UserWarning):
    """A PNG or PDF was written with characters no font on this machine draws (see
    :attr:`Diagram.missing_glyphs`)."""


#: A quoted DOT string: node names, ids, hover texts, colours; never drawn (drawn text is in the ``<...>`` labels).
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


class Diagram:
    """A rendered blueprint diagram.

    Shows itself in Jupyter (SVG); ``save("out.svg" | "out.png" | "out.pdf")``
    writes a file atomically; ``.svg`` and ``.dot`` give the text.
    """

    def __init__(self, dot: str, *, rows: list[tuple[float, float]] | None = None,
                 size: tuple[float, float] | None = None) -> None:
        self.dot = dot
        self._svg: str | None = None
        self._rows = rows or []  # where each row of a wrapped journey is drawn: (top, bottom) in points
        self._size = size  # the drawing's (width, height) in points, before Graphviz's padding and scaling

    @property
    def svg(self) -> str:
        """The SVG text."""
        if self._svg is None:
            self._svg = _pipe(self.dot, "svg").decode("utf-8")
        return self._svg

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        """The SVG inline, scaled down to the width of the notebook's output area, so a wide blueprint
        is never cut off or scrolled sideways (and never drawn larger than its own size).

        Jupyter prefers this to :meth:`_repr_svg_`, which stays for front ends that show only images.
        """
        svg = self.svg
        start = svg.find("<svg")  # without the XML declaration and DOCTYPE, which do not belong in HTML
        svg = svg[start:] if start >= 0 else svg
        svg = svg.replace("<svg", '<svg style="max-width:100%;height:auto;display:block"', 1)
        return f'<div class="blueprint-diagram" style="max-width:100%;overflow-x:auto">{svg}</div>'

    @property
    def rows(self) -> int:
        """How many rows the journey is drawn on (see ``max_columns``)."""
        return max(1, len(self._rows))

    def pipe(self, format: Literal["svg", "png", "pdf"] = "svg", *, dpi: int = 144, pages: bool = False) -> bytes:
        """The diagram as bytes in a format Graphviz writes; a PDF with ``pages=True`` has a page per row."""
        if format == "svg":
            return self.svg.encode("utf-8")
        if format == "png":
            self._check_dpi(dpi)
            first, rest = self.dot.split("\n", 1)
            return _pipe(f"{first}\n  graph [dpi={_q(dpi)}];\n{rest}", "png")
        if format == "pdf":
            pdf = _pipe(self.dot, "pdf")
            return _pdf_pages(pdf, self.svg, self._rows, self._size[1]) if pages and len(self._rows) > 1 and self._size else pdf
        raise ValueError(f"unknown format {format!r}; use svg, png or pdf")

    def _check_dpi(self, dpi: int) -> None:
        """A resolution Graphviz can draw in bounded memory: 18 to 1,200 dots per inch, and at most
        :data:`MAX_PNG_PIXELS` pixels in all (a large diagram at a high resolution would take gigabytes)."""
        if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 18 <= dpi <= 1200:
            raise ValueError(f"dpi must be from 18 to 1200, got {dpi!r}")
        if self._size:
            w, h = (math.ceil(v / 72 * dpi) for v in self._size)
            if w * h > MAX_PNG_PIXELS:
                most = int(72 * math.sqrt(MAX_PNG_PIXELS / (self._size[0] * self._size[1])))
                raise ValueError(f"at {dpi} dpi the PNG would be {w:,} × {h:,} pixels, more than {MAX_PNG_PIXELS:,}; "
                                 f"use a dpi of {most} or less, or save as SVG or PDF (they scale without pixels)")

    @property
    def missing_glyphs(self) -> list[str]:
        """The characters of the drawn text that no font on this machine has: a PNG or PDF written here
        shows each as a box with its code (an SVG is drawn by the viewer's fonts). Empty when every one
        is drawn, or when fontconfig cannot say.

        >>> bp.render().missing_glyphs                                   # doctest: +SKIP
        ['🚪']
        """
        return missing_glyphs(_QUOTED.sub("", self.dot))

    def save(self, path: str | os.PathLike[str], *, format: str | None = None, dpi: int = 144, pages: bool = False) -> Path:
        """Write the diagram; the format follows the suffix (.svg, .png, .pdf). ``pages=True`` writes a
        journey wrapped onto rows (``max_columns``) as a PDF with one row per page: the title on the first,
        the legend on the last, the lettered markers joining the arrows between pages.

        >>> bp.render(max_columns=6).save("hotel.pdf", pages=True)     # doctest: +SKIP
        """
        p = Path(path)
        fmt = (format or p.suffix.lstrip(".") or "svg").lower()
        if fmt not in ("svg", "png", "pdf"):
            raise ValueError(f"cannot save a diagram as {fmt!r}; use .svg, .png or .pdf")
        if pages and fmt != "pdf":
            raise ValueError("pages=True is for PDF only; save as .pdf")
        write_atomically(p, self.pipe(fmt, dpi=dpi, pages=pages))  # type: ignore[arg-type]
        if fmt != "svg" and (missing := self.missing_glyphs):
            warnings.warn(f"{p}: {describe_missing(missing, fmt)}", MissingGlyphs, stacklevel=2)
        return p

    def __repr__(self) -> str:
        return f"<Diagram: {len(self.dot.splitlines())} lines of DOT>"


def _options(
    bp: Blueprint,
    *,
    theme: str | Theme = "screen",
    title: str | None | bool = True,
    subtitle: str | None = None,
    roles: bool = True,
    durations: bool = True,
    fail_points: bool = True,
    wait_points: bool = True,
    evidence: bool = True,
    probabilities: bool = True,
    legend: bool = True,
    width: float | None = None,
    max_columns: int | None = None,
    overlays: dict[str, StepOverlay] | None = None,
    legend_items: list[tuple[str, str]] | None = None,
    stages: bool = True,
    empty_lanes: bool = True,
    time_row: TimeRow | None = None,
    emotion: EmotionRow | bool | None = None,
) -> Options:
    if isinstance(theme, str):
        if theme not in THEMES:
            raise ValueError(f"unknown theme {theme!r}; known: {', '.join(THEMES)}")
        theme = THEMES[theme]
    if title is True:
        title = bp.name
    elif title is False:
        title = None
    return Options(
        theme=theme, title=title, subtitle=subtitle, show_roles=roles, show_durations=durations,
        show_fail_points=fail_points, show_wait_points=wait_points, show_evidence=evidence,
        show_probabilities=probabilities, show_legend=legend, width=width, max_columns=max_columns,
        overlays=dict(overlays or {}),
        legend_items=list(legend_items or []),
        show_stages=stages, empty_lanes=empty_lanes, time_row=time_row, emotion=_emotion_row_of(bp, emotion),
    )


def _emotion_row_of(bp: Blueprint, emotion: EmotionRow | bool | None) -> EmotionRow | None:
    """``emotion=True``: the designer's declared emotion of each step (an error when none declares one)."""
    if emotion is None or emotion is False:
        return None
    if isinstance(emotion, EmotionRow):
        return emotion
    declared = {s.id: float(s.emotion) for s in bp.steps if s.emotion is not None}
    if not declared:
        raise ValueError("emotion=True draws the steps' declared emotion, and no step declares one "
                         "(a step's 'emotion', from -1 to +1); a simulation draws its own: results.render(experience=True)")
    return EmotionRow(declared, title="Customer's feeling", note="as designed\n-1 bad, +1 good")


def to_dot(bp: Blueprint, **options: Any) -> str:
    """The diagram's DOT source without routed arrows (no Graphviz needed).

    It renders as it is with ``neato -n2`` (Graphviz then draws the arrows
    straight); :func:`render` routes them around the boxes first.
    """
    opts = _options(bp, **options)
    layout = _layout(bp, opts)
    opts.legend_rows = _legend_rows(bp, layout, opts)
    return _dot_source(bp, layout, opts, routes={})


def render(bp: Blueprint, **options: Any) -> Diagram:
    """Draw a blueprint.

    Options: ``theme`` ("screen" or "print": black and white safe),
    ``title`` (text, or ``False``; the blueprint's name by default),
    ``subtitle``, ``width`` (inches: the drawing scales down to fit),
    ``max_columns`` (wrap a longer journey onto rows of that many steps, with
    lettered markers where an arrow goes on in another row), and switches for
    the annotations: ``roles``, ``durations``, ``fail_points``, ``wait_points``,
    ``evidence``, ``probabilities``, ``legend``, ``stages``; ``empty_lanes=False``
    leaves out the lanes where nothing happens (by default a thin band keeps each
    lane; the lines around a lane left out meet). ``overlays`` maps step ids to
    :class:`StepOverlay` marks (fill colour, badge, note, faded fail point);
    ``legend_items`` adds ``(fill colour, text)`` keys to the legend.

    >>> d = bp.render(max_columns=6, theme="print")    # doctest: +SKIP
    >>> d.save("hotel.pdf")                            # doctest: +SKIP
    """
    from .limits import LIMITS

    if len(bp.steps) > LIMITS.max_steps or len(bp.flows) > LIMITS.max_flows:
        bp.validate().raise_for_errors()  # says which limit, where
    drawn = [f for f in bp.flows if f.source != f.target]
    if len(drawn) > MAX_ARROWS:
        raise TooDenseToDraw(f"{len(drawn):,} flows between steps: a diagram of more than {MAX_ARROWS} arrows cannot be "
                             "read at any width (nor routed in reasonable time); draw the journey in parts (blueprints "
                             "of fewer flows)")
    opts = _options(bp, **options)
    if opts.max_columns is not None and opts.max_columns < 1:
        raise ValueError(f"max_columns must be at least 1, got {opts.max_columns}")
    if opts.width is not None and not (math.isfinite(opts.width) and opts.width >= 1):
        raise ValueError(f"width must be a number of inches, at least 1 (the drawing scales down to it), got {opts.width}")
    if shutil.which("neato") is None:
        raise GraphvizNotFound()
    layout, routes = _arrows(bp, opts)
    c = _canvas(layout, opts)
    rows = [(c.top_offset + layout.row_top(r), c.top_offset + layout.row_top(r) + (layout.pitch - ROW_GAP if layout.rows > 1 else layout.bottom))
            for r in range(layout.rows)]
    return Diagram(_dot_source(bp, layout, opts, routes=routes), rows=rows, size=(layout.right - layout.left, c.height))


def _stage_room(bp: Blueprint, opts: Options) -> float:
    """The room above each row for the stage headers: none without stages; a second line where a stage name
    would not fit the header of a single column (a stage may end up one column wide in a row)."""
    stages = _stages(bp, opts)
    if not stages:
        return 0.0
    # a header over one column is the box's width and 8 points each side; its text has 8 less each side
    long = any(text_width(name, FONT_SIZE * 1.1) > BOX_WIDTH for name, _ in stages)
    return STAGE_HEIGHT + (STAGE_LINE if long else 0.0)


def _stages(bp: Blueprint, opts: Options) -> list[tuple[str, list[str]]]:
    """The stages to draw as headers: ``(name, step ids)``, none when switched off."""
    if not opts.show_stages:
        return []
    return [(st.name, list(st.steps)) for st in getattr(bp, "stages", None) or []]


def _figure_lines(overlay: StepOverlay | None) -> list[tuple[str, str]]:
    """The small lines inside a step's box, wrapped, with their style: ``figure``, ``alert`` or ``note``."""
    if overlay is None:
        return []
    out = [(ln, "figure") for text in overlay.figures for ln in wrap_label(text, FIGURE_UNITS)]
    out += [(ln, "alert") for text in overlay.alerts for ln in wrap_label(text, FIGURE_UNITS)]
    if overlay.note:
        out += [(ln, "note") for ln in wrap_label(overlay.note, FIGURE_UNITS)]
    return out


def _layout(bp: Blueprint, opts: Options, room: dict[tuple[Lane, str], float] | None = None) -> Layout:
    """The grid with room for what this drawing adds: figures in the boxes, stage headers, the time row, the
    emotion row (above the customer lane's boxes)."""
    figures = {sid: [ln for ln, _ in _figure_lines(o)] for sid, o in opts.overlays.items()}
    if opts.emotion is not None:
        room = dict(room or {})
        room[(Lane.CUSTOMER, "above")] = room.get((Lane.CUSTOMER, "above"), 0.0) + EMOTION_HEIGHT
    return compute_layout(bp, show_roles=opts.show_roles, show_durations=opts.show_durations, room=room,
                          figures={k: v for k, v in figures.items() if v},
                          header=_stage_room(bp, opts),
                          footer=TIME_ROW_HEIGHT if opts.time_row is not None else 0.0, empty_lanes=opts.empty_lanes)


def _padding_at(layout: Layout, y: float) -> tuple[Lane, str] | None:
    """The lane padding (``above`` or ``below`` its boxes) a horizontal line at ``y`` runs through."""
    for band in layout.bands:
        if band.top < y < band.bottom:
            inside = [b for b in layout.boxes.values()
                      if b.lane is band.lane and b.kind == "step" and layout.row_of(b.id) == band.row]
            if not inside:
                return None
            if y < min(b.top for b in inside):
                return (band.lane, "above")
            if y > max(b.bottom for b in inside):
                return (band.lane, "below")
    return None


def _padding_between(layout: Layout, y0: float, y1: float) -> tuple[Lane, str] | None:
    """The padding under the boxes of the upper lane, when a vertical stretch from ``y0`` to ``y1`` crosses a
    line between two lanes with steps."""
    lo, hi = min(y0, y1), max(y0, y1)
    for band in layout.bands:
        if lo < band.bottom < hi and band.lane is not Lane.EVIDENCE:
            if any(b.lane is band.lane and b.kind == "step" and layout.row_of(b.id) == band.row for b in layout.boxes.values()):
                return (band.lane, "below")
    return None


def _wait_label(step: Step, box: Box) -> tuple[str, float]:
    """The text beside a W marker (``≤ 5 min``, cut short to stay clear of the F marker) and its width."""
    room = box.width - 14 - MARKER_SIZE - 8  # from right of the W to left of the F
    text = _fit(f"≤ {step.wait_point.tolerance}" if step.wait_point else "", room, SMALL_FONT_SIZE)
    return text, max(64.8, min(room, text_width(text, SMALL_FONT_SIZE) + 4))


def _marker_rects(bp: Blueprint, layout: Layout, opts: Options) -> list[Rect]:
    """Where the F and W markers, tolerances, badges and notes of :func:`_markers` go (layout coordinates)."""
    out: list[Rect] = []
    r = MARKER_SIZE / 2
    for s in bp.steps:
        box = layout.boxes.get(s.id)
        if box is None or box.kind != "step":
            continue
        overlay = opts.overlays.get(s.id)
        if opts.show_fail_points and s.fail_point is not None:
            out.append(Rect(box.right - 4 - r, box.top - r, box.right - 4 + r, box.top + r))
        if opts.show_wait_points and s.wait_point is not None:
            out.append(Rect(box.left + 4 - r, box.top - r, box.left + 4 + r, box.top + r))
            out.append(Rect(box.left + 14, box.top - 8 - 5.4, box.left + 14 + _wait_label(s, box)[1], box.top - 8 + 5.4))
        if overlay and overlay.badge:
            out.append(Rect(box.right - 4 - r, box.bottom - r, box.right - 4 + r, box.bottom + r))
    for band in layout.bands:  # the lane titles in the left margin
        h = LANE_TITLE_LINE * len(wrap_label(band.lane.title, LANE_TITLE_UNITS))
        mid = (band.top + band.bottom) / 2
        out.append(Rect(layout.left, mid - h / 2 - 2, LEFT_MARGIN - 8, mid + h / 2 + 2))
    for line in Line:  # the name of each line, over its left end (both names where two lines meet)
        for row, line_y in enumerate(layout.lines[line.value]):
            y = float(line_y)
            name = _line_name(layout, line, row).splitlines()
            tall = LINE_NAME_HEIGHT * len(name)
            top = y if _name_under(layout, y, row) else y - 3 - tall
            out.append(Rect(layout.left, top, layout.left + 14 + max(text_width(n, SMALL_FONT_SIZE) for n in name), top + tall + 3))
    return out


def _obstacles(bp: Blueprint, layout: Layout, opts: Options, markers: list[Rect],
               moments: list[tuple[float, float]]) -> list[Rect]:
    """What an arrow's label must not cover: boxes, markers, moments of truth, lines, lane titles, stage
    headers, the time row and the emotion row."""
    out = [Rect(b.left, b.top, b.right, b.bottom) for b in layout.boxes.values() if opts.show_evidence or b.kind != "evidence"]
    out += markers
    out += [Rect(x - MOMENT_SIZE, y - MOMENT_SIZE, x + MOMENT_SIZE, y + MOMENT_SIZE) for x, y in moments]
    out += [Rect(layout.left, y - 1.0, layout.right, y + 1.0) for ys in layout.lines.values() for y in ys]
    out.append(Rect(layout.left, layout.top, LEFT_MARGIN, layout.bottom))  # lane titles
    out += [r for _, r, _ in _stage_header_rects(bp, layout, opts)]
    if opts.time_row is not None:
        out += _time_row_rects(layout)
    out += _emotion_rects(layout, opts)
    return out


def _row_gaps(layout: Layout) -> list[Rect]:
    """The space between the rows of a wrapped journey (and the stage headers over a row): arrows between
    rows go through continuation markers, never across it."""
    out = []
    for row in range(1, layout.rows):
        above = max(b.bottom for b in layout.bands if b.row == row - 1)
        below = min(b.top for b in layout.bands if b.row == row)
        out.append(Rect(layout.left, above + 0.5, layout.right, below - 0.5))
    return out


#: Height of a line of a lane line's name.


def _line_name(layout: Layout, line: Line, row: int) -> str:
    """The name written over a lane line's left end: one per line, and where lines meet (around lanes
    left out) each of their names on its own line, so the names stay in the left margin."""
    y = layout.lines[line.value][row]
    return " ·\n".join(o.title for o in Line if layout.lines[o.value][row] == y)


def _name_under(layout: Layout, y: float, row: int) -> bool:
    """Whether a lane line's name goes under it: where no lane is drawn above it, or the lane above is too
    low for the name beside its title (both happen only when lanes are left out and lines meet)."""
    above = [b for b in layout.bands if b.row == row and abs(b.bottom - y) < 0.5]
    if not above:
        return True
    band = above[0]
    title_bottom = (band.top + band.bottom) / 2 + LANE_TITLE_LINE * len(wrap_label(band.lane.title, LANE_TITLE_UNITS)) / 2 + 2
    lines = sum(1 for o in Line if layout.lines[o.value][row] == y)
    return y - 3 - LINE_NAME_HEIGHT * lines < title_bottom


#: Room added to a lane's padding when the arrows spread along it run past its edge.
SPREAD_ROOM = 8.0


def _spills(layout: Layout, routes: dict[str, Route]) -> set[tuple[Lane, str]]:
    """The lane paddings (``(lane, "above" or "below")``) that arrows running along them, spread apart,
    overflow: a run within 3 pt of a lane's edge or past it, which would lie on a lane line (or outside
    the frame) and cross lines it does not pass."""
    out: set[tuple[Lane, str]] = set()
    lanes_with_steps = {b.lane for b in layout.boxes.values() if b.kind == "step"}
    for r in routes.values():
        if r.tail == r.head:
            continue
        for p, q in r.segments()[1:-1]:
            if p[1] != q[1] or p[0] == q[0]:
                continue
            y = p[1]
            outside = not any(band.top <= y <= band.bottom for band in layout.bands)
            for band in layout.bands:
                if band.lane not in lanes_with_steps:
                    continue
                if band.top - (12 if outside else 3) < y < band.top + 3:
                    out.add((band.lane, "above"))
                elif band.bottom - 3 < y < band.bottom + (12 if outside else 3):
                    out.add((band.lane, "below"))
    return out


def _grow(layout: Layout, routes: dict[str, Route], placed: dict[str, Placed], spills: set[tuple[Lane, str]],
          room: dict[tuple[Lane, str], float], gaps: dict[int, float], too_long: AbstractSet[str] = frozenset()) -> bool:
    """More room where the last try lacked it, in place: padding where spread arrows spilled past a lane's
    edge; where a label found no spot, the gap or the lane padding its arrow runs through (or, for a loop,
    the padding under its box). Returns whether anything grew."""
    grown = False
    for spill in spills:  # arrows spread past their lane's padding: more padding
        room[spill] = room.get(spill, 0.0) + SPREAD_ROOM
        grown = True
    for spot in placed.values():
        if (spot.footnote is None and not spot.crowded) or spot.id in too_long:
            continue  # placed, or a label too long for any room (a footnote by design)
        width, height = label_size(spot.text)
        if routes[spot.id].tail == routes[spot.id].head:  # a loop under its box: more room under the box
            where = _padding_at(layout, routes[spot.id].points[1][1])
            if where is not None and room.get(where, 0.0) < 2 * height:
                room[where] = room.get(where, 0.0) + height
                grown = True
            continue
        for p, q in routes[spot.id].segments():
            if p[0] == q[0]:  # across the padding between two lanes: more room under the upper one
                where = _padding_between(layout, p[1], q[1])
                if where is not None and room.get(where, 0.0) < 2 * height:
                    room[where] = room.get(where, 0.0) + height
                    grown = True
                    break
                continue
            gap = gap_of(layout, p[0], q[0], layout.row_of(routes[spot.id].tail))
            if gap is not None:  # too short, or crowded by arrows running across it: room for the label
                short = width + 12 - abs(q[0] - p[0])
                gaps[gap] = gaps.get(gap, 0.0) + (short if short > 0 else width + 12)
                grown = True
                break
            where = _padding_at(layout, p[1])
            if where is not None and room.get(where, 0.0) < 2 * height:
                room[where] = room.get(where, 0.0) + height
                grown = True
                break
    return grown


def _arrows(bp: Blueprint, opts: Options) -> tuple[Layout, dict[str, dict[str, str]]]:
    """The layout, and each arrow's path (``pos``) and label spot (``lp``) from our own router and label
    placer. Where a label finds no room, the gap or the lane padding its arrow runs through grows and
    everything is routed again; a label that still finds none becomes a numbered footnote
    (``opts.footnotes``)."""
    gaps: dict[int, float] = {}
    room: dict[tuple[Lane, str], float] = {}
    best: tuple[int, Layout, dict[str, Route], dict[str, Placed], list[tuple[float, float]], dict[str, Continuation]] | None = None
    budget = Budget()  # the routing of every try together (a diagram too dense to route says so)
    lanes = {s.id: s.lane for s in bp.steps}
    # a flow's label longer than a line beside an arrow holds goes to a footnote, whole
    too_long = {f"flow-{i}" for i, f in enumerate(bp.flows)
                if _flow_label(f, opts.show_probabilities) != _flow_label(f, opts.show_probabilities, limit=SHOWN_CHARS)}
    for _ in range(ATTEMPTS):
        before = budget.used
        layout = _layout(bp, opts, room)
        widen_gaps(layout, gaps)
        if opts.max_columns:
            wrap_rows(layout, opts.max_columns)
        edges = _labelled_edges(bp, layout, opts)
        markers = _marker_rects(bp, layout, opts)
        wanted_routes, opts.continuations = split_across_rows(layout, [(i, t, h) for i, t, h, _, _ in edges])
        routes = route_arrows(layout, wanted_routes, evidence=opts.show_evidence, avoid=markers + _row_gaps(layout) + _emotion_marks(layout, opts),
                              later=[i for i, *_ in edges if i.startswith(EVIDENCE_LINK)], budget=budget)
        meeting = {r: routes[r] for r in routes if _meets_customer(_flow_of(bp, r), lanes)}
        moments = [m for y in layout.lines[Line.INTERACTION.value] for m in _crossings_of(meeting, y, prefix="flow-")]
        obstacles = _obstacles(bp, layout, opts, markers, moments) + _row_gaps(layout)  # labels stay in their row
        frame = Rect(layout.left, layout.top, layout.right, layout.bottom)
        wanted = [(_parts(routes, opts.continuations, i), text) for i, _, _, _, text in edges if text and i in routes]
        dividers = [Rect(layout.left, y - 1.0, layout.right, y + 1.0) for ys in layout.lines.values() for y in ys]
        placed = place_labels(wanted, obstacles=obstacles, frame=frame, routes=routes.values(), dividers=dividers,
                              as_footnotes=too_long)
        missing = sum(10 if p.footnote is not None and p.id not in too_long else 1 if p.crowded else 0
                      for p in placed.values())
        spills = _spills(layout, routes)
        missing += 10 * len(spills)
        if best is None or missing < best[0]:
            best = (missing, layout, routes, placed, moments, opts.continuations)
        if not missing or budget.steps - budget.used < 2 * (budget.used - before):
            break  # placed, or another try would likely pass the budget: keep the best so far
        grown = _grow(layout, routes, placed, spills, room, gaps, too_long)
        if not grown:
            break
    assert best is not None
    _, layout, routes, placed, moments, opts.continuations = best  # the try with the fewest footnotes
    opts.footnotes[:] = [_footnote(bp, p, routes, opts) for p in sorted(placed.values(), key=lambda p: p.footnote or 0) if p.footnote]
    opts.moments_of_truth[:] = moments
    opts.legend_rows = _legend_rows(bp, layout, opts)
    c = _canvas(layout, opts)  # the legend's height is known now
    out: dict[str, dict[str, str]] = {}
    tails = {i for i, _, _, a, _ in edges if a.get("dir") == "both"}
    for edge_id, route in routes.items():
        pos = spline(route.points, c.height, c.top_offset, tail=edge_id in tails, head=not edge_id.startswith(EVIDENCE_LINK))
        attrs: dict[str, str] = {"pos": pos}
        label = placed.get(edge_id)
        if label is not None and label.rect is None:  # not even its footnote number found room
            attrs["label"] = ""
        elif label is not None:
            attrs["lp"] = f"{label.x:.2f},{c.height - label.y - c.top_offset:.2f}"
            if label.footnote is not None:
                attrs["label"] = _Raw(f"<{_html(f'[{label.footnote}]')}>")
        out[edge_id] = attrs
    return layout, out


def _footnote(bp: Blueprint, label: Placed, routes: dict[str, Route], opts: Options) -> str:
    """A footnote's text (a flow's label in full: the legend wraps it); where its number could not be drawn,
    with the arrow it belongs to."""
    flow = _flow_of(bp, label.id)
    text = (_flow_label(flow, opts.show_probabilities, limit=SHOWN_CHARS) if flow else None) or label.text
    if label.rect is not None:
        return text
    names = {s.id: s.label for s in bp.steps}
    route = routes[label.id]
    return f"{text} (the arrow {names.get(route.tail, route.tail)} → {names.get(route.head, route.head)})"


def _parts(routes: dict[str, Route], continuations: dict[str, Continuation], edge_id: str) -> list[Route]:
    """An arrow's route, or both routes of an arrow continued in another row."""
    cont = continuations.get(edge_id)
    return [routes[edge_id]] + ([routes[cont.rest]] if cont and cont.rest in routes else [])


def _flow_of(bp: Blueprint, route_id: str) -> Flow | None:
    """The flow an arrow draws (``flow-3``, or its part past a row, ``flow-3-continued``); None for another
    arrow (a recovery, an evidence link)."""
    number = route_id.removeprefix("flow-").removesuffix("-continued")
    if not route_id.startswith("flow-") or not number.isdigit() or int(number) >= len(bp.flows):
        return None
    return bp.flows[int(number)]


def _meets_customer(flow: Flow | None, lanes: dict[str, Lane]) -> bool:
    """Whether ``flow`` (``lanes``: each step's lane) is between the customer and the service: one end in the
    customer lane, the other under the line of interaction. Only such a flow makes a moment of truth where it
    crosses the line; another one, routed over it and back (onstage to support over the top), does not."""
    return flow is not None and (lanes.get(flow.source) is Lane.CUSTOMER) != (lanes.get(flow.target) is Lane.CUSTOMER)


def _crossings_of(routes: dict[str, Route], y: float, prefix: str) -> list[tuple[float, float]]:
    """Where the routes whose id starts with ``prefix`` cross the horizontal line at ``y``."""
    out = []
    for rid, r in routes.items():
        if not rid.startswith(prefix):
            continue
        for p, q in r.segments():
            if p[0] == q[0] and min(p[1], q[1]) < y < max(p[1], q[1]):
                out.append((p[0], y))
    return out
