"""Stages of the journey: the model, its checks, files, the builder, and the headers the diagram draws."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import blueprint
from blueprint import Blueprint, Stage
from blueprint.errors import BlueprintFileError
from blueprint.layout import compute_layout, stage_spans, wrap_rows
from blueprint.schema import json_schema

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = ["coffee_shop", "contact_center", "clinic", "hotel"]

SHOP = """\
name: Shop
# the stages a designer names
stages:
  - {name: Come in, steps: [enter]}
  - {name: Buy, steps: [pay, bag], description: at the till}
steps:
  - {id: enter, label: Come in, lane: customer}
  - {id: pay, label: Pay, lane: customer}
  - {id: bag, label: Bag the goods, lane: onstage, role: clerk}
roles:
  - {name: clerk, staffing: 1}
arrivals:
  - {step: enter, rate: 10 per h}
flows:
  - enter -> pay
  - pay -> bag
"""


def shop(tmp_path: Path, text: str = SHOP) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(text)
    return path


def problems(bp: Blueprint) -> list[tuple[str, str, str, str]]:
    return [(p.severity, p.code, p.path, p.message) for p in bp.validate().problems]


def test_stages_load_save_and_keep_comments(tmp_path: Path) -> None:
    bp = blueprint.load(shop(tmp_path))
    assert [(s.name, s.steps, s.description) for s in bp.stages] == [("Come in", ["enter"], None), ("Buy", ["pay", "bag"], "at the till")]
    assert bp.validate().ok and not bp.validate().problems
    bp.stages[1].name = "Pay and pack"
    out = bp.save(tmp_path / "shop.yaml")
    text = out.read_text()
    assert "# the stages a designer names" in text and "Pay and pack" in text
    again = blueprint.load(out)
    assert again == bp
    json_path = bp.save(tmp_path / "shop.json")
    assert json.loads(json_path.read_text())["stages"][0] == {"name": "Come in", "steps": ["enter"]}
    assert blueprint.load(json_path) == bp


def test_files_without_stages_load_as_before(tmp_path: Path) -> None:
    text = SHOP.replace("stages:\n  - {name: Come in, steps: [enter]}\n  - {name: Buy, steps: [pay, bag], description: at the till}\n", "")
    bp = blueprint.load(shop(tmp_path, text))
    assert bp.stages == [] and bp.validate().ok
    assert "stages:" not in bp.save(tmp_path / "plain.yaml", canonical=True).read_text()


def test_stage_mistakes_are_located(tmp_path: Path) -> None:
    bp = blueprint.load(shop(tmp_path))
    bp.stages.append(Stage(name="Buy", steps=["paay", "enter"]))
    found = problems(bp)
    assert ("error", "duplicate-id", "stages[2].name", "duplicate stage 'Buy' (first at stages[1])") in found
    assert ("error", "unknown-step", "stages[2].steps[0]", "unknown step 'paay'; did you mean 'pay'?") in found
    assert ("error", "stage-overlap", "stages[2].steps[1]",
            "step 'enter' is already in stage 'Come in' (stages[0]); a step belongs to one stage") in found


def test_a_step_in_no_stage_is_a_warning(tmp_path: Path) -> None:
    bp = blueprint.load(shop(tmp_path))
    bp.stages[1].steps.remove("bag")
    found = problems(bp)
    assert found == [("warning", "step-without-stage", "stages",
                      "1 step in no stage (bag): the diagram draws them without a stage header")]
    assert bp.validate().ok  # a warning only


@pytest.mark.parametrize(("snippet", "where"), [
    ("  - {name: '', steps: [enter]}\n", "stages[0].name"),
    ("  - {name: Empty, steps: []}\n", "stages[0].steps"),
    ("  - {steps: [enter]}\n", "stages[0].name"),
    ("  - {name: X, steps: [enter], colour: red}\n", "stages[0].colour"),
])
def test_stage_shape_errors_name_the_field(tmp_path: Path, snippet: str, where: str) -> None:
    text = SHOP.replace("  - {name: Come in, steps: [enter]}\n", snippet)
    with pytest.raises(BlueprintFileError) as err:
        blueprint.load(shop(tmp_path, text))
    assert where in str(err.value) and "shop.yaml:4" in str(err.value)


def test_builder_schema_and_summary() -> None:
    bp = Blueprint("Cafe")
    order, pay = bp.customer("Order"), bp.customer("Pay")
    _ = order >> pay
    st = bp.stage("Buy", [order, "pay"], description="at the counter")
    assert st.steps == ["order", "pay"] and bp.stages == [st]
    schema = json_schema()
    assert "stages" in schema["properties"]
    assert "Stages" in bp.summary() and "Buy (2)" in bp.summary()


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_puts_each_step_in_one_stage(name: str) -> None:
    bp = blueprint.load(f"examples/{name}.yaml")
    assert 3 <= len(bp.stages) <= 5
    listed = [sid for st in bp.stages for sid in st.steps]
    assert sorted(listed) == sorted(s.id for s in bp.steps)
    assert not [p for p in bp.validate().problems if p.code.startswith("stage") or p.path.startswith("stages")]


@pytest.mark.parametrize("name", EXAMPLES)
def test_stage_headers_sit_above_the_lanes_over_their_columns(name: str) -> None:
    bp = blueprint.load(f"examples/{name}.yaml")
    root = ET.fromstring(bp.render().svg.encode())
    headers = {g.get("id"): g for g in root.iter(SVG + "g") if (g.get("id") or "").startswith("stage-")}
    texts = [" ".join(t.text or "" for t in g.iter(SVG + "text")) for g in headers.values()]
    layout = compute_layout(bp)
    spans = stage_spans(layout, [(s.name, s.steps) for s in bp.stages])
    assert texts == [n for _, n, _, _ in spans]  # one header per run of columns, left to right
    assert [n for _, n, _, _ in spans] == [s.name for s in bp.stages]  # each example's stages are contiguous
    top_band = min(float(p) for g in root.iter(SVG + "g") if (g.get("id") or "").startswith("band-")
                   for p in g.find(".//" + SVG + "polygon").get("points").replace(",", " ").split()[1::2])
    for g in headers.values():
        ys = [float(v) for v in g.find(".//" + SVG + "path").get("d").replace("M", " ").replace("C", " ").replace(",", " ").split()[1::2]]
        assert max(ys) <= top_band  # above the evidence lane (Graphviz's y grows downwards, negative here)
    assert bp.render(stages=False).svg.count('id="stage&#45;') == 0


def test_a_stage_wrapped_onto_the_next_row_says_it_goes_on() -> None:
    bp = blueprint.load("examples/hotel.yaml")
    layout = compute_layout(bp)
    wrap_rows(layout, 7)
    spans = stage_spans(layout, [(s.name, s.steps) for s in bp.stages])
    assert [(row, n) for row, n, _, _ in spans] == [(0, "Arrive"), (0, "Check in"), (0, "Stay"), (1, "Stay"), (1, "Leave")]
    svg = bp.render(max_columns=7).svg
    assert "Stay (continued)" in svg and svg.count(">Stay<") == 1


def test_scenarios_keep_stages_in_step_with_the_steps() -> None:
    from simulate import load_scenarios

    bp = blueprint.load("examples/contact_center.yaml")
    scenarios = {s.name: s for s in load_scenarios("examples/contact_center.scenarios.yaml")}
    changed = scenarios["chatbot in front of the agents"].apply(bp)
    stages = {st.name: st.steps for st in changed.stages}
    assert "chatbot_first" in stages["Get help"]  # an added step joins the stage of the step it comes from
    assert not [p for p in changed.validate().problems if p.path.startswith("stages")]
    from simulate.scenarios.scenario import Scenario

    gone = Scenario(name="no survey", remove_steps=["survey"]).apply(bp)  # the others take the otherwise flows
    assert "survey" not in {sid for st in gone.stages for sid in st.steps}
    shop_bp = blueprint.loads(SHOP.replace("  - {name: Buy, steps: [pay, bag], description: at the till}\n",
                                           "  - {name: Buy, steps: [pay]}\n  - {name: Pack, steps: [bag]}\n"))
    emptied = Scenario(name="self-packing", remove_steps=["bag"]).apply(shop_bp)
    assert [(st.name, st.steps) for st in emptied.stages] == [("Come in", ["enter"]), ("Buy", ["pay"])]  # an empty stage goes


def test_stages_listed_out_of_journey_order_draw_as_in_order() -> None:
    """Stages listed Late, Early, Middle took the journey's order from the list: the steps were pushed right past
    empty columns and a header was lost. They are laid out in the journey's order, whatever order they are listed in."""
    from blueprint.diagram.check import check_svg

    def build(order: list[str]) -> Blueprint:
        bp = Blueprint("Stages")
        a, b, c = bp.customer("Arrive", id="a"), bp.onstage("Serve", id="b", role="clerk"), bp.customer("Leave", id="c")
        _ = a >> b >> c
        bp.role("clerk", staffing=1)
        where = {"Early": ["a"], "Middle": ["b"], "Late": ["c"]}
        bp.stages = [Stage(name=n, steps=where[n]) for n in order]
        return bp

    listed = build(["Late", "Early", "Middle"])
    in_order = build(["Early", "Middle", "Late"])
    assert {k: b.column for k, b in compute_layout(listed).boxes.items()} == {"a": 0, "b": 1, "c": 2}
    assert {k: b.column for k, b in compute_layout(in_order).boxes.items()} == {"a": 0, "b": 1, "c": 2}
    spans = stage_spans(compute_layout(listed), [(s.name, s.steps) for s in listed.stages])
    assert [name for _, name, _, _ in spans] == ["Early", "Middle", "Late"]
    svg = listed.render().svg
    assert all(f"stage-{n}" in svg or n in svg for n in ("Early", "Middle", "Late")) and check_svg(svg) == []


def test_a_long_stage_name_over_one_column_takes_two_lines() -> None:
    from blueprint.diagram.check import check_svg

    name = "Application and review of the insurance papers"
    bp = blueprint.loads(
        "name: Office\nsteps:\n  - {id: a, label: Apply, lane: customer}\n  - {id: b, label: Review, lane: customer}\n"
        f"flows: [a -> b]\nstages: [{{name: {name}, steps: [a]}}, {{name: Decide, steps: [b]}}]\n"
    )
    root = ET.fromstring(bp.render().svg.encode())
    header = next(g for g in root.iter(SVG + "g") if g.get("id") == "stage-0")
    lines = [t.text for t in header.iter(SVG + "text")]
    assert len(lines) == 2 and " ".join(lines) == name  # whole, on two lines, no ellipsis
    assert check_svg(bp.render().svg) == []
