"""The simulation drawn on the blueprint: measured figures in each step's box and the customer's time.

:func:`measured_overlays` turns a run's :class:`~simulate.results.Results` into
:class:`~blueprint.render.StepOverlay` marks, one per step that customers reached:

* the share of customers who reach the step, when not all of them do;
* at a step with a queue, the 90th percentile of the wait, against the wait
  point's tolerance where the step has one (``wait p90 85 s > 60 s`` is drawn in
  the alert colour, ``≤`` in the normal one);
* the share of the step's visitors who gave up waiting, in the alert colour from
  ``abandonment`` (5%) up;
* how busy the step's role was over the run (occupancy), in the alert colour from
  ``occupancy`` (85%) up.

A step with an alert is filled in a pale red. :func:`time_row` gives the mean
time a customer spends at each step (the mean wait plus the mean service, times
the visits per customer) for the time row under the lanes, and the journey's
mean and 90th percentile time in the system. :func:`render_results` draws both;
it is :meth:`Results.render <simulate.results.Results.render>`.

>>> import blueprint, simulate
>>> results = simulate.run(blueprint.load("examples/coffee_shop.yaml"), days=1, replications=2, seed=3)
>>> marks = measured_overlays(results)
>>> any(m.figures or m.alerts for m in marks.values())
True
>>> results.render().save("coffee_measured.svg")           # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from blueprint.numbers import duration, percent
from blueprint.render import Diagram, EmotionRow, StepOverlay, TimeRow

if TYPE_CHECKING:
    from simulate.results import Results

__all__ = ["ALERT_FILL", "emotion_row", "measured_overlays", "merge_overlays", "render_results", "time_row"]

ALERT_FILL = "#fde2df"
"""Fill of a step with a measured figure past its target."""


def _finite(x: Any) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def measured_overlays(results: Results, *, occupancy: float = 0.85, abandonment: float = 0.05) -> dict[str, StepOverlay]:
    """Per step, the measured figures to write in its box (see the module notes), the alerts
    (figures past ``occupancy`` or ``abandonment``, or a p90 wait past the tolerance) and a pale red
    fill where there is one.

    >>> import blueprint, simulate
    >>> res = simulate.run(blueprint.load("examples/contact_center.yaml"), days=1, replications=2, seed=1)
    >>> sorted(k for k, m in measured_overlays(res).items() if m.alerts)     # doctest: +SKIP
    ['specialist']
    """
    steps = results.steps()
    journeys = {str(k): float(v) for k, v in results.journeys()["mean"].items()}
    customers = journeys["arrivals"]
    busy = results.staff()["occupancy"] if results.blueprint.roles else None
    skills = results.blueprint.skills()
    out: dict[str, StepOverlay] = {}
    for step in results.blueprint.steps:
        if step.id not in steps.index:
            continue
        row = steps.loc[step.id]
        visits = float(row["arrivals"])
        if not visits > 0:
            continue
        figures: list[str] = []
        alerts: list[str] = []
        if customers > 0 and visits / customers < 0.995:
            figures.append(f"{percent(visits / customers, 0)} of customers")
        queued = step.role is not None and _finite(row["wait_p90"])
        if queued and (step.wait_point is not None or row["wait_p90"] >= 0.5):
            p90 = float(row["wait_p90"])
            if step.wait_point is not None:
                tol = step.wait_point.tolerance.seconds
                text = f"wait p90 {duration(p90)} {'>' if p90 > tol else '≤'} {duration(tol)}"
                (alerts if p90 > tol else figures).append(text)
            else:
                figures.append(f"wait p90 {duration(p90)}")
        gave_up = float(row["abandonments"]) / visits if _finite(row["abandonments"]) else 0.0
        if gave_up > 0:
            text = f"{percent(gave_up)} gave up waiting"
            (alerts if gave_up >= abandonment else figures).append(text)
        who = [step.role] if step.role is not None else []
        if step.role is not None and step.role in skills:  # staff groups: how busy each group serving it was
            who = list(step.route.groups) if step.route is not None and step.route.groups else \
                [g.name for g in results.blueprint.groups_with(step.role)]
        for name in who:
            if busy is not None and name in busy.index and _finite(busy[name]):
                occ = float(busy[name])
                text = f"{name} {percent(occ, 0)} busy"
                (alerts if occ >= occupancy else figures).append(text)
        if figures or alerts:
            out[step.id] = StepOverlay(fill=ALERT_FILL if alerts else None, figures=figures, alerts=alerts)
    return out


def time_row(results: Results) -> TimeRow:
    """The customer's time along the journey: per step the mean time a customer spends there (its mean
    wait and service times the visits per customer, in seconds), and the journey's mean and 90th
    percentile time in the system.

    >>> import blueprint, simulate
    >>> res = simulate.run(blueprint.load("examples/coffee_shop.yaml"), days=1, replications=2, seed=3)
    >>> row = time_row(res)
    >>> row.total[0].startswith("mean ")
    True
    """
    steps = results.steps()
    journeys = {str(k): float(v) for k, v in results.journeys()["mean"].items()}
    customers = journeys["arrivals"]
    spent: dict[str, float] = {}
    for sid, row in steps.iterrows():
        visits = float(row["arrivals"])
        if customers > 0 and visits > 0:
            wait = float(row["wait_mean"]) if _finite(row["wait_mean"]) else 0.0
            service = float(row["duration_mean"]) if _finite(row["duration_mean"]) else 0.0
            spent[str(sid)] = visits / customers * (wait + service)
    total = []
    for key, name in (("time_in_system_mean", "mean"), ("time_in_system_p90", "p90")):
        value = journeys.get(key, float("nan"))
        if _finite(value):
            total.append(f"{name} {duration(value)}")
    return TimeRow(spent, total=total)


def emotion_row(results: Results) -> EmotionRow:
    """The experience of each step's waits as the emotion row: the mean gap in tolerances of its visits, every
    segment together (:mod:`simulate.experience`); a step without a wait point has no point. A step where a fifth
    or more of the visits felt the wait past the tolerance is drawn as bad whatever its mean, with that share."""
    table = results.experience()
    if not len(table):
        return EmotionRow({}, title="Customer's experience", note="no wait points")
    pooled = table[table.index.get_level_values("segment") == "all"]
    if not len(pooled):
        pooled = table
    return EmotionRow({str(step): float(v) for (step, _seg), v in pooled["gap"].items()},
                      title="Customer's experience", note="gap in tolerances\n0: as expected",
                      past={str(step): 1.0 - float(v) for (step, _seg), v in pooled["met"].items()})


def render_results(results: Results, *, figures: bool = True, time: bool = True, experience: bool = False,
                   **options: Any) -> Diagram:
    """The blueprint with what the run measured on it: figures in the boxes (``figures=False`` leaves
    them out), the customer's time under the lanes (``time=False``) and with ``experience=True`` the
    experience of the waits as an emotion row above the customer lane (:func:`emotion_row`); other options
    as for :func:`blueprint.render`. ``overlays`` given here are merged over the measured ones.

    >>> results.render(max_columns=6).save("measured.svg")           # doctest: +SKIP
    """
    from blueprint.render import render

    marks = measured_overlays(results) if figures else {}
    for sid, extra in (options.pop("overlays", None) or {}).items():
        base = marks.get(sid)
        marks[sid] = extra if base is None else merge_overlays(base, extra)
    options.setdefault("subtitle", _subtitle(results))
    items = list(options.pop("legend_items", []) or [])
    if any(m.alerts for m in marks.values()):
        items.append((ALERT_FILL, "a measured figure past its target (in bold)"))
    if experience:
        options["emotion"] = emotion_row(results)
    return render(results.blueprint, overlays=marks, legend_items=items,
                  time_row=time_row(results) if time else None, **options)


def merge_overlays(measured: StepOverlay, extra: StepOverlay) -> StepOverlay:
    """``extra`` (e.g. a fail-point badge and colour) drawn over ``measured``: its fill and badge win,
    the figures of both are kept."""
    return StepOverlay(
        fill=extra.fill or measured.fill, badge=extra.badge or measured.badge,
        badge_fill=extra.badge_fill if extra.badge else measured.badge_fill, note=extra.note or measured.note,
        faded=extra.faded or measured.faded, figures=measured.figures + extra.figures,
        alerts=measured.alerts + extra.alerts,
    )


def _subtitle(results: Results) -> str:
    days = results.days
    span = f"{days:g} day" + ("s" if days != 1 else "")
    return (f"Measured over {span} × {len(results.replications)} replications (seed {results.seed}): "
            "p90 wait against the tolerance, customers who gave up, how busy each role was")
