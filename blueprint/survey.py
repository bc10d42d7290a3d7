"""Survey scores: what customers expected against what they perceived (SERVQUAL), per item, criterion and step.

Service quality is perception against expectation: high where perception exceeds
expectation, acceptable where they are equal, failing where it falls below (gap 5 of the
gap model of Parasuraman, Zeithaml and Berry). A SERVQUAL survey asks each respondent, for
each item, how much they expect of such a service and how they perceived this one, on the
same scale (1 to 7 by default), and may ask them to share 100 points among the criteria by
importance. :func:`score` reads such a survey and computes, exactly:

* an answer's **gap**: perception − expectation (an answer missing either is left out);
* a respondent's **criterion gap** G(r, c): the mean of their gaps on the criterion's items;
* a **criterion's gap**: the mean of G(r, c) over the respondents who answered any of its
  items; an **item's gap**: the mean of its gaps; a **step's gap** (items tagged to blueprint
  steps): the mean over respondents of the mean of their gaps on the step's items;
* the **unweighted overall gap**: the mean of the criterion gaps;
* the **weighted overall gap**: per respondent Σ_c w(r, c) / 100 · G(r, c) with their own
  points w(r, c) (summing to 100), averaged over the respondents who gave points and answered
  every criterion; with one set of points for everyone, Σ_c w(c) / 100 · (criterion gap c);
* every figure with a **95% interval**: the percentile bootstrap over respondents (whole
  respondents resampled with replacement, ``bootstrap`` times, from ``seed``);
* a **verdict** from the interval: "high quality" (wholly above 0), "failing" (wholly
  below 0), otherwise "acceptable" (perception cannot be told apart from expectation).

The 22 standard items (:data:`STANDARD_ITEMS`, numbered 1 to 22) fall in five criteria:
tangibles 1–4, reliability 5–9, responsiveness 10–13, assurance 14–17, empathy 18–22. A
survey with its own items gives their criteria (and steps) in an item map, or in
``criterion`` and ``step`` columns of the survey itself.

>>> import pandas as pd
>>> answers = pd.DataFrame({"respondent": ["a", "a", "b", "b"], "item": ["11", "12", "11", "12"],
...                         "expectation": [7, 6, 6, 6], "perception": [4, 6, 5, 6]})
>>> s = score(answers, bootstrap=200, seed=1)
>>> float(s.items.loc["11", "gap"]), float(s.criteria.loc["responsiveness", "gap"])
(-2.0, -1.0)
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import html
import io
import math
import os
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .errors import BlueprintFileError, Loc, Problem
from .files import read_data, read_text_file
from .numbers import listing

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .model import Blueprint

__all__ = ["CRITERIA", "STANDARD_ITEMS", "SurveyError", "SurveyScores", "read_items", "read_survey", "read_weights",
           "score"]

#: The five SERVQUAL criteria, in the order reports list them.
CRITERIA = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")

#: The 22 standard items: number -> (criterion, what it asks about, in short).
STANDARD_ITEMS: dict[str, tuple[str, str]] = {
    "1": ("tangibles", "modern equipment"),
    "2": ("tangibles", "appealing facilities"),
    "3": ("tangibles", "staff well presented"),
    "4": ("tangibles", "materials that suit the service"),
    "5": ("reliability", "does what it promises, when it promises"),
    "6": ("reliability", "sincere interest in solving a problem"),
    "7": ("reliability", "right the first time"),
    "8": ("reliability", "service at the time promised"),
    "9": ("reliability", "records without errors"),
    "10": ("responsiveness", "says when things will be done"),
    "11": ("responsiveness", "prompt service"),
    "12": ("responsiveness", "always willing to help"),
    "13": ("responsiveness", "never too busy to respond"),
    "14": ("assurance", "staff inspire confidence"),
    "15": ("assurance", "customers feel safe"),
    "16": ("assurance", "staff courteous"),
    "17": ("assurance", "staff know the answers"),
    "18": ("empathy", "individual attention"),
    "19": ("empathy", "convenient hours"),
    "20": ("empathy", "personal attention from staff"),
    "21": ("empathy", "the customer's interest at heart"),
    "22": ("empathy", "understands specific needs"),
}

VERDICTS = ("high quality", "acceptable", "failing")
MAX_BOOTSTRAP = 100_000
#: Respondents × items at most (the answers are held as one table of that size).
MAX_CELLS = 20_000_000
#: Bootstrap samples × respondents computed at once (bounds the memory a large survey takes).
_BLOCK = 2_000_000


class SurveyError(BlueprintFileError):
    """A survey, weights or item map that cannot be scored; each problem names the file, row and column."""


@dataclass
class ItemMap:
    """Per item: its criterion, the blueprint step it is tagged to (or None) and its text."""

    criterion: dict[str, str]
    step: dict[str, str | None] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # the item map's file, when read from one
    lines: dict[Loc, int] = field(default_factory=dict, repr=False)  # field path -> line in that file

    @classmethod
    def standard(cls) -> ItemMap:
        return cls({k: c for k, (c, _t) in STANDARD_ITEMS.items()}, {}, {k: t for k, (_c, t) in STANDARD_ITEMS.items()})


# -- reading -------------------------------------------------------------------------------------


def _rows(path: str | os.PathLike[str], kind: str,
          need: tuple[str, ...] = ()) -> tuple[list[dict[str, str]], list[str], str, list[int]]:
    """The rows of a CSV file (UTF-8, comma-separated, a header row), its columns, its name and the line each
    row starts on; a header
    without the columns ``need`` is refused before any row is read (a file of another kind has many rows
    of the wrong width)."""
    source = str(path)
    text = read_text_file(path, kind).lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows: list[dict[Any, Any]] = []
    lines: list[int] = []  # the line each row starts on (blank lines and quoted line breaks counted)
    try:
        for r in reader:
            inside = sum(v.count("\n") + v.count("\r") - v.count("\r\n") for v in _values(r))
            rows.append(r)
            lines.append(reader.line_num - inside)
    except csv.Error as e:
        raise SurveyError(f"not a CSV file: {e}", source) from None
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    if not columns:
        raise SurveyError(f"empty: expected {kind} with a header row", source)
    missing = [c for c in need if c not in columns]
    if missing:
        raise SurveyError([Problem("error", "survey-columns", "header", f"missing column(s) {', '.join(missing)}; "
                                   f"found: {_found(columns)} (expected {kind})", source, 1)], source)
    problems = [Problem("error", "survey-columns", "header", f"the column {_shown(c)!r} is given twice (names are read "
                        "without case and spaces)", source, 1) for c in dict.fromkeys(columns) if c and columns.count(c) > 1]
    for n, r in zip(lines, rows, strict=True):
        if len(problems) >= 20:
            break
        if None in r or any(v is None for v in r.values()):  # more values than columns, or fewer
            values = sum(v is not None for k, v in r.items() if k is not None) + len(r.get(None) or [])
            problems.append(Problem("error", "survey-row", f"row {n}", f"{values} value(s) for {len(columns)} column(s) "
                                    "(a comma too many or too few? a text with a comma needs quotes)", source, n))
    if problems:
        raise SurveyError(problems, source)
    clean = [{(k or "").strip().lower(): (v if isinstance(v, str) else "").strip() for k, v in r.items()} for r in rows]
    return clean, columns, source, lines


def _values(row: dict[str | None, Any]) -> Iterator[str]:
    """The texts of a CSV row (those past the header's columns too)."""
    for v in row.values():
        if isinstance(v, str):
            yield v
        elif isinstance(v, list):
            yield from (x for x in v if isinstance(x, str))


def _line(table: pd.DataFrame, n: int) -> int:
    """The line of the file row ``n`` of a table read here starts on (the header is line 1)."""
    lines = table.attrs.get("lines")
    return int(lines[n]) if lines is not None and n < len(lines) else n + 2


def _shown(column: str) -> str:
    """A column name as a message quotes it: its first 40 characters."""
    return column if len(column) <= 40 else column[:40] + "…"


def _found(columns: list[str]) -> str:
    """The columns a header has, for a message: the first few, each cut short."""
    return listing([_shown(c) for c in columns], first=8)


def read_survey(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A survey CSV as a table: ``respondent``, ``item``, ``expectation``, ``perception`` (numbers; an empty cell
    is a missing answer), and optional ``criterion`` and ``step``. Problems raise :class:`SurveyError` naming the
    file, row and column."""
    need = ["respondent", "item", "expectation", "perception"]
    rows, columns, source, lines = _rows(path, "a survey (respondent, item, expectation, perception)", tuple(need))
    problems: list[Problem] = []
    out: dict[str, list[Any]] = {c: [] for c in need + [c for c in ("criterion", "step") if c in columns]}
    for n, r in zip(lines, rows, strict=True):
        for c in ("respondent", "item"):
            if not r.get(c):
                problems.append(Problem("error", "survey-value", f"row {n}.{c}", "empty: every answer needs one", source, n))
        for c in ("expectation", "perception"):
            value = r.get(c, "")
            if value == "":
                continue
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                problems.append(Problem("error", "survey-value", f"row {n}.{c}", f"expected a number (or an empty cell "
                                        f"for no answer), got {value!r}", source, n))
        if len(problems) >= 20:
            break
        for c in out:
            out[c].append(r.get(c, ""))
    if problems:
        raise SurveyError(problems, source)
    table = pd.DataFrame(out)
    for c in ("expectation", "perception"):
        table[c] = pd.to_numeric(table[c].replace("", np.nan))
    table.attrs["source"] = source
    table.attrs["lines"] = lines
    return table


def read_weights(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Points per criterion per respondent from a CSV: ``respondent`` and one column per criterion, each row's
    points summing to 100. Checked when scored (:func:`score`)."""
    rows, columns, source, lines = _rows(path, "importance points (respondent, then one column per criterion)", ("respondent",))
    problems: list[Problem] = []
    data: dict[str, list[Any]] = {c: [] for c in columns}
    for n, r in zip(lines, rows, strict=True):
        for c in columns:
            value = r.get(c, "")
            if c != "respondent":
                try:
                    number = float(value)
                except ValueError:
                    number = math.nan
                if not math.isfinite(number) or number < 0:
                    problems.append(Problem("error", "survey-value", f"row {n}.{c}",
                                            f"expected points from 0 to 100, got {value!r}", source, n))
                    number = math.nan
                data[c].append(number)
            else:
                data[c].append(value)
        if len(problems) >= 20:
            break
    if problems:
        raise SurveyError(problems, source)
    table = pd.DataFrame(data)
    table.attrs["source"] = source
    table.attrs["lines"] = lines
    return table


def read_items(path: str | os.PathLike[str]) -> ItemMap:
    """An item map from YAML or JSON: ``items: {id: {criterion: ..., step: ..., text: ...}}`` (``step`` and
    ``text`` optional; ``criterion`` may be left out for a standard item number). Its JSON Schema is
    ``blueprint schema --kind survey_items``."""
    from pydantic import ValidationError

    from .errors import problems_from_pydantic
    from .survey_items import ItemMapFile

    source = str(path)
    data, lines = read_data(read_text_file(path, "an item map"), source=source)
    if not isinstance(data, dict):
        found = "an empty document" if data is None else f"a {type(data).__name__}"
        raise SurveyError([Problem("error", "not-items", "", f"not an item map: expected a mapping with items: {{id: "
                                   f"{{criterion, step, text}}}}, found {found}", source, 1)], source)
    try:
        parsed = ItemMapFile.model_validate(data)
    except ValidationError as e:
        raise SurveyError(problems_from_pydantic(e, root=ItemMapFile, file=source, lines=lines), source) from None
    criterion: dict[str, str] = {}
    step: dict[str, str | None] = {}
    text: dict[str, str] = {}
    problems: list[Problem] = []
    for item, spec in parsed.items.items():
        c = (spec.criterion if spec is not None else None) or STANDARD_ITEMS.get(item, (None, ""))[0]
        if not c:
            problems.append(Problem("error", "survey-items", f"items.{item}.criterion", "expected the criterion's name "
                                    "(needed for an item that is not a standard item number 1 to 22)", source,
                                    lines.get(("items", item))))
            continue
        criterion[item] = c.strip().lower()
        step[item] = spec.step if spec is not None else None
        text[item] = (spec.text if spec is not None and spec.text is not None else STANDARD_ITEMS.get(item, ("", ""))[1])
    if problems:
        raise SurveyError(problems, source)
    return ItemMap(criterion, step, text, source=source, lines=lines)


# -- scoring -------------------------------------------------------------------------------------


@dataclass
class SurveyScores:
    """What :func:`score` found: ``items`` (per item), ``criteria`` (per criterion), ``overall`` (unweighted and,
    with points, weighted), each with the mean expectation and perception, the gap, its 95% interval
    (``gap_ci_low``, ``gap_ci_high``) and the verdict; and :meth:`by_step` for items tagged to steps."""

    items: pd.DataFrame
    criteria: pd.DataFrame
    overall: pd.DataFrame
    steps: pd.DataFrame
    respondents: int
    answers: int
    missing: int
    bootstrap: int
    seed: int
    scale: tuple[float, float]
    #: With points per respondent: how many respondents the weighted score rests on (those who gave points and
    #: answered every criterion); None without such points.
    weighted_respondents: int | None = None

    def by_step(self) -> pd.DataFrame:
        """Per blueprint step that items are tagged to: the items, respondents, gap, interval and verdict."""
        return self.steps

    def beside(self, simulated: Any) -> pd.DataFrame:
        """Per blueprint step: the survey's gap on the items tagged to it beside the simulation's experience of
        its waits. ``simulated`` is a run's results (anything with an ``experience()`` method) or the table
        :meth:`simulate.Results.experience` returns. Columns ``survey_gap`` (with ``_ci_low``, ``_ci_high``) and
        ``survey_verdict``; ``met``, ``gap``, ``loss_per_customer`` and ``loss_share`` (with intervals) from the
        simulation, every segment together. Rows: the steps either side knows, the one to fix first on top: the
        largest share of the journeys' simulated loss, then the lowest survey gap.

        >>> scores.beside(results)    # doctest: +SKIP
        """
        table = simulated.experience() if hasattr(simulated, "experience") else simulated
        sim = pd.DataFrame()
        if len(table):
            pooled = table.xs("all", level="segment") if "all" in set(table.index.get_level_values("segment")) else None
            sim = pooled if pooled is not None else table.droplevel("segment")
            keep = [c for c in sim.columns if c.split("_ci_")[0] in ("met", "gap", "loss_per_customer", "loss_share")]
            sim = sim[keep]
        mine = self.steps[["gap", "gap_ci_low", "gap_ci_high", "verdict"]].rename(
            columns=lambda c: "survey_" + c if c != "verdict" else "survey_verdict")
        out = mine.join(sim, how="outer")
        out.index.name = "step"
        order = out.sort_values(["loss_share", "survey_gap"], ascending=[False, True], na_position="last", kind="stable")
        return order

    def summary(self) -> pd.DataFrame:
        """Per criterion then overall: gap with its interval and the verdict (one table to show)."""
        keep = ["expectation", "perception", "gap", "gap_ci_low", "gap_ci_high", "verdict"]
        crit = self.criteria[keep + (["weight"] if "weight" in self.criteria else [])]
        over = self.overall[keep].rename(index=lambda k: f"overall ({k})")
        return pd.concat([crit, over])

    def describe(self) -> str:
        """One paragraph: the overall gap and the criteria that fail, in words."""
        over = self.overall
        head = over.loc["weighted"] if "weighted" in over.index else over.loc["unweighted"]
        which = "weighted" if "weighted" in over.index else "unweighted"
        failing = self.criteria[self.criteria["verdict"] == "failing"].sort_values("gap")
        fail_text = ("no criterion fails" if failing.empty else "the criteria that fail: " + ", ".join(
            f"{c} ({g:+.2f})" for c, g in failing["gap"].items()))
        few = self.weighted_respondents
        if which == "weighted" and few is not None and few < self.respondents:
            which = f"weighted (on the {few} of {self.respondents} respondents who gave points and answered every criterion)"
        return (f"{self.respondents} respondents, {self.answers} answers ({self.missing} left out for a missing value); "
                f"overall {which} gap {head['gap']:+.2f} [{head['gap_ci_low']:+.2f}, {head['gap_ci_high']:+.2f}]: "
                f"{head['verdict']}; {fail_text}. Intervals: 95% bootstrap over respondents ({self.bootstrap} samples, "
                f"seed {self.seed}).")

    def __repr__(self) -> str:
        return f"<SurveyScores: {self.describe()}>"

    def _repr_html_(self) -> str:
        shown = self.summary().copy()
        for c in ("expectation", "perception"):
            shown[c] = [f"{v:.2f}" for v in shown[c]]
        for c in ("gap", "gap_ci_low", "gap_ci_high"):
            shown[c] = [f"{v:+.2f}" for v in shown[c]]
        if "weight" in shown:
            shown["weight"] = ["" if not math.isfinite(v) else f"{v:.1f}" for v in shown["weight"].astype(float)]
        return f"<div><b>Survey scores</b>: {html.escape(self.describe())}{shown.to_html()}</div>"

    def plot(self, what: str = "criteria") -> Figure:
        """The gaps with their 95% intervals as horizontal bars (``"criteria"``, ``"items"`` or ``"steps"``),
        failing in red, high quality in green. Returns a matplotlib ``Figure`` made without pyplot."""
        from matplotlib.figure import Figure

        table = {"criteria": self.criteria, "items": self.items, "steps": self.steps}.get(what)
        if table is None:
            raise ValueError(f"what must be 'criteria', 'items' or 'steps', got {what!r}")
        if table.empty:
            raise ValueError(f"no {what} to plot (no items are tagged to steps)" if what == "steps" else f"no {what}")
        colours = {"high quality": "#2e7d32", "acceptable": "#9e9e9e", "failing": "#c62828"}
        fig = Figure(figsize=(7.5, 0.45 * len(table) + 1.2))
        ax = fig.add_subplot()
        y = np.arange(len(table))[::-1]
        gap = table["gap"].to_numpy(dtype=float)
        err = np.vstack([gap - table["gap_ci_low"].to_numpy(dtype=float), table["gap_ci_high"].to_numpy(dtype=float) - gap])
        ax.barh(y, gap, color=[colours[v] for v in table["verdict"]], height=0.6)
        ax.errorbar(gap, y, xerr=err, fmt="none", ecolor="#333333", capsize=3, lw=1)
        labels = [str(i) if what != "items" else f"{i} {self.items.loc[i, 'text']}".strip() for i in table.index]
        ax.set_yticks(y, labels)
        ax.axvline(0, color="#333333", lw=0.8)
        from matplotlib.patches import Patch

        shown = [v for v in VERDICTS if v in set(table["verdict"])]
        ax.legend(handles=[Patch(color=colours[v], label=v) for v in shown], loc="best", frameon=False, fontsize=8)
        ax.set_xlabel("gap: perception − expectation (95% interval)")
        ax.set_title(f"Survey gaps per {what[:-1] if what != 'criteria' else 'criterion'}")
        fig.tight_layout()
        return fig


def score(
    survey: pd.DataFrame | str | os.PathLike[str],
    *,
    items: ItemMap | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    weights: pd.DataFrame | Mapping[str, float] | str | os.PathLike[str] | None = None,
    blueprint: Blueprint | None = None,
    scale: tuple[float, float] = (1, 7),
    bootstrap: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> SurveyScores:
    """Score a SERVQUAL survey (see the module notes for every formula).

    ``survey`` is a table (or a CSV file, :func:`read_survey`) of answers: ``respondent``, ``item``,
    ``expectation``, ``perception``, optionally ``criterion`` and ``step``. ``items`` maps item ids to their
    criterion (and ``step``, ``text``): an :class:`ItemMap`, a dict ``{item: criterion}`` or ``{item: {criterion,
    step, text}}``, or a YAML file (:func:`read_items`); without one the survey's own columns, else the 22
    standard items. ``weights`` are importance points per respondent (a table with ``respondent`` and one column
    per criterion, or a CSV) or one set for everyone (``{criterion: points}``), summing to 100. With ``blueprint``,
    the steps items are tagged to must be its steps. Answers must lie on ``scale``.

    >>> s = score("examples/bilingual_hotline.survey.csv", items="examples/bilingual_hotline.survey_items.yaml",
    ...           weights="examples/bilingual_hotline.survey_weights.csv", bootstrap=300)
    >>> list(s.criteria.index)
    ['tangibles', 'reliability', 'responsiveness', 'assurance', 'empathy']
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    if not (isinstance(bootstrap, int) and 100 <= bootstrap <= MAX_BOOTSTRAP):
        raise ValueError(f"bootstrap must be a whole number of samples from 100 to {MAX_BOOTSTRAP:,}, got {bootstrap!r}")
    low, high = (float(v) for v in scale)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"scale must be (lowest, highest) with lowest < highest, got {scale!r}")
    table = read_survey(survey) if isinstance(survey, (str, os.PathLike)) else survey.copy()
    source = str(table.attrs.get("source", "survey"))
    imap = _item_map(items, table, source)
    answers, missing = _answers(table, imap, source, (low, high))
    if blueprint is not None:
        _check_steps(imap, blueprint, source)
    resp = list(dict.fromkeys(answers["respondent"]))
    asked = set(answers["item"])
    item_ids = [i for i in _ordered(imap.criterion) if i in asked]
    answered = {imap.criterion[i] for i in item_ids}  # the criteria this survey has answers for
    criteria = [c for c in CRITERIA if c in answered] + sorted(answered - set(CRITERIA))
    points = _weights(weights, resp, criteria, source) if weights is not None else None

    if len(resp) * max(len(item_ids), 1) > MAX_CELLS:
        raise SurveyError(f"{len(resp):,} respondents × {len(item_ids):,} items is more than the {MAX_CELLS:,} answers "
                          "a survey is scored with at once; score it in parts", source)
    return _scored(answers, imap, resp, item_ids, criteria, points, blueprint, missing=missing, bootstrap=bootstrap,
                   seed=seed, level=level, scale=(low, high))


def _scored(answers: pd.DataFrame, imap: ItemMap, resp: list[str], item_ids: list[str], criteria: list[str],
            points: pd.DataFrame | dict[str, float] | None, blueprint: Blueprint | None, *, missing: int, bootstrap: int,
            seed: int, level: float, scale: tuple[float, float]) -> SurveyScores:
    """The figures of :func:`score` from checked answers (respondents × items tables of expectations,
    perceptions and gaps, NaN where there is no answer)."""
    i_index = {i: k for k, i in enumerate(item_ids)}
    rows = answers["respondent"].map({r: k for k, r in enumerate(resp)}).to_numpy()
    cols = answers["item"].map(i_index).to_numpy()
    exp, per = (np.full((len(resp), len(item_ids)), np.nan) for _ in range(2))
    exp[rows, cols] = answers["expectation"].to_numpy(dtype=float)
    per[rows, cols] = answers["perception"].to_numpy(dtype=float)
    gap = per - exp

    def groups_of(label: dict[str, Any]) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for i in item_ids:
            if label.get(i):
                out.setdefault(str(label[i]), []).append(i_index[i])
        return out

    by_criterion = groups_of(imap.criterion)
    by_step = groups_of(imap.step)
    steps = list(by_step)
    if blueprint is not None:  # in the blueprint's order
        order = {st.id: k for k, st in enumerate(blueprint.steps)}
        steps.sort(key=lambda x: order.get(x, len(order)))
    W = None
    if isinstance(points, pd.DataFrame):
        W = points.reindex(resp)[criteria].to_numpy(dtype=float) / 100.0
    everyone = np.array([points.get(c, 0.0) for c in criteria]) / 100.0 if isinstance(points, dict) else None

    def parts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[str, np.ndarray] | None]:
        """Per respondent: their mean over each criterion's items, over each step's items, and the weighted sum."""
        G = _respondent_means(values, by_criterion, criteria)
        S = _respondent_means(values, by_step, steps)
        weighted: tuple[str, np.ndarray] | None = None
        if everyone is not None:
            weighted = ("everyone", everyone)
        elif W is not None:
            weighted = ("respondents", np.where(np.isnan(G).any(axis=1) | np.isnan(W).any(axis=1), np.nan,
                                                np.nansum(W * G, axis=1)))
        return G, S, weighted

    G, S, weighted = parts(gap)
    estimates = _estimates(gap, G, S, weighted)
    expected, perceived = _estimates(exp, *parts(exp)), _estimates(per, *parts(per))
    draws = _bootstrap(gap, G, S, weighted, bootstrap, seed)
    alpha = (1 - level) / 2
    with _quiet():  # a figure nobody answered stays NaN
        lo = {k: np.nanquantile(v, alpha, axis=0) for k, v in draws.items()}
        hi = {k: np.nanquantile(v, 1 - alpha, axis=0) for k, v in draws.items()}

    def frame(name: str, index: list[str], key: str, extra: dict[str, Any]) -> pd.DataFrame:
        out = pd.DataFrame(extra, index=pd.Index(index, name=name))
        out["expectation"], out["perception"] = expected[key], perceived[key]
        out["gap"] = estimates[key]
        out["gap_ci_low"], out["gap_ci_high"] = lo[key], hi[key]
        out["verdict"] = [_verdict(a, b) for a, b in zip(out["gap_ci_low"], out["gap_ci_high"], strict=True)]
        return out

    item_frame = frame("item", item_ids, "items", {
        "criterion": [imap.criterion[i] for i in item_ids], "step": [imap.step.get(i) for i in item_ids],
        "text": [imap.text.get(i, "") for i in item_ids], "respondents": (~np.isnan(gap)).sum(axis=0)})
    crit_frame = frame("criterion", criteria, "criteria", {
        "items": [len(by_criterion.get(c, [])) for c in criteria], "respondents": (~np.isnan(G)).sum(axis=0)})
    if points is not None:
        crit_frame["weight"] = ([points.get(c, 0.0) for c in criteria] if isinstance(points, dict)
                                else points.reindex(resp)[criteria].mean().to_numpy(dtype=float))
    step_frame = frame("step", steps, "steps", {
        "items": [len(by_step[s]) for s in steps], "respondents": (~np.isnan(S)).sum(axis=0)})
    names = ["unweighted"] + (["weighted"] if weighted is not None else [])
    overall = frame("score", names, "overall", {})
    counted = int((~np.isnan(weighted[1])).sum()) if weighted is not None and weighted[0] == "respondents" else None
    return SurveyScores(items=item_frame, criteria=crit_frame, overall=overall, steps=step_frame, respondents=len(resp),
                        answers=int((~np.isnan(gap)).sum()), missing=missing, bootstrap=bootstrap, seed=seed, scale=scale,
                        weighted_respondents=counted)


def _verdict(low: float, high: float) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "acceptable"
    return "high quality" if low > 0 else "failing" if high < 0 else "acceptable"


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence numpy's "mean of empty slice" (an item nobody answered stays NaN)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _respondent_means(gap: np.ndarray, groups: dict[str, list[int]], names: list[str]) -> np.ndarray:
    """R × len(names): each respondent's mean gap over each group's items (NaN where they answered none)."""
    out = np.full((gap.shape[0], len(names)), np.nan)
    with _quiet():
        for k, name in enumerate(names):
            cols = groups.get(name, [])
            if cols:
                out[:, k] = np.nanmean(gap[:, cols], axis=1)
    return out


def _estimates(gap: np.ndarray, G: np.ndarray, S: np.ndarray,
               weighted: tuple[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    with _quiet():
        crit = np.nanmean(G, axis=0)
        over = [float(np.nanmean(crit))]
        if weighted is not None:
            kind, w = weighted
            over.append(float(np.nansum(w * crit)) if kind == "everyone" else float(np.nanmean(w)))
        return {"items": np.nanmean(gap, axis=0), "criteria": crit, "steps": np.nanmean(S, axis=0),
                "overall": np.array(over)}


def _bootstrap(gap: np.ndarray, G: np.ndarray, S: np.ndarray, weighted: tuple[str, np.ndarray] | None,
               b: int, seed: int) -> dict[str, np.ndarray]:
    """Each figure over ``b`` resamples of the respondents (drawn as counts, so each resample is a weighted
    mean over the respondents, computed in blocks)."""
    rng = np.random.default_rng(seed)
    R = gap.shape[0]
    block = max(1, min(b, _BLOCK // max(R, 1)))

    def weighted_means(counts: np.ndarray, values: np.ndarray) -> np.ndarray:
        have = ~np.isnan(values)
        total = counts @ np.where(have, values, 0.0)
        n = counts @ have.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, total / np.where(n > 0, n, 1.0), np.nan)

    out: dict[str, list[np.ndarray]] = {"items": [], "criteria": [], "steps": [], "overall": []}
    done = 0
    while done < b:
        k = min(block, b - done)
        counts = rng.multinomial(R, np.full(R, 1.0 / R), size=k).astype(float)
        crit = weighted_means(counts, G)
        out["items"].append(weighted_means(counts, gap))
        out["criteria"].append(crit)
        out["steps"].append(weighted_means(counts, S) if S.shape[1] else np.empty((k, 0)))
        with _quiet():
            over = [np.nanmean(crit, axis=1)]
        if weighted is not None:
            kind, w = weighted
            over.append(np.nansum(crit * w, axis=1) if kind == "everyone" else weighted_means(counts, w[:, None])[:, 0])
        out["overall"].append(np.column_stack(over))
        done += k
    return {key: np.concatenate(v, axis=0) for key, v in out.items()}


def _ordered(criterion: dict[str, str]) -> list[str]:
    """Item ids in a reader's order: numbers by value, then the rest as given."""
    numbers = sorted((i for i in criterion if i.isdigit()), key=int)
    return numbers + [i for i in criterion if not i.isdigit()]


def _item_map(items: ItemMap | Mapping[str, Any] | str | os.PathLike[str] | None, table: pd.DataFrame,
              source: str) -> ItemMap:
    if isinstance(items, ItemMap):
        return items
    if isinstance(items, (str, os.PathLike)):
        return read_items(items)
    if isinstance(items, Mapping):
        criterion, step, text = {}, {}, {}
        for k, v in items.items():
            if isinstance(v, str):
                criterion[str(k)] = v.lower()
            elif isinstance(v, Mapping) and isinstance(v.get("criterion", STANDARD_ITEMS.get(str(k), (None,))[0]), str):
                criterion[str(k)] = str(v.get("criterion", STANDARD_ITEMS.get(str(k), ("",))[0])).lower()
                step[str(k)] = v.get("step")
                text[str(k)] = str(v.get("text", ""))
            else:
                raise SurveyError(f"items[{k!r}]: expected a criterion's name or {{criterion, step, text}}, got {v!r}",
                                  source)
        return ItemMap(criterion, step, text)
    if "criterion" in table.columns:  # the survey says each item's criterion (and step) itself
        criterion, step = {}, {}
        for pos, rec in enumerate(table[[c for c in ("item", "criterion", "step") if c in table.columns]].itertuples(index=False)):
            i, c = str(rec.item), str(rec.criterion).strip().lower()
            if c and criterion.setdefault(i, c) != c:
                line = _line(table, pos)
                raise SurveyError([Problem("error", "survey-criterion", f"row {line}.criterion", f"item {i!r} is given "
                                           f"two criteria: {criterion[i]!r} (on an earlier row) and {c!r}", source, line)],
                                  source)
            s = getattr(rec, "step", "") or None
            if s is not None:
                step[i] = str(s)
        return ItemMap(criterion, step, {})
    standard = ItemMap.standard()
    if "step" in table.columns:
        for rec in table[["item", "step"]].itertuples(index=False):
            if rec.step:
                standard.step[str(rec.item)] = str(rec.step)
    return standard


def _answers(table: pd.DataFrame, imap: ItemMap, source: str, scale: tuple[float, float]) -> tuple[pd.DataFrame, int]:
    """The answers with both values, checked: known items, values on the scale, one answer per respondent and item."""
    need = ["respondent", "item", "expectation", "perception"]
    missing_columns = [c for c in need if c not in table.columns]
    if missing_columns:
        raise SurveyError(f"missing column(s) {', '.join(missing_columns)}; found: {', '.join(map(str, table.columns))}",
                          source)
    t = table[need].copy()
    t.attrs["lines"] = table.attrs.get("lines")
    t["respondent"] = t["respondent"].astype(str)
    t["item"] = t["item"].astype(str).str.strip()
    problems: list[Problem] = []
    known = set(imap.criterion)
    for n, (item, e, p) in enumerate(zip(t["item"], t["expectation"], t["perception"], strict=True)):
        row = _line(t, n)  # the line of the file: the header is line 1
        if item not in known:
            shown = ", ".join(_ordered(imap.criterion)[:25]) + ("…" if len(known) > 25 else "")
            problems.append(Problem("error", "survey-item", f"row {row}.item", f"unknown item {item!r}; known: {shown}",
                                    source, row))
        for name, v in (("expectation", e), ("perception", p)):
            try:
                value = float(v)
            except (TypeError, ValueError):
                problems.append(Problem("error", "survey-value", f"row {row}.{name}", f"expected a number, got {v!r}",
                                        source, row))
                continue
            if math.isfinite(value) and not scale[0] <= value <= scale[1]:
                problems.append(Problem("error", "survey-value", f"row {row}.{name}",
                                        f"{value:g} is off the scale {scale[0]:g} to {scale[1]:g}", source, row))
        if len(problems) >= 20:
            break
    twice = t.duplicated(["respondent", "item"], keep="first")
    for n in np.flatnonzero(twice.to_numpy())[:5]:
        problems.append(Problem("error", "survey-duplicate", f"row {_line(t, n)}", f"respondent {t['respondent'].iloc[n]!r} "
                                f"answers item {t['item'].iloc[n]!r} twice", source, _line(t, n)))
    if problems:
        raise SurveyError(problems, source)
    t["expectation"] = t["expectation"].astype(float)
    t["perception"] = t["perception"].astype(float)
    both = t["expectation"].notna() & t["perception"].notna()
    if not both.any():
        raise SurveyError("no answer has both an expectation and a perception", source)
    return t[both].reset_index(drop=True), int((~both).sum())


def _weights(weights: pd.DataFrame | Mapping[str, float] | str | os.PathLike[str], respondents: list[str],
             criteria: list[str], source: str) -> pd.DataFrame | dict[str, float]:
    """Points per criterion, checked: every criterion, none negative, 100 in all (±0.5) per respondent."""
    if isinstance(weights, Mapping):
        points = {str(k).lower(): float(v) for k, v in weights.items()}
        unknown = sorted(set(points) - set(criteria))
        if unknown or any(not math.isfinite(v) or v < 0 for v in points.values()):
            raise SurveyError(f"weights: expected points from 0 to 100 for the criteria {', '.join(criteria)}; got "
                              f"{weights!r}", source)
        total = sum(points.get(c, 0.0) for c in criteria)
        if abs(total - 100) > 0.5:
            raise SurveyError(f"weights: the points must add up to 100, they add up to {total:g}", source)
        return points
    table = read_weights(weights) if isinstance(weights, (str, os.PathLike)) else weights.copy()
    where = str(table.attrs.get("source", "weights"))
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in ["respondent", *criteria] if c not in table.columns]
    if missing:
        raise SurveyError([Problem("error", "survey-columns", "header", f"missing column(s) {', '.join(missing)}; "
                                   f"found: {', '.join(table.columns)}", where, 1)], where)
    extra = [c for c in table.columns if c not in ("respondent", *criteria)]
    # points given to a column that is no criterion of the survey are left out of the 100: say so where they are missed
    hint = f" (not counted: {', '.join(extra)}, no criterion of this survey; its criteria are {', '.join(criteria)})" if extra else ""
    table["respondent"] = table["respondent"].astype(str)
    problems: list[Problem] = []
    for n, rec in enumerate(table[["respondent", *criteria]].itertuples(index=False)):
        values = [float(v) for v in rec[1:]]
        total = sum(values)
        if any(not math.isfinite(v) or v < 0 for v in values) or abs(total - 100) > 0.5:
            problems.append(Problem("error", "survey-weights", f"row {_line(table, n)}", f"respondent {rec[0]!r}: points "
                                    f"must be 0 or more and add up to 100, they add up to {total:g}{hint}", where,
                                    _line(table, n)))
        if len(problems) >= 20:
            break
    twice = table["respondent"].duplicated()
    if twice.any():
        n = int(np.flatnonzero(twice.to_numpy())[0])
        problems.append(Problem("error", "survey-duplicate", f"row {_line(table, n)}", f"respondent "
                                f"{table['respondent'].iloc[n]!r} has two rows of points", where, _line(table, n)))
    if not problems and not set(table["respondent"]) & set(map(str, respondents)):  # a weighted gap of nobody: NaN
        problems.append(Problem("error", "survey-weights", "respondent", "no respondent of the weights answered the "
                                f"survey; the survey's respondents: {listing(sorted(map(str, respondents)), first=6)}",
                                where, 2))
    if problems:
        raise SurveyError(problems, where)
    return table.set_index("respondent")[criteria].astype(float)


def _check_steps(imap: ItemMap, bp: Blueprint, source: str) -> None:
    """Refuse an item tagged to a step the blueprint does not have, located in the item map's file (or, for
    steps given in the survey's own ``step`` column, in the survey)."""
    ids = [s.id for s in bp.steps]
    where = imap.source or source
    problems = []
    for item, step in imap.step.items():
        if step and step not in ids:
            close = difflib.get_close_matches(step, ids, n=1, cutoff=0.75)
            known = f"did you mean {close[0]!r}?" if close else f"known: {listing(ids, first=12)}"
            path = f"items.{item}.step" if imap.source else f"step (item {item})"
            line = imap.lines.get(("items", item, "step"), imap.lines.get(("items", item))) if imap.source else None
            problems.append(Problem("error", "survey-step", path, f"unknown step {step!r}; {known}", where, line))
    if problems:
        raise SurveyError(problems[:20], where)
