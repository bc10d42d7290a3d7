"""Staffing with skills-based routing: requirements, shift plans and the closed loop per staff group.

The references are today's planner for roles: one group with one skill is one role, one group with
every skill is one role taking every call type, groups with disjoint skills are roles apart. Those
must give the same requirement, and (the engine gives the same customers the same service) the same
plan. The hotline's plan, with a group kept as declared, is checked on seeds the optimiser never used.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import blueprint
import simulate
from simulate.staffing.groups import first_choice, planned_groups

pytestmark = pytest.mark.xdist_group("group_staffing")

TARGET = {"service_level": 0.8, "within": "60 s", "max_abandon": 0.05}
PROFILES = {"a": [40, 60, 70, 55, 45, 35], "b": [15, 20, 25, 25, 20, 10]}
TEMPLATES: dict[str, Any] = {"templates": [
    {"name": "long", "earliest_start": "08:00", "latest_start": "10:00", "start_step": "30 min", "length": "4 h",
     "cost_per_hour": 25},
    {"name": "short", "earliest_start": "08:00", "latest_start": "12:00", "start_step": "30 min", "length": "2 h",
     "cost_per_hour": 27},
]}


def centre(kind: str) -> blueprint.Blueprint:
    """Two call types from 08:00 to 14:00; ``kind`` says who answers them: ``roles`` (a role per type),
    ``one role`` (one role for both), ``one group`` (a group with both skills), ``disjoint`` (a group per
    skill)."""
    bp = blueprint.Blueprint(f"Two call types ({kind})")
    for skill, values in PROFILES.items():
        role = "agent" if kind == "one role" else skill
        step = bp.onstage(f"Call {skill}", role=role, duration="exp(4 min)")
        bp.arrive(step, name=f"callers_{skill}", patience="exp(3 min)",
                  profile={"interval": "1 h", "start": "08:00", "values": values})
    if kind == "one role":
        bp.role("agent", staffing=8, target=TARGET, cost_per_hour=25)
        return bp
    for skill in PROFILES:
        bp.role(skill, staffing=None if kind in ("one group", "disjoint", "n-design") else 5, target=TARGET, cost_per_hour=25)
    if kind == "one group":
        bp.group("all", skills=["a", "b"], staffing=8, cost_per_hour=25)
    elif kind == "disjoint":
        bp.group("A team", skills=["a"], staffing=5, cost_per_hour=25)
        bp.group("B team", skills=["b"], staffing=3, cost_per_hour=25)
    elif kind == "n-design":  # the B team takes type-a calls when no type-b call waits
        bp.group("A team", skills=["a"], staffing=5, cost_per_hour=25)
        bp.group("B team", skills=["b", "a"], staffing=3, cost_per_hour=25)
        bp.routing = blueprint.Routing(call="skill_order")
    return bp


def required(req: simulate.Requirements, unit: str) -> list[int]:
    return [int(v) for v in req.xs(unit, level="role")["required"]]


@pytest.mark.parametrize("method", ["sipp", "lag-sipp"])
def test_formulas_plan_one_cross_trained_group_as_one_role_and_disjoint_groups_as_roles(method: str) -> None:
    one = simulate.requirements(centre("one group"), method=method)
    assert one.settings["groups"] == {"all": ["a", "b"]}
    assert set(one.settings["targets"]) == {"a", "b"}
    assert required(one, "all") == required(simulate.requirements(centre("one role"), method=method), "agent")
    apart = simulate.requirements(centre("disjoint"), method=method)
    roles = simulate.requirements(centre("roles"), method=method)
    assert required(apart, "A team") == required(roles, "a")
    assert required(apart, "B team") == required(roles, "b")
    assert sum(required(apart, "A team")) + sum(required(apart, "B team")) > sum(required(one, "all"))  # pooling


def test_a_group_is_planned_for_its_first_choice_skills_with_its_time_factor() -> None:
    bp = centre("disjoint")
    bp.groups[1] = bp.groups[1].model_copy(update={"skills": {"b": 0.5}})
    req = simulate.requirements(bp)
    plain = simulate.requirements(centre("disjoint"))
    b, b_plain = req.xs("B team", level="role"), plain.xs("B team", level="role")
    busy = b_plain["arrival_rate"] > 0
    assert np.allclose(b["handle_time"][busy], 0.5 * b_plain["handle_time"][busy])
    assert (b["required"] <= b_plain["required"]).all() and (b["required"] < b_plain["required"]).any()


def test_first_choice_follows_the_route_then_the_declared_order() -> None:
    bp = blueprint.load("examples/bilingual_hotline.yaml")
    assert first_choice(bp) == {"english": "English only", "spanish": "Spanish only"}
    bp.steps[3].route = blueprint.Route(groups=["Bilingual", "Spanish only"])  # answer_es
    assert first_choice(bp)["spanish"] == "Bilingual"
    assert planned_groups(bp) == {"English only": ["english"], "Bilingual": ["spanish"]}
    bp.steps[3].route = None
    assert first_choice(bp)["spanish"] == "Spanish only"  # declared before Bilingual


def test_the_simulation_method_staffs_disjoint_groups_as_roles() -> None:
    """The same customers, the same first iteration (nobody waits); then a group's load counts a caller who gave
    up at the group's mean time per call where a role counts their own sampled time: a member at most apart."""
    kw: dict[str, Any] = {"method": "simulation", "replications": 10, "seed": 5}
    apart = simulate.requirements(centre("disjoint"), **kw)
    roles = simulate.requirements(centre("roles"), **kw)
    assert apart.settings["history"][0]["A team"] == roles.settings["history"][0]["a"]
    for g, r in (("A team", "a"), ("B team", "b")):
        mine, theirs = np.array(required(apart, g)), np.array(required(roles, r))
        assert np.abs(mine - theirs).max() <= 1
        assert abs(int(mine.sum()) - int(theirs.sum())) <= 0.03 * theirs.sum()
    assert apart.settings["converged"]
    sim = apart.xs("A team", level="role")
    assert (sim.loc[sim["required"] > 0, "sim_occupancy"] > 0.3).all()


def test_the_simulation_method_counts_what_a_group_takes_by_overflow() -> None:
    """A group kept as declared (second choice) takes overflow: the first-choice group needs less than alone."""
    bp = centre("disjoint")
    alone = simulate.requirements(bp, method="simulation", replications=6, seed=2)
    bp.group("Backup", skills=["a"], staffing=3, cost_per_hour=30)
    bp.steps[0].route = blueprint.Route(groups=["A team", "Backup"])
    helped = simulate.requirements(bp, method="simulation", replications=6, seed=2)
    assert "Backup" not in set(helped.index.get_level_values("role"))
    assert sum(required(helped, "A team")) < sum(required(alone, "A team"))


def plan(kind: str, **kw: Any) -> simulate.StaffingPlan:
    return simulate.optimize_staffing(centre(kind), templates=TEMPLATES, seed=7, replications=10, max_replications=40,
                                      verify=False, **kw)


def test_the_closed_loop_plans_one_cross_trained_group_as_one_role() -> None:
    group, role = plan("one group"), plan("one role")
    assert group.judged == {"all": ["a", "b"]} and set(group.targets) == {"a", "b"}
    assert group.plans["all"].coverage["on_duty"].tolist() == role.plans["agent"].coverage["on_duty"].tolist()
    assert group.cost == pytest.approx(role.cost)


def test_the_closed_loop_plans_disjoint_groups_as_roles() -> None:
    groups, roles = plan("disjoint"), plan("roles")
    for g, r in (("A team", "a"), ("B team", "b")):
        assert groups.plans[g].coverage["on_duty"].tolist() == roles.plans[r].coverage["on_duty"].tolist()
    assert groups.cost == pytest.approx(roles.cost)
    assert list(groups.summary()["skill"]) == ["a", "b"]


def test_the_closed_loop_plans_an_n_design_and_it_holds_on_held_out_seeds() -> None:
    """Both groups planned, each judged by its first-choice skill; a change in one group's staff that hurts the
    other's skill raises that group's floor, so the give-back never proposes a refused change twice."""
    p = simulate.optimize_staffing(centre("n-design"), templates=TEMPLATES, seed=11, replications=20, max_replications=80)
    assert p.judged == {"A team": ["a"], "B team": ["b"]} and p.kept == []
    assert p.verification is not None and p.verification.meets_target, p.verification.describe()
    refused = [r for r in p.rounds if r["phase"] == "give back" and not r["accepted"] and "failed" in r]
    assert len({json.dumps(r["required"]) for r in refused}) == len(refused)
    check = simulate.verify(p, level="hour", seed=99, replications=40, max_replications=160)
    assert check.meets_target, check.describe()


@pytest.fixture(scope="module")
def hotline_plan() -> simulate.StaffingPlan:
    return simulate.optimize_staffing(blueprint.load("examples/bilingual_hotline.yaml"),
                                      templates="examples/bilingual_hotline.shifts.yaml", seed=3)


def test_the_hotline_plan_keeps_the_bilingual_group_and_meets_the_target_on_held_out_seeds(
        hotline_plan: simulate.StaffingPlan) -> None:
    p = hotline_plan
    assert list(p.plans) == ["English only", "Spanish only"] and p.kept == ["Bilingual"]
    assert p.verification is not None and p.verification.meets_target
    # another seed the optimiser never used, per hour
    check = simulate.verify(p, level="hour", seed=20261204, replications=40, max_replications=160)
    assert check.meets_target, check.describe()
    assert set(check.table["role"]) == {"english", "spanish"}
    # the kept group's cost is part of the plan's, as simulated
    bilingual = float(np.mean([rep.role_totals["Bilingual"].cost for rep in p.results.replications]))
    assert p.cost == pytest.approx(sum(pl.cost for pl in p.plans.values()) + bilingual)
    assert p.paid_hours == pytest.approx(sum(pl.paid_hours for pl in p.plans.values()) + 20.0)  # 2 agents, 08:00-18:00
    summary = p.summary()
    assert summary.loc["Bilingual", "skill"] == "kept as declared"
    assert summary.loc["Spanish only", "skill"] == "spanish"
    assert "e+" not in p._repr_html_()  # the held-out seed whole, the kept group's empty cells empty
    assert p.verification is not None
    assert int(summary.loc["Spanish only", "held-out seed"]) == p.verification.seed  # every digit, in the table too
    assert str(p.verification.seed) in p._repr_html_()
    from blueprint.numbers import fmt
    assert fmt(summary.loc["Bilingual", "shifts"]) == "–"  # a kept group has no shifts: shown as missing
    assert p.plans["English only"].to_staffing() == p.blueprint.get_group("English only").staffing


def test_the_hotline_plan_is_cheaper_than_the_formulas_alone(hotline_plan: simulate.StaffingPlan) -> None:
    """The loop gives back what the bilingual agents make spare: below the lag-SIPP plan it starts from."""
    first = hotline_plan.rounds[0]
    assert hotline_plan.rounds[-1]["cost"] <= first["cost"]
    assert sum(pl.cost for pl in hotline_plan.plans.values()) < first["cost"]


def test_the_staff_command_plans_groups_and_writes_the_blueprint(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from simulate.cli import app

    out = tmp_path / "staffed.yaml"
    result = CliRunner().invoke(app, ["staff", "examples/bilingual_hotline.yaml", "-t", "examples/bilingual_hotline.shifts.yaml",
                                      "--seed", "3", "--json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert set(found["plans"]) == {"English only", "Spanish only"} and found["meets_target"] is True
    figures = json.dumps(found["before_after"]["new_plan"])
    assert "spanish" in figures and "Bilingual" in figures  # skills judged; the kept group's hours shown
    staffed = blueprint.load(out)
    declared = blueprint.load("examples/bilingual_hotline.yaml")
    assert staffed.get_group("Bilingual").staffing == declared.get_group("Bilingual").staffing
    assert staffed.get_group("Spanish only").staffing != declared.get_group("Spanish only").staffing
    # the requirement table alone: a row per planned group
    req = CliRunner().invoke(app, ["staff", "examples/bilingual_hotline.yaml", "--csv"])
    assert req.exit_code == 0, req.output
    assert {r.split(",")[0] for r in req.stdout.splitlines()[1:]} == {"English only", "Spanish only"}


def chats(kind: str) -> blueprint.Blueprint:
    """Chats from 08:00 to 12:00, each member taking 3 at once: a role (``role``) or a group (``group``)."""
    bp = blueprint.Blueprint(f"Chats ({kind})")
    step = bp.onstage("Chat", role="chat", duration="exp(6 min)")
    bp.arrive(step, profile={"interval": "1 h", "start": "08:00", "values": [30, 60, 90, 60]}, patience="exp(2 min)")
    target = {"service_level": 0.8, "within": "30 s", "max_abandon": 0.05}
    if kind == "group":
        bp.role("chat", target=target)
        bp.group("Chat team", skills=["chat"], staffing=3, concurrency=3, cost_per_hour=25)
        bp.routing = blueprint.Routing(agent="fixed_order")  # the role's rule for a new chat: fewest in hand, first in line
    else:
        bp.role("chat", staffing=3, concurrency=3, target=target, cost_per_hour=25)
    return bp


def test_a_member_who_takes_three_chats_is_three_servers_to_the_formulas() -> None:
    req = simulate.requirements(chats("role"), shrinkage=0.2)
    part = req.xs("chat", level="role")
    lam = part["arrival_rate"].to_numpy() / 3600
    servers = simulate.agents_for(lam, 360.0, target_service_level=0.8, within=30, max_abandon=0.05, patience=120)
    assert part["required"].tolist() == np.ceil(np.asarray(servers) / 3).astype(int).tolist()
    assert part["scheduled"].tolist() == np.ceil(part["required"].to_numpy() / 0.8 - 1e-9).astype(int).tolist()
    at = simulate.erlang_a(lam[40], 360.0, patience=120, agents=3 * int(part["required"].iloc[40]))
    assert part["service_level"].iloc[40] == pytest.approx(at.service_level(30))
    group = simulate.requirements(chats("group"), shrinkage=0.2)
    assert required(group, "Chat team") == required(req, "chat")


def test_the_closed_loop_plans_a_chat_group_as_a_chat_role() -> None:
    kw: dict[str, Any] = {"templates": TEMPLATES, "seed": 5, "replications": 10, "max_replications": 40}
    group, role = simulate.optimize_staffing(chats("group"), **kw), simulate.optimize_staffing(chats("role"), **kw)
    assert group.plans["Chat team"].coverage["on_duty"].tolist() == role.plans["chat"].coverage["on_duty"].tolist()
    assert group.meets_target and role.meets_target
    assert int(role.plans["chat"].coverage["on_duty"].max()) <= 5  # 90 chats an hour of 6 min: 9 Erlangs on 3-chat members
