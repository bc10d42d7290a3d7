"""A small hand-written SimPy model of skills-based routing, written apart from the library.

The reference the engine's routing is measured against, for speed (``benchmarks/engine.py``) and for
correctness (``tests/test_routing.py``, the N-design). It knows only the rules the README states:

* a new call goes to the first group of its route with a free agent (the one idle longest), else waits;
* with an overflow delay, the call waits for the route's first group only, then for all of them;
* a freed agent takes the call that has waited longest among those its group may take, else goes idle;
* a caller gives up after an exponential patience (if one is given).

Plain Python and SimPy: a list of waiting calls scanned in arrival order, a deque of idle agents per group.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import simpy

import blueprint


@dataclass
class CallType:
    name: str
    per_hour: float
    service_s: float  # mean of an exponential service time
    route: list[str]  # groups in the order a call tries them
    overflow_s: float | None = None  # wait for route[0] only this long


@dataclass
class Design:
    calls: list[CallType]
    groups: dict[str, tuple[int, list[str]]]  # name: (agents, skills in order)
    patience_s: float | None = None  # mean of an exponential patience; None: nobody gives up


@dataclass
class Figures:
    """Per call type: arrivals, answered, abandoned, total wait of the answered; per (type, group): calls served."""

    arrivals: dict[str, int] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)
    abandoned: dict[str, int] = field(default_factory=dict)
    wait_sum: dict[str, float] = field(default_factory=dict)
    served: dict[tuple[str, str], int] = field(default_factory=dict)


def n_design(patience_s: float | None = 120.0) -> Design:
    """Two call types and two groups in an N: specialists take A only; generalists take B, and A after 20 s."""
    return Design(
        calls=[CallType("a", 50, 240, ["specialists", "generalists"], overflow_s=20.0),
               CallType("b", 70, 180, ["generalists"])],
        groups={"specialists": (4, ["a"]), "generalists": (5, ["b", "a"])},
        patience_s=patience_s,
    )


def three_types() -> Design:
    """The benchmark's case: three call types, two groups, overflow after 30 s."""
    return Design(
        calls=[CallType("a", 300, 60, ["first", "second"], overflow_s=30.0),
               CallType("b", 200, 60, ["first", "second"]),
               CallType("c", 150, 60, ["second"])],
        groups={"first": (9, ["a", "b"]), "second": (7, ["c", "b", "a"])},
        patience_s=180.0,
    )


def simulate_reference(design: Design, horizon_s: float, seed: int) -> Figures:
    """Run the design for ``horizon_s`` seconds from empty and return its counts (calls that arrived in the horizon)."""
    env = simpy.Environment()
    rng = random.Random(seed)
    out = Figures()
    idle: dict[str, deque[int]] = {g: deque(range(n)) for g, (n, _) in design.groups.items()}
    waiting: list[dict[str, Any]] = []  # in arrival order
    for c in design.calls:
        out.arrivals[c.name] = out.answered[c.name] = out.abandoned[c.name] = 0
        out.wait_sum[c.name] = 0.0
        for g in c.route:
            out.served[(c.name, g)] = 0

    def serve(call: dict[str, Any], group: str, agent: int) -> None:
        call["done"] = True
        c = call["type"]
        out.answered[c.name] += 1
        out.wait_sum[c.name] += env.now - call["t"]
        out.served[(c.name, group)] += 1
        env.process(work(c, group, agent))

    def work(c: CallType, group: str, agent: int):  # type: ignore[no-untyped-def]
        yield env.timeout(rng.expovariate(1 / c.service_s))
        for call in waiting:  # the longest-waiting call this group may take
            if not call["done"] and group in call["eligible"]:
                waiting.remove(call)
                serve(call, group, agent)
                return
        idle[group].append(agent)

    def try_groups(call: dict[str, Any]) -> bool:
        for g in call["eligible"]:
            if idle[g]:
                serve(call, g, idle[g].popleft())
                return True
        return False

    def overflow(call: dict[str, Any], after: float):  # type: ignore[no-untyped-def]
        yield env.timeout(after)
        if call["done"]:
            return
        call["eligible"] = list(call["type"].route)
        if try_groups(call):
            waiting.remove(call)

    def patience(call: dict[str, Any], after: float):  # type: ignore[no-untyped-def]
        yield env.timeout(after)
        if not call["done"]:
            call["done"] = True
            waiting.remove(call)
            out.abandoned[call["type"].name] += 1

    def source(c: CallType):  # type: ignore[no-untyped-def]
        while True:
            yield env.timeout(rng.expovariate(c.per_hour / 3600))
            if env.now >= horizon_s:
                return
            out.arrivals[c.name] += 1
            first = c.route[:1] if c.overflow_s is not None else c.route
            call = {"type": c, "t": env.now, "eligible": list(first), "done": False}
            if try_groups(call):
                continue
            waiting.append(call)
            if c.overflow_s is not None:
                env.process(overflow(call, c.overflow_s))
            if design.patience_s is not None:
                env.process(patience(call, rng.expovariate(1 / design.patience_s)))

    for c in design.calls:
        env.process(source(c))
    env.run(until=horizon_s)
    return out


def design_blueprint(design: Design) -> blueprint.Blueprint:
    """The same design as a blueprint for the library (one step per call type, its skill the type's name)."""
    bp = blueprint.Blueprint("Routing reference")
    extra = {"patience": f"exp({design.patience_s} s)"} if design.patience_s is not None else {}
    for c in design.calls:
        step = bp.onstage(f"Call {c.name}", role=c.name, duration=f"exp({c.service_s} s)")
        bp.role(c.name)
        bp.arrive(step, rate=f"{c.per_hour} per h", name=f"type_{c.name}", **extra)
        step_model = bp.steps[-1]
        step_model.route = blueprint.Route(groups=c.route, **({"overflow_after": f"{c.overflow_s} s"} if c.overflow_s else {}))
    for name, (n, skills) in design.groups.items():
        bp.group(name, skills=skills, staffing=n)
    return bp
