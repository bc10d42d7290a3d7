"""Skills-based routing against queueing theory, against today's single pool, and its located errors.

Theory checks follow ``test_simulation_theory.py``: a value computed independently
(``tests/queueing.py``) must lie in the 99.9% t-interval of the per-replication
estimates; seeds are fixed.
"""

from __future__ import annotations

import concurrent.futures
import math
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import blueprint
import simulate

try:
    from tests.queueing import ErlangA, MMc, erlang_b
    from tests.test_simulation_theory import after, area, assert_covers, check_conservation, check_little, window
except ImportError:  # tests/ on sys.path as a plain folder
    from queueing import ErlangA, MMc, erlang_b  # type: ignore[no-redef]
    from test_simulation_theory import (  # type: ignore[no-redef]
        after,
        area,
        assert_covers,
        check_conservation,
        check_little,
        window,
    )

pytestmark = pytest.mark.xdist_group("routing")


@pytest.fixture(scope="module")
def pool() -> Iterator[Any]:
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as ex:
        yield ex


def two_types(rate_a: str, rate_b: str, service: str = "exp(30 s)", patience: str | None = None,
              within: str = "20 s") -> blueprint.Blueprint:
    """Two call types (skills ``a`` and ``b``), each a staffed step whose wait point counts P(wait = 0)."""
    bp = blueprint.Blueprint("Two call types")
    extra = {"patience": patience} if patience else {}
    for skill, rate in (("a", rate_a), ("b", rate_b)):
        step = bp.onstage(f"Call {skill}", role=skill, duration=service, wait_point={"tolerance": "0 s"})
        bp.role(skill, target={"service_level": 0.8, "within": within})
        bp.arrive(step, rate=rate, name=f"callers_{skill}", **extra)
    return bp


def run(bp: blueprint.Blueprint, pool: Any, **kw: Any) -> simulate.Results:
    results = simulate.run(bp, executor=pool, progress=False, **kw)
    check_conservation(results)
    check_little(results)
    return results


# -- the model and its errors -----------------------------------------------------------------------------------


def test_yaml_forms_of_skills_and_routes() -> None:
    bp = blueprint.loads("""
name: Hotline
roles: [{name: english}, {name: spanish}]
groups:
  - {name: bilingual, skills: {spanish: 1, english: 1.25}, staffing: 2, cost_per_hour: 32}
  - {name: english only, skills: [english], staffing: 4}
routing: {agent: fixed_order, call: skill_order, patience: per_queue}
steps:
  - {id: en, label: English call, lane: onstage, role: english, duration: exp(5 min)}
  - {id: es, label: Spanish call, lane: onstage, role: spanish, duration: exp(5 min),
     route: {groups: [bilingual, english only], overflow_after: 30 s}}
arrivals: [{name: en, step: en, rate: 20 per h}]
""", format="yaml")
    assert bp.get_group("bilingual").skills == {"spanish": 1.0, "english": 1.25}
    assert bp.get_group("english only").time_factor("english") == 1.0
    assert bp.routing.agent.value == "fixed_order" and bp.routing.patience.value == "per_queue"
    assert bp.step("es").route.overflow_after.seconds == 30.0
    assert [g.name for g in bp.groups_with("english")] == ["bilingual", "english only"]
    assert bp.routed("english") and not bp.routed("nobody")
    problems = {p.code: p for p in bp.validate().errors}
    assert "group-lacks-skill" in problems  # english only cannot take Spanish calls
    assert problems["group-lacks-skill"].path == "steps[1].route.groups[1]"
    again = blueprint.loads(blueprint.dumps(bp, format="yaml"), format="yaml")
    assert again == bp


@pytest.mark.parametrize("change, code, path, words", [
    (lambda d: d["groups"][0]["skills"].append("franch"), "unknown-role", "groups[0].skills.franch",
     "unknown role 'franch'; did you mean 'french'?"),
    (lambda d: d["groups"].append({"name": "idle", "skills": ["german"], "staffing": 1}) or d["roles"].append(
        {"name": "german"}), "group-serves-nothing", "groups[1].skills", "group 'idle' can serve nothing"),
    (lambda d: d["roles"][0].update(staffing=3), "routed-role-staffing", "roles[0].staffing",
     "its staff are theirs"),
    (lambda d: d["groups"][0].update(name="french"), "duplicate-id", "groups[0].name", "the name of a role"),
    (lambda d: d["groups"][0].pop("staffing"), "zero-staffing", "groups[0]", "has no staffing"),
    (lambda d: d["steps"][0].update(route={"groups": ["nobody"]}), "unknown-group", "steps[0].route.groups[0]",
     "unknown group 'nobody'; known: all"),
])
def test_routing_errors_are_located(change: Any, code: str, path: str, words: str) -> None:
    data: dict[str, Any] = {
        "name": "x", "roles": [{"name": "french"}],
        "groups": [{"name": "all", "skills": ["french"], "staffing": 2}],
        "steps": [{"id": "fr", "label": "French call", "lane": "onstage", "role": "french", "duration": "1 min"}],
        "arrivals": [{"step": "fr", "rate": "10 per h"}],
    }
    assert blueprint.Blueprint.model_validate(data).validate().ok
    change(data)
    report = blueprint.Blueprint.model_validate(data).validate()
    found = [p for p in report.errors if p.code == code]
    assert found, report
    assert found[0].path == path and words in found[0].message, found[0]


def test_a_route_on_a_step_whose_role_no_group_has_is_an_error() -> None:
    bp = two_types("1 per min", "1 per min")
    bp.get_role("b").staffing = blueprint.Staffing(headcount=2)
    bp.group("ga", skills=["a"], staffing=2)
    bp.steps[1].route = blueprint.Route(groups=["ga"])
    (p,) = [p for p in bp.validate().errors if p.code == "route-without-groups"]
    assert p.path == "steps[1].route" and "which no group has" in p.message


def test_overflow_needs_two_groups() -> None:
    with pytest.raises(ValueError, match="overflow_after needs at least two groups"):
        blueprint.Route(groups=["one"], overflow_after="10 s")


# -- one group of one skill is today's pool ---------------------------------------------------------------------


def test_one_skill_in_one_group_gives_todays_numbers() -> None:
    staffing = {"interval": "1 h", "start": "00:00", "values": [3, 4, 5, 6, 5, 4, 3, 2] * 3}
    pooled = two_types("9 per min", "1 per min", patience="exp(90 s)")
    pooled.get_role("a").staffing = blueprint.Staffing.model_validate(staffing)
    pooled.get_role("b").staffing = blueprint.Staffing(headcount=1)
    routed = two_types("9 per min", "1 per min", patience="exp(90 s)")
    routed.get_role("b").staffing = blueprint.Staffing(headcount=1)
    routed.group("team a", skills=["a"], staffing=staffing)
    one = simulate.run(pooled, days=1, replications=2, seed=5, progress=False)
    two = simulate.run(routed, days=1, replications=2, seed=5, progress=False)
    for r1, r2 in zip(one.replications, two.replications, strict=True):
        assert r1.steps == r2.steps
        assert r1.journeys == r2.journeys
        a1, a2 = r1.roles["a"], r2.roles["a"]
        for f in ("arrivals", "answered", "within", "abandoned", "wait_sum", "queue_mean", "queue_max"):
            assert getattr(a1, f) == pytest.approx(getattr(a2, f), rel=1e-12, abs=1e-9), f
        g = r2.roles["team a"]
        assert g.on_duty == pytest.approx(a1.on_duty) and g.busy == pytest.approx(a1.busy)
        assert r2.role_totals["team a"].paid_hours == r1.role_totals["a"].paid_hours
    assert two.served().loc[("a", "team a"), "share"] == 1.0


def test_a_chat_group_gives_a_chat_roles_numbers() -> None:
    """Concurrency: a group whose members take 3 chats at once, one skill, is a role with concurrency 3, customer for
    customer (the role gives a new chat to the least busy member, the first in line on a tie: ``fixed_order``),
    also while the headcount falls and busy members finish their chats before they leave."""
    staffing = {"interval": "1 h", "start": "00:00", "values": [2, 3, 4, 3, 1, 2] * 4}
    pooled = two_types("40 per h", "1 per min", service="exp(6 min)", patience="exp(2 min)")
    pooled.get_role("a").staffing = blueprint.Staffing.model_validate(staffing)
    pooled.get_role("a").concurrency = 3
    pooled.get_role("b").staffing = blueprint.Staffing(headcount=1)
    routed = two_types("40 per h", "1 per min", service="exp(6 min)", patience="exp(2 min)")
    routed.get_role("b").staffing = blueprint.Staffing(headcount=1)
    routed.group("chat team", skills=["a"], staffing=staffing, concurrency=3)
    routed.routing = blueprint.Routing(agent="fixed_order")
    one = simulate.run(pooled, days=1, replications=2, seed=8, progress=False)
    two = simulate.run(routed, days=1, replications=2, seed=8, progress=False)
    for r1, r2 in zip(one.replications, two.replications, strict=True):
        assert r1.steps == r2.steps and r1.journeys == r2.journeys
        a1, a2 = r1.roles["a"], r2.roles["a"]
        for f in ("arrivals", "answered", "within", "abandoned", "wait_sum", "queue_mean", "queue_max", "busy"):
            assert getattr(a1, f) == pytest.approx(getattr(a2, f), rel=1e-12, abs=1e-9), f
        g = r2.roles["chat team"]
        assert g.on_duty == pytest.approx(a1.on_duty) and g.busy == pytest.approx(a1.busy)
        assert sum(r2.served_busy["chat team"]) == pytest.approx(sum(g.busy) * two.interval, rel=1e-9)


# -- against theory -------------------------------------------------------------------------------------------------


def test_a_cross_trained_chat_group_is_one_mmc_queue_of_its_chat_slots(pool: Any) -> None:
    """3 members taking 2 chats each, exponential chats: 6 independent servers, one M/M/6 for both types; each chat
    holds half a member, so busy members are a / 2."""
    c, k, lam, mu = 3, 2, 8 / 60, 1 / 40  # a = 5.33 Erlangs on 6 chat slots
    q = MMc(lam, mu, c * k)
    bp = two_types("5 per min", "3 per min", service="exp(40 s)")
    bp.group("chat team", skills=["a", "b"], staffing=c, concurrency=k)
    results = simulate.run(bp, executor=pool, progress=False, days=3, replications=20, seed=77, warmup="1 h")
    check_conservation(results)  # (Little's law for the servers counts chats: busy members hold k each)
    reps = results.replications
    for skill in ("a", "b"):
        step = f"call_{skill}"
        assert_covers(q.wq, [r.steps[step].wait_mean for r in reps], f"{skill}: mean wait of M/M/6")
        assert_covers(q.p_wait, [1 - r.steps[step].within_tolerance for r in reps], f"{skill}: P(wait > 0) = C(6, a)")
    assert_covers(q.a / k, [area(results, r, "chat team", "busy") / window(results) for r in reps], "busy members = a/k")


def test_a_fully_cross_trained_group_is_one_mmc_queue(pool: Any) -> None:
    c, lam, mu = 5, 7 / 60, 1 / 30  # 4 a-calls and 3 b-calls a minute: a = 3.5 Erlangs, as one M/M/5
    q = MMc(lam, mu, c)
    bp = two_types("4 per min", "3 per min")
    bp.group("everyone", skills=["a", "b"], staffing=c)
    results = run(bp, pool, days=3, replications=20, seed=1701, warmup="1 h")
    reps = results.replications
    for skill in ("a", "b"):
        step = f"call_{skill}"
        assert_covers(q.wq, [r.steps[step].wait_mean for r in reps], f"{skill}: mean wait of the pooled M/M/5")
        assert_covers(q.p_wait, [1 - r.steps[step].within_tolerance for r in reps], f"{skill}: P(wait > 0) = C")
        sl = [after(results, r, skill, "within") / after(results, r, skill, "answered") for r in reps]
        assert_covers(q.service_level(20.0), sl, f"{skill}: service level within 20 s")
    assert_covers(q.a, [area(results, r, "everyone", "busy") / window(results) for r in reps], "busy members = a")
    lq = [(area(results, r, "a", "queue_mean") + area(results, r, "b", "queue_mean")) / window(results) for r in reps]
    assert_covers(q.lq, lq, "both queues together: Lq of M/M/5")
    served = results.served()
    assert served.loc[("a", "everyone"), "share"] == served.loc[("b", "everyone"), "share"] == 1.0


def test_a_cross_trained_group_with_patience_is_erlang_a(pool: Any) -> None:
    c, lam, mu, theta = 5, 8 / 60, 1 / 30, 1 / 60
    ea = ErlangA(lam, mu, c, theta)
    bp = two_types("5 per min", "3 per min", patience="exp(60 s)")
    bp.routing = blueprint.Routing(call="longest_waiting", agent="random")
    bp.group("everyone", skills=["b", "a"], staffing=c)
    results = run(bp, pool, days=3, replications=20, seed=4242, warmup="1 h")
    reps = results.replications
    ab = []
    for r in reps:
        answered = sum(after(results, r, s, "answered") for s in ("a", "b"))
        abandoned = sum(after(results, r, s, "abandoned") for s in ("a", "b"))
        ab.append(abandoned / (answered + abandoned))
    assert_covers(ea.p_abandon, ab, "Erlang A abandonment of the pooled M/M/5+M")
    for skill in ("a", "b"):
        assert_covers(ea.wq, [r.steps[f"call_{skill}"].wait_mean for r in reps], f"{skill}: Erlang A mean time in queue")
    assert_covers(ea.busy, [area(results, r, "everyone", "busy") / window(results) for r in reps], "Erlang A busy")


def test_disjoint_skills_are_independent_queues(pool: Any) -> None:
    bp = two_types("7 per min", "2 per min")
    bp.group("team a", skills=["a"], staffing=5)
    bp.group("team b", skills=["b"], staffing=2)
    results = run(bp, pool, days=3, replications=20, seed=77, warmup="1 h")
    reps = results.replications
    for skill, lam, c, team in (("a", 7 / 60, 5, "team a"), ("b", 2 / 60, 2, "team b")):
        q = MMc(lam, 1 / 30, c)
        assert_covers(q.wq, [r.steps[f"call_{skill}"].wait_mean for r in reps], f"{skill}: M/M/{c} mean wait")
        assert_covers(q.a, [area(results, r, team, "busy") / window(results) for r in reps], f"{team}: busy = a")


def test_overflow_at_once_to_a_large_group_is_erlang_b(pool: Any) -> None:
    """A call tries the primary group of 3, then a group so large it never fills: the primary group is a
    loss system (Erlang's loss formula), and the share that overflows is B(3, a)."""
    bp = two_types("5 per min", "0.5 per min")
    a_load = 5 / 60 * 30  # 2.5 Erlangs offered to the primary group
    bp.group("primary", skills=["a"], staffing=3)
    bp.group("backup", skills=["a", "b"], staffing=40)
    bp.steps[0].route = blueprint.Route(groups=["primary", "backup"])
    results = run(bp, pool, days=2, replications=20, seed=909)
    shares = [r.served_calls["backup"][0] / (r.served_calls["backup"][0] + r.served_calls["primary"][0])
              for r in results.replications]
    assert_covers(erlang_b(3, a_load), shares, "share of a-calls overflowing to the backup group = Erlang B(3, 2.5)")
    waits = [r.steps["call_a"].wait_max for r in results.replications]
    assert max(waits) == 0.0  # the backup group always has room: nobody waits


def test_overflow_after_a_delay(pool: Any) -> None:
    bp = two_types("3 per min", "0.2 per min")
    bp.group("primary", skills=["a"], staffing=2)
    bp.group("backup", skills=["a", "b"], staffing=30)
    bp.steps[0].route = blueprint.Route(groups=["primary", "backup"], overflow_after="15 s")
    results = run(bp, pool, days=1, replications=10, seed=31)
    assert all(r.steps["call_a"].wait_max <= 15.0 + 1e-9 for r in results.replications)
    assert all(r.served_calls["backup"][0] > 0 for r in results.replications)
    # an overflow delay longer than any wait: the primary group alone, an M/M/2 queue
    bp.steps[0].route = blueprint.Route(groups=["primary", "backup"], overflow_after="30 d")
    results = run(bp, pool, days=3, replications=20, seed=32, warmup="1 h")
    assert all(r.served_calls["backup"][0] == 0 for r in results.replications)
    q = MMc(3 / 60, 1 / 30, 2)
    assert_covers(q.wq, [r.steps["call_a"].wait_mean for r in results.replications], "primary alone: M/M/2 mean wait")


def test_time_factor_scales_the_service(pool: Any) -> None:
    bp = two_types("6 per min", "0.1 per min", service="exp(60 s)")
    bp.group("fast", skills={"a": 0.5, "b": 1.0}, staffing=4)  # a-calls take 30 s on average
    results = run(bp, pool, days=3, replications=20, seed=8, warmup="1 h")
    per_call = [r.served_busy["fast"][0] / r.served_calls["fast"][0] for r in results.replications]
    assert_covers(30.0, per_call, "a-calls take half the step's 60 s")
    q = MMc(6 / 60, 1 / 30, 4)  # the b-calls add 0.1 Erlang: small next to the interval
    waits = [r.steps["call_a"].wait_mean for r in results.replications]
    assert np.mean(waits) == pytest.approx(q.wq, rel=0.25)


# -- the rules of the ACD ---------------------------------------------------------------------------------------------


def _member_counts(results: simulate.Results, step: str) -> dict[str | None, int]:
    counts: dict[str | None, int] = {}
    for rep in results.replications:
        log = rep.events
        assert log is not None
        idx = log.step_ids.index(step)
        for s, m, ab in zip(log.step.tolist(), log.member.tolist(), log.abandoned.tolist(), strict=True):
            if s == idx and not ab:
                who = log.resource(s, m)
                counts[who] = counts.get(who, 0) + 1
    return counts


@pytest.mark.parametrize("agent", ["fixed_order", "longest_idle", "random"])
def test_which_free_member_takes_a_call(agent: str) -> None:
    bp = two_types("2 per min", "0.1 per min")
    bp.routing = blueprint.Routing(agent=agent)
    bp.group("team", skills=["a", "b"], staffing=4)
    results = simulate.run(bp, days=1, replications=2, seed=3, progress=False, record_events=True)
    by_member = _member_counts(results, "call_a")
    assert sorted(by_member) == ["team#0", "team#1", "team#2", "team#3"]  # the group's members, by name
    counts = [c for _, c in sorted(by_member.items())]
    if agent == "fixed_order":  # the first member takes every call it is free for: most by far, then fewer down the list
        assert counts == sorted(counts, reverse=True) and counts[0] > 2 * counts[-1]
    else:  # spread evenly
        assert max(counts) < 1.25 * min(counts), counts


def test_skill_order_serves_a_groups_first_skill_first(pool: Any) -> None:
    bp = two_types("4 per min", "4 per min")
    bp.group("team", skills=["a", "b"], staffing=5)
    bp.routing = blueprint.Routing(call="skill_order")
    first = run(bp, pool, days=1, replications=10, seed=12)
    wa = np.mean([r.steps["call_a"].wait_mean for r in first.replications])
    wb = np.mean([r.steps["call_b"].wait_mean for r in first.replications])
    assert wa < 0.5 * wb, (wa, wb)
    bp.routing = blueprint.Routing(call="longest_waiting")
    fair = run(bp, pool, days=1, replications=10, seed=12)
    wa = np.mean([r.steps["call_a"].wait_mean for r in fair.replications])
    wb = np.mean([r.steps["call_b"].wait_mean for r in fair.replications])
    assert wa == pytest.approx(wb, rel=0.2)


def test_patience_drawn_per_queue_differs_from_per_customer() -> None:
    """Two queues in a row. With one patience per customer, those who waited long at the first queue and
    stayed are the patient ones, so fewer give up at the second; drawn afresh, the second queue sees new values."""
    def build(rule: str) -> blueprint.Blueprint:
        bp = blueprint.Blueprint("Two queues")
        first = bp.onstage("First", role="x", duration="exp(50 s)")
        second = bp.onstage("Second", role="y", duration="exp(50 s)")
        _ = first >> second
        bp.role("x", staffing=1)
        bp.role("y", staffing=1)
        bp.arrive(first, rate="1 per min", patience="uniform(0, 10) min")
        bp.routing = blueprint.Routing(patience=rule)
        return bp

    share = {}
    for rule in ("per_customer", "per_queue"):
        res = simulate.run(build(rule), days=2, replications=10, seed=6, progress=False)
        share[rule] = np.mean([r.steps["second"].abandonments / r.steps["second"].arrivals for r in res.replications])
    assert share["per_customer"] < 0.8 * share["per_queue"], share


# -- invariants ---------------------------------------------------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rates=st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6)),
    staff=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
    overflow=st.one_of(st.none(), st.integers(0, 120)),
    agent=st.sampled_from(["longest_idle", "random", "fixed_order"]),
    call=st.sampled_from(["longest_waiting", "skill_order"]),
    chats=st.integers(1, 3),
    seed=st.integers(0, 2**31),
)
def test_no_call_is_served_by_a_group_without_its_skill(rates: tuple[int, int, int], staff: tuple[int, int, int],
                                                      overflow: int | None, agent: str, call: str, chats: int,
                                                      seed: int) -> None:
    bp = blueprint.Blueprint("Three types")
    for skill, rate in zip("xyz", rates, strict=True):
        step = bp.onstage(f"Call {skill}", role=skill, duration="exp(2 min)")
        bp.role(skill)
        bp.arrive(step, rate=f"{rate} per h", name=skill, patience="exp(3 min)")
    bp.group("g1", skills=["x", "y"], staffing=staff[0])
    bp.group("g2", skills=["y", "z"], staffing=staff[1])
    bp.group("g3", skills=["x", "y", "z"], staffing=staff[2], concurrency=chats)
    bp.routing = blueprint.Routing(agent=agent, call=call)
    if overflow is not None:
        bp.steps[1].route = blueprint.Route(groups=["g2", "g3"], overflow_after=f"{overflow} s")
    results = simulate.run(bp, days=0.5, replications=2, seed=seed, progress=False, record_events=True)
    check_conservation(results)
    skills = {g.name: set(g.skills) for g in bp.groups}
    for rep in results.replications:
        log = rep.events
        assert log is not None and log.groups == ("g1", "g2", "g3")
        for s, m, ab in zip(log.step.tolist(), log.member.tolist(), log.abandoned.tolist(), strict=True):
            if ab:
                continue
            group = (log.resource(s, m) or "").rpartition("#")[0]  # "g2#3": the group that served
            assert log.roles[s] in skills[group], (log.step_ids[s], m, group)
        served = sum(sum(v) for v in rep.served_calls.values())
        assert served == sum(st_.completions for st_ in rep.steps.values()) + sum(
            st_.arrivals - st_.completions - st_.abandonments for st_ in rep.steps.values()) - _waiting(rep)
        assert math.isfinite(served)
        groups_busy = sum(sum(rep.roles[g].busy) for g in ("g1", "g2", "g3"))
        assert sum(sum(rep.roles[k].busy) for k in "xyz") == pytest.approx(groups_busy, rel=1e-9, abs=1e-9)
        g3 = rep.roles["g3"]  # a member holds at most ``chats`` calls, each a 1/chats share of it
        assert all(b <= d + 1e-9 for b, d in zip(g3.busy, g3.on_duty, strict=True))


def _waiting(rep: Any) -> float:
    """Calls still waiting at the end: joined, not answered, not given up."""
    return float(sum(sum(r.arrivals) - sum(r.answered) - sum(r.abandoned) for k, r in rep.roles.items() if k in "xyz"))


# -- against a hand-written SimPy model of the same routing ----------------------------------------------------


def _welch_covers_zero(x: list[float], y: list[float], what: str) -> None:
    """The 99.9% Welch interval of mean(x) − mean(y) contains 0 (two independent sets of replications)."""
    from scipy import stats

    a, b = np.asarray(x), np.asarray(y)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = stats.t.ppf(0.9995, df) * math.sqrt(va + vb)
    d = a.mean() - b.mean()
    assert abs(d) <= half, f"{what}: library {a.mean():.5g}, reference {b.mean():.5g}, difference {d:.3g} ± {half:.3g}"


def test_an_n_design_matches_a_hand_written_simpy_model(pool: Any) -> None:
    """Specialists take A; generalists take B, and A after 20 s. The library and an independent SimPy model of
    the same rules (benchmarks/routing_reference.py) agree on waits, abandonment and who serves A."""
    from benchmarks.routing_reference import design_blueprint, n_design, simulate_reference

    design = n_design()
    horizon = 2 * 86_400.0
    results = simulate.run(design_blueprint(design), days=2, replications=20, seed=606, executor=pool, progress=False)
    check_conservation(results)
    refs = [simulate_reference(design, horizon, seed=1000 + i) for i in range(20)]
    for t in ("a", "b"):
        lib_wait = [sum(r.roles[t].wait_sum) / sum(r.roles[t].answered) for r in results.replications]
        ref_wait = [f.wait_sum[t] / f.answered[t] for f in refs]
        _welch_covers_zero(lib_wait, ref_wait, f"{t}: mean wait of the answered")
        lib_ab = [sum(r.roles[t].abandoned) / sum(r.roles[t].arrivals) for r in results.replications]
        ref_ab = [f.abandoned[t] / f.arrivals[t] for f in refs]
        _welch_covers_zero(lib_ab, ref_ab, f"{t}: abandonment share")
    lib_share = [r.served_calls["generalists"][1] / (r.served_calls["generalists"][1] + r.served_calls["specialists"][0])
                 for r in results.replications]
    ref_share = [f.served[("a", "generalists")] / (f.served[("a", "generalists")] + f.served[("a", "specialists")])
                 for f in refs]
    _welch_covers_zero(lib_share, ref_share, "share of A-calls the generalists take")
    assert 0.05 < np.mean(lib_share) < 0.6  # the overflow matters in this design


def test_a_group_cannot_be_unlimited_or_twice_in_a_route() -> None:
    bp = two_types("1 per min", "1 per min")
    bp.group("all", skills=["a", "b"], staffing="unlimited")
    bp.steps[0].route = blueprint.Route(groups=["all", "all"])
    codes = {p.code: p.path for p in bp.validate().errors}
    assert codes["unlimited-group"] == "groups[0].staffing"
    assert codes["duplicate-id"] == "steps[0].route.groups[1]"


def test_requirements_have_a_row_per_planned_group_and_with_staffing_takes_groups() -> None:
    bp = blueprint.load("examples/bilingual_hotline.yaml")
    req = simulate.requirements(bp)  # each skill on its first-choice group; Bilingual is nobody's first choice
    assert list(dict.fromkeys(req.index.get_level_values("role"))) == ["English only", "Spanish only"]
    assert set(req.settings["targets"]) == {"english", "spanish"}
    more = bp.with_staffing({"Bilingual": 4})
    assert more.get_group("Bilingual").staffing.headcount == 4 and bp.get_group("Bilingual").staffing.headcount != 4
    with pytest.raises(KeyError, match="no role or group 'Trilingual'; known: menu, english, spanish, Bilingual"):
        bp.with_staffing({"Trilingual": 1})


def test_busy_time_of_a_skill_and_its_groups_agree_at_the_end_of_the_run() -> None:
    """Calls still in hand when the run stops count for the group and for the skill alike."""
    bp = two_types("6 per min", "3 per min")
    bp.group("everyone", skills=["a", "b"], staffing=4)
    res = simulate.run(bp, days=0.2, replications=2, seed=9, progress=False)
    for rep in res.replications:
        groups = sum(rep.roles["everyone"].busy)
        skills = sum(rep.roles["a"].busy) + sum(rep.roles["b"].busy)
        assert skills == pytest.approx(groups, rel=1e-9)
        assert sum(rep.served_busy["everyone"]) == pytest.approx(groups * res.interval, rel=1e-9)


def test_the_measured_diagram_says_how_busy_each_group_serving_a_step_was() -> None:
    from simulate.diagram import measured_overlays

    bp = blueprint.load("examples/bilingual_hotline.yaml")
    res = simulate.run(bp, days=0.5, replications=2, seed=4, progress=False)
    overlay = measured_overlays(res)["answer_es"]
    texts = overlay.figures + overlay.alerts
    assert any(t.startswith("Spanish only ") and t.endswith("% busy") for t in texts), texts
    assert any(t.startswith("Bilingual ") and t.endswith("% busy") for t in texts), texts
    assert not any(t.startswith("spanish ") for t in texts)  # the skill has no staff of its own


def test_patience_drawn_per_queue_is_still_erlang_a_at_one_queue(pool: Any) -> None:
    """At a single queue a fresh draw has the same law as the customer's own: Erlang A either way."""
    c, lam, mu, theta = 4, 6 / 60, 1 / 30, 1 / 90
    ea = ErlangA(lam, mu, c, theta)
    bp = two_types("6 per min", "0.001 per min", patience="exp(90 s)")
    bp.get_role("a").staffing = blueprint.Staffing(headcount=c)
    bp.get_role("b").staffing = blueprint.Staffing(headcount=1)
    bp.routing = blueprint.Routing(patience="per_queue")
    results = run(bp, pool, days=3, replications=20, seed=2718, warmup="1 h")
    reps = results.replications
    ab = [after(results, r, "a", "abandoned") / (after(results, r, "a", "answered") + after(results, r, "a", "abandoned"))
          for r in reps]
    assert_covers(ea.p_abandon, ab, "Erlang A abandonment with patience drawn per queue")
    assert_covers(ea.wq, [r.steps["call_a"].wait_mean for r in reps], "Erlang A mean time in queue, per-queue patience")


def test_the_event_log_names_the_group_member_who_served() -> None:
    bp = blueprint.load("examples/bilingual_hotline.yaml")
    res = simulate.run(bp, days=0.5, replications=1, seed=1, progress=False, record_events=True)
    resources = set(res.events["org:resource"].dropna())
    groups = {r.rpartition("#")[0] for r in resources}
    assert {"English only", "Spanish only", "Bilingual"} <= groups and "menu" in resources
    assert not any(r.startswith(("english#", "spanish#")) for r in resources)  # a skill has no members of its own


def test_work_counts_the_time_a_group_really_takes() -> None:
    """The offered load of a skill is the work its calls took: with a time factor, the factor's share."""
    bp = two_types("6 per min", "0.1 per min", service="exp(60 s)")
    bp.group("fast", skills={"a": 0.5, "b": 1.0}, staffing=6)
    res = simulate.run(bp, days=0.5, replications=2, seed=5, progress=False)
    for rep in res.replications:
        work_a = sum(rep.roles["a"].work)
        # every a-call ends within the run but a few: the work counted is the busy time of the group on a-calls
        assert work_a == pytest.approx(rep.served_busy["fast"][0], rel=0.02)


def test_the_fail_point_what_if_adds_a_member_to_the_skills_first_choice_group() -> None:
    bp = blueprint.Blueprint("Two teams")
    for skill, rate in (("a", "50 per h"), ("b", "20 per h")):
        step = bp.onstage(f"Call {skill}", role=skill, duration="exp(5 min)", wait_point={"tolerance": "60 s"})
        bp.role(skill)
        bp.arrive(step, rate=rate, name=f"callers_{skill}")
    bp.group("A team", skills=["a"], cost_per_hour=20,
             staffing={"profile": {"interval": "1 h", "start": "00:00", "values": [5] * 10 + [4] * 4 + [5] * 10}})
    bp.group("Both", skills=["b", "a"], staffing=3, cost_per_hour=25)
    found = simulate.run(bp, days=1, replications=6, seed=3, progress=False).fail_points(what_if=2)
    tried = found[found["what_if"].notna()]
    assert len(tried) == 2
    for row in tried.itertuples():
        group = {"a": "A team", "b": "Both"}[row.role]
        assert row.what_if.startswith(f"One more member of {group} ({row.role}) from {row.window} cuts waits over 60 s")
        before, after_ = (float(x) for x in re.findall(r"from ([\d.]+)% to ([\d.]+)%", row.what_if)[0])
        assert after_ < before
