"""The plots of a :class:`~simulate.scenarios.compare.Comparison`: service level per interval, cost
against service. matplotlib is imported when a plot is drawn."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from simulate.clock import format_clock
from simulate.scenarios.figures import main_role

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from simulate.scenarios.compare import Comparison

__all__ = ["plot_cost_vs_service", "plot_service_level"]


def plot_service_level(comparison: Comparison, role: str | None = None, *, scenarios: Sequence[str] | None = None, ax: Axes | None = None, band: bool | None = None) -> Figure:
    """Service level of ``role`` (the first role with a queue by default) per interval, one line per
    scenario with its 95% band, and the target. ``band``: every scenario's band (True), none (False), or by
    default every one up to three scenarios and the baseline's alone past that (more bands run together into
    one). Returns a matplotlib ``Figure`` made without pyplot (or the figure of ``ax``): ``.savefig("x.png")``
    follows and the backend is left alone."""
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    role = role or main_role(comparison[comparison.baseline].blueprint)
    names = list(scenarios) if scenarios is not None else comparison.names
    fig, ax = _figure(ax, 10, 4.2)
    multi_day = comparison.days > 1
    for name in names:
        t = comparison.service_level_by_interval(name, role)
        x = (t["start"] + comparison[name].interval / 2) / 3600
        base = name == comparison.baseline
        style = {"color": "#111111", "lw": 2.2, "zorder": 3} if base else {"lw": 1.4}
        (line,) = ax.plot(x, t["service_level"], label=_label(name, base), **style)
        if band or (band is None and (len(names) <= 3 or base)):
            ax.fill_between(x, t["service_level_ci_low"], t["service_level_ci_high"], color=line.get_color(), alpha=0.12,
                            lw=0)
    target = comparison[comparison.baseline].blueprint.target_for(role)
    if target is not None and target.service_level is not None:
        ax.axhline(target.service_level, ls="--", color="#555555", lw=1,
                   label=f"target: {target.service_level:.0%} within {target.within}")
    ax.set_ylim(0, 1.03)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))

    def clock(h: float, _pos: object) -> str:
        day, text = format_clock(h * 3600, day="number").rsplit(" ", 1)
        return f"{day}\n{text}" if multi_day and text == "00:00" else text

    ax.xaxis.set_major_formatter(FuncFormatter(clock))
    ax.set_xlabel("time of day")
    ax.set_ylabel("service level")
    ax.set_title(f"{role}: service level per {comparison[comparison.baseline].interval / 60:g} minutes")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", ncol=2 if len(names) > 6 else 1)
    return fig


def plot_cost_vs_service(comparison: Comparison, role: str | None = None, *, ax: Axes | None = None) -> Figure:
    """Staff cost against the service level of ``role``, one point per scenario with 95% error bars.
    Returns a matplotlib ``Figure`` made without pyplot (or the figure of ``ax``)."""
    from matplotlib.ticker import PercentFormatter

    role = role or main_role(comparison[comparison.baseline].blueprint)
    figs: dict[Any, dict[Any, float]] = comparison.figures().to_dict("index")
    fig, ax = _figure(ax, 7, 5)
    sl = f"{role}: service level"
    names = [name for name in comparison.names if (name, sl) in figs]
    shift = _dodge([figs[(name, "staff cost")]["mean"] for name in names])
    points = []
    for name, dx in zip(names, shift):
        c, s = figs[(name, "staff cost")], figs[(name, sl)]
        base = name == comparison.baseline
        xerr = [[c["mean"] - c["ci_low"]], [c["ci_high"] - c["mean"]]] if not math.isnan(c["ci_low"]) else None
        yerr = [[s["mean"] - s["ci_low"]], [s["ci_high"] - s["mean"]]] if not math.isnan(s["ci_low"]) else None
        ax.errorbar([c["mean"] + dx], [s["mean"]], xerr=xerr, yerr=yerr, fmt="s" if base else "o",
                    color="#111111" if base else None, ms=8 if base else 6, capsize=3, zorder=3 if base else 2)
        points.append((c["mean"] + dx, s["mean"], _label(name, base)))
    _annotate(ax, points)
    target = comparison[comparison.baseline].blueprint.target_for(role)
    if target is not None and target.service_level is not None:
        ax.axhline(target.service_level, ls="--", color="#555555", lw=1, label=f"target {target.service_level:.0%}")
        ax.legend(fontsize="small")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(f"staff cost per {comparison.days:g} day(s)")
    ax.set_ylabel(f"{role}: service level")
    ax.set_title("Cost against service level")
    ax.grid(alpha=0.3)
    return fig


def _dodge(costs: list[float]) -> list[float]:
    """How far to set each point aside so that scenarios of the same cost stand side by side, not on one
    another's error bars: 2% of the costs' spread (of the cost itself when they are all equal) apart.

    >>> _dodge([7616.0, 7616.0, 7868.0, 7616.0])
    [-5.04, 0.0, 0.0, 5.04]
    """
    spread = (max(costs) - min(costs)) if costs else 0.0
    step = 0.02 * (spread or max(abs(c) for c in costs) or 1.0) if costs else 0.0
    out = [0.0] * len(costs)
    groups: dict[float, list[int]] = {}
    for i, c in enumerate(costs):
        groups.setdefault(round(c, 6), []).append(i)
    for members in groups.values():
        for k, i in enumerate(members):
            out[i] = round((k - (len(members) - 1) / 2) * step, 6)
    return out


def _figure(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new :class:`~simulate.chart.Chart` (no pyplot) of one axes."""
    if ax is not None:
        return ax.get_figure(root=True), ax  # type: ignore[return-value]
    from simulate.chart import new_chart

    fig, (new,) = new_chart(width=width, height=height)
    return fig, new


#: The longest scenario name a chart writes whole (a longer one is cut with "…": a legend or a point's label of
#: hundreds of characters squeezed the plot to nothing).
LABEL_CHARS = 40


def _label(name: str, base: bool) -> str:
    """A scenario's name on a chart.

    >>> _label("x" * 50, False)[-3:], len(_label("x" * 50, False)), _label("today", True)
    ('xx…', 40, 'today (baseline)')
    """
    shown = name if len(name) <= LABEL_CHARS else name[:LABEL_CHARS - 1].rstrip() + "…"
    return shown + (" (baseline)" if base and name != "baseline" else "")


def _annotate(ax: Axes, points: list[tuple[float, float, str]]) -> None:
    """Label points, moving a label down a line while it would cover one already placed."""
    if not points:
        return
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    xr = (max(xs) - min(xs)) or 1.0
    yr = (max(ys) - min(ys)) or 1.0
    placed: list[tuple[float, float, int]] = []
    for x, y, text in sorted(points, key=lambda p: (-p[1], p[0])):
        shift = 0
        while any(abs((x - px) / xr) < 0.25 and abs((y - py) / yr) < 0.06 and shift == ps for px, py, ps in placed):
            shift += 1
        placed.append((x, y, shift))
        ax.annotate(text, (x, y), textcoords="offset points", xytext=(6, 5 - 11 * shift), fontsize="small")
