"""Saving results and comparisons to JSON and Parquet gives back every field of every replication.

The fields are enumerated from the engine's output types (``dataclasses.fields``), never listed by
hand: a field added to :class:`simulate.engine.Replication` or to one of its records is checked
here the day it is added.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import blueprint
import simulate
from simulate.engine import Replication
from simulate.scenarios import Comparison

from .test_simulation import same

BLUEPRINT = "examples/contact_center.yaml"
SCENARIOS = "examples/contact_center.scenarios.yaml"
FORMATS = (".json", ".parquet")


def differences(a: Any, b: Any, path: str = "replication") -> list[str]:
    """Where ``a`` and ``b`` differ, walking records field by field: values (NaN equal to NaN) and types."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        if type(a) is not type(b):
            return [f"{path}: {type(a).__name__} became {type(b).__name__}"]
        return [d for f in dataclasses.fields(a) for d in differences(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")]
    if isinstance(a, dict):
        if not isinstance(b, dict) or list(a) != list(b):
            return [f"{path}: keys {list(a)} became {list(b) if isinstance(b, dict) else b!r}"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}[{k!r}]")]
    if isinstance(a, np.ndarray):  # the event log's columns
        if not isinstance(b, np.ndarray) or (a.dtype, a.shape) != (b.dtype, b.shape):
            return [f"{path}: array {a.dtype}{a.shape} became {b!r}"]
        same_values = np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        return [] if same_values else [f"{path}: {int((a != b).sum())} values changed"]
    if isinstance(a, (list, tuple)):
        if type(a) is not type(b) or len(a) != len(b):
            return [f"{path}: {type(a).__name__} of {len(a)} became {b!r}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    if type(a) is not type(b):
        return [f"{path}: {a!r} ({type(a).__name__}) became {b!r} ({type(b).__name__})"]
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return []
    return [] if a == b else [f"{path}: {a!r} became {b!r}"]


def empty_fields(rep: Replication) -> list[str]:
    """Fields of a replication with nothing in them (the round trip would prove nothing about them)."""
    out = []
    for f in dataclasses.fields(rep):
        value = getattr(rep, f.name)
        if value is None or (isinstance(value, (dict, list, tuple)) and not value):
            out.append(f.name)
    return out


def same_frames(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal tables; cells holding dicts or tuples (evidence, intervals) compared with NaN equal to NaN."""
    assert list(a.columns) == list(b.columns) and a.index.equals(b.index)
    for col in a.columns:
        x, y = a[col], b[col]
        if x.dtype == object:
            assert all(same(p, q) for p, q in zip(x, y)), col
        else:
            pd.testing.assert_series_equal(x, y, check_exact=True)


def assert_same_results(a: simulate.Results, b: simulate.Results) -> None:
    assert (b.blueprint, b.seed, b.days, b.warmup, b.interval) == (a.blueprint, a.seed, a.days, a.warmup, a.interval)
    assert len(b.replications) == len(a.replications)
    for x, y in zip(a.replications, b.replications):
        assert not differences(x, y), "\n".join(differences(x, y)[:20])
    for table in ("summary", "steps", "journeys", "staff", "roles"):
        same_frames(getattr(a, table)(), getattr(b, table)())
    same_frames(a.fail_points(what_if=0), b.fail_points(what_if=0))
    pd.testing.assert_frame_equal(a.events, b.events)


@pytest.fixture(scope="module")
def results() -> simulate.Results:
    bp = blueprint.load(BLUEPRINT)
    return simulate.run(bp, days=1, replications=3, seed=2026, warmup="1 h", record_events=True, executor="serial",
                        progress=False)


ROUTED = "examples/bilingual_hotline.yaml"  # skills-based routing fills the fields a single-pool blueprint leaves empty
ROUTING_FIELDS = {"served_calls", "served_busy"}


@pytest.fixture(scope="module")
def routed() -> simulate.Results:
    bp = blueprint.load(ROUTED)
    bp.get_role("english").waiting_room = 0  # and blocking at a queue, per interval
    return simulate.run(bp, days=1, replications=2, seed=11, record_events=True, executor="serial", progress=False)


def test_the_run_fills_every_field(results: simulate.Results, routed: simulate.Results) -> None:
    for rep in results.replications:
        assert set(empty_fields(rep)) <= ROUTING_FIELDS
    for rep in routed.replications:
        assert not empty_fields(rep)
        assert sum(rep.roles["english"].blocked) > 0 and rep.journeys.blocked > 0
    # what a lossy file used to drop: the findings read from step_intervals, branches and outcome_time
    kinds = set(results.fail_points(what_if=0)["kind"])
    assert {"waiting", "bottleneck"} <= kinds or {"hand-off", "bottleneck"} <= kinds, kinds


@pytest.mark.parametrize("suffix", FORMATS)
def test_routed_results_keep_every_field(tmp_path: Path, routed: simulate.Results, suffix: str) -> None:
    again = simulate.Results.load(routed.save(tmp_path / f"routed{suffix}"))
    assert_same_results(routed, again)
    same_frames(routed.served(), again.served())
    same_frames(routed.groups(), again.groups())


@pytest.mark.parametrize("suffix", FORMATS)
def test_results_keep_every_field(tmp_path: Path, results: simulate.Results, suffix: str) -> None:
    again = simulate.Results.load(results.save(tmp_path / f"run{suffix}"))
    assert_same_results(results, again)
    assert len(again.fail_points(what_if=0)) == len(results.fail_points(what_if=0))


def test_the_check_sees_a_lost_field(results: simulate.Results) -> None:
    """The walk above finds a field that did not come back (here: one series cut short)."""
    rep = results.replications[0]
    role = next(iter(rep.roles))
    cut = dataclasses.replace(rep, roles={**rep.roles, role: dataclasses.replace(rep.roles[role], work=[])})
    assert differences(rep, cut) == [f"replication.roles[{role!r}].work: list of {len(rep.roles[role].work)} became []"]


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    bp = blueprint.load(BLUEPRINT)
    c = simulate.compare(bp, SCENARIOS, replications=2, days=0.5, seed=7, executor="serial", progress=False)
    for name, res in c.results.items():  # with event logs, to check they travel too
        c.results[name] = simulate.run(res.blueprint, days=0.5, replications=2, seed=7, record_events=True,
                                       executor="serial", progress=False)
    return c


@pytest.mark.parametrize("suffix", FORMATS)
def test_comparisons_keep_every_field(tmp_path: Path, comparison: Comparison, suffix: str) -> None:
    again = Comparison.load(comparison.save(tmp_path / f"compare{suffix}"))
    assert again.names == comparison.names and again.baseline == comparison.baseline
    assert again.scenarios == comparison.scenarios
    for name in comparison.names:
        for rep in comparison.results[name].replications:
            assert set(empty_fields(rep)) <= ROUTING_FIELDS
        assert_same_results(comparison.results[name], again.results[name])
    same_frames(comparison.table(), again.table())
    same_frames(comparison.differences(), again.differences())
    same_frames(comparison.figures(), again.figures())



@pytest.mark.parametrize("kind", ["results", "comparison"])
def test_a_damaged_or_foreign_file_is_named_with_what_is_wrong(tmp_path: Path, results: simulate.Results, kind: str) -> None:
    """Not a traceback from inside the reader: a ValueError naming the file and, where known, the field."""
    import json

    loader = simulate.Results.load if kind == "results" else Comparison.load
    saved = json.loads(results.save(tmp_path / "good.json").read_text(encoding="utf-8"))
    if kind == "comparison":
        saved["format"] = "service-blueprint comparison"
    cases = {
        "empty.json": ("", "not JSON (Expecting value at line 1, column 1)"),
        "text.json": ("no, not JSON", "not JSON"),
        "list.json": ("[]", f"not a file of service-blueprint {kind}"),
        "newer.json": (json.dumps({**saved, "version": 99}), "newer version"),
        "version.json": (json.dumps({**saved, "version": "two"}), "version: expected a whole number"),
        "nested.json": (json.dumps({**saved, "replications": [[[[[]]]]] * 2}), f"a damaged file of service-blueprint {kind}"),
        "garbage.parquet": ("PAR1 not really", f"a damaged file of service-blueprint {kind}"),
    }
    if kind == "results":
        cases |= {
            "no_blueprint.json": (json.dumps({k: v for k, v in saved.items() if k != "blueprint"}), "'blueprint' is missing"),
            "no_reps.json": (json.dumps({k: v for k, v in saved.items() if k != "replications"}), "'replications' is missing"),
            "bad_seed.json": (json.dumps({**saved, "seed": "abc"}), "a damaged file of service-blueprint results"),
            "bad_rep.json": (json.dumps({**saved, "replications": [{"x": 1}]}), "a damaged file of service-blueprint results"),
            "bad_bp.json": (json.dumps({**saved, "blueprint": {**saved["blueprint"], "name": 3}}), "its blueprint.name"),
        }
    for name, (text, says) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError) as err:
            loader(path)
        assert str(path) in str(err.value) and says in str(err.value), (name, str(err.value))
    with pytest.raises(FileNotFoundError):
        loader(tmp_path / "missing.json")
