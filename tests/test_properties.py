"""Property tests: random valid blueprints validate, round-trip, and draw left to right;
broken blueprints and garbage files fail only with the library's own error type.

1. valid by construction: ``bp.validate().errors == []`` (data form and builder API);
2. round trip through YAML and JSON: equal model, identical text the second time (number-like
   text such as ``1e3``, control characters and the line breaks U+0085/U+2028/U+2029 included);
3. ``validate()`` of broken blueprints returns a report; ``loads`` of anything raises only
   ``BlueprintFileError``; NaN and infinity where a number is written, and ids with a trailing
   newline, are refused at load;
4. ``journey_columns`` reads left to right except along ``back_flows`` and self-loops;
5. ``lines_crossed`` is the lines strictly between the two lanes.

The strategies live in ``tests/strategies.py``. The minimal reproductions of the library bugs
these properties found (all fixed) stay as ordinary regression tests beside their property.
"""

from __future__ import annotations

import json
import math

import pydantic
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import blueprint
from blueprint import ACTION_LANES, Blueprint, Flow, Lane, Line, Staffing, ValidationReport

try:  # tests/ on sys.path (rootdir-style collection) or tests as a package
    import strategies as bst
except ImportError:  # pragma: no cover
    from tests import strategies as bst

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FORMATS = ("yaml", "json")


def _codes(report: ValidationReport) -> set[str]:
    return {p.code for p in report.problems}


def _assert_valid(bp: Blueprint) -> None:
    report = bp.validate()
    assert isinstance(report, ValidationReport)
    assert report.errors == [], f"valid by construction, but:\n{report}\n\n{blueprint.dumps(bp)}"


# -- 1. valid by construction ----------------------------------------------------------


@settings(max_examples=120, **SETTINGS)
@given(bst.blueprint_data())
def test_generated_data_is_valid(data):
    bp = Blueprint.model_validate(data)
    _assert_valid(bp)
    assert len(bp.steps) == len(data["steps"]) and len(bp.flows) == len(data["flows"])


@settings(max_examples=80, **SETTINGS)
@given(bst.built_blueprints())
def test_builder_gives_the_same_valid_blueprint(pair):
    data, built = pair
    _assert_valid(built)
    assert built == Blueprint.model_validate(data)


# -- 2. round trip ---------------------------------------------------------------------


def _round_trip(data, fmt):
    bp = Blueprint.model_validate(data)
    text = blueprint.dumps(bp, fmt)
    loaded = blueprint.loads(text, format=fmt)
    assert loaded == bp, text
    assert blueprint.dumps(loaded, fmt) == text
    assert Blueprint.model_validate(data) == loaded
    # the canonical data reads back as the same model too
    assert Blueprint.model_validate(json.loads(blueprint.dumps(bp, "json"))) == bp


@settings(max_examples=100, **SETTINGS)
@example({"name": "a\x8cb", "steps": [{"label": "Ask", "lane": "customer"}]})
@given(bst.blueprint_data())
def test_json_round_trip(data):
    _round_trip(data, "json")


@settings(max_examples=100, **SETTINGS)
@example({"name": "1e3", "steps": [{"label": "Ask", "lane": "customer"}]})
@example({"name": "a\x85b", "steps": [{"label": "x\n\x85y", "lane": "customer"}]})
@given(bst.blueprint_data())
def test_yaml_round_trip(data):
    _round_trip(data, "yaml")


_AWKWARD_NAMES = (
    *bst.NUMBER_LIKE_TEXT,  # were written unquoted to YAML and read back as numbers
    "a\x85b", "x\n\x85y", "a\x85\n", "a\u2028b", "a\u2029b", "\u2028",  # NEL/LS/PS were folded into spaces
    "a\x8cb", "\x7f", "\ufffe", "\x00",  # written raw in JSON, these were a yaml ReaderError
    "1e", "007", "12:00", "yes", "1_000", ".inf", ".nan",
)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("text", _AWKWARD_NAMES, ids=ascii)
def test_round_trip_of_one_awkward_name(fmt, text):
    """Regression tests for the round-trip bugs: one text in the name and a label."""
    bp = Blueprint(text if text.strip() else "x" + text)  # a blank name is refused: the label keeps the text alone
    bp.customer(text)
    dumped = blueprint.dumps(bp, fmt)
    loaded = blueprint.loads(dumped, format=fmt)
    assert loaded == bp, (loaded.name, text)
    assert blueprint.dumps(loaded, fmt) == dumped


@settings(max_examples=200, **SETTINGS)
@given(st.data())
def test_round_trip_of_distributions_and_staffing(data):
    """Every distribution and staffing form on its own: parsed, written, parsed again."""
    d = data.draw(bst.distribution_data())
    dist = blueprint.parse_distribution(d)
    assert blueprint.parse_distribution(dist.to_data()) == dist
    if isinstance(dist.to_data(), str):
        assert str(blueprint.parse_distribution(str(dist))) == str(dist)
    assert math.isfinite(dist.mean) and dist.mean >= 0
    s = Staffing.model_validate(data.draw(bst.staffing_data()))
    again = Staffing.model_validate(s.model_dump(mode="json"))
    assert again == s and not s.is_zero()


# -- 3. validation never raises anything but its own error type ------------------------


def _expected_codes(data) -> set[str]:
    """Problems the report must contain, read straight off the (broken) data."""
    steps = data.get("steps", [])
    ids = [s.get("id") or blueprint.base.slugify(s["label"]) for s in steps]
    roles = {r["name"] for r in data.get("roles", [])}
    flows = [f if isinstance(f, dict) else dict(zip(("from", "to"), [p.strip() for p in f.split("->")])) for f in data.get("flows", [])]
    out = set()
    if any(f["from"] not in ids or f["to"] not in ids for f in flows):
        out.add("unknown-step")
    if any(a["step"] not in ids for a in data.get("arrivals", [])):
        out.add("unknown-step")
    if any(s.get("role") is not None and s["role"] not in roles for s in steps):
        out.add("unknown-role")
    lane = lambda s: "onstage" if s["lane"].strip().lower() == "frontstage" else s["lane"]  # noqa: E731
    if any(s.get("role") is None and lane(s) in ("onstage", "backstage") for s in steps):
        out.add("missing-role")
    if len(set(ids)) != len(ids) or len({r["name"] for r in data.get("roles", [])}) != len(data.get("roles", [])):
        out.add("duplicate-id")
    if not data.get("arrivals"):
        out.add("no-arrivals")
    return out


@settings(max_examples=150, **SETTINGS)
@given(bst.mutated_blueprint_data())
def test_validate_of_broken_blueprints_returns_a_report(pair):
    data, mutations = pair
    try:
        bp = Blueprint.model_validate(data)
    except pydantic.ValidationError:
        # refused by the model: the file reader must say so with its own error
        for fmt, text in (("json", json.dumps(data)), ("yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))):
            with pytest.raises(blueprint.BlueprintFileError):
                blueprint.loads(text, format=fmt)
        return
    report = bp.validate()
    assert isinstance(report, ValidationReport)
    assert str(report) and report.summary() and report._repr_html_()
    assert _expected_codes(data) <= _codes(report), (mutations, str(report))
    if report.errors:
        with pytest.raises(blueprint.BlueprintValidationError):
            bp.check()
    loaded = blueprint.loads(json.dumps(data), format="json")
    brief = lambda r: [(p.severity, p.code, p.path, p.message) for p in r.problems]  # noqa: E731
    assert brief(loaded.validate()) == brief(report)


@settings(max_examples=80, **SETTINGS)
@given(bst.built_blueprints(max_steps=6), st.data())
def test_validate_after_editing_the_model_returns_a_report(pair, data):
    """The same kind of damage done through the Python objects instead of the data."""
    _, bp = pair
    ids = [s.id for s in bp.steps]
    for op in data.draw(st.lists(st.sampled_from(["pop_step", "self_loop", "unknown_target", "zero", "no_arrivals", "dup_step", "ghost_role", "pop_role", "probability"]), min_size=1, max_size=4)):
        if op == "pop_step" and bp.steps:
            bp.steps.pop(data.draw(st.integers(0, len(bp.steps) - 1)))
        elif op == "self_loop":
            x = data.draw(st.sampled_from(ids))
            bp.flow(x, x, kind=data.draw(st.sampled_from(["handoff", "rework", "retry", "parallel", "transfer"])))
        elif op == "unknown_target" and bp.flows:
            bp.flows[data.draw(st.integers(0, len(bp.flows) - 1))].target = data.draw(st.text(max_size=6))
        elif op == "zero" and bp.roles:
            bp.roles[data.draw(st.integers(0, len(bp.roles) - 1))].staffing = 0
        elif op == "no_arrivals":
            bp.arrivals.clear()
        elif op == "dup_step" and bp.steps:
            bp.steps.append(bp.steps[data.draw(st.integers(0, len(bp.steps) - 1))])
        elif op == "ghost_role" and bp.steps:
            bp.steps[data.draw(st.integers(0, len(bp.steps) - 1))].role = data.draw(st.text(max_size=6))
        elif op == "pop_role" and bp.roles:
            bp.roles.pop()
        elif op == "probability" and bp.flows:
            f = bp.flows[data.draw(st.integers(0, len(bp.flows) - 1))]
            if f.kind.value != "parallel" and not f.otherwise:
                f.probability = data.draw(st.floats(0, 1))
    report = bp.validate()
    assert isinstance(report, ValidationReport)
    assert report.summary()
    # what the edits did is reported
    if any(f.source not in {s.id for s in bp.steps} or f.target not in {s.id for s in bp.steps} for f in bp.flows):
        assert "unknown-step" in _codes(report)
    if not bp.arrivals:
        assert "no-arrivals" in _codes(report)


def _loads_or_file_error(text, fmt=None):
    """``loads`` gives a blueprint whose ``validate()`` gives a report, or raises ``BlueprintFileError``."""
    try:
        bp = blueprint.loads(text, format=fmt) if fmt else blueprint.loads(text)
    except blueprint.BlueprintFileError as e:
        assert isinstance(e, blueprint.BlueprintError)
        assert e.problems and all(p.severity == "error" for p in e.problems)
        assert str(e)
        return None
    assert isinstance(bp, Blueprint)
    assert isinstance(bp.validate(), ValidationReport)
    return bp


def _dump_yaml(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _texts_of(data) -> list[tuple[str, str | None]]:
    """Ways to write random data to a file: YAML, JSON (ASCII and not), and YAML with a name added."""
    out = [(_dump_yaml(data), "yaml"), (json.dumps(data), "json"), (json.dumps(data, ensure_ascii=False), "json")]
    if isinstance(data, dict):
        out += [(_dump_yaml({"name": "x", **data}), "yaml"), (json.dumps({"name": "x", "steps": [data]}), "json")]
    return out


_DISTRIBUTION_GARBAGE = st.dictionaries(
    st.sampled_from(["dist", "unit", "mean", "sd", "samples", "edges", "counts", "low", "high", "shape", "scale", "value", "foo"]),
    st.one_of(st.sampled_from(["exp", "empirical", "gamma", "normal", "fixed", "min", "5 min", "h", 5, 0, -1, 10**400, [1, 2], [], None, "x"]), st.integers(), st.floats()),
    max_size=5,
).map(lambda d: {"name": "x", "steps": [{"id": "a", "label": "A", "lane": "customer", "duration": d}]})
_SHAPED_GARBAGE = st.one_of(bst.blueprint_shaped_garbage(), _DISTRIBUTION_GARBAGE)

#: Everything thrown at loads: random text, YAML punctuation, random data and blueprint-shaped data.
_LOADS_INPUTS = st.one_of(
    st.text(max_size=80).map(lambda t: [(t, None), (t, "json")]),
    bst.yamlish_text().map(lambda t: [(t, None)]),
    bst.garbage_data().map(_texts_of),
    _SHAPED_GARBAGE.map(_texts_of),
)


@settings(max_examples=800, **SETTINGS)
@example([("name: x\n1: 2\n", "yaml")])
@example([("\x8c", None), ('{"name": "\x8c"}', "json")])
@example([("&a [*a]\n", None)])
@given(_LOADS_INPUTS)
def test_loads_raises_only_blueprint_file_error(texts):
    """Whatever the text, loads gives a blueprint or raises BlueprintFileError."""
    for text, fmt in texts:
        _loads_or_file_error(text, fmt)


_BIG = "1" + "0" * 400
_STEP = "name: x\nsteps:\n- {id: a, label: A, lane: customer, duration: %s}\n"
_ALIAS_BOMB = "a: &a [" + ", ".join(["x"] * 9) + "]\n" + "".join(
    f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefgh", "bcdefghi")
)  # 9**9 values once the aliases are followed


@pytest.mark.parametrize(
    "text",
    [
        # a distribution with a key or value it does not take (was TypeError/AttributeError/OverflowError)
        pytest.param(_STEP % "{dist: empirical, samples: [1], foo: 2, unit: min}", id="emp-extra-key"),
        pytest.param(_STEP % "'empirical(foo=[1]) min'", id="emp-text-kw"),
        pytest.param(_STEP % "{dist: exp, mean: 5 min, unit: 5}", id="unit-int"),
        pytest.param(_STEP % "{dist: exp, 5: 1, unit: min}", id="int-key"),
        pytest.param(_STEP % f"{{dist: exp, mean: {_BIG}, unit: s}}", id="bigint-mean"),
        pytest.param(_STEP % f"{{dist: empirical, edges: [0, {_BIG}], counts: [1], unit: s}}", id="bigint-edge"),
        # YAML keys that are not text, aliases that contain themselves, alias bombs (was TypeError/RecursionError)
        pytest.param("? [a]\n: 1\nname: x\n", id="list-key"),
        pytest.param("{[]: 1}\n", id="flow-list-key"),
        pytest.param("&a [*a]\n", id="recursive-alias"),
        pytest.param("name: &a {x: *a}\n", id="recursive-alias-map"),
        pytest.param(_ALIAS_BOMB, id="alias-bomb"),
        # characters YAML refuses (was yaml.reader.ReaderError)
        pytest.param("\x8c", id="c1-control"),
        pytest.param("name: a\x00\n", id="nul"),
        pytest.param("name: a\ufffe\n", id="non-character"),
        # a top-level key that is not text (was TypeError from Blueprint.__init__)
        pytest.param("name: x\n1: 2\n", id="int-top-level-key"),
        pytest.param("name: x\n1e3: 2\n", id="float-top-level-key"),
        pytest.param(_STEP % "{dist: exp, mean: [1], unit: s}", id="list-param"),
        pytest.param(_STEP % "{dist: exp, foo: 1, unit: min}", id="unknown-param"),
        pytest.param("name: !!python/object:os.system x\n", id="python-tag"),
        pytest.param("name: 2001-12-14\n", id="date"),
    ],
)
def test_loads_of_known_bad_inputs_raises_blueprint_file_error(text):
    """Minimal reproductions: each must raise BlueprintFileError and nothing else."""
    with pytest.raises(blueprint.BlueprintFileError):
        blueprint.loads(text)


def test_loads_of_json_with_a_c1_control_character():
    with pytest.raises(blueprint.BlueprintFileError):
        blueprint.loads('{"name": "\x8c", "steps": 3}', format="json")
    assert blueprint.loads('{"name": "\x8c"}', format="json").name == "\x8c"


def test_model_validate_of_a_non_text_key_raises_validation_error():
    with pytest.raises(pydantic.ValidationError) as info:
        Blueprint.model_validate({1: 2, "name": "x"})
    assert "invalid_key" in {e["type"] for e in info.value.errors()}


@settings(max_examples=100, **SETTINGS)
@given(bst.blueprint_data(max_steps=5), st.data())
def test_loads_of_valid_data_with_a_garbage_subtree(data, draw):
    """Replace one value deep inside a valid blueprint with random data."""
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append(path + (k,))
                walk(v, path + (k,))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                paths.append(path + (i,))
                walk(v, path + (i,))

    walk(data, ())
    path = draw.draw(st.sampled_from(paths))
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = draw.draw(bst.garbage_data(keys=st.sampled_from(["dist", "unit", "mean", "start", "values", "x"])))
    _loads_or_file_error(json.dumps(data), "json")
    _loads_or_file_error(_dump_yaml(data), "yaml")


# NaN and infinity are refused wherever a number is written; so are ids with a trailing newline.

_NOT_FINITE = (math.nan, math.inf, -math.inf)
_NUMBER_PLACES = ("cost", "cost_per_hour", "staffing_profile", "arrivals_profile", "fail_point", "flow_probability", "target", "samples")


def _put(data, path, value):
    data = json.loads(json.dumps(data))  # a deep copy
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


@st.composite
def _a_number_in_valid_data(draw):
    """``(data, place, path, fine)``: valid data with a number at ``path`` (now ``fine``, a value that loads)."""
    data = json.loads(json.dumps(draw(bst.blueprint_data(max_steps=5))))
    place = draw(st.sampled_from(_NUMBER_PLACES))
    steps, roles, flows = data["steps"], data["roles"], data["flows"]
    i = draw(st.integers(0, len(steps) - 1))
    r = draw(st.integers(0, len(roles) - 1))
    eligible = [j for j, f in enumerate(flows) if isinstance(f, str) or (f.get("kind") != "parallel" and not f.get("otherwise"))]
    if place == "flow_probability" and not eligible:
        place = "cost"
    if place == "cost":
        return data, place, ("steps", i, "cost"), 1.5
    if place == "cost_per_hour":
        return data, place, ("roles", r, "cost_per_hour"), 1.5
    if place in ("staffing_profile", "arrivals_profile"):
        whole = place == "staffing_profile"
        profile = draw(bst.profile_data(whole=whole))
        if whole:
            roles[r]["staffing"] = profile
            path = ("roles", r, "staffing")
        else:
            for k in ("rate", "profile", "times"):
                data["arrivals"][0].pop(k, None)
            data["arrivals"][0]["profile"] = profile
            path = ("arrivals", 0, "profile")
        if "values" in profile:
            path += ("values", draw(st.integers(0, len(profile["values"]) - 1)))
        else:
            day = draw(st.sampled_from(sorted(profile["days"])))
            path += ("days", day, draw(st.integers(0, len(profile["days"][day]) - 1)))
        return data, place, path, 1.0 if whole else 2.5
    if place == "fail_point":
        steps[i]["fail_point"] = {"probability": 0.5}
        return data, place, ("steps", i, "fail_point", "probability"), 0.5
    if place == "flow_probability":
        j = draw(st.sampled_from(eligible))
        if isinstance(flows[j], str):
            src, _, tgt = flows[j].partition("->")
            flows[j] = {"from": src.strip(), "to": tgt.strip()}
        return data, place, ("flows", j, "probability"), 0.5
    if place == "target":
        data["target"] = {"max_abandon": 0.5}
        return data, place, ("target", "max_abandon"), 0.5
    steps[i]["duration"] = {"dist": "empirical", "samples": [1, 2.0], "unit": draw(st.sampled_from(bst.UNITS))}
    return data, place, ("steps", i, "duration", "samples", 1), 2.0


@settings(max_examples=100, **SETTINGS)
@given(_a_number_in_valid_data(), st.sampled_from(_NOT_FINITE))
def test_a_number_that_is_not_finite_is_refused_at_load(found, bad):
    """A profile value, cost, probability... of NaN or +-infinity: BlueprintFileError, as the
    same data with a finite number there loads."""
    data, place, path, fine = found
    Blueprint.model_validate(_put(data, path, fine))
    broken = _put(data, path, bad)
    with pytest.raises(pydantic.ValidationError):
        Blueprint.model_validate(broken)
    for text, fmt in ((_dump_yaml(broken), "yaml"), (json.dumps(broken), "json")):  # .nan/.inf, NaN/Infinity
        with pytest.raises(blueprint.BlueprintFileError):
            blueprint.loads(text, format=fmt)


_PROFILE_STEP = "name: x\nroles:\n- {name: r, staffing: %s}\nsteps:\n- {id: a, label: A, lane: customer, cost: %s}\narrivals:\n- {step: a, %s}\n"


@pytest.mark.parametrize("spelling", [".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"])
@pytest.mark.parametrize(
    "where",
    [
        pytest.param(("2", "{s}", "rate: 5 per h"), id="cost"),
        pytest.param(("{{values: [1, {s}]}}", "1", "rate: 5 per h"), id="staffing-profile"),
        pytest.param(("2", "1", "profile: {{values: [{s}, 1]}}"), id="arrivals-profile"),
        pytest.param(("2", "1", "profile: {{days: {{mon: [1, {s}]}}}}"), id="arrivals-days"),
    ],
)
def test_yaml_with_a_number_that_is_not_finite_is_refused(where, spelling):
    fine = _PROFILE_STEP % tuple(w.format(s="3") for w in where)
    assert isinstance(blueprint.loads(fine), Blueprint)
    with pytest.raises(blueprint.BlueprintFileError):
        blueprint.loads(_PROFILE_STEP % tuple(w.format(s=spelling) for w in where))


_NOT_ID_ENDINGS = ("\n", "\n\n", "\r\n", "\r", " \n", " ", "\t", "\x85", "\u2028")


@settings(max_examples=60, **SETTINGS)
@given(bst.blueprint_data(max_steps=5), st.data())
def test_an_id_with_a_trailing_newline_is_refused(data, draw):
    """A step id (or arrivals or segment name) that ends in a newline or other space is refused."""
    data = json.loads(json.dumps(data))
    ending = draw.draw(st.sampled_from(_NOT_ID_ENDINGS))
    i = draw.draw(st.integers(0, len(data["steps"]) - 1))
    step = data["steps"][i]
    places = [("steps", i, "id")]
    arrivals = data["arrivals"][0]
    places.append(("arrivals", 0, "name"))
    places += [("arrivals", 0, "segments", j, "name") for j in range(len(arrivals.get("segments", [])))]
    path = draw.draw(st.sampled_from(places))
    if path[0] == "steps":
        value = (step.get("id") or blueprint.base.slugify(step["label"])) + ending
    else:
        value = (arrivals.get("name", "customers") if len(path) == 3 else arrivals["segments"][path[3]]["name"]) + ending
    broken = _put(data, path, value)
    with pytest.raises(pydantic.ValidationError):
        Blueprint.model_validate(broken)
    for text, fmt in ((_dump_yaml(broken), "yaml"), (json.dumps(broken), "json")):
        with pytest.raises(blueprint.BlueprintFileError):
            blueprint.loads(text, format=fmt)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\n\n"], ids=ascii)
def test_a_step_id_with_a_trailing_newline_is_refused(ending):
    text = "name: x\nsteps:\n- id: %s\n  label: A\n  lane: customer\n"
    assert blueprint.loads(text % "a").steps[0].id == "a"
    with pytest.raises(blueprint.BlueprintFileError):
        blueprint.loads(text % json.dumps("a" + ending))
    with pytest.raises(blueprint.BlueprintFileError):
        blueprint.loads(json.dumps({"name": "x", "steps": [{"id": "a" + ending, "label": "A", "lane": "customer"}]}), format="json")
    with pytest.raises(pydantic.ValidationError):
        Blueprint("x").customer("A", id="a" + ending)


# -- 4. journey columns ----------------------------------------------------------------


@settings(max_examples=120, **SETTINGS)
@given(st.one_of(bst.valid_blueprints(), bst.built_blueprints().map(lambda p: p[1])))
def test_journey_columns_read_left_to_right(bp):
    columns = blueprint.journey_columns(bp)
    assert set(columns) == {s.id for s in bp.steps}
    assert all(isinstance(c, int) and c >= 0 for c in columns.values())
    back = blueprint.back_flows(bp)
    for f in bp.flows:
        if (f.source, f.target) in back or f.source == f.target:
            continue
        assert columns[f.source] < columns[f.target], (str(f), columns, back)
    # retry flows always count as loops back
    assert {(f.source, f.target) for f in bp.flows if f.kind.value == "retry"} <= back
    # the entries sit in the first column; journey_order sorts by column
    first = blueprint.entry_steps(bp)[0]  # the first root of the search: every edge into it is a loop back
    assert columns[first] == 0
    order = blueprint.journey_order(bp)
    assert sorted(order) == sorted(columns) and [columns[s] for s in order] == sorted(columns[s] for s in order)


# -- 5. lines crossed ------------------------------------------------------------------

_ACTION = [lane.value for lane in ACTION_LANES]


def _lines_strictly_between(a: Lane, b: Lane) -> tuple[Line, ...]:
    """Independent oracle: the line below action lane k is the k-th line."""
    order = [Line.INTERACTION, Line.VISIBILITY, Line.INTERNAL_INTERACTION]
    i, j = sorted((_ACTION.index(a.value), _ACTION.index(b.value)))
    return tuple(order[i:j])


@settings(max_examples=100, **SETTINGS)
@given(bst.valid_blueprints())
def test_lines_crossed_are_the_lines_between_the_lanes(bp):
    lane = {s.id: s.lane for s in bp.steps}
    crossing = {i for i, _, _ in blueprint.crossings(bp)}
    for i, f in enumerate(bp.flows):
        lines = blueprint.lines_crossed(bp, f)
        a, b = lane[f.source], lane[f.target]
        assert lines == blueprint.lines_between(a, b) == _lines_strictly_between(a, b)
        assert lines == blueprint.lines_between(b, a)
        assert len(lines) == abs(_ACTION.index(a.value) - _ACTION.index(b.value))
        assert (i in crossing) == bool(lines)
        assert (f in blueprint.moments_of_truth(bp)) == (Line.INTERACTION in lines)


@given(st.sampled_from(list(ACTION_LANES)), st.sampled_from(list(ACTION_LANES)))
def test_lines_between_every_pair_of_lanes(a, b):
    lines = blueprint.lines_between(a, b)
    assert lines == _lines_strictly_between(a, b)
    for line in lines:
        lo, hi = sorted((a.index, b.index))
        assert lo <= line.above.index < line.below.index <= hi
    bp = Blueprint("two")
    x, y = bp.add_step("x", a), bp.add_step("y", b)
    assert blueprint.lines_crossed(bp, Flow(source=x.id, target=y.id)) == lines
