"""SERVQUAL survey scores against a hand-computed example, under hypothesis, and their located errors."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import blueprint
from blueprint.survey import CRITERIA, STANDARD_ITEMS, SurveyError, score

RUNNER = CliRunner()
HOTLINE = "examples/bilingual_hotline"

# -- the hand-computed example: 3 respondents, all 22 items, points ---------------------------------------------
#
# Expectations: A answers 6, B 7, C 5 to every item. Perceptions, criterion by criterion:
#   A: tangibles 7, reliability 5, responsiveness 4, assurance 6, empathy 6  -> gaps +1, -1, -2, 0, 0
#   B: 6 everywhere                                                          -> gaps -1 everywhere
#   C: tangibles 5 (0); reliability items 5-9: 5, 5, 5, 5, 6 (0, 0, 0, 0, +1: mean +0.2); responsiveness 3 (-2);
#      assurance 6 (+1); empathy items 18-22: 4, 5, 5, 5, 6 (-1, 0, 0, 0, +1: mean 0)
# Criterion gaps (mean over the 3 respondents of their criterion means):
#   tangibles (1 - 1 + 0)/3 = 0; reliability (-1 - 1 + 0.2)/3 = -0.6; responsiveness (-2 - 1 - 2)/3 = -5/3;
#   assurance (0 - 1 + 1)/3 = 0; empathy (0 - 1 + 0)/3 = -1/3
# Unweighted overall: (0 - 0.6 - 5/3 + 0 - 1/3) / 5 = -0.52
# Points (tangibles, reliability, responsiveness, assurance, empathy):
#   A 10, 30, 30, 20, 10 -> 0.1(+1) + 0.3(-1) + 0.3(-2) = -0.8;  B 20 each -> -1;
#   C 0, 50, 25, 25, 0   -> 0.5(0.2) + 0.25(-2) + 0.25(+1) = -0.15
# Weighted overall: (-0.8 - 1 - 0.15) / 3 = -0.65
# Items: 1: (1 - 1 + 0)/3 = 0; 9: (-1 - 1 + 1)/3 = -1/3; 18: (0 - 1 - 1)/3 = -2/3
# Items 11 and 12 tagged to step "answer": A -2, B -1, C -2 -> -5/3


def _hand_survey() -> tuple[pd.DataFrame, pd.DataFrame]:
    by_criterion = {"A": {"tangibles": 7, "reliability": 5, "responsiveness": 4, "assurance": 6, "empathy": 6},
                    "B": dict.fromkeys(CRITERIA, 6),
                    "C": {"tangibles": 5, "reliability": 5, "responsiveness": 3, "assurance": 6, "empathy": 5}}
    special = {("C", "9"): 6, ("C", "18"): 4, ("C", "22"): 6}
    expect = {"A": 6, "B": 7, "C": 5}
    rows = [{"respondent": r, "item": item, "expectation": expect[r],
             "perception": special.get((r, item), by_criterion[r][criterion])}
            for r in "ABC" for item, (criterion, _text) in STANDARD_ITEMS.items()]
    points = pd.DataFrame([{"respondent": "A", "tangibles": 10, "reliability": 30, "responsiveness": 30, "assurance": 20, "empathy": 10},
                           {"respondent": "B", **dict.fromkeys(CRITERIA, 20)},
                           {"respondent": "C", "tangibles": 0, "reliability": 50, "responsiveness": 25, "assurance": 25, "empathy": 0}])
    return pd.DataFrame(rows), points


def test_scores_reproduce_the_hand_computed_example() -> None:
    answers, points = _hand_survey()
    items = {k: {"criterion": c, "step": "answer" if k in ("11", "12") else None} for k, (c, _t) in STANDARD_ITEMS.items()}
    s = score(answers, items=items, weights=points, bootstrap=500, seed=3)
    expected = {"tangibles": 0.0, "reliability": -0.6, "responsiveness": -5 / 3, "assurance": 0.0, "empathy": -1 / 3}
    for c, g in expected.items():
        assert s.criteria.loc[c, "gap"] == pytest.approx(g)
        assert s.criteria.loc[c, "gap"] == pytest.approx(s.criteria.loc[c, "perception"] - s.criteria.loc[c, "expectation"])
    assert s.overall.loc["unweighted", "gap"] == pytest.approx(-0.52)
    assert s.overall.loc["weighted", "gap"] == pytest.approx(-0.65)
    assert s.items.loc["1", "gap"] == pytest.approx(0.0)
    assert s.items.loc["9", "gap"] == pytest.approx(-1 / 3)
    assert s.items.loc["18", "gap"] == pytest.approx(-2 / 3)
    assert s.by_step().loc["answer", "gap"] == pytest.approx(-5 / 3)
    assert s.criteria.loc["reliability", "weight"] == pytest.approx((30 + 20 + 50) / 3)
    assert (s.respondents, s.answers, s.missing) == (3, 66, 0)
    # one set of points for everyone: the weighted mean of the criterion gaps
    same = score(answers, weights=dict(zip(CRITERIA, (10, 30, 30, 20, 10), strict=True)), bootstrap=200)
    assert same.overall.loc["weighted", "gap"] == pytest.approx(0.1 * 0 + 0.3 * -0.6 + 0.3 * -5 / 3 + 0.2 * 0 + 0.1 * -1 / 3)


def test_a_respondent_without_an_answer_counts_for_the_rest() -> None:
    answers, _points = _hand_survey()
    answers.loc[(answers["respondent"] == "A") & (answers["item"] == "1"), "perception"] = np.nan
    s = score(answers, bootstrap=200)
    assert s.missing == 1 and s.items.loc["1", "respondents"] == 2
    assert s.items.loc["1", "gap"] == pytest.approx((-1 + 0) / 2)
    assert s.criteria.loc["tangibles", "gap"] == pytest.approx((1 - 1 + 0) / 3)  # A's other tangibles items still count


def _survey(data: Any) -> pd.DataFrame:
    n = data.draw(st.integers(3, 12), label="respondents")
    items = data.draw(st.lists(st.sampled_from(list(STANDARD_ITEMS)), min_size=2, max_size=10, unique=True), label="items")
    values = st.integers(1, 7)
    rows = [{"respondent": f"r{r}", "item": i, "expectation": data.draw(values), "perception": data.draw(values)}
            for r in range(n) for i in items]
    return pd.DataFrame(rows)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), shift=st.integers(-3, 3))
def test_a_constant_shift_in_perceptions_shifts_every_gap_by_it(data: st.DataObject, shift: int) -> None:
    answers = _survey(data)
    moved = answers.assign(perception=answers["perception"] + shift)
    a = score(answers, scale=(-10, 20), bootstrap=200, seed=5)
    b = score(moved, scale=(-10, 20), bootstrap=200, seed=5)
    for table in ("items", "criteria", "overall"):
        for column in ("gap", "gap_ci_low", "gap_ci_high"):
            before, after = getattr(a, table)[column].to_numpy(float), getattr(b, table)[column].to_numpy(float)
            assert np.allclose(after, before + shift, equal_nan=True), (table, column)
        assert np.allclose(getattr(b, table)["expectation"], getattr(a, table)["expectation"], equal_nan=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_points_summing_to_100_give_the_weighted_mean_of_the_criterion_gaps(data: st.DataObject) -> None:
    answers = _survey(data)
    present = [c for c in CRITERIA if c in {STANDARD_ITEMS[i][0] for i in answers["item"]}]
    raw = data.draw(st.lists(st.integers(0, 50), min_size=len(present), max_size=len(present)).filter(lambda x: sum(x) > 0))
    points = [100 * v / sum(raw) for v in raw]
    s = score(answers, weights=dict(zip(present, points, strict=True)), bootstrap=200)
    gaps = s.criteria["gap"].to_numpy(float)
    assert s.overall.loc["weighted", "gap"] == pytest.approx(float(np.dot(points, gaps)) / 100)
    assert s.overall.loc["unweighted", "gap"] == pytest.approx(float(gaps.mean()))
    # each respondent giving the same points is the same weighted mean (when everyone answered every criterion)
    per = pd.DataFrame([{"respondent": r, **dict(zip(present, points, strict=True))} for r in answers["respondent"].unique()])
    assert score(answers, weights=per, bootstrap=200).overall.loc["weighted", "gap"] == pytest.approx(
        s.overall.loc["weighted", "gap"])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_order_of_the_answers_changes_no_estimate(data: st.DataObject) -> None:
    answers = _survey(data)
    shuffled = answers.sample(frac=1.0, random_state=data.draw(st.integers(0, 1000)))
    a, b = score(answers, bootstrap=100), score(shuffled, bootstrap=100)
    assert np.allclose(a.criteria["gap"], b.criteria.loc[a.criteria.index, "gap"])
    assert np.allclose(a.items["gap"], b.items.loc[a.items.index, "gap"])
    for t in (a.items, a.criteria, a.overall):  # the estimate lies in its own interval
        assert ((t["gap_ci_low"] <= t["gap"] + 1e-9) & (t["gap"] <= t["gap_ci_high"] + 1e-9)).all()


def test_the_bootstrap_interval_covers_the_true_gap_about_95_times_in_100() -> None:
    """150 synthetic surveys of 60 respondents whose true responsiveness gap is -1: the percentile interval should
    cover it 95% of the time; the 99.9% binomial band around 0.95 is about ±0.06 (the percentile bootstrap runs a
    little short with few respondents, so only the lower side is checked)."""
    rng = np.random.default_rng(11)
    covered = 0
    trials = 150
    for _ in range(trials):
        rows = []
        for r in range(60):
            own = rng.normal(-1.0, 0.8)
            for item in ("10", "11", "12", "13"):
                rows.append({"respondent": r, "item": item, "expectation": 5.0, "perception": 5.0 + own + rng.normal(0, 0.5)})
        s = score(pd.DataFrame(rows), scale=(-10, 20), bootstrap=500, seed=int(rng.integers(1 << 30)))
        lo, hi = s.criteria.loc["responsiveness", ["gap_ci_low", "gap_ci_high"]]
        covered += lo <= -1.0 <= hi
    share = covered / trials
    band = 3.29 * math.sqrt(0.95 * 0.05 / trials)
    assert share >= 0.95 - band, share


def test_the_example_survey_is_read_from_its_files() -> None:
    s = score(f"{HOTLINE}.survey.csv", items=f"{HOTLINE}.survey_items.yaml", weights=f"{HOTLINE}.survey_weights.csv",
              blueprint=blueprint.load(f"{HOTLINE}.yaml"), bootstrap=500)
    assert s.respondents == 120 and list(s.criteria.index) == list(CRITERIA)
    assert list(s.by_step().index) == ["call", "choose", "answer_en", "answer_es", "done"]  # the blueprint's order
    assert s.criteria.loc["responsiveness", "verdict"] == "failing"  # generated 1.1 below expectation (scripts/make_survey.py)
    assert s.items.loc["11", "text"] == "a Spanish-speaking agent answers promptly"
    assert s.criteria["weight"].sum() == pytest.approx(100)
    assert "Survey scores" in s._repr_html_()
    assert s.plot("steps").axes[0].get_xlabel().startswith("gap")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, where, words", [
    ("respondent,item,expectation\nr1,1,5\n", "1: header", "missing column(s) perception"),
    ("respondent,item,expectation,perception\nr1,1,5,x\n", "2: row 2.perception", "expected a number"),
    ("respondent,item,expectation,perception\nr1,1,5,9\n", "2: row 2.perception", "9 is off the scale 1 to 7"),
    ("respondent,item,expectation,perception\nr1,23,5,5\n", "2: row 2.item", "unknown item '23'; known: 1, 2"),
    ("respondent,item,expectation,perception\nr1,1,5,5\nr1,1,4,4\n", "3: row 3", "answers item '1' twice"),
    ("respondent,item,expectation,perception\n,1,5,5\n", "2: row 2.respondent", "empty"),
    ("respondent,item,expectation,perception\nr1,1,,5\n", "survey.csv", "no answer has both"),
])
def test_a_bad_survey_is_refused_with_file_row_and_column(tmp_path: Path, text: str, where: str, words: str) -> None:
    path = _write(tmp_path, "survey.csv", text)
    with pytest.raises(SurveyError) as e:
        score(path, bootstrap=100)
    assert where in str(e.value) and words in str(e.value), str(e.value)
    result = RUNNER.invoke(_app(), ["survey", str(path)])
    assert result.exit_code != 0 and words in result.output and "Traceback" not in result.output


def test_bad_points_and_item_maps_are_refused(tmp_path: Path) -> None:
    survey = _write(tmp_path, "s.csv", "respondent,item,expectation,perception\nr1,10,5,4\nr1,1,5,5\n")
    wrong_total = _write(tmp_path, "w.csv", "respondent,tangibles,responsiveness\nr1,30,60\n")
    with pytest.raises(SurveyError, match=r"w.csv:2: row 2: respondent 'r1': points must be 0 or more and add up to 100, they add up to 90"):
        score(survey, weights=wrong_total, bootstrap=100)
    no_column = _write(tmp_path, "w2.csv", "respondent,tangibles\nr1,100\n")
    with pytest.raises(SurveyError, match="missing column.s. responsiveness"):
        score(survey, weights=no_column, bootstrap=100)
    bad_map = _write(tmp_path, "items.yaml", 'items:\n  "10": {step: 3}\n')
    with pytest.raises(SurveyError) as e:
        score(survey, items=bad_map, bootstrap=100)
    assert "items.10.step: expected text, got 3" in str(e.value)
    own = _write(tmp_path, "own.yaml", 'items:\n  "10": {}\n  "X": {text: "own item"}\n')
    with pytest.raises(SurveyError, match=r"own.yaml:3: items.X.criterion: expected the criterion's name"):
        score(survey, items=own, bootstrap=100)
    steps = _write(tmp_path, "steps.yaml", 'items:\n  "10": {step: speak_xx}\n  "1": {}\n')
    with pytest.raises(SurveyError, match=r"steps.yaml:2: items.10.step: unknown step 'speak_xx'; known: call, choose"):
        score(survey, items=steps, blueprint=blueprint.load(f"{HOTLINE}.yaml"), bootstrap=100)
    with pytest.raises(ValueError, match="bootstrap must be"):
        score(survey, bootstrap=10)
    with pytest.raises(blueprint.BlueprintFileError, match="missing.csv: no such file"):
        score(tmp_path / "missing.csv")


def _app() -> Any:
    from simulate.cli import app

    return app


def test_the_survey_command_prints_tables_json_and_csv() -> None:
    args = ["survey", f"{HOTLINE}.survey.csv", "--items", f"{HOTLINE}.survey_items.yaml",
            "--weights", f"{HOTLINE}.survey_weights.csv", "--blueprint", f"{HOTLINE}.yaml", "--bootstrap", "300"]
    shown = RUNNER.invoke(_app(), args)
    assert shown.exit_code == 0, shown.output
    assert "Per criterion" in shown.output and "Per blueprint step" in shown.output and "failing" in shown.output
    data = json.loads(RUNNER.invoke(_app(), [*args, "--json"]).stdout)
    assert data["respondents"] == 120 and set(data["criterion"]) == set(CRITERIA)
    assert data["overall"]["weighted"]["verdict"] == "failing"
    assert data["step"]["answer_en"]["gap"] < 0
    lines = RUNNER.invoke(_app(), [*args, "--csv"]).stdout.splitlines()
    assert lines[0] == "level,name,expectation,perception,gap,gap_ci_low,gap_ci_high,verdict"
    assert sum(line.startswith("item,") for line in lines) == 22
    bad = RUNNER.invoke(_app(), ["survey", f"{HOTLINE}.survey.csv", "--scale", "7-1"])
    assert bad.exit_code != 0 and "--scale must be lowest-highest" in bad.output


def test_a_survey_too_large_to_hold_is_refused_not_run(tmp_path: Path) -> None:
    import blueprint.survey as survey

    rows = "\n".join(f"r{r},q{i},5,5,c" for r in range(30) for i in range(30))
    path = _write(tmp_path, "big.csv", "respondent,item,expectation,perception,criterion\n" + rows + "\n")
    old = survey.MAX_CELLS
    survey.MAX_CELLS = 500
    try:
        with pytest.raises(SurveyError, match="30 respondents × 30 items is more than the 500 answers"):
            score(path, bootstrap=100)
    finally:
        survey.MAX_CELLS = old
    assert score(path, bootstrap=100).criteria.loc["c", "gap"] == 0.0  # the survey's own criterion column


def test_the_survey_gap_stands_beside_the_simulated_experience_per_step() -> None:
    import simulate

    bp = blueprint.load(f"{HOTLINE}.yaml")
    s = score(f"{HOTLINE}.survey.csv", items=f"{HOTLINE}.survey_items.yaml", blueprint=bp, bootstrap=300)
    results = simulate.run(bp, days=1, replications=6, seed=2026, progress=False)
    both = s.beside(results)
    assert set(both.index) == {"call", "choose", "answer_en", "answer_es", "done"}
    assert both.index[0] == "answer_es"  # the largest share of the simulated loss: Spanish callers wait
    assert both["loss_share"].dropna().is_monotonic_decreasing
    assert both.loc["answer_es", "survey_verdict"] == "failing" and math.isnan(both.loc["call", "loss_share"])
    assert both.equals(s.beside(results.experience()))


def test_weights_of_nobody_in_the_survey_are_refused(tmp_path: Path) -> None:
    """Points per respondent that match no respondent would weigh nobody (a NaN gap judged "acceptable"):
    refused, naming the survey's respondents."""
    weights = tmp_path / "w.csv"
    weights.write_text("respondent,tangibles,reliability,responsiveness,assurance,empathy\nZZZ,20,20,20,20,20\n",
                       encoding="utf-8")
    with pytest.raises(SurveyError, match=r"w\.csv:2: respondent: no respondent of the weights answered the survey; "
                                          r"the survey's respondents: R001, R002"):
        score("examples/bilingual_hotline.survey.csv", weights=weights, bootstrap=100)


def test_rows_with_a_value_too_many_or_too_few_and_a_column_given_twice_are_refused(tmp_path: Path) -> None:
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("respondent,item,expectation,perception\nr1,1,5,6\nr2,1,5,6,7\nr3,1,5\n")
    with pytest.raises(SurveyError) as e:
        score(ragged)
    assert [(p.line, p.path) for p in e.value.problems] == [(3, "row 3"), (4, "row 4")]
    assert "5 value(s) for 4 column(s)" in str(e.value) and "3 value(s) for 4 column(s)" in str(e.value)
    twice = tmp_path / "twice.csv"
    twice.write_text("respondent,item, Item ,expectation,perception\nr1,1,2,5,6\n")
    with pytest.raises(SurveyError, match="the column 'item' is given twice"):
        score(twice)
    wide = tmp_path / "wide.csv"
    wide.write_text("x" * 100_000 + ",y\n1,2\n")
    with pytest.raises(SurveyError) as e:
        score(wide)
    assert len(str(e.value)) < 400  # the header is quoted cut short, not 100 KB of it


def test_an_unknown_step_in_an_item_map_is_located_in_the_item_map(tmp_path: Path) -> None:
    items = tmp_path / "items.yaml"
    text = Path(f"{HOTLINE}.survey_items.yaml").read_text().replace("step: call", "step: cal", 1)
    items.write_text(text)
    with pytest.raises(SurveyError) as e:
        score(f"{HOTLINE}.survey.csv", items=items, blueprint=blueprint.load(f"{HOTLINE}.yaml"), bootstrap=100)
    p = e.value.problems[0]
    assert p.file == str(items) and p.line is not None and "step: cal" in text.splitlines()[p.line - 1]
    assert "unknown step 'cal'; did you mean 'call'?" in p.message and p.path.endswith(".step")


def test_an_empty_item_map_cannot_be_read(tmp_path: Path) -> None:
    from blueprint.cli import app

    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    result = CliRunner().invoke(app, ["survey", f"{HOTLINE}.survey.csv", "--items", str(empty)])
    assert result.exit_code == 2 and "not an item map: expected a mapping with items:" in result.output
    for text, message in (("items: {}\n", "empty.yaml:1: items: expected at least 1 entry, got none"),
                          ("items:\n  1: {text: a}\n", "empty.yaml:2: the key 1 is a number to YAML, and keys are text "
                                                     "(field names, names, ids): write it in quotes, '1'")):
        empty.write_text(text)
        result = CliRunner().invoke(app, ["survey", f"{HOTLINE}.survey.csv", "--items", str(empty)])
        assert result.exit_code != 0 and message in " ".join(result.output.split()), result.output


def test_a_file_of_another_kind_is_named_by_its_header_not_row_by_row() -> None:
    from blueprint.survey import read_survey

    with pytest.raises(SurveyError) as caught:
        read_survey("examples/contact_center.yaml")  # twenty "2 value(s) for 1 column(s)" before
    assert [p.path for p in caught.value.problems] == ["header"]
    assert "missing column(s) respondent, item, expectation, perception" in str(caught.value)


def test_points_in_a_column_that_is_no_criterion_are_named_where_they_are_missed(tmp_path: Path) -> None:
    import csv

    rows = list(csv.reader(open(f"{HOTLINE}.survey_weights.csv", encoding="utf-8")))
    rows = [rows[0] + ["bogus"]] + [[r[0], r[1], str(float(r[2]) - 10), *r[3:], "10"] for r in rows[1:]]
    path = tmp_path / "weights.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    result = RUNNER.invoke(_app(), ["survey", f"{HOTLINE}.survey.csv", "--items", f"{HOTLINE}.survey_items.yaml",
                                               "--weights", str(path)])
    assert result.exit_code != 0 and "they add up to 90 (not counted: bogus, no criterion of this survey" in result.output


def test_a_scale_below_zero_is_accepted(tmp_path: Path) -> None:
    """A -3 to +3 scale (--scale=-3-3): the minus of a bound is not taken for the dash between them."""
    from blueprint.cli import app

    rows = "".join(f"r{r},{i},{(r + i) % 4 - 1},{(r * i) % 7 - 3}\n" for r in range(1, 6) for i in range(1, 23))
    survey = _write(tmp_path, "s.csv", "respondent,item,expectation,perception\n" + rows)
    result = CliRunner().invoke(app, ["survey", str(survey), "--scale=-3-3", "--bootstrap", "100"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["survey", str(survey), "--scale=3--3"])
    assert result.exit_code == 2 and "--scale must be lowest-highest" in result.output


def test_problems_name_the_line_a_row_starts_on(tmp_path: Path) -> None:
    """Blank lines and line breaks inside quoted cells move the rows down the file: a problem names the row's real
    line (it said the row's place in the table plus 2)."""
    from blueprint.survey import SurveyError, read_survey, score

    answers = tmp_path / "answers.csv"
    answers.write_text('respondent,item,expectation,perception\n\nr1,"tangibles\nfirst",5,5\n\n\nr2,1,5,9\n', encoding="utf-8")
    with pytest.raises(SurveyError) as e:
        score(read_survey(answers))
    assert [(p.line, p.path) for p in e.value.problems] == [(3, "row 3.item"), (7, "row 7.perception")]
    weights = tmp_path / "weights.csv"
    weights.write_text("respondent,tangibles,reliability,responsiveness,assurance,empathy\n\n\nr1,4,24,31,25,10\n",
                       encoding="utf-8")
    table = pd.DataFrame({"respondent": ["r1"], "item": ["1"], "expectation": [5.0], "perception": [4.0]})
    with pytest.raises(SurveyError) as e:
        score(table, weights=weights)
    assert [(p.file, p.line) for p in e.value.problems] == [(str(weights), 4)]


def test_a_weighted_score_says_how_many_respondents_it_rests_on(tmp_path: Path) -> None:
    """Points from 1 of 3 respondents made the weighted headline without a word on the 2 left out."""
    from blueprint.survey import score

    table = pd.DataFrame({"respondent": ["a", "b", "c"] * 5, "item": [str(i) for i in (1, 1, 1, 5, 5, 5, 10, 10, 10, 14, 14, 14,
                                                                                   18, 18, 18)],
                          "expectation": [5.0] * 15, "perception": [4.0, 6.0, 5.0] * 5})
    weights = pd.DataFrame({"respondent": ["a"], "tangibles": [20], "reliability": [20], "responsiveness": [20],
                            "assurance": [20], "empathy": [20]})
    scores = score(table, weights=weights, bootstrap=100)
    assert scores.weighted_respondents == 1 and scores.respondents == 3
    assert "overall weighted (on the 1 of 3 respondents who gave points and answered every criterion) gap -1.00" in scores.describe()
    assert score(table, bootstrap=100).weighted_respondents is None


def test_an_item_given_two_criteria_is_named_at_its_row(tmp_path: Path) -> None:
    """The survey says each item's criterion itself: a second, different one is refused at the row that gives it
    (the message had named no line)."""
    path = tmp_path / "s.csv"
    path.write_text("respondent,item,expectation,perception,criterion\nR1,x,3,4,tangibles\nR2,x,4,4,Tangibles\n"
                    "R3,x,4,4,reliability\n", encoding="utf-8")
    with pytest.raises(SurveyError) as caught:
        score(path)
    (problem,) = caught.value.problems
    assert problem.line == 4 and problem.path == "row 4.criterion"
    assert "item 'x' is given two criteria: 'tangibles' (on an earlier row) and 'reliability'" in problem.message
