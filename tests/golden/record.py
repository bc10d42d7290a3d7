"""Figures of the contact centre on fixed seeds, recorded before ``simulate/`` was laid out anew.

``python -m tests.golden.record`` writes ``contact_center.json`` beside this file;
``tests/test_golden.py`` recomputes every figure and compares. Only run it again when a
change is *meant* to alter the numbers, and say so in the commit.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BLUEPRINT = ROOT / "examples" / "contact_center.yaml"
TEMPLATES = ROOT / "examples" / "contact_center.shifts.yaml"
SCENARIOS = ROOT / "examples" / "contact_center.scenarios.yaml"


def plain(value: Any) -> Any:
    """A JSON-able copy of a table cell (tuples become lists, times ISO text, NaN stays NaN)."""
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


def table(df: pd.DataFrame) -> dict[str, Any]:
    df = pd.DataFrame(df)
    return {
        "index": [plain(i) for i in df.index],
        "columns": [str(c) for c in df.columns],
        "data": [[plain(v) for v in row] for row in df.itertuples(index=False, name=None)],
    }


def figures() -> dict[str, Any]:
    """Every figure the golden test compares, computed afresh."""
    import blueprint
    import simulate

    bp = blueprint.load(BLUEPRINT)
    out: dict[str, Any] = {}
    results = simulate.run(bp, days=1, replications=10, seed=2026, executor="serial", progress=False)
    out["run.summary"] = table(results.summary())
    out["run.steps"] = table(results.steps())
    out["run.staff"] = table(results.staff())
    for role in ("first_line", "specialist"):
        out[f"run.roles.{role}"] = table(results.roles(role))
    found = results.fail_points()
    cols = ["kind", "step", "role", "window", "start", "end", "severity", "affected_per_day", "measure", "value",
            "ci_low", "ci_high", "declared", "status", "finding", "what_if"]
    out["fail_points"] = table(pd.DataFrame(found)[cols])
    for method in ("sipp", "lag-sipp"):
        out[f"requirements.{method}"] = table(pd.DataFrame(simulate.requirements(bp, method=method)))
    plan = simulate.optimize_staffing(bp, templates=str(TEMPLATES), seed=2026, executor="serial")
    out["optimize.summary"] = table(plan.summary())
    out["optimize.cost"] = plain(plan.cost)
    out["spreadsheet.summary"] = table(simulate.spreadsheet_staffing(bp, templates=str(TEMPLATES), seed=2026, executor="serial").summary())
    c = simulate.compare(bp, str(SCENARIOS), replications=4, days=1, seed=2026, executor="serial", progress=False)
    out["compare.table"] = table(c.table())
    out["compare.differences"] = table(c.differences())
    return out


if __name__ == "__main__":
    path = HERE / "contact_center.json"
    if path.exists() and "--force" not in sys.argv:
        sys.exit(f"{path} exists; pass --force to record it again")
    path.write_text(json.dumps(figures(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {path}")
