"""Distributions: parsing, canonical text, parameter checks and sampling against theory."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from blueprint import parse_distribution
from blueprint.distributions import Empirical

# (text, exact mean in seconds, exact standard deviation in seconds)
CASES = [
    ("4 min", 240.0, 0.0),
    ("exp(4 min)", 240.0, 240.0),
    ("uniform(1, 3) min", 120.0, 60 * 2 / math.sqrt(12)),
    ("triangular(1, 2, 4) min", 140.0, 60 * math.sqrt((1 + 16 + 4 - 4 - 2 - 8) / 18)),
    ("lognormal(mean=5, sd=2) min", 300.0, 120.0),
    ("gamma(shape=2, scale=1.5) min", 180.0, 90 * math.sqrt(2)),
    ("weibull(shape=1.5, scale=4) min", 240 * math.gamma(1 + 1 / 1.5), 240 * math.sqrt(math.gamma(1 + 2 / 1.5) - math.gamma(1 + 1 / 1.5) ** 2)),
    ("empirical(1, 2, 2.5, 4) min", 142.5, 60 * float(np.std([1, 2, 2.5, 4]))),
    ("90 s", 90.0, 0.0),
    ("exp(0.5 h)", 1800.0, 1800.0),
]


@pytest.mark.parametrize("text,mean,sd", CASES)
def test_moments_are_exact(text: str, mean: float, sd: float) -> None:
    d = parse_distribution(text)
    assert d.mean == pytest.approx(mean, rel=1e-12)
    assert d.std == pytest.approx(sd, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("text,mean,sd", CASES)
def test_sample_mean_within_confidence_interval(text: str, mean: float, sd: float) -> None:
    n = 200_000
    x = parse_distribution(text).sample(np.random.default_rng(20261123), n)
    assert x.shape == (n,)
    assert (x >= 0).all()
    # 99.99% interval of the sample mean: 3.9 standard errors
    assert abs(x.mean() - mean) <= 3.9 * sd / math.sqrt(n) + 1e-9


def test_truncated_normal_matches_scipy() -> None:
    d = parse_distribution("normal(mean=1, sd=2) min")
    a = (0 - 1) / 2
    ref = stats.truncnorm(a, np.inf, loc=1, scale=2)
    assert d.mean == pytest.approx(60 * ref.mean(), rel=1e-10)
    assert d.std == pytest.approx(60 * ref.std(), rel=1e-10)
    x = d.sample(np.random.default_rng(7), 200_000) / 60
    assert stats.kstest(x, ref.cdf).pvalue > 1e-4


def test_lognormal_shape_matches_scipy() -> None:
    d = parse_distribution("lognormal(mean=5, sd=2) min")
    sigma = math.sqrt(math.log(1 + (2 / 5) ** 2))
    ref = stats.lognorm(s=sigma, scale=5 * math.exp(-sigma**2 / 2))
    x = d.sample(np.random.default_rng(3), 100_000) / 60
    assert stats.kstest(x, ref.cdf).pvalue > 1e-4


def test_histogram_moments_and_support() -> None:
    d = Empirical(edges=[0, 1, 3], counts=[1, 3], unit="min")
    # mixture of U(0,1) w.p. 1/4 and U(1,3) w.p. 3/4, in minutes
    mean = 0.25 * 0.5 + 0.75 * 2
    second = 0.25 * (1 / 3) + 0.75 * (1 + 3 + 9) / 3
    assert d.mean == pytest.approx(60 * mean)
    assert d.std == pytest.approx(60 * math.sqrt(second - mean**2))
    x = d.sample(np.random.default_rng(1), 100_000)
    assert x.min() >= 0 and x.max() <= 180
    assert abs((x < 60).mean() - 0.25) < 4 * math.sqrt(0.25 * 0.75 / 100_000)


@pytest.mark.parametrize(
    "text",
    [
        "4 min",
        "exp(4 min)",
        "uniform(1, 3) min",
        "triangular(0.1, 0.30000000000000004, 4) h",
        "normal(mean=5, sd=1) min",
        "lognormal(mean=5, sd=2) min",
        "gamma(shape=2, scale=1.5) min",
        "weibull(shape=1.5, scale=4) min",
        "empirical(1, 2, 2.5, 4) min",
        "empirical(edges=[0, 1, 3], counts=[5, 2]) min",
    ],
)
def test_canonical_text_round_trips(text: str) -> None:
    d = parse_distribution(text)
    again = parse_distribution(d.to_data())
    assert again == d
    assert str(again) == str(d)


@pytest.mark.parametrize(
    "human,canonical",
    [
        ("exponential(mean=4 minutes)", "exp(4 min)"),
        ("fixed(30 sec)", "30 s"),
        ("uniform(30 s, 60 s)", "uniform(30, 60) s"),
        ("lognormal(5 min, 2 min)", "lognormal(mean=5, sd=2) min"),
        ({"dist": "lognormal", "mean": "5 min", "sd": "2 min"}, "lognormal(mean=5, sd=2) min"),
        ({"dist": "gamma", "shape": 2, "scale": 3, "unit": "s"}, "gamma(shape=2, scale=3) s"),
        ({"dist": "exponential", "mean": 4, "unit": "min"}, "exp(4 min)"),
        ("tri(1, 2, 3) h", "triangular(1, 2, 3) h"),
    ],
)
def test_human_forms(human: object, canonical: str) -> None:
    assert str(parse_distribution(human)) == canonical


@pytest.mark.parametrize(
    "bad,message",
    [
        ("4", "'4' has no unit; write e.g. '4 min'"),
        (4, "4 has no unit; write e.g. '4 min' or 'exp(4 min)'"),
        ("exp(0 min)", "exponential: mean must be > 0, got 0"),
        ("uniform(3, 1) min", "uniform: needs low < high, got low=3, high=1"),
        ("triangular(1, 5, 4) min", "triangular: needs low ≤ mode ≤ high with low < high, got (1, 5, 4)"),
        ("poisson(3) min", "unknown distribution 'poisson'; known: deterministic, exponential, uniform, triangular, normal, lognormal, gamma, weibull, empirical"),
        ("exp(4 min, 3 min)", "exponential: takes 1 parameter (mean), got 2"),
        ("gamma(shape=2 min, scale=1) min", "gamma: shape is a plain number, not a time"),
        ("uniform(30 s, 1 min)", "uniform: use one time unit for all parameters, got min, s"),
        ("exp(4)", "exponential: no time unit; add one, e.g. 'exponential(...) min'"),
        ("exp(4 parsecs)", "unknown time unit 'parsecs'; use s, min, h or d"),
        ("normal(mean=-1, sd=1) min", "normal: mean must be > 0 (it is truncated at zero), got -1"),
        ("lognormal(mean=5) min", "lognormal: missing sd; expected lognormal(mean, sd)"),
        ({"mean": "5 min"}, "a distribution mapping needs 'dist' (one of deterministic, exponential, uniform, triangular, normal, lognormal, gamma, weibull, empirical)"),
        ("empirical(edges=[0, 1], counts=[1, 2]) min", "empirical: needs one more edge than counts, got 2 edges and 2 counts"),
        (None, "expected a distribution such as 'exp(4 min)', got None"),
        ("weibull(shape=0.001, scale=1) s", "weibull: its mean or spread is too large to compute with these parameters "
         "(shape=0.001, scale=1); a time this long is not a step of a service"),
        ("lognormal(mean=1e-300, sd=1) s", "lognormal: its mean or spread is too large to compute with these parameters "
         "(mean=1e-300, sd=1); a time this long is not a step of a service"),
        ("gamma(shape=1e12, scale=1) s", "gamma: a mean of 1e+12 s is longer than the ceiling of 366 days "
         "(blueprint.limits.limits_set(max_duration_seconds=...) raises it)"),
    ],
)
def test_bad_distributions_say_what_was_expected(bad: object, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_distribution(bad)
    assert str(info.value) == message


def test_same_generator_state_gives_same_draws() -> None:
    d = parse_distribution("lognormal(mean=5, sd=2) min")
    a = d.sample(np.random.default_rng(42), 10)
    b = d.sample(np.random.default_rng(42), 10)
    assert np.array_equal(a, b)
    assert isinstance(d.sample(np.random.default_rng(1)), float)
