"""The immutable Skill model. Built once per folder by `skillreducer.load`; rules and
reducers read it and never open files or re-parse Markdown themselves.

Line numbers are 1-based lines of the original file (CRLF and lone CR count as one
line break, as editors show them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from skillreducer import tokens

EMPTY_MAP: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the loader met and handled: an encoding issue, a cap, an unreadable file."""

    kind: str  # e.g. "encoding", "nul-bytes", "too-large", "long-line", "not-a-file"
    message: str
    path: str = "SKILL.md"  # relative to the skill root
    line: int = 1
    column: int = 1


@dataclass(frozen=True, slots=True)
class YamlTag:
    tag: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Frontmatter:
    present: bool
    source: str = ""  # the YAML text between the fences
    start_line: int = 0  # line of the opening '---'
    end_line: int = 0  # line of the closing '---' (0 when unclosed)
    data: Mapping[str, Any] | None = None  # parsed top-level mapping, None on error
    error: str | None = None
    error_line: int | None = None
    duplicate_keys: tuple[tuple[str, int], ...] = ()
    key_order: tuple[str, ...] = ()
    key_lines: Mapping[str, int] = field(default_factory=lambda: EMPTY_MAP)  # top-level key -> line
    styles: Mapping[str, str] = field(default_factory=lambda: EMPTY_MAP)  # key -> plain|single|double|literal|folded|mapping|sequence
    tags: tuple[YamlTag, ...] = ()  # explicit tags anywhere in the document

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.source.split("\n"))

    @property
    def first_line(self) -> int:
        """File line of the first YAML line."""
        return self.start_line + 1

    def get(self, key: str, default: Any = None) -> Any:
        return default if self.data is None else self.data.get(key, default)


@dataclass(frozen=True, slots=True)
class Block:
    """A top-level Markdown block from markdown-it-py."""

    kind: str  # heading|paragraph|list|code|table|html|blockquote|hr
    text: str  # the block's source lines
    line: int
    end_line: int  # inclusive; a trailing blank line is not part of the block
    heading_path: tuple[str, ...]  # headings enclosing the block (a heading includes itself)
    level: int = 0  # heading level, 0 otherwise
    inline: str = ""  # heading text for headings


@dataclass(frozen=True, slots=True)
class SyntaxIssue:
    line: int
    column: int
    message: str


@dataclass(frozen=True, slots=True)
class CodeBlock:
    info: str  # the fence info string
    language: str  # normalised language name, "" when none
    text: str
    line: int  # line of the opening fence (first line for indented code)
    end_line: int  # inclusive
    fenced: bool
    closed: bool
    parsed: bool  # a tree-sitter grammar was run on it
    errors: tuple[SyntaxIssue, ...] = ()

    @property
    def first_code_line(self) -> int:
        return self.line + 1 if self.fenced else self.line


@dataclass(frozen=True, slots=True)
class Link:
    target: str  # as written
    line: int
    column: int
    kind: str  # url|anchor|mailto|path
    source: str = "SKILL.md"  # file the link appears in
    resolved: str | None = None  # posix path relative to the skill root, for kind == "path"
    problem: str | None = None  # None|absolute|outside-root|symlink-outside|missing
    image: bool = False


@dataclass(frozen=True, slots=True)
class SkillFile:
    """Any file in the skill folder other than SKILL.md."""

    path: str  # posix, relative to the skill root
    size: int
    text: str | None  # decoded text, None when not read
    # why text is None: binary|too-large|decode|symlink-outside|symlinked-directory|
    # not-a-regular-file (FIFO, device: never opened)|"unreadable: <why>"
    reason: str | None = None
    symlink: bool = False
    links: tuple[Link, ...] = ()

    @property
    def line_count(self) -> int:
        return 0 if not self.text else self.text.count("\n") + (not self.text.endswith("\n"))

    @property
    def is_reference(self) -> bool:
        """Loaded into context on demand: text docs, not scripts or assets."""
        return self.path.rsplit(".", 1)[-1].lower() in {"md", "markdown", "txt", "rst", "mdx"}

    @property
    def tokens(self) -> int:
        return tokens.count(self.text) if self.text else 0


@dataclass(frozen=True, slots=True)
class Skill:
    root: Path  # the skill folder
    skill_md: Path  # root / "SKILL.md"
    text: str  # decoded SKILL.md with \n line breaks ("" when unreadable)
    content_hash: str  # hash of SKILL.md bytes and every file in the folder
    frontmatter: Frontmatter
    body: str
    body_line: int  # file line of the first body line
    blocks: tuple[Block, ...] = ()
    code_blocks: tuple[CodeBlock, ...] = ()
    links: tuple[Link, ...] = ()
    files: tuple[SkillFile, ...] = ()
    problems: tuple[Problem, ...] = ()
    lines: tuple[str, ...] = field(default=(), repr=False)

    @property
    def folder_name(self) -> str:
        return self.root.name

    @property
    def name(self) -> Any:
        return self.frontmatter.get("name")

    @property
    def description(self) -> Any:
        return self.frontmatter.get("description")

    @property
    def description_text(self) -> str:
        value = self.description
        return value.strip() if isinstance(value, str) else ""

    @property
    def body_lines(self) -> tuple[str, ...]:
        return self.lines[self.body_line - 1 :]

    @property
    def code_lines(self) -> frozenset[int]:
        """SKILL.md lines inside code blocks, fences included."""
        return frozenset(n for block in self.code_blocks for n in range(block.line, block.end_line + 1))

    @property
    def body_tokens(self) -> int:
        return tokens.count(self.body)

    def file(self, path: str) -> SkillFile | None:
        for item in self.files:
            if item.path == path:
                return item
        return None

    @property
    def references(self) -> tuple[SkillFile, ...]:
        return tuple(f for f in self.files if f.is_reference)
