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

The model and its vocabulary live here; applying it in
:mod:`simulate.scenarios.apply`, what it changes on the diagram in
:mod:`simulate.scenarios.diagram`, its files in :mod:`simulate.scenarios.files`.

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
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
)

from blueprint import Blueprint
from blueprint.base import Document, Model, Probability, check_name_length
from blueprint.distributions import Distribution, distribution_json_schema, parse_distribution
from blueprint.errors import BlueprintValidationError, Loc, Problem
from blueprint.model import Flow, Role, Step
from blueprint.routing import Group
from blueprint.staffing import Staffing
from blueprint.units import format_number
from simulate.scenarios.diagram import ADDED_FILL, CHANGED_FILL, changed_steps

if TYPE_CHECKING:
    from blueprint.render import Diagram

__all__ = ["EVERYONE", "Arrow", "CrossTrain", "Factor", "Scenario", "ScenarioError", "TimeChange", "parse_arrow", "unknown_name"]

EVERYONE = "*"  # key of a change that applies to every arrival stream


# -- field types ------------------------------------------------------------------------------


def _factor(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"expected a factor: a number more than 0 (e.g. 1.2 for 20% more), got {value!r}")
    return float(value)


def _time_change(value: Any) -> float | Distribution:
    """A distribution replaces; a plain number is a factor."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _factor(value)
    if isinstance(value, Distribution):
        return value
    try:
        return parse_distribution(value)
    except ValueError as e:
        raise ValueError(f"{e}; or give a factor such as 0.9") from None


def _dump_time_change(value: float | Distribution) -> float | dict[str, Any] | str:
    return value.to_data() if isinstance(value, Distribution) else value


TimeChange = Annotated[
    Any,
    BeforeValidator(_time_change),
    PlainSerializer(_dump_time_change),
    WithJsonSchema({
        "description": "a new distribution ('exp(3 min)') or a factor (0.9)",
        "anyOf": [*distribution_json_schema()["anyOf"], {"type": "number", "exclusiveMinimum": 0}],
    }),
]
Factor = Annotated[
    float, BeforeValidator(_factor), WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "description": "a factor, e.g. 1.2"})
]


def _everyone(value: Any, *, is_single: Callable[[dict[str, Any]], bool]) -> Any:
    """``x`` -> ``{"*": x}``; a mapping of names stays as it is."""
    if value is None:
        return {}
    if isinstance(value, dict) and not is_single(value):
        return value
    return {EVERYONE: value}


_ARROW_RE = re.compile(r"^\s*([^\s>-][^>]*?)\s*->\s*(\S.*?)\s*$")


def parse_arrow(text: str) -> tuple[str, str]:
    """``"a -> b"`` as ``("a", "b")``: how a scenario names a flow.

    >>> parse_arrow("resolve -> specialist")
    ('resolve', 'specialist')
    """
    m = _ARROW_RE.match(text) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"cannot read flow {text!r}; write 'source -> target'")
    return m.group(1), m.group(2)


def _check_arrow(value: Any) -> str:
    src, dst = parse_arrow(value)
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


def unknown_name(what: str, name: str, known: Iterable[str], where: str = "") -> str:
    """The message for a name a scenario uses that the blueprint (or file) does not have, with the closest known one.

    >>> unknown_name("role", "agnet", ["agent", "specialist"])
    "unknown role 'agnet'; did you mean 'agent'?"
    """
    known = list(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"unknown {what} {name!r}{where}; did you mean {close[0]!r}?"
    return f"unknown {what} {name!r}{where}; known: {', '.join(known) or 'none'}"



# -- the scenario ------------------------------------------------------------------------------


class CrossTrain(Model):
    """``count`` members of a group learn what another group knows and move to it (``to``)."""

    to: str = Field(description="the group they join: it has every skill of theirs, and more")
    count: int = Field(ge=1, le=100_000, description="how many members move")


class Scenario(Document):
    """A named set of changes to a blueprint (see the module docstring).

    Changes by role: ``staffing`` (new staffing per role: a headcount, a
    profile, shifts, or an object with ``to_staffing()`` such as a shift plan;
    or an object whose ``plans`` map roles to such plans), ``extra_staff``
    (staff added to a headcount or profile, ``{role: 1}``, or to named shifts,
    ``{role: {late: 1}}``, or to a shift by its start time, ``{role: {"07:15": 1}}``, where
    several shifts share a name; negative numbers take staff away), ``roles`` (other
    fields of a role, e.g. ``{cost_per_hour: 30}``), ``add_roles``.

    Changes by step and flow: ``durations`` (per step, a distribution or a
    factor), ``steps`` (other fields of a step), ``add_steps``,
    ``remove_steps`` (their flows go too), ``probabilities`` (``{step:
    {target: p or "otherwise"}}``), ``add_flows``, ``remove_flows``
    (``"a -> b"``), ``reroute`` (``{"a -> b": c}``: the flow keeps its
    probability and kind and goes to ``c`` instead).

    Staff groups (skills-based routing, :mod:`blueprint.routing`): ``staffing`` and ``extra_staff`` take a
    group's name as well as a role's; ``groups`` (other fields of a group, e.g. ``{skills: [...]}``),
    ``add_groups``, ``routing`` (fields of the ACD's rules, e.g. ``{call: skill_order}``), and ``cross_train``
    (``{group: {to: other, count: k}}``: k members leave the group and join ``other``, which must have all their
    skills; "how many bilingual agents do we need?").

    Changes to arrivals: ``volume`` (a factor for every stream, or
    ``{stream: factor}``), ``arrivals`` (``{stream: {rate: ...}}``: fields of a
    stream replaced; a new rate, profile or times replaces the old form),
    ``patience`` (a distribution or a factor for everyone, or ``{stream or
    segment: ...}``).

    Changes are made in this order: roles, groups, staffing, cross-training, steps removed and added,
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
    add_groups: list[Group] = Field(default_factory=list, description="staff groups added (skills-based routing)")
    groups: dict[str, dict[str, Any]] = Field(default_factory=dict, description="fields of a staff group replaced")
    routing: dict[str, Any] = Field(default_factory=dict, description="fields of the blueprint's routing rules replaced")
    cross_train: dict[str, CrossTrain] = Field(
        default_factory=dict, description="{group: {to: other group, count: k}}: k members move to a group with more skills"
    )

    _origin: tuple[str | None, dict[Loc, int] | None, Loc] | None = PrivateAttr(None)

    @field_validator("name")
    @classmethod
    def _not_baseline(cls, v: str) -> str:
        if v == "baseline":  # it would take the unchanged blueprint's place in a comparison without a word
            raise ValueError("'baseline' is the name of the blueprint unchanged, which the others are measured "
                             "against; give this scenario another name (and pass that name as the baseline, "
                             "--baseline on the command line, to measure the others against it)")
        return v

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
        unseen = sorted({ch for ch in v if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200c\u200d"})
        if unseen:
            raise ValueError(f"a scenario name names a column and a chart's line: it holds characters not meant to be "
                             f"seen ({', '.join(f'U+{ord(ch):04X}' for ch in unseen[:5])}); remove them")
        return check_name_length(v, "a scenario name")

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
        for name, fields in self.groups.items():
            parts.append(f"{name}: {', '.join(fields)} changed")
        parts += [f"adds group {g.name}" for g in self.add_groups]
        if self.routing:
            parts.append("routing: " + ", ".join(f"{k} {v}" for k, v in self.routing.items()))
        for name, move in self.cross_train.items():
            parts.append(f"{move.count} of {name} cross-trained into {move.to}")
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
        from simulate.scenarios.apply import apply_scenario  # lazy façade: apply.py builds on this module

        return apply_scenario(self, blueprint)

    def diagram(self, blueprint: Blueprint, **options: Any) -> Diagram:
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
