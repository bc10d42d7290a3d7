"""Scenarios: named changes to a blueprint, and their comparison on the same customers.

- ``scenario``: the ``Scenario`` model, its YAML file, applying it to a blueprint, its diagram;
- ``compare``: every scenario run on one seed, figures and paired differences with intervals.

>>> import blueprint
>>> from simulate.scenarios import Scenario
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> late = Scenario("one more late agent", extra_staff={"first_line": {"late": 1}})
>>> late.apply(bp).get_role("first_line").staffing.shifts[-1].count
10
"""

from simulate.scenarios.compare import Comparison, compare, paired_differences, replication_figures
from simulate.scenarios.scenario import Scenario, ScenarioError, changed_steps, load_scenarios, scale_distribution

__all__ = [
    "Comparison", "Scenario", "ScenarioError", "changed_steps", "compare", "load_scenarios", "paired_differences",
    "replication_figures", "scale_distribution",
]
