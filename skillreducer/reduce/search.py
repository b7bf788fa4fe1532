"""`reduce` without --only: MOCHA over variants of the skill, then the faithfulness gate
on the chosen variant. The staged pipeline's result (stage 1's description, stage 2's
placement) and the original are MOCHA's starting points, so the front always holds the
staged result or variants that dominate it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from skillreducer import resources
from skillreducer.body.items import BodyItem
from skillreducer.lint.actionability import classify_items
from skillreducer.model import Skill
from skillreducer.optimize.mocha import mocha
from skillreducer.optimize.skill import NAMES, SkillProblem, Variant, choose
from skillreducer.reduce.shorten import shorter_forms, trimmable
from skillreducer.route.oracle import Oracle


@dataclass
class Chosen:
    description: str
    body: Any  # gate.BodyResult
    report: dict[str, Any]


def actionable_flags(skill: Skill, items: Sequence[BodyItem]) -> list[bool]:
    """Per item: does the independent heuristic call any of its lines an instruction?"""
    spans = [(i.line, i.end_line) for i in classify_items(skill) if i.actionable]
    return [any(item.line <= start and end <= item.end_line for start, end in spans) for item in items]


def build_problem(skill: Skill, oracle: Oracle, desc_result, body_result, items: Sequence[BodyItem], labels: Sequence[str], options) -> tuple[SkillProblem, Variant]:
    # When stage 1 kept the original, no clause subset stands for it: the description is fixed.
    fixed = desc_result.after if desc_result.kept_original else None
    clauses = [] if fixed is not None else list(desc_result.clauses)
    shorter = [shorter_forms(c, trimmable(clauses, i)) for i, c in enumerate(clauses)]
    n = len(clauses)
    if body_result is not None and body_result.restructured is not None and not body_result.fell_back:
        placements = {p.index: p.destination for p in body_result.restructured.placements}
        staged_core = tuple(placements.get(i, "SKILL.md") == "SKILL.md" for i in range(len(items)))
    else:
        staged_core = tuple(True for _ in items)
    staged = Variant(tuple(i in desc_result.kept for i in range(n)), tuple(desc_result.rewrite[:n]) or tuple(-1 for _ in range(n)), staged_core)
    original = Variant(tuple(True for _ in range(n)), tuple(-1 for _ in range(n)), tuple(True for _ in items))
    by_label = Variant(original.kept, original.rewrite, tuple(label == "core" for label in labels))
    profile = options.profile
    problem = SkillProblem(
        clauses, shorter, oracle, items, labels, actionable_flags(skill, items),
        options.budget_description or profile.description_budget_tokens,
        options.budget_body or profile.body_budget_tokens,
        starts=[staged, original, by_label],
        fixed_description=fixed,
    )
    return problem, staged


def search(skill: Skill, oracle: Oracle, desc_result, body_result, items, labels, duplicates, options) -> Chosen:
    from skillreducer.reduce.gate import reduce_body

    limits = resources.limits()["search"]
    problem, staged_variant = build_problem(skill, oracle, desc_result, body_result, items, labels, options)
    result = mocha(problem, limits["budget"], options.seed, archive_cap=limits["archive_cap"])
    front = [(p.solution, p.objectives) for p in result.front]
    staged = problem.evaluate(staged_variant)
    index = choose([o for _, o in front], staged, options.budget_description, options.budget_body, [problem.routes(v) for v, _ in front])
    variant, _ = front[index]
    # A description that fails the oracle is never written: stage 1's (which passes) instead.
    description = problem.description(variant) if problem.routes(variant) else desc_result.after
    # The chosen placement goes through the real restructuring and gate: items MOCHA keeps in
    # core are labelled core, items it moves keep their type (a core-labelled one becomes background).
    chosen_labels = ["core" if in_core else (label if label != "core" else "background") for in_core, label in zip(variant.core, labels)]
    kept_duplicates = {i: k for i, k in duplicates.items() if chosen_labels[i] == "redundant"}
    body = reduce_body(skill, items, chosen_labels, kept_duplicates, (lambda: oracle.passes(description)) if description else None)
    report = {
        "pareto_front": [{"objectives": dict(zip(NAMES, objectives)), "summary": summary(problem, v, objectives)} for v, objectives in front],
        "chosen": index,
        "search": {"budget": result.budget_used, "evaluations": result.evaluations, "staged": dict(zip(NAMES, staged))},
    }
    return Chosen(description, body, report)


def summary(problem: SkillProblem, variant: Variant, objectives: tuple[float, ...]) -> str:
    values = dict(zip(NAMES, objectives))
    kept = sum(variant.kept)
    shortened = sum(r >= 0 for r in variant.rewrite)
    core = sum(variant.core)
    return (
        f"{kept}/{len(variant.kept)} clauses ({shortened} shortened), {core}/{len(variant.core)} items in core; "
        f"description {values['description_tokens']:.0f} tokens, core {values['core_tokens']:.0f}, expected {values['expected_tokens']:.0f}, "
        f"faithfulness {values['faithfulness']:.2f}, margin {values['routing_margin']:.3f}"
    )

