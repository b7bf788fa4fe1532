"""corpus rules (SR6xx): what only shows when skills are installed together: names that
collide, descriptions a router cannot tell apart, a listing past the host's budget,
copies of one skill under different folders.

Each finding lands on one skill's SKILL.md; a problem between two skills is reported on
both, each naming the other by its path relative to the folder all linted skills share.
"""

from __future__ import annotations

import heapq
import os
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator

from skillreducer.lint.rule import Context, Finding, Rule, SkillSummary
from skillreducer.profiles import Profile

_NAMED = 3  # how many other skills a message names before "and N more"


def _labels(skills: Iterable[SkillSummary]) -> dict[str, str]:
    """Each skill's root as shown in messages: relative to the folder all roots share."""
    roots = [s.root for s in skills]
    try:
        common = os.path.commonpath(roots) if roots else ""
    except ValueError:  # mixed drives or absolute and relative paths
        common = ""
    # Roots are normalised paths under `common`: cutting the prefix off is
    # os.path.relpath's answer at a third of its cost (each corpus rule labels every skill).
    prefix = os.path.join(common, "")
    labels = {}
    for root in roots:
        if not common:
            relative = root
        elif root.startswith(prefix):
            relative = root[len(prefix) :]
        else:
            relative = os.path.relpath(root, common)
        labels[root] = (os.path.basename(root) if relative == "." else relative).replace(os.sep, "/")
    return labels


def _names(labels: list[str]) -> str:
    shown = ", ".join(labels[:_NAMED])
    return f"{shown} and {len(labels) - _NAMED} more" if len(labels) > _NAMED else shown


def _groups(skills: Iterable[SkillSummary], key) -> Iterator[list[SkillSummary]]:
    found: dict[str, list[SkillSummary]] = defaultdict(list)
    for skill in skills:
        value = key(skill)
        if value:
            found[value].append(skill)
    for group in found.values():
        if len(group) > 1:
            yield sorted(group, key=lambda s: s.root)


# Rows of the similarity matrix computed at once: block_rows x n similarities stay under
# this many entries, so memory is bounded however large the corpus is.
MAX_BLOCK_ENTRIES = 4_000_000


def described(skills: Iterable[SkillSummary]) -> list[SkillSummary]:
    """The skills SR602 compares (those with a description), in path order."""
    return sorted((s for s in skills if s.description), key=lambda s: s.root)


def routing_text(summary: SkillSummary) -> str:
    """What a router sees of a skill: name words, description, when_to_use."""
    return " ".join(filter(None, ((summary.name or "").replace("-", " "), summary.description, summary.when_to_use)))


def similar_description_pairs(items: list[SkillSummary], threshold: float, max_block_entries: int = MAX_BLOCK_ENTRIES) -> Iterator[tuple[int, int, float]]:
    """Index pairs (i < j) with cosine >= threshold, by sparse products in row blocks."""
    import numpy as np  # lazily: check on a few skills must not pay for scikit-learn
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [routing_text(s) for s in items]
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(texts)  # rows are L2-normalised
    except ValueError:  # nothing but stopwords everywhere
        return
    transposed = matrix.T.tocsc()
    n = matrix.shape[0]
    block = max(1, max_block_entries // n)
    # Exact copies (same body) are SR604's finding, and route to the same behaviour.
    bodies = [s.body_hash for s in items]
    for start in range(0, n, block):
        stop = min(n, start + block)
        # Only columns >= start: pairs with an earlier row were found in earlier blocks.
        product = (matrix[start:stop] @ transposed[:, start:]).tocsr()
        # Common words make most products nonzero; only the few above the threshold
        # get their row found (from the row pointers), not every entry.
        kept = np.flatnonzero(product.data >= threshold - 1e-6)
        rows = np.searchsorted(product.indptr, kept, side="right") - 1 + start
        cols = product.indices[kept] + start
        upper = cols > rows
        for i, j, value in zip(rows[upper], cols[upper], product.data[kept][upper]):
            if bodies[i] and bodies[i] == bodies[j]:
                continue
            yield int(i), int(j), min(1.0, float(value))


class DuplicateName(Rule):
    code = "SR601"
    name = "duplicate-name"
    severity = "warning"
    summary = "Two or more skills have the same name."
    corpus = True

    def check_corpus(self, skills: list[SkillSummary], ctx: Context) -> Iterator[tuple[SkillSummary, Finding]]:
        labels = _labels(skills)
        # Hosts treat names case-insensitively in slash commands and on case-insensitive disks.
        for group in _groups(skills, lambda s: s.name.strip().casefold() if isinstance(s.name, str) else ""):
            for skill in group:
                others = [labels[o.root] for o in group if o is not skill]
                yield skill, Finding(
                    f"name {skill.name.strip()!r} is also used by {_names(others)}; a host lists and invokes skills by name, so only one of them can be reached",
                    skill.name_line,
                )


class SimilarDescriptions(Rule):
    code = "SR602"
    name = "similar-descriptions"
    severity = "warning"
    summary = "Two skills' descriptions are so alike that a router cannot tell them apart."
    corpus = True
    preload = ("sklearn.feature_extraction.text",)

    def check_corpus(self, skills: list[SkillSummary], ctx: Context) -> Iterator[tuple[SkillSummary, Finding]]:
        items = described(skills)
        if len(items) < 2:
            return
        threshold = float(ctx.limit("corpus", "similar_description_min_cosine"))
        # Per skill: how many others are too similar, and a min-heap of the closest few
        # (ties go to the earlier path, hence the negated index). One finding per skill
        # keeps a cluster of k near-copies at k findings, not k².
        counts = [0] * len(items)
        nearest: list[list[tuple[float, int]]] = [[] for _ in items]
        for i, j, similarity in similar_description_pairs(items, threshold):
            for this, other in ((i, j), (j, i)):
                counts[this] += 1
                heap = nearest[this]
                if len(heap) < _NAMED:
                    heapq.heappush(heap, (similarity, -other))
                else:
                    heapq.heappushpop(heap, (similarity, -other))
        labels = _labels(items)
        for index, skill in enumerate(items):
            if not counts[index]:
                continue
            named = [f"{labels[items[-negated].root]} ({similarity:.0%})" for similarity, negated in sorted(nearest[index], reverse=True)]
            more = counts[index] - len(named)
            others = ", ".join(named) + (f" and {more:,} more" if more else "")
            yield skill, Finding(
                f"description is too close to {'that' if counts[index] == 1 else 'those'} of {others}: a TF-IDF cosine of name and "
                f"description at or above {threshold:.0%} means a router cannot tell them apart; say in the first words what makes each one different",
                skill.description_line,
            )

class ListingBudgetExceeded(Rule):
    code = "SR603"
    name = "listing-budget-exceeded"
    severity = "warning"
    summary = "The skills' combined listing is over the platform's budget, so some descriptions are dropped."
    corpus = True

    def check_corpus(self, skills: list[SkillSummary], ctx: Context) -> Iterator[tuple[SkillSummary, Finding]]:
        labels = _labels(skills)
        for plan in listing_plans(skills, ctx.profile):
            losers = [plan.listed[i] for i in sorted(plan.dropped)]
            if not losers:
                continue
            names_only = sum(plan.names)
            over = f"; the names alone take {names_only:,}" if names_only > plan.budget else ""
            yield losers[0], Finding(
                f"the {len(plan.listed):,} skills in this folder list in {plan.total:,} characters; {ctx.profile.name}'s budget is {plan.budget:,}{over}, "
                f"so {len(losers):,} lose their description (the last in path order stand in for the least used): {_names([labels[s.root] for s in losers])}",
                losers[0].description_line,
            )


@dataclass(frozen=True)
class ListingPlan:
    """One unit of skills installed together (the skill folders of one parent folder)."""

    folder: str
    budget: int
    listed: list[SkillSummary]  # in listing order
    names: list[int]  # characters of each listed name
    entries: list[int]  # characters of each description entry, capped per entry
    first_dropped: int  # index in `listed` from which descriptions are dropped

    @property
    def total(self) -> int:
        return sum(self.names) + sum(self.entries)

    @property
    def fit(self) -> int:
        """Descriptions that stay in the listing."""
        return sum(1 for e in self.entries[: self.first_dropped] if e)

    @property
    def dropped(self) -> list[int]:
        """Indices in `listed` of the skills that lose their description, first to lose first."""
        return [i for i in range(len(self.listed) - 1, self.first_dropped - 1, -1) if self.entries[i]]


def listing_plans(skills: Iterable[SkillSummary], profile: Profile) -> list[ListingPlan]:
    """Per folder of skill folders, which descriptions fit the profile's listing budget.

    Skills installed together sit side by side (a plugin's skills/, a project's
    .claude/skills/), so each folder is judged on its own; a marketplace is many such
    units, never installed all at once. Hosts drop the least-used skills' descriptions
    first; a linter has no usage data, so path order stands in: descriptions go from the
    end until the names plus the remaining entries fit."""
    listing = profile.listing
    if listing is None:
        return []
    units: dict[str, list[SkillSummary]] = defaultdict(list)
    for skill in skills:
        if not (listing.hidden_key and skill.hidden.get(listing.hidden_key)):
            units[os.path.dirname(skill.root)].append(skill)
    plans = []
    for folder, members in sorted(units.items()):
        listed = sorted(members, key=lambda s: s.root)
        names = [profile.measure(s.name or os.path.basename(s.root)) for s in listed]
        entries = [
            min(profile.measure(" ".join(p for p in (_entry_field(s, key) for key in listing.entry_fields) if p)), listing.entry_max_chars)
            for s in listed
        ]
        kept = sum(names) + sum(entries)
        first_dropped = len(listed)
        while first_dropped > 0 and kept > listing.budget_chars:
            first_dropped -= 1
            kept -= entries[first_dropped]
        plans.append(ListingPlan(folder, listing.budget_chars, listed, names, entries, first_dropped))
    return plans


def _entry_field(skill: SkillSummary, key: str) -> str:
    if key == "description":
        return skill.description
    if key == "when_to_use":
        return skill.when_to_use
    return ""


class DuplicateSkillContent(Rule):
    code = "SR604"
    name = "duplicate-skill-content"
    severity = "warning"
    summary = "Two or more skills in different folders have the same body."
    corpus = True

    def check_corpus(self, skills: list[SkillSummary], ctx: Context) -> Iterator[tuple[SkillSummary, Finding]]:
        labels = _labels(skills)
        for group in _groups(skills, lambda s: s.body_hash):
            for skill in group:
                others = [labels[o.root] for o in group if o is not skill]
                yield skill, Finding(
                    f"body is identical to that of {_names(others)}; keep one copy, or make each say what is different about it",
                    skill.name_line,
                )
