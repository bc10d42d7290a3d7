"""Simulation of service blueprints (SimPy): the same model that is drawn is the one that runs.

One capability per folder: ``engine`` (the simulator), ``run`` (replications),
``results``, ``failpoints``, ``staffing`` (queueing formulas, staff per
interval, shift plans, the closed loop), ``scenarios`` (what-ifs and
``compare``), ``storage`` (saving runs).

This module is a lazy façade (PEP 562): ``import simulate`` loads none of the
packages above, nor pandas, SciPy or matplotlib. Each name in ``__all__`` is
imported from its home the first time it is read (``simulate.run``,
``from simulate import erlang_c``), and so is each subpackage
(``simulate.staffing``). Type checkers and editors see the names through the
``TYPE_CHECKING`` imports below.

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/coffee_shop.yaml")
>>> results = simulate.run(bp, days=1, replications=2, seed=7)
>>> results.seed
7
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulate.failpoints import FailPoints, fail_points, plus_one
    from simulate.results import Results
    from simulate.run import run
    from simulate.scenarios import Comparison, Scenario, ScenarioError, compare, load_scenarios, paired_differences
    from simulate.staffing import (
        BreakRule,
        InfeasibleShiftsError,
        Requirements,
        ShiftPlan,
        ShiftTemplate,
        ShiftTemplates,
        StaffingPlan,
        StaffingTieWarning,
        Verification,
        agents_for,
        before_after,
        erlang_a,
        erlang_b,
        erlang_c,
        greedy_shifts,
        headline,
        html_report,
        load_role_templates,
        load_templates,
        mmck,
        optimize_staffing,
        requirements,
        role_loads,
        schedule_shifts,
        spreadsheet_staffing,
        verify,
    )
    from simulate.work import WorkEstimate, WorkLimitError, estimate_work

# Each public name and the module it is imported from on first use.
_HOMES: dict[str, str] = {
    **dict.fromkeys(["FailPoints", "fail_points", "plus_one"], "simulate.failpoints"),
    "Results": "simulate.results",
    "run": "simulate.run",
    **dict.fromkeys(["WorkEstimate", "WorkLimitError", "estimate_work"], "simulate.work"),
    **dict.fromkeys(
        ["Comparison", "Scenario", "ScenarioError", "compare", "load_scenarios", "paired_differences"],
        "simulate.scenarios",
    ),
    **dict.fromkeys(
        [
            "BreakRule", "InfeasibleShiftsError", "Requirements", "ShiftPlan", "ShiftTemplate", "ShiftTemplates",
            "StaffingPlan", "StaffingTieWarning", "agents_for", "before_after", "erlang_a", "erlang_b", "erlang_c",
            "greedy_shifts", "headline", "html_report", "load_role_templates", "load_templates", "mmck", "optimize_staffing",
            "requirements", "role_loads", "schedule_shifts", "spreadsheet_staffing", "Verification", "verify",
        ],
        "simulate.staffing",
    ),
}

__all__ = [
    "BreakRule",
    "Comparison",
    "FailPoints",
    "InfeasibleShiftsError",
    "Requirements",
    "Results",
    "Scenario",
    "ScenarioError",
    "ShiftPlan",
    "ShiftTemplate",
    "ShiftTemplates",
    "StaffingPlan",
    "StaffingTieWarning",
    "Verification",
    "WorkEstimate",
    "WorkLimitError",
    "agents_for",
    "before_after",
    "compare",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "estimate_work",
    "fail_points",
    "greedy_shifts",
    "headline",
    "html_report",
    "load_role_templates",
    "load_scenarios",
    "load_templates",
    "mmck",
    "optimize_staffing",
    "paired_differences",
    "plus_one",
    "requirements",
    "role_loads",
    "run",
    "schedule_shifts",
    "spreadsheet_staffing",
    "verify",
]


def __getattr__(name: str) -> object:
    """Import a public name from its home, or a subpackage, the first time it is read."""
    home = _HOMES.get(name)
    if home is not None:
        value = getattr(importlib.import_module(home), name)
    elif not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later reads find it without calling this again
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Facade(types.ModuleType):
    """The module's class: keeps ``simulate.run`` the function when ``simulate/run.py`` is first imported.

    Importing a submodule binds it on its package (``simulate.run = <module simulate.run>``); for a
    name that this façade exports as something else, that binding is skipped, and the name is
    resolved by ``__getattr__`` instead. ``sys.modules["simulate.run"]`` is the module, as always.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in _HOMES and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Facade
