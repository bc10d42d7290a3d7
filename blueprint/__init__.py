"""service-blueprint: declare, validate, draw and save service blueprints.

A blueprint maps one service as steps in lanes (customer, onstage,
backstage, support, with physical evidence above), separated by the lines of
interaction, visibility and internal interaction. The same model is drawn for
a client and simulated for a planner (see the ``simulate`` package).

>>> import blueprint
>>> bp = blueprint.Blueprint("Coffee")
>>> order = bp.customer("Order", evidence="Menu board")
>>> make = bp.backstage("Make drink", role="barista", duration="triangular(1, 2, 4) min")
>>> _ = order >> make
>>> _ = bp.role("barista", staffing=2)
>>> _ = bp.arrive(order, rate="40 per h")
>>> bp.validate().ok
True
"""

from typing import TYPE_CHECKING

from . import examples
from .arrivals import Arrivals, Segment
from .builder import StepRef
from .distributions import (
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Normal,
    Triangular,
    Uniform,
    Weibull,
    parse_distribution,
)
from .errors import (
    BlueprintError,
    BlueprintFileError,
    BlueprintValidationError,
    Problem,
    ValidationReport,
)
from .files import dumps, load, loads, save
from .graph import (
    back_flows,
    crossings,
    entry_steps,
    exit_steps,
    journey_columns,
    journey_order,
    lines_crossed,
    moments_of_truth,
    to_networkx,
)
from .lanes import ACTION_LANES, Lane, Line, lines_between
from .model import Blueprint, FailPoint, Flow, FlowKind, Provenance, Role, Stage, Step, WaitPoint
from .routing import AgentChoice, Busyness, CallChoice, Group, PatienceRule, Route, Routing
from .schema import json_schema
from .staffing import Break, Profile, Shift, Staffing, Target
from .units import Duration, Rate
from .validation import validate
from .visits import arrival_lags, branch_probabilities, expected_visits

__version__ = "0.1.0"

__all__ = [
    "ACTION_LANES",
    "Arrivals",
    "Blueprint",
    "BlueprintError",
    "BlueprintFileError",
    "BlueprintValidationError",
    "Break",
    "Deterministic",
    "Distribution",
    "Duration",
    "Empirical",
    "Exponential",
    "FailPoint",
    "Flow",
    "FlowKind",
    "Gamma",
    "Lane",
    "Line",
    "Lognormal",
    "Normal",
    "Problem",
    "Profile",
    "Provenance",
    "Rate",
    "Role",
    "Segment",
    "Shift",
    "Staffing",
    "Stage",
    "Step",
    "StepRef",
    "Target",
    "Triangular",
    "Uniform",
    "ValidationReport",
    "WaitPoint",
    "Weibull",
    "arrival_lags",
    "back_flows",
    "branch_probabilities",
    "capacity_findings",
    "crossings",
    "dumps",
    "entry_steps",
    "examples",
    "exit_steps",
    "expected_visits",
    "journey_columns",
    "journey_order",
    "json_schema",
    "lines_between",
    "lines_crossed",
    "load",
    "loads",
    "moments_of_truth",
    "parse_distribution",
    "save",
    "to_networkx",
    "validate",
    "AgentChoice",
    "CallChoice",
    "Busyness",
    "Group",
    "PatienceRule",
    "Route",
    "Routing",
]

if TYPE_CHECKING:
    from .capacity import capacity_findings


def __getattr__(name: str) -> object:
    """``capacity_findings`` is loaded on first use: it needs numpy, which ``import blueprint`` leaves out."""
    if name == "capacity_findings":
        from .capacity import capacity_findings

        return capacity_findings
    raise AttributeError(f"module 'blueprint' has no attribute {name!r}")
