"""A pool of staff members serving one role's queue.

Customers wait in priority order (a larger priority first, then first come,
first served). A member serves up to ``concurrency`` customers at once and is
given to the waiting customer as soon as one has room; of several idle members, the one idle
longest takes the next customer (as an ACD's longest-idle rule). The headcount follows
the role's staffing: when it rises, new members join (or members about to
leave stay on); when it falls, idle members leave at once and busy ones finish
the customers in hand first (no preemption) and take no new ones.

Skills-based routing (members in staff groups with several skills) has pools
of its own with the same calls: :mod:`simulate.engine.routing`.

The engine passes the current time (``now``) to the calls on its hot path
(:meth:`StaffPool.take`, :meth:`StaffPool.request`, :meth:`StaffPool.release`),
which it knows already; other callers may leave it out.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from functools import partial
from itertools import count
from typing import Any

import simpy

from simulate.engine.kernel import Delay, Pending
from simulate.engine.stats import SpanSum, TimeAverage

__all__ = ["Member", "Request", "StaffPool"]


class Member:
    """One member of staff."""

    __slots__ = ("id", "busy", "leaving", "since")

    def __init__(self, member_id: int) -> None:
        self.id = member_id
        self.busy = 0
        self.leaving = False
        self.since = 0.0  # when ``busy`` last changed


class Request(Pending):
    """A customer's wait for a member, since ``arrived``; fires with the member, or ``None`` if the customer
    gave up (``cancelled``), at the time ``at``."""

    cancelled = False
    arrived = 0.0


class StaffPool:
    """The members of one role and the queue in front of them."""

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        concurrency: int,
        *,
        on_duty: TimeAverage,
        busy: SpanSum,
        queue: SpanSum,
    ) -> None:
        self.env = env
        self.name = name
        self.k = concurrency
        self.members: dict[int, Member] = {}  # by id, in the order they came on duty (removal at once)
        self._free: deque[Member] = deque()  # concurrency 1: idle members not leaving, the longest idle first
        self._queue: list[tuple[int, int, Request]] = []
        self._seq = count()
        self._ids = count()
        self.waiting = 0
        self.active = 0  # members not leaving
        self.busy_slots = 0
        self.stat_on_duty = on_duty
        self.stat_busy = busy
        self.stat_queue = queue

    # -- customers -------------------------------------------------------------
    def request(self, priority: int = 0, customer: int = -1, now: float | None = None) -> Request:
        """Ask for a member; the returned event succeeds when one is given."""
        if now is None:
            now = self.env.now
        req = Request(self.env)
        req.arrived = now
        if not self.waiting:
            m = self._pick()
            if m is not None:
                self._grant(req, m, now)
                return req
        heapq.heappush(self._queue, (-priority, next(self._seq), req))
        self.waiting += 1
        q = self.stat_queue
        i = int(now // q.width)
        if i < q.n and self.waiting > q.peak[i]:
            q.peak[i] = self.waiting
        return req

    def take(self, now: float) -> Member | None:
        """A member at once if one is free and nobody waits (no event, no wait), else None."""
        if self.waiting:
            return None
        if self.k == 1:  # the common case, inlined: an idle member starts at once
            free = self._free
            if not free:
                return None
            m = free.popleft()
            m.since = now
            m.busy = 1
            self.busy_slots += 1
            return m
        picked = self._pick()
        if picked is not None:
            self._occupy(picked, now)
        return picked

    def give_up_after(self, req: Request, patience: float) -> None:
        """The customer waiting on ``req`` gives up after ``patience`` seconds unless a member comes first."""
        Delay(self.env, patience).callbacks.append(partial(self._patience_over, req))

    def _patience_over(self, req: Request, _event: simpy.Event) -> None:
        self.renege(req)

    def renege(self, req: Request, now: float | None = None) -> bool:
        """The customer stops waiting; returns False if they had already been served."""
        if req.triggered or req.cancelled:
            return False
        req.cancelled = True
        self.waiting -= 1
        self.stat_queue.add(req.arrived, self.env.now if now is None else now)
        req.fire(None)
        return True

    def release(self, member: Member, now: float | None = None) -> None:
        """A member finishes with one customer."""
        if now is None:
            now = self.env.now
        busy = self.stat_busy
        since = member.since
        w = busy.width
        i = int(since // w)
        if i == int(now // w) and i < busy.n:
            busy.area[i] += member.busy / self.k * (now - since)
        else:
            busy.add(since, now, member.busy / self.k)
        member.since = now
        member.busy -= 1
        self.busy_slots -= 1
        if member.leaving:
            if member.busy == 0:
                del self.members[member.id]
                self.stat_on_duty.set(now, len(self.members))
            return
        if self.waiting:
            # the next customer in the queue gets this member (as _serve_next and _grant do, inlined:
            # this runs once per customer who waited)
            queue = self._queue
            while queue:
                req = heapq.heappop(queue)[2]
                if req.cancelled:
                    continue
                self.waiting -= 1
                q = self.stat_queue
                a = req.arrived
                j = int(a // q.width)
                if j == int(now // q.width) and j < q.n:
                    q.area[j] += now - a
                else:
                    q.add(a, now)
                member.busy += 1  # ``since`` is already now: no busy time to add
                self.busy_slots += 1
                req.fire(member)
                return
        if self.k == 1 and member.busy == 0:
            self._free.append(member)

    # -- staffing ---------------------------------------------------------------
    def set_headcount(self, n: float) -> None:
        """Change the number of members on duty to ``n``, without preemption."""
        n = int(n)
        if n > self.active:
            for m in self.members.values():  # those about to leave stay on first
                if self.active >= n:
                    break
                if m.leaving:
                    m.leaving = False
                    self.active += 1
                    self._room(m)
            while self.active < n:
                m = Member(next(self._ids))
                self.members[m.id] = m
                self.active += 1
                self._room(m)
        elif n < self.active:
            leave = self.active - n
            # idle members go at once (removed together: one by one would take time in the square of the headcount)
            idle = [m for m in self.members.values() if not m.leaving and m.busy == 0][:leave]
            if idle:
                gone = {id(m) for m in idle}
                for m in idle:
                    del self.members[m.id]
                if self.k == 1:
                    self._free = deque(m for m in self._free if id(m) not in gone)
                self.active -= len(idle)
                leave -= len(idle)
            # busy members finish what they have and take nothing new
            for m in sorted((m for m in self.members.values() if not m.leaving), key=lambda m: m.busy)[:leave]:
                m.leaving = True
                self.active -= 1
        self.stat_on_duty.set(self.env.now, len(self.members))

    # -- inside -----------------------------------------------------------------
    def _room(self, m: Member) -> None:
        """A member with room for more customers: serve the queue, or wait idle."""
        while m.busy < self.k and self.waiting:
            self._serve_next(m, self.env.now)
        if self.k == 1 and m.busy == 0:  # a member new or back from leaving: never among the free yet
            self._free.append(m)

    def _pick(self) -> Member | None:
        if self.k == 1:
            return self._free.popleft() if self._free else None
        best = None
        for m in self.members.values():
            if not m.leaving and m.busy < self.k and (best is None or m.busy < best.busy):
                best = m
        return best

    def _serve_next(self, m: Member, now: float) -> None:
        while self._queue:
            _, _, req = heapq.heappop(self._queue)
            if req.cancelled:
                continue
            self.waiting -= 1
            q = self.stat_queue
            a = req.arrived
            i = int(a // q.width)
            if i == int(now // q.width) and i < q.n:
                q.area[i] += now - a
            else:
                q.add(a, now)
            self._grant(req, m, now)  # callers make sure ``m`` is not among the free members
            return

    def _occupy(self, m: Member, now: float) -> None:
        """One more customer for member ``m``."""
        if m.busy:
            self.stat_busy.add(m.since, now, m.busy / self.k)
        m.since = now
        m.busy += 1
        self.busy_slots += 1

    def _grant(self, req: Request, m: Member, now: float) -> None:
        self._occupy(m, now)
        req.fire(m)

    @property
    def on_duty(self) -> int:
        return len(self.members)

    def flush(self, now: float) -> None:
        """Count the busy and waiting time still open at the end of the run."""
        for m in self.members.values():
            if m.busy:
                self.stat_busy.add(m.since, now, m.busy / self.k)
                m.since = now
        for _, _, req in self._queue:
            if not req.cancelled and not req.triggered:
                self.stat_queue.add(req.arrived, now)

    def describe(self) -> dict[str, Any]:
        return {"role": self.name, "on_duty": self.on_duty, "active": self.active, "waiting": self.waiting}


class UnlimitedPool:
    """A role that never queues (a system or self-service): every request is served at once."""

    def __init__(self, env: simpy.Environment, name: str, *, busy: TimeAverage) -> None:
        self.env = env
        self.name = name
        self.k = 1
        self.busy_slots = 0
        self.stat_busy = busy
        self.waiting = 0
        self.members: dict[int, Member] = {}
        self._member = Member(-1)

    def request(self, priority: int = 0, customer: int = -1, now: float | None = None) -> Request:
        if now is None:
            now = self.env.now
        req = Request(self.env)
        req.arrived = now
        self.busy_slots += 1
        self.stat_busy.set(now, self.busy_slots)
        req.fire(self._member)
        return req

    def take(self, now: float) -> Member | None:
        self.busy_slots += 1
        self.stat_busy.set(now, self.busy_slots)
        return self._member

    def give_up_after(self, req: Request, patience: float) -> None:
        """Nobody waits for an unlimited role: nothing to give up."""

    def renege(self, req: Request, now: float | None = None) -> bool:
        return False

    def release(self, member: Member, now: float | None = None) -> None:
        if now is None:
            now = self.env.now
        self.busy_slots -= 1
        self.stat_busy.set(now, self.busy_slots)

    def set_headcount(self, n: float) -> None:
        if not math.isinf(n):
            raise ValueError("an unlimited pool has no headcount")

    def flush(self, now: float) -> None:
        self.stat_busy.advance(now)

    @property
    def on_duty(self) -> float:
        return math.inf
