"""Applying a scenario to a blueprint: every change in a fixed order, every problem located.

:func:`apply_scenario` (what :meth:`Scenario.apply` does) copies the blueprint,
makes the scenario's changes in the order its docstring gives, and validates the
result. A problem is reported where its cause is written: at the scenario's
line when the scenario introduced it, at the blueprint's line otherwise.
:func:`apply_all` applies several and reports every failure at once.

>>> import blueprint
>>> from simulate.scenarios.scenario import Scenario
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> apply_scenario(Scenario("busier", volume=1.2), bp).arrivals[0].rate is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from blueprint import Blueprint
from blueprint.arrivals import Arrivals
from blueprint.distributions import Distribution, Empirical
from blueprint.errors import Loc, Problem, format_path, line_of, problems_from_pydantic
from blueprint.model import Flow, Role, Step
from blueprint.routing import Group, Routing
from blueprint.staffing import Staffing
from blueprint.units import Rate
from simulate.scenarios.scenario import EVERYONE, Scenario, ScenarioError, parse_arrow, unknown_name

__all__ = ["apply_all", "apply_scenario", "scale_distribution"]

M = TypeVar("M", bound=BaseModel)


def apply_scenario(scenario: Scenario, blueprint: Blueprint) -> Blueprint:
    """A new blueprint with the scenario's changes, validated; the original is left as it was.

    Raises :class:`ScenarioError` (located messages prefixed by the
    scenario's name) when a change names something the blueprint does not
    have or leaves the blueprint invalid.
    """
    blueprint.validate().raise_for_errors()
    work = _Work(scenario, blueprint)
    work.run()
    if work.problems:
        raise ScenarioError([(scenario.name, p) for p in work.problems], source=scenario.source)
    report = work.new.validate()
    if report.errors:
        raise ScenarioError([(scenario.name, work.translate(p)) for p in report.errors], source=scenario.source)
    return work.new


def apply_all(blueprint: Blueprint, scenarios: Iterable[Scenario]) -> list[Blueprint]:
    """Apply every scenario: the changed blueprints, in order, or one :class:`ScenarioError` listing all that fail.

    >>> import blueprint
    >>> bp = blueprint.load("examples/contact_center.yaml")
    >>> [len(b.steps) for b in apply_all(bp, [Scenario("same"), Scenario("busier", volume=1.1)])]
    [11, 11]
    """
    blueprint.validate().raise_for_errors()
    out, items = [], []
    for sc in scenarios:
        try:
            out.append(sc.apply(blueprint))
        except ScenarioError as e:
            items += e.items
    if items:
        raise ScenarioError(items)
    return out



# -- distributions ------------------------------------------------------------------------------


def scale_distribution(d: Distribution, factor: float) -> Distribution:
    """The distribution of ``factor × X`` for ``X ~ d``, in the same unit and family.

    With the same random numbers each draw is ``factor`` times the draw of
    ``d``, so a scaled scenario meets the same customers (common random numbers).

    >>> from blueprint.distributions import parse_distribution
    >>> str(scale_distribution(parse_distribution("gamma(shape=2, scale=1.5) min"), 2))
    'gamma(shape=2, scale=3) min'
    """
    if isinstance(d, Empirical):
        if d.samples is not None:
            return Empirical(samples=[v * factor for v in d.samples], unit=d.unit)
        return Empirical(edges=[v * factor for v in d.edges or ()], counts=list(d.counts or ()), unit=d.unit)
    values = {k: (v * factor if k in type(d).params else v) for k, v in d.parameters.items()}
    return type(d)(unit=d.unit, **values)



# -- the work of applying a scenario -------------------------------------------------------------

_LISTS = ("steps", "flows", "roles", "groups", "arrivals", "stages")


@dataclass
class _Origin:
    """Where an item of the changed blueprint comes from: the blueprint, or a change of the scenario."""

    scenario: bool
    loc: Loc
    exact: bool = True  # a problem's path below the item continues below ``loc``


def _parse_path(path: str) -> Loc:
    """``"steps[3].role"`` -> ``("steps", 3, "role")``."""
    out: list[Any] = []
    for part in re.findall(r"\[(\d+)\]|([^.\[\]]+)", path):
        out.append(int(part[0]) if part[0] else part[1])
    return tuple(out)




def _ambiguous_shift(key: str, shifts: list[Any], role: str, kind: str) -> str:
    """The message for an ``extra_staff`` key that names several shifts: which, and how to name one.

    >>> from blueprint.staffing import Shift
    >>> print(_ambiguous_shift("early", [Shift(name="early", start="06:00", length="8 h", count=2),
    ...                                   Shift(name="early", start="06:15", length="8 h", count=1)], "agent", "role"))
    'early' names 2 shifts of role 'agent' (starting 06:00, 06:15); name one by its start time, e.g. {agent: {'06:15': 1}}
    """
    starts = [s.start for s in shifts]
    names = [s.name for s in shifts]
    choices = starts if key in names else names  # a shared name is told apart by start time, a shared start by name
    other = [t for t in choices if t and choices.count(t) == 1]
    by = "start time" if key in names else "name"
    how = (f"name one by its {by}, e.g. {{{role}: {{'{other[-1]}': 1}}}}" if other else
           "give the shifts names of their own under staffing:, or replace them there")
    return f"{key!r} names {len(shifts)} shifts of {kind} {role!r} (starting {', '.join(starts)}); {how}"


_UNKNOWN_STEP = re.compile(r"unknown step '([^']*)'")


class _Work:
    def __init__(self, scenario: Scenario, bp: Blueprint) -> None:
        self.sc = scenario
        self.bp = bp
        self.new = bp.model_copy(deep=True)
        self.new._origin = None
        self.origins: dict[str, list[_Origin]] = {k: [_Origin(False, (k, i)) for i in range(len(getattr(bp, k)))] for k in _LISTS}
        self.problems: list[Problem] = []
        self.removed: dict[str, int] = {}  # step id -> its index in remove_steps

    # -- problems --------------------------------------------------------------------------------
    def _scenario_problem(self, severity: str, code: str, loc: Loc, message: str) -> Problem:
        file, lines, prefix = self.sc._origin or (None, None, ())
        line = line_of(tuple(prefix) + tuple(loc), lines) if lines else None
        return Problem(severity, code, format_path(loc), message, file, line)  # type: ignore[arg-type]

    def problem(self, loc: Loc, message: str) -> None:
        self.problems.append(self._scenario_problem("error", "scenario", loc, message))

    def pydantic_problems(self, e: ValidationError, root: type[BaseModel], loc: Loc) -> None:
        for p in problems_from_pydantic(e, root=root, prefix=loc):
            self.problems.append(self._scenario_problem("error", p.code, _parse_path(p.path), p.message))

    def translate(self, p: Problem) -> Problem:
        """A problem of the changed blueprint, located where its cause is written."""
        loc = _parse_path(p.path)
        if len(loc) >= 2 and loc[0] in self.origins and isinstance(loc[1], int) and loc[1] < len(self.origins[loc[0]]):
            o = self.origins[loc[0]][loc[1]]
            rest = loc[2:]
            if o.scenario:
                return self._scenario_problem(p.severity, p.code, o.loc + (rest if o.exact else ()), p.message)
            loc = o.loc + rest
        file, lines = self.bp._origin if self.bp._origin else (None, None)
        line = line_of(loc, lines) if lines else None
        named = _UNKNOWN_STEP.search(p.message)
        if named and named.group(1) in self.removed:  # the cause is the removal, written in the scenario
            where = f"{format_path(loc)} ({file}:{line})" if file and line else format_path(loc)
            return self._scenario_problem(p.severity, p.code, ("remove_steps", self.removed[named.group(1)]),
                                          f"step {named.group(1)!r} is removed, but {where} still names it; change "
                                          "that in this scenario too, or keep the step")
        return Problem(p.severity, p.code, format_path(loc), p.message, file, line)

    # -- look-ups ----------------------------------------------------------------------------------
    def named_index(self, kind: str, name: str, loc: Loc) -> int | None:
        """The index of the role or staff group (``kind`` "roles" or "groups") called ``name``; None, with the
        problem said, for an unknown name."""
        items = getattr(self.new, kind)
        for i, item in enumerate(items):
            if item.name == name:
                return i
        self.problem(loc, unknown_name(kind[:-1], name, (x.name for x in items)))
        return None

    def role_index(self, name: str, loc: Loc) -> int | None:
        return self.named_index("roles", name, loc)

    def step_index(self, sid: str, loc: Loc) -> int | None:
        for i, s in enumerate(self.new.steps):
            if s.id == sid:
                return i
        self.problem(loc, unknown_name("step", sid, (s.id for s in self.new.steps)))
        return None

    def flow_indices(self, text: str, loc: Loc, *, branch_only: bool = False) -> list[int]:
        src, dst = parse_arrow(text)
        found = [i for i, f in enumerate(self.new.flows) if f.source == src and f.target == dst and (f.is_branch or not branch_only)]
        if not found:
            targets = [f.target for f in self.new.flows if f.source == src and (f.is_branch or not branch_only)]
            if targets:
                self.problem(loc, f"no {'branch ' if branch_only else ''}flow {src} -> {dst}; flows leaving {src!r} go to {', '.join(targets)}")
            else:
                self.problem(loc, f"no flow {src} -> {dst}; " + (f"no flow leaves {src!r}" if src in {s.id for s in self.new.steps} else unknown_name("step", src, (s.id for s in self.new.steps))))
        return found

    def set(self, kind: str, i: int, item: BaseModel, origin: _Origin) -> None:
        getattr(self.new, kind)[i] = item
        self.origins[kind][i] = origin

    def append(self, kind: str, item: BaseModel, origin: _Origin) -> None:
        getattr(self.new, kind).append(item)
        self.origins[kind].append(origin)

    def keep(self, kind: str, keep: list[bool]) -> None:
        items = getattr(self.new, kind)
        items[:] = [x for x, k in zip(items, keep) if k]
        self.origins[kind] = [o for o, k in zip(self.origins[kind], keep) if k]

    def patched(self, model: type[M], item: BaseModel, patch: dict[str, Any], loc: Loc, drop: tuple[str, ...] = ()) -> M | None:
        data = item.model_dump(by_alias=True)
        for k in drop:
            data[k] = None
        data.update(patch)
        try:
            return model.model_validate(data)
        except ValidationError as e:
            self.pydantic_problems(e, model, loc)
            return None

    # -- the changes, in order --------------------------------------------------------------------
    def run(self) -> None:
        for step in (self.roles, self.groups, self.staffing, self.extra_staff, self.cross_train, self.remove_steps, self.add_steps, self.step_fields,
                     self.durations, self.remove_flows, self.reroute, self.add_flows, self.probabilities,
                     self.arrivals, self.volume, self.patience, self.stages):
            try:
                step()
            except ValueError as e:  # a change past a limit (a duration scaled beyond the ceiling): said at its field
                self.problem((step.__name__,), str(e))

    def stages(self) -> None:
        """Stages follow the steps: a removed step leaves its stage (a stage left empty goes), and a step the
        scenario adds joins the stage of the step it comes from (or else of the step it goes to)."""
        if not self.new.stages:
            return
        ids = {s.id for s in self.new.steps}
        for i, st in enumerate(self.new.stages):
            kept = [sid for sid in st.steps if sid in ids]
            if kept != st.steps:
                self.new.stages[i] = st.model_copy(update={"steps": kept})
        self.keep("stages", [bool(st.steps) for st in self.new.stages])
        stage_of = {sid: i for i, st in enumerate(self.new.stages) for sid in st.steps}
        before = {s.id for s in self.bp.steps}
        for step in self.new.steps:
            if step.id in stage_of or step.id in before:
                continue
            near = [f.source for f in self.new.flows if f.target == step.id] + [f.target for f in self.new.flows if f.source == step.id]
            home = next((stage_of[n] for n in near if n in stage_of), None)
            if home is not None:
                st = self.new.stages[home]
                self.new.stages[home] = st.model_copy(update={"steps": [*st.steps, step.id]})
                stage_of[step.id] = home

    def roles(self) -> None:
        self._add_and_change("roles", "role", Role, self.sc.add_roles, self.sc.roles, self.role_index)

    def groups(self) -> None:
        if self.sc.routing:
            rules = self.patched(Routing, self.new.routing, self.sc.routing, ("routing",))
            if rules is not None:
                self.new.routing = rules
        self._add_and_change("groups", "group", Group, self.sc.add_groups, self.sc.groups, self.group_index)

    def _add_and_change(self, kind: str, what: str, model: type[M], added: list[Any], changes: dict[str, dict[str, Any]],
                        index: Callable[[str, Loc], int | None]) -> None:
        """Roles or staff groups the scenario adds (each name once), then fields of named ones replaced."""
        items = getattr(self.new, kind)
        names = {x.name for x in items}
        for k, item in enumerate(added):
            if item.name in names:
                self.problem((f"add_{kind}", k, "name"), f"{what} {item.name!r} exists already; change it under {kind}: or staffing:")
                continue
            names.add(item.name)
            self.append(kind, item.model_copy(deep=True), _Origin(True, (f"add_{kind}", k)))
        for name, patch in changes.items():
            i = index(name, (kind, name))
            if i is not None:
                changed = self.patched(model, items[i], patch, (kind, name))
                if changed is not None:
                    self.set(kind, i, changed, _Origin(True, (kind, name)))

    def group_index(self, name: str, loc: Loc) -> int | None:
        return self.named_index("groups", name, loc)

    def staff_index(self, name: str, loc: Loc) -> tuple[str, int] | None:
        """Where the staff called ``name`` are, ``("roles", i)`` or ``("groups", i)``; None, with the problem
        said, for an unknown name."""
        for kind in ("groups", "roles"):
            for i, item in enumerate(getattr(self.new, kind)):
                if item.name == name:
                    return kind, i
        known = [r.name for r in self.new.roles] + [g.name for g in self.new.groups]
        self.problem(loc, unknown_name("role or group" if self.new.groups else "role", name, known))
        return None

    def staffing(self) -> None:
        for name, staffing in self.sc.staffing.items():
            where = self.staff_index(name, ("staffing", name))
            if where is not None:
                kind, i = where
                item = getattr(self.new, kind)[i]
                self.set(kind, i, item.model_copy(update={"staffing": staffing}), _Origin(True, ("staffing", name), exact=False))

    def extra_staff(self) -> None:
        for name, extra in self.sc.extra_staff.items():
            loc: Loc = ("extra_staff", name)
            self._change_staff(name, extra, loc)

    def _change_staff(self, name: str, extra: int | dict[str, int], loc: Loc) -> bool:
        where = self.staff_index(name, loc)
        if where is None:
            return False
        kind, i = where
        item = getattr(self.new, kind)[i]
        new = self._add_staff(name, item.staffing, extra, loc, "group" if kind == "groups" else "role")
        if new is None:
            return False
        self.set(kind, i, item.model_copy(update={"staffing": new}), _Origin(True, loc, exact=False))
        return True

    def cross_train(self) -> None:
        for name, move in self.sc.cross_train.items():
            loc: Loc = ("cross_train", name)
            i = self.group_index(name, loc)
            j = self.group_index(move.to, loc + ("to",))
            if i is None or j is None:
                continue
            lost = [k for k in self.new.groups[i].skills if k not in self.new.groups[j].skills]
            if lost:
                self.problem(loc + ("to",), f"members of {name!r} moving to {move.to!r} would lose {', '.join(map(repr, lost))}: "
                                            f"cross-training adds skills; {move.to!r} has {', '.join(self.new.groups[j].skills)}")
                continue
            if self._change_staff(name, -move.count, loc + ("count",)):
                self._change_staff(move.to, move.count, loc + ("count",))

    def _add_staff(self, role: str, st: Staffing | None, extra: int | dict[str, int], loc: Loc,
                   kind: str = "role") -> Staffing | None:
        if st is None or st.kind == "unlimited":
            self.problem(loc, f"{kind} {role!r} has {'no' if st is None else 'unlimited'} staffing to add to; set it under staffing:")
            return None
        if st.kind in ("headcount", "profile"):
            if isinstance(extra, dict):
                self.problem(loc, f"{kind} {role!r} has a {'headcount' if st.kind == 'headcount' else 'headcount per interval'}, not shifts; give a number, e.g. {role}: 1")
                return None
            if st.kind == "headcount":
                n = (st.headcount or 0) + extra
                if n < 0:
                    self.problem(loc, f"{kind} {role!r} has {st.headcount} staff; cannot take {-extra} away")
                    return None
                if not self._within_staff_limit(n, loc):
                    return None
                return Staffing(headcount=n)
            p = st.profile
            assert p is not None
            lists = {"values": p.values} if p.values is not None else {"days": p.days}
            new_lists: dict[str, Any] = {}
            for key, value in lists.items():
                if isinstance(value, dict):
                    new_lists[key] = {d: [x + extra for x in vs] for d, vs in value.items()}
                    flat = [x for vs in new_lists[key].values() for x in vs]
                else:
                    new_lists[key] = [x + extra for x in value or []]
                    flat = new_lists[key]
                if any(x < 0 for x in flat):
                    self.problem(loc, f"{kind} {role!r} has fewer than {-extra} staff in some intervals; cannot take {-extra} away")
                    return None
                if not self._within_staff_limit(max(flat, default=0), loc):
                    return None
            return Staffing(profile=p.model_copy(update=new_lists))
        shifts = list(st.shifts or [])
        if not isinstance(extra, dict):
            if len(shifts) != 1:
                known = ", ".join(s.name or s.start for s in shifts)
                self.problem(loc, f"{kind} {role!r} works {len(shifts)} shifts; say which, e.g. {{{role}: {{{shifts[0].name or shifts[0].start}: {extra}}}}} (shifts: {known})")
                return None
            extra = {shifts[0].name or shifts[0].start: extra}
        ok = True
        for key, n in extra.items():
            matches = [j for j, s in enumerate(shifts) if key in (s.name, s.start)]
            if not matches:
                self.problem(loc + (key,), unknown_name("shift", key, (s.name or s.start for s in shifts), where=f" of role {role!r}"))
                ok = False
                continue
            if len(matches) > 1:  # a plan written by the optimiser names each shift after its template
                self.problem(loc + (key,), _ambiguous_shift(key, [shifts[j] for j in matches], role, kind))
                ok = False
                continue
            for j in matches:
                count = shifts[j].count + n
                if count < 0:
                    self.problem(loc + (key,), f"shift {key!r} has {shifts[j].count} staff; cannot take {-n} away")
                    ok = False
                    continue
                if not self._within_staff_limit(count, loc + (key,)):
                    ok = False
                    continue
                shifts[j] = shifts[j].model_copy(update={"count": count})
        return Staffing(shifts=shifts) if ok else None

    def _within_staff_limit(self, n: float, loc: Loc) -> bool:
        """False, with the problem said, when ``n`` staff on duty is more than one role may have."""
        from blueprint.limits import LIMITS

        if n <= LIMITS.max_staff:
            return True
        self.problem(loc, f"{n:,.0f} staff is more than the {LIMITS.max_staff:,} one role may have on duty at once "
                          "(blueprint.limits.limits_set(max_staff=...) raises it)")
        return False

    def remove_steps(self) -> None:
        removed: set[str] = set()
        ids = {s.id for s in self.new.steps}
        for k, sid in enumerate(self.sc.remove_steps):
            if sid not in ids:
                self.problem(("remove_steps", k), unknown_name("step", sid, ids))
            removed.add(sid)
            self.removed.setdefault(sid, k)
        if removed:
            self.keep("steps", [s.id not in removed for s in self.new.steps])
            self.keep("flows", [f.source not in removed and f.target not in removed for f in self.new.flows])

    def add_steps(self) -> None:
        ids = {s.id for s in self.new.steps}
        for k, step in enumerate(self.sc.add_steps):
            if step.id in ids:
                self.problem(("add_steps", k, "id"), f"step {step.id!r} exists already; remove it first (remove_steps) or change it under steps:")
                continue
            ids.add(step.id)
            self.append("steps", step.model_copy(deep=True), _Origin(True, ("add_steps", k)))

    def step_fields(self) -> None:
        for sid, patch in self.sc.steps.items():
            i = self.step_index(sid, ("steps", sid))
            if i is not None:
                step = self.patched(Step, self.new.steps[i], patch, ("steps", sid))
                if step is not None:
                    self.set("steps", i, step, _Origin(True, ("steps", sid)))

    def durations(self) -> None:
        for sid, change in self.sc.durations.items():
            loc: Loc = ("durations", sid)
            i = self.step_index(sid, loc)
            if i is None:
                continue
            step = self.new.steps[i]
            if isinstance(change, Distribution):
                d = change
            elif step.duration is None:
                self.problem(loc, f"step {sid!r} takes no time, so there is nothing to scale; give a distribution such as 'exp(2 min)'")
                continue
            else:
                d = scale_distribution(step.duration, change)
            self.set("steps", i, step.model_copy(update={"duration": d}), _Origin(True, loc, exact=False))

    def remove_flows(self) -> None:
        gone: set[int] = set()
        for k, text in enumerate(self.sc.remove_flows):
            gone.update(self.flow_indices(text, ("remove_flows", k)))
        if gone:
            self.keep("flows", [i not in gone for i in range(len(self.new.flows))])

    def reroute(self) -> None:
        for text, target in self.sc.reroute.items():
            loc: Loc = ("reroute", text)
            for i in self.flow_indices(text, loc):
                self.set("flows", i, self.new.flows[i].model_copy(update={"target": target}), _Origin(True, loc, exact=False))

    def add_flows(self) -> None:
        for k, flow in enumerate(self.sc.add_flows):
            self.append("flows", flow.model_copy(deep=True), _Origin(True, ("add_flows", k)))

    def probabilities(self) -> None:
        for sid, targets in self.sc.probabilities.items():
            if self.step_index(sid, ("probabilities", sid)) is None:
                continue
            for target, p in targets.items():
                loc: Loc = ("probabilities", sid, target)
                for i in self.flow_indices(f"{sid} -> {target}", loc, branch_only=True):
                    patch = {"probability": None, "otherwise": True} if p == "otherwise" else {"probability": p, "otherwise": False}
                    flow = self.patched(Flow, self.new.flows[i], patch, loc)
                    if flow is not None:
                        self.set("flows", i, flow, _Origin(True, loc, exact=False))

    def _streams(self, name: str, loc: Loc) -> list[int]:
        if name == EVERYONE:
            return list(range(len(self.new.arrivals)))
        found = [i for i, a in enumerate(self.new.arrivals) if a.name == name]
        if not found:
            self.problem(loc, unknown_name("arrival stream", name, (a.name for a in self.new.arrivals)))
        return found

    def arrivals(self) -> None:
        forms = ("rate", "profile", "times")
        for name, patch in self.sc.arrivals.items():
            loc: Loc = ("arrivals", name)
            for i in self._streams(name, loc):
                drop = forms if any(k in patch for k in forms) else ()
                a = self.patched(Arrivals, self.new.arrivals[i], patch, loc, drop=drop)
                if a is not None:
                    self.set("arrivals", i, a, _Origin(True, loc))

    def volume(self) -> None:
        for name, f in self.sc.volume.items():
            loc: Loc = ("volume",) if name == EVERYONE else ("volume", name)
            for i in self._streams(name, loc):
                a = self.new.arrivals[i]
                if a.kind == "times":
                    self.problem(loc, f"arrival stream {a.name!r} replays recorded times, which cannot be scaled; give new times under arrivals:")
                    continue
                if a.kind == "rate":
                    assert a.rate is not None
                    update: dict[str, Any] = {"rate": Rate(a.rate.value * f, a.rate.per)}
                else:
                    p = a.profile
                    assert p is not None
                    if p.values is not None:
                        update = {"profile": p.model_copy(update={"values": [v * f for v in p.values]})}
                    else:
                        update = {"profile": p.model_copy(update={"days": {d: [v * f for v in vs] for d, vs in (p.days or {}).items()}})}
                self.set("arrivals", i, a.model_copy(update=update), _Origin(True, loc, exact=False))

    def patience(self) -> None:
        for name, change in self.sc.patience.items():
            loc: Loc = ("patience",) if name == EVERYONE else ("patience", name)
            streams = list(range(len(self.new.arrivals))) if name == EVERYONE else [i for i, a in enumerate(self.new.arrivals) if a.name == name]
            segments = [] if streams or name == EVERYONE else [
                (i, j) for i, a in enumerate(self.new.arrivals) for j, s in enumerate(a.segments) if s.name == name
            ]
            if not streams and not segments:
                known = [a.name for a in self.new.arrivals] + [s.name for a in self.new.arrivals for s in a.segments]
                self.problem(loc, unknown_name("arrival stream or segment", name, known))
                continue
            changed = False
            for i in streams:
                a = self.new.arrivals[i]
                if isinstance(change, Distribution):
                    new_a = a.model_copy(update={"patience": change, "segments": [s.model_copy(update={"patience": change}) for s in a.segments]})
                    changed = True
                else:
                    segs = [s.model_copy(update={"patience": scale_distribution(s.patience, change)}) if s.patience else s for s in a.segments]
                    pat = scale_distribution(a.patience, change) if a.patience is not None else None
                    changed = changed or pat is not None or any(s.patience for s in a.segments)
                    new_a = a.model_copy(update={"patience": pat, "segments": segs})
                self.set("arrivals", i, new_a, _Origin(True, loc, exact=False))
            for i, j in segments:
                a = self.new.arrivals[i]
                s = a.segments[j]
                own = a.patience_of(s)
                if isinstance(change, Distribution):
                    pat = change
                elif own is None:
                    continue
                else:
                    pat = scale_distribution(own, change)
                changed = True
                segs = list(a.segments)
                segs[j] = s.model_copy(update={"patience": pat})
                self.set("arrivals", i, a.model_copy(update={"segments": segs}), _Origin(True, loc, exact=False))
            if not changed:
                self.problem(loc, "these customers never give up (no patience), so there is nothing to scale; give a distribution such as 'exp(3 min)'")

