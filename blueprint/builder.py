"""The builder API: write a blueprint in Python the way it is drawn.

>>> from blueprint import Blueprint
>>> bp = Blueprint("Hotel stay")
>>> arrive = bp.customer("Arrive at hotel", evidence=["Hotel exterior", "Parking"])
>>> greet = bp.onstage("Greet and take bags", role="bellperson", duration="triangular(1, 2, 4) min")
>>> check_in = bp.customer("Check in")
>>> _ = arrive >> greet >> check_in
>>> [str(f) for f in bp.flows]
['arrive_at_hotel -> greet_and_take_bags', 'greet_and_take_bags -> check_in']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import slugify
from .lanes import Lane

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .arrivals import Arrivals
    from .model import Blueprint, Flow, Role, Stage, Step
    from .routing import Group

__all__ = ["BuilderMixin", "StepRef"]


class StepRef:
    """A handle on a step of a blueprint, returned by the builder methods.

    ``a >> b`` adds a hand-off flow from ``a`` to ``b`` and returns ``b``, so
    flows chain. Attribute reads go to the step itself (``ref.duration``).
    """

    __slots__ = ("blueprint", "id")

    def __init__(self, blueprint: Blueprint, step_id: str) -> None:
        self.blueprint = blueprint
        self.id = step_id

    @property
    def step(self) -> Step:
        """The step this handle points to."""
        return self.blueprint.step(self.id)

    def __rshift__(self, other: StepRef | str) -> StepRef:
        if isinstance(other, (list, tuple)):
            raise TypeError(
                "a >> [b, c] is ambiguous: use bp.flow(a, b, probability=...) for branches "
                "or bp.split(a, [b, c]) for parallel work"
            )
        target = other if isinstance(other, StepRef) else StepRef(self.blueprint, str(other))
        self.blueprint.flow(self, target)
        return target

    def __getattr__(self, name: str) -> Any:
        return getattr(self.step, name)

    def __repr__(self) -> str:
        return f"<step {self.id!r} of {self.blueprint.name!r}>"


def _ref_id(ref: StepRef | str) -> str:
    return ref.id if isinstance(ref, StepRef) else str(ref)


class BuilderMixin:
    """Builder methods of :class:`~blueprint.Blueprint`.

    The fields ``steps``, ``flows``, ``roles`` and ``arrivals`` belong to the
    model itself; they are not declared here so that pydantic keeps the
    model's own field order.
    """

    if TYPE_CHECKING:
        steps: list[Step]
        stages: list[Stage]
        flows: list[Flow]
        roles: list[Role]
        groups: list[Group]
        arrivals: list[Arrivals]

    def add_step(self, label: str, lane: Lane | str, **fields: Any) -> StepRef:
        """Add a step to a lane and return a handle on it.

        The id is made from the label unless given; when that id is taken a
        number is added (``wait``, ``wait_2``).
        """
        from .model import Step

        if "join" in fields and fields["join"] is not None:
            fields["join"] = _ref_id(fields["join"])
        if "fail_point" in fields and isinstance(fields["fail_point"], dict) and "recovery" in fields["fail_point"]:
            fp = dict(fields["fail_point"])
            fp["recovery"] = _ref_id(fp["recovery"]) if fp["recovery"] is not None else None
            fields["fail_point"] = fp
        step_id = fields.pop("id", None)
        if step_id is None:
            base = slugify(label)
            taken = {s.id for s in self.steps}
            step_id, n = base, 2
            while step_id in taken:
                step_id, n = f"{base}_{n}", n + 1
        step = Step(id=step_id, label=label, lane=lane, **fields)
        self.steps.append(step)
        return StepRef(self, step.id)  # type: ignore[arg-type]

    def customer(self, label: str, **fields: Any) -> StepRef:
        """Add a customer action: what the customer does (the top action lane), and return a handle on it.

        ``fields`` are those of :class:`~blueprint.Step`: ``id`` (made from the label unless given),
        ``evidence`` (what the customer sees or touches, drawn above), ``duration`` (always with a unit:
        ``"2 min"``, ``"exp(4 min)"``), ``role`` (a staff pool the step takes), ``wait_point`` (the wait the
        customer tolerates: ``"60 s"``), ``fail_point`` (a description, or ``{description, probability,
        recovery}``), ``join`` (the step whose parallel branches this one waits for), ``description``.

        >>> from blueprint import Blueprint
        >>> bp = Blueprint("Cafe")
        >>> order = bp.customer("Order at the counter", evidence=["Menu board"], wait_point="3 min")
        >>> order.id, bp.step(order.id).lane.value
        ('order_at_the_counter', 'customer')
        """
        return self.add_step(label, Lane.CUSTOMER, **fields)

    def onstage(self, label: str, **fields: Any) -> StepRef:
        """Add an onstage contact action: staff in front of the customer (fields as :meth:`customer`).

        >>> from blueprint import Blueprint
        >>> bp = Blueprint("Cafe")
        >>> bp.onstage("Take the order", role="cashier", duration="lognormal(mean=50, sd=20) s").id
        'take_the_order'
        """
        return self.add_step(label, Lane.ONSTAGE, **fields)

    def backstage(self, label: str, **fields: Any) -> StepRef:
        """Add a backstage contact action: staff out of the customer's sight (fields as :meth:`customer`).

        >>> from blueprint import Blueprint
        >>> Blueprint("Cafe").backstage("Make the drink", role="barista", duration="90 s").id
        'make_the_drink'
        """
        return self.add_step(label, Lane.BACKSTAGE, **fields)

    def support(self, label: str, **fields: Any) -> StepRef:
        """Add a support process: a system or unit that enables the staff (fields as :meth:`customer`).

        >>> from blueprint import Blueprint
        >>> Blueprint("Cafe").support("POS records the sale", duration="3 s").id
        'pos_records_the_sale'
        """
        return self.add_step(label, Lane.SUPPORT, **fields)

    def flow(self, source: StepRef | str, target: StepRef | str, **fields: Any) -> Flow:
        """Add a flow from ``source`` to ``target`` (handles or ids) and return it. ``fields``: ``probability``
        (the share of visits that take this branch), ``otherwise`` (the branch taken by the rest), ``label``,
        ``kind`` (``handoff`` by default; ``transfer``, ``rework``, ``retry``, ``parallel``) and ``delay`` (time
        between the steps, as a duration). ``a >> b`` adds a hand-off too.

        >>> from blueprint import Blueprint
        >>> bp = Blueprint("Cafe")
        >>> pick_up, remake, leave = bp.customer("Pick up"), bp.onstage("Remake"), bp.customer("Leave")
        >>> bp.flow(pick_up, remake, probability=0.03, kind="rework").probability
        0.03
        >>> bp.flow(pick_up, leave, otherwise=True).otherwise
        True
        """
        from .model import Flow

        f = Flow(source=_ref_id(source), target=_ref_id(target), **fields)
        self.flows.append(f)
        return f

    def split(self, source: StepRef | str, targets: list[StepRef | str]) -> list[Flow]:
        """Start parallel work after ``source``: every one of ``targets`` runs at the same time. The step that
        waits for all of them is created with ``join=source``.

        >>> from blueprint import Blueprint
        >>> bp = Blueprint("Hotel")
        >>> arrive, check_in, bags = bp.customer("Arrive"), bp.customer("Check in"), bp.backstage("Take the bags up")
        >>> [f.target for f in bp.split(arrive, [check_in, bags])]
        ['check_in', 'take_the_bags_up']
        >>> room = bp.customer("Get to the room", join=arrive)
        """
        return [self.flow(source, t, kind="parallel") for t in targets]

    def role(self, name: str, **fields: Any) -> Role:
        """Add a staff pool (``cost_per_hour``, ``concurrency``, ``staffing``, ``target``); called again
        with the name of a role already there, it changes the fields given and keeps the others.

        >>> from blueprint import Blueprint
        >>> bp = Blueprint("Cafe")
        >>> _ = bp.role("barista", staffing=2, cost_per_hour=18)
        >>> r = bp.role("barista", staffing=3)
        >>> (len(bp.roles), r.staffing.headcount, r.cost_per_hour)
        (1, 3, 18.0)
        """
        from .model import Role

        for i, old in enumerate(self.roles):
            if old.name == name:
                r = Role(**{**old.model_dump(exclude_unset=True), **fields, "name": name})
                self.roles[i] = r
                return r
        r = Role(name=name, **fields)
        self.roles.append(r)
        return r

    def group(self, name: str, skills: Any, **fields: Any) -> Group:
        """Add a staff group serving ``skills`` (role names in order of preference, or ``{role: time
        factor}``) with its own ``staffing`` and ``cost_per_hour``: see :mod:`blueprint.routing`."""
        from .routing import Group

        g = Group(name=name, skills=skills, **fields)
        for i, old in enumerate(self.groups):
            if old.name == name:  # the same name again: the group is declared anew
                self.groups[i] = g
                return g
        self.groups.append(g)
        return g

    def stage(self, name: str, steps: Iterable[StepRef | str], *, description: str | None = None) -> Stage:
        """Add a stage of the journey over ``steps`` (after the stages already added: list them in
        journey order); the diagram draws it as a header across the top.

        >>> from blueprint import Blueprint
        >>> bp = Blueprint("Cafe")
        >>> order, pay = bp.customer("Order"), bp.customer("Pay")
        >>> bp.stage("Buy", [order, pay]).steps
        ['order', 'pay']
        """
        from .model import Stage

        st = Stage(name=name, steps=[_ref_id(s) for s in steps], description=description)
        self.stages.append(st)
        return st

    def arrive(self, step: StepRef | str, **fields: Any) -> Arrivals:
        """Add customers entering at ``step``. ``fields``: one of ``rate`` (``"30 per h"``), ``profile`` (a
        rate per interval of the day or per weekday: ``{interval, start, values}``) or ``times`` (arrivals to
        replay); ``name``; ``segments`` (groups of customers by ``share``, with a ``priority``, a ``patience``
        and their own tolerances) and ``patience`` (how long a customer waits before giving up, a distribution).

        >>> from blueprint import Blueprint
        >>> bp = Blueprint("Cafe")
        >>> order = bp.customer("Order")
        >>> a = bp.arrive(order, name="walk-ins", profile={"interval": "1 h", "start": "07:00", "values": [60, 40, 20]})
        >>> a.step, a.name
        ('order', 'walk-ins')
        """
        from .arrivals import Arrivals

        a = Arrivals(step=_ref_id(step), **fields)
        self.arrivals.append(a)
        return a
