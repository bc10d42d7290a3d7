"""The emotion row: the designer's declared emotion, or the simulated experience of the waits, as a curve above the
customer lane; clear of every arrow and text on every example."""

from __future__ import annotations

import html
import re

import pytest

import blueprint
import simulate
from blueprint.diagram.check import check_svg
from blueprint.layout import assign_columns

EXAMPLES = [("coffee_shop", None), ("contact_center", None), ("hotel", 6), ("clinic", None), ("bilingual_hotline", None),
            ("service_desk", None)]


def _declared(name: str) -> blueprint.Blueprint:
    bp = blueprint.load(f"examples/{name}.yaml")
    for k, s in enumerate(bp.steps):  # a fixed pattern from -1 to +1
        s.emotion = [-1.0, -0.4, 0.0, 0.5, 1.0, 0.2, -0.7][k % 7]
    return bp


def _values(svg: str) -> dict[str, str]:
    """The written value of each emotion point, by its column."""
    out = {}
    for m in re.finditer(r'<g id="emotion&#45;value&#45;(\d+)".*?<text[^>]*>([^<]+)</text>', svg, flags=re.S):
        out[m.group(1)] = html.unescape(m.group(2))
    return out


@pytest.mark.parametrize("name, cols", EXAMPLES)
def test_the_declared_emotion_is_drawn_clear_of_everything(name: str, cols: int | None) -> None:
    bp = _declared(name)
    svg = bp.render(emotion=True, max_columns=cols).svg
    assert check_svg(svg) == []
    assert "Customer&#39;s feeling" in svg or "Customer's feeling" in svg
    values = _values(svg)
    assert values and all(re.fullmatch(r"[+-]\d\.\d\d", v) for v in values.values())


def test_a_column_shows_the_mean_of_its_steps_and_the_sign_sets_the_colour() -> None:
    bp = blueprint.Blueprint("Two")
    a = bp.customer("Arrive", emotion=0.5)
    b = bp.customer("Wait", emotion=-0.5)
    _ = a >> b
    svg = bp.render(emotion=True).svg
    assert set(_values(svg).values()) == {"+0.50", "-0.50"}
    assert "#2e7d32" in svg and "#b42318" in svg  # better than expected green, worse red
    assert "#2e7d32" not in bp.render(emotion=True, theme="print").svg  # black and white in print


def test_emotion_true_without_a_declared_emotion_says_what_to_do() -> None:
    with pytest.raises(ValueError, match="no step declares one"):
        blueprint.load("examples/coffee_shop.yaml").render(emotion=True)


def test_a_declared_emotion_lies_between_minus_one_and_one() -> None:
    with pytest.raises(blueprint.BlueprintFileError, match=r"steps\[0\]\.emotion"):
        blueprint.loads("name: X\nsteps: [{id: a, label: A, lane: customer, emotion: 2}]\n")


@pytest.mark.parametrize("name, cols", EXAMPLES)
def test_the_simulated_experience_is_drawn_at_its_steps(name: str, cols: int | None) -> None:
    results = simulate.run(blueprint.load(f"examples/{name}.yaml"), days=1, replications=3, seed=7, progress=False)
    svg = results.render(experience=True, max_columns=cols).svg
    assert check_svg(svg) == []
    table = results.experience()
    if len(table) == 0:
        assert not _values(svg)
        return
    gaps = table.xs("all", level="segment")["gap"] if "all" in set(table.index.get_level_values("segment")) else table["gap"]
    layout_columns = assign_columns(results.blueprint)
    written = _values(svg)
    for step, gap in gaps.items():
        col = str(layout_columns[str(step)])
        same = [s for s, c in layout_columns.items() if c == layout_columns[str(step)] and s in gaps.index]
        if gap != gap:  # no visit measured (NaN): no point
            assert len(same) > 1 or col not in written
        elif len(same) == 1:
            assert written[col] == f"{gap:+.2f}"
