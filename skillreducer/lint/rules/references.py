"""references rules (SR4xx): the links of SKILL.md and its reference files, and the files
SKILL.md sends the agent to (level 3 of progressive disclosure)."""

from __future__ import annotations

import functools
import posixpath
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator
from urllib.parse import unquote

from skillreducer import resources, tokens
from skillreducer.lint.rule import Context, Finding, Rule
from skillreducer.load.files import lines_holding
from skillreducer.model import Link, Skill, SkillFile

_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})(.*)$")
_MARKDOWN_EXT = frozenset({"md", "markdown", "mdx"})
_DOC_EXT = frozenset({"md", "markdown", "mdx", "txt", "rst"})
_WORD_SPLIT = re.compile(r"[-_. ]+")
# A file stem distinctive enough that naming it in prose names the file ("bundle-conditional").
_DISTINCT_STEM = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)+$")
_NOT_READ = ("decode", "too-large", "unreadable", "not-a-regular-file")


# --- helpers shared with the security rules -------------------------------------------


def fenced_lines(text: str) -> frozenset[int]:
    """1-based lines inside fenced code blocks (fences included) of Markdown the loader does
    not parse (reference files); a cheap fence tracker, not a Markdown parser."""
    inside: set[int] = set()
    opener, opened = "", 0
    # Only a line holding ``` or ~~~ can open or close a fence: the lines between are inside.
    for number, begin, end in lines_holding(text, ("```", "~~~")):
        match = _FENCE.match(text[begin:end])
        if not match:
            continue
        fence, info = match.groups()
        if not opener:
            # A backtick fence's info string may not hold a backtick (that is inline code).
            if not (fence[0] == "`" and "`" in info):
                opener, opened = fence, number
        elif fence[0] == opener[0] and len(fence) >= len(opener) and not info.strip():
            inside.update(range(opened, number + 1))
            opener = ""
    if opener:  # unclosed: code to the end
        inside.update(range(opened, text.count("\n") + 2))
    return frozenset(inside)


def in_code_span(line: str, column: int) -> bool:
    """Whether 1-based `column` of `line` sits inside an inline `code span` (odd backticks before it)."""
    return line.count("`", 0, column - 1) % 2 == 1


def extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


# --- layout ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    reference_dirs: frozenset[str]
    non_reference_dirs: frozenset[str]
    human_files: frozenset[str]
    human_words: frozenset[str]
    human_dirs: frozenset[str]
    root_variables: tuple[str, ...]
    outer_variables: tuple[str, ...]
    toc_headings: frozenset[str]
    toc_words: tuple[str, ...]  # the longest word of each TOC heading: a title line holds one
    mention: re.Pattern[str]
    mention_needles: tuple[str, ...]  # a mention holds one of these ("references/")


@functools.cache
def _layout() -> _Layout:
    lex: dict[str, Any] = resources.lexicon("references-layout")
    toc_headings = frozenset(h.lower() for h in lex["toc_headings"])
    if not all(h.isascii() and h.strip() for h in toc_headings):
        # _has_toc looks for a heading's words in line.lower(), which holds them unchanged
        # only when they are ASCII (a Greek final sigma lowers by context).
        raise ValueError("references-layout: every toc_headings entry must be non-empty ASCII")
    variables = "|".join(re.escape(v) + "/" for v in sorted(lex["root_variables"], key=len, reverse=True))
    dirs = "|".join(re.escape(d) for d in lex["mention_dirs"])
    # A path naming a skill folder in prose: not part of a longer path (no '/' before it),
    # no placeholder right after it (<name>, {topic}, *).
    mention = re.compile(
        rf"(?<![\w./~\\-])(?:{variables})?(?P<path>(?:\./)?(?:{dirs})/(?:[\w.-]+/)*[\w-][\w.-]*\.[A-Za-z0-9]+)(?![\w/<{{*$\\-])"
    )
    return _Layout(
        frozenset(d.lower() for d in lex["reference_dirs"]),
        frozenset(d.lower() for d in lex["non_reference_dirs"]),
        frozenset(h.lower() for h in lex["human_files"]),
        frozenset(h.lower() for h in lex["human_words"]),
        frozenset(h.lower() for h in lex["human_dirs"]),
        tuple(lex["root_variables"]),
        tuple(lex["outer_variables"]),
        toc_headings,
        tuple(sorted({max(h.split(), key=len) for h in toc_headings})),
        mention,
        tuple(d + "/" for d in lex["mention_dirs"]),
    )


def _top(path: str) -> str:
    return path.split("/", 1)[0].lower() if "/" in path else ""


def is_reference_path(path: str) -> bool:
    """A file the agent reads on demand: anything under references/, or a text document
    outside scripts/, assets/ and the like that is not a README/LICENSE for people."""
    layout = _layout()
    top = _top(path)
    name = path.rsplit("/", 1)[-1]
    if name.startswith("."):
        return False  # .DS_Store, .gitkeep
    if top in layout.reference_dirs:
        return True
    if top in layout.non_reference_dirs or extension(path) not in _DOC_EXT:
        return False
    stem = name.rsplit(".", 1)[0].lower()
    if stem in layout.human_files or not layout.human_words.isdisjoint(_WORD_SPLIT.split(stem)):
        return False
    return layout.human_dirs.isdisjoint(path.lower().split("/")[:-1])


def _strip_variable(path: str) -> tuple[str, str]:
    """('root'|'outer'|'', rest) for a path that starts with a host variable."""
    layout = _layout()
    for variable in layout.root_variables:
        if path.startswith(variable + "/"):
            return "root", path[len(variable) + 1 :]
    for variable in layout.outer_variables:
        if path.startswith(variable):
            return "outer", path
    return "", path


# --- one analysis per skill, shared by the rules ---------------------------------------


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_DIR_TOKEN = re.compile(r"(?<![\w/.-])((?:[\w.{}$-]+/)+)(?![\w.-])")


@dataclass
class _Analysis:
    paths: frozenset[str]  # every file and folder the loader listed
    opaque: tuple[str, ...]  # folders whose contents are unknown (symlinked directories)
    complete: bool  # False when the loader stopped at max_files
    docs: dict[str, SkillFile]  # reference documents with text, by path
    candidates: list[SkillFile]  # every reference file (text or not)
    skill_text: str  # SKILL.md
    direct: set[str] = field(default_factory=set)  # paths SKILL.md links or names
    parent: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # nested doc -> first edge reaching it
    fenced: dict[str, frozenset[int]] = field(default_factory=dict)

    def exists(self, path: str) -> bool | None:
        """True/False, or None when the loader could not know (truncated scan, symlinked folder)."""
        path = posixpath.normpath(path) if path else "."
        if path in self.paths or path in (".", "SKILL.md"):
            return True
        if not self.complete or any(path.startswith(o + "/") for o in self.opaque):
            return None
        return False

    @functools.cached_property
    def named_dirs(self) -> frozenset[str]:
        """Folders SKILL.md names ("references/"), lower case. Asked only about files SKILL.md
        does not reach, so most skills never build it."""
        text = self.skill_text
        # A folder token holds a '/'; each is resolved once (skills repeat "references/" a lot).
        written = {m.group(1) for _, begin, end in lines_holding(text, ("/",)) for m in _DIR_TOKEN.finditer(text, begin, end)}
        folders = (_normal(raw.rstrip("/")) for raw in written)
        return frozenset(folder.lower() for folder in folders if folder and folder != ".")


_cached: tuple[Skill, _Analysis] | None = None


def _analysis(skill: Skill) -> _Analysis:
    """Built once per skill and shared by SR401-SR409 (the runner checks one skill at a time)."""
    global _cached
    if _cached is not None and _cached[0] is skill:
        return _cached[1]
    paths: set[str] = set()
    for item in skill.files:
        parts = item.path.split("/")
        paths.update("/".join(parts[:i]) for i in range(1, len(parts) + 1))
    opaque = tuple(f.path for f in skill.files if f.reason in ("symlinked-directory", "symlink-outside"))
    complete = not any(p.kind == "too-many-files" for p in skill.problems)
    candidates = [f for f in skill.files if is_reference_path(f.path) and f.reason not in ("symlinked-directory", "symlink-outside")]
    docs = {f.path: f for f in candidates if f.text is not None}
    result = _Analysis(frozenset(paths), opaque, complete, docs, candidates, skill.text)
    _link_graph(skill, result)
    _cached = (skill, result)
    return result


def _normal(path: str, base: str = "") -> str | None:
    kind, rest = _strip_variable(unquote(path))
    if kind == "outer":
        return None
    joined = posixpath.normpath(posixpath.join(base if not kind else "", rest.removeprefix("./")))
    return None if joined.startswith("..") or joined.startswith("/") else joined


def _link_graph(skill: Skill, result: _Analysis) -> None:
    if not result.candidates:
        return
    by_lower = {p.lower(): p for p in (f.path for f in result.candidates)}
    by_name: dict[str, list[str]] = {}
    for path in by_lower.values():
        by_name.setdefault(path.rsplit("/", 1)[-1].lower(), []).append(path)

    # Level 1: what SKILL.md links or names, by path or by file name (names are lenient on purpose).
    for link in skill.links:
        if link.kind == "path" and link.resolved and link.resolved.lower() in by_lower:
            result.direct.add(by_lower[link.resolved.lower()])
    lower = lower_same_length(skill.text)
    for raw, name, _ in _name_hits(skill.text, lower, by_name):
        token = _normal(raw)
        if token is not None and token.lower() in by_lower:
            result.direct.add(by_lower[token.lower()])
        else:
            result.direct.update(by_name[name])
    stems: dict[str, list[str]] = {}
    for path in by_lower.values():
        stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
        if _DISTINCT_STEM.match(stem):
            stems.setdefault(stem, []).append(path)
    for stem, stem_paths in stems.items():
        if _is_word(lower, stem):
            result.direct.update(stem_paths)

    # Deeper levels: links and path mentions inside reference documents. Edges only lead
    # to reference files, so once every one is reached no document can add one.
    queue = deque(sorted(p for p in result.direct if p in result.docs))
    reached = set(result.direct)
    while queue and len(reached) < len(by_lower):
        source = queue.popleft()
        for target, line, column in _edges(result, source, by_lower, by_name, reached):
            reached.add(target)
            result.parent[target] = (source, line, column)
            if target in result.docs:
                queue.append(target)


def _edges(result: _Analysis, source: str, by_lower: dict[str, str], by_name: dict[str, list[str]], reached: set[str]) -> Iterator[tuple[str, int, int]]:
    """The first edge from `source` to each file not in `reached` (which the caller grows)."""
    doc = result.docs[source]
    for link in doc.links:
        if link.kind == "path" and link.resolved and link.resolved.lower() in by_lower:
            target = by_lower[link.resolved.lower()]
            if target not in reached:
                yield target, link.line, link.column
    base = posixpath.dirname(source)
    text = doc.text or ""
    for raw, _, offset in _name_hits(text, lower_same_length(text), by_name):
        for candidate in (_normal(raw, base), _normal(raw)):
            if candidate and candidate.lower() in by_lower:
                target = by_lower[candidate.lower()]
                if target not in reached:
                    yield target, text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
                break


def _is_word(lower: str, word: str) -> bool:
    """Whether `word` (a distinct stem: [a-z0-9] at both ends) is a whole word of `lower`,
    a word being a run of [a-z0-9_-] with its end '-' and '_' trimmed. Finding the few
    stems costs a fraction of listing every word."""
    index = lower.find(word)
    while index >= 0:
        end = index + len(word)
        before = index
        while before > 0 and lower[before - 1] in "-_":
            before -= 1
        after = end
        while after < len(lower) and lower[after] in "-_":
            after += 1
        if (before == 0 or lower[before - 1] not in _WORD_CHARS) and (after == len(lower) or lower[after] not in _WORD_CHARS):
            return True
        index = lower.find(word, end)
    return False


_LEADING_DOTS = re.compile(r"^\.+(?![./])")
_NAME_EDGE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_PATH_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./{}$")


def lower_same_length(text: str) -> str:
    """text.lower() with its offsets kept: a character whose lower case is longer ('İ')
    stays as it is, so an offset found in the result indexes `text`."""
    lower = text.lower()
    return lower if len(lower) == len(text) else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _name_hits(text: str, lower: str, by_name: dict[str, list[str]]) -> Iterator[tuple[str, str, int]]:
    """(path as written, file name, offset) wherever a reference's file name appears in
    `lower` (lower_same_length(text)) as a whole word, with the folders written before it
    ("references/api.md", "./api.md"). Finding the few known names is much cheaper than
    tokenizing every path-like word."""
    for name in by_name:
        index = lower.find(name)
        while index >= 0:
            end = index + len(name)
            if (end >= len(text) or text[end] not in _NAME_EDGE) and (index == 0 or text[index - 1] not in _NAME_EDGE):
                start = index
                while start > 0 and text[start - 1] in _PATH_CHARS:
                    start -= 1
                raw = text[start:end]
                trimmed = _LEADING_DOTS.sub("", raw)  # "...see api.md", not "./api.md"
                yield trimmed, name, start + len(raw) - len(trimmed)
            index = lower.find(name, end)


def _fenced(result: _Analysis, path: str) -> frozenset[int]:
    if path not in result.fenced:
        result.fenced[path] = fenced_lines(result.docs[path].text or "")
    return result.fenced[path]


def _path_links(skill: Skill, result: _Analysis, problems: tuple[str, ...]) -> Iterator[Link]:
    """Path links with one of `problems` in SKILL.md and in reference documents, minus those
    inside code in a reference document (reference files are matched by pattern, so code
    like `[C](=O)` looks like a link). Few links have a problem: the code is looked up for those."""
    for link in skill.links:
        if link.kind == "path" and link.problem in problems:
            yield link
    for path, doc in result.docs.items():
        if extension(path) not in _MARKDOWN_EXT:
            continue
        links = [link for link in doc.links if link.kind == "path" and link.problem in problems]
        if not links:
            continue
        lines = (doc.text or "").split("\n")
        fenced = _fenced(result, path)
        for link in links:
            if link.line in fenced or in_code_span(lines[link.line - 1], link.column):
                continue
            yield link


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


# --- rules -----------------------------------------------------------------------------


class LinkTargetMissing(Rule):
    code = "SR401"
    name = "link-target-missing"
    severity = "error"
    summary = "A relative link or a named skill path points to a file that does not exist."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        result = _analysis(skill)
        reported: set[tuple[int, str]] = set()
        for link in _path_links(skill, result, ("missing",)):
            kind, rest = _strip_variable(unquote(link.target.split("#", 1)[0].split("?", 1)[0]))
            if kind == "outer":
                continue  # relative to the plugin or project, not to this folder
            if kind == "root" and result.exists(rest) is not False:
                continue
            if not kind and link.source != "SKILL.md" and result.exists(rest.replace("\\", "/")) is not False:
                continue  # agents read paths in references from the skill root too
            what = "image" if link.image else "link"
            if link.source == "SKILL.md":
                reported.add((link.line, posixpath.normpath(rest)))
            yield Finding(f"{what} target {unquote(link.target)!r} does not exist in the skill folder", link.line, link.column, path=link.source)
        yield from self._mentions(skill, result, reported)

    def _mentions(self, skill: Skill, result: _Analysis, reported: set[tuple[int, str]]) -> Iterator[Finding]:
        """`references/api.md` or scripts/run.py named in SKILL.md prose (not code blocks)."""
        pattern = _layout().mention
        code: frozenset[int] | None = None
        text = skill.text
        body = sum(len(line) + 1 for line in skill.lines[: skill.body_line - 1])  # offset of the body
        for number, begin, end in lines_holding(text, _layout().mention_needles, body, skill.body_line):
            code = skill.code_lines if code is None else code  # built once a mention is met
            if number in code:
                continue
            for match in pattern.finditer(text, begin, end):
                path = posixpath.normpath(match.group("path"))
                if (number, path) in reported or result.exists(path) is not False:
                    continue
                reported.add((number, path))
                yield Finding(f"{match.group('path')} is named here but does not exist in the skill folder", number, match.start("path") - begin + 1)


class LinkOutsideRoot(Rule):
    code = "SR402"
    name = "link-outside-root"
    severity = "warning"
    summary = "A link points outside the skill folder (a parent path or an absolute path)."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        for link in _path_links(skill, _analysis(skill), ("outside-root", "absolute")):
            if link.problem == "absolute":
                message = f"link target {link.target!r} is an absolute path; the agent resolves it on the user's machine, not in the skill folder"
            else:
                message = f"link target {link.target!r} leaves the skill folder; it breaks when the skill is installed on its own"
            yield Finding(message, link.line, link.column, path=link.source)


class SymlinkOutsideRoot(Rule):
    code = "SR403"
    name = "symlink-outside-root"
    severity = "error"
    summary = "A file or link in the skill goes through a symlink that leaves the skill folder."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        for item in skill.files:
            if item.reason == "symlink-outside":
                yield Finding(f"{item.path} is a symlink to a path outside the skill folder; it is not read and does not travel with the skill", 1, path=item.path)
        for link in (*skill.links, *(l for f in skill.files for l in f.links)):
            if link.problem == "symlink-outside":
                yield Finding(f"link target {link.target!r} goes through a symlink that leaves the skill folder", link.line, link.column, path=link.source)


class ReferenceNested(Rule):
    code = "SR404"
    name = "reference-nested"
    severity = "warning"
    summary = "A reference file is reached only through another reference file, not from SKILL.md."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        result = _analysis(skill)
        for target, (source, line, column) in result.parent.items():
            if extension(target) not in _DOC_EXT or _under_named_dir(target, result):
                continue
            chain = [target, source]
            while chain[-1] in result.parent:
                chain.append(result.parent[chain[-1]][0])
            steps = ["SKILL.md", *reversed(chain)]
            route = " → ".join(steps if len(steps) <= 4 else [*steps[:2], "…", *steps[-2:]])
            yield Finding(f"{target} is reached only through {source} ({route}); link it from SKILL.md so references stay one level deep", line, column, path=source)


def _under_named_dir(path: str, result: _Analysis) -> bool:
    lowered = path.lower()
    return any(lowered.startswith(d + "/") for d in result.named_dirs)


class ReferenceOrphan(Rule):
    code = "SR405"
    name = "reference-orphan"
    severity = "warning"
    summary = "A reference file is never linked or named from SKILL.md, so the agent cannot know to read it."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        if not skill.text.strip():
            return  # no SKILL.md to point anywhere; that is reported on its own
        result = _analysis(skill)
        for item in result.candidates:
            if item.path in result.direct or item.path in result.parent or _under_named_dir(item.path, result):
                continue
            yield Finding(f"{item.path} is not linked or named from SKILL.md (nor from a file it links); say when to read it, or remove it", 1, path=item.path)


class ReferenceBinary(Rule):
    code = "SR406"
    name = "reference-binary"
    severity = "warning"
    summary = "A binary file sits among the reference documents; binaries belong in `assets/`."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        for item in _analysis(skill).candidates:
            if item.reason == "binary":
                yield Finding(f"{item.path} is binary ({_plural(item.size, 'byte')}); references are read as text, so move it to assets/ or convert it to text", 1, path=item.path)


class ReferenceTooManyTokens(Rule):
    code = "SR407"
    name = "reference-too-many-tokens"
    severity = "warning"
    summary = "A reference file is too long to load in one read."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        limit = int(ctx.limit("references", "max_tokens"))
        for path, doc in _analysis(skill).docs.items():
            count = tokens.count_if_at_least(doc.text, limit + 1) if doc.text else None
            if count is not None:
                yield Finding(f"{path} is {count:,} tokens; the limit is {limit:,} (split it by topic)", 1, path=path)


# [^\S\n] is whitespace other than a line break: a match stays on its line.
# An ATX heading line, found from the '\n' before it (a search for a '\n' is fast).
_HEADING = re.compile(r"\n {0,3}#{1,6}[^\S\n]+(.*)")
_LIST_ITEMS = re.compile(r"^[^\S\n]*(?:[-*+]|\d+[.)])[^\S\n]+(.*)$", re.MULTILINE)  # each item's text
_MARKUP = re.compile(r"[*_`:]+|\[|\]\([^)]*\)")


def _plain(text: str) -> str:
    return " ".join(_MARKUP.sub(" ", text).split()).lower()


def _heading_text(heading: re.Match[str]) -> str:
    """A _HEADING's text without its closing run of '#' and the spaces around it."""
    return heading.group(1).rstrip().rstrip("#").rstrip()


class ReferenceNoToc(Rule):
    code = "SR408"
    name = "reference-no-toc"
    severity = "info"
    summary = "A long reference file has no table of contents near the top."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        min_lines = int(ctx.limit("references", "toc_min_lines"))
        search = int(ctx.limit("references", "toc_search_lines"))
        entries = int(ctx.limit("references", "toc_min_entries"))
        result = _analysis(skill)
        for path, doc in result.docs.items():
            if extension(path) not in _DOC_EXT or doc.line_count <= min_lines:
                continue
            if not _has_toc(doc.text or "", functools.partial(_fenced, result, path), search, entries):
                yield Finding(f"{path} has {doc.line_count:,} lines and no table of contents in its first {search} lines; list its sections at the top so a partial read shows what it holds", 1, path=path)


def _has_toc(text: str, fenced: Callable[[], frozenset[int]], search: int, entries: int) -> bool:
    """A TOC title in the first `search` lines, or `entries` anchor links or list items
    naming headings there (outside fenced code)."""
    layout = _layout()
    head = text.split("\n", search)[:search]
    head_fenced = fenced_lines("\n".join(head))  # fences before a line decide whether it is fenced
    lines = [line for number, line in enumerate(head, 1) if number not in head_fenced] if head_fenced else head
    kept = "\n".join(lines)
    # A line is a title only if its lower case holds the title's words: check only the
    # lines holding one of toc_words.
    for number, _, _ in lines_holding(kept.lower(), layout.toc_words):
        line = lines[number - 1]
        heading = _HEADING.match("\n" + line)
        if _plain(_heading_text(heading) if heading else line) in layout.toc_headings:
            return True
    if kept.count("](#") >= entries:
        return True
    items = _LIST_ITEMS.findall(kept)
    if len(items) < entries:
        return False  # too few list items to name enough headings
    unnamed = Counter(map(_plain, items))
    # Fences, the costly part, matter only for headings that name an item: find those first.
    naming = [(offset, heading) for offset, heading in _headings(text) if heading in unnamed]
    if sum(unnamed[heading] for heading in {heading for _, heading in naming}) < entries:
        return False  # too few named even counting headings in code
    code = fenced()
    named = line = counted = 0
    for offset, heading in naming:  # offsets ascend: count the lines between, not from the top
        line += text.count("\n", counted, offset)
        counted = offset
        if line + 1 not in code:
            named += unnamed.pop(heading, 0)
    return named >= entries


def _headings(text: str) -> Iterator[tuple[int, str]]:
    """(offset of its line, plain text) of each heading, fenced code not told apart."""
    for heading in _HEADING.finditer("\n" + text):
        yield heading.start(), _plain(_heading_text(heading))


class ReferenceUnreadable(Rule):
    code = "SR409"
    name = "reference-unreadable"
    severity = "warning"
    summary = "A reference file could not be read as text (not UTF-8, too large, or not a regular file)."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        for item in _analysis(skill).candidates:
            reason = item.reason or ""
            if not reason.startswith(_NOT_READ):
                continue
            if reason == "decode":
                detail = "is not valid UTF-8"
            elif reason == "too-large":
                detail = f"is {_plural(item.size, 'byte')}, over the loader's file size cap"
            elif reason == "not-a-regular-file":
                detail = "is not a regular file"
            else:
                detail = f"cannot be read ({reason.removeprefix('unreadable: ')})"
            yield Finding(f"{item.path} {detail}; the agent cannot read it as a reference", 1, path=item.path)

