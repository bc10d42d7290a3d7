"""The engine's rules of the journey, in one place: who stays with the customer, what counts as a
transfer, and where a customer goes next.

The simulator (:mod:`simulate.engine.model`) applies them as customers walk;
the staffing formulas (:mod:`simulate.staffing.requirements`) and the fail
points read the same rules to reason about a blueprint without simulating it.

**Who keeps the customer.** A member of staff stays with the customer across
directly following steps of the same role, and across steps in between that
take no staff (a CRM lookup while the agent is on the call). The member is
handed back when the journey reaches a customer action, a step of another role,
parallel work, a failure, or the end, and when it follows a transfer or a flow with
a delay (:func:`keeps_member`, :func:`releases`, :func:`held_roles`).

**Transfers and hand-overs.** A flow of kind ``transfer`` counts as a transfer
(a journey's ``transfers``). A flow hands the customer over when it is a
transfer (to a step of the same role too: a colleague takes the call), has a delay,
or goes to a staffed step of another role (:func:`hands_over`): the customer then
meets a new queue.

**Where next.** The branch flows of a step (hand-offs, transfers, rework) share
its probabilities; a flow marked ``otherwise`` takes what the others leave, and
a single flow takes all (:func:`blueprint.visits.branch_probabilities`, the rule's one home).
:func:`branch_table` turns them into cumulative
probabilities; a customer's uniform draw picks a flow (:meth:`BranchTable.pick`).
Retry flows, taken by customers who gave up, form a table of their own whose
probabilities may leave room for not calling back (:meth:`BranchTable.pick_or_none`).

>>> import blueprint
>>> bp = blueprint.Blueprint("Desk")
>>> ask = bp.onstage("Ask", role="clerk", duration="exp(2 min)")
>>> look = bp.backstage("Look it up")
>>> boss = bp.onstage("Escalate", role="manager", duration="exp(5 min)")
>>> _ = ask >> look
>>> _ = bp.flow(look, boss, probability=0.25, kind="transfer")
>>> _ = bp.role("clerk", staffing=2)
>>> _ = bp.role("manager", staffing=1)
>>> held_roles(bp)
{'ask': 'clerk', 'escalate': 'manager', 'look_it_up': 'clerk'}
>>> table = branch_table(bp.flows_from("look_it_up"))
>>> table.targets, table.cum, table.transfer
(['escalate'], [0.25], [True])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from blueprint import Lane
from blueprint.model import Flow, FlowKind
from blueprint.visits import branch_probabilities

if TYPE_CHECKING:  # pragma: no cover
    from blueprint import Blueprint
    from blueprint.distributions import Distribution

__all__ = ["BranchTable", "branch_table", "hands_over", "held_at", "held_roles", "is_transfer", "keeps_member", "releases"]


def keeps_member(held_role: str, role: str | None, lane: Lane) -> bool:
    """Does the member of ``held_role`` stay with the customer at a step of ``role`` in ``lane``?

    Yes at a step of the same role, and at a step that takes no staff unless the customer acts
    on their own there (the customer lane).

    >>> keeps_member("agent", "agent", Lane.ONSTAGE), keeps_member("agent", None, Lane.SUPPORT)
    (True, True)
    >>> keeps_member("agent", "expert", Lane.ONSTAGE), keeps_member("agent", None, Lane.CUSTOMER)
    (False, False)
    """
    if role is not None:
        return role == held_role
    return lane is not Lane.CUSTOMER


def held_at(role: str | None, lane: Lane, held_before: str | None) -> str | None:
    """The role whose member is with the customer at a step of ``role`` in ``lane``, when the member of
    ``held_before`` (or nobody: None) was with them on the way in.

    >>> held_at(None, Lane.BACKSTAGE, "agent"), held_at(None, Lane.CUSTOMER, "agent"), held_at("expert", Lane.ONSTAGE, "agent")
    ('agent', None, 'expert')
    """
    if role is not None:
        return role
    if held_before is not None and keeps_member(held_before, role, lane):
        return held_before
    return None


def held_roles(bp: Blueprint) -> dict[str, str | None]:
    """The role whose member is with the customer at each step, as the simulator holds members:
    a step's own role; at a step with no role, the role held on the way in (when all ways in
    agree, else none); at a customer action, none."""
    held: dict[str, str | None] = {}
    ways_in = {s.id: [f for f in bp.flows_to(s.id) if f.is_branch] for s in bp.steps}
    for s in bp.steps:
        if s.role is not None or s.lane is Lane.CUSTOMER:
            held[s.id] = held_at(s.role, s.lane, None)
    pending = [s for s in bp.steps if s.id not in held]
    for _ in range(len(pending) + 1):
        changed = False
        for s in pending:
            if s.id in held:
                continue
            ins = ways_in[s.id]
            if ins and all(f.source in held for f in ins):
                roles = {held_at(s.role, s.lane, None if releases(f) else held[f.source]) for f in ins}
                held[s.id] = roles.pop() if len(roles) == 1 else None
                changed = True
        if not changed:
            break
    for s in pending:
        held.setdefault(s.id, None)
    return held


def is_transfer(flow: Flow) -> bool:
    """Does following ``flow`` count as a transfer (a flow of kind ``transfer``)?"""
    return flow.kind is FlowKind.TRANSFER


def releases(flow: Flow) -> bool:
    """Does following ``flow`` hand the member with the customer back: a transfer (the customer queues
    again, for a colleague of the same role too) or a flow with a delay (time passes between the steps)?

    >>> releases(Flow.model_validate("a -> b")), releases(Flow.model_validate({"from": "a", "to": "b", "kind": "transfer"}))
    (False, True)
    """
    return flow.kind is FlowKind.TRANSFER or flow.delay is not None


def hands_over(flow: Flow, source_role: str | None, target_role: str | None) -> bool:
    """Does ``flow``, from a step of ``source_role`` to a staffed step of ``target_role``, hand the customer
    over to a new queue: a transfer, a flow with a delay, or a move from one role's staff to another's?

    >>> f = Flow.model_validate("a -> b")
    >>> hands_over(f, "clerk", "manager"), hands_over(f, "clerk", "clerk"), hands_over(f, None, "clerk")
    (True, False, False)
    """
    if target_role is None:
        return False
    return releases(flow) or (source_role is not None and source_role != target_role)


@dataclass
class BranchTable:
    """The flows a customer can take from a step: ``cum`` their cumulative probabilities, ``targets`` the
    steps they lead to, ``transfer`` whether each counts as a transfer, ``delays`` the time each takes
    (None for none), in the order of the flows."""

    cum: list[float]
    targets: list[str]
    transfer: list[bool]
    delays: list[Distribution | None]

    def pick(self, u: float) -> int:
        """The flow a uniform draw ``u`` picks; the last flow takes whatever the others leave.

        >>> BranchTable([0.3, 1.0], ["a", "b"], [False, False], [None, None]).pick(0.5)
        1
        """
        cum = self.cum
        i = 0
        last = len(cum) - 1
        while i < last and u >= cum[i]:
            i += 1
        return i

    def pick_or_none(self, u: float) -> int | None:
        """The flow a uniform draw ``u`` picks, or None where the probabilities add up to less than 1 and
        ``u`` falls beyond them (a customer who does not call back).

        >>> BranchTable([0.4], ["again"], [False], [None]).pick_or_none(0.7) is None
        True
        """
        for i, c in enumerate(self.cum):
            if u < c:
                return i
        return None


def branch_table(flows: Sequence[Flow]) -> BranchTable | None:
    """The :class:`BranchTable` of ``flows`` (the branch flows or the retry flows of one step); None for none.

    >>> f = [Flow.model_validate({"from": "a", "to": "b", "probability": 0.2}),
    ...      Flow.model_validate({"from": "a", "to": "c", "otherwise": True})]
    >>> branch_table(f).cum
    [0.2, 1.0]
    """
    if not flows:
        return None
    cum, targets, transfer, delays = [], [], [], []
    acc = 0.0
    for f, p in zip(flows, branch_probabilities(flows)):
        acc += p
        cum.append(acc)
        targets.append(f.target)
        transfer.append(is_transfer(f))
        delays.append(f.delay)
    return BranchTable(cum, targets, transfer, delays)
