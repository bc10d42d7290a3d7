"""Every interval lies inside its figure's range and contains the mean, over random replications."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulate.intervals import interval_table, mean_ci, proportion_ci, proportion_table

counts = st.lists(st.integers(min_value=0, max_value=200), min_size=1, max_size=12)


@given(counts, st.data())
@settings(max_examples=200, deadline=None)
def test_shares_stay_in_0_1_and_contain_the_mean(denominators: list[int], data: st.DataObject) -> None:
    numerators = [data.draw(st.integers(min_value=0, max_value=d)) for d in denominators]
    shares = [k / d if d else math.nan for k, d in zip(numerators, denominators)]
    for c in (denominators, None):
        m, lo, hi = proportion_ci(shares, c)
        if math.isnan(lo):
            continue
        assert 0.0 <= lo <= m <= hi <= 1.0


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=2, max_size=12))
@settings(max_examples=200, deadline=None)
def test_non_negative_figures_never_go_below_zero(values: list[float]) -> None:
    m, lo, hi = mean_ci(values, low=0.0)
    assert 0.0 <= lo <= m * (1 + 1e-12) + 1e-9 and m <= hi * (1 + 1e-12) + 1e-9


@given(st.integers(2, 10), st.integers(1, 6), st.data())
@settings(max_examples=100, deadline=None)
def test_tables_agree_with_the_single_figure_versions(reps: int, cols: int, data: st.DataObject) -> None:
    x = np.array(data.draw(st.lists(st.lists(st.floats(0, 1), min_size=cols, max_size=cols), min_size=reps, max_size=reps)))
    mean, lo, hi = proportion_table(x)
    tmean, tlo, thi = interval_table(x, low=0.0, high=1.0)
    for j in range(cols):
        assert np.allclose([mean[j], lo[j], hi[j]], proportion_ci(x[:, j]), equal_nan=True)
        assert np.allclose([tmean[j], tlo[j], thi[j]], mean_ci(x[:, j], low=0.0, high=1.0), equal_nan=True)
        assert 0 <= lo[j] <= mean[j] <= hi[j] <= 1


def test_results_tables_keep_every_interval_in_range() -> None:
    import blueprint
    import simulate

    res = simulate.run(blueprint.load("examples/contact_center.yaml"), days=1, replications=3, seed=5, progress=False)
    for table in (res.roles(), res.steps(), res.staff()):
        for col in table.columns:
            if not col.endswith("_ci_low"):
                continue
            fig = col[: -len("_ci_low")]
            lo, m, hi = table[col], table[fig], table[fig + "_ci_high"]
            ok = lo.notna()
            assert (lo[ok] >= 0).all() and (lo[ok] <= m[ok] + 1e-9).all() and (m[ok] <= hi[ok] + 1e-9).all(), fig
            if fig in ("service_level", "abandonment", "occupancy", "within_tolerance"):
                assert (hi[ok] <= 1).all(), fig
