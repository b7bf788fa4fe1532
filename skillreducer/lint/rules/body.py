"""body rules (SR3xx): size, non-actionable share, filler, duplicates, inline reference
material and broken code in the Markdown body of SKILL.md."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterator, Pattern, Sequence

from skillreducer import resources, tokens
from skillreducer.lint import actionability
from skillreducer.lint.rule import Context, Finding, Rule
from skillreducer.load.code import grammar_for
from skillreducer.model import CodeBlock, Skill

_BACKTICKS = re.compile(r"`+")
# Bounded repeats keep hostile lines (20,000 `[x](` in a row) linear.
_LINK_TARGET = re.compile(r"\]\([^)\s]{0,2000}\)|<https?://[^>\s]{0,2000}>|https?://\S+")
_QUOTED = re.compile(r'"[^"]*"|“[^”]{0,2000}”')
_COMMENT_ONLY = re.compile(r"^\s*(?:<!--.*?-->\s*)+$", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.M)
_INDENT = re.compile(r"^[ \t>]*")
_JS_GRAMMARS = {"javascript", "typescript", "tsx"}


def _n(value: int) -> str:
    return f"{value:,}"


def _body_end(skill: Skill) -> int:
    """File line of the last non-blank body line (body_line - 1 when the body is blank)."""
    lines = skill.body_lines
    last = len(lines)
    while last and not lines[last - 1].strip():
        last -= 1
    return skill.body_line + last - 1


def _content_blocks(skill: Skill):
    """Blocks that show something: thematic breaks and comment-only HTML do not."""
    return [b for b in skill.blocks if b.kind != "hr" and not (b.kind == "html" and _COMMENT_ONLY.match(b.text))]


class BodyTooManyLines(Rule):
    code = "SR301"
    name = "body-too-many-lines"
    severity = "warning"
    summary = "The body is longer than the recommended line count."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        limit = ctx.limit("body", "max_lines")
        count = _body_end(skill) - skill.body_line + 1
        if count > limit:
            first_past = skill.body_line + limit
            yield Finding(
                f"body is {_n(count)} lines; the limit is {_n(limit)}: move detail into references/ files",
                first_past,
                end_line=_body_end(skill),
            )


class BodyTooManyTokens(Rule):
    code = "SR302"
    name = "body-too-many-tokens"
    severity = "warning"
    summary = "The body is longer than the recommended token budget."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        limit = ctx.limit("body", "max_tokens")
        # The tokenizer loads only when the body's bytes cannot rule the finding out.
        count = tokens.count_if_at_least(skill.body, limit + 1) if skill.body.strip() else None
        if count is None:
            return
        blocks = _content_blocks(skill)
        line = blocks[0].line if blocks else skill.body_line
        yield Finding(
            f"body is {_n(count)} tokens; the limit is {_n(limit)}: it is loaded whole on every activation, so move detail into references/ files",
            line,
            end_line=_body_end(skill),
        )


_SHARE_ORDER = {"list-item": 0, "code": 2}  # SR303's classifying order by item kind; other kinds 1


class NonActionableShare(Rule):
    code = "SR303"
    name = "non-actionable-share"
    severity = "warning"
    summary = "Most of the body is background, examples or reference data rather than instructions."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        # The learned body classifier (feature model, plain Python: no numpy or sklearn here),
        # the same one reduce places items with and stats counts types with.
        from skillreducer.body.classifier import item_label
        from skillreducer.body.items import body_items

        items = body_items(skill)
        if len(items) < ctx.limit("body", "min_items_for_share"):
            return
        # Measured in characters (whitespace runs counted once), not tokens: close enough
        # for a share and it keeps the tokenizer out of the pre-commit path.
        sizes = [len(" ".join(item.text.split())) for item in items]
        total = sum(sizes)
        limit = ctx.limit("body", "non_actionable_max_share")
        if not total:
            return
        # Stop once the core found so far rules the finding out; a finding needs every item's
        # type, so the order changes only how soon that happens. Likeliest core first: list
        # items, then the rest, code blocks (seldom instructions) last; largest first within
        # each. Repeats count by their own type here (SR305 reports word-for-word repeats),
        # so each item's type is its own.
        labels: dict[int, str] = {}
        core = 0
        for index in sorted(range(len(items)), key=lambda i: (_SHARE_ORDER.get(items[i].kind, 1), -sizes[i])):
            labels[index] = item_label(items, index)
            if labels[index] == "core":
                core += sizes[index]
                if (total - core) / total <= limit:
                    return
        other = total - core
        kept = sum(1 for label in labels.values() if label != "core")
        yield Finding(
            f"{other / total:.1%} of the body ({_n(other)} of {_n(total)} characters, {kept} of {len(items)} items) "
            f"is background, examples, templates or repeats rather than instructions; the limit is {limit:.0%}: "
            "move it into references/ files and say when to read them (skillreducer reduce --only body does this)",
            items[0].line,
            end_line=items[-1].end_line,
        )


@dataclass(frozen=True)
class _Filler:
    pattern: Pattern[str]
    replacements: dict[str, str]  # normalised phrase -> suggestion ("" = delete)
    needles: tuple[str, ...]  # the phrases: one is in the casefolded body if the pattern matches


@functools.cache
def _filler() -> _Filler:
    entries = resources.lexicon("body-filler")["filler"]
    replacements = {" ".join(e["phrase"].lower().split()): e.get("replace", "") for e in entries}
    phrases = tuple(sorted(replacements, key=len, reverse=True))  # longest first: "in order to" before "order"
    # Every match of the big case-insensitive alternation is one of the phrases, as a plain
    # substring of the casefolded, whitespace-collapsed body: test that first.
    return _Filler(_filler_pattern(phrases), replacements, phrases)


def _filler_pattern(phrases: Sequence[str]) -> Pattern[str]:
    """The alternation of normalised phrases, in order, as whole words, case-insensitive.

    Grouped by first character ("i(?:n\\s+order\\s+to|...)|a(?:...)"), each group keeping the
    phrases' order: phrases that start differently never match at the same place (the lexicon
    is lower-case ASCII), so the matches are those of the flat alternation, but the engine
    tries one group per position instead of every phrase."""
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        groups.setdefault(phrase[0], []).append(_phrase_regex(phrase[1:]))
    alternation = "|".join(f"{_phrase_regex(first)}(?:{'|'.join(tails)})" for first, tails in groups.items())
    return re.compile(rf"(?<![\w'-])(?:{alternation})(?![\w'-])", re.I)


def _phrase_regex(text: str) -> str:
    """A normalised phrase (or part of one) as a regex: a space matches any whitespace, ' either apostrophe."""
    return "".join(r"\s+" if char == " " else "['’]" if char == "'" else re.escape(char) for char in text)


def code_spans(line: str) -> Iterator[tuple[int, int]]:
    """(start, end) of inline code spans: a run of n backticks closed by the next run of n.

    Linear in the line (a backreference regex is cubic on a line of backticks)."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(line)]
    later: dict[int, list[int]] = {}  # run length -> indexes of runs, last first
    for index in range(len(runs) - 1, -1, -1):
        later.setdefault(runs[index][1] - runs[index][0], []).append(index)
    index = 0
    while index < len(runs):
        start, end = runs[index]
        candidates = later[end - start]
        while candidates and candidates[-1] <= index:
            candidates.pop()
        if candidates:
            close = candidates.pop()
            yield start, runs[close][1]
            index = close + 1
        else:
            index += 1


def _mask(line: str) -> str:
    """Blank out inline code, link targets and double-quoted text, keeping columns."""
    if "`" in line:
        chars = list(line)
        for start, end in code_spans(line):
            chars[start:end] = " " * (end - start)
        line = "".join(chars)
    for pattern in (_LINK_TARGET, _QUOTED):
        line = pattern.sub(lambda m: " " * len(m.group(0)), line)
    return line


class FillerPhrase(Rule):
    code = "SR304"
    name = "filler-phrase"
    severity = "info"
    summary = "The body uses a filler phrase or hedge that costs tokens and says nothing."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        filler = _filler()
        # One pass over the whole body finds the few lines worth masking and matching.
        body = skill.body
        folded = " ".join(body.casefold().replace("\u2019", "'").split())
        if not any(needle in folded for needle in filler.needles):
            return
        candidates = {skill.body_line + body.count("\n", 0, m.start()) for m in filler.pattern.finditer(body)}
        if not candidates:
            return
        code = skill.code_lines
        for number in sorted(candidates - code):
            line = skill.lines[number - 1]
            for match in filler.pattern.finditer(_mask(line)):
                found = match.group(0)
                suggestion = filler.replacements.get(" ".join(found.lower().replace("’", "'").split()), "")
                advice = f'write "{suggestion}"' if suggestion else "delete it"
                yield Finding(f'filler phrase "{" ".join(found.split())}": {advice}', number, match.start() + 1)


def item_key(kind: str, text: str) -> str:
    """What two items that repeat each other word for word have in common."""
    if kind == "blockquote":
        text = _QUOTE.sub("", text)
    elif kind == "list-item":
        text = _LIST_MARKER.sub("", text, count=1)
    return " ".join(text.split()).casefold()


class DuplicateParagraph(Rule):
    code = "SR305"
    name = "duplicate-paragraph"
    severity = "warning"
    summary = "A paragraph or list item repeats an earlier one word for word."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        minimum = ctx.limit("body", "duplicate_paragraph_min_chars")
        seen: dict[str, int] = {}
        for kind, text, line, end_line, _ordered in actionability.raw_items(skill):
            if kind not in ("paragraph", "list-item", "blockquote"):
                continue
            if len(text) < minimum and text.isascii():
                continue  # its key cannot be longer (an ASCII text keeps its length when casefolded)
            key = item_key(kind, text)
            if len(key) < minimum:
                continue
            if key in seen:
                noun = "list item" if kind == "list-item" else kind
                yield Finding(f"{noun} repeats line {seen[key]} word for word; keep one", line, end_line=end_line)
            else:
                seen[key] = line


class UnclosedCodeFence(Rule):
    code = "SR306"
    name = "unclosed-code-fence"
    severity = "error"
    summary = "A code fence is never closed, so Markdown renders the rest of its container as code."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        for block in skill.code_blocks:
            if block.fenced and not block.closed:
                swallowed = block.end_line - block.line
                what = ("the line after it renders" if swallowed == 1 else f"the {_n(swallowed)} lines after it render") + " as code" if swallowed else "it is the last line"
                yield Finding(
                    f"code fence is never closed: {what} (if it was meant to close an earlier block, that block ended before it)",
                    block.line,
                    end_line=block.end_line,
                )


@dataclass(frozen=True)
class _Snippet:
    placeholder: Pattern[str]
    json_fragment: Pattern[str]
    json_placeholder: Pattern[str]
    shell_placeholder: Pattern[str]
    wrong: Pattern[str]
    jsx: Pattern[str]


@functools.cache
def _snippet() -> _Snippet:
    data = resources.lexicon("body-code")

    def any_of(key: str) -> Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in data[key]))

    return _Snippet(
        any_of("placeholder_patterns"),
        any_of("json_fragment_patterns"),
        any_of("json_placeholder_patterns"),
        any_of("shell_placeholder_patterns"),
        any_of("wrong_example_patterns"),
        re.compile(data["jsx_pattern"]),
    )


def _not_meant_to_parse(skill: Skill, block: CodeBlock, grammar: str) -> bool:
    """Abridged or deliberately wrong snippets: see rules/lexicons/body-code.toml."""
    snippet = _snippet()
    issue = block.errors[0]
    rows = block.text.split("\n")
    row = issue.line - block.first_code_line
    error_line = rows[row] if 0 <= row < len(rows) else ""
    if snippet.placeholder.search(error_line):
        return True
    if any(r.strip() in ("...", "…") for r in rows):
        return True
    lead_in = next((skill.lines[n - 1] for n in range(block.line - 1, max(block.line - 4, 0), -1) if skill.lines[n - 1].strip()), "")
    if snippet.wrong.search(block.text) or snippet.wrong.search(lead_in):
        return True
    if grammar == "bash" and snippet.shell_placeholder.search(block.text):
        return True
    if grammar == "json":
        first = next((r for r in rows if r.strip() and not r.lstrip().startswith("//")), "")
        if snippet.json_fragment.search(first) or snippet.json_placeholder.search(error_line):
            return True
    if grammar in _JS_GRAMMARS and ("</" in block.text or "/>" in block.text) and snippet.jsx.search(block.text):
        return True  # JSX snippets: see the lexicon
    return False


def _syntax_findings(skill: Skill, shell: bool) -> Iterator[Finding]:
    for block in skill.code_blocks:
        if not (block.parsed and block.errors):
            continue
        grammar = grammar_for(block.language) or block.language
        if (grammar == "bash") != shell or _not_meant_to_parse(skill, block, grammar):
            continue
        issue = block.errors[0]
        # Code inside a list item or quote is indented in the file; the parser saw it dedented.
        indent = len(_INDENT.match(skill.lines[block.line - 1]).group(0)) if block.fenced else 0
        label = f"{grammar} (`{block.language}`)" if block.language != grammar else grammar
        where = " at the end of the block" if issue.line > block.end_line - block.fenced else ""
        more = f" (and {len(block.errors) - 1} more)" if len(block.errors) > 1 else ""
        yield Finding(f"{label} code block does not parse: {issue.message}{where}{more}", issue.line, issue.column + indent)


class CodeBlockSyntaxError(Rule):
    code = "SR307"
    name = "code-block-syntax-error"
    severity = "warning"
    summary = "A code block does not parse in the language its fence names."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        yield from _syntax_findings(skill, shell=False)
        for problem in skill.problems:
            if problem.kind == "code-not-parsed":
                yield Finding(problem.message, problem.line, problem.column, path=problem.path)


class ShellSyntaxHint(Rule):
    code = "SR308"
    name = "shell-syntax-hint"
    severity = "info"
    summary = "A shell code block may not parse."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        yield from _syntax_findings(skill, shell=True)


class LargeInlineTable(Rule):
    code = "SR309"
    name = "large-inline-table"
    severity = "warning"
    summary = "A large Markdown table sits in the body instead of a reference file."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        limit = ctx.limit("body", "table_max_rows")
        for block in skill.blocks:
            if block.kind != "table":
                continue
            rows = sum(1 for row in block.text.split("\n") if row.strip()) - 2  # header and delimiter
            if rows > limit:
                yield Finding(
                    f"table has {_n(rows)} rows; the limit is {_n(limit)}: move it into a references/ file and say when to read it",
                    block.line,
                    end_line=block.end_line,
                )


class LargeInlineListing(Rule):
    code = "SR310"
    name = "large-inline-listing"
    severity = "warning"
    summary = "A long code listing sits in the body instead of references/ or scripts/."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        limit = ctx.limit("body", "code_block_max_lines")
        for block in skill.code_blocks:
            if block.fenced and not block.closed:
                continue  # its "length" is whatever the open fence swallowed: SR306
            count = len(block.text.splitlines())
            if count > limit:
                where = "scripts/" if grammar_for(block.language) in ("python", "bash", "javascript", "typescript") else "references/"
                yield Finding(
                    f"code block is {_n(count)} lines; the limit is {_n(limit)}: move it into {where} and point to it",
                    block.line,
                    end_line=block.end_line,
                )


class EmptySection(Rule):
    code = "SR311"
    name = "empty-section"
    severity = "warning"
    summary = "A heading has no content before the next heading of the same or higher level."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        blocks = _content_blocks(skill)
        for index, block in enumerate(blocks):
            if block.kind != "heading":
                continue
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            title = " ".join(_HTML_COMMENT.sub(" ", block.inline).split())
            if following is None:
                yield Finding(f'section "{title}" is empty: the body ends after its heading', block.line)
            elif following.kind == "heading" and following.level <= block.level:
                yield Finding(f'section "{title}" is empty: the next heading (line {following.line}) is at the same or a higher level', block.line)


class EmptyBody(Rule):
    code = "SR312"
    name = "empty-body"
    severity = "warning"
    summary = "The skill has frontmatter but no body."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        fm = skill.frontmatter
        if fm.present and fm.end_line and not _content_blocks(skill):
            yield Finding("body is empty: the skill has frontmatter but no instructions for the agent", fm.end_line)


class CodeFenceNoLanguage(Rule):
    code = "SR313"
    name = "code-fence-no-language"
    severity = "info"
    summary = "A fenced code block has no language."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        for block in skill.code_blocks:
            if block.fenced and not block.info:
                yield Finding("code fence has no language: name one (`bash`, `python`, `text`) so it can be highlighted and checked", block.line)


class VeryLongLine(Rule):
    code = "SR314"
    name = "very-long-line"
    severity = "warning"
    summary = "A line of SKILL.md is very long."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        limit = ctx.limit("body", "line_max_chars")
        cap = ctx.limit("loader", "max_line_chars")
        reported: set[int] = set()
        for number, line in enumerate(skill.body_lines, skill.body_line):
            if len(line) > limit:
                cut = f", and only the first {_n(cap)} were parsed" if len(line) > cap else ""
                reported.add(number)
                yield Finding(f"line is {_n(len(line))} characters; the limit is {_n(limit)}{cut}: wrap it or move the data into a file", number)
        for problem in skill.problems:
            # The loader's note on cut lines also covers the frontmatter and other files.
            if problem.kind == "long-line" and not (problem.path == "SKILL.md" and problem.line in reported):
                yield Finding(problem.message, problem.line, problem.column, path=problem.path)


class UnusedSuppression(Rule):
    code = "SR399"
    name = "unused-suppression"
    severity = "warning"
    summary = "An inline suppression comment silences nothing."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        return iter(())  # the runner judges suppressions after every other rule has run
