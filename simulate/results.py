"""Results of a simulation: tables across replications with 95% intervals that stay in range.

Every figure is the mean over replications with a 95% interval over the
replications (they are independent); :mod:`simulate.intervals` has the two
methods: for shares (service level, abandonment, occupancy, share within
tolerance) a Wilson interval inside [0, 1], for everything else a *t* interval
kept at or above 0 where the figure cannot be negative. Tables are pandas
DataFrames, in one of two shapes, the same in every table of the package:

* **wide** tables (:meth:`Results.steps`, :meth:`Results.roles`,
  :meth:`Results.staff`, and the per-interval tables of plans and comparisons)
  have, for each figure ``x``, three float columns: ``x`` (the mean),
  ``x_ci_low`` and ``x_ci_high``;
* **long** tables, one row per figure (:meth:`Results.summary`,
  :meth:`Results.journeys`, a comparison's figures), have the columns ``mean``,
  ``ci_low`` and ``ci_high``.

Tables per interval also have ``start`` (seconds from Monday 00:00), ``time``
(the same start as a pandas ``Timestamp`` on the nominal week starting Monday
2024-01-01, which plots as dates) and ``label`` (``"Mon 08:15"`` when the run
covers more than a day, ``"08:15"`` for one day; see
:func:`simulate.clock.interval_label`).

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> results = simulate.run(bp, days=1, replications=3, seed=1, progress=False)
>>> per = results.roles("first_line")
>>> list(per.columns[:6])
['start', 'time', 'label', 'arrivals', 'arrivals_ci_low', 'arrivals_ci_high']
>>> per.loc[("first_line", 34), "label"], str(per.loc[("first_line", 34), "time"])
('08:30', '2024-01-01 08:30:00')
>>> bool((per["service_level_ci_low"].dropna() >= 0).all() and (per["service_level_ci_high"].dropna() <= 1).all())
True
"""

from __future__ import annotations

import functools
import html
import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from blueprint import Blueprint
from blueprint.numbers import figure_kind, fmt, interval
from simulate.clock import interval_labels, interval_times, run_window
from simulate.engine.output import JourneyFigures, Replication, StepFigures
from simulate.eventlog import event_table, save_events
from simulate.figures import abandonment, asa, occupancy, role_abandonment, role_service_level, service_level
from simulate.intervals import interval_table, mean_ci, proportion_ci, proportion_table

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from blueprint.render import Diagram
    from simulate.failpoints import FailPoints

__all__ = ["PROPORTIONS", "Results", "figure_kind", "interval_columns", "mean_ci", "proportion_ci"]

#: Figures that are shares of customers or of time: their intervals stay inside [0, 1].
PROPORTIONS = frozenset({"service_level", "abandonment", "occupancy", "within_tolerance"})


def interval_columns(name: str) -> list[str]:
    """The three columns of figure ``name`` in a wide table: mean, interval's low and high end.

    >>> interval_columns("asa")
    ['asa', 'asa_ci_low', 'asa_ci_high']
    """
    return [name, f"{name}_ci_low", f"{name}_ci_high"]


def _put(row: dict[str, Any], name: str, triple: tuple[Any, Any, Any]) -> None:
    """Write a figure's mean and interval into a row (or a frame's columns) of a wide table."""
    for column, value in zip(interval_columns(name), triple):
        row[column] = value


def _nonneg(values: Any) -> tuple[float, float, float]:
    return mean_ci(values, low=0.0)


@dataclass
class Results:
    """What :func:`simulate.run` measured.

    >>> results.summary()          # doctest: +SKIP
    >>> results.steps()            # doctest: +SKIP
    >>> results.roles("agent")     # doctest: +SKIP
    """

    blueprint: Blueprint
    replications: list[Replication]
    seed: int
    days: float
    warmup: float
    interval: float

    @property
    def first_interval(self) -> int:
        """The first interval after the warm-up: figures over the whole run count from it."""
        return int(math.ceil(self.warmup / self.interval))

    # -- tables ---------------------------------------------------------------
    def steps(self) -> pd.DataFrame:
        """Per step: ``lane``, ``role``, ``visible`` (waits the customer can see), then arrivals,
        completions, abandonments, failures, waits (mean, p50, p90, p95, max; s), duration (s) and
        ``within_tolerance`` (share of the visits served that waited within the wait point's tolerance;
        those who gave up are left out), each with
        ``_ci_low`` and ``_ci_high`` (a wide table: see the module notes)."""
        rows = []
        metrics = [f.name for f in fields(StepFigures)] if self.replications[0].steps else []
        for s in self.blueprint.steps:
            row: dict[str, Any] = {"step": s.id, "lane": s.lane.value, "role": s.role, "visible": s.lane.value in ("customer", "onstage")}
            for m in metrics:
                values = [getattr(r.steps[s.id], m) for r in self.replications]
                _put(row, m, proportion_ci(values) if m in PROPORTIONS else _nonneg(values))
            rows.append(row)
        return pd.DataFrame(rows).set_index("step")

    def roles(self, role: str | None = None) -> pd.DataFrame:
        """Per role and interval: ``start`` (seconds from Monday 00:00), ``time`` (a ``Timestamp``
        on the nominal week) and ``label`` (``"08:15"``, or ``"Mon 08:15"`` past a day), then
        arrivals, offered load (Erlangs), staff on duty, busy staff, occupancy, mean and max queue,
        service level, ASA (seconds) and abandonment share, each with ``_ci_low`` and ``_ci_high``
        (a wide table: see the module notes).

        Service level is answered within the role's target / all who arrived in the interval
        and were answered or gave up (definition "offered"). Occupancy is busy staff / staff on
        duty, NaN with nobody on duty; a member who finishes a customer after their shift ends is
        busy past it, so an interval where shifts end can read up to 100% (never more).
        """
        names = [role] if role else [r.name for r in self.blueprint.roles]
        frames = [self._role_intervals(name) for name in names]
        return pd.concat(frames, ignore_index=True).set_index(["role", "interval"])

    def _role_intervals(self, name: str) -> pd.DataFrame:
        """One role's rows of :meth:`roles`: every figure computed for all intervals at once."""
        w = self.interval
        reps = [r.roles[name] for r in self.replications]

        def per(field: str) -> np.ndarray:
            return np.array([getattr(r, field) for r in reps], dtype=float)

        within, answered, abandoned = per("within"), per("answered"), per("abandoned")
        busy, on_duty = per("busy"), per("on_duty")
        offered = answered + abandoned
        n = within.shape[1]
        start = np.arange(n) * w
        out = pd.DataFrame({"role": name, "interval": np.arange(n), "start": start,
                            "time": interval_times(start), "label": interval_labels(start, self.days * 86_400.0)})
        vec_sl = np.vectorize(service_level, otypes=[float])
        vec_ab = np.vectorize(abandonment, otypes=[float])
        figures: dict[str, tuple[Any, Any, Any]] = {
            "arrivals": interval_table(per("arrivals"), low=0),
            "offered_load": interval_table(per("work") / w, low=0),
            "on_duty": interval_table(on_duty, low=0),
            "busy": interval_table(busy, low=0),
            "occupancy": proportion_table(np.vectorize(occupancy, otypes=[float])(busy, on_duty)),
            "queue_mean": interval_table(per("queue_mean"), low=0),
            "queue_max": interval_table(per("queue_max"), low=0),
            "service_level": proportion_table(vec_sl(within, answered, abandoned), offered),
            "asa": interval_table(np.vectorize(asa, otypes=[float])(per("wait_sum"), answered), low=0),
            "abandonment": proportion_table(vec_ab(abandoned, answered), offered),
        }
        for extra in ("blocked", "balked"):  # counts that only waiting rooms and balking make
            values = per(extra) if all(len(getattr(r, extra)) == n for r in reps) else np.zeros_like(within)
            if values.any():
                figures[extra] = interval_table(values, low=0)
        columns: dict[str, Any] = {}
        for k, triple in figures.items():
            _put(columns, k, triple)
        return pd.concat([out, pd.DataFrame(columns)], axis=1)

    def groups(self, group: str | None = None) -> pd.DataFrame:
        """Per staff group (skills-based routing) and interval: staff on duty, busy staff, occupancy and
        the calls the group took, each with ``_ci_low`` and ``_ci_high``. Empty without groups.

        >>> results.groups().columns[:4].tolist()   # doctest: +SKIP
        ['start', 'time', 'label', 'on_duty']
        """
        names = [group] if group else [g.name for g in self.blueprint.groups]
        if not names:
            return pd.DataFrame()
        keep = ["start", "time", "label"] + [c for f in ("on_duty", "busy", "occupancy", "arrivals")
                                             for c in interval_columns(f)]
        frames = []
        for name in names:
            frame = self._role_intervals(name)
            frame = frame[["role", "interval", *keep]].rename(columns=lambda c: c.replace("arrivals", "calls"))
            frames.append(frame.rename(columns={"role": "group"}))
        return pd.concat(frames, ignore_index=True).set_index(["group", "interval"])

    def served(self) -> pd.DataFrame:
        """Who served whom (skills-based routing): per skill (a role) and staff group, the calls the group's
        members took and their busy hours, per replication on average over the whole run, with 95% intervals,
        and each group's share of the skill's calls. Empty without groups."""
        rows = []
        for g in self.blueprint.groups:
            for j, skill in enumerate(g.skills):
                row: dict[str, Any] = {"skill": skill, "group": g.name}
                calls = [rep.served_calls[g.name][j] for rep in self.replications]
                _put(row, "calls", _nonneg(calls))
                _put(row, "busy_hours", _nonneg(rep.served_busy[g.name][j] / 3600 for rep in self.replications))
                rows.append(row)
        if not rows:
            return pd.DataFrame()
        out = pd.DataFrame(rows).set_index(["skill", "group"]).sort_index(level=0, sort_remaining=False)
        totals = out["calls"].groupby(level="skill").transform("sum")
        out["share"] = np.where(totals > 0, out["calls"] / totals.where(totals > 0, 1.0), np.nan)
        return out

    def journeys(self) -> pd.DataFrame:
        """Per journey figure (``metric``): outcomes, time in system, transfers, steps visited, waits seen
        and unseen, with ``mean``, ``ci_low``, ``ci_high`` (a long table)."""
        keys = [f.name for f in fields(JourneyFigures)]
        rows = []
        for k in keys:
            mean, lo, hi = _nonneg(getattr(r.journeys, k) for r in self.replications)
            rows.append({"metric": k, "mean": mean, "ci_low": lo, "ci_high": hi})
        return pd.DataFrame(rows).set_index("metric")

    def staff(self) -> pd.DataFrame:
        """Per role: staff hours paid and their cost, average on duty and busy, occupancy, service level
        and abandonment over the counted part of the run, each with ``_ci_low`` and ``_ci_high`` (a wide
        table), and ``target_seconds`` (the wait the service level counts within). With skills-based
        routing the staff groups follow the roles, with their staff figures (a skill's own staff figures are 0:
        its staff are its groups')."""
        rows = []
        first = self.first_interval
        for r in self.blueprint.roles:
            row: dict[str, Any] = {"role": r.name}
            totals = [rep.role_totals[r.name] for rep in self.replications]
            for k in ("paid_hours", "cost", "on_duty", "busy"):
                _put(row, k, _nonneg(getattr(t, k) for t in totals))
            _put(row, "occupancy", proportion_ci([occupancy(t.busy, t.on_duty) for t in totals]))
            ri = [rep.roles[r.name] for rep in self.replications]
            offered = [sum(x.answered[first:]) + sum(x.abandoned[first:]) for x in ri]
            _put(row, "service_level", proportion_ci([role_service_level(x, first) for x in ri], offered))
            _put(row, "abandonment", proportion_ci([role_abandonment(x, first) for x in ri], offered))
            row["target_seconds"] = totals[0].target_seconds
            rows.append(row)
        for g in self.blueprint.groups:
            row = {"role": g.name}
            totals = [rep.role_totals[g.name] for rep in self.replications]
            for k in ("paid_hours", "cost", "on_duty", "busy"):
                _put(row, k, _nonneg(getattr(t, k) for t in totals))
            _put(row, "occupancy", proportion_ci([occupancy(t.busy, t.on_duty) for t in totals]))
            rows.append(row)
        return pd.DataFrame(rows).set_index("role")

    def summary(self) -> pd.DataFrame:
        """Key figures with 95% intervals (a long table: ``mean``, ``ci_low``, ``ci_high``): throughput,
        outcomes, time in system, service level and staff hours per role, staff cost."""
        j = self.journeys()
        rows = [
            ("arrivals", *j.loc["arrivals"]),
            ("completed", *j.loc["completed"]),
            ("abandoned", *j.loc["abandoned"]),
        ]
        if self.blueprint.trunks is not None or any(r.waiting_room is not None for r in self.blueprint.roles):
            rows.append(("blocked (busy signal)", *j.loc["blocked"]))
        rows += [
            ("in system at the end", *j.loc["in_system"]),
            ("throughput per hour", *j.loc["throughput_per_hour"]),
            ("time in system (s)", *j.loc["time_in_system_mean"]),
            ("wait the customer sees (s)", *j.loc["visible_wait_mean"]),
            ("transfers per journey", *j.loc["transfers_mean"]),
        ]
        staff = self.staff()
        unlimited = {r.name for r in self.blueprint.roles if r.staffing is not None and r.staffing.kind == "unlimited"}
        for role, rec in staff.iterrows():
            if role not in unlimited and not math.isnan(rec["service_level"]):
                rows.append((f"{role}: service level", *rec[interval_columns("service_level")]))
            if rec["paid_hours"]:
                rows.append((f"{role}: staff hours paid", *rec[interval_columns("paid_hours")]))
        cost = [sum(t.cost for t in rep.role_totals.values()) for rep in self.replications]
        rows.append(("staff cost", *_nonneg(cost)))
        return pd.DataFrame(rows, columns=["figure", "mean", "ci_low", "ci_high"]).set_index("figure")

    def notes(self) -> list[str]:
        """Cautions about the run itself, in sentences: empty when there is nothing to say. No customer arrived
        (a run shorter than the time before opening); or fewer than a quarter of the customers ended their
        journey (served or gave up) before the run ended, as when an overnight stay is simulated for one day, so
        the figures of finished journeys (time in system, throughput) are missing or say little; simulate more days.

        >>> results.notes()        # doctest: +SKIP
        ['0 of 63.8 customers a replication (0%) ended their journey before the run did: ...']
        """
        mean = self.journeys()["mean"]
        arrivals = float(mean["arrivals"])
        ended = float(mean["completed"]) + float(mean["abandoned"])
        out = []
        if arrivals == 0:
            out.append(f"No customer arrived in the {self.days:g}-day run{run_window(self.days)}: the blueprint's "
                       "arrivals come at other hours or on other days, so there is nothing to measure. Simulate "
                       "longer (--days on the command line), or check the arrivals' start times and weekdays.")
        if arrivals > 0 and ended < 0.25 * arrivals:
            longer = self.days + max(1.0, math.ceil(self.days))
            out.append(f"{fmt(ended)} of {fmt(arrivals)} customers a replication ({ended / arrivals:.0%}) ended their "
                       f"journey before the run did: the journey takes longer than the {self.days:g}-day run, so the "
                       "figures of finished journeys (time in system, throughput) are missing or say little. Simulate "
                       f"more days (days={longer:g}, or --days {longer:g} on the command line).")
        return out

    # -- fail points ------------------------------------------------------------
    def experience(self, by: str = "step") -> pd.DataFrame:
        """How the customers felt their waits against their wait points' tolerances (the perceived-wait model of
        :mod:`blueprint.experience`): per step and customer segment the share met, the mean gap and loss in
        tolerances, the loss per arriving customer and each step's share of the journeys' loss, ranked by it,
        with 95% intervals; ``by="interval"`` per step and interval of the day. See :mod:`simulate.experience`.

        >>> results.experience().head(3)     # doctest: +SKIP
        """
        from simulate.experience import experience

        return experience(self, by)

    def fail_points(self, **thresholds: Any) -> FailPoints:
        """Where and when the service breaks, ranked by severity; see :func:`simulate.fail_points`
        for the kinds of finding and the thresholds (``occupancy=0.85``, ``over_tolerance=0.2``,
        ``abandonment=0.05``, ``what_if=3``, ...).

        >>> found = results.fail_points()      # doctest: +SKIP
        >>> found.render()                     # doctest: +SKIP
        """
        from simulate.failpoints import fail_points

        return fail_points(self, **thresholds)

    # -- the blueprint with what was measured ---------------------------------------
    def render(self, **options: Any) -> Diagram:
        """The blueprint with this run's figures on it: in each step's box the share of customers who
        reach it, the p90 wait against its tolerance, the share who gave up and how busy its role was
        (past a target in bold, the box in pale red), and under the lanes the customer's time at each
        step and the journey's mean and p90. ``figures=False`` or ``time=False`` leave either out;
        ``experience=True`` adds the emotion row (the experience of each step's waits, above the customer
        lane); other options as for :func:`blueprint.render` (``max_columns=6``, ``theme="print"``, ...).
        See :mod:`simulate.diagram`.

        >>> results.render(max_columns=6).save("measured.svg")      # doctest: +SKIP
        """
        from simulate.diagram import render_results

        return render_results(self, **options)

    # -- plots --------------------------------------------------------------------
    def plot(self, what: str = "service_level", /, **options: Any) -> Figure:
        """One call for a chart: ``what`` is ``"service_level"`` (the planner's first chart: service level
        with its 95% band and the target, staff on duty on a second axis), ``"abandonment"``, ``"queue"``,
        ``"occupancy"`` or ``"waits"``; ``options`` are those of the matching ``plot_<what>`` method
        (``role``, ``day``, ``ax``...). Returns a matplotlib ``Figure`` (see :mod:`simulate.plots`).

        >>> results.plot("service_level", role="first_line", day="Mon").savefig("sl.png")   # doctest: +SKIP
        """
        from simulate.plots import plot

        return plot(self, what, **options)

    def plot_service_level(self, role: str | Sequence[str] | None = None, *, day: int | str | None = None,
                           staff: bool = True, ax: Axes | None = None) -> Figure:
        """Service level per interval of ``role`` (one panel per role of a list) with its 95% band and the
        target, staff on duty as steps on the right axis; ``day`` (0, or ``"Mon"``) zooms on one day.

        >>> results.plot_service_level(["first_line", "specialist"])   # doctest: +SKIP
        """
        from simulate.plots import plot_service_level

        return plot_service_level(self, role, day=day, staff=staff, ax=ax)

    def plot_abandonment(self, role: str | Sequence[str] | None = None, *, day: int | str | None = None,
                         staff: bool = True, ax: Axes | None = None) -> Figure:
        """The share who gave up per interval of ``role`` with its 95% band and target, staff on duty on the right.

        >>> results.plot_abandonment("specialist", day=0)   # doctest: +SKIP
        """
        from simulate.plots import plot_abandonment

        return plot_abandonment(self, role, day=day, staff=staff, ax=ax)

    def plot_queue(self, role: str | Sequence[str] | None = None, *, day: int | str | None = None,
                   ax: Axes | None = None) -> Figure:
        """The average queue in front of ``role`` per interval with its 95% band, and the longest queue.

        >>> results.plot_queue("first_line")   # doctest: +SKIP
        """
        from simulate.plots import plot_queue

        return plot_queue(self, role, day=day, ax=ax)

    def plot_occupancy(self, role: str | Sequence[str] | None = None, *, day: int | str | None = None,
                       ax: Axes | None = None) -> Figure:
        """Occupancy per interval with its 95% band, one line per role (every role customers queue for).

        >>> results.plot_occupancy(day="Mon")   # doctest: +SKIP
        """
        from simulate.plots import plot_occupancy

        return plot_occupancy(self, role, day=day, ax=ax)

    def plot_waits(self, steps: Sequence[str] | None = None, *, ax: Axes | None = None) -> Figure:
        """The waits per step where customers queue: median, 90th and 95th percentile with their 95%
        intervals, the mean and the longest.

        >>> results.plot_waits()   # doctest: +SKIP
        """
        from simulate.plots import plot_waits

        return plot_waits(self, steps, ax=ax)

    # -- event log --------------------------------------------------------------
    @property
    def events(self) -> pd.DataFrame:
        """One row per step instance under pm4py's column names (needs ``record_events=True``);
        see :func:`simulate.eventlog.event_table`. Built on first use and kept (results do not change
        after the run); each access gives a copy, so changing it leaves the log as it was."""
        return self._event_table.copy()

    @functools.cached_property
    def _event_table(self) -> pd.DataFrame:
        return event_table(self.replications)

    def save_events(self, path: str | Path) -> Path:
        """Write the event log as CSV, Parquet or XES (by the suffix); see :func:`simulate.eventlog.save_events`."""
        return save_events(self._event_table, path)

    # -- display ------------------------------------------------------------------
    def __repr__(self) -> str:
        return (
            f"<Results of {self.blueprint.name!r}: {len(self.replications)} replications of "
            f"{self.days:g} day(s), seed {self.seed}>"
        )

    def _repr_html_(self) -> str:
        s = self.summary()
        kinds = [figure_kind(str(f)) for f in s.index]
        shown = pd.DataFrame({
            "mean": [fmt(m, k) for m, k in zip(s["mean"], kinds)],
            "95% interval": [interval(lo, hi, k) for lo, hi, k in zip(s["ci_low"], s["ci_high"], kinds)],
        }, index=s.index)
        notes = "".join(f"<p><b>Note:</b> {html.escape(n)}</p>" for n in self.notes())
        return (
            f"<h4>{html.escape(self.blueprint.name)}: {len(self.replications)} replications × {self.days:g} day(s), "
            f"seed {self.seed}</h4>" + shown.to_html() + notes
        )

    # -- files ----------------------------------------------------------------------
    def save(self, path: str | Path, *, format: str | None = None) -> Path:
        """Write the run (numbers of every replication, blueprint, seed, settings) to
        ``.json`` or ``.parquet``, atomically; :meth:`load` reads it back (see :mod:`simulate.storage`)."""
        from simulate.storage import save_results

        return save_results(self, path, format=format)

    @classmethod
    def load(cls, path: str | Path) -> Results:
        """Read a run written by :meth:`save`."""
        from simulate.storage import load_results

        return load_results(path)
