"""Where tasks run: one after the other, in a process pool made here, or on any executor.

:func:`execute` is ``[fn(*args) for args in tasks]`` with a choice of where the
calls run (``executor=``), a progress bar, and a clean stop on Ctrl-C:

* ``None`` or ``"auto"`` (the default): in a process pool sized to the CPUs,
  created and shut down inside the call, when there is more than one task,
  more than one CPU, and enough work to pay for starting the processes (about
  :data:`PARALLEL_MIN_CUSTOMERS` expected customers in all); one after the
  other otherwise, and wherever processes cannot be started (inside a daemon
  process, or where the platform has no working ``multiprocessing``). On Linux
  the pool forks, which starts in milliseconds and needs no
  ``if __name__ == "__main__":`` guard in scripts; elsewhere it uses the
  platform's start method (scripts then need the guard, as for any process pool).
* ``"processes"`` / ``"serial"``: force one or the other.
* any :class:`concurrent.futures.Executor`: a thread or process pool of your
  own, or a Dask cluster's (``distributed.Client(...).get_executor()``). It is
  used as it is and never shut down here.

A progress bar is shown only where a person watches (:func:`watched`): in a
terminal (standard error is a terminal; the bar is text on standard error) or
in Jupyter (a kernel with ipywidgets; the bar is a widget, removed from the
cell's output when the work is done, so saved notebooks do not keep it);
never in a pipe, a log file or a batch job. ``progress`` says when:

* ``None`` (the default, "auto"): where a person watches, once the work has
  taken :data:`PROGRESS_AFTER` seconds; the bar is removed when done;
* ``True``: at once, wherever the program runs (text on standard error when
  no one watches, e.g. for a log); kept at the end in a terminal, removed in
  Jupyter;
* ``False``: never.

Ctrl-C (``KeyboardInterrupt``) cancels the tasks not yet started, stops the
processes of a pool made here (:func:`stop_pool`), and is raised again;
nothing keeps running.

>>> execute(pow, [(2, 3), (3, 2)], executor="serial", progress=False)
[8, 9]
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import math
import multiprocessing
import multiprocessing.context
import multiprocessing.process
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

__all__ = [
    "PARALLEL_MIN_CUSTOMERS",
    "PROGRESS_AFTER",
    "ExecutorChoice",
    "cpu_count",
    "execute",
    "process_pool",
    "stop_pool",
    "watched",
]

T = TypeVar("T")

ExecutorChoice = concurrent.futures.Executor | Literal["auto", "processes", "serial"] | None
"""Where tasks run: see the module docstring."""

PARALLEL_MIN_CUSTOMERS = 20_000
"""Expected customers (over all tasks) from which ``executor=None`` starts processes: about a second of work."""

PROGRESS_AFTER = 3.0
"""Seconds after which ``progress=None`` shows a progress bar (where a person watches: :func:`watched`)."""


def cpu_count() -> int:
    """CPUs this process may use.

    >>> cpu_count() >= 1
    True
    """
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _mode(executor: ExecutorChoice, n_tasks: int, work: float) -> Literal["executor", "serial", "processes"]:
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


# -- process pools made here ------------------------------------------------------------------


def _quiet_worker() -> None:  # pragma: no cover - runs in the worker processes
    """Workers leave Ctrl-C to the parent, which cancels and stops them (no tracebacks from each worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_method() -> multiprocessing.context.BaseContext | None:
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


class _Closable(Protocol):
    def close(self) -> None: ...


@dataclass
class _PoolInternals:
    """The parts of a ``ProcessPoolExecutor`` that :func:`stop_pool` needs and the standard library keeps private.

    This is the only place that reads them. They exist, under these names, in
    CPython 3.9 to 3.13: ``_processes`` (pid -> ``Process``), the manager thread
    ``_executor_manager_thread``, the write end of the result pipe
    ``_result_queue._writer`` and the work not yet handed to a worker,
    ``_pending_work_items``. :func:`_internals` returns ``None`` when they are
    not there, and :func:`stop_pool` then uses only public calls.
    """

    processes: list[multiprocessing.process.BaseProcess]
    manager: threading.Thread | None
    writer: _Closable | None
    pending: dict[Any, Any] | None = None


def _internals(pool: concurrent.futures.ProcessPoolExecutor) -> _PoolInternals | None:
    processes = getattr(pool, "_processes", None)
    manager = getattr(pool, "_executor_manager_thread", None)
    if not isinstance(processes, dict) or not (manager is None or isinstance(manager, threading.Thread)):
        return None
    if not processes and manager is None:  # nothing started yet, or internals we do not know
        return None
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    pending = getattr(pool, "_pending_work_items", None)
    return _PoolInternals(list(processes.values()), manager, writer if callable(getattr(writer, "close", None)) else None,
                          pending if isinstance(pending, dict) else None)


def stop_pool(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """Stop a process pool at once: pending work cancelled, running workers terminated, its thread ended.

    ``pool.shutdown(cancel_futures=True)`` alone waits for the tasks already
    running; after Ctrl-C nothing should. Where this Python's pool does not
    have the internals this needs (see :class:`_PoolInternals`), it falls back
    to ``terminate_workers()`` (Python 3.14) or to a shutdown that does not wait.
    """
    parts = _internals(pool)
    if parts is None:
        terminate = getattr(pool, "terminate_workers", None)
        if callable(terminate):  # pragma: no cover - Python 3.14
            terminate()
        else:
            pool.shutdown(wait=False, cancel_futures=True)
        return
    pool.shutdown(wait=False, cancel_futures=True)
    # The pool's thread marks every task it still holds as failed once a worker is gone; before
    # Python 3.12 it does so for cancelled ones too, which raises InvalidStateError in that thread
    # (a traceback on stderr after Ctrl-C). A cancelled task gets a throwaway future for the thread
    # to fail instead (the task stays listed: the thread may still look it up).
    if parts.pending is not None:
        for item in list(parts.pending.values()):
            future = getattr(item, "future", None)
            if isinstance(future, concurrent.futures.Future) and future.cancelled():
                item.future = concurrent.futures.Future()
    for p in parts.processes:
        if p.is_alive():
            p.terminate()
    for p in parts.processes:
        p.join(timeout=5)
        if p.is_alive():  # pragma: no cover - a worker that ignores SIGTERM
            p.kill()
            p.join(timeout=5)
    # A worker stopped while it sent a result leaves the pool's thread waiting for the rest of the
    # message; with our end of the pipe closed too it reads the end instead, and cleans up.
    if parts.writer is not None:
        try:
            parts.writer.close()
        except OSError:  # pragma: no cover
            pass
    if parts.manager is not None:
        parts.manager.join(timeout=10)


@contextlib.contextmanager
def process_pool(n_tasks: int) -> Iterator[concurrent.futures.ProcessPoolExecutor | None]:
    """A process pool for ``n_tasks`` tasks (``None`` where processes cannot start), shut down on leaving;
    stopped at once (:func:`stop_pool`) when the block raises, Ctrl-C included.

    >>> with process_pool(2) as pool:
    ...     list(pool.map(abs, [-1, 2])) if pool is not None else [1, 2]
    [1, 2]
    """
    pool = _make_pool(n_tasks)
    if pool is None:
        yield None
        return
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# -- progress and Ctrl-C ------------------------------------------------------------------------


class _Bar(Protocol):
    def update(self, n: int = 1) -> object: ...

    def close(self) -> None: ...


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _jupyter() -> bool:
    """True in a Jupyter kernel whose front end can show widgets (notebook, lab, VS Code; not the Qt console or
    Spyder, which draw no widgets) with ipywidgets installed."""
    zmqshell = sys.modules.get("ipykernel.zmqshell")  # loaded in every Jupyter kernel (Colab's shell derives from it)
    ipython = sys.modules.get("IPython")
    if zmqshell is None or ipython is None:
        return False
    if not isinstance(ipython.get_ipython(), zmqshell.ZMQInteractiveShell):
        return False
    if any(k == "QT_API" or k.startswith("SPYDER") for k in os.environ):
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def watched() -> Literal["jupyter", "terminal"] | None:
    """Where a person watches this process's progress: ``"jupyter"`` (a kernel that shows widgets),
    ``"terminal"`` (standard error is a terminal), or ``None`` (a pipe, a log, a batch job: no bar).

    >>> watched() in ("jupyter", "terminal", None)
    True
    """
    if _jupyter():
        return "jupyter"
    isatty = getattr(sys.stderr, "isatty", None)
    return "terminal" if callable(isatty) and isatty() else None


class _WidgetBar:
    """A progress bar in a Jupyter cell (ipywidgets), shown after ``delay`` seconds; at the end both the widget and
    its place in the cell's output are cleared, so a saved notebook keeps no trace of it."""

    def __init__(self, total: int, desc: str, delay: float) -> None:
        import ipywidgets

        self.total, self.desc, self.n = total, desc, 0
        self.start = time.monotonic()
        self.delay = delay
        self.bar = ipywidgets.IntProgress(value=0, min=0, max=max(total, 1))
        self.label = ipywidgets.Label(self._text())
        self.box = ipywidgets.HBox([self.label, self.bar])
        self.handle: Any = None
        if delay <= 0:
            self._show()

    def _text(self) -> str:
        return f"{self.desc}: {self.n} of {self.total}, {time.monotonic() - self.start:.0f} s"

    def _show(self) -> None:
        from IPython.display import display

        self.handle = display(self.box, display_id=True)

    def update(self, n: int = 1) -> None:
        self.n += n
        self.bar.value, self.label.value = self.n, self._text()
        if self.handle is None and time.monotonic() - self.start >= self.delay:
            self._show()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.update({"text/plain": ""}, raw=True)  # the cell's output keeps nothing of the bar
        self.box.close()


_TEXT_BAR: Callable[..., _Bar] | None = None  # tqdm's text bar without a monitor thread, made on first use


def _text_bar(total: int, desc: str, delay: float, leave: bool) -> _Bar:
    global _TEXT_BAR
    if _TEXT_BAR is None:
        from tqdm import tqdm

        _TEXT_BAR = type("_Bar", (tqdm,), {"monitor_interval": 0})  # no monitor thread: the pool may fork after the bar exists
    return _TEXT_BAR(total=total, desc=desc, unit="replication", delay=delay, leave=leave, file=sys.stderr)


def _bar(total: int, progress: bool | None, desc: str) -> _Bar:
    """The progress bar ``progress`` asks for, where :func:`watched` says (see the module docstring)."""
    if progress is False:
        return _NoBar()
    where = watched()
    if where == "jupyter":
        return _WidgetBar(total, desc, delay=0 if progress else PROGRESS_AFTER)
    if progress is None and where is None:
        return _NoBar()
    return _text_bar(total, desc, delay=0 if progress else PROGRESS_AFTER, leave=bool(progress))


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


def _gather(executor: concurrent.futures.Executor, fn: Callable[..., T], tasks: Sequence[tuple[object, ...]], bar: _Bar) -> list[T]:
    futures: list[concurrent.futures.Future[T]] = []
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


def _serial(fn: Callable[..., T], tasks: Sequence[tuple[object, ...]], bar: _Bar) -> list[T]:
    out = []
    for args in tasks:
        out.append(fn(*args))
        bar.update(1)
    return out


def execute(
    fn: Callable[..., T],
    tasks: Sequence[tuple[object, ...]],
    *,
    executor: ExecutorChoice = None,
    progress: bool | None = None,
    work: float = math.inf,
    desc: str = "simulating",
) -> list[T]:
    """``[fn(*args) for args in tasks]``, in order, run as ``executor`` says (see the module docstring).

    ``work`` is the expected number of customers in all tasks (it decides
    ``executor=None``). ``fn`` must be importable by name to run in processes.

    >>> execute(pow, [(2, 3), (3, 2)], executor="serial", progress=False)
    [8, 9]
    """
    mode = _mode(executor, len(tasks), work)
    bar = _bar(len(tasks), progress, desc)
    try:
        if mode == "executor":
            assert isinstance(executor, concurrent.futures.Executor)
            return _gather(executor, fn, tasks, bar)
        if mode == "processes":
            with process_pool(len(tasks)) as pool:
                if pool is not None:
                    return _gather(pool, fn, tasks, bar)
        return _serial(fn, tasks, bar)
    finally:
        bar.close()
