"""Whole-blueprint validation: everything reported at once, located, errors apart from warnings."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import blueprint
from blueprint import Blueprint, BlueprintValidationError


def messages(bp: Blueprint) -> list[tuple[str, str, str]]:
    return [(p.severity, p.path, p.message) for p in bp.validate()]


def parallel_blueprint(join_from: str = "split") -> Blueprint:
    bp = Blueprint("Parallel")
    start = bp.customer("Start")
    lab = bp.backstage("Lab test", role="lab", duration="exp(20 min)")
    pharmacy = bp.backstage("Prepare medicine", role="pharmacy", duration="exp(10 min)")
    done = bp.customer("Collect results", join=join_from)
    bp.split(start, [lab, pharmacy])
    lab >> done
    pharmacy >> done
    bp.role("lab", staffing=2)
    bp.role("pharmacy", staffing=1)
    bp.arrive(start, rate="6 per h")
    return bp


def test_parallel_split_and_join_are_valid() -> None:
    bp = parallel_blueprint(join_from="start")
    assert bp.validate().problems == []
    assert blueprint.graph.splits(bp) == {"start": ["lab_test", "prepare_medicine"]}


def test_join_without_its_split() -> None:
    bp = parallel_blueprint(join_from="lab_test")
    assert messages(bp) == [
        ("error", "steps[3].join", "step 'collect_results' joins 'lab_test', which starts no parallel work (no parallel flows leave it)"),
        ("warning", "steps[0]", "parallel work from 'start' is never joined; the journey ends when all 2 branches have ended"),
    ]


def test_branch_that_never_reaches_its_join() -> None:
    bp = parallel_blueprint(join_from="start")
    bp.flows[-1] = blueprint.Flow(source="prepare_medicine", target="elsewhere")
    bp.customer("Elsewhere")
    assert ("error", "steps[3].join", "the parallel branch start -> prepare_medicine never reaches its join 'collect_results'") in messages(bp)


def test_mixing_parallel_flows_and_branches() -> None:
    bp = parallel_blueprint(join_from="start")
    bp.flow("start", "collect_results", probability=0.5)
    assert ("error", "flows[4]", "step 'start' has both parallel flows and branches; put the branches after the parallel work") in messages(bp)


def test_every_problem_at_once_with_lines(tmp_path) -> None:
    text = textwrap.dedent(
        """\
        name: Many mistakes
        roles:
          - name: barista
            staffing: 2
          - name: cashier
            staffing: 1
        arrivals:
          - step: order
            rate: 30 per h
        steps:
          - {id: order, label: Order, lane: customer}
          - {id: pay, label: Pay, lane: onstage, role: cashier2}
          - {id: make, label: Make, lane: backstage}
          - {id: limbo, label: Limbo, lane: customer}
        flows:
          - {from: order, to: pay}
          - {from: pay, to: make, probability: 0.7}
          - {from: pay, to: limbo, probability: 0.2}
          - {from: make, to: mkae}
        """
    )
    path = tmp_path / "many.yaml"
    path.write_text(text)
    report = blueprint.load(path).validate()
    got = [str(p) for p in report]
    f = str(path)
    assert got == [
        f"{f}:19: flows[3].to: unknown step 'mkae'; did you mean 'make'?",
        f"{f}:12: steps[1].role: unknown role 'cashier2'; did you mean 'cashier'?",
        f"{f}:13: steps[2].role: backstage step 'make' needs a role: the staff whose time it takes",
        f"{f}:17: flows[1].probability: branch probabilities leaving 'pay' add up to 0.9, not 1",
        f"{f}:3: warning: roles[0]: role 'barista' is not used by any step",
        f"{f}:5: warning: roles[1]: role 'cashier' is not used by any step",
    ]
    # the broken reference 'mkae' hides the journey checks until it is fixed
    assert report.summary() == "4 errors, 2 warnings"
    with pytest.raises(BlueprintValidationError) as info:
        blueprint.load(path, check=True)
    assert len(info.value.problems) == 6
    assert str(info.value).splitlines()[0] == got[0]


def test_trapped_loop_reported_once_at_the_flow_that_closes_it() -> None:
    bp = Blueprint("Loop")
    a, b, c = bp.customer("a"), bp.customer("b"), bp.customer("c")
    a >> b >> c >> b
    bp.arrive(a, rate="1 per h")
    # 'a' only leads into the loop: the loop is the one mistake
    assert messages(bp) == [("error", "flows[2]", "loop b → c → b has no way out ('c' leads only back to 'b': the journey has no end)")]


def test_a_journey_sent_back_to_its_start_is_blamed_not_a_rework_inside_it() -> None:
    """With its last step sent back to the first, a journey has no end: the flow back to the start is the mistake,
    not the rework loop (drawn first) inside it."""
    bp = Blueprint("Round and round")
    order, make, check, leave = bp.customer("order"), bp.customer("make"), bp.customer("check"), bp.customer("leave")
    order >> make >> check
    bp.flow(check, make, kind="rework", probability=0.1)
    bp.flow(check, leave, probability=0.9)
    bp.flow(leave, order)
    bp.arrive(order, rate="1 per h")
    assert messages(bp) == [("error", "flows[4]", "loop order → make → check → leave → order has no way out ('leave' leads "
                                                  "only back to 'order': the journey has no end)")]


def test_no_exit_and_loop_checks_wait_for_broken_references() -> None:
    bp = Blueprint("Typo")
    a, b = bp.customer("a"), bp.customer("b")
    a >> b
    bp.flow(b, "cc")
    bp.arrive(a, rate="1 per h")
    assert messages(bp) == [("error", "flows[1].to", "unknown step 'cc'; known: a, b")]


def test_retry_needs_a_queue_and_does_not_count_as_a_branch() -> None:
    bp = Blueprint("Retry")
    call = bp.customer("Call")
    answer = bp.onstage("Answer", role="agent", duration="exp(4 min)")
    done = bp.customer("Done")
    call >> answer >> done
    bp.flow(answer, call, kind="retry", probability=0.4, delay="exp(10 min)")
    bp.role("agent", staffing=3)
    bp.arrive(call, rate="30 per h", patience="exp(2 min)")
    assert bp.validate().problems == []
    bp.flow(call, answer, kind="retry", probability=0.1)
    assert ("warning", "flows[3]", "retry flow from 'call': customers abandon only while waiting for staff, and 'call' has no role") in messages(bp)


def test_zero_staffing_is_an_error_only_when_customers_arrive() -> None:
    bp = Blueprint("Zero")
    a = bp.customer("Ask")
    b = bp.onstage("Answer", role="agent")
    a >> b
    bp.role("agent", staffing=0)
    zero = ("error", "roles[0].staffing", "role 'agent' never has anyone on duty but step 'answer' receives customers")
    assert zero not in messages(bp)
    bp.arrive(a, rate="10 per h")
    assert zero in messages(bp)
    bp.roles[0].staffing = None
    assert messages(bp)[0][2] == "role 'agent' has no staffing but step 'answer' receives customers; give a headcount, a profile or shifts"
    second = bp.onstage("Follow up", role="agent")
    b >> second
    assert messages(bp)[0][2].startswith("role 'agent' has no staffing but steps 'answer', 'follow_up' receive customers")


def test_no_arrivals_is_a_warning_and_reachability_is_skipped() -> None:
    bp = Blueprint("Draft")
    a, b = bp.customer("a"), bp.customer("b")
    a >> b
    assert messages(bp) == [("warning", "arrivals", "no arrivals: nothing enters this blueprint, so it can be drawn but not simulated")]


def test_report_raise_and_bool() -> None:
    bp = Blueprint("Bad")
    bp.onstage("x")
    report = bp.validate()
    assert not report and not report.ok and len(report.errors) == 1
    with pytest.raises(BlueprintValidationError):
        bp.check()
    with pytest.raises(blueprint.BlueprintError):
        report.raise_for_errors()


def test_a_fail_point_certain_to_fail_back_into_itself_is_a_loop_with_no_way_out() -> None:
    """A fail point with probability 1 fails every visit: its step's own flows are never taken, only its
    recovery. Recovering into the step itself (or upstream of it) leaves no way out; the error names the
    fail point. Recovering downstream, or losing the customer (no recovery), is a way out."""
    def desk(probability: float, recovery: str | None) -> Blueprint:
        bp = Blueprint("Desk")
        ask = bp.customer("Ask")
        serve = bp.onstage("Serve", role="clerk", duration="3 min",
                           fail_point={"probability": probability, **({"recovery": recovery} if recovery else {})})
        fix = bp.backstage("Fix", role="clerk", duration="5 min")
        done = bp.customer("Done")
        ask >> serve >> fix >> done
        bp.role("clerk", staffing=2)
        bp.arrive(ask, rate="10 per h")
        return bp

    for back in ("serve", "ask"):
        got = messages(desk(1.0, back))
        assert len(got) == 1 and got[0][:2] == ("error", "steps[1].fail_point.probability"), got
        assert "has no way out" in got[0][2] and "every visit of 'serve' fails" in got[0][2]
    assert messages(desk(1.0, "done")) == []
    assert messages(desk(1.0, None)) == []  # every customer lost there: an end, if a sad one
    # a way out one visit in a hundred: no error (the load of a hundred visits each is a warning)
    assert [m for m in messages(desk(0.99, "serve")) if m[0] == "error"] == []
    # and the simulator is never asked: the run refuses the blueprint with the validator's message
    import simulate

    with pytest.raises(BlueprintValidationError, match="every visit of 'serve' fails"):
        simulate.run(desk(1.0, "serve"), days=0.1, replications=1, progress=False)


def test_a_profile_of_no_values_is_refused_and_one_of_zeros_warned_about() -> None:
    text = Path("examples/coffee_shop.yaml").read_text()
    start = text.index("values:", text.index("arrivals:"))
    end = text.index("]", start) + 1
    with pytest.raises(blueprint.BlueprintFileError, match=r"arrivals\[0\].profile.values: an empty list"):
        blueprint.loads(text[:start] + "values: []" + text[end:])
    zeros = blueprint.loads(text[:start] + "values: [0, 0, 0]" + text[end:]).validate()
    assert ("no-arrivals", "arrivals[0]") in [(p.code, p.path) for p in zeros.warnings]
    assert "every value of its profile is 0" in str(zeros)


def test_a_rate_so_small_that_nobody_arrives_is_warned_of() -> None:
    """1e-300 per hour passes every bound but is no one: warned of as the rate 0 is; one in a hundred days is not."""
    for rate, warned in (("1e-300 per h", True), ("0.0005 per day", True), ("0.01 per day", False)):
        bp = blueprint.Blueprint("Tiny")
        a = bp.customer("Ask")
        b = bp.onstage("Answer", role="r", duration="1 min")
        _ = a >> b
        bp.role("r", staffing=1)
        bp.arrive(a, rate=rate)
        found = [p.message for p in bp.validate().warnings if p.code == "no-arrivals"]
        assert bool(found) == warned and all("fewer than one in a thousand days" in m for m in found), (rate, found)


def test_a_blueprint_with_no_steps_is_warned_of() -> None:
    """A file with only a name validated with nothing but the arrivals warning, and drew an empty diagram."""
    report = blueprint.Blueprint("x").validate()
    assert report.ok and [(p.code, p.path) for p in report.warnings] == [("no-steps", "steps"), ("no-arrivals", "arrivals")]
    assert "list its steps under steps:" in report.warnings[0].message


def test_a_json_blueprint_may_start_with_a_byte_order_mark(tmp_path: Path) -> None:
    p = tmp_path / "bom.json"
    p.write_text('\ufeff{"name": "x", "steps": [{"id": "a", "label": "A", "lane": "customer"}]}', encoding="utf-8")
    assert [s.id for s in blueprint.load(p).steps] == ["a"]


def test_drawn_text_with_control_characters_or_direction_overrides_is_warned_of() -> None:
    """A bell in a label is drawn as a box; an unmatched U+202E turned the rest of a hover text around."""
    bp = blueprint.loads(
        'name: "Shop\\a"\n'
        "stages: [{name: \"Arrive\\u202e\", steps: [a, b]}]\n"
        "steps:\n"
        '  - {id: a, label: "Order\\x1b[31m and\\x00 pay", lane: customer, evidence: ["Till\\u202d and\\x07"]}\n'
        '  - {id: b, label: "Two lines\\nand\\ta tab", lane: customer}\n'
        "flows: [a -> b]\n"
    )
    found = {p.path: p.message for p in bp.validate().warnings if p.code == "control-character"}
    assert set(found) == {"name", "stages[0].name", "steps[0].label", "steps[0].evidence[0]"}  # not the line break or tab
    assert "(U+0000, U+001B)" in found["steps[0].label"] and "as \ufffd; remove them" in found["steps[0].label"]
    assert "(U+202E): a direction control changes the order in which the text after it is read; remove it" \
        in found["stages[0].name"]
    assert "as \ufffd and a direction control" in found["steps[0].evidence[0]"]
    for path in ("examples/coffee_shop.yaml", "examples/bilingual_hotline.yaml"):
        assert not [p for p in blueprint.load(path).validate().warnings if p.code == "control-character"]


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u2060", "\U000e0041", "\u200e", "\u200d"])
def test_a_label_of_invisible_characters_draws_as_nothing(invisible: str) -> None:
    """Graphviz measured 50 zero-width spaces as a line 400 points wide (the layout, rightly, as nothing): the box
    grew over the lane titles and the next step. A drawing leaves such characters out; validation warns of the
    zero-width ones, which also hide in hover texts and tables."""
    from blueprint.diagram.check import check_svg

    bp = blueprint.load("examples/coffee_shop.yaml")
    bp.steps[1].label = "Take" + invisible * 50 + " order"
    assert check_svg(bp.render().svg) == []
    warned = [p.message for p in bp.validate().warnings if p.code == "control-character" and p.path == "steps[1].label"]
    if invisible in "\u200b\ufeff\u2060\U000e0041":
        assert warned and "left out of a diagram" in warned[0]



def _parallel(pack_flows: str, fail: str = "") -> Blueprint:
    return blueprint.loads(f"""
name: Branches
roles: [{{name: clerk, staffing: 2}}]
arrivals: [{{step: order, rate: 10 per h}}]
steps:
  - {{id: order, label: Order, lane: customer}}
  - {{id: pack, label: Pack, lane: backstage, role: clerk, duration: 2 min{fail}}}
  - {{id: bill, label: Bill, lane: backstage, role: clerk, duration: 1 min}}
  - {{id: collect, label: Collect, lane: customer, join: order}}
  - {{id: leave, label: Leave, lane: customer}}
  - {{id: gone, label: Give up, lane: customer}}
flows: [{{from: order, to: pack, kind: parallel}}, {{from: order, to: bill, kind: parallel}},
        {{from: bill, to: collect}}, {{from: collect, to: leave}}, {pack_flows}]
""")


def test_a_parallel_branch_that_can_end_before_its_join_is_an_error() -> None:
    """The engine let such a customer both leave at the branch's end and go on from the join; a failure that
    never happens (probability 0) is no way out of the branch."""
    def never_joins(bp: Blueprint) -> list[str]:
        return [p.message for p in bp.validate().errors if p.code == "branch-never-joins"]

    assert never_joins(_parallel("{from: pack, to: collect}")) == []
    by_flow = never_joins(_parallel("{from: pack, to: collect, probability: 0.9}, {from: pack, to: gone, probability: 0.1}"))
    by_failure = never_joins(_parallel("{from: pack, to: collect}", ", fail_point: {probability: 0.1, recovery: gone}"))
    for found in (by_flow, by_failure):
        assert found == ["the parallel branch order -> pack can end at 'gone' without reaching its join 'collect': the "
                         "customer would both leave there and go on from the join; lead every way of the branch to the join"]
    assert never_joins(_parallel("{from: pack, to: collect}", ", fail_point: {probability: 0, recovery: gone}")) == []
    # a failure with no recovery ends the journey, failed, however likely: not a way out of the branch
    for p in ("0.1", "1"):
        assert never_joins(_parallel("{from: pack, to: collect}", f", fail_point: {{probability: {p}}}")) == []
