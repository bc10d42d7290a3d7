"""Write the hotline's synthetic SERVQUAL survey: examples/bilingual_hotline.survey.csv and .survey_weights.csv.

Synthetic, not collected: 120 respondents answer the 22 standard items (1 to 7) for expectation and
perception. Each answer is the criterion's mean below, plus the respondent's own offset (normal, sd
0.5 for expectations, 0.6 for perceptions: some people score high on everything), plus noise per
answer (sd 0.7 and 0.8), rounded and kept within 1 to 7. Items 11 (prompt service) and 13 (never too
busy to respond) are perceived 0.6 and 0.4 lower again: the hotline's callers wait. 2% of perceptions
are left empty (no answer). Each respondent shares 100 importance points among the criteria: a
Dirichlet draw around 10/32/25/18/15 (concentration 30), rounded to whole points adding up to 100.

    .venv/bin/python scripts/make_survey.py        # writes both files (seed 2026)
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from blueprint.survey import CRITERIA, STANDARD_ITEMS

SEED = 2026
RESPONDENTS = 120
EXPECTED = {"tangibles": 5.2, "reliability": 6.4, "responsiveness": 6.2, "assurance": 6.0, "empathy": 5.6}
PERCEIVED = {"tangibles": 5.4, "reliability": 5.9, "responsiveness": 5.0, "assurance": 6.0, "empathy": 5.5}
ITEM_SHIFT = {"11": -0.6, "13": -0.4}
IMPORTANCE = {"tangibles": 10, "reliability": 32, "responsiveness": 25, "assurance": 18, "empathy": 15}
MISSING = 0.02
HERE = Path(__file__).resolve().parent.parent / "blueprint" / "examples"


def answers(rng: np.random.Generator) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for r in range(1, RESPONDENTS + 1):
        own_e, own_p = rng.normal(0, 0.5), rng.normal(0, 0.6)
        for item, (criterion, _text) in STANDARD_ITEMS.items():
            e = EXPECTED[criterion] + own_e + rng.normal(0, 0.7)
            p = PERCEIVED[criterion] + ITEM_SHIFT.get(item, 0.0) + own_p + rng.normal(0, 0.8)
            perception: object = int(np.clip(round(p), 1, 7))
            if rng.random() < MISSING:
                perception = ""
            rows.append({"respondent": f"R{r:03d}", "item": item, "expectation": int(np.clip(round(e), 1, 7)),
                         "perception": perception})
    return rows


def points(rng: np.random.Generator) -> list[dict[str, object]]:
    mean = np.array([IMPORTANCE[c] for c in CRITERIA], dtype=float) / 100
    rows: list[dict[str, object]] = []
    for r in range(1, RESPONDENTS + 1):
        share = rng.dirichlet(30 * mean) * 100
        whole = np.floor(share).astype(int)
        for k in np.argsort(-(share - whole))[: 100 - whole.sum()]:  # largest remainders get the points left
            whole[k] += 1
        rows.append({"respondent": f"R{r:03d}", **{c: int(v) for c, v in zip(CRITERIA, whole, strict=True)}})
    return rows


def write(path: Path, rows: list[dict[str, object]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {path}")


def main() -> None:
    rng = np.random.default_rng(SEED)
    write(HERE / "bilingual_hotline.survey.csv", answers(rng))
    write(HERE / "bilingual_hotline.survey_weights.csv", points(rng))


if __name__ == "__main__":
    main()
