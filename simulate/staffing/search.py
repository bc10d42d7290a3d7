"""The optimiser's search: raise only on evidence, then give back what the simulation says is spare.

:func:`simulate.optimize_staffing` runs it in two phases on one set of replications (common
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

The result is never dearer than the plan phase 1 ends with, and phase 1 only pays for
clear misses. :func:`simulate.verify` then checks the plan on a seed the search never used.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from blueprint import Blueprint, Target
from simulate.executors import ExecutorChoice
from simulate.results import Results
from simulate.run import run
from simulate.staffing.erlang_a import erlang_a_arrays
from simulate.staffing.pooled import RoleCounts, bounded, periods, pooled_figures, role_counts
from simulate.staffing.verify import _widest, with_targets

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import NDArray

    from simulate.staffing.optimize import _Loop
    from simulate.staffing.shifts import ShiftPlan

__all__ = ["Search"]


@dataclass
class _Evaluation:
    """A plan simulated on the search's replications, judged per period."""

    plans: dict[str, ShiftPlan]
    need: dict[str, NDArray[np.int64]]  # the requirement the plans were bought for
    results: Results
    counts: dict[str, RoleCounts]
    tables: dict[str, pd.DataFrame]  # per role: pooled_figures at the search's level and groups

    def on_duty(self, role: str, n: int) -> NDArray[np.int64]:
        c = self.plans[role].coverage["on_duty"].to_numpy().astype(int)
        return np.resize(c, n)  # a one-day plan repeats over a longer run

    def misses(self) -> int:
        return sum(int((t["verdict"] == "misses").sum()) for t in self.tables.values())


@dataclass
class Search:
    """The search's state and settings (see the module notes)."""

    loop: _Loop
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
    history: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, list[list[int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.bp: Blueprint = with_targets(self.loop.bp, self.targets)
        self.n = self.loop.n
        self.first_need = {r: v.copy() for r, v in self.loop.need.items()}
        self.began = time.perf_counter()

    # -- evaluating a plan on the common random numbers ------------------------------------------
    def evaluate(self, plans: dict[str, ShiftPlan], previous: _Evaluation | None = None) -> _Evaluation:
        staffed = self.bp.with_staffing({r: p.to_staffing() for r, p in plans.items()})
        results = run(staffed, days=self.days, replications=self.replications, seed=self.seed, interval=self.loop.w,
                      executor=self.executor, progress=False)
        counts = {r: role_counts(results, r) for r in self.loop.roles}
        if not self.groups:  # the periods are fixed by the first plan, so every plan is judged on the same ones
            self.groups = {r: periods(c.offered[:, :self.n].mean(axis=0), self.loop.w, self.level, self.min_volume)
                           for r, c in counts.items()}
        return _Evaluation(plans, {r: v.copy() for r, v in self.loop.need.items()}, results, counts, self.tables(counts))

    def tables(self, counts: dict[str, RoleCounts]) -> dict[str, pd.DataFrame]:
        span = self.days * 86_400.0
        return {r: pooled_figures(c, r, self.targets[r], level=self.level, n=self.n, interval=self.loop.w, span=span,
                                  groups=self.groups[r]) for r, c in counts.items()}

    def more_replications(self, ev: _Evaluation) -> _Evaluation:
        """``ev`` with replications added (doubling) while some period is undecided and wider than
        ``precision``, up to ``max_replications``; the search keeps the larger number from then on."""
        while self.replications < self.max_replications:
            close = pd.concat([t[t["verdict"] == "close"] for t in ev.tables.values()])
            if close.empty or _widest(close) <= self.precision:
                break
            extra = min(self.replications, self.max_replications - self.replications)
            staffed = self.bp.with_staffing({r: p.to_staffing() for r, p in ev.plans.items()})
            more = run(staffed, days=self.days, replications=extra, seed=self.seed, interval=self.loop.w,
                       executor=self.executor, progress=False, first_replication=self.replications)
            self.replications += extra
            res = Results(blueprint=ev.results.blueprint, replications=ev.results.replications + more.replications,
                          seed=self.seed, days=ev.results.days, warmup=ev.results.warmup, interval=ev.results.interval)
            counts = {r: role_counts(res, r) for r in self.loop.roles}
            ev = _Evaluation(ev.plans, ev.need, res, counts, self.tables(counts))
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
                             "required": {r: v.tolist() for r, v in self.loop.need.items()}, **extra})

    # -- phase 1: raise where the evidence says a period misses ---------------------------------
    def raise_on_evidence(self, max_rounds: int) -> _Evaluation:
        ev: _Evaluation | None = None
        for _ in range(max_rounds):
            plans = {r: self.loop.plan(r) for r in self.loop.roles}
            ev = self.more_replications(self.evaluate(plans))
            self.note("raise", ev, True)
            raised = False
            for r, table in ev.tables.items():
                on = ev.on_duty(r, self.n)
                for row in table[table["verdict"] == "misses"].itertuples():
                    i = self.worst_interval(r, ev, int(row.first), int(row.last))
                    if i in self.loop.out_of_reach[r]:
                        continue
                    self.loop.need[r][i] = max(self.loop.need[r][i], int(on[i]) + 1)
                    raised = True
            if not raised:
                break
        assert ev is not None
        return ev

    def worst_interval(self, role: str, ev: _Evaluation, first: int, last: int) -> int:
        """The interval of a period whose calls fare worst against the target (most answered late
        or abandoned beyond the target's share)."""
        c = ev.counts[role]
        target = self.targets[role]
        offered = c.offered[:, first:last + 1].sum(axis=0)
        shortfall = np.zeros_like(offered)
        for figure, goal, _side, _p in bounded(target):
            if figure == "service_level":
                shortfall += goal * offered - c.within[:, first:last + 1].sum(axis=0)
            elif figure == "abandonment":
                shortfall += c.abandoned[:, first:last + 1].sum(axis=0) - goal * offered
        return first + int(np.argmax(shortfall))

    # -- phase 2: give back what the evidence says is spare ---------------------------------------
    def give_back(self, base: _Evaluation, max_rounds: int) -> _Evaluation:
        best = base
        # intervals raised on evidence keep their raise
        floor = {r: np.where(self.loop.need[r] > self.first_need[r], self.loop.need[r], 0) for r in self.loop.roles}
        for _ in range(max_rounds):
            lowered = {r: self.lowest(r, best, floor[r]) for r in self.loop.roles}
            if all((lowered[r] >= best.need[r]).all() for r in self.loop.roles):
                break  # nothing left to give back
            saved = {r: v.copy() for r, v in self.loop.need.items()}
            for r in self.loop.roles:
                self.loop.need[r] = lowered[r]
            plans = {r: self.loop.plan(r) for r in self.loop.roles}
            if self.value(plans) >= self.value(best.plans):
                self.loop.need = saved
                self.note("give back", best, False, reason="no cheaper plan")
                for r in self.loop.roles:  # the solver cannot use these savings: stop asking for them
                    floor[r] = np.maximum(floor[r], np.minimum(best.need[r], best.on_duty(r, self.n)))
                break
            ev = self.evaluate(plans)
            failed = self.failures(ev, best)
            self.note("give back", ev, not failed, failed=len(failed))
            if not failed:
                best = ev
                continue
            self.loop.need = saved
            for r, first, last in failed:
                now, before = ev.on_duty(r, self.n), best.on_duty(r, self.n)
                span = range(max(0, first - 1), last + 1)
                cut = [i for i in span if now[i] < before[i]]
                for i in cut or range(first, last + 1):
                    floor[r][i] = max(floor[r][i], min(int(before[i]), int(now[i]) + 1))
        return best

    def failures(self, ev: _Evaluation, best: _Evaluation) -> list[tuple[str, int, int]]:
        """Periods of ``ev`` that do not pass: touched by the change and not meeting the target with
        the margin, or not touched and worse than in ``best``."""
        out = []
        for r, table in ev.tables.items():
            now, before = ev.on_duty(r, self.n), best.on_duty(r, self.n)
            old = best.tables[r]
            for row, prev in zip(table.to_dict(orient="records"), old.to_dict(orient="records")):
                first, last = int(row["first"]), int(row["last"])
                touched = bool((now[max(0, first - 2):last + 1] != before[max(0, first - 2):last + 1]).any())
                ok = True
                for figure, goal, side, _p in bounded(self.targets[r]):
                    value, was = float(row[figure]), float(prev[figure])
                    if math.isnan(value):
                        continue
                    margin = self.margin * (goal if figure == "asa" else 1.0)
                    meets = value >= goal + margin if side == "below" else value <= goal - margin
                    no_worse = value >= was - 1e-9 if side == "below" else value <= was + 1e-9
                    if not (meets or (not touched and no_worse)):
                        ok = False
                if not ok or row["verdict"] == "misses":
                    out.append((r, first, last))
        return out

    def lowest(self, role: str, ev: _Evaluation, floor: NDArray[np.int64]) -> NDArray[np.int64]:
        """The requirement the evidence says suffices: per period, intervals lowered one member at a
        time (the one whose prediction keeps the most room first) while the period's predicted figures
        meet the target with the margin; never below ``floor``."""
        on = ev.on_duty(role, self.n).astype(int)
        need = np.minimum(ev.need[role], on).astype(int)
        target = self.targets[role]
        c = ev.counts[role]
        offered = c.offered[:, :self.n].sum(axis=0)
        measured = {f: _ratio(*pair) for f, pair in {
            "service_level": (c.within[:, :self.n].sum(axis=0), offered),
            "abandonment": (c.abandoned[:, :self.n].sum(axis=0), offered),
            "asa": (c.wait_sum[:, :self.n].sum(axis=0), c.answered[:, :self.n].sum(axis=0)),
        }.items()}
        figures = bounded(target)
        req = self.requirement.xs(role, level="role")
        lam = np.resize(req["arrival_rate"].to_numpy(dtype=float) / 3600.0, self.n)
        h = np.resize(np.nan_to_num(req["handle_time"].to_numpy(dtype=float), nan=1.0), self.n)
        pat = np.inf if self.patience is None else self.patience
        within = target.within.seconds if target.within is not None else 0.0

        def formula(cs: NDArray[np.int64], idx: NDArray[np.int64]) -> dict[str, NDArray[np.float64]]:
            out = erlang_a_arrays(lam[idx], h[idx], np.full(len(idx), pat), cs.astype(float), within, ("offered",))
            return {"service_level": np.nan_to_num(out["sl_offered"], nan=0.0),
                    "abandonment": np.nan_to_num(out["p_abandon"], nan=1.0),
                    "asa": np.nan_to_num(out["asa_served"], nan=np.inf)}

        for group in self.groups[role]:
            idx = np.array(group)
            weights = offered[idx]
            if weights.sum() <= 0:
                continue
            at_now = formula(on[idx], idx)
            correction = {f: np.nan_to_num(measured[f][idx] - at_now[f]) for f, *_ in figures}
            cur = on[idx].copy()
            while True:
                options = []
                for k in range(len(idx)):
                    if cur[k] <= max(int(floor[idx[k]]), 0) or (cur[k] <= 1 and weights[k] > 0):
                        continue
                    trial = cur.copy()
                    trial[k] -= 1
                    predicted = _predicted(formula(trial, idx), correction, weights)
                    room = _room(predicted, figures, self.margin)
                    if room >= 0:
                        options.append((room, k))
                if not options:
                    break
                cur[max(options)[1]] -= 1
            need[idx] = np.minimum(need[idx], cur)
        return np.maximum(need, floor).astype(int)


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
