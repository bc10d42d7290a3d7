"""Diagrams: the geometry of the SVG produced for every example, checked from the SVG itself.

Text widths are measured independently of the renderer, with matplotlib's metrics of the
font the diagram names (DejaVu Sans).
"""

from __future__ import annotations

import glob
import io
import itertools
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath
from typer.testing import CliRunner

import blueprint
from blueprint import Blueprint, Lane, Line
from blueprint.cli import app
from blueprint.render import GraphvizNotFound, StepOverlay

pytestmark = pytest.mark.skipif(shutil.which("neato") is None, reason="Graphviz is not installed")

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
EXAMPLES = sorted(p for p in glob.glob("examples/*.yaml") if "." not in Path(p).stem)  # not companion files
LANES = [lane.value for lane in Lane]
TOL = 1.5  # points


@dataclass
class BBox:
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

    def contains(self, other: BBox, tol: float = TOL) -> bool:
        return (
            other.left >= self.left - tol and other.right <= self.right + tol
            and other.top >= self.top - tol and other.bottom <= self.bottom + tol
        )

    def overlaps(self, other: BBox) -> bool:
        return min(self.right, other.right) - max(self.left, other.left) > 0.5 and (
            min(self.bottom, other.bottom) - max(self.top, other.top) > 0.5
        )

    def distance(self, x: float, y: float) -> float:
        dx = max(self.left - x, 0.0, x - self.right)
        dy = max(self.top - y, 0.0, y - self.bottom)
        return (dx * dx + dy * dy) ** 0.5


def _numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def _points(el: ET.Element) -> list[tuple[float, float]]:
    raw = el.get("points") or el.get("d") or ""
    nums = _numbers(raw)
    return list(zip(nums[0::2], nums[1::2]))


def _bbox(points: list[tuple[float, float]]) -> BBox:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return BBox(min(xs), min(ys), max(xs), max(ys))


@dataclass
class Parsed:
    groups: dict[str, ET.Element]

    def shape(self, gid: str) -> BBox:
        g = self.groups[gid]
        shapes = [el for el in g.iter() if el.tag in (SVG + "polygon", SVG + "path", SVG + "ellipse")]
        el = shapes[0]
        if el.tag == SVG + "ellipse":
            cx, cy, rx, ry = (float(el.get(k)) for k in ("cx", "cy", "rx", "ry"))
            return BBox(cx - rx, cy - ry, cx + rx, cy + ry)
        return _bbox(_points(el))

    def ids(self, prefix: str) -> set[str]:
        return {k[len(prefix):] for k in self.groups if k.startswith(prefix)}


@cache
def parsed_svg(path: str, theme: str = "screen") -> tuple[Parsed, str]:
    svg = blueprint.load(path).render(theme=theme).svg
    root = ET.fromstring(svg.encode("utf-8"))
    groups = {g.get("id"): g for g in root.iter(SVG + "g") if g.get("id")}
    return Parsed(groups), svg


def text_width(text: str, size: float) -> float:
    return TextPath((0, 0), text, size=size, prop=FontProperties(family="DejaVu Sans")).get_extents().width


@pytest.mark.parametrize("path", EXAMPLES)
def test_bands_in_order_top_to_bottom_spanning_the_width(path: str) -> None:
    p, _ = parsed_svg(path)
    bands = [p.shape(f"band-{lane}") for lane in LANES]
    for upper, lower in zip(bands, bands[1:]):
        assert upper.top < lower.top
        assert abs(upper.bottom - lower.top) <= TOL
    for b in bands:
        assert abs(b.left - bands[0].left) <= TOL and abs(b.right - bands[0].right) <= TOL
    # each band is labelled at the left with its lane's title
    for lane in Lane:
        label = p.groups[f"lane-{lane.value}"]
        text = " ".join(t.text or "" for t in label.iter(SVG + "text"))
        assert " ".join(text.split()) == lane.title
        box = p.shape(f"band-{lane.value}")
        xs = [float(t.get("x")) for t in label.iter(SVG + "text")]
        assert min(xs) < box.left + 30


@pytest.mark.parametrize("path", EXAMPLES)
def test_each_band_holds_exactly_its_lanes_steps(path: str) -> None:
    bp = blueprint.load(path)
    p, _ = parsed_svg(path)
    bands = {lane: p.shape(f"band-{lane}") for lane in LANES}
    assert p.ids("step-") == {s.id for s in bp.steps}
    for s in bp.steps:
        box = p.shape(f"step-{s.id}")
        holding = [lane for lane, band in bands.items() if band.contains(box, tol=0.0)]
        assert holding == [s.lane.value], (s.id, holding)


@pytest.mark.parametrize("path", EXAMPLES)
def test_lines_between_the_right_bands_and_spanning_them(path: str) -> None:
    p, _ = parsed_svg(path)
    expected = {
        "interaction": ("customer", "onstage", None),
        "visibility": ("onstage", "backstage", "5"),
        "internal-interaction": ("backstage", "support", None),
    }
    for key, (above, below, dash) in expected.items():
        g = p.groups[f"line-{key}"]
        path_el = g.find(".//" + SVG + "path")
        pts = _points(path_el)
        ys = {round(y, 1) for _, y in pts}
        assert len(ys) == 1, f"line of {key} is not horizontal"
        y = pts[0][1]
        a, b = p.shape(f"band-{above}"), p.shape(f"band-{below}")
        assert abs(y - a.bottom) <= TOL and abs(y - b.top) <= TOL
        assert abs(min(x for x, _ in pts) - a.left) <= TOL and abs(max(x for x, _ in pts) - a.right) <= TOL
        dashed = path_el.get("stroke-dasharray")
        assert (dashed is not None) == (dash is not None), f"line of {key}: dashed={dashed}"
        label = " ".join(t.text or "" for t in p.groups[f"line-label-{key}"].iter(SVG + "text"))
        assert label == "line of " + key.replace("-", " ")


@pytest.mark.parametrize("path", EXAMPLES)
def test_every_flow_arrow_joins_the_right_two_boxes(path: str) -> None:
    bp = blueprint.load(path)
    p, _ = parsed_svg(path)
    drawn = p.ids("flow-")
    assert drawn == {str(i) for i in range(len(bp.flows))}
    for i, f in enumerate(bp.flows):
        g = p.groups[f"flow-{i}"]
        curve = _points(g.find(".//" + SVG + "path"))
        heads = [_points(el) for el in g.findall(".//" + SVG + "polygon")]
        src, dst = p.shape(f"step-{f.source}"), p.shape(f"step-{f.target}")
        start = curve[0]
        if f.kind.value == "parallel":  # drawn with a dot at the tail: the dot touches the source
            dot = g.find(".//" + SVG + "ellipse")
            assert dot is not None, f"parallel flow {f} has no tail dot"
            start = (float(dot.get("cx")), float(dot.get("cy")))
            assert src.distance(*start) <= 3.0 + float(dot.get("rx")), (str(f), start, src)
        else:
            assert src.distance(*start) <= 3.0, (str(f), start, src)
        # the arrowhead touches the target box (its tip is the point nearest the box)
        assert heads, f"flow {f} has no arrowhead"
        tip = min(heads[-1], key=lambda pt: dst.distance(*pt))
        assert dst.distance(*tip) <= 3.0, (str(f), tip, dst)
        if f.source != f.target:
            # and it is not simply lying on the source box
            assert dst.distance(*curve[-1]) < src.distance(*curve[-1]) + 1e-6 or src.distance(*curve[-1]) > 3


@pytest.mark.parametrize("path", EXAMPLES)
def test_no_two_boxes_overlap(path: str) -> None:
    p, _ = parsed_svg(path)
    boxes = {k: p.shape(k) for k in p.groups if k.startswith(("step-", "evidence-"))}
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not boxes[a].overlaps(boxes[b]), (a, b)


@pytest.mark.parametrize("path", EXAMPLES)
def test_no_label_overflows_its_box(path: str) -> None:
    p, _ = parsed_svg(path)
    for gid in p.groups:
        if not gid.startswith(("step-", "evidence-")):
            continue
        box = p.shape(gid)
        for t in p.groups[gid].iter(SVG + "text"):
            if not (t.text or "").strip():
                continue  # a thin blank line between items: nothing drawn
            size = float(t.get("font-size"))
            width = text_width(t.text or "", size)
            x = float(t.get("x"))
            anchor = t.get("text-anchor")
            left = x if anchor == "start" else x - width / 2 if anchor == "middle" else x - width
            assert left >= box.left - 0.5 and left + width <= box.right + 0.5, (gid, t.text, left, width, box)
            assert box.top <= float(t.get("y")) <= box.bottom, (gid, t.text)


@pytest.mark.parametrize("path", EXAMPLES)
def test_fail_and_wait_markers_exactly_where_declared(path: str) -> None:
    bp = blueprint.load(path)
    p, _ = parsed_svg(path)
    assert p.ids("fail-") == {s.id for s in bp.steps if s.fail_point is not None}
    waits = {k for k in p.ids("wait-") if not k.startswith("label-")}
    assert waits == {s.id for s in bp.steps if s.wait_point is not None}
    for s in bp.steps:
        box = p.shape(f"step-{s.id}")
        if s.fail_point is not None:
            m = p.shape(f"fail-{s.id}")
            assert abs(m.cy - box.top) <= TOL and abs(m.cx - box.right) <= 6
            assert [t.text for t in p.groups[f"fail-{s.id}"].iter(SVG + "text")] == ["F"]
        if s.wait_point is not None:
            m = p.shape(f"wait-{s.id}")
            assert abs(m.cy - box.top) <= TOL and abs(m.cx - box.left) <= 6
            assert [t.text for t in p.groups[f"wait-{s.id}"].iter(SVG + "text")] == ["W"]
            tolerance = " ".join(t.text or "" for t in p.groups[f"wait-label-{s.id}"].iter(SVG + "text"))
            assert tolerance == f"≤ {s.wait_point.tolerance}"


@pytest.mark.parametrize("path", EXAMPLES)
def test_evidence_sits_above_its_step(path: str) -> None:
    bp = blueprint.load(path)
    p, _ = parsed_svg(path)
    band = p.shape("band-evidence")
    assert p.ids("evidence-") == {s.id for s in bp.steps if s.evidence}
    for s in bp.steps:
        if s.evidence:
            ev, box = p.shape(f"evidence-{s.id}"), p.shape(f"step-{s.id}")
            assert band.contains(ev, tol=0.0)
            assert abs(ev.cx - box.cx) <= TOL
            text = " ".join(t.text or "" for t in p.groups[f"evidence-{s.id}"].iter(SVG + "text"))
            for item in s.evidence:
                assert all(word in text for word in item.split())


@pytest.mark.parametrize("path", EXAMPLES)
def test_customer_row_reads_left_to_right(path: str) -> None:
    bp = blueprint.load(path)
    p, _ = parsed_svg(path)
    back = blueprint.back_flows(bp)
    for f in bp.flows:
        if f.kind.value == "retry" or (f.source, f.target) in back or f.source == f.target:
            continue
        a, b = p.shape(f"step-{f.source}"), p.shape(f"step-{f.target}")
        if bp.step(f.source).lane is bp.step(f.target).lane:
            assert a.cx < b.cx, str(f)
        else:
            assert a.cx <= b.cx + TOL, str(f)


def test_probabilities_and_labels_on_arrows() -> None:
    p, _ = parsed_svg("examples/contact_center.yaml")
    bp = blueprint.load("examples/contact_center.yaml")
    i = next(i for i, f in enumerate(bp.flows) if f.source == "self_service" and f.target == "self_served")
    text = " ".join(t.text or "" for t in p.groups[f"flow-{i}"].iter(SVG + "text"))
    assert text == "35% · resolved by the bot"


def awkward() -> Blueprint:
    bp = Blueprint('Quotes " <tags> & 等待客服')
    a = bp.customer('Say "hello" <b>not bold</b> & leave', evidence=["Sign: <EXIT> & \"door\"", "第二\n行"])
    b = bp.onstage("客服回答问题\nsecond line", role="agent <1>", duration="exp(2 min)", wait_point="60 s",
                   fail_point="drops & <fails>")
    a >> b
    bp.flows[0].label = "a -> b & <c>"
    bp.role("agent <1>", staffing=1)
    return bp


def test_labels_are_text_never_markup() -> None:
    bp = awkward()
    svg = bp.render(subtitle="sub <i>title</i> & more").svg
    root = ET.fromstring(svg.encode("utf-8"))
    groups = {g.get("id"): g for g in root.iter(SVG + "g") if g.get("id")}

    def text_of(gid: str) -> str:
        # (a thin blank line keeps the lines apart where this machine draws 第二 as boxes)
        return " ".join(t.text for t in groups[gid].iter(SVG + "text") if (t.text or "").strip())

    assert text_of("step-say_hello_b_not_bold_b_leave") == 'Say "hello" <b>not bold</b> & leave'
    assert text_of("evidence-say_hello_b_not_bold_b_leave") == 'Sign: <EXIT> & "door" 第二 行'
    assert text_of("step-客服回答问题_second_line") == "客服回答问题 second line agent <1> · ~2 min"
    assert text_of("flow-0") == "a -> b & <c>"
    assert text_of("title") == 'Quotes " <tags> & 等待客服'
    assert text_of("subtitle") == "sub <i>title</i> & more"
    assert text_of("fail-客服回答问题_second_line") == "F"
    assert root.find(f".//{SVG}b") is None and root.find(f".//{SVG}i") is None
    dot = bp.to_dot()
    # labels are HTML-like and escaped; tooltips are plain quoted strings that Graphviz escapes itself
    labels_only = re.sub(r'tooltip="(?:[^"\\]|\\.)*"', "", dot)
    assert "&lt;b&gt;not" in labels_only and "<b>not" not in labels_only
    titles = [a.get(XLINK + "title") or "" for a in root.iter(SVG + "a")]
    assert any('Say "hello" <b>not bold</b> & leave' in t for t in titles)


def test_overlay_hook_colours_badges_and_notes() -> None:
    bp = blueprint.load("examples/coffee_shop.yaml")
    d = bp.render(overlays={"make_drink": StepOverlay(fill="#ff9999", badge="1", note="97% busy at 08:00")})
    root = ET.fromstring(d.svg.encode("utf-8"))
    groups = {g.get("id"): g for g in root.iter(SVG + "g") if g.get("id")}
    assert groups["step-make_drink"].find(".//" + SVG + "path").get("fill") == "#ff9999"
    assert [t.text for t in groups["badge-make_drink"].iter(SVG + "text")] == ["1"]
    texts = [t.text for t in groups["step-make_drink"].iter(SVG + "text")]
    assert texts[-1] == "97% busy at 08:00"  # the note is the box's last line, in italics, inside the box
    assert groups["step-make_drink"].findall(".//" + SVG + "text")[-1].get("font-style") == "italic"
    with_figures = bp.render(overlays={"make_drink": StepOverlay(figures=["wait p90 40 s"], alerts=["12% gave up waiting"])})
    groups = {g.get("id"): g for g in ET.fromstring(with_figures.svg.encode("utf-8")).iter(SVG + "g") if g.get("id")}
    texts = [t.text for t in groups["step-make_drink"].iter(SVG + "text")]
    assert texts[-2:] == ["wait p90 40 s", "12% gave up waiting"]
    assert groups["step-make_drink"].findall(".//" + SVG + "text")[-1].get("font-weight") == "bold"


def test_annotations_can_be_switched_off() -> None:
    bp = blueprint.load("examples/contact_center.yaml")
    svg = bp.render(roles=False, durations=False, fail_points=False, wait_points=False, evidence=False,
                    probabilities=False, legend=False, title=False).svg
    assert 'id="fail&#45;' not in svg and 'id="wait&#45;' not in svg and 'id="evidence&#45;' not in svg
    assert "first_line" not in svg and "~3 min" not in svg and "35%" not in svg and 'id="legend' not in svg
    assert 'id="title"' not in svg


def test_print_theme_is_black_and_white() -> None:
    _, svg = parsed_svg("examples/hotel.yaml", "print")
    colours = {c.lower() for c in re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', svg)}
    for c in colours:
        r, g, b = int(c[1:3], 16), int(c[3:5], 16), int(c[5:7], 16)
        assert r == g == b, f"colour {c} in the print theme"


def test_saves_svg_png_pdf_and_displays_in_jupyter(tmp_path: Path) -> None:
    d = blueprint.load("examples/coffee_shop.yaml").render(title="Coffee", subtitle="Morning rush")
    assert d._repr_svg_().lstrip().startswith("<?xml") and "Morning rush" in d._repr_svg_()
    assert d.save(tmp_path / "c.svg").read_text().count("<svg") == 1
    assert (d.save(tmp_path / "c.png")).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (d.save(tmp_path / "c.pdf")).read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ValueError, match="use .svg, .png or .pdf"):
        d.save(tmp_path / "c.gif")


def test_missing_graphviz_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    bp = blueprint.load("examples/coffee_shop.yaml")
    assert "line of visibility" in bp.to_dot()
    with pytest.raises(GraphvizNotFound) as info:
        bp.render()
    message = str(info.value)
    for where in ("apt-get install graphviz", "brew install graphviz", "conda install -c conda-forge graphviz", "to_dot()"):
        assert where in message


def sixty_steps() -> Blueprint:
    """A long journey: 20 customer steps, each served by an onstage, and every other by backstage and support."""
    bp = Blueprint("Sixty steps")
    previous = None
    n = 0
    while n < 60:
        c = bp.customer(f"Customer action number {n}")
        n += 1
        if previous is not None:
            previous >> c
        o = bp.onstage(f"Onstage work for step {n}", role="staff", duration="exp(2 min)",
                       wait_point="60 s" if n % 7 == 0 else None, fail_point="may fail" if n % 5 == 0 else None)
        n += 1
        c >> o
        last = o
        if n % 4 == 2 and n < 59:
            bk = bp.backstage(f"Backstage check {n}", role="staff", duration="1 min")
            sp = bp.support(f"System lookup {n}", duration="5 s")
            o >> bk >> sp
            n += 2
            last = sp
        previous = last
    bp.role("staff", staffing=5)
    bp.arrive(bp.steps[0].id, rate="10 per h")
    assert len(bp.steps) >= 60 and bp.validate().ok, str(bp.validate())
    return bp


def test_sixty_step_blueprint_lays_out_without_overlaps() -> None:
    bp = sixty_steps()
    root = ET.fromstring(bp.render().svg.encode("utf-8"))
    groups = {g.get("id"): g for g in root.iter(SVG + "g") if g.get("id")}
    p = Parsed(groups)
    boxes = [p.shape(k) for k in groups if k.startswith(("step-", "evidence-"))]
    assert len(boxes) == len(bp.steps)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)


def test_cli_render(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "hotel.svg"
    result = runner.invoke(app, ["render", "examples/hotel.yaml", "-o", str(out), "--theme", "print", "--subtitle", "v1"])
    assert result.exit_code == 0, result.output
    assert out.read_text().count('class="node"') > 20
    before = out.read_text()
    again = runner.invoke(app, ["render", "examples/hotel.yaml", "-o", str(out)])
    assert again.exit_code == 2 and "exists" in again.output and out.read_text() == before
    assert runner.invoke(app, ["render", "examples/hotel.yaml", "-o", str(out), "--force", "--no-legend"]).exit_code == 0
    bad = runner.invoke(app, ["render", "examples/hotel.yaml", "-o", str(tmp_path / "x.gif")])
    assert bad.exit_code == 2 and "choose a file ending in .svg, .png or .pdf" in bad.output
    theme = runner.invoke(app, ["render", "examples/hotel.yaml", "-o", str(tmp_path / "x.png"), "--theme", "neon"])
    assert theme.exit_code == 2 and "unknown theme 'neon'; known: screen, print" in theme.output
    missing = runner.invoke(app, ["render", str(tmp_path / "none.yaml"), "-o", str(tmp_path / "y.svg")])
    assert missing.exit_code == 2 and "no such file" in missing.output


@pytest.mark.parametrize("path", EXAMPLES)
def test_rendered_examples_are_committed(path: str) -> None:
    stem = Path(path).with_suffix("")
    for suffix in (".svg", ".png"):
        assert Path(f"{stem}{suffix}").exists(), f"run scripts/render_examples.sh to draw {stem}{suffix}"


@pytest.mark.parametrize("path", EXAMPLES)
def test_example_drawings_read_at_slide_width(path: str) -> None:
    """On a 1600-pixel slide every text of the committed example drawing is at least 9 px tall."""
    svg = Path(path).with_suffix(".svg").read_text(encoding="utf-8")
    view = re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) [\d.]+"', svg)
    assert view, "the drawing has no viewBox"
    sizes = re.findall(r'<text[^>]* font-size="([\d.]+)"[^>]*>([^<]*)</text>', svg)
    smallest = min(float(x) for x, body in sizes if body.strip())  # (a thin blank line between items is drawn blank)
    assert smallest * 1600 / float(view.group(1)) >= 9.0, "run scripts/render_examples.sh"


def test_width_option_scales_the_drawing_down() -> None:
    bp = blueprint.load("examples/hotel.yaml")
    full = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', bp.render().svg)
    small = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', bp.render(width=8).svg)
    assert full and small
    assert float(small.group(1)) <= 8 * 72 + 1
    # the aspect ratio is kept
    assert float(small.group(1)) / float(small.group(2)) == pytest.approx(float(full.group(1)) / float(full.group(2)), rel=0.02)


def test_a_wrapped_journey_saves_as_a_pdf_with_a_page_per_row(tmp_path: Path) -> None:
    from pypdf import PdfReader

    d = blueprint.load("examples/hotel.yaml").render(max_columns=5)
    assert d.rows == 3
    whole = PdfReader(io.BytesIO(d.pipe("pdf"))).pages
    assert len(whole) == 1
    pages = PdfReader(d.save(tmp_path / "hotel.pdf", pages=True)).pages
    assert len(pages) == 3
    boxes = [p.mediabox for p in pages]
    assert float(boxes[0].top) == float(whole[0].mediabox.top) and float(boxes[-1].bottom) == float(whole[0].mediabox.bottom)
    for upper, lower in itertools.pairwise(boxes):  # the pages tile the drawing, each as wide as it
        assert float(upper.bottom) == float(lower.top) and float(upper.width) == float(whole[0].mediabox.width)
    # each cut falls in the gap between two rows: no step box is cut in two
    svg = ET.fromstring(d.svg.encode("utf-8"))
    move = re.search(r"translate\(([\d.]+) ([\d.]+)\)", d.svg)
    assert move is not None
    ty = float(move.group(2))
    margin = (float(whole[0].mediabox.height) - float(svg.get("viewBox", "0 0 0 0").split()[3])) / 2
    cuts = [float(whole[0].mediabox.top) - margin - float(b.bottom) for b in boxes[:-1]]  # from the SVG's top
    for g in svg.iter(SVG + "g"):
        if (g.get("id") or "").startswith("step-"):
            ys = [ty + float(v) for v in re.findall(r"[\d.]+,(-[\d.]+)", g.find(".//" + SVG + "path").get("d"))]
            assert all(not (min(ys) < cut < max(ys)) for cut in cuts), g.get("id")
    one_row = blueprint.load("examples/coffee_shop.yaml").render()
    assert len(PdfReader(io.BytesIO(one_row.pipe("pdf", pages=True))).pages) == 1
    with pytest.raises(ValueError, match="PDF only"):
        d.save(tmp_path / "hotel.svg", pages=True)


def test_empty_lanes_can_be_left_out() -> None:
    """The coffee shop has no backstage step: a thin band by default, left out on request, where the line of
    visibility and the line of internal interaction then meet (drawn once, solid, with both names)."""
    bp = blueprint.load("examples/coffee_shop.yaml")
    assert not any(s.lane is Lane.BACKSTAGE for s in bp.steps)
    kept, left_out = bp.render().svg, bp.render(empty_lanes=False).svg
    assert 'id="band&#45;backstage"' in kept and 'id="band&#45;backstage"' not in left_out
    assert "line of visibility ·<" in left_out and "line of visibility ·<" not in kept  # one name over the other
    from blueprint.diagram.check import check_svg, read_svg
    assert check_svg(left_out) == []
    assert len(read_svg(left_out).lines) == 2 and len(read_svg(kept).lines) == 3
    height = re.compile(r'<svg width="[\d.]+pt" height="([\d.]+)pt"')
    assert float(height.search(left_out).group(1)) < float(height.search(kept).group(1)) - 40  # type: ignore[union-attr]
    runner = CliRunner()
    out = Path(tempfile.mkdtemp()) / "cs.svg"
    done = runner.invoke(app, ["render", "examples/coffee_shop.yaml", "-o", str(out), "--no-empty-lanes"])
    assert done.exit_code == 0 and 'id="band&#45;backstage"' not in out.read_text(encoding="utf-8")


def test_each_line_name_stays_in_the_lane_above_its_line() -> None:
    """A thin band (a lane with no steps) holds its two-line title and the name of the line under it; the name had
    gone under its line, into the next lane, where it read as that lane's."""
    from blueprint.diagram.check import read_svg

    alone = Blueprint("Only the customer")
    alone.customer("Arrive")
    for bp in (blueprint.load("examples/coffee_shop.yaml"), alone):
        d = read_svg(bp.render().svg)
        for line in Line:
            (y,) = [ly for owner, ly, _, _ in d.lines if owner == "line-" + line.value.replace(" ", "-")]
            (name,) = [t for t in d.texts if t.text == line.title]
            assert name.rect.bottom < y, (bp.name, line)


def _fan(n: int) -> Blueprint:
    """One customer step branching to ``n`` steps that all lead to one end: 2n arrows."""
    bp = Blueprint("Fan")
    root, end = bp.customer("Root", id="root"), bp.customer("End", id="end")
    for i in range(n):
        s = bp.onstage(f"Step {i}", id=f"s{i}")
        bp.flow(root, s, probability=1 / n)
        bp.flow(s, end)
    return bp


def test_a_diagram_too_dense_to_read_is_refused_at_once(tmp_path: Path) -> None:
    """More arrows than a diagram can show (or route in reasonable time) is a clear error, not an hour of routing;
    the router's own budget stops a denser search too, counted in steps (the same on every machine)."""
    from blueprint.diagram.route import Budget, Grid, Rect, TooDenseToDraw, route

    with pytest.raises(TooDenseToDraw, match=r"302 flows between steps: a diagram of more than 300 arrows"):
        _fan(151).render()
    path = tmp_path / "fan.yaml"
    _fan(151).save(path)
    result = CliRunner().invoke(app, ["render", str(path), "-o", str(tmp_path / "fan.svg")])
    assert result.exit_code != 0 and f"{path}: 302 flows between steps" in " ".join(result.output.split())
    assert not (tmp_path / "fan.svg").exists()
    boxes = {"a": Rect(0, 0, 100, 50), "b": Rect(1150, 0, 1250, 50)}
    grid = Grid(xs=[-20, 50, *range(125, 1126, 5), 1200, 1270], ys=[-15, 25, *range(30, 500, 5)])
    with pytest.raises(TooDenseToDraw, match="need more routing than it allows"):
        route(grid, boxes, [("a-b", "a", "b")], window=60, budget=Budget(steps=4096))
    assert route(grid, boxes, [("a-b", "a", "b")], budget=Budget())["a-b"].points[0] == (100.0, 25.0)


def test_texts_of_any_length_are_drawn_cut_short() -> None:
    """A label, description, flow label or title of tens of thousands of characters is drawn to its first
    characters and "…" (Graphviz refuses strings over 16 KB); the model keeps the whole text."""
    bp = Blueprint("N" * 30_000, description="D " * 20_000)
    a = bp.customer("Ask", description="x" * 30_000)
    b = bp.onstage("W" * 20_000, role="agent", duration="exp(2 min)", evidence=["e" * 30_000])
    long_id = bp.onstage("Serve " * 4_000, role="agent")
    bp.flow(a, b, label="L" * 30_000)
    bp.role("agent", staffing=1, description="r" * 30_000)
    svg = bp.render(subtitle="s" * 30_000).svg
    for ch in "WLxe":  # a step's label, a flow's label, a description (hover text), evidence
        assert f"{ch}…" in svg and re.search(f"{ch}{{2001}}", svg) is None, ch
    texts = [t.text or "" for t in ET.fromstring(svg.encode()).iter("{http://www.w3.org/2000/svg}text")]
    assert max(map(len, texts)) <= 400  # what is drawn: lines of a label cut at 400 characters
    assert len(long_id.id) <= 200 and bp.steps[1].label == "W" * 20_000


def test_evidence_of_a_step_the_customer_sees_is_linked_and_the_customers_is_nearest() -> None:
    from blueprint.diagram.check import check_svg
    from blueprint.layout import compute_layout

    bp = blueprint.loads(
        "name: Evidence\nroles: [{name: clerk, staffing: 1}]\nsteps:\n"
        "  - {id: drop, label: Drop the car, lane: customer, evidence: [Job card]}\n"
        "  - {id: lend, label: Hand over a courtesy car, lane: onstage, role: clerk, duration: 5 min, evidence: [Courtesy car]}\n"
        "  - {id: log, label: Log the job, lane: support, duration: 5 s, evidence: [E-mail with the job number]}\n"
        "flows: [drop -> lend, lend -> log]\n"
    )
    layout = compute_layout(bp)
    assert layout.columns["drop"] == layout.columns["lend"] == layout.columns["log"]
    ys = {s: layout.boxes[f"evidence:{s}"].y for s in ("drop", "lend", "log")}
    assert ys["log"] < ys["lend"] < ys["drop"]  # stacked so the customer's is nearest the customer lane
    svg = bp.render().svg
    # linked to the steps the customer sees; a support step's link would cross the whole diagram
    assert "evidence:drop&#45;&gt;drop" in svg and "evidence:lend&#45;&gt;lend" in svg
    assert "evidence:log&#45;&gt;log" not in svg
    assert check_svg(svg) == []


def test_only_a_flow_between_the_customer_and_the_service_makes_a_moment_of_truth() -> None:
    bp = blueprint.load(Path(__file__).parent / "diagrams" / "rework_over_the_top.yaml")
    d = bp.render()
    lanes = {s.id: s.lane.value for s in bp.steps}
    meeting = sum((lanes[f.source] == "customer") != (lanes[f.target] == "customer") for f in bp.flows)
    # each flow between the customer lane and the lanes under it crosses the line of interaction once; the
    # rework from onstage to support, routed over the top and crossing it twice, makes no moment
    assert d.svg.count('id="moment&#45;') == meeting


def test_a_name_with_a_line_break_saves_as_png(tmp_path: Path) -> None:
    # the PNG's resolution is written after the graph's first line, which the name must not break
    bp = blueprint.loads('name: "Two\\nlines"\nsteps: [{id: a, label: A, lane: customer}]\n')
    bp.render().save(tmp_path / "d.png")
    assert (tmp_path / "d.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_flow_label_too_long_for_one_line_is_a_footnote_in_full() -> None:
    long = "test ride passes, the mechanic signs the job card and hangs the bike on the collection rail by the door"
    bp = blueprint.loads(  # a label longer than the 80 characters a line beside an arrow holds
        "name: Bikes\nsteps:\n  - {id: a, label: Drop off the bike, lane: customer}\n"
        "  - {id: x, label: Check, lane: backstage}\n  - {id: y, label: Repair, lane: backstage}\n"
        "  - {id: z, label: Test, lane: backstage}\n  - {id: b, label: Pick up the bike, lane: customer}\n"
        f"flows: [a -> x, x -> y, y -> z, z -> b, {{from: a, to: b, label: \"{long}\"}}]\n"
    )
    svg = bp.render().svg
    text = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    assert "…" not in text and "[1]" in text
    assert "the collection rail by the door" in text  # whole, in the legend


def test_evidence_items_that_wrap_are_set_apart() -> None:
    from blueprint.diagram.check import check_svg
    from blueprint.layout import compute_layout

    bp = blueprint.loads(
        "name: Office\nsteps:\n  - {id: a, label: Book online, lane: customer,"
        " evidence: [Internetseite des Bürgeramts mit Terminbuchung, Bestätigungs-E-Mail mit Vorgangsnummer]}\n"
        "  - {id: b, label: Arrive, lane: customer, evidence: [Ticket machine, Display board]}\n"
        "flows: [a -> b]\n"
    )
    layout = compute_layout(bp)
    wrapped, short = layout.boxes["evidence:a"], layout.boxes["evidence:b"]
    assert len(wrapped.lines) > 2 and len(wrapped.parted) == 1 and short.parted == set()
    svg = bp.render().svg
    assert check_svg(svg) == []
    assert '<FONT POINT-SIZE="4"> </FONT>' in bp.to_dot()
