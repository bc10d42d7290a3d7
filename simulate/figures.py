"""One definition of each queue figure: service level, abandonment, ASA and occupancy.

Every table that shows these figures (:meth:`Results.roles`,
:meth:`Results.staff`, the figures of a comparison, the fail points, the
staffing loop's misses) computes them here, from the counts of a
:class:`~simulate.engine.RoleIntervals` (or its totals):

* **service level**: answered within the target time / calls offered, where the
  offered calls are those answered plus those that gave up (the "offered"
  definition); NaN with nothing offered;
* **abandonment**: calls that gave up / calls offered; NaN with nothing offered;
* **ASA** (average speed of answer): total wait of the answered calls / calls
  answered (s); NaN with nothing answered;
* **occupancy**: busy staff / staff on duty (both time averages); NaN with no
  staff on duty (or an unlimited role).

Over several intervals the counts are summed first and the figure is taken of
the sums (:func:`role_service_level` and friends), so a quiet interval weighs
less than a busy one.

>>> service_level(within=40, answered=45, abandoned=5), abandonment(abandoned=5, answered=45)
(0.8, 0.1)
>>> asa(wait_sum=900.0, answered=45), occupancy(busy=8.5, on_duty=10)
(20.0, 0.85)
"""

from __future__ import annotations

import math

from simulate.engine.output import RoleIntervals

__all__ = [
    "abandonment", "asa", "occupancy", "role_abandonment", "role_asa", "role_service_level", "service_level",
]


def service_level(within: float, answered: float, abandoned: float) -> float:
    """Calls answered within the target / calls offered (answered + gave up); NaN if none were offered.

    >>> service_level(0, 0, 0)
    nan
    """
    offered = answered + abandoned
    return within / offered if offered else math.nan


def abandonment(abandoned: float, answered: float) -> float:
    """Calls that gave up / calls offered (answered + gave up); NaN if none were offered.

    >>> abandonment(1, 3)
    0.25
    """
    offered = answered + abandoned
    return abandoned / offered if offered else math.nan


def asa(wait_sum: float, answered: float) -> float:
    """Average speed of answer: the answered calls' total wait / calls answered (s); NaN if none were answered.

    >>> asa(30.0, 0)
    nan
    """
    return wait_sum / answered if answered else math.nan


def occupancy(busy: float, on_duty: float) -> float:
    """Busy staff / staff on duty; NaN with nobody on duty or an unlimited role (infinitely many).

    >>> occupancy(1.0, 0.0), occupancy(3.0, math.inf)
    (nan, nan)
    """
    return busy / on_duty if 0 < on_duty < math.inf else math.nan


def role_service_level(r: RoleIntervals, first: int = 0) -> float:
    """:func:`service_level` of the counts of intervals ``first`` onwards (the counted part of a run).

    >>> r = RoleIntervals(*([[1.0, 3.0]] * 10))
    >>> role_service_level(r), role_service_level(r, first=1)
    (0.5, 0.5)
    """
    return service_level(sum(r.within[first:]), sum(r.answered[first:]), sum(r.abandoned[first:]))


def role_abandonment(r: RoleIntervals, first: int = 0) -> float:
    """:func:`abandonment` of the counts of intervals ``first`` onwards."""
    return abandonment(sum(r.abandoned[first:]), sum(r.answered[first:]))


def role_asa(r: RoleIntervals, first: int = 0) -> float:
    """:func:`asa` of the answered calls of intervals ``first`` onwards (s)."""
    return asa(sum(r.wait_sum[first:]), sum(r.answered[first:]))
