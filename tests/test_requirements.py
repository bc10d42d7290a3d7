"""Staff requirements for a whole blueprint: the flow algebra against the simulator, the
formulas per interval, lag, shrinkage, and the iterative staffing algorithm."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import blueprint
import simulate
from simulate.staffing.agents import agents_for
from simulate.staffing.erlang_a import erlang_a
from simulate.staffing.requirements import requirements, role_loads

H = 3600.0


def single(values: list[float], patience: str | None = None, target: dict | None = None) -> blueprint.Blueprint:
    bp = blueprint.Blueprint("Hotline")
    call = bp.onstage("Answer", role="agent", duration="exp(4 min)", wait_point="20 s")
    bp.role("agent", staffing=10, target=target or {"service_level": 0.8, "within": "20 s"})
    arrivals: dict = {"profile": {"interval": "1 h", "start": "08:00", "values": values}}
    if patience:
        arrivals["patience"] = patience
    bp.arrive(call, **arrivals)
    return bp


def network() -> blueprint.Blueprint:
    """Desk → (30% transfer) expert; the desk reworks 20% of its cases itself; a system step in
    between keeps the desk member; the expert's failures (10%) go back to the desk."""
    bp = blueprint.Blueprint("Network")
    start = bp.customer("Arrive")
    desk = bp.onstage("Desk", role="desk", duration="exp(3 min)")
    log = bp.support("Log", duration="30 s")
    expert = bp.onstage("Expert", role="expert", duration="exp(10 min)",
                        fail_point={"description": "wrong fix", "probability": 0.1, "recovery": "desk"})
    leave = bp.customer("Leave")
    start >> desk >> log
    bp.flow(log, desk, kind="rework", probability=0.2)
    bp.flow(log, expert, kind="transfer", probability=0.3)
    bp.flow(log, leave, otherwise=True)
    expert >> leave
    bp.role("desk", staffing="unlimited" if False else 40)
    bp.role("expert", staffing=40)
    bp.arrive(start, rate="60 per h")
    return bp


def test_loads_follow_the_flows() -> None:
    loads = role_loads(network(), "arrive")
    # desk visits v: v = 1 + 0.2 v + 0.1 × (expert visits); expert visits e = 0.3 v
    v = 1 / (1 - 0.2 - 0.1 * 0.3)
    e = 0.3 * v
    # rework keeps the desk member (no new queue join); the expert's failures join the desk queue again
    assert loads["desk"].calls == pytest.approx(1 + 0.1 * e)
    assert loads["desk"].work == pytest.approx(v * (180 + 30))
    assert loads["expert"].calls == pytest.approx(e)
    assert loads["expert"].work == pytest.approx(e * 600)
    assert loads["expert"].lag > loads["desk"].lag


def test_a_transfer_or_a_delay_to_the_same_role_joins_its_queue_again() -> None:
    """As the simulator walks: a rework keeps the member, a transfer or a flow with a delay hands them back,
    so the customer queues for a colleague of the same role (a new call for the role's formula)."""
    for kind, delay, joins in (("rework", None, 1.0), ("transfer", None, 1 / 0.7), ("rework", "2 min", 1 / 0.7)):
        bp = blueprint.Blueprint("Desk")
        serve = bp.onstage("Serve", role="agent", duration="exp(30 s)")
        bp.flow(serve, serve, kind=kind, probability=0.3, **({"delay": delay} if delay else {}))
        bp.flow(serve, bp.customer("Leave"), otherwise=True)
        bp.role("agent", staffing=3)
        bp.arrive(serve, rate="2 per min")
        load = role_loads(bp, "serve")["agent"]
        assert load.calls == pytest.approx(joins), (kind, delay)
        assert load.work == pytest.approx(30 / 0.7)


def test_offered_load_matches_the_simulator() -> None:
    """The flow algebra's offered load per role equals what the simulator measures with plentiful staff,
    within the 99.9% interval of the replications."""
    bp = network()
    req = requirements(bp, days=1)
    res = simulate.run(bp, days=1, replications=20, seed=4, interval="1 h")
    from scipy import stats

    for role in ("desk", "expert"):
        expected = float(req.loc[role]["load"].iloc[40])  # any interval: constant arrivals
        per_rep = [sum(r.roles[role].work[2:23]) / (21 * H) for r in res.replications]
        m, s = np.mean(per_rep), np.std(per_rep, ddof=1) / math.sqrt(len(per_rep))
        half = stats.t.ppf(0.9995, len(per_rep) - 1) * s
        assert abs(m - expected) <= half, (role, m, expected, half)


def test_sipp_is_the_formula_interval_by_interval() -> None:
    values = [20, 45, 60, 30]
    req = requirements(single(values), interval="1 h")
    part = req.loc["agent"]
    expected = agents_for(np.array(values) / H, 240.0, target_service_level=0.8, within=20.0)
    assert list(part["required"].iloc[8:12]) == list(expected)
    assert (part["required"].iloc[:8] == 0).all() and (part["required"].iloc[12:] == 0).all()
    assert part["arrival_rate"].iloc[9] == pytest.approx(45.0)
    assert part["handle_time"].iloc[9] == pytest.approx(240.0)
    assert (part["service_level"].iloc[8:12] >= 0.8).all()


def test_patience_gives_erlang_a() -> None:
    req = requirements(single([60], patience="exp(2 min)"), interval="1 h")
    n = int(req.loc[("agent", 8), "required"])
    assert n == agents_for(60 / H, 240.0, patience=120.0, target_service_level=0.8, within=20.0)
    assert req.loc[("agent", 8), "p_abandon"] == pytest.approx(erlang_a(60 / H, 240.0, 120.0, n).p_abandon)


def test_lag_sipp_shifts_by_the_time_to_reach_the_queue() -> None:
    bp = blueprint.Blueprint("Lag")
    form = bp.customer("Fill in the form", duration="30 min")
    desk = bp.onstage("Desk", role="desk", duration="exp(5 min)")
    form >> desk
    bp.role("desk", staffing=5)
    bp.arrive(form, profile={"interval": "1 h", "start": "09:00", "values": [10, 40, 10]})
    sipp = requirements(bp, method="sipp", interval="30 min").loc["desk"]
    lag = requirements(bp, method="lag-sipp", interval="30 min").loc["desk"]
    assert lag["load"].to_numpy()[1:] == pytest.approx(sipp["load"].to_numpy()[:-1])
    assert lag["load"].iloc[18] == 0 and sipp["load"].iloc[18] > 0  # nobody reaches the desk before 09:30


def test_shrinkage_and_staffing_round_trip() -> None:
    req = requirements(single([20, 45, 60, 30]), interval="1 h", shrinkage=0.3)
    part = req.loc["agent"]
    assert list(part["scheduled"]) == [math.ceil(round(x / 0.7, 9)) for x in part["required"]]
    staffing = req.to_staffing("agent")
    assert staffing.kind == "profile"
    assert [staffing.profile.value_at(t * H) for t in (8, 9, 10, 11, 12)] == list(part["scheduled"].iloc[8:13])
    assert req.for_role("agent").index[9] == 9 * H


def test_simulation_method_converges_and_meets_the_target() -> None:
    bp = single([30, 60, 90, 60, 30], patience="exp(3 min)")
    req = requirements(bp, method="simulation", interval="1 h", replications=20, seed=3)
    assert req.settings["converged"] and 2 <= req.settings["iterations"] <= 10
    sipp = requirements(bp, interval="1 h")
    busy = slice(9, 13)
    # the network is one queue: the simulation agrees with Erlang A within one agent
    diff = req.loc["agent"]["required"].iloc[busy].to_numpy() - sipp.loc["agent"]["required"].iloc[busy].to_numpy()
    assert np.abs(diff).max() <= 1
    # and its own measurement says the target is met on average over the busy hours
    assert req.loc["agent"]["sim_service_level"].iloc[busy].mean() >= 0.8


def test_the_contact_centre_requirements() -> None:
    bp = blueprint.load("examples/contact_center.yaml")
    req = requirements(bp)
    assert set(req.index.get_level_values("role")) == {"first_line", "specialist"}  # the chatbot is unlimited
    peak = req.loc["first_line"]["required"].max()
    assert 15 <= peak <= 40
    assert (req["service_level"].dropna() >= 0.8 - 1e-12).all()
    (ax,) = req.plot().axes
    assert ax.get_ylabel() == "staff (people)" and ax.get_xlabel() == "time of day"
    assert [line.get_label() for line in ax.lines] == ["first_line", "specialist"]
    assert list(ax.lines[0].get_ydata()) == list(req.loc["first_line"]["scheduled"])  # type: ignore[arg-type]


def test_bad_input_is_refused() -> None:
    bp = single([10])
    with pytest.raises(ValueError, match="method must be"):
        requirements(bp, method="erlang")
    with pytest.raises(ValueError, match="shrinkage"):
        requirements(bp, shrinkage=1.0)
    with pytest.raises(ValueError, match="divide a day"):
        requirements(bp, interval="7 min")


# -- the table is a DataFrame: info(), slicing, concat ---------------------------------------------


def test_info_is_dataframe_info_and_the_old_mapping_still_reads() -> None:
    import io

    req = requirements(single([20, 45]), interval="1 h")
    buf = io.StringIO()
    assert req.info(buf=buf) is None and "MultiIndex" in buf.getvalue()
    with pytest.warns(FutureWarning, match="settings"):
        assert req.info["method"] == "sipp" == req.settings["method"]
    assert req.settings["interval"] == 3600.0 and set(req.settings["targets"]) == {"agent"}


def test_slices_keep_the_subclass_and_the_settings() -> None:
    req = requirements(single([20, 45]), interval="1 h")
    for part in (req.iloc[:5], req[req["load"] > 0], req.loc[["agent"]]):
        assert isinstance(part, type(req)) and part.settings == req.settings
    assert pd.DataFrame(req).attrs == {}  # a plain DataFrame of it is plain


def test_concat_of_tables_made_alike_keeps_the_settings() -> None:
    bp = blueprint.load("examples/contact_center.yaml")
    req = requirements(bp)
    both = pd.concat([req.loc[["first_line"]], req.loc[["specialist"]]])
    assert isinstance(both, type(req)) and both.settings == req.settings
    assert list(both.columns) == list(req.columns)
    assert both.to_staffing("specialist") == req.to_staffing("specialist")


def test_concat_of_different_methods_says_each_rows_method() -> None:
    bp = blueprint.load("examples/contact_center.yaml")
    sipp, lag = requirements(bp), requirements(bp, method="lag-sipp")
    both = pd.concat([sipp, lag])
    assert isinstance(both, type(sipp)) and "method" not in both.settings
    assert both.settings["interval"] == 900.0 and both.settings["targets"] == sipp.settings["targets"]
    assert list(both["method"]) == ["sipp"] * len(sipp) + ["lag-sipp"] * len(lag)
    with pytest.raises(ValueError, match="several rows per interval"):
        both.for_role("first_line")
    chosen = both[both["method"] == "lag-sipp"]
    assert chosen.for_role("first_line").equals(lag.for_role("first_line"))
    assert chosen.to_staffing("first_line") == lag.to_staffing("first_line")
    (ax,) = both.plot().axes
    assert "lag-sipp, sipp" in ax.get_title()
    assert both.plot.line(y="scheduled") is not None  # pandas' own plot accessor


def test_concat_of_different_targets_keeps_each_roles_target() -> None:
    bp = blueprint.load("examples/contact_center.yaml")
    strict = {"service_level": 0.9, "within": "30 s"}
    first = requirements(bp).loc[["first_line"]]
    second = requirements(bp, target={"specialist": strict}).loc[["specialist"]]
    both = pd.concat([first, second])
    assert both.settings["targets"]["specialist"] == blueprint.Target(**strict)
    assert "target" not in both.columns  # one target per role: the role says it
    own, stricter = requirements(bp), requirements(bp, target=strict)
    same_roles = pd.concat([own, stricter])  # each role with two targets: the rows say which
    assert list(same_roles["target"].iloc[len(own):].unique()) == ["90% within 30 s"]
    assert not set(same_roles.settings["targets"]) & {"first_line", "specialist"}
