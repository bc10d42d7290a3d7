"""The simulation engine: one replication of a blueprint as a SimPy model.

``model`` compiles the blueprint and walks each customer through it; ``output``
the typed record of what one replication measured (:class:`Replication`);
``pool`` holds the staff of a role and its queue; ``streams`` the random numbers
addressed by customer; ``stats`` constant-memory statistics; ``timeline``
staffing and arrival profiles as step functions over the horizon.

>>> import blueprint, numpy as np
>>> from simulate.engine import simulate_once
>>> bp = blueprint.load("examples/coffee_shop.yaml")
>>> rep = simulate_once(bp, np.random.SeedSequence(7), horizon=9 * 3600.0)  # the shop opens at 07:00
>>> rep.journeys.arrivals > 0
True
"""

from simulate.engine.model import (
    DEFAULT_TARGET_SECONDS,
    MAX_STEPS_PER_JOURNEY,
    RunawayJourney,
    simulate_once,
)
from simulate.engine.output import (
    Event,
    EventLog,
    JourneyFigures,
    OutcomeTimes,
    QueueIntervals,
    Replication,
    RoleIntervals,
    RoleTotals,
    StepFigures,
)

__all__ = [
    "DEFAULT_TARGET_SECONDS", "MAX_STEPS_PER_JOURNEY", "Event", "EventLog", "JourneyFigures", "OutcomeTimes", "QueueIntervals",
    "Replication", "RoleIntervals", "RoleTotals", "RunawayJourney", "StepFigures", "simulate_once",
]
