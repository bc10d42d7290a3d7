"""The process pool's speed-up over a serial run on this machine's cores, in the same run.

The same work (replications of one day of the contact-centre example, the
flagship) runs one replication after the other and then in the process pool
that ``simulate.run`` starts by default (one worker per CPU, created and shut
down inside the call), interleaved, best of each, after one unmeasured
replication (the first run in a process loads the engine and pandas). Prints replications per
second for both, the speed-up and its efficiency (speed-up / workers), and
checks that both give identical numbers.

    .venv/bin/python benchmarks/parallel.py            # full run
    .venv/bin/python benchmarks/parallel.py --quick    # fewer replications, for a smoke test
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import time

import blueprint
import simulate
from simulate.executors import cpu_count

EXAMPLE = "examples/contact_center.yaml"


def timed(bp: blueprint.Blueprint, replications: int, executor: str) -> tuple[float, simulate.Results]:
    """Seconds for one run of ``replications`` replications, and its results."""
    t = time.perf_counter()
    results = simulate.run(bp, days=1, replications=replications, seed=2026, executor=executor, progress=False)
    return time.perf_counter() - t, results


def _same(a: object, b: object) -> bool:
    """Equal, NaN equal to NaN."""
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        return all(_same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def main() -> None:
    quick = "--quick" in sys.argv
    cores = cpu_count()
    load_before = os.getloadavg()[0]
    replications = max(4, 2 * cores) if quick else max(24, 8 * cores)
    rounds = 1 if quick else 3
    bp = blueprint.load(EXAMPLE)
    timed(bp, 1, "serial")  # unmeasured: the first run loads the engine, pandas and the example's caches
    serial, pool = [], []
    for _ in range(rounds):  # interleaved, best of each, so both see the same machine
        s, a = timed(bp, replications, "serial")
        p, b = timed(bp, replications, "processes")
        serial.append(s)
        pool.append(p)
    identical = all(
        _same(getattr(x, k), getattr(y, k))
        for x, y in zip(a.replications, b.replications)
        for k in ("journeys", "steps", "roles", "role_totals")
    )
    workers = min(cores, replications)
    speedup = min(serial) / min(pool)
    print(f"{bp.name}: {replications} replications of 1 day, {cores} CPU(s) (best of {rounds})")
    print(f"  serial       : {min(serial):>7.2f} s  {replications / min(serial):>7.1f} replications/s")
    print(f"  process pool : {min(pool):>7.2f} s  {replications / min(pool):>7.1f} replications/s  ({workers} workers)")
    print(f"  speed-up     : {speedup:>7.2f}×  (efficiency {speedup / workers:.0%} of {workers} workers)")
    print(f"  identical    : {'yes' if identical else 'NO'}")
    if load_before > 0.5:
        print(f"  note         : other work kept the machine busy (load average {load_before:.1f} on {cores} CPUs "
              "before the run); the speed-up is understated")


if __name__ == "__main__":
    main()
