"""Simulation, fail points and staffing for service blueprints.

This package will hold the SimPy engine that runs a :class:`blueprint.Blueprint`,
its results, fail-point detection, staffing formulas and shift scheduling.
They are built in later issues; see ARCHITECTURE.md for where each will live.
"""

__all__: list[str] = []
