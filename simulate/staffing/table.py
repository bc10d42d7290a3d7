"""The requirement table: staff per role and interval, a pandas DataFrame that knows how it was made.

:class:`Requirements` follows the project's pattern for a table the user gets:

- it *is* a DataFrame (a subclass): filtering, ``describe()``, ``info()``, ``plot.bar()``,
  display and saving work as on any DataFrame, and slicing keeps the subclass;
- how it was made lives in ``self.attrs`` (under the key ``"requirements"``, plain JSON so
  that ``to_parquet`` keeps it) and is read through :attr:`Requirements.settings`, a name
  DataFrame does not use; pandas carries ``attrs`` through slicing and through
  ``pd.concat`` of tables whose ``attrs`` are equal;
- what a row needs to be understood is in the row: its role is an index level. When tables
  made with different settings are concatenated (:func:`pd.concat`), the settings they share
  stay in :attr:`~Requirements.settings`, targets are merged by role, and each setting that
  differs becomes a column, so each row still says how it was made: ``method``,
  ``interval_seconds``, ``days``, ``shrinkage``, and ``target`` (as text) where one role has
  two different targets.

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> sipp = simulate.requirements(bp)
>>> lag = simulate.requirements(bp, method="lag-sipp")
>>> sipp.settings["method"], sipp.settings["interval"]
('sipp', 900.0)
>>> both = pd.concat([sipp, lag])
>>> sorted(set(both["method"])), "method" in both.settings, both.settings["interval"]
(['lag-sipp', 'sipp'], False, 900.0)
>>> int(both[both["method"] == "sipp"].for_role("first_line").sum()) == int(sipp.for_role("first_line").sum())
True
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypedDict, cast

import numpy as np
import pandas as pd
from pandas.plotting import PlotAccessor

from blueprint import Staffing, Target
from blueprint.staffing import DAY, Profile
from blueprint.units import WEEKDAYS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from simulate.results import Results

__all__ = ["ATTRS_KEY", "RequirementSettings", "Requirements"]

#: The key of ``DataFrame.attrs`` under which a requirement table keeps its settings.
ATTRS_KEY = "requirements"


class RequirementSettings(TypedDict, total=False):
    """How a requirement table was made (:attr:`Requirements.settings`)."""

    method: str  # "sipp", "lag-sipp" or "simulation"
    interval: float  # seconds per interval
    days: float  # days planned
    shrinkage: float  # share of paid time not on the phones
    targets: dict[str, Target]  # per role (with staff groups: per skill, the targets that judge its groups)
    groups: dict[str, list[str]]  # staff groups planned, each with the skills it is first choice for
    # the simulation method only:
    iterations: int  # simulations run
    history: list[dict[str, list[int]]]  # staff required per role and interval, each iteration
    seed: int  # the seed of every simulation
    converged: bool  # the last two iterations agree


#: Settings a row may differ by after a concat, and the column that then says each row's.
_PER_ROW = {"method": "method", "interval": "interval_seconds", "days": "days", "shrinkage": "shrinkage"}
#: Settings of one run of the simulation method: kept after a concat only where every table agrees.
_RUN = ("iterations", "history", "seed", "converged", "groups")


class Requirements(pd.DataFrame):
    """Required staff per role and interval: a DataFrame indexed by ``(role, interval)``.

    Columns: ``start`` (seconds from Monday 00:00), ``time`` (a ``Timestamp`` on the
    nominal week starting Monday 2024-01-01), ``label`` (``"08:15"``, or ``"Mon 08:15"``
    for more than a day), ``arrival_rate`` (calls an hour), ``handle_time`` (seconds),
    ``load`` (Erlangs), ``required`` (agents on the phones), ``scheduled`` (with
    shrinkage), and the figures the formula gives at ``required``:
    ``service_level``, ``asa`` (s), ``p_abandon``, ``occupancy``. The simulation
    method adds ``sim_service_level``, ``sim_abandonment`` and ``sim_occupancy``,
    measured at the final staffing, each with ``_ci_low`` and ``_ci_high`` (its 95%
    interval over the replications, as in :meth:`Results.roles`). How the table was made is in :attr:`settings`;
    concatenated tables are described in the module notes.
    """

    _metadata = ["_results"]  # the simulation method's last Results: a reference, not copied into attrs
    _results: Results | None = None

    @property
    def _constructor(self) -> Callable[..., Requirements]:
        return Requirements

    @classmethod
    def made(cls, frame: pd.DataFrame, settings: RequirementSettings, results: Results | None = None) -> Requirements:
        """``frame`` as a requirement table made with ``settings`` (and, by simulation, its last ``results``)."""
        out = cls(frame)
        out.attrs[ATTRS_KEY] = _to_attrs(settings)
        out._results = results
        return out

    @property
    def settings(self) -> RequirementSettings:
        """How the table was made: ``method``, ``interval`` (s), ``days``, ``shrinkage``, ``targets`` per
        role, and for the simulation method ``iterations``, ``history``, ``seed`` and ``converged``
        (a copy; empty when the table lost its settings, e.g. rebuilt from a plain DataFrame)."""
        return _from_attrs(self.attrs.get(ATTRS_KEY) or {})

    @property
    def results(self) -> Results | None:
        """The simulation method's last simulation (at the final staffing); None otherwise."""
        return self._results

    @property
    def info(self) -> _Info:  # still DataFrame.info() when called: see _Info
        """``req.info()`` is :meth:`pandas.DataFrame.info`; ``req.info["method"]`` (the settings, as before
        :attr:`settings`) still reads, with a FutureWarning."""
        return _Info(self)

    def __finalize__(self, other: object, method: str | None = None, **kwargs: Any) -> Requirements:
        """pandas' metadata propagation, and after ``pd.concat`` of tables with different settings, their
        merge (see the module notes)."""
        super().__finalize__(other, method=method, **kwargs)  # type: ignore[misc]  # not in pandas-stubs
        if method == "concat" and ATTRS_KEY not in self.attrs:
            _merge_after_concat(self, list(getattr(other, "objs", [])))
        return self

    def interval_seconds(self, role: str | None = None) -> float:
        """The length of an interval in seconds (of ``role``'s rows, where tables of several lengths were
        concatenated): from the settings, the ``interval_seconds`` column, or the ``start`` column."""
        part = self if role is None else self.xs(role, level="role")
        width = self.settings.get("interval")
        if width is not None:
            return float(width)
        if "interval_seconds" in part.columns and part["interval_seconds"].nunique() == 1:
            return float(part["interval_seconds"].iloc[0])
        steps = np.diff(np.unique(part["start"].to_numpy(dtype=float)))
        return float(steps.min()) if len(steps) else 900.0

    def for_role(self, role: str, column: str = "scheduled") -> pd.Series:
        """One role's requirement per interval, indexed by interval start (seconds from Monday 00:00).

        Needs one row per interval: filter a concatenation of several methods first
        (``both[both["method"] == "sipp"].for_role(...)``).
        """
        part = self.xs(role, level="role")
        if part.index.has_duplicates:
            raise ValueError(f"{role!r} has several rows per interval (tables concatenated?); select one table's rows "
                             "first, e.g. by its 'method' column")
        return pd.Series(part[column].to_numpy(), index=part["start"].to_numpy(), name=role)

    def to_staffing(self, role: str, column: str = "scheduled") -> Staffing:
        """The requirement as a headcount per interval, which a role accepts as its staffing."""
        s = self.for_role(role, column)
        width = self.interval_seconds(role)
        per_day = int(round(DAY / width))
        values = [float(v) for v in s.to_numpy()]
        if len(values) <= per_day:
            return Staffing(profile=Profile(interval=f"{width / 60:g} min", start="00:00", values=values + [0.0] * (per_day - len(values))))
        days = {WEEKDAYS[d]: values[d * per_day:(d + 1) * per_day] for d in range(min(7, len(values) // per_day))}
        return Staffing(profile=Profile(interval=f"{width / 60:g} min", start="00:00", days=days))

    @property
    def plot(self) -> _Plot:
        """``req.plot()`` draws :meth:`plot_staff` (a ``Figure``); with pandas' arguments, or as ``req.plot.bar()`` and the
        like, it is the plot accessor of any DataFrame."""
        return _Plot(self)

    def plot_staff(self, role: str | None = None, ax: Axes | None = None) -> Figure:
        """Staff scheduled per interval, a step line per role, over the hours with any load. Returns a
        matplotlib ``Figure`` made without pyplot (or the figure of ``ax``), so ``.savefig("req.png")`` follows.

        >>> req.plot_staff("first_line").savefig("required.png")   # doctest: +SKIP
        """
        from matplotlib.ticker import MaxNLocator

        if ax is None:
            from simulate.chart import new_chart

            fig, (ax,) = new_chart(width=9, height=3.5)
        else:
            fig = ax.get_figure(root=True)  # type: ignore[assignment]
        roles = [role] if role else list(dict.fromkeys(self.index.get_level_values("role")))
        settings = self.settings
        width = self.interval_seconds(role)
        busy = self[self["load"] > 0]["start"] if len(self) else []
        lo = (float(min(busy)) - width) if len(busy) else 0.0
        hi = (float(max(busy)) + 2 * width) if len(busy) else float(self["start"].max() + width)
        for r in roles:
            part = self.xs(r, level="role")
            x = part["start"].to_numpy() / 3600
            ax.step(x, part["scheduled"], where="post", label=f"{r}")
        ax.set_xlim(max(lo, 0.0) / 3600, hi / 3600)
        if settings.get("days", float(self["start"].max() + width) / DAY) <= 1:
            ticks = range(int(max(lo, 0) // 3600), int(hi // 3600) + 1)
            ax.set_xticks(list(ticks))
            ax.set_xticklabels([f"{t % 24:02d}:00" for t in ticks], rotation=45)
            ax.set_xlabel("time of day")
        else:
            ax.set_xlabel("hours from Monday 00:00")
        shrink = settings.get("shrinkage", 0.0)
        ax.set_ylabel("staff (people)" + (f", with {shrink:.0%} shrinkage" if shrink else ""))
        method = settings.get("method") or (", ".join(sorted(set(self["method"]))) if "method" in self.columns else "")
        ax.set_title(f"Staff required per {width / 60:g}-minute interval ({method})")
        locator = ax.yaxis.get_major_locator()
        if isinstance(locator, MaxNLocator):  # matplotlib's default AutoLocator is one
            locator.set_params(integer=True)
        ax.legend(frameon=False)
        ax.grid(alpha=0.3)
        return fig


class _Plot(PlotAccessor):
    """The plot accessor of a requirement table: called plainly (or with ``role``/``ax``) it draws the staff
    chart; with pandas' arguments, and through ``.bar()``, ``.line()``..., it is pandas' own."""

    def __init__(self, table: Requirements) -> None:
        super().__init__(table)
        self._table = table

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) <= 1 and set(kwargs) <= {"role", "ax"} and all(isinstance(a, (str, type(None))) for a in args):
            return self._table.plot_staff(*args, **kwargs)
        return super().__call__(*args, **kwargs)


class _Info(dict[str, Any]):
    """``req.info``: called, :meth:`pandas.DataFrame.info`; read as a mapping, the table's settings as the
    deprecated ``info`` gave them (with ``results`` for the simulation method), with a FutureWarning."""

    def __init__(self, table: Requirements) -> None:
        super().__init__(table.settings)
        if table.results is not None:
            self["results"] = table.results
        self._table = table

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        return pd.DataFrame.info(self._table, *args, **kwargs)

    def __getitem__(self, key: str) -> Any:
        _deprecated()
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        _deprecated()
        return super().get(key, default)


def _deprecated() -> None:
    warnings.warn("Requirements.info[...] is deprecated: read req.settings[...] (req.info() is DataFrame.info())",
                  FutureWarning, stacklevel=3)


# -- settings in attrs (plain JSON), and their merge after a concat ------------------------------------


def _to_attrs(settings: RequirementSettings) -> dict[str, Any]:
    out: dict[str, Any] = dict(settings)
    if "targets" in settings:
        out["targets"] = {role: t.model_dump(mode="json") for role, t in settings["targets"].items()}
    return out


def _from_attrs(attrs: dict[str, Any]) -> RequirementSettings:
    out: dict[str, Any] = dict(attrs)
    if "targets" in attrs:
        out["targets"] = {role: Target.model_validate(t) for role, t in attrs["targets"].items()}
    return cast(RequirementSettings, out)


def _target_text(t: dict[str, Any]) -> str:
    """A target in words: ``"80% within 20 s, abandon ≤ 5%"``."""
    parts = []
    if t.get("service_level") is not None:
        parts.append(f"{t['service_level']:.0%} within {t['within']}")
    if t.get("max_abandon") is not None:
        parts.append(f"abandon ≤ {t['max_abandon']:.0%}")
    if t.get("max_asa") is not None:
        parts.append(f"ASA ≤ {t['max_asa']}")
    if t.get("max_occupancy") is not None:
        parts.append(f"occupancy ≤ {t['max_occupancy']:.0%}")
    return ", ".join(parts)


def _merge_after_concat(out: Requirements, parts: list[object]) -> None:
    """Settings of requirement tables stacked by ``pd.concat``: shared ones kept, targets merged by role,
    and each that differs written into a column (see the module notes)."""
    tables = [p for p in parts if isinstance(p, Requirements) and p.attrs.get(ATTRS_KEY)]
    if len(tables) != len(parts) or not tables or len(out) != sum(len(t) for t in tables):
        return  # not only requirement tables, or not stacked row by row: pandas' own rule (no settings)
    attrs = [t.attrs[ATTRS_KEY] for t in tables]
    merged: dict[str, Any] = {}
    columns: dict[str, list[Any]] = {}
    for key, column in _PER_ROW.items():
        values = [a.get(key) for a in attrs]
        if all(v == values[0] for v in values) and values[0] is not None:
            merged[key] = values[0]
        elif any(v is not None or column in t.columns for v, t in zip(values, tables)):
            columns[column] = _per_row(tables, column, values)
    for key in _RUN:
        values = [a.get(key) for a in attrs]
        if all(v == values[0] for v in values) and values[0] is not None:
            merged[key] = values[0]
    targets: dict[str, Any] = {}
    conflict: set[str] = set()
    for table, a in zip(tables, attrs):  # each table's targets of the roles it has rows for
        present = set(table.index.get_level_values("role"))
        present |= {k for g, firsts in (a.get("groups") or {}).items() if g in present for k in firsts}
        for role, t in (a.get("targets") or {}).items():
            if role in present and targets.setdefault(role, t) != t:
                conflict.add(role)
    merged["targets"] = {role: t for role, t in targets.items() if role not in conflict}
    if conflict:
        columns["target"] = [_target_text((a.get("targets") or {}).get(role, {})) for t, a in zip(tables, attrs)
                             for role in t.index.get_level_values("role")]
    out.attrs[ATTRS_KEY] = merged
    for column, values in columns.items():
        out[column] = values


def _per_row(tables: list[Requirements], column: str, values: list[Hashable]) -> list[Any]:
    """Each table's setting repeated over its rows (or its own column, from an earlier concat)."""
    out: list[Any] = []
    for t, v in zip(tables, values):
        out += t[column].tolist() if column in t.columns else [v if v is not None else math.nan] * len(t)
    return out
