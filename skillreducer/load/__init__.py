"""bytes -> Skill. The one loader: everything that reads a skill folder goes through here."""

from __future__ import annotations

import os
import time
import stat
from pathlib import Path
from typing import Any

from skillreducer import resources
from skillreducer.load import code as code_parse
from skillreducer.load import files as skill_files
from skillreducer.load import frontmatter as fm
from skillreducer.load import markdown
from skillreducer.load.decode import decode
from skillreducer.model import CodeBlock, Frontmatter, Link, Problem, Skill, SkillFile, SyntaxIssue


def loader_limits(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    limits = dict(resources.limits()["loader"])
    if overrides:
        limits.update({k: v for k, v in overrides.items() if k in limits})
    return limits


def _read_capped(path: Path, cap: int) -> bytes:
    """At most cap + 1 bytes of a regular file."""
    data = skill_files.read_regular(path, cap)
    if data is None:
        raise OSError(0, "not a regular file")
    return data


def _trim_partial_utf8(data: bytes) -> bytes:
    """Drop a multi-byte UTF-8 sequence cut in half by a size cap, so the cut is not
    reported as an encoding error."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return data
        if byte >= 0xC0:  # lead byte: keep it only if its sequence is complete
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return data if back >= needed else data[:-back]
    return data


class Snapshot:
    """The raw bytes of one skill folder, read once; enough to hash it for the cache."""

    def __init__(self, root: Path, limits: dict[str, Any]):
        self.root = root
        self.limits = limits = loader_limits(limits)
        self.problems: list[Problem] = []
        self.skill_md = b""
        skill_md = root / "SKILL.md"
        try:
            if skill_md.is_symlink() and not skill_files._inside(os.path.realpath(root), os.path.realpath(skill_md)):
                self.problems.append(Problem("not-a-file", "SKILL.md is a symlink to a file outside the skill folder; not read"))
            elif skill_md.is_dir():
                self.problems.append(Problem("not-a-file", "SKILL.md is a directory, not a file"))
            elif not skill_md.exists():
                self.problems.append(Problem("not-a-file", "SKILL.md does not exist"))
            elif not stat.S_ISREG(os.stat(skill_md).st_mode):
                # A FIFO or device would block or never end: never open it.
                self.problems.append(Problem("not-a-file", "SKILL.md is not a regular file (a pipe, socket or device); not read"))
            else:
                self.skill_md = _read_capped(skill_md, limits["max_skill_md_bytes"])
                if len(self.skill_md) > limits["max_skill_md_bytes"]:
                    self.skill_md = _trim_partial_utf8(self.skill_md[: limits["max_skill_md_bytes"]])
                    self.problems.append(Problem("too-large", f"SKILL.md is larger than {limits['max_skill_md_bytes']} bytes; only the first part was read"))
                elif not self.skill_md.strip():
                    self.problems.append(Problem("empty", "SKILL.md is empty"))
        except (OSError, ValueError) as error:
            self.problems.append(Problem("not-a-file", f"SKILL.md cannot be read: {getattr(error, 'strerror', None) or error}"))
        self.files, truncated = skill_files.scan(root, limits["max_file_bytes"], limits["max_files"])
        if truncated:
            self.problems.append(Problem("too-many-files", f"the skill folder holds more than {limits['max_files']} files; the rest were not read"))
        self.content_hash = skill_files.content_hash(self.skill_md, self.files)


def load_skill(root: Path | str, limits: dict[str, Any] | None = None, snapshot: Snapshot | None = None) -> Skill:
    root = Path(root)
    limits = loader_limits(limits)  # a partial dict overrides the defaults
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

    # markdown-it costs up to ~40 µs a line on hostile input (a million one-character
    # list items): parse at most max_parse_lines lines so a 2 MB file cannot take minutes.
    md_lines = body_lines
    if len(body_lines) > limits["max_parse_lines"]:
        md_lines = body_lines[: limits["max_parse_lines"]]
        problems.append(Problem("too-large", f"SKILL.md has {len(lines):,} lines; only the first {limits['max_parse_lines']:,} body lines were parsed as Markdown", "SKILL.md", body_line + len(md_lines)))
    md_text = body if md_lines is body_lines else "\n".join(md_lines)
    tokens = markdown.parse(md_text) if md_text and not md_text.isspace() else []
    blocks, code_tokens, inlines = markdown.blocks_and_code(tokens, md_lines, body_line)
    parse_clock = {"inline": 0.0, "isolated": 0.0}
    code_blocks = tuple(_code_block(token, closed, body_line, limits, md_lines, parse_clock, problems) for token, closed in code_tokens)
    links = [
        _link(root, "SKILL.md", target, line, column, image)
        for target, line, column, image in markdown.links_from_inlines(inlines, md_lines, body_line)
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
    if max(map(len, lines), default=0) <= max_chars:
        return lines
    long_lines = [i for i, line in enumerate(lines) if len(line) > max_chars]
    problems.append(Problem("long-line", f"{len(long_lines)} line(s) longer than {max_chars} characters; cut for parsing", "SKILL.md", long_lines[0] + 1))
    capped = list(lines)
    for index in long_lines:
        capped[index] = capped[index][:max_chars]
    return capped


def _code_block(token, closed: bool, body_line: int, limits: dict[str, Any], lines: list[str], clock: dict[str, float], problems: list[Problem]) -> CodeBlock:
    fenced = token.type == "fence"
    start, end = token.map
    line = start + body_line
    info = token.info.strip() if fenced else ""
    language = code_parse.language_of(info)
    grammar = code_parse.grammar_for(language)
    text = token.content
    errors: tuple[SyntaxIssue, ...] = ()
    parsed = False
    if grammar and closed and len(text) <= limits["max_code_block_chars"] and not code_parse.unsafe_to_parse(grammar, text):
        first = line + 1 if fenced else line
        issues: tuple[SyntaxIssue, ...] | None = None
        # Small and big blocks spend separate budgets, so one slow child never leaves the
        # small blocks after it unchecked, and many slow children still end in bounded time.
        isolated = len(text.encode("utf-8", "surrogatepass")) > limits["parse_inline_max_bytes"]
        budget_key, budget = ("isolated", limits["parse_isolated_budget_seconds"]) if isolated else ("inline", limits["parse_budget_seconds"])
        started = time.perf_counter()
        if clock[budget_key] > budget:
            reason = f"this file's {'big' if isolated else 'small'} code blocks already took over {budget} s to parse"
        elif isolated:
            # Big blocks are where the parser's worst case lives: parse them in a child
            # that an alarm and a memory limit can stop.
            issues = code_parse.isolated_syntax_issues(grammar, text, first, limits["parse_isolated_seconds"], limits["parse_isolated_memory_mb"] << 20)
            reason = f"the {language} parser gave up on it within {limits['parse_isolated_seconds']} s and {limits['parse_isolated_memory_mb']} MB (it is probably not {language})"
        else:
            issues = code_parse.syntax_issues(grammar, text, first)
        clock[budget_key] += time.perf_counter() - started
        if issues is None:
            problems.append(Problem("code-not-parsed", f"{language} block not checked: {reason}", "SKILL.md", line))
        else:
            parsed = True
            errors = tuple(_file_column(issue, text, first, body_line, lines) for issue in issues)
    return CodeBlock(info, language, text, line, max(start, end - 1) + body_line, fenced, closed, parsed, errors)


def _file_column(issue: SyntaxIssue, code: str, first: int, body_line: int, lines: list[str]) -> SyntaxIssue:
    """Shift a column in the code block's content to the file column: code inside a list
    item or a blockquote lost its indent or '> ' prefix in the content."""
    rows = code.split("\n")
    row, index = issue.line - first, issue.line - body_line
    if not (0 <= row < len(rows) and 0 <= index < len(lines)):
        return issue
    source = lines[index]
    content = rows[row]
    shift = len(source) - len(content)
    if shift <= 0 or not source.endswith(content):
        return issue
    return SyntaxIssue(issue.line, issue.column + shift, issue.message)


def _link(root: Path, source: str, target: str, line: int, column: int, image: bool) -> Link:
    kind, resolved, problem = skill_files.classify_target(root, source, target)
    return Link(target, line, column, kind, source, resolved, problem, image)
