"""The event log of a run: one row per step instance, for process mining (pm4py, ProM, Disco, Celonis).

Recorded when a run asks for it (``simulate.run(..., record_events=True)``):
each replication keeps an :class:`~simulate.engine.EventLog`, a column per
attribute. :func:`event_table` sets the logs of all replications out as one
table under pm4py's column names, built from the columns at once (no Python
object per event), and :func:`save_events` writes it as CSV, Parquet or XES.

The table (:data:`COLUMNS`), sorted by case, then by the time each instance
started and ended (the order pm4py reads an interval log in; ties in the order
the engine saw them):

* ``case:concept:name``: the customer, ``r<replication>-c<arrival number>``;
* ``concept:name``: the activity, the step's label; a customer who gave up
  waiting at a step is an instance of its own activity, ``"abandoned at
  <label>"``, that starts and completes when they gave up;
* ``org:resource``: who served: ``"<role>#<member>"``, the role of a system or
  self-service (an unlimited role), or empty where nobody did (a step without a
  role, or a customer who gave up);
* ``start_timestamp``, ``time:timestamp``: when the instance started and ended;
  ``enable_timestamp`` when the customer reached the step (joined its queue);
* ``step``, ``lane``, ``outcome`` (``"completed"`` or ``"abandoned"``),
  ``replication``, ``customer``.

Times are timestamps on a nominal calendar: time 0 of the run is **Monday 1
January 2024, 00:00** (:data:`EVENT_LOG_BASE`), with no time zone, to the
millisecond; pm4py reads them as UTC. The XES file has a ``start`` and a
``complete`` event per instance (``lifecycle:transition``, paired by
``concept:instance``), in time order within each trace, and ``org:resource``
only on events someone served.

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/coffee_shop.yaml")
>>> results = simulate.run(bp, days=0.35, replications=1, seed=1, record_events=True)
>>> table = event_table(results.replications)
>>> list(table.columns[:3])
['case:concept:name', 'concept:name', 'org:resource']
>>> row = table.loc[1]
>>> row["case:concept:name"], row["concept:name"], row["org:resource"], str(row["time:timestamp"])
('r0-c0', 'Take order', 'cashier#0', '2024-01-01 07:03:45.553000')
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulate.engine.output import ANY_MEMBER, NO_MEMBER, EventLog, Replication, member_name

__all__ = [
    "COLUMNS", "EVENT_LOG_BASE", "csv_chunks", "event_table", "log_from_records", "save_events", "to_xes", "xes_chunks",
]

EVENT_LOG_BASE = pd.Timestamp("2024-01-01 00:00:00")
"""Time 0 of a run in the event log: Monday 1 January 2024, 00:00 (a nominal date, no time zone)."""

_BASE_MS = np.datetime64("2024-01-01T00:00:00", "ms")

#: The columns of :func:`event_table`, in order.
COLUMNS = ["case:concept:name", "concept:name", "org:resource", "start_timestamp", "time:timestamp",
           "enable_timestamp", "step", "lane", "outcome", "replication", "customer"]


# -- the table ----------------------------------------------------------------------------------


def _stamps(seconds: np.ndarray) -> np.ndarray:
    """Seconds from the start of the run as timestamps to the millisecond on the nominal calendar."""
    return _BASE_MS + np.rint(seconds * 1000.0).astype(np.int64).astype("timedelta64[ms]")


def _resources(roles: np.ndarray, codes: np.ndarray, member: np.ndarray, groups: tuple[str, ...] = ()) -> np.ndarray:
    """``org:resource`` of every instance: ``role#member`` (``group#member`` for a staff group's member), the role
    of an unlimited one, None without."""
    out = np.full(codes.shape[0], None, dtype=object)
    has = (member != NO_MEMBER) & (roles[codes] != None)  # noqa: E711  # elementwise over an object array
    if has.any():
        key = codes[has].astype(np.int64) * (1 << 32) + (member[has].astype(np.int64) - NO_MEMBER)
        unique, inverse = np.unique(key, return_inverse=True)
        names = []
        for k in unique.tolist():
            names.append(member_name(roles[k >> 32], (k & 0xFFFFFFFF) + NO_MEMBER, groups))
        out[has] = np.array(names, dtype=object)[inverse]
    return out


def _case_names(rep: np.ndarray, case: np.ndarray) -> np.ndarray:
    """``r<replication>-c<customer>`` for rows sorted by replication and case: formatted once per case."""
    n = rep.shape[0]
    if n == 0:
        return np.array([], dtype=object)
    new = np.empty(n, dtype=bool)
    new[0] = True
    new[1:] = (rep[1:] != rep[:-1]) | (case[1:] != case[:-1])
    first = np.flatnonzero(new)
    names = np.array([f"r{r}-c{c}" for r, c in zip(rep[first].tolist(), case[first].tolist())], dtype=object)
    return names[np.cumsum(new) - 1]


def event_table(replications: Sequence[Replication]) -> pd.DataFrame:
    """One row per step instance of every replication, under pm4py's column names (:data:`COLUMNS`; see
    the module notes), sorted by case, start and end time.

    ``ValueError`` when a replication recorded no event log (run with ``record_events=True``).
    """
    logs: list[EventLog] = []
    for r in replications:
        if r.events is None:
            raise ValueError("no event log: run with record_events=True")
        logs.append(r.events)
    sizes = np.array([len(g) for g in logs], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum([len(g.step_ids) for g in logs])]).astype(np.int64)

    def cat(name: str, dtype: Any) -> np.ndarray:
        return np.concatenate([getattr(g, name) for g in logs]) if logs else np.array([], dtype=dtype)

    def table(name: str) -> np.ndarray:
        return np.array([v for g in logs for v in getattr(g, name)], dtype=object)

    rep = np.repeat(np.arange(len(logs), dtype=np.int64), sizes)
    case, end, abandoned = cat("case", np.int64), cat("end", np.float64), cat("abandoned", np.bool_)
    start = np.where(abandoned, end, cat("start", np.float64))  # giving up is a moment
    codes = cat("step", np.int32).astype(np.int64) + np.repeat(offsets[:-1], sizes)
    order = np.lexsort((np.rint(end * 1000.0), np.rint(start * 1000.0), case, rep))  # stable: ties in the engine's order
    rep, case, start, end, codes, abandoned = rep[order], case[order], start[order], end[order], codes[order], abandoned[order]
    labels = table("labels")
    activities = np.concatenate([labels, np.array([f"abandoned at {x}" for x in labels], dtype=object)])
    return pd.DataFrame({
        "case:concept:name": _case_names(rep, case),
        "concept:name": activities[codes + abandoned * len(labels)],
        "org:resource": _resources(table("roles"), codes, cat("member", np.int32)[order], logs[0].groups if logs else ()),
        "start_timestamp": _stamps(start),
        "time:timestamp": _stamps(end),
        "enable_timestamp": _stamps(cat("enabled", np.float64)[order]),
        "step": table("step_ids")[codes],
        "lane": table("lanes")[codes],
        "outcome": np.where(abandoned, "abandoned", "completed").astype(object),
        "replication": rep,
        "customer": case,
    }, columns=COLUMNS)


def log_from_records(records: Sequence[dict[str, Any]]) -> EventLog:
    """An :class:`~simulate.engine.EventLog` from events one record each (files written before the log
    was kept by column: ``case``, ``step``, ``label``, ``lane``, ``resource``, ``enabled``, ``start``,
    ``end``, ``outcome``).

    >>> log = log_from_records([{"case": 4, "step": "answer", "label": "Answer", "lane": "onstage",
    ...     "resource": "agent#2", "enabled": 1.0, "start": 3.0, "end": 9.0, "outcome": "completed"}])
    >>> log.records()[0]["resource"], log.roles
    ('agent#2', ('agent',))
    """
    index: dict[str, int] = {}
    labels: list[str] = []
    lanes: list[str] = []
    roles: list[str | None] = []
    step, member = [], []
    for e in records:
        n = index.setdefault(e["step"], len(index))
        if n == len(labels):
            labels.append(e["label"])
            lanes.append(e["lane"])
            roles.append(None)
        res = e.get("resource")
        if res is None:
            member.append(NO_MEMBER)
        else:
            role, _, m = str(res).rpartition("#")
            roles[n] = role or str(res)
            member.append(int(m) if role and m.lstrip("-").isdigit() else ANY_MEMBER)
        step.append(n)
    def column(values: list[Any], dtype: Any) -> Any:
        return np.array(values, dtype=dtype)

    return EventLog(
        case=column([e["case"] for e in records], np.int64), step=column(step, np.int32),
        member=column(member, np.int32), enabled=column([e["enabled"] for e in records], np.float64),
        start=column([np.nan if e["start"] is None else e["start"] for e in records], np.float64),
        end=column([e["end"] for e in records], np.float64),
        abandoned=column([e["outcome"] == "abandoned" for e in records], np.bool_), step_ids=tuple(index),
        labels=tuple(labels), lanes=tuple(lanes), roles=tuple(roles),
    )


# -- files ----------------------------------------------------------------------------------------


def save_events(table: pd.DataFrame, path: str | Path) -> Path:
    """Write an :func:`event_table` (or a selection of its rows) as CSV, Parquet or XES, by the suffix
    of ``path``, atomically. CSV and Parquet keep the table's columns; XES is described in the module notes.

    >>> import blueprint, simulate, tempfile
    >>> results = simulate.run(blueprint.load("examples/coffee_shop.yaml"), days=0.35, seed=1, record_events=True)
    >>> table = results.events
    >>> folder = Path(tempfile.mkdtemp())
    >>> for suffix in ("csv", "parquet", "xes"):
    ...     _ = save_events(table, folder / f"log.{suffix}")
    >>> len(pd.read_csv(folder / "log.csv")) == len(table) == len(pd.read_parquet(folder / "log.parquet"))
    True
    """
    from blueprint.files import write_atomically

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        write_atomically(p, (chunk.encode("utf-8") for chunk in csv_chunks(table)))
    elif suffix == ".parquet":
        buf = io.BytesIO()
        table.to_parquet(buf, index=False, compression="zstd")
        write_atomically(p, buf.getvalue())
    elif suffix == ".xes":
        write_atomically(p, (chunk.encode("utf-8") for chunk in xes_chunks(table)))
    else:
        raise ValueError(f"{p}: cannot write an event log as {suffix or 'a file without a suffix'!r}; "
                         "use .csv, .parquet or .xes")
    return p


def csv_chunks(table: pd.DataFrame, rows: int = 50_000) -> Iterator[str]:
    """The CSV text of ``table`` (a header, then the rows), ``rows`` rows at a time.

    >>> [len(chunk.splitlines()) for chunk in csv_chunks(pd.DataFrame({"a": range(5)}), rows=2)]
    [3, 2, 1]
    """
    for i in range(0, max(len(table), 1), rows):
        yield table.iloc[i:i + rows].to_csv(index=False, header=i == 0)


_XML_SPECIAL = re.compile('[&<>"\x00-\x1f\ud800-\udfff\ufffe\uffff]')
_XML_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}


def _attr(text: str) -> str:
    """``text`` as an XML attribute value: markup escaped, tabs and line breaks kept as character
    references, the characters XML 1.0 does not allow (other control characters, surrogates,
    U+FFFE and U+FFFF) replaced by U+FFFD."""
    return _XML_SPECIAL.sub(lambda m: _XML_ENTITY.get(m.group(), "\ufffd"), text)


def _heads(table: pd.DataFrame) -> list[str]:
    """Per row, the XES text of the attributes its start and complete events share (activity, resource
    where there is one, step, lane), made once per distinct combination."""
    keys = [c for c in ("concept:name", "org:resource", "step", "lane") if c in table.columns]
    groups = table.groupby(keys, dropna=False, sort=False).ngroup().to_numpy() if len(table) else np.zeros(0, int)
    firsts = pd.Series(np.arange(len(table))).groupby(groups).first().to_numpy() if len(table) else []
    heads = []
    for r in firsts:
        row = table.iloc[int(r)]
        heads.append("".join(f'<string key="{c}" value="{_attr(str(row[c]))}"/>' for c in keys if not pd.isna(row[c])))
    return [heads[g] for g in groups.tolist()]


def _ms(column: pd.Series) -> np.ndarray:
    """Timestamps as milliseconds since the epoch (NaT as the smallest int64)."""
    return pd.to_datetime(column).to_numpy("datetime64[ms]").astype(np.int64)


def _xes_events(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The order of the XES events: two per row (start, complete), by case (in the order cases first
    appear), then time, then row (a start before its own complete). Returns per XES event its row,
    whether it is the complete event, its time (ms since the epoch) and the row's case code."""
    n = len(table)
    cases = pd.factorize(table["case:concept:name"])[0]  # codes in the order cases first appear
    end = _ms(table["time:timestamp"])
    start = _ms(table["start_timestamp"]) if "start_timestamp" in table.columns else end
    start = np.where(start == np.iinfo(np.int64).min, end, start)  # no start: the instance is a moment
    row = np.repeat(np.arange(n), 2)
    complete = np.tile(np.array([False, True]), n)
    when = np.where(complete, end[row], start[row])
    order = np.lexsort((np.arange(2 * n), when, cases[row]))
    return row[order], complete[order], when[order], cases[row[order]]


def xes_chunks(table: pd.DataFrame, events: int = 20_000) -> Iterator[str]:
    """The XES text of an :func:`event_table`, ``events`` XES events at a time (see the module notes):
    a trace per case, a ``start`` and a ``complete`` event per row, in time order within the trace; the
    row number is the ``concept:instance`` that pairs them.

    >>> one = pd.DataFrame({"case:concept:name": ["c1"], "concept:name": ["Pay"], "org:resource": [None],
    ...                     "start_timestamp": [EVENT_LOG_BASE], "time:timestamp": [EVENT_LOG_BASE + pd.Timedelta("90s")]})
    >>> print("".join(xes_chunks(one)).split("<trace>")[1])  # doctest: +NORMALIZE_WHITESPACE
    <string key="concept:name" value="c1"/>
    <event><string key="concept:name" value="Pay"/><string key="lifecycle:transition" value="start"/><date
    key="time:timestamp" value="2024-01-01T00:00:00.000"/><string key="concept:instance" value="0"/></event>
    <event><string key="concept:name" value="Pay"/><string key="lifecycle:transition" value="complete"/><date
    key="time:timestamp" value="2024-01-01T00:01:30.000"/><string key="concept:instance" value="0"/></event>
    </trace>
    </log>
    """
    row, complete, when, case = _xes_events(table)
    names = pd.factorize(table["case:concept:name"])[1]
    heads = _heads(table)
    first = np.ones(row.shape[0], dtype=bool)  # the first event of a trace
    first[1:] = case[1:] != case[:-1]
    last = np.ones(row.shape[0], dtype=bool)
    last[:-1] = first[1:]
    reps = table["replication"].to_numpy() if "replication" in table.columns else None
    stamps = np.datetime_as_string(when.astype("datetime64[ms]"), unit="ms").tolist()
    yield _XES_HEAD
    lifecycle = ('start"/><date key="time:timestamp" value="', 'complete"/><date key="time:timestamp" value="')
    for lo in range(0, row.shape[0], events):
        part = slice(lo, lo + events)
        out = []
        for r, c, done, stamp, opens, closes in zip(row[part].tolist(), case[part].tolist(), complete[part].tolist(),
                                                    stamps[part], first[part].tolist(), last[part].tolist()):
            if opens:
                extra = f'<int key="replication" value="{int(reps[r])}"/>' if reps is not None else ""
                out.append(f'<trace><string key="concept:name" value="{_attr(str(names[c]))}"/>{extra}\n')
            out.append(f'<event>{heads[r]}<string key="lifecycle:transition" value="{lifecycle[done]}{stamp}"/>'
                       f'<string key="concept:instance" value="{r}"/></event>\n')
            if closes:
                out.append("</trace>\n")
        yield "".join(out)
    yield "</log>\n"


_XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xes.features="" xmlns="http://www.xes-standard.org/">
<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
<classifier name="Activity" keys="concept:name"/>
<classifier name="Activity and transition" keys="concept:name lifecycle:transition"/>
"""


def to_xes(table: pd.DataFrame) -> str:
    """The XES document of an :func:`event_table` as one string (:func:`xes_chunks` joined).

    >>> print(to_xes(pd.DataFrame(columns=COLUMNS)).splitlines()[1])
    <log xes.version="1.0" xes.features="" xmlns="http://www.xes-standard.org/">
    """
    return "".join(xes_chunks(table))
