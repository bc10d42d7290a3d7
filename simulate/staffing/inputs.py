"""What the queueing formulas accept: numbers checked one way, and the service-level definitions.

Every formula of :mod:`simulate.staffing` checks its arguments through these functions,
so a bad argument gives the same message whichever formula it was passed to.

>>> as_whole(3.0, "agents"), as_real("2.5", "handle_time")
(3, 2.5)
>>> as_whole(2.5, "agents")
Traceback (most recent call last):
...
ValueError: agents must be a whole number ≥ 0, got 2.5
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

__all__ = ["DEFINITIONS", "Definition", "as_array", "as_definition", "as_real", "as_whole"]

Definition = Literal["offered", "served", "all"]

#: The denominators a service level can have, where some arrivals are not answered
#: (they abandon, or are blocked):
#:
#: - ``"offered"``: arrivals answered within t / all arrivals;
#: - ``"served"``: arrivals answered within t / arrivals answered;
#: - ``"all"``: arrivals whose time in the queue, until answered or until they leave
#:   (abandon or are blocked, a blocked arrival leaves at once), is at most t / all
#:   arrivals; for Erlang A this is P(min(V, patience) ≤ t).
#:
#: Where every arrival is answered (Erlang C) the three coincide.
DEFINITIONS: tuple[str, ...] = ("offered", "served", "all")


def as_whole(value: object, name: str, minimum: int = 0) -> int:
    """``value`` as an int if it is a whole number ≥ ``minimum``, else a ValueError naming ``name``.

    >>> as_whole(4, "agents", minimum=1)
    4
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")  # noqa: TRY004
    if isinstance(value, numbers.Integral):
        out = int(value)
    else:
        f = float(value)
        if not math.isfinite(f) or not f.is_integer():
            raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
        out = int(f)
    if out < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return out


def as_real(value: object, name: str, *, positive: bool = False, allow_inf: bool = False) -> float:
    """``value`` as a float ≥ 0 (> 0 if ``positive``), finite unless ``allow_inf``; else a ValueError.

    >>> as_real(float("inf"), "patience", positive=True, allow_inf=True)
    inf
    """
    try:
        f = float(value)  # type: ignore[arg-type]  # anything float() takes; the rest is refused below
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(f) or (math.isinf(f) and not allow_inf) or f < 0 or (positive and f == 0):
        need = "> 0" if positive else "≥ 0"
        fin = "" if allow_inf else " and finite"
        raise ValueError(f"{name} must be {need}{fin}, got {value!r}")
    return f


def as_array(value: ArrayLike, name: str, *, positive: bool = False, allow_inf: bool = False) -> NDArray[np.float64]:
    """``value`` as a float array with every entry checked as in :func:`as_real`.

    >>> as_array([0.0, 1.5], "arrival_rate")
    array([0. , 1.5])
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    bad = np.isnan(arr) | (arr < 0) | (~np.isfinite(arr) & (not allow_inf))
    if positive:
        bad |= arr == 0
    if bad.any():
        need = "> 0" if positive else "≥ 0"
        fin = "" if allow_inf else " and finite"
        first = arr[bad].flat[0]
        raise ValueError(f"{name} must be {need}{fin} everywhere, got {first!r}")
    return arr


def as_definition(definition: str) -> Definition:
    """``definition`` if it names one of :data:`DEFINITIONS`, else a ValueError listing them.

    >>> as_definition("served")
    'served'
    """
    if definition not in DEFINITIONS:
        raise ValueError(f"unknown service-level definition {definition!r}; use one of {', '.join(DEFINITIONS)}")
    return definition  # type: ignore[return-value]  # checked against DEFINITIONS just above
