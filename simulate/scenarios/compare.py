"""``simulate.compare``: scenarios side by side, with common random numbers.

Every scenario is run with the same seed, so replication *i* of every scenario
meets the same customers (the same arrivals, patience, handle times and
branch draws wherever the scenario leaves them as they were). Differences
against the baseline are then paired, replication by replication, and their
intervals are much narrower than those of independent runs: a difference that
independent runs would drown in noise shows.

>>> import blueprint
>>> from simulate.scenarios.compare import compare
>>> from simulate.scenarios.scenario import Scenario
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> late = Scenario("one more late agent", extra_staff={"first_line": {"late": 1}})
>>> c = compare(bp, [late], replications=2, seed=7, progress=False)
>>> c.names
['baseline', 'one more late agent']
>>> d = c.differences().loc[("one more late agent", "first_line: staff hours paid")]
>>> float(d["difference"]), bool(d["significant"])
(8.0, True)

In Jupyter ``c`` shows itself as a table: each scenario's key figures with
their 95% intervals, and its difference from the baseline, green where it is
better, red where worse, grey where the interval includes 0.
``c.plot_service_level()``, ``c.plot_cost_vs_service()`` and
``c.diagram("one more late agent")`` are one call away; ``c.save("x.parquet")``
and ``Comparison.load`` keep it for another day.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from blueprint import Blueprint
from simulate.clock import format_clock
from simulate.executors import ExecutorChoice
from simulate.results import Results, mean_ci
from simulate.run import run_many
from simulate.scenarios.scenario import Scenario, ScenarioError, load_scenarios

__all__ = ["Comparison", "compare", "paired_differences", "replication_figures"]


# -- figures per replication ----------------------------------------------------------------


def _queue_roles(bp: Blueprint) -> list[str]:
    """Roles customers can queue for (staffing not unlimited) that some step uses."""
    used = {s.role for s in bp.steps if s.role}
    return [r.name for r in bp.roles if r.name in used and (r.staffing is None or r.staffing.kind != "unlimited")]


def replication_figures(results: Results) -> pd.DataFrame:
    """The key figures of each replication (rows) of a run.

    Their means are the figures of :meth:`Results.summary` and
    :meth:`Results.staff` (same names where both have them): arrivals,
    completed, abandoned, ``abandonment`` (share of arrivals who gave up),
    time in system, the wait the customer sees, transfers, and per role with a
    queue its service level, ASA (s), abandonment, occupancy and staff hours
    paid; then all staff hours paid and the staff cost.
    """
    first = math.ceil(results.warmup / results.interval)
    roles = _queue_roles(results.blueprint)
    rows = []
    for rep in results.replications:
        j = rep.journeys
        row: dict[str, float] = {
            "arrivals": j["arrivals"],
            "completed": j["completed"],
            "abandoned": j["abandoned"],
            "abandonment": j["abandoned"] / j["arrivals"] if j["arrivals"] else math.nan,
            "time in system (s)": j["time_in_system_mean"],
            "wait the customer sees (s)": j["visible_wait_mean"],
            "transfers per journey": j["transfers_mean"],
        }
        for role in roles:
            r, t = rep.roles[role], rep.role_totals[role]
            answered = sum(r["answered"][first:])
            row[f"{role}: service level"] = results._role_ratio(rep, role, "within")
            row[f"{role}: ASA (s)"] = sum(r["wait_sum"][first:]) / answered if answered else math.nan
            row[f"{role}: abandonment"] = results._role_ratio(rep, role, "abandoned")
            row[f"{role}: occupancy"] = t["busy"] / t["on_duty"] if t["on_duty"] not in (0, math.inf) else math.nan
            row[f"{role}: staff hours paid"] = t["paid_hours"]
        row["staff hours paid"] = sum(t["paid_hours"] for t in rep.role_totals.values())
        row["staff cost"] = sum(t["cost"] for t in rep.role_totals.values())
        rows.append(row)
    return pd.DataFrame(rows).rename_axis("replication")


def _interval_table(values: list[list[float]] | np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and t interval over replications (rows) per column, NaNs left out."""
    x = np.asarray(values, dtype=float)
    n = np.sum(~np.isnan(x), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.nansum(x, axis=0) / np.maximum(n, 1), np.nan)
        dev = np.where(np.isnan(x), 0.0, x - mean)
        sd = np.sqrt(np.sum(dev * dev, axis=0) / np.maximum(n - 1, 1))
        t = stats.t.ppf(0.5 + level / 2, np.maximum(n - 1, 1))
        half = np.where(n >= 2, t * sd / np.sqrt(n), np.nan)
    return mean, mean - half, mean + half


def paired_differences(baseline: Results, other: Results, level: float = 0.95) -> pd.DataFrame:
    """Per key figure: the baseline's mean (``baseline_mean``), the other run's (``mean``), and their paired difference
    (``other - baseline``, replication by replication) with its t interval.

    ``significant`` is true where the interval leaves out 0. Pairs where
    either value is missing (NaN) are left out. Pairing pays off when both
    runs used the same seed (common random numbers); for independent runs the
    same interval is simply wider.
    """
    return _paired(replication_figures(baseline), replication_figures(other), level)


def _paired(a: pd.DataFrame, b: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    if len(a) != len(b):
        raise ValueError(f"the runs have {len(a)} and {len(b)} replications; pairs need the same number")
    rows = []
    for fig in list(dict.fromkeys(list(a.columns) + list(b.columns))):
        x = a[fig].to_numpy(dtype=float) if fig in a else np.full(len(a), np.nan)
        y = b[fig].to_numpy(dtype=float) if fig in b else np.full(len(b), np.nan)
        ok = ~(np.isnan(x) | np.isnan(y))
        d, lo, hi = mean_ci((y - x)[ok], level)
        sig = bool(not math.isnan(lo) and (lo > 0 or hi < 0)) if ok.sum() >= 2 else False
        rows.append({"figure": fig, "baseline_mean": mean_ci(x, level)[0], "mean": mean_ci(y, level)[0],
                     "difference": d, "ci_low": lo, "ci_high": hi, "significant": sig})
    return pd.DataFrame(rows).set_index("figure")


_DIFF_COLUMNS = ["baseline_mean", "mean", "difference", "ci_low", "ci_high", "significant"]

# -- the comparison -------------------------------------------------------------------------------

_HIGHER_IS_BETTER = ("service level", "completed")
_LOWER_IS_BETTER = ("ASA", "abandon", "time in system", "wait", "transfers", "cost", "staff hours")


def _direction(figure: str) -> int:
    """+1 where more is better, -1 where less is better, 0 where it depends."""
    if any(k in figure for k in _HIGHER_IS_BETTER):
        return 1
    if any(k in figure for k in _LOWER_IS_BETTER):
        return -1
    return 0


def _num(value: float, diff: bool) -> str:
    """Means with a fixed precision; differences with three significant digits, so small ones do not read 0."""
    if not diff or value == 0:
        return f"{value:,.1f}"
    a = abs(value)
    text = f"{value:,.0f}" if a >= 100 else f"{value:.1f}" if a >= 1 else f"{value:.3g}"
    return ("+" if value > 0 else "") + text


def _fmt(figure: str, value: float, *, diff: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if any(k in figure for k in ("service level", "occupancy", "abandonment")):
        return f"{_num(value * 100, diff)}{' pp' if diff else '%'}"
    if figure.endswith("(s)"):
        return f"{_num(value, diff)} s"
    if "hours" in figure:
        return f"{_num(value, diff) if diff else f'{value:,.0f}'} h"
    if "cost" in figure:
        return _num(value, diff) if diff else f"{value:,.0f}"
    if "per journey" in figure:
        return _num(value, diff) if diff else f"{value:.3f}"
    return _num(value, diff)


@dataclass
class Comparison:
    """What :func:`compare` measured: one :class:`Results` per scenario, the baseline first.

    ``results[name]`` is each scenario's run (``comparison[name]`` too);
    :meth:`figures` and :meth:`differences` are the tables; the plots,
    :meth:`diagram`, :meth:`save` and :meth:`load` are one call away.
    """

    blueprint: Blueprint
    baseline: str
    names: list[str]
    scenarios: dict[str, Scenario | None]
    results: dict[str, Results]
    _per_rep: dict[str, pd.DataFrame] = field(default_factory=dict, init=False, repr=False, compare=False)

    # -- access ----------------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Results:
        try:
            return self.results[name]
        except KeyError:
            raise KeyError(f"no scenario {name!r}; known: {', '.join(self.names)}") from None

    def __iter__(self) -> Any:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    @property
    def seed(self) -> int:
        """The seed every scenario was run with."""
        return self.results[self.baseline].seed

    @property
    def replications(self) -> int:
        return len(self.results[self.baseline].replications)

    @property
    def days(self) -> float:
        return self.results[self.baseline].days

    def replication_figures(self, name: str) -> pd.DataFrame:
        """Key figures of each replication of one scenario (see :func:`replication_figures`)."""
        if name not in self._per_rep:
            self._per_rep[name] = replication_figures(self[name])
        return self._per_rep[name]

    # -- tables ------------------------------------------------------------------------------------
    def figures(self) -> pd.DataFrame:
        """Key figures per scenario and figure: ``mean``, ``ci_low``, ``ci_high`` (95%)."""
        rows = []
        for name in self.names:
            per = self.replication_figures(name)
            for fig in per.columns:
                mean, lo, hi = mean_ci(per[fig].tolist())
                rows.append({"scenario": name, "figure": fig, "mean": mean, "ci_low": lo, "ci_high": hi})
        return pd.DataFrame(rows).set_index(["scenario", "figure"])

    def differences(self) -> pd.DataFrame:
        """Per scenario (not the baseline) and figure: the paired difference from the baseline
        with its 95% interval, and ``significant`` where the interval leaves out 0."""
        frames = []
        for name in self.names:
            if name != self.baseline:
                d = _paired(self.replication_figures(self.baseline), self.replication_figures(name)).reset_index()
                d.insert(0, "scenario", name)
                frames.append(d)
        if not frames:
            return pd.DataFrame(columns=["scenario", "figure", *_DIFF_COLUMNS]).set_index(["scenario", "figure"])
        return pd.concat(frames, ignore_index=True).set_index(["scenario", "figure"])

    def table(self, what: str = "mean") -> pd.DataFrame:
        """A wide table, one row per scenario, one column per figure: ``"mean"`` or ``"difference"``."""
        if what == "mean":
            return self.figures()["mean"].unstack("figure").reindex(index=self.names, columns=self._figure_order())
        if what == "difference":
            names = [n for n in self.names if n != self.baseline]
            return self.differences()["difference"].unstack("figure").reindex(index=names, columns=self._figure_order())
        raise ValueError(f"what must be 'mean' or 'difference', got {what!r}")

    def _figure_order(self) -> list[str]:
        order: dict[str, None] = {}
        for name in self.names:
            order.update(dict.fromkeys(self.replication_figures(name).columns))
        return list(order)

    def headline(self) -> list[str]:
        """The figures the display shows: per queue its service level, ASA and occupancy; abandonment,
        time in system, staff hours paid and staff cost."""
        roles: dict[str, None] = {}
        for name in self.names:
            roles.update(dict.fromkeys(_queue_roles(self[name].blueprint)))
        out = [f"{r}: {k}" for r in roles for k in ("service level", "ASA (s)")]
        out += ["abandonment", "time in system (s)"]
        out += [f"{r}: occupancy" for r in roles]
        return out + ["staff hours paid", "staff cost"]

    # -- display -----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return (
            f"<Comparison of {len(self.names)} scenarios of {self.blueprint.name!r}: {self.replications} replications × "
            f"{self.days:g} day(s), seed {self.seed}, baseline {self.baseline!r}>"
        )

    def __str__(self) -> str:
        t = self.table().reindex(columns=self.headline())
        return repr(self) + "\n" + t.to_string(float_format=lambda v: f"{v:,.3g}")

    def _repr_html_(self) -> str:
        figs = self.figures()
        diffs = self.differences() if len(self.names) > 1 else None
        cols = [c for c in self.headline() if any((n, c) in figs.index for n in self.names)]
        head = "".join(f"<th style='text-align:center'>{html.escape(c)}</th>" for c in cols)
        body = []
        for name in self.names:
            sc = self.scenarios.get(name)
            what = "unchanged blueprint" if sc is None else (sc.description or sc.summary())
            label = f"<b>{html.escape(name)}</b>" + (" <i>(baseline)</i>" if name == self.baseline and name != "baseline" else "")
            cells = [f"<td style='text-align:left'>{label}<br><small style='color:#666'>{html.escape(what)}</small></td>"]
            for c in cols:
                if (name, c) not in figs.index:
                    cells.append("<td>–</td>")
                    continue
                f = figs.loc[(name, c)]
                text = f"{_fmt(c, f['mean'])}"
                if not math.isnan(f["ci_low"]) and f["ci_low"] != f["ci_high"]:
                    text += f"<br><small style='color:#666'>{_fmt(c, f['ci_low'])} – {_fmt(c, f['ci_high'])}</small>"
                if diffs is not None and name != self.baseline and (name, c) in diffs.index:
                    d = diffs.loc[(name, c)]
                    text += "<br>" + _diff_html(c, d)
                cells.append(f"<td style='text-align:right'>{text}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        intro = (
            f"<h4>{html.escape(self.blueprint.name)}: {len(self.names)} scenarios, {self.replications} replications × "
            f"{self.days:g} day(s), seed {self.seed} (common random numbers)</h4>"
            "<p><small>Each cell: mean, its 95% interval, and the paired difference from the baseline with its 95% "
            "interval: <span style='color:#1a7f37'>better</span>, <span style='color:#c62828'>worse</span>, "
            "<span style='color:#8a8a8a'>n.s.</span> where the interval includes 0.</small></p>"
        )
        return intro + f"<table><tr><th>scenario</th>{head}</tr>{''.join(body)}</table>"

    # -- per interval --------------------------------------------------------------------------------
    def _main_role(self) -> str:
        roles = _queue_roles(self[self.baseline].blueprint)
        if not roles:
            raise ValueError("no role with a queue to plot")
        return roles[0]

    def service_level_by_interval(self, name: str, role: str | None = None) -> pd.DataFrame:
        """One scenario's service level of ``role`` per interval: ``start`` (seconds from Monday 00:00),
        ``mean``, ``ci_low``, ``ci_high`` (the figures of :meth:`Results.roles`, computed at once)."""
        role = role or self._main_role()
        res = self[name]
        if role not in res.replications[0].roles:
            raise KeyError(f"scenario {name!r} has no role {role!r}")
        per = []
        for rep in res.replications:
            r = rep.roles[role]
            within = np.asarray(r["within"], dtype=float)
            offered = np.asarray(r["answered"], dtype=float) + np.asarray(r["abandoned"], dtype=float)
            with np.errstate(invalid="ignore", divide="ignore"):
                per.append(np.where(offered > 0, within / np.where(offered > 0, offered, 1), np.nan))
        mean, lo, hi = _interval_table(per)
        start = np.arange(len(mean)) * res.interval
        return pd.DataFrame({"start": start, "mean": mean, "ci_low": lo, "ci_high": hi}).rename_axis("interval")

    # -- plots ---------------------------------------------------------------------------------------
    def plot_service_level(self, role: str | None = None, *, scenarios: Sequence[str] | None = None, ax: Any = None, band: bool = True) -> Any:
        """Service level of ``role`` (the first role with a queue by default) per interval, one line per
        scenario with its 95% band, and the target. Returns the matplotlib ``Axes``."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, PercentFormatter

        role = role or self._main_role()
        names = list(scenarios) if scenarios is not None else self.names
        if ax is None:
            _, ax = plt.subplots(figsize=(10, 4.2))
        multi_day = self.days > 1
        for name in names:
            t = self.service_level_by_interval(name, role)
            x = (t["start"] + self[name].interval / 2) / 3600
            base = name == self.baseline
            style = {"color": "#111111", "lw": 2.2, "zorder": 3} if base else {"lw": 1.4}
            (line,) = ax.plot(x, t["mean"], label=_label(name, base), **style)
            if band:
                ax.fill_between(x, t["ci_low"], t["ci_high"], color=line.get_color(), alpha=0.12, lw=0)
        target = self[self.baseline].blueprint.target_for(role)
        if target is not None and target.service_level is not None:
            ax.axhline(target.service_level, ls="--", color="#555555", lw=1,
                       label=f"target: {target.service_level:.0%} within {target.within}")
        ax.set_ylim(0, 1.03)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))

        def clock(h: float, _pos: Any) -> str:
            day, text = format_clock(h * 3600, day="number").rsplit(" ", 1)
            return f"{day}\n{text}" if multi_day and text == "00:00" else text

        ax.xaxis.set_major_formatter(FuncFormatter(clock))
        ax.set_xlabel("time of day")
        ax.set_ylabel("service level")
        ax.set_title(f"{role}: service level per {self[self.baseline].interval / 60:g} minutes")
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", ncol=2 if len(names) > 6 else 1)
        return ax

    def plot_cost_vs_service(self, role: str | None = None, *, ax: Any = None) -> Any:
        """Staff cost against the service level of ``role``, one point per scenario with 95% error bars.
        Returns the matplotlib ``Axes``."""
        import matplotlib.pyplot as plt
        from matplotlib.ticker import PercentFormatter

        role = role or self._main_role()
        figs = self.figures()
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 5))
        sl = f"{role}: service level"
        points = []
        for name in self.names:
            if (name, sl) not in figs.index:
                continue
            c, s = figs.loc[(name, "staff cost")], figs.loc[(name, sl)]
            base = name == self.baseline
            xerr = [[c["mean"] - c["ci_low"]], [c["ci_high"] - c["mean"]]] if not math.isnan(c["ci_low"]) else None
            yerr = [[s["mean"] - s["ci_low"]], [s["ci_high"] - s["mean"]]] if not math.isnan(s["ci_low"]) else None
            ax.errorbar([c["mean"]], [s["mean"]], xerr=xerr, yerr=yerr, fmt="s" if base else "o",
                        color="#111111" if base else None, ms=8 if base else 6, capsize=3, zorder=3 if base else 2)
            points.append((c["mean"], s["mean"], _label(name, base)))
        _annotate(ax, points)
        target = self[self.baseline].blueprint.target_for(role)
        if target is not None and target.service_level is not None:
            ax.axhline(target.service_level, ls="--", color="#555555", lw=1, label=f"target {target.service_level:.0%}")
            ax.legend(fontsize="small")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel(f"staff cost per {self.days:g} day(s)")
        ax.set_ylabel(f"{role}: service level")
        ax.set_title("Cost against service level")
        ax.grid(alpha=0.3)
        return ax

    # -- diagrams and files ---------------------------------------------------------------------------
    def diagram(self, name: str, **options: Any) -> Any:
        """The blueprint as ``name`` changes it, changed steps highlighted with notes on what changed
        (see :meth:`Scenario.diagram`); the unchanged blueprint for a baseline without changes."""
        if name not in self.scenarios:
            raise KeyError(f"no scenario {name!r}; known: {', '.join(self.names)}")
        sc = self.scenarios[name]
        if sc is None:
            options.setdefault("subtitle", f"{name}: the blueprint as it is")
            return self.blueprint.render(**options)
        return sc.diagram(self.blueprint, **options)

    def save(self, path: str | Path, *, format: str | None = None) -> Path:
        """Write the comparison (every run, the blueprint, the scenarios, the seed) to ``.json`` or ``.parquet``."""
        from simulate.storage import save_comparison

        return save_comparison(self, path, format=format)

    @classmethod
    def load(cls, path: str | Path) -> Comparison:
        """Read a comparison written by :meth:`save`."""
        from simulate.storage import load_comparison

        return load_comparison(path)


def _label(name: str, base: bool) -> str:
    return name + (" (baseline)" if base and name != "baseline" else "")


def _annotate(ax: Any, points: list[tuple[float, float, str]]) -> None:
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


def _diff_html(figure: str, d: pd.Series) -> str:
    if math.isnan(d["difference"]):
        return "<small>–</small>"
    interval = ""
    if not math.isnan(d["ci_low"]) and d["ci_low"] != d["ci_high"]:
        interval = f" <small>({_fmt(figure, d['ci_low'], diff=True)} – {_fmt(figure, d['ci_high'], diff=True)})</small>"
    text = f"Δ {_fmt(figure, d['difference'], diff=True)}{interval}"
    if not d["significant"]:
        return f"<span style='color:#8a8a8a' title='the 95% interval includes 0'>{text} n.s.</span>"
    sign = _direction(figure) * (1 if d["difference"] > 0 else -1)
    colour = {1: "#1a7f37", -1: "#c62828"}.get(sign, "#222222")
    return f"<span style='color:{colour}'>{text}</span>"


# -- running ----------------------------------------------------------------------------------------


def compare(
    blueprint: Blueprint | str | os.PathLike[str],
    scenarios: Iterable[Scenario] | Scenario | str | os.PathLike[str],
    *,
    baseline: str | Scenario = "baseline",
    replications: int = 10,
    days: float = 1,
    seed: int | None = None,
    warmup: float | str = 0,
    interval: float | str = "15 min",
    executor: ExecutorChoice = None,
    progress: bool | None = None,
) -> Comparison:
    """Run the baseline and every scenario with common random numbers and compare them.

    ``blueprint`` and ``scenarios`` may be files (see
    :func:`~simulate.scenarios.load_scenarios`). ``baseline`` names the
    scenario the others are measured against: by default the unchanged
    blueprint, called ``"baseline"``; a scenario of that name, or a
    :class:`Scenario` given here, takes its place. Every scenario is applied
    first and every failure is reported at once (:class:`ScenarioError`).

    All scenarios run with the same ``seed`` (drawn and recorded when left
    out): replication *i* of each meets the same customers. Replications of
    all scenarios are one pool of work, run as ``executor`` says (processes by
    default when it pays; any ``concurrent.futures.Executor``, e.g. a Dask
    client's ``get_executor()``; see :mod:`simulate.run`). Results do not
    depend on where they ran. ``progress`` as in :func:`simulate.run`.
    """
    if isinstance(blueprint, (str, os.PathLike)):
        from blueprint import load

        blueprint = load(blueprint)
    if isinstance(scenarios, (str, os.PathLike)):
        scenarios = load_scenarios(scenarios)
    elif isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    scenarios = list(scenarios)
    for s in scenarios:
        if not isinstance(s, Scenario):
            raise TypeError(f"expected Scenario objects, got {type(s).__name__}")
    blueprint.validate().raise_for_errors()

    entries: dict[str, Scenario | None] = {}
    if isinstance(baseline, Scenario):
        base_name = baseline.name
        entries[base_name] = baseline
    else:
        base_name = str(baseline)
        entries[base_name] = next((s for s in scenarios if s.name == base_name), None)
    for s in scenarios:
        if s.name == base_name and entries[base_name] is s:
            continue
        if s.name in entries:
            raise ValueError(f"two scenarios are called {s.name!r}; give each its own name")
        entries[s.name] = s

    blueprints: dict[str, Blueprint] = {}
    failures = []
    for name, sc in entries.items():
        try:
            blueprints[name] = sc.apply(blueprint) if sc is not None else blueprint
        except ScenarioError as e:
            failures += e.items
    if failures:
        raise ScenarioError(failures)
    for name, bp in blueprints.items():
        if not bp.arrivals:
            raise ValueError(f"scenario {name!r}: the blueprint has no arrivals: nothing to simulate")

    results = run_many(blueprints, days=days, replications=replications, seed=seed, warmup=warmup, interval=interval,
                       executor=executor, progress=progress, desc=f"{len(blueprints)} scenarios")
    return Comparison(blueprint=blueprint, baseline=base_name, names=list(blueprints), scenarios=entries, results=results)
