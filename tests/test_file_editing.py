"""Saving a loaded YAML blueprint keeps the designer's comments, key order and layout;
``convert``, JSON and blueprints built in Python get the canonical form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import blueprint
from blueprint import Blueprint, Flow, Step
from blueprint.cli import app
from blueprint.files import dumps, edited_text, to_data

try:  # tests/ on sys.path (rootdir-style collection) or tests as a package
    import strategies as bst
except ImportError:  # pragma: no cover
    from tests import strategies as bst

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

COMMENTED = """\
# Front desk of a small bike repair shop.
# TODO: ask the owner how long a repair really takes
name: Bike repair
description: Drop the bike off, it is repaired, pick it up.

roles:
  - name: mechanic   # two on weekdays
    staffing: 2

arrivals:
  - name: riders
    step: drop_off
    rate: 6 per h

steps:
  # the customer's side
  - id: drop_off
    label: Drop the bike off
    lane: customer
  - id: repair
    label: Repair the bike
    lane: backstage
    role: mechanic
    duration: exp(40 min)   # measured in May
  - id: pick_up
    label: Pick the bike up
    lane: customer

flows:
  - {from: drop_off, to: repair}
  # a repair that finds nothing wrong still ends at the pick-up
  - {from: repair, to: pick_up}
"""


def _comments(text: str) -> list[str]:
    return [m.group(0).strip() for m in re.finditer(r"#[^\n]*", text)]


def _edit(bp: Blueprint) -> None:
    """Change a step's duration, add a step, remove a flow."""
    bp.step("repair").duration = "45 min"  # type: ignore[assignment]
    bp.steps.append(Step(id="wash", label="Wash the bike", lane="backstage", role="mechanic", duration="10 min"))
    bp.flows = [f for f in bp.flows if (f.source, f.target) != ("repair", "pick_up")]
    bp.flows += [Flow(source="repair", target="wash"), Flow(source="wash", target="pick_up")]


def test_comments_survive_an_edit_saved_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bike.yaml"
    path.write_text(COMMENTED)
    bp = blueprint.load(path)
    _edit(bp)
    bp.save(path)
    text = path.read_text()
    assert _comments(text) == _comments(COMMENTED)[:-1] or set(_comments(COMMENTED)) <= set(_comments(text))
    assert "# TODO: ask the owner how long a repair really takes" in text
    assert "duration: 45 min   # measured in May" in text
    again = blueprint.load(path)
    assert again == bp
    assert to_data(again) == to_data(bp)
    wash = again.step("wash").duration
    assert wash is not None and wash.mean == 600
    assert [(f.source, f.target) for f in again.flows] == [("drop_off", "repair"), ("repair", "wash"), ("wash", "pick_up")]
    again.validate().raise_for_errors()


def test_untouched_parts_keep_their_layout(tmp_path: Path) -> None:
    path = tmp_path / "bike.yaml"
    path.write_text(COMMENTED)
    bp = blueprint.load(path)
    _edit(bp)
    text = bp.save(path).read_text()
    head = COMMENTED[: COMMENTED.index("steps:")]
    assert text.startswith(head)  # header comments, description, roles and arrivals line for line
    keys = [line.split(":")[0] for line in text.splitlines() if re.match(r"^\w+:", line)]
    assert keys == ["name", "description", "roles", "arrivals", "steps", "flows"]


def test_saving_without_changes_gives_the_same_bytes(tmp_path: Path) -> None:
    for example in sorted(EXAMPLES.glob("*.yaml")):
        if "." in example.stem:
            continue
        out = blueprint.load(example).save(tmp_path / example.name)
        assert out.read_bytes() == example.read_bytes(), example.name


@pytest.mark.parametrize("name", ["contact_center.yaml", "hotel.yaml", "coffee_shop.yaml", "clinic.yaml"])
def test_every_example_keeps_its_comments_through_an_edit(tmp_path: Path, name: str) -> None:
    original = (EXAMPLES / name).read_text()
    bp = blueprint.load(EXAMPLES / name)
    bp.steps[1].duration = "7 min"  # type: ignore[assignment]
    removed = bp.flows.pop(0)
    bp.steps.append(Step.model_validate({"label": "Extra check", "lane": "backstage"}))
    bp.flows.append(Flow(source=bp.steps[-2].id, target="extra_check"))
    text = bp.save(tmp_path / name).read_text()
    assert _comments(original) == _comments(text)
    assert to_data(blueprint.load(tmp_path / name)) == to_data(bp)
    assert removed not in blueprint.load(tmp_path / name).flows


def test_removing_a_step_keeps_the_others_comments(tmp_path: Path) -> None:
    path = tmp_path / "bike.yaml"
    path.write_text(COMMENTED)
    bp = blueprint.load(path)
    bp.steps = [s for s in bp.steps if s.id != "pick_up"]
    bp.flows = [f for f in bp.flows if f.target != "pick_up"]
    text = bp.save(path).read_text()
    assert "# measured in May" in text and "# the customer's side" in text and "# two on weekdays" in text
    assert "pick_up" not in text
    assert blueprint.load(path) == bp


def test_canonical_forms(tmp_path: Path) -> None:
    path = tmp_path / "bike.yaml"
    path.write_text(COMMENTED)
    bp = blueprint.load(path)
    _edit(bp)
    assert bp.save(tmp_path / "canonical.yaml", canonical=True).read_text() == dumps(bp)
    assert bp.save(tmp_path / "bike.json").read_text() == dumps(bp, "json")  # JSON has no comments
    built = Blueprint(name="Built")
    _ = built.customer("Ask") >> built.customer("Leave")
    assert built.save(tmp_path / "built.yaml").read_text() == dumps(built)
    from_json = blueprint.load(tmp_path / "bike.json")
    assert from_json.save(tmp_path / "from_json.yaml").read_text() == dumps(from_json)


def test_convert_writes_the_canonical_form(tmp_path: Path) -> None:
    path = tmp_path / "bike.yaml"
    path.write_text(COMMENTED)
    out = tmp_path / "converted.yaml"
    result = CliRunner().invoke(app, ["convert", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text() == dumps(blueprint.load(path))
    assert "#" not in out.read_text()


def test_a_form_the_merge_cannot_keep_falls_back_to_the_canonical_text(tmp_path: Path) -> None:
    # flows written with the field names (source/target) instead of from/to: changing one
    # would leave both spellings in the merged file, so the canonical text is written.
    text = COMMENTED.replace("{from: drop_off, to: repair}", "{source: drop_off, target: repair}")
    path = tmp_path / "bike.yaml"
    path.write_text(text)
    bp = blueprint.load(path)
    bp.flows[0] = Flow(source="drop_off", target="pick_up")
    bp.save(path)
    assert to_data(blueprint.load(path)) == to_data(bp)


PROPERTY = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY
@given(bst.blueprint_data(), bst.blueprint_data())
def test_any_edit_saves_what_the_model_holds_and_keeps_the_comment(first: dict, second: dict) -> None:
    bp = blueprint.loads("# a comment\n" + dumps(Blueprint.model_validate(first)))
    target = Blueprint.model_validate(second)
    for field in Blueprint.model_fields:
        setattr(bp, field, getattr(target, field))
    text = edited_text(bp)
    assert text is not None  # merged, not fallen back to the canonical form
    assert to_data(blueprint.loads(text)) == to_data(target)
    assert text.startswith("# a comment\n")


@PROPERTY
@given(st.data())
def test_random_edits_of_an_example_keep_its_header_and_read_back(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(["contact_center.yaml", "hotel.yaml", "coffee_shop.yaml", "clinic.yaml"]))
    original = (EXAMPLES / name).read_text()
    bp = blueprint.load(EXAMPLES / name)
    ids = [s.id for s in bp.steps]
    gone = set(data.draw(st.lists(st.sampled_from(ids), max_size=3, unique=True)))
    bp.steps = [s for s in bp.steps if s.id not in gone]
    bp.flows = [f for f in bp.flows if f.source not in gone and f.target not in gone]
    if data.draw(st.booleans()) and bp.steps:
        step = data.draw(st.sampled_from(bp.steps))
        step.duration = data.draw(bst.distributions(small=True))
    if data.draw(st.booleans()):
        bp.steps.insert(data.draw(st.integers(0, len(bp.steps))), Step.model_validate({"label": "Extra check", "lane": "support"}))
    if data.draw(st.booleans()) and bp.roles:
        role = data.draw(st.sampled_from(bp.roles))
        role.description = data.draw(bst.awkward_text(max_size=20)) or None
    text = edited_text(bp)
    assert text is not None
    assert to_data(blueprint.loads(text)) == to_data(bp)
    head = original[: original.index("\nname:")]
    assert text.startswith(head)


def test_a_staffed_copy_keeps_the_files_comments(tmp_path: Path) -> None:
    path = tmp_path / "bike.yaml"
    path.write_text(COMMENTED)
    staffed = blueprint.load(path).with_staffing({"mechanic": 3})
    text = staffed.save(tmp_path / "staffed.yaml").read_text()
    assert set(_comments(COMMENTED)) <= set(_comments(text))
    staffing = blueprint.load(tmp_path / "staffed.yaml").get_role("mechanic").staffing
    assert staffing is not None and staffing.headcount == 3
