"""Description compression: generate when missing or short, then ddmin over clauses
against the routing oracle, then shorter forms of each kept clause.

Steps, each accepted only while the oracle passes:
1. The working text is the description; one of `generate_below_tokens` tokens or fewer
   (or none) gets clauses generated from the body appended, so the author's own words stay
   candidates and ddmin keeps what routes. The oracle's baseline is the original
   description when there is one (nothing it routed may be lost), else the generated text.
2. ddmin finds a 1-minimal set of clauses (every distinct subset asked once); a subset
   always keeps what its clauses need (`anchored`: the clause that opens a sentence, the
   main clause after a fronted phrase, the item a nested list goes on from), so no kept
   part of a sentence is left a fragment. The full set of the author's clauses is the
   original, which passes: ddmin starts from it even when their join (spaces and end
   punctuation normalised) routes a probe differently.
3. Each kept clause is replaced by its first shorter form that still passes (rewrites,
   and for clauses `trimmable` allows, an aside dropped or a trailing modifier cut). The
   shorter forms route differently, so ddmin runs once more over the kept clauses as
   rewritten: the result is 1-minimal as written.
   Steps 2 and 3 run from three clause orders (longest first, the author's, its reverse):
   ddmin's result depends on the order it sees, and each is only a local optimum.
   The shortest of the three is improved by exchanges: a kept clause traded for a cheaper
   one left out while the text passes and gets shorter, each exchange followed by steps
   2 and 3 over the kept clauses (measured: bench/reduce_descriptions.py, fit half).
4. If ddmin can drop nothing and the clauses joined again do not pass, clauses are
   restored greedily instead, the one that routes the most probes first, at most
   `restore_max_clauses`; if that fails too, the original is kept.
5. The result must fit the profile's description limit; clauses are dropped from the end
   until it does (said in the notes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

    search = _Search(clauses, oracle, is_original=working == original)
    found = [search.reduce(order) for order in search.orders()]
    if clauses and all(selection is None for selection in found):
        # No clause could go, and the clauses joined again route differently from the text
        # they came from: restore greedily, at most a few clauses, else keep the original.
        restored = _restore_greedily(clauses, oracle, limits["restore_max_clauses"])
        if restored is not None:
            selection = search.shorten(_Selection(restored))
            found = [search.minimal(selection) if len(restored) > 1 else selection]
    best = min((s for s in found if s is not None), key=search.size, default=None)
    if best is not None and len(best.kept) < len(clauses):
        best = search.exchange(best)
    if best is None:
        notes.append("no shorter clause set passed the oracle; the original description is kept")
        after = original or working
        kept, rewrite = tuple(range(len(clauses))), [-1] * len(clauses)
    else:
        kept = best.kept
        after = search.text(best)
        while profile.measure(after) > profile.description_max_chars and len(kept) > 1:
            kept = kept[:-1]
            after = search.text(_Selection(kept, best.forms))
            notes.append("clauses dropped from the end to fit the profile's description limit")
        rewrite = [best.forms[i][0] if i in best.forms and i in kept else -1 for i in range(len(clauses))]
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
        kept_original=best is None,
        clauses=tuple(clauses),
        kept=tuple(kept),
        rewrite=tuple(rewrite),
        notes=tuple(dict.fromkeys(notes)),
    )


@dataclass(frozen=True)
class _Selection:
    """Clauses kept, some of them replaced by a shorter form: index -> (form index, form)."""

    kept: tuple[int, ...]
    forms: dict[int, tuple[int, Clause]] = field(default_factory=dict)

    def keeping(self, kept: tuple[int, ...]) -> _Selection:
        return _Selection(kept, {i: f for i, f in self.forms.items() if i in kept})


class _Search:
    """The steps of one compression over fixed clauses, every text judged by one oracle."""

    def __init__(self, clauses: list[Clause], oracle: Oracle, is_original: bool):
        self.clauses = clauses
        self.oracle = oracle
        self.everything = tuple(range(len(clauses)))
        # All the author's clauses are the original itself, which passes by definition:
        # their join only normalises spaces and end punctuation, and that can flip a probe
        # routed on a hair's margin. ddmin starts from the original; only what it cuts must pass.
        self.is_original = is_original
        self._test = CachedTest(lambda subset: oracle.passes(self.text(_Selection(subset))))

    def orders(self) -> list[tuple[int, ...]]:
        """Longest clause first (coarse early cuts take the costly ones together), then the
        author's order and its reverse."""
        longest = tuple(sorted(self.everything, key=lambda i: (-cost(self.clauses[i]), i)))
        return list(dict.fromkeys([longest, self.everything, self.everything[::-1]]))

    def text(self, selection: _Selection) -> str:
        return join([selection.forms[i][1] if i in selection.forms else self.clauses[i] for i in selection.kept])

    def size(self, selection: _Selection) -> int:
        return tokens.count(self.text(selection))

    def passes(self, selection: _Selection) -> bool:
        return self.oracle.passes(self.text(selection))

    def reduce(self, order: tuple[int, ...]) -> _Selection | None:
        """ddmin over the clauses seen in `order`, then shorter forms, then ddmin again over
        the kept clauses as rewritten. None when ddmin cannot start (the clauses joined do
        not pass and are not the original) or can drop nothing while the join does not pass."""
        if not self.clauses or not (self.is_original or self._test(self.everything)):
            return None

        def in_order(subset: tuple[int, ...]) -> tuple[int, ...]:
            return tuple(sorted(order[k] for k in subset))

        def passes(subset: tuple[int, ...]) -> bool:
            subset = anchored(self.clauses, subset)
            return (self.is_original and subset == self.everything) or self._test(subset)

        # A subset always keeps what its clauses need (`anchored`), so no kept part of a
        # sentence is left a fragment.
        found = in_order(ddmin(len(self.clauses), lambda subset: passes(in_order(subset))))
        kept = anchored(self.clauses, found)
        if kept == self.everything and not self._test(self.everything):
            return None
        selection = self.shorten(_Selection(kept))
        if len(kept) > 1 and (selection.forms or kept != found):
            # Shorter forms route differently, and a clause added for another's sake was
            # never tested alone: a clause ddmin needed may go now.
            selection = self.minimal(selection)
        return selection

    def shorten(self, selection: _Selection) -> _Selection:
        """Each kept clause without a shorter form takes its first one that still passes."""
        for index in selection.kept:
            if index in selection.forms:
                continue
            for form, shorter in enumerate(shorter_forms(self.clauses[index], trimmable(self.clauses, index))):
                trial = _Selection(selection.kept, {**selection.forms, index: (form, shorter)})
                if self.passes(trial):
                    selection = trial
                    break
        return selection

    def _cost(self, selection: _Selection, index: int) -> int:
        return cost(selection.forms[index][1] if index in selection.forms else self.clauses[index])

    def minimal(self, selection: _Selection) -> _Selection:
        """ddmin over the kept clauses as written, then single clauses (with what only they
        needed) while it passes, longest first: ddmin's result is 1-minimal over the clauses
        it chose, not over those `anchored` added, which were never tested alone."""
        rank = sorted(selection.kept, key=lambda i: (-self._cost(selection, i), i))

        def keeping(subset) -> _Selection:
            return selection.keeping(anchored(self.clauses, subset))

        again = ddmin(len(rank), lambda subset: self.passes(keeping([rank[k] for k in subset])))
        selection = keeping([rank[k] for k in again])
        while True:
            for index in sorted(selection.kept, key=lambda i: (-self._cost(selection, i), i)):
                rest = keeping([i for i in selection.kept if i != index])
                if len(rest.kept) < len(selection.kept) and self.passes(rest):
                    selection = rest
                    break
            else:
                return selection

    def exchange(self, selection: _Selection) -> _Selection:
        """Local search from a 1-minimal set: a kept clause is exchanged for a cheaper one
        left out while the text passes and is shorter; after each exchange the set is made
        1-minimal again and the clause brought in may take a shorter form. Ends when no
        exchange helps: every step makes the text shorter."""
        while True:
            size = self.size(selection)

            def shorter_and_passes(trial: _Selection) -> bool:
                text = self.text(trial)
                return tokens.count(text) < size and self.oracle.passes(text)

            trials = (
                selection.keeping(anchored(self.clauses, [i for i in selection.kept if i != out] + [into]))
                for out in sorted(selection.kept, key=lambda i: (-self._cost(selection, i), i))
                for into in sorted(set(self.everything) - set(selection.kept), key=lambda i: (cost(self.clauses[i]), i))
                if cost(self.clauses[into]) < self._cost(selection, out)
            )
            better = next(filter(shorter_and_passes, trials), None)
            if better is None:
                return selection
            polished = self.shorten(self.minimal(better))
            # Dropping a clause may bring back a connective ("a, b, or c" -> "a or c"): the
            # polished set is kept only if no longer, so every step shortens and the loop ends.
            selection = polished if self.size(polished) <= self.size(better) else better


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
