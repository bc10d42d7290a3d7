"""Scenarios: every kind of change, files with located errors, diagrams, and saved results."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import blueprint
import simulate
from blueprint import BlueprintFileError, Staffing
from blueprint.distributions import parse_distribution
from simulate.scenarios import Scenario, ScenarioError, changed_steps, load_scenarios, scale_distribution

from .test_simulation import same

EXAMPLE = "examples/contact_center.yaml"
SCENARIOS = "examples/contact_center.scenarios.yaml"


@pytest.fixture(scope="module")
def bp() -> blueprint.Blueprint:
    return blueprint.load(EXAMPLE)


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return p


# -- changes ---------------------------------------------------------------------------------------


def test_with_staffing_replaces_only_the_roles_named(bp: blueprint.Blueprint) -> None:
    before = bp.model_dump()
    changed = bp.with_staffing({"first_line": Staffing(headcount=9), "specialist": "unlimited"})
    assert bp.model_dump() == before
    assert changed.get_role("first_line").staffing == Staffing(headcount=9)
    assert changed.get_role("specialist").staffing.unlimited
    others = [r.name for r in bp.roles if r.name not in ("first_line", "specialist")]
    assert all(changed.get_role(n) == bp.get_role(n) for n in others)
    assert changed.steps == bp.steps and changed.arrivals == bp.arrivals
    with pytest.raises(KeyError, match="no role 'nobody'"):
        bp.with_staffing({"nobody": 1})


def test_apply_leaves_the_original_as_it_was(bp: blueprint.Blueprint) -> None:
    before = bp.model_copy(deep=True)
    new = Scenario("x", volume=2, remove_steps=["survey"], extra_staff={"first_line": {"late": 3}}).apply(bp)
    assert bp == before and bp == blueprint.load(EXAMPLE)
    assert new != bp and new.validate().ok
    assert new.source is None  # its lines are not the file's any more


def test_staffing_in_every_form(bp: blueprint.Blueprint) -> None:
    class ShiftPlan:  # what the shift planner offers
        def to_staffing(self) -> Staffing:
            return Staffing.model_validate([{"start": "07:00", "length": "8 h", "count": 20},
                                            {"start": "13:00", "length": "8 h", "count": 20}])

    sc = Scenario("s", staffing={
        "first_line": ShiftPlan(),
        "specialist": {"interval": "1 h", "start": "07:00", "values": [3] * 14},
    })
    new = sc.apply(bp)
    assert [s.count for s in new.get_role("first_line").staffing.shifts] == [20, 20]
    assert new.get_role("specialist").staffing.kind == "profile"
    assert Scenario("h", staffing={"specialist": 7}).apply(bp).get_role("specialist").staffing.headcount == 7

    class StaffingPlan:  # a plan for several roles
        def __init__(self) -> None:
            self.plans = {"first_line": ShiftPlan(), "specialist": ShiftPlan()}

    both = Scenario("optimized", staffing=StaffingPlan()).apply(bp)
    assert both.get_role("specialist").staffing == both.get_role("first_line").staffing == ShiftPlan().to_staffing()


def test_extra_staff_on_shifts_headcount_and_profile(bp: blueprint.Blueprint) -> None:
    new = Scenario("s", extra_staff={"first_line": {"late": 2, "07:00": -1}}).apply(bp)
    counts = {s.name: s.count for s in new.get_role("first_line").staffing.shifts}
    assert counts == {"early": 4, "day": 9, "peak": 4, "late": 11}
    flat = Scenario("h", staffing={"specialist": 4}, extra_staff={"specialist": 2}).apply(bp)
    assert flat.get_role("specialist").staffing.headcount == 6
    profile = Scenario("p", staffing={"specialist": {"interval": "1 h", "start": "07:00", "values": [1, 2]}},
                       extra_staff={"specialist": 1}).apply(bp)
    assert profile.get_role("specialist").staffing.profile.values == [2, 3]


def test_volume_arrivals_and_patience(bp: blueprint.Blueprint) -> None:
    busier = Scenario("v", volume=1.2).apply(bp)
    assert busier.arrivals[0].per_day() == pytest.approx(1.2 * bp.arrivals[0].per_day())
    rate = Scenario("r", arrivals={"callers": {"rate": "50 per h"}}).apply(bp)
    assert rate.arrivals[0].kind == "rate" and rate.arrivals[0].profile is None
    assert rate.arrivals[0].segments == bp.arrivals[0].segments  # the rest is kept
    both = Scenario("rv", arrivals={"callers": {"rate": "50 per h"}}, volume={"callers": 2}).apply(bp)
    assert both.arrivals[0].rate.per_second == pytest.approx(100 / 3600)
    patient = Scenario("p", patience=1.5).apply(bp)
    assert [s.patience.mean for s in patient.arrivals[0].segments] == pytest.approx([270, 180])
    business = Scenario("b", patience={"business": "exp(5 min)"}).apply(bp)
    assert [str(s.patience) for s in business.arrivals[0].segments] == ["exp(3 min)", "exp(5 min)"]
    everyone = Scenario("e", patience={"dist": "exponential", "mean": "4 min"}).apply(bp)
    assert {str(s.patience) for s in everyone.arrivals[0].segments} == {"exp(4 min)"}


def test_durations_probabilities_and_roles(bp: blueprint.Blueprint) -> None:
    sc = Scenario(
        "d",
        durations={"kb_search": 0.5, "resolve": "exp(2 min)"},
        probabilities={"resolve": {"specialist": 0.1, "survey": "otherwise", "hang_up": 0.5}},
        roles={"first_line": {"cost_per_hour": 30}},
        add_roles=[{"name": "backoffice", "cost_per_hour": 20, "staffing": 2}],
        steps={"ticket": {"role": "backoffice"}},
    )
    new = sc.apply(bp)
    assert new.step("kb_search").duration.mean == pytest.approx(30)
    assert str(new.step("resolve").duration) == "exp(2 min)"
    assert {f.target: (f.probability, f.otherwise) for f in new.flows_from("resolve")} == {
        "specialist": (0.1, False), "survey": (None, True), "hang_up": (0.5, False)}
    assert new.get_role("first_line").cost_per_hour == 30
    assert new.step("ticket").role == "backoffice" and new.get_role("backoffice").staffing.headcount == 2


def test_steps_added_removed_and_rerouted(bp: blueprint.Blueprint) -> None:
    sc = load_scenarios(SCENARIOS)[1]  # the chatbot in front of the agents
    new = sc.apply(bp)
    assert "chatbot_first" in {s.id for s in new.steps}
    assert [f.target for f in new.flows_from("self_service")] == ["self_served", "chatbot_first"]
    assert [f.target for f in new.flows_from("chatbot_first")] == ["self_served", "answer"]
    gone = Scenario("no survey", remove_steps=["survey"]).apply(bp)
    assert "survey" not in {s.id for s in gone.steps}
    assert all("survey" not in (f.source, f.target) for f in gone.flows)
    fewer = Scenario("no retry", remove_flows=["answer -> call"]).apply(bp)
    assert [f.kind.value for f in fewer.flows_from("answer")] == ["handoff"]


def test_a_scenario_that_changes_nothing_gives_an_equal_blueprint(bp: blueprint.Blueprint) -> None:
    assert Scenario("same").apply(bp) == bp
    assert Scenario("same").summary() == "no change"


def test_scale_distribution_scales_every_family_and_each_draw() -> None:
    for text in ["4 min", "exp(4 min)", "uniform(1, 3) min", "triangular(1, 2, 4) min", "normal(mean=5, sd=1) min",
                 "lognormal(mean=5, sd=2) min", "gamma(shape=2, scale=1.5) min", "weibull(shape=1.5, scale=4) min",
                 "empirical(1, 2, 2.5, 4) min", {"dist": "empirical", "edges": [0, 1, 3], "counts": [1, 1], "unit": "min"}]:
        d = parse_distribution(text)
        s = scale_distribution(d, 0.7)
        assert type(s) is type(d) and s.unit == d.unit
        assert s.mean == pytest.approx(0.7 * d.mean), text
        a = d.sample(np.random.default_rng(1), 50)
        b = s.sample(np.random.default_rng(1), 50)
        assert b == pytest.approx(0.7 * a), text  # the same random numbers: common random numbers


def test_round_trip_through_data_and_yaml(bp: blueprint.Blueprint) -> None:
    for sc in load_scenarios(SCENARIOS) + [
        Scenario("p", patience=0.8, volume={"callers": 1.1}, durations={"answer": "exp(3 min)"}),
        Scenario("q", patience={"business": 2}, staffing={"first_line": 12}),
    ]:
        data = sc.to_data()
        again = Scenario.model_validate(yaml.safe_load(yaml.safe_dump(data)))
        assert again == sc, sc.name
        assert again.apply(bp) == sc.apply(bp)
    assert Scenario("p", patience=0.8).to_data() == {"name": "p", "patience": 0.8}


# -- invalid scenarios ---------------------------------------------------------------------------------


def test_invalid_scenario_fails_with_the_blueprint_message_prefixed(bp: blueprint.Blueprint) -> None:
    with pytest.raises(ScenarioError) as e:
        Scenario("no agents", staffing={"first_line": 0}).apply(bp)
    assert str(e.value) == (
        "scenario 'no agents': staffing.first_line: role 'first_line' never has anyone on duty but steps "
        "'answer', 'kb_search', 'resolve' receive customers"
    )
    assert isinstance(e.value, blueprint.BlueprintValidationError)
    assert e.value.scenarios == ["no agents"]
    # an error in a part of the blueprint the scenario left alone points at the blueprint's file and line
    with pytest.raises(ScenarioError) as e:
        Scenario("two ways out", add_flows=[{"from": "answer", "to": "hang_up"}]).apply(bp)
    message = str(e.value)
    assert message.startswith("scenario 'two ways out': examples/contact_center.yaml:150: flows[3]: 2 flows leave 'answer'")


def test_unknown_names_are_reported_all_at_once_with_suggestions(bp: blueprint.Blueprint) -> None:
    sc = Scenario("typos", extra_staff={"first_lin": 1, "first_line": {"lat": 1}}, durations={"anser": 0.9},
                  reroute={"self_service -> nowhere": "answer"}, volume={"caller": 2}, patience={"vip": 2})
    with pytest.raises(ScenarioError) as e:
        sc.apply(bp)
    assert str(e.value).splitlines() == [
        "scenario 'typos': extra_staff.first_lin: unknown role 'first_lin'; did you mean 'first_line'?",
        "scenario 'typos': extra_staff.first_line.lat: unknown shift 'lat' of role 'first_line'; did you mean 'late'?",
        "scenario 'typos': durations.anser: unknown step 'anser'; did you mean 'answer'?",
        ("scenario 'typos': reroute.self_service -> nowhere: no flow self_service -> nowhere; flows leaving "
         "'self_service' go to self_served, answer"),
        "scenario 'typos': volume.caller: unknown arrival stream 'caller'; did you mean 'callers'?",
        "scenario 'typos': patience.vip: unknown arrival stream or segment 'vip'; known: callers, consumer, business",
    ]


def test_changes_that_cannot_be_made(bp: blueprint.Blueprint) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"extra_staff": {"first_line": 1}}, "role 'first_line' works 4 shifts; say which"),
        ({"extra_staff": {"chatbot": 1}}, "role 'chatbot' has unlimited staffing to add to"),
        ({"extra_staff": {"first_line": {"late": -10}}}, "shift 'late' has 9 staff; cannot take 10 away"),
        ({"durations": {"call": 2}}, "step 'call' takes no time, so there is nothing to scale"),
        ({"add_steps": [{"id": "answer", "label": "Again", "lane": "customer"}]}, "step 'answer' exists already"),
        ({"steps": {"answer": {"lane": "sideways"}}}, "steps.answer.lane: unknown lane 'sideways'"),
        ({"add_roles": [{"name": "first_line"}]}, "role 'first_line' exists already"),
    ]
    for changes, expected in cases:
        with pytest.raises(ScenarioError, match=expected.replace("(", r"\(").replace(")", r"\)")):
            Scenario("x", **changes).apply(bp)


def test_shape_errors_when_a_scenario_is_built() -> None:
    with pytest.raises(Exception, match="expected a factor: a number more than 0"):
        Scenario("x", volume=-1)
    with pytest.raises(Exception, match="or give a factor such as 0.9"):
        Scenario("x", durations={"answer": "3"})
    with pytest.raises(Exception, match="cannot read flow 'a to b'"):
        Scenario("x", remove_flows=["a to b"])
    with pytest.raises(Exception, match="a scenario needs a name"):
        Scenario(" ")


# -- files ------------------------------------------------------------------------------------------------


def test_example_file_loads_and_every_scenario_applies(bp: blueprint.Blueprint) -> None:
    scenarios = load_scenarios(SCENARIOS)  # names the blueprint: every scenario is checked against it
    assert len(scenarios) == 6 and len({s.name for s in scenarios}) == 6
    assert all(s.source == SCENARIOS for s in scenarios)
    assert load_scenarios(SCENARIOS, blueprint=bp) == scenarios


def test_scenario_errors_point_at_the_scenario_file(tmp_path: Path, bp: blueprint.Blueprint) -> None:
    p = write(tmp_path, """
        scenarios:
          - name: fine
            volume: 1.1
          - name: late
            extra_staff:
              first_line: {lat: 1}
          - name: broken flows
            probabilities:
              resolve: {specialist: 0.9}
        """)
    with pytest.raises(ScenarioError) as e:
        load_scenarios(p, blueprint=bp)
    assert str(e.value).splitlines() == [
        f"scenario 'late': {p}:6: extra_staff.first_line.lat: unknown shift 'lat' of role 'first_line'; did you mean 'late'?",
        (f"scenario 'broken flows': {p}:9: probabilities.resolve.specialist: branch probabilities leaving 'resolve' "
         "add up to 1.14 before the otherwise flow; at most 1"),
    ]
    assert load_scenarios(p)[0].name == "fine"  # without a blueprint only the shape is checked


@pytest.mark.parametrize(
    "text, expected",
    [
        ("scenarios:\n  - name: a\n    extra_staf: {x: 1}\n",
         "{file}:3: scenarios[0].extra_staf: unknown field 'extra_staf'; did you mean 'extra_staff'?"),
        ("- name: a\n  volume: 0\n",
         "{file}:2: [0].volume: expected a factor: a number more than 0 (e.g. 1.2 for 20% more), got 0"),
        ("- name: a\n- name: b\n  durations: {answer: exp(3)}\n",
         ("{file}:3: [1].durations.answer: exponential: no time unit; add one, e.g. 'exponential(...) min'; "
          "or give a factor such as 0.9")),
        ("- name: a\n- name: a\n", "{file}:2: [1].name: another scenario is called 'a' ([0])"),
        ("- {volume: 2}\n", "{file}:1: [0].name: required field is missing"),
        ("scenarios: {name: a}\n", "{file}:1: scenarios: expected a list of scenarios (each with a name and its changes)"),
        ("scenario:\n  - name: a\n", "{file}:1: scenario: unknown field 'scenario'; did you mean 'scenarios'?"),
        ("- name: a\n\tvolume: 2\n", "{file}:2: not valid YAML: a tab indents this line; indent with spaces"),
        # YAML's true and a quoted number are no numbers; inside a mapping the mistake is named, not the mapping
        ("- name: a\n  extra_staff: {first_line: true}\n",
         "{file}:2: [0].extra_staff.first_line: expected a whole number, got true"),
        ("- name: a\n  extra_staff:\n    first_line: {late: '1'}\n",
         "{file}:3: [0].extra_staff.first_line.late: expected a whole number, got '1'"),
    ],
)
def test_broken_scenario_files(tmp_path: Path, text: str, expected: str) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(BlueprintFileError) as e:
        load_scenarios(p)
    assert str(e.value) == expected.format(file=p)


def test_missing_file() -> None:
    with pytest.raises(BlueprintFileError, match="no such file"):
        load_scenarios("nowhere.yaml")


# -- what changed, drawn ------------------------------------------------------------------------------------


def test_changed_steps_say_what_changed(bp: blueprint.Blueprint) -> None:
    scenarios = {s.name: s for s in load_scenarios(SCENARIOS)}
    overlays, removed = changed_steps(bp, scenarios["chatbot in front of the agents"].apply(bp))
    assert removed == []
    assert overlays["chatbot_first"].badge == "+" and overlays["chatbot_first"].note == "new step"
    assert overlays["self_service"].note == "→ chatbot_first (was answer)"
    assert set(overlays) == {"chatbot_first", "self_service"}
    overlays, _ = changed_steps(bp, scenarios["one more late agent"].apply(bp))
    assert overlays["answer"].note == "first_line: 200 staff h/day → 208 staff h/day"
    assert set(overlays) == {"answer", "kb_search", "resolve"}  # every step of the role, the note once
    overlays, _ = changed_steps(bp, scenarios["fewer transfers"].apply(bp))
    assert overlays["resolve"].note == "→ specialist 15% (was 20%)"
    overlays, _ = changed_steps(bp, scenarios["better knowledge base"].apply(bp))
    assert overlays["kb_search"].note == "mean 60 s → 42 s"
    overlays, _ = changed_steps(bp, scenarios["busier Monday"].apply(bp))
    assert overlays["call"].note == "arrivals ×1.2"
    _, removed = changed_steps(bp, Scenario("x", remove_steps=["survey"]).apply(bp))
    assert removed == ["survey"]


def test_diagram_highlights_the_changed_steps(bp: blueprint.Blueprint) -> None:
    sc = load_scenarios(SCENARIOS)[1]
    svg = sc.diagram(bp).svg.replace("&#45;", "-")
    assert 'id="badge-chatbot_first"' in svg and "→ chatbot_first (was answer)" in svg  # the note, in its box
    assert "A chatbot tries every caller" in svg  # the subtitle says what the scenario does
    import re

    badge = re.search(r'id="badge-chatbot_first".*?<ellipse fill="([^"]+)"', svg, flags=re.S)
    assert badge is not None and badge.group(1) == "#1f5fa8"  # blue: a change, not a fail point's red
    printed = sc.diagram(bp, theme="print").svg.replace("&#45;", "-")
    badge = re.search(r'id="badge-chatbot_first".*?<ellipse fill="([^"]+)"', printed, flags=re.S)
    assert badge is not None and badge.group(1) != "#1f5fa8"  # black and white in print


# -- saved results ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".parquet"])
def test_results_save_and_load_back_the_same_numbers(tmp_path: Path, suffix: str) -> None:
    bp = blueprint.load("examples/coffee_shop.yaml")
    results = simulate.run(bp, days=0.5, replications=2, seed=4, record_events=True, warmup="30 min", interval="30 min")
    path = results.save(tmp_path / f"run{suffix}")
    again = simulate.Results.load(path)
    assert again.blueprint == bp and again.seed == 4 and again.days == results.days
    assert (again.warmup, again.interval) == (results.warmup, results.interval)
    for a, b in zip(results.replications, again.replications):
        for k in ("seed", "horizon", "warmup", "interval", "steps", "roles", "role_totals", "journeys"):
            assert same(getattr(a, k), getattr(b, k)), k
        assert a.events is not None and len(a.events) > 0 and b.events == a.events  # columns, NaN equal to NaN
        assert type(b.seed) is tuple
    assert again.summary().equals(results.summary())
    assert again.events.equals(results.events)


def test_results_files_keep_infinities_and_refuse_other_files(tmp_path: Path, bp: blueprint.Blueprint) -> None:
    results = simulate.run(bp, days=0.1, replications=2, seed=1, progress=False)
    results.replications[0].role_totals["chatbot"].on_duty = math.inf
    results.replications[0].role_totals["chatbot"].busy = -math.inf
    for suffix in (".json", ".parquet"):
        again = simulate.Results.load(results.save(tmp_path / f"r{suffix}"))
        assert again.replications[0].role_totals["chatbot"].on_duty == math.inf
        assert again.replications[0].role_totals["chatbot"].busy == -math.inf
        assert same(again.replications[1].steps, results.replications[1].steps)
    text = (tmp_path / "r.json").read_text()
    assert "NaN" not in text and "Infinity" not in text  # strict JSON
    (tmp_path / "other.json").write_text('{"format": "something else"}')
    with pytest.raises(ValueError, match="not a file of service-blueprint results"):
        simulate.Results.load(tmp_path / "other.json")
    with pytest.raises(ValueError, match="use .json or .parquet"):
        results.save(tmp_path / "r.csv")


# -- staff groups (skills-based routing) -------------------------------------------------------------------------


def test_cross_training_moves_members_to_a_group_with_more_skills() -> None:
    bp = blueprint.load("examples/bilingual_hotline.yaml")
    english = bp.get_group("English only").staffing.profile.values
    bilingual = bp.get_group("Bilingual").staffing.profile.values
    sc = Scenario("two trained", cross_train={"English only": {"to": "Bilingual", "count": 2}})
    new = sc.apply(bp)
    assert new.get_group("English only").staffing.profile.values == [x - 2 for x in english]
    assert new.get_group("Bilingual").staffing.profile.values == [x + 2 for x in bilingual]
    assert bp.get_group("Bilingual").staffing.profile.values == bilingual  # the original is left alone
    assert sc.summary() == "2 of English only cross-trained into Bilingual"
    overlays, _ = changed_steps(bp, new)
    assert "answer_en" in overlays and "English only" in (overlays["answer_en"].note or "")


@pytest.mark.parametrize("change, where, words", [
    ({"cross_train": {"Bilingual": {"to": "English only", "count": 1}}}, "cross_train.Bilingual.to",
     "would lose 'spanish'"),
    ({"cross_train": {"English only": {"to": "Bilingual", "count": 9}}}, "cross_train.English only.count",
     "group 'English only' has fewer than 9 staff in some intervals"),
    ({"cross_train": {"English onyl": {"to": "Bilingual", "count": 1}}}, "cross_train.English onyl",
     "unknown group 'English onyl'; did you mean 'English only'?"),
    ({"extra_staff": {"Bilinguel": 1}}, "extra_staff.Bilinguel", "unknown role or group 'Bilinguel'; did you mean 'Bilingual'?"),
    ({"add_groups": [{"name": "Bilingual", "skills": ["english"], "staffing": 1}]}, "add_groups[0].name",
     "group 'Bilingual' exists already"),
])
def test_group_changes_that_cannot_be_made_are_located(change: dict[str, Any], where: str, words: str) -> None:
    bp = blueprint.load("examples/bilingual_hotline.yaml")
    with pytest.raises(ScenarioError) as e:
        Scenario.model_validate({"name": "bad", **change}).apply(bp)
    assert f"{where}: " in str(e.value) and words in str(e.value), str(e.value)


def test_staffing_extra_staff_and_fields_of_groups() -> None:
    bp = blueprint.load("examples/bilingual_hotline.yaml")
    sc = Scenario("groups", staffing={"Spanish only": 3}, extra_staff={"Bilingual": 1},
                  groups={"English only": {"cost_per_hour": 27}},
                  add_groups=[{"name": "Night", "skills": ["english", "spanish"], "staffing": 1}])
    new = sc.apply(bp)
    assert new.get_group("Spanish only").staffing.headcount == 3
    assert new.get_group("Bilingual").staffing.profile.values == [x + 1 for x in bp.get_group("Bilingual").staffing.profile.values]
    assert new.get_group("English only").cost_per_hour == 27
    assert [g.name for g in new.groups_with("english")] == ["English only", "Bilingual", "Night"]
    # a change that breaks a route is reported where the blueprint says it, in the blueprint's file
    with pytest.raises(ScenarioError, match=r"bilingual_hotline.yaml:\d+: steps\[3\]\.route\.groups\[1\]: group 'Bilingual' "
                                            r"does not have skill 'spanish'"):
        Scenario("x", groups={"Bilingual": {"skills": ["english"]}}).apply(bp)


def test_the_hotline_scenarios_compare_on_the_same_customers() -> None:
    bp = blueprint.load("examples/bilingual_hotline.yaml")
    scenarios = load_scenarios("examples/bilingual_hotline.scenarios.yaml", blueprint=bp)
    assert [s.name for s in scenarios][:2] == ["train one agent in Spanish", "train two agents in Spanish"]
    c = simulate.compare(bp, scenarios[:1], replications=4, days=0.5, seed=2026, progress=False)
    d = c.differences().loc["train one agent in Spanish"]
    assert d.loc["spanish: service level", "mean"] > d.loc["spanish: service level", "baseline_mean"]
    # the trained agent's hours from 08:00 to noon (half a day) cost 30 instead of 26 an hour
    assert d.loc["staff cost", "mean"] - d.loc["staff cost", "baseline_mean"] == pytest.approx(4 * (30 - 26), abs=1e-9)


def test_no_scenario_may_take_the_unchanged_blueprints_name(tmp_path: Path) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="'baseline' is the name of the blueprint unchanged"):
        Scenario(name="baseline", volume=1.1)  # it would replace the blueprint in a comparison without a word
    path = tmp_path / "s.yaml"
    path.write_text("scenarios:\n  - {name: baseline, volume: 1.1}\n")
    with pytest.raises(BlueprintFileError, match=r"s.yaml:2: scenarios\[0\].name: 'baseline' is the name"):
        load_scenarios(path)


def test_scenarios_written_for_another_blueprint_are_refused(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent / "examples"
    path = tmp_path / "s.yaml"
    path.write_text(f"blueprint: {root / 'coffee_shop.yaml'}\nscenarios:\n  - {{name: busier, volume: 1.2}}\n")
    with pytest.raises(BlueprintFileError, match=r"s.yaml:1: blueprint: the scenarios are for the blueprint .*coffee_shop.yaml, "
                                                 r"not .*contact_center.yaml"):
        load_scenarios(path, blueprint=root / "contact_center.yaml")  # they were applied to it without a word
    assert [s.name for s in load_scenarios(path, blueprint=root / "coffee_shop.yaml")] == ["busier"]
    with pytest.raises(BlueprintFileError, match="the scenarios are for the blueprint"):
        simulate.compare(root / "contact_center.yaml", path, replications=2, seed=1)  # the same from compare()
    # a Blueprint loaded from a file knows it; one built in Python is taken as given
    with pytest.raises(BlueprintFileError, match="the scenarios are for the blueprint"):
        load_scenarios(path, blueprint=blueprint.load(root / "contact_center.yaml"))
    assert [s.name for s in load_scenarios(path, blueprint=blueprint.load(root / "coffee_shop.yaml"))] == ["busier"]
    built = blueprint.Blueprint("Built here")
    built.arrive(built.customer("Order"), rate="10 per h")
    assert [s.name for s in load_scenarios(path, blueprint=built)] == ["busier"]


def test_a_scenario_that_breaks_the_blueprint_reports_its_errors_not_its_warnings(bp: blueprint.Blueprint) -> None:
    """Removing the specialists' step leaves their role unused (a warning) and the ticket step unreachable (an error): only
    the error stops the scenario, and warnings are not listed as errors."""
    with pytest.raises(ScenarioError) as e:
        Scenario("gone", remove_steps=["specialist"]).apply(bp)
    assert e.value.items and all(p.severity == "error" for _, p in e.value.items)


def test_removing_a_step_still_named_in_the_blueprint_points_at_the_removal(tmp_path: Path, bp: blueprint.Blueprint) -> None:
    """The callers arrive at step 'call' and a fail point recovers there: the scenario that removes it is told so at its
    remove_steps entry, with where the blueprint names the step (it pointed into the blueprint file, which is fine)."""
    p = write(tmp_path, """
        scenarios:
          - name: no ivr
            remove_steps: [survey, call]
        """)
    with pytest.raises(ScenarioError) as e:
        load_scenarios(p, blueprint=bp)
    lines = str(e.value).splitlines()
    assert lines and all(line.startswith(f"scenario 'no ivr': {p}:3: remove_steps[1]: step 'call' is removed, but ")
                         for line in lines), lines
    assert f"arrivals[0].step ({EXAMPLE}:47) still names it" in lines[0]
    assert any("fail_point.recovery" in line for line in lines)
    moved = Scenario("ivr elsewhere", remove_steps=["call"], add_steps=[blueprint.Step(id="call2", label="Call", lane="customer")],
                     add_flows=[blueprint.Flow(source="call2", target="self_service")], arrivals={"callers": {"step": "call2"}})
    with pytest.raises(ScenarioError) as e:  # the arrivals moved; the recovery still names it
        moved.apply(bp)
    assert [p.path for _, p in e.value.items] == ["remove_steps[0]"] and "fail_point.recovery" in str(e.value)


def test_extra_staff_for_a_name_several_shifts_share_asks_which(bp: blueprint.Blueprint) -> None:
    """A plan written by the optimiser names each shift after its template: 'early' may be three shifts. Adding one
    'early' agent added one to each; now the scenario asks for one shift by its start time, which works."""
    shifts = [blueprint.Shift(name="early", start=t, length="8 h", count=2) for t in ("07:00", "07:15")]
    shifts.append(blueprint.Shift(name="late", start="12:30", length="8.5 h", count=4))
    planned = Scenario("planned", staffing={"first_line": blueprint.Staffing(shifts=shifts)}).apply(bp)
    with pytest.raises(ScenarioError) as e:
        Scenario("one more early", extra_staff={"first_line": {"early": 1}}).apply(planned)
    assert [p.message for _, p in e.value.items] == [
        "'early' names 2 shifts of role 'first_line' (starting 07:00, 07:15); name one by its start time, "
        "e.g. {first_line: {'07:15': 1}}"]
    one = Scenario("one more at 07:15", extra_staff={"first_line": {"07:15": 1}}).apply(planned)
    assert [s.count for s in one.role("first_line").staffing.shifts] == [2, 3, 4]
