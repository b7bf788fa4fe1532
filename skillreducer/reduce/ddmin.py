"""Delta debugging (Zeller & Hildebrandt, "Simplifying and Isolating Failure-Inducing
Input", 2002): the ddmin algorithm, generic over any sequence.

Here the property kept is "the oracle passes" (in the paper: "the test fails"). The
result is 1-minimal: removing any single element of it breaks the property. Every
distinct subset is tested once; `Probe.calls` counts those distinct tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Generic, Sequence, TypeVar

T = TypeVar("T")


@dataclass
class CachedTest(Generic[T]):
    """A property test over subsets (as sorted index tuples), each subset tested once."""

    test: Callable[[tuple[int, ...]], bool]
    answers: dict[tuple[int, ...], bool] = field(default_factory=dict)

    @property
    def calls(self) -> int:
        return len(self.answers)

    def __call__(self, subset: tuple[int, ...]) -> bool:
        key = tuple(sorted(subset))
        if key not in self.answers:
            self.answers[key] = self.test(key)
        return self.answers[key]


def ddmin(size: int, test: Callable[[tuple[int, ...]], bool]) -> tuple[int, ...]:
    """A 1-minimal subset of range(size) for which test holds; test(all) must hold.

    `test` receives sorted index tuples; wrap it in CachedTest to test each subset once.
    """
    current = tuple(range(size))
    granularity = 2
    while len(current) >= 2:
        chunks = _split(current, granularity)
        for chunk in chunks:  # reduce to a subset
            if test(chunk):
                current, granularity = chunk, 2
                break
        else:
            for index in range(len(chunks)):  # reduce to a complement
                complement = tuple(x for j, chunk in enumerate(chunks) if j != index for x in chunk)
                if test(complement):
                    current, granularity = complement, max(granularity - 1, 2)
                    break
            else:
                if granularity >= len(current):
                    break  # every single element was tried: 1-minimal
                granularity = min(len(current), 2 * granularity)
    return current


def _split(items: Sequence[int], parts: int) -> list[tuple[int, ...]]:
    """`parts` contiguous chunks whose sizes differ by at most one."""
    out, start = [], 0
    for part in range(parts):
        stop = start + (len(items) - start) // (parts - part)
        out.append(tuple(items[start:stop]))
        start = stop
    return out
