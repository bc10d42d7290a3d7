"""Numbers as people read them: the one home of number formats for every display (text, HTML, CLI).

Never scientific notation; thousands separators; a precision that suits the size
(three significant digits below 100, whole numbers above); shares as
percentages, money with two decimals, durations in seconds; ``–`` for a
missing value (NaN or None).

>>> number(8170.4), number(0.01234), number(float("nan"))
('8,170', '0.0123', '–')
>>> percent(0.8123), money(8170.4), seconds(12.34)
('81.2%', '8,170.40', '12.3 s')
>>> interval(0.75, 0.81, kind="percent"), signed(1016.0), signed(-0.023, "percent")
('75.0% – 81.0%', '+1,016', '−2.3 pp')
"""

from __future__ import annotations

import math
from typing import Literal

__all__ = ["MISSING", "Kind", "difference", "duration", "figure_kind", "fmt", "interval", "listing", "money", "number", "percent", "seconds", "signed"]

MISSING = "–"
Kind = Literal["number", "percent", "money", "seconds"]


def _missing(x: object) -> bool:
    """None, NaN, or pandas' missing value (``pd.NA``, as in a whole-number column with gaps)."""
    return x is None or (isinstance(x, float) and math.isnan(x)) or type(x).__name__ == "NAType"


def number(x: float | None, digits: int | None = None) -> str:
    """A number with thousands separators: whole above 100, three significant digits below, never ``e+``;
    ``digits`` fixes the decimals instead (for a column that should line up).

    >>> number(53_300.0), number(42), number(2.5), number(-0.5), number(1e-7), number(184.25, digits=1)
    ('53,300', '42', '2.5', '-0.5', '0', '184.2')
    """
    if _missing(x):
        return MISSING
    assert x is not None
    if isinstance(x, bool):
        return str(x)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if digits is not None:
        return f"{x:,.{digits}f}"
    a = abs(x)
    if a >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    if a < 1e-4:
        return "0"
    digits = max(0, 2 - math.floor(math.log10(a)))
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".")


def percent(x: float | None, digits: int = 1) -> str:
    """A share (0.8 = 80%) as a percentage.

    >>> percent(1.0), percent(0.05, digits=0)
    ('100.0%', '5%')
    """
    return MISSING if _missing(x) else f"{100 * float(x):,.{digits}f}%"  # type: ignore[arg-type]


def money(x: float | None) -> str:
    """An amount of money: thousands separators and two decimals (no currency: the model has none).

    >>> money(53_312.5)
    '53,312.50'
    """
    return MISSING if _missing(x) else f"{float(x):,.2f}"  # type: ignore[arg-type]


def seconds(x: float | None) -> str:
    """A duration in seconds.

    >>> seconds(4000.0)
    '4,000 s'
    """
    return MISSING if _missing(x) else f"{number(x)} s"


def duration(x: float | None) -> str:
    """A duration in its handiest unit: seconds under two minutes, minutes under two hours, else hours
    (one decimal at most).

    >>> duration(45.0), duration(150.0), duration(5400.0), duration(9000.0)
    ('45 s', '2.5 min', '90 min', '2.5 h')
    """
    if _missing(x):
        return MISSING
    v = float(x)  # type: ignore[arg-type]
    if abs(v) < 120:
        return f"{number(round(v, 1))} s"
    if abs(v) < 2 * 3600:
        return f"{number(round(v / 60, 1))} min"
    return f"{number(round(v / 3600, 1))} h"


def signed(x: float | None, kind: Kind = "number", digits: int | None = None) -> str:
    """A difference: always signed (``+``/``−``), shares in percentage points, ``0`` for no change;
    small differences keep three significant digits, so they never read as 0.

    >>> signed(1016.4), signed(-3.0), signed(0.0), signed(0.012, "percent"), signed(-12.5, "seconds")
    ('+1,016', '−3', '0', '+1.2 pp', '−12.5 s')
    >>> signed(0.00042, "percent"), signed(0.5, "money")
    ('+0.042 pp', '+0.50')
    """
    if _missing(x):
        return MISSING
    v = float(x)  # type: ignore[arg-type]
    if kind == "percent":
        text = number(abs(100 * v), digits)
        return ("0" if text.strip("0.,") == "" else ("+" if v > 0 else "−") + text) + " pp"
    text = money(abs(v)) if kind == "money" and digits is None else number(abs(v), digits)
    if text.strip("0.,") == "":
        return "0" + (" s" if kind == "seconds" else "")
    return ("+" if v > 0 else "−") + text + (" s" if kind == "seconds" else "")


def difference(x: float | None, kind: Kind = "number") -> str:
    """A difference between two figures written to the precision the figures are read at (a tenth of a
    percentage point for shares, a tenth of a second), so a table of figures and their differences
    reads at one precision; ``0`` when it rounds away.

    >>> difference(0.0004, "percent"), difference(-0.0207, "percent"), difference(0.00738, "seconds"), difference(224.0, "money")
    ('0 pp', '−2.1 pp', '0 s', '+224.00')
    """
    return signed(x, kind, digits=1 if kind in ("percent", "seconds") else None)


def figure_kind(figure: str) -> Kind:
    """How a key figure of a simulation summary (or a comparison), by its name is written: a share as a percentage,
    a cost as money, a figure in seconds as seconds, anything else as a number.

    >>> figure_kind("first_line: service level"), figure_kind("staff cost"), figure_kind("time in system (s)")
    ('percent', 'money', 'seconds')
    """
    if figure.endswith(("service level", "abandonment", "occupancy")):
        return "percent"
    if figure.endswith("cost"):
        return "money"
    if figure.endswith("(s)"):
        return "seconds"
    return "number"


def fmt(x: float | None, kind: Kind = "number") -> str:
    """``x`` written as ``kind``: ``"number"``, ``"percent"``, ``"money"`` or ``"seconds"``.

    >>> fmt(0.5, "percent")
    '50.0%'
    """
    return {"number": number, "percent": percent, "money": money, "seconds": seconds}[kind](x)


def listing(names: list[str], first: int = 8) -> str:
    """Names for a sentence: the first ``first`` of them, then how many more (a long list of periods
    stays one line).

    >>> listing(["a", "b"]), listing(["a", "b", "c", "d"], first=2)
    ('a, b', 'a, b and 2 more')
    """
    shown = ", ".join(names[:first])
    return shown + (f" and {len(names) - first} more" if len(names) > first else "")


def interval(low: float | None, high: float | None, kind: Kind = "number") -> str:
    """A 95% interval as ``"low – high"``; ``–`` when it is missing.

    >>> interval(float("nan"), 1.0)
    '–'
    """
    if _missing(low) or _missing(high):
        return MISSING
    return f"{fmt(low, kind)} – {fmt(high, kind)}"
