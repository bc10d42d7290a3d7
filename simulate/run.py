"""``simulate.run``: replications of a blueprint, serial, in processes or on any executor.

>>> import blueprint, simulate
>>> bp = blueprint.Blueprint("Kiosk")
>>> use = bp.customer("Use the kiosk", role="kiosk", duration="exp(2 min)")
>>> _ = bp.role("kiosk", staffing=2)
>>> _ = bp.arrive(use, rate="30 per h")
>>> results = simulate.run(bp, days=1, replications=3, seed=42)
>>> results.seed, len(results.replications)
(42, 3)

Where the replications run (``executor=``):

* ``None`` or ``"auto"`` (the default): in a process pool sized to the CPUs,
  created and shut down inside the call, when there is more than one
  replication, more than one CPU, and enough work to pay for starting the
  processes (about :data:`PARALLEL_MIN_CUSTOMERS` expected customers in all);
  one after the other otherwise, and wherever processes cannot be started
  (inside a daemon process, or where the platform has no working
  ``multiprocessing``). On Linux the pool forks, which starts in milliseconds
  and needs no ``if __name__ == "__main__":`` guard in scripts; elsewhere it
  uses the platform's start method (scripts then need the guard, as for any
  process pool).
* ``"processes"`` / ``"serial"``: force one or the other.
* any :class:`concurrent.futures.Executor`: a thread or process pool of your
  own, or a Dask cluster's (``distributed.Client(...).get_executor()``). It is
  used as it is and never shut down here.

Results are identical wherever the replications run: each gets its own
random streams, spawned from the one seed.

A progress bar (``tqdm.auto``: a widget in Jupyter, text elsewhere) appears
when a run takes longer than :data:`PROGRESS_AFTER` seconds
(``progress=None``); ``progress=True`` shows it at once, ``False`` never.
Ctrl-C (``KeyboardInterrupt``) cancels the replications not yet started, stops
the processes of a pool made here, and is raised again; nothing keeps running.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import math
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import numpy as np

from blueprint import Blueprint
from blueprint.staffing import DAY
from simulate.clock import to_seconds
from simulate.engine.model import Replication, simulate_once
from simulate.results import Results

__all__ = ["PARALLEL_MIN_CUSTOMERS", "PROGRESS_AFTER", "ExecutorChoice", "cpu_count", "execute", "expected_customers", "run"]

ExecutorChoice = concurrent.futures.Executor | Literal["auto", "processes", "serial"] | None

PARALLEL_MIN_CUSTOMERS = 20_000
"""Expected customers (over all replications) from which ``executor=None`` starts processes: about a second of work."""

PROGRESS_AFTER = 3.0
"""Seconds after which ``progress=None`` shows a progress bar."""


def _one(bp_json: str, entropy: int, spawn_key: tuple[int, ...], horizon: float, warmup: float, interval: float, record_events: bool) -> Replication:
    """One replication; module-level so that process pools (and Dask) can pickle it."""
    bp = Blueprint.model_validate_json(bp_json)
    root = np.random.SeedSequence(entropy, spawn_key=spawn_key)
    return simulate_once(bp, root, horizon=horizon, warmup=warmup, interval=interval, record_events=record_events)


# -- checks shared with ``compare`` ---------------------------------------------------------


def _check_blueprint(blueprint: Blueprint) -> None:
    blueprint.validate().raise_for_errors()
    if not blueprint.arrivals:
        raise ValueError("the blueprint has no arrivals: nothing to simulate")


def _plan(days: float, replications: int, warmup: float | str, interval: float | str) -> tuple[float, float, float]:
    """``(horizon, warmup, interval)`` in seconds, checked."""
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    if days <= 0:
        raise ValueError(f"days must be more than 0, got {days}")
    horizon = float(days) * DAY
    warm = to_seconds(warmup, "warmup")
    width = to_seconds(interval, "interval")
    if not 0 <= warm < horizon:
        raise ValueError(f"warmup must be at least 0 and shorter than the {days:g} simulated day(s)")
    if width <= 0:
        raise ValueError("interval must be longer than 0")
    return horizon, warm, width


def _seed(seed: int | None) -> int:
    return int(np.random.SeedSequence().entropy) if seed is None else int(seed)  # type: ignore[arg-type]


def _spawn_keys(seed: int, replications: int) -> list[tuple[int, ...]]:
    """The spawn key of each replication: the same for every blueprint run with ``seed``."""
    return [tuple(c.spawn_key) for c in np.random.SeedSequence(seed).spawn(replications)]


def expected_customers(blueprint: Blueprint, days: float) -> float:
    """Customers expected to arrive in ``days`` days (for choosing serial or processes)."""
    return sum(a.per_day() for a in blueprint.arrivals) * days


# -- running tasks ----------------------------------------------------------------------------


def cpu_count() -> int:
    """CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _mode(executor: ExecutorChoice, n_tasks: int, work: float) -> str:
    if isinstance(executor, concurrent.futures.Executor):
        return "executor"
    if executor == "serial":
        return "serial"
    if executor == "processes":
        return "processes"
    if executor not in (None, "auto"):
        raise ValueError(
            f"executor must be a concurrent.futures.Executor, 'auto', 'processes' or 'serial'; got {executor!r}"
        )
    if n_tasks < 2 or cpu_count() < 2 or work < PARALLEL_MIN_CUSTOMERS:
        return "serial"
    return "processes"


def _quiet_worker() -> None:  # pragma: no cover - runs in the worker processes
    """Workers leave Ctrl-C to the parent, which cancels and stops them (no tracebacks from each worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_method() -> Any:
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def _make_pool(n_tasks: int) -> concurrent.futures.ProcessPoolExecutor | None:
    """A process pool for ``n_tasks`` tasks, or ``None`` where processes are unavailable."""
    if multiprocessing.current_process().daemon:  # daemon processes may not have children
        return None
    workers = max(1, min(cpu_count(), n_tasks))
    try:
        return concurrent.futures.ProcessPoolExecutor(
            max_workers=workers, mp_context=_start_method(), initializer=_quiet_worker
        )
    except (OSError, NotImplementedError, ImportError, ValueError):
        return None


def _stop(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Stop a pool made here at once: pending work cancelled, running workers terminated, its thread ended."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)
    if not processes and manager is None and hasattr(pool, "terminate_workers"):  # pragma: no cover - other internals
        pool.terminate_workers()
        return
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=5)
        if p.is_alive():  # pragma: no cover - a worker that ignores SIGTERM
            p.kill()
            p.join(timeout=5)
    # A worker stopped while it sent a result leaves the pool's thread waiting for the rest of the
    # message; with our end of the pipe closed too it reads the end instead, and cleans up.
    writer = getattr(results, "_writer", None)
    if writer is not None:
        try:
            writer.close()
        except OSError:  # pragma: no cover
            pass
    if manager is not None:
        manager.join(timeout=10)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


_BAR: Any = None


def _bar(total: int, progress: bool | None, desc: str) -> Any:
    global _BAR
    if progress is False:
        return _NoBar()
    if _BAR is None:
        from tqdm.auto import tqdm

        _BAR = type("_Bar", (tqdm,), {"monitor_interval": 0})  # no monitor thread: the pool may fork after the bar exists
    return _BAR(total=total, desc=desc, unit="replication", delay=0 if progress else PROGRESS_AFTER, leave=bool(progress))


@contextlib.contextmanager
def _interrupt_after() -> Iterator[None]:
    """Hold Ctrl-C until the block is done, then raise it.

    A process pool forks its workers on the first ``submit``; a Ctrl-C that
    arrives during the fork would be raised inside one of Python's at-fork
    hooks, which swallow it, and the run would go on. Held, it stops the run
    once the work is handed out.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _gather(executor: concurrent.futures.Executor, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]], bar: Any) -> list[Any]:
    futures: list[concurrent.futures.Future[Any]] = []
    try:
        with _interrupt_after():
            for args in tasks:
                futures.append(executor.submit(fn, *args))
        for f in concurrent.futures.as_completed(futures):
            f.result()  # the first failure stops the run
            bar.update(1)
        return [f.result() for f in futures]
    except BaseException:
        for f in futures:
            f.cancel()
        raise


def execute(
    fn: Callable[..., Any],
    tasks: Sequence[tuple[Any, ...]],
    *,
    executor: ExecutorChoice = None,
    progress: bool | None = None,
    work: float = math.inf,
    desc: str = "simulating",
) -> list[Any]:
    """``[fn(*args) for args in tasks]``, in order, run as ``executor`` says (see the module docstring).

    ``work`` is the expected number of customers in all tasks (it decides
    ``executor=None``). ``fn`` must be importable by name to run in processes.

    >>> execute(pow, [(2, 3), (3, 2)], executor="serial", progress=False)
    [8, 9]
    """
    mode = _mode(executor, len(tasks), work)
    pool = _make_pool(len(tasks)) if mode == "processes" else None
    if mode == "processes" and pool is None:
        mode = "serial"
    bar = _bar(len(tasks), progress, desc)
    try:
        if mode == "serial":
            out = []
            for args in tasks:
                out.append(fn(*args))
                bar.update(1)
            return out
        if pool is not None:
            try:
                return _gather(pool, fn, tasks, bar)
            except BaseException:
                _stop(pool)
                raise
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        assert isinstance(executor, concurrent.futures.Executor)
        return _gather(executor, fn, tasks, bar)
    finally:
        bar.close()


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
) -> Results:
    """Simulate ``days`` days of the blueprint, ``replications`` times.

    ``seed`` makes the run repeatable (a fresh one is drawn and recorded in
    ``results.seed`` when left out). Replications get independent streams
    spawned from it, so the results are the same whether they run one after
    the other, in processes or on ``executor`` (any
    ``concurrent.futures.Executor``, e.g. a Dask client's
    ``get_executor()``; see the module docstring for the default).
    ``warmup`` (seconds, or text such as ``"2 h"``) is simulated but left out
    of the statistics; ``interval`` is the width of the per-interval tables.
    ``progress``: a progress bar after a few seconds (``None``), at once
    (``True``) or never (``False``). Time 0 is Monday 00:00.
    """
    _check_blueprint(blueprint)
    horizon, warm, width = _plan(days, replications, warmup, interval)
    seed = _seed(seed)
    bp_json = blueprint.model_dump_json(by_alias=True)
    tasks = [(bp_json, seed, key, horizon, warm, width, record_events) for key in _spawn_keys(seed, replications)]
    reps = execute(
        _one, tasks, executor=executor, progress=progress,
        work=expected_customers(blueprint, days) * replications, desc=blueprint.name,
    )
    return Results(blueprint=blueprint, replications=reps, seed=seed, days=float(days), warmup=warm, interval=width)
