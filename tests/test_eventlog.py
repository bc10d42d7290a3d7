"""The event log: its table against a run worked out by hand, its files read back by pm4py.

The table's rows are checked against a deterministic desk whose every time is known, and its
counts against the engine's own step counters; the XES file is parsed with the standard library;
pm4py (a test-only dependency, AGPL) reads the CSV, Parquet and XES files and must find the same
directly-follows graph in each, equal to one counted here from the table with plain pandas.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import blueprint
import simulate
from simulate.engine import EventLog
from simulate.eventlog import COLUMNS, EVENT_LOG_BASE, event_table, log_from_records, save_events, to_xes
from simulate.run import extend

pytestmark = pytest.mark.filterwarnings("ignore:Install the optional requirement:UserWarning")  # pm4py's advert

XES = "{http://www.xes-standard.org/}"
GREETING = 'Say "hi" & <wave>'  # markup characters in a label: the XES must escape them


def desk() -> blueprint.Blueprint:
    """One agent, 90 s a customer, a customer a minute from 00:00, patience exactly 100 s."""
    bp = blueprint.Blueprint("Desk")
    hello = bp.customer(GREETING)
    serve = bp.onstage("Serve", role="agent", duration="90 s")
    leave = bp.customer("Leave")
    hello >> serve >> leave
    bp.role("agent", staffing=1)
    bp.arrive(hello, times=[f"00:0{k}:00" for k in range(8)], patience="100 s")
    return bp


# Worked out by hand: customer k arrives at 60·k s and is served in turn, 90 s each, unless the wait
# would pass 100 s. 0: 0–90; 1: 90–180; 2: 180–270; 3: 270–360; 4 would start at 360, gives up at 340;
# 5: 360–450; 6: 450–540; 7 would start at 540, gives up at 520.
SERVED = {0: (0, 90), 1: (90, 180), 2: (180, 270), 3: (270, 360), 5: (360, 450), 6: (450, 540)}
GAVE_UP = {4: 340, 7: 520}


def expected_desk_rows() -> list[tuple[str, str, float, float, float, str]]:
    """(case, activity, enabled, start, end, outcome) of every step instance, in case and end order."""
    rows = []
    for k in range(8):
        arrived = 60.0 * k
        rows.append((f"r0-c{k}", GREETING, arrived, arrived, arrived, "completed"))
        if k in SERVED:
            start, end = SERVED[k]
            rows.append((f"r0-c{k}", "Serve", arrived, start, end, "completed"))
            rows.append((f"r0-c{k}", "Leave", end, end, end, "completed"))
        else:
            rows.append((f"r0-c{k}", "abandoned at Serve", arrived, GAVE_UP[k], GAVE_UP[k], "abandoned"))
    return rows


@pytest.fixture(scope="module")
def desk_results() -> simulate.Results:
    return simulate.run(desk(), days=1, replications=1, seed=1, record_events=True, progress=False)


def stamp(seconds: float) -> pd.Timestamp:
    return EVENT_LOG_BASE + pd.Timedelta(seconds=seconds)


def test_the_table_is_the_run_worked_out_by_hand(desk_results: simulate.Results) -> None:
    table = desk_results.events
    assert list(table.columns) == COLUMNS
    got = [(r["case:concept:name"], r["concept:name"], r["enable_timestamp"], r["start_timestamp"],
            r["time:timestamp"], r["outcome"]) for _, r in table.iterrows()]
    want = [(c, a, stamp(en), stamp(st), stamp(e), o) for c, a, en, st, e, o in expected_desk_rows()]
    assert got == want
    served = table[table["concept:name"] == "Serve"]
    assert served["org:resource"].str.fullmatch(r"agent#\d+").all() and served["org:resource"].nunique() == 1
    others = table[table["concept:name"] != "Serve"]
    assert others["org:resource"].isna().all()  # nobody served them: no resource, not the text "nan"
    assert table["replication"].eq(0).all() and table["customer"].tolist() == [int(c.split("-c")[1]) for c in table["case:concept:name"]]
    assert set(table["lane"]) == {"customer", "onstage"}
    assert str(table["time:timestamp"].iloc[0]) == "2024-01-01 00:00:00"  # Monday 1 January 2024, the nominal date


def test_counts_match_the_engines_step_counters() -> None:
    """Every completed and abandoned visit of a step is one row (no warm-up: every customer counts)."""
    bp = blueprint.load("examples/contact_center.yaml")
    results = simulate.run(bp, days=1, replications=2, seed=5, record_events=True, progress=False)
    table = results.events
    for i, rep in enumerate(results.replications):
        rows = table[table["replication"] == i]
        for step_id, figures in rep.steps.items():
            at = rows[rows["step"] == step_id]
            assert (at["outcome"] == "completed").sum() == figures.completions, step_id
            assert (at["outcome"] == "abandoned").sum() == figures.abandonments, step_id
    abandoned = table[table["outcome"] == "abandoned"]
    assert len(abandoned) > 0 and abandoned["concept:name"].str.startswith("abandoned at ").all()
    assert (abandoned["start_timestamp"] == abandoned["time:timestamp"]).all()
    assert table[["start_timestamp", "time:timestamp", "enable_timestamp"]].notna().all().all()
    assert (table["enable_timestamp"] <= table["start_timestamp"]).all()
    assert (table["start_timestamp"] <= table["time:timestamp"]).all()
    # rows of a case together, by start time
    assert table["case:concept:name"].ne(table["case:concept:name"].shift()).sum() == table["case:concept:name"].nunique()
    assert (table.groupby("case:concept:name", sort=False)["start_timestamp"].diff().dropna() >= pd.Timedelta(0)).all()
    # resources: a member of the step's role, the role itself for an unlimited one, or none
    roles = {s.id: s.role for s in bp.steps}
    unlimited = {r.name for r in bp.roles if r.staffing is not None and r.staffing.kind == "unlimited"}
    for step_id, resource in zip(table["step"], table["org:resource"]):
        if isinstance(resource, str):
            assert resource == roles[step_id] if roles[step_id] in unlimited else resource.startswith(f"{roles[step_id]}#")
        else:
            assert roles[step_id] is None or step_id in set(abandoned["step"])


def test_the_table_is_built_once_and_copies_are_handed_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import simulate.results as results_module

    calls = []
    real = results_module.event_table
    monkeypatch.setattr(results_module, "event_table", lambda reps: calls.append(1) or real(reps))
    results = simulate.run(desk(), days=1, replications=1, seed=1, record_events=True, progress=False)
    first = results.events
    first.loc[0, "concept:name"] = "changed by the user"
    second = results.events
    results.save_events(tmp_path / "log.csv")
    assert len(calls) == 1
    assert second.loc[0, "concept:name"] == GREETING


def test_no_log_without_record_events() -> None:
    results = simulate.run(desk(), days=1, replications=1, seed=1, progress=False)
    assert results.replications[0].events is None
    with pytest.raises(ValueError, match="record_events=True"):
        _ = results.events


def test_extended_results_record_the_log_as_the_run_did() -> None:
    """Replications added by ``extend`` keep an event log when the run kept one (and none when it did not)."""
    logged = extend(simulate.run(desk(), days=1, replications=1, seed=1, record_events=True, progress=False), 1)
    assert all(r.events is not None for r in logged.replications)
    assert logged.events["case:concept:name"].nunique() == 2 * 8
    plain = extend(simulate.run(desk(), days=1, replications=1, seed=1, progress=False), 1)
    assert all(r.events is None for r in plain.replications)


def test_the_recorded_log_is_small_and_compares_by_value(desk_results: simulate.Results) -> None:
    log = desk_results.replications[0].events
    assert log is not None and len(log) == len(expected_desk_rows())
    per_event = sum(getattr(log, c).nbytes for c in EventLog.columns()) / len(log)
    assert per_event <= 48  # seven numbers, not a record of Python objects
    assert log == log_from_records(log.records())  # the same events, whatever their form
    assert "events" in repr(log) and len(repr(log)) < 80


def test_building_the_table_is_vectorised() -> None:
    """200,000 events (far more than the issue's 159,000) in well under a second; a Python loop per
    event took 17 s for 159,000. The bound is loose for a busy machine."""
    n, rng = 200_000, np.random.default_rng(1)
    end = np.sort(rng.uniform(0, 7 * 86_400, n))
    log = EventLog(case=rng.integers(0, 40_000, n), step=rng.integers(0, 4, n), member=rng.integers(-2, 30, n),
                   enabled=end - 60, start=end - 30, end=end, abandoned=rng.random(n) < 0.05,
                   step_ids=("a", "b", "c", "d"), labels=("A", "B", "C", "D"), lanes=("customer",) * 4,
                   roles=(None, "agent", "bot", "agent"))
    rep = simulate.run(desk(), days=1, replications=1, seed=1, record_events=True, progress=False).replications[0]
    rep.events = log
    event_table([rep])  # warm: imports, first calls
    t = time.perf_counter()
    table = event_table([rep])
    assert time.perf_counter() - t < 1.5
    assert len(table) == n and table["org:resource"].notna().sum() == ((log.member != -2) & (log.step != 0)).sum()


# -- files ---------------------------------------------------------------------------------------


def parsed_xes(path: Path) -> list[tuple[dict[str, str], list[dict[str, str]]]]:
    """The traces of an XES file: (trace attributes, [event attributes]) with the standard library."""
    root = ET.parse(path).getroot()
    out = []
    for trace in root.iter(f"{XES}trace"):
        attrs = {a.get("key"): a.get("value") for a in trace if a.tag != f"{XES}event"}
        events = [{a.get("key"): a.get("value") for a in e} for e in trace.iter(f"{XES}event")]
        out.append((attrs, events))
    return out  # type: ignore[return-value]


def test_xes_has_start_and_complete_events_in_time_order(desk_results: simulate.Results, tmp_path: Path) -> None:
    table = desk_results.events
    path = save_events(table, tmp_path / "desk.xes")
    traces = parsed_xes(path)
    assert [t[0]["concept:name"] for t in traces] == [f"r0-c{k}" for k in range(8)]
    rows = expected_desk_rows()
    for attrs, events in traces:
        mine = [r for r in rows if r[0] == attrs["concept:name"]]
        assert len(events) == 2 * len(mine)
        times = [datetime.fromisoformat(e["time:timestamp"]) for e in events]
        assert times == sorted(times)
        by_instance: dict[str, list[dict[str, str]]] = {}
        for e in events:
            by_instance.setdefault(e["concept:instance"], []).append(e)
        assert len(by_instance) == len(mine)
        for (_, activity, _, start, end, _), pair in zip(mine, by_instance.values()):
            assert [e["lifecycle:transition"] for e in pair] == ["start", "complete"]
            assert {e["concept:name"] for e in pair} == {activity}  # the label with its markup, unescaped
            assert [datetime.fromisoformat(e["time:timestamp"]) for e in pair] == [stamp(start), stamp(end)]
            assert all(("org:resource" in e) == (activity == "Serve") for e in pair)
    assert 'value="nan"' not in path.read_text()
    assert "&quot;hi&quot; &amp; &lt;wave&gt;" in path.read_text()


def test_xes_text_escapes_every_character_xml_forbids() -> None:
    table = pd.DataFrame({"case:concept:name": ["a\tb"], "concept:name": ['x\n<y>&"z"\x01'], "org:resource": [None],
                          "start_timestamp": [EVENT_LOG_BASE], "time:timestamp": [EVENT_LOG_BASE]})
    root = ET.fromstring(to_xes(table))
    trace = root.find(f"{XES}trace")
    assert trace is not None
    values = [a.get("value") for a in trace.iter() if a.get("key") == "concept:name"]
    assert values == ["a\tb", 'x\n<y>&"z"\ufffd', 'x\n<y>&"z"\ufffd']


def test_empty_log_writes_valid_files(tmp_path: Path) -> None:
    empty = event_table([])
    assert list(empty.columns) == COLUMNS and len(empty) == 0
    root = ET.parse(save_events(empty, tmp_path / "e.xes")).getroot()
    assert root.find(f"{XES}trace") is None
    assert list(pd.read_csv(save_events(empty, tmp_path / "e.csv")).columns) == COLUMNS


def test_csv_and_parquet_keep_the_columns_and_times(desk_results: simulate.Results, tmp_path: Path) -> None:
    table = desk_results.events
    stamps = ["start_timestamp", "time:timestamp", "enable_timestamp"]
    csv = pd.read_csv(save_events(table, tmp_path / "log.csv"), parse_dates=stamps)
    parquet = pd.read_parquet(save_events(table, tmp_path / "log.parquet"))
    for back in (csv, parquet):
        assert list(back.columns) == COLUMNS
        for c in stamps:
            assert back[c].tolist() == table[c].tolist()
        assert back["concept:name"].tolist() == table["concept:name"].tolist()
        assert back["org:resource"].isna().tolist() == table["org:resource"].isna().tolist()
    with pytest.raises(ValueError, match=r"log\.txt.*\.csv, \.parquet or \.xes"):
        save_events(table, tmp_path / "log.txt")


def test_results_files_of_format_1_still_load_their_event_logs(desk_results: simulate.Results, tmp_path: Path) -> None:
    """Before format 2 the log was a JSON record per event (an unlimited role's member written as ``role#-1``)."""
    bp = blueprint.load("examples/contact_center.yaml")
    results = simulate.run(bp, days=0.5, replications=2, seed=3, record_events=True, progress=False)

    def old_records(log: EventLog) -> list[dict[str, Any]]:
        recs: list[dict[str, Any]] = []
        for e in log.records():
            r = dict(e)
            if r["resource"] is not None and "#" not in r["resource"]:
                r["resource"] += "#-1"
            recs.append(r)
        return recs

    doc = json.loads(results.save(tmp_path / "new.json").read_text())
    doc["version"] = 1
    for data, rep in zip(doc["replications"], results.replications):
        assert rep.events is not None
        data["events"] = json.loads(json.dumps(old_records(rep.events)).replace("NaN", "null"))
    (tmp_path / "old.json").write_text(json.dumps(doc))
    pd.testing.assert_frame_equal(simulate.Results.load(tmp_path / "old.json").events, results.events)

    table = pq.read_table(results.save(tmp_path / "new.parquet"))
    meta = json.loads(table.schema.metadata[b"service-blueprint"])
    meta["version"] = 1
    frame = table.to_pandas()
    frame = frame[frame["section"] != "events"]
    old = []
    for i, rep in enumerate(results.replications):
        assert rep.events is not None
        recs = old_records(rep.events)
        old.append({"replication": i, "section": "events", "name": "", "metric": "", "interval": -1,
                    "value": float(len(recs)), "event": None})
        old += [{"replication": i, "section": "event", "name": "", "metric": "", "interval": n, "value": np.nan,
                 "event": json.dumps(r)} for n, r in enumerate(recs)]
    frame = pd.concat([frame, pd.DataFrame(old)], ignore_index=True)
    out = pa.Table.from_pandas(frame, preserve_index=False, schema=table.schema.remove_metadata())
    pq.write_table(out.replace_schema_metadata({b"service-blueprint": json.dumps(meta).encode()}), tmp_path / "old.parquet")
    pd.testing.assert_frame_equal(simulate.Results.load(tmp_path / "old.parquet").events, results.events)


def test_the_simulator_never_imports_pm4py(tmp_path: Path) -> None:
    """pm4py is AGPL and only in the dev extra: writing every format must work without it."""
    code = (
        "import sys, blueprint, simulate\n"
        "r = simulate.run(blueprint.load('examples/coffee_shop.yaml'), days=0.4, seed=1, record_events=True, progress=False)\n"
        f"for s in ('csv', 'parquet', 'xes'): r.save_events(r'{tmp_path}/log.' + s)\n"
        "assert 'pm4py' not in sys.modules, 'pm4py imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


# -- pm4py ----------------------------------------------------------------------------------------


def dfg_of_table(table: pd.DataFrame) -> tuple[Counter[tuple[str, str]], Counter[str], Counter[str]]:
    """Directly-follows pairs, start and end activities counted from the table with plain pandas: a
    case's instances in order of start, then end (as pm4py orders an interval log), ties in the table's order."""
    t = table.sort_values(["case:concept:name", "start_timestamp", "time:timestamp"], kind="stable")
    nxt = t.groupby("case:concept:name")["concept:name"].shift(-1)
    pairs = Counter(zip(t["concept:name"][nxt.notna()], nxt[nxt.notna()]))
    firsts = Counter(t.groupby("case:concept:name")["concept:name"].first())
    lasts = Counter(t.groupby("case:concept:name")["concept:name"].last())
    return pairs, firsts, lasts


@pytest.fixture(scope="module")
def pm4py() -> Any:
    return pytest.importorskip("pm4py")


@pytest.mark.parametrize("example", ["contact_center", "clinic"])
def test_pm4py_reads_every_format_to_the_same_process_map(pm4py: Any, example: str, tmp_path: Path) -> None:
    """The contact centre has abandonment and call-backs, the clinic parallel work and a join."""
    from pm4py.objects.log.util import interval_lifecycle

    bp = blueprint.load(f"examples/{example}.yaml")
    results = simulate.run(bp, days=1, replications=2, seed=11, record_events=True, progress=False)
    table = results.events
    for suffix in ("csv", "parquet", "xes"):
        results.save_events(tmp_path / f"log.{suffix}")
    csv = pm4py.format_dataframe(pd.read_csv(tmp_path / "log.csv"))
    parquet = pm4py.format_dataframe(pd.read_parquet(tmp_path / "log.parquet"))
    xes = pm4py.read_xes(str(tmp_path / "log.xes"))
    assert set(xes["lifecycle:transition"]) == {"start", "complete"}
    assert (xes["lifecycle:transition"] == "start").sum() == len(table)
    assert xes["org:resource"].notna().sum() == 2 * table["org:resource"].notna().sum()
    # the lifecycle log as intervals, as pm4py pairs start and complete events (by concept:instance)
    intervals = pm4py.convert_to_dataframe(
        interval_lifecycle.to_interval(pm4py.read_xes(str(tmp_path / "log.xes"), return_legacy_log_object=True))
    )
    want_pairs, want_starts, want_ends = dfg_of_table(table)
    for name, log in (("csv", csv), ("parquet", parquet), ("xes", intervals)):
        graph, starts, ends = pm4py.discover_dfg(log)
        assert Counter(graph) == want_pairs, name
        assert dict(graph) == {k: v for k, v in want_pairs.items()}, name
        assert (Counter(starts), Counter(ends)) == (want_starts, want_ends), name
    assert len(intervals) == len(table)
    if example == "contact_center":  # those who gave up and call back start again: not moved to the end
        assert want_pairs[("abandoned at Agent answers and diagnoses", "Call the hotline")] > 0


def test_pm4py_service_time_accepts_the_log(pm4py: Any, tmp_path: Path) -> None:
    from pm4py.objects.log.util import interval_lifecycle

    results = simulate.run(blueprint.load("examples/contact_center.yaml"), days=1, replications=2, seed=2,
                           record_events=True, progress=False)
    table = results.events
    want = ((table["time:timestamp"] - table["start_timestamp"]).dt.total_seconds()
            .groupby(table["concept:name"]).mean().to_dict())
    csv = pm4py.format_dataframe(pd.read_csv(results.save_events(tmp_path / "log.csv")))
    xes = pm4py.convert_to_dataframe(interval_lifecycle.to_interval(
        pm4py.read_xes(str(results.save_events(tmp_path / "log.xes")), return_legacy_log_object=True)))
    for log in (csv, xes):
        got = pm4py.get_service_time(log, start_timestamp_key="start_timestamp")
        assert got.keys() == want.keys()
        for activity, seconds in want.items():
            assert got[activity] == pytest.approx(seconds, abs=1e-6), activity
    assert all(want[a] == 0 for a in want if a.startswith("abandoned at "))


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6),
    resources=st.lists(st.one_of(st.none(), st.text(min_size=1, max_size=8)), min_size=1, max_size=6),
    seconds=st.lists(st.tuples(st.integers(0, 10**9), st.integers(0, 10**6)), min_size=1, max_size=12),
)
def test_any_text_and_times_survive_the_xes_file(names: list[str], resources: list[str | None],
                                                 seconds: list[tuple[int, int]]) -> None:
    """Whatever the labels hold, the XES file parses and gives back each value (characters XML cannot
    carry as U+FFFD), start before complete, times to the millisecond."""
    n = len(seconds)
    start = [EVENT_LOG_BASE + pd.Timedelta(milliseconds=a) for a, _ in seconds]
    end = [s + pd.Timedelta(milliseconds=d) for s, (_, d) in zip(start, seconds)]
    table = pd.DataFrame({
        "case:concept:name": [names[i % len(names)] for i in range(n)],
        "concept:name": [names[(i * 7) % len(names)] for i in range(n)],
        "org:resource": [resources[i % len(resources)] for i in range(n)],
        "start_timestamp": start, "time:timestamp": end,
    })

    def xml(text: str) -> str:
        return "".join(c if c in "\t\n\r" or (" " <= c and not "\ud800" <= c <= "\udfff" and c not in "\ufffe\uffff")
                       else "\ufffd" for c in text)

    root = ET.fromstring(to_xes(table).encode("utf-8"))
    events = []
    for trace in root.iter(f"{XES}trace"):
        case = next(a.get("value") for a in trace if a.get("key") == "concept:name")
        for e in trace.iter(f"{XES}event"):
            events.append((case, {a.get("key"): a.get("value") for a in e}))
    assert len(events) == 2 * n
    for i in range(n):
        pair = [attrs for _, attrs in events if attrs["concept:instance"] == str(i)]
        assert [a["lifecycle:transition"] for a in pair] == ["start", "complete"]
        assert {c for c, a in events if a["concept:instance"] == str(i)} == {xml(table.loc[i, "case:concept:name"])}
        assert pair[0]["concept:name"] == xml(table.loc[i, "concept:name"])
        resource = table.loc[i, "org:resource"]
        assert pair[0].get("org:resource") == (xml(resource) if isinstance(resource, str) else None)
        assert [datetime.fromisoformat(a["time:timestamp"]) for a in pair] == [start[i], end[i]]
