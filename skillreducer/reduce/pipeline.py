"""One skill through `reduce`: probes and pool, description compression, body
restructuring behind the faithfulness gate, and the changes to write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillreducer import resources, tokens
from skillreducer.load import load_skill
from skillreducer.model import Skill
from skillreducer.profiles import Profile
from skillreducer.route import probes as probe_source
from skillreducer.route.oracle import Oracle
from skillreducer.route.pool import Rival, candidate_of, nearest_neighbours, shadow_of
from skillreducer.route.router import Router


@dataclass
class ReduceOptions:
    profile: Profile
    router_kind: str
    only: str | None = None  # "description" | "body" | None (everything)
    probes: list[str] | None = None  # from --probes FILE
    seed: int = 0
    cache_dir: Path | None = None
    budget_description: int | None = None  # --budget-description: overrides the profile's token budget
    budget_body: int | None = None


@dataclass
class Corpus:
    """The skills a reduced skill competes with (--against), loaded once."""

    skills: list[Skill]
    _probes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def load(cls, roots: list[str]) -> "Corpus":
        return cls([load_skill(Path(root)) for root in roots])

    def probes_of(self, skill: Skill) -> tuple[str, ...]:
        key = str(skill.root)
        if key not in self._probes:
            self._probes[key] = tuple(probe_source.probes_for(skill)[0][: resources.limits()["reduce"]["probes_max"]])
        return self._probes[key]

    def vocabulary(self) -> list[str]:
        return [f"{s.name or s.folder_name} {s.description_text}" for s in self.skills]


class Routers:
    """Routers for each skill: the lexical vocabulary includes the skill's own text; the
    semantic model (and its embedding cache) is shared by every skill of the run."""

    def __init__(self, kind: str, cache_dir: Path | None):
        self.kind = kind
        self.cache_dir = cache_dir
        self._semantic = None

    def semantic(self):
        if self._semantic is None:
            from skillreducer.route.router import SemanticRouter

            self._semantic = SemanticRouter(self.cache_dir)
        return self._semantic

    def for_skill(self, skill: Skill, corpus: Corpus, kind: str | None = None) -> Router:
        from skillreducer.route.router import HybridRouter, LexicalRouter

        kind = kind or self.kind
        if kind == "semantic":
            return self.semantic()
        lexical = LexicalRouter([*corpus.vocabulary(), f"{skill.name or ''} {skill.description_text} {skill.body}"])
        return lexical if kind == "lexical" else HybridRouter(lexical, self.semantic())


def build_oracle(skill: Skill, corpus: Corpus, router: Router, options: ReduceOptions) -> tuple[Oracle, str]:
    limits = resources.limits()["reduce"]
    probes, source = probe_source.probes_for(skill, options.probes)
    neighbours = nearest_neighbours(skill, corpus.skills, limits["neighbours"])
    rivals = [Rival(candidate_of(n), corpus.probes_of(n)) for n in neighbours]
    rivals.append(Rival(shadow_of(skill), (), shadow=True))
    return Oracle(router, candidate_of(skill), rivals, probes, seed=options.seed), source


def reduce_skill(skill: Skill, corpus: Corpus, routers: Routers, options: ReduceOptions) -> tuple[dict[str, Any], dict[str, str]]:
    """(report entry, changes: relative path -> new text) for one skill."""
    from skillreducer.reduce.description import compress_description
    from skillreducer.reduce.write import WriteError, with_description

    report: dict[str, Any] = {"source": str(skill.root), "notes": []}
    changes: dict[str, str] = {}
    router = routers.for_skill(skill, corpus)
    oracle, source = build_oracle(skill, corpus, router, options)
    report["rivals"] = [r.candidate.name for r in oracle.rivals]
    description = skill.description_text
    desc_result = None
    if options.only in (None, "description"):
        desc_result = compress_description(skill, oracle, options.profile, source)
        report["description"] = desc_result.as_dict()
        description = desc_result.after
    elif description:
        oracle.set_baseline(description)  # body only: the description as it is sets the routing bar
    body_result = None
    items = labels = None
    if options.only in (None, "body"):
        body_result, items, labels, duplicates = _reduce_body(skill, oracle, description, options)
    if options.only is None and desc_result is not None and items:
        from skillreducer.reduce.search import search

        chosen = search(skill, oracle, desc_result, body_result, items, labels, duplicates, options)
        report.update(chosen.report)
        description, body_result = chosen.description, chosen.body
        report["description"]["after"] = description
        report["description"]["after_tokens"] = tokens.count(description) if description else 0
        report["description"]["routing"]["after"] = oracle.routing(description).as_dict()
    if body_result is not None:
        report["body"] = _body_report(skill, body_result, items, labels)
        report["faithfulness"] = body_result.as_dict()
        if body_result.fell_back:
            report["notes"].append(f"original body kept: {body_result.reason}")
        else:
            changes["SKILL.md"] = body_result.skill_md
            changes.update(body_result.files)
    if description != skill.description_text:
        try:
            # The body stage keeps the frontmatter byte for byte; the description edit goes on top.
            base = changes.get("SKILL.md", skill.text)
            changes["SKILL.md"] = _replace_frontmatter(skill, base, with_description(skill, description))
        except WriteError as error:
            report["notes"].append(str(error))
            report["description"]["after"] = skill.description_text
    return report, changes


def _replace_frontmatter(skill: Skill, text: str, described: str) -> str:
    """`text` (a SKILL.md that starts with the original frontmatter) with the frontmatter
    of `described` (the original SKILL.md with only its description changed)."""
    from skillreducer.reduce.restructure import frontmatter_text

    head = frontmatter_text(skill)
    body = skill.text[len(head):]
    if not text.startswith(head) or not described.endswith(body):
        raise ValueError("the frontmatter changed outside the description")
    return described[: len(described) - len(body)] + text[len(head):]


def _reduce_body(skill: Skill, oracle: Oracle, description: str, options: ReduceOptions):
    from skillreducer.body.classifier import classify
    from skillreducer.body.items import body_items
    from skillreducer.reduce.gate import reduce_body

    items = body_items(skill)
    if not items:
        return None, items, [], {}
    types = classify(items, semantic=options.router_kind != "lexical")
    labels = [t.label for t in types]
    duplicates = {i: t.duplicates for i, t in enumerate(types) if t.label == "redundant" and t.duplicates is not None}
    routing_ok = (lambda: oracle.passes(description)) if description else None
    return reduce_body(skill, items, labels, duplicates, routing_ok), items, labels, duplicates


def _body_report(skill: Skill, result, items, labels) -> dict[str, Any]:
    restructured = result.restructured
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    placements = {p.index: p for p in restructured.placements} if restructured else {}
    before = tokens.count(skill.body)
    return {
        "before_tokens": before,
        "core_tokens": restructured.core_tokens if restructured else before,
        "references": [
            {"path": r.path, "tokens": r.tokens, "when": r.when, "topics": list(r.topics)}
            for r in (restructured.references if restructured else ()) if r.new
        ],
        "items": counts,
        "item_list": [
            {"index": item.index, "line": item.line, "end_line": item.end_line, "type": label,
             "destination": placements[item.index].destination if item.index in placements else "SKILL.md"}
            for item, label in zip(items, labels)
        ],
    }
