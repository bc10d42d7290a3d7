"""The figure every plot of ``simulate`` returns: a matplotlib ``Figure`` made without pyplot.

:class:`Chart` is a :class:`matplotlib.figure.Figure`, so ``.savefig("x.png")``,
``.axes`` and everything else a figure has work as usual. It is made directly,
not through pyplot: drawing it never picks, loads or changes a backend, and
figures do not pile up in pyplot's list. It shows itself in Jupyter as the
value of a cell (a PNG), whatever backend is set. To draw with pyplot instead
(``plt.show()`` in a script, several plots in one grid), pass ``ax=`` from
``plt.subplots()`` to the plot: it draws there and returns that figure.

This module imports matplotlib; :mod:`simulate.plots` imports it only when a
plot is drawn.

>>> chart, axes = new_chart(2)
>>> isinstance(chart, Chart), len(axes)
(True, 2)
>>> chart._repr_png_()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["Chart", "new_chart"]


class Chart(Figure):
    """A matplotlib ``Figure`` that Jupyter shows as a PNG when it is a cell's value; see the module notes."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", bbox_inches="tight", dpi=100)
        return buf.getvalue()


def new_chart(rows: int = 1, *, width: float = 10.0, height: float = 4.0, **subplots: Any) -> tuple[Chart, list[Axes]]:
    """A :class:`Chart` of ``rows`` axes stacked one above the other (``height`` each, in inches), with a
    constrained layout; the axes as a list.

    >>> chart, (ax,) = new_chart(width=6, height=3)
    >>> [float(v) for v in chart.get_size_inches()]
    [6.0, 3.0]
    """
    chart = Chart(figsize=(width, height * rows), layout="constrained")
    axes = chart.subplots(rows, 1, squeeze=False, **subplots)
    return chart, [a for row in axes for a in row]
