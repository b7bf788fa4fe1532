"""Standard test problems with non-convex Pareto fronts, to prove MOCHA as an optimizer.

- ZDT2 (Zitzler, Deb & Thiele 2000): 2 objectives, front f2 = 1 − f1² (concave).
- DTLZ2 (Deb, Thiele, Laumanns & Zitzler 2002): 3 objectives, front = the positive
  octant of the unit sphere (concave).
- Subset selection with complementary items: pick items to minimise cost and maximise
  value, where value(S) = Σ_{i∈S} v_i + Σ_{i<j ∈ S} s_ij with synergies s_ij ≥ 0. The
  synergies make value supermodular: an item is worth more the more of its partners are
  already in, so along the front value grows faster than cost. In (cost, −value) space
  the front is therefore concave (it bulges away from the ideal point): its middle lies
  above the chord between the empty set and the full set, where no weighted sum of the
  objectives is optimal, so a weighted-sum method finds little beyond the two ends.

Each problem declares its objectives and senses, mutation operators tied to the
objectives they tend to improve, and `front_bounds`: the ideal and nadir of its true
front in minimised terms (every objective to minimise), for normalising hypervolume.
With `targeted=False` a problem offers only operators tied to no objective (for the real
problems: polynomial mutation and a Gaussian step on any variable; for the subset
problem: swap and flip), to measure what the targeted operators add.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from skillreducer.optimize.mocha import Feedback, Objective, Operator

Vector = np.ndarray
Subset = frozenset[int]

_STEP = 0.1  # Gaussian step, as a share of a variable's [0, 1] range
_ETA = 20.0  # polynomial-mutation distribution index (Deb & Goyal 1996), pymoo's default


def _polynomial(x: Vector, rng: np.random.Generator, indices: np.ndarray) -> Vector:
    """Polynomial mutation on [0, 1] of each index in `indices` with probability
    1/len(indices) (at least one)."""
    child = x.copy()
    chosen = indices[rng.random(len(indices)) < 1.0 / len(indices)]
    if len(chosen) == 0:
        chosen = rng.choice(indices, size=1)
    for i in chosen:
        u = rng.random()
        low, high = child[i], 1.0 - child[i]
        power = 1.0 / (_ETA + 1.0)
        if u < 0.5:
            delta = (2 * u + (1 - 2 * u) * (1 - low) ** (_ETA + 1)) ** power - 1
        else:
            delta = 1 - (2 * (1 - u) + 2 * (u - 0.5) * (1 - high) ** (_ETA + 1)) ** power
        child[i] = np.clip(child[i] + delta, 0.0, 1.0)
    return child


def _gaussian(x: Vector, rng: np.random.Generator) -> Vector:
    """Gaussian step on each variable with probability 1/n (at least one), clipped to [0, 1]."""
    child = x.copy()
    chosen = rng.random(len(x)) < 1.0 / len(x)
    if not chosen.any():
        chosen[rng.integers(len(x))] = True
    child[chosen] += rng.normal(0.0, _STEP, int(chosen.sum()))
    return np.clip(child, 0.0, 1.0)


def _with_untargeted(
    targeted: tuple[Operator[Vector], ...], n_variables: int, use_targeted: bool
) -> tuple[Operator[Vector], ...]:
    """The problem's targeted operators (if `use_targeted`), then a Gaussian step on any variable;
    without them, polynomial mutation of any variable stands in for their moves."""
    everything = np.arange(n_variables)
    gaussian = Operator("gaussian", lambda x, rng, fb: _gaussian(x, rng))
    if use_targeted:
        return targeted + (gaussian,)
    return (Operator("polynomial", lambda x, rng, fb: _polynomial(x, rng, everything)), gaussian)


def _step(index: int, direction: float) -> Callable[[Vector, np.random.Generator, Feedback], Vector]:
    """Move one variable in one direction by a half-normal step, clipped to [0, 1]."""

    def mutate(x: Vector, rng: np.random.Generator, feedback: Feedback) -> Vector:
        child = x.copy()
        child[index] = np.clip(child[index] + direction * abs(rng.normal(0.0, _STEP)), 0.0, 1.0)
        return child

    return mutate


@dataclass(frozen=True)
class ZDT2:
    """min f1 = x1, min f2 = g·(1 − (x1/g)²), g = 1 + 9·mean(x2..xn), x ∈ [0, 1]^n.

    Operators: x1 down improves f1, x1 up improves f2 (at fixed g), polynomial mutation of
    x2..xn lowers g and so f2 only; a Gaussian step on any variable targets neither.
    """

    n_variables: int = 30
    population: int = 10
    targeted: bool = True
    objectives: tuple[Objective, ...] = (Objective("f1", "min"), Objective("f2", "min"))
    operators: tuple[Operator[Vector], ...] = field(init=False)
    front_bounds: tuple[tuple[float, ...], tuple[float, ...]] = ((0.0, 0.0), (1.0, 1.0))

    def __post_init__(self) -> None:
        if self.n_variables < 2 or self.population < 1:
            raise ValueError("ZDT2 needs at least 2 variables and 1 initial solution")
        distance = np.arange(1, self.n_variables)
        ops = (
            Operator("x1-down", _step(0, -1.0), ("f1",)),
            Operator("x1-up", _step(0, +1.0), ("f2",)),
            Operator("distance-polynomial", lambda x, rng, fb: _polynomial(x, rng, distance), ("f2",)),
        )
        object.__setattr__(self, "operators", _with_untargeted(ops, self.n_variables, self.targeted))

    def initial(self, rng: np.random.Generator) -> list[Vector]:
        return list(rng.random((self.population, self.n_variables)))

    def evaluate(self, x: Vector) -> tuple[float, float]:
        g = 1.0 + 9.0 * float(np.mean(x[1:]))
        return float(x[0]), g * (1.0 - (x[0] / g) ** 2)

    def key(self, x: Vector) -> bytes:
        return x.tobytes()

    @staticmethod
    def true_front(points: int) -> np.ndarray:
        f1 = np.linspace(0.0, 1.0, points)
        return np.column_stack([f1, 1.0 - f1**2])


@dataclass(frozen=True)
class DTLZ2:
    """min f1..f3 on the sphere: f = (1+g)·(cos a cos b, cos a sin b, sin a), a = x1·π/2,
    b = x2·π/2, g = Σ_{i≥3} (x_i − 0.5)², x ∈ [0, 1]^n.

    Operators: polynomial mutation of the distance variables x3..xn lowers g and with it
    every objective; x1 down improves f3, x1 up f1 and f2, x2 up f1, x2 down f2; a
    Gaussian step on any variable targets none.
    """

    n_variables: int = 12
    population: int = 10
    targeted: bool = True
    objectives: tuple[Objective, ...] = (
        Objective("f1", "min"),
        Objective("f2", "min"),
        Objective("f3", "min"),
    )
    operators: tuple[Operator[Vector], ...] = field(init=False)
    front_bounds: tuple[tuple[float, ...], tuple[float, ...]] = ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))

    def __post_init__(self) -> None:
        if self.n_variables < 3 or self.population < 1:
            raise ValueError("DTLZ2 with 3 objectives needs at least 3 variables and 1 initial solution")
        distance = np.arange(2, self.n_variables)
        ops = (
            Operator("distance-polynomial", lambda x, rng, fb: _polynomial(x, rng, distance), ("f1", "f2", "f3")),
            Operator("x1-down", _step(0, -1.0), ("f3",)),
            Operator("x1-up", _step(0, +1.0), ("f1", "f2")),
            Operator("x2-up", _step(1, +1.0), ("f1",)),
            Operator("x2-down", _step(1, -1.0), ("f2",)),
        )
        object.__setattr__(self, "operators", _with_untargeted(ops, self.n_variables, self.targeted))

    def initial(self, rng: np.random.Generator) -> list[Vector]:
        return list(rng.random((self.population, self.n_variables)))

    def evaluate(self, x: Vector) -> tuple[float, float, float]:
        radius = 1.0 + float(np.sum((x[2:] - 0.5) ** 2))
        a, b = x[0] * np.pi / 2, x[1] * np.pi / 2
        return (
            radius * float(np.cos(a) * np.cos(b)),
            radius * float(np.cos(a) * np.sin(b)),
            radius * float(np.sin(a)),
        )

    def key(self, x: Vector) -> bytes:
        return x.tobytes()

    @staticmethod
    def true_front(points_per_side: int) -> np.ndarray:
        a, b = np.meshgrid(*(np.linspace(0.0, np.pi / 2, points_per_side),) * 2)
        a, b = a.ravel(), b.ravel()
        return np.column_stack([np.cos(a) * np.cos(b), np.cos(a) * np.sin(b), np.sin(a)])


@dataclass(frozen=True, eq=False)
class ComplementarySubset:
    """Choose a subset of `n_items` items: min cost, max value (module doc: why the front is
    non-convex). The instance is drawn from `instance_seed`: costs U(1, 10), base values
    U(0, 1), and a synergy U(0, 2) on each pair with probability `synergy_density`.

    Operators: add an absent item (improves value), drop a present one (improves cost);
    swapping one in for one out and flipping random items target neither.
    """

    n_items: int = 40
    synergy_density: float = 0.25
    instance_seed: int = 0
    population: int = 10
    targeted: bool = True
    objectives: tuple[Objective, ...] = (Objective("cost", "min"), Objective("value", "max"))
    operators: tuple[Operator[Subset], ...] = field(init=False)
    costs: np.ndarray = field(init=False, repr=False)
    values: np.ndarray = field(init=False, repr=False)
    synergy: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.n_items < 2 or not 0 <= self.synergy_density <= 1 or self.population < 1:
            raise ValueError("need at least 2 items, a synergy density in [0, 1] and 1 initial solution")
        rng = np.random.default_rng(self.instance_seed)
        n = self.n_items
        upper = np.triu(rng.uniform(0, 2, (n, n)) * (rng.random((n, n)) < self.synergy_density), k=1)
        object.__setattr__(self, "costs", rng.uniform(1, 10, n))
        object.__setattr__(self, "values", rng.uniform(0, 1, n))
        object.__setattr__(self, "synergy", upper + upper.T)
        targeted = (Operator("add", self._add, ("value",)), Operator("drop", self._drop, ("cost",)))
        untargeted = (Operator("swap", self._swap), Operator("flip", self._flip))
        object.__setattr__(self, "operators", (targeted if self.targeted else ()) + untargeted)

    @property
    def front_bounds(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        # The empty set has the least cost and the full set the most value (synergies ≥ 0):
        # both are on the front, so its ideal and nadir are known exactly.
        _, full_value = self.evaluate(frozenset(range(self.n_items)))
        return (0.0, -full_value), (float(self.costs.sum()), 0.0)

    def initial(self, rng: np.random.Generator) -> list[Subset]:
        picks = rng.random((self.population, self.n_items)) < 0.5
        return [frozenset(np.flatnonzero(row).tolist()) for row in picks]

    def evaluate(self, x: Subset) -> tuple[float, float]:
        chosen = np.fromiter(sorted(x), int, len(x))
        value = self.values[chosen].sum() + self.synergy[np.ix_(chosen, chosen)].sum() / 2
        return float(self.costs[chosen].sum()), float(value)

    def key(self, x: Subset) -> Subset:
        return x

    def _add(self, x: Subset, rng: np.random.Generator, feedback: Feedback) -> Subset:
        absent = sorted(set(range(self.n_items)) - x)
        return x | {int(rng.choice(absent))} if absent else x

    def _drop(self, x: Subset, rng: np.random.Generator, feedback: Feedback) -> Subset:
        return x - {int(rng.choice(sorted(x)))} if x else x

    def _swap(self, x: Subset, rng: np.random.Generator, feedback: Feedback) -> Subset:
        absent = sorted(set(range(self.n_items)) - x)
        if not x or not absent:
            return x
        return (x - {int(rng.choice(sorted(x)))}) | {int(rng.choice(absent))}

    def _flip(self, x: Subset, rng: np.random.Generator, feedback: Feedback) -> Subset:
        flips = rng.random(self.n_items) < 1.0 / self.n_items
        if not flips.any():
            flips[rng.integers(self.n_items)] = True
        return x ^ frozenset(np.flatnonzero(flips).tolist())
