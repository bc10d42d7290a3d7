"""Draw every example next to its YAML file, as SVG and PNG, so reviewers see them without running anything.

Each is drawn with as many steps a row as fit (at most 7) in 1600 points: on a 1600-pixel slide a point is
then at least a pixel, so the smallest text (9 pt) is at least 9 px. Run through scripts/render_examples.sh.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import blueprint

ROOT = Path(__file__).resolve().parent.parent
#: The width of a slide in pixels, and the most steps a row.
SLIDE = 1600.0
MOST = 7


def width_of(svg: str) -> float:
    m = re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) [\d.]+"', svg)
    if m is None:
        raise ValueError("the SVG has no viewBox")
    return float(m.group(1))


def columns_that_fit(bp: blueprint.Blueprint) -> int:
    """The most steps a row (up to :data:`MOST`) whose drawing is at most :data:`SLIDE` points wide."""
    for n in range(MOST, 1, -1):
        if width_of(bp.render(max_columns=n).svg) <= SLIDE:
            return n
    return 1


def main() -> None:
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        if "." in path.stem:  # companion files (name.scenarios.yaml, name.shifts.yaml) are not blueprints
            continue
        bp = blueprint.load(path)
        n = columns_that_fit(bp)
        for suffix in (".svg", ".png"):
            bp.render(max_columns=n).save(path.with_suffix(suffix))
        print(f"{path.relative_to(ROOT)}: {n} steps a row", file=sys.stderr)


if __name__ == "__main__":
    main()
