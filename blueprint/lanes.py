"""Lanes and the three lines between them.

The lanes are fixed, top to bottom; the lines are derived from them and are
never declared by the designer.

>>> [lane.value for lane in Lane]
['evidence', 'customer', 'onstage', 'backstage', 'support']
>>> lines_between(Lane.CUSTOMER, Lane.BACKSTAGE)
(<Line.INTERACTION: 'interaction'>, <Line.VISIBILITY: 'visibility'>)
"""

from __future__ import annotations

from enum import Enum

__all__ = ["Lane", "Line", "ACTION_LANES", "LINE_POSITIONS", "lines_between"]


class Lane(str, Enum):
    """The horizontal bands of a blueprint, in drawing order (top first)."""

    EVIDENCE = "evidence"
    CUSTOMER = "customer"
    ONSTAGE = "onstage"
    BACKSTAGE = "backstage"
    SUPPORT = "support"

    @property
    def index(self) -> int:  # type: ignore[override]  # a lane's position, not str.index
        """Position from the top (evidence is 0)."""
        return list(Lane).index(self)

    @property
    def title(self) -> str:  # type: ignore[override]
        """The name used on diagrams."""
        return _TITLES[self]

    def __str__(self) -> str:
        return self.value


_TITLES = {
    Lane.EVIDENCE: "Physical evidence",
    Lane.CUSTOMER: "Customer actions",
    Lane.ONSTAGE: "Onstage contact actions",
    Lane.BACKSTAGE: "Backstage contact actions",
    Lane.SUPPORT: "Support processes",
}

#: Lanes that hold steps (physical evidence is attached to steps instead).
ACTION_LANES: tuple[Lane, ...] = (Lane.CUSTOMER, Lane.ONSTAGE, Lane.BACKSTAGE, Lane.SUPPORT)


class Line(str, Enum):
    """The lines that separate the action lanes."""

    INTERACTION = "interaction"
    VISIBILITY = "visibility"
    INTERNAL_INTERACTION = "internal interaction"

    @property
    def title(self) -> str:  # type: ignore[override]
        """The name used on diagrams, e.g. "line of visibility"."""
        return f"line of {self.value}"

    @property
    def above(self) -> Lane:
        """The lane just above the line."""
        return LINE_POSITIONS[self][0]

    @property
    def below(self) -> Lane:
        """The lane just below the line."""
        return LINE_POSITIONS[self][1]

    def __str__(self) -> str:
        return self.value


#: Each line and the two lanes it separates (above, below).
LINE_POSITIONS: dict[Line, tuple[Lane, Lane]] = {
    Line.INTERACTION: (Lane.CUSTOMER, Lane.ONSTAGE),
    Line.VISIBILITY: (Lane.ONSTAGE, Lane.BACKSTAGE),
    Line.INTERNAL_INTERACTION: (Lane.BACKSTAGE, Lane.SUPPORT),
}


def lines_between(a: Lane | str, b: Lane | str) -> tuple[Line, ...]:
    """The lines a flow from lane ``a`` to lane ``b`` crosses, top to bottom."""
    lo, hi = sorted((Lane(a).index, Lane(b).index))
    return tuple(line for line, (above, below) in LINE_POSITIONS.items() if lo <= above.index and below.index <= hi)
