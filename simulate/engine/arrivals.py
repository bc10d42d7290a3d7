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


def arrival_times(a: Arrivals, rng: np.random.Generator, horizon: float) -> Generator[float, None, None]:
    """The arrival times of stream ``a`` in ``[0, horizon)``, in order, drawn from ``rng`` (seconds from Monday 00:00)."""
    h = horizon
    gaps = _standard_exponentials(rng)  # unit-rate gaps, scaled by the rate in force
    if a.kind == "rate":
        assert a.rate is not None
        lam = a.rate.per_second
        if lam <= 0:
            return
        scale = 1.0 / lam
        t = 0.0
        while True:
            t += next(gaps) * scale
            if t >= h:
                return
            yield t
    elif a.kind == "profile":
        assert a.profile is not None
        per = a.profile.interval.seconds
        tl = [(t, v / per) for t, v in profile_timeline(a.profile, h)]
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
