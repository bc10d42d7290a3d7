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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from blueprint import Blueprint
from blueprint.numbers import MISSING, difference, fmt
from simulate.executors import ExecutorChoice
from simulate.results import Results, figure_kind
from simulate.run import run_many
from simulate.scenarios.apply import apply_all
from simulate.scenarios.figures import (
    DIFF_COLUMNS,
    figure_interval,
    main_role,
    paired_table,
    queue_roles,
    replication_counts,
    replication_figures,
    service_level_by_interval,
)
from simulate.scenarios.files import load_scenarios
from simulate.scenarios.plots import plot_cost_vs_service, plot_service_level
from simulate.scenarios.scenario import Scenario

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from blueprint.render import Diagram

__all__ = ["Comparison", "compare"]


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


def _fmt(figure: str, value: float, *, diff: bool = False) -> str:
    """A figure or a difference as people read it (:mod:`blueprint.numbers`): shares as percentages and
    differences of shares in percentage points, costs as money, seconds and hours with their unit."""
    kind = figure_kind(figure)
    text = difference(value, kind) if diff else fmt(value, kind)
    return text + (" h" if "hours" in figure and text != MISSING else "")



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

    def __iter__(self) -> Iterator[str]:
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
        """Key figures per scenario and figure (a long table): ``mean``, ``ci_low``, ``ci_high`` (95%, inside the
        figure's range: see :func:`~simulate.scenarios.figures.figure_interval`)."""
        rows = []
        for name in self.names:
            per = self.replication_figures(name)
            counts = replication_counts(self[name])
            for fig in per.columns:
                mean, lo, hi = figure_interval(fig, per[fig].tolist(), counts[fig].tolist() if fig in counts else None)
                rows.append({"scenario": name, "figure": fig, "mean": mean, "ci_low": lo, "ci_high": hi})
        return pd.DataFrame(rows).set_index(["scenario", "figure"])

    def differences(self) -> pd.DataFrame:
        """Per scenario (not the baseline) and figure: the paired difference from the baseline
        with its 95% interval, and ``significant`` where the interval leaves out 0."""
        frames = []
        for name in self.names:
            if name != self.baseline:
                d = paired_table(self.replication_figures(self.baseline), self.replication_figures(name)).reset_index()
                d.insert(0, "scenario", name)
                frames.append(d)
        if not frames:
            return pd.DataFrame(columns=["scenario", "figure", *DIFF_COLUMNS]).set_index(["scenario", "figure"])
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
            roles.update(dict.fromkeys(queue_roles(self[name].blueprint)))
        out = [f"{r}: {k}" for r in roles for k in ("service level", "ASA (s)")]
        out += ["abandonment", "time in system (s)"]
        out += [f"{r}: occupancy" for r in roles]
        return out + ["staff hours paid", "staff cost"]

    def notes(self) -> list[str]:
        """Cautions about the comparison, in sentences: a scenario that changes nothing in the blueprint (it
        ran the baseline's customers again, so every difference is 0), then the baseline's own run notes
        (see :meth:`Results.notes`).

        >>> import blueprint
        >>> from simulate.scenarios import Scenario, compare
        >>> bp = blueprint.load("examples/coffee_shop.yaml")
        >>> compare(bp, [Scenario("same")], replications=2, days=0.1, seed=1, executor="serial").notes()[0]
        "scenario 'same' changes nothing in the blueprint: it ran the baseline's customers again, so its differences are 0."
        """
        base = self.results[self.baseline].blueprint
        out = [f"scenario {name!r} changes nothing in the blueprint: it ran the baseline's customers again, so its "
               "differences are 0." for name in self.names if name != self.baseline and self[name].blueprint == base]
        return out + self.results[self.baseline].notes()

    # -- display -----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return (
            f"<Comparison of {len(self.names)} scenarios of {self.blueprint.name!r}: {self.replications} replications × "
            f"{self.days:g} day(s), seed {self.seed}, baseline {self.baseline!r}>"
        )

    def __str__(self) -> str:
        t = self.table().reindex(columns=self.headline())
        shown = pd.DataFrame({c: [fmt(v, figure_kind(c)) for v in t[c]] for c in t.columns}, index=t.index)
        return repr(self) + "\n" + shown.to_string()

    def _repr_html_(self) -> str:
        figs: dict[Any, dict[Any, Any]] = self.figures().to_dict("index")
        diffs: dict[Any, dict[Any, Any]] = self.differences().to_dict("index") if len(self.names) > 1 else {}
        cols = [c for c in self.headline() if any((n, c) in figs for n in self.names)]
        head = "".join(f"<th style='text-align:center'>{html.escape(c)}</th>" for c in cols)
        body = []
        for name in self.names:
            sc = self.scenarios.get(name)
            what = "unchanged blueprint" if sc is None else (sc.description or sc.summary())
            label = f"<b>{html.escape(name)}</b>" + (" <i>(baseline)</i>" if name == self.baseline and name != "baseline" else "")
            cells = [f"<td style='text-align:left'>{label}<br><small style='color:#666'>{html.escape(what)}</small></td>"]
            for c in cols:
                diff = diffs.get((name, c)) if name != self.baseline else None
                cells.append(_cell_html(c, figs.get((name, c)), diff))
            body.append("<tr>" + "".join(cells) + "</tr>")
        intro = (
            f"<h4>{html.escape(self.blueprint.name)}: {len(self.names)} scenarios, {self.replications} replications × "
            f"{self.days:g} day(s), seed {self.seed} (common random numbers)</h4>"
            "<p><small>Each cell: mean, its 95% interval, and the paired difference from the baseline with its 95% "
            "interval: <span style='color:#1a7f37'>better</span>, <span style='color:#c62828'>worse</span>, "
            "<span style='color:#8a8a8a'>n.s.</span> where the interval includes 0.</small></p>"
        )
        notes = "".join(f"<p><b>Note:</b> {html.escape(n)}</p>" for n in self.notes())
        return intro + f"<table><tr><th>scenario</th>{head}</tr>{''.join(body)}</table>" + notes

    # -- per interval and plots ---------------------------------------------------------------------
    def _main_role(self) -> str:
        return main_role(self[self.baseline].blueprint)

    def service_level_by_interval(self, name: str, role: str | None = None) -> pd.DataFrame:
        """One scenario's service level of ``role`` per interval (a wide table): ``start`` (seconds from Monday
        00:00), ``time``, ``label``, ``service_level``, ``service_level_ci_low``, ``service_level_ci_high`` (the
        columns of :meth:`Results.roles`)."""
        role = role or self._main_role()
        res = self[name]
        if role not in res.replications[0].roles:
            raise KeyError(f"scenario {name!r} has no role {role!r}")
        return service_level_by_interval(res, role)

    def plot(self, what: str = "service_level", /, **options: Any) -> Figure:
        """One call for a chart, as :meth:`simulate.Results.plot`: ``what`` is ``"service_level"`` (per interval,
        a line per scenario with its 95% band, and the target) or ``"cost_vs_service"`` (a point per scenario);
        ``options`` are those of the matching ``plot_<what>`` method (``role``, ``ax``...).

        >>> comparison.plot("cost_vs_service").savefig("cost.png")   # doctest: +SKIP
        """
        charts = {"service_level": self.plot_service_level, "cost_vs_service": self.plot_cost_vs_service}
        if what not in charts:
            raise ValueError(f"no chart {what!r} of a comparison; known: {', '.join(charts)}")
        return charts[what](**options)

    def plot_service_level(self, role: str | None = None, *, scenarios: Sequence[str] | None = None, ax: Axes | None = None, band: bool | None = None) -> Figure:
        """Service level of ``role`` (the first role with a queue by default) per interval, one line per
        scenario with its 95% band (by default every band up to three scenarios, the baseline's alone past that;
        ``band=True`` or ``False`` for all or none), and the target. Returns a matplotlib ``Figure`` (made without
        pyplot, or the figure of ``ax``), so ``.savefig("x.png")`` follows.

        >>> comparison.plot_service_level("first_line").savefig("sl.png")   # doctest: +SKIP
        """
        return plot_service_level(self, role, scenarios=scenarios, ax=ax, band=band)

    def plot_cost_vs_service(self, role: str | None = None, *, ax: Axes | None = None) -> Figure:
        """Staff cost against the service level of ``role``, one point per scenario with 95% error bars.
        Returns a matplotlib ``Figure`` (made without pyplot, or the figure of ``ax``)."""
        return plot_cost_vs_service(self, role, ax=ax)

    # -- diagrams and files ---------------------------------------------------------------------------
    def diagram(self, name: str, **options: Any) -> Diagram:
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



def _cell_html(figure: str, f: Mapping[str, Any] | None, d: Mapping[str, Any] | None) -> str:
    """One cell of the display: the mean, its interval, and the difference from the baseline."""
    if f is None:
        return "<td>–</td>"
    text = f"{_fmt(figure, f['mean'])}"
    if not math.isnan(f["ci_low"]) and f["ci_low"] != f["ci_high"]:
        text += f"<br><small style='color:#666'>{_fmt(figure, f['ci_low'])} – {_fmt(figure, f['ci_high'])}</small>"
    if d is not None:
        text += "<br>" + _diff_html(figure, d)
    return f"<td style='text-align:right'>{text}</td>"


def _diff_html(figure: str, d: Mapping[str, Any]) -> str:
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
    blueprint, called ``"baseline"`` (a name no scenario may take), or a
    :class:`Scenario` given here. Every scenario is applied
    first and every failure is reported at once (:class:`ScenarioError`).

    All scenarios run with the same ``seed`` (drawn and recorded when left
    out): replication *i* of each meets the same customers. Replications of
    all scenarios are one pool of work, run as ``executor`` says (processes by
    default when it pays; any ``concurrent.futures.Executor``, e.g. a Dask
    client's ``get_executor()``; see :mod:`simulate.run`). Results do not
    depend on where they ran. ``progress`` as in :func:`simulate.run`.

    >>> import blueprint
    >>> from simulate.scenarios import Scenario
    >>> shop = blueprint.load("examples/coffee_shop.yaml")
    >>> busier = Scenario("busier", description="a fifth more customers", volume=1.2)
    >>> comparison = compare(shop, [busier], replications=3, seed=1, progress=False)
    >>> comparison.names
    ['baseline', 'busier']
    >>> diff = comparison.differences().loc["busier"]      # paired on the same customers, with 95% intervals
    >>> bool(diff.loc["arrivals", "mean"] > diff.loc["arrivals", "baseline_mean"])
    True
    """
    blueprint, scenarios = _inputs(blueprint, scenarios)
    base_name, entries = _entries(baseline, scenarios)
    blueprints = _applied(blueprint, entries)
    results = run_many(blueprints, days=days, replications=replications, seed=seed, warmup=warmup, interval=interval,
                       executor=executor, progress=progress, desc=f"{len(blueprints)} scenarios")
    return Comparison(blueprint=blueprint, baseline=base_name, names=list(blueprints), scenarios=entries, results=results)



def _inputs(blueprint: Blueprint | str | os.PathLike[str],
            scenarios: Iterable[Scenario] | Scenario | str | os.PathLike[str]) -> tuple[Blueprint, list[Scenario]]:
    """The blueprint and the scenarios, read from their files where given as paths, and checked."""
    path = blueprint if isinstance(blueprint, (str, os.PathLike)) else None
    if not isinstance(blueprint, Blueprint):
        from blueprint import load

        blueprint = load(blueprint)
    if isinstance(scenarios, (str, os.PathLike)):
        scenarios = load_scenarios(scenarios, blueprint=path)  # refused if written for another blueprint
    elif isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    scenarios = list(scenarios)
    for s in scenarios:
        if not isinstance(s, Scenario):
            raise TypeError(f"expected Scenario objects, got {type(s).__name__}")
    blueprint.validate().raise_for_errors()
    if not blueprint.arrivals:
        raise ValueError("the blueprint has no arrivals: nothing to simulate")
    return blueprint, scenarios


def _entries(baseline: str | Scenario, scenarios: list[Scenario]) -> tuple[str, dict[str, Scenario | None]]:
    """The baseline's name, and every scenario by name, the baseline first (``None``: the blueprint unchanged)."""
    entries: dict[str, Scenario | None] = {}
    if isinstance(baseline, Scenario):
        base_name = baseline.name
        entries[base_name] = baseline
    else:
        base_name = str(baseline)
        entries[base_name] = next((s for s in scenarios if s.name == base_name), None)
        if entries[base_name] is None and base_name != "baseline":  # a misspelt name would relabel the blueprint
            known = ", ".join(["baseline (the blueprint unchanged)", *(repr(s.name) for s in scenarios)])
            raise ValueError(f"baseline: unknown scenario {base_name!r}; known: {known}")
    for s in scenarios:
        if s.name == base_name and entries[base_name] is s:
            continue
        if s.name in entries:
            raise ValueError(f"two scenarios are called {s.name!r}; give each its own name")
        entries[s.name] = s
    return base_name, entries


def _applied(blueprint: Blueprint, entries: dict[str, Scenario | None]) -> dict[str, Blueprint]:
    """The blueprint each scenario makes; every scenario that fails in one :class:`ScenarioError`."""
    changed = iter(apply_all(blueprint, [sc for sc in entries.values() if sc is not None]))
    blueprints = {name: next(changed) if sc is not None else blueprint for name, sc in entries.items()}
    for name, bp in blueprints.items():
        if not bp.arrivals:
            raise ValueError(f"scenario {name!r}: the blueprint has no arrivals: nothing to simulate")
    return blueprints
