"""The engine's speed and memory against a minimal hand-written SimPy model, in the same run.

The same M/M/c queue (arrival rate 9.5 per minute, mean service 1 minute, 10
servers) is run through ``simulate`` (statistics on) and through the smallest
SimPy model that does the same (a Resource, exponential gaps and services).
Prints customers per second for both and their ratio (target: 0.9 or more),
then the peak memory of the library at 200,000 and 2,000,000 customers, each
measured in a fresh process (target: no growth with the number of customers).

A second case is skills-based routing: three call types, two staff groups,
one type overflowing to the second group after 30 s, callers giving up, run
through ``simulate`` and through the hand-written SimPy model of the same
rules in ``benchmarks/routing_reference.py``; it prints their ratio too.

    .venv/bin/python benchmarks/engine.py            # full run
    .venv/bin/python benchmarks/engine.py --quick    # 20,000 customers, for a smoke test
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import time

import numpy as np
import simpy

import blueprint
from simulate.engine.model import simulate_once

try:  # run as a script (benchmarks/ on the path) or imported as benchmarks.engine
    from routing_reference import design_blueprint, simulate_reference, three_types
except ImportError:
    from benchmarks.routing_reference import design_blueprint, simulate_reference, three_types

LAM_PER_MIN = 9.5
SERVERS = 10


def mmc_blueprint() -> blueprint.Blueprint:
    bp = blueprint.Blueprint("M/M/10")
    call = bp.customer("Call")
    serve = bp.onstage("Serve", role="agent", duration="exp(1 min)")
    call >> serve
    bp.role("agent", staffing=SERVERS)
    bp.arrive(call, rate=f"{LAM_PER_MIN} per min")
    return bp


def library(n: int, seed: int = 1) -> float:
    """Seconds to simulate about ``n`` customers with the library."""
    bp = mmc_blueprint()
    horizon = n / (LAM_PER_MIN / 60)
    t = time.perf_counter()
    rep = simulate_once(bp, np.random.SeedSequence(seed), horizon=horizon)
    elapsed = time.perf_counter() - t
    assert rep.journeys.arrivals > 0.9 * n
    return elapsed


def hand_written(n: int, seed: int = 1) -> float:
    """Seconds for the minimal SimPy model, with its wait statistic (a running sum)."""
    env = simpy.Environment()
    servers = simpy.Resource(env, SERVERS)
    rng = random.Random(seed)
    lam, mu = LAM_PER_MIN / 60, 1 / 60
    total_wait = [0.0, 0]

    def customer():  # type: ignore[no-untyped-def]
        arrived = env.now
        with servers.request() as req:
            yield req
            total_wait[0] += env.now - arrived
            total_wait[1] += 1
            yield env.timeout(rng.expovariate(mu))

    def source():  # type: ignore[no-untyped-def]
        for _ in range(n):
            yield env.timeout(rng.expovariate(lam))
            env.process(customer())

    t = time.perf_counter()
    env.process(source())
    env.run()
    return time.perf_counter() - t


def _per_second(design: object) -> float:
    return sum(c.per_hour for c in design.calls) / 3600  # type: ignore[attr-defined]


def library_routed(n: int, seed: int = 1) -> float:
    """Seconds for about ``n`` customers of the three-type routing case with the library."""
    design = three_types()
    bp = design_blueprint(design)
    t = time.perf_counter()
    rep = simulate_once(bp, np.random.SeedSequence(seed), horizon=n / _per_second(design))
    elapsed = time.perf_counter() - t
    assert rep.journeys.arrivals > 0.9 * n
    return elapsed


def reference_routed(n: int, seed: int = 1) -> float:
    """Seconds for the same case in the hand-written SimPy model."""
    design = three_types()
    t = time.perf_counter()
    out = simulate_reference(design, n / _per_second(design), seed)
    elapsed = time.perf_counter() - t
    assert sum(out.arrivals.values()) > 0.9 * n
    return elapsed


def peak_memory_mb(n: int) -> float:
    """Peak resident memory of a fresh process simulating ``n`` customers."""
    code = (
        f"import resource, benchmarks.engine as b; b.library({n}); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    quick = "--quick" in sys.argv
    n = 20_000 if quick else 200_000
    rounds = 1 if quick else 3
    lib, ref = [], []
    for r in range(rounds):  # interleaved, best of each, so both see the same machine
        ref.append(hand_written(n, seed=r + 1))
        lib.append(library(n, seed=r + 1))
    lib_rate, ref_rate = n / min(lib), n / min(ref)
    print(f"M/M/{SERVERS}, λ = {LAM_PER_MIN}/min, mean service 1 min, {n:,} customers (best of {rounds})")
    print(f"  hand-written SimPy : {ref_rate:>10,.0f} customers/s")
    print(f"  simulate (library) : {lib_rate:>10,.0f} customers/s")
    ratio = lib_rate / ref_rate
    print(f"  ratio              : {ratio:>10.2f}  (target ≥ 0.9: {'met' if ratio >= 0.9 else 'NOT met'})")
    lib_r, ref_r = [], []
    for r in range(rounds):
        ref_r.append(reference_routed(n, seed=r + 1))
        lib_r.append(library_routed(n, seed=r + 1))
    print(f"skills-based routing: 3 call types, 2 groups, overflow after 30 s, patience; {n:,} customers (best of {rounds})")
    print(f"  hand-written SimPy : {n / min(ref_r):>10,.0f} customers/s")
    print(f"  simulate (library) : {n / min(lib_r):>10,.0f} customers/s")
    print(f"  ratio              : {min(ref_r) / min(lib_r):>10.2f}")
    if not quick:
        small, large = peak_memory_mb(200_000), peak_memory_mb(2_000_000)
        print(f"  peak memory        : {small:,.0f} MB at 200,000 customers, {large:,.0f} MB at 2,000,000")
        print(f"  growth             : {large / small:.2f}× for 10× the customers (flat is ≈1)")
    print(f"  peak memory here   : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
