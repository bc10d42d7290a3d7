"""``simulate.run``: replications of a blueprint, serial, in processes or on any executor.

>>> import blueprint, simulate
>>> bp = blueprint.Blueprint("Kiosk")
>>> use = bp.customer("Use the kiosk", role="kiosk", duration="exp(2 min)")
>>> _ = bp.role("kiosk", staffing=2)
>>> _ = bp.arrive(use, rate="30 per h")
>>> results = simulate.run(bp, days=1, replications=3, seed=42)
>>> results.seed, len(results.replications)
(42, 3)

:func:`run` simulates one blueprint; :func:`run_many` several on one seed, so
that replication *i* of each meets the same customers (common random numbers;
:func:`simulate.compare` is built on it). Each replication gets its own random
streams, spawned from the one seed (:func:`replication_seeds`), so results are
identical wherever the replications run.

Where the replications run (``executor=``): by default in a process pool when
the work pays for it, one after the other otherwise; ``"processes"`` or
``"serial"`` force one or the other; any :class:`concurrent.futures.Executor`
(a Dask client's ``get_executor()`` too) is used as it is. A progress bar
appears only where someone watches (a terminal, or Jupyter, where it is cleared
when done), once a run takes longer than a few seconds (``progress=None``);
never in a pipe or a log. ``progress=True`` shows it at once, anywhere;
``False`` never. Ctrl-C cancels the
replications not yet started, stops the processes of a pool made here, and is
raised again. The details are in :mod:`simulate.executors`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np

from blueprint import Blueprint, BlueprintValidationError, Problem
from blueprint.limits import LIMITS, limits_set
from blueprint.staffing import DAY
from blueprint.units import within_duration_limit
from simulate.clock import to_seconds
from simulate.engine.model import Replication, simulate_once
from simulate.executors import PARALLEL_MIN_CUSTOMERS, PROGRESS_AFTER, ExecutorChoice, cpu_count, execute
from simulate.results import Results
from simulate.work import DEFAULT, WorkEstimate, WorkLimitError, check_work, estimate_work

__all__ = [
    "extend",
    "PARALLEL_MIN_CUSTOMERS",
    "PROGRESS_AFTER",
    "ExecutorChoice",
    "cpu_count",
    "execute",
    "expected_customers",
    "replication_seeds",
    "resolve_seed",
    "run",
    "run_many",
]
# PARALLEL_MIN_CUSTOMERS, PROGRESS_AFTER, ExecutorChoice, cpu_count and execute live in simulate.executors;
# they are named here too because they were first published here.


# -- seeds ------------------------------------------------------------------------------------------


def resolve_seed(seed: int | None) -> int:
    """The seed a run uses: ``seed`` itself, or a fresh one from the operating system's entropy
    when it is ``None`` (below 2**63, so it fits a 64-bit integer column wherever it is saved).

    >>> resolve_seed(7)
    7
    >>> 0 <= resolve_seed(None) < 2**63
    True
    """
    if seed is None:
        entropy = np.random.SeedSequence().entropy
        assert isinstance(entropy, int)  # drawn by numpy, never a sequence
        return entropy % (2**63)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a whole number, 0 or more, got {seed!r}")
    return int(seed)


def replication_seeds(seed: int, replications: int, first: int = 0) -> list[np.random.SeedSequence]:
    """The root of the random streams of each replication run with ``seed``: the same for every
    blueprint run with that seed, so replication *i* of each meets the same customers. ``first``
    numbers the first one: replications 10–19 of a seed are those a run of 20 has last.

    >>> [s.spawn_key for s in replication_seeds(42, 3)]
    [(0,), (1,), (2,)]
    >>> [s.spawn_key for s in replication_seeds(42, 2, first=10)]
    [(10,), (11,)]
    """
    if first < 0:
        raise ValueError(f"first_replication must be at least 0, got {first}")
    return [np.random.SeedSequence(seed, spawn_key=(i,)) for i in range(first, first + replications)]


# -- one replication --------------------------------------------------------------------------------


def _one(bp_json: str, root: np.random.SeedSequence, horizon: float, warmup: float, interval: float, record_events: bool,
         limits: dict[str, int] | None = None) -> Replication:
    """One replication; module-level so that process pools (and Dask) can pickle it. ``limits`` are the
    caller's :data:`blueprint.limits.LIMITS`, in force in a worker process too."""
    with limits_set(**(limits or {})):
        bp = Blueprint.model_validate_json(bp_json)
        return simulate_once(bp, root, horizon=horizon, warmup=warmup, interval=interval, record_events=record_events)


class NothingToSimulate(BlueprintValidationError, ValueError):
    """A blueprint with no arrivals: it can be drawn, not simulated (located at its ``arrivals``)."""


def _check(blueprint: Blueprint, name: str | None) -> None:
    report = blueprint.validate()
    report.raise_for_errors()
    if not blueprint.arrivals:
        where = f"{name!r}: " if name is not None else ""
        found = next((p for p in report.problems if p.code == "no-arrivals"), None)
        raise NothingToSimulate([Problem("error", "no-arrivals", "arrivals", f"{where}the blueprint has no arrivals: nothing to simulate",
                                         found.file if found else blueprint.source, found.line if found else None)],
                                blueprint.source)


def _times(days: float, replications: int, warmup: float | str, interval: float | str) -> tuple[float, float, float]:
    """``(horizon, warmup, interval)`` in seconds, checked."""
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if not days > 0 or not math.isfinite(days):
        raise ValueError(f"days must be a finite number more than 0, got {days}")
    within_duration_limit(days * DAY, f"days={days:g}")
    horizon = float(days) * DAY
    warm = to_seconds(warmup, "warmup")
    width = to_seconds(interval, "interval")
    if not 0 <= warm < horizon:
        raise ValueError(f"warmup must be at least 0 and shorter than the {days:g} simulated day(s)")
    if width <= 0:
        raise ValueError("interval must be longer than 0")
    return horizon, warm, width


def expected_customers(blueprint: Blueprint, days: float) -> float:
    """Customers expected to arrive in ``days`` days (for choosing serial or processes)."""
    return sum(a.per_day() for a in blueprint.arrivals) * days


# -- running ----------------------------------------------------------------------------------------


def run_many(
    blueprints: Mapping[str, Blueprint],
    *,
    days: float = 1,
    replications: int = 10,
    seed: int | None = None,
    warmup: float | str = 0,
    record_events: bool = False,
    executor: ExecutorChoice = None,
    interval: float | str = "15 min",
    progress: bool | None = None,
    desc: str | None = None,
    first_replication: int = 0,
    max_customers: int | None = DEFAULT,
) -> dict[str, Results]:
    """Simulate each of several blueprints ``replications`` times on one seed: ``{name: Results}``.

    Replication *i* of every blueprint draws from the same random streams
    (:func:`replication_seeds`), so where two blueprints differ only in, say,
    staffing, their replications meet the same customers and their
    differences can be paired. The replications of all blueprints are one pool
    of work for ``executor``; the other arguments are those of :func:`run`, and
    ``desc`` labels the progress bar. Each blueprint is validated first; an
    error names the blueprint's key when there are several. ``max_customers``
    bounds the customers of all of them together (see :mod:`simulate.work`).

    >>> import blueprint
    >>> bp = blueprint.Blueprint("Kiosk")
    >>> use = bp.customer("Use the kiosk", role="kiosk", duration="exp(2 min)")
    >>> _ = bp.role("kiosk", staffing=2)
    >>> _ = bp.arrive(use, rate="30 per h")
    >>> more = bp.with_staffing({"kiosk": 3})
    >>> out = run_many({"two": bp, "three": more}, replications=2, seed=5, progress=False)
    >>> list(out), out["two"].seed == out["three"].seed == 5
    (['two', 'three'], True)
    """
    if not blueprints:
        raise ValueError("no blueprints to run")
    for name, bp in blueprints.items():
        _check(bp, name if len(blueprints) > 1 else None)
    horizon, warm, width = _times(days, replications, warmup, interval)
    if first_replication + replications > LIMITS.max_replications:
        raise WorkLimitError(f"replications={first_replication + replications:,}: more than the limit of {LIMITS.max_replications:,} "
                             "(each replication is kept in memory; for narrower intervals simulate more days, or raise it with "
                             "BLUEPRINT_MAX_REPLICATIONS or blueprint.limits.limits_set(max_replications=...))")
    estimates = [estimate_work(bp, days, replications) for bp in blueprints.values()]
    for name, w in zip(blueprints, estimates):  # each alone (a loop in one is not hidden by the others' visits), then all together
        try:
            check_work(w, max_customers)
        except WorkLimitError as e:
            if len(blueprints) == 1:
                raise
            raise WorkLimitError(f"{name!r}: {e}") from None
    if len(estimates) > 1:
        check_work(WorkEstimate.total(estimates), max_customers)
    seed = resolve_seed(seed)
    roots = replication_seeds(seed, replications, first_replication)
    limits = dataclasses.asdict(LIMITS)
    tasks = []
    for bp in blueprints.values():
        bp_json = bp.model_dump_json(by_alias=True)
        tasks += [(bp_json, root, horizon, warm, width, record_events, limits) for root in roots]
    work = sum(expected_customers(bp, days) for bp in blueprints.values()) * replications
    if desc is None:
        desc = next(iter(blueprints.values())).name if len(blueprints) == 1 else f"{len(blueprints)} blueprints"
    reps = execute(_one, tasks, executor=executor, progress=progress, work=work, desc=desc)
    return {
        name: Results(blueprint=bp, replications=reps[k * replications:(k + 1) * replications], seed=seed,
                      days=float(days), warmup=warm, interval=width)
        for k, (name, bp) in enumerate(blueprints.items())
    }


def run(
    blueprint: Blueprint,
    *,
    days: float = 1,
    replications: int = 10,
    seed: int | None = None,
    warmup: float | str = 0,
    record_events: bool = False,
    executor: ExecutorChoice = None,
    interval: float | str = "15 min",
    progress: bool | None = None,
    first_replication: int = 0,
    max_customers: int | None = DEFAULT,
) -> Results:
    """Simulate ``days`` days of the blueprint, ``replications`` times.

    ``seed`` makes the run repeatable (a fresh one is drawn and recorded in
    ``results.seed`` when left out). Replications get independent streams
    spawned from it, so the results are the same whether they run one after
    the other, in processes or on ``executor`` (any
    ``concurrent.futures.Executor``, e.g. a Dask client's
    ``get_executor()``; see :mod:`simulate.executors` for the default).
    ``warmup`` (seconds, or text such as ``"2 h"``) is simulated but left out
    of the statistics; ``interval`` is the width of the per-interval tables.
    ``progress``: a progress bar after a few seconds in a terminal or Jupyter,
    none in a pipe or a log (``None``); at once, anywhere (``True``); never
    (``False``). Time 0 is Monday 00:00. ``first_replication`` numbers the first replication:
    ``run(bp, replications=10, seed=s, first_replication=10)`` runs the replications 10–19 that
    ``run(bp, replications=20, seed=s)`` has last, so more replications can be added to a run.
    ``max_customers`` refuses a run that implies more customers, before it starts (by default the limit
    in force, :attr:`blueprint.limits.Limits.max_customers`; ``None``: none; see :mod:`simulate.work`).

    >>> import blueprint
    >>> bp = blueprint.load("examples/coffee_shop.yaml")
    >>> results = run(bp, days=1, replications=3, seed=2026, progress=False)
    >>> bool(results.summary().loc["arrivals", "mean"] > 0)     # key figures with 95% intervals
    True
    >>> results.roles("cashier").columns[:4].tolist()            # per role and 15 minutes
    ['start', 'time', 'label', 'arrivals']
    """
    (results,) = run_many(
        {blueprint.name: blueprint}, days=days, replications=replications, seed=seed, warmup=warmup,
        record_events=record_events, executor=executor, interval=interval, progress=progress,
        first_replication=first_replication, max_customers=max_customers,
    ).values()
    return results


def extend(results: Results, replications: int, *, executor: ExecutorChoice = None, progress: bool | None = False) -> Results:
    """``results`` with ``replications`` more: the next replications of the same seed on the same
    blueprint, days and interval (the customers a longer run would have met), appended; their event
    log is recorded when the first run recorded one.

    >>> import blueprint
    >>> bp = blueprint.Blueprint("Kiosk")
    >>> use = bp.customer("Use the kiosk", role="kiosk", duration="exp(2 min)")
    >>> _ = bp.role("kiosk", staffing=2)
    >>> _ = bp.arrive(use, rate="30 per h")
    >>> short = run(bp, days=0.1, replications=2, seed=4, progress=False)
    >>> longer = extend(short, 2)
    >>> len(longer.replications), longer.replications[3].journeys.arrivals == run(
    ...     bp, days=0.1, replications=4, seed=4, progress=False).replications[3].journeys.arrivals
    (4, True)
    """
    more = run(results.blueprint, days=results.days, replications=replications, seed=results.seed, warmup=results.warmup,
               interval=results.interval, executor=executor, progress=progress,
               first_replication=len(results.replications),
               record_events=any(r.events is not None for r in results.replications))
    return Results(blueprint=results.blueprint, replications=results.replications + more.replications, seed=results.seed,
                   days=results.days, warmup=results.warmup, interval=results.interval)
