"""How much work a run implies, estimated before it starts, and the limit it is held to.

A rate of ``1e20 per h`` is a valid number, and a run of it would never end. Before any
replication starts, :func:`estimate_work` reads the blueprint's arrivals and flows: the customers
expected over the days and replications, and the steps they visit (a rework loop taken with
probability 0.999 visits its step a thousand times). :func:`check_work` refuses a run whose
customers pass ``max_customers`` (by default :attr:`blueprint.limits.Limits.max_customers`, 20
million, or ``BLUEPRINT_MAX_CUSTOMERS`` in the environment), or whose customers would each visit
more than :attr:`~blueprint.limits.Limits.max_visits` steps on average, with a
:class:`WorkLimitError` that states the estimate and how to raise the limit (``max_customers=``
in Python, ``--max-customers`` on the command line, ``limits_set(max_customers=...)`` for a block
of code; ``None`` lifts it).

>>> import blueprint
>>> bp = blueprint.Blueprint("Kiosk")
>>> use = bp.customer("Use the kiosk", role="kiosk", duration="exp(2 min)")
>>> _ = bp.role("kiosk", staffing=2)
>>> _ = bp.arrive(use, rate="30 per h")
>>> w = estimate_work(bp, days=1, replications=10)
>>> round(w.customers), round(w.visits)
(7200, 7200)
>>> check_work(w, max_customers=1_000)
Traceback (most recent call last):
...
simulate.work.WorkLimitError: this run would simulate about 7,200 customers (720 a day × 1 day × 10 replications), over the limit of 1,000; raise it with max_customers= (--max-customers on the command line), or None for no limit
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from blueprint import Blueprint

__all__ = ["DEFAULT", "Overloaded", "WorkEstimate", "WorkLimitError", "check_work", "estimate_work"]


#: ``max_customers=DEFAULT``: the limit in force (:data:`blueprint.limits.LIMITS`).
DEFAULT = -1


class WorkLimitError(ValueError):
    """A run would simulate more than its limit allows (see the module notes)."""


class Overloaded(WorkLimitError):
    """A replication stopped because more customers were in the service at once than
    :attr:`~blueprint.limits.Limits.max_in_system` (each one waiting holds memory): the blueprint
    cannot serve its arrivals."""


@dataclass(frozen=True)
class WorkEstimate:
    """What a run is expected to simulate: ``customers`` arriving over every day and replication, and
    the step ``visits`` they make (customers × expected visits per customer, loops included)."""

    customers: float
    visits: float
    per_day: float
    days: float
    replications: int

    @classmethod
    def total(cls, estimates: list[WorkEstimate]) -> WorkEstimate:
        """The work of several runs of the same days and replications, together."""
        first = estimates[0]
        return cls(sum(w.customers for w in estimates), sum(w.visits for w in estimates), sum(w.per_day for w in estimates),
                   first.days, first.replications)

    @property
    def visits_per_customer(self) -> float:
        return self.visits / self.customers if self.customers > 0 else 0.0

    def __str__(self) -> str:
        if not math.isfinite(self.customers):
            return "more customers than can be counted (an arrival rate too large to be real)"
        return (f"about {_count(self.customers)} customers ({_count(self.per_day)} a day × {self.days:g} "
                f"day{'s' if self.days != 1 else ''} × {self.replications} replication{'s' if self.replications != 1 else ''})")


def _count(x: float) -> str:
    if not math.isfinite(x):
        return "infinitely many"
    return f"{x:,.0f}" if x < 1e12 else f"{x:.1e}"


def estimate_work(bp: Blueprint, days: float, replications: int) -> WorkEstimate:
    """The customers and step visits a run of ``days`` days × ``replications`` implies (expected values
    from the arrival rates and the branch probabilities; call-backs, which depend on who gives up, are
    left out)."""
    from blueprint.visits import expected_visits

    per_day, visits_per_day = 0.0, 0.0
    for a in bp.arrivals:
        n = float(a.per_day())
        try:
            steps = sum(expected_visits(bp, a.step).steps.values()) if n > 0 else 0.0
        except (ValueError, KeyError):  # a loop with no way out, an unknown step: the validator says which
            steps = math.inf
        per_day += n
        visits_per_day += n * max(steps, 1.0) if n > 0 else 0.0
    return WorkEstimate(customers=per_day * days * replications, visits=visits_per_day * days * replications,
                        per_day=per_day, days=float(days), replications=int(replications))


def check_work(estimate: WorkEstimate, max_customers: int | None = DEFAULT) -> None:
    """Raise :class:`WorkLimitError` when ``estimate`` passes ``max_customers`` customers (:data:`DEFAULT`:
    the limit in force) or the step visits per customer allowed (``None``: no limit)."""
    from blueprint.limits import LIMITS

    if max_customers is None:
        return
    if max_customers == DEFAULT:
        max_customers = LIMITS.max_customers
    how = "raise it with max_customers= (--max-customers on the command line), or None for no limit"
    if not estimate.customers <= max_customers:
        raise WorkLimitError(f"this run would simulate {estimate}, over the limit of {max_customers:,}; {how}")
    if not estimate.visits_per_customer <= LIMITS.max_visits:
        raise WorkLimitError(f"each customer would visit {_count(estimate.visits_per_customer)} steps on average (a loop "
                             f"taken almost surely: see the rework probabilities), over the limit of {LIMITS.max_visits:,}; "
                             "raise it with blueprint.limits.limits_set(max_visits=...)")
