"""Staffing benchmarks, one section each, run in turn by ``main``.

``formulas``: the least agents per interval for a contact-centre day (96 quarter
hours, ~20 to ~400 calls per 15 minutes, AHT 300 s, 80% answered within 20 s, Erlang
C) with ``simulate.staffing.agents_for`` (one vectorised call) and with pyworkforce's
``ErlangC`` (one object per interval), timed in the same run, best of a few rounds
interleaved so that both see the same machine. Prints both times, their ratio
(target: the library faster), and the intervals on which the two disagree; for each
disagreement the exact service level (mpmath, 50 digits) says which answer is the
least staffing that meets the target. The same comparison is repeated on low-load
intervals with a lenient target, where starting the search at round(load + 1)
overstaffs.

    .venv/bin/python benchmarks/staffing.py                      # every section
    .venv/bin/python benchmarks/staffing.py --quick              # one round, for a smoke test
    .venv/bin/python benchmarks/staffing.py --section formulas   # one section

A section is a function ``bench_<name>(quick: bool) -> None`` listed in ``SECTIONS``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from simulate.staffing import agents_for

INTERVAL_MIN = 15  # minutes per interval
AHT_S = 300.0  # average handle time, seconds


def day_profile() -> np.ndarray:
    """Calls per 15 minutes over a day: ~20 at night, a late-morning peak of ~400, a lunch
    dip and an afternoon peak (deterministic, 96 values)."""
    hours = np.arange(96) / 4
    calls = (
        20
        + 380 * np.exp(-0.5 * ((hours - 10.75) / 1.6) ** 2)
        + 290 * np.exp(-0.5 * ((hours - 15.0) / 2.0) ** 2)
        + 60 * np.exp(-0.5 * ((hours - 20.0) / 1.5) ** 2)
    )
    return np.round(np.clip(calls, 20, 400), 1)


def _exact_service_level(calls: float, agents: int, within_s: float) -> float:
    """P(wait ≤ within) of M/M/c from the chain's sums in mpmath (50 digits); 0 if unstable."""
    import mpmath as mp

    with mp.workdps(50):
        a = mp.mpf(calls) / (INTERVAL_MIN * 60) * AHT_S
        if agents <= a:
            return 0.0
        term, body = mp.mpf(1), mp.mpf(0)
        for n in range(agents):
            body += term
            term = term * a / (n + 1)
        top = term * agents / (agents - a)  # (aᶜ/c!)·c/(c − a), the geometric tail
        c_wait = top / (body + top)
        return float(1 - c_wait * mp.exp(-(agents - a) * within_s / AHT_S))


def _least_exact(calls: float, within_s: float, target: float, start: int) -> int:
    """The least agents meeting the target by the exact formula, searching down and up from ``start``."""
    c = max(start, 0)
    while c > 0 and _exact_service_level(calls, c - 1, within_s) >= target:
        c -= 1
    while _exact_service_level(calls, c, within_s) < target:
        c += 1
    return c


def _pyworkforce(calls: np.ndarray, within_s: float, target: float) -> np.ndarray:
    from pyworkforce.queuing import ErlangC

    return np.array(
        [
            ErlangC(transactions=float(n), aht=AHT_S / 60, asa=within_s / 60, interval=INTERVAL_MIN).required_positions(
                service_level=target
            )["raw_positions"]
            for n in calls
        ]
    )


def _library(calls: np.ndarray, within_s: float, target: float) -> np.ndarray:
    return agents_for(calls / (INTERVAL_MIN * 60), AHT_S, target_service_level=target, within=within_s)


def _compare(
    label: str, calls: np.ndarray, within_s: float, target: float, rounds: int, speed_target: bool
) -> dict[str, Any]:
    lib_t, ref_t = [], []
    ours = theirs = np.zeros(0)
    for _ in range(rounds):  # interleaved, best of each
        t = time.perf_counter()
        theirs = _pyworkforce(calls, within_s, target)
        ref_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        ours = _library(calls, within_s, target)
        lib_t.append(time.perf_counter() - t)
    lib, ref = min(lib_t), min(ref_t)
    print(
        f"  {label}: {len(calls)} intervals, {calls.min():g}–{calls.max():g} calls per {INTERVAL_MIN} min, "
        f"AHT {AHT_S:g} s, {target:.0%} within {within_s:g} s (best of {rounds})"
    )
    print(f"    pyworkforce ErlangC : {ref * 1e3:9.2f} ms")
    print(f"    agents_for          : {lib * 1e3:9.2f} ms")
    ratio = ref / lib
    verdict = f"  (target: faster than pyworkforce: {'met' if ratio > 1 else 'NOT met'})" if speed_target else ""
    print(f"    ratio               : {ratio:9.1f}×{verdict}")
    differ = np.flatnonzero(ours != theirs)
    print(f"    disagreements       : {len(differ)} of {len(calls)} intervals")
    verdicts = {"library": 0, "pyworkforce": 0, "neither": 0}
    for i in differ:
        exact = _least_exact(float(calls[i]), within_s, target, int(min(ours[i], theirs[i])))
        who = "library" if exact == ours[i] else "pyworkforce" if exact == theirs[i] else "neither"
        verdicts[who] += 1
        sl = {int(c): _exact_service_level(float(calls[i]), int(c), within_s) for c in {exact - 1, exact}}
        print(
            f"      interval {i:2d} ({calls[i]:g} calls): agents_for {ours[i]}, pyworkforce {theirs[i]}, "
            f"exact least {exact} (SL {sl[exact]:.4f}; {exact - 1} agents: {sl[exact - 1]:.4f}) → {who} right"
        )
    return {"library_s": lib, "pyworkforce_s": ref, "ratio": ratio, "disagree": len(differ), **verdicts}


def bench_formulas(quick: bool = False) -> dict[str, Any]:
    """agents_for against pyworkforce's ErlangC on a day of intervals (and on low loads)."""
    try:
        import pyworkforce  # noqa: F401
    except ImportError:
        print("  pyworkforce is not installed (pip install -e .[bench]); skipped")
        return {}
    rounds = 1 if quick else 5
    out = {"day": _compare("a day", day_profile(), 20.0, 0.8, rounds, speed_target=True)}
    low = np.round(np.linspace(0.5, 20.0, 40), 2)  # night-time loads, a lenient target: where answers differ
    out["low"] = _compare("low loads", low, 60.0, 0.5, rounds, speed_target=False)
    return out


SECTIONS: list[tuple[str, str, Callable[[bool], Any]]] = [
    ("formulas", "Erlang C staffing per interval: agents_for against pyworkforce", bench_formulas),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, for a smoke test")
    parser.add_argument(
        "--section", action="append", choices=[name for name, _, _ in SECTIONS], help="run only this section"
    )
    args = parser.parse_args(argv)
    for name, title, run in SECTIONS:
        if args.section and name not in args.section:
            continue
        print(f"{title}")
        run(args.quick)


if __name__ == "__main__":
    main()
