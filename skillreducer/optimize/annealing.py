"""Weighted-sum simulated annealing: the baseline MOCHA is compared with.

The budget (charged exactly as in MOCHA: initial solutions plus every child proposed,
cache hits included) is split evenly over `restarts` runs. Each run draws one fixed
weight vector w ~ Dirichlet(1), starts from the initial solution with the best weighted
sum s(x) = Σ_i w_i·f̂_i(x) (objectives minimised and scaled by the ideal and nadir of the
initial solutions, fixed so s does not drift), mutates with an operator drawn uniformly
from the problem's operators, and accepts by the Metropolis rule on s under a geometric
cooling from `t_start` to `t_end` (in units of s, so of the initial solutions' spread;
the defaults were the best of a small grid on the benchmark problems, see
bench/mocha_problems.py).

What a weighted-sum method returns is its best solution per weight vector: `front` is the
non-dominated set of those. `evaluated_front` is, separately, the non-dominated set of
everything the runs evaluated (a stronger answer than the method itself gives).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from skillreducer.optimize.mocha import (
    CachedEvaluator,
    Feedback,
    FrontPoint,
    Objective,
    OperatorStats,
    Problem,
    check_budget,
    check_problem,
    hint_for,
    sorted_front,
    to_minimised,
)
from skillreducer.optimize.pareto import Archive, non_dominated

S = TypeVar("S")


@dataclass(frozen=True)
class WeightedBest(Generic[S]):
    weights: tuple[float, ...]
    best: FrontPoint[S]


@dataclass(frozen=True)
class AnnealingResult(Generic[S]):
    objectives: tuple[Objective, ...]
    best_per_weight: tuple[WeightedBest[S], ...]
    front: tuple[FrontPoint[S], ...]  # non-dominated among best_per_weight, sorted
    evaluated_front: tuple[FrontPoint[S], ...]  # non-dominated among everything evaluated, sorted
    budget_used: int
    evaluations: int
    operator_stats: tuple[OperatorStats, ...]  # kept: Metropolis accepted; improved: lowered the weighted sum

    def minimised(self) -> np.ndarray:
        return to_minimised([p.objectives for p in self.front], self.objectives)

    def evaluated_minimised(self) -> np.ndarray:
        return to_minimised([p.objectives for p in self.evaluated_front], self.objectives)


def weighted_sum_annealing(
    problem: Problem[S],
    budget: int,
    seed: int,
    *,
    restarts: int = 10,
    t_start: float = 0.005,
    t_end: float = 1e-5,
    archive_cap: int | None = None,
) -> AnnealingResult[S]:
    """Anneal `restarts` weighted sums within `budget` units; `archive_cap` caps `evaluated_front`."""
    objectives = check_problem(problem)
    check_budget(budget)
    if restarts < 1 or not 0 < t_end <= t_start:
        raise ValueError("need restarts >= 1 and 0 < t_end <= t_start")
    names = [o.name for o in objectives]
    signs = np.array([1.0 if o.sense == "min" else -1.0 for o in objectives])
    operators = list(problem.operators)
    rng = np.random.default_rng(seed)
    evaluate = CachedEvaluator(problem)
    evaluated: Archive[S] = Archive(len(objectives), archive_cap)

    def point_of(x: S) -> np.ndarray:
        point = np.array(evaluate(x)) * signs
        evaluated.offer(x, point)
        return point

    starts = problem.initial(rng)[:budget]
    if not starts:
        raise ValueError("Problem.initial returned no solutions")
    start_points = np.array([point_of(x) for x in starts])
    low = start_points.min(axis=0)
    span = start_points.max(axis=0) - low
    span = np.where(span > 0, span, 1.0)

    trials, kept, improved = (np.zeros(len(operators), int) for _ in range(3))
    remaining = budget - evaluate.requests
    bests: list[WeightedBest[S]] = []
    for run in range(restarts):
        steps = remaining // restarts + (run < remaining % restarts)
        weights = rng.dirichlet(np.ones(len(objectives)))

        def weighted(point: np.ndarray) -> float:
            return float(np.dot(weights, (point - low) / span))

        start = int(np.argmin([weighted(p) for p in start_points]))
        current, current_point = starts[start], start_points[start]
        current_score = weighted(current_point)
        best, best_point, best_score = current, current_point, current_score
        need = dict(zip(names, weights.tolist()))
        for step in range(steps):
            temperature = t_start * (t_end / t_start) ** (step / max(steps - 1, 1))
            op = int(rng.integers(len(operators)))
            hint = hint_for(problem, current, tuple((current_point * signs).tolist()))
            child = operators[op].mutate(current, rng, Feedback(need, hint))
            child_point = point_of(child)
            child_score = weighted(child_point)
            delta = child_score - current_score
            trials[op] += 1
            improved[op] += delta < 0
            if delta <= 0 or rng.random() < math.exp(-delta / temperature):
                kept[op] += 1
                current, current_point, current_score = child, child_point, child_score
                if current_score < best_score:
                    best, best_point, best_score = current, current_point, current_score
        reported = tuple((best_point * signs + 0.0).tolist())
        bests.append(WeightedBest(tuple(weights.tolist()), FrontPoint(best, reported)))

    best_points = to_minimised([b.best.objectives for b in bests], objectives)
    front = [bests[i].best for i in non_dominated(best_points)]
    return AnnealingResult(
        objectives=objectives,
        best_per_weight=tuple(bests),
        front=tuple(sorted(front, key=lambda p: p.objectives)),
        evaluated_front=sorted_front(evaluated, signs),
        budget_used=evaluate.requests,
        evaluations=evaluate.evaluations,
        operator_stats=tuple(
            OperatorStats(o.name, int(t), int(k), int(i)) for o, t, k, i in zip(operators, trials, kept, improved)
        ),
    )
