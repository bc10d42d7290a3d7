"""The benchmarks still run as the README says (a quick pass of each): a script that stops half way is found here,
not when someone re-runs it. No figure is judged: timings belong to the benchmarks, not to the tests.

``benchmarks/staffing.py`` is left out: even its quick pass runs optimisations for minutes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.xdist_group("benchmarks")  # one after the other: each measures the machine

CASES = {
    "engine.py --quick": ["hand-written SimPy", "simulate (library)", "ratio", "peak memory here"],
    "eventlog.py --quick": ["DataFrame.to_csv", "write Parquet", "write XES"],
    "parallel.py --quick": ["serial", "process pool", "speed-up", "identical    : yes"],
    "render.py": ["240 steps in under 2 s", "crossings before"],
    "imports.py --repeat 1": ["import blueprint", "from simulate import run", "blueprint --help"],
}


@pytest.mark.parametrize("command", list(CASES))
def test_the_benchmark_runs_to_its_end(command: str) -> None:
    script, *args = command.split()
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    missing = [line for line in CASES[command] if line not in done.stdout]
    assert not missing, f"{command} printed no {missing}:\n{done.stdout[-3000:]}"
