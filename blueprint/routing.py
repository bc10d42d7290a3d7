"""Skills-based routing: staff groups whose members have several skills, and the rules of the ACD.

A step names the skill it needs in its ``role`` field, as it always has. Without
groups, a role is one pool of interchangeable staff. With groups, a role that
some group lists among its ``skills`` is a *skill*: its calls wait in the skill's
queue and are served by members of any group that has it. Each group has its own
staffing and cost; its skills are listed in the group's order of preference (its
specialty first), each optionally with a *time factor*: the share of the step's
sampled duration a member of the group takes (``0.75``: a quarter faster).

The rules, chosen for the whole blueprint (:class:`Routing`) or per step
(:class:`Route`):

* **A new call** goes to the first group in its route (the step's ``route.groups``,
  else every group with the skill, in the order they are declared) that has a free
  member; when none has, it waits in its skill's queue.
* **Which free member** of that group (``routing.agent``): ``longest_idle`` (the one
  free the longest), ``random`` (uniform), ``fixed_order`` (the first declared, i.e.
  the lowest member number).
* **Which call a freed member takes** (``routing.call``): ``longest_waiting``, the
  call among its group's skills that has waited longest (a larger priority first);
  or ``skill_order``, the head of the first of its group's skills (in the group's
  order) that has a call waiting for it.
* **Overflow after a delay** (``route.overflow_after``): for that long the call waits
  only for the first group of its route; then every group of the route may take it.
* **Patience** is drawn once per customer; ``routing.patience: per_queue`` draws it
  afresh at each queue the customer joins instead.

>>> import blueprint
>>> bp = blueprint.Blueprint("Hotline")
>>> en = bp.onstage("English call", role="english", duration="exp(5 min)")
>>> es = bp.onstage("Spanish call", role="spanish", duration="exp(5 min)")
>>> _ = bp.role("english"); _ = bp.role("spanish")
>>> _ = bp.group("bilingual", skills=["spanish", "english"], staffing=2)
>>> _ = bp.group("english only", skills=["english"], staffing=4)
>>> [g.name for g in bp.groups_with("english")]
['bilingual', 'english only']
>>> bp.groups[0].time_factor("spanish")
1.0
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema, field_validator, model_validator

from .base import Model, check_name_length
from .staffing import Staffing
from .units import Duration

__all__ = ["route_text", "AgentChoice", "Busyness", "CallChoice", "Group", "PatienceRule", "Route", "Routing"]


class AgentChoice(str, Enum):
    """Which free member of a group takes a new call."""

    LONGEST_IDLE = "longest_idle"
    RANDOM = "random"
    FIXED_ORDER = "fixed_order"


class CallChoice(str, Enum):
    """Which waiting call a member who comes free takes."""

    LONGEST_WAITING = "longest_waiting"
    SKILL_ORDER = "skill_order"


class PatienceRule(str, Enum):
    """Patience drawn once per customer (the same at every queue) or afresh at each queue."""

    PER_CUSTOMER = "per_customer"
    PER_QUEUE = "per_queue"


_FACTOR = {"type": "number", "exclusiveMinimum": 0, "maximum": 100}
_SKILLS_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        {"type": "array", "minItems": 1, "items": {"anyOf": [
            {"type": "string"},
            {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": _FACTOR}]}},
        {"type": "object", "minProperties": 1, "additionalProperties": _FACTOR},
    ],
    "description": "role names in order of preference, or {role: time factor}",
}


class Group(Model):
    """Staff who share a set of skills, a staffing and a cost.

    ``skills`` is a list of role names in the group's order of preference, or a
    mapping ``{role: time factor}`` (the share of a step's duration a member takes).
    ``concurrency`` is how many calls one member serves at once (chats): a new call goes to
    the member with the fewest in hand.
    """

    name: str
    description: str | None = None
    skills: Annotated[dict[str, float], WithJsonSchema(_SKILLS_SCHEMA)] = Field(
        description="the roles (skills) its members serve, in order of preference, each with the share of a step's "
                    "time they take (1 unless said)")
    cost_per_hour: float = Field(0.0, ge=0, le=1_000_000_000, description="cost of one paid hour (at most 10^9: a sum of such costs stays finite)")
    staffing: Staffing | None = None
    concurrency: int = Field(1, ge=1, description="calls one member serves at once, e.g. 3 chats")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a group needs a name")
        return check_name_length(v, "a group name")

    @field_validator("skills", mode="before")
    @classmethod
    def _skills(cls, v: Any) -> Any:
        if isinstance(v, str):
            return {v: 1.0}
        if isinstance(v, (list, tuple)):
            out: dict[Any, Any] = {}
            for k, item in enumerate(v):
                if isinstance(item, dict) and len(item) == 1:
                    (name, factor), = item.items()
                elif isinstance(item, str):
                    name, factor = item, 1.0
                else:
                    raise ValueError(f"skills[{k}]: expected a role name or {{role: time factor}}, got {item!r}")
                if not isinstance(name, str):
                    raise ValueError(f"skills[{k}]: expected a role name, got {name!r}")
                if name in out:
                    raise ValueError(f"skill {name!r} is listed twice")
                out[name] = factor
            return out
        return v

    @field_validator("skills")
    @classmethod
    def _factors(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("a group needs at least one skill: the roles its members serve")
        for skill, factor in v.items():
            if not 0 < factor <= 100:
                raise ValueError(f"time factor of {skill!r} must be above 0 and at most 100, got {factor:g}")
        return v

    def time_factor(self, skill: str) -> float:
        """The share of a step's duration a member of this group takes on ``skill``."""
        return self.skills[skill]

    def __str__(self) -> str:
        return f"{self.name} ({', '.join(self.skills)})"


class Route(Model):
    """A step's own routing: the groups that may take its calls, in order, and an overflow delay."""

    groups: list[str] = Field(default_factory=list, description="groups in the order a call tries them; "
                                                                "every group with the skill when left out")
    overflow_after: Duration | None = Field(None, description="wait only for the first group this long, then for all")

    @model_validator(mode="after")
    def _overflow_needs_two(self) -> Route:
        if self.overflow_after is not None and len(self.groups) == 1:
            raise ValueError("overflow_after needs at least two groups: the first, then the ones it overflows to")
        return self


class Routing(Model):
    """The ACD's rules for the whole blueprint (see the module notes for each)."""

    agent: AgentChoice = AgentChoice.LONGEST_IDLE
    call: CallChoice = CallChoice.LONGEST_WAITING
    patience: PatienceRule = PatienceRule.PER_CUSTOMER


class Busyness(Model):
    """Forecast error, not Poisson noise: each simulated day every arrival rate is multiplied by one factor
    drawn from a Gamma distribution with mean 1 and this ``shape`` (coefficient of variation 1/√shape).
    A day's arrivals then have variance m + m²/shape instead of m (Poisson). Fixed arrival times are not scaled.

    >>> Busyness(shape=25).cv
    0.2
    """

    shape: float = Field(gt=0, le=1e9, description="the Gamma shape; the day-to-day coefficient of variation is 1/√shape")

    @property
    def cv(self) -> float:
        """The coefficient of variation of the day's factor."""
        return float(self.shape ** -0.5)


def route_text(bp: Any, step: Any) -> str | None:
    """How a diagram names the staff of a routed step: its skill and the groups in the order a call tries
    them (``›``), and after how long a call also waits for the rest where it overflows; None for a step whose
    role is not routed.

    >>> import blueprint
    >>> bp = blueprint.Blueprint("Hotline")
    >>> es = bp.onstage("Spanish call", role="spanish", duration="exp(5 min)")
    >>> _ = bp.role("spanish")
    >>> _ = bp.group("spanish_agents", skills=["spanish"], staffing=2)
    >>> _ = bp.group("bilingual", skills=["spanish", "english"], staffing=1)
    >>> route_text(bp, bp.steps[0])
    'spanish: spanish_agents › bilingual'
    >>> bp.steps[0].route = Route(groups=["spanish_agents", "bilingual"], overflow_after="20 s")
    >>> route_text(bp, bp.steps[0])
    'spanish: spanish_agents, after 20 s also bilingual'
    """
    if step.role is None or not bp.routed(step.role):
        return None
    route = step.route
    names = list(route.groups) if route is not None and route.groups else [g.name for g in bp.groups_with(step.role)]
    if route is not None and route.overflow_after is not None and len(names) > 1:
        return f"{step.role}: {names[0]}, after {route.overflow_after} also " + " › ".join(names[1:])
    return f"{step.role}: " + " › ".join(names)
