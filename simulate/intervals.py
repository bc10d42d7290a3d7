"""95% intervals over replications that stay inside the figure's range.

Replications are independent and identically distributed, so every figure is
the mean of its per-replication values and its interval comes from how those
values scatter (never from the customers inside one replication, who are not
independent: one long queue delays many of them at once). Two methods, one per
kind of figure:

* **Figures that cannot be negative** (counts, waits and their quantiles, queue
  lengths, staff, hours, cost) and figures without bounds (differences):
  :func:`mean_ci` / :func:`interval_table`, the Student *t* interval
  ``mean ± t(level, R-1) · s / √R`` intersected with the figure's range
  (``low=0`` for non-negative figures). The intersection is justified because
  the true mean lies in that range: the interval covers it exactly when the
  unclipped one does, so clipping never loses coverage, and the mean of values
  in the range is itself in it, so the interval always contains the mean. For a
  quantile such as ``wait_p90`` the figure is the mean of each replication's
  90th percentile, so the same interval applies (it is about that mean, not
  about the percentile of all waits pooled).
* **Proportions** (service level, abandonment, occupancy, share within
  tolerance, failure rate): :func:`proportion_ci` / :func:`proportion_table`,
  the Wilson score interval with the effective sample size of the
  replications (Korn and Graubard's design-effect idea): with ``p`` the mean of
  the per-replication shares and ``v = s² / R`` its variance, ``n = p(1-p) / v``
  customers would give a binomial share the same variance; the Wilson interval
  for ``p`` with that ``n`` and the *t* quantile is
  ``(p + t²/2n ± t·√(p(1-p)/n + t²/4n²)) / (1 + t²/n)``. Where the replications
  agree it is the *t* interval; near 0 or 1 it bends inside ``[0, 1]``, always
  contains ``p``, and when every replication gives the same share (say 100%)
  and the counts are known, ``n`` is the number of customers counted (the
  effective size is never taken above it), so 10 replications of 15 callers,
  all answered in time, give ``[96.7%, 100%]`` rather than a zero-width interval.

With fewer than two replications there is no interval (NaN). NaNs (a figure
not defined in a replication, e.g. service level with nobody offered) are left
out, replication by replication.

>>> m, lo, hi = proportion_ci([1.0] * 10, counts=[15] * 10)
>>> m, round(lo, 3), hi
(1.0, 0.967, 1.0)
>>> m, lo, hi = mean_ci([0.0, 0.0, 3.0], low=0)
>>> m, lo, round(hi, 3)
(1.0, 0.0, 5.303)
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["mean_ci", "pooled_table", "proportion_ci", "interval_table", "proportion_table", "t_quantile"]

Triple = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]


def t_quantile(level: float, df: ArrayLike) -> NDArray[np.float64]:
    """The two-sided Student *t* quantile for ``level`` with ``df`` degrees of freedom (elementwise).

    >>> round(float(t_quantile(0.95, 9)), 3)
    2.262
    """
    from scipy import stats  # costly to import; only intervals need it

    return np.asarray(stats.t.ppf(0.5 + level / 2, np.maximum(np.asarray(df, dtype=float), 1.0)), dtype=float)


def _as_matrix(values: ArrayLike) -> NDArray[np.float64]:
    """Replications as rows, figures as columns; None read as NaN."""
    x = np.asarray(values, dtype=float)
    return x.reshape(-1, 1) if x.ndim == 1 else x


def _moments(x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Per column: replications with a value, their mean and sample variance (NaNs left out)."""
    ok = ~np.isnan(x)
    n = ok.sum(axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.where(ok, x, 0.0).sum(axis=0) / np.maximum(n, 1), np.nan)
        dev = np.where(ok, x - mean, 0.0)
        var = (dev * dev).sum(axis=0) / np.maximum(n - 1, 1)
    return n, mean, var


def interval_table(values: ArrayLike, level: float = 0.95, *, low: float = -math.inf, high: float = math.inf) -> Triple:
    """Per column of ``values`` (replications as rows): the mean and the *t* interval kept inside
    ``[low, high]``, NaNs left out: ``(mean, ci_low, ci_high)`` as arrays.

    >>> mean, lo, hi = interval_table([[1.0, 2.0], [3.0, float("nan")]], low=0)
    >>> mean.tolist(), float(lo[0]), round(float(hi[0]), 3), bool(math.isnan(lo[1]))
    ([2.0, 2.0], 0.0, 14.706, True)
    """
    x = _as_matrix(values)
    n, mean, var = _moments(x)
    with np.errstate(invalid="ignore"):
        half = np.where(n >= 2, t_quantile(level, n - 1) * np.sqrt(var / np.maximum(n, 1)), np.nan)
        lo = np.where(np.isnan(half), np.nan, np.clip(mean - half, low, high))
        hi = np.where(np.isnan(half), np.nan, np.clip(mean + half, low, high))
    return mean, lo, hi


def proportion_table(values: ArrayLike, counts: ArrayLike | None = None, level: float = 0.95) -> Triple:
    """Per column of ``values`` (shares in [0, 1], replications as rows): the mean share and its Wilson
    interval with the replications' effective sample size (see the module notes). ``counts`` (same
    shape) are the customers each share is of; where known they bound the effective size.

    >>> mean, lo, hi = proportion_table([[0.5, 0.0], [0.7, 0.0]], counts=[[10, 4], [10, 4]])
    >>> mean.tolist(), round(float(lo[0]), 3), round(float(hi[1]), 3)
    ([0.6, 0.0], 0.04, 0.953)
    """
    x = _as_matrix(values)
    r, p, var = _moments(x)
    if counts is not None:
        c = _as_matrix(counts)
        known = np.where(np.isnan(x), 0.0, np.nan_to_num(c, nan=0.0)).sum(axis=0)
    else:
        known = np.full(p.shape, np.inf)
    t = t_quantile(level, r - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = var / np.maximum(r, 1)
        spread = p * (1 - p)
        n_eff = np.where(v > 0, spread / np.where(v > 0, v, 1.0), np.inf)
        n_eff = np.minimum(n_eff, known)
        t2n = np.where(np.isfinite(n_eff), t * t / n_eff, 0.0)
        centre = (p + t2n / 2) / (1 + t2n)
        half = t / (1 + t2n) * np.sqrt(np.where(np.isfinite(n_eff), spread / n_eff + t2n / (4 * n_eff), 0.0))
        lo = np.clip(centre - half, 0.0, p)
        hi = np.clip(centre + half, p, 1.0)
    none = (r < 2) | np.isnan(p)
    return p, np.where(none, np.nan, lo), np.where(none, np.nan, hi)


def pooled_table(numerator: ArrayLike, denominator: ArrayLike, level: float = 0.95, *, proportion: bool = True) -> Triple:
    """Per column (replications as rows): the pooled ratio ``Σ numerator / Σ denominator`` and its
    interval, for figures that are counts over counts (answered in time over calls offered).

    Pooling weights every call alike, where the mean of per-replication shares weights every
    replication alike and, at a few calls an interval, understates a rare outcome (a replication
    with one caller who gave up reads 100%). The interval treats replications as the independent
    units (the ratio estimator of cluster sampling): ``v = Σ(yᵣ − p·xᵣ)² / (R(R−1)·x̄²)``. For a
    proportion it is the Wilson interval with the effective sample size ``p(1−p)/v``, never taken
    above the calls counted (so replications that all agree still give an interval as wide as
    that many independent calls would); otherwise the *t* interval kept at or above 0. Columns with
    no denominator, or fewer than two replications, give NaN.

    >>> p, lo, hi = pooled_table([[1, 9], [0, 9]], [[1, 10], [3, 10]])   # 1 of 4, 18 of 20
    >>> p.tolist(), bool(lo[0] < 0.25 < hi[0])
    ([0.25, 0.9], True)
    """
    y, x = _as_matrix(numerator), _as_matrix(denominator)
    r = np.full(y.shape[1], float(y.shape[0]))
    total_y, total_x = y.sum(axis=0), x.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(total_x > 0, total_y / np.where(total_x > 0, total_x, 1.0), np.nan)
        mean_x = total_x / np.maximum(r, 1)
        resid = y - np.nan_to_num(p) * x
        v = (resid * resid).sum(axis=0) / np.maximum(r * (r - 1), 1) / np.where(mean_x > 0, mean_x * mean_x, 1.0)
        t = t_quantile(level, r - 1)
        if proportion:
            spread = p * (1 - p)
            n_eff = np.minimum(np.where(v > 0, spread / np.where(v > 0, v, 1.0), np.inf), total_x)
            t2n = t * t / np.where(n_eff > 0, n_eff, 1.0)
            centre = (p + t2n / 2) / (1 + t2n)
            half = t / (1 + t2n) * np.sqrt(spread / np.where(n_eff > 0, n_eff, 1.0) + t2n / (4 * np.where(n_eff > 0, n_eff, 1.0)))
            lo, hi = np.clip(centre - half, 0.0, p), np.clip(centre + half, p, 1.0)
        else:
            half = t * np.sqrt(v)
            lo, hi = np.maximum(p - half, 0.0), p + half
    none = (r < 2) | np.isnan(p)
    return p, np.where(none, np.nan, lo), np.where(none, np.nan, hi)


def _first(triple: Triple) -> tuple[float, float, float]:
    return float(triple[0][0]), float(triple[1][0]), float(triple[2][0])


def _listed(values: Iterable[float | None] | ArrayLike) -> NDArray[np.float64]:
    """The observations as a flat float array (None read as NaN)."""
    return np.asarray(values if isinstance(values, np.ndarray) else list(values), dtype=float).ravel()  # type: ignore[arg-type]


def mean_ci(values: Iterable[float | None] | ArrayLike, level: float = 0.95, *, low: float = -math.inf,
            high: float = math.inf) -> tuple[float, float, float]:
    """``(mean, ci_low, ci_high)`` of independent observations (NaNs and None left out): the *t*
    interval kept inside ``[low, high]`` (``low=0`` for a figure that cannot be negative).

    >>> [round(v, 3) for v in mean_ci([1.0, 2.0, 3.0])]
    [2.0, -0.484, 4.484]
    >>> mean_ci([1.0, 2.0, 3.0], low=0)[1]
    0.0
    """
    x = _listed(values)
    if not x.size:
        return math.nan, math.nan, math.nan
    return _first(interval_table(x, level, low=low, high=high))


def proportion_ci(values: Iterable[float | None] | ArrayLike, counts: Iterable[float] | ArrayLike | None = None,
                  level: float = 0.95) -> tuple[float, float, float]:
    """``(mean, ci_low, ci_high)`` of per-replication shares: the Wilson interval with the replications'
    effective sample size, inside [0, 1] (see the module notes); ``counts`` are the customers each
    share is of, where known.

    >>> m, lo, hi = proportion_ci([0.8, 0.9, 1.0])
    >>> m, 0 <= lo < m < hi <= 1
    (0.9, True)
    """
    x = _listed(values)
    if not x.size:
        return math.nan, math.nan, math.nan
    return _first(proportion_table(x, None if counts is None else _listed(counts), level))
