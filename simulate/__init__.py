"""Simulation of service blueprints (SimPy): the same model that is drawn is the one that runs.

One topic per module: ``run`` and ``engine`` (the simulator), ``results``,
``failpoints``, ``staffing`` (queueing formulas), ``requirements`` (staff per
interval), ``shifts`` (shift plans), ``optimize`` (the closed loop),
``scenarios`` and ``compare``, ``storage`` (saving runs).

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/coffee_shop.yaml")
>>> results = simulate.run(bp, days=1, replications=2, seed=7)
>>> results.seed
7
"""

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
    agents_for,
    before_after,
    erlang_a,
    erlang_b,
    erlang_c,
    greedy_shifts,
    html_report,
    load_role_templates,
    load_templates,
    mmck,
    optimize_staffing,
    requirements,
    role_loads,
    schedule_shifts,
    spreadsheet_staffing,
)

__all__ = [
    "BreakRule",
    "Comparison",
    "Scenario",
    "ScenarioError",
    "compare",
    "load_scenarios",
    "paired_differences",
    "FailPoints",
    "InfeasibleShiftsError",
    "Requirements",
    "Results",
    "ShiftPlan",
    "ShiftTemplate",
    "ShiftTemplates",
    "StaffingPlan",
    "StaffingTieWarning",
    "agents_for",
    "before_after",
    "html_report",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "fail_points",
    "greedy_shifts",
    "load_role_templates",
    "load_templates",
    "mmck",
    "optimize_staffing",
    "plus_one",
    "requirements",
    "role_loads",
    "run",
    "schedule_shifts",
    "spreadsheet_staffing",
]
