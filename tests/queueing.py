"""Reference formulas of queueing theory, written independently of the library.

Used by ``test_simulation_theory.py`` as the values a correct simulation must
reproduce. Plain floats; sums of many terms are done in log space so that large
offered loads neither overflow nor lose precision. Rates are per second,
times in seconds, ``a = λ/μ`` is the offered load in Erlangs.
"""

from __future__ import annotations

import math

__all__ = ["birth_death", "erlang_b", "erlang_c", "MMc", "MMcK", "ErlangA"]


def _logsumexp(xs: list[float]) -> float:
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of M/M/c/c (the stable recursion B(k) = aB(k-1) / (k + aB(k-1)))."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in M/M/c (needs a < c), by the explicit sum in log space.

    C = (a^c / c!) · c/(c−a) / (Σ_{k<c} a^k/k! + (a^c/c!) · c/(c−a)).
    """
    if not 0 < a < c:
        raise ValueError("M/M/c is stable only for 0 < a < c")
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    tail = c * math.log(a) - math.lgamma(c + 1) + math.log(c / (c - a))
    return math.exp(tail - _logsumexp(logs + [tail]))


class MMc:
    """M/M/c: Poisson arrivals at ``lam``, ``c`` servers each of exponential rate ``mu``."""

    def __init__(self, lam: float, mu: float, c: int) -> None:
        self.lam, self.mu, self.c = lam, mu, c
        self.a = lam / mu
        self.rho = self.a / c
        self.C = erlang_c(c, self.a)
        self.gap = c * mu - lam  # rate of the conditional wait: W | W > 0 ~ Exp(cμ − λ)

    @property
    def p_wait(self) -> float:
        return self.C

    @property
    def wq(self) -> float:
        """Mean wait in queue, E[Wq] = C / (cμ − λ)."""
        return self.C / self.gap

    @property
    def wq2(self) -> float:
        """Second moment of the wait in queue, E[Wq²] = 2C / (cμ − λ)²."""
        return 2 * self.C / self.gap**2

    @property
    def w(self) -> float:
        """Mean time in system."""
        return self.wq + 1 / self.mu

    @property
    def lq(self) -> float:
        return self.lam * self.wq

    def service_level(self, t: float) -> float:
        """P(Wq ≤ t) = 1 − C·exp(−(cμ − λ)t)."""
        return 1 - self.C * math.exp(-self.gap * t)


class ErlangA:
    """M/M/c+M: exponential patience of rate ``theta`` (mean patience 1/θ), from the birth–death chain.

    State n = customers in the system; births at λ, deaths at min(n, c)·μ + (n − c)⁺·θ.
    The stationary distribution is truncated where its terms are negligible.
    """

    def __init__(self, lam: float, mu: float, c: int, theta: float, n_max: int | None = None) -> None:
        self.lam, self.mu, self.c, self.theta = lam, mu, c, theta
        n_max = n_max or c + 5000
        logs = [0.0]
        for n in range(1, n_max + 1):
            death = min(n, c) * mu + max(n - c, 0) * theta
            logs.append(logs[-1] + math.log(lam) - math.log(death))
            if n > c + 50 and logs[-1] < max(logs) - 80:  # the rest is below e^-80 of the mode
                break
        z = _logsumexp(logs)
        self.p = [math.exp(x - z) for x in logs]

    @property
    def p_wait(self) -> float:
        """P(an arrival must wait) = P(N ≥ c) by PASTA."""
        return sum(self.p[self.c :])

    @property
    def lq(self) -> float:
        """Mean number waiting, E[(N − c)⁺]."""
        return sum((n - self.c) * p for n, p in enumerate(self.p) if n > self.c)

    @property
    def p_abandon(self) -> float:
        """Share of arrivals that give up: θ·E[Q] / λ (abandonments happen at rate θ per waiting customer)."""
        return self.theta * self.lq / self.lam

    @property
    def wq(self) -> float:
        """Mean time in queue over all arrivals, served or not (Little): E[Q] / λ."""
        return self.lq / self.lam

    @property
    def busy(self) -> float:
        """Mean number of busy servers, E[min(N, c)] = λ(1 − P(ab))/μ."""
        return sum(min(n, self.c) * p for n, p in enumerate(self.p))


class MMcK:
    """M/M/c/K: at most ``K`` customers in the system (``K − c`` waiting); an arrival who finds K is blocked.

    Stationary distribution p_n ∝ aⁿ/n! for n ≤ c and p_c·ρ^(n−c) for c < n ≤ K, with ρ = a/c.
    """

    def __init__(self, lam: float, mu: float, c: int, K: int) -> None:
        assert K >= c
        self.lam, self.mu, self.c, self.K = lam, mu, c, K
        a = lam / mu
        logs = [n * math.log(a) - math.lgamma(n + 1) for n in range(c + 1)]
        logs += [logs[c] + (n - c) * math.log(a / c) for n in range(c + 1, K + 1)]
        z = _logsumexp(logs)
        self.p = [math.exp(x - z) for x in logs]

    @property
    def p_block(self) -> float:
        """P(an arrival is blocked) = p_K by PASTA."""
        return self.p[self.K]

    @property
    def lq(self) -> float:
        return sum((n - self.c) * p for n, p in enumerate(self.p) if n > self.c)

    @property
    def wq(self) -> float:
        """Mean wait of the admitted customers, Lq / (λ(1 − p_K))."""
        return self.lq / (self.lam * (1 - self.p_block))

    @property
    def busy(self) -> float:
        return sum(min(n, self.c) * p for n, p in enumerate(self.p))


def birth_death(births: list[float], deaths: list[float]) -> list[float]:
    """The stationary distribution of a finite birth–death chain: ``births[n]`` the rate from n to n + 1,
    ``deaths[n]`` the rate from n + 1 to n (equal lengths, the last state is len(births))."""
    logs = [0.0]
    for b, d in zip(births, deaths):
        logs.append(logs[-1] + math.log(b) - math.log(d))
    z = _logsumexp(logs)
    return [math.exp(x - z) for x in logs]
