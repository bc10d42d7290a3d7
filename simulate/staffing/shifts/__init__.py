"""Shift plans: the cheapest set of shifts, with their breaks, that covers a staffing requirement.

A planner knows how many staff must be on duty in every interval (from an
Erlang calculation or from a simulation) and buys staff in *shifts*: a start
time, a length and breaks. :func:`schedule_shifts` chooses how many staff
start which :class:`ShiftTemplate` at which time, and when each takes their
breaks, so that every interval is covered at the least paid hours, headcount
or cost. The answer is a :class:`ShiftPlan`; ``plan.to_staffing()`` turns it
into the ``staffing`` of a blueprint role, so the plan can be simulated.

>>> templates = ShiftTemplates(templates=[
...     {"name": "day", "earliest_start": "07:00", "latest_start": "10:00", "length": "8 h",
...      "breaks": [{"length": "30 min", "earliest": "3 h", "latest": "4 h"}]},
...     {"name": "peak", "earliest_start": "09:00", "latest_start": "13:00", "length": "4 h"}])
>>> required = [0] * 32 + [3] * 8 + [5] * 16 + [3] * 12 + [0] * 28      # 96 × 15 min
>>> plan = schedule_shifts(required, templates)
>>> plan.status, int(plan.coverage["shortfall"].sum())
('optimal', 0)
>>> plan.to_staffing().kind
'shifts'

**Time.** The requirement is one value per interval (15 minutes, say) over a
day or a week. A whole day (96 × 15 min) or a whole week (672 × 15 min) is
*cyclic* by default: the horizon wraps, so a night shift that starts at 22:00
covers the early morning of the same day (a day plan is the same every day)
or, in a week, a shift that starts on Sunday at 22:00 covers Monday 00:00 to
06:00. A shorter horizon (07:00 to 21:00, say) is not cyclic: every shift must
start and end inside it.

**Model** (``program``). Shift starts are integer variables ``x[template, start]``. Breaks
use the implicit formulation of Bechtold and Jacobs (1990): instead of one
variable per shift *and* break position, each (template, break) pair has one
integer variable ``b[t]`` per time a break can start, and a FIFO queue of
shifts waiting for that break links them: shifts join the queue when their
break window opens, ``b[t]`` breaks are taken from it at ``t``, and no shift
may still be waiting when its window closes. Because every shift of a
template has the same window relative to its start, windows are first-in
first-out and these forward/backward conditions are exactly Hall's condition
for matching breaks to shifts. The model is thus as strong as the explicit
set-covering model (the same LP bound) and many times smaller, and the
breaks are given back to individual shifts afterwards by that FIFO matching,
which is checked against the requirement before a plan is returned.

**Solving** (``plan``, ``decompose``). Up to a day the integer program goes to HiGHS
(``scipy.optimize.milp``) whole; it proves its gap. For longer horizons the
LP relaxation is degenerate and slow to branch on, so the week is
decomposed: the LP relaxation of the whole week (interior point) gives the
lower bound; each calendar day is then planned in turn by an LP dive (round
up shift counts, re-solve, repeat; place breaks last), the days before it
fixed; then windows of 6 hours of starts are solved again exactly by HiGHS,
everything else fixed, the windows furthest above the LP first, until the gap
to the LP bound is at most ``mip_gap`` or ``time_limit`` runs out. The gap
reported is always against a proven bound (HiGHS's dual bound, or the LP).
With ``alike`` (classes of days with the same demand) the week goes to HiGHS
whole with each class's days tied, so they get the same shifts at the least
cost (``symmetry``).

See ``benchmarks/staffing.py`` for the speed on a day and a week of a contact
centre.

One concept per module: ``templates`` (the kinds of shift and their file),
``calendar`` (the horizon and the templates laid on its grid), ``program`` (the
integer program, solving it, and the breaks given back to shifts), ``decompose``
(long horizons), ``diagnose`` (infeasible requirements, explained), ``plan``
(:class:`ShiftPlan` and :func:`schedule_shifts`), ``surplus`` (why a plan puts more staff on
duty than required), ``symmetry`` (days with the same demand staffed alike) and ``greedy`` (the baseline).
"""

from simulate.staffing.shifts.diagnose import InfeasibleShiftsError
from simulate.staffing.shifts.greedy import greedy_shifts
from simulate.staffing.shifts.plan import ShiftPlan, schedule_shifts
from simulate.staffing.shifts.surplus import Surplus, explain_surplus, plan_limits
from simulate.staffing.shifts.templates import BreakRule, ShiftTemplate, ShiftTemplates, as_templates, load_templates

__all__ = [
    "BreakRule",
    "InfeasibleShiftsError",
    "ShiftPlan",
    "ShiftTemplate",
    "ShiftTemplates",
    "Surplus",
    "as_templates",
    "explain_surplus",
    "greedy_shifts",
    "load_templates",
    "plan_limits",
    "schedule_shifts",
]
