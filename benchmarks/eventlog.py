"""The event log's speed: building its table and writing CSV, Parquet and XES, against pandas' own
``DataFrame.to_csv`` of the same table in the same run.

The contact centre is run for a week, three replications, with the event log on
(about 159,000 step instances, the size of the run in issue 13, where building
the table took 17 s and writing XES 85 s). Prints the seconds per 100,000 events
of each stage (best of three) and each writer's time as a multiple of
``DataFrame.to_csv`` writing the same table to a file (1.0 is as fast as pandas'
CSV writer; the table is built once and then kept by ``Results.events``).

    .venv/bin/python benchmarks/eventlog.py            # full run
    .venv/bin/python benchmarks/eventlog.py --quick    # one day, one replication, for a smoke test
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import blueprint
import simulate
from simulate.eventlog import event_table, save_events


def best(fn: Callable[[], object], rounds: int) -> float:
    """The shortest of ``rounds`` timings of ``fn`` (s)."""
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    quick = "--quick" in sys.argv
    days, replications, rounds = (1, 1, 1) if quick else (7, 3, 3)
    bp = blueprint.load("examples/contact_center.yaml")
    results = simulate.run(bp, days=days, replications=replications, seed=1, record_events=True, progress=False)
    reps = results.replications
    table = event_table(reps)
    n = len(table)
    per = 100_000 / n
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        pandas_csv = best(lambda: table.to_csv(out / "pandas.csv", index=False), rounds)
        stages = {
            "build the table": best(lambda: event_table(reps), rounds),
            "write CSV": best(lambda: save_events(table, out / "log.csv"), rounds),
            "write Parquet": best(lambda: save_events(table, out / "log.parquet"), rounds),
            "write XES": best(lambda: save_events(table, out / "log.xes"), rounds),
        }
        sizes = {s: (out / f"log.{s}").stat().st_size / 1e6 for s in ("csv", "parquet", "xes")}
    print(f"contact centre, {days} day(s) × {replications} replication(s): {n:,} events (best of {rounds})")
    print(f"  {'DataFrame.to_csv':<18}: {pandas_csv * per:>7.3f} s per 100,000 events  (reference, 1.00)")
    for name, seconds in stages.items():
        print(f"  {name:<18}: {seconds * per:>7.3f} s per 100,000 events  ({seconds / pandas_csv:.2f} × to_csv)")
    print("  file sizes        : " + ", ".join(f"{s} {mb:,.1f} MB" for s, mb in sizes.items()))
    cached = best(lambda: results.events, rounds)
    print(f"  Results.events    : {cached * 1000:>7.1f} ms a call once built (a copy of the kept table)")


if __name__ == "__main__":
    main()
