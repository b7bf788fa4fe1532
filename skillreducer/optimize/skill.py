"""MOCHA applied to one skill: variants, objectives, operators, and the choice.

A variant is a subset of the description's clauses, a rewrite choice for each kept clause
(its n-th shorter form, or none), and a placement of each body item (core or reference).
Objectives, all computed on the variant without writing anything:

- description_tokens (min): tokens of the joined description;
- core_tokens (min): tokens of the core items plus one pointer line per reference file;
- expected_tokens (min): core_tokens + each reference file's tokens x its stated read
  probability ([reduce_body] read_probability);
- faithfulness (max): the share of the instructions that are in core (items the gate's
  independent actionability check or the classifier calls instructions; repeats
  excepted), and 0 when the description fails the routing oracle (a skill that no longer
  gets its requests keeps nothing faithfully, and the gate cannot repair routing, so no
  token saving may buy it); moving items never edits them, so lossless, byte-identical
  and reachable hold by construction, and the real gate re-checks the chosen variant;
- routing_margin (max): the oracle's smallest score gap between the skill and its best
  rival over its probes;
- description_compliance, body_compliance (max): 1 within the profile's token budget,
  falling linearly to 0 at twice the budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Sequence

import numpy as np

from skillreducer import resources, tokens
from skillreducer.body.items import BodyItem
from skillreducer.optimize.mocha import Feedback, Hint, Objective, Operator
from skillreducer.reduce.clauses import Clause, anchored, join
from skillreducer.reduce.restructure import pointer_line
from skillreducer.route.oracle import Oracle

OBJECTIVES = (
    Objective("description_tokens", "min"),
    Objective("core_tokens", "min"),
    Objective("expected_tokens", "min"),
    Objective("faithfulness", "max"),
    Objective("routing_margin", "max"),
    Objective("description_compliance", "max"),
    Objective("body_compliance", "max"),
)
NAMES = tuple(o.name for o in OBJECTIVES)
SENSES = {o.name: o.sense for o in OBJECTIVES}  # the report's objective_senses
_REFERENCE_OF = {"example": "examples", "template": "templates"}  # anything else moved is background
# What a moved file adds to SKILL.md, for the estimate: restructure's own pointer line.
POINTER_LINE = pointer_line("examples", "references/examples.md", ["these steps"])


@dataclass(frozen=True, slots=True)
class Variant:
    kept: tuple[bool, ...]  # per description clause
    rewrite: tuple[int, ...]  # per clause: index into its shorter forms, -1 for none
    core: tuple[bool, ...]  # per body item


def compliance(value: float, budget: int) -> float:
    """1 within the budget, falling linearly to 0 at twice the budget."""
    if budget <= 0 or value <= budget:
        return 1.0
    return max(0.0, 1.0 - (value - budget) / budget)


class SkillProblem:
    """The MOCHA Problem for one skill (see the module doc)."""

    objectives = OBJECTIVES

    def __init__(
        self,
        clauses: Sequence[Clause],
        shorter: Sequence[Sequence[Clause]],
        oracle: Oracle,
        items: Sequence[BodyItem],
        labels: Sequence[str],
        actionable: Sequence[bool],
        description_budget: int,
        body_budget: int,
        starts: Sequence[Variant],
        fixed_description: str | None = None,
    ):
        # With a fixed description (stage 1 kept the author's text: no clause subset
        # passed, and rejoined clauses route differently from the text) only the body is searched.
        self.fixed_description = fixed_description
        self.clauses = list(clauses)
        self.shorter = [list(forms) for forms in shorter]
        self.oracle = oracle
        self.items = list(items)
        self.labels = list(labels)
        self.actionable = list(actionable)
        self.description_budget = description_budget
        self.body_budget = body_budget
        self.starts = list(starts)
        self.item_tokens = [tokens.count(item.text) for item in items]
        # A repeat may leave core: what it repeats is kept. Every other instruction must stay.
        # Both judges count: the gate's independent heuristic and the classifier whose labels
        # placed the staged result. Faithfulness by the heuristic alone let the choice move a
        # fifth of the classifier's instructions out for tokens (bench/reduce_bodies.py --search).
        self.must_stay = [i for i, a in enumerate(self.actionable) if (a or self.labels[i] == "core") and self.labels[i] != "redundant"]
        self.pointer_tokens = tokens.count(POINTER_LINE)
        self.read_probability = resources.limits()["reduce_body"]["read_probability"]
        self.operators = (
            Operator("drop_clause", self._drop_clause, ("description_tokens", "description_compliance")),
            Operator("shorten_clause", self._shorten_clause, ("description_tokens", "description_compliance")),
            Operator("restore_clause", self._restore_clause, ("routing_margin", "faithfulness")),
            Operator("promote_item", self._promote_item, ("faithfulness",)),
            Operator("demote_item", self._demote_item, ("core_tokens", "expected_tokens", "body_compliance")),
        )

    # --- the Problem protocol -------------------------------------------------------
    def initial(self, rng: np.random.Generator) -> list[Variant]:
        return list(self.starts)

    def key(self, x: Variant) -> Hashable:
        return x

    def routes(self, x: Variant) -> bool:
        """Whether the variant's description passes the routing oracle (answers are cached)."""
        text = self.description(x)
        return bool(text) and self.oracle.passes(text)

    def description(self, x: Variant) -> str:
        if self.fixed_description is not None:
            return self.fixed_description
        kept = anchored(self.clauses, (i for i, k in enumerate(x.kept) if k))  # never a fragment of a sentence
        return join([self.shorter[i][x.rewrite[i]] if x.rewrite[i] >= 0 else self.clauses[i] for i in kept])

    def body_tokens(self, x: Variant) -> tuple[int, float]:
        """(core tokens, expected loaded tokens)."""
        # Items only: headings and other lines kept in core weigh the same in every variant.
        core = sum(t for t, c in zip(self.item_tokens, x.core) if c)
        files: dict[str, int] = {}
        for index, in_core in enumerate(x.core):
            if not in_core and self.labels[index] != "redundant":  # a repeat out of core is dropped
                kind = _REFERENCE_OF.get(self.labels[index], "background")
                files[kind] = files.get(kind, 0) + self.item_tokens[index]
        core += self.pointer_tokens * len(files)
        expected = core + sum(self.read_probability[kind] * size for kind, size in files.items())
        return core, expected

    def evaluate(self, x: Variant) -> tuple[float, ...]:
        text = self.description(x)
        description_tokens = tokens.count(text) if text else 0
        routed = self.routes(x)
        margin = self.oracle.routing(text).margin if text else -1.0
        core, expected = self.body_tokens(x)
        must = self.must_stay
        faithfulness = (sum(x.core[i] for i in must) / len(must) if must else 1.0) if routed else 0.0
        return (
            float(description_tokens),
            float(core),
            float(expected),
            faithfulness,
            margin,
            compliance(description_tokens, self.description_budget),
            compliance(core, self.body_budget),
        )

    def feedback(self, x: Variant, objectives: tuple[float, ...]) -> Hint:
        values = dict(zip(NAMES, objectives))
        weak: set[str] = set()
        detail = None
        if values["description_compliance"] < 1:
            weak.add("description_tokens")
        if values["body_compliance"] < 1:
            weak.add("core_tokens")
        if values["faithfulness"] < 1:
            weak.add("faithfulness")
            missing = [i for i in self.must_stay if not x.core[i]]
            detail = missing[0] if missing and self.routes(x) else "routing"
        if values["routing_margin"] <= 0:
            weak.add("routing_margin")
        return Hint(frozenset(weak), detail)

    # --- operators ------------------------------------------------------------------
    def _drop_clause(self, x: Variant, rng: np.random.Generator, feedback: Feedback) -> Variant:
        kept = [i for i, k in enumerate(x.kept) if k]
        if len(kept) <= 1:
            return x
        if "description_tokens" in feedback.hint.weak:  # over budget: the longest goes
            index = max(kept, key=lambda i: (len(self.clauses[i].text), -i))
        else:
            index = int(rng.choice(kept))
        return Variant(_set(x.kept, index, False), _set(x.rewrite, index, -1), x.core)

    def _shorten_clause(self, x: Variant, rng: np.random.Generator, feedback: Feedback) -> Variant:
        options = [i for i, k in enumerate(x.kept) if k and x.rewrite[i] + 1 < len(self.shorter[i])]
        if not options:
            return x
        index = int(rng.choice(options))
        return Variant(x.kept, _set(x.rewrite, index, x.rewrite[index] + 1), x.core)

    def _restore_clause(self, x: Variant, rng: np.random.Generator, feedback: Feedback) -> Variant:
        dropped = [i for i, k in enumerate(x.kept) if not k]
        rewritten = [i for i, r in enumerate(x.rewrite) if r >= 0]
        if not dropped and not rewritten:
            return x
        if dropped and (not rewritten or rng.random() < 0.7):
            return Variant(_set(x.kept, int(rng.choice(dropped)), True), x.rewrite, x.core)
        return Variant(x.kept, _set(x.rewrite, int(rng.choice(rewritten)), -1), x.core)

    def _promote_item(self, x: Variant, rng: np.random.Generator, feedback: Feedback) -> Variant:
        detail = feedback.hint.detail
        if isinstance(detail, int) and not x.core[detail]:
            return Variant(x.kept, x.rewrite, _set(x.core, detail, True))
        out = [i for i, c in enumerate(x.core) if not c]
        if not out:
            return x
        return Variant(x.kept, x.rewrite, _set(x.core, int(rng.choice(out)), True))

    def _demote_item(self, x: Variant, rng: np.random.Generator, feedback: Feedback) -> Variant:
        # The least actionable first: items the check does not call instructions, largest first.
        movable = [i for i, c in enumerate(x.core) if c]
        if not movable:
            return x
        movable.sort(key=lambda i: (self.actionable[i], self.labels[i] == "core", -self.item_tokens[i], i))
        top = movable[: max(1, min(3, len(movable)))]
        return Variant(x.kept, x.rewrite, _set(x.core, int(rng.choice(top)), False))


def _set(values: tuple, index: int, value) -> tuple:
    return values[:index] + (value,) + values[index + 1 :]


def choose(
    front: Sequence[tuple[float, ...]],
    staged: tuple[float, ...] | None,
    description_budget: int | None,
    body_budget: int | None,
    routes: Sequence[bool] | None = None,
) -> int:
    """Index of the chosen variant: among those whose description passes the routing oracle
    (`routes`, per variant; when given and any does), those that fit every budget (and, when
    given, are at least as good as the staged result on every objective), the best
    faithfulness, then the fewest expected tokens, then the widest routing margin.

    Routing comes first because the gate cannot repair it (faithfulness is 0 without it);
    a description that fails the oracle is never written. When no variant both fits the
    profile's budgets and is as good as the staged result (the instructions alone are over
    the body budget), one as good as the staged result is chosen: a profile's budget does
    not move instructions out of core. A budget the caller gives does."""
    senses = [o.sense for o in OBJECTIVES]
    column = {name: i for i, name in enumerate(NAMES)}

    def fits(values: tuple[float, ...]) -> bool:
        ok = values[column["description_compliance"]] >= 1 and values[column["body_compliance"]] >= 1
        if description_budget is not None:
            ok = ok and values[column["description_tokens"]] <= description_budget
        if body_budget is not None:
            ok = ok and values[column["core_tokens"]] <= body_budget
        return ok

    def no_worse(values: tuple[float, ...]) -> bool:
        return staged is None or all((v <= s + 1e-9) if sense == "min" else (v >= s - 1e-9) for v, s, sense in zip(values, staged, senses))

    indices = list(range(len(front)))
    if routes is not None and any(routes):
        indices = [i for i in indices if routes[i]]
    pools = [
        [i for i in indices if fits(front[i]) and no_worse(front[i])],
        [i for i in indices if no_worse(front[i])] if staged is not None and description_budget is None and body_budget is None else [],
        [i for i in indices if fits(front[i])],
        indices,
    ]
    pool = next(p for p in pools if p)
    return min(pool, key=lambda i: (-front[i][column["faithfulness"]], front[i][column["expected_tokens"]], -front[i][column["routing_margin"]], i))
