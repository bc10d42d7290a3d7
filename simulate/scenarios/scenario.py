"""Scenarios: named changes to a blueprint, applied without copying it by hand.

A :class:`Scenario` says what differs from the blueprint: the staffing of a
role (a headcount, a headcount per interval, shifts, or any object with a
``to_staffing()`` method such as a shift plan), staff added to a shift, the
arrival volume (a factor) or new arrivals (a rate or profile), step durations
(a new distribution or a factor), branch probabilities, patience, roles, and
steps and flows added, removed or rerouted. :meth:`Scenario.apply` returns a
new, validated blueprint and leaves the original as it was.

>>> import blueprint
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> late = Scenario("one more late agent", extra_staff={"first_line": {"late": 1}})
>>> late.apply(bp).get_role("first_line").staffing.shifts[3].count
10
>>> busier = Scenario("busier Monday", volume=1.2, durations={"answer": 0.9})
>>> str(busier.apply(bp).step("answer").duration)
'lognormal(mean=2.7, sd=1.35) min'

A chatbot step in front of the agents that resolves 40% of what reaches it:

>>> bot = Scenario(
...     "chatbot",
...     add_steps=[{"id": "bot", "label": "Chatbot answers", "lane": "customer", "role": "chatbot",
...                 "duration": "exp(2 min)"}],
...     reroute={"self_service -> answer": "bot"},
...     add_flows=[{"from": "bot", "to": "self_served", "probability": 0.4},
...                {"from": "bot", "to": "answer", "otherwise": True}],
... )
>>> [f"{f}" for f in bot.apply(bp).flows_from("bot")]
['bot -> self_served', 'bot -> answer']

A scenario that leaves the blueprint invalid says so in the blueprint's
words, located, after the scenario's name:

>>> Scenario("too many transfers", probabilities={"resolve": {"specialist": 0.8}}).apply(bp)
Traceback (most recent call last):
...
simulate.scenarios.scenario.ScenarioError: scenario 'too many transfers': probabilities.resolve.specialist: branch probabilities leaving 'resolve' add up to 1.04 before the otherwise flow; at most 1

In a file (``load_scenarios``), next to the blueprint::

    blueprint: contact_center.yaml        # optional: checked against it on loading
    scenarios:
      - name: one more late agent
        extra_staff: {first_line: {late: 1}}
      - name: busier Monday
        volume: 1.2
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    PrivateAttr,
    ValidationError,
    WithJsonSchema,
    field_validator,
)

from blueprint import Blueprint
from blueprint.arrivals import Arrivals
from blueprint.base import Model, Probability
from blueprint.distributions import Distribution, Empirical, parse_distribution
from blueprint.errors import (
    BlueprintFileError,
    BlueprintValidationError,
    Loc,
    Problem,
    _line_of,
    format_path,
    problems_from_pydantic,
)
from blueprint.files import read_data, read_text_file
from blueprint.model import Flow, Role, Step
from blueprint.staffing import Staffing
from blueprint.units import Rate, format_number

__all__ = ["Scenario", "ScenarioError", "changed_steps", "load_scenarios", "scale_distribution"]

EVERYONE = "*"  # key of a change that applies to every arrival stream


# -- field types ------------------------------------------------------------------------------


def _factor(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"expected a factor: a number more than 0 (e.g. 1.2 for 20% more), got {value!r}")
    return float(value)


def _time_change(value: Any) -> Any:
    """A distribution replaces; a plain number is a factor."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _factor(value)
    if isinstance(value, Distribution):
        return value
    try:
        return parse_distribution(value)
    except ValueError as e:
        raise ValueError(f"{e}; or give a factor such as 0.9") from None


def _dump_time_change(value: Any) -> Any:
    return value.to_data() if isinstance(value, Distribution) else value


TimeChange = Annotated[
    Any,
    BeforeValidator(_time_change),
    PlainSerializer(_dump_time_change),
    WithJsonSchema({"description": "a new distribution ('exp(3 min)') or a factor (0.9)", "anyOf": [{"type": "string"}, {"type": "number", "exclusiveMinimum": 0}, {"type": "object"}]}),
]
Factor = Annotated[float, BeforeValidator(_factor)]


def _everyone(value: Any, *, is_single: Any) -> Any:
    """``x`` -> ``{"*": x}``; a mapping of names stays as it is."""
    if value is None:
        return {}
    if isinstance(value, dict) and not is_single(value):
        return value
    return {EVERYONE: value}


_ARROW_RE = re.compile(r"^\s*([^\s>-][^>]*?)\s*->\s*(\S.*?)\s*$")


def _arrow(text: str) -> tuple[str, str]:
    m = _ARROW_RE.match(text) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"cannot read flow {text!r}; write 'source -> target'")
    return m.group(1), m.group(2)


def _check_arrow(value: Any) -> str:
    src, dst = _arrow(value)
    return f"{src} -> {dst}"


Arrow = Annotated[str, BeforeValidator(_check_arrow), WithJsonSchema({"type": "string", "description": "a flow, 'source -> target'"})]


def _to_staffing(value: Any) -> Any:
    """Staffing as a blueprint writes it, or anything with ``to_staffing()`` (a shift plan)."""
    convert = getattr(value, "to_staffing", None)
    if callable(convert) and not isinstance(value, (dict, list, str, int, float)):
        value = convert()
    return value


# -- errors ----------------------------------------------------------------------------------


class ScenarioError(BlueprintValidationError):
    """A scenario that cannot be applied, or that leaves the blueprint invalid.

    Each line names the scenario, then says where and what, as the
    blueprint's own messages do. ``items`` pairs scenario names with their
    :class:`~blueprint.Problem` s.
    """

    def __init__(self, items: list[tuple[str, Problem]], source: str | None = None) -> None:
        super().__init__([p for _, p in items], source)
        self.items = items
        self.args = ("\n".join(f"scenario {name!r}: {p}" for name, p in items),)

    @property
    def scenarios(self) -> list[str]:
        """Names of the scenarios at fault, in order."""
        return list(dict.fromkeys(n for n, _ in self.items))

    def __str__(self) -> str:
        return str(self.args[0])


# -- distributions ------------------------------------------------------------------------------


def scale_distribution(d: Distribution, factor: float) -> Distribution:
    """The distribution of ``factor × X`` for ``X ~ d``, in the same unit and family.

    With the same random numbers each draw is ``factor`` times the draw of
    ``d``, so a scaled scenario meets the same customers (common random numbers).

    >>> str(scale_distribution(parse_distribution("gamma(shape=2, scale=1.5) min"), 2))
    'gamma(shape=2, scale=3) min'
    """
    if isinstance(d, Empirical):
        if d.samples is not None:
            return Empirical(samples=[v * factor for v in d.samples], unit=d.unit)
        return Empirical(edges=[v * factor for v in d.edges or ()], counts=list(d.counts or ()), unit=d.unit)
    values = {k: (v * factor if k in type(d).params else v) for k, v in d.parameters.items()}
    return type(d)(unit=d.unit, **values)


def _short_duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{format_number(round(seconds / 3600, 2))} h"
    if seconds >= 60:
        return f"{format_number(round(seconds / 60, 2))} min"
    return f"{format_number(round(seconds, 1))} s"


# -- the scenario ------------------------------------------------------------------------------


class Scenario(Model):
    """A named set of changes to a blueprint (see the module docstring).

    Changes by role: ``staffing`` (new staffing per role: a headcount, a
    profile, shifts, or an object with ``to_staffing()`` such as a shift plan;
    or an object whose ``plans`` map roles to such plans), ``extra_staff``
    (staff added to a headcount or profile, ``{role: 1}``, or to named shifts,
    ``{role: {late: 1}}``; negative numbers take staff away), ``roles`` (other
    fields of a role, e.g. ``{cost_per_hour: 30}``), ``add_roles``.

    Changes by step and flow: ``durations`` (per step, a distribution or a
    factor), ``steps`` (other fields of a step), ``add_steps``,
    ``remove_steps`` (their flows go too), ``probabilities`` (``{step:
    {target: p or "otherwise"}}``), ``add_flows``, ``remove_flows``
    (``"a -> b"``), ``reroute`` (``{"a -> b": c}``: the flow keeps its
    probability and kind and goes to ``c`` instead).

    Changes to arrivals: ``volume`` (a factor for every stream, or
    ``{stream: factor}``), ``arrivals`` (``{stream: {rate: ...}}``: fields of a
    stream replaced; a new rate, profile or times replaces the old form),
    ``patience`` (a distribution or a factor for everyone, or ``{stream or
    segment: ...}``).

    Changes are made in this order: roles, staffing, steps removed and added,
    step changes and durations, flows removed, rerouted and added,
    probabilities, arrivals, volume, patience.
    """

    name: str = Field(description="what the planners call this alternative")
    description: str | None = None
    staffing: dict[str, Staffing] = Field(default_factory=dict, description="new staffing per role")
    extra_staff: dict[str, int | dict[str, int]] = Field(
        default_factory=dict, description="staff added per role ({role: 1}) or per named shift ({role: {late: 1}})"
    )
    volume: dict[str, Factor] = Field(default_factory=dict, description="arrivals × factor: one number, or per stream")
    arrivals: dict[str, dict[str, Any]] = Field(default_factory=dict, description="fields of an arrival stream replaced")
    durations: dict[str, TimeChange] = Field(default_factory=dict, description="per step: a new distribution or a factor")
    probabilities: dict[str, dict[str, Probability | Literal["otherwise"]]] = Field(
        default_factory=dict, description="branch probabilities: {step: {target: p or 'otherwise'}}"
    )
    patience: dict[str, TimeChange] = Field(
        default_factory=dict, description="a distribution or a factor for everyone, or per stream or segment"
    )
    add_roles: list[Role] = Field(default_factory=list)
    roles: dict[str, dict[str, Any]] = Field(default_factory=dict, description="fields of a role replaced")
    add_steps: list[Step] = Field(default_factory=list)
    remove_steps: list[str] = Field(default_factory=list, description="step ids; their flows are removed too")
    steps: dict[str, dict[str, Any]] = Field(default_factory=dict, description="fields of a step replaced")
    add_flows: list[Flow] = Field(default_factory=list)
    remove_flows: list[Arrow] = Field(default_factory=list, description="flows to remove, 'source -> target'")
    reroute: dict[Arrow, str] = Field(default_factory=dict, description="{'a -> b': c}: the flow a -> b goes to c instead")

    _origin: tuple[str | None, dict[Loc, int] | None, Loc] | None = PrivateAttr(None)

    def __init__(self, name: str | None = None, /, **data: Any) -> None:
        if name is not None:
            data["name"] = name
        super().__init__(**data)

    def __eq__(self, other: object) -> bool:
        # Where the scenario was loaded from is not part of it.
        return type(other) is type(self) and self.__dict__ == other.__dict__  # type: ignore[union-attr]

    __hash__ = None  # type: ignore[assignment]

    @field_validator("staffing", mode="before")
    @classmethod
    def _plans(cls, v: Any) -> Any:
        if not isinstance(v, dict) and isinstance(getattr(v, "plans", None), dict):
            v = v.plans  # a plan for several roles, e.g. what optimize_staffing returns
        return {k: _to_staffing(x) for k, x in v.items()} if isinstance(v, dict) else v

    @field_validator("volume", mode="before")
    @classmethod
    def _volume(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, dict):
            v = _factor(v)  # a mistake is reported at volume, not at an inner key
        return _everyone(v, is_single=lambda d: False)

    @field_validator("patience", mode="before")
    @classmethod
    def _patience(cls, v: Any) -> Any:
        if v is not None and (not isinstance(v, dict) or "dist" in v):
            v = _time_change(v)
        return _everyone(v, is_single=lambda d: "dist" in d)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a scenario needs a name")
        return v

    # -- data ----------------------------------------------------------------------------------
    def to_data(self) -> dict[str, Any]:
        """The scenario as plain data, as written in a scenarios file (defaults left out)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_defaults=True, exclude_none=True)
        for key in ("volume", "patience"):
            if key in data and list(data[key]) == [EVERYONE]:
                data[key] = data[key][EVERYONE]
        return data

    @property
    def source(self) -> str | None:
        """The file this scenario was loaded from, if any."""
        return self._origin[0] if self._origin else None

    def summary(self) -> str:
        """What the scenario changes, in a line.

        >>> Scenario("x", volume=1.2, extra_staff={"agent": {"late": 1}}).summary()
        'agent: +1 on late; arrivals ×1.2'
        """
        parts: list[str] = []
        for role, st in self.staffing.items():
            parts.append(f"{role}: {st}")
        for role, extra in self.extra_staff.items():
            if isinstance(extra, dict):
                parts.append(f"{role}: " + ", ".join(f"{n:+d} on {shift}" for shift, n in extra.items()))
            else:
                parts.append(f"{role}: {extra:+d} staff")
        for name, fields in self.roles.items():
            parts.append(f"{name}: {', '.join(fields)} changed")
        parts += [f"adds role {r.name}" for r in self.add_roles]
        parts += [f"removes step {s}" for s in self.remove_steps]
        parts += [f"adds step {s.id}" for s in self.add_steps]
        for sid, fields in self.steps.items():
            parts.append(f"{sid}: {', '.join(fields)} changed")
        for sid, change in self.durations.items():
            parts.append(f"{sid} duration " + (f"×{format_number(change)}" if isinstance(change, float) else str(change)))
        parts += [f"removes {f}" for f in self.remove_flows]
        parts += [f"{f} now to {t}" for f, t in self.reroute.items()]
        parts += [f"adds {f}" for f in self.add_flows]
        for sid, targets in self.probabilities.items():
            for t, p in targets.items():
                parts.append(f"{sid} -> {t}: " + (p if isinstance(p, str) else f"{format_number(round(p * 100, 2))}%"))
        for name, fields in self.arrivals.items():
            parts.append(f"{name}: new {', '.join(fields)}")
        for name, f in self.volume.items():
            parts.append(f"{'arrivals' if name == EVERYONE else name} ×{format_number(f)}")
        for name, change in self.patience.items():
            who = "patience" if name == EVERYONE else f"{name} patience"
            parts.append(f"{who} " + (f"×{format_number(change)}" if isinstance(change, float) else str(change)))
        return "; ".join(parts) if parts else "no change"

    # -- applying ---------------------------------------------------------------------------------
    def apply(self, blueprint: Blueprint) -> Blueprint:
        """A new blueprint with this scenario's changes, validated; the original is left as it was.

        Raises :class:`ScenarioError` (located messages prefixed by the
        scenario's name) when a change names something the blueprint does not
        have or leaves the blueprint invalid.
        """
        blueprint.validate().raise_for_errors()
        work = _Work(self, blueprint)
        work.run()
        if work.problems:
            raise ScenarioError([(self.name, p) for p in work.problems], source=self.source)
        report = work.new.validate()
        if report.errors:
            raise ScenarioError([(self.name, work.translate(p)) for p in report.errors + report.warnings], source=self.source)
        return work.new

    def diagram(self, blueprint: Blueprint, **options: Any) -> Any:
        """Draw the changed blueprint with the changed steps highlighted and notes on what changed.

        Added steps are green with a ``+`` badge, changed ones amber with a
        ``Δ`` badge, each with a short note; the subtitle names the scenario
        and its changes (and the steps it removed). Options go to
        :meth:`blueprint.Blueprint.render`.
        """
        changed = self.apply(blueprint)
        overlays, removed = changed_steps(blueprint, changed)
        subtitle = f"Scenario {self.name!r}: {self.description or self.summary()}"
        if removed:
            subtitle += f" (removed: {', '.join(removed)})"
        options.setdefault("subtitle", subtitle)
        options.setdefault("title", f"{blueprint.name}: {self.name}")
        keys = [(ADDED_FILL, "step the scenario adds (+)"), (CHANGED_FILL, "step it changes (Δ)")]
        options.setdefault("legend_items", keys)
        return changed.render(overlays={**overlays, **options.pop("overlays", {})}, **options)

    def __repr__(self) -> str:
        return f"<Scenario {self.name!r}: {self.summary()}>"


Scenario.__pydantic_custom_init__ = False
Scenario.model_rebuild(force=True)


# -- the work of applying a scenario -------------------------------------------------------------

_LISTS = ("steps", "flows", "roles", "arrivals")


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


def _unknown(what: str, name: str, known: Iterable[str], where: str = "") -> str:
    known = list(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"unknown {what} {name!r}{where}; did you mean {close[0]!r}?"
    return f"unknown {what} {name!r}{where}; known: {', '.join(known) or 'none'}"


class _Work:
    def __init__(self, scenario: Scenario, bp: Blueprint) -> None:
        self.sc = scenario
        self.bp = bp
        self.new = bp.model_copy(deep=True)
        self.new._origin = None
        self.origins: dict[str, list[_Origin]] = {k: [_Origin(False, (k, i)) for i in range(len(getattr(bp, k)))] for k in _LISTS}
        self.problems: list[Problem] = []

    # -- problems --------------------------------------------------------------------------------
    def _scenario_problem(self, severity: str, code: str, loc: Loc, message: str) -> Problem:
        file, lines, prefix = self.sc._origin or (None, None, ())
        line = _line_of(tuple(prefix) + tuple(loc), lines) if lines else None
        return Problem(severity, code, format_path(loc), message, file, line)  # type: ignore[arg-type]

    def problem(self, loc: Loc, message: str) -> None:
        self.problems.append(self._scenario_problem("error", "scenario", loc, message))

    def pydantic_problems(self, e: ValidationError, root: type, loc: Loc) -> None:
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
        return Problem(p.severity, p.code, format_path(loc), p.message, file, _line_of(loc, lines) if lines else None)

    # -- look-ups ----------------------------------------------------------------------------------
    def role_index(self, name: str, loc: Loc) -> int | None:
        for i, r in enumerate(self.new.roles):
            if r.name == name:
                return i
        self.problem(loc, _unknown("role", name, (r.name for r in self.new.roles)))
        return None

    def step_index(self, sid: str, loc: Loc) -> int | None:
        for i, s in enumerate(self.new.steps):
            if s.id == sid:
                return i
        self.problem(loc, _unknown("step", sid, (s.id for s in self.new.steps)))
        return None

    def flow_indices(self, text: str, loc: Loc, *, branch_only: bool = False) -> list[int]:
        src, dst = _arrow(text)
        found = [i for i, f in enumerate(self.new.flows) if f.source == src and f.target == dst and (f.is_branch or not branch_only)]
        if not found:
            targets = [f.target for f in self.new.flows if f.source == src and (f.is_branch or not branch_only)]
            if targets:
                self.problem(loc, f"no {'branch ' if branch_only else ''}flow {src} -> {dst}; flows leaving {src!r} go to {', '.join(targets)}")
            else:
                self.problem(loc, f"no flow {src} -> {dst}; " + (f"no flow leaves {src!r}" if src in {s.id for s in self.new.steps} else _unknown("step", src, (s.id for s in self.new.steps))))
        return found

    def set(self, kind: str, i: int, item: Any, origin: _Origin) -> None:
        getattr(self.new, kind)[i] = item
        self.origins[kind][i] = origin

    def append(self, kind: str, item: Any, origin: _Origin) -> None:
        getattr(self.new, kind).append(item)
        self.origins[kind].append(origin)

    def keep(self, kind: str, keep: list[bool]) -> None:
        items = getattr(self.new, kind)
        items[:] = [x for x, k in zip(items, keep) if k]
        self.origins[kind] = [o for o, k in zip(self.origins[kind], keep) if k]

    def patched(self, model: type, item: Any, patch: dict[str, Any], loc: Loc, drop: tuple[str, ...] = ()) -> Any:
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
        for step in (self.roles, self.staffing, self.extra_staff, self.remove_steps, self.add_steps, self.step_fields,
                     self.durations, self.remove_flows, self.reroute, self.add_flows, self.probabilities,
                     self.arrivals, self.volume, self.patience):
            step()

    def roles(self) -> None:
        names = {r.name for r in self.new.roles}
        for k, role in enumerate(self.sc.add_roles):
            if role.name in names:
                self.problem(("add_roles", k, "name"), f"role {role.name!r} exists already; change it under roles: or staffing:")
                continue
            names.add(role.name)
            self.append("roles", role.model_copy(deep=True), _Origin(True, ("add_roles", k)))
        for name, patch in self.sc.roles.items():
            i = self.role_index(name, ("roles", name))
            if i is not None:
                role = self.patched(Role, self.new.roles[i], patch, ("roles", name))
                if role is not None:
                    self.set("roles", i, role, _Origin(True, ("roles", name)))

    def staffing(self) -> None:
        for name, st in self.sc.staffing.items():
            i = self.role_index(name, ("staffing", name))
            if i is not None:
                self.set("roles", i, self.new.roles[i].model_copy(update={"staffing": st}), _Origin(True, ("staffing", name), exact=False))

    def extra_staff(self) -> None:
        for name, extra in self.sc.extra_staff.items():
            loc: Loc = ("extra_staff", name)
            i = self.role_index(name, loc)
            if i is None:
                continue
            st = self.new.roles[i].staffing
            new = self._add_staff(name, st, extra, loc)
            if new is not None:
                self.set("roles", i, self.new.roles[i].model_copy(update={"staffing": new}), _Origin(True, loc, exact=False))

    def _add_staff(self, role: str, st: Staffing | None, extra: int | dict[str, int], loc: Loc) -> Staffing | None:
        if st is None or st.kind == "unlimited":
            self.problem(loc, f"role {role!r} has {'no' if st is None else 'unlimited'} staffing to add to; set it under staffing:")
            return None
        if st.kind in ("headcount", "profile"):
            if isinstance(extra, dict):
                self.problem(loc, f"role {role!r} has a {'headcount' if st.kind == 'headcount' else 'headcount per interval'}, not shifts; give a number, e.g. {role}: 1")
                return None
            if st.kind == "headcount":
                n = (st.headcount or 0) + extra
                if n < 0:
                    self.problem(loc, f"role {role!r} has {st.headcount} staff; cannot take {-extra} away")
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
                    self.problem(loc, f"role {role!r} has fewer than {-extra} staff in some intervals; cannot take {-extra} away")
                    return None
            return Staffing(profile=p.model_copy(update=new_lists))
        shifts = list(st.shifts or [])
        if not isinstance(extra, dict):
            if len(shifts) != 1:
                known = ", ".join(s.name or s.start for s in shifts)
                self.problem(loc, f"role {role!r} works {len(shifts)} shifts; say which, e.g. {{{role}: {{{shifts[0].name or shifts[0].start}: {extra}}}}} (shifts: {known})")
                return None
            extra = {shifts[0].name or shifts[0].start: extra}
        ok = True
        for key, n in extra.items():
            matches = [j for j, s in enumerate(shifts) if key in (s.name, s.start)]
            if not matches:
                self.problem(loc + (key,), _unknown("shift", key, (s.name or s.start for s in shifts), where=f" of role {role!r}"))
                ok = False
                continue
            for j in matches:
                count = shifts[j].count + n
                if count < 0:
                    self.problem(loc + (key,), f"shift {key!r} has {shifts[j].count} staff; cannot take {-n} away")
                    ok = False
                    continue
                shifts[j] = shifts[j].model_copy(update={"count": count})
        return Staffing(shifts=shifts) if ok else None

    def remove_steps(self) -> None:
        removed: set[str] = set()
        ids = {s.id for s in self.new.steps}
        for k, sid in enumerate(self.sc.remove_steps):
            if sid not in ids:
                self.problem(("remove_steps", k), _unknown("step", sid, ids))
            removed.add(sid)
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
            self.problem(loc, _unknown("arrival stream", name, (a.name for a in self.new.arrivals)))
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
                self.problem(loc, _unknown("arrival stream or segment", name, known))
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


# -- what changed, for diagrams ---------------------------------------------------------------------

CHANGED_FILL = "#ffe3a1"
ADDED_FILL = "#c9efd2"


def _staff_hours_per_day(st: Staffing | None) -> float | None:
    if st is None or st.kind == "unlimited":
        return None
    if st.kind == "headcount":
        return float(st.headcount or 0) * 24
    if st.kind == "profile":
        p = st.profile
        assert p is not None
        return sum(v for _, _, v in p.segments()) * p.interval.seconds / 3600 / 7
    return sum(s.count * s.paid_hours * len(s.working_days()) for s in st.shifts or []) / 7


def _staff_text(st: Staffing | None) -> str:
    hours = _staff_hours_per_day(st)
    if hours is None:
        return str(st) if st is not None else "no staffing"
    return f"{format_number(round(hours, 1))} staff h/day"


def _share(f: Flow) -> str:
    if f.otherwise:
        return "otherwise"
    return f"{format_number(round(f.probability * 100, 2))}%" if f.probability is not None else "all"


def _flows_note(before: list[Flow], after: list[Flow]) -> str:
    """``→ bot (was answer)``, ``→ specialist 15% (was 20%)`` and the like."""
    old_targets = {f.target for f in before}
    new_targets = [f.target for f in after if f.target not in old_targets]
    gone = [f.target for f in before if f.target not in {g.target for g in after}]
    if len(new_targets) == 1 and len(gone) == 1:
        return f"→ {new_targets[0]} (was {gone[0]})"
    parts = []
    if new_targets:
        parts.append("→ " + ", ".join(new_targets))
    if gone:
        parts.append("no longer → " + ", ".join(gone))
    old = {f.target: f for f in before}
    for f in after:
        o = old.get(f.target)
        if o is not None and (o.probability, o.otherwise) != (f.probability, f.otherwise):
            parts.append(f"→ {f.target} {_share(f)} (was {_share(o)})")
        elif o is not None and o != f:
            parts.append(f"→ {f.target} changed")
    return "; ".join(parts) or "flows changed"


def changed_steps(before: Blueprint, after: Blueprint) -> tuple[dict[str, Any], list[str]]:
    """Overlays marking what ``after`` changes in ``before`` (for :meth:`Scenario.diagram`), and the ids of removed steps.

    A step is marked when it is new, when its own fields, the flows leaving
    it, the role it uses or the arrivals entering it changed.
    """
    from blueprint.render import StepOverlay

    old_steps = {s.id: s for s in before.steps}
    notes: dict[str, list[str]] = {s.id: [] for s in after.steps}
    added = [s.id for s in after.steps if s.id not in old_steps]
    for s in after.steps:
        o = old_steps.get(s.id)
        if o is None:
            continue
        if o.duration != s.duration:
            was = _short_duration(o.duration.mean) if o.duration else "none"
            now = _short_duration(s.duration.mean) if s.duration else "none"
            notes[s.id].append(f"mean {was} → {now}" if was != now else "duration changed")
        others = [k for k in type(s).model_fields if k not in ("duration",) and getattr(o, k) != getattr(s, k)]
        if others:
            notes[s.id].append(f"{', '.join(others)} changed")
        out_before = {(f.target, f.kind, f.probability, f.otherwise) for f in before.flows_from(s.id)}
        out_after = {(f.target, f.kind, f.probability, f.otherwise) for f in after.flows_from(s.id)}
        if out_before != out_after:
            notes[s.id].append(_flows_note(before.flows_from(s.id), after.flows_from(s.id)))
    old_roles = {r.name: r for r in before.roles}
    for r in after.roles:
        o = old_roles.get(r.name)
        if o == r:
            continue
        users = [s.id for s in after.steps if s.role == r.name]
        if not users:
            continue
        if o is None:
            text = f"new role {r.name}"
        elif o.staffing != r.staffing:
            text = f"{r.name}: {_staff_text(o.staffing)} → {_staff_text(r.staffing)}"
        else:
            fields = [k for k in type(r).model_fields if getattr(o, k) != getattr(r, k)]
            text = f"{r.name}: {', '.join(fields)} changed"
        notes[users[0]].append(text)
        for sid in users[1:]:
            notes[sid].append("")
    old_arrivals = {a.name: a for a in before.arrivals}
    for a in after.arrivals:
        o = old_arrivals.get(a.name)
        if o == a or a.step not in notes:
            continue
        parts = []
        if o is None or o.step != a.step:
            parts.append("new arrivals")
        else:
            was, now = o.per_day(), a.per_day()
            if was != now:
                parts.append(f"arrivals ×{format_number(round(now / was, 3))}" if was else "arrivals changed")
            if (o.patience, [s.patience for s in o.segments]) != (a.patience, [s.patience for s in a.segments]):
                parts.append("patience changed")
            if not parts:
                parts.append("arrivals changed")
        notes[a.step].append(", ".join(parts))
    overlays = {}
    for sid, texts in notes.items():
        if sid in added:
            overlays[sid] = StepOverlay(fill=ADDED_FILL, badge="+", note="; ".join(t for t in texts if t) or "new step")
        elif texts:
            overlays[sid] = StepOverlay(fill=CHANGED_FILL, badge="Δ", note="; ".join(t for t in texts if t) or None)
    removed = [sid for sid in old_steps if sid not in notes]
    return overlays, removed


# -- files -------------------------------------------------------------------------------------------


def _file_problem(message: str, source: str, line: int | None = None, path: str = "") -> BlueprintFileError:
    return BlueprintFileError([Problem("error", "not-scenarios", path, message, source, line)], source)


def load_scenarios(path: str | os.PathLike[str], *, blueprint: Blueprint | str | os.PathLike[str] | None = None) -> list[Scenario]:
    """Read scenarios from a YAML or JSON file.

    The file holds a list of scenarios, or a mapping with ``scenarios:`` (and
    optionally ``blueprint:``, the blueprint file they change, relative to this
    file). Shape errors raise :class:`~blueprint.BlueprintFileError` listing
    all of them with file, line and field path. When the blueprint is known
    (``blueprint=`` or the file's ``blueprint:``), every scenario is applied to
    it, and :class:`ScenarioError` lists what fails.

    >>> scenarios = load_scenarios("examples/contact_center.scenarios.yaml")
    >>> [s.name for s in scenarios][:2]
    ['one more late agent', 'chatbot in front of the agents']
    """
    p = Path(path)
    source = str(path)
    text = read_text_file(path, "a scenarios file")
    data, lines = read_data(text, source=source, format="json" if p.suffix.lower() == ".json" else "yaml")
    prefix: Loc = ()
    named_blueprint = None
    if isinstance(data, dict):
        unknown = [k for k in data if k not in ("scenarios", "blueprint", "description")]
        if unknown:
            raise _file_problem(_unknown("field", str(unknown[0]), ["scenarios", "blueprint", "description"]), source, lines.get((unknown[0],)), str(unknown[0]))
        if "scenarios" not in data:
            raise _file_problem("expected scenarios: with a list of scenarios", source, lines.get((), 1))
        named_blueprint = data.get("blueprint")
        if named_blueprint is not None and not isinstance(named_blueprint, str):
            raise _file_problem(f"expected the path of a blueprint file, got {named_blueprint!r}", source, lines.get(("blueprint",)), "blueprint")
        items, prefix = data["scenarios"], ("scenarios",)
    else:
        items = data
    if not isinstance(items, list):
        raise _file_problem("expected a list of scenarios (each with a name and its changes)", source, lines.get(prefix, 1), format_path(prefix))
    problems: list[Problem] = []
    scenarios: list[Scenario] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        loc = prefix + (i,)
        try:
            sc = Scenario.model_validate(item)
        except ValidationError as e:
            problems += problems_from_pydantic(e, root=Scenario, file=source, lines=lines, prefix=loc)
            continue
        if sc.name in seen:
            problems.append(Problem("error", "duplicate-scenario", format_path(loc + ("name",)),
                                    f"another scenario is called {sc.name!r} ({format_path(prefix + (seen[sc.name],))})",
                                    source, _line_of(loc + ("name",), lines)))
        seen.setdefault(sc.name, i)
        sc._origin = (source, lines, loc)
        scenarios.append(sc)
    if problems:
        raise BlueprintFileError(problems, source)
    if blueprint is None and named_blueprint is not None:
        blueprint = p.parent / named_blueprint
    if blueprint is not None:
        if not isinstance(blueprint, Blueprint):
            from blueprint import load

            blueprint = load(blueprint)
        check(blueprint, scenarios)
    return scenarios


def check(blueprint: Blueprint, scenarios: Iterable[Scenario]) -> list[Blueprint]:
    """Apply every scenario; one :class:`ScenarioError` listing all that fail, or the changed blueprints."""
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

