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

__all__ = ["Tally", "TimeAverage", "IntervalCounts"]

_ZERO = 1e-3  # values below this (seconds) fall in the zero bin
_LOG_STEP = math.log(1.01)
_BINS = 2600  # up to about 1e8 seconds


class Tally:
    """Count, mean, variance (Welford), max, and a 1%-resolution histogram for quantiles."""

    __slots__ = ("count", "mean", "_m2", "max", "min", "_hist", "total")

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self._m2 = 0.0
        self.max = 0.0
        self.min = math.inf
        self.total = 0.0
        self._hist = [0] * _BINS

    def add(self, x: float) -> None:
        self.count += 1
        self.total += x
        d = x - self.mean
        self.mean += d / self.count
        self._m2 += d * (x - self.mean)
        if x > self.max:
            self.max = x
        if x < self.min:
            self.min = x
        if x < _ZERO:
            self._hist[0] += 1
        else:
            i = int(math.log(x / _ZERO) / _LOG_STEP) + 1
            self._hist[i if i < _BINS else _BINS - 1] += 1

    @property
    def variance(self) -> float:
        return self._m2 / (self.count - 1) if self.count > 1 else 0.0

    def quantile(self, q: float) -> float:
        """The ``q`` quantile, to within 1% (exact at 0 and for the maximum)."""
        if self.count == 0:
            return math.nan
        rank = q * self.count
        seen = 0
        for i, n in enumerate(self._hist):
            seen += n
            if seen >= rank and n:
                if i == 0:
                    return 0.0
                lo = _ZERO * math.exp((i - 1) * _LOG_STEP)
                hi = _ZERO * math.exp(i * _LOG_STEP)
                value = math.sqrt(lo * hi)
                return min(max(value, self.min), self.max)
        return self.max

    def share_at_most(self, limit: float) -> float:
        """The share of values ≤ ``limit`` (to within the 1% bin holding ``limit``)."""
        if self.count == 0:
            return math.nan
        if limit < _ZERO:
            return self._hist[0] / self.count
        last = int(math.log(limit / _ZERO) / _LOG_STEP) + 1
        return sum(self._hist[: min(last, _BINS - 1) + 1]) / self.count


class TimeAverage:
    """The time integral of a level, split into intervals of ``width`` seconds from ``start``."""

    __slots__ = ("level", "_last", "_width", "_start", "area", "peak", "_n")

    def __init__(self, n_intervals: int, width: float, start: float = 0.0, level: float = 0.0) -> None:
        self.level = level
        self._last = start
        self._start = start
        self._width = width
        self._n = n_intervals
        self.area = [0.0] * n_intervals
        self.peak = [0.0] * n_intervals

    def set(self, now: float, level: float) -> None:
        """The level changes to ``level`` at ``now``."""
        self.advance(now)
        self.level = level
        i = int((now - self._start) // self._width)
        if 0 <= i < self._n and level > self.peak[i]:
            self.peak[i] = level

    def advance(self, now: float) -> None:
        last, level = self._last, self.level
        if now <= last:
            return
        self._last = now
        if level == 0:
            return
        w, s = self._width, self._start
        i = int((last - s) // w)
        j = int((now - s) // w)
        if i == j:
            if 0 <= i < self._n:
                self.area[i] += level * (now - last)
            return
        for k in range(max(i, 0), min(j, self._n - 1) + 1):
            a = max(last, s + k * w)
            b = min(now, s + (k + 1) * w)
            if b > a:
                self.area[k] += level * (b - a)


class IntervalCounts:
    """Counts and sums per interval of ``width`` seconds from ``start``."""

    __slots__ = ("_width", "_start", "_n", "values")

    def __init__(self, n_intervals: int, width: float, start: float = 0.0) -> None:
        self._width = width
        self._start = start
        self._n = n_intervals
        self.values = [0.0] * n_intervals

    def add(self, t: float, amount: float = 1.0) -> None:
        i = int((t - self._start) // self._width)
        if 0 <= i < self._n:
            self.values[i] += amount
