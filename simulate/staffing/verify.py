"""Does a staffed blueprint meet its target? Checked on customers the optimiser never saw.

:func:`verify` simulates a staffed blueprint (or a :class:`~simulate.StaffingPlan`) on a seed
that no optimiser used, judges every period of the target's ``level`` on pooled calls
(:mod:`simulate.staffing.pooled`), and adds replications while some period cannot be told
apart from the target: it starts with ``replications`` and doubles them until every period
is called (its 95% interval wholly on one side of the target), or every period still
undecided has an interval narrower than ``± precision`` (it is *on the line*: a planner
cannot do better than "at the target"), or ``max_replications`` is reached. Replication
``i`` of the seed is the same customers whenever it runs, so the check can be repeated and
extended.

Why sequential: a period's noise depends on its calls. A first-line quarter hour at the
peak (35 calls) is known to ±1.5 points after 100 replications; a specialist quarter hour
with 3.5 calls needs about 450 replications for ±1 point, an hour about 130. Adding
replications only while a period is undecided spends them where the doubt is.

>>> import blueprint, simulate
>>> bp = blueprint.load("examples/contact_center.yaml")
>>> check = verify(bp, level="hour", seed=11, replications=10, max_replications=20)
>>> check.replications in (10, 20), set(check.table["verdict"]) <= {"meets", "misses", "close"}
(True, True)
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from blueprint import Blueprint, Target
from blueprint.numbers import fmt, listing
from blueprint.staffing import DAY
from simulate.executors import ExecutorChoice
from simulate.results import Results
from simulate.run import extend, resolve_seed, run
from simulate.staffing.pooled import check_level, figure_columns, leaning, open_intervals, pooled_figures
from simulate.staffing.requirements import offered, requirement_roles, target_for

if TYPE_CHECKING:  # pragma: no cover
    from simulate.staffing.optimize import StaffingPlan

__all__ = ["AFTER_HOURS", "Verification", "closed_intervals", "held_out_seed", "verify", "with_targets"]

#: How calls after closing time count: ``"judge"`` them with the day's last period (a period with
#: too few calls joins its neighbour), or ``"exclude"`` them from the target and report them apart.
AFTER_HOURS = ("judge", "exclude")

#: How often a figure sitting exactly on its target shows a 95% interval wholly past it (one side of 5%).
CHANCE = 0.025


def closed_intervals(bp: Blueprint, roles: list[str], days: float, interval: float = 900.0) -> dict[str, Any]:
    """Per role, the intervals after hours: fewer than :data:`~simulate.staffing.pooled.OPEN_CALLS` new
    callers expected to reach the role (lag-SIPP rates: late transfers count, call-backs do not)."""
    rates, _work = offered(bp, roles, lagged=True, days=days, interval=interval)
    return {r: ~open_intervals(rates[r] * 3600.0, interval) for r in roles}


def held_out_seed(seed: int) -> int:
    """A seed for checking a plan found with ``seed``: derived from it (so the check is
    repeatable) through a different stream, so it never meets the optimiser's customers.

    >>> held_out_seed(2026) != 2026, held_out_seed(2026) == held_out_seed(2026)
    (True, True)
    """
    state = np.random.SeedSequence([int(seed), 0x5EED, 0xC4EC]).generate_state(2, np.uint32)
    return int((int(state[0]) << 31 | int(state[1]) >> 1) % 2**63)


def with_targets(bp: Blueprint, targets: dict[str, Target]) -> Blueprint:
    """A copy of ``bp`` whose roles carry ``targets``, so the simulation counts each role's calls
    answered within the target's own time (not the blueprint's, where the two differ)."""
    out = bp.model_copy(deep=True)
    out.roles = [r.model_copy(update={"target": targets[r.name]}) if r.name in targets else r for r in out.roles]
    return out


@dataclass
class Verification:
    """What :func:`verify` found: per role and judged period, the pooled figures, their 95%
    intervals and the verdict (``table``, see :func:`~simulate.staffing.pooled.pooled_figures`),
    with how it was checked: ``seed`` and ``replications`` (replications ``0 .. replications-1``
    of that seed), the target ``level``, ``min_volume`` and why the replications stopped.
    """

    table: pd.DataFrame
    targets: dict[str, Target]
    level: str
    min_volume: float
    seed: int
    replications: int
    days: float
    precision: float
    max_replications: int
    stopped: str
    after_hours: str = "judge"
    avoided: tuple[int, ...] = field(default_factory=tuple)
    results: Results | None = field(default=None, repr=False)

    @property
    def meets_target(self) -> bool:
        """No period misses clearly (periods at the line, ``"close"``, do not count as misses)."""
        return not (self.table["verdict"] == "misses").any()

    @property
    def decided(self) -> bool:
        """Every period is called: none is ``"close"``."""
        return not (self.table["verdict"] == "close").any()

    def misses(self) -> pd.DataFrame:
        """The periods whose 95% interval is wholly on the wrong side of the target."""
        return self.table[self.table["verdict"] == "misses"].reset_index(drop=True)

    def close(self) -> pd.DataFrame:
        """The periods these replications cannot tell apart from the target (near the line)."""
        return self.table[self.table["verdict"] == "close"].reset_index(drop=True)

    def leaning(self) -> pd.DataFrame:
        """The periods close to the line whose best estimate is past the target: not a clear miss, but
        more likely missing than not (:func:`~simulate.staffing.pooled.leaning`)."""
        return self.table[leaning(self.table)].reset_index(drop=True)

    @property
    def chance_misses(self) -> float:
        """Up to about how many clear misses another sample of this size would show by chance alone if
        every period close to the line sat exactly on its target (each then falls wholly past it up to one
        time in 40; a share of few calls is skewed, so less often on the high side): a clear miss or two
        among hundreds of periods judged is what a plan at the line looks like, not evidence that it is
        short."""
        return CHANCE * len(self.close())

    def summary(self) -> pd.DataFrame:
        """Per role: periods judged, and how many meet, miss or are close to the target."""
        rows = []
        for role, part in self.table.groupby("role", sort=False):
            counts = part["verdict"].value_counts()
            rows.append({"role": role, "level": self.level, "periods": int((part["verdict"] != "after hours").sum()),
                         "meets": int(counts.get("meets", 0)), "misses": int(counts.get("misses", 0)),
                         "close": int(counts.get("close", 0)), "after hours": int(counts.get("after hours", 0)),
                         "seed": self.seed, "replications": self.replications})
        return pd.DataFrame(rows).set_index("role")

    def describe(self) -> str:
        """One paragraph: what was checked and what it found."""
        misses, close = self.misses(), self.close()
        state = ("meets the target in every period" if self.decided and self.meets_target else
                 f"{len(misses)} period(s) miss the target clearly" if len(misses) else
                 f"no period misses clearly; {len(close)} cannot be told apart from the target")
        close_text = "" if not len(close) else f" Close to the line: {listing([f'{r.role} {r.label}' for r in close.itertuples()])}."
        miss_text = "" if not len(misses) else f" Missing: {listing([f'{r.role} {r.label}' for r in misses.itertuples()])}."
        after = self.table[self.table["verdict"] == "after hours"]
        lean = self.leaning()
        chance = ("" if not len(close) else f" {len(lean)} of the {len(close)} period(s) at the line lean to a miss "
                  f"(best estimate past the target); on other customers about {self.chance_misses:.1f} of them would "
                  "show as clear misses by chance alone.")
        after_text = "" if not len(after) else " After closing, reported and not judged: " + listing([
            f"{r.role} {r.label} ({r.calls:.2f} calls" + (f", {r.abandonment:.0%} gave up)" if "abandonment" in after else ")")
            for r in after.itertuples()], first=6) + "."
        return (f"Checked per {self.level} (calls pooled over replications; periods under {self.min_volume:g} call(s) "
                f"judged with their neighbours) on seed {self.seed}, replications 0–{self.replications - 1} "
                f"({self.stopped}): {state}.{miss_text}{close_text}{chance}{after_text}")

    def __repr__(self) -> str:
        return f"<Verification: {self.describe()}>"

    def _repr_html_(self) -> str:
        shown = self.table.copy()
        keep = ["role", "label", "calls"] + [c for c in shown.columns
                                             if any(c == f or c in figure_columns(f)[:3] for f in ("service_level", "abandonment", "asa"))]
        keep.append("verdict")
        flagged = shown[shown["verdict"] != "meets"][keep]
        body = "<p>Every period meets the target.</p>" if flagged.empty else _as_text(flagged).to_html(index=False)
        return f"<div><b>Verification</b>: {html.escape(self.describe())}{body}</div>"


def _as_text(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for c in out.columns:
        if c.startswith(("service_level", "abandonment")):
            out[c] = [fmt(v, "percent") for v in out[c]]
        elif c.startswith("asa") or c == "calls":
            out[c] = [fmt(v, "number") for v in out[c]]
    return out


def verify(
    plan: StaffingPlan | Blueprint,
    target: Target | dict[str, Any] | None = None,
    *,
    level: str = "interval",
    min_volume: float = 1.0,
    days: float | None = None,
    seed: int | None = None,
    replications: int = 20,
    max_replications: int = 640,
    precision: float = 0.01,
    after_hours: str | None = None,
    executor: ExecutorChoice = None,
    progress: bool | None = None,
) -> Verification:
    """Check ``plan`` (a :class:`~simulate.StaffingPlan` or a staffed blueprint) against ``target``
    on held-out customers, adding replications until every period is called (see the module notes).

    ``target`` defaults to the plan's targets (or, for a blueprint, each role's own, as
    :func:`simulate.requirements` reads them); ``level`` is ``"interval"``, ``"hour"``, ``"day"``
    or ``"week"``; ``min_volume`` the calls per replication below which a period is judged with its
    neighbours. ``seed`` defaults to :func:`held_out_seed` of the plan's seed (a fresh one for a
    blueprint); a seed the plan's optimiser used is refused. ``precision`` is the half-width of a
    95% interval at which a period still undecided counts as on the line; ``max_replications`` caps
    the work. ``after_hours`` (:data:`AFTER_HOURS`; the plan's own, else ``"judge"``) says how calls
    after closing count: judged with the day's last period, or excluded and reported apart.

    >>> plan = simulate.optimize_staffing(bp, templates="examples/contact_center.shifts.yaml")  # doctest: +SKIP
    >>> simulate.verify(plan, level="hour").summary()                                          # doctest: +SKIP
    """
    check_level(level)
    if replications < 2:
        raise ValueError(f"replications must be at least 2 (an interval needs two), got {replications}")
    if max_replications < replications:
        raise ValueError(f"max_replications ({max_replications}) must be at least replications ({replications})")
    if not 0 < precision < 1:
        raise ValueError(f"precision must be a share between 0 and 1, got {precision!r}")
    bp, targets, days, avoided, seed, n, interval = _what_to_check(plan, target, days, seed)
    after_hours = after_hours or (plan.after_hours if not isinstance(plan, Blueprint) else "judge")
    if after_hours not in AFTER_HOURS:
        raise ValueError(f"after_hours must be one of {', '.join(AFTER_HOURS)}; got {after_hours!r}")
    closed = closed_intervals(bp, list(targets), days, interval) if after_hours == "exclude" else {}
    if seed in avoided:
        raise ValueError(f"seed {seed} is one the optimiser used ({', '.join(map(str, avoided))}); "
                         "a check on the same customers proves nothing: give another seed")
    measured = with_targets(bp, targets)
    done: Results | None = None
    batch = replications
    while True:
        done = (run(measured, days=days, replications=batch, seed=seed, interval=interval, executor=executor, progress=progress)
                if done is None else extend(done, batch, executor=executor, progress=progress))
        table = pd.concat([pooled_figures(done, r, targets[r], level=level, min_volume=min_volume, n=n,
                                          closed=closed.get(r)) for r in targets],
                          ignore_index=True)
        total = len(done.replications)
        undecided = table[table["verdict"] == "close"]
        if undecided.empty:
            stopped = "every period called"
            break
        if widest_undecided(undecided) <= precision:
            stopped = f"the periods left undecided are within ±{precision:.1%} of the target"
            break
        if total >= max_replications:
            stopped = f"stopped at the check's own cap of {max_replications} replications"
            break
        batch = min(total, max_replications - total)
    return Verification(table=table, targets=targets, level=level, min_volume=min_volume, seed=seed, replications=total,
                        days=float(days), precision=precision, max_replications=max_replications, stopped=stopped,
                        after_hours=after_hours,
                        avoided=avoided, results=done)


def _what_to_check(plan: StaffingPlan | Blueprint, target: Target | dict[str, Any] | None, days: float | None,
                   seed: int | None) -> tuple[Blueprint, dict[str, Target], float, tuple[int, ...], int, int, float]:
    """The staffed blueprint, targets, days, seeds to avoid, seed, intervals judged and their width in
    seconds (the plan's own; 15 minutes for a blueprint) for :func:`verify`."""
    if isinstance(plan, Blueprint):
        roles = [r.name for r in requirement_roles(plan)]
        days = 1.0 if days is None else days
        return (plan, {r: target_for(plan, r, target) for r in roles}, days, (), resolve_seed(seed),
                int(math.ceil(days * DAY / 900.0 - 1e-9)), 900.0)
    bp = plan.blueprint
    targets = dict(plan.targets) if target is None else {r: target_for(bp, r, target) for r in plan.targets}
    return (bp, targets, plan.results.days if days is None else days, tuple(plan.seeds),
            held_out_seed(plan.seed) if seed is None else int(seed), len(next(iter(plan.requirement.values()))),
            float(plan.interval))


def widest_undecided(table: pd.DataFrame) -> float:
    """The largest half-width of a close figure's 95% interval, in the figure's own units (shares)."""
    widest = 0.0
    for figure in ("service_level", "abandonment"):
        if f"{figure}_verdict" not in table:
            continue
        close = table[table[f"{figure}_verdict"] == "close"]
        if len(close):
            widest = max(widest, float(((close[f"{figure}_ci_high"] - close[f"{figure}_ci_low"]) / 2).max()))
    if "asa_verdict" in table:
        close = table[table["asa_verdict"] == "close"]
        if len(close):  # ASA in seconds: its precision is relative to the target
            widest = max(widest, float(((close["asa_ci_high"] - close["asa_ci_low"]) / 2 / close["asa_target"]).max()))
    return widest
