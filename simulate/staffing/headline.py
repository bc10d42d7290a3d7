"""The numbers a manager asks for first, before against after: cost, paid hours, periods below target,
service level and abandonment, each with its 95% interval, all read from the simulations and the plans.

:func:`headline` measures today's staffing (the ``before`` :class:`~simulate.Results`), the new plan
(a :class:`~simulate.StaffingPlan`: its shifts and the simulation that checked them) and, when given,
the spreadsheet plan, on the same footing:

* **cost and paid hours per day** of the planned roles: a plan's own shifts at their templates' cost
  per hour (exact, no interval) where every template has one; otherwise, and for today's staffing,
  the simulated cost over the counted part of the run, per day, with its interval;
* **periods below target**: (role, period) pairs whose calls, pooled over the replications, miss the
  role's target, in periods of the new plan's ``level`` (15-minute intervals, hours, days; periods
  with fewer than the plan's ``min_volume`` calls judged with their neighbours, as
  :mod:`simulate.staffing.pooled` says), the same rule for every staffing, with the periods the new
  plan fixes and those it breaks. The row is named for the level: "intervals below target", "hours
  below target" (:func:`below_target_label`). Those are best estimates: a period at the line falls on
  either side by chance, so a second row counts the periods **clearly** below target, judged as
  :func:`simulate.verify` judges the plan (the whole 95% interval past the target; periods under the
  plan's ``min_volume`` with their neighbours; calls after closing apart when the plan sets them apart);
* **service level and abandonment** per role over the whole run, with their 95% intervals, from
  :meth:`Results.staff`.

:func:`before_after` lays the same numbers out as a table (a figure per row; per staffing its mean,
``ci_low`` and ``ci_high``).

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> before = simulate.run(bp, days=1, replications=5, seed=1)                            # doctest: +SKIP
>>> plan = simulate.optimize_staffing(bp, templates="examples/contact_center.shifts.yaml",
...                                   replications=5, seed=1)                              # doctest: +SKIP
>>> h = headline(before, plan)                                                           # doctest: +SKIP
>>> h.cost_change, h.fixed                                                               # doctest: +SKIP
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from blueprint.staffing import DAY
from simulate.results import mean_ci
from simulate.staffing.misses import misses as find_misses

if TYPE_CHECKING:  # pragma: no cover
    from simulate.results import Results
    from simulate.staffing.optimize import StaffingPlan

__all__ = ["BEFORE", "NEW_PLAN", "SPREADSHEET", "Estimate", "Headline", "before_after", "below_target_label",
           "clearly_below_label", "headline", "headline_table"]

#: The names of the staffings compared, as the columns of :func:`before_after`.
BEFORE, SPREADSHEET, NEW_PLAN = "before", "spreadsheet plan", "new plan"


@dataclass(frozen=True)
class Estimate:
    """A figure's mean over the replications and its 95% interval (``low == high == mean`` when exact,
    NaN when there is none).

    >>> Estimate(0.9, 0.85, 0.95).exact, Estimate(7.0, 7.0, 7.0).exact
    (False, True)
    """

    mean: float
    low: float = math.nan
    high: float = math.nan

    @property
    def exact(self) -> bool:
        """True when the figure has no spread: an exact number (a plan's cost) or identical replications."""
        return self.low == self.mean == self.high

    @classmethod
    def exactly(cls, value: float) -> Estimate:
        """A figure known exactly (a plan's cost from its shifts)."""
        return cls(float(value), float(value), float(value))


@dataclass
class Headline:
    """The comparison's numbers per staffing (keys :data:`BEFORE`, :data:`SPREADSHEET` when given,
    :data:`NEW_PLAN`); per role for service level and abandonment. Made by :func:`headline`.

    ``roles`` are the roles judged against the target (with staff groups, the skills); ``staffed`` what
    the plans staff, whose paid hours are compared (the roles themselves, or the staff groups planned
    and kept)."""

    roles: list[str]
    staffings: list[str]
    cost_per_day: dict[str, Estimate]
    paid_hours_per_day: dict[str, Estimate]
    misses: dict[str, set[tuple[str, int]]]  # (role, interval) below target, per staffing
    service_level: dict[str, dict[str, Estimate]]  # role -> staffing -> estimate
    abandonment: dict[str, dict[str, Estimate]]
    paid_hours_by_role: dict[str, dict[str, Estimate]] = field(default_factory=dict)  # per day
    open_intervals: int = 0  # (role, interval) pairs with callers in today's staffing
    level: str = "interval"  # the periods ``misses`` counts: the new plan's target level
    staffed: list[str] = field(default_factory=list)  # roles or staff groups whose hours are compared
    clear: dict[str, set[tuple[str, int]]] = field(default_factory=dict)  # clear misses, judged as verify judges

    @property
    def cost_change(self) -> float:
        """New plan's cost per day minus today's."""
        return self.cost_per_day[NEW_PLAN].mean - self.cost_per_day[BEFORE].mean

    @property
    def cost_change_share(self) -> float:
        """:attr:`cost_change` as a share of today's cost per day (NaN when today costs nothing)."""
        base = self.cost_per_day[BEFORE].mean
        return self.cost_change / base if base else math.nan

    @property
    def hours_change(self) -> float:
        """New plan's paid hours per day minus today's."""
        return self.paid_hours_per_day[NEW_PLAN].mean - self.paid_hours_per_day[BEFORE].mean

    @property
    def unit(self) -> str:
        """What :attr:`misses` counts, in words: "intervals", "hours", "days" or "weeks"."""
        return below_target_label(self.level).split(" ")[0]

    @property
    def fixed(self) -> int:
        """Periods below target today that meet it with the new plan."""
        return len(self.misses[BEFORE] - self.misses[NEW_PLAN])

    @property
    def broken(self) -> int:
        """Periods that meet the target today and miss it with the new plan."""
        return len(self.misses[NEW_PLAN] - self.misses[BEFORE])


def _figure(table: pd.DataFrame, role: str, name: str) -> Estimate:
    """A figure's mean and interval from a row of :meth:`Results.staff`, whichever way the interval is kept."""
    rec = table.loc[role]
    lo, hi = math.nan, math.nan
    if f"{name}_ci_low" in table.columns:
        lo, hi = rec[f"{name}_ci_low"], rec[f"{name}_ci_high"]
    elif f"{name} ci" in table.columns:
        lo, hi = rec[f"{name} ci"]
    return Estimate(float(rec[name]), float(lo), float(hi))


def counted_days(results: Results) -> float:
    """Days of a run counted in its totals (the warm-up left out).

    >>> from types import SimpleNamespace
    >>> counted_days(SimpleNamespace(days=2.0, warmup=43200.0))
    1.5
    """
    return (results.days * DAY - results.warmup) / DAY


def _per_day(e: Estimate, results: Results) -> Estimate:
    """A run's total as a figure per counted day."""
    d = counted_days(results)
    return Estimate(e.mean / d, e.low / d, e.high / d)


def _simulated_per_day(results: Results, roles: list[str], what: str) -> Estimate:
    """The planned roles' simulated ``what`` (``"cost"`` or ``"paid_hours"``) per counted day, with its interval."""
    days = counted_days(results)
    per_rep = [sum(getattr(rep.role_totals[r], what) for r in roles) / days for rep in results.replications]
    if len(set(per_rep)) == 1:
        return Estimate.exactly(per_rep[0])
    return Estimate(*mean_ci(per_rep))


def _plan_per_day(plan: StaffingPlan, what: str) -> Estimate:
    """A plan's cost or paid hours per day from its own shifts (exact), or simulated when a template has no cost;
    staff groups the plan keeps as declared are added as simulated (their staffing is the same in every run)."""
    values = [p.cost if what == "cost" else p.paid_hours for p in plan.plans.values()]
    if not all(math.isfinite(v) for v in values):
        return _simulated_per_day(plan.results, list(plan.plans) + plan.kept, what)
    days = [len(p.coverage) * p.interval / DAY for p in plan.plans.values()]
    own = sum(v / d for v, d in zip(values, days))
    kept = _simulated_per_day(plan.results, plan.kept, what).mean if plan.kept else 0.0
    return Estimate.exactly(own + kept)


def below_target_label(level: str) -> str:
    """The before/after row that counts periods below target at ``level``.

    >>> below_target_label("interval"), below_target_label("hour")
    ('intervals below target', 'hours below target')
    """
    return f"{'intervals' if level == 'interval' else level + 's'} below target"


def clearly_below_label(level: str) -> str:
    """The before/after row that counts periods clearly below target (the whole 95% interval past it).

    >>> clearly_below_label("interval")
    'intervals clearly below target'
    """
    return below_target_label(level).replace(" below", " clearly below")


def _clearly_below(results: Results, plan: StaffingPlan) -> set[tuple[str, int]]:
    """(role, first interval of the period) pairs of ``results`` that miss ``plan``'s targets clearly, judged as
    :func:`simulate.verify` judges the plan: periods of its level and ``min_volume``, calls after closing apart
    when the plan sets them apart, a miss when the pooled figure's whole 95% interval is past the target."""
    from simulate.staffing.pooled import pooled_figures
    from simulate.staffing.verify import closed_intervals

    n = len(next(iter(plan.requirement.values())))
    closed = (closed_intervals(results.blueprint, list(plan.targets), results.days, plan.interval)
              if plan.after_hours == "exclude" else {})
    out = set()
    for role, target in plan.targets.items():
        table = pooled_figures(results, role, target, level=plan.level, min_volume=plan.min_volume, n=n,
                               closed=closed.get(role))
        out |= {(role, int(first)) for first in table.loc[table["verdict"] == "misses", "first"]}
    return out


def _below_target(results: Results, plan: StaffingPlan) -> set[tuple[str, int]]:
    """(role, first interval of the period) pairs of ``results`` whose figures, pooled over the replications,
    miss ``plan``'s targets in periods of the plan's level."""
    n = len(next(iter(plan.requirement.values())))
    found = find_misses(results, list(plan.targets), plan.targets, n, "pooled", level=plan.level,
                        min_volume=0.0 if plan.level == "interval" else plan.min_volume)
    return {(str(r), int(i)) for r, i in zip(found["role"], found["interval"])}


def headline(before: Results, after: StaffingPlan, spreadsheet: StaffingPlan | None = None) -> Headline:
    """Today's staffing, the spreadsheet plan (when given) and the new plan, measured alike (see the module
    notes): cost and paid hours per day, periods below target, service level and abandonment per role.

    >>> h = simulate.headline(before, plan)     # doctest: +SKIP
    >>> h.cost_change, h.fixed                  # doctest: +SKIP
    (1016.0, 24)
    """
    roles = list(after.targets)  # judged: the roles, or with staff groups the skills
    staffed = list(after.plans) + after.kept
    plans: dict[str, StaffingPlan] = {SPREADSHEET: spreadsheet} if spreadsheet is not None else {}
    plans[NEW_PLAN] = after
    staffings = [BEFORE, *plans]
    # a verified plan is measured on its held-out customers (where ``before`` should be run too)
    results = {BEFORE: before} | {k: p.verification.results if p.verification is not None and p.verification.results is not None
                                  else p.results for k, p in plans.items()}
    tables = {k: r.staff() for k, r in results.items()}
    first = before.first_interval
    n = len(next(iter(after.requirement.values())))
    open_ = sum(1 for r in roles for rep_i in range(first, n)
                if any(rep.roles[r].arrivals[rep_i] > 0 for rep in before.replications))
    return Headline(
        roles=roles,
        staffings=staffings,
        cost_per_day={BEFORE: _simulated_per_day(before, staffed, "cost")} | {k: _plan_per_day(p, "cost") for k, p in plans.items()},
        paid_hours_per_day={BEFORE: _simulated_per_day(before, staffed, "paid_hours")}
        | {k: _plan_per_day(p, "paid_hours") for k, p in plans.items()},
        misses={k: _below_target(r, after) for k, r in results.items()},
        clear={k: _clearly_below(r, after) for k, r in results.items()},
        service_level={r: {k: _figure(t, r, "service_level") for k, t in tables.items()} for r in roles},
        abandonment={r: {k: _figure(t, r, "abandonment") for k, t in tables.items()} for r in roles},
        paid_hours_by_role={r: {k: _per_day(_figure(t, r, "paid_hours"), results[k]) for k, t in tables.items()}
                            for r in staffed},
        open_intervals=open_,
        level=after.level,
        staffed=staffed,
    )


def before_after(before: Results, after: StaffingPlan, spreadsheet: StaffingPlan | None = None) -> pd.DataFrame:
    """The figures of :func:`headline` as a table, one row per figure: per role its service level,
    abandonment and staff hours paid, then periods below target (:func:`below_target_label`) and clearly below it
    (:func:`clearly_below_label`), staff hours paid and staff cost
    (hours and cost per day). For each staffing three float columns: its mean (``"before"``,
    ``"spreadsheet plan"``, ``"new plan"``) and the 95% interval's ends (``"before_ci_low"``,
    ``"before_ci_high"``...), as in every wide table of the package. A figure known exactly (a plan's
    cost from its shifts) has both ends equal to the mean; a count has no interval (NaN).
    :func:`~simulate.staffing.report.format_before_after` writes it for reading.

    >>> plan = simulate.optimize_staffing(bp, templates="examples/contact_center.shifts.yaml")   # doctest: +SKIP
    >>> before = simulate.run(bp, replications=plan.verification.replications,                     # doctest: +SKIP
    ...                       seed=plan.verification.seed)     # today's staffing, on the plan's held-out customers
    >>> simulate.before_after(before, plan).loc["staff cost", ["before", "new plan"]]               # doctest: +SKIP
    """
    return headline_table(headline(before, after, spreadsheet))


def headline_table(h: Headline) -> pd.DataFrame:
    """The table of :func:`before_after` from a :class:`Headline` already measured."""
    rows: dict[str, dict[str, Estimate]] = {}
    for r in h.roles:
        rows[f"{r}: service level"] = h.service_level[r]
        rows[f"{r}: abandonment"] = h.abandonment[r]
        if r in h.paid_hours_by_role:
            rows[f"{r}: staff hours paid"] = h.paid_hours_by_role[r]
    for r in h.staffed:  # staff groups: their hours after the skills' service
        if r not in h.roles:
            rows[f"{r}: staff hours paid"] = h.paid_hours_by_role[r]
    rows[below_target_label(h.level)] = {k: Estimate(float(len(v))) for k, v in h.misses.items()}
    if h.clear:
        rows[clearly_below_label(h.level)] = {k: Estimate(float(len(v))) for k, v in h.clear.items()}
    rows["staff hours paid"] = h.paid_hours_per_day
    rows["staff cost"] = h.cost_per_day
    data: dict[str, list[float]] = {}
    for k in h.staffings:
        data[k] = [rows[f][k].mean for f in rows]
        data[f"{k}_ci_low"] = [rows[f][k].low for f in rows]
        data[f"{k}_ci_high"] = [rows[f][k].high for f in rows]
    return pd.DataFrame(data, index=pd.Index(list(rows), name="figure"))
