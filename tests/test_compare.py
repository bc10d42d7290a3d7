"""simulate.compare: common random numbers, paired differences, executors, a sweep, Ctrl-C, files, display."""

from __future__ import annotations

import concurrent.futures
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import blueprint
import simulate
from simulate.executors import execute
from simulate.intervals import mean_ci, proportion_ci
from simulate.run import replication_seeds, resolve_seed, run_many
from simulate.scenarios import Comparison, Scenario, ScenarioError, compare, paired_differences, replication_figures

from .test_simulation import same

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "examples/contact_center.yaml"
EARLY = Scenario("one more early agent", extra_staff={"first_line": {"early": 1}})


@pytest.fixture(scope="module")
def bp() -> blueprint.Blueprint:
    return blueprint.load(EXAMPLE)


@pytest.fixture(scope="module")
def small(bp: blueprint.Blueprint) -> Comparison:
    """Half a day (the morning peak), three scenarios, four replications."""
    fewer = Scenario("fewer transfers", probabilities={"resolve": {"specialist": 0.1}})
    return compare(bp, [EARLY, fewer], replications=4, days=0.5, seed=3, executor="serial", progress=False)


def widths(d: pd.DataFrame) -> pd.Series:
    return d["ci_high"] - d["ci_low"]


# -- common random numbers ---------------------------------------------------------------------------


def test_common_random_numbers_narrow_the_paired_differences(bp: blueprint.Blueprint) -> None:
    """Measured: the same scenarios, paired under common random numbers and under independent seeds."""
    c = compare(bp, [EARLY], replications=10, days=0.5, seed=5, executor="serial", progress=False)
    independent = simulate.run(EARLY.apply(bp), replications=10, days=0.5, seed=6, executor="serial", progress=False)
    crn = paired_differences(c["baseline"], c[EARLY.name])
    ind = paired_differences(c["baseline"], independent)
    # the same customers arrive in both scenarios: their difference is exactly 0
    assert crn.loc["arrivals", "difference"] == 0 and widths(crn)["arrivals"] == 0
    assert widths(ind)["arrivals"] > 10
    figures = ["first_line: service level", "first_line: ASA (s)", "wait the customer sees (s)", "time in system (s)",
               "abandonment", "completed", "first_line: occupancy"]
    ratio = widths(crn)[figures] / widths(ind)[figures]
    assert (ratio < 0.6).all(), ratio
    assert ratio.median() < 0.35, ratio
    # and it shows: the effect on the wait is significant under CRN, not with independent runs
    assert crn.loc["wait the customer sees (s)", "significant"]
    assert not ind.loc["wait the customer sees (s)", "significant"]


def test_every_scenario_meets_the_same_customers(small: Comparison) -> None:
    base = small["baseline"]
    for name in small.names:
        r = small[name]
        assert r.seed == base.seed
        assert [x.seed for x in r.replications] == [x.seed for x in base.replications]
    # staffing alone does not change who arrives
    assert [x.journeys.arrivals for x in small[EARLY.name].replications] == [
        x.journeys.arrivals for x in base.replications]


# -- the tables ----------------------------------------------------------------------------------------


def test_figures_are_those_of_the_results_tables(small: Comparison) -> None:
    for name in small.names:
        res = small[name]
        figs = small.figures().loc[name]
        summary = res.summary()
        for fig in ("arrivals", "completed", "abandoned", "time in system (s)", "wait the customer sees (s)",
                    "transfers per journey", "first_line: service level", "specialist: service level",
                    "first_line: staff hours paid", "staff cost"):
            assert same(list(figs.loc[fig, ["mean", "ci_low", "ci_high"]]), list(summary.loc[fig, ["mean", "ci_low", "ci_high"]])), fig
        staff = res.staff()
        for role in ("first_line", "specialist"):
            for k in ("occupancy", "abandonment", "service_level"):
                assert figs.loc[f"{role}: {k.replace('_', ' ')}", "mean"] == staff.loc[role, k]
        per = res.roles("first_line")
        asa = [sum(r.roles["first_line"].wait_sum) / sum(r.roles["first_line"].answered) for r in res.replications]
        assert figs.loc["first_line: ASA (s)", "mean"] == pytest.approx(np.mean(asa))
        by_interval = small.service_level_by_interval(name, "first_line")
        assert np.allclose(by_interval["service_level"], per["service_level"], equal_nan=True)
        assert np.allclose(by_interval["service_level_ci_low"], per["service_level_ci_low"], equal_nan=True)
        assert list(by_interval["label"][:2]) == ["00:00", "00:15"]


def test_differences_are_paired_t_intervals(small: Comparison) -> None:
    d = small.differences()
    assert list(d.index.get_level_values("scenario").unique()) == [EARLY.name, "fewer transfers"]
    base = replication_figures(small["baseline"])
    other = replication_figures(small[EARLY.name])
    for fig in ("first_line: ASA (s)", "staff cost", "time in system (s)"):
        mean, lo, hi = mean_ci((other[fig] - base[fig]).tolist())
        row = d.loc[(EARLY.name, fig)]
        assert same([row["difference"], row["ci_low"], row["ci_high"]], [mean, lo, hi])
        assert row["significant"] == (lo > 0 or hi < 0)
    assert d.loc[(EARLY.name, "first_line: staff hours paid"), "difference"] == 4.5  # 07:00 to 12:00 less a 30-min break
    assert not d.loc[(EARLY.name, "specialist: staff hours paid"), "significant"]  # 0: not significant
    wide = small.table()
    assert list(wide.index) == small.names and wide.loc["baseline", "staff cost"] == small.figures().loc[("baseline", "staff cost"), "mean"]
    assert list(small.table("difference").index) == [EARLY.name, "fewer transfers"]


def test_display_marks_what_is_not_significant(small: Comparison) -> None:
    text = small._repr_html_()
    for name in small.names:
        assert name in text
    assert "unchanged blueprint" in text and "n.s." in text and "#1a7f37" in text  # better, in green
    assert "common random numbers" in text
    assert repr(small).startswith("<Comparison of 3 scenarios of 'Customer support hotline': 4 replications")
    assert "first_line: service level" in str(small)


def test_plots_are_one_call_away(small: Comparison) -> None:
    import matplotlib
    from matplotlib.figure import Figure

    backend = matplotlib.get_backend()
    fig = small.plot_service_level()
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["baseline", EARLY.name, "fewer transfers", "target: 80% within 60 s"]
    assert ax.get_title() == "first_line: service level per 15 minutes"
    (ax2,) = small.plot_cost_vs_service("specialist").axes
    assert len(ax2.texts) == 3 and ax2.get_ylabel() == "specialist: service level"
    assert matplotlib.get_backend() == backend
    assert small.plot().axes[0].get_title() == ax.get_title()  # one call, as results.plot()
    assert small.plot("cost_vs_service", role="specialist").axes[0].get_ylabel() == "specialist: service level"
    with pytest.raises(ValueError, match="no chart 'pie' of a comparison; known: service_level, cost_vs_service"):
        small.plot("pie")


def test_a_scenario_name_is_a_name() -> None:
    """At most 200 characters, no characters not meant to be seen: a 10,000-character name had squeezed the
    comparison chart to nothing, a NUL had leaked a font warning; a long name is cut on a chart."""
    from simulate.scenarios.plots import _label

    with pytest.raises(ValueError, match="at most 200"):
        Scenario("x" * 201, volume=1.1)
    with pytest.raises(ValueError, match=r"not meant to be seen \(U\+0000, U\+200B\)"):
        Scenario("late\u200b shift\x00", volume=1.1)
    assert Scenario("Ñandú 🙂 ‍shift", volume=1.1).name == "Ñandú 🙂 ‍shift"
    assert _label("y" * 199, False).endswith("…") and len(_label("y" * 199, False)) == 40


def test_diagram_of_a_scenario(small: Comparison) -> None:
    d = small.diagram("fewer transfers")
    assert "→ specialist 10% (was 20%)" in d.dot
    assert "the blueprint as it is" in small.diagram("baseline").dot
    with pytest.raises(KeyError, match="no scenario 'nope'"):
        small.diagram("nope")


@pytest.mark.parametrize("suffix", [".json", ".parquet"])
def test_comparison_saves_and_loads(small: Comparison, tmp_path: Path, suffix: str) -> None:
    again = Comparison.load(small.save(tmp_path / f"c{suffix}"))
    assert again.names == small.names and again.baseline == small.baseline and again.seed == small.seed
    assert again.blueprint == small.blueprint and again.scenarios == small.scenarios
    assert again.figures().equals(small.figures())
    assert again.differences().equals(small.differences())
    for name in small.names:
        assert again[name].blueprint == small[name].blueprint


# -- choosing the baseline and the scenarios -------------------------------------------------------------


def test_baseline_may_be_a_scenario_and_files_are_accepted(bp: blueprint.Blueprint) -> None:
    c = compare(EXAMPLE, "examples/contact_center.scenarios.yaml", baseline="one more late agent",
                replications=2, days=0.3, seed=1, progress=False)
    assert c.names[0] == "one more late agent" and c.baseline == "one more late agent" and len(c.names) == 6
    today = Scenario("today")
    c2 = compare(bp, [EARLY], baseline=today, replications=2, days=0.3, seed=1, progress=False)
    assert c2.names == ["today", EARLY.name]
    with pytest.raises(ValueError, match="two scenarios are called"):
        compare(bp, [EARLY, EARLY], replications=2, days=0.3, progress=False)


def test_every_invalid_scenario_is_reported_before_anything_runs(bp: blueprint.Blueprint) -> None:
    bad = [Scenario("a", staffing={"first_lin": 3}), EARLY, Scenario("b", durations={"call": 2})]
    with pytest.raises(ScenarioError) as e:
        compare(bp, bad, replications=2, days=0.3, progress=False)
    assert e.value.scenarios == ["a", "b"]
    assert str(e.value).splitlines()[0] == "scenario 'a': staffing.first_lin: unknown role 'first_lin'; did you mean 'first_line'?"


# -- where it runs -----------------------------------------------------------------------------------------


def test_serial_processes_and_dask_give_identical_numbers(bp: blueprint.Blueprint) -> None:
    distributed = pytest.importorskip("distributed")
    args = {"replications": 3, "days": 0.5, "seed": 9, "progress": False}
    serial = compare(bp, [EARLY], executor="serial", **args)
    runs = {"processes": compare(bp, [EARLY], executor="processes", **args)}
    with concurrent.futures.ThreadPoolExecutor(2) as threads:
        runs["threads"] = compare(bp, [EARLY], executor=threads, **args)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        runs["dask"] = compare(bp, [EARLY], executor=client.get_executor(), **args)
    for how, c in runs.items():
        for name in serial.names:
            for a, b in zip(serial[name].replications, c[name].replications):
                for k in ("seed", "steps", "roles", "role_totals", "journeys"):
                    assert same(getattr(a, k), getattr(b, k)), (how, name, k)
        assert c.figures().equals(serial.figures()), how
    # and simulate.run, in processes, gives what it gives serially
    one = simulate.run(bp, replications=3, days=0.5, seed=9, executor="serial")
    two = simulate.run(bp, replications=3, days=0.5, seed=9, executor="processes")
    assert all(same(a.roles, b.roles) for a, b in zip(one.replications, two.replications))


def test_run_many_is_run_for_each_blueprint_on_one_seed(bp: blueprint.Blueprint) -> None:
    more = bp.with_staffing({"first_line": 30})
    many = run_many({"as is": bp, "more": more}, replications=2, days=0.25, seed=11, executor="serial", progress=False)
    assert list(many) == ["as is", "more"]
    for name, one in (("as is", bp), ("more", more)):
        alone = simulate.run(one, replications=2, days=0.25, seed=11, executor="serial", progress=False)
        for a, b in zip(alone.replications, many[name].replications):
            for k in ("seed", "steps", "roles", "role_totals", "journeys"):
                assert same(getattr(a, k), getattr(b, k)), (name, k)
    with pytest.raises(ValueError, match="no blueprints"):
        run_many({})
    empty = blueprint.Blueprint("nothing arrives")
    with pytest.raises(ValueError, match="'empty': the blueprint has no arrivals"):
        run_many({"as is": bp, "empty": empty}, replications=1)


def test_seeds_have_one_home() -> None:
    assert resolve_seed(5) == 5
    assert 0 <= resolve_seed(None) < 2**63
    roots = replication_seeds(7, 3)
    assert [tuple(r.spawn_key) for r in roots] == [(0,), (1,), (2,)] and {r.entropy for r in roots} == {7}


def test_execute_chooses_serial_for_small_work_and_refuses_unknown_choices() -> None:
    assert execute(pow, [(2, 5)], executor=None) == [32]  # a single task never starts processes
    assert execute(pow, [(2, 1), (2, 2)], executor="auto", work=10) == [2, 4]
    with pytest.raises(ValueError, match="executor must be"):
        execute(pow, [(2, 1)], executor="gpu")  # type: ignore[arg-type]


def test_progress_bar_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    execute(pow, [(2, 1), (2, 2), (2, 3)], executor="serial", progress=True, desc="powers")
    err = capsys.readouterr().err
    assert "powers" in err and "3/3" in err
    execute(pow, [(2, 1)], executor="serial", progress=None)  # quick: no bar
    assert capsys.readouterr().err == ""


INTERRUPTED = textwrap.dedent(
    """
    import multiprocessing, sys
    import blueprint
    from simulate.scenarios.compare import compare
    from simulate.scenarios.scenario import Scenario

    if __name__ == "__main__":
        bp = blueprint.load("examples/contact_center.yaml")
        print("ready", flush=True)
        try:
            compare(bp, [Scenario("more", volume=1.5)], replications=40, days=3, seed=1,
                    executor="processes", progress=False)
            print("finished", flush=True)
        except KeyboardInterrupt:
            print("interrupted", len(multiprocessing.active_children()), flush=True)
            sys.exit(130)
    """
)


@pytest.mark.parametrize("to, after", [("parent", 0.5), ("process group", 0.5), ("process group", 0.0)])
def test_ctrl_c_stops_cleanly(tmp_path: Path, to: str, after: float) -> None:
    """Ctrl-C to the parent alone, or to all its processes as a terminal sends it; while the
    replications run, or as the workers start (a Ctrl-C during a fork must not be lost)."""
    psutil = pytest.importorskip("psutil")
    script = tmp_path / "interrupted.py"
    script.write_text(INTERRUPTED)
    proc = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # not inherited ignored
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 60
        workers: list = []
        while time.monotonic() < deadline and not workers:
            workers = parent.children(recursive=True)
            time.sleep(0.05)
        assert workers, "no worker processes started"
        time.sleep(after)
        if to == "parent":
            proc.send_signal(signal.SIGINT)
        else:  # what a terminal does on Ctrl-C
            os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:  # pragma: no cover - only when the test fails
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert out.split() == ["interrupted", "0"], (out, err)
    assert "Traceback" not in err, err  # workers left Ctrl-C to the parent
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers):
        time.sleep(0.05)
    assert not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers), "stray processes"


# -- a sweep ---------------------------------------------------------------------------------------------------


def sweep_scenarios() -> list[Scenario]:
    out = []
    for k in range(50):
        kind = k % 5
        if kind == 0:
            out.append(Scenario(f"late +{k // 5 + 1}", extra_staff={"first_line": {"late": k // 5 + 1}}))
        elif kind == 1:
            out.append(Scenario(f"volume ×{0.8 + 0.01 * k:.2f}", volume=0.8 + 0.01 * k))
        elif kind == 2:
            out.append(Scenario(f"knowledge base ×{0.5 + 0.01 * k:.2f}", durations={"kb_search": 0.5 + 0.01 * k}))
        elif kind == 3:
            out.append(Scenario(f"transfers {10 + k / 5:.1f}%", probabilities={"resolve": {"specialist": 0.1 + k / 500}}))
        else:
            out.append(Scenario(f"patience ×{0.5 + k / 50:.2f}", patience=0.5 + k / 50))
    return out


def test_sweep_of_50_scenarios_matches_separate_runs(bp: blueprint.Blueprint) -> None:
    scenarios = sweep_scenarios()
    started = time.perf_counter()
    c = compare(bp, scenarios, replications=10, seed=2026, progress=False)  # processes, as by default
    took = time.perf_counter() - started
    assert len(c.names) == 51 and all(len(c[n].replications) == 10 for n in c.names)
    table = c.table()
    assert table.shape[0] == 51 and not table["first_line: service level"].isna().any()
    # checked against separate runs of the baseline and a few scenarios
    base = simulate.run(bp, replications=10, seed=2026, progress=False)
    assert c.figures().loc["baseline"].equals(_figures_of(base))
    for sc in (scenarios[0], scenarios[13], scenarios[49]):
        alone = simulate.run(sc.apply(bp), replications=10, seed=2026, progress=False)
        assert c.figures().loc[sc.name].equals(_figures_of(alone)), sc.name
        expected = paired_differences(base, alone)
        got = c.differences().loc[sc.name]
        assert got.equals(expected), sc.name
    # sanity of the numbers: more late staff never lowers the staff hours; higher volume raises the arrivals
    late = [table.loc[f"late +{k}", "first_line: staff hours paid"] for k in range(1, 11)]
    assert late == sorted(late) and late[0] == table.loc["baseline", "first_line: staff hours paid"] + 8
    vol = [table.loc[s.name, "arrivals"] for s in scenarios if s.name.startswith("volume")]
    assert vol == sorted(vol)
    print(f"sweep of 50 scenarios × 10 replications: {took:.1f} s")


def _figures_of(results: simulate.Results) -> pd.DataFrame:
    per = replication_figures(results)
    shares = ("service level", "abandonment", "occupancy")

    def counts(fig: str) -> list[float] | None:
        """The customers a share is of: arrivals, or the calls a role was offered (the run has no warm-up)."""
        if fig == "abandonment":
            return [rep.journeys.arrivals for rep in results.replications]
        role = fig.split(":")[0]
        if fig.endswith(("service level", "abandonment")):
            return [sum(rep.roles[role].answered) + sum(rep.roles[role].abandoned) for rep in results.replications]
        return None

    def interval(fig: str) -> tuple[float, float, float]:
        if fig.endswith(shares):
            return proportion_ci(per[fig].tolist(), counts(fig))
        return mean_ci(per[fig].tolist(), low=0)

    rows = {fig: dict(zip(("mean", "ci_low", "ci_high"), interval(fig))) for fig in per.columns}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "figure"
    return out


def test_nan_figures_do_not_break_the_comparison(bp: blueprint.Blueprint) -> None:
    # before 07:00 nobody calls: service levels and ASA are undefined, not errors
    c = compare(bp, [EARLY], replications=2, days=0.25, seed=1, progress=False)
    f = c.figures()
    assert math.isnan(f.loc[("baseline", "first_line: service level"), "mean"])
    assert not c.differences().loc[(EARLY.name, "first_line: service level"), "significant"]
    assert "–" in c._repr_html_()


def test_a_failure_in_a_worker_is_raised_and_stops_the_pool() -> None:
    import multiprocessing

    with pytest.raises(ValueError, match="math domain error"):
        execute(math.sqrt, [(4.0,), (-1.0,), (9.0,)], executor="processes", progress=False)
    assert multiprocessing.active_children() == []


def test_a_baseline_that_names_no_scenario_is_refused() -> None:
    """A misspelt --baseline would relabel the unchanged blueprint as if it were that scenario."""
    for name in ("ghost", ""):
        with pytest.raises(ValueError, match=f"baseline: unknown scenario '{name}'; known: baseline \\(the blueprint "
                                             "unchanged\\), 'one more late agent'"):
            compare(EXAMPLE, "examples/contact_center.scenarios.yaml", baseline=name, replications=2, days=0.3, progress=False)


def test_a_scenario_that_changes_nothing_is_noted(bp: blueprint.Blueprint) -> None:
    """A scenario with no changes (or changes that restore what was there) runs the baseline again: said once,
    in the notes, the notebook view and the command line's output; a real change is not noted."""
    same = Scenario("same", roles={"first_line": {"cost_per_hour": bp.role("first_line").cost_per_hour}})
    result = compare(bp, [Scenario("empty"), same, EARLY], replications=2, days=0.4, seed=1, executor="serial",
                     progress=False)
    assert [n.split(" changes nothing")[0] for n in result.notes()] == ["scenario 'empty'", "scenario 'same'"]
    assert "changes nothing" in result._repr_html_()


def test_scenarios_of_the_same_cost_stand_side_by_side(small: Comparison) -> None:
    """Two scenarios that change no staff cost the same: their points are set apart, not drawn on one another."""
    ax = small.plot_cost_vs_service().axes[0]
    xs = [text.xy[0] for text in ax.texts]
    costs = small.figures().xs("staff cost", level=1)["mean"]
    assert len(set(xs)) == len(xs) == 3
    assert len(set(costs.round(6))) < 3  # the baseline and 'fewer transfers' cost the same


def test_a_change_to_the_experience_is_a_paired_figure_of_its_own() -> None:
    """Per step with a wait point, the experience loss per arriving customer is a key figure of each replication, so
    a comparison pairs it like any other (the notebook had reached into the replications to do it)."""
    import blueprint
    from simulate import paired_differences, run

    bp = blueprint.load("examples/bilingual_hotline.yaml")
    before = run(bp, days=1, replications=4, seed=2026, progress=False)
    trained = Scenario("train one", cross_train={"English only": {"to": "Bilingual", "count": 1}}).apply(bp)
    after = run(trained, days=1, replications=4, seed=2026, progress=False)
    diff = paired_differences(before, after)
    felt = before.experience().xs("all", level="segment") if "all" in set(
        before.experience().index.get_level_values("segment")) else before.experience().droplevel("segment")
    for step in ("answer_es", "answer_en"):
        row = diff.loc[f"{step}: experience loss per customer"]
        assert row["baseline_mean"] == pytest.approx(felt.loc[step, "loss_per_customer"])
    spanish = diff.loc["answer_es: experience loss per customer"]
    assert spanish["difference"] < 0 and spanish["significant"]  # one more agent for Spanish: less lost there
