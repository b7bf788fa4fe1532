"""Description compression: generate when missing or short, then ddmin over clauses
against the routing oracle, then shorter forms of each kept clause.

Steps, each accepted only while the oracle passes:
1. The working text is the description; one of `generate_below_tokens` tokens or fewer
   (or none) gets clauses generated from the body appended, so the author's own words stay
   candidates and ddmin keeps what routes. The oracle's baseline is the original
   description when there is one (nothing it routed may be lost), else the generated text.
2. ddmin finds a 1-minimal set of clauses (every distinct subset asked once), given the
   clauses longest first so that its coarse early cuts can take the costly ones together
   (its result depends on the order it sees; measured: bench/reduce_descriptions.py, fit
   half); a subset always keeps what its clauses need (`anchored`: the clause that opens
   a sentence, the main clause after a fronted phrase, the item a nested list goes on
   from), so no kept part of a sentence is left a fragment. The full set of the author's clauses is the
   original, which passes: ddmin starts from it even when their join (spaces and end
   punctuation normalised) routes a probe differently.
3. Each kept clause is replaced by its first shorter form that still passes (rewrites,
   and for clauses `trimmable` allows, an aside dropped or a trailing modifier cut). The
   shorter forms route differently, so ddmin runs once more over the kept clauses as
   rewritten: the result is 1-minimal as written.
4. If ddmin can drop nothing and the clauses joined again do not pass, clauses are
   restored greedily instead, the one that routes the most probes first, at most
   `restore_max_clauses`; if that fails too, the original is kept.
5. The result must fit the profile's description limit; clauses are dropped from the end
   until it does (said in the notes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from skillreducer import resources, tokens
from skillreducer.model import Skill
from skillreducer.profiles import Profile
from skillreducer.reduce.clauses import Clause, anchored, join, segment
from skillreducer.reduce.ddmin import CachedTest, ddmin
from skillreducer.reduce.generate import generate_description
from skillreducer.reduce.shorten import cost, shorter_forms, trimmable
from skillreducer.route.oracle import Oracle, Routing


@dataclass(frozen=True)
class DescriptionResult:
    before: str
    after: str
    before_tokens: int
    after_tokens: int
    generated: bool
    oracle_calls: int
    probes: tuple[str, ...]
    probe_source: str
    routing_before: Routing
    routing_after: Routing
    kept_original: bool = False  # no shorter clause set passed: the original stands
    notes: tuple[str, ...] = field(default=())
    clauses: tuple[Clause, ...] = ()  # the working text's clauses (what MOCHA varies)
    kept: tuple[int, ...] = ()  # indices of the kept clauses
    rewrite: tuple[int, ...] = ()  # per clause: index of the shorter form used, -1 for none

    def as_dict(self) -> dict:
        return {
            "before": self.before, "after": self.after,
            "before_tokens": self.before_tokens, "after_tokens": self.after_tokens,
            "generated": self.generated, "oracle_calls": self.oracle_calls,
            "probes": list(self.probes), "probe_source": self.probe_source,
            "routing": {"before": self.routing_before.as_dict(), "after": self.routing_after.as_dict()},
            "kept_original": self.kept_original, "notes": list(self.notes),
        }


def compress_description(skill: Skill, oracle: Oracle, profile: Profile, probe_source: str) -> DescriptionResult:
    limits = resources.limits()["reduce"]
    original = skill.description_text
    routing_before = oracle.routing(original) if original else oracle.routing("")
    notes: list[str] = []
    working = original
    generated = False
    if not original or tokens.count(original) <= limits["generate_below_tokens"]:
        addition = generate_description(skill, profile.description_max_chars)
        # join() ends the author's last sentence, so the generated one does not run into it.
        working = f"{join(segment(original))} {addition}".strip() if original else addition
        generated = True
    clauses = segment(working)
    # The bar is the author's description when there is one: a generated addition must not
    # lose a probe the original routed. Without one, the generated text sets the bar.
    baseline = oracle.set_baseline(original or working)
    if baseline.routed < baseline.probes:
        notes.append(f"{baseline.probes - baseline.routed} of {baseline.probes} probes do not reach the skill even with the full description")

    def text_of(indices: tuple[int, ...], replaced: dict[int, Clause] | None = None) -> str:
        return join([(replaced or {}).get(i, clauses[i]) for i in indices])

    test = CachedTest(lambda subset: oracle.passes(text_of(subset)))
    everything = tuple(range(len(clauses)))
    # All the author's clauses are the original itself, which passes by definition: their
    # join only normalises spaces and end punctuation, and that can flip a probe routed on
    # a hair's margin. ddmin starts from the original; only what it cuts must pass.
    is_original = working == original

    def passes(subset: tuple[int, ...]) -> bool:
        subset = anchored(clauses, subset)
        return (is_original and subset == everything) or test(subset)

    kept: tuple[int, ...] | None = None
    found: tuple[int, ...] = ()  # what ddmin kept; `kept` adds what those clauses need
    rewrite = [-1] * len(clauses)
    if clauses and (is_original or test(everything)):
        order = sorted(everything, key=lambda i: (-cost(clauses[i]), i))  # longest first

        def in_order(subset: tuple[int, ...]) -> tuple[int, ...]:
            return tuple(sorted(order[k] for k in subset))

        found = in_order(ddmin(len(clauses), lambda subset: passes(in_order(subset))))
        kept = anchored(clauses, found)
    if clauses and (kept is None or (kept == everything and not test(everything))):
        # No clause could go, and the clauses joined again route differently from the text
        # they came from: restore greedily, at most a few clauses, else keep the original.
        kept = _restore_greedily(clauses, oracle, limits["restore_max_clauses"])
    if kept is None:
        notes.append("no shorter clause set passed the oracle; the original description is kept")
        after = original or working
    else:
        replaced: dict[int, Clause] = {}
        for index in kept:
            for form, shorter in enumerate(shorter_forms(clauses[index], trimmable(clauses, index))):
                trial = {**replaced, index: shorter}
                if oracle.passes(text_of(kept, trial)):
                    replaced = trial
                    rewrite[index] = form
                    break
        if len(kept) > 1 and (replaced or kept != found):
            # Shorter forms route differently, and a clause added for another's sake was
            # never tested alone: a clause ddmin needed may go now.
            rank = sorted(kept, key=lambda i: (-cost(replaced.get(i, clauses[i])), i))
            again = ddmin(len(rank), lambda subset: oracle.passes(text_of(anchored(clauses, [rank[k] for k in subset]), replaced)))
            kept = _one_minimal(clauses, anchored(clauses, [rank[k] for k in again]), lambda subset: oracle.passes(text_of(subset, replaced)))
            rewrite = [form if i in kept else -1 for i, form in enumerate(rewrite)]
            replaced = {i: c for i, c in replaced.items() if i in kept}
        after = text_of(kept, replaced)
        while profile.measure(after) > profile.description_max_chars and len(kept) > 1:
            kept = kept[:-1]
            after = text_of(kept, replaced)
            notes.append("clauses dropped from the end to fit the profile's description limit")
    return DescriptionResult(
        before=original,
        after=after,
        before_tokens=tokens.count(original) if original else 0,
        after_tokens=tokens.count(after) if after else 0,
        generated=generated,
        oracle_calls=oracle.calls,
        probes=tuple(oracle.own_probes),
        probe_source=probe_source,
        routing_before=routing_before,
        routing_after=oracle.routing(after),
        kept_original=kept is None,
        clauses=tuple(clauses),
        kept=tuple(range(len(clauses))) if kept is None else tuple(kept),
        rewrite=tuple(rewrite),
        notes=tuple(dict.fromkeys(notes)),
    )


def _one_minimal(clauses: list[Clause], kept: tuple[int, ...], passes: Callable[[tuple[int, ...]], bool]) -> tuple[int, ...]:
    """`kept` less single clauses (with what only they needed) while it passes, longest
    first: ddmin's result is 1-minimal over the clauses it chose, not over those `anchored`
    added, which were never tested alone."""
    while True:
        for index in sorted(kept, key=lambda i: (-cost(clauses[i]), i)):
            rest = anchored(clauses, [i for i in kept if i != index])
            if len(rest) < len(kept) and passes(rest):
                kept = rest
                break
        else:
            return kept


def _restore_greedily(clauses: list[Clause], oracle: Oracle, max_clauses: int) -> tuple[int, ...] | None:
    """Add the clause that routes the most own probes (fewest rival probes taken), up to max_clauses."""
    chosen: list[int] = []
    for _ in range(min(max_clauses, len(clauses))):
        def gain(i: int) -> tuple[int, int, int]:
            routing = oracle.routing(join([clauses[j] for j in anchored(clauses, [*chosen, i])]))
            return (routing.routed, -routing.taken, -i)

        best = max((i for i in range(len(clauses)) if i not in chosen), key=gain)
        chosen.append(best)
        if oracle.passes(join([clauses[j] for j in anchored(clauses, chosen)])):
            return anchored(clauses, chosen)
    return None
