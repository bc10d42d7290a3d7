"""Characters no font here draws: a PNG or PDF shows them as boxes, and the user is told which."""

from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

import blueprint
from blueprint.cli import app
from blueprint.diagram import glyphs
from blueprint.render import MissingGlyphs

TEXT = """
name: Emoji
roles: [{name: barista, description: "Makes the drinks ✈ (only in the hover text)"}]
steps:
  - {id: arrive, label: "Arrive 🚪 at the shop", lane: customer}
  - {id: brew, label: "Brew ☕ the coffee", lane: backstage, role: barista, duration: 3 min}
flows: [{from: arrive, to: brew}]
"""

#: What the fonts "cover" in these tests: ASCII, Latin, punctuation, arrows, shapes and symbols (the legend's
#: ◆ ─ ▶, the hot beverage sign), no emoji.
COVERED = ((0x20, 0x7E), (0xA0, 0x24F), (0x2000, 0x206F), (0x2190, 0x27BF))


@pytest.fixture
def few_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(glyphs, "font_coverage", lambda: COVERED)


def test_a_diagram_names_the_characters_drawn_that_no_font_has(few_fonts: None) -> None:
    diagram = blueprint.loads(TEXT).render()
    assert diagram.missing_glyphs == ["🚪"]  # ☕ is covered; ✈ is only in a hover text, never drawn


def test_saving_a_png_or_pdf_warns_and_an_svg_does_not(few_fonts: None, tmp_path: Path) -> None:
    diagram = blueprint.loads(TEXT).render()
    for suffix in ("png", "pdf"):
        with pytest.warns(MissingGlyphs, match=r"draws 🚪 \(U\+1F6AA\): the " + suffix.upper()):
            diagram.save(tmp_path / f"d.{suffix}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        diagram.save(tmp_path / "d.svg")


def test_render_from_the_command_line_notes_them_and_succeeds(few_fonts: None, tmp_path: Path) -> None:
    source = tmp_path / "emoji.yaml"
    source.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(app, ["render", str(source), "-o", str(tmp_path / "emoji.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "emoji.png").exists()
    assert "note:" in result.stderr and "🚪 (U+1F6AA)" in result.stderr and "fonts-noto-color-emoji" in result.stderr
    svg = CliRunner().invoke(app, ["render", str(source), "-o", str(tmp_path / "emoji.svg")])
    assert svg.exit_code == 0 and "note:" not in svg.stderr


def _line_positions(svg: str, node: str) -> list[float]:
    """The baselines (SVG y, growing downwards) of the drawn lines of a node's label, thin spacers left out."""
    group = svg.split(f"<title>{node}</title>", 1)[1].split("</g>", 1)[0]
    return [float(y) for y, body in re.findall(r'<text[^>]* y="([-0-9.]+)"[^>]*>([^<]*)</text>', group) if body.strip()]


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
def test_lines_drawn_with_boxes_are_kept_apart(few_fonts: None) -> None:
    # A box with its code is about 13.2 pt tall at 11 pt (measured on Graphviz's PNG), taller than the
    # 11 pt Graphviz sets lines apart: lines next to one with boxes must be at least that apart, plus a gap.
    bp = blueprint.loads(TEXT.replace("Arrive 🚪 at the shop", "Arrive 🚪🚪🚪🚪🚪🚪 at the shop by the door 🚪🚪🚪🚪🚪🚪 🚪🚪🚪🚪"))
    svg = bp.render().svg
    boxed = _line_positions(svg, "arrive")
    plain = _line_positions(svg, "brew")
    assert len(boxed) >= 3 and len(plain) == 2  # the label's lines, and "Brew ☕ the coffee" with its role line
    assert min(b - a for a, b in zip(boxed, boxed[1:])) >= 14.5
    assert plain[1] - plain[0] < 12  # no boxes: lines as Graphviz sets them


def test_many_missing_characters_are_named_up_to_a_few() -> None:
    chars = [chr(0x1F600 + k) for k in range(12)]
    note = glyphs.describe_missing(chars, "pdf")
    assert note.count("U+") == glyphs.SHOWN and "and 4 more" in note and "the PDF shows them as boxes" in note


def test_what_cannot_be_told_is_not_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(glyphs, "font_coverage", lambda: None)
    assert blueprint.loads(TEXT).render().missing_glyphs == []


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig's fc-list is not installed")
def test_the_coverage_of_the_fonts_installed_here() -> None:
    glyphs.font_coverage.cache_clear()
    covered = glyphs.font_coverage()
    assert covered is not None
    assert glyphs.missing_glyphs("Check in · Straße") == []  # DejaVu Sans, which Graphviz draws with
    assert glyphs.missing_glyphs("a \U0010fffd b") == ["\U0010fffd"]  # a private-use character no font has
    assert all(a <= b < c for (a, b), (c, _) in zip(covered, covered[1:]))  # merged and sorted


def test_step_ids_and_hover_texts_are_not_drawn_so_not_reported(few_fonts: None) -> None:
    """Only the drawn text counts: a step id in Chinese names the node, it is not drawn."""
    bp = blueprint.loads("name: x\nsteps:\n  - {id: 取餐, label: Pick up, lane: customer}\n"
                         "  - {id: b, label: Leave, lane: customer}\nflows: [取餐 -> b]\n")
    assert bp.render().missing_glyphs == []


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
def test_a_long_label_drawn_with_boxes_stays_inside_its_box(few_fonts: None) -> None:
    # the thin lines set between lines drawn with boxes are counted in the box's height (20 lines: 19 of them)
    from blueprint.diagram.check import check_svg

    long = " ".join(["Wait 🚪 at the door"] * 20)
    bp = blueprint.loads(TEXT.replace("Arrive 🚪 at the shop", long))
    svg = bp.render().svg
    assert len(_line_positions(svg, "arrive")) >= 15
    assert [str(f) for f in check_svg(svg)] == []
