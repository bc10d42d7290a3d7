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
  a customer action, another role, parallel work, a failure or an exit
  (:mod:`simulate.engine.semantics` says it once for everyone).
* When the headcount falls, idle members leave at once; busy ones finish the
  customer in hand first and take no new ones. When it rises, members about to
  leave stay on before new ones join. Only the difference joins or leaves.
* Patience is drawn once per customer and applies afresh to each queue (or, with
  ``routing.patience: per_queue``, a new value is drawn at each queue).
* A failed visit (declared fail point) sends the customer to the recovery
  step with the member released; without a recovery step the customer is lost.
* Time is in seconds from Monday 00:00 of the first simulated day.

The walk of a customer knows the current time: it is where the walk started,
or the value of the last event it waited for (:mod:`simulate.engine.kernel`),
and it passes it on to the staff pools, so the hot path never asks SimPy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy

from blueprint import Arrivals, Blueprint, Distribution, Route
from blueprint.visits import normalised
from simulate.engine.arrivals import arrival_times
from simulate.engine.counters import ExperienceCounters, QueueCounters, RoleCounters, StepCounters
from simulate.engine.kernel import Delay, Process, start
from simulate.engine.output import NO_MEMBER, JourneyExperience, JourneyFigures, OutcomeTimes, Replication
from simulate.engine.pool import Member, StaffPool, UnlimitedPool
from simulate.engine.recorder import EventRecorder
from simulate.engine.routing import RoutedPool, Router, SkillState
from simulate.engine.semantics import BranchTable, keeps_member
from simulate.engine.stats import Tally
from simulate.engine.steps import StepRecord, compile_steps
from simulate.engine.streams import CHUNK_BITS, CustomerDraws, substream
from simulate.engine.timeline import Timeline, headcount_timeline, integrate, paid_timeline

__all__ = ["Replication", "RunawayJourney", "simulate_once", "DEFAULT_TARGET_SECONDS", "MAX_STEPS_PER_JOURNEY"]

DEFAULT_TARGET_SECONDS = 60.0
MAX_STEPS_PER_JOURNEY = 100_000
_CHUNK_MASK = (1 << CHUNK_BITS) - 1  # a journey longer than this is a loop that (almost) never exits
_OUTCOMES = ("completed", "recovered", "abandoned", "failed", "blocked")

Pool = StaffPool | UnlimitedPool | RoutedPool
Sampler = Callable[[np.random.Generator, int], Any]


class RunawayJourney(RuntimeError):
    """A customer went round a loop so often that the blueprint almost never lets them out."""


def _uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.random(n)


class _Journey:
    """One customer's journey. Rarely changed fields keep their class defaults until set."""

    transfers = 0
    failed = False
    held: tuple[Pool, Member] | None = None  # the member with the customer, and their pool
    visible_wait = 0.0
    backstage_wait = 0.0
    join_first: dict[str, float] | None = None
    retries = 0
    refusal = ""  # why a queue turned the customer away: "blocked" or "balked"
    visits: dict[str, int] | None = None  # visits per step, for steps inside loops only
    lost: str | None = None  # "blocked": a call-back found every line taken
    line = False  # holds one of the trunks
    fresh: tuple[str, str, Distribution] | None = None  # patience drawn afresh at each queue: (arrivals, segment, law)
    segment = 0  # the customer's segment: its index in the model's ``segments``
    exp_gap = 0.0  # the gaps of the visits to wait points so far, in tolerances
    exp_missed = False  # some visit's wait was felt past its tolerance

    def __init__(self, k: int, arrived: float, priority: int, patience: float, count: bool) -> None:
        self.k = k
        self.arrived = arrived
        self.priority = priority
        self.patience = patience
        self.steps = 0
        self.count = count


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
        from blueprint.limits import LIMITS

        self.bp = bp
        self.max_in_system = LIMITS.max_in_system
        self.env = simpy.Environment()
        self.root = root
        self.horizon = horizon
        self.warmup = warmup
        self.interval = interval
        self.n_intervals = int(math.ceil(horizon / interval))
        self.lines = 0  # trunks taken
        self.day_factors: list[float] | None = None  # busyness: each day's factor on every arrival rate
        if bp.busyness is not None:
            shape = bp.busyness.shape
            days = int(math.ceil(horizon / 86_400.0))
            self.day_factors = substream(root, "busyness").gamma(shape, 1.0 / shape, size=days).tolist()
        self.steps: dict[str, StepRecord] = compile_steps(bp)
        self.events: EventRecorder | None = None
        if record_events:
            self.events = EventRecorder(((s.id, s.label, s.lane.value, s.role) for s in self.steps.values()),
                                        (g.name for g in bp.groups))
        self._draws: dict[tuple[Any, ...], CustomerDraws] = {}
        self._bind_draws()
        self._start_counting()
        self._start_staff()
        self._bind_steps()
        # chunks of customer numbers still in the system, to forget old draws
        self._alive: dict[int, int] = {}
        self._low_chunk = 0

    # -- setting up ----------------------------------------------------------------
    def _bind_draws(self) -> None:
        """The draws of each step's first visit, looked up on the hot path without building a key."""
        for info in self.steps.values():
            if info.dist is not None:
                info.d_duration = self.draws("duration", info.id, 0, sampler=info.dist.sample)
            info.d_branch = self.draws("branch", info.id, 0)
            info.d_fail = self.draws("fail", info.id, 0)

    def _start_counting(self) -> None:
        """Counters for the steps and the journeys; per step with a wait point, its tolerance and experience per
        customer segment."""
        self.segments = list(dict.fromkeys(seg.name for a in self.bp.arrivals for seg in a.segment_list()))
        self.experience = self.bp.experience
        expects = self.bp.expectations
        self.expects = [expects.for_segment(n) if expects is not None else None for n in self.segments]
        self.journey_exp = [JourneyExperience() for _ in self.segments]
        for info in self.steps.values():
            wp = self.bp.step(info.id).wait_point
            if wp is not None:
                info.tolerances = [wp.segments[n].seconds if n in wp.segments else wp.tolerance.seconds for n in self.segments]
                info.exp = [ExperienceCounters(self.n_intervals) for _ in self.segments]
                if wp.duration is not None:
                    info.duration_tolerances = [wp.duration_segments[n].seconds if n in wp.duration_segments
                                                else wp.duration.seconds for n in self.segments]
                    info.exp_duration = [ExperienceCounters(self.n_intervals) for _ in self.segments]
        self.step_stats = {sid: StepCounters() for sid in self.steps}
        for info in self.steps.values():
            if info.branch is not None:
                self.step_stats[info.id].branch_n = [0] * len(info.branch.targets)
        self.journey_time = Tally()
        self.journey_sums = {"transfers": 0.0, "steps": 0.0, "visible_wait": 0.0, "backstage_wait": 0.0}
        self.outcomes = dict.fromkeys(_OUTCOMES, 0)
        self.outcome_time = dict.fromkeys(_OUTCOMES, 0.0)
        self.arrivals = 0
        self.counted_arrivals = 0
        self.ended = 0  # journeys over: arrivals - ended are in the system
        self.retries = 0

    def _start_staff(self) -> None:
        """A pool and counters per role, and a process that follows each role's staffing."""
        self.pools: dict[str, Pool] = {}
        self.role_stats: dict[str, RoleCounters] = {}
        self.timelines: dict[str, Timeline] = {}
        self.paid: dict[str, Timeline] = {}
        horizon = self.horizon
        self.router: Router | None = None
        self.routed_pools: list[RoutedPool] = []
        self.skill_states: dict[str, SkillState] = {}
        if self.bp.groups:
            self._start_groups()
        skills = self.bp.skills()
        for r in self.bp.roles:
            target = self.bp.target_for(r.name)
            within = target.within.seconds if target and target.within else self._tolerance_of(r.name)
            rs = RoleCounters(self.n_intervals, self.interval, within)
            self.role_stats[r.name] = rs
            staffing = r.staffing
            if r.name in skills:  # a skill served by staff groups: its queue is the router's
                self.skill_states[r.name] = SkillState()
                self.pools[r.name] = self._routed_pool(r.name, None)
                self.timelines[r.name] = [(0.0, 0)]
                self.paid[r.name] = [(0.0, 0)]
            elif staffing is not None and staffing.kind == "unlimited":
                self.pools[r.name] = UnlimitedPool(self.env, r.name, busy=rs.unlimited_busy)
                rs.busy = rs.unlimited_busy
                self.timelines[r.name] = [(0.0, math.inf)]
                self.paid[r.name] = [(0.0, 0)]
            else:
                pool = StaffPool(self.env, r.name, r.concurrency, on_duty=rs.on_duty, busy=rs.staff_busy, queue=rs.queue)
                self.pools[r.name] = pool
                tl: Timeline = headcount_timeline(staffing, horizon) if staffing is not None else [(0.0, 0)]
                self.timelines[r.name] = tl
                self.paid[r.name] = paid_timeline(staffing, horizon) if staffing is not None else [(0.0, 0)]
                start(self.env, self._staffing(pool, tl))

    def _start_groups(self) -> None:
        """The router of skills-based routing, and a process that follows each group's staffing."""
        rng = substream(self.root, "routing")
        self.router = router = Router(self.env, self.bp, rng, self.n_intervals, self.interval)
        self.group_paid: dict[str, Timeline] = {}
        for g, spec in zip(router.groups, self.bp.groups, strict=True):
            tl: Timeline = headcount_timeline(spec.staffing, self.horizon) if spec.staffing is not None else [(0.0, 0)]
            self.group_paid[g.name] = paid_timeline(spec.staffing, self.horizon) if spec.staffing is not None else [(0.0, 0)]
            start(self.env, self._group_staffing(g.name, tl))

    def _group_staffing(self, name: str, timeline: Timeline) -> Generator[Any, Any, None]:
        env = self.env
        router = self.router
        assert router is not None
        group = router.by_name[name]
        for t, n in timeline:
            if t > env.now:
                yield env.timeout(t - env.now)
            router.set_headcount(group, n)

    def _routed_pool(self, skill: str, route: Route | None) -> RoutedPool:
        assert self.router is not None
        rs = self.role_stats[skill]
        pool = RoutedPool(self.router, skill, route, self.bp, busy=rs.staff_busy, queue=rs.queue,
                          state=self.skill_states[skill])
        self.routed_pools.append(pool)
        return pool

    def _bind_steps(self) -> None:
        """Each step's counters, and for staffed steps and joins the counters of their queue."""
        for info in self.steps.values():
            info.st = self.step_stats[info.id]
            if info.role is not None:
                info.rs = self.role_stats[info.role]
                route = self.bp.step(info.id).route
                info.pool = self._routed_pool(info.role, route) if route is not None else self.pools[info.role]
                info.routed = isinstance(info.pool, RoutedPool)
                role = self.bp.get_role(info.role)
                info.room = role.waiting_room
                info.balk = role.balking or 0.0
                info.refuses = info.room is not None or info.balk > 0
            if info.role is not None or info.is_join:
                own = info.tolerance
                if own is None:
                    own = info.rs.target if info.rs is not None else DEFAULT_TARGET_SECONDS
                info.queue = info.st.queue = QueueCounters(self.n_intervals, own)

    def _tolerance_of(self, role: str) -> float:
        for s in self.bp.steps:
            if s.role == role and s.wait_point is not None:
                return s.wait_point.tolerance.seconds
        return DEFAULT_TARGET_SECONDS

    def draws(self, *name: Any, sampler: Sampler = _uniform) -> CustomerDraws:
        """The draws of purpose ``name`` (e.g. ``("duration", step, visit)``), addressed by customer."""
        d = self._draws.get(name)
        if d is None:
            d = self._draws[name] = CustomerDraws(self.root, name, sampler)
        return d

    def _visit_draws(self, kind: str, info: StepRecord, visit: int, dist: Distribution | None = None) -> CustomerDraws:
        """Draws for the ``visit``-th visit of a step (0 for the first)."""
        return self.draws(kind, info.id, visit, sampler=dist.sample if dist is not None else _uniform)

    def _staffing(self, pool: StaffPool, timeline: Timeline) -> Generator[Any, Any, None]:
        env = self.env
        for t, n in timeline:
            if t > env.now:
                yield env.timeout(t - env.now)
            pool.set_headcount(n)

    # -- arrivals ------------------------------------------------------------------
    def _arrivals(self, index: int, a: Arrivals) -> None:
        """Start one arrival stream: each arrival is an event whose callback lets the customer in
        and schedules the next arrival (no process of its own: one generator switch fewer each)."""
        segments = a.segment_list()
        cum, acc = [], 0.0
        for share in normalised([s.share for s in segments]):
            acc += share
            cum.append(acc)
        seg_draw = self.draws("segment", a.name)
        patience_draws = [
            self.draws("patience", a.name, s.name, sampler=p.sample) if (p := a.patience_of(s)) is not None else None
            for s in segments
        ]
        per_queue = self.bp.routing.patience.value == "per_queue"
        fresh = [(a.name, s.name, p) if per_queue and (p := a.patience_of(s)) is not None else None for s in segments]
        env = self.env
        n_seg = len(segments)
        priorities = [s.priority for s in segments]
        segment_index = [self.segments.index(s.name) for s in segments]
        warmup = self.warmup
        alive = self._alive
        walk = self._walk
        most = self.max_in_system
        entry = a.step
        inf = math.inf
        trunks = self.bp.trunks
        times = arrival_times(a, substream(self.root, "arrivals", index, a.name), self.horizon, self.day_factors)
        pending = [next(times, None)]  # the next arrival's exact time

        def arrive(event: Delay | None = None) -> None:
            now = env.now if event is None else event.at
            t = pending[0]
            while t is not None:
                if t > now:
                    Delay(env, t - now).callbacks.append(arrive)
                    pending[0] = t
                    return
                k = self.arrivals
                if k - self.ended >= most:
                    self._overloaded(t)
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
                if segment_index[j]:
                    journey.segment = segment_index[j]
                if per_queue:
                    journey.fresh = fresh[j]
                if trunks is not None:
                    if self.lines >= trunks:  # every line taken: a busy signal
                        self._end(journey, "blocked", t)
                        t = next(times, None)
                        continue
                    self.lines += 1
                    journey.line = True
                Process(env, walk(journey, entry, None, now, True, True))  # start(), without the call
                t = next(times, None)
            pending[0] = None

        arrive()

    def _overloaded(self, t: float) -> None:
        """Stop a replication whose customers pile up past the limit (memory grows with each one waiting)."""
        from simulate.clock import interval_label
        from simulate.work import Overloaded

        queues = sorted(((p.waiting, name) for name, p in self.pools.items() if hasattr(p, "waiting")), reverse=True)
        worst = f"; the longest queue is for {queues[0][1]!r}, {queues[0][0]:,} waiting" if queues and queues[0][0] else ""
        raise Overloaded(f"more than {self.max_in_system:,} customers in the service at once at "
                         f"{interval_label(t, self.horizon)}{worst}: the blueprint cannot serve its arrivals (see the "
                         "capacity warnings of validate()); the limit keeps memory bounded, raise it with "
                         "blueprint.limits.limits_set(max_in_system=...)")

    # -- customers -----------------------------------------------------------------
    def _end(self, j: _Journey, outcome: str, now: float) -> str:
        """A journey ends: hand back the member and record it."""
        self.ended += 1
        if j.line:
            self.lines -= 1
        held = j.held
        if held is not None:  # as _release does, inlined: most journeys end with a member
            j.held = None
            held[0].release(held[1], now)
        if j.count and outcome == "blocked":  # never served: an outcome, not a journey's time or waits
            self.outcomes["blocked"] += 1
            self.outcome_time["blocked"] += now - j.arrived
        elif j.count:
            spent = now - j.arrived
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
            if self.expects[j.segment] is None:  # the waits alone, as _judge_journey does, inlined: the common case
                e = self.journey_exp[j.segment]
                e.journeys += 1
                gap = j.exp_gap
                if gap:
                    e.wait_gap += gap
                    e.gap_sum += gap
                if not j.exp_missed:
                    e.wait_met += 1
                    if kind == "completed":
                        e.all_met += 1
            else:
                self._judge_journey(j, spent, kind == "completed")
        if j.count and outcome == "blocked":
            self._judge_journey(j, now - j.arrived, False)
        # forget the draws of chunks of customers who have all left
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

    def _release(self, j: _Journey, now: float) -> None:
        """The member with the customer (if any) is free of them."""
        if j.held is not None:
            pool, member = j.held
            j.held = None
            pool.release(member, now)

    def _walk(
        self, j: _Journey, step_id: str, stop_at: str | None, now: float, hold: bool = True, main: bool = False
    ) -> Generator[Any, Any, str]:
        # long: the engine's hot path, one pass per step of every customer: the steps that wait (a member, a service, a delay) must yield here, and a sub-generator per step would cost a tenth of the engine's speed (benchmarks/engine.py); the rest are methods
        """Walk from ``step_id`` at time ``now`` until an exit (or ``stop_at``, the join of a parallel branch).

        The ``main`` walk is the customer's journey and records its end; branches of
        parallel work (``hold=False``) hand their member back after each step.
        """
        env = self.env
        steps = self.steps
        count = j.count
        k = j.k
        events = self.events
        recording = events is not None
        while True:
            if step_id == stop_at:
                return self._joined(j, step_id, now)
            info = steps[step_id]
            st: StepCounters = info.st  # type: ignore[assignment]  # bound before the run
            held = j.held
            if held is not None and not keeps_member(held[0].name, info.role, info.lane):
                self._release(j, now)
            if info.trivial and not recording:  # passed straight through, on to its one next step
                j.steps += 1
                nxt = info.next_step
                if count:
                    st.arrivals += 1
                    st.completions += 1
                    if nxt is not None:
                        st.branch_n[0] += 1
                if nxt is None:
                    return self._end(j, "exit", now) if main else "exit"
                step_id = nxt
                continue
            j.steps += 1
            visit = self._visit(j, step_id) if info.in_cycle else 0  # a step outside every loop is visited once
            t_enter = now
            if count:
                st.arrivals += 1
            if info.dist is None:
                duration = 0.0
            elif visit == 0:  # CustomerDraws.get, inlined
                chunk = info.d_duration.chunks.get(k >> CHUNK_BITS)  # type: ignore[union-attr]  # bound with dist
                duration = chunk[k & _CHUNK_MASK] if chunk is not None else info.d_duration.get(k)  # type: ignore[union-attr]
            else:
                duration = self._visit_draws("duration", info, visit, info.dist).get(k)
            wait = 0.0
            member = None
            pool = info.pool
            if pool is not None:  # a staffed step: the member held, one free, or a wait in the queue
                rs: RoleCounters = info.rs  # type: ignore[assignment]  # a staffed step
                i = int(t_enter // rs.width)  # the interval whose counters the visit joins (-1 after the last): its work, its arrival
                if i >= rs.n:
                    i = -1
                else:
                    rs.work[i] += duration
                    if j.held is None:
                        rs.arrivals[i] += 1
                        info.queue.arrivals[i] += 1  # type: ignore[union-attr]
                if j.held is not None:
                    member = j.held[1]  # the member of this role stays with the customer
                else:
                    member = pool.take(now)  # a free member at once: no event to wait for
                    if member is None:
                        if info.refuses and self._refused(j, info, pool, visit):  # a full waiting room, or balks
                            back = yield from self._turned_away(j, info, i, t_enter, now, visit)
                        else:
                            req = pool.request(j.priority, k, now)
                            if j.patience < math.inf:
                                pool.give_up_after(req, j.patience if j.fresh is None else self._fresh_patience(j, info, visit))
                            member = yield req
                            now = req.at
                            wait = now - t_enter
                            info.queue.waits(i, wait)  # type: ignore[union-attr]  # staffed steps have a queue
                            if member is None:  # gave up
                                back = yield from self._gave_up(j, info, i, wait, t_enter, now, visit)
                        if member is None:  # turned away or gave up: they call back at ``back``, or are gone
                            now = env.now
                            if back is None:
                                lost = j.lost or "abandoned"
                                return self._end(j, lost, now) if main else lost
                            step_id = back
                            continue
                    if i >= 0:  # answered: in the interval it joined the queue, within the target or not
                        rs.answered[i] += 1
                        if wait:
                            rs.wait_sum[i] += wait
                        if wait <= rs.target:
                            rs.within[i] += 1
                    if count:
                        info.st.wait.add(wait)  # type: ignore[union-attr]
                        if wait:
                            if info.visible:
                                j.visible_wait += wait
                            else:
                                j.backstage_wait += wait
                    if info.routed:  # a group's time factor for this skill
                        factor = member.group.factors[info.role]  # type: ignore[union-attr]  # routed: a GroupMember
                        if factor != 1.0:
                            if i >= 0:
                                info.rs.work[i] += duration * (factor - 1.0)  # type: ignore[union-attr]  # the work it really takes
                            duration *= factor
                    if hold:
                        j.held = (pool, member)
            elif j.held is not None and duration > 0:  # a step with no role while the member stays: their work too
                self._held_work(j, t_enter, duration)
            if info.is_join:
                wait = self._join_wait(j, info, t_enter, now)
            t_start = now
            if duration > 0:
                now = yield Delay(env, duration)
            if member is not None and not hold:
                pool.release(member, now)  # type: ignore[union-attr]  # member implies pool
            if count:
                st.completions += 1
                st.duration_sum += duration
                if info.tolerance is not None:
                    self._judge(j, info, st, wait, duration, t_enter)
            if events is not None:
                events.add(k, step_id, member.id if member is not None else NO_MEMBER,
                           t_start - wait if info.role else t_enter, t_start, now, False)
            if info.fail_p > 0 and self._fails(info, visit, k):
                recovery = self._failed(j, info, now)
                if recovery is None:
                    return self._end(j, "failed", now) if main else "failed"
                step_id = recovery
                continue
            if info.parallel:
                outcome = yield from self._parallel(j, info, now)
                now = env.now
                if outcome is not None:
                    return self._end(j, outcome, now) if main else outcome
                step_id = info.join_step  # type: ignore[assignment]  # no outcome: there is a join
                continue
            b = info.branch
            if b is None:
                return self._end(j, "exit", now) if main else "exit"
            choice = self._choose(j, info, b, visit)
            step_id = b.targets[choice]
            delay = b.delays[choice]
            if delay is not None:  # time between the steps: the member goes back first
                self._release(j, now)
                yield env.timeout(self._visit_draws(f"delay:{choice}", info, visit, delay).get(k))
                now = env.now
            elif b.transfer[choice]:  # transferred: the customer queues again, for a colleague of the same role too
                self._release(j, now)

    # -- the steps of a walk ------------------------------------------------------------
    def _fresh_patience(self, j: _Journey, info: StepRecord, visit: int) -> float:
        """Patience drawn afresh for this queue (``routing.patience: per_queue``), from the customer's own law."""
        assert j.fresh is not None
        name, segment, law = j.fresh
        return float(self.draws("patience", name, segment, info.id, visit, sampler=law.sample).get(j.k))

    def _judge(self, j: _Journey, info: StepRecord, st: StepCounters, wait: float, duration: float, t_enter: float) -> None:
        """A counted visit of a step with a wait point: within the customer's segment's tolerance (the wait at a
        queue, else the step's time)? And how it felt against it (:mod:`blueprint.experience`)."""
        felt = wait if (info.role is not None or info.is_join) else duration
        tolerance = info.tolerances[j.segment]  # type: ignore[index]  # a step with a wait point has them
        st.judged += 1
        if felt <= tolerance:
            st.within += 1
        met, gap = self.experience.one(felt, tolerance)
        i = int(t_enter // self.interval)
        info.exp[j.segment].add(i, met, gap)  # type: ignore[index]
        if info.duration_tolerances is not None:  # the service itself, against its tolerable duration
            ok, g = self.experience.one(duration, info.duration_tolerances[j.segment])
            info.exp_duration[j.segment].add(i, ok, g)  # type: ignore[index]
            gap += g
            met = met and ok
        j.exp_gap += gap
        if not met:
            j.exp_missed = True

    def _judge_journey(self, j: _Journey, spent: float, served: bool) -> None:
        """A counted journey that ended, against what its segment expects of the whole journey
        (:class:`blueprint.experience.Expectations`): its waits' gaps, its time, its transfers and call-backs."""
        e = self.journey_exp[j.segment]
        expects = self.expects[j.segment]
        gap, met = j.exp_gap, served and not j.exp_missed
        e.journeys += 1
        if gap:
            e.wait_gap += gap
        if not j.exp_missed:
            e.wait_met += 1
        if expects is None:  # the waits alone: the common case
            e.gap_sum += gap
            if met:
                e.all_met += 1
            return
        loss = self.experience.loss
        total = expects.total_time
        for kind, applies, judged in (
            ("time", total is not None, lambda: self.experience.one(spent, total.seconds)),  # type: ignore[union-attr]
            ("transfer", expects.no_transfer, lambda: (j.transfers == 0, -loss * j.transfers)),
            ("contact", expects.first_contact, lambda: (j.retries == 0, -loss * j.retries)),
        ):
            if applies:
                ok, g = judged()
                e.judge(kind, ok, g)
                gap += g
                met = met and ok
        e.gap_sum += gap
        e.all_met += met

    def _choose(self, j: _Journey, info: StepRecord, b: BranchTable, visit: int) -> int:
        """The flow the customer takes from a step (by their draw when there are several), counted."""
        choice = 0 if len(b.targets) == 1 else b.pick(self._draw("branch", info, visit).get(j.k))
        if j.count:
            info.st.branch_n[choice] += 1  # type: ignore[union-attr]
        if b.transfer[choice]:
            j.transfers += 1
        return choice

    def _visit(self, j: _Journey, step_id: str) -> int:
        """Count a visit to a step inside a loop: 0 for the first; stop a journey that never gets out."""
        visits = j.visits
        if visits is None:
            visits = j.visits = {}
        visit = visits.get(step_id, 0)
        visits[step_id] = visit + 1
        if j.steps > MAX_STEPS_PER_JOURNEY:
            raise RunawayJourney(
                f"customer {j.k} has visited {j.steps} steps (last {step_id!r}, {visit + 1} times): "
                "a loop or retry flow lets customers out too rarely"
            )
        return visit

    def _draw(self, kind: str, info: StepRecord, visit: int) -> CustomerDraws:
        """The uniform draws of ``kind`` ("branch" or "fail") for the ``visit``-th visit of a step."""
        if visit == 0:
            first = info.d_branch if kind == "branch" else info.d_fail
            assert first is not None
            return first
        return self._visit_draws(kind, info, visit)

    def _gave_up(self, j: _Journey, info: StepRecord, i: int, wait: float, t_enter: float, now: float,
                 visit: int) -> Generator[Any, Any, str | None]:
        """A customer gave up waiting at a staffed step (interval ``i``): counted, and maybe a call back
        along a retry flow. Returns the step they call back at, or None."""
        st = self.step_stats[info.id]
        if i >= 0:
            info.rs.abandoned[i] += 1  # type: ignore[union-attr]  # a staffed step
            info.queue.abandoned[i] += 1  # type: ignore[union-attr]
        if j.count:
            st.abandonments += 1
            st.wait.add(wait)
            self._add_wait(j, info, wait)
            if info.exp is not None:  # not served: never met, and no credit for leaving early
                _met, gap = self.experience.one(wait, info.tolerances[j.segment])  # type: ignore[index]
                info.exp[j.segment].add(int(t_enter // self.interval), False, min(gap, 0.0))
                j.exp_gap += min(gap, 0.0)
                j.exp_missed = True
        if self.events is not None:
            self.events.add(j.k, info.id, NO_MEMBER, t_enter, None, now, True)
        return (yield from self._retry(j, info, visit))

    def _refused(self, j: _Journey, info: StepRecord, pool: Pool, visit: int) -> bool:
        """A customer who must wait: is the waiting room full (``blocked``), or do they balk?"""
        if info.room is not None and pool.waiting >= info.room:
            j.refusal = "blocked"
            return True
        if info.balk and self._visit_draws("balk", info, visit).get(j.k) < info.balk:
            j.refusal = "balked"
            return True
        return False

    def _turned_away(self, j: _Journey, info: StepRecord, i: int, t_enter: float, now: float,
                     visit: int) -> Generator[Any, Any, str | None]:
        """A customer blocked by a full waiting room or balking at a queue (interval ``i``): counted, and maybe
        a call back along a retry flow, as for one who gave up. Returns the step they call back at, or None."""
        rs: RoleCounters = info.rs  # type: ignore[assignment]  # a staffed step
        if j.refusal == "balked":
            if i >= 0:
                rs.balked[i] += 1
            return (yield from self._gave_up(j, info, i, 0.0, t_enter, now, visit))
        if i >= 0:
            rs.blocked[i] += 1
        if j.count:
            self.step_stats[info.id].blocked += 1
        if self.events is not None:
            self.events.add(j.k, info.id, NO_MEMBER, t_enter, None, now, True)
        back = yield from self._retry(j, info, visit)
        if back is None and j.lost is None:
            j.lost = "blocked"
        return back

    def _retry(self, j: _Journey, info: StepRecord, visit: int) -> Generator[Any, Any, str | None]:
        r = info.retry
        if r is None:
            return None
        i = r.pick_or_none(self._visit_draws("retry", info, visit).get(j.k))
        if i is None:
            return None
        delay = r.delays[i]
        if delay is not None:
            if j.line:  # off the line until they call back
                j.line = False
                self.lines -= 1
            yield self.env.timeout(self._visit_draws(f"retry-delay:{i}", info, visit, delay).get(j.k))
        trunks = self.bp.trunks
        if trunks is not None and not j.line:
            if self.lines >= trunks:
                j.lost = "blocked"
                return None
            self.lines += 1
            j.line = True
        j.retries += 1
        if j.count:  # as every journey figure: customers who arrived after the warm-up
            self.retries += 1
        return r.targets[i]

    def _held_work(self, j: _Journey, t: float, duration: float) -> None:
        """A step with no role while a member stays with the customer: ``duration`` of their role's work."""
        assert j.held is not None
        hrs = self.role_stats[j.held[0].name]
        hi = int(t // hrs.width)
        if hi < hrs.n:
            hrs.work[hi] += duration

    def _joined(self, j: _Journey, step_id: str, now: float) -> str:
        """A parallel branch reaches its join: note when the first branch got there."""
        if j.join_first is None:
            j.join_first = {}
        j.join_first.setdefault(step_id, now)
        return "joined"  # only branches stop at a join

    def _join_wait(self, j: _Journey, info: StepRecord, t_enter: float, now: float) -> float:
        """The wait at a join: from the first parallel branch's arrival to now (the last one's)."""
        wait = now - (j.join_first or {}).get(info.id, now)
        queue: QueueCounters = info.queue  # type: ignore[assignment]  # joins have one
        ii = int(t_enter // self.interval)
        if ii < self.n_intervals:
            queue.arrivals[ii] += 1
            queue.waits(ii, wait)
        if j.count:
            st = self.step_stats[info.id]
            st.wait.add(wait)
            self._add_wait(j, info, wait)
        return wait

    def _fails(self, info: StepRecord, visit: int, k: int) -> bool:
        """Does customer ``k``'s ``visit``-th visit of a declared fail point fail?"""
        return self._draw("fail", info, visit).get(k) < info.fail_p

    def _failed(self, j: _Journey, info: StepRecord, now: float) -> str | None:
        """A failed visit: the member is released; the recovery step, or None (the customer is lost)."""
        if j.count:
            self.step_stats[info.id].failures += 1
        j.failed = True
        self._release(j, now)
        return info.recovery

    def _parallel(self, j: _Journey, info: StepRecord, now: float) -> Generator[Any, Any, str | None]:
        """Parallel work: every branch walks to the join. The journey's outcome if a branch ended it, else None."""
        self._release(j, now)
        stop = info.join_step
        env = self.env
        branches = [env.process(self._walk(j, t, stop, now, hold=False)) for t in info.parallel]
        results = yield env.all_of(branches)
        outcomes = [results[p] for p in branches]
        for bad in ("abandoned", "blocked", "failed"):
            if bad in outcomes:
                return bad
        return "exit" if stop is None else None

    def _add_wait(self, j: _Journey, info: StepRecord, wait: float) -> None:
        if info.visible:
            j.visible_wait += wait
        else:
            j.backstage_wait += wait

    # -- run -------------------------------------------------------------------------
    def run(self) -> Replication:
        for i, a in enumerate(self.bp.arrivals):
            self._arrivals(i, a)
        self.env.run(until=self.horizon)
        now = self.horizon
        for name, rs in self.role_stats.items():
            rs.on_duty.advance(now)
            if name not in self.skill_states:
                self.pools[name].flush(now)
        for pool in self.routed_pools:
            pool.flush(now)
        if self.router is not None:
            self.router.flush(now)
        return self._collect()

    def _collect(self) -> Replication:
        totals = {}
        for name, rs in self.role_stats.items():
            paid = integrate(self.paid[name], self.warmup, self.horizon) / 3600
            totals[name] = rs.totals(paid, self.bp.get_role(name).cost_per_hour, self.warmup, self.horizon)
        roles = {name: rs.intervals() for name, rs in self.role_stats.items()}
        served_calls: dict[str, list[float]] = {}
        served_busy: dict[str, list[float]] = {}
        if self.router is not None:  # each group as a role of its own: its staff, busy time and calls taken
            for g in self.router.groups:
                roles[g.name] = g.intervals()
                paid = integrate(self.group_paid[g.name], self.warmup, self.horizon) / 3600
                totals[g.name] = g.totals(paid, self.bp.get_group(g.name).cost_per_hour, self.warmup, self.horizon)
                served_calls[g.name] = list(g.served_calls)
                served_busy[g.name] = list(g.served_busy)
        return Replication(
            seed=tuple(self.root.spawn_key), horizon=self.horizon, warmup=self.warmup, interval=self.interval,
            steps={sid: st.figures() for sid, st in self.step_stats.items()},
            roles=roles, served_calls=served_calls, served_busy=served_busy,
            role_totals=totals, journeys=self._journeys(), events=self.events.log() if self.events is not None else None,
            step_intervals={sid: st.queue.intervals() for sid, st in self.step_stats.items() if st.queue is not None},
            experience={f"{sid}@{name}": c.intervals() for sid, info in self.steps.items() if info.exp is not None
                        for name, c in zip(self.segments, info.exp, strict=True)},
            journey_experience=dict(zip(self.segments, self.journey_exp, strict=True)),
            duration_experience={f"{sid}@{name}": c.intervals() for sid, info in self.steps.items()
                                 if info.exp_duration is not None for name, c in zip(self.segments, info.exp_duration, strict=True)},
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
            blocked=o["blocked"],
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
