"""Records -> the stats report (a JSON-ready dict). Every figure comes from the records
alone, so a report built from merged shard records equals the unsharded one.
"""

from __future__ import annotations

import math
import os
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from skillreducer import __version__, profiles, resources
from skillreducer.config import Config
from skillreducer.lint.runner import Linter, corpus_diagnostics
from skillreducer.report import relative
from skillreducer.lint.rules.corpus import described, listing_plans, similar_description_pairs
from skillreducer.stats import minhash
from skillreducer.stats.records import BLOCK_SCALAR_STYLES, CLASSIFIER, CLASSIFIER_METHOD, NOT_DISTINGUISHED, TYPES, Record

SCHEMA = "skillreducer-stats/1"
DISTRIBUTIONS = ("description_tokens", "body_tokens", "body_lines", "reference_tokens")
LEVELS = ("description_tokens", "body_tokens", "reference_tokens", "total_tokens")
BINS_PER_DECADE = 4


@dataclass
class Settings:
    config: Config
    listing_profiles: list[str]
    semantic: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        c = self.config
        return {
            "profile": c.profile,
            "listing_profiles": self.listing_profiles,
            "semantic": self.semantic,
            "config": {
                "select": c.select, "ignore": c.ignore, "per_path_ignores": c.per_path_ignores,
                "severity": c.severity, "thresholds": c.thresholds,
                # Per-path ignores are relative to the config's folder; without them the folder
                # is left out, so shards run from different checkouts still merge.
                "root": str(c.root) if c.per_path_ignores else "",
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Settings":
        raw = data["config"]
        config = Config(
            select=list(raw["select"]), ignore=list(raw["ignore"]), per_path_ignores=dict(raw["per_path_ignores"]),
            severity=dict(raw["severity"]), profile=data["profile"], thresholds=dict(raw["thresholds"]), root=Path(raw["root"] or "."),
        )
        return cls(config, list(data["listing_profiles"]), bool(data["semantic"]))


def pct(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def distribution(values: list[int]) -> dict[str, Any]:
    """mean, median, p90 (nearest rank), max and total of the values."""
    if not values:
        return {"n": 0, "mean": 0.0, "median": 0, "p90": 0, "max": 0, "total": 0}
    ordered = sorted(values)
    n = len(ordered)
    return {
        "n": n,
        "mean": round(sum(ordered) / n, 1),
        "median": statistics.median(ordered),
        "p90": ordered[math.ceil(0.9 * n) - 1],
        "max": ordered[-1],
        "total": sum(ordered),
    }


def histogram(values: list[int]) -> dict[str, Any]:
    """Counts in log-spaced bins (BINS_PER_DECADE per decade from 1); zeros counted apart."""
    top = max(values, default=0)
    edges = [1.0]
    while edges[-1] <= top:
        edges.append(round(10 ** (len(edges) / BINS_PER_DECADE), 4))
    counts = [0] * (len(edges) - 1)
    zero = 0
    for value in values:
        if value <= 0:
            zero += 1
            continue
        index = min(int(math.log10(value) * BINS_PER_DECADE + 1e-9), len(counts) - 1)
        while index > 0 and value < edges[index]:
            index -= 1  # guard the float boundary
        while index + 1 < len(counts) and value >= edges[index + 1]:
            index += 1
        counts[index] += 1
    return {"zero": zero, "edges": edges, "counts": counts}


def _name(record: Record) -> str:
    return record.summary.name or os.path.basename(record.root)


def common_base(roots: list[str]) -> str:
    if not roots:
        return ""
    if len(roots) == 1:
        return os.path.dirname(roots[0])
    try:
        return os.path.commonpath(roots)
    except ValueError:  # different drives
        return ""


def labeler(base: str) -> Callable[[str], str]:
    """A skill's path as shown: relative to the folder all measured skills share."""

    def label(root: str) -> str:
        if not base:
            return relative(root)
        rel = os.path.relpath(root, base)
        return (os.path.basename(root) if rel == "." else rel).replace(os.sep, "/")

    return label


def _row(label: Callable[[str], str], record: Record, **values: Any) -> dict[str, Any]:
    return {"path": label(record.root), "name": _name(record), **values}


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def build(records: Iterable[Record], settings: Settings, shard: str | None = None) -> dict[str, Any]:
    records = sorted(records, key=lambda r: r.root)
    base = common_base([r.root for r in records])
    label = labeler(base)
    failed = [r for r in records if r.error]
    ok = [r for r in records if not r.error]
    n = len(ok)
    limits = resources.default_limits()  # the spec's numbers, not per-project overrides: figures stay comparable
    stats_limits = settings.config.limits()["stats"]
    max_desc = int(limits["spec"]["description_max_chars"])
    min_tokens = int(limits["routing"]["description_min_tokens"])
    max_lines = int(limits["body"]["max_lines"])
    max_tokens = int(limits["body"]["max_tokens"])
    top_n = int(stats_limits["top"])
    rows_n = int(stats_limits["pairs_shown"])

    counted = {
        "missing_description": sum(1 for r in ok if not r.description_present),
        "missing_or_short_description": sum(1 for r in ok if not r.description_present or r.description_tokens < min_tokens),
        f"description_over_{max_desc}_chars": sum(1 for r in ok if r.description_chars > max_desc),
        "block_scalar_description": sum(1 for r in ok if r.description_present and r.description_style in BLOCK_SCALAR_STYLES),
        "invalid_name": sum(1 for r in ok if not r.name_valid),
        "name_folder_mismatch": sum(1 for r in ok if r.summary.name and r.summary.name.strip() and not r.name_matches_folder),
        f"body_over_{max_lines}_lines": sum(1 for r in ok if r.body_lines > max_lines),
        f"body_over_{max_tokens}_tokens": sum(1 for r in ok if r.body_tokens > max_tokens),
        "single_file": sum(1 for r in ok if r.other_files == 0),
        "with_references": sum(1 for r in ok if r.reference_files),
        "with_scripts": sum(1 for r in ok if r.script_files),
    }
    report: dict[str, Any] = {"schema": SCHEMA, "version": __version__, "settings": settings.to_json()}
    if shard:
        report["shard"] = shard
    report["base"] = relative(base) if base else ""
    report["skills"] = n
    report["skills_failed"] = len(failed)
    for key, value in counted.items():
        report[key] = value
        report[f"{key}_pct"] = pct(value, n)
    report["thresholds"] = {
        "description_max_chars": max_desc, "description_min_tokens": min_tokens, "body_max_lines": max_lines, "body_max_tokens": max_tokens,
        "near_duplicate_min_jaccard": stats_limits["near_duplicate_min_jaccard"],
    }
    for metric in DISTRIBUTIONS:
        report[metric] = distribution([getattr(r, metric) for r in ok])
    report["histograms"] = {metric: histogram([getattr(r, metric) for r in ok]) for metric in (*LEVELS, "body_lines")}
    report["body_types"] = _body_types(ok)
    summaries = [r.summary for r in ok]
    report["listing"] = [_listing(summaries, name, top_n, label) for name in settings.listing_profiles]
    report["collisions"] = _collisions(ok, settings, rows_n, label)
    report["duplicates"] = _duplicates(ok, float(stats_limits["near_duplicate_min_jaccard"]), rows_n, label)
    findings = _findings(ok, settings.config, label)
    report["findings"] = findings.pop("summary")
    report["top_offenders"] = {
        **{level: [_row(label, r, tokens=r.total_tokens if level == "total_tokens" else getattr(r, level)) for r in _top(ok, level, top_n)] for level in LEVELS},
        "findings": findings["top"],
    }
    report["failures"] = [{"path": label(r.root), "error": r.error} for r in failed]
    report["records"] = records  # Record objects: serialised one at a time when written
    return report


def _top(records: list[Record], level: str, n: int) -> list[Record]:
    def value(r: Record) -> int:
        return r.total_tokens if level == "total_tokens" else getattr(r, level)

    return sorted((r for r in records if value(r) > 0), key=lambda r: (-value(r), r.root))[:n]


def _body_types(records: list[Record]) -> dict[str, Any]:
    items = {t: sum(r.items.get(t, [0, 0])[0] for r in records) for t in TYPES}
    chars = {t: sum(r.items.get(t, [0, 0])[1] for r in records) for t in TYPES}
    all_items, all_chars = sum(items.values()), sum(chars.values())
    return {
        "classifier": CLASSIFIER,
        "method": CLASSIFIER_METHOD,
        "not_distinguished": list(NOT_DISTINGUISHED),
        "items": items,
        "characters": chars,
        "items_pct": {t: pct(items[t], all_items) for t in TYPES},
        "characters_pct": {t: pct(chars[t], all_chars) for t in TYPES},
        "non_actionable_items_pct": pct(all_items - items["core"], all_items),
        "non_actionable_characters_pct": pct(all_chars - chars["core"], all_chars),
        "skills_with_items": sum(1 for r in records if any(v[0] for v in r.items.values())),
    }


def _listing(summaries, name: str, top_n: int, label: Callable[[str], str]) -> dict[str, Any]:
    profile = profiles.load(name)
    plans = listing_plans(summaries, profile)
    if profile.listing is None:
        return {"profile": name, "budget_chars": None, "note": "this profile defines no listing budget"}
    over = [p for p in plans if p.dropped]
    listed = sum(len(p.listed) for p in plans)
    # Losers of the most crowded units first; in each unit, in the order they lose.
    losers = [(p, i) for p in sorted(over, key=lambda p: (-p.total, p.folder)) for i in p.dropped]
    by_total = sorted(plans, key=lambda p: (-p.total, p.folder))
    return {
        "profile": name,
        "budget_chars": profile.listing.budget_chars,
        "entry_max_chars": profile.listing.entry_max_chars,
        "unit": "the skill folders of one parent folder, listed together (as SR603 judges them)",
        "units": len(plans),
        "units_over_budget": len(over),
        "listed": listed,
        "hidden": len(summaries) - listed,
        "total_chars": sum(p.total for p in plans),
        "name_chars": sum(sum(p.names) for p in plans),
        "description_chars": sum(sum(p.entries) for p in plans),
        "descriptions": sum(1 for p in plans for e in p.entries if e),
        "descriptions_fit": sum(p.fit for p in plans),
        "descriptions_dropped": sum(len(p.dropped) for p in plans),
        "order": "path order in each unit; the skills listed last lose their descriptions first (as SR603 assumes)",
        "largest_units": [
            {
                "folder": label(p.folder) if p.folder else ".", "skills": len(p.listed), "total_chars": p.total, "name_chars": sum(p.names),
                "description_chars": sum(p.entries), "descriptions_fit": p.fit, "descriptions_dropped": len(p.dropped),
            }
            for p in by_total[:top_n]
        ],
        "first_to_lose": [
            {"path": label(p.listed[i].root), "name": p.listed[i].name or os.path.basename(p.listed[i].root), "folder": label(p.folder), "chars": p.entries[i]}
            for p, i in losers[:top_n]
        ],
    }


def _collisions(records: list[Record], settings: Settings, rows_n: int, label: Callable[[str], str]) -> dict[str, Any]:
    items = described([r.summary for r in records])
    if settings.semantic:
        from skillreducer.stats import semantic

        threshold = float(settings.config.limits()["stats"]["semantic_min_cosine"])
        method, found = "embeddings (all-MiniLM-L6-v2)", semantic.pairs(items, threshold)
    else:
        threshold = float(settings.config.limits()["corpus"]["similar_description_min_cosine"])
        method, found = "tf-idf cosine (as SR602)", similar_description_pairs(items, threshold)
    pairs = sorted(((round(s, 4), i, j) for i, j, s in found), key=lambda p: (-p[0], items[p[1]].root, items[p[2]].root))
    involved = {i for _, i, _ in pairs} | {j for _, _, j in pairs}
    return {
        "method": method,
        "compared": "name words + description + when_to_use; skills with the same body are duplicates, not collisions",
        "threshold": threshold,
        "skills_compared": len(items),
        "pairs": len(pairs),
        "skills_in_pairs": len(involved),
        "skills_in_pairs_pct": pct(len(involved), len(records)),
        "top": [
            {"a": label(items[i].root), "a_name": items[i].name or "", "b": label(items[j].root), "b_name": items[j].name or "", "similarity": s}
            for s, i, j in pairs[:rows_n]
        ],
    }


def _duplicates(records: list[Record], threshold: float, rows_n: int, label: Callable[[str], str]) -> dict[str, Any]:
    by_hash: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        by_hash[r.content_hash].append(r)
    groups = sorted((g for g in by_hash.values() if len(g) > 1), key=lambda g: (-len(g), g[0].root))
    exact = {
        "method": "content hash of SKILL.md and every file",
        "groups": len(groups),
        "skills": sum(len(g) for g in groups),
        "redundant_copies": sum(len(g) - 1 for g in groups),
        "redundant_copies_pct": pct(sum(len(g) - 1 for g in groups), len(records)),
        "top": [{"size": len(g), "paths": [label(r.root) for r in g]} for g in groups[:rows_n]],
    }
    # Near duplicates among distinct contents: one representative per hash, its copies counted.
    representatives = [g[0] for g in sorted(by_hash.values(), key=lambda g: g[0].root)]
    copies = [len(by_hash[r.content_hash]) for r in representatives]
    found = sorted(minhash.similar_pairs([r.minhash for r in representatives], threshold), key=lambda p: (-p[2], representatives[p[0]].root, representatives[p[1]].root))
    union = _UnionFind(len(representatives))
    for i, j, _ in found:
        union.union(i, j)
    members: dict[int, list[int]] = defaultdict(list)
    for i in {k for p in found for k in p[:2]}:
        members[union.find(i)].append(i)
    near = {
        "method": f"MinHash ({minhash.PERMUTATIONS} hashes) of {minhash.SHINGLE}-word shingles of SKILL.md; exact copies excluded",
        "threshold": threshold,
        "pairs": sum(copies[i] * copies[j] for i, j, _ in found),
        "groups": len(members),
        "skills": sum(copies[i] for group in members.values() for i in group),
        "top": [
            {"a": label(representatives[i].root), "b": label(representatives[j].root), "similarity": round(s, 4)}
            for i, j, s in found[:rows_n]
        ],
    }
    return {"exact": exact, "near": near}


def _findings(records: list[Record], config: Config, label: Callable[[str], str]) -> dict[str, Any]:
    per_skill = {r.root: Counter(r.findings) for r in records}
    severities = {r.root: Counter(r.severities) for r in records}
    # Corpus rules see every skill's summary, as in `check`: run them here, after any merge.
    roots = set(per_skill)
    for diagnostic in corpus_diagnostics(Linter(config, None), [r.summary for r in records]):
        root = _owner(diagnostic.path, roots)
        if root is not None:
            per_skill[root][diagnostic.code] += 1
            severities[root][diagnostic.severity] += 1
    by_code: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    for root in per_skill:
        by_code.update(per_skill[root])
        by_severity.update(severities[root])
    with_findings = sum(1 for c in per_skill.values() if sum(c.values()))
    ranked = sorted((r for r in records if per_skill[r.root]), key=lambda r: (-sum(per_skill[r.root].values()), r.root))
    top = [
        _row(
            label,
            r,
            findings=sum(per_skill[r.root].values()),
            errors=severities[r.root]["error"],
            warnings=severities[r.root]["warning"],
            infos=severities[r.root]["info"],
            codes=dict(sorted(per_skill[r.root].items(), key=lambda kv: (-kv[1], kv[0]))),
        )
        for r in ranked[: int(config.limits()["stats"]["top"])]
    ]
    summary = {
        "total": sum(by_code.values()),
        "by_severity": {level: by_severity[level] for level in ("error", "warning", "info")},
        "by_code": dict(sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0]))),
        "skills_with_findings": with_findings,
        "skills_with_findings_pct": pct(with_findings, len(records)),
    }
    return {"summary": summary, "top": top}


def _owner(path: str, roots: set[str]) -> str | None:
    folder = os.path.dirname(path)
    while folder not in roots:
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return folder
