"""The geometry check (blueprint.diagram.check): it finds each kind of defect when one is planted, and finds none
in every example, every scenario diagram, the fail-point and measured diagrams, and random valid blueprints,
wrapped onto rows or not. The old Graphviz drawings (before our router) are the reference it must catch."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import blueprint
import simulate
from blueprint.cli import app
from blueprint.diagram.check import arrow_crossings, check_svg, read_svg
from blueprint.diagram.route import Rect
from tests.strategies import valid_blueprints

EXAMPLES = ["coffee_shop", "contact_center", "clinic", "hotel"]
ROOT = Path(__file__).resolve().parent.parent

HEAD = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 400 300">'
        '<g id="graph0" class="graph" transform="scale(1 1) rotate(0) translate(4 296)">')
BOX_A = ('<g id="step-a" class="node"><title>a</title><path d="M20,-280 L120,-280 L120,-240 L20,-240 Z"/>'
         '<text text-anchor="middle" x="70" y="-256" font-size="11">Order</text></g>')
BOX_B = ('<g id="step-b" class="node"><title>b</title><path d="M200,-280 L300,-280 L300,-240 L200,-240 Z"/>'
         '<text text-anchor="middle" x="250" y="-256" font-size="11">Pay</text></g>')
BOX_C = ('<g id="step-c" class="node"><title>c</title><path d="M110,-180 L210,-180 L210,-140 L110,-140 Z"/>'
         '<text text-anchor="middle" x="160" y="-156" font-size="11">Make</text></g>')


def svg_of(*parts: str) -> str:
    return HEAD + "".join(parts) + "</g></svg>"


def edge(eid: str, a: str, b: str, d: str, label: str = "", at: tuple[float, float] = (0, 0)) -> str:
    text = f'<text text-anchor="start" x="{at[0]}" y="{at[1]}" font-size="9">{label}</text>' if label else ""
    return f'<g id="{eid}" class="edge"><title>{a}&#45;&gt;{b}</title><path d="{d}"/>{text}</g>'


def test_a_clean_drawing_has_no_findings() -> None:
    svg = svg_of(BOX_A, BOX_B, edge("flow-0", "a", "b", "M120,-260C140,-260 180,-260 200,-260", "30%", (130, -264)))
    assert check_svg(svg) == []


def test_each_kind_of_defect_is_found() -> None:
    kinds = {f.kind for f in check_svg(svg_of(
        BOX_A, BOX_B, BOX_C,
        # an arrow from a to b straight through c, its label on box b and on the text of b
        edge("flow-0", "a", "c", "M70,-240C70,-200 160,-200 160,-180"),
        edge("flow-1", "a", "b", "M70,-240C70,-120 250,-120 250,-240", "needs a specialist", (230, -256)),
        edge("flow-2", "a", "b", "M20,-230C100,-160 150,-160 250,-240"),  # cuts through c
        # a label across the line of visibility, and text outside the frame
        '<g id="line-visibility" class="edge"><path d="M0,-100C0,-100 400,-100 400,-100"/></g>',
        '<g id="note-x" class="node"><text text-anchor="start" x="340" y="-97" font-size="9">otherwise</text></g>',
        '<g id="note-y" class="node"><text text-anchor="start" x="380" y="-40" font-size="9">far too far right</text></g>',
    ))}
    assert kinds == {"text on text", "text on a box", "arrow through a box", "text on a line", "text outside the frame"}


def test_a_marker_on_its_own_step_and_a_moment_on_its_own_arrow_are_by_design() -> None:
    marker = ('<g id="fail-a" class="node"><ellipse cx="116" cy="-280" rx="8.6" ry="8.6"/>'
              '<text text-anchor="middle" x="116" y="-276.8" font-size="9">F</text></g>')
    moment = '<g id="moment-0" class="node"><polygon points="157,-210 561.5,-205.5 557,-201 552.5,-205.5"/></g>'
    arrow = edge("flow-0", "a", "c", "M70,-240C70,-205.5 157,-205.5 157,-180")
    assert check_svg(svg_of(BOX_A, BOX_C, marker, moment, arrow)) == []
    other = edge("flow-1", "b", "c", "M250,-240C250,-207 140,-207 140,-180")  # through a moment not its own
    assert [f.kind for f in check_svg(svg_of(BOX_A, BOX_B, BOX_C, moment, arrow, other))] == ["arrow through a box"]


def diamond(n: int, x: float, y: float, half: float) -> str:
    return (f'<g id="moment-{n}" class="node"><polygon points="{x},{y - half} {x + half},{y} {x},{y + half} '
            f'{x - half},{y}"/></g>')


def test_moments_of_truth_drawn_touching_are_found() -> None:
    touching = check_svg(svg_of(diamond(0, 150, -100, 4.5), diamond(1, 159, -100, 4.5)))
    assert [(f.kind, f.first, f.second) for f in touching] == [("marks touching", "moment-0", "moment-1")]
    assert check_svg(svg_of(diamond(0, 150, -100, 3.25), diamond(1, 159, -100, 3.25))) == []  # 2.5 pt apart


def test_two_arrows_run_together_only_where_they_share_a_box() -> None:
    a_to_b = edge("flow-0", "a", "b", "M120,-262C150,-262 170,-262 200,-262")
    # c to b runs 1.5 pt from a to b for 60 pt: they share b, so they may join there
    joined = edge("flow-1", "c", "b", "M140,-180C140,-220 140,-240 140,-260.5C160,-260.5 180,-260.5 200,-260.5")
    assert check_svg(svg_of(BOX_A, BOX_B, BOX_C, a_to_b, joined)) == []
    # c to a step out of the picture shares no end with a to b: 1.5 pt apart, they read as one arrow
    apart = edge("flow-1", "c", "x", "M140,-180C140,-220 140,-240 140,-260.5C150,-260.5 170,-260.5 200,-260.5")
    found = check_svg(svg_of(BOX_A, BOX_B, BOX_C, a_to_b, apart))
    assert [f.kind for f in found] == ["arrow along an arrow"] and 55 < found[0].size < 65
    # crossing at a right angle is a crossing, not running along
    across = edge("flow-1", "c", "x", "M160,-180C160,-230 160,-280 160,-290")
    assert check_svg(svg_of(BOX_A, BOX_B, BOX_C, a_to_b, across)) == []


@pytest.mark.parametrize("name", ["contact_center", "clinic", "hotel"])
def test_the_old_graphviz_drawings_fail_the_check(name: str) -> None:
    """The drawings issue 14 complained of (before our router, from git history) have defects the check sees."""
    try:
        old = subprocess.run(["git", "show", f"a7611c9~1:examples/{name}.svg"], cwd=ROOT, capture_output=True, check=True).stdout
    except (subprocess.CalledProcessError, FileNotFoundError):
        pytest.skip("no git history in this checkout")
    found = check_svg(old.decode())
    assert any(f.kind in ("text on a box", "text on text") for f in found), found


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("max_columns", [None, 7, 3])
def test_every_example_is_clean(name: str, max_columns: int | None) -> None:
    svg = blueprint.load(f"examples/{name}.yaml").render(max_columns=max_columns).svg
    assert [str(f) for f in check_svg(svg)] == []


def test_a_drawing_shrunk_to_a_width_is_judged_in_its_own_units() -> None:
    # Graphviz shrinks a drawing wider than `width` with scale(): the frame is the view box over that scale
    bp = blueprint.load(blueprint.examples.path("contact_center"))
    shrunk = bp.render(width=6).svg
    assert "scale(1 1)" not in shrunk and "scale(" in shrunk
    assert check_svg(shrunk) == check_svg(bp.render().svg) == []


@pytest.mark.parametrize("theme", ["print"])
def test_the_print_theme_is_clean(theme: str) -> None:
    svg = blueprint.load("examples/hotel.yaml").render(theme=theme, max_columns=6, subtitle="For the workshop").svg
    assert [str(f) for f in check_svg(svg)] == []


def test_every_scenario_diagram_is_clean() -> None:
    bp = blueprint.load("examples/contact_center.yaml")
    scenarios = simulate.load_scenarios("examples/contact_center.scenarios.yaml")
    assert len(scenarios) >= 5
    for sc in scenarios:
        assert [str(f) for f in check_svg(sc.diagram(bp).svg)] == [], sc.name


@cache
def measured(name: str) -> simulate.Results:
    return simulate.run(blueprint.load(f"examples/{name}.yaml"), days=2, replications=3, seed=4242)


@pytest.mark.parametrize("name", EXAMPLES)
def test_fail_point_and_measured_diagrams_are_clean(name: str) -> None:
    res = measured(name)
    for max_columns in (None, 5):
        assert [str(f) for f in check_svg(res.fail_points(what_if=0).render(max_columns=max_columns).svg)] == []
        assert [str(f) for f in check_svg(res.render(max_columns=max_columns).svg)] == []


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(bp=valid_blueprints(), max_columns=st.sampled_from([None, 2, 3, 5]))
def test_random_valid_blueprints_draw_clean(bp: blueprint.Blueprint, max_columns: int | None) -> None:
    # Known gap (in the closing note of issue 14): text in scripts outside the Basic Multilingual Plane is drawn
    # from fallback fonts whose widths neither the layout nor the check knows; such labels can overlap by 1-2 pt.
    assume(all(ord(ch) <= 0xFFFF for ch in bp.model_dump_json()))
    svg = bp.render(max_columns=max_columns).svg
    assert [str(f) for f in check_svg(svg)] == []
    assert read_svg(svg).texts  # the check read something


FOUND = sorted((ROOT / "tests" / "diagrams").glob("*.yaml"))


@pytest.mark.parametrize("path", FOUND, ids=[p.stem for p in FOUND])
def test_blueprints_the_random_check_once_failed_draw_clean(path: Path) -> None:
    """Cases the random check found (each file says what was wrong), at every wrapping."""
    bp = blueprint.load(path)
    for max_columns in (None, 2, 3, 5):
        assert [str(f) for f in check_svg(bp.render(max_columns=max_columns).svg)] == [], max_columns


def test_crossings_are_no_more_than_the_old_drawings() -> None:
    """Per example, our router crosses arrows no more often than Graphviz's spline router did."""
    old_counts = {}
    for name in ("contact_center", "clinic", "hotel", "coffee_shop"):
        try:
            old = subprocess.run(["git", "show", f"a7611c9~1:examples/{name}.svg"], cwd=ROOT, capture_output=True, check=True).stdout
        except (subprocess.CalledProcessError, FileNotFoundError):
            pytest.skip("no git history in this checkout")
        old_counts[name] = arrow_crossings(old.decode())
        new = arrow_crossings(blueprint.load(f"examples/{name}.yaml").render().svg)
        assert new <= old_counts[name], (name, new, old_counts[name])
    assert sum(old_counts.values()) > 0


def test_the_command_checks_a_file(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["check-diagram", "examples/clinic.yaml", "--max-columns", "4"])
    assert ok.exit_code == 0, ok.output
    assert "no overlaps" in ok.output
    old = tmp_path / "old.svg"
    try:
        old.write_bytes(subprocess.run(["git", "show", "a7611c9~1:examples/clinic.svg"], cwd=ROOT, capture_output=True, check=True).stdout)
    except (subprocess.CalledProcessError, FileNotFoundError):
        pytest.skip("no git history in this checkout")
    bad = runner.invoke(app, ["check-diagram", str(old)])
    assert bad.exit_code == 1 and "text on a box: flow-10 '5% · sample unusable; draw again' and step-checkout" in bad.output
    missing = runner.invoke(app, ["check-diagram", str(tmp_path / "nowhere.yaml")])
    assert missing.exit_code == 2 and "nowhere.yaml" in missing.output


_rects = st.builds(lambda x, y, w, h: Rect(x, y, x + w, y + h), st.integers(0, 60), st.integers(0, 60),
                   st.integers(0, 20), st.integers(0, 20))


@given(st.lists(_rects, max_size=25), st.lists(_rects, max_size=25))
@settings(max_examples=200, deadline=None)
def test_the_sweep_finds_exactly_the_pairs_that_meet(a: list[Rect], b: list[Rect]) -> None:
    """The checks look only at pairs the sweep returns: exactly those whose spans meet in x and in y."""
    from blueprint.diagram.check import _pairs

    def meet(r: Rect, q: Rect) -> bool:
        return r.left <= q.right and q.left <= r.right and r.top <= q.bottom and q.top <= r.bottom

    assert _pairs(a) == [(i, j) for i in range(len(a)) for j in range(i + 1, len(a)) if meet(a[i], a[j])]
    assert _pairs(a, b) == [(i, j) for i in range(len(a)) for j in range(len(b)) if meet(a[i], b[j])]


def _crossings_pair_by_pair(svg: str) -> int:
    """The crossing count of every arrow against every other, stretch by stretch: what the sweep must equal."""
    import itertools

    from blueprint.diagram.check import _segments_cross
    arrows = [a for a in read_svg(svg).arrows if a.owner.startswith("flow-")]
    return sum(_segments_cross(p, q, r, s)
               for a, b in itertools.combinations(arrows, 2) if not set(a.ends) & set(b.ends)
               for p, q in itertools.pairwise(a.points) for r, s in itertools.pairwise(b.points))


def test_crossings_count_as_every_pair_of_arrows_would() -> None:
    """The count looks only at stretches whose boxes meet; on the old Graphviz drawings (dozens of crossings) and
    ours it equals the count over every pair."""
    svgs = [blueprint.load(f"examples/{name}.yaml").render(max_columns=5).svg for name in EXAMPLES]
    for name in ("contact_center", "hotel"):
        try:
            svgs.append(subprocess.run(["git", "show", f"a7611c9~1:examples/{name}.svg"], cwd=ROOT, capture_output=True,
                                       check=True).stdout.decode())
        except (subprocess.CalledProcessError, FileNotFoundError):
            pass
    counts = [(arrow_crossings(svg), _crossings_pair_by_pair(svg)) for svg in svgs]
    assert all(fast == slow for fast, slow in counts), counts
    assert sum(fast for fast, _ in counts) > 0


_points = st.tuples(st.floats(-20, 80, allow_nan=False), st.floats(-20, 80, allow_nan=False))


@given(st.lists(_points, min_size=2, max_size=6), _rects)
@settings(max_examples=300, deadline=None)
def test_the_length_inside_a_box_is_what_a_fine_ruler_measures(points: list[tuple[float, float]], r: Rect) -> None:
    """An arrow's length inside a box (shrunk by the 1 pt tolerance), against the same polyline cut into
    ten-thousandths and each piece judged by its middle."""
    import numpy as np

    from blueprint.diagram.check import TOLERANCE, _length_inside
    inner = (r.left + TOLERANCE, r.top + TOLERANCE, r.right - TOLERANCE, r.bottom - TOLERANCE)
    ruler = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        f = (np.arange(10_000) + 0.5) / 10_000
        x, y = x0 + f * (x1 - x0), y0 + f * (y1 - y0)
        inside = (inner[0] < x) & (x < inner[2]) & (inner[1] < y) & (y < inner[3])
        ruler += inside.mean() * float(np.hypot(x1 - x0, y1 - y0))
    length = sum(float(np.hypot(x1 - x0, y1 - y0)) for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False))
    assert _length_inside(points, r) == pytest.approx(ruler, abs=1e-3 * max(1.0, length) + 1e-9)


def test_hostile_svgs_are_refused_quickly(tmp_path: Path) -> None:
    """Groups nested thousands deep or tens of thousands of texts are not a diagram: a one-line refusal, not a
    recursion error or minutes of measuring."""
    deep = tmp_path / "deep.svg"
    deep.write_text('<svg xmlns="http://www.w3.org/2000/svg">' + "<g>" * 5000 + "</g>" * 5000 + "</svg>", encoding="utf-8")
    many = tmp_path / "many.svg"
    many.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
                    + "".join(f'<text x="{k % 100}" y="{k % 97}">w{k}</text>' for k in range(6000)) + "</svg>", encoding="utf-8")
    for path, says in ((deep, "groups nested more than 64 deep"), (many, "6,000 texts, more than a blueprint's diagram has")):
        result = CliRunner().invoke(app, ["check-diagram", str(path)])
        assert result.exit_code != 0 and says in result.output and "Traceback" not in result.output, result.output


def test_a_long_title_of_wide_words_stays_in_the_frame() -> None:
    """The title is wrapped by measured width: a name of wide capitals (bold) once ran 22 pt past the frame."""
    bp = blueprint.load("examples/coffee_shop.yaml")
    for name in ("Wide " * 80, "WWWW MMMM " * 30, "Ünïcödé wørds " * 25):
        wide = bp.model_copy(update={"name": name})
        assert check_svg(wide.render(subtitle="MMMM WWWW " * 30).svg) == [], name


def test_a_text_placed_at_no_number_is_refused(tmp_path: Path) -> None:
    """x="nan" is no place on a drawing: a one-line refusal, not "no overlaps"."""
    svg = tmp_path / "nan.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100"><text x="nan" y="10" font-size="10">a'
                   '</text><text x="nan" y="10" font-size="10">b</text></svg>', encoding="utf-8")
    result = CliRunner().invoke(app, ["check-diagram", str(svg)])
    assert result.exit_code == 2 and "not a diagram's SVG (<text> has x='nan', not a finite number)" in result.output


def test_a_hostile_drawing_is_checked_in_bounded_time_and_memory(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A drawing no blueprint makes (found by fuzzing) ends the check early and says why, instead of taking
    gigabytes or minutes: arrows a billion points long, thousands of overlapping texts or arrows, arrows of
    hundreds of thousands of points."""
    from blueprint.diagram import check

    far = svg_of(edge("flow-0", "a", "b", "M0,0C0,0 1e9,0 1e9,0"), edge("flow-1", "c", "d", "M0,1C0,1 1e9,1 1e9,1"))
    found = check_svg(far)  # the stretches along each other are cut into at most 4,096 pieces each
    assert not found.stopped and "arrow along an arrow" in {f.kind for f in found}
    assert round(max(f.size for f in found if f.kind == "arrow along an arrow")) == 10**9

    texts = svg_of(*(f'<g id="t{i}"><text x="100" y="-100" font-size="12">hello {i}</text></g>' for i in range(50)))
    found = check_svg(texts)  # 1,225 pairs overlap: the first 1,000 are reported
    assert len(found) == check.MAX_FINDINGS == 1_000 and found.stopped == "the check stops after 1,000 findings"
    (tmp_path / "texts.svg").write_text(texts)
    result = CliRunner().invoke(app, ["check-diagram", str(tmp_path / "texts.svg")])
    assert result.exit_code == 1 and "texts.svg: 1,000 overlaps (the check stops after 1,000 findings)" in result.output

    arrows = svg_of(*(edge(f"flow-{i}", f"a{i}", f"b{i}", "M0,-100C10,-90 20,-80 30,-70") for i in range(300)))
    (tmp_path / "arrows.svg").write_text(arrows)
    monkeypatch.setattr(check, "MAX_WORK", 100_000)  # 300 arrows on one spot: 44,850 pairs of them, each measured
    found = check_svg(arrows)
    assert found == [] and "too dense to check in full" in found.stopped
    with pytest.raises(check.TooDenseToCheck, match="too dense"):
        arrow_crossings(arrows)
    result = CliRunner().invoke(app, ["check-diagram", str(tmp_path / "arrows.svg")])
    assert result.exit_code == 2 and "error: " in result.output and "arrows.svg: the drawing is too dense" in result.output
    monkeypatch.undo()
    assert check_svg(arrows).stopped == "the check stops after 1,000 findings"  # 44,850 arrows along arrows: within its budget

    assert check_svg(svg_of(edge("flow-0", "a", "b", ""), edge("flow-1", "c", "d", "M5,-5"))) == []  # nothing drawn
    [far_out] = check_svg(svg_of(edge("flow-0", "a", "b", "M0,-5C1e308,1e308 1e308,1e308 1e308,1e308")))
    assert str(far_out) == "arrow outside the frame: flow-0 and the frame (1e+308)"  # not 309 digits

    many = svg_of(edge("flow-0", "a", "b", "M0,0" + "C1,1 2,2 3,3" * 30_000))  # 240,000 points
    with pytest.raises(ValueError, match="more than 200,000 points"):
        check_svg(many)


def test_an_arrow_through_its_own_end_box_is_found() -> None:
    """An arrow starts and ends on the edges of the boxes it joins; one that runs on through one of them
    (a hand-edited drawing: our router never draws one) crosses the box's text."""
    on_edges = edge("flow-0", "a", "b", "M120,-260C140,-260 180,-260 200,-260")
    assert check_svg(svg_of(BOX_A, BOX_B, on_edges)) == []
    through = edge("flow-0", "a", "b", "M40,-260C80,-260 160,-260 200,-260")  # from inside a, across its text
    found = check_svg(svg_of(BOX_A, BOX_B, through))
    assert [(f.kind, f.first, f.second, round(f.size)) for f in found] == [("arrow through a box", "flow-0", "step-a", 79)]


def test_check_diagram_of_a_picture_says_what_it_reads() -> None:
    result = CliRunner().invoke(app, ["check-diagram", str(ROOT / "examples/hotel.png")])
    assert result.exit_code == 2
    assert "check-diagram reads a blueprint file or a diagram's .svg, not a PNG" in " ".join(result.output.split())
