"""The same seed gives the same numbers: the contact centre against figures recorded in ``tests/golden``.

The figures were recorded before ``simulate/`` was reorganised (``python -m tests.golden.record``);
a change that moves code must not move a number. Floats are compared to 1e-9 relative, so only a
different order of summation could pass unnoticed.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from .golden.record import HERE, figures

RECORDED = json.loads((HERE / "contact_center.json").read_text())


@pytest.fixture(scope="module")
def now() -> dict[str, Any]:
    return json.loads(json.dumps(figures()))  # through JSON, as the recording was


def same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
        return False
    return a == b


@pytest.mark.parametrize("key", sorted(RECORDED))
def test_same_seed_same_figures_as_recorded(now: dict[str, Any], key: str) -> None:
    want, got = RECORDED[key], now[key]
    if not isinstance(want, dict):
        assert same(want, got), f"{key}: recorded {want!r}, now {got!r}"
        return
    assert got["columns"] == want["columns"], key
    assert same(got["index"], want["index"]), key
    assert len(got["data"]) == len(want["data"]), key
    for i, (w, g) in enumerate(zip(want["data"], got["data"])):
        for col, x, y in zip(want["columns"], w, g):
            assert same(x, y), f"{key}: row {want['index'][i]!r}, {col}: recorded {x!r}, now {y!r}"
