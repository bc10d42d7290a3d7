"""The plots of a run's :class:`~simulate.results.Results`, each one call that returns a matplotlib ``Figure``.

``results.plot(what, ...)`` draws one of :data:`PLOTS`; each also has its own
method (``results.plot_service_level(...)`` and so on):

* ``"service_level"``: a role's service level per interval with its 95% band
  and the target, and the staff on duty as steps on a second axis with the
  offered load (the staff the work keeps busy) dotted (the planner's first chart);
* ``"abandonment"``: the share who gave up per interval, with its band, the
  role's ``max_abandon`` target when it has one, and the staff on duty;
* ``"queue"``: the mean queue per interval with its band, and the longest queue;
* ``"occupancy"``: busy / on duty per interval for each staffed role, with bands;
* ``"waits"``: the waits at each step where customers queue: median, 90th and
  95th percentile with their 95% intervals, the mean and the longest wait.

The numbers are those of the tables: :meth:`Results.roles` for the interval
plots (columns ``x``, ``x_ci_low``, ``x_ci_high``), :meth:`Results.steps` for
the waits. ``role`` takes one role or a list (one panel each); the default is
the first role customers queue for (``"service_level"``, ``"abandonment"``,
``"queue"``) or every such role (``"occupancy"``). ``day`` shows one day of the
run (0 for the first, or a weekday such as ``"Mon"``), trimmed to the hours with
customers or staff, as a run of one day is. ``ax`` draws into an axes of your own (one role only).

Every plot returns a :class:`~simulate.chart.Chart` (a matplotlib ``Figure``
made without pyplot, shown in Jupyter as a cell's value), or the figure of
``ax`` when given; ``.savefig("x.png")`` follows. matplotlib is imported when a
plot is drawn, and the backend is never changed.

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> results = simulate.run(bp, days=1, replications=3, seed=1, progress=False)
>>> fig = results.plot("service_level", role="first_line")
>>> [ax.get_ylabel() for ax in fig.axes]
['answered within 60 s (%)', 'staff on duty (people)']
>>> fig.savefig("service_level.png")      # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from blueprint.units import WEEKDAYS
from simulate.clock import format_clock, format_duration

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from simulate.results import Results

__all__ = ["PLOTS", "plot", "plot_abandonment", "plot_occupancy", "plot_queue", "plot_service_level", "plot_waits",
           "queue_roles"]

_DAY = 86_400.0
_STAFF_COLOR = "#7f7f7f"
_TARGET_COLOR = "#c0392b"


def queue_roles(results: Results) -> list[str]:
    """The roles customers queue for: used by a step, staffing not unlimited (what the plots show by default).

    >>> queue_roles(results)                  # doctest: +SKIP
    ['first_line', 'specialist']
    """
    bp = results.blueprint
    used = {s.role for s in bp.steps if s.role}
    return [r.name for r in bp.roles if r.name in used and (r.staffing is None or r.staffing.kind != "unlimited")]


def _roles(results: Results, role: str | Sequence[str] | None, every: bool = False) -> list[str]:
    names = [role] if isinstance(role, str) else list(role) if role is not None else queue_roles(results)
    if not names:
        raise ValueError(f"{results.blueprint.name!r} has no role customers queue for: name a role to plot")
    known = [r.name for r in results.blueprint.roles]
    for name in names:
        if name not in known:
            raise ValueError(f"role {name!r} is not in {results.blueprint.name!r}; expected one of {', '.join(known)}")
    return names if every or role is not None else names[:1]


def _day_index(day: int | str | None, days: float) -> int | None:
    """The day of the run asked for: a number from 0, or a weekday (``"Mon"``, ``"monday"``)."""
    if day is None:
        return None
    if isinstance(day, str):
        names = [w[:3] for w in WEEKDAYS]
        if day.lower()[:3] not in names:
            raise ValueError(f"day {day!r}: expected a weekday (Mon … Sun) or a day number from 0")
        index = names.index(day.lower()[:3])
    else:
        index = int(day)
    if not 0 <= index < math.ceil(days):
        raise ValueError(f"day {day!r} is outside the run of {days:g} day(s) (days are numbered from 0, Monday)")
    return index


def _intervals(results: Results, role: str, day: int | None) -> pd.DataFrame:
    """The role's rows of :meth:`Results.roles`, of one day (trimmed to hours with customers or staff) or all."""
    table: pd.DataFrame = results.roles(role).xs(role, level="role")  # type: ignore[assignment]
    if day is None and results.days > 1:
        return table
    day = day or 0  # a run of a day or less: its hours with customers or staff, not the empty night
    table = table[(table["start"] >= day * _DAY) & (table["start"] < (day + 1) * _DAY)]
    active = np.flatnonzero((table["arrivals"].to_numpy() > 0) | (table["on_duty"].to_numpy() > 0))
    if len(active):
        table = table.iloc[max(active[0] - 1, 0): active[-1] + 2]
    return table


def _time_axis(ax: Axes, results: Results, starts: Any) -> None:
    """x in hours from Monday 00:00 over the intervals starting at ``starts`` (s), labelled by the clock
    (up to a day and a half) or by the weekday."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    starts = np.asarray(starts, dtype=float)
    lo = float(starts.min()) / 3600
    hi = float(starts.max() + results.interval) / 3600
    ax.set_xlim(lo, hi)
    if hi - lo > 36:
        ax.xaxis.set_major_locator(MultipleLocator(24))
        ax.xaxis.set_minor_locator(MultipleLocator(6))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda h, _p: format_clock(h * 3600, day="weekday")[:3]))
        ax.set_xlabel("day of the week (each tick at 00:00)")
    else:
        ax.xaxis.set_major_locator(MultipleLocator(1 if hi - lo <= 14 else 2))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda h, _p: format_clock(h * 3600)))
        day = format_clock(lo * 3600, day="weekday")[:3] if results.days > 1 else ""
        ax.set_xlabel(f"time of day{', ' + day if day else ''} (hh:mm)")
    ax.grid(alpha=0.3)


def _mid(results: Results, table: pd.DataFrame) -> np.ndarray:
    """The middle of each interval, in hours from Monday 00:00: where a figure of the interval is drawn."""
    return (table["start"].to_numpy(dtype=float) + results.interval / 2) / 3600


def _band(ax: Axes, x: np.ndarray, table: pd.DataFrame, name: str, color: str, label: str | None = None) -> Any:
    """The mean of figure ``name`` as a line and its 95% interval as a band; returns the line."""
    mean = table[name].to_numpy(dtype=float)
    low, high = table[f"{name}_ci_low"].to_numpy(dtype=float), table[f"{name}_ci_high"].to_numpy(dtype=float)
    ok = np.isfinite(low) & np.isfinite(high)
    ax.fill_between(x, np.where(ok, low, 0.0), np.where(ok, high, 0.0), where=ok, color=color, alpha=0.18, lw=0,
                    label="95% interval" if label is None else None, gid=f"band:{name}")
    (line,) = ax.plot(x, mean, color=color, lw=1.8, label=label or "mean of replications", gid=f"line:{name}")
    return line


def _staff_steps(ax: Axes, results: Results, table: pd.DataFrame) -> Axes:
    """Staff on duty per interval as steps on a second y axis at the right, and the offered load (the
    staff the customers' work keeps busy, in Erlangs) dotted on the same axis; returns that axis."""
    right = ax.twinx()
    starts = table["start"].to_numpy(dtype=float) / 3600
    on = table["on_duty"].to_numpy(dtype=float)
    right.step(np.r_[starts, starts[-1] + results.interval / 3600], np.r_[on, on[-1]], where="post",
               color=_STAFF_COLOR, lw=1.2, alpha=0.9, label="staff on duty", gid="line:on_duty")
    load = table["offered_load"].to_numpy(dtype=float)
    right.plot(_mid(results, table), load, color=_STAFF_COLOR, lw=1.0, ls=":", label="offered load (staff kept busy)",
               gid="line:offered_load")
    right.set_ylim(0, max(float(np.nanmax(np.r_[on, load], initial=0.0)) * 1.25, 1.0))
    right.set_ylabel("staff on duty (people)", color=_STAFF_COLOR)
    right.tick_params(axis="y", colors=_STAFF_COLOR)
    locator: Any = right.yaxis.get_major_locator()
    if hasattr(locator, "set_params"):
        locator.set_params(integer=True)
    ax.set_zorder(right.get_zorder() + 1)  # the figure's line above the staff steps
    ax.patch.set_visible(False)
    return right


def _legend(ax: Axes, other: Axes | None) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if other is not None:
        h2, l2 = other.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.0, -0.16), ncol=len(labels), fontsize="small",
              frameon=False)


def _panels(role_names: list[str], ax: Axes | None) -> tuple[Figure, list[Axes]]:
    """One axes per role: ``ax`` (for one role) or a new :class:`~simulate.chart.Chart` of stacked panels."""
    if ax is not None:
        if len(role_names) != 1:
            raise ValueError(f"ax= draws one role; {len(role_names)} were asked for ({', '.join(role_names)})")
        return ax.get_figure(root=True), [ax]  # type: ignore[return-value]
    from simulate.chart import new_chart

    return new_chart(len(role_names), width=11.0, height=4.0, sharex=True)


def _bottom_label(axes: list[Axes]) -> None:
    """Stacked panels share the time axis: only the bottom one, which shows its ticks, names it."""
    for a in axes[:-1]:
        a.set_xlabel("")


def _share_axis(ax: Axes) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.set_ylim(0, 1.03)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))


def _reps(results: Results) -> str:
    n = len(results.replications)
    return f"mean of {n} replication{'s' if n != 1 else ''}"


def plot_service_level(results: Results, role: str | Sequence[str] | None = None, *, day: int | str | None = None,
                       staff: bool = True, ax: Axes | None = None) -> Figure:
    """Service level per interval of ``role`` (or each of a list, one panel each) with its 95% band and
    the target, and the staff on duty as steps on the right axis with the offered load dotted (``staff=False``
    leaves both out).

    >>> fig = results.plot_service_level("first_line", day="Mon")   # doctest: +SKIP
    >>> fig.savefig("first_line.png")                                # doctest: +SKIP
    """
    names = _roles(results, role)
    fig, axes = _panels(names, ax)
    for name, a in zip(names, axes):
        table = _intervals(results, name, _day_index(day, results.days))
        _band(a, _mid(results, table), table, "service_level", "#1f77b4")
        target = results.blueprint.target_for(name)
        within = f"{format_duration(target.within.seconds)}" if target is not None and target.within else None
        if within is None:
            within = format_duration(float(results.staff()["target_seconds"].loc[name]))
        if target is not None and target.service_level is not None:
            a.axhline(target.service_level, ls="--", lw=1.2, color=_TARGET_COLOR,
                      label=f"target: {target.service_level:.0%} within {within}", gid="target")
        _share_axis(a)
        a.set_ylabel(f"answered within {within} (%)")
        a.set_title(f"{name}: service level per {format_duration(results.interval)} ({_reps(results)}, 95% band)")
        _time_axis(a, results, table["start"])
        _legend(a, _staff_steps(a, results, table) if staff else None)
    _bottom_label(axes)
    return fig


def plot_abandonment(results: Results, role: str | Sequence[str] | None = None, *, day: int | str | None = None,
                     staff: bool = True, ax: Axes | None = None) -> Figure:
    """The share of callers offered to ``role`` who gave up, per interval, with its 95% band, the role's
    ``max_abandon`` target when it has one, and the staff on duty as steps on the right axis.

    >>> results.plot_abandonment("specialist").savefig("gave_up.png")   # doctest: +SKIP
    """
    from matplotlib.ticker import PercentFormatter

    names = _roles(results, role)
    fig, axes = _panels(names, ax)
    for name, a in zip(names, axes):
        table = _intervals(results, name, _day_index(day, results.days))
        _band(a, _mid(results, table), table, "abandonment", "#d62728")
        target = results.blueprint.target_for(name)
        if target is not None and target.max_abandon is not None:
            a.axhline(target.max_abandon, ls="--", lw=1.2, color="#333333", label=f"target: at most {target.max_abandon:.0%}",
                      gid="target")
        a.set_ylim(bottom=0)
        a.yaxis.set_major_formatter(PercentFormatter(1.0))
        a.set_ylabel("gave up (% of callers offered)")
        a.set_title(f"{name}: abandonment per {format_duration(results.interval)} ({_reps(results)}, 95% band)")
        _time_axis(a, results, table["start"])
        _legend(a, _staff_steps(a, results, table) if staff else None)
    _bottom_label(axes)
    return fig


def plot_queue(results: Results, role: str | Sequence[str] | None = None, *, day: int | str | None = None,
               ax: Axes | None = None) -> Figure:
    """The queue in front of ``role`` per interval: its time average with the 95% band, and the longest
    queue seen in the interval (mean over the replications) as a thin line.

    >>> results.plot_queue("first_line", day=0).savefig("queue.png")   # doctest: +SKIP
    """
    names = _roles(results, role)
    fig, axes = _panels(names, ax)
    for name, a in zip(names, axes):
        table = _intervals(results, name, _day_index(day, results.days))
        x = _mid(results, table)
        _band(a, x, table, "queue_mean", "#9467bd", label="average queue")
        a.plot(x, table["queue_max"].to_numpy(dtype=float), color="#9467bd", lw=0.9, ls=":", label="longest queue",
               gid="line:queue_max")
        a.set_ylim(bottom=0)
        a.set_ylabel("customers waiting (people)")
        a.set_title(f"{name}: queue per {format_duration(results.interval)} ({_reps(results)}, 95% band)")
        _time_axis(a, results, table["start"])
        a.legend(loc="upper left", fontsize="small")
    _bottom_label(axes)
    return fig


def plot_occupancy(results: Results, role: str | Sequence[str] | None = None, *, day: int | str | None = None,
                   ax: Axes | None = None) -> Figure:
    """Occupancy (busy staff / staff on duty) per interval, one line with its 95% band per role (every
    role customers queue for by default), and the lowest ``max_occupancy`` target among them; gaps where
    nobody is on duty.

    >>> results.plot_occupancy(day="Mon").savefig("occupancy.png")   # doctest: +SKIP
    """
    from matplotlib.cm import tab10
    from matplotlib.colors import to_hex

    names = _roles(results, role, every=True)
    if ax is None:
        from simulate.chart import new_chart

        fig, (ax,) = new_chart(width=11.0, height=4.0)
    else:
        fig = ax.get_figure(root=True)  # type: ignore[assignment]
    tables = [_intervals(results, name, _day_index(day, results.days)) for name in names]
    for k, (name, table) in enumerate(zip(names, tables)):
        _band(ax, _mid(results, table), table, "occupancy", to_hex(tab10(k % 10)), label=name)
    limits = [t.max_occupancy for n in names if (t := results.blueprint.target_for(n)) is not None and t.max_occupancy]
    if limits:
        ax.axhline(min(limits), ls="--", lw=1.2, color=_TARGET_COLOR, label=f"target: at most {min(limits):.0%}",
                   gid="target")
    _share_axis(ax)
    ax.set_ylabel("staff busy (% of staff on duty)")
    ax.set_title(f"Occupancy per {format_duration(results.interval)} ({_reps(results)}, 95% bands)")
    _time_axis(ax, results, np.concatenate([t["start"].to_numpy(dtype=float) for t in tables]))
    ax.legend(loc="lower left", fontsize="small", framealpha=0.85)
    return fig


#: The quantiles of a step's waits drawn by :func:`plot_waits`: column, label and marker.
_QUANTILES = (("wait_p50", "median", "o"), ("wait_p90", "90th percentile", "s"), ("wait_p95", "95th percentile", "^"))


def plot_waits(results: Results, steps: Sequence[str] | None = None, *, ax: Axes | None = None) -> Figure:
    """The waits at each step where customers queued (or the ``steps`` named), one row per step: the
    median, 90th and 95th percentile of the waits with their 95% intervals over the replications,
    the mean (a bar) and the longest wait (×).

    The percentiles are those of :meth:`Results.steps` (each replication's, from a histogram of its
    waits with bins 1% apart, then averaged): the shape of each step's wait distribution, not every
    customer's wait.

    >>> results.plot_waits().savefig("waits.png")   # doctest: +SKIP
    """
    table = results.steps()
    if steps is None:
        shown = table[(table["arrivals"] > 0) & (table["wait_max"] > 0)]
    else:
        unknown = [s for s in steps if s not in table.index]
        if unknown:
            raise ValueError(f"no step {', '.join(map(repr, unknown))} in {results.blueprint.name!r}")
        shown = table.loc[list(steps)]
    if ax is None:
        from simulate.chart import new_chart

        fig, (ax,) = new_chart(width=10.0, height=max(2.5, 0.55 * len(shown) + 1.5))
    else:
        fig = ax.get_figure(root=True)  # type: ignore[assignment]
    labels = {s.id: s.label for s in results.blueprint.steps}
    y = np.arange(len(shown))[::-1]
    ax.barh(y, shown["wait_mean"].to_numpy(dtype=float), height=0.6, color="#c6d8ec", label="mean", gid="bar:wait_mean")
    for k, (column, label, marker) in enumerate(_QUANTILES):
        mean = shown[column].to_numpy(dtype=float)
        err = np.abs(np.vstack([mean - shown[f"{column}_ci_low"], shown[f"{column}_ci_high"] - mean]))
        drawn = ax.errorbar(mean, y + (k - 1) * 0.15, xerr=np.nan_to_num(err), fmt=marker, ms=5, capsize=2, lw=1,
                            label=label)
        drawn.lines[0].set_gid(f"marker:{column}")
    ax.plot(shown["wait_max"].to_numpy(dtype=float), y, "x", color="#333333", label="longest", gid="marker:wait_max")
    ax.set_yticks(y, [labels.get(s, s) for s in shown.index])
    ax.set_xlim(left=0)
    ax.set_xlabel("wait (s)")
    ax.set_ylabel("step")
    ax.set_title(f"Waits per step ({_reps(results)}; bars: 95% intervals)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    return fig


#: The plots :func:`plot` draws, by name (``results.plot(name, ...)``).
PLOTS = {
    "service_level": plot_service_level,
    "abandonment": plot_abandonment,
    "queue": plot_queue,
    "occupancy": plot_occupancy,
    "waits": plot_waits,
}


def plot(results: Results, what: str = "service_level", /, **options: Any) -> Figure:
    """The plot named ``what`` (one of :data:`PLOTS`) of ``results``, with its own options.

    >>> plot(results, "queue", role="first_line", day=0).axes[0].get_ylabel()   # doctest: +SKIP
    'customers waiting (people)'
    """
    if what not in PLOTS:
        raise ValueError(f"no plot {what!r}; expected one of {', '.join(PLOTS)}")
    draw: Any = PLOTS[what]
    figure: Figure = draw(results, **options)
    return figure
