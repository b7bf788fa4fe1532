"""security rules (SR5xx): what a skill could make an agent do that its reader would not
see or expect. Hidden Unicode, instructions in comments, remote code piped to a shell,
secrets, credential paths, unrestricted tools, injection phrases.

Every text file in the folder is scanned (scripts too), not only SKILL.md. Patterns live
in rules/lexicons/security-*.toml and are compiled once per process.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from skillreducer import resources
from skillreducer.lint.rule import Context, Finding, Rule
from skillreducer.lint.rules.references import extension, fenced_lines, in_code_span, is_reference_path
from skillreducer.model import Skill

_MARKDOWN = frozenset({"md", "markdown", "mdx"})
_PROSE = frozenset({"md", "markdown", "mdx", "txt", "rst"})


# --- the texts of one skill ------------------------------------------------------------


# Characters of skill text, most frequent first (measured, case kept, over 2,000 real
# skills); any other character is rarer than all of these. Only speed depends on this order.
_FREQUENT = " etaisorn\nlcdpum-hgf`*.ybv:,#w\")(|/kS_CAxT=EIRP'0DM1OLN{}2[]FUqB>;zGW"

# The one character outside ASCII whose lower case is in it: KELVIN SIGN, "k" (the tests
# check every code point).
_FOLDS_TO_ASCII = {"k": "\u212a"}


def _rarity(char: str) -> int:
    index = _FREQUENT.find(char)
    return len(_FREQUENT) if index < 0 else index


def _cases(char: str, exact: bool) -> str:
    """The characters that match `char` of a needle: itself if `exact`, else every character
    whose lower case it is (for an ASCII `char`)."""
    return char if exact else "".join(dict.fromkeys(char + char.upper() + _FOLDS_TO_ASCII.get(char, "")))


def _one_of(chars: str) -> str:
    return re.escape(chars) if len(chars) == 1 else f"[{re.escape(chars)}]"


class _NeedleFinder:
    """Finds every occurrence of many literal needles in one regex pass over a text: some
    in exact case, the others in any case (where the text's lower case holds them). A
    whole-file str.find per needle, and lower-casing every file, were most of the security
    rules' time: files are long and the needles almost never there.

    Each needle is anchored at one of its characters, so the regex engine skips quickly
    from one anchor character to the next instead of trying every position. Few distinct
    anchors make few stops: needles made only of frequent characters choose first, and a
    later needle takes an anchor already chosen when it holds one, else its rarest
    character. After an anchor the regex is a trie of what follows it, closed by a
    lookbehind over the whole needle; `find` then checks each needle of that anchor."""

    def __init__(self, exact: Iterable[str], folded: Iterable[str]):
        needles = [(needle, True) for needle in dict.fromkeys(exact)] + [(needle, False) for needle in dict.fromkeys(folded)]
        if not all(needle.isascii() for needle, is_exact in needles if not is_exact):
            raise ValueError("needles matched in any case must be ASCII")
        self._by_anchor: dict[str, list[tuple[str, int, bool]]] = {}  # character -> (needle, its index, exact)
        for needle, is_exact in sorted(needles, key=lambda item: max(map(_rarity, item[0]))):
            chosen = [i for i in range(len(needle)) if all(c in self._by_anchor for c in _cases(needle[i], is_exact))]
            anchor = max(chosen or range(len(needle)), key=lambda i: _rarity(needle[i]))
            for char in _cases(needle[anchor], is_exact):
                self._by_anchor.setdefault(char, []).append((needle, anchor, is_exact))
        # The most frequent anchor first: a stop tries the alternatives in order.
        anchors = sorted(self._by_anchor, key=_rarity)
        self._pattern = re.compile("|".join(re.escape(char) + self._after(self._by_anchor[char]) for char in anchors))

    @staticmethod
    def _after(entries: list[tuple[str, int, bool]]) -> str:
        """The regex after one anchor character, for the needles anchored at it."""
        trie: dict[str | None, Any] = {}  # characters -> subtree; None -> lookbehinds ending here
        for needle, anchor, exact in entries:
            node = trie
            for char in needle[anchor + 1 :]:
                node = node.setdefault(_cases(char, exact), {})
            # find() confirms every hit, so the lookbehind only filters: an any-case one in
            # re's own case folding compiles far faster than a class per character.
            whole = re.escape(needle) if exact else f"(?i:{re.escape(needle)})"
            node.setdefault(None, []).append(f"(?<={whole})" if anchor else "")

        def pattern(node: dict[str | None, Any]) -> str:
            ends = node.get(None, [])
            if "" in ends:
                return ""  # a needle ends here for sure
            branches = [_one_of(chars) + pattern(child) for chars, child in node.items() if chars is not None] + ends
            return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

        return pattern(trie)

    def find(self, haystack: str) -> dict[bool, dict[str, list[int]]]:
        """exact -> the needles in `haystack` (not `exact`: in lower_same_length(haystack)),
        each with its offsets, every one at or after the end of the one before (what
        repeated str.find calls give)."""
        found: dict[bool, dict[str, list[int]]] = {True: {}, False: {}}
        match = self._pattern.search(haystack)
        while match:
            at = match.start()
            # Several needles may share this anchor here ("sk-" in "sk-ant-").
            for needle, anchor, exact in self._by_anchor[haystack[at]]:
                start = at - anchor
                if start < 0:
                    continue
                # An ASCII needle: the piece lowers character by character, as in
                # lower_same_length (only Σ lowers by context, never to ASCII; a character
                # lowering to two makes the piece too long, and stays itself there).
                if haystack.startswith(needle, start) if exact else haystack[start : start + len(needle)].lower() == needle:
                    offsets = found[exact].setdefault(needle, [])
                    if not offsets or start >= offsets[-1] + len(needle):
                        offsets.append(start)
            match = self._pattern.search(haystack, at + 1)
        return found


@functools.cache
def _needle_finder() -> _NeedleFinder:
    """The needles of every rule that looks for them: SR506's credential prefixes in exact
    case, SR505's, SR507's and SR509's in any case."""
    credential_paths = (needle for entry in _credentials()[0] for needle in entry.needles)
    phrases = (needle for needles, _ in _injection().phrases for needle in needles)
    return _NeedleFinder(
        (needle for kind in _secrets()[0] for needle in kind.needles),
        itertools.chain(_remote().needles, credential_paths, phrases),
    )


class _Text:
    """One scanned file: its text, with offsets mapped to 1-based (line, column) on demand."""

    __slots__ = ("path", "text", "_starts", "_lines", "_code", "_needles", "_hidden")

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self._starts: list[int] | None = None
        self._lines: list[str] | None = None
        self._code: frozenset[int] | None = None
        self._needles: dict[bool, dict[str, list[int]]] | None = None  # exact -> needle -> offsets
        self._hidden: bool | None = None

    def may_hide(self) -> bool:
        """Whether the text holds a character the hidden-Unicode rules (SR501-SR503) look for:
        almost no file does, and one scan tells all three rules so."""
        if self._hidden is None:
            self._hidden = not self.text.isascii() and _unicode().suspect.search(self.text) is not None
        return self._hidden

    def position(self, offset: int) -> tuple[int, int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def needle_offsets(self, exact: bool = False) -> dict[str, list[int]]:
        """The lexicon needles in the lower-cased text (the text itself if `exact`), each with
        its offsets (into the text), every one at or after the end of the one before."""
        if self._needles is None:
            self._needles = _needle_finder().find(self.text)
        return self._needles[exact]

    def near(self, needles: tuple[str, ...], pattern: re.Pattern[str], before: int = 80, after: int = 240, exact: bool = False) -> Iterator[re.Match[str]]:
        """Matches of `pattern` near an occurrence of a needle (lower-case unless `exact`; one
        of _needle_finder's): the pattern runs on merged windows, not on the whole file (files
        are long, needles rare)."""
        found = self.needle_offsets(exact)
        windows = [(max(0, index - before), index + len(needle) + after) for needle in needles for index in found.get(needle, ())]
        if not windows:
            return
        windows.sort()
        start, end = windows[0]
        merged = []
        for low, high in windows[1:]:
            if low <= end:
                end = max(end, high)
            else:
                merged.append((start, end))
                start, end = low, high
        merged.append((start, end))
        last = -1
        for low, high in merged:
            for match in pattern.finditer(self.text, low, high):
                if match.start() > last:
                    last = match.start()
                    yield match

    @property
    def markdown(self) -> bool:
        return self.path == "SKILL.md" or extension(self.path) in _MARKDOWN

    def code_lines(self, skill: Skill) -> frozenset[int]:
        """Lines inside code blocks: SKILL.md's parsed blocks, a Markdown file's fences;
        nothing in plain text files."""
        if self._code is None:
            if self.path == "SKILL.md":
                self._code = skill.code_lines
            elif self.markdown:
                self._code = fenced_lines(self.text)
            else:
                self._code = frozenset()
        return self._code


_cached: tuple[Skill, list[_Text]] | None = None


def _texts(skill: Skill) -> list[_Text]:
    """SKILL.md and every other file read as text; built once per skill for all rules."""
    global _cached
    if _cached is not None and _cached[0] is skill:
        return _cached[1]
    texts = [_Text("SKILL.md", skill.text)] if skill.text else []
    texts.extend(_Text(f.path, f.text) for f in skill.files if f.text)
    _cached = (skill, texts)
    return texts


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- hidden Unicode (SR501-SR503) ------------------------------------------------------


def _char_class(entries: list[str]) -> str:
    parts = []
    for entry in entries:
        low, _, high = entry.partition("-")
        parts.append(re.escape(chr(int(low, 16))) + (("-" + re.escape(chr(int(high, 16)))) if high else ""))
    return "".join(parts)


def _span_class(entries: list[str]) -> str:
    """A class of the one range from the lowest to the highest code point of `entries`,
    written as what it leaves out: re compiles a class of ranges reaching far above the
    Basic Multilingual Plane ~40x slower (3 ms, paid by every process) than its negation."""
    points = [int(point, 16) for entry in entries for point in entry.split("-")]
    low, high = min(points), max(points)
    below = f"\\x00-{re.escape(chr(low - 1))}" if low > 0 else ""
    above = f"{re.escape(chr(high + 1))}-\\U0010ffff" if high < 0x10FFFF else ""
    return f"[^{below}{above}]"


@dataclass(frozen=True)
class _Unicode:
    suspect: re.Pattern[str]  # a character SR501-SR503 report, or a variation selector run
    bidi: re.Pattern[str]
    invisible: re.Pattern[str]  # zero-width characters and bidi marks
    selector_runs: re.Pattern[str]  # two or more variation selectors in a row
    marks: frozenset[str]
    rtl: re.Pattern[str]
    joiners: frozenset[str]
    tags: re.Pattern[str]
    flag_base: str
    tag_cancel: str


@functools.cache
def _unicode() -> _Unicode:
    lex = resources.lexicon("security-unicode")
    selectors = _char_class(lex["variation_selectors"])
    keys = ("bidi_controls", "zero_width", "bidi_marks", "tags")
    others = "".join(_char_class(lex[key]) for key in keys)
    span = _span_class([entry for key in (*keys, "variation_selectors") for entry in lex[key]])
    return _Unicode(
        # One plain range first (checked faster per character than the many ranges of the
        # lexicon, and holding them all), so the regex engine skips fast; the lookbehinds then
        # keep only the lexicon's characters. A lone variation selector does not count (one
        # follows many emoji), two in a row do.
        suspect=re.compile(f"{span}(?:(?<=[{others}])|(?<=[{selectors}])[{selectors}])"),
        bidi=re.compile(f"[{_char_class(lex['bidi_controls'])}]"),
        invisible=re.compile(f"[{_char_class(lex['zero_width'])}{_char_class(lex['bidi_marks'])}]"),
        selector_runs=re.compile(f"[{selectors}]{{2,}}"),
        marks=frozenset(chr(int(c, 16)) for c in lex["bidi_marks"]),
        rtl=re.compile(f"[{_char_class(lex['rtl_letters'])}]"),
        joiners=frozenset(chr(int(c, 16)) for c in lex["joiners"]),
        tags=re.compile(f"[{_char_class(lex['tags'])}]+"),
        flag_base=chr(int(lex["tag_flag_base"], 16)),
        tag_cancel=chr(int(lex["tag_cancel"], 16)),
    )


def _codepoint(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}"


def _describe(chars: list[str]) -> str:
    distinct = list(dict.fromkeys(chars))
    names = ", ".join(_codepoint(c) for c in distinct[:3]) + (", …" if len(distinct) > 3 else "")
    return names if len(chars) == 1 else f"{len(chars)} characters ({names})"


def _by_line(text: _Text, matches: list[tuple[int, str]]) -> Iterator[tuple[int, int, list[str]]]:
    """Group (offset, chars) hits by line: (line, first column, chars)."""
    current: tuple[int, int, list[str]] | None = None
    for offset, chars in matches:
        line, column = text.position(offset)
        if current is not None and current[0] == line:
            current[2].extend(chars)
            continue
        if current is not None:
            yield current
        current = (line, column, list(chars))
    if current is not None:
        yield current


class HiddenBidiControl(Rule):
    code = "SR501"
    name = "hidden-bidi-control"
    severity = "error"
    summary = "Text holds Unicode bidirectional controls that make it display differently from how it reads."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        pattern = _unicode().bidi
        for text in _texts(skill):
            if not text.may_hide():
                continue
            hits = [(m.start(), m.group()) for m in pattern.finditer(text.text)]
            for line, column, chars in _by_line(text, hits):
                yield Finding(f"hidden bidirectional control: {_describe(chars)}; it reorders how the line displays, so a reviewer does not read what the agent reads", line, column, path=text.path)


_EMOJI_MODIFIERS = frozenset("\ufe0f\ufe0e") | frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))


def _is_symbol(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk") or char in _EMOJI_MODIFIERS or "\U0001F000" <= char <= "\U0001FAFF"


def _is_script_letter(char: str) -> bool:
    return not char.isascii() and unicodedata.category(char)[0] in "LM"


def _legit_joiner(body: str, offset: int) -> bool:
    """ZWJ/ZWNJ between two emoji (👨‍💻) or between letters of a non-Latin script (Persian, Indic)."""
    before = body[offset - 1] if offset > 0 else ""
    after = body[offset + 1] if offset + 1 < len(body) else ""
    if not before or not after:
        return False
    if _is_symbol(before) and _is_symbol(after):
        return True
    return _is_script_letter(before) or _is_script_letter(after)


class HiddenZeroWidth(Rule):
    code = "SR502"
    name = "hidden-zero-width"
    severity = "warning"
    summary = "Text holds invisible characters (zero-width spaces, joiners, stray direction marks, variation-selector runs)."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        uni = _unicode()
        for text in _texts(skill):
            if not text.may_hide():
                continue
            body = text.text
            hits = [(m.start(), m.group()) for m in uni.selector_runs.finditer(body)]
            for match in uni.invisible.finditer(body):
                char = match.group()
                if char == "\ufeff" and match.start() == 0:
                    continue  # a byte order mark
                if char in uni.joiners and _legit_joiner(body, match.start()):
                    continue
                if char in uni.marks:
                    line, _ = text.position(match.start())
                    if uni.rtl.search(text.lines[line - 1]):
                        continue  # direction marks belong in right-to-left text
                hits.append((match.start(), char))
            hits.sort()
            for line, column, chars in _by_line(text, hits):
                yield Finding(f"invisible {_describe(chars)}; it can split or hide words the agent reads but a reviewer does not see", line, column, path=text.path)


class HiddenTagCharacters(Rule):
    code = "SR503"
    name = "hidden-tag-characters"
    severity = "error"
    summary = "Text holds invisible Unicode tag characters, which can smuggle ASCII instructions."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        uni = _unicode()
        for text in _texts(skill):
            if not text.may_hide():
                continue
            body = text.text
            for match in uni.tags.finditer(body):
                run = match.group()
                # Subdivision flags (🏴 + tags + cancel tag) are the one legitimate use.
                if match.start() > 0 and body[match.start() - 1] == uni.flag_base and run.endswith(uni.tag_cancel):
                    continue
                hidden = "".join(chr(ord(c) - 0xE0000) for c in run if 0xE0020 <= ord(c) <= 0xE007E)
                line, column = text.position(match.start())
                shown = f' spelling "{_quote(hidden, 80)}"' if hidden.strip() else ""
                yield Finding(f"{len(run)} invisible tag character(s){shown}; tag characters carry text a reviewer cannot see", line, column, path=text.path)


# --- instructions hidden in comments (SR504) and injection phrases (SR509) -------------


@dataclass(frozen=True)
class _Injection:
    phrases: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...]  # (needles, pattern)
    any_phrase: re.Pattern[str]
    secrecy: re.Pattern[str]
    directives: re.Pattern[str]
    groups: tuple[re.Pattern[str], ...]


@functools.cache
def _injection() -> _Injection:
    lex = resources.lexicon("security-injection")

    def union(entries: list[str]) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{e})" for e in entries), re.IGNORECASE)

    return _Injection(
        phrases=tuple((tuple(p["needles"]), re.compile(p["pattern"], re.IGNORECASE)) for p in lex["phrase"]),
        any_phrase=union([p["pattern"] for p in lex["phrase"]]),
        secrecy=union(lex["secrecy"]),
        directives=re.compile("|".join(f"(?:{e})" for e in lex["comment_directives"]), re.IGNORECASE),
        groups=tuple(union(lex[key]) for key in ("addressee", "action", "urgency", "target")),
    )


_COMMENT = re.compile(r"<!--(.*?)(?:-->|\Z)", re.DOTALL)
# Markdown's other invisible comment: a link reference definition nobody links to.
_LINK_COMMENT = re.compile(r"^ {0,3}\[(?://|#|comment|_)\]:\s*(?:#|<>)\s*(?:\((.*)\)|\"(.*)\"|'(.*)')\s*$", re.IGNORECASE)
_LINK_LABEL = re.compile(r"\[(?://|#|comment|_)\]:", re.IGNORECASE)  # on every line _LINK_COMMENT matches
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_INTERNAL = re.compile(r"^\s*(?:skillreducer:|expect:)", re.IGNORECASE)


def _hidden_comments(text: _Text, skill: Skill) -> Iterator[tuple[int, int, str]]:
    """(line, column, comment text) for comments in Markdown prose (not in code, not in
    SKILL.md's frontmatter)."""
    body = text.text
    comments = list(_COMMENT.finditer(body))
    labels = list(_LINK_LABEL.finditer(body))
    if not comments and not labels:
        return  # most files: their code lines, a pass over the file, are not needed
    code = text.code_lines(skill)
    if text.path == "SKILL.md":
        code = code | frozenset(range(1, skill.body_line))
    for match in comments:
        line, column = text.position(match.start())
        if line in code or in_code_span(text.lines[line - 1], column):
            continue
        yield line, column, match.group(1)
    checked = 0
    for label in labels:
        number, _ = text.position(label.start())
        if number != checked:  # a line may hold several labels
            checked = number
            if number not in code and (match := _LINK_COMMENT.match(text.lines[number - 1])):
                yield number, 1, next(g for g in match.groups() if g is not None)


def _instruction(comment: str) -> str | None:
    """Why a hidden comment reads as an instruction to the agent, or None."""
    inj = _injection()
    if _INTERNAL.match(comment):
        return None
    if match := inj.any_phrase.search(comment):
        return f"an injection phrase ({_quote(match.group(), 40)!r})"
    if match := inj.secrecy.search(comment):
        return f"secrecy ({_quote(match.group(), 40)!r})"
    if inj.directives.match(comment.strip()):
        return None
    # Words must meet within a sentence (or two adjacent lines): long notes and data tables
    # in comments hold every word somewhere.
    lines = comment.split("\n")
    pieces = [" ".join(lines[i : i + 2]) for i in range(max(1, len(lines) - 1))]
    for sentence in (s for piece in pieces for s in _SENTENCE.split(piece)):
        found = [m.group() for g in inj.groups if (m := g.search(sentence))]
        if len(found) >= 2:
            return f"instruction words ({', '.join(repr(w) for w in found)})"
    return None


class HtmlCommentInstructions(Rule):
    code = "SR504"
    name = "html-comment-instructions"
    severity = "warning"
    summary = "A Markdown comment, invisible when rendered, holds instructions the agent will read."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        for text in _texts(skill):
            # Templates and assets are copied out for the user to fill in; their comments are guidance.
            if not text.markdown or (text.path != "SKILL.md" and not is_reference_path(text.path)):
                continue
            for line, column, comment in _hidden_comments(text, skill):
                why = _instruction(comment)
                if why:
                    yield Finding(f"hidden comment with {why}: \"{_quote(comment)}\"; the agent reads it but a reviewer of the rendered page does not", line, column, path=text.path)


_QUOTED = re.compile(r"`[^`\n]*`|\"[^\"\n]*\"|“[^”\n]*”|„[^“”\n]*[“”]|«[^»\n]*»|‘[^’\n]*’")


class PromptInjectionPhrase(Rule):
    code = "SR509"
    name = "prompt-injection-phrase"
    severity = "warning"
    summary = "Text holds a known prompt-injection phrase (\"ignore previous instructions\" and the like)."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        inj = _injection()
        for text in _texts(skill):
            if text.path != "SKILL.md" and extension(text.path) not in _PROSE:
                continue  # scripts and data are run or parsed, not taken as instructions
            present = text.needle_offsets().keys()
            lines: set[int] = set()
            for needles, pattern in inj.phrases:
                if not present.isdisjoint(needles):  # else there is no window to look in
                    lines.update(text.position(m.start())[0] for m in text.near(needles, pattern))
            code = text.code_lines(skill) if lines else frozenset()
            for number in sorted(lines - code):
                # Quoted or code-formatted mentions are discussion ("detect 'ignore previous
                # instructions'"), not instructions; blank them, keeping columns. Not in the
                # frontmatter, where quotes are YAML syntax around the description itself.
                prose = text.lines[number - 1]
                if text.path != "SKILL.md" or number >= skill.body_line:
                    prose = _QUOTED.sub(lambda m: " " * len(m.group()), prose)
                if match := inj.any_phrase.search(prose):
                    yield Finding(f"prompt-injection phrase \"{_quote(match.group(), 50)}\"; if this is an example, quote it or put it in a code block", number, match.start() + 1, path=text.path)


# --- remote code piped to an interpreter (SR505) --------------------------------------


@dataclass(frozen=True)
class _RemoteExec:
    needles: tuple[str, ...]
    hint: re.Pattern[str]
    fetcher: re.Pattern[str]
    filters: frozenset[str]
    interpreters: tuple[tuple[re.Pattern[str], frozenset[str]], ...]
    patterns: re.Pattern[str]


def _any_word(words: list[str]) -> re.Pattern[str]:
    r"""What `re.compile(r"\b(?:word|…)\b", re.IGNORECASE)` matches, for words that start with
    a word character, in a form the regex engine scans fast. It finds no first-character set
    for a case-insensitive pattern, so it would try a match at every position; here a
    case-sensitive class comes first, holding each first letter in both cases and every
    non-ASCII character (among them İ, ı and the Kelvin sign, which re also folds to ASCII).
    Then lookbehinds check that first letter case-insensitively and that no word character
    precedes it (what \b means before a word character)."""
    if not all(re.match(r"\w", word) for word in words):
        raise ValueError(f"words must start with a word character: {words}")
    first = {c for word in words for c in (word[0].lower(), word[0].upper()) if c.isascii()}
    # The class of `first` and every non-ASCII character, written as its complement: the
    # same set, compiled in 0.1 ms instead of 3 (a range up to U+10FFFF is slow to compile).
    not_first = "".join(re.escape(chr(code)) for code in range(128) if chr(code) not in first)
    rests = "|".join(f"(?<={re.escape(word[0])}){re.escape(word[1:])}" for word in words)
    return re.compile(rf"[^{not_first}](?<!\w.)(?i:{rests})\b")


@functools.cache
def _remote() -> _RemoteExec:
    lex = resources.lexicon("security-remote-exec")
    fetchers = "|".join(re.escape(f) for f in lex["fetchers"])
    return _RemoteExec(
        needles=tuple(lex["needles"]),
        hint=_any_word([*lex["fetchers"], "iex", "Invoke-Expression", "DownloadString"]),
        fetcher=re.compile(rf"(?:^|[\s;&(`\"']|\$\()(?:sudo\s+)?({fetchers})(?=\s)", re.IGNORECASE),
        filters=frozenset(lex["filters"]),
        interpreters=tuple((re.compile(rf"(?:{i['names']})", re.IGNORECASE), frozenset(i["code_flags"])) for i in lex["interpreter"]),
        patterns=re.compile("|".join(f"(?:{p})" for p in lex["patterns"]), re.IGNORECASE),
    )


_PIPE = re.compile(r"(?<!\|)\|(?!\|)")
_STAGE_END = re.compile(r"[;&)`\"'#]|\|\|")
_ARGUMENTS_END = re.compile(r"[;&`]|\|\||\s#")  # where a fetcher's arguments stop (quotes may wrap the URL)
# Where a download comes from: a URL, a $VARIABLE, or a host name.
_SOURCE = re.compile(r"://|\$\{?\w|(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:[/:]|\s|$)", re.IGNORECASE)
_SUDO_ARGUMENT_FLAGS = frozenset({"-u", "-g", "-h", "-p", "-C"})


def _stdin_interpreter(stage: str) -> tuple[str, bool] | None:
    """(command, passes-on) for one pipeline stage: the interpreter that runs what it reads
    on stdin, or a filter that hands it on; None for anything else."""
    stage = _STAGE_END.split(stage, 1)[0]
    words = stage.split()
    remote = _remote()
    index = 0
    while index < len(words):  # sudo, env and VAR=value only wrap the command
        word = words[index]
        if word in ("sudo", "doas", "env", "command", "exec") or ("=" in word and not word.startswith("-")):
            index += 1
        elif word.startswith("-") and index > 0 and words[index - 1] in ("sudo", "doas", "env"):
            index += 2 if word in _SUDO_ARGUMENT_FLAGS else 1
        else:
            break
    if index >= len(words):
        return None
    command = words[index].rsplit("/", 1)[-1]
    if command in remote.filters:
        return command, True
    for names, code_flags in remote.interpreters:
        if names.fullmatch(command):
            for word in words[index + 1 :]:
                if word in ("-", "--"):
                    return command, False
                if word.startswith("--"):
                    continue
                if word.startswith("-"):
                    if code_flags & set(word[1:]):
                        return None  # the program is an argument; stdin is data
                    continue
                return None  # a script file; stdin is its data
            return command, False
    return None


def _remote_exec(line: str) -> tuple[int, str] | None:
    """(0-based column, description) of remote code run by an interpreter on this line."""
    remote = _remote()
    if match := remote.patterns.search(line):
        return match.start(), _quote(match.group(), 50)
    if "|" not in line:
        return None
    stages = _PIPE.split(line)
    offset = 0
    for number, stage in enumerate(stages[:-1]):
        fetch = None
        for candidate in remote.fetcher.finditer(stage):
            fetch = candidate
        if fetch is not None and _SOURCE.search(_ARGUMENTS_END.split(stage[fetch.end(1) :], 1)[0]):
            for later in stages[number + 1 :]:
                found = _stdin_interpreter(later)
                if found is None:
                    break
                command, passes_on = found
                if not passes_on:
                    return offset + fetch.start(1), f"{fetch.group(1)} … | {command}"
        offset += len(stage) + 1
    return None


def _logical_line(text: _Text, number: int) -> tuple[int, str]:
    """(first line, text) of the logical line holding line `number`: backslash continuations
    joined, HTML/Markdown escapes of | decoded."""
    lines = text.lines
    start = number
    while start > 1 and number - start < 20 and lines[start - 2].endswith("\\"):
        start -= 1
    end = start
    joined = lines[start - 1]
    while joined.endswith("\\") and end < len(lines) and end - start < 20:
        joined = joined[:-1] + " " + lines[end].lstrip()
        end += 1
    return start, joined.replace("&#124;", "|").replace("\\|", "|")


class RemoteCodePipeShell(Rule):
    code = "SR505"
    name = "remote-code-pipe-shell"
    severity = "warning"
    summary = "Downloaded content is run by an interpreter unseen (`curl … | sh`, `iex (iwr …)`)."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        remote = _remote()
        hint = remote.hint
        for text in _texts(skill):
            found = text.needle_offsets()
            if not any(needle in found for needle in remote.needles):
                continue
            done: set[int] = set()
            for match in hint.finditer(text.text):
                start_line, line = _logical_line(text, text.position(match.start())[0])
                if start_line in done:
                    continue
                done.add(start_line)
                found = _remote_exec(line)
                if found:
                    column, what = found
                    yield Finding(f"remote code is run unseen ({what}); download it, check it (pin a version and a checksum), then run it — or install from a package manager", start_line, min(column + 1, max(1, len(text.lines[start_line - 1]))), path=text.path)


# --- secrets (SR506) -------------------------------------------------------------------


@dataclass(frozen=True)
class _Secret:
    name: str
    pattern: re.Pattern[str]
    needles: tuple[str, ...]
    prefix: int
    mixed: bool
    body: re.Pattern[str] | None


@functools.cache
def _secrets() -> tuple[tuple[_Secret, ...], tuple[str, ...]]:
    lex = resources.lexicon("security-secrets")
    kinds = tuple(
        _Secret(
            e["name"],
            re.compile(e["pattern"]),
            tuple(e["needles"]),
            int(e.get("prefix", 0)),
            bool(e.get("mixed")),
            re.compile(e["body"]) if e.get("body") else None,
        )
        for e in lex["secret"]
    )
    return kinds, tuple(p.lower() for p in lex["placeholders"])


_SEQUENCE = re.compile(r"0123|1234|2345|3456|4567|5678|6789|abcde|bcdef|cdefg|defgh|efghi|fghij|ghijk|hijkl|ijklm|jklmn|klmno|lmnop|mnopq|nopqr|opqrs|pqrst|qrstu|rstuv|stuvw|tuvwx|uvwxy|vwxyz")


def _looks_real(value: str, mixed: bool, placeholders: tuple[str, ...]) -> bool:
    """Whether a credential-shaped value looks random rather than made up for a document."""
    lowered = value.lower()
    if any(p in lowered for p in placeholders):
        return False
    if re.search(r"(.)\1{4,}", value) or len(set(value)) < max(6, len(value) // 4):
        return False  # xxxxx, 00000, aaaabbbb
    # "A1B2C3D4E5…" and "abcdef123456": counting up, even with other characters between.
    digits = "".join(c for c in value if c.isdigit())
    letters = "".join(c for c in lowered if c.isalpha())
    if _SEQUENCE.search(digits) or _SEQUENCE.search(letters):
        return False
    if mixed and not (re.search(r"\d", value) and re.search(r"[a-z]", value) and re.search(r"[A-Z]", value)):
        return False
    return True


class SecretInSkill(Rule):
    code = "SR506"
    name = "secret-in-skill"
    severity = "error"
    summary = "A file holds what looks like a live credential (API key, token, private key)."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        kinds, placeholders = _secrets()
        for text in _texts(skill):
            if not text.needle_offsets(exact=True):
                continue  # no credential prefix anywhere in the file
            for kind in kinds:
                for match in text.near(kind.needles, kind.pattern, before=64, after=400, exact=True):
                    finding = self._finding(text, kind, match, placeholders)
                    if finding:
                        yield finding

    @staticmethod
    def _finding(text: _Text, kind: _Secret, match: re.Match[str], placeholders: tuple[str, ...]) -> Finding | None:
        token = match.group()
        start = match.start("value") - match.start() if "value" in kind.pattern.groupindex and match.group("value") else kind.prefix
        value = token[start:]
        line, column = text.position(match.start())
        if kind.body is not None:
            following = next((l for l in text.lines[line:] if l.strip()), "")
            if not kind.body.match(following):
                return None  # documentation shows "..." or "<key>" after the header
            shown = f"block ({token})"
        elif not _looks_real(value, kind.mixed, placeholders):
            return None
        else:
            secret = token if start == kind.prefix else value  # the key, without "aws_secret_access_key ="
            shown = f"{secret[: (start if secret is token else 0) + 2]}… ({len(secret)} characters)"
        return Finding(f"{kind.name} {shown}; remove it from the skill and rotate it", line, column, path=text.path)


# --- credential paths (SR507) ----------------------------------------------------------


@dataclass(frozen=True)
class _CredentialPath:
    name: str
    needles: tuple[str, ...]
    pattern: re.Pattern[str]
    access_only: bool


@functools.cache
def _credentials() -> tuple[tuple[_CredentialPath, ...], re.Pattern[str]]:
    lex = resources.lexicon("security-credential-paths")
    paths = tuple(_CredentialPath(e["name"], tuple(e["needles"]), re.compile(e["pattern"], re.IGNORECASE), bool(e.get("access"))) for e in lex["path"])
    return paths, re.compile(lex["access_verbs"], re.IGNORECASE)


class CredentialPath(Rule):
    code = "SR507"
    name = "credential-path"
    severity = "warning"
    summary = "The skill names a credential store in the user's home (SSH keys, cloud credentials, keychain)."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        paths, access_verbs = _credentials()
        for text in _texts(skill):
            present = text.needle_offsets().keys()
            found: dict[int, tuple[int, _CredentialPath, str]] = {}  # line -> first hit
            for entry in paths:
                if present.isdisjoint(entry.needles):
                    continue  # no window to look in (most files, most entries)
                for match in text.near(entry.needles, entry.pattern):
                    line, column = text.position(match.start())
                    if entry.access_only and not access_verbs.search(text.lines[line - 1]):
                        continue
                    if line not in found or column < found[line][0]:
                        found[line] = (column, entry, match.group())
            for line in sorted(found):
                column, entry, what = found[line]
                yield Finding(f"names the {entry.name} ({_quote(what, 40)}); a skill that reads credential stores can leak them — say why it needs this, or remove it", line, column, path=text.path)


# --- unrestricted tools (SR508) --------------------------------------------------------


@dataclass(frozen=True)
class _Tools:
    keys: tuple[str, ...]
    wildcards: frozenset[str]
    shells: frozenset[str]
    escalating: frozenset[str]


@functools.cache
def _tools() -> _Tools:
    lex = resources.lexicon("security-tools")
    return _Tools(
        tuple(lex["keys"]),
        frozenset(w.lower() for w in lex["wildcards"]),
        frozenset(s.lower() for s in lex["shell_tools"]),
        frozenset(c.lower() for c in lex["escalating_commands"]),
    )


_TOOL_ENTRY = re.compile(r"[^\s,()]+(?:\([^)]*\)?)?|\([^)]*\)?")
_GRANT = re.compile(r"^\s*([^\s(]+)\s*(?:\((.*?)\)?)?\s*$", re.DOTALL)


def _unrestricted(entry: str) -> str | None:
    """Why one allowed-tools entry grants any command, or None."""
    tools = _tools()
    match = _GRANT.match(entry)
    if not match:
        return None
    name, pattern = match.group(1).strip("\"'"), match.group(2)
    if name.lower() in tools.wildcards:
        return "grants every tool"
    if name.lower() not in tools.shells:
        return None
    if pattern is None:
        return "grants every shell command (no command pattern)"
    pattern = pattern.strip()
    if pattern.strip("*: ") == "":
        return "matches every shell command"
    command = re.split(r"[:\s]", pattern, 1)[0].rsplit("/", 1)[-1].lower()
    if command in tools.escalating:
        return f"lets `{command}` run any other command"
    return None


def _entries(value: Any) -> list[str]:
    if isinstance(value, str):
        return _TOOL_ENTRY.findall(value)
    if isinstance(value, (list, tuple)):
        found: list[str] = []
        for item in value:
            if isinstance(item, str):
                # A list item may still hold several entries ("Read, Bash").
                found.extend(_TOOL_ENTRY.findall(item) if "," in item else [item.strip()])
        return found
    return []


class UnrestrictedAllowedTools(Rule):
    code = "SR508"
    name = "unrestricted-allowed-tools"
    severity = "warning"
    summary = "`allowed-tools` pre-approves any shell command (bare `Bash`, `Bash(*)`, `*`, `Bash(sudo:*)`)."

    def check(self, skill: Skill, ctx: Context) -> Iterator[Finding]:
        fm = skill.frontmatter
        if fm.data is None:
            return
        for key in _tools().keys:
            if key not in fm.data:
                continue
            key_line = fm.key_lines.get(key) or fm.start_line or 1
            for entry in _entries(fm.data[key]):
                why = _unrestricted(entry)
                if why:
                    line = _entry_line(skill, key_line, entry)
                    yield Finding(f"`{key}` entry `{entry}` {why}; scope it to the commands the skill runs, e.g. `Bash(git status:*)`", line)


def _entry_line(skill: Skill, key_line: int, entry: str) -> int:
    """The frontmatter line holding a list entry (the key's line for the inline forms)."""
    end = skill.frontmatter.end_line or len(skill.lines)
    loose = None
    for number in range(key_line + 1, min(end, len(skill.lines) + 1)):
        line = skill.lines[number - 1]
        if line[:1] not in (" ", "\t", "-", ""):
            break  # the next top-level key
        item = re.sub(r"\s+#.*$", "", line).strip().lstrip("-").strip().strip("\"'")
        if item == entry:
            return number
        if loose is None and entry in line:
            loose = number
    return loose or key_line
