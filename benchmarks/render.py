"""How long a large blueprint takes to draw, against plain Graphviz on the same graph.

Builds the 60-step blueprint of the tests (and larger ones), renders it with
``Blueprint.render()`` (our grid + two Graphviz runs: routing, then drawing) and,
as the reference measured in the same run, lays out the same steps and flows
with plain ``dot`` (no lanes, no lines). Prints seconds and the ratio.

Target (issue 3): the 60-step blueprint in under 2 seconds.

    .venv/bin/python benchmarks/render.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import graphviz

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_render import sixty_steps  # noqa: E402

import blueprint  # noqa: E402


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


def best_of(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    print(f"{'steps':>6} {'render (s)':>11} {'plain dot (s)':>14} {'ratio':>7}")
    for copies in (1, 2, 4):
        bp = grow(copies)
        ours = best_of(lambda bp=bp: bp.render().svg)
        ref = best_of(lambda bp=bp: plain_dot(bp))
        print(f"{len(bp.steps):>6} {ours:>11.3f} {ref:>14.3f} {ours / ref:>7.2f}")
        if copies == 1:
            verdict = "meets" if ours < 2.0 else "MISSES"
            print(f"       60-step target: under 2 s -> {verdict}")


if __name__ == "__main__":
    main()
