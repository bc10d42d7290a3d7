"""Hypothesis strategies for service blueprints, shared by the property tests.

The main entry points:

* :func:`blueprint_data` - the plain data (YAML/JSON form) of a random
  blueprint that is *valid by construction*: ``Blueprint.model_validate(data)``
  succeeds and ``.validate().errors == []``.
* :func:`valid_blueprints` - that data read with ``Blueprint.model_validate``.
* :func:`built_blueprints` - the same data turned into calls of the Python
  builder API (``bp.customer(...)``, ``a >> b``, ``bp.split``, ``bp.role``,
  ``bp.arrive``); yields ``(data, blueprint)``.
* :func:`mutated_blueprint_data` - valid data broken by a few random edits
  (may no longer be accepted by the model at all).
* :func:`garbage_data` / :func:`blueprint_shaped_garbage` - random JSON-like
  values, the latter built from the blueprint's own vocabulary.
* :func:`distribution_data` / :func:`distributions` - every distribution form.

Sizes are kept small (2-8 steps, at most 3 roles and 12 profile intervals)
so that simulation tests can reuse the blueprints; ``blueprint_data(small=True)``
also keeps durations short. Use them from a test module as::

    import strategies as bst          # tests/ is on sys.path under pytest

    @given(bst.valid_blueprints(max_steps=5, small=True))
    def test_something(bp): ...

Text is deliberately awkward (YAML words, number-like text such as ``1e3``,
``12:00``, quotes, ``#``, newlines and the other line breaks U+0085, U+2028,
U+2029, control characters, 等待客服).

Composite helpers that take hypothesis' ``draw`` (``pick``, ``staffing_value``,
``arrivals_dict``...) are exported for building other strategies.
"""

from __future__ import annotations

import copy
import functools
import math
from typing import Any

from hypothesis import strategies as st

from blueprint import (
    ACTION_LANES,
    Blueprint,
    Rate,
    Staffing,
    StepRef,
    Target,
    parse_distribution,
)
from blueprint.base import slugify

__all__ = [
    # text and ids
    "AWKWARD_TEXT", "NUMBER_LIKE_TEXT", "awkward_text", "role_names", "slugs",
    # numbers, distributions, probabilities
    "UNITS", "positive_numbers", "non_negative_numbers", "distribution_data", "distributions", "probability_sets",
    # parts
    "profile_data", "staffing_data",
    # whole blueprints
    "blueprint_data", "valid_blueprints", "built_blueprints", "build_with_builder",
    # broken things
    "MUTATIONS", "mutated_blueprint_data", "garbage_data", "blueprint_shaped_garbage", "yamlish_text",
    # helpers for composites of your own: they take hypothesis' ``draw``
    "pick", "chance", "some", "number_text", "duration_text", "probability_list", "shift_dict", "staffing_value",
    "target_dict", "rate_text", "arrival_times", "segment_list", "arrivals_dict", "journey_edges",
]

# -- text ------------------------------------------------------------------------------

#: Text that YAML (1.1 or 1.2) would read as something else, or that needs quoting.
AWKWARD_TEXT: tuple[str, ...] = (
    "yes", "no", "on", "off", "Yes", "NO", "On", "y", "n", "true", "false", "True", "FALSE",
    "null", "Null", "~", "", "12:00", "08:30", "1:30:00", "24:00", "0x1F", "0o17", "0b101", "1_000",
    "007", "09", "1e3", "1.5e3", "+1e5", "-.5e-3", ".5", "1.", "NaN", ".nan", ".inf", "-.inf", "-0",
    "+12", "2001-12-14", "2001-12-14 21:59:43.10 -5", "=", "<<", "-", "- item", "--- doc", "...",
    "a: b", "key: value # not a comment", "#comment", "ends with #", "'quoted'", '"double"', "it's",
    "[list]", "{map}", "&anchor", "*alias", "!tag", "!!str x", "%directive", "@at", "`tick`", "|",
    ">", "? key", ",", "a, b", "a -> b", "->", "line1\nline2", "trailing newline\n", "\nleading newline",
    "two\n\nblank lines", "tab\there", "\ttab first", "back\\slash", "carriage\rreturn",
    "等待客服", "客服：你好", "请稍候…", "ümlaut café", "emoji 😀", "Ωμέγα", "مرحبا",
    "\u00a0nbsp", "zero\u200bwidth", "line\u2028separator", "para\u2029separator", "next\x85line", "\ufeffbom",
    "nul\x00byte", "bell\x07", "del\x7f", "c1\x8ccontrol", "non\ufffechar", " padded ", "  ", "end space ", " start space",
    "very " * 30 + "long",
)

#: Strings that look like a YAML 1.2 number but not a YAML 1.1 one.
NUMBER_LIKE_TEXT: tuple[str, ...] = ("1e3", "1.5e3", "+1e5", "0o17", "2E10", "-3e-2")


@functools.cache
def awkward_text(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    """Labels and descriptions a designer might write, and a few nobody should."""
    pool = [t for t in AWKWARD_TEXT + NUMBER_LIKE_TEXT if len(t) >= min_size]
    return st.one_of(
        st.sampled_from(pool),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=max(min_size, 1), max_size=max_size),
        st.text(alphabet="ab 等待客服:#'\"\n-?,[]{}&*!|>%@`", min_size=max(min_size, 1), max_size=max_size),
        st.builds(lambda a, b: a + " " + b, st.sampled_from(pool), st.sampled_from(pool)),
    )


@functools.cache
def role_names() -> st.SearchStrategy[str]:
    """Role names: any text that is not blank, up to the longest name the model takes."""
    from blueprint.base import NAME_CHARS

    return awkward_text(1, 20).filter(lambda t: t.strip() != "" and len(t) <= NAME_CHARS)


_SLUG_FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_等待客服éß"
_SLUG_REST = _SLUG_FIRST + "0123456789-_"

#: Ids that are fine slugs but YAML words or look like other things.
_AWKWARD_SLUGS = ("yes", "no", "on", "off", "true", "null", "Null", "y", "n", "e1", "inf", "nan", "_", "a-", "x--y", "等待客服")


@functools.cache
def slugs() -> st.SearchStrategy[str]:
    """Ids that pass the library's slug check."""
    return st.one_of(
        st.sampled_from(_AWKWARD_SLUGS),
        st.builds(lambda a, b: a + b, st.sampled_from(_SLUG_FIRST), st.text(alphabet=_SLUG_REST, max_size=12)),
    )


# -- drawing helpers -------------------------------------------------------------------
# Strategies built once (hypothesis validates every new strategy object on its first
# draw, which dominated the run time when composites built them afresh).

_BOOL = st.booleans()


def pick(draw: Any, seq: Any) -> Any:
    """One item of ``seq`` (shrinks towards the first)."""
    seq = tuple(seq)
    return seq[draw(st.integers(0, len(seq) - 1))]


def chance(draw: Any, one_in: int) -> bool:
    """True about once in ``one_in`` draws."""
    return draw(st.integers(0, one_in - 1)) == 0


def some(draw: Any, strategy: st.SearchStrategy[Any], lo: int, hi: int) -> list[Any]:
    """Between ``lo`` and ``hi`` values of ``strategy``."""
    return [draw(strategy) for _ in range(draw(st.integers(lo, hi)))]


def shuffled(draw: Any, seq: Any) -> list[Any]:
    return draw(st.permutations(list(seq)))


# -- numbers ---------------------------------------------------------------------------

UNITS = ("s", "min", "h")
_UNIT_SPELLINGS = {"s": ("s", "s", "sec", "seconds"), "min": ("min", "min", "minutes", "m"), "h": ("h", "h", "hours", "hr")}

_ODD_FLOATS = (0.1 + 0.2, 0.1, 0.7, 1 / 3, 2 / 3, 2.5, 1e-7, 123456.789, 0.30000000000000004, 99.99, 3.14159, 1e-3)


@functools.cache
def positive_numbers(low: float = 1e-3, high: float = 1e4) -> st.SearchStrategy[float]:
    """Finite numbers > 0, round and not (``0.1 + 0.2`` included)."""
    return st.one_of(
        st.integers(max(1, math.ceil(low)), max(1, int(high))).map(float),
        st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False),
        st.sampled_from([x for x in _ODD_FLOATS if low <= x <= high] or [low]),
    )


@functools.cache
def non_negative_numbers(high: float = 1e4) -> st.SearchStrategy[float]:
    return st.one_of(st.just(0.0), positive_numbers(1e-3, high))


def number_text(draw: Any, value: float) -> str:
    """Some way of writing ``value`` that reads back as exactly ``value``."""
    if float(value).is_integer() and abs(value) < 1e15:
        return pick(draw, (str(int(value)), repr(float(value)), f"{int(value)}."))
    return repr(float(value))


def unit_text(draw: Any, unit: str) -> str:
    return pick(draw, _UNIT_SPELLINGS[unit])


def duration_text(draw: Any, high: float = 600.0) -> str:
    """A duration such as ``4 min`` or ``0.30000000000000004 s``."""
    v = draw(non_negative_numbers(high))
    return f"{number_text(draw, v)} {unit_text(draw, pick(draw, UNITS))}"


# -- distributions ---------------------------------------------------------------------

_DIST_KINDS = ("det", "exp", "uniform", "triangular", "normal", "lognormal", "gamma", "weibull", "empirical", "histogram")


def _distribution_data(draw: Any, small: bool) -> Any:
    u = pick(draw, UNITS)
    nonneg = non_negative_numbers(100.0 if small else 8e3)  # 8,000 h: under the 366-day ceiling
    pos = positive_numbers(1e-3, 100.0 if small else 8e3)

    def num(v: float) -> str:
        return number_text(draw, v)

    def uu() -> str:
        return unit_text(draw, u)

    kind = pick(draw, _DIST_KINDS)
    mapping = kind != "histogram" and draw(_BOOL)
    form = draw(st.integers(0, 2))
    if kind == "det":
        v = draw(nonneg)
        if mapping:
            return {"dist": pick(draw, ("deterministic", "fixed", "constant")), "value": f"{num(v)} {uu()}"}
        return (f"{num(v)} {uu()}", f"fixed({num(v)} {uu()})", f"constant({num(v)}) {uu()}")[form]
    if kind == "exp":
        m = draw(pos)
        if mapping:
            return {"dist": pick(draw, ("exp", "exponential", "expon")), "mean": num(m), "unit": uu()}
        return (f"exp({num(m)} {uu()})", f"exponential({num(m)}) {uu()}", f"exp(mean={num(m)}) {uu()}")[form]
    if kind == "uniform":
        a, b = sorted((draw(nonneg), draw(nonneg)))
        if a == b:
            b = a + 1.0
        if mapping:
            return {"dist": "uniform", "low": f"{num(a)} {u}", "high": f"{num(b)} {u}"}
        return (f"uniform({num(a)}, {num(b)}) {uu()}", f"uniform(low={num(a)} {u}, high={num(b)} {u})")[form % 2]
    if kind == "triangular":
        a, c, b = sorted((draw(nonneg), draw(nonneg), draw(nonneg)))
        if a == b:
            b = a + 1.0
        if mapping:
            return {"dist": "triangular", "low": num(a), "mode": num(c), "high": num(b), "unit": uu()}
        name = pick(draw, ("triangular", "tri"))
        return (f"{name}({num(a)}, {num(c)}, {num(b)}) {uu()}", f"{name}(low={num(a)}, mode={num(c)}, high={num(b)}) {uu()}")[form % 2]
    if kind in ("normal", "lognormal"):  # half the range: cut at zero, a normal's mean grows by up to 0.8 sd
        half = positive_numbers(1e-3, 50.0 if small else 4e3)
        m, sd = draw(half), draw(half)
        if mapping:
            return {"dist": kind, "mean": f"{num(m)} {u}", "sd": f"{num(sd)} {u}"}
        return (f"{kind}(mean={num(m)}, sd={num(sd)}) {uu()}", f"{kind}({num(m)}, {num(sd)}) {uu()}")[form % 2]
    if kind in ("gamma", "weibull"):
        k = draw(positive_numbers(0.2, 20.0))
        if kind == "gamma":  # mean k·scale, sd √k·scale: both under the ceiling
            spread = max(k, math.sqrt(k))
        else:
            g1, g2 = math.gamma(1 + 1 / k), math.gamma(1 + 2 / k)
            spread = max(g1, math.sqrt(max(g2 - g1 * g1, 0.0)))
        scale = draw(positive_numbers(1e-3, max(2e-3, (100.0 if small else 8e3) / max(1.0, spread))))
        if mapping:
            return {"dist": kind, "shape": num(k), "scale": f"{num(scale)} {u}"}
        return (
            f"{kind}(shape={num(k)}, scale={num(scale)}) {uu()}",
            f"{kind}({num(k)}, {num(scale)}) {uu()}",
            f"{kind}(shape={num(k)}, scale={num(scale)} {u})",
        )[form]
    if kind == "empirical":
        samples = some(draw, nonneg, 1, 6)
        if mapping:
            return {"dist": "empirical", "samples": samples, "unit": uu()}
        return f"{pick(draw, ('empirical', 'emp', 'observed'))}({', '.join(num(v) for v in samples)}) {uu()}"
    # histogram: edges strictly increasing from ≥ 0, counts ≥ 0 with a positive total
    edges = sorted(set(some(draw, nonneg, 2, 6)))
    if len(edges) < 2:
        edges.append(edges[0] + 1.0)
    counts = [draw(_COUNT) for _ in edges[1:]]
    if sum(counts) <= 0:
        counts[0] = 1.0
    return {"dist": "empirical", "edges": edges, "counts": counts, "unit": uu()}


_COUNT = st.one_of(st.integers(0, 50).map(float), st.floats(0, 50))
_DISTRIBUTION_DATA = {small: st.composite(_distribution_data)(small) for small in (False, True)}


def distribution_data(small: bool = False) -> st.SearchStrategy[Any]:
    """A distribution as written in a file: text or a mapping, every form and unit.

    ``small`` keeps parameters below 100 (of the unit), for patience and delays.
    """
    return _DISTRIBUTION_DATA[small]


def distributions(small: bool = False) -> st.SearchStrategy[Any]:
    """Distribution objects (via :func:`blueprint.parse_distribution`)."""
    return distribution_data(small).map(parse_distribution)


# -- probabilities ---------------------------------------------------------------------

_CURATED = {2: ((0.35, 0.65), (0.85, 0.15), (0.5, 0.5), (0.1, 0.9)), 3: ((0.1, 0.2, 0.7), (1 / 3, 1 / 3, 1 / 3), (0.2, 0.24, 0.56))}


def probability_list(draw: Any, k: int, *, exact: bool = True) -> list[float]:
    """``k`` probabilities: ``math.fsum`` within 1e-9 of 1 (``exact``) or at most 1.

    Drawn as integers over their total, or one of a few non-round sets such as
    ``0.1, 0.2, 0.7``.
    """
    if exact and k in _CURATED and draw(_BOOL):
        return list(pick(draw, _CURATED[k]))
    # Every branch keeps a chance (no 0), and what "otherwise" takes is never 0 either:
    # a way out with probability 0 is no way out, and the validator says so.
    weights = [draw(st.integers(1, 20)) for _ in range(k)]
    denom = sum(weights) if exact else sum(weights) + draw(st.integers(1, 20))
    out = [w / denom for w in weights]
    assert abs(math.fsum(out) - 1) <= 1e-9 if exact else math.fsum(out) <= 1 + 1e-9
    return out


def probability_sets(k: int, *, exact: bool = True) -> st.SearchStrategy[list[float]]:
    """Strategy form of :func:`probability_list`."""
    return st.composite(lambda draw: probability_list(draw, k, exact=exact))()


_PROBABILITY = st.one_of(st.floats(0, 1), st.sampled_from((0.8, 0.95, 0.05, 0.03, 0.1 + 0.2, 0, 1)))


# -- staffing and profiles -------------------------------------------------------------

_INTERVALS = (("15 min", 900), ("30 min", 1800), ("1 h", 3600), ("90 s", 90), ("0.5 h", 1800), ("2 h", 7200), ("45 min", 2700), ("3600 s", 3600))
_WEEKDAY_SPELLINGS = {
    "monday": ("monday", "mon", "Monday"), "tuesday": ("tuesday", "tue", "tues", "Tue"),
    "wednesday": ("wednesday", "wed"), "thursday": ("thursday", "thu", "thurs", "thur"),
    "friday": ("friday", "fri", "Fri"), "saturday": ("saturday", "sat"), "sunday": ("sunday", "sun", "SUN"),
}
_WEEKDAYS = tuple(_WEEKDAY_SPELLINGS)
_DAY_SETS = st.lists(st.sampled_from(_WEEKDAYS), min_size=1, max_size=7, unique=True)


def time_of_day_text(draw: Any, *, seconds: bool = False) -> str:
    h, m = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    text = f"{h:02d}:{m:02d}" if draw(_BOOL) else f"{h}:{m:02d}"
    if seconds and draw(_BOOL):
        text += f":{draw(st.integers(0, 59)):02d}"
    return text


def weekday_list(draw: Any) -> list[str]:
    """Distinct weekdays, each spelt one of the accepted ways."""
    return [pick(draw, _WEEKDAY_SPELLINGS[d]) for d in draw(_DAY_SETS)]


_HEADCOUNT_VALUE = st.one_of(st.integers(0, 9), st.integers(0, 9).map(float))
_ARRIVAL_VALUE = st.one_of(st.integers(0, 60), st.floats(0, 60), st.sampled_from(_ODD_FLOATS))


def _profile_data(draw: Any, whole: bool, max_len: int) -> dict[str, Any]:
    value = _HEADCOUNT_VALUE if whole else _ARRIVAL_VALUE
    data: dict[str, Any] = {}
    if draw(_BOOL):
        interval, secs = pick(draw, _INTERVALS)
        data["interval"] = interval
    else:
        secs = 900  # the default 15 min
    longest = min(max_len, 86400 // secs)

    def values() -> list[Any]:
        vs = some(draw, value, 1, longest)
        if sum(vs) <= 0:
            vs[0] = 1
        if not whole:  # arrivals stay under the ceiling of a million an hour
            vs = [v if v * 3600 / secs <= 1e6 else 1e6 * secs / 3600 for v in vs]
        return vs

    if draw(_BOOL):
        data["start"] = time_of_day_text(draw, seconds=True)
    if draw(_BOOL):
        data["values"] = values()
    else:
        data["days"] = {d: values() for d in weekday_list(draw)}
    return data


_PROFILE_DATA = {whole: st.composite(_profile_data)(whole, 12) for whole in (False, True)}


def profile_data(whole: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """A profile, ``values`` every day or ``days`` per weekday, with a positive total.

    ``whole`` for staffing (headcounts), else arrivals (expected counts).
    """
    return _PROFILE_DATA[whole]


_SHIFT_LENGTH = st.one_of(st.sampled_from((240, 480, 510, 540, 720, 1440)), st.integers(1, 1440))


def shift_dict(draw: Any, text: st.SearchStrategy[str]) -> dict[str, Any]:
    """A shift, maybe at night across midnight, with breaks that fit and do not overlap."""
    start_h, start_m = draw(st.integers(0, 23)), pick(draw, (0, 0, 15, 30, 45, 7))
    length_min = draw(_SHIFT_LENGTH)
    if length_min % 60 == 0 or length_min % 30 == 0 and draw(_BOOL):
        length = f"{length_min / 60:g} h"
    else:
        length = f"{length_min} min" if draw(_BOOL) else f"{length_min * 60} s"
    shift: dict[str, Any] = {"start": f"{start_h:02d}:{start_m:02d}", "length": length}
    if chance(draw, 3):
        shift["name"] = draw(text)
    shift["count"] = draw(st.integers(0, 12))
    if draw(_BOOL):
        shift["days"] = weekday_list(draw)
    n_breaks = draw(st.integers(0, 2)) if length_min >= 4 else 0
    if n_breaks:
        points = sorted(draw(st.lists(st.integers(0, length_min), min_size=2 * n_breaks, max_size=2 * n_breaks, unique=True)))
        breaks = []
        for i in range(n_breaks):
            off, end = points[2 * i], points[2 * i + 1]
            t = (start_h * 60 + start_m + off) % 1440
            b: dict[str, Any] = {"start": f"{t // 60:02d}:{t % 60:02d}", "length": f"{end - off} min"}
            if draw(_BOOL):
                b["paid"] = draw(_BOOL)
            breaks.append(b)
        shift["breaks"] = shuffled(draw, breaks)
    return shift


def staffing_value(draw: Any, text: st.SearchStrategy[str]) -> Any:
    """Staffing with someone on duty: headcount, unlimited, profile or shifts."""
    kind = pick(draw, ("headcount", "unlimited", "profile", "shifts"))
    if kind == "headcount":
        n = draw(st.integers(1, 50))
        return n if draw(_BOOL) else float(n)
    if kind == "unlimited":
        return pick(draw, ("unlimited", "Unlimited", "inf", " infinite "))
    if kind == "profile":
        return draw(profile_data(whole=True))
    shifts = [shift_dict(draw, text) for _ in range(draw(st.integers(1, 3)))]
    if all(s["count"] == 0 for s in shifts):
        shifts[0]["count"] = 1
    return {"shifts": shifts} if draw(_BOOL) else shifts


def staffing_data(text: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Any]:
    """Strategy form of :func:`staffing_value`."""
    t = text if text is not None else awkward_text()
    return st.composite(lambda draw: staffing_value(draw, t))()


def target_dict(draw: Any) -> dict[str, Any]:
    t: dict[str, Any] = {}
    if draw(_BOOL):
        t["service_level"] = draw(_PROBABILITY)
        t["within"] = duration_text(draw)
    if draw(_BOOL):
        t["max_abandon"] = draw(_PROBABILITY)
    if draw(_BOOL):
        t["max_asa"] = duration_text(draw)
    if draw(_BOOL):
        t["max_occupancy"] = draw(_PROBABILITY)
    return t


# -- arrivals --------------------------------------------------------------------------


def rate_text(draw: Any) -> str:
    """A rate under the ceiling (a million an hour: 250 per s is 900,000 an hour) in one of the ways it is written."""
    n = number_text(draw, draw(non_negative_numbers(250.0)))
    u = pick(draw, UNITS)
    word = {"s": "second", "min": "minute", "h": "hour"}[u]
    return pick(draw, (f"{n} per {u}", f"{n}/{u}", f"{n} / {unit_text(draw, u)}", f"{n} a {word}", f"{n} per {word}s"))


_MILLIS = st.integers(0, 7 * 86400 * 1000 - 1)


def arrival_times(draw: Any) -> list[str]:
    """Sorted timestamps over one week, ``HH:MM[:SS[.fff]]`` or ``weekday HH:MM:SS``."""
    out = []
    for t in sorted(some(draw, _MILLIS, 1, 8)):
        whole, ms = divmod(t, 1000)
        day, rest = divmod(whole, 86400)
        h, rest = divmod(rest, 3600)
        m, s = divmod(rest, 60)
        clock = f"{h:02d}:{m:02d}" if draw(_BOOL) else f"{h}:{m:02d}"
        if s or ms or draw(_BOOL):
            clock += f":{s:02d}"
            if ms:
                clock += f".{ms:03d}" if draw(_BOOL) else f".{ms:03d}0"
        if day == 0 and draw(_BOOL):
            out.append(clock)
        else:
            out.append(f"{pick(draw, _WEEKDAY_SPELLINGS[_WEEKDAYS[day]])} {clock}")
    return out


def segment_list(draw: Any, text: st.SearchStrategy[str]) -> list[dict[str, Any]]:
    """Segments whose shares add up to 1 (within 1e-9 by ``math.fsum``)."""
    names = draw(st.lists(slugs(), min_size=1, max_size=3, unique=True))
    out = []
    for name, share in zip(names, probability_list(draw, len(names))):
        seg: dict[str, Any] = {"name": name, "share": share}
        if draw(_BOOL):
            seg["priority"] = draw(st.integers(-3, 5))
        if draw(_BOOL):
            seg["patience"] = draw(distribution_data(small=True))
        if chance(draw, 3):
            seg["description"] = draw(text)
        out.append(seg)
    return out


def arrivals_dict(draw: Any, step: str, name: str | None, text: st.SearchStrategy[str]) -> dict[str, Any]:
    """One arrivals stream at ``step``: a rate, a profile or timestamps; maybe segments."""
    a: dict[str, Any] = {}
    if name is not None:
        a["name"] = name
    a["step"] = step
    form = pick(draw, ("rate", "rate", "profile", "times"))
    if form == "rate":
        a["rate"] = rate_text(draw)
    elif form == "profile":
        a["profile"] = draw(profile_data())
    else:
        a["times"] = arrival_times(draw)
    if chance(draw, 3):
        a["patience"] = draw(distribution_data(small=True))
    if draw(_BOOL):
        a["segments"] = segment_list(draw, text)
    return a


# -- the whole blueprint ---------------------------------------------------------------

_LANE_SPELLINGS = {"customer": ("customer",), "onstage": ("onstage", "onstage", "frontstage", " Frontstage"), "backstage": ("backstage",), "support": ("support",)}
_LANES = tuple(lane.value for lane in ACTION_LANES)
_PROVENANCE = ("observed", "assumed", "proposed", "fitted")
_PROVENANCE_FIELDS = ("duration", "fail_point", "wait_point", "cost")


def journey_edges(draw: Any, n: int) -> tuple[list[tuple[int, int, str]], tuple[int, int, list[int]] | None]:
    """Edges ``(source, target, kind)`` over steps ``0..n-1`` (0 is the entry).

    ``fwd`` edges go to a later step, so every step reaches an exit (a step
    no ``fwd`` or ``parallel`` edge leaves); every step after 0 gets an
    earlier parent, so all are reached. ``back`` edges (rework loops and
    self-loops) leave only steps that also have a way forward, so every loop
    has a way out; ``retry`` edges go back anywhere. An optional split ``a``
    sends ``parallel`` edges to steps that all reach its join ``b``; the split
    step has no other edges but retries, and the steps between ``a`` and ``b``
    (its branches) lead only to steps up to ``b``, so every way of a branch
    ends at the join.
    """
    edges: dict[tuple[int, int, str], None] = {}
    targets: list[int] = []
    a = b = -1
    if n >= 4 and draw(_BOOL):
        a = draw(st.integers(0, n - 3))
        b = draw(st.integers(a + 2, n - 1))
        middle = list(range(a + 1, b + 1))
        targets = draw(st.lists(st.sampled_from(middle), min_size=2, max_size=min(4, len(middle)), unique=True))
    has_parent = set(targets)
    for j in range(1, n):
        if j in has_parent:
            continue
        candidates = [i for i in range(j) if i != a and not (a < i < b < j)]  # a branch goes on only to its join
        if not candidates:  # j = 1 right after a split at 0: make it a branch too
            targets.append(j)
            continue
        edges[(pick(draw, candidates), j, "fwd")] = None
    split = None
    if targets:
        split = (a, b, targets)
        for t in targets:
            edges[(a, t, "parallel")] = None
            if t != b:
                edges[(t, b, "fwd")] = None
    def inside(i: int) -> bool:  # a step of a branch: before the join, after the split
        return a < i < b

    for i in range(a + 1, b):  # each way of a branch leads on to the join, none ends before it
        edges[(i, b, "fwd")] = None

    for i in range(n - 1):  # extra forward edges
        if i != a:
            for _ in range(draw(st.integers(0, 2))):
                edges[(i, draw(st.integers(i + 1, b if inside(i) else n - 1)), "fwd")] = None
    can_loop = sorted({i for (i, _, k) in edges if k == "fwd"})
    for _ in range(draw(st.integers(0, 2)) if can_loop else 0):  # rework loops and self-loops
        i = pick(draw, can_loop)
        edges[(i, draw(st.integers(a + 1 if inside(i) else 0, i)), "back")] = None
    for _ in range(draw(st.integers(0, 2))):  # retry: call back later
        i = draw(st.integers(0, n - 1))
        edges[(i, draw(st.integers(a + 1 if inside(i) else 0, i)), "retry")] = None
    return list(edges), split


def _blueprint_data(
    draw: Any, min_steps: int, max_steps: int, text: st.SearchStrategy[str], names: st.SearchStrategy[str], small: bool
) -> dict[str, Any]:
    n = draw(st.integers(min_steps, max_steps))
    edges, split = journey_edges(draw, n)

    # roles ----------------------------------------------------------------------------
    role_list = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    roles = []
    for name in role_list:
        r: dict[str, Any] = {"name": name}
        if chance(draw, 3):
            r["description"] = draw(text)
        if draw(_BOOL):
            r["cost_per_hour"] = draw(st.one_of(st.integers(0, 80), st.floats(0, 200), st.sampled_from((0.1 + 0.2, 28.5))))
        if draw(_BOOL):
            r["concurrency"] = draw(st.integers(1, 5))
        r["staffing"] = staffing_value(draw, text)
        if chance(draw, 4):
            r["target"] = target_dict(draw)
        roles.append(r)
    if chance(draw, 5):  # an unused role (only a warning), maybe with no staffing at all
        extra = draw(names)
        if extra not in role_list:
            roles.append({"name": extra} | ({"staffing": 0} if draw(_BOOL) else {}))
    roles = shuffled(draw, roles)

    # steps ----------------------------------------------------------------------------
    lanes = [pick(draw, _LANES) for _ in range(n)]
    if n >= 4 and draw(_BOOL):  # every action lane at least once
        lanes[:4] = shuffled(draw, _LANES)
    labels = [draw(text) for _ in range(n)]
    ids: list[str] = []
    derived: list[bool] = []
    for label in labels:
        auto = slugify(label)
        if auto not in ids and not chance(draw, 4):
            ids.append(auto)
            derived.append(True)
        else:
            given = draw(slugs())
            while given in ids:
                given += "_"
            ids.append(given)
            derived.append(False)

    steps: list[dict[str, Any]] = []
    for i in range(n):
        s: dict[str, Any] = {}
        if not derived[i]:
            s["id"] = ids[i]
        elif chance(draw, 6):
            s["id"] = None  # written out but empty: made from the label too
        s["label"] = labels[i]
        s["lane"] = pick(draw, _LANE_SPELLINGS[lanes[i]])
        if lanes[i] in ("onstage", "backstage") or chance(draw, 4):
            s["role"] = pick(draw, role_list)
        if draw(_BOOL):
            s["duration"] = draw(distribution_data(small))
        if chance(draw, 3):
            s["description"] = draw(text)
        if chance(draw, 3):
            s["evidence"] = draw(text) if draw(_BOOL) else some(draw, text, 0, 3)
        if chance(draw, 4):
            if draw(_BOOL):
                s["fail_point"] = draw(text)
            else:
                fp: dict[str, Any] = {}
                if draw(_BOOL):
                    fp["description"] = draw(text)
                if draw(_BOOL):
                    fp["probability"] = draw(_PROBABILITY)
                if draw(_BOOL):  # a step of a parallel branch recovers within it: the branch still ends at its join
                    inside = split is not None and split[0] < i < split[1]
                    fp["recovery"] = pick(draw, ids[split[0] + 1:split[1] + 1] if inside and split else ids)
                    if fp.get("probability", 0) > 0.95:  # (almost) every visit would fail into the recovery: a loop
                        fp["probability"] = 0.95        # with no way out, or of over a thousand visits, when the
                        #                                 recovery leads back (the validator says so)
                s["fail_point"] = fp
        if chance(draw, 4):
            if draw(_BOOL):
                s["wait_point"] = duration_text(draw)
            else:
                s["wait_point"] = {"tolerance": duration_text(draw)} | ({"expectation": draw(text)} if draw(_BOOL) else {})
        if chance(draw, 4):
            s["cost"] = draw(st.one_of(st.integers(0, 100), st.floats(0, 100)))
        if chance(draw, 4):
            s["tags"] = draw(text) if draw(_BOOL) else some(draw, text, 0, 3)
        if chance(draw, 4):
            if draw(_BOOL):
                s["provenance"] = pick(draw, _PROVENANCE)
            else:
                s["provenance"] = {k: pick(draw, _PROVENANCE) for k in _PROVENANCE_FIELDS if draw(_BOOL)}
        steps.append(s)
    if split is not None:
        steps[split[1]]["join"] = ids[split[0]]

    # flows ----------------------------------------------------------------------------
    by_source: dict[int, list[tuple[int, str]]] = {}
    for src, tgt, kind in edges:
        by_source.setdefault(src, []).append((tgt, kind))
    flows: list[Any] = []
    for src in shuffled(draw, sorted(by_source)):
        out = shuffled(draw, by_source[src])
        out = [x for x in out if x[1] == "parallel"] + [x for x in out if x[1] != "parallel"]  # split() adds them together
        n_branch = sum(k in ("fwd", "back") for _, k in out)
        probs: dict[int, float] = {}
        otherwise_at = None
        if n_branch == 1:
            if chance(draw, 4):
                probs[0] = pick(draw, (1, 1.0))
        elif n_branch > 1:
            if draw(_BOOL):
                probs = dict(enumerate(probability_list(draw, n_branch)))
            else:
                otherwise_at = draw(st.integers(0, n_branch - 1))
                rest = probability_list(draw, n_branch - 1, exact=False)
                probs = {j: rest.pop() for j in range(n_branch) if j != otherwise_at}
        bi = 0
        for tgt, kind in out:
            f: dict[str, Any] = {"from": ids[src], "to": ids[tgt]}
            if kind == "parallel":
                f["kind"] = "parallel"
            elif kind == "retry":
                f["kind"] = "retry"
                if draw(_BOOL):
                    f["probability"] = draw(_PROBABILITY)
                if draw(_BOOL):
                    f["delay"] = draw(distribution_data(small=True))
            else:
                k = pick(draw, ("handoff", "handoff", "transfer", "rework") if kind == "fwd" else ("rework", "rework", "handoff", "transfer"))
                if k != "handoff" or chance(draw, 4):
                    f["kind"] = k
                if bi in probs:
                    f["probability"] = probs[bi]
                if bi == otherwise_at:
                    f["otherwise"] = True
                bi += 1
            if chance(draw, 4):
                f["label"] = draw(text)
            if kind != "retry" and chance(draw, 6):
                f["delay"] = draw(distribution_data(small=True))
            if list(f) == ["from", "to"] and draw(_BOOL):
                flows.append(f"{f['from']} -> {f['to']}")
            else:
                flows.append(f)

    # arrivals -------------------------------------------------------------------------
    first_name = draw(slugs()) if draw(_BOOL) else None
    arrivals = [arrivals_dict(draw, ids[0], first_name, text)]
    if chance(draw, 4):
        other = draw(slugs())
        if other != (first_name or "customers"):
            arrivals.append(arrivals_dict(draw, pick(draw, ids), other, text))

    data: dict[str, Any] = {"name": draw(text.filter(str.strip))}  # a blueprint needs a name
    if chance(draw, 3):
        data["description"] = draw(text)
    if chance(draw, 4):
        data["target"] = target_dict(draw)
    sections = {"roles": roles, "arrivals": arrivals, "steps": steps, "flows": flows}
    for key in shuffled(draw, sections):  # the file does not care about the order
        data[key] = sections[key]
    return data


@functools.cache
def blueprint_data(
    *,
    min_steps: int = 2,
    max_steps: int = 8,
    text: st.SearchStrategy[str] | None = None,
    names: st.SearchStrategy[str] | None = None,
    small: bool = False,
) -> st.SearchStrategy[dict[str, Any]]:
    """The file form (plain data) of a random blueprint that is valid by construction.

    ``text`` draws labels, descriptions and other free text; ``names`` the
    role names (default: :func:`awkward_text` and :func:`role_names`).
    ``small`` keeps step durations below 100 of their unit, as patience and
    delays always are (for simulation tests).
    """
    t = text if text is not None else awkward_text()
    nm = names if names is not None else role_names()
    return st.composite(_blueprint_data)(min_steps, max_steps, t, nm, small)


def valid_blueprints(**kwargs: Any) -> st.SearchStrategy[Blueprint]:
    """Blueprints read from :func:`blueprint_data` with ``Blueprint.model_validate``."""
    return blueprint_data(**kwargs).map(Blueprint.model_validate)


def _ref(bp: Blueprint, step_id: str) -> StepRef:
    return StepRef(bp, step_id)


def build_with_builder(data: dict[str, Any], *, objects: bool = False, rshift: bool = True, split: bool = True) -> Blueprint:
    """Build the blueprint of ``data`` through the builder API.

    ``objects`` passes parsed values (``Distribution``, ``Rate``,
    ``Staffing``, ``Target`` objects) instead of their text; ``rshift``
    writes plain hand-offs as ``a >> b``; ``split`` adds consecutive parallel
    flows with ``bp.split``.
    """
    data = copy.deepcopy(data)
    top = {k: data[k] for k in ("description", "target") if k in data}
    if objects and "target" in top:
        top["target"] = Target.model_validate(top["target"])
    bp = Blueprint(data["name"], **top)

    for s in data.get("steps", []):
        fields = dict(s)
        label, lane = fields.pop("label"), fields.pop("lane")
        if "id" in fields and fields["id"] is None:
            del fields["id"]
        if objects and "duration" in fields:
            fields["duration"] = parse_distribution(fields["duration"])
        if "join" in fields:
            fields["join"] = _ref(bp, fields["join"])
        fp = fields.get("fail_point")
        if isinstance(fp, dict) and "recovery" in fp:
            fields["fail_point"] = {**fp, "recovery": _ref(bp, fp["recovery"])}
        method = {"customer": bp.customer, "onstage": bp.onstage, "backstage": bp.backstage, "support": bp.support}.get(lane)
        ref = bp.add_step(label, lane, **fields) if method is None else method(label, **fields)
        assert isinstance(ref, StepRef) and ref.step.label == label

    for r in data.get("roles", []):
        fields = dict(r)
        name = fields.pop("name")
        if objects and "staffing" in fields:
            fields["staffing"] = Staffing.model_validate(fields["staffing"])
        if objects and "target" in fields:
            fields["target"] = Target.model_validate(fields["target"])
        bp.role(name, **fields)

    for a in data.get("arrivals", []):
        fields = dict(a)
        step = fields.pop("step")
        if objects and "rate" in fields:
            fields["rate"] = Rate.parse(fields["rate"])
        if objects and "patience" in fields:
            fields["patience"] = parse_distribution(fields["patience"])
        bp.arrive(_ref(bp, step), **fields)

    flows = [
        dict(zip(("from", "to"), (p.strip() for p in f.split("->")))) if isinstance(f, str) else dict(f)
        for f in data.get("flows", [])
    ]
    i = 0
    while i < len(flows):
        f = dict(flows[i])
        src, tgt = _ref(bp, f.pop("from")), _ref(bp, f.pop("to"))
        if split and f == {"kind": "parallel"}:
            targets = [tgt]
            while i + 1 < len(flows) and flows[i + 1] == {"from": src.id, "to": flows[i + 1]["to"], "kind": "parallel"}:
                i += 1
                targets.append(_ref(bp, flows[i]["to"]))
            bp.split(src, targets)
        elif rshift and not f:
            assert (src >> tgt).id == tgt.id
        else:
            if objects and "delay" in f:
                f["delay"] = parse_distribution(f["delay"])
            bp.flow(src, tgt, **f)
        i += 1
    return bp


@st.composite
def built_blueprints(draw: Any, **kwargs: Any) -> tuple[dict[str, Any], Blueprint]:
    """``(data, blueprint)``: the blueprint made from ``data`` with the builder API."""
    data = draw(blueprint_data(**kwargs))
    bp = build_with_builder(data, objects=draw(_BOOL), rshift=draw(_BOOL), split=draw(_BOOL))
    return data, bp


# -- breaking things -------------------------------------------------------------------

MUTATIONS = (
    "delete_step", "retarget_known", "retarget_unknown", "probability", "drop_probability", "otherwise",
    "unknown_role", "drop_role_of_step", "zero_staffing", "drop_staffing", "self_loop", "duplicate_step",
    "duplicate_role", "duplicate_arrivals", "drop_arrivals", "segment_shares", "join", "recovery",
    "delete_flow", "delete_role", "random_flow", "parallel_into_branches", "lane", "arrival_step",
)
_ZERO_STAFFING = (0, 0.0, {"values": [0, 0]}, {"days": {"mon": [0]}}, {"shifts": [{"start": "08:00", "length": "8 h", "count": 0}]}, [])
_FLOW_KINDS = ("handoff", "transfer", "rework", "retry", "parallel")
_SHORT_TEXT = st.text(max_size=8)


def _flow_dict(flows: list[Any], i: int) -> dict[str, Any]:
    f = flows[i]
    if isinstance(f, str):
        src, _, tgt = f.partition("->")
        flows[i] = f = {"from": src.strip(), "to": tgt.strip()}
    return f


def _mutate(draw: Any, data: dict[str, Any], m: str, ids: list[str]) -> None:
    steps, flows, roles, arrivals = data["steps"], data["flows"], data["roles"], data["arrivals"]

    def index(seq: list[Any]) -> int:
        return draw(st.integers(0, len(seq) - 1))

    def any_id() -> str:
        return pick(draw, ids) if draw(_BOOL) else draw(st.one_of(slugs(), _SHORT_TEXT))

    if m == "delete_step" and steps:
        steps.pop(index(steps))
    elif m in ("retarget_known", "retarget_unknown") and flows:
        f = _flow_dict(flows, index(flows))
        new = pick(draw, ids) if m == "retarget_known" else draw(slugs())
        while m == "retarget_unknown" and new in ids:
            new += "_"
        f["from" if draw(_BOOL) else "to"] = new
    elif m == "probability" and flows:
        _flow_dict(flows, index(flows))["probability"] = draw(_PROBABILITY)
    elif m == "drop_probability" and flows:
        _flow_dict(flows, index(flows)).pop("probability", None)
    elif m == "otherwise" and flows:
        f = _flow_dict(flows, index(flows))
        f["otherwise"] = True
        if draw(_BOOL):
            f.pop("probability", None)
    elif m == "unknown_role" and steps:
        steps[index(steps)]["role"] = draw(_SHORT_TEXT)
    elif m == "drop_role_of_step" and steps:
        steps[index(steps)].pop("role", None)
    elif m == "zero_staffing" and roles:
        roles[index(roles)]["staffing"] = copy.deepcopy(pick(draw, _ZERO_STAFFING))
    elif m == "drop_staffing" and roles:
        roles[index(roles)].pop("staffing", None)
    elif m == "self_loop" and ids:
        x = pick(draw, ids)
        kind = pick(draw, (None,) + _FLOW_KINDS)
        flows.append({"from": x, "to": x} | ({"kind": kind} if kind else {}))
    elif m == "duplicate_step" and steps:
        s = copy.deepcopy(steps[index(steps)])
        if draw(_BOOL):
            s["label"] = draw(_SHORT_TEXT)
        steps.insert(draw(st.integers(0, len(steps))), s)
    elif m == "duplicate_role" and roles:
        roles.append(copy.deepcopy(roles[index(roles)]))
    elif m == "duplicate_arrivals" and arrivals:
        arrivals.append(copy.deepcopy(arrivals[0]))
    elif m == "drop_arrivals":
        arrivals.clear()
    elif m == "segment_shares" and arrivals:
        arrivals[0]["segments"] = [{"name": pick(draw, "abc"), "share": draw(_PROBABILITY)} for _ in range(draw(st.integers(1, 4)))]
    elif m == "join" and steps:
        steps[index(steps)]["join"] = any_id()
    elif m == "recovery" and steps:
        steps[index(steps)]["fail_point"] = {"probability": draw(_PROBABILITY), "recovery": any_id()}
    elif m == "delete_flow" and flows:
        flows.pop(index(flows))
    elif m == "delete_role" and roles:
        roles.pop(index(roles))
    elif m == "random_flow":
        f = {"from": any_id(), "to": any_id(), "kind": pick(draw, _FLOW_KINDS)}
        if f["kind"] != "parallel" and draw(_BOOL):
            f["probability"] = draw(_PROBABILITY)
        flows.append(f)
    elif m == "parallel_into_branches" and flows:
        f = _flow_dict(flows, index(flows))
        flows.append({"from": f["from"], "to": pick(draw, ids), "kind": "parallel"})
    elif m == "lane" and steps:
        s = steps[index(steps)]
        s["lane"] = pick(draw, ("onstage", "backstage"))
        s.pop("role", None)
    elif m == "arrival_step" and arrivals:
        arrivals[0]["step"] = any_id()


def _mutated_blueprint_data(draw: Any) -> tuple[dict[str, Any], list[str]]:
    data = copy.deepcopy(draw(blueprint_data(max_steps=6)))
    ids = [s.get("id") or slugify(s["label"]) for s in data["steps"]]
    done = [pick(draw, MUTATIONS) for _ in range(draw(st.integers(1, 4)))]
    for m in done:
        _mutate(draw, data, m, ids)
    return data, done


_MUTATED = st.composite(_mutated_blueprint_data)()


def mutated_blueprint_data() -> st.SearchStrategy[tuple[dict[str, Any], list[str]]]:
    """Valid data with 1-4 random edits (see ``MUTATIONS``): ``(data, the edits)``.

    The result may be refused by the model itself (e.g. ``otherwise`` beside a
    probability), or accepted and reported by ``validate()``.
    """
    return _MUTATED


# -- garbage ---------------------------------------------------------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=10),
)


@functools.cache
def garbage_data(keys: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[Any]:
    """Random JSON-like nested data (mappings, lists, scalars)."""
    keys = keys if keys is not None else st.text(max_size=8)
    return st.recursive(_SCALARS, lambda c: st.lists(c, max_size=4) | st.dictionaries(keys, c, max_size=4), max_leaves=20)


_FIELD_NAMES = (
    "name", "description", "target", "roles", "arrivals", "steps", "flows", "id", "label", "lane", "role",
    "duration", "evidence", "fail_point", "wait_point", "cost", "tags", "provenance", "join", "from", "to",
    "probability", "otherwise", "kind", "delay", "cost_per_hour", "concurrency", "staffing", "headcount",
    "unlimited", "profile", "shifts", "interval", "start", "values", "days", "length", "count", "breaks",
    "paid", "service_level", "within", "max_abandon", "max_asa", "max_occupancy", "step", "rate", "times",
    "patience", "segments", "share", "priority", "tolerance", "expectation", "recovery", "dist", "unit",
    "mean", "sd", "low", "high", "mode", "shape", "scale", "value", "samples", "edges", "counts",
)
_WORDS = (
    "customer", "onstage", "backstage", "support", "evidence", "frontstage", "handoff", "transfer", "rework",
    "retry", "parallel", "unlimited", "4 min", "exp(4 min)", "triangular(1, 2, 4) min", "empirical(1, 2) s",
    "lognormal(mean=5, sd=2) min", "gamma(shape=2, scale=1) h", "30 per h", "2/min", "08:00", "24:00", "25:00",
    "monday", "mon", "tuesday 08:00:05", "assumed", "observed", "a -> b", "a", "b", "call", "exp", "empirical",
    "normal", "weibull", "uniform", "min", "s", "h", "x", "", "15 min", "0 s", "-1 min", "1e400 min",
)
_VOCAB_SCALARS = st.one_of(
    _SCALARS,
    st.sampled_from(_WORDS),
    st.sampled_from([0, 1, -1, 0.5, 2, 10**400, -(10**400), 2**63, 1e308, float("inf"), float("nan"), 1e-320]),
)


@functools.cache
def blueprint_shaped_garbage(int_keys: bool = True) -> st.SearchStrategy[Any]:
    """Random data built from the blueprint's own field names and words."""
    keys = st.one_of(st.sampled_from(_FIELD_NAMES), st.text(max_size=5), *( [st.integers(-2, 2)] if int_keys else []))
    inner = st.recursive(
        _VOCAB_SCALARS,
        lambda c: st.lists(c, max_size=4) | st.dictionaries(keys, c, max_size=5),
        max_leaves=25,
    )
    return st.fixed_dictionaries(
        {"name": _VOCAB_SCALARS},
        optional={
            "steps": st.lists(inner, max_size=3), "flows": st.lists(inner, max_size=3),
            "roles": st.lists(inner, max_size=3), "arrivals": st.lists(inner, max_size=2),
            "target": inner, "description": inner,
        },
    )


@functools.cache
def yamlish_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Text made of YAML's punctuation and a few words: deep into the parser quickly."""
    pieces = st.sampled_from(
        ["{", "}", "[", "]", ":", ": ", ",", "- ", "\n", "  ", "? ", "&a ", "*a", "!!str ", "!!set ", "!!binary ", "|", ">",
         "'", '"', "#", "name", "steps", "id", "x", "1", "1e3", "08:00", "null", "true", "~", "%YAML 1.1\n", "---\n", "..."]
    )
    return st.lists(pieces, max_size=max_size).map("".join)
