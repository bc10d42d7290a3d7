"""What ``import blueprint``, ``import simulate`` and ``blueprint --help`` cost, against ``import simpy, numpy``.

Each case runs in a fresh interpreter, several times, with the cases interleaved so that a busy
machine slows them all alike. For each case it prints:

- the time of the case itself, measured inside the child (interpreter start-up excluded), best and
  median over the repeats, and the ratio of the median to that of the reference
  ``import simpy, numpy`` measured in the same run;
- the wall time of the whole process (``python -c ...``, start-up included, as a user or a worker
  process pays it), median, and its ratio to the reference's. The targets apply to this ratio, the
  way the issue measured them: ``import blueprint`` at most 2x, ``import simulate`` at most 3x;
- the peak memory of the process (``ru_maxrss`` of that child, from ``os.wait4``), median, and its
  ratio to the reference;
- which heavy libraries the case loaded (scipy.stats, matplotlib, pyarrow, pandas).

Compiled bytecode is cached (in a temporary ``PYTHONPYCACHEPREFIX``, so the source tree stays clean,
even where ``PYTHONDONTWRITEBYTECODE`` is set) and a first unmeasured round fills the cache: an
installed package has its bytecode, and recompiling the sources on every run would be measured
otherwise. ``import simulate`` alone loads only the lazy façade, so the first use of its main entry
point (``from simulate import run``) is measured too.

``blueprint --help`` runs the installed console script (``.venv/bin/blueprint``) with this
interpreter, so that its modules can be listed; without the script it runs ``blueprint.cli.main``.

    .venv/bin/python benchmarks/imports.py              # 7 repeats
    .venv/bin/python benchmarks/imports.py --repeat 3   # quicker
    .venv/bin/python benchmarks/imports.py --check      # exit 1 when a target is missed (median)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("scipy.stats", "matplotlib", "pyarrow", "pandas")
MARK = "@@imports-benchmark@@"

# Runs inside the child: times the case, then writes the time and the heavy modules it loaded to stderr.
CHILD = f"""
import sys, time
t = time.perf_counter()
try:
    exec(compile(sys.argv[1], "<case>", "exec"), {{"__name__": "__case__"}})
except SystemExit:
    pass
elapsed = time.perf_counter() - t
sys.stdout.flush()
import json
loaded = [m for m in {HEAVY!r} if m in sys.modules]
print({MARK!r} + json.dumps({{"seconds": elapsed, "loaded": loaded}}), file=sys.stderr)
"""


def _help_case() -> str:
    script = Path(sys.executable).with_name("blueprint")
    if script.exists():
        return (f"import runpy, sys; sys.argv = [{str(script)!r}, '--help']; "
                f"runpy.run_path({str(script)!r}, run_name='__main__')")
    return "import sys; sys.argv = ['blueprint', '--help']; from blueprint.cli import main; main()"


REFERENCE = "import simpy, numpy"
TARGETS = {"import blueprint": 2.0, "import simulate": 3.0}


@dataclass
class Case:
    label: str
    code: str
    seconds: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    maxrss_mb: list[float] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)


def cases() -> list[Case]:
    return [
        Case(REFERENCE, REFERENCE),
        Case("import blueprint", "import blueprint"),
        Case("import simulate", "import simulate"),
        Case("from simulate import run", "from simulate import run"),
        Case("blueprint --help", _help_case()),
    ]


def measure_once(case: Case, pycache: str) -> None:
    """Run ``case`` in a fresh interpreter and append its time, wall time and peak memory."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(COLUMNS="100", PYTHONPYCACHEPREFIX=pycache)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, case.code], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    report = [line for line in err.splitlines() if line.startswith(MARK)]
    if proc.returncode or not report:
        raise SystemExit(f"{case.label!r} failed (exit {proc.returncode}):\n{err}")
    data = json.loads(report[-1][len(MARK):])
    case.seconds.append(data["seconds"])
    case.wall.append(wall)
    case.maxrss_mb.append(usage.ru_maxrss / 1024)  # kilobytes on Linux
    case.loaded = data["loaded"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=7, help="fresh processes per case (default 7)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target ratio is missed")
    args = parser.parse_args(argv)

    all_cases = cases()
    with tempfile.TemporaryDirectory(prefix="imports-pycache-") as pycache:
        for case in all_cases:  # one warm-up round: compiled bytecode and the disk cache, not measured
            measure_once(case, pycache)
            for samples in (case.seconds, case.wall, case.maxrss_mb):
                samples.clear()
        for _ in range(args.repeat):
            for case in all_cases:
                measure_once(case, pycache)

    ref = all_cases[0]
    ref_time, ref_wall = statistics.median(ref.seconds), statistics.median(ref.wall)
    ref_mem = statistics.median(ref.maxrss_mb)
    print(f"{args.repeat} fresh processes per case, medians unless 'best'; ratios against {REFERENCE!r}.")
    print("'import s': the case alone; 'wall s': the whole process, interpreter start-up included "
          "(the targets apply to its ratio)")
    print(f"{'case':<26}{'best':>7}{'import s':>10}{'ratio':>7}{'wall s':>8}{'ratio':>7}"
          f"{'peak MB':>9}{'ratio':>7}  loaded")
    missed = []
    for case in all_cases:
        median, wall = statistics.median(case.seconds), statistics.median(case.wall)
        mem = statistics.median(case.maxrss_mb)
        target = TARGETS.get(case.label)
        flag = ""
        if target is not None:
            ok = wall / ref_wall <= target
            flag = f"  [target <= {target:g}x: {'met' if ok else 'MISSED'}]"
            if not ok:
                missed.append(case.label)
        print(f"{case.label:<26}{min(case.seconds):>7.3f}{median:>10.3f}{median / ref_time:>6.2f}x"
              f"{wall:>8.3f}{wall / ref_wall:>6.2f}x{mem:>9.1f}{mem / ref_mem:>6.2f}x  "
              f"{', '.join(case.loaded) or '-'}{flag}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
