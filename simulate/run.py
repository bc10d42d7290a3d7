"""``simulate.run``: replications of a blueprint, serial or on any executor.

>>> import blueprint, simulate
>>> bp = blueprint.Blueprint("Kiosk")
>>> use = bp.customer("Use the kiosk", role="kiosk", duration="exp(2 min)")
>>> _ = bp.role("kiosk", staffing=2)
>>> _ = bp.arrive(use, rate="30 per h")
>>> results = simulate.run(bp, days=1, replications=3, seed=42)
>>> results.seed, len(results.replications)
(42, 3)
"""

from __future__ import annotations

import concurrent.futures

import numpy as np

from blueprint import Blueprint, Duration
from blueprint.staffing import DAY

from .engine import Replication, simulate_once
from .results import Results

__all__ = ["run"]


def _seconds(value: float | str | Duration, what: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return Duration.parse(value).seconds
    except ValueError as e:
        raise ValueError(f"{what}: {e}") from None


def _one(bp_json: str, entropy: int, spawn_key: tuple[int, ...], horizon: float, warmup: float, interval: float, record_events: bool) -> Replication:
    """One replication; module-level so that process pools can pickle it."""
    bp = Blueprint.model_validate_json(bp_json)
    root = np.random.SeedSequence(entropy, spawn_key=spawn_key)
    return simulate_once(bp, root, horizon=horizon, warmup=warmup, interval=interval, record_events=record_events)


def run(
    blueprint: Blueprint,
    *,
    days: float = 1,
    replications: int = 10,
    seed: int | None = None,
    warmup: float | str = 0,
    record_events: bool = False,
    executor: concurrent.futures.Executor | None = None,
    interval: float | str = "15 min",
) -> Results:
    """Simulate ``days`` days of the blueprint, ``replications`` times.

    ``seed`` makes the run repeatable (a fresh one is drawn and recorded in
    ``results.seed`` when left out). Replications get independent streams
    spawned from it, so the results are the same whether they run one after
    the other or on ``executor`` (any ``concurrent.futures.Executor``).
    ``warmup`` (seconds, or text such as ``"2 h"``) is simulated but left out
    of the statistics; ``interval`` is the width of the per-interval tables.
    Time 0 is Monday 00:00.
    """
    report = blueprint.validate()
    report.raise_for_errors()
    if not blueprint.arrivals:
        raise ValueError("the blueprint has no arrivals: nothing to simulate")
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if days <= 0:
        raise ValueError(f"days must be more than 0, got {days}")
    horizon = float(days) * DAY
    warm = _seconds(warmup, "warmup")
    width = _seconds(interval, "interval")
    if not 0 <= warm < horizon:
        raise ValueError(f"warmup must be at least 0 and shorter than the {days:g} simulated day(s)")
    if width <= 0:
        raise ValueError("interval must be longer than 0")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    root = np.random.SeedSequence(seed)
    children = root.spawn(replications)
    bp_json = blueprint.model_dump_json(by_alias=True)
    args = [(bp_json, seed, tuple(c.spawn_key), horizon, warm, width, record_events) for c in children]
    if executor is None:
        reps = [_one(*a) for a in args]
    else:
        reps = list(executor.map(_one, *zip(*args)))
    return Results(blueprint=blueprint, replications=reps, seed=seed, days=float(days), warmup=warm, interval=width)
