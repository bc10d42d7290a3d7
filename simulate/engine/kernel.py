"""The engine's fast path through SimPy: every use of SimPy's private internals, in this one module.

The engine runs on stock SimPy (its :class:`simpy.Environment`, event queue and
``run``), but a customer costs it a handful of events, and done the public way
(``env.process``, ``env.timeout``, ``event.succeed``) a third of the engine's
time would go to SimPy's bookkeeping. Three primitives here do the same with
less (``benchmarks/engine.py`` measures the result against hand-written SimPy):

* :func:`start` starts a process (a customer's journey) at once, in the caller's
  moment, instead of through an extra ``Initialize`` event; when the journey
  ends and nothing waits for it, it is not scheduled as an event of its own.
  Together they save two of the five events SimPy spends per customer.
* :class:`Delay` is a timeout without the checks and calls of ``env.timeout``
  (the engine's delays are never negative). Its value is the time it fires, so
  a process that yields it learns the time without asking the environment.
* :class:`Pending` is an event its owner triggers with :meth:`Pending.fire`
  (a successful event scheduled at once, as ``succeed`` does), which also
  notes the time it fired in ``at``.

What they rely on (SimPy 4; hence the pin ``simpy>=4.1,<5`` in pyproject.toml):

* ``Environment._queue``, the heap of ``(time, priority, event id, event)``;
  ``Environment._eid``, the counter of event ids; ``Environment._now``;
  ``Environment._active_proc``; priority 1 is SimPy's ``NORMAL``;
* ``Event._ok``, ``Event._value``, ``Event._defused`` and ``Event.callbacks``
  (a list until the event is processed, then None); ``simpy.events.PENDING``;
* ``Process._generator``, ``Process._target`` and ``Process._resume`` (the
  method an event calls back to send its value into the generator), which
  :class:`Process` replaces.

``tests/test_simpy_kernel.py`` pins this to stock SimPy: the same small models
run with these primitives and with ``env.process``/``env.timeout``/``succeed``
give the same events in the same order at the same times, and an exception
raised inside a process leaves the run the same way. Differences that are
meant: a process started here runs up to its first ``yield`` before the code
that started it goes on; an exception leaves ``env.run`` at once (stock SimPy
raises a copy when the failed process's event is processed, at the same time).

>>> import simpy
>>> env = simpy.Environment()
>>> seen = []
>>> def walk(env):
...     t = yield Delay(env, 2.5)
...     seen.append((t, env.now))
>>> _ = start(env, walk(env))
>>> env.run()
>>> seen
[(2.5, 2.5)]
"""

from __future__ import annotations

from collections.abc import Generator
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL, PENDING  # NORMAL: the priority of ordinary events (URGENT ones go first)

__all__ = ["Delay", "Pending", "Process", "start"]


class _Started:
    """An event that has already happened, with no value: how a process is started."""

    _ok = True
    _value = None


_STARTED = _Started()


class Process(simpy.Process):
    """A process started at once that is not scheduled when it ends unless someone waits for it.

    An exception raised in the generator propagates out of the run at once; an
    event yielded that failed (a parallel branch that raised) raises its error here.
    """

    def __init__(self, env: simpy.Environment, generator: Generator[Any, Any, Any]) -> None:
        self.env = env
        self.callbacks = []
        self._value = PENDING
        self._generator = generator
        self._target = None  # type: ignore[assignment]  # SimPy types it Event; None while running
        active = env._active_proc
        self._resume(_STARTED)  # only its _ok and _value are read
        env._active_proc = active

    def _resume(self, event: Any) -> None:
        env = self.env
        env._active_proc = self
        send = self._generator.send
        try:
            while True:
                if not event._ok:  # a parallel branch raised: raise its error here
                    event._defused = True
                    raise event._value
                event = send(event._value)
                callbacks = event.callbacks
                if callbacks is not None:  # not processed yet: wait for it
                    callbacks.append(self._resume)
                    self._target = event
                    return
                # already processed: go on at once with its value
        except StopIteration as stop:
            self._ok = True
            self._value = stop.value
            self._target = None  # type: ignore[assignment]
            if self.callbacks:
                env.schedule(self)  # someone waits for this process
            else:
                self.callbacks = None  # type: ignore[assignment]  # done; nobody to tell
        finally:
            env._active_proc = None


def start(env: simpy.Environment, generator: Generator[Any, Any, Any]) -> Process:
    """Start ``generator`` as a process now, running it up to its first ``yield`` before returning.

    >>> env = simpy.Environment()
    >>> def hello(env):
    ...     print("at", env.now)
    ...     yield Delay(env, 1.0)
    >>> _ = start(env, hello(env))
    at 0
    """
    return Process(env, generator)


class Delay(simpy.Event):
    """A timeout of ``delay`` seconds (never negative: not checked) whose value is the time it fires, ``at``.

    The same as ``env.timeout(delay, value=env.now + delay)``, made with less work.
    """

    def __init__(self, env: simpy.Environment, delay: float) -> None:
        self.env = env
        self.callbacks = []
        self._ok = True
        self.at = self._value = at = env._now + delay
        heappush(env._queue, (at, NORMAL, next(env._eid), self))


class Pending(simpy.Event):
    """An event that waits until its owner calls :meth:`fire`; ``at`` is then the time it fired."""

    at: float

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.callbacks = []
        self._value = PENDING

    def fire(self, value: Any) -> None:
        """Succeed with ``value`` now (as ``succeed`` does: scheduled at the current time, normal priority)."""
        env = self.env
        self._ok = True
        self._value = value
        self.at = now = env._now
        heappush(env._queue, (now, NORMAL, next(env._eid), self))
