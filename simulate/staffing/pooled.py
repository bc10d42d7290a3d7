"""Targets as planners state them: per interval, hour, day or week, judged on pooled calls.

A target such as "80% answered within 60 s, at most 5% give up" is met or missed in a
*period*: every 15-minute interval, every hour, the day, the week (``level``). The figure of a
period pools its calls over the replications (answered in time over all calls offered,
abandoned over all offered, total wait over answered), so every call weighs the same; the
mean of per-replication shares would weigh a replication with one caller like one with
forty, and at a few calls an interval it understates abandonment. The 95% interval treats
the replications as the independent units (:func:`simulate.intervals.pooled_table`).

A period whose calls are too few to judge alone (fewer than ``min_volume`` calls offered per
replication on average, e.g. the call-backs that trickle in after closing time) is judged
with its neighbours: it joins the next period of the same day, or the one before when it is
the day's last. Periods with no calls are not judged.

Each period gets a verdict per figure and overall:

- ``"meets"``: the whole 95% interval is on the target's good side;
- ``"misses"``: the whole interval is on the bad side (a clear miss);
- ``"close"``: the interval straddles the target, so these replications cannot tell the
  period apart from it (more replications narrow the interval; see :func:`simulate.verify`);
- ``"after hours"``: with ``closed`` intervals given (no new callers reach the role then), the
  call-backs and stragglers after closing are reported in periods of their own, not judged.

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> results = simulate.run(bp, replications=20, seed=3)
>>> table = pooled_figures(results, "first_line", bp.target, level="hour")
>>> sorted(set(table["verdict"])) <= ["close", "meets", "misses"]
True
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal, NamedTuple, get_args

import numpy as np
import pandas as pd

from simulate.clock import interval_label
from simulate.intervals import pooled_table

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import NDArray

    from blueprint import Target
    from simulate.results import Results

__all__ = ["LEVELS", "Level", "Verdict", "closed_periods", "figure_columns", "judged_periods", "leaning", "open_intervals", "periods",
           "pooled_figures", "role_counts"]

Level = Literal["interval", "hour", "day", "week"]
Verdict = Literal["meets", "misses", "close", "after hours"]

#: New callers an interval must expect at a role (from the analytic arrival rate) to count as open.
OPEN_CALLS = 0.1

#: The length of each level's period in seconds (``"interval"``: the run's own interval).
LEVELS: dict[str, float] = {"hour": 3600.0, "day": 86_400.0, "week": 7 * 86_400.0}

#: The figures a target can bound: (name, the target's field, side of a miss, a proportion?).
_FIGURES: tuple[tuple[str, str, str, bool], ...] = (
    ("service_level", "service_level", "below", True),
    ("abandonment", "max_abandon", "above", True),
    ("asa", "max_asa", "above", False),
)


class RoleCounts(NamedTuple):
    """One role's counts per replication (rows) and interval (columns)."""

    within: NDArray[np.float64]
    answered: NDArray[np.float64]
    abandoned: NDArray[np.float64]
    wait_sum: NDArray[np.float64]

    @property
    def offered(self) -> NDArray[np.float64]:
        return self.answered + self.abandoned


def role_counts(results: Results, role: str) -> RoleCounts:
    """The counts :func:`pooled_figures` pools, read from every replication of ``results``."""
    reps = [r.roles[role] for r in results.replications]

    def per(name: str) -> NDArray[np.float64]:
        return np.array([getattr(r, name) for r in reps], dtype=float)

    return RoleCounts(per("within"), per("answered"), per("abandoned"), per("wait_sum"))


def open_intervals(arrival_rate: NDArray[np.float64], interval: float, min_calls: float = OPEN_CALLS) -> NDArray[np.bool_]:
    """Intervals a role is open in: those where at least ``min_calls`` new callers are expected to
    reach it (``arrival_rate`` per hour, the lag-SIPP rate of :func:`simulate.requirements`, which
    counts transfers arriving late but not call-backs).

    >>> open_intervals(np.array([0.0, 0.2, 40.0, 0.0]), 900).tolist()
    [False, False, True, False]
    """
    return np.asarray(np.nan_to_num(arrival_rate) * interval / 3600.0 >= min_calls, dtype=bool)


def check_level(level: str) -> None:
    if level not in get_args(Level):
        raise ValueError(f"level must be one of {', '.join(get_args(Level))}; got {level!r}")


def periods(volume: NDArray[np.float64], interval: float, level: str = "interval", min_volume: float = 1.0) -> list[list[int]]:
    """The intervals of each judged period: ``volume`` is the calls offered per interval (mean per
    replication), ``interval`` its width in seconds. Periods of ``level`` with fewer than
    ``min_volume`` calls join their neighbours within the same day (the next one, or the one
    before at the day's end); periods with no calls are left out.

    >>> periods(np.array([0, 0.3, 5, 8, 0.6, 0]), 900, "interval", 1.0)
    [[1, 2], [3, 4]]
    >>> periods(np.array([3, 1, 2, 4, 5, 0, 0, 0]), 900, "hour")
    [[0, 1, 2, 3], [4]]
    """
    check_level(level)
    if min_volume < 0 or not math.isfinite(min_volume):
        raise ValueError(f"min_volume must be a finite number of calls at least 0, got {min_volume!r}")
    n = len(volume)
    size = 1 if level == "interval" else max(1, int(round(LEVELS[level] / interval)))
    per_day = max(size, int(round(86_400.0 / interval)))
    blocks = [list(range(i, min(i + size, n))) for i in range(0, n, size)]
    out: list[list[int]] = []
    day_start = 0  # index in ``out`` of the day's first period
    group: list[int] = []
    for block in blocks:
        if block[0] % per_day == 0 and block[0] > 0 or size >= per_day:
            _close_day(out, group, day_start, volume, min_volume)
            group, day_start = [], len(out)
        calls = float(volume[block].sum())
        if calls <= 0 and not group:
            continue
        group += block
        if float(volume[group].sum()) >= min_volume:
            out.append(_trimmed(group, volume))
            group = []
    _close_day(out, group, day_start, volume, min_volume)
    return out


def _trimmed(group: list[int], volume: NDArray[np.float64]) -> list[int]:
    """A group without the call-less intervals at its end (they were never part of it)."""
    while len(group) > 1 and volume[group[-1]] <= 0:
        group = group[:-1]
    return group


def _close_day(out: list[list[int]], group: list[int], day_start: int, volume: NDArray[np.float64], min_volume: float) -> None:
    """The day's last calls, too few to judge alone, join the day's last period (or stand alone)."""
    group = _trimmed(group, volume) if group else group
    if not group or float(volume[group].sum()) <= 0:
        return
    if len(out) > day_start:
        last = out[-1]
        out[-1] = list(range(last[0], group[-1] + 1))
    else:
        out.append(group)


def figure_columns(figure: str) -> list[str]:
    """The columns one figure takes in :func:`pooled_figures`' table.

    >>> figure_columns("abandonment")
    ['abandonment', 'abandonment_ci_low', 'abandonment_ci_high', 'abandonment_target', 'abandonment_verdict']
    """
    return [figure, f"{figure}_ci_low", f"{figure}_ci_high", f"{figure}_target", f"{figure}_verdict"]


def bounded(target: Target) -> list[tuple[str, float, str, bool]]:
    """The figures ``target`` bounds: (figure, goal, side of a miss, proportion?)."""
    out = []
    for figure, attr, side, proportion in _FIGURES:
        goal = getattr(target, attr)
        if goal is None:
            continue
        out.append((figure, float(goal.seconds if hasattr(goal, "seconds") else goal), side, proportion))
    return out


def verdict(low: float, high: float, goal: float, side: str) -> Verdict:
    """``"meets"``, ``"misses"`` or ``"close"`` for a figure whose 95% interval is [low, high].

    >>> verdict(0.82, 0.9, 0.8, "below"), verdict(0.7, 0.79, 0.8, "below"), verdict(0.03, 0.06, 0.05, "above")
    ('meets', 'misses', 'close')
    """
    if math.isnan(low) or math.isnan(high):
        return "close"
    good, bad = (low >= goal, high < goal) if side == "below" else (high <= goal, low > goal)
    return "meets" if good else "misses" if bad else "close"


def leaning(table: pd.DataFrame) -> NDArray[np.bool_]:
    """Rows of a :func:`pooled_figures` table that are too close to call but whose best estimate is
    past the target (a probable miss): a figure whose verdict is ``"close"`` and whose value is on
    the miss side of its target.

    >>> t = pd.DataFrame({"verdict": ["close", "close", "misses"], "abandonment": [0.052, 0.048, 0.09],
    ...                   "abandonment_target": 0.05, "abandonment_verdict": ["close", "close", "misses"]})
    >>> leaning(t).tolist()
    [True, False, False]
    """
    out = np.zeros(len(table), dtype=bool)
    for figure, _attr, side, _p in _FIGURES:
        if f"{figure}_verdict" not in table:
            continue
        value, goal = table[figure].to_numpy(dtype=float), table[f"{figure}_target"].to_numpy(dtype=float)
        past = value < goal if side == "below" else value > goal
        out |= (table[f"{figure}_verdict"].to_numpy() == "close") & past
    return out & (table["verdict"].to_numpy() == "close")


def closed_periods(volume: NDArray[np.float64], interval: float, closed: NDArray[np.bool_]) -> list[list[int]]:
    """Runs of ``closed`` intervals (after hours) that had calls, one per run and day, without the
    call-less intervals at their ends: reported, not judged.

    >>> closed_periods(np.array([0, 5, 5, 0.4, 0.2, 0]), 900, np.array([True, False, False, True, True, True]))
    [[3, 4]]
    """
    per_day = max(1, int(round(86_400.0 / interval)))
    out: list[list[int]] = []
    run: list[int] = []
    for i in range(len(volume)):
        if closed[i] and not (run and i % per_day == 0):
            run.append(i)
            continue
        if run:
            out.append(run)
        run = [i] if closed[i] else []
    if run:
        out.append(run)
    trimmed = []
    for r in out:
        calls = [i for i in r if volume[i] > 0]
        if calls:
            trimmed.append(list(range(calls[0], calls[-1] + 1)))
    return trimmed


def judged_periods(volume: NDArray[np.float64], interval: float, level: str = "interval", min_volume: float = 1.0,
                   closed: NDArray[np.bool_] | None = None) -> tuple[list[list[int]], list[list[int]]]:
    """The periods judged against the target (:func:`periods` over the open intervals only) and the
    after-hours periods reported beside them (:func:`closed_periods`); without ``closed`` every
    interval is open."""
    if closed is None:
        return periods(volume, interval, level, min_volume), []
    open_volume = np.where(closed, 0.0, volume)
    groups = [[i for i in g if not closed[i]] for g in periods(open_volume, interval, level, min_volume)]
    return [g for g in groups if g], closed_periods(volume, interval, closed)


def pooled_figures(results: Results | RoleCounts, role: str, target: Target, *, level: str = "interval",
                   min_volume: float = 1.0, n: int | None = None, interval: float | None = None,
                   span: float | None = None, groups: list[list[int]] | None = None,
                   closed: NDArray[np.bool_] | None = None, after_hours: list[list[int]] | None = None) -> pd.DataFrame:
    """Per judged period of ``role``: the pooled figures ``target`` bounds, their 95% intervals, the
    target and a verdict per figure and overall (see the module notes).

    Columns: ``role``, ``period`` (0, 1, …), ``first`` and ``last`` (the intervals it spans),
    ``label`` ("08:00–09:00"), ``calls`` (offered per replication, mean), ``replications``, then
    :func:`figure_columns` of each bounded figure, then ``verdict`` (``"misses"`` if any figure
    misses, else ``"close"`` if any is close, else ``"meets"``). ``n`` limits the intervals judged
    (the plan's horizon). ``results`` may be :func:`role_counts` (then give ``interval`` and
    ``span``, the seconds the table covers). ``groups`` fixes the periods (lists of intervals, as
    :func:`periods` returns them), so that two runs are judged on the same ones.

    ``closed`` marks the intervals after hours (no new callers reach the role then, only call-backs
    and stragglers): they are left out of the judged periods and reported in rows of their own
    whose verdict is ``"after hours"`` (``after_hours`` fixes those periods as ``groups`` does).
    """
    if isinstance(results, RoleCounts):
        counts = results
        if interval is None:
            raise ValueError("give interval= with counts")
        w = float(interval)
        span = float(span if span is not None else counts.within.shape[1] * w)
    else:
        counts = role_counts(results, role)
        w = float(results.interval)
        span = float(results.days * 86_400.0)
    n = counts.within.shape[1] if n is None else min(n, counts.within.shape[1])
    offered = counts.offered[:, :n]
    reps = offered.shape[0]
    if groups is None:
        groups, found_after = judged_periods(offered.mean(axis=0), w, level, min_volume,
                                             None if closed is None else np.asarray(closed[:n], dtype=bool))
        after_hours = found_after if after_hours is None else after_hours
    every = list(groups) + list(after_hours or [])
    kinds = ["judged"] * len(groups) + ["after hours"] * (len(every) - len(groups))
    order = sorted(range(len(kinds)), key=lambda k: every[k][0])
    groups, kinds = [every[k] for k in order], [kinds[k] for k in order]
    figures = bounded(target)

    def summed(a: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.stack([a[:, g].sum(axis=1) for g in groups], axis=1) if groups else np.zeros((reps, 0))

    s_within, s_answered, s_abandoned, s_wait = (summed(a[:, :n]) for a in counts)
    s_offered = s_answered + s_abandoned
    pairs = {"service_level": (s_within, s_offered), "abandonment": (s_abandoned, s_offered), "asa": (s_wait, s_answered)}
    table = pd.DataFrame({
        "role": role, "period": np.arange(len(groups)),
        "first": [g[0] for g in groups], "last": [g[-1] for g in groups],
        "label": [_label(g, w, span) for g in groups],
        "calls": s_offered.mean(axis=0) if reps else np.zeros(len(groups)),
        "replications": reps,
    })
    overall = np.full(len(groups), "meets", dtype=object)
    for figure, goal, side, proportion in figures:
        p, lo, hi = pooled_table(*pairs[figure], proportion=proportion)
        calls = [verdict(float(a), float(b), goal, side) if kind == "judged" else "after hours"
                 for a, b, kind in zip(lo, hi, kinds)]
        for column, values in zip(figure_columns(figure), (p, lo, hi, np.full(len(groups), goal), calls)):
            table[column] = values
        overall = np.where(np.array(calls) == "misses", "misses",
                           np.where((np.array(calls) == "close") & (overall != "misses"), "close", overall))
    table["verdict"] = np.where(np.array(kinds) == "after hours", "after hours", overall) if kinds else overall
    return table


def _label(group: list[int], w: float, span: float) -> str:
    start, end = group[0] * w, (group[-1] + 1) * w
    if len(group) == 1:
        return interval_label(start, span)
    first, last = interval_label(start, span), interval_label(end, span) if end % 86_400 else "24:00"
    if " " in first and last.split(" ")[0] == first.split(" ")[0]:
        last = last.split(" ", 1)[1]  # the same weekday: "Mon 17:45–21:45"
    return f"{first}–{last}"
