"""Pareto tools, all over minimised objective vectors: dominance, a non-dominated archive,
normalisation and hypervolume.

Hypervolume is exact for 2 and 3 objectives (a sweep in 2-D; slices along the third
objective in 3-D, O(n² log n)) and a Monte Carlo estimate with a fixed seed above that,
where exact algorithms grow exponentially with the number of objectives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

import numpy as np

S = TypeVar("S")

MONTE_CARLO_SAMPLES = 200_000
_MONTE_CARLO_BATCH = 20_000


def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """a is no worse than b everywhere and better somewhere."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return bool(np.all(a <= b) and np.any(a < b))


def weakly_dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """a is no worse than b everywhere (a equal to b counts)."""
    return bool(np.all(np.asarray(a, float) <= np.asarray(b, float)))


def non_dominated(points: Sequence[Sequence[float]] | np.ndarray) -> list[int]:
    """Indices of the points no other point dominates; of equal points only the first."""
    values = np.asarray(points, float)
    kept: list[int] = []
    for index, point in enumerate(values):
        others = values[np.arange(len(values)) != index]
        dominated = np.any(np.all(others <= point, axis=1) & np.any(others < point, axis=1))
        duplicate_of_earlier = np.any(np.all(values[:index] == point, axis=1))
        if not dominated and not duplicate_of_earlier:
            kept.append(index)
    return kept


def normalise(points: np.ndarray, ideal: np.ndarray, nadir: np.ndarray) -> np.ndarray:
    """Map ideal to 0 and nadir to 1 per objective; a zero range maps to offsets from ideal."""
    span = np.asarray(nadir, float) - np.asarray(ideal, float)
    span = np.where(span > 0, span, 1.0)
    return (np.asarray(points, float) - ideal) / span


@dataclass(frozen=True)
class Admission:
    """What offering a point to an archive did."""

    kept: bool  # the point is a member afterwards
    displaced: int  # members it dominated and pushed out (crowding drops not counted)


class Archive(Generic[S]):
    """The non-dominated set of everything offered, optionally capped.

    A point enters iff no member weakly dominates it, which (for a reference point worse
    than every point) is exactly when its hypervolume contribution is positive; members
    it dominates leave. Over `cap`, one member is dropped by nearest-neighbour truncation
    (as in SPEA2): in objectives normalised by the archive's own ideal and nadir, the
    member closest to its nearest neighbour goes (ties: closest to its second nearest,
    then the later member), never the best member on any objective, so the front's
    extent is kept while crowded stretches thin out.
    """

    def __init__(self, n_objectives: int, cap: int | None = None) -> None:
        if n_objectives < 1:
            raise ValueError("an archive needs at least one objective")
        if cap is not None and cap < n_objectives:
            raise ValueError(f"archive cap {cap} is below the number of objectives {n_objectives}")
        self.n_objectives = n_objectives
        self.cap = cap
        self.solutions: list[S] = []
        self.objectives = np.empty((0, n_objectives))

    def __len__(self) -> int:
        return len(self.solutions)

    def offer(self, solution: S, objectives: Sequence[float]) -> Admission:
        """Insert if not weakly dominated by a member, dropping the members it dominates."""
        point = np.asarray(objectives, float)
        if point.shape != (self.n_objectives,):
            raise ValueError(f"expected {self.n_objectives} objectives, got shape {point.shape}")
        if len(self) and np.any(np.all(self.objectives <= point, axis=1)):
            return Admission(kept=False, displaced=0)
        # Not weakly dominated, so every member it weakly dominates is strictly dominated.
        keep = ~np.all(point <= self.objectives, axis=1) if len(self) else np.ones(0, bool)
        self.solutions = [s for s, kept in zip(self.solutions, keep) if kept] + [solution]
        self.objectives = np.vstack([self.objectives[keep], point])
        displaced = int((~keep).sum())
        if self.cap is not None and len(self) > self.cap:
            dropped = self._most_crowded()
            del self.solutions[dropped]
            self.objectives = np.delete(self.objectives, dropped, axis=0)
            # The newcomer was last, so it is still there unless it was the one dropped.
            return Admission(kept=dropped != len(self), displaced=displaced)
        return Admission(kept=True, displaced=displaced)

    def ideal(self) -> np.ndarray:
        return self.objectives.min(axis=0)

    def nadir(self) -> np.ndarray:
        return self.objectives.max(axis=0)

    def _most_crowded(self) -> int:
        scaled = normalise(self.objectives, self.ideal(), self.nadir())
        distances = np.linalg.norm(scaled[:, None, :] - scaled[None, :, :], axis=2)
        np.fill_diagonal(distances, np.inf)
        nearest = np.sort(distances, axis=1)
        protected = set(np.argmin(self.objectives, axis=0).tolist())
        candidates = [i for i in range(len(self)) if i not in protected]
        second = nearest[:, 1] if nearest.shape[1] > 1 else nearest[:, 0]
        return min(candidates, key=lambda i: (nearest[i, 0], second[i], -i))


def hypervolume(
    points: Sequence[Sequence[float]] | np.ndarray,
    reference: Sequence[float],
    *,
    samples: int = MONTE_CARLO_SAMPLES,
    seed: int = 0,
) -> float:
    """Volume dominated by `points` and bounded by `reference` (minimisation).

    Points not strictly better than the reference on every objective add nothing.
    Exact for up to 3 objectives; a seeded Monte Carlo estimate with `samples` draws above.
    """
    ref = np.asarray(reference, float)
    values = np.asarray(points, float).reshape(-1, len(ref))
    if not np.all(np.isfinite(values)) or not np.all(np.isfinite(ref)):
        raise ValueError("hypervolume needs finite points and reference")
    values = values[np.all(values < ref, axis=1)]
    if len(values) == 0:
        return 0.0
    if len(ref) == 1:
        return float(ref[0] - values[:, 0].min())
    if len(ref) == 2:
        return _hypervolume_2d(values, ref)
    if len(ref) == 3:
        return _hypervolume_3d(values, ref)
    return _hypervolume_monte_carlo(values, ref, samples, seed)


def _hypervolume_2d(values: np.ndarray, ref: np.ndarray) -> float:
    volume, best_second = 0.0, ref[1]
    for first, second in values[np.lexsort((values[:, 1], values[:, 0]))]:
        if second < best_second:
            volume += (ref[0] - first) * (best_second - second)
            best_second = second
    return float(volume)


def _hypervolume_3d(values: np.ndarray, ref: np.ndarray) -> float:
    ordered = values[np.argsort(values[:, 2], kind="stable")]
    levels = np.append(ordered[1:, 2], ref[2])
    volume = 0.0
    for index in range(len(ordered)):
        height = levels[index] - ordered[index, 2]
        if height > 0:
            volume += height * _hypervolume_2d(ordered[: index + 1, :2], ref[:2])
    return float(volume)


def _hypervolume_monte_carlo(values: np.ndarray, ref: np.ndarray, samples: int, seed: int) -> float:
    if samples < 1:
        raise ValueError("Monte Carlo hypervolume needs at least one sample")
    rng = np.random.default_rng(seed)
    lower = values.min(axis=0)
    hits, drawn = 0, 0
    while drawn < samples:
        batch = min(_MONTE_CARLO_BATCH, samples - drawn)
        draws = rng.uniform(lower, ref, size=(batch, len(ref)))
        hits += int(np.any(np.all(values[None, :, :] <= draws[:, None, :], axis=2), axis=1).sum())
        drawn += batch
    return float(np.prod(ref - lower) * hits / samples)
