"""One replication of a blueprint as a SimPy simulation.

Customers arrive as the blueprint's arrivals say and walk its flows. At a
staffed step they wait for a member of its role (larger priority first, then
first come, first served), give up when their patience runs out (and maybe
call back along a retry flow), are served for the sampled duration, and move
on by the branch probabilities. Staff follow the role's staffing over time.

Rules worth knowing (they are the model, not accidents):

* A member stays with the customer across directly following steps of the same
  role, and across steps in between that take no staff (a CRM lookup while the
  agent is on the call); the customer is handed back when the journey moves to
  a customer action, another role, parallel work, a failure or an exit.
* When the headcount falls, idle members leave at once; busy ones finish the
  customer in hand first and take no new ones. When it rises, members about to
  leave stay on before new ones join. Only the difference joins or leaves.
* Patience is drawn once per customer and applies afresh to each queue.
* A failed visit (declared fail point) sends the customer to the recovery
  step with the member released; without a recovery step the customer is lost.
* Time is in seconds from Monday 00:00 of the first simulated day.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from heapq import heappush
from typing import Any

import networkx as nx
import numpy as np
import simpy

from blueprint import Blueprint, Lane, to_networkx
from blueprint.arrivals import Arrivals, timestamp_seconds
from blueprint.staffing import DAY, WEEK
from simulate.engine.output import (
    JourneyFigures,
    OutcomeTimes,
    QueueIntervals,
    Replication,
    RoleIntervals,
    RoleTotals,
    StepFigures,
)
from simulate.engine.pool import Member, StaffPool, UnlimitedPool
from simulate.engine.stats import SpanSum, Tally, TimeAverage
from simulate.engine.streams import CHUNK_BITS, CustomerDraws, substream
from simulate.engine.timeline import Timeline, headcount_timeline, integrate, paid_timeline, profile_timeline

__all__ = ["Replication", "RunawayJourney", "simulate_once", "DEFAULT_TARGET_SECONDS", "MAX_STEPS_PER_JOURNEY"]

DEFAULT_TARGET_SECONDS = 60.0
MAX_STEPS_PER_JOURNEY = 100_000
_CHUNK_MASK = (1 << CHUNK_BITS) - 1  # a journey longer than this is a loop that (almost) never exits


class RunawayJourney(RuntimeError):
    """A customer went round a loop so often that the blueprint almost never lets them out."""


def _uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n)


def _standard_exponentials(rng: np.random.Generator, batch: int = 1024) -> Generator[float, None, None]:
    """Exp(1) values, drawn ``batch`` at a time."""
    while True:
        yield from rng.standard_exponential(batch).tolist()


@dataclass
class _Branch:
    cum: list[float]
    targets: list[str]
    transfer: list[bool]
    delays: list[Any]


@dataclass
class _StepInfo:
    id: str
    label: str
    lane: Lane
    role: str | None
    dist: Any
    visible: bool
    branch: _Branch | None
    parallel: list[str]
    join_step: str | None
    retry: _Branch | None
    fail_p: float
    recovery: str | None
    tolerance: float | None
    is_join: bool
    d_duration: Any = None
    d_branch: Any = None
    d_fail: Any = None
    trivial: bool = False  # takes no time or staff, decides nothing: passed straight through
    in_cycle: bool = True  # can be visited more than once
    next_step: str | None = None
    pool: Any = None
    rs: Any = None


class _Started:
    """An event that has already happened, with no value: how a process is started."""

    _ok = True
    _value = None


_STARTED = _Started()


class _StartedProcess(simpy.Process):
    """A customer's process, lighter than SimPy's own in two ways.

    - Its generator starts at once, in the caller's moment, instead of through an
      extra Initialize event.
    - When it ends and nothing waits for it (a customer's journey: nobody does), it
      is not scheduled as an event of its own.

    Together they save two of the five events SimPy spends per customer. An
    exception in a journey (:class:`RunawayJourney`), or in one of its parallel
    branches, propagates out of the run.
    It relies on SimPy 4's ``Process`` internals (``_resume``, ``_generator``,
    ``_target``), hence the pin below SimPy 5.
    """

    def __init__(self, env: simpy.Environment, generator: Generator[Any, Any, Any]) -> None:
        self.env = env
        self.callbacks = []
        self._value = simpy.events.PENDING
        self._generator = generator
        self._target = None  # type: ignore[assignment]
        active = env._active_proc
        self._resume(_STARTED)  # type: ignore[arg-type]
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


class _Delay(simpy.Event):
    """A timeout: what ``env.timeout`` makes, without its checks and calls (the engine's
    delays are never negative). One is made per arrival and per step with a duration."""

    def __init__(self, env: simpy.Environment, delay: float) -> None:
        self.env = env
        self.callbacks = []
        self._ok = True
        self._value = None
        heappush(env._queue, (env._now + delay, 1, next(env._eid), self))  # 1: SimPy's NORMAL priority


class _Journey:
    """One customer's journey. Rarely changed fields keep their class defaults until set."""

    transfers = 0
    failed = False
    held: tuple[Any, Member] | None = None
    visible_wait = 0.0
    backstage_wait = 0.0
    join_first: dict[str, float] | None = None
    retries = 0
    visits: dict[str, int] | None = None  # visits per step, for steps inside loops only

    def __init__(self, k: int, arrived: float, priority: int, patience: float, count: bool) -> None:
        self.k = k
        self.arrived = arrived
        self.priority = priority
        self.patience = patience
        self.steps = 0
        self.count = count


class _StepStats:
    __slots__ = ("arrivals", "completions", "abandonments", "failures", "within", "judged", "wait", "duration_sum", "iv", "branch_n")

    def __init__(self) -> None:
        self.arrivals = 0
        self.completions = 0
        self.abandonments = 0
        self.failures = 0
        self.within = 0
        self.judged = 0
        self.wait = Tally()
        self.duration_sum = 0.0
        self.iv: _StepIntervals | None = None  # queue steps only
        self.branch_n: list[int] = []  # customers sent down each outgoing branch


class _StepIntervals:
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
        if i >= 0 and wait > 0:
            self.waited[i] += 1
            self.wait_sum[i] += wait
            if wait > self.tolerance:
                self.over[i] += 1


class _RoleStats:
    """Per-interval counts of one role's queue, indexed once per event."""

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
        self.busy = SpanSum(n, width)
        self.queue = SpanSum(n, width)
        self.unlimited_busy = TimeAverage(n, width)

    def index(self, t: float) -> int:
        i = int(t // self.width)
        return i if i < self.n else -1

    def answer(self, i: int, wait: float) -> None:
        if i >= 0:
            self.answered[i] += 1
            self.wait_sum[i] += wait
            if wait <= self.target:
                self.within[i] += 1


def _branch(flows: list[Any]) -> _Branch | None:
    if not flows:
        return None
    given = sum(f.probability for f in flows if f.probability is not None)
    cum, targets, transfer, delays = [], [], [], []
    acc = 0.0
    for f in flows:
        p = f.probability if f.probability is not None else (1.0 - given if f.otherwise or len(flows) == 1 else 0.0)
        if len(flows) == 1 and f.probability is None:
            p = 1.0
        acc += p
        cum.append(acc)
        targets.append(f.target)
        transfer.append(f.kind.value == "transfer")
        delays.append(f.delay)
    return _Branch(cum, targets, transfer, delays)


class _Model:
    def __init__(
        self,
        bp: Blueprint,
        root: np.random.SeedSequence,
        *,
        horizon: float,
        warmup: float,
        interval: float,
        record_events: bool,
    ) -> None:
        self.bp = bp
        self.env = simpy.Environment()
        self.root = root
        self.horizon = horizon
        self.warmup = warmup
        self.interval = interval
        self.n_intervals = int(math.ceil(horizon / interval))
        self.events: list[dict[str, Any]] | None = [] if record_events else None
        self.steps: dict[str, _StepInfo] = {}
        join_of = {s.join: s.id for s in bp.steps if s.join}
        for s in bp.steps:
            flows = bp.flows_from(s.id)
            self.steps[s.id] = _StepInfo(
                id=s.id,
                label=s.label,
                lane=s.lane,
                role=s.role,
                dist=s.duration,
                visible=s.lane in (Lane.CUSTOMER, Lane.ONSTAGE),
                branch=_branch([f for f in flows if f.is_branch]),
                parallel=[f.target for f in flows if f.kind.value == "parallel"],
                join_step=join_of.get(s.id),
                retry=_branch([f for f in flows if f.kind.value == "retry"]),
                fail_p=(s.fail_point.probability or 0.0) if s.fail_point else 0.0,
                recovery=s.fail_point.recovery if s.fail_point else None,
                tolerance=s.wait_point.tolerance.seconds if s.wait_point else None,
                is_join=s.join is not None,
            )
        self._draws: dict[tuple[Any, ...], CustomerDraws] = {}
        for info in self.steps.values():  # first visits, looked up without building a key
            if info.dist is not None:
                info.d_duration = self.draws("duration", info.id, 0, sampler=info.dist.sample)
            info.d_branch = self.draws("branch", info.id, 0)
            info.d_fail = self.draws("fail", info.id, 0)
            b = info.branch
            info.trivial = (
                info.role is None and info.dist is None and info.fail_p == 0 and not info.parallel
                and not info.is_join and info.tolerance is None and info.retry is None
                and (b is None or (len(b.targets) == 1 and b.delays[0] is None and not b.transfer[0]))
            )
            info.next_step = b.targets[0] if b is not None and len(b.targets) == 1 else None
        g = to_networkx(bp)
        cyclic: set[str] = set()
        for comp in nx.strongly_connected_components(g):
            if len(comp) > 1 or any(g.has_edge(n, n) for n in comp):
                cyclic |= comp
        for info in self.steps.values():
            info.in_cycle = info.id in cyclic
        self.step_stats = {sid: _StepStats() for sid in self.steps}
        for info in self.steps.values():
            st = self.step_stats[info.id]
            if info.branch is not None:
                st.branch_n = [0] * len(info.branch.targets)
        self.journey_time = Tally()
        self.journey_sums = {"transfers": 0.0, "steps": 0.0, "visible_wait": 0.0, "backstage_wait": 0.0}
        self.outcomes = {"completed": 0, "recovered": 0, "abandoned": 0, "failed": 0}
        self.arrivals = 0
        self.counted_arrivals = 0
        self.retries = 0
        # staff
        self.pools: dict[str, Any] = {}
        self.role_stats: dict[str, _RoleStats] = {}
        self.timelines: dict[str, Timeline] = {}
        self.paid: dict[str, Timeline] = {}
        for r in bp.roles:
            target = bp.target_for(r.name)
            within = target.within.seconds if target and target.within else self._tolerance_of(r.name)
            rs = _RoleStats(self.n_intervals, interval, within)
            self.role_stats[r.name] = rs
            staffing = r.staffing
            if staffing is not None and staffing.kind == "unlimited":
                self.pools[r.name] = UnlimitedPool(self.env, r.name, busy=rs.unlimited_busy)
                rs.busy = rs.unlimited_busy  # type: ignore[assignment]
                self.timelines[r.name] = [(0.0, math.inf)]
                self.paid[r.name] = [(0.0, 0)]
            else:
                self.pools[r.name] = StaffPool(
                    self.env, r.name, r.concurrency, on_duty=rs.on_duty, busy=rs.busy, queue=rs.queue
                )
                tl = headcount_timeline(staffing, horizon) if staffing is not None else [(0.0, 0)]
                self.timelines[r.name] = tl
                self.paid[r.name] = paid_timeline(staffing, horizon) if staffing is not None else [(0.0, 0)]
                _StartedProcess(self.env, self._staffing(self.pools[r.name], tl))
        for info in self.steps.values():
            if info.role is not None:
                info.pool = self.pools[info.role]
                info.rs = self.role_stats[info.role]
            if info.role is not None or info.is_join:
                own = info.tolerance
                if own is None:
                    own = info.rs.target if info.role is not None else DEFAULT_TARGET_SECONDS
                self.step_stats[info.id].iv = _StepIntervals(self.n_intervals, own)
        self.outcome_time = {"completed": 0.0, "recovered": 0.0, "abandoned": 0.0, "failed": 0.0}
        # chunks of customer numbers still in the system, to forget old draws
        self._alive: dict[int, int] = {}
        self._low_chunk = 0

    # -- helpers -----------------------------------------------------------------
    def _tolerance_of(self, role: str) -> float:
        for s in self.bp.steps:
            if s.role == role and s.wait_point is not None:
                return s.wait_point.tolerance.seconds
        return DEFAULT_TARGET_SECONDS

    def draws(self, *name: Any, sampler: Any = _uniform) -> CustomerDraws:
        d = self._draws.get(name)
        if d is None:
            d = self._draws[name] = CustomerDraws(self.root, name, sampler)
        return d

    def _staffing(self, pool: StaffPool, timeline: Timeline) -> Generator[Any, Any, None]:
        for t, n in timeline:
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            pool.set_headcount(n)

    # -- arrivals ----------------------------------------------------------------
    def _arrival_times(self, a: Arrivals, rng: np.random.Generator) -> Generator[float, None, None]:
        h = self.horizon
        gaps = _standard_exponentials(rng)  # unit-rate gaps, scaled by the rate in force
        if a.kind == "rate":
            assert a.rate is not None
            lam = a.rate.per_second
            if lam <= 0:
                return
            scale = 1.0 / lam
            t = 0.0
            while True:
                t += next(gaps) * scale
                if t >= h:
                    return
                yield t
        elif a.kind == "profile":
            assert a.profile is not None
            per = a.profile.interval.seconds
            tl = [(t, v / per) for t, v in profile_timeline(a.profile, h)]
            t = 0.0
            for i, (start, lam) in enumerate(tl):
                end = tl[i + 1][0] if i + 1 < len(tl) else h
                t = max(t, start)
                if lam <= 0:
                    continue
                scale = 1.0 / lam
                while True:  # exact: exponential gaps, restarted at each change of rate (memoryless)
                    t += next(gaps) * scale
                    if t >= end:
                        t = end
                        break
                    yield t
        else:
            stamps = [timestamp_seconds(s) for s in a.times or []]
            weekly = any(" " in s for s in a.times or [])
            period = WEEK if weekly else DAY
            base = 0.0
            while base < h:
                for s in stamps:
                    if base + s < h:
                        yield base + s
                base += period

    def _arrivals(self, index: int, a: Arrivals) -> None:
        """Start one arrival stream: each arrival is an event whose callback lets the customer in
        and schedules the next arrival (no process of its own: one generator switch fewer each)."""
        rng = substream(self.root, "arrivals", index, a.name)
        segments = a.segment_list()
        cum, acc = [], 0.0
        for s in segments:
            acc += s.share
            cum.append(acc)
        seg_draw = self.draws("segment", a.name)
        patience_draws = [
            self.draws("patience", a.name, s.name, sampler=p.sample) if (p := a.patience_of(s)) is not None else None
            for s in segments
        ]
        env = self.env
        n_seg = len(segments)
        priorities = [s.priority for s in segments]
        warmup = self.warmup
        alive = self._alive
        walk = self._walk
        entry = a.step
        inf = math.inf
        times = self._arrival_times(a, rng)
        pending = [next(times, None)]  # the next arrival's exact time

        def arrive(_event: Any = None) -> None:
            t = pending[0]
            while t is not None:
                now = env._now
                if t > now:
                    _Delay(env, t - now).callbacks.append(arrive)
                    pending[0] = t
                    return
                k = self.arrivals
                self.arrivals = k + 1
                j = 0
                if n_seg > 1:
                    u = seg_draw.get(k)
                    while j < n_seg - 1 and u >= cum[j]:
                        j += 1
                pd = patience_draws[j]
                counted = t >= warmup
                if counted:
                    self.counted_arrivals += 1
                c = k >> CHUNK_BITS
                alive[c] = alive.get(c, 0) + 1
                journey = _Journey(k, t, priorities[j], pd.get(k) if pd is not None else inf, counted)
                _StartedProcess(env, walk(journey, entry, None, True, True))
                t = next(times, None)
            pending[0] = None

        arrive()

    # -- customers ---------------------------------------------------------------
    def _end(self, j: _Journey, outcome: str) -> str:
        """A journey ends: hand back the member and record it."""
        if j.held is not None:
            self._release(j)
        if j.count:
            spent = self.env._now - j.arrived
            self.journey_time.add(spent)
            sums = self.journey_sums
            sums["steps"] += j.steps
            if j.transfers:
                sums["transfers"] += j.transfers
            if j.visible_wait:
                sums["visible_wait"] += j.visible_wait
            if j.backstage_wait:
                sums["backstage_wait"] += j.backstage_wait
            kind = ("recovered" if j.failed else "completed") if outcome == "exit" else outcome
            self.outcomes[kind] += 1
            self.outcome_time[kind] += spent
        c = j.k >> CHUNK_BITS
        alive = self._alive
        alive[c] -= 1
        if c == self._low_chunk and alive[c] == 0:
            low = c
            while alive.get(low, 1) == 0 and (low + 1) << CHUNK_BITS <= self.arrivals:
                del alive[low]
                low += 1
            if low != self._low_chunk:
                self._low_chunk = low
                for d in self._draws.values():
                    d.forget_below(low << CHUNK_BITS)
        return outcome

    def _release(self, j: _Journey) -> None:
        if j.held is not None:
            pool, member = j.held
            j.held = None
            pool.release(member)

    def _walk(self, j: _Journey, step_id: str, stop_at: str | None, hold: bool = True, main: bool = False) -> Generator[Any, Any, str]:
        """Walk from ``step_id`` until an exit (or ``stop_at``, the join of a parallel branch).

        The ``main`` walk is the customer's journey and records its end; branches of
        parallel work (``hold=False``) hand their member back after each step.
        """
        env = self.env
        steps = self.steps
        stats = self.step_stats
        count = j.count
        k = j.k
        while True:
            if step_id == stop_at:
                if j.join_first is None:
                    j.join_first = {}
                j.join_first.setdefault(step_id, env.now)
                return "joined"  # only branches stop at a join
            info = steps[step_id]
            st = stats[step_id]
            if info.trivial and self.events is None:
                if count:
                    st.arrivals += 1
                    st.completions += 1
                j.steps += 1
                if j.held is not None and info.lane is Lane.CUSTOMER:
                    self._release(j)
                nxt_id = info.next_step
                if nxt_id is None:
                    return self._end(j, "exit") if main else "exit"
                if j.held is not None:
                    nxt = steps[nxt_id]
                    held_role = j.held[0].name
                    if (nxt.role is not None and nxt.role != held_role) or (nxt.role is None and nxt.lane is Lane.CUSTOMER):
                        self._release(j)
                step_id = nxt_id
                continue
            j.steps += 1
            if info.in_cycle:
                visits = j.visits
                if visits is None:
                    visits = j.visits = {}
                visit = visits.get(step_id, 0)
                visits[step_id] = visit + 1
                if j.steps > MAX_STEPS_PER_JOURNEY:
                    raise RunawayJourney(
                        f"customer {k} has visited {j.steps} steps (last {step_id!r}, {visit + 1} times): "
                        "a loop or retry flow lets customers out too rarely"
                    )
            else:
                visit = 0  # a step outside every loop is visited once
            t_enter = env._now
            if count:
                st.arrivals += 1
            if info.dist is not None:
                if visit == 0:
                    chunk = info.d_duration._chunks.get(k >> CHUNK_BITS)
                    duration = chunk[k & _CHUNK_MASK] if chunk is not None else info.d_duration.get(k)
                else:
                    duration = self._visit_draws("duration", info, visit, info.dist).get(k)
            else:
                duration = 0.0
            wait = 0.0
            member = None
            pool = None
            if info.role is not None:
                pool = info.pool
                rs = info.rs
                i = int(t_enter // rs.width)
                if i >= rs.n:
                    i = -1
                else:
                    rs.work[i] += duration
                held = j.held
                if held is not None and held[0] is pool:
                    member = held[1]
                else:
                    if held is not None:
                        self._release(j)
                    if i >= 0:
                        rs.arrivals[i] += 1
                        st.iv.arrivals[i] += 1  # type: ignore[union-attr]
                    member = pool.take()  # a free member at once: no event to wait for
                    if member is None:
                        req = pool.request(j.priority, k)
                        if j.patience < math.inf:
                            _Delay(env, j.patience).callbacks.append(lambda _e, pool=pool, req=req: pool.renege(req))
                        member = yield req
                        wait = env._now - t_enter
                        st.iv.waits(i, wait)  # type: ignore[union-attr]
                    if member is None:
                        if i >= 0:
                            rs.abandoned[i] += 1
                            st.iv.abandoned[i] += 1  # type: ignore[union-attr]
                        if count:
                            st.abandonments += 1
                            st.wait.add(wait)
                            self._add_wait(j, info, wait)
                        if self.events is not None:
                            self._log(j, info, t_enter, None, env.now, "abandoned")
                        nxt = yield from self._retry(j, info, visit)
                        if nxt is None:
                            return self._end(j, "abandoned") if main else "abandoned"
                        step_id = nxt
                        continue
                    if i >= 0:
                        rs.answered[i] += 1
                        if wait:
                            rs.wait_sum[i] += wait
                        if wait <= rs.target:
                            rs.within[i] += 1
                    if count:
                        st.wait.add(wait)
                        if wait:
                            self._add_wait(j, info, wait)
                    if hold:
                        j.held = (pool, member)
            elif j.held is not None:
                if info.lane is Lane.CUSTOMER:
                    self._release(j)
                elif duration > 0:  # a system step while the member stays: their work too
                    hrs = self.role_stats[j.held[0].name]
                    hi = int(t_enter // hrs.width)
                    if hi < hrs.n:
                        hrs.work[hi] += duration
            if info.is_join:
                wait = env.now - (j.join_first or {}).get(step_id, env.now)
                ii = int(t_enter // self.interval)
                if ii < self.n_intervals:
                    st.iv.arrivals[ii] += 1  # type: ignore[union-attr]
                    st.iv.waits(ii, wait)  # type: ignore[union-attr]
                if count:
                    st.wait.add(wait)
                    self._add_wait(j, info, wait)
            t_start = env._now
            if duration > 0:
                yield _Delay(env, duration)
            if member is not None and not hold:
                pool.release(member)  # type: ignore[union-attr]
            if count:
                st.completions += 1
                st.duration_sum += duration
                if info.tolerance is not None:
                    felt = wait if (info.role is not None or info.is_join) else duration
                    st.judged += 1
                    if felt <= info.tolerance:
                        st.within += 1
            if self.events is not None:
                self._log(j, info, t_start - wait if info.role else t_enter, t_start, env.now, "completed",
                          f"{info.role}#{member.id}" if member is not None else None)
            # a declared fail point
            if info.fail_p > 0 and (info.d_fail if visit == 0 else self._visit_draws("fail", info, visit)).get(k) < info.fail_p:
                if count:
                    st.failures += 1
                j.failed = True
                self._release(j)
                if info.recovery is None:
                    return self._end(j, "failed") if main else "failed"
                step_id = info.recovery
                continue
            # parallel work
            if info.parallel:
                self._release(j)
                stop = info.join_step
                branches = [env.process(self._walk(j, t, stop, hold=False)) for t in info.parallel]
                results = yield env.all_of(branches)
                outcomes = [results[p] for p in branches]
                for bad in ("abandoned", "failed"):
                    if bad in outcomes:
                        return self._end(j, bad) if main else bad
                if stop is None:
                    return self._end(j, "exit") if main else "exit"
                step_id = stop
                continue
            # branches
            b = info.branch
            if b is None:
                return self._end(j, "exit") if main else "exit"
            if len(b.targets) == 1:
                i = 0
            else:
                u = (info.d_branch if visit == 0 else self._visit_draws("branch", info, visit)).get(k)
                cum = b.cum
                i = 0
                last = len(cum) - 1
                while i < last and u >= cum[i]:
                    i += 1
            if count:
                st.branch_n[i] += 1
            if b.transfer[i]:
                j.transfers += 1
            nxt_id = b.targets[i]
            if j.held is not None:
                nxt = steps[nxt_id]
                held_role = j.held[0].name
                if (nxt.role is not None and nxt.role != held_role) or (nxt.role is None and nxt.lane is Lane.CUSTOMER):
                    self._release(j)
            delay = b.delays[i]
            if delay is not None:
                self._release(j)
                yield env.timeout(self._visit_draws(f"delay:{i}", info, visit, delay).get(k))
            step_id = nxt_id

    def _visit_draws(self, kind: str, info: _StepInfo, visit: int, dist: Any = None) -> CustomerDraws:
        """Draws for the ``visit``-th visit of a step (0 for the first)."""
        return self.draws(kind, info.id, visit, sampler=dist.sample if dist is not None else _uniform)

    def _retry(self, j: _Journey, info: _StepInfo, visit: int) -> Generator[Any, Any, str | None]:
        r = info.retry
        if r is None:
            return None
        u = self._visit_draws("retry", info, visit).get(j.k)
        for i, c in enumerate(r.cum):
            if u < c:
                delay = r.delays[i]
                if delay is not None:
                    yield self.env.timeout(self._visit_draws(f"retry-delay:{i}", info, visit, delay).get(j.k))
                j.retries += 1
                self.retries += 1
                return r.targets[i]
        return None

    def _add_wait(self, j: _Journey, info: _StepInfo, wait: float) -> None:
        if info.visible:
            j.visible_wait += wait
        else:
            j.backstage_wait += wait

    def _log(self, j: _Journey, info: _StepInfo, enabled: float, start: float | None, end: float, outcome: str, resource: str | None = None) -> None:
        if self.events is not None:
            self.events.append(
                {"case": j.k, "step": info.id, "label": info.label, "lane": info.lane.value, "resource": resource,
                 "enabled": enabled, "start": start, "end": end, "outcome": outcome}
            )

    # -- run ---------------------------------------------------------------------
    def run(self) -> Replication:
        for i, a in enumerate(self.bp.arrivals):
            self._arrivals(i, a)
        self.env.run(until=self.horizon)
        now = self.horizon
        for name, rs in self.role_stats.items():
            rs.on_duty.advance(now)
            self.pools[name].flush(now)
        return self._collect()

    def _collect(self) -> Replication:
        steps: dict[str, StepFigures] = {}
        for sid, st in self.step_stats.items():
            # steps nobody queues at have no wait tally: their waits are all 0
            none = 0.0 if st.arrivals else math.nan
            counted = st.wait.count
            steps[sid] = StepFigures(
                arrivals=st.arrivals,
                completions=st.completions,
                abandonments=st.abandonments,
                failures=st.failures,
                wait_mean=st.wait.mean if counted else none,
                wait_p50=st.wait.quantile(0.5) if counted else none,
                wait_p90=st.wait.quantile(0.9) if counted else none,
                wait_p95=st.wait.quantile(0.95) if counted else none,
                wait_max=st.wait.max if counted else none,
                duration_mean=st.duration_sum / st.completions if st.completions else math.nan,
                within_tolerance=st.within / st.judged if st.judged else math.nan,
            )
        roles: dict[str, RoleIntervals] = {}
        totals: dict[str, RoleTotals] = {}
        for name, rs in self.role_stats.items():
            w = rs.width
            roles[name] = RoleIntervals(
                arrivals=rs.arrivals,
                answered=rs.answered,
                within=rs.within,
                abandoned=rs.abandoned,
                wait_sum=rs.wait_sum,
                work=rs.work,
                on_duty=[a / w for a in rs.on_duty.area],
                busy=[a / w for a in rs.busy.area],
                queue_mean=[a / w for a in rs.queue.area],
                queue_max=[float(x) for x in rs.queue.peak],  # peaks are headcounts: ints among floats
            )
            paid = integrate(self.paid[name], self.warmup, self.horizon) / 3600
            role = self.bp.get_role(name)
            first = min(int(math.ceil(self.warmup / w)), self.n_intervals)
            span = self.horizon - first * w
            totals[name] = RoleTotals(
                paid_hours=paid,
                cost=paid * role.cost_per_hour,
                on_duty=sum(rs.on_duty.area[first:]) / span if span > 0 else math.nan,
                busy=sum(rs.busy.area[first:]) / span if span > 0 else math.nan,
                target_seconds=rs.target,
            )
        return Replication(
            seed=tuple(self.root.spawn_key), horizon=self.horizon, warmup=self.warmup, interval=self.interval,
            steps=steps, roles=roles, role_totals=totals, journeys=self._journeys(), events=self.events,
            step_intervals={
                sid: QueueIntervals(arrivals=st.iv.arrivals, waited=st.iv.waited, over=st.iv.over,
                                    abandoned=st.iv.abandoned, wait_sum=st.iv.wait_sum, tolerance=st.iv.tolerance)
                for sid, st in self.step_stats.items() if st.iv is not None
            },
            branches={sid: list(st.branch_n) for sid, st in self.step_stats.items() if st.branch_n},
            outcome_time=OutcomeTimes(**self.outcome_time),
        )

    def _journeys(self) -> JourneyFigures:
        o = self.outcomes
        n_done = self.journey_time.count
        sums = self.journey_sums
        counted = self.horizon - self.warmup
        return JourneyFigures(
            arrivals=self.counted_arrivals,
            completed=o["completed"],
            recovered=o["recovered"],
            abandoned=o["abandoned"],
            failed=o["failed"],
            in_system=self.counted_arrivals - sum(o.values()),
            retries=self.retries,
            time_in_system_mean=self.journey_time.mean,
            time_in_system_p90=self.journey_time.quantile(0.9),
            transfers_mean=sums["transfers"] / n_done if n_done else math.nan,
            steps_mean=sums["steps"] / n_done if n_done else math.nan,
            visible_wait_mean=sums["visible_wait"] / n_done if n_done else math.nan,
            backstage_wait_mean=sums["backstage_wait"] / n_done if n_done else math.nan,
            throughput_per_hour=(o["completed"] + o["recovered"]) / (counted / 3600) if counted > 0 else math.nan,
        )


def simulate_once(
    bp: Blueprint,
    root: np.random.SeedSequence,
    *,
    horizon: float,
    warmup: float = 0.0,
    interval: float = 900.0,
    record_events: bool = False,
) -> Replication:
    """Run one replication with the random streams under ``root``."""
    return _Model(bp, root, horizon=horizon, warmup=warmup, interval=interval, record_events=record_events).run()
