"""Results of a simulation: tables across replications with 95% confidence intervals.

Every figure is the mean over replications with a 95% interval from the
t distribution (replications are independent). Tables are pandas DataFrames.
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
from simulate.clock import format_clock
from simulate.engine.output import JourneyFigures, Replication, StepFigures
from simulate.eventlog import event_table, save_events
from simulate.figures import abandonment, asa, occupancy, role_abandonment, role_service_level, service_level

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from simulate.failpoints import FailPoints

__all__ = ["Results", "mean_ci"]

def mean_ci(values: Any, level: float = 0.95) -> tuple[float, float, float]:
    """``(mean, low, high)`` of independent observations (NaNs left out)."""
    x = np.asarray([v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))], dtype=float)
    if x.size == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan
    from scipy import stats  # costly to import; only intervals need it

    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return m, m - half, m + half


def _clock(seconds: float) -> str:
    return format_clock(seconds, day="number", rounding="down")


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
        """Per step: arrivals, completions, abandonments, waits (mean, p50, p90, p95, max), duration,
        share within the wait point's tolerance; ``visible`` marks waits the customer can see."""
        rows = []
        metrics = [f.name for f in fields(StepFigures)] if self.replications[0].steps else []
        for s in self.blueprint.steps:
            row: dict[str, Any] = {"step": s.id, "lane": s.lane.value, "role": s.role, "visible": s.lane.value in ("customer", "onstage")}
            for m in metrics:
                mean, lo, hi = mean_ci(getattr(r.steps[s.id], m) for r in self.replications)
                row[m] = mean
                row[f"{m} ci"] = (lo, hi)
            rows.append(row)
        return pd.DataFrame(rows).set_index("step")

    def roles(self, role: str | None = None) -> pd.DataFrame:
        """Per role and interval: ``start`` (seconds from Monday 00:00) and ``time`` (in words),
        arrivals, offered load (Erlangs), staff on duty, busy staff, occupancy, mean and max
        queue, service level, ASA (seconds) and abandonment share; ``<figure> ci`` holds the
        95% interval as ``(low, high)``.

        Service level is answered within the role's target / all who arrived in the interval
        and were answered or gave up (definition "offered").
        """
        frames = []
        names = [role] if role else [r.name for r in self.blueprint.roles]
        w = self.interval
        for name in names:
            reps = [r.roles[name] for r in self.replications]
            n = len(reps[0].arrivals)
            records = []
            for i in range(n):
                rec: dict[str, Any] = {"role": name, "interval": i, "start": i * w, "time": _clock(i * w)}
                per_rep = {
                    "arrivals": [r.arrivals[i] for r in reps],
                    "offered_load": [r.work[i] / w for r in reps],
                    "on_duty": [r.on_duty[i] for r in reps],
                    "busy": [r.busy[i] for r in reps],
                    "occupancy": [occupancy(r.busy[i], r.on_duty[i]) for r in reps],
                    "queue_mean": [r.queue_mean[i] for r in reps],
                    "queue_max": [r.queue_max[i] for r in reps],
                    "service_level": [service_level(r.within[i], r.answered[i], r.abandoned[i]) for r in reps],
                    "asa": [asa(r.wait_sum[i], r.answered[i]) for r in reps],
                    "abandonment": [abandonment(r.abandoned[i], r.answered[i]) for r in reps],
                }
                for k, values in per_rep.items():
                    mean, lo, hi = mean_ci(values)
                    rec[k] = mean
                    rec[f"{k} ci"] = (lo, hi)
                records.append(rec)
            frames.append(pd.DataFrame(records))
        out = pd.concat(frames, ignore_index=True)
        return out.set_index(["role", "interval"])

    def journeys(self) -> pd.DataFrame:
        """Per journey: outcomes, time in system, transfers, steps visited, waits seen and unseen."""
        keys = [f.name for f in fields(JourneyFigures)]
        rows = []
        for k in keys:
            mean, lo, hi = mean_ci(getattr(r.journeys, k) for r in self.replications)
            rows.append({"metric": k, "mean": mean, "ci_low": lo, "ci_high": hi})
        return pd.DataFrame(rows).set_index("metric")

    def staff(self) -> pd.DataFrame:
        """Per role: staff hours paid and their cost, average on duty and busy, occupancy, service level."""
        rows = []
        first = self.first_interval
        for r in self.blueprint.roles:
            row: dict[str, Any] = {"role": r.name}
            totals = [rep.role_totals[r.name] for rep in self.replications]
            for k in ("paid_hours", "cost", "on_duty", "busy"):
                mean, lo, hi = mean_ci(getattr(t, k) for t in totals)
                row[k] = mean
                row[f"{k} ci"] = (lo, hi)
            row["occupancy"], lo, hi = mean_ci(occupancy(t.busy, t.on_duty) for t in totals)
            row["occupancy ci"] = (lo, hi)
            sl = [role_service_level(rep.roles[r.name], first) for rep in self.replications]
            row["service_level"], lo, hi = mean_ci(sl)
            row["service_level ci"] = (lo, hi)
            ab = [role_abandonment(rep.roles[r.name], first) for rep in self.replications]
            row["abandonment"], lo, hi = mean_ci(ab)
            row["abandonment ci"] = (lo, hi)
            row["target_seconds"] = totals[0].target_seconds
            rows.append(row)
        return pd.DataFrame(rows).set_index("role")

    def summary(self) -> pd.DataFrame:
        """Key figures with 95% intervals: throughput, outcomes, time in system, staff hours and cost."""
        j = self.journeys()
        rows = [
            ("arrivals", *j.loc["arrivals"]),
            ("completed", *j.loc["completed"]),
            ("abandoned", *j.loc["abandoned"]),
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
                rows.append((f"{role}: service level", rec["service_level"], *rec["service_level ci"]))
            if rec["paid_hours"]:
                rows.append((f"{role}: staff hours paid", rec["paid_hours"], *rec["paid_hours ci"]))
        cost = [sum(t.cost for t in rep.role_totals.values()) for rep in self.replications]
        rows.append(("staff cost", *mean_ci(cost)))
        return pd.DataFrame(rows, columns=["figure", "mean", "ci_low", "ci_high"]).set_index("figure")

    # -- fail points ------------------------------------------------------------
    def fail_points(self, **thresholds: Any) -> FailPoints:
        """Where and when the service breaks, ranked by severity; see :func:`simulate.fail_points`
        for the kinds of finding and the thresholds (``occupancy=0.85``, ``over_tolerance=0.2``,
        ``abandonment=0.05``, ``what_if=3``, ...).

        >>> found = results.fail_points()      # doctest: +SKIP
        >>> found.render()                     # doctest: +SKIP
        """
        from simulate.failpoints import fail_points

        return fail_points(self, **thresholds)

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
        def fmt(df: pd.DataFrame) -> str:
            return df.to_html(float_format=lambda v: f"{v:,.3g}", na_rep="–")

        s = self.summary()
        s["95% interval"] = [f"{lo:,.3g} – {hi:,.3g}" if not math.isnan(lo) else "–" for lo, hi in zip(s.ci_low, s.ci_high)]
        return (
            f"<h4>{html.escape(self.blueprint.name)}: {len(self.replications)} replications × {self.days:g} day(s), "
            f"seed {self.seed}</h4>" + fmt(s[["mean", "95% interval"]])
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

