"""Closing the loop: requirements → shift plan → simulation → raise what misses → again.

:func:`optimize_staffing` finds the staff each role needs per interval
(:func:`simulate.requirements`), buys the cheapest shifts that cover it
(:func:`simulate.staffing.shifts.schedule_shifts`), simulates the blueprint with those
shifts, and where an interval misses its target in simulation raises that
interval's requirement above what the plan put on duty there, until every
interval meets its target or the rounds run out. The simulation sees the whole
journey (abandonment, call-backs, transfers, queues carried from one interval
into the next), which a per-interval formula cannot.

:func:`spreadsheet_staffing` is the method it is measured against: Erlang C
per interval (no abandonment, no network effects), then the same shift solver,
then the same simulation to see what service that plan really gives.

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> plan = simulate.optimize_staffing(bp, templates="examples/contact_center.shifts.yaml",
...                                   replications=5, seed=1)          # doctest: +SKIP
>>> plan.summary()                                                       # doctest: +SKIP
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd

from blueprint import Blueprint, Target
from blueprint.files import read_data, read_text_file
from blueprint.numbers import Kind, fmt, listing, money, number
from blueprint.staffing import DAY
from simulate.executors import ExecutorChoice
from simulate.results import Results, interval_columns
from simulate.run import resolve_seed, run
from simulate.staffing.groups import lowest_service
from simulate.staffing.misses import COLUMNS as MISS_COLUMNS
from simulate.staffing.misses import count_intervals
from simulate.staffing.misses import misses as find_misses
from simulate.staffing.pooled import check_level, leaning
from simulate.staffing.requirements import Method, Requirements, mean_patience, requirements
from simulate.staffing.search import Search
from simulate.staffing.shifts import InfeasibleShiftsError, ShiftPlan, ShiftTemplates, as_templates, schedule_shifts
from simulate.staffing.shifts.program import Objective
from simulate.staffing.shifts.templates import TemplateError, TemplatesLike
from simulate.staffing.verify import AFTER_HOURS, Verification, closed_intervals
from simulate.staffing.verify import verify as check

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from numpy.typing import NDArray

__all__ = ["StaffingPlan", "load_role_templates", "optimize_staffing", "spreadsheet_staffing"]


def load_role_templates(path: str | os.PathLike[str]) -> dict[str, ShiftTemplates]:
    """Shift templates per role from a YAML/JSON file: ``{roles: {role: {templates: [...]}}}``.

    A plain templates file (``templates: [...]``, see
    :func:`simulate.staffing.shifts.load_templates`) applies to every role and comes
    back under ``"*"``. Problems raise :class:`~blueprint.BlueprintFileError`
    naming the file, line and field path (``roles.specialist.templates[0].length``).

    >>> sorted(load_role_templates("examples/contact_center.shifts.yaml"))
    ['first_line', 'specialist']
    """
    from pydantic import ValidationError

    from blueprint.errors import BlueprintFileError, Problem, problems_from_pydantic
    from simulate.staffing.shifts import load_templates

    source = str(path)
    text = read_text_file(path, "a shift templates file")
    data, lines = read_data(text, source=source)
    if not (isinstance(data, dict) and "roles" in data):
        return {"*": load_templates(path)}
    roles = data["roles"]
    if not isinstance(roles, dict):
        raise BlueprintFileError([Problem("error", "not-templates", "roles", "expected a mapping of role names to their templates",
                                          source, lines.get(("roles",), 1))], source)
    if not roles:  # a templates file with nothing in it: read, but no use (exit 1)
        raise BlueprintFileError([Problem("error", "invalid-no-roles", "roles", "no role in it: give each role its "
                                          "templates, e.g. roles: {agent: {templates: [...]}}", source, lines.get(("roles",), 1))], source)
    out: dict[str, ShiftTemplates] = {}
    problems: list[Problem] = []
    for name, body in roles.items():
        if isinstance(body, list):
            body = {"templates": body}
        try:
            out[str(name)] = ShiftTemplates.model_validate(body)
            out[str(name)]._origin = (source, lines, ("roles", name))
        except ValidationError as e:
            problems += problems_from_pydantic(e, root=ShiftTemplates, file=source, lines=lines, prefix=("roles", name))
    if problems:
        raise BlueprintFileError(problems, source)
    return out


#: Shift templates for the closed loop: one set for every role (any form :func:`~simulate.staffing.shifts.as_templates`
#: takes, or a file of templates per role, see :func:`load_role_templates`), or a dict ``{role: templates}``.
RoleTemplates: TypeAlias = TemplatesLike | Mapping[str, TemplatesLike]


def _templates_by_role(templates: RoleTemplates, roles: list[str],
                       bp: Blueprint | None = None) -> tuple[dict[str, ShiftTemplates], list[str]]:
    """The templates of each role planned, and the roles or groups templates are given for that the plan does not
    staff (kept at their declared staffing)."""
    if isinstance(templates, (str, os.PathLike)):
        loaded = load_role_templates(templates)
    elif isinstance(templates, dict) and "templates" not in templates:
        loaded = {str(k): as_templates(v) for k, v in templates.items()}
    else:
        loaded = {"*": as_templates(templates)}
    if bp is not None:
        _check_template_roles(loaded, bp)
    out = {}
    for r in roles:
        t = loaded.get(r, loaded.get("*"))
        if t is None:
            message = (f"no shift templates for role {r!r}; templates are given for: {', '.join(sorted(loaded))} "
                       f"(to leave {r!r} at its declared staffing, pass keep=[{r!r}], or --keep {r} on the command line)")
            origin = next((v._origin for v in loaded.values() if v._origin is not None), None)
            if origin is not None:  # read from a file: say so where its roles are
                from blueprint.errors import Problem

                raise TemplateError([Problem("error", "invalid-template", "roles", message, origin[0], origin[1].get(("roles",)))],
                                    origin[0])
            raise ValueError(message)
        out[r] = t
    return out, [name for name in loaded if name != "*" and name not in roles]


def _check_template_roles(loaded: dict[str, ShiftTemplates], bp: Blueprint) -> None:
    """Refuse templates for a name that is no role or staff group of ``bp`` (a misspelling would leave the
    role it meant without templates, or be ignored), or for a role whose staffing is unlimited (nothing to plan)."""
    import difflib

    from blueprint.errors import Problem

    names = list(dict.fromkeys([r.name for r in bp.roles] + [g.name for g in bp.groups]))
    unlimited = {r.name for r in bp.roles if r.staffing is not None and r.staffing.unlimited}
    messages = {}
    for name in loaded:
        if name == "*":
            continue
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
            messages[name] = (f"unknown role {name!r}; " + (f"did you mean {close[0]!r}?" if close else
                                                           f"known: {', '.join(names) or 'none'}"))
        elif name in unlimited:
            messages[name] = f"role {name!r} is unlimited (its staffing is 'unlimited'): it has no shifts to plan; leave it out"
    if not messages:
        return
    origin = next((v._origin for v in loaded.values() if v._origin is not None), None)
    if origin is None:
        raise ValueError("; ".join(messages.values()))
    raise TemplateError([Problem("error", "invalid-template", f"roles.{name}", m, origin[0], origin[1].get(("roles", name)))
                         for name, m in messages.items()], origin[0])


#: The columns of :meth:`StaffingPlan.summary` that hold whole numbers (missing in the rows of kept groups).
_COUNTS = ("shifts", "periods missing target", "periods meeting target", "periods too close to call", "held-out seed",
           "held-out replications")


@dataclass
class StaffingPlan:
    """What :func:`optimize_staffing` (or :func:`spreadsheet_staffing`) found.

    ``plans`` are the shift plans per role, ``blueprint`` the blueprint staffed
    with them, ``results`` the simulation that verifies it, ``requirement`` the
    final staff required per role and interval (after raising missed
    intervals), ``misses`` the intervals still below target (empty when every
    interval meets it), ``rounds`` the history of each round.

    With staff groups (skills-based routing) ``plans`` and ``requirement`` are per planned group,
    ``targets`` and ``misses`` per skill, ``judged`` says which skills judge each group (its
    first-choice skills, :mod:`simulate.staffing.groups`), and :attr:`kept` names the groups kept at
    their declared staffing.
    """

    method: str
    blueprint: Blueprint
    plans: dict[str, ShiftPlan]
    results: Results
    requirement: dict[str, np.ndarray]
    targets: dict[str, Target]
    misses: pd.DataFrame
    rounds: list[dict[str, Any]] = field(default_factory=list)
    interval: float = 900.0
    seed: int = 0
    level: str = "interval"
    min_volume: float = 1.0
    margin: float = 0.0
    search_replications: int = 0
    max_replications: int = 0  # the search's cap on replications (0: not a search)
    after_hours: str = "judge"
    verification: Verification | None = None
    evidence: pd.DataFrame | None = None
    out_of_reach: dict[str, set[int]] = field(default_factory=dict)
    judged: dict[str, list[str]] = field(default_factory=dict)
    kept_roles: list[str] = field(default_factory=list)  # roles left at their declared staffing (``keep``)
    unused_templates: list[str] = field(default_factory=list)  # templates given for staff the plan does not decide

    def skills_of(self, unit: str) -> list[str]:
        """The roles whose targets judge a planned role or group: the role itself, a group's first-choice skills."""
        return self.judged.get(unit, [unit])

    def unit_of(self, role: str) -> str:
        """The planned role or group that staffs ``role`` (a skill's first-choice group)."""
        return next((u for u, rs in self.judged.items() if role in rs), role)

    @property
    def kept(self) -> list[str]:
        """Staff the plan does not decide: staff groups that are no skill's first choice, and roles or groups
        left out with ``keep``. They keep their declared staffing, and the plan counts on them as they are."""
        groups = [g.name for g in self.blueprint.groups if g.name not in self.plans]
        return groups + [r for r in self.kept_roles if r not in groups]

    @property
    def seeds(self) -> tuple[int, ...]:
        """The seeds the search simulated with (replications ``0 .. search_replications-1`` of each):
        a check on them proves nothing, so :func:`simulate.verify` refuses them."""
        return (self.seed,)

    def verify(self, target: Target | dict[str, Any] | None = None, **options: Any) -> Verification:
        """Check the plan on held-out customers (:func:`simulate.verify`, at the plan's ``level`` and
        ``min_volume`` unless given); the result is kept in ``plan.verification`` and its clear
        misses in ``plan.misses``.

        >>> plan.verify(level="hour").summary()   # doctest: +SKIP
        """
        options.setdefault("level", self.level)
        options.setdefault("min_volume", self.min_volume)
        found = check(self, target, **options)
        self.verification = found
        self.misses = self._clear_misses(found.misses())
        return found

    @property
    def cost(self) -> float:
        """Staff cost of the plan: its shifts at their templates' cost per hour where every template
        has one, else paid hours × the role's cost per hour (as the simulation counts it); with the
        cost of the staff groups :attr:`kept` as declared, as simulated."""
        kept = self._kept_total("cost")
        own = [p.cost for p in self.plans.values()]
        if all(math.isfinite(c) for c in own):
            return float(sum(own)) + kept
        return float(np.mean([sum(rep.role_totals[r].cost for r in self.plans) for rep in self.results.replications])) + kept

    @property
    def paid_hours(self) -> float:
        """Paid hours of the plan's shifts, and of the staff groups :attr:`kept` as declared (as simulated)."""
        return float(sum(p.paid_hours for p in self.plans.values())) + self._kept_total("paid_hours")

    def _kept_total(self, what: str) -> float:
        """The groups kept as declared: their simulated ``what`` ("cost" or "paid_hours"), mean per replication."""
        if not self.kept:
            return 0.0
        return float(np.mean([sum(getattr(rep.role_totals[g], what) for g in self.kept) for rep in self.results.replications]))

    def _clear_misses(self, table: pd.DataFrame) -> pd.DataFrame:
        """Rows of a table of judged periods that miss clearly, as a table of misses (one row per figure)."""
        rows = []
        for rec in table[table["verdict"] == "misses"].to_dict(orient="records"):
            role, first = str(rec["role"]), int(rec["first"])
            for figure in ("service_level", "abandonment", "asa"):
                if rec.get(f"{figure}_verdict") == "misses":
                    rows.append({"role": role, "interval": first, "figure": figure,
                                 "simulated": rec[figure], "target": rec[f"{figure}_target"],
                                 "reachable": first not in self.out_of_reach.get(self.unit_of(role), set()),
                                 "period": rec["label"] if rec.get("days", "all") == "all" else f"{rec['days']} {rec['label']}"})
        return pd.DataFrame(rows, columns=[*MISS_COLUMNS, "reachable", "period"])

    @property
    def meets_target(self) -> bool:
        """No period misses the target clearly: on held-out customers when the plan was verified."""
        return len(self.misses) == 0

    def service(self) -> pd.DataFrame:
        """Per role, over the whole run, with 95% intervals: service level, abandonment, occupancy,
        paid hours and cost (from :meth:`Results.staff`); with staff groups, the skills judged, then the
        groups planned and kept."""
        staff = self.results.staff()
        skills = [r for u in self.plans for r in self.skills_of(u) if r not in self.plans]
        return staff.loc[skills + list(self.plans) + self.kept]

    def coverage(self, role: str) -> pd.DataFrame:
        """Per interval (a wide table indexed by ``interval``): ``start``, ``time`` and ``label`` as in
        :meth:`Results.roles`, the requirement, the staff the plan puts on duty, and the service level and
        abandonment simulated, each with ``_ci_low`` and ``_ci_high``. For a staff group the service is that of
        its first-choice skill that fares worst over the run (``skill`` says which)."""
        plan = self.plans[role]
        per = self.results.roles(self._worst(role)).xs(self._worst(role), level="role")
        n = len(self.requirement[role])
        out = per[["start", "time", "label"]].iloc[:n].copy()
        out.insert(3, "required", self.requirement[role][:len(out)])
        out.insert(4, "on_duty", plan.coverage["on_duty"].to_numpy()[:len(out)])
        for figure in ("service_level", "abandonment"):
            for column in interval_columns(figure):
                out[column] = per[column].to_numpy()[:len(out)]
        if role in self.judged and self.judged[role] != [role]:
            out["skill"] = self._worst(role)
        return out

    def _worst(self, unit: str) -> str:
        """Of the roles judging ``unit``, the one with the lowest service level over the run."""
        skills = self.skills_of(unit)
        if len(skills) == 1:
            return skills[0]
        return lowest_service(self.results.staff(), skills)

    def summary(self) -> pd.DataFrame:
        """One row per role: shifts, paid hours, cost, service level and abandonment over the day
        (simulated, with 95% intervals), the target, and what was verified: the target's level, the
        periods that meet it, miss it clearly or are too close to call, and the held-out seed and
        replications they were judged on (from :meth:`verify`; without a verification, the periods
        below target in the search's own simulation).

        With staff groups, a row per planned group: its service figures are those of its first-choice
        skill that fares worst (``skill``), its periods those of all its first-choice skills; then a row
        per group :attr:`kept` at its declared staffing (paid hours and cost as simulated)."""
        rows = []
        staff = (self.verification.results if self.verification is not None and self.verification.results is not None
                 else self.results).staff()
        verified = self.verification.summary() if self.verification is not None else None
        grouped = bool(self.blueprint.groups)
        for role, plan in self.plans.items():
            skills = self.skills_of(role)
            worst = lowest_service(staff, skills)
            rec = staff.loc[worst]
            cost = plan.cost if math.isfinite(plan.cost) else staff.loc[role, "cost"]
            row = {
                "role": role, **({"skill": worst} if grouped else {}),
                "shifts": plan.headcount, "paid_hours": plan.paid_hours, "cost": cost,
                "service_level": rec["service_level"], "service_level_ci_low": rec["service_level_ci_low"],
                "service_level_ci_high": rec["service_level_ci_high"],
                "abandonment": rec["abandonment"], "target": self.targets[worst].service_level,
                "level": self.level,
                "periods missing target": count_intervals(self.misses[self.misses["role"].isin(skills)]) if len(self.misses) else 0,
            }
            mine = [r for r in skills if verified is not None and r in verified.index]
            if verified is not None and mine:
                v = verified.loc[mine]
                row.update({"periods meeting target": int(v["meets"].sum()), "periods too close to call": int(v["close"].sum()),
                            "held-out seed": int(v["seed"].iloc[0]), "held-out replications": int(v["replications"].iloc[0])})
            rows.append(row)
        for g in self.kept:
            rec = staff.loc[g]
            kept = {"role": g, "paid_hours": rec["paid_hours"], "cost": rec["cost"], "level": self.level}
            kept["skill" if grouped else "level"] = "kept as declared"  # no skill column without groups: say it there
            rows.append(kept)
        out = pd.DataFrame(rows).set_index("role")
        for column in _COUNTS:  # whole numbers stay whole where a kept group has none (a 19-digit seed as a float
            if column in out:   # had lost its last digits)
                out[column] = pd.array([r.get(column) for r in rows], dtype="Int64")
        return out

    def plot(self, role: str, ax: Axes | None = None) -> Figure:
        """Coverage against requirement for one role (the shift plan's chart); where the loop raised
        the requirement above the first one, the first is drawn as a dashed line. Returns a matplotlib
        ``Figure`` (made without pyplot, or the figure of ``ax``), so ``.savefig("plan.png")`` follows.

        >>> plan.plot("first_line").savefig("first_line.png")   # doctest: +SKIP
        """
        plan = self.plans[role]
        fig = plan.plot(ax=ax)
        ax = ax if ax is not None else fig.axes[0]
        first = np.asarray(self.rounds[0]["required"][role], dtype=float) if self.rounds else None
        if first is not None and (self.requirement[role] > first).any():
            n = min(len(first), len(plan.coverage))
            hours = np.arange(n) * self.interval / 3600
            ax.step(np.r_[hours, hours[-1] + self.interval / 3600], np.r_[first[:n], first[n - 1]], where="post",
                    color="#555555", lw=1.0, ls="--", label="required before simulation")
            ax.legend(loc="upper left", frameon=False)
        ax.set_title(f"{role}: {plan.headcount} shifts, {plan.paid_hours:,.1f} paid hours — {self.method}")
        return fig

    def _state(self) -> str:
        """What the plan was found to do against the target, and where that was checked."""
        if self.verification is not None:
            v = self.verification
            close = len(v.close())
            core = (f"{count_intervals(self.misses)} {v.level} period(s) miss the target" if len(self.misses) else
                    f"meets the target in every {v.level}" + (f" ({close} at the line)" if close else ""))
            return f"{core} on held-out seed {v.seed} × {v.replications} replications"
        unit = "interval" if self.level == "interval" else f"{self.level} period"
        found = f"meets the target in every {unit}" if self.meets_target else f"{count_intervals(self.misses)} {unit}(s) below target"
        return found + " in its own simulation (not verified on held-out customers; see .verify())"

    def notes(self) -> list[str]:
        """Cautions about the search, in sentences (empty when there is nothing to say): templates given for staff
        the plan keeps as declared (not used); templates whose weekdays (``days``) a one-day plan could not
        apply; templates whose start window runs past midnight for more than 12 hours (``latest_start``
        before ``earliest_start``: most likely swapped); and the search stopped at its cap of replications
        with periods too close to call whose best estimate misses the target. It raises only clear misses,
        so it left them as they were; a larger ``max_replications`` lets it call them.

        >>> plan.notes()     # doctest: +SKIP
        ['The search stopped at its cap of 320 replications with 3 period(s) too close to call ...']
        """
        out = [f"Role {r!r}: template(s) {listing([repr(t) for t in p.weekdays_unused])} may start only on some weekdays "
               "(days:), but a plan for one day stands for every day, so their days were not applied; plan a week "
               "(days=7, --days 7) to use them." for r, p in self.plans.items() if p.weekdays_unused]
        if self.unused_templates:
            out.append(f"Templates are given for {listing([repr(n) for n in self.unused_templates])}, but the plan "
                       "keeps that staff as the blueprint declares it (a staff group that is no skill's first choice, or a "
                       "role kept with keep=), so those templates were not used.")
        out += [f"Role {r!r}: template {t!r} may start from {w}: its latest_start is before its earliest_start, "
                "which runs past midnight; if the starts lie within one day, swap the two."
                for r, p in self.plans.items() for t, w in p.overnight_windows.items()]
        if self.evidence is None or not self.max_replications or self.search_replications < self.max_replications:
            return out
        lean = self.evidence[leaning(self.evidence)]
        if lean.empty:
            return out
        names = [f"{r['role']} {r['label']}" if r.get("days", "all") == "all" else f"{r['role']} {r['days']} {r['label']}"
                 for r in lean.to_dict(orient="records")]
        listed = listing(names, first=6)
        return out + [f"The search stopped at its cap of {self.max_replications} replications with {len(names)} period(s) too close "
                f"to call whose best estimate misses the target ({listed}). It raises only clear misses, so it left them "
                f"as they were; max_replications={2 * self.max_replications} (--max-replications on the command line) "
                "gives it twice the evidence to call them, in about twice the time."]

    def __repr__(self) -> str:
        state = self._state()
        plans = "; ".join(f"{r}: {p.headcount} shifts, {p.paid_hours:,.1f} paid h" for r, p in self.plans.items())
        return f"<StaffingPlan {self.method}: {plans}; cost {self.cost:,.2f}; {state}; {len(self.rounds)} round(s)>"

    def _repr_html_(self) -> str:
        s = self.summary()
        state = self._state()
        notes = "".join(f"<p><b>Note:</b> {html.escape(n)}</p>" for n in self.notes())
        return (f"<div><b>Staffing plan</b>, {html.escape(self.method)}: {html.escape(state)}; "
                f"cost {money(self.cost)}, {number(self.paid_hours)} paid hours, {len(self.rounds)} round(s)"
                f"{_shown(s).to_html()}{notes}</div>")


def _shown(summary: pd.DataFrame) -> pd.DataFrame:
    """The plan's summary as text for display: shares as percentages, cost as money, no ``e+``."""
    out = pd.DataFrame(index=summary.index)
    for column in summary.columns:
        if column == "held-out seed":  # a seed is a label: every digit, no separators (empty for a kept group)
            out[column] = ["" if pd.isna(v) else str(int(v)) for v in summary[column]]
            continue
        if column in ("level", "skill"):
            out[column] = [str(v) for v in summary[column]]
            continue
        kind: Kind = "percent" if column.startswith(("service_level", "abandonment", "target")) else "money" if column == "cost" else "number"
        out[column] = [fmt(v, kind) for v in summary[column]]  # fmt writes a missing value (NaN, pd.NA) as such
    return out


def _reaching(req: Requirements, days: float) -> Requirements:
    """``req``, refused where no customer arrives in the horizon: there is nothing to staff (a plan of no shifts
    had been refused as a blueprint whose role never has anyone on duty)."""
    if not len(req) or not (req["arrival_rate"] > 0).any():
        from simulate.clock import run_window

        raise ValueError(f"days must reach the customers: none arrives in the {days:g}-day horizon{run_window(days)}, "
                         "so there is nothing to staff (the blueprint's arrivals come at other hours or on other days); "
                         "plan at least a day")
    return req


def optimize_staffing(
    blueprint: Blueprint,
    target: Target | dict[str, Any] | None = None,
    templates: RoleTemplates | None = None,
    *,
    method: Method = "lag-sipp",
    objective: Objective = "paid_hours",
    days: float = 1,
    level: str = "interval",
    min_volume: float = 1.0,
    margin: float = 0.01,
    after_hours: str = "judge",
    replications: int = 40,
    max_replications: int = 320,
    precision: float = 0.01,
    seed: int | None = None,
    shrinkage: float = 0.0,
    max_rounds: int = 8,
    give_back: bool = True,
    trim: int = 3,
    verify: bool = True,
    keep: list[str] | tuple[str, ...] = (),
    time_limit: float | None = 60.0,
    executor: ExecutorChoice = None,
) -> StaffingPlan:
    """The cheapest shift plan that meets the target in every period, checked on held-out customers.

    Starts from ``method``'s requirements (lag-SIPP with Erlang A by default; see
    :func:`simulate.requirements`), buys the cheapest shifts for them from ``templates`` (a
    :class:`~simulate.staffing.shifts.ShiftTemplates`, a dict ``{role: templates}``, or a file, see
    :func:`load_role_templates`) minimising ``objective`` ("paid_hours", "headcount" or "cost"),
    and simulates ``days`` days on common random numbers (``replications`` of ``seed`` to start,
    doubled while a period cannot be told apart from the target, up to ``max_replications``).
    It raises only where a period misses clearly, then gives back what the simulation says is
    spare while every period still meets the target with ``margin`` (shares; for ASA a share of
    the target); see :mod:`simulate.staffing.search`. Periods are each ``level`` ("interval",
    "hour", "day", "week"), judged on calls pooled over replications, a period with fewer than
    ``min_volume`` calls per replication judged with its neighbours (see
    :mod:`simulate.staffing.pooled`).

    With ``verify`` (the default) the plan is then checked by :func:`simulate.verify` on a seed
    the search never used (``plan.verification``); ``plan.misses`` are the periods that miss
    there. ``give_back=False`` keeps the plan phase 1 ends with (the analytic plan, raised where
    it clearly misses). ``trim`` is how many single-shift changes the search may then try on the
    same replications (a shift removed, or replaced by a cheaper, shorter one inside its hours;
    those the formula expects to hold best first); 0 skips it.
    ``after_hours="exclude"`` leaves the calls after closing time (call-backs,
    stragglers: intervals where no new callers reach a role) out of the target and reports them
    apart; ``"judge"`` (the default) judges them with the day's last period.

    ``keep`` names roles (or staff groups) the plan leaves at their declared staffing, such as
    equipment declared as a role (an espresso machine): they need no templates, are not judged, and
    the plan counts on them as they are (:attr:`StaffingPlan.kept`). (With ``method="simulation"``
    the starting requirement is searched with every role at its own, the kept ones included; the
    plan then leaves those as declared.)

    >>> plan = simulate.optimize_staffing(shop, templates=templates, keep=["espresso_machine"])  # doctest: +SKIP
    """
    _check_options(templates, level=level, after_hours=after_hours, replications=replications,
                   max_replications=max_replications, margin=margin)
    assert templates is not None  # refused above
    keep = [keep] if isinstance(keep, str) else list(keep)
    seed = resolve_seed(seed)
    req = _reaching(without_kept(requirements(blueprint, target, method=method, days=days, shrinkage=shrinkage,
                                              replications=replications, seed=seed, executor=executor), keep), days)
    loop = Loop(blueprint, req, templates, objective=objective, time_limit=time_limit)
    search = Search(loop=loop, targets=loop.targets, requirement=req, patience=mean_patience(blueprint), days=days, seed=seed,
                    replications=replications, max_replications=max_replications, level=level, min_volume=min_volume,
                    margin=margin, precision=precision, executor=executor,
                    closed=closed_intervals(blueprint, list(loop.targets), days, loop.w) if after_hours == "exclude" else None)
    found = search.raise_on_evidence(max_rounds)
    if give_back:
        found = search.give_back(found, max_rounds)
        if trim > 0:
            found = search.trim(found, trim)
    plan = _plan_found(loop, search, found, f"closed loop ({method}, {level} target)", after_hours, keep)
    if verify:
        cap = max(max_replications, 2 * replications)  # the held-out check starts at 20 replications, or the cap
        plan.verify(seed=None, replications=min(20, cap), max_replications=cap, precision=precision, executor=executor)
    return plan


def _plan_found(loop: Loop, search: Search, found: Any, name: str, after_hours: str, keep: list[str]) -> StaffingPlan:
    """The plan the search ended with (``found``, its last accepted evaluation), with the clear misses on the
    search's own customers until it is verified."""
    final = loop.bp.with_staffing({r: p.to_staffing() for r, p in found.plans.items()})
    plan = StaffingPlan(method=name, blueprint=final, plans=found.plans, results=found.results,
                        requirement={r: v.copy() for r, v in found.need.items()}, targets=loop.targets,
                        misses=pd.DataFrame(columns=[*MISS_COLUMNS, "reachable"]), rounds=search.history,
                        interval=loop.w, seed=search.seed, level=search.level, min_volume=search.min_volume,
                        margin=search.margin, search_replications=search.replications,
                        max_replications=search.max_replications, out_of_reach=loop.out_of_reach, after_hours=after_hours,
                        judged=loop.judged, kept_roles=list(keep), unused_templates=loop.unused_templates)
    plan.evidence = search.evidence(found)
    plan.misses = plan._clear_misses(plan.evidence)
    return plan


def without_kept(req: Requirements, keep: list[str] | tuple[str, ...]) -> Requirements:
    """The requirement of the roles (or staff groups) a plan decides: ``req`` without those to ``keep`` at their
    declared staffing. Names that are not planned are refused, naming those that are."""
    if not keep:
        return req
    planned = list(dict.fromkeys(str(r) for r in req.index.get_level_values("role")))
    unknown = [k for k in keep if k not in planned]
    if unknown:
        raise ValueError(f"keep: {', '.join(map(repr, unknown))} {'is not a role or group' if len(unknown) == 1 else 'are not roles or groups'} the plan staffs; "
                         f"it staffs: {', '.join(planned)}")
    left = [r for r in planned if r not in keep]
    if not left:
        raise ValueError(f"keep: every role the plan staffs is kept ({', '.join(planned)}): nothing left to plan")
    settings = req.settings.copy()  # the caller's requirement keeps its own
    groups = settings.get("groups")
    if groups:
        settings["groups"] = {g: skills for g, skills in groups.items() if g not in keep}
    judged = {s for r in left for s in (groups or {}).get(r, [r])}
    settings["targets"] = {r: t for r, t in settings["targets"].items() if r in judged}
    return Requirements.made(req[req.index.get_level_values("role").isin(left)], settings, req.results)


def _check_options(templates: RoleTemplates | None, *, level: str, after_hours: str, replications: int,
                   max_replications: int, margin: float) -> None:
    """:func:`optimize_staffing`'s options, refused with a clear message before any work."""
    check_level(level)
    if after_hours not in AFTER_HOURS:
        raise ValueError(f"after_hours must be one of {', '.join(AFTER_HOURS)}; got {after_hours!r}")
    if templates is None:
        raise ValueError("give shift templates (a file, a ShiftTemplates, or a dict of them per role)")
    if replications < 2 or max_replications < replications:
        raise ValueError(f"replications must be at least 2 and max_replications at least replications; got "
                         f"{replications} and {max_replications}")
    if not 0 <= margin < 1:
        raise ValueError(f"margin must be a share from 0 to below 1, got {margin!r}")


def spreadsheet_staffing(
    blueprint: Blueprint,
    target: Target | dict[str, Any] | None = None,
    templates: RoleTemplates | None = None,
    *,
    objective: Objective = "paid_hours",
    days: float = 1,
    replications: int = 10,
    seed: int | None = None,
    shrinkage: float = 0.0,
    keep: list[str] | tuple[str, ...] = (),
    time_limit: float | None = 60.0,
    executor: ExecutorChoice = None,
) -> StaffingPlan:
    """The spreadsheet method, for comparison: Erlang C per interval (patience ignored), the same
    shift solver, and one simulation to measure the service that plan really gives (``keep`` as for
    :func:`optimize_staffing`)."""
    if templates is None:
        raise ValueError("give shift templates (a file, a ShiftTemplates, or a dict of them per role)")
    keep = [keep] if isinstance(keep, str) else list(keep)
    seed = resolve_seed(seed)
    req = without_kept(requirements(blueprint, target, method="sipp", days=days, shrinkage=shrinkage, patience=False), keep)
    loop = Loop(blueprint, req, templates, objective=objective, time_limit=time_limit)
    plan = loop.once("spreadsheet (Erlang C per interval)", days=days, replications=replications, seed=seed,
                     executor=executor)
    plan.kept_roles = list(keep)
    return plan


class Loop:  # the search reads it as a search.ShiftBuyer
    """The requirement per role (raised and lowered by :class:`~simulate.staffing.search.Search`), the
    cheapest shifts for it, and the raises the templates could not staff."""

    def __init__(self, bp: Blueprint, req: Requirements, templates: RoleTemplates, *, objective: Objective,
                 time_limit: float | None) -> None:
        self.bp = bp
        self.roles = list(dict.fromkeys(str(r) for r in req.index.get_level_values("role")))  # what is staffed
        groups = req.settings.get("groups", {})
        self.judged = {u: list(groups.get(u, [u])) for u in self.roles}  # the roles whose targets judge each
        self.w = float(req.settings["interval"])
        self.tpl, self.unused_templates = _templates_by_role(templates, self.roles, bp)
        self.targets = {r: req.settings["targets"][r] for u in self.roles for r in self.judged[u]}
        self.need = {r: req.xs(r, level="role")["scheduled"].to_numpy().astype(int) for r in self.roles}
        self.n = len(next(iter(self.need.values())))
        self.objective = objective
        self.time_limit = time_limit
        self.out_of_reach: dict[str, set[int]] = {r: set() for r in self.roles}  # intervals no template can staff (more)
        self.raised: dict[str, NDArray[np.int64]] = {}  # the requirement before the last raise

    def plan(self, r: str, alike: list[list[int]] | None = None) -> ShiftPlan:
        """Role ``r``'s shift plan for its requirement, the days of each class in ``alike`` staffed alike (day
        numbers from the run's start); raises the templates cannot staff are taken back."""
        per_day = int(round(DAY / self.w))
        need = self.need[r]
        long = self.n > per_day
        for _ in range(3):
            try:
                return schedule_shifts(need if long else need[:per_day], self.tpl[r],
                                       objective=self.objective, interval=f"{self.w / 60:g} min", start="00:00",
                                       time_limit=self.time_limit, alike=alike if long else None)
            except InfeasibleShiftsError as e:
                if r not in self.raised:  # the first requirement itself cannot be covered: say so, and whose
                    raise InfeasibleShiftsError(f"role {r!r}: {e}", e.intervals, e.labels, e.reasons) from None
                # a raise the templates cannot staff: take it back and say so in the misses
                for i in e.intervals:
                    need[i] = self.raised[r][i]
                    self.out_of_reach[r].add(int(i))
        raise RuntimeError(f"no feasible shift plan for {r}")  # pragma: no cover - taking raises back restores one

    def once(self, name: str, *, days: float, replications: int, seed: int, executor: ExecutorChoice) -> StaffingPlan:
        """The cheapest shifts for the requirement, simulated once: the intervals below target (calls
        pooled over the replications) are the plan's misses."""
        plans = {r: self.plan(r) for r in self.roles}
        staffed = self.bp.with_staffing({r: p.to_staffing() for r, p in plans.items()})
        results = run(staffed, days=days, replications=replications, seed=seed, interval=self.w, executor=executor)
        misses = find_misses(results, list(self.targets), self.targets, self.n, "pooled")
        misses["reachable"] = True
        rounds = [{"round": 1, "paid_hours": sum(p.paid_hours for p in plans.values()), "misses": count_intervals(misses),
                   "required": {r: v.tolist() for r, v in self.need.items()}}]
        return StaffingPlan(method=name, blueprint=staffed, plans=plans, results=results, requirement=self.need,
                            targets=self.targets, misses=misses, rounds=rounds, interval=self.w, seed=seed,
                            search_replications=replications, judged=self.judged)
