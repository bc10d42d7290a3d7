"""How long a blueprint takes to draw as it grows, and how often its arrows cross.

1. **Time.** Builds journeys of 60, 120, 240 and 300 steps (copies of the 60-step
   blueprint of the tests, chained; 300 steps have 299 flows, about the most arrows a
   diagram draws, 300), draws each with ``Blueprint.render()`` (our
   grid router and label placer, then Graphviz only writing the geometry) and, as
   the reference measured in the same run, lays out the same steps and flows with
   plain ``dot`` (no lanes, no lines, no labels). Prints seconds, the ratio to
   plain ``dot``, and the growth factor per doubling of the journey (2.0 is
   linear). Target (issue 14): 240 steps in under 2 s on 2 cores, growth roughly
   linear.
2. **Crossings.** For each example, the arrow crossings in today's drawing against
   the Graphviz spline drawing the project shipped before its own router (read from
   git history, commit ``a7611c9~1``), both counted by
   :func:`blueprint.diagram.check.arrow_crossings`. Target: never more than before.

    .venv/bin/python benchmarks/render.py
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import graphviz

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_render import sixty_steps  # noqa: E402

import blueprint  # noqa: E402
from blueprint.diagram.check import arrow_crossings, check_svg  # noqa: E402

EXAMPLES = ("coffee_shop", "contact_center", "clinic", "hotel")
#: The last commit whose example drawings came from Graphviz's spline router.
OLD_DRAWINGS = "a7611c9~1"


def grow(n_copies: int) -> blueprint.Blueprint:
    """``n_copies`` of the 60-step journey, one after the other."""
    base = sixty_steps()
    bp = blueprint.Blueprint(f"{len(base.steps) * n_copies} steps")
    for k in range(n_copies):
        for s in base.steps:
            bp.steps.append(s.model_copy(update={"id": f"{s.id}_{k}"}))
        for f in base.flows:
            bp.flows.append(f.model_copy(update={"source": f"{f.source}_{k}", "target": f"{f.target}_{k}"}))
        if k:
            bp.flow(f"{base.steps[-1].id}_{k - 1}", f"{base.steps[0].id}_{k}")
    bp.roles = list(base.roles)
    bp.arrive(f"{base.steps[0].id}_0", rate="10 per h")
    return bp


def plain_dot(bp: blueprint.Blueprint) -> str:
    g = graphviz.Digraph(graph_attr={"rankdir": "LR"})
    for s in bp.steps:
        g.node(s.id, s.label, shape="box")
    for f in bp.flows:
        g.edge(f.source, f.target)
    return g.pipe(format="svg").decode()


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def timing() -> None:
    print(f"{'steps':>6} {'render (s)':>11} {'plain dot (s)':>14} {'ratio':>7} {'x per doubling':>15}")
    previous: tuple[int, float] | None = None
    at_240: float | None = None
    for copies in (1, 2, 4, 5):
        bp = grow(copies)
        ours = best_of(lambda bp=bp: bp.render().svg)  # type: ignore[misc]
        ref = best_of(lambda bp=bp: plain_dot(bp))  # type: ignore[misc]
        # the growth over the last size, per doubling of the steps (2.0: linear)
        growth = f"{(ours / previous[1]) ** (math.log(2) / math.log(copies / previous[0])):>15.2f}" if previous else f"{'':>15}"
        print(f"{len(bp.steps):>6} {ours:>11.3f} {ref:>14.3f} {ours / ref:>7.2f} {growth}")
        previous = (copies, ours)
        if len(bp.steps) == 240:
            at_240 = ours
    if at_240 is not None:
        print(f"240 steps in under 2 s: {'meets' if at_240 < 2.0 else 'MISSES'} ({at_240:.2f} s)")


def old_drawing(name: str) -> str | None:
    """The example's SVG as Graphviz's spline router drew it, or None outside a git checkout."""
    try:
        done = subprocess.run(["git", "show", f"{OLD_DRAWINGS}:examples/{name}.svg"], cwd=ROOT,
                              capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.decode()


def crossings() -> None:
    print()
    print(f"{'example':<16} {'crossings before':>17} {'now':>5} {'now, 7 columns':>15} {'overlaps now':>13}")
    worse = []
    for name in EXAMPLES:
        bp = blueprint.load(ROOT / "examples" / f"{name}.yaml")
        svg = bp.render().svg
        now = arrow_crossings(svg)
        wrapped = arrow_crossings(bp.render(max_columns=7).svg)
        old = old_drawing(name)
        before = arrow_crossings(old) if old is not None else None
        print(f"{name:<16} {before if before is not None else 'n/a':>17} {now:>5} {wrapped:>15} {len(check_svg(svg)):>13}")
        if before is not None and now > before:
            worse.append(name)
    print("no example crosses more than before" if not worse else f"MORE crossings than before: {', '.join(worse)}")


def main() -> None:
    timing()
    crossings()


if __name__ == "__main__":
    main()
