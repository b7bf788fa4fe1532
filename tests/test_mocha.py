"""MOCHA as an optimizer: the archive, hypervolume, the Chebyshev pick, operator choice,
budget and determinism, and what it finds on fronts a weighted sum cannot reach."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillreducer.optimize.annealing import weighted_sum_annealing
from skillreducer.optimize.mocha import (
    Feedback,
    Hint,
    Objective,
    Operator,
    chebyshev_pick,
    mocha,
    objective_need,
    operator_scores,
)
from skillreducer.optimize.pareto import Archive, dominates, hypervolume, non_dominated, weakly_dominates
from skillreducer.optimize.problems import DTLZ2, ZDT2, ComplementarySubset

# ---------------------------------------------------------------- dominance and archive


def test_dominance_hand_cases():
    assert dominates((1, 2), (2, 2))
    assert not dominates((1, 2), (1, 2))  # equal: weak only
    assert weakly_dominates((1, 2), (1, 2))
    assert not dominates((1, 3), (2, 2)) and not dominates((2, 2), (1, 3))
    assert non_dominated([(1, 3), (2, 2), (2, 2), (3, 3), (3, 1)]) == [0, 1, 4]


def test_archive_hand_cases():
    archive: Archive[str] = Archive(2)
    assert archive.offer("a", (2, 2)).kept
    assert not archive.offer("same", (2, 2)).kept  # equal: no positive contribution
    assert not archive.offer("worse", (3, 2)).kept
    assert archive.offer("b", (1, 3)).kept
    admitted = archive.offer("c", (1, 1))  # dominates both
    assert admitted.kept and admitted.displaced == 2
    assert archive.solutions == ["c"]


def test_capped_archive_thins_the_crowded_stretch_and_keeps_the_ends():
    archive: Archive[str] = Archive(2, cap=3)
    for name, point in [("left", (0, 10)), ("right", (10, 0)), ("mid", (5, 5)), ("near-mid", (5.1, 4.95))]:
        archive.offer(name, point)
    assert sorted(archive.solutions) in (["left", "mid", "right"], ["left", "near-mid", "right"])


points_2d = st.lists(st.tuples(*[st.integers(0, 20)] * 2), min_size=1, max_size=40)
points_3d = st.lists(st.tuples(*[st.integers(0, 20)] * 3), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(points=st.one_of(points_2d, points_3d))
def test_archive_is_the_non_dominated_set_of_everything_offered(points):
    archive: Archive[int] = Archive(len(points[0]))
    for index, point in enumerate(points):
        archive.offer(index, point)
    members = archive.objectives
    for a, b in itertools.permutations(range(len(members)), 2):
        assert not dominates(members[a], members[b])
    for point in points:
        assert any(weakly_dominates(member, point) for member in members)
    assert {tuple(m) for m in members} == {tuple(points[i]) for i in non_dominated(points)}


@settings(max_examples=100, deadline=None)
@given(points=st.one_of(points_2d, points_3d), cap=st.integers(3, 6))
def test_capped_archive_stays_non_dominated_and_keeps_the_ideal(points, cap):
    archive: Archive[int] = Archive(len(points[0]), cap=cap)
    for index, point in enumerate(points):
        archive.offer(index, point)
    assert 1 <= len(archive) <= cap
    for a, b in itertools.permutations(range(len(archive)), 2):
        assert not dominates(archive.objectives[a], archive.objectives[b])
    assert np.array_equal(archive.ideal(), np.min(points, axis=0))


# ---------------------------------------------------------------- hypervolume


def test_exact_hypervolume_hand_cases():
    assert hypervolume([(1, 3), (2, 2), (3, 1)], (4, 4)) == 6.0  # staircase: 3 + 2 + 1
    assert hypervolume([(1, 3), (2, 2), (2, 2), (3, 3)], (4, 4)) == 5.0  # duplicates and dominated add nothing
    assert hypervolume([(5, 0)], (4, 4)) == 0.0  # outside the reference box
    assert hypervolume([(1, 1, 1)], (2, 3, 4)) == 6.0
    # Two boxes 4 and 2 overlapping in the unit cube [1,2]^3.
    assert hypervolume([(0, 0, 1), (1, 1, 0)], (2, 2, 2)) == 5.0


@settings(max_examples=60, deadline=None)
@given(points=st.one_of(points_2d, points_3d))
def test_exact_hypervolume_matches_pymoo(points):
    from pymoo.indicators.hv import HV

    values = np.array(points, float)
    reference = np.full(values.shape[1], 21.0)
    assert hypervolume(values, reference) == pytest.approx(HV(ref_point=reference)(values), rel=1e-9)


def test_monte_carlo_hypervolume_above_three_objectives_is_seeded_and_close():
    # Two 4-D boxes: 1·1·1·2 = 2 and 2·2·1·1 = 4, overlapping in a 1·1·1·1 box: union 5.
    points = [(1, 1, 1, 0), (0, 0, 1, 1)]
    reference = (2, 2, 2, 2)
    estimate = hypervolume(points, reference, samples=200_000, seed=3)
    assert estimate == pytest.approx(5.0, rel=0.02)
    assert hypervolume(points, reference, samples=200_000, seed=3) == estimate


# ---------------------------------------------------------------- scalarisation and operator choice


def test_chebyshev_pick_uses_normalised_objectives():
    points = np.array([(0.0, 100.0), (1.0, 50.0), (2.0, 0.0)])
    ideal, nadir = np.array([0.0, 0.0]), np.array([2.0, 100.0])
    assert chebyshev_pick(points, np.array([0.5, 0.5]), ideal, nadir) == 1
    assert chebyshev_pick(points, np.array([0.9, 0.1]), ideal, nadir) == 0
    assert chebyshev_pick(points, np.array([0.1, 0.9]), ideal, nadir) == 2


def test_need_follows_the_binding_chebyshev_term_and_the_hint():
    names = ("a", "b")
    ideal, nadir = np.zeros(2), np.ones(2)
    need = objective_need(np.array([0.6, 0.2]), np.array([0.5, 0.5]), ideal, nadir, names, Hint())
    assert need == pytest.approx([0.75, 0.25])
    hinted = objective_need(np.array([0.6, 0.2]), np.array([0.5, 0.5]), ideal, nadir, names, Hint(frozenset({"b"})))
    assert hinted == pytest.approx([0.375, 0.625])
    with pytest.raises(ValueError, match="unknown objectives"):
        objective_need(np.zeros(2), np.array([0.5, 0.5]), ideal, nadir, names, Hint(frozenset({"c"})))


def test_operator_scores_weigh_target_need_by_success_rate():
    def same(x, rng, feedback):
        return x

    operators = [Operator("for-a", same, ("a",)), Operator("for-b", same, ("b",)), Operator("any", same)]
    scores = operator_scores(operators, ("a", "b"), np.array([0.8, 0.2]), np.array([8, 8, 0]), np.array([6, 0, 0]))
    # (0.1 + 0.8)·7/10, (0.1 + 0.2)·1/10, (0.1 + 1/2)·1/2
    assert scores == pytest.approx([0.63, 0.03, 0.3])


# ---------------------------------------------------------------- budget, determinism, bad input


@dataclasses.dataclass
class Counted:
    """A real problem whose evaluate calls are counted."""

    inner: object
    calls: int = 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def evaluate(self, x):
        self.calls += 1
        return self.inner.evaluate(x)


def test_budget_counts_every_proposal_and_cache_hits_cost_no_evaluation():
    problem = Counted(ComplementarySubset(n_items=3, population=4))
    result = mocha(problem, 200, seed=1)
    assert result.budget_used == 200
    assert problem.calls == result.evaluations <= 2**3  # only 8 distinct subsets exist
    assert sum(s.trials for s in result.operator_stats) == 200 - 4


def test_budget_is_respected_on_a_continuous_problem_and_below_the_initial_population():
    problem = Counted(ZDT2(population=10))
    result = mocha(problem, 500, seed=0)
    assert result.budget_used == 500 and problem.calls == result.evaluations <= 500
    assert mocha(ZDT2(population=10), 3, seed=0).budget_used == 3
    annealed = weighted_sum_annealing(Counted(ZDT2()), 500, seed=0)
    assert annealed.budget_used == 500 and annealed.evaluations <= 500


def test_exploration_share_decays_exponentially_with_budget_spent():
    problem = ComplementarySubset(population=1)
    steps = 3999
    for decay in (0.0, 1.0, 3.0):
        result = mocha(problem, steps + 1, seed=4, explore_decay=decay)
        expected = 1.0 if decay == 0 else (1 - np.exp(-decay)) / decay  # mean of exp(−decay·t), t in [0, 1]
        assert result.explore_steps / steps == pytest.approx(expected, abs=0.03)


def _summary(result):
    return [p.objectives for p in result.front], result.operator_stats, result.evaluations


def test_same_seed_same_result_and_seeds_differ():
    for problem in (ZDT2(), ComplementarySubset()):
        assert _summary(mocha(problem, 800, seed=7)) == _summary(mocha(problem, 800, seed=7))
        assert _summary(mocha(problem, 800, seed=7)) != _summary(mocha(problem, 800, seed=8))
    a, b = weighted_sum_annealing(DTLZ2(), 600, seed=2), weighted_sum_annealing(DTLZ2(), 600, seed=2)
    assert [p.objectives for p in a.front] == [p.objectives for p in b.front]


@dataclasses.dataclass(frozen=True)
class Line:
    """One variable on a line; objectives (x, -x) in the senses given; feedback flags 'up'."""

    objectives: tuple[Objective, ...] = (Objective("up", "max"), Objective("down", "min"))
    result: tuple[float, ...] | None = None
    seen: list = dataclasses.field(default_factory=list)

    @property
    def operators(self):
        def record(x, rng, feedback: Feedback):
            self.seen.append(feedback)
            return x + rng.integers(-2, 3)

        return (Operator("step", record, ("up",)),)

    def initial(self, rng):
        return [0]

    def evaluate(self, x):
        return self.result if self.result is not None else (float(x), float(x))

    def key(self, x):
        return x

    def feedback(self, x, objectives):
        return Hint(frozenset({"up"}), detail=("x", x))


def test_feedback_reaches_operators_and_max_objectives_are_reported_in_their_sense():
    problem = Line()
    result = mocha(problem, 60, seed=0)
    assert problem.seen and all(f.hint.detail[0] == "x" and f.hint.weak == {"up"} for f in problem.seen)
    assert all(sum(f.need.values()) == pytest.approx(1.0) for f in problem.seen)
    # Maximise x and minimise x: every value is a trade-off, so the front is every x seen.
    values = [p.objectives for p in result.front]
    assert len(values) > 3 and all(up == down for up, down in values)
    assert values == sorted(values)


@pytest.mark.parametrize(
    ("problem", "budget", "message"),
    [
        (ZDT2(), 0, "budget must be a positive"),
        (ZDT2(), True, "budget must be a positive"),
        (Line(objectives=(Objective("up", "max"), Objective("up", "min"))), 10, "repeat"),
        (Line(objectives=(Objective("up", "biggest"), Objective("down", "min"))), 10, "use 'min' or 'max'"),
        (Line(objectives=(Objective("left", "max"), Objective("down", "min"))), 10, "targets unknown objectives"),
        (Line(result=(float("nan"), 1.0)), 10, "objective 'up' is nan"),
        (Line(result=(1.0,)), 10, "returned 1 values"),
    ],
)
def test_bad_input_gives_a_clear_error(problem, budget, message):
    with pytest.raises(ValueError, match=message):
        mocha(problem, budget, seed=0)


def test_archive_cap_below_the_number_of_objectives_is_refused():
    with pytest.raises(ValueError, match="below the number of objectives"):
        mocha(DTLZ2(), 100, seed=0, archive_cap=2)


# ---------------------------------------------------------------- what it finds


def test_mocha_covers_the_concave_zdt2_front_interior_where_weighted_sums_cannot_go():
    budget, seed = 3000, 0
    front = mocha(ZDT2(), budget, seed, archive_cap=100).minimised()
    # Interior points within 0.05 of the true front f2 = 1 − f1².
    interior = front[(front[:, 0] > 0.2) & (front[:, 0] < 0.8) & (front[:, 1] <= 1 - front[:, 0] ** 2 + 0.05)]
    assert len(interior) >= 5
    assert np.all(np.histogram(interior[:, 0], bins=[0.2, 0.4, 0.6, 0.8])[0] >= 2)  # spread, not one clump
    # The weighted-sum method's answers sit at the ends of the concave front.
    annealed = weighted_sum_annealing(ZDT2(), budget, seed).minimised()
    assert not np.any((annealed[:, 0] > 0.2) & (annealed[:, 0] < 0.8))


def _lower_hull(points: np.ndarray) -> list[tuple[float, float]]:
    """Vertices of the lower-left convex hull of a 2-D front: its supported points."""
    hull: list[tuple[float, float]] = []
    for p in sorted(map(tuple, points)):
        while len(hull) >= 2 and (
            (hull[-1][0] - hull[-2][0]) * (p[1] - hull[-2][1]) - (hull[-1][1] - hull[-2][1]) * (p[0] - hull[-2][0])
            <= 0
        ):
            hull.pop()
        hull.append(p)
    return hull


def test_subset_front_is_non_convex_and_mostly_unsupported():
    front = mocha(ComplementarySubset(), 2000, seed=0).minimised()
    assert len(front) >= 50
    # Supported points are the only ones some weighted sum makes optimal; here they are few.
    assert len(_lower_hull(front)) <= 0.1 * len(front)


def test_mocha_beats_weighted_sum_hypervolume_on_dtlz2():
    ideal, nadir = (np.array(b) for b in DTLZ2().front_bounds)
    reference = np.full(3, 1.1)

    def hv(front):
        return hypervolume((front - ideal) / (nadir - ideal), reference)

    found = hv(mocha(DTLZ2(), 2000, seed=0, archive_cap=100).minimised())
    annealed = hv(weighted_sum_annealing(DTLZ2(), 2000, seed=0).minimised())
    assert found > 0.4 and found > 2 * annealed  # the true front scores 0.796


def test_weighted_sum_annealing_returns_pareto_optimal_answers_on_an_enumerable_problem():
    problem = ComplementarySubset(n_items=10, population=4)
    everything = [frozenset(i for i in range(10) if mask >> i & 1) for mask in range(2**10)]
    points = np.array([problem.evaluate(x) for x in everything]) * (1, -1)
    true_front = {tuple(points[i]) for i in non_dominated(points)}
    result = weighted_sum_annealing(problem, 1000, seed=0, restarts=5)
    assert len(result.best_per_weight) == 5
    for found in result.best_per_weight:
        cost, value = found.best.objectives
        assert (cost, -value) in true_front


def test_problems_evaluate_to_their_known_fronts_and_operators_stay_in_bounds():
    zdt2 = ZDT2()
    assert zdt2.evaluate(np.array([0.5] + [0.0] * 29)) == pytest.approx((0.5, 0.75))
    on_sphere = DTLZ2().evaluate(np.array([0.3, 0.7] + [0.5] * 10))
    assert np.linalg.norm(on_sphere) == pytest.approx(1.0)
    subset = ComplementarySubset()
    assert subset.evaluate(frozenset()) == (0.0, 0.0)
    (_, best_value), (full_cost, _) = subset.front_bounds
    assert subset.evaluate(frozenset(range(40))) == pytest.approx((full_cost, -best_value))
    rng = np.random.default_rng(0)
    for problem in (zdt2, DTLZ2(), dataclasses.replace(zdt2, targeted=False)):
        x = problem.initial(rng)[0]
        for operator in problem.operators:
            for _ in range(50):
                x = operator.mutate(x, rng, Feedback({}))
                assert np.all((x >= 0) & (x <= 1))
