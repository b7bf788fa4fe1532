"""The rule API. A rule is a small class with a code, a name, a family, a default
severity and a summary; its doc page is rules/<code>.md. Subclasses register themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterable, Iterator

from skillreducer.model import Skill
from skillreducer.profiles import Profile

SEVERITIES = ("info", "warning", "error")
FAMILIES = {"1": "spec", "2": "routing", "3": "body", "4": "references", "5": "security", "6": "corpus"}


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace lines start_line..end_line (inclusive, 1-based) of a skill file."""

    path: str  # relative to the skill root
    start_line: int
    end_line: int
    replacement: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Fix:
    description: str
    safe: bool
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule reports; the runner adds the code, name, severity and absolute path."""

    message: str
    line: int = 1
    column: int = 1
    end_line: int | None = None
    path: str = "SKILL.md"  # relative to the skill root
    fix: Fix | None = None


@dataclass(frozen=True)
class Context:
    """What rules may read besides the skill: thresholds, the platform profile, lexicons."""

    limits: dict[str, dict[str, Any]]
    profile: Profile

    def limit(self, section: str, key: str) -> Any:
        return self.limits[section][key]


@dataclass(frozen=True, slots=True)
class SkillSummary:
    """The little a corpus rule needs to know of each skill (picklable, cacheable)."""

    root: str
    name: str | None
    name_line: int
    description: str
    description_line: int
    when_to_use: str
    hidden: dict[str, bool] = field(default_factory=dict)  # frontmatter boolean flags
    body_hash: str = ""


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]
    summary: ClassVar[str]
    fixable: ClassVar[bool] = False
    corpus: ClassVar[bool] = False  # corpus rules implement check_corpus instead of check
    preload: ClassVar[tuple[str, ...]] = ()  # slow imports a corpus rule needs: loaded while the pool runs

    registry: ClassVar[dict[str, type["Rule"]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            return
        if cls.code in Rule.registry:
            raise ValueError(f"duplicate rule code {cls.code}")
        if cls.severity not in SEVERITIES:
            raise ValueError(f"{cls.code}: bad severity {cls.severity}")
        Rule.registry[cls.code] = cls

    @classmethod
    def family(cls) -> str:
        return FAMILIES[cls.code[2]]

    def check(self, skill: Skill, ctx: Context) -> Iterable[Finding]:
        return ()

    def check_corpus(self, skills: list[SkillSummary], ctx: Context) -> Iterator[tuple[SkillSummary, Finding]]:
        return iter(())
