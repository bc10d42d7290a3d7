"""When customers arrive: the arrival times of one stream of a blueprint over the simulated horizon.

A rate gives a Poisson stream; a profile a Poisson stream whose rate steps
with the profile (exponential gaps restarted at each change of rate, which is
exact because the exponential is memoryless); fixed times repeat every day (or
every week when they name weekdays).

>>> import numpy as np
>>> from blueprint import Arrivals
>>> a = Arrivals.model_validate({"step": "call", "times": ["09:00", "17:30"]})
>>> list(arrival_times(a, np.random.default_rng(1), horizon=2 * 86400.0))
[32400.0, 63000.0, 118800.0, 149400.0]
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from blueprint.arrivals import Arrivals, timestamp_seconds
from blueprint.staffing import DAY, WEEK
from simulate.engine.timeline import profile_timeline

__all__ = ["arrival_times"]


def _standard_exponentials(rng: np.random.Generator, batch: int = 1024) -> Generator[float, None, None]:
    """Exp(1) values, drawn ``batch`` at a time."""
    while True:
        yield from rng.standard_exponential(batch).tolist()


def _scaled_by_day(tl: list[tuple[float, float]], factors: list[float], horizon: float) -> list[tuple[float, float]]:
    """A rate timeline ``[(start, rate), ...]`` with each day's rates multiplied by that day's factor.

    >>> _scaled_by_day([(0.0, 1.0), (3600.0, 2.0)], [0.5, 2.0], 2 * DAY)
    [(0.0, 0.5), (3600.0, 1.0), (86400.0, 4.0)]
    """
    cuts = sorted({t for t, _ in tl} | {d * DAY for d in range(len(factors)) if d * DAY < horizon})
    out: list[tuple[float, float]] = []
    j = 0
    for t in cuts:
        while j + 1 < len(tl) and tl[j + 1][0] <= t:
            j += 1
        rate = tl[j][1] * factors[min(int(t // DAY), len(factors) - 1)]
        if not out or out[-1][1] != rate:
            out.append((t, rate))
    return out


def arrival_times(a: Arrivals, rng: np.random.Generator, horizon: float,
                  day_factors: list[float] | None = None) -> Generator[float, None, None]:
    """The arrival times of stream ``a`` in ``[0, horizon)``, in order, drawn from ``rng`` (seconds from Monday 00:00).

    ``day_factors`` (busyness) multiply the rate of a rate or a profile on each day of the run; fixed times
    are not scaled.
    """
    h = horizon
    gaps = _standard_exponentials(rng)  # unit-rate gaps, scaled by the rate in force
    if a.kind in ("rate", "profile"):
        if a.kind == "rate":
            assert a.rate is not None
            tl = [(0.0, a.rate.per_second)]
        else:
            assert a.profile is not None
            per = a.profile.interval.seconds
            tl = [(t, v / per) for t, v in profile_timeline(a.profile, h)]
        if day_factors is not None:
            tl = _scaled_by_day(tl, day_factors, h)
        t = 0.0
        for i, (start, lam) in enumerate(tl):
            end = tl[i + 1][0] if i + 1 < len(tl) else h
            t = max(t, start)
            if lam <= 0:
                continue
            scale = 1.0 / lam
            while True:  # exact: exponential gaps, restarted at each change of rate (memoryless)
                t += next(gaps) * scale
                if t >= end:
                    t = end
                    break
                yield t
    else:
        stamps = [timestamp_seconds(s) for s in a.times or []]
        weekly = any(" " in s for s in a.times or [])
        period = WEEK if weekly else DAY
        base = 0.0
        while base < h:
            for s in stamps:
                if base + s < h:
                    yield base + s
            base += period
