"""Simulation of service blueprints (SimPy): the same model that is drawn is the one that runs.

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/coffee_shop.yaml")
>>> results = simulate.run(bp, days=1, replications=2, seed=7)
>>> results.seed
7
"""

from .engine import Replication, simulate_once
from .failpoints import FailPoints, fail_points, plus_one
from .requirements import Requirements, requirements, role_loads
from .results import Results, mean_ci
from .run import run

__all__ = ["Requirements", "requirements", "role_loads", "FailPoints", "fail_points", "plus_one", "Replication", "Results", "mean_ci", "run", "simulate_once"]
