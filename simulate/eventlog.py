"""The event log of a run: one row per step instance, for process mining.

Recorded when a run asks for it (``simulate.run(..., record_events=True)``):
each replication keeps one :class:`~simulate.engine.Event` per step a customer
reached. :func:`event_table` sets them out under pm4py's column names
(:meth:`Results.events <simulate.results.Results.events>`), and
:func:`save_events` writes that table as CSV, Parquet or XES.

Times become timestamps from Monday 1 January 2024, 00:00 (:data:`EVENT_LOG_BASE`);
cases are named ``r<replication>-c<customer>``.

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/coffee_shop.yaml")
>>> results = simulate.run(bp, days=0.05, replications=1, seed=1, record_events=True)
>>> list(event_table(results.replications).columns[:3])
['case:concept:name', 'concept:name', 'step']
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simulate.engine.output import Replication

__all__ = ["COLUMNS", "EVENT_LOG_BASE", "event_table", "save_events", "to_xes"]

EVENT_LOG_BASE = pd.Timestamp("2024-01-01 00:00:00")  # a Monday

#: The columns of :func:`event_table`, in order.
COLUMNS = ["case:concept:name", "concept:name", "step", "lane", "org:resource", "enable_timestamp",
           "start_timestamp", "time:timestamp", "lifecycle:transition", "replication"]


def event_table(replications: Sequence[Replication]) -> pd.DataFrame:
    """One row per step instance of every replication, under pm4py's column names (:data:`COLUMNS`).

    ``ValueError`` when a replication recorded no event log (run with ``record_events=True``).
    """
    if any(r.events is None for r in replications):
        raise ValueError("no event log: run with record_events=True")
    rows: list[dict[str, Any]] = []
    for i, r in enumerate(replications):
        for e in r.events or []:
            rows.append(
                {
                    "case:concept:name": f"r{i}-c{e['case']}",
                    "concept:name": e["label"],
                    "step": e["step"],
                    "lane": e["lane"],
                    "org:resource": e["resource"],
                    "enable_timestamp": EVENT_LOG_BASE + pd.to_timedelta(e["enabled"], unit="s"),
                    "start_timestamp": EVENT_LOG_BASE + pd.to_timedelta(e["start"], unit="s") if e["start"] is not None else pd.NaT,
                    "time:timestamp": EVENT_LOG_BASE + pd.to_timedelta(e["end"], unit="s"),
                    "lifecycle:transition": "complete" if e["outcome"] == "completed" else "ate_abort",
                    "replication": i,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def save_events(table: pd.DataFrame, path: str | Path) -> Path:
    """Write an :func:`event_table` as CSV, Parquet or XES (by the suffix of ``path``), atomically."""
    from blueprint.files import write_atomically

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        write_atomically(p, table.to_csv(index=False).encode("utf-8"))
    elif suffix == ".parquet":
        buf = io.BytesIO()
        table.to_parquet(buf, index=False)
        write_atomically(p, buf.getvalue())
    elif suffix == ".xes":
        write_atomically(p, to_xes(table).encode("utf-8"))
    else:
        raise ValueError(f"cannot write an event log as {suffix!r}; use .csv, .parquet or .xes")
    return p


def to_xes(table: pd.DataFrame) -> str:
    """A minimal XES document of an :func:`event_table` (traces by case, one event per completed or aborted step).

    >>> print(to_xes(pd.DataFrame(columns=COLUMNS)).splitlines()[1])
    <log xes.version="1.0" xmlns="http://www.xes-standard.org/">
    """
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">']
    for case, events in table.groupby("case:concept:name", sort=False):
        out.append(f'  <trace><string key="concept:name" value="{html.escape(str(case))}"/>')
        for _, e in events.iterrows():
            out.append(
                f'    <event><string key="concept:name" value="{html.escape(str(e["concept:name"]))}"/>'
                f'<string key="org:resource" value="{html.escape(str(e["org:resource"]))}"/>'
                f'<string key="lifecycle:transition" value="{e["lifecycle:transition"]}"/>'
                f'<date key="time:timestamp" value="{e["time:timestamp"].isoformat()}"/></event>'
            )
        out.append("  </trace>")
    out.append("</log>")
    return "\n".join(out) + "\n"
