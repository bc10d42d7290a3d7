"""The engine's fast SimPy primitives (simulate.engine.kernel) behave as stock SimPy does.

Each small model is written once against a set of primitives and run twice: with the kernel's
``start``/``Delay``/``Pending.fire`` and with stock ``env.process``/``env.timeout``/``succeed``.
Both runs must log the same things in the same order at the same times. A SimPy release that
changes the internals the kernel relies on fails here first.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Generator
from typing import Any

import pytest
import simpy

from simulate.engine.kernel import Delay, Pending, start

Log = list[tuple[Any, ...]]


class Stock:
    """SimPy's own way."""

    name = "stock"

    @staticmethod
    def process(env: simpy.Environment, gen: Generator[Any, Any, Any]) -> simpy.Process:
        return env.process(gen)

    @staticmethod
    def timeout(env: simpy.Environment, delay: float) -> simpy.Event:
        return env.timeout(delay, value=env.now + delay)  # the kernel's Delay has its firing time as value

    @staticmethod
    def pending(env: simpy.Environment) -> simpy.Event:
        return env.event()

    @staticmethod
    def fire(event: Any, value: Any) -> None:
        event.succeed(value)


class Fast:
    """The kernel's way."""

    name = "kernel"

    @staticmethod
    def process(env: simpy.Environment, gen: Generator[Any, Any, Any]) -> simpy.Process:
        return start(env, gen)

    @staticmethod
    def timeout(env: simpy.Environment, delay: float) -> simpy.Event:
        return Delay(env, delay)

    @staticmethod
    def pending(env: simpy.Environment) -> simpy.Event:
        return Pending(env)

    @staticmethod
    def fire(event: Any, value: Any) -> None:
        event.fire(value)


Prims = type[Stock] | type[Fast]


def single_server(p: Prims, seed: int, n: int = 300) -> Log:
    """Customers arrive at random, wait for one server (first come, first served) and leave."""
    env = simpy.Environment()
    log: Log = []
    gaps = random.Random(seed)
    free = [True]
    queue: deque[Any] = deque()

    def customer(i: int) -> Generator[Any, Any, None]:
        log.append((env.now, i, "arrive"))
        if free[0]:
            free[0] = False
        else:
            gate = p.pending(env)
            queue.append(gate)
            given_by = yield gate
            log.append((env.now, i, "served after", given_by))
        done = yield p.timeout(env, random.Random(seed * 10_000 + i).expovariate(1.0))
        log.append((env.now, i, "leaves", done))
        if queue:
            p.fire(queue.popleft(), i)
        else:
            free[0] = True

    def source() -> Generator[Any, Any, None]:
        for i in range(n):
            yield p.timeout(env, gaps.expovariate(0.9))
            p.process(env, customer(i))

    p.process(env, source())
    env.run()
    log.append((env.now, "end"))
    return log


def waiting_for_processes(p: Prims, seed: int) -> Log:
    """Parents wait for children (already finished or not), for all of several, and read their values."""
    env = simpy.Environment()
    log: Log = []
    rng = random.Random(seed)

    def child(i: int, d: float) -> Generator[Any, Any, str]:
        t = yield p.timeout(env, d)
        log.append((env.now, "child", i, t))
        return f"child {i}"

    def parent(k: int) -> Generator[Any, Any, None]:
        quick = p.process(env, child(100 + k, 0.0))
        yield p.timeout(env, 1.0)
        log.append((env.now, "parent", k, "quick", (yield quick)))  # finished long ago
        kids = [p.process(env, child(10 * k + i, rng.uniform(0, 5))) for i in range(3)]
        got = yield env.all_of(kids)
        log.append((env.now, "parent", k, "all", [got[c] for c in kids]))

    for k in range(4):
        p.process(env, parent(k))
    env.run(until=50)
    log.append((env.now, "end"))
    return log


def failing(p: Prims, *, in_branch: bool, tick: float = 0.7) -> Log:
    """A process raises at time 3 (or a branch it waits for raises): the run ends there with that error."""
    env = simpy.Environment()
    log: Log = []

    def bad() -> Generator[Any, Any, None]:
        yield p.timeout(env, 3.0)
        log.append((env.now, "raising"))
        raise ValueError("boom at 3")

    def waits() -> Generator[Any, Any, None]:
        branch = env.process(bad())  # the engine starts parallel branches the stock way
        yield env.all_of([branch])
        log.append((env.now, "not reached"))

    def ticker() -> Generator[Any, Any, None]:
        while True:
            t = yield p.timeout(env, tick)
            log.append((t, "tick"))

    p.process(env, ticker())
    p.process(env, waits() if in_branch else bad())
    with pytest.raises(ValueError, match="boom at 3") as caught:
        env.run(until=10)
    log.append((env.now, type(caught.value).__name__, str(caught.value)))
    return log


MODELS: dict[str, Callable[[Prims], Log]] = {
    "single server, seed 1": lambda p: single_server(p, 1),
    "single server, seed 2": lambda p: single_server(p, 2),
    "waiting for processes": lambda p: waiting_for_processes(p, 3),
    "exception in a process": lambda p: failing(p, in_branch=False),
    "exception in a branch waited for": lambda p: failing(p, in_branch=True),
}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_kernel_primitives_run_as_stock_simpy(model: str) -> None:
    stock, fast = MODELS[model](Stock), MODELS[model](Fast)
    assert len(stock) > 3
    assert fast == stock


def test_a_delay_fires_at_its_time_with_its_time_as_value() -> None:
    env = simpy.Environment()
    seen: list[tuple[float, float, Any]] = []

    def walk() -> Generator[Any, Any, None]:
        d = Delay(env, 0.1)
        t = yield d
        seen.append((t, env.now, d.value))

    start(env, walk())
    env.run()
    assert seen == [(0.1, 0.1, 0.1)]


def test_a_started_process_runs_before_its_starter_goes_on() -> None:
    """The one difference meant: the kernel starts a process at once, not after the starter's step."""
    env = simpy.Environment()
    order: list[str] = []

    def child() -> Generator[Any, Any, None]:
        order.append("child")
        yield Delay(env, 1.0)

    def starter(how: Callable[[Generator[Any, Any, None]], Any]) -> Generator[Any, Any, None]:
        how(child())
        order.append("starter")
        yield Delay(env, 1.0)

    start(env, starter(lambda g: start(env, g)))
    start(env, starter(env.process))
    env.run()
    assert order == ["child", "starter", "starter", "child"]


def test_an_exception_leaves_the_run_before_other_events_of_the_same_moment() -> None:
    """The other difference meant: stock SimPy raises when the failed process's own event is processed,
    after the events already due at that moment; the kernel raises at once. Same error, same time."""
    stock, fast = failing(Stock, in_branch=False, tick=1.0), failing(Fast, in_branch=False, tick=1.0)
    assert stock[-2:] == [(3.0, "tick"), (3.0, "ValueError", "boom at 3")]
    assert fast == stock[:-2] + stock[-1:]


def test_a_pending_event_fires_once_with_its_time() -> None:
    env = simpy.Environment()
    gate = Pending(env)
    got: list[Any] = []

    def waiter() -> Generator[Any, Any, None]:
        got.append((yield gate))
        got.append(gate.at)

    def opener() -> Generator[Any, Any, None]:
        yield Delay(env, 2.5)
        assert not gate.triggered
        gate.fire("open")
        assert gate.triggered

    start(env, waiter())
    start(env, opener())
    env.run()
    assert got == ["open", 2.5]
