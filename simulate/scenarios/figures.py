"""The key figures of each replication, paired differences between runs, intervals per column.

:func:`replication_figures` turns a run into one row per replication;
:func:`paired_differences` pairs two runs replication by replication (common
random numbers make the pairs meet the same customers).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from blueprint import Blueprint
from simulate.figures import occupancy, role_abandonment, role_asa, role_service_level
from simulate.intervals import interval_table, mean_ci, proportion_ci
from simulate.results import Results, interval_columns

__all__ = [
    "DIFF_COLUMNS", "figure_interval", "interval_table", "is_share", "main_role", "paired_differences", "paired_table",
    "queue_roles", "replication_counts", "replication_figures", "service_level_by_interval",
]

_SHARES = ("service level", "abandonment", "occupancy")


def is_share(figure: str) -> bool:
    """Is the key figure ``figure`` (a column of :func:`replication_figures`) a share in [0, 1]?

    >>> is_share("first_line: service level"), is_share("staff cost")
    (True, False)
    """
    return figure.endswith(_SHARES)


def figure_interval(figure: str, values: ArrayLike, counts: ArrayLike | None = None,
                    level: float = 0.95) -> tuple[float, float, float]:
    """``(mean, ci_low, ci_high)`` of one key figure over the replications, inside its range: a Wilson
    interval for a share (``counts``: the customers each replication's share is of, where known; see
    :func:`replication_counts`), a *t* interval kept at or above 0 otherwise (every key figure is a
    count, a time, hours or money); see :mod:`simulate.intervals`. The same intervals as
    :meth:`Results.summary` and :meth:`Results.staff` for the figures they share.

    >>> figure_interval("staff cost", [10.0, 10.0, 40.0])[1]
    0.0
    """
    if is_share(figure):
        return proportion_ci(values, counts, level=level)
    return mean_ci(values, level, low=0.0)


def replication_counts(results: Results) -> pd.DataFrame:
    """Per replication (rows), the customers each share of :func:`replication_figures` is of: arrivals for
    ``abandonment``, the calls offered (answered or gave up) for a role's service level and abandonment.
    Shares of time (occupancy) have none."""
    first = results.first_interval
    roles = queue_roles(results.blueprint)
    rows = []
    for rep in results.replications:
        row: dict[str, float] = {"abandonment": rep.journeys.arrivals}
        for role in roles:
            r = rep.roles[role]
            offered = float(sum(r.answered[first:]) + sum(r.abandoned[first:]))
            row[f"{role}: service level"] = row[f"{role}: abandonment"] = offered
        rows.append(row)
    return pd.DataFrame(rows).rename_axis("replication")


def queue_roles(bp: Blueprint) -> list[str]:
    """Roles customers can queue for (staffing not unlimited) that some step uses.

    >>> import blueprint
    >>> queue_roles(blueprint.load("examples/contact_center.yaml"))
    ['first_line', 'specialist']
    """
    used = {s.role for s in bp.steps if s.role}
    return [r.name for r in bp.roles if r.name in used and (r.staffing is None or r.staffing.kind != "unlimited")]


def replication_figures(results: Results) -> pd.DataFrame:
    """The key figures of each replication (rows) of a run.

    Their means are the figures of :meth:`Results.summary` and
    :meth:`Results.staff` (same names where both have them): arrivals,
    completed, abandoned, ``abandonment`` (share of arrivals who gave up),
    time in system, the wait the customer sees, transfers, and per role with a
    queue its service level, ASA (s), abandonment, occupancy and staff hours
    paid (for a skill served by staff groups, the occupancy and hours are its groups',
    per group); per step with a wait point its experience loss per arriving customer (the tolerances its waits
    lost, :mod:`simulate.experience`: what a change at that step does to the journey); then all staff hours
    paid and the staff cost.
    """
    first = results.first_interval
    roles = queue_roles(results.blueprint)
    skills = results.blueprint.skills()
    rows = []
    for rep in results.replications:
        j = rep.journeys
        row: dict[str, float] = {
            "arrivals": j.arrivals,
            "completed": j.completed,
            "abandoned": j.abandoned,
            "abandonment": j.abandoned / j.arrivals if j.arrivals else math.nan,
            "time in system (s)": j.time_in_system_mean,
            "wait the customer sees (s)": j.visible_wait_mean,
            "transfers per journey": j.transfers_mean,
        }
        for role in roles:
            r, t = rep.roles[role], rep.role_totals[role]
            row[f"{role}: service level"] = role_service_level(r, first)
            row[f"{role}: ASA (s)"] = role_asa(r, first)
            row[f"{role}: abandonment"] = role_abandonment(r, first)
            if role not in skills:  # a skill's staff are its groups', in rows of their own
                row[f"{role}: occupancy"] = occupancy(t.busy, t.on_duty)
                row[f"{role}: staff hours paid"] = t.paid_hours
        for g in results.blueprint.groups:
            t = rep.role_totals[g.name]
            row[f"{g.name}: occupancy"] = occupancy(t.busy, t.on_duty)
            row[f"{g.name}: staff hours paid"] = t.paid_hours
        loss: dict[str, float] = {}  # per step with a wait point: the tolerances its waits lost, every segment
        for key, e in rep.experience.items():
            step = key.split("@", 1)[0]
            loss[step] = loss.get(step, 0.0) + float(np.sum(e.loss_sum[first:]))
        for step, lost in loss.items():
            row[f"{step}: experience loss per customer"] = lost / j.arrivals if j.arrivals else math.nan
        row["staff hours paid"] = sum(t.paid_hours for t in rep.role_totals.values())
        row["staff cost"] = sum(t.cost for t in rep.role_totals.values())
        rows.append(row)
    return pd.DataFrame(rows).rename_axis("replication")


def paired_differences(baseline: Results, other: Results, level: float = 0.95) -> pd.DataFrame:
    """Per key figure: the baseline's mean (``baseline_mean``), the other run's (``mean``), and their paired difference
    (``other - baseline``, replication by replication) with its t interval (kept inside [-1, 1] for a share).

    ``significant`` is true where the interval leaves out 0. Pairs where
    either value is missing (NaN) are left out. Pairing pays off when both
    runs used the same seed (common random numbers); for independent runs the
    same interval is simply wider.
    """
    return paired_table(replication_figures(baseline), replication_figures(other), level)


def paired_table(a: pd.DataFrame, b: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """:func:`paired_differences` of two tables of :func:`replication_figures` (rows paired by position)."""
    if len(a) != len(b):
        raise ValueError(f"the runs have {len(a)} and {len(b)} replications; pairs need the same number")
    rows = []
    for fig in list(dict.fromkeys(list(a.columns) + list(b.columns))):
        x = a[fig].to_numpy(dtype=float) if fig in a else np.full(len(a), np.nan)
        y = b[fig].to_numpy(dtype=float) if fig in b else np.full(len(b), np.nan)
        ok = ~(np.isnan(x) | np.isnan(y))
        bound = 1.0 if is_share(fig) else math.inf
        d, lo, hi = mean_ci((y - x)[ok], level, low=-bound, high=bound)
        sig = bool(not math.isnan(lo) and (lo > 0 or hi < 0)) if ok.sum() >= 2 else False
        rows.append({"figure": fig, "baseline_mean": mean_ci(x, level)[0], "mean": mean_ci(y, level)[0],
                     "difference": d, "ci_low": lo, "ci_high": hi, "significant": sig})
    return pd.DataFrame(rows).set_index("figure")


DIFF_COLUMNS = ["baseline_mean", "mean", "difference", "ci_low", "ci_high", "significant"]


def main_role(bp: Blueprint) -> str:
    """The first role with a queue (what plots show unless told otherwise); ``ValueError`` if none.

    >>> import blueprint
    >>> main_role(blueprint.load("examples/contact_center.yaml"))
    'first_line'
    """
    roles = queue_roles(bp)
    if not roles:
        raise ValueError("no role with a queue to plot")
    return roles[0]


def service_level_by_interval(res: Results, role: str) -> pd.DataFrame:
    """The service level of ``role`` per interval of a run, indexed by ``interval``: ``start`` (seconds from
    Monday 00:00), ``time``, ``label``, ``service_level``, ``service_level_ci_low``, ``service_level_ci_high``
    (the columns of :meth:`Results.roles`)."""
    per = pd.DataFrame(res.roles(role).xs(role, level="role"))
    return pd.DataFrame(per[["start", "time", "label", *interval_columns("service_level")]])
