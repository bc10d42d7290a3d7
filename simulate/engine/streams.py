"""Random streams: independent per replication, and per customer where it matters.

Every random number a simulation uses comes from a ``numpy.random.SeedSequence``
spawned from the one seed of the run. Customers' own attributes (segment,
patience, step durations, branch and failure draws) are looked up by the
customer's arrival number, not drawn in the order events happen, so the same
customer gets the same numbers whatever the staffing: two scenarios run with one
seed meet the same customers (common random numbers).

>>> a = CustomerDraws(np.random.SeedSequence(7), ("duration", "answer"), lambda rng, n: rng.random(n))
>>> b = CustomerDraws(np.random.SeedSequence(7), ("duration", "answer"), lambda rng, n: rng.random(n))
>>> a.get(5000) == b.get(5000) and a.get(3) == b.get(3)
True
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["CHUNK", "CHUNK_BITS", "key_of", "substream", "CustomerDraws"]

CHUNK_BITS = 10
CHUNK = 1 << CHUNK_BITS
_MASK = CHUNK - 1


def key_of(*parts: Any) -> tuple[int, ...]:
    """A stable numeric spawn key for names such as ``("duration", "answer")``."""
    return tuple(p if isinstance(p, int) else zlib.crc32(str(p).encode("utf-8")) for p in parts)


def substream(root: np.random.SeedSequence, *parts: Any) -> np.random.Generator:
    """An independent generator for a named purpose under ``root``."""
    seq = np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + key_of(*parts))
    return np.random.Generator(np.random.PCG64(seq))


class CustomerDraws:
    """Random values addressed by customer number: ``get(k)`` is the same for the same ``k``.

    Values are made ``CHUNK`` at a time with ``sampler(rng, n)``, each chunk from
    its own generator, so any ``k`` can be asked for in any order. Chunks are
    dropped with :meth:`forget_below` once no customer in them can ask again.
    ``chunks`` holds the values made so far by chunk number (``k >> CHUNK_BITS``),
    for callers that look a value up without a call on a hot path.
    """

    __slots__ = ("_root", "_key", "_sampler", "chunks")

    def __init__(self, root: np.random.SeedSequence, name: tuple[Any, ...], sampler: Callable[[np.random.Generator, int], Any]) -> None:
        self._root = root
        self._key = tuple(root.spawn_key) + key_of(*name)
        self._sampler = sampler
        self.chunks: dict[int, list[float]] = {}

    def get(self, k: int) -> float:
        chunk = self.chunks.get(k >> CHUNK_BITS)
        if chunk is None:
            chunk = self._make(k >> CHUNK_BITS)
        return chunk[k & _MASK]

    def _make(self, c: int) -> list[float]:
        seq = np.random.SeedSequence(self._root.entropy, spawn_key=self._key + (c,))
        values = np.asarray(self._sampler(np.random.Generator(np.random.PCG64(seq)), CHUNK), dtype=float).tolist()
        self.chunks[c] = values
        return values

    def forget_below(self, k: int) -> None:
        """Drop the chunks that hold only customers numbered below ``k``."""
        limit = k >> CHUNK_BITS
        for c in [c for c in self.chunks if c < limit]:
            del self.chunks[c]

    def __len__(self) -> int:
        return len(self.chunks)
