"""Scenarios: named changes to a blueprint, and their comparison on the same customers.

- ``scenario``: the ``Scenario`` model and ``ScenarioError``;
- ``apply``: applying a scenario to a blueprint (``Scenario.apply``), ``scale_distribution``;
- ``diagram``: what a scenario changes, as overlays on the blueprint's diagram (``Scenario.diagram``);
- ``files``: scenarios files (``load_scenarios``);
- ``compare``: every scenario run on one seed, and the :class:`Comparison` of their figures, with
  ``figures`` (key figures per replication, paired differences) and ``plots`` beside it.

>>> import blueprint
>>> from simulate.scenarios import Scenario
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> late = Scenario("one more late agent", extra_staff={"first_line": {"late": 1}})
>>> late.apply(bp).get_role("first_line").staffing.shifts[-1].count
10
"""

from simulate.scenarios.apply import scale_distribution
from simulate.scenarios.compare import Comparison, compare
from simulate.scenarios.diagram import changed_steps
from simulate.scenarios.figures import paired_differences, replication_figures
from simulate.scenarios.files import load_scenarios
from simulate.scenarios.scenario import Scenario, ScenarioError

__all__ = [
    "Comparison", "Scenario", "ScenarioError", "changed_steps", "compare", "load_scenarios", "paired_differences",
    "replication_figures", "scale_distribution",
]
