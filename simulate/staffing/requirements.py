"""How many staff each role needs in each interval of the day, for the whole blueprint.

:func:`requirements` answers it three ways:

``"sipp"``
    Stationary independent period by period: each interval on its own, from the
    offered load at each role. The load of a role comes from the flows: the
    expected number of times a customer joins the role's queue (branch shares,
    rework loops, transfers, failures sent to recovery, parallel work) times the
    arrivals in the interval, and the expected time a member is held per call
    (the role's steps and the system steps between them, as the simulator holds
    a member). Then Erlang C, or Erlang A where customers have a patience
    (:func:`simulate.staffing.agents_for`).
``"lag-sipp"``
    The same, with each queue's arrivals shifted by the mean time customers take
    to reach it from their arrival (the steps before it, and flow delays).
``"simulation"``
    The iterative staffing algorithm (Feldman, Mandelbaum, Massey and Whitt,
    2008), as a loop of simulations: simulate with plentiful staff, measure the
    calls and the work arriving at each role in each interval, staff each
    interval from them, simulate again with that staffing, and repeat until the
    staffing stops changing. It sees what the formulas do not: abandonment that
    thins the load downstream, customers who call back, queues that carry over
    from one interval to the next. The last simulation measures the service
    level each interval achieves.

Retries after abandoning are not part of the flows the formulas read; only the
simulation method sees them. With staff groups (skills-based routing) the table has a row per
planned group instead of its skills: each skill's calls are planned on the group they try
first, and a group is staffed for the pooled load of those skills at the target of every skill
it serves (:mod:`simulate.staffing.groups`). The simulation method then measures the calls each
group really takes (overflow, a group's other skills) and staffs it for them.

>>> import blueprint, simulate
>>> bp = blueprint.Blueprint("Kiosk")
>>> use = bp.customer("Use the kiosk", role="kiosk", duration="exp(2 min)")
>>> _ = bp.role("kiosk", staffing=1, target={"service_level": 0.8, "within": "20 s"})
>>> _ = bp.arrive(use, rate="120 per h")
>>> req = simulate.requirements(bp, days=1)
>>> int(req.loc[("kiosk", 40), "required"]), round(float(req.loc[("kiosk", 40), "load"]), 2)
(7, 4.0)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from blueprint import Blueprint, Lane, Role, Staffing, Target
from blueprint.arrivals import Arrivals, timestamp_seconds
from blueprint.staffing import DAY, WEEK, Profile
from blueprint.units import WEEKDAYS, within_duration_limit
from blueprint.visits import Visits, arrival_lags, expected_visits
from simulate.clock import interval_labels, interval_times
from simulate.clock import to_seconds as _seconds
from simulate.engine.model import DEFAULT_TARGET_SECONDS
from simulate.engine.semantics import held_roles, releases
from simulate.engine.timeline import profile_timeline
from simulate.staffing.agents import StaffingTieWarning, agents_for
from simulate.staffing.groups import binding, fold_into_groups, lowest_service, planned_groups
from simulate.staffing.table import Requirements, RequirementSettings

if TYPE_CHECKING:  # pragma: no cover
    from simulate.executors import ExecutorChoice
    from simulate.results import Results

__all__ = ["Requirements", "requirements", "role_loads"]

Method = Literal["sipp", "lag-sipp", "simulation"]
DEFAULT_SERVICE_LEVEL = 0.8


# -- flows: visits, calls, work, lags ---------------------------------------------------


@dataclass
class RoleLoad:
    """Per customer entering at one step: how often they join a role's queue, and for how long
    a member is held each time."""

    role: str
    calls: float  # queue joins per arriving customer
    work: float  # seconds of a member's time per arriving customer
    lag: float  # mean seconds from arrival to joining the queue (weighted by calls)

    @property
    def handle_time(self) -> float:
        return self.work / self.calls if self.calls > 0 else math.nan


def _visits(bp: Blueprint, entry: str) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
    """Expected visits per step of a customer entering at ``entry``, and the expected number
    of times each flow ``(source, target)`` is followed (parallel work and recovery included):
    :func:`blueprint.visits.expected_visits`, the rule the validator reads too."""
    v = expected_visits(bp, entry)
    return v.steps, v.flows


def _lags(bp: Blueprint, entry: str, follow: dict[tuple[str, str], float]) -> dict[str, float]:
    """Mean time from arrival to reaching each step: :func:`blueprint.visits.arrival_lags`."""
    return arrival_lags(bp, entry, Visits({}, follow))


def role_loads(bp: Blueprint, entry: str) -> dict[str, RoleLoad]:
    """Per role, for one customer entering at ``entry``: queue joins, member time and lag.

    >>> import blueprint
    >>> bp = blueprint.Blueprint("Desk")
    >>> a = bp.onstage("Ask", role="clerk", duration="exp(2 min)")
    >>> b = bp.backstage("Check", role="clerk", duration="exp(1 min)")
    >>> c = bp.onstage("Escalate", role="manager", duration="exp(5 min)")
    >>> _ = a >> b
    >>> _ = bp.flow(b, c, probability=0.25)
    >>> _ = bp.role("clerk", staffing=2)
    >>> _ = bp.role("manager", staffing=1)
    >>> loads = role_loads(bp, "ask")
    >>> loads["clerk"].calls, loads["clerk"].handle_time, loads["manager"].calls
    (1.0, 180.0, 0.25)
    """
    visits, follow = _visits(bp, entry)
    held = held_roles(bp)
    lags = _lags(bp, entry, follow)
    out: dict[str, RoleLoad] = {}
    parallel_sources = {f.source for f in bp.flows if f.kind.value == "parallel"}
    for role in bp.roles:
        calls = work = lag_sum = 0.0
        for s in bp.steps:
            d = s.duration.mean if s.duration is not None else 0.0
            if s.role == role.name:
                # queue joins: arrivals at this step that do not come with a member of this role already held
                joins = 1.0 if s.id == entry else 0.0
                for (src, dst), w in follow.items():
                    if dst != s.id:
                        continue
                    fp = bp.step(src).fail_point
                    failed_route = fp is not None and fp.recovery == dst
                    kept = not any(releases(f) for f in bp.flows_from(src) if f.target == dst and f.is_branch)
                    if held.get(src) == role.name and kept and src not in parallel_sources and not failed_route:
                        continue
                    joins += w
                calls += joins
                work += visits[s.id] * d
                lag_sum += joins * lags.get(s.id, 0.0)
            elif s.role is None and s.lane is not Lane.CUSTOMER and held.get(s.id) == role.name:
                work += visits[s.id] * d  # a system step while the member stays with the customer
        out[role.name] = RoleLoad(role.name, calls, work, lag_sum / calls if calls > 0 else 0.0)
    return out


# -- arrivals per interval ----------------------------------------------------------------


def _cumulative(a: Arrivals, horizon: float) -> Callable[[float], float]:
    """A function t ↦ expected arrivals in [0, t), for t in [−∞, horizon + a day]."""
    end = horizon + DAY
    if a.kind == "rate":
        lam = a.rate.per_second  # type: ignore[union-attr]
        return lambda t: lam * min(max(t, 0.0), end)
    if a.kind == "profile":
        prof = a.profile
        assert prof is not None
        tl = [(t, v / prof.interval.seconds) for t, v in profile_timeline(prof, end)]
        times = [t for t, _ in tl]
        cum = [0.0]
        for i in range(len(tl) - 1):
            cum.append(cum[-1] + tl[i][1] * (tl[i + 1][0] - tl[i][0]))

        def f(t: float) -> float:
            t = min(max(t, 0.0), end)
            i = int(np.searchsorted(times, t, side="right")) - 1
            return cum[i] + tl[i][1] * (t - tl[i][0])

        return f
    stamps = sorted(timestamp_seconds(s) for s in a.times or [])
    weekly = any(" " in s for s in a.times or [])
    period = WEEK if weekly else DAY
    points = np.array(sorted(base + s for base in np.arange(0, end + period, period) for s in stamps if base + s < end))
    return lambda t: float(np.searchsorted(points, max(t, 0.0), side="left"))


def offered(bp: Blueprint, roles: list[str], *, lagged: bool, days: float, interval: float
            ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per role and interval, the calls joining its queue per second and the member-seconds of work they
    bring per second, from the flows (shifted by each queue's lag when ``lagged``)."""
    horizon, w = float(days) * DAY, float(interval)
    n = int(math.ceil(horizon / w - 1e-9))
    starts = np.arange(n) * w
    rates: dict[str, np.ndarray] = {r: np.zeros(n) for r in roles}
    work: dict[str, np.ndarray] = {r: np.zeros(n) for r in roles}
    for a in bp.arrivals:
        loads = role_loads(bp, a.step)
        cum = _cumulative(a, horizon)
        for r in roles:
            load = loads[r]
            shift = load.lag if lagged else 0.0
            arrived = np.array([cum(t + w - shift) - cum(t - shift) for t in starts])
            if shift:
                arrived[starts - shift < 0] = np.array([cum(t + w - shift) - cum(max(t - shift, 0.0)) for t in starts])[starts - shift < 0]
            rates[r] += arrived / w * load.calls
            work[r] += arrived / w * load.work
    return rates, work


# -- targets --------------------------------------------------------------------------------


def requirement_roles(bp: Blueprint) -> list[Role]:
    """The roles that need staff: those some step uses, unless their staffing is unlimited."""
    roles = [r for r in bp.roles if not (r.staffing is not None and r.staffing.kind == "unlimited")]
    return [r for r in roles if any(s.role == r.name for s in bp.steps)]


def target_for(bp: Blueprint, role: str, target: Target | dict[str, Any] | None) -> Target:
    """The target ``role`` is staffed to: from ``target`` (one for every role, or a dict per role),
    else the role's own or the blueprint's, else 80% within the role's wait-point tolerance."""
    if isinstance(target, dict) and role in target:
        target = target[role]
    elif isinstance(target, dict) and any(r.name in target for r in bp.roles):
        target = None
    if target is not None:
        return target if isinstance(target, Target) else Target.model_validate(target)
    own = bp.target_for(role)
    if own is not None and (own.service_level is not None or own.max_abandon or own.max_asa or own.max_occupancy):
        return own
    tol = next((s.wait_point.tolerance.seconds for s in bp.steps if s.role == role and s.wait_point), DEFAULT_TARGET_SECONDS)
    return Target(service_level=DEFAULT_SERVICE_LEVEL, within=f"{tol:g} s")


def mean_patience(bp: Blueprint) -> float | None:
    """Mean patience over all arriving customers (None when nobody gives up)."""
    num = den = 0.0
    any_patience = False
    for a in bp.arrivals:
        for seg in a.segment_list():
            p = a.patience_of(seg)
            if p is not None:
                any_patience = True
                num += seg.share * p.mean
                den += seg.share
    return num / den if any_patience and den > 0 else None


# -- the table --------------------------------------------------------------------------------


def requirements(
    blueprint: Blueprint,
    target: Target | dict[str, Any] | None = None,
    *,
    method: Method = "sipp",
    days: float = 1,
    interval: float | str = "15 min",
    shrinkage: float = 0.0,
    definition: str = "offered",
    replications: int = 10,
    seed: int | None = None,
    max_iterations: int = 10,
    executor: ExecutorChoice = None,
    patience: bool = True,
) -> Requirements:
    """Required staff per role per interval, with the service level each interval achieves.

    ``target`` is a :class:`~blueprint.Target` (or its fields as a dict) for every
    role, or a dict ``{role: target}``; roles left out use their own target, the
    blueprint's, or 80% within their wait point's tolerance (60 s without one).
    ``shrinkage`` (breaks, training, absence) turns agents on the phones into agents
    scheduled. ``definition`` is the service-level definition for Erlang A (see
    :func:`simulate.staffing.erlang_a.erlang_a`). The simulation method runs ``replications``
    replications of ``days`` days from ``seed`` per iteration, at most
    ``max_iterations`` times. Roles with unlimited staffing need no requirement.
    ``patience=False`` ignores customers' patience: Erlang C even where they give
    up, as a spreadsheet does.

    >>> import blueprint
    >>> req = requirements(blueprint.load("examples/contact_center.yaml"), method="lag-sipp")
    >>> row = req.loc[("first_line", 42)]                  # role, interval: 10:30
    >>> row["label"], int(row["required"]), round(float(row["load"]), 1)
    ('10:30', 18, 15.0)
    """
    if method not in ("sipp", "lag-sipp", "simulation"):
        raise ValueError(f"method must be 'sipp', 'lag-sipp' or 'simulation', got {method!r}")
    if not 0 <= shrinkage < 1:
        raise ValueError(f"shrinkage must be at least 0 and below 1, got {shrinkage}")
    if not days > 0 or not math.isfinite(days):
        raise ValueError(f"days must be a finite number more than 0, got {days}")
    within_duration_limit(days * DAY, f"days={days:g}")
    blueprint.validate().raise_for_errors()
    if not blueprint.arrivals:
        raise ValueError("the blueprint has no arrivals: no staff are needed")
    w = _seconds(interval, "interval")
    if w <= 0 or DAY % w > 1e-9:
        raise ValueError(f"interval must divide a day evenly, got {w:g} s")
    horizon = float(days) * DAY
    n = int(math.ceil(horizon / w - 1e-9))
    roles = requirement_roles(blueprint)
    patience_mean = mean_patience(blueprint) if patience else None
    starts = np.arange(n) * w
    settings: RequirementSettings = {
        "method": method, "interval": w, "days": float(days), "shrinkage": shrinkage,
        "targets": {r.name: target_for(blueprint, r.name, target) for r in roles},
    }
    groups = planned_groups(blueprint)
    if groups:
        settings["groups"] = groups
    if method == "simulation":
        return _by_simulation(blueprint, roles, settings, patience_mean, starts, n, w, definition, replications, seed,
                              max_iterations, executor)
    rates, work = offered(blueprint, [r.name for r in roles], lagged=method == "lag-sipp", days=days, interval=w)
    frames = {}
    for r in roles:
        lam = rates[r.name]
        h = np.where(lam > 0, work[r.name] / np.where(lam > 0, lam, 1.0), 1.0)
        frames[r.name] = _staff_role(r.name, settings["targets"][r.name], lam, h, patience_mean, starts, shrinkage,
                                     definition, w, r.concurrency)
    if not groups:
        return _table(list(frames.values()), settings)

    def staff(group: str, skill: str, lam: np.ndarray, h: np.ndarray) -> pd.DataFrame:
        return _staff_role(group, settings["targets"][skill], lam, h, patience_mean, starts, shrinkage, definition, w,
                           blueprint.get_group(group).concurrency)

    return _table(fold_into_groups(blueprint, frames, staff), settings)


def _staff_role(role: str, target: Target, lam: np.ndarray, h: np.ndarray, patience: float | None,
                starts: np.ndarray, shrinkage: float, definition: str, w: float, concurrency: int = 1) -> pd.DataFrame:
    """One role's (or group's) requirement per interval. With ``concurrency`` k above 1 (chats) each member is k
    servers: the formula finds the least servers, the role needs that many over k, rounded up, and the figures are
    those of k × that many servers."""
    kwargs: dict[str, Any] = {"shrinkage": 0.0 if concurrency > 1 else shrinkage}
    if target.service_level is not None:
        kwargs["target_service_level"] = target.service_level
        kwargs["within"] = target.within.seconds  # type: ignore[union-attr]
    if target.max_asa is not None:
        kwargs["max_asa"] = target.max_asa.seconds
    if target.max_occupancy is not None:
        kwargs["max_occupancy"] = target.max_occupancy
    if patience is not None:
        kwargs["patience"] = patience
        kwargs["definition"] = definition
        if target.max_abandon is not None:
            kwargs["max_abandon"] = target.max_abandon
    if len(kwargs) == 1:
        kwargs["target_service_level"] = DEFAULT_SERVICE_LEVEL
        kwargs["within"] = DEFAULT_TARGET_SECONDS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StaffingTieWarning)
        details = agents_for(lam, h, return_details=True, **kwargs)
    details = details.reset_index(drop=True)
    if concurrency > 1:
        details = _in_members(details, lam, h, patience, target, definition, concurrency, shrinkage)
    out = pd.DataFrame({
        "role": role,
        "interval": np.arange(len(starts)),
        "start": starts,
        "time": interval_times(starts),
        "label": interval_labels(starts, len(starts) * w),
        "arrival_rate": lam * 3600,
        "handle_time": np.where(lam > 0, h, np.nan),
        "load": lam * h,
        "required": details["agents"].to_numpy(),
        "scheduled": details["scheduled"].to_numpy(),
    })
    for col in ("service_level", "asa", "p_abandon", "occupancy"):
        if col in details:
            out[col] = details[col].to_numpy()
    return out


def _in_members(details: pd.DataFrame, lam: np.ndarray, h: np.ndarray, patience: float | None, target: Target,
                definition: str, k: int, shrinkage: float) -> pd.DataFrame:
    """The servers :func:`agents_for` found as members who each serve ``k`` at once, with the formula's figures at
    k × members servers and shrinkage applied to members."""
    from simulate.staffing.erlang_a import erlang_a_arrays

    members = np.ceil(details["agents"].to_numpy(dtype=float) / k).astype(int)
    out = details.copy()
    out["agents"] = members
    out["scheduled"] = np.ceil(members / (1.0 - shrinkage) - 1e-9).astype(int)
    within = target.within.seconds if target.within is not None else DEFAULT_TARGET_SECONDS
    pat = np.full(len(lam), np.inf if patience is None else patience)
    figures = erlang_a_arrays(lam, h, pat, (members * k).astype(float), within, (definition,))
    busy = members > 0
    for column, key in (("service_level", f"sl_{definition}"), ("asa", "asa_served"), ("p_abandon", "p_abandon")):
        if column in out:
            out[column] = np.where(busy, figures[key], out[column])
    if "occupancy" in out:  # of the servers (chat slots)
        out["occupancy"] = np.where(busy, figures["occupancy"], out["occupancy"])
    return out


def _table(frames: list[pd.DataFrame], settings: RequirementSettings, results: Results | None = None) -> Requirements:
    if not frames:
        raise ValueError("no role needs staff: every role is unlimited or has no steps")
    df = pd.concat(frames, ignore_index=True).set_index(["role", "interval"])
    return Requirements.made(df, settings, results)


# -- the iterative staffing algorithm ----------------------------------------------------------


def _by_simulation(bp: Blueprint, roles: list[Role], settings: RequirementSettings, patience: float | None,
                   starts: np.ndarray, n: int, w: float, definition: str, replications: int, seed: int | None,
                   max_iterations: int, executor: ExecutorChoice) -> Requirements:
    from simulate.run import resolve_seed, run

    seed = resolve_seed(seed)
    days = settings["days"]
    targets = settings["targets"]
    groups = settings.get("groups", {})
    skills = bp.skills()
    plain = [r for r in roles if r.name not in skills]
    plentiful: dict[str, Staffing] = {r.name: Staffing(unlimited=True) for r in plain}
    if groups:  # a group cannot be unlimited: as many as the pooled load could ever want, all day
        first = requirements(bp, targets, method="sipp", days=days, interval=w, shrinkage=settings["shrinkage"],
                             definition=definition, patience=patience is not None)
        for g in groups:
            peak = float(first.xs(g, level="role")["load"].max())
            plentiful[g] = Staffing.model_validate(int(math.ceil(2 * peak + 10 * math.sqrt(peak) + 10)))
    staffing = plentiful
    history: list[dict[str, list[int]]] = []
    current: dict[str, np.ndarray] = {}
    results: Results | None = None
    frames: list[pd.DataFrame] = []
    for _ in range(max_iterations):
        trial = bp.with_staffing(staffing)
        results = run(trial, days=days, replications=replications, seed=seed, interval=w, executor=executor)
        if not history and not any(rep.journeys.arrivals for rep in results.replications):
            # nothing to measure: a requirement of nobody would then be refused as a role never on duty
            raise ValueError(results.notes()[0] if results.notes() else f"no customer arrived in the {days:g}-day run")
        frames = _measured_frames(bp, plain, groups, results, settings, patience, starts, n, w, definition)
        new = {str(f["role"].iloc[0]): f["required"].to_numpy() for f in frames}
        state = {k: v.tolist() for k, v in new.items()}
        if state in history[:-1]:
            # a cycle (the estimates swing by one between iterations): take the larger staffing and stop
            new = {k: np.maximum(new[k], current[k]) for k in new}
            history.append({k: v.tolist() for k, v in new.items()})
            staffing = {k: _profile(v, w) for k, v in new.items()}
            current = new
            continue
        history.append(state)
        if current and all(np.array_equal(current[k], new[k]) for k in new):
            break
        current = new
        staffing = {k: _profile(v, w) for k, v in new.items()}
    settings["iterations"] = len(history)
    settings["history"] = history
    settings["seed"] = seed
    settings["converged"] = len(history) >= 2 and all(history[-1][k] == history[-2][k] for k in history[-1])
    assert results is not None
    _with_simulated(frames, groups, results, n)
    return _table(frames, settings, results)


def _measured_frames(bp: Blueprint, plain: list[Role], groups: dict[str, list[str]], results: Results,
                     settings: RequirementSettings, patience: float | None, starts: np.ndarray, n: int, w: float,
                     definition: str) -> list[pd.DataFrame]:
    """One iteration's requirement: each role staffed for the calls and work measured at it, each planned group
    for the calls it took and those of its first-choice skills who gave up waiting."""
    targets, shrinkage = settings["targets"], settings["shrinkage"]

    def mean(role: str, figure: str) -> np.ndarray:
        return np.asarray(np.mean([getattr(rep.roles[role], figure) for rep in results.replications], axis=0)[:n])

    frames = []
    for r in plain:
        calls, work = mean(r.name, "arrivals"), mean(r.name, "work")
        h = np.where(calls > 0, work / np.where(calls > 0, calls, 1.0), 1.0)
        frames.append(_staff_role(r.name, targets[r.name], calls / w, h, patience, starts, shrinkage, definition, w,
                                  r.concurrency))
    for g, firsts in groups.items():
        # the calls the group took (overflow and its other skills' included) and those of its first-choice
        # skills who gave up waiting, each needing the group's mean time per call taken
        taken, work = mean(g, "arrivals"), mean(g, "work")
        calls = taken + sum((mean(s, "abandoned") for s in firsts), np.zeros(n))
        h = np.where(taken > 0, work / np.where(taken > 0, taken, 1.0), 1.0)
        group = bp.get_group(g)
        frames.append(binding(g, [_staff_role(g, targets[s], calls / w, h, patience, starts, shrinkage, definition, w,
                                              group.concurrency) for s in group.skills if s in targets]))
    return frames


def _with_simulated(frames: list[pd.DataFrame], groups: dict[str, list[str]], results: Results, n: int) -> None:
    """What the last staffing achieves in simulation, as ``sim_`` columns: a role's own figures; a group's own
    occupancy and the service of its first-choice skill that fares worst."""
    for frame in frames:
        role = frame["role"].iloc[0]
        if role in groups:
            worst = lowest_service(results.staff(), groups[role])
            per, own = results.roles(worst), results.groups(role)
        else:
            per = own = results.roles(role)
        for figure in ("service_level", "abandonment", "occupancy"):
            source = own if figure == "occupancy" else per
            for suffix in ("", "_ci_low", "_ci_high"):
                frame[f"sim_{figure}{suffix}"] = source[figure + suffix].to_numpy()[:n]


def _profile(values: np.ndarray, w: float) -> Staffing:
    per_day = int(round(DAY / w))
    vals = [float(v) for v in values]
    if len(vals) <= per_day:
        return Staffing(profile=Profile(interval=f"{w / 60:g} min", start="00:00", values=vals + [0.0] * (per_day - len(vals))))
    days = {WEEKDAYS[d]: vals[d * per_day:(d + 1) * per_day] for d in range(min(7, math.ceil(len(vals) / per_day)))}
    return Staffing(profile=Profile(interval=f"{w / 60:g} min", start="00:00", days=days))
