"""The lane × column grid of a blueprint diagram, computed before Graphviz sees it.

Graphviz has no swimlanes, so the grid is ours: every step gets a column (its
place in the journey) and sits in its lane's band; physical evidence sits in
the evidence band above its step. Graphviz is then asked only to draw the
boxes where they are put and to route the arrows between them.

Columns follow the journey: a flow within a lane moves one column right, so
the customer row reads left to right in time; a flow into another lane may
stay in the same column, so the onstage, backstage and support steps that
serve a customer step sit under it and the arrow between them is vertical.

All lengths are in points (1/72 inch), y grows downwards.

>>> from blueprint import Blueprint
>>> bp = Blueprint("Call")
>>> call = bp.customer("Call")
>>> answer = bp.onstage("Answer", role="agent")
>>> _ = call >> answer >> bp.customer("Hang up")
>>> grid = compute_layout(bp)
>>> grid.columns
{'call': 0, 'answer': 0, 'hang_up': 1}
"""

from __future__ import annotations

import itertools
import textwrap
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .font_widths import ARABIC_FORMS, RANGES
from .graph import back_flows, to_networkx
from .lanes import Lane, Line
from .numbers import duration
from .routing import route_text

if TYPE_CHECKING:
    from .model import Blueprint

__all__ = ["SHOWN_CHARS", "Box", "Band", "Layout", "clip", "compute_layout", "fit_lines", "stage_spans", "wrap_label", "wrap_rows", "text_width"]

FONT_SIZE = 11.0
SMALL_FONT_SIZE = 9.0
LINE_HEIGHT = 14.0
SMALL_LINE_HEIGHT = 12.0
BOX_WIDTH = 170.0
BOX_MIN_HEIGHT = 56.0
COLUMN_GAP = 44.0
LANE_PADDING = 26.0
EVIDENCE_HEIGHT = 34.0
EVIDENCE_GAP = 8.0
LEFT_MARGIN = 150.0
RIGHT_MARGIN = 30.0
WRAP_UNITS = 24  # width units per line (a CJK character counts 2)
ROW_GAP = 28.0  # between the rows of a wrapped journey
STUB_ROOM = 30.0  # kept at each end of a wrapped row for continuation markers
FIGURE_UNITS = 30  # width units per line of a figure in small type inside a box
THIN_LANE = 56.0  # the height of a lane with no steps (room for its title and the label of the line under it)


def _char_units(ch: str) -> int:
    """Width units of a character for wrapping: 2 for a wide (CJK) one, 0 for one drawn on the letter before
    (a combining mark, a joiner, a variation selector), else 1."""
    if ch < "\x80":
        return 1
    if _attaches(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _attaches(ch: str) -> bool:
    """Whether ``ch`` belongs with the character before it: a combining mark (é written as e + ´, Hebrew points,
    Arabic vowels), a format character (a joiner, a direction mark), a variation selector, an emoji skin tone."""
    return _zero_width(ch) or unicodedata.category(ch) == "Mc" or 0x1F3FB <= ord(ch) <= 0x1F3FF


def _zero_width(ch: str) -> bool:
    """Whether ``ch`` takes no room of its own: a non-spacing or enclosing mark, a format character (a joiner,
    a direction mark), a variation selector. (An emoji skin tone does: without an emoji font it is a box.)"""
    code = ord(ch)
    return unicodedata.category(ch) in ("Mn", "Me", "Cf") or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _clusters(text: str) -> list[str]:
    """``text`` cut into what a reader sees as one character: a letter with its marks, an emoji sequence
    joined by zero-width joiners, a flag (two regional indicators). A line is never broken inside one.

    >>> [len(c) for c in _clusters("e\\u0301t\\U0001F468\\u200d\\U0001F469\\U0001F1EB\\U0001F1F7")]
    [2, 1, 3, 2]
    """
    if text.isascii():
        return list(text)
    out: list[str] = []
    for ch in text:
        if out and (_attaches(ch) or (out[-1].endswith("\u200d") and len(out[-1]) < _LONGEST_SEQUENCE)
                    or _flag_half(out[-1], ch)):
            out[-1] += ch
        else:
            out.append(ch)
    return out


_LONGEST_SEQUENCE = 12  # code points an emoji sequence joined by zero-width joiners may hold (a family is 7)


def _flag_half(before: str, ch: str) -> bool:
    """Whether ``ch`` is the second regional indicator of a flag whose first is ``before``."""
    return len(before) == 1 and all(0x1F1E6 <= ord(c) <= 0x1F1FF for c in (before, ch))


# Advance widths of DejaVu Sans (the font Graphviz draws with here) for the printable ASCII characters,
# space to tilde, in ems (from the font's metrics).
_ASCII_EMS = (
    0.318, 0.401, 0.46, 0.838, 0.636, 0.95, 0.78, 0.275, 0.39, 0.39, 0.5, 0.838, 0.318, 0.361, 0.318, 0.337,
    0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.337, 0.337, 0.838, 0.838, 0.838, 0.531,
    1.0, 0.684, 0.686, 0.698, 0.77, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787,
    0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685, 0.39, 0.337, 0.39, 0.838, 0.5,
    0.5, 0.613, 0.635, 0.55, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612,
    0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525, 0.636, 0.337, 0.636, 0.838,
)
_OTHER_EM = 1.13  # a character outside the table: a glyph of another font, or the box with its code where none has it
_WIDE_EM = 1.12  # a CJK character, drawn from a fallback font, about an em (its box, with no CJK font, as wide)
_ASTRAL_EM = 1.53  # past U+FFFF (emoji, historic scripts): the box with a 6-digit code, or an emoji (about 1.3 em)
_MISSING = -1  # in the table: a character DejaVu Sans lacks


def _table_em(code: int) -> float | None:
    """``code``'s width from :mod:`blueprint.font_widths`, or None when the table does not hold it."""
    for first, values in RANGES.items():
        if first <= code < first + len(values):
            value = values[code - first]
            return None if value == _MISSING else value / 1000
    return None


def _em(ch: str) -> float:
    code = ord(ch)
    if 32 <= code < 127:
        return _ASCII_EMS[code - 32]
    if _zero_width(ch):  # drawn on the letter before, or not at all
        return 0.0
    if code > 0xFFFF:
        return _ASTRAL_EM
    if _char_units(ch) == 2:
        return _WIDE_EM
    found = _table_em(code)
    return _OTHER_EM if found is None else found


def _arabic_em(text: str, k: int) -> float:
    """The width of the Arabic letter ``text[k]`` in the form its neighbours give it: it joins the letter
    before when that one joins forward (has an initial form) and it has a final form; it joins the letter
    after when it has an initial form and that one has a final form. Combining marks between are skipped."""
    forms = ARABIC_FORMS[ord(text[k])]

    def neighbour(step: int) -> tuple[int, int, int, int] | None:
        j = k + step
        while 0 <= j < len(text) and unicodedata.combining(text[j]):
            j += step
        return ARABIC_FORMS.get(ord(text[j])) if 0 <= j < len(text) else None

    before, after = neighbour(-1), neighbour(1)
    joins_before = before is not None and before[2] != _MISSING and forms[1] != _MISSING
    joins_after = after is not None and forms[2] != _MISSING and after[1] != _MISSING
    form = {(False, False): 0, (True, False): 1, (False, True): 2, (True, True): 3}[joins_before, joins_after]
    width = forms[form] if forms[form] != _MISSING else max(forms)
    return width / 1000 if width != _MISSING else _em(text[k])  # no form in the font: the box with its code


def _ems(text: str) -> float:
    """The width of ``text`` in ems."""
    if text.isascii():
        return sum(_ASCII_EMS[ord(ch) - 32] if 32 <= ord(ch) < 127 else _OTHER_EM for ch in text)
    return sum(_arabic_em(text, k) if ord(ch) in ARABIC_FORMS else _em(ch) for k, ch in enumerate(text))


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """The width of one line of text in DejaVu Sans, in points: the font's own widths (ASCII, Latin,
    Greek, Cyrillic, Armenian, Hebrew, Arabic in the form its neighbours give each letter, punctuation,
    arrows, mathematical and other signs), an estimate for other characters (a CJK character about an
    em; one no font has, the box with its code that Graphviz draws instead), nothing for a combining
    mark, and 3% to spare (for bold, multiply by 1.1).

    >>> round(text_width("Check in", 11.0)), round(text_width("0.30000000000000004 s", 9.0))
    (49, 117)
    >>> round(text_width("Оформление заказа", 11.0)), round(text_width("الوصول إلى المتجر", 11.0))
    (122, 97)
    """
    return 1.03 * size * _ems(text)


SHOWN_CHARS = 400  # a label is drawn to this many characters, then "…" (the model keeps it whole)


def clip(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` as a diagram shows it: its first ``limit`` characters and "…" when it is longer (a
    label of thousands of characters would fill a slide, and Graphviz refuses strings over 16 KB).

    >>> clip("Agent answers"), clip("x" * 500)[-3:], len(clip("x" * 500))
    ('Agent answers', 'xx…', 401)
    """
    return text if len(text) <= limit else text[:limit] + "…"


def wrap_label(text: str, units: int = WRAP_UNITS) -> list[str]:
    """Wrap a label into lines of at most ``units`` width units.

    Words are kept whole where they fit; CJK text, which has no spaces, breaks
    between characters. Newlines in the text are kept.

    >>> wrap_label("Agent answers and diagnoses the problem", 22)
    ['Agent answers and', 'diagnoses the problem']
    >>> wrap_label("等待客服回答问题并记录", 10)
    ['等待客服回', '答问题并记', '录']
    """
    out: list[str] = []
    for paragraph in clip(text).splitlines() or [""]:
        if sum(_char_units(c) for c in paragraph) <= units:
            out.append(paragraph)
            continue
        line, width = "", 0
        for token in _tokens(paragraph, units):
            w = sum(_char_units(c) for c in token)
            if width + w > units and line.strip() and not _closes(token.lstrip()[:1] or " "):  # "。" stays
                out.append(line.rstrip())
                line, width = token.lstrip(), sum(_char_units(c) for c in token.lstrip())
            else:
                line, width = line + token, width + w
            if width > units:  # a single token longer than a line: cut between clusters
                line, width = _cut(line, units, out)
        if line.strip() or not out:
            out.append(line.rstrip())
    return out


def _cut(line: str, units: int, out: list[str]) -> tuple[str, int]:
    """Cut ``line`` between clusters into lines of at most ``units`` (a cluster wider than that alone on one),
    appending them to ``out`` and returning the rest and its width. A word cut between two letters of a
    left-to-right script ends its line with a hyphen; a comma or a closing bracket never starts one.

    >>> out = []; _cut("abcdefgh", 4, out), out
    (('fgh', 3), ['abc-', 'de-'])
    >>> out = []; _cut("Terminbestätigung,", 9, out), out
    (('gung,', 5), ['Terminbe-', 'stäti-'])
    """
    pieces = _clusters(line)
    sizes = [sum(_char_units(ch) for ch in c) for c in pieces]
    letters = "".join(c[0].lower()[:1] for c in pieces)
    address = any(ch in "/@\\" for ch in line.rsplit(" ", 1)[-1])
    width, start = sum(sizes), 0
    while width > units:
        k, taken = start, 0
        while k < len(pieces) and (k == start or taken + sizes[k] <= units):
            taken += sizes[k]
            k += 1
        while k - start > 1 and k < len(pieces) and _closes(pieces[k]):  # the mark stays with its word
            k -= 1
            taken -= sizes[k]
        hyphen = k < len(pieces) and _joins(pieces[k - 1], pieces[k])
        # room for the hyphen, and at least 3 letters of the word carried over (not "…port-" / "al")
        while hyphen and k - start > 2 and (taken + 1 > units or not all(_joins(c, c) for c in pieces[k:k + 3]) or k + 3 > len(pieces)):
            k -= 1
            taken -= sizes[k]
            hyphen = _joins(pieces[k - 1], pieces[k])
        hyphen = hyphen and taken + 1 <= units  # a line too narrow for one goes without
        hyphen = hyphen and not address  # no hyphen a reader would copy into a web or mail address
        if hyphen:  # a few letters back, where a syllable likely ends ("versiche-rung", not "versicheru-ngs")
            for j in range(k, max(start + 1, k - 8), -1):
                if _syllable_break(letters, j) and all(_joins(c, c) for c in pieces[j - 1:k + 1]):
                    taken -= sum(sizes[j:k])
                    k = j
                    break
        out.append("".join(pieces[start:k]) + ("-" if hyphen else ""))
        width -= taken
        start = k
    return "".join(pieces[start:]), width


_VOWELS = frozenset("aeiouyäöüàáâãåæèéêëìíîïòóôõøœùúûýÿαεηιουωάέήίόύώаеёиоуыэюяієї")
#: Consonants that may start a syllable together (beside any single consonant): a consonant and l or r,
#: and the clusters of German and English spelling.
_ONSETS = frozenset(
    [a + b for a in "bcdfgkpt" for b in "lr"]
    + "ch ph phr pf pfl pfr sch schl schr schw schm schn sp spl spr st str th thr tsch tw dw zw qu kn gn ps wh sh".split()
)


def _syllable_break(letters: str, j: int) -> bool:
    """Whether a word cut before ``letters[j]`` likely falls between syllables (``letters``: the word's
    letters in lower case, one a cluster): the consonants from ``j`` to the next vowel may start a syllable
    and no longer run of them before ``j`` may, so the next syllable takes all the consonants it can
    ("ver-si-che-rung", "Haft-pflicht", "Bestätigungs-schreiben"). A rough rule for Latin, Greek and
    Cyrillic, with no dictionary: it only picks among the last few places a line allows.

    >>> [j for j in range(1, 11) if _syllable_break("versicherung", j)]   # ver-si-che-rung
    [3, 5, 8]
    >>> [j for j in range(1, 11) if _syllable_break("haftpflicht", j)], _syllable_break("gungsschreiben", 5)
    ([4], True)
    """
    if j < 1:
        return False
    v = next((i for i in range(j, min(len(letters), j + 6)) if letters[i] in _VOWELS), None)
    if v is None or v == j:
        return False
    if v - j > 1 and letters[j:v] not in _ONSETS:
        return False
    for i in range(j - 1, max(-1, j - 5), -1):  # a longer run of consonants that may start the syllable
        if letters[i] in _VOWELS:
            break
        if letters[i:v] in _ONSETS:
            return False
    return True


def _closes(cluster: str) -> bool:
    """Whether ``cluster`` is punctuation a line should not start with (a comma, a full stop, a closing bracket or
    quote)."""
    return unicodedata.category(cluster[0]) in ("Po", "Pe", "Pf") and cluster[0] not in "#%&*@\\¡¿"


def _joins(before: str, after: str) -> bool:
    """Whether a word cut between the clusters ``before`` and ``after`` takes a hyphen: both are letters of a
    script that hyphenates (Latin, Greek, Cyrillic, Armenian; not Thai, Chinese or Japanese, which break
    without one, nor Hebrew or Arabic), judged by their base letters; never between digits.

    >>> _joins("e\u0301", "t"), _joins("1", "2"), _joins("ส", "ว")
    (True, False, False)
    """
    return all(c and unicodedata.category(c[0])[0] == "L" and unicodedata.name(c[0], "").startswith(_HYPHENATING)
               for c in (before, after))


_HYPHENATING = ("LATIN", "GREEK", "CYRILLIC", "ARMENIAN")


def fit_lines(text: str, width: float, size: float = FONT_SIZE, units: int = WRAP_UNITS) -> list[str]:
    """``text`` wrapped (:func:`wrap_label`) onto lines no wider than ``width`` points at ``size``: fewer
    units a line until every line fits (an all-capitals or digit-heavy label takes more room).

    >>> fit_lines("WWWWWWWWWWWWWWWWWWWW WAREHOUSE", 154)
    ['WWWWWWWWWWWWW-', 'WWWWWWW', 'WAREHOUSE']
    """
    while True:
        lines = wrap_label(text, units)
        if units <= 2 or all(text_width(ln, size) <= width for ln in lines):
            return lines
        units -= 1


def _isolated(text: str) -> str:
    """``text`` between first-strong isolate marks when it holds right-to-left letters, so that in a line
    put together from parts ("פקיד · ~2 min") it keeps its place and the line its direction, in a browser
    as in Graphviz's PNG (which would otherwise read the line right to left: "min 2~ · פקיד").

    >>> _isolated("clerk"), _isolated("פקיד")
    ('clerk', '\u2068פקיד\u2069')
    """
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
        return "\u2068" + text + "\u2069"
    return text


def _detail_lines(parts: list[str], width: float) -> list[str]:
    """The small lines under a step's label: its parts joined by " · " on one line when they fit, else each
    part wrapped on lines of its own (a part is not split across another's line).

    >>> _detail_lines(["clerk", "~5 min"], 150)
    ['clerk · ~5 min']
    >>> _detail_lines(["english: English only › Bilingual", "~4 min"], 150)
    ['english: English only ›', 'Bilingual', '~4 min']
    """
    if not parts:
        return []
    one = " · ".join(_isolated(p) for p in parts)
    if one != " · ".join(parts):  # a left-to-right mark first: Graphviz takes the line's direction from its first letter
        one = "\u200e" + one
    if text_width(one, SMALL_FONT_SIZE) <= width:
        return [one]
    return [ln for part in parts for ln in fit_lines(part, width, SMALL_FONT_SIZE)]


def _tokens(text: str, units: int) -> list[str]:
    """Words with their leading space, a word longer than ``units`` cut after its hyphens ("Online-",
    "Terminvereinbarung"); each wide character on its own."""
    tokens: list[str] = []
    for piece in _WORDS._split(text):
        if any(_char_units(c) == 2 for c in piece):
            tokens.extend(_clusters(piece))
        elif "-" in piece and sum(_char_units(c) for c in piece) > units:
            tokens.extend(_AT_HYPHENS._split(piece))
        else:
            tokens.append(piece)
    return tokens


_WORDS = textwrap.TextWrapper(break_long_words=False, break_on_hyphens=False)
_AT_HYPHENS = textwrap.TextWrapper(break_long_words=False, break_on_hyphens=True)


@dataclass
class Box:
    """A box of the diagram: its centre, size and the lines of its label."""

    id: str
    kind: str  # "step" or "evidence"
    lane: Lane
    column: int
    x: float = 0.0
    y: float = 0.0
    width: float = BOX_WIDTH
    height: float = BOX_MIN_HEIGHT
    lines: list[str] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)  # measured figures or notes, in small type under the detail
    # the lines after which a thin gap parts one item from the next (evidence whose items wrap)
    parted: set[int] = field(default_factory=set)

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def right(self) -> float:
        return self.x + self.width / 2

    @property
    def top(self) -> float:
        return self.y - self.height / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height / 2


@dataclass
class Band:
    """A lane's horizontal band."""

    lane: Lane
    top: float
    bottom: float
    row: int = 0  # which row of a journey wrapped onto several rows (see wrap_rows)


@dataclass
class Layout:
    """Where everything goes: boxes, bands, and the y of each line between bands (one per row)."""

    columns: dict[str, int]
    boxes: dict[str, Box]
    bands: list[Band]
    lines: dict[str, list[float]]
    left: float
    right: float
    top: float
    bottom: float
    rows: int = 1
    row_of_column: dict[int, int] = field(default_factory=dict)
    header: float = 0.0  # room above the lanes of each row (stage headers)
    footer: float = 0.0  # room under the lanes of each row (the time row)
    pitch: float = 0.0  # from the top of one row to the top of the next (0: one row)

    def row_top(self, row: int) -> float:
        """The top of a row: its header, then its lanes."""
        return self.top + row * self.pitch

    def columns_of_row(self, row: int) -> list[int]:
        """The columns drawn in a row, left to right."""
        n = max(self.columns.values(), default=0) + 1
        return [c for c in range(n) if self.row_of_column.get(c, 0) == row]

    def band(self, lane: Lane, row: int = 0) -> Band:
        return next(b for b in self.bands if b.lane is lane and b.row == row)

    def row_of(self, box_id: str) -> int:
        """The row a box is drawn in (0 unless the journey is wrapped)."""
        return self.row_of_column.get(self.boxes[box_id].column, 0)


#: The height (points) of the thin blank line the drawing sets between two lines of a label where one holds
#: characters no font on this machine draws (drawn as boxes with their codes, taller than a line).
BOXES_APART = 4.5


def _set_apart(lines: list[str]) -> float:
    """The room a label's ``lines`` need for the thin blank lines between those drawn with boxes."""
    from .diagram.glyphs import drawn_as_boxes  # (blueprint.diagram builds on this module)

    if all(line.isascii() for line in lines):
        return 0.0
    boxed = [drawn_as_boxes(line) for line in lines]
    return BOXES_APART * sum(a or b for a, b in zip(boxed, boxed[1:]))


def _evidence_box(step: str, evidence: list[str], column: int) -> Box:
    """The note of a step's evidence, an item a line or more; where an item takes more than a line, a thin gap
    between items tells where each begins."""
    items = [fit_lines(item, BOX_WIDTH - 16, FONT_SIZE - 1, WRAP_UNITS + 2) for item in evidence]
    lines = [ln for item in items for ln in item]
    ends = list(itertools.accumulate(len(item) for item in items))[:-1]
    parted = {e - 1 for e in ends} if any(len(item) > 1 for item in items) else set()
    box = Box(f"evidence:{step}", "evidence", Lane.EVIDENCE, column, lines=lines, parted=parted)
    box.height = max(EVIDENCE_HEIGHT, 12 + LINE_HEIGHT * 0.9 * len(lines) + _set_apart(lines) + BOXES_APART * len(parted))
    return box


def assign_columns(bp: Blueprint) -> dict[str, int]:
    """A column per step: journey order, one (lane, column) cell per step.

    Each step goes in the first free cell of its lane at or right of where its
    predecessors allow: one column past a predecessor in the same lane, the
    same column as a predecessor in another lane. With stages, a step of a stage
    goes right of every column of the stages before it in the journey (by where
    their first steps stand; in the order listed when that ties), so each
    stage's header stands over columns of its own.
    """
    import networkx as nx

    g = to_networkx(bp)
    back = back_flows(bp)
    dag = nx.DiGraph()
    index = {s.id: i for i, s in enumerate(bp.steps)}
    dag.add_nodes_from(index)
    for u, v, data in g.edges(data=True):
        if data["kind"] != "retry" and (u, v) not in back and u != v:
            dag.add_edge(u, v)
    lane = {s.id: s.lane for s in bp.steps}
    order = list(nx.lexicographical_topological_sort(dag, key=lambda n: index[n]))
    stage_of = {sid: k for k, st in enumerate(bp.stages) for sid in st.steps if sid in index}
    floor: dict[str, int] = {}
    for _ in range(len(bp.stages) + 1):
        taken: set[tuple[Lane, int]] = set()
        columns: dict[str, int] = {}
        for node in order:
            col = floor.get(node, 0)
            for p in dag.predecessors(node):
                col = max(col, columns[p] + (1 if lane[p] is lane[node] else 0))
            while (lane[node], col) in taken:
                col += 1
            taken.add((lane[node], col))
            columns[node] = col
        # a stage begins right of the stages before it in the journey (where its first step stood in the first
        # pass; the order they are listed in when that ties), so each stage's header stands over its own columns
        if not floor:
            first = {k: min((columns[sid] for sid, j in stage_of.items() if j == k), default=0) for k in range(len(bp.stages))}
            journey = sorted(range(len(bp.stages)), key=lambda k: (first[k], k))
        moved = False
        last = -1
        for k in journey:
            members = [sid for sid, j in stage_of.items() if j == k]
            if not members:
                continue
            if min(columns[sid] for sid in members) <= last:
                for sid in members:
                    if columns[sid] <= last:
                        floor[sid] = last + 1
                        moved = True
            last = max(last, max(columns[sid] for sid in members))
        if not moved:
            break
    return columns


#: A lane title's line height (points) and the units it wraps at, in the left margin.
LANE_TITLE_LINE = 15.0
LANE_TITLE_UNITS = 16
#: The height (points) of the name of a lane line, written just above it.
LINE_NAME_HEIGHT = 11.0


def thin_lane_height(lane: Lane) -> float:
    """The height of a lane with no steps: :data:`THIN_LANE`, or more where its title (centred) and the name of
    the line under it (above that line, 3 points up) would not both fit; the name had gone under its line, into
    the next lane, where it read as that lane's.

    >>> thin_lane_height(Lane.CUSTOMER), thin_lane_height(Lane.BACKSTAGE)   # one line of title, two
    (56.0, 62.0)
    """
    title = LANE_TITLE_LINE * len(wrap_label(lane.title, LANE_TITLE_UNITS))
    return max(THIN_LANE, 2 * (title / 2 + 2 + 3 + LINE_NAME_HEIGHT))


def _band_heights(boxes: dict[str, Box], evidence_stack: dict[int, list[Box]],
                  room: dict[tuple[Lane, str], float]) -> dict[Lane, float]:
    """Each lane's height: its tallest box (or stack of evidence) with padding and the room asked for;
    a thin band for a lane with no steps."""
    heights: dict[Lane, float] = {}
    for lane in Lane:
        if lane is Lane.EVIDENCE:
            stacks = [sum(b.height for b in stack) + EVIDENCE_GAP * (len(stack) - 1) for stack in evidence_stack.values()]
            heights[lane] = max(stacks, default=EVIDENCE_HEIGHT) + LANE_PADDING
        else:
            if not any(b.lane is lane for b in boxes.values()):
                heights[lane] = thin_lane_height(lane)  # nothing happens here: a thin band keeps the lane and its lines
                continue
            heights[lane] = (max(b.height for b in boxes.values() if b.lane is lane) + 2 * LANE_PADDING
                             + room.get((lane, "above"), 0.0) + room.get((lane, "below"), 0.0))
    return heights


def compute_layout(bp: Blueprint, *, show_roles: bool = True, show_durations: bool = True,
                   room: dict[tuple[Lane, str], float] | None = None, figures: dict[str, list[str]] | None = None,
                   header: float = 0.0, footer: float = 0.0, empty_lanes: bool = True) -> Layout:
    """Place every step and piece of evidence on the lane × column grid.

    ``room`` adds space ``above`` or ``below`` the boxes of a lane, in points (the diagram asks for
    it where an arrow's label needs more room than the lane's padding). ``figures`` adds small lines
    inside a step's box (measured figures, notes), wrapped to its width. ``header`` and ``footer``
    keep room above and under the lanes (stage headers, the time row). A lane with nothing in it is a
    thin band, or, with ``empty_lanes=False``, left out: the lines on either side of it then meet, and
    each line lies where the lanes it separates begin (see :func:`line_positions`).
    """
    room = room or {}
    figures = figures or {}

    columns = assign_columns(bp)
    boxes: dict[str, Box] = {}
    seen: set[str] = set()
    for s in bp.steps:
        if s.id in seen:  # a duplicate id cannot be drawn twice
            continue
        seen.add(s.id)
        detail = []
        if show_roles and s.role:
            detail.append(route_text(bp, s) or s.role)
        if show_durations and s.duration is not None:
            detail.append("~" + duration(s.duration.mean))
        inner = BOX_WIDTH - 16
        box = Box(s.id, "step", s.lane, columns[s.id], lines=fit_lines(s.label, inner),
                  detail=_detail_lines(detail, inner),
                  figures=[ln for text in figures.get(s.id, []) for ln in fit_lines(text, inner, SMALL_FONT_SIZE, FIGURE_UNITS)])
        box.height = max(BOX_MIN_HEIGHT, 16 + LINE_HEIGHT * len(box.lines)
                         + SMALL_LINE_HEIGHT * (len(box.detail) + len(box.figures)) + (4 if box.figures else 0)
                         + _set_apart(box.lines + box.detail + box.figures))
        boxes[s.id] = box
    # evidence: one box per step that has any, stacked in its column
    evidence_stack: dict[int, list[Box]] = {}
    for s in bp.steps:
        if s.evidence and s.id in boxes and f"evidence:{s.id}" not in boxes:
            col = columns[s.id]
            box = _evidence_box(s.id, s.evidence, col)
            boxes[box.id] = box
            evidence_stack.setdefault(col, []).append(box)

    n_cols = max(columns.values(), default=0) + 1
    heights = _band_heights(boxes, evidence_stack, room)
    bands: list[Band] = []
    y = header
    used = {b.lane for b in boxes.values()}
    for lane in Lane:
        if not empty_lanes and lane not in used and len(used) > 0:
            continue
        bands.append(Band(lane, y, y + heights[lane]))
        y += heights[lane]
    pitch = BOX_WIDTH + COLUMN_GAP
    left = 0.0
    first_x = LEFT_MARGIN + COLUMN_GAP / 2 + BOX_WIDTH / 2
    right = first_x + (n_cols - 1) * pitch + BOX_WIDTH / 2 + RIGHT_MARGIN
    for box in boxes.values():
        box.x = first_x + box.column * pitch
        band = next(b for b in bands if b.lane is box.lane)
        if box.kind == "step":
            box.y = (band.top + room.get((box.lane, "above"), 0.0) + band.bottom - room.get((box.lane, "below"), 0.0)) / 2
    order = list(Lane)
    for stack in evidence_stack.values():
        # the customer's evidence nearest the customer lane, where its link is straight; a deeper lane's higher
        stack.sort(key=lambda b: -order.index(boxes[b.id.removeprefix("evidence:")].lane))
        band = next(b for b in bands if b.lane is Lane.EVIDENCE)
        total = sum(b.height for b in stack) + EVIDENCE_GAP * (len(stack) - 1)
        cursor = (band.top + band.bottom) / 2 - total / 2
        for b in stack:
            b.y = cursor + b.height / 2
            cursor += b.height + EVIDENCE_GAP
    line_ys = {name: [y] for name, y in line_positions(bands).items()}
    return Layout(columns, boxes, bands, line_ys, left, right, 0.0, bands[-1].bottom + footer, header=header, footer=footer)


def line_positions(bands: list[Band]) -> dict[str, float]:
    """Where each of the three lines goes among ``bands`` (one row): on top of the first lane below it
    that is drawn, or under the last lane if none below is; lines around a lane left out meet there.

    >>> bands = [Band(Lane.EVIDENCE, 0, 50), Band(Lane.CUSTOMER, 50, 150), Band(Lane.BACKSTAGE, 150, 250)]
    >>> line_positions(bands)
    {'interaction': 150, 'visibility': 150, 'internal interaction': 250}
    """
    order = list(Lane)
    out: dict[str, float] = {}
    for line in Line:
        below = [b for b in bands if order.index(b.lane) >= order.index(line.below)]
        out[line.value] = min((b.top for b in below), default=max(b.bottom for b in bands))
    return out


def wrap_rows(layout: Layout, max_columns: int) -> None:
    """Wrap a long journey onto rows of at most ``max_columns`` columns, in place: as few rows as that
    takes, as even as they can be (6 columns at most 5 a row are two rows of 3, not 5 and 1; 14 at most 4
    are rows of 4, 4, 3 and 3); each row
    repeats the lanes and lines, one under the other, and the boxes of columns past the first row move
    into theirs.
    Room is kept at both ends of each row for the continuation markers of arrows between rows.

    >>> from blueprint import Blueprint
    >>> bp = Blueprint("Walk")
    >>> steps = [bp.customer(f"Step {i}") for i in range(5)]
    >>> for a, b in zip(steps, steps[1:]):
    ...     _ = a >> b
    >>> grid = compute_layout(bp)
    >>> wrap_rows(grid, 2)
    >>> grid.rows, grid.row_of("step_4"), grid.boxes["step_2"].x == grid.boxes["step_0"].x
    (3, 2, True)
    """
    if max_columns < 1:
        raise ValueError(f"max_columns must be at least 1, got {max_columns}")
    n_cols = max(layout.columns.values(), default=0) + 1
    if n_cols <= max_columns:
        return
    x_of: dict[int, float] = {}
    for b in layout.boxes.values():
        x_of.setdefault(b.column, b.x)
    rows = -(-n_cols // max_columns)
    # as even as can be: 14 columns at most 4 a row are rows of 4, 4, 3 and 3 (not 4, 4, 4 and 2)
    base, extra = divmod(n_cols, rows)
    starts = [r * base + min(r, extra) for r in range(rows)]
    height = layout.bottom - layout.top
    base_bands = [band for band in layout.bands if band.row == 0]
    base_lines = {name: ys[0] for name, ys in layout.lines.items()}
    layout.row_of_column = {c: max(r for r in range(rows) if starts[r] <= c) for c in range(n_cols)}
    right = 0.0
    for b in layout.boxes.values():
        row = layout.row_of_column[b.column]
        b.x += STUB_ROOM - (x_of[starts[row]] - x_of[0])
        b.y += row * (height + ROW_GAP)
        right = max(right, b.right)
    layout.bands = [Band(band.lane, band.top + r * (height + ROW_GAP), band.bottom + r * (height + ROW_GAP), r)
                    for r in range(rows) for band in base_bands]
    layout.lines = {name: [y + r * (height + ROW_GAP) for r in range(rows)] for name, y in base_lines.items()}
    layout.right = right + COLUMN_GAP / 2 + RIGHT_MARGIN + STUB_ROOM
    layout.bottom = layout.top + rows * height + (rows - 1) * ROW_GAP
    layout.rows = rows
    layout.pitch = height + ROW_GAP


def stage_spans(layout: Layout, stages: list[tuple[str, list[str]]]) -> list[tuple[int, str, int, int]]:
    """Where each stage's header goes: ``(row, name, first column, last column)``, one per run of
    neighbouring columns of a stage in a row, left to right. A column belongs to the stage of its first
    step (in ``stages`` order) that has one; a column of no stage gets no header.

    >>> from blueprint import Blueprint
    >>> bp = Blueprint("Walk")
    >>> a, b, c = bp.customer("In"), bp.customer("Buy"), bp.customer("Out")
    >>> _ = a >> b >> c
    >>> stage_spans(compute_layout(bp), [("Arrive", ["in"]), ("Shop", ["buy", "out"])])
    [(0, 'Arrive', 0, 0), (0, 'Shop', 1, 2)]
    """
    owner: dict[int, str] = {}
    order = {name: i for i, (name, _) in enumerate(stages)}
    for name, steps in stages:
        for sid in steps:
            box = layout.boxes.get(sid)
            if box is None or box.kind != "step":
                continue
            held = owner.get(box.column)
            if held is None or order[name] < order[held]:
                owner[box.column] = name
    spans: list[tuple[int, str, int, int]] = []
    for col in sorted(owner):
        row = layout.row_of_column.get(col, 0)
        last = spans[-1] if spans else None
        if last is not None and last[0] == row and last[1] == owner[col] and last[3] == col - 1:
            spans[-1] = (row, last[1], last[2], col)
        else:
            spans.append((row, owner[col], col, col))
    return spans
