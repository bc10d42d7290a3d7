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

from .compare import Comparison, compare, paired_differences
from .engine import Replication, simulate_once
from .failpoints import FailPoints, fail_points, plus_one
from .optimize import StaffingPlan, load_role_templates, optimize_staffing, spreadsheet_staffing
from .report import before_after, format_before_after, html_report
from .requirements import Requirements, requirements, role_loads
from .results import Results, mean_ci
from .run import run
from .scenarios import Scenario, ScenarioError, load_scenarios
from .shifts import (
    BreakRule,
    InfeasibleShiftsError,
    ShiftPlan,
    ShiftTemplate,
    ShiftTemplates,
    greedy_shifts,
    load_templates,
    schedule_shifts,
)
from .staffing import StaffingTieWarning, agents_for, erlang_a, erlang_b, erlang_c, mmck

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
    "Replication",
    "Requirements",
    "Results",
    "ShiftPlan",
    "ShiftTemplate",
    "ShiftTemplates",
    "StaffingPlan",
    "StaffingTieWarning",
    "agents_for",
    "before_after",
    "format_before_after",
    "html_report",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "fail_points",
    "greedy_shifts",
    "load_role_templates",
    "load_templates",
    "mean_ci",
    "mmck",
    "optimize_staffing",
    "plus_one",
    "requirements",
    "role_loads",
    "run",
    "schedule_shifts",
    "simulate_once",
    "spreadsheet_staffing",
]
