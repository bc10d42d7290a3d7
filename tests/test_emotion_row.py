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
from blueprint.render import EmotionRow

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
            past = 1 - float(table.loc[(step, "all") if "all" in set(table.index.get_level_values("segment"))
                                       else table.index[table.index.get_level_values("step") == step][0], "met"])
            alarm = f" · {past:.0%} felt too long" if past >= 0.2 else ""
            assert written[col] == f"{gap:+.2f}{alarm}"


def _links(svg: str) -> set[tuple[str, str]]:
    return {(m.group(1), m.group(2)) for m in re.finditer(r'<g id="emotion&#45;(\d+)&#45;(\d+)"', svg)}


def test_alternatives_are_not_joined_as_if_one_followed_the_other() -> None:
    """A call answered in English or in Spanish: two points side by side, not a line from one to the other; each
    is joined to the step before and after it."""
    bp = blueprint.Blueprint("Choice")
    call = bp.customer("Call", id="call")
    english = bp.customer("Talk in English", id="en")
    spanish = bp.customer("Talk in Spanish", id="es")
    done = bp.customer("Done", id="done")
    bp.flow(call, english, probability=0.7)
    bp.flow(call, spanish, probability=0.3)
    _ = english >> done
    _ = spanish >> done
    columns = assign_columns(bp)
    assert columns["en"] != columns["es"]  # drawn one after the other, though they are alternatives
    row = EmotionRow({"call": 0.5, "en": 0.9, "es": -0.2, "done": 0.1})
    svg = bp.render(emotion=row).svg
    assert check_svg(svg) == []
    c = {k: str(v) for k, v in columns.items()}
    assert _links(svg) == {(c["call"], c["en"]), (c["call"], c["es"]), (c["en"], c["done"]), (c["es"], c["done"])}


def test_a_mean_within_the_tolerance_with_many_past_it_is_drawn_as_bad() -> None:
    """A step whose mean wait felt within the tolerance but where a fifth or more felt it past: the mean hides them,
    so the point is drawn as bad with the share written beside it (the fail points' ``over_tolerance`` rule)."""
    bp = blueprint.Blueprint("Two")
    a = bp.customer("Arrive", id="a")
    b = bp.customer("Wait", id="b")
    _ = a >> b
    columns = {k: str(v) for k, v in assign_columns(bp).items()}
    svg = bp.render(emotion=EmotionRow({"a": 0.3, "b": 0.2}, past={"a": 0.05, "b": 0.23})).svg
    assert check_svg(svg) == []
    assert _values(svg) == {columns["a"]: "+0.30", columns["b"]: "+0.20 · 23% felt too long"}
    point = re.search(r'<g id="emotion&#45;' + columns["b"] + r'".*?fill="([^"]+)"', svg, flags=re.S)
    assert point is not None and point.group(1) == "#b42318"
    results = simulate.run(blueprint.load("examples/bilingual_hotline.yaml"), days=1, replications=5, seed=2026,
                           progress=False)
    assert "felt too long" in " ".join(_values(results.render(experience=True).svg).values())  # the Spanish queue
