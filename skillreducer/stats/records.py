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
from skillreducer.body.classifier import classify
from skillreducer.body.items import body_items
from skillreducer.lint.rule import SkillSummary
from skillreducer.lint.rules.spec import NAME  # one definition of a valid name
from skillreducer.model import Skill
from skillreducer.profiles import Profile
from skillreducer.stats import minhash

# Body item types of the method; the heuristic classifier fills only some (see item_type).
TYPES = ("core", "background", "example", "template", "redundant")
# How item_type decides, for the report; change these three with the classifier.
CLASSIFIER = "learned: skillreducer.body.classifier.classify (feature model, as SR303)"
CLASSIFIER_METHOD = (
    "a logistic regression over transparent item features (imperative mood, modals, second person, "
    "code share, placeholders, heading words, position, length) trained on corpus/labels/, plus a "
    "shingle-overlap pass for items that repeat an earlier one (redundant)"
)
NOT_DISTINGUISHED: tuple[str, ...] = ()  # every type of the method is told apart
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


def measure(skill: Skill, summary: SkillSummary, profile: Profile) -> Record:
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
    items = body_items(skill)
    for item, kind in zip(items, classify(items)):
        counts[kind.label][0] += 1
        counts[kind.label][1] += len(" ".join(item.text.split()))  # as SR303 measures
    record.items = counts
    record.minhash = minhash.signature(skill.text)
    return record
