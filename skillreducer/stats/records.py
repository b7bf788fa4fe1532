"""One skill -> one compact record: the few numbers and texts `stats` needs of it.

A record is small (a few hundred bytes plus the description), JSON-friendly and enough
to rebuild every figure of the report, so shard outputs merge exactly and the Skill
itself is dropped as soon as it is measured.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from skillreducer import tokens
from skillreducer.lint import actionability
from skillreducer.lint.rule import SkillSummary
from skillreducer.lint.rules.body import item_key  # one definition of "repeats an earlier item"
from skillreducer.lint.rules.spec import NAME  # one definition of a valid name
from skillreducer.model import Skill
from skillreducer.profiles import Profile
from skillreducer.stats import minhash

# Body item types of the method; the heuristic classifier fills only some (see item_type).
TYPES = ("core", "background", "example", "template", "redundant")
# How item_type decides, for the report; change these three with the classifier.
CLASSIFIER = "heuristic: skillreducer.lint.actionability.classify_items"
CLASSIFIER_METHOD = (
    "core = actionable; redundant = repeats an earlier item word for word (SR305's test); "
    "example = other code blocks; background = other text, tables and quotes. "
    "The heuristic does not tell a template from an example: templates are counted as examples."
)
NOT_DISTINGUISHED = ("template",)
BLOCK_SCALAR_STYLES = ("literal", "folded")


@dataclass(slots=True)
class Record:
    root: str
    summary: SkillSummary  # what `check`'s corpus rules read (listing, similar descriptions)
    description_present: bool = False
    description_style: str = ""  # plain|single|double|literal|folded|... ("" when absent)
    description_chars: int = 0  # as the profile measures it (SR107's measure)
    description_tokens: int = 0
    name_valid: bool = False
    name_matches_folder: bool = False
    body_lines: int = 0  # through the last non-blank body line, as SR301 counts
    body_tokens: int = 0
    reference_files: int = 0
    reference_tokens: int = 0
    script_files: int = 0
    other_files: int = 0  # every file besides SKILL.md
    items: dict[str, list[int]] = field(default_factory=dict)  # type -> [items, characters]
    findings: dict[str, int] = field(default_factory=dict)  # code -> count (per-skill rules)
    severities: dict[str, int] = field(default_factory=dict)  # severity -> count (per-skill rules)
    content_hash: str = ""
    minhash: str = ""  # base64 signature of SKILL.md's word shingles, "" when too short
    problems: int = 0  # loader problems (caps, decoding, unreadable files)
    error: str = ""  # set when measuring this skill failed; the other fields are then empty

    @property
    def total_tokens(self) -> int:
        return self.description_tokens + self.body_tokens + self.reference_tokens

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["summary"] = asdict(self.summary)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Record":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["summary"] = SkillSummary(**data["summary"])
        return cls(**values)


def body_line_count(skill: Skill) -> int:
    lines = skill.body_lines
    last = len(lines)
    while last and not lines[last - 1].strip():
        last -= 1
    return last


def item_type(item: actionability.Item, seen: set[str], min_repeat_chars: int) -> str:
    """The method's body type of one item, from the best classifier the project has.

    A classifier that labels items with one of TYPES (the learned one) is used as is. The
    heuristic only says actionable or not plus the item's kind, so: an item repeating an
    earlier one word for word (SR305's test) is redundant; actionable is core; other code
    blocks are example (it cannot tell a template from an example); the rest is background.
    """
    label = getattr(item, "label", None)
    if label in TYPES:
        return label
    if item.kind in ("paragraph", "list-item", "blockquote"):
        key = item_key(item)
        if len(key) >= min_repeat_chars:
            if key in seen:
                return "redundant"
            seen.add(key)
    if item.actionable:
        return "core"
    return "example" if item.kind == "code" else "background"


def measure(skill: Skill, summary: SkillSummary, profile: Profile, min_repeat_chars: int) -> Record:
    record = Record(root=str(skill.root), summary=summary, content_hash=skill.content_hash, problems=len(skill.problems))
    value = skill.description
    if isinstance(value, str) and value.strip():
        record.description_present = True
        record.description_chars = profile.measure(value.strip())
        record.description_tokens = tokens.count(value.strip())
    record.description_style = skill.frontmatter.styles.get("description", "") if value is not None else ""
    name = skill.name
    if isinstance(name, str) and name.strip():
        record.name_valid = bool(NAME.match(name)) and len(name) <= profile.name_max_chars
        record.name_matches_folder = unicodedata.normalize("NFKC", name.strip()) == unicodedata.normalize("NFKC", skill.folder_name)
    record.body_lines = body_line_count(skill)
    record.body_tokens = skill.body_tokens if skill.body.strip() else 0
    references = skill.references
    record.reference_files = len(references)
    record.reference_tokens = sum(f.tokens for f in references)
    record.script_files = sum(1 for f in skill.files if f.path.startswith("scripts/"))
    record.other_files = len(skill.files)
    counts = {t: [0, 0] for t in TYPES}
    seen: set[str] = set()
    for item in actionability.classify_items(skill):
        kind = item_type(item, seen, min_repeat_chars)
        counts[kind][0] += 1
        counts[kind][1] += item.size
    record.items = counts
    record.minhash = minhash.signature(skill.text)
    return record
