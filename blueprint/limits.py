"""The limits every input is held to, each stated in the message that enforces it.

A file is refused before it is read when it is not a regular file (a folder, a FIFO, a device such
as ``/dev/zero``) or larger than :attr:`Limits.max_file_bytes`; a blueprint with more than
:attr:`Limits.max_steps` steps, :attr:`Limits.max_flows` flows or :attr:`Limits.max_groups` staff groups
is refused by validation and
drawing; its data is refused when it nests
deeper than :attr:`Limits.max_depth` or holds an integer longer than :attr:`Limits.max_int_digits`
digits, or text that cannot be written out (a lone surrogate such as ``"\\ud800"``). A simulation
is refused before it starts when it implies more than :attr:`Limits.max_customers` customers
(:mod:`simulate.work`) or has more than :attr:`Limits.max_replications` replications, a replication stops when more than :attr:`Limits.max_in_system` customers
are in the service at once, and a blueprint is refused when a role has more than
:attr:`Limits.max_staff` on duty. The defaults suit any real blueprint; change them for one block of code with
:func:`limits_set`, or for a whole process through the environment (``BLUEPRINT_MAX_FILE_MB``,
``BLUEPRINT_MAX_CUSTOMERS``, ``BLUEPRINT_MAX_REPLICATIONS``).

>>> LIMITS.max_file_bytes
2000000
>>> with limits_set(max_file_bytes=1_000):
...     LIMITS.max_file_bytes
1000
>>> LIMITS.max_file_bytes
2000000
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

__all__ = ["LIMITS", "Limits", "bad_text", "limits_set", "size_text"]


def _from_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value > 0 and math.isfinite(value) else default  # a mistyped setting leaves the default


@dataclass
class Limits:
    """The limits in force (one shared instance, :data:`LIMITS`)."""

    #: The largest input file read, in bytes (``BLUEPRINT_MAX_FILE_MB`` in the environment, in MB): a
    #: blueprint of 2 MB has thousands of steps, and reading one takes seconds.
    max_file_bytes: int = int(_from_env("BLUEPRINT_MAX_FILE_MB", 2.0) * 1_000_000)
    #: The most steps and flows a blueprint may have (checks, diagrams and the visits' linear system grow
    #: faster than the steps: a blueprint of 13,000 steps took minutes and gigabytes to validate).
    max_steps: int = 1_000
    max_flows: int = 5_000
    #: The most staff groups a blueprint may have (skills-based routing; each checks against every role).
    max_groups: int = 1_000
    #: The longest duration a blueprint may state (a step, a patience, a delay, a distribution's time
    #: parameters), in seconds: a year.
    max_duration_seconds: int = 366 * 86_400
    #: The highest rate a blueprint may state, per hour (arrivals of a million an hour are no service).
    max_rate_per_hour: int = 1_000_000
    #: How deep mappings and lists may nest in a file.
    max_depth: int = 64
    #: The most digits an integer in a file may have.
    max_int_digits: int = 30
    #: The most staff one role may have on duty at once (a headcount, a shift's count, a profile value).
    max_staff: int = 100_000
    #: The customers one simulation run may imply over all its replications (``BLUEPRINT_MAX_CUSTOMERS``),
    #: estimated before it starts (:mod:`simulate.work`): about five minutes on two cores for a short journey
    #: (the engine simulates some 15,000 customers a second there), longer for long ones.
    max_customers: int = int(_from_env("BLUEPRINT_MAX_CUSTOMERS", 5_000_000))
    #: The replications one run may have (each is kept in memory with its per-interval figures: a
    #: tenth of a day of a small blueprint holds about 50 kB, and replications of a few simulated minutes
    #: cost more in their start than in their customers; for narrower intervals simulate longer days).
    max_replications: int = int(_from_env("BLUEPRINT_MAX_REPLICATIONS", 10_000))
    #: The steps one customer may visit on average (rework loops included) before a run is refused.
    max_visits: int = 1_000
    #: The customers one replication may hold at once before it stops as overloaded (each waiting
    #: customer holds about 1.5 kB: this keeps a replication under about 300 MB).
    max_in_system: int = 200_000


#: The limits in force.
LIMITS = Limits()


@contextlib.contextmanager
def limits_set(**changes: int) -> Iterator[Limits]:
    """Change some limits for a block of code, then put them back.

    >>> with limits_set(max_depth=8) as now:
    ...     now.max_depth
    8
    """
    names = {f.name for f in fields(Limits)}
    unknown = sorted(set(changes) - names)
    if unknown:
        raise TypeError(f"unknown limit {unknown[0]!r}; known: {', '.join(sorted(names))}")
    before = {k: getattr(LIMITS, k) for k in changes}
    for k, v in changes.items():
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(f"{k} must be a whole number at least 1, got {v!r}")
        setattr(LIMITS, k, v)
    try:
        yield LIMITS
    finally:
        for k, v in before.items():
            setattr(LIMITS, k, v)


def size_text(n: float) -> str:
    """A size in bytes for a message.

    >>> size_text(52_400_000), size_text(10_000_000), size_text(900)
    ('52.4 MB', '10 MB', '900 bytes')
    """
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".") + " MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f}".rstrip("0").rstrip(".") + " kB"
    return f"{int(n)} bytes"


def bad_text(text: str) -> str | None:
    """What makes ``text`` unfit to keep in a blueprint, or None: a lone surrogate (half of a character,
    which no file can hold). Control characters are kept (a file escapes them, a diagram leaves them out).

    >>> bad_text("Café ☕"), bad_text("a\\ud800b"), bad_text("nul\\x00")
    (None, 'a lone surrogate U+D800 at character 2', None)
    """
    for i, ch in enumerate(text):
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            return f"a lone surrogate U+{code:04X} at character {i + 1}"
    return None


def walk(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every value in nested data with its path (keys of mappings are visited as values too), without
    recursion, so that depth alone can never overflow the stack."""
    stack: list[tuple[tuple[Any, ...], Any]] = [(path, data)]
    while stack:
        here, value = stack.pop()
        yield here, value
        if isinstance(value, dict):
            for k, v in reversed(list(value.items())):
                yield here, k
                stack.append(((*here, k), v))
        elif isinstance(value, list):
            for i in range(len(value) - 1, -1, -1):
                stack.append(((*here, i), value[i]))
