"""Staffing: queueing formulas, staff requirements per interval, shift plans and the closed loop.

- ``erlang``: Erlang B and C (and the notation of every formula); ``erlang_a``: Erlang A
  (callers who give up); ``mmck``: M/M/c/K (a finite waiting room); ``agents``: ``agents_for``,
  the least agents per interval; ``inputs``: the argument checks and service-level definitions;
- ``requirements``: staff per role and interval from the flows (SIPP, lag-SIPP) or by simulation;
  ``table``: the table it returns (``Requirements``, a DataFrame whose settings live in ``attrs``);
- ``shifts/``: shift templates and the cheapest shift plan that covers a requirement (HiGHS), one
  module per concept (templates, calendar, program, decompose, diagnose, plan, surplus, greedy);
- ``optimize``: the closed loop (``optimize_staffing``, the plan it returns) and the spreadsheet method;
  ``search``: its three phases (raise only on evidence, give back, trim single shifts; on common random numbers);
  ``pooled``: targets per interval, hour, day or week judged on calls pooled over replications;
  ``verify``: the check on held-out seeds with replications added until every period is called;
  ``misses``: the per-interval rule the before/after report counts;
- ``headline``: the numbers before against after (cost, paid hours, intervals below target, service
  level with intervals) and the before/after table; ``report``: the HTML report.

>>> from simulate.staffing import erlang_c
>>> round(erlang_c(arrival_rate=100 / 1800, handle_time=180, agents=14).service_level(20), 3)
0.888
"""

from simulate.staffing.agents import TIE_TOLERANCE, StaffingTieWarning, agents_for
from simulate.staffing.erlang import ErlangCResult, erlang_b, erlang_c
from simulate.staffing.erlang_a import ErlangAResult, erlang_a
from simulate.staffing.headline import Headline, headline
from simulate.staffing.mmck import MMcKResult, mmck
from simulate.staffing.optimize import StaffingPlan, load_role_templates, optimize_staffing, spreadsheet_staffing
from simulate.staffing.pooled import pooled_figures
from simulate.staffing.report import before_after, format_before_after, html_report
from simulate.staffing.requirements import RoleLoad, requirements, role_loads
from simulate.staffing.shifts import (
    BreakRule,
    InfeasibleShiftsError,
    ShiftPlan,
    ShiftTemplate,
    ShiftTemplates,
    as_templates,
    explain_surplus,
    greedy_shifts,
    load_templates,
    schedule_shifts,
)
from simulate.staffing.table import Requirements, RequirementSettings
from simulate.staffing.verify import Verification, verify

__all__ = [
    "TIE_TOLERANCE", "BreakRule", "ErlangAResult", "ErlangCResult", "InfeasibleShiftsError", "MMcKResult",
    "Headline", "RequirementSettings", "Requirements", "RoleLoad", "ShiftPlan", "ShiftTemplate", "ShiftTemplates", "StaffingPlan", "StaffingTieWarning", "Verification",
    "agents_for", "as_templates", "before_after", "erlang_a", "erlang_b", "erlang_c", "explain_surplus", "format_before_after",
    "greedy_shifts", "headline", "html_report",
    "load_role_templates", "load_templates", "mmck", "optimize_staffing", "pooled_figures", "requirements", "role_loads",
    "schedule_shifts", "spreadsheet_staffing", "verify",
]
