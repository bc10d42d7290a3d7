"""The service blueprint as validated data: steps, flows, roles and arrivals.

Each class validates the shape of its own fields when it is built (a
triangular duration with ``low > high`` is refused at once). Checks that need
the whole blueprint (unknown references, unreachable steps, probabilities
that do not add up) are made by :meth:`Blueprint.validate`, which reports all
of them together.

>>> bp = Blueprint("Coffee")
>>> order = bp.customer("Order")
>>> make = bp.backstage("Make drink", role="barista", duration="triangular(1, 2, 4) min")
>>> _ = order >> make
>>> _ = bp.role("barista", staffing=2)
>>> bp.steps[1].duration.mean
140.0
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

from pydantic import Field, PrivateAttr, field_validator, model_validator

from .arrivals import Arrivals
from .base import Document, Model, OneOrMany, Probability, Slug, check_name_length, slugify
from .builder import BuilderMixin
from .distributions import Distribution
from .errors import Loc, ValidationReport
from .experience import Expectations, Experience
from .lanes import Lane
from .routing import Busyness, Group, Route, Routing
from .staffing import Staffing, Target
from .units import Duration

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping
    from pathlib import Path

    from .files import Format
    from .render import Diagram

__all__ = [
    "Blueprint",
    "Stage",
    "Step",
    "Flow",
    "FlowKind",
    "Role",
    "FailPoint",
    "WaitPoint",
    "Provenance",
]


class Provenance(str, Enum):
    """Where a number came from, so a result built on guesses can say so."""

    OBSERVED = "observed"
    ASSUMED = "assumed"
    PROPOSED = "proposed"
    FITTED = "fitted"

    def __str__(self) -> str:
        return self.value


_PROVENANCE_FIELDS = ("duration", "fail_point", "wait_point", "cost")


class FailPoint(Model):
    """A step where the service is likely to go wrong (drawn as a circled F).

    With a ``probability`` the simulator fails that share of visits and sends
    the customer to ``recovery``; with no recovery step a failed customer is
    lost. Written as text alone, it is just the description.
    """

    description: str = ""
    probability: Probability | None = None
    recovery: str | None = Field(None, description="id of the step a failed customer is sent to")

    @model_validator(mode="before")
    @classmethod
    def _text(cls, data: Any) -> Any:
        return {"description": data} if isinstance(data, str) else data


class WaitPoint(Model):
    """Where the customer waits, with the wait they tolerate (drawn as a W).

    Written as a duration alone (``wait_point: 60 s``) it is the tolerance.
    """

    tolerance: Duration = Field(description="the longest wait the customer finds acceptable")
    expectation: str | None = Field(None, description="what the customer expects, in words")
    segments: dict[str, Duration] = Field(default_factory=dict, description="the tolerance of customer segments whose "
                                          "differs, by segment name (e.g. {business: 30 s})")
    duration: Duration | None = Field(None, description="a staffed step: the longest its service may take once the "
                                      "customer is answered (the wait is judged by the tolerance)")
    duration_segments: dict[str, Duration] = Field(default_factory=dict, description="the tolerable service time of "
                                                   "customer segments whose differs, by segment name")

    @model_validator(mode="before")
    @classmethod
    def _short(cls, data: Any) -> Any:
        return {"tolerance": data} if isinstance(data, (str, Duration)) else data


class Step(Model):
    """One action in one lane.

    ``role`` names the staff pool whose time the step takes (onstage and
    backstage steps need one; a customer or support step may name a role of
    unlimited or fixed capacity, e.g. a self-service kiosk). ``duration``
    left out means the step takes no time. ``join`` names the split step whose
    parallel branches this step waits for.
    """

    id: Slug = Field(description="a slug; made from the label when left out")
    label: str
    lane: Lane
    description: str | None = None
    role: str | None = None
    duration: Distribution | None = None
    evidence: OneOrMany = Field(default_factory=list, description="physical evidence shown with this step")
    fail_point: FailPoint | None = None
    wait_point: WaitPoint | None = None
    cost: float | None = Field(None, ge=0, description="cost of one visit, beside staff time")
    tags: OneOrMany = Field(default_factory=list)
    emotion: float | None = Field(None, ge=-1, le=1, description="how the customer feels here, as the designer sees it: "
                                  "from -1 (very bad) through 0 (as expected) to +1 (very good); drawn as the emotion row")
    provenance: Provenance | dict[str, Provenance] | None = Field(
        None, description="where the step's numbers come from: one value for all, or one per field"
    )
    join: str | None = Field(None, description="id of the split whose branches this step waits for")
    route: Route | None = Field(None, description="which staff groups take this step's calls, in order "
                                                  "(skills-based routing: see blueprint.routing)")

    @model_validator(mode="before")
    @classmethod
    def _derive_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("id") is None and isinstance(data.get("label"), str):
            data = {**data, "id": slugify(data["label"])}
        return data

    @field_validator("lane", mode="before")
    @classmethod
    def _action_lane(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip().lower() == "frontstage":
            return Lane.ONSTAGE
        if v in (Lane.EVIDENCE, "evidence"):
            raise ValueError(
                "physical evidence is not a lane for steps; list it under `evidence:` of the step it belongs to"
            )
        if isinstance(v, str) and v not in {lane.value for lane in Lane}:
            raise ValueError(f"unknown lane {v!r}; expected customer, onstage, backstage or support")
        return v

    @field_validator("evidence", "tags", mode="before")
    @classmethod
    def _one_or_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("provenance", mode="before")
    @classmethod
    def _provenance_forms(cls, v: Any) -> Any:
        known = ", ".join(p.value for p in Provenance)
        values = v.values() if isinstance(v, dict) else [] if v is None else [v]
        if isinstance(v, dict):
            for key in v:
                if key not in _PROVENANCE_FIELDS:
                    raise ValueError(f"provenance for unknown field {key!r}; expected {', '.join(_PROVENANCE_FIELDS)}")
        for value in values:
            if isinstance(value, Provenance):
                continue
            if not isinstance(value, str) or value not in {p.value for p in Provenance}:
                raise ValueError(f"expected one of {known} (or a mapping from field to one of them), got {value!r}")
        return v

    def provenance_of(self, field: str) -> Provenance | None:
        """Where the number in ``field`` comes from, if the designer said."""
        if isinstance(self.provenance, dict):
            return self.provenance.get(field)
        return self.provenance

    @property
    def staffed(self) -> bool:
        """True when the step takes the time of a role's staff."""
        return self.role is not None


class FlowKind(str, Enum):
    """What a flow means.

    ``handoff`` (the default) moves the customer on; ``transfer`` moves them
    to another role's queue and is counted; ``rework`` goes back to repeat
    work; ``retry`` is taken by customers who abandoned here (call back
    later) and does not count towards the branch probabilities; ``parallel``
    flows leaving a step all run at once, until a step that joins them.
    """

    HANDOFF = "handoff"
    TRANSFER = "transfer"
    REWORK = "rework"
    RETRY = "retry"
    PARALLEL = "parallel"

    def __str__(self) -> str:
        return self.value


class Flow(Model):
    """A flow from one step to the next.

    The probabilities of the ``handoff``, ``transfer`` and ``rework`` flows
    leaving a step add up to 1; one of them may say ``otherwise`` to take what
    is left. A single flow needs no probability. Written as text,
    ``"a -> b"`` is a plain hand-off.
    """

    source: str = Field(alias="from", description="id of the step the flow leaves")
    target: str = Field(alias="to", description="id of the step the flow enters")
    probability: Probability | None = None
    otherwise: bool = False
    label: str | None = None
    kind: FlowKind = FlowKind.HANDOFF
    delay: Distribution | None = Field(None, description="time between the two steps, e.g. before a call-back")

    @model_validator(mode="before")
    @classmethod
    def _arrow(cls, data: Any) -> Any:
        if isinstance(data, str):
            parts = [p.strip() for p in data.split("->")]
            if len(parts) != 2 or not all(parts):
                raise ValueError(f"cannot read flow {data!r}; write 'source -> target'")
            return {"from": parts[0], "to": parts[1]}
        return data

    @model_validator(mode="after")
    def _otherwise(self) -> Flow:
        if self.otherwise and self.probability is not None:
            raise ValueError("a flow marked otherwise takes the rest; give it no probability")
        if self.kind is FlowKind.PARALLEL and (self.probability is not None or self.otherwise):
            raise ValueError("parallel flows all run; give them no probability")
        return self

    @property
    def is_branch(self) -> bool:
        """True for the flows that share a step's branch probabilities."""
        return self.kind in (FlowKind.HANDOFF, FlowKind.TRANSFER, FlowKind.REWORK)

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}"


class Role(Model):
    """A staff pool: what it costs, how many it serves at once, who is on duty."""

    name: str
    description: str | None = None
    cost_per_hour: float = Field(0.0, ge=0, le=1_000_000_000, description="cost of one paid hour (at most 10^9: a sum of such costs stays finite)")
    concurrency: int = Field(1, ge=1, description="customers one member serves at once, e.g. 3 chats")
    staffing: Staffing | None = None
    target: Target | None = Field(None, description="the service this role's queue is held to")
    waiting_room: int | None = Field(None, ge=0, le=10_000_000, description="the most customers who may wait in this "
                                     "role's queue; one more is blocked (a busy signal) and may call back by a retry flow")
    balking: Probability | None = Field(None, description="the share of customers who, finding they must wait, "
                                        "leave at once (counted as abandoning, with no wait)")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a role needs a name")
        return check_name_length(v, "a role name")


class Stage(Model):
    """A stage of the journey (Arrive, Check in, Stay, Leave): a name over the steps it spans, drawn as a
    header across the top of the diagram. Stages are listed in journey order.

    >>> Stage(name="Arrive", steps=["enter", "queue"]).steps
    ['enter', 'queue']
    """

    name: str
    steps: list[str] = Field(min_length=1, description="the ids of the steps in this stage")
    description: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a stage needs a name")
        return check_name_length(v, "a stage name")


class Blueprint(BuilderMixin, Document):
    """A service blueprint: steps in lanes, flows between them, roles, arrivals.

    Build one in Python with the builder methods (:meth:`customer`,
    :meth:`onstage`, :meth:`backstage`, :meth:`support`, :meth:`role`,
    :meth:`arrive`, and ``a >> b`` for a flow) or load it from a file with
    :func:`blueprint.load`.

    >>> bp = Blueprint("Hotel stay")
    >>> bp.name
    'Hotel stay'
    """

    name: str
    description: str | None = None
    target: Target | None = Field(None, description="the default service target of every role")
    roles: list[Role] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list, description="staff groups with several skills "
                                                                  "(skills-based routing: see blueprint.routing)")
    routing: Routing = Field(default_factory=Routing, description="the ACD's rules when there are groups")
    trunks: int | None = Field(None, ge=1, le=10_000_000, description="lines: the most customers in the service at "
                               "once; an arrival who finds every line taken hears a busy signal and is lost (blocked)")
    busyness: Busyness | None = Field(None, description="a random factor per day that scales every arrival rate")
    experience: Experience = Field(default_factory=Experience, description="how customers feel a wait against the "
                                   "tolerance of its wait point (the perceived-wait model)")
    expectations: Expectations | None = Field(None, description="what customers expect of the whole journey: a promised "
                                              "total time, no transfer, first-contact resolution; per segment")
    arrivals: list[Arrivals] = Field(default_factory=list)
    stages: list[Stage] = Field(default_factory=list, description="the stages of the journey, in order")
    steps: list[Step] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)

    _origin: tuple[str, dict[Loc, int]] | None = PrivateAttr(None)
    _text: tuple[Format, str] | None = PrivateAttr(None)  # the file's text: save() edits it, comments kept

    @field_validator("name")
    @classmethod
    def _named(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a blueprint needs a name: it heads its diagrams, reports and results")
        return v

    # -- look-ups ------------------------------------------------------------
    def step(self, step_id: str) -> Step:
        """The step with this id (``KeyError`` naming the known ids if none)."""
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(f"no step {step_id!r}; known: {', '.join(s.id for s in self.steps) or 'none'}")

    def get_role(self, name: str) -> Role:
        """The role with this name."""
        for r in self.roles:
            if r.name == name:
                return r
        raise KeyError(f"no role {name!r}; known: {', '.join(r.name for r in self.roles) or 'none'}")

    def get_group(self, name: str) -> Group:
        """The staff group with this name."""
        for g in self.groups:
            if g.name == name:
                return g
        raise KeyError(f"no group {name!r}; known: {', '.join(g.name for g in self.groups) or 'none'}")

    def groups_with(self, skill: str) -> list[Group]:
        """The groups whose members serve ``skill`` (a role name), in declared order."""
        return [g for g in self.groups if skill in g.skills]

    def routed(self, role: str) -> bool:
        """True when ``role`` is a skill served by staff groups rather than a pool of its own."""
        return any(role in g.skills for g in self.groups)

    def skills(self) -> set[str]:
        """The roles served by staff groups (skills-based routing): one pass over the groups, for loops over
        many roles (:meth:`routed` asks about one)."""
        return {k for g in self.groups for k in g.skills}

    def flows_from(self, step_id: str) -> list[Flow]:
        """Flows leaving a step, in declared order."""
        return [f for f in self.flows if f.source == step_id]

    def flows_to(self, step_id: str) -> list[Flow]:
        """Flows entering a step, in declared order."""
        return [f for f in self.flows if f.target == step_id]

    def target_for(self, role: str) -> Target | None:
        """A role's target: the fields its own target sets, the blueprint's default for the rest.

        >>> bp = Blueprint.model_validate({"name": "x", "target": {"service_level": 0.8, "within": "60 s",
        ...     "max_abandon": 0.05}, "roles": [{"name": "a", "target": {"service_level": 0.9, "within": "20 s"}}]})
        >>> t = bp.target_for("a")
        >>> t.service_level, t.within.seconds, t.max_abandon
        (0.9, 20.0, 0.05)
        """
        try:
            own = self.get_role(role).target
        except KeyError:
            own = None
        if own is None or self.target is None:
            return own if own is not None else self.target
        merged = self.target.model_dump(exclude_none=True)
        mine = own.model_dump(exclude_none=True)
        if "service_level" in mine:  # service level and its time go together
            merged.pop("within", None)
        merged.update(mine)
        return Target.model_validate(merged)

    # -- variants ------------------------------------------------------------
    def with_staffing(self, staffing: Mapping[str, Staffing | int | str | dict[str, Any] | list[Any]]) -> Blueprint:
        """A copy of this blueprint with the staffing of some roles (or staff groups) replaced; the rest is as it was.

        ``staffing`` maps role or group names to a :class:`Staffing` or any form a file
        accepts (``4``, ``"unlimited"``, a profile, a list of shifts). The
        original is left unchanged; an unknown name is a ``KeyError``.

        >>> bp = Blueprint("Kiosk")
        >>> _ = bp.role("kiosk", staffing=2)
        >>> more = bp.with_staffing({"kiosk": 3})
        >>> more.get_role("kiosk").staffing.headcount, bp.get_role("kiosk").staffing.headcount
        (3, 2)
        """
        groups = {g.name for g in self.groups}
        for name in staffing:
            if name not in groups and not any(r.name == name for r in self.roles):
                known = [r.name for r in self.roles] + sorted(groups)
                raise KeyError(f"no role{' or group' if groups else ''} {name!r}; known: {', '.join(known) or 'none'}")
        new = {name: s if isinstance(s, Staffing) else Staffing.model_validate(s) for name, s in staffing.items()}
        out = self.model_copy(deep=True)
        out.roles = [r.model_copy(update={"staffing": new[r.name]}) if r.name in new else r for r in out.roles]
        out.groups = [g.model_copy(update={"staffing": new[g.name]}) if g.name in new else g for g in out.groups]
        return out

    # -- checking ------------------------------------------------------------
    def validate(self) -> ValidationReport:  # type: ignore[override]
        """Check the whole blueprint; every problem at once, errors apart from warnings.

        Never raises for a problem in the blueprint: look at ``report.ok``,
        print the report, or call ``report.raise_for_errors()``.
        """
        from .validation import validate

        file, lines = self._origin if self._origin else (None, None)
        return validate(self, file=file, lines=lines)

    def check(self) -> Blueprint:
        """Validate and raise :class:`~blueprint.BlueprintValidationError` on errors; returns self."""
        self.validate().raise_for_errors()
        return self

    @property
    def source(self) -> str | None:
        """The file this blueprint was loaded from, if any."""
        return self._origin[0] if self._origin else None

    # -- files ---------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike[str], *, check: bool = False) -> Blueprint:
        """Read a blueprint file (see :func:`blueprint.load`)."""
        from .files import load

        return load(path, check=check)

    def save(
        self, path: str | os.PathLike[str], *, format: Format | None = None, overwrite: bool = True, canonical: bool = False
    ) -> Path:
        """Write this blueprint to a YAML or JSON file, atomically (see :func:`blueprint.save`).

        A blueprint loaded from YAML and saved as YAML keeps the file's comments and layout;
        ``canonical=True`` writes the canonical form instead.
        """
        from .files import save

        return save(self, path, format=format, overwrite=overwrite, canonical=canonical)

    def to_yaml(self) -> str:
        """The canonical YAML text of this blueprint."""
        from .files import dumps

        return dumps(self, "yaml")

    def to_json(self) -> str:
        """The canonical JSON text of this blueprint."""
        from .files import dumps

        return dumps(self, "json")

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """The JSON Schema of a blueprint file, for editors that check and complete YAML."""
        from .schema import json_schema

        return json_schema()

    # -- diagrams ------------------------------------------------------------
    def render(self, **options: Any) -> Diagram:
        """Draw this blueprint: a :class:`~blueprint.render.Diagram` that shows itself in Jupyter and saves to
        SVG, PNG or PDF (``.save("stay.png")``).

        The options most used (all of them: :func:`blueprint.render.render`): ``max_columns`` (wrap a long
        journey onto rows of at most this many steps: a slide holds about 7), ``theme`` (``"screen"`` or
        ``"print"``, black and white), ``title`` and ``subtitle``, ``roles`` and ``durations`` (the line under
        each staffed step), ``evidence``, ``fail_points``, ``wait_points``, ``probabilities``, ``legend``,
        ``stages``, ``empty_lanes`` (a lane with no steps as a thin band, or left out), ``emotion`` (the
        designer's declared emotion of each step, as a curve above the customer lane) and ``width`` (inches).

        >>> import blueprint
        >>> diagram = blueprint.load("examples/hotel.yaml").render(max_columns=7, theme="print")
        >>> diagram.svg.startswith("<?xml")
        True
        >>> diagram.save("stay.pdf")          # doctest: +SKIP
        """
        from .render import render

        return render(self, **options)

    def to_dot(self, **options: Any) -> str:
        """The diagram's Graphviz source; works without Graphviz installed."""
        from .render import to_dot

        return to_dot(self, **options)

    # -- display -------------------------------------------------------------
    def summary(self) -> str:
        """A few lines on what the blueprint holds."""
        from .summary import summary_text

        return summary_text(self)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"<Blueprint {self.name!r}: {len(self.steps)} steps, {len(self.flows)} flows, {len(self.roles)} roles>"

    def _repr_html_(self) -> str:
        from .summary import summary_html

        return summary_html(self)


# ``Blueprint("name")`` needs its own ``__init__``; pydantic would then route
# ``model_validate`` through it as keyword arguments, which fails on a key that
# is not text before any validation. Validation does not need it, so it is
# told so, and a non-text key becomes an ordinary validation error.
Blueprint.__pydantic_custom_init__ = False
Blueprint.model_rebuild(force=True)
