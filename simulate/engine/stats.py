"""Statistics that accumulate while the simulation runs, in constant memory.

:class:`Tally` keeps count, mean, variance, maximum and a log-spaced histogram
(1% resolution) for quantiles; :class:`TimeAverage` keeps the time integral of
a level (queue length, staff busy) split by interval of the day.

>>> t = Tally()
>>> for x in (1.0, 2.0, 3.0, 4.0): t.add(x)
>>> t.count, t.mean, t.max
(4, 2.5, 4.0)
>>> abs(t.quantile(0.5) - 2.0) < 0.05
True
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Tally", "TimeAverage", "SpanSum"]

_ZERO = 1e-3  # values below this (seconds) fall in the zero bin
_LOG_STEP = math.log(1.01)
_BINS = 2600  # up to about 1e8 seconds
_INV_ZERO = 1.0 / _ZERO
_INV_LOG_STEP = 1.0 / _LOG_STEP
_log = math.log


class Tally:
    """Count, mean, variance, max, and a 1%-resolution histogram for quantiles.

    Values are buffered and folded into the statistics ``BUFFER`` at a time with
    numpy, so adding one costs about a list append; memory stays constant.
    """

    __slots__ = ("_count", "_total", "_sumsq", "_max", "_min", "_hist", "buf", "add")

    BUFFER = 4096

    def __init__(self) -> None:
        self._count = 0
        self._total = 0.0
        self._sumsq = 0.0
        self._max = 0.0
        self._min = math.inf
        self._hist = np.zeros(_BINS, dtype=np.int64)
        self.buf: list[float] = []
        self.add = self._add

    def _add(self, x: float) -> None:
        buf = self.buf
        buf.append(x)
        if len(buf) >= self.BUFFER:
            self.flush()

    def flush(self) -> None:
        """Fold the buffered values into the statistics."""
        if not self.buf:
            return
        x = np.asarray(self.buf, dtype=float)
        self.buf = []
        self._count += x.size
        self._total += float(x.sum())
        self._sumsq += float(np.dot(x, x))
        self._max = max(self._max, float(x.max()))
        self._min = min(self._min, float(x.min()))
        idx = np.zeros(x.size, dtype=np.int64)
        pos = x >= _ZERO
        idx[pos] = np.minimum((np.log(x[pos] * _INV_ZERO) * _INV_LOG_STEP).astype(np.int64) + 1, _BINS - 1)
        self._hist += np.bincount(idx, minlength=_BINS)

    @property
    def count(self) -> int:
        return self._count + len(self.buf)

    @property
    def total(self) -> float:
        self.flush()
        return self._total

    @property
    def max(self) -> float:
        self.flush()
        return self._max

    @property
    def min(self) -> float:
        self.flush()
        return self._min

    @property
    def mean(self) -> float:
        self.flush()
        return self._total / self._count if self._count else math.nan

    @property
    def variance(self) -> float:
        self.flush()
        if self._count < 2:
            return 0.0
        return max(self._sumsq - self._total * self._total / self._count, 0.0) / (self._count - 1)

    def quantile(self, q: float) -> float:
        """The ``q`` quantile, to within 1% (exact at 0 and for the maximum)."""
        self.flush()
        if self._count == 0:
            return math.nan
        rank = q * self._count
        cum = np.cumsum(self._hist)
        i = int(np.searchsorted(cum, rank, side="left"))
        i = min(i, _BINS - 1)
        if i == 0:
            return 0.0
        lo = _ZERO * math.exp((i - 1) * _LOG_STEP)
        hi = _ZERO * math.exp(i * _LOG_STEP)
        return min(max(math.sqrt(lo * hi), self._min), self._max)

    def share_at_most(self, limit: float) -> float:
        """The share of values ≤ ``limit`` (to within the 1% bin holding ``limit``)."""
        self.flush()
        if self._count == 0:
            return math.nan
        if limit < _ZERO:
            return float(self._hist[0]) / self._count
        last = int(math.log(limit / _ZERO) / _LOG_STEP) + 1
        return float(self._hist[: min(last, _BINS - 1) + 1].sum()) / self._count


class TimeAverage:
    """The time integral of a level, split into intervals of ``width`` seconds from ``start``."""

    __slots__ = ("level", "_last", "width", "_start", "area", "peak", "n")

    def __init__(self, n_intervals: int, width: float, start: float = 0.0, level: float = 0.0) -> None:
        self.level = level
        self._last = start
        self._start = start
        self.width = width
        self.n = n_intervals
        self.area = [0.0] * n_intervals
        self.peak = [0.0] * n_intervals

    def set(self, now: float, level: float) -> None:
        """The level changes to ``level`` at ``now``."""
        last = self._last
        if now > last:
            old = self.level
            if old:
                w, s = self.width, self._start
                i = int((last - s) // w)
                if i == int((now - s) // w):
                    if 0 <= i < self.n:
                        self.area[i] += old * (now - last)
                else:
                    self.advance(now)
            self._last = now
        self.level = level
        i = int((now - self._start) // self.width)
        if 0 <= i < self.n and level > self.peak[i]:
            self.peak[i] = level

    def advance(self, now: float) -> None:
        last, level = self._last, self.level
        if now <= last:
            return
        self._last = now
        if level == 0:
            return
        w, s = self.width, self._start
        i = int((last - s) // w)
        j = int((now - s) // w)
        if i == j:
            if 0 <= i < self.n:
                self.area[i] += level * (now - last)
            return
        for k in range(max(i, 0), min(j, self.n - 1) + 1):
            a = max(last, s + k * w)
            b = min(now, s + (k + 1) * w)
            if b > a:
                self.area[k] += level * (b - a)


class SpanSum:
    """Time integrals built from spans: ``add(a, b, w)`` adds ``w`` over ``[a, b)``, split by interval.

    The integral of a queue's length is the sum of every customer's wait, and a
    member's busy time the sum of their service spans, so one call per customer
    is enough. ``peak`` keeps the largest level seen in each interval.
    """

    __slots__ = ("width", "n", "area", "peak")

    def __init__(self, n_intervals: int, width: float) -> None:
        self.width = width
        self.n = n_intervals
        self.area = [0.0] * n_intervals
        self.peak = [0.0] * n_intervals

    def add(self, a: float, b: float, weight: float = 1.0) -> None:
        if b <= a:
            return
        w = self.width
        i = int(a // w)
        j = int(b // w)
        if i == j:
            if i < self.n:
                self.area[i] += weight * (b - a)
            return
        n = self.n
        for k in range(i, min(j, n - 1) + 1):
            lo = a if k == i else k * w
            hi = b if k == j else (k + 1) * w
            if hi > lo:
                self.area[k] += weight * (hi - lo)

    def level(self, t: float, level: float) -> None:
        """Note a level reached at ``t`` (for the peak)."""
        i = int(t // self.width)
        if i < self.n and level > self.peak[i]:
            self.peak[i] = level
