"""What a wait feels like against what the customer expected: the perceived-wait model.

A wait point's ``tolerance`` is the longest wait the customer finds acceptable (per segment
where segments differ: ``wait_point: {tolerance: 60 s, segments: {business: 30 s}}``). How a
wait of ``w`` seconds is experienced against a tolerance ``T`` (:class:`Experience`, the
blueprint's ``experience``, each parameter changeable):

* **perceived wait** P(w) = ``scale`` · T · (w / T) ^ ``exponent``: a power of the actual wait,
  anchored at the tolerance. The defaults follow the published studies: people waiting with
  nothing to do overestimate their wait by about a third (Hornik, 1984, *Journal of Consumer
  Research* 11; the 36% R. Larson reports for unoccupied waits), ``scale`` 1.36; and felt duration
  grows a little faster than duration itself (S. S. Stevens, *Psychophysics*, 1975: exponent 1.1
  for duration), ``exponent`` 1.1.
* **met**: P(w) ≤ T. With the defaults a wait is felt as tolerable up to about 0.76 T.
* **gap** in tolerances (the unit is the tolerable wait): (T − P) / T while P ≤ T (from 0 at the
  tolerance to 1 for no wait at all), and −``loss`` · (P − T) / T past it. The evaluation drops
  more steeply past the tolerance than it rises below it (the zone of tolerance: Zeithaml, Berry
  and Parasuraman, 1993; losses weigh about 2.25 times gains: Tversky and Kahneman, 1992), ``loss``
  2.25.
* **loss**: the part of the gap below zero, max(0, −gap): what the visit costs the journey.

A tolerance of 0 (every wait is too long) gives a gap of 0 for no wait and −``loss`` otherwise. A
perceived wait counts at most :data:`CAP` (a million) tolerances.
``Experience(scale=1, exponent=1, loss=1)`` is the linear form: the perceived wait is the actual
wait, and the gap is (T − w) / T on both sides.

>>> e = Experience()
>>> round(float(e.perceived(60.0, 60.0)), 1), bool(e.met(40.0, 60.0)), bool(e.met(50.0, 60.0))
(81.6, True, False)
>>> linear = Experience(scale=1, exponent=1, loss=1)
>>> float(linear.perceived(90.0, 60.0)), float(linear.gap(90.0, 60.0)), float(linear.gap(30.0, 60.0))
(90.0, -0.5, 0.5)
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pydantic import Field

from .base import Model
from .units import Duration

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

__all__ = ["CAP", "Expectations", "Experience", "SegmentExpectations"]

#: The longest perceived wait counted, in tolerances: a wait felt as a million times the tolerance counts as that.
CAP = 1e6
LOG_CAP = math.log(CAP)


class Experience(Model):
    """The perceived-wait model's parameters (see the module notes for the formulas and their sources)."""

    scale: float = Field(1.36, gt=0, le=100, description="perceived wait at the tolerance, as a share of the tolerance")
    exponent: float = Field(1.1, gt=0, le=10, description="power of the actual wait in the perceived wait")
    loss: float = Field(2.25, ge=0, le=100, description="how much more a tolerance unit past the tolerance weighs "
                                                         "than one before it")

    def felt(self, wait: ArrayLike, tolerance: float) -> NDArray[np.float64]:
        """The perceived wait in tolerances, P(w) / T (at most :data:`CAP`; for a tolerance of 0: 0 for no wait,
        else :data:`CAP`)."""
        import numpy as np  # loaded on first use: ``import blueprint`` leaves numpy out
        w = np.maximum(np.asarray(wait, dtype=float), 0.0)
        if tolerance <= 0:
            return np.where(w > 0, CAP, 0.0)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            logs = math.log(self.scale) + self.exponent * np.log(w / tolerance)
            return np.asarray(np.where(w > 0, np.exp(np.minimum(logs, math.log(CAP))), 0.0), dtype=float)

    def perceived(self, wait: ArrayLike, tolerance: float) -> NDArray[np.float64]:
        """The perceived wait (s) of actual waits ``wait`` (s) against ``tolerance`` (s)."""
        import numpy as np
        w = np.maximum(np.asarray(wait, dtype=float), 0.0)
        if tolerance <= 0:
            return np.asarray(self.scale * w, dtype=float)
        return np.asarray(self.felt(w, tolerance) * tolerance, dtype=float)

    def met(self, wait: ArrayLike, tolerance: float) -> NDArray[np.bool_]:
        """True where the wait is felt as no longer than the tolerance."""
        import numpy as np
        return np.asarray(self.felt(wait, tolerance) <= 1.0)

    def gap(self, wait: ArrayLike, tolerance: float) -> NDArray[np.float64]:
        """The experienced gap in tolerances: positive below the tolerance (at most 1), negative past it."""
        import numpy as np
        u = self.felt(wait, tolerance)
        if tolerance <= 0:
            return np.asarray(np.where(u <= 0, 0.0, -self.loss), dtype=float)
        return np.asarray(np.where(u <= 1.0, 1.0 - u, -self.loss * (u - 1.0)), dtype=float)

    def one(self, wait: float, tolerance: float) -> tuple[bool, float]:
        """Met, and the gap, of one wait: the engine's per-visit call (plain floats, no arrays)."""
        if wait <= 0:
            return True, (1.0 if tolerance > 0 else 0.0)
        if tolerance <= 0:
            return False, -self.loss
        ratio = wait / tolerance
        if ratio <= 0:  # too small a wait to tell from none
            return True, 1.0
        u = math.exp(min(math.log(self.scale) + self.exponent * math.log(ratio), LOG_CAP))
        if u <= 1.0:
            return True, 1.0 - u
        return False, -self.loss * (u - 1.0)


class SegmentExpectations(Model):
    """What one customer segment expects of the whole journey where it differs from everyone's."""

    total_time: Duration | None = Field(None, description="the journey's promised total time")
    no_transfer: bool | None = Field(None, description="the customer expects not to be transferred")
    first_contact: bool | None = Field(None, description="the customer expects it solved at first contact (no call-back)")


class Expectations(SegmentExpectations):
    """What customers expect of the whole journey (the blueprint's ``expectations``), with ``segments`` that differ.

    Each counted journey that ends is judged (``Results.experience(by="journey")``): its waits (the gaps of its
    visits to wait points), its time in the system against ``total_time`` (the perceived-wait model, as for a
    wait), each transfer when ``no_transfer`` and each call-back when ``first_contact`` (−``loss`` each: one
    tolerance past, weighed as a loss). A journey meets every expectation when each of them is met and the
    customer was served to the end (not given up, failed or blocked).

    >>> e = Expectations(total_time="10 min", no_transfer=True, segments={"business": {"total_time": "5 min"}})
    >>> e.for_segment("business").total_time.seconds, e.for_segment("consumer").total_time.seconds
    (300.0, 600.0)
    """

    segments: dict[str, SegmentExpectations] = Field(default_factory=dict, description="what a segment expects where "
                                                     "it differs, by segment name")

    def for_segment(self, name: str) -> SegmentExpectations:
        """The expectations of segment ``name``: its own where given, else everyone's."""
        own = self.segments.get(name)
        fields = ("total_time", "no_transfer", "first_contact")
        return SegmentExpectations(**{f: getattr(own, f) if own is not None and getattr(own, f) is not None
                                      else getattr(self, f) for f in fields})
