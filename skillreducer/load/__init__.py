"""bytes -> Skill. The one loader: everything that reads a skill folder goes through here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from skillreducer import resources
from skillreducer.load import code as code_parse
from skillreducer.load import files as skill_files
from skillreducer.load import frontmatter as fm
from skillreducer.load import markdown
from skillreducer.load.decode import decode
from skillreducer.model import CodeBlock, Frontmatter, Link, Problem, Skill, SkillFile


def loader_limits(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    limits = dict(resources.limits()["loader"])
    if overrides:
        limits.update({k: v for k, v in overrides.items() if k in limits})
    return limits


class Snapshot:
    """The raw bytes of one skill folder, read once; enough to hash it for the cache."""

    def __init__(self, root: Path, limits: dict[str, Any]):
        self.root = root
        self.limits = limits
        self.problems: list[Problem] = []
        self.skill_md = b""
        skill_md = root / "SKILL.md"
        try:
            if skill_md.is_dir():
                self.problems.append(Problem("not-a-file", "SKILL.md is a directory, not a file"))
            elif skill_md.is_symlink() and not skill_files._inside(os.path.realpath(root), os.path.realpath(skill_md)):
                self.problems.append(Problem("not-a-file", "SKILL.md is a symlink to a file outside the skill folder; not read"))
            elif not skill_md.exists():
                self.problems.append(Problem("not-a-file", "SKILL.md does not exist"))
            else:
                with open(skill_md, "rb") as handle:
                    self.skill_md = handle.read(limits["max_skill_md_bytes"] + 1)
                if len(self.skill_md) > limits["max_skill_md_bytes"]:
                    self.skill_md = self.skill_md[: limits["max_skill_md_bytes"]]
                    self.problems.append(Problem("too-large", f"SKILL.md is larger than {limits['max_skill_md_bytes']} bytes; only the first part was read"))
                elif not self.skill_md.strip():
                    self.problems.append(Problem("empty", "SKILL.md is empty"))
        except OSError as error:
            self.problems.append(Problem("not-a-file", f"SKILL.md cannot be read: {error.strerror or error}"))
        self.files, truncated = skill_files.scan(root, limits["max_file_bytes"], limits["max_files"])
        if truncated:
            self.problems.append(Problem("too-many-files", f"the skill folder holds more than {limits['max_files']} files; the rest were not read"))
        self.content_hash = skill_files.content_hash(self.skill_md, self.files)


def load_skill(root: Path | str, limits: dict[str, Any] | None = None, snapshot: Snapshot | None = None) -> Skill:
    root = Path(root)
    limits = limits or loader_limits()
    snapshot = snapshot or Snapshot(root, limits)
    problems = list(snapshot.problems)
    text, decode_problems = decode(snapshot.skill_md)
    problems.extend(decode_problems)
    lines = text.split("\n")
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()
    parse_lines = _cap_lines(lines, limits["max_line_chars"], problems)

    start, end = fm.split(parse_lines)
    if start:
        frontmatter: Frontmatter = fm.parse("\n".join(parse_lines[start : end - 1] if end else parse_lines[start:]), start, end, limits)
        body_line = end + 1 if end else 1
    else:
        frontmatter = Frontmatter(present=False)
        body_line = 1
    body_lines = parse_lines[body_line - 1 :]
    body = "\n".join(body_lines)

    tokens = markdown.parse(body) if body.strip() else []
    blocks, code_tokens, inlines = markdown.blocks_and_code(tokens, body_lines, body_line)
    code_blocks = tuple(_code_block(token, closed, body_line, limits) for token, closed in code_tokens)
    links = [
        _link(root, "SKILL.md", target, line, column, image)
        for target, line, column, image in markdown.links_from_inlines(inlines, body_lines, body_line)
    ]

    skill_files_out = []
    for raw in snapshot.files:
        text_value, reason = skill_files.decode_text(raw)
        file_links: tuple[Link, ...] = ()
        if text_value is not None and raw.path.rsplit(".", 1)[-1].lower() in ("md", "markdown", "mdx"):
            file_links = tuple(_link(root, raw.path, t, ln, col, False) for t, ln, col in skill_files.markdown_link_targets(text_value))
        skill_files_out.append(SkillFile(raw.path, raw.size, text_value, reason, raw.symlink, file_links))

    return Skill(
        root=root,
        skill_md=root / "SKILL.md",
        text=text,
        content_hash=snapshot.content_hash,
        frontmatter=frontmatter,
        body=body,
        body_line=body_line,
        blocks=tuple(blocks),
        code_blocks=code_blocks,
        links=tuple(links),
        files=tuple(skill_files_out),
        problems=tuple(problems),
        lines=tuple(lines),
    )


def _cap_lines(lines: list[str], max_chars: int, problems: list[Problem]) -> list[str]:
    long_lines = [i for i, line in enumerate(lines) if len(line) > max_chars]
    if not long_lines:
        return lines
    problems.append(Problem("long-line", f"{len(long_lines)} line(s) longer than {max_chars} characters; cut for parsing", "SKILL.md", long_lines[0] + 1))
    capped = list(lines)
    for index in long_lines:
        capped[index] = capped[index][:max_chars]
    return capped


def _code_block(token, closed: bool, body_line: int, limits: dict[str, Any]) -> CodeBlock:
    fenced = token.type == "fence"
    start, end = token.map
    line = start + body_line
    info = token.info.strip() if fenced else ""
    language = code_parse.language_of(info)
    grammar = code_parse.grammar_for(language)
    text = token.content
    errors = ()
    parsed = False
    if grammar and closed and len(text) <= limits["max_code_block_chars"]:
        parsed = True
        errors = code_parse.syntax_issues(grammar, text, line + 1 if fenced else line)
    return CodeBlock(info, language, text, line, max(start, end - 1) + body_line, fenced, closed, parsed, errors)


def _link(root: Path, source: str, target: str, line: int, column: int, image: bool) -> Link:
    kind, resolved, problem = skill_files.classify_target(root, source, target)
    return Link(target, line, column, kind, source, resolved, problem, image)
