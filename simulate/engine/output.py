"""What one replication measured, as typed records read by attribute.

:class:`Replication` is the engine's whole output: plain numbers, small and
picklable, so replications travel between processes and into files. Its parts:

* ``steps``: per step, a :class:`StepFigures` (counts and waits over the run);
* ``roles``: per role, a :class:`RoleIntervals` (one number per interval of the
  run for each figure: arrivals, waits, work, staff on duty and busy, queue);
* ``role_totals``: per role, a :class:`RoleTotals` (paid hours and cost, average
  staff over the counted time, the target time of its service level);
* ``journeys``: a :class:`JourneyFigures` (outcomes, time in system, transfers);
* ``step_intervals``: per queue step (a staffed step or a join), a
  :class:`QueueIntervals` (per interval: who joined, waited, waited too long, gave up);
* ``branches``: per step with outgoing flows, the customers sent down each flow;
* ``outcome_time``: an :class:`OutcomeTimes` (total time in system by outcome);
* ``events``: the event log, when it was recorded (an :class:`EventLog`, a column per attribute).

Interval ``i`` covers ``[i * interval, (i + 1) * interval)`` seconds from the
start of the run, warm-up included. Each per-interval field says in its
metadata how values of several intervals combine (:func:`combine_rule`):
``"sum"`` for counts and sums of time, ``"mean"`` for levels averaged over the
interval, ``"max"`` for peaks. Code that reads these records generically (files,
folding a week onto a day) iterates :func:`dataclasses.fields`, so a field added
here is carried everywhere.

>>> combine_rule(RoleIntervals, "queue_max"), combine_rule(RoleIntervals, "answered")
('max', 'sum')
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal, TypedDict

import numpy as np
import numpy.typing as npt

__all__ = [
    "ANY_MEMBER", "GROUP_BASE", "GROUP_STRIDE", "NO_MEMBER", "Event", "EventLog", "JourneyFigures", "OutcomeTimes", "QueueIntervals", "Replication",
    "RoleIntervals", "RoleTotals", "StepFigures", "combine_rule", "member_name", "series_fields",
]

Combine = Literal["sum", "mean", "max"]


def _series(combine: Combine = "sum") -> Any:
    """A per-interval field: a list with one number per interval, combined over intervals by ``combine``."""
    return field(metadata={"combine": combine})


def combine_rule(cls: type, name: str) -> Combine:
    """How the values of field ``name`` of ``cls`` over several intervals combine: ``"sum"``, ``"mean"`` or ``"max"``.

    >>> combine_rule(RoleIntervals, "on_duty"), combine_rule(QueueIntervals, "over")
    ('mean', 'sum')
    """
    for f in fields(cls):
        if f.name == name:
            rule: Combine = f.metadata.get("combine", "sum")
            return rule
    raise KeyError(f"{cls.__name__} has no field {name!r}")


def series_fields(cls: type) -> list[str]:
    """The per-interval fields of ``cls`` (those with a combine rule), in order.

    >>> series_fields(QueueIntervals)
    ['arrivals', 'waited', 'over', 'abandoned', 'wait_sum']
    """
    return [f.name for f in fields(cls) if "combine" in f.metadata]


@dataclass
class StepFigures:
    """One step over the counted part of the run (customers who arrived after the warm-up).

    Waits are of the customers who reached the step's queue (0 for steps nobody
    queues at; NaN when nobody arrived); ``within_tolerance`` is the share of the
    visits served whose wait was within the step's wait point (NaN without one): those who gave up
    are left out here, while the role's service level and the per-interval counts count them.
    """

    arrivals: int
    completions: int
    abandonments: int
    failures: int
    wait_mean: float
    wait_p50: float
    wait_p90: float
    wait_p95: float
    wait_max: float
    duration_mean: float
    within_tolerance: float
    blocked: int = 0  # found the queue's waiting room full (a busy signal)


@dataclass
class RoleIntervals:
    """One role's queue and staff per interval, by the interval a customer joined the queue.

    ``arrivals`` joined the queue, ``answered`` got a member, ``within`` of them
    within the role's target time, ``abandoned`` gave up; ``wait_sum`` is the
    answered customers' total wait (s); ``work`` the service time of the visits
    that began in the interval (s); ``on_duty``, ``busy`` and ``queue_mean`` are
    averages over the interval, ``queue_max`` the longest queue seen in it;
    ``blocked`` found the waiting room full, ``balked`` left at once rather than
    wait (also counted in ``abandoned``). Blocked customers are not in ``answered``
    or ``abandoned``, so service levels leave them out.
    """

    arrivals: list[float] = _series()
    answered: list[float] = _series()
    within: list[float] = _series()
    abandoned: list[float] = _series()
    wait_sum: list[float] = _series()
    work: list[float] = _series()
    on_duty: list[float] = _series("mean")
    busy: list[float] = _series("mean")
    queue_mean: list[float] = _series("mean")
    queue_max: list[float] = _series("max")
    blocked: list[float] = field(default_factory=list, metadata={"combine": "sum"})
    balked: list[float] = field(default_factory=list, metadata={"combine": "sum"})


@dataclass
class RoleTotals:
    """One role over the counted time: staff hours paid and their cost, average staff on duty
    and busy, and the target time of its service level (s)."""

    paid_hours: float
    cost: float
    on_duty: float
    busy: float
    target_seconds: float


@dataclass
class QueueIntervals:
    """The queue in front of one step per interval, by the interval customers joined it.

    ``waited`` counts the customers who waited at all and ``wait_sum`` their
    total wait; ``over`` the waits longer than ``tolerance`` (the step's wait
    point, else its role's target time, else 60 s), abandoners included.
    """

    arrivals: list[int] = _series()
    waited: list[int] = _series()
    over: list[int] = _series()
    abandoned: list[int] = _series()
    wait_sum: list[float] = _series()
    tolerance: float = 0.0


@dataclass
class ExperienceIntervals:
    """The experience of one step's visits by one customer segment per interval, by the interval the visit began
    (:mod:`blueprint.experience`): ``judged`` visits (served, or given up while waiting), ``met`` those felt within
    the segment's tolerance, ``gap_sum`` and ``loss_sum`` their gaps and losses in tolerances."""

    judged: list[int] = _series()
    met: list[int] = _series()
    gap_sum: list[float] = _series()
    loss_sum: list[float] = _series()


@dataclass
class JourneyExperience:
    """The counted journeys of one customer segment that ended, against what they expected of the whole journey
    (:class:`blueprint.experience.Expectations`): ``journeys`` judged, ``all_met`` those that met every expectation
    and were served to the end, ``gap_sum`` their gaps (in tolerances) summed, ``wait_met`` those whose every wait
    (and service time with a tolerable duration) was felt within its tolerance, and per expectation its gaps (``wait_gap``, ``time_gap``, ``transfer_gap``, ``contact_gap``), the journeys it applied to (``time_judged``,
    ``transfer_judged``, ``contact_judged``) and those that met it (``time_met``, ``transfer_met``, ``contact_met``)."""

    journeys: float = 0.0
    all_met: float = 0.0
    gap_sum: float = 0.0
    wait_met: float = 0.0
    wait_gap: float = 0.0
    time_gap: float = 0.0
    transfer_gap: float = 0.0
    contact_gap: float = 0.0
    time_judged: float = 0.0
    time_met: float = 0.0
    transfer_judged: float = 0.0
    transfer_met: float = 0.0
    contact_judged: float = 0.0
    contact_met: float = 0.0

    def judge(self, kind: str, met: bool, gap: float) -> None:
        """One journey judged against the expectation ``kind`` ("time", "transfer" or "contact")."""
        setattr(self, f"{kind}_judged", getattr(self, f"{kind}_judged") + 1)
        setattr(self, f"{kind}_met", getattr(self, f"{kind}_met") + met)
        setattr(self, f"{kind}_gap", getattr(self, f"{kind}_gap") + gap)


@dataclass
class JourneyFigures:
    """The customers who arrived after the warm-up: outcomes, and means over the journeys that ended."""

    arrivals: int
    completed: int
    recovered: int
    abandoned: int
    failed: int
    in_system: int
    retries: int
    time_in_system_mean: float
    time_in_system_p90: float
    transfers_mean: float
    steps_mean: float
    visible_wait_mean: float
    backstage_wait_mean: float
    throughput_per_hour: float
    blocked: int = 0  # heard a busy signal: every line taken (trunks) or a full waiting room, and did not call back


@dataclass
class OutcomeTimes:
    """Total time in the system (s) of the counted journeys that ended, by outcome."""

    completed: float = 0.0
    recovered: float = 0.0
    abandoned: float = 0.0
    failed: float = 0.0
    blocked: float = 0.0

    @property
    def total(self) -> float:
        """All journeys that ended, whatever their outcome."""
        return sum(getattr(self, f.name) for f in fields(self))


class Event(TypedDict):
    """One step instance as a record (:meth:`EventLog.records`): ``enabled`` when the customer reached it,
    ``start`` when service began (None if they gave up), ``end``; ``outcome`` "completed" or "abandoned";
    ``resource`` the member (``"role#3"``), the role of an unlimited pool, or None."""

    case: int
    step: str
    label: str
    lane: str
    resource: str | None
    enabled: float
    start: float | None
    end: float
    outcome: str


#: :attr:`EventLog.member` of a step instance that no member served (a step without a role, or a customer who gave up).
#: A staff group's member in the event log: ``GROUP_BASE + index × GROUP_STRIDE + number`` (skills-based
#: routing), so a group's members never take the numbers of a role's (below ``max_staff``).
GROUP_BASE = 1_000_000_000
GROUP_STRIDE = 1_000_000
NO_MEMBER = -2
#: :attr:`EventLog.member` of a step served by an unlimited role (a system or self-service): the role is the resource.
ANY_MEMBER = -1

_EVENT_DTYPES: dict[str, Any] = {
    "case": np.int64, "step": np.int32, "member": np.int32, "enabled": np.float64, "start": np.float64,
    "end": np.float64, "abandoned": np.bool_,
}


def member_name(role: str | None, member: int, groups: tuple[str, ...] = ()) -> str | None:
    """The name of the resource ``member`` of ``role``: ``"role#3"``, ``"Bilingual#3"`` for a staff group's
    member, the role for an unlimited one, None without a member or a role.

    >>> member_name("agent", 3), member_name("spanish", GROUP_BASE + GROUP_STRIDE + 3, ("English", "Bilingual"))
    ('agent#3', 'Bilingual#3')
    """
    if member == NO_MEMBER or role is None:
        return None
    if member == ANY_MEMBER:
        return role
    if member >= GROUP_BASE:
        g, n = divmod(member - GROUP_BASE, GROUP_STRIDE)
        if g < len(groups):
            return f"{groups[g]}#{n}"
    return f"{role}#{member}"


@dataclass(eq=False, repr=False)
class EventLog:
    """The event log of one replication: a column per attribute, an entry per step instance, in the
    order the instances ended (a few bytes per event, however long the run).

    ``case`` is the customer's arrival number; ``step`` indexes the step tables
    (``step_ids``, ``labels``, ``lanes``, ``roles``; a role None for a step
    without one); ``member`` the member who served (their number in the role's
    pool, :data:`ANY_MEMBER` for an unlimited role, :data:`NO_MEMBER` for none);
    ``enabled`` when the customer reached the step (joined its queue),
    ``start`` when service began (NaN for a customer who gave up), ``end`` when
    it ended (s from the start of the run); ``abandoned`` whether they gave up
    waiting there. Columns are numpy arrays (lists given are converted).

    >>> log = EventLog(case=[0, 0], step=[0, 1], member=[NO_MEMBER, 2], enabled=[0.0, 5.0], start=[0.0, 9.0],
    ...                end=[5.0, 70.0], abandoned=[False, False], step_ids=("call", "answer"),
    ...                labels=("Call", "Answer"), lanes=("customer", "onstage"), roles=(None, "agent"))
    >>> len(log), log.records()[1]["resource"], log.start.dtype
    (2, 'agent#2', dtype('float64'))
    """

    case: npt.NDArray[np.int64]
    step: npt.NDArray[np.int32]
    member: npt.NDArray[np.int32]
    enabled: npt.NDArray[np.float64]
    start: npt.NDArray[np.float64]
    end: npt.NDArray[np.float64]
    abandoned: npt.NDArray[np.bool_]
    step_ids: tuple[str, ...]
    labels: tuple[str, ...]
    lanes: tuple[str, ...]
    roles: tuple[str | None, ...]
    groups: tuple[str, ...] = ()  # staff groups (skills-based routing), by the index in their members' numbers

    def __post_init__(self) -> None:
        for name, dtype in _EVENT_DTYPES.items():
            setattr(self, name, np.asarray(getattr(self, name), dtype=dtype))
        sizes = {getattr(self, name).shape for name in _EVENT_DTYPES}
        if len(sizes) != 1 or len(next(iter(sizes))) != 1:
            raise ValueError(f"the columns of an event log must be one-dimensional and equally long, not {sizes}")
        for name in ("step_ids", "labels", "lanes", "roles", "groups"):
            setattr(self, name, tuple(getattr(self, name)))

    def __len__(self) -> int:
        return int(self.case.shape[0])

    def __repr__(self) -> str:
        return f"<EventLog: {len(self):,} events at {len(self.step_ids)} steps>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EventLog):
            return NotImplemented
        return all(np.array_equal(getattr(self, n), getattr(other, n), equal_nan=n in ("enabled", "start", "end"))
                   for n in _EVENT_DTYPES) and all(getattr(self, n) == getattr(other, n)
                                                    for n in ("step_ids", "labels", "lanes", "roles", "groups"))

    __hash__ = None  # type: ignore[assignment]  # mutable arrays

    @staticmethod
    def columns() -> list[str]:
        """The names of the per-event columns, in order.

        >>> EventLog.columns()
        ['case', 'step', 'member', 'enabled', 'start', 'end', 'abandoned']
        """
        return list(_EVENT_DTYPES)

    def resource(self, step: int, member: int) -> str | None:
        """The resource of an instance of step number ``step`` served by ``member``: ``"role#member"``,
        ``"group#member"`` for a member of a staff group, the role for an unlimited one, None without a member."""
        return member_name(self.roles[step], member, self.groups)

    def records(self) -> list[Event]:
        """The events one by one, as :class:`Event` records (slow for long logs: tables read the columns)."""
        out: list[Event] = []
        for k, s, m, en, st, e, ab in zip(self.case.tolist(), self.step.tolist(), self.member.tolist(),
                                          self.enabled.tolist(), self.start.tolist(), self.end.tolist(),
                                          self.abandoned.tolist()):
            out.append({"case": k, "step": self.step_ids[s], "label": self.labels[s], "lane": self.lanes[s],
                        "resource": self.resource(s, m), "enabled": en, "start": None if ab else st, "end": e,
                        "outcome": "abandoned" if ab else "completed"})
        return out


@dataclass
class Replication:
    """Everything one replication measured, as plain numbers (picklable, small); see the module notes."""

    seed: tuple[int, ...]
    horizon: float
    warmup: float
    interval: float
    steps: dict[str, StepFigures]
    roles: dict[str, RoleIntervals]
    role_totals: dict[str, RoleTotals]
    journeys: JourneyFigures
    events: EventLog | None = None
    step_intervals: dict[str, QueueIntervals] = field(default_factory=dict)
    # customers sent down each outgoing branch of a step, in the order of its branch flows
    branches: dict[str, list[int]] = field(default_factory=dict)
    outcome_time: OutcomeTimes = field(default_factory=OutcomeTimes)
    # skills-based routing: per staff group, the calls it took and its busy seconds per skill (in the group's order)
    served_calls: dict[str, list[float]] = field(default_factory=dict)
    served_busy: dict[str, list[float]] = field(default_factory=dict)
    # per step with a wait point and customer segment ("step@segment"): how the visits felt against the tolerance
    experience: dict[str, ExperienceIntervals] = field(default_factory=dict)
    # per staffed step whose wait point gives a tolerable duration, and segment: how its service time felt
    duration_experience: dict[str, ExperienceIntervals] = field(default_factory=dict)
    # per customer segment: the journeys against what they expected of the whole journey
    journey_experience: dict[str, JourneyExperience] = field(default_factory=dict)
