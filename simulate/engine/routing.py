"""Skills-based routing in the engine: staff groups, skill queues and the ACD between them.

The rules are :mod:`blueprint.routing`'s; this module carries them out. A
:class:`Router` holds the groups (:class:`StaffGroup`, members with a set of
skills) and the waiting calls. A routed step gets a :class:`RoutedPool`, which
offers the walk of a customer the same calls as a role's
:class:`~simulate.engine.pool.StaffPool` (``take``, ``request``,
``give_up_after``, ``renege``, ``release``), so the walk does not know whether
a role is one pool or several groups.

Waiting calls sit in heaps keyed by the groups that may take them now (a call
that overflows later moves from its first group's heap to its whole route's);
a member who comes free looks at the heaps its group may serve. Entries left
behind by a call that moved, was answered or gave up are skipped when they
reach the top.

Invariant: a group with a free member has no call waiting that it may take
(every arrival, overflow and release looks for a match at once).
"""

from __future__ import annotations

import heapq
import math
from functools import partial
from itertools import count
from typing import Any

import numpy as np
import simpy

from blueprint import Blueprint, Route
from simulate.engine.kernel import Delay
from simulate.engine.output import GROUP_BASE, GROUP_STRIDE, RoleIntervals, RoleTotals
from simulate.engine.pool import Member, Request
from simulate.engine.stats import SpanSum, TimeAverage

__all__ = ["GroupMember", "RoutedPool", "Router", "StaffGroup"]

Key = tuple[str, tuple[int, ...]]  # (skill, the indices of the groups that may take the call)


class GroupMember(Member):
    """A member of a staff group; ``skill`` is the skill of the call in hand, ``joined`` when that call
    joined the queue. A member of a group with concurrency above 1 keeps its calls in hand in ``open``
    instead: ``(start, skill, joined)`` each."""

    __slots__ = ("group", "joined", "open", "skill")

    def __init__(self, member_id: int, group: StaffGroup) -> None:
        super().__init__(member_id)
        self.group = group
        self.skill = ""
        self.joined = 0.0
        self.open: list[tuple[float, str, float]] = []


class RoutedRequest(Request):
    """A call waiting for a member of one of its route's groups."""

    priority = 0
    seq = 0
    key: Key | None = None  # the heap it sits in now; None once answered
    pool: RoutedPool


class StaffGroup:
    """The members of one staff group, its free members and its counters."""

    def __init__(self, index: int, name: str, skills: dict[str, float], n: int, width: float, concurrency: int = 1) -> None:
        self.index = index
        self.name = name
        self.k = concurrency
        self.factors = dict(skills)
        self.order = list(skills)
        self.members: dict[int, GroupMember] = {}  # by id, in the order they came on duty (removal at once)
        self.free: list[GroupMember] = []  # in the order they came free
        self.active = 0
        self.keys: list[Key] = []  # the heaps it may take calls from, in its skill order
        self.on_duty = TimeAverage(n, width)
        self.busy = SpanSum(n, width)
        self.calls = [0.0] * n  # calls taken, by the interval they joined the queue in (as a role counts them)
        self.work = [0.0] * n  # their service time, by the same interval
        self.served_calls = [0.0] * len(skills)  # by skill, in the group's order
        self.served_busy = [0.0] * len(skills)
        self._ids = count()
        self.width = width

    def intervals(self) -> RoleIntervals:
        """The group as a role's record: members on duty and busy, calls taken (as arrivals and answered) and
        their service time (as work), by the interval a call joined the queue in."""
        w, n = self.width, len(self.calls)
        zeros = [0.0] * n
        return RoleIntervals(arrivals=list(self.calls), answered=list(self.calls), within=zeros, abandoned=zeros,
                             wait_sum=zeros, work=list(self.work), on_duty=[a / w for a in self.on_duty.area],
                             busy=[a / w for a in self.busy.area], queue_mean=zeros, queue_max=zeros,
                             blocked=zeros, balked=zeros)

    def totals(self, paid_hours: float, cost_per_hour: float, warmup: float, horizon: float) -> RoleTotals:
        """Over ``[warmup, horizon)``, from the first whole interval after the warm-up (as a role's)."""
        w = self.width
        first = min(int(math.ceil(warmup / w)), len(self.calls))
        span = horizon - first * w
        return RoleTotals(paid_hours=paid_hours, cost=paid_hours * cost_per_hour,
                          on_duty=sum(self.on_duty.area[first:]) / span if span > 0 else math.nan,
                          busy=sum(self.busy.area[first:]) / span if span > 0 else math.nan, target_seconds=math.nan)


def _rank(order: list[str], key: Key) -> int:
    """Where a heap's skill comes in a group's order of skills."""
    return order.index(key[0])


class Router:
    """The ACD of one replication: every group, every waiting call, the rules that match them."""

    def __init__(self, env: simpy.Environment, bp: Blueprint, rng: np.random.Generator, n: int, width: float) -> None:
        self.env = env
        self.rng = rng
        self.width = width
        self.n = n
        self.agent = bp.routing.agent.value
        self.longest_waiting = bp.routing.call.value == "longest_waiting"
        self.groups = [StaffGroup(i, g.name, g.skills, n, width, g.concurrency) for i, g in enumerate(bp.groups)]
        self.by_name = {g.name: g for g in self.groups}
        self.heaps: dict[Key, list[tuple[int, int, RoutedRequest]]] = {}
        self.seq = count()
        self.skill_index = {g.name: {s: i for i, s in enumerate(g.order)} for g in self.groups}
        self.skill_busy: dict[str, SpanSum] = {}  # each skill's busy time (its role's counters), from its pools

    # -- set-up ----------------------------------------------------------------------
    def key(self, skill: str, groups: list[StaffGroup]) -> Key:
        """The heap of calls for ``skill`` that ``groups`` may take; made on first use."""
        k: Key = (skill, tuple(sorted(g.index for g in groups)))
        if k not in self.heaps:
            self.heaps[k] = []
            for g in groups:
                g.keys.append(k)
                g.keys.sort(key=partial(_rank, g.order))
        return k

    # -- calls ----------------------------------------------------------------------------
    def free_member(self, groups: list[StaffGroup]) -> GroupMember | None:
        """A free member of the first of ``groups`` that has one, by the agent rule; taken off the free list."""
        for g in groups:
            if g.k > 1:
                m = self._least_loaded(g)
                if m is None:
                    continue
                return m
            free = g.free
            if not free:
                continue
            if self.agent == "longest_idle":
                return free.pop(0)
            if self.agent == "random":
                i = int(self.rng.integers(len(free)))
                free[i], free[-1] = free[-1], free[i]
                return free.pop()
            best = min(range(len(free)), key=lambda i: free[i].id)
            return free.pop(best)
        return None

    def _least_loaded(self, g: StaffGroup) -> GroupMember | None:
        """Concurrency above 1: of the members with room for one more call (not leaving), those with the fewest
        in hand; of them by the agent rule (``longest_idle``: the one whose calls in hand changed longest ago)."""
        fewest = g.k
        ties: list[GroupMember] = []
        for m in g.members.values():
            if m.leaving or m.busy > fewest:
                continue
            if m.busy < fewest:
                fewest, ties = m.busy, [m]
            else:
                ties.append(m)
        if fewest >= g.k or not ties:
            return None
        if self.agent == "random":
            return ties[int(self.rng.integers(len(ties)))]
        if self.agent == "longest_idle":
            return min(ties, key=lambda m: (m.since, m.id))
        return min(ties, key=lambda m: m.id)

    def occupy(self, m: GroupMember, skill: str, now: float, joined: float | None = None) -> None:
        """Member ``m`` takes a call of ``skill`` that joined the queue at ``joined`` (now if it waited not)."""
        g = m.group
        if g.k > 1:
            m.busy += 1
            m.since = now
            m.open.append((now, skill, now if joined is None else joined))
            i = int((now if joined is None else joined) // self.width)
            if i < self.n:
                g.calls[i] += 1
            g.served_calls[self.skill_index[g.name][skill]] += 1
            return
        m.busy = 1
        m.since = now
        m.skill = skill
        m.joined = now if joined is None else joined
        g = m.group
        i = int(m.joined // self.width)
        if i < self.n:
            g.calls[i] += 1
        g.served_calls[self.skill_index[g.name][skill]] += 1

    def count_work(self, g: StaffGroup, joined: float, seconds: float) -> None:
        """A call's service time, counted in the interval it joined the queue (as a role's work)."""
        i = int(joined // self.width)
        if i < self.n:
            g.work[i] += seconds

    def next_call(self, g: StaffGroup) -> RoutedRequest | None:
        """The waiting call a free member of ``g`` takes, by the call rule; taken off its heap."""
        best: tuple[int, int, RoutedRequest] | None = None
        best_key: Key | None = None
        skill = None
        for k in g.keys:
            if not self.longest_waiting and best is not None and k[0] != skill:
                break  # skill order: the first skill with a call waiting wins
            heap = self.heaps[k]
            while heap and heap[0][2].key != k:
                heapq.heappop(heap)  # answered, gone or moved
            if heap and (best is None or heap[0][:2] < best[:2]):
                best, best_key, skill = heap[0], k, k[0]
        if best is None or best_key is None:
            return None
        heapq.heappop(self.heaps[best_key])
        return best[2]

    def release(self, m: GroupMember, now: float, skill: str = "") -> None:
        """A member finishes a call (of ``skill``): its busy time counted, then the next call or the free list."""
        g = m.group
        if g.k > 1:
            self._release_one(m, now, skill)
            return
        since = m.since
        if now > since:
            g.busy.add(since, now)
            g.served_busy[self.skill_index[g.name][m.skill]] += now - since
            i = int(m.joined // self.width)  # count_work, inlined: once per call
            if i < self.n:
                g.work[i] += now - since
        m.busy = 0
        m.since = now
        if m.leaving:
            del g.members[m.id]
            g.on_duty.set(now, len(g.members))
            return
        self.serve_or_free(m, now)

    def _release_one(self, m: GroupMember, now: float, skill: str) -> None:
        """Concurrency above 1: one of the member's calls of ``skill`` ends (the one taken first: which one does
        not change any total), and the member takes waiting calls while it has room."""
        g = m.group
        j = next((j for j, call in enumerate(m.open) if call[1] == skill), 0)
        start, skill, joined = m.open.pop(j)
        self._count_call(g, start, now, skill, joined)
        m.busy -= 1
        m.since = now
        if m.leaving:
            if m.busy == 0:
                del g.members[m.id]
                g.on_duty.set(now, len(g.members))
            return
        self.fill(m, now)

    def _count_call(self, g: StaffGroup, start: float, now: float, skill: str, joined: float) -> None:
        """A call of a member of a group with concurrency k: 1/k of the member's time while it lasted."""
        if now > start:
            g.busy.add(start, now, 1.0 / g.k)
            self.skill_busy[skill].add(start, now, 1.0 / g.k)
            g.served_busy[self.skill_index[g.name][skill]] += (now - start) / g.k
            self.count_work(g, joined, now - start)

    def fill(self, m: GroupMember, now: float) -> None:
        """Concurrency above 1: member ``m`` takes waiting calls while it has room for them."""
        while m.busy < m.group.k:
            req = self.next_call(m.group)
            if req is None:
                return
            req.pool.answer(req, m, now)

    def serve_or_free(self, m: GroupMember, now: float) -> None:
        if m.group.k > 1:
            self.fill(m, now)
            return
        req = self.next_call(m.group)
        if req is None:
            m.group.free.append(m)
            return
        req.pool.answer(req, m, now)

    # -- staffing ------------------------------------------------------------------------
    def set_headcount(self, g: StaffGroup, n: float) -> None:
        """Change the members of ``g`` on duty to ``n``, without preemption (as a role's pool does)."""
        n = int(n)
        now = self.env.now
        if n > g.active:
            for m in g.members.values():
                if g.active >= n:
                    break
                if m.leaving:
                    m.leaving = False
                    g.active += 1
                    if g.k > 1:
                        self.fill(m, now)
            while g.active < n:
                m = GroupMember(GROUP_BASE + g.index * GROUP_STRIDE + next(g._ids), g)
                g.members[m.id] = m
                g.active += 1
                m.since = now
                self.serve_or_free(m, now)
        elif n < g.active:
            leave = g.active - n
            # idle members go at once, the first to join first (as a role's pool chooses)
            idle = [m for m in g.members.values() if not m.leaving and m.busy == 0][:leave]
            if idle:  # removed together: one by one would take time in the square of the headcount
                gone = {id(m) for m in idle}
                for m in idle:
                    del g.members[m.id]
                if g.k == 1:
                    g.free = [m for m in g.free if id(m) not in gone]
                g.active -= len(idle)
                leave -= len(idle)
            # busy members finish what they have and take nothing new, those with the fewest calls first
            for m in sorted((m for m in g.members.values() if not m.leaving), key=lambda m: m.busy)[:leave]:
                m.leaving = True
                g.active -= 1
        g.on_duty.set(now, len(g.members))

    def flush(self, now: float) -> None:
        """Count the busy time still open at the end of the run."""
        for g in self.groups:
            g.on_duty.advance(now)
            for m in g.members.values():
                if g.k > 1:
                    for j, (start, skill, joined) in enumerate(m.open):
                        self._count_call(g, start, now, skill, joined)
                        m.open[j] = (now, skill, joined)
                    continue
                if m.busy and now > m.since:
                    g.busy.add(m.since, now)
                    self.skill_busy[m.skill].add(m.since, now)
                    g.served_busy[self.skill_index[g.name][m.skill]] += now - m.since
                    self.count_work(g, m.joined, now - m.since)
                    m.since = now


class RoutedPool:
    """The calls of one routed step: what the walk of a customer asks of a pool, for a skill and a route.

    Steps of the same skill share the skill's queue counters (``state``), which the role's results read.
    """

    k = 1

    def __init__(self, router: Router, skill: str, route: Route | None, bp: Blueprint, *,
                 busy: SpanSum, queue: SpanSum, state: SkillState) -> None:
        self.router = router
        self.env = router.env
        self.name = skill
        names = route.groups if route is not None and route.groups else [g.name for g in bp.groups_with(skill)]
        self.groups = [router.by_name[n] for n in names]
        self.overflow = route.overflow_after.seconds if route is not None and route.overflow_after is not None else None
        first = self.groups[:1] if self.overflow is not None else self.groups
        self.first = first
        self.first_key = router.key(skill, first)
        self.wide_key = router.key(skill, self.groups)
        self.stat_busy = busy
        self.stat_queue = queue
        self.state = state
        router.skill_busy[skill] = busy

    @property
    def waiting(self) -> int:
        return self.state.waiting

    def take(self, now: float) -> GroupMember | None:
        """A free member of the first group of the route that has one (of the first group only, with an
        overflow delay), or None."""
        m = self.router.free_member(self.first)
        if m is not None:
            self.router.occupy(m, self.name, now)
        return m

    def request(self, priority: int = 0, customer: int = -1, now: float | None = None) -> RoutedRequest:
        if now is None:
            now = self.env.now
        req = RoutedRequest(self.env)
        req.arrived = now
        req.priority = priority
        req.seq = next(self.router.seq)
        req.pool = self
        self._wait(req, self.first_key)
        st = self.state
        st.waiting += 1
        q = self.stat_queue
        i = int(now // q.width)
        if i < q.n and st.waiting > q.peak[i]:
            q.peak[i] = st.waiting
        if self.overflow is not None:
            Delay(self.env, self.overflow).callbacks.append(partial(self._widen, req))
        return req

    def _wait(self, req: RoutedRequest, key: Key) -> None:
        req.key = key
        heapq.heappush(self.router.heaps[key], (-req.priority, req.seq, req))

    def _widen(self, req: RoutedRequest, _event: Any) -> None:
        """The overflow delay is over: every group of the route may take the call now."""
        if req.key is None or req.cancelled:
            return
        now = self.env.now
        m = self.router.free_member(self.groups)
        if m is not None:
            self.router.occupy(m, self.name, now, req.arrived)
            self._answered(req, now)
            req.fire(m)
            return
        self._wait(req, self.wide_key)

    def answer(self, req: RoutedRequest, m: GroupMember, now: float) -> None:
        """Member ``m`` takes the waiting call ``req``."""
        self.router.occupy(m, self.name, now, req.arrived)
        self._answered(req, now)
        req.fire(m)

    def _answered(self, req: RoutedRequest, now: float) -> None:
        req.key = None
        self.state.waiting -= 1
        self.stat_queue.add(req.arrived, now)

    def give_up_after(self, req: Request, patience: float) -> None:
        Delay(self.env, patience).callbacks.append(partial(self._patience_over, req))

    def _patience_over(self, req: Request, _event: Any) -> None:
        self.renege(req)

    def renege(self, req: Request, now: float | None = None) -> bool:
        if req.triggered or req.cancelled:
            return False
        req.cancelled = True
        assert isinstance(req, RoutedRequest)
        req.key = None
        self.state.waiting -= 1
        self.stat_queue.add(req.arrived, self.env.now if now is None else now)
        req.fire(None)
        return True

    def release(self, member: Member, now: float | None = None) -> None:
        assert isinstance(member, GroupMember)
        if now is None:
            now = self.env.now
        if member.group.k > 1:  # the router counts each call's share of the member
            self.router.release(member, now, self.name)
            return
        if now > member.since:
            self.stat_busy.add(member.since, now)
        self.router.release(member, now)

    def flush(self, now: float) -> None:
        """Waiting time still open at the end of the run (the router flushes the members)."""
        for heap in {k: self.router.heaps[k] for k in (self.first_key, self.wide_key)}.values():
            for _, _, req in heap:
                if req.key is not None and not req.cancelled and req.pool is self:
                    self.stat_queue.add(req.arrived, now)
                    req.key = None  # counted once


class SkillState:
    """What the routed steps of one skill share: the number of calls waiting."""

    __slots__ = ("waiting",)

    def __init__(self) -> None:
        self.waiting = 0

    def describe(self) -> dict[str, Any]:
        return {"waiting": self.waiting}
