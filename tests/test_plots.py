"""The plots of Results: one call each, a Figure with labelled axes drawing the tables' numbers, no backend change."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import blueprint  # noqa: E402
import simulate  # noqa: E402
from simulate.plots import PLOTS, queue_roles  # noqa: E402
from simulate.results import Results  # noqa: E402


@pytest.fixture(scope="module")
def results() -> Results:
    bp = blueprint.load("examples/contact_center.yaml")
    return simulate.run(bp, days=2, replications=3, seed=5, progress=False)


def _by_gid(fig: Figure, gid: str) -> list:
    return [a for ax in fig.axes for a in [*ax.lines, *ax.collections, *ax.patches, *ax.containers]
            if getattr(a, "get_gid", lambda: None)() == gid]


def _band_ys(fig: Figure, name: str) -> np.ndarray:
    (band,) = _by_gid(fig, f"band:{name}")
    return np.concatenate([p.vertices[:, 1] for p in band.get_paths()])


def _contains(values: np.ndarray, wanted: np.ndarray) -> bool:
    return bool(np.all(np.isclose(wanted[:, None], values[None, :], rtol=0, atol=1e-12).any(axis=1)))


def test_service_level_chart_draws_the_tables_mean_band_target_and_staff(results: Results) -> None:
    backend = matplotlib.get_backend()
    fig = results.plot("service_level", role="first_line")
    assert isinstance(fig, Figure)
    assert matplotlib.get_backend() == backend
    left, right = fig.axes
    assert left.get_ylabel() == "answered within 60 s (%)" and right.get_ylabel() == "staff on duty (people)"
    assert "time of day" in left.get_xlabel() or "day of the week" in left.get_xlabel()
    assert left.get_title().startswith("first_line: service level per 15 min")
    table = results.roles("first_line").xs("first_line", level="role")
    (line,) = _by_gid(fig, "line:service_level")
    np.testing.assert_allclose(line.get_ydata(), table["service_level"], equal_nan=True)
    np.testing.assert_allclose(line.get_xdata(), (table["start"] + 450) / 3600)
    ok = table["service_level_ci_low"].notna()
    ys = _band_ys(fig, "service_level")
    assert _contains(ys, table.loc[ok, "service_level_ci_low"].to_numpy()) and _contains(ys, table.loc[ok, "service_level_ci_high"].to_numpy())
    (target,) = _by_gid(fig, "target")
    assert target.get_ydata()[0] == pytest.approx(0.8)
    (staff,) = _by_gid(fig, "line:on_duty")
    np.testing.assert_allclose(staff.get_ydata()[:-1], table["on_duty"])
    (load,) = _by_gid(fig, "line:offered_load")
    np.testing.assert_allclose(load.get_ydata(), table["offered_load"])


def test_day_zooms_on_one_day_and_a_list_of_roles_gives_a_panel_each(results: Results) -> None:
    fig = results.plot_service_level(["first_line", "specialist"], day="Tue")
    panels = [ax for ax in fig.axes if ax.get_ylabel().startswith("answered")]
    assert [ax.get_title().split(":")[0] for ax in panels] == ["first_line", "specialist"]
    lo, hi = panels[0].get_xlim()
    assert 24 <= lo < hi <= 48 and hi - lo < 24  # Tuesday, trimmed to the opening hours
    assert panels[0].get_xaxis().get_major_formatter()(9.0, 0) == "09:00"
    with pytest.raises(ValueError, match="outside the run"):
        results.plot_service_level(day="Fri")
    with pytest.raises(ValueError, match="role 'nobody'"):
        results.plot_service_level("nobody")


def test_abandonment_queue_and_occupancy_draw_their_columns(results: Results) -> None:
    table = results.roles("specialist").xs("specialist", level="role")
    fig = results.plot_abandonment("specialist")
    assert fig.axes[0].get_ylabel() == "gave up (% of callers offered)"
    (line,) = _by_gid(fig, "line:abandonment")
    np.testing.assert_allclose(line.get_ydata(), table["abandonment"], equal_nan=True)
    fig = results.plot_queue("specialist")
    assert fig.axes[0].get_ylabel() == "customers waiting (people)"
    (mean,) = _by_gid(fig, "line:queue_mean")
    (peak,) = _by_gid(fig, "line:queue_max")
    np.testing.assert_allclose(mean.get_ydata(), table["queue_mean"])
    np.testing.assert_allclose(peak.get_ydata(), table["queue_max"])
    fig = results.plot_occupancy()
    lines = _by_gid(fig, "line:occupancy")
    assert [ln.get_label() for ln in lines] == queue_roles(results) == ["first_line", "specialist"]
    np.testing.assert_allclose(lines[1].get_ydata(), table["occupancy"], equal_nan=True)
    assert fig.axes[0].get_ylabel() == "staff busy (% of staff on duty)"


def test_waits_per_step_draw_the_quantiles_of_the_steps_table(results: Results) -> None:
    steps = results.steps()
    fig = results.plot_waits()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "wait (s)" and ax.get_title().startswith("Waits per step")
    shown = steps[(steps["arrivals"] > 0) & (steps["wait_max"] > 0)]
    labels = {s.id: s.label for s in results.blueprint.steps}
    assert [t.get_text() for t in ax.get_yticklabels()] == [labels[s] for s in shown.index]
    for column in ("wait_p50", "wait_p90", "wait_p95"):
        (marker,) = [ln for ln in ax.lines if ln.get_gid() == f"marker:{column}"]
        np.testing.assert_allclose(np.asarray(marker.get_xdata(), dtype=float), shown[column])
    (longest,) = _by_gid(fig, "marker:wait_max")
    np.testing.assert_allclose(longest.get_xdata(), shown["wait_max"])
    bars = [p.get_width() for p in ax.patches]  # type: ignore[attr-defined]
    np.testing.assert_allclose(bars, shown["wait_mean"])


def test_every_plot_saves_draws_into_a_given_axes_and_leaves_the_backend(results: Results, tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    backend = matplotlib.get_backend()
    for name in PLOTS:
        fig = results.plot(name)
        assert isinstance(fig, Figure) and all(ax.get_title() for ax in fig.axes if ax.get_ylabel() != "staff on duty (people)")
        fig.savefig(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
        assert fig._repr_png_()[:4] == b"\x89PNG"  # type: ignore[attr-defined]  # shows in Jupyter
        own, ax = plt.subplots()
        assert results.plot(name, ax=ax) is own
        plt.close(own)
    assert matplotlib.get_backend() == backend
    with pytest.raises(ValueError, match="no plot 'pie'"):
        results.plot("pie")


def test_plots_need_no_pyplot() -> None:
    """A plot made in a fresh interpreter loads matplotlib but never pyplot, so no backend is chosen."""
    import subprocess
    import sys

    code = ("import sys, blueprint, simulate; bp = blueprint.load('examples/contact_center.yaml');"
            "r = simulate.run(bp, days=1, replications=2, seed=1, progress=False); r.plot('queue');"
            "print('matplotlib.pyplot' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, timeout=300)
    assert out.stdout.strip() == "False"


def test_a_run_of_one_day_is_drawn_over_its_hours_not_the_empty_night() -> None:
    """The contact centre opens at 07:00 and closes at 21:00: a day's charts and its shift plan's coverage start
    and end an interval either side of the hours with callers or staff (the notebooks had set the range by hand)."""
    bp = blueprint.load("examples/contact_center.yaml")
    day = simulate.run(bp, days=1, replications=2, seed=3, progress=False)
    for what in ("service_level", "queue", "occupancy"):
        lo, hi = day.plot(what).axes[0].get_xlim()
        assert 6.0 <= lo <= 7.0 and 21.0 <= hi <= 23.0, (what, lo, hi)
    from simulate.staffing.shifts import schedule_shifts

    plan = schedule_shifts([0] * 8 + [2, 3, 3, 2] + [0] * 12, [{"name": "a", "earliest_start": "06:00",
                           "latest_start": "10:00", "start_step": "1 h", "length": "2 h"}], interval="1 h")
    assert plan.plot().axes[0].get_xlim() == (7.0, 13.0)


def test_stacked_panels_name_the_shared_time_axis_once(results: Results) -> None:
    """The top panel of two shows no tick labels (the time axis is shared): it had been named there all the same."""
    for what in ("service_level", "abandonment", "queue"):
        top, bottom = [ax for ax in results.plot(what, role=["first_line", "specialist"]).axes if ax.get_ylabel()
                       and not ax.get_ylabel().startswith("staff on duty")][:2]
        assert top.get_xlabel() == "" and bottom.get_xlabel() != "", what
