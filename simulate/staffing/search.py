"""The optimiser's search: raise only on evidence, then give back what the simulation says is spare.

:func:`simulate.optimize_staffing` runs it in three phases on one set of replications (common
random numbers: replication *i* meets the same customers whatever the plan, so two plans
differ by their staffing, not by their luck):

1. **Raise on evidence.** Start from the analytic requirement (lag-SIPP with Erlang A), buy
   the cheapest shifts for it, simulate, and judge each period of the target's level on
   pooled calls (:mod:`simulate.staffing.pooled`). Where a period cannot be told apart from
   the target, add replications (doubling, up to a cap); only a period whose whole 95%
   interval misses raises the requirement, at its worst interval, to one more than was on
   duty there. Repeat until nothing misses clearly.
2. **Give back.** Per interval, the simulation measured the figures at the staff on duty;
   Erlang A says how much one member less would change them. The measured figure plus
   that change predicts each interval at lower staffing (the simulation corrects the
   formula for what it cannot see: transfers, call-backs, queues carried over). A greedy
   pass lowers the requirement, interval by interval, while every period's prediction
   still meets the target *with a safety margin* (``margin``, against the winner's curse:
   among many changes some look good by luck), the shift solver buys the cheapest shifts
   for it (dropping, shortening or moving shifts and breaks), and the same replications
   check the result. A period the change touched must meet the target with the margin; a
   period it did not touch must not get worse. A rejected change raises the floor of the
   intervals that failed, and the pass tries again from the best plan so far.

3. **Trim.** The give-back works through the requirement, and the shift solver re-plans the
   whole role for each change, so one failing period refuses the whole change. Then single
   shifts are changed one at a time (the same shift on every day of a class): removed, or
   replaced by a shorter shift of a cheaper template inside its hours (a full day shift
   becoming a part-time one where the part-time share allows), those Erlang A, corrected as
   above, predicts to hold first, the largest saving first. Each change is checked on the same
   replications by the same rule, and more strictly: every period it touches must meet the
   target with its whole 95% interval (a trim picks among many candidates, so one that passes by
   luck is likelier than in the give-back); it is kept if it passes (``trim`` trials at most).

The result is never dearer than the plan phase 1 ends with, and phase 1 only pays for
clear misses. :func:`simulate.verify` then checks the plan on a seed the search never used.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from blueprint import Blueprint, Target
from blueprint.staffing import DAY
from simulate.executors import ExecutorChoice
from simulate.results import Results
from simulate.run import extend, run
from simulate.staffing.erlang_a import erlang_a_arrays
from simulate.staffing.pooled import RoleCounts, bounded, judged_periods, pooled_figures, role_counts
from simulate.staffing.verify import widest_undecided, with_targets

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from numpy.typing import NDArray

    from simulate.staffing.shifts import ShiftPlan, ShiftTemplates
    from simulate.staffing.shifts.calendar import Grid
    from simulate.staffing.shifts.program import Objective, Unit

__all__ = ["Search"]

#: Intervals before a period whose staffing counts as touching it (a queue carries over into it).
NEAR = 2

#: How far past the target (with the margin) the formula may predict a period after a shift is trimmed
#: for the removal still to be tried: the formula is an approximation, and the simulation decides.
TRIM_SLACK = 0.02


class ShiftBuyer(Protocol):
    """What the search needs of the loop that buys shifts (:class:`simulate.staffing.optimize.Loop`):
    the requirement per role (or staff group) it buys for, the roles whose targets judge each, and the
    cheapest shift plan for one's requirement."""

    bp: Blueprint
    roles: list[str]  # what is staffed: roles, and staff groups with skills-based routing
    judged: dict[str, list[str]]  # per staffed role or group, the roles (skills) whose targets judge it
    w: float
    n: int
    objective: Objective
    tpl: dict[str, ShiftTemplates]
    need: dict[str, NDArray[np.int64]]
    raised: dict[str, NDArray[np.int64]]
    out_of_reach: dict[str, set[int]]

    def plan(self, r: str, alike: list[list[int]] | None = None) -> ShiftPlan: ...


#: A role and the days judged together: ``(role, days)``; ``days`` None means the whole run as it is. With
#: staff groups the role is a skill, and the lever that changes its figures is its first-choice group.
View = tuple[str, "tuple[int, ...] | None"]


@dataclass
class _Evaluation:
    """A plan simulated on the search's replications, judged per period of each view."""

    plans: dict[str, ShiftPlan]
    need: dict[str, NDArray[np.int64]]  # the requirement the plans were bought for
    results: Results
    counts: dict[View, RoleCounts]  # per view: days of a class stacked as more replications
    tables: dict[View, pd.DataFrame]  # per view: pooled_figures at the search's level and groups

    def misses(self) -> int:
        return sum(int((t["verdict"] == "misses").sum()) for t in self.tables.values())


@dataclass
class Search:
    """The search's state and settings (see the module notes)."""

    loop: ShiftBuyer
    targets: dict[str, Target]
    requirement: pd.DataFrame  # the analytic requirement: arrival_rate, handle_time per role and interval
    patience: float | None
    days: float
    seed: int
    replications: int
    max_replications: int
    level: str
    min_volume: float
    margin: float
    precision: float
    executor: ExecutorChoice
    closed: dict[str, NDArray[np.bool_]] | None = None  # per role, the intervals after hours (not judged)
    history: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[View, list[list[int]]] = field(default_factory=dict)
    after: dict[View, list[list[int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.bp: Blueprint = with_targets(self.loop.bp, self.targets)
        self.n = self.loop.n
        self.per_day = int(round(DAY / self.loop.w))
        self.first_need = {r: v.copy() for r, v in self.loop.need.items()}
        self.classes = self.day_classes()
        self.unit = {r: u for u in self.loop.roles for r in self.loop.judged[u]}  # a judged role's staff
        # the staff whose change may move a judged role's figures: its own; with staff groups every planned
        # group (a group with several skills passes a change in one skill's staff on to the others)
        grouped = [u for u in self.loop.roles if self.loop.judged[u] != [u]]
        groups = {g.name: g for g in self.loop.bp.groups}
        roles = {r.name: r for r in self.loop.bp.roles}
        # servers per member: a member serving k chats at once is k servers to the formula
        self.k = {u: groups[u].concurrency if u in groups else roles[u].concurrency if u in roles else 1
                  for u in self.loop.roles}
        self.related = {r: list(dict.fromkeys([u, *grouped])) for r, u in self.unit.items()}
        self.views: list[View] = [(r, c) for r in self.unit for c in self.classes]
        self.began = time.perf_counter()

    # -- days with the same demand ----------------------------------------------------------------
    def day_classes(self) -> list[tuple[int, ...] | None]:
        """Groups of whole days with the same arrivals for every role and the same templates allowed:
        they are judged together (more evidence) and staffed alike. ``[None]`` for a run of one day or
        less, or for a target per week (the week is then one whole)."""
        whole = self.n // self.per_day
        if whole < 2 or self.level == "week":
            return [None]
        from blueprint.units import WEEKDAYS

        keys: dict[tuple[Any, ...], list[int]] = {}
        for d in range(whole):
            span = slice(d * self.per_day, (d + 1) * self.per_day)
            rates = tuple(tuple(np.round(self.requirement.xs(r, level="role")["arrival_rate"].to_numpy(dtype=float)[span], 9))
                          for r in self.loop.roles)
            weekday = WEEKDAYS[d % 7]
            allowed = tuple(tuple(t.name for t in self.loop.tpl[r].templates if t.days is None or weekday in t.days)
                            for r in self.loop.roles)
            keys.setdefault((rates, allowed), []).append(d)
        out: list[tuple[int, ...] | None] = [tuple(v) for v in keys.values()]
        if self.n % self.per_day:  # a part day at the end stands alone
            out.append((whole,))
        return out

    def absolute(self, view: View, i: int) -> list[int]:
        """The run's intervals that a view's interval ``i`` stands for (one per day of its class)."""
        days = view[1]
        if days is None:
            return [i]
        return [d * self.per_day + i for d in days if d * self.per_day + i < self.n]

    def length(self, view: View) -> int:
        days = view[1]
        return self.n if days is None else min(self.per_day, self.n - days[0] * self.per_day)

    def stacked(self, counts: RoleCounts, view: View) -> RoleCounts:
        """A view's counts: each day of its class as more replications of one day."""
        days = view[1]
        if days is None:
            return RoleCounts(*(a[:, :self.n] for a in counts))
        m = self.length(view)
        return RoleCounts(*(np.concatenate([a[:, d * self.per_day:d * self.per_day + m] for d in days], axis=0)
                            for a in counts))

    def per_view(self, values: NDArray[np.int64], view: View, how: str = "min") -> NDArray[np.int64]:
        """A per-interval array of the run seen from a view: the least (or most) over its days."""
        days = view[1]
        if days is None:
            return values[:self.n]
        m = self.length(view)
        rows = np.stack([values[d * self.per_day:d * self.per_day + m] for d in days])
        return rows.min(axis=0) if how == "min" else rows.max(axis=0)

    def put(self, target: NDArray[np.int64], view: View, values: NDArray[np.int64]) -> None:
        """Write a view's per-interval values to every day of its class."""
        for i, v in enumerate(values):
            for j in self.absolute(view, i):
                target[j] = v

    def on_duty(self, ev: _Evaluation, role: str) -> NDArray[np.int64]:
        c = ev.plans[role].coverage["on_duty"].to_numpy().astype(int)
        return np.resize(c, self.n)  # a one-day plan repeats over a longer run

    def plans(self) -> dict[str, ShiftPlan]:
        """The cheapest shifts for the current requirement; identical days get identical shifts."""
        multi = [list(c) for c in self.classes if c is not None and len(c) > 1]
        return {r: self.loop.plan(r, multi or None) for r in self.loop.roles}

    def evidence(self, ev: _Evaluation) -> pd.DataFrame:
        """The search's last judgement, one table: per role, days judged together (``days``: "all" for
        the run as it is, else the weekdays of a class) and period, as :func:`pooled_figures` gives it."""
        from blueprint.units import WEEKDAYS

        frames = []
        for (_role, days), table in ev.tables.items():
            t = table.copy()
            t.insert(1, "days", "all" if days is None else ", ".join(WEEKDAYS[d % 7][:3].title() for d in days))
            frames.append(t)
        return pd.concat(frames, ignore_index=True)

    # -- evaluating a plan on the common random numbers ------------------------------------------
    def evaluate(self, plans: dict[str, ShiftPlan]) -> _Evaluation:
        staffed = self.bp.with_staffing({r: p.to_staffing() for r, p in plans.items()})
        results = run(staffed, days=self.days, replications=self.replications, seed=self.seed, interval=self.loop.w,
                      executor=self.executor, progress=False)
        return self.judged(plans, {r: v.copy() for r, v in self.loop.need.items()}, results)

    def judged(self, plans: dict[str, ShiftPlan], need: dict[str, NDArray[np.int64]], results: Results) -> _Evaluation:
        per_role = {r: role_counts(results, r) for r in self.unit}
        counts = {v: self.stacked(per_role[v[0]], v) for v in self.views}
        if not self.groups:  # the periods are fixed by the first plan, so every plan is judged on the same ones
            for v, c in counts.items():
                closed = None if self.closed is None else self.per_view(self.closed[v[0]].astype(np.int64), v, "max") > 0
                self.groups[v], self.after[v] = judged_periods(c.offered.mean(axis=0), self.loop.w, self.level,
                                                               self.min_volume, closed)
        tables = {}
        for v, c in counts.items():
            span = self.days * DAY if v[1] is None else DAY
            tables[v] = pooled_figures(c, v[0], self.targets[v[0]], level=self.level, n=self.length(v), interval=self.loop.w,
                                       span=span, groups=self.groups[v], after_hours=self.after[v])
        return _Evaluation(plans, need, results, counts, tables)

    def more_replications(self, ev: _Evaluation) -> _Evaluation:
        """``ev`` with replications added (doubling) while some period is undecided and wider than
        ``precision``, up to ``max_replications``; the search keeps the larger number from then on."""
        while self.replications < self.max_replications:
            close = pd.concat([t[t["verdict"] == "close"] for t in ev.tables.values()])
            if close.empty or widest_undecided(close) <= self.precision:
                break
            extra = min(self.replications, self.max_replications - self.replications)
            self.replications += extra
            ev = self.judged(ev.plans, ev.need, extend(ev.results, extra, executor=self.executor))
        return ev

    def value(self, plans: dict[str, ShiftPlan]) -> tuple[float, float]:
        """What the solver minimises (paid hours, headcount or cost), then cost to break ties."""
        cost = sum(p.cost for p in plans.values())
        cost = cost if math.isfinite(cost) else 0.0
        if self.loop.objective == "cost":
            return cost, 0.0
        if self.loop.objective == "headcount":
            return float(sum(p.headcount for p in plans.values())), cost
        return float(sum(p.paid_hours for p in plans.values())), cost

    def note(self, phase: str, ev: _Evaluation, accepted: bool, **extra: Any) -> None:
        self.history.append({"round": len(self.history) + 1, "phase": phase, "accepted": accepted,
                             "paid_hours": sum(p.paid_hours for p in ev.plans.values()),
                             "cost": sum(p.cost for p in ev.plans.values()), "clear_misses": ev.misses(),
                             "replications": self.replications, "seconds": time.perf_counter() - self.began,
                             "required": {r: v.tolist() for r, v in ev.need.items()}, **extra})

    # -- phase 1: raise where the evidence says a period misses ---------------------------------
    def raise_on_evidence(self, max_rounds: int) -> _Evaluation:
        ev: _Evaluation | None = None
        for _ in range(max_rounds):
            ev = self.more_replications(self.evaluate(self.plans()))
            self.note("raise", ev, True)
            self.loop.raised = {r: v.copy() for r, v in self.loop.need.items()}  # what a raise out of reach returns to
            raised = False
            for view, table in ev.tables.items():
                role, unit = view[0], self.unit[view[0]]
                on = self.per_view(self.on_duty(ev, unit), view, "min")
                for row in table[table["verdict"] == "misses"].to_dict(orient="records"):
                    order = self.worst_intervals(ev.counts[view], self.targets[role], int(row["first"]), int(row["last"]))
                    reach = [i for i in order if not any(j in self.loop.out_of_reach[unit] for j in self.absolute(view, i))]
                    if not reach:
                        continue  # no template can staff this period more: it stays in the misses, marked unreachable
                    i = reach[0]
                    for j in self.absolute(view, i):
                        self.loop.need[unit][j] = max(self.loop.need[unit][j], int(on[i]) + 1)
                    raised = True
            if not raised:
                break
        assert ev is not None
        return ev

    @staticmethod
    def worst_intervals(c: RoleCounts, target: Target, first: int, last: int) -> list[int]:
        """The intervals of a period, those whose calls fare worst against the target first (most
        answered late or abandoned beyond the target's share)."""
        offered = c.offered[:, first:last + 1].sum(axis=0)
        shortfall = np.zeros_like(offered)
        for figure, goal, _side, _p in bounded(target):
            if figure == "service_level":
                shortfall += goal * offered - c.within[:, first:last + 1].sum(axis=0)
            elif figure == "abandonment":
                shortfall += c.abandoned[:, first:last + 1].sum(axis=0) - goal * offered
        return [first + int(k) for k in np.argsort(-shortfall, kind="stable")]

    def helpers(self, ev: _Evaluation, unit: str) -> NDArray[np.float64]:
        """Per interval, how many servers of other groups a staff group's queue can count on (0 for a role):
        the work others did on its first-choice skills (overflow, or free first), in servers busy, plus the
        idle servers (members × their concurrency) of the groups kept as declared that have one of those
        skills. The formula that predicts the group at lower staffing adds them to its own servers: with
        fewer members of its own, more of its calls go to them. Idle helpers shared by several groups are counted for each, so the prediction
        may promise too much; the simulation that checks every change on the same customers refuses it then."""
        skills = self.loop.judged[unit]
        if skills == [unit]:
            return np.zeros(self.n)
        reps = ev.results.replications
        w = self.loop.w

        def mean(role: str, figure: str) -> NDArray[np.float64]:
            return np.asarray(np.mean([getattr(rep.roles[role], figure)[:self.n] for rep in reps], axis=0), dtype=float)

        theirs = np.sum([mean(s, "work") for s in skills], axis=0)
        help_busy = np.maximum(theirs - mean(unit, "work"), 0.0) / w
        kept = [g for g in self.loop.bp.groups if g.name not in self.loop.judged and set(g.skills) & set(skills)]
        idle = np.sum([np.maximum(mean(g.name, "on_duty") - mean(g.name, "busy"), 0.0) * g.concurrency for g in kept],
                      axis=0) if kept else 0.0
        return np.asarray(help_busy + idle, dtype=float)

    # -- phase 2: give back what the evidence says is spare ---------------------------------------
    def give_back(self, base: _Evaluation, max_rounds: int) -> _Evaluation:
        best = base
        # intervals raised on evidence keep their raise
        floor = {r: np.where(self.loop.need[r] > self.first_need[r], self.loop.need[r], 0) for r in self.loop.roles}
        tried: list[dict[str, NDArray[np.int64]]] = []  # requirements proposed so far
        for _ in range(max_rounds):
            # each staffed role or group as low as the evidence says suffices for every role it is judged by
            lowered = {r: np.zeros_like(best.need[r]) for r in self.loop.roles}
            for view in self.views:
                unit = self.unit[view[0]]
                low = self.lowest(view, best, self.per_view(floor[unit], view, "max"))
                for i, v in enumerate(low):
                    for j in self.absolute(view, i):
                        lowered[unit][j] = max(lowered[unit][j], v)
            if all((lowered[r] >= best.need[r]).all() for r in self.loop.roles):
                break  # nothing left to give back
            if any(all(np.array_equal(lowered[r], np.asarray(t[r])) for r in self.loop.roles) for t in tried):
                self.note("give back", best, False, reason="the same change was refused before")
                break
            tried.append({r: v.copy() for r, v in lowered.items()})
            saved = {r: v.copy() for r, v in self.loop.need.items()}
            for r in self.loop.roles:
                self.loop.need[r] = lowered[r]
            plans = self.plans()
            if self.value(plans) >= self.value(best.plans):
                self.loop.need = saved
                self.note("give back", best, False, reason="no cheaper plan")
                break
            ev = self.evaluate(plans)
            failed = self.failures(ev, best)
            self.note("give back", ev, not failed, failed=len(failed))
            if not failed:
                best = ev
                continue
            self.loop.need = saved
            for view, first, last in failed:
                near = [j for i in range(max(0, first - NEAR), last + 1) for j in self.absolute(view, i)]
                cuts = {u: [j for j in near if self.on_duty(ev, u)[j] < self.on_duty(best, u)[j]] for u in self.related[view[0]]}
                if not any(cuts.values()):  # nothing cut near it: its own staff keep what they had in the period
                    cuts = {self.unit[view[0]]: [j for i in range(first, last + 1) for j in self.absolute(view, i)]}
                for role, cut in cuts.items():
                    now, before = self.on_duty(ev, role), self.on_duty(best, role)
                    for j in cut:
                        floor[role][j] = max(floor[role][j], min(int(before[j]), int(now[j]) + 1))
        self.loop.need = {r: v.copy() for r, v in best.need.items()}
        return best

    def failures(self, ev: _Evaluation, best: _Evaluation, sure: bool = False) -> list[tuple[View, int, int]]:
        """Periods of ``ev`` that do not pass: touched by the change and not meeting the target with
        the margin (with ``sure``, also not meeting it with the whole 95% interval), or not touched and
        worse than in ``best``."""
        out = []
        for view, table in ev.tables.items():
            role = view[0]
            moved = [(self.on_duty(ev, u), self.on_duty(best, u)) for u in self.related[role]]
            old = best.tables[view]
            for row, prev in zip(table.to_dict(orient="records"), old.to_dict(orient="records")):
                if row["verdict"] == "after hours":
                    continue
                first, last = int(row["first"]), int(row["last"])
                near = [j for i in range(max(0, first - NEAR), last + 1) for j in self.absolute(view, i)]
                touched = any(bool((now[near] != before[near]).any()) for now, before in moved)
                ok = True
                for figure, goal, side, _p in bounded(self.targets[role]):
                    value, was = float(row[figure]), float(prev[figure])
                    if math.isnan(value):
                        continue
                    margin = self.margin * (goal if figure == "asa" else 1.0)
                    meets = value >= goal + margin if side == "below" else value <= goal - margin
                    no_worse = value >= was - 1e-9 if side == "below" else value <= was + 1e-9
                    if not (meets or (not touched and no_worse)):
                        ok = False
                if not ok or row["verdict"] == "misses" or (sure and touched and row["verdict"] != "meets"):
                    out.append((view, first, last))
        return out

    def model(self, view: View, ev: _Evaluation) -> _Model:
        """What predicts a view's periods at other staffing: the staff on duty, the calls and figures measured,
        and Erlang A on the unit's pooled load (helpers counted; see :meth:`helpers`)."""
        role, unit = view[0], self.unit[view[0]]
        m = self.length(view)
        on = self.per_view(self.on_duty(ev, unit), view, "min").astype(int)
        target = self.targets[role]
        c = ev.counts[view]
        offered = c.offered.sum(axis=0)
        measured = {f: _ratio(*pair) for f, pair in {
            "service_level": (c.within.sum(axis=0), offered),
            "abandonment": (c.abandoned.sum(axis=0), offered),
            "asa": (c.wait_sum.sum(axis=0), c.answered.sum(axis=0)),
        }.items()}
        req = self.requirement.xs(unit, level="role")  # a group's pooled load: the formula's view of its queue
        first_day = [self.absolute(view, i)[0] for i in range(m)]
        lam = req["arrival_rate"].to_numpy(dtype=float)[first_day] / 3600.0
        helpers = np.floor(self.helpers(ev, unit)[first_day])
        h = np.nan_to_num(req["handle_time"].to_numpy(dtype=float)[first_day], nan=1.0)
        pat = np.inf if self.patience is None else self.patience
        within = target.within.seconds if target.within is not None else 0.0
        k = self.k[unit]

        def formula(cs: NDArray[np.int64], idx: NDArray[np.int64]) -> dict[str, NDArray[np.float64]]:
            servers = cs.astype(float) * k + helpers[idx]
            out = erlang_a_arrays(lam[idx], h[idx], np.full(len(idx), pat), servers, within, ("offered",))
            return {"service_level": np.nan_to_num(out["sl_offered"], nan=0.0),
                    "abandonment": np.nan_to_num(out["p_abandon"], nan=1.0),
                    "asa": np.nan_to_num(out["asa_served"], nan=np.inf)}

        load = np.nan_to_num(lam * h, nan=0.0, posinf=0.0)  # Erlangs
        enough = np.maximum(np.ceil((load + 10 * np.sqrt(load) + 10 - helpers) / k), 0).astype(int) + 1
        return _Model(on, offered, measured, bounded(target), formula, self.groups[view], enough)

    def lowest(self, view: View, ev: _Evaluation, floor: NDArray[np.int64]) -> NDArray[np.int64]:
        """A view's requirement as the evidence says suffices: per period, intervals lowered one member at
        a time (the one whose prediction keeps the most room first) while the period's predicted figures
        meet the target with the margin; never below ``floor``."""
        unit = self.unit[view[0]]
        mod = self.model(view, ev)
        on, offered, figures = mod.on, mod.offered, mod.figures
        need = np.minimum(self.per_view(ev.need[unit], view, "max"), on).astype(int)
        for group in mod.groups:
            idx = np.array(group)
            weights = offered[idx]
            if weights.sum() <= 0:
                continue
            # past the load + 10 standard deviations (+ 10) more members change no figure of the formula: an
            # interval staffed beyond it (a template's min_count of thousands) is lowered from there, not one by one
            start = np.minimum(on[idx], mod.enough[idx])
            at_now = mod.formula(start, idx)
            correction = {f: np.nan_to_num(mod.measured[f][idx] - at_now[f]) for f, *_ in figures}
            # the formula at every staffing from 0 to the start, per interval of the group (computed once)
            levels = [mod.formula(np.arange(int(c) + 1), np.full(int(c) + 1, i)) for c, i in zip(start, idx)]
            cur = start.copy()
            while True:
                options = []
                for k in range(len(idx)):
                    if cur[k] <= max(int(floor[idx[k]]), 0) or (cur[k] <= 1 and weights[k] > 0):
                        continue
                    trial = cur.copy()
                    trial[k] -= 1
                    model = {f: np.array([levels[j][f][trial[j]] for j in range(len(idx))]) for f, *_ in figures}
                    predicted = _predicted(model, correction, weights)
                    room = _room(predicted, figures, self.margin)
                    if room >= 0:
                        options.append((room, k))
                if not options:
                    break
                cur[max(options)[1]] -= 1
            need[idx] = np.minimum(need[idx], cur)
        return np.maximum(need, floor).astype(int)

    # -- phase 3: single shifts trimmed, on evidence ----------------------------------------------
    def trim(self, best: _Evaluation, max_trials: int) -> _Evaluation:
        """Shifts removed, or replaced by a cheaper, shorter one inside their hours, one at a time (on every
        day of a class at once), in the order of :meth:`removals`; each change
        checked on the same replications with the give-back's rule (:meth:`failures`), kept if it passes.
        Stops after ``max_trials`` simulations or when no change is predicted to hold."""
        trials = 0
        refused: set[tuple[Any, ...]] = set()
        while trials < max_trials:
            candidates = [c for c in self.removals(best) if c.key not in refused]
            if not candidates:
                break
            change = candidates[0]
            trials += 1
            saved = {r: v.copy() for r, v in self.loop.need.items()}
            new_on = np.resize(change.plan.coverage["on_duty"].to_numpy().astype(int), self.n)
            self.loop.need[change.unit] = np.minimum(self.loop.need[change.unit], new_on)
            ev = self.evaluate({**best.plans, change.unit: change.plan})
            failed = self.failures(ev, best, sure=True)
            self.note("trim", ev, not failed, failed=len(failed), removed=f"{change.unit}: {change.removed}",
                      added=change.added)
            if failed:
                self.loop.need = saved
                refused.add(change.key)
                continue
            best = ev
        self.loop.need = {r: v.copy() for r, v in best.need.items()}
        return best

    def removals(self, ev: _Evaluation) -> list[_Change]:
        """The changes of single shifts worth a simulation, in the order to try them: a shift removed, or
        replaced by one of a template that costs less (in the objective) and fits inside its hours on the
        same day, with its breaks in the middle of their windows. Only those
        the templates allow (minimum counts, the part-time share), that save something, and whose every
        touched period is predicted within :data:`TRIM_SLACK` of the target with the margin. Those predicted
        to keep the target with the margin come first, the largest saving first; then the others, the
        nearest to the line first."""
        from simulate.staffing.shifts.program import staff_on_duty, weights

        now = self.value(ev.plans)[0]
        out = []
        models: dict[View, _Model] = {}
        for unit in self.loop.roles:
            plan = ev.plans[unit]
            grid = plan.grid
            if grid.h.T != self.n:
                continue  # a one-day plan repeated over a longer run: left as it is
            units = plan.units
            tpls = grid.templates.templates
            cost = weights(grid, self.loop.objective)
            seen: set[tuple[Any, ...]] = set()
            for k, s, brk, _n in units:
                day = s // self.per_day
                days = next((list(c) for c in self.classes if c is not None and day in c), [day])
                starts = [(d - day) * self.per_day + s for d in days]
                more = f" and the same on {len(days) - 1} more day{'s' if len(days) > 2 else ''}" if len(days) > 1 else ""
                label = f"{tpls[k].name} at {plan.coverage['label'].iloc[starts[0]]}{more}"
                offsets = tuple(b - s for b in brk)
                without = _without(units, k, starts, offsets)
                if without is None:
                    continue
                options: list[tuple[int, int, tuple[int, ...]] | None] = [None, *_inside(grid, k, starts, cost)]
                for option in options:
                    key = (unit, label, k, s % self.per_day, offsets, tuple(days), option)
                    if key in seen:
                        continue
                    seen.add(key)
                    trial = without if option is None else _plus(grid, without, option[0], [t + option[1] for t in starts], option[2])
                    if not _allowed(grid, trial):
                        continue
                    new_on = staff_on_duty(grid, trial)[0]
                    room = math.inf
                    for view in self.views:
                        if self.unit[view[0]] != unit:
                            continue
                        if view not in models:
                            models[view] = self.model(view, ev)
                        room = min(room, models[view].room(self.per_view(new_on, view, "min").astype(int), self.margin))
                    if room < -TRIM_SLACK:
                        continue
                    cand = plan.with_units(trial, status="trimmed")
                    saving = now - self.value({**ev.plans, unit: cand})[0]
                    if saving <= 0:
                        continue
                    added = None if option is None else f"{tpls[option[0]].name} at {plan.coverage['label'].iloc[starts[0] + option[1]]}"
                    out.append(_Change(saving, room, key, unit, cand, label, added))
        # predicted to hold: the largest saving first (a shift removed before it is shortened); then those
        # the formula puts just past the line, the nearest first
        out.sort(key=lambda c: (0, -c.saving, -c.room) if c.room >= 0 else (1, -c.room, -c.saving))
        return out


@dataclass
class _Change:
    """A trim candidate: one shift (on every day of its class) removed, or replaced by ``added``."""

    saving: float  # in the objective's units
    room: float  # the least predicted room over the periods it touches (see :func:`_room`)
    key: tuple[Any, ...]
    unit: str  # the role or staff group whose plan changes
    plan: ShiftPlan  # that plan with the change
    removed: str  # the shift taken out, as the plan's history names it
    added: str | None  # the shift put in its place, if any


def _predicted(model: dict[str, NDArray[np.float64]], correction: dict[str, NDArray[np.float64]],
               weights: NDArray[np.float64]) -> dict[str, float]:
    """A period's figures predicted from the formula at trial staffing plus each interval's measured
    correction, pooled by the intervals' calls."""
    out = {}
    for f, add in correction.items():
        v = model[f] + add
        v = np.clip(v, 0.0, 1.0) if f != "asa" else np.maximum(v, 0.0)
        out[f] = float((v * weights).sum() / weights.sum())
    return out


def _room(values: dict[str, float], figures: list[tuple[str, float, str, bool]], margin: float) -> float:
    """How far the predicted figures are inside the target with the margin (negative: outside), as a
    share (ASA as a share of its target)."""
    worst = math.inf
    for f, goal, side, _p in figures:
        scale = goal if f == "asa" else 1.0
        m = margin * scale
        gap = values[f] - (goal + m) if side == "below" else (goal - m) - values[f]
        worst = min(worst, gap / scale)
    return worst


def _ratio(num: NDArray[np.float64], den: NDArray[np.float64]) -> NDArray[np.float64]:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


@dataclass
class _Model:
    """A view's periods as :meth:`Search.model` sees them: staff on duty, calls, measured figures, the
    target's figures, Erlang A per interval at any staffing, and the periods."""

    on: NDArray[np.int64]
    offered: NDArray[np.float64]
    measured: dict[str, NDArray[np.float64]]
    figures: list[tuple[str, float, str, bool]]
    formula: Callable[[NDArray[np.int64], NDArray[np.int64]], dict[str, NDArray[np.float64]]]
    groups: list[list[int]]
    enough: NDArray[np.int64]  # per interval, staff past which the formula's figures no longer change

    def room(self, staff: NDArray[np.int64], margin: float) -> float:
        """The least room (see :func:`_room`) over the periods whose staffing ``staff`` changes, each predicted
        as measured plus the formula's change; ``inf`` when none changes."""
        worst = math.inf
        for group in self.groups:
            idx = np.array(group)
            if not (staff[idx] != self.on[idx]).any():
                continue
            weights = self.offered[idx]
            if weights.sum() <= 0:
                continue
            at_now = self.formula(self.on[idx], idx)
            at_new = self.formula(np.maximum(staff[idx], 0), idx)
            correction = {f: np.nan_to_num(self.measured[f][idx] - at_now[f]) for f, *_ in self.figures}
            worst = min(worst, _room(_predicted(at_new, correction, weights), self.figures, margin))
        return worst


def _without(units: list[Unit], k: int, starts: list[int], offsets: tuple[int, ...]) -> list[Unit] | None:
    """``units`` with one shift of template ``k`` fewer at each of ``starts`` (breaks at ``offsets`` from the
    start); None when one of them is not there."""
    out = list(units)
    for s in starts:
        at = next((i for i, (kk, ss, brk, n) in enumerate(out)
                   if kk == k and ss == s and tuple(b - s for b in brk) == offsets and n > 0), None)
        if at is None:
            return None
        kk, ss, brk, n = out[at]
        if n > 1:
            out[at] = (kk, ss, brk, n - 1)
        else:
            del out[at]
    return out


def _inside(grid: Grid, k: int, starts: list[int], cost: NDArray[np.float64]) -> list[tuple[int, int, tuple[int, ...]]]:
    """Shorter, cheaper shifts that fit inside the hours of a template-``k`` shift at each of ``starts``:
    ``(template, intervals after the start, break offsets from its own start)``, its start allowed on
    every one of those days and each break in the middle of its window."""
    out = []
    for k2, length in enumerate(grid.lengths):
        if k2 == k or cost[k2] >= cost[k] or length > grid.lengths[k]:
            continue
        allowed = set(int(t) for t in grid.starts[k2])
        breaks = tuple(p.delay + p.width // 2 for p in grid.pools_of(k2))
        out += [(k2, shift, breaks) for shift in range(grid.lengths[k] - length + 1)
                if all(t + shift in allowed for t in starts)]
    return out


def _plus(grid: Grid, units: list[Unit], k: int, starts: list[int], offsets: tuple[int, ...]) -> list[Unit]:
    """``units`` with one shift of template ``k`` more at each of ``starts`` (breaks at ``offsets`` from the start)."""
    out = list(units)
    T = grid.h.T
    for s in starts:
        brk = tuple((s + o) % T if grid.h.cyclic else s + o for o in offsets)
        at = next((i for i, (kk, ss, bb, _n) in enumerate(out) if kk == k and ss == s and bb == brk), None)
        if at is None:
            out.append((k, s, brk, 1))
        else:
            out[at] = (k, s, brk, out[at][3] + 1)
    return out


def _allowed(grid: Grid, units: list[Unit]) -> bool:
    """The templates' minimum staff per day and part-time share still kept by ``units``."""
    tpls = grid.templates.templates
    per_day: dict[tuple[int, int], int] = {}
    for k, s, _brk, n in units:
        key = (k, grid.h.day_number(s))
        per_day[key] = per_day.get(key, 0) + n
    for k, tpl in enumerate(tpls):
        if tpl.min_count:
            for d in set(int(x) for x in grid.days[k]):
                if per_day.get((k, d), 0) < tpl.min_count:
                    return False
    share = grid.templates.max_part_time_share
    if share is None:
        return True
    part = sum(n for k, *_, n in units if tpls[k].part_time)
    return part <= share * sum(n for *_, n in units) + 1e-9
