"""How the customers felt their waits against what they expected: the simulation's side of gap 5.

Each counted visit of a step with a wait point is judged by the perceived-wait model of
:mod:`blueprint.experience` against the tolerance of the customer's segment (the wait at a
queue; the step's own time where there is no queue): ``met`` when the wait is felt within the
tolerance, its ``gap`` in tolerances (at most +1, negative past the tolerance) and its ``loss``
(the negative part). A customer who gives up waiting is judged on the wait they endured, never
met and with no credit for leaving early (gap at most 0). :func:`experience` reads the counts
each replication keeps per step, segment and interval (memory does not grow with customers) and
reports, with 95% intervals over the replications:

* ``visits``: judged visits a day; ``met``: the share of them felt within the tolerance;
* ``gap`` and ``loss``: their mean per visit, in tolerances;
* ``loss_per_customer``: the step's loss summed over a day, per arriving customer: what the step
  costs the average journey;
* ``loss_share``: the step's share of all the journeys' loss, per replication: where the journey
  loses its customers. The table is ranked by it.

Per journey (``by="journey"``), each counted journey that ended is judged against what its segment
expects of the whole journey (:class:`blueprint.experience.Expectations`): ``journeys`` judged a day,
``met`` the share that met the expectation (``every expectation``: each of them, served to the end;
``waits``: every wait felt within its tolerance), and ``gap`` the mean gap per journey in tolerances
(the sum of its waits' gaps, its total time's, and −loss per transfer or call-back where those are
expected not to happen).

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> table = simulate.run(bp, days=1, replications=3, seed=1).experience()
>>> list(table.columns[:4])
['label', 'visits', 'visits_ci_low', 'visits_ci_high']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simulate.clock import interval_labels, interval_times
from simulate.intervals import mean_ci, proportion_ci
from simulate.results import interval_columns

if TYPE_CHECKING:  # pragma: no cover
    from simulate.results import Results

__all__ = ["experience"]

ALL = "all"


def _keys(results: Results, source: str = "experience") -> list[tuple[str, str]]:
    """(step, segment) pairs with experience counts (in the replications' ``source``), in the blueprint's step order."""
    rep = results.replications[0]
    pairs = [tuple(k.split("@", 1)) for k in getattr(rep, source)]
    order = {s.id: i for i, s in enumerate(results.blueprint.steps)}
    return sorted(((s, g) for s, g in pairs), key=lambda p: (order.get(p[0], len(order)), p[1]))


def _put(row: dict[str, Any], name: str, triple: tuple[float, float, float]) -> None:
    for column, value in zip(interval_columns(name), triple, strict=True):
        row[column] = value


def _sums(results: Results, step: str, segments: list[str], span: slice, source: str = "experience") -> dict[str, np.ndarray]:
    """Per replication, the step's judged visits, met, gap and loss summed over ``segments`` and intervals ``span``."""
    out = {k: np.zeros(len(results.replications)) for k in ("judged", "met", "gap_sum", "loss_sum")}
    for r, rep in enumerate(results.replications):
        for g in segments:
            e = getattr(rep, source)[f"{step}@{g}"]
            for k in out:
                out[k][r] += float(np.sum(getattr(e, k)[span]))
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


#: The rows of ``experience(by="journey")``: the name, and the fields of JourneyExperience read for it
#: (the journeys judged, met, gap; None where it is not counted).
JOURNEY_ROWS = (("every expectation", "journeys", "all_met", "gap_sum"), ("waits", "journeys", "wait_met", "wait_gap"),
                ("total time", "time_judged", "time_met", "time_gap"),
                ("no transfer", "transfer_judged", "transfer_met", "transfer_gap"),
                ("first contact", "contact_judged", "contact_met", "contact_gap"))


def _by_journey(results: Results) -> pd.DataFrame:
    """Per expectation of the whole journey and customer segment (and ``all`` where there are several): the journeys
    it was judged on a day, the share that met it, and its mean gap per journey judged."""
    days = (results.days * 86_400.0 - results.warmup) / 86_400.0
    segments = list(results.replications[0].journey_experience)
    groups = [[g] for g in segments] + ([segments] if len(segments) > 1 else [])
    rows = []
    for name, judged_f, met_f, gap_f in JOURNEY_ROWS:
        for group in groups:
            def total(f: str, group: list[str] = group) -> np.ndarray:
                return np.array([sum(getattr(rep.journey_experience[g], f) for g in group) for rep in results.replications])

            judged = total(judged_f)
            if not judged.any():
                continue
            row: dict[str, Any] = {"expectation": name, "segment": group[0] if len(group) == 1 else ALL}
            _put(row, "journeys", mean_ci(judged / days, low=0.0))
            _put(row, "met", proportion_ci(_ratio(total(met_f), judged), judged))
            _put(row, "gap", mean_ci(_ratio(total(gap_f), judged)))
            rows.append(row)
    return pd.DataFrame(rows).set_index(["expectation", "segment"]) if rows else pd.DataFrame()


def experience(results: Results, by: str = "step") -> pd.DataFrame:
    """The experience of the waits per step with a wait point and customer segment (``by="step"``: index
    ``(step, segment)``, with a row ``all`` for every segment together where there are several; ranked by
    ``loss_share``), or per step and interval of the day (``by="interval"``: index ``(step, interval)``, every
    segment together, with ``start``, ``time`` and ``label``), or per expectation of the whole journey
    (``by="journey"``: index ``(expectation, segment)``; see :class:`blueprint.experience.Expectations`), or, as
    ``by="step"``, for the staffed steps' own service time against their wait points' tolerable ``duration``
    (``by="duration"``). See the module notes for each figure."""
    if by not in ("step", "interval", "journey", "duration"):
        raise ValueError(f"by must be 'step', 'interval', 'journey' or 'duration', got {by!r}")
    if by == "journey":
        return _by_journey(results)
    source = "duration_experience" if by == "duration" else "experience"
    keys = _keys(results, source)
    if not keys:
        return pd.DataFrame()
    segments: dict[str, list[str]] = {}
    for step, g in keys:
        segments.setdefault(step, []).append(g)
    labels = {s.id: s.label for s in results.blueprint.steps}
    if by == "interval":
        return _by_interval(results, segments, labels)
    days = (results.days * 86_400.0 - results.warmup) / 86_400.0
    arrivals = np.array([rep.journeys.arrivals for rep in results.replications], dtype=float)
    whole = slice(results.first_interval, None)
    totals = {step: _sums(results, step, segs, whole, source) for step, segs in segments.items()}
    all_loss = np.sum([t["loss_sum"] for t in totals.values()], axis=0)
    rows = []
    for step, segs in segments.items():
        groups = [[g] for g in segs] + ([segs] if len(segs) > 1 else [])
        for group in groups:
            t = totals[step] if len(group) > 1 or len(segs) == 1 else _sums(results, step, group, whole, source)
            row: dict[str, Any] = {"step": step, "segment": group[0] if len(group) == 1 else ALL, "label": labels.get(step, step)}
            _put(row, "visits", mean_ci(t["judged"] / days, low=0.0))
            _put(row, "met", proportion_ci(_ratio(t["met"], t["judged"]), t["judged"]))
            _put(row, "gap", mean_ci(_ratio(t["gap_sum"], t["judged"])))
            _put(row, "loss", mean_ci(_ratio(t["loss_sum"], t["judged"]), low=0.0))
            _put(row, "loss_per_customer", mean_ci(_ratio(t["loss_sum"], arrivals), low=0.0))
            _put(row, "loss_share", mean_ci(_ratio(t["loss_sum"], all_loss), low=0.0, high=1.0))
            rows.append(row)
    table = pd.DataFrame(rows)
    pooled = table[(table["segment"] == ALL) | ~table["step"].duplicated(keep=False)]
    rank = {s: k for k, s in enumerate(pooled.sort_values("loss_share", ascending=False, kind="stable")["step"])}
    table["_rank"] = table["step"].map(rank)
    table = table.sort_values(["_rank", "segment"], kind="stable").drop(columns="_rank")
    return table.set_index(["step", "segment"])


def _by_interval(results: Results, segments: dict[str, list[str]], labels: dict[str, str]) -> pd.DataFrame:
    n = len(next(iter(results.replications[0].experience.values())).judged)
    starts = np.arange(n) * results.interval
    frames = []
    for step, segs in segments.items():
        data: dict[str, list[np.ndarray]] = {k: [] for k in ("judged", "met", "gap_sum", "loss_sum")}
        for rep in results.replications:
            for k in data:
                data[k].append(np.sum([np.asarray(getattr(rep.experience[f"{step}@{g}"], k), dtype=float) for g in segs], axis=0))
        arr = {k: np.vstack(v) for k, v in data.items()}  # replications × intervals
        out: dict[str, Any] = {"step": step, "interval": np.arange(n), "start": starts, "time": interval_times(starts),
                               "label": interval_labels(starts, results.days * 86_400.0), "step_label": labels.get(step, step)}
        figures = {"visits": (arr["judged"], None), "met": (_ratio(arr["met"], arr["judged"]), arr["judged"]),
                   "gap": (_ratio(arr["gap_sum"], arr["judged"]), None), "loss": (_ratio(arr["loss_sum"], arr["judged"]), None)}
        for name, (values, counts) in figures.items():
            triples = [proportion_ci(values[:, i], counts[:, i]) if counts is not None else
                       mean_ci(values[:, i], low=0.0 if name in ("visits", "loss") else -np.inf) for i in range(n)]
            for column, part in zip(interval_columns(name), zip(*triples, strict=True), strict=True):
                out[column] = list(part)
        frames.append(pd.DataFrame(out))
    table = pd.concat(frames, ignore_index=True).set_index(["step", "interval"])
    first = results.first_interval
    return table[table.index.get_level_values("interval") >= first]
