"""Intervals below target in simulation: the one rule the closed loop raises requirements by, and the
before/after report counts.

An interval misses a role's target when its simulated figure is worse than the target: service
level below it, abandonment or ASA above it. With ``rule="pooled"`` (what the before/after report
counts) the figure pools the interval's calls over the replications, every call weighing the same
(:mod:`simulate.staffing.pooled`); with ``rule="mean"`` it is the mean of per-replication figures,
which at a few calls an interval understates abandonment. With ``rule="ci"`` only clear misses
count: the better end of the figure's 95% interval must be worse than the target. Intervals with
no arrivals never miss.

>>> import pandas as pd
>>> found = pd.DataFrame({"role": ["desk", "desk"], "interval": [3, 3], "figure": ["service_level", "asa"],
...                       "simulated": [0.7, 30.0], "target": [0.8, 20.0]})
>>> count_intervals(found)  # one interval, two figures missed
1
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal, NamedTuple, cast

import pandas as pd

from simulate.staffing.pooled import bounded, pooled_figures

if TYPE_CHECKING:  # pragma: no cover
    from blueprint import Target
    from simulate.results import Results

__all__ = ["COLUMNS", "Rule", "count_intervals", "misses"]

Rule = Literal["pooled", "mean", "ci"]

#: The columns of a table of misses: one row per role, interval and figure missed.
COLUMNS = ["role", "interval", "figure", "simulated", "target"]


class _Check(NamedTuple):
    figure: str  # the column of Results.roles() and the name in the table of misses
    mean: float
    better_end: float  # the end of the 95% interval nearest the target's good side
    goal: float
    side: Literal["below", "above"]  # a miss is the figure below (or above) the goal


def _checks(target: Target, rec: pd.Series) -> list[_Check]:
    """The figures ``target`` bounds, read from one interval's row of :meth:`Results.roles`."""
    out = []
    if target.service_level is not None:
        out.append(_Check("service_level", rec["service_level"], rec["service_level_ci_high"], target.service_level,
                          "below"))
    if target.max_abandon is not None:
        out.append(_Check("abandonment", rec["abandonment"], rec["abandonment_ci_low"], target.max_abandon, "above"))
    if target.max_asa is not None:
        out.append(_Check("asa", rec["asa"], rec["asa_ci_low"], target.max_asa.seconds, "above"))
    return out


def _missed(check: _Check, rule: Rule) -> bool:
    mean = check.mean
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return False
    value = check.better_end if rule == "ci" and check.better_end == check.better_end else mean
    return value < check.goal if check.side == "below" else value > check.goal


def misses(results: Results, roles: list[str], targets: dict[str, Target], n: int, rule: Rule = "mean", *,
           level: str = "interval", min_volume: float = 0.0) -> pd.DataFrame:
    """The intervals ``0 .. n-1`` of each role in ``roles`` whose simulated figures miss the role's target.

    One row per role, interval and figure missed, with the :data:`COLUMNS`: ``figure`` is
    ``"service_level"``, ``"abandonment"`` or ``"asa"``, ``simulated`` its mean over the
    replications, ``target`` the bound it misses. ``rule`` is ``"mean"`` or ``"ci"`` (see the
    module notes). Count the intervals with :func:`count_intervals`. With ``rule="pooled"``, ``level`` and
    ``min_volume`` say which periods are judged (:func:`~simulate.staffing.pooled.pooled_figures`); ``interval``
    is then the first interval of each period that misses.
    """
    if rule == "pooled":
        return _pooled_misses(results, roles, targets, n, level, min_volume)
    rows = []
    for role in roles:
        per = results.roles(role)
        for i in range(n):
            rec = cast(pd.Series, per.loc[(role, i)])
            if not rec["arrivals"] > 0:
                continue
            for check in _checks(targets[role], rec):
                if _missed(check, rule):
                    rows.append({"role": role, "interval": i, "figure": check.figure, "simulated": check.mean,
                                 "target": check.goal})
    return pd.DataFrame(rows, columns=COLUMNS)


def _pooled_misses(results: Results, roles: list[str], targets: dict[str, Target], n: int, level: str,
                   min_volume: float) -> pd.DataFrame:
    """The misses of ``rule="pooled"``: each period with calls judged on its calls pooled over replications."""
    rows = []
    for role in roles:
        table = pooled_figures(results, role, targets[role], level=level, min_volume=min_volume, n=n)
        for rec in table.to_dict(orient="records"):
            for figure, goal, side, _p in bounded(targets[role]):
                value = float(rec[figure])
                if not math.isnan(value) and (value < goal if side == "below" else value > goal):
                    rows.append({"role": role, "interval": int(rec["first"]), "figure": figure, "simulated": value,
                                 "target": goal})
    return pd.DataFrame(rows, columns=COLUMNS)


def count_intervals(table: pd.DataFrame) -> int:
    """Intervals below target in a ``table`` of :func:`misses`, each counted once whatever figures it misses."""
    return 0 if len(table) == 0 else int(len(table.drop_duplicates(["role", "interval"])))
