"""MOCHA on one skill: objectives, operators and the choice, on a real skill and router."""

from __future__ import annotations

import dataclasses

import numpy as np

from conftest import ROOT
from skillreducer import profiles, tokens
from skillreducer.load import load_skill
from skillreducer.optimize.mocha import Feedback, Hint, mocha
from skillreducer.optimize.skill import NAMES, OBJECTIVES, Variant, choose, compliance
from skillreducer.reduce.description import compress_description
from skillreducer.reduce.pipeline import Corpus, ReduceOptions, Routers, _reduce_body, build_oracle
from skillreducer.reduce.search import build_problem

GOOD = ROOT / "corpus" / "good"


def test_compliance_is_one_within_budget_and_falls_linearly():
    assert compliance(100, 200) == 1.0 and compliance(200, 200) == 1.0
    assert compliance(300, 200) == 0.5 and compliance(500, 200) == 0.0


def test_choose_prefers_budget_then_faithfulness_then_fewer_tokens_and_never_worse_than_staged():
    def point(**values):
        base = dict(description_tokens=20, core_tokens=500, expected_tokens=600, faithfulness=1.0, routing_margin=0.1, description_compliance=1.0, body_compliance=1.0)
        base.update(values)
        return tuple(base[n] for n in NAMES)

    staged = point()
    front = [
        point(description_tokens=10, faithfulness=0.8),  # cheaper but less faithful
        point(expected_tokens=550),  # no worse than staged anywhere, fewer expected tokens
        point(expected_tokens=400, routing_margin=0.05),  # fewer tokens but a worse margin than staged
        point(core_tokens=9000, body_compliance=0.0, expected_tokens=100),  # over the body budget
    ]
    assert choose(front, staged, None, None) == 1
    assert choose(front, None, None, None) == 2  # without a staged result, fewest expected tokens wins
    # No variant fits a 400-token body budget: the choice falls back to faithfulness, then tokens.
    assert choose(front, staged, None, 400) == 3
    assert choose(front, staged, 15, None) == 0  # only the 10-token description fits 15
    # Routing first: a variant whose description fails the oracle loses even on tokens,
    # unless none routes.
    assert choose(front, None, None, None, [True, True, False, True]) == 1
    assert choose(front, None, None, None, [False] * 4) == 2


def test_a_profile_budget_never_moves_instructions_out_but_a_given_budget_does():
    def point(**values):
        base = dict(description_tokens=20, core_tokens=6000, expected_tokens=6500, faithfulness=1.0, routing_margin=0.1, description_compliance=1.0, body_compliance=0.8)
        base.update(values)
        return tuple(base[n] for n in NAMES)

    staged = point()  # over the profile's body budget with every instruction in core
    front = [
        point(core_tokens=4900, expected_tokens=6000, faithfulness=0.9, body_compliance=1.0),  # fits by moving instructions out
        point(expected_tokens=6400),  # as good as staged, still over the budget
    ]
    assert choose(front, staged, None, None) == 1
    assert choose(front, staged, None, 5000) == 0  # the caller asked for 5,000 tokens
    assert choose(front, None, None, None) == 0  # without a staged result, the budget decides


def staged_problem(name: str):
    """(problem, staged variant, description result, items) after both stages, lexical oracle."""
    corpus = Corpus.load([str(p) for p in sorted(GOOD.iterdir())])
    options = ReduceOptions(profiles.load("claude-code"), "lexical")
    skill = load_skill(GOOD / name)
    oracle, source = build_oracle(skill, corpus, Routers("lexical", None).for_skill(skill, corpus), options)
    desc = compress_description(skill, oracle, options.profile, source)
    body, items, labels, _ = _reduce_body(skill, oracle, desc.after, options)
    problem, staged_variant = build_problem(skill, oracle, desc, body, items, labels, options)
    return problem, staged_variant, desc, items


def test_search_on_a_real_skill_keeps_the_staged_result_or_better():
    problem, staged_variant, desc, _ = staged_problem("sql-query-review")
    staged = problem.evaluate(staged_variant)
    assert staged[NAMES.index("description_tokens")] == tokens.count(desc.after)
    assert staged[NAMES.index("faithfulness")] == 1.0  # the gate passed it

    result = mocha(problem, 120, seed=0, archive_cap=30)
    front = [p.objectives for p in result.front]
    index = choose(front, staged, None, None)
    for value, reference, objective in zip(front[index], staged, OBJECTIVES):
        assert value <= reference + 1e-9 if objective.sense == "min" else value >= reference - 1e-9
    # Same seed, same front.
    again = mocha(problem, 120, seed=0, archive_cap=30)
    assert [p.objectives for p in again.front] == front


def test_when_stage_1_kept_the_original_the_description_is_fixed_and_routes():
    # No clause subset stands for a kept original (rejoined clauses route differently from
    # it, or it was topped up with generated clauses): the search must not write those.
    corpus = Corpus.load([str(p) for p in sorted(GOOD.iterdir())])
    options = ReduceOptions(profiles.load("claude-code"), "lexical")
    skill = load_skill(GOOD / "sql-query-review")
    oracle, source = build_oracle(skill, corpus, Routers("lexical", None).for_skill(skill, corpus), options)
    desc = compress_description(skill, oracle, options.profile, source)
    kept = dataclasses.replace(desc, after=skill.description_text, kept_original=True, kept=tuple(range(len(desc.clauses))))
    body, items, labels, _ = _reduce_body(skill, oracle, kept.after, options)
    problem, staged = build_problem(skill, oracle, kept, body, items, labels, options)
    assert problem.description(staged) == skill.description_text and problem.routes(staged)
    result = mocha(problem, 60, seed=0, archive_cap=20)
    assert {problem.description(p.solution) for p in result.front} == {skill.description_text}


def test_operators_follow_their_feedback():
    problem, _, desc, items = staged_problem("terraform-plan-review")
    everything = Variant(tuple(True for _ in desc.clauses), tuple(-1 for _ in desc.clauses), tuple(True for _ in items))
    rng = np.random.default_rng(0)
    need = {n: 1 / len(NAMES) for n in NAMES}
    dropped = problem._drop_clause(everything, rng, Feedback(need, Hint(frozenset({"description_tokens"}))))
    assert sum(dropped.kept) == sum(everything.kept) - 1
    longest = max(range(len(desc.clauses)), key=lambda i: (len(desc.clauses[i].text), -i))
    assert not dropped.kept[longest]  # over budget: the longest clause goes first
    demoted = problem._demote_item(everything, rng, Feedback(need))
    assert sum(demoted.core) == len(items) - 1
    moved = demoted.core.index(False)
    promoted = problem._promote_item(demoted, rng, Feedback(need, Hint(frozenset({"faithfulness"}), moved)))
    assert promoted.core == everything.core
