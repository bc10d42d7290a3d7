"""Saving results and comparisons to files, and loading them back.

Two formats, chosen by the suffix:

* ``.json``: one readable document with the blueprint that was run, the seed,
  the run's settings and every replication's numbers. Numbers that JSON
  cannot hold (NaN, infinity) are written as ``{"$float": "nan"}``, so the
  file stays strict JSON.
* ``.parquet``: a long table, one row per number (``replication``,
  ``section``, ``name``, ``metric``, ``interval``, ``value``; a comparison adds
  ``scenario``), readable by any Parquet tool; the blueprint, the seed and the
  settings travel in the file's metadata. Event logs, when recorded, are kept
  column by column under the section ``events`` (``metric`` the column,
  ``interval`` the event's position); the names in their step tables
  (``step_ids``, ``labels``, ``lanes``, ``roles``) are in the text column
  ``event``, and a row with no metric holds the number of events.

Both formats are written and read by walking the fields of
:class:`~simulate.engine.Replication` and of the records in it
(:func:`dataclasses.fields`), not from a list kept here: a field added to the
engine's output is saved and loaded with the rest. In the long table the
``section`` is the replication's field (``steps``, ``roles``,
``step_intervals``, ...; scalars under ``settings``), ``name`` the step or role
it is keyed by, ``metric`` the record's field and ``interval`` the position in
a per-interval series (-1 for a single number).

Loading gives back equal numbers of the same types, so runs from different
days can be set side by side; files of format 1 (event logs one record per
event) still load. Files are written atomically.

>>> import blueprint, simulate, tempfile, pathlib
>>> bp = blueprint.load("examples/coffee_shop.yaml")
>>> results = simulate.run(bp, days=0.25, replications=2, seed=3)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "coffee.json"
>>> _ = results.save(path)
>>> again = simulate.Results.load(path)
>>> again.seed, again.blueprint == bp, again.summary().equals(results.summary())
(3, True, True)
"""

from __future__ import annotations

import io
import json
import math
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pydantic

from blueprint import Blueprint
from blueprint.files import write_atomically
from simulate.engine.output import EventLog, Replication
from simulate.eventlog import log_from_records
from simulate.results import Results

if TYPE_CHECKING:
    from simulate.scenarios.compare import Comparison

__all__ = ["FORMAT_VERSION", "load_comparison", "load_results", "save_comparison", "save_results"]

FORMAT_VERSION = 2  # 2: event logs by column (1: a record per event, still read)
_RESULTS = "service-blueprint results"
_COMPARISON = "service-blueprint comparison"
_META_KEY = b"service-blueprint"
_NONFINITE = "$float"


def _format_of(path: Path, format: str | None) -> str:
    fmt = (format or path.suffix.lstrip(".")).lower()
    if fmt not in ("json", "parquet"):
        raise ValueError(f"cannot save results as {fmt or path.name!r}; use .json or .parquet")
    return fmt


# -- plain data ---------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """Plain JSON data; NaN and infinities tagged."""
    if isinstance(value, float) and not math.isfinite(value):
        return {_NONFINITE: "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and _NONFINITE in value:
            return float(value[_NONFINITE])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _blueprint_data(bp: Blueprint) -> Any:
    return json.loads(bp.to_json())


def _plain(value: Any) -> Any:
    """Records (dataclasses) as dicts of their fields, tuples and arrays as lists, all the way down."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _build(tp: Any, data: Any) -> Any:
    """``data`` (from :func:`_plain`, JSON or the long table) as a value of type ``tp``: records rebuilt
    field by field, numbers as the type declares (counts stored as floats become ints again)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        (tp,) = [a for a in args if a is not type(None)]
        return _build(tp, data)
    if is_dataclass(tp) and isinstance(tp, type):
        if isinstance(data, tp):
            return data  # built already (event logs read by column)
        hints = _hints(tp)
        values = {}
        for f in fields(tp):
            if f.name in data:
                values[f.name] = _build(hints[f.name], data[f.name])
            elif f.default is MISSING and f.default_factory is MISSING and typing.get_origin(hints[f.name]) is list:
                values[f.name] = []  # an empty series writes no rows
        return tp(**values)
    if origin is dict:
        return {k: _build(args[1], v) for k, v in data.items()}
    if origin is list:
        return [_build(args[0], v) for v in data]
    if origin is tuple:
        return tuple(_build(args[0], v) for v in data)
    if tp is int:
        return int(data)
    if tp is float:
        return float(data)
    return data  # strings, and arrays as lists (the record converts them)


def _replication_data(rep: Replication) -> dict[str, Any]:
    data: dict[str, Any] = _plain(rep)
    return data


def _replication(data: dict[str, Any]) -> Replication:
    if isinstance(data.get("events"), list):  # format 1: one record per event
        data = {**data, "events": log_from_records(data["events"])}
    rep: Replication = _build(Replication, data)
    return rep


def _settings(results: Results) -> dict[str, Any]:
    return {"seed": results.seed, "days": results.days, "warmup": results.warmup, "interval": results.interval}


def results_document(results: Results) -> dict[str, Any]:
    """The JSON document of a run (NaN and infinities tagged)."""
    return _encode(
        {
            "format": _RESULTS,
            "version": FORMAT_VERSION,
            "blueprint": _blueprint_data(results.blueprint),
            **_settings(results),
            "replications": [_replication_data(r) for r in results.replications],
        }
    )


def results_from_document(doc: dict[str, Any], source: str = "<document>") -> Results:
    """A run back from :func:`results_document`."""
    doc = _decode(doc)
    _check_format(doc, _RESULTS, source)
    return Results(
        blueprint=Blueprint.model_validate(doc["blueprint"]),
        replications=[_replication(r) for r in doc["replications"]],
        seed=int(doc["seed"]), days=float(doc["days"]), warmup=float(doc["warmup"]), interval=float(doc["interval"]),
    )


class _FileError(ValueError):
    """A file that is not one of ours, or not in a form this version reads (its message names the file)."""


def _check_format(doc: Any, kind: str, source: str) -> None:
    if not isinstance(doc, dict) or doc.get("format") != kind:
        found = doc.get("format") if isinstance(doc, dict) else None
        raise _FileError(f"{source}: not a file of {kind}" + (f" (it holds {str(found)[:80]})" if found else ""))
    version = doc.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise _FileError(f"{source}: version: expected a whole number, got {repr(version)[:80]}")
    if version > FORMAT_VERSION:
        raise _FileError(f"{source}: written by a newer version (format {version}); upgrade service-blueprint")


T = TypeVar("T")


def _read(source: Path, kind: str, build: Callable[[], T]) -> T:
    """``build()``, whose failures on a damaged or foreign file are one ``ValueError`` naming the file and,
    where known, the field (a missing file, a folder or no permission stay the ``OSError`` they are)."""
    damaged = f"{source}: a damaged file of {kind}"
    try:
        return build()
    except _FileError:
        raise
    except json.JSONDecodeError as e:
        raise ValueError(f"{source}: not JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    except pydantic.ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ValueError(f"{damaged}: its {e.title.lower()}{'.' + where if where else ''}: {first['msg']}") from None
    except KeyError as e:
        raise ValueError(f"{damaged}: {repr(e.args[0])[:80]} is missing") from None
    except RecursionError:
        raise ValueError(f"{damaged}: nested too deeply") from None
    except (TypeError, ValueError, AttributeError, IndexError, OverflowError) as e:  # pyarrow's ArrowInvalid is a ValueError
        raise ValueError(f"{damaged}: {str(e)[:200]}") from None


# -- Parquet: one number per row --------------------------------------------------------------

_COLUMNS = ("replication", "section", "name", "metric", "interval", "value", "event")


Row = tuple[str, str, str, int, Any, str | None]  # section, name, metric, interval, value, event


def _record_rows(section: str, name: str, record: Any) -> Iterator[Row]:
    """The rows of one record: a number per scalar field, one per interval for a series."""
    for f in fields(record):
        yield from _value_rows(section, name, f.name, getattr(record, f.name))


def _value_rows(section: str, name: str, metric: str, value: Any) -> Iterator[Row]:
    if isinstance(value, (list, tuple)):
        for n, v in enumerate(value):
            yield section, name, metric, n, v, None
    elif value is None or isinstance(value, (int, float)):
        yield section, name, metric, -1, value, None
    else:
        raise TypeError(f"cannot write {section}/{name}/{metric} of type {type(value).__name__} to the long table")


def _replication_rows(r: Replication) -> Iterator[Row]:
    """Every field of a replication as rows of the long table, walking its fields."""
    for f in fields(r):
        value = getattr(r, f.name)
        if f.name == "seed":
            yield from _value_rows("seed", "", "", value)
        elif f.name == "events":
            continue  # by column, in _event_rows
        elif is_dataclass(value):
            yield from _record_rows(f.name, "", value)
        elif isinstance(value, dict):
            for key, item in value.items():
                if is_dataclass(item):
                    yield from _record_rows(f.name, key, item)
                else:
                    yield from _value_rows(f.name, key, "", item)
        else:
            yield from _value_rows("settings", "", f.name, value)


_TEXT_FIELDS = ("step_ids", "labels", "lanes", "roles", "groups")  # the event log's name tables, in the text column


def _event_rows(i: int, log: EventLog, out: dict[str, list[Any]], scenario: str | None) -> None:
    """Append replication ``i``'s event log to the column lists in ``out``: its size, each column's
    values (numbers), each step table's names (text), a list extended per column, not a row at a time."""
    blocks: list[tuple[str, list[float], list[str | None]]] = [("", [float(len(log))], [None])]
    blocks += [(name, getattr(log, name).astype(np.float64).tolist(), [None] * len(log)) for name in EventLog.columns()]
    blocks += [(name, [math.nan] * len(getattr(log, name)), list(getattr(log, name))) for name in _TEXT_FIELDS]
    for metric, values, texts in blocks:
        m = len(values)
        out["replication"].extend([i] * m)
        out["section"].extend(["events"] * m)
        out["name"].extend([""] * m)
        out["metric"].extend([metric] * m)
        out["interval"].extend([-1] if metric == "" else range(m))
        out["value"].extend(values)
        out["event"].extend(texts)
        if scenario is not None:
            out["scenario"].extend([scenario] * m)


def _rows(results: Results, out: dict[str, list[Any]], scenario: str | None = None) -> None:
    """Append the rows of every replication of ``results`` to the column lists in ``out``."""
    for i, r in enumerate(results.replications):
        if r.events is not None:
            _event_rows(i, r.events, out, scenario)
        for section, name, metric, interval, value, event in _replication_rows(r):
            out["replication"].append(i)
            out["section"].append(section)
            out["name"].append(name)
            out["metric"].append(metric)
            out["interval"].append(interval)
            out["value"].append(float(value) if value is not None else math.nan)
            out["event"].append(event)
            if scenario is not None:
                out["scenario"].append(scenario)


def _put(target: Any, key: str, interval: int, value: Any) -> None:
    """Set ``target[key]`` to ``value``, or its ``interval``-th entry for a series."""
    if interval < 0:
        target[key] = value
        return
    series = target.setdefault(key, [])
    series.extend([None] * (interval + 1 - len(series)))
    series[interval] = value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None  # a missing name reads back as None or NaN


def _event_logs(frame: Any) -> dict[int, EventLog]:
    """The event logs in the rows of one run, by replication: column by column (format 2), or one
    JSON record per event (format 1)."""
    logs = {}
    for rep, g in frame.groupby("replication", sort=True):
        old = g[g["section"] == "event"]
        if len(old) or not (g["metric"] != "").any():
            records = [_decode(json.loads(e)) for e in old.sort_values("interval")["event"]]
            logs[int(rep)] = log_from_records(records)
            continue
        data: dict[str, Any] = {}
        for metric, h in g[g["metric"] != ""].groupby("metric", sort=False):
            h = h.sort_values("interval")
            data[metric] = [_text(v) for v in h["event"].tolist()] if metric in _TEXT_FIELDS else h["value"].to_numpy()
        for name in EventLog.columns():  # a log without events writes no values
            data.setdefault(name, np.zeros(0))
        logs[int(rep)] = EventLog(**data)
    return logs


def _replications_from_rows(frame: Any) -> list[Replication]:
    """Replications back from the rows of one run, each section by the type of the replication's field."""
    hints = _hints(Replication)
    reps: dict[int, dict[str, Any]] = {}
    is_event = frame["section"].isin(["events", "event"])
    for rep, log in _event_logs(frame[is_event]).items():
        reps.setdefault(rep, {})["events"] = log
    frame = frame[~is_event]
    cols = [frame[c].tolist() for c in _COLUMNS]
    for rep, section, name, metric, interval, value, _text_value in zip(*cols):
        r = reps.setdefault(rep, {})
        if section == "seed":
            _put(r, "seed", interval, int(value))
        elif section == "settings":
            r[metric] = value
        elif section not in hints:
            raise ValueError(f"unknown section {section!r} in the table of results")
        elif typing.get_origin(hints[section]) is dict:
            # keyed by step or role: a record per key (metric = its field), or a series (metric "")
            inner = r.setdefault(section, {})
            if metric:
                _put(inner.setdefault(name, {}), metric, interval, value)
            else:
                _put(inner, name, interval, value)
        else:
            _put(r.setdefault(section, {}), metric, interval, value)
    return [_replication(reps[k]) for k in sorted(reps)]


def _write_parquet(path: Path, columns: dict[str, list[Any]], meta: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "scenario": pa.string(), "replication": pa.int32(), "section": pa.string(), "name": pa.string(),
        "metric": pa.string(), "interval": pa.int32(), "value": pa.float64(), "event": pa.string(),
    }
    table = pa.table({k: pa.array(v, type=types[k]) for k, v in columns.items()})
    table = table.replace_schema_metadata({_META_KEY: json.dumps(_encode(meta), ensure_ascii=False).encode("utf-8")})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    write_atomically(path, buf.getvalue())


def _read_parquet(path: Path) -> tuple[Any, dict[str, Any]]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(_META_KEY)
    if raw is None:
        raise _FileError(f"{path}: not a file of service-blueprint results (no metadata)")
    return table.to_pandas(), _decode(json.loads(raw.decode("utf-8")))


def _empty_columns(scenario: bool) -> dict[str, list[Any]]:
    return {k: [] for k in (("scenario",) if scenario else ()) + _COLUMNS}


# -- results ------------------------------------------------------------------------------------


def save_results(results: Results, path: str | Path, *, format: str | None = None) -> Path:
    """Write a run to ``.json`` or ``.parquet`` (by the suffix, or ``format``)."""
    p = Path(path)
    if _format_of(p, format) == "json":
        write_atomically(p, json.dumps(results_document(results), ensure_ascii=False).encode("utf-8"))
        return p
    columns = _empty_columns(scenario=False)
    _rows(results, columns)
    meta = {"format": _RESULTS, "version": FORMAT_VERSION, "blueprint": _blueprint_data(results.blueprint), **_settings(results)}
    _write_parquet(p, columns, meta)
    return p


def load_results(path: str | Path) -> Results:
    """Read a run written by :func:`save_results`.

    A file that is not one (another kind of file, not JSON or Parquet, a field missing or of the wrong
    type) raises ``ValueError`` naming the file and what is wrong; a missing file ``FileNotFoundError``.
    """
    p = Path(path)
    fmt = _format_of(p, None)

    def build() -> Results:
        if fmt == "json":
            return results_from_document(json.loads(p.read_bytes().decode("utf-8")), str(p))
        frame, meta = _read_parquet(p)
        _check_format(meta, _RESULTS, str(p))
        return Results(
            blueprint=Blueprint.model_validate(meta["blueprint"]), replications=_replications_from_rows(frame),
            seed=int(meta["seed"]), days=float(meta["days"]), warmup=float(meta["warmup"]), interval=float(meta["interval"]),
        )

    return _read(p, _RESULTS, build)


# -- comparisons ------------------------------------------------------------------------------


def _comparison_meta(c: Comparison) -> dict[str, Any]:
    return {
        "format": _COMPARISON,
        "version": FORMAT_VERSION,
        "blueprint": _blueprint_data(c.blueprint),
        "baseline": c.baseline,
        "names": list(c.names),
        "scenarios": {n: (s.to_data() if s is not None else None) for n, s in c.scenarios.items()},
        "blueprints": {n: _blueprint_data(r.blueprint) for n, r in c.results.items()},
        "settings": {n: _settings(r) for n, r in c.results.items()},
    }


def save_comparison(comparison: Comparison, path: str | Path, *, format: str | None = None) -> Path:
    """Write a comparison (every scenario's run, the blueprint and the scenarios) to ``.json`` or ``.parquet``."""
    p = Path(path)
    meta = _comparison_meta(comparison)
    if _format_of(p, format) == "json":
        doc = {**meta, "replications": {n: [_replication_data(x) for x in r.replications] for n, r in comparison.results.items()}}
        write_atomically(p, json.dumps(_encode(doc), ensure_ascii=False).encode("utf-8"))
        return p
    columns = _empty_columns(scenario=True)
    for name, results in comparison.results.items():
        _rows(results, columns, scenario=name)
    _write_parquet(p, columns, meta)
    return p


def load_comparison(path: str | Path) -> Comparison:
    """Read a comparison written by :func:`save_comparison` (errors as :func:`load_results`)."""
    from simulate.scenarios.compare import Comparison
    from simulate.scenarios.scenario import Scenario

    p = Path(path)
    fmt = _format_of(p, None)

    def build() -> Comparison:
        if fmt == "json":
            meta = _decode(json.loads(p.read_bytes().decode("utf-8")))
            _check_format(meta, _COMPARISON, str(p))
            reps = {n: [_replication(x) for x in v] for n, v in meta["replications"].items()}
        else:
            frame, meta = _read_parquet(p)
            _check_format(meta, _COMPARISON, str(p))
            reps = {n: _replications_from_rows(g) for n, g in frame.groupby("scenario", sort=False)}
        results = {}
        for n in meta["names"]:
            s = meta["settings"][n]
            results[n] = Results(
                blueprint=Blueprint.model_validate(meta["blueprints"][n]), replications=reps[n], seed=int(s["seed"]),
                days=float(s["days"]), warmup=float(s["warmup"]), interval=float(s["interval"]),
            )
        scenarios = {n: (Scenario.model_validate(d) if d is not None else None) for n, d in meta["scenarios"].items()}
        return Comparison(
            blueprint=Blueprint.model_validate(meta["blueprint"]), baseline=meta["baseline"], names=list(meta["names"]),
            scenarios=scenarios, results=results,
        )

    return _read(p, _COMPARISON, build)
