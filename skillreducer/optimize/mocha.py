"""MOCHA: multi-objective Chebyshev annealing, generic over any problem.

Each step samples weights w ~ Dirichlet(alpha), picks the archive member minimising the
Chebyshev scalarisation g(x|w) = max_i w_i·|f_i(x) − z*_i| over normalised objectives
(z* = the ideal point of everything evaluated so far; objectives are scaled by z* and the
archive's nadir), mutates it with an operator chosen from per-objective feedback, and
accepts the child
  - while exploring: if its hypervolume contribution to the archive is positive, i.e. no
    member weakly dominates it;
  - while exploiting: if it improves g along the same w (which implies the above: the
    parent minimises g over the archive, so no member weakly dominating the child can
    exist).
A step explores with probability exp(−explore_decay · share of budget spent).

Operator choice (per step). The need of objective i is its share of the parent's
Chebyshev terms, need_i = w_i·f̂_i / Σ_j w_j·f̂_j (w when all terms are 0): the binding
terms are those whose improvement lowers g. If the problem's feedback flags weak or
violated objectives, need is averaged half and half with a uniform split over them. An
operator's score is (0.1 + Σ need over the objectives it targets, or 1/m if it targets
none) × (improved + 1)/(trials + 2), where `improved` counts its children that entered
the archive and pushed out a member they dominate: a Laplace-smoothed rate of moving the
front forward, not just sideways (crediting mere entry favours operators that slide along
the current front and starves the ones that converge; on ZDT2 that halves hypervolume).
It is drawn with probability proportional to its score; the 0.1 floor keeps every
operator possible.

Budget. Every child proposed is charged one unit of budget, including children already
seen: those are answered from a cache keyed by `Problem.key` and cost no call of
`evaluate`. `MochaResult.budget_used` counts the charged units (initial solutions
included), `MochaResult.evaluations` the calls of `evaluate`; a run therefore always ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Generic, Hashable, Literal, Mapping, Protocol, Sequence, TypeVar

import numpy as np

from skillreducer.optimize.pareto import Archive

S = TypeVar("S")

Sense = Literal["min", "max"]

_OPERATOR_FLOOR = 0.1


@dataclass(frozen=True)
class Objective:
    name: str
    sense: Sense


@dataclass(frozen=True)
class Hint:
    """What a problem says about one solution: the objectives it is weak in or violates,
    and any detail its operators can use (say, which item failed a check)."""

    weak: frozenset[str] = frozenset()
    detail: object = None


@dataclass(frozen=True)
class Feedback:
    """What an operator is told about the solution it mutates."""

    need: Mapping[str, float]  # per objective, sums to 1: how much improving it is wanted now
    hint: Hint = Hint()


@dataclass(frozen=True)
class Operator(Generic[S]):
    """A named mutation; `targets` are the objectives it tends to improve (none: no one in particular)."""

    name: str
    mutate: Callable[[S, np.random.Generator, Feedback], S]
    targets: tuple[str, ...] = ()


class Problem(Protocol[S]):
    """What MOCHA searches. `key(x)` must be equal for solutions that evaluate the same
    (it keys the evaluation cache). A problem may also define
    `feedback(x, objectives: tuple[float, ...]) -> Hint` to steer the operator choice;
    the operators receive that hint."""

    objectives: Sequence[Objective]
    operators: Sequence[Operator[S]]

    def initial(self, rng: np.random.Generator) -> list[S]: ...

    def evaluate(self, x: S) -> tuple[float, ...]: ...

    def key(self, x: S) -> Hashable: ...


@dataclass(frozen=True)
class FrontPoint(Generic[S]):
    solution: S
    objectives: tuple[float, ...]  # as the problem reports them (its own senses)


@dataclass(frozen=True)
class OperatorStats:
    name: str
    trials: int  # children it made
    kept: int  # children that entered the archive
    improved: int  # children that entered the archive and pushed out a member they dominate


@dataclass(frozen=True)
class MochaResult(Generic[S]):
    objectives: tuple[Objective, ...]
    front: tuple[FrontPoint[S], ...]  # non-dominated, sorted by objectives
    budget_used: int  # children proposed + initial solutions, cache hits included
    evaluations: int  # calls of Problem.evaluate (distinct solutions)
    operator_stats: tuple[OperatorStats, ...]
    explore_steps: int

    def minimised(self) -> np.ndarray:
        """The front's objectives with every objective turned into one to minimise."""
        return to_minimised([p.objectives for p in self.front], self.objectives)


def to_minimised(values: Sequence[Sequence[float]], objectives: Sequence[Objective]) -> np.ndarray:
    signs = np.array([1.0 if o.sense == "min" else -1.0 for o in objectives])
    return np.asarray(values, float).reshape(-1, len(objectives)) * signs


def sorted_front(archive: Archive[S], signs: np.ndarray) -> tuple[FrontPoint[S], ...]:
    """The archive's members with objectives back in the problem's senses, sorted by them."""
    points = (
        FrontPoint(x, tuple((point * signs + 0.0).tolist()))  # + 0.0 turns -0.0 into 0.0
        for x, point in zip(archive.solutions, archive.objectives)
    )
    return tuple(sorted(points, key=lambda p: p.objectives))


@dataclass
class CachedEvaluator(Generic[S]):
    """Evaluates through a cache, charges every request and validates what comes back."""

    problem: Problem[S]
    requests: int = 0
    cache: dict[Hashable, tuple[float, ...]] = field(default_factory=dict)

    @property
    def evaluations(self) -> int:
        return len(self.cache)

    def __call__(self, x: S) -> tuple[float, ...]:
        self.requests += 1
        key = self.problem.key(x)
        if key not in self.cache:
            values = tuple(float(v) for v in self.problem.evaluate(x))
            names = [o.name for o in self.problem.objectives]
            if len(values) != len(names):
                raise ValueError(f"evaluate returned {len(values)} values for objectives {names}")
            for name, value in zip(names, values):
                if not math.isfinite(value):
                    raise ValueError(f"objective {name!r} is {value} for solution {key!r}")
            self.cache[key] = values
        return self.cache[key]


def check_problem(problem: Problem) -> tuple[Objective, ...]:
    """The problem's objectives, after checking it is well-formed (clear errors otherwise)."""
    objectives = tuple(problem.objectives)
    if not objectives:
        raise ValueError("a problem needs at least one objective")
    names = [o.name for o in objectives]
    if len(set(names)) != len(names):
        raise ValueError(f"objective names repeat: {names}")
    for objective in objectives:
        if objective.sense not in ("min", "max"):
            raise ValueError(f"objective {objective.name!r} has sense {objective.sense!r}; use 'min' or 'max'")
    if not problem.operators:
        raise ValueError("a problem needs at least one mutation operator")
    for operator in problem.operators:
        unknown = set(operator.targets) - set(names)
        if unknown:
            raise ValueError(f"operator {operator.name!r} targets unknown objectives {sorted(unknown)}")
    return objectives


def check_budget(budget: int) -> None:
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise ValueError(f"budget must be a positive number of evaluations, got {budget!r}")


def chebyshev(points: np.ndarray, weights: np.ndarray, ideal: np.ndarray, nadir: np.ndarray) -> np.ndarray:
    """g(x|w) = max_i w_i·|f̂_i(x) − ẑ*_i| for each row, objectives scaled to ideal 0, nadir 1."""
    span = np.where(nadir - ideal > 0, nadir - ideal, 1.0)
    return np.max(weights * np.abs((np.atleast_2d(points) - ideal) / span), axis=1)


def chebyshev_pick(points: np.ndarray, weights: np.ndarray, ideal: np.ndarray, nadir: np.ndarray) -> int:
    """Index of the row minimising g(·|w) (the first, on ties)."""
    return int(np.argmin(chebyshev(points, weights, ideal, nadir)))


def hint_for(problem: Problem[S], x: S, objectives: tuple[float, ...]) -> Hint:
    feedback = getattr(problem, "feedback", None)
    return feedback(x, objectives) if feedback is not None else Hint()


def objective_need(
    point: np.ndarray,
    weights: np.ndarray,
    ideal: np.ndarray,
    nadir: np.ndarray,
    names: Sequence[str],
    hint: Hint,
) -> np.ndarray:
    """Per objective, the share of the point's Chebyshev terms (weights when all are 0),
    averaged half and half with a uniform split over the objectives the hint flags."""
    span = np.where(nadir - ideal > 0, nadir - ideal, 1.0)
    terms = weights * np.abs((point - ideal) / span)
    need = terms / terms.sum() if terms.sum() > 0 else np.asarray(weights, float)
    unknown = set(hint.weak) - set(names)
    if unknown:
        raise ValueError(f"feedback flags unknown objectives {sorted(unknown)}")
    if hint.weak:
        flagged = np.array([1.0 if name in hint.weak else 0.0 for name in names])
        need = (need + flagged / flagged.sum()) / 2
    return need


def operator_scores(
    operators: Sequence[Operator],
    names: Sequence[str],
    need: np.ndarray,
    trials: np.ndarray,
    improved: np.ndarray,
) -> np.ndarray:
    """Score per operator: (floor + need it targets) × Laplace-smoothed success rate."""
    by_name = dict(zip(names, need))
    targeted = np.array(
        [sum(by_name[t] for t in op.targets) if op.targets else 1.0 / len(names) for op in operators]
    )
    return (_OPERATOR_FLOOR + targeted) * (improved + 1.0) / (trials + 2.0)


def mocha(
    problem: Problem[S],
    budget: int,
    seed: int,
    *,
    alpha: float = 1.0,
    explore_decay: float = 1.0,
    archive_cap: int | None = None,
) -> MochaResult[S]:
    """Search `problem` for `budget` units (see the module doc for what a unit is).

    `alpha` is the Dirichlet concentration of the weights (1: uniform on the simplex),
    `explore_decay` the λ in P(explore) = exp(−λ·share spent), `archive_cap` the most
    members the archive keeps (None: all; over it, `Archive` drops the most crowded).
    """
    objectives = check_problem(problem)
    check_budget(budget)
    if alpha <= 0 or explore_decay < 0:
        raise ValueError("alpha must be positive and explore_decay non-negative")
    names = [o.name for o in objectives]
    operators = list(problem.operators)
    rng = np.random.default_rng(seed)
    evaluate = CachedEvaluator(problem)
    archive: Archive[S] = Archive(len(objectives), archive_cap)
    signs = np.array([1.0 if o.sense == "min" else -1.0 for o in objectives])

    starts = problem.initial(rng)
    if not starts:
        raise ValueError("Problem.initial returned no solutions")
    ideal = np.full(len(objectives), np.inf)
    for x in starts[:budget]:
        point = np.array(evaluate(x)) * signs
        ideal = np.minimum(ideal, point)
        archive.offer(x, point)

    trials, kept, improved = (np.zeros(len(operators), int) for _ in range(3))
    explore_steps = 0
    while evaluate.requests < budget:
        explore = rng.random() < math.exp(-explore_decay * evaluate.requests / budget)
        explore_steps += explore
        weights = rng.dirichlet(np.full(len(objectives), alpha))
        nadir = archive.nadir()
        chosen = chebyshev_pick(archive.objectives, weights, ideal, nadir)
        parent, parent_point = archive.solutions[chosen], archive.objectives[chosen]
        parent_score = chebyshev(parent_point, weights, ideal, nadir)[0]

        hint = hint_for(problem, parent, tuple((parent_point * signs).tolist()))
        need = objective_need(parent_point, weights, ideal, nadir, names, hint)
        op_scores = operator_scores(operators, names, need, trials, improved)
        op = int(rng.choice(len(operators), p=op_scores / op_scores.sum()))

        child = operators[op].mutate(parent, rng, Feedback(dict(zip(names, need.tolist())), hint))
        child_point = np.array(evaluate(child)) * signs
        trials[op] += 1
        if explore or chebyshev(child_point, weights, ideal, nadir)[0] < parent_score:
            admission = archive.offer(child, child_point)
            kept[op] += admission.kept
            improved[op] += admission.kept and admission.displaced > 0
        ideal = np.minimum(ideal, child_point)

    return MochaResult(
        objectives=objectives,
        front=sorted_front(archive, signs),
        budget_used=evaluate.requests,
        evaluations=evaluate.evaluations,
        operator_stats=tuple(
            OperatorStats(o.name, int(t), int(k), int(i)) for o, t, k, i in zip(operators, trials, kept, improved)
        ),
        explore_steps=explore_steps,
    )
