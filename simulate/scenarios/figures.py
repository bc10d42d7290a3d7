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
from simulate.figures import occupancy, role_abandonment, role_asa, role_service_level, service_level
from simulate.results import Results, mean_ci

__all__ = [
    "DIFF_COLUMNS", "interval_table", "main_role", "paired_differences", "paired_table", "queue_roles",
    "replication_figures", "service_level_by_interval",
]


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
    paid; then all staff hours paid and the staff cost.
    """
    first = results.first_interval
    roles = queue_roles(results.blueprint)
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
            row[f"{role}: occupancy"] = occupancy(t.busy, t.on_duty)
            row[f"{role}: staff hours paid"] = t.paid_hours
        row["staff hours paid"] = sum(t.paid_hours for t in rep.role_totals.values())
        row["staff cost"] = sum(t.cost for t in rep.role_totals.values())
        rows.append(row)
    return pd.DataFrame(rows).rename_axis("replication")


def interval_table(values: ArrayLike, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and t interval over replications (rows) per column, NaNs left out: ``(mean, low, high)``.

    >>> mean, low, high = interval_table([[1.0, 2.0], [3.0, float("nan")]])
    >>> mean.tolist(), round(float(low[0]), 3), round(float(high[0]), 3), bool(math.isnan(low[1]))
    ([2.0, 2.0], -10.706, 14.706, True)
    """
    from scipy import stats  # costly to import; only intervals need it

    x = np.asarray(values, dtype=float)
    n = np.sum(~np.isnan(x), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.nansum(x, axis=0) / np.maximum(n, 1), np.nan)
        dev = np.where(np.isnan(x), 0.0, x - mean)
        sd = np.sqrt(np.sum(dev * dev, axis=0) / np.maximum(n - 1, 1))
        t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
        half = np.where(n >= 2, t * sd / np.sqrt(n), np.nan)
    return mean, mean - half, mean + half


def paired_differences(baseline: Results, other: Results, level: float = 0.95) -> pd.DataFrame:
    """Per key figure: the baseline's mean (``baseline_mean``), the other run's (``mean``), and their paired difference
    (``other - baseline``, replication by replication) with its t interval.

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
        d, lo, hi = mean_ci((y - x)[ok], level)
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
    """The service level of ``role`` per interval of a run: ``start`` (seconds from Monday 00:00),
    ``mean``, ``ci_low``, ``ci_high`` (the figures of :meth:`Results.roles`, computed at once)."""
    per = []
    for rep in res.replications:
        r = rep.roles[role]
        per.append([service_level(w, a, b) for w, a, b in zip(r.within, r.answered, r.abandoned)])
    mean, lo, hi = interval_table(per)
    start = np.arange(len(mean)) * res.interval
    return pd.DataFrame({"start": start, "mean": mean, "ci_low": lo, "ci_high": hi}).rename_axis("interval")
