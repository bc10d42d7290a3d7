"""Probability distributions for durations and patience.

Every distribution keeps its parameters in the unit the designer wrote and
samples **seconds** from a :class:`numpy.random.Generator`. Designers write
them as text; the same text comes back when the blueprint is saved.

=================  ===========================================  =================================
form               example                                      meaning
=================  ===========================================  =================================
deterministic      ``4 min`` or ``fixed(4 min)``                always 4 minutes
exponential        ``exp(4 min)``                               mean 4 minutes
uniform            ``uniform(1, 3) min``                        between 1 and 3 minutes
triangular         ``triangular(1, 2, 4) min``                  low, mode, high
normal             ``normal(mean=5, sd=1) min``                 truncated at zero (resampled)
lognormal          ``lognormal(mean=5, sd=2) min``              by mean and standard deviation
gamma              ``gamma(shape=2, scale=1.5) min``            mean = shape × scale
weibull            ``weibull(shape=1.5, scale=4) min``          scale in time, shape plain
empirical          ``empirical(1, 2, 2.5, 4) min``              resample the observed values
histogram          ``{dist: empirical, edges: [0, 1, 3],        bins by weight, uniform within
                   counts: [5, 2], unit: min}``
=================  ===========================================  =================================

The mapping form ``{dist: lognormal, mean: 5 min, sd: 2 min}`` is accepted
for all of them. A trailing unit applies to every time parameter; shape
parameters have none.

>>> import numpy as np
>>> d = parse_distribution("exp(4 min)")
>>> d.mean
240.0
>>> str(d)
'exp(4 min)'
>>> float(parse_distribution("30 s").sample(np.random.default_rng(1)))
30.0
"""

from __future__ import annotations

import math
import re
import sys
from typing import TYPE_CHECKING, Any, ClassVar, overload

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from .units import UNIT_PATTERN, UNITS, any_case, format_number, parse_unit, within_duration_limit

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "Distribution",
    "Deterministic",
    "Exponential",
    "Uniform",
    "Triangular",
    "Normal",
    "Lognormal",
    "Gamma",
    "Weibull",
    "Empirical",
    "parse_distribution",
    "distribution_json_schema",
]


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (OverflowError, ValueError, TypeError):
        return False


def _numpy_types(*names: str) -> tuple[type, ...]:
    """numpy's types of these names (``"integer"``, ``"ndarray"``), or none while numpy is not loaded:
    a value of a numpy type means numpy is loaded, so ``import blueprint`` need not load it."""
    numpy = sys.modules.get("numpy")
    return tuple(getattr(numpy, name) for name in names) if numpy is not None else ()


def _is_number(value: object) -> bool:
    """An int or float, numpy's included, but not a bool."""
    return not isinstance(value, bool) and isinstance(value, (int, float, *_numpy_types("integer", "floating")))


def _is_list(value: object) -> bool:
    """A list, tuple or numpy array."""
    return isinstance(value, (list, tuple, *_numpy_types("ndarray")))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


class Distribution:
    """Base class: parameters in ``unit``, samples in seconds.

    Subclasses name their parameters in ``params`` (time-valued ones) and
    ``shape_params`` (plain numbers), check them in ``_check`` and draw in
    ``_draw`` (in the distribution's own unit).
    """

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    params: ClassVar[tuple[str, ...]] = ()
    shape_params: ClassVar[tuple[str, ...]] = ()
    unit: str

    def __init__(self, *args: float, unit: str = "s", **kwargs: float) -> None:
        order = self._order()
        if len(args) > len(order):
            raise ValueError(f"{self.name}: takes {len(order)} parameter{'s' if len(order) > 1 else ''} ({', '.join(order)}), got {len(args)}")
        values: dict[str, float] = dict(zip(order, args))
        for key, val in kwargs.items():
            if key not in order:
                raise ValueError(f"{self.name}: unknown parameter {key!r}; expected {', '.join(order)}")
            if key in values:
                raise ValueError(f"{self.name}: parameter {key!r} given twice")
            values[key] = val
        missing = [p for p in order if p not in values]
        if missing:
            raise ValueError(f"{self.name}: missing {', '.join(missing)}; expected {self._signature()}")
        for key, val in values.items():
            if not _is_number(val):
                raise ValueError(f"{self.name}: {key} must be a number, got {val!r}")
            if not _finite(val):
                raise ValueError(f"{self.name}: {key} must be a finite number, got {_short(val)}")
        self.parameters: dict[str, float] = {p: float(values[p]) for p in order}
        self.unit = parse_unit(unit)
        for p in self.params:  # the parameters in time units
            within_duration_limit(abs(self.parameters[p]) * UNITS[self.unit], f"{self.name}: {p} {format_number(self.parameters[p])} {self.unit}")
        self._check()
        self._check_moments()

    def _check_moments(self) -> None:
        """The mean and spread exist as numbers and stay under the duration ceiling (a Weibull of shape
        0.001 has a mean of 10^2567 of its unit; a lognormal with an sd 10^300 times its mean overflows)."""
        try:
            mean, std = self.mean, self.std
        except (OverflowError, ZeroDivisionError, ValueError):
            mean = std = math.inf
        if not (math.isfinite(mean) and math.isfinite(std)):
            raise ValueError(f"{self.name}: its mean or spread is too large to compute with these parameters "
                             f"({', '.join(f'{k}={format_number(v)}' for k, v in self.parameters.items())}); "
                             "a time this long is not a step of a service")
        within_duration_limit(mean, f"{self.name}: a mean of {mean:.3g} s")
        within_duration_limit(std, f"{self.name}: a standard deviation of {std:.3g} s")

    def __getattr__(self, name: str) -> float:
        params = self.__dict__.get("parameters")
        if params is not None and name in params:
            return params[name]
        raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r}")

    # -- description -------------------------------------------------------
    @classmethod
    def _order(cls) -> tuple[str, ...]:
        return cls.shape_params + cls.params

    @classmethod
    def _signature(cls) -> str:
        return f"{cls.name}({', '.join(cls._order())})"

    def _values(self) -> dict[str, float]:
        return dict(self.parameters)

    def _check(self) -> None:
        for p in self.params:
            if self.parameters[p] < 0:
                raise ValueError(f"{self.name}: {p} must be ≥ 0, got {format_number(self.parameters[p])}")

    def __str__(self) -> str:
        if self.shape_params or len(self.params) > 1 and self.name in ("normal", "lognormal"):
            inner = ", ".join(f"{k}={format_number(v)}" for k, v in self._values().items())
        else:
            inner = ", ".join(format_number(v) for v in self._values().values())
        return f"{self.name}({inner}) {self.unit}"

    def __repr__(self) -> str:
        return f"parse_distribution({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def to_data(self) -> str | dict[str, Any]:
        """The form written to files: text, or a mapping where text cannot hold it."""
        return str(self)

    # -- numbers -----------------------------------------------------------
    @property
    def scale_seconds(self) -> float:
        """Seconds per unit of this distribution's parameters."""
        return UNITS[self.unit]

    @property
    def mean(self) -> float:
        """Mean in seconds."""
        return self._mean() * self.scale_seconds

    @property
    def std(self) -> float:
        """Standard deviation in seconds."""
        return math.sqrt(self._var()) * self.scale_seconds

    def _mean(self) -> float:
        raise NotImplementedError

    def _var(self) -> float:
        raise NotImplementedError

    @overload
    def sample(self, rng: np.random.Generator, size: None = None) -> float: ...

    @overload
    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray: ...

    def sample(self, rng: np.random.Generator, size: int | None = None) -> float | np.ndarray:
        """Draw ``size`` values (or one float) in seconds."""
        import numpy as np

        n = 1 if size is None else size
        out = np.asarray(self._draw(rng, n), dtype=float) * self.scale_seconds
        return float(out[0]) if size is None else out

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        raise NotImplementedError

    # -- pydantic ----------------------------------------------------------
    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def validate(value: Any) -> Distribution:
            d = value if isinstance(value, Distribution) else parse_distribution(value)
            if cls is not Distribution and not isinstance(d, cls):
                raise ValueError(f"expected a {cls.name} distribution, got {d}")
            return d

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda d: d.to_data(), when_used="always"),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        return distribution_json_schema()


class Deterministic(Distribution):
    """Always the same value: ``4 min``."""

    name = "deterministic"
    aliases = ("fixed", "constant", "det")
    params = ("value",)

    def __str__(self) -> str:
        return f"{format_number(self.value)} {self.unit}"

    def _mean(self) -> float:
        return self.value

    def _var(self) -> float:
        return 0.0

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        import numpy as np

        return np.full(n, self.value)


class Exponential(Distribution):
    """Exponential with the given mean: ``exp(4 min)``."""

    name = "exponential"
    aliases = ("exp", "expon")
    params = ("mean",)

    def _check(self) -> None:
        if self.mean_value <= 0:
            raise ValueError(f"exponential: mean must be > 0, got {format_number(self.mean_value)}")

    @property
    def mean_value(self) -> float:
        """The mean in the distribution's own unit."""
        return self.parameters["mean"]

    def __str__(self) -> str:
        return f"exp({format_number(self.mean_value)} {self.unit})"

    def _mean(self) -> float:
        return self.mean_value

    def _var(self) -> float:
        return self.mean_value**2

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_value, n)


class Uniform(Distribution):
    """Uniform between ``low`` and ``high``: ``uniform(1, 3) min``."""

    name = "uniform"
    params = ("low", "high")

    def _check(self) -> None:
        super()._check()
        if not self.low < self.high:
            raise ValueError(f"uniform: needs low < high, got low={format_number(self.low)}, high={format_number(self.high)}")

    def _mean(self) -> float:
        return (self.low + self.high) / 2

    def _var(self) -> float:
        return (self.high - self.low) ** 2 / 12

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)


class Triangular(Distribution):
    """Triangular with ``low ≤ mode ≤ high``: ``triangular(1, 2, 4) min``."""

    name = "triangular"
    aliases = ("tri",)
    params = ("low", "mode", "high")

    def _check(self) -> None:
        super()._check()
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                "triangular: needs low ≤ mode ≤ high with low < high, got "
                f"({format_number(self.low)}, {format_number(self.mode)}, {format_number(self.high)})"
            )

    def _mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def _var(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)


def _phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _Phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


class Normal(Distribution):
    """Normal truncated at zero: ``normal(mean=5, sd=1) min``.

    ``mean`` and ``sd`` are those of the normal before truncation; negative
    draws are redrawn, so ``.mean`` (the truncated mean) is slightly larger.
    """

    name = "normal"
    aliases = ("norm", "gauss")
    params = ("mean", "sd")

    def _check(self) -> None:
        m, s = self.parameters["mean"], self.sd
        if m <= 0:
            raise ValueError(f"normal: mean must be > 0 (it is truncated at zero), got {format_number(m)}")
        if s <= 0:
            raise ValueError(f"normal: sd must be > 0, got {format_number(s)}")

    def _alpha(self) -> float:
        return -self.parameters["mean"] / self.sd

    def _mean(self) -> float:
        a = self._alpha()
        return self.parameters["mean"] + self.sd * _phi(a) / (1 - _Phi(a))

    def _var(self) -> float:
        a = self._alpha()
        lam = _phi(a) / (1 - _Phi(a))
        return self.sd**2 * (1 + a * lam - lam * lam)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        m = self.parameters["mean"]
        out = rng.normal(m, self.sd, n)
        bad = out < 0
        while bad.any():  # acceptance ≥ 1/2 because mean > 0
            out[bad] = rng.normal(m, self.sd, int(bad.sum()))
            bad = out < 0
        return out


class Lognormal(Distribution):
    """Lognormal by its mean and standard deviation: ``lognormal(mean=5, sd=2) min``."""

    name = "lognormal"
    aliases = ("lognorm",)
    params = ("mean", "sd")

    def _check(self) -> None:
        if self.parameters["mean"] <= 0:
            raise ValueError(f"lognormal: mean must be > 0, got {format_number(self.parameters['mean'])}")
        if self.sd <= 0:
            raise ValueError(f"lognormal: sd must be > 0, got {format_number(self.sd)}")

    def _log_params(self) -> tuple[float, float]:
        m, s = self.parameters["mean"], self.sd
        sigma2 = math.log1p((s / m) ** 2)
        return math.log(m) - sigma2 / 2, math.sqrt(sigma2)

    def _mean(self) -> float:
        self._log_params()  # the draws' parameters exist (an sd 10^160 times the mean overflows them)
        return self.parameters["mean"]

    def _var(self) -> float:
        return self.sd**2

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mu, sigma = self._log_params()
        return rng.lognormal(mu, sigma, n)


class Gamma(Distribution):
    """Gamma with ``shape`` (plain) and ``scale`` (time): ``gamma(shape=2, scale=1.5) min``."""

    name = "gamma"
    shape_params = ("shape",)
    params = ("scale",)

    def _check(self) -> None:
        if self.shape <= 0 or self.scale <= 0:
            raise ValueError(
                f"gamma: shape and scale must be > 0, got shape={format_number(self.shape)}, scale={format_number(self.scale)}"
            )

    def _mean(self) -> float:
        return self.shape * self.scale

    def _var(self) -> float:
        return self.shape * self.scale**2

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.gamma(self.shape, self.scale, n)


class Weibull(Distribution):
    """Weibull with ``shape`` (plain) and ``scale`` (time): ``weibull(shape=1.5, scale=4) min``."""

    name = "weibull"
    shape_params = ("shape",)
    params = ("scale",)

    def _check(self) -> None:
        if self.shape <= 0 or self.scale <= 0:
            raise ValueError(
                f"weibull: shape and scale must be > 0, got shape={format_number(self.shape)}, scale={format_number(self.scale)}"
            )

    def _mean(self) -> float:
        return self.scale * math.gamma(1 + 1 / self.shape)

    def _var(self) -> float:
        g1 = math.gamma(1 + 1 / self.shape)
        g2 = math.gamma(1 + 2 / self.shape)
        return self.scale**2 * (g2 - g1 * g1)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.scale * rng.weibull(self.shape, n)


class Empirical(Distribution):
    """Observed values, resampled; or a histogram of ``edges`` and ``counts``.

    >>> Empirical(samples=[1, 2, 3], unit="min").mean
    120.0
    >>> Empirical(edges=[0, 1, 3], counts=[1, 1], unit="min").mean
    75.0
    """

    name = "empirical"
    aliases = ("emp", "observed")

    def __init__(
        self,
        samples: list[float] | None = None,
        *,
        edges: list[float] | None = None,
        counts: list[float] | None = None,
        unit: str = "s",
    ) -> None:
        self.unit = parse_unit(unit)
        self.samples: tuple[float, ...] | None = None
        self.edges: tuple[float, ...] | None = None
        self.counts: tuple[float, ...] | None = None
        if samples is not None:
            if edges is not None or counts is not None:
                raise ValueError("empirical: give either samples or edges and counts, not both")
            self.samples = self._numbers("samples", samples)
            if not self.samples:
                raise ValueError("empirical: samples must not be empty")
            if min(self.samples) < 0:
                raise ValueError("empirical: samples must be ≥ 0")
        elif edges is not None and counts is not None:
            self.edges = self._numbers("edges", edges)
            self.counts = self._numbers("counts", counts)
            if len(self.edges) != len(self.counts) + 1:
                raise ValueError(
                    f"empirical: needs one more edge than counts, got {len(self.edges)} edges and {len(self.counts)} counts"
                )
            if len(self.counts) == 0:
                raise ValueError("empirical: a histogram needs at least one bin")
            if any(b <= a for a, b in zip(self.edges, self.edges[1:])) or self.edges[0] < 0:
                raise ValueError("empirical: edges must be ≥ 0 and strictly increasing")
            if any(c < 0 for c in self.counts) or sum(self.counts) <= 0:
                raise ValueError("empirical: counts must be ≥ 0 with a positive total")
        else:
            raise ValueError("empirical: give samples, or edges and counts")
        longest = max(self.samples or self.edges or (0.0,))  # the mean and spread are no more than it
        within_duration_limit(longest * UNITS[self.unit], f"empirical: a value of {format_number(longest)} {self.unit}")

    @staticmethod
    def _numbers(key: str, values: Any) -> tuple[float, ...]:
        if not _is_list(values):
            raise ValueError(f"empirical: {key} must be a list of numbers")
        out = []
        for v in values:
            if not _is_number(v) or not _finite(v):
                raise ValueError(f"empirical: {key} must be finite numbers, got {_short(v)}")
            out.append(float(v))
        return tuple(out)

    def __str__(self) -> str:
        if self.samples is not None:
            return f"empirical({', '.join(format_number(v) for v in self.samples)}) {self.unit}"
        return (
            f"empirical(edges=[{', '.join(format_number(v) for v in self.edges or ())}], "
            f"counts=[{', '.join(format_number(v) for v in self.counts or ())}]) {self.unit}"
        )

    def to_data(self) -> str | dict[str, Any]:
        if self.samples is not None:
            return str(self)
        return {"dist": "empirical", "edges": list(self.edges or ()), "counts": list(self.counts or ()), "unit": self.unit}

    def _weights(self) -> np.ndarray:
        import numpy as np

        c = np.asarray(self.counts, dtype=float)
        return c / c.sum()

    def _mean(self) -> float:
        import numpy as np

        if self.samples is not None:
            return float(np.mean(self.samples))
        e = np.asarray(self.edges)
        return float(np.sum(self._weights() * (e[:-1] + e[1:]) / 2))

    def _var(self) -> float:
        import numpy as np

        if self.samples is not None:
            return float(np.var(self.samples))
        e = np.asarray(self.edges)
        lo, hi = e[:-1], e[1:]
        second = np.sum(self._weights() * (lo * lo + lo * hi + hi * hi) / 3)
        return float(second - self._mean() ** 2)

    def _draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        import numpy as np

        if self.samples is not None:
            return rng.choice(np.asarray(self.samples), n)
        e = np.asarray(self.edges)
        idx = rng.choice(len(self.counts or ()), n, p=self._weights())
        return rng.uniform(e[idx], e[idx + 1])


_CLASSES: tuple[type[Distribution], ...] = (
    Deterministic, Exponential, Uniform, Triangular, Normal, Lognormal, Gamma, Weibull, Empirical,
)
_REGISTRY: dict[str, type[Distribution]] = {}
for _cls in _CLASSES:
    for _name in (_cls.name, *_cls.aliases):
        _REGISTRY[_name] = _cls



def distribution_json_schema() -> dict[str, Any]:
    """The JSON Schema of a distribution as files write it: text (``'4 min'``, ``'exp(4 min)'``) whose
    name and unit are known, or a mapping with a known ``dist``.

    >>> import re
    >>> text = distribution_json_schema()["anyOf"][0]["pattern"]
    >>> [bool(re.search(text, t)) for t in ("exp(4 min)", "4 min", "4", "expo(4 min)", "Lognormal(mean=5, sd=2) min")]
    [True, True, False, False, True]
    """
    names = "(" + "|".join(any_case(n) for n in sorted(_REGISTRY, key=lambda n: (-len(n), n))) + ")"
    number = r"\+?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?"
    return {
        "description": (
            "a distribution of time: '4 min', 'exp(4 min)', 'triangular(1, 2, 4) min', "
            "'lognormal(mean=5, sd=2) min', or a mapping {dist: ..., <parameters>, unit: ...}; "
            f"distributions: {', '.join(c.name for c in _CLASSES)}"
        ),
        "anyOf": [
            {
                "type": "string",
                "pattern": rf"^\s*({number}\s*{UNIT_PATTERN}|{names}\s*\([\s\S]*\)\s*({UNIT_PATTERN})?)\s*$",
            },
            {
                "type": "object",
                "required": ["dist"],
                "properties": {
                    "dist": {"type": "string", "pattern": rf"^\s*{names}\s*$"},
                    "unit": {"type": "string", "pattern": rf"^\s*{UNIT_PATTERN}\s*$"},
                },
            },
        ],
    }


_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_CALL_RE = re.compile(r"^\s*([A-Za-z_]+)\s*\((.*)\)\s*([A-Za-z]+)?\s*$", re.S)
_ARG_RE = re.compile(rf"^\s*(?:([A-Za-z_]+)\s*=\s*)?(\[.*\]|{_NUM})\s*([A-Za-z]+)?\s*$", re.S)
_QTY_RE = re.compile(rf"^\s*({_NUM})\s*([A-Za-z]+)?\s*$")


def _split_args(text: str) -> list[str]:
    """Split on commas that are not inside brackets."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        parts.append("".join(cur))
    return parts


def _lookup(name: str) -> type[Distribution]:
    key = name.strip().lower()
    if key not in _REGISTRY:
        known = ", ".join(c.name for c in _CLASSES)
        raise ValueError(f"unknown distribution {name!r}; known: {known}")
    return _REGISTRY[key]


def _resolve_unit(cls_name: str, units: set[str], trailing: str | None) -> str:
    found = {parse_unit(u) for u in units}
    if trailing:
        found.add(parse_unit(trailing))
    if len(found) > 1:
        raise ValueError(f"{cls_name}: use one time unit for all parameters, got {', '.join(sorted(found))}")
    if not found:
        raise ValueError(f"{cls_name}: no time unit; add one, e.g. '{cls_name}(...) min'")
    return found.pop()


def _from_text(text: str) -> Distribution:
    m = _QTY_RE.match(text)
    if m:
        number, unit = m.groups()
        if unit is None:
            raise ValueError(f"{text.strip()!r} has no unit; write e.g. '{text.strip()} min'")
        return Deterministic(float(number), unit=unit)
    m = _CALL_RE.match(text)
    if not m:
        raise ValueError(
            f"cannot read {text!r} as a distribution; expected e.g. '4 min', 'exp(4 min)' or 'triangular(1, 2, 4) min'"
        )
    name, inner, trailing = m.groups()
    cls = _lookup(name)
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    units: set[str] = set()
    for raw in _split_args(inner):
        am = _ARG_RE.match(raw)
        if not am:
            raise ValueError(f"{cls.name}: cannot read parameter {raw.strip()!r}")
        key, val, unit = am.groups()
        if val.startswith("["):
            items = [s for s in val[1:-1].split(",") if s.strip()]
            try:
                value: Any = [float(s) for s in items]
            except ValueError:
                raise ValueError(f"{cls.name}: {val} is not a list of numbers") from None
        else:
            value = float(val)
        if key and key in cls.shape_params or (not key and len(positional) < len(cls.shape_params)):
            if unit:
                raise ValueError(f"{cls.name}: {key or cls.shape_params[len(positional)]} is a plain number, not a time")
        elif unit:
            units.add(unit)
        if key:
            keywords[key] = value
        else:
            if keywords:
                raise ValueError(f"{cls.name}: positional parameter after a named one")
            positional.append(value)
    unit = _resolve_unit(cls.name, units, trailing)
    allowed = ("edges", "counts") if cls is Empirical else cls._order()
    for key in keywords:
        if key not in allowed:
            raise ValueError(f"{cls.name}: unknown parameter {key!r}; expected {', '.join(allowed)}")
    if cls is Empirical:
        if keywords and positional:
            raise ValueError("empirical: give the samples, or edges=[...] and counts=[...]")
        if positional:
            return Empirical(samples=positional, unit=unit)
        return Empirical(**keywords, unit=unit)
    return cls(*positional, unit=unit, **keywords)


def _from_mapping(data: dict[str, Any]) -> Distribution:
    if "dist" not in data:
        raise ValueError(f"a distribution mapping needs 'dist' (one of {', '.join(c.name for c in _CLASSES)})")
    cls = _lookup(str(data["dist"]))
    units: set[str] = set()
    trailing = data.get("unit")
    values: dict[str, Any] = {}
    allowed = ("samples", "edges", "counts") if cls is Empirical else cls._order()
    if trailing is not None and not isinstance(trailing, str):
        raise ValueError(f"{cls.name}: unit must be text such as 'min', got {_short(trailing)}")
    for key, raw in data.items():
        if key in ("dist", "unit"):
            continue
        if key not in allowed:
            raise ValueError(f"{cls.name}: unknown parameter {_short(key)}; expected {', '.join(allowed)}")
        if isinstance(raw, str):
            m = _QTY_RE.match(raw)
            if not m:
                raise ValueError(f"{cls.name}: cannot read {key}={raw!r}; expected a number, e.g. '5 min'")
            num, u = m.groups()
            if u:
                if key in cls.shape_params:
                    raise ValueError(f"{cls.name}: {key} is a plain number, not a time")
                units.add(u)
            values[key] = float(num)
        else:
            values[key] = raw
    unit = _resolve_unit(cls.name, units, trailing)
    if cls is Empirical:
        return Empirical(**values, unit=unit)
    return cls(unit=unit, **values)


def parse_distribution(value: Any) -> Distribution:
    """Read a distribution from text or a mapping (see the module docstring).

    >>> str(parse_distribution({"dist": "lognormal", "mean": "5 min", "sd": "2 min"}))
    'lognormal(mean=5, sd=2) min'
    >>> parse_distribution("uniform(3, 1) min")
    Traceback (most recent call last):
    ...
    ValueError: uniform: needs low < high, got low=3, high=1
    """
    if isinstance(value, Distribution):
        return value
    if isinstance(value, str):
        return _from_text(value)
    if isinstance(value, dict):
        return _from_mapping(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(
            f"{format_number(value)} has no unit; write e.g. '{format_number(value)} min' or 'exp({format_number(value)} min)'"
        )
    raise ValueError(f"expected a distribution such as 'exp(4 min)', got {value!r}")
