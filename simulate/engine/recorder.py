"""Recording the event log while a replication runs: a growing array per column.

An event costs seven appends to typed arrays (about 50 bytes), not a record
of its own; :meth:`EventRecorder.log` returns the columns as an
:class:`~simulate.engine.output.EventLog`. A run that records no events makes
no recorder at all, so its memory does not grow with the number of customers.

>>> rec = EventRecorder([("call", "Call", "customer", None), ("answer", "Answer", "onstage", "agent")])
>>> rec.add(0, "call", NO_MEMBER, 0.0, 0.0, 0.0, False)
>>> rec.add(0, "answer", 3, 0.0, 12.5, 80.0, False)
>>> log = rec.log()
>>> len(log), log.records()[1]["resource"], float(log.start[1] - log.enabled[1])
(2, 'agent#3', 12.5)
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable

import numpy as np

from simulate.engine.output import NO_MEMBER, EventLog

__all__ = ["EventRecorder", "NO_MEMBER"]


class EventRecorder:
    """The columns of one replication's event log as they grow; ``steps`` are ``(id, label, lane, role)``,
    ``groups`` the names of the staff groups (skills-based routing)."""

    __slots__ = ("_index", "_steps", "_groups", "case", "step", "member", "enabled", "start", "end", "abandoned")

    def __init__(self, steps: Iterable[tuple[str, str, str, str | None]], groups: Iterable[str] = ()) -> None:
        self._steps = list(steps)
        self._groups = tuple(groups)
        self._index = {s[0]: n for n, s in enumerate(self._steps)}
        self.case = array("q")
        self.step = array("i")
        self.member = array("i")
        self.enabled = array("d")
        self.start = array("d")
        self.end = array("d")
        self.abandoned = array("b")

    def add(self, case: int, step: str, member: int, enabled: float, start: float | None, end: float,
            abandoned: bool) -> None:
        """One step instance: customer ``case`` at ``step``, served by ``member`` (or :data:`NO_MEMBER`),
        reached at ``enabled``, served from ``start`` (None if they gave up) to ``end``."""
        self.case.append(case)
        self.step.append(self._index[step])
        self.member.append(member)
        self.enabled.append(enabled)
        self.start.append(math.nan if start is None else start)
        self.end.append(end)
        self.abandoned.append(abandoned)

    def __len__(self) -> int:
        return len(self.case)

    def log(self) -> EventLog:
        """The recorded columns as an :class:`EventLog` (numpy arrays over the recorded buffers, copied)."""
        ids, labels, lanes, roles = zip(*self._steps) if self._steps else ((), (), (), ())
        return EventLog(
            case=np.array(self.case, dtype=np.int64), step=np.array(self.step, dtype=np.int32),
            member=np.array(self.member, dtype=np.int32), enabled=np.array(self.enabled, dtype=np.float64),
            start=np.array(self.start, dtype=np.float64), end=np.array(self.end, dtype=np.float64),
            abandoned=np.array(self.abandoned, dtype=np.bool_), step_ids=tuple(ids), labels=tuple(labels),
            lanes=tuple(lanes), roles=tuple(roles), groups=self._groups,
        )
