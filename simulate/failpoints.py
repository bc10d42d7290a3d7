"""Fail points measured, not guessed: where and when a simulated service breaks, ranked.

:func:`fail_points` reads a :class:`~simulate.Results` and returns a ranked
:class:`FailPoints` table, one row per finding. Each finding has a kind, the
step and role, the time window, a severity, the evidence (figures with 95%
intervals over the replications) and one plain sentence.

Kinds of finding
----------------
``capacity``
    A role whose occupancy (busy staff / staff on duty) is at or above
    ``occupancy`` in a window, or whose queue grows for ``growth`` intervals
    in a row without draining.
``waiting``
    A queue step where at least ``over_tolerance`` of the customers wait longer
    than the step's tolerance (its wait point; else its role's target time;
    else 60 s).
``abandonment``
    A queue step where at least ``abandonment`` of the customers give up.
``hand-off``
    A waiting finding at a queue most of whose customers (half or more) reach it
    by a flow from another role or a ``transfer``: a wait the customer feels
    again after being handed over. It takes the place of the waiting finding.
``declared``
    A fail point the designer marked. With a failure probability: its observed
    failure rate and its effect on the journey (recovery time, extra load). A
    declared fail point that did no harm in the simulation is reported with
    severity 0 (``status`` "harmless").
``bottleneck``
    The staffed step that takes the largest share of the customers' total time
    in the system (waiting and service).

Windows are runs of the simulated intervals (``results.interval``, 15 minutes
by default) in which the condition holds, judged on the means over the
replications; runs separated by at most ``gap`` intervals are merged. A window
is kept when the lower end of its figure's 95% interval over the replications
reaches the threshold (``significant=True``), so that a peak in one or two
replications is not reported as a fail point.

Severity
--------
Customers affected per day × how badly: for waits, the customers who waited
over the tolerance (for capacity: who waited at all) times their mean wait over
the tolerance (at least 1, at most 3); for abandonment and for customers a
failure loses, 2 per customer; for a failure the customer recovers from, 1;
the bottleneck is information about the whole run, not harm in a window: it
has severity 0 and ``status`` "info", and is listed after the findings that
bite and before declared fail points that did no harm. Findings with fewer than ``min_customers`` affected a day are left out.

What to do about it
-------------------
For the ``what_if`` most severe capacity and waiting findings, the blueprint is
simulated again with one more member of the role during the window (same seed,
so the same customers: common random numbers), and the change is put in words:
"One more specialist from 10:00 to 12:00 cuts waits over 60 s from 38% to 9%."

>>> import blueprint, simulate
>>> bp = blueprint.Blueprint("Kiosk")
>>> use = bp.customer("Use the kiosk", role="kiosk", duration="exp(2 min)")
>>> _ = bp.role("kiosk", staffing=1)
>>> _ = bp.arrive(use, rate="28 per h")
>>> found = simulate.run(bp, days=1, replications=3, seed=1).fail_points(what_if=0)
>>> found.iloc[0]["role"], sorted(set(found["kind"]))
('kiosk', ['bottleneck', 'capacity', 'waiting'])
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from blueprint import Blueprint, Flow, Shift, Staffing, Step
from blueprint.numbers import number
from blueprint.render import Diagram, StepOverlay
from blueprint.staffing import DAY, WEEK, Profile
from blueprint.units import WEEKDAYS
from simulate.clock import format_clock
from simulate.clock import format_duration as _dur
from simulate.engine.output import QueueIntervals, Replication, RoleIntervals, combine_rule, series_fields
from simulate.engine.semantics import hands_over
from simulate.engine.timeline import headcount_timeline, integrate
from simulate.figures import occupancy as occupancy_of
from simulate.intervals import mean_ci, proportion_ci

if TYPE_CHECKING:  # pragma: no cover
    from simulate.results import Results

__all__ = ["FailPoints", "fail_points", "plus_one"]

KINDS = ("capacity", "waiting", "abandonment", "hand-off", "declared", "bottleneck")
LOST_WEIGHT = 2.0  # severity per customer lost (abandoned, or failed without recovery)
MAX_BADNESS = 3.0
SEVERITY_COLOURS = ("#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a")  # light to dark, by severity / the largest; dark text stays legible


# -- formatting -----------------------------------------------------------------------


def _clock(t: float, days: float) -> str:
    return format_clock(t, day="weekday" if days > 1 else "none")


def _window_text(a: float, b: float, days: float, horizon: float) -> str:
    if a <= 0 and b >= horizon:
        return "all day" if days <= 1 else "all week"
    end = _clock(b, days)
    if days > 1 and int(a // DAY) == int((b - 1e-9) // DAY):
        end = end.split(" ", 1)[1]
    return f"{_clock(a, days)} to {end}"


def _pct(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.0f}%"


# -- windows --------------------------------------------------------------------------


def _windows(flags: list[bool], gap: int) -> list[tuple[int, int]]:
    """Runs of flagged intervals as ``[a, b)``; runs at most ``gap`` apart are merged.

    >>> _windows([False, True, True, False, True, False, False, True], gap=1)
    [(1, 5), (7, 8)]
    """
    out: list[tuple[int, int]] = []
    for i, f in enumerate(flags):
        if not f:
            continue
        if out and i - out[-1][1] <= gap:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


def _growth(queue: list[float], staff: list[float], first: int, run: int) -> list[bool]:
    """Intervals inside runs of at least ``run`` intervals whose mean queue keeps rising and
    ends longer than the staff on duty (and at least 1): a queue that does not drain."""
    flags = [False] * len(queue)
    i = first
    n = len(queue)
    while i < n - 1:
        j = i
        while j + 1 < n and queue[j + 1] > queue[j] + 1e-9:
            j += 1
        if j - i + 1 >= run and queue[j] >= max(1.0, staff[j]):
            for k in range(i, j + 1):
                flags[k] = True
        i = max(j, i + 1)
    return flags


# -- staffing what-ifs ----------------------------------------------------------------


def plus_one(staffing: Staffing, start: float, end: float, *, interval: float = 900.0, weekly: bool = False) -> Staffing:
    """The same staffing with one more member from ``start`` to ``end`` (seconds from Monday 00:00).

    Shifts get one extra shift of exactly that window; a headcount or a profile
    becomes a profile per ``interval`` with one more in the window. With
    ``weekly`` the extra member works only on the window's weekday; otherwise
    every day at that time.

    >>> s = plus_one(Staffing.model_validate(3), 10 * 3600, 12 * 3600, interval=3600)
    >>> s.profile.values[9:13]
    [3.0, 4.0, 4.0, 3.0]
    """
    if staffing.kind == "unlimited":
        raise ValueError("an unlimited role has no members to add")
    if end <= start:
        raise ValueError("the window must end after it starts")
    day = int(start // DAY)
    tod = start - day * DAY
    if staffing.kind == "shifts":
        extra = Shift(
            name="one more",
            start=f"{int(tod // 3600):02d}:{int(tod % 3600 // 60):02d}",
            length=f"{(end - start) / 60:g} min",
            count=1,
            days=[WEEKDAYS[day % 7]] if weekly else None,
        )
        return Staffing(shifts=[*(staffing.shifts or []), extra])
    if DAY % interval:
        raise ValueError(f"an interval of {interval:g} s does not divide a day")
    m = int(DAY // interval)
    base = staffing.headcount if staffing.kind == "headcount" else None
    profile = staffing.profile
    per_day = bool(weekly or (profile is not None and profile.weekly))

    def values(d: int) -> list[float]:
        if base is not None:
            return [float(base)] * m
        assert profile is not None
        return [profile.value_at(d * DAY + k * interval + 1e-6) for k in range(m)]

    lists = {WEEKDAYS[d]: values(d) for d in range(7)} if per_day else {"mon": values(0)}
    k0 = int(round(tod / interval))
    k1 = int(math.ceil((tod + end - start) / interval - 1e-9))
    for k in range(k0, k1):
        d, kk = divmod(k, m)
        key = WEEKDAYS[(day + d) % 7] if per_day else "mon"
        lists[key][kk] += 1
    length = f"{interval / 60:g} min"
    if per_day:
        return Staffing(profile=Profile(interval=length, start="00:00", days=lists))
    return Staffing(profile=Profile(interval=length, start="00:00", values=lists["mon"]))


# -- the finder -----------------------------------------------------------------------


@dataclass
class _Finding:
    kind: str
    step: str | None
    role: str | None
    a: int  # first interval
    b: int  # one past the last interval
    severity: float
    affected: float  # customers a day
    measure: str
    value: float
    ci: tuple[float, float]
    sentence: str
    evidence: dict[str, Any] = field(default_factory=dict)
    declared: bool | None = None
    status: str = "bites"
    what_if: str | None = None
    what_if_value: float = math.nan


def _weekly(bp: Blueprint) -> bool:
    """Does the blueprint differ between weekdays (arrivals or staffing)?"""
    for a in bp.arrivals:
        if a.profile is not None and a.profile.weekly:
            return True
        if a.times and any(" " in t for t in a.times):
            return True
    for r in bp.roles:
        st = r.staffing
        if st is None:
            continue
        if st.profile is not None and st.profile.weekly:
            return True
        if st.shifts and any(sh.days is not None for sh in st.shifts):
            return True
    return False


def _fold(values: list[float], first: int, period: int, how: str) -> list[float]:
    """Per-interval values of a run folded onto one period (a day or a week) from interval ``first`` on:
    summed, averaged or the largest over the periods."""
    out = [0.0] * period
    seen = [0] * period
    for i in range(first, len(values)):
        j = i % period
        v = float(values[i])
        if how == "max":
            out[j] = max(out[j], v)
        else:
            out[j] += v
        seen[j] += 1
    if how == "mean":
        out = [x / c if c else 0.0 for x, c in zip(out, seen)]
    return out


def _fold_record(rec: Any, first: int, period: int) -> Any:
    """A record of per-interval series (:class:`RoleIntervals`, :class:`QueueIntervals`) with every series
    folded by its combine rule; its other fields as they are."""
    kind = type(rec)
    return replace(rec, **{name: _fold(getattr(rec, name), first, period, combine_rule(kind, name))
                           for name in series_fields(kind)})


class _Reader:
    """The replications' figures, summed over windows of intervals.

    A run longer than a day is folded onto one day (or, when the blueprint
    differs by weekday, one week): a window is a time of day, its counts are
    summed over the days and reported per day.
    """

    def __init__(self, results: Results) -> None:
        self.results = results
        self.bp: Blueprint = results.blueprint
        self.w = results.interval
        raw = results.replications
        horizon = raw[0].horizon
        n = self._count(raw[0])
        first = min(int(math.ceil(results.warmup / self.w)), n)
        self.days = (horizon - results.warmup) / DAY  # counted days, for "a day" figures
        self.significant = True
        self.period_seconds = WEEK if _weekly(self.bp) else DAY
        if horizon <= self.period_seconds + 1e-9 and (DAY % self.w == 0 or horizon <= DAY):
            period = n  # nothing to fold
            self.period_seconds = horizon
        else:
            period = int(round(self.period_seconds / self.w))
        self.reps = [self._folded(r, first, period) for r in raw]
        self.first = 0
        self.horizon = min(horizon, period * self.w)
        self.label_days = 7.0 if self.period_seconds >= WEEK else 1.0

    @staticmethod
    def _count(r: Replication) -> int:
        if r.step_intervals:
            return len(next(iter(r.step_intervals.values())).arrivals)
        return len(next(iter(r.roles.values())).arrivals) if r.roles else 0

    @staticmethod
    def _folded(r: Replication, first: int, period: int) -> Replication:
        """The replication with its per-interval series folded onto one period."""
        return replace(
            r, roles={k: _fold_record(v, first, period) for k, v in r.roles.items()},
            step_intervals={k: _fold_record(v, first, period) for k, v in r.step_intervals.items()},
            experience={k: _fold_record(v, first, period) for k, v in r.experience.items()},
        )

    @property
    def n(self) -> int:
        return self._count(self.reps[0])

    def step_sum(self, sid: str, key: str, a: int, b: int) -> list[float]:
        """Per replication: the sum of the series ``key`` of :class:`QueueIntervals` at ``sid`` over intervals ``[a, b)``."""
        return [float(sum(getattr(r.step_intervals[sid], key)[a:b])) for r in self.reps]

    def steps_sum(self, steps: list[str], key: str, a: int, b: int) -> list[float]:
        return [float(sum(sum(getattr(r.step_intervals[s], key)[a:b]) for s in steps)) for r in self.reps]

    def experience_loss(self, steps: list[str], a: int, b: int) -> float:
        """The experience loss (in tolerances, :mod:`blueprint.experience`) of the visits to ``steps`` that began in
        ``[a, b)``, every segment, per day."""
        keys = [k for k in self.reps[0].experience if k.split("@", 1)[0] in steps]
        if not keys:
            return math.nan
        return self.per_day([float(sum(sum(r.experience[k].loss_sum[a:b]) for k in keys)) for r in self.reps])

    def role_sum(self, role: str, key: str, a: int, b: int) -> list[float]:
        """Per replication: the sum of the series ``key`` of :class:`RoleIntervals` of ``role`` over ``[a, b)``."""
        return [float(sum(getattr(r.roles[role], key)[a:b])) for r in self.reps]

    def per_day(self, values: list[float]) -> float:
        return float(np.mean(values)) / self.days if self.days > 0 else math.nan

    def ratio(self, num: list[float], den: list[float]) -> tuple[float, float, float]:
        """Mean and interval of per-replication shares ``num / den`` (replications with no denominator left
        out): the Wilson interval of :func:`~simulate.intervals.proportion_ci`, inside [0, 1]."""
        return proportion_ci([x / y if y > 0 else math.nan for x, y in zip(num, den)], den)

    def pooled(self, num: list[float], den: list[float]) -> float:
        d = sum(den)
        return sum(num) / d if d > 0 else math.nan

    def window(self, a: int, b: int) -> str:
        return _window_text(a * self.w, min(b * self.w, self.horizon), self.label_days, self.horizon)


def fail_points(
    results: Results,
    *,
    occupancy: float = 0.85,
    over_tolerance: float = 0.2,
    abandonment: float = 0.05,
    growth: int = 3,
    gap: int = 1,
    min_customers: float = 1.0,
    significant: bool = True,
    what_if: int = 3,
) -> FailPoints:
    """Find, rank and explain the fail points of a simulated blueprint.

    Thresholds (see the module documentation for what each kind means):
    ``occupancy`` (0.85: staff busy 85% of their time or more), ``over_tolerance``
    (0.2: a fifth of the customers or more wait longer than their tolerance,
    the complement of the usual 80% service level), ``abandonment`` (0.05),
    ``growth`` (a queue rising for 3 intervals in a row to more customers than
    staff on duty), ``gap`` (flagged intervals at most this many intervals
    apart form one window), ``min_customers`` (findings affecting fewer
    customers a day are dropped), ``significant`` (keep a window only when the
    lower end of its figure's 95% interval over the replications reaches the
    threshold, so that chance peaks in a few replications are not reported;
    needs 2 replications or more) and ``what_if`` (how many of the most severe
    capacity, waiting and hand-off findings get a one-more-member simulation;
    0 for none).
    """
    if not 0 < occupancy <= 1:
        raise ValueError(f"occupancy must be in (0, 1], got {occupancy}")
    for name, v in (("over_tolerance", over_tolerance), ("abandonment", abandonment)):
        if not 0 < v <= 1:
            raise ValueError(f"{name} must be in (0, 1], got {v}")
    if growth < 2 or gap < 0 or what_if < 0 or min_customers < 0:
        raise ValueError("growth must be at least 2; gap, what_if and min_customers at least 0")
    rd = _Reader(results)
    rd.significant = significant and len(rd.reps) >= 2
    bp = rd.bp
    found: list[_Finding] = []
    found += _capacity(rd, occupancy, growth, gap, min_customers)
    found += _waiting(rd, over_tolerance, abandonment, gap, min_customers)
    found += _declared(rd, found, min_customers)
    bottleneck = _bottleneck(rd)
    if bottleneck is not None:
        found.append(bottleneck)
    declared_steps = {s.id for s in bp.steps if s.fail_point is not None}
    for f in found:
        if f.kind in ("capacity", "waiting", "abandonment", "hand-off") and f.step is not None:
            f.declared = f.step in declared_steps
            if not f.declared:
                f.sentence += " Not marked as a fail point."
    order = {"bites": 0, "info": 1, "harmless": 2}
    found.sort(key=lambda f: (order[f.status], -f.severity, KINDS.index(f.kind), f.step or "", f.a))
    if what_if:
        _what_ifs(rd, found, what_if)
    return FailPoints._from_findings(found, rd, thresholds={
        "occupancy": occupancy, "over_tolerance": over_tolerance, "abandonment": abandonment,
        "growth": growth, "gap": gap, "min_customers": min_customers, "significant": significant,
    })


def _badness(wait_mean: float, tolerance: float, floor: float = 1.0) -> float:
    if not math.isfinite(wait_mean) or tolerance <= 0:
        return floor
    return min(MAX_BADNESS, max(floor, wait_mean / tolerance))


def _queue_steps(bp: Blueprint, role: str, rd: _Reader) -> list[str]:
    return [s.id for s in bp.steps if s.role == role and s.id in rd.reps[0].step_intervals]


def _holds(rd: _Reader, low: float, mean: float, threshold: float) -> bool:
    """Is the window's figure above the threshold (its interval's lower end, when asked)?"""
    if not math.isfinite(mean) or mean < threshold:
        return False
    if rd.significant:
        return math.isfinite(low) and low >= threshold
    return True


def _capacity(rd: _Reader, threshold: float, growth: int, gap: int, min_customers: float) -> list[_Finding]:
    out: list[_Finding] = []
    for role in rd.bp.roles:
        if role.staffing is None or role.staffing.kind == "unlimited":
            continue
        steps = _queue_steps(rd.bp, role.name, rd)
        if not steps:
            continue
        data: list[RoleIntervals] = [r.roles[role.name] for r in rd.reps]
        n = len(data[0].busy)
        busy = [float(np.mean([d.busy[i] for d in data])) for i in range(n)]
        duty = [float(np.mean([d.on_duty[i] for d in data])) for i in range(n)]
        queue = [float(np.mean([d.queue_mean[i] for d in data])) for i in range(n)]
        occ = [occupancy_of(b, d) for b, d in zip(busy, duty)]
        rising = _growth(queue, duty, rd.first, growth)
        # customers at the role's steps in an interval where its staffing puts nobody on duty: nobody serves them
        plan = _planned(rd, role.name, 0, n)
        came = [float(np.mean([sum(r.step_intervals[s].arrivals[i] for s in steps) for r in rd.reps])) for i in range(n)]
        unserved = [not plan[i] and came[i] > 0 for i in range(n)]
        flags = [i >= rd.first and ((plan[i] and occ[i] >= threshold) or rising[i] or unserved[i]) for i in range(n)]
        tol = rd.reps[0].step_intervals[steps[0]].tolerance
        for a, b in _windows(flags, gap):
            duty_then = _duty(rd, role.name, a, b)
            occ_m, occ_lo, occ_hi = duty_then.occupancy
            grew = any(rising[a:b])
            if not grew and not any(unserved[a:b]) and not _holds(rd, occ_lo, occ_m, threshold):
                continue
            arrivals = rd.steps_sum(steps, "arrivals", a, b)
            waited = rd.steps_sum(steps, "waited", a, b)
            over = rd.steps_sum(steps, "over", a, b)
            wait_sum = rd.steps_sum(steps, "wait_sum", a, b)
            affected = rd.per_day(waited)
            if affected < min_customers:
                continue
            wait_mean = rd.pooled(wait_sum, waited)
            share_waited = rd.pooled(waited, arrivals)
            share_over = rd.pooled(over, arrivals)
            # the step where most of the waiting happens carries the finding on the diagram
            worst = max(steps, key=lambda s: sum(rd.step_sum(s, "waited", a, b)))
            q0, q1 = queue[a], queue[b - 1]
            text = f"The {role.name} staff, {rd.window(a, b)}: {_capacity_words(rd, duty_then)}"
            text += f"; {_pct(share_waited)} of their customers wait, {_pct(share_over)} over {_dur(tol)}"
            if grew:
                text += f"; the queue grows to {max(queue[a:b]):.1f} customers on average, more than the staff on duty"
            out.append(_Finding(
                kind="capacity", step=worst, role=role.name, a=a, b=b,
                severity=affected * _badness(wait_mean, tol, floor=0.0), affected=affected,
                **_measure(duty_then), sentence=text + ".",
                evidence={
                    "occupancy": (occ_m, occ_lo, occ_hi),
                    "share waiting": rd.ratio(waited, arrivals),
                    f"share waiting over {_dur(tol)}": rd.ratio(over, arrivals),
                    "mean wait of those waiting (s)": mean_ci(_ratios(wait_sum, waited), low=0.0),
                    "staff on duty": mean_ci([x / (b - a) for x in rd.role_sum(role.name, "on_duty", a, b)], low=0.0),
                    "queue at start and end": (q0, q1),
                },
            ))
    return out


def _ratios(num: list[float], den: list[float]) -> list[float]:
    return [x / y if y else math.nan for x, y in zip(num, den)]


def _handoffs_into(bp: Blueprint, step: Step) -> list[tuple[Step, int, Flow]]:
    """Flows into a staffed step that hand the customer over (:func:`~simulate.engine.semantics.hands_over`):
    ``(source step, index among the source's branches, flow)``."""
    out: list[tuple[Step, int, Flow]] = []
    if step.role is None:
        return out
    for src in bp.steps:
        branch_flows = [f for f in bp.flows_from(src.id) if f.is_branch]
        for idx, f in enumerate(branch_flows):
            if f.target == step.id and hands_over(f, src.role, step.role):
                out.append((src, idx, f))
    return out


def _waiting(rd: _Reader, over_t: float, abandon_t: float, gap: int, min_customers: float) -> list[_Finding]:
    out: list[_Finding] = []
    bp = rd.bp
    for s in bp.steps:
        if s.id not in rd.reps[0].step_intervals:
            continue
        data: list[QueueIntervals] = [r.step_intervals[s.id] for r in rd.reps]
        tol = data[0].tolerance
        n = len(data[0].arrivals)
        arr = [float(np.mean([d.arrivals[i] for d in data])) for i in range(n)]
        over = [float(np.mean([d.over[i] for d in data])) for i in range(n)]
        ab = [float(np.mean([d.abandoned[i] for d in data])) for i in range(n)]
        staffed = _has_staff(rd, s.role)
        handoffs = _handoffs_into(bp, s)
        for kind, counts, threshold in (("waiting", over, over_t), ("abandonment", ab, abandon_t)):
            flags = [i >= rd.first and arr[i] > 0 and counts[i] / arr[i] >= threshold for i in range(n)]
            for a, b in _windows(flags, gap):
                arrivals = rd.step_sum(s.id, "arrivals", a, b)
                key = "over" if kind == "waiting" else "abandoned"
                hit = rd.step_sum(s.id, key, a, b)
                m, lo, hi = rd.ratio(hit, arrivals)
                if not _holds(rd, lo, m, threshold):
                    continue
                affected = rd.per_day(hit)
                if affected < min_customers:
                    continue
                wait_mean = rd.pooled(rd.step_sum(s.id, "wait_sum", a, b), rd.step_sum(s.id, "waited", a, b))
                where = f"{s.label}, {rd.window(a, b)}"
                evidence: dict[str, Any] = {}
                found_kind = kind
                if kind == "waiting":
                    who = "customers"
                    if handoffs:
                        # customers reach this queue after a hand-off: the wait is one they feel twice
                        sent = sum(rd.per_day([float(r.branches.get(src.id, [0] * (idx + 1))[idx]) for r in rd.reps])
                                   for src, idx, _ in handoffs)
                        total = rd.per_day([float(r.steps[s.id].arrivals) for r in rd.reps])
                        share = min(1.0, sent / total) if total > 0 else math.nan
                        names = ", ".join(dict.fromkeys(src.label for src, _, _ in handoffs))
                        if share >= 0.5:
                            found_kind = "hand-off"
                            who = "customers handed over from " + names
                        evidence["share of arrivals handed over"] = share
                    text = (f"{where}: {_pct(m)} of {who} wait over {_dur(tol)}{_for_branches(bp, s)} (mean wait of those "
                            f"who wait {_dur(wait_mean)})")
                    severity = affected * _badness(wait_mean, tol)
                else:
                    text = f"{where}: {_pct(m)} of customers give up waiting, {affected:.0f} a day"
                    severity = affected * LOST_WEIGHT
                if s.role and staffed:
                    text += "; " + _busy_words(rd, s.role, _duty(rd, s.role, a, b))
                evidence.update({
                    ("share waiting over " + _dur(tol)) if kind == "waiting" else "share giving up": (m, lo, hi),
                    "customers a day": affected,
                    "arrivals a day": rd.per_day(arrivals),
                    "mean wait of those waiting (s)": wait_mean,
                    "tolerance (s)": tol,
                })
                out.append(_Finding(
                    kind=found_kind, step=s.id, role=s.role, a=a, b=b, severity=severity, affected=affected,
                    measure=f"share over {_dur(tol)}" if kind == "waiting" else "abandonment",
                    value=m, ci=(lo, hi), sentence=text + ".", evidence=evidence,
                ))
    return out


def _for_branches(bp: Blueprint, step: Step) -> str:
    """What a wait at a join is for: the parallel work begun at its split (its slowest branch), not a queue of its own.

    >>> from blueprint import Step
    >>> _for_branches(None, Step(id="a", label="A", lane="customer"))  # type: ignore[arg-type]
    ''
    """
    if step.join is None:
        return ""
    split = next((s.label for s in bp.steps if s.id == step.join), step.join)
    return f" for the parallel work begun at {split} to finish"


def _has_staff(rd: _Reader, role: str | None) -> bool:
    """Is ``role`` a role whose staff are counted (known to the run, neither unstaffed nor unlimited)?"""
    if role is None or role not in rd.reps[0].roles:
        return False
    r = rd.bp.get_role(role)
    return r.staffing is not None and r.staffing.kind != "unlimited"


@dataclass
class _Duty:
    """Staff of one role in a window: the intervals with staff on duty (``intervals``), their occupancy over those
    intervals only (mean and interval over the replications), the staff on duty on average over them, and the
    runs of intervals with staff (``staffed``) and without (``unstaffed``)."""

    intervals: list[int]
    occupancy: tuple[float, float, float]
    on_duty: float
    staffed: list[tuple[int, int]]
    unstaffed: list[tuple[int, int]]


def _duty(rd: _Reader, role: str, a: int, b: int) -> _Duty:
    """Who was on duty in intervals ``[a, b)``. An interval counts as staffed when the role's staffing puts
    someone on duty in it (a member who stays on to finish a customer after the shift is not staff on duty);
    occupancy (busy / on duty, :func:`simulate.figures.occupancy`) is taken over those intervals only, so a
    window that runs on after the staff have gone home is not called busy."""
    data: list[RoleIntervals] = [r.roles[role] for r in rd.reps]
    duty = [float(np.mean([d.on_duty[i] for d in data])) for i in range(a, b)]
    flags = _planned(rd, role, a, b)
    idx = [a + k for k, f in enumerate(flags) if f]
    occ = proportion_ci([occupancy_of(sum(d.busy[i] for i in idx), sum(d.on_duty[i] for i in idx)) for d in data])
    return _Duty(
        intervals=idx, occupancy=occ, on_duty=float(np.mean([duty[i - a] for i in idx])) if idx else 0.0,
        staffed=[(a + x, a + y) for x, y in _windows(flags, 0)],
        unstaffed=[(a + x, a + y) for x, y in _windows([not f for f in flags], 0)],
    )


def _planned(rd: _Reader, role: str, a: int, b: int) -> list[bool]:
    """For each interval of ``[a, b)``: does the role's staffing put anyone on duty in it?"""
    staffing = rd.bp.get_role(role).staffing
    plan = headcount_timeline(staffing, rd.horizon) if staffing is not None else [(0.0, 0.0)]
    return [integrate(plan, i * rd.w, (i + 1) * rd.w) > 0 for i in range(a, b)]


def _measure(d: _Duty) -> dict[str, Any]:
    """A capacity finding's figure: the occupancy while on duty, or, with nobody on duty, the staff on duty (0)."""
    if not d.intervals:
        return {"measure": "staff on duty", "value": 0.0, "ci": (0.0, 0.0)}
    return {"measure": "occupancy", "value": d.occupancy[0], "ci": (d.occupancy[1], d.occupancy[2])}


def _runs(rd: _Reader, runs: list[tuple[int, int]]) -> str:
    """``10:00 to 12:00`` or ``10:00 to 12:00 and 14:00 to 16:00``; more than two runs counted."""
    words = [rd.window(x, y) for x, y in runs[:2]]
    return " and ".join(words) + (f" and {len(runs) - 2} more times" if len(runs) > 2 else "")


def _busy_words(rd: _Reader, role: str, d: _Duty) -> str:
    """How busy the staff of ``role`` were, said of the time they were on duty only.

    >>> rd = _Reader.__new__(_Reader)
    >>> rd.w, rd.horizon, rd.label_days = 900.0, 86400.0, 1.0
    >>> _busy_words(rd, "barista", _Duty([40, 41], (0.9, 0.8, 0.95), 2.0, [(40, 48)], [(48, 96)]))
    'barista staff are 90% busy while on duty (10:00 to 12:00), and none are on duty from 12:00 to 00:00'
    >>> _busy_words(rd, "barista", _Duty([], (math.nan,) * 3, 0.0, [], [(84, 96)]))
    'no barista is on duty'
    """
    if not d.intervals:
        return f"no {role} is on duty"
    text = f"{role} staff are {_pct(d.occupancy[0])} busy"
    if d.unstaffed:
        text += f" while on duty ({_runs(rd, d.staffed)}), and none are on duty from {_runs(rd, d.unstaffed)}"
    return text


def _capacity_words(rd: _Reader, d: _Duty) -> str:
    """The staff of a capacity finding: how many were on duty, how busy, and when none were.

    >>> rd = _Reader.__new__(_Reader)
    >>> rd.w, rd.horizon, rd.label_days = 900.0, 86400.0, 1.0
    >>> _capacity_words(rd, _Duty([39, 40], (0.83, 0.8, 0.86), 1.7, [(39, 48)], [(48, 54)]))
    '83% busy with 1.7 on duty on average from 09:45 to 12:00, none on duty from 12:00 to 13:30'
    """
    if not d.intervals:
        return "none on duty"
    if d.on_duty < 1:
        text = f"fewer than one on duty on average ({d.on_duty:.1f}), {_pct(d.occupancy[0])} busy"
    else:
        text = f"{_pct(d.occupancy[0])} busy with {d.on_duty:.1f} on duty on average"
    if d.unstaffed:
        text += f" from {_runs(rd, d.staffed)}, none on duty from {_runs(rd, d.unstaffed)}"
    return text


def _declared(rd: _Reader, found: list[_Finding], min_customers: float) -> list[_Finding]:
    out: list[_Finding] = []
    bp = rd.bp
    a, b = rd.first, rd.n
    at_step = {f.step for f in found}
    roles_hit = {f.role for f in found if f.kind == "capacity"}
    reps = rd.reps
    done = [float(r.journeys.completed) for r in reps]
    done_time = [r.outcome_time.completed for r in reps]
    rec = [float(r.journeys.recovered) for r in reps]
    rec_time = [r.outcome_time.recovered for r in reps]
    for s in bp.steps:
        fp = s.fail_point
        if fp is None:
            continue
        if fp.probability:
            failures = [float(r.steps[s.id].failures) for r in reps]
            visits = [float(r.steps[s.id].completions) for r in reps]
            m, lo, hi = rd.ratio(failures, visits)
            per_day = rd.per_day(failures)
            if sum(failures) == 0:
                out.append(_harmless(rd, s, f"declared failure probability {fp.probability:g}, but no visit failed"))
                continue
            if fp.recovery:
                target = bp.step(fp.recovery)
                extra = rd.pooled(rec_time, rec) - rd.pooled(done_time, done)
                load = f"; the extra load falls on {target.role}" if target.role else ""
                text = (
                    f"{s.label}: {_pct(m)} of visits fail ({per_day:.0f} a day; declared {_pct(fp.probability)}); "
                    f"they go on to {target.label}{load}. "
                    + (f"Journeys that recover from a failure take {_dur(extra)} longer on average." if math.isfinite(extra)
                       else "Too few journeys finished in the run to say how much longer a recovery makes them.")
                )
                severity = per_day
            else:
                extra = math.nan
                text = f"{s.label}: {_pct(m)} of visits fail ({per_day:.0f} a day; declared {_pct(fp.probability)}); these customers are lost."
                severity = per_day * LOST_WEIGHT
            if per_day < min_customers:
                continue
            out.append(_Finding(
                kind="declared", step=s.id, role=s.role, a=a, b=b, severity=severity, affected=per_day,
                measure="failure rate", value=m, ci=(lo, hi), sentence=text, declared=True,
                evidence={"failure rate": (m, lo, hi), "failures a day": per_day, "declared probability": fp.probability,
                          "extra journey time of those who recover (s)": extra, "recovery step": fp.recovery},
            ))
        elif s.id not in at_step and not (s.role and s.role in roles_hit):
            out.append(_harmless(rd, s, "no queue, wait or abandonment problem showed there"))
    return out


def _harmless(rd: _Reader, s: Any, why: str) -> _Finding:
    desc = s.fail_point.description
    text = f"{s.label}: the declared fail point{f' ({desc})' if desc else ''} did no harm in the simulation: {why}."
    return _Finding(
        kind="declared", step=s.id, role=s.role, a=rd.first, b=rd.n, severity=0.0, affected=0.0,
        measure="", value=math.nan, ci=(math.nan, math.nan), sentence=text, declared=True, status="harmless",
    )


def _bottleneck(rd: _Reader) -> _Finding | None:
    """The staffed step (or join) taking the largest share of all time in the system."""
    bp = rd.bp
    reps = rd.reps
    total = [r.outcome_time.total for r in reps]
    if not any(total):
        return None
    best = None
    for s in bp.steps:
        if s.id not in reps[0].step_intervals:
            continue
        spent = []
        for r in reps:
            st = r.steps[s.id]
            waits = st.wait_mean * (st.completions + st.abandonments) if st.completions + st.abandonments else 0.0
            service = st.duration_mean * st.completions if st.completions else 0.0
            spent.append(waits + service)
        share = [x / t if t else math.nan for x, t in zip(spent, total)]
        m, lo, hi = proportion_ci(share)
        if math.isfinite(m) and (best is None or m > best[1]):
            best = (s, m, lo, hi)
    if best is None:
        return None
    s, m, lo, hi = best
    figs = [r.steps[s.id] for r in reps]
    wait = float(np.nanmean([x.wait_mean for x in figs]))
    service = float(np.nanmean([x.duration_mean for x in figs]))
    arrivals = rd.per_day([float(x.arrivals) for x in figs])
    text = (
        f"{s.label} takes the largest share of the customers' time in the system: {_pct(m)} "
        + (f"({_dur(wait)} waiting and {_dur(service)} of service per visit, {arrivals:.0f} visits a day)." if s.join is None
         else f"({_dur(wait)} a visit waiting{_for_branches(bp, s)}, {arrivals:.0f} visits a day).")
    )
    return _Finding(
        kind="bottleneck", step=s.id, role=s.role, a=rd.first, b=rd.n, severity=0.0, affected=arrivals, status="info",
        measure="share of time in system", value=m, ci=(lo, hi), sentence=text,
        evidence={"share of time in system": (m, lo, hi), "mean wait (s)": wait, "mean service (s)": service},
    )


def _what_ifs(rd: _Reader, found: list[_Finding], limit: int) -> None:
    from simulate.run import run

    results = rd.results
    done: dict[tuple[str, int, int], Any] = {}
    tried = 0
    for f in found:
        if tried >= limit:
            break
        if f.kind not in ("capacity", "waiting", "hand-off") or f.role is None:
            continue
        # the staff to add to: the role's own, or for a skill of staff groups the group its calls try first
        staff, who = f.role, f.role
        own = rd.bp.get_role(f.role).staffing
        if rd.bp.routed(f.role):
            from simulate.staffing.groups import first_choice

            staff = first_choice(rd.bp).get(f.role, rd.bp.groups_with(f.role)[0].name)
            own, who = rd.bp.get_group(staff).staffing, f"member of {staff} ({f.role})"
        if own is None or own.kind == "unlimited":
            continue
        key = (staff, f.a, f.b)
        if key not in done:
            start, end = f.a * rd.w, min(f.b * rd.w, rd.horizon)
            try:
                staffing = plus_one(own, start, end, interval=rd.w, weekly=rd.period_seconds >= WEEK)
            except ValueError:
                continue
            changed = rd.bp.with_staffing({staff: staffing})
            done[key] = run(
                changed, days=results.days, replications=len(rd.reps), seed=results.seed,
                warmup=results.warmup, interval=results.interval,
            )
            tried += 1
        after = _Reader(done[key])
        window = rd.window(f.a, f.b)
        steps = _queue_steps(rd.bp, f.role, rd) if f.kind == "capacity" or f.step is None else [f.step]
        arr, over = after.steps_sum(steps, "arrivals", f.a, f.b), after.steps_sum(steps, "over", f.a, f.b)
        before_arr, before_over = rd.steps_sum(steps, "arrivals", f.a, f.b), rd.steps_sum(steps, "over", f.a, f.b)
        tol = rd.reps[0].step_intervals[steps[0]].tolerance
        o0, o1 = rd.pooled(before_over, before_arr), after.pooled(over, arr)
        text = f"One more {who} from {window} cuts waits over {_dur(tol)} from {_pct(o0)} to {_pct(o1)}"
        if f.kind == "capacity":
            # over the intervals the finding's occupancy was taken over; with nobody on duty before, the whole window
            idx = _duty(rd, staff, f.a, f.b).intervals or list(range(f.a, f.b))
            occ1 = occupancy_of(sum(sum(r.roles[staff].busy[i] for i in idx) for r in after.reps),
                                sum(sum(r.roles[staff].on_duty[i] for i in idx) for r in after.reps))
            if f.measure == "occupancy":
                text += f" and occupancy from {_pct(f.value)} to {_pct(occ1)}"
            else:
                text += f", with the one on duty {_pct(occ1)} busy"
        f.what_if = text + "."
        f.what_if_value = o1


# -- the table ------------------------------------------------------------------------


class FailPoints(pd.DataFrame):
    """The ranked findings of :func:`fail_points`: a DataFrame, one row per finding (rank 1 first).

    Columns: ``kind``, ``step``, ``role``, ``window`` (in words), ``start`` and ``end``
    (seconds from the start of the run), ``severity``, ``affected_per_day``,
    ``measure``, ``value``, ``ci_low``, ``ci_high``, ``declared`` (is the step
    marked as a fail point?), ``status`` ("bites", "info" for the bottleneck, or
    "harmless"), ``finding``
    (one plain sentence), ``what_if`` (the effect of one more member, where
    simulated), ``evidence`` (figures with their intervals) and ``experience_loss`` (the
    customers' experience loss at the finding's step, or its role's queues, in its window: tolerances
    a day, :mod:`simulate.experience`; NaN without a wait point). :meth:`render` draws them on the
    blueprint; :meth:`by_experience` ranks them by what they cost the customers' experience.
    """

    _metadata = ["_blueprint", "_thresholds", "_results"]
    _blueprint: Blueprint
    _thresholds: dict[str, float]
    _results: Results | None

    @property
    def _constructor(self) -> type[FailPoints]:
        return FailPoints

    @classmethod
    def _from_findings(cls, found: list[_Finding], rd: _Reader, thresholds: dict[str, float]) -> FailPoints:
        rows = [
            {
                "kind": f.kind, "step": f.step, "role": f.role, "window": rd.window(f.a, f.b),
                "start": f.a * rd.w, "end": min(f.b * rd.w, rd.horizon), "severity": round(f.severity, 6),
                "affected_per_day": f.affected, "measure": f.measure, "value": f.value,
                "ci_low": f.ci[0], "ci_high": f.ci[1], "declared": f.declared, "status": f.status,
                "finding": f.sentence, "what_if": f.what_if, "evidence": f.evidence,
                "experience_loss": rd.experience_loss([f.step] if f.step is not None else
                                                      _queue_steps(rd.bp, f.role, rd) if f.role is not None else [], f.a, f.b),
            }
            for f in found
        ]
        columns = ["kind", "step", "role", "window", "start", "end", "severity", "affected_per_day", "measure",
                   "value", "ci_low", "ci_high", "declared", "status", "finding", "what_if", "evidence", "experience_loss"]
        df = cls(pd.DataFrame(rows, columns=columns, index=pd.RangeIndex(1, len(rows) + 1, name="rank")))
        df._blueprint = rd.bp
        df._thresholds = thresholds
        df._results = rd.results
        return df

    def by_experience(self) -> FailPoints:
        """The findings that cost the customers' experience, ranked by ``experience_loss`` (most first) beside
        today's severity rank (the index keeps each finding's rank by severity).

        >>> found.by_experience()[["step", "window", "severity", "experience_loss"]]   # doctest: +SKIP
        """
        part = self[self["experience_loss"].fillna(0) > 0]
        return part.sort_values("experience_loss", ascending=False, kind="stable")

    @property
    def blueprint(self) -> Blueprint:
        """The blueprint the findings are about."""
        return self._blueprint

    def sentences(self, top: int | None = None) -> list[str]:
        """The findings in words, most severe first, with what one more member would do."""
        out = []
        for rank, row in self.head(top if top is not None else len(self)).iterrows():
            text = f"F{rank} [{row['kind']}] {row['finding']}"
            if isinstance(row["what_if"], str):
                text += f" {row['what_if']}"
            out.append(text)
        return out

    def overlays(self) -> dict[str, StepOverlay]:
        """Diagram marks: a badge with the best rank of the findings at each step (the table has
        them all), the step coloured by severity, declared fail points that did no harm faded."""
        marks: dict[str, StepOverlay] = {}
        biting = self[self["status"] != "harmless"]
        top = float(biting["severity"].max()) if len(biting) else 0.0
        for rank, row in biting.iterrows():
            sid = row["step"]
            if sid is None or sid in marks:
                continue
            q = row["severity"] / top if top > 0 else 0.0
            colour = SEVERITY_COLOURS[min(len(SEVERITY_COLOURS) - 1, max(0, math.ceil(q * len(SEVERITY_COLOURS)) - 1))]
            marks[sid] = StepOverlay(fill=colour, badge=str(rank))
        for _, row in self[self["status"] == "harmless"].iterrows():
            if row["step"] not in marks:
                marks[row["step"]] = StepOverlay(faded=True)
        return marks

    def render(self, *, figures: bool = True, **options: Any) -> Diagram:
        """The blueprint with the findings on it: each step with a finding coloured by severity and
        badged with the rank of its worst finding, declared fail points that did no harm faded, and
        (``figures=True``) the run's measured figures in the boxes and the customer's time under the
        lanes, as :meth:`Results.render <simulate.results.Results.render>` draws them. Other options
        as for :func:`blueprint.render`.

        >>> found.render(max_columns=6).save("fail_points.svg")      # doctest: +SKIP
        """
        from blueprint.render import render
        from simulate.diagram import measured_overlays, merge_overlays, time_row

        options.setdefault("subtitle", "Fail points found by simulation: the badge is the rank of the worst finding at "
                                       "the step (F1 is the most severe); darker = more severe; a faded F did no harm")
        items = [(SEVERITY_COLOURS[-1], "most severe"), (SEVERITY_COLOURS[0], "least severe")]
        marks = self.overlays()
        results = getattr(self, "_results", None)
        if figures and results is not None:
            measured = measured_overlays(results)
            for sid, m in measured.items():
                m.fill = None  # the severity colours the box here
                marks[sid] = merge_overlays(m, marks[sid]) if sid in marks else m
            options.setdefault("time_row", time_row(results))
        return render(self._blueprint, overlays=marks, legend_items=items, **options)

    def _repr_html_(self) -> str:
        if len(self) == 0:
            return "<p><b>No fail points found</b> at the thresholds used.</p>"
        rows = []
        for rank, row in self.iterrows():
            faded = ' style="color:#999"' if row["status"] == "harmless" else ""
            what = html.escape(row["what_if"]) if isinstance(row["what_if"], str) else ""
            rows.append(
                f"<tr{faded}><td>F{rank}</td><td>{html.escape(str(row['kind']))}</td>"
                f"<td>{html.escape(str(row['step'] or row['role'] or ''))}</td><td>{html.escape(row['window'])}</td>"
                f"<td style='text-align:right'>{number(row['severity'])}</td>"
                f"<td style='text-align:left'>{html.escape(row['finding'])}</td><td style='text-align:left'>{what}</td></tr>"
            )
        head = "".join(f"<th style='text-align:{'right' if h == 'severity' else 'left'}'>{h}</th>"
                       for h in ("", "kind", "where", "when", "severity", "finding", "one more member"))
        return (
            f"<table><caption>Fail points of <b>{html.escape(self._blueprint.name)}</b>, most severe first "
            "(severity: customers affected a day × how badly)</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
