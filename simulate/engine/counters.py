"""What the engine counts while a replication runs, per step and per role, and the records it becomes.

The counters are plain lists and numbers the walk of each customer updates in
place (the hot path indexes them directly); at the end of the run each one
turns into its typed record of :mod:`simulate.engine.output`.

>>> c = StepCounters()
>>> c.arrivals, c.completions = 2, 2
>>> c.wait.add(0.0); c.wait.add(4.0)
>>> c.figures().wait_mean
2.0
"""

from __future__ import annotations

import math

from simulate.engine.output import ExperienceIntervals, QueueIntervals, RoleIntervals, RoleTotals, StepFigures
from simulate.engine.stats import SpanSum, Tally, TimeAverage

__all__ = ["QueueCounters", "RoleCounters", "StepCounters"]


class QueueCounters:
    """Per-interval counts of the queue in front of one step, by the interval customers joined it.

    ``over`` counts waits longer than ``tolerance`` (the step's wait point, else its
    role's target time, else 60 s), abandoners included: what fail points read.
    """

    __slots__ = ("arrivals", "waited", "over", "abandoned", "wait_sum", "tolerance")

    def __init__(self, n: int, tolerance: float) -> None:
        self.arrivals = [0] * n
        self.waited = [0] * n
        self.over = [0] * n
        self.abandoned = [0] * n
        self.wait_sum = [0.0] * n
        self.tolerance = tolerance

    def waits(self, i: int, wait: float) -> None:
        """A customer who joined in interval ``i`` (-1: after the last) waited ``wait`` seconds."""
        if i >= 0 and wait > 0:
            self.waited[i] += 1
            self.wait_sum[i] += wait
            if wait > self.tolerance:
                self.over[i] += 1

    def intervals(self) -> QueueIntervals:
        return QueueIntervals(arrivals=self.arrivals, waited=self.waited, over=self.over, abandoned=self.abandoned,
                              wait_sum=self.wait_sum, tolerance=self.tolerance)


class ExperienceCounters:
    """Per-interval experience of one step's visits by one customer segment, by the interval the visit began:
    visits judged against the wait point, those whose expectation was met, and the sums of their gaps and losses
    (in tolerances, :mod:`blueprint.experience`)."""

    __slots__ = ("judged", "met", "gap", "loss")

    def __init__(self, n: int) -> None:
        self.judged = [0] * n
        self.met = [0] * n
        self.gap = [0.0] * n
        self.loss = [0.0] * n

    def add(self, i: int, met: bool, gap: float) -> None:
        if 0 <= i < len(self.judged):
            self.judged[i] += 1
            if met:
                self.met[i] += 1
            self.gap[i] += gap
            if gap < 0:
                self.loss[i] -= gap

    def intervals(self) -> ExperienceIntervals:
        return ExperienceIntervals(judged=self.judged, met=self.met, gap_sum=self.gap, loss_sum=self.loss)


class StepCounters:
    """Counts of one step over the counted customers; ``queue`` for steps with a queue (staffed steps
    and joins); ``branch_n`` the customers sent down each of its branch flows."""

    __slots__ = ("arrivals", "completions", "abandonments", "failures", "within", "judged", "wait", "duration_sum",
                 "queue", "branch_n", "blocked")

    def __init__(self) -> None:
        self.arrivals = 0
        self.completions = 0
        self.abandonments = 0
        self.failures = 0
        self.within = 0
        self.judged = 0
        self.wait = Tally()
        self.duration_sum = 0.0
        self.queue: QueueCounters | None = None
        self.branch_n: list[int] = []
        self.blocked = 0

    def figures(self) -> StepFigures:
        wait = self.wait
        waited = wait.count
        none = 0.0 if self.arrivals else math.nan  # steps nobody queues at have no wait tally: their waits are all 0
        return StepFigures(
            arrivals=self.arrivals,
            completions=self.completions,
            abandonments=self.abandonments,
            failures=self.failures,
            wait_mean=wait.mean if waited else none,
            wait_p50=wait.quantile(0.5) if waited else none,
            wait_p90=wait.quantile(0.9) if waited else none,
            wait_p95=wait.quantile(0.95) if waited else none,
            wait_max=wait.max if waited else none,
            duration_mean=self.duration_sum / self.completions if self.completions else math.nan,
            within_tolerance=self.within / self.judged if self.judged else math.nan,
            blocked=self.blocked,
        )


class RoleCounters:
    """Per-interval counts of one role's queue and staff; ``target`` the wait its service level counts within."""

    def __init__(self, n: int, width: float, target: float) -> None:
        self.n = n
        self.width = width
        self.target = target
        self.arrivals = [0.0] * n
        self.answered = [0.0] * n
        self.within = [0.0] * n
        self.abandoned = [0.0] * n
        self.wait_sum = [0.0] * n
        self.work = [0.0] * n
        self.on_duty = TimeAverage(n, width)
        self.staff_busy = SpanSum(n, width)  # members' busy spans
        self.unlimited_busy = TimeAverage(n, width)  # the level of an unlimited role's customers in service
        self.busy: SpanSum | TimeAverage = self.staff_busy  # the one reported: unlimited_busy for an unlimited role
        self.queue = SpanSum(n, width)
        self.blocked = [0.0] * n  # found the waiting room full
        self.balked = [0.0] * n  # left at once rather than wait

    def index(self, t: float) -> int:
        """The interval of time ``t``; -1 after the last."""
        i = int(t // self.width)
        return i if i < self.n else -1

    def answer(self, i: int, wait: float) -> None:
        """A customer who joined in interval ``i`` is answered after ``wait`` seconds."""
        if i >= 0:
            self.answered[i] += 1
            self.wait_sum[i] += wait
            if wait <= self.target:
                self.within[i] += 1

    def intervals(self) -> RoleIntervals:
        w = self.width
        return RoleIntervals(
            arrivals=self.arrivals,
            answered=self.answered,
            within=self.within,
            abandoned=self.abandoned,
            wait_sum=self.wait_sum,
            work=self.work,
            on_duty=[a / w for a in self.on_duty.area],
            busy=[a / w for a in self.busy.area],
            queue_mean=[a / w for a in self.queue.area],
            queue_max=[float(x) for x in self.queue.peak],  # peaks are headcounts: ints among floats
            blocked=self.blocked,
            balked=self.balked,
        )

    def totals(self, paid_hours: float, cost_per_hour: float, warmup: float, horizon: float) -> RoleTotals:
        """Over ``[warmup, horizon)``, counted from the first whole interval after the warm-up."""
        w = self.width
        first = min(int(math.ceil(warmup / w)), self.n)
        span = horizon - first * w
        return RoleTotals(
            paid_hours=paid_hours,
            cost=paid_hours * cost_per_hour,
            on_duty=sum(self.on_duty.area[first:]) / span if span > 0 else math.nan,
            busy=sum(self.busy.area[first:]) / span if span > 0 else math.nan,
            target_seconds=self.target,
        )
