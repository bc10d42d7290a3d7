"""Staffing with skills-based routing: which staff group plans each skill's calls, and a group's requirement.

With staff groups (:mod:`blueprint.routing`) a skill's queue has no staff of its own: groups
are what can be staffed, and targets still belong to skills. The planner's rules:

* **A skill's calls are planned on its first-choice group**: the first group of the route
  of the first step that needs the skill, else the first declared group with the skill (the
  group a new call tries first, :mod:`blueprint.routing`).
* **The groups planned** are those that are some skill's first choice. A group that is only
  ever a second choice (a bilingual team that takes what the single-language teams cannot)
  keeps its declared staffing: the plan counts on it as it is. Change it with a scenario
  (``staffing``, ``cross_train``) and plan again to compare.
* **A planned group's load** per interval is the calls of the skills it is first choice for
  (arrivals per hour added up) and their work, each skill's handle time times the group's
  time factor for it. Its requirement is the least staff that meets, on that pooled load,
  the target of every skill it serves (the strictest one binds per interval): one queue of
  several call types served by the same people is one queue to Erlang C and Erlang A.
* The simulation method and the closed loop then see the routing as it is: overflow to the
  second-choice groups, a group's members taking its other skills' calls, call-backs.

One group with one skill is planned exactly as the role it replaces; one group with every
skill exactly as one role taking every call type; groups with disjoint skills as the roles
apart.

>>> import blueprint
>>> bp = blueprint.load("examples/bilingual_hotline.yaml")
>>> first_choice(bp)
{'english': 'English only', 'spanish': 'Spanish only'}
>>> planned_groups(bp)
{'English only': ['english'], 'Spanish only': ['spanish']}
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from blueprint import Blueprint

__all__ = ["first_choice", "fold_into_groups", "lowest_service", "planned_groups"]


def first_choice(bp: Blueprint) -> dict[str, str]:
    """Per skill (a role served by staff groups), the group its calls try first (see the module notes)."""
    out: dict[str, str] = {}
    for step in bp.steps:
        if step.role is None or step.role in out or not bp.routed(step.role):
            continue
        if step.route is not None and step.route.groups:
            out[step.role] = step.route.groups[0]
        else:
            out[step.role] = bp.groups_with(step.role)[0].name
    return out


def planned_groups(bp: Blueprint) -> dict[str, list[str]]:
    """The groups a staffing plan decides, each with the skills it is first choice for (in the group's order);
    in the order the groups are declared."""
    first = first_choice(bp)
    return {g.name: [s for s in g.skills if first.get(s) == g.name] for g in bp.groups
            if any(first.get(s) == g.name for s in g.skills)}


def fold_into_groups(bp: Blueprint, frames: dict[str, pd.DataFrame],
                     staff: Callable[[str, str, np.ndarray, np.ndarray], pd.DataFrame]) -> list[pd.DataFrame]:
    """Requirement frames per role (as :func:`simulate.requirements` makes them, with ``arrival_rate`` in
    calls an hour and ``handle_time`` in seconds) with the skills' frames replaced by one per planned
    group: the pooled load of the skills it is first choice for, staffed by ``staff(group, skill, rate,
    handle_time)`` (rate per second) at each of the group's skills' targets, the most staff kept per
    interval (the frame of the skill that binds there)."""
    skills = bp.skills()
    out = [f for r, f in frames.items() if r not in skills]
    for name, firsts in planned_groups(bp).items():
        group = bp.get_group(name)
        lam = np.zeros(len(next(iter(frames.values()))))
        work = np.zeros_like(lam)
        for s in firsts:
            rate = frames[s]["arrival_rate"].to_numpy(dtype=float) / 3600.0
            lam += rate
            work += rate * np.nan_to_num(frames[s]["handle_time"].to_numpy(dtype=float)) * group.time_factor(s)
        h = np.where(lam > 0, work / np.where(lam > 0, lam, 1.0), 1.0)
        out.append(binding(name, [staff(name, s, lam, h) for s in group.skills if s in frames]))
    return out


def binding(name: str, options: list[pd.DataFrame]) -> pd.DataFrame:
    """Per interval, the row of the option that needs the most staff (the first on a tie), as ``name``'s."""
    best = options[0].copy()
    for other in options[1:]:
        more = other["required"].to_numpy() > best["required"].to_numpy()
        for column in best.columns:
            if column in other.columns:
                best[column] = np.where(more, other[column].to_numpy(), best[column].to_numpy())
    best["role"] = name
    return best


def lowest_service(staff: pd.DataFrame, roles: list[str]) -> str:
    """Of ``roles``, the one with the lowest service level in a :meth:`Results.staff` table (the first on a tie;
    a role without one counts as fully served): the skill a planned group's figures are shown for."""
    return str(staff["service_level"].reindex(roles).astype(float).fillna(1.0).idxmin())
