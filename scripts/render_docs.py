"""Draw the figures the README shows (docs/*.png) from the flagship, with its seed.

    .venv/bin/python scripts/render_docs.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import blueprint  # noqa: E402
import simulate  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"
SEED = 2026


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    bp = blueprint.load("examples/contact_center.yaml")
    results = simulate.run(bp, days=1, replications=10, seed=SEED, progress=False)
    found = results.fail_points(what_if=2)
    found.render().save(DOCS / "contact_center_fail_points.png")
    plan = simulate.optimize_staffing(bp, templates="examples/contact_center.shifts.yaml", seed=SEED)
    plan.plot("first_line").savefig(DOCS / "contact_center_shift_plan.png", dpi=110, bbox_inches="tight")
    print("\n".join(found.sentences(top=5)))
    print(plan)


if __name__ == "__main__":
    main()
